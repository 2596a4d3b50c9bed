/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The feed of `procscope report LOG`: a saved event log read back into the same model the live
 * tracer builds (docs/report.md). Pure; the command is user/cli/cmd_report.c.
 */
#ifndef __PSC_REPORT_FEED_H
#define __PSC_REPORT_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "model.h"
#include "summary_json.h"

/*
 * report's filters. The feed applies every record up to until_rel_ns; pid, comm and since only
 * pick the rows the summary shows (the caller's model->view), never what the model knows.
 */
struct report_filter {
	uint32_t pid; /* rows of this subtree; 0 = any */
	const char *comm; /* ... or of subtrees of processes with this name; NULL = any */
	bool has_since;
	int64_t since_rel_ns; /* rows of processes still there from then on */
	bool has_until;
	int64_t until_rel_ns; /* no record after it is applied */
};

/* Called for each problem: @lineno 0 for the whole log (no header, no trailer...) */
typedef void (*report_problem_fn)(void *ctx, uint64_t lineno, const char *msg);

/*
 * Log lines -> the model: header into m->meta, events through model_apply(), losses through
 * model_lost(), derived records skipped, the trailer kept for report_feed_end(). Pure; the
 * fuzz target drives it too.
 */
struct report_feed;

/* Returns NULL with errno set. @filter may be NULL; @fn may be NULL. */
struct report_feed *report_feed_new(struct model *m, const struct report_filter *filter,
				    report_problem_fn fn, void *ctx);
void report_feed_free(struct report_feed *f);
/* One line (EVREAD_LINE_* @flags). Returns 0, or -ENOMEM (the only fatal error). */
int report_feed_line(struct report_feed *f, uint64_t lineno, const char *line, size_t len,
		     unsigned int flags);
/*
 * An event line another thread parsed (evfast_parse_event() with report_feed_base()'s base):
 * as report_feed_line() would have fed it. Returns 0, or -ENOMEM.
 */
int report_feed_event(struct report_feed *f, uint64_t lineno, const union psc_event *ev);
/*
 * The time base every later line is read with, once it can no longer change (a header or a
 * first record was fed): true and *@base_ns, else false
 */
bool report_feed_base(const struct report_feed *f, uint64_t *base_ns);
/* The input ended early: a read error (-errno) or damaged compressed data (-EBADMSG) */
void report_feed_input_error(struct report_feed *f, int err);
/*
 * End of input: the trailer's facts into the model, a missing header or trailer noted. Returns
 * the end of the trace for model_finish().
 */
uint64_t report_feed_end(struct report_feed *f);
/* What was wrong with the log, NULL if nothing */
const struct summary_log_damage *report_feed_damage(const struct report_feed *f);
/* Records the summary covers (every kind; not those ignored or refused), for messages */
uint64_t report_feed_records(const struct report_feed *f);

#endif /* __PSC_REPORT_FEED_H */
