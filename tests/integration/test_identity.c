// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process identity, real BPF: the tree filter under pid reuse (a fork storm that wraps pid_max
 * twice beside an unrelated forker), exit records of processes whose threads end in every
 * order, and -p of a process already running (a zombie; an epoll server's fds and sockets).
 * Every check is against what the workload recorded itself (fork counts, waitpid statuses,
 * fstat inodes). The suite re-executes itself as the workloads ("storm", "foreign", "threads").
 * ID_FILTER='*name*' runs only some tests.
 */
#include <pthread.h>
#include <sys/prctl.h>
#include <signal.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "integ.h"

#define S(x) ((char *)(x))
#define STORM_N 65536 /* twice pid_max (32768 here): every pid is recycled */
#define STORM_RUNS 3

static char self_exe[PATH_MAX];
static char ps_exe[PATH_MAX];

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path))
		_exit(3);
}

static void rm_rf(const char *dir)
{
	integ_rmtree(dir);
}

/* ---- workloads (the suite re-executed) ---- */

/* storm N FILE: fork, _exit, waitpid, N times; "forks=N" in FILE */
static int storm_main(int argc, char **argv)
{
	long n = argc > 3 ? atol(argv[2]) : 0, i;
	char rec[64];
	int st;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			return 1;
	}
	snprintf(rec, sizeof(rec), "forks=%ld\n", i);
	write_file(argv[3], rec);
	return 0;
}

/*
 * foreign STOP: until STOP exists, fork children that fork at once in turn (a new pid, likely
 * one the storm just freed, forking within microseconds of its birth), and reap them all.
 */
static int foreign_main(int argc, char **argv)
{
	int st;

	if (argc < 3)
		return 2;
	while (access(argv[2], F_OK)) {
		pid_t pid = fork();

		if (pid == 0) {
			pid_t g = fork();

			if (g == 0)
				_exit(0);
			_exit(g > 0 && waitpid(g, &st, 0) == g ? 0 : 1);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			usleep(1000);
	}
	return 0;
}

/* ---- the threads workload: every order in which a process's threads can end ---- */

enum thread_case {
	TC_LEADER_FIRST_EXIT, /* main pthread_exit()s, the worker later exit(5)s */
	TC_LEADER_FIRST_THREAD_EXIT, /* main pthread_exit()s, the worker pthread_exit()s last */
	TC_EXEC_FROM_WORKER, /* a worker execs (itself, "exit7"): the old leader goes */
	TC_WORKER_KILLED, /* a worker takes SIGKILL: the whole process dies */
	TC_WORKER_SEGV, /* a worker faults: SIGSEGV kills the process */
	TC_IGNORED_LEADER_FIRST, /* parent ignores SIGCHLD; leader first, worker exit(3) */
	TC_MAX,
};

static const char *const tc_names[TC_MAX] = {
	"leader_first_exit", "leader_first_thread_exit", "exec_from_worker", "worker_killed",
	"worker_segv",	     "ignored_leader_first",
};

static void *worker(void *arg)
{
	long c = (long)arg;
	char *argv[] = { self_exe, S("exit7"), NULL };

	usleep(50000); /* the leader is gone by now (cases where it leaves first) */
	switch (c) {
	case TC_LEADER_FIRST_EXIT:
		exit(5);
	case TC_LEADER_FIRST_THREAD_EXIT:
		pthread_exit(NULL);
	case TC_EXEC_FROM_WORKER:
		execv(self_exe, argv);
		_exit(99);
	case TC_WORKER_KILLED:
		syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGKILL);
		break;
	case TC_WORKER_SEGV:
		signal(SIGSEGV, SIG_DFL);
		*(volatile int *)0 = 1;
		break;
	case TC_IGNORED_LEADER_FIRST:
		exit(3);
	default:
		break;
	}
	return NULL;
}

/* One child of case @c; the parent's side writes what waitpid said */
static void threads_case(FILE *truth, long c)
{
	struct rlimit no_core = { 0, 0 };
	pthread_t t;
	pid_t pid;
	int st = 0, r;

	if (c == TC_IGNORED_LEADER_FIRST)
		signal(SIGCHLD, SIG_IGN);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		setrlimit(RLIMIT_CORE, &no_core);
		if (pthread_create(&t, NULL, worker, (void *)c))
			_exit(98);
		if (c == TC_LEADER_FIRST_EXIT || c == TC_LEADER_FIRST_THREAD_EXIT ||
		    c == TC_IGNORED_LEADER_FIRST)
			pthread_exit(NULL);
		pause(); /* the worker ends the process */
		_exit(97);
	}
	r = waitpid(pid, &st, 0);
	fprintf(truth,
		"{\"kind\":\"child\",\"case\":\"%s\",\"pid\":%d,\"waited\":%d,\"status\":%d}\n",
		tc_names[c], (int)pid, r == pid, r == pid ? st : -1);
	fflush(truth);
	signal(SIGCHLD, SIG_DFL);
}

/* threads TRUTH: one child per case, in turn */
static int threads_main(int argc, char **argv)
{
	FILE *truth = argc > 2 ? fopen(argv[2], "w") : NULL;
	long c;

	if (!truth)
		return 2;
	for (c = 0; c < TC_MAX; c++)
		threads_case(truth, c);
	fprintf(truth, "{\"kind\":\"done\"}\n");
	return fclose(truth) ? 1 : 0;
}

/*
 * zombie FILE GO: a child that exits at once; "pid=P" in FILE; reaped once GO exists (at most
 * 60 s later), then "status=S" too
 */
static int zombie_main(int argc, char **argv)
{
	char rec[64];
	pid_t pid;
	int st = 0, i;

	if (argc < 4)
		return 2;
	pid = fork();
	if (pid == 0)
		_exit(3);
	snprintf(rec, sizeof(rec), "pid=%d\n", (int)pid);
	write_file(argv[2], rec);
	for (i = 0; i < 6000 && access(argv[3], F_OK); i++)
		usleep(10000);
	usleep(200000); /* a zombie for a while after procscope is ready */
	if (waitpid(pid, &st, 0) != pid)
		return 1;
	snprintf(rec, sizeof(rec), "pid=%d\nstatus=%d\n", (int)pid, st);
	write_file(argv[2], rec);
	return 0;
}

static void *rename_thread(void *arg)
{
	prctl(PR_SET_NAME, (unsigned long)"thread-name", 0, 0, 0);
	return arg;
}

/* /proc/self/task/TID/comm without its newline into @buf */
static void read_comm(pid_t tid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, (int)size, f))
		_exit(4);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* A thread renames its process's leader through /proc (the kernel allows it in the group) */
static void *rename_leader(void *arg)
{
	char path[64];
	long *tid = arg;
	int fd;

	*tid = (long)syscall(SYS_gettid);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)getpid());
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "by-thread", 9) != 9)
		*tid = -1;
	if (fd >= 0)
		close(fd);
	return NULL;
}

