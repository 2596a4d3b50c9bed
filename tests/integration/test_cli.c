// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF, through the command line: exit statuses, signals, errors, hostile names, gzip logs
 * and -p. The suite re-executes itself as a workload ("hostile" mode) where it needs one.
 */
#include <ctype.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "integ.h"

#define HOSTILE_COMM "q\"b\\n\n\x1b[2J\t\x01\xff"

struct run {
	char dir[64];
	char log[128];
	char out[128];
	char err[128];
	int status;
};

static void run_setup(struct run *r)
{
	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->log, sizeof(r->log), "%s/log.jsonl", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/stdout", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
}

static void run_cleanup(struct run *r)
{
	integ_rmtree(r->dir);
}

/* stderr is exactly one line "procscope: ..." containing @needle */
static void assert_one_line_error(const struct run *r, const char *needle)
{
	char *err = integ_slurp(r->err, NULL);
	char *nl = strchr(err, '\n');

	if (strncmp(err, "procscope: ", 11) || !strstr(err, needle) || !nl)
		fprintf(stderr, "stderr was: <%s>\n", err);
	assert_int_equal(strncmp(err, "procscope: ", 11), 0);
	assert_non_null(strstr(err, needle));
	assert_non_null(nl);
	/* usage errors may add the "Try --help" hint line */
	if (nl[1] != '\0')
		assert_int_equal(strncmp(nl + 1, "Try 'procscope", 14), 0);
	free(err);
}

/* The done criterion: bash's fork, the orphaned sleep with its adopter, every exit, status 7 */
static void test_cli__command_exit_status_and_orphan(void **state)
{
	struct run r;
	struct integ_log log;
	json_object *bash_exec, *orphan, *sub_exit, *o;
	int64_t bash_pid;
	size_t i;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-o",
			 NULL,
			 (char *)"--",
			 (char *)"bash",
			 (char *)"-c",
			 (char *)"(sleep 0.3 &); sleep 0.1; exit 7",
			 NULL };

	run_setup(&r);
	argv[3] = r.log;
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 7);
	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	bash_exec = integ_find(&log, "type", "exec", NULL);
	assert_non_null(bash_exec);
	assert_true(integ_is(bash_exec, "comm", "bash"));
	bash_pid = integ_i64(bash_exec, "pid");
	/* bash forks the subshell, which forks sleep and exits: sleep is orphaned */
	orphan = integ_find(&log, "type", "orphan", NULL);
	assert_non_null(orphan);
	sub_exit =
		integ_find(&log, "type", "exit", "pid", integ_i64(orphan, "old_parent_pid"), NULL);
	assert_non_null(sub_exit);
	assert_int_equal(integ_i64(sub_exit, "parent_pid"), bash_pid);
	assert_int_equal(integ_i64(orphan, "new_parent_pid"), integ_i64(sub_exit, "reaper_pid"));
	assert_non_null(integ_find(&log, "type", "fork", "parent_pid", bash_pid, "child_pid",
				   integ_i64(orphan, "old_parent_pid"), NULL));
	/* every process of the tree exits in the log, sleep 0.3 included */
	for (i = 0; i < log.n; i++) {
		o = log.recs[i];
		if (integ_is(o, "type", "fork"))
			assert_non_null(integ_find(&log, "type", "exit", "pid",
						   integ_i64(o, "child_pid"), "group_dead",
						   INTEG_I(1), NULL));
	}
	o = integ_find(&log, "type", "exit", "pid", bash_pid, NULL);
	assert_non_null(o);
	assert_int_equal(integ_i64(o, "code"), 7);
	o = integ_find(&log, "type", "exit", "pid", integ_i64(orphan, "pid"), NULL);
	assert_non_null(o);
	assert_true(integ_is(o, "comm", "sleep"));
	assert_int_equal(integ_i64(o, "parent_pid"), integ_i64(orphan, "new_parent_pid"));
	integ_free(&log);
	run_cleanup(&r);
}

static void test_cli__options_after_command_belong_to_it(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"sh",
			 (char *)"-c",
			 (char *)"exit 4",
			 NULL };

	run_setup(&r);
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 4);
	run_cleanup(&r);
}

