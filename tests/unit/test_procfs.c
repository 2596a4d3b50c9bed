// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/session/procfs.c: the stat-line parser on crafted lines, then the readers on this
 * very process (no root needed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "decode.h"
#include "procfs.h"

/* A /proc/PID/stat line as the kernel writes it (52 fields), negative fields included */
static int make_line(char *buf, size_t size, uint32_t pid, const char *comm, char state,
		     uint32_t ppid, uint32_t threads, unsigned long long start)
{
	return snprintf(buf, size,
			"%u (%s) %c %u %u %u 34817 -1 4194560 1097 0 0 0 3 1 0 0 -2 -20 %u 0 %llu "
			"8720384 1280 18446744073709551615 94113 94114 140730 0 0 0 65536 4 0 0 0 "
			"17 3 0 0 0 0 0 94115 94116 94117 140731 140732 140733 140734 0 0\n",
			pid, comm, state, ppid, pid, pid, threads, start);
}

/*
 * Parse exactly @len bytes from a heap copy without a NUL after them: instrumented reads past
 * them trip ASan (glibc's strto*() are not instrumented: parse_truncated checks values too)
 */
static int parse_exact(const char *line, size_t len, struct procfs_stat *st)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, line, len);
	ret = procfs_parse_stat(copy, len, st);
	free(copy);
	return ret;
}

static void test_procfs__parse_normal(void **state)
{
	struct procfs_stat st;
	char line[512];
	int n = make_line(line, sizeof(line), 4242, "bash", 'S', 4200, 3, 987654321ull);

	assert_int_equal(procfs_parse_stat(line, (size_t)n, &st), 0);
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.comm, "bash");
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 4200);
	assert_int_equal(st.nr_threads, 3);
	assert_int_equal(st.start_ticks, 987654321ull);

	/* the same without the trailing newline, from an exact-size buffer */
	assert_int_equal(parse_exact(line, (size_t)n - 1, &st), 0);
	assert_int_equal(st.start_ticks, 987654321ull);
	assert_int_equal(st.nr_threads, 3);

	/* a zombie, big values */
	n = make_line(line, sizeof(line), 4194303, "z", 'Z', 1, 1, 18446744073709551615ull);
	assert_int_equal(parse_exact(line, (size_t)n, &st), 0);
	assert_int_equal(st.pid, 4194303);
	assert_int_equal(st.state, 'Z');
	assert_int_equal(st.ppid, 1);
	assert_int_equal(st.start_ticks, 18446744073709551615ull);

	/* init: ppid 0 */
	n = make_line(line, sizeof(line), 1, "systemd", 'S', 0, 1, 2);
	assert_int_equal(parse_exact(line, (size_t)n, &st), 0);
	assert_int_equal(st.ppid, 0);
	assert_int_equal(st.start_ticks, 2);
}

static void test_procfs__parse_comm(void **state)
{
	struct procfs_stat st;
	char line[512];
	int n;

	/* parentheses and spaces: the comm ends at the last ')' */
	n = make_line(line, sizeof(line), 42, "(a) b)", 'R', 7, 2, 1000);
	assert_int_equal(parse_exact(line, (size_t)n, &st), 0);
	assert_string_equal(st.comm, "(a) b)");
	assert_int_equal(st.state, 'R');
	assert_int_equal(st.ppid, 7);
	assert_int_equal(st.nr_threads, 2);
	assert_int_equal(st.start_ticks, 1000);

	/* a comm that fakes the following fields */
	n = make_line(line, sizeof(line), 43, ") S 99 1 1 (", 'D', 8, 1, 1001);
	assert_int_equal(parse_exact(line, (size_t)n, &st), 0);
	assert_string_equal(st.comm, ") S 99 1 1 (");
	assert_int_equal(st.state, 'D');
	assert_int_equal(st.ppid, 8);
	assert_int_equal(st.start_ticks, 1001);

	/* a newline inside */
	n = make_line(line, sizeof(line), 44, "a\nb", 'S', 9, 1, 1002);
	assert_int_equal(parse_exact(line, (size_t)n, &st), 0);
	assert_string_equal(st.comm, "a\nb");
	assert_int_equal(st.ppid, 9);

	/* empty */
	n = make_line(line, sizeof(line), 45, "", 'S', 10, 1, 1003);
	assert_int_equal(parse_exact(line, (size_t)n, &st), 0);
	assert_string_equal(st.comm, "");
	assert_int_equal(st.ppid, 10);

	/* longer than comm holds (the kernel caps it at 15): cut, NUL-terminated */
	n = make_line(line, sizeof(line), 46, "0123456789abcdefghij", 'S', 11, 1, 1004);
	assert_int_equal(parse_exact(line, (size_t)n, &st), 0);
	assert_string_equal(st.comm, "0123456789abcde");
	assert_int_equal(st.ppid, 11);
	assert_int_equal(st.start_ticks, 1004);
}

