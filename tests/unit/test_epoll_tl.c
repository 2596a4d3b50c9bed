// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/groups/epoll/epoll_tl.c: interest lists across ADD/MOD/DEL and fd reuse, ready entries
 * mapped back to fds, wait statistics, histograms, busy polling and unix wake-up links.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "hist.h"
#include "epoll_tl.h"
#include "format.h"
#include "model.h"
#include "schema.h"
#include "summary.h"
#include "testlib.h"

#define US 1000ull
#define MS 1000000ull
#define PID 100
#define START 777ull

static void hdr(union psc_event *ev, uint32_t type, uint64_t ts)
{
	tl_ev_hdr(ev, type, ts, PID, PID, START);
}

static void apply(struct model *m, const union psc_event *ev)
{
	assert_int_equal(model_apply(m, ev), 0);
}

static void ctl(struct model *m, uint64_t ts, int op, int fd, uint32_t events, uint64_t data,
		uint64_t ino, int ret)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_EPOLL_CTL, ts);
	ev.epoll_ctl.epfd = 3;
	ev.epoll_ctl.op = op;
	ev.epoll_ctl.fd = fd;
	ev.epoll_ctl.events = events;
	ev.epoll_ctl.data = data;
	ev.epoll_ctl.ret = ret;
	ev.epoll_ctl.target.ino = ino;
	ev.epoll_ctl.target.kind = PSC_FD_SOCKET;
	ev.epoll_ctl.target.sock_family = 1;
	apply(m, &ev);
}

/* A wait on epfd 3 from @enter to @ts returning @ret with @n ready (events, data) pairs */
static void wait_ev(struct model *m, uint64_t enter, uint64_t ts, int64_t timeout, int ret,
		    uint32_t n, const uint64_t *data)
{
	union psc_event ev;
	uint32_t i;

	hdr(&ev, PSC_EV_EPOLL_WAIT, ts);
	ev.epoll_wait.enter_ns = enter;
	ev.epoll_wait.epfd = 3;
	ev.epoll_wait.maxevents = 16;
	ev.epoll_wait.timeout_ns = timeout;
	ev.epoll_wait.ret = ret;
	ev.epoll_wait.nready = n;
	for (i = 0; i < n; i++) {
		ev.epoll_wait.ready[i].events = 1; /* EPOLLIN */
		ev.epoll_wait.ready[i].data = data[i];
	}
	apply(m, &ev);
}

static struct epoll_tl *tl_of(struct model *m)
{
	struct epoll_tl *tl = model_group_state(m, PSC_GROUP_EPOLL);

	assert_non_null(tl);
	return tl;
}

static struct epoll_set *the_set(struct model *m)
{
	size_t n;
	struct epoll_set *const *sets = epoll_tl_sets(tl_of(m), &n);

	assert_int_equal(n, 1);
	return sets[0];
}

static void test_epoll_tl__data_maps_to_fd(void **state)
{
	struct model *m = model_new();
	const struct epoll_ready_fd *rf;
	uint64_t data[2] = { 0xdead0005, 0xdead0006 };
	size_t n;

	/* data is an opaque value (often a pointer): only the ctl history maps it back */
	ctl(m, 1 * MS, 1, 5, 1, 0xdead0005, 1005, 0);
	ctl(m, 2 * MS, 1, 6, 1, 0xdead0006, 1006, 0);
	wait_ev(m, 3 * MS, 4 * MS, -1, 2, 2, data);
	rf = epoll_tl_last_ready(tl_of(m), &n);
	assert_int_equal(n, 2);
	assert_int_equal(rf[0].fd, 5);
	assert_int_equal(rf[1].fd, 6);
	assert_int_equal(rf[1].reg->target.ino, 1006);
	assert_int_equal(the_set(m)->ready_events, 2);
	model_free(m);
}

