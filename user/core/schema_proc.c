// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON layout of the process-lifecycle events (docs/events.md).
 */
#include "decode.h"
#include "schema.h"

static const struct schema_field fork_fields[] = {
	SF(psc_ev_proc_fork, parent_tgid, "parent_pid", SK_U32),
	SF(psc_ev_proc_fork, parent_start_ns, "parent_start_ns", SK_TIME),
	SF(psc_ev_proc_fork, child_tgid, "child_pid", SK_U32),
	SF(psc_ev_proc_fork, child_tid, "child_tid", SK_U32),
	SF(psc_ev_proc_fork, child_start_ns, "child_start_ns", SK_TIME),
	SF_FLAG(psc_ev_proc_fork, flags, PSC_FORK_THREAD, "thread"),
	SF(psc_ev_proc_fork, comm, "comm", SK_STR),
	SF_END,
};

static const struct schema_field exec_fields[] = {
	SF(psc_ev_proc_exec, old_tid, "old_tid", SK_U32),
	SF(psc_ev_proc_exec, comm, "comm", SK_STR),
	SF(psc_ev_proc_exec, filename, "filename", SK_STR),
	SF_COUNTED(psc_ev_proc_exec, args, args_len, "args", SK_ARGV),
	SF_FLAG(psc_ev_proc_exec, flags, PSC_EXEC_ARGS_TRUNC, "args_truncated"),
	SF_FLAG(psc_ev_proc_exec, flags, PSC_EXEC_PATH_TRUNC, "filename_truncated"),
	SF_END,
};

static const struct schema_field exit_fields[] = {
	SF_FLAG(psc_ev_proc_exit, flags, PSC_EXIT_GROUP_DEAD, "group_dead"),
	SF(psc_ev_proc_exit, exit_code, "exit_status", SK_U32),
	SF(psc_ev_proc_exit, comm, "comm", SK_STR),
	SF(psc_ev_proc_exit, parent_tgid, "parent_pid", SK_U32),
	SF(psc_ev_proc_exit, parent_start_ns, "parent_start_ns", SK_TIME),
	SF_FLAG(psc_ev_proc_exit, flags, PSC_EXIT_AUTOREAP, "autoreap"),
	SF(psc_ev_proc_exit, reaper_tgid, "reaper_pid", SK_U32),
	SF(psc_ev_proc_exit, reaper_start_ns, "reaper_start_ns", SK_TIME),
	SF_FLAG(psc_ev_proc_exit, flags, PSC_EXIT_REAPER_SUBREAPER, "reaper_is_subreaper"),
	SF_END,
};

static const struct schema_field reap_fields[] = {
	SF(psc_ev_proc_reap, reaped_tgid, "reaped_pid", SK_U32),
	SF(psc_ev_proc_reap, status, "status", SK_U32),
	SF_FLAG(psc_ev_proc_reap, flags, PSC_REAP_WAITID, "waitid"),
	SF_FLAG(psc_ev_proc_reap, flags, PSC_REAP_STATUS_UNKNOWN, "status_unknown"),
	SF_END,
};

static const struct schema_field free_fields[] = {
	SF_END,
};

static const struct schema_field seed_fields[] = {
	SF_FLAG_ADDED(psc_ev_proc_seed, flags, PSC_SEED_START_EXACT, "start_exact"),
	SF(psc_ev_proc_seed, parent_tgid, "parent_pid", SK_U32),
	SF(psc_ev_proc_seed, parent_start_ns, "parent_start_ns", SK_TIME),
	SF(psc_ev_proc_seed, nr_threads, "nr_threads", SK_U32),
	SF(psc_ev_proc_seed, state, "state", SK_CHAR),
	SF(psc_ev_proc_seed, comm, "comm", SK_STR),
	SF(psc_ev_proc_seed, filename, "filename", SK_STR),
	SF_END,
};

static const struct schema_field rename_fields[] = {
	SF(psc_ev_proc_rename, comm, "comm", SK_STR),
	SF(psc_ev_proc_rename, old_comm, "old_comm", SK_STR),
	SF(psc_ev_proc_rename, by_tid, "by_tid", SK_U32),
	SF_END,
};

#define PROC_TYPE(t, n, st, f)                                                            \
	{                                                                                 \
		.type = t, .name = n, .group = PSC_GROUP_PROC, .size = sizeof(struct st), \
		.fields = f                                                               \
	}

const struct schema_type schema_proc_types[] = {
	PROC_TYPE(PSC_EV_PROC_FORK, "fork", psc_ev_proc_fork, fork_fields),
	PROC_TYPE(PSC_EV_PROC_EXEC, "exec", psc_ev_proc_exec, exec_fields),
	PROC_TYPE(PSC_EV_PROC_EXIT, "exit", psc_ev_proc_exit, exit_fields),
	PROC_TYPE(PSC_EV_PROC_REAP, "reap", psc_ev_proc_reap, reap_fields),
	PROC_TYPE(PSC_EV_PROC_FREE, "free", psc_ev_proc_free, free_fields),
	PROC_TYPE(PSC_EV_PROC_SEED, "seed", psc_ev_proc_seed, seed_fields),
	PROC_TYPE(PSC_EV_PROC_RENAME, "rename", psc_ev_proc_rename, rename_fields),
	{ .size = 0 },
};
