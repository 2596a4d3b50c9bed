// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The SVG timeline (docs/timeline.md). Drawing waits for finish, when the time range is known;
 * during the trace only what the process tree does not keep is recorded, with caps: waits per
 * process, exec times, send -> wake links, losses. Everything from the traced system goes
 * through vis_text() (printable UTF-8 only, else \xHH) and then xml_put() (&<>"' as entities),
 * so the document is well-formed XML whatever the names hold. No printing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format.h"
#include "perfetto.h"
#include "strutil.h"
#include "svg.h"

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

struct sv_wait {
	uint64_t a; /* rel ns */
	uint64_t b;
};

struct sv_proc {
	struct sv_wait *waits;
	uint32_t nwaits;
	uint32_t cap;
	uint64_t waits_total;
	uint64_t execs[SVG_EXECS_MAX]; /* rel ns */
	uint32_t nexecs;
	bool zombie_at_start; /* seeded from /proc in state Z: no lifetime, a zombie from 0 */
};

struct sv_link {
	uint32_t from; /* sender seq */
	uint32_t to; /* waiter seq */
	uint64_t send; /* rel ns */
	uint64_t wake;
};

struct svg {
	struct sink sink;
	struct timeline_out out;
	struct sv_proc *procs; /* by proc->seq */
	size_t cap_procs;
	struct sv_link *links;
	size_t nlinks;
	uint64_t links_total;
	uint64_t losses[SVG_LOSSES_MAX]; /* rel ns */
	size_t nlosses;
	uint64_t lost_total;
	int err; /* -ENOMEM while recording */
};

/* One drawn row: a process, or "+N more" folded ones (p == NULL) */
struct drow {
	const struct proc *p;
	uint32_t depth;
	uint64_t more;
};

struct layout {
	uint64_t t_end; /* rel ns at the right edge */
	double h; /* row height */
	int fs; /* label font size */
	int *row_of; /* by seq: drawn row, or -1 */
	size_t nrows;
	double y_end;
};

static uint64_t rel(const struct model *m, uint64_t ts)
{
	return ts > m->meta.boottime_base_ns ? ts - m->meta.boottime_base_ns : 0;
}

/* ---- text: visible, then XML-escaped ---- */

/*
 * @n bytes of @s as visible UTF-8 in @dst (NUL-terminated): printable characters pass, a
 * backslash doubles, and every byte of a control character (C0, DEL, C1), a character XML
 * forbids (U+FFFE, U+FFFF) or invalid UTF-8 is shown as \xHH. At most @max_cps characters:
 * a longer text ends in "…". Returns @dst.
 */
static char *vis_text(char *dst, size_t dstsz, const char *s, size_t n, size_t max_cps)
{
	size_t i = 0, o = 0, cps = 0, cut_o = 0;
	uint32_t cp;

	dst[0] = '\0';
	while (i < n && s[i]) {
		size_t len = utf8_decode(s + i, n - i, &cp), need;
		char tmp[16];

		if (len && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f) &&
		    cp != 0xfffe && cp != 0xffff) {
			if (cp == '\\') {
				memcpy(tmp, "\\\\", 2);
				need = 2;
			} else {
				memcpy(tmp, s + i, len);
				need = len;
			}
		} else {
			len = 1;
			need = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned char)s[i]);
		}
		/* the text shown so far stops where "…" would still fit */
		if (cps + 1 == max_cps)
			cut_o = o;
		if (cps >= max_cps || o + need + 4 > dstsz) {
			o = cps >= max_cps ? cut_o : o;
			memcpy(dst + o, "\xe2\x80\xa6", 3);
			dst[o + 3] = '\0';
			return dst;
		}
		memcpy(dst + o, tmp, need);
		o += need;
		dst[o] = '\0';
		cps++;
		i += len;
	}
	return dst;
}

/* Cut visible (valid UTF-8) text @s to @max_cps characters, the last one "…" */
static char *cut_cps(char *s, size_t size, size_t max_cps)
{
	size_t o = 0, cps = 0, cut = 0;

	while (s[o]) {
		size_t len = utf8_decode(s + o, strlen(s + o), NULL);

		if (!len)
			len = 1;
		if (cps + 1 == max_cps)
			cut = o;
		if (cps == max_cps) {
			if (cut + 4 > size)
				cut = 0;
			memcpy(s + cut, "\xe2\x80\xa6", 4); /* with the NUL */
			return s;
		}
		cps++;
		o += len;
	}
	return s;
}

