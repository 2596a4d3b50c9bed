// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report's feed: the lines of a saved event log into the model the live tracer uses. A damaged
 * log is read to its end: each problem is named with its line and every good record counts.
 * Pure: no printing (problems go to a callback), no files (the caller reads the lines).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "evjson.h"
#include "evfile.h"
#include "evread.h"
#include "report_feed.h"
#include "schema.h"
#include "summary.h"

struct report_feed {
	struct model *m;
	struct evread *rd;
	struct report_filter filter;
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

struct report_feed *report_feed_new(struct model *m, const struct report_filter *filter,
				    report_problem_fn fn, void *ctx)
{
	struct report_feed *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->rd = evread_new();
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
	/* until a header says otherwise: no command status, every group, an assumed start */
	m->meta.exit_status = -1;
	m->meta.groups = PSC_GROUP_ALL;
	m->meta.boottime_base_ns = EVREAD_ASSUMED_BASE_NS;
	return f;
}

void report_feed_free(struct report_feed *f)
{
	if (!f)
		return;
	evread_free(f->rd);
	free(f);
}

uint64_t report_feed_records(const struct report_feed *f)
{
	return f->records;
}

const struct summary_log_damage *report_feed_damage(const struct report_feed *f)
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
	evread_set_base(f->rd, t->boottime_base_ns);
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

/*
 * Everything up to --until is applied, whatever -p, --comm and --since say: a filter picks the
 * rows the summary shows (model->view), it never drops what is known about them (the server
 * side of a selected client's connection, a registration made before --since).
 */
static bool keep_event(const struct report_feed *f, const union psc_event *ev)
{
	/* seeds are the state at the start, whatever the window */
	return ev->hdr.type == PSC_EV_PROC_SEED || !after_until(f, ev->hdr.ts_ns);
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
static bool bad_event(struct report_feed *f, uint64_t lineno, const union psc_event *ev)
{
	if (!decode_check_event(ev))
		return false;
	f->damage.bad_lines++;
	problem(f, lineno, "a '%s' record that names pid 0: skipped",
		decode_type_name(ev->hdr.type));
	return true;
}

/* The record in f->rec (an event: @ev), of @kind, read from line @lineno: into the model */
static int feed_record(struct report_feed *f, uint64_t lineno, int kind, const union psc_event *ev)
{
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
	if (kind == EVREAD_EVENT && bad_event(f, lineno, ev))
		return 0;
	f->records++;
	missing_header(f, lineno);
	f->records_seen = true;
	switch (kind) {
	case EVREAD_EVENT:
		f->events_read++;
		check_order(f, lineno, ev->hdr.ts_ns);
		if (!keep_event(f, ev))
			return 0;
		return model_apply(f->m, ev);
	case EVREAD_LOST:
		if (!after_until(f, f->rec.lost.ts_ns))
			model_lost_from(f->m, f->rec.lost.ts_ns, f->rec.lost.by_type,
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

int report_feed_line(struct report_feed *f, uint64_t lineno, const char *line, size_t len,
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
	kind = evread_parse_line(f->rd, line, len, &f->rec);
	if (kind == -ENOMEM)
		return -ENOMEM;
	if (kind < 0 && (flags & EVREAD_LINE_UNTERMINATED)) {
		f->damage.bad_lines++;
		problem(f, lineno, "the last line is cut short (%s): ignored", evread_error(f->rd));
		return 0;
	}
	if (kind == -EPROTO) {
		f->damage.unknown_types++;
		problem(f, lineno, "%s (from a newer procscope?): skipped", evread_error(f->rd));
		return 0;
	}
	if (kind < 0) {
		f->damage.bad_lines++;
		problem(f, lineno, "%s: skipped", evread_error(f->rd));
		return 0;
	}
	return feed_record(f, lineno, kind, &f->rec.ev);
}

int report_feed_event(struct report_feed *f, uint64_t lineno, const union psc_event *ev)
{
	f->lines++;
	return feed_record(f, lineno, EVREAD_EVENT, ev);
}

bool report_feed_base(const struct report_feed *f, uint64_t *base_ns)
{
	/* take_header() sets the base only before the first record of any kind */
	if (!f->header_seen && !f->records_seen)
		return false;
	*base_ns = evread_base(f->rd);
	return true;
}

void report_feed_input_error(struct report_feed *f, int err)
{
	if (err == -EBADMSG) {
		f->damage.compressed_damaged = true;
		problem(f, 0, "the compressed data is cut short or corrupt after line %llu",
			(unsigned long long)f->lines);
	}
}

uint64_t report_feed_end(struct report_feed *f)
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
