/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Streaming JSON writer appending into a growable memory buffer (one NDJSON record or one summary
 * document per buffer); the caller owns the I/O. Pure: libc only, never prints.
 *
 * String escaping (jw_str, jw_strn, keys): '"' and '\' escaped; \b \f \n \r \t as short escapes;
 * every other byte < 0x20, and 0x7f, as \u00XX (so NUL bytes given to jw_strn become \u0000);
 * valid UTF-8 passes through except C1 controls U+0080..U+009F (-> \u0080..\u009f, so output
 * cat'ed to a terminal cannot carry escape sequences) and U+2028/U+2029 (-> \u2028/\u2029, for
 * JavaScript consumers); every byte that is not part of a valid UTF-8 sequence (overlong,
 * surrogate D800-DFFF, > U+10FFFF, truncated) becomes \ufffd, one per byte. So the output never
 * holds a raw byte < 0x20 or 0x7f, and is pure ASCII when the input is.
 *
 * Errors: the first one sticks in err and makes every later call a no-op: -ENOMEM, or -EINVAL for
 * misuse (unbalanced end, value without key in an object, key outside an object, second top-level
 * value, nesting deeper than JW_MAX_DEPTH, NULL key). Check jw_error() once, after the last call.
 */
#ifndef __PSC_JSON_WRITER_H
#define __PSC_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 32

struct jw {
	char *buf; /* NUL-terminated contents (NULL until the first write) */
	size_t len;
	size_t cap;
	int depth;
	int err; /* first error: -ENOMEM or -EINVAL, see above */
	bool need_comma[JW_MAX_DEPTH + 1];
	bool in_obj[JW_MAX_DEPTH + 1];
	bool pretty; /* newline + 2-space indent (human-readable summary); set after jw_init */
	bool key_pending; /* a key was written, its value is due */
};

void jw_init(struct jw *w); /* empty, no allocation yet */
void jw_free(
	struct jw *w); /* frees buf; safe on an inited-but-unused writer; leaves it re-initable */
void jw_reset(struct jw *w); /* len=0, depth=0, err=0 (keeps the allocation and pretty) */
int jw_error(const struct jw *w); /* w->err, or -EINVAL if depth != 0 */
/*
 * NDJSON in one buffer: jw_newline() ends the top-level value just written with '\n' and lets a
 * next one follow; jw_truncate() cuts the text back to @len bytes (a line that failed) and
 * clears the error and the nesting, keeping the allocation and pretty.
 */
void jw_newline(struct jw *w);
void jw_truncate(struct jw *w, size_t len);