static void test_cli__command_killed_by_signal(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"--",
			 (char *)"sh",
			 (char *)"-c",
			 (char *)"kill -TERM $$",
			 NULL };

	run_setup(&r);
	r.status = integ_run(argv, r.out, r.err);
	/* as strace does: the tool dies by the command's signal */
	assert_true(WIFSIGNALED(r.status));
	assert_int_equal(WTERMSIG(r.status), SIGTERM);
	run_cleanup(&r);
}

static void test_cli__exec_failure(void **state)
{
	struct run r;
	char *argv[] = { (char *)integ_procscope(), (char *)"trace", (char *)"--",
			 (char *)"/nonexistent/cmd", NULL };

	run_setup(&r);
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 127);
	assert_one_line_error(&r,
			      "failed to execute '/nonexistent/cmd': No such file or directory");
	run_cleanup(&r);
}

static void test_cli__usage_errors(void **state)
{
	static const struct {
		const char *args[6];
		int status;
		const char *needle;
	} cases[] = {
		{ { "trace", "--bogus" }, 2, "unknown option '--bogus'" },
		{ { "trace", "-p" }, 2, "option '-p' needs a value" },
		{ { "trace", "-p", "12x" }, 2, "invalid pid '12x'" },
		{ { "trace", "-p", "999999" },
		  1,
		  "failed to trace process 999999: No such process" },
		{ { "trace", "-e", "proc,nope" }, 2, "unknown event group 'nope'" },
		{ { "trace", "-d", "-1" }, 2, "invalid duration" },
		{ { "trace", "--ringbuf-size", "1000" }, 2, "invalid --ringbuf-size" },
		/* the message states the real limit, which 4G is over (#11) */
		{ { "trace", "--ringbuf-size", "4G" },
		  2,
		  "invalid --ringbuf-size '4G': want a power of two from 4096 (4K) to 2147483648 (2G)" },
		{ { "trace", "--ringbuf-size", "17179869185G" },
		  2,
		  "invalid --ringbuf-size '17179869185G'" },
		{ { "trace", "-p", "1", "--", "true" }, 2, "cannot be combined" },
		{ { "trace", "-o", "/nonexistent-dir/x.jsonl", "--", "true" },
		  1,
		  "failed to create '/nonexistent-dir/x.jsonl'" },
		{ { "demo", "nosuchdemo" }, 2, "unknown demo 'nosuchdemo'" },
		{ { "frobnicate" }, 2, "unknown command 'frobnicate'" },
	};
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[8] = { (char *)integ_procscope() };
		struct run r;

		for (k = 0; k < 6 && cases[i].args[k]; k++)
			argv[k + 1] = (char *)cases[i].args[k];
		run_setup(&r);
		r.status = integ_run(argv, r.out, r.err);
		if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != cases[i].status)
			fprintf(stderr, "case %zu (%s %s): status 0x%x\n", i, cases[i].args[0],
				cases[i].args[1] ? cases[i].args[1] : "", r.status);
		assert_true(WIFEXITED(r.status));
		assert_int_equal(WEXITSTATUS(r.status), cases[i].status);
		if (i != sizeof(cases) / sizeof(cases[0]) - 1) /* that one prints the usage */
			assert_one_line_error(&r, cases[i].needle);
		run_cleanup(&r);
	}
}

static void drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(125);
}

static void test_cli__not_root(void **state)
{
	struct run r;
	char exe[PATH_MAX];
	char *argv[] = { exe, (char *)"trace", (char *)"-d", (char *)"0.1", NULL };

	/* run the binary by absolute path: nobody's cwd rights do not matter then */
	assert_non_null(realpath(integ_procscope(), exe));
	run_setup(&r);
	assert_int_equal(chmod(r.dir, 0777), 0);
	r.status = integ_run_ex(argv, r.out, r.err, drop_to_nobody);
	assert_true(WIFEXITED(r.status));
	if (WEXITSTATUS(r.status) == 125 || WEXITSTATUS(r.status) == 126)
		skip(); /* cannot become nobody or exec from here: not what is tested */
	assert_int_equal(WEXITSTATUS(r.status), 1);
	assert_one_line_error(&r, "run as root");
	run_cleanup(&r);
}

