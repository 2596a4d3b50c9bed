/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ring-buffer ABI of the sched group (process states, CPU time, priority), and the per-thread
 * state accounting the BPF side runs at each context switch and wake-up. The accounting is
 * here, in plain inline C, so the unit tests run the very code the kernel side runs.
 * Included by psc_events.h only.
 */
#ifndef __PSC_SCHED_H
#define __PSC_SCHED_H

#ifdef __bpf__
#define PSC_SCHED_INLINE static __always_inline
/* hide a value's range from clang, so the bounds check the verifier needs stays in */
#define PSC_SCHED_OPAQUE(x) asm volatile("" : "+r"(x))
#else
#define PSC_SCHED_INLINE static inline
#define PSC_SCHED_OPAQUE(x) ((void)0)
#endif

/* Where a thread's time goes: the slots of t_ns[], and the state field */
enum psc_sched_state {
	PSC_SST_RUNNING = 0, /* on a CPU */
	PSC_SST_RUNNABLE = 1, /* ready, waiting for a CPU (run-queue latency) */
	PSC_SST_SLEEP = 2, /* S: interruptible sleep */
	PSC_SST_BLOCKED = 3, /* D: uninterruptible (also frozen, rt-lock waits) */
	PSC_SST_STOPPED = 4, /* T: SIGSTOP, SIGTSTP... */
	PSC_SST_TRACED = 5, /* t: stopped by a ptracer */
	PSC_SST_DEAD = 6, /* X/Z: after its exit */
	PSC_SST_PARKED = 7, /* P: a parked kernel thread */
	PSC_SST_IDLE = 8, /* I: an idle kernel thread (D without load) */
	PSC_SST_MAX = 9,
	PSC_SST_LOST = 9, /* slot of t_ns[] (accounting only): a hook's update was missed */
	PSC_SST_UNKNOWN = 15, /* not seen yet */
	PSC_SST_SLOTS = 16,
};

/*
 * Run-queue latency, log2 of ns: bucket j counts waits of [2^(j+9), 2^(j+10)) ns; bucket 0
 * also the shorter ones, the last one also the longer ones.
 */
#define PSC_SCHED_HIST 24
#define PSC_SCHED_HIST_SHIFT 9

#define PSC_SCHED_FORKED (1u << 0) /* accounted from its wake-up after fork: nothing unknown */
#define PSC_SCHED_EXITED (1u << 1) /* final record of a thread at its exit */
#define PSC_SCHED_END (1u << 2) /* taken at the end of the trace (a still-live thread) */
#define PSC_SCHED_UNSEEN (1u << 3) /* never switched in or out during the trace (END only) */
#define PSC_SCHED_EXEC (1u << 4) /* taken at its exec (what came before belongs to the old image) */

/* Per-thread accounting (BPF task storage) */
struct psc_sched_acct {
	__u64 first_ns; /* first seen: accounting starts here; 0 = not yet */
	__u64 since_ns; /* the current state began */
	__u64 last_emit_ns; /* last periodic record */
	/* closed intervals per state; 16 slots so that a masked index is in bounds for the verifier */
	__u64 t_ns[PSC_SST_SLOTS];
	__u64 cpus; /* bit per CPU it ran on (CPU 63 and up share bit 63) */
	__u64 rq_max_ns; /* longest runnable wait */
	__u32 rq_hist[PSC_SCHED_HIST];
	__u32 state; /* PSC_SST_* */
	__u32 first_state; /* what it was doing when first seen */
	__u32 nvcsw; /* voluntary switches (blocked), as /proc/PID/status counts them */
	__u32 nivcsw; /* involuntary (preempted, yielded) */
	__u32 nwait; /* runnable waits in rq_hist */
	__u32 nmigrate; /* runs on another CPU than the previous one */
	__u32 cpu; /* last CPU */
	__u32 flags; /* PSC_SCHED_* */
	__u32 nmissed; /* a switch whose update was missed, repaired as told below */
	__u32 off_state; /* the state it left the CPU in (for slices) */
	__u64 off_ns; /* when it last left the CPU; 0 = unknown */
	__u64 wake_ns; /* when it last became runnable; 0 = unknown */
	__u64 exec_ns; /* the kernel's sum_exec_runtime at its last switch-out */
	__u32 exec_known; /* exec_ns is valid (a switch-out was seen, or it was forked) */
	__u32 __pad2;
	__u64 rd_out; /* the kernel's run-queue delay total (sched_info.run_delay) then */
};