static void test_epoll_tl__mod_changes_data(void **state)
{
	struct model *m = model_new();
	const struct epoll_ready_fd *rf;
	uint64_t old = 50, neu = 51;
	size_t n;

	ctl(m, 1 * MS, 1, 5, 1, old, 1005, 0);
	ctl(m, 2 * MS, 3, 5, 1u | (1u << 31), neu, 1005, 0); /* MOD: new data, now ET */
	wait_ev(m, 3 * MS, 4 * MS, -1, 1, 1, &neu);
	rf = epoll_tl_last_ready(tl_of(m), &n);
	assert_int_equal(rf[0].fd, 5);
	assert_int_equal(rf[0].reg->events, 1u | (1u << 31));
	/* the old data value maps to nothing any more */
	wait_ev(m, 5 * MS, 6 * MS, -1, 1, 1, &old);
	rf = epoll_tl_last_ready(tl_of(m), &n);
	assert_int_equal(rf[0].fd, -1);
	assert_int_equal(the_set(m)->unmapped, 1);
	model_free(m);
}

static void test_epoll_tl__del_and_fd_reuse(void **state)
{
	struct model *m = model_new();
	const struct epoll_ready_fd *rf;
	uint64_t d = 7;
	size_t n;

	ctl(m, 1 * MS, 1, 7, 1, d, 2000, 0);
	ctl(m, 2 * MS, 2, 7, 0, 0, 2000, 0); /* DEL */
	wait_ev(m, 3 * MS, 4 * MS, -1, 1, 1, &d);
	rf = epoll_tl_last_ready(tl_of(m), &n);
	assert_int_equal(rf[0].fd, -1);
	/* closed without DEL, then the fd number comes back for another file */
	ctl(m, 5 * MS, 1, 7, 1, d, 3000, 0);
	ctl(m, 6 * MS, 1, 7, 1, d, 4000, 0); /* ADD again: the old registration died */
	wait_ev(m, 7 * MS, 8 * MS, -1, 1, 1, &d);
	rf = epoll_tl_last_ready(tl_of(m), &n);
	assert_int_equal(rf[0].fd, 7);
	assert_int_equal(rf[0].reg->target.ino, 4000);
	assert_int_equal(the_set(m)->nregs, 3);
	assert_false(the_set(m)->regs[1].live);
	assert_true(the_set(m)->regs[2].live);
	model_free(m);
}

/*
 * redis's event loop: interest switched by DEL + ADD, thousands of times. The same registration
 * (fd, file, interest, data) comes back: the list stays two rows, their ready counts whole.
 */
static void test_epoll_tl__del_add_cycles_reuse_the_registration(void **state)
{
	struct model *m = model_new();
	uint64_t d = 4, t = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		t += 10 * US;
		ctl(m, t, 1, 4, 4 /* OUT */, d, 5000, 0);
		wait_ev(m, t + 1 * US, t + 2 * US, -1, 1, 1, &d);
		ctl(m, t + 3 * US, 2, 4, 0, d, 5000, 0);
		ctl(m, t + 4 * US, 1, 4, 1 /* IN */, d, 5000, 0);
		wait_ev(m, t + 5 * US, t + 6 * US, -1, 1, 1, &d);
		ctl(m, t + 7 * US, 2, 4, 0, d, 5000, 0);
	}
	assert_int_equal(the_set(m)->nregs, 2);
	assert_int_equal(the_set(m)->regs[0].events, 4);
	assert_int_equal(the_set(m)->regs[0].ready, 1000);
	assert_int_equal(the_set(m)->regs[1].ready, 1000);
	assert_int_equal(the_set(m)->ready_events, 2000);
	assert_int_equal(the_set(m)->unmapped, 0);
	model_free(m);
}