/*
 * rename FILE: a child names itself "renamed-self" (prctl) and one of its threads names itself
 * "thread-name"; then another thread renames the child's leader "by-thread" through /proc;
 * another child execs /bin/true. FILE gets "self=PID comm=NAME", "thread=TID comm=NAME",
 * "exec=PID", with the names /proc gave.
 */
static int rename_main(int argc, char **argv)
{
	char first[32], second[32], rec[256];
	int pfd[2], st;
	pid_t kid, ex;
	pthread_t th;
	long tid = 0;

	if (argc < 3 || pipe(pfd))
		return 2;
	kid = fork();
	if (kid == 0) {
		prctl(PR_SET_NAME, (unsigned long)"renamed-self", 0, 0, 0);
		read_comm(getpid(), first, sizeof(first));
		if (pthread_create(&th, NULL, rename_thread, NULL) || pthread_join(th, NULL) ||
		    pthread_create(&th, NULL, rename_leader, &tid) || pthread_join(th, NULL) ||
		    tid <= 0)
			_exit(1);
		read_comm(getpid(), second, sizeof(second));
		snprintf(rec, sizeof(rec), "self=%d comm=%s\nthread=%ld comm=%s\n", (int)getpid(),
			 first, tid, second);
		_exit(write(pfd[1], rec, strlen(rec)) == (ssize_t)strlen(rec) ? 0 : 1);
	}
	close(pfd[1]);
	memset(rec, 0, sizeof(rec));
	if (read(pfd[0], rec, sizeof(rec) - 1) <= 0 || waitpid(kid, &st, 0) != kid || st)
		return 1;
	ex = fork();
	if (ex == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(ex, &st, 0) != ex)
		return 1;
	snprintf(rec + strlen(rec), sizeof(rec) - strlen(rec), "exec=%d\n", (int)ex);
	write_file(argv[2], rec);
	return 0;
}

/* The number after "KEY=" in @path ("" for the first number), or -1 */
static long file_num(const char *path, const char *key)
{
	char *text = integ_slurp(path, NULL), *p = strstr(text, key);
	long v = p ? strtol(p + strlen(key), NULL, 10) : -1;

	free(text);
	return v;
}

/* ---- tests ---- */

/* "Counts: F forks (+T threads), E execs, X exits (+Y thread exits), R reaps by wait, A auto" */
static void summary_counts(const char *path, unsigned long long c[7])
{
	char *out = integ_slurp(path, NULL), *p = strstr(out, "\nCounts: ");

	if (!p || sscanf(p,
			 "\nCounts: %llu forks (+%llu threads), %llu execs, %llu exits (+%llu "
			 "thread exits), %llu reaps by wait, %llu auto-reaped",
			 &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6]) != 7)
		fail_msg("no counts line in the summary: <%s>", out);
	free(out);
}

/*
 * #10 item 3: a traced storm of STORM_N fork-exit-waits beside an untraced process whose
 * children fork at once. pid_max is 32768, so the storm's pids are recycled, some of them by
 * the foreign processes, while the storm's own entries wait for sched_process_free (an RCU
 * grace period after the pid is free). The trace must hold exactly the storm's processes, on
 * every run.
 */
static void test_id__pid_reuse_storm(void **state)
{
	char dir[64], file[128], out[128], err[128], stop[128], n_arg[16];
	unsigned long long c[7];
	int run, status, fst;
	pid_t foreign;
	double t0;

	for (run = 0; run < STORM_RUNS; run++) {
		char *argv[] = { ps_exe,	 S("trace"), S("-q"),  S("-o"),
				 S("/dev/null"), S("--"),    self_exe, S("storm"),
				 n_arg,		 file,	     NULL };
		char *fargv[] = { self_exe, S("foreign"), stop, NULL };

		integ_tmpdir(dir, sizeof(dir));
		snprintf(file, sizeof(file), "%s/storm", dir);
		snprintf(out, sizeof(out), "%s/stdout", dir);
		snprintf(err, sizeof(err), "%s/stderr", dir);
		snprintf(stop, sizeof(stop), "%s/stop", dir);
		snprintf(n_arg, sizeof(n_arg), "%d", STORM_N);
		fflush(NULL);
		foreign = fork();
		assert_true(foreign >= 0);
		if (foreign == 0) {
			execv(self_exe, fargv);
			_exit(126);
		}
		t0 = now_s();
		status = integ_run(argv, out, err);
		write_file(stop, "stop\n");
		assert_int_equal(waitpid(foreign, &fst, 0), foreign);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		summary_counts(out, c);
		fprintf(stderr,
			"# run %d: %d forks traced in %.1f s: %llu forks, %llu exits, %llu reaps\n",
			run + 1, STORM_N, now_s() - t0, c[0], c[3], c[5]);
		{
			char *rec = integ_slurp(file, NULL);

			assert_int_equal(strtol(strchr(rec, '=') + 1, NULL, 10), STORM_N);
			free(rec);
		}
		/* the storm's children and nothing else; the storm itself exits and is reaped */
		assert_int_equal(c[0], STORM_N);
		assert_int_equal(c[1], 0);
		assert_int_equal(c[3], STORM_N + 1);
		assert_int_equal(c[5], STORM_N + 1);
		rm_rf(dir);
	}
}

/*
 * #10 item 4: a process's exit record (wait status, autoreap) matches what its parent's
 * waitpid() got, whichever thread ends it: the leader first, exec from a worker, a worker
 * killed by a signal, a parent that ignores SIGCHLD.
 */
static void test_id__thread_exit_orders(void **state)
{
	char dir[64], log[128], truth[128], out[128], err[128];
	char *argv[] = { ps_exe,  S("trace"), S("-q"),	    S("-o"), log,
			 S("--"), self_exe,   S("threads"), truth,   NULL };
	struct integ_log lg, tr;
	unsigned long long c[7], waited = 0, ignored = 0;
	int status;
	size_t i;

	integ_tmpdir(dir, sizeof(dir));
	snprintf(log, sizeof(log), "%s/log.jsonl", dir);
	snprintf(truth, sizeof(truth), "%s/truth.jsonl", dir);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	status = integ_run(argv, out, err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	integ_load(log, &lg);
	integ_load(truth, &tr);
	assert_non_null(integ_find(&tr, "kind", "done", NULL));
	for (i = 0; i < tr.n; i++) {
		json_object *t = tr.recs[i], *e;
		int64_t pid = integ_i64(t, "pid");
		bool was_waited = integ_i64(t, "waited");

		if (!integ_is(t, "kind", "child"))
			continue;
		e = integ_find(&lg, "type", "exit", "pid", pid, "group_dead", INTEG_I(1), NULL);
		if (!e) {
			/* group_dead is a bool in the log: find the process exit by hand */
			size_t j;

			for (j = 0; j < lg.n; j++)
				if (integ_is(lg.recs[j], "type", "exit") &&
				    integ_i64(lg.recs[j], "pid") == pid &&
				    integ_bool(lg.recs[j], "group_dead"))
					e = lg.recs[j];
		}
		if (!e)
			fail_msg("case %s: no process exit for pid %lld", integ_str(t, "case"),
				 (long long)pid);
		if (integ_bool(e, "autoreap") == was_waited ||
		    (was_waited && integ_i64(e, "exit_status") != integ_i64(t, "status"))) {
			integ_dump("exit record", e);
			integ_dump("truth", t);
			fail_msg("case %s: the exit record disagrees with waitpid()",
				 integ_str(t, "case"));
		}
		waited += was_waited;
		ignored += !was_waited;
	}
	assert_int_equal(waited + ignored, TC_MAX);
	assert_int_equal(ignored, 1);
	summary_counts(out, c);
	/* the cases the parent waited for, and the trace's own command (reaped by procscope) */
	assert_int_equal(c[5], waited + 1);
	assert_int_equal(c[6], ignored);
	integ_free(&lg);
	integ_free(&tr);
	rm_rf(dir);
}

/* Run argv in the background with stdout and stderr to files; its pid */
static pid_t spawn_to(char *const argv[], const char *out, const char *err)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(126);
	}
	return pid;
}

