// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Scale, real BPF (#11): memory stays flat over 40k short processes that each use epoll, poll
 * and a unix socketpair, and a system-wide trace of a 100k-deep fork-and-exit chain costs no
 * more than a plain fork storm of the same count and loses nothing. Ground truth comes from the
 * workloads themselves (what they did, and procscope's RssAnon read by the command from /proc).
 * The suite re-executes itself as the workloads ("many", "chain", "storm" modes).
 * SCALE_MANY_N and SCALE_CHAIN_N change the counts (defaults 40000 and 100000); SCALE_FILTER
 * runs only some tests.
 */
#include <signal.h>
#include <time.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include "integ.h"

#define S(x) ((char *)(x))
#define MIB (1024L * 1024L)
#define MANY_N 40000
#define CHAIN_N 100000
/* RssAnon growth from a quarter of the run to its end (unbounded before #11: ~70 MiB) */
#define RSS_GROWTH_BOUND (4 * MIB)
#define JSON_SIZE_BOUND (8 * MIB) /* the summary JSON, all groups (30 MB for 40k before) */
#define CPU_RATIO_BOUND 2.0 /* the chain's procscope CPU over a plain storm's */
#define CPU_SLACK_S 0.3 /* the host's other processes are traced too: both runs see them */

static char self_exe[PATH_MAX];

static long env_n(const char *name, long def)
{
	const char *s = getenv(name);

	return s && atol(s) > 0 ? atol(s) : def;
}

/* ---------------------------------------------------------------- workloads (self re-exec) */

/* procscope's RssAnon in bytes, from /proc (-1 if unreadable) */
static long rss_anon(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "RssAnon: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/* One short process's work: epoll on an eventfd and a socket, a poll, a unix message */
static int one_process(void)
{
	struct epoll_event e = { .events = EPOLLIN }, out[4];
	struct pollfd p;
	int ep, ev, sv[2];
	char c = 'x';

	ep = epoll_create1(0);
	ev = eventfd(1, 0);
	if (ep < 0 || ev < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 1;
	e.data.fd = ev;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e))
		return 1;
	e.data.fd = sv[1];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &e))
		return 1;
	if (write(sv[0], &c, 1) != 1 || epoll_wait(ep, out, 4, 1000) != 2)
		return 1;
	p.fd = ev;
	p.events = POLLIN;
	if (poll(&p, 1, 0) != 1 || read(sv[1], &c, 1) != 1)
		return 1;
	return 0;
}

/*
 * many N FILE: N short processes one after the other; procscope's (the parent's) RssAnon after
 * a quarter and at the end, once it has caught up, go to FILE: "ppid RSS_QUARTER RSS_END FAILED".
 */
static int workload_many(long n, const char *path)
{
	long i, rss_q = -1, failed = 0;
	pid_t ppid = getppid();
	FILE *f;
	int st;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(one_process());
		if (waitpid(pid, &st, 0) != pid)
			return 1;
		failed += !WIFEXITED(st) || WEXITSTATUS(st);
		if (i + 1 == n / 4 || i + 1 == n) {
			usleep(500000); /* procscope drains what is in the ring */
			if (i + 1 == n / 4)
				rss_q = rss_anon(ppid);
		}
	}
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%d %ld %ld %ld\n", (int)ppid, rss_q, rss_anon(ppid), failed);
	return fclose(f) ? 1 : 0;
}

/* chain N: each process forks the next and exits; this one waits for the last to be gone */
static int workload_chain(long n)
{
	int fds[2];
	long i;
	char c;
	pid_t p;

	if (pipe(fds))
		return 1;
	p = fork();
	if (p < 0)
		return 1;
	if (p == 0) {
		close(fds[0]);
		for (i = 0; i < n; i++) {
			pid_t k = fork();

			if (k < 0) {
				usleep(1000); /* a full pid space: the links still exit */
				i--;
				continue;
			}
			if (k > 0)
				_exit(0);
		}
		_exit(0);
	}
	close(fds[1]);
	if (waitpid(p, NULL, 0) != p)
		return 1;
	/* every link holds the write end: EOF when the last one exited */
	while (read(fds[0], &c, 1) > 0)
		;
	return 0;
}

/* storm N: fork, the child exits, waitpid, N times */
static int workload_storm(long n)
{
	long i;
	int st;

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid)
			return 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- helpers */

