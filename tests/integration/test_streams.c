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
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	if (system(cmd))
		fprintf(stderr, "failed to remove %s\n", r->dir);
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
	};

	if (!integ_can_trace()) {
		fprintf(stderr, "test_streams: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
