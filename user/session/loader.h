/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The BPF side as userspace sees it: open -> configure -> load -> track -> attach -> poll.
 * The only module that knows the skeleton.
 */
#ifndef __PSC_LOADER_H
#define __PSC_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "psc_events.h"

struct loader;

struct loader_opts {
	uint32_t self_tgid; /* never traced */
	uint32_t filter_mode; /* PSC_FILTER_* */
	uint32_t groups; /* PSC_GROUP_* */
	bool sched_slices; /* the sched group's per-run records (timelines) */
	size_t ringbuf_size; /* bytes; 0 = default for this machine */
	int verbose; /* libbpf's messages on stderr */
	/* called for every ring-buffer record; a negative return stops the poll */
	int (*on_record)(void *ctx, void *data, size_t len);
	void *ctx;
};

/* Check the environment (privileges, BTF), open and load the programs. Prints its errors. */
int loader_open(struct loader **out, const struct loader_opts *opts);
/*
 * Follow process (@tgid, @start_ns) and its descendants (PSC_FILTER_TREE): a later process
 * under the same pid is not followed. @start_ns is the kernel's start_boottime if @exact, else
 * /proc's start time (clock ticks * procfs_tick_ns()), compared at that precision. A @zombie's
 * reap is reported whoever reaps it.
 */
int loader_track(struct loader *l, uint32_t tgid, uint64_t start_ns, bool exact, bool zombie);
/*
 * A traced process's unix socket (@ino) in an epoll interest list from before the trace: sends
 * that wake it are reported whoever makes them. 0 or -errno.
 */
int loader_watch_socket(struct loader *l, uint64_t ino);
/* Attach every program (BTF tracepoints: no tracefs needed). Prints its errors. */
int loader_attach(struct loader *l);
/* Wait up to @timeout_ms for records and consume them; returns records or -errno (-EINTR too) */
int loader_poll(struct loader *l, int timeout_ms);
/*
 * The sched group's end-of-trace records: every live traced thread's state times, closed
 * now (into the ring; drain afterwards). 0 when the group is off, or -errno.
 */
int loader_sched_flush(struct loader *l);
/*
 * The exact start (the leader's start_boottime) of every live process the kernel's task
 * iterator lists, sorted by tgid (*out malloc'ed, *n of them), from the seed_starts program:
 * what /proc gives in clock ticks only. 0 or -errno.
 */
int loader_proc_starts(struct loader *l, struct psc_proc_start **out, size_t *n);
/* Consume what is in the ring without waiting */
int loader_drain(struct loader *l);
/* Cumulative kernel-side drops per event type (summed over CPUs) */
int loader_read_drops(struct loader *l, uint64_t by_type[PSC_EV_TYPE_MAX]);
/* Descendants the kernel could not follow because the tracked map was full */
uint64_t loader_track_overflows(struct loader *l);
size_t loader_ringbuf_size(const struct loader *l);
/* Tracepoints switched off before load (missing from the kernel, or disabled by the user) */
const char *loader_missing(const struct loader *l);
void loader_free(struct loader *l);

/* The ring's size: a power of two from a page to 2 GiB (what BPF ring maps accept here) */
#define LOADER_RINGBUF_MIN 4096ull
#define LOADER_RINGBUF_MAX (1ull << 31)

/* Parse "4M", "512K", "1048576" into bytes: -EINVAL unless in the range above, a power of two */
int loader_parse_size(const char *s, size_t *out);

#endif /* __PSC_LOADER_H */