static int exit_code_of(int status)
{
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

struct run {
	char dir[64];
	char json[128];
	char err[128];
	char truth[128];
};

static void run_setup(struct run *r)
{
	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->json, sizeof(r->json), "%s/summary.json", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	snprintf(r->truth, sizeof(r->truth), "%s/truth", r->dir);
}

static void run_cleanup(struct run *r)
{
	integ_rmtree(r->dir);
}

static json_object *load_json(const char *path, size_t *len)
{
	char *s = integ_slurp(path, len);
	json_object *o = json_tokener_parse(s);

	free(s);
	assert_non_null(o);
	return o;
}

/* The integer at a path of keys (ending with NULL) in @o; the test fails if it is missing */
static int64_t at(json_object *o, ...)
{
	json_object *v = o;
	const char *k;
	va_list ap;

	va_start(ap, o);
	while ((k = va_arg(ap, const char *)) != NULL)
		if (!json_object_object_get_ex(v, k, &v))
			fail_msg("no key '%s' in the summary", k);
	va_end(ap);
	return json_object_get_int64(v);
}

static size_t count_of(json_object *o, const char *group, const char *key)
{
	json_object *v = o;

	assert_true(json_object_object_get_ex(v, "groups", &v));
	assert_true(json_object_object_get_ex(v, group, &v));
	assert_true(json_object_object_get_ex(v, key, &v));
	return json_object_array_length(v);
}

/* ---------------------------------------------------------------- tests */

/* #11: 2.4 KB a process (epoll) and 0.6 KB (poll) were never freed; report's JSON was 42 MB */
static void test_scale__many_processes_flat_rss(void **state)
{
	long n = env_n("SCALE_MANY_N", MANY_N), rss_q, rss_end, failed;
	char nbuf[24];
	struct run r;
	json_object *j;
	size_t len;
	int ppid, st;
	FILE *f;

	run_setup(&r);
	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	{
		char *argv[] = { S(integ_procscope()),
				 S("trace"),
				 S("-q"),
				 S("--summary-json"),
				 r.json,
				 S("--"),
				 self_exe,
				 S("many"),
				 nbuf,
				 r.truth,
				 NULL };

		st = integ_run(argv, NULL, r.err);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "%s", integ_slurp(r.err, NULL));
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	f = fopen(r.truth, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d %ld %ld %ld", &ppid, &rss_q, &rss_end, &failed), 4);
	fclose(f);
	assert_int_equal(failed, 0);
	assert_true(rss_q > 0 && rss_end > 0);
	fprintf(stderr, "procscope RssAnon: %.1f MiB after %ld processes, %.1f MiB after %ld\n",
		(double)rss_q / MIB, n / 4, (double)rss_end / MIB, n);
	assert_true(rss_end - rss_q < RSS_GROWTH_BOUND);

	/* the summary: bounded rows, and the rest counted, adding up to what the workload did */
	j = load_json(r.json, &len);
	fprintf(stderr, "summary JSON: %zu bytes, lost %lld\n", len,
		(long long)at(j, "lost", "total", NULL));
	assert_true(len < JSON_SIZE_BOUND);
	assert_true(count_of(j, "epoll", "epoll_sets") <= 256);
	assert_true(count_of(j, "epoll", "poll_waits") <= 256);
	if (!at(j, "lost", "total", NULL)) {
		/* each process: one epoll set, one poll row, two sockets (the workload: none) */
		assert_int_equal((int64_t)count_of(j, "epoll", "epoll_sets") +
					 at(j, "groups", "epoll", "epoll_sets_omitted", "sets",
					    NULL),
				 n);
		assert_int_equal((int64_t)count_of(j, "epoll", "poll_waits") +
					 at(j, "groups", "epoll", "poll_waits_omitted", "rows",
					    NULL),
				 n);
		assert_int_equal(at(j, "groups", "epoll", "epoll_sets_omitted", "waits", NULL) +
					 (int64_t)count_of(j, "epoll", "epoll_sets"),
				 n);
		assert_int_equal(at(j, "groups", "unix", "counts", "sockets", NULL), 2 * n);
	}
	json_object_put(j);
	run_cleanup(&r);
}

/*
 * procscope system-wide (-q, the summary JSON to @json) around "self MODE N"; returns the
 * CPU seconds procscope used (read from /proc just before it is stopped), its lost events and
 * the events it applied (the workload's and the rest of the host's).
 */
static double system_wide(struct run *r, const char *mode, long n, int64_t *lost, int64_t *events)
{
	char nbuf[24], cmd[PATH_MAX + 64], line[512];
	char *argv[] = { S(integ_procscope()), S("trace"), S("-q"), S("-v"),
			 S("--summary-json"),  r->json,	   NULL };
	char *wl[] = { self_exe, S(mode), nbuf, NULL };
	unsigned long ut = 0, stt = 0;
	int st, i, attached = 0;
	json_object *j;
	pid_t ps;
	FILE *f;
	char *p;

	snprintf(nbuf, sizeof(nbuf), "%ld", n);
	f = fopen(r->err, "w"); /* there before procscope writes to it */
	assert_non_null(f);
	fclose(f);
	fflush(NULL);
	ps = fork();
	assert_true(ps >= 0);
	if (ps == 0) {
		int o = open("/dev/null", O_WRONLY), e = open(r->err, O_WRONLY | O_TRUNC);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(126);
	}
	/* from "attached in" on, every fork of the system is seen */
	for (i = 0; i < 300 && !attached; i++) {
		char *err = integ_slurp(r->err, NULL);

		attached = strstr(err, "attached in") != NULL;
		free(err);
		if (!attached)
			usleep(50000);
	}
	assert_true(attached);
	assert_int_equal(exit_code_of(integ_run(wl, NULL, NULL)), 0);
	usleep(500000); /* what is in the ring is drained */
	snprintf(cmd, sizeof(cmd), "/proc/%d/stat", (int)ps);
	f = fopen(cmd, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	p = strrchr(line, ')');
	assert_non_null(p);
	/* after ") S": fields 4..; utime and stime are 14 and 15 */
	assert_int_equal(
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt), 2);
	assert_int_equal(kill(ps, SIGINT), 0);
	assert_int_equal(waitpid(ps, &st, 0), ps);
	assert_int_equal(exit_code_of(st), 0);
	j = load_json(r->json, NULL);
	*lost = at(j, "lost", "total", NULL);
	*events = at(j, "events", "applied", NULL);
	json_object_put(j);
	return (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * #11: each fork of a fork-and-exit chain walked its ancestors and none could retire: a 100k
 * chain took 14.6 s of procscope CPU and lost 85,615 events, where a plain storm of the same
 * count took 0.7 s. Now the chain costs what the storm costs, per event: the host's other
 * processes are traced too, for as long as each workload runs, and a chain runs longer.
 */
static void test_scale__deep_chain_system_wide(void **state)
{
	long n = env_n("SCALE_CHAIN_N", CHAIN_N);
	int64_t lost_chain, lost_storm, ev_chain, ev_storm;
	double cpu_chain, cpu_storm, per_chain, per_storm;
	struct run r;

	run_setup(&r);
	cpu_chain = system_wide(&r, "chain", n, &lost_chain, &ev_chain);
	cpu_storm = system_wide(&r, "storm", n, &lost_storm, &ev_storm);
	per_chain = cpu_chain / (double)(ev_chain ? ev_chain : 1);
	per_storm = cpu_storm / (double)(ev_storm ? ev_storm : 1);
	fprintf(stderr,
		"procscope system-wide: %ld-deep chain %.2f s CPU for %lld events (%.2f us each), "
		"lost %lld; storm of %ld: %.2f s CPU for %lld events (%.2f us each), lost %lld\n",
		n, cpu_chain, (long long)ev_chain, per_chain * 1e6, (long long)lost_chain, n,
		cpu_storm, (long long)ev_storm, per_storm * 1e6, (long long)lost_storm);
	assert_int_equal(lost_chain, 0);
	/* the workload's forks were all seen: at least a fork, an exit and a reap per link */
	assert_true(ev_chain >= 3 * n);
	assert_true(per_chain <= CPU_RATIO_BOUND * per_storm + CPU_SLACK_S / (double)ev_chain);
	run_cleanup(&r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale__many_processes_flat_rss),
		cmocka_unit_test(test_scale__deep_chain_system_wide),
	};
	ssize_t k;

	if (argc > 2 && !strcmp(argv[1], "many"))
		return workload_many(atol(argv[2]), argc > 3 ? argv[3] : "/dev/null");
	if (argc > 2 && !strcmp(argv[1], "chain"))
		return workload_chain(atol(argv[2]));
	if (argc > 2 && !strcmp(argv[1], "storm"))
		return workload_storm(atol(argv[2]));
	k = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	if (k <= 0)
		return 1;
	self_exe[k] = '\0';
	if (!integ_can_trace()) {
		fprintf(stderr, "test_scale: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	if (getenv("SCALE_FILTER")) /* e.g. SCALE_FILTER='*chain*' */
		cmocka_set_test_filter(getenv("SCALE_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
