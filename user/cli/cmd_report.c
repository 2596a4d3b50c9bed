// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `procscope report`: read a saved event log line by line (plain, gzip or zstd, any size), feed
 * it to the model the live tracer uses (user/logread/report_feed.c), print the same summary, or
 * a part of it. A damaged log is read to its end and the exit status says so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "evfile.h"
#include "log.h"
#include "outfile.h"
#include "perfetto.h"
#include "procfs.h"
#include "report_feed.h"
#include "report_pipe.h"
#include "strutil.h"
#include "summary.h"
#include "summary_json.h"
#include "svg.h"

static const struct cli_opt opt_format = {
	"format", 'f', "FMT", "text (default) or json: the summary as one JSON document"
};
static const struct cli_opt opt_pid = { "pid", 'p', "PID", "only PID and its descendants" };
static const struct cli_opt opt_comm = { "comm", OPT_COMM, "NAME",
					 "only processes named NAME and their descendants" };
static const struct cli_opt opt_since = {
	"since", OPT_SINCE, "SECS", "only what happened from SECS seconds after the trace start"
};
static const struct cli_opt opt_until = {
	"until", OPT_UNTIL, "SECS", "only what happened up to SECS seconds after the trace start"
};
static const struct cli_opt opt_tree = { "tree", OPT_TREE, NULL, "the process tree" };
static const struct cli_opt opt_zombies = { "zombies", OPT_ZOMBIES, NULL, "the zombie table" };
static const struct cli_opt opt_orphans = { "orphans", OPT_ORPHANS, NULL, "the orphan table" };
static const struct cli_opt opt_io = { "io", OPT_IO, NULL, "I/O readiness (epoll, poll, select)" };
static const struct cli_opt opt_unix = {
	"unix", OPT_UNIX, NULL,
	"unix-socket connections and wake-ups\n(no section option: every section)"
};
static const struct cli_opt opt_verbose = {
	"verbose", 'v', NULL, "every problem of a damaged log, not only the first 10"
};

static const struct cli_opt *const report_opts_table[] = {
	&opt_format,  &opt_pid,	    &opt_comm,		 &opt_since,
	&opt_until,   &opt_tree,    &opt_zombies,	 &opt_orphans,
	&opt_io,      &opt_unix,    &cli_opt_zombie_min, &cli_opt_perfetto,
	&cli_opt_svg, &opt_verbose, &cli_opt_help,	 &cli_opt_version,
};

#define NOPTS (sizeof(report_opts_table) / sizeof(report_opts_table[0]))

static void report_help(FILE *out)
{
	fputs("Usage: procscope report [OPTIONS] LOG\n"
	      "\n"
	      "Read an event log written by 'trace -o' or 'demo -o' (plain, gzip or zstd, by\n"
	      "content; '-' for stdin) and print the summary the live trace printed, or a part of\n"
	      "it.\n"
	      "\n",
	      out);
	cli_print_options(out, report_opts_table, NOPTS);
	fputs("\n"
	      "Exit status: 0 ok, 1 the log cannot be read, 2 usage, 3 the log is damaged (the\n"
	      "summary then covers every record that could be read), 4 the filters matched no\n"
	      "process.\n"
	      "\n"
	      "Examples:\n"
	      "  procscope trace -o build.jsonl.zst -- make -j4\n"
	      "  procscope report build.jsonl.zst\n"
	      "  procscope report --zombies --comm cc1 build.jsonl.zst\n"
	      "  procscope report --format json build.jsonl.zst | jq '.zombies[0]'\n",
	      out);
}

#define MAX_SHOWN 10
#define MAX_HELD 1000 /* -v: problems kept until the file shows it is a log; the rest counted */

