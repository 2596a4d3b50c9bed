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
/*
 * Rows of exited processes kept whole once their process leaves the table, each kind: the
 * ones with the most waits (calls). The others are folded into struct epoll_folded, so memory
 * stays bounded on traces of any length while totals and histograms stay exact.
 */
#define EPOLL_TL_KEEP_RETIRED 256

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
	uint64_t seq; /* creation order */
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
	uint64_t early; /* waits that began before the trace: no duration (PSC_WAIT_EARLY) */
	uint64_t wait_ns; /* total time blocked, of the waits with a known start */
	uint64_t max_wait_ns;
	uint64_t hist[EPOLL_TL_HIST];
	uint64_t wakes_linked; /* waits woken by a traced unix send */
	uint64_t wake_lat_hist[EPOLL_TL_HIST];
};

/* poll/select/ppoll/pselect6 use of one process */
struct poll_use {
	const struct proc *owner; /* NULL once the process entry is retired */
	struct epoll_owner who;
	uint64_t seq; /* creation order */
	uint32_t kind; /* PSC_POLL_* */
	uint64_t calls;
	uint64_t timeouts;
	uint64_t ready;
	uint64_t nfds_total;
	uint64_t early; /* calls that began before the trace: no duration */
	uint64_t wait_ns;
	uint64_t hist[EPOLL_TL_HIST];
};

/* What the sets and poll rows folded away add up to (EPOLL_TL_KEEP_RETIRED) */
struct epoll_folded {
	uint64_t sets; /* epoll sets with a wait or a registration */
	uint64_t waits;
	uint64_t timeouts;
	uint64_t ready_events;
	uint64_t early;
	uint64_t wait_ns;
	uint64_t wakes_linked;
	uint64_t hist[EPOLL_TL_HIST];
	uint64_t wake_lat_hist[EPOLL_TL_HIST];
	uint64_t polls; /* poll rows (process, syscall) */
	uint64_t poll_calls;
	uint64_t poll_timeouts;
	uint64_t poll_ready;
	uint64_t poll_nfds;
	uint64_t poll_early;
	uint64_t poll_wait_ns;
	uint64_t poll_hist[EPOLL_TL_HIST];
};

/* A ready entry of the last wait, mapped back (valid after applying an epoll_wait) */
struct epoll_ready_fd {
	int32_t fd; /* -1 when unmapped */
	uint32_t events;
	const struct epoll_reg *reg;
};

struct epoll_tl;

extern const struct model_group_ops epoll_group_ops;

struct epoll_tl *epoll_tl_new(void);
void epoll_tl_free(struct epoll_tl *tl);
int epoll_tl_apply(struct epoll_tl *tl, struct model *m, const union psc_event *ev,
		   const struct proc *owner);
/*
 * @p exited or leaves the process table (the first of the two): its sets and poll rows keep a
 * copy of who owned them, and only the EPOLL_TL_KEEP_RETIRED busiest of those stay whole (the
 * rest are folded). A second call for @p does nothing.
 */
void epoll_tl_retire(struct epoll_tl *tl, const struct proc *p);

/* The set (owner, epfd), NULL if unknown */
struct epoll_set *epoll_tl_find_set(const struct epoll_tl *tl, const struct proc *owner,
				    int32_t epfd);
/* Every set and poll row kept, in no particular order (seq gives the creation order) */
struct epoll_set *const *epoll_tl_sets(const struct epoll_tl *tl, size_t *n);
struct poll_use *const *epoll_tl_polls(const struct epoll_tl *tl, size_t *n);
/*
 * The sets with a wait or a registration, busiest first (waits, then creation), or the poll
 * rows by calls: a new array (free it), NULL with *n = 0 when there is none or no memory.
 */
struct epoll_set **epoll_tl_ranked_sets(const struct epoll_tl *tl, size_t *n);
struct poll_use **epoll_tl_ranked_polls(const struct epoll_tl *tl, size_t *n);
/* What was folded away */
const struct epoll_folded *epoll_tl_folded(const struct epoll_tl *tl);
/* Unix wakes waiting for an epoll_wait to return (only sockets a live set watches) */
size_t epoll_tl_pending(const struct epoll_tl *tl);
/* The ready fds of the epoll_wait just applied */
const struct epoll_ready_fd *epoll_tl_last_ready(const struct epoll_tl *tl, size_t *n);

/* "IN|OUT|ET", for an events mask */
const char *epoll_events_str(uint32_t events, char *buf, size_t size);
/* Busy polling: many waits with a zero timeout that found nothing */
bool epoll_set_is_busy_polling(const struct epoll_set *s);

/* How the group draws on the timelines (its _timeline.c; struct timeline_ops in timeline.h) */
struct timeline_ops;
extern const struct timeline_ops epoll_timeline_ops;

#endif /* __PSC_EPOLL_TL_H */
