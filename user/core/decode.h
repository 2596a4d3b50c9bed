/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ring-buffer bytes -> a validated, aligned event. Pure: the first thing untrusted bytes meet.
 */
#ifndef __PSC_DECODE_H
#define __PSC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include "event.h"

/*
 * Validate @len bytes at @data (size, type, per-type size) and copy them into @out, forcing every
 * string field to end in NUL. Returns 0, -EBADMSG for a malformed record or -EPROTO for an
 * unknown type.
 */
int decode_record(const void *data, size_t len, union psc_event *out);

/*
 * How many of the @len bytes at @data a copy must keep for decode_record() to read the same
 * event: the record without an epoll wait's unused ready[] entries, which decode_record()
 * zeroes whatever they hold. @len when nothing can go (or the record is not one to trim).
 */
size_t decode_record_needed(const void *data, size_t len);

/*
 * Check what the size and type checks cannot: a process event must name a process. Returns 0,
 * or -EBADMSG when it names pid 0 (the idle task never forks, execs, exits or is reaped).
 */
int decode_check_event(const union psc_event *ev);

/* Expected record size of @type, 0 if unknown */
size_t decode_type_size(__u32 type);

/* "fork", "exec", ... or NULL if unknown */
const char *decode_type_name(__u32 type);

/* Type for a name from decode_type_name(), 0 if unknown */
__u32 decode_type_from_name(const char *name);

#endif /* __PSC_DECODE_H */
