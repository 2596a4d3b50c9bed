// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests of the sched group: the per-thread accounting the BPF side runs (include/
 * psc_sched.h, the very code) for every prev_state value, wake-ups before and after attach,
 * migrations and exits while runnable; and the model (user/groups/sched): threads summed per
 * process, snapshots out of order, tid reuse, seeded threads whose start is unknown.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "model.h"
#include "sched_model.h"

#define US 1000ull
#define MS 1000000ull
#define BASE (1000 * MS) /* the trace start */
#define PID 100
#define START (500 * MS) /* the process started before the trace */

/* Raw task states of include/linux/sched.h */
#define T_RUNNING 0x0
#define T_INTERRUPTIBLE 0x1
#define T_UNINTERRUPTIBLE 0x2
#define T_STOPPED_BIT 0x4
#define T_TRACED_BIT 0x8
#define X_DEAD 0x10
#define X_ZOMBIE 0x20
#define T_PARKED 0x40
#define T_DEAD 0x80
#define T_WAKEKILL 0x100
#define T_NOLOAD 0x400
#define T_RTLOCK_WAIT 0x1000
#define T_FREEZABLE 0x2000
#define T_FROZEN 0x8000

/*
 * The kernel's sum_exec_runtime as it would be if every hook ran: the time accounted running
 * so far. The tests of missed hooks pass their own values.
 */
static uint64_t exec_of(const struct psc_sched_acct *a, uint64_t now)
{
	uint64_t open = a->first_ns && a->state == PSC_SST_RUNNING && now > a->since_ns ?
				now - a->since_ns :
				0;

	return a->t_ns[PSC_SST_RUNNING] + open;
}

/*
 * The kernel's sched_info of the threads under test: when each was queued by its last wake-up
 * (last_queued; 0 = not queued), and its run_delay, the run-queue waits it has completed
 */
static struct kthread {
	const struct psc_sched_acct *a;
	uint64_t queued, run_delay;
} kthreads[8];

static struct kthread *kthread_of(const struct psc_sched_acct *a)
{
	size_t i;

	for (i = 0; i < sizeof(kthreads) / sizeof(kthreads[0]); i++) {
		if (kthreads[i].a == a || !kthreads[i].a) {
			kthreads[i].a = a;
			return &kthreads[i];
		}
	}
	fail_msg("more threads than kthreads[]");
	return NULL;
}

/* A wake-up at @t: the kernel queues the thread; no hook runs */
static void wake(const struct psc_sched_acct *a, uint64_t t)
{
	kthread_of(a)->queued = t;
}

static uint32_t sw_out(struct psc_sched_acct *a, uint64_t now, int preempt, uint32_t state,
		       uint32_t exit_state, struct psc_ev_sched_slice *sl)
{
	return psc_sched_switch_out(a, now, a->cpu, preempt, state, exit_state, exec_of(a, now),
				    kthread_of(a)->run_delay, sl);
}

/* The switch-in sees the wait still open; the kernel then adds it to run_delay */
static uint32_t sw_in(struct psc_sched_acct *a, uint64_t now, uint32_t cpu)
{
	struct kthread *k = kthread_of(a);
	uint64_t queued = k->queued ? now - k->queued : 0;
	uint32_t old =
		psc_sched_switch_in(a, now, cpu, exec_of(a, now), k->run_delay, queued, NULL);

	k->run_delay += queued;
	k->queued = 0;
	return old;
}

static void sw_exit(struct psc_sched_acct *a, uint64_t now)
{
	psc_sched_exit(a, now, a->cpu, exec_of(a, now), kthread_of(a)->run_delay, NULL);
}

static int reset_kthreads(void **state)
{
	memset(kthreads, 0, sizeof(kthreads));
	return 0;
}

static void test_sched__state_index_of_every_state(void **state)
{
	static const struct {
		uint32_t raw, exit_state, idx;
	} cases[] = {
		{ T_RUNNING, 0, 0 },
		{ T_INTERRUPTIBLE, 0, 1 },
		{ T_UNINTERRUPTIBLE, 0, 2 },
		{ T_WAKEKILL | T_UNINTERRUPTIBLE, 0, 2 }, /* TASK_KILLABLE: the vfork parent */
		{ T_WAKEKILL | T_STOPPED_BIT, 0, 3 }, /* TASK_STOPPED: SIGSTOP */
		{ T_TRACED_BIT, 0, 4 }, /* TASK_TRACED */
		{ T_DEAD, X_DEAD, 5 },
		{ T_DEAD, X_ZOMBIE, 6 }, /* the final switch of an exiting thread */
		{ T_PARKED, 0, 7 },
		{ T_UNINTERRUPTIBLE | T_NOLOAD, 0, 8 }, /* TASK_IDLE */
		{ T_INTERRUPTIBLE | T_FREEZABLE, 0, 1 },
		{ T_FROZEN, 0, 2 }, /* reported as D */
		{ T_RTLOCK_WAIT, 0, 2 },
		{ T_DEAD, 0, 0 }, /* TASK_DEAD without an exit state is not a reportable state */
	};
	static const uint32_t ours[] = { PSC_SST_RUNNABLE, PSC_SST_SLEEP,  PSC_SST_BLOCKED,
					 PSC_SST_STOPPED,  PSC_SST_TRACED, PSC_SST_DEAD,
					 PSC_SST_DEAD,	   PSC_SST_PARKED, PSC_SST_IDLE };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t idx = psc_task_state_index(cases[i].raw, cases[i].exit_state);

		if (idx != cases[i].idx)
			fail_msg("state 0x%x exit 0x%x: index %u, want %u", cases[i].raw,
				 cases[i].exit_state, idx, cases[i].idx);
		assert_int_equal(psc_sched_from_index(idx), ours[idx]);
	}
}

