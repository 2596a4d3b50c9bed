/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* UTF-8 decoding and terminal-safe escaping of untrusted bytes (comm, argv, paths). */
#ifndef __PSC_STRUTIL_H
#define __PSC_STRUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Escape n bytes of s for a terminal into dst (always NUL-terminated if dstsz > 0).
 * Printable ASCII passes except backslash (-> "\\"); \n \t \r as "\n" "\t" "\r"; other control bytes,
 * DEL, C1 controls (U+0080..U+009F encoded in UTF-8), the bidi controls (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069), the line and paragraph separators (U+2028, U+2029) and bytes
 * that are not valid UTF-8 become \xHH (lowercase hex) per byte; other valid UTF-8 passes. Output is truncated at a character
 * boundary when dst is too small (never a partial escape). Returns strlen(dst). */
size_t term_escape(char *dst, size_t dstsz, const char *s, size_t n);
/* Same for a NUL-terminated string (NULL is treated as ""). */
size_t term_escape_str(char *dst, size_t dstsz, const char *s);
/* One argument of a command line, for a terminal, as strace prints it: as is when it holds only
 * characters a shell leaves alone ([A-Za-z0-9_@%+=:,./-] and UTF-8 letters), else in double quotes
 * with '"' as \" and every other byte escaped as term_escape() does ("a b", "" for an empty one).
 * Truncated output still ends with its closing quote. Returns strlen(dst). */
size_t term_quote_arg(char *dst, size_t dstsz, const char *s, size_t n);
/* Decode one UTF-8 sequence at s (n bytes available): returns its length (1-4) and the code point in
 * *cp (cp may be NULL), or 0 if the bytes there are not a valid, shortest-form, non-surrogate
 * sequence <= U+10FFFF. A NUL byte is a valid 1-byte sequence. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

#endif /* __PSC_STRUTIL_H */
