/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The end-of-trace summary: process tree, zombies, orphans, counts and losses, as text.
 */
#ifndef __PSC_SUMMARY_H
#define __PSC_SUMMARY_H

#include <stdio.h>
#include "model.h"

struct summary_opts {
	size_t max_tree_lines; /* 0 = default (300) */
	size_t max_rows; /* per table; 0 = default (25) */
};

/* Print the summary of @m to @out. Returns 0 or -errno. */
int summary_print(FILE *out, const struct model *m, const struct summary_opts *opts);
/* A sink that prints the summary at finish. Returns NULL with errno set. */
struct sink *summary_sink_new(FILE *out, const struct summary_opts *opts);

#endif /* __PSC_SUMMARY_H */
