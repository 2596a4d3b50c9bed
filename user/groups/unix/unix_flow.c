// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix-socket model. An end is found by inode while it lives (the index forgets it at its
 * close, so a reused inode number starts a new end), and by sk_id before it has an inode: the
 * server end connect() makes gets one only at accept(). Closed connections and sockets are kept
 * for the summary up to a limit; older ones are folded into counters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hmap.h"
#include "strutil.h"
#include "hist.h"
#include "unix_flow.h"
#include "util.h"

struct unix_flow {
	struct hmap procs; /* proc seq -> its struct unix_proc, while it is in the table */
	struct hmap by_ino; /* live ends with an inode */
	struct hmap by_sk; /* live ends with a known sk_id */
	struct hmap by_path; /* live bound ends, by a hash of their path */
	struct unix_end **ends;
	size_t nends;
	size_t cap_ends;
	struct unix_conn **conns;
	size_t nconns;
	size_t cap_conns;
	uint64_t next_conn_id;
	uint32_t next_seq;
	size_t keep_closed;
	size_t closed_since_sweep;
	size_t sweep_at; /* ends + connections: past this, sweep (ends also go with their holders) */
	struct unix_flow_stats stats;
	struct unix_touch touch;
};

/* ---- small helpers ---- */

size_t unix_addr_view(const struct psc_unix_addr *a, const char **bytes, bool *abstract)
{
	size_t n = a->len > PSC_UNIX_PATH_LEN ? PSC_UNIX_PATH_LEN : a->len;

	*bytes = a->path;
	*abstract = n > 0 && a->path[0] == '\0';
	if (!*abstract)
		n = strnlen(a->path, n); /* the kernel reads a path up to its NUL */
	return n;
}

bool unix_addr_equal(const struct psc_unix_addr *a, const struct psc_unix_addr *b)
{
	const char *pa, *pb;
	bool aa, ab;
	size_t na = unix_addr_view(a, &pa, &aa), nb = unix_addr_view(b, &pb, &ab);

	return na == nb && aa == ab && !memcmp(pa, pb, na);
}

const char *unix_addr_str(const struct psc_unix_addr *a, char *buf, size_t size)
{
	const char *p;
	bool abstract;
	size_t n = unix_addr_view(a, &p, &abstract);

	if (!size)
		return buf;
	buf[0] = '\0';
	if (abstract && size > 1) {
		buf[0] = '@';
		term_escape(buf + 1, size - 1, p + 1, n - 1);
	} else if (!abstract) {
		term_escape(buf, size, p, n);
	}
	return buf;
}

/* FNV-1a over the address's bytes: the path index key (a hit is checked with the bytes) */
static uint64_t addr_key(const struct psc_unix_addr *a)
{
	const char *p;
	bool abstract;
	size_t n = unix_addr_view(a, &p, &abstract), i;
	uint64_t h = 0xcbf29ce484222325ull;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ abstract;
}

const char *unix_type_name(uint32_t type, char *buf, size_t size)
{
	switch (type) {
	case PSC_SOCK_STREAM:
		return "stream";
	case PSC_SOCK_DGRAM:
		return "dgram";
	case PSC_SOCK_SEQPACKET:
		return "seqpacket";
	default:
		snprintf(buf, size, "type %u", type);
		return buf;
	}
}

const char *unix_errno_name(int err, char *buf, size_t size)
{
	const char *name;

	/* -INT_MIN overflows: any code that large is no errno anyway */
	if (err < 0)
		err = err < -4095 ? 4096 : -err;
	/* kernel-internal codes a signal can leak into a tracepoint's ret */
	if (err == 512)
		return "ERESTARTSYS";
	name = strerrorname_np(err);
	if (name)
		return name;
	snprintf(buf, size, "E%d", err);
	return buf;
}

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

static int who_set(struct unix_flow *uf, struct unix_who *w, const struct proc *p)
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

static void who_drop(struct unix_flow *uf, struct unix_who *w)
{
	uproc_put(uf, w->proc);
	memset(w, 0, sizeof(*w));
}

