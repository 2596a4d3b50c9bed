/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * I/O readiness: epoll_create/ctl/wait (+pwait, pwait2) and the poll/select family. Arguments
 * are stashed at sys_enter, the record is emitted at sys_exit. Called from sys.bpf.c's
 * dispatcher, which tests the group's switch.
 */
#ifndef __PSC_EPOLL_SYS_BPF_H
#define __PSC_EPOLL_SYS_BPF_H

#include "common.bpf.h"

#define EPOLL_EVENT_SIZE 12 /* struct epoll_event is packed on x86-64: data at offset 4 */
#define EPOLL_DATA_OFF 4

#define EPOLL_CTL_ADD 1
#define AF_UNIX_FAMILY 1

#define NSEC_PER_MSEC 1000000LL
#define NSEC_PER_SEC 1000000000LL

/* timeout argument in ms (epoll_wait, epoll_pwait, poll): negative means forever */
static __always_inline __s64 ms_to_ns(int ms)
{
	return ms < 0 ? -1 : ms * NSEC_PER_MSEC;
}

/* a struct __kernel_timespec / timeval in user memory: NULL means forever */
static __always_inline __s64 user_ts_to_ns(__u64 uptr, bool timeval)
{
	__s64 t[2] = {};

	if (!uptr)
		return -1;
	if (bpf_probe_read_user(t, sizeof(t), (void *)uptr))
		return -1;
	return t[0] * NSEC_PER_SEC + (timeval ? t[1] * 1000 : t[1]);
}

/* epoll_create, epoll_create1, epoll_ctl: the arguments are all the entry needs */
static __always_inline void epoll_stash_enter(__u32 nr, struct pt_regs *regs)
{
	psc_stash_enter(nr, regs);
}

static __always_inline void epoll_create_exit(long ret, __u32 nr)
{
	struct psc_ev_epoll_create *e;
	struct psc_stash s;

	if (!psc_stash_exit(nr, &s))
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_EPOLL_CREATE);
	if (!e)
		return;
	e->ret = ret;
	e->flags = nr == PSC_SC_EPOLL_CREATE1 ? s.args[0] : 0;
	psc_submit(e);
}

static __always_inline void epoll_ctl_exit(long ret)
{
	struct psc_ev_epoll_ctl *e;
	struct psc_stash s;
	void *uev;

	if (!psc_stash_exit(PSC_SC_EPOLL_CTL, &s))
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_EPOLL_CTL);
	if (!e)
		return;
	/* epoll_ctl(epfd, op, fd, struct epoll_event *event) */
	e->epfd = s.args[0];
	e->op = s.args[1];
	e->fd = s.args[2];
	e->ret = ret;
	uev = (void *)s.args[3];
	/* DEL may pass NULL; the fields one by one (a packed struct copy trips clang 14) */
	if (uev) {
		bpf_probe_read_user(&e->events, sizeof(e->events), uev);
		bpf_probe_read_user(&e->data, sizeof(e->data), uev + EPOLL_DATA_OFF);
	}
	psc_file_info(psc_fd_file(e->fd), &e->target);
	if (cfg_filter_mode == PSC_FILTER_TREE && e->op == EPOLL_CTL_ADD && ret == 0 &&
	    e->target.kind == PSC_FD_SOCKET && e->target.sock_family == AF_UNIX_FAMILY) {
		__u8 one = 1;

		bpf_map_update_elem(&rx_watch, &e->target.ino, &one, BPF_ANY);
	}
	psc_submit(e);
}

/* epoll_pwait2's timeout as ns in args[3]: its timespec is the caller's, const, it may change */
static __always_inline void epoll_pwait2_timeout(struct psc_stash *s, __u32 nr)
{
	if (nr == PSC_SC_EPOLL_PWAIT2)
		s->args[3] = user_ts_to_ns(s->args[3], false);
}

