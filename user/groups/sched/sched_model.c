// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sched group's model. Snapshots are cumulative, so the newest one of a thread holds all
 * of it: a lost periodic record costs nothing, and an end-of-trace or exit record is exact.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sched_model.h"

struct sched_model *sched_model_new(void)
{
	struct sched_model *sm = calloc(1, sizeof(*sm));

	if (!sm)
		return NULL;
	hmap_init(&sm->procs);
	return sm;
}

static void proc_free(struct sched_proc *sp)
{
	struct sched_thread *th, *next;

	for (th = sp->threads; th; th = next) {
		next = th->next;
		free(th->at_exec);
		free(th);
	}
	free(sp->changes);
	free(sp);
}

void sched_model_free(struct sched_model *sm)
{
	struct sched_proc *sp, *next;

	if (!sm)
		return;
	for (sp = sm->head; sp; sp = next) {
		next = sp->next;
		proc_free(sp);
	}
	hmap_free(&sm->procs);
	free(sm);
}

struct sched_proc *sched_model_find(const struct sched_model *sm, uint32_t pid, uint64_t start_ns)
{
	struct sched_proc *sp = hmap_get(&sm->procs, hmap_key2(pid, start_ns));

	/* the key mixes pid and start: check both, a collision is not the process */
	return sp && sp->pid == pid && sp->start_ns == start_ns ? sp : NULL;
}

static struct sched_proc *proc_get(struct sched_model *sm, const struct proc *owner)
{
	struct sched_proc *sp = sched_model_find(sm, owner->pid, owner->start_ns);

	if (sp)
		return sp;
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return NULL;
	sp->pid = owner->pid;
	sp->start_ns = owner->start_ns;
	sp->p = owner;
	if (hmap_put(&sm->procs, hmap_key2(sp->pid, sp->start_ns), sp)) {
		free(sp);
		return NULL;
	}
	sp->prev = sm->tail;
	if (sm->tail)
		sm->tail->next = sp;
	else
		sm->head = sp;
	sm->tail = sp;
	return sp;
}

static int apply_stats(struct sched_proc *sp, const struct psc_ev_sched_stats *e)
{
	struct sched_thread *th;

	for (th = sp->threads; th; th = th->next)
		if (th->tid == e->hdr.tid)
			break;
	/* a tid reused inside one process after its thread exited is another thread */
	if (th && (th->last.flags & PSC_SCHED_EXITED) && th->last.hdr.ts_ns < e->hdr.ts_ns &&
	    e->first_ns >= th->last.hdr.ts_ns)
		th = NULL;
	if (!th) {
		th = calloc(1, sizeof(*th));
		if (!th)
			return -ENOMEM;
		th->tid = e->hdr.tid;
		th->next = sp->threads;
		sp->threads = th;
		sp->nthreads++;
	} else if (e->hdr.ts_ns < th->last.hdr.ts_ns) {
		return 0; /* an older snapshot than the one we have (out of order across CPUs) */
	}
	th->last = *e;
	if ((e->flags & PSC_SCHED_EXEC) && sp->p && (sp->p->flags & PROC_F_LAUNCHED) &&
	    !th->at_exec) {
		th->at_exec = malloc(sizeof(*th->at_exec));
		if (!th->at_exec)
			return -ENOMEM;
		*th->at_exec = *e;
	}
	return 0;
}

static int apply_prio(struct sched_model *sm, struct model *m, const struct psc_ev_sched_prio *e,
		      const struct proc *caller)
{
	const struct proc *target = caller;
	struct sched_proc *sp;

	if (e->target_tgid)
		target = proctree_find(m->tree, e->target_tgid, e->target_start_ns);
	if (!target)
		return 0; /* a process we do not know: the event itself is still logged */
	sp = proc_get(sm, target);
	if (!sp)
		return -ENOMEM;
	if (sp->nchanges == SCHED_MAX_CHANGES) {
		sp->changes_dropped++;
		return 0;
	}
	if (!sp->changes) {
		sp->changes = calloc(SCHED_MAX_CHANGES, sizeof(*sp->changes));
		if (!sp->changes)
			return -ENOMEM;
	}
	sp->changes[sp->nchanges++] = *e;
	return 0;
}