static void test_sched__switch_out_preempted_stays_runnable(void **state)
{
	struct psc_sched_acct a = { 0 };

	psc_sched_wakeup_new(&a, BASE);
	sw_in(&a, BASE + 10 * US, 0);
	/* preempted while it was setting itself up to sleep: still runnable, involuntary */
	assert_int_equal(sw_out(&a, BASE + 20 * US, 1, T_INTERRUPTIBLE, 0, NULL), PSC_SST_RUNNABLE);
	assert_int_equal(a.nivcsw, 1);
	assert_int_equal(a.nvcsw, 0);
	sw_in(&a, BASE + 30 * US, 0);
	/* a yield (not preempted, TASK_RUNNING) is runnable and involuntary too */
	assert_int_equal(sw_out(&a, BASE + 40 * US, 0, T_RUNNING, 0, NULL), PSC_SST_RUNNABLE);
	assert_int_equal(a.nivcsw, 2);
	sw_in(&a, BASE + 50 * US, 0);
	assert_int_equal(sw_out(&a, BASE + 60 * US, 0, T_WAKEKILL | T_UNINTERRUPTIBLE, 0, NULL),
			 PSC_SST_BLOCKED);
	assert_int_equal(a.nvcsw, 1);
}

/*
 * No hook runs at a wake-up: the switch-in finds it in the kernel's sched_info. The wait is
 * what run_delay grew by since the switch-out (queued on another CPU before a migration) plus
 * the wait still open; never longer than the sleep; without sched_info the wait is 0.
 */
static void test_sched__wakeup_from_sched_info(void **state)
{
	struct psc_sched_acct a = { 0 };
	uint64_t t = BASE;

	psc_sched_wakeup_new(&a, t);
	psc_sched_switch_in(&a, t += 10 * US, 0, 0, 0, 0, NULL);
	psc_sched_switch_out(&a, t += MS, 0, 0, T_INTERRUPTIBLE, 0, MS, 7 * MS, NULL);
	/* slept 10 ms, queued 2 ms on CPU 0, moved to CPU 1 and queued 1 ms there */
	assert_int_equal(psc_sched_switch_in(&a, t += 13 * MS, 1, MS, 9 * MS, MS, NULL),
			 PSC_SST_SLEEP);
	assert_int_equal(a.t_ns[PSC_SST_SLEEP], 10 * MS);
	assert_int_equal(a.t_ns[PSC_SST_RUNNABLE], 10 * US + 3 * MS);
	assert_int_equal(a.wake_ns, t - 3 * MS);
	assert_int_equal(a.rq_max_ns, 3 * MS);
	assert_int_equal(a.nmissed, 0);
	/* a wait longer than the sleep (clocks apart): the wake-up is when the sleep began */
	psc_sched_switch_out(&a, t += MS, 1, 0, T_UNINTERRUPTIBLE, 0, 2 * MS, 9 * MS, NULL);
	assert_int_equal(psc_sched_switch_in(&a, t += MS, 1, 2 * MS, 9 * MS, 5 * MS, NULL),
			 PSC_SST_BLOCKED);
	assert_int_equal(a.t_ns[PSC_SST_BLOCKED], 0);
	assert_int_equal(a.t_ns[PSC_SST_RUNNABLE], 10 * US + 4 * MS);
	/* no sched_info (run_delay and the open wait 0): woken as it runs, the rest slept */
	psc_sched_switch_out(&a, t += MS, 1, 0, T_WAKEKILL | T_STOPPED_BIT, 0, 3 * MS, 0, NULL);
	assert_int_equal(psc_sched_switch_in(&a, t += 4 * MS, 1, 3 * MS, 0, 0, NULL),
			 PSC_SST_STOPPED);
	assert_int_equal(a.t_ns[PSC_SST_STOPPED], 4 * MS);
	/* not asleep: a preempted thread's wait is its own since the switch-out */
	psc_sched_switch_out(&a, t += MS, 1, 1, T_RUNNING, 0, 4 * MS, 0, NULL);
	assert_int_equal(psc_sched_switch_in(&a, t += 20 * US, 1, 4 * MS, 0, 0, NULL),
			 PSC_SST_RUNNABLE);
	assert_int_equal(a.t_ns[PSC_SST_RUNNABLE], 10 * US + 4 * MS + 20 * US);
}

