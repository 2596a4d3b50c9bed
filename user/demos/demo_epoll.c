// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The "epoll" demo group: an echo server on epoll over unix sockets, run level-triggered and
 * edge-triggered, and the same idle-heavy wait done with select, poll and epoll.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "demo_util.h"

#define ES_CLIENTS 3
#define ES_MSGS 20
#define ES_MSG_LEN 64
#define ES_CHUNK 16 /* the server reads this much per read(): LT gets a wake-up per chunk */
#define SPE_IDLE_PIPES 450 /* idle fds every select/poll call scans (select: < FD_SETSIZE) */
#define SPE_WAITS 1000

struct es_server {
	bool edge; /* EPOLLET: read until EAGAIN */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int ready_fd; /* the server writes its pid here once it listens, a byte after its EINTR */
};

static void on_usr1(int sig)
{
	(void)sig; /* only here to interrupt epoll_wait() with EINTR */
}

/* One truth record per wait: what the server's own epoll_wait() returned */
static void record_wait_fds(const struct run *r, int epfd, int ret, const struct epoll_event *ev)
{
	char fds[256];
	size_t o = 0;
	int i;

	fds[0] = '\0';
	for (i = 0; i < ret && o < sizeof(fds); i++)
		o += snprintf(fds + o, sizeof(fds) - o, "%s%d", i ? "," : "", ev[i].data.fd);
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"epoll_wait\",\"pid\":%d,\"epfd\":%d,\"ret\":%d,"
		   "\"fds\":[%s]}",
		   r->demo, getpid(), epfd, ret < 0 ? -errno : ret, fds);
}

static int echo_chunk(int fd, long long *in, long long *out, bool *closed)
{
	char buf[ES_CHUNK];
	ssize_t n = read(fd, buf, sizeof(buf)), w, off = 0;

	if (n == 0)
		*closed = true;
	if (n <= 0)
		return n < 0 && errno != EAGAIN ? -errno : (n < 0 ? -EAGAIN : 0);
	*in += n;
	while (off < n) {
		w = write(fd, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EAGAIN)
			continue; /* a 16-byte echo fits in the peer's buffer almost at once */
		if (w < 0)
			return -errno;
		off += w;
	}
	*out += n;
	return (int)n;
}

static int serve(const struct run *r, const struct es_server *a, int lfd, int epfd)
{
	struct epoll_event ev[16], add;
	long long in = 0, out = 0, waits = 0, ready = 0;
	int done = 0, n, i, err;
	bool eintr_seen = false;

	while (done < ES_CLIENTS) {
		n = epoll_wait(epfd, ev, 16, TIMEOUT_MS);
		waits++;
		record_wait_fds(r, epfd, n, ev);
		if (n < 0 && errno == EINTR) {
			demo_narrate(
				r,
				"epoll_wait() returned EINTR: a signal arrived while it blocked");
			eintr_seen = true;
			/* the clients start only now: a connection ready first would hide the EINTR */
			if (write(a->ready_fd, "i", 1) != 1)
				return demo_fail(r, -errno, "server: report EINTR");
			continue;
		}
		if (n <= 0)
			return demo_fail(r, n ? -errno : -ETIMEDOUT, "server: epoll_wait");
		ready += n;
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			bool closed = false;

			if (fd == lfd) {
				int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

				if (c < 0)
					return demo_fail(r, -errno, "server: accept4");
				add.events = EPOLLIN | (a->edge ? EPOLLET : 0);
				add.data.fd = c;
				if (epoll_ctl(epfd, EPOLL_CTL_ADD, c, &add))
					return demo_fail(r, -errno, "server: epoll_ctl ADD");
				demo_truth(r->ctx,
					   "{\"demo\":\"%s\",\"kind\":\"epoll_conn\",\"pid\":%d,"
					   "\"fd\":%d,\"ino\":%llu}",
					   r->demo, getpid(), c, demo_fd_ino(c));
				continue;
			}
			/* LT: one read per wake-up, the rest wakes us again; ET: drain to EAGAIN */
			do
				err = echo_chunk(fd, &in, &out, &closed);
			while (a->edge && err > 0);
			if (err < 0 && err != -EAGAIN)
				return demo_fail(r, err, "server: echo");
			if (closed) {
				epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
				close(fd);
				done++;
			}
		}
	}
	demo_truth(
		r->ctx,
		"{\"demo\":\"%s\",\"kind\":\"epoll_summary\",\"pid\":%d,\"mode\":\"%s\","
		"\"epfd\":%d,\"waits\":%lld,\"ready\":%lld,\"bytes_in\":%lld,\"bytes_out\":%lld}",
		r->demo, getpid(), a->edge ? "et" : "lt", epfd, waits, ready, in, out);
	demo_narrate(r, "%s server: %lld epoll waits for %d x %d messages of %d bytes",
		     a->edge ? "edge-triggered" : "level-triggered", waits, ES_CLIENTS, ES_MSGS,
		     ES_MSG_LEN);
	return eintr_seen ? 0 : demo_fail(r, -EINVAL, "server: no EINTR seen");
}

