/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The log reader's fast path: a schema-driven parser for the event lines procscope writes, in
 * one pass over the line with no allocation. It accepts only what it reads exactly as the full
 * parser (json-c, evread.c) would: plain ASCII strings without escapes, integers, the common
 * field kinds, no duplicate keys. Anything else (an escape, a "_hex" twin, a float, a header, a
 * damaged line) is left to the full parser, which then decides and names the problem. Pure.
 */
#ifndef __PSC_EVFAST_H
#define __PSC_EVFAST_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"

struct schema_type;

#define EVFAST_TYPE_SLOTS 61
#define EVFAST_MAX_FIELDS 80 /* a type with more is read in any order, not in the writer's */
#define EVFAST_HEAD 4 /* the header's members after "type": ts_ns, pid, tid, start_ns */

/* A record type met so far, and its members in the writer's order (the header's, the fields) */
struct evfast_type {
	const struct schema_type *st;
	uint64_t names; /* a filter of its member names */
	uint64_t tok[EVFAST_HEAD + EVFAST_MAX_FIELDS]; /* each member's first 8 bytes of "name": */
	uint8_t len[EVFAST_HEAD + EVFAST_MAX_FIELDS + 1]; /* each name's length; 0 after the last */
};

/* The record types met so far, by name (one per reader; zeroed to start) */
struct evfast_cache {
	struct evfast_type types[EVFAST_TYPE_SLOTS];
};

/*
 * Parse @line (@len bytes, no '\n') as an event record into @ev, times relative to @base_ns.
 * Returns 1 when it did, 0 when the full parser must read the line.
 */
int evfast_parse_event(const char *line, size_t len, uint64_t base_ns, struct evfast_cache *cache,
		       union psc_event *ev);

#endif /* __PSC_EVFAST_H */
