// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The schema registry and the generic walkers over it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "json_writer.h"
#include "schema.h"

static const struct schema_type *by_type[PSC_EV_TYPE_MAX];
static const struct schema_type *ordered[PSC_EV_TYPE_MAX];
static size_t nordered;
/* "type":"<name>" of each type, for the log's writer (len 0: the general calls) */
static struct jw_key type_member[PSC_EV_TYPE_MAX];
/* types with a field schema_fixup() checks or terminates (most have none) */
static bool needs_fixup[PSC_EV_TYPE_MAX];
/* the SK_READY field that ends a type's record, if one does */
static const struct schema_field *ready_tail[PSC_EV_TYPE_MAX];
static pthread_once_t registry_once = PTHREAD_ONCE_INIT;

/* Built once from the per-group tables (the drain thread and the session thread both read it) */
static void registry_build(void)
{
	const struct schema_type *groups[] = { schema_proc_types, schema_epoll_types,
					       schema_unix_types, schema_sched_types };
	const struct schema_type *t;
	const struct schema_field *f;
	size_t g, n = 0;
	uint32_t i;

	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (t = groups[g]; t->size; t++)
			if (t->type < PSC_EV_TYPE_MAX)
				by_type[t->type] = t;
	for (i = 0; i < PSC_EV_TYPE_MAX; i++) {
		if (!by_type[i])
			continue;
		ordered[n++] = by_type[i];
		for (f = by_type[i]->fields; f->name; f++)
			if (f->kind == SK_STR || f->kind == SK_ARGV || f->kind == SK_READY ||
			    f->kind == SK_UNIXADDR)
				needs_fixup[i] = true;
		for (f = by_type[i]->fields; f->name; f++)
			if (f->kind == SK_READY && f->off + f->size == by_type[i]->size)
				ready_tail[i] = f;
		jw_member_prepare(&type_member[i], "type", by_type[i]->name);
	}
	nordered = n;
}

static void registry_init(void)
{
	pthread_once(&registry_once, registry_build);
}

const struct schema_type *schema_lookup(uint32_t type)
{
	registry_init();
	return type < PSC_EV_TYPE_MAX ? by_type[type] : NULL;
}

const struct schema_field *schema_ready_tail(uint32_t type)
{
	registry_init();
	return type < PSC_EV_TYPE_MAX ? ready_tail[type] : NULL;
}

const struct schema_type *schema_by_name(const char *name)
{
	size_t i;

	registry_init();
	for (i = 0; i < nordered; i++)
		if (!strcmp(ordered[i]->name, name))
			return ordered[i];
	return NULL;
}

const struct schema_type *const *schema_all(size_t *n)
{
	registry_init();
	*n = nordered;
	return ordered;
}

const char *schema_group_name(uint32_t group)
{
	switch (group) {
	case PSC_GROUP_PROC:
		return "proc";
	case PSC_GROUP_EPOLL:
		return "epoll";
	case PSC_GROUP_UNIX:
		return "unix";
	case PSC_GROUP_SCHED:
		return "sched";
	default:
		return "?";
	}
}

static uint32_t get_u32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

int schema_fixup(const struct schema_type *st, union psc_event *ev)
{
	const struct schema_field *f;
	char *base = (char *)ev;

	registry_init();
	if (st->type < PSC_EV_TYPE_MAX && by_type[st->type] == st && !needs_fixup[st->type])
		return 0;
	for (f = st->fields; f->name; f++) {
		switch (f->kind) {
		case SK_STR:
			base[f->off + f->size - 1] = '\0';
			break;
		case SK_ARGV:
			if (get_u32(ev, f->aux) > f->size)
				return -EBADMSG;
			break;
		case SK_READY: {
			uint32_t n = get_u32(ev, f->aux);

			if (n > f->size / sizeof(struct psc_epoll_ready))
				return -EBADMSG;
			/* the kernel leaves the unused entries as they were (ring bytes) */
			memset(base + f->off + n * sizeof(struct psc_epoll_ready), 0,
			       f->size - n * sizeof(struct psc_epoll_ready));
			break;
		}
		case SK_UNIXADDR:
			if (get_u32(ev, f->off) > PSC_UNIX_PATH_LEN)
				return -EBADMSG;
			break;
		default:
			break;
		}
	}
	return 0;
}

static const char *const fd_kinds[] = {
	[PSC_FD_UNKNOWN] = "unknown", [PSC_FD_FILE] = "file",	  [PSC_FD_DIR] = "dir",
	[PSC_FD_FIFO] = "fifo",	      [PSC_FD_SOCKET] = "socket", [PSC_FD_CHR] = "chr",
	[PSC_FD_BLK] = "blk",	      [PSC_FD_ANON] = "anon",
};

