/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The event model: routes decoded events to the process tree (and later models), keeps the
 * trace-wide counters, and hands every event and derived fact to the sinks in order. Live
 * tracing and `report` of a saved log both feed this, so both print the same result. Pure.
 */
#ifndef __PSC_MODEL_H
#define __PSC_MODEL_H

#include <stdint.h>
#include <stdio.h>
#include "decode.h"
#include "proctree.h"
#include "wake_link.h"

struct model;
struct jw;
struct timeline_ops;

/*
 * An event group's own model (epoll timelines, unix flows) plugged into the model. Every hook
 * but create/free/apply is optional. The group's state is model->group_state[i].
 *
 * One event goes through the groups in two phases, so that no group depends on the order of
 * the registry: first every group's apply(), then, when some apply() linked wake-ups to the
 * event (m->nlinks > 0, see wake_link.h), every group's wake_links().
 */
struct model_group_ops {
	uint32_t group; /* PSC_GROUP_* */
	const char *name;
	void *(*create)(struct model *m); /* NULL with errno set */
	void (*free)(void *state);
	/* @owner is the process the event's header names (never NULL). 0 or -ENOMEM */
	int (*apply)(void *state, struct model *m, const union psc_event *ev,
		     const struct proc *owner);
	/* second phase: the wake links every group's apply() made for @ev. 0 or -ENOMEM */
	int (*wake_links)(void *state, struct model *m, const union psc_event *ev);
	/* one live line for @ev (after apply), or nothing; @min_wait_ns filters waits */
	void (*live)(void *state, const struct model *m, const union psc_event *ev, FILE *out,
		     uint64_t min_wait_ns);
	/* the group's section of the text summary */
	void (*summary)(void *state, const struct model *m, FILE *out);
	/* the group's section of the JSON summary: writes "key": value pairs into an object */
	void (*summary_json)(void *state, const struct model *m, struct jw *w);
	/* derived JSON fields of @ev for the event log (after apply) */
	void (*json_extra)(void *state, const struct model *m, const union psc_event *ev,
			   struct jw *w);
	/* @p leaves the process table: drop or copy what the group keeps of it */
	void (*retire)(void *state, const struct proc *p);
	/*
	 * @p's last thread exited (after the sinks saw the exit): it makes no more group events,
	 * so what only its future events would need may go now. @p stays valid until retire.
	 */
	void (*exited)(void *state, const struct proc *p);
	/* how the group draws its events on the Perfetto and SVG timelines (sinks/timeline.h) */
	const struct timeline_ops *timeline;
};

#define MODEL_MAX_GROUPS 4

/* Facts about the trace itself, for headers and summaries */
struct trace_meta {
	char tool_version[32];
	char kernel[128];
	char hostname[128];
	char boot_id[40];
	uint64_t boottime_base_ns; /* CLOCK_BOOTTIME at trace start: output times count from it */
	uint64_t realtime_base_ns; /* CLOCK_REALTIME at the same moment */
	char mode[16]; /* "system", "pid", "command" */
	uint32_t target_pid; /* -p PID, or the launched command's pid */
	char command[512]; /* the launched command, its arguments joined by spaces, or "" */
	uint32_t groups; /* PSC_GROUP_* */
	uint64_t ringbuf_bytes;
	char missing_hooks[256]; /* tracepoints switched off: missing from the kernel, or disabled */
	int exit_status; /* the launched command's wait status, -1 if none */
	int interrupted; /* stopped by a signal (SIGINT...) */
};

/*
 * Which rows the summaries show (report -p, --comm, --since). The model knows everything either
 * way: a filter picks the rows, it never drops what is known about them (the server end of a
 * selected client's connection). NULL: every row.
 */
struct model_view {
	/* does the summary show the rows that belong to @p (never NULL)? */
	bool (*shows)(const struct model_view *v, const struct proc *p);
};

/* An output: live text, the NDJSON log, the summary. Every callback is optional. */
struct sink {
	void (*event)(struct sink *s, const struct model *m, const union psc_event *ev,
		      const struct proc *subject);
	void (*orphan)(struct sink *s, const struct model *m, const struct proc *child,
		       const struct proc *old_parent, const struct proc *new_parent, uint64_t ts);
	void (*lost)(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		     uint64_t total);
	/* @p leaves the process table (after the groups' retire): forget it */
	void (*retire)(struct sink *s, const struct model *m, const struct proc *p);
	/* push buffered output out (called a few times a second); 0 or -errno */
	int (*flush)(struct sink *s);
	/* end of trace: write trailers; returns 0 or -errno (e.g. a write error) */
	int (*finish)(struct sink *s, const struct model *m);
	void (*destroy)(struct sink *s);
	struct sink *next;
	const char *output; /* the file it writes, set by the shell to name it in errors */
	int finish_err; /* what finish() returned: each output reports its own failure */
};

