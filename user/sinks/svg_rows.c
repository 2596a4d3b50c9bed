// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SVG's rows (docs/timeline.md): which processes get one, and drawing each row: the
 * lifetime bar, the zombie interval, the groups' bands, exec/exit/orphan marks, the tooltip;
 * then the fork connectors, adoptions and the groups' arrows over the rows, and the time axis.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "svg_int.h"

/* ---- which rows ---- */

/* Something happened to @p during the trace */
static bool is_active(const struct svg *sv, const struct proc *p)
{
	const struct sv_proc *sp = timeline_procs_find(&sv->procs, p);
	size_t k;

	if ((p->flags & (PROC_F_FORKED | PROC_F_EXITED | PROC_F_IMPLICIT | PROC_F_ORPHANED)) ||
	    p->nr_execs || p->state != PROC_ALIVE || p->retired_kids || (sp && sp->nexecs))
		return true;
	for (k = 0; sp && k < SVG_KINDS_MAX; k++)
		if (sp->total[k])
			return true;
	return false;
}

/* A folded subtree on the way down: idle processes and retired ones under the open row */
struct fold {
	uint32_t depth;
	uint64_t hidden;
	uint64_t retired;
};

static void fold_out(struct drow *d, size_t *nd, const struct fold *f, uint32_t depth)
{
	if (f->hidden)
		d[(*nd)++] = (struct drow){ .depth = depth, .more = f->hidden };
	if (f->retired)
		d[(*nd)++] = (struct drow){ .depth = depth, .more = f->retired, .retired = true };
}

/*
 * The rows to draw: the processes in the picture in tree order. Few: all of them. Many: those
 * with activity, their ancestors and the processes that adopted or reaped them; each run of
 * idle children folds into one "+N more" row under its parent. Children that retired from the
 * table (memory bound) are one "+N ended earlier" row right under theirs (those of a folded
 * process join its parent's folded rows). Past SVG_ROWS_LIMIT rows
 * the rest is one last "+N" row.
 */
int svg_pick_rows(struct svg *sv, const struct model *m, struct drow **out, size_t *nout,
		  size_t *nprocs, uint64_t *hidden_total, uint64_t *retired_total)
{
	struct timeline_row *rows = NULL;
	size_t n = 0, i, nd = 0, sp = 0, nall;
	bool *keep;
	struct drow *d = NULL;
	struct fold *stack = NULL, top = { 0 };
	int err = -ENOMEM;

	*hidden_total = *retired_total = 0;
	proctree_all(m->tree, &nall);
	keep = calloc(nall + 1, sizeof(*keep));
	if (!keep || timeline_tree_order(m, &sv->procs, &rows, &n))
		goto out;
	d = calloc(3 * n + 3, sizeof(*d));
	stack = calloc(n + 1, sizeof(*stack));
	if (!d || !stack)
		goto out;
	for (i = 0; i < n; i++) {
		const struct proc *p = rows[i].p;

		if (n > SVG_COLLAPSE_AT && !is_active(sv, p))
			continue;
		keep[p->pos] = true;
		if (proc_listed(p->reaper))
			keep[p->reaper->pos] = true;
		if ((p->flags & PROC_F_ORPHANED) && proc_listed(p->parent))
			keep[p->parent->pos] = true;
	}
	/* ancestors of whatever is kept, so the tree stays a tree (rows: parents come first) */
	for (i = n; i-- > 0;) {
		const struct proc *fp = proc_listed(rows[i].p->fork_parent);

		if (keep[rows[i].p->pos] && fp && fp != rows[i].p && rows[i].depth)
			keep[fp->pos] = true;
	}
	for (i = 0; i <= n; i++) {
		uint32_t depth = i < n ? rows[i].depth : 0;
		const struct proc *p = i < n ? rows[i].p : NULL;

		/* leaving a kept process's subtree: its folded children come last */
		while (sp && (i == n || stack[sp - 1].depth >= depth)) {
			sp--;
			fold_out(d, &nd, &stack[sp], stack[sp].depth + 1);
		}
		if (i == n)
			break;
		*retired_total += p->retired_kids;
		if (keep[p->pos]) {
			/* the children that retired were the first ones: right under the parent */
			d[nd++] = (struct drow){ .p = p, .depth = depth };
			if (p->retired_kids)
				d[nd++] = (struct drow){ .depth = depth + 1,
							 .more = p->retired_kids,
							 .retired = true };
			stack[sp++] = (struct fold){ .depth = depth };
		} else {
			struct fold *f = sp ? &stack[sp - 1] : &top;

			f->hidden++;
			f->retired += p->retired_kids;
			(*hidden_total)++;
		}
	}
	fold_out(d, &nd, &top, 0);
	if (nd > SVG_ROWS_LIMIT) {
		uint64_t rest = 0;

		for (i = SVG_ROWS_LIMIT - 1; i < nd; i++)
			if (!d[i].retired)
				rest += d[i].p ? 1 : d[i].more;
		*hidden_total += rest;
		d[SVG_ROWS_LIMIT - 1] = (struct drow){ .depth = 0, .more = rest };
		nd = SVG_ROWS_LIMIT;
	}
	*out = d;
	*nout = nd;
	*nprocs = n;
	d = NULL;
	err = 0;
out:
	free(keep);
	free(rows);
	free(stack);
	free(d);
	return err;
}

