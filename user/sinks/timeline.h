/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the timeline sinks (perfetto.c, svg.c) share: the group hook through which an event
 * group draws its own events on both timelines, the scope (which processes are in the picture),
 * a per-process table that forgets retired processes, the tree order and the output file.
 * Layout of both files: docs/timeline.md.
 */
#ifndef __PSC_TIMELINE_H
#define __PSC_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hmap.h"
#include "model.h"

struct perfetto;
struct svg;
struct svg_kind;

/*
 * An event group's timeline hook: model_group_ops.timeline (NULL: the group draws nothing).
 * The process group is the sinks' own; every other group draws its events here, so a new
 * group touches its own folder only. Every member is optional.
 *
 * Perfetto: perfetto_event() gets every event the model applied (after the group's apply, so
 * the group's derived state and model->links are current) whose owner is in the picture, and
 * writes trace events with the primitives of perfetto.h: pf_slice() (a complete slice on a
 * thread's track, or on one of its lanes: PF_LANE_TID()), pf_instant(), pf_mark() and
 * pf_mark_at() (a short marker a flow can start from, found again by its timestamp),
 * pf_flow(), pf_async_begin()/_end() (an interval on its own track, may overlap anything) and
 * pf_track_slice() (a track outside the process tree, e.g. one per CPU). perfetto_finish() runs
 * at the end of the trace, before the names are written: close what is still open.
 *
 * SVG: svg_event() records what the picture needs with svg_band() (an interval on the
 * process's row) and svg_arrow() (between two rows), each with one of the group's svg_kinds
 * (CSS class and rule, legend text, caps). The SVG sink keeps the recorded marks bounded (per
 * process and kind, and in total), forgets them with the process, draws them at finish and
 * lists the kinds in the legend.
 *
 * @owner is the process the event's header names (never NULL).
 */
struct timeline_ops {
	void (*perfetto_event)(void *state, struct perfetto *pf, const struct model *m,
			       const union psc_event *ev, const struct proc *owner);
	void (*perfetto_finish)(void *state, struct perfetto *pf, const struct model *m);
	void (*svg_event)(void *state, struct svg *sv, const struct model *m,
			  const union psc_event *ev, const struct proc *owner);
	const struct svg_kind *svg_kinds;
	size_t nsvg_kinds;
};

/* ns since the trace start, 0 for anything before it */
static inline uint64_t timeline_rel(const struct model *m, uint64_t ts)
{
	return ts > m->meta.boottime_base_ns ? ts - m->meta.boottime_base_ns : 0;
}

/*
 * The title of the picture (@buf, NUL-terminated, not escaped): the command, "procscope demo
 * NAME" for a demo (not the internal re-exec), "pid N and its descendants" or "the whole
 * system".
 */
const char *timeline_title(const struct model *m, char *buf, size_t size);

/*
 * Per-process state of a sink, keyed by proc->seq, each entry @size bytes (calloc'd, starting
 * with struct timeline_entry). An entry is freed when its process retires from the table
 * (timeline_procs_del()), so memory follows the table, not the length of the trace.
 */
struct timeline_entry {
	int8_t scope; /* 0: not known yet; 1: in the picture; -1: not */
};

struct timeline_procs {
	struct hmap map;
	size_t size;
	uint32_t target_pid; /* meta.target_pid when the scope was fixed, 0: whole system */
	uint32_t target_seq; /* the target: the first process met with that pid */
	bool target_known;
};

void timeline_procs_init(struct timeline_procs *t, size_t entry_size);
/* Frees every entry (after @each, if not NULL, saw it) and the table */
void timeline_procs_free(struct timeline_procs *t, void (*each)(void *entry));
/* @p's entry, created (zeroed) if missing; NULL without memory */
void *timeline_procs_get(struct timeline_procs *t, const struct proc *p);
/* @p's entry or NULL */
void *timeline_procs_find(const struct timeline_procs *t, const struct proc *p);
/* Removes @p's entry and returns it (the caller frees it), or NULL */
void *timeline_procs_del(struct timeline_procs *t, const struct proc *p);

/*
 * Is @p in the picture? With a command or -p, the target and its descendants by fork (what the
 * text summary's tree shows: not the command's ancestors, nor procscope); system-wide, every
 * process. Remembered in @p's entry, so the walk up the fork parents stops at the first
 * process already decided: O(1) amortised. False without memory.
 */
bool timeline_in_scope(struct timeline_procs *t, const struct model *m, const struct proc *p);

/* One process in tree order */
struct timeline_row {
	const struct proc *p;
	uint32_t depth; /* 0 for a root */
};

/*
 * The processes of @m in the picture (timeline_in_scope(), when @t is not NULL) in tree order:
 * depth-first by who forked whom (fork_parent), siblings by start time, roots by start time.
 * *rows (caller frees) gets *n entries. Works on the table as it is, with retired processes
 * gone (indexes by proc->pos, never by seq). Returns 0 or -ENOMEM.
 */
int timeline_tree_order(const struct model *m, struct timeline_procs *t, struct timeline_row **rows,
			size_t *n);

/* ---- the output file: the shared writer (lib/outfile.h) behind a staging buffer ---- */

struct outfile;

/* An output file staged through a memory buffer; the first error sticks in err */
struct timeline_out {
	struct outfile *f;
	char *buf;
	size_t len;
	size_t cap;
	size_t flush_at; /* hand to the file once this much is staged */
	int err; /* 0 or -errno */
	bool closed;
};

/*
 * Open @path with outfile_open() (hardened, a temp file renamed into place at close; gzip or
 * zstd by the name's ending), @flags OUTFILE_*. Returns 0 or -errno.
 */
int timeline_out_open(struct timeline_out *o, const char *path, unsigned int flags);
/* Stage @n bytes; whole records only, as a failed write is cut back to what was staged before */
void timeline_out_write(struct timeline_out *o, const char *s, size_t n);
void timeline_out_printf(struct timeline_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Write out what is staged and make it readable; 0 or the sticky -errno */
int timeline_out_flush(struct timeline_out *o);
/* Write out and commit (rename into place) unless an error stuck; 0 or -errno. Safe twice. */
int timeline_out_close(struct timeline_out *o);
/* Free; a file never committed is removed (error paths, destroy) */
void timeline_out_free(struct timeline_out *o);

#endif /* __PSC_TIMELINE_H */
