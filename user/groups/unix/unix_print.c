// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix group's outputs: live lines, the unix-socket section of the text summary, its JSON
 * summary, the derived fields of its events in the log, and the group ops that plug unix_flow
 * into the model. Every path and name from the traced system is escaped (term_escape for the
 * terminal, the JSON writer plus an exact "_hex" twin for JSON).
 */
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "hist.h"
#include "json_writer.h"
#include "live.h"
#include "strutil.h"
#include "unix_flow.h"

#define MAX_CONN_ROWS 50
#define MAX_FLOW_ROWS 30
#define MAX_HISTS 10
/* JSON rows of each kind: the newest (docs/summary-json.md); the older are counted */
#define JSON_ROWS 256

/* "<key>_omitted": {"rows": N, "bytes": B}, what the newest JSON_ROWS left out */
static void json_omitted(struct jw *w, const char *key, uint64_t rows, uint64_t bytes)
{
	char k[48];

	snprintf(k, sizeof(k), "%s_omitted", key);
	jw_key(w, k);
	jw_obj_start(w);
	jw_kv_u64(w, "rows", rows);
	jw_kv_u64(w, "bytes", bytes);
	jw_obj_end(w);
}

static uint32_t ppid_of(const struct proc *p)
{
	return p && p->parent ? p->parent->pid : 0;
}

/* "4321 client", terminal-escaped, or "?" */
static const char *who_str(const struct unix_who *w, char *buf, size_t size)
{
	char comm[LIVE_COMM_ESC];
	const char *c;

	if (!w || !w->pid) {
		snprintf(buf, size, "?");
		return buf;
	}
	c = unix_who_comm(w);
	term_escape(comm, sizeof(comm), c, strnlen(c, PSC_COMM_LEN));
	snprintf(buf, size, "%u %s", w->pid, comm);
	return buf;
}

static const char *err_str(int err, char *buf, size_t size)
{
	return unix_errno_name(err, buf, size);
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

/* The path shown for an address, "(unnamed)" when there is none */
static const char *path_str(const struct psc_unix_addr *a, char *buf, size_t size)
{
	unix_addr_str(a, buf, size);
	if (!buf[0])
		snprintf(buf, size, "(unnamed)");
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
			   err_str(e->ret, err, sizeof(err)));
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

	path_str(&e->addr, path, sizeof(path));
	if (e->ret) {
		live_print(out, m, e->hdr.ts_ns, "ux_conn", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "fd %d unix:[%llu] connect to %s failed: %s", e->fd,
			   (unsigned long long)e->ino, path, err_str(e->ret, err, sizeof(err)));
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

	path_str(&e->addr, path, sizeof(path));
	if (e->ret < 0) {
		live_print(out, m, e->hdr.ts_ns, "ux_acpt", e->hdr.tgid, ppid_of(p),
			   p ? p->comm : NULL, "fd %d unix:[%llu] accept on %s failed: %s", e->fd,
			   (unsigned long long)e->listen_ino, path,
			   err_str(e->ret, err, sizeof(err)));
		return;
	}
	live_print(out, m, e->hdr.ts_ns, "ux_acpt", e->hdr.tgid, ppid_of(p), p ? p->comm : NULL,
		   "fd %d unix:[%llu] accepted %s on %s from %s unix:[%llu]", e->ret,
		   (unsigned long long)e->ino, conn_tag(t->conn, tag, sizeof(tag)), path,
		   who_str(t->peer ? unix_end_proc(t->peer) : NULL, who, sizeof(who)),
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
			      path_str(sm.addr.len ? &sm.addr : &t->flow->dest, path,
				       sizeof(path)));
	if (x->peer_ino)
		o += snprintf(d + o, sizeof(d) - o, "unix:[%llu] ",
			      (unsigned long long)x->peer_ino);
	else if (x->type == PSC_SOCK_DGRAM && !send && t->end && t->end->path.len)
		o += snprintf(d + o, sizeof(d) - o, "on %s ",
			      path_str(&t->end->path, path, sizeof(path)));
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
			      err_str(x->ret, err, sizeof(err)));
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
				      who_str(unix_end_proc(t->peer), who, sizeof(who)) :
				      "");
	else if (o < sizeof(d) && send && t->flow && t->flow->receiver.pid)
		snprintf(d + o, sizeof(d) - o, " (dgram to %s)",
			 who_str(&t->flow->receiver, who, sizeof(who)));
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
			   (unsigned long long)e->ino, path_str(&end->path, path, sizeof(path)),
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

