/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The whole summary as one JSON document (docs/summary-json.md): the trace, the processes of
 * the tree (flat, with parent links), zombies, orphans, each event group's section, counts,
 * events and losses. Written the same way at the end of a live trace (--summary-json) and by
 * `report --format json`, so the two are byte for byte equal for the same events.
 */
#ifndef __PSC_SUMMARY_JSON_H
#define __PSC_SUMMARY_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include "model.h"
#include "summary.h"

#define PSC_SUMMARY_FORMAT "procscope-summary"
#define PSC_SUMMARY_VERSION 1

/* What `report` found wrong with its input; never set in a live trace */
struct summary_log_damage {
	uint64_t bad_lines; /* refused: not JSON, a bad field, cut short, too long */
	uint64_t unknown_types; /* records of a type this version does not know */
	uint64_t after_trailer; /* records after the trailer, ignored */
	uint64_t ignored; /* records read but left out: after the trailer, a second header */
	uint64_t out_of_order; /* events older than one before them, beyond the tracer's count */
	uint64_t missing_events; /* the trailer counts more events than the log holds */
	uint64_t extra_events; /* the log holds more events than the trailer counts */
	uint64_t newer_version; /* the header's format version, when newer than ours; else 0 */
	bool missing_header; /* times are relative to an assumed start */
	bool missing_trailer; /* the log ends early */
	bool compressed_damaged; /* the gzip stream is cut or corrupt */
	char first_problem[256]; /* "LINE: reason" of the first problem */
};

struct jw;

/*
 * Write the document for @m (after model_finish) into @w, as selected by @opts (NULL: all),
 * with @damage (NULL: none). The caller checks jw_error(w).
 */
void summary_json_write(struct jw *w, const struct model *m, const struct summary_opts *opts,
			const struct summary_log_damage *damage);

/*
 * A sink writing the document at finish to @path ("-": stdout) through outfile.c: a temp file
 * created now beside @path (mode 0600, hardened), renamed over @path when whole, removed
 * otherwise. Returns NULL with errno set.
 */
struct sink *summary_json_sink_new(const char *path, const struct summary_opts *opts);
/* Report damage to include in the document (copied); call before model_finish */
void summary_json_sink_set_damage(struct sink *s, const struct summary_log_damage *damage);

#endif /* __PSC_SUMMARY_JSON_H */
