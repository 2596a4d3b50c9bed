// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * procscope: command table and option parsing. No tracing logic lives here.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "demo.h"
#include "drain.h"
#include "loader.h"
#include "log.h"
#include "outfile.h"
#include "report.h"
#include "trace.h"
#include "version.h"

#define EXIT_USAGE 2

static const char trace_usage[] =
	"Usage: procscope trace [OPTIONS] [-p PID | [--] COMMAND [ARGS...]]\n"
	"\n"
	"Trace with eBPF, system-wide, a process and its descendants (-p), or a command and\n"
	"everything it starts: process fork, exec, exit and reap (zombies, orphans), epoll and\n"
	"poll/select waits (what became ready, how long they blocked), and unix-domain sockets\n"
	"(connections, bytes each way, and which send woke which epoll_wait).\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID          trace PID and its descendants (followed as they fork)\n"
	"  -u, --user USER        run COMMAND as USER (a name, UID or UID:GID), as strace -u\n"
	"  -o, --output FILE      write every event as NDJSON to FILE (zstd if it ends in .zst,\n"
	"                         the fast one; gzip if .gz; '-' for stdout); mode 0600, never\n"
	"                         through a symlink or into a file someone else planted\n"
	"  -q, --quiet            no live event lines\n"
	"      --live FILE        the live event lines to FILE instead of stderr ('-' for stdout)\n"
	"  -t, --absolute-timestamps  a wall-clock column before the relative time\n"
	"                         (-tt: with microseconds)\n"
	"      --no-summary       no summary at the end\n"
	"      --summary-json FILE  write the summary as one JSON document to FILE at the end\n"
	"                         ('-' for stdout; docs/summary-json.md)\n"
	"      --perfetto FILE    a timeline for ui.perfetto.dev / chrome://tracing\n"
	"                         (Chrome trace JSON; gzip if FILE ends in .gz; docs/timeline.md)\n"
	"      --svg FILE         the same timeline as a self-contained SVG picture\n"
	"  -d, --duration SECS    stop after SECS seconds\n"
	"  -e, --events GROUPS    event groups, comma-separated: proc, epoll, unix, all\n"
	"                         (default: all; proc is always on: the others need the tree)\n"
	"      --threads          live lines for thread creation and exit too\n"
	"      --min-wait MS      live lines only for epoll/poll waits of at least MS ms\n"
	"                         (default: 0, or 10 when tracing the whole system)\n"
	"      --ringbuf-size N   ring buffer size in bytes, a power of two from 4K to 2G\n"
	"                         (default: 1M per CPU, at least 4M)\n"
	"      --queue-size N     bound of procscope's queue behind the ring buffer, in bytes,\n"
	"                         K/M/G suffix (default: 32M; at least 64K)\n"
	"  -v, --verbose          more diagnostics (twice: libbpf debug output)\n"
	"  -h, --help             this help\n"
	"\n"
	"With a COMMAND, procscope exits with the command's exit status (killed by a signal:\n"
	"the same signal), and stops when the command and all its descendants are gone.\n"
	"Options after COMMAND belong to the command.\n"
	"\n"
	"Examples:\n"
	"  procscope trace                         # everything, until Ctrl-C\n"
	"  procscope trace -p 1234 -d 10           # pid 1234 and its descendants, 10 s\n"
	"  procscope trace -o log.jsonl -- make -j4 # a build, with an NDJSON log\n";

static const char demo_usage[] =
	"Usage: procscope demo [OPTIONS] [NAME...]\n"
	"\n"
	"Run built-in workloads that show process lifecycles, epoll readiness and unix sockets\n"
	"at work, each under tracing\n"
	"(default: all of them, one after the other).\n"
	"\n"
	"Options:\n"
	"  -l, --list             list the demos\n"
	"      --no-trace         run the workload alone, without tracing\n"
	"      --truth FILE       append the workload's ground-truth records (JSON lines) to FILE\n"
	"  -o, --output FILE      NDJSON event log (one demo only)\n"
	"  -q, --quiet            no live event lines, no narration\n"
	"      --live FILE        as for trace\n"
	"  -t, --absolute-timestamps  as for trace\n"
	"      --no-summary       no summary at the end\n"
	"      --summary-json FILE  the summary as one JSON document (one demo only)\n"
	"      --perfetto FILE    a Perfetto/Chrome timeline (one demo only)\n"
	"      --svg FILE         the timeline as an SVG picture (one demo only)\n"
	"      --threads          live lines for thread creation and exit too\n"
	"      --min-wait MS      as for trace\n"
	"      --ringbuf-size N   as for trace\n"
	"      --queue-size N     as for trace\n"
	"  -v, --verbose          more diagnostics\n"
	"  -h, --help             this help\n"
	"\n"
	"Examples:\n"
	"  procscope demo --list\n"
	"  procscope demo zombie orphan\n"
	"  procscope demo --no-trace fork\n";

