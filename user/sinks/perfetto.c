// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chrome Trace Event Format (JSON array format) for ui.perfetto.dev and chrome://tracing; the
 * layout is in docs/timeline.md. The sink: events are staged and streamed as they come, the
 * process group's through perfetto_proc.c and every other group's through its timeline hook
 * (struct timeline_ops); names are written when a process retires from the table and, with the
 * tree order, at finish. Every string goes through the JSON writer's escaping. No printing:
 * errors stick in the output and come back from flush/finish.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfetto_int.h"
#include "outfile.h"

#define PF_FLUSH_AT (192u << 10)
#define PF_RETIRED_SORT 1000000000u /* retired processes sort after the tree, as they retired */

/* The trace-info instant opens the array: ts 0 is the trace start */
static void pf_start(struct perfetto *pf, const struct model *m)
{
	const struct trace_meta *t = &m->meta;
	struct jw *w;
	char b[32], title[600];

	if (pf->started)
		return;
	pf->started = true;
	w = pf_begin(pf, "i", "procscope trace start", "procscope", 0, 0, 0);
	jw_kv_str(w, "s", "g");
	pf_args(w);
	jw_kv_str(w, "tool_version", t->tool_version);
	jw_kv_str(w, "kernel", t->kernel);
	jw_kv_str(w, "hostname", t->hostname);
	jw_kv_str(w, "boot_id", t->boot_id);
	jw_kv_str(w, "mode", t->mode);
	jw_kv_str(w, "command", t->command);
	jw_kv_str(w, "title", timeline_title(m, title, sizeof(title)));
	jw_kv_u64(w, "target_pid", t->target_pid);
	/* absolute bases as strings: boot-relative ns can exceed 2^53 */
	snprintf(b, sizeof(b), "%" PRIu64, t->boottime_base_ns);
	jw_kv_str(w, "boottime_base_ns", b);
	snprintf(b, sizeof(b), "%" PRIu64, t->realtime_base_ns);
	jw_kv_str(w, "realtime_base_ns", b);
	jw_kv_str(w, "time_unit", "ts and dur are microseconds since the trace start");
	jw_obj_end(w);
	pf_end(pf);
}

static void pf_event(struct sink *s, const struct model *m, const union psc_event *ev,
		     const struct proc *subject)
{
	struct perfetto *pf = (struct perfetto *)s;
	size_t i;

	pf_start(pf, m);
	if (!subject || !timeline_in_scope(&pf->procs, m, subject))
		return;
	if (ev->hdr.type < PSC_EV_EPOLL_CREATE) {
		pf_proc_event(pf, m, ev, subject);
		return;
	}
	for (i = 0; i < m->ngroups; i++) {
		const struct timeline_ops *tl = m->groups[i]->timeline;

		if (tl && tl->perfetto_event)
			tl->perfetto_event(m->group_state[i], pf, m, ev, subject);
	}
}

static void pf_orphan(struct sink *s, const struct model *m, const struct proc *child,
		      const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct perfetto *pf = (struct perfetto *)s;

	pf_start(pf, m);
	if (timeline_in_scope(&pf->procs, m, child))
		pf_proc_orphan(pf, m, child, old_parent, new_parent, ts);
}

static void pf_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		    uint64_t total)
{
	struct perfetto *pf = (struct perfetto *)s;
	struct jw *w;
	__u32 t;

	pf_start(pf, m);
	w = pf_begin(pf, "i", "events lost", "procscope", 0, 0, timeline_rel(m, ts));
	jw_kv_str(w, "s", "g");
	pf_args(w);
	jw_kv_u64(w, "total", total);
	for (t = 1; t < PSC_EV_TYPE_MAX; t++)
		if (by_type[t] && decode_type_name(t))
			jw_kv_u64(w, decode_type_name(t), by_type[t]);
	jw_obj_end(w);
	pf_end(pf);
}

static int pf_flush(struct sink *s)
{
	struct perfetto *pf = (struct perfetto *)s;

	return timeline_out_flush(&pf->out);
}

/* Name @p's tracks; @index orders its process track */
static void name_tracks(struct perfetto *pf, const struct proc *p, struct pf_proc *pp,
			uint64_t index)
{
	uint32_t track = pf_proc_pid(pf, p, pp);
	char b[64];

	pf_proc_name(p, b, sizeof(b));
	pf_meta_name(pf, "process_name", track, p->pid, b);
	pf_meta_sort(pf, "process_sort_index", track, p->pid, index);
	pf_meta_name(pf, "thread_name", track, p->pid, b);
	pf_meta_sort(pf, "thread_sort_index", track, p->pid, 0);
	pf_name_threads(pf, p, pp);
}

static void free_tracks(struct perfetto *pf, struct pf_proc *pp)
{
	struct pf_thread *t, *next;

	for (t = pp->threads; t; t = next) {
		next = t->next;
		hmap_del(&pf->threads, ((uint64_t)t->seq << 32) | t->tid);
		free(t);
	}
	pp->threads = NULL;
}

