// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the unix group (user/groups/unix/: its model and its outputs): synthetic
 * unix-socket events through the whole model (so the epoll group's wake links come in as in a
 * real trace), checked against the connections, datagram flows, counters and outputs they must
 * produce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "decode.h"
#include "evjson.h"
#include "format.h"
#include "hist.h"
#include "json_writer.h"
#include "model.h"
#include "schema.h"
#include "unix_flow.h"
#include "testlib.h"

#define US 1000ull
#define MS 1000000ull
#define CLI 100 /* the client process */
#define SRV 200 /* the server process */
#define KID 101
#define ST(pid) ((uint64_t)(pid)*1000003ull + 17)

/* ---- event constructors ---- */

static void hdr(union psc_event *ev, uint32_t type, uint64_t ts, uint32_t pid)
{
	tl_ev_hdr(ev, type, ts, pid, pid, ST(pid));
}

static void apply(struct model *m, const union psc_event *ev)
{
	assert_int_equal(model_apply(m, ev), 0);
}

static void set_addr(struct psc_unix_addr *a, const char *bytes, size_t len)
{
	memset(a, 0, sizeof(*a));
	a->len = (uint32_t)len;
	memcpy(a->path, bytes, len);
}

static void ev_socket(struct model *m, uint64_t ts, uint32_t pid, uint32_t type, int fd,
		      uint64_t ino)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_SOCKET, ts, pid);
	ev.unix_socket.ret = fd;
	ev.unix_socket.type = type;
	ev.unix_socket.fd[0] = fd;
	ev.unix_socket.fd[1] = -1;
	ev.unix_socket.ino[0] = ino;
	apply(m, &ev);
}

static void ev_pair(struct model *m, uint64_t ts, uint32_t pid, uint64_t ino0, uint64_t ino1)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_SOCKET, ts, pid);
	ev.unix_socket.type = PSC_SOCK_STREAM;
	ev.unix_socket.flags = PSC_UNIX_PAIR;
	ev.unix_socket.fd[0] = 3;
	ev.unix_socket.fd[1] = 4;
	ev.unix_socket.ino[0] = ino0;
	ev.unix_socket.ino[1] = ino1;
	apply(m, &ev);
}

static void ev_bind(struct model *m, uint64_t ts, uint32_t pid, uint64_t ino, const char *path,
		    int ret)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_BIND, ts, pid);
	ev.unix_bind.fd = 3;
	ev.unix_bind.ret = ret;
	ev.unix_bind.ino = ino;
	set_addr(&ev.unix_bind.addr, path, strlen(path) + 1); /* as the kernel: with its NUL */
	apply(m, &ev);
}

static void ev_listen(struct model *m, uint64_t ts, uint32_t pid, uint64_t ino, const char *path)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_LISTEN, ts, pid);
	ev.unix_listen.fd = 3;
	ev.unix_listen.ino = ino;
	ev.unix_listen.backlog = 8;
	set_addr(&ev.unix_listen.addr, path, strlen(path) + 1);
	apply(m, &ev);
}

static void ev_connect(struct model *m, uint64_t ts, uint32_t pid, uint32_t type, uint64_t ino,
		       uint64_t sk, uint64_t peer_sk, uint64_t peer_ino, const char *path, int ret)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_CONNECT, ts, pid);
	ev.unix_connect.fd = 4;
	ev.unix_connect.ret = ret;
	ev.unix_connect.ino = ino;
	ev.unix_connect.sk_id = sk;
	ev.unix_connect.peer_sk_id = ret ? 0 : peer_sk;
	ev.unix_connect.peer_ino = ret ? 0 : peer_ino;
	ev.unix_connect.type = type;
	ev.unix_connect.peer_pid = ret || type == PSC_SOCK_DGRAM ? 0 : SRV;
	set_addr(&ev.unix_connect.addr, path, strlen(path)); /* as the caller: maybe no NUL */
	apply(m, &ev);
}

static void ev_accept(struct model *m, uint64_t ts, uint32_t pid, uint64_t lino, int fd,
		      uint64_t ino, uint64_t sk, uint64_t peer_ino, uint64_t peer_sk,
		      uint32_t peer_pid, const char *path)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_ACCEPT, ts, pid);
	ev.unix_accept.fd = 3;
	ev.unix_accept.ret = fd;
	ev.unix_accept.listen_ino = lino;
	ev.unix_accept.ino = ino;
	ev.unix_accept.sk_id = sk;
	ev.unix_accept.peer_ino = peer_ino;
	ev.unix_accept.peer_sk_id = peer_sk;
	ev.unix_accept.type = PSC_SOCK_STREAM;
	ev.unix_accept.peer_pid = peer_pid;
	set_addr(&ev.unix_accept.addr, path, strlen(path) + 1);
	apply(m, &ev);
}

static void ev_xfer(struct model *m, uint32_t type, uint64_t ts, uint32_t pid, uint32_t stype,
		    uint64_t ino, uint64_t peer_ino, int ret, uint32_t flags)
{
	union psc_event ev;

	hdr(&ev, type, ts, pid);
	ev.unix_xfer.ino = ino;
	ev.unix_xfer.peer_ino = peer_ino;
	ev.unix_xfer.sk_id = ino * 7;
	ev.unix_xfer.ret = ret;
	ev.unix_xfer.msg_flags = flags;
	ev.unix_xfer.type = stype;
	apply(m, &ev);
}

#define SEND(m, ts, pid, ino, peer, ret) \
	ev_xfer(m, PSC_EV_UNIX_SEND, ts, pid, PSC_SOCK_STREAM, ino, peer, ret, 0)
#define RECV(m, ts, pid, ino, peer, ret) \
	ev_xfer(m, PSC_EV_UNIX_RECV, ts, pid, PSC_SOCK_STREAM, ino, peer, ret, 0x40)

/* A send that carried a destination (sendto, sendmsg) and/or fds */
static void ev_sendmsg_n(struct model *m, uint64_t ts, uint32_t pid, uint64_t ino, uint64_t to_ino,
			 const char *path, size_t plen, int ret, uint32_t nfds)
{
	union psc_event ev;
	struct psc_ev_unix_sendmsg sm;

	hdr(&ev, PSC_EV_UNIX_SENDMSG, ts, pid);
	memcpy(&sm, &ev, sizeof(sm));
	sm.xfer.ino = ino;
	sm.xfer.peer_ino = to_ino;
	sm.xfer.ret = ret;
	sm.xfer.type = PSC_SOCK_DGRAM;
	sm.nfds = nfds;
	if (path)
		set_addr(&sm.addr, path, plen);
	memcpy(&ev, &sm, sizeof(sm));
	apply(m, &ev);
}

static void ev_sendmsg(struct model *m, uint64_t ts, uint32_t pid, uint64_t ino, uint64_t to_ino,
		       const char *path, int ret, uint32_t nfds)
{
	ev_sendmsg_n(m, ts, pid, ino, to_ino, path, path ? strlen(path) : 0, ret, nfds);
}

static void ev_close(struct model *m, uint64_t ts, uint32_t pid, int fd, uint64_t ino)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_CLOSE, ts, pid);
	ev.unix_close.fd = fd;
	ev.unix_close.ino = ino;
	ev.unix_close.type = PSC_SOCK_STREAM;
	apply(m, &ev);
}

static void ev_wake(struct model *m, uint64_t ts, uint32_t sender, uint64_t ino)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_WAKE, ts, sender);
	ev.unix_wake.ino = ino;
	ev.unix_wake.sk_id = ino * 7;
	apply(m, &ev);
}

static struct unix_flow *uf_of(struct model *m)
{
	struct unix_flow *uf = model_group_state(m, PSC_GROUP_UNIX);

