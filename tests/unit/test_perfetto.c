// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/sinks/perfetto.c: synthetic event streams (fork tree, exec, zombies, an orphan,
 * threads in epoll_wait woken by a unix send, poll, loss, hostile names) through a model with
 * the Perfetto sink; the file is parsed with json-c and held to the Trace Event Format rules the
 * importers enforce. The rule checker is itself tested on broken traces. The file has parts
 * (TIMELINE_TEST_PARTS) so that test_svg.c and the real-BPF suite share the story and the rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include <zlib.h>

#ifndef TIMELINE_TEST_PARTS
#define TIMELINE_TEST_PARTS 3 /* 1: the rules; 2: + the synthetic story; 3: + this suite */
#endif

#include "decode.h"
#include "epoll_tl.h"
#include "model.h"
#include "perfetto.h"
#include "svg.h"
#include "timeline.h"
#if defined(__SANITIZE_ADDRESS__)
/* from libasan (gcc installs no sanitizer headers) */
size_t __sanitizer_get_current_allocated_bytes(void);
#else
#include <malloc.h>
#endif

/*
 * ---- part 1: the Trace Event Format rules ----
 * tests/integration/test_timeline.c checks real traces with these (it includes this file with
 * TIMELINE_TEST_PARTS 1), and test_svg.c takes the story (parts 1 and 2).
 */

#define RULES_FN static __attribute__((unused))

struct tev {
	json_object *o;
	char ph;
	int64_t ts; /* ns */
	int64_t dur; /* ns, X only */
	int64_t pid, tid;
	const char *name, *cat;
	int64_t id;
	bool has_id;
};

/* µs (as the file has them) to ns, rounded like the importers do; no libm in unit links */
RULES_FN int64_t us_to_ns(double us)
{
	double ns = us * 1000;

	return (int64_t)(ns < 0 ? ns - 0.5 : ns + 0.5);
}

RULES_FN const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

RULES_FN bool jnum(json_object *o, const char *k, double *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

/* By track, then start, the longer slice first: a parent sorts before its children */
RULES_FN int cmp_nest(const void *a, const void *b)
{
	const struct tev *x = *(const struct tev *const *)a, *y = *(const struct tev *const *)b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->dur > y->dur ? -1 : x->dur < y->dur; /* the longer one is the parent */
}

/* Is @ts strictly inside an X slice of (@pid, @tid)? */
RULES_FN bool inside_slice(struct tev *evs, size_t n, int64_t pid, int64_t tid, int64_t ts)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (evs[i].ph == 'X' && evs[i].pid == pid && evs[i].tid == tid && evs[i].ts < ts &&
		    ts < evs[i].ts + evs[i].dur)
			return true;
	return false;
}

#define FAIL(...)                                  \
	do {                                       \
		snprintf(why, whysz, __VA_ARGS__); \
		goto out;                          \
	} while (0)

/*
 * The rules: the raw text has no control bytes in strings; the document is an array of events
 * with a known phase, numeric ts >= 0 (and dur >= 0 for X); X slices nest on every (pid, tid);
 * B/E balance per track with ts never going back; b/e pair up by (cat, id, name); every flow
 * has one 's' and one 'f' (same cat, name, id), 'f' binds to the enclosing slice ("bp":"e"),
 * comes after 's', and both lie strictly inside a slice of their thread; every pid and thread
 * with slices has a name. Returns 0, or -1 with the first broken rule in @why.
 */