/* A life from fork: runnable 10us, run 1ms, sleep 5ms, runnable 3us, run 2ms, stopped, exit */
static void test_sched__times_from_fork(void **state)
{
	struct psc_sched_acct a = { 0 };
	struct psc_ev_sched_stats e = { 0 };
	uint64_t t = BASE;

	psc_sched_wakeup_new(&a, t);
	sw_in(&a, t += 10 * US, 1);
	sw_out(&a, t += MS, 0, T_INTERRUPTIBLE, 0, NULL);
	wake(&a, t += 5 * MS);
	assert_int_equal(sw_in(&a, t += 3 * US, 1), PSC_SST_SLEEP);
	sw_out(&a, t += 2 * MS, 0, T_WAKEKILL | T_STOPPED_BIT, 0, NULL);
	wake(&a, t += 200 * MS); /* SIGCONT */
	assert_int_equal(sw_in(&a, t += 7 * US, 1), PSC_SST_STOPPED);
	sw_exit(&a, t); /* exits as soon as it runs */
	psc_sched_snapshot(&a, t + 50 * MS, &e);

	assert_int_equal(e.t_ns[PSC_SST_RUNNABLE], 10 * US + 3 * US + 7 * US);
	assert_int_equal(e.t_ns[PSC_SST_RUNNING], 3 * MS);
	assert_int_equal(e.t_ns[PSC_SST_SLEEP], 5 * MS);
	assert_int_equal(e.t_ns[PSC_SST_STOPPED], 200 * MS);
	assert_int_equal(e.t_ns[PSC_SST_DEAD], 0); /* nothing counts after the exit */
	assert_int_equal(e.state, PSC_SST_DEAD);
	assert_true(e.flags & PSC_SCHED_FORKED);
	assert_true(e.flags & PSC_SCHED_EXITED);
	assert_int_equal(e.nwait, 3);
	assert_int_equal(e.rq_hist[psc_sched_hist_bucket(10 * US)], 1);
	assert_int_equal(e.rq_hist[psc_sched_hist_bucket(7 * US)], 1);
	assert_int_equal(e.rq_hist[psc_sched_hist_bucket(3 * US)], 1);
	assert_int_equal(e.rq_max_ns, 10 * US);
	assert_int_equal(e.nvcsw, 2);
	assert_int_equal(e.nmigrate, 0);
	assert_int_equal(e.cpus, 1u << 1);
}

/* Threads older than the trace: what came before the first hook is unknown, never guessed */
static void test_sched__first_seen_before_attach(void **state)
{
	struct psc_sched_acct a = { 0 }, b = { 0 }, c = { 0 };

	/* switched in: it was waiting, since when nobody knows; accounting starts now */
	sw_in(&a, BASE + MS, 0);
	assert_int_equal(a.first_ns, BASE + MS);
	assert_int_equal(a.first_state, PSC_SST_RUNNABLE);
	assert_int_equal(a.state, PSC_SST_RUNNING);
	assert_int_equal(a.nwait, 0); /* no run-queue wait of unknown length in the histogram */
	/* woken before it is seen: the same, its sleep before is as unknown as the rest */
	wake(&b, BASE + 2 * MS);
	assert_int_equal(sw_in(&b, BASE + 3 * MS, 0), PSC_SST_UNKNOWN);
	assert_int_equal(b.first_state, PSC_SST_RUNNABLE);
	assert_int_equal(b.first_ns, BASE + 3 * MS);
	/* switched out: it ran; counted from now, in the state it leaves into */
	sw_out(&c, BASE + 3 * MS, 0, T_UNINTERRUPTIBLE, 0, NULL);
	assert_int_equal(c.first_state, PSC_SST_BLOCKED);
	assert_int_equal(c.t_ns[PSC_SST_RUNNING], 0);
	wake(&c, BASE + 8 * MS);
	sw_in(&c, BASE + 9 * MS, 0);
	assert_int_equal(c.t_ns[PSC_SST_BLOCKED], 5 * MS);
	assert_int_equal(c.t_ns[PSC_SST_RUNNABLE], MS);
	assert_false(c.flags & PSC_SCHED_FORKED);
}

static void test_sched__migrations_and_cpus(void **state)
{
	struct psc_sched_acct a = { 0 };
	uint64_t t = BASE;

	psc_sched_wakeup_new(&a, t);
	sw_in(&a, t += US, 0);
	sw_out(&a, t += US, 1, T_RUNNING, 0, NULL);
	sw_in(&a, t += US, 1); /* moved while runnable */
	sw_out(&a, t += US, 0, T_INTERRUPTIBLE, 0, NULL);
	wake(&a, t += US);
	sw_in(&a, t += US, 1);
	sw_out(&a, t += US, 1, T_RUNNING, 0, NULL);
	sw_in(&a, t += US, 70); /* CPUs past 63 share the top bit */
	assert_int_equal(a.nmigrate, 2);
	assert_int_equal(a.cpus, (1ull << 0) | (1ull << 1) | (1ull << 63));
	assert_int_equal(a.cpu, 70);
}