/* A traced workload with a hostile name: the JSON still parses, the terminal sees no escapes */
static void test_cli__hostile_comm(void **state)
{
	struct run r;
	struct integ_log log;
	char exe[PATH_MAX], *out;
	json_object *fork_ev, *exit_ev;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-o",
			 NULL,
			 (char *)"--",
			 exe,
			 (char *)"hostile",
			 NULL };
	size_t len, i;

	assert_non_null(realpath("/proc/self/exe", exe));
	run_setup(&r);
	argv[3] = r.log;
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	/* the child inherits the name at fork: 0xff is not UTF-8, so comm_hex carries it exactly */
	exit_ev = integ_find(&log, "type", "exit", "code", INTEG_I(3), NULL);
	assert_non_null(exit_ev);
	assert_non_null(integ_str(exit_ev, "comm_hex"));
	assert_string_equal(integ_str(exit_ev, "comm_hex"), "7122625c6e0a1b5b324a0901ff");
	assert_string_equal(integ_str(exit_ev, "comm"), "q\"b\\n\n\x1b[2J\t\x01\xef\xbf\xbd");
	fork_ev = integ_find(&log, "type", "fork", "child_pid", integ_i64(exit_ev, "pid"), NULL);
	assert_non_null(fork_ev);
	assert_non_null(integ_str(fork_ev, "comm_hex"));
	/* live text (on stderr): no control byte but newline reaches the terminal */
	out = integ_slurp(r.err, &len);
	for (i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 && out[i] != '\n')
			fail_msg("raw control byte 0x%02x at %zu of the live output", out[i], i);
	assert_non_null(strstr(out, "\\x1b[2J"));
	free(out);
	integ_free(&log);
	run_cleanup(&r);
}

static void test_cli__gzip_log(void **state)
{
	struct run r;
	struct integ_log log;
	unsigned char magic[2] = { 0 };
	FILE *f;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-o",
			 NULL,
			 (char *)"--",
			 (char *)"sh",
			 (char *)"-c",
			 (char *)"true; /bin/true",
			 NULL };
	struct stat st;

	run_setup(&r);
	strcat(r.log, ".gz");
	argv[5] = r.log;
	r.status = integ_run(argv, r.out, r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	f = fopen(r.log, "rb");
	assert_non_null(f);
	assert_int_equal(fread(magic, 1, 2, f), 2);
	fclose(f);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	assert_int_equal(stat(r.log, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	assert_true(integ_is(log.recs[0], "type", "header"));
	assert_true(integ_is(log.recs[log.n - 1], "type", "trailer"));
	assert_true(integ_count(&log, "type", "exec", NULL) >= 2);
	integ_free(&log);
	run_cleanup(&r);
}

/* -p follows the target's descendants and nothing else, and stops when they are gone */
static void test_cli__pid_mode(void **state)
{
	struct run r;
	struct integ_log log;
	pid_t target;
	char pidarg[16];
	size_t i, forks = 0;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-v",
			 (char *)"-p",
			 pidarg,
			 (char *)"-o",
			 NULL,
			 (char *)"-d",
			 (char *)"20",
			 NULL };
	char flag[160], script[320];
	pid_t watcher;

	run_setup(&r);
	argv[8] = r.log;
	/*
	 * The target forks only once procscope says it is ready: on a loaded machine attaching can
	 * take longer than any fixed sleep (a watcher reads procscope's -v stderr for it)
	 */
	snprintf(flag, sizeof(flag), "%s/ready", r.dir);
	snprintf(script, sizeof(script),
		 "i=0; while [ ! -e %s ] && [ $i -lt 2000 ]; do sleep 0.01; i=$((i+1)); done; "
		 "/bin/true; (/bin/true); exit 0",
		 flag);
	target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(126);
	}
	watcher = fork();
	assert_true(watcher >= 0);
	if (watcher == 0) {
		for (i = 0; i < 2000; i++) {
			char *err = access(r.err, F_OK) ? NULL : integ_slurp(r.err, NULL);
			int ready = err && strstr(err, "ready in");

			free(err);
			if (ready)
				break;
			usleep(10000);
		}
		_exit(close(open(flag, O_CREAT | O_WRONLY, 0600)) ? 1 : 0);
	}
	snprintf(pidarg, sizeof(pidarg), "%d", target);
	r.status = integ_run(argv, r.out, r.err);
	waitpid(watcher, NULL, 0);
	/* procscope stopped by itself when the target was gone: reap it now */
	waitpid(target, NULL, 0);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	for (i = 0; i < log.n; i++) {
		json_object *o = log.recs[i];
		int64_t parent;

		if (!integ_is(o, "type", "fork"))
			continue;
		forks++;
		/* every traced fork is by the target or by something it forked */
		parent = integ_i64(o, "parent_pid");
		assert_true(parent == target ||
			    integ_find(&log, "type", "fork", "child_pid", parent, NULL));
	}
	assert_true(forks >= 2);
	assert_non_null(integ_find(&log, "type", "exit", "pid", INTEG_I(target), NULL));
	assert_false(integ_bool(log.recs[log.n - 1], "interrupted"));
	integ_free(&log);
	run_cleanup(&r);
}

