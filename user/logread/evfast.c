// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The log reader's fast path (see evfast.h). Why not a general parser: json-c builds a tree of
 * heap objects with a hash table per object, about 80% of `report`'s time; a tokenizer such as
 * jsmn or simdjson would still leave the schema lookups, string copies and range checks to do.
 * Our lines are flat, short and written by one writer in one order, so one pass that knows the
 * schema does all of it. Every rule below errs on the side of "leave it to json-c": the fast
 * path may decline any line, but must never accept one the full parser would read differently.
 */
#include <stdbool.h>
#include <string.h>
#include "evfast.h"
#include "evfast_int.h"
#include "schema.h"

static bool key_is(const struct fx_member *m, const char *name, size_t n)
{
	return m->klen == n && !memcmp(m->key, name, n);
}

/* Is the key @name (NUL-terminated), without measuring @name first */
static inline bool key_is_cstr(const struct fx_member *m, const char *name)
{
	size_t i;

	/* a key holds no NUL: a shorter @name differs at its end */
	for (i = 0; i < m->klen; i++)
		if (m->key[i] != name[i])
			return false;
	return !name[i];
}

static bool ends_with(const struct fx_member *m, const char *sfx, size_t n)
{
	return m->klen >= n && !memcmp(m->key + m->klen - n, sfx, n);
}

/*
 * The member named @name, expected at *@hint (the writer's order); NULL if absent. Marks it
 * used: a second member of the same name is caught by no_duplicates().
 */
static struct fx_member *find(struct fx_obj *o, const char *name, size_t *hint)
{
	size_t i;

	if (*hint < o->n && key_is_cstr(&o->m[*hint], name)) {
		o->m[*hint].used = true;
		return &o->m[(*hint)++];
	}
	for (i = 0; i < o->n; i++)
		if (key_is_cstr(&o->m[i], name) && !o->m[i].used) {
			o->m[i].used = true;
			*hint = i + 1;
			return &o->m[i];
		}
	return NULL;
}

/* An unused member named like a used one: json-c keeps the last of duplicates */
static bool has_duplicate(const struct fx_obj *o)
{
	size_t i, j;

	for (i = 0; i < o->n; i++) {
		if (o->m[i].used)
			continue;
		for (j = 0; j < o->n; j++)
			if (o->m[j].used && o->m[j].klen == o->m[i].klen &&
			    o->m[j].key[0] == o->m[i].key[0] &&
			    !memcmp(o->m[j].key, o->m[i].key, o->m[i].klen))
				return true;
	}
	return false;
}

/* The integer checks of evread.c's get_int(), get_u64() */
static bool as_int(const struct fx_member *m, int64_t min, int64_t max, int64_t *out)
{
	int64_t x;

	if (!m || m->v.kind != FX_INT)
		return false;
	if (m->v.neg) {
		if (m->v.mag > (uint64_t)INT64_MAX + 1)
			return false;
		x = m->v.mag ? (int64_t)(0 - m->v.mag) : 0;
	} else {
		if (m->v.mag > (uint64_t)INT64_MAX)
			return false;
		x = (int64_t)m->v.mag;
	}
	if (x < min || x > max)
		return false;
	*out = x;
	return true;
}

static bool as_u64(const struct fx_member *m, uint64_t *out)
{
	if (!m || m->v.kind != FX_INT || (m->v.neg && m->v.mag))
		return false;
	*out = m->v.mag;
	return true;
}

static bool as_u32(const struct fx_member *m, uint32_t *out)
{
	int64_t x;

	if (!as_int(m, 0, UINT32_MAX, &x))
		return false;
	*out = (uint32_t)x;
	return true;
}

