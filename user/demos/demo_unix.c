// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The "unix" demo group: a stream server at a filesystem path with several clients (and the
 * connects that fail), datagrams by path, an abstract-namespace server with an autobound client,
 * and a socketpair between a parent and its child that also passes an fd. Each process writes
 * what it saw (inodes from fstat, bytes from its own calls, the errno it got) as ground truth.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "demo_util.h"

#define ST_CLIENTS 3
#define ST_MSGS 4
#define ST_MSG_LEN 32 /* client -> server; the first byte says which client */
#define ST_REPLY_LEN 16 /* server -> client */
#define DG_MSGS 3
#define DG_MSG_LEN 24
#define DG_REPLY_LEN 8
#define SP_PINGS 5
#define SP_PING_LEN 8
#define SUN_LEN_MAX ((int)sizeof(((struct sockaddr_un *)0)->sun_path))

/* What one socket end did, from the return values of its own calls */
struct io {
	long long sent; /* bytes */
	long long received;
	long long writes; /* successful send calls */
	long long reads; /* receive calls that returned >= 0 (an EOF too) */
};

/* ---- helpers ---- */

static unsigned long long fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : (unsigned long long)st.st_ino;
}

/* @s as a JSON string body: the demo's paths are plain, but never trust that */
static const char *json_esc(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s && o + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			o += snprintf(buf + o, size - o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			o += snprintf(buf + o, size - o, "\\u%04x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * A sockaddr_un for @name: a filesystem path, or with a leading '@' an abstract name (its
 * first byte NUL, its length exact: abstract names are not NUL-terminated).
 */
static int make_addr(const char *name, struct sockaddr_un *sa, socklen_t *len)
{
	size_t n = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n >= (size_t)SUN_LEN_MAX)
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, name, n);
	if (name[0] == '@') {
		sa->sun_path[0] = '\0';
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else {
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	}
	return 0;
}

/* The name a socket is bound to, "@..." for an abstract one, "" for none */
static const char *sock_name(int fd, char *buf, size_t size)
{
	struct sockaddr_un sa;
	socklen_t len = sizeof(sa);
	size_t n;

	buf[0] = '\0';
	if (getsockname(fd, (struct sockaddr *)&sa, &len) ||
	    len <= offsetof(struct sockaddr_un, sun_path))
		return buf;
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (sa.sun_path[0] == '\0')
		snprintf(buf, size, "@%.*s", (int)(n - 1), sa.sun_path + 1);
	else
		snprintf(buf, size, "%.*s", (int)strnlen(sa.sun_path, n), sa.sun_path);
	return buf;
}

static void truth_socket(const struct run *r, const char *role, int fd, const char *type,
			 const char *path)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_socket\",\"pid\":%d,\"role\":\"%s\",\"fd\":%d,"
		   "\"ino\":%llu,\"type\":\"%s\",\"path\":\"%s\"}",
		   r->demo, getpid(), role, fd, fd_ino(fd), type, json_esc(path, esc, sizeof(esc)));
}

/* One end of connection @conn: "client" after connect(), "server" after accept() */
static void truth_conn(const struct run *r, const char *role, int conn, int fd, const char *path)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_conn\",\"pid\":%d,\"role\":\"%s\",\"conn\":%d,"
		   "\"fd\":%d,\"ino\":%llu,\"path\":\"%s\"}",
		   r->demo, getpid(), role, conn, fd, fd_ino(fd), json_esc(path, esc, sizeof(esc)));
}

static void truth_io(const struct run *r, int fd, const struct io *io)
{
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_io\",\"pid\":%d,\"ino\":%llu,\"sent\":%lld,"
		   "\"received\":%lld,\"writes\":%lld,\"reads\":%lld}",
		   r->demo, getpid(), fd_ino(fd), io->sent, io->received, io->writes, io->reads);
}

static void truth_error(const struct run *r, const char *op, int fd, const char *path, int err)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_error\",\"pid\":%d,\"op\":\"%s\",\"ino\":%llu,"
		   "\"path\":\"%s\",\"errno\":%d}",
		   r->demo, getpid(), op, fd_ino(fd), json_esc(path, esc, sizeof(esc)), err);
}