/* Periodic, exit and end-of-trace snapshot of one thread: hdr.tid; totals up to hdr.ts_ns */
struct psc_ev_sched_stats {
	struct psc_ev_hdr hdr;
	__u64 first_ns; /* accounting began (0: unseen, since the trace or the thread began) */
	__u64 since_ns; /* current state since; UNSEEN: the thread's start, or when it was queued */
	__u64 t_ns[PSC_SST_MAX]; /* per state, the current one counted up to hdr.ts_ns */
	__u64 cpus;
	__u64 rq_max_ns;
	__u32 rq_hist[PSC_SCHED_HIST];
	__u32 state; /* PSC_SST_* now (PSC_SST_DEAD at exit) */
	__u32 first_state;
	__u32 nvcsw;
	__u32 nivcsw;
	__u32 nwait;
	__u32 nmigrate;
	__u32 nmissed;
	__u32 flags; /* PSC_SCHED_* */
	__u64 lost_ns; /* time whose state is unknown because a hook's update was missed */
	__s32 nice; /* now */
	__u32 policy; /* SCHED_OTHER 0, FIFO 1, RR 2, BATCH 3, IDLE 5, DEADLINE 6 */
	__u32 rt_prio; /* rt_priority (FIFO, RR) */
	__u32 cpu; /* last CPU */
};

/*
 * A slice whose run was not seen whole: a hook of its switch-in or switch-out was missed, and
 * the run's start (or end) comes from the kernel's CPU clock (sum_exec_runtime)
 */
#define PSC_SLICE_INFERRED (1u << 0)

/*
 * One run on a CPU and the off-CPU time before it (timeline mode only: --sched-slices,
 * --perfetto, --svg): [off_ns, wake_ns) in off_state, [wake_ns, run_ns) runnable,
 * [run_ns, hdr.ts_ns) running on cpu, then next_state. 0 times are unknown.
 */
struct psc_ev_sched_slice {
	struct psc_ev_hdr hdr;
	__u64 off_ns;
	__u64 wake_ns;
	__u64 run_ns;
	__u32 off_state; /* PSC_SST_* */
	__u32 next_state; /* PSC_SST_* entered at hdr.ts_ns (UNKNOWN after a missed switch-out) */
	__u32 cpu;
	__u32 flags; /* PSC_SLICE_* */
};

/* Which syscall changed a priority */
enum psc_prio_call {
	PSC_PRIO_SETPRIORITY = 1,
	PSC_PRIO_NICE = 2,
	PSC_PRIO_SCHED_SETATTR = 3,
	PSC_PRIO_SCHED_SETSCHEDULER = 4,
	PSC_PRIO_SCHED_SETPARAM = 5,
};

#define PSC_PRIO_OLD_KNOWN (1u << 0) /* old_* read before the call */
#define PSC_PRIO_NEW_KNOWN (1u << 1) /* new_* read after it */

/*
 * A priority change (or a refused one): hdr is the caller. One target thread when the call
 * names one (setpriority PRIO_PROCESS, sched_*: a tid, 0 = the caller); target_tid 0 for
 * PRIO_PGRP / PRIO_USER, whose targets are not listed.
 */
struct psc_ev_sched_prio {
	struct psc_ev_hdr hdr;
	__u64 target_start_ns; /* target's leader start_boottime */
	__u32 target_tgid;
	__u32 target_tid;
	__u32 call; /* PSC_PRIO_* */
	__u32 which; /* setpriority: PRIO_PROCESS 0, PGRP 1, USER 2 */
	__u32 who; /* the pid/pgid/uid argument as given */
	__s32 req_nice; /* setpriority value, nice increment, sched_attr.sched_nice */
	__s32 req_policy; /* sched_setscheduler/setattr policy; -1 none */
	__s32 req_rt_prio; /* sched_param.sched_priority; -1 none */
	__s32 old_nice;
	__s32 new_nice;
	__u32 old_policy;
	__u32 new_policy;
	__u32 old_rt_prio;
	__u32 new_rt_prio;
	__s32 ret; /* 0 or -errno (EACCES: an unprivileged nice below the current) */
	__u32 flags; /* PSC_PRIO_* */
};