/* More registrations than the text lists: the rest are counted, never silently dropped */
static void test_epoll_tl__summary_counts_unlisted_registrations(void **state)
{
	struct model *m = model_new();
	uint64_t d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int fd;

	m->meta.groups = PSC_GROUP_ALL;
	for (fd = 10; fd < 30; fd++) {
		d = (uint64_t)fd;
		ctl(m, (uint64_t)fd * MS, 1, fd, 1, d, 6000 + (uint64_t)fd, 0);
		wait_ev(m, (uint64_t)fd * MS + 10, (uint64_t)fd * MS + 20, -1, 1, 1, &d);
	}
	assert_int_equal(model_finish(m, 100 * MS), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(summary_print(f, m, NULL), 0);
	assert_int_equal(fclose(f), 0);
	/* 12 rows (fds 10 to 21), then the 8 others and their 8 ready wake-ups */
	if (!strstr(buf, "      fd 21 "))
		fail_msg("%s", buf);
	assert_null(strstr(buf, "      fd 22 "));
	if (!strstr(buf, "      ... 8 more registrations, ready 8 times\n"))
		fail_msg("no count of the registrations not listed:\n%s", buf);
	free(buf);
	model_free(m);
}

static void test_epoll_tl__failed_ctl_changes_nothing(void **state)
{
	struct model *m = model_new();

	ctl(m, 1 * MS, 1, 9, 1, 9, 900, -17); /* EEXIST */
	ctl(m, 2 * MS, 2, 9, 0, 0, 900, -2); /* ENOENT */
	assert_int_equal(the_set(m)->nregs, 0);
	model_free(m);
}

static void test_epoll_tl__wait_stats_and_histogram(void **state)
{
	struct model *m = model_new();
	struct epoll_set *s;
	uint64_t d = 1;

	ctl(m, 0, 1, 1, 1, d, 100, 0);
	wait_ev(m, 1 * MS, 1 * MS + 3 * US, -1, 1, 1, &d); /* 3 us: bucket 11 */
	wait_ev(m, 2 * MS, 2 * MS + 5 * MS, 5 * MS, 0, 0, NULL); /* timeout after 5 ms */
	wait_ev(m, 10 * MS, 10 * MS + 100, -1, -4, 0, NULL); /* EINTR */
	wait_ev(m, 11 * MS, 11 * MS + 100, -1, -9, 0, NULL); /* EBADF */
	s = the_set(m);
	assert_int_equal(s->waits, 4);
	assert_int_equal(s->timeouts, 1);
	assert_int_equal(s->eintr, 1);
	assert_int_equal(s->errors, 1);
	assert_int_equal(s->ready_events, 1);
	assert_int_equal(s->max_wait_ns, 5 * MS);
	assert_int_equal(s->wait_ns, 3 * US + 5 * MS + 200);
	assert_int_equal(s->hist[hist_bucket(3 * US)], 1);
	assert_int_equal(hist_bucket(3000), 11);
	assert_int_equal(hist_bucket(0), 0);
	assert_int_equal(hist_bucket(1), 0);
	assert_int_equal(hist_bucket(2), 1);
	assert_int_equal(hist_bucket(UINT64_MAX), EPOLL_TL_HIST - 1);
	/* the last bucket is open-ended (a shift by 64 would be undefined; found by fuzzing) */
	assert_int_equal(hist_upper(HIST_BUCKETS - 1), UINT64_MAX);
	assert_int_equal(hist_upper(HIST_BUCKETS - 2), 1ull << 63);
	assert_int_equal(hist_lower(0), 0);
	assert_int_equal(hist_upper(0), 2);
	assert_int_equal(s->hist[hist_bucket(5 * MS)], 1);
	assert_false(epoll_set_is_busy_polling(s));
	model_free(m);
}

static void test_epoll_tl__busy_polling(void **state)
{
	struct model *m = model_new();
	int i;

	for (i = 0; i < 150; i++)
		wait_ev(m, (uint64_t)i * MS, (uint64_t)i * MS + 200, 0, 0, 0, NULL);
	assert_true(epoll_set_is_busy_polling(the_set(m)));
	assert_int_equal(the_set(m)->zero_timeout_empty, 150);
	model_free(m);
}

static void wake(struct model *m, uint64_t ts, uint32_t sender, uint64_t ino)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_WAKE, ts);
	ev.hdr.tgid = ev.hdr.tid = sender;
	ev.hdr.start_ns = 55;
	ev.unix_wake.ino = ino;
	apply(m, &ev);
}

