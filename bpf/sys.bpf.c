// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every syscall hook in two programs on the raw syscall tracepoints, dispatched by number.
 * Per-syscall tracepoints cost an RCU grace period each on detach (~70 ms apiece here: a trace
 * with 30 of them took seconds to exit) and need tracefs; tp_btf/sys_{enter,exit} need neither.
 */
#include <asm/unistd.h>
#include "common.bpf.h"
#include "proc_sys.bpf.h"
#include "epoll_sys.bpf.h"
#include "unix_sys.bpf.h"
#include "sched_sys.bpf.h"

/*
 * A 32-bit process's syscall numbers are another table: skip them rather than decode them as
 * x86-64 ones (thread_info.status & TS_COMPAT while in a compat syscall).
 */
static __always_inline bool in_compat_syscall(void)
{
	return bpf_get_current_task_btf()->thread_info.status & 0x0002;
}

#define EPOLL_ON psc_group_on(PSC_GROUP_EPOLL)
#define UNIX_ON psc_group_on(PSC_GROUP_UNIX)

/*
 * One case per syscall, grouped by event group; the group's switch is tested here and nowhere
 * else on the syscall path. The proc group is always on (the others need its tree).
 */
SEC("tp_btf/sys_enter")
int BPF_PROG(tp_sys_enter, struct pt_regs *regs, long id)
{
	if (in_compat_syscall())
		return 0;
	switch (id) {
	/* proc: the reaps */
	case __NR_wait4:
		proc_wait_enter(regs, PSC_SC_WAIT4);
		break;
	case __NR_waitid:
		proc_wait_enter(regs, PSC_SC_WAITID);
		break;
	/* epoll and the poll family */
	case __NR_epoll_create:
		if (EPOLL_ON)
			epoll_stash_enter(PSC_SC_EPOLL_CREATE, regs);
		break;
	case __NR_epoll_create1:
		if (EPOLL_ON)
			epoll_stash_enter(PSC_SC_EPOLL_CREATE1, regs);
		break;
	case __NR_epoll_ctl:
		if (EPOLL_ON)
			epoll_stash_enter(PSC_SC_EPOLL_CTL, regs);
		break;
	case __NR_epoll_wait:
		if (EPOLL_ON)
			epoll_wait_enter(regs, PSC_SC_EPOLL_WAIT);
		break;
	case __NR_epoll_pwait:
		if (EPOLL_ON)
			epoll_wait_enter(regs, PSC_SC_EPOLL_PWAIT);
		break;
	case __NR_epoll_pwait2:
		if (EPOLL_ON)
			epoll_wait_enter(regs, PSC_SC_EPOLL_PWAIT2);
		break;
	case __NR_poll:
		if (EPOLL_ON)
			poll_enter(regs, PSC_SC_POLL);
		break;
	case __NR_ppoll:
		if (EPOLL_ON)
			poll_enter(regs, PSC_SC_PPOLL);
		break;
	case __NR_select:
		if (EPOLL_ON)
			poll_enter(regs, PSC_SC_SELECT);
		break;
	case __NR_pselect6:
		if (EPOLL_ON)
			poll_enter(regs, PSC_SC_PSELECT6);
		break;
	/* unix sockets */
	case __NR_socket:
		if (UNIX_ON)
			ux_socket_enter(regs, PSC_SC_UNIX_SOCKET);
		break;
	case __NR_socketpair:
		if (UNIX_ON)
			ux_socket_enter(regs, PSC_SC_UNIX_SOCKETPAIR);
		break;
	case __NR_bind:
		if (UNIX_ON)
			ux_addr_enter(regs, PSC_SC_UNIX_BIND);
		break;
	case __NR_connect:
		if (UNIX_ON)
			ux_addr_enter(regs, PSC_SC_UNIX_CONNECT);
		break;
	case __NR_listen: /* the fd is checked at exit: these are rare, and accept blocks */
		if (UNIX_ON)
			psc_stash_enter(PSC_SC_UNIX_LISTEN, regs);
		break;
	case __NR_accept:
	case __NR_accept4:
		if (UNIX_ON)
			psc_stash_enter(PSC_SC_UNIX_ACCEPT, regs);
		break;
	case __NR_shutdown:
		if (UNIX_ON)
			psc_stash_enter(PSC_SC_UNIX_SHUTDOWN, regs);
		break;
	case __NR_sendto:
		if (UNIX_ON)
			ux_sendto_enter(regs);
		break;
	case __NR_sendmsg:
		if (UNIX_ON)
			ux_sendmsg_enter(regs);
		break;
	case __NR_close:
		if (UNIX_ON)
			ux_close_enter(regs);
		break;
	case __NR_setpriority:
		sched_prio_enter(regs, PSC_PRIO_SETPRIORITY);
		break;
#ifdef __NR_nice
	case __NR_nice:
		sched_prio_enter(regs, PSC_PRIO_NICE);
		break;
#endif
	case __NR_sched_setattr:
		sched_prio_enter(regs, PSC_PRIO_SCHED_SETATTR);
		break;
	case __NR_sched_setscheduler:
		sched_prio_enter(regs, PSC_PRIO_SCHED_SETSCHEDULER);
		break;
	case __NR_sched_setparam:
		sched_prio_enter(regs, PSC_PRIO_SCHED_SETPARAM);
		break;
	default:
		break;
	}
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(tp_sys_exit, struct pt_regs *regs, long ret)
{
	long id = PSC_SC_NR(regs);

	if (in_compat_syscall())
		return 0;
	switch (id) {
	/* proc */
	case __NR_wait4:
		proc_wait4_exit(ret);
		break;
	case __NR_waitid:
		proc_waitid_exit(ret);
		break;
	/* epoll and the poll family */
	case __NR_epoll_create:
		if (EPOLL_ON)
			epoll_create_exit(ret, PSC_SC_EPOLL_CREATE);
		break;
	case __NR_epoll_create1:
		if (EPOLL_ON)
			epoll_create_exit(ret, PSC_SC_EPOLL_CREATE1);
		break;
	case __NR_epoll_ctl:
		if (EPOLL_ON)
			epoll_ctl_exit(ret);
		break;
	case __NR_epoll_wait:
		if (EPOLL_ON)
			epoll_wait_exit(regs, ret, PSC_SC_EPOLL_WAIT);
		break;
	case __NR_epoll_pwait:
		if (EPOLL_ON)
			epoll_wait_exit(regs, ret, PSC_SC_EPOLL_PWAIT);
		break;
	case __NR_epoll_pwait2:
		if (EPOLL_ON)
			epoll_wait_exit(regs, ret, PSC_SC_EPOLL_PWAIT2);
		break;
	case __NR_poll:
		if (EPOLL_ON)
			poll_exit(regs, ret, PSC_SC_POLL, PSC_POLL_POLL);
		break;
	case __NR_ppoll:
		if (EPOLL_ON)
			poll_exit(regs, ret, PSC_SC_PPOLL, PSC_POLL_PPOLL);
		break;
	case __NR_select:
		if (EPOLL_ON)
			poll_exit(regs, ret, PSC_SC_SELECT, PSC_POLL_SELECT);
		break;
	case __NR_pselect6:
		if (EPOLL_ON)
			poll_exit(regs, ret, PSC_SC_PSELECT6, PSC_POLL_PSELECT6);
		break;
	/* unix sockets */
	case __NR_socket:
		if (UNIX_ON)
			ux_socket_exit(ret);
		break;
	case __NR_socketpair:
		if (UNIX_ON)
			ux_socketpair_exit(ret);
		break;
	case __NR_bind:
		if (UNIX_ON)
			ux_bind_exit(ret);
		break;
	case __NR_listen:
		if (UNIX_ON)
			ux_listen_exit(ret);
		break;
	case __NR_connect:
		if (UNIX_ON)
			ux_connect_exit(ret);
		break;
	case __NR_accept:
	case __NR_accept4:
		if (UNIX_ON)
			ux_accept_exit(regs, ret);
		break;
	case __NR_shutdown:
		if (UNIX_ON)
			ux_shutdown_exit(ret);
		break;
	case __NR_sendto:
	case __NR_sendmsg:
		if (UNIX_ON)
			ux_sendto_exit();
		break;
	case __NR_setpriority:
#ifdef __NR_nice
	case __NR_nice:
#endif
	case __NR_sched_setattr:
	case __NR_sched_setscheduler:
	case __NR_sched_setparam:
		sched_prio_exit(ret);
		break;
	default:
		break;
	}
	return 0;
}
