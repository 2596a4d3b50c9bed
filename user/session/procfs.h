/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * /proc readers: processes that existed before the trace (seeds) and -p descendants.
 */
#ifndef __PSC_PROCFS_H
#define __PSC_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "decode.h"

/* include/linux/sched.h: the task is in exit() (not in BTF, nor in a uapi header) */
#define PROCFS_PF_EXITING 0x00000004u

struct procfs_stat {
	uint32_t pid;
	uint32_t ppid;
	uint32_t nr_threads;
	char state;
	bool exiting; /* PF_EXITING in field 9: in exit(), before /proc shows it a zombie */
	char comm[PSC_COMM_LEN];
	uint64_t start_ticks; /* field 22: clock ticks since boot */
	uint64_t start_exact_ns; /* the kernel's start_boottime, 0 if unknown: procfs_refine() */
};

struct procfs_snapshot {
	struct procfs_stat *procs; /* sorted by pid */
	size_t n;
};

/* Parse a /proc/PID/stat line (comm may hold spaces and parentheses). 0 or -EINVAL. Pure. */
int procfs_parse_stat(const char *buf, size_t len, struct procfs_stat *st);
/* Read /proc/PID/stat; -ENOENT if the process is gone */
int procfs_read_stat(uint32_t pid, struct procfs_stat *st);
/* Nanoseconds per clock tick of /proc start times */
uint64_t procfs_tick_ns(void);
/* Every process in /proc, sorted by pid. 0 or -errno. */
int procfs_snapshot(struct procfs_snapshot *snap);
void procfs_snapshot_free(struct procfs_snapshot *snap);
const struct procfs_stat *procfs_snapshot_find(const struct procfs_snapshot *snap, uint32_t pid);
/*
 * Fill @out with @root and its descendants in @snap, parents before children. Returns how many,
 * or -ENOMEM. *out is malloc'ed.
 */
int procfs_descendants(const struct procfs_snapshot *snap, uint32_t root, uint32_t **out);
/*
 * Give each process of @snap its exact start from @v (the kernel's, sorted by tgid: see
 * loader_proc_starts()) when it is the same process: same pid, and its start falls in the
 * clock tick /proc gave. Pure.
 */
void procfs_refine(struct procfs_snapshot *snap, const struct psc_proc_start *v, size_t n,
		   uint64_t tick_ns);
/* @st's start in ns: exact when known, else /proc's clock ticks (rounded down) */
uint64_t procfs_start_ns(const struct procfs_stat *st);
/* Has process @st exited (a zombie, or its one thread inside exit())? Pure. */
bool procfs_exited(const struct procfs_stat *st);
/* Zero @ev and fill the header of a seed record about process @st (procfs_start_ns()), at @now_ns */
void procfs_seed_hdr(union psc_event *ev, uint32_t type, uint32_t size,
		     const struct procfs_stat *st, uint64_t now_ns);
/* A seed event for one process (start and parent start from the snapshot when it has them) */
void procfs_make_seed(const struct procfs_snapshot *snap, const struct procfs_stat *st,
		      uint64_t now_ns, union psc_event *ev);

/* One registration of an epoll fd, as /proc/PID/fdinfo/EPFD lists it */
struct procfs_epoll_reg {
	int32_t tfd; /* the registered fd */
	uint32_t events; /* interest mask */
	uint64_t data; /* the user's epoll_data, all 64 bits */
};

/* One unix socket, from sock_diag (the peer is what ss -x shows) */
struct procfs_unix {
	uint64_t ino;
	uint64_t peer_ino; /* 0: not connected */
	uint32_t type; /* PSC_SOCK_* */
	uint32_t state; /* TCP_LISTEN (10), TCP_ESTABLISHED (1)... */
	struct psc_unix_addr path; /* bound path, len 0 if none */
};

/* The open fds of @pid (*out malloc'ed, *n of them). 0 or -errno. */
int procfs_list_fds(uint32_t pid, int32_t **out, size_t *n);
/* What fd @fd of @pid refers to (stat() and readlink() of /proc/PID/fd/FD). 0 or -errno. */
int procfs_fd_info(uint32_t pid, int32_t fd, struct psc_fd_info *fi);
/*
 * Parse the fdinfo text of an epoll fd: one registration per "tfd:" line (*out malloc'ed).
 * 0, -EBADMSG for a tfd line that does not parse, -ENOMEM. Pure.
 */
int procfs_parse_epoll_fdinfo(const char *buf, size_t len, struct procfs_epoll_reg **out,
			      size_t *n);
/* Read /proc/PID/fdinfo/EPFD's registrations. 0 or -errno. */
int procfs_read_epoll(uint32_t pid, int32_t epfd, struct procfs_epoll_reg **out, size_t *n);
/* Every unix socket of the system (sock_diag), sorted by inode. 0 or -errno. */
int procfs_unix_table(struct procfs_unix **out, size_t *n);
const struct procfs_unix *procfs_unix_find(const struct procfs_unix *tab, size_t n, uint64_t ino);

#endif /* __PSC_PROCFS_H */
