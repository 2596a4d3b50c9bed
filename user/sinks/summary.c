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
	struct proc **kids; /* children grouped by fork parent, by table position (pos) */
	size_t *kid_off; /* kids of the proc at pos i: kids[kid_off[i] .. kid_off[i+1]) */
	bool *shown;
	size_t *stack; /* scratch: n entries, for counting hidden subtrees without recursion */
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
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void describe_end(const struct tree_ctx *c, const struct proc *p, char *buf, size_t size)
{
	char st[64], d[32], e[COMM_ESC];
	size_t o = 0;

	if (p->flags & PROC_F_EXITED)
		o += snprintf(buf + o, size - o, "%s",
			      wstatus_describe(p->exit_status, st, sizeof(st)));
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
	/* what procscope itself is or caused, named as such */
	if (o < size && (p->flags & PROC_F_LAUNCHED) && proc_held_ns(p))
		o += snprintf(buf + o, size - o, ", held %s by procscope before its exec",
			      duration_fmt(proc_held_ns(p), d, sizeof(d)));
	if (o < size && (p->flags & PROC_F_OWN))
		o += snprintf(buf + o, size - o, " (procscope itself)");
	if (o < size && (p->flags & PROC_F_ORPHANED))
		snprintf(buf + o, size - o, ", orphan adopted by %u %s%s",
			 p->parent ? p->parent->pid : 0, ecomm(p->parent, e),
			 p->flags & PROC_F_ADOPTED_BY_SUBREAPER ? " (subreaper)" : "");
}

static void print_node(struct tree_ctx *c, const struct proc *p, char *prefix, size_t plen,
		       bool last, bool root)
{
	char e[COMM_ESC], life[32], end[256], file[PSC_PATH_LEN * 4 + 1] = "";
	size_t i, from = c->kid_off[p->pos], to = c->kid_off[p->pos + 1], plen0 = plen;

	if (c->lines >= c->max_lines) {
		/* everything below is hidden too: count it with a stack, a fork chain can be deep */
		size_t top = 0;

		c->stack[top++] = p->pos;
		while (top) {
			size_t s = c->stack[--top];

			c->hidden++;
			for (i = c->kid_off[s]; i < c->kid_off[s + 1]; i++)
				c->stack[top++] = c->kids[i]->pos;
		}
		return;
	}
	c->lines++;
	if (p->nr_execs && p->filename)
		term_escape_str(file, sizeof(file), p->filename);
	describe_end(c, p, end, sizeof(end));
	fprintf(c->out, "%s%s%s(%u)%s%s %s, %s\n", prefix,
		root ? "" :
		last ? "└─ " :
		       "├─ ",
		ecomm(p, e), p->pid, file[0] ? " " : "", file,
		duration_fmt(proc_lifetime_ns(p, c->m->end_ts), life, sizeof(life)), end);
	if (plen + 8 >= 512)
		return; /* deeper levels are flattened rather than overflow the prefix */
	if (!root) {
		strcpy(prefix + plen, last ? "   " : "│  ");
		plen += strlen(prefix + plen);
	}
	/* long traces retire old reaped children: say how many stood here */
	if (p->retired_kids && c->lines < c->max_lines) {
		c->lines++;
		fprintf(c->out,
			"%s%s(+%u earlier children: exited, reaped, retired from memory; "
			"mean lifetime %s)\n",
			prefix, from < to ? "├─ " : "└─ ", p->retired_kids,
			duration_fmt(p->retired_kids_life_ns / p->retired_kids, life,
				     sizeof(life)));
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
			for (q = p; proc_listed(q) && !shown[q->pos]; q = q->fork_parent)
				shown[q->pos] = true;
		}
	}
}

bool summary_wants(const struct summary_opts *opts, uint32_t sec)
{
	if (!opts || !opts->sections)
		return true;
	return sec && (opts->sections & sec);
}

uint32_t summary_group_section(uint32_t group)
{
	switch (group) {
	case PSC_GROUP_EPOLL:
		return SUMMARY_IO;
	case PSC_GROUP_UNIX:
		return SUMMARY_UNIX;
	default:
		return 0;
	}
}

