// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix demos without a listener: datagrams sent by path, and a socketpair between a parent
 * and its child that also passes an fd. Each process writes what it saw as ground truth.
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

	if (ux_make_addr(a->server, &sa, &len))
		return 1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len))
		return demo_fail(r, -errno, "receiver: bind %s", a->server), 1;
	if (ux_check_sock_file(r, a->server))
		return 1;
	ux_truth_socket(r, "receiver", fd, "dgram", a->server);
	demo_narrate(r,
		     "receiver %d: datagram socket unix:[%llu] bound to %s; no listen(), no "
		     "accept(): every datagram says where it goes",
		     getpid(), demo_fd_ino(fd), a->server);
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
		ux_truth_dgram(r, fd, to[i].path, false, to[i].msgs, to[i].bytes);
	ux_truth_io(r, fd, &io);
	close(epfd);
	close(fd);
	if (ux_remove_sock_file(r, a->server))
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
	if (ux_make_addr(self, &me, &mlen) || ux_make_addr(a->server, &to, &tlen) ||
	    ux_make_addr(missing, &nowhere, &nlen))
		return 1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* bound, or the receiver could not answer: an unbound sender has no address */
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, mlen))
		return demo_fail(r, -errno, "sender: bind %s", self), 1;
	ux_truth_socket(r, "sender", fd, "dgram", self);
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
			ux_truth_error(r, "sendto", fd, missing, ENOENT);
			demo_narrate(r, "sender %d: sendto() %s failed with ENOENT", getpid(),
				     missing);
		}
	}
	ux_truth_dgram(r, fd, a->server, connected, msgs, bytes);
	ux_truth_io(r, fd, &io);
	if (!err)
		demo_narrate(r, "sender %d (%s): %lld datagrams, %lld bytes, to %s", getpid(), self,
			     msgs, bytes, a->server);
	close(fd);
	unlink(self);
	return err ? 1 : 0;
}

int run_unix_dgram(const struct demo_ctx *ctx)
{
	const struct run r = { .ctx = ctx, .demo = "unix-dgram" };
	struct dg_args a;
	struct dg_sender_args s[2] = { { &a, 1 }, { &a, 2 } };
	pid_t srv, pid, senders[2];
	int p[2], i, n = 0, err = 0;

	if (ux_make_dir(&r, a.dir, sizeof(a.dir)))
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
		if (ux_write_all(fd, buf, (size_t)n, &io))
			err = demo_fail(r, -errno, "child: write");
	}
	ux_truth_io(r, fd, &io);
	close(epfd);
	close(fd);
	return err ? 1 : 0;
}

int run_socketpair(const struct demo_ctx *ctx)
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
		   r.demo, getpid(), sv[0], sv[1], demo_fd_ino(sv[0]), demo_fd_ino(sv[1]));
	demo_narrate(&r,
		     "parent %d: socketpair() made two connected ends at once, unix:[%llu] "
		     "and unix:[%llu]: no path, no listen, no accept",
		     getpid(), demo_fd_ino(sv[0]), demo_fd_ino(sv[1]));
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
				   r.demo, getpid(), demo_fd_ino(sv[0]));
		close(pipefd[0]);
		close(pipefd[1]);
	}
	for (i = 0; i < SP_PINGS && !err; i++) {
		memset(buf, 'i', sizeof(buf));
		err = ux_write_all(sv[0], buf, sizeof(buf), &io);
		if (!err)
			err = ux_read_exact(sv[0], buf, sizeof(buf), &io);
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
	if (!err && ux_read_exact(sv[0], buf, 1, &io) != -EPIPE)
		err = demo_fail(&r, -EPROTO, "expected EOF from the child");
	ux_truth_io(&r, sv[0], &io);
	close(sv[0]);
	err |= demo_reap_expect(&r, child, 0);
	return err ? 1 : 0;
}
