// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF: the trace session as a user drives it. Several demos in one process, each checked
 * against the ground truth its workload wrote; what procscope itself causes (its hold, its reap,
 * its lookups) kept apart from the command; stop reasons and the exit status they give.
 */
#include "integ.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

struct run {
	char dir[64];
	char out[128];
	char err[128];
	char truth[128];
	int status;
};

static void run_setup(struct run *r)
{
	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->out, sizeof(r->out), "%s/stdout", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	snprintf(r->truth, sizeof(r->truth), "%s/truth.jsonl", r->dir);
}

static void run_cleanup(struct run *r)
{
	integ_rmtree(r->dir);
}

static void dump_file(const char *what, const char *path)
{
	char *s = integ_slurp(path, NULL);

	fprintf(stderr, "---- %s ----\n%s\n----\n", what, s);
	free(s);
}

/* One line of the text summary's process tree */
struct tree_row {
	long pid;
	long parent; /* the row above at depth - 1; 0 for a top row */
	const char *line;
};

/*
 * Parse the "Process tree" block that starts after @from in @text (the rows are edited in
 * place: each ends at its newline). Depth is the prefix width in characters, 3 per level.
 * Returns the number of rows, or -1 if there is no tree.
 */
static int parse_tree(char *from, struct tree_row *rows, int max, char **end)
{
	char *p = strstr(from, "\nProcess tree (");
	long stack[64] = { 0 };
	int n = 0;

	if (!p)
		return -1;
	p = strchr(p + 1, '\n') + 1;
	while (*p && *p != '\n' && n < max) {
		char *nl = strchr(p, '\n'), *q = p, *open;
		int width = 0, depth;

		if (nl)
			*nl = '\0';
		/* the prefix: spaces and box-drawing characters (3 bytes each in UTF-8) */
		while (*q == ' ' || (unsigned char)*q == 0xe2) {
			q += *q == ' ' ? 1 : 3;
			width++;
		}
		depth = width / 3;
		open = strchr(q, '(');
		if (open && depth < 64) {
			rows[n].pid = strtol(open + 1, NULL, 10);
			rows[n].parent = depth ? stack[depth - 1] : 0;
			rows[n].line = p;
			stack[depth] = rows[n].pid;
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	*end = p;
	return n;
}

static const struct tree_row *tree_find(const struct tree_row *rows, int n, long pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (rows[i].pid == pid)
			return &rows[i];
	return NULL;
}

/* Does the row say how the process ended as the wait status @status does? */
static bool row_shows_status(const struct tree_row *row, int status)
{
	char want[64];
	const char *hit;

	if (WIFEXITED(status)) {
		snprintf(want, sizeof(want), "exit %d", WEXITSTATUS(status));
		hit = strstr(row->line, want);
		return hit && (hit[strlen(want)] == ',' || hit[strlen(want)] == '\0');
	}
	snprintf(want, sizeof(want), "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
	return strstr(row->line, want) != NULL;
}

/* Is a process of an earlier demo run still running (its cmdline has "demo --no-trace")? */
static bool demo_process_alive(long pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	for (i = 0; i < n; i++)
		buf[i] = buf[i] ? buf[i] : ' ';
	buf[n] = '\0';
	return strstr(buf, "demo --no-trace") != NULL;
}

/*
 * Each demo of @names, in its own section of stdout ("### demo NAME"), has a summary whose
 * process tree holds every process the workload forked, under the parent that forked it, ended
 * the way the parent's waitpid() saw it; the demo's root ended (not "still running"). When
 * procscope has returned, every demo has finished and none of its processes runs on.
 */
static void check_demos(const struct run *r, const char *const *names, size_t n)
{
	struct integ_log truth;
	char *out = integ_slurp(r->out, NULL), *cursor = out, *sec, *next, *end, head[96];
	static struct tree_row rows[512];
	size_t d, i;
	int nrows;

	integ_load(r->truth, &truth);
	assert_int_equal(truth.bad_lines, 0);
	for (i = 0; i < truth.n; i++)
		if (integ_has(truth.recs[i], "pid") &&
		    demo_process_alive(integ_i64(truth.recs[i], "pid"))) {
			integ_dump("a demo process runs on after procscope returned",
				   truth.recs[i]);
			fail();
		}
	for (d = 0; d < n; d++) {
		bool done = false;

		snprintf(head, sizeof(head), "\n### demo %s: ", names[d]);
		/* sections come in order; the rows of the last tree were cut at their newlines */
		sec = strstr(cursor, head);
		if (!sec)
			dump_file("stdout", r->out);
		assert_non_null(sec);
		sec += strlen(head);
		/* the section ends where the next begins: edit in place after finding it */
		next = strstr(sec, "\n### demo ");
		if (next)
			*next = '\0';
		nrows = parse_tree(sec, rows, (int)(sizeof(rows) / sizeof(rows[0])), &end);
		if (nrows <= 0)
			fprintf(stderr, "demo %s: no process tree in its section\n", names[d]);
		assert_true(nrows > 0);
		for (i = 0; i < truth.n; i++) {
			json_object *t = truth.recs[i];
			const struct tree_row *row;

			if (!integ_is(t, "demo", names[d]))
				continue;
			if (integ_is(t, "kind", "done")) {
				done = true;
			} else if (integ_is(t, "kind", "fork")) {
				row = tree_find(rows, nrows, integ_i64(t, "child"));
				if (!row || row->parent != integ_i64(t, "parent")) {
					fprintf(stderr, "demo %s: %s\n", names[d],
						row ? row->line : "(child not in the tree)");
					integ_dump("fork missing from the process tree", t);
				}
				assert_non_null(row);
				assert_int_equal(row->parent, integ_i64(t, "parent"));
			} else if (integ_is(t, "kind", "wait")) {
				row = tree_find(rows, nrows, integ_i64(t, "pid"));
				if (!row || !row_shows_status(row, (int)integ_i64(t, "status"))) {
					fprintf(stderr, "demo %s: %s\n", names[d],
						row ? row->line : "(not in the tree)");
					integ_dump("waitpid() status not in the tree", t);
				}
				assert_non_null(row);
				assert_true(row_shows_status(row, (int)integ_i64(t, "status")));
			} else if (integ_is(t, "kind", "proc") && integ_is(t, "role", "root")) {
				row = tree_find(rows, nrows, integ_i64(t, "pid"));
				assert_non_null(row);
				if (strstr(row->line, "still running") || !row_shows_status(row, 0))
					fprintf(stderr, "demo %s root: %s\n", names[d], row->line);
				assert_null(strstr(row->line, "still running"));
				assert_true(row_shows_status(row, 0));
			}
		}
		/* the demo finished (its "done" record) before procscope returned */
		if (!done)
			fprintf(stderr, "demo %s never finished\n", names[d]);
		assert_true(done);
		if (!next)
			break;
		*next = '\n';
		cursor = next;
	}
	assert_int_equal(d + 1, n);
	integ_free(&truth);
	free(out);
}

static void run_demos(struct run *r, const char *const *names, size_t n, bool all)
{
	char *argv[16];
	size_t i, a = 0;

	argv[a++] = (char *)integ_procscope();
	argv[a++] = (char *)"demo";
	argv[a++] = (char *)"--truth";
	argv[a++] = r->truth;
	for (i = 0; !all && i < n && a < 15; i++)
		argv[a++] = (char *)names[i];
	argv[a] = NULL;
	r->status = integ_run(argv, r->out, r->err);
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
		dump_file("stderr", r->err);
	assert_true(WIFEXITED(r->status));
	assert_int_equal(WEXITSTATUS(r->status), 0);
}

/* `procscope demo` as the README runs it: every demo, one process, each one traced whole */
static void test_session__all_demos_each_traced(void **state)
{
	const char *names[32];
	struct run r;
	size_t n = 0;
	char line[256];
	FILE *f;

	/* the demo table, as --list prints it: the first word of each line */
	snprintf(line, sizeof(line), "'%s' demo --list", integ_procscope());
	f = popen(line, "r");
	assert_non_null(f);
	while (n < 32 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \n")] = '\0';
		names[n++] = strdup(line);
	}
	assert_int_equal(pclose(f), 0);
	assert_true(n >= 4);
	run_setup(&r);
	run_demos(&r, names, n, true);
	check_demos(&r, names, n);
	run_cleanup(&r);
	while (n)
		free((char *)names[--n]);
}

/* The README's example with two names */
static void test_session__two_demos_each_traced(void **state)
{
	const char *const names[] = { "zombie", "epoll-server" };
	struct run r;

	run_setup(&r);
	run_demos(&r, names, 2, false);
	check_demos(&r, names, 2);
	run_cleanup(&r);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The first line of @path as a number, waiting up to 20 s for it to be written; -1 if never */
static long wait_number_in(const char *path)
{
	int i;

	for (i = 0; i < 2000; i++, sleep_ms(10)) {
		FILE *f = fopen(path, "re");
		long v = -1;

		if (f) {
			if (fscanf(f, "%ld\n", &v) != 1)
				v = -1;
			fclose(f);
		}
		if (v > 0)
			return v;
	}
	return -1;
}

/* Has process @pid become @comm (exec done)? Wait up to 20 s. */
static bool wait_comm(long pid, const char *comm)
{
	char path[64], buf[64];
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	for (i = 0; i < 2000; i++, sleep_ms(10)) {
		FILE *f = fopen(path, "re");
		bool same = false;

		if (f) {
			same = fgets(buf, sizeof(buf), f) && !strncmp(buf, comm, strlen(comm));
			fclose(f);
		}
		if (same)
			return true;
	}
	return false;
}

/* Start procscope with argv in its own process group (a shell job); stdout/stderr to files */
static pid_t start_job(char *const argv[], const struct run *r)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(r->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(r->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (setpgid(0, 0) || o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(126);
	}
	setpgid(pid, pid);
	return pid;
}

static int wait_job(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return st;
}

/*
 * Ctrl-C at a terminal: SIGINT to the whole job. The command dies of it, and procscope passes
 * that on the way strace does: it dies of SIGINT too (a shell's `&&` sees a failure). The log
 * records the command's death by SIGINT, as the command's own end.
 */
static void test_session__ctrl_c_passes_command_status(void **state)
{
	struct integ_log log;
	struct run r;
	char ready[160], cmd[256], logp[160];
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"-o",
			 logp,
			 (char *)"--",
			 (char *)"sh",
			 (char *)"-c",
			 cmd,
			 NULL };
	json_object *e;
	pid_t job;
	long pid;

	run_setup(&r);
	snprintf(ready, sizeof(ready), "%s/ready", r.dir);
	snprintf(logp, sizeof(logp), "%s/log.jsonl", r.dir);
	snprintf(cmd, sizeof(cmd), "echo $$ > %s; exec sleep 30", ready);
	job = start_job(argv, &r);
	pid = wait_number_in(ready);
	assert_true(pid > 0);
	assert_true(wait_comm(pid, "sleep"));
	assert_int_equal(kill(-job, SIGINT), 0);
	r.status = wait_job(job);
	if (!WIFSIGNALED(r.status))
		dump_file("stderr", r.err);
	assert_true(WIFSIGNALED(r.status));
	assert_int_equal(WTERMSIG(r.status), SIGINT);
	/* the command is gone, and the trace saw it die of SIGINT */
	assert_true(kill((pid_t)pid, 0) < 0 && errno == ESRCH);
	integ_load(logp, &log);
	e = integ_find(&log, "type", "exit", "pid", INTEG_I(pid), NULL);
	if (!e)
		dump_file("log", logp);
	assert_non_null(e);
	assert_int_equal(integ_i64(e, "signal"), SIGINT);
	e = log.n ? log.recs[log.n - 1] : NULL;
	assert_true(e && integ_is(e, "type", "trailer"));
	assert_true(integ_bool(e, "interrupted"));
	integ_free(&log);
	run_cleanup(&r);
}

/*
 * A signal to procscope alone (kill PID): the command survives it and runs on untraced.
 * procscope says so and exits 128 + the signal, not 0.
 */
static void test_session__signal_to_procscope_only(void **state)
{
	struct run r;
	char ready[160], cmd[256], *err;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"--",
			 (char *)"sh",
			 (char *)"-c",
			 cmd,
			 NULL };
	pid_t job;
	long pid;

	run_setup(&r);
	snprintf(ready, sizeof(ready), "%s/ready", r.dir);
	snprintf(cmd, sizeof(cmd), "echo $$ > %s; exec sleep 30", ready);
	job = start_job(argv, &r);
	pid = wait_number_in(ready);
	assert_true(pid > 0);
	assert_true(wait_comm(pid, "sleep"));
	assert_int_equal(kill(job, SIGTERM), 0);
	r.status = wait_job(job);
	err = integ_slurp(r.err, NULL);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 128 + SIGTERM)
		fprintf(stderr, "status %#x, stderr: %s\n", r.status, err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 128 + SIGTERM);
	assert_non_null(strstr(err, "goes on untraced"));
	free(err);
	/* the command really survived: it is still sleep, and ours to end */
	assert_true(wait_comm(pid, "sleep"));
	kill((pid_t)pid, SIGKILL);
	run_cleanup(&r);
}

/*
 * The workload for -p TID: a second thread writes its thread id to DIR/tid, and the main
 * thread forks a child every 20 ms for 3 s, each exiting with its own code, and appends
 * "PID STATUS" of each waitpid() to DIR/truth.
 */
static void *idle_thread(void *arg)
{
	const char *dir = arg;
	char tmp[160], path[160];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/tid.tmp", dir);
	snprintf(path, sizeof(path), "%s/tid", dir);
	f = fopen(tmp, "we");
	if (f) {
		fprintf(f, "%ld\n", (long)syscall(SYS_gettid));
		fclose(f);
		rename(tmp, path);
	}
	pause();
	return NULL;
}

static int thread_workload(const char *dir)
{
	char path[160];
	pthread_t t;
	FILE *truth;
	int i, st;

	snprintf(path, sizeof(path), "%s/truth", dir);
	truth = fopen(path, "we");
	if (!truth || pthread_create(&t, NULL, idle_thread, (void *)dir))
		return 1;
	for (i = 0; i < 150; i++) {
		pid_t c = fork();

		if (c == 0)
			_exit(1 + i % 100);
		if (c < 0 || waitpid(c, &st, 0) != c)
			return 1;
		fprintf(truth, "%d %d\n", (int)c, st);
		fflush(truth);
		sleep_ms(20);
	}
	fclose(truth);
	return 0;
}

/* -p TID of a thread that is not its process's leader traces the process, and says so */
static void test_session__pid_of_a_thread(void **state)
{
	struct integ_log log;
	struct run r;
	char exe[PATH_MAX], tidp[160], logp[160], truthp[160], line[64], *err;
	char *wargv[] = { exe, (char *)"thread-workload", r.dir, NULL };
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"-d",
			 (char *)"1",
			 (char *)"-o",
			 logp,
			 (char *)"-p",
			 line,
			 NULL };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i, traced = 0;
	pid_t w;
	long tid;
	FILE *f;
	int st;

	assert_true(n > 0);
	exe[n] = '\0';
	run_setup(&r);
	snprintf(tidp, sizeof(tidp), "%s/tid", r.dir);
	snprintf(logp, sizeof(logp), "%s/log.jsonl", r.dir);
	w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		execv(exe, wargv);
		_exit(126);
	}
	tid = wait_number_in(tidp);
	assert_true(tid > 0 && tid != w);
	snprintf(line, sizeof(line), "%ld", tid);
	r.status = integ_run(argv, r.out, r.err);
	assert_int_equal(waitpid(w, &st, 0), w);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	err = integ_slurp(r.err, NULL);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0 || !strstr(err, "is a thread of"))
		fprintf(stderr, "status %#x, stderr: %s\n", r.status, err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	snprintf(line, sizeof(line), "is a thread of process %d", (int)w);
	assert_non_null(strstr(err, line));
	free(err);
	/* every fork traced is one the workload made, with the status its waitpid() got */
	integ_load(logp, &log);
	snprintf(truthp, sizeof(truthp), "%s/truth", r.dir);
	f = fopen(truthp, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		long c = 0;
		int status = 0;
		json_object *e;

		assert_int_equal(sscanf(line, "%ld %d", &c, &status), 2);
		if (!integ_find(&log, "type", "fork", "parent_pid", INTEG_I(w), "child_pid",
				INTEG_I(c), NULL))
			continue;
		traced++;
		e = integ_find(&log, "type", "exit", "pid", INTEG_I(c), NULL);
		assert_non_null(e);
		assert_int_equal(integ_i64(e, "exit_status"), status);
	}
	fclose(f);
	for (i = 0; i < log.n; i++)
		if (integ_is(log.recs[i], "type", "fork") &&
		    integ_i64(log.recs[i], "parent_pid") == w)
			traced--;
	/* all forks in the log are the workload's, and a 1 s trace of 3 s of forks saw many */
	assert_int_equal((long)traced, 0);
	assert_true(integ_count(&log, "type", "fork", "parent_pid", INTEG_I(w), NULL) >= 10);
	integ_free(&log);
	run_cleanup(&r);
}