/* Forget @sp; its run-queue waits stay in the trace-wide histogram */
static void proc_drop(struct sched_model *sm, struct sched_proc *sp)
{
	struct sched_proc **pp;
	struct sched_thread *th;
	unsigned int j;

	for (th = sp->threads; th; th = th->next)
		for (j = 0; j < PSC_SCHED_HIST; j++)
			sm->rq_hist_retired[j + PSC_SCHED_HIST_SHIFT] += th->last.rq_hist[j];
	hmap_del(&sm->procs, hmap_key2(sp->pid, sp->start_ns));
	if (sp->prev)
		sp->prev->next = sp->next;
	else
		sm->head = sp->next;
	if (sp->next)
		sp->next->prev = sp->prev;
	else
		sm->tail = sp->prev;
	if (sp->finished) {
		for (pp = &sm->fin_head; *pp && *pp != sp; pp = &(*pp)->fin_next)
			;
		if (*pp)
			*pp = sp->fin_next;
		if (sm->fin_tail == sp)
			for (sm->fin_tail = sm->fin_head; sm->fin_tail && sm->fin_tail->fin_next;
			     sm->fin_tail = sm->fin_tail->fin_next)
				;
		sm->nfinished--;
	}
	sm->retired++;
	proc_free(sp);
}

/* Every thread of @sp has exited: queue it, and forget the oldest beyond the bound */
static void proc_finished(struct sched_model *sm, struct sched_proc *sp)
{
	const struct sched_thread *th;

	if (sp->finished)
		return;
	for (th = sp->threads; th; th = th->next)
		if (!(th->last.flags & PSC_SCHED_EXITED))
			return;
	sp->finished = true;
	if (sm->fin_tail)
		sm->fin_tail->fin_next = sp;
	else
		sm->fin_head = sp;
	sm->fin_tail = sp;
	sm->nfinished++;
	/* the head is the oldest: unlinking it walks nothing */
	while (sm->nfinished > SCHED_RETAIN_FINISHED)
		proc_drop(sm, sm->fin_head);
}

int sched_model_apply(struct sched_model *sm, struct model *m, const union psc_event *ev,
		      const struct proc *owner)
{
	struct sched_proc *sp;

	switch (ev->hdr.type) {
	case PSC_EV_SCHED_STATS:
		sm->records++;
		sp = proc_get(sm, owner);
		if (!sp || apply_stats(sp, &ev->sched_stats))
			return -ENOMEM;
		if (ev->sched_stats.flags & PSC_SCHED_EXITED)
			proc_finished(sm, sp);
		return 0;
	case PSC_EV_SCHED_PRIO:
		return apply_prio(sm, m, &ev->sched_prio, owner);
	case PSC_EV_SCHED_STATE:
		sp = proc_get(sm, owner);
		if (!sp)
			return -ENOMEM;
		if (ev->sched_state.state == PSC_SST_STOPPED ||
		    ev->sched_state.state == PSC_SST_TRACED)
			sp->stops++;
		else
			sp->conts++;
		return 0;
	default:
		return 0;
	}
}

void sched_model_retire(struct sched_model *sm, const struct proc *p)
{
	struct sched_proc *sp = sched_model_find(sm, p->pid, p->start_ns);

	if (sp)
		proc_drop(sm, sp);
}

void sched_thread_times(const struct sched_thread *th, const struct sched_proc *sp,
			const struct model *m, uint64_t end, uint64_t t_ns[PSC_SST_MAX],
			uint64_t *unknown_ns)
{
	const struct psc_ev_sched_stats *e = &th->last, *x = th->at_exec;
	uint64_t base = m->meta.boottime_base_ns, from;
	unsigned int i;

	for (i = 0; i < PSC_SST_MAX; i++)
		t_ns[i] = e->t_ns[i];
	*unknown_ns = 0;
	if (e->flags & PSC_SCHED_UNSEEN) {
		/*
		 * In one state since since_ns (its own start when all along) to the snapshot; what
		 * came before since_ns in the trace (a wake-up no hook saw) is unknown
		 */
		from = sp->start_ns > base ? sp->start_ns : base;
		*unknown_ns = e->since_ns > from ? e->since_ns - from : 0;
		from = e->since_ns > from ? e->since_ns : from;
		if (e->state < PSC_SST_MAX && e->hdr.ts_ns > from)
			t_ns[e->state] += e->hdr.ts_ns - from;
		return;
	}
	/* a snapshot before the end, of a thread still alive: it stayed in its state since */
	if (!(e->flags & (PSC_SCHED_EXITED | PSC_SCHED_END)) && e->state < PSC_SST_MAX &&
	    e->state != PSC_SST_DEAD && end > e->hdr.ts_ns)
		t_ns[e->state] += end - e->hdr.ts_ns;
	if (x) {
		/* the launched command: its time before the exec was procscope's hold */
		for (i = 0; i < PSC_SST_MAX; i++)
			t_ns[i] = t_ns[i] > x->t_ns[i] ? t_ns[i] - x->t_ns[i] : 0;
		return;
	}
	if (!(e->flags & PSC_SCHED_FORKED) && e->first_ns) {
		from = sp->start_ns > base ? sp->start_ns : base;
		*unknown_ns = e->first_ns > from ? e->first_ns - from : 0;
	}
}

