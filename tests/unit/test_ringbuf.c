// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/session/ringbuf.c on a ring laid out in memory as the kernel maps it: the data
 * mapped twice in a row (a memfd), records written with the kernel's header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "ringbuf.h"

#define RING_SIZE 4096

struct ring {
	uint64_t consumer_pos;
	uint64_t producer_pos;
	uint8_t *data; /* RING_SIZE bytes, then the same bytes again */
	struct ringbuf *rb;
	/* what the callback saw */
	int calls;
	size_t lens[64];
	uint8_t first[64]; /* first payload byte of each record */
	uint64_t cons_seen[64]; /* the published consumer position during each call */
	uint64_t rec_pos[64]; /* where each delivered record started */
	int fail_at; /* return -EIO on this call (1-based), 0: never */
	uint8_t wrapped[64]; /* the payload of the record that wraps, copied */
};

static uint64_t rec_len(size_t payload)
{
	return (payload + BPF_RINGBUF_HDR_SZ + 7) & ~7ull;
}

/* Append a record of @len bytes filled with @fill; returns where it starts */
static uint64_t put(struct ring *r, size_t len, uint8_t fill, uint32_t bits)
{
	uint64_t pos = r->producer_pos;
	uint8_t *p = r->data + (pos & (RING_SIZE - 1));
	uint32_t hdr[2] = { (uint32_t)len | bits, 0 };

	memcpy(p, hdr, sizeof(hdr));
	memset(p + BPF_RINGBUF_HDR_SZ, fill, len);
	r->producer_pos += rec_len(len);
	return pos;
}

static int on_record(void *ctx, void *data, size_t len)
{
	struct ring *r = ctx;
	int i = r->calls++;

	assert_true(i < 64);
	r->lens[i] = len;
	r->first[i] = len ? *(uint8_t *)data : 0;
	r->cons_seen[i] = __atomic_load_n(&r->consumer_pos, __ATOMIC_ACQUIRE);
	r->rec_pos[i] = (uint64_t)((uint8_t *)data - BPF_RINGBUF_HDR_SZ - r->data);
	if (len <= sizeof(r->wrapped))
		memcpy(r->wrapped, data, len);
	return r->fail_at == i + 1 ? -EIO : 0;
}

static int setup(void **state)
{
	static struct ring r;
	int fd = memfd_create("ring", 0);
	uint8_t *base;

	memset(&r, 0, sizeof(r));
	if (fd < 0 || ftruncate(fd, RING_SIZE))
		return -1;
	base = mmap(NULL, 2 * RING_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED ||
	    mmap(base, RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) ==
		    MAP_FAILED ||
	    mmap(base + RING_SIZE, RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
		 0) == MAP_FAILED)
		return -1;
	close(fd);
	r.data = base;
	if (ringbuf_from_mem(&r.rb, &r.consumer_pos, &r.producer_pos, r.data, RING_SIZE, on_record,
			     &r))
		return -1;
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct ring *r = *state;

	ringbuf_free(r->rb);
	munmap(r->data, 2 * RING_SIZE);
	return 0;
}

/* The rest of the ring position: relative to the data start, modulo the ring */
static uint64_t at(uint64_t pos)
{
	return pos & (RING_SIZE - 1);
}

static void test_ringbuf__records_in_order(void **state)
{
	struct ring *r = *state;

	put(r, 1, 'a', 0);
	put(r, 24, 'b', 0);
	put(r, 100, 'c', 0);
	assert_int_equal(ringbuf_consume(r->rb), 3);
	assert_int_equal(r->calls, 3);
	assert_int_equal(r->lens[0], 1);
	assert_int_equal(r->lens[1], 24);
	assert_int_equal(r->lens[2], 100);
	assert_int_equal(r->first[0], 'a');
	assert_int_equal(r->first[2], 'c');
	assert_int_equal(r->consumer_pos, r->producer_pos);
	/* nothing new: nothing delivered */
	assert_int_equal(ringbuf_consume(r->rb), 0);
	assert_int_equal(r->calls, 3);
}