RULES_FN int check_trace(const char *raw, size_t len, char *why, size_t whysz)
{
	json_object *root = NULL;
	struct tev *evs = NULL, **xs = NULL, **stack = NULL;
	size_t n = 0, i, j, nx;
	bool in_str = false, esc = false;
	int ret = -1;

	why[0] = '\0';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (in_str && (c < 0x20 || c == 0x7f))
			FAIL("raw control byte 0x%02x in a string at offset %zu", c, i);
		if (!in_str && c < 0x20 && c != '\n' && c != ' ')
			FAIL("raw control byte 0x%02x at offset %zu", c, i);
		if (esc)
			esc = false;
		else if (c == '\\' && in_str)
			esc = true;
		else if (c == '"')
			in_str = !in_str;
	}
	root = json_tokener_parse(raw);
	if (!root || !json_object_is_type(root, json_type_array))
		FAIL("not a JSON array");
	n = json_object_array_length(root);
	evs = calloc(n + 1, sizeof(*evs));
	xs = calloc(n + 1, sizeof(*xs));
	stack = calloc(n + 1, sizeof(*stack));
	assert_non_null(evs);
	assert_non_null(xs);
	assert_non_null(stack);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(root, i);
		struct tev *e = &evs[i];
		const char *ph = o ? jstr(o, "ph") : NULL;
		double v;

		if (!o || !json_object_is_type(o, json_type_object) || !ph || strlen(ph) != 1 ||
		    !strchr("XBEbeisfM", ph[0]))
			FAIL("event %zu: no object or unknown phase", i);
		e->o = o;
		e->ph = ph[0];
		e->name = jstr(o, "name");
		e->cat = jstr(o, "cat");
		if (!e->name)
			FAIL("event %zu: no name", i);
		e->pid = jnum(o, "pid", &v) ? (int64_t)v : 0;
		e->tid = jnum(o, "tid", &v) ? (int64_t)v : 0;
		if (jnum(o, "id", &v)) {
			e->id = (int64_t)v;
			e->has_id = true;
		}
		if (e->ph == 'M')
			continue;
		if (!jnum(o, "ts", &v) || v < 0)
			FAIL("event %zu (%s): no ts or ts < 0", i, e->name);
		e->ts = us_to_ns(v);
		if (e->ph == 'X') {
			if (!jnum(o, "dur", &v) || v < 0)
				FAIL("event %zu (%s): X without dur >= 0", i, e->name);
			e->dur = us_to_ns(v);
		}
		if (strchr("XBEbesf", e->ph) && (!e->pid || !e->tid))
			FAIL("event %zu (%s): no pid/tid", i, e->name);
	}
	/* X nesting per track: each slice ends within the one still open around it */
	for (nx = 0, i = 0; i < n; i++)
		if (evs[i].ph == 'X')
			xs[nx++] = &evs[i];
	qsort(xs, nx, sizeof(*xs), cmp_nest);
	for (i = 0, j = 0; i < nx; i++) {
		/* stack[0..j): the slices still open on this track */
		if (i && (xs[i]->pid != xs[i - 1]->pid || xs[i]->tid != xs[i - 1]->tid))
			j = 0;
		while (j && stack[j - 1]->ts + stack[j - 1]->dur <= xs[i]->ts)
			j--;
		if (j && xs[i]->ts + xs[i]->dur > stack[j - 1]->ts + stack[j - 1]->dur)
			FAIL("slices overlap on %lld/%lld: '%s' and '%s'", (long long)xs[i]->pid,
			     (long long)xs[i]->tid, stack[j - 1]->name, xs[i]->name);
		stack[j++] = xs[i];
	}
	/* B/E per track in file order; b/e by (cat, id, name) */
	for (i = 0; i < n; i++) {
		int depth = 0;
		int64_t last = -1;

		if (evs[i].ph == 'B' || evs[i].ph == 'E') {
			for (j = 0; j < n; j++) {
				if ((evs[j].ph != 'B' && evs[j].ph != 'E') ||
				    evs[j].pid != evs[i].pid || evs[j].tid != evs[i].tid)
					continue;
				if (evs[j].ts < last)
					FAIL("B/E going back in time on %lld/%lld",
					     (long long)evs[j].pid, (long long)evs[j].tid);
				last = evs[j].ts;
				depth += evs[j].ph == 'B' ? 1 : -1;
				if (depth < 0)
					FAIL("E without B on %lld/%lld", (long long)evs[j].pid,
					     (long long)evs[j].tid);
			}
			if (depth)
				FAIL("B without E on %lld/%lld", (long long)evs[i].pid,
				     (long long)evs[i].tid);
		}
		if (evs[i].ph == 'b') {
			size_t ends = 0;

			if (!evs[i].has_id || !evs[i].cat)
				FAIL("async '%s' without id or cat", evs[i].name);
			for (j = 0; j < n; j++)
				if (evs[j].ph == 'e' && evs[j].has_id && evs[j].id == evs[i].id &&
				    evs[j].cat && !strcmp(evs[j].cat, evs[i].cat) &&
				    !strcmp(evs[j].name, evs[i].name)) {
					ends++;
					if (evs[j].ts < evs[i].ts)
						FAIL("async '%s' ends before it begins",
						     evs[i].name);
				}
			if (ends != 1)
				FAIL("async '%s' id %lld has %zu ends", evs[i].name,
				     (long long)evs[i].id, ends);
		}
		if (evs[i].ph == 'e') {
			size_t begins = 0;

			for (j = 0; j < n; j++)
				if (evs[j].ph == 'b' && evs[j].has_id && evs[j].id == evs[i].id &&
				    evs[i].cat && evs[j].cat && !strcmp(evs[j].cat, evs[i].cat) &&
				    !strcmp(evs[j].name, evs[i].name))
					begins++;
			if (begins != 1)
				FAIL("async end '%s' has %zu begins", evs[i].name, begins);
		}
	}
	/* flows */
	for (i = 0; i < n; i++) {
		struct tev *s = &evs[i], *f = NULL;
		size_t fs = 0, ss = 0;

		if (s->ph != 's' && s->ph != 'f')
			continue;
		if (!s->has_id || !s->cat)
			FAIL("flow '%s' without id or cat", s->name);
		for (j = 0; j < n; j++) {
			if (!evs[j].has_id || evs[j].id != s->id || !evs[j].cat ||
			    strcmp(evs[j].cat, s->cat) || strcmp(evs[j].name, s->name))
				continue;
			if (evs[j].ph == 'f') {
				fs++;
				f = &evs[j];
			} else if (evs[j].ph == 's') {
				ss++;
			}
		}
		if (fs != 1 || ss != 1)
			FAIL("flow '%s' id %lld: %zu starts, %zu ends", s->name, (long long)s->id,
			     ss, fs);
		if (s->ph == 'f')
			continue;
		if (!jstr(f->o, "bp") || strcmp(jstr(f->o, "bp"), "e"))
			FAIL("flow end '%s' does not bind to the enclosing slice", f->name);
		if (f->ts <= s->ts)
			FAIL("flow '%s' id %lld ends before it starts", s->name, (long long)s->id);
		if (!inside_slice(evs, n, s->pid, s->tid, s->ts))
			FAIL("flow start '%s' id %lld is in no slice of %lld/%lld", s->name,
			     (long long)s->id, (long long)s->pid, (long long)s->tid);
		if (!inside_slice(evs, n, f->pid, f->tid, f->ts))
			FAIL("flow end '%s' id %lld is in no slice of %lld/%lld", f->name,
			     (long long)f->id, (long long)f->pid, (long long)f->tid);
	}
	/* names: every process, and every thread with slices */
	for (i = 0; i < n; i++) {
		bool pname = false, tname = false;

		if (!evs[i].pid || evs[i].ph == 'M')
			continue;
		for (j = 0; j < n && !(pname && tname); j++) {
			const char *what = evs[j].ph == 'M' ? evs[j].name : NULL;
			json_object *args;

			if (!what || evs[j].pid != evs[i].pid)
				continue;
			if (!json_object_object_get_ex(evs[j].o, "args", &args) ||
			    (strstr(what, "_name") && !jstr(args, "name")))
				FAIL("metadata '%s' without args.name", what);
			if (!strcmp(what, "process_name"))
				pname = true;
			if (!strcmp(what, "thread_name") && evs[j].tid == evs[i].tid)
				tname = true;
		}
		if (!pname || (evs[i].ph == 'X' && !tname))
			FAIL("%lld/%lld has no process or thread name", (long long)evs[i].pid,
			     (long long)evs[i].tid);
	}
	ret = 0;
