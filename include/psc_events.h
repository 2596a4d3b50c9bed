/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The ring-buffer ABI between the BPF programs and the userspace loader.
 * Included by both sides: fixed-width fields only, no implicit padding, sizes asserted.
 */
#ifndef __PSC_EVENTS_H
#define __PSC_EVENTS_H

#ifdef __bpf__
#include "vmlinux.h"
#else
#include <linux/types.h>
#endif

#define PSC_ABI_VERSION 1

#define PSC_COMM_LEN 16
#define PSC_PATH_LEN 256
#define PSC_ARGS_LEN 256

/* Event types: explicit values, never reused. Ranges: proc 1..15, epoll 16..31, unix 32..47, sched 48..63. */
enum psc_ev_type {
	PSC_EV_PROC_FORK = 1,
	PSC_EV_PROC_EXEC = 2,
	PSC_EV_PROC_EXIT = 3,
	PSC_EV_PROC_REAP = 4,
	PSC_EV_PROC_FREE = 5,
	/* Made in userspace from /proc for processes older than the trace; never in the ring. */
	PSC_EV_PROC_SEED = 6,
	PSC_EV_PROC_RENAME = 7, /* task_rename of a leader: prctl(PR_SET_NAME), /proc/PID/comm */

	PSC_EV_EPOLL_CREATE = 16,
	PSC_EV_EPOLL_CTL = 17,
	PSC_EV_EPOLL_WAIT = 18,
	PSC_EV_POLL_WAIT = 19, /* poll, ppoll, select, pselect6 */
	/*
	 * Made in userspace from /proc/PID/fdinfo for epoll registrations older than the trace
	 * (-p); never in the ring. A struct psc_ev_epoll_ctl: op ADD, ret 0; ret < 0 (and fd -1)
	 * says the interest list of epfd could not be read.
	 */
	PSC_EV_EPOLL_SEED = 20,

	PSC_EV_UNIX_SOCKET = 32, /* socket() or socketpair() of AF_UNIX */
	PSC_EV_UNIX_BIND = 33,
	PSC_EV_UNIX_LISTEN = 34,
	PSC_EV_UNIX_CONNECT = 35,
	PSC_EV_UNIX_ACCEPT = 36,
	PSC_EV_UNIX_SEND = 37,
	PSC_EV_UNIX_RECV = 38,
	PSC_EV_UNIX_SHUTDOWN = 39,
	PSC_EV_UNIX_CLOSE = 40,
	PSC_EV_UNIX_WAKE = 41, /* sk_data_ready: a send made the peer readable */
	PSC_EV_UNIX_SENDMSG = 42, /* a send with a destination address and/or SCM_RIGHTS fds */
	/* Made in userspace from /proc and sock_diag for sockets older than the trace (-p) */
	PSC_EV_UNIX_SEED = 43,

	PSC_EV_SCHED_STATS = 48, /* a thread's state times: periodic, at exit, at the end */
	PSC_EV_SCHED_PRIO = 49, /* nice/policy change (or a refused one) */
	PSC_EV_SCHED_STATE = 50, /* a thread stopped or continued */
	PSC_EV_SCHED_SLICE = 51, /* one run on a CPU and the wait before it (timeline mode) */

	PSC_EV_TYPE_MAX = 64,
};

/* Event groups, selectable with -e. */
enum psc_group {
	PSC_GROUP_PROC = 1u << 0,
	PSC_GROUP_EPOLL = 1u << 1,
	PSC_GROUP_UNIX = 1u << 2,
	PSC_GROUP_SCHED = 1u << 3,
	PSC_GROUP_LAST = PSC_GROUP_SCHED, /* the highest bit: loops over groups stop here */
	PSC_GROUP_ALL = PSC_GROUP_PROC | PSC_GROUP_EPOLL | PSC_GROUP_UNIX | PSC_GROUP_SCHED,
};

/* What an fd refers to, as the kernel tells it (epoll_ctl targets, unix socket ends) */
enum psc_fd_kind {
	PSC_FD_UNKNOWN = 0,
	PSC_FD_FILE = 1,
	PSC_FD_DIR = 2,
	PSC_FD_FIFO = 3, /* pipes too */
	PSC_FD_SOCKET = 4,
	PSC_FD_CHR = 5,
	PSC_FD_BLK = 6,
	PSC_FD_ANON = 7, /* anon inode: eventfd, timerfd, signalfd, epoll... (name says which) */
};