/* A thread stopped (T, t) or was continued: hdr is that thread */
struct psc_ev_sched_state {
	struct psc_ev_hdr hdr;
	__u64 prev_ns; /* time spent in prev_state (0 if unknown) */
	__u32 state; /* PSC_SST_* now: STOPPED/TRACED, or RUNNABLE when continued */
	__u32 prev_state; /* PSC_SST_* before */
	__u32 cpu;
	__u32 __pad;
};

_Static_assert(sizeof(struct psc_sched_acct) == 344, "psc_sched_acct layout");
_Static_assert(sizeof(struct psc_ev_sched_slice) == 72, "psc_ev_sched_slice ABI");
_Static_assert(sizeof(struct psc_ev_sched_stats) == 288, "psc_ev_sched_stats ABI");
_Static_assert(sizeof(struct psc_ev_sched_prio) == 104, "psc_ev_sched_prio ABI");
_Static_assert(sizeof(struct psc_ev_sched_state) == 56, "psc_ev_sched_state ABI");

/*
 * The kernel's task state bits (include/linux/sched.h; not in BTF) and its
 * __task_state_index(): the index into "RSDTtXZPI", as /proc and ps show it.
 */
#define PSC_TASK_REPORT 0x7f /* S D T t X Z P */
#define PSC_TASK_IDLE 0x402 /* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
#define PSC_TASK_RTLOCK_WAIT 0x1000
#define PSC_TASK_FROZEN 0x8000

PSC_SCHED_INLINE __u32 psc_fls(__u32 v)
{
	__u32 r = 0;

	if (v & 0xffff0000) {
		v >>= 16;
		r += 16;
	}
	if (v & 0xff00) {
		v >>= 8;
		r += 8;
	}
	if (v & 0xf0) {
		v >>= 4;
		r += 4;
	}
	if (v & 0xc) {
		v >>= 2;
		r += 2;
	}
	if (v & 0x2) {
		v >>= 1;
		r += 1;
	}
	return r + (v & 1);
}

/* __task_state_index(): 0 R, 1 S, 2 D, 3 T, 4 t, 5 X, 6 Z, 7 P, 8 I */
PSC_SCHED_INLINE __u32 psc_task_state_index(__u32 state, __u32 exit_state)
{
	__u32 s = (state | exit_state) & PSC_TASK_REPORT;

	if ((state & PSC_TASK_IDLE) == PSC_TASK_IDLE)
		s = PSC_TASK_REPORT + 1;
	/* the kernel reports rt-lock waits and frozen tasks as uninterruptible */
	if ((state & PSC_TASK_RTLOCK_WAIT) || (state & PSC_TASK_FROZEN))
		s = 2;
	return psc_fls(s);
}

/* A state index as one of our states (R counts as runnable: the caller knows if it runs) */
PSC_SCHED_INLINE __u32 psc_sched_from_index(__u32 idx)
{
	switch (idx) {
	case 0:
		return PSC_SST_RUNNABLE;
	case 1:
		return PSC_SST_SLEEP;
	case 2:
		return PSC_SST_BLOCKED;
	case 3:
		return PSC_SST_STOPPED;
	case 4:
		return PSC_SST_TRACED;
	case 5:
	case 6:
		return PSC_SST_DEAD;
	case 7:
		return PSC_SST_PARKED;
	default:
		return PSC_SST_IDLE;
	}
}

/* Bucket of a runnable wait of @ns in rq_hist[] */
PSC_SCHED_INLINE __u32 psc_sched_hist_bucket(__u64 ns)
{
	__u32 hi = (__u32)(ns >> 32), b;

	b = hi ? 32 + psc_fls(hi) - 1 : (ns ? psc_fls((__u32)ns) - 1 : 0);
	if (b < PSC_SCHED_HIST_SHIFT)
		return 0;
	b -= PSC_SCHED_HIST_SHIFT;
	return b < PSC_SCHED_HIST ? b : PSC_SCHED_HIST - 1;
}

