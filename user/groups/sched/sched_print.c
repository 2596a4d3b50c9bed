// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sched group's outputs: live lines (priority changes, stops and continues), the
 * "Process states" section of the summary and its JSON, and the group ops.
 */
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "hist.h"
#include "json_writer.h"
#include "live.h"
#include "sched_model.h"
#include "schema.h"
#include "strutil.h"

static uint32_t ppid_of(const struct proc *p)
{
	return p && p->parent ? p->parent->pid : 0;
}

static const char *policy_name(uint32_t policy)
{
	static const char *const names[] = { "SCHED_OTHER",    "SCHED_FIFO", "SCHED_RR",
					     "SCHED_BATCH",    "?",	     "SCHED_IDLE",
					     "SCHED_DEADLINE", "SCHED_EXT" };

	policy &= ~0x40000000u; /* SCHED_RESET_ON_FORK */
	return policy < sizeof(names) / sizeof(names[0]) ? names[policy] : "?";
}

static void live_prio(const struct model *m, const struct psc_ev_sched_prio *e, FILE *out)
{
	const struct proc *caller = proctree_find(m->tree, e->hdr.tgid, e->hdr.start_ns);
	char args[96], result[160], target[48];

	switch (e->call) {
	case PSC_PRIO_SETPRIORITY:
		snprintf(args, sizeof(args), "setpriority(%s, %u, %d)",
			 e->which == 0 ? "PRIO_PROCESS" :
			 e->which == 1 ? "PRIO_PGRP" :
			 e->which == 2 ? "PRIO_USER" :
					 "?",
			 e->who, e->req_nice);
		break;
	case PSC_PRIO_NICE:
		snprintf(args, sizeof(args), "nice(%d)", e->req_nice);
		break;
	case PSC_PRIO_SCHED_SETATTR:
		snprintf(args, sizeof(args), "sched_setattr(%u, %s, nice %d, prio %d)", e->who,
			 e->req_policy >= 0 ? policy_name((uint32_t)e->req_policy) : "?",
			 e->req_nice, e->req_rt_prio);
		break;
	case PSC_PRIO_SCHED_SETSCHEDULER:
		snprintf(args, sizeof(args), "sched_setscheduler(%u, %s, prio %d)", e->who,
			 e->req_policy >= 0 ? policy_name((uint32_t)e->req_policy) : "?",
			 e->req_rt_prio);
		break;
	default:
		snprintf(args, sizeof(args), "sched_setparam(%u, prio %d)", e->who, e->req_rt_prio);
		break;
	}
	if (e->target_tid)
		snprintf(target, sizeof(target), "tid %u (pid %u)", e->target_tid, e->target_tgid);
	else
		snprintf(target, sizeof(target), "%s",
			 e->call == PSC_PRIO_SETPRIORITY ? "the group's processes" : "?");
	if (e->ret < 0)
		snprintf(result, sizeof(result), "failed: %s%s", errno_str(e->ret),
			 e->flags & PSC_PRIO_OLD_KNOWN ? "" : "");
	else if ((e->flags & PSC_PRIO_OLD_KNOWN) && (e->flags & PSC_PRIO_NEW_KNOWN) &&
		 e->old_policy != e->new_policy)
		snprintf(result, sizeof(result), "%s: %s nice %d -> %s nice %d", target,
			 policy_name(e->old_policy), e->old_nice, policy_name(e->new_policy),
			 e->new_nice);
	else if ((e->flags & PSC_PRIO_OLD_KNOWN) && (e->flags & PSC_PRIO_NEW_KNOWN))
		snprintf(result, sizeof(result), "%s: nice %d -> %d", target, e->old_nice,
			 e->new_nice);
	else if (e->flags & PSC_PRIO_NEW_KNOWN)
		snprintf(result, sizeof(result), "%s: now nice %d", target, e->new_nice);
	else
		snprintf(result, sizeof(result), "%s", target);
	live_print(out, m, e->hdr.ts_ns, "prio", e->hdr.tgid, ppid_of(caller),
		   caller ? caller->comm : NULL, "%s %s", args, result);
}

static void live_state(const struct model *m, const struct psc_ev_sched_state *e, FILE *out)
{
	const struct proc *p = proctree_find(m->tree, e->hdr.tgid, e->hdr.start_ns);
	char d[32];

	if (e->state == PSC_SST_STOPPED || e->state == PSC_SST_TRACED)
		live_print(out, m, e->hdr.ts_ns, "stop", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "tid %u %s", e->hdr.tid,
			   schema_sched_state_name(e->state));
	else
		live_print(out, m, e->hdr.ts_ns, "cont", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "tid %u continued after %s %s", e->hdr.tid,
			   duration_fmt(e->prev_ns, d, sizeof(d)),
			   schema_sched_state_name(e->prev_state));
}

