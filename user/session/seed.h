/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Catch-up from /proc at attach: the processes that existed before the trace, and for a traced
 * tree (-p, a command) its members put in the kernel's tracked map.
 */
#ifndef __PSC_SEED_H
#define __PSC_SEED_H

#include <stdbool.h>
#include <stdint.h>

struct model;
struct loader;

struct seed_scope {
	uint32_t root_pid; /* -p PID or the command; 0 = system-wide */
	bool command; /* a launched command: procscope itself is its parent, seed it too */
	uint32_t groups; /* PSC_GROUP_* traced: what seed_fds() reads */
};

/* Put @sc's root and its live descendants in the kernel's tracked map. 0 or -errno. */
int seed_track(struct loader *ld, const struct seed_scope *sc);

/*
 * Seed @m with the processes /proc lists (the root's subtree and ancestors for a tree, all of
 * them system-wide), parents before children, each with its exact start from @ld's task
 * iterator. Prints its errors. 0 or -errno.
 */
int seed_model(struct model *m, struct loader *ld, const struct seed_scope *sc);

/*
 * For a traced tree (-p): seed @m with the epoll registrations its processes made before the
 * trace (PSC_EV_EPOLL_SEED records, from /proc/PID/fdinfo) and the unix sockets they hold
 * (PSC_EV_UNIX_SEED, from /proc/PID/fd and sock_diag), and have the kernel side watch those
 * sockets (loader_watch_socket()). What cannot be read is warned about, and for an
 * epoll fd recorded as a seed with the error. 0 or -ENOMEM.
 */
int seed_fds(struct model *m, struct loader *ld, const struct seed_scope *sc);

#endif /* __PSC_SEED_H */