static void unix_live(void *state, const struct model *m, const union psc_event *ev, FILE *out,
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

		path_str(&e->addr, path, sizeof(path));
		if (e->ret)
			live_print(out, m, e->hdr.ts_ns, "ux_bind", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] bind to %s failed: %s", e->fd,
				   (unsigned long long)e->ino, path,
				   err_str(e->ret, err, sizeof(err)));
		else
			live_print(out, m, e->hdr.ts_ns, "ux_bind", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] bound to %s", e->fd,
				   (unsigned long long)e->ino, path);
		break;
	}
	case PSC_EV_UNIX_SEED: {
		const struct psc_ev_unix_seed *e = &ev->unix_seed;
		char peer[40] = "";

		path_str(&e->addr, path, sizeof(path));
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

		path_str(&e->addr, path, sizeof(path));
		if (e->ret)
			live_print(out, m, e->hdr.ts_ns, "ux_lstn", e->hdr.tgid, ppid_of(p), comm,
				   "fd %d unix:[%llu] listen failed: %s", e->fd,
				   (unsigned long long)e->ino, err_str(e->ret, err, sizeof(err)));
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
				   err_str(e->ret, err, sizeof(err)));
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

/* ---- text summary ---- */

static const char *rel_time(const struct model *m, uint64_t ts, char *buf, size_t size)
{
	if (ts)
		snprintf(buf, size, "%.6f", model_rel_ns(m, ts) / 1e9);
	else
		snprintf(buf, size, "-");
	return buf;
}

/* "12/345" messages/bytes */
static const char *mb_str(const struct unix_dir *d, char *buf, size_t size)
{
	snprintf(buf, size, "%llu/%llu", (unsigned long long)d->msgs, (unsigned long long)d->bytes);
	return buf;
}

static const struct unix_dir empty_dir;

static const struct unix_dir *tx_of(const struct unix_end *e)
{
	return e ? &e->tx : &empty_dir;
}

static const struct unix_dir *rx_of(const struct unix_end *e)
{
	return e ? &e->rx : &empty_dir;
}

/* Failed sends and receives of both ends, EAGAIN apart: "EPIPE x2, 5 EAGAIN" or "-" */
static const char *errs_str(const struct unix_end *a, const struct unix_end *b, char *buf,
			    size_t size)
{
	const struct unix_dir *d[4] = { tx_of(a), rx_of(a), tx_of(b), rx_of(b) };
	uint64_t errs = 0, again = 0;
	int last = 0;
	char name[32];
	size_t i, o = 0;

	for (i = 0; i < 4; i++) {
		errs += d[i]->errors - d[i]->eagain;
		again += d[i]->eagain;
		if (d[i]->last_err && d[i]->last_err != -11)
			last = d[i]->last_err;
	}
	buf[0] = '\0';
	if (errs)
		o += snprintf(buf, size, "%s x%llu", last ? err_str(last, name, sizeof(name)) : "?",
			      (unsigned long long)errs);
	if (again && o < size)
		snprintf(buf + o, size - o, "%s%llu EAGAIN", o ? ", " : "",
			 (unsigned long long)again);
	if (!buf[0])
		snprintf(buf, size, "-");
	return buf;
}

static const char *conn_kind_str(const struct unix_conn *c, char *buf, size_t size)
{
	char ty[16];

	snprintf(buf, size, "%s%s", c->kind == UX_CONN_PAIR ? "pair/" : "",
		 unix_type_name(c->type, ty, sizeof(ty)));
	return buf;
}

/*
 * report -p/--comm/--since show rows of the selected processes (model_shows()): a connection
 * when either end's process is selected, a socket when its owner is. The model has both ends
 * either way, so a row reads the same filtered or not.
 */
static bool who_shown(const struct model *m, const struct unix_who *w)
{
	return !m->view || (w && model_shows_pid(m, w->pid, w->start_ns));
}

static bool end_shown(const struct model *m, const struct unix_end *e)
{
	return !m->view || (e && who_shown(m, unix_end_proc(e)));
}

static bool conn_shown(const struct model *m, const struct unix_conn *c)
{
	return !m->view || end_shown(m, c->client) || end_shown(m, c->server);
}