#define CHAIN_DEPTH 6000

/*
 * The workload for the deep chain: each process forks the next and exits at once (the root
 * waits for its child only), CHAIN_DEPTH forks in all. Each child appends "PID PARENT" (the pid
 * its parent had before the fork) to @truth with one write.
 */
static int chain_workload(const char *truth)
{
	int fd = open(truth, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	pid_t root = getpid(), me = root, c;
	char line[64];
	int i, st, len;

	if (fd < 0)
		return 1;
	for (i = 0; i < CHAIN_DEPTH; i++) {
		c = fork();
		if (c < 0)
			_exit(1);
		if (c > 0)
			break;
		len = snprintf(line, sizeof(line), "%d %d\n", (int)getpid(), (int)me);
		if (write(fd, line, (size_t)len) != len)
			_exit(1);
		me = getpid();
	}
	if (me != root)
		_exit(0);
	return waitpid(c, &st, 0) == c && WIFEXITED(st) ? 0 : 1;
}

struct pair {
	int64_t parent;
	int64_t child;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	/* by child, then parent: a pid can come back during the chain (pid_max wraps) */
	if (x->child != y->child)
		return x->child < y->child ? -1 : 1;
	return x->parent < y->parent ? -1 : x->parent > y->parent;
}

/*
 * A command whose tree is a chain 6,000 generations deep (each process forks the next and
 * exits): the trace follows it to its end. Every fork the chain made is in the log, with the
 * parent that made it, and the trailer says nothing was lost or cut short.
 */
static void test_session__deep_chain_traced_whole(void **state)
{
	struct integ_log log;
	struct run r;
	char exe[PATH_MAX], logp[160], line[64];
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-o",
			 logp,
			 (char *)"--",
			 exe,
			 (char *)"chain",
			 r.truth,
			 NULL };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct pair *forks, key, *hit;
	size_t nforks = 0, i, events = 0, seen = 0;
	json_object *trl;
	FILE *f;

	assert_true(n > 0);
	exe[n] = '\0';
	run_setup(&r);
	snprintf(logp, sizeof(logp), "%s/log.jsonl", r.dir);
	r.status = integ_run(argv, r.out, r.err);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
		dump_file("stderr", r.err);
	assert_true(WIFEXITED(r.status));
	assert_int_equal(WEXITSTATUS(r.status), 0);
	integ_load(logp, &log);
	assert_int_equal(log.bad_lines, 0);
	forks = calloc(log.n + 1, sizeof(*forks));
	assert_non_null(forks);
	for (i = 0; i < log.n; i++) {
		if (integ_is(log.recs[i], "type", "fork") && !integ_bool(log.recs[i], "thread")) {
			forks[nforks].parent = integ_i64(log.recs[i], "parent_pid");
			forks[nforks++].child = integ_i64(log.recs[i], "child_pid");
		}
		if (i && i + 1 < log.n && !integ_has(log.recs[i], "derived") &&
		    !integ_is(log.recs[i], "type", "lost"))
			events++;
	}
	qsort(forks, nforks, sizeof(*forks), pair_cmp);
	f = fopen(r.truth, "re");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		long c, p;

		assert_int_equal(sscanf(line, "%ld %ld", &c, &p), 2);
		key.child = c;
		key.parent = p;
		hit = bsearch(&key, forks, nforks, sizeof(*forks), pair_cmp);
		if (!hit)
			fprintf(stderr, "fork %ld -> %ld not traced (%zu of %d seen so far)\n", p,
				c, seen, CHAIN_DEPTH);
		assert_non_null(hit);
		seen++;
	}
	fclose(f);
	assert_int_equal(seen, CHAIN_DEPTH);
	assert_int_equal(nforks, CHAIN_DEPTH);
	trl = log.recs[log.n - 1];
	assert_true(integ_is(trl, "type", "trailer"));
	assert_false(integ_bool(trl, "interrupted"));
	assert_int_equal(integ_i64(trl, "lost"), 0);
	assert_int_equal(integ_i64(trl, "events"), (int64_t)events);
	free(forks);
	integ_free(&log);
	run_cleanup(&r);
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The workload measures its own life from main() to just before exit, in CLOCK_BOOTTIME */
static int lifetime_workload(const char *path)
{
	uint64_t start = boottime_ns(), end;
	FILE *f;

	sleep_ms(50);
	f = fopen(path, "we");
	if (!f)
		return 1;
	end = boottime_ns();
	fprintf(f, "%llu %llu\n", (unsigned long long)start, (unsigned long long)end);
	return fclose(f) ? 1 : 0;
}