static char *vis_cstr(char *dst, size_t dstsz, const char *s, size_t max, size_t max_cps)
{
	return vis_text(dst, dstsz, s ? s : "", s ? strnlen(s, max) : 0, max_cps);
}

/* Text for XML content and attribute values: the five special characters as entities */
static void xml_put(struct timeline_out *o, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *ent;

		switch (*s) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&apos;";
			break;
		default:
			continue;
		}
		timeline_out_write(o, run, (size_t)(s - run));
		timeline_out_write(o, ent, strlen(ent));
		run = s + 1;
	}
	timeline_out_write(o, run, (size_t)(s - run));
}

/* "comm (pid)", visible */
static char *who(char *buf, size_t size, const struct proc *p, size_t max_cps)
{
	char comm[PSC_COMM_LEN * 4 + 8];

	if (!p) {
		snprintf(buf, size, "?");
		return buf;
	}
	vis_cstr(comm, sizeof(comm), p->comm, PSC_COMM_LEN, SIZE_MAX);
	snprintf(buf, size, "%s (%u)", comm, p->pid);
	return cut_cps(buf, size, max_cps);
}

/* ---- recording ---- */

static struct sv_proc *sv_proc(struct svg *sv, const struct proc *p)
{
	if (!p)
		return NULL;
	if (p->seq >= sv->cap_procs) {
		size_t cap = sv->cap_procs ? sv->cap_procs : 256;
		struct sv_proc *np;

		while (cap <= p->seq)
			cap *= 2;
		np = realloc(sv->procs, cap * sizeof(*np));
		if (!np) {
			sv->err = -ENOMEM;
			return NULL;
		}
		memset(np + sv->cap_procs, 0, (cap - sv->cap_procs) * sizeof(*np));
		sv->procs = np;
		sv->cap_procs = cap;
	}
	return &sv->procs[p->seq];
}

static const struct sv_proc *sv_get(const struct svg *sv, const struct proc *p)
{
	return p && p->seq < sv->cap_procs ? &sv->procs[p->seq] : NULL;
}

static void add_wait(struct svg *sv, const struct model *m, const struct proc *p, uint64_t enter,
		     uint64_t ret)
{
	struct sv_proc *sp = sv_proc(sv, p);
	uint64_t b = rel(m, ret), a = enter ? rel(m, enter) : b;

	if (!sp)
		return;
	sp->waits_total++;
	if (sp->nwaits == SVG_WAITS_MAX)
		return;
	if (sp->nwaits == sp->cap) {
		uint32_t cap = sp->cap ? sp->cap * 2 : 16;
		struct sv_wait *w;

		if (cap > SVG_WAITS_MAX)
			cap = SVG_WAITS_MAX;
		w = realloc(sp->waits, cap * sizeof(*w));
		if (!w) {
			sv->err = -ENOMEM;
			return;
		}
		sp->waits = w;
		sp->cap = cap;
	}
	sp->waits[sp->nwaits].a = a < b ? a : b;
	sp->waits[sp->nwaits].b = b;
	sp->nwaits++;
}

static void add_links(struct svg *sv, const struct model *m, const struct proc *waiter,
		      uint64_t wake)
{
	size_t i;

	for (i = 0; i < m->nlinks && waiter; i++) {
		const struct wake_link *l = &m->links[i];
		const struct proc *from =
			proctree__find(m->tree, l->sender_pid, l->sender_start_ns);

		sv->links_total++;
		if (!from || sv->nlinks >= SVG_LINKS_MAX)
			continue;
		if (!sv->links) {
			sv->links = calloc(SVG_LINKS_MAX, sizeof(*sv->links));
			if (!sv->links) {
				sv->err = -ENOMEM;
				return;
			}
		}
		sv->links[sv->nlinks++] = (struct sv_link){ .from = from->seq,
							    .to = waiter->seq,
							    .send = rel(m, l->send_ts),
							    .wake = rel(m, wake) };
	}
}

