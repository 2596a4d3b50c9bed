/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * /proc readers: processes that existed before the trace (seeds) and -p descendants.
 */
#ifndef __PSC_PROCFS_H
#define __PSC_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include "decode.h"

struct procfs_stat {
	uint32_t pid;
	uint32_t ppid;
	uint32_t nr_threads;
	char state;
	char comm[PSC_COMM_LEN];
	uint64_t start_ticks; /* field 22: clock ticks since boot */
};

struct procfs_snapshot {
	struct procfs_stat *procs; /* sorted by pid */
	size_t n;
};

/* Parse a /proc/PID/stat line (comm may hold spaces and parentheses). 0 or -EINVAL. Pure. */
int procfs_parse_stat(const char *buf, size_t len, struct procfs_stat *st);
/* Read /proc/PID/stat; -ENOENT if the process is gone */
int procfs_read_stat(uint32_t pid, struct procfs_stat *st);
/* Nanoseconds per clock tick of /proc start times */
uint64_t procfs_tick_ns(void);
/* Every process in /proc, sorted by pid. 0 or -errno. */
int procfs_snapshot(struct procfs_snapshot *snap);
void procfs_snapshot_free(struct procfs_snapshot *snap);
const struct procfs_stat *procfs_snapshot_find(const struct procfs_snapshot *snap, uint32_t pid);
/*
 * Fill @out with @root and its descendants in @snap, parents before children. Returns how many,
 * or -ENOMEM. *out is malloc'ed.
 */
int procfs_descendants(const struct procfs_snapshot *snap, uint32_t root, uint32_t **out);
/* A seed event for one process (start and parent start from the snapshot when it has them) */
void procfs_make_seed(const struct procfs_snapshot *snap, const struct procfs_stat *st,
		      uint64_t now_ns, union psc_event *ev);

#endif /* __PSC_PROCFS_H */
