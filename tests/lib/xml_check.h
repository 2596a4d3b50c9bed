/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A strict XML reader for the SVG procscope draws: well-formedness, only XML characters, no
 * control bytes, no DOCTYPE; plus a flat element list and lookups for the asserts
 * (tests/unit/test_svg.c, tests/integration/test_timeline.c).
 */
#ifndef __PSC_XML_CHECK_H
#define __PSC_XML_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XML_MAX_ATTRS 16

struct xel {
	char name[64];
	int parent; /* index, -1 for the root */
	int depth;
	size_t nattrs;
	char *attr_name[XML_MAX_ATTRS];
	char *attr_val[XML_MAX_ATTRS]; /* entities decoded */
	char *text; /* the character data directly inside, entities decoded */
};

struct xdoc {
	struct xel *els;
	size_t n;
	size_t cap;
};

void xdoc_free(struct xdoc *d);

/* An XML 1.0 Char, minus what we never want in a picture: DEL and the C1 controls */
bool xml_char_ok(uint32_t cp);

/*
 * Parse @s: an optional XML declaration, comments, exactly one root element; tags balanced and
 * matching; attributes quoted, unique, without '<'; every '&' a known entity or a character
 * reference to an allowed character; the whole text valid UTF-8 of allowed characters; no
 * DOCTYPE, CDATA or processing instructions after the declaration. Returns 0 or -1 (@why).
 */
int xml_check(const char *s, size_t len, struct xdoc *d, char *why, size_t whysz);

const char *xd_attr(const struct xel *e, const char *name);

bool xd_is(const struct xel *e, const char *name, const char *cls);

/* The row group of @pid (NULL if none); *count gets how many there are */
int xd_row_of(const struct xdoc *d, uint32_t pid, size_t *count);

/* Children of element @el named @name with class @cls */
size_t xd_count_in(const struct xdoc *d, int el, const char *name, const char *cls);

const struct xel *xd_child(const struct xdoc *d, int el, const char *name, const char *cls);

size_t xd_count_all(const struct xdoc *d, const char *name, const char *cls);

/* The first <g class="@cls"> */
int xd_group(const struct xdoc *d, const char *cls);

bool xd_any_text(const struct xdoc *d, const char *needle);

#endif /* __PSC_XML_CHECK_H */
