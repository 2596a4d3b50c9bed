// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The JSON summary. Everything is written in an order fixed by the model (processes in creation
 * order, zombies longest first with ties in creation order, groups in registry order), never by
 * addresses or hashing, so the same events give the same bytes. Times are ns relative to the
 * trace start, as in the event log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evjson.h"
#include "json_writer.h"
#include "outfile.h"
#include "schema.h"
#include "summary_json.h"

static void kv_rel(struct jw *w, const struct model *m, const char *key, uint64_t ts)
{
	jw_kv_i64(w, key, model_rel_ns(m, ts));
}

static void kv_u64_str(struct jw *w, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	jw_kv_str(w, key, buf);
}

/* {"pid", "start_ns", "comm"} naming a process, or null */
static void kv_ref(struct jw *w, const struct model *m, const char *key, const struct proc *p)
{
	jw_key(w, key);
	if (!p) {
		jw_null(w);
		return;
	}
	jw_obj_start(w);
	jw_kv_u64(w, "pid", p->pid);
	kv_rel(w, m, "start_ns", p->start_ns);
	jw_kv_bytes(w, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)));
	jw_obj_end(w);
}

static void write_trace(struct jw *w, const struct model *m, const struct summary_log_damage *d)
{
	const struct trace_meta *t = &m->meta;
	bool no_base = d && d->missing_header;
	uint32_t g;

	jw_key(w, "trace");
	jw_obj_start(w);
	jw_kv_bytes(w, "tool_version", t->tool_version,
		    strnlen(t->tool_version, sizeof(t->tool_version)));
	jw_kv_bytes(w, "kernel", t->kernel, strnlen(t->kernel, sizeof(t->kernel)));
	jw_kv_bytes(w, "hostname", t->hostname, strnlen(t->hostname, sizeof(t->hostname)));
	jw_kv_bytes(w, "boot_id", t->boot_id, strnlen(t->boot_id, sizeof(t->boot_id)));
	jw_kv_str(w, "clock", "CLOCK_BOOTTIME");
	/* without a header the base is made up: say so rather than print it */
	if (no_base) {
		jw_key(w, "boottime_base_ns");
		jw_null(w);
		jw_key(w, "realtime_base_ns");
		jw_null(w);
	} else {
		kv_u64_str(w, "boottime_base_ns", t->boottime_base_ns);
		kv_u64_str(w, "realtime_base_ns", t->realtime_base_ns);
	}
	jw_kv_bytes(w, "mode", t->mode, strnlen(t->mode, sizeof(t->mode)));
	jw_key(w, "target_pid");
	if (t->target_pid)
		jw_u64(w, t->target_pid);
	else
		jw_null(w);
	jw_kv_bytes(w, "command", t->command, strnlen(t->command, sizeof(t->command)));
	jw_key(w, "groups");
	jw_arr_start(w);
	for (g = 1; g <= PSC_GROUP_LAST; g <<= 1)
		if (t->groups & g)
			jw_str(w, schema_group_name(g));
	jw_arr_end(w);
	jw_kv_u64(w, "ringbuf_bytes", t->ringbuf_bytes);
	jw_kv_u64(w, "duration_ns",
		  m->end_ts > t->boottime_base_ns ? m->end_ts - t->boottime_base_ns : 0);
	jw_kv_bytes(w, "missing_hooks", t->missing_hooks,
		    strnlen(t->missing_hooks, sizeof(t->missing_hooks)));
	jw_key(w, "command_status");
	if (t->exit_status >= 0) {
		jw_u64(w, (uint64_t)t->exit_status);
		evjson_write_status(w, (uint32_t)t->exit_status);
	} else {
		jw_null(w);
	}
	jw_kv_bool(w, "interrupted", t->interrupted);
	jw_obj_end(w);
}

static const char *const section_names[] = { "tree", "zombies", "orphans", "io", "unix" };

