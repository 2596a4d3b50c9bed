// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix group's live lines (unix_print_int.h): one line per socket call, with the
 * connection, peer and flow the model tied it to. Paths and names are terminal-escaped.
 */
#include <string.h>
#include "live.h"
#include "unix_print_int.h"

static uint32_t ppid_of(const struct proc *p)
{
	return p && p->parent ? p->parent->pid : 0;
}

/* " (conn #3)" or "" */
static const char *conn_tag(const struct unix_conn *c, char *buf, size_t size)
{
	if (c)
		snprintf(buf, size, "conn #%llu", (unsigned long long)c->id);
	else
		snprintf(buf, size, "no conn");
	return buf;
}

/* ---- live lines ---- */

static void live_socket(const struct model *m, const struct psc_ev_unix_socket *e,
			const struct unix_touch *t, const struct proc *p, FILE *out)
{
	char ty[16], err[32], tag[32];
	const char *type = unix_type_name(e->type, ty, sizeof(ty));

	if (e->ret < 0)
		live_print(out, m, e->hdr.ts_ns, "ux_sock", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "%s %s failed: %s", type,
			   e->flags & PSC_UNIX_PAIR ? "socketpair" : "socket",
			   ux_err_str(e->ret, err, sizeof(err)));
	else if (e->flags & PSC_UNIX_PAIR)
		live_print(out, m, e->hdr.ts_ns, "ux_sock", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL,
			   "%s socketpair: fd %d unix:[%llu] <-> fd %d unix:[%llu] (%s)", type,
			   e->fd[0], (unsigned long long)e->ino[0], e->fd[1],
			   (unsigned long long)e->ino[1], conn_tag(t->conn, tag, sizeof(tag)));
	else
		live_print(out, m, e->hdr.ts_ns, "ux_sock", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "%s socket: fd %d unix:[%llu]", type, e->fd[0],
			   (unsigned long long)e->ino[0]);
}

static void live_connect(const struct model *m, const struct psc_ev_unix_connect *e,
			 const struct unix_touch *t, const struct proc *p, FILE *out)
{
	char path[UNIX_ADDR_STR_LEN], err[32], tag[32], who[96], ty[16];
	const struct proc *lp = e->peer_pid ? proctree_find_pid(m->tree, e->peer_pid) : NULL;

	ux_path_str(&e->addr, path, sizeof(path));
	if (e->ret) {
		live_print(out, m, e->hdr.ts_ns, "ux_conn", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "fd %d unix:[%llu] connect to %s failed: %s", e->fd,
			   (unsigned long long)e->ino, path, ux_err_str(e->ret, err, sizeof(err)));
		return;
	}
	if (e->type == PSC_SOCK_DGRAM) {
		live_print(out, m, e->hdr.ts_ns, "ux_conn", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL,
			   "fd %d unix:[%llu] connected to %s (dgram: sends go to unix:[%llu])",
			   e->fd, (unsigned long long)e->ino, path,
			   (unsigned long long)e->peer_ino);
		return;
	}
	live_print(out, m, e->hdr.ts_ns, "ux_conn", e->hdr.tgid, ppid_of(p), p ? p->comm : NULL,
		   "fd %d unix:[%llu] connected to %s (%s, %s; listener %s)", e->fd,
		   (unsigned long long)e->ino, path, unix_type_name(e->type, ty, sizeof(ty)),
		   conn_tag(t->conn, tag, sizeof(tag)), live_who(lp, who, sizeof(who)));
}

static void live_accept(const struct model *m, const struct psc_ev_unix_accept *e,
			const struct unix_touch *t, const struct proc *p, FILE *out)
{
	char path[UNIX_ADDR_STR_LEN], err[32], tag[32], who[96];

	ux_path_str(&e->addr, path, sizeof(path));
	if (e->ret < 0) {
		live_print(out, m, e->hdr.ts_ns, "ux_acpt", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "fd %d unix:[%llu] accept on %s failed: %s", e->fd,
			   (unsigned long long)e->listen_ino, path,
			   ux_err_str(e->ret, err, sizeof(err)));
		return;
	}
	live_print(out, m, e->hdr.ts_ns, "ux_acpt", e->hdr.tgid, ppid_of(p), p ? p->comm : NULL,
		   "fd %d unix:[%llu] accepted %s on %s from %s unix:[%llu]", e->ret,
		   (unsigned long long)e->ino, conn_tag(t->conn, tag, sizeof(tag)), path,
		   ux_who_str(t->peer ? unix_end_proc(t->peer) : NULL, who, sizeof(who)),
		   (unsigned long long)e->peer_ino);
}