/* Records model->links as seen by sinks during the epoll_wait event callback */
struct link_sink {
	struct sink sink;
	size_t nlinks;
	struct wake_link last;
};

static void link_event(struct sink *s, const struct model *m, const union psc_event *ev,
		       const struct proc *subject)
{
	struct link_sink *ls = (struct link_sink *)s;

	if (ev->hdr.type != PSC_EV_EPOLL_WAIT)
		return;
	ls->nlinks += m->nlinks;
	if (m->nlinks)
		ls->last = m->links[0];
}

static void test_epoll_tl__unix_send_links_to_wake(void **state)
{
	struct model *m = model_new();
	struct link_sink ls = { .sink = { .event = link_event } };
	uint64_t d = 8;

	model_add_sink(m, &ls.sink);
	ctl(m, 1 * MS, 1, 8, 1, d, 5555, 0);
	/* two sends before the waiter runs: the first one woke it */
	wake(m, 10 * MS, 200, 5555);
	wake(m, 10 * MS + 50 * US, 201, 5555);
	wait_ev(m, 9 * MS, 10 * MS + 80 * US, -1, 1, 1, &d);
	assert_int_equal(ls.nlinks, 1);
	assert_int_equal(ls.last.sender_pid, 200);
	assert_int_equal(ls.last.latency_ns, 80 * US);
	assert_int_equal(ls.last.fd, 8);
	assert_int_equal(ls.last.ino, 5555);
	assert_int_equal(the_set(m)->wakes_linked, 1);
	/* consumed: the next wait of that fd is not linked to the same send again */
	wait_ev(m, 11 * MS, 12 * MS, -1, 1, 1, &d);
	assert_int_equal(ls.nlinks, 1);
	/* a wake-up of another socket does not link to this fd */
	wake(m, 13 * MS, 300, 9999);
	wait_ev(m, 13 * MS, 14 * MS, -1, 1, 1, &d);
	assert_int_equal(ls.nlinks, 1);
	model_free(m);
}

static void test_epoll_tl__recv_without_epoll_drops_pending(void **state)
{
	struct model *m = model_new();
	struct link_sink ls = { .sink = { .event = link_event } };
	union psc_event ev;
	uint64_t d = 8;

	model_add_sink(m, &ls.sink);
	ctl(m, 1 * MS, 1, 8, 1, d, 5555, 0);
	wake(m, 2 * MS, 200, 5555);
	hdr(&ev, PSC_EV_UNIX_RECV, 3 * MS); /* read directly: that send woke nobody in epoll */
	ev.unix_xfer.ino = 5555;
	ev.unix_xfer.ret = 10;
	apply(m, &ev);
	wait_ev(m, 4 * MS, 5 * MS, -1, 1, 1, &d);
	assert_int_equal(ls.nlinks, 0);
	model_free(m);
}

/*
 * A connect wakes the listener; the accept that took it (its wait unseen: it began before
 * attach) consumes that wake. The next wait on the listener is woken by the next client.
 */