/* @dst takes @src's process */
static int who_assign(struct unix_flow *uf, struct unix_who *dst, const struct unix_who *src)
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
static int who_default(struct unix_flow *uf, struct unix_who *w, const struct proc *p)
{
	return w->pid ? 0 : who_set(uf, w, p);
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

uint64_t unix_who_exit_ts(const struct unix_who *w)
{
	const struct unix_proc *up = w ? w->proc : NULL;

	if (!up)
		return 0;
	if (up->p)
		return up->p->flags & PROC_F_EXITED ? up->p->exit_ts : 0;
	return up->exited ? up->exit_ts : 0;
}

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

static void end_free(struct unix_flow *uf, struct unix_end *e)
{
	size_t i;

	who_drop(uf, &e->owner);
	who_drop(uf, &e->user);
	for (i = 0; i < e->nflows; i++)
		who_drop(uf, &e->flows[i].receiver);
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
		end_free(uf, uf->ends[i]);
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
	e = hmap_get(&uf->by_path, addr_key(a));
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

/* ---- ends ---- */

static void index_del(struct hmap *h, uint64_t key, const struct unix_end *e)
{
	if (key && hmap_get(h, key) == e)
		hmap_del(h, key);
}

/* The end stops being findable: its inode, sk_id and path may be reused */
static void end_unindex(struct unix_flow *uf, struct unix_end *e)
{
	index_del(&uf->by_ino, e->ino, e);
	index_del(&uf->by_sk, e->sk_id, e);
	if (e->flags & UX_END_BOUND)
		index_del(&uf->by_path, addr_key(&e->path), e);
}

static void end_mark_closed(struct unix_flow *uf, struct unix_end *e, uint64_t ts)
{
	if (e->flags & UX_END_CLOSED)
		return;
	e->flags |= UX_END_CLOSED;
	e->closed_ts = ts;
	end_unindex(uf, e);
	if (e->conn && !e->conn->closed_ts && !(e->flags & UX_END_PENDING))
		e->conn->closed_ts = ts;
	uf->closed_since_sweep++;
}

static int set_sk(struct unix_flow *uf, struct unix_end *e, uint64_t sk_id)
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

static int set_ino(struct unix_flow *uf, struct unix_end *e, uint64_t ino, uint64_t ts)
{
	struct unix_end *old;

	if (!ino || e->ino == ino)
		return 0;
	old = hmap_get(&uf->by_ino, ino);
	if (old && old != e)
		end_mark_closed(uf, old, ts); /* its close was not seen: the inode is reused */
	index_del(&uf->by_ino, e->ino, e);
	e->ino = ino;
	return hmap_put(&uf->by_ino, ino, e);
}

static struct unix_end *end_new(struct unix_flow *uf, uint64_t ino, uint32_t type, uint64_t ts)
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
	if (set_ino(uf, e, ino, ts)) {
		uf->nends--;
		free(e);
		return NULL;
	}
	return e;
}

/* The live end with @ino, or a new one made before the trace (first seen now) */
static struct unix_end *end_get(struct unix_flow *uf, uint64_t ino, uint32_t type, uint64_t ts)
{
	struct unix_end *e = unix_flow_find_ino(uf, ino);

	if (e || !ino)
		return e;
	e = end_new(uf, ino, type, 0);
	if (!e)
		return NULL;
	e->flags |= UX_END_EARLIER;
	uf->stats.earlier_ends++;
	return e;
}

static int set_path(struct unix_flow *uf, struct unix_end *e, const struct psc_unix_addr *a)
{
	if (!a->len)
		return 0;
	if (e->flags & UX_END_BOUND)
		index_del(&uf->by_path, addr_key(&e->path), e);
	e->path = *a;
	e->flags |= UX_END_BOUND;
	return hmap_put(&uf->by_path, addr_key(a), e);
}

/* ---- connections ---- */

static struct unix_conn *conn_new(struct unix_flow *uf, uint32_t kind, uint32_t type,
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

/* A connection we only see by its traffic: made before the trace */
static int conn_from_peers(struct unix_flow *uf, struct unix_end *e, uint64_t peer_ino)
{
	struct unix_end *p;

	if (e->conn || !peer_ino || e->type == PSC_SOCK_DGRAM || (e->flags & UX_END_LISTENING))
		return 0;
	p = end_get(uf, peer_ino, e->type, 0);
	if (!p)
		return -ENOMEM;
	if (p->conn)
		return 0; /* it belongs to a connection we know (its peer's ino was not seen yet) */
	return conn_new(uf, UX_CONN_EARLIER, e->type, e, p) ? 0 : -ENOMEM;
}

/* ---- datagrams ---- */

static struct unix_dgram_flow *flow_get(struct unix_end *e, const struct psc_unix_addr *dest,
					uint64_t dest_ino)
{
	struct unix_dgram_flow *f;
	size_t i;

	for (i = 0; i < e->nflows; i++) {
		f = &e->flows[i];
		if (dest->len ? unix_addr_equal(&f->dest, dest) :
				(!f->dest.len && f->dest_ino == dest_ino))
			return f;
	}
	if (e->nflows == e->cap_flows) {
		size_t cap = e->cap_flows ? e->cap_flows * 2 : 4;
		struct unix_dgram_flow *a = realloc(e->flows, cap * sizeof(*a));

		if (!a)
			return NULL;
		e->flows = a;
		e->cap_flows = cap;
	}
	f = &e->flows[e->nflows++];
	memset(f, 0, sizeof(*f));
	f->dest = *dest;
	return f;
}

/* ---- events ---- */

static int apply_socket(struct unix_flow *uf, const struct psc_ev_unix_socket *e,
			const struct proc *owner)
{
	bool pair = e->flags & PSC_UNIX_PAIR;
	struct unix_end *ends[2] = { NULL, NULL };
	int i;

	if (e->ret < 0)
		return 0;
	for (i = 0; i < (pair ? 2 : 1); i++) {
		if (!e->ino[i])
			continue;
		ends[i] = end_new(uf, e->ino[i], e->type, e->hdr.ts_ns);
		if (!ends[i])
			return -ENOMEM;
		if (who_set(uf, &ends[i]->owner, owner))
			return -ENOMEM;
		ends[i]->fd = e->fd[i];
		ends[i]->flags |= pair ? UX_END_PAIR : 0;
		uf->stats.sockets++;
	}
	uf->touch.end = ends[0];
	if (!pair || !ends[0] || !ends[1])
		return 0;
	uf->stats.pairs++;
	ends[0]->peer_ino = e->ino[1];
	ends[1]->peer_ino = e->ino[0];
	uf->touch.peer = ends[1];
	if (!conn_new(uf, UX_CONN_PAIR, e->type, ends[0], ends[1]))
		return -ENOMEM;
	uf->touch.conn->connect_ts = e->hdr.ts_ns;
	return 0;
}

static int apply_bind(struct unix_flow *uf, const struct psc_ev_unix_bind *e,
		      const struct proc *owner)
{
	struct unix_end *end = end_get(uf, e->ino, 0, e->hdr.ts_ns);

	if (!end)
		return e->ino ? -ENOMEM : 0;
	if (who_default(uf, &end->owner, owner))
		return -ENOMEM;
	uf->touch.end = end;
	if (e->ret) {
		end->bind_err = e->ret;
		uf->stats.bind_failed++;
		return 0;
	}
	uf->stats.binds++;
	return set_path(uf, end, &e->addr);
}

static int apply_listen(struct unix_flow *uf, const struct psc_ev_unix_listen *e,
			const struct proc *owner)
{
	struct unix_end *end = end_get(uf, e->ino, 0, e->hdr.ts_ns);

	if (!end)
		return e->ino ? -ENOMEM : 0;
	if (who_default(uf, &end->owner, owner))
		return -ENOMEM;
	uf->touch.end = end;
	if (e->ret)
		return 0;
	uf->stats.listens++;
	end->flags |= UX_END_LISTENING;
	/* bound before the trace: the listen record names the path */
	if (!(end->flags & UX_END_BOUND))
		return set_path(uf, end, &e->addr);
	return 0;
}

static int apply_connect(struct unix_flow *uf, const struct psc_ev_unix_connect *e,
			 const struct proc *owner)
{
	struct unix_end *end = end_get(uf, e->ino, e->type, e->hdr.ts_ns), *srv;
	struct unix_conn *c;

	if (!end)
		return e->ino ? -ENOMEM : 0;
	if (who_default(uf, &end->owner, owner))
		return -ENOMEM;
	if (end->fd < 0)
		end->fd = e->fd;
	uf->touch.end = end;
	if (e->type)
		end->type = e->type;
	if (set_sk(uf, end, e->sk_id))
		return -ENOMEM;
	if (e->ret) {
		uf->stats.connect_failed++;
		c = conn_new(uf, UX_CONN_CONNECT, end->type, end, NULL);
		if (!c)
			return -ENOMEM;
		c->result = e->ret;
		c->path = e->addr;
		c->connect_ts = e->hdr.ts_ns;
		return 0;
	}
	uf->stats.connects++;
	end->flags |= UX_END_CONNECTED;
	if (end->type == PSC_SOCK_DGRAM) {
		/* a default destination, no connection: its datagrams are flows */
		end->dest = e->addr;
		end->peer_ino = e->peer_ino;
		uf->touch.peer = unix_flow_find_ino(uf, e->peer_ino);
		return 0;
	}
	/* the server end the kernel made for us, until accept() gives it an inode */
	srv = unix_flow_find_sk(uf, e->peer_sk_id);
	if (srv && (srv->flags & UX_END_PENDING))
		end_mark_closed(uf, srv, e->hdr.ts_ns); /* a stale one: its sock was reused */
	srv = end_new(uf, e->peer_ino, end->type, e->hdr.ts_ns);
	if (!srv)
		return -ENOMEM;
	srv->flags |= e->peer_ino ? 0 : UX_END_PENDING;
	srv->path = e->addr;
	if (set_sk(uf, srv, e->peer_sk_id))
		return -ENOMEM;
	c = conn_new(uf, UX_CONN_CONNECT, end->type, end, srv);
	if (!c)
		return -ENOMEM;
	c->path = e->addr;
	c->connect_ts = e->hdr.ts_ns;
	c->listener_pid = e->peer_pid;
	uf->touch.peer = srv;
	return 0;
}

static int apply_accept(struct unix_flow *uf, struct model *m, const struct psc_ev_unix_accept *e,
			const struct proc *owner)
{
	struct unix_end *lst = end_get(uf, e->listen_ino, e->type, e->hdr.ts_ns), *srv, *cli;
	struct unix_conn *c;

	if (e->ret < 0) {
		uf->stats.accept_failed++;
		uf->touch.end = lst;
		return 0;
	}
	uf->stats.accepts++;
	if (lst) {
		lst->accepts++;
		lst->flags |= UX_END_LISTENING;
		if (!(lst->flags & UX_END_BOUND) && set_path(uf, lst, &e->addr))
			return -ENOMEM;
	}
	srv = unix_flow_find_sk(uf, e->sk_id);
	if (srv && !(srv->flags & UX_END_PENDING) && srv->ino != e->ino)
		srv = NULL; /* the id belongs to another, older sock */
	if (!srv) {
		srv = end_new(uf, e->ino, e->type, e->hdr.ts_ns);
		if (!srv || set_sk(uf, srv, e->sk_id))
			return -ENOMEM;
	} else if (set_ino(uf, srv, e->ino, e->hdr.ts_ns)) {
		return -ENOMEM;
	}
	srv->flags = (srv->flags & ~UX_END_PENDING) | UX_END_ACCEPTED;
	if (who_set(uf, &srv->owner, owner))
		return -ENOMEM;
	srv->fd = e->ret;
	srv->type = e->type ? e->type : srv->type;
	srv->peer_ino = e->peer_ino;
	if (e->addr.len && !srv->path.len)
		srv->path = e->addr;
	uf->touch.end = srv;
	c = srv->conn;
	if (!c) {
		/* the connect() was not traced: the client comes from its inode and SO_PEERCRED */
		cli = e->peer_ino ? end_get(uf, e->peer_ino, e->type, e->hdr.ts_ns) :
				    end_new(uf, 0, e->type, 0);
		if (!cli)
			return -ENOMEM;
		if (!cli->owner.pid && e->peer_pid &&
		    who_set(uf, &cli->owner, proctree_find_pid(m->tree, e->peer_pid)))
			return -ENOMEM;
		c = cli->conn;
		if (c && c->server && (c->server->flags & UX_END_PENDING)) {
			/* its connect was seen, the id did not match: take the pending end's place */
			end_mark_closed(uf, c->server, e->hdr.ts_ns);
			c->server = srv;
			srv->conn = c;
		} else {
			c = conn_new(uf, UX_CONN_CONNECT, srv->type, cli, srv);
			if (!c)
				return -ENOMEM;
			c->path = e->addr;
		}
	}
	if (e->peer_ino && !c->client->peer_ino)
		c->client->peer_ino = e->ino;
	c->accept_ts = e->hdr.ts_ns;
	c->client_pid = e->peer_pid;
	uf->touch.conn = c;
	uf->touch.peer = c->client;
	return 0;
}

static void count_dir(struct unix_dir *d, int32_t ret, uint32_t msg_flags, bool recv, uint32_t type)
{
	if (ret < 0) {
		d->errors++;
		d->last_err = ret;
		if (ret == -11)
			d->eagain++;
		else if (ret == -32 || ret == -104)
			d->epipe++;
		return;
	}
	if (recv && (msg_flags & 0x2)) { /* MSG_PEEK */
		d->peeks++;
		return;
	}
	d->msgs++;
	d->bytes += (uint64_t)ret;
	if (recv && ret == 0 && type != PSC_SOCK_DGRAM)
		d->eof++;
}

static int apply_xfer(struct unix_flow *uf, const union psc_event *ev, const struct proc *owner)
{
	const struct psc_ev_unix_xfer *x = &ev->unix_xfer;
	bool send = x->hdr.type != PSC_EV_UNIX_RECV;
	struct psc_ev_unix_sendmsg sm;
	struct unix_end *end = end_get(uf, x->ino, x->type, x->hdr.ts_ns);
	struct psc_unix_addr dest;
	struct unix_dgram_flow *f;
	struct unix_end *rcv;

	if (!end)
		return x->ino ? -ENOMEM : 0;
	memset(&sm, 0, sizeof(sm));
	if (x->hdr.type == PSC_EV_UNIX_SENDMSG)
		memcpy(&sm, ev, sizeof(sm));
	uf->touch.end = end;
	if (who_set(uf, &end->user, owner))
		return -ENOMEM;
	if (x->type)
		end->type = x->type;
	if (x->peer_ino && end->type != PSC_SOCK_DGRAM)
		end->peer_ino = x->peer_ino;
	if (!end->sk_id && set_sk(uf, end, x->sk_id))
		return -ENOMEM;
	count_dir(send ? &end->tx : &end->rx, x->ret, x->msg_flags, !send, end->type);
	if (send) {
		uf->stats.sends++;
		uf->stats.send_errors += x->ret < 0;
		uf->stats.bytes_sent += x->ret > 0 ? (uint64_t)x->ret : 0;
		end->fds_sent += sm.nfds;
		uf->stats.fds_passed += sm.nfds;
	} else {
		uf->stats.recvs++;
		uf->stats.recv_errors += x->ret < 0;
		uf->stats.bytes_received += x->ret > 0 && !(x->msg_flags & 0x2) ? (uint64_t)x->ret :
										  0;
	}
	if (end->type != PSC_SOCK_DGRAM) {
		if (conn_from_peers(uf, end, x->peer_ino))
			return -ENOMEM;
		uf->touch.conn = end->conn;
		uf->touch.peer = (struct unix_end *)unix_end_peer(uf, end);
		return 0;
	}
	if (!send)
		return 0;
	/* a datagram: to the address given, else where connect() pointed the socket */
	rcv = unix_flow_find_ino(uf, x->peer_ino);
	dest = sm.addr.len ? sm.addr : end->dest;
	if (!dest.len && rcv && (rcv->flags & UX_END_BOUND))
		dest = rcv->path; /* connected before the trace: the receiver's name */
	if (!dest.len && !x->peer_ino)
		return 0; /* nowhere known (e.g. ENOTCONN) */
	f = flow_get(end, &dest, x->peer_ino);
	if (!f)
		return -ENOMEM;
	if (x->peer_ino)
		f->dest_ino = x->peer_ino;
	if (rcv && unix_end_proc(rcv) && who_assign(uf, &f->receiver, unix_end_proc(rcv)))
		return -ENOMEM;
	if (!f->first_ts)
		f->first_ts = x->hdr.ts_ns;
	f->last_ts = x->hdr.ts_ns;
	f->fds += sm.nfds;
	if (x->ret < 0) {
		f->errors++;
		f->last_err = x->ret;
	} else {
		f->msgs++;
		f->bytes += (uint64_t)x->ret;
	}
	uf->touch.flow = f;
	uf->touch.peer = rcv;
	return 0;
}

static int apply_shutdown(struct unix_flow *uf, const struct psc_ev_unix_shutdown *e)
{
	struct unix_end *end = end_get(uf, e->ino, 0, e->hdr.ts_ns);

	if (!end)
		return e->ino ? -ENOMEM : 0;
	uf->touch.end = end;
	uf->touch.conn = end->conn;
	if (e->ret)
		return 0;
	uf->stats.shutdowns++;
	if (e->how == 0 || e->how == 2)
		end->flags |= UX_END_SHUT_RD;
	if (e->how == 1 || e->how == 2)
		end->flags |= UX_END_SHUT_WR;
	return 0;
}

/* A listener is gone: the connections still waiting in its queue are never accepted */
static void drop_pending(struct unix_flow *uf, const struct unix_end *lst, uint64_t ts)
{
	size_t i;

	if (!(lst->flags & UX_END_LISTENING) || !lst->path.len)
		return;
	for (i = 0; i < uf->nconns; i++) {
		struct unix_conn *c = uf->conns[i];

		if (c->server && (c->server->flags & UX_END_PENDING) &&
		    !(c->server->flags & UX_END_CLOSED) && unix_addr_equal(&c->path, &lst->path)) {
			end_mark_closed(uf, c->server, ts);
			uf->stats.never_accepted++;
		}
	}
}

static int apply_close(struct unix_flow *uf, const struct psc_ev_unix_close *e,
		       const struct proc *owner)
{
	struct unix_end *end = end_get(uf, e->ino, e->type, e->hdr.ts_ns);

	if (!end)
		return e->ino ? -ENOMEM : 0;
	uf->touch.end = end;
	uf->touch.conn = end->conn;
	uf->touch.peer = (struct unix_end *)unix_end_peer(uf, end);
	if (!end->user.pid && who_default(uf, &end->owner, owner))
		return -ENOMEM;
	uf->stats.closes++;
	end_mark_closed(uf, end, e->hdr.ts_ns);
	drop_pending(uf, end, e->hdr.ts_ns);
	return 0;
}

static void apply_wake(struct unix_flow *uf, const struct psc_ev_unix_wake *e)
{
	struct unix_end *end = e->ino ? unix_flow_find_ino(uf, e->ino) :
					unix_flow_find_sk(uf, e->sk_id);

	uf->stats.wakes++;
	if (!end)
		return;
	end->wakes++;
	uf->touch.end = end;
	uf->touch.conn = end->conn;
}

int unix_flow_wake_links(struct unix_flow *uf, const struct model *m)
{
	size_t i;

	for (i = 0; i < m->nlinks; i++) {
		struct unix_end *end = unix_flow_find_ino(uf, m->links[i].ino);

		if (!end)
			continue;
		if (!end->wake_hist) {
			end->wake_hist = calloc(UNIX_FLOW_HIST, sizeof(*end->wake_hist));
			if (!end->wake_hist)
				return -ENOMEM;
		}
		end->wakes_linked++;
		end->wake_hist[hist_bucket(m->links[i].latency_ns)]++;
		uf->stats.wakes_linked++;
		if (!uf->touch.end) {
			uf->touch.end = end;
			uf->touch.conn = end->conn;
		}
	}
	return 0;
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
static void sweep(struct unix_flow *uf)
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
			end_unindex(uf, e);
			uf->stats.retired_ends++;
			end_free(uf, e);
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

/*
 * A socket held before the trace (-p): its end, owner, fd and name, and its connection. The
 * end with the name is the server's (an accepted socket shares its listener's name).
 */
static int apply_seed(struct unix_flow *uf, const struct psc_ev_unix_seed *e,
		      const struct proc *owner)
{
	struct unix_end *end = end_get(uf, e->ino, e->type, e->hdr.ts_ns), *peer;
	struct unix_conn *c;
	bool bound = e->flags & PSC_UNIX_SEED_BOUND;

	if (!end)
		return e->ino ? -ENOMEM : 0;
	uf->touch.end = end;
	end->fd = e->fd;
	if (who_default(uf, &end->owner, owner))
		return -ENOMEM;
	if (e->flags & PSC_UNIX_SEED_LISTENING)
		end->flags |= UX_END_LISTENING;
	if (bound && set_path(uf, end, &e->addr))
		return -ENOMEM;
	if (!e->peer_ino || e->type == PSC_SOCK_DGRAM || (end->flags & UX_END_LISTENING))
		return 0;
	end->peer_ino = e->peer_ino;
	if (end->conn)
		return 0; /* its peer's seed made the connection */
	peer = end_get(uf, e->peer_ino, e->type, e->hdr.ts_ns);
	if (!peer)
		return -ENOMEM;
	if (peer->conn)
		return 0;
	c = conn_new(uf, UX_CONN_EARLIER, e->type, bound ? peer : end, bound ? end : peer);
	if (!c)
		return -ENOMEM;
	c->path = e->addr;
	return 0;
}

int unix_flow_apply(struct unix_flow *uf, struct model *m, const union psc_event *ev,
		    const struct proc *owner)
{
	/* amortized: a sweep after as many closes as are kept, or when the tables grew a quarter */
	if (uf->closed_since_sweep > uf->keep_closed || uf->nends + uf->nconns > uf->sweep_at)
		sweep(uf);
	memset(&uf->touch, 0, sizeof(uf->touch));
	switch (ev->hdr.type) {
	case PSC_EV_UNIX_SOCKET:
		return apply_socket(uf, &ev->unix_socket, owner);
	case PSC_EV_UNIX_BIND:
		return apply_bind(uf, &ev->unix_bind, owner);
	case PSC_EV_UNIX_LISTEN:
		return apply_listen(uf, &ev->unix_listen, owner);
	case PSC_EV_UNIX_CONNECT:
		return apply_connect(uf, &ev->unix_connect, owner);
	case PSC_EV_UNIX_ACCEPT:
		return apply_accept(uf, m, &ev->unix_accept, owner);
	case PSC_EV_UNIX_SEND:
	case PSC_EV_UNIX_RECV:
	case PSC_EV_UNIX_SENDMSG:
		return apply_xfer(uf, ev, owner);
	case PSC_EV_UNIX_SHUTDOWN:
		return apply_shutdown(uf, &ev->unix_shutdown);
	case PSC_EV_UNIX_CLOSE:
		return apply_close(uf, &ev->unix_close, owner);
	case PSC_EV_UNIX_WAKE:
		apply_wake(uf, &ev->unix_wake);
		return 0;
	case PSC_EV_UNIX_SEED:
		return apply_seed(uf, &ev->unix_seed, owner);
	default:
		return 0;
	}
}
