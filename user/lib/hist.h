/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * log2 histograms of durations in ns, shared by the epoll and unix groups: bucket i holds
 * [2^i, 2^(i+1)), bucket 0 also 0 and 1, the last one everything up to UINT64_MAX.
 */
#ifndef __PSC_HIST_H
#define __PSC_HIST_H

#include <stdint.h>
#include <stdio.h>

#define HIST_BUCKETS 64

struct jw;

unsigned int hist_bucket(uint64_t ns);
uint64_t hist_lower(unsigned int i);
/* exclusive upper bound; UINT64_MAX for the last bucket, which has none */
uint64_t hist_upper(unsigned int i);
/* bpftrace-style text, the non-empty range only, each line prefixed with @indent */
void hist_print(FILE *out, const uint64_t *hist, const char *indent);
/* "key": [{"ge_ns", "lt_ns", "count"}...] for the non-empty buckets; NULL hist: [] */
void hist_write_json(struct jw *w, const char *key, const uint64_t *hist);

#endif /* __PSC_HIST_H */
