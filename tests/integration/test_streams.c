// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF, the streams of a trace: live lines stay whole when the command writes to the same
 * file or pipe, live lines on stderr (or --live FILE) so stdout stays the command's, a document
 * on stdout (-o -, --summary-json -) that no other output mixes into, and the statuses of a
 * command that cannot run.
 */
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <time.h>
#include "integ.h"

struct run {
	char dir[64];
	char out[128];
	char err[128];
	char file[128];
	int status;
};

static void run_setup(struct run *r)
{
	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->out, sizeof(r->out), "%s/stdout", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	snprintf(r->file, sizeof(r->file), "%s/file", r->dir);
}

static void run_cleanup(struct run *r)
{
	integ_rmtree(r->dir);
}

/*
 * Run argv with stdout and stderr on one open file (@path, O_APPEND off: one shared offset, as
 * `> out 2>&1` gives) or, for a NULL @path, on one pipe read into *@piped. Killed with SIGINT
 * after @timeout_s. Returns the wait status.
 */
static int run_joined(char *const argv[], const char *path, char **piped, int timeout_s)
{
	int p[2] = { -1, -1 }, fd, status = 0;
	size_t len = 0, cap = 1 << 16;
	char *buf = NULL;
	time_t deadline = time(NULL) + timeout_s;
	pid_t pid;

	if (!path) {
		assert_int_equal(pipe(p), 0);
		buf = malloc(cap);
		assert_non_null(buf);
	}
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : p[1];
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(125);
		if (!path)
			close(p[0]);
		execv(argv[0], argv);
		_exit(125);
	}
	if (!path) {
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		ssize_t n;

		close(p[1]);
		for (;;) {
			if (poll(&pfd, 1, 1000) == 0) {
				if (time(NULL) > deadline)
					kill(pid, SIGINT);
				continue;
			}
			if (len + 4096 > cap) {
				cap *= 2;
				buf = realloc(buf, cap);
				assert_non_null(buf);
			}
			n = read(p[0], buf + len, cap - len - 1);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
		close(p[0]);
		buf[len] = '\0';
		*piped = buf;
	}
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (time(NULL) > deadline)
			kill(pid, SIGINT);
		usleep(20000);
	}
	return status;
}

/*
 * Every line is the command's own ("CMDOUT line N", N = 1..300 in order) or a whole live line
 * (the header, or "seconds event pid tid ppid ...").
 */
static void check_untorn(char *text)
{
	regex_t cmd, live;
	char *save = NULL, *line;
	int next = 1, n;

	assert_int_equal(regcomp(&cmd, "^CMDOUT line ([0-9]+)$", REG_EXTENDED), 0);
	assert_int_equal(
		regcomp(&live,
			"^(TIME\\(s\\) +EVENT +PID +(TID +)?PPID +COMM +DETAILS|"
			"[0-9]+\\.[0-9]{6} +[a-z_0-9]+ +[0-9]+ +(([0-9]+|-) +)?[0-9]+ .*)$",
			REG_EXTENDED | REG_NOSUB),
		0);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!regexec(&cmd, line, 0, NULL, 0)) {
			n = atoi(line + 12);
			if (n != next)
				fail_msg("command line %d where %d was due", n, next);
			next++;
			continue;
		}
		if (regexec(&live, line, 0, NULL, 0))
			fail_msg("a torn line: '%s'", line);
		if (strstr(line, "CMDOUT") && !strstr(line, " exec "))
			fail_msg("the command's output inside a live line: '%s'", line);
	}
	assert_int_equal(next, 301);
	regfree(&cmd);
	regfree(&live);
}

static char *loop300[] = { NULL,
			   (char *)"trace",
			   (char *)"--no-summary",
			   (char *)"--",
			   (char *)"bash",
			   (char *)"-c",
			   (char *)"for i in $(seq 300); do /bin/echo \"CMDOUT line $i\"; done",
			   NULL };

/* `procscope trace -- CMD > out 2>&1`: the command's lines and the live lines, all whole */
static void test_streams__whole_lines_through_a_file(void **state)
{
	struct run r;
	char *text;

	run_setup(&r);
	loop300[0] = (char *)integ_procscope();
	r.status = run_joined(loop300, r.file, NULL, 120);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	text = integ_slurp(r.file, NULL);
	check_untorn(text);
	free(text);
	run_cleanup(&r);
}

/* `procscope trace -- CMD 2>&1 | cat` */
static void test_streams__whole_lines_through_a_pipe(void **state)
{
	char *text = NULL;
	int status;

	loop300[0] = (char *)integ_procscope();
	status = run_joined(loop300, NULL, &text, 120);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	check_untorn(text);
	free(text);
}

