/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Live text output: one aligned line per event, every traced string terminal-escaped.
 */
#ifndef __PSC_LIVE_H
#define __PSC_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "model.h"

struct live_opts {
	bool threads; /* also print thread create/exit lines */
	bool seeds; /* also print the processes read from /proc at start */
	uint64_t min_wait_ns; /* waits shorter than this get no line */
	int wall_clock; /* 0: none; 1: a wall-clock column (HH:MM:SS); 2: with microseconds */
};

/* The EVENT column: the longest event name any group prints ("pselect6", "threxit") */
#define LIVE_EVENT_WIDTH 8

#define LIVE_COMM_ESC (PSC_COMM_LEN * 4 + 1)

/*
 * One aligned line: [WALL] TIME EVENT PID TID PPID COMM DETAILS; @comm is escaped here. @out is
 * the stream a live sink handed to a group's hook: the line reaches its file in one write().
 */
void live_print(FILE *out, const struct model *m, uint64_t ts, const char *event, uint32_t pid,
		uint32_t ppid, const char *comm, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/*
 * "pid comm" of a process, terminal-escaped ("?" for NULL, "pid (untraced)" for one known by its
 * pid alone: the untraced peer of a traced process's socket, with -p)
 */
const char *live_who(const struct proc *p, char *buf, size_t size);

/*
 * Live lines to @fd (stays the caller's), whole lines per write(); the header is written at
 * once. Returns NULL with errno set.
 */
struct sink *live_sink_new(int fd, const struct live_opts *opts);
/*
 * The same into the file at @path (--live FILE) through the output-file writer (outfile.h:
 * mode 0600, no symlink, gzip or zstd by name), published at the first flush
 */
struct sink *live_sink_open(const char *path, const struct live_opts *opts);

/*
 * A line narrating the traced workload (a demo's), written at @ts (CLOCK_BOOTTIME) after what it
 * narrates: printed as it is (terminal-escaped), among the event lines in time order, before the
 * first event after @ts, or at live_sink_notes_upto() or at the end. Returns 0 or -ENOMEM.
 */
int live_sink_note(struct sink *s, uint64_t ts, const char *text, size_t len);
/* Print the notes written up to @ts: no event older than @ts is still to come */
void live_sink_notes_upto(struct sink *s, uint64_t ts);

#endif /* __PSC_LIVE_H */