static __always_inline void epoll_wait_enter(struct pt_regs *regs, __u32 nr)
{
	struct psc_stash *s = psc_stash_enter(nr, regs);

	if (s)
		epoll_pwait2_timeout(s, nr);
}

/*
 * Copy the first @n (1..PSC_EPOLL_MAX_READY) entries the kernel wrote to the user's array: one
 * read of the packed array into ready[] (it fits: 12 * n <= 16 * n bytes), then unpacked in place
 * from the last entry to the first, which never overwrites an entry not yet unpacked. One helper
 * call per wait rather than two per ready entry.
 */
static __always_inline void epoll_read_ready(struct psc_ev_epoll_wait *e, const void *uarr, __u32 n)
{
	void *raw = e->ready;
	__u64 size = (__u64)n * EPOLL_EVENT_SIZE;
	__u32 i;

	/* bound the size the verifier sees (clang 14 would otherwise recompute it from ret) */
	asm volatile("" : "+r"(size));
	if (size > PSC_EPOLL_MAX_READY * EPOLL_EVENT_SIZE || bpf_probe_read_user(raw, size, uarr)) {
		e->flags |= PSC_WAIT_UNREAD;
		return;
	}
	for (i = PSC_EPOLL_MAX_READY; i-- > 0;) {
		const __u32 *src = raw + i * EPOLL_EVENT_SIZE;
		__u32 events, lo, hi;

		if (i >= n)
			continue;
		/* 4-byte loads: the packed data field is only 4-byte aligned */
		events = src[0];
		lo = src[EPOLL_DATA_OFF / 4];
		hi = src[EPOLL_DATA_OFF / 4 + 1];
		e->ready[i].events = events;
		e->ready[i].__pad = 0;
		e->ready[i].data = ((__u64)hi << 32) | lo;
	}
	e->nready = n;
}

/*
 * A wait whose entry was not seen: it began before the trace (a -p target or, system-wide, any
 * process blocked at attach), as ux_accept_exit() does for accept. x86-64 keeps the user's
 * pt_regs as saved at entry, so the arguments are there at exit. No start (enter_ns 0): the
 * record says PSC_WAIT_EARLY, and nothing invents a duration. Returns false if untraced.
 */
static __always_inline bool wait_args_at_exit(struct pt_regs *regs, __u32 nr, struct psc_stash *s)
{
	if (!psc_current_wanted())
		return false;
	s->enter_ns = 0;
	psc_stash_args(s, regs);
	epoll_pwait2_timeout(s, nr);
	return true;
}

static __always_inline void epoll_wait_exit(struct pt_regs *regs, long ret, __u32 nr)
{
	struct psc_ev_epoll_wait *e;
	struct psc_stash s;
	bool early = false;
	__u32 n;

	if (!psc_stash_exit(nr, &s)) {
		if (!wait_args_at_exit(regs, nr, &s))
			return;
		early = true;
	}
	/*
	 * ready[] is not zeroed: its first nready entries are written below and the rest is
	 * never read (decode zeroes it). Zeroing it cost a cache-line fill for each of 4 lines.
	 */
	e = psc_emit_reserve_part(bpf_get_current_task_btf(), sizeof(*e),
				  offsetof(struct psc_ev_epoll_wait, ready), PSC_EV_EPOLL_WAIT);
	if (!e)
		return;
	/* epoll_wait(epfd, events, maxevents, timeout, ...) */
	e->enter_ns = s.enter_ns;
	e->epfd = s.args[0];
	e->maxevents = s.args[2];
	e->timeout_ns = nr == PSC_SC_EPOLL_PWAIT2 ? (__s64)s.args[3] : ms_to_ns((int)s.args[3]);
	e->ret = ret;
	if (nr == PSC_SC_EPOLL_PWAIT)
		e->flags |= PSC_WAIT_PWAIT;
	else if (nr == PSC_SC_EPOLL_PWAIT2)
		e->flags |= PSC_WAIT_PWAIT2;
	if (early)
		e->flags |= PSC_WAIT_EARLY;
	n = ret > 0 ? ret : 0;
	if (n > PSC_EPOLL_MAX_READY) {
		n = PSC_EPOLL_MAX_READY;
		e->flags |= PSC_WAIT_CAPPED;
	}
	if (n)
		epoll_read_ready(e, (const void *)s.args[1], n);
	psc_submit(e);
}