struct report_run {
	const char *name; /* for messages */
	bool verbose;
	int progress; /* the percentage shown on stderr (a terminal), -1 if none */
	uint64_t problems;
	/*
	 * Until a line is a procscope record, its problems wait here: a file that holds none is
	 * not a log, and gets one line saying so rather than a problem per line and a summary.
	 */
	bool is_log;
	char **held;
	size_t nheld;
	uint64_t held_dropped; /* problems past MAX_HELD, counted only */
	const char *perfetto; /* --perfetto FILE */
	const char *svg; /* --svg FILE */
	/* the read loop's (report_pipe_run()'s each_line()) */
	bool show_progress;
	const struct evread_file *in;
	const struct report_feed *feed;
};

/*
 * A long read shows how far it got, as tools that read GBs do: a percentage on stderr when
 * stderr is a terminal (and the input a file of known size), nothing otherwise.
 */
#define PROGRESS_EVERY 4096 /* lines between two looks at the file position */

static void progress_show(struct report_run *r, const struct evread_file *in)
{
	int pct = evread_file_percent(in);

	if (pct < 0 || pct == r->progress)
		return;
	r->progress = pct;
	fprintf(stderr, "\rprocscope: reading %s: %d%%", r->name, pct);
	fflush(stderr);
}

static void progress_clear(struct report_run *r)
{
	if (r->progress < 0)
		return;
	r->progress = -1;
	fputs("\r\033[K", stderr);
}

static void print_problem(void *ctx, uint64_t lineno, const char *msg)
{
	struct report_run *r = ctx;
	char safe[768], line[800];
	char **more;

	if (r->problems++ >= MAX_SHOWN && !r->verbose)
		return;
	/* messages quote the log (a type name...): nothing in it may reach the terminal raw */
	term_escape_str(safe, sizeof(safe), msg);
	if (lineno)
		snprintf(line, sizeof(line), "%s:%llu: %s", r->name, (unsigned long long)lineno,
			 safe);
	else
		snprintf(line, sizeof(line), "%s: %s", r->name, safe);
	if (r->is_log) {
		progress_clear(r);
		psc_err("%s", line);
		return;
	}
	/* a huge file that is no log must not fill the memory with its problems (-v) */
	if (r->nheld == MAX_HELD) {
		r->held_dropped++;
		return;
	}
	more = realloc(r->held, (r->nheld + 1) * sizeof(*more));
	if (more) {
		r->held = more;
		r->held[r->nheld] = strdup(line);
		r->nheld += r->held[r->nheld] != NULL;
	}
}

/* Problems held until the first record: shown (@show) in their order, or dropped */
static void release_problems(struct report_run *r, bool show)
{
	size_t i;

	if (show && r->nheld)
		progress_clear(r);
	for (i = 0; i < r->nheld; i++) {
		if (show)
			psc_err("%s", r->held[i]);
		free(r->held[i]);
	}
	if (show && r->held_dropped)
		psc_err("%s: %llu more problems before the first record not shown (the first %d are)",
			r->name, (unsigned long long)r->held_dropped, MAX_HELD);
	free(r->held);
	r->held = NULL;
	r->nheld = 0;
	r->held_dropped = 0;
	r->is_log = show;
}

static int usage_error(void)
{
	return cli_bad_usage("report");
}

static int parse_secs(const char *s, int64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > 1e9)
		return -EINVAL;
	*ns = (int64_t)(v * 1e9 + 0.5);
	return 0;
}

