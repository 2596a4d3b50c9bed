/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Ring-buffer bytes -> a validated, aligned event. Pure: the first thing untrusted bytes meet.
 */
#ifndef __PSC_DECODE_H
#define __PSC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include "psc_events.h"

/* One decoded event: every record type, aligned, strings NUL-terminated */
union psc_event {
	struct psc_ev_hdr hdr;
	struct psc_ev_proc_fork fork;
	struct psc_ev_proc_exec exec;
	struct psc_ev_proc_exit exit;
	struct psc_ev_proc_reap reap;
	struct psc_ev_proc_free free;
	struct psc_ev_proc_seed seed;
	struct psc_ev_epoll_create epoll_create;
	struct psc_ev_epoll_ctl epoll_ctl;
	struct psc_ev_epoll_wait epoll_wait;
	struct psc_ev_poll_wait poll_wait;
	struct psc_ev_unix_socket unix_socket;
	struct psc_ev_unix_bind unix_bind;
	struct psc_ev_unix_listen unix_listen;
	struct psc_ev_unix_connect unix_connect;
	struct psc_ev_unix_accept unix_accept;
	struct psc_ev_unix_xfer unix_xfer;
	struct psc_ev_unix_shutdown unix_shutdown;
	struct psc_ev_unix_close unix_close;
	struct psc_ev_unix_wake unix_wake;
};

/*
 * Validate @len bytes at @data (size, type, per-type size) and copy them into @out, forcing every
 * string field to end in NUL. Returns 0, -EBADMSG for a malformed record or -EPROTO for an
 * unknown type.
 */
int decode_record(const void *data, size_t len, union psc_event *out);

/* Expected record size of @type, 0 if unknown */
size_t decode_type_size(__u32 type);

/* "fork", "exec", ... or NULL if unknown */
const char *decode_type_name(__u32 type);

/* Type for a name from decode_type_name(), 0 if unknown */
__u32 decode_type_from_name(const char *name);

#endif /* __PSC_DECODE_H */
