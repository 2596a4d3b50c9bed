// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The epoll group's outputs: live lines, the I/O section of the summary, its JSON summary, and
 * the group ops that plug epoll_tl into the model.
 */
#include <stdlib.h>
#include <string.h>
#include "epoll_tl.h"
#include "format.h"
#include "hist.h"
#include "json_writer.h"
#include "live.h"
#include "strutil.h"

static const char *const poll_names[] = { "?", "poll", "ppoll", "select", "pselect6" };

static const char *poll_name(uint32_t kind)
{
	return kind < 5 ? poll_names[kind] : "?";
}

static uint32_t ppid_of(const struct proc *p)
{
	return p && p->parent ? p->parent->pid : 0;
}

/* "socket unix:[1234]", "fifo:[99]", "anon [eventfd]" */
static const char *target_str(const struct psc_fd_info *t, char *buf, size_t size)
{
	char name[sizeof(t->name) * 4 + 1];

	switch (t->kind) {
	case PSC_FD_SOCKET:
		snprintf(buf, size, "%s:[%llu]",
			 t->sock_family == 1  ? "unix" :
			 t->sock_family == 2  ? "tcp4/udp4" :
			 t->sock_family == 10 ? "tcp6/udp6" :
						"socket",
			 (unsigned long long)t->ino);
		break;
	case PSC_FD_ANON:
		term_escape(name, sizeof(name), t->name, strnlen(t->name, sizeof(t->name)));
		snprintf(buf, size, "anon%s", name);
		break;
	case PSC_FD_FIFO:
		snprintf(buf, size, "pipe:[%llu]", (unsigned long long)t->ino);
		break;
	case PSC_FD_FILE:
		snprintf(buf, size, "file:[%llu]", (unsigned long long)t->ino);
		break;
	case PSC_FD_CHR:
		snprintf(buf, size, "chr:[%llu]", (unsigned long long)t->ino);
		break;
	default:
		snprintf(buf, size, "?");
		break;
	}
	return buf;
}

/* What the live line and the summary say of a wait with no start, in place of its duration */
#define EARLY_WAIT "(began before the trace)"

static void live_wait(struct epoll_tl *tl, const struct model *m, const struct psc_ev_epoll_wait *e,
		      const struct proc *p, FILE *out)
{
	const struct epoll_ready_fd *rf;
	char d[48], dur[32], ev[64], details[1024], who[96];
	size_t n, i, o = 0;

	rf = epoll_tl_last_ready(tl, &n);
	/* a wait that began before the trace has no start: say so, never a made-up duration */
	if (e->flags & PSC_WAIT_EARLY)
		snprintf(d, sizeof(d), EARLY_WAIT);
	else
		snprintf(d, sizeof(d), "%s %s", e->ret > 0 ? "blocked" : "after",
			 duration_fmt(epoll_wait_duration(e->hdr.ts_ns, e->enter_ns, e->flags), dur,
				      sizeof(dur)));
	if (e->ret > 0)
		o += snprintf(details + o, sizeof(details) - o, "epfd %d %s -> %d ready:", e->epfd,
			      d, e->ret);
	else if (e->ret == 0)
		o += snprintf(details + o, sizeof(details) - o, "epfd %d timed out %s", e->epfd, d);
	else
		o += snprintf(details + o, sizeof(details) - o, "epfd %d failed %s: %s", e->epfd, d,
			      e->ret == -4 ? "EINTR" : errno_str(e->ret));
	/* data in hex beside the fd it maps to, when it is not the fd itself (a pointer, a tag) */
	for (i = 0; i < n && o < sizeof(details); i++) {
		uint64_t data = e->ready[i].data;

		if (rf[i].fd < 0)
			o += snprintf(details + o, sizeof(details) - o, " data 0x%llx (no fd) %s",
				      (unsigned long long)data,
				      epoll_events_str(rf[i].events, ev, sizeof(ev)));
		else if (data != (uint64_t)rf[i].fd)
			o += snprintf(details + o, sizeof(details) - o, " fd %d data 0x%llx %s",
				      rf[i].fd, (unsigned long long)data,
				      epoll_events_str(rf[i].events, ev, sizeof(ev)));
		else
			o += snprintf(details + o, sizeof(details) - o, " fd %d %s", rf[i].fd,
				      epoll_events_str(rf[i].events, ev, sizeof(ev)));
	}
	if ((e->flags & PSC_WAIT_CAPPED) && o < sizeof(details))
		o += snprintf(details + o, sizeof(details) - o, " ...");
	for (i = 0; i < m->nlinks && o < sizeof(details); i++) {
		const struct wake_link *l = &m->links[i];
		const struct proc *sender =
			proctree_find(m->tree, l->sender_pid, l->sender_start_ns);

		o += snprintf(details + o, sizeof(details) - o, "; woken by %s (unix) on fd %d +%s",
			      live_who(sender, who, sizeof(who)), l->fd,
			      duration_fmt(l->latency_ns, dur, sizeof(dur)));
	}
	live_print(out, m, e->hdr.ts_ns, "ep_wait", e->hdr.tgid, ppid_of(p), p ? p->comm : NULL,
		   "%s", details);
}