struct psc_fd_info {
	__u64 ino; /* the number fstat() and ss -x show */
	__u32 kind; /* PSC_FD_* */
	__u16 sock_family; /* AF_* for sockets */
	__u16 sock_type; /* SOCK_* for sockets */
	char name[16]; /* anon inode name, e.g. "[eventfd]" */
};

/*
 * Every record starts with this header. ts_ns is CLOCK_BOOTTIME (bpf_ktime_get_boot_ns()).
 * tgid/tid/start_ns name the task the event is about: the calling task for most events, the
 * freed task for PSC_EV_PROC_FREE. start_ns is the thread-group leader's start_boottime, the
 * same clock as ts_ns (and /proc/PID/stat field 22, in clock ticks): (tgid, start_ns) names a
 * process for its whole life, and pid reuse gives a new start_ns.
 */
struct psc_ev_hdr {
	__u64 ts_ns;
	__u64 start_ns;
	__u32 type;
	__u32 size; /* of the whole record */
	__u32 tgid;
	__u32 tid;
};

/* fork/clone/vfork: hdr is the calling thread; the child is a new process or a new thread */
#define PSC_FORK_THREAD (1u << 0) /* CLONE_THREAD: a new thread of hdr.tgid, not a process */

struct psc_ev_proc_fork {
	struct psc_ev_hdr hdr;
	__u64 parent_start_ns; /* start of the real parent (differs from hdr under CLONE_PARENT) */
	__u64 child_start_ns; /* the child's group leader start_boottime */
	__u32 parent_tgid; /* child->real_parent->tgid */
	__u32 child_tgid;
	__u32 child_tid;
	__u32 flags; /* PSC_FORK_* */
	char comm[PSC_COMM_LEN]; /* the child's comm (inherited from the parent) */
};

#define PSC_EXEC_ARGS_TRUNC (1u << 0) /* argv longer than PSC_ARGS_LEN */
#define PSC_EXEC_PATH_TRUNC (1u << 1)

/* sched_process_exec: hdr is the process after exec (tid is the new leader) */
struct psc_ev_proc_exec {
	struct psc_ev_hdr hdr;
	__u32 old_tid; /* the thread that called exec: != tgid when a non-leader thread exec'd */
	__u32 flags; /* PSC_EXEC_* */
	__u32 args_len; /* bytes used in args: NUL-separated argv */
	__u32 __pad;
	char comm[PSC_COMM_LEN];
	char filename[PSC_PATH_LEN]; /* NUL-terminated */
	char args[PSC_ARGS_LEN];
};

#define PSC_EXIT_GROUP_DEAD (1u << 0) /* last thread: the process exits */
#define PSC_EXIT_AUTOREAP (1u << 1) /* parent ignores SIGCHLD / SA_NOCLDWAIT: never a zombie */
#define PSC_EXIT_REAPER_SUBREAPER (1u << 2) /* reaper_tgid is a child subreaper, not init */

/*
 * sched_process_exit, once per thread. For the last thread (PSC_EXIT_GROUP_DEAD) exit_code is
 * the wait status the parent's wait() will see: (code << 8) | signal | 0x80 for a core dump.
 */
struct psc_ev_proc_exit {
	struct psc_ev_hdr hdr;
	__u64 parent_start_ns;
	__u64 reaper_start_ns;
	__u32 exit_code; /* wait status */
	__u32 flags; /* PSC_EXIT_* */
	__u32 parent_tgid; /* real parent at exit: the process that must reap this one */
	__u32 reaper_tgid; /* group exit: the process that adopts this one's live children */
	char comm[PSC_COMM_LEN];
};

#define PSC_REAP_WAITID (1u << 0) /* via waitid(); else wait4() */
#define PSC_REAP_STATUS_UNKNOWN (1u << 1) /* no status pointer, or the wait began before attach */

/* wait4/waitid returned a child's exit: hdr is the waiter */
struct psc_ev_proc_reap {
	struct psc_ev_hdr hdr;
	__u32 reaped_tgid;
	__u32 status; /* wait status (wait4), or (si_status << 8 | code) rebuilt for waitid */
	__u32 flags; /* PSC_REAP_* */
	__u32 __pad;
};

/*
 * sched_process_free of a thread-group leader: the task struct is released, an RCU grace period
 * after the reap. hdr names the freed process. The fallback for reaps not seen otherwise.
 */
struct psc_ev_proc_free {
	struct psc_ev_hdr hdr;
};

/*
 * task_rename of a thread-group leader outside exec (exec renames too: the exec record says
 * it): prctl(PR_SET_NAME) by the leader, or a write to /proc/PID/comm, which the kernel allows
 * only within the thread group. hdr names the renamed process (its leader).
 */
