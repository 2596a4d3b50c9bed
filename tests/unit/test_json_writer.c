// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for user/lib/json_writer.c; json-c is the independent parser that checks the output. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "json_writer.h"

static const char fffd[] = "\xef\xbf\xbd";

/* No raw byte < 0x20, no DEL and no raw C1 control (C2 80..C2 9F) may reach the buffer. */
static void assert_terminal_safe(const struct jw *w)
{
	for (size_t i = 0; i < w->len; i++) {
		unsigned char c = (unsigned char)w->buf[i];

		assert_true(c >= 0x20 && c != 0x7f);
		if (c == 0xc2 && i + 1 < w->len)
			assert_false((unsigned char)w->buf[i + 1] <= 0x9f);
	}
	assert_int_equal(strlen(w->buf), w->len);
}

/* Writes {"s":<bytes>}, parses it with json-c and returns the decoded string (caller frees). */
static char *roundtrip(const char *s, size_t n, size_t *outlen, struct jw *w)
{
	struct json_object *root, *v;
	char *out;

	jw_reset(w);
	jw_obj_start(w);
	jw_kv_strn(w, "s", s, n);
	jw_obj_end(w);
	assert_int_equal(jw_error(w), 0);
	assert_terminal_safe(w);
	root = json_tokener_parse(w->buf);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "s", &v));
	assert_true(json_object_is_type(v, json_type_string));
	*outlen = (size_t)json_object_get_string_len(v);
	out = malloc(*outlen + 1);
	assert_non_null(out);
	memcpy(out, json_object_get_string(v), *outlen + 1);
	json_object_put(root);
	return out;
}

static void expect_roundtrip(const char *s, size_t n, const char *want, size_t wantlen)
{
	struct jw w;
	size_t len;
	char *out;

	jw_init(&w);
	out = roundtrip(s, n, &len, &w);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, len);
	free(out);
	jw_free(&w);
}

static void expect_exact(const char *s, size_t n)
{
	assert_true(json_str_is_lossless(s, n));
	expect_roundtrip(s, n, s, n);
}

static void expect_buf(struct jw *w, const char *want)
{
	assert_int_equal(jw_error(w), 0);
	assert_string_equal(w->buf, want);
	assert_int_equal(w->len, strlen(want));
}

static void test_json_writer__every_byte(void **state)
{
	struct jw w;
	size_t len;
	char in[1], *out;

	jw_init(&w);
	for (int c = 0; c < 256; c++) {
		in[0] = (char)c;
		out = roundtrip(in, 1, &len, &w);
		if (c < 0x80) {
			assert_true(json_str_is_lossless(in, 1));
			assert_int_equal(len, 1);
			assert_int_equal((unsigned char)out[0], c);
		} else {
			assert_false(json_str_is_lossless(in, 1));
			assert_int_equal(len, 3);
			assert_memory_equal(out, fffd, 3);
			/* invalid input must not leak raw high bytes */
			for (size_t i = 0; i < w.len; i++)
				assert_true((unsigned char)w.buf[i] < 0x80);
		}
		free(out);
	}
	jw_free(&w);
}

/* Every 2-byte string against an oracle that only knows the 2-byte UTF-8 form. */
static void test_json_writer__every_byte_pair(void **state)
{
	unsigned char in[2], want[6];
	struct jw w;
	size_t len, wl;
	char *out;

	jw_init(&w);
	for (int a = 0; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)b;
			bool pair = a >= 0xc2 && a <= 0xdf && b >= 0x80 && b <= 0xbf;

			wl = 0;
			if (pair) {
				want[wl++] = in[0];
				want[wl++] = in[1];
			} else {
				for (int i = 0; i < 2; i++) {
					if (in[i] < 0x80) {
						want[wl++] = in[i];
					} else {
						memcpy(want + wl, fffd, 3);
						wl += 3;
					}
				}
			}
			assert_int_equal(json_str_is_lossless((char *)in, 2),
					 pair || (a < 0x80 && b < 0x80));
			out = roundtrip((char *)in, 2, &len, &w);
			assert_int_equal(len, wl);
			assert_memory_equal(out, want, wl);
			free(out);
		}
	}
	jw_free(&w);
}

