// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sched group on the timelines (timeline.h), from the sched_slice records of timeline mode
 * (--perfetto and --svg switch it on): in Perfetto each thread gets a "state" lane with its
 * Running, Runnable, Sleeping, Blocked and Stopped slices, and a "CPUs" group of tracks shows
 * which thread ran where; in the SVG a process's row shows when it ran and when it waited for a
 * CPU. Layout: docs/timeline.md.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "json_writer.h"
#include "perfetto.h"
#include "sched_model.h"
#include "svg.h"
#include "timeline.h"

#define SCHED_LANE 1 /* the thread's lane of scheduler states */

/* Perfetto's slice names and colours for a state (the names its thread-state tracks use) */
static const char *state_title(uint32_t st, const char **cname)
{
	switch (st) {
	case PSC_SST_RUNNING:
		*cname = "good";
		return "Running";
	case PSC_SST_RUNNABLE:
		*cname = "bad";
		return "Runnable";
	case PSC_SST_SLEEP:
		*cname = "grey";
		return "Sleeping";
	case PSC_SST_BLOCKED:
	case PSC_SST_IDLE:
		*cname = "terrible";
		return "Uninterruptible sleep";
	case PSC_SST_STOPPED:
	case PSC_SST_TRACED:
		*cname = "yellow";
		return "Stopped";
	default:
		*cname = "grey";
		return "Other";
	}
}

/* @inferred: a run whose switch hook was missed, timed from the kernel's CPU clock */
static void lane_slice(struct perfetto *pf, const struct model *m, const struct proc *owner,
		       uint32_t tid, uint64_t from, uint64_t to, uint32_t st, uint32_t cpu,
		       bool inferred)
{
	uint64_t a = timeline_rel(m, from), b = timeline_rel(m, to);
	const char *cname, *name = state_title(st, &cname);
	struct jw *w;

	if (!from || b <= a)
		return;
	w = pf_slice(pf, m, owner, PF_LANE_TID(tid, SCHED_LANE), &a, &b, name, "sched", cname);
	if (!w)
		return;
	if (st == PSC_SST_RUNNING) {
		pf_args(w);
		jw_kv_u64(w, "cpu", cpu);
		if (inferred)
			jw_kv_bool(w, "inferred", true);
		jw_obj_end(w);
	}
	pf_end(pf);
}

static void sched_perfetto(void *state, struct perfetto *pf, const struct model *m,
			   const union psc_event *ev, const struct proc *owner)
{
	const struct psc_ev_sched_slice *e = &ev->sched_slice;
	uint64_t a, b;
	char name[64], track[16];
	struct jw *w;

	if (ev->hdr.type != PSC_EV_SCHED_SLICE)
		return;
	pf_lane_name(pf, SCHED_LANE, "state");
	/* off the CPU, then waiting for it, then on it: consecutive slices tile the thread */
	if (e->off_state != PSC_SST_RUNNABLE)
		lane_slice(pf, m, owner, e->hdr.tid, e->off_ns, e->wake_ns, e->off_state, e->cpu,
			   false);
	lane_slice(pf, m, owner, e->hdr.tid, e->wake_ns, e->run_ns, PSC_SST_RUNNABLE, e->cpu,
		   false);
	lane_slice(pf, m, owner, e->hdr.tid, e->run_ns, e->hdr.ts_ns, PSC_SST_RUNNING, e->cpu,
		   e->flags & PSC_SLICE_INFERRED);
	/* the CPU's own track: who ran there */
	a = timeline_rel(m, e->run_ns);
	b = timeline_rel(m, e->hdr.ts_ns);
	if (!e->run_ns || b <= a)
		return;
	snprintf(track, sizeof(track), "CPU %u", e->cpu);
	snprintf(name, sizeof(name), "%.*s (%u)", (int)strnlen(owner->comm, PSC_COMM_LEN),
		 owner->comm, e->hdr.tid);
	w = pf_track_slice(pf, "CPUs", e->cpu, track, &a, &b, name, "sched", NULL);
	if (!w)
		return;
	pf_args(w);
	jw_kv_u64(w, "pid", e->hdr.tgid);
	jw_kv_u64(w, "tid", e->hdr.tid);
	jw_obj_end(w);
	pf_end(pf);
}

static const struct svg_kind sched_svg_kinds[] = {
	{ .shape = SVG_BAND,
	  .cls = "sr",
	  .css = ".sr{fill:#2e7d32}",
	  .legend = "running on a CPU",
	  .noun = "runs on a CPU",
	  .more = "runs",
	  .y0 = 0.0f,
	  .h = 0.25f },
	{ .shape = SVG_BAND,
	  .cls = "sq",
	  .css = ".sq{fill:#e15759}",
	  .legend = "runnable, waiting for a CPU",
	  .noun = "run-queue waits",
	  .more = "waits",
	  .y0 = 0.25f,
	  .h = 0.25f },
	{ .shape = SVG_BAND,
	  .cls = "st",
	  .css = ".st{fill:#edc948}",
	  .legend = "stopped (SIGSTOP, ptrace)",
	  .noun = "stops",
	  .more = "stops",
	  .y0 = 0.0f,
	  .h = 0.5f },
};

static void sched_svg(void *state, struct svg *sv, const struct model *m, const union psc_event *ev,
		      const struct proc *owner)
{
	const struct psc_ev_sched_slice *e = &ev->sched_slice;

	if (ev->hdr.type != PSC_EV_SCHED_SLICE)
		return;
	if (e->off_ns && e->wake_ns > e->off_ns &&
	    (e->off_state == PSC_SST_STOPPED || e->off_state == PSC_SST_TRACED))
		svg_band(sv, m, owner, e->off_ns, e->wake_ns, &sched_svg_kinds[2]);
	if (e->wake_ns && e->run_ns > e->wake_ns)
		svg_band(sv, m, owner, e->wake_ns, e->run_ns, &sched_svg_kinds[1]);
	if (e->run_ns && e->hdr.ts_ns > e->run_ns)
		svg_band(sv, m, owner, e->run_ns, e->hdr.ts_ns, &sched_svg_kinds[0]);
}

const struct timeline_ops sched_timeline_ops = {
	.perfetto_event = sched_perfetto,
	.svg_event = sched_svg,
	.svg_kinds = sched_svg_kinds,
	.nsvg_kinds = sizeof(sched_svg_kinds) / sizeof(sched_svg_kinds[0]),
};