/*
 * A poll family wait's result: the ready count, or the errno's name; a restart code (the kernel
 * leaves one in the return value when a signal interrupts poll or select) says so
 */
static const char *poll_result(int32_t ret, char *buf, size_t size)
{
	char e[32];

	if (ret >= 0)
		snprintf(buf, size, "%d", ret);
	else if (errno_is_restart(ret))
		snprintf(buf, size, "interrupted by a signal (%s)", errno_name(ret, e, sizeof(e)));
	else
		snprintf(buf, size, "%s", errno_name(ret, e, sizeof(e)));
	return buf;
}

/*
 * What --min-wait compares: the duration, or for a wait that began before the trace the least
 * it blocked (since the trace began), never shown as its duration
 */
static uint64_t shown_duration(const struct model *m, uint64_t ts, uint64_t enter, uint32_t flags)
{
	if (flags & PSC_WAIT_EARLY)
		return ts > m->meta.boottime_base_ns ? ts - m->meta.boottime_base_ns : 0;
	return epoll_wait_duration(ts, enter, flags);
}

static void epoll_live(void *state, const struct model *m, const union psc_event *ev, FILE *out,
		       uint64_t min_wait_ns)
{
	const struct proc *p = proctree_find(m->tree, ev->hdr.tgid, ev->hdr.start_ns);
	const char *comm = p ? p->comm : NULL;
	char ev_s[64], tgt[96], d[32], res[96];
	uint64_t dur;

	switch (ev->hdr.type) {
	case PSC_EV_EPOLL_CREATE:
		if (ev->epoll_create.ret >= 0)
			live_print(out, m, ev->hdr.ts_ns, "ep_new", ev->hdr.tgid, ppid_of(p), comm,
				   "epfd %d", ev->epoll_create.ret);
		break;
	case PSC_EV_EPOLL_CTL: {
		const struct psc_ev_epoll_ctl *e = &ev->epoll_ctl;
		static const char *const ops[] = { "?", "ADD", "DEL", "MOD" };

		char data[40] = "";

		/* DEL carries no event; data is a u64 (often the fd, often a pointer): hex, by the fd */
		if (e->op != 2)
			snprintf(data, sizeof(data), " data 0x%llx", (unsigned long long)e->data);
		live_print(out, m, ev->hdr.ts_ns, "ep_ctl", ev->hdr.tgid, ppid_of(p), comm,
			   "epfd %d %s fd %d%s %s%s%s%s%s", e->epfd,
			   e->op >= 1 && e->op <= 3 ? ops[e->op] : "?", e->fd, data,
			   target_str(&e->target, tgt, sizeof(tgt)), e->op == 2 ? "" : " events ",
			   e->op == 2 ? "" : epoll_events_str(e->events, ev_s, sizeof(ev_s)),
			   e->ret ? " failed: " : "", e->ret ? errno_str(e->ret) : "");
		break;
	}
	case PSC_EV_EPOLL_SEED: {
		const struct psc_ev_epoll_ctl *e = &ev->epoll_ctl;

		if (e->ret)
			live_print(
				out, m, ev->hdr.ts_ns, "ep_seed", ev->hdr.tgid, ppid_of(p), comm,
				"epfd %d: its registrations from before the trace are unknown: %s",
				e->epfd, errno_str(e->ret));
		else
			live_print(
				out, m, ev->hdr.ts_ns, "ep_seed", ev->hdr.tgid, ppid_of(p), comm,
				"epfd %d fd %d data 0x%llx %s events %s (registered before the trace)",
				e->epfd, e->fd, (unsigned long long)e->data,
				target_str(&e->target, tgt, sizeof(tgt)),
				epoll_events_str(e->events, ev_s, sizeof(ev_s)));
		break;
	}
	case PSC_EV_EPOLL_WAIT:
		dur = shown_duration(m, ev->hdr.ts_ns, ev->epoll_wait.enter_ns,
				     ev->epoll_wait.flags);
		if (dur >= min_wait_ns || m->nlinks)
			live_wait(state, m, &ev->epoll_wait, p, out);
		break;
	case PSC_EV_POLL_WAIT: {
		const struct psc_ev_poll_wait *e = &ev->poll_wait;

		if (shown_duration(m, e->hdr.ts_ns, e->enter_ns, e->flags) < min_wait_ns)
			break;
		dur = epoll_wait_duration(e->hdr.ts_ns, e->enter_ns, e->flags);
		live_print(out, m, ev->hdr.ts_ns, poll_name(e->kind), ev->hdr.tgid, ppid_of(p),
			   comm, "nfds %u blocked %s -> %s", e->nfds,
			   e->flags & PSC_WAIT_EARLY ? EARLY_WAIT : duration_fmt(dur, d, sizeof(d)),
			   poll_result(e->ret, res, sizeof(res)));
		break;
	}
	default:
		break;
	}
}

