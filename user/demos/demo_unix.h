/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the unix demos share: their message sizes, per-end I/O counts from the demo's own calls,
 * socket addresses, exact reads and writes, and the ground-truth records of sockets.
 */
#ifndef __PSC_DEMO_UNIX_H
#define __PSC_DEMO_UNIX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* demo_unix_util.c: each one documented there */
const char *ux_json_esc(const char *s, char *buf, size_t size);
int ux_make_addr(const char *name, struct sockaddr_un *sa, socklen_t *len);
const char *ux_sock_name(int fd, char *buf, size_t size);
void ux_truth_socket(const struct run *r, const char *role, int fd, const char *type,
		     const char *path);
void ux_truth_conn(const struct run *r, const char *role, int conn, int fd, const char *path);
void ux_truth_io(const struct run *r, int fd, const struct io *io);
void ux_truth_error(const struct run *r, const char *op, int fd, const char *path, int err);
void ux_truth_dgram(const struct run *r, int fd, const char *path, bool connected, long long msgs,
		    long long bytes);
int ux_write_all(int fd, const void *buf, size_t len, struct io *io);
int ux_read_exact(int fd, void *buf, size_t len, struct io *io);
int ux_make_dir(const struct run *r, char *dir, size_t size);
int ux_check_sock_file(const struct run *r, const char *path);
int ux_remove_sock_file(const struct run *r, const char *path);

/* The demos of demo_unix_pair.c, listed in demo_unix.c's table */
int run_unix_dgram(const struct demo_ctx *ctx);
int run_socketpair(const struct demo_ctx *ctx);

#endif /* __PSC_DEMO_UNIX_H */
