// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include "hmap.h"

static char tomb_mark;
#define HMAP_TOMB ((void *)&tomb_mark)

void hmap_init(struct hmap *h)
{
	h->slots = NULL;
	h->cap = h->used = h->live = 0;
}

void hmap_free(struct hmap *h)
{
	free(h->slots);
	hmap_init(h);
}

static size_t slot_of(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

void *hmap_get(const struct hmap *h, uint64_t key)
{
	size_t i, n;

	if (!h->cap)
		return NULL;
	for (i = slot_of(key, h->cap), n = 0; n < h->cap; i = (i + 1) & (h->cap - 1), n++) {
		const struct hmap_slot *s = &h->slots[i];

		if (!s->val)
			return NULL;
		if (s->val != HMAP_TOMB && s->key == key)
			return s->val;
	}
	return NULL;
}

static int grow(struct hmap *h)
{
	size_t cap = h->cap ? h->cap * 2 : 16, i;
	struct hmap_slot *old = h->slots, *slots;
	size_t oldcap = h->cap;

	/* mostly tombstones: rehash at the same size */
	if (h->cap && h->live * 4 < h->cap)
		cap = h->cap;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	h->slots = slots;
	h->cap = cap;
	h->used = h->live = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].val && old[i].val != HMAP_TOMB)
			hmap_put(h, old[i].key, old[i].val);
	free(old);
	return 0;
}

int hmap_put(struct hmap *h, uint64_t key, void *val)
{
	size_t i, tomb = (size_t)-1;

	if ((h->used + 1) * 4 > h->cap * 3 && grow(h))
		return -ENOMEM;
	for (i = slot_of(key, h->cap);; i = (i + 1) & (h->cap - 1)) {
		struct hmap_slot *s = &h->slots[i];

		if (!s->val) {
			if (tomb != (size_t)-1)
				s = &h->slots[tomb];
			else
				h->used++;
			s->key = key;
			s->val = val;
			h->live++;
			return 0;
		}
		if (s->val == HMAP_TOMB) {
			if (tomb == (size_t)-1)
				tomb = i;
		} else if (s->key == key) {
			s->val = val;
			return 0;
		}
	}
}

void *hmap_del(struct hmap *h, uint64_t key)
{
	size_t i, n;

	if (!h->cap)
		return NULL;
	for (i = slot_of(key, h->cap), n = 0; n < h->cap; i = (i + 1) & (h->cap - 1), n++) {
		struct hmap_slot *s = &h->slots[i];
		void *v;

		if (!s->val)
			return NULL;
		if (s->val != HMAP_TOMB && s->key == key) {
			v = s->val;
			s->val = HMAP_TOMB;
			h->live--;
			return v;
		}
	}
	return NULL;
}

void *hmap_next(const struct hmap *h, size_t *pos, uint64_t *key)
{
	while (*pos < h->cap) {
		const struct hmap_slot *s = &h->slots[(*pos)++];

		if (s->val && s->val != HMAP_TOMB) {
			if (key)
				*key = s->key;
			return s->val;
		}
	}
	return NULL;
}
