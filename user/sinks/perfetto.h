/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Timeline exporters, part 1: the Perfetto / Chrome Trace Event Format sink (`--perfetto FILE`),
 * and the helpers it shares with the SVG sink (svg.c): the output file and the tree order.
 * The layout of the JSON is documented in docs/timeline.md.
 */
#ifndef __PSC_PERFETTO_H
#define __PSC_PERFETTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"

/*
 * A sink writing a Chrome Trace Event Format file (JSON array format) that ui.perfetto.dev and
 * chrome://tracing open: one track per process and thread, a slice per process lifetime, async
 * zombie slices, fork/exec/exit/orphan instants, epoll/poll wait slices and flow arrows (fork ->
 * child, unix send -> the wait it woke). Events are streamed to @path as they come; the
 * process/thread names and the tree order are written at finish. gzip when @path ends in ".gz".
 * @path is created with mode 0600 and never through a symlink (O_NOFOLLOW).
 * Returns NULL with errno set.
 */
struct sink *perfetto_sink_new(const char *path);

/* ---- shared by the timeline sinks (perfetto.c, svg.c) ---- */

/* An output file staged through a memory buffer; the first error sticks in err */
struct timeline_out {
	int fd;
	void *gz; /* gzFile when compressing, else NULL */
	char *buf;
	size_t len;
	size_t cap;
	size_t flush_at; /* write out once this much is staged */
	uint64_t written; /* bytes handed to the file (uncompressed) */
	int err; /* 0 or -errno */
};

/*
 * Create @path (O_WRONLY|O_CREAT|O_TRUNC|O_NOFOLLOW|O_CLOEXEC, 0600), gzip-compressed when @gz.
 * Returns 0 or -errno.
 */
int timeline_out_open(struct timeline_out *o, const char *path, bool gz);
/* Stage @n bytes (written out when flush_at is reached) */
void timeline_out_write(struct timeline_out *o, const char *s, size_t n);
void timeline_out_printf(struct timeline_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Write out what is staged; 0 or the sticky -errno */
int timeline_out_flush(struct timeline_out *o);
/* Flush, sync and close; 0 or -errno. Safe to call twice. */
int timeline_out_close(struct timeline_out *o);
/* Close without flushing and free the buffer (error paths, destroy) */
void timeline_out_free(struct timeline_out *o);

/* True when @s ends in @suffix */
bool timeline_has_suffix(const char *s, const char *suffix);

/* One process in tree order */
struct timeline_row {
	const struct proc *p;
	uint32_t depth; /* 0 for a root */
};

/*
 * Every process of @m in tree order: depth-first by who forked whom (fork_parent), siblings by
 * start time, roots by start time. *rows (caller frees) gets *n entries. Returns 0 or -ENOMEM.
 */
int timeline_tree_order(const struct model *m, struct timeline_row **rows, size_t *n);

#endif /* __PSC_PERFETTO_H */
