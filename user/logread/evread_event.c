// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The log reader's events (evread_int.h): every field read through the record type's schema
 * table, the one the writer used, so a field added to a table is read back without a change
 * here. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "evread_int.h"

/* ---- events through their schema table ---- */

static void put_u32(void *base, size_t off, uint32_t v)
{
	memcpy((char *)base + off, &v, sizeof(v));
}

static uint32_t load_u32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

/* NUL-separated argv: the exact buffer from "<name>_hex", else the strings each with its NUL */
static int read_argv(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	char hexkey[64];
	char *dst = base + f->off;
	json_object *arr, *h;
	size_t n, i, len = 0;
	int err;

	arr = evread_member(r, o, f->name, json_type_array, true, &err);
	if (!arr)
		return err;
	snprintf(hexkey, sizeof(hexkey), "%s_hex", f->name);
	h = evread_member(r, o, hexkey, json_type_string, false, &err);
	if (err)
		return err;
	if (h) {
		err = evread_from_hex(r, hexkey, h, dst, f->size, &len);
		if (err)
			return err;
		put_u32(base, f->aux, (uint32_t)len);
		return 0;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *s = json_object_array_get_idx(arr, i);
		size_t sl;

		if (!json_object_is_type(s, json_type_string))
			return evread_fail(r, -EBADMSG, "field '%s' holds a non-string", f->name);
		sl = (size_t)json_object_get_string_len(s);
		if (len + sl > f->size)
			return evread_fail(r, -EBADMSG, "field '%s' is longer than %u bytes",
					   f->name, f->size);
		memcpy(dst + len, json_object_get_string(s), sl);
		len += sl;
		/* a buffer cut at its end has no NUL after the last string: it is full */
		if (len < f->size)
			dst[len++] = '\0';
		else if (i + 1 < n)
			return evread_fail(r, -EBADMSG, "field '%s' is longer than %u bytes",
					   f->name, f->size);
	}
	put_u32(base, f->aux, (uint32_t)len);
	return 0;
}

/* "path" ("@name" when abstract), "path_abstract", "path_hex" -> struct psc_unix_addr */
static int read_unixaddr(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	struct psc_unix_addr a;
	char key[64];
	bool abstract = false, hex;
	size_t n;
	int err;

	memset(&a, 0, sizeof(a));
	snprintf(key, sizeof(key), "%s_abstract", f->name);
	err = evread_get_bool(r, o, key, false, &abstract);
	if (err)
		return err;
	snprintf(key, sizeof(key), "%s_hex", f->name);
	/* with a _hex twin: the exact bytes, an abstract name's leading NUL included */
	hex = json_object_object_get_ex(o, key, NULL);
	err = evread_get_bytes(r, o, f->name, a.path, sizeof(a.path), true, &n);
	if (err)
		return err;
	if (!hex && abstract) {
		if (!n || a.path[0] != '@')
			return evread_fail(r, -EBADMSG, "field '%s' is abstract without '@'",
					   f->name);
		a.path[0] = '\0';
	}
	a.len = (uint32_t)n;
	memcpy(base + f->off, &a, sizeof(a));
	return 0;
}

static int read_ready(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	struct psc_epoll_ready *dst = (struct psc_epoll_ready *)(base + f->off);
	size_t cap = f->size / sizeof(*dst), n, i;
	json_object *arr;
	int err;

	arr = evread_member(r, o, f->name, json_type_array, true, &err);
	if (!arr)
		return err;
	n = json_object_array_length(arr);
	if (n > cap)
		return evread_fail(r, -EBADMSG, "field '%s' has more than %zu entries", f->name,
				   cap);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		struct psc_epoll_ready rd = { 0 };
		uint64_t data = 0;

		if (!json_object_is_type(e, json_type_object))
			return evread_fail(r, -EBADMSG, "field '%s' holds a non-object", f->name);
		err = evread_get_u32(r, e, "events", true, &rd.events);
		if (!err)
			err = evread_get_u64(r, e, "data", true, &data);
		if (err)
			return err;
		rd.data = data;
		memcpy(&dst[i], &rd, sizeof(rd));
	}
	put_u32(base, f->aux, (uint32_t)n);
	return 0;
}