out:
	free(evs);
	free(xs);
	free(stack);
	json_object_put(root);
	return ret;
}

RULES_FN json_object *args_of(json_object *o)
{
	json_object *a = NULL;

	json_object_object_get_ex(o, "args", &a);
	return a;
}

/* The first event with @ph, @name (NULL: any), @pid and @tid (0: any) */
RULES_FN json_object *find_ev(json_object *root, char ph, const char *name, int64_t pid,
			      int64_t tid, size_t *count)
{
	json_object *first = NULL;
	size_t i, n = json_object_array_length(root);

	if (count)
		*count = 0;
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(root, i);
		const char *p = jstr(o, "ph"), *nm = jstr(o, "name");
		double v;

		if (!p || p[0] != ph || (name && (!nm || strcmp(nm, name))))
			continue;
		if (pid && (!jnum(o, "pid", &v) || (int64_t)v != pid))
			continue;
		if (tid && (!jnum(o, "tid", &v) || (int64_t)v != tid))
			continue;
		if (!first)
			first = o;
		if (count)
			(*count)++;
	}
	return first;
}

RULES_FN int64_t ns_of(json_object *o, const char *k)
{
	double v;

	assert_true(jnum(o, k, &v));
	return us_to_ns(v);
}

/* The name metadata of @pid (process) */
RULES_FN const char *meta_name(json_object *root, const char *what, int64_t pid, int64_t tid)
{
	json_object *o = find_ev(root, 'M', what, pid, tid, NULL);

	return o ? jstr(args_of(o), "name") : NULL;
}

RULES_FN int64_t sort_index(json_object *root, int64_t pid)
{
	json_object *o = find_ev(root, 'M', "process_sort_index", pid, 0, NULL);
	json_object *v;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(args_of(o), "sort_index", &v));
	return json_object_get_int64(v);
}

#if TIMELINE_TEST_PARTS >= 2

/* ---- part 2: event constructors and the story ---- */

#define US 1000ull
#define MS 1000000ull
#define BASE (1000000ull * MS) /* CLOCK_BOOTTIME at the trace start: 1000 s after boot */
#define T(ms) (BASE + (uint64_t)((ms)*MS))
#define ST(pid) (BASE - 20 * MS + (uint64_t)(pid)*1000 + 17) /* start of a pre-trace proc */
#define HOSTILE_COMM "q\"b\\n\n\x1b[2J\t\x01\xff"

/* ---- event constructors ---- */

static void hdr_init(union psc_event *ev, uint32_t type, uint64_t ts, uint32_t pid, uint32_t tid,
		     uint64_t start)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = type;
	ev->hdr.size = (uint32_t)decode_type_size(type);
	ev->hdr.ts_ns = ts;
	ev->hdr.tgid = pid;
	ev->hdr.tid = tid;
	ev->hdr.start_ns = start;
}

static void apply(struct model *m, const union psc_event *ev)
{
	assert_int_equal(model__apply(m, ev), 0);
}

static void seed(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t ppid,
		 uint64_t pstart, char state, const char *comm)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_PROC_SEED, ts, pid, pid, start);
	ev.seed.parent_tgid = ppid;
	ev.seed.parent_start_ns = pstart;
	ev.seed.nr_threads = 1;
	ev.seed.state = (unsigned char)state;
	snprintf(ev.seed.comm, sizeof(ev.seed.comm), "%s", comm);
	apply(m, &ev);
}

/* @pid (thread @tid) forks @child; the child starts 2 us before the tracepoint fires */
static void fork_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		  uint32_t child, const char *comm)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_PROC_FORK, ts, pid, tid, start);
	ev.fork.parent_tgid = pid;
	ev.fork.parent_start_ns = start;
	ev.fork.child_tgid = child;
	ev.fork.child_tid = child;
	ev.fork.child_start_ns = ts - 2 * US;
	snprintf(ev.fork.comm, sizeof(ev.fork.comm), "%s", comm);
	apply(m, &ev);
}

static void thread_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_PROC_FORK, ts, pid, pid, start);
	ev.fork.child_tgid = pid;
	ev.fork.child_tid = tid;
	ev.fork.child_start_ns = start;
	ev.fork.flags = PSC_FORK_THREAD;
	apply(m, &ev);
}

static void exec_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, const char *comm,
		  const char *filename, const char *args, uint32_t args_len)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_PROC_EXEC, ts, pid, pid, start);
	ev.exec.old_tid = pid;
	memcpy(ev.exec.comm, comm, strnlen(comm, sizeof(ev.exec.comm) - 1));
	snprintf(ev.exec.filename, sizeof(ev.exec.filename), "%s", filename);
	memcpy(ev.exec.args, args, args_len);
	ev.exec.args_len = args_len;
	apply(m, &ev);
}

static void exit_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t status,
		  uint32_t flags, uint32_t parent, uint64_t pstart, uint32_t reaper,
		  uint64_t rstart)
{
	union psc_event ev;
	const struct proc *p = proctree__find(m->tree, pid, start);

	hdr_init(&ev, PSC_EV_PROC_EXIT, ts, pid, pid, start);
	ev.exit.exit_code = status;
	ev.exit.flags = flags | PSC_EXIT_GROUP_DEAD;
	ev.exit.parent_tgid = parent;
	ev.exit.parent_start_ns = pstart;
	ev.exit.reaper_tgid = reaper;
	ev.exit.reaper_start_ns = rstart;
	if (p)
		memcpy(ev.exit.comm, p->comm, sizeof(ev.exit.comm));
	apply(m, &ev);
}

