// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `procscope trace`: its options (with their help) and the checks between them; the session
 * (user/session) does the tracing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "log.h"

static const struct cli_opt opt_pid = { "pid", 'p', "PID",
					"trace PID and its descendants (followed as they fork)" };
static const struct cli_opt opt_user = {
	"user", 'u', "USER", "run COMMAND as USER (a name, UID or UID:GID), as strace -u"
};
static const struct cli_opt opt_duration = { "duration", 'd', "SECS", "stop after SECS seconds" };
static const struct cli_opt opt_events = {
	"events", 'e', "GROUPS",
	"event groups, comma-separated: proc, epoll, unix, sched, all\n"
	"(default: all; proc is always on: the others need the tree)"
};

static const struct cli_opt *const trace_opts_table[] = {
	&opt_pid,	   &opt_user,		&cli_opt_output,       &cli_opt_quiet,
	&cli_opt_live,	   &cli_opt_timestamps, &cli_opt_no_summary,   &cli_opt_summary_json,
	&cli_opt_perfetto, &cli_opt_svg,	&cli_opt_sched_slices, &opt_duration,
	&opt_events,	   &cli_opt_threads,	&cli_opt_min_wait,     &cli_opt_zombie_min,
	&cli_opt_ringbuf,  &cli_opt_queue,	&cli_opt_verbose,      &cli_opt_help,
	&cli_opt_version,
};

#define NOPTS (sizeof(trace_opts_table) / sizeof(trace_opts_table[0]))

static void trace_help(FILE *out)
{
	fputs("Usage: procscope trace [OPTIONS] [-p PID | [--] COMMAND [ARGS...]]\n"
	      "\n"
	      "Trace with eBPF, system-wide, a process and its descendants (-p), or a command and\n"
	      "everything it starts: process fork, exec, exit and reap (zombies, orphans), epoll "
	      "and\n"
	      "poll/select waits (what became ready, how long they blocked), and unix-domain "
	      "sockets\n"
	      "(connections, bytes each way, and which send woke which epoll_wait).\n"
	      "\n",
	      out);
	cli_print_options(out, trace_opts_table, NOPTS);
	fputs("\n"
	      "Live lines go to stderr (as strace's do), the summary to stdout. With a COMMAND,\n"
	      "procscope exits with the command's exit status (killed by a signal: the same\n"
	      "signal; 126 not executable, 127 not found), and stops when the command and all its\n"
	      "descendants are gone. Options after COMMAND belong to the command.\n"
	      "\n"
	      "Examples:\n"
	      "  procscope trace                         # everything, until Ctrl-C\n"
	      "  procscope trace -p 1234 -d 10           # pid 1234 and its descendants, 10 s\n"
	      "  procscope trace -o log.jsonl -- make -j4 # a build, with an NDJSON log\n",
	      out);
}

static int trace_main(int argc, char **argv)
{
	struct option longopts[NOPTS + 1];
	char shortopts[3 * NOPTS + 3];
	struct trace_opts o = { .groups = PSC_GROUP_ALL };
	struct trace_user user;
	int c, r;

	optind = 1;
	opterr = 0;
	/* '+': stop at the command, so 'procscope trace ls -l' leaves -l to ls */
	while ((c = cli_getopt(argc, argv, trace_opts_table, NOPTS, "+", longopts, shortopts)) !=
	       -1) {
		r = cli_trace_common_opt(c, optarg, &o);
		if (r < 0)
			return cli_bad_usage("trace");
		if (r)
			continue;
		switch (c) {
		case 'p':
			if (cli_parse_pid(optarg, &o.pid))
				return cli_bad_usage("trace");
			break;
		case 'u':
			if (trace_parse_user(optarg, &user)) {
				psc_err("unknown user '%s'", optarg);
				return cli_bad_usage("trace");
			}
			o.user = &user;
			break;
		case 'h':
			trace_help(stdout);
			return 0;
		case OPT_VERSION:
			cli_print_version();
			return 0;
		default:
			psc_bad_option(c, argv);
			return cli_bad_usage("trace");
		}
	}
	if (optind < argc) {
		o.argv = argv + optind;
	} else if (optind > 1 && !strcmp(argv[optind - 1], "--")) {
		psc_err("'--' needs a command after it");
		return cli_bad_usage("trace");
	}
	if (o.argv && o.pid) {
		psc_err("-p and a command cannot be combined: trace one or the other");
		return cli_bad_usage("trace");
	}
	if (cli_live_conflict(&o))
		return cli_bad_usage("trace");
	if (o.user && !o.argv) {
		psc_err("-u needs a command to run");
		return cli_bad_usage("trace");
	}
	if (cli_outputs_distinct(&o))
		return cli_bad_usage("trace");
	/* the whole system waits all the time: keep the terminal readable */
	if (!o.min_wait_set && !o.argv && !o.pid)
		o.min_wait_ns = 10 * 1000000ull;
	return trace_run(&o);
}

const struct cli_cmd cli_trace_cmd = {
	.name = "trace",
	.summary = "trace the system, a process tree (-p) or a command",
	.run = trace_main,
	.help = trace_help,
};