static void live_xfer(const struct model *m, const union psc_event *ev, const struct unix_touch *t,
		      const struct proc *p, FILE *out)
{
	const struct psc_ev_unix_xfer *x = &ev->unix_xfer;
	bool send = x->hdr.type != PSC_EV_UNIX_RECV;
	const char *ev_name = send ? "ux_send" : "ux_recv";
	char d[UNIX_ADDR_STR_LEN + 160], who[96], err[32], tag[32], path[UNIX_ADDR_STR_LEN];
	struct psc_ev_unix_sendmsg sm;
	size_t o = 0;

	memset(&sm, 0, sizeof(sm));
	if (x->hdr.type == PSC_EV_UNIX_SENDMSG)
		memcpy(&sm, ev, sizeof(sm));
	o += snprintf(d + o, sizeof(d) - o, "unix:[%llu] %s ", (unsigned long long)x->ino,
		      send ? "->" : "<-");
	if (x->type == PSC_SOCK_DGRAM && send && (sm.addr.len || (t->flow && t->flow->dest.len)))
		o += snprintf(d + o, sizeof(d) - o, "%s ",
			      ux_path_str(sm.addr.len ? &sm.addr : &t->flow->dest, path,
					  sizeof(path)));
	if (x->peer_ino)
		o += snprintf(d + o, sizeof(d) - o, "unix:[%llu] ",
			      (unsigned long long)x->peer_ino);
	else if (x->type == PSC_SOCK_DGRAM && !send && t->end && t->end->path.len)
		o += snprintf(d + o, sizeof(d) - o, "on %s ",
			      ux_path_str(&t->end->path, path, sizeof(path)));
	else if (t->peer && t->peer->ino) /* the peer has gone already: the model knows it */
		o += snprintf(d + o, sizeof(d) - o, "unix:[%llu] ",
			      (unsigned long long)t->peer->ino);
	else if (t->peer && (t->peer->flags & UX_END_PENDING))
		o += snprintf(d + o, sizeof(d) - o, "server end (not accepted yet) ");
	else
		o += snprintf(d + o, sizeof(d) - o, "? ");
	if (o >= sizeof(d))
		o = sizeof(d) - 1;
	if (x->ret < 0)
		o += snprintf(d + o, sizeof(d) - o, "%s failed: %s", send ? "send" : "recv",
			      ux_err_str(x->ret, err, sizeof(err)));
	else if (!send && (x->msg_flags & 0x2))
		o += snprintf(d + o, sizeof(d) - o, "peeked %d B", x->ret);
	else if (!send && x->ret == 0 && x->type != PSC_SOCK_DGRAM)
		o += snprintf(d + o, sizeof(d) - o, "EOF: the peer closed or shut down writing");
	else
		o += snprintf(d + o, sizeof(d) - o, "%d B", x->ret);
	if (sm.nfds && o < sizeof(d))
		o += snprintf(d + o, sizeof(d) - o, " + %u fd%s passed", sm.nfds,
			      sm.nfds == 1 ? "" : "s");
	if (o < sizeof(d) && x->type != PSC_SOCK_DGRAM)
		o += snprintf(d + o, sizeof(d) - o, " (%s%s%s)",
			      conn_tag(t->conn, tag, sizeof(tag)),
			      t->peer && unix_end_proc(t->peer) ? (send ? " to " : " from ") : "",
			      t->peer && unix_end_proc(t->peer) ?
				      ux_who_str(unix_end_proc(t->peer), who, sizeof(who)) :
				      "");
	else if (o < sizeof(d) && send && t->flow && t->flow->receiver.pid)
		snprintf(d + o, sizeof(d) - o, " (dgram to %s)",
			 ux_who_str(&t->flow->receiver, who, sizeof(who)));
	live_print(out, m, x->hdr.ts_ns, ev_name, x->hdr.tgid, ppid_of(p), p ? p->comm : NULL, "%s",
		   d);
}

static void live_close(const struct model *m, const struct psc_ev_unix_close *e,
		       const struct unix_touch *t, const struct proc *p, FILE *out)
{
	const struct unix_end *end = t->end;
	const char *comm = p ? p->comm : NULL;
	char tag[32], path[UNIX_ADDR_STR_LEN];

	if (!end) {
		live_print(out, m, e->hdr.ts_ns, "ux_clos", e->hdr.tgid, ppid_of(p), comm,
			   "fd %d unix:[%llu] closed", e->fd, (unsigned long long)e->ino);
		return;
	}
	if (end->flags & UX_END_LISTENING) {
		live_print(out, m, e->hdr.ts_ns, "ux_clos", e->hdr.tgid, ppid_of(p), comm,
			   "fd %d unix:[%llu] closed: it listened on %s, %llu accepted", e->fd,
			   (unsigned long long)e->ino, ux_path_str(&end->path, path, sizeof(path)),
			   (unsigned long long)end->accepts);
		return;
	}
	if (!end->tx.msgs && !end->rx.msgs && !end->tx.errors && !end->rx.errors) {
		live_print(out, m, e->hdr.ts_ns, "ux_clos", e->hdr.tgid, ppid_of(p), comm,
			   "fd %d unix:[%llu] closed (%s%sno traffic)", e->fd,
			   (unsigned long long)e->ino,
			   end->conn ? conn_tag(end->conn, tag, sizeof(tag)) : "",
			   end->conn ? ", " : "");
		return;
	}
	live_print(out, m, e->hdr.ts_ns, "ux_clos", e->hdr.tgid, ppid_of(p), comm,
		   "fd %d unix:[%llu] closed%s%s%s: sent %llu B in %llu, received %llu B in %llu",
		   e->fd, (unsigned long long)e->ino, end->conn ? " (" : "",
		   end->conn ? conn_tag(end->conn, tag, sizeof(tag)) : "", end->conn ? ")" : "",
		   (unsigned long long)end->tx.bytes, (unsigned long long)end->tx.msgs,
		   (unsigned long long)end->rx.bytes, (unsigned long long)end->rx.msgs);
}