	assert_non_null(uf);
	return uf;
}

static struct unix_conn *conn_n(struct model *m, size_t want_n, size_t i)
{
	size_t n;
	struct unix_conn *const *c = unix_flow_conns(uf_of(m), &n);

	assert_int_equal(n, want_n);
	return i < n ? c[i] : NULL;
}

/* The server at "/run/s.sock" (ino 500, pid SRV) listening, and a client (pid CLI) connected */
#define PATH "/run/s.sock"
static void listening_server(struct model *m)
{
	ev_socket(m, 1 * MS, SRV, PSC_SOCK_STREAM, 3, 500);
	ev_bind(m, 2 * MS, SRV, 500, PATH, 0);
	ev_listen(m, 3 * MS, SRV, 500, PATH);
}

/* ---- connections ---- */

static void test_unix_flow__connect_accept_pairs_by_sk_id(void **state)
{
	struct model *m = model_new();
	struct unix_flow *uf;
	struct unix_conn *c;

	listening_server(m);
	uf = uf_of(m);
	ev_socket(m, 4 * MS, CLI, PSC_SOCK_STREAM, 4, 1001);
	ev_connect(m, 5 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0x51, 0, PATH, 0);
	c = conn_n(m, 1, 0);
	/* before accept the server end has no inode: it is found by sk_id */
	assert_string_equal(unix_conn_state(c), "pending");
	assert_ptr_equal(unix_flow_find_sk(uf, 0x51), c->server);
	assert_int_equal(c->server->ino, 0);
	assert_true(c->server->flags & UX_END_PENDING);
	/* the client may write before the server accepts */
	SEND(m, 6 * MS, CLI, 1001, 0, 32);
	ev_accept(m, 7 * MS, SRV, 500, 5, 2002, 0x51, 1001, 0xc1, CLI, PATH);
	assert_int_equal(conn_n(m, 1, 0)->id, c->id);
	assert_ptr_equal(unix_flow_find_ino(uf, 2002), c->server);
	assert_ptr_equal(unix_flow_find_ino(uf, 1001), c->client);
	assert_false(c->server->flags & UX_END_PENDING);
	assert_true(c->server->flags & UX_END_ACCEPTED);
	assert_int_equal(c->server->fd, 5);
	assert_int_equal(c->accept_ts, 7 * MS);
	assert_int_equal(c->connect_ts, 5 * MS);
	assert_int_equal(c->client_pid, CLI);
	assert_int_equal(c->listener_pid, SRV);
	assert_int_equal(unix_who_pid(unix_end_proc(c->server)), SRV);
	assert_int_equal(unix_who_pid(unix_end_proc(c->client)), CLI);
	assert_int_equal(unix_flow_find_ino(uf, 500)->accepts, 1);
	RECV(m, 8 * MS, SRV, 2002, 1001, 32);
	SEND(m, 9 * MS, SRV, 2002, 1001, 16);
	SEND(m, 10 * MS, CLI, 1001, 2002, 32);
	RECV(m, 11 * MS, CLI, 1001, 2002, 16);
	assert_int_equal(c->client->tx.bytes, 64);
	assert_int_equal(c->client->tx.msgs, 2);
	assert_int_equal(c->server->tx.bytes, 16);
	assert_int_equal(c->server->rx.bytes, 32);
	assert_int_equal(c->client->rx.bytes, 16);
	assert_ptr_equal(unix_end_peer(uf, c->client), c->server);
	assert_string_equal(unix_conn_state(c), "open");
	/* the first close ends the connection */
	ev_close(m, 12 * MS, CLI, 4, 1001);
	ev_close(m, 13 * MS, SRV, 5, 2002);
	assert_string_equal(unix_conn_state(c), "closed");
	assert_int_equal(c->closed_ts, 12 * MS);
	assert_null(unix_flow_find_ino(uf, 1001));
	assert_null(unix_flow_find_sk(uf, 0x51));
	assert_int_equal(unix_flow_stats(uf)->connects, 1);
	assert_int_equal(unix_flow_stats(uf)->accepts, 1);
	model_free(m);
}

/* A client that writes and closes before accept(): only the sk_id can pair the two ends */
static void test_unix_flow__client_gone_before_accept(void **state)
{
	struct model *m = model_new();
	struct unix_conn *c;

	listening_server(m);
	ev_socket(m, 4 * MS, CLI, PSC_SOCK_STREAM, 4, 1001);
	ev_connect(m, 5 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0x51, 0, PATH, 0);
	SEND(m, 6 * MS, CLI, 1001, 0, 32);
	ev_close(m, 7 * MS, CLI, 4, 1001);
	c = conn_n(m, 1, 0);
	assert_string_equal(unix_conn_state(c), "pending");
	/* the peer is gone: the kernel no longer names it (peer_ino 0) */
	ev_accept(m, 8 * MS, SRV, 500, 5, 2002, 0x51, 0, 0, CLI, PATH);
	assert_ptr_equal(conn_n(m, 1, 0), c);
	assert_int_equal(c->server->ino, 2002);
	assert_int_equal(c->accept_ts, 8 * MS);
	RECV(m, 9 * MS, SRV, 2002, 0, 32);
	RECV(m, 10 * MS, SRV, 2002, 0, 0);
	assert_int_equal(c->server->rx.bytes, 32);
	assert_int_equal(c->server->rx.eof, 1);
	assert_int_equal(c->client->tx.bytes, 32);
	assert_string_equal(unix_conn_state(c), "closed");
	assert_int_equal(c->closed_ts, 7 * MS);
	model_free(m);
}

static void test_unix_flow__accept_without_traced_connect(void **state)
{
	struct model *m = model_new();
	struct unix_flow *uf = uf_of(m);
	struct unix_conn *c;

	/* the client process is known (an earlier event), its connect() was not traced */
	ev_socket(m, 1 * MS, CLI, PSC_SOCK_STREAM, 9, 999);
	ev_accept(m, 2 * MS, SRV, 500, 5, 2002, 0x51, 1001, 0xc1, CLI, PATH);
	c = conn_n(m, 1, 0);
	assert_int_equal(c->kind, UX_CONN_CONNECT);
	assert_int_equal(c->connect_ts, 0);
	assert_int_equal(c->client->ino, 1001);
	assert_true(c->client->flags & UX_END_EARLIER);
	/* SO_PEERCRED names the client process */
	assert_int_equal(unix_who_pid(unix_end_proc(c->client)), CLI);
	/* the listener, made before the trace, is learned from the accept */
	assert_true(unix_flow_find_ino(uf, 500)->flags & UX_END_LISTENING);
	assert_non_null(unix_flow_find_path(uf, &unix_flow_find_ino(uf, 500)->path));
	SEND(m, 3 * MS, CLI, 1001, 2002, 10);
	assert_int_equal(conn_n(m, 1, 0)->client->tx.bytes, 10);
	model_free(m);
}

static void test_unix_flow__connected_before_trace_by_inodes(void **state)
{
	struct model *m = model_new();
	struct unix_conn *c;

	SEND(m, 1 * MS, CLI, 71, 72, 5);
	RECV(m, 2 * MS, SRV, 72, 71, 5);
	SEND(m, 3 * MS, SRV, 72, 71, 7);
	c = conn_n(m, 1, 0);
	assert_int_equal(c->kind, UX_CONN_EARLIER);
	assert_int_equal(c->client->ino, 71);
	assert_int_equal(c->server->ino, 72);
	assert_int_equal(c->client->tx.bytes, 5);
	assert_int_equal(c->server->rx.bytes, 5);
	assert_int_equal(c->server->tx.bytes, 7);
	assert_int_equal(unix_who_pid(unix_end_proc(c->server)), SRV);
	assert_int_equal(unix_flow_stats(uf_of(m))->earlier_ends, 2);
	model_free(m);
}

