// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process table: a pid hash with chains (several generations of one pid may be present), an
 * array in creation order for printers, and per-parent child lists for reparenting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "proctree.h"

#define HASH_BITS 14
#define HASH_SIZE (1u << HASH_BITS)

struct proctree {
	struct proc *hash[HASH_SIZE];
	struct proc **all;
	size_t n;
	size_t cap;
	uint32_t next_seq;
	uint64_t tick_ns;
	/* reaped entries in reap order, and the retention limits */
	struct proc *reaped_head;
	struct proc **reaped_tail;
	size_t nreaped;
	size_t retain_plain;
	size_t retain_notable;
	struct proctree_stats stats;
	const struct proctree_ops *ops;
	void *ctx;
};

static uint32_t pid_hash(uint32_t pid)
{
	return (pid * 2654435761u) >> (32 - HASH_BITS);
}

struct proctree *proctree_new(const struct proctree_ops *ops, void *ctx)
{
	struct proctree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tick_ns = 10000000;
	t->ops = ops;
	t->ctx = ctx;
	t->reaped_tail = &t->reaped_head;
	return t;
}

static void ref_set(struct proctree *t, struct proc **slot, struct proc *v);

void proctree_free(struct proctree *t)
{
	size_t i;

	if (!t)
		return;
	/* tombstones are pointed to by table entries only: dropping those links frees them */
	for (i = 0; i < t->n; i++) {
		ref_set(t, &t->all[i]->parent, NULL);
		ref_set(t, &t->all[i]->fork_parent, NULL);
		ref_set(t, &t->all[i]->old_parent, NULL);
		ref_set(t, &t->all[i]->reaper, NULL);
	}
	for (i = 0; i < t->n; i++) {
		free(t->all[i]->filename);
		free(t->all[i]->args);
		free(t->all[i]);
	}
	free(t->all);
	free(t);
}

void proctree_set_tick_ns(struct proctree *t, uint64_t tick_ns)
{
	if (tick_ns)
		t->tick_ns = tick_ns;
}

const struct proctree_stats *proctree_stats(const struct proctree *t)
{
	return &t->stats;
}

struct proc *const *proctree_all(const struct proctree *t, size_t *n)
{
	*n = t->n;
	return t->all;
}

/*
 * /proc gives start times in clock ticks (floor), the kernel in ns: when either side comes from
 * /proc, allow one tick either way. A pid is not reused within a tick.
 */
static bool start_matches(const struct proctree *t, const struct proc *p, uint64_t start_ns,
			  bool approx)
{
	uint64_t d;

	if (p->start_ns == start_ns)
		return true;
	if (!approx && !(p->flags & PROC_F_START_APPROX))
		return false;
	d = p->start_ns > start_ns ? p->start_ns - start_ns : start_ns - p->start_ns;
	return d <= t->tick_ns;
}

static struct proc *find_tol(const struct proctree *t, uint32_t pid, uint64_t start_ns, bool approx)
{
	struct proc *p;

	for (p = t->hash[pid_hash(pid)]; p; p = p->hnext)
		if (p->pid == pid && start_matches(t, p, start_ns, approx))
			return p;
	return NULL;
}

struct proc *proctree_find(const struct proctree *t, uint32_t pid, uint64_t start_ns)
{
	return find_tol(t, pid, start_ns, false);
}

struct proc *proctree_find_pid(const struct proctree *t, uint32_t pid)
{
	struct proc *p;