/* strace's convention: the trace on stderr, stdout is the command's alone */
static void test_streams__live_lines_on_stderr(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"--no-summary",
			 (char *)"--",
			 (char *)"/bin/echo",
			 (char *)"from the command",
			 NULL };
	char *out, *err;

	run_setup(&r);
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	out = integ_slurp(r.out, NULL);
	err = integ_slurp(r.err, NULL);
	assert_string_equal(out, "from the command\n");
	assert_int_equal(strncmp(err, "TIME(s) ", 8), 0);
	assert_non_null(strstr(err, "/bin/echo [/bin/echo \"from the command\"]"));
	free(out);
	free(err);
	run_cleanup(&r);
}

/* --live FILE: the lines go there; stderr and stdout carry none */
static void test_streams__live_to_a_file(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"--no-summary",
			 (char *)"--live",
			 NULL,
			 (char *)"--",
			 (char *)"/bin/echo",
			 (char *)"hi",
			 NULL };
	struct stat st;
	char *out, *err, *live;

	run_setup(&r);
	argv[4] = r.file;
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	out = integ_slurp(r.out, NULL);
	err = integ_slurp(r.err, NULL);
	live = integ_slurp(r.file, NULL);
	assert_string_equal(out, "hi\n");
	assert_null(strstr(err, "TIME(s)"));
	assert_int_equal(strncmp(live, "TIME(s) ", 8), 0);
	assert_non_null(strstr(live, " exec "));
	assert_int_equal(stat(r.file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(out);
	free(err);
	free(live);
	run_cleanup(&r);
}

/* docs/report.md's example: `trace -o - -- sh -c 'echo hi' | report -` reads a clean log */
static void test_streams__log_on_stdout_stays_pure(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-o",
			 (char *)"-",
			 (char *)"--",
			 (char *)"sh",
			 (char *)"-c",
			 (char *)"echo hi; echo more",
			 NULL };
	char *rep[] = { (char *)integ_procscope(), (char *)"report", NULL, NULL };
	struct integ_log log;
	char *err;

	run_setup(&r);
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	integ_load(r.out, &log);
	assert_int_equal(log.bad_lines, 0);
	assert_true(log.n > 3);
	integ_free(&log);
	/* the command's output went to stderr, as the man page says */
	err = integ_slurp(r.err, NULL);
	assert_non_null(strstr(err, "hi\nmore\n"));
	free(err);
	rep[2] = r.out;
	r.status = integ_run(rep, r.file, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	run_cleanup(&r);
}

/* --summary-json -: stdout is the JSON document alone; the live lines stay on stderr */
static void test_streams__summary_json_on_stdout(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"--summary-json",
			 (char *)"-",
			 (char *)"--",
			 (char *)"/bin/echo",
			 (char *)"hi",
			 NULL };
	json_object *doc;
	char *out, *err;

	run_setup(&r);
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	out = integ_slurp(r.out, NULL);
	doc = json_tokener_parse(out);
	if (!doc)
		fail_msg("stdout is not one JSON document: <%s>", out);
	json_object_put(doc);
	err = integ_slurp(r.err, NULL);
	assert_non_null(strstr(err, "TIME(s) "));
	assert_non_null(strstr(err, " exec "));
	assert_non_null(strstr(err, "hi\n"));
	assert_non_null(strstr(err, "Process tree"));
	free(out);
	free(err);
	run_cleanup(&r);
}

/* The shells' statuses: 127 for a command not found, 126 for one found but not executable */
static void test_streams__exec_failure_statuses(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(), (char *)"trace", (char *)"--", NULL, NULL };
	FILE *f;

	run_setup(&r);
	f = fopen(r.file, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho never\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(r.file, 0644), 0);
	argv[3] = r.file;
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 126);
	argv[3] = (char *)"/nonexistent/cmd";
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 127);
	run_cleanup(&r);
}

/* `trace --` and nothing after it is a usage error, not a whole-system trace */
static void test_streams__dashdash_without_command(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(), (char *)"trace", (char *)"-q", (char *)"--",
			 NULL };
	char *err;

	run_setup(&r);
	r.status = run_joined(argv, r.file, NULL, 5);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 2);
	err = integ_slurp(r.file, NULL);
	assert_non_null(strstr(err, "procscope: '--' needs a command after it"));
	free(err);
	run_cleanup(&r);
}