static void test_unix_flow__socketpair_parent_child(void **state)
{
	struct model *m = model_new();
	struct unix_conn *c;

	ev_pair(m, 1 * MS, CLI, 11, 12);
	c = conn_n(m, 1, 0);
	assert_int_equal(c->kind, UX_CONN_PAIR);
	assert_int_equal(c->connect_ts, 1 * MS);
	assert_int_equal(c->client->fd, 3);
	assert_int_equal(c->server->fd, 4);
	/* after fork the child uses fd[1]: the end's user becomes the child */
	SEND(m, 2 * MS, CLI, 11, 12, 8);
	RECV(m, 3 * MS, KID, 12, 11, 8);
	SEND(m, 4 * MS, KID, 12, 11, 3);
	assert_int_equal(unix_who_pid(unix_end_proc(c->server)), KID);
	assert_int_equal(unix_who_pid(&c->server->owner), CLI);
	assert_int_equal(unix_who_pid(unix_end_proc(c->client)), CLI);
	assert_int_equal(c->client->tx.bytes, 8);
	assert_int_equal(c->server->tx.bytes, 3);
	ev_close(m, 5 * MS, KID, 4, 12);
	assert_int_equal(c->closed_ts, 5 * MS);
	assert_int_equal(unix_flow_stats(uf_of(m))->pairs, 1);
	model_free(m);
}

static void test_unix_flow__failed_connects_and_retry(void **state)
{
	struct model *m = model_new();
	struct unix_conn *c;
	char buf[32];

	ev_socket(m, 1 * MS, CLI, PSC_SOCK_STREAM, 4, 1001);
	ev_connect(m, 2 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0, 0, "/run/missing", -ENOENT);
	ev_connect(m, 3 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0, 0, "/run/idle", -ECONNREFUSED);
	c = conn_n(m, 2, 0);
	assert_int_equal(c->result, -ENOENT);
	assert_null(c->server);
	assert_string_equal(unix_conn_state(c), "failed");
	assert_string_equal(errno_name(c->result, buf, sizeof(buf)), "ENOENT");
	assert_string_equal(errno_name(conn_n(m, 2, 1)->result, buf, sizeof(buf)), "ECONNREFUSED");
	/* a failed connect does not take the socket: the retry makes the connection */
	assert_null(c->client->conn);
	ev_connect(m, 4 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0x51, 0, PATH, 0);
	c = conn_n(m, 3, 2);
	assert_ptr_equal(c->client->conn, c);
	assert_int_equal(c->result, 0);
	assert_int_equal(unix_flow_stats(uf_of(m))->connect_failed, 2);
	assert_int_equal(unix_flow_stats(uf_of(m))->connects, 1);
	model_free(m);
}

static void test_unix_flow__listener_close_drops_pending(void **state)
{
	struct model *m = model_new();
	struct unix_conn *c;

	listening_server(m);
	ev_socket(m, 4 * MS, CLI, PSC_SOCK_STREAM, 4, 1001);
	ev_connect(m, 5 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0x51, 0, PATH, 0);
	ev_close(m, 6 * MS, SRV, 3, 500);
	c = conn_n(m, 1, 0);
	assert_string_equal(unix_conn_state(c), "not accepted");
	assert_int_equal(unix_flow_stats(uf_of(m))->never_accepted, 1);
	assert_null(unix_flow_find_sk(uf_of(m), 0x51));
	model_free(m);
}

static void test_unix_flow__errors_eof_peek(void **state)
{
	struct model *m = model_new();
	const struct unix_end *e;

	SEND(m, 1 * MS, CLI, 71, 72, 10);
	SEND(m, 2 * MS, CLI, 71, 72, -EAGAIN);
	SEND(m, 3 * MS, CLI, 71, 72, -EPIPE);
	SEND(m, 4 * MS, CLI, 71, 72, -ECONNRESET);
	ev_xfer(m, PSC_EV_UNIX_RECV, 5 * MS, CLI, PSC_SOCK_STREAM, 71, 72, 6, 0x2); /* MSG_PEEK */
	RECV(m, 6 * MS, CLI, 71, 72, 6);
	RECV(m, 7 * MS, CLI, 71, 72, 0);
	e = unix_flow_find_ino(uf_of(m), 71);
	assert_non_null(e);
	assert_int_equal(e->tx.msgs, 1);
	assert_int_equal(e->tx.bytes, 10);
	assert_int_equal(e->tx.errors, 3);
	assert_int_equal(e->tx.eagain, 1);
	assert_int_equal(e->tx.epipe, 2);
	assert_int_equal(e->tx.last_err, -ECONNRESET);
	/* a peek consumes nothing; an EOF is a receive of 0 bytes */
	assert_int_equal(e->rx.peeks, 1);
	assert_int_equal(e->rx.bytes, 6);
	assert_int_equal(e->rx.msgs, 2);
	assert_int_equal(e->rx.eof, 1);
	assert_int_equal(unix_flow_stats(uf_of(m))->bytes_received, 6);
	assert_int_equal(unix_flow_stats(uf_of(m))->send_errors, 3);
	model_free(m);
}

static void test_unix_flow__close_and_inode_reuse(void **state)
{
	struct model *m = model_new();
	struct unix_flow *uf = uf_of(m);
	struct unix_end *old, *neu;

	ev_socket(m, 1 * MS, CLI, PSC_SOCK_STREAM, 4, 1001);
	old = unix_flow_find_ino(uf, 1001);
	ev_close(m, 2 * MS, CLI, 4, 1001);
	assert_true(old->flags & UX_END_CLOSED);
	assert_int_equal(old->closed_ts, 2 * MS);
	ev_socket(m, 3 * MS, SRV, PSC_SOCK_DGRAM, 6, 1001);
	neu = unix_flow_find_ino(uf, 1001);
	assert_ptr_not_equal(neu, old);
	assert_int_equal(neu->type, PSC_SOCK_DGRAM);
	/* the inode comes back without a traced close: the old end is taken as gone */
	ev_socket(m, 4 * MS, SRV, PSC_SOCK_STREAM, 7, 1001);
	assert_true(neu->flags & UX_END_CLOSED);
	assert_int_equal(neu->closed_ts, 4 * MS);
	assert_int_equal(unix_flow_find_ino(uf, 1001)->fd, 7);
	model_free(m);
}

/* ---- datagrams ---- */