static json_object *json_get(json_object *o, const char *key)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, key, &v);
	return v;
}

/*
 * procscope's own footprint is not the command's: its life counts from its exec (the hold
 * before it, load and attach, is procscope's and shown as such), and procscope reaps it as it
 * exits, so no zombie time is charged to the command or listed as a zombie.
 */
static void test_session__own_footprint_not_the_command(void **state)
{
	struct integ_log log;
	struct run r;
	char exe[PATH_MAX], logp[160], sump[160], pfp[160], svgp[160], *out, *z_head;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"-o",
			 logp,
			 (char *)"--summary-json",
			 sump,
			 (char *)"--perfetto",
			 pfp,
			 (char *)"--svg",
			 svgp,
			 (char *)"--",
			 exe,
			 (char *)"lifetime",
			 r.truth,
			 NULL };
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	json_object *exec, *ex, *hdr, *procs, *p = NULL, *z, *sum;
	unsigned long long m_start, m_end;
	int64_t base, life, pid;
	size_t i;
	FILE *f;

	assert_true(n > 0);
	exe[n] = '\0';
	run_setup(&r);
	snprintf(logp, sizeof(logp), "%s/log.jsonl", r.dir);
	snprintf(sump, sizeof(sump), "%s/summary.json", r.dir);
	snprintf(pfp, sizeof(pfp), "%s/trace.json", r.dir);
	snprintf(svgp, sizeof(svgp), "%s/trace.svg", r.dir);
	r.status = integ_run(argv, r.out, r.err);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
		dump_file("stderr", r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	f = fopen(r.truth, "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu %llu", &m_start, &m_end), 2);
	fclose(f);
	integ_load(logp, &log);
	hdr = log.recs[0];
	base = strtoll(integ_str(hdr, "boottime_base_ns"), NULL, 10);
	pid = integ_i64(hdr, "target_pid");
	exec = integ_find(&log, "type", "exec", "pid", pid, NULL);
	ex = integ_find(&log, "type", "exit", "pid", pid, NULL);
	assert_non_null(exec);
	assert_non_null(ex);
	life = integ_i64(ex, "lifetime_ns");
	/* from the exec to the exit, which hold what the command measured itself */
	if (life != integ_i64(ex, "ts_ns") - integ_i64(exec, "ts_ns"))
		fprintf(stderr, "lifetime %lld, exec->exit %lld\n", (long long)life,
			(long long)(integ_i64(ex, "ts_ns") - integ_i64(exec, "ts_ns")));
	assert_int_equal(life, integ_i64(ex, "ts_ns") - integ_i64(exec, "ts_ns"));
	assert_true(base + integ_i64(exec, "ts_ns") <= (int64_t)m_start);
	assert_true(base + integ_i64(ex, "ts_ns") >= (int64_t)m_end);
	assert_true(life >= (int64_t)(m_end - m_start));
	/* procscope reaped it: no zombie time charged, in the log or the summary */
	z = integ_find(&log, "type", "reap", "reaped_pid", pid, NULL);
	assert_non_null(z);
	assert_int_equal(integ_i64(z, "zombie_ns"), 0);
	sum = json_object_from_file(sump);
	assert_non_null(sum);
	assert_int_equal(json_object_array_length(json_get(sum, "zombies")), 0);
	procs = json_get(sum, "processes");
	for (i = 0; i < json_object_array_length(procs); i++)
		if (integ_i64(json_object_array_get_idx(procs, i), "pid") == pid)
			p = json_object_array_get_idx(procs, i);
	assert_non_null(p);
	assert_true(integ_is(p, "procscope", "launched"));
	assert_int_equal(integ_i64(p, "lifetime_ns"), life);
	assert_int_equal(integ_i64(p, "zombie_ns"), 0);
	/* the hold is procscope's: from the held child's fork to its exec */
	assert_int_equal(integ_i64(p, "held_ns"),
			 integ_i64(exec, "ts_ns") - integ_i64(p, "start_ns"));
	json_object_put(sum);
	integ_free(&log);
	out = integ_slurp(r.out, NULL);
	assert_non_null(strstr(out, "by procscope before its exec"));
	/* the zombie table, whatever its heading says, has no row */
	z_head = strstr(out, "\nZombies (");
	assert_non_null(z_head);
	z_head = strchr(z_head + 1, '\n');
	assert_non_null(z_head);
	assert_int_equal(strncmp(z_head, "\n  (none)\n", 10), 0);
	free(out);
	/* the timelines draw no zombie interval for it either (the SVG's one is its legend) */
	out = integ_slurp(pfp, NULL);
	assert_null(strstr(out, "\"name\":\"zombie\""));
	free(out);
	out = integ_slurp(svgp, NULL);
	assert_non_null(strstr(out, "class=\"zom\""));
	assert_null(strstr(strstr(out, "class=\"zom\"") + 1, "class=\"zom\""));
	free(out);
	run_cleanup(&r);
}

