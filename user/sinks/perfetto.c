// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chrome Trace Event Format (JSON array format) for ui.perfetto.dev and chrome://tracing; the
 * layout is in docs/timeline.md. Events are staged and streamed as they come; only names and
 * the tree order wait for finish. Every string goes through the JSON writer's escaping. No
 * printing: errors stick in the output and come back from flush/finish.
 *
 * Nesting is valid by construction. Every thread slice is a complete ('X') event; the lifetime
 * slice is the only root on a process's main-thread track, and everything else on a thread is
 * placed after the previous slice of that thread ended (a thread does one thing at a time, so
 * this only ever moves a slice by a few ns when clocks tie). The lifetime is written last (at
 * exit or finish) and stretched to cover what was placed inside it. The zombie interval is an
 * async slice (its own track), so it never has to nest with the lifetime.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "epoll_tl.h"
#include "format.h"
#include "hmap.h"
#include "json_writer.h"
#include "perfetto.h"
#include "util.h"

#define PF_FLUSH_AT (192u << 10)
/*
 * Length of the marker slices that flow arrows start from (fork, unix send): short enough that
 * the thread cannot have done anything else in between (a syscall return alone takes longer).
 */
#define PF_MARK_NS 100u
#define PF_SENDS 8 /* send markers remembered per thread, to bind late flow starts to */

/* ---- output file ---- */

bool timeline_has_suffix(const char *s, const char *suffix)
{
	return str_has_suffix(s, suffix);
}

int timeline_out_open(struct timeline_out *o, const char *path, bool gz)
{
	memset(o, 0, sizeof(*o));
	o->fd = outfile_create(path);
	if (o->fd < 0)
		return o->fd;
	if (gz) {
		o->gz = gzdopen(o->fd, "wb1"); /* fast: it runs while tracing */
		if (!o->gz) {
			close(o->fd);
			o->fd = -1;
			return -ENOMEM;
		}
	}
	o->flush_at = 64u << 10;
	return 0;
}

static int out_flush(struct timeline_out *o, bool sync)
{
	int err;

	if (o->err)
		return o->err;
	if (o->fd < 0)
		return o->err = -EBADF;
	if (o->len && o->gz) {
		if (gzwrite(o->gz, o->buf, (unsigned)o->len) != (int)o->len) {
			int zerr;

			gzerror(o->gz, &zerr);
			err = zerr == Z_ERRNO && errno ? -errno : -EIO;
			goto fail;
		}
	} else if (o->len) {
		err = write_full(o->fd, o->buf, o->len);
		if (err) {
			/* the buffer holds whole records only: cut a partly written one off */
			if (ftruncate(o->fd, (off_t)o->written) == 0)
				lseek(o->fd, (off_t)o->written, SEEK_SET);
			goto fail;
		}
	}
	if (sync && o->gz && gzflush(o->gz, Z_SYNC_FLUSH) != Z_OK) {
		err = -EIO;
		goto fail;
	}
	o->written += o->len;
	o->len = 0;
	return 0;
fail:
	o->err = err;
	o->len = 0;
	return err;
}

int timeline_out_flush(struct timeline_out *o)
{
	return out_flush(o, true);
}