static void test_unix_flow__dgram_attribution(void **state)
{
	struct model *m = model_new();
	struct unix_flow *uf = uf_of(m);
	const struct unix_end *a, *b, *c;
	struct psc_unix_addr want;

	ev_socket(m, 1 * MS, SRV, PSC_SOCK_DGRAM, 3, 500);
	ev_bind(m, 2 * MS, SRV, 500, "/run/dg.sock", 0);
	/* A: sendto() the path each time */
	ev_socket(m, 3 * MS, CLI, PSC_SOCK_DGRAM, 4, 601);
	ev_sendmsg(m, 4 * MS, CLI, 601, 500, "/run/dg.sock", 24, 0);
	ev_sendmsg(m, 5 * MS, CLI, 601, 500, "/run/dg.sock", 24, 1);
	ev_sendmsg(m, 6 * MS, CLI, 601, 0, "/run/nobody.sock", -ENOENT, 0);
	a = unix_flow_find_ino(uf, 601);
	assert_int_equal(a->nflows, 2);
	set_addr(&want, "/run/dg.sock", strlen("/run/dg.sock"));
	assert_true(unix_addr_equal(&a->flows[0].dest, &want));
	assert_int_equal(a->flows[0].msgs, 2);
	assert_int_equal(a->flows[0].bytes, 48);
	assert_int_equal(a->flows[0].fds, 1);
	assert_int_equal(a->flows[0].dest_ino, 500);
	assert_int_equal(a->flows[0].receiver.pid, SRV);
	assert_int_equal(a->flows[1].errors, 1);
	assert_int_equal(a->flows[1].msgs, 0);
	assert_int_equal(a->flows[1].last_err, -ENOENT);
	assert_int_equal(a->flows[1].receiver.pid, 0);
	assert_int_equal(a->fds_sent, 1);
	/* B: connect() once, then send() without an address: still to that path */
	ev_socket(m, 7 * MS, KID, PSC_SOCK_DGRAM, 4, 602);
	ev_connect(m, 8 * MS, KID, PSC_SOCK_DGRAM, 602, 0xb2, 0x50, 500, "/run/dg.sock", 0);
	ev_xfer(m, PSC_EV_UNIX_SEND, 9 * MS, KID, PSC_SOCK_DGRAM, 602, 500, 10, 0);
	b = unix_flow_find_ino(uf, 602);
	assert_int_equal(b->nflows, 1);
	assert_true(unix_addr_equal(&b->flows[0].dest, &want));
	assert_int_equal(b->flows[0].bytes, 10);
	assert_null(b->conn); /* a datagram connect() is no connection */
	/* C: connected before the trace: the receiver's bound path names the flow */
	ev_xfer(m, PSC_EV_UNIX_SEND, 10 * MS, 300, PSC_SOCK_DGRAM, 603, 500, 3, 0);
	ev_xfer(m, PSC_EV_UNIX_SEND, 11 * MS, 300, PSC_SOCK_DGRAM, 603, 500, 4, 0);
	c = unix_flow_find_ino(uf, 603);
	assert_int_equal(c->nflows, 1);
	assert_true(unix_addr_equal(&c->flows[0].dest, &want));
	assert_int_equal(c->flows[0].msgs, 2);
	/* the receiver's side: bytes in, no flows of its own */
	ev_xfer(m, PSC_EV_UNIX_RECV, 12 * MS, SRV, PSC_SOCK_DGRAM, 500, 0, 24, 0);
	assert_int_equal(unix_flow_find_ino(uf, 500)->rx.bytes, 24);
	assert_int_equal(unix_flow_find_ino(uf, 500)->nflows, 0);
	assert_int_equal(unix_flow_stats(uf)->fds_passed, 1);
	/* no connection came of any of it */
	conn_n(m, 0, 0);
	model_free(m);
}

/* ---- wake-ups ---- */

static void epoll_ctl_add(struct model *m, uint64_t ts, uint32_t pid, int fd, uint64_t ino)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_EPOLL_CTL, ts, pid);
	ev.epoll_ctl.epfd = 9;
	ev.epoll_ctl.op = 1;
	ev.epoll_ctl.fd = fd;
	ev.epoll_ctl.events = 1;
	ev.epoll_ctl.data = (uint64_t)fd;
	ev.epoll_ctl.target.ino = ino;
	ev.epoll_ctl.target.kind = PSC_FD_SOCKET;
	ev.epoll_ctl.target.sock_family = 1;
	apply(m, &ev);
}

static void epoll_wait_ready(struct model *m, uint64_t enter, uint64_t ts, uint32_t pid, int fd)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_EPOLL_WAIT, ts, pid);
	ev.epoll_wait.enter_ns = enter;
	ev.epoll_wait.epfd = 9;
	ev.epoll_wait.maxevents = 8;
	ev.epoll_wait.timeout_ns = -1;
	ev.epoll_wait.ret = 1;
	ev.epoll_wait.nready = 1;
	ev.epoll_wait.ready[0].events = 1;
	ev.epoll_wait.ready[0].data = (uint64_t)fd;
	apply(m, &ev);
	/* the epoll group linked it: the unix group saw the link during the same apply */
	assert_int_equal(m->nlinks, 1);
}

static void connected(struct model *m)
{
	listening_server(m);
	ev_socket(m, 4 * MS, CLI, PSC_SOCK_STREAM, 4, 1001);
	ev_connect(m, 5 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0x51, 0, PATH, 0);
	ev_accept(m, 6 * MS, SRV, 500, 5, 2002, 0x51, 1001, 0xc1, CLI, PATH);
}

static void test_unix_flow__wake_latency_per_connection(void **state)
{
	struct model *m = model_new();
	struct unix_conn *c;
	unsigned int b;

	connected(m);
	epoll_ctl_add(m, 7 * MS, SRV, 5, 2002);
	/* the client's send makes the server end readable; the server's wait returns 30 us later */
	ev_wake(m, 10 * MS, CLI, 2002);
	SEND(m, 10 * MS + 1 * US, CLI, 1001, 2002, 32);
	epoll_wait_ready(m, 9 * MS, 10 * MS + 30 * US, SRV, 5);
	c = conn_n(m, 1, 0);
	b = hist_bucket(30 * US);
	assert_int_equal(c->server->wakes, 1);
	assert_int_equal(c->server->wakes_linked, 1);
	assert_non_null(c->server->wake_hist);
	assert_int_equal(c->server->wake_hist[b], 1);
	assert_int_equal(c->client->wakes_linked, 0);
	/* a second round trip, 2 ms latency */
	RECV(m, 11 * MS, SRV, 2002, 1001, 32);
	ev_wake(m, 12 * MS, CLI, 2002);
	epoll_wait_ready(m, 11 * MS, 14 * MS, SRV, 5);
	assert_int_equal(c->server->wakes_linked, 2);
	assert_int_equal(c->server->wake_hist[hist_bucket(2 * MS)], 1);
	assert_int_equal(unix_flow_stats(uf_of(m))->wakes_linked, 2);
	assert_int_equal(hist_bucket(0), 0);
	assert_int_equal(hist_bucket(1), 0);
	assert_int_equal(hist_bucket(2), 1);
	assert_int_equal(hist_bucket(1024), 10);
	model_free(m);
}

/* ---- retention ---- */

static void test_unix_flow__retention_keeps_newest_closed(void **state)
{
	struct model *m = model_new();
	struct unix_flow *uf = uf_of(m);
	struct unix_conn *const *cs;
	uint64_t i, ino;
	size_t n, open = 0;

	unix_flow_set_keep_closed(uf, 4);
	/* one connection that stays open through it all */
	ev_pair(m, 1 * MS, CLI, 90, 91);
	for (i = 0; i < 40; i++) {
		ino = 1000 + 2 * i;
		ev_pair(m, (2 + i) * MS, CLI, ino, ino + 1);
		SEND(m, (2 + i) * MS + 1, CLI, ino, ino + 1, 100);
		ev_close(m, (2 + i) * MS + 2, CLI, 3, ino);
		ev_close(m, (2 + i) * MS + 3, CLI, 4, ino + 1);
	}
	SEND(m, 50 * MS, CLI, 90, 91, 1);
	cs = unix_flow_conns(uf, &n);
	assert_true(n <= 1 + 2 * 4 + 2);
	assert_true(n >= 1 + 4);
	for (i = 0; i < n; i++)
		open += !strcmp(unix_conn_state(cs[i]), "open");
	assert_int_equal(open, 1);
	/* the newest closed ones are the ones kept */
	assert_int_equal(cs[n - 1]->id, 41);
	assert_int_equal(unix_flow_stats(uf)->retired_conns + (n - 1), 40);
	assert_int_equal(unix_flow_stats(uf)->retired_bytes,
			 100 * unix_flow_stats(uf)->retired_conns);
	assert_int_equal(unix_flow_find_ino(uf, 90)->tx.bytes, 1);
	model_free(m);
}