void jw_obj_start(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_start(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *key); /* key escaped like any string */
void jw_str(struct jw *w, const char *s); /* NUL-terminated; NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n); /* exactly n bytes, may contain NULs */
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_double(struct jw *w,
	       double v); /* shortest of %.15g/%.17g that round-trips; NaN/inf -> null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w,
	    const char *json); /* trusted pre-formatted JSON value; NULL writes null */

/* key + value helpers */
void jw_kv_str(struct jw *w, const char *k, const char *s);
void jw_kv_strn(struct jw *w, const char *k, const char *s, size_t n);
void jw_kv_u64(struct jw *w, const char *k, uint64_t v);
void jw_kv_i64(struct jw *w, const char *k, int64_t v);
void jw_kv_double(struct jw *w, const char *k, double v);
void jw_kv_bool(struct jw *w, const char *k, bool v);

/*
 * A key prepared at compile time for the hot path of the NDJSON log: quoted with its colon
 * ("name":), so it is copied as one block and nothing is scanned. JW_KEY("name") takes a string
 * literal of plain ASCII (no '"', '\\' or control byte: nothing to escape) of at most
 * JW_KEY_ROOM - 3 bytes (a longer one does not compile). The _k calls write exactly what their
 * plain twins write with the same name.
 */
#define JW_KEY_ROOM 32
struct jw_key {
	unsigned char len; /* bytes of quoted in use */
	char quoted[JW_KEY_ROOM];
};
#define JW_KEY(name)                                                          \
	{                                                                     \
		.len = sizeof("\"" name "\":") - 1, .quoted = "\"" name "\":" \
	}
void jw_key_k(struct jw *w, const struct jw_key *k);
/*
 * A whole member prepared at run time, "key":"value", in a struct jw_key: false (len 0) when a
 * byte would need escaping or it does not fit. jw_member_k() writes it in one block and returns
 * true, or returns false having written nothing when the general calls are needed (pretty
 * output, an error, not in an object, a key pending).
 */
bool jw_member_prepare(struct jw_key *m, const char *key, const char *value);
bool jw_member_k(struct jw *w, const struct jw_key *m);
void jw_kv_u64_k(struct jw *w, const struct jw_key *k, uint64_t v);
void jw_kv_i64_k(struct jw *w, const struct jw_key *k, int64_t v);
void jw_kv_bool_k(struct jw *w, const struct jw_key *k, bool v);
void jw_kv_str_k(struct jw *w, const struct jw_key *k, const char *s);

/*
 * Members written in place, for the hottest records of the log: jw_cur_open() reserves @n bytes
 * after the last member of the open object and returns true, or false when the general calls
 * must be used (pretty output, an error, no member yet, not in an object, a key pending). Each
 * jw_cur_* member call needs JW_CUR_MEMBER bytes of that room (jw_cur_room() checks and renews
 * it); jw_cur_close() hands the text back to the writer before any other call. The members
 * read exactly as the _k calls write them.
 */
#define JW_CUR_MEMBER (1 + JW_KEY_ROOM + 21) /* , "key": -digits */
struct jw_cur {
	char *p; /* the next byte; NULL when closed */
	char *end; /* the end of the room */
};
bool jw_cur_open(struct jw *w, struct jw_cur *c, size_t n);
void jw_cur_close(struct jw *w, struct jw_cur *c);

extern const char jw_digit_pairs[201]; /* "00" to "99" */
extern const uint64_t jw_pow10[20];

/* Exactly 8 digits of @v < 10^8 at @p: four independent pairs */
static inline void jw_digits8(char *p, uint32_t v)
{
	uint32_t a = v / 10000, b = v % 10000;

	__builtin_memcpy(p, jw_digit_pairs + 2 * (a / 100), 2);
	__builtin_memcpy(p + 2, jw_digit_pairs + 2 * (a % 100), 2);
	__builtin_memcpy(p + 4, jw_digit_pairs + 2 * (b / 100), 2);
	__builtin_memcpy(p + 6, jw_digit_pairs + 2 * (b % 100), 2);
}

/* Decimal digits of @v, written backwards from @end; returns the first one (no snprintf: hot) */
static inline char *jw_digits_back(uint64_t v, char *end)
{
	uint32_t s;

	/* 8 digits at a time in 32-bit arithmetic, then pairs */
	while (v >= 100000000) {
		uint64_t q = v / 100000000;

		end -= 8;
		jw_digits8(end, (uint32_t)(v - q * 100000000));
		v = q;
	}
	s = (uint32_t)v;
	while (s >= 100) {
		const char *d = jw_digit_pairs + 2 * (s % 100);

		s /= 100;
		*--end = d[1];
		*--end = d[0];
	}
	if (s >= 10) {
		*--end = jw_digit_pairs[2 * s + 1];
		*--end = jw_digit_pairs[2 * s];
	} else {
		*--end = (char)('0' + s);
	}
	return end;
}

/* '-' if @neg, then the digits of @v at @p: the end */
static inline char *jw_put_digits(char *p, uint64_t v, bool neg)
{
	/* the digit count from the bit length: floor(log10(2^bits)), off by at most one below */
	size_t t = ((size_t)(64 - __builtin_clzll(v | 1)) * 1233) >> 12;

	*p = '-';
	p += neg;
	p += t + 1 - ((v | 1) < jw_pow10[t]);
	jw_digits_back(v, p);
	return p;
}

/* Room for one more member: the cursor renewed if need be; false: take the general path */
static inline bool jw_cur_room(struct jw *w, struct jw_cur *c, size_t n)
{
	if (c->p && (size_t)(c->end - c->p) >= n)
		return true;
	jw_cur_close(w, c);
	return jw_cur_open(w, c, n < 16 * JW_CUR_MEMBER ? 16 * JW_CUR_MEMBER : n);
}

static inline char *jw_cur_key(char *p, const struct jw_key *k)
{
	*p++ = ',';
	__builtin_memcpy(p, k->quoted, JW_KEY_ROOM);
	return p + k->len;
}

static inline void jw_cur_u64(struct jw_cur *c, const struct jw_key *k, uint64_t v)
{
	c->p = jw_put_digits(jw_cur_key(c->p, k), v, false);
}

static inline void jw_cur_i64(struct jw_cur *c, const struct jw_key *k, int64_t v)
{
	/* the magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	c->p = jw_put_digits(jw_cur_key(c->p, k), v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

static inline void jw_cur_bool(struct jw_cur *c, const struct jw_key *k, bool v)
{
	char *p = jw_cur_key(c->p, k);

	__builtin_memcpy(p, v ? "true" : "false", 5);
	c->p = p + 5 - v;
}

/*
 * Raw pieces in place, for a caller that checked the room for all of them at once with
 * jw_cur_room() and writes whole members (",\"key\":value") only: @n bytes of JSON text, and a
 * bare number (an array element).
 */
static inline void jw_cur_text(struct jw_cur *c, const char *s, size_t n)
{
	__builtin_memcpy(c->p, s, n);
	c->p += n;
}

static inline void jw_cur_num(struct jw_cur *c, int64_t v)
{
	c->p = jw_put_digits(c->p, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/* A number or flag member: in place while the cursor has room, else through the general call */
static inline void jw_cur_kv_u64(struct jw *w, struct jw_cur *c, const struct jw_key *k, uint64_t v)
{
	if (jw_cur_room(w, c, JW_CUR_MEMBER))
		jw_cur_u64(c, k, v);
	else
		jw_kv_u64_k(w, k, v);
}

static inline void jw_cur_kv_i64(struct jw *w, struct jw_cur *c, const struct jw_key *k, int64_t v)
{
	if (jw_cur_room(w, c, JW_CUR_MEMBER))
		jw_cur_i64(c, k, v);
	else
		jw_kv_i64_k(w, k, v);
}

static inline void jw_cur_kv_bool(struct jw *w, struct jw_cur *c, const struct jw_key *k, bool v)
{
	if (jw_cur_room(w, c, JW_CUR_MEMBER))
		jw_cur_bool(c, k, v);
	else
		jw_kv_bool_k(w, k, v);
}

/* true when jw_strn() would write these bytes without loss (valid UTF-8, no replacement) */
bool json_str_is_lossless(const char *s, size_t n);
/* writes the bytes as lowercase hex into a string value (for an exact "<name>_hex" field) */
void jw_kv_hex(struct jw *w, const char *k, const void *data, size_t n);
/*
 * Bytes from the traced system (names, paths, argv): "k" as a string, plus "k_hex" with the exact
 * bytes when the string alone would lose some (invalid UTF-8, NUL bytes)
 */
void jw_kv_bytes(struct jw *w, const char *k, const char *s, size_t n);

#endif /* __PSC_JSON_WRITER_H */