static void test_epoll_tl__accept_consumes_the_listener_wake(void **state)
{
	struct model *m = model_new();
	struct link_sink ls = { .sink = { .event = link_event } };
	union psc_event ev;
	uint64_t d = 3;

	model_add_sink(m, &ls.sink);
	ctl(m, 1 * MS, 1, 3, 1, d, 4444, 0);
	wake(m, 2 * MS, 200, 4444);
	hdr(&ev, PSC_EV_UNIX_ACCEPT, 3 * MS);
	ev.unix_accept.fd = 3;
	ev.unix_accept.ret = 7;
	ev.unix_accept.listen_ino = 4444;
	ev.unix_accept.ino = 7777;
	apply(m, &ev);
	wake(m, 1700 * MS, 201, 4444);
	wait_ev(m, 4 * MS, 1700 * MS + 90 * US, -1, 1, 1, &d);
	assert_int_equal(ls.nlinks, 1);
	assert_int_equal(ls.last.sender_pid, 201);
	assert_int_equal(ls.last.latency_ns, 90 * US);
	model_free(m);
}

static void test_epoll_tl__poll_family(void **state)
{
	struct model *m = model_new();
	union psc_event ev;
	size_t n;
	struct poll_use *const *pu;
	int i;

	for (i = 0; i < 3; i++) {
		hdr(&ev, PSC_EV_POLL_WAIT, (uint64_t)(i + 1) * MS);
		ev.poll_wait.enter_ns = (uint64_t)(i + 1) * MS - 10 * US;
		ev.poll_wait.kind = i == 2 ? PSC_POLL_SELECT : PSC_POLL_POLL;
		ev.poll_wait.nfds = 100;
		ev.poll_wait.ret = i == 1 ? 0 : 1;
		apply(m, &ev);
	}
	pu = epoll_tl_polls(tl_of(m), &n);
	assert_int_equal(n, 2);
	assert_int_equal(pu[0]->kind, PSC_POLL_POLL);
	assert_int_equal(pu[0]->calls, 2);
	assert_int_equal(pu[0]->timeouts, 1);
	assert_int_equal(pu[0]->nfds_total, 200);
	assert_int_equal(pu[0]->wait_ns, 20 * US);
	assert_int_equal(pu[1]->kind, PSC_POLL_SELECT);
	model_free(m);
}