/* Datagrams one socket sent to one place: by @path, or to the socket it is connected to */
static void truth_dgram(const struct run *r, int fd, const char *path, bool connected,
			long long msgs, long long bytes)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(
		r->ctx,
		"{\"demo\":\"%s\",\"kind\":\"unix_dgram\",\"pid\":%d,\"ino\":%llu,\"path\":\"%s\","
		"\"connected\":%s,\"msgs\":%lld,\"bytes\":%lld}",
		r->demo, getpid(), fd_ino(fd), json_esc(path, esc, sizeof(esc)),
		connected ? "true" : "false", msgs, bytes);
}

static int write_all(int fd, const void *buf, size_t len, struct io *io)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = write(fd, (const char *)buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		io->writes++;
		io->sent += n;
		off += (size_t)n;
	}
	return 0;
}

/* Read exactly @len bytes (bounded wait): 0, -EPIPE at EOF, -ETIMEDOUT or -errno */
static int read_exact(int fd, void *buf, size_t len, struct io *io)
{
	size_t got = 0;

	while (got < len) {
		int err = demo_poll_readable(fd, demo_deadline_in(TIMEOUT_MS));
		ssize_t n;

		if (err)
			return err;
		n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		io->reads++;
		if (n == 0)
			return -EPIPE;
		io->received += n;
		got += (size_t)n;
	}
	return 0;
}

/* A temp dir for socket files, short enough for sun_path (108 bytes) */
static int make_dir(const struct run *r, char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp || strlen(tmp) > 40 || strpbrk(tmp, "\"\\"))
		tmp = "/tmp";
	snprintf(dir, size, "%s/procscope-unix.XXXXXX", tmp);
	if (!mkdtemp(dir))
		return demo_fail(r, -errno, "mkdtemp %s", dir);
	return 0;
}

/* The socket file bind() made: there, and a socket (S_ISSOCK) */
static int check_sock_file(const struct run *r, const char *path)
{
	struct stat st;

	if (access(path, F_OK))
		return demo_fail(r, -errno, "access(%s) after bind", path);
	if (stat(path, &st))
		return demo_fail(r, -errno, "stat(%s)", path);
	if (!S_ISSOCK(st.st_mode))
		return demo_fail(r, -EINVAL, "%s is not a socket (mode %o)", path, st.st_mode);
	return 0;
}

/* unlink() the socket file and check it is gone */
static int remove_sock_file(const struct run *r, const char *path)
{
	if (unlink(path))
		return demo_fail(r, -errno, "unlink(%s)", path);
	if (!access(path, F_OK) || errno != ENOENT)
		return demo_fail(r, -EEXIST, "%s is still there after unlink()", path);
	return 0;
}

/* ---- unix-stream and unix-abstract: a server on epoll and its clients ---- */

struct st_args {
	char name[SUN_LEN_MAX + 1]; /* a path, or "@name" for an abstract one */
	int nclients;
	bool autobind; /* clients let the kernel pick them an abstract name */
	int ready_fd; /* the server writes its pid here once it listens */
};

struct st_conn {
	int fd;
	int id; /* the client's number, from its first message; -1 before */
	size_t have;
	char buf[ST_MSG_LEN];
	struct io io;
};

/* Read what is there (nonblocking, to EAGAIN); reply to every whole message. 1 at EOF. */
static int st_serve_conn(const struct run *r, const struct st_args *a, struct st_conn *c)
{
	char reply[ST_REPLY_LEN];

	for (;;) {
		ssize_t n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);

		if (n < 0 && errno == EAGAIN)
			return 0; /* drained: epoll will say when there is more */
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return demo_fail(r, -errno, "server: read");
		c->io.reads++;
		if (n == 0)
			return 1;
		c->io.received += n;
		c->have += (size_t)n;
		if (c->have < sizeof(c->buf))
			continue;
		c->have = 0;
		if (c->id < 0) {
			c->id = (unsigned char)c->buf[0];
			truth_conn(r, "server", c->id, c->fd, a->name);
		}
		memset(reply, 'A' + c->id % 26, sizeof(reply));
		if (write_all(c->fd, reply, sizeof(reply), &c->io))
			return demo_fail(r, -errno, "server: write");
	}
}