static void test_json_writer__special_chars(void **state)
{
	static const char s1[] = "say \"hi\" \\ back\\slash\nnew\r\tline\b\f";
	static const char s2[] = "\x1b[2J\x1b]0;title\x07\x7f";
	char all[32];
	struct jw w;

	expect_exact(s1, sizeof(s1) - 1);
	expect_exact(s2, sizeof(s2) - 1);
	expect_exact("a\0b\0", 4);
	expect_exact("", 0);
	for (int i = 0; i < 32; i++)
		all[i] = (char)i;
	expect_exact(all, sizeof(all));

	jw_init(&w);
	jw_str(&w, "\"\\\n\x1b\x7f\x01");
	expect_buf(&w, "\"\\\"\\\\\\n\\u001b\\u007f\\u0001\"");
	jw_free(&w);
}

static void test_json_writer__invalid_utf8(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		const char *want;
	} cases[] = {
		{ "\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf5\x80\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "a\xe2\x82"
		  "b\xc3\xa9",
		  6,
		  "a\xef\xbf\xbd\xef\xbf\xbd"
		  "b\xc3\xa9" },
		{ "\xff\xfe", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
	};
	struct jw w;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_false(json_str_is_lossless(cases[i].in, cases[i].n));
		expect_roundtrip(cases[i].in, cases[i].n, cases[i].want, strlen(cases[i].want));
	}
	jw_init(&w);
	jw_strn(&w, "\xc0\x80", 2);
	expect_buf(&w, "\"\\ufffd\\ufffd\"");
	jw_free(&w);
}

static void test_json_writer__valid_multibyte(void **state)
{
	static const char s[] =
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xc2\xa0";
	struct jw w;

	expect_exact(s, sizeof(s) - 1);
	jw_init(&w);
	jw_str(&w, s);
	/* passed through raw, not \u-escaped */
	assert_int_equal(w.len, sizeof(s) - 1 + 2);
	assert_memory_equal(w.buf + 1, s, sizeof(s) - 1);
	jw_free(&w);
}

static void test_json_writer__c1_and_separators(void **state)
{
	static const char s[] = "a\xc2\x85"
				"b\xc2\x9b[2J\xc2\x80\xc2\x9f\xe2\x80\xa8\xe2\x80\xa9";
	struct jw w;

	expect_exact(s, sizeof(s) - 1);
	jw_init(&w);
	jw_str(&w, s);
	expect_buf(&w, "\"a\\u0085b\\u009b[2J\\u0080\\u009f\\u2028\\u2029\"");
	jw_free(&w);
}

static void test_json_writer__nesting(void **state)
{
	struct jw w;

	jw_init(&w);
	jw_obj_start(&w);
	jw_kv_u64(&w, "a", 1);
	jw_key(&w, "b");
	jw_arr_start(&w);
	jw_u64(&w, 1);
	jw_i64(&w, -2);
	jw_obj_start(&w);
	jw_key(&w, "c");
	jw_arr_start(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	jw_arr_start(&w);
	jw_null(&w);
	jw_bool(&w, true);
	jw_arr_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "d");
	jw_obj_start(&w);
	jw_obj_end(&w);
	jw_kv_bool(&w, "e", false);
	jw_kv_str(&w, "f", NULL);
	jw_key(&w, "g");
	jw_raw(&w, "{\"pre\":[1]}");
	jw_kv_str(&w, "k\"\n\xff", "v");
	jw_obj_end(&w);
	expect_buf(&w,
		   "{\"a\":1,\"b\":[1,-2,{\"c\":[]},[null,true]],\"d\":{},\"e\":false,\"f\":null,"
		   "\"g\":{\"pre\":[1]},\"k\\\"\\n\\ufffd\":\"v\"}");

	struct json_object *root = json_tokener_parse(w.buf);

	assert_non_null(root);
	json_object_put(root);

	/* a top-level array of scalars */
	jw_reset(&w);
	jw_arr_start(&w);
	jw_str(&w, "x");
	jw_kv_double(&w, "no", 1.0);
	assert_int_equal(w.err, -EINVAL);
	jw_free(&w);
}