/* `procscope help trace` is trace's help; --version is an option of every command */
static void test_streams__help_and_version(void **state)
{
	struct run r;
	char *help[] = { (char *)integ_procscope(), (char *)"help", (char *)"trace", NULL };
	char *opt[] = { (char *)integ_procscope(), (char *)"trace", (char *)"--help", NULL };
	char *ver[] = { (char *)integ_procscope(), (char *)"trace", (char *)"--version", NULL };
	char *bad[] = { (char *)integ_procscope(),
			(char *)"trace",
			(char *)"--zombie-min",
			(char *)"-1",
			(char *)"--",
			(char *)"true",
			NULL };
	char *a, *b;

	run_setup(&r);
	r.status = integ_run(help, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	a = integ_slurp(r.out, NULL);
	r.status = integ_run(opt, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	b = integ_slurp(r.out, NULL);
	assert_int_equal(strncmp(a, "Usage: procscope trace ", 23), 0);
	assert_string_equal(a, b);
	free(a);
	free(b);
	r.status = integ_run(ver, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	a = integ_slurp(r.out, NULL);
	assert_int_equal(strncmp(a, "procscope ", 10), 0);
	free(a);
	r.status = integ_run(bad, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	a = integ_slurp(r.err, NULL);
	assert_non_null(strstr(a, "procscope: invalid --zombie-min '-1'"));
	free(a);
	run_cleanup(&r);
}

/* report filters that select nothing say so, with their own status (4) */
static void test_streams__report_nothing_matched(void **state)
{
	struct run r;
	char log[160];
	char *trace[] = { (char *)integ_procscope(),
			  (char *)"trace",
			  (char *)"-q",
			  (char *)"--no-summary",
			  (char *)"-o",
			  log,
			  (char *)"--",
			  (char *)"true",
			  NULL };
	char *comm[] = { (char *)integ_procscope(),
			 (char *)"report",
			 (char *)"--comm",
			 (char *)"nosuch",
			 log,
			 NULL };
	char *pid[] = { (char *)integ_procscope(),
			(char *)"report",
			(char *)"-p",
			(char *)"4194304",
			log,
			NULL };
	char *err;

	run_setup(&r);
	snprintf(log, sizeof(log), "%s/log.jsonl", r.dir);
	r.status = integ_run(trace, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	r.status = integ_run(comm, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 4);
	err = integ_slurp(r.err, NULL);
	assert_non_null(strstr(err, "no process named 'nosuch' in the log"));
	free(err);
	/* a pid the log never saw */
	r.status = integ_run(pid, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 4);
	run_cleanup(&r);
}

static json_object *report_json(struct run *r, const char *log, const char *a1, const char *a2)
{
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"report",
			 (char *)"--format",
			 (char *)"json",
			 (char *)a1,
			 (char *)a2,
			 (char *)log,
			 NULL };
	json_object *doc;
	char *out;

	if (!a1) {
		argv[4] = (char *)log;
		argv[5] = NULL;
	}
	r->status = integ_run(argv, r->out, r->err);
	assert_true(WIFEXITED(r->status));
	assert_int_equal(WEXITSTATUS(r->status), 0);
	out = integ_slurp(r->out, NULL);
	doc = json_tokener_parse(out);
	assert_non_null(doc);
	free(out);
	return doc;
}

static json_object *unix_conns(json_object *doc)
{
	json_object *g, *u, *c;

	assert_true(json_object_object_get_ex(doc, "groups", &g));
	assert_true(json_object_object_get_ex(g, "unix", &u));
	assert_true(json_object_object_get_ex(u, "connections", &c));
	return c;
}

/*
 * A filter picks rows, it does not change them: `report -p CLIENT` shows the client's
 * connection exactly as the unfiltered report does (closed, bytes both ways), not as a pending
 * connect with nothing received.
 */
static void test_streams__report_filter_keeps_rows_whole(void **state)
{
	struct run r;
	char log[160], pid[16];
	char *demo[] = { (char *)integ_procscope(),
			 (char *)"demo",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-o",
			 log,
			 (char *)"unix-stream",
			 NULL };
	json_object *all, *sel, *conn, *conns, *client, *proc, *mine;
	size_t i, n;

	run_setup(&r);
	snprintf(log, sizeof(log), "%s/log.jsonl", r.dir);
	r.status = integ_run(demo, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	all = report_json(&r, log, NULL, NULL);
	conn = json_object_array_get_idx(unix_conns(all), 0);
	assert_non_null(conn);
	assert_true(integ_is(conn, "state", "closed"));
	assert_true(json_object_object_get_ex(conn, "client", &client));
	assert_true(json_object_object_get_ex(client, "process", &proc));
	snprintf(pid, sizeof(pid), "%lld", (long long)integ_i64(proc, "pid"));
	sel = report_json(&r, log, "-p", pid);
	conns = unix_conns(sel);
	n = json_object_array_length(conns);
	mine = NULL;
	for (i = 0; i < n; i++)
		if (integ_i64(json_object_array_get_idx(conns, i), "id") == integ_i64(conn, "id"))
			mine = json_object_array_get_idx(conns, i);
	if (!mine)
		fail_msg("report -p %s lost its own connection #%lld", pid,
			 (long long)integ_i64(conn, "id"));
	if (strcmp(json_object_to_json_string(mine), json_object_to_json_string(conn)))
		fail_msg("report -p %s changed the row:\n%s\nunfiltered:\n%s", pid,
			 json_object_to_json_string(mine), json_object_to_json_string(conn));
	/* the other groups show the selected process's rows only (the client forks nothing) */
	if (json_object_object_get_ex(sel, "groups", &conns) &&
	    json_object_object_get_ex(conns, "sched", &conns) &&
	    json_object_object_get_ex(conns, "process_states", &conns)) {
		n = json_object_array_length(conns);
		for (i = 0; i < n; i++)
			if (integ_i64(json_object_array_get_idx(conns, i), "pid") != atoll(pid))
				fail_msg("report -p %s shows the process states of %lld", pid,
					 (long long)integ_i64(json_object_array_get_idx(conns, i),
							      "pid"));
	}
	json_object_put(all);
	json_object_put(sel);
	run_cleanup(&r);
}

/*
 * --since after the registrations: the waits still map their fds through them (they were made
 * inside the trace), never "added before the trace"
 */
static void test_streams__report_since_knows_registrations(void **state)
{
	struct run r;
	char log[160], since[32];
	char *demo[] = { (char *)integ_procscope(),
			 (char *)"demo",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-o",
			 log,
			 (char *)"epoll-server",
			 NULL };
	char *rep[] = { (char *)integ_procscope(),
			(char *)"report",
			(char *)"--io",
			(char *)"--since",
			since,
			log,
			NULL };
	struct integ_log lg;
	int64_t first_ctl = -1, wait_after = -1;
	size_t i;
	char *text;

	run_setup(&r);
	snprintf(log, sizeof(log), "%s/log.jsonl", r.dir);
	r.status = integ_run(demo, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	integ_load(log, &lg);
	/* the first registration, then a wait of that process well after it */
	for (i = 0; i < lg.n && first_ctl < 0; i++)
		if (integ_is(lg.recs[i], "type", "epoll_ctl"))
			first_ctl = integ_i64(lg.recs[i], "ts_ns");
	assert_true(first_ctl >= 0);
	for (i = 0; i < lg.n; i++)
		if (integ_is(lg.recs[i], "type", "epoll_wait") &&
		    integ_i64(lg.recs[i], "ts_ns") > first_ctl + 1000000 &&
		    integ_i64(lg.recs[i], "ret") > 0) {
			wait_after = integ_i64(lg.recs[i], "ts_ns");
			break;
		}
	assert_true(wait_after > 0);
	integ_free(&lg);
	snprintf(since, sizeof(since), "%.9f", (double)(first_ctl + 1000) / 1e9);
	r.status = integ_run(rep, r.out, r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	text = integ_slurp(r.out, NULL);
	if (strstr(text, "added before the trace") || !strstr(text, " waits ("))
		fail_msg("--since %s forgot registrations made in the trace:\n%s", since, text);
	free(text);
	run_cleanup(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streams__whole_lines_through_a_file),
		cmocka_unit_test(test_streams__whole_lines_through_a_pipe),
		cmocka_unit_test(test_streams__live_lines_on_stderr),
		cmocka_unit_test(test_streams__live_to_a_file),
		cmocka_unit_test(test_streams__log_on_stdout_stays_pure),
		cmocka_unit_test(test_streams__summary_json_on_stdout),
		cmocka_unit_test(test_streams__exec_failure_statuses),
		cmocka_unit_test(test_streams__dashdash_without_command),
		cmocka_unit_test(test_streams__help_and_version),
		cmocka_unit_test(test_streams__report_nothing_matched),
		cmocka_unit_test(test_streams__report_filter_keeps_rows_whole),
		cmocka_unit_test(test_streams__report_since_knows_registrations),
	};

	if (!integ_can_trace()) {
		fprintf(stderr, "test_streams: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