static void test_procfs__parse_truncated(void **state)
{
	struct procfs_stat st;
	char line[512], *p;
	size_t off22, len, end22;
	unsigned long long want;
	int n, field, ret;

	n = make_line(line, sizeof(line), 4242, "sh (x)", 'S', 4200, 3, 987654321ull);
	/* where field 22 starts: after the 19 spaces that follow ')' + state */
	p = strrchr(line, ')');
	for (field = 2; field < 22; field++)
		p = strchr(p + 1, ' ');
	off22 = (size_t)(p + 1 - line);
	assert_memory_equal(line + off22, "987654321 ", 10);
	end22 = off22 + 9;

	/* every prefix that ends before starttime is refused */
	for (len = 0; len <= off22; len++) {
		assert_int_equal(parse_exact(line, len, &st), -EINVAL);
		/* NUL-terminated at the cut too */
		p = strndup(line, len);
		assert_non_null(p);
		assert_int_equal(procfs_parse_stat(p, len, &st), -EINVAL);
		free(p);
	}
	/* a cut inside starttime: only the bytes within @len count, never those after */
	for (len = off22 + 1; len <= end22; len++) {
		want = strtoull(line + off22, NULL, 10);
		for (size_t i = len; i < end22; i++)
			want /= 10;
		ret = parse_exact(line, len, &st);
		assert_true(ret == -EINVAL || (ret == 0 && st.start_ticks == want));
		ret = procfs_parse_stat(line, len, &st); /* the rest of the line is right there */
		assert_true(ret == -EINVAL || (ret == 0 && st.start_ticks == want));
	}
	assert_int_equal(procfs_parse_stat(line, (size_t)n, &st), 0);
}

static void test_procfs__parse_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"42",
		"42 bash S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
		"42 (bash S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
		"42 )bash( S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20",
		"0 (swapper) S 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0",
		"(bash) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
		"42 (bash) S x 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19",
		"42 (bash) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 x",
		"42 (bash) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
		"42 (bash) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 ",
		"42 (bash)",
		"42 (bash) ",
		"42 (bash) S",
		"42 (bash) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99999999999999999999999",
	};
	struct procfs_stat st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse_exact(bad[i], strlen(bad[i]), &st), -EINVAL);
		assert_int_equal(procfs_parse_stat(bad[i], strlen(bad[i]), &st), -EINVAL);
	}
	/* the shortest valid line: state and fields 4..22 */
	{
		static const char ok[] = "7 (x) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19";

		assert_int_equal(parse_exact(ok, sizeof(ok) - 1, &st), 0);
		assert_int_equal(st.pid, 7);
		assert_int_equal(st.ppid, 1);
		assert_int_equal(st.nr_threads, 17);
		assert_int_equal(st.start_ticks, 19);
	}
}

