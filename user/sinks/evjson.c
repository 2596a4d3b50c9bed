// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The NDJSON log's record layout. Times are ns relative to the trace start (header: the absolute
 * base), so they stay below 2^53 and survive every JSON parser.
 */
#include <stdio.h>
#include <string.h>
#include "evjson.h"
#include "format.h"
#include "schema.h"

static void kv_cstr(struct jw *w, const char *key, const char *s, size_t max)
{
	jw_kv_bytes(w, key, s, strnlen(s, max));
}

static void kv_time(struct jw *w, const struct model *m, const char *key, uint64_t ts)
{
	jw_kv_i64(w, key, model_rel_ns(m, ts));
}

/* code, or signal + signal_name + core_dumped: what a shell would say */
void evjson_write_status(struct jw *w, uint32_t status)
{
	struct wstatus ws;
	char sig[16];

	wstatus_decode(status, &ws);
	if (ws.exited) {
		jw_kv_i64(w, "code", ws.code);
	} else if (ws.signaled) {
		jw_kv_i64(w, "signal", ws.signal);
		jw_kv_str(w, "signal_name", signal_name(ws.signal, sig, sizeof(sig)));
		jw_kv_bool(w, "core_dumped", ws.core_dumped);
	}
}

static void exit_derived(struct jw *w, const union psc_event *ev, const struct proc *p)
{
	evjson_write_status(w, ev->exit.exit_code);
	if (p && (ev->exit.flags & PSC_EXIT_GROUP_DEAD))
		jw_kv_i64(w, "lifetime_ns", (int64_t)proc_lifetime_ns(p, 0));
}

static void reap_derived(struct jw *w, const struct model *m, const union psc_event *ev,
			 const struct proc *p)
{
	if (!(ev->reap.flags & PSC_REAP_STATUS_UNKNOWN))
		evjson_write_status(w, ev->reap.status);
	if (!p)
		return;
	jw_kv_i64(w, "reaped_start_ns", model_rel_ns(m, p->start_ns));
	if (p->flags & PROC_F_EXITED)
		jw_kv_i64(w, "zombie_ns", (int64_t)proc_zombie_ns(p, 0));
}

static void free_derived(struct jw *w, const union psc_event *ev, const struct proc *p)
{
	/* a subject means the model had no reap for it: the reaping wait was not traced */
	if (p && (p->flags & PROC_F_EXITED))
		jw_kv_i64(w, "zombie_ns", (int64_t)proc_zombie_ns(p, 0));
	jw_kv_bool(w, "reap_unseen", p != NULL);
}

/*
 * One event: the record as the schema lays it out, then what the model derived from it: the
 * process tree's facts for proc events, the group's (its json_extra hook) for the others
 */
void evjson_write_event(struct jw *w, const struct model *m, const union psc_event *ev,
			const struct proc *subject)
{
	evjson_write_event_memo(w, m, ev, subject, NULL);
}

void evjson_write_event_memo(struct jw *w, const struct model *m, const union psc_event *ev,
			     const struct proc *subject, struct schema_memo *memo)
{
	const struct schema_type *st = schema_lookup(ev->hdr.type);
	const struct model_group_ops *ops;

	if (!st)
		return;
	jw_obj_start(w);
	schema_write_record_memo(w, st, ev, m->meta.boottime_base_ns, memo);
	switch (ev->hdr.type) {
	case PSC_EV_PROC_EXIT:
		exit_derived(w, ev, subject);
		break;
	case PSC_EV_PROC_REAP:
		reap_derived(w, m, ev, subject);
		break;
	case PSC_EV_PROC_FREE:
		free_derived(w, ev, subject);
		break;
	default:
		ops = model_group_ops(m, st->group);
		if (ops && ops->json_extra)
			ops->json_extra(model_group_state(m, st->group), m, ev, w);
		break;
	}
	jw_obj_end(w);
}

static void kv_proc(struct jw *w, const struct model *m, const char *pid_key, const char *start_key,
		    const char *comm_key, const struct proc *p)
{
	jw_kv_u64(w, pid_key, p ? p->pid : 0);
	kv_time(w, m, start_key, p ? p->start_ns : m->meta.boottime_base_ns);
	if (p)
		kv_cstr(w, comm_key, p->comm, sizeof(p->comm));
}

