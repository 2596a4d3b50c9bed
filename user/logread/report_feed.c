// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `procscope report`: read a saved event log line by line (plain, gzip or zstd, any size), feed
 * it to the model the live tracer uses, print the same summary. A damaged log is read to its end: each
 * problem is named with its line, every good record still counts, and the exit status says so.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "decode.h"
#include "evjson.h"
#include "evfile.h"
#include "evread.h"
#include "log.h"
#include "outfile.h"
#include "procfs.h"
#include "perfetto.h"
#include "report.h"
#include "svg.h"
#include "schema.h"
#include "strutil.h"
#include "summary.h"

struct report_feed {
	struct model *m;
	struct evread *rd;
	struct report_filter filter;
	struct summary_opts owner_sel; /* pid and comm only, for group events */
	bool owner_filter;
	report_problem_fn problem;
	void *ctx;
	struct summary_log_damage damage;
	bool damaged;
	bool header_seen;
	bool records_seen; /* anything but a header applied */
	bool trailer_seen;
	struct evread_trailer trailer;
	uint64_t lines;
	uint64_t records; /* records the summary covers, of any kind */
	uint64_t events_read; /* event records read, before any filter */
	uint64_t max_ts; /* the newest event time so far */
	uint64_t out_of_order; /* events older than one before them */
	uint64_t first_out_of_order; /* the line of the first */
	struct evread_record rec;
};

static void problem(struct report_feed *f, uint64_t lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct report_feed *f, uint64_t lineno, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!f->damaged) {
		if (lineno)
			snprintf(f->damage.first_problem, sizeof(f->damage.first_problem),
				 "%llu: %.200s", (unsigned long long)lineno, msg);
		else
			snprintf(f->damage.first_problem, sizeof(f->damage.first_problem), "%.200s",
				 msg);
	}
	f->damaged = true;
	if (f->problem)
		f->problem(f->ctx, lineno, msg);
}

struct report_feed *report_feed__new(struct model *m, const struct report_filter *filter,
				     report_problem_fn fn, void *ctx)
{
	struct report_feed *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->rd = evread__new();
	if (!f->rd) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->m = m;
	f->problem = fn;
	f->ctx = ctx;
	if (filter)
		f->filter = *filter;
	f->owner_sel.pid = f->filter.pid;
	f->owner_sel.comm = f->filter.comm;
	f->owner_filter = f->filter.pid || f->filter.comm;
	/* until a header says otherwise: no command status, every group, an assumed start */
	m->meta.exit_status = -1;
	m->meta.groups = PSC_GROUP_ALL;
	m->meta.boottime_base_ns = EVREAD_ASSUMED_BASE_NS;
	return f;
}

void report_feed__free(struct report_feed *f)
{
	if (!f)
		return;
	evread__free(f->rd);
	free(f);
}

uint64_t report_feed__records(const struct report_feed *f)
{
	return f->records;
}

const struct summary_log_damage *report_feed__damage(const struct report_feed *f)
{
	return f->damaged ? &f->damage : NULL;
}

static void missing_header(struct report_feed *f, uint64_t lineno)
{
	if (f->header_seen || f->damage.missing_header)
		return;
	f->damage.missing_header = true;
	if (lineno)
		problem(f, lineno,
			"no header before this record: not a whole procscope log; times count "
			"from an assumed start");
	else
		problem(f, 0, "no header: not a procscope event log, or its start is missing");
}

/* Returns whether the header was taken (a second one is not) */
static bool take_header(struct report_feed *f, uint64_t lineno)
{
	struct trace_meta *t = &f->rec.meta;

	if (f->header_seen || f->records_seen) {
		f->damage.ignored++;
		problem(f, lineno, "a second header (logs joined together?): ignored");
		return false;
	}
	f->header_seen = true;
	f->m->meta = *t;
	evread__set_base(f->rd, t->boottime_base_ns);
	if (f->rec.version > PSC_LOG_VERSION) {
		f->damage.newer_version = f->rec.version;
		problem(f, lineno,
			"log format version %llu%s is newer than this procscope's (%d): reading "
			"the records it knows",
			(unsigned long long)f->rec.version,
			f->rec.version == UINT64_MAX ? " or more" : "", PSC_LOG_VERSION);
	}
	return true;
}

static bool after_until(const struct report_feed *f, uint64_t ts)
{
	return f->filter.has_until && model_rel_ns(f->m, ts) > f->filter.until_rel_ns;
}