static void sched_live(void *state, const struct model *m, const union psc_event *ev, FILE *out,
		       uint64_t min_wait_ns)
{
	if (ev->hdr.type == PSC_EV_SCHED_PRIO)
		live_prio(m, &ev->sched_prio, out);
	else if (ev->hdr.type == PSC_EV_SCHED_STATE)
		live_state(m, &ev->sched_state, out);
}

struct row {
	struct sched_proc *sp;
	struct sched_totals t;
};

static int cmp_running(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->t.t_ns[PSC_SST_RUNNING] != y->t.t_ns[PSC_SST_RUNNING])
		return x->t.t_ns[PSC_SST_RUNNING] < y->t.t_ns[PSC_SST_RUNNING] ? 1 : -1;
	return x->sp->pid < y->sp->pid ? -1 : x->sp->pid > y->sp->pid;
}

/* Rows of every process with a snapshot, most CPU first; calloc'd (NULL: none or no memory) */
static struct row *collect(const struct sched_model *sm, const struct model *m, size_t *n)
{
	struct sched_proc *sp;
	struct row *rows;
	size_t k = 0, cap = 0;

	for (sp = sm->head; sp; sp = sp->next)
		cap++;
	*n = 0;
	rows = cap ? calloc(cap, sizeof(*rows)) : NULL;
	if (!rows)
		return NULL;
	for (sp = sm->head; sp; sp = sp->next) {
		/* report -p/--comm/--since: the rows of the selected processes only */
		if (!model_shows(m, sp->p))
			continue;
		sched_proc_totals(sp, m, m->end_ts, &rows[k].t);
		if (!rows[k].t.known && !sp->nchanges)
			continue;
		rows[k++].sp = sp;
	}
	qsort(rows, k, sizeof(*rows), cmp_running);
	*n = k;
	return rows;
}

static const char *comm_of(const struct sched_proc *sp)
{
	return sp->p ? sp->p->comm : "?";
}

/* Duration, or "-" for none */
static const char *dur(uint64_t ns, char *buf, size_t size)
{
	if (!ns)
		return "-";
	return duration_fmt(ns, buf, size);
}