/* What @ops->live prints for @ev, at min_wait @min_ns: malloc'ed */
static char *live_text(struct model *m, const union psc_event *ev, uint64_t min_ns)
{
	const struct model_group_ops *ops = model_group_ops(m, PSC_GROUP_EPOLL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ops->live(model_group_state(m, PSC_GROUP_EPOLL), m, ev, f, min_ns);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/*
 * A wait that began before the trace (PSC_WAIT_EARLY: no entry seen, enter_ns 0) counts as a
 * wait with its ready fds, but has no duration: none summed, averaged or put in the histogram,
 * none in the log (null), and its live line says so, whatever --min-wait says
 */
static void test_epoll_tl__wait_begun_before_trace(void **state)
{
	struct model *m = model_new();
	const struct epoll_ready_fd *rf;
	struct jw w;
	union psc_event ev;
	struct epoll_set *s;
	struct poll_use *const *pu;
	uint64_t d = 5, b, total = 0;
	char *text, *buf = NULL;
	size_t n, len = 0;
	FILE *f;

	m->meta.groups = PSC_GROUP_ALL;
	ctl(m, 0, 1, 5, 1, d, 100, 0);
	hdr(&ev, PSC_EV_EPOLL_WAIT, 5000 * MS);
	ev.epoll_wait.epfd = 3;
	ev.epoll_wait.timeout_ns = -1;
	ev.epoll_wait.ret = 1;
	ev.epoll_wait.nready = 1;
	ev.epoll_wait.ready[0].events = 1;
	ev.epoll_wait.ready[0].data = d;
	ev.epoll_wait.flags = PSC_WAIT_EARLY;
	apply(m, &ev);
	rf = epoll_tl_last_ready(tl_of(m), &n);
	assert_int_equal(n, 1);
	assert_int_equal(rf[0].fd, 5);
	text = live_text(m, &ev, 10 * MS);
	if (!strstr(text, "epfd 3 (began before the trace) -> 1 ready: fd 5 IN"))
		fail_msg("live line: <%s>", text);
	free(text);
	/* --min-wait: it blocked at least since the trace began (5 ms here), no more is known */
	m->meta.boottime_base_ns = 4995 * MS;
	text = live_text(m, &ev, 10 * MS);
	assert_string_equal(text, "");
	free(text);
	text = live_text(m, &ev, 5 * MS);
	assert_non_null(strstr(text, "(began before the trace)"));
	free(text);
	m->meta.boottime_base_ns = 0;
	jw_init(&w);
	jw_obj_start(&w);
	schema_write_record(&w, schema_lookup(PSC_EV_EPOLL_WAIT), &ev, 0);
	jw_obj_end(&w);
	if (!strstr(w.buf, "\"enter_ns\":0,") || !strstr(w.buf, "\"began_before_trace\":true") ||
	    !strstr(w.buf, "\"duration_ns\":null"))
		fail_msg("record: %s", w.buf);
	jw_free(&w);
	wait_ev(m, 5001 * MS, 5002 * MS, -1, 1, 1, &d);
	s = the_set(m);
	assert_int_equal(s->waits, 2);
	assert_int_equal(s->early, 1);
	assert_int_equal(s->ready_events, 2);
	assert_int_equal(s->wait_ns, 1 * MS);
	assert_int_equal(s->max_wait_ns, 1 * MS);
	for (b = 0; b < EPOLL_TL_HIST; b++)
		total += s->hist[b];
	assert_int_equal(total, 1);

	hdr(&ev, PSC_EV_POLL_WAIT, 6000 * MS);
	ev.poll_wait.kind = PSC_POLL_PSELECT6;
	ev.poll_wait.nfds = 6;
	ev.poll_wait.ret = 1;
	ev.poll_wait.flags = PSC_WAIT_EARLY | PSC_WAIT_TIMEOUT_UNKNOWN;
	apply(m, &ev);
	text = live_text(m, &ev, 10 * MS);
	if (!strstr(text, "nfds 6 blocked (began before the trace) -> 1"))
		fail_msg("live line: <%s>", text);
	free(text);
	pu = epoll_tl_polls(tl_of(m), &n);
	assert_int_equal(n, 1);
	assert_int_equal(pu[0]->calls, 1);
	assert_int_equal(pu[0]->early, 1);
	assert_int_equal(pu[0]->wait_ns, 0);

	assert_int_equal(model_finish(m, 7000 * MS), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(summary_print(f, m, NULL), 0);
	assert_int_equal(fclose(f), 0);
	if (!strstr(buf, "2 waits (0 timeouts, 0 EINTR, 0 errors, 1 began before the trace), 2 "
			 "ready, blocked mean 1.00ms max 1.00ms") ||
	    !strstr(buf, "time blocked in epoll waits (1 waits)"))
		fail_msg("summary:\n%s", buf);
	free(buf);
	model_free(m);
}

/*
 * A signal interrupting poll or select leaves a restart code in the return value (-514
 * ERESTARTNOHAND, -516 ERESTART_RESTARTBLOCK: the program sees EINTR, or the call restarts):
 * the live line names it and says what happened, never a bare "-514"; real errnos by name
 */
static void test_epoll_tl__poll_interrupted_by_a_signal(void **state)
{
	static const struct {
		int32_t ret;
		const char *want;
	} cases[] = {
		{ -514, "nfds 4 blocked 2.00ms -> interrupted by a signal (ERESTARTNOHAND)" },
		{ -516,
		  "nfds 4 blocked 2.00ms -> interrupted by a signal (ERESTART_RESTARTBLOCK)" },
		{ -9, "nfds 4 blocked 2.00ms -> EBADF" },
		{ 2, "nfds 4 blocked 2.00ms -> 2" },
	};
	struct model *m = model_new();
	union psc_event ev;
	char buf[32], *text;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hdr(&ev, PSC_EV_POLL_WAIT, (i + 1) * 10 * MS);
		ev.poll_wait.enter_ns = (i + 1) * 10 * MS - 2 * MS;
		ev.poll_wait.kind = PSC_POLL_PSELECT6;
		ev.poll_wait.nfds = 4;
		ev.poll_wait.ret = cases[i].ret;
		apply(m, &ev);
		text = live_text(m, &ev, 0);
		if (!strstr(text, cases[i].want))
			fail_msg("ret %d: <%s>, want <%s>", cases[i].ret, text, cases[i].want);
		free(text);
	}
	assert_string_equal(errno_name(-512, buf, sizeof(buf)), "ERESTARTSYS");
	assert_string_equal(errno_name(-515, buf, sizeof(buf)), "ENOIOCTLCMD");
	assert_false(errno_is_restart(-515));
	assert_true(errno_is_restart(-513));
	assert_false(errno_is_restart(-4));
	assert_string_equal(errno_name(INT64_MIN, buf, sizeof(buf)), "E4096");
	assert_string_equal(errno_name(-4000, buf, sizeof(buf)), "E4000");
	assert_string_equal(errno_name(32, buf, sizeof(buf)), "EPIPE");
	model_free(m);
}

static void test_epoll_tl__events_str(void **state)
{
	char buf[64];

	assert_string_equal(epoll_events_str(0x1 | 0x4 | (1u << 31), buf, sizeof(buf)),
			    "IN|OUT|ET");
	assert_string_equal(epoll_events_str(0x10, buf, sizeof(buf)), "HUP");
	assert_string_equal(epoll_events_str(0, buf, sizeof(buf)), "0x0");
}

/* One short process: forked by 1, epoll on a socket that gets a wake it never reads, a poll */
static void short_process(struct model *m, uint32_t i, uint64_t t)
{
	uint32_t pid = 1000 + i;
	uint64_t start = t, ino = 500000 + i;
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FORK, t, 1, 1, 7);
	ev.fork.parent_tgid = 1;
	ev.fork.parent_start_ns = 7;
	ev.fork.child_tgid = ev.fork.child_tid = pid;
	ev.fork.child_start_ns = start;
	apply(m, &ev);
	tl_ev_hdr(&ev, PSC_EV_EPOLL_CREATE, t + 1 * US, pid, pid, start);
	ev.epoll_create.ret = 3;
	apply(m, &ev);
	tl_ev_hdr(&ev, PSC_EV_EPOLL_CTL, t + 2 * US, pid, pid, start);
	ev.epoll_ctl.epfd = 3;
	ev.epoll_ctl.op = 1;
	ev.epoll_ctl.fd = 4;
	ev.epoll_ctl.events = 1;
	ev.epoll_ctl.data = 4;
	ev.epoll_ctl.target.ino = ino;
	ev.epoll_ctl.target.kind = PSC_FD_SOCKET;
	apply(m, &ev);
	tl_ev_hdr(&ev, PSC_EV_EPOLL_WAIT, t + 4 * US, pid, pid, start);
	ev.epoll_wait.enter_ns = t + 3 * US;
	ev.epoll_wait.epfd = 3;
	ev.epoll_wait.maxevents = 16;
	ev.epoll_wait.ret = 1;
	ev.epoll_wait.nready = 1;
	ev.epoll_wait.ready[0].events = 1;
	ev.epoll_wait.ready[0].data = 4;
	apply(m, &ev);
	/* a send that made the socket readable: nobody waits for it again */
	tl_ev_hdr(&ev, PSC_EV_UNIX_WAKE, t + 5 * US, pid, pid, start);
	ev.unix_wake.ino = ino;
	apply(m, &ev);
	tl_ev_hdr(&ev, PSC_EV_POLL_WAIT, t + 7 * US, pid, pid, start);
	ev.poll_wait.enter_ns = t + 6 * US;
	ev.poll_wait.kind = PSC_POLL_POLL;
	ev.poll_wait.nfds = 1;
	ev.poll_wait.ret = 1;
	apply(m, &ev);
	tl_ev_hdr(&ev, PSC_EV_PROC_EXIT, t + 8 * US, pid, pid, start);
	ev.exit.flags = PSC_EXIT_GROUP_DEAD;
	ev.exit.parent_tgid = 1;
	ev.exit.parent_start_ns = 7;
	apply(m, &ev);
	tl_ev_hdr(&ev, PSC_EV_PROC_REAP, t + 9 * US, 1, 1, 7);
	ev.reap.reaped_tgid = pid;
	apply(m, &ev);
}

/*
 * #11: every set and poll row of every exited process was kept (2.4 KB a process, for ever).
 * Now what the process table retires, the group retires: the busiest rows stay whole, the
 * others are folded, and the totals stay exact.
 */
static void test_epoll_tl__long_trace_is_bounded(void **state)
{
	enum { N = 20000 };
	struct model *m = model_new();
	const struct epoll_folded *f;
	struct epoll_tl *tl;
	size_t nsets, npolls, i;
	struct epoll_set *const *sets;
	struct poll_use *const *polls;
	uint64_t waits, calls;
	uint32_t k;

	assert_non_null(m);
	tl = tl_of(m);
	for (k = 0; k < N; k++)
		short_process(m, k, (uint64_t)(k + 1) * 20 * US);
	sets = epoll_tl_sets(tl, &nsets);
	polls = epoll_tl_polls(tl, &npolls);
	f = epoll_tl_folded(tl);
	assert_true(nsets < N / 2);
	/* what the table keeps (model.h), a quarter more before a pass, and the retired kept */
	assert_true(nsets <= (MODEL_RETAIN_PLAIN + MODEL_RETAIN_NOTABLE) * 5 / 4 + 16 +
				     2 * EPOLL_TL_KEEP_RETIRED);
	assert_true(npolls <= (MODEL_RETAIN_PLAIN + MODEL_RETAIN_NOTABLE) * 5 / 4 + 16 +
				      2 * EPOLL_TL_KEEP_RETIRED);
	/* no wake is kept for a socket no live set watches */
	assert_true(epoll_tl_pending(tl) <= nsets);
	/* nothing is lost from the totals */
	for (i = 0, waits = f->waits; i < nsets; i++)
		waits += sets[i]->waits;
	for (i = 0, calls = f->poll_calls; i < npolls; i++)
		calls += polls[i]->calls;
	assert_int_equal(waits, N);
	assert_int_equal(calls, N);
	assert_int_equal(f->sets + nsets, N);
	assert_int_equal(f->polls + npolls, N);
	assert_int_equal(f->hist[hist_bucket(1 * US)], f->waits);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoll_tl__data_maps_to_fd),
		cmocka_unit_test(test_epoll_tl__mod_changes_data),
		cmocka_unit_test(test_epoll_tl__del_and_fd_reuse),
		cmocka_unit_test(test_epoll_tl__failed_ctl_changes_nothing),
		cmocka_unit_test(test_epoll_tl__del_add_cycles_reuse_the_registration),
		cmocka_unit_test(test_epoll_tl__summary_counts_unlisted_registrations),
		cmocka_unit_test(test_epoll_tl__wait_stats_and_histogram),
		cmocka_unit_test(test_epoll_tl__busy_polling),
		cmocka_unit_test(test_epoll_tl__unix_send_links_to_wake),
		cmocka_unit_test(test_epoll_tl__recv_without_epoll_drops_pending),
		cmocka_unit_test(test_epoll_tl__accept_consumes_the_listener_wake),
		cmocka_unit_test(test_epoll_tl__poll_family),
		cmocka_unit_test(test_epoll_tl__wait_begun_before_trace),
		cmocka_unit_test(test_epoll_tl__poll_interrupted_by_a_signal),
		cmocka_unit_test(test_epoll_tl__events_str),
		cmocka_unit_test(test_epoll_tl__long_trace_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
