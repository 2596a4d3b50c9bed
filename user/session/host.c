// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What a session needs to know of, or do to, the process procscope runs in and its host: the
 * log header's facts, the pid namespace, a thread's process, the capabilities kept after attach.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "host.h"
#include "log.h"
#include "model.h"
#include "version.h"

static void read_file_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

void host_fill_meta(struct trace_meta *t, const struct trace_opts *opts, uint32_t root_pid)
{
	struct utsname u;
	size_t o = 0;
	char **a;

	snprintf(t->tool_version, sizeof(t->tool_version), "%s", PSC_VERSION);
	if (!uname(&u)) {
		snprintf(t->kernel, sizeof(t->kernel), "%.64s %.32s", u.release, u.machine);
		snprintf(t->hostname, sizeof(t->hostname), "%.64s", u.nodename);
	}
	read_file_line("/proc/sys/kernel/random/boot_id", t->boot_id, sizeof(t->boot_id));
	t->groups = opts->groups;
	t->exit_status = -1;
	if (opts->argv) {
		snprintf(t->mode, sizeof(t->mode), "command");
		for (a = opts->argv; *a && o + 1 < sizeof(t->command); a++)
			o += snprintf(t->command + o, sizeof(t->command) - o, "%s%s",
				      a == opts->argv ? "" : " ", *a);
	} else if (opts->pid) {
		snprintf(t->mode, sizeof(t->mode), "pid");
		t->target_pid = root_pid;
	} else {
		snprintf(t->mode, sizeof(t->mode), "system");
	}
}

/* /proc/self/status lists one NSpid per namespace level: one means the initial namespace */
bool host_in_initial_pid_ns(void)
{
	char line[256];
	bool initial = true;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return true; /* cannot tell: do not refuse */
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6))
			initial = !strchr(line + 7, '\t') && !strchr(line + 7, ' ');
	fclose(f);
	return initial;
}

/* The process (thread group) of thread @tid, from /proc/TID/status; 0 if unknown */
uint32_t host_read_tgid(uint32_t tid)
{
	char path[64], line[128];
	unsigned int tgid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/status", tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			break;
	fclose(f);
	return tgid;
}

/*
 * After attaching, keep only what the rest of the run needs: reading maps and the ring through
 * fds already open needs no capability; writing the output files (the JSON summary is renamed
 * into place at the end) may need the DAC overrides. CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON,
 * CAP_SYS_PTRACE and the rest go, from the bounding set too.
 */
void host_drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	const int keep[] = { CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER };
	int cap, i;

	if (geteuid() != 0)
		return; /* capabilities granted some other way: leave them as they are */
	for (cap = 0; cap <= CAP_LAST_CAP; cap++) {
		bool kept = false;

		for (i = 0; i < (int)(sizeof(keep) / sizeof(keep[0])); i++)
			kept |= keep[i] == cap;
		if (!kept)
			prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	}
	for (i = 0; i < (int)(sizeof(keep) / sizeof(keep[0])); i++) {
		data[keep[i] / 32].effective |= 1u << (keep[i] % 32);
		data[keep[i] / 32].permitted |= 1u << (keep[i] % 32);
	}
	if (syscall(SYS_capset, &hdr, data))
		psc_warn("failed to drop capabilities: %s", strerror(errno));
}
