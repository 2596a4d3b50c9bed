// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF: each demo runs under `procscope demo -o LOG --truth TRUTH`, and what was traced is
 * compared with what the workload itself recorded (its getpid/getppid, waitpid statuses, the
 * parent it saw after being orphaned).
 */
#include "integ.h"

struct demo_run {
	char dir[64];
	char log_path[128];
	char truth_path[128];
	char out_path[128];
	char err_path[128];
	struct integ_log log;
	struct integ_log truth;
	int status;
};

static void run_demo(struct demo_run *r, const char *name)
{
	char *argv[] = {
		(char *)integ_procscope(), (char *)"demo", (char *)"-q", (char *)"-o", r->log_path,
		(char *)"--truth",	   r->truth_path,  (char *)name, NULL
	};

	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->log_path, sizeof(r->log_path), "%s/log.jsonl", r->dir);
	snprintf(r->truth_path, sizeof(r->truth_path), "%s/truth.jsonl", r->dir);
	snprintf(r->out_path, sizeof(r->out_path), "%s/stdout", r->dir);
	snprintf(r->err_path, sizeof(r->err_path), "%s/stderr", r->dir);
	r->status = integ_run(argv, r->out_path, r->err_path);
	assert_true(WIFEXITED(r->status));
	assert_int_equal(WEXITSTATUS(r->status), 0);
	integ_load(r->log_path, &r->log);
	integ_load(r->truth_path, &r->truth);
	assert_int_equal(r->log.bad_lines, 0);
	assert_int_equal(r->truth.bad_lines, 0);
	assert_non_null(integ_find(&r->truth, "kind", "done", NULL));
}

static void free_demo(struct demo_run *r)
{
	integ_free(&r->log);
	integ_free(&r->truth);
	integ_rmtree(r->dir);
}

/* Nothing lost, trailer and header present, and event counts consistent */
static void check_log_complete(const struct demo_run *r)
{
	json_object *hdr = r->log.n ? r->log.recs[0] : NULL;
	json_object *trl = r->log.n ? r->log.recs[r->log.n - 1] : NULL;
	size_t i, events = 0;

	assert_non_null(hdr);
	assert_true(integ_is(hdr, "type", "header"));
	assert_true(integ_is(hdr, "format", "procscope-events"));
	assert_true(integ_is(trl, "type", "trailer"));
	assert_int_equal(integ_i64(trl, "lost"), 0);
	for (i = 1; i + 1 < r->log.n; i++)
		if (!integ_has(r->log.recs[i], "derived") &&
		    !integ_is(r->log.recs[i], "type", "lost"))
			events++;
	assert_int_equal(integ_i64(trl, "events"), (int64_t)events);
}

/* Every fork, exit status and reap the workload recorded is in the trace */
static void check_forks_exits_reaps(const struct demo_run *r)
{
	size_t i;

	for (i = 0; i < r->truth.n; i++) {
		json_object *t = r->truth.recs[i], *e;
		int64_t pid = integ_i64(t, "pid");

		if (integ_is(t, "kind", "fork")) {
			e = integ_find(&r->log, "type", "fork", "parent_pid",
				       integ_i64(t, "parent"), "child_pid", integ_i64(t, "child"),
				       NULL);
			if (!e)
				integ_dump("fork not traced", t);
			assert_non_null(e);
			assert_false(integ_bool(e, "thread"));
		} else if (integ_is(t, "kind", "proc")) {
			/* the process's own view: its parent at start is the one that forked it */
			e = integ_find(&r->log, "type", "fork", "child_pid", pid, NULL);
			if (integ_is(t, "role", "root"))
				continue; /* forked by procscope before tracing began */
			if (!e || integ_i64(e, "parent_pid") != integ_i64(t, "ppid"))
				integ_dump("getppid() disagrees with the traced fork", t);
			assert_non_null(e);
			assert_int_equal(integ_i64(e, "parent_pid"), integ_i64(t, "ppid"));
		} else if (integ_is(t, "kind", "wait")) {
			int64_t status = integ_i64(t, "status");

			e = integ_find(&r->log, "type", "exit", "pid", pid, "group_dead",
				       INTEG_I(1), NULL);
			if (!e || integ_i64(e, "exit_status") != status)
				integ_dump("exit status differs from waitpid()", t);
			assert_non_null(e);
			assert_int_equal(integ_i64(e, "exit_status"), status);
			e = integ_find(&r->log, "type", "reap", "pid", integ_i64(t, "waiter"),
				       "reaped_pid", pid, NULL);
			if (!e)
				integ_dump("reap not traced", t);
			assert_non_null(e);
			assert_int_equal(integ_i64(e, "status"), status);
		} else if (integ_is(t, "kind", "exit") && integ_has(t, "code")) {
			e = integ_find(&r->log, "type", "exit", "pid", pid, NULL);
			assert_non_null(e);
			assert_int_equal(integ_i64(e, "code"), integ_i64(t, "code"));
		} else if (integ_is(t, "kind", "exit") && integ_has(t, "signal")) {
			e = integ_find(&r->log, "type", "exit", "pid", pid, NULL);
			assert_non_null(e);
			assert_int_equal(integ_i64(e, "signal"), integ_i64(t, "signal"));
		}
	}
}

