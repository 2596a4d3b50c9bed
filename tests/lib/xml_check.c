// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The XML checker of xml_check.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strutil.h"
#include "xml_check.h"

void xdoc_free(struct xdoc *d)
{
	size_t i, k;

	for (i = 0; i < d->n; i++) {
		for (k = 0; k < d->els[i].nattrs; k++) {
			free(d->els[i].attr_name[k]);
			free(d->els[i].attr_val[k]);
		}
		free(d->els[i].text);
	}
	free(d->els);
	memset(d, 0, sizeof(*d));
}

/* An XML 1.0 Char, minus what we never want in a picture: DEL and the C1 controls */
bool xml_char_ok(uint32_t cp)
{
	if (cp == 0x9 || cp == 0xa || cp == 0xd)
		return true;
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f))
		return false;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return false;
	return cp != 0xfffe && cp != 0xffff && cp <= 0x10ffff;
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

struct xp {
	const char *s;
	size_t len;
	size_t i;
	char *why;
	size_t whysz;
};

#define XFAIL(x, ...)                                        \
	do {                                                 \
		snprintf((x)->why, (x)->whysz, __VA_ARGS__); \
		return -1;                                   \
	} while (0)

static void ws(struct xp *x)
{
	while (x->i < x->len && strchr(" \t\r\n", x->s[x->i]))
		x->i++;
}

/* Append the decoded reference at x->i ('&') to @out */
static int reference(struct xp *x, char *out, size_t *o)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&amp;", '&' },
		     { "&lt;", '<' },
		     { "&gt;", '>' },
		     { "&quot;", '"' },
		     { "&apos;", '\'' } };
	size_t k;

	for (k = 0; k < 5; k++)
		if (!strncmp(x->s + x->i, ents[k].ent, strlen(ents[k].ent))) {
			out[(*o)++] = ents[k].c;
			x->i += strlen(ents[k].ent);
			return 0;
		}
	if (x->s[x->i + 1] == '#') {
		char *end;
		bool hex = x->s[x->i + 2] == 'x';
		unsigned long cp = strtoul(x->s + x->i + (hex ? 3 : 2), &end, hex ? 16 : 10);

		if (*end != ';' || end == x->s + x->i + (hex ? 3 : 2) || !xml_char_ok((uint32_t)cp))
			XFAIL(x, "bad character reference at %zu", x->i);
		out[(*o)++] = '?'; /* the asserts never look at these */
		x->i = (size_t)(end - x->s) + 1;
		return 0;
	}
	XFAIL(x, "bad entity or bare '&' at %zu", x->i);
}

static int xname(struct xp *x, char *buf, size_t size)
{
	size_t n = 0;

	if (x->i >= x->len || !name_start(x->s[x->i]))
		XFAIL(x, "bad name at %zu", x->i);
	while (x->i < x->len && name_char(x->s[x->i])) {
		if (n + 1 < size)
			buf[n++] = x->s[x->i];
		x->i++;
	}
	buf[n] = '\0';
	return 0;
}

static int push_el(struct xdoc *d, const char *name, int parent, int depth)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 256;
		struct xel *els = realloc(d->els, cap * sizeof(*els));

		assert_non_null(els);
		d->els = els;
		d->cap = cap;
	}
	memset(&d->els[d->n], 0, sizeof(d->els[d->n]));
	snprintf(d->els[d->n].name, sizeof(d->els[d->n].name), "%s", name);
	d->els[d->n].parent = parent;
	d->els[d->n].depth = depth;
	return (int)d->n++;
}

static void add_text(struct xel *e, const char *t, size_t n)
{
	size_t have = e->text ? strlen(e->text) : 0;
	char *t2 = realloc(e->text, have + n + 1);

	assert_non_null(t2);
	e->text = t2;
	memcpy(e->text + have, t, n);
	e->text[have + n] = '\0';
}