static void test_procfs__read_self(void **state)
{
	struct procfs_stat st;
	char comm[64] = "";
	FILE *f;

	assert_int_equal(procfs_read_stat((uint32_t)getpid(), &st), 0);
	assert_int_equal(st.pid, (uint32_t)getpid());
	assert_int_equal(st.ppid, (uint32_t)getppid());
	assert_int_equal(st.state, 'R');
	assert_true(st.nr_threads >= 1);
	assert_true(st.start_ticks > 0);
	f = fopen("/proc/self/comm", "r");
	assert_non_null(f);
	assert_non_null(fgets(comm, sizeof(comm), f));
	fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	assert_string_equal(st.comm, comm);

	/* the parent started no later than us */
	{
		struct procfs_stat pst;

		assert_int_equal(procfs_read_stat((uint32_t)getppid(), &pst), 0);
		assert_true(pst.start_ticks <= st.start_ticks);
	}
	assert_int_equal(procfs_read_stat(0x7ffffff0u, &st), -ENOENT); /* above any pid_max */
	assert_int_equal(procfs_tick_ns(), 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

static void test_procfs__snapshot(void **state)
{
	struct procfs_snapshot snap, empty = { 0 };
	const struct procfs_stat *me;
	size_t i;

	assert_int_equal(procfs_snapshot(&snap), 0);
	assert_true(snap.n >= 2);
	for (i = 1; i < snap.n; i++)
		assert_true(snap.procs[i - 1].pid < snap.procs[i].pid);
	me = procfs_snapshot_find(&snap, (uint32_t)getpid());
	assert_non_null(me);
	assert_int_equal(me->pid, (uint32_t)getpid());
	assert_int_equal(me->ppid, (uint32_t)getppid());
	assert_non_null(procfs_snapshot_find(&snap, (uint32_t)getppid()));
	assert_ptr_equal(procfs_snapshot_find(&snap, snap.procs[0].pid), &snap.procs[0]);
	assert_ptr_equal(procfs_snapshot_find(&snap, snap.procs[snap.n - 1].pid),
			 &snap.procs[snap.n - 1]);
	assert_null(procfs_snapshot_find(&snap, 0x7ffffff0u));
	assert_null(procfs_snapshot_find(&snap, 0));
	assert_null(procfs_snapshot_find(&empty, 1));
	procfs_snapshot_free(&snap);
	assert_null(snap.procs);
	assert_int_equal(snap.n, 0);
	procfs_snapshot_free(&snap); /* twice is harmless */
}

/* @list holds @n pids from @snap: @root first, no duplicates, every parent before its children */
static void assert_tree_order(const struct procfs_snapshot *snap, const uint32_t *list, int n,
			      uint32_t root)
{
	int i, j;

	assert_true(n >= 1);
	assert_int_equal(list[0], root);
	for (i = 1; i < n; i++) {
		const struct procfs_stat *st = procfs_snapshot_find(snap, list[i]);

		assert_non_null(st);
		for (j = 0; j < i; j++) {
			assert_int_not_equal(list[j], list[i]);
			if (list[j] == st->ppid)
				break;
		}
		assert_true(j < i); /* the parent came earlier */
	}
}

static int index_of(const uint32_t *list, int n, uint32_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i] == pid)
			return i;
	return -1;
}

static void test_procfs__descendants_live(void **state)
{
	struct procfs_snapshot snap;
	uint32_t *from_parent = NULL, *from_me = NULL, *from_child = NULL;
	int n_parent = 0, n_me = 0, n_child = 0, snap_err, status, me, kid;
	pid_t self = getpid(), child = fork();

	assert_true(child >= 0);
	if (child == 0) {
		/* never outlive the test, even if it fails before the kill */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != self)
			_exit(1);
		alarm(60);
		for (;;)
			pause();
	}
	/* everything is read while the child lives, checked once it is reaped */
	snap_err = procfs_snapshot(&snap);
	if (!snap_err) {
		n_parent = procfs_descendants(&snap, (uint32_t)getppid(), &from_parent);
		n_me = procfs_descendants(&snap, (uint32_t)self, &from_me);
		n_child = procfs_descendants(&snap, (uint32_t)child, &from_child);
	}
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	assert_int_equal(snap_err, 0);

	assert_non_null(from_parent);
	assert_tree_order(&snap, from_parent, n_parent, (uint32_t)getppid());
	me = index_of(from_parent, n_parent, (uint32_t)self);
	kid = index_of(from_parent, n_parent, (uint32_t)child);
	assert_true(me > 0);
	assert_true(kid > me);

	/* from us: us and the child only */
	assert_int_equal(n_me, 2);
	assert_int_equal(from_me[0], (uint32_t)self);
	assert_int_equal(from_me[1], (uint32_t)child);

	/* from the child: nothing below it */
	assert_int_equal(n_child, 1);
	assert_int_equal(from_child[0], (uint32_t)child);

	free(from_parent);
	free(from_me);
	free(from_child);
	procfs_snapshot_free(&snap);
}

