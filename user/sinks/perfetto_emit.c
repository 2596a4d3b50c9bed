// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The Perfetto sink's tracks and the primitives of perfetto.h. Nesting is valid by
 * construction: every thread slice is a complete ('X') event placed after the previous slice of
 * its track ended (a thread does one thing at a time, so this only ever moves a slice by a few
 * ns when clocks tie); intervals that may overlap go to lanes, async tracks or aux tracks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "perfetto_int.h"

void pf_fail(struct perfetto *pf, int err)
{
	if (!pf->out.err)
		pf->out.err = err;
}

const char *pf_proc_name(const struct proc *p, char *buf, size_t size)
{
	if (!p)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%.*s (%u)", (int)strnlen(p->comm, PSC_COMM_LEN), p->comm,
			 p->pid);
	return buf;
}

void pf_kv_proc(struct jw *w, const char *key, const struct proc *p)
{
	char b[64];

	jw_kv_str(w, key, pf_proc_name(p, b, sizeof(b)));
}

void pf_kv_us(struct jw *w, const char *key, uint64_t ns)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
	jw_key(w, key);
	jw_raw(w, b);
}

void pf_args(struct jw *w)
{
	jw_key(w, "args");
	jw_obj_start(w);
}

struct jw *pf_begin(struct perfetto *pf, const char *ph, const char *name, const char *cat,
		    uint32_t pid, uint32_t tid, uint64_t ts)
{
	struct jw *w = &pf->w;

	jw_reset(w);
	jw_obj_start(w);
	jw_kv_str(w, "ph", ph);
	if (name)
		jw_kv_str(w, "name", name);
	if (cat)
		jw_kv_str(w, "cat", cat);
	if (pid) {
		jw_kv_u64(w, "pid", pid);
		jw_kv_u64(w, "tid", tid);
	}
	pf_kv_us(w, "ts", ts);
	return w;
}

void pf_end(struct perfetto *pf)
{
	struct jw *w = &pf->w;

	jw_obj_end(w);
	if (jw_error(w)) {
		pf_fail(pf, jw_error(w) == -ENOMEM ? -ENOMEM : -EINVAL);
		return;
	}
	if (pf->any)
		timeline_out_write(&pf->out, ",\n", 2);
	timeline_out_write(&pf->out, w->buf, w->len);
	pf->any = true;
	pf->written++;
}

/* A metadata event ("M") @what for track (@pid, @tid), "args" open for its one value */
static struct jw *meta_begin(struct perfetto *pf, const char *what, uint32_t pid, uint32_t tid)
{
	struct jw *w = &pf->w;

	jw_reset(w);
	jw_obj_start(w);
	jw_kv_str(w, "ph", "M");
	jw_kv_str(w, "name", what);
	jw_kv_u64(w, "pid", pid);
	jw_kv_u64(w, "tid", tid);
	pf_args(w);
	return w;
}

void pf_meta_name(struct perfetto *pf, const char *what, uint32_t pid, uint32_t tid,
		  const char *name)
{
	struct jw *w = meta_begin(pf, what, pid, tid);

	jw_kv_str(w, "name", name);
	jw_obj_end(w);
	pf_end(pf);
}

void pf_meta_sort(struct perfetto *pf, const char *what, uint32_t pid, uint32_t tid, uint64_t index)
{
	struct jw *w = meta_begin(pf, what, pid, tid);

	jw_kv_u64(w, "sort_index", index);
	jw_obj_end(w);
	pf_end(pf);
}

int pf_lane_name(struct perfetto *pf, uint32_t lane, const char *name)
{
	if (!lane || lane >= PF_LANES)
		return -EINVAL;
	pf->lanes[lane] = name;
	return 0;
}

static void name_track(struct perfetto *pf, const struct proc *p, struct pf_proc *pp,
		       const struct pf_thread *t)
{
	uint32_t track = pf_proc_pid(pf, p, pp);
	uint32_t tid = t->tid & 0xffffffu, lane = t->tid >> 24;
	char b[96];

	snprintf(b, sizeof(b), "%.*s (%u)%s%s", (int)strnlen(p->comm, PSC_COMM_LEN), p->comm, tid,
		 lane ? " " : "",
		 lane ? (lane < PF_LANES && pf->lanes[lane] ? pf->lanes[lane] : "lane") : "");
	pf_meta_name(pf, "thread_name", track, t->tid, b);
	pf_meta_sort(pf, "thread_sort_index", track, t->tid, (uint64_t)t->order + 1);
}

void pf_name_threads(struct perfetto *pf, const struct proc *p, struct pf_proc *pp)
{
	const struct pf_thread *t;

	for (t = pp ? pp->threads : NULL; t; t = t->next)
		if (t->tid != p->pid)
			name_track(pf, p, pp, t);
}

