// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Process lifecycle: fork, exec, exit (per thread, and once per process) and free, on the
 * sched_* BTF tracepoints. The reaps (wait4/waitid returns) are in proc_sys.bpf.h.
 */
#include "common.bpf.h"

#define SIGCHLD 17
#define SIG_IGN 1
#define SA_NOCLDWAIT 2
#define SIGNAL_GROUP_EXIT 0x00000004 /* include/linux/sched/signal.h, not in BTF */
#define MAX_REAPER_DEPTH 32

/* Exit dedupe key: (tgid, start). On kernels before 6.16 two threads can both see live == 0 */
struct proc_key {
	__u32 tgid;
	__u32 __pad;
	__u64 start_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct proc_key);
	__type(value, __u8);
} exited SEC(".maps");

/* Exit code of a leader that left before its threads (pthread_exit in main), by process */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct proc_key);
	__type(value, __u32);
} leader_code SEC(".maps");

static __always_inline void track(struct task_struct *child)
{
	struct psc_tracked t = { .start_ns = child->start_boottime };
	__u32 tgid = child->tgid;

	if (cfg_filter_mode != PSC_FILTER_TREE)
		return;
	psc_tracked_hint_set(tgid);
	if (bpf_map_update_elem(&tracked, &tgid, &t, BPF_ANY))
		psc_count(&stats, PSC_STAT_TRACK_FULL);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(tp_proc_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *rparent = psc_ro(struct task_struct, child)->real_parent;
	__u32 ctgid = child->tgid;
	__u32 rptgid = rparent->tgid;
	bool thread = ctgid == parent->tgid;
	struct psc_ev_proc_fork *e;

	/* CLONE_PARENT makes the caller's parent the child's parent: follow either */
	if (!psc_task_wanted(parent) && (thread || !psc_task_wanted(rparent)))
		return 0;
	if (!thread)
		track(child);

	e = psc_emit_reserve(sizeof(*e), PSC_EV_PROC_FORK);
	if (!e)
		return 0;
	e->parent_tgid = rptgid;
	e->parent_start_ns = psc_task_start(rparent);
	e->child_tgid = ctgid;
	e->child_tid = child->pid;
	e->child_start_ns = psc_task_start(child);
	e->flags = thread ? PSC_FORK_THREAD : 0;
	BPF_CORE_READ_STR_INTO(&e->comm, child, comm);
	psc_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(tp_proc_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct psc_ev_proc_exec *e;
	unsigned long arg_start, arg_end, len;
	struct mm_struct *mm;
	long n;

	if (!psc_task_wanted(task))
		return 0;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_PROC_EXEC);
	if (!e)
		return 0;
	e->old_tid = old_pid;
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				      BPF_CORE_READ(bprm, filename));
	if (n == sizeof(e->filename))
		e->flags |= PSC_EXEC_PATH_TRUNC;

	/* argv of the new image: the new mm is in place when this tracepoint fires */
	mm = BPF_CORE_READ(task, mm);
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	len = arg_end - arg_start;
	if (len > PSC_ARGS_LEN) {
		len = PSC_ARGS_LEN;
		e->flags |= PSC_EXEC_ARGS_TRUNC;
	}
	if (len > 0 && len <= PSC_ARGS_LEN && !bpf_probe_read_user(e->args, len, (void *)arg_start))
		e->args_len = len;
	psc_submit(e);
	return 0;
}

static __always_inline bool is_subreaper(struct task_struct *t)
{
	struct signal_struct *sig = BPF_CORE_READ(t, signal);

	return BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper);
}

static __always_inline bool has_live_threads(struct task_struct *t)
{
	return BPF_CORE_READ(t, signal, live.counter) > 0;
}

/*
 * Who adopts the children of @father, as the kernel's find_new_reaper() picks it after this
 * tracepoint: the nearest live ancestor marked child-subreaper in the same pid namespace, else
 * the namespace's init. Only called for the last thread, so no live sibling thread exists.
 */
static __always_inline struct task_struct *find_reaper(struct task_struct *father, __u32 *flags)
{
	struct signal_struct *sig = BPF_CORE_READ(father, signal);
	unsigned int level = BPF_CORE_READ(father, thread_pid, level);
	struct task_struct *r = BPF_CORE_READ(father, real_parent);
	struct pid_namespace *ns;
	struct upid up = {};
	struct pid *pid;
	int i;

	if (BPF_CORE_READ_BITFIELD_PROBED(sig, has_child_subreaper)) {
		for (i = 0; i < MAX_REAPER_DEPTH; i++) {
			if (!r || BPF_CORE_READ(r, thread_pid, level) != level)
				break;
			if (BPF_CORE_READ(r, pid) == 0) /* init_task */
				break;
			if (is_subreaper(r) && has_live_threads(r)) {
				*flags |= PSC_EXIT_REAPER_SUBREAPER;
				return r;
			}
			r = BPF_CORE_READ(r, real_parent);
		}
	}
	pid = BPF_CORE_READ(father, thread_pid);
	if (level > 31)
		return NULL;
	bpf_core_read(&up, sizeof(up), &pid->numbers[level]);
	ns = up.ns;
	return BPF_CORE_READ(ns, child_reaper);
}

/*
 * Does the kernel release process @leader at once, never a zombie? Asked of the thread-group
 * leader, as the kernel does (do_notify_parent(leader, leader->exit_signal) when the last
 * thread goes): a non-leader thread's own exit_signal is -1, since threads always self-reap.
 */