/* @p leaves the table: its events are all written; name its tracks now and forget it */
static void pf_retire(struct sink *s, const struct model *m, const struct proc *p)
{
	struct perfetto *pf = (struct perfetto *)s;
	struct pf_proc *pp = timeline_procs_del(&pf->procs, p);

	if (!pp)
		return;
	if (pp->e.scope > 0 && ((pp->flags & PFP_LIFE) || pp->threads)) {
		name_tracks(pf, p, pp, (uint64_t)PF_RETIRED_SORT + pf->retired);
		pf->retired++;
	}
	free_tracks(pf, pp);
	free(pp);
}

/* Names and the tree order: one process track per (pid, start), one thread track per tid in it */
static void write_metadata(struct perfetto *pf, const struct model *m)
{
	struct timeline_row *rows = NULL;
	size_t n = 0, i;

	if (timeline_tree_order(m, &pf->procs, &rows, &n)) {
		pf_fail(pf, -ENOMEM);
		return;
	}
	for (i = 0; i < n; i++)
		name_tracks(pf, rows[i].p, timeline_procs_find(&pf->procs, rows[i].p), i);
	free(rows);
}

static int pf_finish(struct sink *s, const struct model *m)
{
	struct perfetto *pf = (struct perfetto *)s;
	struct proc *const *all;
	size_t n, i;
	struct jw *w;

	pf_start(pf, m);
	for (i = 0; i < m->ngroups; i++) {
		const struct timeline_ops *tl = m->groups[i]->timeline;

		if (tl && tl->perfetto_finish)
			tl->perfetto_finish(m->group_state[i], pf, m);
	}
	all = proctree_all(m->tree, &n);
	/* close what is still open: lifetimes of the living, zombies never reaped */
	for (i = 0; i < n; i++)
		if (timeline_in_scope(&pf->procs, m, all[i]))
			pf_sync_proc(pf, m, all[i], true);
	write_metadata(pf, m);
	w = pf_begin(pf, "i", "procscope trace end", "procscope", 0, 0, timeline_rel(m, m->end_ts));
	jw_kv_str(w, "s", "g");
	pf_args(w);
	jw_kv_u64(w, "events", m->stats.events);
	jw_kv_u64(w, "lost", m->stats.lost);
	jw_kv_u64(w, "out_of_order", m->stats.out_of_order);
	jw_kv_u64(w, "flows", pf->flows);
	jw_kv_u64(w, "flows_dropped", pf->flows_dropped);
	jw_kv_u64(w, "slices_moved", pf->slices_moved);
	jw_kv_u64(w, "slices_dropped", pf->slices_dropped);
	/* memory follows the process table: what left it was written and named as it left */
	jw_kv_u64(w, "processes_retired", pf->retired);
	if (pf->retired)
		jw_kv_str(w, "note",
			  "processes that ended early left procscope's table (it keeps the newest "
			  "reaped ones): their tracks are complete and sort after the tree");
	jw_obj_end(w);
	pf_end(pf);
	timeline_out_write(&pf->out, "\n]\n", 3);
	return timeline_out_close(&pf->out);
}

static void free_proc(void *entry)
{
	struct pf_proc *pp = entry;
	struct pf_thread *t, *next;

	for (t = pp->threads; t; t = next) {
		next = t->next;
		free(t);
	}
}

static void pf_destroy(struct sink *s)
{
	struct perfetto *pf = (struct perfetto *)s;
	size_t pos = 0, g;
	struct pf_thread *t;

	timeline_out_free(&pf->out);
	/* the process-less tracks here, every other with its process */
	while ((t = hmap_next(&pf->threads, &pos, NULL)))
		if (t->seq >= PF_AUX_SEQ)
			free(t);
	hmap_free(&pf->threads);
	timeline_procs_free(&pf->procs, free_proc);
	for (g = 0; g < PF_AUX_GROUPS; g++)
		free(pf->aux[g]);
	jw_free(&pf->w);
	hmap_free(&pf->pid_seen);
	free(pf);
}

struct sink *perfetto_sink_new(const char *path)
{
	struct perfetto *pf = calloc(1, sizeof(*pf));
	int err;

	if (!pf)
		return NULL;
	jw_init(&pf->w);
	hmap_init(&pf->threads);
	hmap_init(&pf->pid_seen);
	timeline_procs_init(&pf->procs, sizeof(struct pf_proc));
	/* published at the first flush: a trace cut short still loads */
	err = timeline_out_open(&pf->out, path, OUTFILE_STREAM);
	if (err) {
		pf_destroy(&pf->sink);
		errno = -err;
		return NULL;
	}
	pf->out.flush_at = PF_FLUSH_AT;
	pf->sink.event = pf_event;
	pf->sink.orphan = pf_orphan;
	pf->sink.lost = pf_lost;
	pf->sink.retire = pf_retire;
	pf->sink.flush = pf_flush;
	pf->sink.finish = pf_finish;
	pf->sink.destroy = pf_destroy;
	/* the array opens at once: a trace cut short (no "]") still loads */
	timeline_out_write(&pf->out, "[\n", 2);
	err = timeline_out_flush(&pf->out);
	if (err) {
		pf_destroy(&pf->sink);
		errno = -err;
		return NULL;
	}
	return &pf->sink;
}
