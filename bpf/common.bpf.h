/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * BPF-only helpers shared by every program: the one ring buffer, the drop counters, the
 * filter knobs and psc_emit_reserve(). All programs are linked into one object, so the maps
 * declared here are defined once (__weak, merged by `bpftool gen object`).
 */
#ifndef __PSC_COMMON_BPF_H
#define __PSC_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "psc_events.h"

/* Set by the loader before load */
const volatile __u32 cfg_self_tgid = 0;
const volatile __u32 cfg_filter_mode = PSC_FILTER_ALL;

/* Sized by the loader (--ringbuf-size) before load */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* Reserve failures per event type, per CPU: nothing is lost silently */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PSC_EV_TYPE_MAX);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PSC_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* Processes followed in PSC_FILTER_TREE mode (key: tgid), kept until the process is freed */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct psc_tracked);
} tracked SEC(".maps");

static __always_inline void psc_count(void *map, __u32 idx)
{
	__u64 *cnt = bpf_map_lookup_elem(map, &idx);

	if (cnt)
		*cnt += 1; /* per-CPU slot: no atomics needed */
}

static __always_inline __u64 psc_task_start(struct task_struct *task)
{
	return BPF_CORE_READ(task, group_leader, start_boottime);
}

/* Does the filter let events of process @tgid through? */
static __always_inline bool psc_wanted(__u32 tgid)
{
	if (tgid == cfg_self_tgid)
		return false;
	if (cfg_filter_mode == PSC_FILTER_ALL)
		return true;
	return bpf_map_lookup_elem(&tracked, &tgid) != NULL;
}

/*
 * Reserve a record of @size bytes, zero it (no stale kernel bytes reach userspace, padding
 * included) and fill the header for the current task. Counts a drop and returns NULL when the
 * ring is full.
 */
static __always_inline void *psc_emit_reserve(__u32 size, __u32 type)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct psc_ev_hdr *hdr;

	hdr = bpf_ringbuf_reserve(&events, size, 0);
	if (!hdr) {
		psc_count(&drops, type);
		return NULL;
	}
	__builtin_memset(hdr, 0, size);
	hdr->ts_ns = bpf_ktime_get_boot_ns();
	hdr->start_ns = psc_task_start(task);
	hdr->type = type;
	hdr->size = size;
	hdr->tgid = id >> 32;
	hdr->tid = (__u32)id;
	return hdr;
}

#endif /* __PSC_COMMON_BPF_H */
