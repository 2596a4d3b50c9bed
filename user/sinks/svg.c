// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SVG timeline (docs/timeline.md). Drawing waits for finish, when the time range is known;
 * during the trace only what the process tree does not keep is recorded, with caps: exec
 * times, the groups' bands and arrows (through their timeline hooks), losses. What is kept of a
 * process goes when it retires from the table. No printing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format.h"
#include "svg_int.h"

/* ---- recording ---- */

/* Every group's kinds, in registry order, so the legend is the same in every picture */
static void learn_kinds(struct svg *sv, const struct model *m)
{
	size_t i, k;

	if (sv->kinds_known)
		return;
	sv->kinds_known = true;
	for (i = 0; i < m->ngroups; i++) {
		const struct timeline_ops *tl = m->groups[i]->timeline;

		for (k = 0; tl && k < tl->nsvg_kinds && sv->nkinds < SVG_KINDS_MAX; k++)
			sv->kinds[sv->nkinds++] = &tl->svg_kinds[k];
	}
}

static int kind_index(struct svg *sv, const struct model *m, const struct svg_kind *k)
{
	size_t i;

	learn_kinds(sv, m);
	for (i = 0; i < sv->nkinds; i++)
		if (sv->kinds[i] == k)
			return (int)i;
	return -1; /* past SVG_KINDS_MAX: not drawn */
}

void svg_band(struct svg *sv, const struct model *m, const struct proc *p, uint64_t enter,
	      uint64_t ret, const struct svg_kind *k)
{
	int ki = kind_index(sv, m, k);
	struct sv_proc *sp;
	uint64_t b = timeline_rel(m, ret), a = enter ? timeline_rel(m, enter) : b;

	if (ki < 0 || !p || !timeline_in_scope(&sv->procs, m, p))
		return;
	sp = timeline_procs_get(&sv->procs, p);
	if (!sp) {
		sv->err = -ENOMEM;
		return;
	}
	sp->total[ki]++;
	if (sp->kept[ki] == SVG_WAITS_MAX) {
		if (!sp->capped)
			sv->capped++;
		sp->capped = true;
		return;
	}
	if (sp->nbands == sp->cap) {
		uint32_t cap = sp->cap ? sp->cap * 2 : 16;
		struct sv_band *nb = realloc(sp->bands, cap * sizeof(*nb));

		if (!nb) {
			sv->err = -ENOMEM;
			return;
		}
		sp->bands = nb;
		sp->cap = cap;
	}
	sp->bands[sp->nbands++] =
		(struct sv_band){ .a = a < b ? a : b, .b = b, .kind = (uint32_t)ki };
	sp->kept[ki]++;
}

void svg_arrow(struct svg *sv, const struct model *m, const struct proc *from, uint64_t t_from,
	       const struct proc *to, uint64_t t_to, const struct svg_kind *k)
{
	int ki = kind_index(sv, m, k);

	if (ki < 0 || !to || !timeline_in_scope(&sv->procs, m, to))
		return;
	sv->arrows_total[ki]++;
	if (!from || !timeline_in_scope(&sv->procs, m, from) || sv->nlinks >= SVG_LINKS_MAX)
		return;
	if (!sv->links) {
		sv->links = calloc(SVG_LINKS_MAX, sizeof(*sv->links));
		if (!sv->links) {
			sv->err = -ENOMEM;
			return;
		}
	}
	sv->links[sv->nlinks++] = (struct sv_link){ .from = from->seq,
						    .to = to->seq,
						    .kind = (uint32_t)ki,
						    .t_from = timeline_rel(m, t_from),
						    .t_to = timeline_rel(m, t_to) };
	sv->arrows_kept[ki]++;
}

