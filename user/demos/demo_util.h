/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Helpers every demo group shares: bounded waits, narration, failure messages, and spawning
 * children that record their ground truth (fork, proc, exit, wait records).
 */
#ifndef __PSC_DEMO_UTIL_H
#define __PSC_DEMO_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "demo.h"

/* Every wait for another process is bounded by this: a demo fails rather than hangs */
#define TIMEOUT_MS 2000

/* What every helper needs: where records and narration go, and the demo they belong to */
struct run {
	const struct demo_ctx *ctx;
	const char *demo;
};

/* A child's body; returns its exit code. parent: the forking process, even if it exited since. */
typedef int (*child_fn)(const struct run *r, pid_t parent, void *arg);

#define INT_ARG(v) ((void *)(intptr_t)(v))
#define ARG_INT(p) ((int)(intptr_t)(p))

/* The inode of @fd (fstat), 0 if it has none */
unsigned long long demo_fd_ino(int fd);
long long demo_now_ns(void); /* CLOCK_MONOTONIC */
long long demo_deadline_in(int ms);
int demo_ms_left(long long deadline);
void demo_sleep_ms(int ms);
/* A narration line on stdout (not when quiet), prefixed with the demo's name */
void demo_narrate(const struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Report a failure on stderr; returns @err (a negative errno) for chaining */
int demo_fail(const struct run *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *demo_describe_status(int status, char *buf, size_t len);
/* 0 if @status is @want, else a failure message and -1 */
int demo_check_status(const struct run *r, pid_t pid, int status, int want);
/* Wait for @fd to be readable before @deadline: 0, -ETIMEDOUT or -errno */
int demo_poll_readable(int fd, long long deadline);
/* Wait (bounded) until every writer of the pipe @fd closed it */
int demo_await_eof(int fd);
int demo_write_pid(int fd, pid_t pid);
int demo_read_pid(int fd, pid_t *pid);
/* Wait (bounded) until @pid, not necessarily our child, has exited */
int demo_await_exit(pid_t pid);
/* The ground-truth "exit" and "wait" records */
void demo_record_exit(const struct run *r, int code);
void demo_record_wait(const struct run *r, pid_t pid, int status);
void demo_kill_and_reap(pid_t pid);
/*
 * Fork a child named @role that runs @fn and _exit()s with its result; records "fork" here and
 * "proc" in the child, and returns once the child has written its "proc" record. Returns the
 * pid or -errno.
 */
pid_t demo_spawn(const struct run *r, const char *role, child_fn fn, void *arg);
/* waitpid() (bounded) and a "wait" record; 0 or -errno */
int demo_reap(const struct run *r, pid_t pid, int *status);
/* demo_reap() and check the status */
int demo_reap_expect(const struct run *r, pid_t pid, int want);

#endif /* __PSC_DEMO_UTIL_H */