static unsigned int popcount64(uint64_t v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/* "0,1" (the CPUs of the mask), "0-3" for runs */
static const char *cpus_str(uint64_t mask, char *buf, size_t size)
{
	size_t o = 0;
	int i = 0;

	buf[0] = '\0';
	while (i < 64 && o + 8 < size) {
		int j;

		if (!(mask >> i & 1)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < 64 && (mask >> (j + 1) & 1); j++)
			;
		o += snprintf(buf + o, size - o, o ? ",%d" : "%d", i);
		if (j > i)
			o += snprintf(buf + o, size - o, "-%d", j);
		i = j + 1;
	}
	if (!o)
		snprintf(buf, size, "-");
	return buf;
}

#define SCHED_ROWS 25

static void sched_summary(void *state, const struct model *m, FILE *out)
{
	const struct sched_model *sm = state;
	uint64_t hist[HIST_BUCKETS] = { 0 }, waits = 0;
	size_t n, i, b;
	struct row *rows = collect(sm, m, &n);
	bool unknown = false;

	fprintf(out, "\nProcess states (thread time; CPU%% of the process's time in the trace):\n");
	if (!n) {
		fprintf(out, "  (no scheduler activity traced)\n");
		free(rows);
		return;
	}
	fprintf(out, "  %7s %-16s %3s %9s %9s %9s %9s %9s %9s %9s %6s %7s %7s %-5s %s\n", "PID",
		"COMM", "NI", "RUNNING", "RUNNABLE", "S", "D", "T", "Z", "UNKNOWN", "CPU%", "VOL",
		"INVOL", "CPUS", "STAT");
	for (i = 0; i < n; i++) {
		const struct sched_totals *t = &rows[i].t;
		char comm[LIVE_COMM_ESC], d[7][32], cpus[64], stat[8], pct[16];

		for (b = 0; b < HIST_BUCKETS; b++)
			hist[b] += t->rq_hist[b];
		waits += t->rq_waits;
		unknown = unknown || t->unknown_ns || t->lost_ns;
		if (i >= SCHED_ROWS)
			continue;
		term_escape(comm, sizeof(comm), comm_of(rows[i].sp),
			    strnlen(comm_of(rows[i].sp), PSC_COMM_LEN));
		if (t->window_ns)
			snprintf(pct, sizeof(pct), "%.1f",
				 100.0 * (double)t->t_ns[PSC_SST_RUNNING] / (double)t->window_ns);
		else
			snprintf(pct, sizeof(pct), "-");
		fprintf(out,
			"  %7u %-16s %3d %9s %9s %9s %9s %9s %9s %9s %6s %7llu %7llu %-5s %s\n",
			rows[i].sp->pid, comm, t->nice,
			dur(t->t_ns[PSC_SST_RUNNING], d[0], sizeof(d[0])),
			dur(t->t_ns[PSC_SST_RUNNABLE], d[1], sizeof(d[1])),
			/* an idle kernel thread (I) waits for work: asleep, not blocked on I/O */
			dur(t->t_ns[PSC_SST_SLEEP] + t->t_ns[PSC_SST_IDLE], d[2], sizeof(d[2])),
			dur(t->t_ns[PSC_SST_BLOCKED], d[3], sizeof(d[3])),
			dur(t->t_ns[PSC_SST_STOPPED] + t->t_ns[PSC_SST_TRACED], d[4], sizeof(d[4])),
			dur(t->zombie_ns, d[5], sizeof(d[5])),
			dur(t->unknown_ns + t->lost_ns, d[6], sizeof(d[6])), pct,
			(unsigned long long)t->voluntary, (unsigned long long)t->involuntary,
			cpus_str(t->cpus, cpus, sizeof(cpus)),
			sched_stat_str(rows[i].sp, t, stat, sizeof(stat)));
	}
	if (n > SCHED_ROWS)
		fprintf(out, "  ... %zu more processes\n", n - SCHED_ROWS);
	if (unknown)
		fprintf(out,
			"  UNKNOWN: threads older than the trace, before their first switch or "
			"wake-up; or away from the CPU after a missed switch\n");
	for (b = 0; b < HIST_BUCKETS; b++)
		hist[b] += m->view ? 0 : sm->rq_hist_retired[b]; /* not told apart by process */
	if (waits) {
		fprintf(out, "  run-queue latency, runnable -> running (%llu waits):\n",
			(unsigned long long)waits);
		hist_print(out, hist, "    ");
	}
	free(rows);
}

static void write_times(struct jw *w, const uint64_t t[PSC_SST_MAX], uint64_t unknown)
{
	unsigned int s;

	for (s = 0; s < PSC_SST_MAX; s++) {
		char key[32];

		if (s == PSC_SST_DEAD)
			continue;
		snprintf(key, sizeof(key), "%s_ns", schema_sched_state_name(s));
		jw_kv_u64(w, key, t[s]);
	}
	jw_kv_u64(w, "unknown_ns", unknown);
}

static void write_cpus(struct jw *w, uint64_t mask)
{
	int i;

	jw_key(w, "cpus");
	jw_arr_start(w);
	for (i = 0; i < 64; i++)
		if (mask >> i & 1)
			jw_u64(w, (uint64_t)i);
	jw_arr_end(w);
}

static void write_changes(struct jw *w, const struct model *m, const struct sched_proc *sp)
{
	uint32_t i;

	jw_key(w, "prio_changes");
	jw_arr_start(w);
	for (i = 0; i < sp->nchanges; i++) {
		const struct psc_ev_sched_prio *e = &sp->changes[i];

		jw_obj_start(w);
		jw_kv_i64(w, "ts_ns", model_rel_ns(m, e->hdr.ts_ns));
		jw_kv_u64(w, "caller_pid", e->hdr.tgid);
		jw_kv_u64(w, "caller_tid", e->hdr.tid);
		jw_kv_str(w, "syscall", schema_sched_call_name(e->call));
		jw_kv_u64(w, "target_tid", e->target_tid);
		jw_kv_i64(w, "ret", e->ret);
		if (e->flags & PSC_PRIO_OLD_KNOWN) {
			jw_kv_i64(w, "old_nice", e->old_nice);
			jw_kv_str(w, "old_policy", policy_name(e->old_policy));
		}
		if (e->flags & PSC_PRIO_NEW_KNOWN) {
			jw_kv_i64(w, "new_nice", e->new_nice);
			jw_kv_str(w, "new_policy", policy_name(e->new_policy));
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kv_u64(w, "prio_changes_dropped", sp->changes_dropped);
}

static void sched_summary_json(void *state, const struct model *m, struct jw *w)
{
	const struct sched_model *sm = state;
	uint64_t hist[HIST_BUCKETS] = { 0 };
	size_t n, i, b;
	struct row *rows = collect(sm, m, &n);

	jw_key(w, "process_states");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct sched_proc *sp = rows[i].sp;
		const struct sched_totals *t = &rows[i].t;
		const struct sched_thread *th;
		char stat[8];

		for (b = 0; b < HIST_BUCKETS; b++)
			hist[b] += t->rq_hist[b];
		jw_obj_start(w);
		jw_kv_u64(w, "pid", sp->pid);
		jw_kv_i64(w, "start_ns", model_rel_ns(m, sp->start_ns));
		jw_kv_strn(w, "comm", comm_of(sp), strnlen(comm_of(sp), PSC_COMM_LEN));
		jw_kv_i64(w, "nice", t->nice);
		jw_kv_str(w, "policy", policy_name(t->policy));
		write_times(w, t->t_ns, t->unknown_ns);
		jw_kv_u64(w, "lost_ns", t->lost_ns);
		jw_kv_u64(w, "zombie_ns", t->zombie_ns);
		jw_kv_u64(w, "window_ns", t->window_ns);
		jw_kv_u64(w, "voluntary", t->voluntary);
		jw_kv_u64(w, "involuntary", t->involuntary);
		jw_kv_u64(w, "migrations", t->migrations);
		write_cpus(w, t->cpus);
		jw_kv_u64(w, "ncpus", popcount64(t->cpus));
		jw_kv_u64(w, "rq_waits", t->rq_waits);
		jw_kv_u64(w, "rq_max_ns", t->rq_max_ns);
		hist_write_json(w, "rq_latency_hist", t->rq_hist);
		jw_kv_str(w, "stat", sched_stat_str(sp, t, stat, sizeof(stat)));
		jw_kv_str(w, "state_at_end",
			  t->leader_state < PSC_SST_MAX ? schema_sched_state_name(t->leader_state) :
							  "unknown");
		jw_kv_u64(w, "stops", sp->stops);
		jw_kv_u64(w, "continues", sp->conts);
		write_changes(w, m, sp);
		jw_key(w, "threads");
		jw_arr_start(w);
		for (th = sp->threads; th; th = th->next) {
			uint64_t times[PSC_SST_MAX], unknown;

			sched_thread_times(th, sp, m, m->end_ts, times, &unknown);
			jw_obj_start(w);
			jw_kv_u64(w, "tid", th->tid);
			write_times(w, times, unknown);
			jw_kv_u64(w, "voluntary", th->last.nvcsw);
			jw_kv_u64(w, "involuntary", th->last.nivcsw);
			write_cpus(w, th->last.cpus);
			jw_kv_i64(w, "nice", th->last.nice);
			jw_kv_str(w, "first_state", schema_sched_state_name(th->last.first_state));
			jw_kv_str(w, "state", schema_sched_state_name(th->last.state));
			jw_kv_bool(w, "exited", th->last.flags & PSC_SCHED_EXITED);
			jw_kv_u64(w, "lost_ns", th->last.lost_ns);
			jw_kv_u64(w, "missed_hooks", th->last.nmissed);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	for (b = 0; b < HIST_BUCKETS; b++)
		hist[b] += m->view ? 0 : sm->rq_hist_retired[b]; /* not told apart by process */
	hist_write_json(w, "rq_latency_hist", hist);
	jw_kv_u64(w, "sched_records", sm->records);
	jw_kv_u64(w, "sched_retired", sm->retired);
	free(rows);
}

static void *sched_new(struct model *m)
{
	return sched_model_new();
}

static void sched_free(void *state)
{
	sched_model_free(state);
}

static int sched_apply(void *state, struct model *m, const union psc_event *ev,
		       const struct proc *owner)
{
	if (ev->hdr.type < PSC_EV_SCHED_STATS || ev->hdr.type > PSC_EV_SCHED_STATE)
		return 0;
	return sched_model_apply(state, m, ev, owner);
}

static void sched_retire(void *state, const struct proc *p)
{
	sched_model_retire(state, p);
}

const struct model_group_ops sched_group_ops = {
	.group = PSC_GROUP_SCHED,
	.name = "sched",
	.create = sched_new,
	.free = sched_free,
	.apply = sched_apply,
	.live = sched_live,
	.summary = sched_summary,
	.summary_json = sched_summary_json,
	.retire = sched_retire,
	.timeline = &sched_timeline_ops,
};
