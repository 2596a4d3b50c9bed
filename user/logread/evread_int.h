/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the log reader (evread.c, evread_field.c, evread_event.c): the reader's state and the
 * typed field access its parts share. Not for use outside user/logread/evread*.c.
 */
#ifndef __PSC_EVREAD_INT_H
#define __PSC_EVREAD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "evfast.h"
#include "evread.h"
#include "schema.h"

struct evread {
	struct json_tokener *tok;
	uint64_t base_ns;
	struct evfast_cache fast; /* the fast path's record types */
	bool no_fast; /* every line through json-c */
	char err[256];
};

/* The reason for refusing the line into r->err; returns @err */
int evread_fail(struct evread *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- typed field access (evread_field.c); each failure names the field ---- */

/* @o's member @key of JSON type @t; NULL (and *err) if it is missing and @need, or mistyped */
json_object *evread_member(struct evread *r, json_object *o, const char *key, json_type t,
			   bool need, int *err);
/* A signed integer in [min, max] */
int evread_get_int(struct evread *r, json_object *o, const char *key, int64_t min, int64_t max,
		   bool need, int64_t *out);
int evread_get_u64(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out);
int evread_get_u32(struct evread *r, json_object *o, const char *key, bool need, uint32_t *out);
int evread_get_bool(struct evread *r, json_object *o, const char *key, bool need, bool *out);
/* The exact bytes of a "<name>_hex" field: at most @max into @dst */
int evread_from_hex(struct evread *r, const char *hexkey, json_object *h, char *dst, size_t max,
		    size_t *n);
/*
 * The bytes of string field @key: from "<key>_hex" when the writer added it (exact), else the
 * string itself. At most @max bytes into @dst (not terminated); *n gets the count.
 */
int evread_get_bytes(struct evread *r, json_object *o, const char *key, char *dst, size_t max,
		     bool need, size_t *n);
/* A string for a NUL-terminated buffer of @size: cut to fit (header facts, not event fields) */
int evread_get_text(struct evread *r, json_object *o, const char *key, char *dst, size_t size);
/* A relative time back to CLOCK_BOOTTIME (wraps like the writer's subtraction did) */
uint64_t evread_abs_time(const struct evread *r, int64_t rel);
int evread_get_time(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out);
/* Decimal u64 written as a string (header bases beyond 2^53) */
int evread_get_u64_str(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out);

/* ---- events (evread_event.c) ---- */

/* The event of schema type @st from record @o into @ev, times absolute */
int evread_read_event(struct evread *r, json_object *o, const struct schema_type *st,
		      union psc_event *ev);

#endif /* __PSC_EVREAD_INT_H */
