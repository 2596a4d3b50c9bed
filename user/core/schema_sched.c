// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON layout of the sched group's events (docs/events.md).
 */
#include "decode.h"
#include "json_writer.h"
#include "schema.h"

static const char *const state_names[PSC_SST_MAX] = {
	[PSC_SST_RUNNING] = "running", [PSC_SST_RUNNABLE] = "runnable",
	[PSC_SST_SLEEP] = "sleeping",  [PSC_SST_BLOCKED] = "blocked",
	[PSC_SST_STOPPED] = "stopped", [PSC_SST_TRACED] = "traced",
	[PSC_SST_DEAD] = "dead",       [PSC_SST_PARKED] = "parked",
	[PSC_SST_IDLE] = "idle",
};

const char *schema_sched_state_name(uint32_t state)
{
	return state < PSC_SST_MAX ? state_names[state] : "unknown";
}

static const struct schema_field stats_fields[] = {
	SF(psc_ev_sched_stats, first_ns, "first_ns", SK_TIME),
	SF(psc_ev_sched_stats, since_ns, "since_ns", SK_TIME),
	SF(psc_ev_sched_stats, state, "state", SK_U32),
	SF(psc_ev_sched_stats, first_state, "first_state", SK_U32),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_RUNNING], "running_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_RUNNABLE], "runnable_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_SLEEP], "sleeping_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_BLOCKED], "blocked_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_STOPPED], "stopped_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_TRACED], "traced_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_DEAD], "dead_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_PARKED], "parked_ns", SK_U64),
	SF(psc_ev_sched_stats, t_ns[PSC_SST_IDLE], "idle_ns", SK_U64),
	SF(psc_ev_sched_stats, nvcsw, "voluntary", SK_U32),
	SF(psc_ev_sched_stats, nivcsw, "involuntary", SK_U32),
	SF(psc_ev_sched_stats, cpus, "cpus", SK_U64),
	SF(psc_ev_sched_stats, cpu, "cpu", SK_U32),
	SF(psc_ev_sched_stats, nmigrate, "migrations", SK_U32),
	SF(psc_ev_sched_stats, nmissed, "missed_hooks", SK_U32),
	SF(psc_ev_sched_stats, lost_ns, "lost_ns", SK_U64),
	SF(psc_ev_sched_stats, nice, "nice", SK_S32),
	SF(psc_ev_sched_stats, policy, "policy", SK_U32),
	SF(psc_ev_sched_stats, rt_prio, "rt_prio", SK_U32),
	SF_FLAG(psc_ev_sched_stats, flags, PSC_SCHED_FORKED, "forked"),
	SF_FLAG(psc_ev_sched_stats, flags, PSC_SCHED_EXITED, "exited"),
	SF_FLAG(psc_ev_sched_stats, flags, PSC_SCHED_END, "end"),
	SF_FLAG(psc_ev_sched_stats, flags, PSC_SCHED_UNSEEN, "unseen"),
	SF_FLAG(psc_ev_sched_stats, flags, PSC_SCHED_EXEC, "exec"),
	SF(psc_ev_sched_stats, nwait, "rq_waits", SK_U32),
	SF(psc_ev_sched_stats, rq_max_ns, "rq_max_ns", SK_U64),
	SF(psc_ev_sched_stats, rq_hist[0], "rq_log2_9", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[1], "rq_log2_10", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[2], "rq_log2_11", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[3], "rq_log2_12", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[4], "rq_log2_13", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[5], "rq_log2_14", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[6], "rq_log2_15", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[7], "rq_log2_16", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[8], "rq_log2_17", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[9], "rq_log2_18", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[10], "rq_log2_19", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[11], "rq_log2_20", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[12], "rq_log2_21", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[13], "rq_log2_22", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[14], "rq_log2_23", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[15], "rq_log2_24", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[16], "rq_log2_25", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[17], "rq_log2_26", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[18], "rq_log2_27", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[19], "rq_log2_28", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[20], "rq_log2_29", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[21], "rq_log2_30", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[22], "rq_log2_31", SK_U32),
	SF(psc_ev_sched_stats, rq_hist[23], "rq_log2_32", SK_U32),
	SF_END,
};