static void print_conns(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, skipped = 0;
	struct unix_conn *const *conns = unix_flow_conns(uf, &n);
	char kind[32], cli[96], srv[96], t1[32], t2[32], a[48], b[48], errs[80];
	char path[UNIX_ADDR_STR_LEN];

	size_t shown = 0, j = 0;

	for (i = 0; i < n; i++)
		shown += conn_shown(m, conns[i]);
	fprintf(out, "  Connections (client -> server; messages/bytes each way; times in s):\n");
	if (!shown) {
		fprintf(out, "    (none)\n");
		return;
	}
	fprintf(out, "    %-5s %-16s %-22s %-22s %-11s %-20s %-14s %-14s %-16s %s\n", "ID", "TYPE",
		"CLIENT", "SERVER", "CONNECTED", "CLOSED", "C->S", "S->C", "ERRORS", "PATH");
	for (i = 0; i < n; i++) {
		const struct unix_conn *c = conns[i];
		const struct unix_end *s = c->server;
		bool inferred;
		uint64_t closed = unix_conn_closed_ts(c, &inferred);
		char id[16];

		if (!conn_shown(m, c))
			continue;
		/* most recent last: past the limit, the oldest rows give way */
		if (shown - j++ > MAX_CONN_ROWS) {
			skipped++;
			continue;
		}
		snprintf(id, sizeof(id), "#%llu", (unsigned long long)c->id);
		who_str(unix_end_proc(c->client), cli, sizeof(cli));
		if (!s || (s->flags & UX_END_PENDING)) {
			const struct proc *lp =
				c->listener_pid ? proctree_find_pid(m->tree, c->listener_pid) :
						  NULL;

			live_who(lp, srv, sizeof(srv));
			if (c->result)
				snprintf(srv, sizeof(srv), "-");
			else if (!lp)
				snprintf(srv, sizeof(srv), "(listener)");
		} else {
			who_str(unix_end_proc(s), srv, sizeof(srv));
		}
		if (c->result)
			snprintf(t2, sizeof(t2), "failed %s", err_str(c->result, a, sizeof(a)));
		else if (s && (s->flags & UX_END_PENDING))
			snprintf(t2, sizeof(t2), "%s", unix_conn_state(c));
		else if (closed)
			snprintf(t2, sizeof(t2), "%.6f%s", model_rel_ns(m, closed) / 1e9,
				 inferred ? " exit" : "");
		else
			snprintf(t2, sizeof(t2), "open");
		if (c->kind == UX_CONN_PAIR)
			snprintf(path, sizeof(path), "(socketpair)");
		else if (c->kind == UX_CONN_EARLIER && !c->path.len && !(s && s->path.len))
			snprintf(path, sizeof(path), "(connected before the trace)");
		else
			path_str(c->path.len || !s ? &c->path : &s->path, path, sizeof(path));
		if (c->result) {
			snprintf(a, sizeof(a), "-");
			snprintf(b, sizeof(b), "-");
		} else {
			mb_str(tx_of(c->client), a, sizeof(a));
			mb_str(tx_of(s), b, sizeof(b));
		}
		fprintf(out, "    %-5s %-16s %-22s %-22s %-11s %-20s %-14s %-14s %-16s %s\n", id,
			conn_kind_str(c, kind, sizeof(kind)), cli, srv,
			rel_time(m, c->connect_ts, t1, sizeof(t1)), t2, a, b,
			errs_str(c->client, s, errs, sizeof(errs)), path);
	}
	if (skipped)
		fprintf(out, "    ... %zu older connections not listed\n", skipped);
}

static void print_flows(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, k, rows = 0, more = 0;
	struct unix_end *const *ends = unix_flow_ends(uf, &n);
	char snd[96], rcv[96], path[UNIX_ADDR_STR_LEN], err[32], errs[48], sender[128];

	for (i = 0; i < n; i++)
		rows += end_shown(m, ends[i]) ? ends[i]->nflows : 0;
	if (!rows)
		return;
	fprintf(out, "  Datagrams (sender -> receiver path):\n");
	fprintf(out, "    %-32s %-22s %8s %10s %-16s %s\n", "SENDER", "RECEIVER", "MSGS", "BYTES",
		"ERRORS", "PATH");
	rows = 0;
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		for (k = 0; end_shown(m, e) && k < e->nflows; k++) {
			const struct unix_dgram_flow *f = &e->flows[k];

			if (rows++ >= MAX_FLOW_ROWS) {
				more++;
				continue;
			}
			snprintf(sender, sizeof(sender), "%s unix:[%llu]",
				 who_str(unix_end_proc(e), snd, sizeof(snd)),
				 (unsigned long long)e->ino);
			if (f->receiver.pid)
				who_str(&f->receiver, rcv, sizeof(rcv));
			else if (f->dest_ino)
				snprintf(rcv, sizeof(rcv), "unix:[%llu]",
					 (unsigned long long)f->dest_ino);
			else
				snprintf(rcv, sizeof(rcv), "-");
			if (f->errors)
				snprintf(errs, sizeof(errs), "%s x%llu",
					 err_str(f->last_err, err, sizeof(err)),
					 (unsigned long long)f->errors);
			else
				snprintf(errs, sizeof(errs), "-");
			fprintf(out, "    %-32s %-22s %8llu %10llu %-16s %s\n", sender, rcv,
				(unsigned long long)f->msgs, (unsigned long long)f->bytes, errs,
				path_str(&f->dest, path, sizeof(path)));
		}
	}
	if (more)
		fprintf(out, "    ... %zu more datagram flows\n", more);
	(void)m;
}

