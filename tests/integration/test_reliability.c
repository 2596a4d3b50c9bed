// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reliability, real BPF: lost-event accounting under a fork burst, memory with a stalled reader
 * and over 100k processes, signals and SIGKILL, two instances at once, a full disk, bad
 * environments, output-file safety and a closed stdout. Every check is against what the
 * workload counted itself. The suite re-executes itself as the workloads ("burst", "storm",
 * "stormuntil", "straggler", "tree", "fds" modes). RL_FILTER='*name*' runs only some tests.
 * docs/reliability.md has the table and the figures.
 */
#include <dirent.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <time.h>
#include <linux/bpf.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include "integ.h"

#define S(x) ((char *)(x))
#define MIB (1024L * 1024L)

/* Bounds, documented in docs/reliability.md */
#define BURST_N 3000
#define STORM_N 100000
#define LONG_RUN_HWM_BOUND (48 * MIB) /* peak RSS over 100k processes */
#define STALL_HWM_BOUND (64 * MIB) /* peak RSS with a stalled reader */
#define HEAP_GROWTH_BOUND (8 * MIB) /* RssAnon growth after start-up (unbounded: >20 MiB) */
#define STALL_QUEUE (4 * MIB) /* --queue-size of the stalled reader (default 32 MiB) */
#define STALL_S 2.0
#define STALL_FORKS 40000 /* ~10 MiB of records: the default 4 MiB ring overflows */
#define STDOUT_CLOSED_STOP_S 3.0
#define SELF_STOP_GRACE_S 3.0 /* after the workload's end, procscope ends in ~0.1 s */

/*
 * Known bug (docs/reliability.md): a traced process whose fork was seen but whose exit, reap and
 * free were all dropped stays "alive" in the model, and a command-mode trace then never ends
 * (user/trace.c, tree_state()/housekeep()). Until it is fixed, the loss tests stop such a trace
 * with SIGINT after the grace and say so on stderr; set this to 1 once fixed: they then fail
 * instead, and test_rl__lost_end_does_not_hang (deterministic) runs.
 */
#ifndef RL_REQUIRE_SELF_STOP
#define RL_REQUIRE_SELF_STOP 1
#endif

static char self_exe[PATH_MAX];
static char ps_exe[PATH_MAX];

/* Everything a test started or set up, undone by rl_teardown() even when an assertion failed */
#define MAX_KIDS 32
static pid_t kids[MAX_KIDS];
static char mounted[160];
static char dirs[4][64];

struct run {
	char dir[64];
	char log[128];
	char out[128];
	char err[128];
	char file[128]; /* the workload's own record of what it did */
	char marker[128]; /* created by the workload when it starts */
};

static void run_setup(struct run *r)
{
	size_t i;

	integ_tmpdir(r->dir, sizeof(r->dir));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!dirs[i][0]) {
			snprintf(dirs[i], sizeof(dirs[i]), "%s", r->dir);
			break;
		}
	snprintf(r->log, sizeof(r->log), "%s/log.jsonl", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/stdout", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	snprintf(r->file, sizeof(r->file), "%s/workload", r->dir);
	snprintf(r->marker, sizeof(r->marker), "%s/started", r->dir);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void kid_add(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_KIDS; i++)
		if (!kids[i]) {
			kids[i] = pid;
			return;
		}
	fail_msg("too many child processes");
}

static void kid_del(pid_t pid)
{
	size_t i;

	for (i = 0; i < MAX_KIDS; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

static int rl_teardown(void **state)
{
	size_t i;

	for (i = 0; i < MAX_KIDS; i++) {
		if (!kids[i])
			continue;
		kill(kids[i], SIGKILL);
		waitpid(kids[i], NULL, 0);
		kids[i] = 0;
	}
	if (mounted[0] && umount2(mounted, MNT_DETACH))
		fprintf(stderr, "failed to unmount %s: %s\n", mounted, strerror(errno));
	mounted[0] = '\0';
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i][0])
			continue;
		integ_rmtree(dirs[i]);
		dirs[i][0] = '\0';
	}
	return 0;
}

struct io {
	int out_fd; /* stdout: this fd, else out (a file), else /dev/null */
	const char *out;
	const char *err;
	const char *env[3]; /* "NAME=value" for the child */
	bool nobody; /* run as nobody (files above are opened before) */
	bool umask0;
};

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		_exit(125);
}

/* Start argv in the background; no fd of ours but 0, 1, 2 reaches it */
static pid_t spawn(char *const argv[], const struct io *io)
{
	pid_t pid;
	size_t i;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int o = io->out_fd >= 0 ? io->out_fd :
					  open(io->out ? io->out : "/dev/null",
					       O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(io->err ? io->err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		syscall(SYS_close_range, 3, ~0u, 0);
		for (i = 0; i < 3 && io->env[i]; i++)
			putenv((char *)io->env[i]);
		if (io->umask0)
			umask(0);
		if (io->nobody)
			become_nobody();
		execv(argv[0], argv);
		_exit(126);
	}
	kid_add(pid);
	return pid;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Has @pid exited (without reaping it)? */
static bool has_exited(pid_t pid)
{
	siginfo_t si = { 0 };

	return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Reap @pid within @timeout_s, or kill it and fail: nothing in this suite may hang */
static int wait_bounded(pid_t pid, double timeout_s, const char *what)
{
	double t0 = now_s();
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			kid_del(pid);
			return status;
		}
		assert_true(r == 0 || errno == EINTR);
		if (now_s() - t0 > timeout_s) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			kid_del(pid);
			fail_msg("%s: still running after %.1f s (killed)", what, timeout_s);
		}
		usleep(2000);
	}
}

/* Wait until @path exists and holds a whole line; fail if @watch exits first */
static void wait_for_line(const char *path, pid_t watch, double timeout_s)
{
	double t0 = now_s();
	char buf[4096];

	for (;;) {
		int fd = open(path, O_RDONLY);

		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof(buf));

			close(fd);
			if (n > 0 && memchr(buf, '\n', (size_t)n))
				return;
		}
		if (watch > 0 && has_exited(watch))
			fail_msg("pid %d exited before %s was written", (int)watch, path);
		if (now_s() - t0 > timeout_s)
			fail_msg("%s not written within %.0f s", path, timeout_s);
		usleep(2000);
	}
}

/*
 * Wait for a command-mode trace to end by itself once its workload has written @done. If it is
 * still running SELF_STOP_GRACE_S later, stop it with SIGINT (the known bug above) and return
 * false; the status is in @status either way.
 */
static bool wait_self_stop(pid_t pid, const char *done, double timeout_s, int *status,
			   const char *what)
{
	double t0 = now_s(), t_done = 0;

	while (!has_exited(pid)) {
		if (!t_done && file_exists(done))
			t_done = now_s();
		if (t_done && now_s() - t_done > SELF_STOP_GRACE_S) {
			fprintf(stderr,
				"# KNOWN BUG: %s: procscope still running %.0f s after its command "
				"ended (lost exit/reap/free keep a process alive): SIGINT\n",
				what, SELF_STOP_GRACE_S);
			kill(pid, SIGINT);
			*status = wait_bounded(pid, 15, what);
			if (RL_REQUIRE_SELF_STOP)
				fail_msg("%s: procscope did not stop by itself", what);
			return false;
		}
		if (now_s() - t0 > timeout_s)
			break;
		usleep(2000);
	}
	*status = wait_bounded(pid, 1, what);
	return true;
}

/* A number from /proc/PID/status ("VmHWM:" in kB, "CapEff:" in hex); -1 if unreadable */
static long long proc_status(pid_t pid, const char *key, int base)
{
	char path[64], line[256];
	long long v = -1;
	size_t k = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, k)) {
			v = strtoll(line + k, NULL, base);
			break;
		}
	fclose(f);
	return v;
}

struct mem {
	long long hwm_kb; /* VmHWM: peak RSS */
	long long anon0_kb; /* RssAnon at the first sample */
	long long anon_max_kb;
	int samples;
};