static void svg_event(struct sink *s, const struct model *m, const union psc_event *ev,
		      const struct proc *subject)
{
	struct svg *sv = (struct svg *)s;
	struct sv_proc *sp;
	size_t i;

	learn_kinds(sv, m);
	/* decides the scope early (the target is the first process met with its pid) */
	if (!subject || !timeline_in_scope(&sv->procs, m, subject))
		return;
	switch (ev->hdr.type) {
	case PSC_EV_PROC_SEED:
		/* the tree forgets this once the zombie is released */
		if (ev->seed.state == 'Z' && !(subject->flags & PROC_F_EXITED)) {
			sp = timeline_procs_get(&sv->procs, subject);
			if (sp)
				sp->zombie_at_start = true;
		}
		return;
	case PSC_EV_PROC_EXEC:
		sp = timeline_procs_get(&sv->procs, subject);
		if (sp && sp->nexecs < SVG_EXECS_MAX)
			sp->execs[sp->nexecs++] = timeline_rel(m, ev->hdr.ts_ns);
		return;
	default:
		break;
	}
	if (ev->hdr.type < PSC_EV_EPOLL_CREATE)
		return;
	for (i = 0; i < m->ngroups; i++) {
		const struct timeline_ops *tl = m->groups[i]->timeline;

		if (tl && tl->svg_event)
			tl->svg_event(m->group_state[i], sv, m, ev, subject);
	}
}

static void svg_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		     uint64_t total)
{
	struct svg *sv = (struct svg *)s;

	sv->lost_total += total;
	if (sv->nlosses < SVG_LOSSES_MAX)
		sv->losses[sv->nlosses++] = timeline_rel(m, ts);
}

static void free_proc(void *entry)
{
	free(((struct sv_proc *)entry)->bands);
}

/* @p leaves the table: its row is gone (counted in its parent's "+N ended earlier") */
static void svg_retire(struct sink *s, const struct model *m, const struct proc *p)
{
	struct svg *sv = (struct svg *)s;
	struct sv_proc *sp = timeline_procs_del(&sv->procs, p);

	if (sp)
		free_proc(sp);
	free(sp);
}

/* ---- the page ---- */

static const char svg_style[] =
	"<style>\n"
	".bg{fill:#ffffff}.alt{fill:#f3f5f7}.grid{stroke:#e1e5ea;stroke-width:1}\n"
	".axis{stroke:#8a939d;stroke-width:1}.tick{fill:#4a525a;font-size:10px;"
	"text-anchor:middle}\n"
	".ttl{font-size:16px;font-weight:bold;fill:#1d2329}.sub{font-size:11px;fill:#4a525a}\n"
	".lbl{fill:#1d2329}.more{fill:#6b737b;font-style:italic}.st{fill:#4a525a}\n"
	".run{fill:#4e79a7}.zom{fill:#e15759}\n"
	".exe{fill:#ffffff;stroke:#1d2329;stroke-width:0.4}.ext{fill:#1d2329}.sig{fill:#9c0d38}\n"
	".orp{fill:#b07aa1;stroke:#4d2444;stroke-width:0.6}\n"
	".frk{stroke:#8f969d;stroke-width:0.8}\n"
	".adp{stroke:#b07aa1;stroke-width:1.2;stroke-dasharray:3 2}\n"
	".loss{fill:#9c0d38}.leg{font-size:11px;fill:#1d2329}.note{font-size:11px;fill:#4a525a}\n";
/* then each group kind's rule, and: */
static const char svg_defs[] =
	"</style>\n"
	"<defs><marker id=\"arr\" markerWidth=\"5\" markerHeight=\"5\" refX=\"4.5\" "
	"refY=\"2.5\" orient=\"auto\"><path d=\"M0,0 L5,2.5 L0,5 z\" fill=\"#59a14f\"/></marker>"
	"</defs>\n";

