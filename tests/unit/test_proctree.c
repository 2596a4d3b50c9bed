// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/core/proctree.c and user/core/model.c: synthetic event streams (no BPF, no root) and
 * the tree, states, intervals, counters and sink calls they must produce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "decode.h"
#include "epoll_tl.h"
#include "model.h"
#include "proctree.h"
#include "testlib.h"

#define MS 1000000ull
#define TICK (10 * MS) /* the tree's default /proc clock tick */
#define SEC_MS (1000 * MS)

/* A start time for @pid that no /proc tick lines up with */
#define ST(pid) ((uint64_t)(pid)*1000003ull + 17)

/* ---- event constructors ---- */

static union psc_event ev_fork(uint64_t ts, uint32_t ppid, uint64_t pstart, uint32_t cpid,
			       uint64_t cstart)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FORK, ts, ppid, ppid, pstart);
	ev.fork.parent_tgid = ppid;
	ev.fork.parent_start_ns = pstart;
	ev.fork.child_tgid = cpid;
	ev.fork.child_tid = cpid;
	ev.fork.child_start_ns = cstart;
	snprintf(ev.fork.comm, sizeof(ev.fork.comm), "c%u", cpid);
	return ev;
}

/* A new thread @tid in process (@pid, @start), created by its leader */
static union psc_event ev_thread_fork(uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FORK, ts, pid, pid, start);
	ev.fork.child_tgid = pid;
	ev.fork.child_tid = tid;
	ev.fork.child_start_ns = start;
	ev.fork.flags = PSC_FORK_THREAD;
	snprintf(ev.fork.comm, sizeof(ev.fork.comm), "c%u", pid);
	return ev;
}

static union psc_event ev_exec(uint64_t ts, uint32_t pid, uint64_t start, uint32_t old_tid,
			       const char *comm, const char *filename, const char *args,
			       uint32_t args_len)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_EXEC, ts, pid, pid, start);
	ev.exec.old_tid = old_tid;
	snprintf(ev.exec.comm, sizeof(ev.exec.comm), "%s", comm);
	snprintf(ev.exec.filename, sizeof(ev.exec.filename), "%s", filename);
	memcpy(ev.exec.args, args, args_len);
	ev.exec.args_len = args_len;
	return ev;
}

static union psc_event ev_exit(uint64_t ts, uint32_t pid, uint64_t start, uint32_t status,
			       uint32_t flags, uint32_t parent, uint64_t parent_start,
			       uint32_t reaper, uint64_t reaper_start)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_EXIT, ts, pid, pid, start);
	ev.exit.exit_code = status;
	ev.exit.flags = flags;
	ev.exit.parent_tgid = parent;
	ev.exit.parent_start_ns = parent_start;
	ev.exit.reaper_tgid = reaper;
	ev.exit.reaper_start_ns = reaper_start;
	snprintf(ev.exit.comm, sizeof(ev.exit.comm), "c%u", pid);
	return ev;
}

/* A non-leader thread @tid of (@pid, @start) exits; the process lives on */
static union psc_event ev_thread_exit(uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid)
{
	union psc_event ev = ev_exit(ts, pid, start, 0, 0, 0, 0, 0, 0);

	ev.hdr.tid = tid;
	return ev;
}

static union psc_event ev_reap(uint64_t ts, uint32_t waiter, uint64_t waiter_start, uint32_t pid,
			       uint32_t status)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_REAP, ts, waiter, waiter, waiter_start);
	ev.reap.reaped_tgid = pid;
	ev.reap.status = status;
	return ev;
}

static union psc_event ev_free(uint64_t ts, uint32_t pid, uint64_t start)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FREE, ts, pid, pid, start);
	return ev;
}

static union psc_event ev_seed(uint64_t ts, uint32_t pid, uint64_t start, uint32_t ppid,
			       uint64_t pstart, uint32_t nr_threads, char state, const char *comm,
			       const char *filename)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_SEED, ts, pid, pid, start);
	ev.seed.parent_tgid = ppid;
	ev.seed.parent_start_ns = pstart;
	ev.seed.nr_threads = nr_threads;
	ev.seed.state = (unsigned char)state;
	snprintf(ev.seed.comm, sizeof(ev.seed.comm), "%s", comm);
	snprintf(ev.seed.filename, sizeof(ev.seed.filename), "%s", filename);
	return ev;
}

/* ---- a sink that records every call, shared by several sinks to check the order ---- */

enum call_kind { CALL_EVENT, CALL_ORPHAN, CALL_LOST };

struct call {
	int sink;
	enum call_kind kind;
	uint32_t type;
	uint64_t ts;
	const struct proc *subject; /* event: subject; orphan: child */
	const struct proc *old_parent;
	const struct proc *new_parent;
	uint64_t total;
	uint64_t by_type[PSC_EV_TYPE_MAX];
};

struct call_log {
	struct call calls[128];
	size_t n;
};

struct rec_sink {
	struct sink s; /* first: the callbacks cast back */
	int id;
	struct call_log *log;
};

static struct call *log_next(struct sink *s)
{
	struct rec_sink *r = (struct rec_sink *)s;
	struct call *c;

	assert_true(r->log->n < sizeof(r->log->calls) / sizeof(r->log->calls[0]));
	c = &r->log->calls[r->log->n++];
	memset(c, 0, sizeof(*c));
	c->sink = r->id;
	return c;
}

static void rec_event(struct sink *s, const struct model *m, const union psc_event *ev,
		      const struct proc *subject)
{
	struct call *c = log_next(s);

	c->kind = CALL_EVENT;
	c->type = ev->hdr.type;
	c->ts = ev->hdr.ts_ns;
	c->subject = subject;
}

static void rec_orphan(struct sink *s, const struct model *m, const struct proc *child,
		       const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct call *c = log_next(s);

	c->kind = CALL_ORPHAN;
	c->ts = ts;
	c->subject = child;
	c->old_parent = old_parent;
	c->new_parent = new_parent;
}

static void rec_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		     uint64_t total)
{
	struct call *c = log_next(s);

	c->kind = CALL_LOST;
	c->ts = ts;
	c->total = total;
	memcpy(c->by_type, by_type, sizeof(c->by_type));
}

struct fx {
	struct model *m;
	struct call_log log;
	struct rec_sink a, b;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->m = model_new();
	if (!f->m) {
		free(f);
		return -1;
	}
	f->a.s.event = rec_event;
	f->a.s.orphan = rec_orphan;
	f->a.s.lost = rec_lost;
	f->a.id = 1;
	f->a.log = &f->log;
	f->b = f->a;
	f->b.id = 2;
	model_add_sink(f->m, &f->a.s);
	model_add_sink(f->m, &f->b.s);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	model_free(f->m);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static void apply(struct fx *f, union psc_event ev)
{
	assert_int_equal(model_apply(f->m, &ev), 0);
}

static struct proc *get(const struct fx *f, uint32_t pid, uint64_t start)
{
	struct proc *p = proctree_find(f->m->tree, pid, start);

	assert_non_null(p);
	assert_int_equal(p->pid, pid);
	return p;
}

static const struct proctree_stats *stats(const struct fx *f)
{
	return proctree_stats(f->m->tree);
}

static size_t nprocs(const struct fx *f)
{
	size_t n;

	proctree_all(f->m->tree, &n);
	return n;
}

static bool has_child(const struct proc *parent, const struct proc *child)
{
	const struct proc *c;

	for (c = parent->child_head; c; c = c->sib_next)
		if (c == child)
			return true;
	return false;
}

static size_t nchildren(const struct proc *parent)
{
	const struct proc *c;
	size_t n = 0;

	for (c = parent->child_head; c; c = c->sib_next) {
		assert_ptr_equal(c->parent, parent);
		n++;
	}
	return n;
}

/* The last call of sink @id that is of @kind, NULL if none */
static const struct call *last_call(const struct fx *f, int id, enum call_kind kind)
{
	size_t i;

	for (i = f->log.n; i-- > 0;)
		if (f->log.calls[i].sink == id && f->log.calls[i].kind == kind)
			return &f->log.calls[i];
	return NULL;
}

static size_t count_calls(const struct fx *f, enum call_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < f->log.n; i++)
		n += f->log.calls[i].kind == kind;
	return n;
}

/* ---- tests ---- */