static void test_procfs__descendants_synthetic(void **state)
{
	/* pids wrapped: children with smaller pids than their parents; sorted by pid */
	struct procfs_stat procs[] = {
		{ .pid = 1, .ppid = 0 },     { .pid = 3, .ppid = 5 },	{ .pid = 5, .ppid = 100 },
		{ .pid = 7, .ppid = 1 },     { .pid = 100, .ppid = 1 }, { .pid = 150, .ppid = 200 },
		{ .pid = 200, .ppid = 100 }, { .pid = 201, .ppid = 3 },
	};
	struct procfs_snapshot snap = { procs, sizeof(procs) / sizeof(procs[0]) };
	static const uint32_t want[] = { 100, 5, 200, 3, 150, 201 };
	uint32_t *list;
	int n;

	n = procfs_descendants(&snap, 100, &list);
	assert_int_equal(n, 6);
	assert_memory_equal(list, want, sizeof(want));
	assert_tree_order(&snap, list, n, 100);
	free(list);

	n = procfs_descendants(&snap, 1, &list);
	assert_int_equal(n, 8);
	assert_tree_order(&snap, list, n, 1);
	free(list);

	/* a root not in the snapshot: just itself */
	n = procfs_descendants(&snap, 4242, &list);
	assert_int_equal(n, 1);
	assert_int_equal(list[0], 4242);
	free(list);

	/* an (impossible) ppid loop through the root terminates */
	procs[0].ppid = 201;
	n = procfs_descendants(&snap, 1, &list);
	assert_int_equal(n, 8);
	free(list);

	/* empty */
	snap.n = 0;
	n = procfs_descendants(&snap, 1, &list);
	assert_int_equal(n, 1);
	free(list);
}

/*
 * The kernel's exact starts replace /proc's ticks only for the same process: same pid and the
 * tick /proc gave; the seed then says its start is exact, and so is its parent's
 */
static void test_procfs__refine_exact_starts(void **state)
{
	struct procfs_stat procs[4] = {
		{ .pid = 1, .start_ticks = 15 },
		{ .pid = 7, .ppid = 1, .start_ticks = 300 },
		{ .pid = 9, .ppid = 7, .start_ticks = 301 },
		{ .pid = 12, .ppid = 9, .start_ticks = 400 },
	};
	/* pid 1 not listed (as this VM's init); 9 is another process now (another tick); 10 new */
	const struct psc_proc_start v[] = {
		{ .tgid = 7, .start_ns = 3009999999 },
		{ .tgid = 9, .start_ns = 3050000000 },
		{ .tgid = 10, .start_ns = 3990000000 },
		{ .tgid = 12, .start_ns = 4000000001 },
	};
	struct procfs_snapshot snap = { .procs = procs, .n = 4 };
	uint64_t tick = 10000000;
	union psc_event ev;

	procfs_refine(&snap, v, 4, tick);
	assert_int_equal(procs[0].start_exact_ns, 0);
	assert_int_equal(procs[1].start_exact_ns, 3009999999ull);
	assert_int_equal(procs[2].start_exact_ns, 0);
	assert_int_equal(procs[3].start_exact_ns, 4000000001ull);
	assert_int_equal(procfs_start_ns(&procs[1]), 3009999999ull);
	assert_int_equal(procfs_start_ns(&procs[2]), 301 * procfs_tick_ns());
	procfs_make_seed(&snap, &procs[3], 1, &ev);
	assert_int_equal(ev.hdr.start_ns, 4000000001ull);
	assert_true(ev.seed.flags & PSC_SEED_START_EXACT);
	assert_int_equal(ev.seed.parent_start_ns, 301 * procfs_tick_ns());
	procfs_make_seed(&snap, &procs[2], 1, &ev);
	assert_false(ev.seed.flags & PSC_SEED_START_EXACT);
	assert_int_equal(ev.seed.parent_start_ns, 3009999999ull);
	/* nothing from the kernel: /proc's ticks */
	procs[1].start_exact_ns = 0;
	procfs_refine(&snap, NULL, 0, tick);
	assert_int_equal(procfs_start_ns(&procs[1]), 300 * procfs_tick_ns());
}

