// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The command procscope starts: the held child, -u USER, reaping and the exit status passed
 * on. No tracing here: the session decides when to release and when to reap.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "format.h"
#include "launch.h"
#include "log.h"

int trace_parse_user(const char *s, struct trace_user *u)
{
	const struct passwd *pw;
	char *end;
	long v;

	memset(u, 0, sizeof(*u));
	errno = 0;
	v = strtol(s, &end, 10);
	if (end != s && !errno && v >= 0 && v <= INT32_MAX && (*end == '\0' || *end == ':')) {
		u->uid = (uid_t)v;
		pw = getpwuid(u->uid);
		u->gid = pw ? pw->pw_gid : (gid_t)v;
		if (*end == ':') {
			errno = 0;
			v = strtol(end + 1, &end, 10);
			if (errno || *end || v < 0 || v > INT32_MAX)
				return -EINVAL;
			u->gid = (gid_t)v;
		}
		return 0;
	}
	pw = getpwnam(s);
	if (!pw)
		return -ENOENT;
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	u->has_name = true;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	return 0;
}

int launch_check_executable(const char *file)
{
	const char *path = getenv("PATH");
	char buf[4096];
	int err = -ENOENT;

	if (!*file)
		return -ENOENT;
	if (strchr(file, '/'))
		return access(file, X_OK) ? -errno : 0;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", file);
		if (!access(buf, X_OK))
			return 0;
		if (errno == EACCES)
			err = -EACCES;
		path += n + (path[n] == ':');
	}
	return err;
}

/*
 * Run the command as @u (strace -u): supplementary groups first, then the gid, then the uid,
 * so no step needs privileges an earlier one gave up. Returns 0 or -1 with errno set.
 */
static int become_user(const struct launch *l, const struct trace_user *u)
{
	if (setgroups(u->has_name ? (size_t)l->ngroups : 0, l->groups))
		return -1;
	if (setgid(u->gid) || setuid(u->uid))
		return -1;
	return 0;
}

/*
 * -u USER's supplementary groups, looked up here, before the fork: in the held child the NSS
 * lookups (an nscd connect, files read) would be traced as the command's own.
 */
static int resolve_groups(struct launch *l, const struct trace_user *u)
{
	int n = 0;

	if (!u || !u->has_name)
		return 0;
	getgrouplist(u->name, u->gid, NULL, &n);
	if (n < 1)
		n = 1;
	l->groups = calloc((size_t)n, sizeof(*l->groups));
	if (!l->groups)
		return -ENOMEM;
	if (getgrouplist(u->name, u->gid, l->groups, &n) < 0)
		return -EINVAL;
	l->ngroups = n;
	return 0;
}
int launch_exec_failure_status(int err)
{
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

/* In the held child: wait for the go byte, then exec; never returns */
static void __attribute__((noreturn)) held_child(const struct launch *l, int go_fd, int err_fd,
						 char *const argv[], const struct trace_user *u)
{
	char c;
	ssize_t n;
	int e;

	do
		n = read(go_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127); /* the tracer gave up before attaching */
	signal(SIGPIPE, SIG_DFL);
	/* the document owns stdout: the command's output goes to stderr (docs/procscope.8) */
	if ((!l->stdout_to_stderr || dup2(STDERR_FILENO, STDOUT_FILENO) >= 0) &&
	    (!u || !become_user(l, u)))
		execvp(argv[0], argv);
	e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int launch_start(struct launch *l, char *const argv[], const struct trace_user *u)
{
	int go[2], ex[2], err;

	l->go_fd = l->exec_err_fd = -1;
	err = resolve_groups(l, u);
	if (err)
		return err;
	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(ex, O_CLOEXEC)) {
		err = -errno;
		close(go[0]), close(go[1]);
		return err;
	}
	fflush(NULL);
	l->pid = fork();
	if (l->pid < 0) {
		err = -errno;
		l->pid = 0;
		close(go[0]), close(go[1]), close(ex[0]), close(ex[1]);
		return err;
	}
	if (l->pid == 0) {
		close(go[1]);
		close(ex[0]);
		held_child(l, go[0], ex[1], argv, u);
	}
	close(go[0]);
	close(ex[1]);
	l->go_fd = go[1];
	l->exec_err_fd = ex[0];
	return 0;
}

static void *reaper_main(void *arg)
{
	struct launch *l = arg;
	int st;

	while (waitpid(l->pid, &st, 0) < 0)
		if (errno != EINTR)
			return NULL; /* not our child any more: nothing to report */
	l->status = st;
	atomic_store(&l->reaper_done, true);
	return NULL;
}

/* The reaper takes no signal: SIGINT and the rest go to the session's thread */
static void start_reaper(struct launch *l)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&l->reaper, NULL, reaper_main, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		psc_warn("failed to start the reaper thread: %s (reaping at each poll)",
			 strerror(err));
	l->reaper_on = !err;
}

void launch_release(struct launch *l, char *const argv[], const struct trace_user *u)
{
	ssize_t n;
	int e = 0;

	if (write(l->go_fd, "g", 1) != 1)
		psc_warn("failed to release the command: %s", strerror(errno));
	close(l->go_fd);
	l->go_fd = -1;
	do
		n = read(l->exec_err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(l->exec_err_fd);
	l->exec_err_fd = -1;
	start_reaper(l);
	if (n == (ssize_t)sizeof(e)) {
		l->exec_errno = e;
		if (u && e == EPERM)
			psc_err("failed to switch to user %u: %s", u->uid, strerror(e));
		else
			psc_err("failed to execute '%s': %s", argv[0], strerror(e));
	}
}

bool launch_reap(struct launch *l)
{
	int st;

	if (l->pid <= 0 || l->reaped)
		return l->reaped;
	if (l->reaper_on) {
		l->reaped = atomic_load(&l->reaper_done);
	} else if (waitpid(l->pid, &st, WNOHANG) == l->pid) {
		l->reaped = true;
		l->status = st;
	}
	return l->reaped;
}

int launch_exit_status(const struct launch *l)
{
	struct wstatus ws;
	char name[16];

	if (l->exec_errno)
		return launch_exec_failure_status(l->exec_errno);
	wstatus_decode((uint32_t)l->status, &ws);
	if (ws.exited)
		return ws.code;
	if (ws.signaled) {
		struct rlimit no_core = { 0, 0 };

		psc_info("command killed by %s%s", signal_name(ws.signal, name, sizeof(name)),
			 ws.core_dumped ? " (core dumped)" : "");
		fflush(NULL);
		setrlimit(RLIMIT_CORE, &no_core);
		signal(ws.signal, SIG_DFL);
		raise(ws.signal);
		return 128 + ws.signal;
	}
	return 1;
}

void launch_cleanup(struct launch *l)
{
	if (l->reaper_on) {
		/* a command that runs on (-d, a signal): its reaper waits forever */
		if (!atomic_load(&l->reaper_done))
			pthread_cancel(l->reaper);
		pthread_join(l->reaper, NULL);
		l->reaper_on = false;
	}
	free(l->groups);
	l->groups = NULL;
	if (l->go_fd >= 0) {
		close(l->go_fd);
		l->go_fd = -1;
		if (!l->reaped)
			waitpid(l->pid, NULL, 0);
	}
	if (l->exec_err_fd >= 0) {
		close(l->exec_err_fd);
		l->exec_err_fd = -1;
	}
}
