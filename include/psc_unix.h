/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ring-buffer ABI of the unix-socket group. Included by psc_events.h only.
 * Socket ends are named by inode (fstat, ss -x). A server-side end has no file until accept(),
 * so connect and accept are paired by an opaque kernel socket id (the sock pointer mixed with
 * a per-trace random key: stable within a trace, no kernel address in the logs).
 */
#ifndef __PSC_UNIX_H
#define __PSC_UNIX_H

#define PSC_UNIX_PATH_LEN 108

/* Socket types (sock_type fields), as in <sys/socket.h> */
#define PSC_SOCK_STREAM 1
#define PSC_SOCK_DGRAM 2
#define PSC_SOCK_SEQPACKET 5

struct psc_unix_addr {
	__u32 len; /* bytes of path used; a leading NUL byte means an abstract name */
	char path[PSC_UNIX_PATH_LEN]; /* not NUL-terminated in the kernel: use len */
};

#define PSC_UNIX_PAIR (1u << 0) /* socketpair(): fd[1] and ino[1] are valid */

/* socket(AF_UNIX) or socketpair(AF_UNIX), at return */
struct psc_ev_unix_socket {
	struct psc_ev_hdr hdr;
	__s32 ret; /* socket: the fd; socketpair: 0; or -errno */
	__u32 type; /* PSC_SOCK_* (flags like SOCK_CLOEXEC removed) */
	__s32 fd[2];
	__u32 flags; /* PSC_UNIX_* */
	__u32 __pad;
	__u64 ino[2];
};

/* bind(): the path the kernel bound (on success) or the one asked for (on failure) */
struct psc_ev_unix_bind {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 ret;
	__u64 ino;
	struct psc_unix_addr addr;
};

/* listen(), with the path the socket is bound to */
struct psc_ev_unix_listen {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 ret;
	__u64 ino;
	__s32 backlog;
	__u32 __pad;
	struct psc_unix_addr addr;
};

/*
 * connect(), at return. For a stream or seqpacket socket the kernel has made the server-side
 * end (peer_sk_id) that accept() will hand out; it has no inode yet. For a datagram socket the
 * peer is the bound receiving socket (peer_ino). peer_pid/peer_uid: SO_PEERCRED, the process
 * that called listen() (stream) or 0.
 */
struct psc_ev_unix_connect {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 ret; /* 0 or -errno (ECONNREFUSED, ENOENT...) */
	__u64 ino;
	__u64 sk_id; /* this end */
	__u64 peer_sk_id; /* the other end */
	__u64 peer_ino; /* 0 until the other end has a file */
	__u32 type;
	__u32 peer_pid;
	__u32 peer_uid;
	__u32 __pad;
	struct psc_unix_addr addr; /* the target, as the caller gave it */
};

/* accept()/accept4(), at return: the new end, its client and the listener's path */
struct psc_ev_unix_accept {
	struct psc_ev_hdr hdr;
	__s32 fd; /* the listening fd */
	__s32 ret; /* the new fd, or -errno */
	__u64 listen_ino;
	__u64 ino; /* the new end */
	__u64 sk_id;
	__u64 peer_ino; /* the client end */
	__u64 peer_sk_id;
	__u32 type;
	__u32 peer_pid; /* SO_PEERCRED of the client: the process that called connect() */
	__u32 peer_uid;
	__u32 __pad;
	struct psc_unix_addr addr; /* the listener's bound path */
};

/*
 * sock_send_length / sock_recv_length on AF_UNIX: send(), recv(), read(), write()... in the
 * calling task's context.
 */
struct psc_ev_unix_xfer {
	struct psc_ev_hdr hdr;
	__u64 ino;
	/*
	 * The other end: the connected peer, or for an addressed datagram the socket it was queued
	 * on; 0 when unknown (an unconnected datagram receiver, a server end before accept()).
	 */
	__u64 peer_ino;
	__u64 sk_id;
	__s32 ret; /* bytes, or -errno (EAGAIN, EPIPE...) */
	__u32 msg_flags; /* recv: the caller's flags (MSG_PEEK 0x2, MSG_DONTWAIT 0x40...); send: 0 */
	__u32 type;
	__u32 __pad;
};

