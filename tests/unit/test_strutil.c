// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Unit tests for user/lib/strutil.c: utf8_decode and terminal escaping. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "strutil.h"

static void expect_esc(const char *in, size_t n, size_t dstsz, const char *want)
{
	char dst[256];

	assert_true(dstsz <= sizeof(dst));
	assert_int_equal(term_escape(dst, dstsz, in, n), strlen(want));
	assert_string_equal(dst, want);
}

static void test_strutil__control_bytes(void **state)
{
	char in[1], want[8], dst[16];

	for (int c = 0; c < 0x20; c++) {
		in[0] = (char)c;
		if (c == '\n' || c == '\t' || c == '\r')
			snprintf(want, sizeof(want), "\\%c",
				 c == '\n' ? 'n' :
				 c == '\t' ? 't' :
					     'r');
		else
			snprintf(want, sizeof(want), "\\x%02x", c);
		expect_esc(in, 1, sizeof(dst), want);
	}
	expect_esc("\x7f", 1, 16, "\\x7f");
	expect_esc("\x1b", 1, 16, "\\x1b");
	expect_esc("a\0b", 3, 16, "a\\x00b");
}

static void test_strutil__ansi_sequence(void **state)
{
	char dst[64];
	size_t n = term_escape_str(dst, sizeof(dst), "\x1b[31mred\x1b[0m");

	assert_null(memchr(dst, 0x1b, n));
	assert_string_equal(dst, "\\x1b[31mred\\x1b[0m");
}

static void test_strutil__printable(void **state)
{
	char dst[512], in[96];
	size_t n = 0;

	for (int c = 0x20; c < 0x7f; c++)
		if (c != '\\')
			in[n++] = (char)c;
	assert_int_equal(term_escape(dst, sizeof(dst), in, n), n);
	assert_memory_equal(dst, in, n);
	expect_esc("a\\b", 3, 16, "a\\\\b");
	expect_esc("l1\nl2\tx\r", 8, 32, "l1\\nl2\\tx\\r");
}

static void test_strutil__utf8(void **state)
{
	expect_esc("caf\xc3\xa9", 5, 16, "caf\xc3\xa9");
	expect_esc("\xe2\x82\xac \xf0\x9f\x98\x80", 8, 16, "\xe2\x82\xac \xf0\x9f\x98\x80");
	expect_esc("\xc2\xa0", 2, 16, "\xc2\xa0"); /* U+00A0 is the first non-C1 */
	expect_esc("\xc2\x85", 2, 16, "\\xc2\\x85"); /* NEL, a C1 control */
	expect_esc("\xc2\x9b[2J", 5, 32, "\\xc2\\x9b[2J"); /* CSI */
	expect_esc("\xff", 1, 16, "\\xff");
	expect_esc("\xc0\x80", 2, 16, "\\xc0\\x80");
	expect_esc("\xed\xa0\x80", 3, 16, "\\xed\\xa0\\x80");
	/* truncated sequence: the bytes after it are kept */
	expect_esc("\xe2\x82"
		   "A\xc3\xa9",
		   5, 32, "\\xe2\\x82A\xc3\xa9");
}

static void test_strutil__truncation(void **state)
{
	char dst[8];

	/* "\x1b" needs 4 chars + NUL */
	expect_esc("a\x1b", 2, 5, "a");
	expect_esc("a\x1b", 2, 6, "a\\x1b");
	expect_esc("\\", 1, 2, "");
	expect_esc("\n", 1, 3, "\\n");
	expect_esc("a\xc3\xa9", 3, 3, "a");
	expect_esc("a\xc3\xa9", 3, 4, "a\xc3\xa9");
	expect_esc("\xc2\x85", 2, 8, ""); /* 8 chars: the C1 escape is all or nothing */
	expect_esc("abc", 3, 1, "");
	assert_int_equal(term_escape(dst, 0, "abc", 3), 0);
	assert_int_equal(term_escape(NULL, 0, "abc", 3), 0);
	assert_int_equal(term_escape_str(dst, sizeof(dst), NULL), 0);
	assert_string_equal(dst, "");

	/* every prefix of every size ends on an escape boundary */
	const char *in = "x\x1b\\\xc3\xa9\xff\n\xc2\x85z";
	char full[64], part[64];
	size_t fl = term_escape_str(full, sizeof(full), in);

	for (size_t sz = 1; sz <= fl + 1; sz++) {
		size_t pl = term_escape_str(part, sz, in);

		assert_true(pl < sz);
		assert_memory_equal(part, full, pl);
		assert_true(pl == fl || strchr("x\\\xc3\xff\nz", full[pl]) != NULL);
	}
}

