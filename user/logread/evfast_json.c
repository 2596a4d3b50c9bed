// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The fast path's JSON values of any kind (see evfast_int.h): what evfast.c does not read as a
 * field, checked all through, so that a line the fast path takes is one json-c takes too.
 */
#include "evfast_int.h"

/* A member's key and its colon, @p at the opening quote: where the value starts, or NULL */
static const char *parse_key(const char *p, const char *e, const char **k, size_t *kn)
{
	if (p >= e || *p != '"')
		return NULL;
	p = parse_str(p, e, k, kn);
	if (!p)
		return NULL;
	p = skip_ws(p, e);
	if (p >= e || *p != ':')
		return NULL;
	return skip_ws(p + 1, e);
}

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

			p = parse_key(p, e, &ks, &kn);
			if (!p)
				return NULL;
		}
		if (p < e && (*p == '-' || (unsigned char)(*p - '0') < 10))
			p = skip_int(p, e); /* checked, not read: only the span counts */
		else
			p = evfast_value(p, e, depth + 1, &inner);
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

const char *evfast_value(const char *p, const char *e, int depth, struct fx_val *v)
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

const char *evfast_members(const char *p, const char *e, int depth, struct fx_obj *o)
{
	o->n = 0;
	if (p >= e || *p != '{' || depth >= FX_MAX_DEPTH)
		return NULL;
	p = skip_ws(p + 1, e);
	if (p < e && *p == '}')
		return p + 1;
	for (;;) {
		struct fx_member *m;

		if (o->n == FX_MAX_MEMBERS)
			return NULL;
		m = &o->m[o->n++];
		m->used = false;
		p = parse_key(p, e, &m->key, &m->klen);
		if (!p)
			return NULL;
		p = evfast_value(p, e, depth + 1, &m->v);
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
