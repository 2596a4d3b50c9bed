// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix-socket model. An end is found by inode while it lives (the index forgets it at its
 * close, so a reused inode number starts a new end), and by sk_id before it has an inode: the
 * server end connect() makes gets one only at accept(). Closed connections and sockets are kept
 * for the summary up to a limit; older ones are folded into counters.
 *
 * This file: what each event does to the ends and connections, and the join of the model's
 * send -> wake links onto the ends. The rest of the model (unix_flow_int.h): unix_table.c keeps
 * the ends, connections and their indexes, unix_retire.c who holds a socket, when it went and
 * the sweep of old ones, unix_addr.c addresses and names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "unix_flow_int.h"

/* A connection we only see by its traffic: made before the trace */
static int conn_from_peers(struct unix_flow *uf, struct unix_end *e, uint64_t peer_ino)
{
	struct unix_end *p;

	if (e->conn || !peer_ino || e->type == PSC_SOCK_DGRAM || (e->flags & UX_END_LISTENING))
		return 0;
	p = ux_end_get(uf, peer_ino, e->type, 0);
	if (!p)
		return -ENOMEM;
	if (p->conn)
		return 0; /* it belongs to a connection we know (its peer's ino was not seen yet) */
	return ux_conn_new(uf, UX_CONN_EARLIER, e->type, e, p) ? 0 : -ENOMEM;
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
		ends[i] = ux_end_new(uf, e->ino[i], e->type, e->hdr.ts_ns);
		if (!ends[i])
			return -ENOMEM;
		if (ux_who_set(uf, &ends[i]->owner, owner))
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
	if (!ux_conn_new(uf, UX_CONN_PAIR, e->type, ends[0], ends[1]))
		return -ENOMEM;
	uf->touch.conn->connect_ts = e->hdr.ts_ns;
	return 0;
}

static int apply_bind(struct unix_flow *uf, const struct psc_ev_unix_bind *e,
		      const struct proc *owner)
{
	struct unix_end *end = ux_end_get(uf, e->ino, 0, e->hdr.ts_ns);

	if (!end)
		return e->ino ? -ENOMEM : 0;
	if (ux_who_default(uf, &end->owner, owner))
		return -ENOMEM;
	uf->touch.end = end;
	if (e->ret) {
		end->bind_err = e->ret;
		uf->stats.bind_failed++;
		return 0;
	}
	uf->stats.binds++;
	return ux_end_set_path(uf, end, &e->addr);
}

static int apply_listen(struct unix_flow *uf, const struct psc_ev_unix_listen *e,
			const struct proc *owner)
{
	struct unix_end *end = ux_end_get(uf, e->ino, 0, e->hdr.ts_ns);

	if (!end)
		return e->ino ? -ENOMEM : 0;
	if (ux_who_default(uf, &end->owner, owner))
		return -ENOMEM;
	uf->touch.end = end;
	if (e->ret)
		return 0;
	uf->stats.listens++;
	end->flags |= UX_END_LISTENING;
	/* bound before the trace: the listen record names the path */
	if (!(end->flags & UX_END_BOUND))
		return ux_end_set_path(uf, end, &e->addr);
	return 0;
}

