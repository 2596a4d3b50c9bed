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

/*
 * The time of every seed record: the trace's time base (taken just before attach), so that the
 * seeds, which describe the state at attach, come before every ring record in time as they do
 * in order (the log and the live lines stay monotonic). Before the base is set: now.
 */
static uint64_t seed_ts(const struct model *m)
{
	struct timespec ts;

	if (m->meta.boottime_base_ns)
		return m->meta.boottime_base_ns;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Every process in /proc, each with its exact start (the kernel's, read right after the walk)
 * where it is still there: /proc's clock ticks would give a process a second identity beside
 * the one its records carry. A process gone meanwhile keeps its ticks (and the seed says so).
 */
static int read_snapshot(struct loader *ld, struct procfs_snapshot *snap)
{
	struct psc_proc_start *starts = NULL;
	size_t n = 0;
	int err = procfs_snapshot(snap);

	if (err) {
		psc_err("failed to read /proc: %s", strerror(-err));
		return err;
	}
	err = loader_proc_starts(ld, &starts, &n);
	if (err)
		psc_warn("failed to read the start times of processes (task iterator): %s: those "
			 "read from /proc are known to a clock tick only",
			 strerror(-err));
	procfs_refine(snap, starts, n, procfs_tick_ns());
	free(starts);
	return 0;
}

/*
 * Watch @pid's sockets (rx_watch): a send from an untraced process that wakes one is traced.
 * Done with the tracking, before attach, so that the first waits after it are linked too.
 */
static void watch_sockets(struct loader *ld, uint32_t pid)
{
	int32_t *fds = NULL;
	size_t nfds = 0, i;
	int err;

	if (procfs_list_fds(pid, &fds, &nfds))
		return; /* gone, or unreadable: seed_fds() says so */
	for (i = 0; i < nfds; i++) {
		struct psc_fd_info fi;

		if (procfs_fd_info(pid, fds[i], &fi) || fi.kind != PSC_FD_SOCKET)
			continue;
		err = loader_watch_socket(ld, fi.ino);
		if (err)
			psc_warn("failed to watch socket %llu of pid %u: %s",
				 (unsigned long long)fi.ino, pid, strerror(-err));
	}
	free(fds);
}

int seed_track(struct loader *ld, const struct seed_scope *sc)
{
	struct procfs_snapshot snap;
	uint32_t *desc = NULL;
	int err, n, i;

	err = read_snapshot(ld, &snap);
	if (err)
		return err;
	n = procfs_descendants(&snap, sc->root_pid, &desc);
	for (i = 0; i < n; i++) {
		const struct procfs_stat *st = procfs_snapshot_find(&snap, desc[i]);

		if (st && loader_track(ld, st->pid, procfs_start_ns(st), st->start_exact_ns != 0,
				       procfs_exited(st)))
			psc_warn("failed to follow pid %u: %s", st->pid, strerror(errno));
		if (st && st->state != 'Z' && (sc->groups & PSC_GROUP_UNIX))
			watch_sockets(ld, st->pid);
	}
	free(desc);
	procfs_snapshot_free(&snap);
	return n < 0 ? n : 0;
}

/* Did @a start after @b? By clock tick, within one by the exact starts when both have them */
static bool start_after(const struct procfs_stat *a, const struct procfs_stat *b)
{
	if (a->start_ticks != b->start_ticks)
		return a->start_ticks > b->start_ticks;
	return a->start_exact_ns && b->start_exact_ns && a->start_exact_ns > b->start_exact_ns;
}

int seed_model(struct model *m, struct loader *ld, const struct seed_scope *sc)
{
	struct procfs_snapshot snap;
	struct procfs_stat *sorted;
	const struct procfs_stat *st;
	bool *want;
	union psc_event ev;
	uint64_t now;
	size_t i;
	int err;

	now = seed_ts(m);
	err = read_snapshot(ld, &snap);
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

		while (j && start_after(&sorted[j - 1], &key)) {
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
		/* the model marks the root (and procscope) from its meta: see mark_target() */
		err = model_apply(m, &ev);
	}
	free(sorted);
	free(want);
	procfs_snapshot_free(&snap);
	return err;
}

/* One seed record for @pid's epoll fd @epfd: a registration, or (@err < 0) a failure to read */
static int apply_epoll_seed(struct model *m, const struct procfs_stat *st, uint64_t now,
			    int32_t epfd, const struct procfs_epoll_reg *r,
			    const struct psc_fd_info *target, int err)
{
	union psc_event ev;
	struct psc_ev_epoll_ctl *e = &ev.epoll_ctl;

	procfs_seed_hdr(&ev, PSC_EV_EPOLL_SEED, sizeof(*e), st, now);
	e->epfd = epfd;
	e->op = 1; /* EPOLL_CTL_ADD */
	e->ret = err;
	e->fd = r ? r->tfd : -1;
	if (r) {
		e->events = r->events;
		e->data = r->data;
		e->target = *target;
	}
	return model_apply(m, &ev);
}

/* The target of registration @r as the kernel side would fill it (psc_file_info()) */
static void reg_target(uint32_t pid, const struct procfs_epoll_reg *r, const struct procfs_unix *ux,
		       size_t nux, struct psc_fd_info *fi)
{
	const struct procfs_unix *u;

	if (procfs_fd_info(pid, r->tfd, fi))
		return; /* closed meanwhile: the registration names a number only */
	if (fi->kind != PSC_FD_SOCKET)
		return;
	u = procfs_unix_find(ux, nux, fi->ino);
	if (u) {
		fi->sock_family = 1; /* AF_UNIX */
		fi->sock_type = (uint16_t)u->type;
	}
}

/* One seed record for unix socket @u, fd @fd of @st; @ux: every unix socket, for its peer */
static int apply_unix_seed(struct model *m, const struct procfs_stat *st, uint64_t now, int32_t fd,
			   const struct procfs_unix *u, const struct procfs_unix *ux, size_t nux)
{
	const struct procfs_unix *peer = u->peer_ino ? procfs_unix_find(ux, nux, u->peer_ino) :
						       NULL;
	union psc_event ev;
	struct psc_ev_unix_seed *e = &ev.unix_seed;

	procfs_seed_hdr(&ev, PSC_EV_UNIX_SEED, sizeof(*e), st, now);
	e->fd = fd;
	e->type = u->type;
	e->ino = u->ino;
	e->peer_ino = u->peer_ino;
	if (u->state == 10) /* TCP_LISTEN */
		e->flags |= PSC_UNIX_SEED_LISTENING;
	if (u->path.len) {
		e->flags |= PSC_UNIX_SEED_BOUND;
		e->addr = u->path;
	} else if (peer && peer->path.len) {
		e->flags |= PSC_UNIX_SEED_PEER_PATH;
		e->addr = peer->path;
	}
	return model_apply(m, &ev);
}

/*
 * Seed the interest lists of @st's epoll fds and its unix sockets; watch the sockets. Prints
 * its warnings.
 */
static int seed_proc_fds(struct model *m, struct loader *ld, const struct seed_scope *sc,
			 const struct procfs_stat *st, const struct procfs_unix *ux, size_t nux,
			 uint64_t now)
{
	int32_t *fds = NULL;
	size_t nfds = 0, i, j;
	int err;

	err = procfs_list_fds(st->pid, &fds, &nfds);
	if (err) {
		if (err != -ENOENT)
			psc_warn("failed to read the fds of pid %u: %s: its epoll registrations "
				 "and sockets from before the trace are unknown",
				 st->pid, strerror(-err));
		return err == -ENOMEM ? err : 0;
	}
	for (i = 0; i < nfds && err != -ENOMEM; i++) {
		struct procfs_epoll_reg *regs = NULL;
		struct psc_fd_info fi, target;
		size_t nregs = 0;

		const struct procfs_unix *u;

		if (procfs_fd_info(st->pid, fds[i], &fi))
			continue;
		u = fi.kind == PSC_FD_SOCKET ? procfs_unix_find(ux, nux, fi.ino) : NULL;
		if (u) {
			/* seed_track() watched it before attach */
			err = sc->groups & PSC_GROUP_UNIX ?
				      apply_unix_seed(m, st, now, fds[i], u, ux, nux) :
				      0;
			continue;
		}
		if (!(sc->groups & PSC_GROUP_EPOLL) || fi.kind != PSC_FD_ANON ||
		    strcmp(fi.name, "[eventpoll]"))
			continue;
		err = procfs_read_epoll(st->pid, fds[i], &regs, &nregs);
		if (err) {
			/* said in the log too: a seed record with the error */
			psc_warn("failed to read the epoll registrations of pid %u fd %d: %s: its "
				 "ready fds will show as fd -1",
				 st->pid, fds[i], strerror(-err));
			err = err == -ENOMEM ?
				      err :
				      apply_epoll_seed(m, st, now, fds[i], NULL, NULL, err);
			continue;
		}
		for (j = 0; j < nregs && !err; j++) {
			reg_target(st->pid, &regs[j], ux, nux, &target);
			err = apply_epoll_seed(m, st, now, fds[i], &regs[j], &target, 0);
		}
		free(regs);
	}
	free(fds);
	return err == -ENOMEM ? err : 0;
}

int seed_fds(struct model *m, struct loader *ld, const struct seed_scope *sc)
{
	struct procfs_snapshot snap;
	struct procfs_unix *ux = NULL;
	uint32_t *desc = NULL;
	size_t nux = 0;
	uint64_t now;
	int err, n, i;

	now = seed_ts(m);
	err = read_snapshot(ld, &snap);
	if (err)
		return err;
	err = procfs_unix_table(&ux, &nux);
	if (err)
		psc_warn("failed to list unix sockets (sock_diag): %s: sends from untraced "
			 "processes to sockets opened before the trace are not linked",
			 strerror(-err));
	n = procfs_descendants(&snap, sc->root_pid, &desc);
	for (i = 0, err = n < 0 ? n : 0; i < n && !err; i++) {
		const struct procfs_stat *st = procfs_snapshot_find(&snap, desc[i]);

		if (st && st->state != 'Z')
			err = seed_proc_fds(m, ld, sc, st, ux, nux, now);
	}
	free(desc);
	free(ux);
	procfs_snapshot_free(&snap);
	return err;
}
