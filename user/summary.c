// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Text summary. The tree is drawn by who forked whom (adoptions are marked on the orphan), and
 * limited to the traced subtree, or in system-wide mode to processes that did something.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "strutil.h"
#include "summary.h"

#define COMM_ESC (PSC_COMM_LEN * 4 + 1)

struct tree_ctx {
	FILE *out;
	const struct model *m;
	struct proc **kids; /* children grouped by fork parent, by seq index */
	size_t *kid_off; /* kids of proc seq i: kids[kid_off[i] .. kid_off[i+1]) */
	bool *shown;
	size_t lines;
	size_t max_lines;
	size_t hidden;
};

static const char *ecomm(const struct proc *p, char *buf)
{
	if (!p) {
		strcpy(buf, "?");
		return buf;
	}
	term_escape(buf, COMM_ESC, p->comm, strnlen(p->comm, PSC_COMM_LEN));
	return buf;
}

static bool is_active(const struct proc *p)
{
	return (p->flags & (PROC_F_FORKED | PROC_F_EXITED | PROC_F_IMPLICIT)) || p->nr_execs ||
	       p->reap_ts;
}

static int cmp_start(const void *a, const void *b)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void describe_end(const struct tree_ctx *c, const struct proc *p, char *buf, size_t size)
{
	char st[64], d[32], e[COMM_ESC];
	size_t o = 0;

	if (p->flags & PROC_F_EXITED)
		o += snprintf(buf + o, size - o, "%s", wstatus_describe(p->exit_status, st, sizeof(st)));
	else if (p->state == PROC_ZOMBIE)
		o += snprintf(buf + o, size - o, "zombie before the trace");
	else if (p->state == PROC_REAPED)
		o += snprintf(buf + o, size - o, "gone (exit not traced)");
	else
		o += snprintf(buf + o, size - o, "still running");
	if (o < size && p->state == PROC_ZOMBIE && (p->flags & PROC_F_EXITED))
		o += snprintf(buf + o, size - o, ", still a zombie (%s)",
			      duration_fmt(proc_zombie_ns(p, c->m->end_ts), d, sizeof(d)));
	else if (o < size && p->state == PROC_REAPED && (p->flags & PROC_F_EXITED) &&
		 !(p->flags & PROC_F_AUTOREAP) && proc_zombie_ns(p, 0) >= 1000000)
		o += snprintf(buf + o, size - o, ", zombie for %s",
			      duration_fmt(proc_zombie_ns(p, 0), d, sizeof(d)));
	if (o < size && (p->flags & PROC_F_ORPHANED))
		snprintf(buf + o, size - o, ", orphan adopted by %u %s%s",
			 p->parent ? p->parent->pid : 0, ecomm(p->parent, e),
			 p->flags & PROC_F_ADOPTED_BY_SUBREAPER ? " (subreaper)" : "");
}

static void print_node(struct tree_ctx *c, const struct proc *p, char *prefix, size_t plen,
		       bool last, bool root)
{
	char e[COMM_ESC], life[32], end[256], file[PSC_PATH_LEN * 4 + 1] = "";
	size_t i, from = c->kid_off[p->seq], to = c->kid_off[p->seq + 1], plen0 = plen;

	if (c->lines >= c->max_lines) {
		c->hidden++;
		for (i = from; i < to; i++)
			print_node(c, c->kids[i], prefix, plen, false, false);
		return;
	}
	c->lines++;
	if (p->nr_execs && p->filename)
		term_escape_str(file, sizeof(file), p->filename);
	describe_end(c, p, end, sizeof(end));
	fprintf(c->out, "%s%s%s(%u)%s%s %s, %s\n", prefix, root ? "" : last ? "└─ " : "├─ ",
		ecomm(p, e), p->pid, file[0] ? " " : "", file,
		duration_fmt(proc_lifetime_ns(p, c->m->end_ts), life, sizeof(life)), end);
	if (plen + 8 >= 512)
		return; /* deeper levels are flattened rather than overflow the prefix */
	if (!root) {
		strcpy(prefix + plen, last ? "   " : "│  ");
		plen += strlen(prefix + plen);
	}
	for (i = from; i < to; i++)
		print_node(c, c->kids[i], prefix, plen, i + 1 == to, false);
	prefix[plen0] = '\0';
}

/* Which processes belong in the tree: the target's subtree, or active ones and their ancestors */
static void mark_shown(const struct model *m, struct proc *const *all, size_t n, bool *shown,
		       const struct proc *target)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct proc *p = all[i], *q;

		if (target) {
			for (q = p; q && q != target; q = q->fork_parent)
				;
			shown[i] = q == target;
		} else if (is_active(p)) {
			for (q = p; q && !shown[q->seq]; q = q->fork_parent)
				shown[q->seq] = true;
		}
	}
}