/* A legend swatch and its text (@o NULL: measure only); returns the x after it */
static double legend_item(struct timeline_out *o, double x, double y, const char *cls,
			  const char *shape, const char *text)
{
	if (!o)
		return x + 28 + strlen(text) * 6.7 + 22;
	if (!strcmp(shape, "bar"))
		timeline_out_printf(o,
				    "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"22\" "
				    "height=\"9\"/>\n",
				    cls, x, y - 8);
	else if (!strcmp(shape, "band"))
		timeline_out_printf(o,
				    "<rect class=\"run\" x=\"%.1f\" y=\"%.1f\" width=\"22\" "
				    "height=\"9\"/><rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
				    "width=\"14\" height=\"4.5\"/>\n",
				    x, y - 8, cls, x + 4, y - 3.5);
	else if (!strcmp(shape, "tick"))
		timeline_out_printf(o,
				    "<rect class=\"run\" x=\"%.1f\" y=\"%.1f\" width=\"22\" "
				    "height=\"9\"/><rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
				    "width=\"1.6\" height=\"11\"/>\n",
				    x, y - 8, cls, x + 10, y - 9);
	else if (!strcmp(shape, "tri"))
		timeline_out_printf(o, "<path class=\"%s\" d=\"M%.1f,%.1f l-5,-7 l10,0 z\"/>\n",
				    cls, x + 11, y);
	else if (!strcmp(shape, "diamond"))
		timeline_out_printf(o,
				    "<path class=\"%s\" d=\"M%.1f,%.1f l5,5 l-5,5 l-5,-5 z\"/>\n",
				    cls, x + 11, y - 9);
	else
		timeline_out_printf(o,
				    "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				    "y2=\"%.1f\"%s/>\n",
				    cls, x, y - 4, x + 22, y - 4,
				    !strcmp(shape, "arrow") ? " marker-end=\"url(#arr)\"" : "");
	timeline_out_printf(o, "<text class=\"leg\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 28, y,
			    text);
	return x + 28 + strlen(text) * 6.7 + 22;
}

/* The legend and notes from @y down (@o NULL: measure only); returns the y below them */
static double legend(struct timeline_out *o, double y, const struct svg *sv, const struct model *m,
		     uint64_t hidden, uint64_t retired, size_t nprocs)
{
	static const struct {
		const char *cls, *shape, *text;
	} items[] = {
		{ "run", "bar", "running" },
		{ "zom", "bar", "zombie: exited, not yet reaped" },
		{ "exe", "tick", "exec" },
		{ "ext", "tick", "exit" },
		{ "sig", "tri", "killed by a signal" },
		{ "orp", "diamond", "orphaned (dashed: from the adopter)" },
		{ "frk", "line", "fork (from the parent)" },
	};
	size_t nitems = sizeof(items) / sizeof(items[0]), i;
	double x = 10;
	char arrows[256] = "";
	size_t na = 0;

	/* the built-in marks, then each group's kinds */
	for (i = 0; i < nitems + sv->nkinds; i++) {
		const struct svg_kind *k = i < nitems ? NULL : sv->kinds[i - nitems];
		const char *text = k ? k->legend : items[i].text;
		double w = 28 + strlen(text) * 6.7 + 22;

		if (x + w > SVG_WIDTH - 10) {
			x = 10;
			y += 18;
		}
		x = legend_item(o, x, y, k ? k->cls : items[i].cls,
				k ? (k->shape == SVG_BAND ? "band" : "arrow") : items[i].shape,
				text);
	}
	y += 22;
	if (!o)
		return y + 15 * (2 + (hidden != 0) + (retired != 0) +
				 (sv->lost_total || m->stats.lost));
	for (i = 0; i < sv->nkinds && na < sizeof(arrows); i++)
		if (sv->kinds[i]->shape == SVG_ARROW)
			na += (size_t)snprintf(arrows + na, sizeof(arrows) - na,
					       " Arrows drawn: %" PRIu64 " of %" PRIu64 " %s.",
					       sv->arrows_kept[i], sv->arrows_total[i],
					       sv->kinds[i]->noun);
	timeline_out_printf(o,
			    "<text class=\"note\" x=\"10\" y=\"%.1f\">Times count from the trace "
			    "start; processes that existed before it start at 0. Hover a row for "
			    "details.</text>\n",
			    y);
	y += 15;
	timeline_out_printf(o,
			    "<text class=\"note\" x=\"10\" y=\"%.1f\">Bands drawn: at most %d per "
			    "process and kind (%" PRIu64
			    " processes had more: \"+N\" on the right)."
			    "%s</text>\n",
			    y, SVG_WAITS_MAX, sv->capped, arrows);
	y += 15;
	if (hidden) {
		timeline_out_printf(
			o,
			"<text class=\"note\" x=\"10\" y=\"%.1f\">%" PRIu64 " of %zu "
			"processes are folded into \"+N more\" rows: no activity during "
			"the trace (or past the %d-row limit).</text>\n",
			y, hidden, nprocs, SVG_ROWS_LIMIT);
		y += 15;
	}
	if (retired) {
		timeline_out_printf(
			o,
			"<text class=\"note\" x=\"10\" y=\"%.1f\">%" PRIu64 " processes ended "
			"earlier and were let go to bound memory (procscope keeps the newest %d "
			"ended processes, and %d notable ones): counted in \"+N ended earlier\" "
			"rows under their parents.</text>\n",
			y, retired, MODEL_RETAIN_PLAIN, MODEL_RETAIN_NOTABLE);
		y += 15;
	}
	if (sv->lost_total || m->stats.lost) {
		timeline_out_printf(
			o,
			"<text class=\"note\" x=\"10\" y=\"%.1f\" fill=\"#9c0d38\">%" PRIu64
			" events were lost (ring buffer full; red marks on the axis): the "
			"picture is incomplete.</text>\n",
			y, m->stats.lost ? m->stats.lost : sv->lost_total);
		y += 15;
	}
	return y;
}

