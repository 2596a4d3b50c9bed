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

struct psc_unix_addr {
	__u32 len; /* bytes of path used; a leading NUL byte means an abstract name */
	char path[PSC_UNIX_PATH_LEN]; /* not NUL-terminated in the kernel: use len */
};

#define PSC_UNIX_PAIR (1u << 0) /* socketpair(): fd[1] and ino[1] are valid */

struct psc_ev_unix_socket {
	struct psc_ev_hdr hdr;
	__s32 ret; /* 0 / fd, or -errno */
	__u32 type; /* SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5 */
	__s32 fd[2];
	__u32 flags; /* PSC_UNIX_* */
	__u32 __pad;
	__u64 ino[2];
};

struct psc_ev_unix_bind {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 ret;
	__u64 ino;
	struct psc_unix_addr addr;
};

struct psc_ev_unix_listen {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 ret;
	__u64 ino;
	__s32 backlog;
	__u32 __pad;
};

struct psc_ev_unix_connect {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 ret; /* 0 or -errno (ECONNREFUSED, ENOENT...) */
	__u64 ino;
	__u64 sk_id; /* this end */
	__u64 peer_sk_id; /* the server-side end created for this connection */
	__u32 type;
	__u32 __pad;
	struct psc_unix_addr addr; /* the target */
};

struct psc_ev_unix_accept {
	struct psc_ev_hdr hdr;
	__s32 fd; /* the listening fd */
	__s32 ret; /* the new fd, or -errno */
	__u64 listen_ino;
	__u64 ino; /* the new end */
	__u64 sk_id;
	__u64 peer_ino; /* the client end */
	__u64 peer_sk_id;
};

/* sock_send_length / sock_recv_length on AF_UNIX: send(), recv(), read(), write()... */
struct psc_ev_unix_xfer {
	struct psc_ev_hdr hdr;
	__u64 ino;
	__u64 peer_ino; /* 0 when unconnected (datagram) */
	__u64 sk_id;
	__s32 ret; /* bytes, or -errno (EAGAIN, EPIPE...) */
	__u32 msg_flags;
	__u32 type;
	__u32 __pad;
	struct psc_unix_addr addr; /* datagram destination (send) or source (recv), if known */
};

struct psc_ev_unix_shutdown {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__s32 how;
	__s32 ret;
	__u32 __pad;
	__u64 ino;
};

/* close() of the last reference to a unix socket file */
struct psc_ev_unix_close {
	struct psc_ev_hdr hdr;
	__s32 fd;
	__u32 __pad;
	__u64 ino;
	__u64 peer_ino;
};

/* sk_data_ready on a unix socket, in the sender's context: hdr is the sender */
struct psc_ev_unix_wake {
	struct psc_ev_hdr hdr;
	__u64 ino; /* the receiving end (0 before accept) */
	__u64 sk_id; /* the receiving end */
	__u64 peer_ino; /* the sending end, 0 if unknown */
};

_Static_assert(sizeof(struct psc_unix_addr) == 112, "psc_unix_addr ABI");
_Static_assert(sizeof(struct psc_ev_unix_socket) == 72, "psc_ev_unix_socket ABI");
_Static_assert(sizeof(struct psc_ev_unix_bind) == 160, "psc_ev_unix_bind ABI");
_Static_assert(sizeof(struct psc_ev_unix_listen) == 56, "psc_ev_unix_listen ABI");
_Static_assert(sizeof(struct psc_ev_unix_connect) == 184, "psc_ev_unix_connect ABI");
_Static_assert(sizeof(struct psc_ev_unix_accept) == 80, "psc_ev_unix_accept ABI");
_Static_assert(sizeof(struct psc_ev_unix_xfer) == 184, "psc_ev_unix_xfer ABI");
_Static_assert(sizeof(struct psc_ev_unix_shutdown) == 56, "psc_ev_unix_shutdown ABI");
_Static_assert(sizeof(struct psc_ev_unix_close) == 56, "psc_ev_unix_close ABI");
_Static_assert(sizeof(struct psc_ev_unix_wake) == 56, "psc_ev_unix_wake ABI");

#endif /* __PSC_UNIX_H */