/* poll family: the timeout is read at entry (select rewrites its timeval) */
static __always_inline void poll_enter(struct pt_regs *regs, __u32 nr)
{
	struct psc_stash *s = psc_stash_enter(nr, regs);

	if (!s)
		return;
	switch (nr) {
	case PSC_SC_POLL: /* poll(fds, nfds, timeout_ms) */
		s->args[5] = ms_to_ns((int)s->args[2]);
		s->args[4] = s->args[1];
		break;
	case PSC_SC_PPOLL: /* ppoll(fds, nfds, tsp, sigmask, size) */
		s->args[5] = user_ts_to_ns(s->args[2], false);
		s->args[4] = s->args[1];
		break;
	case PSC_SC_SELECT: /* select(n, in, out, ex, struct timeval *) */
		s->args[5] = user_ts_to_ns(s->args[4], true);
		s->args[4] = s->args[0];
		break;
	default: /* pselect6(n, in, out, ex, struct timespec *, sig) */
		s->args[5] = user_ts_to_ns(s->args[4], false);
		s->args[4] = s->args[0];
		break;
	}
}

/*
 * The poll family's arguments at exit, for a wait whose entry was not seen (see
 * wait_args_at_exit()), as poll_enter() leaves them: args[4] the count, args[5] the timeout.
 * ppoll, select and pselect6 write the time left back into the caller's timeout: only a NULL
 * one (forever) is still known. Returns the PSC_WAIT_* flags.
 */
static __always_inline __u32 poll_args_at_exit(struct pt_regs *regs, __u32 nr, struct psc_stash *s)
{
	__u64 tp;

	s->enter_ns = 0;
	switch (nr) {
	case PSC_SC_POLL: /* poll(fds, nfds, timeout_ms): the ms are in a register */
		s->args[4] = PSC_SC_ARG2(regs);
		s->args[5] = ms_to_ns((int)PSC_SC_ARG3(regs));
		return PSC_WAIT_EARLY;
	case PSC_SC_PPOLL: /* ppoll(fds, nfds, tsp, sigmask, size) */
		s->args[4] = PSC_SC_ARG2(regs);
		tp = PSC_SC_ARG3(regs);
		break;
	default: /* select(n, in, out, ex, tvp), pselect6(n, in, out, ex, tsp, sig) */
		s->args[4] = PSC_SC_ARG1(regs);
		tp = PSC_SC_ARG5(regs);
		break;
	}
	s->args[5] = tp ? 0 : -1;
	return PSC_WAIT_EARLY | (tp ? PSC_WAIT_TIMEOUT_UNKNOWN : 0);
}

static __always_inline void poll_exit(struct pt_regs *regs, long ret, __u32 nr, __u32 kind)
{
	struct psc_ev_poll_wait *e;
	struct psc_stash s;
	__u32 flags = 0;

	if (!psc_stash_exit(nr, &s)) {
		if (!psc_current_wanted())
			return;
		flags = poll_args_at_exit(regs, nr, &s);
	}
	e = psc_emit_reserve(sizeof(*e), PSC_EV_POLL_WAIT);
	if (!e)
		return;
	e->flags = flags;
	e->enter_ns = s.enter_ns;
	e->nfds = s.args[4];
	e->timeout_ns = s.args[5];
	e->kind = kind;
	e->ret = ret;
	psc_submit(e);
}

#endif /* __PSC_EPOLL_SYS_BPF_H */