/* No close() is traced when a process exits: its sockets go with it, and out of the tables */
static void test_unix_flow__exited_holders_end_sockets(void **state)
{
	struct model *m = model_new();
	struct unix_flow *uf = uf_of(m);
	struct unix_conn *const *cs;
	union psc_event ev;
	uint32_t pid;
	bool inferred;
	size_t n;

	unix_flow_set_keep_closed(uf, 2);
	for (pid = 1000; pid < 1030; pid++) {
		uint64_t ino = 10 * pid;

		ev_pair(m, pid * MS, pid, ino, ino + 1);
		SEND(m, pid * MS + 1, pid, ino, ino + 1, 5);
		hdr(&ev, PSC_EV_PROC_EXIT, pid * MS + 2, pid);
		ev.exit.flags = PSC_EXIT_GROUP_DEAD;
		ev.exit.parent_tgid = 1;
		apply(m, &ev);
	}
	cs = unix_flow_conns(uf, &n);
	assert_true(n <= 2 * 2 + 2);
	assert_true(n >= 2);
	/* the ones kept are closed, at their process's exit */
	assert_int_equal(unix_conn_closed_ts(cs[n - 1], &inferred), 1029 * MS + 2);
	assert_true(inferred);
	assert_string_equal(unix_conn_state(cs[n - 1]), "closed");
	assert_int_equal(unix_flow_stats(uf)->retired_conns + n, 30);
	model_free(m);
}

static void test_unix_flow__retired_process_keeps_a_copy(void **state)
{
	struct model *m = model_new();
	struct unix_flow *uf = uf_of(m);
	const struct proc *p;
	struct unix_end *e;

	SEND(m, 1 * MS, CLI, 71, 72, 5);
	e = unix_flow_find_ino(uf, 71);
	p = proctree_find(m->tree, CLI, ST(CLI));
	assert_non_null(p);
	assert_ptr_equal(e->user.proc->p, p);
	unix_flow_retire(uf, p);
	assert_null(e->user.proc->p);
	assert_int_equal(unix_who_pid(unix_end_proc(e)), CLI);
	assert_string_equal(unix_who_comm(unix_end_proc(e)), p->comm);
	/* a retire of a process nothing refers to is a no-op */
	unix_flow_retire(uf, p);
	model_free(m);
}

/* ---- addresses ---- */

static void test_unix_flow__path_decoding(void **state)
{
	struct psc_unix_addr a, b;
	char buf[UNIX_ADDR_STR_LEN], full[PSC_UNIX_PATH_LEN];
	const char *p;
	bool abstract;

	/* a filesystem path ends at its NUL; bytes after it do not count */
	set_addr(&a, "/run/x.sock\0garbage", 19);
	assert_int_equal(unix_addr_view(&a, &p, &abstract), 11);
	assert_false(abstract);
	set_addr(&b, "/run/x.sock", 11);
	assert_true(unix_addr_equal(&a, &b));
	assert_string_equal(unix_addr_str(&a, buf, sizeof(buf)), "/run/x.sock");
	/* an abstract name is all its bytes, NULs too, and never equals the same path */
	set_addr(&a, "\0ab\0c", 5);
	assert_int_equal(unix_addr_view(&a, &p, &abstract), 5);
	assert_true(abstract);
	assert_string_equal(unix_addr_str(&a, buf, sizeof(buf)), "@ab\\x00c");
	set_addr(&b, "\0ab", 3);
	assert_false(unix_addr_equal(&a, &b));
	set_addr(&b, "ab\0c", 4);
	assert_false(unix_addr_equal(&a, &b));
	/* 108 bytes and no NUL: the whole of sun_path */
	memset(full, 'p', sizeof(full));
	set_addr(&a, full, sizeof(full));
	assert_int_equal(unix_addr_view(&a, &p, &abstract), PSC_UNIX_PATH_LEN);
	assert_int_equal(strlen(unix_addr_str(&a, buf, sizeof(buf))), PSC_UNIX_PATH_LEN);
	/* a length past sun_path is clamped */
	a.len = 4096;
	assert_int_equal(unix_addr_view(&a, &p, &abstract), PSC_UNIX_PATH_LEN);
	/* terminal escapes and invalid UTF-8 are escaped */
	set_addr(&a, "/tmp/\x1b[31mred\xff", 15);
	unix_addr_str(&a, buf, sizeof(buf));
	assert_null(strchr(buf, '\x1b'));
	assert_non_null(strstr(buf, "\\x1b[31mred\\xff"));
	set_addr(&a, "", 0);
	assert_string_equal(unix_addr_str(&a, buf, sizeof(buf)), "");
	assert_string_equal(unix_type_name(PSC_SOCK_SEQPACKET, buf, sizeof(buf)), "seqpacket");
	assert_string_equal(unix_type_name(9, buf, sizeof(buf)), "type 9");
	assert_string_equal(errno_name(-EPIPE, buf, sizeof(buf)), "EPIPE");
	assert_string_equal(errno_name(-512, buf, sizeof(buf)), "ERESTARTSYS");
	assert_string_equal(errno_name(-4000, buf, sizeof(buf)), "E4000");
}

/* One JSON object, its members written by @fill(@w, @arg), parsed back; the caller puts it */
static json_object *json_of(void (*fill)(struct jw *w, const void *arg), const void *arg)
{
	json_object *o;
	struct jw w;

	jw_init(&w);
	jw_obj_start(&w);
	fill(&w, arg);
	jw_obj_end(&w);
	assert_int_equal(jw_error(&w), 0);
	o = json_tokener_parse(w.buf);
	assert_non_null(o);
	jw_free(&w);
	return o;
}

static void fill_addr(struct jw *w, const void *a)
{
	unix_json_addr(w, "path", a);
}

/* JSON of one address through unix_json_addr, parsed back */
static json_object *addr_json(const char *bytes, size_t len)
{
	struct psc_unix_addr a;

	set_addr(&a, bytes, len);
	return json_of(fill_addr, &a);
}

static const char *jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void test_unix_flow__path_json(void **state)
{
	json_object *o, *v;
	char full[PSC_UNIX_PATH_LEN + 1];

	o = addr_json("/run/x.sock\0junk", 16);
	assert_string_equal(jstr(o, "path"), "/run/x.sock");
	assert_false(json_object_get_boolean(json_object_object_get(o, "path_abstract")));
	assert_false(json_object_object_get_ex(o, "path_hex", NULL));
	json_object_put(o);
	/* abstract with a NUL inside: "@" form, and the exact bytes in the hex twin */
	o = addr_json("\0ab\0c", 5);
	assert_true(json_object_get_boolean(json_object_object_get(o, "path_abstract")));
	assert_int_equal(json_object_get_string_len(json_object_object_get(o, "path")), 5);
	assert_memory_equal(jstr(o, "path"), "@ab\0c", 5);
	assert_string_equal(jstr(o, "path_hex"), "0061620063");
	json_object_put(o);
	/* invalid UTF-8: replaced in the string, exact in the twin */
	o = addr_json("/tmp/\xff\xfe", 7);
	assert_non_null(strstr(jstr(o, "path"), "\xef\xbf\xbd"));
	assert_string_equal(jstr(o, "path_hex"), "2f746d702ffffe");
	json_object_put(o);
	/* 108 unterminated bytes come out whole */
	memset(full, 'q', PSC_UNIX_PATH_LEN);
	full[PSC_UNIX_PATH_LEN] = '\0';
	o = addr_json(full, PSC_UNIX_PATH_LEN);
	assert_string_equal(jstr(o, "path"), full);
	json_object_put(o);
	/* the event log writes the same for a record (schema_unix.c) */
	{
		union psc_event ev;
		struct model *m = model_new();
		struct jw w;

		hdr(&ev, PSC_EV_UNIX_BIND, 1 * MS, CLI);
		ev.unix_bind.ino = 5;
		set_addr(&ev.unix_bind.addr, "\0x\xc3", 3);
		jw_init(&w);
		evjson_write_event(&w, m, &ev, NULL);
		assert_int_equal(jw_error(&w), 0);
		o = json_tokener_parse(w.buf);
		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "path_hex", &v));
		assert_string_equal(json_object_get_string(v), "0078c3");
		assert_true(json_object_get_boolean(json_object_object_get(o, "path_abstract")));
		json_object_put(o);
		jw_free(&w);
		model_free(m);
	}
}

