// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `procscope demo`: the built-in workloads, each run under `trace` as a command (procscope runs
 * itself with --no-trace), or alone. The workloads live in user/demos.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "demo.h"
#include "log.h"

static const struct cli_opt opt_list = { "list", 'l', NULL, "list the demos" };
static const struct cli_opt opt_no_trace = { "no-trace", OPT_NO_TRACE, NULL,
					     "run the workload alone, without tracing" };
static const struct cli_opt opt_truth = {
	"truth", OPT_TRUTH, "FILE",
	"append the workload's ground-truth records (JSON lines) to FILE"
};
/* the per-run outputs take one demo: their help says so */
static const struct cli_opt opt_output = { "output", 'o', "FILE",
					   "NDJSON event log, as for trace (one demo only)" };
static const struct cli_opt opt_quiet = { "quiet", 'q', NULL, "no live event lines, no narration" };
static const struct cli_opt opt_summary_json = {
	"summary-json", OPT_SUMMARY_JSON, "FILE", "the summary as one JSON document (one demo only)"
};
static const struct cli_opt opt_perfetto = { "perfetto", OPT_PERFETTO, "FILE",
					     "a Perfetto/Chrome timeline (one demo only)" };
static const struct cli_opt opt_svg = { "svg", OPT_SVG, "FILE",
					"the timeline as an SVG picture (one demo only)" };

static const struct cli_opt *const demo_opts_table[] = {
	&opt_list,
	&opt_no_trace,
	&opt_truth,
	&opt_output,
	&opt_quiet,
	&cli_opt_live,
	&cli_opt_timestamps,
	&cli_opt_no_summary,
	&opt_summary_json,
	&opt_perfetto,
	&opt_svg,
	&cli_opt_sched_slices,
	&cli_opt_threads,
	&cli_opt_min_wait,
	&cli_opt_zombie_min,
	&cli_opt_ringbuf,
	&cli_opt_queue,
	&cli_opt_verbose,
	&cli_opt_help,
	&cli_opt_version,
};

#define NOPTS (sizeof(demo_opts_table) / sizeof(demo_opts_table[0]))

static void demo_help(FILE *out)
{
	fputs("Usage: procscope demo [OPTIONS] [NAME...]\n"
	      "\n"
	      "Run built-in workloads that show process lifecycles, epoll readiness and unix "
	      "sockets\n"
	      "at work, each under tracing\n"
	      "(default: all of them, one after the other).\n"
	      "\n",
	      out);
	cli_print_options(out, demo_opts_table, NOPTS);
	fputs("\n"
	      "Examples:\n"
	      "  procscope demo --list\n"
	      "  procscope demo zombie orphan\n"
	      "  procscope demo --no-trace fork\n",
	      out);
}

static void list_demos(void)
{
	const struct demo *d;
	size_t n, i;

	d = demo_table(&n);
	for (i = 0; i < n; i++)
		printf("%-18s %-6s %s\n", d[i].name, d[i].group, d[i].summary);
}