/* Group events of other processes, or before the window, stay out of the filtered model */
static bool keep_event(const struct report_feed *f, const union psc_event *ev)
{
	const struct schema_type *st = schema_lookup(ev->hdr.type);
	const struct proc *owner;

	/* seeds are the state at the start, whatever the window */
	if (ev->hdr.type != PSC_EV_PROC_SEED && after_until(f, ev->hdr.ts_ns))
		return false;
	if (!st || st->group == PSC_GROUP_PROC)
		return true; /* the tree needs every process event, whatever the filter */
	if (f->filter.has_since && model_rel_ns(f->m, ev->hdr.ts_ns) < f->filter.since_rel_ns)
		return false;
	if (!f->owner_filter)
		return true;
	owner = proctree__find(f->m->tree, ev->hdr.tgid, ev->hdr.start_ns);
	return owner && summary_selects_owner(&f->owner_sel, owner);
}

/* Lines are not NUL-terminated: look at @len bytes only */
static bool is_blank(const char *line, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

/* The time order the tracer wrote: an event older than one before it was moved */
static void check_order(struct report_feed *f, uint64_t lineno, uint64_t ts)
{
	if (ts >= f->max_ts) {
		f->max_ts = ts;
		return;
	}
	if (!f->out_of_order++)
		f->first_out_of_order = lineno;
}

/* A record that names no process (pid 0) is not applied: the model would invent one */
static bool bad_event(struct report_feed *f, uint64_t lineno)
{
	const union psc_event *ev = &f->rec.ev;

	if (!decode_check_event(ev))
		return false;
	f->damage.bad_lines++;
	problem(f, lineno, "a '%s' record that names pid 0: skipped",
		decode_type_name(ev->hdr.type));
	return true;
}

int report_feed__line(struct report_feed *f, uint64_t lineno, const char *line, size_t len,
		      unsigned int flags)
{
	static const char bom[] = "\xef\xbb\xbf";
	int kind;

	/* a text editor's UTF-8 byte order mark before the header is no damage */
	if (!f->lines && len >= 3 && !memcmp(line, bom, 3)) {
		line += 3;
		len -= 3;
	}
	f->lines++;
	if (flags & EVREAD_LINE_TOO_LONG) {
		f->damage.bad_lines++;
		problem(f, lineno, "line longer than %u bytes: skipped", EVREAD_MAX_LINE);
		return 0;
	}
	if (is_blank(line, len))
		return 0; /* a blank line holds nothing to lose */
	kind = evread__parse_line(f->rd, line, len, &f->rec);
	if (kind == -ENOMEM)
		return -ENOMEM;
	if (kind < 0 && (flags & EVREAD_LINE_UNTERMINATED)) {
		f->damage.bad_lines++;
		problem(f, lineno, "the last line is cut short (%s): ignored",
			evread__error(f->rd));
		return 0;
	}
	if (kind == -EPROTO) {
		f->damage.unknown_types++;
		problem(f, lineno, "%s (from a newer procscope?): skipped", evread__error(f->rd));
		return 0;
	}
	if (kind < 0) {
		f->damage.bad_lines++;
		problem(f, lineno, "%s: skipped", evread__error(f->rd));
		return 0;
	}
	if (f->trailer_seen) {
		f->damage.ignored++;
		if (!f->damage.after_trailer++)
			problem(f, lineno,
				"records after the trailer (logs joined together?): "
				"ignored");
		return 0;
	}
	if (kind == EVREAD_HEADER) {
		f->records += take_header(f, lineno);
		return 0;
	}
	if (kind == EVREAD_EVENT && bad_event(f, lineno))
		return 0;
	f->records++;
	missing_header(f, lineno);
	f->records_seen = true;
	switch (kind) {
	case EVREAD_EVENT:
		f->events_read++;
		check_order(f, lineno, f->rec.ev.hdr.ts_ns);
		if (!keep_event(f, &f->rec.ev))
			return 0;
		return model__apply(f->m, &f->rec.ev);
	case EVREAD_LOST:
		if (!after_until(f, f->rec.lost.ts_ns))
			model__lost_from(f->m, f->rec.lost.ts_ns, f->rec.lost.by_type,
					 f->rec.lost.queue ? MODEL_LOSS_QUEUE : MODEL_LOSS_RINGBUF);
		return 0;
	case EVREAD_TRAILER:
		f->trailer_seen = true;
		f->trailer = f->rec.trailer;
		return 0;
	default:
		return 0; /* derived: the model has made it again */
	}
}

void report_feed__input_error(struct report_feed *f, int err)
{
	if (err == -EBADMSG) {
		f->damage.compressed_damaged = true;
		problem(f, 0, "the compressed data is cut short or corrupt after line %llu",
			(unsigned long long)f->lines);
	}
}

uint64_t report_feed__end(struct report_feed *f)
{
	struct model *m = f->m;
	uint64_t end = 0, until;

	if (!f->records && !f->damaged) {
		f->damage.missing_header = f->damage.missing_trailer = true;
		problem(f, 0, "no records: an empty log");
		return 0;
	}
	missing_header(f, 0);
	if (!f->trailer_seen) {
		f->damage.missing_trailer = true;
		problem(f, 0,
			"no trailer: the log ends early (the tracer was killed or the log was cut); "
			"the summary ends at its last event");
	} else {
		end = f->trailer.end_ns;
		if (f->trailer.has_command_status)
			m->meta.exit_status = (int)f->trailer.command_status;
		m->meta.interrupted = f->trailer.interrupted;
		memcpy(m->meta.missing_hooks, f->trailer.missing_hooks,
		       sizeof(m->meta.missing_hooks));
		/* ring records the tracer itself dropped: the summary names them as it did */
		m->stats.malformed += f->trailer.malformed;
		m->stats.unknown_type += f->trailer.unknown_type;
		if (!f->damaged && f->trailer.events > f->events_read) {
			f->damage.missing_events = f->trailer.events - f->events_read;
			problem(f, 0,
				"the trailer counts %llu events, the log holds %llu: lines "
				"are missing",
				(unsigned long long)f->trailer.events,
				(unsigned long long)f->events_read);
		} else if (!f->damaged && f->trailer.events < f->events_read) {
			f->damage.extra_events = f->events_read - f->trailer.events;
			problem(f, 0,
				"the trailer counts %llu events, the log holds %llu: lines "
				"are repeated or were added",
				(unsigned long long)f->trailer.events,
				(unsigned long long)f->events_read);
		}
	}
	/* the tracer counted the disorder it saw itself (CPUs racing for the ring) */
	if (f->out_of_order > (f->trailer_seen ? f->trailer.out_of_order : 0)) {
		f->damage.out_of_order =
			f->out_of_order - (f->trailer_seen ? f->trailer.out_of_order : 0);
		problem(f, f->first_out_of_order,
			"%llu %s older than one before %s, the first here (the tracer saw "
			"%llu): lines were moved; the summary may be wrong",
			(unsigned long long)f->out_of_order,
			f->out_of_order == 1 ? "event is" : "events are",
			f->out_of_order == 1 ? "it" : "them",
			(unsigned long long)(f->trailer_seen ? f->trailer.out_of_order : 0));
	}
	if (f->filter.has_until) {
		until = m->meta.boottime_base_ns + (uint64_t)f->filter.until_rel_ns;
		if (end > until)
			end = until;
	}
	return end;
}

/* ---- the command ---- */

static const char report_usage[] =
	"Usage: procscope report [OPTIONS] LOG\n"
	"\n"
	"Read an event log written by 'trace -o' or 'demo -o' (plain, gzip or zstd, by content;\n"
	"'-' for stdin)\n"
	"and print the summary the live trace printed, or a part of it.\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT       text (default) or json: the summary as one JSON document\n"
	"  -p, --pid PID          only PID and its descendants\n"
	"      --comm NAME        only processes named NAME and their descendants\n"
	"      --since SECS       only what happened from SECS seconds after the trace start\n"
	"      --until SECS       only what happened up to SECS seconds after the trace start\n"
	"      --tree             the process tree\n"
	"      --zombies          the zombie table\n"
	"      --orphans          the orphan table\n"
	"      --io               I/O readiness (epoll, poll, select)\n"
	"      --unix             unix-socket connections and wake-ups\n"
	"                         (no section option: every section)\n"
	"      --perfetto FILE    a timeline for ui.perfetto.dev / chrome://tracing\n"
	"                         (Chrome trace JSON; gzip if FILE ends in .gz; docs/timeline.md)\n"
	"      --svg FILE         the same timeline as a self-contained SVG picture\n"
	"  -v, --verbose          every problem of a damaged log, not only the first 10\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 ok, 1 the log cannot be read, 2 usage, 3 the log is damaged (the\n"
	"summary then covers every record that could be read).\n"
	"\n"
	"Examples:\n"
	"  procscope trace -o build.jsonl.zst -- make -j4\n"
	"  procscope report build.jsonl.zst\n"
	"  procscope report --zombies --comm cc1 build.jsonl.zst\n"
	"  procscope report --format json build.jsonl.zst | jq '.zombies[0]'\n";

enum {
	OPT_COMM = 256,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_TREE,
	OPT_ZOMBIES,
	OPT_ORPHANS,
	OPT_IO,
	OPT_UNIX,
	OPT_PERFETTO,
	OPT_SVG,
};

#define MAX_SHOWN 10

struct report_run {
	const char *name; /* for messages */
	bool verbose;
	int progress; /* the percentage shown on stderr (a terminal), -1 if none */
	uint64_t problems;
	const char *perfetto; /* --perfetto FILE */
	const char *svg; /* --svg FILE */
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
	char safe[768];

	if (r->problems++ >= MAX_SHOWN && !r->verbose)
		return;
	progress_clear(r);
	/* messages quote the log (a type name...): nothing in it may reach the terminal raw */
	term_escape_str(safe, sizeof(safe), msg);
	if (lineno)
		psc_err("%s:%llu: %s", r->name, (unsigned long long)lineno, safe);
	else
		psc_err("%s: %s", r->name, safe);
}

static int usage_error(void)
{
	fprintf(stderr, "Try 'procscope report --help' for more information.\n");
	return REPORT_EXIT_USAGE;
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
		model__add_sink(m, sk);
	}
	return 0;
}