static void test_procfs__make_seed(void **state)
{
	struct procfs_snapshot snap;
	const struct procfs_stat *me, *parent;
	uint64_t tick = procfs_tick_ns();
	union psc_event ev, out;
	char exe[PSC_PATH_LEN];
	ssize_t len;

	assert_int_equal(procfs_snapshot(&snap), 0);
	me = procfs_snapshot_find(&snap, (uint32_t)getpid());
	parent = procfs_snapshot_find(&snap, (uint32_t)getppid());
	assert_non_null(me);
	assert_non_null(parent);
	procfs_make_seed(&snap, me, 12345, &ev);
	assert_int_equal(ev.hdr.type, PSC_EV_PROC_SEED);
	assert_int_equal(ev.hdr.size, sizeof(ev.seed));
	assert_int_equal(ev.hdr.ts_ns, 12345);
	assert_int_equal(ev.hdr.tgid, (uint32_t)getpid());
	assert_int_equal(ev.hdr.tid, (uint32_t)getpid());
	assert_int_equal(ev.hdr.start_ns, me->start_ticks * tick);
	assert_int_equal(ev.seed.parent_tgid, (uint32_t)getppid());
	assert_int_equal(ev.seed.parent_start_ns, parent->start_ticks * tick);
	assert_int_equal(ev.seed.nr_threads, me->nr_threads);
	assert_int_equal(ev.seed.state, (uint32_t)(unsigned char)me->state);
	assert_string_equal(ev.seed.comm, me->comm);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(len > 0);
	exe[len] = '\0';
	assert_string_equal(ev.seed.filename, exe);
	assert_int_equal(decode_record(&ev, sizeof(ev.seed), &out), 0);

	/* a parent missing from the snapshot: start unknown */
	{
		struct procfs_stat orphan = *me;

		orphan.ppid = 0x7ffffff0u;
		procfs_make_seed(&snap, &orphan, 1, &ev);
		assert_int_equal(ev.seed.parent_tgid, 0x7ffffff0u);
		assert_int_equal(ev.seed.parent_start_ns, 0);
	}
	procfs_snapshot_free(&snap);
}

/* fdinfo of an epoll fd: the tfd lines, CPython's garbage high bits kept as they are */
static void test_procfs__parse_epoll_fdinfo(void **state)
{
	static const char text[] =
		"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1057\n"
		"tfd:        3 events:       19 data:                3  pos:0 ino:26d7e sdev:8\n"
		"tfd:        5 events: 80000019 data: 7f7500000005  pos:0 ino:26d80 sdev:8\n";
	struct procfs_epoll_reg *r;
	size_t n;

	assert_int_equal(procfs_parse_epoll_fdinfo(text, sizeof(text) - 1, &r, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].tfd, 3);
	assert_int_equal(r[0].events, 0x19);
	assert_int_equal(r[0].data, 3);
	assert_int_equal(r[1].tfd, 5);
	assert_int_equal(r[1].events, 0x80000019u);
	assert_int_equal(r[1].data, 0x7f7500000005ull);
	free(r);
	/* no registrations: no tfd line */
	assert_int_equal(procfs_parse_epoll_fdinfo(text, 40, &r, &n), 0);
	assert_int_equal(n, 0);
	free(r);
	/* a tfd line that does not parse is an error, not a silent skip */
	assert_int_equal(procfs_parse_epoll_fdinfo("tfd: x events: 1 data: 1\n", 25, &r, &n),
			 -EBADMSG);
}

