// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The exact start of every live process, for the seeding from /proc: /proc/PID/stat gives the
 * start in clock ticks (10 ms), the records the leader's start_boottime in ns, and one process
 * must carry one start time everywhere. The loader reads this iterator's output (one
 * struct psc_proc_start per thread-group leader, in the seq file, not the ring) right after
 * each /proc walk: user/session/seed.c.
 */
#include "common.bpf.h"

SEC("iter/task")
int seed_starts(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct psc_proc_start s = {};

	/* the leader's start is the process's (a zombie leader stays listed while threads live) */
	if (!t || !t->pid || t->pid != t->tgid)
		return 0;
	s.tgid = t->tgid;
	s.start_ns = t->start_boottime;
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}