void evjson_write_orphan(struct jw *w, const struct model *m, const struct proc *child,
			 const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	jw_obj_start(w);
	jw_kv_str(w, "type", "orphan");
	jw_kv_bool(w, "derived", true);
	kv_time(w, m, "ts_ns", ts);
	kv_proc(w, m, "pid", "start_ns", "comm", child);
	kv_proc(w, m, "old_parent_pid", "old_parent_start_ns", "old_parent_comm", old_parent);
	kv_proc(w, m, "new_parent_pid", "new_parent_start_ns", "new_parent_comm", new_parent);
	jw_kv_bool(w, "subreaper", child->flags & PROC_F_ADOPTED_BY_SUBREAPER);
	jw_obj_end(w);
}

void evjson_kv_type_counts(struct jw *w, const char *key, const uint64_t *by_type)
{
	__u32 t;

	jw_key(w, key);
	jw_obj_start(w);
	for (t = 1; t < PSC_EV_TYPE_MAX; t++)
		if (by_type[t] && decode_type_name(t))
			jw_kv_u64(w, decode_type_name(t), by_type[t]);
	jw_obj_end(w);
}

void evjson_write_lost(struct jw *w, const struct model *m, uint64_t ts, const uint64_t *by_type,
		       uint64_t total)
{
	jw_obj_start(w);
	jw_kv_str(w, "type", "lost");
	kv_time(w, m, "ts_ns", ts);
	jw_kv_str(w, "cause", model_loss_name(m->loss_cause));
	jw_kv_u64(w, "count", total);
	evjson_kv_type_counts(w, "by_type", by_type);
	jw_obj_end(w);
}

static void kv_u64_str(struct jw *w, const char *key, uint64_t v)
{
	char buf[24];

	/* beyond 2^53: a string, or common JSON tools round it */
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	jw_kv_str(w, key, buf);
}

void evjson_write_header(struct jw *w, const struct model *m)
{
	const struct trace_meta *t = &m->meta;
	uint32_t g;

	jw_obj_start(w);
	jw_kv_str(w, "type", "header");
	jw_kv_str(w, "format", PSC_LOG_FORMAT);
	jw_kv_u64(w, "version", PSC_LOG_VERSION);
	jw_kv_u64(w, "abi", PSC_ABI_VERSION);
	jw_kv_str(w, "tool_version", t->tool_version);
	kv_cstr(w, "kernel", t->kernel, sizeof(t->kernel));
	kv_cstr(w, "hostname", t->hostname, sizeof(t->hostname));
	kv_cstr(w, "boot_id", t->boot_id, sizeof(t->boot_id));
	jw_kv_str(w, "clock", "CLOCK_BOOTTIME");
	kv_u64_str(w, "boottime_base_ns", t->boottime_base_ns);
	kv_u64_str(w, "realtime_base_ns", t->realtime_base_ns);
	jw_kv_str(w, "mode", t->mode);
	if (t->target_pid)
		jw_kv_u64(w, "target_pid", t->target_pid);
	kv_cstr(w, "command", t->command, sizeof(t->command));
	jw_key(w, "groups");
	jw_arr_start(w);
	for (g = 1; g <= PSC_GROUP_LAST; g <<= 1)
		if (t->groups & g)
			jw_str(w, schema_group_name(g));
	jw_arr_end(w);
	jw_kv_u64(w, "ringbuf_bytes", t->ringbuf_bytes);
	jw_obj_end(w);
}

void evjson_write_trailer(struct jw *w, const struct model *m)
{
	const struct model_stats *s = &m->stats;

	jw_obj_start(w);
	jw_kv_str(w, "type", "trailer");
	kv_time(w, m, "ts_ns", m->end_ts);
	jw_kv_u64(w, "events", s->events);
	evjson_kv_type_counts(w, "events_by_type", s->by_type);
	jw_kv_u64(w, "lost", s->lost);
	evjson_kv_type_counts(w, "lost_by_type", s->lost_by_type);
	jw_kv_u64(w, "lost_queue", s->lost_queue);
	jw_kv_u64(w, "malformed", s->malformed);
	jw_kv_u64(w, "unknown_type", s->unknown_type);
	jw_kv_u64(w, "out_of_order", s->out_of_order);
	kv_cstr(w, "missing_hooks", m->meta.missing_hooks, sizeof(m->meta.missing_hooks));
	if (m->meta.exit_status >= 0) {
		jw_kv_u64(w, "command_status", (uint64_t)m->meta.exit_status);
		evjson_write_status(w, (uint32_t)m->meta.exit_status);
	}
	jw_kv_bool(w, "interrupted", m->meta.interrupted);
	jw_obj_end(w);
}
