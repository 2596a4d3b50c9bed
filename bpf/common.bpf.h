/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BPF-only helpers shared by every program: the one ring buffer, the drop counters, the
 * filter knobs and psc_emit_reserve(). All programs are compiled as one unit
 * (bpf/procscope.bpf.c), so the maps declared here are defined once.
 */
#ifndef __PSC_COMMON_BPF_H
#define __PSC_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "psc_events.h"

/*
 * Is event group @g (PSC_GROUP_*) switched on? Tested once where the kernel enters the group:
 * in sys.bpf.c's dispatcher for syscalls, at the top of a group's own tracepoint programs. A
 * read-only constant: the verifier drops the dead branch. (The loader also leaves a group's own
 * tracepoint programs unloaded when it is off: see disable_unused_groups().)
 */
#define psc_group_on(g) (cfg_groups & (g))

/* Set by the loader before load. __weak: every object defines them, the linker keeps one. */
const volatile __u32 cfg_self_tgid __weak = 0;
const volatile __u32 cfg_filter_mode __weak = PSC_FILTER_ALL;
const volatile __u32 cfg_groups __weak = PSC_GROUP_ALL; /* PSC_GROUP_* switched on */
const volatile __u64 cfg_wakeup_bytes __weak = 0; /* wake the reader past this much data */
/* Random per trace: mixed into kernel socket pointers to make sk_id (no address in the logs) */
const volatile __u64 cfg_sk_key __weak = 0;

/* Sized by the loader (--ringbuf-size) before load */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps") __weak;

/* Reserve failures per event type, per CPU: nothing is lost silently */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PSC_EV_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PSC_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps") __weak;

/*
 * Processes followed in PSC_FILTER_TREE mode (key: tgid, value: whose, see struct psc_tracked).
 * Look it up only through psc_tracked_get()/psc_task_wanted(): a bare lookup by tgid would
 * take a recycled pid for the dead process that held it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct psc_tracked);
} tracked SEC(".maps") __weak;

/*
 * Unix sockets of traced processes that sit in an epoll interest list (key: inode), in
 * PSC_FILTER_TREE mode: a send from an untraced process (a client of a traced server) that
 * makes one readable is reported too, since that wake-up is the traced process's. Filled by
 * epoll_ctl and by the loader (registrations older than the trace). LRU: stale inodes age out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8);
} rx_watch SEC(".maps") __weak;

/* Nanoseconds per /proc clock tick (USER_HZ), for entries seeded from /proc */
const volatile __u64 cfg_tick_ns __weak = 10000000;

static __always_inline void psc_count(void *map, __u32 idx)
{
	__u64 *cnt = bpf_map_lookup_elem(map, &idx);

	if (cnt)
		*cnt += 1; /* per-CPU slot: no atomics needed */
}

/*
 * A kfunc the verifier turns into a register move (6.2+, as bpf_task_from_pid, which the sched
 * group's syscalls need): @obj as a read-only pointer of kernel type @btf_id.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * @p (a pointer to a kernel struct @type) as an untrusted, read-only pointer, to walk its
 * pointer fields. A pointer field loaded through a trusted pointer (a tp_btf argument,
 * bpf_get_current_task_btf()) makes the verifier search the kernel BTF by name for the
 * "<type>__safe_trusted", "__safe_trusted_or_null", "__safe_rcu" and "__safe_rcu_or_null"
 * types, a linear scan of ~125k types each, ~1 ms per visit of the load: 60 such visits
 * were a third of procscope's start-up CPU. Through the cast the loads are checked at run time
 * instead (a bad address reads 0: a plain load and a range check, cheaper than the probe-read
 * helper call it replaces).
 */
#define psc_ro(type, p) ((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))

/* @task's process start time (its group leader's start_boottime) */
static __always_inline __u64 psc_task_start(const struct task_struct *task)
{
	return psc_ro(struct task_struct, task)->group_leader->start_boottime;
}