static int hostile_main(void)
{
	pid_t pid;
	int st;

	prctl(PR_SET_NAME, HOSTILE_COMM, 0, 0, 0);
	pid = fork();
	if (pid == 0)
		_exit(3);
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return 1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 3 ? 0 : 1;
}

/* The mode a doc states for the --truth file: the first "mode 0NNN" after "--truth" in @path */
static unsigned int doc_truth_mode(const char *path)
{
	char *s = integ_slurp(path, NULL), *at = strstr(s, "--truth"), *m;
	unsigned int mode = 0;

	assert_non_null(at);
	/* "mode", a space or a line break, then the octal mode */
	for (m = strstr(at, "mode"); m && !(isspace((unsigned char)m[4]) && m[5] == '0');)
		m = strstr(m + 4, "mode");
	assert_non_null(m);
	assert_int_equal(sscanf(m + 5, "%o", &mode), 1);
	free(s);
	return mode;
}

/* The docs state the mode the code gives the ground-truth file (#11: they said 0644) */
static void test_cli__truth_file_mode_documented(void **state)
{
	char truth[160];
	struct stat st;
	mode_t old;
	struct run r;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"demo",
			 (char *)"--no-trace",
			 (char *)"--truth",
			 truth,
			 (char *)"fork",
			 NULL };

	run_setup(&r);
	snprintf(truth, sizeof(truth), "%s/truth.jsonl", r.dir);
	old = umask(0);
	r.status = integ_run(argv, r.out, r.err);
	umask(old);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	assert_int_equal(stat(truth, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(doc_truth_mode("README.md"), st.st_mode & 07777);
	assert_int_equal(doc_truth_mode("docs/demos.md"), st.st_mode & 07777);
	run_cleanup(&r);
}

/*
 * A unix stream server at @path: once @flag exists (procscope is attached: an accept() already
 * blocked at attach is not seen), one client, 5 bytes back for each read, until its EOF
 */
static void echo5_server(const char *path, const char *flag)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[64];
	int l, c;

	alarm(60); /* bounded, whatever happens */
	snprintf(a.sun_path, sizeof(a.sun_path), "%.100s", path);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1))
		_exit(1);
	while (access(flag, F_OK))
		usleep(10000);
	c = accept(l, NULL, NULL);
	if (c < 0)
		_exit(1);
	while (read(c, buf, sizeof(buf)) > 0)
		if (write(c, "hello", 5) != 5)
			_exit(1);
	_exit(0);
}

/*
 * Once procscope says it is ready (its -v stderr in @err): connect to @path, send 3 x 10 bytes,
 * each after the server's answer, and write "PID INO" (getpid(), fstat()) to @truth
 */
static void echo5_client(const char *err_path, const char *path, const char *flag,
			 const char *truth)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	char buf[16], line[64];
	int i, s, fd;

	alarm(60);
	for (i = 0; i < 3000; i++) {
		char *err = access(err_path, F_OK) ? NULL : integ_slurp(err_path, NULL);
		int ready = err && strstr(err, "ready in");

		free(err);
		if (ready)
			break;
		usleep(10000);
	}
	if (close(open(flag, O_CREAT | O_WRONLY, 0600)))
		_exit(1);
	snprintf(a.sun_path, sizeof(a.sun_path), "%.100s", path);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) || fstat(s, &st))
		_exit(1);
	for (i = 0; i < 3; i++)
		if (write(s, "0123456789", 10) != 10 || read(s, buf, 5) != 5)
			_exit(1);
	snprintf(line, sizeof(line), "%d %llu\n", getpid(), (unsigned long long)st.st_ino);
	fd = open(truth, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		_exit(1);
	close(fd);
	close(s);
	_exit(0);
}