static int apply_connect(struct unix_flow *uf, const struct psc_ev_unix_connect *e,
			 const struct proc *owner)
{
	struct unix_end *end = ux_end_get(uf, e->ino, e->type, e->hdr.ts_ns), *srv;
	struct unix_conn *c;

	if (!end)
		return e->ino ? -ENOMEM : 0;
	if (ux_who_default(uf, &end->owner, owner))
		return -ENOMEM;
	if (end->fd < 0)
		end->fd = e->fd;
	uf->touch.end = end;
	if (e->type)
		end->type = e->type;
	if (ux_end_set_sk(uf, end, e->sk_id))
		return -ENOMEM;
	if (e->ret) {
		uf->stats.connect_failed++;
		c = ux_conn_new(uf, UX_CONN_CONNECT, end->type, end, NULL);
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
		ux_end_mark_closed(uf, srv, e->hdr.ts_ns); /* a stale one: its sock was reused */
	srv = ux_end_new(uf, e->peer_ino, end->type, e->hdr.ts_ns);
	if (!srv)
		return -ENOMEM;
	srv->flags |= e->peer_ino ? 0 : UX_END_PENDING;
	srv->path = e->addr;
	if (ux_end_set_sk(uf, srv, e->peer_sk_id))
		return -ENOMEM;
	c = ux_conn_new(uf, UX_CONN_CONNECT, end->type, end, srv);
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
	struct unix_end *lst = ux_end_get(uf, e->listen_ino, e->type, e->hdr.ts_ns), *srv, *cli;
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
		if (!(lst->flags & UX_END_BOUND) && ux_end_set_path(uf, lst, &e->addr))
			return -ENOMEM;
	}
	srv = unix_flow_find_sk(uf, e->sk_id);
	if (srv && !(srv->flags & UX_END_PENDING) && srv->ino != e->ino)
		srv = NULL; /* the id belongs to another, older sock */
	if (!srv) {
		srv = ux_end_new(uf, e->ino, e->type, e->hdr.ts_ns);
		if (!srv || ux_end_set_sk(uf, srv, e->sk_id))
			return -ENOMEM;
	} else if (ux_end_set_ino(uf, srv, e->ino, e->hdr.ts_ns)) {
		return -ENOMEM;
	}
	srv->flags = (srv->flags & ~UX_END_PENDING) | UX_END_ACCEPTED;
	if (ux_who_set(uf, &srv->owner, owner))
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
		cli = e->peer_ino ? ux_end_get(uf, e->peer_ino, e->type, e->hdr.ts_ns) :
				    ux_end_new(uf, 0, e->type, 0);
		if (!cli)
			return -ENOMEM;
		if (!cli->owner.pid && e->peer_pid &&
		    ux_who_set(uf, &cli->owner, proctree_find_pid(m->tree, e->peer_pid)))
			return -ENOMEM;
		c = cli->conn;
		if (c && c->server && (c->server->flags & UX_END_PENDING)) {
			/* its connect was seen, the id did not match: take the pending end's place */
			ux_end_mark_closed(uf, c->server, e->hdr.ts_ns);
			c->server = srv;
			srv->conn = c;
		} else {
			c = ux_conn_new(uf, UX_CONN_CONNECT, srv->type, cli, srv);
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
	struct unix_end *end = ux_end_get(uf, x->ino, x->type, x->hdr.ts_ns);
	struct psc_unix_addr dest;
	struct unix_dgram_flow *f;
	struct unix_end *rcv;

	if (!end)
		return x->ino ? -ENOMEM : 0;
	memset(&sm, 0, sizeof(sm));
	if (x->hdr.type == PSC_EV_UNIX_SENDMSG)
		memcpy(&sm, ev, sizeof(sm));
	uf->touch.end = end;
	if (ux_who_set(uf, &end->user, owner))
		return -ENOMEM;
	if (x->type)
		end->type = x->type;
	if (x->peer_ino && end->type != PSC_SOCK_DGRAM)
		end->peer_ino = x->peer_ino;
	if (!end->sk_id && ux_end_set_sk(uf, end, x->sk_id))
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
	if (rcv && unix_end_proc(rcv) && ux_who_assign(uf, &f->receiver, unix_end_proc(rcv)))
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
	struct unix_end *end = ux_end_get(uf, e->ino, 0, e->hdr.ts_ns);

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
			ux_end_mark_closed(uf, c->server, ts);
			uf->stats.never_accepted++;
		}
	}
}

static int apply_close(struct unix_flow *uf, const struct psc_ev_unix_close *e,
		       const struct proc *owner)
{
	struct unix_end *end = ux_end_get(uf, e->ino, e->type, e->hdr.ts_ns);

	if (!end)
		return e->ino ? -ENOMEM : 0;
	uf->touch.end = end;
	uf->touch.conn = end->conn;
	uf->touch.peer = (struct unix_end *)unix_end_peer(uf, end);
	if (!end->user.pid && ux_who_default(uf, &end->owner, owner))
		return -ENOMEM;
	uf->stats.closes++;
	ux_end_mark_closed(uf, end, e->hdr.ts_ns);
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

/*
 * A socket held before the trace (-p): its end, owner, fd and name, and its connection. The
 * end with the name is the server's (an accepted socket shares its listener's name).
 */
static int apply_seed(struct unix_flow *uf, const struct psc_ev_unix_seed *e,
		      const struct proc *owner)
{
	struct unix_end *end = ux_end_get(uf, e->ino, e->type, e->hdr.ts_ns), *peer;
	struct unix_conn *c;
	bool bound = e->flags & PSC_UNIX_SEED_BOUND;

	if (!end)
		return e->ino ? -ENOMEM : 0;
	uf->touch.end = end;
	end->fd = e->fd;
	if (ux_who_default(uf, &end->owner, owner))
		return -ENOMEM;
	if (e->flags & PSC_UNIX_SEED_LISTENING)
		end->flags |= UX_END_LISTENING;
	if (bound && ux_end_set_path(uf, end, &e->addr))
		return -ENOMEM;
	if (!e->peer_ino || e->type == PSC_SOCK_DGRAM || (end->flags & UX_END_LISTENING))
		return 0;
	end->peer_ino = e->peer_ino;
	if (end->conn)
		return 0; /* its peer's seed made the connection */
	peer = ux_end_get(uf, e->peer_ino, e->type, e->hdr.ts_ns);
	if (!peer)
		return -ENOMEM;
	if (peer->conn)
		return 0;
	c = ux_conn_new(uf, UX_CONN_EARLIER, e->type, bound ? peer : end, bound ? end : peer);
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
		ux_sweep(uf);
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
