// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The JSON writer: buffer growth, structural checks, string escaping and number formatting. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "strutil.h"

static const char hexdig[] = "0123456789abcdef";

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
}

void jw_free(struct jw *w)
{
	free(w->buf);
	jw_init(w);
}

void jw_reset(struct jw *w)
{
	bool pretty = w->pretty;
	char *buf = w->buf;
	size_t cap = w->cap;

	jw_init(w);
	w->buf = buf;
	w->cap = cap;
	w->pretty = pretty;
	if (buf)
		buf[0] = '\0';
}

int jw_error(const struct jw *w)
{
	if (w->err)
		return w->err;
	return w->depth ? -EINVAL : 0;
}

static void fail(struct jw *w, int err)
{
	if (!w->err)
		w->err = err;
}

static bool grow(struct jw *w, size_t extra);

/* Makes room for extra bytes plus the NUL; false (and err set) when it cannot. */
static inline bool reserve(struct jw *w, size_t extra)
{
	/* the common case, inline: room already there (the NDJSON writer reuses one buffer) */
	if (!w->err && extra < w->cap && w->len < w->cap - extra)
		return true;
	return grow(w, extra);
}

static bool grow(struct jw *w, size_t extra)
{
	size_t need, cap;
	char *nb;

	if (w->err)
		return false;
	if (extra > SIZE_MAX - 1 - w->len) {
		fail(w, -ENOMEM);
		return false;
	}
	need = w->len + extra + 1;
	if (need <= w->cap)
		return true;
	cap = w->cap ? w->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	nb = realloc(w->buf, cap);
	if (!nb) {
		fail(w, -ENOMEM);
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

static inline void put(struct jw *w, const char *s, size_t n)
{
	if (!n || !reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void jw_truncate(struct jw *w, size_t len)
{
	if (len > w->len)
		return;
	w->len = len;
	if (w->buf)
		w->buf[len] = '\0';
	w->depth = 0;
	w->err = 0;
	w->key_pending = false;
	w->need_comma[0] = false;
	w->in_obj[0] = false;
}

void jw_newline(struct jw *w)
{
	if (w->err || w->depth || !w->need_comma[0]) {
		fail(w, -EINVAL);
		return;
	}
	put(w, "\n", 1);
	w->need_comma[0] = false;
}

static void indent(struct jw *w, int depth)
{
	put(w, "\n", 1);
	for (int i = 0; i < depth; i++)
		put(w, "  ", 2);
}

/* Comma and (pretty) line break before an array element or an object key. */
static void item_sep(struct jw *w)
{
	if (w->need_comma[w->depth])
		put(w, ",", 1);
	if (w->pretty && w->depth)
		indent(w, w->depth);
	w->need_comma[w->depth] = true;
}

/* Prepares for a value; false when a value is not allowed here (or after an earlier error). */
static bool begin_value(struct jw *w)
{
	if (w->err)
		return false;
	if (w->in_obj[w->depth]) {
		if (!w->key_pending) {
			fail(w, -EINVAL);
			return false;
		}
		w->key_pending = false;
		return true;
	}
	/* a second top-level value would not be one JSON text */
	if (!w->depth && w->need_comma[0]) {
		fail(w, -EINVAL);
		return false;
	}
	item_sep(w);
	return !w->err;
}

static void open_container(struct jw *w, bool obj)
{
	if (!w->err && w->depth >= JW_MAX_DEPTH)
		fail(w, -EINVAL);
	if (!begin_value(w))
		return;
	put(w, obj ? "{" : "[", 1);
	w->depth++;
	w->need_comma[w->depth] = false;
	w->in_obj[w->depth] = obj;
}

static void close_container(struct jw *w, bool obj)
{
	if (w->err)
		return;
	if (!w->depth || w->in_obj[w->depth] != obj || w->key_pending) {
		fail(w, -EINVAL);
		return;
	}
	if (w->pretty && w->need_comma[w->depth])
		indent(w, w->depth - 1);
	put(w, obj ? "}" : "]", 1);
	w->depth--;
}

void jw_obj_start(struct jw *w)
{
	open_container(w, true);
}

void jw_obj_end(struct jw *w)
{
	close_container(w, true);
}

void jw_arr_start(struct jw *w)
{
	open_container(w, false);
}

void jw_arr_end(struct jw *w)
{
	close_container(w, false);
}

/* ASCII bytes write_string() must not copy as they are: '"', '\\', controls and DEL */
static const bool ascii_escape[128] = {
	[0 ... 0x1f] = true,
	['"'] = true,
	['\\'] = true,
	[0x7f] = true,
};

static void write_string(struct jw *w, const char *s, size_t n)
{
	static const char shortc[] = "\"\\\b\f\n\r\t", shortl[] = "\"\\bfnrt";
	size_t i, run = 0, len, el;
	char esc[6] = "\\u";
	const char *sc;
	uint32_t cp;

	put(w, "\"", 1);
	for (i = 0; i < n; i += len) {
		/* plain ASCII is nearly everything a trace holds: one table lookup, no decoding */
		if ((unsigned char)s[i] < 0x80 && !ascii_escape[(unsigned char)s[i]]) {
			len = 1;
			continue;
		}
		len = utf8_decode(s + i, n - i, &cp);
		el = 0;
		if (!len) {
			len = 1;
			cp = 0xfffd;
			el = 6;
		} else if (cp < 0x80 && (sc = memchr(shortc, (int)cp, sizeof(shortc) - 1))) {
			esc[1] = shortl[sc - shortc];
			el = 2;
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
			   cp == 0x2029) {
			el = 6;
		}
		if (!el)
			continue;
		if (el == 6) {
			esc[1] = 'u';
			for (int k = 0; k < 4; k++)
				esc[2 + k] = hexdig[cp >> (12 - 4 * k) & 0xf];
		}
		put(w, s + run, i - run);
		put(w, esc, el);
		run = i + len;
	}
	put(w, s + run, n - run);
	put(w, "\"", 1);
}

#define JW_FAST_KEY 48 /* keys of this length or more take the general path */
#define JW_FAST_VALUE 24 /* room it leaves after the key: any integer, true, false */

/* Key bytes key_fast() copies as they are: printable ASCII but '"' and '\\' */
static const bool key_plain[256] = {
	[0x20 ... 0x21] = true,
	[0x23 ... 0x5b] = true, /* not '"' (0x22) */
	[0x5d ... 0x7e] = true, /* not '\\' (0x5c) */
};

/*
 * ,"key": straight into the buffer, in one pass over the key, with room left for a number:
 * the hot path of the NDJSON log. Returns false, the buffer as it was, when the key needs the
 * general path (pretty output, an earlier error, misuse, a long key, a byte to escape). The
 * caller writes the value and the closing NUL.
 */
static inline bool key_fast(struct jw *w, const char *key)
{
	char *start, *p;
	size_t i;
	unsigned char c;

	if (w->err || w->pretty || !key || !w->in_obj[w->depth] || w->key_pending ||
	    !reserve(w, JW_FAST_KEY + 4 + JW_FAST_VALUE))
		return false;
	start = p = w->buf + w->len;
	if (w->need_comma[w->depth])
		*p++ = ',';
	*p++ = '"';
	/*
	 * one lookup a byte: the NUL, a byte to escape and a non-ASCII byte all stop the copy; so
	 * does the length (c is then the last byte copied: the general path writes the key)
	 */
	c = 0;
	for (i = 0; i < JW_FAST_KEY && key_plain[c = (unsigned char)key[i]]; i++)
		*p++ = (char)c;
	if (c) {
		*start = '\0';
		return false;
	}
	*p++ = '"';
	*p++ = ':';
	w->need_comma[w->depth] = true;
	w->key_pending = true;
	w->len = (size_t)(p - w->buf);
	return true;
}

void jw_key(struct jw *w, const char *key)
{
	if (key_fast(w, key)) {
		w->buf[w->len] = '\0';
		return;
	}
	if (w->err)
		return;
	if (!key || !w->in_obj[w->depth] || w->key_pending) {
		fail(w, -EINVAL);
		return;
	}
	item_sep(w);
	write_string(w, key, strlen(key));
	put(w, ": ", w->pretty ? 2 : 1);
	w->key_pending = true;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	if (!s) {
		jw_null(w);
		return;
	}
	if (begin_value(w))
		write_string(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, s ? strlen(s) : 0);
}

void jw_raw(struct jw *w, const char *json)
{
	if (!json)
		json = "null";
	if (begin_value(w))
		put(w, json, strlen(json));
}

const char jw_digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930"
				 "31323334353637383940414243444546474849505152535455565758596061"
				 "62636465666768697071727374757677787980818283848586878889909192"
				 "93949596979899";

const uint64_t jw_pow10[20] = {
	1ull,
	10ull,
	100ull,
	1000ull,
	10000ull,
	100000ull,
	1000000ull,
	10000000ull,
	100000000ull,
	1000000000ull,
	10000000000ull,
	100000000000ull,
	1000000000000ull,
	10000000000000ull,
	100000000000000ull,
	1000000000000000ull,
	10000000000000000ull,
	100000000000000000ull,
	1000000000000000000ull,
	10000000000000000000ull,
};

/* The value after key_fast(): @v's digits (and a '-') straight into the room it left */
static inline void value_fast(struct jw *w, uint64_t v, bool neg)
{
	char *p = w->buf + w->len;

	p = jw_put_digits(p, v, neg);
	*p = '\0';
	w->len = (size_t)(p - w->buf);
	w->key_pending = false;
}

/* The value after key_fast(): true or false into the room it left */
static inline void bool_fast(struct jw *w, bool v)
{
	size_t n = v ? 4 : 5;

	memcpy(w->buf + w->len, v ? "true" : "false", n);
	w->len += n;
	w->buf[w->len] = '\0';
	w->key_pending = false;
}

void jw_u64(struct jw *w, uint64_t v)
{
	char b[24], *p = jw_digits_back(v, b + sizeof(b));

	if (begin_value(w))
		put(w, p, (size_t)(b + sizeof(b) - p));
}

void jw_i64(struct jw *w, int64_t v)
{
	char b[24], *p;

	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	p = jw_digits_back(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, b + sizeof(b));
	if (v < 0)
		*--p = '-';
	if (begin_value(w))
		put(w, p, (size_t)(b + sizeof(b) - p));
}

void jw_double(struct jw *w, double v)
{
	char b[32];

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	/* %.15g reads well (0.1, not 0.10000000000000001); fall back when it would lose bits */
	snprintf(b, sizeof(b), "%.15g", v);
	if (strtod(b, NULL) != v)
		snprintf(b, sizeof(b), "%.17g", v);
	jw_raw(w, b);
}

void jw_bool(struct jw *w, bool v)
{
	jw_raw(w, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	jw_raw(w, "null");
}

void jw_kv_str(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_kv_strn(struct jw *w, const char *k, const char *s, size_t n)
{
	jw_key(w, k);
	jw_strn(w, s, n);
}

void jw_kv_u64(struct jw *w, const char *k, uint64_t v)
{
	if (key_fast(w, k)) {
		value_fast(w, v, false);
		return;
	}
	jw_key(w, k);
	jw_u64(w, v);
}

void jw_kv_i64(struct jw *w, const char *k, int64_t v)
{
	if (key_fast(w, k)) {
		/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
		value_fast(w, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
		return;
	}
	jw_key(w, k);
	jw_i64(w, v);
}

void jw_kv_double(struct jw *w, const char *k, double v)
{
	jw_key(w, k);
	jw_double(w, v);
}

void jw_kv_bool(struct jw *w, const char *k, bool v)
{
	if (key_fast(w, k)) {
		bool_fast(w, v);
		return;
	}
	jw_key(w, k);
	jw_bool(w, v);
}

/*
 * key_fast() for a prepared key: one block copy. The room reserved covers the whole block, the
 * comma before it and any number after it.
 */
static inline bool key_fast_k(struct jw *w, const struct jw_key *k)
{
	char *p;

	if (w->err || w->pretty || !w->in_obj[w->depth] || w->key_pending ||
	    !reserve(w, 1 + JW_KEY_ROOM + JW_FAST_VALUE))
		return false;
	p = w->buf + w->len;
	*p = ',';
	p += w->need_comma[w->depth];
	memcpy(p, k->quoted, JW_KEY_ROOM);
	p += k->len;
	w->need_comma[w->depth] = true;
	w->key_pending = true;
	w->len = (size_t)(p - w->buf);
	return true;
}

/* The general path of a prepared key: its name, "name" without the colon, needs no escaping */
static void key_slow_k(struct jw *w, const struct jw_key *k)
{
	if (w->err)
		return;
	if (!w->in_obj[w->depth] || w->key_pending || k->len < 3) {
		fail(w, -EINVAL);
		return;
	}
	item_sep(w);
	put(w, k->quoted, k->len - 1u);
	put(w, ": ", w->pretty ? 2 : 1);
	w->key_pending = true;
}

void jw_key_k(struct jw *w, const struct jw_key *k)
{
	if (key_fast_k(w, k)) {
		w->buf[w->len] = '\0';
		return;
	}
	key_slow_k(w, k);
}

/* @s onto @m: its bytes checked against key_plain[] when @check (else the caller's syntax) */
static bool append_plain(struct jw_key *m, const char *s, bool check)
{
	for (; *s; s++) {
		if ((check && !key_plain[(unsigned char)*s]) || m->len >= JW_KEY_ROOM)
			return false;
		m->quoted[m->len++] = *s;
	}
	return true;
}

bool jw_member_prepare(struct jw_key *m, const char *key, const char *value)
{
	memset(m, 0, sizeof(*m));
	if (append_plain(m, "\"", false) && append_plain(m, key, true) &&
	    append_plain(m, "\":\"", false) && append_plain(m, value, true) &&
	    append_plain(m, "\"", false))
		return true;
	memset(m, 0, sizeof(*m));
	return false;
}

bool jw_member_k(struct jw *w, const struct jw_key *m)
{
	if (!m->len || !key_fast_k(w, m))
		return false;
	w->buf[w->len] = '\0';
	w->key_pending = false;
	return true;
}

void jw_kv_u64_k(struct jw *w, const struct jw_key *k, uint64_t v)
{
	if (key_fast_k(w, k)) {
		value_fast(w, v, false);
		return;
	}
	key_slow_k(w, k);
	jw_u64(w, v);
}

void jw_kv_i64_k(struct jw *w, const struct jw_key *k, int64_t v)
{
	if (key_fast_k(w, k)) {
		/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
		value_fast(w, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
		return;
	}
	key_slow_k(w, k);
	jw_i64(w, v);
}

void jw_kv_bool_k(struct jw *w, const struct jw_key *k, bool v)
{
	if (key_fast_k(w, k)) {
		bool_fast(w, v);
		return;
	}
	key_slow_k(w, k);
	jw_bool(w, v);
}

void jw_kv_str_k(struct jw *w, const struct jw_key *k, const char *s)
{
	jw_key_k(w, k);
	jw_str(w, s);
}

bool jw_cur_open(struct jw *w, struct jw_cur *c, size_t n)
{
	c->p = NULL;
	if (w->err || w->pretty || !w->depth || !w->in_obj[w->depth] || w->key_pending ||
	    !w->need_comma[w->depth] || !reserve(w, n))
		return false;
	c->p = w->buf + w->len;
	c->end = c->p + n;
	return true;
}

void jw_cur_close(struct jw *w, struct jw_cur *c)
{
	if (!c->p)
		return;
	w->len = (size_t)(c->p - w->buf);
	w->buf[w->len] = '\0';
	c->p = NULL;
}

bool json_str_is_lossless(const char *s, size_t n)
{
	size_t i = 0, len;

	if (!s)
		return !n;
	while (i < n) {
		len = utf8_decode(s + i, n - i, NULL);
		if (!len)
			return false;
		i += len;
	}
	return true;
}

void jw_kv_hex(struct jw *w, const char *k, const void *data, size_t n)
{
	const unsigned char *p = data;
	char *o;

	jw_key(w, k);
	if (!begin_value(w))
		return;
	if (n > (SIZE_MAX - 2) / 2 || !reserve(w, 2 * n + 2)) {
		fail(w, -ENOMEM);
		return;
	}
	o = w->buf + w->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		*o++ = hexdig[p[i] >> 4];
		*o++ = hexdig[p[i] & 0xf];
	}
	*o++ = '"';
	*o = '\0';
	w->len = (size_t)(o - w->buf);
}

void jw_kv_bytes(struct jw *w, const char *k, const char *s, size_t n)
{
	char hexkey[64];

	jw_kv_strn(w, k, s, n);
	if (!json_str_is_lossless(s, n)) {
		snprintf(hexkey, sizeof(hexkey), "%s_hex", k);
		jw_kv_hex(w, hexkey, s, n);
	}
}
