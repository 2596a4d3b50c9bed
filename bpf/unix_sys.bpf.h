/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Unix-socket syscalls: socket, socketpair, bind, listen, connect, accept(4), shutdown, the last
 * close, and the destination (and SCM_RIGHTS fds) of sendto/sendmsg, which the send tracepoint
 * in unix.bpf.c picks up. Called from the sys_enter/sys_exit dispatcher in sys.bpf.c, which
 * tests the group's switch (the identity and address helpers are in unix_id.bpf.h). Everything else a socket does (its bytes, its
 * wake-ups) comes from the sock tracepoints in unix.bpf.c.
 */
#ifndef __PSC_UNIX_SYS_BPF_H
#define __PSC_UNIX_SYS_BPF_H

#include <asm/unistd.h>
#include "common.bpf.h"
#include "unix_id.bpf.h"

#define UX_SOCK_TYPE_MASK 0xf /* SOCK_NONBLOCK and SOCK_CLOEXEC live above it */
#define UX_SOL_SOCKET 1
#define UX_SCM_RIGHTS 1
#define UX_CMSG_HDR_LEN 16 /* struct cmsghdr on 64-bit */

#define UX_SYSCALL_PARM6(regs) BPF_CORE_READ(regs, r9) /* x86-64: see common.bpf.h */

/* The user's struct msghdr, up to msg_controllen */
struct ux_msghdr {
	__u64 name;
	__s32 namelen;
	__u32 __pad;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
};

struct ux_cmsghdr {
	__u64 len;
	__s32 level;
	__s32 type;
};

/* ---- socket of an fd ---- */

/*
 * Inode of a sock's socket (fstat's st_ino, ss -x), 0 when it has none (a server-side end
 * before accept). struct socket is the first member of struct socket_alloc, beside the inode.
 */
static __always_inline __u64 ux_sk_ino(struct sock *sk)
{
	struct socket *sock;

	if (!sk)
		return 0;
	sock = BPF_CORE_READ(sk, sk_socket);
	if (!sock)
		return 0;
	return BPF_CORE_READ((struct socket_alloc *)sock, vfs_inode.i_ino);
}

/* The connected peer's sock (unix_peer()), NULL if none */
static __always_inline struct sock *ux_sk_peer(struct sock *sk)
{
	return BPF_CORE_READ((struct unix_sock *)sk, peer);
}

/* The AF_UNIX sock of @file (and its inode), or NULL for anything else */
static __always_inline struct sock *ux_file_sock(struct file *file, __u64 *ino)
{
	struct inode *inode;
	struct socket *sock;
	struct sock *sk;

	if (!file)
		return NULL;
	inode = BPF_CORE_READ(file, f_inode);
	if ((BPF_CORE_READ(inode, i_mode) & PSC_S_IFMT) != PSC_S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, __sk_common.skc_family) != UX_AF_UNIX)
		return NULL;
	*ino = BPF_CORE_READ(inode, i_ino);
	return sk;
}

/* The AF_UNIX sock behind @fd of the current task (and its inode), or NULL */
static __always_inline struct sock *ux_fd_sock(int fd, __u64 *ino)
{
	return ux_file_sock(psc_fd_file(fd), ino);
}

/* Before 6.13 (commit 90ee6ed776c0 "fs: port files to file_ref"): a plain count */
struct file___old {
	atomic_long_t f_count;
} __attribute__((preserve_access_index));

/* ---- addresses ---- */

/* The address a sock is bound to (unix_sk(sk)->addr): sun_path is not NUL-terminated */
static __always_inline void ux_read_sk_addr(struct sock *sk, struct psc_unix_addr *a)
{
	struct unix_address *addr = BPF_CORE_READ((struct unix_sock *)sk, addr);
	__u64 n; /* 64-bit: a 32-bit copy would be bounded, not the register passed on */
	int len;

	if (!addr)
		return;
	len = BPF_CORE_READ(addr, len);
	if (len <= UX_SUN_PATH_OFF)
		return;
	n = (__u64)(len - UX_SUN_PATH_OFF);
	if (n > PSC_UNIX_PATH_LEN)
		n = PSC_UNIX_PATH_LEN;
	barrier_var(n);
	if (!bpf_probe_read_kernel(a->path, n, &addr->name[0].sun_path))
		a->len = n;
}