/* Two CPUs' clocks may disagree a little: an interval never goes negative */
static void test_sched__clock_skew_never_negative(void **state)
{
	struct psc_sched_acct a = { 0 };

	psc_sched_wakeup_new(&a, BASE + 100);
	sw_in(&a, BASE + 90, 0);
	assert_int_equal(a.t_ns[PSC_SST_RUNNABLE], 0);
	assert_int_equal(a.rq_hist[0], 1);
	sw_out(&a, BASE + 200, 0, T_INTERRUPTIBLE, 0, NULL);
	assert_int_equal(a.t_ns[PSC_SST_RUNNING], 100);
}

/*
 * A switch-in missed (task storage busy on that CPU): at the switch-out the kernel's CPU time
 * tells how much of the "wait" was a run. A switch-out missed: the run is known, the rest of
 * the time away is unknown, never guessed.
 */
static void test_sched__missed_switches_repaired(void **state)
{
	struct psc_sched_acct a = { 0 };
	struct psc_ev_sched_stats e = { 0 };
	uint64_t t = BASE;

	psc_sched_wakeup_new(&a, t);
	psc_sched_switch_in(&a, t += 10 * US, 0, 0, 0, 0, NULL);
	/* preempted: 1 ms ran */
	psc_sched_switch_out(&a, t += MS, 0, 1, T_RUNNING, 0, MS, 0, NULL);
	/* waits 2 ms, runs 3 ms: the switch-in is missed; switched out at 1 + 5 ms */
	psc_sched_switch_out(&a, t += 5 * MS, 0, 0, T_INTERRUPTIBLE, 0, 4 * MS, 2 * MS, NULL);
	assert_int_equal(a.nmissed, 1);
	assert_int_equal(a.t_ns[PSC_SST_RUNNING], 4 * MS);
	assert_int_equal(a.t_ns[PSC_SST_RUNNABLE], 10 * US + 2 * MS);
	assert_int_equal(a.state, PSC_SST_SLEEP);
	/* woken after 4 ms, queued 100 us, runs 1 ms; its switch-out is missed; back 9 ms later */
	psc_sched_switch_in(&a, t += 4 * MS + 100 * US, 0, 4 * MS, 2 * MS, 100 * US, NULL);
	psc_sched_switch_in(&a, t += 10 * MS, 0, 5 * MS, 2 * MS + 100 * US, 0, NULL);
	assert_int_equal(a.nmissed, 2);
	assert_int_equal(a.t_ns[PSC_SST_RUNNING], 5 * MS);
	psc_sched_switch_out(&a, t += 2 * MS, 0, 0, T_INTERRUPTIBLE, 0, 7 * MS, 2 * MS + 100 * US,
			     NULL);
	psc_sched_snapshot(&a, t, &e);
	assert_int_equal(e.t_ns[PSC_SST_RUNNING], 7 * MS);
	assert_int_equal(e.lost_ns, 9 * MS); /* 10 ms away, 1 ms of it running */
	assert_int_equal(e.t_ns[PSC_SST_SLEEP], 4 * MS);
	assert_int_equal(e.nmissed, 2);
	/*
	 * Asleep, its switch-in missed: sleeps 6 ms, queued 1 ms, runs 2 ms. The switch-out puts
	 * the wake-up before the run its CPU time shows and the wait the kernel added.
	 */
	psc_sched_switch_out(&a, t += 9 * MS, 1, 0, T_UNINTERRUPTIBLE, 0, 9 * MS, 3 * MS + 100 * US,
			     NULL);
	psc_sched_snapshot(&a, t, &e);
	assert_int_equal(e.t_ns[PSC_SST_SLEEP], 4 * MS + 6 * MS);
	assert_int_equal(e.t_ns[PSC_SST_RUNNABLE], 10 * US + 2 * MS + 100 * US + MS);
	assert_int_equal(e.t_ns[PSC_SST_RUNNING], 9 * MS);
	assert_int_equal(e.state, PSC_SST_BLOCKED);
	assert_int_equal(e.nmissed, 3);
}

/* Timeline slices: each run with the sleep and the run-queue wait before it */
static void test_sched__slices(void **state)
{
	struct psc_sched_acct a = { 0 };
	struct psc_ev_sched_slice sl = { 0 };
	uint64_t t = BASE;

	sw_in(&a, t, 0); /* first seen running: no slice yet of unknown start */
	sw_out(&a, t += MS, 0, T_INTERRUPTIBLE, 0, &sl);
	assert_int_equal(sl.run_ns, BASE);
	assert_int_equal(sl.off_ns, 0); /* what came before is unknown */
	memset(&sl, 0, sizeof(sl));
	wake(&a, t += 4 * MS);
	sw_in(&a, t += 20 * US, 1);
	sw_out(&a, t += 2 * MS, 1, T_RUNNING, 0, &sl);
	assert_int_equal(sl.off_ns, BASE + MS);
	assert_int_equal(sl.off_state, PSC_SST_SLEEP);
	assert_int_equal(sl.wake_ns, BASE + 5 * MS);
	assert_int_equal(sl.run_ns, BASE + 5 * MS + 20 * US);
	assert_int_equal(sl.cpu, 1);
	assert_int_equal(sl.next_state, PSC_SST_RUNNABLE);
	/* preempted: the next slice's wait starts where this run ended */
	sw_in(&a, t += 30 * US, 0);
	sw_out(&a, t += MS, 0, T_UNINTERRUPTIBLE, 0, &sl);
	assert_int_equal(sl.off_state, PSC_SST_RUNNABLE);
	assert_int_equal(sl.wake_ns, sl.off_ns);
	assert_int_equal(sl.run_ns - sl.wake_ns, 30 * US);
	assert_int_equal(sl.next_state, PSC_SST_BLOCKED);
}

