/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * I/O readiness timelines: per (process, epfd) the interest list from epoll_ctl, every wait
 * with its ready fds mapped back through it, wait statistics and a latency histogram; the
 * poll/select family per process; and the link from a unix send to the wait it woke. Pure.
 */
#ifndef __PSC_EPOLL_TL_H
#define __PSC_EPOLL_TL_H

#include <stdbool.h>
#include <stdint.h>
#include "hist.h"
#include "model.h"

#define EPOLL_TL_HIST HIST_BUCKETS /* log2 buckets of wait duration in ns (hist.h) */

/* One registration in an epoll interest list */
struct epoll_reg {
	int32_t fd;
	uint32_t events; /* interest mask */
	uint64_t data;
	struct psc_fd_info target;
	uint64_t added_ts;
	uint64_t ready; /* times it came back ready */
	uint32_t ready_mask; /* every event bit it came back with */
	bool live; /* not deleted */
};

/* Who owns a set: a copy, since the process entry may be retired before the summary */
struct epoll_owner {
	uint32_t pid;
	uint32_t seq; /* proc->seq */
	uint64_t start_ns;
	char comm[PSC_COMM_LEN];
};

/* One epoll instance of one process */
struct epoll_set {
	const struct proc *owner; /* NULL once the process entry is retired */
	struct epoll_owner who;
	int32_t epfd;
	uint64_t created_ts; /* 0: made before the trace */
	struct epoll_reg *regs;
	size_t nregs;
	size_t cap;
	uint64_t waits;
	uint64_t timeouts; /* returned 0 */
	uint64_t eintr;
	uint64_t errors; /* other negative returns */
	uint64_t ready_events; /* entries returned */
	uint64_t unmapped; /* ready entries whose data matched no known registration */
	uint64_t zero_timeout_empty; /* timeout 0 and nothing ready: busy polling */
	uint64_t capped;
	uint64_t wait_ns; /* total time blocked */
	uint64_t max_wait_ns;
	uint64_t hist[EPOLL_TL_HIST];
	uint64_t wakes_linked; /* waits woken by a traced unix send */
	uint64_t wake_lat_hist[EPOLL_TL_HIST];
};

/* poll/select/ppoll/pselect6 use of one process */
struct poll_use {
	const struct proc *owner; /* NULL once the process entry is retired */
	struct epoll_owner who;
	uint32_t kind; /* PSC_POLL_* */
	uint64_t calls;
	uint64_t timeouts;
	uint64_t ready;
	uint64_t nfds_total;
	uint64_t wait_ns;
	uint64_t hist[EPOLL_TL_HIST];
};

/* A ready entry of the last wait, mapped back (valid after applying an epoll_wait) */
struct epoll_ready_fd {
	int32_t fd; /* -1 when unmapped */
	uint32_t events;
	const struct epoll_reg *reg;
};

struct epoll_tl;

extern const struct model_group_ops epoll_group_ops;

struct epoll_tl *epoll_tl__new(void);
void epoll_tl__free(struct epoll_tl *tl);
int epoll_tl__apply(struct epoll_tl *tl, struct model *m, const union psc_event *ev,
		    const struct proc *owner);
/* @p leaves the process table: its sets keep their copy of who owned them */
void epoll_tl__retire(struct epoll_tl *tl, const struct proc *p);

/* The set (owner, epfd), NULL if unknown */
struct epoll_set *epoll_tl__find_set(const struct epoll_tl *tl, const struct proc *owner,
				     int32_t epfd);
/* Every set, in creation order */
struct epoll_set *const *epoll_tl__sets(const struct epoll_tl *tl, size_t *n);
struct poll_use *const *epoll_tl__polls(const struct epoll_tl *tl, size_t *n);
/* The ready fds of the epoll_wait just applied */
const struct epoll_ready_fd *epoll_tl__last_ready(const struct epoll_tl *tl, size_t *n);

/* "IN|OUT|ET", for an events mask */
const char *epoll_events_str(uint32_t events, char *buf, size_t size);
/* Busy polling: many waits with a zero timeout that found nothing */
bool epoll_set_is_busy_polling(const struct epoll_set *s);

/* How the group draws on the timelines (its _timeline.c; struct timeline_ops in timeline.h) */
struct timeline_ops;
extern const struct timeline_ops epoll_timeline_ops;

#endif /* __PSC_EPOLL_TL_H */
