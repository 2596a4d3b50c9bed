/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Reader of a BPF ring buffer map: libbpf's ring_buffer with one change that matters for the
 * traced workload. libbpf publishes the consumer position after every record; while the reader
 * drains on one CPU, every bpf_ringbuf_reserve() and submit on another then reads a cache line
 * just written on the reader's CPU. Here the position is published in batches (and at the end
 * of every consume), so the producer's reads of it mostly hit its own cache.
 */
#ifndef __PSC_RINGBUF_H
#define __PSC_RINGBUF_H

#include <stddef.h>
#include <stdint.h>

struct ringbuf;

/* Called for every committed record; a negative return stops the consume and is returned */
typedef int (*ringbuf_cb)(void *ctx, void *data, size_t len);

/* Map the ring buffer map @map_fd (@size bytes of data) for reading */
int ringbuf_new(struct ringbuf **out, int map_fd, size_t size, ringbuf_cb cb, void *ctx);
/*
 * Read a ring laid out in memory the way the kernel maps it (tests): the consumer and producer
 * positions, and @size bytes of data mapped twice in a row so that a record may wrap.
 */
int ringbuf_from_mem(struct ringbuf **out, uint64_t *consumer_pos, const uint64_t *producer_pos,
		     const void *data, size_t size, ringbuf_cb cb, void *ctx);
/* Consume the committed records; returns how many, or the callback's negative return */
int ringbuf_consume(struct ringbuf *rb);
/* Wait up to @timeout_ms for a wakeup, then consume; returns records or -errno (-EINTR too) */
int ringbuf_poll(struct ringbuf *rb, int timeout_ms);
void ringbuf_free(struct ringbuf *rb);

#endif /* __PSC_RINGBUF_H */
