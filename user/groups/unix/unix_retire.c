// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Who holds a unix socket and when it went (unix_flow_int.h): the shared record of each process
 * that held one, kept past the process's retirement from the process table; the closing facts
 * derived from closes and exits; and the sweep that folds old finished ends and connections into
 * counters. Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hmap.h"
#include "unix_flow_int.h"

/* ---- processes ---- */

static void uproc_put(struct unix_flow *uf, struct unix_proc *up)
{
	if (!up || --up->refs)
		return;
	if (up->p)
		hmap_del(&uf->procs, up->p->seq);
	free(up);
}

/* The shared record of @p, one more reference to it; NULL without memory */
static struct unix_proc *uproc_get(struct unix_flow *uf, const struct proc *p)
{
	struct unix_proc *up = hmap_get(&uf->procs, p->seq);

	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return NULL;
		up->p = p;
		if (hmap_put(&uf->procs, p->seq, up)) {
			free(up);
			return NULL;
		}
	}
	up->refs++;
	return up;
}

int ux_who_set(struct unix_flow *uf, struct unix_who *w, const struct proc *p)
{
	struct unix_proc *up = NULL;

	if (p && w->proc && w->proc->p == p)
		return 0;
	if (p && !(up = uproc_get(uf, p)))
		return -ENOMEM;
	uproc_put(uf, w->proc);
	memset(w, 0, sizeof(*w));
	if (!p)
		return 0;
	w->proc = up;
	w->pid = p->pid;
	w->start_ns = p->start_ns;
	return 0;
}

void ux_who_drop(struct unix_flow *uf, struct unix_who *w)
{
	uproc_put(uf, w->proc);
	memset(w, 0, sizeof(*w));
}

/* @dst takes @src's process */
int ux_who_assign(struct unix_flow *uf, struct unix_who *dst, const struct unix_who *src)
{
	if (dst == src)
		return 0;
	if (src->proc)
		src->proc->refs++;
	uproc_put(uf, dst->proc);
	*dst = *src;
	return 0;
}

/* An end made before the trace learns its owner from the first call that names one */
int ux_who_default(struct unix_flow *uf, struct unix_who *w, const struct proc *p)
{
	return w->pid ? 0 : ux_who_set(uf, w, p);
}

void unix_flow_retire(struct unix_flow *uf, const struct proc *p)
{
	struct unix_proc *up = hmap_del(&uf->procs, p->seq);

	if (!up)
		return;
	/* its comm may have changed since (exec), its exit is known now */
	memcpy(up->comm, p->comm, sizeof(up->comm));
	up->exited = (p->flags & PROC_F_EXITED) != 0;
	up->exit_ts = up->exited ? p->exit_ts : 0;
	up->start_ns = p->start_ns;
	up->p = NULL;
}

const char *unix_who_comm(const struct unix_who *w)
{
	if (!w)
		return "?";
	if (!w->proc)
		return "";
	return w->proc->p ? w->proc->p->comm : w->proc->comm;
}

uint64_t unix_who_start(const struct unix_who *w)
{
	if (!w || !w->proc)
		return w ? w->start_ns : 0;
	return w->proc->p ? w->proc->p->start_ns : w->proc->start_ns;
}

bool unix_who_untraced(const struct unix_who *w)
{
	return w && w->pid && !*unix_who_comm(w);
}

uint64_t unix_who_exit_ts(const struct unix_who *w)
{
	const struct unix_proc *up = w ? w->proc : NULL;

	if (!up)
		return 0;
	if (up->p)
		return up->p->flags & PROC_F_EXITED ? up->p->exit_ts : 0;
	return up->exited ? up->exit_ts : 0;
}

/* ---- derived facts ---- */

const struct unix_end *unix_end_peer(const struct unix_flow *uf, const struct unix_end *e)
{
	if (!e)
		return NULL;
	if (e->conn)
		return e->conn->client == e ? e->conn->server : e->conn->client;
	return e->peer_ino && !(e->flags & UX_END_CLOSED) ? unix_flow_find_ino(uf, e->peer_ino) :
							    NULL;
}

const struct unix_who *unix_end_proc(const struct unix_end *e)
{
	if (!e)
		return NULL;
	if (e->user.pid)
		return &e->user;
	return e->owner.pid ? &e->owner : NULL;
}

uint64_t unix_end_closed_ts(const struct unix_end *e, bool *inferred)
{
	uint64_t a, b;

	*inferred = false;
	if (!e)
		return 0;
	if (e->flags & UX_END_CLOSED)
		return e->closed_ts;
	/* no traced close: the socket went with its holders (exit closes every fd) */
	a = unix_who_exit_ts(&e->owner);
	b = unix_who_exit_ts(&e->user);
	if ((e->owner.pid && !a) || (e->user.pid && !b) || (!a && !b))
		return 0;
	*inferred = true;
	return a > b ? a : b;
}

