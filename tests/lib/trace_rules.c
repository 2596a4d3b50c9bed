// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Trace Event Format checker of trace_rules.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace_rules.h"

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
int64_t te_us_to_ns(double us)
{
	double ns = us * 1000;

	return (int64_t)(ns < 0 ? ns - 0.5 : ns + 0.5);
}

const char *te_str(json_object *o, const char *k)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool te_num(json_object *o, const char *k, double *out)
{
	json_object *v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_double(v);
	return true;
}

/* By track, then start, the longer slice first: a parent sorts before its children */
static int cmp_nest(const void *a, const void *b)
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

/* (pid, tid) order of two events; 0 on the same track */
static int cmp_track(const struct tev *x, const struct tev *y)
{
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return 0;
}

/* Track, then file order (@evs is one array: the address is the file order) */
static int cmp_track_file(const void *a, const void *b)
{
	const struct tev *x = *(const struct tev *const *)a, *y = *(const struct tev *const *)b;
	int c = cmp_track(x, y);

	return c ? c : (x > y) - (x < y);
}

static int cmp_str(const char *x, const char *y)
{
	return strcmp(x ? x : "", y ? y : "");
}

/* (cat, name, id), then file order: what pairs b/e and s/f events */
static int cmp_pair(const void *a, const void *b)
{
	const struct tev *x = *(const struct tev *const *)a, *y = *(const struct tev *const *)b;
	int c = cmp_str(x->cat, y->cat);

	if (!c)
		c = cmp_str(x->name, y->name);
	if (!c && x->id != y->id)
		c = x->id < y->id ? -1 : 1;
	return c ? c : (x > y) - (x < y);
}

