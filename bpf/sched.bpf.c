// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sched group: where a traced thread's time goes (running, runnable, S, D, T...), counted
 * in task storage at each context switch (include/psc_sched.h), and sent as one sched_stats
 * record per thread at its exit, every cfg_sched_period_ns while it keeps switching, and at
 * the end of the trace (the task iterator). A context switch of a traced thread costs no
 * record; one of an untraced thread returns after a storage miss and the filter. No hook runs
 * at a wake-up: the switch-in reads when it happened from the kernel's own sched_info.
 */
#include "common.bpf.h"

/* Set by the loader (the sched group's own knob: other groups never read it) */
const volatile __u64 cfg_sched_period_ns = 1000000000ull;
/* Timeline mode: a sched_slice record per run of a traced thread */
const volatile __u32 cfg_sched_slices = 0;

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct psc_sched_acct);
} schedacct SEC(".maps");

/* The thread's accounting, created on first sight when the filter wants its process */
static __always_inline struct psc_sched_acct *acct_of(struct task_struct *t)
{
	struct psc_sched_acct *a;

	/* the idle threads (pid 0) are no process */
	if (!t->pid)
		return NULL;
	/* system-wide every task but procscope's is wanted: one call finds or creates */
	if (cfg_filter_mode == PSC_FILTER_ALL) {
		if (t->tgid == cfg_self_tgid)
			return NULL;
		return bpf_task_storage_get(&schedacct, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	}
	/* tree mode: an untracked process's task has no storage, and one load says so */
	if (!psc_tracked_hinted(t->tgid))
		return NULL;
	a = bpf_task_storage_get(&schedacct, t, 0, 0);
	if (a || !psc_task_wanted(t))
		return a;
	return bpf_task_storage_get(&schedacct, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* The kernel's run-queue delay total of @t (sched_info.run_delay; 0 without CONFIG_SCHED_INFO) */
static __always_inline __u64 run_delay_of(struct task_struct *t)
{
	if (!bpf_core_field_exists(t->sched_info))
		return 0;
	return t->sched_info.run_delay;
}

/*
 * How long @t has waited on its run queue (that queue's clock, now, less the time it was queued
 * there; 0 when not queued). The run queue comes through its CFS queue (CONFIG_FAIR_GROUP_SCHED);
 * without it, or without CONFIG_SCHED_INFO, 0: the wait is then counted as the sleep's. Plain
 * loads (psc_ro): a probe-read helper per field cost the switch hook ~250 ns.
 */
static __always_inline __u64 queued_of(struct task_struct *t)
{
	__u64 lq, clock;

	if (!bpf_core_field_exists(t->sched_info) || !bpf_core_field_exists(struct cfs_rq, rq))
		return 0;
	lq = t->sched_info.last_queued;
	if (!lq)
		return 0;
	clock = psc_ro(struct cfs_rq, psc_ro(struct task_struct, t)->se.cfs_rq)->rq->clock;
	return clock > lq ? clock - lq : 0;
}

static __always_inline void fill_prio(struct task_struct *t, struct psc_ev_sched_stats *e)
{
	e->nice = (__s32)t->static_prio - 120;
	e->policy = t->policy;
	e->rt_prio = t->rt_priority;
}

static __always_inline void emit_stats(struct task_struct *t, struct psc_sched_acct *a, __u64 now)
{
	struct psc_ev_sched_stats *e;

	e = psc_emit_reserve_task(t, sizeof(*e), PSC_EV_SCHED_STATS);
	if (!e)
		return;
	e->hdr.ts_ns = now;
	psc_sched_snapshot(a, now, e);
	fill_prio(t, e);
	psc_submit(e);
	a->last_emit_ns = now;
}

static __always_inline void emit_state(struct task_struct *t, __u32 state, __u32 prev_state,
				       __u64 prev_ns, __u32 cpu)
{
	struct psc_ev_sched_state *e;

	e = psc_emit_reserve_task(t, sizeof(*e), PSC_EV_SCHED_STATE);
	if (!e)
		return;
	e->state = state;
	e->prev_state = prev_state;
	e->prev_ns = prev_ns;
	e->cpu = cpu;
	psc_submit(e);
}

/*
 * The run in @sl, if timeline mode is on and the accounting found one (run_ns set); its
 * hdr.ts_ns is when the run ended (earlier than now for a run inferred after a miss)
 */
static __always_inline void emit_slice(struct task_struct *t, const struct psc_ev_sched_slice *sl)
{
	struct psc_ev_sched_slice *e;

	if (!cfg_sched_slices || !sl->run_ns)
		return;
	e = psc_emit_reserve_task(t, sizeof(*e), PSC_EV_SCHED_SLICE);
	if (!e)
		return;
	e->hdr.ts_ns = sl->hdr.ts_ns;
	e->off_ns = sl->off_ns;
	e->wake_ns = sl->wake_ns;
	e->run_ns = sl->run_ns;
	e->off_state = sl->off_state;
	e->next_state = sl->next_state;
	e->cpu = sl->cpu;
	e->flags = sl->flags;
	psc_submit(e);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(tp_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	struct psc_sched_acct *a;
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 now = 0;

	a = acct_of(prev);
	if (a && !(a->flags & PSC_SCHED_EXITED)) {
		struct psc_ev_sched_slice sl;
		__u32 st;

		now = bpf_ktime_get_boot_ns();
		sl.run_ns = 0;
		st = psc_sched_switch_out(a, now, cpu, preempt, prev_state, prev->exit_state,
					  prev->se.sum_exec_runtime, run_delay_of(prev),
					  cfg_sched_slices ? &sl : NULL);
		emit_slice(prev, &sl);
		if (st == PSC_SST_STOPPED || st == PSC_SST_TRACED)
			emit_state(prev, st, PSC_SST_RUNNING, 0, cpu);
		if (now - a->last_emit_ns >= cfg_sched_period_ns)
			emit_stats(prev, a, now);
	}
	a = acct_of(next);
	if (a && !(a->flags & PSC_SCHED_EXITED)) {
		struct psc_ev_sched_slice sl;
		__u64 rd = 0, queued = 0, since = a->since_ns;
		__u32 old;

		if (!now)
			now = bpf_ktime_get_boot_ns();
		if (psc_sched_asleep(a)) {
			rd = run_delay_of(next);
			queued = queued_of(next);
		}
		sl.run_ns = 0;
		old = psc_sched_switch_in(a, now, cpu, next->se.sum_exec_runtime, rd, queued,
					  cfg_sched_slices ? &sl : NULL);
		emit_slice(next, &sl);
		/* continued (SIGCONT, a ptracer): said when it runs again, with the time stopped */
		if (old == PSC_SST_STOPPED || old == PSC_SST_TRACED)
			emit_state(next, PSC_SST_RUNNABLE, old, a->wake_ns - since, cpu);
	}
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(tp_sched_wakeup_new, struct task_struct *p)
{
	struct psc_sched_acct *a = acct_of(p);

	if (a)
		psc_sched_wakeup_new(a, bpf_ktime_get_boot_ns());
	return 0;
}

/* A thread's last record: its totals, closed at its exit (the zombie time is the proc group's) */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_sched_exit, struct task_struct *task)
{
	struct psc_sched_acct *a = acct_of(task);
	struct psc_ev_sched_slice sl;
	__u64 now;

	if (!a || (a->flags & PSC_SCHED_EXITED))
		return 0;
	now = bpf_ktime_get_boot_ns();
	sl.run_ns = 0;
	psc_sched_exit(a, now, bpf_get_smp_processor_id(), task->se.sum_exec_runtime,
		       run_delay_of(task), cfg_sched_slices ? &sl : NULL);
	emit_slice(task, &sl);
	emit_stats(task, a, now);
	return 0;
}

/*
 * A snapshot at exec: the command procscope launches is held before its exec, and that hold is
 * procscope's doing, not the program's; the model subtracts what came before.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_sched_exec, struct task_struct *task)
{
	struct psc_sched_acct *a = acct_of(task);
	__u64 now;

	if (!a || (a->flags & PSC_SCHED_EXITED))
		return 0;
	now = bpf_ktime_get_boot_ns();
	a->flags |= PSC_SCHED_EXEC;
	emit_stats(task, a, now);
	a->flags &= ~PSC_SCHED_EXEC;
	return 0;
}

/*
 * Run by the loader at the end of the trace: one record per live traced thread, with its
 * open interval closed now. A traced thread never switched in or out during the trace has no
 * storage: its state now is the state it had all along (any change but a wake-up would have run
 * the switch hook; one woken and still waiting for a CPU is reported runnable all along).
 */
SEC("iter/task")
int sched_flush(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct psc_ev_sched_stats *e;
	struct psc_sched_acct *a;
	__u64 now;

	if (!t || !t->pid || !psc_task_wanted(t))
		return 0;
	now = bpf_ktime_get_boot_ns();
	a = bpf_task_storage_get(&schedacct, t, 0, 0);
	if (a) {
		if (!(a->flags & PSC_SCHED_EXITED)) {
			/* woken, still waiting for a CPU: its wake-up as a switch-in would see it */
			if (psc_sched_asleep(a) && t->__state == 0)
				psc_sched_woken(a, now, 0, run_delay_of(t), queued_of(t));
			a->flags |= PSC_SCHED_END;
			emit_stats(t, a, now);
		}
		return 0;
	}
	if (t->exit_state)
		return 0;
	e = psc_emit_reserve_task(t, sizeof(*e), PSC_EV_SCHED_STATS);
	if (!e)
		return 0;
	e->hdr.ts_ns = now;
	e->flags = PSC_SCHED_END | PSC_SCHED_UNSEEN;
	e->since_ns = t->start_boottime;
	e->state = t->on_cpu ?
			   PSC_SST_RUNNING :
			   psc_sched_from_index(psc_task_state_index(t->__state, t->exit_state));
	/*
	 * Queued, not running: woken (or preempted) as long ago as its open wait says, and what it
	 * did before is unknown (no hook runs at a wake-up). Not runnable all along.
	 */
	if (e->state == PSC_SST_RUNNABLE) {
		__u64 q = queued_of(t);

		if (q && now > q && now - q > e->since_ns)
			e->since_ns = now - q;
	}
	e->first_state = PSC_SST_UNKNOWN;
#ifdef __TARGET_ARCH_x86
	e->cpu = t->thread_info.cpu;
#else
	e->cpu = BPF_CORE_READ(t, cpu);
#endif
	fill_prio(t, e);
	psc_submit(e);
	return 0;
}
