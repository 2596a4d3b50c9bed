/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The reap: wait4()/waitid() returning a child's exit. Called from the sys_enter/sys_exit
 * dispatcher in sys.bpf.c.
 */
#ifndef __PSC_PROC_SYS_BPF_H
#define __PSC_PROC_SYS_BPF_H

#include "common.bpf.h"

#define PSC_WNOWAIT 0x01000000
#define PSC_CLD_EXITED 1
#define PSC_CLD_DUMPED 3

/*
 * The tracked entry of @pid, just reaped, if it names a process that exited: the reaped task
 * is released (its start time is out of reach), and a live traced process that took the pid
 * since has exited == 0. NULL in PSC_FILTER_ALL mode.
 */
static __always_inline struct psc_tracked *reaped_entry(__u32 pid)
{
	struct psc_tracked *t;

	if (cfg_filter_mode == PSC_FILTER_ALL)
		return NULL;
	t = bpf_map_lookup_elem(&tracked, &pid);
	return t && t->exited ? t : NULL;
}

static __always_inline void emit_reap(__u32 pid, __u32 status, __u32 flags)
{
	struct psc_tracked *t = reaped_entry(pid);
	bool pid_traced = cfg_filter_mode == PSC_FILTER_ALL ? pid != cfg_self_tgid : t != NULL;
	struct psc_ev_proc_reap *e;

	/* any waiter may reap a traced child: init adopting an orphan, procscope its command */
	if (!psc_current_wanted() && !pid_traced)
		return;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_PROC_REAP);
	if (!e)
		return; /* the entry stays: sched_process_free reports the release instead */
	e->reaped_tgid = pid;
	e->status = status;
	e->flags = flags;
	psc_submit(e);
	/*
	 * The pid is free again (release_task() ran inside this wait): drop the entry now, not at
	 * sched_process_free an RCU grace period later, or a short-lived process that takes the
	 * pid meanwhile and is reaped by an untraced waiter would pass for this one.
	 */
	if (t)
		bpf_map_delete_elem(&tracked, &pid);
}

/* The stash is filled for every waiter (not only traced ones): see emit_reap() */
static __always_inline void proc_wait_enter(struct pt_regs *regs, __u32 nr)
{
	psc_stash_save(nr, regs);
}

static __always_inline void proc_wait4_exit(long ret)
{
	struct psc_stash s;
	int status = 0;

	if (ret <= 0)
		return;
	/*
	 * No stash: the wait began before we attached (a shell blocked in wait4 on its child). The
	 * returned pid is still the reaped child, or a stopped one: the model tells them apart.
	 */
	if (!psc_stash_exit(PSC_SC_WAIT4, &s) || !s.args[1] ||
	    bpf_probe_read_user(&status, sizeof(status), (void *)s.args[1])) {
		emit_reap(ret, 0, PSC_REAP_STATUS_UNKNOWN);
		return;
	}
	/* wait4(pid, int *status, options, rusage): stopped (0x7f) or continued (0xffff) is no reap */
	if ((status & 0xff) != 0x7f && status != 0xffff)
		emit_reap(ret, status, 0);
}

static __always_inline void proc_waitid_exit(long ret)
{
	struct psc_stash s;
	int si[7] = {};

	/* waitid(idtype, id, siginfo_t *infop, options, rusage) */
	if (!psc_stash_exit(PSC_SC_WAITID, &s) || ret != 0 || !s.args[2] ||
	    (s.args[3] & PSC_WNOWAIT))
		return;
	/* siginfo: si_signo, si_errno, si_code, then si_pid @16, si_uid @20, si_status @24 */
	if (bpf_probe_read_user(si, sizeof(si), (void *)s.args[2]) || si[4] <= 0 ||
	    si[2] < PSC_CLD_EXITED || si[2] > PSC_CLD_DUMPED)
		return;
	emit_reap(si[4],
		  si[2] == PSC_CLD_EXITED ? (si[6] & 0xff) << 8 :
					    (si[6] & 0x7f) | (si[2] == PSC_CLD_DUMPED ? 0x80 : 0),
		  PSC_REAP_WAITID);
}

#endif /* __PSC_PROC_SYS_BPF_H */
