/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the SVG sink: its state, shared by svg.c (the sink: recording, the page, legend and
 * header), svg_rows.c (which rows, and drawing them) and svg_text.c (visible, XML-escaped text).
 */
#ifndef __PSC_SVG_INT_H
#define __PSC_SVG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include "svg.h"
#include "timeline.h"

#define SVG_EXECS_MAX 4
#define SVG_LOSSES_MAX 64
#define LABEL_W 300 /* tree column */
#define RIGHT_W 150 /* how each process ended */
#define X0 (LABEL_W + 10)
#define X1 (SVG_WIDTH - RIGHT_W - 10)
#define TOP 78 /* the first row */
#define ROWS_TARGET_H 1800 /* rows shrink to fit about this height, down to SVG_ROW_MIN */
#define INDENT 8 /* px per tree level ... */
#define INDENT_LEVELS 16 /* ... up to this depth */
#define TEXT_MAX 1024

/* A string literal, without counting its bytes by hand */
#define OUT(o, lit) timeline_out_write((o), (lit), sizeof(lit) - 1)

struct sv_band {
	uint64_t a; /* rel ns */
	uint64_t b;
	uint32_t kind; /* index in svg->kinds */
};

/* Per process (struct timeline_procs entry) */
struct sv_proc {
	struct timeline_entry e;
	struct sv_band *bands;
	uint32_t nbands;
	uint32_t cap;
	uint64_t total[SVG_KINDS_MAX]; /* bands recorded, by kind */
	uint32_t kept[SVG_KINDS_MAX];
	uint64_t execs[SVG_EXECS_MAX]; /* rel ns */
	uint32_t nexecs;
	bool zombie_at_start; /* seeded from /proc in state Z: no lifetime, a zombie from 0 */
	bool capped; /* counted in svg->capped */
};

struct sv_link {
	uint32_t from; /* seq */
	uint32_t to;
	uint32_t kind;
	uint64_t t_from; /* rel ns */
	uint64_t t_to;
};

struct svg {
	struct sink sink;
	struct timeline_out out;
	struct timeline_procs procs; /* struct sv_proc */
	const struct svg_kind *kinds[SVG_KINDS_MAX]; /* every group's, in registry order */
	size_t nkinds;
	bool kinds_known;
	uint64_t arrows_total[SVG_KINDS_MAX];
	uint64_t arrows_kept[SVG_KINDS_MAX];
	struct sv_link *links;
	size_t nlinks;
	uint64_t capped; /* processes that had more bands than were kept */
	uint64_t losses[SVG_LOSSES_MAX]; /* rel ns */
	size_t nlosses;
	uint64_t lost_total;
	int err; /* -ENOMEM while recording */
};

/* One drawn row: a process, or folded ones (p == NULL): idle, or retired from the table */
struct drow {
	const struct proc *p;
	uint32_t depth;
	uint64_t more;
	bool retired; /* "+N ended earlier" */
};

struct layout {
	uint64_t t_end; /* rel ns at the right edge */
	double h; /* row height */
	int fs; /* label font size */
	int *row_of; /* by proc->pos: drawn row, or -1 */
	struct hmap rows_by_seq; /* proc->seq -> row + 1 (arrows name processes by seq) */
	size_t nrows;
	double y_end;
};

/* svg_text.c */
char *svg_vis_cstr(char *dst, size_t dstsz, const char *s, size_t max, size_t max_cps);
char *svg_cut_cps(char *s, size_t size, size_t max_cps);
void svg_xml_put(struct timeline_out *o, const char *s);
char *svg_who(char *buf, size_t size, const struct proc *p, size_t max_cps);

/* svg_rows.c */
/* The rows; *nprocs gets the number of processes in the picture */
int svg_pick_rows(struct svg *sv, const struct model *m, struct drow **out, size_t *nout,
		  size_t *nprocs, uint64_t *hidden_total, uint64_t *retired_total);
double svg_xpos(const struct layout *L, uint64_t t);
double svg_row_y(const struct layout *L, size_t r);
void svg_axis(struct timeline_out *o, const struct layout *L, double y_label, double y_top,
	      double y_bottom, bool grid);
void svg_draw_proc(struct timeline_out *o, const struct layout *L, const struct model *m,
		   const struct svg *sv, const struct drow *r, size_t row);
void svg_draw_more(struct timeline_out *o, const struct layout *L, const struct drow *r,
		   size_t row);
void svg_draw_links(struct timeline_out *o, const struct layout *L, const struct model *m,
		    const struct svg *sv, const struct drow *d, size_t nd);

#endif /* __PSC_SVG_INT_H */