/*
 * `trace -p SERVER` of a unix server whose client is outside the traced tree: the client's row
 * names it by the pid it has (SO_PEERCRED), marked untraced, and C->S shows what the server
 * received from it (3 reads of 10 bytes), not "0/0" and a blank name
 */
static void test_cli__pid_mode_untraced_client(void **state)
{
	char pidarg[16], sock[160], truth[160], flag[160], sjson[160], needle[64], *out, *row, *end,
		*t;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-v",
			 (char *)"-e",
			 (char *)"proc,epoll,unix",
			 (char *)"-p",
			 pidarg,
			 (char *)"-d",
			 (char *)"30",
			 (char *)"--summary-json",
			 sjson,
			 NULL };
	json_object *doc, *g, *conns, *c, *side, *proc;
	long cpid = 0;
	size_t i, seen = 0;
	pid_t server, client;
	unsigned long long ino = 0;
	struct run r;
	int status;

	run_setup(&r);
	snprintf(sock, sizeof(sock), "%s/s.sock", r.dir);
	snprintf(truth, sizeof(truth), "%s/client", r.dir);
	snprintf(flag, sizeof(flag), "%s/ready", r.dir);
	snprintf(sjson, sizeof(sjson), "%s/summary.json", r.dir);
	server = fork();
	assert_true(server >= 0);
	if (server == 0)
		echo5_server(sock, flag);
	client = fork();
	assert_true(client >= 0);
	if (client == 0)
		echo5_client(r.err, sock, flag, truth);
	snprintf(pidarg, sizeof(pidarg), "%d", server);
	r.status = integ_run(argv, r.out, r.err);
	assert_int_equal(waitpid(client, &status, 0), client);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(server, &status, 0), server);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	t = integ_slurp(truth, NULL);
	assert_int_equal(sscanf(t, "%ld %llu", &cpid, &ino), 2);
	free(t);
	out = integ_slurp(r.out, NULL);
	snprintf(needle, sizeof(needle), " %ld (untraced) ", cpid);
	row = strstr(out, needle);
	end = row ? strchr(row, '\n') : NULL;
	if (end)
		*end = '\0';
	snprintf(needle, sizeof(needle), " %d ", server);
	if (!row || !strstr(row, needle) || !strstr(row, " 3/30 recv ") || !strstr(row, " 3/15 "))
		fail_msg("no row of client %ld (untraced), 3/30 recv, 3/15 for server %d:\n%s",
			 cpid, server, integ_slurp(r.out, NULL));
	free(out);
	/* the live accept line names the client's socket by the inode it had */
	snprintf(needle, sizeof(needle), "from %ld (untraced) unix:[%llu]", cpid, ino);
	out = integ_slurp(r.err, NULL);
	if (!strstr(out, needle))
		fail_msg("no '%s' in:\n%s", needle, out);
	free(out);
	/* the JSON summary says so too: the client untraced (no name), the server not */
	out = integ_slurp(sjson, NULL);
	doc = json_tokener_parse(out);
	free(out);
	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "groups", &g) &&
		    json_object_object_get_ex(g, "unix", &g) &&
		    json_object_object_get_ex(g, "connections", &conns));
	for (i = 0; i < json_object_array_length(conns); i++) {
		c = json_object_array_get_idx(conns, i);
		assert_true(json_object_object_get_ex(c, "client", &side) &&
			    json_object_object_get_ex(side, "process", &proc));
		if (integ_i64(proc, "pid") != cpid)
			continue;
		seen++;
		if (!integ_bool(proc, "untraced") || !integ_is(proc, "comm", ""))
			fail_msg("client %ld is not marked untraced: %s", cpid,
				 json_object_to_json_string(proc));
		assert_true(json_object_object_get_ex(c, "server", &side) &&
			    json_object_object_get_ex(side, "process", &proc));
		if (integ_i64(proc, "pid") != server || integ_bool(proc, "untraced") ||
		    !json_object_object_get_ex(proc, "untraced", NULL))
			fail_msg("server %d: %s", server, json_object_to_json_string(proc));
	}
	assert_int_equal(seen, 1);
	json_object_put(doc);
	run_cleanup(&r);
}

