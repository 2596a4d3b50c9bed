// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The single UTF-8 validator of the project, and escaping for terminal output. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "strutil.h"

static const char hexdig[] = "0123456789abcdef";

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c, min;
	size_t len, i;

	if (!s || !n)
		return 0;
	c = p[0];
	if (c < 0x80) {
		len = 1;
		min = 0;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* min rejects overlongs (e.g. C0 80 smuggling a NUL or '/' past a filter) */
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	if (cp)
		*cp = c;
	return len;
}

/*
 * Characters a terminal acts on although they are printable UTF-8: the bidi controls (U+202E
 * shows the rest of a line reversed: "exe.txt" as "txt.exe") and the line and paragraph
 * separators (a fake new line). They get the C1 controls' treatment.
 */
static bool is_format_control(uint32_t cp)
{
	return cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Renders the character at s into tmp; returns its length in tmp and the bytes consumed in *adv. */
static size_t escape_char(char tmp[16], const char *s, size_t n, size_t *adv)
{
	unsigned char c = (unsigned char)s[0];
	size_t tl = 0, k, len = 1;
	uint32_t cp = c;

	if (c >= 0x80) {
		len = utf8_decode(s, n, &cp);
		if (len && cp >= 0xa0 && !is_format_control(cp)) {
			memcpy(tmp, s, len);
			*adv = len;
			return len;
		}
		/* invalid: one byte at a time, so the next valid sequence is not swallowed */
		if (!len)
			len = 1;
	} else if (c >= 0x20 && c < 0x7f) {
		if (c == '\\')
			tmp[tl++] = '\\';
		tmp[tl++] = (char)c;
		*adv = 1;
		return tl;
	} else if (c == '\n' || c == '\t' || c == '\r') {
		tmp[tl++] = '\\';
		tmp[tl++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
		*adv = 1;
		return tl;
	}
	/* len <= 3 here (C1 controls are 2 bytes, format controls 3), so tmp holds at most 12 */
	for (k = 0; k < len; k++) {
		c = (unsigned char)s[k];
		tmp[tl++] = '\\';
		tmp[tl++] = 'x';
		tmp[tl++] = hexdig[c >> 4];
		tmp[tl++] = hexdig[c & 0xf];
	}
	*adv = len;
	return tl;
}

/*
 * Escape @n bytes of @s into @dst at @out, leaving @keep bytes free before the NUL; a '"' too
 * when @quoted. Returns the new length.
 */
static size_t escape_into(char *dst, size_t dstsz, size_t out, const char *s, size_t n, bool quoted,
			  size_t keep)
{
	size_t i = 0, tl, adv;
	char tmp[16];

	while (s && i < n) {
		if (quoted && s[i] == '"') {
			tmp[0] = '\\';
			tmp[1] = '"';
			tl = 2;
			adv = 1;
		} else {
			tl = escape_char(tmp, s + i, n - i, &adv);
		}
		if (tl + keep >= dstsz - out)
			break;
		memcpy(dst + out, tmp, tl);
		out += tl;
		i += adv;
	}
	dst[out] = '\0';
	return out;
}

size_t term_escape(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (!dst || !dstsz)
		return 0;
	return escape_into(dst, dstsz, 0, s, n, false, 0);
}

size_t term_escape_str(char *dst, size_t dstsz, const char *s)
{
	return term_escape(dst, dstsz, s, s ? strlen(s) : 0);
}

static bool is_shell_plain(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80)
			continue; /* term_escape() decides whether it is printable */
		if (!isalnum(c) && !strchr("_@%+=:,./-", c))
			return false;
	}
	return true;
}

size_t term_quote_arg(char *dst, size_t dstsz, const char *s, size_t n)
{
	size_t out;

	if (!dst || !dstsz)
		return 0;
	if (is_shell_plain(s, n))
		return term_escape(dst, dstsz, s, n);
	if (dstsz < 3) {
		dst[0] = '\0';
		return 0;
	}
	dst[0] = '"';
	/* room for the closing quote */
	out = escape_into(dst, dstsz, 1, s, n, true, 1);
	dst[out++] = '"';
	dst[out] = '\0';
	return out;
}
