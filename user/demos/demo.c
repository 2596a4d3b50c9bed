// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The demo table, demo_main() and the ground-truth writer shared by every demo group, plus the
 * "proc" group: fork, orphan, zombie and daemon process trees.
 */
#include "demo.h"
#include "demo_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Adopters outside the demo (init, a container's pid 1) may reap late or never: wait briefly */
#define REAP_GRACE_MS 200
#define PPID_POLL_MS 5
#define ZOMBIE_HOLD_MS 300
#define UNREAPED_LIFE_MS 100
#define DAEMON_WORK_MS 100
#define TRUTH_LINE_MAX 512

/* ---- /proc ---- */

/* Read /proc/PID/FILE into buf as a string; NULL if pid is gone */
static char *read_proc(pid_t pid, const char *file, char *buf, size_t len)
{
	ssize_t n = -1;
	int fd;

	snprintf(buf, len, "/proc/%d/%s", pid, file);
	fd = open(buf, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static const char *proc_comm(pid_t pid, char *buf, size_t len)
{
	if (!read_proc(pid, "comm", buf, len))
		return "?";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* The state letter of /proc/PID/stat: 'Z' for a zombie, '?' if pid is gone */
static char proc_state(pid_t pid)
{
	char buf[512];
	/* comm may contain ')' and spaces: the state follows the last one */
	const char *paren = read_proc(pid, "stat", buf, sizeof(buf)) ? strrchr(buf, ')') : NULL;

	return paren && paren[1] == ' ' && paren[2] ? paren[2] : '?';
}

/* ---- bounded waiting ---- */

/* Poll getppid() until it is no longer old: the kernel reparents an orphan when its parent exits */
static int await_new_parent(pid_t old, pid_t *adopter)
{
	long long deadline = demo_deadline_in(TIMEOUT_MS);
	pid_t ppid;

	while ((ppid = getppid()) == old) {
		if (demo_now_ns() >= deadline)
			return -ETIMEDOUT;
		demo_sleep_ms(PPID_POLL_MS);
	}
	*adopter = ppid;
	return 0;
}

/* Best effort, for pids reparented outside the demo: a zombie still answers kill(pid, 0) */
static bool await_reaped(pid_t pid)
{
	long long deadline = demo_deadline_in(REAP_GRACE_MS);

	while (kill(pid, 0) == 0 || errno != ESRCH) {
		if (demo_now_ns() >= deadline)
			return false;
		demo_sleep_ms(2);
	}
	return true;
}

/* ---- fork and wait, with their records ---- */

/*
 * Spawn a child that gets the write end of a new pipe as its arg, and reap it (expecting exit 0).
 * Returns its pid with *rd the read end, or -errno.
 */
static pid_t spawn_and_reap_piped(const struct run *r, const char *role, child_fn fn, int *rd)
{
	int fds[2], err;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return demo_fail(r, -errno, "pipe2");
	pid = demo_spawn(r, role, fn, INT_ARG(fds[1]));
	close(fds[1]);
	err = pid < 0 ? pid : demo_reap_expect(r, pid, 0);
	if (err) {
		close(fds[0]);
		return err;
	}
	*rd = fds[0];
	return pid;
}

/*
 * A descendant we cannot waitpid() (it is not our child) sends its pid on fd and holds fd open
 * until it exits. Wait for that, then give its adopter a moment to reap it.
 */
static int follow_descendant(const struct run *r, int fd, pid_t *pid)
{
	int err, st;

	err = demo_read_pid(fd, pid);
	if (err)
		return demo_fail(r, err, "no pid from the descendant");
	err = demo_await_eof(fd);
	if (!err)
		err = demo_await_exit(*pid);
	if (err)
		return demo_fail(r, err, "waiting for descendant %d to exit", *pid);
	/* when we are a subreaper ourselves, the orphan is ours to reap */
	if (waitpid(*pid, &st, WNOHANG) == *pid) {
		demo_record_wait(r, *pid, st);
		demo_narrate(r, "%d exited; root %d is a subreaper, so it adopted and reaped it",
			     *pid, getpid());
	} else if (await_reaped(*pid)) {
		demo_narrate(r, "%d exited and was reaped by its adopter, not by root %d", *pid,
			     getpid());
	} else {
		demo_narrate(r, "%d exited but its adopter has not reaped it yet (state %c)", *pid,
			     proc_state(*pid));
	}
	return 0;
}

/* ---- children shared by the demos ---- */

static int leaf(const struct run *r, pid_t parent, void *arg)
{
	demo_narrate(r, "%d (child of %d) exits with code %d", getpid(), parent, ARG_INT(arg));
	return ARG_INT(arg);
}

/* arg: a pipe to send our pid on */
static int orphan(const struct run *r, pid_t parent, void *arg)
{
	char comm[32];
	pid_t adopter;
	int err;

	err = demo_write_pid(ARG_INT(arg), getpid());
	if (!err)
		err = await_new_parent(parent, &adopter);
	if (err) {
		demo_fail(r, err, "waiting for parent %d to exit", parent);
		return 1;
	}
	demo_truth(
		r->ctx,
		"{\"demo\":\"%s\",\"kind\":\"orphan\",\"pid\":%d,\"old_ppid\":%d,\"new_ppid\":%d}",
		r->demo, getpid(), parent, adopter);
	demo_narrate(r, "%d lost its parent %d and was adopted by %d (%s)", getpid(), parent,
		     adopter, proc_comm(adopter, comm, sizeof(comm)));
	return 0;
}

static int orphan_parent(const struct run *r, pid_t parent, void *arg)
{
	pid_t child = demo_spawn(r, "orphan", orphan, arg);

	if (child < 0)
		return 1;
	demo_narrate(r, "parent %d forked %d and exits at once, without waiting for it", getpid(),
		     child);
	return 0;
}

/* ---- fork ---- */

static int fork_middle(const struct run *r, pid_t parent, void *arg)
{
	pid_t grandchild = demo_spawn(r, "grandchild", leaf, INT_ARG(5));

	if (grandchild < 0)
		return 1;
	demo_narrate(r, "child %d forked grandchild %d: a child can be a parent too", getpid(),
		     grandchild);
	if (demo_reap_expect(r, grandchild, 5 << 8))
		return 1;
	demo_narrate(r, "child %d reaped grandchild %d, then exits with code 3", getpid(),
		     grandchild);
	return 3;
}

static int fork_killed(const struct run *r, pid_t parent, void *arg)
{
	sigset_t set;

	/* the default action (terminate, no core) must apply even if our caller changed it */
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	demo_narrate(r, "%d (child of %d) sends itself SIGTERM: it dies without calling exit()",
		     getpid(), parent);
	raise(SIGTERM);
	return 1;
}

static int run_fork(const struct demo_ctx *ctx)
{
	const struct run r = { ctx, "fork" };
	const struct {
		child_fn fn;
		void *arg;
		int want; /* raw wait status */
	} kids[3] = {
		{ fork_middle, NULL, 3 << 8 },
		{ leaf, INT_ARG(4), 4 << 8 },
		{ fork_killed, NULL, SIGTERM },
	};
	pid_t pids[3];
	char how[64];
	int i, st;
	bool ok = true;

	for (i = 0; i < 3; i++) {
		pids[i] = demo_spawn(&r, "child", kids[i].fn, kids[i].arg);
		if (pids[i] > 0)
			demo_narrate(
				&r,
				"parent %d forked child %d: both run on from the same fork() call",
				getpid(), pids[i]);
	}
	for (i = 0; i < 3; i++) {
		if (pids[i] < 0 || demo_reap(&r, pids[i], &st)) {
			ok = false;
			continue;
		}
		demo_narrate(&r, "parent %d reaped child %d, which %s (raw wait status 0x%04x)",
			     getpid(), pids[i], demo_describe_status(st, how, sizeof(how)), st);
		ok = !demo_check_status(&r, pids[i], st, kids[i].want) && ok;
	}
	return ok ? 0 : 1;
}

/* ---- orphan ---- */

static int subreaper(const struct run *r, pid_t parent, void *arg)
{
	pid_t mid, adopted;
	int fd = -1, err;

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		demo_fail(r, -errno, "prctl(PR_SET_CHILD_SUBREAPER)");
		return 1;
	}
	demo_narrate(r, "%d is now a child subreaper: orphans below it come to it, not to init",
		     getpid());
	/* once the parent is reaped, its orphan has been reparented: it is our child now */
	mid = spawn_and_reap_piped(r, "parent", orphan_parent, &fd);
	if (mid < 0)
		return 1;
	err = demo_read_pid(fd, &adopted);
	close(fd);
	if (err)
		demo_fail(r, err, "no pid from the orphan");
	else
		err = demo_reap_expect(r, adopted, 0);
	if (err)
		return 1;
	demo_narrate(r, "subreaper %d reaped %d, an orphan it never forked", getpid(), adopted);
	return 0;
}

static int run_orphan(const struct demo_ctx *ctx)
{
	const struct run r = { ctx, "orphan" };
	pid_t parent, child, sub;
	int fd = -1, err;

	parent = spawn_and_reap_piped(&r, "parent", orphan_parent, &fd);
	err = parent < 0 ? parent : 0;
	if (!err) {
		demo_narrate(&r, "root %d reaped parent %d; its child lives on as an orphan",
			     getpid(), parent);
		err = follow_descendant(&r, fd, &child);
		close(fd);
	}
	sub = demo_spawn(&r, "subreaper", subreaper, NULL);
	if (sub < 0 || demo_reap_expect(&r, sub, 0))
		err = -EPROTO;
	return err ? 1 : 0;
}

/* ---- zombie ---- */

static int zombie_held(const struct run *r)
{
	long long exited, held_ms;
	siginfo_t si;
	pid_t zombie = demo_spawn(r, "zombie", leaf, INT_ARG(7));
	int err, status;

	if (zombie < 0)
		return zombie;
	err = demo_await_exit(zombie);
	memset(&si, 0, sizeof(si));
	/* WNOWAIT: learn that it exited and how, but leave it a zombie */
	if (!err && waitid(P_PID, zombie, &si, WEXITED | WNOWAIT) < 0)
		err = -errno;
	if (err) {
		demo_kill_and_reap(zombie);
		return demo_fail(r, err, "waiting for child %d to exit", zombie);
	}
	exited = demo_now_ns();
	status = si.si_code == CLD_EXITED ? si.si_status << 8 : si.si_status;
	demo_narrate(r, "child %d exited, parent %d holds it for %d ms before reaping", zombie,
		     getpid(), ZOMBIE_HOLD_MS);
	demo_narrate(
		r, "zombie %d is in state %c: only its pid and exit status remain, for the parent",
		zombie, proc_state(zombie));
	demo_sleep_ms(ZOMBIE_HOLD_MS);
	err = demo_reap_expect(r, zombie, 7 << 8);
	held_ms = (demo_now_ns() - exited + 500000) / 1000000;
	if (err)
		return err;
	demo_truth(
		r->ctx,
		"{\"demo\":\"%s\",\"kind\":\"zombie\",\"pid\":%d,\"parent\":%d,\"held_ms\":%lld,\"status\":%d}",
		r->demo, zombie, getpid(), held_ms, status);
	demo_narrate(r, "parent %d reaped %d after %lld ms: its pid is free again", getpid(),
		     zombie, held_ms);
	return 0;
}

/* arg: a pipe to send the unreaped child's pid on */
static int neglectful_parent(const struct run *r, pid_t parent, void *arg)
{
	pid_t child = demo_spawn(r, "unreaped", leaf, INT_ARG(0));
	int err;

	if (child < 0)
		return 1;
	demo_truth(r->ctx, "{\"demo\":\"%s\",\"kind\":\"unreaped\",\"pid\":%d,\"parent\":%d}",
		   r->demo, child, getpid());
	err = demo_write_pid(ARG_INT(arg), child);
	if (!err)
		err = demo_await_exit(child);
	if (err) {
		demo_fail(r, err, "waiting for child %d to exit", child);
		return 1;
	}
	demo_narrate(
		r,
		"%d never calls wait(): its child %d stays a zombie (state %c) until it exits in %d ms",
		getpid(), child, proc_state(child), UNREAPED_LIFE_MS);
	demo_sleep_ms(UNREAPED_LIFE_MS);
	return 0;
}

static int zombie_unreaped(const struct run *r)
{
	pid_t parent, child;
	int fd = -1, err;

	parent = spawn_and_reap_piped(r, "parent", neglectful_parent, &fd);
	if (parent < 0)
		return parent;
	demo_narrate(r, "root %d reaped %d; the zombie it left behind was reparented", getpid(),
		     parent);
	/* the zombie is already dead: follow_descendant() only waits for its adopter to reap it */
	err = follow_descendant(r, fd, &child);
	close(fd);
	return err;
}

static int autoreaper(const struct run *r, pid_t parent, void *arg)
{
	long long deadline;
	pid_t child, ret;
	int status;

	/* SIGCHLD set to SIG_IGN (POSIX): the kernel reaps children as they exit, no zombies */
	signal(SIGCHLD, SIG_IGN);
	child = demo_spawn(r, "autoreaped", leaf, INT_ARG(0));
	if (child < 0)
		return 1;
	demo_truth(r->ctx, "{\"demo\":\"%s\",\"kind\":\"autoreap\",\"pid\":%d,\"parent\":%d}",
		   r->demo, child, getpid());
	/* WNOHANG: a blocking wait could miss the wakeup while the kernel is releasing the child */
	deadline = demo_deadline_in(TIMEOUT_MS);
	while ((ret = waitpid(child, &status, WNOHANG)) == 0 && demo_now_ns() < deadline)
		demo_sleep_ms(1);
	if (ret != -1 || errno != ECHILD) {
		demo_fail(r, ret ? -EPROTO : -ETIMEDOUT, "waitpid(%d) should fail with ECHILD",
			  child);
		return 1;
	}
	demo_narrate(
		r,
		"%d ignores SIGCHLD: the kernel reaped child %d at exit, its waitpid() gets ECHILD",
		getpid(), child);
	return 0;
}

static int run_zombie(const struct demo_ctx *ctx)
{
	const struct run r = { ctx, "zombie" };
	pid_t autoreap;
	bool ok;

	ok = !zombie_held(&r);
	ok = !zombie_unreaped(&r) && ok;
	autoreap = demo_spawn(&r, "parent", autoreaper, NULL);
	ok = autoreap > 0 && !demo_reap_expect(&r, autoreap, 0) && ok;
	return ok ? 0 : 1;
}

/* ---- daemon ---- */

/* arg: a pipe to send our pid on and to hold open until we exit */
static int daemon_work(const struct run *r, pid_t parent, void *arg)
{
	char comm[32];
	pid_t adopter;
	int err, devnull;

	err = demo_write_pid(ARG_INT(arg), getpid());
	if (!err)
		err = await_new_parent(parent, &adopter);
	if (err) {
		demo_fail(r, err, "waiting for the session leader %d to exit", parent);
		return 1;
	}
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"daemon\",\"pid\":%d,\"sid\":%d,\"ppid_after\":%d}",
		   r->demo, getpid(), getsid(0), adopter);
	demo_narrate(
		r,
		"daemon %d is in session %d but does not lead it: it can never get a controlling terminal",
		getpid(), getsid(0));
	demo_narrate(
		r,
		"daemon %d was adopted by %d (%s); it chdirs to /, points stdio at /dev/null, works %d ms",
		getpid(), adopter, proc_comm(adopter, comm, sizeof(comm)), DAEMON_WORK_MS);
	/* stay off the caller's mount, and hold no terminal or pipe of the caller's open */
	if (chdir("/") < 0) {
		demo_fail(r, -errno, "chdir(\"/\")");
		return 1;
	}
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		demo_fail(r, -errno, "/dev/null");
		return 1;
	}
	dup2(devnull, STDIN_FILENO);
	dup2(devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
	if (devnull > STDERR_FILENO)
		close(devnull);
	demo_sleep_ms(DAEMON_WORK_MS);
	return 0;
}

static int session_leader(const struct run *r, pid_t parent, void *arg)
{
	pid_t sid = setsid(), daemon_pid;

	if (sid < 0) {
		demo_fail(r, -errno, "setsid");
		return 1;
	}
	demo_narrate(r, "%d called setsid(): it leads new session %d, with no controlling terminal",
		     getpid(), sid);
	daemon_pid = demo_spawn(r, "daemon", daemon_work, arg);
	if (daemon_pid < 0)
		return 1;
	demo_narrate(r, "session leader %d forked %d and exits", getpid(), daemon_pid);
	return 0;
}

static int run_daemon(const struct demo_ctx *ctx)
{
	const struct run r = { ctx, "daemon" };
	pid_t leader, daemon_pid;
	int fd = -1, err;

	leader = spawn_and_reap_piped(&r, "session-leader", session_leader, &fd);
	if (leader < 0)
		return 1;
	demo_narrate(&r, "root %d reaped session leader %d and waits for the daemon's work to end",
		     getpid(), leader);
	err = follow_descendant(&r, fd, &daemon_pid);
	close(fd);
	return err ? 1 : 0;
}

/* ---- table, entry point, ground truth ---- */

static const struct demo demos[] = {
	{ "fork", "proc",
	  "a process tree: fork(), exit codes, a death by signal, waitpid() by parents", run_fork },
	{ "orphan", "proc", "a parent exits first: its child is adopted by init or by a subreaper",
	  run_orphan },
	{ "zombie", "proc",
	  "zombies: held 300 ms before reaping, never reaped, auto-reaped (SIG_IGN)", run_zombie },
	{ "daemon", "proc",
	  "classic double-fork daemon: setsid(), the session leader exits, adoption", run_daemon },
};

/* The other groups' demos live in their own files (weak: a group may be left out) */
extern const struct demo demo_io_table[] __attribute__((weak));
extern const struct demo demo_unix_table[] __attribute__((weak));
extern const struct demo demo_sched_table[] __attribute__((weak));

#define MAX_DEMOS 32

const struct demo *demo_table(size_t *n)
{
	static struct demo all[MAX_DEMOS];
	static size_t nall;
	const struct demo *more[] = { demo_io_table, demo_unix_table, demo_sched_table };
	const struct demo *d;
	size_t i;

	if (!nall) {
		for (i = 0; i < sizeof(demos) / sizeof(demos[0]); i++)
			all[nall++] = demos[i];
		for (i = 0; i < sizeof(more) / sizeof(more[0]); i++)
			for (d = more[i]; d && d->name && nall < MAX_DEMOS; d++)
				all[nall++] = *d;
	}
	*n = nall;
	return all;
}

const struct demo *demo_find(const char *name)
{
	const struct demo *all;
	size_t i, n;

	all = demo_table(&n);
	for (i = 0; name && i < n; i++)
		if (!strcmp(all[i].name, name))
			return &all[i];
	return NULL;
}

int demo_truth(const struct demo_ctx *ctx, const char *fmt, ...)
{
	char line[TRUTH_LINE_MAX];
	ssize_t n;
	va_list ap;
	int len;

	if (ctx->truth_fd < 0)
		return 0;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line) - 1) {
		fprintf(stderr, "procscope: ground-truth line too long: %.60s...\n", line);
		return -EMSGSIZE;
	}
	line[len++] = '\n';
	/* one write() to an O_APPEND file: each line lands whole, whichever process writes it */
	do
		n = write(ctx->truth_fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n == len)
		return 0;
	n = n < 0 ? -errno : -EIO;
	fprintf(stderr, "procscope: writing ground truth: %s\n", strerror((int)-n));
	return (int)n;
}

