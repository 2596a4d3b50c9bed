// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The drain's queue without a kernel: records pushed as the drain thread pushes them come out
 * in order, decoding to the same events; an epoll wait's unused ready[] entries are not queued;
 * at the bound every dropped record is counted by its type, and memory goes back as it empties.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include "decode.h"
#include "drain.h"
#include "testlib.h"

struct seen {
	size_t n;
	uint64_t bytes; /* record lengths handed out */
	uint32_t next_ts; /* the order check */
	bool bad;
};

static void make_wait(union psc_event *ev, uint32_t ts, uint32_t nready)
{
	uint32_t i;

	memset(ev, 0, sizeof(*ev));
	tl_ev_hdr(ev, PSC_EV_EPOLL_WAIT, ts, 10, 10, 1);
	ev->epoll_wait.ret = (int32_t)nready;
	ev->epoll_wait.nready = nready;
	for (i = 0; i < PSC_EPOLL_MAX_READY; i++) {
		/* the kernel leaves entries past nready as the ring had them: garbage */
		ev->epoll_wait.ready[i].events = i < nready ? 1 : 0xdeadbeef;
		ev->epoll_wait.ready[i].data = i < nready ? i + 3 : 0xfeedfacecafebeefull;
	}
}

static int check_record(void *ctx, void *data, size_t len)
{
	struct seen *s = ctx;
	union psc_event ev, want;

	s->n++;
	s->bytes += len;
	if (decode_record(data, len, &ev)) {
		s->bad = true;
		return 0;
	}
	if (ev.hdr.type == PSC_EV_EPOLL_WAIT) {
		make_wait(&want, (uint32_t)ev.hdr.ts_ns, ev.epoll_wait.nready);
		if (decode_record(&want, sizeof(want.epoll_wait), &want) ||
		    memcmp(&want, &ev, sizeof(want.epoll_wait)))
			s->bad = true;
	}
	if (ev.hdr.ts_ns != s->next_ts)
		s->bad = true;
	s->next_ts++;
	return 0;
}

static void test_drain__order_and_trimmed_waits(void **state)
{
	struct drain *d;
	struct seen s = { 0 };
	union psc_event ev;
	uint64_t drops[PSC_EV_TYPE_MAX];
	uint32_t i;

	assert_int_equal(drain_new(&d, 1 << 20), 0);
	for (i = 0; i < 5000; i++) {
		if (i % 2) {
			make_wait(&ev, i, i % (PSC_EPOLL_MAX_READY + 1));
			assert_int_equal(drain_push_record(d, &ev, sizeof(ev.epoll_wait)), 0);
		} else {
			memset(&ev, 0, sizeof(ev));
			tl_ev_hdr(&ev, PSC_EV_PROC_FREE, i, 10, 10, 1);
			assert_int_equal(drain_push_record(d, &ev, sizeof(ev.free)), 0);
		}
		if (i % 1000 == 999)
			while (drain_consume(d, 0, check_record, &s) > 0)
				;
	}
	assert_int_equal(s.n, 5000);
	assert_false(s.bad);
	/* full-size records handed out, but the waits took far less room in the queue */
	assert_int_equal(s.bytes, 2500 * sizeof(ev.epoll_wait) + 2500 * sizeof(ev.free));
	assert_true(drain_peak_bytes(d) < 2500 * sizeof(ev.epoll_wait) / 2);
	drain_read_drops(d, drops);
	for (i = 0; i < PSC_EV_TYPE_MAX; i++)
		assert_int_equal(drops[i], 0);
	drain_free(d);
}

static void test_drain__bound_counts_every_drop(void **state)
{
	struct drain *d;
	struct seen s = { 0 };
	union psc_event ev;
	uint64_t drops[PSC_EV_TYPE_MAX];
	uint32_t i, pushed = 20000;

	assert_int_equal(drain_new(&d, DRAIN_MIN_QUEUE), 0);
	memset(&ev, 0, sizeof(ev));
	for (i = 0; i < pushed; i++) {
		tl_ev_hdr(&ev, i % 3 ? PSC_EV_PROC_FREE : PSC_EV_PROC_EXIT, i, 10, 10, 1);
		assert_int_equal(
			drain_push_record(d, &ev, i % 3 ? sizeof(ev.free) : sizeof(ev.exit)), 0);
	}
	assert_true(drain_peak_bytes(d) <= DRAIN_MIN_QUEUE);
	drain_read_drops(d, drops);
	assert_true(drops[PSC_EV_PROC_FREE] > 0);
	assert_true(drops[PSC_EV_PROC_EXIT] > 0);
	/* what came out plus what was dropped is what went in, per type */
	s.next_ts = 0;
	while (drain_consume(d, 0, check_record, &s) > 0)
		;
	assert_int_equal(s.n + drops[PSC_EV_PROC_FREE] + drops[PSC_EV_PROC_EXIT], pushed);
	/* the queue takes records again once it has room */
	tl_ev_hdr(&ev, PSC_EV_PROC_FREE, 1, 10, 10, 1);
	assert_int_equal(drain_push_record(d, &ev, sizeof(ev.free)), 0);
	s.n = 0;
	s.next_ts = 1;
	assert_int_equal(drain_consume(d, 0, check_record, &s), 1);
	assert_false(s.bad);
	drain_free(d);
}