static void test_json_writer__pretty(void **state)
{
	struct jw w;

	jw_init(&w);
	w.pretty = true;
	jw_obj_start(&w);
	jw_kv_u64(&w, "a", 1);
	jw_key(&w, "b");
	jw_arr_start(&w);
	jw_u64(&w, 2);
	jw_obj_start(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "c");
	jw_arr_start(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	expect_buf(&w, "{\n  \"a\": 1,\n  \"b\": [\n    2,\n    {}\n  ],\n  \"c\": []\n}");

	struct json_object *root = json_tokener_parse(w.buf);

	assert_non_null(root);
	json_object_put(root);
	jw_reset(&w);
	assert_true(w.pretty);
	jw_free(&w);
}

static void test_json_writer__misuse(void **state)
{
	struct jw w;
	size_t len;

	jw_init(&w);
	jw_obj_end(&w);
	assert_int_equal(jw_error(&w), -EINVAL);

	jw_reset(&w);
	assert_int_equal(jw_error(&w), 0);
	jw_obj_start(&w);
	jw_u64(&w, 1); /* value without key */
	assert_int_equal(w.err, -EINVAL);

	jw_reset(&w);
	jw_arr_start(&w);
	jw_key(&w, "k"); /* key in an array */
	assert_int_equal(w.err, -EINVAL);

	jw_reset(&w);
	jw_obj_start(&w);
	jw_key(&w, "k");
	jw_key(&w, "k2"); /* key after key */
	assert_int_equal(w.err, -EINVAL);

	jw_reset(&w);
	jw_obj_start(&w);
	jw_key(&w, "k");
	jw_obj_end(&w); /* key without value */
	assert_int_equal(w.err, -EINVAL);

	jw_reset(&w);
	jw_obj_start(&w);
	jw_arr_end(&w); /* mismatched end */
	assert_int_equal(w.err, -EINVAL);

	jw_reset(&w);
	jw_obj_start(&w);
	jw_key(&w, NULL);
	assert_int_equal(w.err, -EINVAL);

	jw_reset(&w);
	jw_u64(&w, 1);
	jw_u64(&w, 2); /* second top-level value */
	assert_int_equal(w.err, -EINVAL);

	/* unclosed: err stays 0, jw_error reports the depth mismatch */
	jw_reset(&w);
	jw_obj_start(&w);
	jw_key(&w, "a");
	jw_arr_start(&w);
	assert_int_equal(w.err, 0);
	assert_int_equal(jw_error(&w), -EINVAL);
	jw_arr_end(&w);
	jw_obj_end(&w);
	assert_int_equal(jw_error(&w), 0);

	/* JW_MAX_DEPTH levels fit, one more does not */
	jw_reset(&w);
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_start(&w);
	assert_int_equal(w.err, 0);
	for (int i = 0; i < JW_MAX_DEPTH; i++)
		jw_arr_end(&w);
	assert_int_equal(jw_error(&w), 0);
	jw_reset(&w);
	for (int i = 0; i <= JW_MAX_DEPTH; i++) {
		jw_obj_start(&w);
		jw_key(&w, "k");
	}
	assert_int_equal(w.err, -EINVAL);

	/* after an error every call is a no-op */
	len = w.len;
	jw_obj_end(&w);
	jw_str(&w, "x");
	jw_kv_hex(&w, "h", "ab", 2);
	jw_raw(&w, "1");
	assert_int_equal(w.len, len);
	assert_int_equal(jw_error(&w), -EINVAL);
	jw_free(&w);

	/* free on an unused writer, then reuse */
	jw_init(&w);
	jw_free(&w);
	jw_free(&w);
	jw_init(&w);
	jw_str(&w, "again");
	expect_buf(&w, "\"again\"");
	jw_free(&w);
}

static void test_json_writer__integers(void **state)
{
	struct json_object *root, *v;
	struct jw w;

	jw_init(&w);
	jw_obj_start(&w);
	jw_kv_u64(&w, "umax", UINT64_MAX);
	jw_kv_i64(&w, "imin", INT64_MIN);
	jw_kv_i64(&w, "imax", INT64_MAX);
	jw_kv_u64(&w, "zero", 0);
	jw_obj_end(&w);
	expect_buf(&w, "{\"umax\":18446744073709551615,\"imin\":-9223372036854775808,"
		       "\"imax\":9223372036854775807,\"zero\":0}");
	root = json_tokener_parse(w.buf);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "umax", &v));
	assert_true(json_object_get_uint64(v) == UINT64_MAX);
	assert_true(json_object_object_get_ex(root, "imin", &v));
	assert_true(json_object_get_int64(v) == INT64_MIN);
	assert_true(json_object_object_get_ex(root, "imax", &v));
	assert_true(json_object_get_int64(v) == INT64_MAX);
	json_object_put(root);
	jw_free(&w);
}