/* Start accounting at @now in @state (the first time the thread is seen) */
PSC_SCHED_INLINE void psc_sched_begin(struct psc_sched_acct *a, __u64 now, __u32 state)
{
	a->first_ns = now;
	a->since_ns = now;
	a->last_emit_ns = now;
	a->state = state;
	a->first_state = state;
}

/* Close the current interval at @now and enter @state */
PSC_SCHED_INLINE void psc_sched_enter(struct psc_sched_acct *a, __u64 now, __u32 state)
{
	__u32 cur = a->state;

	/* CPUs' clocks can disagree by a little: never count a negative interval */
	if (cur < PSC_SST_MAX && now > a->since_ns) {
		PSC_SCHED_OPAQUE(cur); /* keeps the mask, which bounds the index for the verifier */
		a->t_ns[cur & (PSC_SST_SLOTS - 1)] += now - a->since_ns;
	}
	if (now > a->since_ns)
		a->since_ns = now;
	a->state = state;
}

/* @slice: the run [@run_ns, @end_ns) on @cpu, after the off-CPU time @a last recorded */
PSC_SCHED_INLINE void psc_sched_fill_slice(struct psc_ev_sched_slice *slice,
					   const struct psc_sched_acct *a, __u64 run_ns,
					   __u64 end_ns, __u32 next_state, __u32 cpu, __u32 flags)
{
	slice->off_ns = a->off_ns;
	slice->wake_ns = a->wake_ns;
	slice->run_ns = run_ns;
	slice->off_state = a->off_state;
	slice->next_state = next_state;
	slice->cpu = cpu;
	slice->flags = flags;
	slice->hdr.ts_ns = end_ns;
}

/*
 * A run a missed hook hid: of the @span (set) since the current state began, the part the
 * kernel's CPU time since the last switch-out, @exec_ns - a->exec_ns, says was running.
 */
PSC_SCHED_INLINE __u64 psc_sched_hidden_run(const struct psc_sched_acct *a, __u64 now,
					    __u64 exec_ns, __u64 *span)
{
	*span = now > a->since_ns ? now - a->since_ns : 0;
	return exec_ns - a->exec_ns < *span ? exec_ns - a->exec_ns : *span;
}

/* Asleep (S, D, T...) as far as the hooks know: a wake-up ends that when it runs again */
PSC_SCHED_INLINE int psc_sched_asleep(const struct psc_sched_acct *a)
{
	return a->first_ns && a->state != PSC_SST_RUNNING && a->state != PSC_SST_RUNNABLE;
}

/*
 * An asleep thread was woken: no hook runs at the wake-up (a sched_wakeup program cost every
 * wake-up of the system ~250 ns); the kernel's own sched_info tells when. Its run-queue wait
 * since then is what the kernel added to @run_delay since the switch-out (waits on other CPUs
 * before a migration) plus @queued_ns, the wait still open (rq->clock - sched_info.last_queued,
 * both the run queue's clock). The wake-up is that wait before @end (in CPU time: @ran of it
 * ran), never before the sleep began. Returns the state it was woken from.
 */
PSC_SCHED_INLINE __u32 psc_sched_woken(struct psc_sched_acct *a, __u64 end, __u64 ran,
				       __u64 run_delay, __u64 queued_ns)
{
	__u32 old = a->state;
	__u64 wait = (run_delay > a->rd_out ? run_delay - a->rd_out : 0) + queued_ns + ran;
	__u64 wake = end > a->since_ns + wait ? end - wait : a->since_ns;

	psc_sched_enter(a, wake, PSC_SST_RUNNABLE);
	a->wake_ns = wake;
	return old;
}

/*
 * The thread leaves the CPU @cpu at @now (a switch-out or its exit) into @st. Its run is closed,
 * and @slice (if not NULL; its run_ns stays 0 when there is none) filled with it: the run seen
 * from its switch-in or, when that switch-in was missed (task storage busy on that CPU: a
 * helper preempted there), the run the kernel's CPU time since its last switch-out shows.
 */