static void print_listeners(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, k = 0;
	struct unix_end *const *ends = unix_flow_ends(uf, &n);
	char who[96], path[UNIX_ADDR_STR_LEN];

	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		if (!(e->flags & UX_END_LISTENING) || !end_shown(m, e))
			continue;
		if (!k++)
			fprintf(out, "  Listening sockets:\n");
		fprintf(out, "    %s unix:[%llu] on %s: %llu accepted%s\n",
			who_str(unix_end_proc(e), who, sizeof(who)), (unsigned long long)e->ino,
			path_str(&e->path, path, sizeof(path)), (unsigned long long)e->accepts,
			e->flags & UX_END_CLOSED ? ", closed" : "");
	}
}

/* A connection's wake-ups: both ends' (each end is woken by the other's sends) */
static uint64_t conn_wakes(const struct unix_conn *c, uint64_t *hist)
{
	const struct unix_end *ends[2] = { c->client, c->server };
	uint64_t n = 0;
	size_t i, b;

	if (hist)
		memset(hist, 0, UNIX_FLOW_HIST * sizeof(*hist));
	for (i = 0; i < 2; i++) {
		if (!ends[i] || !ends[i]->wakes_linked)
			continue;
		n += ends[i]->wakes_linked;
		for (b = 0; hist && ends[i]->wake_hist && b < UNIX_FLOW_HIST; b++)
			hist[b] += ends[i]->wake_hist[b];
	}
	return n;
}

static int cmp_wakes(const void *a, const void *b)
{
	uint64_t x = conn_wakes(*(struct unix_conn *const *)a, NULL);
	uint64_t y = conn_wakes(*(struct unix_conn *const *)b, NULL);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void print_wakes(FILE *out, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, k = 0;
	struct unix_conn *const *conns = unix_flow_conns(uf, &n);
	struct unix_end *const *ends;
	struct unix_conn **sorted;
	uint64_t hist[UNIX_FLOW_HIST];
	char a[96], b[96], path[UNIX_ADDR_STR_LEN];

	sorted = calloc(n + 1, sizeof(*sorted));
	if (!sorted)
		return;
	for (i = 0; i < n; i++)
		if (conn_shown(m, conns[i]) && conn_wakes(conns[i], NULL))
			sorted[k++] = conns[i];
	qsort(sorted, k, sizeof(*sorted), cmp_wakes);
	if (k)
		fprintf(out, "  Wake-up latency, unix send -> the epoll_wait it woke returns:\n");
	for (i = 0; i < k && i < MAX_HISTS; i++) {
		const struct unix_conn *c = sorted[i];
		uint64_t w = conn_wakes(c, hist);

		fprintf(out, "    conn #%llu %s <-> %s: %llu wake-up%s\n",
			(unsigned long long)c->id, who_str(unix_end_proc(c->client), a, sizeof(a)),
			who_str(unix_end_proc(c->server), b, sizeof(b)), (unsigned long long)w,
			w == 1 ? "" : "s");
		hist_print(out, hist, "      ");
	}
	if (k > MAX_HISTS)
		fprintf(out, "    ... %zu more connections with wake-ups\n", k - MAX_HISTS);
	free(sorted);
	/* datagram receivers: woken by whoever sent to them */
	ends = unix_flow_ends(uf, &n);
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		if (e->conn || !e->wakes_linked || !e->wake_hist || !end_shown(m, e))
			continue;
		fprintf(out, "    %s unix:[%llu] %s: %llu wake-up%s\n",
			who_str(unix_end_proc(e), a, sizeof(a)), (unsigned long long)e->ino,
			path_str(&e->path, path, sizeof(path)), (unsigned long long)e->wakes_linked,
			e->wakes_linked == 1 ? "" : "s");
		hist_print(out, e->wake_hist, "      ");
	}
}