static void write_filter(struct jw *w, const struct model *m, const struct summary_opts *o)
{
	size_t i;

	if (!o || (!o->sections && !summary_is_filtered(o) && !o->until_ns))
		return; /* a live trace, or report without options: nothing narrowed */
	jw_key(w, "filter");
	jw_obj_start(w);
	jw_key(w, "pid");
	if (o->pid)
		jw_u64(w, o->pid);
	else
		jw_null(w);
	jw_key(w, "comm");
	jw_str(w, o->comm); /* NULL writes null */
	jw_key(w, "since_ns");
	if (o->since_ns)
		jw_i64(w, model_rel_ns(m, o->since_ns));
	else
		jw_null(w);
	jw_key(w, "until_ns");
	if (o->until_ns)
		jw_i64(w, model_rel_ns(m, o->until_ns));
	else
		jw_null(w);
	jw_key(w, "sections");
	jw_arr_start(w);
	for (i = 0; i < sizeof(section_names) / sizeof(section_names[0]); i++)
		if (summary_wants(o, 1u << i))
			jw_str(w, section_names[i]);
	jw_arr_end(w);
	jw_obj_end(w);
}

/* NUL-separated argv as an array of strings, with the exact bytes when they are not UTF-8 */
static void kv_args(struct jw *w, const char *args, size_t len)
{
	size_t i = 0;

	jw_key(w, "args");
	jw_arr_start(w);
	while (i < len) {
		size_t n = strnlen(args + i, len - i);

		jw_strn(w, args + i, n);
		i += n + 1;
	}
	jw_arr_end(w);
	if (!json_str_is_lossless(args, len))
		jw_kv_hex(w, "args_hex", args, len);
}

static const char *origin(const struct proc *p)
{
	if (p->flags & PROC_F_FORKED)
		return "forked";
	if (p->flags & PROC_F_SEEDED)
		return "seeded";
	return "implicit";
}

static const char *state_name(const struct proc *p)
{
	switch (p->state) {
	case PROC_ALIVE:
		return "alive";
	case PROC_ZOMBIE:
		return "zombie";
	default:
		return "reaped";
	}
}

/* How it was reaped: by a traced wait, by the kernel (SIGCHLD ignored), unseen, or unknown */
static const char *reap_kind(const struct proc *p)
{
	if (p->state != PROC_REAPED)
		return NULL;
	if (p->flags & PROC_F_AUTOREAP)
		return "autoreap";
	if (p->flags & PROC_F_REAP_BY_FREE)
		return "unseen";
	return p->reaper ? "wait" : "gone";
}

static void kv_opt_rel(struct jw *w, const struct model *m, const char *key, bool known,
		       uint64_t ts)
{
	if (known) {
		kv_rel(w, m, key, ts);
	} else {
		jw_key(w, key);
		jw_null(w);
	}
}

static void write_process(struct jw *w, const struct model *m, const struct proc *p)
{
	bool exited = p->flags & PROC_F_EXITED;

	jw_obj_start(w);
	jw_kv_u64(w, "pid", p->pid);
	kv_rel(w, m, "start_ns", p->start_ns);
	jw_kv_bool(w, "start_approx", p->flags & PROC_F_START_APPROX);
	jw_kv_bytes(w, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)));
	if (p->filename) {
		jw_kv_bytes(w, "filename", p->filename, strlen(p->filename));
	} else {
		jw_key(w, "filename");
		jw_null(w);
	}
	if (p->args) {
		kv_args(w, p->args, p->args_len);
	} else {
		jw_key(w, "args");
		jw_null(w);
	}
	kv_ref(w, m, "fork_parent", p->fork_parent);
	kv_ref(w, m, "parent", p->parent);
	jw_kv_str(w, "origin", origin(p));
	jw_kv_u64(w, "execs", p->nr_execs);
	jw_kv_u64(w, "threads", p->threads_total);
	jw_kv_str(w, "state", state_name(p));
	kv_opt_rel(w, m, "fork_ns", p->flags & PROC_F_FORKED, p->fork_ts);
	kv_opt_rel(w, m, "exit_ns", exited, p->exit_ts);
	jw_key(w, "exit_status");
	if (exited) {
		jw_u64(w, p->exit_status);
		evjson_write_status(w, p->exit_status);
	} else {
		jw_null(w);
	}
	jw_kv_u64(w, "lifetime_ns", proc_lifetime_ns(p, m->end_ts));
	/* what procscope itself is or caused: never the program's behaviour */
	jw_key(w, "procscope");
	if (p->flags & (PROC_F_OWN | PROC_F_LAUNCHED))
		jw_str(w, p->flags & PROC_F_OWN ? "tracer" : "launched");
	else
		jw_null(w);
	jw_key(w, "held_ns");
	if (p->flags & PROC_F_LAUNCHED)
		jw_u64(w, proc_held_ns(p));
	else
		jw_null(w);
	kv_opt_rel(w, m, "reap_ns", p->state == PROC_REAPED, p->reap_ts);
	jw_key(w, "reap");
	jw_str(w, reap_kind(p));
	kv_ref(w, m, "reaped_by", p->reaper);
	jw_key(w, "zombie_ns");
	if (exited && !(p->flags & PROC_F_AUTOREAP))
		jw_u64(w, proc_zombie_ns(p, m->end_ts));
	else
		jw_null(w);
	jw_kv_bool(w, "orphaned", p->flags & PROC_F_ORPHANED);
	/* long traces free old reaped children: their parent keeps their number */
	jw_kv_u64(w, "retired_children", p->retired_kids);
	jw_kv_u64(w, "retired_children_lifetime_ns", p->retired_kids_life_ns);
	jw_obj_end(w);
}

