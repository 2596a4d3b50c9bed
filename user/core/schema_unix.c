// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON layout of the unix-socket group's events (docs/events.md).
 */
#include "decode.h"
#include "schema.h"

static const struct schema_field socket_fields[] = {
	SF(psc_ev_unix_socket, ret, "ret", SK_S32),
	SF(psc_ev_unix_socket, type, "sock_type", SK_U32),
	SF(psc_ev_unix_socket, fd[0], "fd", SK_S32),
	SF(psc_ev_unix_socket, fd[1], "fd2", SK_S32),
	SF_FLAG(psc_ev_unix_socket, flags, PSC_UNIX_PAIR, "pair"),
	SF(psc_ev_unix_socket, ino[0], "ino", SK_U64),
	SF(psc_ev_unix_socket, ino[1], "ino2", SK_U64),
	SF_END,
};

static const struct schema_field bind_fields[] = {
	SF(psc_ev_unix_bind, fd, "fd", SK_S32),
	SF(psc_ev_unix_bind, ret, "ret", SK_S32),
	SF(psc_ev_unix_bind, ino, "ino", SK_U64),
	SF(psc_ev_unix_bind, addr, "path", SK_UNIXADDR),
	SF_END,
};

static const struct schema_field listen_fields[] = {
	SF(psc_ev_unix_listen, fd, "fd", SK_S32),
	SF(psc_ev_unix_listen, ret, "ret", SK_S32),
	SF(psc_ev_unix_listen, ino, "ino", SK_U64),
	SF(psc_ev_unix_listen, backlog, "backlog", SK_S32),
	SF(psc_ev_unix_listen, addr, "path", SK_UNIXADDR),
	SF_END,
};

static const struct schema_field connect_fields[] = {
	SF(psc_ev_unix_connect, fd, "fd", SK_S32),
	SF(psc_ev_unix_connect, ret, "ret", SK_S32),
	SF(psc_ev_unix_connect, ino, "ino", SK_U64),
	SF(psc_ev_unix_connect, sk_id, "sk_id", SK_U64),
	SF(psc_ev_unix_connect, peer_sk_id, "peer_sk_id", SK_U64),
	SF(psc_ev_unix_connect, peer_ino, "peer_ino", SK_U64),
	SF(psc_ev_unix_connect, type, "sock_type", SK_U32),
	SF(psc_ev_unix_connect, peer_pid, "peer_pid", SK_U32),
	SF(psc_ev_unix_connect, peer_uid, "peer_uid", SK_U32),
	SF(psc_ev_unix_connect, addr, "path", SK_UNIXADDR),
	SF_END,
};

static const struct schema_field accept_fields[] = {
	SF(psc_ev_unix_accept, fd, "fd", SK_S32),
	SF(psc_ev_unix_accept, ret, "ret", SK_S32),
	SF(psc_ev_unix_accept, listen_ino, "listen_ino", SK_U64),
	SF(psc_ev_unix_accept, ino, "ino", SK_U64),
	SF(psc_ev_unix_accept, sk_id, "sk_id", SK_U64),
	SF(psc_ev_unix_accept, peer_ino, "peer_ino", SK_U64),
	SF(psc_ev_unix_accept, peer_sk_id, "peer_sk_id", SK_U64),
	SF(psc_ev_unix_accept, type, "sock_type", SK_U32),
	SF(psc_ev_unix_accept, peer_pid, "peer_pid", SK_U32),
	SF(psc_ev_unix_accept, peer_uid, "peer_uid", SK_U32),
	SF(psc_ev_unix_accept, addr, "path", SK_UNIXADDR),
	SF_END,
};

static const struct schema_field xfer_fields[] = {
	SF(psc_ev_unix_xfer, ino, "ino", SK_U64),
	SF(psc_ev_unix_xfer, peer_ino, "peer_ino", SK_U64),
	SF(psc_ev_unix_xfer, sk_id, "sk_id", SK_U64),
	SF(psc_ev_unix_xfer, ret, "ret", SK_S32),
	SF(psc_ev_unix_xfer, msg_flags, "msg_flags", SK_U32),
	SF(psc_ev_unix_xfer, type, "sock_type", SK_U32),
	SF_END,
};

