// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Columns: [WALL] TIME(s) EVENT PID TID PPID COMM DETAILS. Names and paths come from the traced
 * system and may hold escape sequences: every one goes through term_escape().
 *
 * Whole lines only: the traced command often writes to the same file or pipe, so a line that
 * reached it in two write()s could have the command's output in its middle. Every line (the
 * groups' too: their hooks print into l->out) is gathered in l->buf and leaves in one write(),
 * together with other whole lines up to PIPE_BUF bytes (a pipe takes such a write in one piece).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "format.h"
#include "live.h"
#include "outfile.h"
#include "schema.h"
#include "strutil.h"

#define LIVE_BUF_SIZE (64 * 1024)
#define LIVE_BATCH PIPE_BUF /* at most this much in one write(), unless one line is longer */
#define LOST_EVERY_NS 1000000000ull /* at most one LOST line a second after the first */

struct live_note {
	uint64_t ts;
	char *text; /* escaped, without its newline */
};

struct live {
	struct sink sink;
	FILE *out; /* unbuffered stream into buf[]: what live_print() and the groups write to */
	int fd; /* stderr or stdout, when not a file */
	struct outfile *file; /* --live FILE */
	bool at_once; /* a terminal: every line leaves as soon as it is whole */
	int err; /* the first write error, -errno; later lines are dropped */
	const union psc_event *ev; /* the event being printed, NULL between events */
	uint64_t lost_line_ts; /* the last LOST line, 0 before the first */
	uint64_t lost_shown; /* the running total it printed */
	struct live_opts opts;
	struct live_note *notes; /* live_sink_note()'s lines not printed yet, oldest first */
	size_t nnotes, notes_cap;
	size_t len;
	char buf[LIVE_BUF_SIZE];
};

static const char *esc_comm(const char *comm, char *buf)
{
	term_escape(buf, LIVE_COMM_ESC, comm, strnlen(comm, PSC_COMM_LEN));
	return buf;
}