static int st_server(const struct run *r, pid_t parent, void *arg)
{
	const struct st_args *a = arg;
	struct st_conn conns[ST_CLIENTS];
	struct epoll_event ev[8], add = { .events = EPOLLIN };
	struct sockaddr_un sa;
	socklen_t len;
	int lfd, epfd, n, i, k, done = 0, nconns = 0, err = 0;

	if (make_addr(a->name, &sa, &len))
		return demo_fail(r, -ENAMETOOLONG, "server: %s", a->name);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, len) || listen(lfd, ST_CLIENTS + 2))
		return demo_fail(r, -errno, "server: listen on %s", a->name);
	if (a->name[0] != '@' && check_sock_file(r, a->name))
		return 1;
	truth_socket(r, "listener", lfd, "stream", a->name);
	demo_narrate(r, "server %d: bind() %s, listen(): fd %d is socket unix:[%llu]", getpid(),
		     a->name[0] == '@' ? "named it in the abstract namespace (no file)" :
					 "created the socket file (stat: a socket)",
		     lfd, fd_ino(lfd));
	epfd = epoll_create1(EPOLL_CLOEXEC);
	add.data.fd = lfd;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &add))
		return demo_fail(r, -errno, "server: epoll setup");
	if (demo_write_pid(a->ready_fd, getpid()))
		return 1;
	while (done < a->nclients && !err) {
		n = epoll_wait(epfd, ev, 8, TIMEOUT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = demo_fail(r, n ? -errno : -ETIMEDOUT, "server: epoll_wait");
			break;
		}
		for (i = 0; i < n && !err; i++) {
			if (ev[i].data.fd == lfd) {
				int cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

				if (cfd < 0 || nconns == ST_CLIENTS) {
					err = demo_fail(r, cfd < 0 ? -errno : -EMFILE,
							"server: accept4");
					break;
				}
				conns[nconns] = (struct st_conn){ .fd = cfd, .id = -1 };
				add.data.fd = cfd;
				if (epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &add))
					err = demo_fail(r, -errno, "server: epoll_ctl ADD");
				demo_narrate(
					r,
					"server %d: accept() gave fd %d, the server end unix:[%llu] "
					"of a new connection",
					getpid(), cfd, fd_ino(cfd));
				nconns++;
				continue;
			}
			for (k = 0; k < nconns && conns[k].fd != ev[i].data.fd; k++)
				;
			if (k == nconns)
				continue;
			err = st_serve_conn(r, a, &conns[k]);
			if (err == 1) {
				/* EOF: the client closed its end */
				truth_io(r, conns[k].fd, &conns[k].io);
				epoll_ctl(epfd, EPOLL_CTL_DEL, conns[k].fd, NULL);
				close(conns[k].fd);
				conns[k].fd = -1;
				done++;
				err = 0;
			}
		}
	}
	close(epfd);
	close(lfd);
	if (a->name[0] != '@' && remove_sock_file(r, a->name))
		err = -1;
	else if (!err)
		demo_narrate(r, "server %d: served %d client%s%s", getpid(), done,
			     done == 1 ? "" : "s",
			     a->name[0] == '@' ?
				     "; the abstract name went with the socket" :
				     ", closed, and unlink()ed the socket file: a bound "
				     "path outlives its socket");
	return err ? 1 : 0;
}

/* A client: the server's address, and its number (the server learns it from message 1) */
struct st_client_args {
	const struct st_args *a;
	int id;
};

