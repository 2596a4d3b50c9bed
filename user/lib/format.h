/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Small pure formatters shared by the text and JSON outputs: wait statuses, signals, durations.
 */
#ifndef __PSC_FORMAT_H
#define __PSC_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A wait status taken apart */
struct wstatus {
	bool exited; /* normal exit: code is valid */
	bool signaled; /* killed: signal is valid */
	bool core_dumped;
	int code;
	int signal;
};

void wstatus_decode(uint32_t status, struct wstatus *ws);
/* "SIGKILL", or "SIG42" for numbers without a name */
const char *signal_name(int sig, char *buf, size_t size);
/* "exit 7", "killed by SIGSEGV (core dumped)" */
const char *wstatus_describe(uint32_t status, char *buf, size_t size);
/* strerror() of a syscall's -errno return; any value, even INT_MIN (a hostile record) */
const char *errno_str(int64_t ret);
/*
 * The name of a syscall's -errno return @ret (or of errno @ret > 0): "EPIPE"; the kernel's
 * restart codes a signal leaves in a tracepoint's return value (-512 to -516, never seen by the
 * program: it gets EINTR, or the call is restarted) by their kernel names, "ERESTARTSYS"...;
 * "E<n>" for a number without a name. Any value, even INT64_MIN.
 */
const char *errno_name(int64_t ret, char *buf, size_t size);
/* Is @ret one of those restart codes: a signal interrupted the call? */
bool errno_is_restart(int64_t ret);
/* "412us", "3.25ms", "1.500s", "2m03s" */
const char *duration_fmt(uint64_t ns, char *buf, size_t size);
/* A byte count: decimal digits, optionally K, M or G (binary units). 0 or -EINVAL. */
int parse_bytes(const char *s, uint64_t *out);

#endif /* __PSC_FORMAT_H */