/* ---- drawing ---- */

double svg_xpos(const struct layout *L, uint64_t t)
{
	if (t > L->t_end)
		t = L->t_end;
	return X0 + (double)t * (X1 - X0) / (double)L->t_end;
}

double svg_row_y(const struct layout *L, size_t r)
{
	return TOP + (double)r * L->h;
}

/* 1, 2 or 5 times a power of ten, in ns, giving 6 to 15 ticks */
static uint64_t tick_step(uint64_t t_end)
{
	uint64_t raw = t_end / 8, mag = 1;

	if (!raw)
		return 1;
	while (mag <= raw / 10)
		mag *= 10;
	if (mag >= raw)
		return mag;
	if (2 * mag >= raw)
		return 2 * mag;
	if (5 * mag >= raw)
		return 5 * mag;
	return 10 * mag;
}

/* A tick label in the largest unit the range reaches ("250ms", "1.5s", "40us": ASCII, as the text) */
static const char *tick_label(uint64_t v, uint64_t step, uint64_t t_end, char *buf, size_t size)
{
	uint64_t unit = t_end >= 1000000000ull ? 1000000000ull :
			t_end >= 1000000ull    ? 1000000ull :
			t_end >= 1000ull       ? 1000ull :
						 1;
	const char *name = unit == 1000000000ull ? "s" :
			   unit == 1000000ull	 ? "ms" :
			   unit == 1000ull	 ? "us" :
						   "ns";
	int dec = 0;
	uint64_t scale = 1;

	if (!v) {
		snprintf(buf, size, "0");
		return buf;
	}
	/* as many decimals as the step needs (a step is at least unit / 8) */
	while (dec < 3 && (step * scale) % unit) {
		dec++;
		scale *= 10;
	}
	if (!dec)
		snprintf(buf, size, "%" PRIu64 "%s", v / unit, name);
	else
		snprintf(buf, size, "%" PRIu64 ".%0*" PRIu64 "%s", v / unit, dec,
			 (v % unit) * scale / unit, name);
	return buf;
}

void svg_axis(struct timeline_out *o, const struct layout *L, double y_label, double y_top,
	      double y_bottom, bool grid)
{
	uint64_t step = tick_step(L->t_end), t;
	char b[32];

	for (t = 0; t <= L->t_end; t += step) {
		double x = svg_xpos(L, t);

		if (grid)
			timeline_out_printf(
				o,
				"<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\"/>\n",
				x, y_top, x, y_bottom);
		timeline_out_printf(o, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x,
				    y_label, tick_label(t, step, L->t_end, b, sizeof(b)));
		if (t > UINT64_MAX - step)
			break;
	}
}

static bool zombie_at_start(const struct proc *p, const struct sv_proc *sp)
{
	return sp && sp->zombie_at_start && !(p->flags & PROC_F_EXITED);
}

static const char *ended(const struct proc *p, const struct sv_proc *sp, char *buf, size_t size)
{
	char st[64];

	if (zombie_at_start(p, sp))
		snprintf(buf, size, "%s", p->state == PROC_ZOMBIE ? "zombie" : "zombie, reaped");
	else if (p->flags & PROC_F_EXITED)
		snprintf(buf, size, "%s%s", wstatus_describe(p->exit_status, st, sizeof(st)),
			 p->state == PROC_ZOMBIE ? ", zombie" : "");
	else if (p->state == PROC_ZOMBIE)
		snprintf(buf, size, "zombie");
	else if (p->state == PROC_REAPED)
		snprintf(buf, size, "gone");
	else
		snprintf(buf, size, "running");
	return buf;
}

