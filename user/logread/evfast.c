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
#include "schema.h"

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

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* Bytes a plain string may hold as they are: printable ASCII but '"' and '\\' */
static const bool str_plain[256] = {
	[0x20 ... 0x21] = true,
	[0x23 ... 0x5b] = true, /* not '"' (0x22) */
	[0x5d ... 0x7e] = true, /* not '\\' (0x5c) */
};

/* A plain string: printable ASCII without escapes (anything else: the full parser) */
static inline const char *parse_str(const char *p, const char *e, const char **s, size_t *n)
{
	const char *q = ++p;

	while (q < e && str_plain[(unsigned char)*q])
		q++;
	if (q >= e || *q != '"')
		return NULL;
	*s = p;
	*n = (size_t)(q - p);
	return q + 1;
}

/* -?(0|[1-9][0-9]*), no fraction or exponent, magnitude within u64 */
static const char *parse_int(const char *p, const char *e, struct fx_val *v)
{
	uint64_t x = 0;
	const char *d;

	v->kind = FX_INT;
	v->neg = *p == '-';
	if (v->neg)
		p++;
	d = p;
	/* 19 digits cannot overflow: no check (nor division) until a 20th */
	while (p < e && *p >= '0' && *p <= '9' && p - d < 19)
		x = x * 10 + (unsigned int)(*p++ - '0');
	while (p < e && *p >= '0' && *p <= '9') {
		unsigned int dig = (unsigned int)(*p - '0');

		if (x > (UINT64_MAX - dig) / 10)
			return NULL;
		x = x * 10 + dig;
		p++;
	}
	if (p == d || (*d == '0' && p - d > 1))
		return NULL;
	if (p < e && (*p == '.' || *p == 'e' || *p == 'E'))
		return NULL;
	v->mag = x;
	return p;
}

static const char *parse_value(const char *p, const char *e, int depth, struct fx_val *v);

/* An array or object, checked all through; @v spans it */
static const char *parse_container(const char *p, const char *e, int depth, struct fx_val *v)
{
	bool obj = *p == '{';
	char close = obj ? '}' : ']';
	const char *start = p;
	struct fx_val inner;

	if (depth >= FX_MAX_DEPTH)
		return NULL;
	p = skip_ws(p + 1, e);
	if (p < e && *p == close)
		goto done;
	for (;;) {
		if (obj) {
			const char *ks;
			size_t kn;

			if (p >= e || *p != '"')
				return NULL;
			p = parse_str(p, e, &ks, &kn);
			if (!p)
				return NULL;
			p = skip_ws(p, e);
			if (p >= e || *p != ':')
				return NULL;
			p = skip_ws(p + 1, e);
		}
		p = parse_value(p, e, depth + 1, &inner);
		if (!p)
			return NULL;
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == close)
			break;
		return NULL;
	}
done:
	v->kind = obj ? FX_OBJ : FX_ARR;
	v->s = start;
	v->n = (size_t)(p + 1 - start);
	return p + 1;
}

static const char *parse_value(const char *p, const char *e, int depth, struct fx_val *v)
{
	if (p >= e)
		return NULL;
	switch (*p) {
	case '"':
		v->kind = FX_STR;
		return parse_str(p, e, &v->s, &v->n);
	case '{':
	case '[':
		return parse_container(p, e, depth, v);
	case 't':
		v->kind = FX_TRUE;
		return e - p >= 4 && !memcmp(p, "true", 4) ? p + 4 : NULL;
	case 'f':
		v->kind = FX_FALSE;
		return e - p >= 5 && !memcmp(p, "false", 5) ? p + 5 : NULL;
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9'))
			return parse_int(p, e, v);
		return NULL; /* null, or not JSON */
	}
}

/* The members of the object at @p (one level; values checked all through) */
static const char *parse_members(const char *p, const char *e, int depth, struct fx_obj *o)
{
	o->n = 0;
	if (p >= e || *p != '{' || depth >= FX_MAX_DEPTH)
		return NULL;
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}')
		return p + 1;
	for (;;) {
		struct fx_member *m;

		if (o->n == FX_MAX_MEMBERS || p >= e || *p != '"')
			return NULL;
		m = &o->m[o->n++];
		m->used = false;
		p = parse_str(p, e, &m->key, &m->klen);
		if (!p)
			return NULL;
		p = skip_ws(p, e);
		if (p >= e || *p != ':')
			return NULL;
		p = skip_ws(p + 1, e);
		p = parse_value(p, e, depth + 1, &m->v);
		if (!p)
			return NULL;
		p = skip_ws(p, e);
		if (p < e && *p == ',') {
			p = skip_ws(p + 1, e);
			continue;
		}
		if (p < e && *p == '}')
			return p + 1;
		return NULL;
	}
}

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
		p = parse_members(p, e, 1, &o);
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

/* The schema of the record type named by @m, or NULL; looked up once per name in @c */
static const struct schema_type *type_of(const struct fx_member *m, struct evfast_cache *c)
{
	const struct fx_member name_m = { .key = m ? m->v.s : NULL, .klen = m ? m->v.n : 0 };
	const struct schema_type **slot;
	char name[48];

	if (!m || m->v.kind != FX_STR || !m->v.n || m->v.n >= sizeof(name))
		return NULL;
	slot = &c->types[(m->v.n * 7 + (unsigned char)m->v.s[0] + (unsigned char)m->v.s[m->v.n - 1]) %
			 EVFAST_TYPE_SLOTS];
	if (*slot && key_is_cstr(&name_m, (*slot)->name))
		return *slot;
	memcpy(name, m->v.s, m->v.n);
	name[m->v.n] = '\0';
	if (!schema_by_name(name))
		return NULL;
	*slot = schema_by_name(name);
	return *slot;
}

int evfast_parse_event(const char *line, size_t len, uint64_t base_ns, struct evfast_cache *cache,
		       union psc_event *ev)
{
	const char *e = line + len, *p;
	const struct schema_type *st;
	const struct schema_field *f;
	struct fx_obj o;
	size_t hint = 0, i;
	int64_t ts, start;

	p = parse_members(line, e, 0, &o);
	if (!p)
		return 0;
	/* after the record: only what the full parser allows there */
	for (; p < e; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	/* twins that change how a field reads, and derived records: the full parser */
	for (i = 0; i < o.n; i++)
		if (ends_with(&o.m[i], "_hex", 4) || ends_with(&o.m[i], "_abstract", 9) ||
		    key_is(&o.m[i], "derived", 7))
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