static void svg_event(struct sink *s, const struct model *m, const union psc_event *ev,
		      const struct proc *subject)
{
	struct svg *sv = (struct svg *)s;
	struct sv_proc *sp;

	switch (ev->hdr.type) {
	case PSC_EV_PROC_SEED:
		/* the tree forgets this once the zombie is released */
		sp = ev->seed.state == 'Z' ? sv_proc(sv, subject) : NULL;
		if (sp && !(subject->flags & PROC_F_EXITED))
			sp->zombie_at_start = true;
		break;
	case PSC_EV_PROC_EXEC:
		sp = sv_proc(sv, subject);
		if (sp && sp->nexecs < SVG_EXECS_MAX)
			sp->execs[sp->nexecs++] = rel(m, ev->hdr.ts_ns);
		break;
	case PSC_EV_EPOLL_WAIT:
		add_wait(sv, m, subject, ev->epoll_wait.enter_ns, ev->hdr.ts_ns);
		add_links(sv, m, subject, ev->hdr.ts_ns);
		break;
	case PSC_EV_POLL_WAIT:
		add_wait(sv, m, subject, ev->poll_wait.enter_ns, ev->hdr.ts_ns);
		break;
	default:
		break;
	}
}

static void svg_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		     uint64_t total)
{
	struct svg *sv = (struct svg *)s;

	sv->lost_total += total;
	if (sv->nlosses < SVG_LOSSES_MAX)
		sv->losses[sv->nlosses++] = rel(m, ts);
}

/* ---- which rows ---- */

/* Something happened to @p during the trace */
static bool is_active(const struct svg *sv, const struct proc *p)
{
	const struct sv_proc *sp = sv_get(sv, p);

	return (p->flags & (PROC_F_FORKED | PROC_F_EXITED | PROC_F_IMPLICIT | PROC_F_ORPHANED)) ||
	       p->nr_execs || p->state != PROC_ALIVE || (sp && (sp->waits_total || sp->nexecs));
}

/*
 * The rows to draw. Few processes: all of them. Many: those with activity, their ancestors and
 * the processes that adopted or reaped them; each run of idle children folds into one
 * "+N more" row under its parent. Past SVG_ROWS_LIMIT rows the rest is one last "+N" row.
 */
