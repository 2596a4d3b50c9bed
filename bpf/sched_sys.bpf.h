/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Priority changes: setpriority, nice, sched_setattr, sched_setscheduler, sched_setparam,
 * called from the sys_enter/sys_exit dispatcher in sys.bpf.c. The target's nice and policy
 * are read at entry (old) and at return (new); a refused call keeps its -errno.
 */
#ifndef __PSC_SCHED_SYS_BPF_H
#define __PSC_SCHED_SYS_BPF_H

#include "common.bpf.h"

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

/* The stash kinds of this group (common.bpf.h numbers the others below 64) */
#define PSC_SC_SCHED_PRIO 64

#define PSC_PRIO_PROCESS 0

struct psc_sched_attr_head {
	__u32 size;
	__u32 sched_policy;
	__u64 sched_flags;
	__s32 sched_nice;
	__u32 sched_priority;
};

/* Does the call name one thread (@pid, 0 = the caller)? */
static __always_inline bool prio_one_target(__u32 call, __u64 which)
{
	return call != PSC_PRIO_SETPRIORITY || which == PSC_PRIO_PROCESS;
}

/* The thread @pid names (0: the caller), referenced: release with bpf_task_release() */
static __always_inline struct task_struct *prio_target(__s32 pid)
{
	if (!pid)
		pid = bpf_get_current_task_btf()->pid;
	return bpf_task_from_pid(pid);
}

/* nice, policy and rt priority of @t in one word for the stash: valid bit 32 */
static __always_inline __u64 prio_pack(struct task_struct *t)
{
	return (1ull << 32) | ((__u64)(t->static_prio & 0xff)) | ((__u64)(t->policy & 0xff) << 8) |
	       ((__u64)(t->rt_priority & 0xff) << 16);
}

static __always_inline void sched_prio_enter(struct pt_regs *regs, __u32 call)
{
	struct task_struct *cur = bpf_get_current_task_btf(), *t = NULL;
	bool one = prio_one_target(call, PSC_SC_ARG1(regs));
	struct psc_stash *s;
	__u64 packed = 0;
	bool wanted;

	if (!(cfg_groups & PSC_GROUP_SCHED))
		return;
	wanted = psc_task_wanted(cur);
	if (one) {
		t = call == PSC_PRIO_NICE	 ? bpf_task_from_pid(cur->pid) :
		    call == PSC_PRIO_SETPRIORITY ? prio_target((__s32)PSC_SC_ARG2(regs)) :
						   prio_target((__s32)PSC_SC_ARG1(regs));
		if (t) {
			wanted = wanted || psc_task_wanted(t);
			packed = prio_pack(t);
			bpf_task_release(t);
		}
	}
	if (!wanted)
		return;
	s = psc_stash_save_task(cur, PSC_SC_SCHED_PRIO, regs);
	if (s) {
		s->args[5] = packed | ((__u64)call << 40);
	}
}

static __always_inline void prio_unpack(__u64 v, __s32 *nice, __u32 *policy, __u32 *rt)
{
	*nice = (__s32)(v & 0xff) - 120;
	*policy = (v >> 8) & 0xff;
	*rt = (v >> 16) & 0xff;
}

static __always_inline void sched_prio_exit(long ret)
{
	struct psc_ev_sched_prio *e;
	struct task_struct *t = NULL;
	struct psc_stash s;
	__u32 call;
	bool one;

	if (!(cfg_groups & PSC_GROUP_SCHED) || !psc_stash_exit(PSC_SC_SCHED_PRIO, &s))
		return;
	call = (s.args[5] >> 40) & 0xff;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_SCHED_PRIO);
	if (!e)
		return;
	e->call = call;
	e->ret = ret;
	e->req_policy = -1;
	e->req_rt_prio = -1;
	switch (call) {
	case PSC_PRIO_SETPRIORITY:
		e->which = s.args[0];
		e->who = s.args[1];
		e->req_nice = (__s32)s.args[2];
		break;
	case PSC_PRIO_NICE:
		e->req_nice = (__s32)s.args[0];
		break;
	case PSC_PRIO_SCHED_SETATTR: {
		struct psc_sched_attr_head h = {};

		e->who = s.args[0];
		if (!bpf_probe_read_user(&h, sizeof(h), (void *)s.args[1])) {
			e->req_policy = h.sched_policy;
			e->req_nice = h.sched_nice;
			e->req_rt_prio = h.sched_priority;
		}
		break;
	}
	case PSC_PRIO_SCHED_SETSCHEDULER: {
		__s32 prio = -1;

		e->who = s.args[0];
		e->req_policy = (__s32)s.args[1];
		bpf_probe_read_user(&prio, sizeof(prio), (void *)s.args[2]);
		e->req_rt_prio = prio;
		break;
	}
	default: {
		__s32 prio = -1;

		e->who = s.args[0];
		bpf_probe_read_user(&prio, sizeof(prio), (void *)s.args[1]);
		e->req_rt_prio = prio;
		break;
	}
	}
	one = prio_one_target(call, e->which);
	if (s.args[5] & (1ull << 32)) {
		prio_unpack(s.args[5], &e->old_nice, &e->old_policy, &e->old_rt_prio);
		e->flags |= PSC_PRIO_OLD_KNOWN;
	}
	if (one) {
		t = call == PSC_PRIO_NICE ? bpf_task_from_pid(e->hdr.tid) : prio_target(e->who);
		if (t) {
			e->target_tgid = t->tgid;
			e->target_tid = t->pid;
			e->target_start_ns = psc_task_start(t);
			prio_unpack(prio_pack(t), &e->new_nice, &e->new_policy, &e->new_rt_prio);
			e->flags |= PSC_PRIO_NEW_KNOWN;
			bpf_task_release(t);
		}
	}
	psc_submit(e);
}

#endif /* __PSC_SCHED_SYS_BPF_H */