/* The pairing key alone, no file order */
static int cmp_pair_key(const struct tev *x, const struct tev *y)
{
	int c = cmp_str(x->cat, y->cat);

	if (!c)
		c = cmp_str(x->name, y->name);
	return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int cmp_track_only(const void *a, const void *b)
{
	return cmp_track(*(const struct tev *const *)a, *(const struct tev *const *)b);
}

/*
 * The events of phase @open or @close (b/e, s/f) into @ps in cmp_pair order: their number.
 * *@bad: the first of them without an id or a cat (nothing pairs it), else NULL.
 */
static size_t collect_pairs(struct tev *evs, size_t n, char open, char close, struct tev **ps,
			    struct tev **bad)
{
	size_t i, np = 0;

	*bad = NULL;
	for (i = 0; i < n; i++) {
		if (evs[i].ph != open && evs[i].ph != close)
			continue;
		if (!evs[i].has_id || !evs[i].cat) {
			*bad = &evs[i];
			return 0;
		}
		ps[np++] = &evs[i];
	}
	qsort(ps, np, sizeof(*ps), cmp_pair);
	return np;
}

/*
 * The run of @ps from @i sharing its pairing key: how many of phase @open (*@no, the last in
 * *@o) and of the other phase (*@nc, *@c); returns where the run ends
 */
static size_t pair_run(struct tev **ps, size_t np, size_t i, char open, struct tev **o, size_t *no,
		       struct tev **c, size_t *nc)
{
	size_t j;

	*o = *c = NULL;
	*no = *nc = 0;
	for (j = i; j < np && !cmp_pair_key(ps[j], ps[i]); j++) {
		if (ps[j]->ph == open)
			++*no, *o = ps[j];
		else
			++*nc, *c = ps[j];
	}
	return j;
}

/*
 * Is @ts strictly inside an X slice of (@pid, @tid)? @xs: the @nx X slices in cmp_nest order,
 * so a track's slices are one run found by binary search (the checker stays n log n: a
 * 7,000-process trace has ~100k events)
 */
static bool inside_slice(struct tev **xs, size_t nx, int64_t pid, int64_t tid, int64_t ts)
{
	struct tev key = { .pid = pid, .tid = tid };
	size_t lo = 0, hi = nx, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_track(xs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < nx && !cmp_track(xs[i], &key) && xs[i]->ts < ts; i++)
		if (ts < xs[i]->ts + xs[i]->dur)
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
int te_check_trace(const char *raw, size_t len, char *why, size_t whysz)
{
	json_object *root = NULL;
	struct tev *evs = NULL, **xs = NULL, **stack = NULL, **ps = NULL, *names = NULL, *bad;
	size_t n = 0, i, j, nx, np;
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
	ps = calloc(n + 1, sizeof(*ps));
	names = calloc(n + 1, sizeof(*names));
	assert_non_null(ps);
	assert_non_null(names);
	assert_non_null(evs);
	assert_non_null(xs);
	assert_non_null(stack);
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(root, i);
		struct tev *e = &evs[i];
		const char *ph = o ? te_str(o, "ph") : NULL;
		double v;

		if (!o || !json_object_is_type(o, json_type_object) || !ph || strlen(ph) != 1 ||
		    !strchr("XBEbeisfM", ph[0]))
			FAIL("event %zu: no object or unknown phase", i);
		e->o = o;
		e->ph = ph[0];
		e->name = te_str(o, "name");
		e->cat = te_str(o, "cat");
		if (!e->name)
			FAIL("event %zu: no name", i);
		e->pid = te_num(o, "pid", &v) ? (int64_t)v : 0;
		e->tid = te_num(o, "tid", &v) ? (int64_t)v : 0;
		if (te_num(o, "id", &v)) {
			e->id = (int64_t)v;
			e->has_id = true;
		}
		if (e->ph == 'M')
			continue;
		if (!te_num(o, "ts", &v) || v < 0)
			FAIL("event %zu (%s): no ts or ts < 0", i, e->name);
		e->ts = te_us_to_ns(v);
		if (e->ph == 'X') {
			if (!te_num(o, "dur", &v) || v < 0)
				FAIL("event %zu (%s): X without dur >= 0", i, e->name);
			e->dur = te_us_to_ns(v);
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
	/* B/E per track in file order */
	for (np = 0, i = 0; i < n; i++)
		if (evs[i].ph == 'B' || evs[i].ph == 'E')
			ps[np++] = &evs[i];
	qsort(ps, np, sizeof(*ps), cmp_track_file);
	for (i = 0; i < np; i = j) {
		int depth = 0;
		int64_t last = -1;

		for (j = i; j < np && !cmp_track(ps[j], ps[i]); j++) {
			if (ps[j]->ts < last)
				FAIL("B/E going back in time on %lld/%lld", (long long)ps[j]->pid,
				     (long long)ps[j]->tid);
			last = ps[j]->ts;
			depth += ps[j]->ph == 'B' ? 1 : -1;
			if (depth < 0)
				FAIL("E without B on %lld/%lld", (long long)ps[j]->pid,
				     (long long)ps[j]->tid);
		}
		if (depth)
			FAIL("B without E on %lld/%lld", (long long)ps[i]->pid,
			     (long long)ps[i]->tid);
	}
	/* b/e pair up one to one by (cat, id, name), the end not before the begin */
	np = collect_pairs(evs, n, 'b', 'e', ps, &bad);
	if (bad && bad->ph == 'b')
		FAIL("async '%s' without id or cat", bad->name);
	if (bad)
		FAIL("async end '%s' has 0 begins", bad->name);
	for (i = 0; i < np; i = j) {
		struct tev *beg, *end;
		size_t nb, ne;

		j = pair_run(ps, np, i, 'b', &beg, &nb, &end, &ne);
		if (nb == 0)
			FAIL("async end '%s' has 0 begins", ps[i]->name);
		if (nb != 1 || ne != 1)
			FAIL("async '%s' id %lld has %zu ends", beg->name, (long long)beg->id, ne);
		if (end->ts < beg->ts)
			FAIL("async '%s' ends before it begins", beg->name);
	}
	/* flows: one 's' and one 'f' by (cat, id, name) */
	np = collect_pairs(evs, n, 's', 'f', ps, &bad);
	if (bad)
		FAIL("flow '%s' without id or cat", bad->name);
	for (i = 0; i < np; i = j) {
		struct tev *st, *f;
		size_t ss, fs;

		j = pair_run(ps, np, i, 's', &st, &ss, &f, &fs);
		if (fs != 1 || ss != 1)
			FAIL("flow '%s' id %lld: %zu starts, %zu ends", ps[i]->name,
			     (long long)ps[i]->id, ss, fs);
		if (!te_str(f->o, "bp") || strcmp(te_str(f->o, "bp"), "e"))
			FAIL("flow end '%s' does not bind to the enclosing slice", f->name);
		if (f->ts <= st->ts)
			FAIL("flow '%s' id %lld ends before it starts", st->name,
			     (long long)st->id);
		if (!inside_slice(xs, nx, st->pid, st->tid, st->ts))
			FAIL("flow start '%s' id %lld is in no slice of %lld/%lld", st->name,
			     (long long)st->id, (long long)st->pid, (long long)st->tid);
		if (!inside_slice(xs, nx, f->pid, f->tid, f->ts))
			FAIL("flow end '%s' id %lld is in no slice of %lld/%lld", f->name,
			     (long long)f->id, (long long)f->pid, (long long)f->tid);
	}
	/*
	 * names: every process, and every thread with slices. The metadata, sorted by track:
	 * process names as (pid, tid 0), thread names as (pid, tid).
	 */
	for (np = 0, i = 0; i < n; i++) {
		json_object *args;

		if (evs[i].ph != 'M')
			continue;
		if (!json_object_object_get_ex(evs[i].o, "args", &args) ||
		    (strstr(evs[i].name, "_name") && !te_str(args, "name")))
			FAIL("metadata '%s' without args.name", evs[i].name);
		if (!strcmp(evs[i].name, "process_name")) {
			names[np].pid = evs[i].pid;
			names[np++].tid = 0;
		} else if (!strcmp(evs[i].name, "thread_name")) {
			names[np].pid = evs[i].pid;
			names[np++].tid = evs[i].tid ? evs[i].tid : -1;
		}
	}
	for (i = 0; i < np; i++)
		ps[i] = &names[i];
	qsort(ps, np, sizeof(*ps), cmp_track_file);
	for (i = 0; i < n; i++) {
		struct tev pkey = { .pid = evs[i].pid },
			   tkey = { .pid = evs[i].pid, .tid = evs[i].tid };
		struct tev *pk = &pkey, *tk = &tkey;

		if (!evs[i].pid || evs[i].ph == 'M')
			continue;
		if (!bsearch(&pk, ps, np, sizeof(*ps), cmp_track_only) ||
		    (evs[i].ph == 'X' && !bsearch(&tk, ps, np, sizeof(*ps), cmp_track_only)))
			FAIL("%lld/%lld has no process or thread name", (long long)evs[i].pid,
			     (long long)evs[i].tid);
	}
	ret = 0;
out:
	free(evs);
	free(xs);
	free(stack);
	free(ps);
	free(names);
	json_object_put(root);
	return ret;
}

json_object *te_args(json_object *o)
{
	json_object *a = NULL;

	json_object_object_get_ex(o, "args", &a);
	return a;
}

/* The first event with @ph, @name (NULL: any), @pid and @tid (0: any) */
json_object *te_find(json_object *root, char ph, const char *name, int64_t pid, int64_t tid,
		     size_t *count)
{
	json_object *first = NULL;
	size_t i, n = json_object_array_length(root);

	if (count)
		*count = 0;
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(root, i);
		const char *p = te_str(o, "ph"), *nm = te_str(o, "name");
		double v;

		if (!p || p[0] != ph || (name && (!nm || strcmp(nm, name))))
			continue;
		if (pid && (!te_num(o, "pid", &v) || (int64_t)v != pid))
			continue;
		if (tid && (!te_num(o, "tid", &v) || (int64_t)v != tid))
			continue;
		if (!first)
			first = o;
		if (count)
			(*count)++;
	}
	return first;
}

int64_t te_ns(json_object *o, const char *k)
{
	double v;

	assert_true(te_num(o, k, &v));
	return te_us_to_ns(v);
}

/* The name metadata of @pid (process) */
const char *te_meta_name(json_object *root, const char *what, int64_t pid, int64_t tid)
{
	json_object *o = te_find(root, 'M', what, pid, tid, NULL);

	return o ? te_str(te_args(o), "name") : NULL;
}

int64_t te_sort_index(json_object *root, int64_t pid)
{
	json_object *o = te_find(root, 'M', "process_sort_index", pid, 0, NULL);
	json_object *v;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(te_args(o), "sort_index", &v));
	return json_object_get_int64(v);
}