PSC_SCHED_INLINE void psc_sched_run_ends(struct psc_sched_acct *a, __u64 now, __u32 cpu, __u32 st,
					 __u64 exec_ns, __u64 run_delay,
					 struct psc_ev_sched_slice *slice)
{
	/* woken and switched in unseen: its wait ended when the run its CPU time shows began */
	if (psc_sched_asleep(a) && a->exec_known && exec_ns >= a->exec_ns)
		psc_sched_woken(a, now, exec_ns - a->exec_ns, run_delay, 0);
	if (!a->first_ns) {
		psc_sched_begin(a, now, st);
	} else if (a->state == PSC_SST_RUNNING) {
		if (slice)
			psc_sched_fill_slice(slice, a, a->since_ns, now, st, a->cpu, 0);
		psc_sched_enter(a, now, st);
	} else if (a->state == PSC_SST_RUNNABLE && a->exec_known && exec_ns >= a->exec_ns) {
		/* how much of this "wait" was a run; the run (its last part if several) ended now */
		__u64 span, ran = psc_sched_hidden_run(a, now, exec_ns, &span);

		a->t_ns[PSC_SST_RUNNABLE] += span - ran;
		a->t_ns[PSC_SST_RUNNING] += ran;
		if (slice && ran)
			psc_sched_fill_slice(slice, a, now - ran, now, st, cpu, PSC_SLICE_INFERRED);
		a->since_ns = now > a->since_ns ? now : a->since_ns;
		a->state = st;
		a->nmissed++;
	} else {
		a->nmissed++; /* its switch-in was missed, and its CPU time is unknown */
		psc_sched_enter(a, now, st);
	}
	a->exec_ns = exec_ns;
	a->exec_known = 1;
	a->rd_out = run_delay;
}

/*
 * sched_switch, the thread leaving the CPU @cpu. @prev_state is the raw prev->__state
 * (tp_btf), @exit_state prev->exit_state, @exec_ns its sum_exec_runtime, @run_delay its
 * sched_info.run_delay. Preempted (or yielding) it stays runnable; otherwise it sleeps in the
 * state the kernel would show. Returns the state entered; fills @slice as psc_sched_run_ends().
 */
PSC_SCHED_INLINE __u32 psc_sched_switch_out(struct psc_sched_acct *a, __u64 now, __u32 cpu,
					    int preempt, __u32 prev_state, __u32 exit_state,
					    __u64 exec_ns, __u64 run_delay,
					    struct psc_ev_sched_slice *slice)
{
	__u32 idx = psc_task_state_index(prev_state, exit_state);
	__u32 st = preempt ? PSC_SST_RUNNABLE : psc_sched_from_index(idx);

	/* the kernel's own rule for nvcsw/nivcsw (__schedule()) */
	if (!preempt && prev_state)
		a->nvcsw++;
	else
		a->nivcsw++;
	psc_sched_run_ends(a, now, cpu, st, exec_ns, run_delay, slice);
	a->off_ns = now;
	a->off_state = st;
	a->wake_ns = st == PSC_SST_RUNNABLE ? now : 0;
	return st;
}

/*
 * sched_switch, the thread taking the CPU @cpu; @exec_ns its sum_exec_runtime so far. Asleep,
 * it was woken: @run_delay and @queued_ns tell when (psc_sched_woken()). When its last
 * switch-out was missed, fills @slice (if not NULL; its run_ns stays 0 otherwise) with the run
 * that ended unseen: from its switch-in, as long as the kernel's CPU time says, on the CPU it
 * took then, into a state unknown. Returns the state it was woken from, or PSC_SST_RUNNABLE
 * (PSC_SST_RUNNING after a missed switch-out) when it was not asleep, PSC_SST_UNKNOWN when
 * first seen.
 */
PSC_SCHED_INLINE __u32 psc_sched_switch_in(struct psc_sched_acct *a, __u64 now, __u32 cpu,
					   __u64 exec_ns, __u64 run_delay, __u64 queued_ns,
					   struct psc_ev_sched_slice *slice)
{
	__u32 bit = cpu < 63 ? cpu : 63, old = a->first_ns ? a->state : PSC_SST_UNKNOWN;