/*
 * Per-process rows are bounded (docs/summary-json.md): the first PROCESS_ROWS processes (the
 * target and its first descendants come first), the longest ROWS zombies, the newest ROWS
 * orphans; "<key>_omitted" counts the rest.
 */
#define PROCESS_ROWS 1024
#define ROWS 256

static int write_processes(struct jw *w, const struct model *m, const struct summary_opts *o)
{
	size_t n, i, rows = 0;
	struct proc *const *all = proctree_all(m->tree, &n);
	bool *shown = summary_tree_set(m, o);

	if (!shown)
		return -ENOMEM;
	jw_key(w, "processes");
	jw_arr_start(w);
	for (i = 0; i < n; i++)
		if (shown[i] && rows++ < PROCESS_ROWS)
			write_process(w, m, all[i]);
	jw_arr_end(w);
	jw_kv_u64(w, "processes_omitted", rows > PROCESS_ROWS ? rows - PROCESS_ROWS : 0);
	free(shown);
	return 0;
}

static int write_zombies(struct jw *w, const struct model *m, const struct summary_opts *o)
{
	size_t n, i;
	struct proc **z = summary_zombies(m, o, &n);

	if (!z)
		return -ENOMEM;
	jw_key(w, "zombies");
	jw_arr_start(w);
	for (i = 0; i < n && i < ROWS; i++) {
		const struct proc *p = z[i];

		jw_obj_start(w);
		jw_kv_u64(w, "pid", p->pid);
		kv_rel(w, m, "start_ns", p->start_ns);
		jw_kv_bytes(w, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)));
		kv_ref(w, m, "parent", p->parent);
		kv_rel(w, m, "exit_ns", p->exit_ts);
		jw_kv_u64(w, "zombie_ns", proc_zombie_ns(p, m->end_ts));
		jw_kv_bool(w, "still_zombie", p->state == PROC_ZOMBIE);
		kv_ref(w, m, "reaped_by", p->reaper);
		jw_kv_bool(w, "reap_unseen", p->flags & PROC_F_REAP_BY_FREE);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kv_u64(w, "zombies_omitted", n > ROWS ? n - ROWS : 0);
	free(z);
	return 0;
}

static bool is_listed_orphan(const struct summary_opts *o, const struct proc *p)
{
	return (p->flags & PROC_F_ORPHANED) && summary_selects(o, p) &&
	       !(o && o->since_ns && p->adopt_ts < o->since_ns);
}