static void damage_line(const struct report_run *r, const struct summary_log_damage *d,
			uint64_t records)
{
	char buf[384];
	size_t o = 0;

#define PART(cond, ...)                                                               \
	do {                                                                          \
		if ((cond) && o < sizeof(buf))                                        \
			o += snprintf(buf + o, sizeof(buf) - o, "%s", o ? ", " : ""); \
		if ((cond) && o < sizeof(buf))                                        \
			o += snprintf(buf + o, sizeof(buf) - o, __VA_ARGS__);         \
	} while (0)
	PART(d->bad_lines, "%llu bad line%s", (unsigned long long)d->bad_lines,
	     d->bad_lines == 1 ? "" : "s");
	PART(d->unknown_types, "%llu record%s of unknown type",
	     (unsigned long long)d->unknown_types, d->unknown_types == 1 ? "" : "s");
	PART(d->after_trailer, "%llu record%s after the trailer",
	     (unsigned long long)d->after_trailer, d->after_trailer == 1 ? "" : "s");
	PART(d->out_of_order, "%llu event%s out of order", (unsigned long long)d->out_of_order,
	     d->out_of_order == 1 ? "" : "s");
	PART(d->missing_events, "%llu event%s missing", (unsigned long long)d->missing_events,
	     d->missing_events == 1 ? "" : "s");
	PART(d->extra_events, "%llu event%s too many", (unsigned long long)d->extra_events,
	     d->extra_events == 1 ? "" : "s");
	PART(d->newer_version, "a newer format");
	PART(d->missing_header, "no header");
	PART(d->missing_trailer, "no trailer");
	PART(d->compressed_damaged, "damaged compression");
	PART(!o, "records missing");
#undef PART
	if (r->problems > MAX_SHOWN && !r->verbose)
		psc_err("%s: %llu more problems not shown (-v shows them)", r->name,
			(unsigned long long)(r->problems - MAX_SHOWN));
	if (d->ignored)
		psc_err("%s: the log is damaged (%s): the summary covers the %llu records that "
			"could be used (%llu more ignored)",
			r->name, buf, (unsigned long long)records, (unsigned long long)d->ignored);
	else
		psc_err("%s: the log is damaged (%s): the summary covers the %llu records that "
			"could be read",
			r->name, buf, (unsigned long long)records);
}

/*
 * No output may be the log (`report --svg LOG LOG` read as "--svg LOG" and the input LOG) or
 * another output: refused before anything is opened for writing
 */
static int outputs_distinct(const struct report_run *r, const char *log)
{
	const char *outs[] = { r->perfetto, r->svg }, *out, *other;
	bool is_input;

	if (!outfile_check_distinct(outs, 2, &log, 1, &out, &other, &is_input))
		return 0;
	if (is_input)
		psc_err("failed to create '%s': it is the same file as the log '%s'", out, other);
	else
		psc_err("failed to create '%s': it is the same file as the output '%s'", out,
			other);
	return -EEXIST;
}

/* The summary's rows: those of the processes -p, --comm and --since select */
struct report_view {
	struct model_view view;
	const struct summary_opts *so;
};

static bool view_shows(const struct model_view *v, const struct proc *p)
{
	return summary_selects(((const struct report_view *)v)->so, p);
}

static bool any_selected(const struct model *m, const struct summary_opts *so)
{
	size_t n, i;
	struct proc *const *all = proctree_all(m->tree, &n);

	for (i = 0; i < n; i++)
		if (summary_selects_owner(so, all[i]))
			return true;
	return false;
}

/* After each line fed: the progress shown, problems held back until the file is a log */
static void each_line(void *ctx, uint64_t lineno)
{
	struct report_run *r = ctx;

	if (r->show_progress && lineno % PROGRESS_EVERY == 0)
		progress_show(r, r->in);
	if (!r->is_log && report_feed_records(r->feed))
		release_problems(r, true);
}

static int add_timeline_sinks(struct model *m, const struct report_run *r)
{
	const char *paths[2] = { r->perfetto, r->svg };
	struct sink *sk;
	int i;

	for (i = 0; i < 2; i++) {
		if (!paths[i])
			continue;
		sk = i == 0 ? perfetto_sink_new(paths[i]) : svg_sink_new(paths[i]);
		if (!sk) {
			psc_err("failed to create '%s': %s", paths[i], outfile_strerror(errno));
			return -1;
		}
		sk->output = paths[i];
		model_add_sink(m, sk);
	}
	return 0;
}

