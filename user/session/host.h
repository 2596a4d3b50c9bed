/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The process procscope runs in and its host, as a session needs them (session layer).
 */
#ifndef __PSC_HOST_H
#define __PSC_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include "trace.h"

struct trace_meta;

/* The log header's facts: tool, kernel, host, boot id, mode, command or target */
void host_fill_meta(struct trace_meta *t, const struct trace_opts *opts, uint32_t root_pid);
/* Does procscope run in the initial pid namespace (BPF reports global pids)? */
bool host_in_initial_pid_ns(void);
/* The process (thread group) of thread @tid, from /proc/TID/status; 0 if unknown */
uint32_t host_read_tgid(uint32_t tid);
/* After attach: keep only the DAC overrides and CAP_FOWNER (as root), from the bounding set too */
void host_drop_capabilities(void);

#endif /* __PSC_HOST_H */