static int st_client(const struct run *r, pid_t parent, void *arg)
{
	const struct st_client_args *ca = arg;
	const struct st_args *a = ca->a;
	int id = ca->id, fd, i, err;
	char msg[ST_MSG_LEN], reply[ST_REPLY_LEN], name[SUN_LEN_MAX + 2];
	struct sockaddr_un sa;
	struct io io = { 0 };
	socklen_t len;

	if (make_addr(a->name, &sa, &len))
		return 1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return demo_fail(r, -errno, "client: socket"), 1;
	if (a->autobind) {
		/* only the family: the kernel picks a free abstract name */
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)))
			return demo_fail(r, -errno, "client: autobind"), 1;
		sock_name(fd, name, sizeof(name));
		truth_socket(r, "client", fd, "stream", name);
		demo_narrate(r,
			     "client %d: bind() with only the family: the kernel named it %s "
			     "(autobind)",
			     getpid(), name);
	} else {
		truth_socket(r, "client", fd, "stream", "");
	}
	if (connect(fd, (struct sockaddr *)&sa, len))
		return demo_fail(r, -errno, "client: connect %s", a->name), 1;
	truth_conn(r, "client", id, fd, a->name);
	demo_narrate(r, "client %d: connect() %s: its end is unix:[%llu]", getpid(), a->name,
		     fd_ino(fd));
	for (i = 0; i < ST_MSGS; i++) {
		memset(msg, 'a' + i, sizeof(msg));
		msg[0] = (char)id;
		err = write_all(fd, msg, sizeof(msg), &io);
		if (!err)
			err = read_exact(fd, reply, sizeof(reply), &io);
		if (err)
			return demo_fail(r, err, "client: message %d", i), 1;
	}
	truth_io(r, fd, &io);
	demo_narrate(r, "client %d: sent %lld bytes in %lld writes, got %lld back; closes",
		     getpid(), io.sent, io.writes, io.received);
	close(fd);
	return 0;
}

/* connect() where nobody listens: ENOENT without a file, ECONNREFUSED with one */
static int st_failed_connects(const struct run *r, const char *dir)
{
	char missing[SUN_LEN_MAX + 1], idle[SUN_LEN_MAX + 1];
	struct sockaddr_un sa;
	socklen_t len;
	int fd, bound, err = 0;

	snprintf(missing, sizeof(missing), "%s/missing.sock", dir);
	snprintf(idle, sizeof(idle), "%s/not-listening.sock", dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || make_addr(missing, &sa, &len))
		return demo_fail(r, -errno, "socket");
	if (!connect(fd, (struct sockaddr *)&sa, len) || errno != ENOENT)
		err = demo_fail(r, -EPROTO, "connect(%s) should fail with ENOENT", missing);
	else {
		truth_error(r, "connect", fd, missing, ENOENT);
		demo_narrate(r, "root %d: connect() %s failed with ENOENT: no socket file there",
			     getpid(), missing);
	}
	close(fd);
	/* a bound socket that never called listen(): the file exists, nobody accepts */
	bound = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bound < 0 || fd < 0 || make_addr(idle, &sa, &len) ||
	    bind(bound, (struct sockaddr *)&sa, len)) {
		err = demo_fail(r, -errno, "bind %s", idle);
	} else if (!connect(fd, (struct sockaddr *)&sa, len) || errno != ECONNREFUSED) {
		err = demo_fail(r, -EPROTO, "connect(%s) should fail with ECONNREFUSED", idle);
	} else {
		truth_error(r, "connect", fd, idle, ECONNREFUSED);
		demo_narrate(r,
			     "root %d: connect() %s failed with ECONNREFUSED: the file is there, "
			     "but its socket never called listen()",
			     getpid(), idle);
	}
	if (fd >= 0)
		close(fd);
	if (bound >= 0)
		close(bound);
	unlink(idle);
	return err;
}

