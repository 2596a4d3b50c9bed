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
#include "seed.h"

/* Is @p an ancestor of, or in the subtree of, the traced root? (walks /proc parent links) */
static bool related_to_root(const struct seed_scope *sc, const struct procfs_snapshot *snap,
			    uint32_t pid)
{
	const struct procfs_stat *st;
	int depth;

	/* ancestors of the root: the possible subreapers and init, who adopt orphans */
	for (st = procfs_snapshot_find(snap, sc->root_pid), depth = 0; st && depth < 4096;
	     st = procfs_snapshot_find(snap, st->ppid), depth++)
		if (st->pid == pid)
			return true;
	/* the subtree */
	for (st = procfs_snapshot_find(snap, pid), depth = 0; st && depth < 4096;
	     st = procfs_snapshot_find(snap, st->ppid), depth++)
		if (st->pid == sc->root_pid)
			return true;
	return false;
}

/* System-wide: every process; a tree: the root's subtree and ancestors, and procscope */
static bool seed_wanted(const struct seed_scope *sc, const struct procfs_snapshot *snap,
			const struct procfs_stat *st)
{
	if (st->pid == (uint32_t)getpid())
		return sc->command; /* the launched command's parent */
	if (!sc->root_pid)
		return true;
	return st->pid == 1 || related_to_root(sc, snap, st->pid);
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
	struct timespec ts;
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
	if (!sorted) {
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
		if (!seed_wanted(sc, &snap, &sorted[i]))
			continue;
		procfs_make_seed(&snap, &sorted[i], now, &ev);
		err = model__apply(m, &ev);
	}
	free(sorted);
	procfs_snapshot_free(&snap);
	return err;
}