static int run(const char *path, bool json, const struct report_filter *flt,
	       struct summary_opts *so, struct report_run *r)
{
	struct evread_file *in;
	struct report_feed *feed = NULL;
	struct model *m = NULL;
	struct sink *sk;
	const struct summary_log_damage *dmg;
	const char *line;
	unsigned int flags;
	size_t len;
	uint64_t end;
	int n, err = 0, summary_err = 0, ret = REPORT_EXIT_IO;
	bool progress;

	in = evread_file_open(path);
	if (!in) {
		psc_err("failed to open '%s': %s", path, strerror(errno));
		return REPORT_EXIT_IO;
	}
	m = model__new();
	if (m)
		feed = report_feed__new(m, flt, print_problem, r);
	if (!m || !feed) {
		psc_err("out of memory");
		goto out;
	}
	/* seeds carry /proc start times to one clock tick, as in the live trace */
	proctree__set_tick_ns(m->tree, procfs_tick_ns());
	/* the timelines stream: they must see every event, from the first one on */
	if (add_timeline_sinks(m, r))
		goto out;
	progress = isatty(STDERR_FILENO);
	while ((n = evread_file_next(in, &line, &len, &flags)) > 0) {
		if (progress && evread_file_lineno(in) % PROGRESS_EVERY == 0)
			progress_show(r, in);
		err = report_feed__line(feed, evread_file_lineno(in), line, len, flags);
		if (err) {
			psc_err("out of memory at line %llu",
				(unsigned long long)evread_file_lineno(in));
			goto out;
		}
	}
	progress_clear(r);
	if (n < 0 && n != -EBADMSG) {
		psc_err("failed to read '%s' after line %llu: %s", path,
			(unsigned long long)evread_file_lineno(in), strerror(-n));
		goto out;
	}
	if (n == -EBADMSG)
		report_feed__input_error(feed, n);
	end = report_feed__end(feed);
	dmg = report_feed__damage(feed);
	/* the window in absolute time, now that the header gave the base */
	if (flt->has_since)
		so->since_ns = m->meta.boottime_base_ns + (uint64_t)flt->since_rel_ns;
	if (flt->has_until)
		so->until_ns = m->meta.boottime_base_ns + (uint64_t)flt->until_rel_ns;
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
	model__add_sink(m, sk);
	err = model__finish(m, end);
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
		damage_line(r, dmg, report_feed__records(feed));
	ret = dmg ? REPORT_EXIT_DAMAGED : REPORT_EXIT_OK;
out:
	report_feed__free(feed);
	model__free(m);
	evread_file_close(in);
	return ret;
}

int report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "zombies", no_argument, NULL, OPT_ZOMBIES },
		{ "orphans", no_argument, NULL, OPT_ORPHANS },
		{ "io", no_argument, NULL, OPT_IO },
		{ "unix", no_argument, NULL, OPT_UNIX },
		{ "perfetto", required_argument, NULL, OPT_PERFETTO },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct report_filter flt = { 0 };
	struct summary_opts so = { 0 };
	struct report_run r = { .progress = -1 };
	bool json = false;
	char *end;
	long v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:p:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				psc_err("unknown format '%s' (known: text, json)", optarg);
				return usage_error();
			}
			json = !strcmp(optarg, "json");
			break;
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > INT_MAX) {
				psc_err("invalid pid '%s'", optarg);
				return usage_error();
			}
			flt.pid = so.pid = (uint32_t)v;
			break;
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
		case 'h':
			fputs(report_usage, stdout);
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