static int es_server_main(const struct run *r, pid_t parent, void *arg)
{
	const struct es_server *a = arg;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sigaction act = { .sa_handler = on_usr1 };
	struct epoll_event add = { .events = EPOLLIN };
	int lfd, epfd, rc;

	sigemptyset(&act.sa_mask);
	sigaction(SIGUSR1, &act, NULL); /* no SA_RESTART: epoll_wait() is never restarted anyway */
	memcpy(sa.sun_path, a->path, sizeof(sa.sun_path));
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, ES_CLIENTS))
		return demo_fail(r, -errno, "server: listen on %s", a->path);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	add.data.fd = lfd;
	if (epfd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &add))
		return demo_fail(r, -errno, "server: epoll setup");
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"epoll_server\",\"pid\":%d,\"mode\":\"%s\","
		   "\"epfd\":%d,\"listen_fd\":%d,\"listen_ino\":%llu}",
		   r->demo, getpid(), a->edge ? "et" : "lt", epfd, lfd, demo_fd_ino(lfd));
	demo_narrate(r, "server %d listens on %s, %s", getpid(), a->path,
		     a->edge ? "edge-triggered (EPOLLET): it must read until EAGAIN" :
			       "level-triggered: unread data wakes it again");
	if (demo_write_pid(a->ready_fd, getpid()))
		return 1;
	rc = serve(r, a, lfd, epfd);
	close(epfd);
	close(lfd);
	unlink(a->path); /* a bound path outlives its socket: remove it */
	return rc ? 1 : 0;
}

static int read_full(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n;
		int err = demo_poll_readable(fd, demo_deadline_in(TIMEOUT_MS));

		if (err)
			return err;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return n ? -errno : -EPIPE;
		got += (size_t)n;
	}
	return 0;
}

