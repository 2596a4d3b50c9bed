// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The event builders and the story of tl_story.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include "testlib.h"
#include "tl_story.h"

/* ---- event constructors ---- */

void ev_apply(struct model *m, const union psc_event *ev)
{
	assert_int_equal(model_apply(m, ev), 0);
}

void ev_seed(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t ppid,
	     uint64_t pstart, char state, const char *comm)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_SEED, ts, pid, pid, start);
	ev.seed.parent_tgid = ppid;
	ev.seed.parent_start_ns = pstart;
	ev.seed.nr_threads = 1;
	ev.seed.state = (unsigned char)state;
	snprintf(ev.seed.comm, sizeof(ev.seed.comm), "%s", comm);
	ev_apply(m, &ev);
}

/* @pid (thread @tid) forks @child; the child starts 2 us before the tracepoint fires */
void ev_fork(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
	     uint32_t child, const char *comm)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FORK, ts, pid, tid, start);
	ev.fork.parent_tgid = pid;
	ev.fork.parent_start_ns = start;
	ev.fork.child_tgid = child;
	ev.fork.child_tid = child;
	ev.fork.child_start_ns = ts - 2 * US;
	snprintf(ev.fork.comm, sizeof(ev.fork.comm), "%s", comm);
	ev_apply(m, &ev);
}

void ev_thread(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FORK, ts, pid, pid, start);
	ev.fork.child_tgid = pid;
	ev.fork.child_tid = tid;
	ev.fork.child_start_ns = start;
	ev.fork.flags = PSC_FORK_THREAD;
	ev_apply(m, &ev);
}

void ev_thread_exit(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_EXIT, ts, pid, tid, start);
	ev.exit.parent_tgid = pid;
	ev.exit.parent_start_ns = start;
	ev_apply(m, &ev);
}

void ev_exec(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, const char *comm,
	     const char *filename, const char *args, uint32_t args_len)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_EXEC, ts, pid, pid, start);
	ev.exec.old_tid = pid;
	memcpy(ev.exec.comm, comm, strnlen(comm, sizeof(ev.exec.comm) - 1));
	snprintf(ev.exec.filename, sizeof(ev.exec.filename), "%s", filename);
	memcpy(ev.exec.args, args, args_len);
	ev.exec.args_len = args_len;
	ev_apply(m, &ev);
}

void ev_exit(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t status,
	     uint32_t flags, uint32_t parent, uint64_t pstart, uint32_t reaper, uint64_t rstart)
{
	union psc_event ev;
	const struct proc *p = proctree_find(m->tree, pid, start);

	tl_ev_hdr(&ev, PSC_EV_PROC_EXIT, ts, pid, pid, start);
	ev.exit.exit_code = status;
	ev.exit.flags = flags | PSC_EXIT_GROUP_DEAD;
	ev.exit.parent_tgid = parent;
	ev.exit.parent_start_ns = pstart;
	ev.exit.reaper_tgid = reaper;
	ev.exit.reaper_start_ns = rstart;
	if (p)
		memcpy(ev.exit.comm, p->comm, sizeof(ev.exit.comm));
	ev_apply(m, &ev);
}

void ev_reap(struct model *m, uint64_t ts, uint32_t waiter, uint64_t wstart, uint32_t pid,
	     uint32_t status)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_REAP, ts, waiter, waiter, wstart);
	ev.reap.reaped_tgid = pid;
	ev.reap.status = status;
	ev_apply(m, &ev);
}

void ev_free(struct model *m, uint64_t ts, uint32_t pid, uint64_t start)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FREE, ts, pid, pid, start);
	ev_apply(m, &ev);
}

void ev_epoll_ctl(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		  int32_t epfd, int32_t fd, uint64_t ino)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_EPOLL_CTL, ts, pid, tid, start);
	ev.epoll_ctl.epfd = epfd;
	ev.epoll_ctl.op = 1;
	ev.epoll_ctl.fd = fd;
	ev.epoll_ctl.events = 0x1;
	ev.epoll_ctl.data = (uint64_t)fd;
	ev.epoll_ctl.target.ino = ino;
	ev.epoll_ctl.target.kind = PSC_FD_SOCKET;
	ev.epoll_ctl.target.sock_family = 1;
	ev_apply(m, &ev);
}

/* A wait from @enter to @ts; @fd ready (IN) when >= 0 */
void ev_epoll_wait(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		   uint64_t enter, int32_t epfd, int32_t fd)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_EPOLL_WAIT, ts, pid, tid, start);
	ev.epoll_wait.enter_ns = enter;
	ev.epoll_wait.timeout_ns = -1;
	ev.epoll_wait.epfd = epfd;
	ev.epoll_wait.maxevents = 8;
	if (fd >= 0) {
		ev.epoll_wait.ret = 1;
		ev.epoll_wait.nready = 1;
		ev.epoll_wait.ready[0].events = 0x1;
		ev.epoll_wait.ready[0].data = (uint64_t)fd;
	}
	ev_apply(m, &ev);
}