/* Is the user's sockaddr at @uaddr an AF_UNIX one? */
static __always_inline bool ux_user_addr_is_unix(__u64 uaddr)
{
	__u16 family = 0;

	return uaddr && !bpf_probe_read_user(&family, sizeof(family), (void *)uaddr) &&
	       family == UX_AF_UNIX;
}

/* ---- sys_enter ---- */

/* socket()/socketpair(): only AF_UNIX is stashed */
static __always_inline void ux_socket_enter(struct pt_regs *regs, __u32 nr)
{
	if (PSC_SC_ARG1(regs) == UX_AF_UNIX)
		psc_stash_enter(nr, regs);
}

/* The caller is traced (before reading its memory: sendto and sendmsg are frequent) */
static __always_inline bool ux_wanted(void)
{
	return psc_current_wanted();
}

/* bind()/connect(): only an AF_UNIX address is stashed */
static __always_inline void ux_addr_enter(struct pt_regs *regs, __u32 nr)
{
	if (ux_wanted() && ux_user_addr_is_unix(PSC_SC_ARG2(regs)))
		psc_stash_save(nr, regs);
}

/*
 * sendto(fd, buf, len, flags, addr, addrlen) with a unix address: stash it for the send
 * tracepoint, as args[1] = addr, args[2] = addrlen, args[3] = fds passed, args[5] = the
 * receiving inode (filled in by sk_data_ready).
 */
static __always_inline void ux_sendto_enter(struct pt_regs *regs)
{
	__u64 uaddr = PSC_SC_ARG5(regs);
	struct psc_stash *s;

	if (!ux_wanted() || !ux_user_addr_is_unix(uaddr))
		return;
	s = psc_stash_save(PSC_SC_UNIX_SENDTO, regs);
	if (!s)
		return;
	s->args[1] = uaddr;
	s->args[2] = UX_SYSCALL_PARM6(regs);
	s->args[3] = 0;
	s->args[5] = 0;
}

/* sendmsg(fd, msg, flags): a unix msg_name, or fds in the first control message */
static __always_inline void ux_sendmsg_enter(struct pt_regs *regs)
{
	struct ux_msghdr mh = {};
	struct ux_cmsghdr cm = {};
	struct psc_stash *s;
	__u32 nfds = 0;
	__u64 name = 0;

	if (!ux_wanted() || bpf_probe_read_user(&mh, sizeof(mh), (void *)PSC_SC_ARG2(regs)))
		return;
	if (mh.control && mh.controllen >= UX_CMSG_HDR_LEN &&
	    !bpf_probe_read_user(&cm, sizeof(cm), (void *)mh.control) &&
	    cm.level == UX_SOL_SOCKET && cm.type == UX_SCM_RIGHTS && cm.len >= UX_CMSG_HDR_LEN &&
	    cm.len <= mh.controllen)
		nfds = (cm.len - UX_CMSG_HDR_LEN) / sizeof(int);
	if (ux_user_addr_is_unix(mh.name))
		name = mh.name;
	if (!name && !nfds)
		return;
	s = psc_stash_save(PSC_SC_UNIX_SENDTO, regs);
	if (!s)
		return;
	s->args[1] = name;
	s->args[2] = name ? mh.namelen : 0;
	s->args[3] = nfds;
	s->args[5] = 0;
}

