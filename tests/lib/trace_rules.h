/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The Trace Event Format rules the importers (ui.perfetto.dev, chrome://tracing) enforce, as a
 * checker for the Perfetto files procscope writes (tests/unit/test_perfetto.c on synthetic
 * streams, tests/integration/test_timeline.c on real traces), and lookups in a parsed file.
 */
#ifndef __PSC_TRACE_RULES_H
#define __PSC_TRACE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* µs (as the file has them) to ns, rounded like the importers do; no libm in unit links */
int64_t te_us_to_ns(double us);

const char *te_str(json_object *o, const char *k);

bool te_num(json_object *o, const char *k, double *out);

/*
 * The rules: the raw text has no control bytes in strings; the document is an array of events
 * with a known phase, numeric ts >= 0 (and dur >= 0 for X); X slices nest on every (pid, tid);
 * B/E balance per track with ts never going back; b/e pair up by (cat, id, name); every flow
 * has one 's' and one 'f' (same cat, name, id), 'f' binds to the enclosing slice ("bp":"e"),
 * comes after 's', and both lie strictly inside a slice of their thread; every pid and thread
 * with slices has a name. Returns 0, or -1 with the first broken rule in @why.
 */
int te_check_trace(const char *raw, size_t len, char *why, size_t whysz);

json_object *te_args(json_object *o);

/* The first event with @ph, @name (NULL: any), @pid and @tid (0: any) */
json_object *te_find(json_object *root, char ph, const char *name, int64_t pid, int64_t tid,
		     size_t *count);

int64_t te_ns(json_object *o, const char *k);

/* The name metadata of @pid (process) */
const char *te_meta_name(json_object *root, const char *what, int64_t pid, int64_t tid);

int64_t te_sort_index(json_object *root, int64_t pid);

#endif /* __PSC_TRACE_RULES_H */