static void write_all(struct live *l, const char *p, size_t n)
{
	ssize_t w;

	if (l->file) {
		if (!l->err)
			l->err = outfile_write(l->file, p, n);
		return;
	}
	while (n && !l->err) {
		w = write(l->fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			l->err = w < 0 ? -errno : -EIO;
			break;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Write the whole lines of buf[] (and the unfinished one too if @all), PIPE_BUF at a time */
static void drain(struct live *l, bool all)
{
	size_t start = 0, end, lim;
	const char *nl;

	while (start < l->len) {
		lim = l->len - start < LIVE_BATCH ? l->len - start : LIVE_BATCH;
		nl = memrchr(l->buf + start, '\n', lim);
		if (!nl) /* one line longer than a batch: alone, but whole */
			nl = memchr(l->buf + start + lim, '\n', l->len - start - lim);
		if (nl)
			end = (size_t)(nl - l->buf) + 1;
		else if (all)
			end = l->len;
		else
			break;
		write_all(l, l->buf + start, end - start);
		start = end;
	}
	memmove(l->buf, l->buf + start, l->len - start);
	l->len -= start;
}

static ssize_t stream_write(void *cookie, const char *data, size_t n)
{
	struct live *l = cookie;
	size_t done = 0, take;

	while (done < n) {
		if (l->len == sizeof(l->buf)) {
			drain(l, false);
			if (l->len ==
			    sizeof(l->buf)) /* 64 KiB without a newline: cannot be whole */
				drain(l, true);
		}
		take = sizeof(l->buf) - l->len;
		if (take > n - done)
			take = n - done;
		memcpy(l->buf + l->len, data + done, take);
		l->len += take;
		done += take;
	}
	if (l->at_once || l->len >= LIVE_BATCH)
		drain(l, false);
	if (l->err)
		l->len = 0; /* nowhere to go: drop, and let flush() report it */
	return (ssize_t)n;
}

static void wall_clock(const struct model *m, uint64_t ts, int precision, char *buf, size_t size)
{
	uint64_t real = m->meta.realtime_base_ns + (uint64_t)model_rel_ns(m, ts);
	time_t secs = (time_t)(real / 1000000000ull);
	struct tm tm;

	if (!localtime_r(&secs, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	if (precision > 1)
		snprintf(buf, size, "%02d:%02d:%02d.%06u", tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (unsigned int)(real % 1000000000ull / 1000));
	else
		snprintf(buf, size, "%02d:%02d:%02d", tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void live_destroy(struct sink *s);

/*
 * The live sink behind @out: the groups' hooks hand live_print() only the stream, and a model
 * has at most a few sinks. NULL for a stream of someone else's.
 */
static const struct live *live_of(const struct model *m, FILE *out)
{
	const struct sink *s;

	for (s = m->sinks; s; s = s->next)
		if (s->destroy == live_destroy && ((const struct live *)s)->out == out)
			return (const struct live *)s;
	return NULL;
}

/*
 * The thread behind a line: the event's own thread when the line is about the process that
 * made the event, "-" for a line about another one (a fork's child, a reaped zombie).
 */
static const char *tid_of(const struct live *l, uint32_t pid, char *buf, size_t size)
{
	if (l && l->ev && l->ev->hdr.tgid == pid && l->ev->hdr.tid)
		snprintf(buf, size, "%u", l->ev->hdr.tid);
	else
		snprintf(buf, size, "-");
	return buf;
}

void live_print(FILE *out, const struct model *m, uint64_t ts, const char *event, uint32_t pid,
		uint32_t ppid, const char *comm, const char *fmt, ...)
{
	char ecomm[LIVE_COMM_ESC], details[1536], wall[32] = "", tid[16];
	const struct live *l = live_of(m, out);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(details, sizeof(details), fmt, ap);
	va_end(ap);
	if (l && l->opts.wall_clock)
		wall_clock(m, ts, l->opts.wall_clock, wall, sizeof(wall));
	/* one fprintf, one line: the stream joins it whole */
	fprintf(out, "%s%s%-12.6f %-*s %7u %7s %7u %-16s %s\n", wall, *wall ? " " : "",
		model_rel_ns(m, ts) / 1e9, LIVE_EVENT_WIDTH, event, pid,
		tid_of(l, pid, tid, sizeof(tid)), ppid, esc_comm(comm ? comm : "?", ecomm),
		details);
}

#define line(l, ...) live_print((l)->out, __VA_ARGS__)

static uint32_t ppid_of(const struct proc *p)
{
	return p && p->parent ? p->parent->pid : 0;
}

const char *live_who(const struct proc *p, char *buf, size_t size)
{
	char ecomm[LIVE_COMM_ESC];

	if (!p)
		snprintf(buf, size, "?");
	else if (!p->comm[0] && (p->flags & PROC_F_IMPLICIT))
		snprintf(buf, size, "%u (untraced)", p->pid); /* known by its pid alone (-p) */
	else
		snprintf(buf, size, "%u %s", p->pid, esc_comm(p->comm, ecomm));
	return buf;
}

/* "/bin/echo "a b" "" c": each argument quoted on its own, as strace and a shell read them */
static void live_exec(struct live *l, const struct model *m, const struct psc_ev_proc_exec *e,
		      const struct proc *p)
{
	char file[PSC_PATH_LEN * 4 + 1], args[PSC_ARGS_LEN * 4 + 3];
	size_t i, o = 0, args_len = e->args_len < PSC_ARGS_LEN ? e->args_len : PSC_ARGS_LEN;

	term_escape_str(file, sizeof(file), e->filename);
	args[0] = '\0';
	for (i = 0; i < args_len && o + 3 < sizeof(args);) {
		size_t n = strnlen(e->args + i, args_len - i);

		if (o)
			args[o++] = ' ';
		o += term_quote_arg(args + o, sizeof(args) - o, e->args + i, n);
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

int live_sink_note(struct sink *s, uint64_t ts, const char *text, size_t len)
{
	struct live *l = (struct live *)s;
	struct live_note *more;
	size_t at, size = len * 4 + 1; /* term_escape()'s worst case: \xNN per byte */
	char *esc;

	if (l->nnotes == l->notes_cap) {
		more = realloc(l->notes, (l->notes_cap * 2 + 8) * sizeof(*more));
		if (!more)
			return -ENOMEM;
		l->notes = more;
		l->notes_cap = l->notes_cap * 2 + 8;
	}
	esc = malloc(size);
	if (!esc)
		return -ENOMEM;
	term_escape(esc, size, text, len);
	/* processes write in parallel: a line may come after a later one */
	for (at = l->nnotes; at > 0 && l->notes[at - 1].ts > ts; at--)
		;
	memmove(l->notes + at + 1, l->notes + at, (l->nnotes - at) * sizeof(*l->notes));
	l->notes[at] = (struct live_note){ .ts = ts, .text = esc };
	l->nnotes++;
	return 0;
}

static void print_notes(struct live *l, uint64_t upto)
{
	size_t i;

	for (i = 0; i < l->nnotes && l->notes[i].ts <= upto; i++) {
		fprintf(l->out, "%s\n", l->notes[i].text);
		free(l->notes[i].text);
	}
	if (!i)
		return;
	memmove(l->notes, l->notes + i, (l->nnotes - i) * sizeof(*l->notes));
	l->nnotes -= i;
}

void live_sink_notes_upto(struct sink *s, uint64_t ts)
{
	print_notes((struct live *)s, ts);
}

static void live_event(struct sink *s, const struct model *m, const union psc_event *ev,
		       const struct proc *p)
{
	struct live *l = (struct live *)s;
	char who[96], z[32];

	if (l->nnotes)
		print_notes(l, ev->hdr.ts_ns);
	l->ev = ev;
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
		     live_who(p ? p->fork_parent : NULL, who, sizeof(who)));
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
		if (proc_parent_is_tracer(p)) {
			/* the command procscope launched: its reap is the tracer's, at once */
			line(l, m, ev->hdr.ts_ns, "reap", p->pid, ppid_of(p), p->comm,
			     "reaped by %s (procscope itself, as it exited)",
			     live_who(p->reaper, who, sizeof(who)));
			break;
		}
		line(l, m, ev->hdr.ts_ns, "reap", p->pid, ppid_of(p), p->comm,
		     "reaped by %s after %s as a zombie", live_who(p->reaper, who, sizeof(who)),
		     duration_fmt(proc_zombie_ns(p, 0), z, sizeof(z)));
		break;
	case PSC_EV_PROC_FREE:
		if (!p)
			break;
		line(l, m, ev->hdr.ts_ns, "reap", p->pid, ppid_of(p), p->comm,
		     "released by the kernel after %s as a zombie (reaping wait not traced)",
		     duration_fmt(proc_zombie_ns(p, 0), z, sizeof(z)));
		break;
	case PSC_EV_PROC_RENAME: {
		char old[LIVE_COMM_ESC];

		/* the same name again (a child naming itself as its parent did) changes nothing */
		if (!p || !strncmp(ev->rename.old_comm, ev->rename.comm, PSC_COMM_LEN))
			break;
		esc_comm(ev->rename.old_comm, old);
		if (ev->rename.by_tid == ev->hdr.tgid)
			line(l, m, ev->hdr.ts_ns, "rename", p->pid, ppid_of(p), p->comm,
			     "renamed itself from %s", old);
		else
			line(l, m, ev->hdr.ts_ns, "rename", p->pid, ppid_of(p), p->comm,
			     "renamed from %s by its thread %u", old, ev->rename.by_tid);
		break;
	}
	case PSC_EV_PROC_SEED:
		if (l->opts.seeds)
			line(l, m, ev->hdr.ts_ns, "exists", ev->hdr.tgid, ev->seed.parent_tgid,
			     ev->seed.comm, "running before the trace");
		break;
	default: {
		const struct schema_type *st = schema_lookup(ev->hdr.type);
		const struct model_group_ops *ops = st ? model_group_ops(m, st->group) : NULL;

		if (ops && ops->live)
			ops->live(model_group_state(m, st->group), m, ev, l->out,
				  l->opts.min_wait_ns);
		break;
	}
	}
	l->ev = NULL;
}

static void live_orphan(struct sink *s, const struct model *m, const struct proc *child,
			const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct live *l = (struct live *)s;
	char a[96], b[96];

	if (l->nnotes)
		print_notes(l, ts);
	line(l, m, ts, "orphan", child->pid, new_parent ? new_parent->pid : 0, child->comm,
	     "parent %s exited; adopted by %s%s", live_who(old_parent, a, sizeof(a)),
	     live_who(new_parent, b, sizeof(b)),
	     child->flags & PROC_F_ADOPTED_BY_SUBREAPER ? " (child subreaper)" : "");
}

static void lost_line(struct live *l, const struct model *m, uint64_t ts)
{
	char wall[32] = "";

	l->lost_line_ts = ts ? ts : 1;
	l->lost_shown = m->stats.lost;
	if (l->opts.wall_clock)
		wall_clock(m, ts, l->opts.wall_clock, wall, sizeof(wall));
	fprintf(l->out, "%s%s%-12.6f %-*s %llu events lost so far: %s\n", wall, *wall ? " " : "",
		model_rel_ns(m, ts) / 1e9, LIVE_EVENT_WIDTH, "LOST",
		(unsigned long long)m->stats.lost,
		!m->stats.lost_queue ? "the ring buffer was full (raise --ringbuf-size)" :
		m->stats.lost_queue == m->stats.lost ?
				       "procscope's queue was full (raise --queue-size)" :
				       "the ring buffer and procscope's queue were full (raise "
				       "--ringbuf-size, --queue-size)");
}

/* The first loss at once, then at most a line a second with the running total */
static void live_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		      uint64_t total)
{
	struct live *l = (struct live *)s;

	if (l->nnotes)
		print_notes(l, ts);
	if (l->lost_line_ts && ts - l->lost_line_ts < LOST_EVERY_NS)
		return;
	lost_line(l, m, ts);
}

static int live_flush(struct sink *s)
{
	struct live *l = (struct live *)s;

	drain(l, false);
	if (l->file && !l->err)
		l->err = outfile_flush(l->file);
	return l->err;
}

static int live_finish(struct sink *s, const struct model *m)
{
	struct live *l = (struct live *)s;

	print_notes(l, UINT64_MAX);
	/* losses the once-a-second limit held back: the last line has the final total */
	if (m->stats.lost > l->lost_shown)
		lost_line(l, m, m->end_ts);
	drain(l, true);
	if (l->file && !l->err)
		l->err = outfile_commit(l->file);
	return l->err;
}

static void live_destroy(struct sink *s)
{
	struct live *l = (struct live *)s;

	drain(l, true);
	while (l->nnotes)
		free(l->notes[--l->nnotes].text);
	free(l->notes);
	if (l->out)
		fclose(l->out);
	outfile_close(l->file);
	free(l);
}

static struct sink *live_new(int fd, struct outfile *file, const struct live_opts *opts)
{
	static const cookie_io_functions_t io = { .write = stream_write };
	struct live *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return NULL;
	l->fd = fd;
	l->file = file;
	l->at_once = !file && isatty(fd);
	if (opts)
		l->opts = *opts;
	l->out = fopencookie(l, "w", io);
	if (!l->out || setvbuf(l->out, NULL, _IONBF, 0)) {
		err = errno ? errno : ENOMEM;
		if (l->out)
			fclose(l->out);
		free(l);
		errno = err;
		return NULL;
	}
	l->sink.event = live_event;
	l->sink.orphan = live_orphan;
	l->sink.lost = live_lost;
	l->sink.flush = live_flush;
	l->sink.finish = live_finish;
	l->sink.destroy = live_destroy;
	if (l->opts.wall_clock)
		fprintf(l->out, "%-*s ", l->opts.wall_clock > 1 ? 15 : 8,
			l->opts.wall_clock > 1 ? "WALL-CLOCK" : "WALL");
	fprintf(l->out, "%-12s %-*s %7s %7s %7s %-16s %s\n", "TIME(s)", LIVE_EVENT_WIDTH, "EVENT",
		"PID", "TID", "PPID", "COMM", "DETAILS");
	/* the header leaves now: the command, released after this, may print at once */
	live_flush(&l->sink);
	return &l->sink;
}

struct sink *live_sink_new(int fd, const struct live_opts *opts)
{
	return live_new(fd, NULL, opts);
}

struct sink *live_sink_open(const char *path, const struct live_opts *opts)
{
	struct outfile *f;
	struct sink *s;
	int err;

	/* published at the first flush: `tail -f` follows the lines as they come */
	f = outfile_open(path, outfile_codec_by_name(path), OUTFILE_STREAM | OUTFILE_LINES);
	if (!f)
		return NULL;
	s = live_new(-1, f, opts);
	if (!s) {
		err = errno;
		outfile_close(f);
		errno = err;
		return NULL;
	}
	return s;
}
