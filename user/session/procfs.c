// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * /proc parsing. The stat line's comm is user-controlled: find its end from the last ')'.
 * Also what a running process holds: its fds, epoll interest lists, unix sockets (sock_diag).
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
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
	st->exiting = (v[6] & PROCFS_PF_EXITING) != 0;
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

void procfs_refine(struct procfs_snapshot *snap, const struct psc_proc_start *v, size_t n,
		   uint64_t tick_ns)
{
	size_t i = 0, j = 0;

	/* both sorted by pid: one merge */
	while (i < snap->n && j < n) {
		struct procfs_stat *st = &snap->procs[i];

		if (st->pid < v[j].tgid) {
			i++;
			continue;
		}
		if (st->pid == v[j].tgid && tick_ns && v[j].start_ns / tick_ns == st->start_ticks)
			st->start_exact_ns = v[j].start_ns;
		j++;
	}
}

bool procfs_exited(const struct procfs_stat *st)
{
	/*
	 * Dead or a zombie, or a one-thread process already inside exit(): its exit hook may have
	 * run before procscope attached (with more threads, one thread's exit is not the group's)
	 */
	return st->state == 'Z' || st->state == 'X' || (st->exiting && st->nr_threads <= 1);
}

uint64_t procfs_start_ns(const struct procfs_stat *st)
{
	return st->start_exact_ns ? st->start_exact_ns : st->start_ticks * procfs_tick_ns();
}

void procfs_seed_hdr(union psc_event *ev, uint32_t type, uint32_t size,
		     const struct procfs_stat *st, uint64_t now_ns)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = type;
	ev->hdr.size = size;
	ev->hdr.ts_ns = now_ns;
	ev->hdr.tgid = st->pid;
	ev->hdr.tid = st->pid;
	ev->hdr.start_ns = procfs_start_ns(st);
}

void procfs_make_seed(const struct procfs_snapshot *snap, const struct procfs_stat *st,
		      uint64_t now_ns, union psc_event *ev)
{
	const struct procfs_stat *parent = procfs_snapshot_find(snap, st->ppid);
	struct psc_ev_proc_seed *e = &ev->seed;

	procfs_seed_hdr(ev, PSC_EV_PROC_SEED, sizeof(*e), st, now_ns);
	if (st->start_exact_ns)
		e->flags |= PSC_SEED_START_EXACT;
	e->parent_tgid = st->ppid;
	e->parent_start_ns = parent ? procfs_start_ns(parent) : 0;
	e->nr_threads = st->nr_threads;
	/* inside exit() already: a zombie to be, whose exit came before the trace */
	e->state = (unsigned char)(procfs_exited(st) ? 'Z' : st->state);
	memcpy(e->comm, st->comm, sizeof(e->comm));
	read_exe(st->pid, e->filename, sizeof(e->filename));
}

/* ---- file descriptors, epoll interest lists, unix sockets (seeding -p) ---- */

int procfs_list_fds(uint32_t pid, int32_t **out, size_t *n)
{
	char path[64];
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%u/fd", pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		int32_t *p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			p = realloc(*out, cap * sizeof(*p));
			if (!p) {
				closedir(dir);
				free(*out);
				*out = NULL;
				return -ENOMEM;
			}
			*out = p;
		}
		(*out)[(*n)++] = (int32_t)strtol(de->d_name, NULL, 10);
	}
	closedir(dir);
	return 0;
}

int procfs_fd_info(uint32_t pid, int32_t fd, struct psc_fd_info *fi)
{
	char path[64], link[64];
	struct stat st;
	ssize_t n;

	memset(fi, 0, sizeof(*fi));
	snprintf(path, sizeof(path), "/proc/%u/fd/%d", pid, fd);
	if (stat(path, &st))
		return -errno;
	fi->ino = st.st_ino;
	switch (st.st_mode & S_IFMT) {
	case S_IFSOCK:
		fi->kind = PSC_FD_SOCKET;
		return 0;
	case S_IFREG:
		fi->kind = PSC_FD_FILE;
		return 0;
	case S_IFDIR:
		fi->kind = PSC_FD_DIR;
		return 0;
	case S_IFIFO:
		fi->kind = PSC_FD_FIFO;
		return 0;
	case S_IFCHR:
		fi->kind = PSC_FD_CHR;
		return 0;
	case S_IFBLK:
		fi->kind = PSC_FD_BLK;
		return 0;
	default:
		break;
	}
	/* an anon inode has no type bits: "anon_inode:[eventfd]" names it, as its dentry does */
	fi->kind = PSC_FD_ANON;
	n = readlink(path, link, sizeof(link) - 1);
	if (n > 11 && !strncmp(link, "anon_inode:", 11)) {
		size_t k = (size_t)n - 11;

		if (k > sizeof(fi->name) - 1)
			k = sizeof(fi->name) - 1; /* as the kernel side's bounded read */
		memcpy(fi->name, link + 11, k);
	}
	return 0;
}