/* Does tracked entry @t name the process whose group leader started at @start_ns? */
static __always_inline bool psc_tracked_is(const struct psc_tracked *t, __u64 start_ns)
{
	/* /proc's start time is start_boottime / tick, truncated (nsec_to_clock_t) */
	if (t->flags & PSC_TRACKED_TICKS)
		return start_ns / cfg_tick_ns == t->start_ns / cfg_tick_ns;
	return t->start_ns == start_ns;
}

/*
 * The tracked entry of @task's process, or NULL: looked up by tgid, and only if it names this
 * process (pid and start time), not an earlier holder of the pid. @task is a BTF pointer (a
 * tracepoint argument, bpf_get_current_task_btf(), or a field walked from one): plain loads.
 */
/*
 * A superset of the tgids in the tracked map, one bit per tgid (modulo the size): set before a
 * tgid enters the map (proc.bpf.c's fork hook, the loader's seeding), never cleared (a stale bit
 * only costs the map lookup it would have cost anyway). In PSC_FILTER_TREE mode every hook of
 * the system asks "is this task traced?" and nearly every answer is no: a clear bit gives it
 * with one load, where the hash lookup and the start-time check cost ~100 ns (bench/run.sh,
 * "context switches of untraced tasks").
 */
__u64 psc_tracked_hint[PSC_TRACKED_HINT_BITS / 64] __weak;

static __always_inline bool psc_tracked_hinted(__u32 tgid)
{
	__u32 bit = tgid & (PSC_TRACKED_HINT_BITS - 1);

	return psc_tracked_hint[bit / 64] & (1ull << (bit % 64));
}

static __always_inline void psc_tracked_hint_set(__u32 tgid)
{
	__u32 bit = tgid & (PSC_TRACKED_HINT_BITS - 1);

	__sync_fetch_and_or(&psc_tracked_hint[bit / 64], 1ull << (bit % 64));
}

static __always_inline struct psc_tracked *psc_tracked_get(struct task_struct *task)
{
	__u32 tgid = task->tgid;
	struct psc_tracked *t;

	if (!psc_tracked_hinted(tgid))
		return NULL;
	t = bpf_map_lookup_elem(&tracked, &tgid);
	if (!t || !psc_tracked_is(t, psc_task_start(task)))
		return NULL;
	return t;
}

/*
 * Does the filter let events of @task's process through? The one membership test of every
 * program: procscope itself never, everything in PSC_FILTER_ALL mode, else the tracked
 * processes (by identity, see psc_tracked_get()).
 */
static __always_inline bool psc_task_wanted(struct task_struct *task)
{
	if (task->tgid == cfg_self_tgid)
		return false;
	if (cfg_filter_mode == PSC_FILTER_ALL)
		return true;
	return psc_tracked_get(task) != NULL;
}

/* psc_task_wanted() of the current task */
static __always_inline bool psc_current_wanted(void)
{
	return psc_task_wanted(bpf_get_current_task_btf());
}

/*
 * Reserve a record of @size bytes, zero its first @zero bytes (all of it but a tail the caller
 * fills: no stale bytes of earlier records, padding included) and fill the header for @task,
 * the current task (every program is tp_btf: a trusted pointer, read with plain loads; a
 * caller that has it already saves a helper call). Counts a drop and returns NULL when the
 * ring is full.
 */
static __always_inline void *psc_emit_reserve_part(struct task_struct *task, __u32 size, __u32 zero,
						   __u32 type)
{
	struct psc_ev_hdr *hdr;

	hdr = bpf_ringbuf_reserve(&events, size, 0);
	if (!hdr) {
		psc_count(&drops, type);
		return NULL;
	}
	__builtin_memset(hdr, 0, zero);
	hdr->ts_ns = bpf_ktime_get_boot_ns();
	hdr->start_ns = psc_task_start(task);
	hdr->type = type;
	hdr->size = size;
	hdr->tgid = task->tgid;
	hdr->tid = task->pid;
	return hdr;
}

static __always_inline void *psc_emit_reserve_task(struct task_struct *task, __u32 size, __u32 type)
{
	return psc_emit_reserve_part(task, size, size, type);
}

