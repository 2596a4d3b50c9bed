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

/* Is @ts strictly inside an X slice of (@pid, @tid)? */
static bool inside_slice(struct tev *evs, size_t n, int64_t pid, int64_t tid, int64_t ts)
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
int te_check_trace(const char *raw, size_t len, char *why, size_t whysz)
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
		if (!te_str(f->o, "bp") || strcmp(te_str(f->o, "bp"), "e"))
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
			    (strstr(what, "_name") && !te_str(args, "name")))
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
