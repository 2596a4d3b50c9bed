// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF: the epoll demos under `procscope demo -o LOG --truth TRUTH`, compared with what the
 * workloads recorded themselves: every epoll_wait and its ready fds, the interest list with the
 * sockets' inodes (fstat), level- vs edge-triggered wake-ups, an EINTR, and select/poll/epoll
 * call counts and costs.
 */
#include "integ.h"

#define EINTR_RET (-4)
#define EPOLLET_BIT (1u << 31)

struct io_run {
	char dir[64];
	char log_path[128];
	char truth_path[128];
	struct integ_log log;
	struct integ_log truth;
};

static void run_io_demo(struct io_run *r, const char *name)
{
	char *argv[] = {
		(char *)integ_procscope(), (char *)"demo", (char *)"-q", (char *)"-o", r->log_path,
		(char *)"--truth",	   r->truth_path,  (char *)name, NULL
	};
	char out[160], err[160];
	int status;

	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->log_path, sizeof(r->log_path), "%s/log.jsonl", r->dir);
	snprintf(r->truth_path, sizeof(r->truth_path), "%s/truth.jsonl", r->dir);
	snprintf(out, sizeof(out), "%s/stdout", r->dir);
	snprintf(err, sizeof(err), "%s/stderr", r->dir);
	status = integ_run(argv, out, err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	integ_load(r->log_path, &r->log);
	integ_load(r->truth_path, &r->truth);
	assert_int_equal(r->log.bad_lines, 0);
	assert_int_equal(r->truth.bad_lines, 0);
	assert_int_equal(integ_i64(r->log.recs[r->log.n - 1], "lost"), 0);
}

static void free_io_demo(struct io_run *r)
{
	integ_free(&r->log);
	integ_free(&r->truth);
	integ_rmtree(r->dir);
}