static void unix_summary(void *state, const struct model *m, FILE *out)
{
	struct unix_flow *uf = state;
	const struct unix_flow_stats *s = unix_flow_stats(uf);

	fprintf(out, "\nUnix sockets:\n");
	/* the totals are the trace's: a filter picks rows, it does not recount */
	fprintf(out,
		"  %s%llu sockets, %llu connects (%llu failed), %llu accepts; %llu B sent in %llu "
		"sends, %llu B received in %llu receives; %llu send and %llu receive errors\n",
		m->view ? "whole trace: " : "", (unsigned long long)s->sockets,
		(unsigned long long)(s->connects + s->connect_failed),
		(unsigned long long)s->connect_failed, (unsigned long long)s->accepts,
		(unsigned long long)s->bytes_sent, (unsigned long long)s->sends,
		(unsigned long long)s->bytes_received, (unsigned long long)s->recvs,
		(unsigned long long)s->send_errors, (unsigned long long)s->recv_errors);
	if (s->fds_passed)
		fprintf(out, "  %llu file descriptors passed (SCM_RIGHTS)\n",
			(unsigned long long)s->fds_passed);
	print_conns(out, m, uf);
	print_flows(out, m, uf);
	print_listeners(out, m, uf);
	print_wakes(out, m, uf);
	if (s->retired_conns || s->retired_ends)
		fprintf(out,
			"  (%llu older closed connections and %llu sockets, %llu B, are only "
			"counted)\n",
			(unsigned long long)s->retired_conns, (unsigned long long)s->retired_ends,
			(unsigned long long)s->retired_bytes);
}

/* ---- JSON ---- */

void unix_json_addr(struct jw *w, const char *key, const struct psc_unix_addr *a)
{
	char k[64], shown[PSC_UNIX_PATH_LEN + 1];
	const char *p;
	bool abstract;
	size_t n = unix_addr_view(a, &p, &abstract);

	if (abstract) {
		shown[0] = '@';
		memcpy(shown + 1, p + 1, n - 1);
		jw_kv_strn(w, key, shown, n);
	} else {
		jw_kv_strn(w, key, p, n);
	}
	snprintf(k, sizeof(k), "%s_abstract", key);
	jw_kv_bool(w, k, abstract);
	if (!json_str_is_lossless(p + abstract, n - abstract) ||
	    memchr(p + abstract, '\0', n - abstract)) {
		snprintf(k, sizeof(k), "%s_hex", key);
		jw_kv_hex(w, k, p, n);
	}
}

static void json_who(struct jw *w, const struct model *m, const char *key,
		     const struct unix_who *who)
{
	const char *comm;

	jw_key(w, key);
	if (!who || !who->pid) {
		jw_null(w);
		return;
	}
	comm = unix_who_comm(who);
	jw_obj_start(w);
	jw_kv_u64(w, "pid", who->pid);
	jw_kv_i64(w, "start_ns", model_rel_ns(m, who->start_ns));
	jw_kv_strn(w, "comm", comm, strnlen(comm, PSC_COMM_LEN));
	jw_obj_end(w);
}

static void json_time(struct jw *w, const struct model *m, const char *key, uint64_t ts)
{
	if (ts)
		jw_kv_i64(w, key, model_rel_ns(m, ts));
	else {
		jw_key(w, key);
		jw_null(w);
	}
}

static void json_dir(struct jw *w, const char *key, const struct unix_dir *d)
{
	char name[32];

	jw_key(w, key);
	jw_obj_start(w);
	jw_kv_u64(w, "msgs", d->msgs);
	jw_kv_u64(w, "bytes", d->bytes);
	jw_kv_u64(w, "errors", d->errors);
	jw_kv_u64(w, "eagain", d->eagain);
	jw_kv_u64(w, "epipe", d->epipe);
	jw_kv_u64(w, "eof", d->eof);
	jw_kv_u64(w, "peeks", d->peeks);
	if (d->last_err)
		jw_kv_str(w, "last_error", err_str(d->last_err, name, sizeof(name)));
	jw_obj_end(w);
}