int procfs_parse_epoll_fdinfo(const char *buf, size_t len, struct procfs_epoll_reg **out, size_t *n)
{
	const char *p = buf, *end = buf + len;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *lend = eol ? eol : end;
		unsigned long long tfd, events, data;
		char line[256];
		size_t l = (size_t)(lend - p);

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, p, l);
		line[l] = '\0';
		p = lend + 1;
		/* tfd:        5 events:       19 data:                5  pos:0 ino:1f sdev:8 */
		if (strncmp(line, "tfd:", 4))
			continue;
		if (sscanf(line, "tfd: %llu events: %llx data: %llx", &tfd, &events, &data) != 3 ||
		    tfd > INT32_MAX) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -EBADMSG;
		}
		if (*n == cap) {
			struct procfs_epoll_reg *r;

			cap = cap ? cap * 2 : 16;
			r = realloc(*out, cap * sizeof(*r));
			if (!r) {
				free(*out);
				*out = NULL;
				*n = 0;
				return -ENOMEM;
			}
			*out = r;
		}
		(*out)[*n].tfd = (int32_t)tfd;
		(*out)[*n].events = (uint32_t)events;
		(*out)[*n].data = data;
		(*n)++;
	}
	return 0;
}

int procfs_read_epoll(uint32_t pid, int32_t epfd, struct procfs_epoll_reg **out, size_t *n)
{
	size_t cap = 4096, len = 0;
	char path[64], *buf;
	ssize_t r;
	int fd, err;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%u/fdinfo/%d", pid, epfd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	while (buf && (r = read(fd, buf + len, cap - len)) > 0) {
		len += (size_t)r;
		if (len == cap) {
			char *b = realloc(buf, cap * 2);

			if (!b) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = b;
			cap *= 2;
		}
	}
	err = !buf ? -ENOMEM : r < 0 ? -errno : 0;
	close(fd);
	if (!err)
		err = procfs_parse_epoll_fdinfo(buf, len, out, n);
	free(buf);
	return err;
}

/* sock_diag: every unix socket with its peer inode and bound path */
static int unix_diag_request(int nl)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg),
			 .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = AF_UNIX,
			 .udiag_states = ~0u,
			 .udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(nl, &msg, sizeof(msg), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	return 0;
}

static void unix_diag_parse(const struct nlmsghdr *h, struct procfs_unix *u)
{
	const struct unix_diag_msg *d = NLMSG_DATA(h);
	const struct rtattr *a = (const struct rtattr *)(d + 1);
	int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*d)));

	memset(u, 0, sizeof(*u));
	u->ino = d->udiag_ino;
	u->type = d->udiag_type;
	u->state = d->udiag_state;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t n = RTA_PAYLOAD(a);

		if (a->rta_type == UNIX_DIAG_PEER && n >= sizeof(uint32_t)) {
			memcpy(&u->peer_ino, RTA_DATA(a), sizeof(uint32_t));
		} else if (a->rta_type == UNIX_DIAG_NAME) {
			if (n > sizeof(u->path.path))
				n = sizeof(u->path.path);
			memcpy(u->path.path, RTA_DATA(a), n);
			u->path.len = (uint32_t)n;
		}
	}
}

static int cmp_unix(const void *a, const void *b)
{
	const struct procfs_unix *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

int procfs_unix_table(struct procfs_unix **out, size_t *n)
{
	static char buf[32768];
	size_t cap = 0;
	int nl, err = 0;
	bool done = false;

	*out = NULL;
	*n = 0;
	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl < 0)
		return -errno;
	err = unix_diag_request(nl);
	while (!err && !done) {
		ssize_t r = recv(nl, buf, sizeof(buf), 0);
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		size_t left = r > 0 ? (size_t)r : 0;

		if (r < 0) {
			err = -errno;
			break;
		}
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error ? e->error : -EPROTO;
				break;
			}
			if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(struct unix_diag_msg)))
				continue;
			if (*n == cap) {
				struct procfs_unix *p;

				cap = cap ? cap * 2 : 256;
				p = realloc(*out, cap * sizeof(*p));
				if (!p) {
					err = -ENOMEM;
					break;
				}
				*out = p;
			}
			unix_diag_parse(h, &(*out)[(*n)++]);
		}
		if (!r)
			break;
	}
	close(nl);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
		return err;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_unix);
	return 0;
}

const struct procfs_unix *procfs_unix_find(const struct procfs_unix *tab, size_t n, uint64_t ino)
{
	struct procfs_unix key = { .ino = ino };

	return n ? bsearch(&key, tab, n, sizeof(key), cmp_unix) : NULL;
}