static void test_proctree__simple_lifecycle(void **state)
{
	struct fx *f = *state;
	static const char args[] = "echo\0hi there\0";
	const struct call *c;
	struct proc *p, *ch;

	apply(f, ev_fork(100 * MS, 10, ST(10), 20, ST(20)));
	p = get(f, 10, ST(10));
	ch = get(f, 20, ST(20));
	assert_int_equal(nprocs(f), 2);
	assert_true(p->flags & PROC_F_IMPLICIT); /* met first as the parent */
	assert_false(p->flags & PROC_F_FORKED);
	assert_true(ch->flags & PROC_F_FORKED);
	assert_false(ch->flags & PROC_F_IMPLICIT);
	assert_int_equal(ch->fork_ts, 100 * MS);
	assert_ptr_equal(ch->parent, p);
	assert_ptr_equal(ch->fork_parent, p);
	assert_true(has_child(p, ch));
	assert_int_equal(nchildren(p), 1);
	assert_string_equal(ch->comm, "c20");
	assert_int_equal(ch->state, PROC_ALIVE);
	assert_int_equal(stats(f)->forks, 1);
	assert_int_equal(stats(f)->implicit, 1);
	c = last_call(f, 1, CALL_EVENT);
	assert_non_null(c);
	assert_ptr_equal(c->subject, ch); /* a fork is about the child */

	apply(f, ev_exec(150 * MS, 20, ST(20), 20, "echo", "/bin/echo", args, sizeof(args) - 1));
	assert_int_equal(nprocs(f), 2);
	assert_string_equal(ch->comm, "echo");
	assert_string_equal(ch->filename, "/bin/echo");
	assert_int_equal(ch->args_len, sizeof(args) - 1);
	assert_memory_equal(ch->args, args, sizeof(args) - 1);
	assert_int_equal(ch->nr_execs, 1);
	assert_int_equal(stats(f)->execs, 1);
	assert_ptr_equal(last_call(f, 2, CALL_EVENT)->subject, ch);

	apply(f, ev_exit(300 * MS, 20, ST(20), 3 << 8, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1)));
	assert_int_equal(ch->state, PROC_ZOMBIE);
	assert_true(proc_is_zombie(ch));
	assert_true(ch->flags & PROC_F_EXITED);
	assert_int_equal(ch->exit_ts, 300 * MS);
	assert_true(WIFEXITED(ch->exit_status));
	assert_int_equal(WEXITSTATUS(ch->exit_status), 3);
	assert_int_equal(proc_zombie_ns(ch, 350 * MS), 50 * MS); /* still a zombie at 350 ms */
	assert_int_equal(proc_lifetime_ns(ch, 999 * MS), 300 * MS - ST(20));
	assert_ptr_equal(ch->parent, p);
	assert_int_equal(stats(f)->exits, 1);
	assert_int_equal(stats(f)->orphans, 0);

	apply(f, ev_reap(400 * MS, 10, ST(10), 20, 3 << 8));
	assert_int_equal(ch->state, PROC_REAPED);
	assert_false(proc_is_zombie(ch));
	assert_int_equal(ch->reap_ts, 400 * MS);
	assert_ptr_equal(ch->reaper, p);
	assert_ptr_equal(ch->parent, p);
	assert_int_equal(proc_zombie_ns(ch, 5000 * MS), 100 * MS); /* reap_ts - exit_ts */
	assert_false(ch->flags & (PROC_F_REAP_BY_FREE | PROC_F_AUTOREAP | PROC_F_ORPHANED));
	assert_int_equal(stats(f)->reaps, 1);
	assert_int_equal(stats(f)->reap_unmatched, 0);
	assert_ptr_equal(last_call(f, 1, CALL_EVENT)->subject, ch); /* a reap is about the reaped */
	assert_int_equal(f->m->stats.events, 4);
	assert_int_equal(f->m->stats.by_type[PSC_EV_PROC_FORK], 1);
	assert_int_equal(f->m->stats.by_type[PSC_EV_PROC_REAP], 1);
	assert_int_equal(f->m->first_ts, 100 * MS);
	assert_int_equal(f->m->last_ts, 400 * MS);
	assert_int_equal(count_calls(f, CALL_EVENT), 8); /* 4 events x 2 sinks */
	assert_int_equal(count_calls(f, CALL_ORPHAN), 0);
}

static void test_proctree__pid_reuse(void **state)
{
	struct fx *f = *state;
	const uint64_t a = 1000 * MS + 1, b = 5000 * MS + 3;
	struct proc *old, *new, *p, *l1, *l2;

	apply(f, ev_fork(1000 * MS, 10, ST(10), 100, a));
	apply(f, ev_exec(1100 * MS, 100, a, 100, "old", "/bin/old", "old", 4));
	apply(f, ev_exit(1200 * MS, 100, a, 1 << 8, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1)));
	apply(f, ev_reap(1300 * MS, 10, ST(10), 100, 1 << 8));
	old = get(f, 100, a);
	assert_int_equal(old->state, PROC_REAPED);

	apply(f, ev_fork(5000 * MS, 10, ST(10), 100, b));
	new = get(f, 100, b);
	p = get(f, 10, ST(10));
	assert_ptr_not_equal(old, new);
	assert_ptr_equal(proctree_find(f->m->tree, 100, a), old);
	assert_ptr_equal(proctree_find_pid(f->m->tree, 100), new); /* the newest */
	assert_int_equal(stats(f)->pid_reuse,
			 0); /* the old one was reaped: no reuse of a live one */
	assert_int_equal(new->state, PROC_ALIVE);
	assert_false(new->flags &PROC_F_EXITED);
	assert_int_equal(new->nr_execs, 0);
	assert_null(new->filename); /* the parent exec'd nothing we saw */
	assert_int_equal(nchildren(p), 2);

	/* events of start b reach the new one, the old keeps its data */
	apply(f, ev_exec(5100 * MS, 100, b, 100, "new", "/bin/new", "new", 4));
	apply(f, ev_exit(5200 * MS, 100, b, 9, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1)));
	assert_string_equal(new->filename, "/bin/new");
	assert_string_equal(new->comm, "c100");
	assert_int_equal(new->state, PROC_ZOMBIE);
	assert_int_equal(new->exit_ts, 5200 * MS);
	assert_string_equal(old->filename, "/bin/old");
	assert_int_equal(old->nr_execs, 1);
	assert_int_equal(old->state, PROC_REAPED);
	assert_int_equal(old->exit_ts, 1200 * MS);
	assert_int_equal(old->exit_status, 1 << 8);
	assert_int_equal(old->reap_ts, 1300 * MS);
	assert_int_equal(nprocs(f), 4); /* and the implicit init, named as reaper */

	/* a reap of pid 100 is the newest's: a zombie's pid is not reused before its reap */
	apply(f, ev_reap(5300 * MS, 10, ST(10), 100, 9));
	assert_int_equal(new->state, PROC_REAPED);
	assert_int_equal(new->reap_ts, 5300 * MS);
	assert_int_equal(old->reap_ts, 1300 * MS);
	assert_int_equal(stats(f)->reaps, 2);

	/* a live entry replaced by a new process with its pid: its exit and reap were lost */
	apply(f, ev_fork(6000 * MS, 10, ST(10), 200, 6000 * MS));
	l1 = get(f, 200, 6000 * MS);
	apply(f, ev_fork(7000 * MS, 10, ST(10), 200, 7000 * MS));
	l2 = get(f, 200, 7000 * MS);
	assert_ptr_not_equal(l1, l2);
	assert_int_equal(stats(f)->pid_reuse, 1);
	assert_int_equal(l1->state, PROC_REAPED); /* retired */
	assert_int_equal(l2->state, PROC_ALIVE);
	assert_ptr_equal(proctree_find_pid(f->m->tree, 200), l2);
	assert_int_equal(nprocs(f), 6);
}