static void mem_sample(pid_t pid, struct mem *m)
{
	long long hwm = proc_status(pid, "VmHWM:", 10), anon = proc_status(pid, "RssAnon:", 10);

	if (hwm < 0 || anon < 0)
		return; /* exiting: the mm is gone */
	if (!m->samples++)
		m->anon0_kb = anon;
	if (hwm > m->hwm_kb)
		m->hwm_kb = hwm;
	if (anon > m->anon_max_kb)
		m->anon_max_kb = anon;
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

/* "key=N" from the workload's record */
static long long file_num(const char *path, const char *key)
{
	char *buf = integ_slurp(path, NULL), *p = strstr(buf, key);
	long long v = -1;

	if (p)
		v = strtoll(p + strlen(key), NULL, 10);
	free(buf);
	return v;
}

/* stderr is exactly one line "procscope: ..." containing @needle (and maybe the --help hint) */
static void assert_one_line_error(const char *err_path, const char *needle)
{
	char *err = integ_slurp(err_path, NULL);
	char *nl = strchr(err, '\n');

	if (strncmp(err, "procscope: ", 11) || !strstr(err, needle) || !nl ||
	    (nl[1] && strncmp(nl + 1, "Try 'procscope", 14)))
		fail_msg("stderr: want one line with <%s>, got <%s>", needle, err);
	free(err);
}

/* No "procscope: " line on stderr but warnings */
static void assert_no_error_lines(const char *err_path)
{
	char *err = integ_slurp(err_path, NULL), *line, *save = NULL;

	for (line = strtok_r(err, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "procscope: ", 11) && strncmp(line, "procscope: warning: ", 20))
			fail_msg("unexpected error on stderr: <%s>", line);
	free(err);
}

/* The trailer, which must be the last record */
static json_object *trailer(const struct integ_log *log)
{
	assert_true(log->n >= 2);
	assert_true(integ_is(log->recs[0], "type", "header"));
	if (!integ_is(log->recs[log->n - 1], "type", "trailer"))
		integ_dump("last record (want the trailer)", log->recs[log->n - 1]);
	assert_true(integ_is(log->recs[log->n - 1], "type", "trailer"));
	return log->recs[log->n - 1];
}

/* @type's count in the by-type object @key of @o: absent means 0 (non-zero types only) */
static int64_t by_type(json_object *o, const char *key, const char *type)
{
	json_object *obj, *v;

	assert_true(json_object_object_get_ex(o, key, &obj));
	if (!json_object_object_get_ex(obj, type, &v))
		return 0;
	return json_object_get_int64(v);
}

static size_t count_exits(const struct integ_log *log)
{
	return integ_count(log, "type", "exit", "group_dead", INTEG_I(1), NULL);
}

static size_t count_forks(const struct integ_log *log)
{
	return integ_count(log, "type", "fork", "thread", INTEG_I(0), NULL);
}

/* The in-band lost records add up to the trailer's totals, per type too */
static void assert_lost_records_sum(const struct integ_log *log, json_object *tr)
{
	static const char *const types[] = { "fork", "exec", "exit", "reap", "free" };
	int64_t total = 0, per[5] = { 0 };
	size_t i, t;

	for (i = 0; i < log->n; i++) {
		if (!integ_is(log->recs[i], "type", "lost"))
			continue;
		total += integ_i64(log->recs[i], "count");
		for (t = 0; t < 5; t++)
			per[t] += by_type(log->recs[i], "by_type", types[t]);
	}
	assert_int_equal(total, integ_i64(tr, "lost"));
	for (t = 0; t < 5; t++)
		assert_int_equal(per[t], by_type(tr, "lost_by_type", types[t]));
}

/* ------------------------------------------------------------------ workloads (self re-exec) */

/* The child of a storm: exits at once (vfork: no page tables copied, 100k in a few seconds) */
static __attribute__((noinline)) pid_t spawn_exit0(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/* burst N FILE: fork N children that exit at once, then waitpid() each */
static int burst_main(int argc, char **argv)
{
	long n = argc > 3 ? atol(argv[2]) : 0, forks = 0, reaps = 0, i;
	pid_t *pids = calloc((size_t)n + 1, sizeof(*pids));
	char rec[64];
	int st;

	if (!pids || n <= 0)
		return 2;
	/* READY GO (optional): say we run, then wait (bounded) for GO before the burst */
	if (argc > 5) {
		write_file(argv[4], "up\n");
		for (i = 0; i < 3000 && access(argv[5], F_OK); i++)
			usleep(10000);
	}
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			break;
		pids[forks++] = pid;
	}
	for (i = 0; i < forks; i++)
		if (waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) && !WEXITSTATUS(st))
			reaps++;
	snprintf(rec, sizeof(rec), "forks=%ld reaps=%ld\n", forks, reaps);
	write_file(argv[3], rec);
	return forks == n && reaps == n ? 0 : 1;
}

/*
 * storm N FILE MARKER: fork, exit, waitpid, N times.
 * stormuntil STOP FILE MARKER PROGRESS: the same until STOP exists; the count so far in PROGRESS.
 */
static int storm_main(int argc, char **argv)
{
	bool until = !strcmp(argv[1], "stormuntil");
	long n = argc > 4 && !until ? atol(argv[2]) : 0, i;
	int st, progress = until && argc > 5 ? open(argv[5], O_WRONLY | O_CREAT | O_CLOEXEC, 0644) :
					       -1;
	char rec[64];

	if (until ? progress < 0 : n <= 0)
		return 2;
	write_file(argv[4], "started\n");
	for (i = 0; until || i < n; i++) {
		pid_t pid;

		if (until && !(i & 1023)) {
			snprintf(rec, sizeof(rec), "forks=%012ld\n", i);
			if (pwrite(progress, rec, strlen(rec), 0) < 0 || !access(argv[2], F_OK))
				break;
		}
		pid = spawn_exit0();
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			return 1;
	}
	snprintf(rec, sizeof(rec), "forks=%ld\n", i);
	write_file(argv[3], rec);
	return 0;
}

/*
 * straggler DONE: fork a child that lives 1 s, flood the trace with 20000 fork-exits (a stalled
 * reader drops everything after the first few hundred), reap the child, wait for its release
 * (an RCU grace period later), write DONE. The child's fork is traced, its exit, reap and free
 * are all lost.
 */
static int straggler_main(int argc, char **argv)
{
	pid_t child = fork(), pid;
	int st, i;

	if (child == 0) {
		usleep(1000000);
		_exit(0);
	}
	if (child < 0 || argc < 3)
		return 1;
	for (i = 0; i < 20000; i++) {
		pid = spawn_exit0();
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			return 1;
	}
	if (waitpid(child, &st, 0) != child)
		return 1;
	usleep(500000);
	write_file(argv[2], "done\n");
	return 0;
}

/* tree K BASE FILE: K children that live 300 ms and exit with BASE + i; their pids in FILE */
static int tree_main(int argc, char **argv)
{
	int k = argc > 4 ? atoi(argv[2]) : 0, base = argc > 4 ? atoi(argv[3]) : 0, i, st, bad = 0;
	char rec[512];
	size_t o = 0;
	pid_t pids[32];

	if (k <= 0 || k > 32)
		return 2;
	/*
	 * UP PEER (optional): say we run (procscope released us, so it is attached), then wait
	 * (bounded) for the other command to say so: the two traces surely overlap, however long
	 * a loaded machine takes to attach
	 */
	if (argc > 6) {
		write_file(argv[5], "up\n");
		for (i = 0; i < 2000 && access(argv[6], F_OK); i++)
			usleep(10000);
	}
	for (i = 0; i < k; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			usleep(300000);
			_exit(base + i);
		}
		if (pids[i] < 0)
			return 1;
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, "%d\n", (int)pids[i]);
	}
	write_file(argv[4], rec);
	for (i = 0; i < k; i++)
		bad |= waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		       WEXITSTATUS(st) != base + i;
	return bad;
}

/* fds FILE GO: list our open fds as "fd target" lines in FILE, then wait (10 s at most) for GO */
static int fds_main(int argc, char **argv)
{
	char rec[8192], target[PATH_MAX], name[320];
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	size_t o = 0;
	int i;

	if (!d || argc < 4)
		return 2;
	while ((de = readdir(d))) {
		ssize_t n;

		if (de->d_name[0] == '.' || atoi(de->d_name) == dirfd(d))
			continue;
		snprintf(name, sizeof(name), "/proc/self/fd/%s", de->d_name);
		n = readlink(name, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, "%s %s\n", de->d_name, target);
	}
	closedir(d);
	write_file(argv[2], rec);
	for (i = 0; i < 5000 && access(argv[3], F_OK); i++)
		usleep(2000);
	return 0;
}

/* ------------------------------------------------------------------------------- the tests */

/*
 * 1. With a 4 KiB ring and procscope stopped (SIGSTOP) during a 3000-child burst, nearly
 * everything of it is dropped in the kernel, and every drop is counted: per type, what the log
 * holds plus what was lost is exactly what happened. (Running, the drain thread keeps up with
 * such a burst even on this ring.)
 */
