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

/*
 * A 32-bit process's syscall numbers are another table: skip them rather than decode them as
 * x86-64 ones (thread_info.status & TS_COMPAT while in a compat syscall).
 */
static __always_inline bool in_compat_syscall(void)
{
#ifdef __TARGET_ARCH_x86
	return bpf_get_current_task_btf()->thread_info.status & 0x0002;
#else
	return false;
#endif
}

SEC("tp_btf/sys_enter")
int BPF_PROG(tp_sys_enter, struct pt_regs *regs, long id)
{
	if (in_compat_syscall())
		return 0;
	switch (id) {
	case __NR_wait4:
		proc_wait_enter(regs, PSC_SC_WAIT4);
		break;
	case __NR_waitid:
		proc_wait_enter(regs, PSC_SC_WAITID);
		break;
#ifdef __NR_epoll_create
	case __NR_epoll_create:
		epoll_stash_enter(PSC_SC_EPOLL_CREATE, regs);
		break;
#endif
	case __NR_epoll_create1:
		epoll_stash_enter(PSC_SC_EPOLL_CREATE1, regs);
		break;
	case __NR_epoll_ctl:
		epoll_stash_enter(PSC_SC_EPOLL_CTL, regs);
		break;
#ifdef __NR_epoll_wait
	case __NR_epoll_wait:
		epoll_wait_enter(regs, PSC_SC_EPOLL_WAIT);
		break;
#endif
	case __NR_epoll_pwait:
		epoll_wait_enter(regs, PSC_SC_EPOLL_PWAIT);
		break;
	case __NR_epoll_pwait2:
		epoll_wait_enter(regs, PSC_SC_EPOLL_PWAIT2);
		break;
#ifdef __NR_poll
	case __NR_poll:
		poll_enter(regs, PSC_SC_POLL);
		break;
#endif
	case __NR_ppoll:
		poll_enter(regs, PSC_SC_PPOLL);
		break;
#ifdef __NR_select
	case __NR_select:
		poll_enter(regs, PSC_SC_SELECT);
		break;
#endif
	case __NR_pselect6:
		poll_enter(regs, PSC_SC_PSELECT6);
		break;
	default:
		if (cfg_groups & PSC_GROUP_UNIX)
			unix_sys_enter(regs, id);
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
	case __NR_wait4:
		proc_wait4_exit(ret);
		break;
	case __NR_waitid:
		proc_waitid_exit(ret);
		break;
#ifdef __NR_epoll_create
	case __NR_epoll_create:
		epoll_create_exit(ret, PSC_SC_EPOLL_CREATE);
		break;
#endif
	case __NR_epoll_create1:
		epoll_create_exit(ret, PSC_SC_EPOLL_CREATE1);
		break;
	case __NR_epoll_ctl:
		epoll_ctl_exit(ret);
		break;
#ifdef __NR_epoll_wait
	case __NR_epoll_wait:
		epoll_wait_exit(ret, PSC_SC_EPOLL_WAIT);
		break;
#endif
	case __NR_epoll_pwait:
		epoll_wait_exit(ret, PSC_SC_EPOLL_PWAIT);
		break;
	case __NR_epoll_pwait2:
		epoll_wait_exit(ret, PSC_SC_EPOLL_PWAIT2);
		break;
#ifdef __NR_poll
	case __NR_poll:
		poll_exit(ret, PSC_SC_POLL, PSC_POLL_POLL);
		break;
#endif
	case __NR_ppoll:
		poll_exit(ret, PSC_SC_PPOLL, PSC_POLL_PPOLL);
		break;
#ifdef __NR_select
	case __NR_select:
		poll_exit(ret, PSC_SC_SELECT, PSC_POLL_SELECT);
		break;
#endif
	case __NR_pselect6:
		poll_exit(ret, PSC_SC_PSELECT6, PSC_POLL_PSELECT6);
		break;
	default:
		unix_sys_exit(regs, id, ret);
		break;
	}
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
