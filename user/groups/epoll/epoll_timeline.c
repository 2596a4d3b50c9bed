// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The epoll group on the timelines (timeline.h): each epoll_wait and poll/select is a slice on
 * the waiting thread in Perfetto and a band on the process's row in the SVG; a wait that a unix
 * send made ready gets the "woken by" slice and a flow from the send's marker (placed by the
 * unix group's hook) in Perfetto, and an arrow in the SVG. Layout: docs/timeline.md.
 */
#include <stdio.h>
#include "epoll_tl.h"
#include "json_writer.h"
#include "perfetto.h"
#include "svg.h"
#include "timeline.h"

static const char *wait_result(int32_t ret, char *buf, size_t size)
{
	if (ret > 0)
		snprintf(buf, size, "%d ready", ret);
	else if (ret == 0)
		snprintf(buf, size, "timeout");
	else if (ret == -4)
		snprintf(buf, size, "EINTR");
	else
		snprintf(buf, size, "error %d", -ret);
	return buf;
}

/*
 * The timeout, and for a wait that began before the trace (an instant at its return: no start)
 * that it did; a poll family timeout the kernel rewrote before an unseen entry is null
 */
static void kv_timeout(struct jw *w, int64_t timeout_ns, uint32_t flags)
{
	if (flags & PSC_WAIT_EARLY)
		jw_kv_bool(w, "began_before_trace", true);
	if (flags & PSC_WAIT_TIMEOUT_UNKNOWN) {
		jw_key(w, "timeout_ms");
		jw_null(w);
	} else if (timeout_ns < 0)
		jw_kv_i64(w, "timeout_ms", -1);
	else
		jw_kv_double(w, "timeout_ms", (double)timeout_ns / 1e6);
}

/* The "woken by" marker at the end of a wait slice and the arrows from each send into it */
static void wake_links(struct perfetto *pf, const struct model *m, const struct proc *waiter,
		       uint32_t tid, uint64_t a, uint64_t b)
{
	uint64_t d = (b - a) / 2, f_ts;
	size_t i;
	struct jw *w;
	char nb[64];

	if (d > PF_MARK_NS)
		d = PF_MARK_NS;
	if (d < 2) {
		pf_flows_dropped(pf, m->nlinks);
		return;
	}
	/* nested in the wait: the arrow lands where the wait returned, not where it began */
	w = pf_slice_inside(pf, waiter, tid, b - d, d, "woken by unix send", "unix", "yellow");
	pf_args(w);
	jw_key(w, "senders");
	jw_arr_start(w);
	for (i = 0; i < m->nlinks; i++)
		jw_str(w, pf_proc_name(proctree_find(m->tree, m->links[i].sender_pid,
						     m->links[i].sender_start_ns),
				       nb, sizeof(nb)));
	jw_arr_end(w);
	jw_obj_end(w);
	pf_end(pf);
	f_ts = b - d / 2;
	for (i = 0; i < m->nlinks; i++) {
		const struct wake_link *l = &m->links[i];
		const struct proc *sp = proctree_find(m->tree, l->sender_pid, l->sender_start_ns);
		uint64_t s_ts = 0;

		/* the unix group's hook placed a marker at the send (none outside the picture) */
		if (!pf_mark_at(pf, sp, l->sender_tid, timeline_rel(m, l->send_ts), &s_ts) ||
		    f_ts <= s_ts) {
			pf_flows_dropped(pf, 1); /* no marker for that send (or clocks disagree) */
			continue;
		}
		pf_flow(pf, "wakeup", "unix", sp, l->sender_tid, s_ts, waiter, tid, f_ts);
	}
}

