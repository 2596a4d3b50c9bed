// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix group's outputs: live lines (unix_live.c), the unix-socket section of the text
 * summary (here), its JSON summary and the derived fields of its events in the log
 * (unix_json.c), and the group ops that plug unix_flow into the model (here). Every path and
 * name from the traced system is escaped (term_escape for the terminal, the JSON writer plus an
 * exact "_hex" twin for JSON). What the three share is in unix_print_int.h.
 */
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "hist.h"
#include "live.h"
#include "strutil.h"
#include "unix_print_int.h"

#define MAX_CONN_ROWS 50
#define MAX_FLOW_ROWS 30
#define MAX_HISTS 10

/*
 * "4321 client", terminal-escaped, or "?"; "4321 (untraced)" for a process known by its pid
 * alone (SO_PEERCRED of the untraced peer of a -p trace): no traced event told its name
 */
const char *ux_who_str(const struct unix_who *w, char *buf, size_t size)
{
	char comm[LIVE_COMM_ESC];
	const char *c;

	if (!w || !w->pid) {
		snprintf(buf, size, "?");
		return buf;
	}
	if (unix_who_untraced(w)) {
		snprintf(buf, size, "%u (untraced)", w->pid);
		return buf;
	}
	c = unix_who_comm(w);
	term_escape(comm, sizeof(comm), c, strnlen(c, PSC_COMM_LEN));
	snprintf(buf, size, "%u %s", w->pid, comm);
	return buf;
}

const char *ux_err_str(int err, char *buf, size_t size)
{
	return errno_name(err, buf, size);
}

/* The path shown for an address, "(unnamed)" when there is none */
const char *ux_path_str(const struct psc_unix_addr *a, char *buf, size_t size)
{
	unix_addr_str(a, buf, size);
	if (!buf[0])
		snprintf(buf, size, "(unnamed)");
	return buf;
}

/* ---- text summary ---- */

static const char *rel_time(const struct model *m, uint64_t ts, char *buf, size_t size)
{
	if (ts)
		snprintf(buf, size, "%.6f", model_rel_ns(m, ts) / 1e9);
	else
		snprintf(buf, size, "-");
	return buf;
}

/* "12/345" messages/bytes */
static const char *mb_str(const struct unix_dir *d, char *buf, size_t size)
{
	snprintf(buf, size, "%llu/%llu", (unsigned long long)d->msgs, (unsigned long long)d->bytes);
	return buf;
}

static const struct unix_dir empty_dir;

const struct unix_dir *ux_tx_of(const struct unix_end *e)
{
	return e ? &e->tx : &empty_dir;
}

static const struct unix_dir *rx_of(const struct unix_end *e)
{
	return e ? &e->rx : &empty_dir;
}

/*
 * A connection end whose process is outside the traced tree (-p, a command): its own sends and
 * receives were not traced. System-wide, every process is traced. A process no longer in the
 * table (retired) was one the trace followed.
 */
static bool end_untraced(const struct model *m, const struct unix_end *e)
{
	const struct unix_who *w = e ? unix_end_proc(e) : NULL;

	if (!e || !m->meta.target_pid)
		return false;
	if (!w || !w->proc)
		return true;
	return w->proc->p && !(w->proc->p->flags & PROC_F_IN_TREE);
}

/*
 * Messages/bytes from @from to @to: @from's sends, or, when @from's process is not traced,
 * what @to received from it, marked "recv" (its EOFs apart): never a misleading "0/0"
 */
static const char *way_str(const struct model *m, const struct unix_end *from,
			   const struct unix_end *to, char *buf, size_t size)
{
	const struct unix_dir *rx = rx_of(to);

	if (!end_untraced(m, from) || !to || end_untraced(m, to))
		return mb_str(ux_tx_of(from), buf, size);
	snprintf(buf, size, "%llu/%llu recv", (unsigned long long)(rx->msgs - rx->eof),
		 (unsigned long long)rx->bytes);
	return buf;
}