static void test_proc__fork_demo(void **state)
{
	struct demo_run r = { 0 };
	size_t nforks, nsig = 0, i;

	run_demo(&r, "fork");
	check_log_complete(&r);
	check_forks_exits_reaps(&r);
	nforks = integ_count(&r.truth, "kind", "fork", NULL);
	assert_true(nforks >= 4);
	for (i = 0; i < r.truth.n; i++)
		nsig += integ_is(r.truth.recs[i], "kind", "exit") &&
			integ_has(r.truth.recs[i], "signal");
	assert_true(nsig >= 1); /* the demo kills one child with a signal */
	free_demo(&r);
}

static void test_proc__orphan_demo(void **state)
{
	struct demo_run r = { 0 };
	size_t i, norphans = 0;

	run_demo(&r, "orphan");
	check_log_complete(&r);
	check_forks_exits_reaps(&r);
	for (i = 0; i < r.truth.n; i++) {
		json_object *t = r.truth.recs[i], *e, *pexit;

		if (!integ_is(t, "kind", "orphan"))
			continue;
		norphans++;
		/* the adopter the kernel chose is the parent the orphan saw afterwards */
		e = integ_find(&r.log, "type", "orphan", "pid", integ_i64(t, "pid"),
			       "old_parent_pid", integ_i64(t, "old_ppid"), NULL);
		if (!e || integ_i64(e, "new_parent_pid") != integ_i64(t, "new_ppid"))
			integ_dump("adopter differs from getppid()", t), integ_dump("traced", e);
		assert_non_null(e);
		assert_int_equal(integ_i64(e, "new_parent_pid"), integ_i64(t, "new_ppid"));
		pexit = integ_find(&r.log, "type", "exit", "pid", integ_i64(t, "old_ppid"), NULL);
		assert_non_null(pexit);
		assert_int_equal(integ_i64(pexit, "reaper_pid"), integ_i64(t, "new_ppid"));
		assert_int_equal(integ_bool(pexit, "reaper_is_subreaper"),
				 integ_i64(t, "new_ppid") != 1);
	}
	assert_int_equal(norphans, 2); /* one to init, one to a subreaper */
	free_demo(&r);
}

static void test_proc__zombie_demo(void **state)
{
	struct demo_run r = { 0 };
	json_object *t, *e;

	run_demo(&r, "zombie");
	check_log_complete(&r);
	check_forks_exits_reaps(&r);

	/* held as a zombie for a measured time, then reaped by its parent */
	t = integ_find(&r.truth, "kind", "zombie", NULL);
	assert_non_null(t);
	e = integ_find(&r.log, "type", "reap", "reaped_pid", integ_i64(t, "pid"), "pid",
		       integ_i64(t, "parent"), NULL);
	assert_non_null(e);
	{
		double traced_ms = integ_i64(e, "zombie_ns") / 1e6;
		double held_ms = (double)integ_i64(t, "held_ms");

		if (traced_ms < held_ms - 5 || traced_ms > held_ms + 30)
			fprintf(stderr, "zombie interval %.2f ms, workload held it %.0f ms\n",
				traced_ms, held_ms);
		assert_true(traced_ms >= held_ms - 5 && traced_ms <= held_ms + 30);
	}

	/* never reaped by its parent: exits while the parent lives, the parent dies first */
	t = integ_find(&r.truth, "kind", "unreaped", NULL);
	assert_non_null(t);
	e = integ_find(&r.log, "type", "exit", "pid", integ_i64(t, "pid"), NULL);
	assert_non_null(e);
	assert_int_equal(integ_i64(e, "parent_pid"), integ_i64(t, "parent"));
	assert_false(integ_bool(e, "autoreap"));
	assert_null(integ_find(&r.log, "type", "reap", "reaped_pid", integ_i64(t, "pid"), "pid",
			       integ_i64(t, "parent"), NULL));

	/* a parent ignoring SIGCHLD: released at exit, never a zombie */
	t = integ_find(&r.truth, "kind", "autoreap", NULL);
	assert_non_null(t);
	e = integ_find(&r.log, "type", "exit", "pid", integ_i64(t, "pid"), NULL);
	assert_non_null(e);
	assert_true(integ_bool(e, "autoreap"));
	free_demo(&r);
}

static void test_proc__daemon_demo(void **state)
{
	struct demo_run r = { 0 };
	json_object *t, *e;

	run_demo(&r, "daemon");
	check_log_complete(&r);
	check_forks_exits_reaps(&r);
	t = integ_find(&r.truth, "kind", "daemon", NULL);
	assert_non_null(t);
	/* the double fork: the daemon's parent exits, the daemon is adopted */
	e = integ_find(&r.log, "type", "orphan", "pid", integ_i64(t, "pid"), NULL);
	if (!e || integ_i64(e, "new_parent_pid") != integ_i64(t, "ppid_after"))
		integ_dump("daemon adoption", t), integ_dump("traced", e);
	assert_non_null(e);
	assert_int_equal(integ_i64(e, "new_parent_pid"), integ_i64(t, "ppid_after"));
	e = integ_find(&r.log, "type", "exit", "pid", integ_i64(t, "pid"), NULL);
	assert_non_null(e);
	assert_int_equal(integ_i64(e, "code"), 0);
	free_demo(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc__fork_demo),
		cmocka_unit_test(test_proc__orphan_demo),
		cmocka_unit_test(test_proc__zombie_demo),
		cmocka_unit_test(test_proc__daemon_demo),
	};

	if (!integ_can_trace()) {
		fprintf(stderr, "test_proc: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