/* ---- outputs ---- */

/* A sink that writes each event's JSON (with the groups' derived fields) into a buffer */
struct capture {
	struct sink sink;
	struct jw w;
	json_object *last;
};

static void capture_event(struct sink *s, const struct model *m, const union psc_event *ev,
			  const struct proc *subject)
{
	struct capture *c = (struct capture *)s;

	jw_reset(&c->w);
	evjson_write_event(&c->w, m, ev, subject);
	assert_int_equal(jw_error(&c->w), 0);
	json_object_put(c->last);
	c->last = json_tokener_parse(c->w.buf);
	assert_non_null(c->last);
}

static int64_t jint(json_object *o, const char *key)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_int64(v);
}

static void test_unix_flow__json_extra(void **state)
{
	struct model *m = model_new();
	struct capture *c = calloc(1, sizeof(*c));
	int64_t conn;

	assert_non_null(c);
	jw_init(&c->w);
	c->sink.event = capture_event;
	model_add_sink(m, &c->sink);
	listening_server(m);
	ev_socket(m, 4 * MS, CLI, PSC_SOCK_STREAM, 4, 1001);
	ev_connect(m, 5 * MS, CLI, PSC_SOCK_STREAM, 1001, 0xc1, 0x51, 0, PATH, 0);
	conn = jint(c->last, "conn");
	assert_string_equal(jstr(c->last, "sock_type_name"), "stream");
	ev_accept(m, 6 * MS, SRV, 500, 5, 2002, 0x51, 1001, 0xc1, CLI, PATH);
	/* connect and accept of one connection carry one id, and each names the other side */
	assert_int_equal(jint(c->last, "conn"), conn);
	assert_int_equal(jint(c->last, "peer_owner_pid"), CLI);
	SEND(m, 7 * MS, SRV, 2002, 1001, 3);
	assert_int_equal(jint(c->last, "conn"), conn);
	assert_int_equal(jint(c->last, "peer_owner_pid"), CLI);
	ev_connect(m, 8 * MS, CLI, PSC_SOCK_STREAM, 1003, 0xc3, 0, 0, "/nope", -ENOENT);
	assert_string_equal(jstr(c->last, "error"), "ENOENT");
	assert_int_not_equal(jint(c->last, "conn"), conn);
	ev_close(m, 9 * MS, SRV, 5, 2002);
	assert_int_equal(jint(c->last, "sent_bytes"), 3);
	assert_int_equal(jint(c->last, "sent_msgs"), 1);
	json_object_put(c->last);
	jw_free(&c->w);
	model_free(m); /* our sink has no destroy: it is freed here, after the model */
	free(c);
}

/* Run a group output into a string */
static char *capture_text(void (*fn)(FILE *out, void *arg), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void print_summary(FILE *out, void *arg)
{
	struct model *m = arg;
	const struct model_group_ops *ops = model_group_ops(m, PSC_GROUP_UNIX);

	assert_non_null(ops);
	ops->summary(model_group_state(m, PSC_GROUP_UNIX), m, out);
}

static void fill_unix_summary(struct jw *w, const void *arg)
{
	struct model *m = (struct model *)arg;
	const struct model_group_ops *ops = model_group_ops(m, PSC_GROUP_UNIX);

	ops->summary_json(model_group_state(m, PSC_GROUP_UNIX), m, w);
}

/* The unix group's part of the JSON summary of @m, parsed; the caller puts it */
static json_object *unix_summary_json(struct model *m)
{
	return json_of(fill_unix_summary, m);
}

static void test_unix_flow__summary_text_and_json(void **state)
{
	struct model *m = model_new();
	json_object *o, *conns, *c0, *cli, *sent, *flows;
	char *text;

	connected(m);
	epoll_ctl_add(m, 7 * MS, SRV, 5, 2002);
	ev_wake(m, 10 * MS, CLI, 2002);
	SEND(m, 10 * MS + 1, CLI, 1001, 2002, 32);
	epoll_wait_ready(m, 9 * MS, 10 * MS + 30 * US, SRV, 5);
	SEND(m, 11 * MS, SRV, 2002, 1001, -EPIPE);
	ev_connect(m, 12 * MS, CLI, PSC_SOCK_STREAM, 1003, 0xc3, 0, 0, "/run/\x1b[2Jevil", -ENOENT);
	ev_socket(m, 13 * MS, CLI, PSC_SOCK_DGRAM, 5, 601);
	ev_sendmsg_n(m, 14 * MS, CLI, 601, 0, "\0abs", 4, -ECONNREFUSED, 0);

	text = capture_text(print_summary, m);
	assert_non_null(strstr(text, "Unix sockets:"));
	assert_non_null(strstr(text, "#1"));
	assert_non_null(strstr(text, "1/32")); /* client -> server: 1 message, 32 bytes */
	assert_non_null(strstr(text, "EPIPE x1"));
	assert_non_null(strstr(text, "failed ENOENT"));
	assert_non_null(strstr(text, "\\x1b[2Jevil")); /* escaped, never raw */
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "@abs"));
	assert_non_null(strstr(text, "1 wake-up"));
	free(text);

	o = unix_summary_json(m);
	assert_true(json_object_object_get_ex(o, "connections", &conns));
	assert_int_equal(json_object_array_length(conns), 2);
	c0 = json_object_array_get_idx(conns, 0);
	assert_string_equal(jstr(c0, "kind"), "connect");
	assert_string_equal(jstr(c0, "path"), PATH);
	assert_int_equal(jint(c0, "client_to_server_bytes"), 32);
	assert_int_equal(jint(c0, "wakes_linked"), 1);
	assert_int_equal(json_object_array_length(json_object_object_get(c0, "wake_latency_hist")),
			 1);
	assert_true(json_object_object_get_ex(c0, "client", &cli));
	assert_int_equal(jint(json_object_object_get(cli, "process"), "pid"), CLI);
	assert_int_equal(jint(cli, "ino"), 1001);
	assert_true(json_object_object_get_ex(json_object_object_get(c0, "server"), "sent", &sent));
	assert_string_equal(jstr(sent, "last_error"), "EPIPE");
	assert_string_equal(jstr(json_object_array_get_idx(conns, 1), "error"), "ENOENT");
	assert_true(json_object_object_get_ex(o, "datagrams", &flows));
	assert_int_equal(json_object_array_length(flows), 1);
	assert_string_equal(jstr(json_object_array_get_idx(flows, 0), "path"), "@abs");
	assert_string_equal(jstr(json_object_array_get_idx(flows, 0), "last_error"),
			    "ECONNREFUSED");
	assert_int_equal(jint(json_object_object_get(o, "counts"), "connect_failed"), 1);
	json_object_put(o);
	model_free(m);
}

