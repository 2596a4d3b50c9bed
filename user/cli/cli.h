/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The command line: a command table (as bpftool has one) and option tables that carry their own
 * help line, so --help is made from the options it describes and shared options are written
 * once. No tracing logic lives here.
 */
#ifndef __PSC_CLI_H
#define __PSC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "psc_events.h"
#include "trace.h"

#define EXIT_USAGE 2

/* Exit statuses of report (docs/report.md) */
#define REPORT_EXIT_OK 0
#define REPORT_EXIT_IO 1 /* the log cannot be opened or read, the output not written */
#define REPORT_EXIT_USAGE EXIT_USAGE
#define REPORT_EXIT_DAMAGED 3 /* the log is damaged: the summary covers the good records */
#define REPORT_EXIT_NO_MATCH 4 /* the filters selected no process: nothing to show */

/* Long-only options: a key past every character */
enum cli_key {
	OPT_NO_SUMMARY = 256,
	OPT_THREADS,
	OPT_RINGBUF,
	OPT_QUEUE,
	OPT_NO_TRACE,
	OPT_TRUTH,
	OPT_MIN_WAIT,
	OPT_SUMMARY_JSON,
	OPT_PERFETTO,
	OPT_SVG,
	OPT_LIVE,
	OPT_SCHED_SLICES,
	OPT_ZOMBIE_MIN,
	OPT_VERSION,
	OPT_COMM,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_TREE,
	OPT_ZOMBIES,
	OPT_ORPHANS,
	OPT_IO,
	OPT_UNIX,
};

/* One option and its help, in the order --help lists it */
struct cli_opt {
	const char *name; /* long name */
	int key; /* the short letter, or an OPT_* for long-only options */
	const char *arg; /* "FILE"..., or NULL for a flag */
	const char *help; /* one or more lines, '\n' between them */
};

/* One command of `procscope COMMAND` */
struct cli_cmd {
	const char *name;
	const char *summary; /* for `procscope help` */
	int (*run)(int argc, char **argv); /* argv[0] is the command's name; returns the status */
	void (*help)(FILE *out);
};

extern const struct cli_cmd cli_trace_cmd, cli_demo_cmd, cli_report_cmd;

/* Options trace and demo share (and some report shares): described once, here */
extern const struct cli_opt cli_opt_output, cli_opt_quiet, cli_opt_live, cli_opt_timestamps,
	cli_opt_no_summary, cli_opt_summary_json, cli_opt_perfetto, cli_opt_svg, cli_opt_threads,
	cli_opt_min_wait, cli_opt_ringbuf, cli_opt_queue, cli_opt_zombie_min, cli_opt_verbose,
	cli_opt_help, cli_opt_version, cli_opt_sched_slices;

/*
 * getopt_long() over a table of @n options: "+" in @mode stops at the first non-option (trace's
 * command). Fills the caller's storage (@longopts holds n + 1, @shortopts 3 * n + 3). Returns
 * what getopt_long() returns.
 */
int cli_getopt(int argc, char **argv, const struct cli_opt *const *opts, size_t n, const char *mode,
	       struct option *longopts, char *shortopts);

/* "Options:" and one line (or more) per option, aligned */
void cli_print_options(FILE *out, const struct cli_opt *const *opts, size_t n);

/* "Try 'procscope CMD --help' ..." on stderr; returns EXIT_USAGE */
int cli_bad_usage(const char *cmd);

/* Parsers that print their own error ("invalid --zombie-min '...'"); 0 or -EINVAL */
int cli_parse_pid(const char *s, pid_t *out);
int cli_parse_ms(const char *opt, const char *s, uint64_t *ns);

/* Options trace and demo share: 1 handled, 0 not one of them, -1 bad value (reported) */
int cli_trace_common_opt(int c, const char *arg, struct trace_opts *o);
/* --live against -q and the documents on stdout; true (after saying why) on a conflict */
bool cli_live_conflict(const struct trace_opts *o);

/* Two outputs onto one file would each replace the other: refused (reported) before tracing */
int cli_outputs_distinct(const struct trace_opts *o);

/* procscope VERSION, for --version anywhere */
void cli_print_version(void);

#endif /* __PSC_CLI_H */
