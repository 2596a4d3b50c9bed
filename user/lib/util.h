/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Small helpers the sinks and models share: whole writes, suffixes, growable pointer arrays.
 * No policy of their own. Output files: outfile.h.
 */
#ifndef __PSC_UTIL_H
#define __PSC_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* write() all @n bytes, retrying on EINTR and short writes: 0 or -errno */
int write_full(int fd, const void *buf, size_t n);
bool str_has_suffix(const char *s, const char *suffix);
/* Append @p to a growable array of pointers: 0 or -ENOMEM */
int ptr_push(void ***arr, size_t *n, size_t *cap, void *p);

#endif /* __PSC_UTIL_H */
