// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The log reader. Every field of an event is read through its schema table, the one the writer
 * used, so a field added to a table is read back without a change here. Where the writer added
 * a "<name>_hex" twin (bytes that are not valid UTF-8), the twin holds the exact bytes and wins.
 * Fields a reader does not know are ignored (docs/events.md); fields it needs must be there, of
 * the right JSON type and in range, or the whole line is refused. Pure: no printing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "evfast.h"
#include "evjson.h"
#include "evread.h"
#include "schema.h"

struct evread {
	struct json_tokener *tok;
	uint64_t base_ns;
	struct evfast_cache fast; /* the fast path's record types */
	bool no_fast; /* every line through json-c */
	char err[256];
};

static int fail(struct evread *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct evread *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return err;
}

struct evread *evread_new(void)
{
	struct evread *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	/* depth 8: our records nest 3 deep; a deeper line is refused before it costs anything */
	r->tok = json_tokener_new_ex(8);
	if (!r->tok) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	r->base_ns = EVREAD_ASSUMED_BASE_NS;
	return r;
}

void evread_free(struct evread *r)
{
	if (!r)
		return;
	json_tokener_free(r->tok);
	free(r);
}

void evread_set_fast(struct evread *r, bool on)
{
	r->no_fast = !on;
}

const char *evread_error(const struct evread *r)
{
	return r->err;
}

void evread_set_base(struct evread *r, uint64_t base_ns)
{
	r->base_ns = base_ns;
}

uint64_t evread_base(const struct evread *r)
{
	return r->base_ns;
}

/* ---- typed field access; each failure names the field ---- */

static const char *type_word(json_type t)
{
	switch (t) {
	case json_type_int:
		return "an integer";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "a boolean";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	default:
		return "a value";
	}
}

/* @o's member @key of JSON type @t; NULL (and *err) if it is missing and @need, or mistyped */
static json_object *member(struct evread *r, json_object *o, const char *key, json_type t,
			   bool need, int *err)
{
	json_object *v;

	*err = 0;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (need)
			*err = fail(r, -EBADMSG, "field '%s' is missing", key);
		return NULL;
	}
	if (!json_object_is_type(v, t)) {
		*err = fail(r, -EBADMSG, "field '%s' is not %s", key, type_word(t));
		return NULL;
	}
	return v;
}

/* A signed integer in [min, max] */
static int get_int(struct evread *r, json_object *o, const char *key, int64_t min, int64_t max,
		   bool need, int64_t *out)
{
	int err;
	json_object *v = member(r, o, key, json_type_int, need, &err);
	int64_t x;

	if (!v)
		return err;
	x = json_object_get_int64(v);
	/* json-c keeps integers above INT64_MAX as unsigned: get_int64 clamps those */
	if (x < min || x > max || (x == INT64_MAX && json_object_get_uint64(v) > INT64_MAX))
		return fail(r, -EBADMSG, "field '%s' is out of range", key);
	*out = x;
	return 0;
}

static int get_u64(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out)
{
	int err;
	json_object *v = member(r, o, key, json_type_int, need, &err);

	if (!v)
		return err;
	if (json_object_get_int64(v) < 0)
		return fail(r, -EBADMSG, "field '%s' is out of range", key);
	*out = json_object_get_uint64(v);
	return 0;
}

static int get_u32(struct evread *r, json_object *o, const char *key, bool need, uint32_t *out)
{
	int64_t x = 0;
	int err = get_int(r, o, key, 0, UINT32_MAX, need, &x);

	if (!err && json_object_object_get_ex(o, key, NULL))
		*out = (uint32_t)x;
	return err;
}

