/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Inside the unix group's outputs: what unix_print.c (text summary, group ops), unix_live.c
 * (live lines) and unix_json.c (JSON summary, derived log fields) share. Not for use outside
 * those files.
 */
#ifndef __PSC_UNIX_PRINT_INT_H
#define __PSC_UNIX_PRINT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "model.h"
#include "unix_flow.h"

struct jw;

/* ---- shared by the outputs (unix_print.c) ---- */

/* "4321 client", terminal-escaped, or "?" */
const char *ux_who_str(const struct unix_who *w, char *buf, size_t size);
/* The errno name of @err (errno_name()) */
const char *ux_err_str(int err, char *buf, size_t size);
/* The path shown for an address, "(unnamed)" when there is none */
const char *ux_path_str(const struct psc_unix_addr *a, char *buf, size_t size);
/* What @e sent (all zero without @e) */
const struct unix_dir *ux_tx_of(const struct unix_end *e);
/* Rows in the summary's view (report -p/--comm/--since): the end's process, either end */
bool ux_end_shown(const struct model *m, const struct unix_end *e);
bool ux_conn_shown(const struct model *m, const struct unix_conn *c);
/* A connection's wake-ups: both ends' (each end is woken by the other's sends) */
uint64_t ux_conn_wakes(const struct unix_conn *c, uint64_t *hist);

/* ---- the group ops' hooks (struct model_group_ops) ---- */

/* unix_live.c */
void unix_live(void *state, const struct model *m, const union psc_event *ev, FILE *out,
	       uint64_t min_wait_ns);
/* unix_json.c */
void unix_summary_json(void *state, const struct model *m, struct jw *w);
void unix_json_extra(void *state, const struct model *m, const union psc_event *ev, struct jw *w);

#endif /* __PSC_UNIX_PRINT_INT_H */
