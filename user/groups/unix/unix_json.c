// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix group in JSON (unix_print_int.h): its part of the JSON summary (connections,
 * datagram flows, sockets: the newest rows, the older counted) and the fields the model derives
 * for its events in the log. Paths go through the JSON writer plus an exact "_hex" twin.
 */
#include <stdio.h>
#include <string.h>
#include "hist.h"
#include "json_writer.h"
#include "unix_print_int.h"

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
	jw_kv_i64(w, "start_ns", model_rel_ns(m, unix_who_start(who)));
	jw_kv_strn(w, "comm", comm, strnlen(comm, PSC_COMM_LEN));
	jw_kv_bool(w, "untraced", unix_who_untraced(who));
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
		jw_kv_str(w, "last_error", ux_err_str(d->last_err, name, sizeof(name)));
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
		total += ux_conn_shown(m, conns[i]);
	skip = total > JSON_ROWS ? total - JSON_ROWS : 0;
	jw_key(w, "connections");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct unix_conn *c = conns[i];
		bool inferred;

		if (!ux_conn_shown(m, c))
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
			jw_kv_str(w, "error", ux_err_str(c->result, name, sizeof(name)));
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
		jw_kv_u64(w, "client_to_server_bytes", ux_tx_of(c->client)->bytes);
		jw_kv_u64(w, "server_to_client_bytes", ux_tx_of(c->server)->bytes);
		jw_kv_u64(w, "wakes_linked", ux_conn_wakes(c, hist));
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
		total += ux_end_shown(m, ends[i]) ? ends[i]->nflows : 0;
	skip = total > JSON_ROWS ? total - JSON_ROWS : 0;
	jw_key(w, "datagrams");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];

		for (k = 0; ux_end_shown(m, e) && k < e->nflows; k++) {
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
					  ux_err_str(f->last_err, name, sizeof(name)));
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
		total += !(ends[i]->flags & UX_END_PENDING) && ux_end_shown(m, ends[i]);
	skip = total > JSON_ROWS ? total - JSON_ROWS : 0;
	jw_key(w, "sockets");
	jw_arr_start(w);
	for (i = 0; i < n; i++) {
		const struct unix_end *e = ends[i];
		bool inferred;

		if ((e->flags & UX_END_PENDING) || !ux_end_shown(m, e))
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
			jw_kv_str(w, "bind_error", ux_err_str(e->bind_err, name, sizeof(name)));
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

void unix_summary_json(void *state, const struct model *m, struct jw *w)
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
void unix_json_extra(void *state, const struct model *m, const union psc_event *ev, struct jw *w)
{
	static const struct jw_key k_conn = JW_KEY("conn"), k_peer = JW_KEY("peer_owner_pid");
	struct jw_cur c = { 0 };
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
		jw_kv_str(w, "error", ux_err_str(ret, name, sizeof(name)));
	if (t->conn)
		jw_cur_kv_u64(w, &c, &k_conn, t->conn->id);
	/* derived, so not "peer_pid": connect and accept have a wire field of that name */
	if (peer && ev->hdr.type != PSC_EV_UNIX_WAKE)
		jw_cur_kv_u64(w, &c, &k_peer, peer->pid);
	jw_cur_close(w, &c);
	if (ev->hdr.type == PSC_EV_UNIX_CLOSE && t->end) {
		jw_kv_u64(w, "sent_bytes", t->end->tx.bytes);
		jw_kv_u64(w, "sent_msgs", t->end->tx.msgs);
		jw_kv_u64(w, "received_bytes", t->end->rx.bytes);
		jw_kv_u64(w, "received_msgs", t->end->rx.msgs);
	}
}