static int pick_rows(const struct svg *sv, const struct model *m, struct drow **out, size_t *nout,
		     uint64_t *hidden_total)
{
	struct timeline_row *rows = NULL;
	size_t n = 0, i, nd = 0, sp = 0, nall;
	struct proc *const *all = proctree__all(m->tree, &nall);
	bool *keep = calloc(nall + 1, sizeof(*keep));
	struct drow *d = NULL;
	struct {
		uint32_t depth;
		uint64_t hidden;
	} *stack = NULL;
	uint64_t top_hidden = 0;
	int err = -ENOMEM;

	*hidden_total = 0;
	if (!keep || timeline_tree_order(m, &rows, &n))
		goto out;
	d = calloc(2 * n + 2, sizeof(*d));
	stack = calloc(n + 1, sizeof(*stack));
	if (!d || !stack)
		goto out;
	for (i = 0; i < nall; i++) {
		const struct proc *p = all[i];

		if (nall > SVG_COLLAPSE_AT && !is_active(sv, p))
			continue;
		keep[i] = true;
		if (p->reaper)
			keep[p->reaper->seq] = true;
		if ((p->flags & PROC_F_ORPHANED) && p->parent)
			keep[p->parent->seq] = true;
	}
	/* ancestors of whatever is kept, so the tree stays a tree */
	for (i = 0; i < nall; i++) {
		const struct proc *q;

		if (!keep[i])
			continue;
		for (q = all[i]->fork_parent; q && q != all[i] && !keep[q->seq]; q = q->fork_parent)
			keep[q->seq] = true;
	}
	for (i = 0; i <= n; i++) {
		uint32_t depth = i < n ? rows[i].depth : 0;

		/* leaving a kept process's subtree: its folded children come last */
		while (sp && (i == n || stack[sp - 1].depth >= depth)) {
			sp--;
			if (stack[sp].hidden)
				d[nd++] = (struct drow){ .depth = stack[sp].depth + 1,
							 .more = stack[sp].hidden };
		}
		if (i == n)
			break;
		if (keep[rows[i].p->seq]) {
			d[nd++] = (struct drow){ .p = rows[i].p, .depth = depth };
			stack[sp].depth = depth;
			stack[sp++].hidden = 0;
		} else {
			if (sp)
				stack[sp - 1].hidden++;
			else
				top_hidden++;
			(*hidden_total)++;
		}
	}
	if (top_hidden)
		d[nd++] = (struct drow){ .depth = 0, .more = top_hidden };
	if (nd > SVG_ROWS_LIMIT) {
		uint64_t rest = 0;

		for (i = SVG_ROWS_LIMIT - 1; i < nd; i++)
			rest += d[i].p ? 1 : d[i].more;
		*hidden_total += rest;
		d[SVG_ROWS_LIMIT - 1] = (struct drow){ .depth = 0, .more = rest };
		nd = SVG_ROWS_LIMIT;
	}
	*out = d;
	*nout = nd;
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

static double xpos(const struct layout *L, uint64_t t)
{
	if (t > L->t_end)
		t = L->t_end;
	return X0 + (double)t * (X1 - X0) / (double)L->t_end;
}

static double row_y(const struct layout *L, size_t r)
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

/* A tick label in the largest unit the range reaches ("250ms", "1.5s", "40µs") */
static const char *tick_label(uint64_t v, uint64_t step, uint64_t t_end, char *buf, size_t size)
{
	uint64_t unit = t_end >= 1000000000ull ? 1000000000ull :
			t_end >= 1000000ull    ? 1000000ull :
			t_end >= 1000ull       ? 1000ull :
						 1;
	const char *name = unit == 1000000000ull ? "s" :
			   unit == 1000000ull	 ? "ms" :
			   unit == 1000ull	 ? "\xc2\xb5s" :
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

static void axis(struct timeline_out *o, const struct layout *L, double y_label, double y_top,
		 double y_bottom, bool grid)
{
	uint64_t step = tick_step(L->t_end), t;
	char b[32];

	for (t = 0; t <= L->t_end; t += step) {
		double x = xpos(L, t);

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
	if (p->flags & PROC_F_AUTOREAP)
		return false;
	if (p->state == PROC_ZOMBIE)
		return true;
	return (p->flags & PROC_F_EXITED) && p->state == PROC_REAPED && p->reap_ts > p->exit_ts;
}

static void tooltip(struct timeline_out *o, const struct model *m, const struct proc *p,
		    const struct sv_proc *sp)
{
	char t[TEXT_MAX * 2], a[96], b[96], d[32], e[64], file[PSC_PATH_LEN * 4 + 8];
	size_t n = 0;

	n += (size_t)snprintf(t + n, sizeof(t) - n, "%s", who(a, sizeof(a), p, SIZE_MAX));
	if (p->filename) {
		vis_cstr(file, sizeof(file), p->filename, PSC_PATH_LEN, 200);
		n += (size_t)snprintf(t + n, sizeof(t) - n, " %s", file);
	}
	n += (size_t)snprintf(
		t + n, sizeof(t) - n, "; %s %.6f s",
		p->start_ns < m->meta.boottime_base_ns ? "running before the trace, at" : "started",
		(double)rel(m, p->start_ns) / 1e9);
	if (p->fork_parent && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n, ", forked by %s",
				      who(a, sizeof(a), p->fork_parent, SIZE_MAX));
	if ((p->flags & PROC_F_EXITED) && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n, "; %s at %.6f s, lived %s",
				      wstatus_describe(p->exit_status, e, sizeof(e)),
				      (double)rel(m, p->exit_ts) / 1e9,
				      duration_fmt(proc_lifetime_ns(p, m->end_ts), d, sizeof(d)));
	if (has_zombie(p, sp) && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n, "; zombie for %s%s%s",
				      duration_fmt(proc_zombie_ns(p, m->end_ts), d, sizeof(d)),
				      p->state == PROC_ZOMBIE ? " (not reaped at the end)" :
								", reaped by ",
				      p->state == PROC_ZOMBIE ? "" :
				      p->reaper ? who(b, sizeof(b), p->reaper, SIZE_MAX) :
						  "(not traced)");
	if ((p->flags & PROC_F_ORPHANED) && n < sizeof(t))
		n += (size_t)snprintf(t + n, sizeof(t) - n,
				      "; orphaned at %.6f s when %s exited, "
				      "adopted by %s",
				      (double)rel(m, p->adopt_ts) / 1e9,
				      who(a, sizeof(a), p->old_parent, SIZE_MAX),
				      who(b, sizeof(b), p->parent, SIZE_MAX));
	if (sp && sp->waits_total && n < sizeof(t))
		snprintf(t + n, sizeof(t) - n, "; %" PRIu64 " epoll/poll waits", sp->waits_total);
	OUT(o, "<title>");
	xml_put(o, t);
	OUT(o, "</title>\n");
}

static void draw_waits(struct timeline_out *o, const struct layout *L, const struct sv_proc *sp,
		       double y, double bh)
{
	double run_a = -1, run_b = -1;
	uint32_t i;

	/* merge what falls within half a pixel: one rect per visible stretch */
	for (i = 0; sp && i <= sp->nwaits; i++) {
		double a = i < sp->nwaits ? xpos(L, sp->waits[i].a) : 1e9;
		double b = i < sp->nwaits ? xpos(L, sp->waits[i].b) : 1e9;

		if (run_a >= 0 && a <= run_b + 0.5) {
			if (b > run_b)
				run_b = b;
			continue;
		}
		if (run_a >= 0)
			timeline_out_printf(
				o,
				"<rect class=\"wt\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				"height=\"%.1f\"/>\n",
				run_a, y + bh * 0.5, run_b - run_a < 0.8 ? 0.8 : run_b - run_a,
				bh * 0.5);
		run_a = a;
		run_b = b;
	}
}

static void draw_proc(struct timeline_out *o, const struct layout *L, const struct model *m,
		      const struct svg *sv, const struct drow *r, size_t row)
{
	const struct proc *p = r->p;
	const struct sv_proc *sp = sv_get(sv, p);
	double y = row_y(L, row), by = y + L->h * 0.18, bh = L->h * 0.64, mid = y + L->h / 2;
	uint32_t depth = r->depth < INDENT_LEVELS ? r->depth : INDENT_LEVELS;
	double lx = 8 + depth * INDENT, a, b;
	size_t max_cps = (size_t)((LABEL_W - lx - 4) * 10 / (6 * L->fs));
	char label[TEXT_MAX], st[96], note[160];
	uint32_t i;

	timeline_out_printf(o, "<g class=\"proc\" data-pid=\"%u\" data-seq=\"%u\">\n", p->pid,
			    p->seq);
	tooltip(o, m, p, sp);
	timeline_out_printf(o, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" font-size=\"%d\">", lx,
			    mid + L->fs * 0.35, L->fs);
	xml_put(o, who(label, sizeof(label), p, max_cps ? max_cps : 1));
	OUT(o, "</text>\n");
	/* the lifetime: start (or the trace start) to exit, or on to the end */
	a = xpos(L, rel(m, p->start_ns));
	if (p->flags & PROC_F_EXITED)
		b = xpos(L, rel(m, p->exit_ts));
	else if (zombie_at_start(p, sp) || p->state == PROC_ZOMBIE)
		b = a = -1; /* exited before the trace */
	else if (p->state == PROC_REAPED)
		b = xpos(L, rel(m, p->reap_ts));
	else
		b = X1;
	if (a >= 0)
		timeline_out_printf(o,
				    "<rect class=\"run\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>\n",
				    a, by, b - a < 1 ? 1 : b - a, bh);
	if (has_zombie(p, sp)) {
		double za = (p->flags & PROC_F_EXITED) ? xpos(L, rel(m, p->exit_ts)) : X0;
		double zb = p->state == PROC_REAPED ? xpos(L, rel(m, p->reap_ts)) : X1;

		timeline_out_printf(o,
				    "<rect class=\"zom\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				    "height=\"%.1f\"/>\n",
				    za, by, zb - za < 1 ? 1 : zb - za, bh);
	}
	draw_waits(o, L, sp, by, bh);
	for (i = 0; sp && i < sp->nexecs; i++)
		timeline_out_printf(o,
				    "<rect class=\"exe\" x=\"%.1f\" y=\"%.1f\" width=\"1.4\" "
				    "height=\"%.1f\"/>\n",
				    xpos(L, sp->execs[i]) - 0.7, by, bh);
	if (p->flags & PROC_F_EXITED) {
		struct wstatus ws;
		double x = xpos(L, rel(m, p->exit_ts));

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
		double x = xpos(L, rel(m, p->adopt_ts)), s = bh * 0.5 < 5 ? bh * 0.5 : 5;

		timeline_out_printf(o,
				    "<path class=\"orp\" d=\"M%.1f,%.1f l%.1f,%.1f l%.1f,%.1f "
				    "l%.1f,%.1f z\"/>\n",
				    x, mid - s, s, s, -s, s, -s, -s);
	}
	ended(p, sp, st, sizeof(st));
	if (sp && sp->waits_total > sp->nwaits)
		snprintf(note, sizeof(note), "%s +%" PRIu64 " waits", st,
			 sp->waits_total - sp->nwaits);
	else
		snprintf(note, sizeof(note), "%s", st);
	timeline_out_printf(o, "<text class=\"st\" x=\"%d\" y=\"%.1f\" font-size=\"%d\">", X1 + 8,
			    mid + L->fs * 0.35, L->fs);
	xml_put(o, cut_cps(note, sizeof(note), (size_t)((RIGHT_W - 4) * 10 / (6 * L->fs))));
	OUT(o, "</text>\n</g>\n");
}

static void draw_more(struct timeline_out *o, const struct layout *L, const struct drow *r,
		      size_t row)
{
	uint32_t depth = r->depth < INDENT_LEVELS ? r->depth : INDENT_LEVELS;
	double y = row_y(L, row);

	timeline_out_printf(o, "<g class=\"more\" data-hidden=\"%" PRIu64 "\">\n", r->more);
	timeline_out_printf(o,
			    "<text class=\"more\" x=\"%d\" y=\"%.1f\" font-size=\"%d\">+%" PRIu64
			    " more without activity</text>\n</g>\n",
			    8 + depth * INDENT, y + L->h / 2 + L->fs * 0.35, L->fs, r->more);
}

/* Fork connectors, adoptions and send -> wake arrows, over the rows */
static void draw_links(struct timeline_out *o, const struct layout *L, const struct model *m,
		       const struct svg *sv, const struct drow *d, size_t nd)
{
	size_t i;

	for (i = 0; i < nd; i++) {
		const struct proc *p = d[i].p;
		int pr;
		double x;

		if (!p)
			continue;
		if ((p->flags & PROC_F_FORKED) && p->fork_parent &&
		    (pr = L->row_of[p->fork_parent->seq]) >= 0) {
			x = xpos(L, rel(m, p->fork_ts));
			timeline_out_printf(
				o,
				"<line class=\"frk\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\"/>\n",
				x, row_y(L, (size_t)pr) + L->h / 2, x, row_y(L, i) + L->h * 0.18);
		}
		if ((p->flags & PROC_F_ORPHANED) && p->parent &&
		    (pr = L->row_of[p->parent->seq]) >= 0) {
			x = xpos(L, rel(m, p->adopt_ts));
			timeline_out_printf(
				o,
				"<line class=\"adp\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				"y2=\"%.1f\"/>\n",
				x, row_y(L, (size_t)pr) + L->h / 2, x, row_y(L, i) + L->h / 2);
		}
	}
	for (i = 0; i < sv->nlinks; i++) {
		const struct sv_link *l = &sv->links[i];
		int from = L->row_of[l->from], to = L->row_of[l->to];

		if (from < 0 || to < 0)
			continue;
		timeline_out_printf(o,
				    "<line class=\"lnk\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
				    "y2=\"%.1f\" marker-end=\"url(#arr)\"/>\n",
				    xpos(L, l->send), row_y(L, (size_t)from) + L->h / 2,
				    xpos(L, l->wake), row_y(L, (size_t)to) + L->h / 2);
	}
}

static const char svg_style[] =
	"<style>\n"
	".bg{fill:#ffffff}.alt{fill:#f3f5f7}.grid{stroke:#e1e5ea;stroke-width:1}\n"
	".axis{stroke:#8a939d;stroke-width:1}.tick{fill:#4a525a;font-size:10px;"
	"text-anchor:middle}\n"
	".ttl{font-size:16px;font-weight:bold;fill:#1d2329}.sub{font-size:11px;fill:#4a525a}\n"
	".lbl{fill:#1d2329}.more{fill:#6b737b;font-style:italic}.st{fill:#4a525a}\n"
	".run{fill:#4e79a7}.zom{fill:#e15759}.wt{fill:#f2b134}\n"
	".exe{fill:#ffffff;stroke:#1d2329;stroke-width:0.4}.ext{fill:#1d2329}.sig{fill:#9c0d38}\n"
	".orp{fill:#b07aa1;stroke:#4d2444;stroke-width:0.6}\n"
	".frk{stroke:#8f969d;stroke-width:0.8}\n"
	".adp{stroke:#b07aa1;stroke-width:1.2;stroke-dasharray:3 2}\n"
	".lnk{stroke:#59a14f;stroke-width:1.2}.loss{fill:#9c0d38}.leg{font-size:11px;"
	"fill:#1d2329}.note{font-size:11px;fill:#4a525a}\n"
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
				    !strcmp(cls, "lnk") ? " marker-end=\"url(#arr)\"" : "");
	timeline_out_printf(o, "<text class=\"leg\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 28, y,
			    text);
	return x + 28 + strlen(text) * 6.7 + 22;
}

/* The legend and notes from @y down (@o NULL: measure only); returns the y below them */
static double legend(struct timeline_out *o, double y, const struct svg *sv, const struct model *m,
		     uint64_t hidden, size_t nprocs)
{
	static const struct {
		const char *cls, *shape, *text;
	} items[] = {
		{ "run", "bar", "running" },
		{ "zom", "bar", "zombie: exited, not yet reaped" },
		{ "wt", "band", "blocked in epoll_wait/poll" },
		{ "exe", "tick", "exec" },
		{ "ext", "tick", "exit" },
		{ "sig", "tri", "killed by a signal" },
		{ "orp", "diamond", "orphaned (dashed: from the adopter)" },
		{ "frk", "line", "fork (from the parent)" },
		{ "lnk", "line", "unix send woke the wait" },
	};
	double x = 10;
	size_t i;
	uint64_t capped = 0;

	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		double w = 28 + strlen(items[i].text) * 6.7 + 22;

		if (x + w > SVG_WIDTH - 10) {
			x = 10;
			y += 18;
		}
		x = legend_item(o, x, y, items[i].cls, items[i].shape, items[i].text);
	}
	y += 22;
	if (!o)
		return y + 15 * (2 + (hidden != 0) + (sv->lost_total || m->stats.lost));
	for (i = 0; i < sv->cap_procs; i++)
		if (sv->procs[i].waits_total > sv->procs[i].nwaits)
			capped++;
	timeline_out_printf(o,
			    "<text class=\"note\" x=\"10\" y=\"%.1f\">Times count from the trace "
			    "start; processes that existed before it start at 0. Hover a row for "
			    "details.</text>\n",
			    y);
	y += 15;
	timeline_out_printf(o,
			    "<text class=\"note\" x=\"10\" y=\"%.1f\">Waits drawn: at most %d per "
			    "process (%" PRIu64 " processes had more: \"+N waits\" on the right)."
			    " Arrows drawn: %zu of %" PRIu64 " send-to-wake links.</text>\n",
			    y, SVG_WAITS_MAX, capped, sv->nlinks, sv->links_total);
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

	if (t->command[0])
		vis_cstr(v, sizeof(v), t->command, sizeof(t->command), 150);
	else if (t->target_pid)
		snprintf(v, sizeof(v), "pid %u and its descendants", t->target_pid);
	else
		snprintf(v, sizeof(v), "the whole system");
	snprintf(text, sizeof(text), "procscope timeline: %s", v);
	OUT(o, "<text class=\"ttl\" x=\"10\" y=\"24\">");
	xml_put(o, text);
	OUT(o, "</text>\n");
	if (t->realtime_base_ns) {
		time_t secs = (time_t)(t->realtime_base_ns / 1000000000ull);
		struct tm tm;

		if (gmtime_r(&secs, &tm))
			strftime(when, sizeof(when), ", started %Y-%m-%d %H:%M:%S UTC", &tm);
	}
	vis_cstr(v, sizeof(v), t->hostname, sizeof(t->hostname), 60);
	snprintf(text, sizeof(text), "%s traced%s%s%s; %zu processes, %zu rows",
		 duration_fmt(span, d, sizeof(d)), when, v[0] ? " on " : "", v, nprocs, nrows);
	OUT(o, "<text class=\"sub\" x=\"10\" y=\"42\">");
	xml_put(o, text);
	if (t->kernel[0]) {
		vis_cstr(v, sizeof(v), t->kernel, sizeof(t->kernel), 60);
		OUT(o, " (Linux ");
		xml_put(o, v);
		OUT(o, ")");
	}
	OUT(o, "</text>\n");
}

