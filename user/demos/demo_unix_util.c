// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Helpers of the unix demo group (demo_unix.h).
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

/* @s as a JSON string body: the demo's paths are plain, but never trust that */
const char *ux_json_esc(const char *s, char *buf, size_t size)
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
int ux_make_addr(const char *name, struct sockaddr_un *sa, socklen_t *len)
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
const char *ux_sock_name(int fd, char *buf, size_t size)
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

void ux_truth_socket(const struct run *r, const char *role, int fd, const char *type,
		     const char *path)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_socket\",\"pid\":%d,\"role\":\"%s\",\"fd\":%d,"
		   "\"ino\":%llu,\"type\":\"%s\",\"path\":\"%s\"}",
		   r->demo, getpid(), role, fd, demo_fd_ino(fd), type,
		   ux_json_esc(path, esc, sizeof(esc)));
}

/* One end of connection @conn: "client" after connect(), "server" after accept() */
void ux_truth_conn(const struct run *r, const char *role, int conn, int fd, const char *path)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_conn\",\"pid\":%d,\"role\":\"%s\",\"conn\":%d,"
		   "\"fd\":%d,\"ino\":%llu,\"path\":\"%s\"}",
		   r->demo, getpid(), role, conn, fd, demo_fd_ino(fd),
		   ux_json_esc(path, esc, sizeof(esc)));
}

void ux_truth_io(const struct run *r, int fd, const struct io *io)
{
	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_io\",\"pid\":%d,\"ino\":%llu,\"sent\":%lld,"
		   "\"received\":%lld,\"writes\":%lld,\"reads\":%lld}",
		   r->demo, getpid(), demo_fd_ino(fd), io->sent, io->received, io->writes,
		   io->reads);
}

void ux_truth_error(const struct run *r, const char *op, int fd, const char *path, int err)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(r->ctx,
		   "{\"demo\":\"%s\",\"kind\":\"unix_error\",\"pid\":%d,\"op\":\"%s\",\"ino\":%llu,"
		   "\"path\":\"%s\",\"errno\":%d}",
		   r->demo, getpid(), op, demo_fd_ino(fd), ux_json_esc(path, esc, sizeof(esc)),
		   err);
}

/* Datagrams one socket sent to one place: by @path, or to the socket it is connected to */
void ux_truth_dgram(const struct run *r, int fd, const char *path, bool connected, long long msgs,
		    long long bytes)
{
	char esc[4 * SUN_LEN_MAX];

	demo_truth(
		r->ctx,
		"{\"demo\":\"%s\",\"kind\":\"unix_dgram\",\"pid\":%d,\"ino\":%llu,\"path\":\"%s\","
		"\"connected\":%s,\"msgs\":%lld,\"bytes\":%lld}",
		r->demo, getpid(), demo_fd_ino(fd), ux_json_esc(path, esc, sizeof(esc)),
		connected ? "true" : "false", msgs, bytes);
}

int ux_write_all(int fd, const void *buf, size_t len, struct io *io)
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
int ux_read_exact(int fd, void *buf, size_t len, struct io *io)
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
int ux_make_dir(const struct run *r, char *dir, size_t size)
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
int ux_check_sock_file(const struct run *r, const char *path)
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
int ux_remove_sock_file(const struct run *r, const char *path)
{
	if (unlink(path))
		return demo_fail(r, -errno, "unlink(%s)", path);
	if (!access(path, F_OK) || errno != ENOENT)
		return demo_fail(r, -EEXIST, "%s is still there after unlink()", path);
	return 0;
}