/* Start the server, then the clients; reap them all */
static int st_round(const struct run *r, struct st_args *a)
{
	struct st_client_args ca[ST_CLIENTS];
	pid_t srv, pid, clients[ST_CLIENTS];
	int p[2], i, n = 0, err = 0;

	if (pipe2(p, O_CLOEXEC))
		return demo_fail(r, -errno, "pipe2");
	a->ready_fd = p[1];
	srv = demo_spawn(r, "server", st_server, a);
	close(p[1]);
	if (srv < 0 || demo_read_pid(p[0], &pid)) {
		close(p[0]);
		if (srv > 0)
			demo_kill_and_reap(srv);
		return demo_fail(r, -EIO, "the server did not start");
	}
	close(p[0]);
	for (i = 0; i < a->nclients; i++) {
		ca[i] = (struct st_client_args){ .a = a, .id = i + 1 };
		clients[i] = demo_spawn(r, "client", st_client, &ca[i]);
		if (clients[i] < 0)
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		err |= demo_reap_expect(r, clients[i], 0);
	if (n < a->nclients)
		demo_kill_and_reap(srv), err = -1;
	else
		err |= demo_reap_expect(r, srv, 0);
	return err || n < a->nclients ? -1 : 0;
}

static int run_unix_stream(const struct demo_ctx *ctx)
{
	const struct run r = { .ctx = ctx, .demo = "unix-stream" };
	struct st_args a = { .nclients = ST_CLIENTS };
	char dir[64];
	int err;

	if (make_dir(&r, dir, sizeof(dir)))
		return 1;
	snprintf(a.name, sizeof(a.name), "%s/server.sock", dir);
	demo_narrate(&r,
		     "a stream server on epoll at %s, %d clients x %d messages; then two "
		     "connects that fail",
		     a.name, ST_CLIENTS, ST_MSGS);
	err = st_round(&r, &a);
	err |= st_failed_connects(&r, dir);
	if (rmdir(dir))
		err = demo_fail(&r, -errno, "rmdir %s", dir);
	return err ? 1 : 0;
}

static int run_unix_abstract(const struct demo_ctx *ctx)
{
	const struct run r = { .ctx = ctx, .demo = "unix-abstract" };
	struct st_args a = { .nclients = 1, .autobind = true };

	snprintf(a.name, sizeof(a.name), "@procscope-demo-%d", getpid());
	demo_narrate(&r, "an abstract name starts with a NUL byte (shown as @): no file, no "
			 "permissions, gone with the socket; the client autobinds");
	return st_round(&r, &a) ? 1 : 0;
}

/* ---- unix-dgram: datagrams by path ---- */

struct dg_args {
	char server[SUN_LEN_MAX + 1];
	char dir[64];
	int ready_fd;
};

static int dg_server(const struct run *r, pid_t parent, void *arg)
{
	const struct dg_args *a = arg;
	struct epoll_event ev, add = { .events = EPOLLIN };
	char buf[64], reply[DG_REPLY_LEN], from_s[SUN_LEN_MAX + 2];
	struct { /* replies per sender path */
		char path[SUN_LEN_MAX + 2];
		long long msgs, bytes;
	} to[2] = { 0 };
	struct sockaddr_un sa, from;
	struct io io = { 0 };
	int fd, epfd, n, i, got = 0, nto = 0, err = 0;
	socklen_t len, flen;

	if (make_addr(a->server, &sa, &len))
		return 1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len))
		return demo_fail(r, -errno, "receiver: bind %s", a->server), 1;
	if (check_sock_file(r, a->server))
		return 1;
	truth_socket(r, "receiver", fd, "dgram", a->server);
	demo_narrate(r,
		     "receiver %d: datagram socket unix:[%llu] bound to %s; no listen(), no "
		     "accept(): every datagram says where it goes",
		     getpid(), fd_ino(fd), a->server);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	add.data.fd = fd;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &add))
		return demo_fail(r, -errno, "receiver: epoll"), 1;
	if (demo_write_pid(a->ready_fd, getpid()))
		return 1;
	while (got < 2 * DG_MSGS && !err) {
		n = epoll_wait(epfd, &ev, 1, TIMEOUT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = demo_fail(r, n ? -errno : -ETIMEDOUT, "receiver: epoll_wait");
			break;
		}
		for (;;) {
			ssize_t m;

			flen = sizeof(from);
			m = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &flen);
			if (m < 0 && errno == EAGAIN)
				break;
			if (m < 0) {
				err = demo_fail(r, -errno, "receiver: recvfrom");
				break;
			}
			io.reads++;
			io.received += m;
			got++;
			/* the sender's own bound path: where the reply goes */
			snprintf(from_s, sizeof(from_s), "%.*s",
				 (int)strnlen(from.sun_path,
					      flen - offsetof(struct sockaddr_un, sun_path)),
				 from.sun_path);
			memset(reply, 'k', sizeof(reply));
			if (sendto(fd, reply, sizeof(reply), 0, (struct sockaddr *)&from, flen) <
			    0) {
				err = demo_fail(r, -errno, "receiver: sendto %s", from_s);
				break;
			}
			io.writes++;
			io.sent += sizeof(reply);
			for (i = 0; i < nto && strcmp(to[i].path, from_s); i++)
				;
			if (i == nto && nto < 2) {
				snprintf(to[nto].path, sizeof(to[nto].path), "%s", from_s);
				to[nto].msgs = to[nto].bytes = 0;
				nto++;
			}
			if (i < nto) {
				to[i].msgs++;
				to[i].bytes += sizeof(reply);
			}
		}
	}
	for (i = 0; i < nto; i++)
		truth_dgram(r, fd, to[i].path, false, to[i].msgs, to[i].bytes);
	truth_io(r, fd, &io);
	close(epfd);
	close(fd);
	if (remove_sock_file(r, a->server))
		err = -1;
	if (!err)
		demo_narrate(r,
			     "receiver %d: %d datagrams in, each answered at the sender's own "
			     "bound path",
			     getpid(), got);
	return err ? 1 : 0;
}