const char *schema_fd_kind_name(uint32_t kind)
{
	return kind < sizeof(fd_kinds) / sizeof(fd_kinds[0]) ? fd_kinds[kind] : "unknown";
}

static void write_argv(struct jw *w, const char *name, const char *args, size_t len)
{
	char hexkey[64];
	size_t i = 0;

	jw_key(w, name);
	jw_arr_start(w);
	while (i < len) {
		size_t n = strnlen(args + i, len - i);

		jw_strn(w, args + i, n);
		i += n + 1;
	}
	jw_arr_end(w);
	if (!json_str_is_lossless(args, len)) {
		snprintf(hexkey, sizeof(hexkey), "%s_hex", name);
		jw_kv_hex(w, hexkey, args, len);
	}
}

static void write_ready(struct jw *w, const struct jw_key *key, const struct psc_epoll_ready *r,
			uint32_t n)
{
	static const struct jw_key k_events = JW_KEY("events"), k_data = JW_KEY("data");
	struct jw_cur c = { 0 };
	uint32_t i;

	jw_key_k(w, key);
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		jw_obj_start(w);
		jw_kv_u64_k(w, &k_events, r[i].events);
		jw_cur_kv_u64(w, &c, &k_data, r[i].data);
		jw_cur_close(w, &c);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void write_fdinfo(struct jw *w, const char *name, const struct psc_fd_info *fi)
{
	jw_key(w, name);
	jw_obj_start(w);
	jw_kv_u64(w, "ino", fi->ino);
	jw_kv_str(w, "kind", schema_fd_kind_name(fi->kind));
	if (fi->kind == PSC_FD_SOCKET) {
		jw_kv_u64(w, "family", fi->sock_family);
		jw_kv_u64(w, "sock_type", fi->sock_type);
	}
	if (fi->name[0])
		jw_kv_bytes(w, "name", fi->name, strnlen(fi->name, sizeof(fi->name)));
	jw_obj_end(w);
}

/* "path": the filesystem path, or "@name" for an abstract one (leading NUL byte) */
static void write_unixaddr(struct jw *w, const char *name, const struct psc_unix_addr *a)
{
	char key[64];
	bool abstract = a->len > 0 && a->path[0] == '\0';
	size_t len = a->len > PSC_UNIX_PATH_LEN ? PSC_UNIX_PATH_LEN : a->len;

	if (!abstract)
		len = strnlen(a->path, len); /* a filesystem path ends at its NUL, if any */
	jw_key(w, name);
	if (abstract) {
		char shown[PSC_UNIX_PATH_LEN + 1];

		shown[0] = '@';
		memcpy(shown + 1, a->path + 1, len - 1);
		jw_strn(w, shown, len);
	} else {
		jw_strn(w, a->path, len);
	}
	snprintf(key, sizeof(key), "%s_abstract", name);
	jw_kv_bool(w, key, abstract);
	if (!json_str_is_lossless(a->path + abstract, len - abstract) ||
	    memchr(a->path + abstract, '\0', len - abstract)) {
		snprintf(key, sizeof(key), "%s_hex", name);
		jw_kv_hex(w, key, a->path, len);
	}
}

/*
 * The memo of the log's writer: per slot (a hash of type and thread), the last record written
 * and the text of its members after "ts_ns". A busy thread often repeats a record but for its
 * timestamp (its sends, receives, wake-ups: same pid, start time, sockets, sizes, flags); then
 * those members are copied as text instead of formatted again. Their text is a function of the
 * record's bytes after ts_ns, its type and the time base alone, so the copy is what the writer
 * would write.
 */
#define MEMO_SLOTS 64 /* a power of two */
#define MEMO_REC 384 /* record bytes kept: larger types are not memoized */
#define MEMO_TEXT 512 /* text kept: members written longer are not memoized */
#define MEMO_SKIP offsetof(struct psc_ev_hdr, start_ns) /* ts_ns comes first, then the rest */

struct memo_slot {
	const struct schema_type *st; /* NULL: empty */
	uint64_t base_ns;
	uint32_t len; /* bytes of text */
	unsigned char rec[MEMO_REC];
	char text[MEMO_TEXT];
};

struct schema_memo {
	struct memo_slot slot[MEMO_SLOTS];
};

_Static_assert(offsetof(struct psc_ev_hdr, ts_ns) == 0 && MEMO_SKIP == 8,
	       "the memo compares a record from the end of ts_ns on");

struct schema_memo *schema_memo_new(void)
{
	return calloc(1, sizeof(struct schema_memo));
}

void schema_memo_free(struct schema_memo *memo)
{
	free(memo);
}

/* The slot of @ev's type and thread */
static struct memo_slot *memo_slot(struct schema_memo *memo, const union psc_event *ev)
{
	uint32_t h = (ev->hdr.type * 0x9e3779b1u) ^ (ev->hdr.tid * 0x85ebca6bu);

	return &memo->slot[(h >> 26) & (MEMO_SLOTS - 1)];
}

void schema_write_record(struct jw *w, const struct schema_type *st, const union psc_event *ev,
			 uint64_t base_ns)
{
	schema_write_record_memo(w, st, ev, base_ns, NULL);
}

void schema_write_record_memo(struct jw *w, const struct schema_type *st, const union psc_event *ev,
			      uint64_t base_ns, struct schema_memo *memo)
{
	static const struct jw_key k_type = JW_KEY("type"), k_ts = JW_KEY("ts_ns"),
				   k_pid = JW_KEY("pid"), k_tid = JW_KEY("tid"),
				   k_start = JW_KEY("start_ns");
	const struct schema_field *f;
	const char *base = (const char *)ev;
	struct jw_cur c = { 0 };
	struct memo_slot *slot = NULL;
	size_t from = 0;

	registry_init();
	if (st->type >= PSC_EV_TYPE_MAX || !jw_member_k(w, &type_member[st->type]))
		jw_kv_str_k(w, &k_type, st->name);
	jw_cur_kv_i64(w, &c, &k_ts, (int64_t)(ev->hdr.ts_ns - base_ns));
	/* the memo serves the writer's cursor (in place): not pretty output, not an error */
	if (memo && st->size <= MEMO_REC && st->size >= MEMO_SKIP && c.p) {
		slot = memo_slot(memo, ev);
		from = (size_t)(c.p - w->buf);
		if (slot->st == st && slot->base_ns == base_ns &&
		    !memcmp(base + MEMO_SKIP, slot->rec + MEMO_SKIP, st->size - MEMO_SKIP)) {
			/* no room only when the writer failed (the line is then dropped) */
			if (jw_cur_room(w, &c, slot->len)) {
				memcpy(c.p, slot->text, slot->len);
				c.p += slot->len;
			}
			goto extra;
		}
	}
	jw_cur_kv_u64(w, &c, &k_pid, ev->hdr.tgid);
	jw_cur_kv_u64(w, &c, &k_tid, ev->hdr.tid);
	jw_cur_kv_i64(w, &c, &k_start, (int64_t)(ev->hdr.start_ns - base_ns));
	for (f = st->fields; f->name; f++) {
		const void *p = base + f->off;
		uint64_t u64;
		int64_t s64;
		int32_t s32;

		switch (f->kind) {
		case SK_U32:
			jw_cur_kv_u64(w, &c, &f->key, get_u32(ev, f->off));
			continue;
		case SK_S32:
			memcpy(&s32, p, sizeof(s32));
			jw_cur_kv_i64(w, &c, &f->key, s32);
			continue;
		case SK_U64:
			memcpy(&u64, p, sizeof(u64));
			jw_cur_kv_u64(w, &c, &f->key, u64);
			continue;
		case SK_S64:
			memcpy(&s64, p, sizeof(s64));
			jw_cur_kv_i64(w, &c, &f->key, s64);
			continue;
		case SK_TIME:
			memcpy(&u64, p, sizeof(u64));
			jw_cur_kv_i64(w, &c, &f->key, u64 ? (int64_t)(u64 - base_ns) : 0);
			continue;
		case SK_FLAG:
			jw_cur_kv_bool(w, &c, &f->key, get_u32(ev, f->off) & f->aux);
			continue;
		default:
			break;
		}
		/* the other kinds take the general calls: the text so far goes back to the writer */
		jw_cur_close(w, &c);
		switch (f->kind) {
		case SK_STR:
			jw_kv_bytes(w, f->name, p, strnlen(p, f->size));
			break;
		case SK_CHAR: {
			char ch = (char)get_u32(ev, f->off);

			jw_kv_bytes(w, f->name, &ch, ch ? 1 : 0);
			break;
		}
		case SK_ARGV:
			write_argv(w, f->name, p, get_u32(ev, f->aux));
			break;
		case SK_READY:
			write_ready(w, &f->key, p, get_u32(ev, f->aux));
			break;
		case SK_FDINFO:
			write_fdinfo(w, f->name, p);
			break;
		case SK_UNIXADDR:
			write_unixaddr(w, f->name, p);
			break;
		default:
			break;
		}
	}
	jw_cur_close(w, &c);
	if (slot) {
		/* this record and its text replace the slot's */
		slot->st = NULL;
		if (!w->err && w->len - from <= MEMO_TEXT) {
			slot->st = st;
			slot->base_ns = base_ns;
			slot->len = (uint32_t)(w->len - from);
			memcpy(slot->rec, base, st->size);
			memcpy(slot->text, w->buf + from, slot->len);
		}
	}
extra:
	jw_cur_close(w, &c);
	if (st->record_extra)
		st->record_extra(w, ev);
}