bool summary_is_filtered(const struct summary_opts *opts)
{
	return opts && (opts->pid || opts->comm || opts->since_ns);
}

/*
 * Is @p, or a process that forked it (directly or not), what @o says? However deep: a damaged
 * log could make fork_parent loop, so the walk carries a marker that jumps ahead in steps of
 * growing powers of two (Brent's cycle finding): meeting it again means a loop, all seen.
 */
static bool in_subtree(const struct proc *p, const struct summary_opts *o, bool by_pid)
{
	const struct proc *mark = p;
	size_t steps = 0, power = 1;

	for (; p; p = p->fork_parent) {
		if (by_pid && p->pid == o->pid)
			return true;
		if (!by_pid && !strncmp(p->comm, o->comm, PSC_COMM_LEN - 1))
			return true;
		if (p->fork_parent == mark)
			return false;
		if (++steps == power) {
			mark = p->fork_parent;
			power *= 2;
			steps = 0;
		}
	}
	return false;
}

bool summary_selects_owner(const struct summary_opts *opts, const struct proc *p)
{
	if (!opts)
		return true;
	if (opts->pid && !in_subtree(p, opts, true))
		return false;
	return !opts->comm || in_subtree(p, opts, false);
}

bool summary_selects(const struct summary_opts *opts, const struct proc *p)
{
	if (opts && opts->since_ns && p->state == PROC_REAPED && p->reap_ts < opts->since_ns)
		return false; /* gone before the window */
	return summary_selects_owner(opts, p);
}

bool *summary_tree_set(const struct model *m, const struct summary_opts *opts)
{
	size_t n, i;
	struct proc *const *all = proctree_all(m->tree, &n);
	const struct proc *target = NULL;
	bool *shown = calloc(n + 1, sizeof(*shown));

	if (!shown)
		return NULL;
	if (m->meta.target_pid)
		target = proctree_find_pid(m->tree, m->meta.target_pid);
	/* the first process with the target pid is the one we were asked about */
	for (i = 0; target && i < n; i++)
		if (all[i]->pid == m->meta.target_pid) {
			target = all[i];
			break;
		}
	mark_shown(m, all, n, shown, target);
	if (summary_is_filtered(opts))
		for (i = 0; i < n; i++)
			shown[i] = shown[i] && summary_selects(opts, all[i]);
	return shown;
}

static int print_tree(FILE *out, const struct model *m, const struct summary_opts *opts,
		      size_t max_lines)
{
	size_t n, i, root_count = 0;
	struct proc *const *all = proctree_all(m->tree, &n);
	struct tree_ctx c = { .out = out, .m = m, .max_lines = max_lines };
	char prefix[520] = "";
	size_t *fill;

	c.shown = summary_tree_set(m, opts);
	c.kid_off = calloc(n + 2, sizeof(*c.kid_off));
	c.kids = calloc(n + 1, sizeof(*c.kids));
	fill = calloc(n + 1, sizeof(*fill));
	c.stack = calloc(n + 1, sizeof(*c.stack));
	if (!c.shown || !c.kid_off || !c.kids || !fill || !c.stack) {
		free(c.shown), free(c.kid_off), free(c.kids), free(fill), free(c.stack);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct proc *fp = proc_listed(all[i]->fork_parent);

		if (c.shown[i] && fp && c.shown[fp->pos])
			c.kid_off[fp->pos + 1]++;
	}
	for (i = 0; i < n; i++)
		c.kid_off[i + 1] += c.kid_off[i];
	c.kid_off[n + 1] = c.kid_off[n];
	for (i = 0; i < n; i++) {
		const struct proc *fp = proc_listed(all[i]->fork_parent);

		if (c.shown[i] && fp && c.shown[fp->pos])
			c.kids[c.kid_off[fp->pos] + fill[fp->pos]++] = all[i];
	}
	for (i = 0; i < n; i++)
		if (c.kid_off[i + 1] > c.kid_off[i])
			qsort(c.kids + c.kid_off[i], c.kid_off[i + 1] - c.kid_off[i],
			      sizeof(*c.kids), cmp_start);

	fprintf(out, "\nProcess tree (who forked whom; lifetime, how it ended):\n");
	for (i = 0; i < n; i++) {
		const struct proc *fp = proc_listed(all[i]->fork_parent);

		if (!c.shown[i] || (fp && c.shown[fp->pos]))
			continue;
		print_node(&c, all[i], prefix, 0, true, true);
		root_count++;
	}
	if (!root_count)
		fprintf(out, "  (no process activity traced)\n");
	if (c.hidden)
		fprintf(out, "  ... %zu more processes not shown\n", c.hidden);
	free(c.shown), free(c.kid_off), free(c.kids), free(fill), free(c.stack);
	return 0;
}