/* Every digit count, each side of every power of ten, both signs: as printf writes them */
static void test_json_writer__integers_every_length(void **state)
{
	char want[128];
	uint64_t p = 1;
	struct jw w;
	int k, d;

	jw_init(&w);
	for (k = 0; k <= 20; k++) {
		for (d = -2; d <= 2; d++) {
			uint64_t u = p + (uint64_t)(int64_t)d;
			int64_t i = (int64_t)u;

			jw_reset(&w);
			jw_obj_start(&w);
			jw_kv_u64(&w, "u", u);
			jw_kv_i64(&w, "i", i);
			jw_kv_i64(&w, "n", -i);
			jw_obj_end(&w);
			snprintf(want, sizeof(want), "{\"u\":%llu,\"i\":%lld,\"n\":%lld}",
				 (unsigned long long)u, (long long)i, (long long)(0 - (uint64_t)i));
			/* -INT64_MIN is INT64_MIN again: printf's and ours agree on its digits */
			if (i == INT64_MIN)
				snprintf(want, sizeof(want), "{\"u\":%llu,\"i\":%lld,\"n\":%lld}",
					 (unsigned long long)u, (long long)i, (long long)i);
			expect_buf(&w, want);
		}
		if (k < 19)
			p *= 10;
		else
			p = UINT64_MAX;
	}
	/* random values of every bit length, zeros inside included */
	for (k = 0; k < 100000; k++) {
		uint64_t u = ((uint64_t)random() << 33 ^ (uint64_t)random() << 11 ^
			      (uint64_t)random()) >>
			     (k % 64);

		if (k % 7 == 0)
			u = u / 100000000 * 100000000 + (u % 3);
		jw_reset(&w);
		jw_obj_start(&w);
		jw_kv_u64(&w, "u", u);
		jw_obj_end(&w);
		snprintf(want, sizeof(want), "{\"u\":%llu}", (unsigned long long)u);
		expect_buf(&w, want);
	}
	jw_free(&w);
}

/* The _k calls with a prepared key write what the plain calls write with its name */
static void write_both(struct jw *a, struct jw *b, int step, uint64_t u)
{
	static const struct jw_key k_u = JW_KEY("u"),
				   k_long = JW_KEY("a_key_of_29_bytes_the_most_ok"),
				   k_b = JW_KEY("flag"), k_s = JW_KEY("s"), k_o = JW_KEY("obj");

	switch (step % 6) {
	case 0:
		jw_kv_u64(a, "u", u);
		jw_kv_u64_k(b, &k_u, u);
		break;
	case 1:
		jw_kv_i64(a, "a_key_of_29_bytes_the_most_ok", -(int64_t)u);
		jw_kv_i64_k(b, &k_long, -(int64_t)u);
		break;
	case 2:
		jw_kv_bool(a, "flag", u & 1);
		jw_kv_bool_k(b, &k_b, u & 1);
		break;
	case 3:
		jw_kv_str(a, "s", "x\"y");
		jw_kv_str_k(b, &k_s, "x\"y");
		break;
	case 4:
		jw_key(a, "obj");
		jw_key_k(b, &k_o);
		jw_obj_start(a);
		jw_obj_start(b);
		jw_kv_u64(a, "u", u);
		jw_kv_u64_k(b, &k_u, u);
		jw_obj_end(a);
		jw_obj_end(b);
		break;
	default:
		jw_kv_i64(a, "u", (int64_t)u);
		jw_kv_i64_k(b, &k_u, (int64_t)u);
		break;
	}
}

