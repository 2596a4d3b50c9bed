// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * BPF ring buffer reader (see ringbuf.h for why not libbpf's). The layout is the kernel's
 * (kernel/bpf/ringbuf.c): a page holding the consumer position, which the reader writes; a
 * page holding the producer position; then the data pages, mapped twice so that a record that
 * wraps is contiguous. Every record starts with an 8-byte header: a u32 length with the busy
 * and discard bits, and a page offset the reader does not need.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "ringbuf.h"

struct ringbuf {
	uint64_t *consumer_pos;
	const uint64_t *producer_pos;
	const uint8_t *data;
	size_t size; /* a power of two */
	size_t publish_bytes; /* consumed bytes between two publications of the position */
	ringbuf_cb cb;
	void *ctx;
	int epoll_fd; /* -1 when reading memory */
	void *cons_map;
	size_t cons_map_len;
	void *prod_map;
	size_t prod_map_len;
};

static int ringbuf_init(struct ringbuf **out, size_t size, ringbuf_cb cb, void *ctx)
{
	struct ringbuf *rb;

	*out = NULL;
	if (!cb || size < 8 || (size & (size - 1)))
		return -EINVAL;
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return -ENOMEM;
	rb->size = size;
	/*
	 * 1/32 of the ring: the producer sees at most that much less free space than there is,
	 * and the shared position changes a few times per ring instead of once per record.
	 */
	rb->publish_bytes = size / 32;
	rb->cb = cb;
	rb->ctx = ctx;
	rb->epoll_fd = -1;
	*out = rb;
	return 0;
}

int ringbuf_from_mem(struct ringbuf **out, uint64_t *consumer_pos, const uint64_t *producer_pos,
		     const void *data, size_t size, ringbuf_cb cb, void *ctx)
{
	int err = ringbuf_init(out, size, cb, ctx);

	if (err)
		return err;
	(*out)->consumer_pos = consumer_pos;
	(*out)->producer_pos = producer_pos;
	(*out)->data = data;
	return 0;
}

int ringbuf_new(struct ringbuf **out, int map_fd, size_t size, ringbuf_cb cb, void *ctx)
{
	long page = sysconf(_SC_PAGESIZE);
	struct epoll_event ev = { .events = EPOLLIN };
	struct ringbuf *rb;
	int err;

	if (page <= 0 || size > (SIZE_MAX - (size_t)page) / 2)
		return -EINVAL;
	err = ringbuf_init(&rb, size, cb, ctx);
	if (err)
		return err;
	rb->cons_map_len = page;
	rb->cons_map = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (rb->cons_map == MAP_FAILED) {
		err = -errno;
		rb->cons_map = NULL;
		goto err_free;
	}
	/* the producer page and the data, twice: read-only, the kernel owns them */
	rb->prod_map_len = page + 2 * size;
	rb->prod_map = mmap(NULL, rb->prod_map_len, PROT_READ, MAP_SHARED, map_fd, page);
	if (rb->prod_map == MAP_FAILED) {
		err = -errno;
		rb->prod_map = NULL;
		goto err_free;
	}
	rb->consumer_pos = rb->cons_map;
	rb->producer_pos = rb->prod_map;
	rb->data = (const uint8_t *)rb->prod_map + page;
	rb->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (rb->epoll_fd < 0 || epoll_ctl(rb->epoll_fd, EPOLL_CTL_ADD, map_fd, &ev)) {
		err = -errno;
		goto err_free;
	}
	*out = rb;
	return 0;

err_free:
	ringbuf_free(rb);
	return err;
}

static void publish(struct ringbuf *rb, uint64_t cons)
{
	__atomic_store_n(rb->consumer_pos, cons, __ATOMIC_RELEASE);
}

int ringbuf_consume(struct ringbuf *rb)
{
	uint64_t cons = __atomic_load_n(rb->consumer_pos, __ATOMIC_RELAXED);
	uint64_t published = cons, prod;
	int n = 0;

	/* until no new record arrived while the last ones were handled, like libbpf */
	for (;;) {
		prod = __atomic_load_n(rb->producer_pos, __ATOMIC_ACQUIRE);
		if (cons >= prod)
			break;
		while (cons < prod) {
			const uint32_t *hdr = (const void *)(rb->data + (cons & (rb->size - 1)));
			uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			uint32_t data_len = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out; /* reserved, not submitted yet: the rest waits for it */
			cons += (data_len + BPF_RINGBUF_HDR_SZ + 7) & ~7ull;
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				int err =
					rb->cb(rb->ctx,
					       (void *)((const uint8_t *)hdr + BPF_RINGBUF_HDR_SZ),
					       data_len);

				if (err < 0) {
					publish(rb, cons);
					return err;
				}
				if (n < INT_MAX)
					n++;
			}
			if (cons - published >= rb->publish_bytes) {
				publish(rb, cons);
				published = cons;
			}
		}
	}
out:
	if (cons != published)
		publish(rb, cons);
	return n;
}

int ringbuf_poll(struct ringbuf *rb, int timeout_ms)
{
	struct epoll_event ev;

	/*
	 * Most records are submitted without a wakeup, so a timeout does not mean an empty
	 * ring: consume whatever is there either way.
	 */
	if (rb->epoll_fd >= 0 && epoll_wait(rb->epoll_fd, &ev, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return ringbuf_consume(rb);
}

void ringbuf_free(struct ringbuf *rb)
{
	if (!rb)
		return;
	if (rb->epoll_fd >= 0)
		close(rb->epoll_fd);
	if (rb->prod_map)
		munmap(rb->prod_map, rb->prod_map_len);
	if (rb->cons_map)
		munmap(rb->cons_map, rb->cons_map_len);
	free(rb);
}