/*
 * Round trip @i of the ping-pong: each side sends, wakes the other, receives, and returns from
 * epoll_wait with its one ready socket (the events the bench's 100k ping-pong makes, 4 a trip)
 */
static size_t make_pingpong(union psc_event *ev, uint32_t i)
{
	uint32_t side = i / 4 % 2, tid = 4000 + side;
	uint64_t ts = 1000000000ull + i * 2917ull, ino = 70000 + side;

	switch (i % 4) {
	case 0:
		make_wait(ev, 0, 1);
		tl_ev_hdr(ev, PSC_EV_EPOLL_WAIT, ts, tid, tid, 5000 + side);
		ev->epoll_wait.enter_ns = ts - 1500 - i % 7;
		ev->epoll_wait.timeout_ns = -1;
		ev->epoll_wait.epfd = 3;
		ev->epoll_wait.maxevents = 8;
		ev->epoll_wait.ret = 1;
		ev->epoll_wait.nready = 1;
		ev->epoll_wait.ready[0].events = 1;
		ev->epoll_wait.ready[0].data = 4;
		return sizeof(ev->epoll_wait);
	case 1:
	case 3:
		tl_ev_hdr(ev, i % 4 == 1 ? PSC_EV_UNIX_RECV : PSC_EV_UNIX_SEND, ts, tid, tid,
			  5000 + side);
		ev->unix_xfer.ino = ino;
		ev->unix_xfer.peer_ino = ino ^ 1;
		ev->unix_xfer.sk_id = 0xffff888100000000ull + ino;
		ev->unix_xfer.ret = 64;
		ev->unix_xfer.type = 1;
		return sizeof(ev->unix_xfer);
	default:
		tl_ev_hdr(ev, PSC_EV_UNIX_WAKE, ts, tid, tid, 5000 + side);
		ev->unix_wake.ino = ino ^ 1;
		ev->unix_wake.sk_id = 0xffff888100000000ull + (ino ^ 1);
		ev->unix_wake.peer_ino = ino;
		return sizeof(ev->unix_wake);
	}
}

struct same {
	uint32_t i;
	bool bad;
};

static int check_pingpong(void *ctx, void *data, size_t len)
{
	struct same *s = ctx;
	union psc_event want;
	size_t n = make_pingpong(&want, s->i++);

	if (len != n || memcmp(data, &want, n))
		s->bad = true;
	return 0;
}

/*
 * The bench's burst: the 100k ping-pong's 800k events arrive faster than they are written. The
 * default queue holds all of them (each record as what changed since its thread's last one of
 * that type), and they come out as they went in.
 */
static void test_drain__pingpong_burst_fits_default_queue(void **state)
{
	struct drain *d;
	struct same s = { 0 };
	union psc_event ev;
	uint64_t drops[PSC_EV_TYPE_MAX], raw = 0;
	uint32_t i, n = 800000;

	assert_int_equal(drain_new(&d, 0), 0);
	for (i = 0; i < n; i++) {
		size_t len = make_pingpong(&ev, i);

		raw += len;
		assert_int_equal(drain_push_record(d, &ev, len), 0);
	}
	drain_read_drops(d, drops);
	for (i = 0; i < PSC_EV_TYPE_MAX; i++)
		assert_int_equal(drops[i], 0);
	/* 800k records: 106 MB as the ring holds them, 59 MB trimmed, 14 MiB queued */
	assert_true(raw > DRAIN_DEFAULT_QUEUE);
	assert_true(drain_peak_bytes(d) <= DRAIN_DEFAULT_QUEUE / 2);
	while (drain_consume(d, 0, check_pingpong, &s) > 0)
		;
	assert_int_equal(s.i, n);
	assert_false(s.bad);
	drain_free(d);
}

struct rec {
	size_t len, keep; /* bytes handed in, bytes that must come back as they went */
	unsigned char *data;
};