	/* chains are pushed at the head, so the first match is the newest */
	for (p = t->hash[pid_hash(pid)]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* Point *slot at @v, keeping the targets' reference counts; a tombstone goes with its last */
static void ref_set(struct proctree *t, struct proc **slot, struct proc *v)
{
	struct proc *old = *slot;

	if (v)
		v->nref++;
	*slot = v;
	if (old && !--old->nref && (old->flags & PROC_F_RETIRED)) {
		t->stats.tombstones--;
		free(old);
	}
}

static void child_unlink(struct proctree *t, struct proc *c)
{
	if (!c->parent)
		return;
	if (c->parent->flags & PROC_F_RETIRED) {
		ref_set(t, &c->parent, NULL); /* a tombstone keeps no child list */
		return;
	}
	if (c->sib_prev)
		c->sib_prev->sib_next = c->sib_next;
	else
		c->parent->child_head = c->sib_next;
	if (c->sib_next)
		c->sib_next->sib_prev = c->sib_prev;
	c->sib_prev = c->sib_next = NULL;
	ref_set(t, &c->parent, NULL);
}

static void child_link(struct proctree *t, struct proc *c, struct proc *parent)
{
	if (c->parent == parent)
		return;
	child_unlink(t, c);
	if (!parent || parent == c || (parent->flags & PROC_F_RETIRED))
		return;
	ref_set(t, &c->parent, parent);
	c->sib_next = parent->child_head;
	if (parent->child_head)
		parent->child_head->sib_prev = c;
	parent->child_head = c;
}

/* Every reaped entry joins the retirement queue once */
static void enqueue_reaped(struct proctree *t, struct proc *p)
{
	p->reaped_next = NULL;
	*t->reaped_tail = p;
	t->reaped_tail = &p->reaped_next;
	t->nreaped++;
}

/* A process that is gone without a traced exit or reap (e.g. the pid was reused) */
static void retire_stale(struct proctree *t, struct proc *old, uint64_t ts)
{
	if (old->state == PROC_REAPED)
		return;
	t->stats.pid_reuse++;
	old->state = PROC_REAPED;
	old->reap_ts = ts;
	enqueue_reaped(t, old);
}

static struct proc *proc_new(struct proctree *t, uint32_t pid, uint64_t start_ns, uint32_t flags)
{
	struct proc *p, *old;
	uint32_t h = pid_hash(pid);

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct proc **all = realloc(t->all, cap * sizeof(*all));

		if (!all)
			return NULL;
		t->all = all;
		t->cap = cap;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	/* a live or zombie process with this pid cannot coexist with a new one */
	old = proctree_find_pid(t, pid);
	if (old)
		retire_stale(t, old, start_ns);
	p->pid = pid;
	p->start_ns = start_ns;
	p->born_tick = start_ns / t->tick_ns;
	p->flags = flags;
	p->seq = t->next_seq++;
	p->pos = (uint32_t)t->n;
	p->hnext = t->hash[h];
	t->hash[h] = p;
	t->all[t->n++] = p;
	return p;
}

/* The process an event names; created (implicit) if the trace never met it */
static struct proc *proc_get(struct proctree *t, uint32_t pid, uint64_t start_ns)
{
	struct proc *p;

	if (!pid)
		return NULL;
	p = proctree_find(t, pid, start_ns);
	if (p) {
		if ((p->flags & PROC_F_START_APPROX) && p->start_ns != start_ns) {
			p->start_ns = start_ns; /* exact now */
			p->flags &= ~PROC_F_START_APPROX;
		}
		return p;
	}
	p = proc_new(t, pid, start_ns, PROC_F_IMPLICIT);
	if (p)
		t->stats.implicit++;
	return p;
}

struct proc *proctree_get(struct proctree *t, uint32_t pid, uint64_t start_ns)
{
	return proc_get(t, pid, start_ns);
}

static int set_str(char **dst, const char *src, size_t len)
{
	char *s = malloc(len + 1);

	if (!s)
		return -ENOMEM;
	memcpy(s, src, len);
	s[len] = '\0';
	free(*dst);
	*dst = s;
	return 0;
}

/*
 * May @parent become @c's fork parent? A parent starts before its child, and /proc's start
 * times are floored to a tick, so (start tick when first met, creation order) never decreases
 * from a parent to its child in a real trace. Every link follows that fixed order, so no loop
 * can form, whatever a crafted log asks, and every walk up the tree (printers) ends: one
 * comparison instead of a walk up the ancestors at each fork.
 */
static bool fork_order_ok(const struct proc *c, const struct proc *parent)
{
	if (parent->born_tick != c->born_tick)
		return parent->born_tick < c->born_tick;
	return parent->seq < c->seq;
}

static void set_fork_parent(struct proctree *t, struct proc *c, struct proc *parent)
{
	if (parent && (parent == c || !fork_order_ok(c, parent))) {
		t->stats.bad_links++;
		return;
	}
	ref_set(t, &c->fork_parent, parent);
}

static int inherit_image(struct proc *c, const struct proc *parent)
{
	if (parent->filename && set_str(&c->filename, parent->filename, strlen(parent->filename)))
		return -ENOMEM;
	if (parent->args && set_str(&c->args, parent->args, parent->args_len))
		return -ENOMEM;
	c->args_len = parent->args_len;
	return 0;
}

static int apply_fork(struct proctree *t, const struct psc_ev_proc_fork *e,
		      const struct proc **subj)
{
	struct proc *parent, *c;

	if (e->flags & PSC_FORK_THREAD) {
		c = proc_get(t, e->hdr.tgid, e->hdr.start_ns);
		if (!c)
			return -ENOMEM;
		c->threads_live++;
		c->threads_total++;
		t->stats.thread_forks++;
		*subj = c;
		return 0;
	}
	parent = proc_get(t, e->parent_tgid, e->parent_start_ns);
	c = proctree_find(t, e->child_tgid, e->child_start_ns);
	if (!c)
		c = proc_new(t, e->child_tgid, e->child_start_ns, 0);
	if (!c)
		return -ENOMEM;
	c->flags |= PROC_F_FORKED;
	c->flags &= ~PROC_F_IMPLICIT;
	c->fork_ts = e->hdr.ts_ns;
	memcpy(c->comm, e->comm, sizeof(c->comm));
	if (parent) {
		set_fork_parent(t, c, parent);
		child_link(t, c, parent);
		c->flags |= parent->flags & PROC_F_IN_TREE;
		if (!c->filename && inherit_image(c, parent))
			return -ENOMEM;
	}
	t->stats.forks++;
	*subj = c;
	return 0;
}

static int apply_exec(struct proctree *t, const struct psc_ev_proc_exec *e,
		      const struct proc **subj)
{
	struct proc *p = proc_get(t, e->hdr.tgid, e->hdr.start_ns);

	if (!p)
		return -ENOMEM;
	memcpy(p->comm, e->comm, sizeof(p->comm));
	if (set_str(&p->filename, e->filename, strnlen(e->filename, sizeof(e->filename))) ||
	    set_str(&p->args, e->args, e->args_len))
		return -ENOMEM;
	p->args_len = e->args_len;
	if (!p->nr_execs++)
		p->exec_ts = e->hdr.ts_ns;
	/* exec from a non-leader thread kills the other threads, leader included */
	if (e->old_tid != e->hdr.tgid && p->threads_live)
		p->threads_live--;
	t->stats.execs++;
	*subj = p;
	return 0;
}

/* The dying process's children go to @reaper, as the kernel's forget_original_parent() does */
static void orphan_children(struct proctree *t, struct proc *dead, struct proc *reaper, uint64_t ts,
			    bool subreaper)
{
	struct proc *c, *next;

	for (c = dead->child_head; c; c = next) {
		next = c->sib_next;
		if (c->state == PROC_REAPED)
			continue; /* gone already: it keeps the parent that reaped it */
		child_link(t, c, reaper);
		if (c->state != PROC_ALIVE)
			continue; /* a zombie child just changes who must reap it */
		c->flags |= PROC_F_ORPHANED;
		if (subreaper)
			c->flags |= PROC_F_ADOPTED_BY_SUBREAPER;
		ref_set(t, &c->old_parent, dead);
		c->adopt_ts = ts;
		t->stats.orphans++;
		if (t->ops && t->ops->orphan)
			t->ops->orphan(t->ctx, c, dead, reaper, ts);
	}
}

static int apply_exit(struct proctree *t, const struct psc_ev_proc_exit *e,
		      const struct proc **subj)
{
	struct proc *p = proc_get(t, e->hdr.tgid, e->hdr.start_ns), *parent, *reaper = NULL;

	if (!p)
		return -ENOMEM;
	*subj = p;
	if (!(e->flags & PSC_EXIT_GROUP_DEAD)) {
		if (p->threads_live)
			p->threads_live--;
		t->stats.thread_exits++;
		return 0;
	}
	memcpy(p->comm, e->comm, sizeof(p->comm));
	p->flags |= PROC_F_EXITED;
	p->exit_ts = e->hdr.ts_ns;
	p->exit_status = e->exit_code;
	p->threads_live = 0;
	t->stats.exits++;
	/* the parent at exit is the one that must reap; it may be news to us (reparented earlier) */
	parent = proc_get(t, e->parent_tgid, e->parent_start_ns);
	if (parent && parent != p)
		child_link(t, p, parent);
	if (e->flags & PSC_EXIT_AUTOREAP) {
		p->flags |= PROC_F_AUTOREAP;
		p->state = PROC_REAPED;
		p->reap_ts = e->hdr.ts_ns;
		enqueue_reaped(t, p);
		t->stats.autoreaps++;
	} else {
		p->state = PROC_ZOMBIE;
	}
	if (e->reaper_tgid)
		reaper = proc_get(t, e->reaper_tgid, e->reaper_start_ns);
	if (reaper && reaper != p)
		orphan_children(t, p, reaper, e->hdr.ts_ns, e->flags & PSC_EXIT_REAPER_SUBREAPER);
	return 0;
}

static void mark_reaped(struct proctree *t, struct proc *p, struct proc *reaper, uint64_t ts)
{
	p->state = PROC_REAPED;
	p->reap_ts = ts;
	ref_set(t, &p->reaper, reaper);
	enqueue_reaped(t, p);
}

static int apply_reap(struct proctree *t, const struct psc_ev_proc_reap *e,
		      const struct proc **subj)
{
	struct proc *waiter = proc_get(t, e->hdr.tgid, e->hdr.start_ns);
	struct proc *p = proctree_find_pid(t, e->reaped_tgid);

	if (!waiter)
		return -ENOMEM;
	/* a zombie's pid cannot be reused before the reap, so the newest entry is the one */
	if (!p || p->state == PROC_REAPED) {
		t->stats.reap_unmatched++;
		return 0;
	}
	if (p->state == PROC_ZOMBIE && !(p->flags & PROC_F_EXITED) &&
	    !(e->flags & PSC_REAP_STATUS_UNKNOWN)) {
		/* a zombie from before the trace: the wait tells its exit status */
		p->flags |= PROC_F_EXITED;
		p->exit_status = e->status;
	}
	if (p->state == PROC_ALIVE) {
		/* a stopped child, as far as we can tell: a reap needs a known exit status */
		if (e->flags & PSC_REAP_STATUS_UNKNOWN) {
			t->stats.reap_unmatched++;
			return 0;
		}
		/* its exit was lost (or happened before we attached): trust the wait status */
		p->flags |= PROC_F_EXITED;
		p->exit_ts = e->hdr.ts_ns;
		p->exit_status = e->status;
	}
	mark_reaped(t, p, waiter, e->hdr.ts_ns);
	t->stats.reaps++;
	*subj = p;
	return 0;
}

static int apply_free(struct proctree *t, const struct psc_ev_proc_free *e,
		      const struct proc **subj)
{
	struct proc *p = proctree_find(t, e->hdr.tgid, e->hdr.start_ns);

	if (!p || p->state == PROC_REAPED)
		return 0;
	/* released without a wait we saw: the reaper is not traced, or the wait hook is missing */
	p->flags |= PROC_F_REAP_BY_FREE;
	mark_reaped(t, p, NULL, e->hdr.ts_ns);
	t->stats.reaps_by_free++;
	*subj = p;
	return 0;
}

/* prctl(PR_SET_NAME) or /proc/PID/comm: the process is called so from now on */
static int apply_rename(struct proctree *t, const struct psc_ev_proc_rename *e,
			const struct proc **subj)
{
	struct proc *p = proctree_find(t, e->hdr.tgid, e->hdr.start_ns);

	if (!p)
		return 0;
	memcpy(p->comm, e->comm, sizeof(p->comm));
	p->comm[sizeof(p->comm) - 1] = '\0';
	*subj = p;
	return 0;
}

static int apply_seed(struct proctree *t, const struct psc_ev_proc_seed *e,
		      const struct proc **subj)
{
	bool exact = e->flags & PSC_SEED_START_EXACT;
	struct proc *p = find_tol(t, e->hdr.tgid, e->hdr.start_ns, !exact), *parent;

	if (!p)
		p = proc_new(t, e->hdr.tgid, e->hdr.start_ns,
			     PROC_F_SEEDED | (exact ? 0 : PROC_F_START_APPROX));
	if (!p)
		return -ENOMEM;
	if (!p->comm[0])
		memcpy(p->comm, e->comm, sizeof(p->comm));
	if (!p->filename && e->filename[0] &&
	    set_str(&p->filename, e->filename, strnlen(e->filename, sizeof(e->filename))))
		return -ENOMEM;
	if (e->nr_threads > 1 && !p->threads_live)
		p->threads_live = e->nr_threads - 1;
	if (e->state == 'Z' && p->state == PROC_ALIVE) {
		/* its exit came before the trace: measured from when it was seen */
		p->state = PROC_ZOMBIE;
		p->flags |= PROC_F_ZOMBIE_AT_START;
		p->exit_ts = e->hdr.ts_ns;
	}
	parent = e->parent_tgid ? find_tol(t, e->parent_tgid, e->parent_start_ns, true) : NULL;
	if (parent && !p->parent && parent != p) {
		child_link(t, p, parent);
		if (!p->fork_parent)
			set_fork_parent(t, p, parent);
		p->flags |= parent->flags & PROC_F_IN_TREE;
	}
	t->stats.seeded++;
	*subj = p;
	return 0;
}

int proctree_apply(struct proctree *t, const union psc_event *ev, const struct proc **subject)
{
	const struct proc *subj = NULL;
	int err = 0;

	switch (ev->hdr.type) {
	case PSC_EV_PROC_FORK:
		err = apply_fork(t, &ev->fork, &subj);
		break;
	case PSC_EV_PROC_EXEC:
		err = apply_exec(t, &ev->exec, &subj);
		break;
	case PSC_EV_PROC_EXIT:
		err = apply_exit(t, &ev->exit, &subj);
		break;
	case PSC_EV_PROC_REAP:
		err = apply_reap(t, &ev->reap, &subj);
		break;
	case PSC_EV_PROC_FREE:
		err = apply_free(t, &ev->free, &subj);
		break;
	case PSC_EV_PROC_SEED:
		err = apply_seed(t, &ev->seed, &subj);
		break;
	case PSC_EV_PROC_RENAME:
		err = apply_rename(t, &ev->rename, &subj);
		break;
	default:
		break;
	}
	if (err)
		t->stats.nomem++;
	if (subject)
		*subject = subj;
	return err;
}

void proctree_set_retain(struct proctree *t, size_t plain, size_t notable)
{
	t->retain_plain = plain;
	t->retain_notable = notable;
}

/* Worth keeping for the summary tables: a visible zombie, an orphan, a death by signal */
static bool is_notable(const struct proc *p)
{
	return (p->flags & PROC_F_ORPHANED) || proc_zombie_ns(p, 0) >= 1000000 ||
	       ((p->flags & PROC_F_EXITED) && (p->exit_status & 0x7f));
}

static void hash_unlink(struct proctree *t, struct proc *p)
{
	struct proc **pp;

	for (pp = &t->hash[pid_hash(p->pid)]; *pp; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			return;
		}
}

/*
 * @p leaves the table, folded into its fork parent. Whatever still points to it keeps a
 * tombstone (identity and times) that holds no links of its own, so retiring never waits for
 * descendants: a fork-and-exit chain retires like any other process.
 */
static void retire_one(struct proctree *t, struct proc *p)
{
	struct proc *fp = p->fork_parent, *c, *next;

	if (t->ops && t->ops->retire)
		t->ops->retire(t->ctx, p);
	if (fp) {
		fp->retired_kids++;
		fp->retired_kids_life_ns += proc_lifetime_ns(p, p->reap_ts);
	}
	hash_unlink(t, p);
	child_unlink(t, p);
	/* its children keep pointing at it (child_unlink() knows a tombstone), without a list */
	for (c = p->child_head; c; c = next) {
		next = c->sib_next;
		c->sib_prev = c->sib_next = NULL;
		t->stats.steps++;
	}
	p->child_head = NULL;
	ref_set(t, &p->fork_parent, NULL);
	ref_set(t, &p->old_parent, NULL);
	ref_set(t, &p->reaper, NULL);
	t->all[p->pos] = NULL;
	t->stats.retired++;
	free(p->filename);
	free(p->args);
	p->filename = p->args = NULL;
	if (p->nref) {
		p->flags |= PROC_F_RETIRED;
		p->pos = UINT32_MAX;
		t->stats.tombstones++;
		return;
	}
	free(p);
}

void proctree_retire(struct proctree *t)
{
	size_t limit = t->retain_plain + t->retain_notable, plain = 0, notable = 0, i, o;
	struct proc **pp, *p;

	/* in batches, a quarter over the limit, so a pass costs O(1) per event on average */
	if (!t->retain_plain || t->nreaped <= limit + limit / 4 + 16)
		return;
	for (p = t->reaped_head; p; p = p->reaped_next) {
		is_notable(p) ? notable++ : plain++;
		t->stats.steps++;
	}
	/* oldest first, whatever points to them (retire_one()) */
	for (pp = &t->reaped_head; (p = *pp);) {
		bool nb = is_notable(p);

		t->stats.steps++;
		if (nb ? notable <= t->retain_notable : plain <= t->retain_plain) {
			pp = &p->reaped_next;
			continue;
		}
		*pp = p->reaped_next;
		if (!*pp)
			t->reaped_tail = pp;
		nb ? notable-- : plain--;
		t->nreaped--;
		retire_one(t, p);
	}
	/* compact the creation-order array */
	for (i = 0, o = 0; i < t->n; i++) {
		t->stats.steps++;
		if (!t->all[i])
			continue;
		t->all[o] = t->all[i];
		t->all[o]->pos = (uint32_t)o;
		o++;
	}
	t->n = o;
}

uint64_t proc_zombie_ns(const struct proc *p, uint64_t now)
{
	if (!(p->flags & (PROC_F_EXITED | PROC_F_ZOMBIE_AT_START)) || (p->flags & PROC_F_AUTOREAP))
		return 0;
	if (proc_parent_is_tracer(p))
		return 0;
	if (p->state == PROC_REAPED)
		return p->reap_ts > p->exit_ts ? p->reap_ts - p->exit_ts : 0;
	return now > p->exit_ts ? now - p->exit_ts : 0;
}

uint64_t proc_held_ns(const struct proc *p)
{
	if (!(p->flags & PROC_F_LAUNCHED) || !p->exec_ts)
		return 0;
	return p->exec_ts > p->start_ns ? p->exec_ts - p->start_ns : 0;
}

uint64_t proc_lifetime_ns(const struct proc *p, uint64_t now)
{
	uint64_t end = (p->flags & PROC_F_EXITED) ? p->exit_ts : now;
	uint64_t start = p->start_ns + proc_held_ns(p);

	return end > start ? end - start : 0;
}