static void test_json_writer__prepared_keys(void **state)
{
	static const struct jw_key k_u = JW_KEY("u");
	struct jw a, b;
	uint64_t p = 1;
	int pretty, k, step = 0;

	for (pretty = 0; pretty <= 1; pretty++) {
		jw_init(&a);
		jw_init(&b);
		a.pretty = b.pretty = pretty;
		for (k = 0; k <= 20; k++, p = k < 20 ? p * 10 : UINT64_MAX) {
			/* one object per line, growing from an empty buffer: every reserve() path */
			jw_obj_start(&a);
			jw_obj_start(&b);
			for (int d = -1; d <= 1; d++)
				write_both(&a, &b, step++, p + (uint64_t)(int64_t)d);
			jw_obj_end(&a);
			jw_obj_end(&b);
			if (!pretty) {
				jw_newline(&a);
				jw_newline(&b);
			}
			assert_int_equal(jw_error(&b), 0);
			assert_int_equal(b.len, a.len);
			assert_string_equal(b.buf, a.buf);
			if (pretty) {
				jw_reset(&a);
				jw_reset(&b);
			}
		}
		jw_free(&a);
		jw_free(&b);
	}
	/* a whole member prepared at run time: only plain bytes that fit */
	{
		struct jw_key m;

		assert_true(jw_member_prepare(&m, "type", "unix_wake"));
		assert_false(jw_member_prepare(&m, "type", "a\"b"));
		assert_int_equal(m.len, 0);
		assert_false(jw_member_prepare(&m, "type", "\x7f"));
		assert_false(jw_member_prepare(&m, "type", "caf\xc3\xa9"));
		assert_false(jw_member_prepare(&m, "type", "a_value_too_long_to_fit_in"));
		assert_true(jw_member_prepare(&m, "type", "a_value_just_fits_here"));
		jw_init(&a);
		jw_obj_start(&a);
		assert_true(jw_member_k(&a, &m));
		jw_kv_u64_k(&a, &k_u, 7);
		jw_obj_end(&a);
		expect_buf(&a, "{\"type\":\"a_value_just_fits_here\",\"u\":7}");
		jw_free(&a);
		/* pretty output, or no object: nothing written, the caller takes the general path */
		jw_init(&a);
		a.pretty = true;
		jw_obj_start(&a);
		assert_false(jw_member_k(&a, &m));
		jw_obj_end(&a);
		expect_buf(&a, "{}");
		jw_reset(&a);
		a.pretty = false;
		assert_false(jw_member_k(&a, &m));
		assert_int_equal(a.len, 0);
		jw_free(&a);
	}
	/* misuse as with a plain key: outside an object, or twice in a row */
	jw_init(&b);
	jw_kv_u64_k(&b, &k_u, 1);
	assert_int_equal(jw_error(&b), -EINVAL);
	jw_reset(&b);
	jw_obj_start(&b);
	jw_key_k(&b, &k_u);
	jw_key_k(&b, &k_u);
	assert_int_equal(jw_error(&b), -EINVAL);
	jw_free(&b);
}

/*
 * Members written in place (keyed numbers and flags, raw text, bare numbers) read as the general
 * calls write them, across renewals of the room
 */
static void test_json_writer__cursor(void **state)
{
	static const struct jw_key k_a = JW_KEY("a"), k_flag = JW_KEY("flag");
	struct jw a, b;
	struct jw_cur c = { 0 };
	int i;

	jw_init(&a);
	jw_init(&b);
	/* no member yet: the cursor does not open (a member written in place starts with ',') */
	jw_obj_start(&b);
	assert_false(jw_cur_open(&b, &c, 64));
	assert_null(c.p);
	jw_obj_start(&a);
	jw_kv_u64_k(&a, &k_a, 0);
	jw_kv_u64_k(&b, &k_a, 0);
	for (i = 0; i < 1000; i++) {
		uint64_t v = (uint64_t)i * 0x9e3779b97f4a7c15ull;

		jw_kv_u64_k(&a, &k_a, v);
		jw_kv_i64_k(&a, &k_a, -(int64_t)(v >> (i % 64)));
		jw_kv_bool_k(&a, &k_flag, i & 1);
		assert_true(jw_cur_room(&b, &c, JW_CUR_MEMBER));
		jw_cur_u64(&c, &k_a, v);
		assert_true(jw_cur_room(&b, &c, JW_CUR_MEMBER));
		jw_cur_i64(&c, &k_a, -(int64_t)(v >> (i % 64)));
		assert_true(jw_cur_room(&b, &c, JW_CUR_MEMBER));
		jw_cur_bool(&c, &k_flag, i & 1);
		if (i % 10 == 0) {
			/* an array member written as raw text and bare numbers, as the general calls do */
			int64_t e = i % 20 ? -(int64_t)(v >> (i % 64)) : INT64_MIN;

			jw_key(&a, "arr");
			jw_arr_start(&a);
			jw_i64(&a, e);
			jw_i64(&a, (int64_t)(v >> 1));
			jw_arr_end(&a);
			assert_true(jw_cur_room(&b, &c, 9 + 2 * 21));
			jw_cur_text(&c, ",\"arr\":[", 8);
			jw_cur_num(&c, e);
			jw_cur_text(&c, ",", 1);
			jw_cur_num(&c, (int64_t)(v >> 1));
			jw_cur_text(&c, "]", 1);
		}
		if (i % 100 == 0) {
			/* closed for a general call, then opened again */
			jw_cur_close(&b, &c);
			jw_kv_str(&a, "s", "x");
			jw_kv_str(&b, "s", "x");
		}
	}
	jw_cur_close(&b, &c);
	jw_obj_end(&a);
	jw_obj_end(&b);
	assert_int_equal(jw_error(&b), 0);
	assert_int_equal(b.len, a.len);
	assert_string_equal(b.buf, a.buf);
	/* pretty output: never in place */
	jw_reset(&b);
	b.pretty = true;
	jw_obj_start(&b);
	jw_kv_u64(&b, "a", 1);
	assert_false(jw_cur_open(&b, &c, 64));
	jw_free(&a);
	jw_free(&b);
}