void pf_thread_gone(struct perfetto *pf, const struct proc *p, uint32_t tid)
{
	struct pf_proc *pp = timeline_procs_find(&pf->procs, p);
	struct pf_thread **tp, *t;

	if (!pp || tid == p->pid)
		return; /* the main track lives as long as the process */
	for (tp = &pp->threads; (t = *tp);) {
		if ((t->tid & 0xffffffu) != tid) {
			tp = &t->next;
			continue;
		}
		*tp = t->next;
		name_track(pf, p, pp, t);
		hmap_del(&pf->threads, ((uint64_t)t->seq << 32) | t->tid);
		free(t);
	}
}

/* ---- tracks ---- */

struct pf_proc *pf_proc(struct perfetto *pf, const struct proc *p)
{
	struct pf_proc *pp = timeline_procs_get(&pf->procs, p);

	if (!pp)
		pf_fail(pf, -ENOMEM);
	return pp;
}

uint32_t pf_proc_pid(struct perfetto *pf, const struct proc *p, struct pf_proc *pp)
{
	if (!pp)
		return p->pid;
	if (pp->track_pid)
		return pp->track_pid;
	/* a set of the pids seen, not a bitmap: a log's pid can be any u32 */
	if (hmap_get(&pf->pid_seen, p->pid)) {
		pp->track_pid = PF_REUSE_PID + pf->reused++;
	} else if (hmap_put(&pf->pid_seen, p->pid, (void *)1)) {
		pf_fail(pf, -ENOMEM);
		return p->pid;
	} else {
		pp->track_pid = p->pid;
	}
	return pp->track_pid;
}

uint32_t pf_pid(struct perfetto *pf, const struct proc *p)
{
	return pf_proc_pid(pf, p, pf_proc(pf, p));
}

struct pf_thread *pf_thread(struct perfetto *pf, const struct model *m, const struct proc *p,
			    uint32_t tid)
{
	uint64_t key = ((uint64_t)p->seq << 32) | tid;
	struct pf_thread *t = hmap_get(&pf->threads, key);
	struct pf_proc *pp;

	if (t)
		return t;
	pp = pf_proc(pf, p);
	t = calloc(1, sizeof(*t));
	if (!pp || !t || hmap_put(&pf->threads, key, t)) {
		free(t);
		pf_fail(pf, -ENOMEM);
		return NULL;
	}
	t->seq = p->seq;
	t->tid = tid;
	t->order = pp->nthreads++;
	/* strictly inside the lifetime slice, which starts at the process start */
	t->floor = timeline_rel(m, p->start_ns) + 1;
	t->next = pp->threads;
	pp->threads = t;
	return t;
}

/* Reserve [*a, *b] on @t: starts no earlier than the previous slice's end + 1 ns */
static bool place(struct perfetto *pf, struct pf_thread *t, uint64_t *a, uint64_t *b)
{
	if (*a > *b)
		*a = *b;
	if (*a < t->floor) {
		if (*b < t->floor) {
			pf->slices_dropped++;
			return false;
		}
		*a = t->floor;
		pf->slices_moved++;
	}
	t->floor = *b + 1;
	if (*b > t->max_end)
		t->max_end = *b;
	return true;
}

static struct jw *slice_on(struct perfetto *pf, struct pf_thread *t, uint32_t pid, uint64_t *a,
			   uint64_t *b, const char *name, const char *cat, const char *cname)
{
	struct jw *w;

	if (!t || !place(pf, t, a, b))
		return NULL;
	w = pf_begin(pf, "X", name, cat, pid, t->tid, *a);
	pf_kv_us(w, "dur", *b - *a);
	if (cname)
		jw_kv_str(w, "cname", cname);
	return w;
}

struct jw *pf_slice(struct perfetto *pf, const struct model *m, const struct proc *p, uint32_t tid,
		    uint64_t *a, uint64_t *b, const char *name, const char *cat, const char *cname)
{
	return slice_on(pf, pf_thread(pf, m, p, tid), pf_pid(pf, p), a, b, name, cat, cname);
}

struct jw *pf_slice_inside(struct perfetto *pf, const struct proc *p, uint32_t tid, uint64_t a,
			   uint64_t dur, const char *name, const char *cat, const char *cname)
{
	struct jw *w = pf_begin(pf, "X", name, cat, pf_pid(pf, p), tid, a);

	pf_kv_us(w, "dur", dur);
	if (cname)
		jw_kv_str(w, "cname", cname);
	return w;
}

struct jw *pf_instant(struct perfetto *pf, const struct proc *p, uint32_t tid, uint64_t ts,
		      const char *name, const char *cat)
{
	struct jw *w = pf_begin(pf, "i", name, cat, pf_pid(pf, p), tid ? tid : p->pid, ts);

	jw_kv_str(w, "s", "t");
	return w;
}

