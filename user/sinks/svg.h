/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A self-contained SVG picture of the trace (`--svg FILE`) for people who will not open a trace
 * viewer, and the marks an event group's timeline hook (timeline.h) records for it. Layout and
 * scaling are in docs/timeline.md.
 */
#ifndef __PSC_SVG_H
#define __PSC_SVG_H

#include "model.h"

#define SVG_WIDTH 1400 /* px; the time axis gets what the labels leave */
#define SVG_ROW_MAX 18 /* px per process row, shrinking with the row count ... */
#define SVG_ROW_MIN 8 /* ... down to this */
#define SVG_COLLAPSE_AT 40 /* more processes than this: idle ones fold into "+N more" rows */
#define SVG_ROWS_LIMIT 500 /* rows drawn at most; the rest is one "+N more" row */
#define SVG_WAITS_MAX 256 /* bands of one kind kept per process; "+N waits" counts the rest */
#define SVG_LINKS_MAX 1000 /* arrows kept (send -> wake...) */
#define SVG_KINDS_MAX 8 /* band and arrow kinds of all groups together */

/*
 * A sink that draws the trace as SVG at finish: the process tree down the left (with a command
 * or -p, the target's tree only: timeline_in_scope()), time across, lifetimes as bars, zombie
 * intervals, exec/exit/orphan markers, fork connectors, what each group's hook recorded (bands
 * such as epoll/poll waits, arrows such as send -> wake), a legend and a time axis. No scripts,
 * no external resources; every string from the traced system is escaped for XML (control
 * bytes shown as \xHH). Memory is bounded: per process and kind at most SVG_WAITS_MAX bands,
 * SVG_LINKS_MAX arrows in all, and what the sink keeps of a process goes when it retires from
 * the table; retired processes are counted in "+N ended earlier" rows under their parents.
 * @path is created at once (mode 0600, O_NOFOLLOW) and written at finish. Returns NULL with
 * errno set.
 */
struct sink *svg_sink_new(const char *path);

/* ---- for the groups' timeline hooks ---- */

struct svg;

enum svg_shape {
	SVG_BAND, /* an interval on a process's row */
	SVG_ARROW, /* from one row to another */
};

/* A kind of mark a group draws (struct timeline_ops.svg_kinds) */
struct svg_kind {
	enum svg_shape shape;
	const char *cls; /* CSS class, unique among all groups' kinds */
	const char *css; /* its rule, e.g. ".wt{fill:#f2b134}" */
	const char *legend; /* the legend's text */
	const char *noun; /* counted in tooltips and notes: "epoll/poll waits" */
	const char *more; /* "+N more" at the right when a process hit the cap: "waits" */
	float y0, h; /* band: top and height as fractions of the lifetime bar */
};

/* A band of @k on @p's row from @enter to @ret (CLOCK_BOOTTIME ns; @enter 0: unknown) */
void svg_band(struct svg *sv, const struct model *m, const struct proc *p, uint64_t enter,
	      uint64_t ret, const struct svg_kind *k);
/* An arrow of @k from @from's row at @t_from to @to's row at @t_to (CLOCK_BOOTTIME ns) */
void svg_arrow(struct svg *sv, const struct model *m, const struct proc *from, uint64_t t_from,
	       const struct proc *to, uint64_t t_to, const struct svg_kind *k);

#endif /* __PSC_SVG_H */