/*
 * A timeline keeps every run when a hook is missed: the run a missed switch-in hid comes out
 * at the switch-out (or the exit), the one a missed switch-out hid at the next switch-in, both
 * from the kernel's CPU time and marked inferred. The slices' runs add up to the running time.
 */
static void test_sched__slices_after_missed_hooks(void **state)
{
	struct psc_sched_acct a = { 0 };
	struct psc_ev_sched_slice sl;
	uint64_t t = BASE, ran = 0;

	psc_sched_wakeup_new(&a, t);
	memset(&sl, 0, sizeof(sl));
	psc_sched_switch_in(&a, t += 10 * US, 1, 0, 0, 0, &sl);
	assert_int_equal(sl.run_ns, 0); /* nothing missed: no slice at a switch-in */
	psc_sched_switch_out(&a, t += MS, 1, 1, T_RUNNING, 0, MS, 0, &sl);
	assert_int_equal(sl.flags, 0);
	ran += sl.hdr.ts_ns - sl.run_ns;
	/* waits 2 ms, its switch-in on CPU 0 is missed, runs 3 ms, leaves CPU 0 to sleep */
	memset(&sl, 0, sizeof(sl));
	psc_sched_switch_out(&a, t += 5 * MS, 0, 0, T_INTERRUPTIBLE, 0, 4 * MS, 0, &sl);
	assert_int_equal(sl.flags, PSC_SLICE_INFERRED);
	assert_int_equal(sl.run_ns, t - 3 * MS);
	assert_int_equal(sl.hdr.ts_ns, t);
	assert_int_equal(sl.cpu, 0);
	assert_int_equal(sl.off_state, PSC_SST_RUNNABLE);
	assert_int_equal(sl.wake_ns, t - 5 * MS);
	assert_int_equal(sl.next_state, PSC_SST_SLEEP);
	ran += sl.hdr.ts_ns - sl.run_ns;
	/* woken, runs 1 ms on CPU 1; its switch-out is missed; back 9 ms later */
	memset(&sl, 0, sizeof(sl));
	psc_sched_switch_in(&a, t += 4 * MS + 100 * US, 1, 4 * MS, 0, 100 * US, &sl);
	assert_int_equal(sl.run_ns, 0);
	psc_sched_switch_in(&a, t += 10 * MS, 0, 5 * MS, 100 * US, 0, &sl);
	assert_int_equal(sl.flags, PSC_SLICE_INFERRED);
	assert_int_equal(sl.run_ns, t - 10 * MS);
	assert_int_equal(sl.hdr.ts_ns, t - 9 * MS);
	assert_int_equal(sl.cpu, 1);
	assert_int_equal(sl.next_state, PSC_SST_UNKNOWN);
	ran += sl.hdr.ts_ns - sl.run_ns;
	/* the run after it: the time away before it is unknown, not a sleep */
	memset(&sl, 0, sizeof(sl));
	psc_sched_switch_out(&a, t += 2 * MS, 0, 1, T_RUNNING, 0, 7 * MS, 100 * US, &sl);
	assert_int_equal(sl.flags, 0);
	assert_int_equal(sl.off_state, PSC_SST_UNKNOWN);
	assert_int_equal(sl.wake_ns, 0);
	ran += sl.hdr.ts_ns - sl.run_ns;
	/* preempted, its switch-in missed again, it exits after running 500 us */
	memset(&sl, 0, sizeof(sl));
	psc_sched_exit(&a, t += 2 * MS, 1, 7 * MS + 500 * US, 100 * US, &sl);
	assert_int_equal(sl.flags, PSC_SLICE_INFERRED);
	assert_int_equal(sl.run_ns, t - 500 * US);
	assert_int_equal(sl.next_state, PSC_SST_DEAD);
	assert_int_equal(sl.cpu, 1);
	ran += sl.hdr.ts_ns - sl.run_ns;
	assert_int_equal(ran, a.t_ns[PSC_SST_RUNNING]);
	assert_int_equal(ran, 7 * MS + 500 * US);
	assert_int_equal(a.nmissed, 3);
}