static void reap_(struct model *m, uint64_t ts, uint32_t waiter, uint64_t wstart, uint32_t pid,
		  uint32_t status)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_PROC_REAP, ts, waiter, waiter, wstart);
	ev.reap.reaped_tgid = pid;
	ev.reap.status = status;
	apply(m, &ev);
}

static void free_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_PROC_FREE, ts, pid, pid, start);
	apply(m, &ev);
}

static void epoll_ctl_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		       int32_t epfd, int32_t fd, uint64_t ino)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_EPOLL_CTL, ts, pid, tid, start);
	ev.epoll_ctl.epfd = epfd;
	ev.epoll_ctl.op = 1;
	ev.epoll_ctl.fd = fd;
	ev.epoll_ctl.events = 0x1;
	ev.epoll_ctl.data = (uint64_t)fd;
	ev.epoll_ctl.target.ino = ino;
	ev.epoll_ctl.target.kind = PSC_FD_SOCKET;
	ev.epoll_ctl.target.sock_family = 1;
	apply(m, &ev);
}

/* A wait from @enter to @ts; @fd ready (IN) when >= 0 */
static void epoll_wait_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
			uint64_t enter, int32_t epfd, int32_t fd)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_EPOLL_WAIT, ts, pid, tid, start);
	ev.epoll_wait.enter_ns = enter;
	ev.epoll_wait.timeout_ns = -1;
	ev.epoll_wait.epfd = epfd;
	ev.epoll_wait.maxevents = 8;
	if (fd >= 0) {
		ev.epoll_wait.ret = 1;
		ev.epoll_wait.nready = 1;
		ev.epoll_wait.ready[0].events = 0x1;
		ev.epoll_wait.ready[0].data = (uint64_t)fd;
	}
	apply(m, &ev);
}

static void poll_wait_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		       uint64_t enter)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_POLL_WAIT, ts, pid, tid, start);
	ev.poll_wait.enter_ns = enter;
	ev.poll_wait.timeout_ns = 10 * MS;
	ev.poll_wait.kind = PSC_POLL_PPOLL;
	ev.poll_wait.nfds = 2;
	apply(m, &ev);
}

/* sk_data_ready in the sender (@pid/@tid): socket @ino became readable */
static void unix_wake_(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		       uint64_t ino)
{
	union psc_event ev;

	hdr_init(&ev, PSC_EV_UNIX_WAKE, ts, pid, tid, start);
	ev.unix_wake.ino = ino;
	ev.unix_wake.sk_id = 77;
	apply(m, &ev);
}

/*
 * The story (ms since the trace start): init (1) and shell (100) exist before the trace, and a
 * zombie (150) too. shell forks server (200), which execs, forks worker (201) and gets a
 * thread 210 that waits in epoll on a socket worker sends to. server forks sleeper (202), which
 * forks 203 and exits: 203 is orphaned to init. worker exits 3 and stays a zombie for 300 ms.
 * A hostile-named child (204) is SIGKILLed; 205 is auto-reaped. 200 and 203 run to the end.
 */
#define P1 ST(1)
#define P100 ST(100)
#define P150 ST(150)
#define P200 (T(1) - 2 * US)
#define P201 (T(3) - 2 * US)
#define P202 (T(12) - 2 * US)
#define P203 (T(13) - 2 * US)
#define P204 (T(50) - 2 * US)
#define P205 (T(52) - 2 * US)
#define END T(500)

static void story(struct model *m)
{
	static const char hostile_file[] = "/tmp/<script>&\"x\x1b[31m";
	static const char hostile_args[] = "a\x07"
					   "b\0<c>\0";
	uint64_t lost[PSC_EV_TYPE_MAX] = { 0 };

	seed(m, T(0), 1, P1, 0, 0, 'S', "init");
	seed(m, T(0), 100, P100, 1, P1, 'S', "shell");
	seed(m, T(0), 150, P150, 1, P1, 'Z', "defunct");
	fork_(m, T(1), 100, P100, 100, 200, "shell");
	exec_(m, T(2), 200, P200, "server", "/usr/bin/server", "server\0--port\0008080", 19);
	fork_(m, T(3), 200, P200, 200, 201, "server");
	exec_(m, T(3.5), 201, P201, "worker", "/usr/bin/worker", "worker", 7);
	thread_(m, T(3.6), 200, P200, 210);
	epoll_ctl_(m, T(3.8), 200, P200, 210, 3, 5, 5000);
	/* 201 sends at 9.9 ms; 210 wakes at 10.02 ms */
	unix_wake_(m, T(9.9), 201, P201, 201, 5000);
	epoll_wait_(m, T(10.02), 200, P200, 210, T(4), 3, 5);
	/* a second wait straight after, and one that times out */
	epoll_wait_(m, T(11), 200, P200, 210, T(10.03), 3, -1);
	fork_(m, T(12), 200, P200, 200, 202, "server");
	fork_(m, T(13), 202, P202, 202, 203, "server");
	exit_(m, T(14), 202, P202, 0, 0, 200, P200, 1, P1);
	reap_(m, T(14.5), 200, P200, 202, 0);
	exit_(m, T(20), 201, P201, 3 << 8, 0, 200, P200, 0, 0);
	poll_wait_(m, T(40), 200, P200, 200, T(30));
	fork_(m, T(50), 200, P200, 200, 204, HOSTILE_COMM);
	exec_(m, T(51), 204, P204, HOSTILE_COMM, hostile_file, hostile_args,
	      sizeof(hostile_args) - 1);
	fork_(m, T(52), 200, P200, 200, 205, "server");
	exit_(m, T(53), 205, P205, 0, PSC_EXIT_AUTOREAP, 200, P200, 0, 0);
	exit_(m, T(60), 204, P204, 9, 0, 200, P200, 0, 0);
	reap_(m, T(61), 200, P200, 204, 9);
	lost[PSC_EV_PROC_FORK] = 3;
	model__lost(m, T(70), lost);
	free_(m, T(80), 150, P150);
	/* the main thread waits too: nested inside the lifetime slice */
	epoll_wait_(m, T(150), 200, P200, 200, T(100), 3, -1);
	reap_(m, T(320), 200, P200, 201, 3 << 8);
}