static int es_client_main(const struct run *r, pid_t parent, void *arg)
{
	const struct es_server *a = arg;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char msg[ES_MSG_LEN], back[ES_MSG_LEN];
	long long sent = 0, recvd = 0;
	int fd, i, err;

	memcpy(sa.sun_path, a->path, sizeof(sa.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return demo_fail(r, -errno, "client: connect %s", a->path);
	for (i = 0; i < ES_MSGS; i++) {
		memset(msg, 'a' + i % 26, sizeof(msg));
		if (write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
			return demo_fail(r, -errno, "client: write");
		sent += sizeof(msg);
		err = read_full(fd, back, sizeof(back));
		if (err)
			return demo_fail(r, err, "client: echo");
		recvd += sizeof(back);
		if (memcmp(msg, back, sizeof(msg)))
			return demo_fail(r, -EBADMSG, "client: echo differs");
	}
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"epoll_client\",\"pid\":%d,\"fd\":%d,\"ino\":%llu,"
		   "\"sent\":%lld,\"received\":%lld}",
		   r->demo, getpid(), fd, demo_fd_ino(fd), sent, recvd);
	close(fd);
	return 0;
}

/* Wait until @pid sleeps in epoll_wait(), so a signal now interrupts that wait */
static int await_in_epoll_wait(pid_t pid)
{
	long long deadline = demo_deadline_in(TIMEOUT_MS);
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
	while (demo_ms_left(deadline)) {
		FILE *f = fopen(path, "re");
		bool in = f && fgets(buf, sizeof(buf), f) && strstr(buf, "epoll_wait");

		if (f)
			fclose(f);
		if (in)
			return 0;
		demo_sleep_ms(1);
	}
	return -ETIMEDOUT;
}

/* One byte from @fd within TIMEOUT_MS */
static int await_byte(int fd)
{
	int err = demo_poll_readable(fd, demo_deadline_in(TIMEOUT_MS));
	char c;

	if (err)
		return err;
	return read(fd, &c, 1) == 1 ? 0 : -EIO;
}

static int es_round(const struct run *r, const char *dir, bool edge)
{
	struct es_server a = { .edge = edge };
	pid_t srv, clients[ES_CLIENTS], pid;
	int p[2], err = 0, i, n = 0;

	snprintf(a.path, sizeof(a.path), "%s/echo-%s.sock", dir, edge ? "et" : "lt");
	if (pipe2(p, O_CLOEXEC))
		return demo_fail(r, -errno, "pipe2");
	a.ready_fd = p[1];
	srv = demo_spawn(r, edge ? "server-et" : "server-lt", es_server_main, &a);
	close(p[1]);
	if (srv < 0 || demo_read_pid(p[0], &pid)) {
		close(p[0]);
		if (srv > 0)
			demo_kill_and_reap(srv);
		return demo_fail(r, -EIO, "the server did not start");
	}
	/* a signal while it blocks: the trace shows that wait returning -EINTR */
	err = await_in_epoll_wait(srv);
	if (!err && kill(srv, SIGUSR1))
		err = -errno;
	if (!err)
		err = await_byte(p[0]);
	close(p[0]);
	if (err) {
		demo_kill_and_reap(srv);
		return demo_fail(r, err, "could not interrupt the server's epoll_wait");
	}
	for (i = 0; i < ES_CLIENTS; i++) {
		clients[i] = demo_spawn(r, "client", es_client_main, &a);
		if (clients[i] < 0)
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		err |= demo_reap_expect(r, clients[i], 0);
	err |= demo_reap_expect(r, srv, 0);
	return n == ES_CLIENTS && !err ? 0 : -1;
}

static int run_epoll_server(const struct demo_ctx *ctx)
{
	const struct run r = { .ctx = ctx, .demo = "epoll-server" };
	char dir[] = "/tmp/procscope-demo.XXXXXX";
	int err;

	if (!mkdtemp(dir))
		return demo_fail(&r, -errno, "mkdtemp");
	demo_narrate(&r,
		     "an echo server on epoll, %d clients x %d messages; the server reads %d "
		     "bytes per read()",
		     ES_CLIENTS, ES_MSGS, ES_CHUNK);
	err = es_round(&r, dir, false);
	if (!err)
		err = es_round(&r, dir, true);
	rmdir(dir);
	if (!err)
		demo_narrate(&r, "level-triggered epoll wakes the server once per unread chunk; "
				 "edge-triggered once per arrival");
	return err ? 1 : 0;
}

/* ---- select vs poll vs epoll over many idle fds ---- */

static long long thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct spe {
	int idle[SPE_IDLE_PIPES][2];
	int active[2]; /* always readable: every wait returns at once, its cost is the scan */
	int maxfd;
	int epfd;
};

static int spe_consume(struct spe *s)
{
	char c;

	if (read(s->active[0], &c, 1) != 1)
		return -errno;
	/* keep it readable: put the byte back */
	return write(s->active[1], &c, 1) == 1 ? 0 : -errno;
}

static int spe_select(struct spe *s)
{
	fd_set rd;
	struct timeval tv = { .tv_sec = 1 };
	int i, n;

	FD_ZERO(&rd);
	for (i = 0; i < SPE_IDLE_PIPES; i++)
		FD_SET(s->idle[i][0], &rd);
	FD_SET(s->active[0], &rd);
	n = select(s->maxfd + 1, &rd, NULL, NULL, &tv);
	if (n != 1 || !FD_ISSET(s->active[0], &rd))
		return n < 0 ? -errno : -EPROTO;
	return spe_consume(s);
}

static int spe_poll(struct spe *s, struct pollfd *p)
{
	int n = poll(p, SPE_IDLE_PIPES + 1, 1000);

	if (n != 1)
		return n < 0 ? -errno : -EPROTO;
	return spe_consume(s);
}

static int spe_epoll(struct spe *s)
{
	struct epoll_event ev[4];
	int n = epoll_wait(s->epfd, ev, 4, 1000);

	if (n != 1 || ev[0].data.fd != s->active[0])
		return n < 0 ? -errno : -EPROTO;
	return spe_consume(s);
}

static int spe_setup(const struct run *r, struct spe *s, struct pollfd *p)
{
	struct epoll_event add = { .events = EPOLLIN };
	int i;

	s->maxfd = -1;
	for (i = 0; i < SPE_IDLE_PIPES; i++) {
		if (pipe2(s->idle[i], O_CLOEXEC))
			return demo_fail(r, -errno, "pipe2 (%d idle pipes need %d fds)",
					 SPE_IDLE_PIPES, 2 * SPE_IDLE_PIPES + 8);
		s->maxfd = s->idle[i][1] > s->maxfd ? s->idle[i][1] : s->maxfd;
	}
	if (pipe2(s->active, O_CLOEXEC) || write(s->active[1], "x", 1) != 1)
		return demo_fail(r, -errno, "active pipe");
	s->maxfd = s->active[1] > s->maxfd ? s->active[1] : s->maxfd;
	if (s->maxfd >= FD_SETSIZE)
		return demo_fail(r, -EMFILE, "select() needs fds below %d", FD_SETSIZE);
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return demo_fail(r, -errno, "epoll_create1");
	for (i = 0; i <= SPE_IDLE_PIPES; i++) {
		int fd = i < SPE_IDLE_PIPES ? s->idle[i][0] : s->active[0];

		p[i].fd = fd;
		p[i].events = POLLIN;
		add.data.fd = fd;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &add))
			return demo_fail(r, -errno, "epoll_ctl");
	}
	return 0;
}

static int run_select_poll_epoll(const struct demo_ctx *ctx)
{
	static const char *const names[] = { "select", "poll", "epoll" };
	const struct run r = { .ctx = ctx, .demo = "select-poll-epoll" };
	struct pollfd *p = calloc(SPE_IDLE_PIPES + 1, sizeof(*p));
	struct spe *s = calloc(1, sizeof(*s));
	long long cpu[3] = { 0 };
	int m, i, err = p && s ? 0 : -ENOMEM;

	if (!err)
		err = spe_setup(&r, s, p);
	for (m = 0; m < 3 && !err; m++) {
		long long t0 = thread_cpu_ns();

		for (i = 0; i < SPE_WAITS && !err; i++)
			err = m == 0 ? spe_select(s) : m == 1 ? spe_poll(s, p) : spe_epoll(s);
		cpu[m] = thread_cpu_ns() - t0;
		if (err) {
			demo_fail(&r, err, "%s wait %d", names[m], i);
			break;
		}
		demo_truth(ctx,
			   "{\"demo\":\"%s\",\"kind\":\"spe\",\"pid\":%d,\"mechanism\":\"%s\","
			   "\"waits\":%d,\"nfds\":%d,\"fds_watched\":%d,\"cpu_ns\":%lld}",
			   r.demo, getpid(), names[m], SPE_WAITS,
			   m == 0 ? s->maxfd + 1 : SPE_IDLE_PIPES + 1, SPE_IDLE_PIPES + 1, cpu[m]);
		if (m == 2)
			demo_truth(ctx,
				   "{\"demo\":\"%s\",\"kind\":\"spe_epfd\",\"pid\":%d,\"epfd\":%d}",
				   r.demo, getpid(), s->epfd);
		demo_narrate(&r, "%-6s %d waits over %d fds (1 ready): %.1f us of CPU per wait",
			     names[m], SPE_WAITS, SPE_IDLE_PIPES + 1, cpu[m] / 1e3 / SPE_WAITS);
	}
	if (!err)
		demo_narrate(&r, "select and poll scan every fd on every call; epoll keeps a ready "
				 "list, so idle fds cost nothing");
	if (s) {
		for (i = 0; i < SPE_IDLE_PIPES; i++)
			if (s->idle[i][0] > 0)
				close(s->idle[i][0]), close(s->idle[i][1]);
		if (s->active[0] > 0)
			close(s->active[0]), close(s->active[1]);
		if (s->epfd > 0)
			close(s->epfd);
	}
	free(p);
	free(s);
	return err ? 1 : 0;
}

const struct demo demo_io_table[] = {
	{ "epoll-server", "epoll",
	  "echo server on epoll over unix sockets, level- then edge-triggered; an EINTR",
	  run_epoll_server },
	{ "select-poll-epoll", "epoll",
	  "the same idle-heavy wait with select, poll and epoll: what each call costs",
	  run_select_poll_epoll },
	{ NULL },
};
