/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * NDJSON event log -> events: the exact inverse of the log writer (evjson.c, schema.c), driven by
 * the same schema tables. One line at a time, so a log of any size streams. Pure: never prints;
 * refused lines come back as an error code with a reason in evread_error().
 */
#ifndef __PSC_EVREAD_H
#define __PSC_EVREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "decode.h"
#include "model.h"

/* Longest line read; a longer one is refused (the largest record written is about 8 KiB) */
#define EVREAD_MAX_LINE (64u << 10)

/*
 * Time 0 of a log without a header: large enough that every relative time (negative for
 * processes older than the trace) stays a positive CLOCK_BOOTTIME value, so durations and the
 * order of events are right; only absolute times are unknown.
 */
#define EVREAD_ASSUMED_BASE_NS (1ull << 62)

enum evread_kind {
	EVREAD_EVENT = 1, /* rec->ev: a kernel event or a seed, times absolute */
	EVREAD_HEADER, /* rec->meta (exit_status -1), rec->version */
	EVREAD_TRAILER, /* rec->trailer */
	EVREAD_LOST, /* rec->lost */
	EVREAD_DERIVED, /* "derived": true (orphan): the model derives it again, skip it */
};

struct evread_lost {
	uint64_t ts_ns; /* absolute */
	uint64_t count;
	uint64_t by_type[PSC_EV_TYPE_MAX];
	bool queue; /* cause "queue": procscope's queue was full (else the ring buffer was) */
};

struct evread_trailer {
	uint64_t end_ns; /* absolute */
	uint64_t events;
	uint64_t lost;
	uint64_t malformed; /* ring records the tracer dropped */
	uint64_t unknown_type;
	uint64_t out_of_order;
	bool has_command_status;
	uint32_t command_status; /* wait status */
	bool interrupted;
	char missing_hooks[256];
};

struct evread_record {
	enum evread_kind kind;
	uint64_t version; /* EVREAD_HEADER: the log format version */
	union {
		union psc_event ev;
		struct trace_meta meta;
		struct evread_lost lost;
		struct evread_trailer trailer;
	};
};

/* The line parser: a json-c tokener and the time base of the log being read */
struct evread;

/* Returns NULL with errno set. Times count from EVREAD_ASSUMED_BASE_NS until a header is read. */
struct evread *evread_new(void);
void evread_free(struct evread *r);

/*
 * Parse one line (without its '\n'; a trailing '\r' or blanks are allowed) into @rec. A header
 * sets the time base for the lines after it. Returns an enum evread_kind, or -EBADMSG (not one
 * JSON object, a field missing, of the wrong type or out of range), -EPROTO (an unknown record
 * type) or -ENOMEM; then evread_error() says why, naming the field.
 */
int evread_parse_line(struct evread *r, const char *line, size_t len, struct evread_record *rec);
/*
 * The fast path for the event lines procscope writes: on by default. Off, json-c reads every
 * line. The records are the same either way (the fuzzer and the unit tests compare).
 */
void evread_set_fast(struct evread *r, bool on);
/* The reason for the last refused line ("" if none) */
const char *evread_error(const struct evread *r);
/* Use @base_ns as time 0 from now on (the header's boottime_base_ns) */
void evread_set_base(struct evread *r, uint64_t base_ns);
uint64_t evread_base(const struct evread *r);

#endif /* __PSC_EVREAD_H */