static void test_ringbuf__record_wraps(void **state)
{
	struct ring *r = *state;
	uint64_t start = 3 * RING_SIZE - 16; /* positions grow forever; the data wraps */
	size_t i;

	r->consumer_pos = r->producer_pos = start;
	put(r, 40, 'w', 0); /* 8 header + 8 payload bytes before the end, 32 after */
	assert_int_equal(ringbuf_consume(r->rb), 1);
	assert_int_equal(r->lens[0], 40);
	for (i = 0; i < 40; i++)
		assert_int_equal(r->wrapped[i], 'w');
	assert_int_equal(r->consumer_pos, start + rec_len(40));
}

static void test_ringbuf__stops_at_busy_record(void **state)
{
	struct ring *r = *state;
	uint64_t busy;

	put(r, 8, 'a', 0);
	busy = put(r, 8, 'b', BPF_RINGBUF_BUSY_BIT);
	put(r, 8, 'c', 0);
	assert_int_equal(ringbuf_consume(r->rb), 1);
	assert_int_equal(r->consumer_pos, busy); /* the reserved record holds the rest back */
	/* the producer submits it: both follow */
	memset(r->data + at(busy) + 3, 0, 1); /* clear the busy bit (little endian u32) */
	assert_int_equal(ringbuf_consume(r->rb), 2);
	assert_int_equal(r->first[1], 'b');
	assert_int_equal(r->first[2], 'c');
	assert_int_equal(r->consumer_pos, r->producer_pos);
}

static void test_ringbuf__skips_discarded(void **state)
{
	struct ring *r = *state;

	put(r, 8, 'a', 0);
	put(r, 16, 'x', BPF_RINGBUF_DISCARD_BIT);
	put(r, 8, 'c', 0);
	assert_int_equal(ringbuf_consume(r->rb), 2);
	assert_int_equal(r->first[0], 'a');
	assert_int_equal(r->first[1], 'c');
	assert_int_equal(r->consumer_pos, r->producer_pos);
}

static void test_ringbuf__callback_error_stops(void **state)
{
	struct ring *r = *state;
	uint64_t third;

	put(r, 8, 'a', 0);
	put(r, 8, 'b', 0);
	third = put(r, 8, 'c', 0);
	r->fail_at = 2;
	assert_int_equal(ringbuf_consume(r->rb), -EIO);
	assert_int_equal(r->calls, 2);
	/* the failing record counts as consumed; the next one is still there */
	assert_int_equal(r->consumer_pos, third);
	r->fail_at = 0;
	assert_int_equal(ringbuf_consume(r->rb), 1);
	assert_int_equal(r->first[2], 'c');
}

/*
 * The point of the module: the position is published in batches, not per record, and never
 * past a record the callback has not returned from (the kernel could overwrite it).
 */
static void test_ringbuf__publishes_in_batches(void **state)
{
	struct ring *r = *state;
	int i, n = 40, stale = 0;

	for (i = 0; i < n; i++)
		put(r, 24, (uint8_t)i, 0); /* 32 bytes each: 1280 in all, ring/32 = 128 */
	assert_int_equal(ringbuf_consume(r->rb), n);
	for (i = 0; i < n; i++) {
		assert_true(r->cons_seen[i] <= r->rec_pos[i]);
		if (i && r->cons_seen[i] == r->cons_seen[i - 1])
			stale++;
	}
	/* published every 128 bytes (4 records): 3 of 4 calls see the previous position */
	assert_int_equal(stale, n - n / 4);
	assert_int_equal(r->consumer_pos, r->producer_pos);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ringbuf__records_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ringbuf__record_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ringbuf__stops_at_busy_record, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ringbuf__skips_discarded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ringbuf__callback_error_stops, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ringbuf__publishes_in_batches, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