struct model_stats {
	uint64_t events; /* applied */
	uint64_t by_type[PSC_EV_TYPE_MAX];
	uint64_t malformed; /* records decode_record() refused */
	uint64_t unknown_type;
	uint64_t lost; /* every loss: the ring buffer's and the queue's */
	uint64_t lost_by_type[PSC_EV_TYPE_MAX];
	uint64_t lost_queue; /* of lost: dropped at the bound of the userspace queue */
	uint64_t out_of_order; /* ts older than the previous event's */
};

/* Where events were lost: the kernel's ring buffer was full, or procscope's queue behind it */
enum model_loss {
	MODEL_LOSS_RINGBUF,
	MODEL_LOSS_QUEUE,
};

struct model {
	struct proctree *tree;
	struct sink *sinks;
	struct trace_meta meta;
	struct model_stats stats;
	uint64_t first_ts;
	uint64_t last_ts;
	uint64_t end_ts; /* when the trace stopped (for still-running intervals) */
	/* orphans derived while applying one event, delivered after it */
	struct {
		const struct proc *child;
		const struct proc *old_parent;
		const struct proc *new_parent;
		uint64_t ts;
	} * pending;
	size_t npending;
	size_t cap_pending;
	int err; /* first -ENOMEM */
	enum model_loss loss_cause; /* of the loss being passed to the sinks' lost() */
	/* event groups' own models */
	const struct model_group_ops *groups[MODEL_MAX_GROUPS];
	void *group_state[MODEL_MAX_GROUPS];
	size_t ngroups;
	/* wake-ups linked while applying the current event (wake_link.h) */
	struct wake_link links[MODEL_MAX_LINKS];
	size_t nlinks;
	const struct model_view *view; /* the summaries' row filter, NULL = all */
};

/*
 * Does the summary show rows of @p? Always without a view; never for NULL (a retired process)
 * with one. The groups' summary hooks ask it for each row's owner.
 */
bool model_shows(const struct model *m, const struct proc *p);
/* The same for a process known by pid and start time (0 pid: unknown, not shown under a view) */
bool model_shows_pid(const struct model *m, uint32_t pid, uint64_t start_ns);

/* Returns NULL with errno set */
struct model *model_new(void);
/* The ops and state of @group, NULL if not plugged in */
void *model_group_state(const struct model *m, uint32_t group);
const struct model_group_ops *model_group_ops(const struct model *m, uint32_t group);
/* Frees the model and its sinks */
void model_free(struct model *m);
/* Sinks are called in the order they were added */
void model_add_sink(struct model *m, struct sink *s);
/*
 * Apply one decoded event and pass it to the sinks. A record decode_check_event() refuses is
 * counted as malformed and skipped. Returns 0 or -ENOMEM.
 */
int model_apply(struct model *m, const union psc_event *ev);
/* Decode raw record bytes and apply them; malformed records are counted, not fatal. */
int model_apply_raw(struct model *m, const void *data, size_t len);
/*
 * Bound the process table on long traces (proctree_set_retain()): the defaults keep 4096 plain
 * and 1024 notable reaped processes. Live tracing and report use the same limits, so they print
 * the same summary.
 */
#define MODEL_RETAIN_PLAIN 4096
#define MODEL_RETAIN_NOTABLE 1024

/* Kernel drop counters grew by @by_type (per type) since the last call */
void model_lost(struct model *m, uint64_t ts, const uint64_t *by_type);
/* The same for a loss of @cause (the sinks read it in m->loss_cause) */
void model_lost_from(struct model *m, uint64_t ts, const uint64_t *by_type, enum model_loss cause);
/* "ringbuf" or "queue", as the log writes it */
const char *model_loss_name(enum model_loss cause);
/* Every sink's flush(); returns the first error */
int model_flush(struct model *m);
/* End of trace at @end_ts: every sink's finish(); returns the first error */
int model_finish(struct model *m, uint64_t end_ts);

/* ns since the trace start (negative for times before it) */
static inline int64_t model_rel_ns(const struct model *m, uint64_t ts)
{
	return (int64_t)(ts - m->meta.boottime_base_ns);
}

#endif /* __PSC_MODEL_H */