static __always_inline void *psc_emit_reserve(__u32 size, __u32 type)
{
	return psc_emit_reserve_task(bpf_get_current_task_btf(), size, type);
}

/*
 * Arguments of the syscall a thread is in, saved at sys_enter for sys_exit (key: tid). A thread
 * is in one syscall at a time, so all groups share one map; nr tells whose entry it is.
 */
struct psc_stash {
	__u64 enter_ns;
	__u64 args[6];
	__u32 nr; /* PSC_SC_* */
	__u32 __pad;
};

enum psc_sc {
	PSC_SC_WAIT4 = 1,
	PSC_SC_WAITID,
	PSC_SC_EPOLL_CREATE,
	PSC_SC_EPOLL_CREATE1,
	PSC_SC_EPOLL_CTL,
	PSC_SC_EPOLL_WAIT,
	PSC_SC_EPOLL_PWAIT,
	PSC_SC_EPOLL_PWAIT2,
	PSC_SC_POLL,
	PSC_SC_PPOLL,
	PSC_SC_SELECT,
	PSC_SC_PSELECT6,
	PSC_SC_UNIX_FIRST = 32, /* the unix group numbers its own from here */
	PSC_SC_UNIX_SOCKET = PSC_SC_UNIX_FIRST,
	PSC_SC_UNIX_SOCKETPAIR,
	PSC_SC_UNIX_BIND,
	PSC_SC_UNIX_LISTEN,
	PSC_SC_UNIX_CONNECT,
	PSC_SC_UNIX_ACCEPT,
	PSC_SC_UNIX_SHUTDOWN,
	PSC_SC_UNIX_SENDTO, /* sendto/sendmsg destination or fds, read by the send tracepoint */
};

/* task-local: no hashing and no delete on the syscall path; freed with the task */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct psc_stash);
} stash SEC(".maps") __weak;

/*
 * Syscall number and arguments from the user registers tp_btf/sys_{enter,exit} hand over: a
 * trusted pointer, so plain (CO-RE relocated) loads rather than one probe-read helper call each.
 * x86-64 only: vmlinux/vmlinux.h was generated on x86-64, and the register names, syscall
 * numbers (<asm/unistd.h>) and struct epoll_event's packing all follow the arch. Another arch
 * needs its own vmlinux.h and these few definitions (libbpf-tools keeps one per arch).
 */
#ifndef __TARGET_ARCH_x86
#error "procscope's BPF side is built for x86-64 only (vmlinux/vmlinux.h is x86-64's)"
#endif
#define PSC_SC_NR(regs) ((regs)->orig_ax)
#define PSC_SC_ARG1(regs) ((regs)->di)
#define PSC_SC_ARG2(regs) ((regs)->si)
#define PSC_SC_ARG3(regs) ((regs)->dx)
#define PSC_SC_ARG4(regs) ((regs)->r10)
#define PSC_SC_ARG5(regs) ((regs)->r8)

/*
 * The syscall's first five arguments into @s: at entry, or at exit for a call whose entry was
 * not seen (x86-64 keeps the user's pt_regs as saved at entry)
 */
static __always_inline void psc_stash_args(struct psc_stash *s, struct pt_regs *regs)
{
	s->args[0] = PSC_SC_ARG1(regs);
	s->args[1] = PSC_SC_ARG2(regs);
	s->args[2] = PSC_SC_ARG3(regs);
	s->args[3] = PSC_SC_ARG4(regs);
	s->args[4] = PSC_SC_ARG5(regs);
}

static __always_inline struct psc_stash *psc_stash_save_task(struct task_struct *task, __u32 nr,
							     struct pt_regs *regs)
{
	struct psc_stash *s;

