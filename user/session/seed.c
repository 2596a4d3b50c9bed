// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Catch-up from /proc at attach (session layer: it talks to the loader). The events that come
 * after attach are the truth; what is read here only fills in what existed before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "loader.h"
#include "log.h"
#include "model.h"
#include "procfs.h"
#include "proctree.h"
#include "seed.h"

/*
 * Which processes of @snap to seed, by index in snap->procs: every one system-wide; for a tree,
 * pid 1, the root's subtree and its ancestors (the possible subreapers and init, who adopt
 * orphans), and procscope itself in command mode (the command's parent). Exact at any depth.
 * Returns a calloc'ed array or NULL (-ENOMEM).
 */
static bool *seed_wanted(const struct seed_scope *sc, const struct procfs_snapshot *snap)
{
	bool *want = calloc(snap->n + 1, sizeof(*want));
	const struct procfs_stat *st;
	uint32_t *desc = NULL;
	size_t i;
	int n;

	if (!want)
		return NULL;
	if (!sc->root_pid) {
		for (i = 0; i < snap->n; i++)
			want[i] = snap->procs[i].pid != (uint32_t)getpid() || sc->command;
		return want;
	}
	n = procfs_descendants(snap, sc->root_pid, &desc);
	if (n < 0) {
		free(want);
		return NULL;
	}
	for (i = 0; i < (size_t)n; i++) {
		st = procfs_snapshot_find(snap, desc[i]);
		if (st)
			want[st - snap->procs] = true;
	}
	free(desc);
	/* ancestors: at most one hop per process, so a bad /proc read cannot loop forever */
	st = procfs_snapshot_find(snap, sc->root_pid);
	for (i = 0; st && i < snap->n; i++, st = procfs_snapshot_find(snap, st->ppid))
		want[st - snap->procs] = true;
	st = procfs_snapshot_find(snap, 1);
	if (st)
		want[st - snap->procs] = true;
	st = procfs_snapshot_find(snap, (uint32_t)getpid());
	if (st)
		want[st - snap->procs] = sc->command;
	return want;
}

static int read_snapshot(struct procfs_snapshot *snap)
{
	int err = procfs_snapshot(snap);

	if (err)
		psc_err("failed to read /proc: %s", strerror(-err));
	return err;
}

int seed_track(struct loader *ld, const struct seed_scope *sc)
{
	struct procfs_snapshot snap;
	uint32_t *desc = NULL;
	int err, n, i;

	err = read_snapshot(&snap);
	if (err)
		return err;
	n = procfs_descendants(&snap, sc->root_pid, &desc);
	for (i = 0; i < n; i++) {
		const struct procfs_stat *st = procfs_snapshot_find(&snap, desc[i]);

		if (st && loader__track(ld, st->pid, st->start_ticks * procfs_tick_ns(),
					st->state == 'Z'))
			psc_warn("failed to follow pid %u: %s", st->pid, strerror(errno));
	}
	free(desc);
	procfs_snapshot_free(&snap);
	return n < 0 ? n : 0;
}

int seed_model(struct model *m, const struct seed_scope *sc)
{
	struct procfs_snapshot snap;
	struct procfs_stat *sorted;
	const struct procfs_stat *st;
	struct timespec ts;
	bool *want;
	union psc_event ev;
	uint64_t now;
	size_t i;
	int err;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	err = read_snapshot(&snap);
	if (err)
		return err;
	/* ancestors before descendants: pids wrap, start times do not */
	sorted = malloc(snap.n * sizeof(*sorted) + 1);
	want = seed_wanted(sc, &snap);
	if (!sorted || !want) {
		free(sorted);
		free(want);
		procfs_snapshot_free(&snap);
		return -ENOMEM;
	}
	memcpy(sorted, snap.procs, snap.n * sizeof(*sorted));
	for (i = 1; i < snap.n; i++) { /* insertion sort: /proc is nearly sorted already */
		struct procfs_stat key = sorted[i];
		size_t j = i;

		while (j && sorted[j - 1].start_ticks > key.start_ticks) {
			sorted[j] = sorted[j - 1];
			j--;
		}
		sorted[j] = key;
	}
	for (i = 0; i < snap.n && !err; i++) {
		st = procfs_snapshot_find(&snap, sorted[i].pid);
		if (!st || !want[st - snap.procs])
			continue;
		procfs_make_seed(&snap, &sorted[i], now, &ev);
		err = model__apply(m, &ev);
		/* the root first (parents come first): its seeded descendants inherit the mark */
		if (!err && sc->root_pid && sorted[i].pid == sc->root_pid) {
			struct proc *root = proctree__find_pid(m->tree, sc->root_pid);

			if (root)
				root->flags |= PROC_F_IN_TREE;
		}
	}
	free(sorted);
	free(want);
	procfs_snapshot_free(&snap);
	return err;
}
