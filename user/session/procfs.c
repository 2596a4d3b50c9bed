// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc parsing. The stat line's comm is user-controlled: find its end from the last ')'.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "procfs.h"

/* strtoull() for a field that must end by @end: the line need not be NUL-terminated there */
static int parse_num(const char **pp, const char *end, unsigned long long *out)
{
	const char *p = *pp;
	unsigned long long v = 0;
	bool neg = p < end && *p == '-';

	if (neg)
		p++;
	if (p >= end || *p < '0' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (ULLONG_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	*pp = p;
	return 0;
}

int procfs_parse_stat(const char *buf, size_t len, struct procfs_stat *st)
{
	const char *open, *close, *p, *end = buf + len;
	unsigned long long v[20];
	size_t clen;
	int field;

	memset(st, 0, sizeof(*st));
	open = memchr(buf, '(', len);
	if (!open)
		return -EINVAL;
	for (close = end - 1; close > open && *close != ')'; close--)
		;
	if (close <= open)
		return -EINVAL;
	st->pid = (uint32_t)strtoul(buf, NULL, 10);
	clen = (size_t)(close - open - 1);
	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, clen);
	p = close + 1;
	/* fields 3 (state) .. 22 (starttime) */
	for (field = 0; field < 20; field++) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			return -EINVAL;
		if (field == 0) {
			st->state = *p++;
			v[0] = 0;
			continue;
		}
		if (parse_num(&p, end, &v[field]))
			return -EINVAL;
	}
	st->ppid = (uint32_t)v[1];
	st->nr_threads = (uint32_t)v[17];
	st->start_ticks = v[19];
	return st->pid ? 0 : -EINVAL;
}

int procfs_read_stat(uint32_t pid, struct procfs_stat *st)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ENOENT;
	buf[n] = '\0';
	return procfs_parse_stat(buf, (size_t)n, st);
}

uint64_t procfs_tick_ns(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return hz > 0 ? 1000000000ull / (uint64_t)hz : 10000000ull;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct procfs_stat *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

int procfs_snapshot(struct procfs_snapshot *snap)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;

	snap->procs = NULL;
	snap->n = 0;
	dir = opendir("/proc");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		struct procfs_stat st;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (procfs_read_stat((uint32_t)strtoul(de->d_name, NULL, 10), &st))
			continue; /* gone meanwhile */
		if (snap->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct procfs_stat *p = realloc(snap->procs, ncap * sizeof(*p));

			if (!p) {
				closedir(dir);
				procfs_snapshot_free(snap);
				return -ENOMEM;
			}
			snap->procs = p;
			cap = ncap;
		}
		snap->procs[snap->n++] = st;
	}
	closedir(dir);
	if (snap->n)
		qsort(snap->procs, snap->n, sizeof(*snap->procs), cmp_pid);
	return 0;
}

void procfs_snapshot_free(struct procfs_snapshot *snap)
{
	free(snap->procs);
	snap->procs = NULL;
	snap->n = 0;
}

const struct procfs_stat *procfs_snapshot_find(const struct procfs_snapshot *snap, uint32_t pid)
{
	struct procfs_stat key = { .pid = pid };

	if (!snap->n)
		return NULL;
	return bsearch(&key, snap->procs, snap->n, sizeof(key), cmp_pid);
}

int procfs_descendants(const struct procfs_snapshot *snap, uint32_t root, uint32_t **out)
{
	uint32_t *list = malloc((snap->n + 1) * sizeof(*list));
	size_t n = 0, head = 0, i;

	*out = NULL;
	if (!list)
		return -ENOMEM;
	list[n++] = root;
	/* breadth first: parents are listed before their children */
	while (head < n) {
		uint32_t parent = list[head++];

		for (i = 0; i < snap->n && n <= snap->n; i++)
			if (snap->procs[i].ppid == parent && snap->procs[i].pid != root)
				list[n++] = snap->procs[i].pid;
	}
	*out = list;
	return (int)n;
}

static void read_exe(uint32_t pid, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

void procfs_make_seed(const struct procfs_snapshot *snap, const struct procfs_stat *st,
		      uint64_t now_ns, union psc_event *ev)
{
	uint64_t tick = procfs_tick_ns();
	const struct procfs_stat *parent = procfs_snapshot_find(snap, st->ppid);
	struct psc_ev_proc_seed *e = &ev->seed;

	memset(ev, 0, sizeof(*ev));
	e->hdr.type = PSC_EV_PROC_SEED;
	e->hdr.size = sizeof(*e);
	e->hdr.ts_ns = now_ns;
	e->hdr.tgid = st->pid;
	e->hdr.tid = st->pid;
	e->hdr.start_ns = st->start_ticks * tick;
	e->parent_tgid = st->ppid;
	e->parent_start_ns = parent ? parent->start_ticks * tick : 0;
	e->nr_threads = st->nr_threads;
	e->state = (unsigned char)st->state;
	memcpy(e->comm, st->comm, sizeof(e->comm));
	read_exe(st->pid, e->filename, sizeof(e->filename));
}