/*
 * Parse @s: an optional XML declaration, comments, exactly one root element; tags balanced and
 * matching; attributes quoted, unique, without '<'; every '&' a known entity or a character
 * reference to an allowed character; the whole text valid UTF-8 of allowed characters; no
 * DOCTYPE, CDATA or processing instructions after the declaration. Returns 0 or -1 (@why).
 */
int xml_check(const char *s, size_t len, struct xdoc *d, char *why, size_t whysz)
{
	struct xp x = { .s = s, .len = len, .why = why, .whysz = whysz };
	int stack[256], sp = 0, roots = 0;
	char *buf = malloc(len + 1);
	size_t i;

	assert_non_null(buf);
	memset(d, 0, sizeof(*d));
	why[0] = '\0';
	for (i = 0; i < len;) {
		uint32_t cp;
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (!n || !xml_char_ok(cp)) {
			free(buf);
			XFAIL(&x, "byte 0x%02x at %zu is not an allowed XML character",
			      (unsigned char)s[i], i);
		}
		i += n;
	}
	if (!strncmp(s, "<?xml ", 6)) {
		const char *e = strstr(s, "?>");

		if (!e) {
			free(buf);
			XFAIL(&x, "unterminated XML declaration");
		}
		x.i = (size_t)(e - s) + 2;
	}
	while (x.i < len) {
		size_t o = 0;

		if (s[x.i] != '<') {
			/* character data */
			while (x.i < len && s[x.i] != '<') {
				if (s[x.i] == '&') {
					if (reference(&x, buf, &o))
						goto fail;
					continue;
				}
				if (s[x.i] == ']' && !strncmp(s + x.i, "]]>", 3)) {
					snprintf(why, whysz, "']]>' in text at %zu", x.i);
					goto fail;
				}
				buf[o++] = s[x.i++];
			}
			if (!sp) {
				for (i = 0; i < o; i++)
					if (!strchr(" \t\r\n", buf[i])) {
						snprintf(why, whysz, "text outside the root");
						goto fail;
					}
			} else {
				add_text(&d->els[stack[sp - 1]], buf, o);
			}
			continue;
		}
		if (!strncmp(s + x.i, "<!--", 4)) {
			const char *e = strstr(s + x.i + 4, "--");

			if (!e || e[2] != '>') {
				snprintf(why, whysz, "bad comment at %zu", x.i);
				goto fail;
			}
			x.i = (size_t)(e - s) + 3;
			continue;
		}
		if (s[x.i + 1] == '!' || s[x.i + 1] == '?') {
			snprintf(why, whysz, "DOCTYPE, CDATA or PI at %zu", x.i);
			goto fail;
		}
		if (s[x.i + 1] == '/') {
			char name[64];

			x.i += 2;
			if (xname(&x, name, sizeof(name)))
				goto fail;
			ws(&x);
			if (x.i >= len || s[x.i] != '>') {
				snprintf(why, whysz, "bad end tag at %zu", x.i);
				goto fail;
			}
			x.i++;
			if (!sp || strcmp(d->els[stack[sp - 1]].name, name)) {
				snprintf(why, whysz, "end tag </%s> does not match <%s>", name,
					 sp ? d->els[stack[sp - 1]].name : "(none)");
				goto fail;
			}
			sp--;
			continue;
		}
		{
			char name[64];
			int el;

			x.i++;
			if (xname(&x, name, sizeof(name)))
				goto fail;
			if (!sp && roots++) {
				snprintf(why, whysz, "a second root element <%s>", name);
				goto fail;
			}
			el = push_el(d, name, sp ? stack[sp - 1] : -1, sp);
			for (;;) {
				char an[64], q;
				struct xel *e = &d->els[el];
				size_t k;

				ws(&x);
				if (x.i >= len) {
					snprintf(why, whysz, "unterminated tag <%s>", name);
					goto fail;
				}
				if (s[x.i] == '>' || !strncmp(s + x.i, "/>", 2))
					break;
				if (xname(&x, an, sizeof(an)))
					goto fail;
				for (k = 0; k < e->nattrs; k++)
					if (!strcmp(e->attr_name[k], an)) {
						snprintf(why, whysz,
							 "duplicate attribute '%s' in <%s>", an,
							 name);
						goto fail;
					}
				ws(&x);
				if (s[x.i] != '=') {
					snprintf(why, whysz, "attribute '%s' without value", an);
					goto fail;
				}
				x.i++;
				ws(&x);
				q = s[x.i];
				if (q != '"' && q != '\'') {
					snprintf(why, whysz, "unquoted attribute '%s'", an);
					goto fail;
				}
				x.i++;
				o = 0;
				while (x.i < len && s[x.i] != q) {
					if (s[x.i] == '<') {
						snprintf(why, whysz, "'<' in attribute '%s'", an);
						goto fail;
					}
					if (s[x.i] == '&') {
						if (reference(&x, buf, &o))
							goto fail;
						continue;
					}
					buf[o++] = s[x.i++];
				}
				if (x.i >= len) {
					snprintf(why, whysz, "unterminated attribute '%s'", an);
					goto fail;
				}
				x.i++;
				if (e->nattrs < XML_MAX_ATTRS) {
					e->attr_name[e->nattrs] = strdup(an);
					e->attr_val[e->nattrs] = strndup(buf, o);
					e->nattrs++;
				}
				if (x.i < len && !strchr(" \t\r\n/>", s[x.i])) {
					snprintf(why, whysz, "no space after attribute '%s'", an);
					goto fail;
				}
			}
			if (s[x.i] == '/') {
				x.i += 2;
			} else {
				x.i++;
				if (sp == 256) {
					snprintf(why, whysz, "nesting too deep");
					goto fail;
				}
				stack[sp++] = el;
			}
		}
	}
	if (sp) {
		snprintf(why, whysz, "<%s> is never closed", d->els[stack[sp - 1]].name);
		goto fail;
	}
	if (!roots) {
		snprintf(why, whysz, "no root element");
		goto fail;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	xdoc_free(d);
	return -1;
}

const char *xd_attr(const struct xel *e, const char *name)
{
	size_t k;

	for (k = 0; k < e->nattrs; k++)
		if (!strcmp(e->attr_name[k], name))
			return e->attr_val[k];
	return NULL;
}

bool xd_is(const struct xel *e, const char *name, const char *cls)
{
	const char *c = xd_attr(e, "class");

	return !strcmp(e->name, name) && (!cls || (c && !strcmp(c, cls)));
}

/* The row group of @pid (NULL if none); *count gets how many there are */
int xd_row_of(const struct xdoc *d, uint32_t pid, size_t *count)
{
	char want[16];
	size_t i;
	int first = -1;

	snprintf(want, sizeof(want), "%u", pid);
	if (count)
		*count = 0;
	for (i = 0; i < d->n; i++) {
		const char *p = xd_attr(&d->els[i], "data-pid");

		if (xd_is(&d->els[i], "g", "proc") && p && !strcmp(p, want)) {
			if (first < 0)
				first = (int)i;
			if (count)
				(*count)++;
		}
	}
	return first;
}

/* Children of element @el named @name with class @cls */
size_t xd_count_in(const struct xdoc *d, int el, const char *name, const char *cls)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		if (d->els[i].parent == el && xd_is(&d->els[i], name, cls))
			n++;
	return n;
}

const struct xel *xd_child(const struct xdoc *d, int el, const char *name, const char *cls)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->els[i].parent == el && xd_is(&d->els[i], name, cls))
			return &d->els[i];
	return NULL;
}

size_t xd_count_all(const struct xdoc *d, const char *name, const char *cls)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		if (xd_is(&d->els[i], name, cls))
			n++;
	return n;
}

/* The first <g class="@cls"> */
int xd_group(const struct xdoc *d, const char *cls)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (xd_is(&d->els[i], "g", cls))
			return (int)i;
	return -1;
}

bool xd_any_text(const struct xdoc *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->els[i].text && strstr(d->els[i].text, needle))
			return true;
	return false;
}
