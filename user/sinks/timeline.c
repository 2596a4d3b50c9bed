// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What the timeline sinks share: the scope and per-process table, the tree order, the title and
 * the staged output file. No printing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timeline.h"
#include "outfile.h"

/* ---- title ---- */

/* "procscope demo NAME": `demo` re-executes itself as `EXE demo --no-trace [opts] NAME` */
static bool demo_name(const char *cmd, const char **name, size_t *len)
{
	const char *sp = strchr(cmd, ' '), *last;

	if (!sp || strncmp(sp, " demo --no-trace ", 17))
		return false;
	last = strrchr(cmd, ' ');
	*name = last + 1;
	*len = strlen(*name);
	return *len > 0;
}

const char *timeline_title(const struct model *m, char *buf, size_t size)
{
	const struct trace_meta *t = &m->meta;
	size_t clen = strnlen(t->command, sizeof(t->command)), len;
	char cmd[sizeof(t->command) + 1];
	const char *name;

	memcpy(cmd, t->command, clen);
	cmd[clen] = '\0';
	if (demo_name(cmd, &name, &len))
		snprintf(buf, size, "procscope demo %.*s", (int)len, name);
	else if (cmd[0])
		snprintf(buf, size, "%s", cmd);
	else if (t->target_pid)
		snprintf(buf, size, "pid %u and its descendants", t->target_pid);
	else
		snprintf(buf, size, "the whole system");
	return buf;
}

/* ---- per-process table and scope ---- */

void timeline_procs_init(struct timeline_procs *t, size_t entry_size)
{
	memset(t, 0, sizeof(*t));
	hmap_init(&t->map);
	t->size = entry_size;
}

void timeline_procs_free(struct timeline_procs *t, void (*each)(void *entry))
{
	size_t pos = 0;
	void *v;

	while ((v = hmap_next(&t->map, &pos, NULL))) {
		if (each)
			each(v);
		free(v);
	}
	hmap_free(&t->map);
}

void *timeline_procs_find(const struct timeline_procs *t, const struct proc *p)
{
	return p ? hmap_get(&t->map, p->seq) : NULL;
}

void *timeline_procs_get(struct timeline_procs *t, const struct proc *p)
{
	void *e = timeline_procs_find(t, p);

	if (e || !p)
		return e;
	e = calloc(1, t->size);
	if (!e || hmap_put(&t->map, p->seq, e)) {
		free(e);
		return NULL;
	}
	return e;
}

void *timeline_procs_del(struct timeline_procs *t, const struct proc *p)
{
	return hmap_del(&t->map, p->seq);
}

/* The target itself: the first process met with the target pid */
static bool is_target(struct timeline_procs *t, const struct proc *p)
{
	if (p->pid != t->target_pid)
		return false;
	if (!t->target_known) {
		t->target_known = true;
		t->target_seq = p->seq;
	}
	return t->target_seq == p->seq;
}

bool timeline_in_scope(struct timeline_procs *t, const struct model *m, const struct proc *p)
{
	struct timeline_entry *e = timeline_procs_get(t, p);
	const struct proc *q;
	int8_t scope;

	if (!e)
		return false;
	if (e->scope)
		return e->scope > 0;
	if (t->target_pid != m->meta.target_pid) {
		t->target_pid = m->meta.target_pid;
		t->target_known = false;
	}
	if (!t->target_pid) {
		e->scope = 1;
		return true;
	}
	/* up the fork parents to the target, a root, or a process already decided */
	for (q = p, scope = 0; q && !scope; q = q->fork_parent) {
		struct timeline_entry *qe = timeline_procs_get(t, q);

		if (!qe)
			return false;
		if (qe->scope)
			scope = qe->scope;
		else if (is_target(t, q))
			scope = 1;
		else if (!q->fork_parent || q->fork_parent == q)
			scope = -1;
	}
	for (q = p; q; q = q->fork_parent) {
		struct timeline_entry *qe = timeline_procs_find(t, q);

		if (!qe || qe->scope)
			break;
		qe->scope = scope;
	}
	return scope > 0;
}

/* ---- output file: lib/outfile.c behind a staging buffer ---- */

int timeline_out_open(struct timeline_out *o, const char *path, unsigned int flags)
{
	memset(o, 0, sizeof(*o));
	o->f = outfile_open(path, outfile_codec_by_name(path), flags);
	if (!o->f)
		return -errno;
	o->flush_at = 64u << 10;
	return 0;
}

/* Hand what is staged (whole records only) to the file: one unit, cut back if it fails */
static void out_push(struct timeline_out *o)
{
	int err;

	if (!o->err && o->len && o->f) {
		err = outfile_write(o->f, o->buf, o->len);
		if (err)
			o->err = err;
	}
	o->len = 0;
}