static void on_epoll_wait(struct perfetto *pf, const struct model *m,
			  const struct psc_ev_epoll_wait *e, const struct proc *p)
{
	struct epoll_tl *tl = model_group_state(m, PSC_GROUP_EPOLL);
	const struct epoll_ready_fd *rf = NULL;
	uint64_t b = timeline_rel(m, e->hdr.ts_ns),
		 a = e->enter_ns ? timeline_rel(m, e->enter_ns) : b;
	const char *name = e->flags & PSC_WAIT_PWAIT2 ? "epoll_pwait2" :
			   e->flags & PSC_WAIT_PWAIT  ? "epoll_pwait" :
							"epoll_wait";
	char buf[64], nb[64];
	size_t nrf = 0, i;
	struct jw *w;

	w = pf_slice(pf, m, p, e->hdr.tid, &a, &b, name, "epoll", "thread_state_sleeping");
	if (!w) {
		pf_flows_dropped(pf, m->nlinks);
		return;
	}
	if (tl)
		rf = epoll_tl_last_ready(tl, &nrf);
	pf_args(w);
	jw_kv_i64(w, "epfd", e->epfd);
	kv_timeout(w, e->timeout_ns, e->flags);
	jw_kv_i64(w, "ret", e->ret);
	jw_kv_str(w, "result", wait_result(e->ret, buf, sizeof(buf)));
	jw_key(w, "ready");
	jw_arr_start(w);
	for (i = 0; i < e->nready && i < PSC_EPOLL_MAX_READY; i++) {
		uint32_t events = rf && i < nrf ? rf[i].events : e->ready[i].events;

		jw_obj_start(w);
		if (rf && i < nrf)
			jw_kv_i64(w, "fd", rf[i].fd);
		else
			jw_kv_u64(w, "data", e->ready[i].data);
		jw_kv_str(w, "events", epoll_events_str(events, buf, sizeof(buf)));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (e->flags & PSC_WAIT_CAPPED)
		jw_kv_bool(w, "ready_truncated", true);
	if (m->nlinks) {
		jw_key(w, "woken_by");
		jw_arr_start(w);
		for (i = 0; i < m->nlinks; i++) {
			const struct wake_link *l = &m->links[i];

			jw_obj_start(w);
			jw_kv_str(w, "sender",
				  pf_proc_name(proctree_find(m->tree, l->sender_pid,
							     l->sender_start_ns),
					       nb, sizeof(nb)));
			jw_kv_u64(w, "sender_tid", l->sender_tid);
			jw_kv_i64(w, "fd", l->fd);
			jw_kv_u64(w, "ino", l->ino);
			jw_kv_double(w, "latency_us", (double)l->latency_ns / 1e3);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
	pf_end(pf);
	if (m->nlinks)
		wake_links(pf, m, p, e->hdr.tid, a, b);
}

static void on_poll_wait(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_poll_wait *e, const struct proc *p)
{
	static const char *const names[] = { "poll", "poll", "ppoll", "select", "pselect6" };
	uint64_t b = timeline_rel(m, e->hdr.ts_ns),
		 a = e->enter_ns ? timeline_rel(m, e->enter_ns) : b;
	char buf[32];
	struct jw *w;

	w = pf_slice(pf, m, p, e->hdr.tid, &a, &b, e->kind < 5 ? names[e->kind] : "poll", "poll",
		     "thread_state_sleeping");
	if (!w)
		return;
	pf_args(w);
	jw_kv_u64(w, "nfds", e->nfds);
	kv_timeout(w, e->timeout_ns, e->flags);
	jw_kv_i64(w, "ret", e->ret);
	jw_kv_str(w, "result", wait_result(e->ret, buf, sizeof(buf)));
	jw_obj_end(w);
	pf_end(pf);
}

static void epoll_perfetto(void *state, struct perfetto *pf, const struct model *m,
			   const union psc_event *ev, const struct proc *owner)
{
	if (ev->hdr.type == PSC_EV_EPOLL_WAIT)
		on_epoll_wait(pf, m, &ev->epoll_wait, owner);
	else if (ev->hdr.type == PSC_EV_POLL_WAIT)
		on_poll_wait(pf, m, &ev->poll_wait, owner);
}

static const struct svg_kind epoll_svg_kinds[] = {
	{ .shape = SVG_BAND,
	  .cls = "wt",
	  .css = ".wt{fill:#f2b134}",
	  .legend = "blocked in epoll_wait/poll",
	  .noun = "epoll/poll waits",
	  .more = "waits",
	  .y0 = 0.5f,
	  .h = 0.5f },
	{ .shape = SVG_ARROW,
	  .cls = "lnk",
	  .css = ".lnk{stroke:#59a14f;stroke-width:1.2}",
	  .legend = "unix send woke the wait",
	  .noun = "send-to-wake links",
	  .more = "links" },
};

static void epoll_svg(void *state, struct svg *sv, const struct model *m, const union psc_event *ev,
		      const struct proc *owner)
{
	size_t i;

	if (ev->hdr.type == PSC_EV_POLL_WAIT) {
		svg_band(sv, m, owner, ev->poll_wait.enter_ns, ev->hdr.ts_ns, &epoll_svg_kinds[0]);
		return;
	}
	if (ev->hdr.type != PSC_EV_EPOLL_WAIT)
		return;
	svg_band(sv, m, owner, ev->epoll_wait.enter_ns, ev->hdr.ts_ns, &epoll_svg_kinds[0]);
	for (i = 0; i < m->nlinks; i++) {
		const struct wake_link *l = &m->links[i];

		svg_arrow(sv, m, proctree_find(m->tree, l->sender_pid, l->sender_start_ns),
			  l->send_ts, owner, ev->hdr.ts_ns, &epoll_svg_kinds[1]);
	}
}

const struct timeline_ops epoll_timeline_ops = {
	.perfetto_event = epoll_perfetto,
	.svg_event = epoll_svg,
	.svg_kinds = epoll_svg_kinds,
	.nsvg_kinds = sizeof(epoll_svg_kinds) / sizeof(epoll_svg_kinds[0]),
};