/* close(fd) of the last reference to a unix socket file: emitted here, the file goes after */
static __always_inline void ux_close_enter(struct pt_regs *regs)
{
	int fd = PSC_SC_ARG1(regs);
	struct psc_ev_unix_close *e;
	struct file *file;
	struct sock *sk;
	__u64 ino = 0;
	long refs;

	if (!ux_wanted())
		return;
	file = psc_fd_file(fd);
	sk = ux_file_sock(file, &ino);
	if (!sk)
		return;
	/* file_ref_t (6.13+) counts from 0 for one reference; f_count before it, from 1 */
	if (bpf_core_field_exists(file->f_ref))
		refs = BPF_CORE_READ(file, f_ref.refcnt.counter) + 1;
	else
		refs = BPF_CORE_READ((struct file___old *)file, f_count.counter);
	if (refs != 1)
		return; /* a dup or a forked copy keeps the socket open */
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_CLOSE);
	if (!e)
		return;
	e->fd = fd;
	e->ino = ino;
	e->type = BPF_CORE_READ(sk, sk_type);
	e->peer_ino = ux_sk_ino(ux_sk_peer(sk));
	psc_submit(e);
}

/* ---- sys_exit ---- */

static __always_inline void ux_socket_exit(long ret)
{
	struct psc_ev_unix_socket *e;
	struct psc_stash s;

	if (!psc_stash_exit(PSC_SC_UNIX_SOCKET, &s))
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_SOCKET);
	if (!e)
		return;
	/* socket(domain, type, protocol) */
	e->ret = ret;
	e->type = s.args[1] & UX_SOCK_TYPE_MASK;
	e->fd[0] = ret;
	e->fd[1] = -1;
	if (ret >= 0)
		ux_fd_sock(ret, &e->ino[0]);
	psc_submit(e);
}

static __always_inline void ux_socketpair_exit(long ret)
{
	struct psc_ev_unix_socket *e;
	struct psc_stash s;
	int sv[2] = { -1, -1 };

	if (!psc_stash_exit(PSC_SC_UNIX_SOCKETPAIR, &s))
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_SOCKET);
	if (!e)
		return;
	/* socketpair(domain, type, protocol, int sv[2]) */
	e->ret = ret;
	e->type = s.args[1] & UX_SOCK_TYPE_MASK;
	e->flags = PSC_UNIX_PAIR;
	if (ret == 0 && !bpf_probe_read_user(sv, sizeof(sv), (void *)s.args[3])) {
		ux_fd_sock(sv[0], &e->ino[0]);
		ux_fd_sock(sv[1], &e->ino[1]);
	}
	e->fd[0] = sv[0];
	e->fd[1] = sv[1];
	psc_submit(e);
}

static __always_inline void ux_bind_exit(long ret)
{
	struct psc_ev_unix_bind *e;
	struct psc_stash s;
	struct sock *sk;
	__u64 ino = 0;

	if (!psc_stash_exit(PSC_SC_UNIX_BIND, &s))
		return;
	/* bind(fd, addr, addrlen) */
	sk = ux_fd_sock(s.args[0], &ino);
	if (!sk)
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_BIND);
	if (!e)
		return;
	e->fd = s.args[0];
	e->ret = ret;
	e->ino = ino;
	/* bound: what the kernel keeps (an autobind name too); refused: what was asked for */
	if (ret == 0)
		ux_read_sk_addr(sk, &e->addr);
	else
		ux_read_user_addr(s.args[1], s.args[2], &e->addr);
	psc_submit(e);
}

static __always_inline void ux_listen_exit(long ret)
{
	struct psc_ev_unix_listen *e;
	struct psc_stash s;
	struct sock *sk;
	__u64 ino = 0;

	if (!psc_stash_exit(PSC_SC_UNIX_LISTEN, &s))
		return;
	/* listen(fd, backlog) */
	sk = ux_fd_sock(s.args[0], &ino);
	if (!sk)
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_LISTEN);
	if (!e)
		return;
	e->fd = s.args[0];
	e->ret = ret;
	e->ino = ino;
	e->backlog = s.args[1];
	ux_read_sk_addr(sk, &e->addr);
	psc_submit(e);
}

/* SO_PEERCRED of @sk: pid in the initial namespace, uid */
static __always_inline void ux_peer_cred(struct sock *sk, __u32 *pid, __u32 *uid)
{
	struct pid *p = BPF_CORE_READ(sk, sk_peer_pid);
	const struct cred *c = BPF_CORE_READ(sk, sk_peer_cred);

	if (p)
		*pid = BPF_CORE_READ(p, numbers[0].nr);
	if (c)
		*uid = BPF_CORE_READ(c, uid.val);
}

