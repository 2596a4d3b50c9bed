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
#include "demo_unix.h"

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
			ux_truth_conn(r, "server", c->id, c->fd, a->name);
		}
		memset(reply, 'A' + c->id % 26, sizeof(reply));
		if (ux_write_all(c->fd, reply, sizeof(reply), &c->io))
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

	if (ux_make_addr(a->name, &sa, &len))
		return demo_fail(r, -ENAMETOOLONG, "server: %s", a->name);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, len) || listen(lfd, ST_CLIENTS + 2))
		return demo_fail(r, -errno, "server: listen on %s", a->name);
	if (a->name[0] != '@' && ux_check_sock_file(r, a->name))
		return 1;
	ux_truth_socket(r, "listener", lfd, "stream", a->name);
	demo_narrate(r, "server %d: bind() %s, listen(): fd %d is socket unix:[%llu]", getpid(),
		     a->name[0] == '@' ? "named it in the abstract namespace (no file)" :
					 "created the socket file (stat: a socket)",
		     lfd, demo_fd_ino(lfd));
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
					getpid(), cfd, demo_fd_ino(cfd));
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
				ux_truth_io(r, conns[k].fd, &conns[k].io);
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
	if (a->name[0] != '@' && ux_remove_sock_file(r, a->name))
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

	if (ux_make_addr(a->name, &sa, &len))
		return 1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return demo_fail(r, -errno, "client: socket"), 1;
	if (a->autobind) {
		/* only the family: the kernel picks a free abstract name */
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)))
			return demo_fail(r, -errno, "client: autobind"), 1;
		ux_sock_name(fd, name, sizeof(name));
		ux_truth_socket(r, "client", fd, "stream", name);
		demo_narrate(r,
			     "client %d: bind() with only the family: the kernel named it %s "
			     "(autobind)",
			     getpid(), name);
	} else {
		ux_truth_socket(r, "client", fd, "stream", "");
	}
	if (connect(fd, (struct sockaddr *)&sa, len))
		return demo_fail(r, -errno, "client: connect %s", a->name), 1;
	ux_truth_conn(r, "client", id, fd, a->name);
	demo_narrate(r, "client %d: connect() %s: its end is unix:[%llu]", getpid(), a->name,
		     demo_fd_ino(fd));
	for (i = 0; i < ST_MSGS; i++) {
		memset(msg, 'a' + i, sizeof(msg));
		msg[0] = (char)id;
		err = ux_write_all(fd, msg, sizeof(msg), &io);
		if (!err)
			err = ux_read_exact(fd, reply, sizeof(reply), &io);
		if (err)
			return demo_fail(r, err, "client: message %d", i), 1;
	}
	ux_truth_io(r, fd, &io);
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
	if (fd < 0 || ux_make_addr(missing, &sa, &len))
		return demo_fail(r, -errno, "socket");
	if (!connect(fd, (struct sockaddr *)&sa, len) || errno != ENOENT)
		err = demo_fail(r, -EPROTO, "connect(%s) should fail with ENOENT", missing);
	else {
		ux_truth_error(r, "connect", fd, missing, ENOENT);
		demo_narrate(r, "root %d: connect() %s failed with ENOENT: no socket file there",
			     getpid(), missing);
	}
	close(fd);
	/* a bound socket that never called listen(): the file exists, nobody accepts */
	bound = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (bound < 0 || fd < 0 || ux_make_addr(idle, &sa, &len) ||
	    bind(bound, (struct sockaddr *)&sa, len)) {
		err = demo_fail(r, -errno, "bind %s", idle);
	} else if (!connect(fd, (struct sockaddr *)&sa, len) || errno != ECONNREFUSED) {
		err = demo_fail(r, -EPROTO, "connect(%s) should fail with ECONNREFUSED", idle);
	} else {
		ux_truth_error(r, "connect", fd, idle, ECONNREFUSED);
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

	if (ux_make_dir(&r, dir, sizeof(dir)))
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