static void header(struct timeline_out *o, const struct model *m, size_t nprocs, size_t nrows)
{
	const struct trace_meta *t = &m->meta;
	char text[TEXT_MAX * 2], v[TEXT_MAX], d[32], when[64] = "";
	uint64_t span = m->end_ts > t->boottime_base_ns ? m->end_ts - t->boottime_base_ns : 0;

	timeline_title(m, text, sizeof(text));
	svg_vis_cstr(v, sizeof(v), text, sizeof(text), 150);
	snprintf(text, sizeof(text), "procscope timeline: %s", v);
	OUT(o, "<text class=\"ttl\" x=\"10\" y=\"24\">");
	svg_xml_put(o, text);
	OUT(o, "</text>\n");
	if (t->realtime_base_ns) {
		time_t secs = (time_t)(t->realtime_base_ns / 1000000000ull);
		struct tm tm;

		if (gmtime_r(&secs, &tm))
			strftime(when, sizeof(when), ", started %Y-%m-%d %H:%M:%S UTC", &tm);
	}
	svg_vis_cstr(v, sizeof(v), t->hostname, sizeof(t->hostname), 60);
	snprintf(text, sizeof(text), "%s traced%s%s%s; %zu processes, %zu rows",
		 duration_fmt(span, d, sizeof(d)), when, v[0] ? " on " : "", v, nprocs, nrows);
	OUT(o, "<text class=\"sub\" x=\"10\" y=\"42\">");
	svg_xml_put(o, text);
	if (t->kernel[0]) {
		svg_vis_cstr(v, sizeof(v), t->kernel, sizeof(t->kernel), 60);
		OUT(o, " (Linux ");
		svg_xml_put(o, v);
		OUT(o, ")");
	}
	OUT(o, "</text>\n");
}

