/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the Perfetto sink: its state, shared by perfetto.c (the sink: dispatch, names, end),
 * perfetto_emit.c (tracks, placement, the primitives of perfetto.h) and perfetto_proc.c (the
 * process group: lifetimes, zombies, fork/exec/exit/reap/orphan).
 */
#ifndef __PSC_PERFETTO_INT_H
#define __PSC_PERFETTO_INT_H

#include "hmap.h"
#include "json_writer.h"
#include "perfetto.h"
#include "timeline.h"

#define PF_SENDS 8 /* markers remembered per thread, to bind late flow starts to */
#define PF_LANES 128
#define PF_AUX_GROUPS 8
#define PF_AUX_SEQ 0xffffff00u /* track keys of process-less groups: (PF_AUX_SEQ + g) << 32 */
#define PF_AUX_PID 0x7fff0000u /* their pseudo pids */
#define PF_REUSE_PID 0x40000000u /* track ids of a reused pid's later processes (pid_max is 2^22) */

/* One track (a thread, a lane of it, or an aux track): where the next slice may go */
struct pf_thread {
	uint32_t seq; /* the process (proc->seq) */
	uint32_t tid; /* with the lane in the top bits (PF_LANE_TID) */
	uint32_t order; /* creation order in the process: thread_sort_index */
	uint32_t nmarks;
	uint64_t floor; /* rel ns: the next slice starts here or later */
	uint64_t max_end; /* rel ns: the end of everything placed (the lifetime covers it) */
	struct {
		uint64_t ts; /* rel ns the marker is for */
		uint64_t at; /* where it was placed */
	} marks[PF_SENDS];
	struct pf_thread *next; /* the process's other tracks */
};

#define PFP_LIFE (1u << 0) /* lifetime slice written (or none is due) */
#define PFP_ZOMBIE_OPEN (1u << 1) /* zombie 'b' written, 'e' due */
#define PFP_ZOMBIE_DONE (1u << 2)

/* Per process (struct timeline_procs entry) */
struct pf_proc {
	struct timeline_entry e;
	uint32_t flags; /* PFP_* */
	uint32_t nthreads;
	uint32_t track_pid; /* its process track: the pid, or PF_REUSE_PID + n for a reused one */
	uint32_t __pad;
	struct pf_thread *threads;
};

struct perfetto {
	struct sink sink;
	struct timeline_out out;
	struct jw w;
	struct hmap threads; /* (seq << 32 | tid) -> struct pf_thread */
	struct timeline_procs procs; /* struct pf_proc */
	const char *lanes[PF_LANES];
	char *aux[PF_AUX_GROUPS]; /* names of the process-less track groups */
	uint64_t next_flow;
	bool started; /* the trace-info instant is written */
	bool any; /* an event follows the "[": the next needs a comma */
	uint64_t written; /* trace events */
	uint64_t flows;
	uint64_t flows_dropped;
	uint64_t slices_moved; /* started a little later than recorded, to keep nesting valid */
	uint64_t slices_dropped;
	uint64_t retired; /* processes named when they left the table */
	struct hmap pid_seen; /* pids a process of the trace had its track under (value 1) */
	uint32_t reused; /* track ids given out above PF_REUSE_PID */
};

/* perfetto_emit.c */
struct pf_proc *pf_proc(struct perfetto *pf, const struct proc *p);
/*
 * The track id ("pid" of the events) of @p: its pid for the first process of the trace with
 * it, a new id above PF_REUSE_PID for a later one, so a reused pid gets a track of its own
 */
uint32_t pf_pid(struct perfetto *pf, const struct proc *p);
uint32_t pf_proc_pid(struct perfetto *pf, const struct proc *p, struct pf_proc *pp);
struct pf_thread *pf_thread(struct perfetto *pf, const struct model *m, const struct proc *p,
			    uint32_t tid);
void pf_fail(struct perfetto *pf, int err);
/* Start a trace event object: "ph", "name", "cat", "pid", "tid", "ts" (pid 0: none) */
struct jw *pf_begin(struct perfetto *pf, const char *ph, const char *name, const char *cat,
		    uint32_t pid, uint32_t tid, uint64_t ts);
/* process_name/thread_name ("M") and their sort indexes */
void pf_meta_name(struct perfetto *pf, const char *what, uint32_t pid, uint32_t tid,
		  const char *name);
void pf_meta_sort(struct perfetto *pf, const char *what, uint32_t pid, uint32_t tid,
		  uint64_t index);
/* Name the non-main tracks of @p (its threads and lanes) */
void pf_name_threads(struct perfetto *pf, const struct proc *p, struct pf_proc *pp);
/* Thread @tid of @p exited: name its tracks now and forget them (memory follows live threads) */
void pf_thread_gone(struct perfetto *pf, const struct proc *p, uint32_t tid);

/* perfetto_proc.c: the process group */
void pf_proc_event(struct perfetto *pf, const struct model *m, const union psc_event *ev,
		   const struct proc *subject);
void pf_proc_orphan(struct perfetto *pf, const struct model *m, const struct proc *child,
		    const struct proc *old_parent, const struct proc *new_parent, uint64_t ts);
/* Bring the written record of @p up to date (at the end: close what is open) */
void pf_sync_proc(struct perfetto *pf, const struct model *m, const struct proc *p, bool at_end);

#endif /* __PSC_PERFETTO_INT_H */
