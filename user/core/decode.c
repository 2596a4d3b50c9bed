// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Record validation. Pure: no I/O. Each type has one fixed size (its schema table), so a record
 * whose size does not match is malformed rather than guessed at.
 */
#include <errno.h>
#include <string.h>
#include "decode.h"
#include "schema.h"

size_t decode_type_size(__u32 type)
{
	const struct schema_type *st = schema_lookup(type);

	return st ? st->size : 0;
}

const char *decode_type_name(__u32 type)
{
	const struct schema_type *st = schema_lookup(type);

	return st ? st->name : NULL;
}

__u32 decode_type_from_name(const char *name)
{
	const struct schema_type *st = schema_by_name(name);

	return st ? st->type : 0;
}

int decode_check_event(const union psc_event *ev)
{
	switch (ev->hdr.type) {
	case PSC_EV_PROC_FORK:
		if (!(ev->fork.flags & PSC_FORK_THREAD) && !ev->fork.child_tgid)
			return -EBADMSG;
		break;
	case PSC_EV_PROC_REAP:
		if (!ev->reap.reaped_tgid)
			return -EBADMSG;
		break;
	case PSC_EV_PROC_EXEC:
	case PSC_EV_PROC_EXIT:
	case PSC_EV_PROC_FREE:
	case PSC_EV_PROC_SEED:
	case PSC_EV_PROC_RENAME:
		break;
	default:
		return 0; /* group events of tgid 0 are skipped by the model */
	}
	return ev->hdr.tgid ? 0 : -EBADMSG;
}

size_t decode_record_needed(const void *data, size_t len)
{
	const struct schema_type *st;
	const struct schema_field *f;
	struct psc_ev_hdr hdr;
	uint32_t n;

	if (!data || len < sizeof(hdr))
		return len;
	memcpy(&hdr, data, sizeof(hdr));
	st = schema_lookup(hdr.type);
	if (!st || hdr.size != len || len != st->size)
		return len; /* decode_record() refuses it: keep it as it is */
	/* a ready[] array at the end of the record: only its first count entries count */
	f = schema_ready_tail(hdr.type);
	if (!f)
		return len;
	memcpy(&n, (const char *)data + f->aux, sizeof(n));
	if (n > f->size / sizeof(struct psc_epoll_ready))
		return len;
	return f->off + n * sizeof(struct psc_epoll_ready);
}

int decode_record(const void *data, size_t len, union psc_event *out)
{
	const struct schema_type *st;
	struct psc_ev_hdr hdr;

	if (!data || len < sizeof(hdr) || len > sizeof(*out))
		return -EBADMSG;
	memcpy(&hdr, data, sizeof(hdr)); /* ring records are aligned, fuzz inputs need not be */
	st = schema_lookup(hdr.type);
	if (!st)
		return -EPROTO;
	if (hdr.size != len || len != st->size)
		return -EBADMSG;
	memcpy(out, data, len);
	if (schema_fixup(st, out))
		return -EBADMSG;
	return decode_check_event(out);
}