static __always_inline void ux_connect_exit(long ret)
{
	struct psc_ev_unix_connect *e;
	struct psc_stash s;
	struct sock *sk, *peer;
	__u64 ino = 0;

	if (!psc_stash_exit(PSC_SC_UNIX_CONNECT, &s))
		return;
	/* connect(fd, addr, addrlen) */
	sk = ux_fd_sock(s.args[0], &ino);
	if (!sk)
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_CONNECT);
	if (!e)
		return;
	e->fd = s.args[0];
	e->ret = ret;
	e->ino = ino;
	e->sk_id = ux_sk_id((__u64)sk);
	e->type = BPF_CORE_READ(sk, sk_type);
	if (ret == 0) {
		peer = ux_sk_peer(sk);
		e->peer_sk_id = ux_sk_id((__u64)peer);
		e->peer_ino = ux_sk_ino(peer);
		ux_peer_cred(sk, &e->peer_pid, &e->peer_uid);
	}
	ux_read_user_addr(s.args[1], s.args[2], &e->addr);
	psc_submit(e);
}

static __always_inline void ux_accept_exit(struct pt_regs *regs, long ret)
{
	struct psc_ev_unix_accept *e;
	struct sock *lsk, *sk, *peer;
	struct psc_stash s;
	__u64 lino = 0;

	/*
	 * No stash: the accept began before we attached (a server of -p blocked in accept). The
	 * registers still hold its arguments at exit (x86-64 keeps the user's pt_regs as saved at
	 * entry), so the listening fd is known, and the returned fd is the accepted end.
	 */
	if (!psc_stash_exit(PSC_SC_UNIX_ACCEPT, &s)) {
		if (!psc_current_wanted())
			return;
		s.args[0] = PSC_SC_ARG1(regs);
	}
	/* accept(fd, addr, addrlen), accept4(fd, addr, addrlen, flags) */
	lsk = ux_fd_sock(s.args[0], &lino);
	if (!lsk)
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_ACCEPT);
	if (!e)
		return;
	e->fd = s.args[0];
	e->ret = ret;
	e->listen_ino = lino;
	e->type = BPF_CORE_READ(lsk, sk_type);
	sk = ret >= 0 ? ux_fd_sock(ret, &e->ino) : NULL;
	if (sk) {
		/* the new end was made at connect(): its peer is the client, its address the listener's */
		e->sk_id = ux_sk_id((__u64)sk);
		peer = ux_sk_peer(sk);
		e->peer_sk_id = ux_sk_id((__u64)peer);
		e->peer_ino = ux_sk_ino(peer);
		ux_peer_cred(sk, &e->peer_pid, &e->peer_uid);
		ux_read_sk_addr(sk, &e->addr);
	} else {
		ux_read_sk_addr(lsk, &e->addr);
	}
	psc_submit(e);
}

static __always_inline void ux_shutdown_exit(long ret)
{
	struct psc_ev_unix_shutdown *e;
	struct psc_stash s;
	__u64 ino = 0;

	if (!psc_stash_exit(PSC_SC_UNIX_SHUTDOWN, &s))
		return;
	/* shutdown(fd, how) */
	if (!ux_fd_sock(s.args[0], &ino))
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_UNIX_SHUTDOWN);
	if (!e)
		return;
	e->fd = s.args[0];
	e->how = s.args[1];
	e->ret = ret;
	e->ino = ino;
	psc_submit(e);
}

/* The send tracepoint has used the stashed destination (or the send failed before it) */
static __always_inline void ux_sendto_exit(void)
{
	struct psc_stash *s = bpf_task_storage_get(&stash, bpf_get_current_task_btf(), 0, 0);

	if (s && s->nr == PSC_SC_UNIX_SENDTO)
		s->nr = 0;
}

#endif /* __PSC_UNIX_SYS_BPF_H */