static int render(struct svg *sv, const struct model *m)
{
	struct timeline_out *o = &sv->out;
	struct layout L = { 0 };
	struct drow *d = NULL;
	size_t nd = 0, i, nall;
	uint64_t hidden = 0, last;
	double height;
	int err;

	proctree__all(m->tree, &nall);
	err = pick_rows(sv, m, &d, &nd, &hidden);
	if (err)
		return err;
	L.row_of = malloc((nall + 1) * sizeof(*L.row_of));
	if (!L.row_of) {
		free(d);
		return -ENOMEM;
	}
	for (i = 0; i < nall; i++)
		L.row_of[i] = -1;
	for (i = 0; i < nd; i++)
		if (d[i].p)
			L.row_of[d[i].p->seq] = (int)i;
	/*
	 * The axis ends just after the last event: a trace runs on a little after its command
	 * (procscope notices on a timer, adopters get time to reap), and that tail would squeeze
	 * the picture. What is still open then runs to the right edge; the subtitle gives the
	 * whole length.
	 */
	L.t_end = rel(m, m->end_ts);
	last = m->last_ts ? rel(m, m->last_ts) : 0;
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
	L.y_end = row_y(&L, nd);
	height = legend(NULL, L.y_end + 40, sv, m, hidden, nall) + 8;

	timeline_out_printf(o,
			    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			    "viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\" "
			    "data-time-end-ns=\"%" PRIu64 "\">\n"
			    "<title>procscope timeline</title>\n%s"
			    "<rect class=\"bg\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>\n",
			    SVG_WIDTH, (int)height, SVG_WIDTH, (int)height, L.t_end, svg_style,
			    SVG_WIDTH, (int)height);
	header(o, m, nall, nd);
	for (i = 1; i < nd; i += 2)
		timeline_out_printf(o,
				    "<rect class=\"alt\" x=\"0\" y=\"%.1f\" width=\"%d\" "
				    "height=\"%.1f\"/>\n",
				    row_y(&L, i), SVG_WIDTH, L.h);
	axis(o, &L, TOP - 10, TOP - 6, L.y_end, true);
	timeline_out_printf(o,
			    "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n"
			    "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
			    X0, TOP - 2, X1, TOP - 2, X0, L.y_end + 2, X1, L.y_end + 2);
	for (i = 0; i < sv->nlosses; i++)
		timeline_out_printf(o, "<path class=\"loss\" d=\"M%.1f,%d l-4,-6 l8,0 z\"/>\n",
				    xpos(&L, sv->losses[i]), TOP - 2);
	for (i = 0; i < nd; i++) {
		if (d[i].p)
			draw_proc(o, &L, m, sv, &d[i], i);
		else
			draw_more(o, &L, &d[i], i);
	}
	OUT(o, "<g class=\"links\">\n");
	draw_links(o, &L, m, sv, d, nd);
	OUT(o, "</g>\n");
	axis(o, &L, L.y_end + 14, 0, 0, false);
	OUT(o, "<g class=\"legend\">\n");
	legend(o, L.y_end + 40, sv, m, hidden, nall);
	OUT(o, "</g>\n");
	OUT(o, "</svg>\n");
	free(L.row_of);
	free(d);
	return o->err;
}

static int svg_finish(struct sink *s, const struct model *m)
{
	struct svg *sv = (struct svg *)s;
	int err = sv->err;

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
	size_t i;

	timeline_out_free(&sv->out);
	for (i = 0; i < sv->cap_procs; i++)
		free(sv->procs[i].waits);
	free(sv->procs);
	free(sv->links);
	free(sv);
}

struct sink *svg_sink_new(const char *path)
{
	struct svg *sv = calloc(1, sizeof(*sv));
	int err;

	if (!sv)
		return NULL;
	/* created now, so a bad path fails before the trace rather than after it */
	err = timeline_out_open(&sv->out, path, false);
	if (err) {
		free(sv);
		errno = -err;
		return NULL;
	}
	sv->out.flush_at = 256u << 10;
	sv->sink.event = svg_event;
	sv->sink.lost = svg_lost;
	sv->sink.finish = svg_finish;
	sv->sink.destroy = svg_destroy;
	return &sv->sink;
}
