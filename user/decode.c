// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Record validation. Pure: no I/O. Each type has one fixed size, so a record whose size does not
 * match is malformed rather than guessed at.
 */
#include <errno.h>
#include <string.h>
#include "decode.h"

static const struct {
	const char *name;
	size_t size;
} types[PSC_EV_TYPE_MAX] = {
	[PSC_EV_PROC_FORK] = { "fork", sizeof(struct psc_ev_proc_fork) },
	[PSC_EV_PROC_EXEC] = { "exec", sizeof(struct psc_ev_proc_exec) },
	[PSC_EV_PROC_EXIT] = { "exit", sizeof(struct psc_ev_proc_exit) },
	[PSC_EV_PROC_REAP] = { "reap", sizeof(struct psc_ev_proc_reap) },
	[PSC_EV_PROC_FREE] = { "free", sizeof(struct psc_ev_proc_free) },
	[PSC_EV_PROC_SEED] = { "seed", sizeof(struct psc_ev_proc_seed) },
};

size_t decode_type_size(__u32 type)
{
	return type < PSC_EV_TYPE_MAX ? types[type].size : 0;
}

const char *decode_type_name(__u32 type)
{
	return type < PSC_EV_TYPE_MAX ? types[type].name : NULL;
}

__u32 decode_type_from_name(const char *name)
{
	__u32 t;

	for (t = 1; t < PSC_EV_TYPE_MAX; t++)
		if (types[t].name && !strcmp(types[t].name, name))
			return t;
	return 0;
}

#define TERMINATE(field) ((field)[sizeof(field) - 1] = '\0')

int decode_record(const void *data, size_t len, union psc_event *out)
{
	struct psc_ev_hdr hdr;
	size_t want;

	if (!data || len < sizeof(hdr) || len > sizeof(*out))
		return -EBADMSG;
	memcpy(&hdr, data, sizeof(hdr)); /* ring records are aligned, fuzz inputs need not be */
	want = decode_type_size(hdr.type);
	if (!want)
		return -EPROTO;
	if (hdr.size != len || len != want)
		return -EBADMSG;
	memcpy(out, data, len);
	switch (hdr.type) {
	case PSC_EV_PROC_FORK:
		TERMINATE(out->fork.comm);
		break;
	case PSC_EV_PROC_EXEC:
		TERMINATE(out->exec.comm);
		TERMINATE(out->exec.filename);
		if (out->exec.args_len > PSC_ARGS_LEN)
			return -EBADMSG;
		break;
	case PSC_EV_PROC_EXIT:
		TERMINATE(out->exit.comm);
		break;
	case PSC_EV_PROC_SEED:
		TERMINATE(out->seed.comm);
		TERMINATE(out->seed.filename);
		break;
	default:
		break;
	}
	return 0;
}