/* Failed sends and receives of both ends, EAGAIN apart: "EPIPE x2, 5 EAGAIN" or "-" */
static const char *errs_str(const struct unix_end *a, const struct unix_end *b, char *buf,
			    size_t size)
{
	const struct unix_dir *d[4] = { ux_tx_of(a), rx_of(a), ux_tx_of(b), rx_of(b) };
	uint64_t errs = 0, again = 0;
	int last = 0;
	char name[32];
	size_t i, o = 0;

	for (i = 0; i < 4; i++) {
		errs += d[i]->errors - d[i]->eagain;
		again += d[i]->eagain;
		if (d[i]->last_err && d[i]->last_err != -11)
			last = d[i]->last_err;
	}
	buf[0] = '\0';
	if (errs)
		o += snprintf(buf, size, "%s x%llu",
			      last ? ux_err_str(last, name, sizeof(name)) : "?",
			      (unsigned long long)errs);
	if (again && o < size)
		snprintf(buf + o, size - o, "%s%llu EAGAIN", o ? ", " : "",
			 (unsigned long long)again);
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

static const char *conn_kind_str(const struct unix_conn *c, char *buf, size_t size)
{
	char ty[16];

	snprintf(buf, size, "%s%s", c->kind == UX_CONN_PAIR ? "pair/" : "",
		 unix_type_name(c->type, ty, sizeof(ty)));
	return buf;
}

/*
 * report -p/--comm/--since show rows of the selected processes (model_shows()): a connection
 * when either end's process is selected, a socket when its owner is. The model has both ends
 * either way, so a row reads the same filtered or not.
 */
static bool who_shown(const struct model *m, const struct unix_who *w)
{
	return !m->view || (w && model_shows_pid(m, w->pid, unix_who_start(w)));
}

bool ux_end_shown(const struct model *m, const struct unix_end *e)
{
	return !m->view || (e && who_shown(m, unix_end_proc(e)));
}

bool ux_conn_shown(const struct model *m, const struct unix_conn *c)
{
	return !m->view || ux_end_shown(m, c->client) || ux_end_shown(m, c->server);
}

static void print_conns(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, skipped = 0;
	struct unix_conn *const *conns = unix_flow_conns(uf, &n);
	char kind[32], cli[96], srv[96], t1[32], t2[32], a[48], b[48], errs[80];
	char path[UNIX_ADDR_STR_LEN];

	size_t shown = 0, j = 0;

	for (i = 0; i < n; i++)
		shown += ux_conn_shown(m, conns[i]);
	fprintf(out, "  Connections (client -> server; messages/bytes each way; times in s):\n");
	if (!shown) {
		fprintf(out, "    (none)\n");
		return;
	}
	fprintf(out, "    %-5s %-16s %-22s %-22s %-11s %-20s %-14s %-14s %-16s %s\n", "ID", "TYPE",
		"CLIENT", "SERVER", "CONNECTED", "CLOSED", "C->S", "S->C", "ERRORS", "PATH");
	for (i = 0; i < n; i++) {
		const struct unix_conn *c = conns[i];
		const struct unix_end *s = c->server;
		bool inferred;
		uint64_t closed = unix_conn_closed_ts(c, &inferred);
		char id[16];

		if (!ux_conn_shown(m, c))
			continue;
		/* most recent last: past the limit, the oldest rows give way */
		if (shown - j++ > MAX_CONN_ROWS) {
			skipped++;
			continue;
		}
		snprintf(id, sizeof(id), "#%llu", (unsigned long long)c->id);
		ux_who_str(unix_end_proc(c->client), cli, sizeof(cli));
		if (!s || (s->flags & UX_END_PENDING)) {
			const struct proc *lp =
				c->listener_pid ? proctree_find_pid(m->tree, c->listener_pid) :
						  NULL;

			live_who(lp, srv, sizeof(srv));
			if (c->result)
				snprintf(srv, sizeof(srv), "-");
			else if (!lp)
				snprintf(srv, sizeof(srv), "(listener)");
		} else {
			ux_who_str(unix_end_proc(s), srv, sizeof(srv));
		}
		if (c->result)
			snprintf(t2, sizeof(t2), "failed %s", ux_err_str(c->result, a, sizeof(a)));
		else if (s && (s->flags & UX_END_PENDING))
			snprintf(t2, sizeof(t2), "%s", unix_conn_state(c));
		else if (closed)
			snprintf(t2, sizeof(t2), "%.6f%s", model_rel_ns(m, closed) / 1e9,
				 inferred ? " exit" : "");
		else
			snprintf(t2, sizeof(t2), "open");
		if (c->kind == UX_CONN_PAIR)
			snprintf(path, sizeof(path), "(socketpair)");
		else if (c->kind == UX_CONN_EARLIER && !c->path.len && !(s && s->path.len))
			snprintf(path, sizeof(path), "(connected before the trace)");
		else
			ux_path_str(c->path.len || !s ? &c->path : &s->path, path, sizeof(path));
		if (c->result) {
			snprintf(a, sizeof(a), "-");
			snprintf(b, sizeof(b), "-");
		} else {
			way_str(m, c->client, s, a, sizeof(a));
			way_str(m, s, c->client, b, sizeof(b));
		}
		fprintf(out, "    %-5s %-16s %-22s %-22s %-11s %-20s %-14s %-14s %-16s %s\n", id,
			conn_kind_str(c, kind, sizeof(kind)), cli, srv,
			rel_time(m, c->connect_ts, t1, sizeof(t1)), t2, a, b,
			errs_str(c->client, s, errs, sizeof(errs)), path);
	}
	if (skipped)
		fprintf(out, "    ... %zu older connections not listed\n", skipped);
}

static void print_flows(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, k, rows = 0, more = 0;
	struct unix_end *const *ends = unix_flow_ends(uf, &n);
	char snd[96], rcv[96], path[UNIX_ADDR_STR_LEN], err[32], errs[48], sender[128];

	for (i = 0; i < n; i++)
		rows += ux_end_shown(m, ends[i]) ? ends[i]->nflows : 0;
	if (!rows)
		return;
	fprintf(out, "  Datagrams (sender -> receiver path):\n");
	fprintf(out, "    %-32s %-22s %8s %10s %-16s %s\n", "SENDER", "RECEIVER", "MSGS", "BYTES",
		"ERRORS", "PATH");
	rows = 0;
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		for (k = 0; ux_end_shown(m, e) && k < e->nflows; k++) {
			const struct unix_dgram_flow *f = &e->flows[k];

			if (rows++ >= MAX_FLOW_ROWS) {
				more++;
				continue;
			}
			snprintf(sender, sizeof(sender), "%s unix:[%llu]",
				 ux_who_str(unix_end_proc(e), snd, sizeof(snd)),
				 (unsigned long long)e->ino);
			if (f->receiver.pid)
				ux_who_str(&f->receiver, rcv, sizeof(rcv));
			else if (f->dest_ino)
				snprintf(rcv, sizeof(rcv), "unix:[%llu]",
					 (unsigned long long)f->dest_ino);
			else
				snprintf(rcv, sizeof(rcv), "-");
			if (f->errors)
				snprintf(errs, sizeof(errs), "%s x%llu",
					 ux_err_str(f->last_err, err, sizeof(err)),
					 (unsigned long long)f->errors);
			else
				snprintf(errs, sizeof(errs), "-");
			fprintf(out, "    %-32s %-22s %8llu %10llu %-16s %s\n", sender, rcv,
				(unsigned long long)f->msgs, (unsigned long long)f->bytes, errs,
				ux_path_str(&f->dest, path, sizeof(path)));
		}
	}
	if (more)
		fprintf(out, "    ... %zu more datagram flows\n", more);
	(void)m;
}