static int cmp_zombie(const void *a, const void *b, void *end_ts)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;
	uint64_t now = *(const uint64_t *)end_ts;
	uint64_t zx = proc_zombie_ns(x, now), zy = proc_zombie_ns(y, now);

	if (zx != zy)
		return zx < zy ? 1 : -1;
	return x->pos < y->pos ? -1 : x->pos > y->pos; /* ties: creation order, every run */
}

struct proc **summary_zombies(const struct model *m, const struct summary_opts *opts, size_t *nz)
{
	size_t n, i, k = 0;
	struct proc *const *all = proctree_all(m->tree, &n);
	struct proc **z = calloc(n + 1, sizeof(*z));

	*nz = 0;
	if (!z)
		return NULL;
	for (i = 0; i < n; i++)
		if ((all[i]->flags & (PROC_F_EXITED | PROC_F_ZOMBIE_AT_START)) &&
		    !(all[i]->flags & PROC_F_AUTOREAP) && !proc_parent_is_tracer(all[i]) &&
		    summary_selects(opts, all[i]))
			z[k++] = all[i];
	/* the still-zombies are measured up to the end of the trace */
	qsort_r(z, k, sizeof(*z), cmp_zombie, (void *)&m->end_ts);
	*nz = k;
	return z;
}

static void print_zombie_row(FILE *out, const struct model *m, const struct proc *p)
{
	char e1[COMM_ESC], e2[COMM_ESC], e3[COMM_ESC], d[32], by[64], parent[COMM_ESC + 16];

	snprintf(parent, sizeof(parent), "%u %s", p->parent ? p->parent->pid : 0,
		 ecomm(p->parent, e2));
	if (p->state == PROC_ZOMBIE)
		snprintf(by, sizeof(by), "still a zombie at end");
	else if (p->flags & PROC_F_REAP_BY_FREE)
		snprintf(by, sizeof(by), "(reaping wait not traced)");
	else
		snprintf(by, sizeof(by), "%u %s", p->reaper ? p->reaper->pid : 0,
			 ecomm(p->reaper, e3));
	duration_fmt(proc_zombie_ns(p, m->end_ts), d + 1, sizeof(d) - 1);
	d[0] = '>'; /* a zombie before the trace: at least this long */
	fprintf(out, "  %7u %-16s %-24s %10s  %s%s\n", p->pid, ecomm(p, e1), parent,
		p->flags & PROC_F_ZOMBIE_AT_START ? d : d + 1, by,
		p->flags & PROC_F_ZOMBIE_AT_START ? " (a zombie before the trace)" : "");
}

/*
 * The zombies that matter first: those never reaped, then those that lasted at least the
 * threshold, longest first, up to @max_rows; one line sums up the quick ones.
 */
