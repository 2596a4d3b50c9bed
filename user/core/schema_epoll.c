// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * JSON layout of the epoll group's events (docs/events.md).
 */
#include <stdio.h>
#include "decode.h"
#include "json_writer.h"
#include "schema.h"

static const struct schema_field create_fields[] = {
	SF(psc_ev_epoll_create, ret, "ret", SK_S32),
	SF(psc_ev_epoll_create, flags, "flags", SK_U32),
	SF_END,
};

static const struct schema_field ctl_fields[] = {
	SF(psc_ev_epoll_ctl, epfd, "epfd", SK_S32),
	SF(psc_ev_epoll_ctl, op, "op", SK_S32),
	SF(psc_ev_epoll_ctl, fd, "fd", SK_S32),
	SF(psc_ev_epoll_ctl, ret, "ret", SK_S32),
	SF(psc_ev_epoll_ctl, events, "events", SK_U32),
	SF(psc_ev_epoll_ctl, data, "data", SK_U64),
	SF(psc_ev_epoll_ctl, target, "target", SK_FDINFO),
	SF_END,
};

static const struct schema_field wait_fields[] = {
	SF(psc_ev_epoll_wait, enter_ns, "enter_ns", SK_TIME),
	SF(psc_ev_epoll_wait, timeout_ns, "timeout_ns", SK_S64),
	SF(psc_ev_epoll_wait, epfd, "epfd", SK_S32),
	SF(psc_ev_epoll_wait, maxevents, "maxevents", SK_S32),
	SF(psc_ev_epoll_wait, ret, "ret", SK_S32),
	SF_FLAG(psc_ev_epoll_wait, flags, PSC_WAIT_PWAIT, "pwait"),
	SF_FLAG(psc_ev_epoll_wait, flags, PSC_WAIT_PWAIT2, "pwait2"),
	SF_FLAG(psc_ev_epoll_wait, flags, PSC_WAIT_CAPPED, "capped"),
	SF_FLAG(psc_ev_epoll_wait, flags, PSC_WAIT_UNREAD, "unread"),
	SF_FLAG_ADDED(psc_ev_epoll_wait, flags, PSC_WAIT_EARLY, "began_before_trace"),
	SF_COUNTED(psc_ev_epoll_wait, ready, nready, "ready", SK_READY),
	SF_END,
};

static const struct schema_field poll_fields[] = {
	SF(psc_ev_poll_wait, enter_ns, "enter_ns", SK_TIME),
	SF(psc_ev_poll_wait, timeout_ns, "timeout_ns", SK_S64),
	SF(psc_ev_poll_wait, kind, "kind", SK_U32),
	SF(psc_ev_poll_wait, nfds, "nfds", SK_U32),
	SF(psc_ev_poll_wait, ret, "ret", SK_S32),
	SF_FLAG_ADDED(psc_ev_poll_wait, flags, PSC_WAIT_EARLY, "began_before_trace"),
	SF_FLAG_ADDED(psc_ev_poll_wait, flags, PSC_WAIT_TIMEOUT_UNKNOWN, "timeout_unknown"),
	SF_END,
};

/* How long it blocked; null for a wait that began before the trace (never made up) */
static void kv_duration(struct jw *w, uint64_t ts, uint64_t enter, uint32_t flags)
{
	if (flags & PSC_WAIT_EARLY) {
		jw_key(w, "duration_ns");
		jw_null(w);
		return;
	}
	jw_kv_u64(w, "duration_ns", epoll_wait_duration(ts, enter, flags));
}

static void wait_extra(struct jw *w, const union psc_event *ev)
{
	const struct psc_ev_epoll_wait *e = &ev->epoll_wait;

	kv_duration(w, e->hdr.ts_ns, e->enter_ns, e->flags);
}

static void poll_extra(struct jw *w, const union psc_event *ev)
{
	static const char *const kinds[] = { "?", "poll", "ppoll", "select", "pselect6" };
	const struct psc_ev_poll_wait *e = &ev->poll_wait;

	jw_kv_str(w, "syscall", e->kind < 5 ? kinds[e->kind] : "?");
	kv_duration(w, e->hdr.ts_ns, e->enter_ns, e->flags);
}

#define EPOLL_TYPE(t, n, st, f, x)                                                         \
	{                                                                                  \
		.type = t, .name = n, .group = PSC_GROUP_EPOLL, .size = sizeof(struct st), \
		.fields = f, .record_extra = x                                             \
	}

const struct schema_type schema_epoll_types[] = {
	EPOLL_TYPE(PSC_EV_EPOLL_CREATE, "epoll_create", psc_ev_epoll_create, create_fields, NULL),
	EPOLL_TYPE(PSC_EV_EPOLL_CTL, "epoll_ctl", psc_ev_epoll_ctl, ctl_fields, NULL),
	EPOLL_TYPE(PSC_EV_EPOLL_SEED, "epoll_seed", psc_ev_epoll_ctl, ctl_fields, NULL),
	EPOLL_TYPE(PSC_EV_EPOLL_WAIT, "epoll_wait", psc_ev_epoll_wait, wait_fields, wait_extra),
	EPOLL_TYPE(PSC_EV_POLL_WAIT, "poll_wait", psc_ev_poll_wait, poll_fields, poll_extra),
	{ .size = 0 },
};
