// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Shared demo helpers (demo_util.h). Every wait is bounded: a demo fails with a message, it never
 * hangs a test run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include "demo_util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

long long demo_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long demo_deadline_in(int ms)
{
	return demo_now_ns() + ms * 1000000LL;
}

int demo_ms_left(long long deadline)
{
	long long left = deadline - demo_now_ns();

	return left > 0 ? (int)((left + 999999) / 1000000) : 0;
}

void demo_sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void demo_narrate(const struct run *r, const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	size_t o = 0, room;
	ssize_t w;
	va_list ap;
	int n;

	if (r->ctx->quiet)
		return;
	if (r->ctx->narrate_fd >= 0) {
		/* now, after what the line says happened: the tracer prints it after those events */
		clock_gettime(CLOCK_BOOTTIME, &ts);
		o = (size_t)snprintf(line, sizeof(line), "%llu ",
				     (unsigned long long)ts.tv_sec * 1000000000ull +
					     (unsigned long long)ts.tv_nsec);
	}
	o += (size_t)snprintf(line + o, sizeof(line) - o, "%.64s: ", r->demo);
	room = sizeof(line) - 1 - o; /* the newline's byte stays free */
	va_start(ap, fmt);
	n = vsnprintf(line + o, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o += (size_t)n < room ? (size_t)n : room - 1;
	line[o++] = '\n';
	/* one write() per line: lines of concurrent processes stay whole (a pipe: PIPE_BUF) */
	do
		w = write(r->ctx->narrate_fd >= 0 ? r->ctx->narrate_fd : STDOUT_FILENO, line, o);
	while (w < 0 && errno == EINTR);
}

/* Print "demo NAME (pid N): what: strerror" on stderr; returns err (a -errno) */
int demo_fail(const struct run *r, int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "procscope: demo %s (pid %d): ", r->demo, getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(-err));
	return err;
}

const char *demo_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "has raw status 0x%x", status);
	return buf;
}

/* want: the raw wait status expected, e.g. 3 << 8 for exit(3), SIGTERM for a SIGTERM death */
int demo_check_status(const struct run *r, pid_t pid, int status, int want)
{
	char got[64], wanted[64];

	if (status == want)
		return 0;
	fprintf(stderr, "procscope: demo %s: process %d should have %s but %s\n", r->demo, pid,
		demo_describe_status(want, wanted, sizeof(wanted)),
		demo_describe_status(status, got, sizeof(got)));
	return -EPROTO;
}

int demo_poll_readable(int fd, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret;

	do
		ret = poll(&pfd, 1, demo_ms_left(deadline));
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret ? 0 : -ETIMEDOUT;
}

/* Read until every writer of the pipe is gone */
int demo_await_eof(int fd)
{
	long long deadline = demo_deadline_in(TIMEOUT_MS);
	char buf[64];
	ssize_t n;
	int err;

	for (;;) {
		err = demo_poll_readable(fd, deadline);
		if (err)
			return err;
		n = read(fd, buf, sizeof(buf));
		if (n == 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* A pid on a pipe: 4 bytes, written and read whole (an empty pipe never blocks the writer) */
int demo_write_pid(int fd, pid_t pid)
{
	ssize_t n = write(fd, &pid, sizeof(pid));

	return n == sizeof(pid) ? 0 : n < 0 ? -errno : -EIO;
}

int demo_read_pid(int fd, pid_t *pid)
{
	int err = demo_poll_readable(fd, demo_deadline_in(TIMEOUT_MS));
	ssize_t n = err ? 0 : read(fd, pid, sizeof(*pid));

	if (err)
		return err;
	return n == sizeof(*pid) ? 0 : n < 0 ? -errno : -EPIPE;
}

/*
 * Wait until pid has exited (zombie or reaped) without reaping it. A pidfd works for any
 * process, not only our children, and polls readable as soon as the process has exited.
 */
int demo_await_exit(pid_t pid)
{
	int err, pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (pidfd < 0)
		return errno == ESRCH ? 0 : -errno;
	err = demo_poll_readable(pidfd, demo_deadline_in(TIMEOUT_MS));
	close(pidfd);
	return err;
}

void demo_record_exit(const struct run *r, int code)
{
	demo_truth(r->ctx, "{\"demo\":\"%s\",\"kind\":\"exit\",\"pid\":%d,\"code\":%d}", r->demo,
		   getpid(), code);
}

/* A reap by us; a process killed by a signal could not write its own exit record */
void demo_record_wait(const struct run *r, pid_t pid, int status)
{
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"wait\",\"waiter\":%d,\"pid\":%d,\"status\":%d}",
		   r->demo, getpid(), pid, status);
	if (WIFSIGNALED(status))
		demo_truth(r->ctx, "{\"demo\":\"%s\",\"kind\":\"exit\",\"pid\":%d,\"signal\":%d}",
			   r->demo, pid, WTERMSIG(status));
}

void demo_kill_and_reap(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * fork() a child that records itself, runs fn and _exit()s with its return value. The parent
 * waits until the child's "proc" record is written, so that record names the real parent even
 * when the parent exits right away (orphan, daemon). Returns the child's pid or -errno.
 */
pid_t demo_spawn(const struct run *r, const char *role, child_fn fn, void *arg)
{
	pid_t pid, parent = getpid();
	int ready[2], code, err;

	if (pipe2(ready, O_CLOEXEC) < 0)
		return demo_fail(r, -errno, "pipe2");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = demo_fail(r, -errno, "fork");
		close(ready[0]);
		close(ready[1]);
		return err;
	}
	if (pid == 0) {
		close(ready[0]);
		/* named after its role, so the trace reads as a story rather than a list of pids */
		prctl(PR_SET_NAME, role, 0, 0, 0);
		demo_truth(
			r->ctx,
			"{\"demo\":\"%s\",\"kind\":\"proc\",\"pid\":%d,\"ppid\":%d,\"role\":\"%s\"}",
			r->demo, getpid(), getppid(), role);
		close(ready[1]);
		code = fn(r, parent, arg);
		demo_record_exit(r, code);
		_exit(code);
	}
	close(ready[1]);
	demo_truth(r->ctx, "{\"demo\":\"%s\",\"kind\":\"fork\",\"parent\":%d,\"child\":%d}",
		   r->demo, parent, pid);
	err = demo_await_eof(ready[0]);
	close(ready[0]);
	if (err) {
		demo_kill_and_reap(pid);
		return demo_fail(r, err, "child %d (%s) did not start", pid, role);
	}
	return pid;
}

/* Wait for child pid to exit, reap it, record the wait (and the signal, if it died of one) */
int demo_reap(const struct run *r, pid_t pid, int *status)
{
	int st, err = demo_await_exit(pid);
	pid_t ret;

	if (err) {
		demo_kill_and_reap(pid);
		return demo_fail(r, err, "waiting for child %d to exit (killed it)", pid);
	}
	do
		ret = waitpid(pid, &st, 0);
	while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return demo_fail(r, -errno, "waitpid(%d)", pid);
	demo_record_wait(r, pid, st);
	*status = st;
	return 0;
}

int demo_reap_expect(const struct run *r, pid_t pid, int want)
{
	int status = 0, err = demo_reap(r, pid, &status);

	return err ? err : demo_check_status(r, pid, status, want);
}

unsigned long long demo_fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long long)st.st_ino;
}
