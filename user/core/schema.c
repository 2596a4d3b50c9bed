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
static void memo_map_build(const struct schema_type *st);

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
		memo_map_build(by_type[i]);
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
 * The memo of the log's writer: per slot (a hash of type and thread), a record written and the
 * text of its members after "ts_ns", with where each member's text ends. A busy thread often
 * repeats a record but for its timestamp (its sends, receives, wake-ups: same pid, start time,
 * sockets, sizes, flags), or but for one more number (a wait's entry time): then the text is
 * copied, and that one number formatted, instead of every member. A member's text is a function
 * of its bytes, its key and the time base alone, so the copy is what the writer would write.
 */
#define MEMO_SLOTS 64 /* a power of two */
#define MEMO_REC 384 /* record bytes kept: larger types are not memoized */
#define MEMO_TEXT 512 /* text kept: members written longer are not memoized */
#define MEMO_MEMBERS 64 /* members kept: ts_ns, pid, tid, start_ns, then the fields */
#define MEMO_SKIP offsetof(struct psc_ev_hdr, start_ns) /* ts_ns comes first, then the rest */
#define MEMBER_NONE 0xff /* bytes no member's text depends on */
#define MEMBER_MANY 0xfe /* bytes of a member other than one number, or of several members */

struct memo_slot {
	const struct schema_type *st; /* NULL: empty */
	uint64_t base_ns;
	uint16_t end[MEMO_MEMBERS]; /* where each member's text ends (ts_ns's: 0) */
	unsigned char rec[MEMO_REC];
	char text[MEMO_TEXT];
};

struct schema_memo {
	struct memo_slot slot[MEMO_SLOTS];
};

_Static_assert(offsetof(struct psc_ev_hdr, ts_ns) == 0 && MEMO_SKIP == 8,
	       "the memo compares a record from the end of ts_ns on");
_Static_assert(MEMO_MEMBERS < MEMBER_MANY, "member numbers fit a byte");

/* The member each byte of a type's record belongs to (MEMBER_*: none or not one number) */
static uint8_t member_at[PSC_EV_TYPE_MAX][MEMO_REC];
static bool memo_ok[PSC_EV_TYPE_MAX];

static void member_bytes(uint8_t *map, size_t off, size_t size, uint8_t member)
{
	size_t i;

	for (i = off; i < off + size && i < MEMO_REC; i++)
		map[i] = map[i] == MEMBER_NONE || map[i] == member ? member : MEMBER_MANY;
}

/* Number kinds: one member of 4 or 8 bytes (0: another kind) */
static size_t number_size(uint16_t kind)
{
	switch (kind) {
	case SK_U32:
	case SK_S32:
	case SK_FLAG:
		return 4;
	case SK_U64:
	case SK_S64:
	case SK_TIME:
		return 8;
	default:
		return 0;
	}
}

/* Called by registry_build() for each type */
static void memo_map_build(const struct schema_type *st)
{
	uint8_t *map = member_at[st->type];
	const struct schema_field *f;
	size_t m = 4;

	if (st->size > MEMO_REC || st->size < sizeof(struct psc_ev_hdr))
		return;
	memset(map, MEMBER_NONE, MEMO_REC);
	member_bytes(map, offsetof(struct psc_ev_hdr, tgid), 4, 1);
	member_bytes(map, offsetof(struct psc_ev_hdr, tid), 4, 2);
	member_bytes(map, offsetof(struct psc_ev_hdr, start_ns), 8, 3);
	for (f = st->fields; f->name; f++, m++) {
		if (m >= MEMO_MEMBERS)
			return;
		if (f->off + (size_t)f->size > st->size)
			return;
		if (number_size(f->kind) && number_size(f->kind) != f->size)
			return; /* read wider or narrower than the member: not memoized */
		if (number_size(f->kind))
			member_bytes(map, f->off, f->size, (uint8_t)m);
		else /* SK_CHAR reads a u32 whatever its size */
			member_bytes(map, f->off, f->size < 4 ? 4 : f->size, MEMBER_MANY);
		if (f->kind == SK_ARGV || f->kind == SK_READY) /* the count, wherever it is */
			member_bytes(map, f->aux, 4, MEMBER_MANY);
	}
	memo_ok[st->type] = true;
}

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

/* The bytes of @ev its text depends on: an epoll wait's unused ready entries do not count */
static size_t memo_len(const struct schema_type *st, const union psc_event *ev)
{
	const struct schema_field *f = ready_tail[st->type];
	size_t n = f ? get_u32(ev, f->aux) : 0;

	if (!f || n > f->size / sizeof(struct psc_epoll_ready))
		return st->size;
	return f->off + n * sizeof(struct psc_epoll_ready);
}

/* The first byte from @at on where @a and @b differ, or @len */
static size_t first_diff(const unsigned char *a, const unsigned char *b, size_t at, size_t len)
{
	uint64_t x, y;

	for (; at + 8 <= len; at += 8) {
		memcpy(&x, a + at, 8);
		memcpy(&y, b + at, 8);
		if (x != y)
			return at + (size_t)__builtin_ctzll(x ^ y) / 8;
	}
	for (; at < len; at++)
		if (a[at] != b[at])
			return at;
	return len;
}

/* The last byte before @len where @a and @b differ (they do, from @from on) */
static size_t last_diff(const unsigned char *a, const unsigned char *b, size_t from, size_t len)
{
	uint64_t x, y;

	for (; len >= from + 8; len -= 8) {
		memcpy(&x, a + len - 8, 8);
		memcpy(&y, b + len - 8, 8);
		if (x != y)
			return len - 1 - (size_t)__builtin_clzll(x ^ y) / 8;
	}
	while (len > from && a[len - 1] == b[len - 1])
		len--;
	return len - 1;
}

/* Append @n bytes of @text at the cursor (no room only when the writer failed) */
static void cur_copy(struct jw *w, struct jw_cur *c, const char *text, size_t n)
{
	if (n && jw_cur_room(w, c, n)) {
		memcpy(c->p, text, n);
		c->p += n;
	}
}

void schema_write_record(struct jw *w, const struct schema_type *st, const union psc_event *ev,
			 uint64_t base_ns)
{
	schema_write_record_memo(w, st, ev, base_ns, NULL);
}

/* Member @m (1 to 3: the header's pid, tid, start_ns; from 4: a field) when it is a number */
static bool write_number(struct jw *w, struct jw_cur *c, const struct schema_type *st,
			 const union psc_event *ev, uint64_t base_ns, size_t m)
{
	static const struct jw_key k_pid = JW_KEY("pid"), k_tid = JW_KEY("tid"),
				   k_start = JW_KEY("start_ns");
	const struct schema_field *f;
	const char *p;
	uint64_t u64;
	int64_t s64;
	int32_t s32;

	switch (m) {
	case 1:
		jw_cur_kv_u64(w, c, &k_pid, ev->hdr.tgid);
		return true;
	case 2:
		jw_cur_kv_u64(w, c, &k_tid, ev->hdr.tid);
		return true;
	case 3:
		jw_cur_kv_i64(w, c, &k_start, (int64_t)(ev->hdr.start_ns - base_ns));
		return true;
	default:
		break;
	}
	f = &st->fields[m - 4];
	p = (const char *)ev + f->off;
	switch (f->kind) {
	case SK_U32:
		jw_cur_kv_u64(w, c, &f->key, get_u32(ev, f->off));
		return true;
	case SK_S32:
		memcpy(&s32, p, sizeof(s32));
		jw_cur_kv_i64(w, c, &f->key, s32);
		return true;
	case SK_U64:
		memcpy(&u64, p, sizeof(u64));
		jw_cur_kv_u64(w, c, &f->key, u64);
		return true;
	case SK_S64:
		memcpy(&s64, p, sizeof(s64));
		jw_cur_kv_i64(w, c, &f->key, s64);
		return true;
	case SK_TIME:
		memcpy(&u64, p, sizeof(u64));
		jw_cur_kv_i64(w, c, &f->key, u64 ? (int64_t)(u64 - base_ns) : 0);
		return true;
	case SK_FLAG:
		jw_cur_kv_bool(w, c, &f->key, get_u32(ev, f->off) & f->aux);
		return true;
	default:
		return false;
	}
}

/*
 * The slot's record is @ev's but for its timestamp and at most one number member: its text,
 * with that member written again. False when the record differs more.
 */
static bool memo_hit(struct jw *w, struct jw_cur *c, const struct memo_slot *slot,
		     const union psc_event *ev, uint64_t base_ns)
{
	const unsigned char *a = (const unsigned char *)ev;
	const struct schema_type *st = slot->st;
	const uint8_t *map = member_at[st->type];
	size_t len = memo_len(st, ev), d1, d2, m;

	d1 = first_diff(a, slot->rec, MEMO_SKIP, len);
	if (d1 == len) {
		cur_copy(w, c, slot->text, slot->end[slot->end[0]]);
		return true;
	}
	d2 = last_diff(a, slot->rec, d1, len);
	m = map[d1];
	if (!m || m >= MEMO_MEMBERS || map[d2] != m) /* MEMBER_*: not one number */
		return false;
	/* the members before it, it, the members after it */
	cur_copy(w, c, slot->text, slot->end[m - 1]);
	write_number(w, c, st, ev, base_ns, m);
	cur_copy(w, c, slot->text + slot->end[m], slot->end[slot->end[0]] - slot->end[m]);
	return true;
}

void schema_write_record_memo(struct jw *w, const struct schema_type *st, const union psc_event *ev,
			      uint64_t base_ns, struct schema_memo *memo)
{
	static const struct jw_key k_type = JW_KEY("type"), k_ts = JW_KEY("ts_ns");
	const struct schema_field *f;
	const char *base = (const char *)ev;
	struct jw_cur c = { 0 };
	struct memo_slot *slot = NULL;
	uint16_t end[MEMO_MEMBERS];
	size_t from = 0, m;

	registry_init();
	if (st->type >= PSC_EV_TYPE_MAX || !jw_member_k(w, &type_member[st->type]))
		jw_kv_str_k(w, &k_type, st->name);
	jw_cur_kv_i64(w, &c, &k_ts, (int64_t)(ev->hdr.ts_ns - base_ns));
	/* the memo serves the writer's cursor (in place): not pretty output, not an error */
	if (memo && c.p && st->type < PSC_EV_TYPE_MAX && by_type[st->type] == st &&
	    memo_ok[st->type]) {
		slot = memo_slot(memo, ev);
		from = (size_t)(c.p - w->buf);
		if (slot->st == st && slot->base_ns == base_ns &&
		    memo_hit(w, &c, slot, ev, base_ns))
			goto extra;
	}
	/* end[0]: the members; end[m]: where member m's text ends, from ts_ns's end */
	end[0] = 0;
	for (m = 1; m < 4; m++) {
		write_number(w, &c, st, ev, base_ns, m);
		if (slot)
			end[m] = (uint16_t)(c.p ? (size_t)(c.p - w->buf) - from : 0);
	}
	for (f = st->fields; f->name; f++, m++) {
		const void *p = base + f->off;

		if (write_number(w, &c, st, ev, base_ns, m))
			goto written;
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
written:
		if (slot && m < MEMO_MEMBERS) {
			size_t at = c.p ? (size_t)(c.p - w->buf) : w->len;

			end[m] = (uint16_t)(at - from < MEMO_TEXT ? at - from : MEMO_TEXT);
		}
	}
	jw_cur_close(w, &c);
	if (slot) {
		/* this record and its text replace the slot's */
		slot->st = NULL;
		if (!w->err && w->len - from <= MEMO_TEXT && m < MEMO_MEMBERS) {
			end[0] = (uint16_t)(m - 1); /* the last member */
			slot->st = st;
			slot->base_ns = base_ns;
			memcpy(slot->end, end, m * sizeof(end[0]));
			memcpy(slot->rec, base, memo_len(st, ev));
			memcpy(slot->text, w->buf + from, w->len - from);
		}
	}
extra:
	jw_cur_close(w, &c);
	if (st->record_extra)
		st->record_extra(w, ev);
}