/*
 * -u USER: the user's groups are looked up by procscope before it forks the command, so the
 * command's trace holds nothing of it (an nscd connect, ENOENT): its first record is its exec.
 */
static void test_session__user_lookup_not_in_the_command(void **state)
{
	struct integ_log log;
	struct run r;
	char logp[160];
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-u",
			 (char *)"nobody",
			 (char *)"-o",
			 logp,
			 (char *)"--",
			 (char *)"/bin/true",
			 NULL };
	int64_t pid;
	size_t i;
	bool exec_seen = false;

	run_setup(&r);
	snprintf(logp, sizeof(logp), "%s/log.jsonl", r.dir);
	r.status = integ_run(argv, r.out, r.err);
	if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0)
		dump_file("stderr", r.err);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0);
	integ_load(logp, &log);
	pid = integ_i64(log.recs[0], "target_pid");
	for (i = 1; i < log.n && !exec_seen; i++) {
		json_object *o = log.recs[i];

		if (integ_i64(o, "pid") != pid || integ_is(o, "type", "seed"))
			continue;
		exec_seen = integ_is(o, "type", "exec");
		if (!exec_seen)
			integ_dump("the command did this before its exec", o);
		assert_true(exec_seen);
	}
	assert_true(exec_seen);
	integ_free(&log);
	run_cleanup(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session__all_demos_each_traced),
		cmocka_unit_test(test_session__two_demos_each_traced),
		cmocka_unit_test(test_session__ctrl_c_passes_command_status),
		cmocka_unit_test(test_session__signal_to_procscope_only),
		cmocka_unit_test(test_session__pid_of_a_thread),
		cmocka_unit_test(test_session__deep_chain_traced_whole),
		cmocka_unit_test(test_session__own_footprint_not_the_command),
		cmocka_unit_test(test_session__user_lookup_not_in_the_command),
	};

	if (argc > 2 && !strcmp(argv[1], "lifetime"))
		return lifetime_workload(argv[2]);
	if (argc > 2 && !strcmp(argv[1], "chain"))
		return chain_workload(argv[2]);
	if (argc > 2 && !strcmp(argv[1], "thread-workload"))
		return thread_workload(argv[2]);
	if (!integ_can_trace()) {
		fprintf(stderr, "test_session: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