static bool has_zombie(const struct proc *p, const struct sv_proc *sp)
{
	if (zombie_at_start(p, sp))
		return true;
	/* procscope reaps the command it launched as it exits: that time is the tracer's */
	if ((p->flags & PROC_F_AUTOREAP) || proc_parent_is_tracer(p))
		return false;
	if (p->state == PROC_ZOMBIE)
		return true;
	return (p->flags & PROC_F_EXITED) && p->state == PROC_REAPED && p->reap_ts > p->exit_ts;
}

static void tooltip(struct timeline_out *o, const struct model *m, const struct svg *sv,
		    const struct proc *p, const struct sv_proc *sp)
{
	char t[TEXT_MAX * 2], a[96], b[96], d[32], e[64], file[PSC_PATH_LEN * 4 + 8];
	size_t n = 0, k;

	n += (size_t)snprintf(t + n, sizeof(t) - n, "%s", svg_who(a, sizeof(a), p, SIZE_MAX));
	if (p->filename) {
		svg_vis_cstr(file, sizeof(file), p->filename, PSC_PATH_LEN, 200);
		n += (size_t)snprintf(t + n, sizeof(t) - n, " %s", file);
	}
	n += (size_t)snprintf(
		t + n, sizeof(t) - n, "; %s %.6f s",
		p->start_ns < m->meta.boottime_base_ns ? "running before the trace, at" : "started",
		(double)timeline_rel(m, p->start_ns) / 1e9);
	if (p->fork_parent && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n, ", forked by %s",
				      svg_who(a, sizeof(a), p->fork_parent, SIZE_MAX));
	if ((p->flags & PROC_F_EXITED) && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n, "; %s at %.6f s, lived %s",
				      wstatus_describe(p->exit_status, e, sizeof(e)),
				      (double)timeline_rel(m, p->exit_ts) / 1e9,
				      duration_fmt(proc_lifetime_ns(p, m->end_ts), d, sizeof(d)));
	if (has_zombie(p, sp) && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n, "; zombie for %s%s%s",
				      duration_fmt(proc_zombie_ns(p, m->end_ts), d, sizeof(d)),
				      p->state == PROC_ZOMBIE ? " (not reaped at the end)" :
								", reaped by ",
				      p->state == PROC_ZOMBIE ? "" :
				      p->reaper ? svg_who(b, sizeof(b), p->reaper, SIZE_MAX) :
						  "(not traced)");
	if ((p->flags & PROC_F_ORPHANED) && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n,
				      "; orphaned at %.6f s when %s exited, "
				      "adopted by %s",
				      (double)timeline_rel(m, p->adopt_ts) / 1e9,
				      svg_who(a, sizeof(a), p->old_parent, SIZE_MAX),
				      svg_who(b, sizeof(b), p->parent, SIZE_MAX));
	for (k = 0; sp && k < sv->nkinds && n < sizeof(t); k++)
		if (sp->total[k])
			n += (size_t)snprintf(t + n, sizeof(t) - n, "; %" PRIu64 " %s",
					      sp->total[k], sv->kinds[k]->noun);
	OUT(o, "<title>");
	svg_xml_put(o, t);
	OUT(o, "</title>\n");
}

/* The bands of kind @k, merged where they fall within half a pixel: one rect per stretch */
static void draw_bands(struct timeline_out *o, const struct layout *L, const struct svg *sv,
		       const struct sv_proc *sp, uint32_t k, double y, double bh)
{
	const struct svg_kind *kind = sv->kinds[k];
	double run_a = -1, run_b = -1;
	uint32_t i;

	for (i = 0; i <= sp->nbands; i++) {
		double a, b;

		if (i < sp->nbands && sp->bands[i].kind != k)
			continue;
		a = i < sp->nbands ? svg_xpos(L, sp->bands[i].a) : 1e9;
		b = i < sp->nbands ? svg_xpos(L, sp->bands[i].b) : 1e9;
		if (run_a >= 0 && a <= run_b + 0.5) {
			if (b > run_b)
				run_b = b;
			continue;
		}
		if (run_a >= 0)
			timeline_out_printf(
				o,
				"<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\"/>\n",
				kind->cls, run_a, y + bh * kind->y0,
				run_b - run_a < 0.8 ? 0.8 : run_b - run_a, bh * kind->h);
		run_a = a;
		run_b = b;
	}
}