int timeline_out_flush(struct timeline_out *o)
{
	int err;

	out_push(o);
	if (o->err || !o->f)
		return o->err ? o->err : -EBADF;
	err = outfile_flush(o->f);
	if (err)
		o->err = err;
	return o->err;
}

void timeline_out_write(struct timeline_out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 64u << 10;
		char *b;

		while (cap < o->len + n)
			cap *= 2;
		b = realloc(o->buf, cap);
		if (!b) {
			o->err = -ENOMEM;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	if (o->len >= o->flush_at)
		out_push(o);
}

void timeline_out_printf(struct timeline_out *o, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (!o->err)
			o->err = -EINVAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		timeline_out_write(o, small, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		if (!o->err)
			o->err = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	timeline_out_write(o, big, (size_t)n);
	free(big);
}

int timeline_out_close(struct timeline_out *o)
{
	if (o->closed)
		return o->err;
	o->closed = true;
	out_push(o);
	/* a file with an error is not committed: outfile_close() removes it */
	if (!o->err && o->f)
		o->err = outfile_commit(o->f);
	return o->err;
}

void timeline_out_free(struct timeline_out *o)
{
	outfile_close(o->f);
	o->f = NULL;
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* ---- tree order ---- */

static int cmp_start(const void *a, const void *b)
{
	const struct proc *x = *(const struct proc *const *)a, *y = *(const struct proc *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int timeline_tree_order(const struct model *m, struct timeline_procs *t,
			struct timeline_row **rows_out, size_t *n_out)
{
	size_t n, i, nrows = 0, nroots = 0, sp = 0;
	struct proc *const *all = proctree_all(m->tree, &n);
	struct timeline_row *rows = calloc(n + 1, sizeof(*rows));
	struct timeline_row *stack = calloc(n + 1, sizeof(*stack));
	size_t *kid_off = calloc(n + 2, sizeof(*kid_off)), *fill = calloc(n + 1, sizeof(*fill));
	const struct proc **kids = calloc(n + 1, sizeof(*kids));
	const struct proc **roots = calloc(n + 1, sizeof(*roots));
	bool *seen = calloc(n + 1, sizeof(*seen)), *in = calloc(n + 1, sizeof(*in));
	int err = 0;

	if (!rows || !stack || !kid_off || !fill || !kids || !roots || !seen || !in) {
		free(rows);
		err = -ENOMEM;
		goto out;
	}
	/* positions, not seq: seq keeps counting after retired processes left the table */
	for (i = 0; i < n; i++)
		in[i] = !t || timeline_in_scope(t, m, all[i]);
	/* children grouped by fork parent: all[i]->pos == i */
	for (i = 0; i < n; i++) {
		const struct proc *fp = proc_listed(all[i]->fork_parent);

		if (!in[i])
			continue;
		if (fp && fp != all[i] && in[fp->pos])
			kid_off[fp->pos + 1]++;
		else
			roots[nroots++] = all[i];
	}
	for (i = 0; i < n; i++)
		kid_off[i + 1] += kid_off[i];
	for (i = 0; i < n; i++) {
		const struct proc *fp = proc_listed(all[i]->fork_parent);

		if (in[i] && fp && fp != all[i] && in[fp->pos])
			kids[kid_off[fp->pos] + fill[fp->pos]++] = all[i];
	}
	for (i = 0; i < n; i++)
		if (kid_off[i + 1] - kid_off[i] > 1)
			qsort(kids + kid_off[i], kid_off[i + 1] - kid_off[i], sizeof(*kids),
			      cmp_start);
	qsort(roots, nroots, sizeof(*roots), cmp_start);
	/*
	 * Iterative DFS (fork chains can be deep). A corrupt log could make a cycle of fork
	 * parents with no root: whatever is still unseen after the roots starts a tree of its own.
	 */
	for (i = 0; i < nroots + n; i++) {
		const struct proc *r = i < nroots ? roots[i] : all[i - nroots];

		if (seen[r->pos] || !in[r->pos])
			continue;
		seen[r->pos] = true;
		stack[sp++] = (struct timeline_row){ .p = r, .depth = 0 };
		while (sp) {
			struct timeline_row cur = stack[--sp];
			size_t k;

			rows[nrows++] = cur;
			for (k = kid_off[cur.p->pos + 1]; k > kid_off[cur.p->pos]; k--) {
				const struct proc *c = kids[k - 1];

				if (seen[c->pos])
					continue;
				seen[c->pos] = true;
				stack[sp++] =
					(struct timeline_row){ .p = c, .depth = cur.depth + 1 };
			}
		}
	}
	*rows_out = rows;
	*n_out = nrows;
out:
	free(stack);
	free(kid_off);
	free(fill);
	free(kids);
	free(roots);
	free(seen);
	free(in);
	return err;
}