static const struct schema_field prio_fields[] = {
	SF(psc_ev_sched_prio, call, "call", SK_U32),
	SF(psc_ev_sched_prio, which, "which", SK_U32),
	SF(psc_ev_sched_prio, who, "who", SK_U32),
	SF(psc_ev_sched_prio, target_tgid, "target_pid", SK_U32),
	SF(psc_ev_sched_prio, target_tid, "target_tid", SK_U32),
	SF(psc_ev_sched_prio, target_start_ns, "target_start_ns", SK_TIME),
	SF(psc_ev_sched_prio, req_nice, "req_nice", SK_S32),
	SF(psc_ev_sched_prio, req_policy, "req_policy", SK_S32),
	SF(psc_ev_sched_prio, req_rt_prio, "req_rt_prio", SK_S32),
	SF(psc_ev_sched_prio, old_nice, "old_nice", SK_S32),
	SF(psc_ev_sched_prio, new_nice, "new_nice", SK_S32),
	SF(psc_ev_sched_prio, old_policy, "old_policy", SK_U32),
	SF(psc_ev_sched_prio, new_policy, "new_policy", SK_U32),
	SF(psc_ev_sched_prio, old_rt_prio, "old_rt_prio", SK_U32),
	SF(psc_ev_sched_prio, new_rt_prio, "new_rt_prio", SK_U32),
	SF_FLAG(psc_ev_sched_prio, flags, PSC_PRIO_OLD_KNOWN, "old_known"),
	SF_FLAG(psc_ev_sched_prio, flags, PSC_PRIO_NEW_KNOWN, "new_known"),
	SF(psc_ev_sched_prio, ret, "ret", SK_S32),
	SF_END,
};

static const struct schema_field state_fields[] = {
	SF(psc_ev_sched_state, state, "state", SK_U32),
	SF(psc_ev_sched_state, prev_state, "prev_state", SK_U32),
	SF(psc_ev_sched_state, prev_ns, "prev_ns", SK_U64),
	SF(psc_ev_sched_state, cpu, "cpu", SK_U32),
	SF_END,
};

static const struct schema_field slice_fields[] = {
	SF(psc_ev_sched_slice, off_ns, "off_ns", SK_TIME),
	SF(psc_ev_sched_slice, off_state, "off_state", SK_U32),
	SF(psc_ev_sched_slice, wake_ns, "wake_ns", SK_TIME),
	SF(psc_ev_sched_slice, run_ns, "run_ns", SK_TIME),
	SF(psc_ev_sched_slice, cpu, "cpu", SK_U32),
	SF(psc_ev_sched_slice, next_state, "next_state", SK_U32),
	SF_FLAG(psc_ev_sched_slice, flags, PSC_SLICE_INFERRED, "inferred"),
	SF_END,
};

static const char *const prio_calls[] = {
	[PSC_PRIO_SETPRIORITY] = "setpriority",
	[PSC_PRIO_NICE] = "nice",
	[PSC_PRIO_SCHED_SETATTR] = "sched_setattr",
	[PSC_PRIO_SCHED_SETSCHEDULER] = "sched_setscheduler",
	[PSC_PRIO_SCHED_SETPARAM] = "sched_setparam",
};

const char *schema_sched_call_name(uint32_t call)
{
	return call && call < sizeof(prio_calls) / sizeof(prio_calls[0]) ? prio_calls[call] : "?";
}

static void stats_extra(struct jw *w, const union psc_event *ev)
{
	jw_kv_str(w, "state_name", schema_sched_state_name(ev->sched_stats.state));
}

static void prio_extra(struct jw *w, const union psc_event *ev)
{
	jw_kv_str(w, "syscall", schema_sched_call_name(ev->sched_prio.call));
}

static void state_extra(struct jw *w, const union psc_event *ev)
{
	jw_kv_str(w, "state_name", schema_sched_state_name(ev->sched_state.state));
	jw_kv_str(w, "prev_state_name", schema_sched_state_name(ev->sched_state.prev_state));
}

#define SCHED_TYPE(t, n, st, f, x)                                                         \
	{                                                                                  \
		.type = t, .name = n, .group = PSC_GROUP_SCHED, .size = sizeof(struct st), \
		.fields = f, .record_extra = x                                             \
	}

const struct schema_type schema_sched_types[] = {
	SCHED_TYPE(PSC_EV_SCHED_STATS, "sched_stats", psc_ev_sched_stats, stats_fields,
		   stats_extra),
	SCHED_TYPE(PSC_EV_SCHED_PRIO, "sched_prio", psc_ev_sched_prio, prio_fields, prio_extra),
	SCHED_TYPE(PSC_EV_SCHED_STATE, "sched_state", psc_ev_sched_state, state_fields,
		   state_extra),
	SCHED_TYPE(PSC_EV_SCHED_SLICE, "sched_slice", psc_ev_sched_slice, slice_fields, NULL),
	{ .size = 0 },
};