static int read_fdinfo(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	struct psc_fd_info fi;
	json_object *v, *kind;
	uint64_t ino = 0;
	int64_t x;
	size_t n;
	uint32_t k;
	int err;

	memset(&fi, 0, sizeof(fi));
	v = evread_member(r, o, f->name, json_type_object, true, &err);
	if (!v)
		return err;
	err = evread_get_u64(r, v, "ino", true, &ino);
	if (err)
		return err;
	fi.ino = ino;
	kind = evread_member(r, v, "kind", json_type_string, true, &err);
	if (!kind)
		return err;
	/* a kind from a newer version reads as unknown, as the writer shows unknown numbers */
	for (k = 0; k <= PSC_FD_ANON; k++)
		if (!strcmp(json_object_get_string(kind), schema_fd_kind_name(k)))
			fi.kind = k;
	x = 0;
	err = evread_get_int(r, v, "family", 0, UINT16_MAX, false, &x);
	fi.sock_family = (uint16_t)x;
	x = 0;
	if (!err)
		err = evread_get_int(r, v, "sock_type", 0, UINT16_MAX, false, &x);
	fi.sock_type = (uint16_t)x;
	if (!err)
		err = evread_get_bytes(r, v, "name", fi.name, sizeof(fi.name), false, &n);
	if (err)
		return err;
	memcpy(base + f->off, &fi, sizeof(fi));
	return 0;
}

static int read_field(struct evread *r, json_object *o, const struct schema_field *f, char *base)
{
	int64_t x = 0;
	uint64_t u = 0;
	uint32_t u32 = 0;
	bool b = false;
	size_t n;
	int err;

	switch (f->kind) {
	case SK_U32:
		err = evread_get_u32(r, o, f->name, true, &u32);
		if (!err)
			put_u32(base, f->off, u32);
		return err;
	case SK_S32:
		err = evread_get_int(r, o, f->name, INT32_MIN, INT32_MAX, true, &x);
		if (!err) {
			int32_t v = (int32_t)x;

			memcpy(base + f->off, &v, sizeof(v));
		}
		return err;
	case SK_U64:
		err = evread_get_u64(r, o, f->name, true, &u);
		if (!err)
			memcpy(base + f->off, &u, sizeof(u));
		return err;
	case SK_S64:
		err = evread_get_int(r, o, f->name, INT64_MIN, INT64_MAX, true, &x);
		if (!err)
			memcpy(base + f->off, &x, sizeof(x));
		return err;
	case SK_TIME:
		/* the writer keeps 0 (unknown) as 0 rather than relative to the start */
		err = evread_get_int(r, o, f->name, INT64_MIN, INT64_MAX, true, &x);
		if (!err) {
			u = x ? evread_abs_time(r, x) : 0;
			memcpy(base + f->off, &u, sizeof(u));
		}
		return err;
	case SK_STR:
		/* at most size bytes: schema_fixup() then ends it in NUL, as decode does */
		return evread_get_bytes(r, o, f->name, base + f->off, f->size, true, &n);
	case SK_FLAG:
		err = evread_get_bool(r, o, f->name, !f->added, &b);
		if (!err && b)
			put_u32(base, f->off, load_u32(base, f->off) | f->aux);
		return err;
	case SK_CHAR: {
		char c = 0;

		err = evread_get_bytes(r, o, f->name, &c, 1, true, &n);
		if (!err)
			put_u32(base, f->off, n ? (unsigned char)c : 0);
		return err;
	}
	case SK_ARGV:
		return read_argv(r, o, f, base);
	case SK_READY:
		return read_ready(r, o, f, base);
	case SK_FDINFO:
		return read_fdinfo(r, o, f, base);
	case SK_UNIXADDR:
		return read_unixaddr(r, o, f, base);
	default:
		return 0;
	}
}

int evread_read_event(struct evread *r, json_object *o, const struct schema_type *st,
		      union psc_event *ev)
{
	const struct schema_field *f;
	char *base = (char *)ev;
	int64_t ts, start;
	int err;

	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = st->type;
	ev->hdr.size = st->size;
	err = evread_get_int(r, o, "ts_ns", INT64_MIN, INT64_MAX, true, &ts);
	if (!err)
		err = evread_get_u32(r, o, "pid", true, &ev->hdr.tgid);
	if (!err)
		err = evread_get_u32(r, o, "tid", true, &ev->hdr.tid);
	if (!err)
		err = evread_get_int(r, o, "start_ns", INT64_MIN, INT64_MAX, true, &start);
	if (err)
		return err;
	ev->hdr.ts_ns = evread_abs_time(r, ts);
	ev->hdr.start_ns = evread_abs_time(r, start);
	for (f = st->fields; f->name; f++) {
		err = read_field(r, o, f, base);
		if (err)
			return err;
	}
	if (schema_fixup(st, ev))
		return evread_fail(r, -EBADMSG, "a count is beyond its array");
	return 0;
}
