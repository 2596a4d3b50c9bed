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

static inline const char *skip_ws(const char *p, const char *e)
{
	/* the writer writes none: one test for the usual byte */
	while (p < e && (unsigned char)*p <= ' ' &&
	       (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
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
	unsigned int n;

	memcpy(&w, p, sizeof(w));
	/* a carry out of a non-digit spoils only the bytes after it, never one before */
	m = ((w & hi) ^ zeros) | (((w + 0x0606060606060606ull) & hi) ^ zeros);
	n = m ? (unsigned int)__builtin_ctzll(m) / 8 : 8;
	if (!n) {
		*val = 0;
		return 0;
	}
	if (n < 8)
		w = (w << (8 * (8 - n))) | (zeros >> (8 * n));
	w -= zeros;
	w = w * 10 + (w >> 8);
	*val = (((w & 0x000000ff000000ffull) * 0x000f424000000064ull) +
		(((w >> 16) & 0x000000ff000000ffull) * 0x0000271000000001ull)) >>
	       32;
	return n;
}

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
	if (v->neg)
		p++;
	d = p;
	/* up to 16 digits, 8 at a time (while 8 bytes are left to read) */
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && e - p >= 8) {
		n = digits8(p, &x);
		p += n;
		if (n == 8 && e - p >= 8) {
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
		if (p < e && (*p == '-' || (unsigned char)(*p - '0') < 10))
			p = parse_int(p, e, &inner);
		else
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

/* A member name's bit in a type's name filter: from its length and first byte */
static inline uint64_t name_bit(const char *key, size_t klen)
{
	return 1ull << ((klen * 7 + (klen ? (unsigned char)key[0] : 0u)) & 63);
}

/* The members every event record starts with, in the writer's order */
static const char *const head_names[] = { "type", "ts_ns", "pid", "tid", "start_ns" };

#define HEAD_NAMES (sizeof(head_names) / sizeof(head_names[0]))

/* What the ordered reader needs to know of @st, into @t */
static void type_learn(struct evfast_type *t, const struct schema_type *st)
{
	const struct schema_field *f;
	size_t i, n = 0;

	t->st = st;
	t->names = 0;
	for (i = 0; i < HEAD_NAMES; i++)
		t->names |= name_bit(head_names[i], strlen(head_names[i]));
	for (f = st->fields; f->name; f++) {
		size_t len = strlen(f->name);

		t->names |= name_bit(f->name, len);
		/* a name too long for a byte, or too many fields: read in any order */
		if (len > UINT8_MAX || n == EVFAST_MAX_FIELDS) {
			t->len[0] = 0;
			return;
		}
		t->len[n++] = (uint8_t)len;
	}
	t->len[n] = 0;
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

	p = parse_members(line, e, 0, &o);
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

/* The key at @p (its '"') is "@name" (@n bytes) and a ':': the text after it, or NULL */
static inline const char *key_at(const char *p, const char *e, const char *name, size_t n)
{
	if ((size_t)(e - p) < n + 3 || !same_bytes(p + 1, name, n) || p[n + 1] != '"' ||
	    p[n + 2] != ':')
		return NULL;
	return p + n + 3;
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
	return parse_value(p, e, 1, v);
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
	static const uint8_t head_len[HEAD_NAMES] = { 4, 5, 3, 3, 8 };
	const char *e = line + len, *p, *s, *q;
	const struct evfast_type *t;
	const struct schema_field *f;
	const char *want; /* the next member's name in the writer's order, NULL after the last */
	size_t wlen, n, i = 1;
	struct fx_member m;

	if (len < sizeof(type_key) - 1 || memcmp(line, type_key, sizeof(type_key) - 1))
		return -1;
	p = parse_str(line + sizeof(type_key) - 2, e, &s, &n);
	if (!p)
		return 0;
	t = type_named(s, n, cache);
	if (!t)
		return 0; /* header, trailer, lost, unknown, or an escape in the name */
	f = t->st->fields;
	if (f->name && !t->len[0])
		return -1;
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = t->st->type;
	ev->hdr.size = t->st->size;
	want = head_names[i];
	wlen = head_len[i];
	for (;;) {
		p = skip_ws(p, e);
		if (p >= e || *p == '}')
			break;
		if (*p != ',')
			return 0;
		p = skip_ws(p + 1, e);
		if (p >= e || *p != '"')
			return 0;
		q = want ? key_at(p, e, want, wlen) : NULL;
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
			p = parse_value(skip_ws(p + 1, e), e, 1, &m.v);
			if (!p)
				return 0;
			continue;
		}
		p = parse_any_value(skip_ws(q, e), e, &m.v);
		if (!p)
			return 0;
		if (i < HEAD_NAMES) {
			if (!read_head(i, &m, ev, base_ns))
				return 0;
			if (++i < HEAD_NAMES) {
				want = head_names[i];
				wlen = head_len[i];
				continue;
			}
		} else {
			if (!read_field(&m, f, (char *)ev, base_ns))
				return 0;
			f++;
		}
		want = f->name;
		wlen = t->len[f - t->st->fields];
	}
	/* cut short, or a member missing (one out of order returned above) */
	if (p >= e || want)
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
