// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The log reader's typed field access (evread_int.h): a JSON member of the type and range a
 * record needs, or a refusal whose reason names the field. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "evread_int.h"

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
json_object *evread_member(struct evread *r, json_object *o, const char *key, json_type t,
			   bool need, int *err)
{
	json_object *v;

	*err = 0;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (need)
			*err = evread_fail(r, -EBADMSG, "field '%s' is missing", key);
		return NULL;
	}
	if (!json_object_is_type(v, t)) {
		*err = evread_fail(r, -EBADMSG, "field '%s' is not %s", key, type_word(t));
		return NULL;
	}
	return v;
}

/* A signed integer in [min, max] */
int evread_get_int(struct evread *r, json_object *o, const char *key, int64_t min, int64_t max,
		   bool need, int64_t *out)
{
	int err;
	json_object *v = evread_member(r, o, key, json_type_int, need, &err);
	int64_t x;

	if (!v)
		return err;
	x = json_object_get_int64(v);
	/* json-c keeps integers above INT64_MAX as unsigned: get_int64 clamps those */
	if (x < min || x > max || (x == INT64_MAX && json_object_get_uint64(v) > INT64_MAX))
		return evread_fail(r, -EBADMSG, "field '%s' is out of range", key);
	*out = x;
	return 0;
}

int evread_get_u64(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out)
{
	int err;
	json_object *v = evread_member(r, o, key, json_type_int, need, &err);

	if (!v)
		return err;
	if (json_object_get_int64(v) < 0)
		return evread_fail(r, -EBADMSG, "field '%s' is out of range", key);
	*out = json_object_get_uint64(v);
	return 0;
}

int evread_get_u32(struct evread *r, json_object *o, const char *key, bool need, uint32_t *out)
{
	int64_t x = 0;
	int err = evread_get_int(r, o, key, 0, UINT32_MAX, need, &x);

	if (!err && json_object_object_get_ex(o, key, NULL))
		*out = (uint32_t)x;
	return err;
}

int evread_get_bool(struct evread *r, json_object *o, const char *key, bool need, bool *out)
{
	int err;
	json_object *v = evread_member(r, o, key, json_type_boolean, need, &err);

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
int evread_from_hex(struct evread *r, const char *hexkey, json_object *h, char *dst, size_t max,
		    size_t *n)
{
	const char *s = json_object_get_string(h);
	size_t len = (size_t)json_object_get_string_len(h), i;

	if (len % 2)
		return evread_fail(r, -EBADMSG, "field '%s' has an odd number of digits", hexkey);
	if (len / 2 > max)
		return evread_fail(r, -EBADMSG, "field '%s' is longer than %zu bytes", hexkey, max);
	for (i = 0; i < len; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return evread_fail(r, -EBADMSG, "field '%s' is not hex", hexkey);
		dst[i / 2] = (char)(hi << 4 | lo);
	}
	*n = len / 2;
	return 0;
}

/*
 * The bytes of string field @key: from "<key>_hex" when the writer added it (exact), else the
 * string itself. At most @max bytes into @dst (not terminated); *n gets the count.
 */
int evread_get_bytes(struct evread *r, json_object *o, const char *key, char *dst, size_t max,
		     bool need, size_t *n)
{
	char hexkey[64];
	json_object *v, *h;
	size_t len;
	int err;

	*n = 0;
	v = evread_member(r, o, key, json_type_string, need, &err);
	if (!v)
		return err;
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	h = evread_member(r, o, hexkey, json_type_string, false, &err);
	if (err)
		return err;
	if (h)
		return evread_from_hex(r, hexkey, h, dst, max, n);
	len = (size_t)json_object_get_string_len(v);
	if (len > max)
		return evread_fail(r, -EBADMSG, "field '%s' is longer than %zu bytes", key, max);
	memcpy(dst, json_object_get_string(v), len);
	*n = len;
	return 0;
}

/* A string for a NUL-terminated buffer of @size: cut to fit (header facts, not event fields) */
int evread_get_text(struct evread *r, json_object *o, const char *key, char *dst, size_t size)
{
	char buf[1024];
	size_t n = 0;
	int err = evread_get_bytes(r, o, key, buf, sizeof(buf), false, &n);

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
uint64_t evread_abs_time(const struct evread *r, int64_t rel)
{
	return r->base_ns + (uint64_t)rel;
}

int evread_get_time(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out)
{
	int64_t rel = 0;
	int err = evread_get_int(r, o, key, INT64_MIN, INT64_MAX, need, &rel);

	if (!err)
		*out = evread_abs_time(r, rel);
	return err;
}

/* Decimal u64 written as a string (header bases beyond 2^53) */
int evread_get_u64_str(struct evread *r, json_object *o, const char *key, bool need, uint64_t *out)
{
	int err;
	json_object *v = evread_member(r, o, key, json_type_string, need, &err);
	const char *s;
	uint64_t x = 0;
	size_t i, n;

	if (!v)
		return err;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (!n || n > 20)
		return evread_fail(r, -EBADMSG, "field '%s' is not a decimal number", key);
	for (i = 0; i < n; i++) {
		unsigned int d = (unsigned char)s[i] - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return evread_fail(r, -EBADMSG, "field '%s' is not a decimal number", key);
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}
