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
		cmocka_unit_test(test_drain__sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