/*
 * #11 item 10: -p of a zombie reports it and waits for its reap (the trace has time left),
 * then ends: the reap in the log is the one the parent's waitpid() got.
 */
static void test_id__pid_of_zombie(void **state)
{
	char dir[64], file[128], go[128], log[128], out[128], err[128], pid_arg[16];
	char *zargv[] = { self_exe, S("zombie"), file, go, NULL };
	char *argv[] = {
		ps_exe, S("trace"), S("-p"), pid_arg, S("-d"), S("20"), S("-o"), log, NULL
	};
	struct integ_log lg;
	json_object *reap;
	long zpid;
	pid_t w, ps;
	double t0;
	char *text;
	int status, wst;

	integ_tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/zombie", dir);
	snprintf(go, sizeof(go), "%s/go", dir);
	snprintf(log, sizeof(log), "%s/log.jsonl", dir);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	fflush(NULL);
	w = fork();
	assert_true(w >= 0);
	if (w == 0) {
		execv(self_exe, zargv);
		_exit(126);
	}
	for (t0 = now_s(); access(file, F_OK) && now_s() - t0 < 30;)
		usleep(2000);
	zpid = file_num(file, "pid=");
	assert_true(zpid > 0);
	snprintf(pid_arg, sizeof(pid_arg), "%ld", zpid);
	ps = spawn_to(argv, out, err);
	/* procscope says it waits for the reap once it is attached: then let the parent reap */
	for (t0 = now_s(), text = NULL; now_s() - t0 < 30; usleep(10000)) {
		free(text);
		text = access(err, F_OK) ? strdup("") : integ_slurp(err, NULL);
		if (strstr(text, "is a zombie (it exited before the trace)") ||
		    waitpid(ps, &status, WNOHANG) == ps)
			break;
	}
	if (!strstr(text, "is a zombie (it exited before the trace)")) {
		write_file(go, "go\n");
		kill(ps, SIGKILL);
		waitpid(ps, NULL, 0);
		waitpid(w, NULL, 0);
		fail_msg("procscope did not say it waits for zombie %ld: <%s>", zpid, text);
	}
	free(text);
	write_file(go, "go\n");
	t0 = now_s();
	assert_int_equal(waitpid(ps, &status, 0), ps);
	assert_int_equal(waitpid(w, &wst, 0), w);
	assert_true(WIFEXITED(wst) && WEXITSTATUS(wst) == 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* ended by the reap (0.2 s after go), not by -d 20 */
	assert_true(now_s() - t0 < 10);
	integ_load(log, &lg);
	reap = integ_find(&lg, "type", "reap", "reaped_pid", INTEG_I(zpid), NULL);
	if (!reap)
		fail_msg("no reap of zombie %ld in the log", zpid);
	assert_int_equal(integ_i64(reap, "status"), file_num(file, "status="));
	assert_int_equal(integ_i64(reap, "pid"), (int64_t)w);
	text = integ_slurp(out, NULL);
	{
		/* its row in the zombie table: the pid, and the note that it predates the trace */
		char *row = strstr(text, "(a zombie before the trace)"), *bol = row;

		while (bol && bol > text && bol[-1] != '\n')
			bol--;
		if (!row || !strstr(bol, pid_arg) || strstr(bol, pid_arg) > row)
			fail_msg("the zombie table does not show zombie %ld: <%s>", zpid, text);
	}
	free(text);
	integ_free(&lg);
	rm_rf(dir);
}

/*
 * A Python epoll server on a unix socket, and its client, both started before procscope. The
 * server records its own fds (fstat inodes) in TRUTH; the client sends every 50 ms for 30 s (both are killed once the trace is done).
 */
static const char server_py[] =
	"import json, os, select, socket, sys, time\n"
	"path, truth = sys.argv[1], sys.argv[2]\n"
	"out = open(truth, 'w')\n"
	"def rec(**kw):\n"
	"    out.write(json.dumps(kw) + '\\n'); out.flush()\n"
	"ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
	"ls.bind(path); ls.listen(8)\n"
	"ep = select.epoll()\n"
	"ep.register(ls.fileno(), select.EPOLLIN)\n"
	"rec(kind='fd', role='listener', fd=ls.fileno(), ino=os.fstat(ls.fileno()).st_ino)\n"
	"rec(kind='server', pid=os.getpid(), epfd=ep.fileno())\n"
	"conns = {}\n"
	"end = time.time() + 60\n"
	"while time.time() < end:\n"
	"    for fd, ev in ep.poll(0.5):\n"
	"        if fd == ls.fileno():\n"
	"            c, _ = ls.accept(); conns[c.fileno()] = c\n"
	"            ep.register(c.fileno(), select.EPOLLIN)\n"
	"            rec(kind='fd', role='conn', fd=c.fileno(), ino=os.fstat(c.fileno()).st_ino)\n"
	"        else:\n"
	"            d = conns[fd].recv(4096)\n"
	"            if not d:\n"
	"                ep.unregister(fd); conns.pop(fd).close(); continue\n"
	"            conns[fd].sendall(d)\n";

static const char client_py[] = "import os, socket, sys, time\n"
				"s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
				"for i in range(100):\n"
				"    try:\n"
				"        s.connect(sys.argv[1]); break\n"
				"    except OSError:\n"
				"        time.sleep(0.02)\n"
				"open(sys.argv[2], 'w').write('%d\\n' % os.getpid())\n"
				"end = time.time() + 30\n"
				"while time.time() < end:\n"
				"    s.sendall(b'ping'); s.recv(16); time.sleep(0.05)\n";

static pid_t start_python(const char *script, const char *a1, const char *a2)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execlp("python3", "python3", "-c", script, a1, a2, (char *)NULL);
		_exit(126);
	}
	return pid;
}