static int run(const char *path, bool json, const struct report_filter *flt,
	       struct summary_opts *so, struct report_run *r)
{
	struct report_view rv = { 0 };
	struct evread_file *in;
	struct report_feed *feed = NULL;
	struct model *m = NULL;
	struct sink *sk;
	const struct summary_log_damage *dmg;
	uint64_t end, err_line;
	int n, err = 0, summary_err = 0, ret = REPORT_EXIT_IO;

	in = evread_file_open(path);
	if (!in) {
		psc_err("failed to open '%s': %s", path, strerror(errno));
		return REPORT_EXIT_IO;
	}
	m = model_new();
	if (m)
		feed = report_feed_new(m, flt, print_problem, r);
	if (!m || !feed) {
		psc_err("out of memory");
		goto out;
	}
	/* seeds carry /proc start times to one clock tick, as in the live trace */
	proctree_set_tick_ns(m->tree, procfs_tick_ns());
	/* the timelines stream: they must see every event, from the first one on */
	if (add_timeline_sinks(m, r))
		goto out;
	r->show_progress = isatty(STDERR_FILENO);
	r->in = in;
	r->feed = feed;
	n = report_pipe_run(feed, in, report_pipe_threads(), each_line, r, &err, &err_line);
	if (err) {
		psc_err("out of memory at line %llu", (unsigned long long)err_line);
		goto out;
	}
	progress_clear(r);
	if (n < 0 && n != -EBADMSG) {
		release_problems(r, true);
		psc_err("failed to read '%s' after line %llu: %s", path,
			(unsigned long long)evread_file_lineno(in), strerror(-n));
		goto out;
	}
	/* not one record from start to end (a compressed log cut short is a damaged log) */
	if (!r->is_log && !n) {
		release_problems(r, false);
		if (evread_file_lineno(in))
			psc_err("failed to read '%s': not a procscope event log (none of its %llu "
				"lines is a procscope record)",
				r->name, (unsigned long long)evread_file_lineno(in));
		else
			psc_err("failed to read '%s': not a procscope event log (it is empty)",
				r->name);
		goto out;
	}
	release_problems(r, true);
	if (n == -EBADMSG)
		report_feed_input_error(feed, n);
	end = report_feed_end(feed);
	dmg = report_feed_damage(feed);
	/* the window in absolute time, now that the header gave the base */
	if (flt->has_since)
		so->since_ns = m->meta.boottime_base_ns + (uint64_t)flt->since_rel_ns;
	if (flt->has_until)
		so->until_ns = m->meta.boottime_base_ns + (uint64_t)flt->until_rel_ns;
	if (summary_is_filtered(so)) {
		rv.view.shows = view_shows;
		rv.so = so;
		m->view = &rv.view;
	}
	/* -p/--comm that select nothing: say so, rather than an empty summary */
	if ((flt->pid || flt->comm) && !any_selected(m, so)) {
		if (flt->comm)
			psc_err("%s: no process named '%s' in the log", r->name, flt->comm);
		else
			psc_err("%s: no process %u in the log", r->name, flt->pid);
		err = model_finish(m, end); /* the timelines still get their end */
		ret = err ? REPORT_EXIT_IO : REPORT_EXIT_NO_MATCH;
		goto out;
	}
	if (json) {
		sk = summary_json_sink_new("-", so);
		if (sk)
			summary_json_sink_set_damage(sk, dmg);
	} else {
		sk = summary_sink_new(stdout, so);
	}
	if (!sk) {
		psc_err("out of memory");
		goto out;
	}
	model_add_sink(m, sk);
	err = model_finish(m, end);
	/* each output names its own failure (a full disk fails them all) */
	for (sk = m->sinks; sk; sk = sk->next) {
		if (sk->finish_err && sk->output)
			psc_err("failed to write '%s': %s", sk->output, strerror(-sk->finish_err));
		else if (sk->finish_err && !summary_err)
			summary_err = sk->finish_err;
	}
	if (fflush(stdout) && !summary_err)
		summary_err = -errno;
	if (summary_err)
		psc_err("failed to write the summary: %s", strerror(-summary_err));
	if (err || summary_err)
		goto out;
	if (dmg)
		damage_line(r, dmg, report_feed_records(feed));
	ret = dmg ? REPORT_EXIT_DAMAGED : REPORT_EXIT_OK;
out:
	release_problems(r, false);
	report_feed_free(feed);
	model_free(m);
	evread_file_close(in);
	return ret;
}