static int render(struct svg *sv, const struct model *m)
{
	struct timeline_out *o = &sv->out;
	struct layout L = { 0 };
	struct drow *d = NULL;
	size_t nd = 0, i, nall, nprocs = 0;
	uint64_t hidden = 0, retired = 0, last;
	double height;
	int err;

	proctree_all(m->tree, &nall);
	err = svg_pick_rows(sv, m, &d, &nd, &nprocs, &hidden, &retired);
	if (err)
		return err;
	hmap_init(&L.rows_by_seq);
	L.row_of = malloc((nall + 1) * sizeof(*L.row_of));
	if (!L.row_of) {
		free(d);
		return -ENOMEM;
	}
	for (i = 0; i < nall; i++)
		L.row_of[i] = -1;
	for (i = 0; i < nd; i++)
		if (d[i].p) {
			L.row_of[d[i].p->pos] = (int)i;
			if (hmap_put(&L.rows_by_seq, d[i].p->seq, (void *)(uintptr_t)(i + 1)))
				err = -ENOMEM;
		}
	/*
	 * The axis ends just after the last event: a trace runs on a little after its command
	 * (procscope notices on a timer, adopters get time to reap), and that tail would squeeze
	 * the picture. What is still open then runs to the right edge; the subtitle gives the
	 * whole length.
	 */
	L.t_end = timeline_rel(m, m->end_ts);
	last = m->last_ts ? timeline_rel(m, m->last_ts) : 0;
	if (last && last + last / 50 < L.t_end)
		L.t_end = last + last / 50;
	if (L.t_end < 1000)
		L.t_end = 1000;
	L.nrows = nd;
	L.h = nd ? (double)ROWS_TARGET_H / (double)nd : SVG_ROW_MAX;
	if (L.h > SVG_ROW_MAX)
		L.h = SVG_ROW_MAX;
	if (L.h < SVG_ROW_MIN)
		L.h = SVG_ROW_MIN;
	L.fs = L.h >= 14 ? 11 : (int)L.h - 2;
	if (L.fs < 7)
		L.fs = 7;
	L.y_end = svg_row_y(&L, nd);
	height = legend(NULL, L.y_end + 40, sv, m, hidden, retired, nprocs) + 8;

	timeline_out_printf(o,
			    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			    "viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\" "
			    "data-time-end-ns=\"%" PRIu64 "\">\n"
			    "<title>procscope timeline</title>\n%s",
			    SVG_WIDTH, (int)height, SVG_WIDTH, (int)height, L.t_end, svg_style);
	for (i = 0; i < sv->nkinds; i++)
		timeline_out_printf(o, "%s\n", sv->kinds[i]->css);
	timeline_out_printf(o,
			    "%s<rect class=\"bg\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>\n",
			    svg_defs, SVG_WIDTH, (int)height);
	header(o, m, nprocs, nd);
	for (i = 1; i < nd; i += 2)
		timeline_out_printf(o,
				    "<rect class=\"alt\" x=\"0\" y=\"%.1f\" width=\"%d\" "
				    "height=\"%.1f\"/>\n",
				    svg_row_y(&L, i), SVG_WIDTH, L.h);
	svg_axis(o, &L, TOP - 10, TOP - 6, L.y_end, true);
	timeline_out_printf(o,
			    "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
			    "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
			    X0, TOP - 2, X1, TOP - 2, X0, L.y_end + 2, X1, L.y_end + 2);
	for (i = 0; i < sv->nlosses; i++)
		timeline_out_printf(o, "<path class=\"loss\" d=\"M%.1f,%d l-4,-6 l8,0 z\"/>\n",
				    svg_xpos(&L, sv->losses[i]), TOP - 2);
	for (i = 0; i < nd; i++) {
		if (d[i].p)
			svg_draw_proc(o, &L, m, sv, &d[i], i);
		else
			svg_draw_more(o, &L, &d[i], i);
	}
	OUT(o, "<g class=\"links\">\n");
	svg_draw_links(o, &L, m, sv, d, nd);
	OUT(o, "</g>\n");
	svg_axis(o, &L, L.y_end + 14, 0, 0, false);
	OUT(o, "<g class=\"legend\">\n");
	legend(o, L.y_end + 40, sv, m, hidden, retired, nprocs);
	OUT(o, "</g>\n");
	OUT(o, "</svg>\n");
	free(L.row_of);
	hmap_free(&L.rows_by_seq);
	free(d);
	return err ? err : o->err;
}

static int svg_finish(struct sink *s, const struct model *m)
{
	struct svg *sv = (struct svg *)s;
	int err = sv->err;

	learn_kinds(sv, m);
	if (!err)
		err = render(sv, m);
	if (err && !sv->out.err)
		sv->out.err = err;
	err = timeline_out_close(&sv->out);
	return err;
}

static void svg_destroy(struct sink *s)
{
	struct svg *sv = (struct svg *)s;

	timeline_out_free(&sv->out);
	timeline_procs_free(&sv->procs, free_proc);
	free(sv->links);
	free(sv);
}

struct sink *svg_sink_new(const char *path)
{
	struct svg *sv = calloc(1, sizeof(*sv));
	int err;

	if (!sv)
		return NULL;
	timeline_procs_init(&sv->procs, sizeof(struct sv_proc));
	/* created now, so a bad path fails before the trace rather than after it */
	err = timeline_out_open(&sv->out, path, 0);
	if (err) {
		timeline_procs_free(&sv->procs, NULL);
		free(sv);
		errno = -err;
		return NULL;
	}
	sv->out.flush_at = 256u << 10;
	sv->sink.event = svg_event;
	sv->sink.lost = svg_lost;
	sv->sink.retire = svg_retire;
	sv->sink.finish = svg_finish;
	sv->sink.destroy = svg_destroy;
	return &sv->sink;
}
