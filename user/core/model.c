// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Event routing and trace-wide accounting. Pure: sinks do the output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

static void model_on_orphan(void *ctx, const struct proc *child, const struct proc *old_parent,
			    const struct proc *new_parent, uint64_t ts)
{
	struct model *m = ctx;

	if (m->npending == m->cap_pending) {
		size_t cap = m->cap_pending ? m->cap_pending * 2 : 16;
		void *p = realloc(m->pending, cap * sizeof(*m->pending));

		if (!p) {
			m->err = -ENOMEM;
			return;
		}
		m->pending = p;
		m->cap_pending = cap;
	}
	m->pending[m->npending].child = child;
	m->pending[m->npending].old_parent = old_parent;
	m->pending[m->npending].new_parent = new_parent;
	m->pending[m->npending].ts = ts;
	m->npending++;
}

static void model_on_retire(void *ctx, const struct proc *p)
{
	struct model *m = ctx;
	struct sink *s;
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i]->retire)
			m->groups[i]->retire(m->group_state[i], p);
	for (s = m->sinks; s; s = s->next)
		if (s->retire)
			s->retire(s, m, p);
}

static const struct proctree_ops model_tree_ops = {
	.orphan = model_on_orphan,
	.retire = model_on_retire,
};

/* The group models linked in: each file defines its ops (weak: a group may be left out) */
extern const struct model_group_ops epoll_group_ops __attribute__((weak));
extern const struct model_group_ops unix_group_ops __attribute__((weak));
extern const struct model_group_ops sched_group_ops __attribute__((weak));
static const struct model_group_ops *const group_registry[] = {
	&epoll_group_ops,
	&unix_group_ops,
	&sched_group_ops,
};

void *model_group_state(const struct model *m, uint32_t group)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i]->group == group)
			return m->group_state[i];
	return NULL;
}

const struct model_group_ops *model_group_ops(const struct model *m, uint32_t group)
{
	size_t i;

	for (i = 0; i < m->ngroups; i++)
		if (m->groups[i]->group == group)
			return m->groups[i];
	return NULL;
}

struct model *model_new(void)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	size_t i;

	m->tree = proctree_new(&model_tree_ops, m);
	if (!m->tree)
		goto fail;
	proctree_set_retain(m->tree, MODEL_RETAIN_PLAIN, MODEL_RETAIN_NOTABLE);
	for (i = 0; i < sizeof(group_registry) / sizeof(group_registry[0]); i++) {
		void *state;

		if (!group_registry[i])
			continue;
		state = group_registry[i]->create(m);
		if (!state)
			goto fail;
		m->groups[m->ngroups] = group_registry[i];
		m->group_state[m->ngroups++] = state;
	}
	return m;
fail:
	model_free(m);
	errno = ENOMEM;
	return NULL;
}

void model_free(struct model *m)
{
	struct sink *s, *next;
	size_t i;

	if (!m)
		return;
	for (s = m->sinks; s; s = next) {
		next = s->next;
		if (s->destroy)
			s->destroy(s);
	}
	for (i = 0; i < m->ngroups; i++)
		m->groups[i]->free(m->group_state[i]);
	proctree_free(m->tree);
	free(m->pending);
	free(m);
}

void model_add_sink(struct model *m, struct sink *s)
{
	struct sink **pp = &m->sinks;

	while (*pp)
		pp = &(*pp)->next;
	s->next = NULL;
	*pp = s;
}

/*
 * Marks from the header, so a trace and the report of its log agree: the root of the traced
 * tree (the -p target or the launched command; seeded before its descendants, which inherit
 * PROC_F_IN_TREE), the command procscope launched and procscope itself, its parent.
 */
static void mark_target(struct model *m)
{
	struct proc *p = proctree_find_pid(m->tree, m->meta.target_pid);

	if (!p)
		return;
	p->flags |= PROC_F_IN_TREE;
	if (strcmp(m->meta.mode, "command"))
		return;
	p->flags |= PROC_F_LAUNCHED;
	if (p->parent)
		p->parent->flags |= PROC_F_OWN;
}