int demo_main(const char *name, const char *truth_path, bool quiet)
{
	const struct demo *d = demo_find(name);
	struct demo_ctx ctx = { .truth_fd = -1, .quiet = quiet, .narrate_fd = -1 };
	const char *narrate = getenv(DEMO_NARRATE_ENV);
	void (*old_sigchld)(int);
	char *end;
	long fd;
	int rc;

	if (!d) {
		fprintf(stderr, "procscope: unknown demo '%s' (see: procscope demo --list)\n",
			name ? name : "");
		return 1;
	}
	if (truth_path) {
		/* like every output: private, and never through a planted symlink */
		ctx.truth_fd = open(truth_path,
				    O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (ctx.truth_fd < 0) {
			fprintf(stderr, "procscope: %s: %s\n", truth_path, strerror(errno));
			return 1;
		}
	}
	if (narrate && *narrate) {
		fd = strtol(narrate, &end, 10);
		if (!*end && fd > STDERR_FILENO && fd < INT_MAX && fcntl((int)fd, F_GETFD) >= 0)
			ctx.narrate_fd = (int)fd;
	}
	/* an inherited SIG_IGN would make the kernel reap our children and every waitpid() fail */
	old_sigchld = signal(SIGCHLD, SIG_DFL);
	prctl(PR_SET_NAME, d->name, 0, 0, 0);
	demo_truth(&ctx,
		   "{\"demo\":\"%s\",\"kind\":\"proc\",\"pid\":%d,\"ppid\":%d,\"role\":\"root\"}",
		   d->name, getpid(), getppid());
	rc = d->run(&ctx) ? 1 : 0;
	demo_truth(&ctx, "{\"demo\":\"%s\",\"kind\":\"exit\",\"pid\":%d,\"code\":%d}", d->name,
		   getpid(), rc);
	demo_truth(&ctx, "{\"demo\":\"%s\",\"kind\":\"done\",\"pid\":%d}", d->name, getpid());
	if (ctx.truth_fd >= 0)
		close(ctx.truth_fd);
	if (old_sigchld != SIG_ERR)
		signal(SIGCHLD, old_sigchld);
	fflush(stdout);
	if (rc)
		fprintf(stderr, "procscope: demo %s failed\n", d->name);
	return rc;
}
