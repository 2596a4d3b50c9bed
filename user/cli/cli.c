// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Option tables to getopt and to --help, the options trace and demo share, and small parsers.
 * Each option's help sits in its table entry: --help prints the table, so the two cannot drift.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "drain.h"
#include "loader.h"
#include "log.h"
#include "outfile.h"
#include "version.h"

#define HELP_COL 25 /* where the descriptions start */

const struct cli_opt cli_opt_output = {
	"output", 'o', "FILE",
	"write every event as NDJSON to FILE (zstd if it ends in .zst, the fast\n"
	"one; gzip if .gz; '-' for stdout, alone there: a command's output then\n"
	"goes to stderr); mode 0600, never through a symlink or into a file\n"
	"someone else planted"
};
const struct cli_opt cli_opt_quiet = { "quiet", 'q', NULL, "no live event lines" };
const struct cli_opt cli_opt_live = {
	"live", OPT_LIVE, "FILE", "the live event lines to FILE instead of stderr ('-' for stdout)"
};
const struct cli_opt cli_opt_timestamps = {
	"absolute-timestamps", 't', NULL,
	"a wall-clock column before the relative time\n(-tt: with microseconds)"
};
const struct cli_opt cli_opt_no_summary = { "no-summary", OPT_NO_SUMMARY, NULL,
					    "no summary at the end" };
const struct cli_opt cli_opt_summary_json = {
	"summary-json", OPT_SUMMARY_JSON, "FILE",
	"write the summary as one JSON document to FILE at the end\n"
	"('-' for stdout, alone there; docs/summary-json.md)"
};
const struct cli_opt cli_opt_perfetto = {
	"perfetto", OPT_PERFETTO, "FILE",
	"a timeline for ui.perfetto.dev / chrome://tracing\n"
	"(Chrome trace JSON; gzip or zstd if FILE ends in .gz or .zst; docs/timeline.md)"
};
const struct cli_opt cli_opt_svg = { "svg", OPT_SVG, "FILE",
				     "the same timeline as a self-contained SVG picture" };
const struct cli_opt cli_opt_sched_slices = {
	"sched-slices", OPT_SCHED_SLICES, NULL,
	"log every run of a traced thread on a CPU (sched_slice;\n"
	"on with --perfetto and --svg)"
};
const struct cli_opt cli_opt_threads = { "threads", OPT_THREADS, NULL,
					 "live lines for thread creation and exit too" };
const struct cli_opt cli_opt_min_wait = { "min-wait", OPT_MIN_WAIT, "MS",
					  "live lines only for epoll/poll waits of at least MS ms\n"
					  "(default: 0, or 10 when tracing the whole system)" };
const struct cli_opt cli_opt_ringbuf = {
	"ringbuf-size", OPT_RINGBUF, "N",
	"ring buffer size in bytes, a power of two from 4K to 2G\n(default: 1M per CPU, at least 4M)"
};
const struct cli_opt cli_opt_queue = {
	"queue-size", OPT_QUEUE, "N",
	"bound of procscope's queue behind the ring buffer, in bytes,\n"
	"K/M/G suffix (default: 32M; at least 64K)"
};
const struct cli_opt cli_opt_zombie_min = {
	"zombie-min", OPT_ZOMBIE_MIN, "MS",
	"the zombie table lists zombies never reaped, then those of at least\n"
	"MS ms (default: 1); one line counts the rest (the JSON has them all)"
};
const struct cli_opt cli_opt_verbose = { "verbose", 'v', NULL,
					 "more diagnostics (twice: libbpf debug output)" };
const struct cli_opt cli_opt_help = { "help", 'h', NULL, "this help" };
const struct cli_opt cli_opt_version = { "version", OPT_VERSION, NULL,
					 "print procscope's version and exit" };

int cli_getopt(int argc, char **argv, const struct cli_opt *const *opts, size_t n, const char *mode,
	       struct option *longopts, char *shortopts)
{
	size_t i, k = 0;

	k += (size_t)snprintf(shortopts, 3, "%s:", mode);
	for (i = 0; i < n; i++) {
		longopts[i] = (struct option){
			.name = opts[i]->name,
			.has_arg = opts[i]->arg ? required_argument : no_argument,
			.val = opts[i]->key,
		};
		if (opts[i]->key < 256) {
			shortopts[k++] = (char)opts[i]->key;
			if (opts[i]->arg)
				shortopts[k++] = ':';
		}
	}
	shortopts[k] = '\0';
	longopts[n] = (struct option){ 0 };
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

void cli_print_options(FILE *out, const struct cli_opt *const *opts, size_t n)
{
	char tag[64];
	const char *h, *nl;
	size_t i;
	int len;

	fputs("Options:\n", out);
	for (i = 0; i < n; i++) {
		const struct cli_opt *o = opts[i];

		if (o->key < 256)
			len = snprintf(tag, sizeof(tag), "  -%c, --%s%s%s", o->key, o->name,
				       o->arg ? " " : "", o->arg ? o->arg : "");
		else
			len = snprintf(tag, sizeof(tag), "      --%s%s%s", o->name,
				       o->arg ? " " : "", o->arg ? o->arg : "");
		/* a long tag keeps two spaces before its description */
		fprintf(out, "%s%*s", tag, len + 2 > HELP_COL ? 2 : HELP_COL - len, "");
		for (h = o->help; (nl = strchr(h, '\n')); h = nl + 1)
			fprintf(out, "%.*s\n%*s", (int)(nl - h), h, HELP_COL, "");
		fprintf(out, "%s\n", h);
	}
}

int cli_bad_usage(const char *cmd)
{
	fprintf(stderr, "Try 'procscope %s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

void cli_print_version(void)
{
	printf("procscope %s\n", PSC_VERSION);
}

int cli_parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > INT_MAX) {
		psc_err("invalid pid '%s'", s);
		return -EINVAL;
	}
	*out = (pid_t)v;
	return 0;
}

int cli_parse_ms(const char *opt, const char *s, uint64_t *ns)
{
	char *end;
	double ms;

	errno = 0;
	ms = strtod(s, &end);
	if (errno || *end || end == s || !(ms >= 0) || ms > 1e9) {
		psc_err("invalid %s '%s': want milliseconds >= 0", opt, s);
		return -EINVAL;
	}
	*ns = (uint64_t)(ms * 1e6);
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

int cli_trace_common_opt(int c, const char *arg, struct trace_opts *o)
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
	case OPT_SCHED_SLICES:
		o->sched_slices = true;
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
	case OPT_MIN_WAIT:
		if (cli_parse_ms("--min-wait", arg, &o->min_wait_ns))
			return -1;
		o->min_wait_set = true;
		return 1;
	case OPT_ZOMBIE_MIN:
		if (cli_parse_ms("--zombie-min", arg, &o->zombie_min_ns))
			return -1;
		o->zombie_min_set = true;
		return 1;
	case 'd':
		if (parse_seconds(arg, &o->duration)) {
			psc_err("invalid duration '%s': want seconds > 0", arg);
			return -1;
		}
		return 1;
	case 'e':
		if (trace_parse_groups(arg, &o->groups, &bad)) {
			psc_err("unknown event group '%s' (known: proc, epoll, unix, sched, all)",
				bad ? bad : arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

int cli_outputs_distinct(const struct trace_opts *o)
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

bool cli_live_conflict(const struct trace_opts *o)
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