/*
 * NDJSON in one buffer: lines end with jw_newline(), a failed line is cut back with
 * jw_truncate() and the next one starts clean; keys of the fast path's longest length and one
 * more, and keys with bytes to escape, read as json-c reads them
 */
static void test_json_writer__lines_in_one_buffer(void **state)
{
	char k48[49], k49[50];
	struct json_object *root, *v;
	size_t mark;
	struct jw w;

	memset(k48, 'a', 48);
	k48[48] = '\0';
	memset(k49, 'b', 49);
	k49[49] = '\0';
	jw_init(&w);
	jw_obj_start(&w);
	jw_kv_u64(&w, k48, 1);
	jw_kv_u64(&w, k49, 2);
	jw_kv_i64(&w, "q\"\\\x01", -3);
	jw_kv_bool(&w, "t\x7f", true);
	jw_obj_end(&w);
	jw_newline(&w);
	assert_int_equal(jw_error(&w), 0);
	mark = w.len;
	/* a second line that goes wrong: a value without its key */
	jw_obj_start(&w);
	jw_kv_u64(&w, "x", 1);
	jw_u64(&w, 5);
	assert_int_equal(jw_error(&w), -EINVAL);
	jw_truncate(&w, mark);
	assert_int_equal(jw_error(&w), 0);
	assert_int_equal(w.len, mark);
	jw_obj_start(&w);
	jw_kv_u64(&w, "x", 7);
	jw_obj_end(&w);
	jw_newline(&w);
	assert_int_equal(jw_error(&w), 0);
	assert_true(w.buf[w.len - 1] == '\n');
	assert_string_equal(w.buf + mark, "{\"x\":7}\n");
	w.buf[mark - 1] = '\0';
	root = json_tokener_parse(w.buf);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, k48, &v) && json_object_get_int64(v) == 1);
	assert_true(json_object_object_get_ex(root, k49, &v) && json_object_get_int64(v) == 2);
	assert_true(json_object_object_get_ex(root, "q\"\\\x01", &v) &&
		    json_object_get_int64(v) == -3);
	assert_true(json_object_object_get_ex(root, "t\x7f", &v) && json_object_get_boolean(v));
	json_object_put(root);
	/* a newline with no value before it, or inside one, is misuse */
	jw_truncate(&w, 0);
	jw_newline(&w);
	assert_int_equal(jw_error(&w), -EINVAL);
	jw_truncate(&w, 0);
	jw_obj_start(&w);
	jw_newline(&w);
	assert_int_equal(jw_error(&w), -EINVAL);
	jw_free(&w);
}

static void test_json_writer__doubles(void **state)
{
	static const double vals[] = { 0.1,	      1.5,     -2.25,  1.0 / 3.0,
				       1e300,	      -1e-300, 5e-324, 1.7976931348623157e308,
				       123456789.125, 0.0 };
	struct jw w;

	jw_init(&w);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		jw_reset(&w);
		jw_double(&w, vals[i]);
		assert_int_equal(jw_error(&w), 0);
		assert_true(strtod(w.buf, NULL) == vals[i]);

		struct json_object *root = json_tokener_parse(w.buf);

		assert_non_null(root);
		assert_true(json_object_get_double(root) == vals[i]);
		json_object_put(root);
	}
	jw_reset(&w);
	jw_double(&w, 0.1);
	expect_buf(&w, "0.1");
	jw_reset(&w);
	jw_arr_start(&w);
	jw_double(&w, NAN);
	jw_double(&w, INFINITY);
	jw_double(&w, -INFINITY);
	jw_double(&w, 2.5);
	jw_arr_end(&w);
	expect_buf(&w, "[null,null,null,2.5]");
	jw_free(&w);
}