/* The index of the live line "EVENT PID" in @lines, -1 if none */
static int live_line_of(char **lines, int n, const char *event, long pid)
{
	char ev[16];
	unsigned int p;
	double t;
	int i;

	for (i = 0; i < n; i++)
		if (sscanf(lines[i], "%lf %15s %u", &t, ev, &p) == 3 && !strcmp(ev, event) &&
		    p == pid)
			return i;
	return -1;
}

/* The pid after "reaped [WORD ]" in a narration line (but the kernel's), 0 if none */
static long reaped_pid(const char *line)
{
	const char *p = strstr(line, " reaped ");

	if (!p || strstr(line, "the kernel reaped")) /* auto-reaped: no reap line */
		return 0;
	p += strlen(" reaped ");
	if (!isdigit((unsigned char)*p)) /* "reaped child 123", "reaped parent 123" */
		p = strchr(p, ' ');
	return p ? strtol(p, NULL, 10) : 0;
}

/*
 * `procscope demo fork zombie 2>&1`, as a user runs it: each narration line comes after the
 * live line of what it tells ("parent P reaped child C" after C's reap line) and before what it
 * announces ("C (child of P) exits with code 5" before C's exit line). The pids are the ones the
 * workload narrated itself (getpid(), waitpid()).
 */
static void test_cli__demo_narration_in_time_order(void **state)
{
	char cmd[PATH_MAX + 256], *all, *save = NULL, *l, *lines[4096];
	int n = 0, i, j, reaps = 0, exits = 0;
	struct run r;
	long pid;

	run_setup(&r);
	snprintf(cmd, sizeof(cmd), "%s demo fork zombie >%s 2>&1", integ_procscope(), r.out);
	assert_int_equal(system(cmd), 0);
	all = integ_slurp(r.out, NULL);
	for (l = strtok_r(all, "\n", &save); l && n < 4096; l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	for (i = 0; i < n; i++) {
		if (strncmp(lines[i], "fork: ", 6) && strncmp(lines[i], "zombie: ", 8))
			continue;
		pid = reaped_pid(lines[i]);
		if (pid > 0) {
			j = live_line_of(lines, n, "reap", pid);
			if (j < 0 || j > i)
				fail_msg("'%s' is line %d, the reap of %ld is line %d", lines[i], i,
					 pid, j);
			reaps++;
		}
		if (strstr(lines[i], " exits with code ") && strstr(lines[i], " (child of ")) {
			pid = strtol(strchr(lines[i], ' ') + 1, NULL, 10);
			j = live_line_of(lines, n, "exit", pid);
			if (j < i)
				fail_msg("'%s' is line %d, the exit of %ld is line %d", lines[i], i,
					 pid, j);
			exits++;
		}
	}
	/* fork: 4 reaps, 3 announced exits; zombie: 2 reaps, 1 announced exit */
	if (reaps < 6 || exits < 4)
		fail_msg("%d reap and %d exit narrations in:\n%s", reaps, exits,
			 integ_slurp(r.out, NULL));
	free(all);
	run_cleanup(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli__command_exit_status_and_orphan),
		cmocka_unit_test(test_cli__options_after_command_belong_to_it),
		cmocka_unit_test(test_cli__command_killed_by_signal),
		cmocka_unit_test(test_cli__exec_failure),
		cmocka_unit_test(test_cli__usage_errors),
		cmocka_unit_test(test_cli__truth_file_mode_documented),
		cmocka_unit_test(test_cli__not_root),
		cmocka_unit_test(test_cli__hostile_comm),
		cmocka_unit_test(test_cli__gzip_log),
		cmocka_unit_test(test_cli__pid_mode),
		cmocka_unit_test(test_cli__demo_narration_in_time_order),
		cmocka_unit_test(test_cli__pid_mode_untraced_client),
	};

	if (argc > 1 && !strcmp(argv[1], "hostile"))
		return hostile_main();
	if (!integ_can_trace()) {
		fprintf(stderr, "test_cli: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
