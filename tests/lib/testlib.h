/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the unit and integration tests share: building synthetic events and reading files whole.
 * Linked into every test binary (Makefile: TESTLIB_OBJS).
 */
#ifndef __PSC_TESTLIB_H
#define __PSC_TESTLIB_H

#include <stddef.h>
#include <stdint.h>
#include "event.h"

/*
 * Zero @ev and fill its header: @type with its record size (the test fails for an unknown
 * type), the time, the process (@pid, started at @start) and the thread @tid.
 */
void tl_ev_hdr(union psc_event *ev, uint32_t type, uint64_t ts, uint32_t pid, uint32_t tid,
	       uint64_t start);

/*
 * The whole file, plain or gzip (by content), NUL-terminated; *len (if not NULL) gets its size
 * without the NUL. The test fails if it cannot be read. Caller frees.
 */
char *tl_slurp(const char *path, size_t *len);

#endif /* __PSC_TESTLIB_H */