static int self_exe(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n <= 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/*
 * The workload's narration comes back through a pipe, so that the live output prints it in time
 * order among the events (narrate.h), not ahead of the events it tells about. Its write end is
 * inherited at a high number, where it shifts none of the fds the workload opens (fd 3 stays
 * its first). Returns the write end, or -1 (the workload narrates on stdout).
 */
#define NARRATE_FD_MIN 100

static int narrate_pipe(struct trace_opts *o)
{
	char num[16];
	int p[2], w;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	w = fcntl(p[1], F_DUPFD, NARRATE_FD_MIN); /* without FD_CLOEXEC: the workload's */
	close(p[1]);
	snprintf(num, sizeof(num), "%d", w);
	if (w < 0 || setenv(DEMO_NARRATE_ENV, num, 1)) {
		if (w >= 0)
			close(w);
		close(p[0]);
		return -1;
	}
	o->narrate = true;
	o->narrate_fd = p[0];
	return w;
}

static void narrate_pipe_close(struct trace_opts *o, int w)
{
	if (w < 0)
		return;
	unsetenv(DEMO_NARRATE_ENV);
	close(w);
	close(o->narrate_fd);
	o->narrate = false;
}

static int run_traced_demo(const char *name, const char *truth, struct trace_opts *o)
{
	char exe[PATH_MAX];
	char *argv[10];
	int i = 0, ret, narrate_w = -1;

	if (self_exe(exe, sizeof(exe))) {
		psc_err("failed to find my own executable: %s", strerror(errno));
		return 1;
	}
	argv[i++] = exe;
	argv[i++] = (char *)"demo";
	argv[i++] = (char *)"--no-trace";
	if (o->quiet)
		argv[i++] = (char *)"--quiet";
	if (truth) {
		argv[i++] = (char *)"--truth";
		argv[i++] = (char *)truth;
	}
	argv[i++] = (char *)name;
	argv[i] = NULL;
	o->argv = argv;
	if (!o->quiet) {
		printf("\n### demo %s: %s\n", name, demo_find(name)->summary);
		narrate_w = narrate_pipe(o);
	}
	fflush(stdout);
	ret = trace_run(o);
	narrate_pipe_close(o, narrate_w);
	o->argv = NULL; /* argv[] dies with this frame */
	return ret;
}

static int demo_cmd_main(int argc, char **argv)
{
	struct option longopts[NOPTS + 1];
	char shortopts[3 * NOPTS + 3];
	struct trace_opts o = { .groups = PSC_GROUP_ALL };
	const char *truth = NULL;
	bool no_trace = false;
	const struct demo *table;
	size_t n, i;
	int c, r, ret = 0;

	optind = 1;
	opterr = 0;
	/* no '+': demo names carry no options of their own, so options may follow them */
	while ((c = cli_getopt(argc, argv, demo_opts_table, NOPTS, "", longopts, shortopts)) !=
	       -1) {
		r = cli_trace_common_opt(c, optarg, &o);
		if (r < 0)
			return cli_bad_usage("demo");
		if (r)
			continue;
		switch (c) {
		case 'l':
			list_demos();
			return 0;
		case OPT_NO_TRACE:
			no_trace = true;
			break;
		case OPT_TRUTH:
			truth = optarg;
			break;
		case 'h':
			demo_help(stdout);
			return 0;
		case OPT_VERSION:
			cli_print_version();
			return 0;
		default:
			psc_bad_option(c, argv);
			return cli_bad_usage("demo");
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (!demo_find(argv[i])) {
			psc_err("unknown demo '%s' (see procscope demo --list)", argv[i]);
			return cli_bad_usage("demo");
		}
	}
	if (o.output && argc - optind != 1) {
		psc_err("-o needs exactly one demo name");
		return cli_bad_usage("demo");
	}
	if ((o.summary_json || o.perfetto || o.svg) && argc - optind != 1) {
		psc_err("--summary-json, --perfetto and --svg need exactly one demo name");
		return cli_bad_usage("demo");
	}
	if (cli_live_conflict(&o))
		return cli_bad_usage("demo");
	if (cli_outputs_distinct(&o))
		return cli_bad_usage("demo");
	if (no_trace) {
		if (argc - optind != 1) {
			psc_err("--no-trace runs exactly one demo");
			return cli_bad_usage("demo");
		}
		return demo_main(argv[optind], truth, o.quiet);
	}
	/* every trace but the last needs its capabilities back for the next one */
	if (optind < argc) {
		for (i = (size_t)optind; i < (size_t)argc && ret == 0; i++) {
			o.keep_caps = i + 1 < (size_t)argc;
			ret = run_traced_demo(argv[i], truth, &o);
		}
		return ret;
	}
	table = demo_table(&n);
	for (i = 0; i < n && ret == 0; i++) {
		o.keep_caps = i + 1 < n;
		ret = run_traced_demo(table[i].name, truth, &o);
	}
	return ret;
}

const struct cli_cmd cli_demo_cmd = {
	.name = "demo",
	.summary = "run the built-in demo workloads under tracing",
	.run = demo_cmd_main,
	.help = demo_help,
};
