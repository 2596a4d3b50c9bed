/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What one event is, once decoded: the union of every record type of include/psc_*.h. The model,
 * the groups and the sinks take events in this form. Pure.
 */
#ifndef __PSC_EVENT_H
#define __PSC_EVENT_H

#include <stdint.h>
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
	struct psc_ev_proc_rename rename;
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
	struct psc_ev_unix_seed unix_seed;
	struct psc_ev_sched_stats sched_stats;
	struct psc_ev_sched_prio sched_prio;
	struct psc_ev_sched_state sched_state;
	struct psc_ev_sched_slice sched_slice;
};

/*
 * How long an epoll_wait or poll_wait blocked (@ts its return, @enter its entry, @flags its
 * PSC_WAIT_*): 0 when unknown, for a wait that began before the trace (PSC_WAIT_EARLY). Callers
 * that sum or show durations test the flag: such a wait has none.
 */
static inline uint64_t epoll_wait_duration(uint64_t ts, uint64_t enter, uint32_t flags)
{
	if ((flags & PSC_WAIT_EARLY) || !enter || ts < enter)
		return 0;
	return ts - enter;
}

#endif /* __PSC_EVENT_H */
