// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * forkstorm: the worst case for a process tracer. N times: fork(), the child _exit(0)s at once,
 * the parent waitpid()s it. Every iteration is one fork, one exit, one reap and one free for the
 * tracer, and almost no other work, so the tracer's per-event cost shows up undiluted.
 *
 * Usage: forkstorm [N]   (default 20000)
 * Prints one line: forkstorm n=N elapsed=SECONDS   (CLOCK_MONOTONIC, wall time of the loop only)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_N 20000L

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long parse_n(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n <= 0) {
		fprintf(stderr, "forkstorm: N must be a positive integer, not '%s'\n", s);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? parse_n(argv[1]) : DEFAULT_N, i;
	double t0, t1;
	int status;

	if (argc > 2) {
		fprintf(stderr, "usage: forkstorm [N]\n");
		return 2;
	}
	/* the child inherits stdio buffers: start with them empty (it _exit()s anyway) */
	fflush(NULL);
	t0 = now_s();
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fprintf(stderr, "forkstorm: fork #%ld: %s\n", i, strerror(errno));
			return 1;
		}
		if (pid == 0)
			_exit(0);
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				fprintf(stderr, "forkstorm: waitpid: %s\n", strerror(errno));
				return 1;
			}
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "forkstorm: child %d did not exit with 0 (status %#x)\n",
				(int)pid, status);
			return 1;
		}
	}
	t1 = now_s();
	printf("forkstorm n=%ld elapsed=%.6f\n", n, t1 - t0);
	return 0;
}