void unix_live(void *state, const struct model *m, const union psc_event *ev, FILE *out,
	       uint64_t min_wait_ns)
{
	const struct unix_touch *t = unix_flow_touched(state);
	const struct proc *p = proctree_find(m->tree, ev->hdr.tgid, ev->hdr.start_ns);
	const char *comm = p ? p->comm : NULL;
	char path[UNIX_ADDR_STR_LEN], err[32], tag[32];
	static const char *const hows[] = { "RD", "WR", "RDWR" };

	switch (ev->hdr.type) {
	case PSC_EV_UNIX_SOCKET:
		live_socket(m, &ev->unix_socket, t, p, out);
		break;
	case PSC_EV_UNIX_BIND: {
		const struct psc_ev_unix_bind *e = &ev->unix_bind;

		ux_path_str(&e->addr, path, sizeof(path));
		if (e->ret)
			live_print(out, m, e->hdr.ts_ns, "ux_bind", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] bind to %s failed: %s", e->fd,
				   (unsigned long long)e->ino, path,
				   ux_err_str(e->ret, err, sizeof(err)));
		else
			live_print(out, m, e->hdr.ts_ns, "ux_bind", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] bound to %s", e->fd,
				   (unsigned long long)e->ino, path);
		break;
	}
	case PSC_EV_UNIX_SEED: {
		const struct psc_ev_unix_seed *e = &ev->unix_seed;
		char peer[40] = "";

		ux_path_str(&e->addr, path, sizeof(path));
		if (e->peer_ino)
			snprintf(peer, sizeof(peer), " <-> unix:[%llu]",
				 (unsigned long long)e->peer_ino);
		live_print(out, m, e->hdr.ts_ns, "ux_seed", e->hdr.tgid, ppid_of(p), comm,
			   "fd %d unix:[%llu]%s%s%s%s (open before the trace)", e->fd,
			   (unsigned long long)e->ino, peer,
			   e->flags & PSC_UNIX_SEED_LISTENING ? " listening" : "",
			   e->addr.len ? (e->flags & PSC_UNIX_SEED_LISTENING ? " on " : " ") : "",
			   e->addr.len ? path : "");
		break;
	}
	case PSC_EV_UNIX_LISTEN: {
		const struct psc_ev_unix_listen *e = &ev->unix_listen;

		ux_path_str(&e->addr, path, sizeof(path));
		if (e->ret)
			live_print(out, m, e->hdr.ts_ns, "ux_lstn", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] listen failed: %s", e->fd,
				   (unsigned long long)e->ino,
				   ux_err_str(e->ret, err, sizeof(err)));
		else
			live_print(out, m, e->hdr.ts_ns, "ux_lstn", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] listening on %s (backlog %d)", e->fd,
				   (unsigned long long)e->ino, path, e->backlog);
		break;
	}
	case PSC_EV_UNIX_CONNECT:
		live_connect(m, &ev->unix_connect, t, p, out);
		break;
	case PSC_EV_UNIX_ACCEPT:
		live_accept(m, &ev->unix_accept, t, p, out);
		break;
	case PSC_EV_UNIX_SEND:
	case PSC_EV_UNIX_RECV:
	case PSC_EV_UNIX_SENDMSG:
		live_xfer(m, ev, t, p, out);
		break;
	case PSC_EV_UNIX_SHUTDOWN: {
		const struct psc_ev_unix_shutdown *e = &ev->unix_shutdown;
		const char *how = e->how >= 0 && e->how <= 2 ? hows[e->how] : "?";

		if (e->ret)
			live_print(out, m, e->hdr.ts_ns, "ux_shut", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] shutdown %s failed: %s", e->fd,
				   (unsigned long long)e->ino, how,
				   ux_err_str(e->ret, err, sizeof(err)));
		else
			live_print(out, m, e->hdr.ts_ns, "ux_shut", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] shutdown %s (%s)", e->fd,
				   (unsigned long long)e->ino, how,
				   conn_tag(t->conn, tag, sizeof(tag)));
		break;
	}
	case PSC_EV_UNIX_CLOSE:
		live_close(m, &ev->unix_close, t, p, out);
		break;
	default:
		/* wake-ups show on the epoll_wait they caused ("woken by"), not on their own */
		break;
	}
}