/* [{"events":N,"data":N}, ...] into struct psc_epoll_ready[] */
static bool read_ready(const struct fx_member *m, const struct schema_field *f, char *base)
{
	struct psc_epoll_ready *dst = (struct psc_epoll_ready *)(base + f->off);
	size_t cap = f->size / sizeof(*dst), n = 0;
	const char *p, *e;
	struct fx_obj o;
	uint32_t cnt;

	if (!m || m->v.kind != FX_ARR)
		return false;
	p = skip_ws(m->v.s + 1, m->v.s + m->v.n);
	e = m->v.s + m->v.n - 1; /* the ']' */
	while (p < e) {
		struct psc_epoll_ready rd = { 0 };
		uint64_t data;
		size_t hint = 0;

		if (n == cap)
			return false;
		p = evfast_members(p, e, 1, &o);
		if (!p || !as_u32(find(&o, "events", &hint), &rd.events) ||
		    !as_u64(find(&o, "data", &hint), &data) || has_duplicate(&o))
			return false;
		rd.data = data;
		memcpy(&dst[n++], &rd, sizeof(rd));
		p = skip_ws(p, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	cnt = (uint32_t)n;
	memcpy(base + f->aux, &cnt, sizeof(cnt));
	return true;
}

/* The literal @key (@klen bytes), then an unsigned integer into @v: the text after it, or NULL */
static const char *keyed_uint(const char *p, const char *e, const char *key, size_t klen,
			      struct fx_val *v)
{
	if ((size_t)(e - p) < klen || memcmp(p, key, klen))
		return NULL;
	p += klen;
	if (p >= e || (unsigned char)(*p - '0') >= 10)
		return NULL;
	return parse_int(p, e, v);
}

/*
 * A "ready" array exactly as the writer writes it, [{"events":N,"data":N},...], into @f of
 * @base: the text after it, or NULL for anything else (read_ready() then reads the value)
 */
static const char *ready_as_written(const char *p, const char *e, const struct schema_field *f,
				    char *base)
{
	static const char ev_key[] = "{\"events\":", data_key[] = ",\"data\":";
	struct psc_epoll_ready *dst = (struct psc_epoll_ready *)(base + f->off);
	size_t cap = f->size / sizeof(*dst), n = 0;
	struct fx_val ev, data;
	uint32_t cnt;

	if (p >= e || *p++ != '[')
		return NULL;
	if (p < e && *p == ']')
		goto done;
	for (;;) {
		struct psc_epoll_ready rd = { 0 };

		if (n == cap)
			return NULL;
		p = keyed_uint(p, e, ev_key, sizeof(ev_key) - 1, &ev);
		if (!p || ev.mag > UINT32_MAX)
			return NULL;
		p = keyed_uint(p, e, data_key, sizeof(data_key) - 1, &data);
		if (!p || p >= e || *p++ != '}')
			return NULL;
		rd.events = (uint32_t)ev.mag;
		rd.data = data.mag;
		memcpy(&dst[n++], &rd, sizeof(rd));
		if (p < e && *p == ',') {
			p++;
			continue;
		}
		if (p < e && *p == ']')
			break;
		return NULL;
	}
done:
	cnt = (uint32_t)n;
	memcpy(base + f->aux, &cnt, sizeof(cnt));
	return p + 1;
}

static bool read_field(const struct fx_member *m, const struct schema_field *f, char *base,
		       uint64_t base_ns)
{
	int64_t x;
	uint64_t u;
	uint32_t u32;

	switch (f->kind) {
	case SK_U32:
		if (!as_u32(m, &u32))
			return false;
		memcpy(base + f->off, &u32, sizeof(u32));
		return true;
	case SK_S32:
		if (!as_int(m, INT32_MIN, INT32_MAX, &x))
			return false;
		{
			int32_t v = (int32_t)x;

			memcpy(base + f->off, &v, sizeof(v));
		}
		return true;
	case SK_U64:
		if (!as_u64(m, &u))
			return false;
		memcpy(base + f->off, &u, sizeof(u));
		return true;
	case SK_S64:
		if (!as_int(m, INT64_MIN, INT64_MAX, &x))
			return false;
		memcpy(base + f->off, &x, sizeof(x));
		return true;
	case SK_TIME:
		if (!as_int(m, INT64_MIN, INT64_MAX, &x))
			return false;
		u = x ? base_ns + (uint64_t)x : 0;
		memcpy(base + f->off, &u, sizeof(u));
		return true;
	case SK_STR:
		if (!m || m->v.kind != FX_STR || m->v.n > f->size)
			return false;
		memcpy(base + f->off, m->v.s, m->v.n);
		return true;
	case SK_CHAR:
		if (!m || m->v.kind != FX_STR || m->v.n > 1)
			return false;
		u32 = m->v.n ? (unsigned char)m->v.s[0] : 0;
		memcpy(base + f->off, &u32, sizeof(u32));
		return true;
	case SK_FLAG:
		if (!m || (m->v.kind != FX_TRUE && m->v.kind != FX_FALSE))
			return false;
		if (m->v.kind == FX_TRUE) {
			memcpy(&u32, base + f->off, sizeof(u32));
			u32 |= f->aux;
			memcpy(base + f->off, &u32, sizeof(u32));
		}
		return true;
	case SK_READY:
		return read_ready(m, f, base);
	default:
		return false; /* argv, addresses, fd facts: rare; the full parser reads them */
	}
}

/* A member name's bit in a type's name filter: from its length and first byte */
static inline uint64_t name_bit(const char *key, size_t klen)
{
	return 1ull << ((klen * 7 + (klen ? (unsigned char)key[0] : 0u)) & 63);
}

/* The members every event record starts with, in the writer's order */
static const char *const head_names[] = { "type", "ts_ns", "pid", "tid", "start_ns" };

#define HEAD_NAMES (sizeof(head_names) / sizeof(head_names[0]))

/* The name of member @i in the writer's order after "type" */
static inline const char *member_name(const struct evfast_type *t, size_t i)
{
	return i < EVFAST_HEAD ? head_names[i + 1] : t->st->fields[i - EVFAST_HEAD].name;
}

/* What the ordered reader needs to know of @st, into @t */
static void type_learn(struct evfast_type *t, const struct schema_type *st)
{
	const struct schema_field *f;
	char tok[UINT8_MAX + 8];
	size_t i, n;

	t->st = st;
	t->names = 0;
	for (i = 0; i < HEAD_NAMES; i++)
		t->names |= name_bit(head_names[i], strlen(head_names[i]));
	for (f = st->fields; f->name; f++)
		t->names |= name_bit(f->name, strlen(f->name));
	for (i = 0; member_name(t, i); i++) {
		n = strlen(member_name(t, i));
		/* a name too long for a byte, or too many fields: read in any order */
		if (n > UINT8_MAX || n == 0 || i == EVFAST_HEAD + EVFAST_MAX_FIELDS) {
			t->len[0] = 0;
			return;
		}
		t->len[i] = (uint8_t)n;
		memset(tok, 0, sizeof(tok));
		tok[0] = '"';
		memcpy(tok + 1, member_name(t, i), n);
		tok[n + 1] = '"';
		tok[n + 2] = ':';
		memcpy(&t->tok[i], tok, sizeof(t->tok[i]));
	}
	t->len[i] = 0;
}

/* The type named @s (@n bytes), or NULL; looked up once per name in @c */
static const struct evfast_type *type_named(const char *s, size_t n, struct evfast_cache *c)
{
	const struct fx_member name_m = { .key = s, .klen = n };
	struct evfast_type *t;
	const struct schema_type *st;
	char name[48];

	if (!n || n >= sizeof(name))
		return NULL;
	t = &c->types[(n * 7 + (unsigned char)s[0] + (unsigned char)s[n - 1]) % EVFAST_TYPE_SLOTS];
	if (!t->st || !key_is_cstr(&name_m, t->st->name)) {
		memcpy(name, s, n);
		name[n] = '\0';
		st = schema_by_name(name);
		if (!st)
			return NULL;
		type_learn(t, st);
	}
	return t;
}

/* The schema of the record type named by @m, or NULL */
static const struct schema_type *type_of(const struct fx_member *m, struct evfast_cache *c)
{
	const struct evfast_type *t;

	if (!m || m->v.kind != FX_STR)
		return NULL;
	t = type_named(m->v.s, m->v.n, c);
	return t ? t->st : NULL;
}

/* Twins that change how a field reads, and derived records: the full parser */
static bool key_declines(const char *key, size_t klen)
{
	const struct fx_member m = { .key = key, .klen = klen };

	return ends_with(&m, "_hex", 4) || ends_with(&m, "_abstract", 9) ||
	       key_is(&m, "derived", 7);
}

/* Any order of members: what parse_ordered() leaves */
static int parse_any(const char *line, size_t len, uint64_t base_ns, struct evfast_cache *cache,
		     union psc_event *ev)
{
	const char *e = line + len, *p;
	const struct schema_type *st;
	const struct schema_field *f;
	struct fx_obj o;
	size_t hint = 0, i;
	int64_t ts, start;

	p = evfast_members(line, e, 0, &o);
	if (!p)
		return 0;
	/* after the record: only what the full parser allows there */
	for (; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	for (i = 0; i < o.n; i++)
		if (key_declines(o.m[i].key, o.m[i].klen))
			return 0;
	st = type_of(find(&o, "type", &hint), cache);
	if (!st)
		return 0; /* header, trailer, lost, unknown */
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = st->type;
	ev->hdr.size = st->size;
	if (!as_int(find(&o, "ts_ns", &hint), INT64_MIN, INT64_MAX, &ts) ||
	    !as_u32(find(&o, "pid", &hint), &ev->hdr.tgid) ||
	    !as_u32(find(&o, "tid", &hint), &ev->hdr.tid) ||
	    !as_int(find(&o, "start_ns", &hint), INT64_MIN, INT64_MAX, &start))
		return 0;
	ev->hdr.ts_ns = base_ns + (uint64_t)ts;
	ev->hdr.start_ns = base_ns + (uint64_t)start;
	for (f = st->fields; f->name; f++)
		if (!read_field(find(&o, f->name, &hint), f, (char *)ev, base_ns))
			return 0;
	if (has_duplicate(&o) || schema_fixup(st, ev))
		return 0;
	return 1;
}

/* Is @key one of @st's member names (the header's included) */
static bool is_member_name(const struct schema_type *st, const char *key, size_t klen)
{
	const struct fx_member m = { .key = key, .klen = klen };
	const struct schema_field *f;
	size_t i;

	for (i = 0; i < HEAD_NAMES; i++)
		if (key_is_cstr(&m, head_names[i]))
			return true;
	for (f = st->fields; f->name; f++)
		if (key_is_cstr(&m, f->name))
			return true;
	return false;
}

/* The @n bytes at @p are @name's: compared a word at a time (the caller checked the bounds) */
static inline bool same_bytes(const char *p, const char *name, size_t n)
{
	uint64_t a, b;
	uint32_t c, d;

	for (; n >= 8; n -= 8, p += 8, name += 8) {
		memcpy(&a, p, sizeof(a));
		memcpy(&b, name, sizeof(b));
		if (a != b)
			return false;
	}
	if (n >= 4) {
		memcpy(&c, p, sizeof(c));
		memcpy(&d, name, sizeof(d));
		if (c != d)
			return false;
		n -= 4;
		p += 4;
		name += 4;
	}
	for (; n; n--)
		if (*p++ != *name++)
			return false;
	return true;
}

/*
 * The key at @p (its '"') is member @i of @t and a ':' follows: the text after it, or NULL.
 * The first 8 bytes in one compare (most names are short), the rest a word at a time.
 */
static inline const char *key_at(const char *p, const char *e, const struct evfast_type *t,
				 size_t i)
{
	size_t n = t->len[i], tl = n + 3; /* "name": */
	uint64_t w;

	if ((size_t)(e - p) < (tl > 8 ? tl : 8)) {
		/* near the end of the line: byte by byte */
		if ((size_t)(e - p) < tl || !same_bytes(p + 1, member_name(t, i), n) ||
		    p[n + 1] != '"' || p[n + 2] != ':')
			return NULL;
		return p + tl;
	}
	memcpy(&w, p, sizeof(w));
	w ^= t->tok[i];
	if (tl < 8)
		w &= (1ull << (8 * tl)) - 1;
	if (w)
		return NULL;
	/* past the first word: the rest of the name (from its 8th byte), '"' and ':' */
	if (tl > 8 && ((n > 7 && !same_bytes(p + 8, member_name(t, i) + 7, n - 7)) ||
		       p[n + 1] != '"' || p[n + 2] != ':'))
		return NULL;
	return p + tl;
}

/* A value, the common kinds first */
static inline const char *parse_any_value(const char *p, const char *e, struct fx_val *v)
{
	if (p < e && (*p == '-' || (unsigned char)(*p - '0') < 10))
		return parse_int(p, e, v);
	if (p < e && *p == '"') {
		v->kind = FX_STR;
		return parse_str(p, e, &v->s, &v->n);
	}
	return evfast_value(p, e, 1, v);
}

/* Header member @i (after "type") into @ev */
static bool read_head(size_t i, const struct fx_member *m, union psc_event *ev, uint64_t base_ns)
{
	int64_t x;

	switch (i) {
	case 1: /* ts_ns */
	case 4: /* start_ns */
		if (!as_int(m, INT64_MIN, INT64_MAX, &x))
			return false;
		*(i == 1 ? &ev->hdr.ts_ns : &ev->hdr.start_ns) = base_ns + (uint64_t)x;
		return true;
	case 2:
		return as_u32(m, &ev->hdr.tgid);
	default:
		return as_u32(m, &ev->hdr.tid);
	}
}

/*
 * The members in the writer's order (the header, the table's fields, then what the writer
 * derives), read in one pass as they come: 1 when it read the record, 0 when the full parser
 * must, -1 when the members are in another order (parse_any() reads them).
 */
static int parse_ordered(const char *line, size_t len, uint64_t base_ns, struct evfast_cache *cache,
			 union psc_event *ev)
{
	static const char type_key[] = "{\"type\":\"";
	const char *e = line + len, *p, *s, *q;
	const struct evfast_type *t;
	const struct schema_field *f;
	size_t n, i = 0; /* the next member in the writer's order; t->len[i] is 0 after the last */
	struct fx_member m;

	if (len < sizeof(type_key) - 1 || memcmp(line, type_key, sizeof(type_key) - 1))
		return -1;
	p = parse_str(line + sizeof(type_key) - 2, e, &s, &n);
	if (!p)
		return 0;
	t = type_named(s, n, cache);
	if (!t)
		return 0; /* header, trailer, lost, unknown, or an escape in the name */
	if (!t->len[0])
		return -1;
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = t->st->type;
	ev->hdr.size = t->st->size;
	f = t->st->fields;
	for (;;) {
		if (p < e && *p != ',')
			p = skip_ws(p, e);
		if (p >= e || *p == '}')
			break;
		if (*p != ',')
			return 0;
		p++;
		if (p < e && *p != '"')
			p = skip_ws(p, e);
		if (p >= e || *p != '"')
			return 0;
		q = t->len[i] ? key_at(p, e, t, i) : NULL;
		if (!q) {
			/* another member: one the writer derives, or the order differs */
			q = parse_str(p, e, &m.key, &m.klen);
			if (!q || key_declines(m.key, m.klen))
				return 0;
			if ((t->names & name_bit(m.key, m.klen)) &&
			    is_member_name(t->st, m.key, m.klen))
				return -1;
			p = skip_ws(q, e);
			if (p >= e || *p != ':')
				return 0;
			p = skip_ws(p + 1, e);
			if (p < e && (*p == '-' || (unsigned char)(*p - '0') < 10))
				p = skip_int(p, e);
			else
				p = evfast_value(p, e, 1, &m.v);
			if (!p)
				return 0;
			continue;
		}
		if (q < e && (*q == '-' || (unsigned char)(*q - '0') < 10))
			p = parse_int(q, e, &m.v);
		else if (i >= EVFAST_HEAD && f->kind == SK_READY &&
			 (p = ready_as_written(q, e, f, (char *)ev))) {
			f++;
			i++;
			continue;
		} else
			p = parse_any_value(skip_ws(q, e), e, &m.v);
		if (!p)
			return 0;
		if (i < EVFAST_HEAD) {
			if (!read_head(i + 1, &m, ev, base_ns))
				return 0;
		} else if (!read_field(&m, f++, (char *)ev, base_ns)) {
			return 0;
		}
		i++;
	}
	/* cut short, or a member missing (one out of order returned above) */
	if (p >= e || t->len[i])
		return 0;
	/* after the record: only what the full parser allows there */
	for (p++; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return schema_fixup(t->st, ev) ? 0 : 1;
}

int evfast_parse_event(const char *line, size_t len, uint64_t base_ns, struct evfast_cache *cache,
		       union psc_event *ev)
{
	int ret = parse_ordered(line, len, base_ns, cache, ev);

	return ret >= 0 ? ret : parse_any(line, len, base_ns, cache, ev);
}
