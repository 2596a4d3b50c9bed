/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Events <-> JSON objects of the NDJSON log (docs/events.md). Field names live only here. Pure.
 */
#ifndef __PSC_EVJSON_H
#define __PSC_EVJSON_H

#include "json_writer.h"
#include "model.h"

#define PSC_LOG_FORMAT "procscope-events"
#define PSC_LOG_VERSION 1

/* One event as a JSON object (times relative to the trace start), with derived facts from @subject */
void evjson_write_event(struct jw *w, const struct model *m, const union psc_event *ev,
			const struct proc *subject);
/* The same bytes, through the log writer's memo (schema_write_record_memo()) */
struct schema_memo;
void evjson_write_event_memo(struct jw *w, const struct model *m, const union psc_event *ev,
			     const struct proc *subject, struct schema_memo *memo);
/* The derived "orphan" record */
void evjson_write_orphan(struct jw *w, const struct model *m, const struct proc *child,
			 const struct proc *old_parent, const struct proc *new_parent, uint64_t ts);
/* The in-band "lost" record: the kernel dropped events */
void evjson_write_lost(struct jw *w, const struct model *m, uint64_t ts, const uint64_t *by_type,
		       uint64_t total);
void evjson_write_header(struct jw *w, const struct model *m);
void evjson_write_trailer(struct jw *w, const struct model *m);

/* "key": {type name: count...} for the non-zero counts of a per-type array */
void evjson_kv_type_counts(struct jw *w, const char *key, const uint64_t *by_type);

/* "code", or "signal"/"signal_name"/"core_dumped" fields for a wait status */
void evjson_write_status(struct jw *w, uint32_t status);

#endif /* __PSC_EVJSON_H */
