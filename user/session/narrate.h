/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A demo workload's narration: the lines it writes into a pipe ("BOOTTIME_NS TEXT\n", one
 * write() each), read by the trace session and handed to the live sink, which prints each among
 * the event lines in time order.
 */
#ifndef __PSC_NARRATE_H
#define __PSC_NARRATE_H

#include <stdint.h>
#include "model.h"

struct narrate;

/* @fd: the pipe's read end (stays the caller's); @live: the live sink. NULL with errno set. */
struct narrate *narrate_new(int fd, struct sink *live);
void narrate_free(struct narrate *n);
/*
 * Called before an event of time @ts is applied: if the pipe was last read before @ts, read
 * it now, so that every line written before that event is known when the event is printed
 */
void narrate_before(struct narrate *n, uint64_t ts);
/*
 * Nothing was queued: read the pipe, and print the lines older than @now by a margin (the ring
 * may still hold a few ms of events the drain thread has not queued yet)
 */
void narrate_idle(struct narrate *n, uint64_t now);

#endif /* __PSC_NARRATE_H */