#endif /* TIMELINE_TEST_PARTS >= 2 */

#if TIMELINE_TEST_PARTS >= 3

/* ---- files ---- */

struct fx {
	char dir[64];
	char path[128];
	struct model *m;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/psc-perfetto.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/trace.json", f->dir);
	f->m = model__new();
	assert_non_null(f->m);
	f->m->meta.boottime_base_ns = BASE;
	snprintf(f->m->meta.mode, sizeof(f->m->meta.mode), "command");
	snprintf(f->m->meta.command, sizeof(f->m->meta.command), "shell -c 'x\x1b'");
	/* the epoll group's ops live in epoll_print.o: keep it linked */
	assert_non_null(&epoll_group_ops);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	model__free(f->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		fprintf(stderr, "failed to remove %s\n", f->dir);
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	int r;

	assert_non_null(gz);
	assert_non_null(buf);
	while ((r = gzread(gz, buf + n, (unsigned)(cap - n - 1))) > 0) {
		n += (size_t)r;
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap * 2);

			assert_non_null(nb);
			buf = nb;
			cap *= 2;
		}
	}
	gzclose(gz);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* Load, check, and hand back the parsed array (caller puts it) */
static json_object *load_checked(const char *path)
{
	char why[256];
	size_t len;
	char *raw = slurp(path, &len);
	json_object *root;

	if (check_trace(raw, len, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", path, why);
		fail_msg("trace rules broken: %s", why);
	}
	root = json_tokener_parse(raw);
	free(raw);
	assert_non_null(root);
	return root;
}

static struct sink *run_story(struct fx *f, const char *path)
{
	struct sink *s = perfetto_sink_new(path);

	assert_non_null(s);
	model__add_sink(f->m, s);
	story(f->m);
	assert_int_equal(model__finish(f->m, END), 0);
	return s;
}

/* ---- the checker catches what it should ---- */

static void expect_rejected(const char *json, const char *needle)
{
	char why[256];

	assert_int_equal(check_trace(json, strlen(json), why, sizeof(why)), -1);
	if (!strstr(why, needle))
		fail_msg("rejected for '%s', expected '%s'", why, needle);
}

#define NAMES                                                                                 \
	"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"a " \
	"(1)\"}},{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":1,\"args\":{"       \
	"\"name\":\"a (1)\"}},{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,"    \
	"\"args\":{\"name\":\"a (2)\"}}"

static void test_perfetto__checker_rejects_broken_traces(void **state)
{
	char ok[] =
		"[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,\"dur\":10},"
		"{\"ph\":\"X\",\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":2},"
		"{\"ph\":\"X\",\"name\":\"c\",\"pid\":1,\"tid\":2,\"ts\":5,\"dur\":2},"
		"{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,\"tid\":1,\"ts\":"
		"1.5},{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
		"\"tid\":2,\"ts\":6}]";
	char why[256];

	assert_int_equal(check_trace(ok, strlen(ok), why, sizeof(why)), 0);
	expect_rejected("[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
			"\"dur\":10},{\"ph\":\"X\",\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":5,"
			"\"dur\":10}]",
			"overlap");
	expect_rejected("[" NAMES ",{\"ph\":\"X\",\"name\":\"a\x01\",\"pid\":1,\"tid\":1,\"ts\":0,"
			"\"dur\":1}]",
			"control byte");
	expect_rejected("[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
			"\"dur\":10},{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
			"\"tid\":1,\"ts\":1}]",
			"0 ends");
	expect_rejected(
		"[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
		"\"dur\":10},{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
		"\"tid\":1,\"ts\":1},{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"w\",\"cat\":\"u\","
		"\"id\":1,\"pid\":1,\"tid\":2,\"ts\":2}]",
		"in no slice");
	expect_rejected(
		"[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
		"\"dur\":10},{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
		"\"tid\":1,\"ts\":5},{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"w\",\"cat\":\"u\","
		"\"id\":1,\"pid\":1,\"tid\":1,\"ts\":4}]",
		"ends before it starts");
	expect_rejected("[" NAMES ",{\"ph\":\"b\",\"name\":\"z\",\"cat\":\"p\",\"id\":3,\"pid\":1,"
			"\"tid\":1,\"ts\":0}]",
			"0 ends");
	expect_rejected("[" NAMES ",{\"ph\":\"B\",\"name\":\"z\",\"pid\":1,\"tid\":1,\"ts\":0}]",
			"B without E");
	expect_rejected("[{\"ph\":\"X\",\"name\":\"a\",\"pid\":9,\"tid\":9,\"ts\":0,\"dur\":1}]",
			"no process or thread name");
	expect_rejected("[{\"ph\":\"X\",\"name\":\"a\",\"pid\":9,\"tid\":9,\"ts\":-1,\"dur\":1}]",
			"ts < 0");
}

/* ---- the sink ---- */

