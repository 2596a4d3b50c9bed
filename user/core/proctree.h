/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The process table and tree: fork, exec, exit, reparent, reap; zombie and orphan detection.
 * Pure: no I/O, never prints. Processes are keyed by (pid, start time), so pid reuse never
 * merges two processes.
 */
#ifndef __PSC_PROCTREE_H
#define __PSC_PROCTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "decode.h"

enum proc_state {
	PROC_ALIVE = 0,
	PROC_ZOMBIE = 1, /* exited, not reaped yet */
	PROC_REAPED = 2,
};

#define PROC_F_SEEDED (1u << 0) /* existed before the trace, read from /proc */
#define PROC_F_IMPLICIT (1u << 1) /* first met in another event: origin unknown */
#define PROC_F_START_APPROX (1u << 2) /* start_ns known to a clock tick only (/proc) */
#define PROC_F_ORPHANED (1u << 3) /* its parent exited while it lived */
#define PROC_F_AUTOREAP (1u << 4) /* released at exit: the parent ignores SIGCHLD */
#define PROC_F_REAP_BY_FREE (1u << 5) /* the reaping wait was not seen: reaped when freed */
#define PROC_F_EXITED (1u << 6) /* its exit was traced (exit_ts, exit_status valid) */
#define PROC_F_ADOPTED_BY_SUBREAPER (1u << 7)
#define PROC_F_FORKED (1u << 8) /* its fork was traced (fork_ts valid) */
/* a zombie when the trace began (-p of a zombie): exit_ts is when it was seen, a lower bound */
#define PROC_F_ZOMBIE_AT_START (1u << 12)
/*
 * In the traced tree (-p, a command): the root, marked by the session, and every process
 * forked or seeded under a member (inherited from the parent: O(1), exact at any depth)
 */
#define PROC_F_IN_TREE (1u << 16)
/* procscope itself (command mode): its waits and reaps are the tracer's, not the program's */
#define PROC_F_OWN (1u << 17)
/* the command procscope launched: held before its exec, so its life counts from its exec */
#define PROC_F_LAUNCHED (1u << 18)
/*
 * Retired from the table but still pointed to (a retired parent of a process still listed):
 * pid, start_ns, comm and the times stay valid; it is in no table, its own links are gone, and
 * it is freed with the last pointer to it. proc_is_retired() tells; pos is meaningless then.
 */
#define PROC_F_RETIRED (1u << 20)

struct proc {
	uint32_t pid;
	uint32_t flags; /* PROC_F_* */
	uint64_t start_ns; /* CLOCK_BOOTTIME of the leader's start */
	enum proc_state state;
	uint32_t exit_status; /* wait status */
	uint64_t fork_ts; /* CLOCK_BOOTTIME ns; valid with PROC_F_FORKED */
	uint64_t exit_ts; /* valid with PROC_F_EXITED */
	uint64_t reap_ts; /* valid when state == PROC_REAPED */
	uint64_t adopt_ts; /* valid with PROC_F_ORPHANED */
	uint64_t exec_ts; /* its first traced exec; 0 = none */
	char comm[PSC_COMM_LEN];
	char *filename; /* last exec'd file (or /proc/PID/exe for seeded ones), may be NULL */
	char *args; /* last exec's argv, NUL-separated (args_len bytes), may be NULL */
	uint32_t args_len;
	uint32_t nr_execs;
	uint32_t threads_live; /* besides the leader */
	uint32_t threads_total; /* threads created during the trace */
	uint32_t seq; /* creation order: a unique id, never reused */
	uint32_t pos; /* index in proctree_all() (changes when retired entries are compacted) */
	uint32_t nref; /* other entries pointing here (parent, fork_parent, old_parent, reaper) */
	uint32_t retired_kids; /* children retired from the table (see proctree_set_retain()) */
	uint64_t retired_kids_life_ns; /* their summed lifetimes */
	uint64_t born_tick; /* start_ns / tick when first met: with seq, the fork order key */
	struct proc *parent; /* current parent: changes when the process is orphaned */
	struct proc *fork_parent; /* who forked it; NULL when unknown */
	struct proc *old_parent; /* with PROC_F_ORPHANED: the parent that exited */
	struct proc *reaper; /* who reaped it (NULL: unknown or autoreaped) */
	/* children by current parent, for reparenting at the parent's exit */
	struct proc *child_head;
	struct proc *sib_prev;
	struct proc *sib_next;
	struct proc *hnext; /* pid hash chain */
	struct proc *reaped_next; /* reap order, for retirement */
};

struct proctree;