/*
 * -p SRV: a client outside the traced tree connects, sends 10 and 20 bytes and closes; the
 * server answers 5. The client's own calls are not traced: its row says so and shows what the
 * server received from it, never "0/0" and a blank name.
 */
#define UNTRACED 4723
static void test_unix_flow__untraced_peer_of_a_pid_trace(void **state)
{
	struct model *m = model_new();
	union psc_event ev;
	char *text;

	snprintf(m->meta.mode, sizeof(m->meta.mode), "pid");
	m->meta.target_pid = SRV;
	hdr(&ev, PSC_EV_PROC_SEED, 1, SRV);
	ev.seed.parent_tgid = 1;
	strcpy(ev.seed.comm, "server");
	ev.seed.state = 'S';
	apply(m, &ev);
	listening_server(m);
	ev_wake(m, 4 * MS, UNTRACED, 500); /* its connect() made the listener readable */
	ev_accept(m, 5 * MS, SRV, 500, 5, 2002, 0x51, 1001, 0xc1, UNTRACED, PATH);
	RECV(m, 6 * MS, SRV, 2002, 1001, 10);
	RECV(m, 7 * MS, SRV, 2002, 1001, 20);
	SEND(m, 8 * MS, SRV, 2002, 1001, 5);
	RECV(m, 9 * MS, SRV, 2002, 1001, 0); /* EOF */
	text = capture_text(print_summary, m);
	/* one connection: its row is the only one with these */
	if (!strstr(text, "    #1 ") || !strstr(text, " 4723 (untraced) ") ||
	    !strstr(text, " 2/30 recv ") || !strstr(text, " 1/5 ") || strstr(text, "0/0"))
		fail_msg("the untraced client's row:\n%s", text);
	free(text);
	model_free(m);
}

struct live_arg {
	struct model *m;
	const union psc_event *ev;
};

static void print_live(FILE *out, void *arg)
{
	struct live_arg *a = arg;
	const struct model_group_ops *ops = model_group_ops(a->m, PSC_GROUP_UNIX);

	ops->live(model_group_state(a->m, PSC_GROUP_UNIX), a->m, a->ev, out, 0);
}

static void test_unix_flow__live_lines(void **state)
{
	struct model *m = model_new();
	struct live_arg a = { .m = m };
	union psc_event ev;
	char *text;

	connected(m);
	hdr(&ev, PSC_EV_UNIX_SEND, 7 * MS, CLI);
	ev.unix_xfer.ino = 1001;
	ev.unix_xfer.peer_ino = 2002;
	ev.unix_xfer.ret = 32;
	ev.unix_xfer.type = PSC_SOCK_STREAM;
	apply(m, &ev);
	a.ev = &ev;
	text = capture_text(print_live, &a);
	assert_non_null(strstr(text, "ux_send"));
	assert_non_null(strstr(text, "unix:[1001] -> unix:[2002] 32 B (conn #1 to 200 "));
	free(text);
	/* a bind to a path full of escapes: none reaches the terminal raw */
	hdr(&ev, PSC_EV_UNIX_BIND, 8 * MS, CLI);
	ev.unix_bind.ino = 1001;
	ev.unix_bind.ret = -EADDRINUSE;
	set_addr(&ev.unix_bind.addr, "/tmp/\x1b]0;pwn\x07", 13);
	apply(m, &ev);
	text = capture_text(print_live, &a);
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\x07'));
	assert_non_null(strstr(text, "failed: EADDRINUSE"));
	free(text);
	/* a wake-up has no line of its own */
	hdr(&ev, PSC_EV_UNIX_WAKE, 9 * MS, CLI);
	ev.unix_wake.ino = 2002;
	apply(m, &ev);
	text = capture_text(print_live, &a);
	assert_string_equal(text, "");
	free(text);
	model_free(m);
}

/* xorshift64: a fixed sequence, so a failure replays */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Any order of events over a few inodes, ids, paths and processes (reuse everywhere), with a
 * tiny retention limit and processes retired on the way: no crash or leak (ASan), consistent
 * counters, and outputs that stay valid JSON.
 */
static void test_unix_flow__random_events(void **state)
{
	static const char *const paths[] = { "/a", "/b", "\0ab", "/c\xff" };
	struct model *m = model_new();
	struct unix_flow *uf = uf_of(m);
	const struct model_group_ops *ops = model_group_ops(m, PSC_GROUP_UNIX);
	uint64_t seed = 0x9e3779b97f4a7c15ull, ts = 1, sent = 0;
	union psc_event ev;
	json_object *o;
	char *text;
	int i;

	unix_flow_set_keep_closed(uf, 3);
	for (i = 0; i < 20000; i++) {
		uint64_t r = rnd(&seed), ino = 1 + r % 9, peer = 1 + (r >> 8) % 9;
		uint32_t pid = 300 + (uint32_t)((r >> 16) % 4);
		const char *path = paths[(r >> 20) % 4];
		size_t plen = path[0] ? strlen(path) : 3;
		int ret = (r >> 24) % 5 == 0 ? -(int)((r >> 28) % 120) : (int)((r >> 28) % 64);

		ts += 1 + (r >> 40) % 1000;
		switch ((r >> 32) % 11) {
		case 0:
			ev_socket(m, ts, pid, 1 + (uint32_t)(r >> 44) % 2, 3, ino);
			break;
		case 1:
			ev_pair(m, ts, pid, ino, peer);
			break;
		case 2:
			hdr(&ev, PSC_EV_UNIX_BIND, ts, pid);
			ev.unix_bind.ino = ino;
			ev.unix_bind.ret = ret < 0 ? ret : 0;
			set_addr(&ev.unix_bind.addr, path, plen);
			apply(m, &ev);
			break;
		case 3:
			ev_listen(m, ts, pid, ino, path[0] ? path : "/l");
			break;
		case 4:
			ev_connect(m, ts, pid, 1 + (uint32_t)(r >> 44) % 2, ino, r % 7,
				   (r >> 3) % 7, (r >> 50) % 2 ? peer : 0, path[0] ? path : "/x",
				   ret < 0 ? ret : 0);
			break;
		case 5:
			ev_accept(m, ts, pid, peer, 5, ino, (r >> 3) % 7, (r >> 50) % 2 ? peer : 0,
				  r % 7, 300 + (uint32_t)(r >> 52) % 4, "/a");
			break;
		case 6:
		case 7:
			ev_xfer(m, (r >> 44) % 2 ? PSC_EV_UNIX_SEND : PSC_EV_UNIX_RECV, ts, pid,
				1 + (uint32_t)(r >> 46) % 2, ino, (r >> 50) % 3 ? peer : 0, ret,
				(uint32_t)(r >> 52) % 4);
			sent += (r >> 44) % 2 && ret > 0 ? (uint64_t)ret : 0;
			break;
		case 8:
			ev_sendmsg_n(m, ts, pid, ino, (r >> 50) % 2 ? peer : 0, path, plen, ret,
				     (uint32_t)(r >> 52) % 3);
			sent += ret > 0 ? (uint64_t)ret : 0;
			break;
		case 9:
			ev_close(m, ts, pid, 3, ino);
			break;
		default:
			ev_wake(m, ts, pid, ino);
			if ((r >> 44) % 2) {
				epoll_ctl_add(m, ts + 1, pid, 7, ino);
				hdr(&ev, PSC_EV_EPOLL_WAIT, ts + 2, pid);
				ev.epoll_wait.enter_ns = ts;
				ev.epoll_wait.epfd = 9;
				ev.epoll_wait.ret = 1;
				ev.epoll_wait.nready = 1;
				ev.epoll_wait.ready[0].data = 7;
				apply(m, &ev);
				ts += 2;
			}
			break;
		}
		/* now and then a process leaves the table */
		if (i % 997 == 0) {
			const struct proc *p = proctree_find_pid(m->tree, pid);

			if (p)
				ops->retire(model_group_state(m, PSC_GROUP_UNIX), p);
		}
	}
	assert_int_equal(unix_flow_stats(uf)->bytes_sent, sent);
	text = capture_text(print_summary, m);
	assert_non_null(strstr(text, "Unix sockets:"));
	free(text);
	o = unix_summary_json(m);
	json_object_put(o);
	model_free(m);
}