/* arg: 1 = sendto() every datagram, 2 = connect() once, then send() */
struct dg_sender_args {
	const struct dg_args *a;
	int n;
};

static int dg_sender(const struct run *r, pid_t parent, void *arg)
{
	const struct dg_sender_args *s = arg;
	const struct dg_args *a = s->a;
	char self[SUN_LEN_MAX + 1], missing[SUN_LEN_MAX + 1], msg[DG_MSG_LEN], reply[64];
	struct sockaddr_un me, to, nowhere;
	socklen_t mlen, tlen, nlen;
	struct io io = { 0 };
	long long msgs = 0, bytes = 0;
	bool connected = s->n == 2;
	int fd, i, err = 0;

	snprintf(self, sizeof(self), "%s/sender-%d.sock", a->dir, s->n);
	snprintf(missing, sizeof(missing), "%s/nobody.sock", a->dir);
	if (make_addr(self, &me, &mlen) || make_addr(a->server, &to, &tlen) ||
	    make_addr(missing, &nowhere, &nlen))
		return 1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* bound, or the receiver could not answer: an unbound sender has no address */
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, mlen))
		return demo_fail(r, -errno, "sender: bind %s", self), 1;
	truth_socket(r, "sender", fd, "dgram", self);
	if (connected) {
		if (connect(fd, (struct sockaddr *)&to, tlen))
			return demo_fail(r, -errno, "sender: connect %s", a->server), 1;
		demo_narrate(r,
			     "sender %d: connect() on a datagram socket only sets a default "
			     "destination: send() needs no address now",
			     getpid());
	}
	for (i = 0; i < DG_MSGS && !err; i++) {
		ssize_t n;

		memset(msg, '0' + s->n, sizeof(msg));
		n = connected ? send(fd, msg, sizeof(msg), 0) :
				sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&to, tlen);
		if (n != (ssize_t)sizeof(msg)) {
			err = demo_fail(r, n < 0 ? -errno : -EMSGSIZE, "sender: send %d", i);
			break;
		}
		io.writes++;
		io.sent += n;
		msgs++;
		bytes += n;
		err = demo_poll_readable(fd, demo_deadline_in(TIMEOUT_MS));
		n = err ? -1 : recv(fd, reply, sizeof(reply), 0);
		if (n < 0) {
			err = demo_fail(r, err ? err : -errno, "sender: reply %d", i);
			break;
		}
		io.reads++;
		io.received += n;
	}
	if (!err && !connected) {
		/* a path with no socket behind it: the datagram has nowhere to go */
		if (sendto(fd, msg, sizeof(msg), 0, (struct sockaddr *)&nowhere, nlen) >= 0 ||
		    errno != ENOENT)
			err = demo_fail(r, -EPROTO, "sendto(%s) should fail with ENOENT", missing);
		else {
			truth_error(r, "sendto", fd, missing, ENOENT);
			demo_narrate(r, "sender %d: sendto() %s failed with ENOENT", getpid(),
				     missing);
		}
	}
	truth_dgram(r, fd, a->server, connected, msgs, bytes);
	truth_io(r, fd, &io);
	if (!err)
		demo_narrate(r, "sender %d (%s): %lld datagrams, %lld bytes, to %s", getpid(), self,
			     msgs, bytes, a->server);
	close(fd);
	unlink(self);
	return err ? 1 : 0;
}

