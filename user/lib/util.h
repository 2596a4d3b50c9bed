/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Small helpers the sinks and models share: whole writes, private output files, growable
 * pointer arrays. No policy of their own.
 */
#ifndef __PSC_UTIL_H
#define __PSC_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* write() all @n bytes, retrying on EINTR and short writes: 0 or -errno */
int write_full(int fd, const void *buf, size_t n);
bool str_has_suffix(const char *s, const char *suffix);
/*
 * Create (or truncate) an output file: mode 0600, since logs hold other users' process names
 * and paths; O_NOFOLLOW, so a planted symlink cannot redirect a root-owned write; O_CLOEXEC,
 * so a traced command never inherits it. The fd, or -errno.
 */
int outfile_create(const char *path);
/* Append @p to a growable array of pointers: 0 or -ENOMEM */
int ptr_push(void ***arr, size_t *n, size_t *cap, void *p);

#endif /* __PSC_UTIL_H */