static void test_perfetto__story_follows_the_rules(void **state)
{
	struct fx *f = *state;
	json_object *root, *o, *a;
	size_t count;

	run_story(f, f->path);
	root = load_checked(f->path);
	/* tracks named "comm (pid)", threads too */
	assert_string_equal(meta_name(root, "process_name", 200, 0), "server (200)");
	assert_string_equal(meta_name(root, "process_name", 1, 0), "init (1)");
	assert_string_equal(meta_name(root, "thread_name", 200, 210), "server (210)");
	assert_string_equal(meta_name(root, "process_name", 203, 0), "server (203)");
	/* tree order: init, shell, server, its children by start; the orphan under its forker */
	assert_true(sort_index(root, 1) < sort_index(root, 100));
	assert_true(sort_index(root, 100) < sort_index(root, 200));
	assert_true(sort_index(root, 200) < sort_index(root, 201));
	assert_true(sort_index(root, 201) < sort_index(root, 202));
	assert_int_equal(sort_index(root, 203), sort_index(root, 202) + 1);
	assert_true(sort_index(root, 203) < sort_index(root, 204));
	/* one lifetime slice per process; the living ones close at the end of the trace */
	o = find_ev(root, 'X', "server", 200, 200, &count);
	assert_non_null(o);
	assert_int_equal(count, 1);
	assert_int_equal(ns_of(o, "ts"), (int64_t)(P200 - BASE));
	assert_int_equal(ns_of(o, "ts") + ns_of(o, "dur"), (int64_t)(END - BASE));
	assert_string_equal(jstr(args_of(o), "end"), "still running");
	o = find_ev(root, 'X', "init", 1, 1, NULL);
	assert_non_null(o);
	assert_int_equal(ns_of(o, "ts"), 0);
	assert_true(json_object_get_boolean(
		json_object_object_get(args_of(o), "started_before_trace")));
	o = find_ev(root, 'X', "worker", 201, 201, NULL);
	assert_non_null(o);
	assert_int_equal(ns_of(o, "ts") + ns_of(o, "dur"), (int64_t)(T(20) - BASE));
	assert_string_equal(jstr(args_of(o), "end"), "exit 3");
	/* the zombie interval: async, 300 ms, reaped by server */
	o = find_ev(root, 'b', "zombie", 201, 0, &count);
	assert_non_null(o);
	assert_int_equal(count, 1);
	assert_int_equal(ns_of(o, "ts"), (int64_t)(T(20) - BASE));
	o = find_ev(root, 'e', "zombie", 201, 0, NULL);
	assert_non_null(o);
	assert_int_equal(ns_of(o, "ts"), (int64_t)(T(320) - BASE));
	assert_string_equal(jstr(args_of(o), "reaped_by"), "server (200)");
	/* auto-reaped: no zombie; a zombie from before the trace: from 0 to its release */
	assert_null(find_ev(root, 'b', "zombie", 205, 0, NULL));
	assert_null(find_ev(root, 'X', "defunct", 150, 0, NULL));
	o = find_ev(root, 'b', "zombie", 150, 0, NULL);
	assert_non_null(o);
	assert_int_equal(ns_of(o, "ts"), 0);
	assert_int_equal(ns_of(find_ev(root, 'e', "zombie", 150, 0, NULL), "ts"),
			 (int64_t)(T(80) - BASE));
	/* instants: fork, exec, exit, orphan, reap */
	assert_non_null(find_ev(root, 'i', "fork", 201, 201, NULL));
	o = find_ev(root, 'i', "exec", 200, 200, NULL);
	assert_non_null(o);
	assert_string_equal(jstr(args_of(o), "filename"), "/usr/bin/server");
	a = json_object_object_get(args_of(o), "argv");
	assert_int_equal(json_object_array_length(a), 3);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 2)), "8080");
	assert_non_null(find_ev(root, 'i', "exit 3", 201, 201, NULL));
	assert_non_null(find_ev(root, 'i', "killed by SIGKILL", 204, 204, NULL));
	o = find_ev(root, 'i', "orphaned", 203, 203, NULL);
	assert_non_null(o);
	assert_int_equal(ns_of(o, "ts"), (int64_t)(T(14) - BASE));
	assert_string_equal(jstr(args_of(o), "old_parent"), "server (202)");
	assert_string_equal(jstr(args_of(o), "adopted_by"), "init (1)");
	assert_non_null(find_ev(root, 'i', "reap", 200, 200, NULL));
	/* the waits, per thread, with their ready fds and who woke them */
	o = find_ev(root, 'X', "epoll_wait", 200, 210, &count);
	assert_non_null(o);
	assert_int_equal(count, 2);
	assert_int_equal(ns_of(o, "ts"), (int64_t)(T(4) - BASE));
	assert_int_equal(ns_of(o, "dur"), (int64_t)(T(10.02) - T(4)));
	a = json_object_array_get_idx(json_object_object_get(args_of(o), "ready"), 0);
	assert_non_null(a);
	assert_int_equal(json_object_get_int(json_object_object_get(a, "fd")), 5);
	assert_string_equal(jstr(a, "events"), "IN");
	a = json_object_array_get_idx(json_object_object_get(args_of(o), "woken_by"), 0);
	assert_non_null(a);
	assert_string_equal(jstr(a, "sender"), "worker (201)");
	assert_non_null(find_ev(root, 'X', "epoll_wait", 200, 200, NULL));
	assert_non_null(find_ev(root, 'X', "ppoll", 200, 200, NULL));
	/* flows: send -> wait, and one per process fork */
	o = find_ev(root, 's', "wakeup", 201, 201, &count);
	assert_non_null(o);
	assert_int_equal(count, 1);
	assert_non_null(find_ev(root, 'f', "wakeup", 200, 210, NULL));
	assert_non_null(find_ev(root, 'X', "unix send", 201, 201, NULL));
	find_ev(root, 's', "fork", 0, 0, &count);
	assert_int_equal(count, 6);
	assert_non_null(find_ev(root, 'f', "fork", 203, 203, NULL));
	/* loss and the trace's own markers */
	o = find_ev(root, 'i', "events lost", 0, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_object_get_int(json_object_object_get(args_of(o), "total")), 3);
	assert_non_null(find_ev(root, 'i', "procscope trace start", 0, 0, NULL));
	o = find_ev(root, 'i', "procscope trace end", 0, 0, NULL);
	assert_non_null(o);
	assert_int_equal(ns_of(o, "ts"), (int64_t)(END - BASE));
	assert_int_equal(json_object_get_int(json_object_object_get(args_of(o), "flows_dropped")),
			 0);
	json_object_put(root);
}