/* The truth record of @kind/@role with fd @fd, or NULL */
static json_object *truth_fd(const struct integ_log *tr, int64_t fd)
{
	size_t i;

	for (i = 0; i < tr->n; i++)
		if (integ_is(tr->recs[i], "kind", "fd") && integ_i64(tr->recs[i], "fd") == fd)
			return tr->recs[i];
	return NULL;
}

/* The text from @start to the next "\n\n" or the end, as a new string */
static char *section(const char *text, const char *start)
{
	const char *p = strstr(text, start), *e;

	if (!p)
		return strdup("");
	e = strstr(p, "\n\n");
	return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

/*
 * #10 item 2: -p of an epoll server started before procscope, its client connected before
 * too: every ready fd is named (the server's own fds), waits are linked to the client's sends
 * from the first one, and `report` of the log prints the same I/O section as the trace did.
 */
static void test_id__attach_epoll_server(void **state)
{
	char dir[64], sock[128], truth[128], cpid_file[128], log[128], out[128], err[128],
		rout[128], pid_arg[16];
	char *argv[] = { ps_exe, S("trace"), S("-p"), pid_arg, S("-d"), S("2"), S("-o"), log, NULL };
	char *rargv[] = { ps_exe, S("report"), S("--io"), S("--unix"), log, NULL };
	struct integ_log lg, tr;
	json_object *srv, *conn = NULL;
	size_t i, waits = 0, linked = 0, seeds = 0;
	int64_t first_linked = -1, cpid;
	pid_t server, client;
	char *a, *b, *text;
	double t0;
	int status;

	integ_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(truth, sizeof(truth), "%s/truth.jsonl", dir);
	snprintf(cpid_file, sizeof(cpid_file), "%s/client", dir);
	snprintf(log, sizeof(log), "%s/log.jsonl", dir);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(rout, sizeof(rout), "%s/report", dir);
	server = start_python(server_py, sock, truth);
	client = start_python(client_py, sock, cpid_file);
	/* both running, the connection accepted and registered: then attach */
	for (t0 = now_s(); now_s() - t0 < 10; usleep(10000)) {
		if (access(truth, F_OK))
			continue;
		text = integ_slurp(truth, NULL);
		i = strstr(text, "\"conn\"") && !access(cpid_file, F_OK);
		free(text);
		if (i)
			break;
	}
	usleep(200000);
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)server);
	status = integ_run(argv, out, err);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		text = integ_slurp(err, NULL);
		fail_msg("trace -p failed (status %#x): %s", status, text);
	}
	assert_int_equal(integ_run(rargv, rout, NULL), 0);
	kill(client, SIGKILL);
	kill(server, SIGKILL);
	waitpid(client, NULL, 0);
	waitpid(server, NULL, 0);
	integ_load(log, &lg);
	integ_load(truth, &tr);
	cpid = file_num(cpid_file, "");
	srv = integ_find(&tr, "kind", "server", NULL);
	assert_non_null(srv);
	for (i = 0; i < tr.n; i++)
		if (integ_is(tr.recs[i], "role", "conn"))
			conn = tr.recs[i];
	assert_non_null(conn);
	/* the registrations from before the trace, with the inodes the server's fstat saw */
	for (i = 0; i < lg.n; i++) {
		json_object *e = lg.recs[i], *t, *tgt;

		if (!integ_is(e, "type", "epoll_seed"))
			continue;
		seeds++;
		t = truth_fd(&tr, integ_i64(e, "fd"));
		if (!t || !json_object_object_get_ex(e, "target", &tgt) ||
		    integ_i64(tgt, "ino") != integ_i64(t, "ino") ||
		    integ_i64(e, "epfd") != integ_i64(srv, "epfd")) {
			integ_dump("seed", e);
			fail_msg("a seeded registration disagrees with the server's fds");
		}
	}
	if (seeds != 2) { /* the listener and the connection */
		text = integ_slurp(err, NULL);
		fail_msg("%zu epoll_seed records, expected 2; stderr: %s", seeds, text);
	}
	/* its unix sockets: the listener and the accepted end, by the inodes fstat gave */
	for (i = 0, seeds = 0; i < lg.n; i++) {
		json_object *e = lg.recs[i], *t;

		if (!integ_is(e, "type", "unix_seed"))
			continue;
		seeds++;
		t = truth_fd(&tr, integ_i64(e, "fd"));
		if (!t || integ_i64(e, "ino") != integ_i64(t, "ino") ||
		    integ_bool(e, "listening") != integ_is(t, "role", "listener") ||
		    !integ_is(e, "path", sock)) {
			integ_dump("unix seed", e);
			fail_msg("a seeded unix socket disagrees with the server's fds");
		}
	}
	assert_int_equal(seeds, 2);
	for (i = 0; i < lg.n; i++) {
		json_object *e = lg.recs[i], *rf, *wb, *l;
		size_t k;

		if (!integ_is(e, "type", "epoll_wait") || integ_i64(e, "ret") <= 0)
			continue;
		waits++;
		assert_true(json_object_object_get_ex(e, "ready_fds", &rf));
		for (k = 0; k < json_object_array_length(rf); k++)
			if (!truth_fd(&tr,
				      json_object_get_int64(json_object_array_get_idx(rf, k)))) {
				integ_dump("wait", e);
				fail_msg("a ready fd is not one of the server's");
			}
		if (!json_object_object_get_ex(e, "woken_by", &wb))
			continue;
		l = json_object_array_get_idx(wb, 0);
		if (integ_i64(l, "pid") != cpid || integ_i64(l, "ino") != integ_i64(conn, "ino") ||
		    integ_i64(l, "fd") != integ_i64(conn, "fd")) {
			integ_dump("wait", e);
			fail_msg(
				"woken by something else than the client's send on the connection");
		}
		if (first_linked < 0)
			first_linked = (int64_t)waits;
		linked++;
	}
	fprintf(stderr,
		"# %zu waits with ready fds, %zu linked to the client's send (first: #%lld)\n",
		waits, linked, (long long)first_linked);
	/* 2 s of a ping every 50 ms; the wait in progress at attach cannot be linked */
	if (waits < 10 || first_linked < 1 || first_linked > 2 || linked + 1 < waits)
		fail_msg("%zu waits, %zu linked, the first linked is #%lld", waits, linked,
			 (long long)first_linked);
	text = integ_slurp(out, NULL);
	if (strstr(text, "matched no traced registration"))
		fail_msg("unmatched ready entries: %s", text);
	a = section(text, "I/O readiness (epoll):");
	free(text);
	text = integ_slurp(rout, NULL);
	b = section(text, "I/O readiness (epoll):");
	free(text);
	if (strcmp(a, b) || !strstr(a, "wake-ups caused by"))
		fail_msg("I/O section (trace, then report):\n%s\n---\n%s", a, b);
	free(a);
	free(b);
	text = integ_slurp(out, NULL);
	a = section(text, "Unix sockets:");
	free(text);
	text = integ_slurp(rout, NULL);
	b = section(text, "Unix sockets:");
	free(text);
	/* the connection from before the trace, named by its path, the server on its side */
	if (strcmp(a, b) || !strstr(a, sock) || strstr(a, "(connected before the trace)"))
		fail_msg("unix section (trace, then report):\n%s\n---\n%s", a, b);
	free(a);
	free(b);
	integ_free(&lg);
	integ_free(&tr);
	rm_rf(dir);
}