static void test_rl__lost_accounting_exact(void **state)
{
	struct run r;
	struct integ_log log;
	json_object *tr;
	char n_arg[16];
	long long forks, reaps;
	int64_t lost;
	size_t fork_seen, exit_seen, reap_seen, exec_seen;
	bool self_stop;
	int status;
	char ready[160], go[160];
	char *argv[] = { ps_exe,    S("trace"), S("--ringbuf-size"),
			 S("4096"), S("-q"),	S("--no-summary"),
			 S("-o"),   NULL,	S("--"),
			 self_exe,  S("burst"), n_arg,
			 NULL,	    ready,	go,
			 NULL };
	struct io io = { .out_fd = -1 };
	double t0;
	pid_t pid;

	run_setup(&r);
	argv[7] = r.log;
	argv[12] = r.file;
	snprintf(ready, sizeof(ready), "%s/ready", r.dir);
	snprintf(go, sizeof(go), "%s/go", r.dir);
	io.err = r.err;
	snprintf(n_arg, sizeof(n_arg), "%d", BURST_N);
	pid = spawn(argv, &io);
	/* the workload runs (procscope attached and released it): stop procscope for the burst */
	for (t0 = now_s(); !file_exists(ready); usleep(5000))
		if (now_s() - t0 > 30)
			fail_msg("the workload did not start within 30 s");
	assert_int_equal(kill(pid, SIGSTOP), 0);
	write_file(go, "go\n");
	for (t0 = now_s(); !file_exists(r.file); usleep(5000))
		if (now_s() - t0 > 60)
			break;
	assert_int_equal(kill(pid, SIGCONT), 0);
	self_stop = wait_self_stop(pid, r.file, 60, &status, "fork burst");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	forks = file_num(r.file, "forks=");
	reaps = file_num(r.file, "reaps=");
	assert_int_equal(forks, BURST_N);
	assert_int_equal(reaps, BURST_N);

	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	tr = trailer(&log);
	assert_true(integ_bool(tr, "interrupted") == !self_stop);
	lost = integ_i64(tr, "lost");
	fork_seen = count_forks(&log);
	exit_seen = count_exits(&log);
	reap_seen = integ_count(&log, "type", "reap", NULL);
	exec_seen = integ_count(&log, "type", "exec", NULL);
	fprintf(stderr,
		"# lost accounting: N=%lld lost=%lld; fork %zu+%lld, exit %zu+%lld, reap %zu+%lld, "
		"exec %zu+%lld\n",
		forks, (long long)lost, fork_seen, (long long)by_type(tr, "lost_by_type", "fork"),
		exit_seen, (long long)by_type(tr, "lost_by_type", "exit"), reap_seen,
		(long long)by_type(tr, "lost_by_type", "reap"), exec_seen,
		(long long)by_type(tr, "lost_by_type", "exec"));
	assert_true(lost > 0);
	/* the workload's forks; its children's exits and its own; its waits and procscope's */
	assert_int_equal(fork_seen + by_type(tr, "lost_by_type", "fork"), forks);
	assert_int_equal(exit_seen + by_type(tr, "lost_by_type", "exit"), forks + 1);
	assert_int_equal(reap_seen + by_type(tr, "lost_by_type", "reap"), reaps + 1);
	assert_int_equal(exec_seen + by_type(tr, "lost_by_type", "exec"), 1);
	/* the trailer's own counts agree with the lines */
	assert_int_equal(by_type(tr, "events_by_type", "fork"), fork_seen);
	assert_int_equal(by_type(tr, "events_by_type", "reap"), reap_seen);
	assert_lost_records_sum(&log, tr);
	integ_free(&log);
}

/*
 * 2. stdout a pipe nobody reads for 2 s (and until the workload has forked enough to overflow
 * a 4 MiB queue and the default 4 MiB ring many times over, however loaded the machine):
 * procscope blocks on it, the queue fills to its bound and then drops (and counts), memory
 * grows no further; once the reader drains, the log is whole and says what was lost.
 */