static int print_tree(FILE *out, const struct model *m, size_t max_lines)
{
	size_t n, i, root_count = 0;
	struct proc *const *all = proctree__all(m->tree, &n);
	const struct proc *target = NULL;
	struct tree_ctx c = { .out = out, .m = m, .max_lines = max_lines };
	char prefix[520] = "";
	size_t *fill;

	if (m->meta.target_pid)
		target = proctree__find_pid(m->tree, m->meta.target_pid);
	/* the first process with the target pid is the one we were asked about */
	for (i = 0; target && i < n; i++)
		if (all[i]->pid == m->meta.target_pid) {
			target = all[i];
			break;
		}
	c.shown = calloc(n + 1, sizeof(*c.shown));
	c.kid_off = calloc(n + 2, sizeof(*c.kid_off));
	c.kids = calloc(n + 1, sizeof(*c.kids));
	fill = calloc(n + 1, sizeof(*fill));
	if (!c.shown || !c.kid_off || !c.kids || !fill) {
		free(c.shown), free(c.kid_off), free(c.kids), free(fill);
		return -ENOMEM;
	}
	mark_shown(m, all, n, c.shown, target);
	for (i = 0; i < n; i++)
		if (c.shown[i] && all[i]->fork_parent && c.shown[all[i]->fork_parent->seq])
			c.kid_off[all[i]->fork_parent->seq + 1]++;
	for (i = 0; i < n; i++)
		c.kid_off[i + 1] += c.kid_off[i];
	c.kid_off[n + 1] = c.kid_off[n];
	for (i = 0; i < n; i++) {
		const struct proc *fp = all[i]->fork_parent;

		if (c.shown[i] && fp && c.shown[fp->seq])
			c.kids[c.kid_off[fp->seq] + fill[fp->seq]++] = all[i];
	}
	for (i = 0; i < n; i++)
		if (c.kid_off[i + 1] > c.kid_off[i])
			qsort(c.kids + c.kid_off[i], c.kid_off[i + 1] - c.kid_off[i],
			      sizeof(*c.kids), cmp_start);

	fprintf(out, "\nProcess tree (who forked whom; lifetime, how it ended):\n");
	for (i = 0; i < n; i++) {
		const struct proc *fp = all[i]->fork_parent;

		if (!c.shown[i] || (fp && c.shown[fp->seq]))
			continue;
		print_node(&c, all[i], prefix, 0, true, true);
		root_count++;
	}
	if (!root_count)
		fprintf(out, "  (no process activity traced)\n");
	if (c.hidden)
		fprintf(out, "  ... %zu more processes not shown\n", c.hidden);
	free(c.shown), free(c.kid_off), free(c.kids), free(fill);
	return 0;
}

static int cmp_zombie(const void *a, const void *b, void *end_ts)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;
	uint64_t now = *(const uint64_t *)end_ts;
	uint64_t zx = proc_zombie_ns(x, now), zy = proc_zombie_ns(y, now);

	return zx < zy ? 1 : zx > zy ? -1 : 0;
}

static int print_zombies(FILE *out, const struct model *m, size_t max_rows)
{
	size_t n, i, k = 0;
	struct proc *const *all = proctree__all(m->tree, &n);
	struct proc **z = calloc(n + 1, sizeof(*z));
	char e1[COMM_ESC], e2[COMM_ESC], e3[COMM_ESC], d[32], by[64];

	if (!z)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if ((all[i]->flags & PROC_F_EXITED) && !(all[i]->flags & PROC_F_AUTOREAP))
			z[k++] = all[i];
	/* the still-zombies are measured up to the end of the trace */
	qsort_r(z, k, sizeof(*z), cmp_zombie, (void *)&m->end_ts);
	fprintf(out, "\nZombies (exit -> reap, longest first):\n");
	if (!k)
		fprintf(out, "  (none)\n");
	else
		fprintf(out, "  %7s %-16s %-24s %10s  %s\n", "PID", "COMM", "PARENT (must reap)",
			"ZOMBIE", "REAPED BY");
	for (i = 0; i < k && i < max_rows; i++) {
		const struct proc *p = z[i];
		char parent[COMM_ESC + 16];
		bool still = p->state == PROC_ZOMBIE;

		snprintf(parent, sizeof(parent), "%u %s", p->parent ? p->parent->pid : 0,
			 ecomm(p->parent, e2));
		if (still)
			snprintf(by, sizeof(by), "still a zombie at end");
		else if (p->flags & PROC_F_REAP_BY_FREE)
			snprintf(by, sizeof(by), "(reaping wait not traced)");
		else
			snprintf(by, sizeof(by), "%u %s", p->reaper ? p->reaper->pid : 0,
				 ecomm(p->reaper, e3));
		fprintf(out, "  %7u %-16s %-24s %10s  %s\n", p->pid, ecomm(p, e1), parent,
			duration_fmt(proc_zombie_ns(p, m->end_ts), d, sizeof(d)), by);
	}
	if (k > max_rows)
		fprintf(out, "  ... %zu more\n", k - max_rows);
	free(z);
	return 0;
}

