/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Built-in demo workloads: small process trees that show one lifecycle concept each, and the
 * ground-truth records (JSON lines) they write so a trace of them can be checked.
 */
#ifndef __PSC_DEMO_H
#define __PSC_DEMO_H

#include <stdbool.h>
#include <stddef.h>

struct demo_ctx {
	int truth_fd; /* -1 = no ground-truth file; else an O_APPEND fd shared by all the demo's processes */
	bool quiet; /* no narration on stdout */
	/*
	 * -1: narration goes to stdout. Else a pipe to the tracing procscope (PROCSCOPE_NARRATE_FD):
	 * each line carries its CLOCK_BOOTTIME time, so the tracer prints it among the live lines
	 * in time order, after the events it narrates and not ahead of them.
	 */
	int narrate_fd;
};

/* The environment variable through which `procscope demo` hands its workload the pipe */
#define DEMO_NARRATE_ENV "PROCSCOPE_NARRATE_FD"

struct demo {
	const char *name;
	const char *group; /* "proc", later "epoll", "unix" */
	const char *summary; /* one line for `procscope demo --list` */
	/*
	 * Runs in the demo's root process and returns its exit status (0 or 1). The root's own
	 * "proc", "exit" and "done" records are written by demo_main() around it.
	 */
	int (*run)(const struct demo_ctx *ctx);
};

/* NULL if unknown */
const struct demo *demo_find(const char *name);
/* All demos, in a sensible order */
const struct demo *demo_table(size_t *n);

/*
 * Run one demo in the calling process (it forks its own children). truth_path may be NULL; the
 * records are appended to it (created if missing), so pass a fresh or empty file.
 * Returns the exit status to use for the calling process (0 on success, 1 on failure).
 */
int demo_main(const char *name, const char *truth_path, bool quiet);

/*
 * Write one ground-truth line (a JSON object, without trailing newline, built with the fmt) to
 * ctx->truth_fd with a single write() so lines from several processes never interleave; no-op
 * when truth_fd < 0. Returns 0 or -errno.
 */
int demo_truth(const struct demo_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* __PSC_DEMO_H */