/* One end inside a connection: who, inode, fd, what it sent and received */
static void json_end(struct jw *w, const struct model *m, const char *key, const struct unix_end *e)
{
	bool inferred;

	jw_key(w, key);
	if (!e) {
		jw_null(w);
		return;
	}
	jw_obj_start(w);
	json_who(w, m, "process", unix_end_proc(e));
	jw_kv_u64(w, "ino", e->ino);
	jw_kv_i64(w, "fd", e->fd);
	json_time(w, m, "closed_ns", unix_end_closed_ts(e, &inferred));
	jw_kv_bool(w, "closed_at_exit", inferred);
	jw_kv_bool(w, "shut_rd", e->flags & UX_END_SHUT_RD);
	jw_kv_bool(w, "shut_wr", e->flags & UX_END_SHUT_WR);
	json_dir(w, "sent", &e->tx);
	json_dir(w, "received", &e->rx);
	jw_kv_u64(w, "fds_sent", e->fds_sent);
	jw_kv_u64(w, "wakes", e->wakes);
	jw_kv_u64(w, "wakes_linked", e->wakes_linked);
	jw_obj_end(w);
}

static const char *kind_name(uint32_t kind)
{
	return kind == UX_CONN_PAIR    ? "socketpair" :
	       kind == UX_CONN_EARLIER ? "earlier" :
					 "connect";
}

static void json_conns(struct jw *w, const struct model *m, struct unix_flow *uf)
{
	size_t n, i;
	struct unix_conn *const *conns = unix_flow_conns(uf, &n);
	uint64_t hist[UNIX_FLOW_HIST];
	char ty[16], name[32];
	uint64_t skipped_bytes = 0;
	size_t total = 0, skip, seen = 0;

	for (i = 0; i < n; i++)
		total += conn_shown(m, conns[i]);
	skip = total > JSON_ROWS ? total - JSON_ROWS : 0;
	jw_key(w, "connections");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct unix_conn *c = conns[i];
		bool inferred;

		if (!conn_shown(m, c))
			continue;
		if (seen++ < skip) {
			skipped_bytes += (c->client ? c->client->tx.bytes : 0) +
					 (c->server ? c->server->tx.bytes : 0);
			continue;
		}
		jw_obj_start(w);
		jw_kv_u64(w, "id", c->id);
		jw_kv_str(w, "kind", kind_name(c->kind));
		jw_kv_str(w, "sock_type", unix_type_name(c->type, ty, sizeof(ty)));
		jw_kv_str(w, "state", unix_conn_state(c));
		jw_kv_i64(w, "result", c->result);
		if (c->result)
			jw_kv_str(w, "error", err_str(c->result, name, sizeof(name)));
		unix_json_addr(w, "path", c->path.len || !c->server ? &c->path : &c->server->path);
		json_time(w, m, "connect_ns", c->connect_ts);
		json_time(w, m, "accept_ns", c->accept_ts);
		json_time(w, m, "closed_ns", unix_conn_closed_ts(c, &inferred));
		jw_kv_bool(w, "closed_at_exit", inferred);
		if (c->listener_pid)
			jw_kv_u64(w, "listener_pid", c->listener_pid);
		json_end(w, m, "client", c->client);
		json_end(w, m, "server",
			 c->server && !(c->server->flags & UX_END_PENDING) ? c->server : NULL);
		jw_kv_u64(w, "client_to_server_bytes", tx_of(c->client)->bytes);
		jw_kv_u64(w, "server_to_client_bytes", tx_of(c->server)->bytes);
		jw_kv_u64(w, "wakes_linked", conn_wakes(c, hist));
		hist_write_json(w, "wake_latency_hist", hist);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_omitted(w, "connections", skip, skipped_bytes);
}

static void json_flows(struct jw *w, const struct model *m, struct unix_flow *uf)
{
	size_t n, i, k, total = 0, skip, seen = 0;
	struct unix_end *const *ends = unix_flow_ends(uf, &n);
	uint64_t skipped_bytes = 0;
	char name[32];

	for (i = 0; i < n; i++)
		total += end_shown(m, ends[i]) ? ends[i]->nflows : 0;
	skip = total > JSON_ROWS ? total - JSON_ROWS : 0;
	jw_key(w, "datagrams");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		for (k = 0; end_shown(m, e) && k < e->nflows; k++) {
			const struct unix_dgram_flow *f = &e->flows[k];

			if (seen++ < skip) {
				skipped_bytes += f->bytes;
				continue;
			}
			jw_obj_start(w);
			json_who(w, m, "sender", unix_end_proc(e));
			jw_kv_u64(w, "sender_ino", e->ino);
			unix_json_addr(w, "path", &f->dest);
			json_who(w, m, "receiver", f->receiver.pid ? &f->receiver : NULL);
			jw_kv_u64(w, "receiver_ino", f->dest_ino);
			jw_kv_u64(w, "msgs", f->msgs);
			jw_kv_u64(w, "bytes", f->bytes);
			jw_kv_u64(w, "errors", f->errors);
			if (f->last_err)
				jw_kv_str(w, "last_error",
					  err_str(f->last_err, name, sizeof(name)));
			jw_kv_u64(w, "fds", f->fds);
			json_time(w, m, "first_ns", f->first_ts);
			json_time(w, m, "last_ns", f->last_ts);
			jw_obj_end(w);
		}
	}
	jw_arr_end(w);
	json_omitted(w, "datagrams", skip, skipped_bytes);
}