static void print_listeners(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, k = 0;
	struct unix_end *const *ends = unix_flow_ends(uf, &n);
	char who[96], path[UNIX_ADDR_STR_LEN];

	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		if (!(e->flags & UX_END_LISTENING) || !ux_end_shown(m, e))
			continue;
		if (!k++)
			fprintf(out, "  Listening sockets:\n");
		fprintf(out, "    %s unix:[%llu] on %s: %llu accepted%s\n",
			ux_who_str(unix_end_proc(e), who, sizeof(who)), (unsigned long long)e->ino,
			ux_path_str(&e->path, path, sizeof(path)), (unsigned long long)e->accepts,
			e->flags & UX_END_CLOSED ? ", closed" : "");
	}
}

/* A connection's wake-ups: both ends' (each end is woken by the other's sends) */
uint64_t ux_conn_wakes(const struct unix_conn *c, uint64_t *hist)
{
	const struct unix_end *ends[2] = { c->client, c->server };
	uint64_t n = 0;
	size_t i, b;

	if (hist)
		memset(hist, 0, UNIX_FLOW_HIST * sizeof(*hist));
	for (i = 0; i < 2; i++) {
		if (!ends[i] || !ends[i]->wakes_linked)
			continue;
		n += ends[i]->wakes_linked;
		for (b = 0; hist && ends[i]->wake_hist && b < UNIX_FLOW_HIST; b++)
			hist[b] += ends[i]->wake_hist[b];
	}
	return n;
}

