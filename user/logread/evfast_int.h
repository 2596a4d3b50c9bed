/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The fast path's JSON pieces (evfast.c, evfast_json.c): values as spans of the line, and the
 * scanners every line goes through, inline. Each accepts only what json-c reads the same way
 * (plain ASCII strings, integers within u64) and returns NULL for anything else. Pure.
 */
#ifndef __PSC_EVFAST_INT_H
#define __PSC_EVFAST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define FX_MAX_MEMBERS 64
#define FX_MAX_DEPTH 6 /* json-c refuses 8 levels; stay clear of the edge */

enum fx_kind {
	FX_INT,
	FX_STR,
	FX_TRUE,
	FX_FALSE,
	FX_ARR,
	FX_OBJ,
};

struct fx_val {
	enum fx_kind kind;
	bool neg; /* FX_INT: a '-' sign */
	uint64_t mag; /* FX_INT: the magnitude */
	const char *s; /* FX_STR: the bytes; FX_ARR/FX_OBJ: the text from the bracket */
	size_t n;
};

struct fx_member {
	const char *key;
	size_t klen;
	struct fx_val v;
	bool used; /* matched to a field */
};

struct fx_obj {
	struct fx_member m[FX_MAX_MEMBERS];
	size_t n;
};

static inline const char *skip_ws(const char *p, const char *e)
{
	/* the writer writes none: one test for the usual byte */
	while (p < e && (unsigned char)*p <= ' ' &&
	       (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Bytes a plain string may hold as they are: printable ASCII but '"' and '\\' */
static const bool str_plain[256] __attribute__((unused)) = {
	[0x20 ... 0x21] = true,
	[0x23 ... 0x5b] = true, /* not '"' (0x22) */
	[0x5d ... 0x7e] = true, /* not '\\' (0x5c) */
};

#define FX_ONES 0x0101010101010101ull
#define FX_HIGHS 0x8080808080808080ull

/* The high bit of each byte of @w that is zero; exact up to the first such byte */
static inline uint64_t fx_zero_bytes(uint64_t w)
{
	return (w - FX_ONES) & ~w & FX_HIGHS;
}

/*
 * A plain string: printable ASCII without escapes (anything else: the full parser). Eight
 * bytes at a time: a byte below ' ', from 0x7f up, '"' or '\\' ends the run (the flags past
 * the first may be wrong, the first is exact).
 */
static inline const char *parse_str(const char *p, const char *e, const char **s, size_t *n)
{
	const char *q = ++p;
	uint64_t w, stop;

	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		while (e - q >= 8) {
			memcpy(&w, q, sizeof(w));
			stop = ((w - 0x20 * FX_ONES) & ~w) | w |
			       fx_zero_bytes(w ^ (0x7f * FX_ONES)) |
			       fx_zero_bytes(w ^ ('"' * FX_ONES)) |
			       fx_zero_bytes(w ^ ('\\' * FX_ONES));
			stop &= FX_HIGHS;
			if (stop) {
				q += __builtin_ctzll(stop) / 8;
				goto end;
			}
			q += 8;
		}
	while (q < e && str_plain[(unsigned char)*q])
		q++;
end:
	if (q >= e || *q != '"')
		return NULL;
	*s = p;
	*n = (size_t)(q - p);
	return q + 1;
}

/*
 * The decimal digits that start the 8 bytes at @p: how many (0 to 8), their value in *@val.
 * Eight bytes at a time, as simdjson does: a byte is a digit when its high nibble is 3 and
 * adding 6 leaves it 3; the digits found are shifted to the top, '0's fill in below, and three
 * multiplications add them up. Little-endian only (the byte order the words are read in).
 */
static inline unsigned int digits8(const char *p, uint64_t *val)
{
	const uint64_t hi = 0xf0f0f0f0f0f0f0f0ull, zeros = 0x3030303030303030ull;
	uint64_t w, m;
	unsigned int n, sh;

	memcpy(&w, p, sizeof(w));
	/* a carry out of a non-digit spoils only the bytes after it, never one before */
	m = ((w & hi) ^ zeros) | (((w + 0x0606060606060606ull) & hi) ^ zeros);
	n = m ? (unsigned int)__builtin_ctzll(m) / 8 : 8;
	/* shift by 64 - 8n in two halves: 0 to 64 bits, no branch */
	sh = 32 - 4 * n;
	w = ((w << sh) << sh) | ((zeros >> (8 * n / 2)) >> (8 * n / 2));
	w -= zeros;
	w = w * 10 + (w >> 8);
	*val = (((w & 0x000000ff000000ffull) * 0x000f424000000064ull) +
		(((w >> 16) & 0x000000ff000000ffull) * 0x0000271000000001ull)) >>
	       32;
	return n;
}

/* Bytes that may not follow an integer's digits: a fraction or an exponent */
static const bool int_cont[256] __attribute__((unused)) = {
	['.'] = true,
	['e'] = true,
	['E'] = true,
};

/* -?(0|[1-9][0-9]*), no fraction or exponent, magnitude within u64 */
static inline const char *parse_int(const char *p, const char *e, struct fx_val *v)
{
	static const uint64_t pow10[9] = { 1,	   10,	    100,      1000,	10000,
					   100000, 1000000, 10000000, 100000000 };
	const char *d, *easy;
	uint64_t x = 0, y;
	unsigned int dig, n;

	v->kind = FX_INT;
	v->neg = *p == '-';
	p += v->neg;
	d = p;
	/* one digit (a return value, a flag, a small fd): the most common number of all */
	if (e - p >= 2 && (unsigned char)(p[0] - '0') < 10 && (unsigned char)(p[1] - '0') >= 10) {
		x = (unsigned char)(*p++ - '0');
		goto end;
	}
	/* up to 16 digits, 8 at a time (while 8 bytes are left to read) */
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && e - p >= 8) {
		n = digits8(p, &x);
		p += n;
		if (__builtin_expect(n == 8, 0) && e - p >= 8) {
			n = digits8(p, &y);
			x = x * pow10[n] + y;
			p += n;
		}
		if (n < 8)
			goto end;
	}
	/* 19 digits cannot overflow: no check (nor division) until a 20th */
	easy = e - d > 19 ? d + 19 : e;
	while (p < easy && (dig = (unsigned char)(*p - '0')) < 10) {
		x = x * 10 + dig;
		p++;
	}
	while (p < e && *p >= '0' && *p <= '9') {
		dig = (unsigned int)(*p - '0');
		if (x > (UINT64_MAX - dig) / 10)
			return NULL;
		x = x * 10 + dig;
		p++;
	}
end:
	if (p == d || (*d == '0' && p - d > 1) || (p < e && int_cont[(unsigned char)*p]))
		return NULL;
	v->mag = x;
	return p;
}

/* What parse_int() accepts, without its value: the end of the integer at @p, or NULL */
static inline const char *skip_int(const char *p, const char *e)
{
	const uint64_t hi = 0xf0f0f0f0f0f0f0f0ull, zeros = 0x3030303030303030ull;
	const char *start = p, *d;
	unsigned int n = 8;
	struct fx_val v;
	uint64_t w, m;

	p += *p == '-';
	d = p;
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		while (n == 8 && e - p >= 8) {
			memcpy(&w, p, sizeof(w));
			m = ((w & hi) ^ zeros) | (((w + 0x0606060606060606ull) & hi) ^ zeros);
			n = m ? (unsigned int)__builtin_ctzll(m) / 8 : 8;
			p += n;
		}
	if (n == 8)
		while (p < e && (unsigned char)(*p - '0') < 10)
			p++;
	if (p - d > 19)
		return parse_int(start, e, &v); /* past 19 digits: whether it fits in a u64 */
	if (p == d || (*d == '0' && p - d > 1) || (p < e && int_cont[(unsigned char)*p]))
		return NULL;
	return p;
}

/* Any JSON value at @p, checked all through (@depth: the nesting so far) */
const char *evfast_value(const char *p, const char *e, int depth, struct fx_val *v);

/* The members of the object at @p (one level; values checked all through) */
const char *evfast_members(const char *p, const char *e, int depth, struct fx_obj *o);

#endif /* __PSC_EVFAST_INT_H */
