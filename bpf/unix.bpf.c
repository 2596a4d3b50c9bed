// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unix-socket traffic: bytes sent and received (sock_send_length, sock_recv_length: they fire
 * for send/recv and read/write on every socket, so the family is checked first) and the send
 * that made a socket readable (sk_data_ready, in the sender's context). The lifecycle syscalls
 * are in unix_sys.bpf.h.
 */
#include "common.bpf.h"
#include "unix_id.bpf.h"

/*
 * Inode of a sock's socket through the file, with direct loads (no helper calls: this runs on
 * every unix send and receive). The tracepoints hand over trusted pointers; the loads through
 * untrusted ones (a peer) read 0 instead of faulting, so a sock without a file gives 0.
 */
static __always_inline __u64 ux_btf_ino(const struct sock *sk)
{
	struct socket *sock;

	if (!sk)
		return 0;
	sock = psc_ro(struct sock, sk)->sk_socket;
	if (!sock)
		return 0;
	return sock->file->f_inode->i_ino;
}

/* The peer of an AF_UNIX sock (every one is a unix_sock): loads, not the checking helper */
static __always_inline const struct sock *ux_btf_peer(const struct sock *sk)
{
	const struct unix_sock *u = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct unix_sock));

	return u->peer;
}

/*
 * The address of @sk as a number, for ux_sk_id(). The verifier lets a privileged program
 * subtract two pointers (the result is a plain scalar); the other one is a cast of 0. The
 * syscall paths, which read their sock pointers as numbers, get the same value.
 */
static __always_inline __u64 ux_btf_addr(const struct sock *sk)
{
	return (const char *)sk -
	       (const char *)bpf_rdonly_cast(0, bpf_core_type_id_kernel(struct sock));
}

static __always_inline void ux_fill_xfer(struct psc_ev_unix_xfer *e, const struct sock *sk, int ret,
					 int flags, __u32 type)
{
	e->ino = ux_btf_ino(sk);
	e->peer_ino = ux_btf_ino(ux_btf_peer(sk));
	e->sk_id = ux_sk_id(ux_btf_addr(sk));
	e->ret = ret;
	e->msg_flags = flags;
	e->type = type;
}

/*
 * The current task when @sk is an AF_UNIX sock and the process is traced, else NULL. The cheap
 * filters first: every socket send and receive of the system comes through here.
 */
static __always_inline struct task_struct *ux_traced_task(const struct sock *sk)
{
	struct task_struct *task;

	if (!psc_group_on(PSC_GROUP_UNIX) || sk->__sk_common.skc_family != UX_AF_UNIX)
		return NULL;
	task = bpf_get_current_task_btf();
	return psc_task_wanted(task) ? task : NULL;
}

/*
 * A send with a stashed unix destination or SCM_RIGHTS fds (sendto/sendmsg): the bigger
 * record. For a datagram, sk_data_ready has put the inode it was queued on into args[5].
 */
static __always_inline int ux_emit_sendmsg(struct task_struct *task, const struct sock *sk, int ret,
					   __u32 type, struct psc_stash *s)
{
	struct psc_ev_unix_sendmsg *e;

	e = psc_emit_reserve_task(task, sizeof(*e), PSC_EV_UNIX_SENDMSG);
	if (!e)
		return 0;
	ux_fill_xfer(&e->xfer, sk, ret, 0, type);
	if (s->args[5])
		e->xfer.peer_ino = s->args[5];
	e->nfds = s->args[3];
	ux_read_user_addr(s->args[1], s->args[2], &e->addr);
	psc_submit(e);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tp_ux_send, struct sock *sk, int ret, int flags)
{
	struct task_struct *task = ux_traced_task(sk);
	struct psc_ev_unix_xfer *e;
	struct psc_stash *s;
	__u32 type;

	if (!task)
		return 0;
	type = sk->sk_type;
	s = bpf_task_storage_get(&stash, task, 0, 0);
	if (s && s->nr == PSC_SC_UNIX_SENDTO)
		return ux_emit_sendmsg(task, sk, ret, type, s);
	e = psc_emit_reserve_task(task, sizeof(*e), PSC_EV_UNIX_SEND);
	if (!e)
		return 0;
	ux_fill_xfer(e, sk, ret, flags, type);
	psc_submit(e);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tp_ux_recv, struct sock *sk, int ret, int flags)
{
	struct task_struct *task = ux_traced_task(sk);
	struct psc_ev_unix_xfer *e;

	if (!task)
		return 0;
	e = psc_emit_reserve_task(task, sizeof(*e), PSC_EV_UNIX_RECV);
	if (!e)
		return 0;
	ux_fill_xfer(e, sk, ret, flags, sk->sk_type);
	psc_submit(e);
	return 0;
}

/*
 * sk_data_ready: the sender (current) queued data on @sk, the receiver; on a listener, a
 * connection request. A wake record only when the queue was empty before: that send is the
 * one that made the socket readable (and woke its epoll waiters); the next ones change nothing.
 * An untraced sender counts when the receiver is a traced process's watched socket (rx_watch).
 */
SEC("tp_btf/sk_data_ready")
int BPF_PROG(tp_ux_wake, const struct sock *sk)
{
	struct task_struct *task;
	struct psc_ev_unix_wake *e;
	bool traced;
	__u64 ino;

	if (!psc_group_on(PSC_GROUP_UNIX) || sk->__sk_common.skc_family != UX_AF_UNIX)
		return 0;
	task = bpf_get_current_task_btf();
	traced = psc_task_wanted(task);
	if (!traced && cfg_filter_mode == PSC_FILTER_ALL)
		return 0; /* procscope itself */
	ino = ux_btf_ino(sk);
	/* an addressed datagram: tell the send tracepoint where it went */
	if (traced && sk->sk_type == PSC_SOCK_DGRAM) {
		struct psc_stash *s = bpf_task_storage_get(&stash, task, 0, 0);

		if (s && s->nr == PSC_SC_UNIX_SENDTO)
			s->args[5] = ino;
	}
	if (sk->sk_receive_queue.qlen > 1)
		return 0;
	if (!traced && !bpf_map_lookup_elem(&rx_watch, &ino))
		return 0;
	e = psc_emit_reserve_task(task, sizeof(*e), PSC_EV_UNIX_WAKE);
	if (!e)
		return 0;
	e->ino = ino;
	e->sk_id = ux_sk_id(ux_btf_addr(sk));
	e->peer_ino = ux_btf_ino(ux_btf_peer(sk));
	psc_submit(e);
	return 0;
}