static void test_sched__hist_buckets(void **state)
{
	assert_int_equal(psc_sched_hist_bucket(0), 0);
	assert_int_equal(psc_sched_hist_bucket(511), 0);
	assert_int_equal(psc_sched_hist_bucket(1023), 0);
	assert_int_equal(psc_sched_hist_bucket(1024), 1);
	assert_int_equal(psc_sched_hist_bucket(1ull << 20), 11);
	assert_int_equal(psc_sched_hist_bucket((1ull << 32) + 5), PSC_SCHED_HIST - 1);
	assert_int_equal(psc_sched_hist_bucket(UINT64_MAX), PSC_SCHED_HIST - 1);
	assert_int_equal(psc_fls(0), 0);
	assert_int_equal(psc_fls(1), 1);
	assert_int_equal(psc_fls(0x80000000u), 32);
}

/* --- the model --- */

static struct model *new_model(void)
{
	struct model *m = model_new();
	union psc_event ev;

	assert_non_null(m);
	m->meta.boottime_base_ns = BASE;
	m->meta.groups = PSC_GROUP_ALL;
	/* the process, seeded from /proc */
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = PSC_EV_PROC_SEED;
	ev.hdr.size = sizeof(ev.seed);
	ev.hdr.ts_ns = BASE;
	ev.hdr.tgid = PID;
	ev.hdr.tid = PID;
	ev.hdr.start_ns = START;
	ev.seed.state = 'S';
	ev.seed.nr_threads = 2;
	memcpy(ev.seed.comm, "srv", 4);
	assert_int_equal(model_apply(m, &ev), 0);
	return m;
}

static void stats(struct model *m, uint32_t tid, uint64_t ts, const struct psc_sched_acct *a,
		  uint32_t extra_flags)
{
	union psc_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = PSC_EV_SCHED_STATS;
	ev.hdr.size = sizeof(ev.sched_stats);
	ev.hdr.ts_ns = ts;
	ev.hdr.tgid = PID;
	ev.hdr.tid = tid;
	ev.hdr.start_ns = START;
	psc_sched_snapshot(a, ts, &ev.sched_stats);
	ev.sched_stats.flags |= extra_flags;
	ev.sched_stats.nice = 5;
	assert_int_equal(model_apply(m, &ev), 0);
}

static struct sched_proc *proc_of(struct model *m)
{
	struct sched_model *sm = model_group_state(m, PSC_GROUP_SCHED);
	struct sched_proc *sp;

	assert_non_null(sm);
	sp = sched_model_find(sm, PID, START);
	assert_non_null(sp);
	return sp;
}

/* Two threads summed; the leader older than the trace has an unknown stretch */
static void test_sched__model_threads_summed(void **state)
{
	struct model *m = new_model();
	struct psc_sched_acct lead = { 0 }, thr = { 0 };
	struct sched_totals t;
	char stat[8];

	/* the leader is first seen 4 ms into the trace: [BASE, BASE+4ms) is unknown */
	sw_in(&lead, BASE + 4 * MS, 0);
	sw_out(&lead, BASE + 4 * MS, 1, T_RUNNING, 0, NULL);
	sw_in(&lead, BASE + 5 * MS, 0);
	sw_out(&lead, BASE + 15 * MS, 0, T_INTERRUPTIBLE, 0, NULL);
	/* a thread created in the trace: nothing unknown */
	psc_sched_wakeup_new(&thr, BASE + 6 * MS);
	sw_in(&thr, BASE + 6 * MS, 1);
	/* a periodic snapshot, then the thread's newer one; an older one arrives late */
	stats(m, PID + 1, BASE + 10 * MS, &thr, 0);
	sw_out(&thr, BASE + 26 * MS, 0, T_UNINTERRUPTIBLE, 0, NULL);
	stats(m, PID + 1, BASE + 30 * MS, &thr, PSC_SCHED_END);
	stats(m, PID + 1, BASE + 10 * MS, &thr, 0); /* out of order: ignored */
	stats(m, PID, BASE + 30 * MS, &lead, PSC_SCHED_END);
	m->end_ts = BASE + 30 * MS;

	sched_proc_totals(proc_of(m), m, m->end_ts, &t);
	assert_int_equal(t.threads, 2);
	assert_int_equal(t.t_ns[PSC_SST_RUNNING], 10 * MS + 20 * MS);
	assert_int_equal(t.t_ns[PSC_SST_RUNNABLE], 1 * MS);
	assert_int_equal(t.t_ns[PSC_SST_SLEEP], 15 * MS);
	assert_int_equal(t.t_ns[PSC_SST_BLOCKED], 4 * MS);
	assert_int_equal(t.unknown_ns, 4 * MS);
	assert_int_equal(t.window_ns, 30 * MS);
	assert_int_equal(t.cpus, 3);
	assert_int_equal(t.leader_state, PSC_SST_SLEEP);
	assert_string_equal(sched_stat_str(proc_of(m), &t, stat, sizeof(stat)), "SNl");
	model_free(m);
}