static int print_zombies(FILE *out, const struct model *m, const struct summary_opts *opts,
			 size_t max_rows)
{
	uint64_t min_ns = opts && opts->zombie_min_set ? opts->zombie_min_ns :
							 SUMMARY_ZOMBIE_MIN_NS;
	uint64_t quick_total = 0, quick_max = 0, zns;
	size_t i, k, shown = 0, over = 0, quick = 0;
	struct proc **z = summary_zombies(m, opts, &k);
	char d1[32], d2[32], d3[32];
	int pass;

	if (!z)
		return -ENOMEM;
	fprintf(out, "\nZombies (exit -> reap; never reaped first, then the longest):\n");
	if (!k)
		fprintf(out, "  (none)\n");
	else
		fprintf(out, "  %7s %-16s %-24s %10s  %s\n", "PID", "COMM", "PARENT (must reap)",
			"ZOMBIE", "REAPED BY");
	/* pass 0: still zombies at the end; pass 1: reaped, at least min_ns */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < k; i++) {
			const struct proc *p = z[i];
			bool still = p->state == PROC_ZOMBIE;

			zns = proc_zombie_ns(p, m->end_ts);
			if (pass == 0 ? !still : still)
				continue;
			if (pass == 1 && zns < min_ns) {
				quick++;
				quick_total += zns;
				if (zns > quick_max)
					quick_max = zns;
				continue;
			}
			if (shown == max_rows) {
				over++;
				continue;
			}
			print_zombie_row(out, m, p);
			shown++;
		}
	}
	if (over)
		fprintf(out, "  ... %zu more of at least %s or never reaped\n", over,
			duration_fmt(min_ns, d1, sizeof(d1)));
	if (quick)
		fprintf(out, "  ... %zu more reaped in under %s: %s in all, the longest %s\n",
			quick, duration_fmt(min_ns, d1, sizeof(d1)),
			duration_fmt(quick_total, d2, sizeof(d2)),
			duration_fmt(quick_max, d3, sizeof(d3)));
	free(z);
	return 0;
}

static bool orphan_selected(const struct summary_opts *opts, const struct proc *p)
{
	if (!(p->flags & PROC_F_ORPHANED) || !summary_selects(opts, p))
		return false;
	return !opts || !opts->since_ns || p->adopt_ts >= opts->since_ns;
}

