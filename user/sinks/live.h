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
};

#define LIVE_COMM_ESC (PSC_COMM_LEN * 4 + 1)

/* One aligned line: TIME EVENT PID PPID COMM DETAILS; @comm is escaped here */
void live_print(FILE *out, const struct model *m, uint64_t ts, const char *event, uint32_t pid,
		uint32_t ppid, const char *comm, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/* "pid comm" of a process, terminal-escaped ("?" for NULL) */
const char *live_who(const struct proc *p, char *buf, size_t size);

/* Returns NULL with errno set. @out stays owned by the caller. */
struct sink *live_sink_new(FILE *out, const struct live_opts *opts);

#endif /* __PSC_LIVE_H */