static void print_orphans(FILE *out, const struct model *m, size_t max_rows)
{
	size_t n, i, k = 0;
	struct proc *const *all = proctree__all(m->tree, &n);
	char e1[COMM_ESC], e2[COMM_ESC], e3[COMM_ESC], op[COMM_ESC + 16], np[COMM_ESC + 32];

	fprintf(out, "\nOrphans (parent exited first; who adopted them):\n");
	for (i = 0; i < n; i++) {
		const struct proc *p = all[i];

		if (!(p->flags & PROC_F_ORPHANED))
			continue;
		if (!k++)
			fprintf(out, "  %7s %-16s %-24s %-34s %s\n", "PID", "COMM", "OLD PARENT",
				"ADOPTED BY", "AT(s)");
		if (k > max_rows)
			continue;
		snprintf(op, sizeof(op), "%u %s", p->old_parent ? p->old_parent->pid : 0,
			 ecomm(p->old_parent, e2));
		snprintf(np, sizeof(np), "%u %s%s", p->parent ? p->parent->pid : 0,
			 ecomm(p->parent, e3),
			 p->flags & PROC_F_ADOPTED_BY_SUBREAPER ? " (subreaper)" : "");
		fprintf(out, "  %7u %-16s %-24s %-34s %.6f\n", p->pid, ecomm(p, e1), op, np,
			model_rel_ns(m, p->adopt_ts) / 1e9);
	}
	if (!k)
		fprintf(out, "  (none)\n");
	else if (k > max_rows)
		fprintf(out, "  ... %zu more\n", k - max_rows);
}

/* Each event group's own section (I/O readiness, unix sockets), in registry order */
static void print_groups(FILE *out, const struct model *m)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if ((m->meta.groups & m->groups[i]->group) && m->groups[i]->summary)
			m->groups[i]->summary(m->group_state[i], m, out);
}

int summary_print(FILE *out, const struct model *m, const struct summary_opts *opts)
{
	const struct proctree_stats *t = proctree__stats(m->tree);
	size_t max_lines = opts && opts->max_tree_lines ? opts->max_tree_lines : 300;
	size_t max_rows = opts && opts->max_rows ? opts->max_rows : 25;
	char d[32];
	int err;

	fprintf(out, "\n=== procscope summary: %s traced ===\n",
		duration_fmt(m->end_ts > m->meta.boottime_base_ns ?
				     m->end_ts - m->meta.boottime_base_ns :
				     0,
			     d, sizeof(d)));
	err = print_tree(out, m, max_lines);
	if (!err)
		err = print_zombies(out, m, max_rows);
	if (err)
		return err;
	print_orphans(out, m, max_rows);
	print_groups(out, m);
	fprintf(out,
		"\nCounts: %llu forks (+%llu threads), %llu execs, %llu exits (+%llu thread "
		"exits), %llu reaps by wait, %llu auto-reaped, %llu reaped unseen, %llu "
		"orphans\n",
		(unsigned long long)t->forks, (unsigned long long)t->thread_forks,
		(unsigned long long)t->execs, (unsigned long long)t->exits,
		(unsigned long long)t->thread_exits, (unsigned long long)t->reaps,
		(unsigned long long)t->autoreaps, (unsigned long long)t->reaps_by_free,
		(unsigned long long)t->orphans);
	fprintf(out, "Lost events: %llu%s\n", (unsigned long long)m->stats.lost,
		m->stats.lost ? " (the ring buffer was full: raise --ringbuf-size)" : "");
	if (m->stats.malformed || m->stats.unknown_type)
		fprintf(out, "Malformed records: %llu, unknown types: %llu\n",
			(unsigned long long)m->stats.malformed,
			(unsigned long long)m->stats.unknown_type);
	if (m->meta.missing_hooks[0])
		fprintf(out, "Not attached: %s\n", m->meta.missing_hooks);
	return fflush(out) ? -errno : 0;
}

struct summary_sink {
	struct sink sink;
	FILE *out;
	struct summary_opts opts;
};

static int summary_finish(struct sink *s, const struct model *m)
{
	struct summary_sink *ss = (struct summary_sink *)s;

	return summary_print(ss->out, m, &ss->opts);
}

static void summary_destroy(struct sink *s)
{
	free(s);
}

struct sink *summary_sink_new(FILE *out, const struct summary_opts *opts)
{
	struct summary_sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->out = out;
	if (opts)
		s->opts = *opts;
	s->sink.finish = summary_finish;
	s->sink.destroy = summary_destroy;
	return &s->sink;
}
