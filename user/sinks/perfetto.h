/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Perfetto / Chrome Trace Event Format sink (`--perfetto FILE`), and the primitives an event
 * group's timeline hook (struct timeline_ops, timeline.h) writes its events with. The layout of
 * the JSON is documented in docs/timeline.md.
 */
#ifndef __PSC_PERFETTO_H
#define __PSC_PERFETTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

/*
 * A sink writing a Chrome Trace Event Format file (JSON array format) that ui.perfetto.dev and
 * chrome://tracing open: one track per process and thread, a slice per process lifetime, async
 * zombie slices, fork/exec/exit/orphan instants, flow arrows (fork -> child), and what each
 * group's hook adds (epoll/poll waits, unix send -> the wait it woke). With a command or -p,
 * only the target's tree is drawn (timeline_in_scope()). Events are streamed to @path as they
 * come; names are written when a process retires from the table and at finish, with the tree
 * order. gzip when @path ends in ".gz". @path is created with mode 0600 and never through a
 * symlink (O_NOFOLLOW). Memory follows the process table. Returns NULL with errno set.
 */
struct sink *perfetto_sink_new(const char *path);

/* ---- for the groups' timeline hooks ---- */

struct perfetto;
struct jw;

/*
 * Length of the marker slices that flow arrows start from (fork, unix send): short enough that
 * the thread cannot have done anything else in between (a syscall return alone takes longer).
 */
#define PF_MARK_NS 100u

/*
 * A lane of thread @tid: a track of its own under the process (named "comm (tid) NAME",
 * pf_lane_name()), for intervals that may overlap the thread's slices (e.g. scheduler states).
 * Lanes 1..127; tids stay below 2^22 (pid_max).
 */
#define PF_LANE_TID(tid, lane) ((uint32_t)(tid) | ((uint32_t)(lane) << 24))
/* Name lane @lane (once, before use; @name is not copied: a literal). 0 or -EINVAL. */
int pf_lane_name(struct perfetto *pf, uint32_t lane, const char *name);

/*
 * A complete slice [*a, *b] (ns since the trace start, timeline_rel()) on the track of thread
 * @tid (or a lane) of @p. Slices on one track never overlap: one that starts before the
 * previous one ended is moved later, or dropped when it also ended before (NULL). Otherwise
 * *a, *b are where it went, and the returned writer holds an open event object with ph, name,
 * cat, pid, tid, ts, dur and (if not NULL) cname: add fields (pf_args() opens "args"; close it
 * with jw_obj_end()), then pf_end().
 */
struct jw *pf_slice(struct perfetto *pf, const struct model *m, const struct proc *p, uint32_t tid,
		    uint64_t *a, uint64_t *b, const char *name, const char *cat, const char *cname);
/*
 * A slice [a, a + dur] nested inside the slice pf_slice() just placed on (@p, @tid): it must lie
 * within it (the caller checks). Add fields, then pf_end().
 */
struct jw *pf_slice_inside(struct perfetto *pf, const struct proc *p, uint32_t tid, uint64_t a,
			   uint64_t dur, const char *name, const char *cat, const char *cname);
/* A thread-scoped instant at @ts (rel ns); add fields, then pf_end() */
struct jw *pf_instant(struct perfetto *pf, const struct proc *p, uint32_t tid, uint64_t ts,
		      const char *name, const char *cat);
/*
 * A PF_MARK_NS marker slice at @ts (rel ns) on thread @tid of @p for a flow to start from
 * (cname black), never dropped: it moves after what the thread did last. *at (if not NULL) gets
 * where a flow may start inside it. Remembered by @ts (the last 8 per thread) for pf_mark_at().
 * Add fields, then pf_end(). NULL without memory.
 */
struct jw *pf_mark(struct perfetto *pf, const struct model *m, const struct proc *p, uint32_t tid,
		   uint64_t ts, const char *name, const char *cat, uint64_t *at);
/* Where a flow may start inside the marker pf_mark() placed for @ts on (@p, @tid) */
bool pf_mark_at(struct perfetto *pf, const struct proc *p, uint32_t tid, uint64_t ts, uint64_t *at);
/*
 * A flow arrow from @s_ts on (@sp, @stid) to @f_ts on (@fp, @ftid): both points must lie
 * strictly inside slices of those threads, and @f_ts > @s_ts.
 */
void pf_flow(struct perfetto *pf, const char *name, const char *cat, const struct proc *sp,
	     uint32_t stid, uint64_t s_ts, const struct proc *fp, uint32_t ftid, uint64_t f_ts);
/* @n flows could not be drawn (counted in the trace end's flows_dropped) */
void pf_flows_dropped(struct perfetto *pf, uint64_t n);
/*
 * An async interval of process @p on its own track named @name, which may overlap anything:
 * begin at @ts (rel ns), later end. @id tells concurrent intervals of the same @cat and @name
 * apart; begin and end must agree on all three. Add fields, then pf_end().
 */
struct jw *pf_async_begin(struct perfetto *pf, const struct proc *p, const char *name,
			  const char *cat, uint64_t id, uint64_t ts);
struct jw *pf_async_end(struct perfetto *pf, const struct proc *p, const char *name,
			const char *cat, uint64_t id, uint64_t ts);
/*
 * A slice [*a, *b] on track @track of a process-less group of tracks @group (e.g. "CPUs",
 * track "CPU 3"), placed as pf_slice() does. Up to 8 groups; names are copied on first use.
 */
struct jw *pf_track_slice(struct perfetto *pf, const char *group, uint32_t track,
			  const char *track_name, uint64_t *a, uint64_t *b, const char *name,
			  const char *cat, const char *cname);
/* Open "args": { in the event being written */
void pf_args(struct jw *w);
/* "key": ns as microseconds with three decimals */
void pf_kv_us(struct jw *w, const char *key, uint64_t ns);
/* "key": "comm (pid)" */
void pf_kv_proc(struct jw *w, const char *key, const struct proc *p);
/* Close the event object and stage it */
void pf_end(struct perfetto *pf);
/* "comm (pid)", or "?" for NULL */
const char *pf_proc_name(const struct proc *p, char *buf, size_t size);

#endif /* __PSC_PERFETTO_H */