static void write_orphans(struct jw *w, const struct model *m, const struct summary_opts *o)
{
	size_t n, i;
	struct proc *const *all = proctree_all(m->tree, &n);

	size_t total = 0, seen = 0;

	for (i = 0; i < n; i++)
		total += is_listed_orphan(o, all[i]);
	jw_key(w, "orphans");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct proc *p = all[i];

		/* the newest ROWS */
		if (!is_listed_orphan(o, p) || (total > ROWS && seen++ < total - ROWS))
			continue;
		jw_obj_start(w);
		jw_kv_u64(w, "pid", p->pid);
		kv_rel(w, m, "start_ns", p->start_ns);
		jw_kv_bytes(w, "comm", p->comm, strnlen(p->comm, sizeof(p->comm)));
		kv_ref(w, m, "old_parent", p->old_parent);
		kv_ref(w, m, "adopted_by", p->parent);
		jw_kv_bool(w, "subreaper", p->flags & PROC_F_ADOPTED_BY_SUBREAPER);
		kv_rel(w, m, "adopt_ns", p->adopt_ts);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kv_u64(w, "orphans_omitted", total > ROWS ? total - ROWS : 0);
}

static void write_groups(struct jw *w, const struct model *m, const struct summary_opts *o)
{
	size_t i;

	jw_key(w, "groups");
	jw_obj_start(w);
	for (i = 0; i < m->ngroups; i++) {
		const struct model_group_ops *ops = m->groups[i];

		if (!(m->meta.groups & ops->group) || !ops->summary_json ||
		    !summary_wants(o, summary_group_section(ops->group)))
			continue;
		jw_key(w, ops->name);
		jw_obj_start(w);
		ops->summary_json(m->group_state[i], m, w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void write_counts(struct jw *w, const struct model *m, const struct summary_opts *o)
{
	const struct proctree_stats *t = proctree_stats(m->tree);
	struct summary_counts c;

	jw_key(w, "counts");
	jw_obj_start(w);
	if (!summary_is_filtered(o)) {
		jw_kv_str(w, "scope", "trace");
		jw_kv_u64(w, "forks", t->forks);
		jw_kv_u64(w, "thread_forks", t->thread_forks);
		jw_kv_u64(w, "execs", t->execs);
		jw_kv_u64(w, "exits", t->exits);
		jw_kv_u64(w, "thread_exits", t->thread_exits);
		jw_kv_u64(w, "reaps", t->reaps);
		jw_kv_u64(w, "autoreaps", t->autoreaps);
		jw_kv_u64(w, "reaps_unseen", t->reaps_by_free);
		jw_kv_u64(w, "orphans", t->orphans);
		jw_kv_u64(w, "seeded", t->seeded);
		jw_kv_u64(w, "implicit", t->implicit);
		jw_kv_u64(w, "pid_reuse", t->pid_reuse);
		jw_kv_u64(w, "reap_unmatched", t->reap_unmatched);
		jw_kv_u64(w, "retired", t->retired);
	} else {
		summary_count_selected(m, o, &c);
		jw_kv_str(w, "scope", "selected");
		jw_kv_u64(w, "processes", c.processes);
		jw_kv_u64(w, "forks", c.forks);
		jw_kv_u64(w, "threads", c.threads);
		jw_kv_u64(w, "execs", c.execs);
		jw_kv_u64(w, "exits", c.exits);
		jw_kv_u64(w, "reaps", c.reaps);
		jw_kv_u64(w, "autoreaps", c.autoreaps);
		jw_kv_u64(w, "reaps_unseen", c.reaps_unseen);
		jw_kv_u64(w, "orphans", c.orphans);
	}
	jw_obj_end(w);
}

static void write_damage(struct jw *w, const struct summary_log_damage *d)
{
	if (!d)
		return;
	jw_key(w, "log_damage");
	jw_obj_start(w);
	jw_kv_u64(w, "bad_lines", d->bad_lines);
	jw_kv_u64(w, "unknown_types", d->unknown_types);
	jw_kv_u64(w, "after_trailer", d->after_trailer);
	jw_kv_u64(w, "out_of_order", d->out_of_order);
	jw_kv_u64(w, "missing_events", d->missing_events);
	jw_kv_u64(w, "extra_events", d->extra_events);
	jw_key(w, "newer_version");
	if (d->newer_version)
		jw_u64(w, d->newer_version);
	else
		jw_null(w);
	jw_kv_bool(w, "missing_header", d->missing_header);
	jw_kv_bool(w, "missing_trailer", d->missing_trailer);
	jw_kv_bool(w, "compressed_damaged", d->compressed_damaged);
	jw_kv_bytes(w, "first_problem", d->first_problem,
		    strnlen(d->first_problem, sizeof(d->first_problem)));
	jw_obj_end(w);
}

void summary_json_write(struct jw *w, const struct model *m, const struct summary_opts *opts,
			const struct summary_log_damage *damage)
{
	int err = 0;

	jw_obj_start(w);
	jw_kv_str(w, "format", PSC_SUMMARY_FORMAT);
	jw_kv_u64(w, "version", PSC_SUMMARY_VERSION);
	write_trace(w, m, damage);
	write_filter(w, m, opts);
	if (summary_wants(opts, SUMMARY_TREE))
		err = write_processes(w, m, opts);
	if (!err && summary_wants(opts, SUMMARY_ZOMBIES))
		err = write_zombies(w, m, opts);
	if (err) {
		w->err = w->err ? w->err : err;
		return;
	}
	if (summary_wants(opts, SUMMARY_ORPHANS))
		write_orphans(w, m, opts);
	write_groups(w, m, opts);
	write_counts(w, m, opts);
	jw_key(w, "events");
	jw_obj_start(w);
	jw_kv_u64(w, "applied", m->stats.events);
	evjson_kv_type_counts(w, "by_type", m->stats.by_type);
	jw_kv_u64(w, "out_of_order", m->stats.out_of_order);
	jw_kv_u64(w, "malformed", m->stats.malformed);
	jw_kv_u64(w, "unknown_type", m->stats.unknown_type);
	jw_obj_end(w);
	jw_key(w, "lost");
	jw_obj_start(w);
	jw_kv_u64(w, "total", m->stats.lost);
	evjson_kv_type_counts(w, "by_type", m->stats.lost_by_type);
	jw_kv_u64(w, "queue", m->stats.lost_queue);
	jw_obj_end(w);
	write_damage(w, damage);
	jw_obj_end(w);
}

/* ---- the sink ---- */

struct summary_json_sink {
	struct sink sink;
	struct summary_opts opts;
	struct summary_log_damage damage;
	bool has_damage;
	struct outfile *out;
};

static int sj_finish(struct sink *s, const struct model *m)
{
	struct summary_json_sink *j = (struct summary_json_sink *)s;
	struct jw w;
	int err;

	jw_init(&w);
	w.pretty = true;
	summary_json_write(&w, m, &j->opts, j->has_damage ? &j->damage : NULL);
	err = jw_error(&w);
	if (!err)
		err = outfile_write(j->out, w.buf, w.len);
	if (!err)
		err = outfile_write(j->out, "\n", 1);
	jw_free(&w);
	/* renamed into place only when whole; a failure removes the temp file */
	if (!err)
		err = outfile_commit(j->out);
	return err;
}

static void sj_destroy(struct sink *s)
{
	struct summary_json_sink *j = (struct summary_json_sink *)s;

	outfile_close(j->out); /* never half a document behind */
	free(j);
}

struct sink *summary_json_sink_new(const char *path, const struct summary_opts *opts)
{
	struct summary_json_sink *j = calloc(1, sizeof(*j));
	int err;

	if (!j)
		return NULL;
	j->sink.finish = sj_finish;
	j->sink.destroy = sj_destroy;
	if (opts)
		j->opts = *opts;
	/* process names and paths of other users: private, and hardened (outfile.c) */
	j->out = outfile_open(path, OUTFILE_PLAIN, 0);
	if (!j->out) {
		err = errno;
		free(j);
		errno = err;
		return NULL;
	}
	return &j->sink;
}

void summary_json_sink_set_damage(struct sink *s, const struct summary_log_damage *damage)
{
	struct summary_json_sink *j = (struct summary_json_sink *)s;

	j->has_damage = damage != NULL;
	if (damage)
		j->damage = *damage;
}