/* A server blocked in accept() before the trace: it records its own ends (fstat) and its peer */
static const char blocked_py[] =
	"import json, os, socket, struct, sys, time\n"
	"path, truth = sys.argv[1], sys.argv[2]\n"
	"out = open(truth, 'w')\n"
	"def rec(**kw):\n"
	"    out.write(json.dumps(kw) + '\\n'); out.flush()\n"
	"ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
	"ls.bind(path); ls.listen(8)\n"
	"rec(kind='fd', role='listener', fd=ls.fileno(), ino=os.fstat(ls.fileno()).st_ino)\n"
	"c, _ = ls.accept()\n"
	"pid, uid, gid = struct.unpack('3i', c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))\n"
	"rec(kind='fd', role='conn', fd=c.fileno(), ino=os.fstat(c.fileno()).st_ino, peer_pid=pid)\n"
	"c.sendall(c.recv(16))\n"
	"time.sleep(0.2)\n";

static const char once_py[] = "import json, os, socket, sys\n"
			      "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
			      "s.connect(sys.argv[1])\n"
			      "open(sys.argv[2], 'w').write(json.dumps({'kind': 'client', "
			      "'pid': os.getpid(), 'ino': os.fstat(s.fileno()).st_ino}) + '\\n')\n"
			      "s.sendall(b'ping'); s.recv(16)\n";

/*
 * -p of a server already blocked in accept() when the trace attaches (its sys_enter came
 * before us): the accept that returns is the server's, with the new end, the client's end and
 * the client's pid its own fstat and SO_PEERCRED saw; the summary shows the client as client.
 */
static void test_id__attach_blocked_accept(void **state)
{
	char dir[64], sock[128], truth[128], ctruth[128], log[128], out[128], err[128], pid_arg[16],
		row[256];
	char *argv[] = { ps_exe,  S("trace"), S("-p"), pid_arg, S("-d"), S("20"),
			 S("-e"), S("unix"),  S("-o"), log,	NULL };
	struct integ_log lg, tr, ct;
	json_object *conn = NULL, *cli, *acc;
	pid_t server, ps, client;
	char *text = NULL;
	double t0;
	size_t i;
	int status;

	integ_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(truth, sizeof(truth), "%s/truth.jsonl", dir);
	snprintf(ctruth, sizeof(ctruth), "%s/client.jsonl", dir);
	snprintf(log, sizeof(log), "%s/log.jsonl", dir);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	server = start_python(blocked_py, sock, truth);
	for (t0 = now_s(); access(truth, F_OK) && now_s() - t0 < 30;)
		usleep(10000);
	usleep(300000); /* well inside accept() */
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)server);
	ps = spawn_to(argv, out, err);
	/* attached once the listener from before the trace is seeded */
	for (t0 = now_s(); now_s() - t0 < 30; usleep(10000)) {
		free(text);
		text = access(err, F_OK) ? strdup("") : integ_slurp(err, NULL);
		if (strstr(text, "ux_seed") || waitpid(ps, &status, WNOHANG) == ps)
			break;
	}
	if (!strstr(text, "ux_seed")) {
		kill(server, SIGKILL);
		kill(ps, SIGKILL);
		waitpid(server, NULL, 0);
		waitpid(ps, NULL, 0);
		fail_msg("procscope did not seed the listener: <%s>", text);
	}
	free(text);
	client = start_python(once_py, sock, ctruth);
	assert_int_equal(waitpid(client, &status, 0), client);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(server, &status, 0), server);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the trace ends with its target */
	assert_int_equal(waitpid(ps, &status, 0), ps);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	integ_load(log, &lg);
	integ_load(truth, &tr);
	integ_load(ctruth, &ct);
	for (i = 0; i < tr.n; i++)
		if (integ_is(tr.recs[i], "role", "conn"))
			conn = tr.recs[i];
	assert_non_null(conn);
	cli = integ_find(&ct, "kind", "client", NULL);
	assert_non_null(cli);
	assert_int_equal(integ_i64(conn, "peer_pid"), integ_i64(cli, "pid"));
	acc = integ_find(&lg, "type", "unix_accept", NULL);
	if (!acc || integ_i64(acc, "pid") != server ||
	    integ_i64(acc, "ret") != integ_i64(conn, "fd") ||
	    integ_i64(acc, "ino") != integ_i64(conn, "ino") ||
	    integ_i64(acc, "peer_ino") != integ_i64(cli, "ino") ||
	    integ_i64(acc, "peer_pid") != integ_i64(cli, "pid") || !integ_is(acc, "path", sock)) {
		if (acc)
			integ_dump("accept", acc);
		integ_dump("truth", conn);
		integ_dump("client", cli);
		fail_msg("the accept of the blocked server is missing or wrong");
	}
	/* the connection's row: the untraced client on the client side, the server on its own */
	text = integ_slurp(out, NULL);
	snprintf(row, sizeof(row), "%lld (untraced)", (long long)integ_i64(cli, "pid"));
	{
		char *r = strstr(text, row), *srv;

		snprintf(pid_arg, sizeof(pid_arg), " %d ", (int)server);
		srv = r ? strstr(r, pid_arg) : NULL;
		if (!r || !srv || memchr(r, '\n', (size_t)(srv - r)))
			fail_msg("no connection row '%s ... %d': <%s>", row, (int)server, text);
	}
	free(text);
	integ_free(&lg);
	integ_free(&tr);
	integ_free(&ct);
	rm_rf(dir);
}

/*
 * Start procscope (@argv, writing the log @log, stderr to @err) and, once the trace is ready (its
 * log has the unix seeds, written after attach), create @go: the workload's cue to act. Its pid.
 */
static pid_t trace_then_go(char *const argv[], const char *log, const char *err, const char *go)
{
	pid_t ps = spawn_to(argv, "/dev/null", err);
	char *text = NULL;
	int status;
	double t0;

	for (t0 = now_s(); now_s() - t0 < 30; usleep(10000)) {
		free(text);
		text = access(log, F_OK) ? strdup("") : integ_slurp(log, NULL);
		if (strstr(text, "\"unix_seed\"") || waitpid(ps, &status, WNOHANG) == ps)
			break;
	}
	if (!strstr(text, "\"unix_seed\"")) {
		char *e = integ_slurp(err, NULL);

		fail_msg("procscope did not seed the unix sockets: <%s>", e);
	}
	free(text);
	assert_int_equal(close(open(go, O_WRONLY | O_CREAT, 0600)), 0);
	return ps;
}