static void test_json_writer__hex(void **state)
{
	static const unsigned char data[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x0a, 0xff };
	struct jw w;

	jw_init(&w);
	jw_obj_start(&w);
	jw_kv_hex(&w, "path_hex", data, sizeof(data));
	jw_kv_hex(&w, "empty_hex", NULL, 0);
	jw_obj_end(&w);
	expect_buf(&w, "{\"path_hex\":\"deadbeef000aff\",\"empty_hex\":\"\"}");
	jw_reset(&w);
	jw_arr_start(&w);
	jw_kv_hex(&w, "k", data, 1); /* a key in an array */
	assert_int_equal(w.err, -EINVAL);
	jw_free(&w);
}

static void test_json_writer__growth_and_reset(void **state)
{
	struct jw w;
	char *big = malloc(100000);
	size_t cap;

	assert_non_null(big);
	memset(big, 'x', 100000);
	big[99999] = '\x01';
	jw_init(&w);
	assert_null(w.buf);
	jw_strn(&w, big, 100000);
	assert_int_equal(jw_error(&w), 0);
	assert_int_equal(w.len, 100000 - 1 + 6 + 2);
	assert_true(w.cap > w.len);
	assert_memory_equal(w.buf + 99999 + 1, "\\u0001\"", 8);
	cap = w.cap;
	jw_reset(&w);
	assert_int_equal(w.len, 0);
	assert_int_equal(w.cap, cap);
	assert_string_equal(w.buf, "");
	jw_str(&w, "s");
	expect_buf(&w, "\"s\"");
	jw_free(&w);
	assert_null(w.buf);
	assert_int_equal(w.cap, 0);
	free(big);
}

/* Random strings biased toward UTF-8 fragments: output parses, lossless ones round-trip, and
 * writing the decoded result again is lossless and stable. */
static void test_json_writer__random(void **state)
{
	static const unsigned char frag[] = { 0x00, 0x1b, '"',	'\\', 'a',  0x7f, 0x80,
					      0x85, 0xa9, 0xbf, 0xc0, 0xc2, 0xc3, 0xe2,
					      0xed, 0xf0, 0x9f, 0xf4, 0xf5, 0xff };
	unsigned int seed = 12345;
	unsigned char in[16];
	struct jw w;
	size_t n, len, len2;
	char *out, *out2;

	jw_init(&w);
	for (int iter = 0; iter < 20000; iter++) {
		n = (size_t)(rand_r(&seed) % 16);
		for (size_t i = 0; i < n; i++) {
			int r = rand_r(&seed);

			in[i] = r & 1 ? frag[(r >> 1) % sizeof(frag)] : (unsigned char)(r >> 8);
		}
		out = roundtrip((char *)in, n, &len, &w);
		if (json_str_is_lossless((char *)in, n)) {
			assert_int_equal(len, n);
			assert_memory_equal(out, in, n);
		}
		assert_true(json_str_is_lossless(out, len));
		out2 = roundtrip(out, len, &len2, &w);
		assert_int_equal(len2, len);
		assert_memory_equal(out2, out, len);
		free(out);
		free(out2);
	}
	jw_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_writer__every_byte),
		cmocka_unit_test(test_json_writer__every_byte_pair),
		cmocka_unit_test(test_json_writer__special_chars),
		cmocka_unit_test(test_json_writer__invalid_utf8),
		cmocka_unit_test(test_json_writer__valid_multibyte),
		cmocka_unit_test(test_json_writer__c1_and_separators),
		cmocka_unit_test(test_json_writer__nesting),
		cmocka_unit_test(test_json_writer__pretty),
		cmocka_unit_test(test_json_writer__misuse),
		cmocka_unit_test(test_json_writer__integers),
		cmocka_unit_test(test_json_writer__integers_every_length),
		cmocka_unit_test(test_json_writer__prepared_keys),
		cmocka_unit_test(test_json_writer__cursor),
		cmocka_unit_test(test_json_writer__lines_in_one_buffer),
		cmocka_unit_test(test_json_writer__doubles),
		cmocka_unit_test(test_json_writer__hex),
		cmocka_unit_test(test_json_writer__growth_and_reset),
		cmocka_unit_test(test_json_writer__random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
