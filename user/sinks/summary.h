/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The end-of-trace summary: process tree, zombies, orphans, each event group's section, counts
 * and losses, as text. Also the selection rules (sections, filters) the JSON summary shares.
 */
#ifndef __PSC_SUMMARY_H
#define __PSC_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include "model.h"

/* Sections (report --tree, --zombies...); the header, counts and losses are always shown */
#define SUMMARY_TREE (1u << 0)
#define SUMMARY_ZOMBIES (1u << 1)
#define SUMMARY_ORPHANS (1u << 2)
#define SUMMARY_IO (1u << 3) /* the epoll group's section */
#define SUMMARY_UNIX (1u << 4) /* the unix group's section */

struct summary_opts {
	size_t max_tree_lines; /* 0 = default (300) */
	size_t max_rows; /* per table; 0 = default (25) */
	/*
	 * The text zombie table shows zombies never reaped, then those that lasted at least this
	 * long; the rest make one line (the JSON keeps every row). Used when zombie_min_set, else
	 * SUMMARY_ZOMBIE_MIN_NS.
	 */
	uint64_t zombie_min_ns;
	bool zombie_min_set;
	uint32_t sections; /* SUMMARY_* to show; 0 = all */
	/* Filters (report): which processes the summary is about. All zero = every process. */
	uint32_t pid; /* this process and its descendants (by fork); 0 = any */
	const char *comm; /* processes of this name (first 15 bytes) and their descendants */
	uint64_t since_ns; /* CLOCK_BOOTTIME: processes gone before it are left out; 0 = none */
	uint64_t until_ns; /* CLOCK_BOOTTIME: applied by the reader (no event after it); 0 = none */
};

#define SUMMARY_ZOMBIE_MIN_NS 1000000ull /* 1 ms: a parent that waits reaps well within it */

/* Print the summary of @m to @out. Returns 0 or -errno. */
int summary_print(FILE *out, const struct model *m, const struct summary_opts *opts);
/* A sink that prints the summary at finish. Returns NULL with errno set. */
struct sink *summary_sink_new(FILE *out, const struct summary_opts *opts);

/* Is section @sec (SUMMARY_*) wanted? @sec 0 (a group without a section flag): only with all */
bool summary_wants(const struct summary_opts *opts, uint32_t sec);
/* The SUMMARY_* section of an event group (PSC_GROUP_*), 0 if it has none */
uint32_t summary_group_section(uint32_t group);
/* Does any filter (pid, comm, since) narrow the summary? */
bool summary_is_filtered(const struct summary_opts *opts);
/* Does @p pass the pid, comm and since filters? (true without filters) */
bool summary_selects(const struct summary_opts *opts, const struct proc *p);
/* Does @p pass the pid and comm filters, whatever the time? */
bool summary_selects_owner(const struct summary_opts *opts, const struct proc *p);

/*
 * The processes of the tree, by proc->seq: the target's subtree (or, system-wide, processes
 * that did something and their ancestors), narrowed by the filters. calloc'd; NULL with errno.
 */
bool *summary_tree_set(const struct model *m, const struct summary_opts *opts);

/* The zombie table: processes that exited and were not auto-reaped, longest zombie first */
struct proc **summary_zombies(const struct model *m, const struct summary_opts *opts, size_t *n);

/* Counts over the processes of the tree (summary_tree_set()), for a filtered summary */
struct summary_counts {
	uint64_t processes;
	uint64_t forks; /* forked in the window */
	uint64_t threads; /* threads created */
	uint64_t execs;
	uint64_t exits; /* exited in the window */
	uint64_t reaps; /* reaped by a traced wait in the window */
	uint64_t autoreaps;
	uint64_t reaps_unseen;
	uint64_t orphans; /* adopted in the window */
};
void summary_count_selected(const struct model *m, const struct summary_opts *opts,
			    struct summary_counts *c);

#endif /* __PSC_SUMMARY_H */