/*
 * A server that blocks in epoll_wait, poll or select (argv[2]'s file name says which) on an
 * accepted connection; its truth, written just before it blocks: pid, the fd and its fstat
 * inode, the epfd; after the wait: what it returned.
 */
static const char waiter_py[] =
	"import json, os, select, socket, sys, time\n"
	"path, truth = sys.argv[1], sys.argv[2]\n"
	"mode = os.path.basename(truth).split('.')[0]\n"
	"def rec(name, **kw):\n"
	"    open(name + '.tmp', 'w').write(json.dumps(kw) + '\\n'); os.rename(name + '.tmp', name)\n"
	"ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
	"ls.bind(path); ls.listen(8)\n"
	"a, _ = ls.accept()\n"
	"epfd = -1\n"
	"if mode == 'epoll':\n"
	"    ep = select.epoll(); ep.register(a.fileno(), select.EPOLLIN); epfd = ep.fileno()\n"
	"elif mode == 'poll':\n"
	"    po = select.poll(); po.register(a.fileno(), select.POLLIN)\n"
	"rec(truth, pid=os.getpid(), fd=a.fileno(), ino=os.fstat(a.fileno()).st_ino, epfd=epfd)\n"
	"if mode == 'epoll':\n"
	"    ready = [[fd, ev] for fd, ev in ep.poll()]\n"
	"elif mode == 'poll':\n"
	"    ready = [[fd, ev] for fd, ev in po.poll()]\n"
	"else:\n"
	"    ready = [[s.fileno(), 1] for s in select.select([a], [], [], 60)[0]]\n"
	"rec(truth + '.after', ready=ready)\n"
	"a.recv(16)\n";

/* Connects, and sends once the test says go (the file argv[2] exists); writes its pid */
static const char sender_py[] = "import os, socket, sys, time\n"
				"s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
				"for i in range(1000):\n"
				"    try:\n"
				"        s.connect(sys.argv[1]); break\n"
				"    except OSError:\n"
				"        time.sleep(0.01)\n"
				"open(sys.argv[2] + '.tmp', 'w').write('%d\\n' % os.getpid())\n"
				"os.rename(sys.argv[2] + '.tmp', sys.argv[2] + '.pid')\n"
				"end = time.time() + 60\n"
				"while not os.path.exists(sys.argv[2]) and time.time() < end:\n"
				"    time.sleep(0.01)\n"
				"s.sendall(b'ping'); time.sleep(0.2)\n";

/* Wait until @pid is blocked in syscall @nr (/proc/PID/syscall), up to 30 s */
static bool blocked_in(pid_t pid, long nr)
{
	char path[64], text[64];
	double t0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (t0 = now_s(); now_s() - t0 < 30; usleep(10000)) {
		fd = open(path, O_RDONLY);
		n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			text[n] = '\0';
			if (strtol(text, NULL, 10) == nr)
				return true;
		}
	}
	return false;
}

/*
 * -p of a server already blocked in epoll_wait, poll or select when the trace attaches (its
 * sys_enter came before us), woken by a client's send: the wait's return is there, with what
 * the server's own wait returned (the ready fd it accepted, as its fstat saw it; the count),
 * marked as begun before the trace, with no start and no duration made up (null, none summed
 * in the summary), and for epoll the send that woke it.
 */
static void test_id__attach_blocked_wait(void **state)
{
	static const char *const modes[] = { "epoll", "poll", "select" };
	static const long nrs[] = { 232 /* epoll_wait */, 7 /* poll */,
				    270 /* glibc select(): pselect6 */ };
	char dir[64], sock[128], truth[128], after[160], go[128], gopid[160], log[128], sum[128],
		err[128], pid_arg[16];
	char *argv[] = { ps_exe,
			 S("trace"),
			 S("-p"),
			 pid_arg,
			 S("-d"),
			 S("30"),
			 S("-e"),
			 S("epoll,unix"),
			 S("-o"),
			 log,
			 S("--summary-json"),
			 sum,
			 NULL };
	size_t mi;

	for (mi = 0; mi < 3; mi++) {
		struct integ_log lg, tr, ta;
		json_object *w, *v, *doc, *rows, *row;
		pid_t server, client, ps;
		int64_t fd, sender;
		int status;
		double t0;

		integ_tmpdir(dir, sizeof(dir));
		snprintf(sock, sizeof(sock), "%s/sock", dir);
		snprintf(truth, sizeof(truth), "%s/%s.jsonl", dir, modes[mi]);
		snprintf(after, sizeof(after), "%s.after", truth);
		snprintf(go, sizeof(go), "%s/go", dir);
		snprintf(gopid, sizeof(gopid), "%s.pid", go);
		snprintf(log, sizeof(log), "%s/log.jsonl", dir);
		snprintf(sum, sizeof(sum), "%s/summary.json", dir);
		snprintf(err, sizeof(err), "%s/stderr", dir);
		server = start_python(waiter_py, sock, truth);
		client = start_python(sender_py, sock, go);
		for (t0 = now_s();
		     (access(truth, F_OK) || access(gopid, F_OK)) && now_s() - t0 < 30;)
			usleep(10000);
		integ_load(truth, &tr);
		assert_int_equal(tr.n, 1);
		fd = integ_i64(tr.recs[0], "fd");
		sender = file_num(gopid, "");
		if (!blocked_in(server, nrs[mi]))
			fail_msg("%s: the server never blocked in its wait", modes[mi]);
		snprintf(pid_arg, sizeof(pid_arg), "%d", (int)server);
		ps = trace_then_go(argv, log, err, go);
		assert_int_equal(waitpid(server, &status, 0), server);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_int_equal(waitpid(client, &status, 0), client);
		assert_int_equal(waitpid(ps, &status, 0), ps);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		integ_load(after, &ta);
		assert_int_equal(ta.n, 1);
		v = json_object_object_get(ta.recs[0], "ready");
		assert_int_equal(json_object_array_length(v), 1);
		assert_int_equal(json_object_get_int64(json_object_array_get_idx(
					 json_object_array_get_idx(v, 0), 0)),
				 fd);

		integ_load(log, &lg);
		w = integ_find(&lg, "type", mi == 0 ? "epoll_wait" : "poll_wait", "pid",
			       (int64_t)server, NULL);
		if (!w)
			fail_msg("%s: no record of the wait that began before the trace",
				 modes[mi]);
		/* the first wait of the trace is that one: no start, no duration */
		if (!integ_bool(w, "began_before_trace") || integ_i64(w, "enter_ns") != 0 ||
		    !json_object_object_get_ex(w, "duration_ns", &v) ||
		    !json_object_is_type(v, json_type_null) || integ_i64(w, "ret") != 1) {
			integ_dump("wait", w);
			fail_msg("%s: the wait is not marked as begun before the trace", modes[mi]);
		}
		if (mi == 0) {
			json_object *woken;

			/* the fd its ready entry maps to, the one the server accepted */
			if (integ_i64(w, "epfd") != integ_i64(tr.recs[0], "epfd") ||
			    json_object_array_length(json_object_object_get(w, "ready_fds")) != 1 ||
			    json_object_get_int64(json_object_array_get_idx(
				    json_object_object_get(w, "ready_fds"), 0)) != fd ||
			    integ_i64(json_object_array_get_idx(json_object_object_get(w, "ready"),
								0),
				      "data") != fd) {
				integ_dump("wait", w);
				fail_msg("epoll: the ready fd is not the server's %lld",
					 (long long)fd);
			}
			woken = json_object_object_get(w, "woken_by");
			if (!woken || json_object_array_length(woken) != 1 ||
			    integ_i64(json_object_array_get_idx(woken, 0), "pid") != sender ||
			    integ_i64(json_object_array_get_idx(woken, 0), "ino") !=
				    integ_i64(tr.recs[0], "ino")) {
				integ_dump("wait", w);
				fail_msg("epoll: not woken by the client %lld's send on inode %lld",
					 (long long)sender,
					 (long long)integ_i64(tr.recs[0], "ino"));
			}
		} else if (mi == 1) {
			assert_int_equal(integ_i64(w, "nfds"), 1);
			assert_int_equal(integ_i64(w, "timeout_ns"), -1); /* poll(-1): forever */
			assert_false(integ_bool(w, "timeout_unknown"));
		} else {
			assert_int_equal(integ_i64(w, "nfds"), fd + 1);
			assert_true(integ_bool(w, "timeout_unknown")); /* select rewrote its 60 s */
		}
		/* the summary sums no made-up time for it */
		doc = json_object_from_file(sum);
		assert_non_null(doc);
		rows = json_object_object_get(
			json_object_object_get(json_object_object_get(doc, "groups"), "epoll"),
			mi == 0 ? "epoll_sets" : "poll_waits");
		assert_non_null(rows);
		assert_int_equal(json_object_array_length(rows), 1);
		row = json_object_array_get_idx(rows, 0);
		if (integ_i64(row, "began_before_trace") != 1 ||
		    integ_i64(row, "blocked_ns") != 0) {
			integ_dump("row", row);
			fail_msg("%s: the summary times the wait from before the trace", modes[mi]);
		}
		json_object_put(doc);
		integ_free(&lg);
		integ_free(&tr);
		integ_free(&ta);
		rm_rf(dir);
	}
}