static void print_orphans(FILE *out, const struct model *m, const struct summary_opts *opts,
			  size_t max_rows)
{
	size_t n, i, k = 0;
	struct proc *const *all = proctree_all(m->tree, &n);
	char e1[COMM_ESC], e2[COMM_ESC], e3[COMM_ESC], op[COMM_ESC + 16], np[COMM_ESC + 32];

	fprintf(out, "\nOrphans (parent exited first; who adopted them):\n");
	for (i = 0; i < n; i++) {
		const struct proc *p = all[i];

		if (!orphan_selected(opts, p))
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
static void print_groups(FILE *out, const struct model *m, const struct summary_opts *opts)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if ((m->meta.groups & m->groups[i]->group) && m->groups[i]->summary &&
		    summary_wants(opts, summary_group_section(m->groups[i]->group)))
			m->groups[i]->summary(m->group_state[i], m, out);
}

void summary_count_selected(const struct model *m, const struct summary_opts *opts,
			    struct summary_counts *c)
{
	uint64_t since = opts ? opts->since_ns : 0;
	size_t n, i;
	struct proc *const *all = proctree_all(m->tree, &n);
	bool *in_tree = summary_tree_set(m, opts);

	memset(c, 0, sizeof(*c));
	for (i = 0; i < n; i++) {
		const struct proc *p = all[i];

		/* the processes the summary is about: those of its tree (all, without memory) */
		if (in_tree ? !in_tree[i] : !summary_selects(opts, p))
			continue;
		c->processes++;
		c->forks += (p->flags & PROC_F_FORKED) && p->fork_ts >= since;
		c->threads += p->threads_total;
		c->execs += p->nr_execs;
		c->exits += (p->flags & PROC_F_EXITED) && p->exit_ts >= since;
		if (p->state == PROC_REAPED && p->reap_ts >= since) {
			c->reaps += p->reaper != NULL;
			c->autoreaps += (p->flags & PROC_F_AUTOREAP) != 0;
			c->reaps_unseen += (p->flags & PROC_F_REAP_BY_FREE) != 0;
		}
		c->orphans += orphan_selected(opts, p);
	}
	free(in_tree);
}

/* Lost events, and where: the kernel's ring buffer or procscope's queue behind it */
static void summary_lost_line(FILE *out, const struct model_stats *st)
{
	uint64_t ring = st->lost - st->lost_queue;

	fprintf(out, "Lost events: %llu", (unsigned long long)st->lost);
	if (ring && st->lost_queue)
		fprintf(out,
			" (ring buffer full: %llu, raise --ringbuf-size; queue full: %llu, "
			"raise --queue-size)",
			(unsigned long long)ring, (unsigned long long)st->lost_queue);
	else if (ring)
		fprintf(out, " (the ring buffer was full: raise --ringbuf-size)");
	else if (st->lost_queue)
		fprintf(out, " (procscope's queue was full: raise --queue-size)");
	fputc('\n', out);
}

static void print_counts(FILE *out, const struct model *m, const struct summary_opts *opts)
{
	const struct proctree_stats *t = proctree_stats(m->tree);
	struct summary_counts c;

	if (!summary_is_filtered(opts)) {
		fprintf(out,
			"\nCounts: %llu forks (+%llu threads), %llu execs, %llu exits (+%llu thread "
			"exits), %llu reaps by wait, %llu auto-reaped, %llu reaped unseen, %llu "
			"orphans\n",
			(unsigned long long)t->forks, (unsigned long long)t->thread_forks,
			(unsigned long long)t->execs, (unsigned long long)t->exits,
			(unsigned long long)t->thread_exits, (unsigned long long)t->reaps,
			(unsigned long long)t->autoreaps, (unsigned long long)t->reaps_by_free,
			(unsigned long long)t->orphans);
		return;
	}
	summary_count_selected(m, opts, &c);
	fprintf(out,
		"\nCounts (selected processes): %llu processes, %llu forks (+%llu threads), %llu "
		"execs, %llu exits, %llu reaps by wait, %llu auto-reaped, %llu reaped unseen, "
		"%llu orphans\n",
		(unsigned long long)c.processes, (unsigned long long)c.forks,
		(unsigned long long)c.threads, (unsigned long long)c.execs,
		(unsigned long long)c.exits, (unsigned long long)c.reaps,
		(unsigned long long)c.autoreaps, (unsigned long long)c.reaps_unseen,
		(unsigned long long)c.orphans);
}

int summary_print(FILE *out, const struct model *m, const struct summary_opts *opts)
{
	size_t max_lines = opts && opts->max_tree_lines ? opts->max_tree_lines : 300;
	size_t max_rows = opts && opts->max_rows ? opts->max_rows : 25;
	char d[32];
	int err = 0;

	if (opts && (opts->since_ns || opts->until_ns)) {
		/* report --since/--until: the window, in the trace's own seconds */
		uint64_t base = m->meta.boottime_base_ns;
		uint64_t to = opts->until_ns && opts->until_ns < m->end_ts ? opts->until_ns :
									     m->end_ts;
		uint64_t from = opts->since_ns > base ? opts->since_ns - base : 0;

		to = to > base ? to - base : 0;
		fprintf(out, "\n=== procscope summary: %.3fs to %.3fs of the trace (%s) ===\n",
			from / 1e9, to / 1e9,
			duration_fmt(to > from ? to - from : 0, d, sizeof(d)));
	} else {
		fprintf(out, "\n=== procscope summary: %s traced ===\n",
			duration_fmt(m->end_ts > m->meta.boottime_base_ns ?
					     m->end_ts - m->meta.boottime_base_ns :
					     0,
				     d, sizeof(d)));
	}
	if (summary_wants(opts, SUMMARY_TREE))
		err = print_tree(out, m, opts, max_lines);
	if (!err && summary_wants(opts, SUMMARY_ZOMBIES))
		err = print_zombies(out, m, opts, max_rows);
	if (err)
		return err;
	if (summary_wants(opts, SUMMARY_ORPHANS))
		print_orphans(out, m, opts, max_rows);
	print_groups(out, m, opts);
	print_counts(out, m, opts);
	summary_lost_line(out, &m->stats);
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