	if (psc_sched_asleep(a))
		old = psc_sched_woken(a, now, 0, run_delay, queued_ns);
	if (!a->first_ns) {
		psc_sched_begin(a, now, PSC_SST_RUNNING);
		a->first_state = PSC_SST_RUNNABLE; /* it was waiting, since when is unknown */
	} else {
		if (a->state == PSC_SST_RUNNABLE) {
			__u64 lat = now > a->since_ns ? now - a->since_ns : 0;

			__u32 b = psc_sched_hist_bucket(lat);

			PSC_SCHED_OPAQUE(b);
			if (b < PSC_SCHED_HIST)
				a->rq_hist[b]++;
			a->nwait++;
			if (lat > a->rq_max_ns)
				a->rq_max_ns = lat;
		} else if (a->state == PSC_SST_RUNNING && a->exec_known && exec_ns >= a->exec_ns) {
			/*
			 * Its switch-out was missed: it ran, left the CPU and came back. Its CPU
			 * time since the last switch-out is the run; where the rest went is unknown.
			 */
			__u64 span, ran = psc_sched_hidden_run(a, now, exec_ns, &span);

			a->t_ns[PSC_SST_RUNNING] += ran;
			a->t_ns[PSC_SST_LOST] += span - ran;
			if (slice && ran)
				psc_sched_fill_slice(slice, a, a->since_ns, a->since_ns + ran,
						     PSC_SST_UNKNOWN, a->cpu, PSC_SLICE_INFERRED);
			/* where it went then, and when it came back, are unknown */
			a->off_ns = a->since_ns + ran;
			a->off_state = PSC_SST_UNKNOWN;
			a->wake_ns = 0;
			a->since_ns = now > a->since_ns ? now : a->since_ns;
			a->exec_ns = exec_ns;
			a->nmissed++;
		}
		if (a->cpus && a->cpu != cpu)
			a->nmigrate++;
		psc_sched_enter(a, now, PSC_SST_RUNNING);
	}
	a->cpu = cpu;
	a->cpus |= 1ull << bit;
	return old;
}

/* sched_wakeup_new: a new thread's first wake-up, just after its fork */
PSC_SCHED_INLINE void psc_sched_wakeup_new(struct psc_sched_acct *a, __u64 now)
{
	psc_sched_begin(a, now, PSC_SST_RUNNABLE);
	a->flags |= PSC_SCHED_FORKED;
	a->wake_ns = now;
	a->exec_known = 1; /* a new thread has run for 0 ns */
}

/*
 * The thread exits (sched_process_exit) on @cpu, its sum_exec_runtime @exec_ns: nothing is
 * counted after this. Fills @slice as psc_sched_run_ends() does, with its last run.
 */
PSC_SCHED_INLINE void psc_sched_exit(struct psc_sched_acct *a, __u64 now, __u32 cpu, __u64 exec_ns,
				     __u64 run_delay, struct psc_ev_sched_slice *slice)
{
	if (!a->first_ns)
		psc_sched_begin(a, now, PSC_SST_RUNNING);
	psc_sched_run_ends(a, now, cpu, PSC_SST_DEAD, exec_ns, run_delay, slice);
	a->flags |= PSC_SCHED_EXITED;
}

/* Fill the accounting part of a stats record: totals with the open interval closed at @now */
PSC_SCHED_INLINE void psc_sched_snapshot(const struct psc_sched_acct *a, __u64 now,
					 struct psc_ev_sched_stats *e)
{
	__u32 i, cur = a->state;
	__u64 open = 0;

	if (cur < PSC_SST_MAX && cur != PSC_SST_DEAD && now > a->since_ns)
		open = now - a->since_ns;
	e->first_ns = a->first_ns;
	e->since_ns = a->since_ns;
	/* no variable index into the record: the current state's open interval is added here */
	for (i = 0; i < PSC_SST_MAX; i++)
		e->t_ns[i] = a->t_ns[i] + (i == cur ? open : 0);
	e->cpus = a->cpus;
	e->rq_max_ns = a->rq_max_ns;
	for (i = 0; i < PSC_SCHED_HIST; i++)
		e->rq_hist[i] = a->rq_hist[i];
	e->state = a->state;
	e->first_state = a->first_state;
	e->nvcsw = a->nvcsw;
	e->nivcsw = a->nivcsw;
	e->nwait = a->nwait;
	e->nmigrate = a->nmigrate;
	e->nmissed = a->nmissed;
	e->lost_ns = a->t_ns[PSC_SST_LOST];
	e->flags = a->flags;
	e->cpu = a->cpu;
}

#endif /* __PSC_SCHED_H */
