// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix group on the timelines (timeline.h): a send that made a socket readable
 * (sk_data_ready) is a short marker on the sending thread in Perfetto, where the epoll group's
 * wake-up flow starts. The SVG arrow needs nothing from here: the epoll group draws it from the
 * wait's wake links. Layout: docs/timeline.md.
 */
#include "json_writer.h"
#include "perfetto.h"
#include "timeline.h"
#include "unix_flow.h"

/* sk_data_ready in the sender: a marker for the arrow to the wait it will wake, if any */
static void unix_perfetto(void *state, struct perfetto *pf, const struct model *m,
			  const union psc_event *ev, const struct proc *owner)
{
	const struct psc_ev_unix_wake *e = &ev->unix_wake;
	struct jw *w;

	if (ev->hdr.type != PSC_EV_UNIX_WAKE)
		return;
	w = pf_mark(pf, m, owner, e->hdr.tid, timeline_rel(m, e->hdr.ts_ns), "unix send", "unix",
		    NULL);
	if (!w)
		return;
	pf_args(w);
	jw_kv_u64(w, "to_ino", e->ino);
	if (e->peer_ino)
		jw_kv_u64(w, "from_ino", e->peer_ino);
	jw_obj_end(w);
	pf_end(pf);
}

const struct timeline_ops unix_timeline_ops = {
	.perfetto_event = unix_perfetto,
};