static int run_unix_dgram(const struct demo_ctx *ctx)
{
	const struct run r = { .ctx = ctx, .demo = "unix-dgram" };
	struct dg_args a;
	struct dg_sender_args s[2] = { { &a, 1 }, { &a, 2 } };
	pid_t srv, pid, senders[2];
	int p[2], i, n = 0, err = 0;

	if (make_dir(&r, a.dir, sizeof(a.dir)))
		return 1;
	snprintf(a.server, sizeof(a.server), "%s/dgram.sock", a.dir);
	demo_narrate(&r,
		     "datagrams by path: a receiver at %s, two senders (sendto() each time, "
		     "and connect() + send())",
		     a.server);
	if (pipe2(p, O_CLOEXEC))
		return demo_fail(&r, -errno, "pipe2"), 1;
	a.ready_fd = p[1];
	srv = demo_spawn(&r, "receiver", dg_server, &a);
	close(p[1]);
	if (srv < 0 || demo_read_pid(p[0], &pid)) {
		close(p[0]);
		if (srv > 0)
			demo_kill_and_reap(srv);
		rmdir(a.dir);
		return demo_fail(&r, -EIO, "the receiver did not start"), 1;
	}
	close(p[0]);
	for (i = 0; i < 2; i++) {
		senders[i] = demo_spawn(&r, "sender", dg_sender, &s[i]);
		if (senders[i] < 0)
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		err |= demo_reap_expect(&r, senders[i], 0);
	if (n < 2)
		demo_kill_and_reap(srv), err = -1;
	else
		err |= demo_reap_expect(&r, srv, 0);
	if (rmdir(a.dir))
		err = demo_fail(&r, -errno, "rmdir %s", a.dir);
	return err ? 1 : 0;
}

/* ---- socketpair: parent and child, and an fd passed between them ---- */

/* sendmsg() with one fd in an SCM_RIGHTS control message */
static int send_fd(int sock, int fd, struct io *io)
{
	char byte = 'F', ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *cm;

	memset(ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	if (sendmsg(sock, &mh, 0) != 1)
		return -errno;
	io->writes++;
	io->sent++;
	return 0;
}

static int recv_fd(int sock, int *fd, struct io *io)
{
	char byte, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl)
	};
	struct cmsghdr *cm;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

	if (n < 0)
		return -errno;
	io->reads++;
	io->received += n;
	cm = CMSG_FIRSTHDR(&mh);
	if (n != 1 || !cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -EBADMSG;
	memcpy(fd, CMSG_DATA(cm), sizeof(int));
	return 0;
}

static int sp_child(const struct run *r, pid_t parent, void *arg)
{
	const int *sv = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	char buf[SP_PING_LEN], note[64];
	struct io io = { 0 };
	int fd = sv[1], epfd, passed = -1, err = 0, i;
	ssize_t n;

	/* not the last reference: the parent still holds sv[0], so nothing closes yet */
	close(sv[0]);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.fd = fd;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev))
		return demo_fail(r, -errno, "child: epoll"), 1;
	for (i = 0; !err; i++) {
		n = epoll_wait(epfd, &ev, 1, TIMEOUT_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = demo_fail(r, n ? -errno : -ETIMEDOUT, "child: epoll_wait");
			break;
		}
		if (passed < 0) {
			err = recv_fd(fd, &passed, &io);
			if (err) {
				demo_fail(r, err, "child: recvmsg SCM_RIGHTS");
				break;
			}
			n = read(passed, note, sizeof(note) - 1);
			note[n > 0 ? n : 0] = '\0';
			note[strcspn(note, "\n")] = '\0';
			demo_narrate(r,
				     "child %d: got fd %d by SCM_RIGHTS, the pipe its parent "
				     "opened, and read \"%s\" from it",
				     getpid(), passed, note);
			close(passed);
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			err = demo_fail(r, -errno, "child: read");
			break;
		}
		io.reads++;
		if (n == 0) {
			demo_narrate(r,
				     "child %d: read() returned 0: the parent shut down its "
				     "writing side",
				     getpid());
			break;
		}
		io.received += n;
		memset(buf, 'o', sizeof(buf));
		if (write_all(fd, buf, (size_t)n, &io))
			err = demo_fail(r, -errno, "child: write");
	}
	truth_io(r, fd, &io);
	close(epfd);
	close(fd);
	return err ? 1 : 0;
}