	s = bpf_task_storage_get(&stash, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return NULL;
	s->enter_ns = bpf_ktime_get_boot_ns();
	s->nr = nr;
	psc_stash_args(s, regs);
	return s;
}

/* Save the syscall's first five arguments (no filter: see psc_stash_enter()) */
static __always_inline struct psc_stash *psc_stash_save(__u32 nr, struct pt_regs *regs)
{
	return psc_stash_save_task(bpf_get_current_task_btf(), nr, regs);
}

/* psc_stash_save() if the process is traced */
static __always_inline struct psc_stash *psc_stash_enter(__u32 nr, struct pt_regs *regs)
{
	struct task_struct *task = bpf_get_current_task_btf();

	if (!psc_task_wanted(task))
		return NULL;
	return psc_stash_save_task(task, nr, regs);
}

/* Take the entry saved at sys_enter (a copy), if it is of kind @nr */
static __always_inline bool psc_stash_exit(__u32 nr, struct psc_stash *out)
{
	struct psc_stash *s = bpf_task_storage_get(&stash, bpf_get_current_task_btf(), 0, 0);

	if (!s || s->nr != nr)
		return false;
	__builtin_memcpy(out, s, sizeof(*out));
	s->nr = 0; /* consumed: a later exit of another syscall must not see it */
	return true;
}

#define PSC_S_IFMT 00170000
#define PSC_S_IFSOCK 0140000
#define PSC_S_IFREG 0100000
#define PSC_S_IFBLK 0060000
#define PSC_S_IFDIR 0040000
#define PSC_S_IFCHR 0020000
#define PSC_S_IFIFO 0010000

/* The struct file behind @fd of the current task, or NULL */
static __always_inline struct file *psc_fd_file(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;

	if (fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	return file;
}

/* What @file is: inode number, kind, socket family/type, anon inode name */
static __always_inline void psc_file_info(struct file *file, struct psc_fd_info *fi)
{
	struct inode *inode;
	__u32 mode;

	if (!file)
		return;
	inode = BPF_CORE_READ(file, f_inode);
	fi->ino = BPF_CORE_READ(inode, i_ino);
	mode = BPF_CORE_READ(inode, i_mode) & PSC_S_IFMT;
	switch (mode) {
	case PSC_S_IFSOCK: {
		struct socket *sock = BPF_CORE_READ(file, private_data);
		struct sock *sk = BPF_CORE_READ(sock, sk);

		fi->kind = PSC_FD_SOCKET;
		fi->sock_family = BPF_CORE_READ(sk, __sk_common.skc_family);
		fi->sock_type = BPF_CORE_READ(sk, sk_type);
		break;
	}
	case PSC_S_IFREG:
		fi->kind = PSC_FD_FILE;
		break;
	case PSC_S_IFDIR:
		fi->kind = PSC_FD_DIR;
		break;
	case PSC_S_IFIFO:
		fi->kind = PSC_FD_FIFO;
		break;
	case PSC_S_IFCHR:
		fi->kind = PSC_FD_CHR;
		break;
	case PSC_S_IFBLK:
		fi->kind = PSC_FD_BLK;
		break;
	default:
		/* anon inodes (eventfd, timerfd, epoll...) have no type bits: their dentry names them */
		fi->kind = PSC_FD_ANON;
		bpf_probe_read_kernel_str(fi->name, sizeof(fi->name),
					  BPF_CORE_READ(file, f_path.dentry, d_name.name));
		break;
	}
}

/*
 * Submit without waking the reader unless enough data waits: the reader also polls on a short
 * timer. A wakeup per event cost 10-20 us each on the fork storm (1.47x); batching removes it.
 */
static __always_inline void psc_submit(void *rec)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u32 size = ((struct psc_ev_hdr *)rec)->size;

	/*
	 * Wake once, as this record crosses the threshold: a reader lagging past it would
	 * otherwise be woken for every record (a VM exit each time).
	 */
	bpf_ringbuf_submit(rec, avail >= cfg_wakeup_bytes && avail < cfg_wakeup_bytes + size + 8 ?
					BPF_RB_FORCE_WAKEUP :
					BPF_RB_NO_WAKEUP);
}

#endif /* __PSC_COMMON_BPF_H */
