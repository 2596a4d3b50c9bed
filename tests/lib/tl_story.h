/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Synthetic event streams for the timeline tests: one builder per record kind, applied to a
 * model at once (the test fails if the model refuses), and "the story" both timeline suites draw.
 */
#ifndef __PSC_TL_STORY_H
#define __PSC_TL_STORY_H

#include <stdint.h>
#include "model.h"

#define US 1000ull
#define MS 1000000ull
#define BASE (1000000ull * MS) /* CLOCK_BOOTTIME at the trace start: 1000 s after boot */
#define T(ms) (BASE + (uint64_t)((ms)*MS))
#define ST(pid) (BASE - 20 * MS + (uint64_t)(pid)*1000 + 17) /* start of a pre-trace proc */
#define HOSTILE_COMM "q\"b\\n\n\x1b[2J\t\x01\xff"

#define P1 ST(1)
#define P100 ST(100)
#define P150 ST(150)
#define P200 (T(1) - 2 * US)
#define P201 (T(3) - 2 * US)
#define P202 (T(12) - 2 * US)
#define P203 (T(13) - 2 * US)
#define P204 (T(50) - 2 * US)
#define P205 (T(52) - 2 * US)
#define END T(500)

void ev_apply(struct model *m, const union psc_event *ev);

void ev_seed(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t ppid,
	     uint64_t pstart, char state, const char *comm);

/* @pid (thread @tid) forks @child; the child starts 2 us before the tracepoint fires */
void ev_fork(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
	     uint32_t child, const char *comm);

void ev_thread(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid);

/* Thread @tid of @pid exits (not the last one) */
void ev_thread_exit(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid);

void ev_exec(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, const char *comm,
	     const char *filename, const char *args, uint32_t args_len);

void ev_exit(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t status,
	     uint32_t flags, uint32_t parent, uint64_t pstart, uint32_t reaper, uint64_t rstart);

void ev_reap(struct model *m, uint64_t ts, uint32_t waiter, uint64_t wstart, uint32_t pid,
	     uint32_t status);

void ev_free(struct model *m, uint64_t ts, uint32_t pid, uint64_t start);

void ev_epoll_ctl(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		  int32_t epfd, int32_t fd, uint64_t ino);

/* A wait from @enter to @ts; @fd ready (IN) when >= 0 */
void ev_epoll_wait(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		   uint64_t enter, int32_t epfd, int32_t fd);

void ev_poll_wait(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		  uint64_t enter);

/* sk_data_ready in the sender (@pid/@tid): socket @ino became readable */
void ev_unix_wake(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		  uint64_t ino);

void tl_story(struct model *m);

#endif /* __PSC_TL_STORY_H */
