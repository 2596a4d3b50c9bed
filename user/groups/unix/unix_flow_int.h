/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the unix-socket model: its state, shared by unix_flow.c (what each event does, the
 * wake join), unix_table.c (ends, connections, their indexes), unix_retire.c (who holds a
 * socket, when it went, the sweep) and unix_addr.c (addresses, names). Not for use outside
 * those files: the outputs and tests go through unix_flow.h.
 */
#ifndef __PSC_UNIX_FLOW_INT_H
#define __PSC_UNIX_FLOW_INT_H

#include "hmap.h"
#include "unix_flow.h"

struct unix_flow {
	struct hmap procs; /* proc seq -> its struct unix_proc, while it is in the table */
	struct hmap by_ino; /* live ends with an inode */
	struct hmap by_sk; /* live ends with a known sk_id */
	struct hmap by_path; /* live bound ends, by a hash of their path */
	struct unix_end **ends;
	size_t nends;
	size_t cap_ends;
	struct unix_conn **conns;
	size_t nconns;
	size_t cap_conns;
	uint64_t next_conn_id;
	uint32_t next_seq;
	size_t keep_closed;
	size_t closed_since_sweep;
	size_t sweep_at; /* ends + connections: past this, sweep (ends also go with their holders) */
	struct unix_flow_stats stats;
	struct unix_touch touch;
};

/* ---- addresses (unix_addr.c) ---- */

/* FNV-1a over the address's bytes: the path index key (a hit is checked with the bytes) */
uint64_t ux_addr_key(const struct psc_unix_addr *a);

/* ---- the table (unix_table.c): ends and connections; -ENOMEM or NULL without memory ---- */

struct unix_end *ux_end_new(struct unix_flow *uf, uint64_t ino, uint32_t type, uint64_t ts);
/* The live end with @ino, or a new one made before the trace (first seen now) */
struct unix_end *ux_end_get(struct unix_flow *uf, uint64_t ino, uint32_t type, uint64_t ts);
void ux_end_free(struct unix_flow *uf, struct unix_end *e);
/* The end stops being findable: its inode, sk_id and path may be reused */
void ux_end_unindex(struct unix_flow *uf, struct unix_end *e);
void ux_end_mark_closed(struct unix_flow *uf, struct unix_end *e, uint64_t ts);
int ux_end_set_sk(struct unix_flow *uf, struct unix_end *e, uint64_t sk_id);
int ux_end_set_ino(struct unix_flow *uf, struct unix_end *e, uint64_t ino, uint64_t ts);
int ux_end_set_path(struct unix_flow *uf, struct unix_end *e, const struct psc_unix_addr *a);
struct unix_conn *ux_conn_new(struct unix_flow *uf, uint32_t kind, uint32_t type,
			      struct unix_end *client, struct unix_end *server);

/* ---- holders and retirement (unix_retire.c) ---- */

/* @w names @p (NULL: nobody), holding a reference to @p's shared record */
int ux_who_set(struct unix_flow *uf, struct unix_who *w, const struct proc *p);
void ux_who_drop(struct unix_flow *uf, struct unix_who *w);
/* @dst takes @src's process */
int ux_who_assign(struct unix_flow *uf, struct unix_who *dst, const struct unix_who *src);
/* An end made before the trace learns its owner from the first call that names one */
int ux_who_default(struct unix_flow *uf, struct unix_who *w, const struct proc *p);
/*
 * Keep the newest keep_closed finished connections, and as many finished sockets outside any
 * connection; fold the older ones into the retired counters. Runs before an event is applied,
 * so nothing the previous event touched is in use.
 */
void ux_sweep(struct unix_flow *uf);

#endif /* __PSC_UNIX_FLOW_INT_H */