static void test_strutil__utf8_decode(void **state)
{
	uint32_t cp = 0;

	assert_int_equal(utf8_decode("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(utf8_decode("\0", 1, &cp), 1);
	assert_int_equal(cp, 0);
	assert_int_equal(utf8_decode("\xc3\xa9", 2, &cp), 2);
	assert_int_equal(cp, 0xe9);
	assert_int_equal(utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
	assert_int_equal(cp, 0x10ffff);
	assert_int_equal(utf8_decode("\xed\x9f\xbf", 3, &cp), 3);
	assert_int_equal(utf8_decode("\xee\x80\x80", 3, &cp), 3);

	/* overlongs */
	assert_int_equal(utf8_decode("\xc0\x80", 2, &cp), 0);
	assert_int_equal(utf8_decode("\xc1\xbf", 2, &cp), 0);
	assert_int_equal(utf8_decode("\xe0\x80\xaf", 3, &cp), 0);
	assert_int_equal(utf8_decode("\xe0\x9f\xbf", 3, &cp), 0);
	assert_int_equal(utf8_decode("\xf0\x8f\xbf\xbf", 4, &cp), 0);
	/* surrogates */
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 0);
	assert_int_equal(utf8_decode("\xed\xbf\xbf", 3, &cp), 0);
	/* > U+10FFFF and invalid lead bytes */
	assert_int_equal(utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(utf8_decode("\xf5\x80\x80\x80", 4, &cp), 0);
	assert_int_equal(utf8_decode("\xf8\x88\x80\x80\x80", 5, &cp), 0);
	assert_int_equal(utf8_decode("\xff", 1, &cp), 0);
	assert_int_equal(utf8_decode("\x80", 1, &cp), 0);
	/* truncated: by n, and by a non-continuation byte */
	assert_int_equal(utf8_decode("\xe2\x82\xac", 2, &cp), 0);
	assert_int_equal(utf8_decode("\xe2\x82"
				     "A",
				     3, &cp),
			 0);
	assert_int_equal(utf8_decode("A", 0, &cp), 0);
	assert_int_equal(utf8_decode(NULL, 4, &cp), 0);
	assert_int_equal(utf8_decode("\xc3\xa9", 2, NULL), 2);
}

static size_t encode(unsigned char *o, uint32_t cp)
{
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Cross-check against a brute-force encoder: each code point has exactly one accepted form. */
static void test_strutil__utf8_decode_exhaustive(void **state)
{
	unsigned char b[4], e[4];
	uint32_t cp;
	size_t accepted = 0;

	for (unsigned a = 0xc0; a < 0x100; a++)
		for (unsigned c = 0x80; c < 0xc0; c++)
			for (unsigned d = 0x80; d < 0xc0; d++) {
				b[0] = (unsigned char)a;
				b[1] = (unsigned char)c;
				b[2] = (unsigned char)d;
				b[3] = 0x80;
				size_t len = utf8_decode((const char *)b, 4, &cp);

				if (!len)
					continue;
				accepted++;
				assert_true(cp >= 0x80 && cp <= 0x10ffff);
				assert_false(cp >= 0xd800 && cp <= 0xdfff);
				assert_int_equal(len, encode(e, cp));
				assert_memory_equal(e, b, len);
			}
	/* 2-byte forms x 64 ignored 3rd bytes; 3-byte minus surrogates; 4-byte with 4th byte fixed */
	assert_int_equal(accepted, (0x800 - 0x80) * 64 + (0x10000 - 0x800 - 0x800) + 0x100000 / 64);
}

/* strace's quoting of one argument: plain ones as they are, others in "", truncated whole */
static void test_strutil__quote_arg(void **state)
{
	char dst[64];

	assert_int_equal(term_quote_arg(dst, sizeof(dst), "ls", 2), 2);
	assert_string_equal(dst, "ls");
	term_quote_arg(dst, sizeof(dst), "", 0);
	assert_string_equal(dst, "\"\"");
	term_quote_arg(dst, sizeof(dst), "a b", 3);
	assert_string_equal(dst, "\"a b\"");
	term_quote_arg(dst, sizeof(dst), "x\"y\\", 4);
	assert_string_equal(dst, "\"x\\\"y\\\\\"");
	term_quote_arg(dst, sizeof(dst), "caf\xc3\xa9", 5);
	assert_string_equal(dst, "caf\xc3\xa9");
	/* cut short: still a closed quote, never half an escape */
	assert_int_equal(term_quote_arg(dst, 8, "\x1b\x1b\x1b", 3), 6);
	assert_string_equal(dst, "\"\\x1b\"");
}

/* Printable in UTF-8 terms, but a terminal reorders or breaks the line on them */
static void test_strutil__bidi_and_separators(void **state)
{
	static const uint32_t escaped[] = { 0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b,
					    0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069 };
	static const uint32_t kept[] = { 0x200d, 0x2027, 0x202f, 0x2065, 0x206a, 0x061b };
	unsigned char in[8];
	char want[32], dst[64];
	size_t i, n, k;

	for (i = 0; i < sizeof(escaped) / sizeof(escaped[0]); i++) {
		n = encode(in, escaped[i]);
		for (k = 0, want[0] = '\0'; k < n; k++)
			snprintf(want + strlen(want), sizeof(want) - strlen(want), "\\x%02x",
				 (unsigned char)in[k]);
		assert_int_equal(term_escape(dst, sizeof(dst), (const char *)in, n), strlen(want));
		assert_string_equal(dst, want);
	}
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		n = encode(in, kept[i]);
		assert_int_equal(term_escape(dst, sizeof(dst), (const char *)in, n), n);
		assert_memory_equal(dst, in, n);
	}
	/* "evil<RLO>gpj.exe" would show as "evilexe.jpg" */
	expect_esc("evil\xe2\x80\xaegpj.exe", 14, 64, "evil\\xe2\\x80\\xaegpj.exe");
	/* a 12-char escape is all or nothing */
	expect_esc("a\xe2\x80\xa8", 4, 13, "a");
	expect_esc("a\xe2\x80\xa8", 4, 14, "a\\xe2\\x80\\xa8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strutil__control_bytes),
		cmocka_unit_test(test_strutil__ansi_sequence),
		cmocka_unit_test(test_strutil__printable),
		cmocka_unit_test(test_strutil__utf8),
		cmocka_unit_test(test_strutil__bidi_and_separators),
		cmocka_unit_test(test_strutil__truncation),
		cmocka_unit_test(test_strutil__quote_arg),
		cmocka_unit_test(test_strutil__utf8_decode),
		cmocka_unit_test(test_strutil__utf8_decode_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
