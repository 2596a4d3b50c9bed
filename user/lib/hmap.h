/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A small open-addressing hash map from u64 keys to pointers (linear probing, tombstones).
 * Pure; the values are owned by the caller.
 */
#ifndef __PSC_HMAP_H
#define __PSC_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	uint64_t key;
	void *val; /* NULL: empty; HMAP_TOMB: deleted */
};

struct hmap {
	struct hmap_slot *slots;
	size_t cap; /* power of two */
	size_t used; /* live + tombstones */
	size_t live;
};

void hmap_init(struct hmap *h);
void hmap_free(struct hmap *h); /* frees the table, not the values */
void *hmap_get(const struct hmap *h, uint64_t key);
/* Insert or replace; 0 or -ENOMEM. @val must not be NULL. */
int hmap_put(struct hmap *h, uint64_t key, void *val);
/* Remove; returns the old value or NULL */
void *hmap_del(struct hmap *h, uint64_t key);
/* Iterate: *pos starts at 0; returns the next value or NULL at the end */
void *hmap_next(const struct hmap *h, size_t *pos, uint64_t *key);

/* Mix two values into one key */
static inline uint64_t hmap_key2(uint64_t a, uint64_t b)
{
	return a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull + (a << 6) + (a >> 2));
}

#endif /* __PSC_HMAP_H */