int model_apply(struct model *m, const union psc_event *ev)
{
	const struct proc *subject = NULL;
	struct sink *s;
	size_t i;
	int err;

	if (ev->hdr.type >= PSC_EV_TYPE_MAX || !decode_type_name(ev->hdr.type)) {
		m->stats.unknown_type++;
		return 0;
	}
	if (decode_check_event(ev)) {
		m->stats.malformed++;
		return 0;
	}
	if (!m->first_ts)
		m->first_ts = ev->hdr.ts_ns;
	if (ev->hdr.ts_ns < m->last_ts)
		m->stats.out_of_order++;
	else
		m->last_ts = ev->hdr.ts_ns;
	m->stats.events++;
	m->stats.by_type[ev->hdr.type]++;

	m->npending = 0;
	m->nlinks = 0;
	err = proctree_apply(m->tree, ev, &subject);
	if (!err && ev->hdr.type == PSC_EV_PROC_SEED && m->meta.target_pid &&
	    ev->hdr.tgid == m->meta.target_pid)
		mark_target(m);
	if (!err && ev->hdr.type >= PSC_EV_EPOLL_CREATE && ev->hdr.tgid) {
		const struct proc *owner = proctree_get(m->tree, ev->hdr.tgid, ev->hdr.start_ns);

		/* every group sees every non-proc event (epoll follows unix wakes to its waits) */
		for (i = 0; owner && i < m->ngroups && !err; i++)
			err = m->groups[i]->apply(m->group_state[i], m, ev, owner);
		/* then the links those made, whichever group made them (model_group_ops) */
		for (i = 0; m->nlinks && i < m->ngroups && !err; i++)
			if (m->groups[i]->wake_links)
				err = m->groups[i]->wake_links(m->group_state[i], m, ev);
		if (!owner)
			err = -ENOMEM;
		subject = owner;
	}
	for (s = m->sinks; s; s = s->next)
		if (s->event)
			s->event(s, m, ev, subject);
	for (i = 0; i < m->npending; i++)
		for (s = m->sinks; s; s = s->next)
			if (s->orphan)
				s->orphan(s, m, m->pending[i].child, m->pending[i].old_parent,
					  m->pending[i].new_parent, m->pending[i].ts);
	m->npending = 0;
	if (!err && subject && ev->hdr.type == PSC_EV_PROC_EXIT &&
	    (ev->exit.flags & PSC_EXIT_GROUP_DEAD))
		for (i = 0; i < m->ngroups; i++)
			if (m->groups[i]->exited)
				m->groups[i]->exited(m->group_state[i], subject);
	/* the sinks have written this event out: old reaped processes may go now */
	proctree_retire(m->tree);
	if (!err && m->err)
		err = m->err;
	return err;
}

int model_apply_raw(struct model *m, const void *data, size_t len)
{
	union psc_event ev;
	int err = decode_record(data, len, &ev);

	if (err == -EPROTO) {
		m->stats.unknown_type++;
		return 0;
	}
	if (err) {
		m->stats.malformed++;
		return 0;
	}
	return model_apply(m, &ev);
}

void model_lost_from(struct model *m, uint64_t ts, const uint64_t *by_type, enum model_loss cause)
{
	uint64_t total = 0;
	struct sink *s;
	int t;

	for (t = 0; t < PSC_EV_TYPE_MAX; t++) {
		m->stats.lost_by_type[t] += by_type[t];
		total += by_type[t];
	}
	if (!total)
		return;
	m->stats.lost += total;
	if (cause == MODEL_LOSS_QUEUE)
		m->stats.lost_queue += total;
	m->loss_cause = cause;
	for (s = m->sinks; s; s = s->next)
		if (s->lost)
			s->lost(s, m, ts, by_type, total);
	m->loss_cause = MODEL_LOSS_RINGBUF;
}

void model_lost(struct model *m, uint64_t ts, const uint64_t *by_type)
{
	model_lost_from(m, ts, by_type, MODEL_LOSS_RINGBUF);
}

const char *model_loss_name(enum model_loss cause)
{
	return cause == MODEL_LOSS_QUEUE ? "queue" : "ringbuf";
}

int model_flush(struct model *m)
{
	struct sink *s;
	int err = 0, e;

	for (s = m->sinks; s; s = s->next) {
		if (!s->flush)
			continue;
		e = s->flush(s);
		if (e && !err)
			err = e;
	}
	return err;
}

int model_finish(struct model *m, uint64_t end_ts)
{
	struct sink *s;
	int err = 0, e;

	m->end_ts = end_ts > m->last_ts ? end_ts : m->last_ts;
	for (s = m->sinks; s; s = s->next) {
		if (!s->finish)
			continue;
		e = s->finish(s, m);
		s->finish_err = e;
		if (e && !err)
			err = e;
	}
	return err;
}

bool model_shows(const struct model *m, const struct proc *p)
{
	if (!m->view)
		return true;
	return p && m->view->shows(m->view, p);
}

bool model_shows_pid(const struct model *m, uint32_t pid, uint64_t start_ns)
{
	if (!m->view)
		return true;
	return pid && model_shows(m, proctree_find(m->tree, pid, start_ns));
}
