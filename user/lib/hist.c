// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "format.h"
#include "hist.h"
#include "json_writer.h"

unsigned int hist_bucket(uint64_t ns)
{
	unsigned int b = 0;

	while (ns > 1 && b < HIST_BUCKETS - 1) {
		ns >>= 1;
		b++;
	}
	return b;
}

uint64_t hist_lower(unsigned int i)
{
	return i ? 1ull << i : 0;
}

uint64_t hist_upper(unsigned int i)
{
	/* 1 << 64 is undefined: the last bucket is open-ended */
	return i + 1 < HIST_BUCKETS ? 1ull << (i + 1) : UINT64_MAX;
}

void hist_print(FILE *out, const uint64_t *hist, const char *indent)
{
	unsigned int lo = HIST_BUCKETS, hi = 0, i;
	uint64_t max = 0;
	char a[32], b[32];

	for (i = 0; hist && i < HIST_BUCKETS; i++) {
		if (!hist[i])
			continue;
		lo = i < lo ? i : lo;
		hi = i;
		max = hist[i] > max ? hist[i] : max;
	}
	for (i = lo; i <= hi && max; i++) {
		int bar = (int)(hist[i] * 40 / max);
		fprintf(out, "%s[%8s, %8s) %8llu |%-40.*s|\n", indent,
			duration_fmt(hist_lower(i), a, sizeof(a)),
			duration_fmt(hist_upper(i), b, sizeof(b)), (unsigned long long)hist[i], bar,
			"@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@");
	}
}

void hist_write_json(struct jw *w, const char *key, const uint64_t *hist)
{
	unsigned int i;

	jw_key(w, key);
	jw_arr_start(w);
	for (i = 0; hist && i < HIST_BUCKETS; i++) {
		if (!hist[i])
			continue;
		jw_obj_start(w);
		jw_kv_u64(w, "ge_ns", hist_lower(i));
		jw_kv_u64(w, "lt_ns", hist_upper(i));
		jw_kv_u64(w, "count", hist[i]);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}