/*
 * A process holding a bound, connected unix socket pair, started before the trace, talks once
 * the trace has seeded it; its truth: pid and /proc start (ticks), the ends' inodes.
 */
static const char held_py[] =
	"import json, os, socket, sys, time\n"
	"path, truth = sys.argv[1], sys.argv[2]\n"
	"ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
	"ls.bind(path); ls.listen(8)\n"
	"c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(path)\n"
	"a, _ = ls.accept()\n"
	"st = open('/proc/self/stat').read().rsplit(')', 1)[1].split()\n"
	"open(truth + '.tmp', 'w').write(json.dumps({'pid': os.getpid(), 'starttime': int(st[19]),\n"
	"    'hz': os.sysconf('SC_CLK_TCK'), 'ino': os.fstat(a.fileno()).st_ino}) + '\\n')\n"
	"os.rename(truth + '.tmp', truth)\n"
	"end = time.time() + 30\n"
	"while not os.path.exists(path + '.go') and time.time() < end:\n"
	"    time.sleep(0.01)\n"
	"for i in range(5):\n"
	"    c.sendall(b'ping'); a.recv(16); a.sendall(b'pong'); c.recv(16)\n";

/* Every start_ns of an object whose pid is @pid in @o, into @v (at most @max) */
static void starts_of(json_object *o, int64_t pid, int64_t *v, size_t *n, size_t max)
{
	json_object *x;
	size_t i;

	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			starts_of(json_object_array_get_idx(o, i), pid, v, n, max);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	if (json_object_object_get_ex(o, "pid", &x) && json_object_get_int64(x) == pid &&
	    json_object_object_get_ex(o, "start_ns", &x) && *n < max)
		v[(*n)++] = json_object_get_int64(x);
	json_object_object_foreach(o, key, val)
	{
		(void)key;
		starts_of(val, pid, v, n, max);
	}
}

/*
 * A unix socket's owner seeded from /proc at -p attach is the same process, under the same
 * start time, as its records name: every pid + start_ns of the JSON summary that names the
 * process carries the kernel's exact start (the one its unix_send records give), which falls
 * in the clock tick /proc/PID/stat gives; none is /proc's tick-rounded one.
 */
static void test_id__seeded_socket_owner_start(void **state)
{
	char dir[64], sock[128], go[160], truth[128], log[128], sum[128], err[128], pid_arg[16];
	char *argv[] = { ps_exe,  S("trace"), S("-p"), pid_arg, S("-d"), S("30"),
			 S("-e"), S("unix"),  S("-q"), S("-o"), log,	 S("--summary-json"),
			 sum,	  NULL };
	int64_t starts[64], kstart = 0, pid, tick, base;
	struct integ_log lg, tr;
	json_object *doc, *send, *procs, *p;
	pid_t held, ps;
	size_t n = 0, i;
	int status;
	double t0;

	integ_tmpdir(dir, sizeof(dir));
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	snprintf(go, sizeof(go), "%s.go", sock);
	snprintf(truth, sizeof(truth), "%s/truth.jsonl", dir);
	snprintf(log, sizeof(log), "%s/log.jsonl", dir);
	snprintf(sum, sizeof(sum), "%s/summary.json", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	held = start_python(held_py, sock, truth);
	for (t0 = now_s(); access(truth, F_OK) && now_s() - t0 < 30;)
		usleep(10000);
	integ_load(truth, &tr);
	assert_int_equal(tr.n, 1);
	pid = integ_i64(tr.recs[0], "pid");
	assert_int_equal(pid, held);
	snprintf(pid_arg, sizeof(pid_arg), "%d", (int)held);
	ps = trace_then_go(argv, log, err, go);
	assert_int_equal(waitpid(held, &status, 0), held);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(ps, &status, 0), ps);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* the kernel's start of the process: its own sends name it */
	integ_load(log, &lg);
	send = integ_find(&lg, "type", "unix_send", NULL);
	assert_non_null(send);
	assert_int_equal(integ_i64(send, "pid"), pid);
	kstart = integ_i64(send, "start_ns");
	base = strtoll(integ_str(lg.recs[0], "boottime_base_ns"), NULL, 10);
	tick = 1000000000 / integ_i64(tr.recs[0], "hz");
	/* ground truth: /proc's start, rounded down to a tick, holds the kernel's */
	if ((base + kstart) / tick != integ_i64(tr.recs[0], "starttime"))
		fail_msg("the records' start %lld ns is not in /proc's tick %lld (of %lld ns)",
			 (long long)(base + kstart), (long long)integ_i64(tr.recs[0], "starttime"),
			 (long long)tick);
	doc = json_object_from_file(sum);
	assert_non_null(doc);
	starts_of(doc, pid, starts, &n, sizeof(starts) / sizeof(starts[0]));
	assert_true(n >= 3); /* processes[], the socket owners, the connection's ends */
	for (i = 0; i < n; i++)
		if (starts[i] != kstart)
			fail_msg("pid %lld under start %lld in the summary, %lld in its records",
				 (long long)pid, (long long)starts[i], (long long)kstart);
	assert_true(json_object_object_get_ex(doc, "processes", &procs));
	for (i = 0; i < json_object_array_length(procs); i++) {
		p = json_object_array_get_idx(procs, i);
		if (integ_i64(p, "pid") == pid && integ_bool(p, "start_approx"))
			fail_msg("the process's start is said approximate: %s",
				 json_object_to_json_string(p));
	}
	json_object_put(doc);
	integ_free(&lg);
	integ_free(&tr);
	rm_rf(dir);
}