static int cmp_wakes(const void *a, const void *b)
{
	uint64_t x = ux_conn_wakes(*(struct unix_conn *const *)a, NULL);
	uint64_t y = ux_conn_wakes(*(struct unix_conn *const *)b, NULL);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void print_wakes(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, k = 0;
	struct unix_conn *const *conns = unix_flow_conns(uf, &n);
	struct unix_end *const *ends;
	struct unix_conn **sorted;
	uint64_t hist[UNIX_FLOW_HIST];
	char a[96], b[96], path[UNIX_ADDR_STR_LEN];

	sorted = calloc(n + 1, sizeof(*sorted));
	if (!sorted)
		return;
	for (i = 0; i < n; i++)
		if (ux_conn_shown(m, conns[i]) && ux_conn_wakes(conns[i], NULL))
			sorted[k++] = conns[i];
	qsort(sorted, k, sizeof(*sorted), cmp_wakes);
	if (k)
		fprintf(out, "  Wake-up latency, unix send -> the epoll_wait it woke returns:\n");
	for (i = 0; i < k && i < MAX_HISTS; i++) {
		const struct unix_conn *c = sorted[i];
		uint64_t w = ux_conn_wakes(c, hist);

		fprintf(out, "    conn #%llu %s <-> %s: %llu wake-up%s\n",
			(unsigned long long)c->id,
			ux_who_str(unix_end_proc(c->client), a, sizeof(a)),
			ux_who_str(unix_end_proc(c->server), b, sizeof(b)), (unsigned long long)w,
			w == 1 ? "" : "s");
		hist_print(out, hist, "      ");
	}
	if (k > MAX_HISTS)
		fprintf(out, "    ... %zu more connections with wake-ups\n", k - MAX_HISTS);
	free(sorted);
	/* datagram receivers: woken by whoever sent to them */
	ends = unix_flow_ends(uf, &n);
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		if (e->conn || !e->wakes_linked || !e->wake_hist || !ux_end_shown(m, e))
			continue;
		fprintf(out, "    %s unix:[%llu] %s: %llu wake-up%s\n",
			ux_who_str(unix_end_proc(e), a, sizeof(a)), (unsigned long long)e->ino,
			ux_path_str(&e->path, path, sizeof(path)),
			(unsigned long long)e->wakes_linked, e->wakes_linked == 1 ? "" : "s");
		hist_print(out, e->wake_hist, "      ");
	}
}

static void unix_summary(void *state, const struct model *m, FILE *out)
{
	struct unix_flow *uf = state;
	const struct unix_flow_stats *s = unix_flow_stats(uf);

	fprintf(out, "\nUnix sockets:\n");
	/* the totals are the trace's: a filter picks rows, it does not recount */
	fprintf(out,
		"  %s%llu sockets, %llu connects (%llu failed), %llu accepts; %llu B sent in %llu "
		"sends, %llu B received in %llu receives; %llu send and %llu receive errors\n",
		m->view ? "whole trace: " : "", (unsigned long long)s->sockets,
		(unsigned long long)(s->connects + s->connect_failed),
		(unsigned long long)s->connect_failed, (unsigned long long)s->accepts,
		(unsigned long long)s->bytes_sent, (unsigned long long)s->sends,
		(unsigned long long)s->bytes_received, (unsigned long long)s->recvs,
		(unsigned long long)s->send_errors, (unsigned long long)s->recv_errors);
	if (s->fds_passed)
		fprintf(out, "  %llu file descriptors passed (SCM_RIGHTS)\n",
			(unsigned long long)s->fds_passed);
	print_conns(out, m, uf);
	print_flows(out, m, uf);
	print_listeners(out, m, uf);
	print_wakes(out, m, uf);
	if (s->retired_conns || s->retired_ends)
		fprintf(out,
			"  (%llu older closed connections and %llu sockets, %llu B, are only "
			"counted)\n",
			(unsigned long long)s->retired_conns, (unsigned long long)s->retired_ends,
			(unsigned long long)s->retired_bytes);
}

/* ---- ops ---- */

static void *unix_new(struct model *m)
{
	return unix_flow_new();
}

static void unix_free(void *state)
{
	unix_flow_free(state);
}

static int unix_apply(void *state, struct model *m, const union psc_event *ev,
		      const struct proc *owner)
{
	return unix_flow_apply(state, m, ev, owner);
}

static int unix_wake_links(void *state, struct model *m, const union psc_event *ev)
{
	return unix_flow_wake_links(state, m);
}

static void unix_retire(void *state, const struct proc *p)
{
	unix_flow_retire(state, p);
}

const struct model_group_ops unix_group_ops = {
	.group = PSC_GROUP_UNIX,
	.name = "unix",
	.create = unix_new,
	.free = unix_free,
	.apply = unix_apply,
	.wake_links = unix_wake_links,
	.live = unix_live,
	.summary = unix_summary,
	.summary_json = unix_summary_json,
	.json_extra = unix_json_extra,
	.retire = unix_retire,
	.timeline = &unix_timeline_ops,
};