static void json_sockets(struct jw *w, const struct model *m, struct unix_flow *uf)
{
	size_t n, i;
	struct unix_end *const *ends = unix_flow_ends(uf, &n);
	char ty[16], name[32];
	size_t total = 0, skip, seen = 0;
	uint64_t skipped_bytes = 0;

	for (i = 0; i < n; i++)
		total += !(ends[i]->flags & UX_END_PENDING) && end_shown(m, ends[i]);
	skip = total > JSON_ROWS ? total - JSON_ROWS : 0;
	jw_key(w, "sockets");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];
		bool inferred;

		if ((e->flags & UX_END_PENDING) || !end_shown(m, e))
			continue; /* pending: never had a file, it is in its connection */
		if (seen++ < skip) {
			skipped_bytes += e->tx.bytes;
			continue;
		}
		jw_obj_start(w);
		jw_kv_u64(w, "ino", e->ino);
		jw_kv_str(w, "sock_type", unix_type_name(e->type, ty, sizeof(ty)));
		json_who(w, m, "owner", e->owner.pid ? &e->owner : NULL);
		json_who(w, m, "user", e->user.pid ? &e->user : NULL);
		jw_kv_i64(w, "fd", e->fd);
		jw_kv_bool(w, "listening", e->flags & UX_END_LISTENING);
		jw_kv_bool(w, "before_trace", e->flags & UX_END_EARLIER);
		unix_json_addr(w, "path", &e->path);
		if (e->bind_err)
			jw_kv_str(w, "bind_error", err_str(e->bind_err, name, sizeof(name)));
		if (e->conn)
			jw_kv_u64(w, "conn", e->conn->id);
		json_time(w, m, "created_ns", e->created_ts);
		json_time(w, m, "closed_ns", unix_end_closed_ts(e, &inferred));
		jw_kv_bool(w, "closed_at_exit", inferred);
		json_dir(w, "sent", &e->tx);
		json_dir(w, "received", &e->rx);
		jw_kv_u64(w, "accepts", e->accepts);
		jw_kv_u64(w, "wakes", e->wakes);
		jw_kv_u64(w, "wakes_linked", e->wakes_linked);
		hist_write_json(w, "wake_latency_hist", e->wake_hist);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_omitted(w, "sockets", skip, skipped_bytes);
}

static void unix_summary_json(void *state, const struct model *m, struct jw *w)
{
	struct unix_flow *uf = state;
	const struct unix_flow_stats *s = unix_flow_stats(uf);

	jw_key(w, "counts");
	jw_obj_start(w);
	jw_kv_u64(w, "sockets", s->sockets);
	jw_kv_u64(w, "pairs", s->pairs);
	jw_kv_u64(w, "binds", s->binds);
	jw_kv_u64(w, "bind_failed", s->bind_failed);
	jw_kv_u64(w, "listens", s->listens);
	jw_kv_u64(w, "connects", s->connects);
	jw_kv_u64(w, "connect_failed", s->connect_failed);
	jw_kv_u64(w, "accepts", s->accepts);
	jw_kv_u64(w, "accept_failed", s->accept_failed);
	jw_kv_u64(w, "sends", s->sends);
	jw_kv_u64(w, "recvs", s->recvs);
	jw_kv_u64(w, "bytes_sent", s->bytes_sent);
	jw_kv_u64(w, "bytes_received", s->bytes_received);
	jw_kv_u64(w, "send_errors", s->send_errors);
	jw_kv_u64(w, "recv_errors", s->recv_errors);
	jw_kv_u64(w, "fds_passed", s->fds_passed);
	jw_kv_u64(w, "shutdowns", s->shutdowns);
	jw_kv_u64(w, "closes", s->closes);
	jw_kv_u64(w, "wakes", s->wakes);
	jw_kv_u64(w, "wakes_linked", s->wakes_linked);
	jw_kv_u64(w, "before_trace", s->earlier_ends);
	jw_kv_u64(w, "never_accepted", s->never_accepted);
	jw_kv_u64(w, "retired_connections", s->retired_conns);
	jw_kv_u64(w, "retired_sockets", s->retired_ends);
	jw_kv_u64(w, "retired_bytes", s->retired_bytes);
	jw_obj_end(w);
	json_conns(w, m, uf);
	json_flows(w, m, uf);
	json_sockets(w, m, uf);
}