static void test_rl__stalled_reader_bounded_memory(void **state)
{
	struct run r;
	struct integ_log log;
	struct mem m = { 0 };
	json_object *tr;
	char buf[65536];
	long long forks;
	int pfd[2], fd, status;
	double t0, t_done = 0, t_sample = 0, t_stall;
	bool self_stop = true;
	pid_t pid;
	char stop[160], progress[160];
	char *argv[] = { ps_exe,
			 S("trace"),
			 S("-q"),
			 S("--no-summary"),
			 S("--queue-size"),
			 S("4M"),
			 S("-o"),
			 S("-"),
			 S("--"),
			 self_exe,
			 S("stormuntil"),
			 stop,
			 NULL,
			 NULL,
			 progress,
			 NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	snprintf(stop, sizeof(stop), "%s/stop", r.dir);
	snprintf(progress, sizeof(progress), "%s/progress", r.dir);
	argv[12] = r.file;
	argv[13] = r.marker;
	io.err = r.err;
	assert_int_equal(pipe(pfd), 0);
	io.out_fd = pfd[1];
	pid = spawn(argv, &io);
	close(pfd[1]);
	wait_for_line(r.marker, pid, 30);
	/* the marker is created when the workload starts, after attach: no start-up in the growth */
	for (t0 = now_s(); now_s() - t0 < STALL_S || file_num(progress, "forks=") < STALL_FORKS;) {
		if (now_s() - t0 > 60)
			fail_msg("the workload forked only %lld times in 60 s",
				 file_num(progress, "forks="));
		mem_sample(pid, &m);
		usleep(50000);
	}
	mem_sample(pid, &m);
	t_stall = now_s() - t0;
	close(open(stop, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	/* the reader comes back: drain to EOF into the log file */
	fd = open(r.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	for (t0 = now_s();;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t n;

		if (now_s() - t0 > 60)
			fail_msg("the log did not end within 60 s of draining");
		if (!t_done && file_exists(r.file))
			t_done = now_s();
		/* the backlog takes a moment: a longer grace than wait_self_stop() */
		if (self_stop && t_done && now_s() - t_done > 2 * SELF_STOP_GRACE_S) {
			fprintf(stderr,
				"# KNOWN BUG: stalled reader: procscope still running "
				"%.0f s after its command ended: SIGINT\n",
				2 * SELF_STOP_GRACE_S);
			kill(pid, SIGINT);
			self_stop = false;
			if (RL_REQUIRE_SELF_STOP)
				fail_msg("stalled reader: procscope did not stop by itself");
		}
		if (now_s() - t_sample >= 0.05) { /* and while it catches up */
			mem_sample(pid, &m);
			t_sample = now_s();
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		assert_int_equal(write(fd, buf, (size_t)n), n);
	}
	close(fd);
	close(pfd[0]);
	status = wait_bounded(pid, 30, "trace with a stalled reader");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	forks = file_num(r.file, "forks=");
	assert_true(forks > 0);

	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	tr = trailer(&log);
	assert_true(integ_bool(tr, "interrupted") == !self_stop);
	fprintf(stderr,
		"# stalled reader %.1f s: workload forks=%lld, lost=%lld; VmHWM %lld KiB, RssAnon "
		"%lld -> %lld KiB\n",
		t_stall, forks, (long long)integ_i64(tr, "lost"), m.hwm_kb, m.anon0_kb,
		m.anon_max_kb);
	assert_true(m.samples >= 10);
	assert_true(integ_i64(tr, "lost") > 0);
	assert_int_equal(count_forks(&log) + by_type(tr, "lost_by_type", "fork"), forks);
	assert_lost_records_sum(&log, tr);
	assert_true(m.hwm_kb * 1024 < STALL_HWM_BOUND);
	assert_true((m.anon_max_kb - m.anon0_kb) * 1024 < STALL_QUEUE + HEAP_GROWTH_BOUND);
	integ_free(&log);
}

/* Has @pid no child left (its command exited and was reaped)? */
static bool no_children(pid_t pid)
{
	char path[64];
	long child;
	FILE *f;
	bool none;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	none = fscanf(f, "%ld", &child) != 1;
	fclose(f);
	return none;
}

/*
 * 2b. The queue's bound: stdout a pipe nobody reads until the workload is done, and a queue of
 * 64 KiB. The session thread blocks on the pipe, the drain thread keeps emptying the ring into
 * the queue, which overflows: every record dropped there is counted, by type, with its own cause,
 * and what the log holds plus what was lost is exactly what the workload did.
 */
static void test_rl__queue_bound_loss_exact(void **state)
{
	struct run r;
	struct integ_log log;
	json_object *tr, *cause;
	char buf[65536], n_arg[16], want[96], *err_text;
	long long forks, reaps;
	int64_t lost, lost_queue, queue_records = 0;
	size_t i;
	int pfd[2], fd, status;
	double t0;
	pid_t pid;
	char *argv[] = { ps_exe,  S("trace"), S("--queue-size"), S("64K"), S("-q"), S("-o"), S("-"),
			 S("--"), self_exe,   S("burst"),	 n_arg,	   NULL,    NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	argv[11] = r.file;
	io.err = r.err;
	snprintf(n_arg, sizeof(n_arg), "%d", BURST_N);
	assert_int_equal(pipe(pfd), 0);
	io.out_fd = pfd[1];
	pid = spawn(argv, &io);
	close(pfd[1]);
	/*
	 * Nobody reads until the workload has exited and was reaped: ~15,000 records, far past
	 * 64 KiB. Its own exit is then lost too (the queue is full), and the trace must still end
	 * by itself.
	 */
	for (t0 = now_s(); !(file_exists(r.file) && no_children(pid)) && !has_exited(pid);
	     usleep(20000))
		if (now_s() - t0 > 60)
			fail_msg("the fork burst did not end within 60 s");
	fd = open(r.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	for (t0 = now_s();;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t n;

		if (now_s() - t0 > 30)
			fail_msg("procscope still running 30 s after its command ended");
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		assert_int_equal(write(fd, buf, (size_t)n), n);
	}
	close(fd);
	close(pfd[0]);
	status = wait_bounded(pid, 30, "trace with a tiny queue");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	forks = file_num(r.file, "forks=");
	reaps = file_num(r.file, "reaps=");
	assert_int_equal(forks, BURST_N);
	assert_int_equal(reaps, BURST_N);

	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	tr = trailer(&log);
	assert_false(integ_bool(tr, "interrupted"));
	lost = integ_i64(tr, "lost");
	lost_queue = integ_i64(tr, "lost_queue");
	fprintf(stderr, "# queue bound: N=%lld lost=%lld (queue %lld); fork %zu+%lld\n", forks,
		(long long)lost, (long long)lost_queue, count_forks(&log),
		(long long)by_type(tr, "lost_by_type", "fork"));
	assert_true(lost_queue > 0);
	assert_true(lost_queue <= lost);
	assert_int_equal(count_forks(&log) + by_type(tr, "lost_by_type", "fork"), forks);
	assert_int_equal(count_exits(&log) + by_type(tr, "lost_by_type", "exit"), forks + 1);
	assert_int_equal(integ_count(&log, "type", "reap", NULL) +
				 by_type(tr, "lost_by_type", "reap"),
			 reaps + 1);
	assert_lost_records_sum(&log, tr);
	/* each lost record names its cause; the queue's add up to the trailer's */
	for (i = 0; i < log.n; i++) {
		if (!integ_is(log.recs[i], "type", "lost"))
			continue;
		assert_true(json_object_object_get_ex(log.recs[i], "cause", &cause));
		if (!strcmp(json_object_get_string(cause), "queue"))
			queue_records += integ_i64(log.recs[i], "count");
		else
			assert_string_equal(json_object_get_string(cause), "ringbuf");
	}
	assert_int_equal(queue_records, lost_queue);
	/* the summary (on stderr: the log has stdout) says the same, and why */
	err_text = integ_slurp(r.err, NULL);
	assert_non_null(err_text);
	snprintf(want, sizeof(want), "Lost events: %lld (", (long long)lost);
	assert_non_null(strstr(err_text, want));
	assert_non_null(strstr(err_text, "raise --queue-size"));
	free(err_text);
	integ_free(&log);
}

#if RL_REQUIRE_SELF_STOP
/*
 * The known bug, deterministically: a process whose end was entirely lost must not keep a
 * command-mode trace running after the command is gone.
 */
static void test_rl__lost_end_does_not_hang(void **state)
{
	struct run r;
	struct integ_log log;
	char buf[65536];
	int pfd[2], fd, status;
	double t_done;
	pid_t pid;
	/* a small ring and queue: with nobody reading, the straggler's end is lost */
	char *argv[] = { ps_exe,   S("trace"), S("--ringbuf-size"), S("64K"), S("--queue-size"),
			 S("64K"), S("-q"),    S("--no-summary"),   S("-o"),  S("-"),
			 S("--"),  self_exe,   S("straggler"),	    NULL,     NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	argv[13] = r.file;
	io.err = r.err;
	assert_int_equal(pipe(pfd), 0);
	io.out_fd = pfd[1];
	pid = spawn(argv, &io);
	close(pfd[1]);
	wait_for_line(r.file, pid, 30); /* nothing read until the workload is done */
	fd = open(r.log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	for (t_done = now_s();;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		ssize_t n;

		if (now_s() - t_done > 2 * SELF_STOP_GRACE_S)
			fail_msg("procscope still running %.0f s after its command ended",
				 now_s() - t_done);
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(pfd[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		assert_int_equal(write(fd, buf, (size_t)n), n);
	}
	close(fd);
	close(pfd[0]);
	status = wait_bounded(pid, 5, "trace of the straggler");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	assert_false(integ_bool(trailer(&log), "interrupted"));
	assert_true(integ_i64(trailer(&log), "lost") > 0);
	integ_free(&log);
}
#endif

/* "Counts: F forks (+T threads), E execs, X exits (+Y thread exits), R reaps by wait" */
static void summary_counts(const char *path, unsigned long long c[6])
{
	char *out = integ_slurp(path, NULL), *p = strstr(out, "\nCounts: ");

	if (!p || sscanf(p,
			 "\nCounts: %llu forks (+%llu threads), %llu execs, %llu exits (+%llu "
			 "thread exits), %llu reaps by wait",
			 &c[0], &c[1], &c[2], &c[3], &c[4], &c[5]) != 6)
		fail_msg("no counts line in the summary: <%s>", out);
	free(out);
}

/*
 * 3. 100k short-lived processes: peak RSS stays under the bound, the heap does not grow with the
 * number of processes (old reaped ones are retired), and the counts are still complete.
 */
static void test_rl__long_run_bounded_memory(void **state)
{
	struct run r;
	struct mem m = { 0 };
	unsigned long long c[6];
	char n_arg[16], *sum;
	double t0;
	int status;
	pid_t pid;
	char *argv[] = { ps_exe,   S("trace"), S("-q"), S("-o"), S("/dev/null"), S("--"),
			 self_exe, S("storm"), n_arg,	NULL,	 NULL,		 NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	argv[9] = r.file;
	argv[10] = r.marker;
	io.out = r.out;
	io.err = r.err;
	snprintf(n_arg, sizeof(n_arg), "%d", STORM_N);
	t0 = now_s();
	pid = spawn(argv, &io);
	wait_for_line(r.marker, pid, 30);
	while (!has_exited(pid) && now_s() - t0 < 120) {
		mem_sample(pid, &m);
		usleep(20000);
	}
	status = wait_bounded(pid, 5, "trace of 100k processes");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(file_num(r.file, "forks="), STORM_N);
	summary_counts(r.out, c);
	fprintf(stderr,
		"# %d processes in %.1f s: VmHWM %lld KiB, RssAnon %lld -> %lld KiB (%d samples); "
		"counts %llu forks, %llu exits, %llu reaps\n",
		STORM_N, now_s() - t0, m.hwm_kb, m.anon0_kb, m.anon_max_kb, m.samples, c[0], c[3],
		c[5]);
	assert_true(m.samples >= 20);
	assert_int_equal(c[0], STORM_N);
	assert_int_equal(c[1], 0);
	assert_int_equal(c[3], STORM_N + 1);
	assert_int_equal(c[5], STORM_N + 1);
	sum = integ_slurp(r.out, NULL);
	assert_non_null(strstr(sum, "\nLost events: 0\n"));
	free(sum);
	assert_true(m.hwm_kb * 1024 < LONG_RUN_HWM_BOUND);
	assert_true((m.anon_max_kb - m.anon0_kb) * 1024 < HEAP_GROWTH_BOUND);
}

/* 4a. SIGINT, SIGTERM, SIGHUP: status 0, a trailer saying "interrupted", the summary printed */
static void test_rl__signals_stop_cleanly(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct run r;
		struct integ_log log;
		char *out;
		int status;
		pid_t pid;
		char *argv[] = { ps_exe, S("trace"), S("-o"), NULL, NULL };
		struct io io = { .out_fd = -1 };

		run_setup(&r);
		argv[3] = r.log;
		io.out = r.out;
		io.err = r.err;
		pid = spawn(argv, &io);
		wait_for_line(r.log, pid, 30); /* the header: attached, handlers installed */
		usleep(300000);
		assert_int_equal(kill(pid, sigs[i]), 0);
		status = wait_bounded(pid, 15, strsignal(sigs[i]));
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail_msg("%s: status 0x%x", strsignal(sigs[i]), status);
		integ_load(r.log, &log);
		assert_int_equal(log.bad_lines, 0);
		assert_true(integ_bool(trailer(&log), "interrupted"));
		out = integ_slurp(r.out, NULL);
		assert_non_null(strstr(out, "=== procscope summary: "));
		assert_non_null(strstr(out, "\nLost events: "));
		free(out);
		assert_no_error_lines(r.err);
		integ_free(&log);
		rl_teardown(NULL);
	}
}

/* The prog or map ids @pid holds fds of (/proc/PID/fdinfo "prog_id:" or "map_id:" lines) */
static size_t bpf_ids(pid_t pid, const char *key, uint32_t *ids, size_t max)
{
	char dir[64], path[320], line[256];
	size_t n = 0, k = strlen(key), i;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fdinfo", (int)pid);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			uint32_t id;

			if (strncmp(line, key, k))
				continue;
			id = (uint32_t)strtoul(line + k, NULL, 10);
			for (i = 0; i < n && ids[i] != id; i++)
				;
			if (i == n && n < max)
				ids[n++] = id;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* An fd for the BPF program or map with this id; -1 (ENOENT) once it is gone */
static int bpf_fd_by_id(int cmd, uint32_t id)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_id = id; /* map_id shares the field */
	return (int)syscall(__NR_bpf, cmd, &a, sizeof(a));
}

static void bpf_prog_name(uint32_t id, char *name, size_t size)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	int fd = bpf_fd_by_id(BPF_PROG_GET_FD_BY_ID, id);

	name[0] = '\0';
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (!syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)))
		snprintf(name, size, "%.*s", (int)sizeof(info.name), info.name);
	close(fd);
}

/*
 * 4b. SIGKILL: nothing can be cleaned up by procscope, so the kernel must: none of its BPF
 * programs or maps survives it. The log holds whole lines (but perhaps a cut last one).
 */
static void test_rl__sigkill_leaves_nothing_attached(void **state)
{
	struct run r;
	uint32_t progs[64], maps[64];
	size_t nprogs, nmaps, i, left = 64, lines = 0;
	bool fork_prog = false, sys_prog = false;
	char name[32], *buf, *line, *nl;
	double t0;
	int status;
	pid_t pid;
	char *argv[] = { ps_exe, S("trace"), S("-q"), S("--no-summary"), S("-o"), NULL, NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	argv[5] = r.log;
	io.err = r.err;
	pid = spawn(argv, &io);
	wait_for_line(r.log, pid, 30);
	usleep(300000);
	nprogs = bpf_ids(pid, "prog_id:", progs, 64);
	nmaps = bpf_ids(pid, "map_id:", maps, 64);
	for (i = 0; i < nprogs; i++) {
		bpf_prog_name(progs[i], name, sizeof(name));
		fork_prog |= !strcmp(name, "tp_proc_fork");
		sys_prog |= !strcmp(name, "tp_sys_enter");
	}
	fprintf(stderr, "# SIGKILL: procscope held %zu BPF programs and %zu maps\n", nprogs, nmaps);
	assert_true(fork_prog && sys_prog);
	assert_true(nmaps >= 3);
	assert_int_equal(kill(pid, SIGKILL), 0);
	status = wait_bounded(pid, 10, "procscope after SIGKILL");
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* program and map ids go when the last reference does (freeing may be deferred) */
	for (t0 = now_s(); left && now_s() - t0 < 5; usleep(20000)) {
		left = 0;
		for (i = 0; i < nprogs + nmaps; i++) {
			int fd = i < nprogs ? bpf_fd_by_id(BPF_PROG_GET_FD_BY_ID, progs[i]) :
					      bpf_fd_by_id(BPF_MAP_GET_FD_BY_ID, maps[i - nprogs]);

			if (fd >= 0) {
				left++;
				close(fd);
			}
		}
	}
	if (left)
		fail_msg("%zu BPF programs/maps of the killed procscope still exist", left);
	/* the log: whole lines; only a last line cut by the kill may not parse; no trailer */
	buf = integ_slurp(r.log, NULL);
	for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
		json_object *o;

		*nl = '\0';
		o = json_tokener_parse(line);
		if (!o || !integ_has(o, "type"))
			fail_msg("line %zu of the log does not parse: <%.200s>", lines + 1, line);
		assert_true(lines || integ_is(o, "type", "header"));
		assert_false(integ_is(o, "type", "trailer"));
		json_object_put(o);
		lines++;
	}
	assert_true(lines >= 1);
	free(buf);
}

/* pids, one a line */
static size_t read_pids(const char *path, long *pids, size_t max)
{
	char *buf = integ_slurp(path, NULL), *p = buf, *end;
	size_t n = 0;

	while (n < max && (pids[n] = strtol(p, &end, 10)) > 0 && end != p) {
		n++;
		p = end;
	}
	free(buf);
	return n;
}

static bool in_set(int64_t v, const long *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == v)
			return true;
	return false;
}

/*
 * 5. Two traces at once, of different commands: each log holds exactly its own command's tree
 * (as the workload recorded it) and nothing of the other's.
 */
static void test_rl__two_instances(void **state)
{
	static const char *const keys[] = { "pid", "child_pid", "parent_pid", "reaped_pid" };
	static const int kk[2] = { 5, 9 }, base[2] = { 10, 40 };
	struct run r[2];
	struct integ_log log[2];
	long kids_of[2][32], other[34];
	size_t nk[2], i, j, k, n;
	int64_t target[2], t_start[2], t_end[2];
	pid_t pid[2];
	char karg[2][8], barg[2][8], up[2][PATH_MAX];
	int w, status;

	for (w = 0; w < 2; w++)
		run_setup(&r[w]);
	for (w = 0; w < 2; w++)
		snprintf(up[w], sizeof(up[w]), "%s.up", r[w].file);
	for (w = 0; w < 2; w++) {
		char *argv[] = { ps_exe,    S("trace"), S("-q"), S("--no-summary"),
				 S("-o"),   r[w].log,	S("--"), self_exe,
				 S("tree"), karg[w],	barg[w], r[w].file,
				 up[w],	    up[!w],	NULL };
		struct io io = { .out_fd = -1, .err = NULL };

		argv[5] = r[w].log;
		argv[11] = r[w].file;
		io.err = r[w].err;
		snprintf(karg[w], sizeof(karg[w]), "%d", kk[w]);
		snprintf(barg[w], sizeof(barg[w]), "%d", base[w]);
		pid[w] = spawn(argv, &io);
	}
	for (w = 0; w < 2; w++) {
		status = wait_bounded(pid[w], 30, "one of two traces");
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
		nk[w] = read_pids(r[w].file, kids_of[w], 32);
		assert_int_equal(nk[w], kk[w]);
		integ_load(r[w].log, &log[w]);
		assert_int_equal(log[w].bad_lines, 0);
		target[w] = integ_i64(log[w].recs[0], "target_pid");
		t_start[w] = strtoll(integ_str(log[w].recs[0], "realtime_base_ns"), NULL, 10);
		t_end[w] = t_start[w] + integ_i64(trailer(&log[w]), "ts_ns");
	}
	/* they really ran at the same time */
	assert_true(t_start[0] < t_end[1] && t_start[1] < t_end[0]);
	for (w = 0; w < 2; w++) {
		const struct integ_log *l = &log[w];
		json_object *tr = trailer(l);

		assert_int_equal(integ_i64(tr, "lost"), 0);
		assert_int_equal(count_forks(l), kk[w]);
		assert_int_equal(count_exits(l), kk[w] + 1);
		assert_int_equal(integ_count(l, "type", "reap", NULL), kk[w] + 1);
		for (i = 0; i < nk[w]; i++) {
			json_object *e = integ_find(l, "type", "exit", "pid",
						    INTEG_I(kids_of[w][i]), "group_dead",
						    INTEG_I(1), NULL);

			assert_non_null(integ_find(l, "type", "fork", "parent_pid", target[w],
						   "child_pid", INTEG_I(kids_of[w][i]), NULL));
			assert_non_null(e);
			assert_int_equal(integ_i64(e, "code"), base[w] + (int)i);
		}
		/* nothing of the other trace: its procscope, its command, its children */
		n = 0;
		other[n++] = pid[!w];
		other[n++] = (long)target[!w];
		for (i = 0; i < nk[!w]; i++)
			other[n++] = kids_of[!w][i];
		for (j = 0; j < l->n; j++)
			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				if (integ_has(l->recs[j], keys[k]) &&
				    in_set(integ_i64(l->recs[j], keys[k]), other, n)) {
					integ_dump("a record of the other trace", l->recs[j]);
					fail();
				}
	}
	integ_free(&log[0]);
	integ_free(&log[1]);
}

/*
 * 6. A full disk: status 1, an error naming the file and the whole records kept; the file holds
 * exactly those, each parses, and they fill the disk (every whole line that fitted).
 */
static void test_rl__disk_full(void **state)
{
	struct run r;
	struct integ_log log;
	char mnt[128], logp[160], needle[256], *err, *p;
	unsigned long long records = 0;
	struct stat st;
	int status;
	char *argv[] = { ps_exe, S("trace"), S("-q"),  S("--no-summary"), S("-o"),
			 logp,	 S("--"),    self_exe, S("storm"),	  S("3000"),
			 NULL,	 NULL,	     NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	snprintf(mnt, sizeof(mnt), "%s/mnt", r.dir);
	snprintf(logp, sizeof(logp), "%s/log.jsonl", mnt);
	assert_int_equal(mkdir(mnt, 0700), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k,mode=0700"))
		fail_msg("cannot mount a tmpfs on %s: %s", mnt, strerror(errno));
	snprintf(mounted, sizeof(mounted), "%s", mnt);
	argv[10] = r.file;
	argv[11] = r.marker;
	io.err = r.err;
	status = wait_bounded(spawn(argv, &io), 60, "trace onto a full disk");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	/* tracing went on: the command ran to its end */
	assert_int_equal(file_num(r.file, "forks="), 3000);
	err = integ_slurp(r.err, NULL);
	snprintf(needle, sizeof(needle),
		 "procscope: failed to write '%s': No space left on device (the log holds the "
		 "first ",
		 logp);
	p = strstr(err, needle);
	if (!p || sscanf(p + strlen(needle), "%llu records, each complete)\n", &records) != 1)
		fail_msg("stderr: want <%s...>, got <%s>", needle, err);
	free(err);
	integ_load(logp, &log);
	assert_int_equal(log.bad_lines, 0);
	assert_int_equal(log.n, records);
	assert_true(records >= 100);
	assert_true(integ_is(log.recs[0], "type", "header"));
	assert_false(integ_is(log.recs[log.n - 1], "type", "trailer"));
	assert_int_equal(stat(logp, &st), 0);
	fprintf(stderr, "# disk full: %llu records, %lld bytes of a 64 KiB tmpfs\n", records,
		(long long)st.st_size);
	/* the next line did not fit: less than the longest line (~1 KiB) was left */
	assert_true(st.st_size > 64 * 1024 - 2048);
	integ_free(&log);
	assert_int_equal(umount2(mnt, 0), 0);
	mounted[0] = '\0';
}

/* 7. Bad environments: one clear line on stderr, the documented status, the command not run */
static void run_refused(const char *const env[], bool nobody, const char *needle, int want)
{
	struct run r;
	int status;
	char *argv[] = { ps_exe, S("trace"), S("--"), S("/usr/bin/touch"), NULL, NULL };
	struct io io = { .out_fd = -1, .nobody = nobody };
	size_t i;

	run_setup(&r);
	assert_int_equal(chmod(r.dir, 0777), 0); /* the command could create the marker if run */
	argv[4] = r.marker;
	io.out = r.out;
	io.err = r.err;
	for (i = 0; env && env[i]; i++)
		io.env[i] = env[i];
	status = wait_bounded(spawn(argv, &io), 30, needle);
	assert_true(WIFEXITED(status));
	if (nobody && (WEXITSTATUS(status) == 125 || WEXITSTATUS(status) == 126))
		skip(); /* cannot become nobody or exec from here: not what is tested */
	if (WEXITSTATUS(status) != want)
		fail_msg("%s: status %d, want %d", needle, WEXITSTATUS(status), want);
	assert_one_line_error(r.err, needle);
	assert_false(file_exists(r.marker));
}

static void test_rl__env_not_root(void **state)
{
	run_refused(NULL, true, "run as root", 1);
}

static void test_rl__env_no_btf(void **state)
{
	static const char *const env[] = { "PROCSCOPE_BTF=/nonexistent", NULL };

	run_refused(env, false, "kernel BTF not found at /nonexistent", 1);
}

static void test_rl__env_essential_tracepoint_missing(void **state)
{
	static const char *const env[] = { "PROCSCOPE_DISABLE_TRACEPOINTS=sched_process_fork",
					   NULL };

	run_refused(env, false, "tracepoint sched_process_fork is ", 1);
}

/* unix-stream under `demo -o`: returns the log; with @env set, stderr must be @warning alone */
static void run_unix_demo(struct run *r, struct integ_log *log, const char *env,
			  const char *warning)
{
	char *argv[] = { ps_exe,  S("demo"), S("-q"),	       S("--no-summary"),
			 S("-o"), NULL,	     S("unix-stream"), NULL };
	struct io io = { .out_fd = -1, .env = { env, NULL } };
	char *err;
	int status;

	run_setup(r);
	argv[5] = r->log;
	io.err = r->err;
	status = wait_bounded(spawn(argv, &io), 60, "demo unix-stream");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	err = integ_slurp(r->err, NULL);
	if (warning ? strncmp(err, warning, strlen(warning)) ||
			      strchr(err, '\n') != err + strlen(err) - 1 :
		      err[0] != '\0')
		fail_msg("stderr: want <%s>, got <%s>", warning ? warning : "", err);
	free(err);
	integ_load(r->log, log);
	assert_int_equal(log->bad_lines, 0);
}

/* A missing optional tracepoint: a warning, the rest works, the trailer names it */
static void test_rl__env_tracepoint_missing(void **state)
{
	struct run r;
	struct integ_log with, without;
	json_object *tr;

	/* first the control: the demo does cause wake-ups */
	run_unix_demo(&r, &with, NULL, NULL);
	assert_true(integ_count(&with, "type", "unix_wake", NULL) > 0);
	assert_string_equal(integ_str(trailer(&with), "missing_hooks"), "");
	run_unix_demo(&r, &without, "PROCSCOPE_DISABLE_TRACEPOINTS=sk_data_ready",
		      "procscope: warning: tracepoint sk_data_ready is ");
	tr = trailer(&without);
	assert_string_equal(integ_str(tr, "missing_hooks"), "sk_data_ready");
	assert_int_equal(integ_count(&without, "type", "unix_wake", NULL), 0);
	assert_true(integ_count(&without, "type", "unix_send", NULL) > 0);
	assert_true(count_forks(&without) > 0);
	assert_true(count_exits(&without) > 0);
	assert_int_equal(integ_i64(tr, "code"), 0);
	integ_free(&with);
	integ_free(&without);
}

static void test_rl__env_pid_missing(void **state)
{
	struct run r;
	char pidarg[16], needle[64];
	int status;
	pid_t gone = fork();
	char *argv[] = { ps_exe, S("trace"), S("-p"), pidarg, NULL };
	struct io io = { .out_fd = -1 };

	assert_true(gone >= 0);
	if (gone == 0)
		_exit(0);
	waitpid(gone, NULL, 0);
	assert_true(kill(gone, 0) && errno == ESRCH);
	run_setup(&r);
	io.err = r.err;
	snprintf(pidarg, sizeof(pidarg), "%d", (int)gone);
	status = wait_bounded(spawn(argv, &io), 30, "-p of a dead pid");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	snprintf(needle, sizeof(needle), "failed to trace process %d: No such process", (int)gone);
	assert_one_line_error(r.err, needle);
}

/*
 * -p of a process that exits while procscope starts (its parent reaps it at once), at delays
 * that sweep the start-up: either the documented error (status 1) or a whole trace of its end
 * (status 0). Never a hang.
 */
static void test_rl__env_pid_exits_during_startup(void **state)
{
	static const int delays_ms[] = { 0, 15, 30, 45, 60, 75, 90, 110, 140, 250 };
	int outcomes[3] = { 0 };
	size_t i;

	for (i = 0; i < sizeof(delays_ms) / sizeof(delays_ms[0]); i++) {
		struct run r;
		char pidarg[16], nosuch[64], startup[64], *err;
		int pfd[2], status;
		pid_t mid, target = 0;
		char *argv[] = { ps_exe,  S("trace"), S("-q"), S("--no-summary"), S("-p"), pidarg,
				 S("-o"), NULL,	      NULL };
		struct io io = { .out_fd = -1 };

		run_setup(&r);
		argv[7] = r.log;
		io.err = r.err;
		assert_int_equal(pipe(pfd), 0);
		mid = fork();
		assert_true(mid >= 0);
		if (mid == 0) {
			pid_t t = fork();

			if (t == 0) {
				usleep((useconds_t)delays_ms[i] * 1000);
				_exit(0);
			}
			if (write(pfd[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
			waitpid(t, NULL, 0);
			_exit(0);
		}
		kid_add(mid);
		close(pfd[1]);
		assert_int_equal(read(pfd[0], &target, sizeof(target)), sizeof(target));
		close(pfd[0]);
		snprintf(pidarg, sizeof(pidarg), "%d", (int)target);
		status = wait_bounded(spawn(argv, &io), 15, "-p of a process exiting at start-up");
		wait_bounded(mid, 5, "the target's parent");
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 1) {
			snprintf(nosuch, sizeof(nosuch),
				 "failed to trace process %d: No such process", (int)target);
			snprintf(startup, sizeof(startup),
				 "failed to trace process %d: it exited during start-up",
				 (int)target);
			err = integ_slurp(r.err, NULL);
			outcomes[strstr(err, startup) ? 1 : 0]++;
			assert_one_line_error(r.err, strstr(err, startup) ? startup : nosuch);
			free(err);
		} else {
			struct integ_log log;

			if (WEXITSTATUS(status) != 0)
				fail_msg("delay %d ms: status %d", delays_ms[i],
					 WEXITSTATUS(status));
			outcomes[2]++;
			integ_load(r.log, &log);
			assert_int_equal(log.bad_lines, 0);
			assert_false(integ_bool(trailer(&log), "interrupted"));
			/* its end is in the log: the exit, or the reap by its parent */
			assert_true(integ_find(&log, "type", "exit", "pid", INTEG_I(target),
					       "group_dead", INTEG_I(1), NULL) ||
				    integ_find(&log, "type", "reap", "reaped_pid", INTEG_I(target),
					       NULL));
			integ_free(&log);
		}
		rl_teardown(NULL);
	}
	fprintf(stderr,
		"# -p exiting at start-up: %d no such process, %d exited during start-up, "
		"%d traced to the end\n",
		outcomes[0], outcomes[1], outcomes[2]);
}

/*
 * -p of a process already inside exit() when procscope starts: a big address space keeps it
 * there (exit_mm()) for about a second, past the walks of /proc and the attach, so its exit
 * hook ran before the attach. Its reap by its parent must still be in the log, with the status
 * the parent's waitpid() saw (before: no exit, no reap, only the release).
 */
static void test_rl__env_pid_inside_exit_at_start(void **state)
{
	const size_t big = (size_t)3 << 30;
	struct run r;
	struct integ_log log;
	json_object *reap;
	char pidarg[16];
	char *argv[] = { ps_exe,  S("trace"), S("-q"), S("--no-summary"),
			 S("-e"), S("proc"),  S("-p"), pidarg,
			 S("-o"), NULL,	      NULL };
	struct io io = { .out_fd = -1 };
	int pfd[2], wstatus = 0, status;
	pid_t target, ps;
	char c;

	(void)state;
	run_setup(&r);
	argv[9] = r.log;
	io.err = r.err;
	assert_int_equal(pipe(pfd), 0);
	target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		void *m = mmap(NULL, big, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

		if (m == MAP_FAILED || write(pfd[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	snprintf(pidarg, sizeof(pidarg), "%d", (int)target);
	ps = spawn(argv, &io);
	/* the exit begins now, long before the BPF programs are loaded, and lasts ~1 s */
	assert_int_equal(kill(target, SIGKILL), 0);
	assert_int_equal(waitpid(target, &wstatus, 0), target);
	assert_true(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL);
	status = wait_bounded(ps, 15, "-p of a process inside exit()");
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) != 0) {
		char *err = integ_slurp(r.err, NULL);

		fail_msg("procscope exited %d: %s", WEXITSTATUS(status), err);
	}
	integ_load(r.log, &log);
	reap = integ_find(&log, "type", "reap", "reaped_pid", INTEG_I(target), NULL);
	integ_dump("reap", reap);
	assert_non_null(reap);
	assert_int_equal(integ_i64(reap, "pid"), getpid());
	/* the wait began before the attach: its status may be unknown, never another */
	if (!integ_bool(reap, "status_unknown"))
		assert_int_equal(integ_i64(reap, "status"), wstatus);
	integ_free(&log);
}

/* 127 for a command that cannot run: found unusable before attach, or failing exec after */
static void test_rl__env_command_not_executable(void **state)
{
	static const char *const scripts[] = { "noexec", "badinterp" };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct run r;
		char path[160], needle[256];
		int status, fd;
		char *argv[] = {
			ps_exe, S("trace"), S("-q"), S("--no-summary"), S("--"), path, NULL
		};
		struct io io = { .out_fd = -1 };

		run_setup(&r);
		io.err = r.err;
		if (i < 2) {
			snprintf(path, sizeof(path), "%s/%s", r.dir, scripts[i]);
			fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, i ? 0755 : 0644);
			assert_true(fd >= 0);
			/* access(X_OK) passes for the second; execve() then fails with ENOENT */
			assert_int_equal(write(fd, "#!/nonexistent/interp\n", 22), 22);
			close(fd);
		} else {
			snprintf(path, sizeof(path), "procscope-no-such-command");
		}
		status = wait_bounded(spawn(argv, &io), 30, "a command that cannot run");
		assert_true(WIFEXITED(status));
		/* the shells' statuses: 126 found but not executable, 127 not found */
		assert_int_equal(WEXITSTATUS(status), i == 0 ? 126 : 127);
		snprintf(needle, sizeof(needle), "failed to execute '%s': %s", path,
			 strerror(i == 0 ? EACCES : ENOENT));
		assert_one_line_error(r.err, needle);
		rl_teardown(NULL);
	}
}

static void test_rl__env_unknown_user(void **state)
{
	struct run r;
	int status;
	char *argv[] = { ps_exe,  S("trace"),	       S("-u"), S("procscope-no-such-user"),
			 S("--"), S("/usr/bin/touch"), NULL,	NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	argv[6] = r.marker;
	io.err = r.err;
	status = wait_bounded(spawn(argv, &io), 30, "-u of an unknown user");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	assert_one_line_error(r.err, "unknown user 'procscope-no-such-user'");
	assert_false(file_exists(r.marker));
}

/* -u nobody: the command runs with nobody's uid and gid; procscope stays root to trace it */
static void test_rl__env_user_nobody(void **state)
{
	struct run r;
	struct passwd *pw = getpwnam("nobody");
	char script[320], want[64], *got;
	struct stat st;
	int status;
	char *argv[] = { ps_exe,      S("trace"), S("-q"), S("--no-summary"), S("-u"),
			 S("nobody"), S("-o"),	  NULL,	   S("--"),	      S("/bin/sh"),
			 S("-c"),     script,	  NULL };
	struct io io = { .out_fd = -1 };
	struct integ_log log;

	assert_non_null(pw);
	run_setup(&r);
	assert_int_equal(chmod(r.dir, 0777), 0);
	argv[7] = r.log;
	io.err = r.err;
	snprintf(script, sizeof(script), "id -u > %s; id -g >> %s", r.file, r.file);
	status = wait_bounded(spawn(argv, &io), 30, "-u nobody");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	got = integ_slurp(r.file, NULL);
	snprintf(want, sizeof(want), "%u\n%u\n", (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
	assert_string_equal(got, want);
	free(got);
	assert_int_equal(stat(r.file, &st), 0);
	assert_int_equal(st.st_uid, pw->pw_uid);
	/* and it was traced: sh's exec and its children (id) */
	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	assert_true(integ_count(&log, "type", "exec", NULL) >= 3);
	integ_free(&log);
}

/* After attaching, procscope keeps exactly CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER */
/* The threads of @pid but the first: how many, and their CapEff, CapPrm, CapBnd OR'ed */
static int other_threads_caps(pid_t pid, unsigned long long *caps)
{
	static const char *const keys[] = { "CapEff:", "CapPrm:", "CapBnd:" };
	char path[320], line[256];
	struct dirent *de;
	int n = 0;
	size_t k;
	DIR *d;

	*caps = 0;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] == '.' || atoi(de->d_name) == pid)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/status", pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		n++;
		while (fgets(line, sizeof(line), f))
			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				if (!strncmp(line, keys[k], strlen(keys[k])))
					*caps |= strtoull(line + strlen(keys[k]), NULL, 16);
		fclose(f);
	}
	closedir(d);
	return n;
}

static void test_rl__env_capabilities_dropped(void **state)
{
	unsigned long long thread_caps;
	int threads;
	struct run r;
	char script[256];
	long long eff, prm, bnd;
	int status;
	pid_t pid;
	char *argv[] = { ps_exe,  S("trace"), S("-q"), S("--no-summary"), S("--"), S("/bin/sh"),
			 S("-c"), script,     NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	io.err = r.err;
	/* the command starts after the drop: once the marker exists, the drop is done */
	snprintf(script, sizeof(script), "echo > %s; sleep 1", r.marker);
	pid = spawn(argv, &io);
	wait_for_line(r.marker, pid, 30);
	eff = proc_status(pid, "CapEff:", 16);
	prm = proc_status(pid, "CapPrm:", 16);
	bnd = proc_status(pid, "CapBnd:", 16);
	/* capabilities belong to each thread: procscope's other threads keep no more */
	threads = other_threads_caps(pid, &thread_caps);
	status = wait_bounded(pid, 30, "trace of sleep 1");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	fprintf(stderr, "# capabilities while tracing: CapEff %llx CapPrm %llx CapBnd %llx\n", eff,
		prm, bnd);
	assert_int_equal(eff, 0xe);
	assert_int_equal(prm, 0xe);
	assert_int_equal(bnd, 0xe);
	fprintf(stderr, "# %d other threads, their capabilities OR'ed: %llx\n", threads,
		thread_caps);
	assert_true(threads >= 1); /* the drain thread */
	assert_int_equal(thread_caps & ~0xeull, 0);
}

/* 8a. -o onto a symlink is refused; nothing is written through it, the command does not run */
static void test_rl__output_symlink_refused(void **state)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		struct run r;
		char link[160], target[160], needle[256], *content;
		struct stat st;
		int status;
		char *argv[] = { ps_exe,  S("trace"), S("-q"), S("--no-summary"),
				 S("-o"), link,	      S("--"), S("/usr/bin/touch"),
				 NULL,	  NULL };
		struct io io = { .out_fd = -1 };

		run_setup(&r);
		snprintf(link, sizeof(link), "%s/link.jsonl", r.dir);
		snprintf(target, sizeof(target), "%s/%s", r.dir, i ? "precious" : "absent");
		if (i) {
			FILE *f = fopen(target, "w");

			assert_non_null(f);
			fputs("precious\n", f);
			fclose(f);
			assert_int_equal(chmod(target, 0644), 0);
		}
		assert_int_equal(symlink(target, link), 0);
		argv[8] = r.marker;
		io.err = r.err;
		status = wait_bounded(spawn(argv, &io), 30, "-o onto a symlink");
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 1);
		snprintf(needle, sizeof(needle), "failed to create '%s'", link);
		assert_one_line_error(r.err, needle);
		assert_false(file_exists(r.marker));
		if (i) {
			content = integ_slurp(target, NULL);
			assert_string_equal(content, "precious\n");
			free(content);
			assert_int_equal(stat(target, &st), 0);
			assert_int_equal(st.st_mode & 07777, 0644);
		} else {
			assert_false(file_exists(target));
		}
		rl_teardown(NULL);
	}
}

/* 8b. A created log is 0600 whatever the umask */
static void test_rl__output_mode_0600(void **state)
{
	struct run r;
	struct stat st;
	int status;
	char *argv[] = { ps_exe,  S("trace"),	  S("-q"), S("--no-summary"), S("-o"), NULL,
			 S("--"), S("/bin/true"), NULL };
	struct io io = { .out_fd = -1, .umask0 = true };

	run_setup(&r);
	argv[5] = r.log;
	io.err = r.err;
	status = wait_bounded(spawn(argv, &io), 30, "trace -o");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(stat(r.log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
}

/* 8c. The log's fd is close-on-exec in procscope, and the command holds no fd of procscope's */
static void test_rl__output_fd_not_inherited(void **state)
{
	struct run r;
	char go[160], dir[64], path[320], target[PATH_MAX], line[256], *list, *l, *save = NULL;
	bool have[3] = { false }, log_fd = false;
	struct dirent *de;
	DIR *d;
	int status;
	pid_t pid;
	char *argv[] = { ps_exe,   S("trace"), S("-q"), S("--no-summary"),
			 S("-o"),  NULL,       S("--"), self_exe,
			 S("fds"), NULL,       NULL,	NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	snprintf(go, sizeof(go), "%s/go", r.dir);
	argv[5] = r.log;
	argv[9] = r.file;
	argv[10] = go;
	io.err = r.err;
	pid = spawn(argv, &io);
	wait_for_line(r.file, pid, 30);
	/* procscope's own fd on the log: O_CLOEXEC in its flags */
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d))) {
		ssize_t n;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, r.log))
			continue;
		log_fd = true;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, de->d_name);
		f = fopen(path, "re");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "flags:", 6))
				assert_true(strtoul(line + 6, NULL, 8) & O_CLOEXEC);
		fclose(f);
	}
	closedir(d);
	assert_true(log_fd);
	close(open(go, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	status = wait_bounded(pid, 30, "trace of the fd lister");
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the command's fds: 0, 1, 2, and nothing of procscope's (log, BPF objects, pipes) */
	list = integ_slurp(r.file, NULL);
	for (l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		int fd = atoi(l);

		if (fd >= 0 && fd < 3) {
			have[fd] = true;
			continue;
		}
		fail_msg("the command inherited fd <%s>", l);
	}
	free(list);
	assert_true(have[0] && have[1] && have[2]);
}

/*
 * 9. `procscope trace --live - -o LOG | head -1`: once the reader is gone, procscope stops by itself,
 * quietly, with status 0 and a complete log. (Something must happen on the system for it to
 * write again and notice: a child forks now and then, as any live system does.)
 */
static void test_rl__stdout_closed_stops(void **state)
{
	struct run r;
	struct integ_log log;
	char first[256];
	size_t n = 0;
	double t0, t_first;
	int pfd[2], status;
	pid_t pid, busy;
	char *argv[] = { ps_exe, S("trace"), S("--live"), S("-"), S("-o"), NULL, NULL };
	struct io io = { .out_fd = -1 };

	run_setup(&r);
	argv[5] = r.log;
	io.err = r.err;
	busy = fork();
	assert_true(busy >= 0);
	if (busy == 0) {
		int i;

		for (i = 0; i < 1000; i++) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			waitpid(c, NULL, 0);
			usleep(20000);
		}
		_exit(0);
	}
	kid_add(busy);
	assert_int_equal(pipe(pfd), 0);
	io.out_fd = pfd[1];
	pid = spawn(argv, &io);
	close(pfd[1]);
	/* head -1 */
	for (t0 = now_s(); n < sizeof(first) - 1;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };

		if (now_s() - t0 > 30)
			fail_msg("no first line within 30 s");
		if (poll(&p, 1, 100) <= 0)
			continue;
		assert_int_equal(read(pfd[0], first + n, 1), 1);
		if (first[n++] == '\n')
			break;
	}
	first[n] = '\0';
	close(pfd[0]);
	t_first = now_s();
	assert_int_equal(strncmp(first, "TIME(s)", 7), 0);
	status = wait_bounded(pid, STDOUT_CLOSED_STOP_S, "procscope after its reader went away");
	fprintf(stderr, "# stdout closed: procscope stopped %.0f ms after the first line\n",
		(now_s() - t_first) * 1000);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_no_error_lines(r.err);
	integ_load(r.log, &log);
	assert_int_equal(log.bad_lines, 0);
	assert_false(integ_bool(trailer(&log), "interrupted"));
	integ_free(&log);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rl__lost_accounting_exact, rl_teardown),
		cmocka_unit_test_teardown(test_rl__stalled_reader_bounded_memory, rl_teardown),
		cmocka_unit_test_teardown(test_rl__queue_bound_loss_exact, rl_teardown),
#if RL_REQUIRE_SELF_STOP
		cmocka_unit_test_teardown(test_rl__lost_end_does_not_hang, rl_teardown),
#endif
		cmocka_unit_test_teardown(test_rl__long_run_bounded_memory, rl_teardown),
		cmocka_unit_test_teardown(test_rl__signals_stop_cleanly, rl_teardown),
		cmocka_unit_test_teardown(test_rl__sigkill_leaves_nothing_attached, rl_teardown),
		cmocka_unit_test_teardown(test_rl__two_instances, rl_teardown),
		cmocka_unit_test_teardown(test_rl__disk_full, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_not_root, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_no_btf, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_tracepoint_missing, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_essential_tracepoint_missing, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_pid_missing, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_pid_exits_during_startup, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_pid_inside_exit_at_start, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_command_not_executable, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_unknown_user, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_user_nobody, rl_teardown),
		cmocka_unit_test_teardown(test_rl__env_capabilities_dropped, rl_teardown),
		cmocka_unit_test_teardown(test_rl__output_symlink_refused, rl_teardown),
		cmocka_unit_test_teardown(test_rl__output_mode_0600, rl_teardown),
		cmocka_unit_test_teardown(test_rl__output_fd_not_inherited, rl_teardown),
		cmocka_unit_test_teardown(test_rl__stdout_closed_stops, rl_teardown),
	};

	if (argc > 1 && !strcmp(argv[1], "burst"))
		return burst_main(argc, argv);
	if (argc > 1 && (!strcmp(argv[1], "storm") || !strcmp(argv[1], "stormuntil")))
		return storm_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "straggler"))
		return straggler_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "tree"))
		return tree_main(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "fds"))
		return fds_main(argc, argv);
	if (!integ_can_trace()) {
		fprintf(stderr, "test_reliability: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	if (!realpath("/proc/self/exe", self_exe) || !realpath(integ_procscope(), ps_exe)) {
		fprintf(stderr, "test_reliability: cannot resolve %s\n", integ_procscope());
		return 1;
	}
	if (getenv("RL_FILTER")) /* e.g. RL_FILTER='*disk*': run only the matching tests */
		cmocka_set_test_filter(getenv("RL_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