/* Rows the text summary shows of each kind; the JSON summary's (docs/summary-json.md) */
#define TEXT_ROWS 20
#define SET_ROWS 12 /* registrations listed under an epoll set */
#define JSON_ROWS 256

static int cmp_set_seq(const void *a, const void *b)
{
	const struct epoll_set *x = *(struct epoll_set *const *)a;
	const struct epoll_set *y = *(struct epoll_set *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_poll_seq(const void *a, const void *b)
{
	const struct poll_use *x = *(struct poll_use *const *)a;
	const struct poll_use *y = *(struct poll_use *const *)b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void print_set(FILE *out, const struct epoll_set *s)
{
	char comm[LIVE_COMM_ESC], d1[32], d2[32], ev[64], tgt[96], early[48] = "";
	size_t i, shown = 0, more = 0;
	uint64_t more_ready = 0, timed;

	const struct epoll_owner *w = &s->who;

	if (s->owner) /* still in the table: its latest comm */
		term_escape(comm, sizeof(comm), s->owner->comm,
			    strnlen(s->owner->comm, PSC_COMM_LEN));
	else
		term_escape(comm, sizeof(comm), w->comm, strnlen(w->comm, PSC_COMM_LEN));
	timed = s->waits - s->early;
	if (s->early)
		snprintf(early, sizeof(early), ", %llu began before the trace",
			 (unsigned long long)s->early);
	fprintf(out,
		"  %u %s epfd %d: %llu waits (%llu timeouts, %llu EINTR, %llu errors%s), "
		"%llu ready, blocked mean %s max %s%s\n",
		w->pid, comm, s->epfd, (unsigned long long)s->waits,
		(unsigned long long)s->timeouts, (unsigned long long)s->eintr,
		(unsigned long long)s->errors, early, (unsigned long long)s->ready_events,
		duration_fmt(timed ? s->wait_ns / timed : 0, d1, sizeof(d1)),
		duration_fmt(s->max_wait_ns, d2, sizeof(d2)),
		epoll_set_is_busy_polling(s) ? "  BUSY-POLLING (timeout 0, nothing ready)" : "");
	for (i = 0; i < s->nregs; i++) {
		const struct epoll_reg *r = &s->regs[i];

		if (!r->ready && !r->live)
			continue;
		if (shown == SET_ROWS) {
			more++;
			more_ready += r->ready;
			continue;
		}
		shown++;
		fprintf(out, "      fd %-4d %-22s interest %-14s ready %6llu  seen %s\n", r->fd,
			target_str(&r->target, tgt, sizeof(tgt)),
			epoll_events_str(r->events, d1, sizeof(d1)), (unsigned long long)r->ready,
			r->ready_mask ? epoll_events_str(r->ready_mask, ev, sizeof(ev)) : "-");
	}
	if (more)
		fprintf(out, "      ... %zu more registrations, ready %llu times\n", more,
			(unsigned long long)more_ready);
	if (s->unmapped)
		fprintf(out,
			"      %llu ready entries matched no traced registration (added before "
			"the trace)\n",
			(unsigned long long)s->unmapped);
	if (s->wakes_linked)
		fprintf(out, "      %llu wake-ups caused by unix sends\n",
			(unsigned long long)s->wakes_linked);
}

static const char *poll_comm(const struct poll_use *p)
{
	return p->owner ? p->owner->comm : p->who.comm;
}

/*
 * report -p/--comm/--since: keep the rows of the processes the summary shows (model_shows());
 * the sets folded away (retired owners) cannot be told apart then, and count only without it
 */
static const struct epoll_folded no_folded;

static const struct epoll_folded *folded_shown(const struct model *m, const struct epoll_tl *tl)
{
	return m->view ? &no_folded : epoll_tl_folded(tl);
}

/* A row's process under the report's filter: an exited one is found by its identity */
static bool shows_owner(const struct model *m, const struct proc *owner,
			const struct epoll_owner *who)
{
	return owner ? model_shows(m, owner) : model_shows_pid(m, who->pid, who->start_ns);
}

static size_t shown_sets(const struct model *m, struct epoll_set **a, size_t n)
{
	size_t i, k = 0;

	for (i = 0; a && i < n; i++)
		if (shows_owner(m, a[i]->owner, &a[i]->who))
			a[k++] = a[i];
	return k;
}

static size_t shown_polls(const struct model *m, struct poll_use **a, size_t n)
{
	size_t i, k = 0;

	for (i = 0; a && i < n; i++)
		if (shows_owner(m, a[i]->owner, &a[i]->who))
			a[k++] = a[i];
	return k;
}

static void print_polls(FILE *out, const struct model *m, const struct epoll_tl *tl)
{
	const struct epoll_folded *f = folded_shown(m, tl);
	size_t np, i;
	struct poll_use **polls = epoll_tl_ranked_polls(tl, &np);
	uint64_t more_rows = f->polls, more_calls = f->poll_calls;

	np = shown_polls(m, polls, np);
	if (!np && !f->polls) {
		free(polls);
		return;
	}
	fprintf(out, "\nPoll/select waits:\n  %7s %-16s %-8s %8s %8s %10s %10s\n", "PID", "COMM",
		"SYSCALL", "CALLS", "TIMEOUTS", "MEAN NFDS", "MEAN WAIT");
	for (i = 0; i < np; i++) {
		const struct poll_use *p = polls[i];
		char comm[LIVE_COMM_ESC], d[32];

		if (i >= TEXT_ROWS) {
			more_rows++;
			more_calls += p->calls;
			continue;
		}
		term_escape(comm, sizeof(comm), poll_comm(p), strnlen(poll_comm(p), PSC_COMM_LEN));
		fprintf(out, "  %7u %-16s %-8s %8llu %8llu %10llu %10s\n", p->who.pid, comm,
			poll_name(p->kind), (unsigned long long)p->calls,
			(unsigned long long)p->timeouts,
			(unsigned long long)(p->calls ? p->nfds_total / p->calls : 0),
			duration_fmt(p->calls > p->early ? p->wait_ns / (p->calls - p->early) : 0,
				     d, sizeof(d)));
	}
	if (more_rows)
		fprintf(out, "  ... %llu more (process, syscall) rows with %llu calls\n",
			(unsigned long long)more_rows, (unsigned long long)more_calls);
	free(polls);
}

static void epoll_summary(void *state, const struct model *m, FILE *out)
{
	struct epoll_tl *tl = state;
	const struct epoll_folded *f = folded_shown(m, tl);
	size_t k, i;
	struct epoll_set **sorted = epoll_tl_ranked_sets(tl, &k);
	uint64_t hist[EPOLL_TL_HIST], wake[EPOLL_TL_HIST], waits = f->waits - f->early,
							   wakes = f->wakes_linked, more = f->sets;

	k = shown_sets(m, sorted, k);
	fprintf(out, "\nI/O readiness (epoll):\n");
	/* the sets folded away (exited processes beyond the kept ones) still count */
	memcpy(hist, f->hist, sizeof(hist));
	memcpy(wake, f->wake_lat_hist, sizeof(wake));
	if (!k && !f->sets)
		fprintf(out, "  (no epoll activity traced)\n");
	for (i = 0; i < k; i++) {
		unsigned int b;

		if (i < TEXT_ROWS)
			print_set(out, sorted[i]);
		else
			more++;
		for (b = 0; b < EPOLL_TL_HIST; b++) {
			hist[b] += sorted[i]->hist[b];
			wake[b] += sorted[i]->wake_lat_hist[b];
		}
		waits += sorted[i]->waits - sorted[i]->early; /* those with a duration */
		wakes += sorted[i]->wakes_linked;
	}
	if (more)
		fprintf(out, "  ... %llu more epoll sets\n", (unsigned long long)more);
	free(sorted);
	if (waits) {
		fprintf(out, "  time blocked in epoll waits (%llu waits):\n",
			(unsigned long long)waits);
		hist_print(out, hist, "    ");
	}
	if (wakes) {
		fprintf(out, "  unix send -> epoll wake-up latency (%llu wake-ups):\n",
			(unsigned long long)wakes);
		hist_print(out, wake, "    ");
	}
	print_polls(out, m, tl);
}

static void json_set(struct jw *w, const struct model *m, const struct epoll_set *s)
{
	char ev[64];
	size_t r;

	jw_obj_start(w);
	jw_kv_u64(w, "pid", s->who.pid);
	/* the live owner's: a start from /proc becomes exact with its first record */
	jw_kv_i64(w, "start_ns", model_rel_ns(m, s->owner ? s->owner->start_ns : s->who.start_ns));
	jw_kv_strn(w, "comm", s->owner ? s->owner->comm : s->who.comm,
		   strnlen(s->owner ? s->owner->comm : s->who.comm, PSC_COMM_LEN));
	jw_kv_i64(w, "epfd", s->epfd);
	jw_kv_u64(w, "waits", s->waits);
	jw_kv_u64(w, "timeouts", s->timeouts);
	jw_kv_u64(w, "eintr", s->eintr);
	jw_kv_u64(w, "errors", s->errors);
	jw_kv_u64(w, "ready_events", s->ready_events);
	jw_kv_u64(w, "unmapped_ready", s->unmapped);
	jw_kv_u64(w, "zero_timeout_empty", s->zero_timeout_empty);
	jw_kv_u64(w, "began_before_trace", s->early);
	jw_kv_bool(w, "busy_polling", epoll_set_is_busy_polling(s));
	jw_kv_u64(w, "blocked_ns", s->wait_ns);
	jw_kv_u64(w, "max_wait_ns", s->max_wait_ns);
	jw_kv_u64(w, "wakes_linked", s->wakes_linked);
	hist_write_json(w, "wait_hist", s->hist);
	hist_write_json(w, "wake_latency_hist", s->wake_lat_hist);
	jw_key(w, "fds");
	jw_arr_start(w);
	for (r = 0; r < s->nregs; r++) {
		const struct epoll_reg *g = &s->regs[r];

		jw_obj_start(w);
		jw_kv_i64(w, "fd", g->fd);
		jw_kv_u64(w, "ino", g->target.ino);
		jw_kv_str(w, "interest", epoll_events_str(g->events, ev, sizeof(ev)));
		jw_kv_u64(w, "data", g->data);
		jw_kv_u64(w, "ready", g->ready);
		jw_kv_str(w, "seen", epoll_events_str(g->ready_mask, ev, sizeof(ev)));
		jw_kv_bool(w, "registered", g->live);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

static void json_poll(struct jw *w, const struct poll_use *p)
{
	jw_obj_start(w);
	jw_kv_u64(w, "pid", p->who.pid);
	jw_kv_strn(w, "comm", poll_comm(p), strnlen(poll_comm(p), PSC_COMM_LEN));
	jw_kv_str(w, "syscall", poll_name(p->kind));
	jw_kv_u64(w, "calls", p->calls);
	jw_kv_u64(w, "timeouts", p->timeouts);
	jw_kv_u64(w, "ready", p->ready);
	jw_kv_u64(w, "nfds_total", p->nfds_total);
	jw_kv_u64(w, "began_before_trace", p->early);
	jw_kv_u64(w, "blocked_ns", p->wait_ns);
	hist_write_json(w, "wait_hist", p->hist);
	jw_obj_end(w);
}

/*
 * The JSON_ROWS busiest sets and poll rows, in creation order; the others are counted in
 * "epoll_sets_omitted" and "poll_waits_omitted" (with what they add up to).
 */
static void epoll_summary_json(void *state, const struct model *m, struct jw *w)
{
	struct epoll_tl *tl = state;
	const struct epoll_folded *f = folded_shown(m, tl);
	size_t n, np, i, shown, pshown;
	struct epoll_set **sets = epoll_tl_ranked_sets(tl, &n);
	struct poll_use **polls = epoll_tl_ranked_polls(tl, &np);

	n = shown_sets(m, sets, n);
	np = shown_polls(m, polls, np);
	uint64_t more = f->sets, more_waits = f->waits, pmore = f->polls,
		 pmore_calls = f->poll_calls;

	shown = n < JSON_ROWS ? n : JSON_ROWS;
	pshown = np < JSON_ROWS ? np : JSON_ROWS;
	for (i = shown; i < n; i++) {
		more++;
		more_waits += sets[i]->waits;
	}
	for (i = pshown; i < np; i++) {
		pmore++;
		pmore_calls += polls[i]->calls;
	}
	if (sets)
		qsort(sets, shown, sizeof(*sets), cmp_set_seq);
	if (polls)
		qsort(polls, pshown, sizeof(*polls), cmp_poll_seq);
	jw_key(w, "epoll_sets");
	jw_arr_start(w);
	for (i = 0; i < shown; i++)
		json_set(w, m, sets[i]);
	jw_arr_end(w);
	jw_key(w, "epoll_sets_omitted");
	jw_obj_start(w);
	jw_kv_u64(w, "sets", more);
	jw_kv_u64(w, "waits", more_waits);
	jw_obj_end(w);
	jw_key(w, "poll_waits");
	jw_arr_start(w);
	for (i = 0; i < pshown; i++)
		json_poll(w, polls[i]);
	jw_arr_end(w);
	jw_key(w, "poll_waits_omitted");
	jw_obj_start(w);
	jw_kv_u64(w, "rows", pmore);
	jw_kv_u64(w, "calls", pmore_calls);
	jw_obj_end(w);
	free(sets);
	free(polls);
}

/*
 * The same members written in place, in one room: the log's hot path (every wait of a busy
 * loop). False when the general calls must write them (pretty output, an error).
 */
static bool json_extra_in_place(struct jw *w, const struct model *m,
				const struct epoll_ready_fd *rf, size_t n)
{
	static const struct jw_key k_tid = JW_KEY("tid"), k_start = JW_KEY("start_ns"),
				   k_send = JW_KEY("send_ts_ns"), k_ino = JW_KEY("ino"),
				   k_fd = JW_KEY("fd"), k_lat = JW_KEY("latency_ns");
	static const char ready[] = ",\"ready_fds\":[", woken[] = ",\"woken_by\":[",
			  pid[] = "{\"pid\":";
	struct jw_cur c = { 0 };
	size_t i;

	if (!jw_cur_room(w, &c,
			 sizeof(ready) + n * 21 + sizeof(woken) +
				 m->nlinks * (sizeof(pid) + 21 + 6 * JW_CUR_MEMBER + 2) + 2))
		return false;
	jw_cur_text(&c, ready, sizeof(ready) - 1);
	for (i = 0; i < n; i++) {
		if (i)
			jw_cur_text(&c, ",", 1);
		jw_cur_num(&c, rf[i].fd);
	}
	jw_cur_text(&c, "]", 1);
	if (m->nlinks) {
		jw_cur_text(&c, woken, sizeof(woken) - 1);
		for (i = 0; i < m->nlinks; i++) {
			const struct wake_link *l = &m->links[i];

			if (i)
				jw_cur_text(&c, ",", 1);
			jw_cur_text(&c, pid, sizeof(pid) - 1);
			jw_cur_num(&c, l->sender_pid);
			jw_cur_u64(&c, &k_tid, l->sender_tid);
			jw_cur_i64(&c, &k_start, model_rel_ns(m, l->sender_start_ns));
			jw_cur_i64(&c, &k_send, model_rel_ns(m, l->send_ts));
			jw_cur_u64(&c, &k_ino, l->ino);
			jw_cur_i64(&c, &k_fd, l->fd);
			jw_cur_u64(&c, &k_lat, l->latency_ns);
			jw_cur_text(&c, "}", 1);
		}
		jw_cur_text(&c, "]", 1);
	}
	jw_cur_close(w, &c);
	return true;
}

/* ready fds and wake links of an epoll_wait, in the event log */
static void epoll_json_extra(void *state, const struct model *m, const union psc_event *ev,
			     struct jw *w)
{
	static const struct jw_key k_ready = JW_KEY("ready_fds"), k_woken = JW_KEY("woken_by"),
				   k_pid = JW_KEY("pid"), k_tid = JW_KEY("tid"),
				   k_start = JW_KEY("start_ns"), k_send = JW_KEY("send_ts_ns"),
				   k_ino = JW_KEY("ino"), k_fd = JW_KEY("fd"),
				   k_lat = JW_KEY("latency_ns");
	const struct epoll_ready_fd *rf;
	size_t n, i;

	if (ev->hdr.type != PSC_EV_EPOLL_WAIT)
		return;
	rf = epoll_tl_last_ready(state, &n);
	if (json_extra_in_place(w, m, rf, n))
		return;
	jw_key_k(w, &k_ready);
	jw_arr_start(w);
	for (i = 0; i < n; i++)
		jw_i64(w, rf[i].fd);
	jw_arr_end(w);
	if (!m->nlinks)
		return;
	jw_key_k(w, &k_woken);
	jw_arr_start(w);
	for (i = 0; i < m->nlinks; i++) {
		const struct wake_link *l = &m->links[i];

		jw_obj_start(w);
		jw_kv_u64_k(w, &k_pid, l->sender_pid);
		jw_kv_u64_k(w, &k_tid, l->sender_tid);
		jw_kv_i64_k(w, &k_start, model_rel_ns(m, l->sender_start_ns));
		jw_kv_i64_k(w, &k_send, model_rel_ns(m, l->send_ts));
		jw_kv_u64_k(w, &k_ino, l->ino);
		jw_kv_i64_k(w, &k_fd, l->fd);
		jw_kv_u64_k(w, &k_lat, l->latency_ns);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void *epoll_new(struct model *m)
{
	return epoll_tl_new();
}

static void epoll_free(void *state)
{
	epoll_tl_free(state);
}

static int epoll_apply(void *state, struct model *m, const union psc_event *ev,
		       const struct proc *owner)
{
	return epoll_tl_apply(state, m, ev, owner);
}

static void epoll_retire(void *state, const struct proc *p)
{
	epoll_tl_retire(state, p);
}

const struct model_group_ops epoll_group_ops = {
	.group = PSC_GROUP_EPOLL,
	.name = "epoll",
	.create = epoll_new,
	.free = epoll_free,
	.apply = epoll_apply,
	.live = epoll_live,
	.summary = epoll_summary,
	.summary_json = epoll_summary_json,
	.json_extra = epoll_json_extra,
	.retire = epoll_retire,
	/* an exited process waits no more: its rows are ranked (kept or folded) at once */
	.exited = epoll_retire,
	.timeline = &epoll_timeline_ops,
};
