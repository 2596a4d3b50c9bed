/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command procscope starts: forked before anything is loaded and held on a pipe until the
 * trace is attached, then released to exec (as USER with -u), reaped the moment it exits, and
 * its status passed on. The hold and the reap are procscope's, never the command's.
 */
#ifndef __PSC_LAUNCH_H
#define __PSC_LAUNCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>
#include "trace.h"

struct launch {
	pid_t pid; /* the held child; 0 = none */
	int go_fd; /* write end: one byte releases the held child */
	int exec_err_fd; /* read end: errno from a failed exec, EOF on success */
	bool reaped; /* launch_reap() saw the reaper's result */
	int status; /* wait status, once reaped */
	gid_t *groups; /* -u USER's supplementary groups, looked up before the fork */
	int ngroups;
	pthread_t reaper; /* blocks in waitpid(): the command is reaped the moment it exits */
	bool reaper_on;
	atomic_bool reaper_done; /* set by the reaper after status */
	int exec_errno; /* the exec (or the switch to -u USER) failed with this */
	bool stdout_to_stderr; /* set before launch_start(): a document owns procscope's stdout */
};

/* The shells' status for a command that did not run: 127 not found, 126 found but not runnable */
int launch_exec_failure_status(int err);

/* execvp()'s lookup, done early so a typo fails before any BPF is loaded. 0 or -errno. */
int launch_check_executable(const char *file);

/*
 * Fork the held child for @argv; it waits for launch_release(). @u (or NULL) is resolved
 * already: the child only switches ids. 0 or -errno.
 */
int launch_start(struct launch *l, char *const argv[], const struct trace_user *u);

/*
 * Let the held child exec, and start reaping it: a thread waits for it, so it is reaped the
 * moment it exits, not at procscope's next poll (that delay would show as the command's zombie
 * time). Reports (on stderr) and records a failed exec.
 */
void launch_release(struct launch *l, char *const argv[], const struct trace_user *u);

/* Has the command been reaped (by the reaper thread)? Never waits. */
bool launch_reap(struct launch *l);

/*
 * The exit status procscope passes on: the command's code, 126 or 127 if it could not run
 * (launch_exec_failure_status()); killed by a
 * signal: procscope kills itself with it (as strace does), or returns 128 + the signal.
 */
int launch_exit_status(const struct launch *l);

/*
 * A child never released sees EOF on its pipe and exits without running anything: wait for it.
 * Stop the reaper of a command that runs on (stopped by -d or a signal).
 */
void launch_cleanup(struct launch *l);

#endif /* __PSC_LAUNCH_H */
