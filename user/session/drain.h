/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The drain: a thread that does nothing but move ring-buffer records into a bounded queue in
 * userspace memory, so that formatting, the model, compression and writes (the session's
 * thread) never keep the ring from being emptied. A burst then costs memory, not events. When
 * the queue is at its bound, records are dropped there and counted by type, the way the kernel
 * counts a full ring.
 *
 * One producer (the drain thread), one consumer (the session's thread), no locks: the queue is
 * a list of chunks mapped on demand and unmapped once read, so memory follows the backlog.
 */
#ifndef __PSC_DRAIN_H
#define __PSC_DRAIN_H

#include <stddef.h>
#include <stdint.h>
#include "psc_events.h"

#define DRAIN_DEFAULT_QUEUE (32u << 20) /* bytes */
#define DRAIN_MIN_QUEUE (64u << 10)

struct drain;
struct loader;

/* Handles one queued record on the consumer's side; a negative return stops drain_consume */
typedef int (*drain_cb)(void *ctx, void *data, size_t len);

/*
 * A queue of at most @queue_bytes (0 = DRAIN_DEFAULT_QUEUE; at least DRAIN_MIN_QUEUE), not yet
 * fed. 0 or -errno.
 */
int drain_new(struct drain **out, size_t queue_bytes);
/* The record callback to give the loader (loader_opts.on_record), with the drain as ctx */
int drain_push_record(void *ctx, void *data, size_t len);
/* Start the thread that polls @ld's ring into the queue. 0 or -errno. */
int drain_start(struct drain *d, struct loader *ld);
/*
 * Wait up to @timeout_ms for queued records, then hand each to @cb in ring order. Returns the
 * records handled, or @cb's negative return, or the drain thread's poll error.
 */
int drain_consume(struct drain *d, int timeout_ms, drain_cb cb, void *ctx);
/* Stop the thread after a last pass over the ring (what is queued stays for drain_consume) */
void drain_stop(struct drain *d);
/* Records dropped at the queue's bound so far, per event type (0 for an unreadable type) */
void drain_read_drops(struct drain *d, uint64_t by_type[PSC_EV_TYPE_MAX]);
/* The most bytes ever queued at once (a chunk granularity) */
size_t drain_peak_bytes(const struct drain *d);
void drain_free(struct drain *d);

/* Parse --queue-size ("32M", "512K", bytes): >= DRAIN_MIN_QUEUE. 0 or -EINVAL. */
int drain_parse_size(const char *s, size_t *out);

#endif /* __PSC_DRAIN_H */