void timeline_out_write(struct timeline_out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (o->len + n > o->cap) {
		size_t cap = o->cap ? o->cap : 64u << 10;
		char *b;

		while (cap < o->len + n)
			cap *= 2;
		b = realloc(o->buf, cap);
		if (!b) {
			o->err = -ENOMEM;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	if (o->len >= o->flush_at)
		out_flush(o, false);
}

void timeline_out_printf(struct timeline_out *o, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		if (!o->err)
			o->err = -EINVAL;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		timeline_out_write(o, small, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		if (!o->err)
			o->err = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	timeline_out_write(o, big, (size_t)n);
	free(big);
}

int timeline_out_close(struct timeline_out *o)
{
	int err;

	if (!o->gz && o->fd < 0)
		return o->err; /* closed already */
	err = out_flush(o, false);

	if (o->gz) {
		int zerr = gzclose(o->gz);

		o->gz = NULL;
		o->fd = -1;
		if (!err && zerr != Z_OK)
			err = o->err = -EIO;
	} else if (o->fd >= 0) {
		if (fsync(o->fd) && errno != EINVAL && !err)
			err = o->err = -errno;
		if (close(o->fd) && !err)
			err = o->err = -errno;
		o->fd = -1;
	}
	return err;
}

void timeline_out_free(struct timeline_out *o)
{
	if (o->gz)
		gzclose(o->gz);
	else if (o->fd >= 0)
		close(o->fd);
	o->gz = NULL;
	o->fd = -1;
	free(o->buf);
	o->buf = NULL;
	o->len = o->cap = 0;
}

/* ---- tree order ---- */

static int cmp_start(const void *a, const void *b)
{
	const struct proc *x = *(const struct proc *const *)a, *y = *(const struct proc *const *)b;

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int timeline_tree_order(const struct model *m, struct timeline_row **rows_out, size_t *n_out)
{
	size_t n, i, nrows = 0, nroots = 0, sp = 0;
	struct proc *const *all = proctree__all(m->tree, &n);
	struct timeline_row *rows = calloc(n + 1, sizeof(*rows));
	struct timeline_row *stack = calloc(n + 1, sizeof(*stack));
	size_t *kid_off = calloc(n + 2, sizeof(*kid_off)), *fill = calloc(n + 1, sizeof(*fill));
	const struct proc **kids = calloc(n + 1, sizeof(*kids));
	const struct proc **roots = calloc(n + 1, sizeof(*roots));
	bool *seen = calloc(n + 1, sizeof(*seen));
	int err = 0;

	if (!rows || !stack || !kid_off || !fill || !kids || !roots || !seen) {
		free(rows);
		err = -ENOMEM;
		goto out;
	}
	/* children grouped by fork parent: all[i]->seq == i */
	for (i = 0; i < n; i++) {
		const struct proc *fp = all[i]->fork_parent;

		if (fp && fp != all[i])
			kid_off[fp->seq + 1]++;
		else
			roots[nroots++] = all[i];
	}
	for (i = 0; i < n; i++)
		kid_off[i + 1] += kid_off[i];
	for (i = 0; i < n; i++) {
		const struct proc *fp = all[i]->fork_parent;

		if (fp && fp != all[i])
			kids[kid_off[fp->seq] + fill[fp->seq]++] = all[i];
	}
	for (i = 0; i < n; i++)
		if (kid_off[i + 1] - kid_off[i] > 1)
			qsort(kids + kid_off[i], kid_off[i + 1] - kid_off[i], sizeof(*kids),
			      cmp_start);
	qsort(roots, nroots, sizeof(*roots), cmp_start);
	/*
	 * Iterative DFS (fork chains can be deep). A corrupt log could make a cycle of fork
	 * parents with no root: whatever is still unseen after the roots starts a tree of its own.
	 */
	for (i = 0; i < nroots + n; i++) {
		const struct proc *r = i < nroots ? roots[i] : all[i - nroots];

		if (seen[r->seq])
			continue;
		seen[r->seq] = true;
		stack[sp++] = (struct timeline_row){ .p = r, .depth = 0 };
		while (sp) {
			struct timeline_row cur = stack[--sp];
			size_t k;

			rows[nrows++] = cur;
			for (k = kid_off[cur.p->seq + 1]; k > kid_off[cur.p->seq]; k--) {
				const struct proc *c = kids[k - 1];

				if (seen[c->seq])
					continue;
				seen[c->seq] = true;
				stack[sp++] =
					(struct timeline_row){ .p = c, .depth = cur.depth + 1 };
			}
		}
	}
	*rows_out = rows;
	*n_out = nrows;
out:
	free(stack);
	free(kid_off);
	free(fill);
	free(kids);
	free(roots);
	free(seen);
	return err;
}

/* ---- the Perfetto sink ---- */

/* One thread track (pid, tid): where the next slice may go */
struct pf_thread {
	uint32_t seq; /* the process (proc->seq) */
	uint32_t tid;
	uint32_t order; /* creation order in the process: thread_sort_index */
	uint32_t nsends;
	uint64_t floor; /* rel ns: the next slice starts here or later */
	uint64_t max_end; /* rel ns: the end of everything placed (the lifetime covers it) */
	struct {
		uint64_t ts; /* rel ns of the send */
		uint64_t at; /* where its marker was placed */
	} sends[PF_SENDS];
};

#define PFP_LIFE (1u << 0) /* lifetime slice written (or none is due) */
#define PFP_ZOMBIE_OPEN (1u << 1) /* zombie 'b' written, 'e' due */
#define PFP_ZOMBIE_DONE (1u << 2)

struct pf_proc {
	uint32_t flags; /* PFP_* */
	uint32_t nthreads;
};

struct perfetto {
	struct sink sink;
	struct timeline_out out;
	struct jw w;
	struct hmap threads; /* (seq << 32 | tid) -> struct pf_thread */
	struct pf_proc *procs; /* by proc->seq */
	size_t cap_procs;
	uint64_t next_flow;
	bool started; /* the trace-info instant is written */
	bool any; /* an event follows the "[": the next needs a comma */
	uint64_t written; /* trace events */
	uint64_t flows;
	uint64_t flows_dropped;
	uint64_t slices_moved; /* started a little later than recorded, to keep nesting valid */
	uint64_t slices_dropped;
};

static uint64_t rel(const struct model *m, uint64_t ts)
{
	return ts > m->meta.boottime_base_ns ? ts - m->meta.boottime_base_ns : 0;
}

static uint64_t life_start(const struct model *m, const struct proc *p)
{
	return rel(m, p->start_ns);
}

/* A fixed-size string field as a C string (the tree's and decode's copies end in NUL anyway) */
static const char *field_str(const char *s, size_t max, char *buf, size_t size)
{
	size_t n = strnlen(s, max);

	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static const char *proc_name(const struct proc *p, char *buf, size_t size)
{
	if (!p)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%.*s (%u)", (int)strnlen(p->comm, PSC_COMM_LEN), p->comm,
			 p->pid);
	return buf;
}

static struct pf_proc *pf_proc(struct perfetto *pf, const struct proc *p)
{
	if (p->seq >= pf->cap_procs) {
		size_t cap = pf->cap_procs ? pf->cap_procs : 256;
		struct pf_proc *np;

		while (cap <= p->seq)
			cap *= 2;
		np = realloc(pf->procs, cap * sizeof(*np));
		if (!np) {
			pf->out.err = pf->out.err ? pf->out.err : -ENOMEM;
			return NULL;
		}
		memset(np + pf->cap_procs, 0, (cap - pf->cap_procs) * sizeof(*np));
		pf->procs = np;
		pf->cap_procs = cap;
	}
	return &pf->procs[p->seq];
}

static struct pf_thread *pf_thread(struct perfetto *pf, const struct model *m, const struct proc *p,
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
		pf->out.err = pf->out.err ? pf->out.err : -ENOMEM;
		return NULL;
	}
	t->seq = p->seq;
	t->tid = tid;
	t->order = pp->nthreads++;
	/* strictly inside the lifetime slice, which starts at the process start */
	t->floor = life_start(m, p) + 1;
	return t;
}

/* Reserve [*a, *b] on @t: starts no earlier than the previous slice's end + 1 ns */
static bool place(struct perfetto *pf, struct pf_thread *t, uint64_t *a, uint64_t *b)
{
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

static void kv_us(struct jw *w, const char *key, uint64_t ns)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
	jw_key(w, key);
	jw_raw(w, b);
}

/* Start a trace event object: "ph", "name", "cat", "pid", "tid", "ts" (pid 0: none) */
static struct jw *ev_begin(struct perfetto *pf, const char *ph, const char *name, const char *cat,
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
	kv_us(w, "ts", ts);
	return w;
}

static void ev_end(struct perfetto *pf)
{
	struct jw *w = &pf->w;

	jw_obj_end(w);
	if (jw_error(w)) {
		if (!pf->out.err)
			pf->out.err = jw_error(w) == -ENOMEM ? -ENOMEM : -EINVAL;
		return;
	}
	if (pf->any)
		timeline_out_write(&pf->out, ",\n", 2);
	timeline_out_write(&pf->out, w->buf, w->len);
	pf->any = true;
	pf->written++;
}

static void args_begin(struct jw *w)
{
	jw_key(w, "args");
	jw_obj_start(w);
}

/* The trace-info instant opens the array: ts 0 is the trace start */
static void pf_start(struct perfetto *pf, const struct model *m)
{
	const struct trace_meta *t = &m->meta;
	struct jw *w;
	char b[32];

	if (pf->started)
		return;
	pf->started = true;
	w = ev_begin(pf, "i", "procscope trace start", "procscope", 0, 0, 0);
	jw_kv_str(w, "s", "g");
	args_begin(w);
	jw_kv_str(w, "tool_version", t->tool_version);
	jw_kv_str(w, "kernel", t->kernel);
	jw_kv_str(w, "hostname", t->hostname);
	jw_kv_str(w, "boot_id", t->boot_id);
	jw_kv_str(w, "mode", t->mode);
	jw_kv_str(w, "command", t->command);
	jw_kv_u64(w, "target_pid", t->target_pid);
	/* absolute bases as strings: boot-relative ns can exceed 2^53 */
	snprintf(b, sizeof(b), "%" PRIu64, t->boottime_base_ns);
	jw_kv_str(w, "boottime_base_ns", b);
	snprintf(b, sizeof(b), "%" PRIu64, t->realtime_base_ns);
	jw_kv_str(w, "realtime_base_ns", b);
	jw_kv_str(w, "time_unit", "ts and dur are microseconds since the trace start");
	jw_obj_end(w);
	ev_end(pf);
}

/* A thread-scoped instant on (@p, @tid); the caller adds args (or none) and calls ev_end() */
static struct jw *instant(struct perfetto *pf, const struct proc *p, uint32_t tid, uint64_t ts,
			  const char *name, const char *cat)
{
	struct jw *w = ev_begin(pf, "i", name, cat, p->pid, tid ? tid : p->pid, ts);

	jw_kv_str(w, "s", "t");
	return w;
}

static void kv_argv(struct jw *w, const char *key, const char *args, uint32_t len)
{
	uint32_t i = 0;

	jw_key(w, key);
	jw_arr_start(w);
	while (i < len) {
		size_t n = strnlen(args + i, len - i);

		jw_strn(w, args + i, n);
		i += (uint32_t)n + 1;
	}
	jw_arr_end(w);
}

static void kv_proc(struct jw *w, const char *key, const struct proc *p)
{
	char b[64];

	jw_kv_str(w, key, proc_name(p, b, sizeof(b)));
}

/* The lifetime slice of @p, from its start to @end (rel ns), on its main-thread track */
static void write_life(struct perfetto *pf, const struct model *m, const struct proc *p,
		       uint64_t end, const char *how)
{
	struct pf_thread *t = pf_thread(pf, m, p, p->pid);
	uint64_t a = life_start(m, p), b = end;
	char st[64], comm[PSC_COMM_LEN + 1];
	struct jw *w;

	if (!t)
		return;
	if (t->max_end >= b)
		b = t->max_end + 1; /* never cut what was placed inside */
	if (b < a)
		b = a;
	field_str(p->comm, PSC_COMM_LEN, comm, sizeof(comm));
	w = ev_begin(pf, "X", comm[0] ? comm : "?", "proc", p->pid, p->pid, a);
	kv_us(w, "dur", b - a);
	jw_kv_str(w, "cname", "thread_state_running");
	args_begin(w);
	jw_kv_u64(w, "pid", p->pid);
	jw_kv_str(w, "comm", comm);
	if (p->fork_parent)
		kv_proc(w, "forked_by", p->fork_parent);
	if (p->parent && p->parent != p->fork_parent)
		kv_proc(w, "parent", p->parent);
	if (p->filename)
		jw_kv_str(w, "filename", p->filename);
	if (p->args)
		kv_argv(w, "argv", p->args, p->args_len);
	jw_kv_u64(w, "execs", p->nr_execs);
	if (p->flags & PROC_F_EXITED)
		jw_kv_str(w, "end", wstatus_describe(p->exit_status, st, sizeof(st)));
	else
		jw_kv_str(w, "end", how);
	if (p->start_ns < m->meta.boottime_base_ns)
		jw_kv_bool(w, "started_before_trace", true);
	if (p->flags & PROC_F_ORPHANED) {
		kv_proc(w, "orphan_of", p->old_parent);
		kv_proc(w, "adopted_by", p->parent);
	}
	if (p->threads_total)
		jw_kv_u64(w, "threads_created", p->threads_total);
	jw_obj_end(w);
	ev_end(pf);
}

static void write_zombie(struct perfetto *pf, const struct model *m, const struct proc *p,
			 const char *ph, uint64_t ts)
{
	struct jw *w = ev_begin(pf, ph, "zombie", "proc", p->pid, p->pid, ts);

	/* the id names the interval; cat + id + name must match between 'b' and 'e' */
	jw_kv_u64(w, "id", (uint64_t)p->seq + 1);
	if (ph[0] == 'b') {
		jw_kv_str(w, "cname", "terrible");
		args_begin(w);
		kv_proc(w, "must_be_reaped_by", p->parent);
		jw_obj_end(w);
	} else {
		args_begin(w);
		if (p->state == PROC_ZOMBIE)
			jw_kv_str(w, "reaped_by", "(still a zombie at the end of the trace)");
		else if (p->flags & PROC_F_REAP_BY_FREE)
			jw_kv_str(w, "reaped_by",
				  "(released by the kernel: the wait was not traced)");
		else
			kv_proc(w, "reaped_by", p->reaper);
		jw_obj_end(w);
	}
	ev_end(pf);
}

/*
 * Bring the written record of @p up to its state in the tree: the lifetime slice once it ended
 * (or at the end of the trace), the zombie interval's begin and end.
 */
static void sync_proc(struct perfetto *pf, const struct model *m, const struct proc *p, bool at_end)
{
	struct pf_proc *pp = p ? pf_proc(pf, p) : NULL;
	bool exited;

	if (!pp)
		return;
	exited = p->flags & PROC_F_EXITED;
	if (!(pp->flags & PFP_LIFE)) {
		if (exited) {
			write_life(pf, m, p, rel(m, p->exit_ts), "");
			pp->flags |= PFP_LIFE;
		} else if (p->state == PROC_REAPED) {
			write_life(pf, m, p, rel(m, p->reap_ts), "gone (exit not traced)");
			pp->flags |= PFP_LIFE;
		} else if (p->state == PROC_ZOMBIE) {
			pp->flags |= PFP_LIFE; /* a zombie already when the trace began */
		} else if (at_end) {
			write_life(pf, m, p, rel(m, m->end_ts), "still running");
			pp->flags |= PFP_LIFE;
		}
	}
	/* a reap that was also the first sign of the exit has no zombie interval to show */
	if (!(pp->flags & (PFP_ZOMBIE_OPEN | PFP_ZOMBIE_DONE)) &&
	    ((exited && !(p->flags & PROC_F_AUTOREAP) &&
	      (p->state == PROC_ZOMBIE || (p->state == PROC_REAPED && p->reap_ts > p->exit_ts))) ||
	     (!exited && p->state == PROC_ZOMBIE))) {
		write_zombie(pf, m, p, "b", exited ? rel(m, p->exit_ts) : 0);
		pp->flags |= PFP_ZOMBIE_OPEN;
	}
	if ((pp->flags & PFP_ZOMBIE_OPEN) && (p->state == PROC_REAPED || at_end)) {
		uint64_t b = exited ? rel(m, p->exit_ts) : 0;
		uint64_t e = p->state == PROC_REAPED ? rel(m, p->reap_ts) : rel(m, m->end_ts);

		write_zombie(pf, m, p, "e", e > b ? e : b);
		pp->flags = (pp->flags & ~PFP_ZOMBIE_OPEN) | PFP_ZOMBIE_DONE;
	}
}

/* A flow arrow: 's' at @s_ts on (@sp, @stid), 'f' at @f_ts on (@fp, @ftid), both inside slices */
static void flow(struct perfetto *pf, const char *name, const char *cat, const struct proc *sp,
		 uint32_t stid, uint64_t s_ts, const struct proc *fp, uint32_t ftid, uint64_t f_ts)
{
	uint64_t id = ++pf->next_flow;
	struct jw *w;

	w = ev_begin(pf, "s", name, cat, sp->pid, stid, s_ts);
	jw_kv_u64(w, "id", id);
	ev_end(pf);
	w = ev_begin(pf, "f", name, cat, fp->pid, ftid, f_ts);
	jw_kv_u64(w, "id", id);
	jw_kv_str(w, "bp", "e"); /* bind to the enclosing slice, not the next one */
	ev_end(pf);
	pf->flows++;
}

/* A marker slice at @ts on @t for a flow to start from; returns where it went */
static uint64_t marker(struct perfetto *pf, const struct proc *p, struct pf_thread *t, uint64_t ts,
		       const char *name, const char *cat, struct jw **args)
{
	uint64_t a = ts, b = ts + PF_MARK_NS;
	struct jw *w;

	if (a < t->floor) {
		a = t->floor;
		b = a + PF_MARK_NS;
		pf->slices_moved++;
	}
	t->floor = b + 1;
	if (b > t->max_end)
		t->max_end = b;
	w = ev_begin(pf, "X", name, cat, p->pid, t->tid, a);
	kv_us(w, "dur", PF_MARK_NS);
	jw_kv_str(w, "cname", "black");
	*args = w;
	return a;
}

static void on_proc_fork(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_proc_fork *e, const struct proc *child)
{
	const struct proc *caller = proctree__find(m->tree, e->hdr.tgid, e->hdr.start_ns);
	struct pf_thread *ct, *kt;
	uint64_t ts = rel(m, e->hdr.ts_ns), at, s_ts, f_ts;
	char b[64];
	struct jw *w;

	if ((e->flags & PSC_FORK_THREAD) || !child)
		return;
	w = instant(pf, child, child->pid, ts, "fork", "proc");
	args_begin(w);
	kv_proc(w, "forked_by", child->fork_parent);
	jw_obj_end(w);
	ev_end(pf);
	if (!caller || caller == child)
		return;
	ct = pf_thread(pf, m, caller, e->hdr.tid);
	kt = pf_thread(pf, m, child, child->pid);
	if (!ct || !kt)
		return;
	/* the arrow starts in a marker on the forking thread, ends in the child's lifetime */
	at = marker(pf, caller, ct, ts, "fork child", "proc", &w);
	args_begin(w);
	jw_kv_str(w, "child", proc_name(child, b, sizeof(b)));
	jw_obj_end(w);
	ev_end(pf);
	s_ts = at + PF_MARK_NS / 2;
	f_ts = s_ts + 1; /* after the start: importers drop flows that end before they begin */
	if (f_ts <= life_start(m, child))
		f_ts = life_start(m, child) + 1;
	flow(pf, "fork", "proc", caller, e->hdr.tid, s_ts, child, child->pid, f_ts);
	if (kt->floor <= f_ts)
		kt->floor = f_ts + 1;
	if (kt->max_end < f_ts)
		kt->max_end = f_ts;
}

static void on_proc_exec(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_proc_exec *e, const struct proc *p)
{
	struct jw *w;

	if (!p)
		return;
	w = instant(pf, p, p->pid, rel(m, e->hdr.ts_ns), "exec", "proc");
	args_begin(w);
	jw_kv_strn(w, "comm", e->comm, strnlen(e->comm, sizeof(e->comm)));
	jw_kv_strn(w, "filename", e->filename, strnlen(e->filename, sizeof(e->filename)));
	kv_argv(w, "argv", e->args, e->args_len < PSC_ARGS_LEN ? e->args_len : PSC_ARGS_LEN);
	if (e->flags & PSC_EXEC_ARGS_TRUNC)
		jw_kv_bool(w, "argv_truncated", true);
	if (e->old_tid != e->hdr.tgid)
		jw_kv_u64(w, "exec_by_thread", e->old_tid);
	jw_obj_end(w);
	ev_end(pf);
}

static void on_proc_exit(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_proc_exit *e, const struct proc *p)
{
	char st[64];
	struct jw *w;

	if (!p || !(e->flags & PSC_EXIT_GROUP_DEAD))
		return;
	w = instant(pf, p, p->pid, rel(m, e->hdr.ts_ns),
		    wstatus_describe(e->exit_code, st, sizeof(st)), "proc");
	args_begin(w);
	jw_kv_u64(w, "wait_status", e->exit_code);
	if (e->flags & PSC_EXIT_AUTOREAP)
		jw_kv_bool(w, "autoreaped", true);
	jw_obj_end(w);
	ev_end(pf);
	sync_proc(pf, m, p, false);
}

static void on_proc_reap(struct perfetto *pf, const struct model *m, const union psc_event *ev,
			 const struct proc *p)
{
	const struct proc *waiter;
	char d[32];
	struct jw *w;

	if (!p)
		return;
	if (ev->hdr.type == PSC_EV_PROC_REAP) {
		waiter = proctree__find(m->tree, ev->hdr.tgid, ev->hdr.start_ns);
		if (waiter) {
			w = instant(pf, waiter, ev->hdr.tid, rel(m, ev->hdr.ts_ns), "reap", "proc");
			args_begin(w);
			kv_proc(w, "child", p);
			jw_kv_str(w, "zombie_for",
				  duration_fmt(proc_zombie_ns(p, 0), d, sizeof(d)));
			jw_obj_end(w);
			ev_end(pf);
		}
	}
	sync_proc(pf, m, p, false);
}

static const char *wait_result(int32_t ret, char *buf, size_t size)
{
	if (ret > 0)
		snprintf(buf, size, "%d ready", ret);
	else if (ret == 0)
		snprintf(buf, size, "timeout");
	else if (ret == -4)
		snprintf(buf, size, "EINTR");
	else
		snprintf(buf, size, "error %d", -ret);
	return buf;
}

static void kv_timeout(struct jw *w, int64_t timeout_ns)
{
	if (timeout_ns < 0)
		jw_kv_i64(w, "timeout_ms", -1);
	else
		jw_kv_double(w, "timeout_ms", (double)timeout_ns / 1e6);
}

/* The "woken by" marker at the end of a wait slice and the arrows from each send into it */
static void wake_links(struct perfetto *pf, const struct model *m, const struct proc *waiter,
		       uint32_t tid, uint64_t a, uint64_t b)
{
	uint64_t d = (b - a) / 2, f_ts;
	size_t i;
	struct jw *w;
	char nb[64];

	if (d > PF_MARK_NS)
		d = PF_MARK_NS;
	if (d < 2) {
		pf->flows_dropped += m->nlinks;
		return;
	}
	/* nested in the wait: the arrow lands where the wait returned, not where it began */
	w = ev_begin(pf, "X", "woken by unix send", "unix", waiter->pid, tid, b - d);
	kv_us(w, "dur", d);
	jw_kv_str(w, "cname", "yellow");
	args_begin(w);
	jw_key(w, "senders");
	jw_arr_start(w);
	for (i = 0; i < m->nlinks; i++)
		jw_str(w, proc_name(proctree__find(m->tree, m->links[i].sender_pid,
						   m->links[i].sender_start_ns),
				    nb, sizeof(nb)));
	jw_arr_end(w);
	jw_obj_end(w);
	ev_end(pf);
	f_ts = b - d / 2;
	for (i = 0; i < m->nlinks; i++) {
		const struct wake_link *l = &m->links[i];
		const struct proc *sp = proctree__find(m->tree, l->sender_pid, l->sender_start_ns);
		struct pf_thread *st = sp ? pf_thread(pf, m, sp, l->sender_tid) : NULL;
		uint64_t send = rel(m, l->send_ts), s_ts = 0;
		uint32_t k;

		for (k = 0; st && k < st->nsends && k < PF_SENDS; k++)
			if (st->sends[k].ts == send)
				s_ts = st->sends[k].at + PF_MARK_NS / 2;
		if (!s_ts || f_ts <= s_ts) {
			pf->flows_dropped++; /* no marker for that send (or clocks disagree) */
			continue;
		}
		flow(pf, "wakeup", "unix", sp, l->sender_tid, s_ts, waiter, tid, f_ts);
	}
}

static void on_epoll_wait(struct perfetto *pf, const struct model *m,
			  const struct psc_ev_epoll_wait *e, const struct proc *p)
{
	struct epoll_tl *tl = model__group_state(m, PSC_GROUP_EPOLL);
	const struct epoll_ready_fd *rf = NULL;
	struct pf_thread *t = p ? pf_thread(pf, m, p, e->hdr.tid) : NULL;
	uint64_t b = rel(m, e->hdr.ts_ns), a = e->enter_ns ? rel(m, e->enter_ns) : b;
	const char *name = e->flags & PSC_WAIT_PWAIT2 ? "epoll_pwait2" :
			   e->flags & PSC_WAIT_PWAIT  ? "epoll_pwait" :
							"epoll_wait";
	char buf[64], nb[64];
	size_t nrf = 0, i;
	struct jw *w;

	if (!t)
		return;
	if (a > b)
		a = b;
	if (!place(pf, t, &a, &b)) {
		pf->flows_dropped += m->nlinks;
		return;
	}
	if (tl)
		rf = epoll_tl__last_ready(tl, &nrf);
	w = ev_begin(pf, "X", name, "epoll", p->pid, e->hdr.tid, a);
	kv_us(w, "dur", b - a);
	jw_kv_str(w, "cname", "thread_state_sleeping");
	args_begin(w);
	jw_kv_i64(w, "epfd", e->epfd);
	kv_timeout(w, e->timeout_ns);
	jw_kv_i64(w, "ret", e->ret);
	jw_kv_str(w, "result", wait_result(e->ret, buf, sizeof(buf)));
	jw_key(w, "ready");
	jw_arr_start(w);
	for (i = 0; i < e->nready && i < PSC_EPOLL_MAX_READY; i++) {
		uint32_t events = rf && i < nrf ? rf[i].events : e->ready[i].events;

		jw_obj_start(w);
		if (rf && i < nrf)
			jw_kv_i64(w, "fd", rf[i].fd);
		else
			jw_kv_u64(w, "data", e->ready[i].data);
		jw_kv_str(w, "events", epoll_events_str(events, buf, sizeof(buf)));
		jw_obj_end(w);
	}
	jw_arr_end(w);
	if (e->flags & PSC_WAIT_CAPPED)
		jw_kv_bool(w, "ready_truncated", true);
	if (m->nlinks) {
		jw_key(w, "woken_by");
		jw_arr_start(w);
		for (i = 0; i < m->nlinks; i++) {
			const struct wake_link *l = &m->links[i];

			jw_obj_start(w);
			jw_kv_str(w, "sender",
				  proc_name(proctree__find(m->tree, l->sender_pid,
							   l->sender_start_ns),
					    nb, sizeof(nb)));
			jw_kv_u64(w, "sender_tid", l->sender_tid);
			jw_kv_i64(w, "fd", l->fd);
			jw_kv_u64(w, "ino", l->ino);
			jw_kv_double(w, "latency_us", (double)l->latency_ns / 1e3);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
	ev_end(pf);
	if (m->nlinks)
		wake_links(pf, m, p, e->hdr.tid, a, b);
}

static void on_poll_wait(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_poll_wait *e, const struct proc *p)
{
	static const char *const names[] = { "poll", "poll", "ppoll", "select", "pselect6" };
	struct pf_thread *t = p ? pf_thread(pf, m, p, e->hdr.tid) : NULL;
	uint64_t b = rel(m, e->hdr.ts_ns), a = e->enter_ns ? rel(m, e->enter_ns) : b;
	char buf[32];
	struct jw *w;

	if (!t)
		return;
	if (a > b)
		a = b;
	if (!place(pf, t, &a, &b))
		return;
	w = ev_begin(pf, "X", e->kind < 5 ? names[e->kind] : "poll", "poll", p->pid, e->hdr.tid, a);
	kv_us(w, "dur", b - a);
	jw_kv_str(w, "cname", "thread_state_sleeping");
	args_begin(w);
	jw_kv_u64(w, "nfds", e->nfds);
	kv_timeout(w, e->timeout_ns);
	jw_kv_i64(w, "ret", e->ret);
	jw_kv_str(w, "result", wait_result(e->ret, buf, sizeof(buf)));
	jw_obj_end(w);
	ev_end(pf);
}

/* sk_data_ready in the sender: a marker for the arrow to the wait it will wake, if any */
static void on_unix_wake(struct perfetto *pf, const struct model *m,
			 const struct psc_ev_unix_wake *e, const struct proc *p)
{
	struct pf_thread *t = p ? pf_thread(pf, m, p, e->hdr.tid) : NULL;
	uint64_t ts = rel(m, e->hdr.ts_ns), at;
	struct jw *w;

	if (!t)
		return;
	at = marker(pf, p, t, ts, "unix send", "unix", &w);
	args_begin(w);
	jw_kv_u64(w, "to_ino", e->ino);
	if (e->peer_ino)
		jw_kv_u64(w, "from_ino", e->peer_ino);
	jw_obj_end(w);
	ev_end(pf);
	t->sends[t->nsends % PF_SENDS].ts = ts;
	t->sends[t->nsends % PF_SENDS].at = at;
	t->nsends++;
	if (t->nsends >= 2 * PF_SENDS)
		t->nsends -=
			PF_SENDS; /* keep the ring index small; all PF_SENDS slots stay valid */
}

static void pf_event(struct sink *s, const struct model *m, const union psc_event *ev,
		     const struct proc *subject)
{
	struct perfetto *pf = (struct perfetto *)s;

	pf_start(pf, m);
	switch (ev->hdr.type) {
	case PSC_EV_PROC_FORK:
		on_proc_fork(pf, m, &ev->fork, subject);
		break;
	case PSC_EV_PROC_EXEC:
		on_proc_exec(pf, m, &ev->exec, subject);
		break;
	case PSC_EV_PROC_EXIT:
		on_proc_exit(pf, m, &ev->exit, subject);
		break;
	case PSC_EV_PROC_REAP:
	case PSC_EV_PROC_FREE:
		on_proc_reap(pf, m, ev, subject);
		break;
	case PSC_EV_PROC_SEED:
		sync_proc(pf, m, subject, false); /* a zombie already: its interval starts at 0 */
		break;
	case PSC_EV_EPOLL_WAIT:
		on_epoll_wait(pf, m, &ev->epoll_wait, subject);
		break;
	case PSC_EV_POLL_WAIT:
		on_poll_wait(pf, m, &ev->poll_wait, subject);
		break;
	case PSC_EV_UNIX_WAKE:
		on_unix_wake(pf, m, &ev->unix_wake, subject);
		break;
	default:
		break;
	}
}

static void pf_orphan(struct sink *s, const struct model *m, const struct proc *child,
		      const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct perfetto *pf = (struct perfetto *)s;
	struct jw *w;

	pf_start(pf, m);
	w = instant(pf, child, child->pid, rel(m, ts), "orphaned", "proc");
	args_begin(w);
	kv_proc(w, "old_parent", old_parent);
	kv_proc(w, "adopted_by", new_parent);
	jw_kv_bool(w, "subreaper", child->flags & PROC_F_ADOPTED_BY_SUBREAPER);
	jw_obj_end(w);
	ev_end(pf);
}

static void pf_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		    uint64_t total)
{
	struct perfetto *pf = (struct perfetto *)s;
	struct jw *w;
	__u32 t;

	pf_start(pf, m);
	w = ev_begin(pf, "i", "events lost", "procscope", 0, 0, rel(m, ts));
	jw_kv_str(w, "s", "g");
	args_begin(w);
	jw_kv_u64(w, "total", total);
	for (t = 1; t < PSC_EV_TYPE_MAX; t++)
		if (by_type[t] && decode_type_name(t))
			jw_kv_u64(w, decode_type_name(t), by_type[t]);
	jw_obj_end(w);
	ev_end(pf);
}

static int pf_flush(struct sink *s)
{
	struct perfetto *pf = (struct perfetto *)s;

	return timeline_out_flush(&pf->out);
}

static void meta_name(struct perfetto *pf, const char *what, uint32_t pid, uint32_t tid,
		      const char *name)
{
	struct jw *w = &pf->w;

	jw_reset(w);
	jw_obj_start(w);
	jw_kv_str(w, "ph", "M");
	jw_kv_str(w, "name", what);
	jw_kv_u64(w, "pid", pid);
	jw_kv_u64(w, "tid", tid);
	args_begin(w);
	jw_kv_str(w, "name", name);
	jw_obj_end(w);
	ev_end(pf);
}

static void meta_sort(struct perfetto *pf, const char *what, uint32_t pid, uint32_t tid,
		      uint64_t index)
{
	struct jw *w = &pf->w;

	jw_reset(w);
	jw_obj_start(w);
	jw_kv_str(w, "ph", "M");
	jw_kv_str(w, "name", what);
	jw_kv_u64(w, "pid", pid);
	jw_kv_u64(w, "tid", tid);
	args_begin(w);
	jw_kv_u64(w, "sort_index", index);
	jw_obj_end(w);
	ev_end(pf);
}

/* Names and the tree order: one process track per pid, one thread track per (pid, tid) */
static void write_metadata(struct perfetto *pf, const struct model *m)
{
	struct timeline_row *rows = NULL;
	size_t n = 0, i, pos = 0;
	struct proc *const *all;
	struct pf_thread *t;
	struct hmap named; /* pid -> the process whose name the track carries */
	size_t nall;
	char b[64];

	if (timeline_tree_order(m, &rows, &n)) {
		pf->out.err = pf->out.err ? pf->out.err : -ENOMEM;
		return;
	}
	all = proctree__all(m->tree, &nall);
	hmap_init(&named);
	/* a reused pid shares one track (the format knows pids only): the first in tree order names it */
	for (i = 0; i < n; i++) {
		const struct proc *p = rows[i].p;

		if (hmap_get(&named, p->pid))
			continue;
		if (hmap_put(&named, p->pid, (void *)p)) {
			pf->out.err = pf->out.err ? pf->out.err : -ENOMEM;
			break;
		}
		proc_name(p, b, sizeof(b));
		meta_name(pf, "process_name", p->pid, p->pid, b);
		meta_sort(pf, "process_sort_index", p->pid, p->pid, i);
		meta_name(pf, "thread_name", p->pid, p->pid, b);
		meta_sort(pf, "thread_sort_index", p->pid, p->pid, 0);
	}
	while ((t = hmap_next(&pf->threads, &pos, NULL))) {
		const struct proc *p = t->seq < nall ? all[t->seq] : NULL;

		if (!p || t->tid == p->pid || hmap_get(&named, p->pid) != p)
			continue;
		snprintf(b, sizeof(b), "%.*s (%u)", (int)strnlen(p->comm, PSC_COMM_LEN), p->comm,
			 t->tid);
		meta_name(pf, "thread_name", p->pid, t->tid, b);
		meta_sort(pf, "thread_sort_index", p->pid, t->tid, (uint64_t)t->order + 1);
	}
	hmap_free(&named);
	free(rows);
}

static int pf_finish(struct sink *s, const struct model *m)
{
	struct perfetto *pf = (struct perfetto *)s;
	struct proc *const *all;
	size_t n, i;
	struct jw *w;
	int err;

	pf_start(pf, m);
	all = proctree__all(m->tree, &n);
	/* close what is still open: lifetimes of the living, zombies never reaped */
	for (i = 0; i < n; i++)
		sync_proc(pf, m, all[i], true);
	write_metadata(pf, m);
	w = ev_begin(pf, "i", "procscope trace end", "procscope", 0, 0, rel(m, m->end_ts));
	jw_kv_str(w, "s", "g");
	args_begin(w);
	jw_kv_u64(w, "events", m->stats.events);
	jw_kv_u64(w, "lost", m->stats.lost);
	jw_kv_u64(w, "out_of_order", m->stats.out_of_order);
	jw_kv_u64(w, "flows", pf->flows);
	jw_kv_u64(w, "flows_dropped", pf->flows_dropped);
	jw_kv_u64(w, "slices_moved", pf->slices_moved);
	jw_kv_u64(w, "slices_dropped", pf->slices_dropped);
	jw_obj_end(w);
	ev_end(pf);
	timeline_out_write(&pf->out, "\n]\n", 3);
	err = timeline_out_close(&pf->out);
	return err;
}

static void pf_destroy(struct sink *s)
{
	struct perfetto *pf = (struct perfetto *)s;
	size_t pos = 0;
	void *v;

	timeline_out_free(&pf->out);
	while ((v = hmap_next(&pf->threads, &pos, NULL)))
		free(v);
	hmap_free(&pf->threads);
	jw_free(&pf->w);
	free(pf->procs);
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
	err = timeline_out_open(&pf->out, path, timeline_has_suffix(path, ".gz"));
	if (err) {
		pf->out.fd = -1;
		pf_destroy(&pf->sink);
		errno = -err;
		return NULL;
	}
	pf->out.flush_at = PF_FLUSH_AT;
	pf->sink.event = pf_event;
	pf->sink.orphan = pf_orphan;
	pf->sink.lost = pf_lost;
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
