/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The link between a unix send and the epoll_wait it woke: the one fact the model derives
 * across two groups. Pure.
 */
#ifndef __PSC_WAKE_LINK_H
#define __PSC_WAKE_LINK_H

#include <stdint.h>

/*
 * A unix send that made a socket readable, linked to the epoll_wait it woke: valid during the
 * sinks' event callback of that epoll_wait (model->links, model->nlinks).
 *
 * The join: the epoll group keeps the last unsent wake per socket inode (unix_wake records)
 * and, when a wait returns a registration on that inode, appends a link in its apply(). Groups
 * that attribute links (the unix group: per-socket wake latency) do it in their wake_links()
 * hook, which the model runs after every group's apply(); the sinks read the links as facts of
 * the event, like the process tree.
 */
struct wake_link {
	uint64_t send_ts; /* CLOCK_BOOTTIME of the sk_data_ready */
	uint32_t sender_pid;
	uint32_t sender_tid;
	uint64_t sender_start_ns;
	uint64_t ino; /* the receiving socket */
	int32_t fd; /* its fd in the waiter */
	uint32_t __pad;
	uint64_t latency_ns; /* send -> the waiter's return */
};

#define MODEL_MAX_LINKS 16

#endif /* __PSC_WAKE_LINK_H */
