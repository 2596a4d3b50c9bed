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
void jw_kv_u64_k(struct jw *w, const struct jw_key *k, uint64_t v);
void jw_kv_i64_k(struct jw *w, const struct jw_key *k, int64_t v);
void jw_kv_bool_k(struct jw *w, const struct jw_key *k, bool v);
void jw_kv_str_k(struct jw *w, const struct jw_key *k, const char *s);

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