static int run_socketpair(const struct demo_ctx *ctx)
{
	const struct run r = { .ctx = ctx, .demo = "socketpair" };
	char buf[SP_PING_LEN];
	struct io io = { 0 };
	int sv[2], pipefd[2], i, err = 0;
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return demo_fail(&r, -errno, "socketpair"), 1;
	demo_truth(ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_pair\",\"pid\":%d,\"fd0\":%d,\"fd1\":%d,"
		   "\"ino0\":%llu,\"ino1\":%llu}",
		   r.demo, getpid(), sv[0], sv[1], fd_ino(sv[0]), fd_ino(sv[1]));
	demo_narrate(&r,
		     "parent %d: socketpair() made two connected ends at once, unix:[%llu] "
		     "and unix:[%llu]: no path, no listen, no accept",
		     getpid(), fd_ino(sv[0]), fd_ino(sv[1]));
	child = demo_spawn(&r, "child", sp_child, sv);
	if (child < 0)
		return 1;
	close(sv[1]); /* the child's end now; the child still holds it */
	demo_narrate(&r, "parent %d: forked child %d; each keeps one end and closes the other",
		     getpid(), child);
	if (pipe2(pipefd, O_CLOEXEC) || write(pipefd[1], "hello through a passed fd\n", 26) != 26)
		err = demo_fail(&r, -errno, "pipe");
	if (!err) {
		err = send_fd(sv[0], pipefd[0], &io);
		if (err)
			demo_fail(&r, err, "sendmsg SCM_RIGHTS");
		else
			demo_truth(ctx,
				   "{\"demo\":\"%s\",\"kind\":\"unix_fds\",\"pid\":%d,\"ino\":%llu,"
				   "\"nfds\":1}",
				   r.demo, getpid(), fd_ino(sv[0]));
		close(pipefd[0]);
		close(pipefd[1]);
	}
	for (i = 0; i < SP_PINGS && !err; i++) {
		memset(buf, 'i', sizeof(buf));
		err = write_all(sv[0], buf, sizeof(buf), &io);
		if (!err)
			err = read_exact(sv[0], buf, sizeof(buf), &io);
		if (err)
			demo_fail(&r, err, "ping %d", i);
	}
	if (!err) {
		demo_narrate(&r,
			     "parent %d: %d pings answered; shutdown(SHUT_WR): the child will "
			     "read EOF",
			     getpid(), SP_PINGS);
		if (shutdown(sv[0], SHUT_WR))
			err = demo_fail(&r, -errno, "shutdown");
	}
	/* the child closes its end when it sees EOF: then our read gets 0 */
	if (!err && read_exact(sv[0], buf, 1, &io) != -EPIPE)
		err = demo_fail(&r, -EPROTO, "expected EOF from the child");
	truth_io(&r, sv[0], &io);
	close(sv[0]);
	err |= demo_reap_expect(&r, child, 0);
	return err ? 1 : 0;
}

const struct demo demo_unix_table[] = {
	{ "unix-stream", "unix",
	  "stream server on epoll at a path, 3 clients; connects that get ENOENT, ECONNREFUSED",
	  run_unix_stream },
	{ "unix-dgram", "unix",
	  "datagrams by path: sendto() each time, connect() + send(); a sendto() to nowhere",
	  run_unix_dgram },
	{ "unix-abstract", "unix",
	  "a server in the abstract namespace (@name, no file) and an autobound client",
	  run_unix_abstract },
	{ "socketpair", "unix",
	  "socketpair() between parent and child: pings on epoll, an fd passed, shutdown()",
	  run_socketpair },
	{ NULL },
};