/* the send's fields (a prefix), then the extras */
static const struct schema_field sendmsg_fields[] = {
	SF(psc_ev_unix_sendmsg, xfer.ino, "ino", SK_U64),
	SF(psc_ev_unix_sendmsg, xfer.peer_ino, "peer_ino", SK_U64),
	SF(psc_ev_unix_sendmsg, xfer.sk_id, "sk_id", SK_U64),
	SF(psc_ev_unix_sendmsg, xfer.ret, "ret", SK_S32),
	SF(psc_ev_unix_sendmsg, xfer.msg_flags, "msg_flags", SK_U32),
	SF(psc_ev_unix_sendmsg, xfer.type, "sock_type", SK_U32),
	SF(psc_ev_unix_sendmsg, nfds, "nfds", SK_U32),
	SF(psc_ev_unix_sendmsg, addr, "path", SK_UNIXADDR),
	SF_END,
};

static const struct schema_field shutdown_fields[] = {
	SF(psc_ev_unix_shutdown, fd, "fd", SK_S32),
	SF(psc_ev_unix_shutdown, how, "how", SK_S32),
	SF(psc_ev_unix_shutdown, ret, "ret", SK_S32),
	SF(psc_ev_unix_shutdown, ino, "ino", SK_U64),
	SF_END,
};

static const struct schema_field close_fields[] = {
	SF(psc_ev_unix_close, fd, "fd", SK_S32),
	SF(psc_ev_unix_close, type, "sock_type", SK_U32),
	SF(psc_ev_unix_close, ino, "ino", SK_U64),
	SF(psc_ev_unix_close, peer_ino, "peer_ino", SK_U64),
	SF_END,
};

static const struct schema_field seed_fields[] = {
	SF(psc_ev_unix_seed, fd, "fd", SK_S32),
	SF(psc_ev_unix_seed, type, "sock_type", SK_U32),
	SF(psc_ev_unix_seed, ino, "ino", SK_U64),
	SF(psc_ev_unix_seed, peer_ino, "peer_ino", SK_U64),
	SF_FLAG(psc_ev_unix_seed, flags, PSC_UNIX_SEED_LISTENING, "listening"),
	SF_FLAG(psc_ev_unix_seed, flags, PSC_UNIX_SEED_BOUND, "bound"),
	SF_FLAG(psc_ev_unix_seed, flags, PSC_UNIX_SEED_PEER_PATH, "peer_path"),
	SF(psc_ev_unix_seed, addr, "path", SK_UNIXADDR),
	SF_END,
};

static const struct schema_field wake_fields[] = {
	SF(psc_ev_unix_wake, ino, "ino", SK_U64),
	SF(psc_ev_unix_wake, sk_id, "sk_id", SK_U64),
	SF(psc_ev_unix_wake, peer_ino, "peer_ino", SK_U64),
	SF_END,
};

#define UNIX_TYPE(t, n, st, f)                                                            \
	{                                                                                 \
		.type = t, .name = n, .group = PSC_GROUP_UNIX, .size = sizeof(struct st), \
		.fields = f                                                               \
	}

const struct schema_type schema_unix_types[] = {
	UNIX_TYPE(PSC_EV_UNIX_SOCKET, "unix_socket", psc_ev_unix_socket, socket_fields),
	UNIX_TYPE(PSC_EV_UNIX_BIND, "unix_bind", psc_ev_unix_bind, bind_fields),
	UNIX_TYPE(PSC_EV_UNIX_LISTEN, "unix_listen", psc_ev_unix_listen, listen_fields),
	UNIX_TYPE(PSC_EV_UNIX_CONNECT, "unix_connect", psc_ev_unix_connect, connect_fields),
	UNIX_TYPE(PSC_EV_UNIX_ACCEPT, "unix_accept", psc_ev_unix_accept, accept_fields),
	UNIX_TYPE(PSC_EV_UNIX_SEND, "unix_send", psc_ev_unix_xfer, xfer_fields),
	UNIX_TYPE(PSC_EV_UNIX_RECV, "unix_recv", psc_ev_unix_xfer, xfer_fields),
	UNIX_TYPE(PSC_EV_UNIX_SHUTDOWN, "unix_shutdown", psc_ev_unix_shutdown, shutdown_fields),
	UNIX_TYPE(PSC_EV_UNIX_CLOSE, "unix_close", psc_ev_unix_close, close_fields),
	UNIX_TYPE(PSC_EV_UNIX_WAKE, "unix_wake", psc_ev_unix_wake, wake_fields),
	UNIX_TYPE(PSC_EV_UNIX_SENDMSG, "unix_sendmsg", psc_ev_unix_sendmsg, sendmsg_fields),
	UNIX_TYPE(PSC_EV_UNIX_SEED, "unix_seed", psc_ev_unix_seed, seed_fields),
	{ .size = 0 },
};