void svg_draw_proc(struct timeline_out *o, const struct layout *L, const struct model *m,
		   const struct svg *sv, const struct drow *r, size_t row)
{
	const struct proc *p = r->p;
	const struct sv_proc *sp = timeline_procs_find(&sv->procs, p);
	double y = svg_row_y(L, row), by = y + L->h * 0.18, bh = L->h * 0.64, mid = y + L->h / 2;
	uint32_t depth = r->depth < INDENT_LEVELS ? r->depth : INDENT_LEVELS;
	double lx = 8 + depth * INDENT, a, b;
	size_t max_cps = (size_t)((LABEL_W - lx - 4) * 10 / (6 * L->fs));
	char label[TEXT_MAX], st[96], note[160];
	uint32_t i;
	size_t n;

	timeline_out_printf(o, "<g class=\"proc\" data-pid=\"%u\" data-seq=\"%u\">\n", p->pid,
			    p->seq);
	tooltip(o, m, sv, p, sp);
	timeline_out_printf(o, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" font-size=\"%d\">", lx,
			    mid + L->fs * 0.35, L->fs);
	svg_xml_put(o, svg_who(label, sizeof(label), p, max_cps ? max_cps : 1));
	OUT(o, "</text>\n");
	/* the lifetime: start (or the trace start) to exit, or on to the end */
	a = svg_xpos(L, timeline_rel(m, p->start_ns));
	if (p->flags & PROC_F_EXITED)
		b = svg_xpos(L, timeline_rel(m, p->exit_ts));
	else if (zombie_at_start(p, sp) || p->state == PROC_ZOMBIE)
		b = a = -1; /* exited before the trace */
	else if (p->state == PROC_REAPED)
		b = svg_xpos(L, timeline_rel(m, p->reap_ts));
	else
		b = X1;
	if (a >= 0)
		timeline_out_printf(o,
				    "<rect class=\"run\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>\n",
				    a, by, b - a < 1 ? 1 : b - a, bh);
	if (has_zombie(p, sp)) {
		double za = (p->flags & PROC_F_EXITED) ? svg_xpos(L, timeline_rel(m, p->exit_ts)) :
							 X0;
		double zb = p->state == PROC_REAPED ? svg_xpos(L, timeline_rel(m, p->reap_ts)) : X1;

		timeline_out_printf(o,
				    "<rect class=\"zom\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>\n",
				    za, by, zb - za < 1 ? 1 : zb - za, bh);
	}
	for (i = 0; sp && i < sv->nkinds; i++)
		if (sv->kinds[i]->shape == SVG_BAND && sp->kept[i])
			draw_bands(o, L, sv, sp, i, by, bh);
	for (i = 0; sp && i < sp->nexecs; i++)
		timeline_out_printf(o,
				    "<rect class=\"exe\" x=\"%.1f\" y=\"%.1f\" width=\"1.4\" "
				    "height=\"%.1f\"/>\n",
				    svg_xpos(L, sp->execs[i]) - 0.7, by, bh);
	if (p->flags & PROC_F_EXITED) {
		struct wstatus ws;
		double x = svg_xpos(L, timeline_rel(m, p->exit_ts));

		wstatus_decode(p->exit_status, &ws);
		if (ws.signaled)
			timeline_out_printf(o,
					    "<path class=\"sig\" d=\"M%.1f,%.1f l%.1f,%.1f l%.1f,0 "
					    "z\"/>\n",
					    x, mid, -bh * 0.45, -bh * 0.6, bh * 0.9);
		else
			timeline_out_printf(
				o,
				"<rect class=\"ext\" x=\"%.1f\" y=\"%.1f\" width=\"1.6\" "
				"height=\"%.1f\"/>\n",
				x - 0.8, y + 1, L->h - 2);
	}
	if (p->flags & PROC_F_ORPHANED) {
		double x = svg_xpos(L, timeline_rel(m, p->adopt_ts)),
		       s = bh * 0.5 < 5 ? bh * 0.5 : 5;

		timeline_out_printf(o,
				    "<path class=\"orp\" d=\"M%.1f,%.1f l%.1f,%.1f l%.1f,%.1f "
				    "l%.1f,%.1f z\"/>\n",
				    x, mid - s, s, s, -s, s, -s, -s);
	}
	ended(p, sp, st, sizeof(st));
	n = (size_t)snprintf(note, sizeof(note), "%s", st);
	for (i = 0; sp && i < sv->nkinds && n < sizeof(note); i++)
		if (sp->total[i] > sp->kept[i])
			n += (size_t)snprintf(note + n, sizeof(note) - n, " +%" PRIu64 " %s",
					      sp->total[i] - sp->kept[i], sv->kinds[i]->more);
	timeline_out_printf(o, "<text class=\"st\" x=\"%d\" y=\"%.1f\" font-size=\"%d\">", X1 + 8,
			    mid + L->fs * 0.35, L->fs);
	svg_xml_put(o, svg_cut_cps(note, sizeof(note), (size_t)((RIGHT_W - 4) * 10 / (6 * L->fs))));
	OUT(o, "</text>\n</g>\n");
}