uint64_t unix_conn_closed_ts(const struct unix_conn *c, bool *inferred)
{
	uint64_t a, b;
	bool ia, ib;

	*inferred = false;
	if (c->result)
		return 0;
	if (c->closed_ts)
		return c->closed_ts;
	a = unix_end_closed_ts(c->client, &ia);
	b = c->server && !(c->server->flags & UX_END_PENDING) ? unix_end_closed_ts(c->server, &ib) :
								0;
	if (!a && !b)
		return 0;
	/* the first end to go ends the connection */
	if (a && (!b || a <= b)) {
		*inferred = ia;
		return a;
	}
	*inferred = ib;
	return b;
}

const char *unix_conn_state(const struct unix_conn *c)
{
	bool inferred;

	if (c->result)
		return "failed";
	if (c->server && (c->server->flags & UX_END_PENDING))
		return c->server->flags & UX_END_CLOSED ? "not accepted" : "pending";
	return unix_conn_closed_ts(c, &inferred) ? "closed" : "open";
}

/* ---- retention ---- */

/* Closed, or every process holding it has exited (no close() is seen at exit) */
static bool end_is_done(const struct unix_end *e)
{
	bool inferred;

	return !e || (e->flags & UX_END_CLOSED) || unix_end_closed_ts(e, &inferred);
}

/* Both ends done; or the client gone while its connection waited for an accept() */
static bool conn_is_done(const struct unix_conn *c)
{
	return end_is_done(c->client) &&
	       (end_is_done(c->server) || (c->server->flags & UX_END_PENDING));
}

static uint64_t end_bytes(const struct unix_end *e)
{
	return e ? e->tx.bytes : 0;
}

/*
 * Keep the newest keep_closed finished connections, and as many finished sockets outside any
 * connection; fold the older ones into the retired counters. Runs before an event is applied,
 * so nothing the previous event touched is in use.
 */
void ux_sweep(struct unix_flow *uf)
{
	size_t i, k, done = 0, lone = 0;

	for (i = 0; i < uf->nconns; i++)
		done += conn_is_done(uf->conns[i]);
	for (i = 0; i < uf->nends; i++)
		lone += !uf->ends[i]->conn && end_is_done(uf->ends[i]);
	for (i = 0; i < uf->nconns && done > uf->keep_closed; i++) {
		struct unix_conn *c = uf->conns[i];

		if (!conn_is_done(c))
			continue;
		c->dead = true;
		done--;
		uf->stats.retired_conns++;
		uf->stats.retired_bytes += end_bytes(c->client) + end_bytes(c->server);
		if (c->client && c->client->conn == c)
			c->client->dead = true;
		if (c->server && c->server->conn == c)
			c->server->dead = true;
	}
	for (i = 0; i < uf->nends && lone > uf->keep_closed; i++) {
		struct unix_end *e = uf->ends[i];

		if (e->conn || !end_is_done(e))
			continue;
		e->dead = true;
		lone--;
		uf->stats.retired_bytes += e->tx.bytes;
	}
	/* a failed connect's end may be shared with a later connection: unlink, do not free */
	for (i = 0; i < uf->nconns; i++) {
		struct unix_conn *c = uf->conns[i];

		if (c->dead)
			continue;
		if (c->client && c->client->dead)
			c->client->dead = false;
		if (c->server && c->server->dead)
			c->server->dead = false;
	}
	for (i = k = 0; i < uf->nends; i++) {
		struct unix_end *e = uf->ends[i];

		if (e->dead) {
			ux_end_unindex(uf, e);
			uf->stats.retired_ends++;
			ux_end_free(uf, e);
		} else {
			if (e->conn && e->conn->dead)
				e->conn = NULL;
			uf->ends[k++] = e;
		}
	}
	uf->nends = k;
	for (i = k = 0; i < uf->nconns; i++) {
		if (uf->conns[i]->dead)
			free(uf->conns[i]);
		else
			uf->conns[k++] = uf->conns[i];
	}
	uf->nconns = k;
	uf->closed_since_sweep = 0;
	/*
	 * The next sweep once the tables grew by a quarter (at least keep_closed/4 entries): O(1)
	 * per event on average, and a sawtooth a quarter high rather than a doubling (#11).
	 */
	uf->sweep_at = (uf->nends + uf->nconns) * 5 / 4 + uf->keep_closed / 4;
}
