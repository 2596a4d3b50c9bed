// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Text in the SVG: everything from the traced system goes through svg_vis_cstr() (printable
 * UTF-8 only, else \xHH) and then svg_xml_put() (&<>"' as entities), so the document is
 * well-formed XML whatever the names hold.
 */
#include <stdio.h>
#include <string.h>
#include "strutil.h"
#include "svg_int.h"

/* ---- text: visible, then XML-escaped ---- */

/*
 * @n bytes of @s as visible UTF-8 in @dst (NUL-terminated): printable characters pass, a
 * backslash doubles, and every byte of a control character (C0, DEL, C1), a character XML
 * forbids (U+FFFE, U+FFFF) or invalid UTF-8 is shown as \xHH. At most @max_cps characters:
 * a longer text ends in "…". Returns @dst.
 */
static char *vis_text(char *dst, size_t dstsz, const char *s, size_t n, size_t max_cps)
{
	size_t i = 0, o = 0, cps = 0, cut_o = 0;
	uint32_t cp;

	dst[0] = '\0';
	while (i < n && s[i]) {
		size_t len = utf8_decode(s + i, n - i, &cp), need;
		char tmp[16];

		if (len && cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f) &&
		    cp != 0xfffe && cp != 0xffff) {
			if (cp == '\\') {
				memcpy(tmp, "\\\\", 2);
				need = 2;
			} else {
				memcpy(tmp, s + i, len);
				need = len;
			}
		} else {
			len = 1;
			need = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", (unsigned char)s[i]);
		}
		/* the text shown so far stops where "…" would still fit */
		if (cps + 1 == max_cps)
			cut_o = o;
		if (cps >= max_cps || o + need + 4 > dstsz) {
			o = cps >= max_cps ? cut_o : o;
			memcpy(dst + o, "\xe2\x80\xa6", 3);
			dst[o + 3] = '\0';
			return dst;
		}
		memcpy(dst + o, tmp, need);
		o += need;
		dst[o] = '\0';
		cps++;
		i += len;
	}
	return dst;
}

/* Cut visible (valid UTF-8) text @s to @max_cps characters, the last one "…" */
char *svg_cut_cps(char *s, size_t size, size_t max_cps)
{
	size_t o = 0, cps = 0, cut = 0;

	while (s[o]) {
		size_t len = utf8_decode(s + o, strlen(s + o), NULL);

		if (!len)
			len = 1;
		if (cps + 1 == max_cps)
			cut = o;
		if (cps == max_cps) {
			if (cut + 4 > size)
				cut = 0;
			memcpy(s + cut, "\xe2\x80\xa6", 4); /* with the NUL */
			return s;
		}
		cps++;
		o += len;
	}
	return s;
}

char *svg_vis_cstr(char *dst, size_t dstsz, const char *s, size_t max, size_t max_cps)
{
	return vis_text(dst, dstsz, s ? s : "", s ? strnlen(s, max) : 0, max_cps);
}

/* Text for XML content and attribute values: the five special characters as entities */
void svg_xml_put(struct timeline_out *o, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *ent;

		switch (*s) {
		case '&':
			ent = "&amp;";
			break;
		case '<':
			ent = "&lt;";
			break;
		case '>':
			ent = "&gt;";
			break;
		case '"':
			ent = "&quot;";
			break;
		case '\'':
			ent = "&apos;";
			break;
		default:
			continue;
		}
		timeline_out_write(o, run, (size_t)(s - run));
		timeline_out_write(o, ent, strlen(ent));
		run = s + 1;
	}
	timeline_out_write(o, run, (size_t)(s - run));
}

/* "comm (pid)", visible */
char *svg_who(char *buf, size_t size, const struct proc *p, size_t max_cps)
{
	char comm[PSC_COMM_LEN * 4 + 8];

	if (!p) {
		snprintf(buf, size, "?");
		return buf;
	}
	svg_vis_cstr(comm, sizeof(comm), p->comm, PSC_COMM_LEN, SIZE_MAX);
	snprintf(buf, size, "%s (%u)", comm, p->pid);
	return svg_cut_cps(buf, size, max_cps);
}