static int get_bool(struct evread *r, json_object *o, const char *key, bool need, bool *out)
{
	int err;
	json_object *v = member(r, o, key, json_type_boolean, need, &err);

	if (v)
		*out = json_object_get_boolean(v);
	return err;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The exact bytes of a "<name>_hex" field: at most @max into @dst */
static int from_hex(struct evread *r, const char *hexkey, json_object *h, char *dst, size_t max,
		    size_t *n)
{
	const char *s = json_object_get_string(h);
	size_t len = (size_t)json_object_get_string_len(h), i;

	if (len % 2)
		return fail(r, -EBADMSG, "field '%s' has an odd number of digits", hexkey);
	if (len / 2 > max)
		return fail(r, -EBADMSG, "field '%s' is longer than %zu bytes", hexkey, max);
	for (i = 0; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return fail(r, -EBADMSG, "field '%s' is not hex", hexkey);
		dst[i / 2] = (char)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

/*
 * The bytes of string field @key: from "<key>_hex" when the writer added it (exact), else the
 * string itself. At most @max bytes into @dst (not terminated); *n gets the count.
 */
static int get_bytes(struct evread *r, json_object *o, const char *key, char *dst, size_t max,
		     bool need, size_t *n)
{
	char hexkey[64];
	json_object *v, *h;
	size_t len;
	int err;

	*n = 0;
	v = member(r, o, key, json_type_string, need, &err);
	if (!v)
		return err;
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	h = member(r, o, hexkey, json_type_string, false, &err);
	if (err)
		return err;
	if (h)
		return from_hex(r, hexkey, h, dst, max, n);
	len = (size_t)json_object_get_string_len(v);
	if (len > max)
		return fail(r, -EBADMSG, "field '%s' is longer than %zu bytes", key, max);
	memcpy(dst, json_object_get_string(v), len);
	*n = len;
	return 0;
}

/* A string for a NUL-terminated buffer of @size: cut to fit (header facts, not event fields) */
static int get_text(struct evread *r, json_object *o, const char *key, char *dst, size_t size)
{
	char buf[1024];
	size_t n = 0;
	int err = get_bytes(r, o, key, buf, sizeof(buf), false, &n);

	if (err == -EBADMSG && strstr(r->err, "longer than")) {
		json_object *v = NULL;

		/* a longer header string than ever written: keep its start */
		json_object_object_get_ex(o, key, &v);
		n = strnlen(json_object_get_string(v), sizeof(buf));
		memcpy(buf, json_object_get_string(v), n);
		err = 0;
	}
	if (err)
		return err;
	if (n >= size)
		n = size - 1;
	if (n || json_object_object_get_ex(o, key, NULL)) {
		memcpy(dst, buf, n);
		dst[n] = '\0';
	}
	return 0;
}

/* A relative time back to CLOCK_BOOTTIME (wraps like the writer's subtraction did) */
static uint64_t abs_time(const struct evread *r, int64_t rel)
{
	return r->base_ns + (uint64_t)rel;
}

static int get_time(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out)
{
	int64_t rel = 0;
	int err = get_int(r, o, key, INT64_MIN, INT64_MAX, need, &rel);

	if (!err)
		*out = abs_time(r, rel);
	return err;
}

/* Decimal u64 written as a string (header bases beyond 2^53) */
static int get_u64_str(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out)
{
	int err;
	json_object *v = member(r, o, key, json_type_string, need, &err);
	const char *s;
	uint64_t x = 0;
	size_t i, n;

	if (!v)
		return err;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (!n || n > 20)
		return fail(r, -EBADMSG, "field '%s' is not a decimal number", key);
	for (i = 0; i < n; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return fail(r, -EBADMSG, "field '%s' is not a decimal number", key);
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

/* ---- events through their schema table ---- */

static void put_u32(void *base, size_t off, uint32_t v)
{
	memcpy((char *)base + off, &v, sizeof(v));
}

static uint32_t load_u32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

/* NUL-separated argv: the exact buffer from "<name>_hex", else the strings each with its NUL */
static int read_argv(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	char hexkey[64];
	char *dst = base + f->off;
	json_object *arr, *h;
	size_t n, i, len = 0;
	int err;

	arr = member(r, o, f->name, json_type_array, true, &err);
	if (!arr)
		return err;
	snprintf(hexkey, sizeof(hexkey), "%s_hex", f->name);
	h = member(r, o, hexkey, json_type_string, false, &err);
	if (err)
		return err;
	if (h) {
		err = from_hex(r, hexkey, h, dst, f->size, &len);
		if (err)
			return err;
		put_u32(base, f->aux, (uint32_t)len);
		return 0;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(arr, i);
		size_t sl;

		if (!json_object_is_type(s, json_type_string))
			return fail(r, -EBADMSG, "field '%s' holds a non-string", f->name);
		sl = (size_t)json_object_get_string_len(s);
		if (len + sl > f->size)
			return fail(r, -EBADMSG, "field '%s' is longer than %u bytes", f->name,
				    f->size);
		memcpy(dst + len, json_object_get_string(s), sl);
		len += sl;
		/* a buffer cut at its end has no NUL after the last string: it is full */
		if (len < f->size)
			dst[len++] = '\0';
		else if (i + 1 < n)
			return fail(r, -EBADMSG, "field '%s' is longer than %u bytes", f->name,
				    f->size);
	}
	put_u32(base, f->aux, (uint32_t)len);
	return 0;
}

/* "path" ("@name" when abstract), "path_abstract", "path_hex" -> struct psc_unix_addr */
static int read_unixaddr(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	struct psc_unix_addr a;
	char key[64];
	bool abstract = false, hex;
	size_t n;
	int err;

	memset(&a, 0, sizeof(a));
	snprintf(key, sizeof(key), "%s_abstract", f->name);
	err = get_bool(r, o, key, false, &abstract);
	if (err)
		return err;
	snprintf(key, sizeof(key), "%s_hex", f->name);
	/* with a _hex twin: the exact bytes, an abstract name's leading NUL included */
	hex = json_object_object_get_ex(o, key, NULL);
	err = get_bytes(r, o, f->name, a.path, sizeof(a.path), true, &n);
	if (err)
		return err;
	if (!hex && abstract) {
		if (!n || a.path[0] != '@')
			return fail(r, -EBADMSG, "field '%s' is abstract without '@'", f->name);
		a.path[0] = '\0';
	}
	a.len = (uint32_t)n;
	memcpy(base + f->off, &a, sizeof(a));
	return 0;
}

static int read_ready(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	struct psc_epoll_ready *dst = (struct psc_epoll_ready *)(base + f->off);
	size_t cap = f->size / sizeof(*dst), n, i;
	json_object *arr;
	int err;

	arr = member(r, o, f->name, json_type_array, true, &err);
	if (!arr)
		return err;
	n = json_object_array_length(arr);
	if (n > cap)
		return fail(r, -EBADMSG, "field '%s' has more than %zu entries", f->name, cap);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct psc_epoll_ready rd = { 0 };
		uint64_t data = 0;

		if (!json_object_is_type(e, json_type_object))
			return fail(r, -EBADMSG, "field '%s' holds a non-object", f->name);
		err = get_u32(r, e, "events", true, &rd.events);
		if (!err)
			err = get_u64(r, e, "data", true, &data);
		if (err)
			return err;
		rd.data = data;
		memcpy(&dst[i], &rd, sizeof(rd));
	}
	put_u32(base, f->aux, (uint32_t)n);
	return 0;
}

static int read_fdinfo(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	struct psc_fd_info fi;
	json_object *v, *kind;
	uint64_t ino = 0;
	int64_t x;
	size_t n;
	uint32_t k;
	int err;

	memset(&fi, 0, sizeof(fi));
	v = member(r, o, f->name, json_type_object, true, &err);
	if (!v)
		return err;
	err = get_u64(r, v, "ino", true, &ino);
	if (err)
		return err;
	fi.ino = ino;
	kind = member(r, v, "kind", json_type_string, true, &err);
	if (!kind)
		return err;
	/* a kind from a newer version reads as unknown, as the writer shows unknown numbers */
	for (k = 0; k <= PSC_FD_ANON; k++)
		if (!strcmp(json_object_get_string(kind), schema_fd_kind_name(k)))
			fi.kind = k;
	x = 0;
	err = get_int(r, v, "family", 0, UINT16_MAX, false, &x);
	fi.sock_family = (uint16_t)x;
	x = 0;
	if (!err)
		err = get_int(r, v, "sock_type", 0, UINT16_MAX, false, &x);
	fi.sock_type = (uint16_t)x;
	if (!err)
		err = get_bytes(r, v, "name", fi.name, sizeof(fi.name), false, &n);
	if (err)
		return err;
	memcpy(base + f->off, &fi, sizeof(fi));
	return 0;
}

static int read_field(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	int64_t x = 0;
	uint64_t u = 0;
	uint32_t u32 = 0;
	bool b = false;
	size_t n;
	int err;

	switch (f->kind) {
	case SK_U32:
		err = get_u32(r, o, f->name, true, &u32);
		if (!err)
			put_u32(base, f->off, u32);
		return err;
	case SK_S32:
		err = get_int(r, o, f->name, INT32_MIN, INT32_MAX, true, &x);
		if (!err) {
			int32_t v = (int32_t)x;

			memcpy(base + f->off, &v, sizeof(v));
		}
		return err;
	case SK_U64:
		err = get_u64(r, o, f->name, true, &u);
		if (!err)
			memcpy(base + f->off, &u, sizeof(u));
		return err;
	case SK_S64:
		err = get_int(r, o, f->name, INT64_MIN, INT64_MAX, true, &x);
		if (!err)
			memcpy(base + f->off, &x, sizeof(x));
		return err;
	case SK_TIME:
		/* the writer keeps 0 (unknown) as 0 rather than relative to the start */
		err = get_int(r, o, f->name, INT64_MIN, INT64_MAX, true, &x);
		if (!err) {
			u = x ? abs_time(r, x) : 0;
			memcpy(base + f->off, &u, sizeof(u));
		}
		return err;
	case SK_STR:
		/* at most size bytes: schema_fixup() then ends it in NUL, as decode does */
		return get_bytes(r, o, f->name, base + f->off, f->size, true, &n);
	case SK_FLAG:
		err = get_bool(r, o, f->name, true, &b);
		if (!err && b)
			put_u32(base, f->off, load_u32(base, f->off) | f->aux);
		return err;
	case SK_CHAR: {
		char c = 0;

		err = get_bytes(r, o, f->name, &c, 1, true, &n);
		if (!err)
			put_u32(base, f->off, n ? (unsigned char)c : 0);
		return err;
	}
	case SK_ARGV:
		return read_argv(r, o, f, base);
	case SK_READY:
		return read_ready(r, o, f, base);
	case SK_FDINFO:
		return read_fdinfo(r, o, f, base);
	case SK_UNIXADDR:
		return read_unixaddr(r, o, f, base);
	default:
		return 0;
	}
}

static int read_event(struct evread *r, json_object *o, const struct schema_type *st,
		      union psc_event *ev)
{
	const struct schema_field *f;
	char *base = (char *)ev;
	int64_t ts, start;
	int err;

	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = st->type;
	ev->hdr.size = st->size;
	err = get_int(r, o, "ts_ns", INT64_MIN, INT64_MAX, true, &ts);
	if (!err)
		err = get_u32(r, o, "pid", true, &ev->hdr.tgid);
	if (!err)
		err = get_u32(r, o, "tid", true, &ev->hdr.tid);
	if (!err)
		err = get_int(r, o, "start_ns", INT64_MIN, INT64_MAX, true, &start);
	if (err)
		return err;
	ev->hdr.ts_ns = abs_time(r, ts);
	ev->hdr.start_ns = abs_time(r, start);
	for (f = st->fields; f->name; f++) {
		err = read_field(r, o, f, base);
		if (err)
			return err;
	}
	if (schema_fixup(st, ev))
		return fail(r, -EBADMSG, "a count is beyond its array");
	return 0;
}

/* ---- the records procscope adds around the events ---- */

/*
 * The format version: any positive whole number. One beyond 64 bits (json-c keeps it as a
 * double) is as newer as one that fits: UINT64_MAX.
 */
static int get_version(struct evread *r, json_object *o, uint64_t *out)
{
	json_object *v;
	double d;

	if (!json_object_object_get_ex(o, "version", &v) || json_object_is_type(v, json_type_null))
		return fail(r, -EBADMSG, "field 'version' is missing");
	if (json_object_is_type(v, json_type_int)) {
		if (json_object_get_int64(v) < 1)
			return fail(r, -EBADMSG, "field 'version' is out of range");
		*out = json_object_get_uint64(v);
		return 0;
	}
	d = json_object_is_type(v, json_type_double) ? json_object_get_double(v) : 0;
	if (!(d >= 18446744073709551616.0))
		return fail(r, -EBADMSG, "field 'version' is not an integer");
	*out = UINT64_MAX;
	return 0;
}

static int read_header(struct evread *r, json_object *o, struct evread_record *rec)
{
	struct trace_meta *t = &rec->meta;
	json_object *fmt, *groups;
	uint64_t version = 0;
	uint32_t target = 0;
	size_t i, n;
	int err;

	memset(t, 0, sizeof(*t));
	t->exit_status = -1;
	fmt = member(r, o, "format", json_type_string, true, &err);
	if (!fmt)
		return err;
	if (strcmp(json_object_get_string(fmt), PSC_LOG_FORMAT))
		return fail(r, -EBADMSG, "not a procscope event log (format '%.40s')",
			    json_object_get_string(fmt));
	err = get_version(r, o, &version);
	if (!err)
		err = get_u64_str(r, o, "boottime_base_ns", true, &t->boottime_base_ns);
	if (!err)
		err = get_u64_str(r, o, "realtime_base_ns", false, &t->realtime_base_ns);
	if (!err)
		err = get_text(r, o, "tool_version", t->tool_version, sizeof(t->tool_version));
	if (!err)
		err = get_text(r, o, "kernel", t->kernel, sizeof(t->kernel));
	if (!err)
		err = get_text(r, o, "hostname", t->hostname, sizeof(t->hostname));
	if (!err)
		err = get_text(r, o, "boot_id", t->boot_id, sizeof(t->boot_id));
	if (!err)
		err = get_text(r, o, "mode", t->mode, sizeof(t->mode));
	if (!err)
		err = get_text(r, o, "command", t->command, sizeof(t->command));
	if (!err)
		err = get_u32(r, o, "target_pid", false, &target);
	if (!err)
		err = get_u64(r, o, "ringbuf_bytes", false, &t->ringbuf_bytes);
	if (err)
		return err;
	t->target_pid = target;
	groups = member(r, o, "groups", json_type_array, false, &err);
	if (err)
		return err;
	t->groups = groups ? 0 : PSC_GROUP_ALL;
	n = groups ? json_object_array_length(groups) : 0;
	for (i = 0; i < n; i++) {
		const char *g = json_object_get_string(json_object_array_get_idx(groups, i));
		uint32_t bit;

		/* a group from a newer version is not ours to show */
		for (bit = 1; bit <= PSC_GROUP_LAST; bit <<= 1)
			if (g && !strcmp(g, schema_group_name(bit)))
				t->groups |= bit;
	}
	rec->version = version;
	return EVREAD_HEADER;
}

static int read_type_counts(struct evread *r, json_object *o, const char *key, uint64_t *by_type,
			    uint64_t *unknown)
{
	json_object *v;
	int err;

	v = member(r, o, key, json_type_object, false, &err);
	if (!v)
		return err;
	json_object_object_foreach(v, name, val)
	{
		__u32 t = decode_type_from_name(name);
		uint64_t x;

		if (!json_object_is_type(val, json_type_int) || json_object_get_int64(val) < 0)
			return fail(r, -EBADMSG, "field '%s' has a bad count for '%.40s'", key,
				    name);
		x = json_object_get_uint64(val);
		if (t)
			by_type[t] += x;
		else if (unknown)
			*unknown += x; /* a type from a newer version */
	}
	return 0;
}

static int read_lost(struct evread *r, json_object *o, struct evread_record *rec)
{
	struct evread_lost *l = &rec->lost;
	uint64_t unknown = 0;
	char cause[16] = "";
	int err;

	memset(l, 0, sizeof(*l));
	err = get_time(r, o, "ts_ns", true, &l->ts_ns);
	if (!err)
		err = get_text(r, o, "cause", cause, sizeof(cause)); /* absent before queues */
	l->queue = !strcmp(cause, "queue");
	if (!err)
		err = get_u64(r, o, "count", false, &l->count);
	if (!err)
		err = read_type_counts(r, o, "by_type", l->by_type, &unknown);
	return err ? err : EVREAD_LOST;
}

static int read_trailer(struct evread *r, json_object *o, struct evread_record *rec)
{
	struct evread_trailer *t = &rec->trailer;
	uint32_t status = 0;
	int err;

	memset(t, 0, sizeof(*t));
	err = get_time(r, o, "ts_ns", true, &t->end_ns);
	if (!err)
		err = get_u64(r, o, "events", false, &t->events);
	if (!err)
		err = get_u64(r, o, "lost", false, &t->lost);
	if (!err)
		err = get_u64(r, o, "malformed", false, &t->malformed);
	if (!err)
		err = get_u64(r, o, "unknown_type", false, &t->unknown_type);
	if (!err)
		err = get_u64(r, o, "out_of_order", false, &t->out_of_order);
	if (!err)
		err = get_text(r, o, "missing_hooks", t->missing_hooks, sizeof(t->missing_hooks));
	if (!err)
		err = get_bool(r, o, "interrupted", false, &t->interrupted);
	if (!err && json_object_object_get_ex(o, "command_status", NULL)) {
		err = get_u32(r, o, "command_status", true, &status);
		t->has_command_status = !err;
		t->command_status = status;
	}
	return err ? err : EVREAD_TRAILER;
}

int evread_parse_line(struct evread *r, const char *line, size_t len, struct evread_record *rec)
{
	const struct schema_type *st;
	enum json_tokener_error jerr;
	json_object *o, *type;
	const char *name;
	bool derived = false;
	size_t end;
	int ret;

	r->err[0] = '\0';
	/* the lines procscope writes, read in one pass; anything unusual goes on to json-c */
	if (!r->no_fast && evfast_parse_event(line, len, r->base_ns, &r->fast, &rec->ev)) {
		rec->kind = EVREAD_EVENT;
		return EVREAD_EVENT;
	}
	if (memchr(line, '\0', len))
		return fail(r, -EBADMSG, "not JSON: a NUL byte at column %zu",
			    (size_t)((const char *)memchr(line, '\0', len) - line) + 1);
	json_tokener_reset(r->tok);
	o = json_tokener_parse_ex(r->tok, line, (int)(len > INT32_MAX ? INT32_MAX : len));
	jerr = json_tokener_get_error(r->tok);
	if (!o) {
		if (jerr == json_tokener_continue)
			return fail(r, -EBADMSG, "not JSON: the line ends inside a record");
		return fail(r, -EBADMSG, "not JSON: %s at column %zu",
			    json_tokener_error_desc(jerr), json_tokener_get_parse_end(r->tok) + 1);
	}
	for (end = json_tokener_get_parse_end(r->tok); end < len; end++)
		if (!strchr(" \t\r", line[end]))
			break;
	if (end < len) {
		json_object_put(o);
		return fail(r, -EBADMSG, "not JSON: text after the record at column %zu", end + 1);
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return fail(r, -EBADMSG, "not a record: a JSON %s, not an object",
			    json_type_to_name(json_object_get_type(o)));
	}
	type = member(r, o, "type", json_type_string, true, &ret);
	if (!type)
		goto out;
	name = json_object_get_string(type);
	ret = get_bool(r, o, "derived", false, &derived);
	if (ret)
		goto out;
	if (derived) {
		ret = EVREAD_DERIVED; /* whatever its type: derived facts are derived again */
	} else if (!strcmp(name, "header")) {
		ret = read_header(r, o, rec);
	} else if (!strcmp(name, "trailer")) {
		ret = read_trailer(r, o, rec);
	} else if (!strcmp(name, "lost")) {
		ret = read_lost(r, o, rec);
	} else if ((st = schema_by_name(name)) != NULL) {
		ret = read_event(r, o, st, &rec->ev);
		if (!ret)
			ret = EVREAD_EVENT;
	} else {
		ret = fail(r, -EPROTO, "unknown record type '%.40s'", name);
	}
out:
	if (ret > 0)
		rec->kind = ret;
	json_object_put(o);
	return ret;
}
