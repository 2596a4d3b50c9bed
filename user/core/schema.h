/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * One table per event type maps the wire record to its JSON object: decode validates with it,
 * the NDJSON log is written from it and `report` reads logs back through it. Field names of the
 * log live here and in the schema_<group>.c tables only. Pure.
 */
#ifndef __PSC_SCHEMA_H
#define __PSC_SCHEMA_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "json_writer.h"
#include "psc_events.h"

union psc_event;

enum schema_kind {
	SK_U32 = 1,
	SK_S32,
	SK_U64,
	SK_S64,
	SK_TIME, /* u64 CLOCK_BOOTTIME ns -> i64 ns relative to the trace start (0 stays 0) */
	SK_STR, /* char[size], NUL-terminated on decode */
	SK_FLAG, /* bit @aux of the u32 at @off -> bool */
	SK_CHAR, /* u32 holding one character, as a one-letter string ("" for 0) */
	SK_ARGV, /* char[size] of NUL-separated strings, byte count in the u32 at @aux */
	SK_UNIXADDR, /* struct psc_unix_addr -> "path" ("@name" when abstract), "abstract" */
	SK_READY, /* struct psc_epoll_ready[], count in the u32 at @aux -> [{events,data}] */
	SK_FDINFO, /* struct psc_fd_info -> {ino,kind,family,type,name} */
};

struct schema_field {
	const char *name;
	uint16_t off;
	uint16_t size;
	uint16_t kind; /* SK_* */
	uint16_t aux; /* SK_FLAG: bit; counted kinds: offset of the u32 count */
	/* added to the log since its version 1 began: absent in earlier logs, read as false/0 */
	bool added;
	struct jw_key key; /* name, quoted for the log's writer */
};

struct schema_type {
	uint32_t type; /* PSC_EV_* */
	const char *name; /* the JSON "type" */
	uint32_t group; /* PSC_GROUP_* */
	uint32_t size; /* record size */
	const struct schema_field *fields; /* after the header; ends with a NULL name */
	/*
	 * fields computed from the record alone, for readers (not read back): a wait's duration...
	 * may be NULL. What the model derives (exit code, zombie time) is the sinks' business.
	 */
	void (*record_extra)(struct jw *w, const union psc_event *ev);
};

#define SF(st, member, jname, k)                                                          \
	{                                                                                 \
		.name = jname, .off = offsetof(struct st, member),                        \
		.size = sizeof(((struct st *)0)->member), .kind = k, .key = JW_KEY(jname) \
	}
#define SF_FLAG(st, member, bit, jname)                                                        \
	{                                                                                      \
		.name = jname, .off = offsetof(struct st, member), .size = 4, .kind = SK_FLAG, \
		.aux = bit, .key = JW_KEY(jname)                                               \
	}
/* A flag the log gained later: logs written before it lack it, and read it as false */
#define SF_FLAG_ADDED(st, member, bit, jname)                                                  \
	{                                                                                      \
		.name = jname, .off = offsetof(struct st, member), .size = 4, .kind = SK_FLAG, \
		.aux = bit, .added = true, .key = JW_KEY(jname)                                \
	}
#define SF_COUNTED(st, member, count, jname, k)                         \
	{                                                               \
		.name = jname, .off = offsetof(struct st, member),      \
		.size = sizeof(((struct st *)0)->member), .kind = k,    \
		.aux = offsetof(struct st, count), .key = JW_KEY(jname) \
	}
#define SF_END               \
	{                    \
		.name = NULL \
	}

/* The table for @type, NULL if unknown */
const struct schema_type *schema_lookup(uint32_t type);
/* The SK_READY field that ends @type's record, NULL if none does (or @type is unknown) */
const struct schema_field *schema_ready_tail(uint32_t type);
/* The table for a JSON "type" name, NULL if unknown */
const struct schema_type *schema_by_name(const char *name);
/* Every known type, in type order; *n gets the count */
const struct schema_type *const *schema_all(size_t *n);

/* Per-group tables (schema_proc.c, schema_epoll.c, schema_unix.c, schema_sched.c), each ending with size 0 */
extern const struct schema_type schema_proc_types[];
extern const struct schema_type schema_epoll_types[];
extern const struct schema_type schema_unix_types[];
extern const struct schema_type schema_sched_types[];

/*
 * Check a record against its table: counts within capacity. Terminates SK_STR fields.
 * Returns 0 or -EBADMSG.
 */
int schema_fixup(const struct schema_type *st, union psc_event *ev);

/*
 * Write the record @ev as JSON members into the caller's open object: the header, the table's
 * fields, then record_extra. Times count from @base_ns (the trace start).
 */
void schema_write_record(struct jw *w, const struct schema_type *st, const union psc_event *ev,
			 uint64_t base_ns);
/*
 * The same bytes, written with a memo of the last record of each slot (a hash of type and
 * thread): the members whose bytes did not change are copied as text. One memo serves one
 * stream of records (the log's writer); NULL writes as schema_write_record().
 */
struct schema_memo;
struct schema_memo *schema_memo_new(void);
void schema_memo_free(struct schema_memo *memo);
void schema_write_record_memo(struct jw *w, const struct schema_type *st, const union psc_event *ev,
			      uint64_t base_ns, struct schema_memo *memo);

/* "socket", "fifo", "anon"... for a PSC_FD_* kind */
const char *schema_fd_kind_name(uint32_t kind);

/* "running", "sleeping"... for a PSC_SST_* state; "unknown" otherwise */
const char *schema_sched_state_name(uint32_t state);
/* "setpriority", "sched_setattr"... for a PSC_PRIO_* call */
const char *schema_sched_call_name(uint32_t call);

/* Name of a PSC_GROUP_* bit ("proc", "epoll", "unix") */
const char *schema_group_name(uint32_t group);

#endif /* __PSC_SCHEMA_H */