static void test_proctree__missing_fork_implicit(void **state)
{
	struct fx *f = *state;
	const uint64_t s50 = 1234 * MS + 567891; /* the exact kernel start */
	struct proc *p, *q, *init;

	apply(f, ev_exec(5000 * MS, 50, s50, 50, "sh", "/bin/sh", "sh\0-c", 6));
	p = get(f, 50, s50);
	assert_int_equal(nprocs(f), 1);
	assert_true(p->flags & PROC_F_IMPLICIT);
	assert_false(p->flags & (PROC_F_FORKED | PROC_F_SEEDED));
	assert_null(p->parent);
	assert_null(p->fork_parent);
	assert_string_equal(p->filename, "/bin/sh");
	assert_int_equal(stats(f)->implicit, 1);

	/* an exit of an unknown process: it and its parent are implicit */
	apply(f, ev_exit(5100 * MS, 51, ST(51), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	q = get(f, 51, ST(51));
	init = get(f, 1, ST(1));
	assert_true(q->flags & PROC_F_IMPLICIT);
	assert_true(init->flags & PROC_F_IMPLICIT);
	assert_int_equal(q->state, PROC_ZOMBIE);
	assert_ptr_equal(q->parent, init);
	assert_int_equal(stats(f)->implicit, 3);
	assert_int_equal(nprocs(f), 3);

	/* /proc sees it later with a tick-rounded start: the same process, not a second one */
	apply(f, ev_seed(5200 * MS, 50, s50 / TICK * TICK, 1, ST(1) / TICK * TICK, 1, 'S', "sh",
			 "/usr/bin/dash"));
	assert_int_equal(nprocs(f), 3);
	assert_ptr_equal(proctree_find_pid(f->m->tree, 50), p);
	assert_int_equal(p->start_ns, s50); /* the exact start stays */
	assert_false(p->flags & PROC_F_START_APPROX);
	assert_string_equal(p->filename, "/bin/sh"); /* what exec said wins over /proc */
	assert_ptr_equal(p->parent, init); /* the seed knows the parent */
	assert_int_equal(stats(f)->seeded, 1);
	assert_int_equal(stats(f)->implicit, 3);
	assert_int_equal(stats(f)->pid_reuse, 0);

	/* the fork arriving late (out of order) makes it a traced fork */
	apply(f, ev_fork(5300 * MS, 1, ST(1), 50, s50));
	assert_int_equal(nprocs(f), 3);
	assert_true(p->flags & PROC_F_FORKED);
	assert_false(p->flags & PROC_F_IMPLICIT);
	assert_ptr_equal(p->fork_parent, init);
}

/*
 * A seed whose start is the kernel's (PSC_SEED_START_EXACT, read by the task iterator) is no
 * approximation: no "approximate" flag, and a record a few ns off is another process
 */
static void test_proctree__seeded_exact(void **state)
{
	struct fx *f = *state;
	const uint64_t s500 = 2000 * MS + 7654321;
	union psc_event ev = ev_seed(9000 * MS, 500, s500, 0, 0, 1, 'S', "bash", "");
	struct proc *sh;

	ev.seed.flags = PSC_SEED_START_EXACT;
	apply(f, ev);
	sh = get(f, 500, s500);
	assert_true(sh->flags & PROC_F_SEEDED);
	assert_false(sh->flags & PROC_F_START_APPROX);
	assert_null(proctree_find(f->m->tree, 500, s500 - 1000));
	/* the same seed again (a second /proc walk) is the same process */
	apply(f, ev);
	assert_int_equal(nprocs(f), 1);
}

static void test_proctree__seeded(void **state)
{
	struct fx *f = *state;
	const uint64_t s500 = 2000 * MS, s500_exact = 2000 * MS + 7654321;
	struct proc *init, *sh, *z, *far, *near, *ch;
	size_t n;

	apply(f, ev_seed(9000 * MS, 1, 10 * MS, 0, 0, 1, 'S', "init", "/sbin/init"));
	apply(f, ev_seed(9000 * MS, 500, s500, 1, 10 * MS, 3, 'S', "bash", "/usr/bin/bash"));
	apply(f, ev_seed(9000 * MS, 600, 3000 * MS, 500, s500, 1, 'Z', "defunct", ""));
	apply(f, ev_seed(9000 * MS, 800, 4000 * MS, 1, 10 * MS, 1, 'S', "far", ""));
	apply(f, ev_seed(9000 * MS, 900, 4500 * MS, 1, 10 * MS, 1, 'S', "near", ""));
	assert_int_equal(nprocs(f), 5);
	assert_int_equal(stats(f)->seeded, 5);
	assert_int_equal(stats(f)->implicit, 0);
	init = get(f, 1, 10 * MS);
	sh = get(f, 500, s500);
	z = get(f, 600, 3000 * MS);
	far = get(f, 800, 4000 * MS);
	near = get(f, 900, 4500 * MS);
	assert_true(sh->flags & PROC_F_SEEDED);
	assert_true(sh->flags & PROC_F_START_APPROX);
	assert_false(sh->flags & (PROC_F_IMPLICIT | PROC_F_FORKED | PROC_F_EXITED));
	assert_ptr_equal(sh->parent, init);
	assert_ptr_equal(sh->fork_parent, init);
	assert_ptr_equal(z->parent, sh);
	assert_null(init->parent);
	assert_int_equal(nchildren(init), 3);
	assert_string_equal(sh->comm, "bash");
	assert_string_equal(sh->filename, "/usr/bin/bash");
	assert_null(z->filename); /* empty exe: none */
	assert_int_equal(sh->threads_live, 2); /* besides the leader */
	assert_int_equal(z->state, PROC_ZOMBIE);
	assert_int_equal(sh->state, PROC_ALIVE);

	/* a kernel event with the exact start inside the tick: the seeded one, made exact */
	apply(f, ev_fork(9100 * MS, 500, s500_exact, 700, 9100 * MS));
	assert_int_equal(nprocs(f), 6);
	assert_ptr_equal(get(f, 500, s500_exact), sh);
	assert_int_equal(sh->start_ns, s500_exact);
	assert_false(sh->flags & PROC_F_START_APPROX);
	assert_true(sh->flags & PROC_F_SEEDED);
	assert_null(proctree_find(f->m->tree, 500, s500)); /* exact now: no more tolerance */
	ch = get(f, 700, 9100 * MS);
	assert_ptr_equal(ch->parent, sh);
	assert_ptr_equal(ch->fork_parent, sh);
	assert_int_equal(stats(f)->implicit, 0);
	assert_int_equal(stats(f)->pid_reuse, 0);

	/* exactly one tick off still matches */
	apply(f, ev_exec(9200 * MS, 900, 4500 * MS + TICK, 900, "near", "/bin/near", "", 0));
	assert_ptr_equal(proctree_find_pid(f->m->tree, 900), near);
	assert_int_equal(near->start_ns, 4500 * MS + TICK);
	assert_int_equal(nprocs(f), 6);

	/* more than a tick off: another process that reused the pid */
	apply(f, ev_exec(9300 * MS, 800, 4000 * MS + TICK + 1, 800, "x", "/bin/x", "", 0));
	assert_int_equal(nprocs(f), 7);
	assert_ptr_not_equal(proctree_find_pid(f->m->tree, 800), far);
	assert_int_equal(far->state, PROC_REAPED);
	assert_int_equal(stats(f)->pid_reuse, 1);
	assert_int_equal(stats(f)->implicit, 1);

	/* the seeded zombie is reaped by its parent, named by the exact start */
	apply(f, ev_reap(9400 * MS, 500, s500_exact, 600, 0));
	assert_int_equal(z->state, PROC_REAPED);
	assert_ptr_equal(z->reaper, sh);
	assert_int_equal(stats(f)->reaps, 1);

	/* seeding again (a second snapshot) duplicates nothing */
	apply(f, ev_seed(9500 * MS, 500, s500, 1, 10 * MS, 1, 'S', "bash", "/usr/bin/bash"));
	proctree_all(f->m->tree, &n);
	assert_int_equal(n, 7);
	assert_ptr_equal(proctree_find_pid(f->m->tree, 500), sh);
}

static void test_proctree__orphan_to_init(void **state)
{
	struct fx *f = *state;
	const struct call *c;
	struct proc *init, *p, *ch;
	size_t i, n;

	apply(f, ev_seed(0, 1, ST(1), 0, 0, 1, 'S', "init", "/sbin/init"));
	apply(f, ev_fork(100 * MS, 1, ST(1), 10, ST(10)));
	apply(f, ev_fork(200 * MS, 10, ST(10), 20, ST(20)));
	init = get(f, 1, ST(1));
	p = get(f, 10, ST(10));
	ch = get(f, 20, ST(20));
	assert_ptr_equal(ch->parent, p);

	n = f->log.n;
	apply(f, ev_exit(300 * MS, 10, ST(10), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	assert_true(ch->flags & PROC_F_ORPHANED);
	assert_false(ch->flags & PROC_F_ADOPTED_BY_SUBREAPER);
	assert_ptr_equal(ch->old_parent, p);
	assert_ptr_equal(ch->parent, init);
	assert_ptr_equal(ch->fork_parent, p); /* who forked it does not change */
	assert_int_equal(ch->adopt_ts, 300 * MS);
	assert_int_equal(ch->state, PROC_ALIVE);
	assert_true(has_child(init, ch));
	assert_false(has_child(p, ch));
	assert_int_equal(nchildren(p), 0);
	assert_int_equal(nchildren(init), 2);
	assert_int_equal(stats(f)->orphans, 1);
	assert_false(p->flags & PROC_F_ORPHANED);
	assert_int_equal(p->state, PROC_ZOMBIE);

	/* the exit goes to every sink first, then the derived orphan, once per sink */
	assert_int_equal(f->log.n - n, 4);
	c = &f->log.calls[n];
	assert_int_equal(c->kind, CALL_EVENT);
	assert_int_equal(c->sink, 1);
	assert_int_equal(c->type, PSC_EV_PROC_EXIT);
	assert_ptr_equal(c->subject, p);
	c++;
	assert_int_equal(c->kind, CALL_EVENT);
	assert_int_equal(c->sink, 2);
	assert_int_equal(c->type, PSC_EV_PROC_EXIT);
	assert_ptr_equal(c->subject, p);
	for (i = 2; i < 4; i++) {
		c = &f->log.calls[n + i];
		assert_int_equal(c->kind, CALL_ORPHAN);
		assert_int_equal(c->sink, (int)i - 1);
		assert_ptr_equal(c->subject, ch);
		assert_ptr_equal(c->old_parent, p);
		assert_ptr_equal(c->new_parent, init);
		assert_int_equal(c->ts, 300 * MS);
	}
	assert_int_equal(count_calls(f, CALL_ORPHAN), 2);

	/* init waits for the dead parent and, later, the adopted child */
	apply(f, ev_reap(310 * MS, 1, ST(1), 10, 0));
	assert_ptr_equal(p->reaper, init);
	apply(f, ev_exit(400 * MS, 20, ST(20), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	apply(f, ev_reap(410 * MS, 1, ST(1), 20, 0));
	assert_int_equal(ch->state, PROC_REAPED);
	assert_ptr_equal(ch->reaper, init);
	assert_int_equal(proc_zombie_ns(ch, 0), 10 * MS);
	assert_int_equal(stats(f)->orphans, 1);
	assert_int_equal(count_calls(f, CALL_ORPHAN), 2);
}

static void test_proctree__orphan_to_subreaper(void **state)
{
	struct fx *f = *state;
	struct proc *sub, *p, *c1, *c2;

	apply(f, ev_fork(100 * MS, 1, ST(1), 30, ST(30)));
	apply(f, ev_fork(110 * MS, 30, ST(30), 31, ST(31)));
	apply(f, ev_fork(120 * MS, 31, ST(31), 32, ST(32)));
	apply(f, ev_fork(130 * MS, 31, ST(31), 33, ST(33)));
	sub = get(f, 30, ST(30));
	p = get(f, 31, ST(31));
	c1 = get(f, 32, ST(32));
	c2 = get(f, 33, ST(33));

	apply(f, ev_exit(200 * MS, 31, ST(31), 0, PSC_EXIT_GROUP_DEAD | PSC_EXIT_REAPER_SUBREAPER,
			 30, ST(30), 30, ST(30)));
	assert_true(c1->flags & PROC_F_ORPHANED);
	assert_true(c1->flags & PROC_F_ADOPTED_BY_SUBREAPER);
	assert_true(c2->flags & PROC_F_ADOPTED_BY_SUBREAPER);
	assert_ptr_equal(c1->parent, sub);
	assert_ptr_equal(c2->parent, sub);
	assert_ptr_equal(c1->old_parent, p);
	assert_ptr_equal(c2->old_parent, p);
	assert_int_equal(c2->adopt_ts, 200 * MS);
	assert_int_equal(nchildren(sub), 3); /* the dead parent and both adopted */
	assert_int_equal(nchildren(p), 0);
	assert_false(p->flags & PROC_F_ADOPTED_BY_SUBREAPER);
	assert_false(sub->flags & (PROC_F_ORPHANED | PROC_F_ADOPTED_BY_SUBREAPER));
	assert_int_equal(stats(f)->orphans, 2);
	assert_int_equal(count_calls(f, CALL_ORPHAN), 4); /* 2 orphans x 2 sinks */
	assert_ptr_equal(last_call(f, 1, CALL_ORPHAN)->new_parent, sub);
	assert_int_equal(f->log.calls[f->log.n - 5].kind, CALL_EVENT); /* the exit, sink 2 */
	assert_int_equal(f->log.calls[f->log.n - 5].type, PSC_EV_PROC_EXIT);
}

static void test_proctree__out_of_order_reparent(void **state)
{
	struct fx *f = *state;
	struct proc *init, *p, *ch;

	apply(f, ev_fork(100 * MS, 1, ST(1), 10, ST(10)));
	apply(f, ev_fork(110 * MS, 10, ST(10), 20, ST(20)));
	init = get(f, 1, ST(1));
	p = get(f, 10, ST(10));
	ch = get(f, 20, ST(20));

	/* P's exit was lost: the child's exit is the first to say its parent is init */
	apply(f, ev_exit(200 * MS, 20, ST(20), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	assert_ptr_equal(ch->parent, init);
	assert_ptr_equal(ch->fork_parent, p);
	assert_true(has_child(init, ch));
	assert_false(has_child(p, ch));
	assert_int_equal(ch->state, PROC_ZOMBIE);
	assert_false(ch->flags & PROC_F_ORPHANED); /* not derived: no exit of P seen */
	assert_int_equal(stats(f)->orphans, 0);

	apply(f, ev_reap(210 * MS, 1, ST(1), 20, 0));
	assert_int_equal(ch->state, PROC_REAPED);
	assert_ptr_equal(ch->reaper, init);
	assert_int_equal(proc_zombie_ns(ch, 0), 10 * MS);

	/* P's exit turning up late changes nothing for the reaped child */
	apply(f, ev_exit(220 * MS, 10, ST(10), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	assert_ptr_equal(ch->parent, init);
	assert_ptr_equal(ch->reaper, init);
	assert_int_equal(stats(f)->orphans, 0);
	assert_int_equal(count_calls(f, CALL_ORPHAN), 0);

	/* an exit whose parent is not known at all: init is created, implicit */
	apply(f, ev_exit(300 * MS, 40, ST(40), 0, PSC_EXIT_GROUP_DEAD, 41, ST(41), 1, ST(1)));
	assert_ptr_equal(get(f, 40, ST(40))->parent, get(f, 41, ST(41)));
	assert_true(get(f, 41, ST(41))->flags & PROC_F_IMPLICIT);
}

static void test_proctree__zombie_children_not_orphans(void **state)
{
	struct fx *f = *state;
	struct proc *init, *p, *z, *r, *a;

	apply(f, ev_seed(0, 1, 0, 0, 0, 1, 'S', "init", ""));
	apply(f, ev_fork(100 * MS, 1, 0, 10, ST(10)));
	apply(f, ev_fork(110 * MS, 10, ST(10), 21, ST(21)));
	apply(f, ev_fork(120 * MS, 10, ST(10), 22, ST(22)));
	apply(f, ev_fork(130 * MS, 10, ST(10), 23, ST(23)));
	init = get(f, 1, 0);
	p = get(f, 10, ST(10));
	z = get(f, 21, ST(21));
	r = get(f, 22, ST(22));
	a = get(f, 23, ST(23));

	apply(f, ev_exit(200 * MS, 21, ST(21), 0, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, 0));
	apply(f, ev_exit(210 * MS, 22, ST(22), 0, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, 0));
	apply(f, ev_reap(220 * MS, 10, ST(10), 22, 0));
	assert_int_equal(z->state, PROC_ZOMBIE);
	assert_int_equal(r->state, PROC_REAPED);

	apply(f, ev_exit(300 * MS, 10, ST(10), 0, PSC_EXIT_GROUP_DEAD, 1, 0, 1, 0));
	/* the zombie now waits for init, but was never an orphan */
	assert_ptr_equal(z->parent, init);
	assert_false(z->flags & PROC_F_ORPHANED);
	assert_null(z->old_parent);
	assert_int_equal(z->state, PROC_ZOMBIE);
	/* the reaped one is gone: it keeps the parent that reaped it */
	assert_ptr_equal(r->parent, p);
	assert_ptr_equal(r->reaper, p);
	assert_false(r->flags & PROC_F_ORPHANED);
	assert_int_equal(r->reap_ts, 220 * MS);
	/* only the live one is an orphan */
	assert_true(a->flags & PROC_F_ORPHANED);
	assert_ptr_equal(a->parent, init);
	assert_int_equal(stats(f)->orphans, 1);
	assert_int_equal(count_calls(f, CALL_ORPHAN), 2);
	assert_ptr_equal(last_call(f, 1, CALL_ORPHAN)->subject, a);
	assert_int_equal(nchildren(p), 1); /* r */
	assert_int_equal(nchildren(init), 3); /* p, z, a */

	apply(f, ev_reap(400 * MS, 1, 0, 21, 0));
	assert_int_equal(z->state, PROC_REAPED);
	assert_ptr_equal(z->reaper, init);
	assert_int_equal(proc_zombie_ns(z, 0), 200 * MS);
}

static void test_proctree__thread_vs_process_exit(void **state)
{
	struct fx *f = *state;
	struct proc *p;

	apply(f, ev_fork(100 * MS, 1, ST(1), 10, ST(10)));
	apply(f, ev_thread_fork(110 * MS, 10, ST(10), 11));
	apply(f, ev_thread_fork(120 * MS, 10, ST(10), 12));
	p = get(f, 10, ST(10));
	assert_int_equal(nprocs(f), 2); /* threads are no processes */
	assert_int_equal(p->threads_live, 2);
	assert_int_equal(p->threads_total, 2);
	assert_int_equal(stats(f)->forks, 1);
	assert_int_equal(stats(f)->thread_forks, 2);
	assert_ptr_equal(last_call(f, 1, CALL_EVENT)->subject, p);

	apply(f, ev_thread_exit(200 * MS, 10, ST(10), 11));
	assert_int_equal(p->threads_live, 1);
	assert_int_equal(p->state, PROC_ALIVE);
	assert_false(p->flags & PROC_F_EXITED);
	assert_int_equal(stats(f)->thread_exits, 1);
	assert_int_equal(stats(f)->exits, 0);

	apply(f, ev_thread_exit(210 * MS, 10, ST(10), 12));
	assert_int_equal(p->threads_live, 0);
	assert_int_equal(p->state, PROC_ALIVE);
	apply(f, ev_thread_exit(220 * MS, 10, ST(10), 13)); /* a thread we never saw start */
	assert_int_equal(p->threads_live, 0);
	assert_int_equal(stats(f)->thread_exits, 3);

	apply(f, ev_exit(300 * MS, 10, ST(10), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	assert_int_equal(p->state, PROC_ZOMBIE);
	assert_true(p->flags & PROC_F_EXITED);
	assert_int_equal(p->exit_ts, 300 * MS);
	assert_int_equal(p->threads_total, 2);
	assert_int_equal(stats(f)->exits, 1);
	assert_int_equal(stats(f)->thread_exits, 3);

	/* a process that exits with threads still counted: group_dead ends them all */
	apply(f, ev_fork(400 * MS, 1, ST(1), 50, ST(50)));
	apply(f, ev_thread_fork(410 * MS, 50, ST(50), 51));
	apply(f, ev_exit(420 * MS, 50, ST(50), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	assert_int_equal(get(f, 50, ST(50))->threads_live, 0);
	assert_int_equal(stats(f)->exits, 2);
}

static void test_proctree__zombie_reaped_by_init(void **state)
{
	struct fx *f = *state;
	const uint32_t killed = SIGKILL | 0x80; /* killed, core dumped */
	struct proc *init, *p, *ch;

	apply(f, ev_fork(100 * MS, 1, ST(1), 10, ST(10)));
	apply(f, ev_fork(110 * MS, 10, ST(10), 20, ST(20)));
	init = get(f, 1, ST(1));
	p = get(f, 10, ST(10));
	ch = get(f, 20, ST(20));

	apply(f, ev_exit(200 * MS, 20, ST(20), killed, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1)));
	assert_true(WIFSIGNALED(ch->exit_status));
	assert_int_equal(WTERMSIG(ch->exit_status), SIGKILL);
	assert_true(WCOREDUMP(ch->exit_status));
	apply(f, ev_exit(500 * MS, 10, ST(10), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1)));
	assert_ptr_equal(ch->parent, init);
	assert_int_equal(ch->state, PROC_ZOMBIE);
	assert_int_equal(proc_zombie_ns(ch, 600 * MS), 400 * MS);

	apply(f, ev_reap(700 * MS, 1, ST(1), 20, killed));
	assert_int_equal(ch->state, PROC_REAPED);
	assert_ptr_equal(ch->reaper, init);
	assert_ptr_not_equal(ch->reaper, p);
	assert_int_equal(ch->reaper->pid, 1);
	assert_int_equal(ch->exit_status, killed);
	assert_int_equal(ch->exit_ts, 200 * MS); /* the reap does not move the exit */
	assert_int_equal(proc_zombie_ns(ch, 0), 500 * MS); /* across the parent's exit */
	assert_int_equal(stats(f)->orphans, 0);
	/* the dead parent is still a zombie itself */
	assert_int_equal(p->state, PROC_ZOMBIE);
	assert_int_equal(proc_zombie_ns(p, 700 * MS), 200 * MS);
}

static void test_proctree__autoreap(void **state)
{
	struct fx *f = *state;
	struct proc *ch;

	apply(f, ev_fork(100 * MS, 10, ST(10), 20, ST(20)));
	apply(f, ev_exit(200 * MS, 20, ST(20), 0, PSC_EXIT_GROUP_DEAD | PSC_EXIT_AUTOREAP, 10,
			 ST(10), 1, ST(1)));
	ch = get(f, 20, ST(20));
	assert_int_equal(ch->state, PROC_REAPED);
	assert_true(ch->flags & PROC_F_AUTOREAP);
	assert_true(ch->flags & PROC_F_EXITED);
	assert_int_equal(ch->exit_ts, 200 * MS);
	assert_int_equal(ch->reap_ts, 200 * MS);
	assert_null(ch->reaper);
	assert_int_equal(proc_zombie_ns(ch, 900 * MS), 0);
	assert_int_equal(stats(f)->autoreaps, 1);
	assert_int_equal(stats(f)->reaps, 0);
	assert_int_equal(stats(f)->exits, 1);

	/* nothing left to reap or free */
	apply(f, ev_reap(300 * MS, 10, ST(10), 20, 0));
	assert_int_equal(stats(f)->reap_unmatched, 1);
	assert_null(last_call(f, 1, CALL_EVENT)->subject);
	apply(f, ev_free(310 * MS, 20, ST(20)));
	assert_int_equal(stats(f)->reaps_by_free, 0);
	assert_false(ch->flags & PROC_F_REAP_BY_FREE);
	assert_int_equal(ch->reap_ts, 200 * MS);
}

static void test_proctree__reap_by_free(void **state)
{
	struct fx *f = *state;
	struct proc *p, *c1, *c2;

	apply(f, ev_fork(100 * MS, 10, ST(10), 20, ST(20)));
	apply(f, ev_fork(110 * MS, 10, ST(10), 21, ST(21)));
	p = get(f, 10, ST(10));
	c1 = get(f, 20, ST(20));
	c2 = get(f, 21, ST(21));

	apply(f, ev_exit(200 * MS, 20, ST(20), 0, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1)));
	apply(f, ev_free(250 * MS, 20, ST(20)));
	assert_int_equal(c1->state, PROC_REAPED);
	assert_true(c1->flags & PROC_F_REAP_BY_FREE);
	assert_null(c1->reaper);
	assert_int_equal(c1->reap_ts, 250 * MS);
	assert_int_equal(proc_zombie_ns(c1, 0), 50 * MS);
	assert_int_equal(stats(f)->reaps_by_free, 1);
	assert_int_equal(stats(f)->reaps, 0);
	assert_ptr_equal(last_call(f, 2, CALL_EVENT)->subject, c1);

	/* a free after a seen reap: the reap stands */
	apply(f, ev_exit(300 * MS, 21, ST(21), 0, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1)));
	apply(f, ev_reap(310 * MS, 10, ST(10), 21, 0));
	apply(f, ev_free(320 * MS, 21, ST(21)));
	assert_int_equal(c2->state, PROC_REAPED);
	assert_false(c2->flags & PROC_F_REAP_BY_FREE);
	assert_ptr_equal(c2->reaper, p);
	assert_int_equal(c2->reap_ts, 310 * MS);
	assert_int_equal(stats(f)->reaps_by_free, 1);
	assert_null(last_call(f, 1, CALL_EVENT)->subject);

	/* a free of a process never met creates nothing */
	apply(f, ev_free(330 * MS, 99, ST(99)));
	assert_null(proctree_find_pid(f->m->tree, 99));
	assert_int_equal(nprocs(f), 4); /* 10, 20, 21 and init */
	assert_int_equal(stats(f)->reaps_by_free, 1);
}

static void test_proctree__reap_unmatched_and_unseen_exit(void **state)
{
	struct fx *f = *state;
	struct proc *p, *ch;

	apply(f, ev_reap(100 * MS, 10, ST(10), 999, 0));
	assert_int_equal(stats(f)->reap_unmatched, 1);
	assert_int_equal(stats(f)->reaps, 0);
	assert_null(proctree_find_pid(f->m->tree, 999));
	assert_null(last_call(f, 1, CALL_EVENT)->subject);

	apply(f, ev_fork(200 * MS, 10, ST(10), 20, ST(20)));
	p = get(f, 10, ST(10));
	ch = get(f, 20, ST(20));
	/* the exit was lost: the wait status tells it */
	apply(f, ev_reap(300 * MS, 10, ST(10), 20, 2 << 8));
	assert_int_equal(ch->state, PROC_REAPED);
	assert_true(ch->flags & PROC_F_EXITED);
	assert_int_equal(ch->exit_status, 2 << 8);
	assert_int_equal(WEXITSTATUS(ch->exit_status), 2);
	assert_int_equal(ch->exit_ts, 300 * MS);
	assert_ptr_equal(ch->reaper, p);
	assert_int_equal(proc_zombie_ns(ch, 0), 0);
	assert_int_equal(stats(f)->reaps, 1);
	assert_int_equal(stats(f)->reap_unmatched, 1);
	assert_int_equal(stats(f)->exits, 0); /* no exit event was counted */

	/* twice: the second finds no zombie */
	apply(f, ev_reap(310 * MS, 10, ST(10), 20, 2 << 8));
	assert_int_equal(stats(f)->reap_unmatched, 2);
	assert_int_equal(ch->reap_ts, 300 * MS);
}

static void test_proctree__exec_non_leader(void **state)
{
	struct fx *f = *state;
	struct proc *init, *p;

	apply(f, ev_fork(100 * MS, 1, ST(1), 10, ST(10)));
	apply(f, ev_thread_fork(110 * MS, 10, ST(10), 11));
	init = get(f, 1, ST(1));
	p = get(f, 10, ST(10));
	assert_int_equal(p->threads_live, 1);

	/* thread 11 execs: it becomes the leader of the same process (pid 10, same start) */
	apply(f, ev_exec(200 * MS, 10, ST(10), 11, "ls", "/bin/ls", "ls", 3));
	assert_int_equal(nprocs(f), 2);
	assert_ptr_equal(get(f, 10, ST(10)), p);
	assert_ptr_equal(proctree_find_pid(f->m->tree, 10), p);
	assert_ptr_equal(proctree_find_pid(f->m->tree, 11), NULL);
	assert_int_equal(p->threads_live, 0);
	assert_int_equal(p->nr_execs, 1);
	assert_string_equal(p->filename, "/bin/ls");
	assert_string_equal(p->comm, "ls");
	assert_true(p->flags & PROC_F_FORKED);
	assert_false(p->flags & PROC_F_IMPLICIT);
	assert_int_equal(p->fork_ts, 100 * MS);
	assert_ptr_equal(p->fork_parent, init);
	assert_ptr_equal(p->parent, init);
	assert_int_equal(stats(f)->implicit, 1); /* init only */
	assert_int_equal(stats(f)->pid_reuse, 0);

	/* a second exec, from the leader, replaces the image */
	apply(f, ev_exec(300 * MS, 10, ST(10), 10, "cat", "/bin/cat", "cat\0-n", 7));
	assert_int_equal(p->nr_execs, 2);
	assert_string_equal(p->filename, "/bin/cat");
	assert_int_equal(p->args_len, 7);
	assert_memory_equal(p->args, "cat\0-n", 7);
}

static void test_proctree__fork_inherits_image(void **state)
{
	struct fx *f = *state;
	struct proc *p, *ch;

	apply(f, ev_fork(100 * MS, 1, ST(1), 10, ST(10)));
	apply(f, ev_exec(110 * MS, 10, ST(10), 10, "sh", "/bin/sh", "sh\0-c\0x", 8));
	apply(f, ev_fork(120 * MS, 10, ST(10), 20, ST(20)));
	p = get(f, 10, ST(10));
	ch = get(f, 20, ST(20));
	assert_string_equal(ch->filename, "/bin/sh");
	assert_ptr_not_equal(ch->filename, p->filename); /* a copy */
	assert_int_equal(ch->args_len, 8);
	assert_memory_equal(ch->args, "sh\0-c\0x", 8);
	assert_ptr_not_equal(ch->args, p->args);
	assert_int_equal(ch->nr_execs, 0);
	apply(f, ev_exec(130 * MS, 20, ST(20), 20, "true", "/bin/true", "true", 5));
	assert_string_equal(p->filename, "/bin/sh");
	assert_string_equal(ch->filename, "/bin/true");
}

/*
 * Membership in the traced tree: the root is marked (the header's target), and every process
 * seeded or forked under a member inherits the mark, at any depth; processes beside the tree
 * (init, the root's parent, a foreign child of init) never get it.
 */
static void test_proctree__in_tree_inherited(void **state)
{
	struct fx fx = { .m = model_new() }, *f = &fx;
	struct proc *root, *p;
	uint32_t i, depth = 5000;

	assert_non_null(f->m);
	snprintf(f->m->meta.mode, sizeof(f->m->meta.mode), "pid");
	f->m->meta.target_pid = 200;
	apply(f, ev_seed(9000 * MS, 1, 10 * MS, 0, 0, 1, 'S', "init", ""));
	apply(f, ev_seed(9000 * MS, 100, 20 * MS, 1, 10 * MS, 1, 'S', "procscope", ""));
	apply(f, ev_seed(9000 * MS, 200, 30 * MS, 100, 20 * MS, 1, 'S', "root", ""));
	root = get(f, 200, 30 * MS);
	assert_true(root->flags & PROC_F_IN_TREE);
	assert_false(root->flags & PROC_F_LAUNCHED); /* -p: procscope launched nothing */
	apply(f, ev_seed(9000 * MS, 300, 40 * MS, 200, 30 * MS, 1, 'S', "seeded-kid", ""));
	assert_true(get(f, 300, 40 * MS)->flags & PROC_F_IN_TREE);
	/* a chain far deeper than any walk up the tree would go */
	for (i = 0; i < depth; i++)
		apply(f, ev_fork(10000 * MS + i, i ? 1000 + i - 1 : 300,
				 i ? ST(1000 + i - 1) : 40 * MS, 1000 + i, ST(1000 + i)));
	p = get(f, 1000 + depth - 1, ST(1000 + depth - 1));
	assert_true(p->flags & PROC_F_IN_TREE);
	apply(f, ev_fork(20000 * MS, 1, 10 * MS, 900, ST(900)));
	assert_false(get(f, 900, ST(900))->flags & PROC_F_IN_TREE);
	assert_false(get(f, 1, 10 * MS)->flags & PROC_F_IN_TREE);
	assert_false(get(f, 100, 20 * MS)->flags & PROC_F_IN_TREE);
	model_free(f->m);
}

/*
 * procscope's own part: the command it launched lives from its first exec (the hold before is
 * procscope's, proc_held_ns()), and the time procscope took to reap it is no zombie time.
 */
static void test_proctree__launched_command_and_tracer(void **state)
{
	struct fx fx = { .m = model_new() }, *f = &fx;
	struct proc *tracer, *cmd, *kid;

	assert_non_null(f->m);
	/* the header's mode and target mark the command and procscope (a trace and its report) */
	snprintf(f->m->meta.mode, sizeof(f->m->meta.mode), "command");
	f->m->meta.target_pid = 200;
	apply(f, ev_seed(100 * MS, 1, 10 * MS, 0, 0, 1, 'S', "init", ""));
	apply(f, ev_seed(100 * MS, 100, 20 * MS, 1, 10 * MS, 1, 'S', "procscope", ""));
	apply(f, ev_seed(100 * MS, 200, 30 * MS, 100, 20 * MS, 1, 'S', "procscope", ""));
	tracer = get(f, 100, 20 * MS);
	cmd = get(f, 200, 30 * MS);
	assert_int_equal(tracer->flags & (PROC_F_OWN | PROC_F_IN_TREE), PROC_F_OWN);
	assert_true(cmd->flags & PROC_F_LAUNCHED);
	assert_true(cmd->flags & PROC_F_IN_TREE);
	assert_false(get(f, 1, 10 * MS)->flags & (PROC_F_OWN | PROC_F_IN_TREE));
	/* held from 30 ms to its exec at 130 ms, then 5 ms of its own life */
	apply(f, ev_exec(130 * MS, 200, 30 * MS, 200, "true", "/bin/true", "true", 5));
	apply(f, ev_exec(132 * MS, 200, 30 * MS, 200, "true", "/bin/true", "true", 5));
	apply(f, ev_fork(133 * MS, 200, 30 * MS, 300, ST(300)));
	apply(f, ev_exit(134 * MS, 300, ST(300), 0, PSC_EXIT_GROUP_DEAD, 200, 30 * MS, 1, ST(1)));
	apply(f, ev_exit(135 * MS, 200, 30 * MS, 0, PSC_EXIT_GROUP_DEAD, 100, 20 * MS, 1, ST(1)));
	apply(f, ev_reap(145 * MS, 100, 20 * MS, 200, 0));
	assert_int_equal(proc_held_ns(cmd), 100 * MS);
	assert_int_equal(proc_lifetime_ns(cmd, 0), 5 * MS);
	assert_int_equal(proc_zombie_ns(cmd, 0), 0);
	/* its child is the program's own: no hold, and its parent's zombie time counts */
	kid = get(f, 300, ST(300));
	assert_int_equal(proc_held_ns(kid), 0);
	assert_false(kid->flags & (PROC_F_LAUNCHED | PROC_F_OWN));
	assert_true(kid->flags & PROC_F_IN_TREE);
	assert_int_equal(proc_zombie_ns(kid, 140 * MS), 6 * MS);
	model_free(f->m);
}

static void test_proctree__apply_raw_malformed(void **state)
{
	struct fx *f = *state;
	union psc_event ev = ev_fork(100 * MS, 10, ST(10), 20, ST(20));
	unsigned char buf[sizeof(union psc_event) + 8];
	size_t calls;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &ev, sizeof(ev.fork));

	/* shorter than a header */
	assert_int_equal(model_apply_raw(f->m, buf, 10), 0);
	assert_int_equal(model_apply_raw(f->m, buf, 0), 0);
	assert_int_equal(f->m->stats.malformed, 2);
	/* len does not match the type's size */
	assert_int_equal(model_apply_raw(f->m, buf, sizeof(ev.fork) + 1), 0);
	assert_int_equal(model_apply_raw(f->m, buf, sizeof(ev.fork) - 1), 0);
	assert_int_equal(f->m->stats.malformed, 4);
	/* hdr.size does not match len */
	ev.hdr.size = sizeof(ev.fork) - 8;
	memcpy(buf, &ev, sizeof(ev.fork));
	assert_int_equal(model_apply_raw(f->m, buf, sizeof(ev.fork)), 0);
	assert_int_equal(f->m->stats.malformed, 5);
	/* unknown types */
	ev.hdr.size = sizeof(ev.fork);
	ev.hdr.type = PSC_EV_TYPE_MAX - 1; /* reserved: no group uses it */
	memcpy(buf, &ev, sizeof(ev.fork));
	assert_int_equal(model_apply_raw(f->m, buf, sizeof(ev.fork)), 0);
	ev.hdr.type = 0;
	memcpy(buf, &ev, sizeof(ev.fork));
	assert_int_equal(model_apply_raw(f->m, buf, sizeof(ev.fork)), 0);
	ev.hdr.type = 0xffffffffu;
	memcpy(buf, &ev, sizeof(ev.fork));
	assert_int_equal(model_apply_raw(f->m, buf, sizeof(ev.fork)), 0);
	assert_int_equal(f->m->stats.unknown_type, 3);
	assert_int_equal(f->m->stats.malformed, 5);
	/* nothing reached the tree or the sinks */
	assert_int_equal(f->m->stats.events, 0);
	assert_int_equal(f->log.n, 0);
	assert_int_equal(nprocs(f), 0);
	assert_int_equal(f->m->first_ts, 0);

	/* model_apply() itself refuses an unknown type */
	ev.hdr.type = PSC_EV_TYPE_MAX - 1;
	assert_int_equal(model_apply(f->m, &ev), 0);
	ev.hdr.type = PSC_EV_TYPE_MAX;
	assert_int_equal(model_apply(f->m, &ev), 0);
	assert_int_equal(f->m->stats.unknown_type, 5);
	assert_int_equal(f->log.n, 0);

	/* a valid record goes through, even from an unaligned buffer */
	ev.hdr.type = PSC_EV_PROC_FORK;
	memcpy(buf + 1, &ev, sizeof(ev.fork));
	assert_int_equal(model_apply_raw(f->m, buf + 1, sizeof(ev.fork)), 0);
	assert_int_equal(f->m->stats.events, 1);
	assert_int_equal(f->m->stats.by_type[PSC_EV_PROC_FORK], 1);
	assert_non_null(proctree_find(f->m->tree, 20, ST(20)));
	assert_int_equal(f->log.n, 2);

	/* an older timestamp is counted, applied, and does not move last_ts back */
	calls = f->log.n;
	apply(f, ev_exit(50 * MS, 20, ST(20), 0, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1)));
	assert_int_equal(f->m->stats.out_of_order, 1);
	assert_int_equal(f->m->last_ts, 100 * MS);
	assert_int_equal(f->m->first_ts, 100 * MS);
	assert_int_equal(f->log.n, calls + 2);
	assert_int_equal(f->m->stats.events, 2);
}

static void test_proctree__lost(void **state)
{
	struct fx *f = *state;
	uint64_t by_type[PSC_EV_TYPE_MAX] = { 0 };
	const struct call *c;

	by_type[PSC_EV_PROC_FORK] = 3;
	by_type[PSC_EV_PROC_EXIT] = 2;
	model_lost(f->m, 100 * MS, by_type);
	assert_int_equal(f->m->stats.lost, 5);
	assert_int_equal(f->m->stats.lost_by_type[PSC_EV_PROC_FORK], 3);
	assert_int_equal(f->m->stats.lost_by_type[PSC_EV_PROC_EXIT], 2);
	assert_int_equal(f->log.n, 2);
	c = last_call(f, 1, CALL_LOST);
	assert_non_null(c);
	assert_int_equal(c->total, 5);
	assert_int_equal(c->ts, 100 * MS);
	assert_int_equal(c->by_type[PSC_EV_PROC_FORK], 3);
	assert_int_equal(c->by_type[PSC_EV_PROC_EXIT], 2);
	assert_non_null(last_call(f, 2, CALL_LOST));

	/* nothing new: no call */
	memset(by_type, 0, sizeof(by_type));
	model_lost(f->m, 200 * MS, by_type);
	assert_int_equal(f->log.n, 2);
	assert_int_equal(f->m->stats.lost, 5);

	by_type[PSC_EV_PROC_EXEC] = 1;
	by_type[PSC_EV_PROC_EXIT] = 4;
	model_lost(f->m, 300 * MS, by_type);
	assert_int_equal(f->m->stats.lost, 10);
	assert_int_equal(f->m->stats.lost_by_type[PSC_EV_PROC_FORK], 3);
	assert_int_equal(f->m->stats.lost_by_type[PSC_EV_PROC_EXEC], 1);
	assert_int_equal(f->m->stats.lost_by_type[PSC_EV_PROC_EXIT], 6);
	assert_int_equal(f->log.n, 4);
	c = last_call(f, 2, CALL_LOST);
	assert_int_equal(c->total, 5); /* this call's, not the running total */
	assert_int_equal(c->ts, 300 * MS);
	assert_int_equal(count_calls(f, CALL_LOST), 4);
	assert_int_equal(f->m->stats.events, 0);
}

/* proctree_apply() alone, with the ops callback and no model */
struct orphan_rec {
	int n;
	const struct proc *child;
	uint64_t ts;
};

static void on_orphan(void *ctx, const struct proc *child, const struct proc *old_parent,
		      const struct proc *new_parent, uint64_t ts)
{
	struct orphan_rec *r = ctx;

	r->n++;
	r->child = child;
	r->ts = ts;
}

static void test_proctree__direct_api(void **state)
{
	static const struct proctree_ops ops = { .orphan = on_orphan };
	struct orphan_rec rec = { 0 };
	struct proctree *t = proctree_new(&ops, &rec);
	const struct proc *subj = NULL;
	union psc_event ev;
	struct proc *const *all;
	size_t n;

	assert_non_null(t);
	proctree_set_tick_ns(t, 0); /* ignored */
	proctree_set_tick_ns(t, 4 * MS); /* HZ=250 */
	ev = ev_seed(0, 10, 400 * MS, 0, 0, 1, 'S', "p", "");
	assert_int_equal(proctree_apply(t, &ev, &subj), 0);
	assert_non_null(subj);
	ev = ev_fork(500 * MS, 10, 400 * MS + 3 * MS, 20, ST(20));
	assert_int_equal(proctree_apply(t, &ev, NULL), 0);
	all = proctree_all(t, &n);
	assert_int_equal(n, 2); /* 3 ms off, within the 4 ms tick */
	assert_int_equal(all[0]->pid, 10);
	assert_int_equal(all[0]->seq, 0);
	assert_int_equal(all[1]->pid, 20);
	assert_int_equal(all[1]->seq, 1);
	ev = ev_fork(510 * MS, 10, 400 * MS + 3 * MS, 30, ST(30));
	assert_int_equal(proctree_apply(t, &ev, &subj), 0);
	assert_ptr_equal(subj, proctree_find(t, 30, ST(30)));
	ev = ev_exit(600 * MS, 10, 403 * MS, 0, PSC_EXIT_GROUP_DEAD, 1, 0, 1, 0);
	assert_int_equal(proctree_apply(t, &ev, &subj), 0);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.ts, 600 * MS);
	assert_int_equal(proctree_stats(t)->orphans, 2);
	/* an unknown type is ignored */
	ev.hdr.type = 63;
	subj = all[0];
	assert_int_equal(proctree_apply(t, &ev, &subj), 0);
	assert_null(subj);
	ev = ev_seed(0, 40, 400 * MS + 5 * MS, 0, 0, 1, 'S', "q", "");
	assert_int_equal(proctree_apply(t, &ev, NULL), 0);
	proctree_all(t, &n);
	assert_int_equal(n, 5); /* 40, and the implicit init */
	proctree_free(t);
	proctree_free(NULL);
}

/* Thousands of processes and one exit orphaning them all: table growth, pending orphan growth */
struct count_sink {
	struct sink s;
	size_t events;
	size_t orphans;
	bool exit_seen;
	bool orphan_before_exit;
	uint32_t last_orphan_pid;
};

static void count_event(struct sink *s, const struct model *m, const union psc_event *ev,
			const struct proc *subject)
{
	struct count_sink *c = (struct count_sink *)s;

	c->events++;
	if (ev->hdr.type == PSC_EV_PROC_EXIT && ev->hdr.tgid == 10)
		c->exit_seen = true;
}

static void count_orphan(struct sink *s, const struct model *m, const struct proc *child,
			 const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct count_sink *c = (struct count_sink *)s;

	if (!c->exit_seen)
		c->orphan_before_exit = true;
	assert_int_equal(old_parent->pid, 10);
	assert_int_equal(new_parent->pid, 1);
	assert_ptr_equal(child->parent, new_parent);
	c->orphans++;
	c->last_orphan_pid = child->pid;
}

/* A crafted log naming two processes each other's fork parent: the loop is refused */
static void test_proctree__fork_parent_cycle_refused(void **state)
{
	struct model *m = model_new();
	union psc_event ev;
	struct proc *a, *b;

	assert_non_null(m);
	ev = ev_fork(MS, 10, ST(10), 20, ST(20));
	assert_int_equal(model_apply(m, &ev), 0);
	ev = ev_fork(2 * MS, 20, ST(20), 10, ST(10)); /* 10 "forked" by its own child */
	assert_int_equal(model_apply(m, &ev), 0);
	a = proctree_find(m->tree, 10, ST(10));
	b = proctree_find(m->tree, 20, ST(20));
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_equal(b->fork_parent, a);
	assert_null(a->fork_parent);
	assert_int_equal(proctree_stats(m->tree)->bad_links, 1);
	model_free(m);
}

/* Long traces: old reaped entries are freed, notable ones kept longer, nothing dangles */
static void test_proctree__retire_bounds_memory(void **state)
{
	enum { N = 1000, PLAIN = 50, NOTABLE = 10 };
	struct model *m = model_new();
	struct proc *const *all;
	struct proc *parent, *child;
	const struct epoll_set *set;
	struct epoll_tl *tl;
	union psc_event ev;
	size_t n, i, kids = 0, notable = 0, nsets;
	uint32_t k;

	assert_non_null(m);
	proctree_set_retain(m->tree, PLAIN, NOTABLE);
	ev = ev_seed(0, 1, ST(1), 0, 0, 1, 'S', "init", "");
	assert_int_equal(model_apply(m, &ev), 0);
	ev = ev_fork(MS, 1, ST(1), 10, ST(10));
	assert_int_equal(model_apply(m, &ev), 0);
	/* a reaped process whose child lives on: it retires, its child keeps a tombstone */
	ev = ev_fork(2 * MS, 10, ST(10), 500, ST(500));
	assert_int_equal(model_apply(m, &ev), 0);
	ev = ev_fork(3 * MS, 500, ST(500), 501, ST(501));
	assert_int_equal(model_apply(m, &ev), 0);
	ev = ev_exit(4 * MS, 500, ST(500), 0, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1, ST(1));
	assert_int_equal(model_apply(m, &ev), 0);
	ev = ev_reap(4 * MS + 1, 10, ST(10), 500, 0);
	assert_int_equal(model_apply(m, &ev), 0);

	for (k = 0; k < N; k++) {
		uint32_t pid = 1000 + k;
		uint64_t t0 = 10 * MS + (uint64_t)k * 10 * MS;
		uint32_t status = k % 100 == 7 ? 9 : 0; /* some die by SIGKILL: notable */
		uint64_t hold = k % 50 == 3 ? 2 * MS : 10000; /* some are visible zombies */

		ev = ev_fork(t0, 10, ST(10), pid, ST(pid));
		assert_int_equal(model_apply(m, &ev), 0);
		if (k == 0) { /* an epoll set whose owner will be retired */
			memset(&ev, 0, sizeof(ev));
			ev.hdr.type = PSC_EV_EPOLL_CREATE;
			ev.hdr.size = (uint32_t)decode_type_size(PSC_EV_EPOLL_CREATE);
			ev.hdr.ts_ns = t0 + 1;
			ev.hdr.tgid = ev.hdr.tid = pid;
			ev.hdr.start_ns = ST(pid);
			ev.epoll_create.ret = 4;
			assert_int_equal(model_apply(m, &ev), 0);
		}
		ev = ev_exit(t0 + MS, pid, ST(pid), status, PSC_EXIT_GROUP_DEAD, 10, ST(10), 1,
			     ST(1));
		assert_int_equal(model_apply(m, &ev), 0);
		ev = ev_reap(t0 + MS + hold, 10, ST(10), pid, status);
		assert_int_equal(model_apply(m, &ev), 0);
	}
	all = proctree_all(m->tree, &n);
	assert_true(n < 2 + 2 + (PLAIN + NOTABLE) * 5 / 4 + 16 + 2);
	parent = proctree_find(m->tree, 10, ST(10));
	assert_non_null(parent);
	for (i = 0; i < n; i++) {
		assert_int_equal(all[i]->pos, i); /* compacted */
		assert_ptr_equal(proctree_find(m->tree, all[i]->pid, all[i]->start_ns), all[i]);
		if (all[i]->fork_parent == parent && all[i]->pid >= 1000) {
			kids++;
			notable += (all[i]->exit_status & 0x7f) || proc_zombie_ns(all[i], 0) >= MS;
		}
	}
	/* 500 (reaped, its child 501 alive) retired like the others */
	assert_int_equal(kids + parent->retired_kids, N + 1);
	assert_int_equal(proctree_stats(m->tree)->retired, parent->retired_kids);
	assert_true(notable >= NOTABLE); /* the newest notable ones are still there */
	assert_true(parent->retired_kids_life_ns >= (uint64_t)parent->retired_kids * MS);
	assert_null(proctree_find_pid(m->tree, 1000)); /* the oldest are gone */
	assert_non_null(proctree_find_pid(m->tree, 1000 + N - 1));
	/* the reaped middle process is gone from the table; its child still knows who forked it */
	assert_null(proctree_find(m->tree, 500, ST(500)));
	child = proctree_find(m->tree, 501, ST(501));
	assert_non_null(child);
	assert_true(proc_is_retired(child->fork_parent));
	assert_null(proc_listed(child->fork_parent));
	assert_int_equal(child->fork_parent->pid, 500);
	assert_int_equal(child->fork_parent->start_ns, ST(500));
	assert_int_equal(child->fork_parent->state, PROC_REAPED);
	assert_int_equal(proctree_stats(m->tree)->tombstones, 1);
	/* the retired owner's epoll set keeps who it was */
	tl = model_group_state(m, PSC_GROUP_EPOLL);
	assert_non_null(tl);
	set = epoll_tl_sets(tl, &nsets)[0];
	assert_int_equal(nsets, 1);
	assert_null(set->owner);
	assert_int_equal(set->who.pid, 1000);
	assert_string_equal(set->who.comm, "c1000");
	model_free(m);
}

static void test_proctree__many(void **state)
{
	enum { N = 3000 };
	struct count_sink cs = { .s = { .event = count_event, .orphan = count_orphan } };
	struct model *m = model_new();
	struct proc *const *all;
	struct proc *init, *p;
	union psc_event ev;
	uint32_t i;
	size_t n;

	assert_non_null(m);
	model_add_sink(m, &cs.s);
	ev = ev_seed(0, 1, ST(1), 0, 0, 1, 'S', "init", "");
	assert_int_equal(model_apply(m, &ev), 0);
	ev = ev_fork(MS, 1, ST(1), 10, ST(10));
	assert_int_equal(model_apply(m, &ev), 0);
	for (i = 0; i < N; i++) {
		uint32_t pid = 100 + i * 7; /* spread over the whole hash */

		ev = ev_fork(2 * MS + i, 10, ST(10), pid, ST(pid));
		assert_int_equal(model_apply(m, &ev), 0);
	}
	init = proctree_find(m->tree, 1, ST(1));
	p = proctree_find(m->tree, 10, ST(10));
	assert_non_null(init);
	assert_non_null(p);
	assert_int_equal(nchildren(p), N);
	all = proctree_all(m->tree, &n);
	assert_int_equal(n, N + 2);
	for (i = 0; i < n; i++) {
		assert_int_equal(all[i]->seq, i);
		assert_ptr_equal(proctree_find(m->tree, all[i]->pid, all[i]->start_ns), all[i]);
		assert_ptr_equal(proctree_find_pid(m->tree, all[i]->pid), all[i]);
	}

	ev = ev_exit(SEC_MS, 10, ST(10), 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1));
	assert_int_equal(model_apply(m, &ev), 0);
	assert_int_equal(cs.orphans, N);
	assert_false(cs.orphan_before_exit);
	assert_int_equal(proctree_stats(m->tree)->orphans, N);
	assert_int_equal(nchildren(p), 0);
	assert_int_equal(nchildren(init), N + 1);
	for (i = 2; i < n; i++) {
		assert_true(all[i]->flags & PROC_F_ORPHANED);
		assert_ptr_equal(all[i]->old_parent, p);
		assert_ptr_equal(all[i]->parent, init);
	}
	assert_int_equal(cs.events, N + 3);
	model_free(m);
}

/*
 * A fork-and-exit chain (each process forks the next, exits, init reaps it): what the model's
 * upkeep costs, counted in steps. Returns the steps; checks the table stays bounded.
 */
static uint64_t run_chain(uint32_t n)
{
	struct model *m = model_new();
	const struct proctree_stats *st;
	union psc_event ev;
	uint64_t t = SEC_MS, steps;
	size_t nall;
	uint32_t i;

	assert_non_null(m);
	ev = ev_seed(0, 1, ST(1), 0, 0, 1, 'S', "init", "");
	assert_int_equal(model_apply(m, &ev), 0);
	ev = ev_fork(t, 1, ST(1), 100, t - 1000);
	assert_int_equal(model_apply(m, &ev), 0);
	for (i = 0; i < n; i++) {
		uint32_t pid = 100 + i, kid = pid + 1;
		uint64_t start = t - 1000, kid_start = t + 5000;

		ev = ev_fork(t + 5000, pid, start, kid, kid_start);
		assert_int_equal(model_apply(m, &ev), 0);
		/* its parent is init's: it was orphaned when its own parent exited */
		ev = ev_exit(t + 7000, pid, start, 0, PSC_EXIT_GROUP_DEAD, 1, ST(1), 1, ST(1));
		assert_int_equal(model_apply(m, &ev), 0);
		ev = ev_reap(t + 9000, 1, ST(1), pid, 0);
		assert_int_equal(model_apply(m, &ev), 0);
		t += 6000;
	}
	st = proctree_stats(m->tree);
	proctree_all(m->tree, &nall);
	/* bounded: the retention limits (+ a quarter before a pass), init and the last one */
	assert_true(nall <= (MODEL_RETAIN_PLAIN + MODEL_RETAIN_NOTABLE) * 5 / 4 + 16 + 2);
	assert_true(st->tombstones <= 2);
	assert_int_equal(st->bad_links, 0);
	assert_int_equal(st->orphans, n);
	assert_int_equal(st->reaps, n);
	steps = st->steps;
	model_free(m);
	return steps;
}

/* #11: each fork used to walk all its ancestors, and no ancestor could retire: O(depth) */
static void test_proctree__deep_chain_is_linear(void **state)
{
	uint64_t s1 = run_chain(100000), s2 = run_chain(200000);

	print_message("steps: %llu for 100k links, %llu for 200k\n", (unsigned long long)s1,
		      (unsigned long long)s2);
	/* 3 events per link: a handful of steps each, and twice the chain costs twice as much */
	assert_true(s2 < 200000ull * 3 * 8);
	assert_true(s2 <= s1 * 2 + s1 / 10);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(test_proctree__##name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(simple_lifecycle),
		T(pid_reuse),
		T(missing_fork_implicit),
		T(seeded),
		T(seeded_exact),
		T(orphan_to_init),
		T(orphan_to_subreaper),
		T(out_of_order_reparent),
		T(zombie_children_not_orphans),
		T(thread_vs_process_exit),
		T(zombie_reaped_by_init),
		T(autoreap),
		T(reap_by_free),
		T(reap_unmatched_and_unseen_exit),
		T(exec_non_leader),
		T(fork_inherits_image),
		cmocka_unit_test(test_proctree__in_tree_inherited),
		cmocka_unit_test(test_proctree__launched_command_and_tracer),
		T(apply_raw_malformed),
		T(lost),
		cmocka_unit_test(test_proctree__direct_api),
		cmocka_unit_test(test_proctree__many),
		cmocka_unit_test(test_proctree__retire_bounds_memory),
		cmocka_unit_test(test_proctree__fork_parent_cycle_refused),
		cmocka_unit_test(test_proctree__deep_chain_is_linear),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