static __always_inline bool parent_autoreaps(struct task_struct *leader, struct task_struct *parent)
{
	int exit_signal = leader->exit_signal;
	struct k_sigaction act = {};
	struct sighand_struct *sh;

	if (exit_signal != SIGCHLD)
		return exit_signal == -1;
	sh = parent->sighand;
	bpf_core_read(&act, sizeof(act), &sh->action[SIGCHLD - 1]);
	return (unsigned long)act.sa.sa_handler == SIG_IGN || (act.sa.sa_flags & SA_NOCLDWAIT);
}

/*
 * @task is the exiting thread, always current (do_exit() passes current): the argument is
 * used as it is, a trusted pointer. The last thread may not be the leader (main called
 * pthread_exit before its threads ended): what concerns the process (its parent, whether it
 * becomes a zombie) is asked of task->group_leader, which lingers until the group is empty.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(tp_proc_exit, struct task_struct *task)
{
	struct task_struct *ro = psc_ro(struct task_struct, task);
	struct task_struct *leader = ro->group_leader, *parent, *reaper;
	struct signal_struct *sig = ro->signal;
	__u32 tgid = task->tgid, tid = task->pid;
	struct proc_key key = { .tgid = tgid, .start_ns = leader->start_boottime };
	struct psc_ev_proc_exit *e;
	struct psc_tracked *t;
	__u32 code, *saved;
	__u8 one = 1;
	bool group_dead;

	if (!psc_task_wanted(task))
		return 0;
	code = task->exit_code;
	group_dead = sig->live.counter == 0;
	if (group_dead && bpf_map_update_elem(&exited, &key, &one, BPF_NOEXIST))
		group_dead = false; /* another thread already reported the process exit */
	if (!group_dead) {
		if (tid == tgid) /* leader leaves first: its code is what wait() sees later */
			bpf_map_update_elem(&leader_code, &key, &code, BPF_ANY);
	} else {
		/* the status wait() will report: see wait_task_zombie() */
		if (sig->flags & SIGNAL_GROUP_EXIT) {
			code = sig->group_exit_code;
		} else if (tid != tgid) {
			saved = bpf_map_lookup_elem(&leader_code, &key);
			if (saved)
				code = *saved;
		}
		bpf_map_delete_elem(&leader_code, &key);
		/*
		 * Before the reservation: an untraced waiter's reap (procscope's of its command,
		 * init's of an orphan) is followed only for an entry marked exited, and that must
		 * hold even when the ring was full for this exit record
		 */
		if (cfg_filter_mode == PSC_FILTER_TREE) {
			t = psc_tracked_get(task);
			if (t)
				t->exited = 1;
		}
	}

	e = psc_emit_reserve_task(task, sizeof(*e), PSC_EV_PROC_EXIT);
	if (!e)
		return 0;
	parent = leader->real_parent;
	e->exit_code = code;
	e->parent_tgid = parent->tgid;
	e->parent_start_ns = parent->group_leader->start_boottime;
	/*
	 * A process is called what its leader is called (ps, /proc/PID/comm), not after the
	 * thread that happened to exit last (redis-server's bio_close_file)
	 */
	if (group_dead)
		BPF_CORE_READ_STR_INTO(&e->comm, leader, comm);
	else
		BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
	if (group_dead) {
		e->flags |= PSC_EXIT_GROUP_DEAD;
		if (parent_autoreaps(leader, parent))
			e->flags |= PSC_EXIT_AUTOREAP;
		reaper = find_reaper(task, &e->flags);
		if (reaper) {
			e->reaper_tgid = BPF_CORE_READ(reaper, tgid);
			e->reaper_start_ns = psc_task_start(reaper);
		}
	}
	psc_submit(e);
	return 0;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(tp_proc_free, struct task_struct *task)
{
	__u32 tgid = task->tgid;
	struct psc_ev_proc_free *e;

	/* threads and the old leader replaced by an exec from another thread have pid != tgid */
	if (task->pid != tgid || !psc_task_wanted(task))
		return 0;
	e = psc_emit_reserve(sizeof(*e), PSC_EV_PROC_FREE);
	/*
	 * The entry names this process (psc_task_wanted() checked its start): a new process
	 * that already took the pid has an entry only if a traced fork made it, and then the
	 * entry is that one's. The one window left is a traced fork replacing the entry between
	 * the check above and this delete: a few instructions, after the pid went round.
	 */
	if (cfg_filter_mode == PSC_FILTER_TREE)
		bpf_map_delete_elem(&tracked, &tgid);
	if (!e)
		return 0;
	/* this runs from an RCU callback: the header must name the freed task, not current */
	e->hdr.tgid = tgid;
	e->hdr.tid = tgid;
	e->hdr.start_ns = BPF_CORE_READ(task, start_boottime);
	psc_submit(e);
	return 0;
}

/*
 * A thread-group leader renamed (prctl(PR_SET_NAME), a write to /proc/PID/comm): the name the
 * process goes by from now on. Runs before the copy, so task->comm is still the old name. Exec
 * renames too (begin_new_exec()), inside the exec the exec record tells; other threads' names
 * are theirs, not the process's.
 */
SEC("tp_btf/task_rename")
int BPF_PROG(tp_proc_rename, struct task_struct *task, const char *comm)
{
	struct psc_ev_proc_rename *e;

	if (task->pid != task->tgid || BPF_CORE_READ_BITFIELD_PROBED(task, in_execve) ||
	    !psc_task_wanted(task))
		return 0;
	e = psc_emit_reserve_task(task, sizeof(*e), PSC_EV_PROC_RENAME);
	if (!e)
		return 0;
	e->by_tid = (__u32)bpf_get_current_pid_tgid();
	BPF_CORE_READ_STR_INTO(&e->old_comm, task, comm);
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), comm);
	psc_submit(e);
	return 0;
}