static int report_cmd_main(int argc, char **argv)
{
	struct option longopts[NOPTS + 1];
	char shortopts[3 * NOPTS + 3];
	struct report_filter flt = { 0 };
	struct summary_opts so = { 0 };
	struct report_run r = { .progress = -1 };
	bool json = false;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = cli_getopt(argc, argv, report_opts_table, NOPTS, "", longopts, shortopts)) !=
	       -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				psc_err("unknown format '%s' (known: text, json)", optarg);
				return usage_error();
			}
			json = !strcmp(optarg, "json");
			break;
		case 'p': {
			pid_t pid;

			if (cli_parse_pid(optarg, &pid))
				return usage_error();
			flt.pid = so.pid = (uint32_t)pid;
			break;
		}
		case OPT_COMM:
			if (!*optarg) {
				psc_err("invalid --comm '': want a process name");
				return usage_error();
			}
			flt.comm = so.comm = optarg;
			break;
		case OPT_SINCE:
		case OPT_UNTIL: {
			int64_t ns;

			if (parse_secs(optarg, &ns)) {
				psc_err("invalid %s '%s': want seconds >= 0 from the trace start",
					c == OPT_SINCE ? "--since" : "--until", optarg);
				return usage_error();
			}
			if (c == OPT_SINCE) {
				flt.has_since = true;
				flt.since_rel_ns = ns;
			} else {
				flt.has_until = true;
				flt.until_rel_ns = ns;
			}
			break;
		}
		case OPT_TREE:
			so.sections |= SUMMARY_TREE;
			break;
		case OPT_ZOMBIES:
			so.sections |= SUMMARY_ZOMBIES;
			break;
		case OPT_ORPHANS:
			so.sections |= SUMMARY_ORPHANS;
			break;
		case OPT_IO:
			so.sections |= SUMMARY_IO;
			break;
		case OPT_UNIX:
			so.sections |= SUMMARY_UNIX;
			break;
		case OPT_PERFETTO:
			r.perfetto = optarg;
			break;
		case OPT_SVG:
			r.svg = optarg;
			break;
		case 'v':
			r.verbose = true;
			break;
		case OPT_ZOMBIE_MIN:
			if (cli_parse_ms("--zombie-min", optarg, &so.zombie_min_ns))
				return usage_error();
			so.zombie_min_set = true;
			break;
		case 'h':
			report_help(stdout);
			return REPORT_EXIT_OK;
		case OPT_VERSION:
			cli_print_version();
			return REPORT_EXIT_OK;
		default: /* ':' or '?' */
			psc_bad_option(c, argv);
			return usage_error();
		}
	}
	if (argc - optind != 1) {
		psc_err(argc == optind ? "report needs a LOG file ('-' for stdin)" :
					 "report reads one LOG file");
		return usage_error();
	}
	if (flt.has_since && flt.has_until && flt.since_rel_ns > flt.until_rel_ns) {
		psc_err("--since is after --until");
		return usage_error();
	}
	r.name = strcmp(argv[optind], "-") ? argv[optind] : "stdin";
	if (outputs_distinct(&r, argv[optind]))
		return usage_error();
	return run(argv[optind], json, &flt, &so, &r);
}

const struct cli_cmd cli_report_cmd = {
	.name = "report",
	.summary = "print the summary of a saved event log (trace -o)",
	.run = report_cmd_main,
	.help = report_help,
};
