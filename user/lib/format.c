// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "format.h"

void wstatus_decode(uint32_t status, struct wstatus *ws)
{
	memset(ws, 0, sizeof(*ws));
	if ((status & 0x7f) == 0) {
		ws->exited = true;
		ws->code = (status >> 8) & 0xff;
	} else if ((status & 0x7f) != 0x7f) {
		ws->signaled = true;
		ws->signal = status & 0x7f;
		ws->core_dumped = status & 0x80;
	}
}

const char *signal_name(int sig, char *buf, size_t size)
{
	const char *abbrev = sig > 0 && sig < NSIG ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		snprintf(buf, size, "SIG%s", abbrev);
	else
		snprintf(buf, size, "SIG%d", sig);
	return buf;
}

const char *wstatus_describe(uint32_t status, char *buf, size_t size)
{
	struct wstatus ws;
	char sig[16];

	wstatus_decode(status, &ws);
	if (ws.exited)
		snprintf(buf, size, "exit %d", ws.code);
	else if (ws.signaled)
		snprintf(buf, size, "killed by %s%s", signal_name(ws.signal, sig, sizeof(sig)),
			 ws.core_dumped ? " (core dumped)" : "");
	else
		snprintf(buf, size, "status 0x%x", status);
	return buf;
}

const char *errno_str(int64_t ret)
{
	/* -errno of a syscall lies in [-4095, -1]; anything else is not one */
	if (ret >= 0 || ret < -4095)
		return "not an errno";
	return strerror((int)-ret);
}

bool errno_is_restart(int64_t ret)
{
	return ret <= -512 && ret >= -516 && ret != -515;
}

const char *errno_name(int64_t ret, char *buf, size_t size)
{
	static const char *const restart[] = { "ERESTARTSYS", "ERESTARTNOINTR", "ERESTARTNOHAND",
					       "ENOIOCTLCMD", "ERESTART_RESTARTBLOCK" };
	int64_t err = ret < 0 ? (ret < -4095 ? 4096 : -ret) : ret;
	const char *name;

	if (err >= 512 && err <= 516)
		return restart[err - 512];
	name = err <= 4095 ? strerrorname_np((int)err) : NULL;
	if (name)
		return name;
	snprintf(buf, size, "E%lld", (long long)err);
	return buf;
}

const char *duration_fmt(uint64_t ns, char *buf, size_t size)
{
	if (ns < 1000)
		snprintf(buf, size, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, size, "%.1fus", ns / 1e3);
	else if (ns < 1000000000)
		snprintf(buf, size, "%.2fms", ns / 1e6);
	else if (ns < 60000000000ull)
		snprintf(buf, size, "%.3fs", ns / 1e9);
	else
		snprintf(buf, size, "%llum%02llus", (unsigned long long)(ns / 60000000000ull),
			 (unsigned long long)(ns / 1000000000ull % 60));
	return buf;
}

int parse_bytes(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-' || *s == '+')
		return -EINVAL;
	if (*end == 'k' || *end == 'K')
		shift = 10, end++;
	else if (*end == 'm' || *end == 'M')
		shift = 20, end++;
	else if (*end == 'g' || *end == 'G')
		shift = 30, end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}