struct jw *pf_mark(struct perfetto *pf, const struct model *m, const struct proc *p, uint32_t tid,
		   uint64_t ts, const char *name, const char *cat, uint64_t *at)
{
	struct pf_thread *t = pf_thread(pf, m, p, tid);
	uint64_t a = ts, b = ts + PF_MARK_NS;
	struct jw *w;

	if (!t)
		return NULL;
	/* a marker is never dropped: it moves after whatever the thread did last */
	if (a < t->floor) {
		a = t->floor;
		b = a + PF_MARK_NS;
		pf->slices_moved++;
	}
	w = slice_on(pf, t, pf_pid(pf, p), &a, &b, name, cat, "black");
	if (at)
		*at = a + PF_MARK_NS / 2;
	t->marks[t->nmarks % PF_SENDS].ts = ts;
	t->marks[t->nmarks % PF_SENDS].at = a;
	t->nmarks++;
	if (t->nmarks >= 2 * PF_SENDS)
		t->nmarks -= PF_SENDS; /* keep the ring index small; every slot stays valid */
	return w;
}

bool pf_mark_at(struct perfetto *pf, const struct proc *p, uint32_t tid, uint64_t ts, uint64_t *at)
{
	const struct pf_thread *t = p ? hmap_get(&pf->threads, ((uint64_t)p->seq << 32) | tid) :
					NULL;
	uint32_t k;

	for (k = 0; t && k < t->nmarks && k < PF_SENDS; k++)
		if (t->marks[k].ts == ts) {
			*at = t->marks[k].at + PF_MARK_NS / 2;
			return true;
		}
	return false;
}

void pf_flow(struct perfetto *pf, const char *name, const char *cat, const struct proc *sp,
	     uint32_t stid, uint64_t s_ts, const struct proc *fp, uint32_t ftid, uint64_t f_ts)
{
	uint64_t id = ++pf->next_flow;
	struct jw *w;

	w = pf_begin(pf, "s", name, cat, pf_pid(pf, sp), stid, s_ts);
	jw_kv_u64(w, "id", id);
	pf_end(pf);
	w = pf_begin(pf, "f", name, cat, pf_pid(pf, fp), ftid, f_ts);
	jw_kv_u64(w, "id", id);
	jw_kv_str(w, "bp", "e"); /* bind to the enclosing slice, not the next one */
	pf_end(pf);
	pf->flows++;
}

void pf_flows_dropped(struct perfetto *pf, uint64_t n)
{
	pf->flows_dropped += n;
}

static struct jw *async_ev(struct perfetto *pf, const char *ph, const struct proc *p,
			   const char *name, const char *cat, uint64_t id, uint64_t ts)
{
	struct jw *w = pf_begin(pf, ph, name, cat, pf_pid(pf, p), p->pid, ts);

	/* the id names the interval; cat + id + name must match between 'b' and 'e' */
	jw_kv_u64(w, "id", id);
	return w;
}

struct jw *pf_async_begin(struct perfetto *pf, const struct proc *p, const char *name,
			  const char *cat, uint64_t id, uint64_t ts)
{
	return async_ev(pf, "b", p, name, cat, id, ts);
}

struct jw *pf_async_end(struct perfetto *pf, const struct proc *p, const char *name,
			const char *cat, uint64_t id, uint64_t ts)
{
	return async_ev(pf, "e", p, name, cat, id, ts);
}

struct jw *pf_track_slice(struct perfetto *pf, const char *group, uint32_t track,
			  const char *track_name, uint64_t *a, uint64_t *b, const char *name,
			  const char *cat, const char *cname)
{
	struct pf_thread *t;
	uint32_t g;
	uint64_t key;

	for (g = 0; g < PF_AUX_GROUPS && pf->aux[g] && strcmp(pf->aux[g], group); g++)
		;
	if (g == PF_AUX_GROUPS || track == UINT32_MAX)
		return NULL;
	if (!pf->aux[g]) {
		pf->aux[g] = strdup(group);
		if (!pf->aux[g]) {
			pf_fail(pf, -ENOMEM);
			return NULL;
		}
		pf_meta_name(pf, "process_name", PF_AUX_PID + g, PF_AUX_PID + g, group);
	}
	key = ((uint64_t)(PF_AUX_SEQ + g) << 32) | track;
	t = hmap_get(&pf->threads, key);
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t || hmap_put(&pf->threads, key, t)) {
			free(t);
			pf_fail(pf, -ENOMEM);
			return NULL;
		}
		t->seq = PF_AUX_SEQ + g;
		t->tid = track + 1;
		pf_meta_name(pf, "thread_name", PF_AUX_PID + g, t->tid, track_name);
		pf_meta_sort(pf, "thread_sort_index", PF_AUX_PID + g, t->tid, track);
	}
	return slice_on(pf, t, PF_AUX_PID + g, a, b, name, cat, cname);
}
