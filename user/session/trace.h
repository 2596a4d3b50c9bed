/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One trace session: launch (optionally), load and attach, seed from /proc, poll, stop, report.
 */
#ifndef __PSC_TRACE_H
#define __PSC_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* -u USER: who the launched command runs as */
struct trace_user {
	char name[64]; /* for initgroups() */
	bool has_name; /* false for a bare UID[:GID]: no supplementary groups then */
	uid_t uid;
	gid_t gid;
};

/* Parse USER, UID or UID:GID (a name gets its primary group and its groups). 0 or -errno. */
int trace_parse_user(const char *s, struct trace_user *u);

struct trace_opts {
	pid_t pid; /* -p: this process and its descendants; 0 = none */
	char **argv; /* a command to launch and trace with its descendants; NULL = none */
	const char *output; /* -o: NDJSON log path ("-" = stdout), NULL = none */
	bool quiet; /* -q: no live lines */
	uint64_t zombie_min_ns; /* --zombie-min: the text zombie table's threshold */
	bool zombie_min_set; /* else the default (SUMMARY_ZOMBIE_MIN_NS) */
	const char *live; /* --live FILE ("-" = stdout); NULL = stderr */
	int wall_clock; /* -t: 1 wall-clock seconds, 2 (-tt) with microseconds */
	bool no_summary;
	const char *summary_json; /* --summary-json FILE ("-" = stdout), or NULL */
	const char *perfetto; /* --perfetto FILE: Chrome trace JSON timeline, or NULL */
	const char *svg; /* --svg FILE: the timeline as an SVG picture, or NULL */
	const struct trace_user *user; /* -u: run the command as this user, or NULL */
	bool keep_caps; /* more traces follow in this process (demo): do not drop capabilities */
	bool threads; /* live lines for threads too */
	double duration; /* seconds; 0 = until the traced tree is gone or a signal */
	uint32_t groups; /* PSC_GROUP_* */
	bool sched_slices; /* --sched-slices: a record per run (also with --perfetto, --svg) */
	size_t ringbuf_size; /* 0 = default */
	size_t queue_size; /* bytes of the userspace queue behind the ring; 0 = default */
	uint64_t min_wait_ns; /* live lines only for waits at least this long */
	bool min_wait_set; /* given on the command line */
	int verbose;
	bool narrate; /* demo: its workload writes narration lines into a pipe (narrate.h) */
	int narrate_fd; /* with narrate: the pipe's read end */
};

/* Exit status for main: the command's status in command mode, else 0/1 */
int trace_run(const struct trace_opts *opts);

/* Parse -e "proc,epoll,unix" into PSC_GROUP_* bits; -EINVAL names the bad one in *bad */
int trace_parse_groups(const char *s, uint32_t *groups, const char **bad);

/*
 * A document on stdout (-o -, --summary-json -): then nothing else goes there, not even the
 * command's own output (it gets stderr as its stdout).
 */
bool trace_doc_on_stdout(const struct trace_opts *o);

#endif /* __PSC_TRACE_H */