static const char main_usage[] =
	"Usage: procscope COMMAND [OPTIONS]\n"
	"\n"
	"Trace process lifecycles (fork, exec, exit, zombies, orphans), epoll readiness and\n"
	"unix-domain sockets with eBPF.\n"
	"\n"
	"Commands:\n"
	"  trace     trace the system, a process tree (-p) or a command\n"
	"  demo      run the built-in demo workloads under tracing\n"
	"  report    print the summary of a saved event log (trace -o)\n"
	"  help      this help\n"
	"\n"
	"  procscope COMMAND --help for its options; procscope --version\n";

enum {
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
};

static int parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > INT_MAX)
		return -EINVAL;
	*out = (pid_t)v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !(v > 0) || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Options shared by trace and demo; returns 1 if handled, 0 if not, -1 on a bad value */
static int common_opt(int c, const char *arg, struct trace_opts *o)
{
	const char *bad = NULL;

	switch (c) {
	case 'o':
		o->output = arg;
		return 1;
	case 'q':
		o->quiet = true;
		return 1;
	case OPT_LIVE:
		o->live = arg;
		return 1;
	case 't':
		if (o->wall_clock < 2)
			o->wall_clock++;
		return 1;
	case OPT_NO_SUMMARY:
		o->no_summary = true;
		return 1;
	case OPT_PERFETTO:
		o->perfetto = arg;
		return 1;
	case OPT_SVG:
		o->svg = arg;
		return 1;
	case OPT_SUMMARY_JSON:
		o->summary_json = arg;
		return 1;
	case OPT_THREADS:
		o->threads = true;
		return 1;
	case 'v':
		o->verbose++;
		psc_log_set_level(PSC_LOG_DBG);
		return 1;
	case OPT_RINGBUF:
		if (loader_parse_size(arg, &o->ringbuf_size)) {
			psc_err("invalid --ringbuf-size '%s': want a power of two from 4096 (4K) "
				"to 2147483648 (2G)",
				arg);
			return -1;
		}
		return 1;
	case OPT_QUEUE:
		if (drain_parse_size(arg, &o->queue_size)) {
			psc_err("invalid --queue-size '%s': want a size >= 64K (K/M/G suffix "
				"allowed)",
				arg);
			return -1;
		}
		return 1;
	case OPT_MIN_WAIT: {
		double ms;
		char *end;

		errno = 0;
		ms = strtod(arg, &end);
		if (errno || *end || end == arg || ms < 0 || ms > 1e9) {
			psc_err("invalid --min-wait '%s': want milliseconds >= 0", arg);
			return -1;
		}
		o->min_wait_ns = (uint64_t)(ms * 1e6);
		o->min_wait_set = true;
		return 1;
	}
	case 'd':
		if (parse_seconds(arg, &o->duration)) {
			psc_err("invalid duration '%s': want seconds > 0", arg);
			return -1;
		}
		return 1;
	case 'e':
		if (trace_parse_groups(arg, &o->groups, &bad)) {
			psc_err("unknown event group '%s' (known: proc, epoll, unix, all)",
				bad ? bad : arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

/* --live and the other stdout users; returns true (after saying why) on a conflict */
static bool live_conflict(const struct trace_opts *o)
{
	if (o->live && o->quiet) {
		psc_err("-q and --live contradict each other: pick one");
		return true;
	}
	if (o->live && !strcmp(o->live, "-") && trace_doc_on_stdout(o)) {
		psc_err("--live - and a document on stdout (-o -, --summary-json -) cannot share it");
		return true;
	}
	return false;
}

static int bad_usage(const char *cmd)
{
	fprintf(stderr, "Try 'procscope %s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

/* Two outputs onto one file would each replace the other: refused before tracing */
static int outputs_distinct(const struct trace_opts *o)
{
	const char *live = o->live && strcmp(o->live, "-") ? o->live : NULL;
	const char *outs[] = { o->output, o->perfetto, o->svg, o->summary_json, live }, *out,
		   *other;
	bool is_input;

	if (!outfile_check_distinct(outs, 5, NULL, 0, &out, &other, &is_input))
		return 0;
	psc_err("failed to create '%s': it is the same file as the output '%s'", out, other);
	return -EEXIST;
}

static int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "live", required_argument, NULL, OPT_LIVE },
		{ "absolute-timestamps", no_argument, NULL, 't' },
		{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
		{ "summary-json", required_argument, NULL, OPT_SUMMARY_JSON },
		{ "perfetto", required_argument, NULL, OPT_PERFETTO },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "duration", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'e' },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "min-wait", required_argument, NULL, OPT_MIN_WAIT },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "queue-size", required_argument, NULL, OPT_QUEUE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct trace_opts o = { .groups = PSC_GROUP_ALL };
	struct trace_user user;
	int c, r;

	optind = 1;
	opterr = 0;
	/* '+': stop at the command, so 'procscope trace ls -l' leaves -l to ls */
	while ((c = getopt_long(argc, argv, "+:p:u:o:qtd:e:vh", longopts, NULL)) != -1) {
		r = common_opt(c, optarg, &o);
		if (r < 0)
			return bad_usage("trace");
		if (r)
			continue;
		switch (c) {
		case 'p':
			if (parse_pid(optarg, &o.pid)) {
				psc_err("invalid pid '%s'", optarg);
				return bad_usage("trace");
			}
			break;
		case 'u':
			if (trace_parse_user(optarg, &user)) {
				psc_err("unknown user '%s'", optarg);
				return bad_usage("trace");
			}
			o.user = &user;
			break;
		case 'h':
			fputs(trace_usage, stdout);
			return 0;
		default:
			psc_bad_option(c, argv);
			return bad_usage("trace");
		}
	}
	if (optind < argc)
		o.argv = argv + optind;
	else if (optind > 1 && !strcmp(argv[optind - 1], "--")) {
		psc_err("'--' needs a command after it");
		return bad_usage("trace");
	}
	if (o.argv && o.pid) {
		psc_err("-p and a command cannot be combined: trace one or the other");
		return bad_usage("trace");
	}
	if (live_conflict(&o))
		return bad_usage("trace");
	if (o.user && !o.argv) {
		psc_err("-u needs a command to run");
		return bad_usage("trace");
	}
	if (outputs_distinct(&o))
		return bad_usage("trace");
	/* the whole system waits all the time: keep the terminal readable */
	if (!o.min_wait_set && !o.argv && !o.pid)
		o.min_wait_ns = 10 * 1000000ull;
	return trace_run(&o);
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

static int run_traced_demo(const char *name, const char *truth, struct trace_opts *o)
{
	char exe[PATH_MAX];
	char *argv[10];
	int i = 0, ret;

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
	if (!o->quiet)
		printf("\n### demo %s: %s\n", name, demo_find(name)->summary);
	fflush(stdout);
	ret = trace_run(o);
	o->argv = NULL; /* argv[] dies with this frame */
	return ret;
}

static int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "no-trace", no_argument, NULL, OPT_NO_TRACE },
		{ "truth", required_argument, NULL, OPT_TRUTH },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "live", required_argument, NULL, OPT_LIVE },
		{ "absolute-timestamps", no_argument, NULL, 't' },
		{ "no-summary", no_argument, NULL, OPT_NO_SUMMARY },
		{ "summary-json", required_argument, NULL, OPT_SUMMARY_JSON },
		{ "perfetto", required_argument, NULL, OPT_PERFETTO },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "threads", no_argument, NULL, OPT_THREADS },
		{ "min-wait", required_argument, NULL, OPT_MIN_WAIT },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF },
		{ "queue-size", required_argument, NULL, OPT_QUEUE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct trace_opts o = { .groups = PSC_GROUP_ALL };
	const char *truth = NULL;
	bool no_trace = false;
	const struct demo *table;
	size_t n, i;
	int c, r, ret = 0;

	optind = 1;
	opterr = 0;
	/* no '+': demo names carry no options of their own, so options may follow them */
	while ((c = getopt_long(argc, argv, ":lo:qtvh", longopts, NULL)) != -1) {
		r = common_opt(c, optarg, &o);
		if (r < 0)
			return bad_usage("demo");
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
			fputs(demo_usage, stdout);
			return 0;
		default:
			psc_bad_option(c, argv);
			return bad_usage("demo");
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (!demo_find(argv[i])) {
			psc_err("unknown demo '%s' (see procscope demo --list)", argv[i]);
			return bad_usage("demo");
		}
	}
	if (o.output && argc - optind != 1) {
		psc_err("-o needs exactly one demo name");
		return bad_usage("demo");
	}
	if ((o.summary_json || o.perfetto || o.svg) && argc - optind != 1) {
		psc_err("--summary-json, --perfetto and --svg need exactly one demo name");
		return bad_usage("demo");
	}
	if (live_conflict(&o))
		return bad_usage("demo");
	if (outputs_distinct(&o))
		return bad_usage("demo");
	if (no_trace) {
		if (argc - optind != 1) {
			psc_err("--no-trace runs exactly one demo");
			return bad_usage("demo");
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

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd || !strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		fputs(main_usage, cmd ? stdout : stderr);
		return cmd ? 0 : EXIT_USAGE;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("procscope %s\n", PSC_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "trace"))
		return cmd_trace(argc - 1, argv + 1);
	if (!strcmp(cmd, "demo"))
		return cmd_demo(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return report_main(argc - 1, argv + 1);
	psc_err("unknown command '%s'", cmd);
	fputs(main_usage, stderr);
	return EXIT_USAGE;
}