static void ev_seed(struct model *m, uint64_t ts, uint32_t pid, int fd, uint64_t ino,
		    uint64_t peer_ino, uint32_t flags, const char *path)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_UNIX_SEED, ts, pid);
	ev.unix_seed.fd = fd;
	ev.unix_seed.type = PSC_SOCK_STREAM;
	ev.unix_seed.ino = ino;
	ev.unix_seed.peer_ino = peer_ino;
	ev.unix_seed.flags = flags;
	if (path)
		set_addr(&ev.unix_seed.addr, path, strlen(path) + 1);
	apply(m, &ev);
}

/*
 * -p seeds: a listener, an accepted end (named as its listener) and its client (unnamed, its
 * peer's path): one connection from before the trace, the named end on the server side,
 * whichever end is seeded first; the traffic after it adds to that connection.
 */
static void test_unix_flow__seeded_connection(void **state)
{
	int order;

	for (order = 0; order < 2; order++) {
		struct model *m = model_new();
		struct unix_flow *uf;
		struct unix_conn *c;

		assert_non_null(m);
		uf = uf_of(m);
		ev_seed(m, 1 * MS, SRV, 3, 500, 0, PSC_UNIX_SEED_LISTENING | PSC_UNIX_SEED_BOUND,
			PATH);
		if (order == 0)
			ev_seed(m, 1 * MS, SRV, 5, 2002, 1001, PSC_UNIX_SEED_BOUND, PATH);
		ev_seed(m, 1 * MS, CLI, 4, 1001, 2002, PSC_UNIX_SEED_PEER_PATH, PATH);
		if (order == 1)
			ev_seed(m, 1 * MS, SRV, 5, 2002, 1001, PSC_UNIX_SEED_BOUND, PATH);
		c = conn_n(m, 1, 0);
		assert_int_equal(c->kind, UX_CONN_EARLIER);
		assert_ptr_equal(c->server, unix_flow_find_ino(uf, 2002));
		assert_ptr_equal(c->client, unix_flow_find_ino(uf, 1001));
		assert_int_equal(c->server->owner.pid, SRV);
		assert_int_equal(c->server->fd, 5);
		assert_int_equal(c->client->owner.pid, CLI);
		assert_string_equal(c->path.path, PATH);
		assert_true(unix_flow_find_ino(uf, 500)->flags & UX_END_LISTENING);
		SEND(m, 2 * MS, CLI, 1001, 2002, 32);
		assert_int_equal(conn_n(m, 1, 0)->id, c->id);
		assert_int_equal(c->client->tx.bytes, 32);
		model_free(m);
	}
}

/*
 * A socket seeded with its owner known to a clock tick only (/proc, the process gone before
 * its exact start could be read): once a record names the process exactly, the socket's owner
 * and the connection's end carry that start, the one the process table has; no second one.
 */
static void test_unix_flow__seeded_owner_takes_exact_start(void **state)
{
	uint64_t tick_start = ST(SRV) / (10 * MS) * (10 * MS);
	struct model *m = model_new();
	json_object *o, *socks, *conns, *x;
	union psc_event ev;
	size_t i, seen = 0;

	assert_non_null(m);
	assert_true(tick_start != ST(SRV));
	hdr(&ev, PSC_EV_PROC_SEED, 1, SRV);
	ev.hdr.start_ns = tick_start;
	ev.seed.parent_tgid = 1;
	ev.seed.state = 'S';
	strcpy(ev.seed.comm, "server");
	apply(m, &ev);
	hdr(&ev, PSC_EV_UNIX_SEED, 1, SRV);
	ev.hdr.start_ns = tick_start;
	ev.unix_seed.fd = 5;
	ev.unix_seed.type = PSC_SOCK_STREAM;
	ev.unix_seed.ino = 2002;
	ev.unix_seed.peer_ino = 1001;
	ev.unix_seed.flags = PSC_UNIX_SEED_BOUND;
	set_addr(&ev.unix_seed.addr, PATH, strlen(PATH) + 1);
	apply(m, &ev);
	SEND(m, 2 * MS, SRV, 2002, 1001, 32); /* the kernel's record: ST(SRV), exact */
	assert_int_equal(proctree_find_pid(m->tree, SRV)->start_ns, ST(SRV));

	o = unix_summary_json(m);
	assert_true(json_object_object_get_ex(o, "sockets", &socks));
	for (i = 0; i < json_object_array_length(socks); i++) {
		json_object *sk = json_object_array_get_idx(socks, i);

		if (json_object_object_get_ex(sk, "owner", &x) &&
		    json_object_is_type(x, json_type_object) && jint(x, "pid") == SRV) {
			assert_int_equal(jint(x, "start_ns"), model_rel_ns(m, ST(SRV)));
			seen++;
		}
	}
	assert_true(json_object_object_get_ex(o, "connections", &conns));
	for (i = 0; i < json_object_array_length(conns); i++) {
		json_object *c = json_object_array_get_idx(conns, i);

		if (json_object_object_get_ex(c, "server", &x) &&
		    json_object_object_get_ex(x, "process", &x) &&
		    json_object_is_type(x, json_type_object) && jint(x, "pid") == SRV) {
			assert_int_equal(jint(x, "start_ns"), model_rel_ns(m, ST(SRV)));
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	json_object_put(o);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix_flow__connect_accept_pairs_by_sk_id),
		cmocka_unit_test(test_unix_flow__untraced_peer_of_a_pid_trace),
		cmocka_unit_test(test_unix_flow__seeded_owner_takes_exact_start),
		cmocka_unit_test(test_unix_flow__client_gone_before_accept),
		cmocka_unit_test(test_unix_flow__accept_without_traced_connect),
		cmocka_unit_test(test_unix_flow__connected_before_trace_by_inodes),
		cmocka_unit_test(test_unix_flow__socketpair_parent_child),
		cmocka_unit_test(test_unix_flow__failed_connects_and_retry),
		cmocka_unit_test(test_unix_flow__listener_close_drops_pending),
		cmocka_unit_test(test_unix_flow__errors_eof_peek),
		cmocka_unit_test(test_unix_flow__close_and_inode_reuse),
		cmocka_unit_test(test_unix_flow__dgram_attribution),
		cmocka_unit_test(test_unix_flow__wake_latency_per_connection),
		cmocka_unit_test(test_unix_flow__retention_keeps_newest_closed),
		cmocka_unit_test(test_unix_flow__exited_holders_end_sockets),
		cmocka_unit_test(test_unix_flow__retired_process_keeps_a_copy),
		cmocka_unit_test(test_unix_flow__path_decoding),
		cmocka_unit_test(test_unix_flow__path_json),
		cmocka_unit_test(test_unix_flow__json_extra),
		cmocka_unit_test(test_unix_flow__summary_text_and_json),
		cmocka_unit_test(test_unix_flow__live_lines),
		cmocka_unit_test(test_unix_flow__random_events),
		cmocka_unit_test(test_unix_flow__seeded_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