/*
 * prctl(PR_SET_NAME), and a thread writing its leader's /proc comm, rename the process: rename
 * records with the names /proc then gave and the thread that did it, the live lines, the tree
 * under the last name, and report's tree the same; a thread's own name and an exec's are no
 * process rename
 */
static void test_id__renames(void **state)
{
	char dir[64], truth[128], log[128], out[128], err[128], rout[128], want[64];
	char *argv[] = { ps_exe,  S("trace"), S("-e"),	   S("proc"), S("-o"), log,
			 S("--"), self_exe,   S("rename"), truth,     NULL };
	char *rargv[] = { ps_exe, S("report"), log, NULL };
	char first[32] = "", second[32] = "", *text, *a, *b;
	long pid, tid, exec_pid;
	struct integ_log lg;
	json_object *r[2] = { NULL, NULL }, *e;
	size_t i, n = 0;
	int status;

	integ_tmpdir(dir, sizeof(dir));
	snprintf(truth, sizeof(truth), "%s/truth", dir);
	snprintf(log, sizeof(log), "%s/log.jsonl", dir);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(rout, sizeof(rout), "%s/report", dir);
	status = integ_run(argv, out, err);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	text = integ_slurp(truth, NULL);
	assert_int_equal(sscanf(text, "self=%ld comm=%31s\nthread=%ld comm=%31s\nexec=%ld", &pid,
				first, &tid, second, &exec_pid),
			 5);
	free(text);
	assert_string_equal(first, "renamed-self");
	assert_string_equal(second, "by-thread");
	integ_load(log, &lg);
	/* two renames of the process, to what /proc said, by whom; the thread's own is none */
	for (i = 0; i < lg.n; i++)
		if (integ_is(lg.recs[i], "type", "rename") && integ_i64(lg.recs[i], "pid") == pid &&
		    n++ < 2)
			r[n - 1] = lg.recs[i];
	if (n != 2 || !integ_is(r[0], "comm", first) ||
	    !integ_is(r[0], "old_comm", "test_identity") || integ_i64(r[0], "by_tid") != pid ||
	    !integ_is(r[1], "comm", second) || !integ_is(r[1], "old_comm", first) ||
	    integ_i64(r[1], "by_tid") != tid)
		fail_msg("%zu renames of %ld, want %s then %s (by its thread %ld)", n, pid, first,
			 second, tid);
	e = integ_find(&lg, "type", "exit", "pid", INTEG_I(pid), "group_dead", INTEG_I(1), NULL);
	if (!e) /* group_dead is a bool in the log */
		for (i = 0; i < lg.n; i++)
			if (integ_is(lg.recs[i], "type", "exit") &&
			    integ_i64(lg.recs[i], "pid") == pid &&
			    integ_bool(lg.recs[i], "group_dead"))
				e = lg.recs[i];
	assert_non_null(e);
	assert_true(integ_is(e, "comm", second));
	/* an exec renames in the kernel too: its exec record says so, no rename record */
	for (i = 0; i < lg.n; i++)
		if (integ_is(lg.recs[i], "type", "rename") &&
		    integ_i64(lg.recs[i], "pid") == exec_pid)
			fail_msg("a rename record for the exec of %ld", exec_pid);
	assert_non_null(integ_find(&lg, "type", "exec", "pid", INTEG_I(exec_pid), NULL));
	text = integ_slurp(err, NULL);
	snprintf(want, sizeof(want), "renamed from renamed-self by its thread %ld", tid);
	if (!strstr(text, "renamed itself from test_identity") || !strstr(text, want) ||
	    strstr(text, "thread-name"))
		fail_msg("live lines: %s", text);
	free(text);
	/* the tree names it as it was last named, and report's tree is the same */
	assert_int_equal(integ_run(rargv, rout, NULL), 0);
	text = integ_slurp(out, NULL);
	a = section(text, "Process tree");
	free(text);
	text = integ_slurp(rout, NULL);
	b = section(text, "Process tree");
	free(text);
	snprintf(want, sizeof(want), "by-thread(%ld)", pid);
	if (!strstr(a, want) || strcmp(a, b))
		fail_msg("tree (trace, then report), want %s:\n%s\n---\n%s", want, a, b);
	free(a);
	free(b);
	integ_free(&lg);
	rm_rf(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id__thread_exit_orders),
		cmocka_unit_test(test_id__pid_of_zombie),
		cmocka_unit_test(test_id__attach_epoll_server),
		cmocka_unit_test(test_id__attach_blocked_accept),
		cmocka_unit_test(test_id__attach_blocked_wait),
		cmocka_unit_test(test_id__seeded_socket_owner_start),
		cmocka_unit_test(test_id__renames),
		cmocka_unit_test(test_id__pid_reuse_storm),
	};

	if (argc > 1 && !strcmp(argv[1], "exit7"))
		return 7;
	if (!realpath("/proc/self/exe", self_exe))
		return 1;
	if (argc > 1 && !strcmp(argv[1], "storm"))
		return storm_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "foreign"))
		return foreign_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "rename"))
		return rename_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "zombie"))
		return zombie_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "threads"))
		return threads_main(argc, argv);
	if (!integ_can_trace()) {
		fprintf(stderr, "test_identity: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	if (!realpath(integ_procscope(), ps_exe)) {
		fprintf(stderr, "test_identity: cannot resolve %s\n", integ_procscope());
		return 1;
	}
	if (getenv("ID_FILTER"))
		cmocka_set_test_filter(getenv("ID_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