/* A snapshot taken before the end, of a thread that then stayed put: its state runs on */
static void test_sched__model_extends_last_state(void **state)
{
	struct model *m = new_model();
	struct psc_sched_acct a = { 0 };
	struct sched_totals t;

	psc_sched_wakeup_new(&a, BASE);
	sw_in(&a, BASE, 0);
	sw_out(&a, BASE + MS, 0, T_WAKEKILL | T_STOPPED_BIT, 0, NULL);
	stats(m, PID, BASE + 2 * MS, &a, 0);
	m->end_ts = BASE + 100 * MS;
	sched_proc_totals(proc_of(m), m, m->end_ts, &t);
	assert_int_equal(t.t_ns[PSC_SST_STOPPED], 99 * MS);
	assert_int_equal(t.leader_state, PSC_SST_STOPPED);
	model_free(m);
}

/* The end-of-trace record of PID's leader, never switched in the trace: @state since @since */
static void unseen_at_end(union psc_event *ev, __u32 state, __u64 since)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = PSC_EV_SCHED_STATS;
	ev->hdr.size = sizeof(ev->sched_stats);
	ev->hdr.ts_ns = BASE + 50 * MS;
	ev->hdr.tgid = PID;
	ev->hdr.tid = PID;
	ev->hdr.start_ns = START;
	ev->sched_stats.flags = PSC_SCHED_END | PSC_SCHED_UNSEEN;
	ev->sched_stats.state = state;
	ev->sched_stats.first_state = PSC_SST_UNKNOWN;
	ev->sched_stats.since_ns = since;
}

/* Never switched nor woken: the end record says which state it held all along */
static void test_sched__model_unseen_thread(void **state)
{
	struct model *m = new_model();
	struct sched_totals t;
	union psc_event ev;
	char stat[8];

	/* what the end-of-trace iterator writes for it: no times, its state, its start */
	unseen_at_end(&ev, PSC_SST_SLEEP, START);
	ev.sched_stats.nice = 5;
	assert_int_equal(model_apply(m, &ev), 0);
	m->end_ts = BASE + 50 * MS;
	sched_proc_totals(proc_of(m), m, m->end_ts, &t);
	assert_int_equal(t.t_ns[PSC_SST_SLEEP], 50 * MS);
	assert_int_equal(t.unknown_ns, 0);
	assert_string_equal(sched_stat_str(proc_of(m), &t, stat, sizeof(stat)), "SN");
	model_free(m);
}

/*
 * Never switched, queued for a CPU at the end: woken 10 ms before it (no hook runs at a
 * wake-up), so runnable since then, and the 40 ms before unknown, not runnable all along
 */
static void test_sched__model_unseen_woken_at_end(void **state)
{
	struct model *m = new_model();
	struct sched_totals t;
	union psc_event ev;

	unseen_at_end(&ev, PSC_SST_RUNNABLE, BASE + 40 * MS);
	assert_int_equal(model_apply(m, &ev), 0);
	m->end_ts = BASE + 50 * MS;
	sched_proc_totals(proc_of(m), m, m->end_ts, &t);
	assert_int_equal(t.t_ns[PSC_SST_RUNNABLE], 10 * MS);
	assert_int_equal(t.unknown_ns, 40 * MS);
	assert_int_equal(t.t_ns[PSC_SST_SLEEP], 0);
	model_free(m);
}

/* A seeded process with no sched record of its leader: its state is unknown, not guessed */
static void test_sched__model_unknown_leader(void **state)
{
	struct model *m = new_model();
	struct psc_sched_acct thr = { 0 };
	struct sched_totals t;
	char stat[8];

	sw_in(&thr, BASE + MS, 0);
	stats(m, PID + 1, BASE + 2 * MS, &thr, 0);
	m->end_ts = BASE + 3 * MS;
	sched_proc_totals(proc_of(m), m, m->end_ts, &t);
	assert_int_equal(t.leader_state, PSC_SST_UNKNOWN);
	assert_string_equal(sched_stat_str(proc_of(m), &t, stat, sizeof(stat)), "?");
	assert_int_equal(t.unknown_ns, MS);
	model_free(m);
}

/* A tid reused in the same process after its thread exited is a new thread */
static void test_sched__model_tid_reuse(void **state)
{
	struct model *m = new_model();
	struct psc_sched_acct a = { 0 }, b = { 0 };
	struct sched_totals t;

	psc_sched_wakeup_new(&a, BASE);
	sw_in(&a, BASE, 0);
	sw_exit(&a, BASE + 3 * MS);
	stats(m, PID + 7, BASE + 3 * MS, &a, 0);
	psc_sched_wakeup_new(&b, BASE + 10 * MS);
	sw_in(&b, BASE + 10 * MS, 0);
	sw_exit(&b, BASE + 15 * MS);
	stats(m, PID + 7, BASE + 15 * MS, &b, 0);
	m->end_ts = BASE + 20 * MS;
	sched_proc_totals(proc_of(m), m, m->end_ts, &t);
	assert_int_equal(t.threads, 2);
	assert_int_equal(t.t_ns[PSC_SST_RUNNING], 8 * MS);
	model_free(m);
}