static void test_perfetto__hostile_names_are_escaped(void **state)
{
	struct fx *f = *state;
	json_object *root, *o;
	const char *name;
	char *raw;
	size_t len;

	run_story(f, f->path);
	raw = slurp(f->path, &len);
	/* the raw bytes of the name never reach the file */
	assert_null(memmem(raw, len, "\x1b[2J", 4));
	assert_null(memmem(raw, len, "\x01", 1));
	assert_null(memmem(raw, len, "\xff", 1));
	assert_non_null(strstr(raw, "\\u001b[2J"));
	free(raw);
	root = load_checked(f->path);
	name = meta_name(root, "process_name", 204, 0);
	assert_non_null(name);
	/* json-c gives back the bytes; the invalid 0xff became U+FFFD */
	assert_string_equal(name, "q\"b\\n\n\x1b[2J\t\x01\xef\xbf\xbd (204)");
	o = find_ev(root, 'i', "exec", 204, 204, NULL);
	assert_non_null(o);
	assert_string_equal(jstr(args_of(o), "filename"), "/tmp/<script>&\"x\x1b[31m");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    json_object_object_get(args_of(o), "argv"), 0)),
			    "a\x07"
			    "b");
	json_object_put(root);
}

static void test_perfetto__gzip_when_the_name_ends_in_gz(void **state)
{
	struct fx *f = *state;
	unsigned char magic[2] = { 0 };
	json_object *root;
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/trace.json.gz", f->dir);
	run_story(f, path);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(magic, 1, 2, fp), 2);
	fclose(fp);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	root = load_checked(path);
	assert_non_null(find_ev(root, 'b', "zombie", 201, 0, NULL));
	json_object_put(root);
}

/* Events reach the file before finish, and a trace cut short is a loadable array prefix */
static void test_perfetto__streams_before_finish(void **state)
{
	struct fx *f = *state;
	struct sink *s = perfetto_sink_new(f->path);
	char *raw, *cut, why[256];
	struct stat st;
	size_t len;

	assert_non_null(s);
	model__add_sink(f->m, s);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	story(f->m);
	assert_int_equal(model__flush(f->m), 0);
	raw = slurp(f->path, &len);
	assert_true(len > 1000);
	assert_int_equal(strncmp(raw, "[\n{", 3), 0);
	assert_non_null(strstr(raw, "\"zombie\""));
	/* what is on disk ends with a whole event: close the array and it parses */
	cut = malloc(len + 4);
	assert_non_null(cut);
	memcpy(cut, raw, len);
	memcpy(cut + len, "\n]", 3);
	assert_non_null(strstr(cut, "}\n]"));
	{
		json_object *o = json_tokener_parse(cut);

		assert_non_null(o);
		assert_true(json_object_is_type(o, json_type_array));
		json_object_put(o);
	}
	(void)why;
	free(cut);
	free(raw);
}

static void test_perfetto__create_errors(void **state)
{
	struct fx *f = *state;
	char link[160];

	errno = 0;
	assert_null(perfetto_sink_new("/nonexistent-dir/x.json"));
	assert_int_equal(errno, ENOENT);
	snprintf(link, sizeof(link), "%s/link.json", f->dir);
	assert_int_equal(symlink("/tmp/psc-should-not-exist.json", link), 0);
	errno = 0;
	assert_null(perfetto_sink_new(link));
	assert_int_equal(errno, ELOOP);
	assert_int_not_equal(access("/tmp/psc-should-not-exist.json", F_OK), 0);
}

/*
 * Hundreds of processes in a deep chain and a wide fan, threads forking at the same ns as
 * their waits begin: still valid, and slices moved rather than overlapped.
 */
static void test_perfetto__crowded_and_tied_timestamps(void **state)
{
	struct fx *f = *state;
	struct sink *s = perfetto_sink_new(f->path);
	json_object *root, *o;
	uint64_t start[700];
	uint32_t pid;
	size_t count;

	assert_non_null(s);
	model__add_sink(f->m, s);
	seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	start[0] = ST(1);
	/* a chain 2 <- 3 <- ... <- 301 and a fan of 302..699 under init */
	for (pid = 2; pid < 700; pid++) {
		uint32_t parent = pid <= 301 ? pid - 1 : 1;
		uint64_t ts = T(1) + pid * 10 * US;

		fork_(f->m, ts, parent, parent == 1 ? ST(1) : start[parent - 1], parent, pid, "p");
		start[pid - 1] = ts - 2 * US;
		/* the parent's next wait begins 10 ns after the fork: it must move */
		epoll_wait_(f->m, ts + 20 * US, parent, parent == 1 ? ST(1) : start[parent - 1],
			    parent, ts + 10, 3, -1);
	}
	for (pid = 302; pid < 700; pid += 2)
		exit_(f->m, T(100) + pid * US, pid, start[pid - 1], 0, 0, 1, ST(1), 0, 0);
	assert_int_equal(model__finish(f->m, T(200)), 0);
	root = load_checked(f->path);
	find_ev(root, 'M', "process_name", 0, 0, &count);
	assert_int_equal(count, 699);
	assert_int_equal(sort_index(root, 301), 300); /* the chain is depth-first */
	o = find_ev(root, 'i', "procscope trace end", 0, 0, NULL);
	assert_true(json_object_get_int(json_object_object_get(args_of(o), "slices_moved")) > 0);
	find_ev(root, 'b', "zombie", 0, 0, &count);
	assert_int_equal(count, 199);
	json_object_put(root);
}

/* A write error (a full disk, a file size limit) comes back from finish; whole events stay */
static void test_perfetto__write_error_is_reported(void **state)
{
	struct fx *f = *state;
	struct rlimit old, lim = { .rlim_cur = 4096, .rlim_max = RLIM_INFINITY };
	struct sink *s = perfetto_sink_new(f->path);
	char *raw;
	int err;

	assert_non_null(s);
	model__add_sink(f->m, s);
	story(f->m);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	err = model__finish(f->m, END);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(err, -EFBIG);
	/* the partly written chunk was cut off: only the opening "[" made it */
	raw = slurp(f->path, NULL);
	assert_string_equal(raw, "[\n");
	free(raw);
}

