/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ring-buffer ABI of the epoll group: epoll_create, epoll_ctl, epoll_wait (and pwait/pwait2),
 * and the poll/select family for comparison. Included by psc_events.h only.
 */
#ifndef __PSC_EPOLL_H
#define __PSC_EPOLL_H

#define PSC_EPOLL_MAX_READY 16 /* ready entries copied per wait; more are counted, not copied */

struct psc_ev_epoll_create {
	struct psc_ev_hdr hdr;
	__s32 ret; /* the new epfd, or -errno */
	__u32 flags; /* epoll_create1 flags */
};

struct psc_ev_epoll_ctl {
	struct psc_ev_hdr hdr;
	__s32 epfd;
	__s32 op; /* EPOLL_CTL_ADD 1, DEL 2, MOD 3 */
	__s32 fd;
	__s32 ret; /* 0 or -errno */
	__u32 events; /* interest mask incl. EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE */
	__u32 __pad;
	__u64 data; /* the user's epoll_data (often the fd, sometimes a pointer) */
	struct psc_fd_info target; /* what fd is */
};

struct psc_epoll_ready {
	__u32 events;
	__u32 __pad;
	__u64 data;
};

#define PSC_WAIT_PWAIT (1u << 0) /* epoll_pwait */
#define PSC_WAIT_PWAIT2 (1u << 1) /* epoll_pwait2 */
#define PSC_WAIT_CAPPED (1u << 2) /* ret > PSC_EPOLL_MAX_READY: only the first ones copied */
#define PSC_WAIT_UNREAD (1u << 3) /* the user's array could not be read */
/*
 * Both waits' flags: its entry was not seen (it began before the trace: a -p target or any
 * process system-wide blocked at attach). enter_ns is 0, its duration unknown; the arguments
 * were read from the registers at exit.
 */
#define PSC_WAIT_EARLY (1u << 4)
/* poll_wait: timeout_ns unknown (0): the kernel rewrote the timeout before an unseen entry */
#define PSC_WAIT_TIMEOUT_UNKNOWN (1u << 5)

/* One wait, emitted at return: the interval [enter_ns, hdr.ts_ns] (enter_ns 0: PSC_WAIT_EARLY) */
struct psc_ev_epoll_wait {
	struct psc_ev_hdr hdr;
	__u64 enter_ns;
	__s64 timeout_ns; /* -1: infinite */
	__s32 epfd;
	__s32 maxevents;
	__s32 ret; /* ready count, 0 = timeout, -errno (EINTR...) */
	__u32 flags; /* PSC_WAIT_* */
	__u32 nready; /* entries copied into ready[] */
	__u32 __pad;
	struct psc_epoll_ready ready[PSC_EPOLL_MAX_READY];
};

enum psc_poll_kind {
	PSC_POLL_POLL = 1,
	PSC_POLL_PPOLL = 2,
	PSC_POLL_SELECT = 3,
	PSC_POLL_PSELECT6 = 4,
};

struct psc_ev_poll_wait {
	struct psc_ev_hdr hdr;
	__u64 enter_ns;
	__s64 timeout_ns; /* -1: infinite */
	__u32 kind; /* PSC_POLL_* */
	__u32 nfds; /* poll: entries; select: highest fd + 1 */
	__s32 ret;
	__u32 flags; /* PSC_WAIT_EARLY, PSC_WAIT_TIMEOUT_UNKNOWN */
};

_Static_assert(sizeof(struct psc_ev_epoll_create) == 40, "psc_ev_epoll_create ABI");
_Static_assert(sizeof(struct psc_ev_epoll_ctl) == 96, "psc_ev_epoll_ctl ABI");
_Static_assert(sizeof(struct psc_ev_epoll_wait) == 328, "psc_ev_epoll_wait ABI");
_Static_assert(sizeof(struct psc_ev_poll_wait) == 64, "psc_ev_poll_wait ABI");

#endif /* __PSC_EPOLL_H */
