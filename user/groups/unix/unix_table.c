// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix-socket model's table (unix_flow_int.h): the ends and connections, and the indexes
 * that find a live end by inode, by sk_id and by bound path. Pure.
 */
#include <errno.h>
#include <stdlib.h>
#include "hmap.h"
#include "unix_flow_int.h"
#include "util.h"

/* ---- lifetime ---- */

struct unix_flow *unix_flow_new(void)
{
	struct unix_flow *uf = calloc(1, sizeof(*uf));

	if (!uf)
		return NULL;
	hmap_init(&uf->procs);
	hmap_init(&uf->by_ino);
	hmap_init(&uf->by_sk);
	hmap_init(&uf->by_path);
	uf->keep_closed = UNIX_FLOW_KEEP_CLOSED;
	uf->sweep_at = 2 * UNIX_FLOW_KEEP_CLOSED;
	uf->next_conn_id = 1;
	return uf;
}

void ux_end_free(struct unix_flow *uf, struct unix_end *e)
{
	size_t i;

	ux_who_drop(uf, &e->owner);
	ux_who_drop(uf, &e->user);
	for (i = 0; i < e->nflows; i++)
		ux_who_drop(uf, &e->flows[i].receiver);
	free(e->wake_hist);
	free(e->flows);
	free(e);
}

void unix_flow_free(struct unix_flow *uf)
{
	size_t i;

	if (!uf)
		return;
	for (i = 0; i < uf->nends; i++)
		ux_end_free(uf, uf->ends[i]);
	for (i = 0; i < uf->nconns; i++)
		free(uf->conns[i]);
	free(uf->ends);
	free(uf->conns);
	hmap_free(&uf->procs);
	hmap_free(&uf->by_ino);
	hmap_free(&uf->by_sk);
	hmap_free(&uf->by_path);
	free(uf);
}

void unix_flow_set_keep_closed(struct unix_flow *uf, size_t keep)
{
	uf->keep_closed = keep;
	uf->sweep_at = 2 * keep;
}

struct unix_end *const *unix_flow_ends(const struct unix_flow *uf, size_t *n)
{
	*n = uf->nends;
	return uf->ends;
}

struct unix_conn *const *unix_flow_conns(const struct unix_flow *uf, size_t *n)
{
	*n = uf->nconns;
	return uf->conns;
}

struct unix_end *unix_flow_find_ino(const struct unix_flow *uf, uint64_t ino)
{
	return ino ? hmap_get(&uf->by_ino, ino) : NULL;
}

struct unix_end *unix_flow_find_sk(const struct unix_flow *uf, uint64_t sk_id)
{
	return sk_id ? hmap_get(&uf->by_sk, sk_id) : NULL;
}

struct unix_end *unix_flow_find_path(const struct unix_flow *uf, const struct psc_unix_addr *a)
{
	struct unix_end *e;

	if (!a->len)
		return NULL;
	e = hmap_get(&uf->by_path, ux_addr_key(a));
	return e && unix_addr_equal(&e->path, a) ? e : NULL;
}

const struct unix_flow_stats *unix_flow_stats(const struct unix_flow *uf)
{
	return &uf->stats;
}

const struct unix_touch *unix_flow_touched(const struct unix_flow *uf)
{
	return &uf->touch;
}

/* ---- ends ---- */

static void index_del(struct hmap *h, uint64_t key, const struct unix_end *e)
{
	if (key && hmap_get(h, key) == e)
		hmap_del(h, key);
}

/* The end stops being findable: its inode, sk_id and path may be reused */
void ux_end_unindex(struct unix_flow *uf, struct unix_end *e)
{
	index_del(&uf->by_ino, e->ino, e);
	index_del(&uf->by_sk, e->sk_id, e);
	if (e->flags & UX_END_BOUND)
		index_del(&uf->by_path, ux_addr_key(&e->path), e);
}

void ux_end_mark_closed(struct unix_flow *uf, struct unix_end *e, uint64_t ts)
{
	if (e->flags & UX_END_CLOSED)
		return;
	e->flags |= UX_END_CLOSED;
	e->closed_ts = ts;
	ux_end_unindex(uf, e);
	if (e->conn && !e->conn->closed_ts && !(e->flags & UX_END_PENDING))
		e->conn->closed_ts = ts;
	uf->closed_since_sweep++;
}

int ux_end_set_sk(struct unix_flow *uf, struct unix_end *e, uint64_t sk_id)
{
	struct unix_end *old;

	if (!sk_id || e->sk_id == sk_id)
		return 0;
	index_del(&uf->by_sk, e->sk_id, e);
	e->sk_id = sk_id;
	/* a sock pointer freed and reused: the old owner of the id is gone */
	old = hmap_get(&uf->by_sk, sk_id);
	if (old && old != e && old->ino != e->ino)
		index_del(&uf->by_sk, sk_id, old);
	return hmap_put(&uf->by_sk, sk_id, e);
}

int ux_end_set_ino(struct unix_flow *uf, struct unix_end *e, uint64_t ino, uint64_t ts)
{
	struct unix_end *old;

	if (!ino || e->ino == ino)
		return 0;
	old = hmap_get(&uf->by_ino, ino);
	if (old && old != e)
		ux_end_mark_closed(uf, old, ts); /* its close was not seen: the inode is reused */
	index_del(&uf->by_ino, e->ino, e);
	e->ino = ino;
	return hmap_put(&uf->by_ino, ino, e);
}

struct unix_end *ux_end_new(struct unix_flow *uf, uint64_t ino, uint32_t type, uint64_t ts)
{
	struct unix_end *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->type = type;
	e->fd = -1;
	e->created_ts = ts;
	e->seq = uf->next_seq++;
	if (ptr_push((void ***)&uf->ends, &uf->nends, &uf->cap_ends, e)) {
		free(e);
		return NULL;
	}
	if (ux_end_set_ino(uf, e, ino, ts)) {
		uf->nends--;
		free(e);
		return NULL;
	}
	return e;
}

/* The live end with @ino, or a new one made before the trace (first seen now) */
struct unix_end *ux_end_get(struct unix_flow *uf, uint64_t ino, uint32_t type, uint64_t ts)
{
	struct unix_end *e = unix_flow_find_ino(uf, ino);

	if (e || !ino)
		return e;
	e = ux_end_new(uf, ino, type, 0);
	if (!e)
		return NULL;
	e->flags |= UX_END_EARLIER;
	uf->stats.earlier_ends++;
	return e;
}

int ux_end_set_path(struct unix_flow *uf, struct unix_end *e, const struct psc_unix_addr *a)
{
	if (!a->len)
		return 0;
	if (e->flags & UX_END_BOUND)
		index_del(&uf->by_path, ux_addr_key(&e->path), e);
	e->path = *a;
	e->flags |= UX_END_BOUND;
	return hmap_put(&uf->by_path, ux_addr_key(a), e);
}

/* ---- connections ---- */

struct unix_conn *ux_conn_new(struct unix_flow *uf, uint32_t kind, uint32_t type,
			      struct unix_end *client, struct unix_end *server)
{
	struct unix_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (ptr_push((void ***)&uf->conns, &uf->nconns, &uf->cap_conns, c)) {
		free(c);
		return NULL;
	}
	c->id = uf->next_conn_id++;
	c->kind = kind;
	c->type = type;
	c->client = client;
	c->server = server;
	/* a failed connect (no server) does not take the socket: it may connect again */
	if (server) {
		client->conn = c;
		server->conn = c;
	}
	uf->touch.conn = c;
	uf->touch.new_conn = true;
	return c;
}