void ev_poll_wait(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		  uint64_t enter)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_POLL_WAIT, ts, pid, tid, start);
	ev.poll_wait.enter_ns = enter;
	ev.poll_wait.timeout_ns = 10 * MS;
	ev.poll_wait.kind = PSC_POLL_PPOLL;
	ev.poll_wait.nfds = 2;
	ev_apply(m, &ev);
}

/* sk_data_ready in the sender (@pid/@tid): socket @ino became readable */
void ev_unix_wake(struct model *m, uint64_t ts, uint32_t pid, uint64_t start, uint32_t tid,
		  uint64_t ino)
{
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_UNIX_WAKE, ts, pid, tid, start);
	ev.unix_wake.ino = ino;
	ev.unix_wake.sk_id = 77;
	ev_apply(m, &ev);
}

/*
 * The story (ms since the trace start): init (1) and shell (100) exist before the trace, and a
 * zombie (150) too. shell forks server (200), which execs, forks worker (201) and gets a
 * thread 210 that waits in epoll on a socket worker sends to. server forks sleeper (202), which
 * forks 203 and exits: 203 is orphaned to init. worker exits 3 and stays a zombie for 300 ms.
 * A hostile-named child (204) is SIGKILLed; 205 is auto-reaped. 200 and 203 run to the end.
 */

void tl_story(struct model *m)
{
	static const char hostile_file[] = "/tmp/<script>&\"x\x1b[31m";
	static const char hostile_args[] = "a\x07"
					   "b\0<c>\0";
	uint64_t lost[PSC_EV_TYPE_MAX] = { 0 };

	ev_seed(m, T(0), 1, P1, 0, 0, 'S', "init");
	ev_seed(m, T(0), 100, P100, 1, P1, 'S', "shell");
	ev_seed(m, T(0), 150, P150, 1, P1, 'Z', "defunct");
	ev_fork(m, T(1), 100, P100, 100, 200, "shell");
	ev_exec(m, T(2), 200, P200, "server", "/usr/bin/server", "server\0--port\0008080", 19);
	ev_fork(m, T(3), 200, P200, 200, 201, "server");
	ev_exec(m, T(3.5), 201, P201, "worker", "/usr/bin/worker", "worker", 7);
	ev_thread(m, T(3.6), 200, P200, 210);
	ev_epoll_ctl(m, T(3.8), 200, P200, 210, 3, 5, 5000);
	/* 201 sends at 9.9 ms; 210 wakes at 10.02 ms */
	ev_unix_wake(m, T(9.9), 201, P201, 201, 5000);
	ev_epoll_wait(m, T(10.02), 200, P200, 210, T(4), 3, 5);
	/* a second wait straight after, and one that times out */
	ev_epoll_wait(m, T(11), 200, P200, 210, T(10.03), 3, -1);
	ev_fork(m, T(12), 200, P200, 200, 202, "server");
	ev_fork(m, T(13), 202, P202, 202, 203, "server");
	ev_exit(m, T(14), 202, P202, 0, 0, 200, P200, 1, P1);
	ev_reap(m, T(14.5), 200, P200, 202, 0);
	ev_exit(m, T(20), 201, P201, 3 << 8, 0, 200, P200, 0, 0);
	ev_poll_wait(m, T(40), 200, P200, 200, T(30));
	ev_fork(m, T(50), 200, P200, 200, 204, HOSTILE_COMM);
	ev_exec(m, T(51), 204, P204, HOSTILE_COMM, hostile_file, hostile_args,
		sizeof(hostile_args) - 1);
	ev_fork(m, T(52), 200, P200, 200, 205, "server");
	ev_exit(m, T(53), 205, P205, 0, PSC_EXIT_AUTOREAP, 200, P200, 0, 0);
	ev_exit(m, T(60), 204, P204, 9, 0, 200, P200, 0, 0);
	ev_reap(m, T(61), 200, P200, 204, 9);
	lost[PSC_EV_PROC_FORK] = 3;
	model_lost(m, T(70), lost);
	ev_free(m, T(80), 150, P150);
	/* the main thread waits too: nested inside the lifetime slice */
	ev_epoll_wait(m, T(150), 200, P200, 200, T(100), 3, -1);
	ev_reap(m, T(320), 200, P200, 201, 3 << 8);
}