/* Callbacks for what the tree derives (orphans), called during proctree_apply() */
struct proctree_ops {
	void (*orphan)(void *ctx, const struct proc *child, const struct proc *old_parent,
		       const struct proc *new_parent, uint64_t ts);
	/* @p is about to be freed: drop every pointer to it */
	void (*retire)(void *ctx, const struct proc *p);
};

struct proctree_stats {
	uint64_t forks; /* processes */
	uint64_t thread_forks;
	uint64_t execs;
	uint64_t exits; /* processes */
	uint64_t thread_exits;
	uint64_t reaps; /* seen through wait4/waitid */
	uint64_t autoreaps;
	uint64_t reaps_by_free; /* reaper not seen */
	uint64_t orphans;
	uint64_t seeded;
	uint64_t implicit; /* processes met first in another event */
	uint64_t pid_reuse; /* a live entry was replaced by a new process with the same pid */
	uint64_t reap_unmatched; /* a reap of a pid with no zombie in the table */
	uint64_t retired; /* reaped entries freed to bound memory */
	uint64_t bad_links; /* fork parent links refused: they would have closed a loop */
	uint64_t tombstones; /* retired entries still pointed to (PROC_F_RETIRED), now */
	uint64_t steps; /* loop iterations of the table's upkeep: what a tree shape costs */
	uint64_t nomem;
};

/* Returns NULL with errno set */
struct proctree *proctree_new(const struct proctree_ops *ops, void *ctx);
void proctree_free(struct proctree *t);

/* Clock-tick length of /proc start times (default 10 ms), for matching seeded processes */
void proctree_set_tick_ns(struct proctree *t, uint64_t tick_ns);

/*
 * Bound memory on long traces: keep at most @plain reaped processes of no interest and @notable
 * ones (a zombie for 1 ms or more, an orphan, killed by a signal), retiring the oldest. 0 keeps
 * everything (the default). Retired children are counted in their fork parent (retired_kids).
 * An entry still pointed to leaves the table as a tombstone (PROC_F_RETIRED) that drops its
 * own links, so a chain of any depth costs O(1) per event and bounded memory.
 */
void proctree_set_retain(struct proctree *t, size_t plain, size_t notable);
/* Retire what the limits allow; called between events (pointers from sinks are stale after) */
void proctree_retire(struct proctree *t);

/*
 * Apply one event. *subject (if not NULL) gets the process the event is about: the child for a
 * fork, the reaped process for a reap (NULL if unknown). Returns 0 or -ENOMEM.
 */
int proctree_apply(struct proctree *t, const union psc_event *ev, const struct proc **subject);

struct proc *proctree_find(const struct proctree *t, uint32_t pid, uint64_t start_ns);
/* Find, or create as implicit (origin unknown); NULL only without memory (or pid 0) */
struct proc *proctree_get(struct proctree *t, uint32_t pid, uint64_t start_ns);
/* The newest process with @pid, whatever its state; NULL if none */
struct proc *proctree_find_pid(const struct proctree *t, uint32_t pid);

/* Every process, in creation order */
struct proc *const *proctree_all(const struct proctree *t, size_t *n);
const struct proctree_stats *proctree_stats(const struct proctree *t);

/* Retired but still pointed to: only its identity (pid, start_ns, comm) and times are valid */
static inline bool proc_is_retired(const struct proc *p)
{
	return p && (p->flags & PROC_F_RETIRED);
}

/* @p if it is in the table (proctree_all()), NULL if it is NULL or retired: for indexes by pos */
static inline const struct proc *proc_listed(const struct proc *p)
{
	return p && !(p->flags & PROC_F_RETIRED) ? p : NULL;
}

static inline bool proc_is_zombie(const struct proc *p)
{
	return p->state == PROC_ZOMBIE;
}

/* Is procscope the parent that must reap @p (the command it launched)? */
static inline bool proc_parent_is_tracer(const struct proc *p)
{
	return p->parent && (p->parent->flags & PROC_F_OWN);
}

/*
 * How long it was (or still is, at @now) a zombie; 0 if it never was, or if procscope was the
 * parent that had to reap it (that time is the tracer's, not the program's)
 */
uint64_t proc_zombie_ns(const struct proc *p, uint64_t now);
/*
 * Lifetime from start to exit (or @now if alive); for the command procscope launched, from its
 * first exec: the hold before it is procscope's (proc_held_ns())
 */
uint64_t proc_lifetime_ns(const struct proc *p, uint64_t now);
/* How long procscope held the command it launched before its exec; 0 for any other process */
uint64_t proc_held_ns(const struct proc *p);

#endif /* __PSC_PROCTREE_H */