static json_object *sub(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/* The i-th integer of a JSON array field, or INT64_MIN */
static int64_t arr_i64(json_object *o, const char *key, size_t i)
{
	json_object *a = sub(o, key);

	if (!a || !json_object_is_type(a, json_type_array) || i >= json_object_array_length(a))
		return INT64_MIN;
	return json_object_get_int64(json_object_array_get_idx(a, i));
}

static size_t arr_len(json_object *o, const char *key)
{
	json_object *a = sub(o, key);

	return a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

/* The traced EPOLL_CTL_ADD of @fd whose target is inode @ino */
static json_object *find_add(const struct io_run *r, int64_t pid, int64_t epfd, int64_t fd,
			     int64_t ino)
{
	size_t i;

	for (i = 0; i < r->log.n; i++) {
		json_object *o = r->log.recs[i];

		if (integ_is(o, "type", "epoll_ctl") && integ_i64(o, "pid") == pid &&
		    integ_i64(o, "epfd") == epfd && integ_i64(o, "op") == 1 &&
		    integ_i64(o, "fd") == fd && integ_i64(sub(o, "target"), "ino") == ino)
			return o;
	}
	return NULL;
}

/* The traced interest list matches the server's own fds and fstat() inodes */
static void check_interest_list(const struct io_run *r, json_object *srv)
{
	int64_t pid = integ_i64(srv, "pid"), epfd = integ_i64(srv, "epfd");
	bool edge = integ_is(srv, "mode", "et");
	json_object *e;
	size_t i, conns = 0;

	e = integ_find(&r->log, "type", "epoll_create", "pid", pid, "ret", epfd, NULL);
	assert_non_null(e);
	e = integ_find(&r->log, "type", "epoll_ctl", "pid", pid, "epfd", epfd, "op", INTEG_I(1),
		       "fd", integ_i64(srv, "listen_fd"), NULL);
	assert_non_null(e);
	assert_int_equal(integ_i64(sub(e, "target"), "ino"), integ_i64(srv, "listen_ino"));
	assert_true(integ_is(sub(e, "target"), "kind", "socket"));
	for (i = 0; i < r->truth.n; i++) {
		json_object *t = r->truth.recs[i];

		if (!integ_is(t, "kind", "epoll_conn") || integ_i64(t, "pid") != pid)
			continue;
		conns++;
		/* a client may leave before the next connects: fd numbers are reused, inodes not */
		e = find_add(r, pid, epfd, integ_i64(t, "fd"), integ_i64(t, "ino"));
		if (!e)
			integ_dump("no traced EPOLL_CTL_ADD with this fd and inode", t);
		assert_non_null(e);
		assert_int_equal((integ_i64(e, "events") & EPOLLET_BIT) != 0, edge);
	}
	assert_int_equal(conns, 3);
}

/* Every wait the server made is traced, in order, with the same result and ready fds */
static size_t check_waits(const struct io_run *r, json_object *srv, size_t *eintr)
{
	int64_t pid = integ_i64(srv, "pid"), epfd = integ_i64(srv, "epfd");
	size_t ti = 0, li = 0, k, n = 0;

	*eintr = 0;
	for (;;) {
		json_object *t = NULL, *e = NULL;

		for (; ti < r->truth.n; ti++)
			if (integ_is(r->truth.recs[ti], "kind", "epoll_wait") &&
			    integ_i64(r->truth.recs[ti], "pid") == pid) {
				t = r->truth.recs[ti++];
				break;
			}
		for (; li < r->log.n; li++)
			if (integ_is(r->log.recs[li], "type", "epoll_wait") &&
			    integ_i64(r->log.recs[li], "pid") == pid &&
			    integ_i64(r->log.recs[li], "epfd") == epfd) {
				e = r->log.recs[li++];
				break;
			}
		if (!t && !e)
			break;
		if (!t || !e)
			integ_dump("unmatched wait: workload", t), integ_dump("traced", e);
		assert_non_null(t);
		assert_non_null(e);
		assert_int_equal(integ_i64(e, "ret"), integ_i64(t, "ret"));
		*eintr += integ_i64(e, "ret") == EINTR_RET;
		assert_int_equal(arr_len(e, "ready_fds"), arr_len(t, "fds"));
		for (k = 0; k < arr_len(t, "fds"); k++)
			assert_int_equal(arr_i64(e, "ready_fds", k), arr_i64(t, "fds", k));
		assert_true(integ_i64(e, "duration_ns") >= 0);
		n++;
	}
	return n;
}

static void test_epoll__server_lt_and_et(void **state)
{
	struct io_run r = { 0 };
	json_object *lt, *et, *sum;
	size_t lt_waits, et_waits, eintr;

	run_io_demo(&r, "epoll-server");
	lt = integ_find(&r.truth, "kind", "epoll_server", NULL);
	assert_non_null(lt);
	assert_true(integ_is(lt, "mode", "lt"));
	et = NULL;
	for (size_t i = 0; i < r.truth.n; i++)
		if (integ_is(r.truth.recs[i], "kind", "epoll_server") &&
		    integ_is(r.truth.recs[i], "mode", "et"))
			et = r.truth.recs[i];
	assert_non_null(et);

	check_interest_list(&r, lt);
	check_interest_list(&r, et);
	lt_waits = check_waits(&r, lt, &eintr);
	assert_int_equal(eintr, 1); /* the demo's SIGUSR1 interrupts one wait */
	et_waits = check_waits(&r, et, &eintr);
	assert_int_equal(eintr, 1);
	sum = integ_find(&r.truth, "kind", "epoll_summary", "pid", integ_i64(lt, "pid"), NULL);
	assert_non_null(sum);
	assert_int_equal((int64_t)lt_waits, integ_i64(sum, "waits"));
	sum = integ_find(&r.truth, "kind", "epoll_summary", "pid", integ_i64(et, "pid"), NULL);
	assert_non_null(sum);
	assert_int_equal((int64_t)et_waits, integ_i64(sum, "waits"));
	/* one read per wake-up (LT) needs more wake-ups than draining to EAGAIN (ET) */
	assert_true(lt_waits > et_waits);
	free_io_demo(&r);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median duration of the traced waits of one kind; their count in *n */
static int64_t median_wait(const struct io_run *r, const char *type, int64_t pid, int64_t kind,
			   int64_t epfd, size_t *n)
{
	int64_t *d = calloc(r->log.n, sizeof(*d)), med;
	size_t i, k = 0;

	assert_non_null(d);
	for (i = 0; i < r->log.n; i++) {
		json_object *o = r->log.recs[i];

		if (!integ_is(o, "type", type) || integ_i64(o, "pid") != pid)
			continue;
		/* glibc's select() is the pselect6 syscall: both count as select */
		if (kind && integ_i64(o, "kind") != kind &&
		    !(kind == 3 && integ_i64(o, "kind") == 4))
			continue;
		if (epfd >= 0 && integ_i64(o, "epfd") != epfd)
			continue;
		assert_int_equal(integ_i64(o, "ret"), 1);
		d[k++] = integ_i64(o, "duration_ns");
	}
	qsort(d, k, sizeof(*d), cmp_i64);
	med = k ? d[k / 2] : -1;
	free(d);
	*n = k;
	return med;
}

static void test_epoll__select_poll_epoll_costs(void **state)
{
	struct io_run r = { 0 };
	json_object *sel, *pol, *ep, *epfd;
	int64_t pid, msel, mpol, mep;
	size_t nsel, npol, nep;

	run_io_demo(&r, "select-poll-epoll");
	sel = integ_find(&r.truth, "kind", "spe", NULL);
	assert_non_null(sel);
	pid = integ_i64(sel, "pid");
	pol = NULL, ep = NULL;
	for (size_t i = 0; i < r.truth.n; i++) {
		if (integ_is(r.truth.recs[i], "mechanism", "poll"))
			pol = r.truth.recs[i];
		if (integ_is(r.truth.recs[i], "mechanism", "epoll"))
			ep = r.truth.recs[i];
	}
	epfd = integ_find(&r.truth, "kind", "spe_epfd", NULL);
	assert_non_null(pol);
	assert_non_null(ep);
	assert_non_null(epfd);

	/* kind: 3 = select (4 = pselect6), 1 = poll (docs/events.md) */
	msel = median_wait(&r, "poll_wait", pid, 3, -1, &nsel);
	mpol = median_wait(&r, "poll_wait", pid, 1, -1, &npol);
	mep = median_wait(&r, "epoll_wait", pid, 0, integ_i64(epfd, "epfd"), &nep);
	assert_int_equal((int64_t)nsel, integ_i64(sel, "waits"));
	assert_int_equal((int64_t)npol, integ_i64(pol, "waits"));
	assert_int_equal((int64_t)nep, integ_i64(ep, "waits"));
	assert_true(integ_find(&r.log, "type", "poll_wait", "pid", pid, "kind", INTEG_I(3), "nfds",
			       integ_i64(sel, "nfds"), NULL) ||
		    integ_find(&r.log, "type", "poll_wait", "pid", pid, "kind", INTEG_I(4), "nfds",
			       integ_i64(sel, "nfds"), NULL));
	assert_non_null(integ_find(&r.log, "type", "poll_wait", "pid", pid, "kind", INTEG_I(1),
				   "nfds", integ_i64(pol, "nfds"), NULL));
	/* every call returns at once, so its duration is the scan: hundreds of idle fds vs none */
	fprintf(stderr, "median wait: select %lld ns, poll %lld ns, epoll %lld ns\n",
		(long long)msel, (long long)mpol, (long long)mep);
	assert_true(msel > 3 * mep);
	assert_true(mpol > 3 * mep);
	assert_true(integ_i64(sel, "cpu_ns") > integ_i64(ep, "cpu_ns"));
	free_io_demo(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoll__server_lt_and_et),
		cmocka_unit_test(test_epoll__select_poll_epoll_costs),
	};

	if (!integ_can_trace()) {
		fprintf(stderr, "test_epoll: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