void sched_proc_totals(const struct sched_proc *sp, const struct model *m, uint64_t end,
		       struct sched_totals *t)
{
	const struct sched_thread *th, *leader = NULL;
	uint64_t base = m->meta.boottime_base_ns, from, to = end;
	unsigned int i;

	memset(t, 0, sizeof(*t));
	t->leader_state = PSC_SST_UNKNOWN;
	for (th = sp->threads; th; th = th->next) {
		uint64_t times[PSC_SST_MAX], unknown;

		sched_thread_times(th, sp, m, end, times, &unknown);
		for (i = 0; i < PSC_SST_MAX; i++)
			t->t_ns[i] += times[i];
		t->unknown_ns += unknown;
		t->lost_ns += th->last.lost_ns;
		t->voluntary += th->last.nvcsw;
		t->involuntary += th->last.nivcsw;
		t->migrations += th->last.nmigrate;
		t->cpus |= th->last.cpus;
		t->rq_waits += th->last.nwait;
		if (th->last.rq_max_ns > t->rq_max_ns)
			t->rq_max_ns = th->last.rq_max_ns;
		for (i = 0; i < PSC_SCHED_HIST; i++)
			t->rq_hist[i + PSC_SCHED_HIST_SHIFT] += th->last.rq_hist[i];
		if (th->tid == sp->pid && (!leader || th->last.hdr.ts_ns > leader->last.hdr.ts_ns))
			leader = th;
		t->threads++;
		t->known = true;
	}
	th = leader ? leader : sp->threads;
	if (th) {
		t->nice = th->last.nice;
		t->policy = th->last.policy;
	}
	if (leader)
		t->leader_state = leader->last.state;
	from = sp->start_ns > base ? sp->start_ns : base;
	if (sp->p && proc_held_ns(sp->p))
		from = sp->start_ns + proc_held_ns(sp->p);
	if (sp->p) {
		if (sp->p->flags & PROC_F_EXITED)
			to = sp->p->exit_ts;
		t->zombie_ns = proc_zombie_ns(sp->p, end);
	}
	t->window_ns = to > from ? to - from : 0;
}

static char stat_letter(const struct sched_proc *sp, const struct sched_totals *t)
{
	static const char letters[PSC_SST_MAX] = {
		[PSC_SST_RUNNING] = 'R', [PSC_SST_RUNNABLE] = 'R', [PSC_SST_SLEEP] = 'S',
		[PSC_SST_BLOCKED] = 'D', [PSC_SST_STOPPED] = 'T',  [PSC_SST_TRACED] = 't',
		[PSC_SST_DEAD] = 'Z',	 [PSC_SST_PARKED] = 'P',   [PSC_SST_IDLE] = 'I',
	};

	if (sp->p && sp->p->state == PROC_REAPED)
		return '-';
	if (sp->p && sp->p->state == PROC_ZOMBIE)
		return 'Z';
	return t->leader_state < PSC_SST_MAX ? letters[t->leader_state] : '?';
}

const char *sched_stat_str(const struct sched_proc *sp, const struct sched_totals *t, char *buf,
			   size_t size)
{
	size_t n = 0;
	char c = stat_letter(sp, t);

	if (size < 8)
		return "?";
	buf[n++] = c;
	if (c != '-' && c != 'Z' && c != '?') {
		if (t->nice < 0)
			buf[n++] = '<';
		else if (t->nice > 0)
			buf[n++] = 'N';
		if (t->threads > 1)
			buf[n++] = 'l';
	}
	buf[n] = '\0';
	return buf;
}