/* The command procscope launched: its hold before exec is procscope's, not the program's */
static void test_sched__model_launched_counts_from_exec(void **state)
{
	struct model *m = new_model();
	struct psc_sched_acct a = { 0 };
	struct sched_totals t;
	struct proc *p = proctree_find(m->tree, PID, START);

	assert_non_null(p);
	p->flags |= PROC_F_LAUNCHED;
	/* released from procscope's pipe at +1 ms, runs its execve() until +2 ms */
	sw_in(&a, BASE + MS, 0);
	sw_out(&a, BASE + MS, 1, T_RUNNING, 0, NULL);
	sw_in(&a, BASE + MS + 100 * US, 0);
	a.flags |= PSC_SCHED_EXEC;
	stats(m, PID, BASE + 2 * MS, &a, 0);
	a.flags &= ~PSC_SCHED_EXEC;
	p->exec_ts = BASE + 2 * MS;
	/* the program: runs 10 ms, sleeps 5 ms, exits */
	sw_out(&a, BASE + 12 * MS, 0, T_INTERRUPTIBLE, 0, NULL);
	wake(&a, BASE + 17 * MS);
	sw_in(&a, BASE + 17 * MS, 0);
	sw_exit(&a, BASE + 17 * MS);
	stats(m, PID, BASE + 17 * MS, &a, 0);
	m->end_ts = BASE + 20 * MS;
	sched_proc_totals(proc_of(m), m, m->end_ts, &t);
	assert_int_equal(t.t_ns[PSC_SST_RUNNING], 10 * MS);
	assert_int_equal(t.t_ns[PSC_SST_RUNNABLE], 0);
	assert_int_equal(t.t_ns[PSC_SST_SLEEP], 5 * MS);
	assert_int_equal(t.unknown_ns, 0); /* the hold is not unknown: it is procscope's */
	assert_int_equal(t.window_ns, 18 * MS); /* from its exec to the end */
	model_free(m);
}

/* A fork storm keeps the newest finished processes only; their waits stay in the total */
static void test_sched__model_finished_bounded(void **state)
{
	struct model *m = new_model();
	struct sched_model *sm = model_group_state(m, PSC_GROUP_SCHED);
	struct sched_proc *sp;
	uint32_t i, n = SCHED_RETAIN_FINISHED + 76;
	union psc_event ev;
	size_t rows = 0;

	for (i = 0; i < n; i++) {
		struct psc_sched_acct a = { 0 };
		uint64_t t = BASE + i * MS;

		psc_sched_wakeup_new(&a, t);
		sw_in(&a, t + 10 * US, 0); /* one run-queue wait each */
		sw_exit(&a, t + 100 * US);
		memset(&ev, 0, sizeof(ev));
		ev.hdr.type = PSC_EV_SCHED_STATS;
		ev.hdr.size = sizeof(ev.sched_stats);
		ev.hdr.ts_ns = t + 100 * US;
		ev.hdr.tgid = 1000 + i;
		ev.hdr.tid = 1000 + i;
		ev.hdr.start_ns = t;
		psc_sched_snapshot(&a, t + 100 * US, &ev.sched_stats);
		assert_int_equal(model_apply(m, &ev), 0);
	}
	for (sp = sm->head; sp; sp = sp->next)
		rows++;
	assert_int_equal(rows, SCHED_RETAIN_FINISHED);
	assert_int_equal(sm->retired, 76);
	assert_int_equal(sm->rq_hist_retired[hist_bucket(10 * US)], 76);
	/* the oldest went first */
	assert_null(sched_model_find(sm, 1000, BASE));
	assert_non_null(sched_model_find(sm, 1000 + n - 1, BASE + (n - 1) * MS));
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_sched__state_index_of_every_state, reset_kthreads),
		cmocka_unit_test_setup(test_sched__switch_out_preempted_stays_runnable,
				       reset_kthreads),
		cmocka_unit_test_setup(test_sched__wakeup_from_sched_info, reset_kthreads),
		cmocka_unit_test_setup(test_sched__times_from_fork, reset_kthreads),
		cmocka_unit_test_setup(test_sched__first_seen_before_attach, reset_kthreads),
		cmocka_unit_test_setup(test_sched__migrations_and_cpus, reset_kthreads),
		cmocka_unit_test_setup(test_sched__clock_skew_never_negative, reset_kthreads),
		cmocka_unit_test_setup(test_sched__missed_switches_repaired, reset_kthreads),
		cmocka_unit_test_setup(test_sched__slices, reset_kthreads),
		cmocka_unit_test_setup(test_sched__slices_after_missed_hooks, reset_kthreads),
		cmocka_unit_test_setup(test_sched__hist_buckets, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_threads_summed, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_extends_last_state, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_unseen_thread, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_unseen_woken_at_end, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_unknown_leader, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_tid_reuse, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_finished_bounded, reset_kthreads),
		cmocka_unit_test_setup(test_sched__model_launched_counts_from_exec, reset_kthreads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