struct psc_ev_proc_rename {
	struct psc_ev_hdr hdr;
	__u32 by_tid; /* the thread that renamed it: the leader, or another thread through /proc */
	__u32 __pad;
	char old_comm[PSC_COMM_LEN];
	char comm[PSC_COMM_LEN]; /* the new name, as the kernel keeps it (15 bytes + NUL) */
};

/* PSC_EV_PROC_SEED: a process that existed when tracing started (read from /proc) */
/* psc_ev_proc_seed.flags */
#define PSC_SEED_START_EXACT (1u << 0) /* start_ns is the kernel's, not /proc's clock ticks */

struct psc_ev_proc_seed {
	/* ts_ns = the time base (attach); start_ns exact (seed_starts), else /proc/PID/stat's ticks */
	struct psc_ev_hdr hdr;
	__u64 parent_start_ns;
	__u32 parent_tgid;
	__u32 nr_threads;
	__u32 state; /* the /proc state letter ('Z' for a zombie) */
	__u32 flags; /* PSC_SEED_* */
	char comm[PSC_COMM_LEN];
	char filename[PSC_PATH_LEN]; /* /proc/PID/exe, may be empty */
};

_Static_assert(sizeof(struct psc_ev_hdr) == 32, "psc_ev_hdr ABI");
_Static_assert(sizeof(struct psc_ev_proc_fork) == 80, "psc_ev_proc_fork ABI");
_Static_assert(sizeof(struct psc_ev_proc_exec) == 576, "psc_ev_proc_exec ABI");
_Static_assert(sizeof(struct psc_ev_proc_exit) == 80, "psc_ev_proc_exit ABI");
_Static_assert(sizeof(struct psc_ev_proc_reap) == 48, "psc_ev_proc_reap ABI");
_Static_assert(sizeof(struct psc_ev_proc_free) == 32, "psc_ev_proc_free ABI");
_Static_assert(sizeof(struct psc_ev_proc_seed) == 328, "psc_ev_proc_seed ABI");
_Static_assert(sizeof(struct psc_ev_proc_rename) == 72, "psc_ev_proc_rename ABI");

_Static_assert(sizeof(struct psc_fd_info) == 32, "psc_fd_info ABI");

#include "psc_epoll.h"
#include "psc_unix.h"
#include "psc_sched.h"

/* Kernel-side filter modes (cfg_filter_mode) */
enum psc_filter_mode {
	PSC_FILTER_ALL = 0, /* everything but procscope itself */
	PSC_FILTER_TREE = 1, /* the processes in the tracked map and their descendants */
};

/* psc_tracked.flags */
#define PSC_TRACKED_TICKS (1u << 0) /* start_ns is /proc's start time: clock-tick precision */

/*
 * Value of the tracked map (key: tgid). The entry names one process, (tgid, start_ns): a
 * lookup counts only when the task's group-leader start_boottime matches, so a recycled pid
 * never inherits a dead process's membership (sched_process_free, which deletes the entry,
 * runs an RCU grace period after the pid is free again). Entries seeded from /proc carry the
 * start time in clock ticks (PSC_TRACKED_TICKS) and are compared at that precision.
 */
struct psc_tracked {
	__u64 start_ns; /* group leader's start_boottime */
	__u32 exited; /* the process has exited (a zombie until reaped) */
	__u32 flags; /* PSC_TRACKED_* */
};

/*
 * One live process as the seed_starts task iterator reports it (its seq file, not the ring):
 * the exact start that /proc/PID/stat gives in clock ticks only.
 */
struct psc_proc_start {
	__u32 tgid;
	__u32 __pad;
	__u64 start_ns; /* the group leader's start_boottime */
};

_Static_assert(sizeof(struct psc_proc_start) == 16, "psc_proc_start ABI");

/*
 * Bits of the tracked map's hint (psc_tracked_hint, global data of the BPF object): bit
 * tgid % PSC_TRACKED_HINT_BITS is set before a tgid enters the tracked map and never cleared,
 * so a clear bit means "not tracked" without a map lookup.
 */
#define PSC_TRACKED_HINT_BITS (1u << 19)

/* Index of counters in the per-CPU stats array, besides the per-type drop counters */
enum psc_stat {
	PSC_STAT_TRACK_FULL = 0, /* a descendant could not be added to the tracked map */
	PSC_STAT_MAX = 4,
};

#endif /* __PSC_EVENTS_H */