struct replay {
	struct rec *recs;
	size_t i;
	bool bad;
};

static int check_replay(void *ctx, void *data, size_t len)
{
	struct replay *r = ctx;
	const struct rec *want = &r->recs[r->i++];
	size_t k;

	if (len != want->len || memcmp(data, want->data, want->keep))
		r->bad = true;
	for (k = want->keep; k < len && !r->bad; k++)
		if (((unsigned char *)data)[k])
			r->bad = true;
	return 0;
}

/*
 * Any record comes back as it went in, byte for byte: every known type, odd lengths, headers
 * cut short, slots shared by threads and types, records longer than any event, words that
 * repeat and words that do not; pushed and consumed in uneven turns (about every @every
 * records) into a queue of @queue bytes
 */
static void round_trip(size_t queue, uint32_t every)
{
	enum { N = 30000 };
	struct replay r = { .recs = calloc(N, sizeof(struct rec)) };
	uint64_t drops[PSC_EV_TYPE_MAX], seed = 88172645463325252ull;
	struct drain *d;
	size_t i, k, pushed = 0;

	assert_non_null(r.recs);
	assert_int_equal(drain_new(&d, queue), 0);
	for (i = 0; i < N; i++) {
		struct rec *rc = &r.recs[i];
		union psc_event ev;
		uint32_t pick;

		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		pick = (uint32_t)(seed >> 32);
		if (pick % 10 == 0) {
			rc->len = 1 + pick % 1500; /* malformed: any length, up to past any event */
			rc->data = malloc(rc->len);
			assert_non_null(rc->data);
			for (k = 0; k < rc->len; k++)
				rc->data[k] = (unsigned char)(k * 7 + pick);
			memcpy(rc->data, &pick, rc->len < 4 ? rc->len : 4);
		} else {
			uint32_t type = 1 + pick % (PSC_EV_TYPE_MAX - 1);

			if (!decode_type_size(type))
				type = PSC_EV_UNIX_SEND;
			tl_ev_hdr(&ev, type, i, 10 + pick % 3, 10 + (pick >> 8) % 5, 77);
			rc->len = ev.hdr.size;
			for (k = sizeof(ev.hdr); k < rc->len; k++)
				if ((pick >> (k % 24)) & 1)
					((unsigned char *)&ev)[k] = (unsigned char)(pick >> 3);
			rc->data = malloc(rc->len);
			assert_non_null(rc->data);
			memcpy(rc->data, &ev, rc->len);
		}
		rc->keep = decode_record_needed(rc->data, rc->len);
		assert_int_equal(drain_push_record(d, rc->data, rc->len), 0);
		if (pick % every == 0)
			while (drain_consume(d, 0, check_replay, &r) > 0)
				;
	}
	while (drain_consume(d, 0, check_replay, &r) > 0)
		;
	drain_read_drops(d, drops);
	for (k = 0; k < PSC_EV_TYPE_MAX; k++)
		pushed += drops[k];
	assert_int_equal(pushed, 0);
	assert_int_equal(r.i, N);
	assert_false(r.bad);
	for (i = 0; i < N; i++)
		free(r.recs[i].data);
	free(r.recs);
	drain_free(d);
}

static void test_drain__any_record_round_trips(void **state)
{
	round_trip(1 << 20, 97);
}

/*
 * A consumer that falls behind by about a chunk at a time: the queue switches between records
 * copied (one chunk in use) and records encoded against the slots (more) all along
 */
static void test_drain__copied_and_encoded_records_mix(void **state)
{
	round_trip(512 << 10, 401);
}

static void test_drain__sizes(void **state)
{
	size_t v;
	struct drain *d;

	assert_int_equal(drain_parse_size("32M", &v), 0);
	assert_int_equal(v, 32u << 20);
	assert_int_equal(drain_parse_size("64K", &v), 0);
	assert_int_equal(drain_parse_size("65535", &v), -EINVAL);
	assert_int_equal(drain_parse_size("-1M", &v), -EINVAL);
	assert_int_equal(drain_parse_size("16777216G", &v), -EINVAL);
	assert_int_equal(drain_parse_size("1X", &v), -EINVAL);
	assert_int_equal(drain_new(&d, 4096), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drain__order_and_trimmed_waits),
		cmocka_unit_test(test_drain__bound_counts_every_drop),
		cmocka_unit_test(test_drain__pingpong_burst_fits_default_queue),
		cmocka_unit_test(test_drain__any_record_round_trips),
		cmocka_unit_test(test_drain__copied_and_encoded_records_mix),
		cmocka_unit_test(test_drain__sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
