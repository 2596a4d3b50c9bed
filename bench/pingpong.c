// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Benchmark workload: N round trips of one byte over an AF_UNIX socketpair, both sides blocked
 * in epoll_wait() between messages. Prints "pingpong n=N waits=W elapsed=S cpu=S", cpu being
 * both sides' user + system time (so a tracer's own CPU is the rest of what time(1) counts).
 * Both sides run on one CPU: across CPUs the round-trip time is dominated by idle-state exits
 * and varies 10x from run to run on a VM; on one CPU it is a plain context switch.
 */
#define _GNU_SOURCE /* sched_setaffinity */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double tv_s(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait until fd is readable, read one byte; returns 0 or -1 */
static int wait_read(int ep, int fd)
{
	struct epoll_event ev;
	char c;

	if (epoll_wait(ep, &ev, 1, 5000) != 1)
		return -1;
	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static int side(int fd, long n, int first)
{
	struct epoll_event add = { .events = EPOLLIN, .data.fd = fd };
	int ep = epoll_create1(0);
	long i;

	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &add))
		return -1;
	for (i = 0; i < n; i++) {
		if (first && write(fd, "p", 1) != 1)
			return -1;
		if (wait_read(ep, fd))
			return -1;
		if (!first && write(fd, "q", 1) != 1)
			return -1;
	}
	close(ep);
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 50000;
	int sv[2], status;
	double t0, t1;
	struct rusage self, kids;
	pid_t pid;

	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		perror("pingpong: sched_setaffinity (continuing unpinned)");
	if (n <= 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
		perror("pingpong: setup");
		return 1;
	}
	t0 = now();
	pid = fork();
	if (pid < 0) {
		perror("pingpong: fork");
		return 1;
	}
	if (pid == 0) {
		close(sv[0]);
		_exit(side(sv[1], n, 0) ? 1 : 0);
	}
	close(sv[1]);
	if (side(sv[0], n, 1) || waitpid(pid, &status, 0) != pid || status) {
		fprintf(stderr, "pingpong: a side failed\n");
		return 1;
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	printf("pingpong n=%ld waits=%ld elapsed=%.6f cpu=%.6f\n", n, 2 * n, t1 - t0,
	       tv_s(self.ru_utime) + tv_s(self.ru_stime) + tv_s(kids.ru_utime) +
		       tv_s(kids.ru_stime));
	return 0;
}