void svg_draw_more(struct timeline_out *o, const struct layout *L, const struct drow *r, size_t row)
{
	uint32_t depth = r->depth < INDENT_LEVELS ? r->depth : INDENT_LEVELS;
	double y = svg_row_y(L, row);

	timeline_out_printf(o, "<g class=\"more\" data-%s=\"%" PRIu64 "\">\n",
			    r->retired ? "retired" : "hidden", r->more);
	timeline_out_printf(o,
			    "<text class=\"more\" x=\"%d\" y=\"%.1f\" font-size=\"%d\">+%" PRIu64
			    " %s</text>\n</g>\n",
			    8 + depth * INDENT, y + L->h / 2 + L->fs * 0.35, L->fs, r->more,
			    r->retired ? "ended earlier (not kept: memory bound)" :
					 "more without activity");
}

/* Fork connectors, adoptions and send -> wake arrows, over the rows */
void svg_draw_links(struct timeline_out *o, const struct layout *L, const struct model *m,
		    const struct svg *sv, const struct drow *d, size_t nd)
{
	size_t i;

	for (i = 0; i < nd; i++) {
		const struct proc *p = d[i].p;
		int pr;
		double x;

		if (!p)
			continue;
		if ((p->flags & PROC_F_FORKED) && proc_listed(p->fork_parent) &&
		    (pr = L->row_of[p->fork_parent->pos]) >= 0) {
			x = svg_xpos(L, timeline_rel(m, p->fork_ts));
			timeline_out_printf(
				o,
				"<line class=\"frk\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\"/>\n",
				x, svg_row_y(L, (size_t)pr) + L->h / 2, x,
				svg_row_y(L, i) + L->h * 0.18);
		}
		if ((p->flags & PROC_F_ORPHANED) && proc_listed(p->parent) &&
		    (pr = L->row_of[p->parent->pos]) >= 0) {
			x = svg_xpos(L, timeline_rel(m, p->adopt_ts));
			timeline_out_printf(
				o,
				"<line class=\"adp\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\"/>\n",
				x, svg_row_y(L, (size_t)pr) + L->h / 2, x,
				svg_row_y(L, i) + L->h / 2);
		}
	}
	for (i = 0; i < sv->nlinks; i++) {
		const struct sv_link *l = &sv->links[i];
		uintptr_t from = (uintptr_t)hmap_get(&L->rows_by_seq, l->from);
		uintptr_t to = (uintptr_t)hmap_get(&L->rows_by_seq, l->to);

		/* a process retired from the table, or outside the picture, has no row */
		if (!from-- || !to--)
			continue;
		timeline_out_printf(o,
				    "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				    "y2=\"%.1f\" marker-end=\"url(#arr)\"/>\n",
				    sv->kinds[l->kind]->cls, svg_xpos(L, l->t_from),
				    svg_row_y(L, (size_t)from) + L->h / 2, svg_xpos(L, l->t_to),
				    svg_row_y(L, (size_t)to) + L->h / 2);
	}
}
