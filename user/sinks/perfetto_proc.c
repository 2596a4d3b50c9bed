// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The process group on the Perfetto timeline: a lifetime slice per process (written at exit, or
 * at the end, and stretched to cover what was placed inside it), the zombie interval as an async
 * slice (its own track, so it never has to nest with the lifetime), fork/exec/exit/reap/orphan
 * instants and the fork arrow. Only processes in the picture (timeline_in_scope()) get here.
 */
#include <string.h>
#include "format.h"
#include "perfetto_int.h"

/* A fixed-size string field as a C string (the tree's and decode's copies end in NUL anyway) */
static const char *field_str(const char *s, size_t max, char *buf, size_t size)
{
	size_t n = strnlen(s, max);

	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static void kv_argv(struct jw *w, const char *key, const char *args, uint32_t len)
{
	uint32_t i = 0;

	jw_key(w, key);
	jw_arr_start(w);
	while (i < len) {
		size_t n = strnlen(args + i, len - i);

		jw_strn(w, args + i, n);
		i += (uint32_t)n + 1;
	}
	jw_arr_end(w);
}

/* The lifetime slice of @p, from its start to @end (rel ns), on its main-thread track */
static void write_life(struct perfetto *pf, const struct model *m, const struct proc *p,
		       uint64_t end, const char *how)
{
	struct pf_thread *t = pf_thread(pf, m, p, p->pid);
	uint64_t a = timeline_rel(m, p->start_ns), b = end;
	char st[64], comm[PSC_COMM_LEN + 1];
	struct jw *w;

	if (!t)
		return;
	if (t->max_end >= b)
		b = t->max_end + 1; /* never cut what was placed inside */
	if (b < a)
		b = a;
	field_str(p->comm, PSC_COMM_LEN, comm, sizeof(comm));
	w = pf_begin(pf, "X", comm[0] ? comm : "?", "proc", pf_pid(pf, p), p->pid, a);
	pf_kv_us(w, "dur", b - a);
	jw_kv_str(w, "cname", "thread_state_running");
	pf_args(w);
	jw_kv_u64(w, "pid", p->pid);
	jw_kv_str(w, "comm", comm);
	if (p->fork_parent)
		pf_kv_proc(w, "forked_by", p->fork_parent);
	if (p->parent && p->parent != p->fork_parent)
		pf_kv_proc(w, "parent", p->parent);
	if (p->filename)
		jw_kv_str(w, "filename", p->filename);
	if (p->args)
		kv_argv(w, "argv", p->args, p->args_len);
	jw_kv_u64(w, "execs", p->nr_execs);
	if (p->flags & PROC_F_EXITED)
		jw_kv_str(w, "end", wstatus_describe(p->exit_status, st, sizeof(st)));
	else
		jw_kv_str(w, "end", how);
	if (p->start_ns < m->meta.boottime_base_ns)
		jw_kv_bool(w, "started_before_trace", true);
	if (p->flags & PROC_F_ORPHANED) {
		pf_kv_proc(w, "orphan_of", p->old_parent);
		pf_kv_proc(w, "adopted_by", p->parent);
	}
	if (p->threads_total)
		jw_kv_u64(w, "threads_created", p->threads_total);
	jw_obj_end(w);
	pf_end(pf);
}

static void write_zombie(struct perfetto *pf, const struct model *m, const struct proc *p,
			 const char *ph, uint64_t ts)
{
	struct jw *w = ph[0] == 'b' ?
			       pf_async_begin(pf, p, "zombie", "proc", (uint64_t)p->seq + 1, ts) :
			       pf_async_end(pf, p, "zombie", "proc", (uint64_t)p->seq + 1, ts);

	if (ph[0] == 'b') {
		jw_kv_str(w, "cname", "terrible");
		pf_args(w);
		pf_kv_proc(w, "must_be_reaped_by", p->parent);
		jw_obj_end(w);
	} else {
		pf_args(w);
		if (p->state == PROC_ZOMBIE)
			jw_kv_str(w, "reaped_by", "(still a zombie at the end of the trace)");
		else if (p->flags & PROC_F_REAP_BY_FREE)
			jw_kv_str(w, "reaped_by",
				  "(released by the kernel: the wait was not traced)");
		else
			pf_kv_proc(w, "reaped_by", p->reaper);
		jw_obj_end(w);
	}
	pf_end(pf);
}

/*
 * Bring the written record of @p up to its state in the tree: the lifetime slice once it ended
 * (or at the end of the trace), the zombie interval's begin and end.
 */
void pf_sync_proc(struct perfetto *pf, const struct model *m, const struct proc *p, bool at_end)
{
	struct pf_proc *pp = p ? pf_proc(pf, p) : NULL;
	bool exited;

	if (!pp)
		return;
	exited = p->flags & PROC_F_EXITED;
	if (!(pp->flags & PFP_LIFE)) {
		if (exited) {
			write_life(pf, m, p, timeline_rel(m, p->exit_ts), "");
			pp->flags |= PFP_LIFE;
		} else if (p->state == PROC_REAPED) {
			write_life(pf, m, p, timeline_rel(m, p->reap_ts), "gone (exit not traced)");
			pp->flags |= PFP_LIFE;
		} else if (p->state == PROC_ZOMBIE) {
			pp->flags |= PFP_LIFE; /* a zombie already when the trace began */
		} else if (at_end) {
			write_life(pf, m, p, timeline_rel(m, m->end_ts), "still running");
			pp->flags |= PFP_LIFE;
		}
	}
	/*
	 * a reap that was also the first sign of the exit has no zombie interval to show, nor has
	 * the command procscope launched (procscope reaps it as it exits: the tracer's time)
	 */
	if (!(pp->flags & (PFP_ZOMBIE_OPEN | PFP_ZOMBIE_DONE)) && !proc_parent_is_tracer(p) &&
	    ((exited && !(p->flags & PROC_F_AUTOREAP) &&
	      (p->state == PROC_ZOMBIE || (p->state == PROC_REAPED && p->reap_ts > p->exit_ts))) ||
	     (!exited && p->state == PROC_ZOMBIE))) {
		write_zombie(pf, m, p, "b", exited ? timeline_rel(m, p->exit_ts) : 0);
		pp->flags |= PFP_ZOMBIE_OPEN;
	}
	if ((pp->flags & PFP_ZOMBIE_OPEN) && (p->state == PROC_REAPED || at_end)) {
		uint64_t b = exited ? timeline_rel(m, p->exit_ts) : 0;
		uint64_t e = p->state == PROC_REAPED ? timeline_rel(m, p->reap_ts) :
						       timeline_rel(m, m->end_ts);

		write_zombie(pf, m, p, "e", e > b ? e : b);
		pp->flags = (pp->flags & ~PFP_ZOMBIE_OPEN) | PFP_ZOMBIE_DONE;
	}
}

static void on_proc_fork(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_proc_fork *e, const struct proc *child)
{
	const struct proc *caller = proctree_find(m->tree, e->hdr.tgid, e->hdr.start_ns);
	struct pf_thread *kt;
	uint64_t ts = timeline_rel(m, e->hdr.ts_ns), s_ts, f_ts;
	char b[64];
	struct jw *w;

	if ((e->flags & PSC_FORK_THREAD) || !child)
		return;
	w = pf_instant(pf, child, child->pid, ts, "fork", "proc");
	pf_args(w);
	pf_kv_proc(w, "forked_by", child->fork_parent);
	jw_obj_end(w);
	pf_end(pf);
	if (!caller || caller == child || !timeline_in_scope(&pf->procs, m, caller))
		return;
	kt = pf_thread(pf, m, child, child->pid);
	/* the arrow starts in a marker on the forking thread, ends in the child's lifetime */
	w = pf_mark(pf, m, caller, e->hdr.tid, ts, "fork child", "proc", &s_ts);
	if (!kt || !w)
		return;
	pf_args(w);
	jw_kv_str(w, "child", pf_proc_name(child, b, sizeof(b)));
	jw_obj_end(w);
	pf_end(pf);
	f_ts = s_ts + 1; /* after the start: importers drop flows that end before they begin */
	if (f_ts <= timeline_rel(m, child->start_ns))
		f_ts = timeline_rel(m, child->start_ns) + 1;
	pf_flow(pf, "fork", "proc", caller, e->hdr.tid, s_ts, child, child->pid, f_ts);
	if (kt->floor <= f_ts)
		kt->floor = f_ts + 1;
	if (kt->max_end < f_ts)
		kt->max_end = f_ts;
}

static void on_proc_exec(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_proc_exec *e, const struct proc *p)
{
	struct jw *w;

	if (!p)
		return;
	w = pf_instant(pf, p, p->pid, timeline_rel(m, e->hdr.ts_ns), "exec", "proc");
	pf_args(w);
	jw_kv_strn(w, "comm", e->comm, strnlen(e->comm, sizeof(e->comm)));
	jw_kv_strn(w, "filename", e->filename, strnlen(e->filename, sizeof(e->filename)));
	kv_argv(w, "argv", e->args, e->args_len < PSC_ARGS_LEN ? e->args_len : PSC_ARGS_LEN);
	if (e->flags & PSC_EXEC_ARGS_TRUNC)
		jw_kv_bool(w, "argv_truncated", true);
	if (e->old_tid != e->hdr.tgid)
		jw_kv_u64(w, "exec_by_thread", e->old_tid);
	jw_obj_end(w);
	pf_end(pf);
}

static void on_proc_exit(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_proc_exit *e, const struct proc *p)
{
	char st[64];
	struct jw *w;

	if (!p)
		return;
	if (!(e->flags & PSC_EXIT_GROUP_DEAD)) {
		pf_thread_gone(pf, p, e->hdr.tid);
		return;
	}
	w = pf_instant(pf, p, p->pid, timeline_rel(m, e->hdr.ts_ns),
		       wstatus_describe(e->exit_code, st, sizeof(st)), "proc");
	pf_args(w);
	jw_kv_u64(w, "wait_status", e->exit_code);
	if (e->flags & PSC_EXIT_AUTOREAP)
		jw_kv_bool(w, "autoreaped", true);
	jw_obj_end(w);
	pf_end(pf);
	pf_sync_proc(pf, m, p, false);
}

static void on_proc_reap(struct perfetto *pf, const struct model *m, const union psc_event *ev,
			 const struct proc *p)
{
	const struct proc *waiter;
	char d[32];
	struct jw *w;

	if (!p)
		return;
	if (ev->hdr.type == PSC_EV_PROC_REAP) {
		waiter = proctree_find(m->tree, ev->hdr.tgid, ev->hdr.start_ns);
		/* procscope reaping its command, or any waiter outside the picture, is not drawn */
		if (waiter && timeline_in_scope(&pf->procs, m, waiter)) {
			w = pf_instant(pf, waiter, ev->hdr.tid, timeline_rel(m, ev->hdr.ts_ns),
				       "reap", "proc");
			pf_args(w);
			pf_kv_proc(w, "child", p);
			jw_kv_str(w, "zombie_for",
				  duration_fmt(proc_zombie_ns(p, 0), d, sizeof(d)));
			jw_obj_end(w);
			pf_end(pf);
		}
	}
	pf_sync_proc(pf, m, p, false);
}

void pf_proc_orphan(struct perfetto *pf, const struct model *m, const struct proc *child,
		    const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct jw *w;

	w = pf_instant(pf, child, child->pid, timeline_rel(m, ts), "orphaned", "proc");
	pf_args(w);
	pf_kv_proc(w, "old_parent", old_parent);
	pf_kv_proc(w, "adopted_by", new_parent);
	jw_kv_bool(w, "subreaper", child->flags & PROC_F_ADOPTED_BY_SUBREAPER);
	jw_obj_end(w);
	pf_end(pf);
}

void pf_proc_event(struct perfetto *pf, const struct model *m, const union psc_event *ev,
		   const struct proc *subject)
{
	switch (ev->hdr.type) {
	case PSC_EV_PROC_FORK:
		on_proc_fork(pf, m, &ev->fork, subject);
		break;
	case PSC_EV_PROC_EXEC:
		on_proc_exec(pf, m, &ev->exec, subject);
		break;
	case PSC_EV_PROC_EXIT:
		on_proc_exit(pf, m, &ev->exit, subject);
		break;
	case PSC_EV_PROC_REAP:
	case PSC_EV_PROC_FREE:
		on_proc_reap(pf, m, ev, subject);
		break;
	case PSC_EV_PROC_SEED:
		pf_sync_proc(pf, m, subject,
			     false); /* a zombie already: its interval starts at 0 */
		break;
	default:
		break;
	}
}
