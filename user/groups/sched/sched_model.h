/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The sched group's model: each traced thread's latest state-time snapshot (sched_stats),
 * summed per process, with the priority changes and stops it saw. Pure: no I/O.
 */
#ifndef __PSC_SCHED_MODEL_H
#define __PSC_SCHED_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include "hist.h"
#include "hmap.h"
#include "model.h"

/*
 * Processes whose threads have all exited keep their rows for the summary, the newest this
 * many (a fork storm would otherwise hold ~500 bytes per process until the table retires it);
 * older ones are folded into the trace-wide histogram and counted in retired.
 */
#define SCHED_RETAIN_FINISHED 1024

/* Per-process priority changes kept (older ones are counted, not kept) */
#define SCHED_MAX_CHANGES 64

struct sched_thread {
	uint32_t tid;
	struct psc_ev_sched_stats last; /* the newest snapshot */
	/* the launched command's snapshot at its exec: before it, procscope held it */
	struct psc_ev_sched_stats *at_exec;
	struct sched_thread *next;
};

struct sched_proc {
	uint32_t pid;
	uint64_t start_ns;
	const struct proc *p; /* NULL once retired from the process table */
	struct sched_thread *threads; /* newest first */
	uint32_t nthreads;
	struct psc_ev_sched_prio *changes; /* priority changes aimed at this process, in order */
	uint32_t nchanges;
	uint32_t changes_dropped;
	uint32_t stops; /* sched_state records into T/t */
	uint32_t conts;
	struct sched_proc *next; /* creation order */
	struct sched_proc *prev;
	struct sched_proc *fin_next; /* finished order (every thread exited) */
	bool finished;
};

/* A process's totals at @end (summed over its threads) */
struct sched_totals {
	uint64_t t_ns[PSC_SST_MAX]; /* thread-time per state, open intervals closed at @end */
	uint64_t unknown_ns; /* before a thread was first seen (older than the trace) */
	uint64_t lost_ns; /* away from the CPU in an unknown state: a switch-out was missed */
	uint64_t zombie_ns; /* the process's own, from the process table */
	uint64_t window_ns; /* its life inside the trace */
	uint64_t voluntary;
	uint64_t involuntary;
	uint64_t migrations;
	uint64_t cpus; /* bit per CPU */
	uint64_t rq_waits;
	uint64_t rq_max_ns;
	uint64_t rq_hist[HIST_BUCKETS];
	int32_t nice; /* the leader's (or any thread's) latest */
	uint32_t policy;
	uint32_t leader_state; /* PSC_SST_*: the leader thread's state at @end, or UNKNOWN */
	uint32_t threads;
	bool known; /* at least one snapshot */
};

struct sched_model {
	struct hmap procs; /* (pid, start) -> struct sched_proc */
	struct sched_proc *head, *tail;
	uint64_t records;
	struct sched_proc *fin_head, *fin_tail;
	size_t nfinished;
	uint64_t retired; /* processes dropped: retired from the process table, or finished long ago */
	uint64_t rq_hist_retired[HIST_BUCKETS]; /* their run-queue waits, still in the total */
};

struct sched_model *sched_model_new(void);
void sched_model_free(struct sched_model *sm);
/* Apply a sched event whose header names @owner. 0 or -ENOMEM. */
int sched_model_apply(struct sched_model *sm, struct model *m, const union psc_event *ev,
		      const struct proc *owner);
/* @p leaves the process table */
void sched_model_retire(struct sched_model *sm, const struct proc *p);
struct sched_proc *sched_model_find(const struct sched_model *sm, uint32_t pid, uint64_t start_ns);

/*
 * Sum @sp's threads up to @end (the end of the trace): times per state, the unknown stretch of
 * threads older than the trace (from max(trace start, process start) to their first sighting),
 * switches, CPUs, run-queue waits.
 */
void sched_proc_totals(const struct sched_proc *sp, const struct model *m, uint64_t end,
		       struct sched_totals *t);
/*
 * One thread's times up to @end. For the command procscope launched, from its exec: procscope
 * held it before (its snapshot at exec is subtracted, nothing is unknown).
 */
void sched_thread_times(const struct sched_thread *th, const struct sched_proc *sp,
			const struct model *m, uint64_t end, uint64_t t_ns[PSC_SST_MAX],
			uint64_t *unknown_ns);
/*
 * ps-style STAT of a process at the end: "R", "S", "D", "T", "t", "Z", "-" (reaped), "?"
 * (unknown), then "<" (nice < 0), "N" (nice > 0), "l" (threads). @buf >= 8 bytes.
 */
const char *sched_stat_str(const struct sched_proc *sp, const struct sched_totals *t, char *buf,
			   size_t size);

/* How the group draws on the timelines (sched_timeline.c; struct timeline_ops in timeline.h) */
struct timeline_ops;
extern const struct timeline_ops sched_timeline_ops;

#endif /* __PSC_SCHED_MODEL_H */