/* ---- long traces: retired processes, bounded memory ---- */

/* A shell that ran @n short children, each reaped at once, from @ts on; returns the end */
static uint64_t short_children(struct model *m, uint64_t ts, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++, ts += 100 * US) {
		uint32_t pid = first + i % 30000; /* pids recycle, as they do */

		fork_(m, ts, 100, ST(100), 100, pid, "true");
		exec_(m, ts + 2 * US, pid, ts - 2 * US, "true", "/bin/true", "true", 5);
		exit_(m, ts + 10 * US, pid, ts - 2 * US, 0, 0, 100, ST(100), 0, 0);
		reap_(m, ts + 20 * US, 100, ST(100), pid, 0);
	}
	return ts;
}

/*
 * The tree order indexes by table position: seq keeps counting after reaped processes retired
 * (it once indexed arrays of the table's size by seq, and wrote past them).
 */
static void test_perfetto__tree_order_after_retirement(void **state)
{
	struct fx *f = *state;
	struct timeline_row *rows;
	struct proc *const *all;
	bool *seen;
	size_t n, nall, i;
	uint64_t ts;

	proctree__set_retain(f->m->tree, 8, 4);
	seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	seed(f->m, T(0), 100, ST(100), 1, ST(1), 'S', "shell");
	ts = short_children(f->m, T(1), 1000, 300);
	fork_(f->m, ts, 100, ST(100), 100, 2000, "shell");
	fork_(f->m, ts + MS, 2000, ts - 2 * US, 2000, 2001, "shell");
	assert_true(proctree__stats(f->m->tree)->retired >= 250);
	all = proctree__all(f->m->tree, &nall);
	assert_int_equal(timeline_tree_order(f->m, NULL, &rows, &n), 0);
	assert_int_equal(n, nall);
	seen = calloc(nall, sizeof(*seen));
	assert_non_null(seen);
	for (i = 0; i < n; i++) {
		const struct proc *p = rows[i].p, *fp = p->fork_parent;

		assert_true(p->pos < nall);
		assert_ptr_equal(all[p->pos], p);
		assert_false(seen[p->pos]);
		seen[p->pos] = true;
		/* parents first, children one level deeper */
		if (fp)
			assert_true(seen[fp->pos]);
		if (p->pid == 1)
			assert_int_equal(rows[i].depth, 0);
		if (p->pid == 2001)
			assert_int_equal(rows[i].depth, 3);
	}
	free(seen);
	free(rows);
}

/* With a command or -p, only the target's tree: no track for its ancestors or their acts */
static void test_perfetto__command_tree_only(void **state)
{
	struct fx *f = *state;
	json_object *root;

	f->m->meta.target_pid = 200;
	run_story(f, f->path);
	root = load_checked(f->path);
	assert_string_equal(meta_name(root, "process_name", 200, 0), "server (200)");
	assert_string_equal(meta_name(root, "process_name", 203, 0), "server (203)");
	assert_null(meta_name(root, "process_name", 1, 0));
	assert_null(meta_name(root, "process_name", 100, 0));
	assert_null(meta_name(root, "process_name", 150, 0));
	/* the shell forked the server: no marker on the shell's track */
	assert_null(find_ev(root, 'X', "fork child", 100, 0, NULL));
	assert_null(find_ev(root, 'X', "shell", 100, 100, NULL));
	/* inside the tree, the wake-up flow is still there */
	assert_non_null(find_ev(root, 's', "wakeup", 201, 201, NULL));
	json_object_put(root);
}

static void test_perfetto__demo_title(void **state)
{
	struct fx *f = *state;
	json_object *root, *o;

	snprintf(f->m->meta.command, sizeof(f->m->meta.command),
		 "/usr/local/sbin/procscope demo --no-trace --quiet orphan");
	run_story(f, f->path);
	root = load_checked(f->path);
	o = find_ev(root, 'i', "procscope trace start", 0, 0, NULL);
	assert_non_null(o);
	assert_string_equal(jstr(args_of(o), "title"), "procscope demo orphan");
	json_object_put(root);
}

/* Bytes the heap holds now (ASan's allocator under the sanitizers) */
static size_t heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/*
 * Memory follows the process table, not the length of the trace: after 20,000 short processes
 * through both timeline sinks, 80,000 more leave the heap where it was (it grew by 100 MB and
 * more when the sinks kept every process by seq). The files themselves go to /dev/null.
 */
static void test_perfetto__memory_stays_bounded(void **state)
{
	struct fx *f = *state;
	struct sink *pf = perfetto_sink_new("/dev/null"), *sv = svg_sink_new("/dev/null");
	size_t before, after;
	uint64_t ts;

	assert_non_null(pf);
	assert_non_null(sv);
	model__add_sink(f->m, pf);
	model__add_sink(f->m, sv);
	seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	seed(f->m, T(0), 100, ST(100), 1, ST(1), 'S', "shell");
	ts = short_children(f->m, T(1), 1000, 20000);
	assert_int_equal(model__flush(f->m), 0);
	before = heap_in_use();
	ts = short_children(f->m, ts, 1000, 80000);
	assert_int_equal(model__flush(f->m), 0);
	after = heap_in_use();
	fprintf(stderr, "heap: %zu -> %zu bytes after 80000 more processes\n", before, after);
	assert_true(after < before + (1u << 20));
	assert_int_equal(model__finish(f->m, ts), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perfetto__checker_rejects_broken_traces),
		cmocka_unit_test_setup_teardown(test_perfetto__story_follows_the_rules, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__hostile_names_are_escaped, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__gzip_when_the_name_ends_in_gz,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__streams_before_finish, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__create_errors, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__crowded_and_tied_timestamps,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__write_error_is_reported, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__tree_order_after_retirement,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__command_tree_only, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__demo_title, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__memory_stays_bounded, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* TIMELINE_TEST_PARTS >= 3 */