/* PSC_EV_UNIX_SENDMSG: a send with a destination address and/or SCM_RIGHTS fds */
struct psc_ev_unix_sendmsg {
	struct psc_ev_unix_xfer xfer; /* the same fields as a send: a prefix */
	__u32 nfds; /* fds in the first SCM_RIGHTS control message */
	__u32 __pad;
	struct psc_unix_addr addr; /* the destination (len 0: none given) */
};

struct psc_ev_unix_shutdown {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 how; /* SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2 */
	__s32 ret;
	__u32 __pad;
	__u64 ino;
};

/* close() of the last reference to a unix socket file (emitted on entry) */
struct psc_ev_unix_close {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__u32 type;
	__u64 ino;
	__u64 peer_ino;
};

/*
 * sk_data_ready on a unix socket, in the sender's context (hdr is the sender): a send (or a
 * connect, on the listener) queued data on a socket whose receive queue was empty, so it
 * became readable.
 */
struct psc_ev_unix_wake {
	struct psc_ev_hdr hdr;
	__u64 ino; /* the receiving end (0 before accept) */
	__u64 sk_id; /* the receiving end */
	__u64 peer_ino; /* the receiving end's peer: the sending end when connected, else 0 */
};

#define PSC_UNIX_SEED_LISTENING (1u << 0) /* in the listen state */
#define PSC_UNIX_SEED_BOUND \
	(1u << 1) /* addr is the socket's own name (an accepted socket: its listener's) */
#define PSC_UNIX_SEED_PEER_PATH (1u << 2) /* addr is the connected peer's name */

/*
 * PSC_EV_UNIX_SEED: a unix socket a traced process held when the trace began (-p), read from
 * /proc/PID/fd and sock_diag (UNIX_DIAG_PEER, UNIX_DIAG_NAME). Never in the ring.
 */
struct psc_ev_unix_seed {
	struct psc_ev_hdr hdr; /* the process holding it; ts_ns = the time base (attach) */
	__s32 fd;
	__u32 type; /* PSC_SOCK_* */
	__u64 ino;
	__u64 peer_ino; /* 0: not connected */
	__u32 flags; /* PSC_UNIX_SEED_* */
	__u32 __pad;
	struct psc_unix_addr addr; /* see the flags; len 0: no name known */
};

_Static_assert(sizeof(struct psc_unix_addr) == 112, "psc_unix_addr ABI");
_Static_assert(sizeof(struct psc_ev_unix_socket) == 72, "psc_ev_unix_socket ABI");
_Static_assert(sizeof(struct psc_ev_unix_bind) == 160, "psc_ev_unix_bind ABI");
_Static_assert(sizeof(struct psc_ev_unix_listen) == 168, "psc_ev_unix_listen ABI");
_Static_assert(sizeof(struct psc_ev_unix_connect) == 200, "psc_ev_unix_connect ABI");
_Static_assert(sizeof(struct psc_ev_unix_accept) == 208, "psc_ev_unix_accept ABI");
_Static_assert(sizeof(struct psc_ev_unix_xfer) == 72, "psc_ev_unix_xfer ABI");
_Static_assert(sizeof(struct psc_ev_unix_sendmsg) == 192, "psc_ev_unix_sendmsg ABI");
_Static_assert(sizeof(struct psc_ev_unix_shutdown) == 56, "psc_ev_unix_shutdown ABI");
_Static_assert(sizeof(struct psc_ev_unix_close) == 56, "psc_ev_unix_close ABI");
_Static_assert(sizeof(struct psc_ev_unix_wake) == 56, "psc_ev_unix_wake ABI");
_Static_assert(sizeof(struct psc_ev_unix_seed) == 176, "psc_ev_unix_seed ABI");

#endif /* __PSC_UNIX_H */