/* The readers on an epoll fd and a socketpair of this very process */
static void test_procfs__read_own_fds(void **state)
{
	struct procfs_epoll_reg *r;
	struct procfs_unix *ux;
	struct psc_fd_info fi;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0xabcd00000000ull };
	struct stat st;
	size_t n, nux;
	int sv[2], ep;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ep = epoll_create1(0);
	assert_true(ep >= 0);
	ev.data.u64 |= (uint32_t)sv[0];
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev), 0);
	assert_int_equal(procfs_read_epoll(getpid(), ep, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].tfd, sv[0]);
	assert_int_equal(r[0].data, ev.data.u64);
	free(r);
	assert_int_equal(procfs_fd_info(getpid(), ep, &fi), 0);
	assert_int_equal(fi.kind, PSC_FD_ANON);
	assert_string_equal(fi.name, "[eventpoll]");
	assert_int_equal(procfs_fd_info(getpid(), sv[0], &fi), 0);
	assert_int_equal(fstat(sv[0], &st), 0);
	assert_int_equal(fi.kind, PSC_FD_SOCKET);
	assert_int_equal(fi.ino, st.st_ino);
	/* sock_diag may be refused in a sandbox: then only the error is checked */
	if (procfs_unix_table(&ux, &nux) == 0) {
		const struct procfs_unix *u = procfs_unix_find(ux, nux, st.st_ino);
		struct stat st1;

		assert_int_equal(fstat(sv[1], &st1), 0);
		assert_non_null(u);
		assert_int_equal(u->peer_ino, st1.st_ino);
		assert_int_equal(u->type, SOCK_STREAM);
		free(ux);
	}
	close(ep);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A process inside exit() (PF_EXITING in field 9) counts as exited when it is its one thread:
 * its exit hook may have run before the attach, and only this mark lets its reap count
 */
static void test_procfs__exiting_counts_as_exited(void **state)
{
	struct procfs_stat st;
	char line[512], *flags;
	int n;

	(void)state;
	n = make_line(line, sizeof(line), 4242, "x", 'R', 4200, 1, 100);
	assert_int_equal(procfs_parse_stat(line, (size_t)n, &st), 0);
	assert_false(st.exiting);
	assert_false(procfs_exited(&st));
	flags = strstr(line, " 4194560 ");
	assert_non_null(flags);
	memcpy(flags, " 4194564 ", 9); /* | PF_EXITING */
	assert_int_equal(procfs_parse_stat(line, (size_t)n, &st), 0);
	assert_true(st.exiting);
	assert_true(procfs_exited(&st));
	/* one thread of several in exit() is no exit of the process */
	n = make_line(line, sizeof(line), 4242, "x", 'R', 4200, 3, 100);
	memcpy(strstr(line, " 4194560 "), " 4194564 ", 9);
	assert_int_equal(procfs_parse_stat(line, (size_t)n, &st), 0);
	assert_true(st.exiting);
	assert_false(procfs_exited(&st));
	/* a zombie is exited, whatever its flags */
	n = make_line(line, sizeof(line), 4242, "x", 'Z', 4200, 1, 100);
	assert_int_equal(procfs_parse_stat(line, (size_t)n, &st), 0);
	assert_true(procfs_exited(&st));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procfs__parse_normal),
		cmocka_unit_test(test_procfs__exiting_counts_as_exited),
		cmocka_unit_test(test_procfs__parse_comm),
		cmocka_unit_test(test_procfs__parse_truncated),
		cmocka_unit_test(test_procfs__parse_invalid),
		cmocka_unit_test(test_procfs__read_self),
		cmocka_unit_test(test_procfs__snapshot),
		cmocka_unit_test(test_procfs__descendants_live),
		cmocka_unit_test(test_procfs__descendants_synthetic),
		cmocka_unit_test(test_procfs__make_seed),
		cmocka_unit_test(test_procfs__refine_exact_starts),
		cmocka_unit_test(test_procfs__parse_epoll_fdinfo),
		cmocka_unit_test(test_procfs__read_own_fds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
