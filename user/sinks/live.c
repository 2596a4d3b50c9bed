// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Columns: TIME(s) EVENT PID PPID COMM DETAILS. Names and paths come from the traced system and
 * may hold escape sequences: every one goes through term_escape().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "live.h"
#include "schema.h"
#include "strutil.h"

struct live {
	struct sink sink;
	FILE *out;
	struct live_opts opts;
};

#define COMM_ESC LIVE_COMM_ESC

static const char *esc_comm(const char *comm, char *buf)
{
	term_escape(buf, COMM_ESC, comm, strnlen(comm, PSC_COMM_LEN));
	return buf;
}

void live_print(FILE *out, const struct model *m, uint64_t ts, const char *event, uint32_t pid,
		uint32_t ppid, const char *comm, const char *fmt, ...)
{
	char ecomm[COMM_ESC], details[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(details, sizeof(details), fmt, ap);
	va_end(ap);
	fprintf(out, "%-12.6f %-7s %7u %7u %-16s %s\n", model_rel_ns(m, ts) / 1e9, event, pid, ppid,
		esc_comm(comm ? comm : "?", ecomm), details);
}

#define line(l, ...) live_print((l)->out, __VA_ARGS__)

static uint32_t ppid_of(const struct proc *p)
{
	return p && p->parent ? p->parent->pid : 0;
}

const char *live_who(const struct proc *p, char *buf, size_t size)
{
	char ecomm[COMM_ESC];

	if (!p)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%u %s", p->pid, esc_comm(p->comm, ecomm));
	return buf;
}

static void live_exec(struct live *l, const struct model *m, const struct psc_ev_proc_exec *e,
		      const struct proc *p)
{
	char file[PSC_PATH_LEN * 4 + 1], args[PSC_ARGS_LEN * 4 + 1];
	size_t i, o = 0;

	term_escape_str(file, sizeof(file), e->filename);
	/* argv joined with spaces; each argument escaped on its own */
	args[0] = '\0';
	for (i = 0; i < e->args_len && o + 2 < sizeof(args);) {
		size_t n = strnlen(e->args + i, e->args_len - i);

		if (o)
			args[o++] = ' ';
		o += term_escape(args + o, sizeof(args) - o, e->args + i, n);
		i += n + 1;
	}
	line(l, m, e->hdr.ts_ns, "exec", e->hdr.tgid, ppid_of(p), e->comm, "%s [%s]%s", file, args,
	     e->flags & PSC_EXEC_ARGS_TRUNC ? "..." : "");
}

static void live_exit(struct live *l, const struct model *m, const struct psc_ev_proc_exit *e,
		      const struct proc *p)
{
	char st[64], life[32];

	if (!(e->flags & PSC_EXIT_GROUP_DEAD)) {
		if (l->opts.threads)
			line(l, m, e->hdr.ts_ns, "threxit", e->hdr.tgid, e->parent_tgid, e->comm,
			     "thread %u exited (%s)", e->hdr.tid,
			     wstatus_describe(e->exit_code, st, sizeof(st)));
		return;
	}
	line(l, m, e->hdr.ts_ns, "exit", e->hdr.tgid, e->parent_tgid, e->comm, "%s, lived %s%s",
	     wstatus_describe(e->exit_code, st, sizeof(st)),
	     duration_fmt(p ? proc_lifetime_ns(p, 0) : 0, life, sizeof(life)),
	     e->flags & PSC_EXIT_AUTOREAP ? ", auto-reaped (parent ignores SIGCHLD)" : "");
}

static void live_event(struct sink *s, const struct model *m, const union psc_event *ev,
		       const struct proc *p)
{
	struct live *l = (struct live *)s;
	char a[96], b[96], z[32];

	switch (ev->hdr.type) {
	case PSC_EV_PROC_FORK:
		if (ev->fork.flags & PSC_FORK_THREAD) {
			if (l->opts.threads)
				line(l, m, ev->hdr.ts_ns, "thread", ev->hdr.tgid, ppid_of(p),
				     ev->fork.comm, "new thread %u", ev->fork.child_tid);
			break;
		}
		line(l, m, ev->hdr.ts_ns, "fork", ev->fork.child_tgid, ev->fork.parent_tgid,
		     ev->fork.comm, "forked by %s",
		     live_who(p ? p->fork_parent : NULL, a, sizeof(a)));
		break;
	case PSC_EV_PROC_EXEC:
		live_exec(l, m, &ev->exec, p);
		break;
	case PSC_EV_PROC_EXIT:
		live_exit(l, m, &ev->exit, p);
		break;
	case PSC_EV_PROC_REAP:
		if (!p)
			break;
		line(l, m, ev->hdr.ts_ns, "reap", p->pid, ppid_of(p), p->comm,
		     "reaped by %s after %s as a zombie", live_who(p->reaper, a, sizeof(a)),
		     duration_fmt(proc_zombie_ns(p, 0), z, sizeof(z)));
		break;
	case PSC_EV_PROC_FREE:
		if (!p)
			break;
		line(l, m, ev->hdr.ts_ns, "reap", p->pid, ppid_of(p), p->comm,
		     "released by the kernel after %s as a zombie (reaping wait not traced)",
		     duration_fmt(proc_zombie_ns(p, 0), z, sizeof(z)));
		break;
	case PSC_EV_PROC_SEED:
		if (l->opts.seeds)
			line(l, m, ev->hdr.ts_ns, "exists", ev->hdr.tgid, ev->seed.parent_tgid,
			     ev->seed.comm, "running before the trace");
		break;
	default: {
		const struct schema_type *st = schema_lookup(ev->hdr.type);
		const struct model_group_ops *ops = st ? model__group_ops(m, st->group) : NULL;

		if (ops && ops->live)
			ops->live(model__group_state(m, st->group), m, ev, l->out,
				  l->opts.min_wait_ns);
		break;
	}
	}
	(void)b;
}

static void live_orphan(struct sink *s, const struct model *m, const struct proc *child,
			const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct live *l = (struct live *)s;
	char a[96], b[96];

	line(l, m, ts, "orphan", child->pid, new_parent ? new_parent->pid : 0, child->comm,
	     "parent %s exited; adopted by %s%s", live_who(old_parent, a, sizeof(a)),
	     live_who(new_parent, b, sizeof(b)),
	     child->flags & PROC_F_ADOPTED_BY_SUBREAPER ? " (child subreaper)" : "");
}

static void live_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		      uint64_t total)
{
	struct live *l = (struct live *)s;

	fprintf(l->out,
		"%-12.6f %-7s %llu events lost: the ring buffer was full "
		"(raise --ringbuf-size)\n",
		model_rel_ns(m, ts) / 1e9, "LOST", (unsigned long long)total);
}

static int live_flush(struct sink *s)
{
	struct live *l = (struct live *)s;

	return fflush(l->out) ? -errno : 0;
}

static void live_destroy(struct sink *s)
{
	free(s);
}

struct sink *live_sink_new(FILE *out, const struct live_opts *opts)
{
	struct live *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->out = out;
	if (opts)
		l->opts = *opts;
	l->sink.event = live_event;
	l->sink.orphan = live_orphan;
	l->sink.lost = live_lost;
	l->sink.flush = live_flush;
	l->sink.destroy = live_destroy;
	fprintf(out, "%-12s %-7s %7s %7s %-16s %s\n", "TIME(s)", "EVENT", "PID", "PPID", "COMM",
		"DETAILS");
	return &l->sink;
}