/* Derived fields of a unix event in the log: its connection, the peer process, the errno name */
static void unix_json_extra(void *state, const struct model *m, const union psc_event *ev,
			    struct jw *w)
{
	const struct unix_touch *t = unix_flow_touched(state);
	const struct unix_who *peer = t->peer ? unix_end_proc(t->peer) : NULL;
	char name[32], ty[16];
	bool xfer = false;
	int32_t ret = 0;
	uint32_t type = 0;

	switch (ev->hdr.type) {
	case PSC_EV_UNIX_SOCKET:
		ret = ev->unix_socket.ret;
		type = ev->unix_socket.type;
		break;
	case PSC_EV_UNIX_BIND:
		ret = ev->unix_bind.ret;
		break;
	case PSC_EV_UNIX_LISTEN:
		ret = ev->unix_listen.ret;
		break;
	case PSC_EV_UNIX_CONNECT:
		ret = ev->unix_connect.ret;
		type = ev->unix_connect.type;
		break;
	case PSC_EV_UNIX_ACCEPT:
		ret = ev->unix_accept.ret;
		type = ev->unix_accept.type;
		break;
	case PSC_EV_UNIX_SEND:
	case PSC_EV_UNIX_RECV:
	case PSC_EV_UNIX_SENDMSG:
		ret = ev->unix_xfer.ret;
		xfer = true;
		break;
	case PSC_EV_UNIX_SHUTDOWN:
		ret = ev->unix_shutdown.ret;
		break;
	case PSC_EV_UNIX_CLOSE:
		type = ev->unix_close.type;
		break;
	case PSC_EV_UNIX_WAKE:
		break;
	default:
		return; /* epoll events: the epoll group writes theirs */
	}
	/* sends and receives are most of the log: only what a reader cannot look up elsewhere */
	if (type && !xfer)
		jw_kv_str(w, "sock_type_name", unix_type_name(type, ty, sizeof(ty)));
	if (ret < 0)
		jw_kv_str(w, "error", err_str(ret, name, sizeof(name)));
	if (t->conn)
		jw_kv_u64(w, "conn", t->conn->id);
	/* derived, so not "peer_pid": connect and accept have a wire field of that name */
	if (peer && ev->hdr.type != PSC_EV_UNIX_WAKE)
		jw_kv_u64(w, "peer_owner_pid", peer->pid);
	if (ev->hdr.type == PSC_EV_UNIX_CLOSE && t->end) {
		jw_kv_u64(w, "sent_bytes", t->end->tx.bytes);
		jw_kv_u64(w, "sent_msgs", t->end->tx.msgs);
		jw_kv_u64(w, "received_bytes", t->end->rx.bytes);
		jw_kv_u64(w, "received_msgs", t->end->rx.msgs);
	}
}

/* ---- ops ---- */

static void *unix_new(struct model *m)
{
	return unix_flow_new();
}

static void unix_free(void *state)
{
	unix_flow_free(state);
}

static int unix_apply(void *state, struct model *m, const union psc_event *ev,
		      const struct proc *owner)
{
	return unix_flow_apply(state, m, ev, owner);
}

static int unix_wake_links(void *state, struct model *m, const union psc_event *ev)
{
	return unix_flow_wake_links(state, m);
}

static void unix_retire(void *state, const struct proc *p)
{
	unix_flow_retire(state, p);
}

const struct model_group_ops unix_group_ops = {
	.group = PSC_GROUP_UNIX,
	.name = "unix",
	.create = unix_new,
	.free = unix_free,
	.apply = unix_apply,
	.wake_links = unix_wake_links,
	.live = unix_live,
	.summary = unix_summary,
	.summary_json = unix_summary_json,
	.json_extra = unix_json_extra,
	.retire = unix_retire,
	.timeline = &unix_timeline_ops,
};
