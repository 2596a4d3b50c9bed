// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The log reader. Every field of an event is read through its schema table, the one the writer
 * used, so a field added to a table is read back without a change here. Where the writer added
 * a "<name>_hex" twin (bytes that are not valid UTF-8), the twin holds the exact bytes and wins.
 * Fields a reader does not know are ignored (docs/events.md); fields it needs must be there, of
 * the right JSON type and in range, or the whole line is refused. Pure: no printing.
 *
 * This file reads a line and the records procscope adds around the events (header, lost,
 * trailer); evread_field.c holds the typed field access, evread_event.c the events.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evfast.h"
#include "evjson.h"
#include "evread_int.h"

int evread_fail(struct evread *r, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return err;
}

struct evread *evread_new(void)
{
	struct evread *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	/* depth 8: our records nest 3 deep; a deeper line is refused before it costs anything */
	r->tok = json_tokener_new_ex(8);
	if (!r->tok) {
		free(r);
		errno = ENOMEM;
		return NULL;
	}
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	r->base_ns = EVREAD_ASSUMED_BASE_NS;
	return r;
}

void evread_free(struct evread *r)
{
	if (!r)
		return;
	json_tokener_free(r->tok);
	free(r);
}

void evread_set_fast(struct evread *r, bool on)
{
	r->no_fast = !on;
}

const char *evread_error(const struct evread *r)
{
	return r->err;
}

void evread_set_base(struct evread *r, uint64_t base_ns)
{
	r->base_ns = base_ns;
}

uint64_t evread_base(const struct evread *r)
{
	return r->base_ns;
}
/* ---- the records procscope adds around the events ---- */

/*
 * The format version: any positive whole number. One beyond 64 bits (json-c keeps it as a
 * double) is as newer as one that fits: UINT64_MAX.
 */
static int get_version(struct evread *r, json_object *o, uint64_t *out)
{
	json_object *v;
	double d;

	if (!json_object_object_get_ex(o, "version", &v) || json_object_is_type(v, json_type_null))
		return evread_fail(r, -EBADMSG, "field 'version' is missing");
	if (json_object_is_type(v, json_type_int)) {
		if (json_object_get_int64(v) < 1)
			return evread_fail(r, -EBADMSG, "field 'version' is out of range");
		*out = json_object_get_uint64(v);
		return 0;
	}
	d = json_object_is_type(v, json_type_double) ? json_object_get_double(v) : 0;
	if (!(d >= 18446744073709551616.0))
		return evread_fail(r, -EBADMSG, "field 'version' is not an integer");
	*out = UINT64_MAX;
	return 0;
}

static int read_header(struct evread *r, json_object *o, struct evread_record *rec)
{
	struct trace_meta *t = &rec->meta;
	json_object *fmt, *groups;
	uint64_t version = 0;
	uint32_t target = 0;
	size_t i, n;
	int err;

	memset(t, 0, sizeof(*t));
	t->exit_status = -1;
	fmt = evread_member(r, o, "format", json_type_string, true, &err);
	if (!fmt)
		return err;
	if (strcmp(json_object_get_string(fmt), PSC_LOG_FORMAT))
		return evread_fail(r, -EBADMSG, "not a procscope event log (format '%.40s')",
				   json_object_get_string(fmt));
	err = get_version(r, o, &version);
	if (!err)
		err = evread_get_u64_str(r, o, "boottime_base_ns", true, &t->boottime_base_ns);
	if (!err)
		err = evread_get_u64_str(r, o, "realtime_base_ns", false, &t->realtime_base_ns);
	if (!err)
		err = evread_get_text(r, o, "tool_version", t->tool_version,
				      sizeof(t->tool_version));
	if (!err)
		err = evread_get_text(r, o, "kernel", t->kernel, sizeof(t->kernel));
	if (!err)
		err = evread_get_text(r, o, "hostname", t->hostname, sizeof(t->hostname));
	if (!err)
		err = evread_get_text(r, o, "boot_id", t->boot_id, sizeof(t->boot_id));
	if (!err)
		err = evread_get_text(r, o, "mode", t->mode, sizeof(t->mode));
	if (!err)
		err = evread_get_text(r, o, "command", t->command, sizeof(t->command));
	if (!err)
		err = evread_get_u32(r, o, "target_pid", false, &target);
	if (!err)
		err = evread_get_u64(r, o, "ringbuf_bytes", false, &t->ringbuf_bytes);
	if (err)
		return err;
	t->target_pid = target;
	groups = evread_member(r, o, "groups", json_type_array, false, &err);
	if (err)
		return err;
	t->groups = groups ? 0 : PSC_GROUP_ALL;
	n = groups ? json_object_array_length(groups) : 0;
	for (i = 0; i < n; i++) {
		const char *g = json_object_get_string(json_object_array_get_idx(groups, i));
		uint32_t bit;

		/* a group from a newer version is not ours to show */
		for (bit = 1; bit <= PSC_GROUP_LAST; bit <<= 1)
			if (g && !strcmp(g, schema_group_name(bit)))
				t->groups |= bit;
	}
	rec->version = version;
	return EVREAD_HEADER;
}

static int read_type_counts(struct evread *r, json_object *o, const char *key, uint64_t *by_type,
			    uint64_t *unknown)
{
	json_object *v;
	int err;

	v = evread_member(r, o, key, json_type_object, false, &err);
	if (!v)
		return err;
	json_object_object_foreach(v, name, val)
	{
		__u32 t = decode_type_from_name(name);
		uint64_t x;

		if (!json_object_is_type(val, json_type_int) || json_object_get_int64(val) < 0)
			return evread_fail(r, -EBADMSG, "field '%s' has a bad count for '%.40s'",
					   key, name);
		x = json_object_get_uint64(val);
		if (t)
			by_type[t] += x;
		else if (unknown)
			*unknown += x; /* a type from a newer version */
	}
	return 0;
}

static int read_lost(struct evread *r, json_object *o, struct evread_record *rec)
{
	struct evread_lost *l = &rec->lost;
	uint64_t unknown = 0;
	char cause[16] = "";
	int err;

	memset(l, 0, sizeof(*l));
	err = evread_get_time(r, o, "ts_ns", true, &l->ts_ns);
	if (!err) /* "cause" is absent before queues */
		err = evread_get_text(r, o, "cause", cause, sizeof(cause));
	l->queue = !strcmp(cause, "queue");
	if (!err)
		err = evread_get_u64(r, o, "count", false, &l->count);
	if (!err)
		err = read_type_counts(r, o, "by_type", l->by_type, &unknown);
	return err ? err : EVREAD_LOST;
}

static int read_trailer(struct evread *r, json_object *o, struct evread_record *rec)
{
	struct evread_trailer *t = &rec->trailer;
	uint32_t status = 0;
	int err;

	memset(t, 0, sizeof(*t));
	err = evread_get_time(r, o, "ts_ns", true, &t->end_ns);
	if (!err)
		err = evread_get_u64(r, o, "events", false, &t->events);
	if (!err)
		err = evread_get_u64(r, o, "lost", false, &t->lost);
	if (!err)
		err = evread_get_u64(r, o, "malformed", false, &t->malformed);
	if (!err)
		err = evread_get_u64(r, o, "unknown_type", false, &t->unknown_type);
	if (!err)
		err = evread_get_u64(r, o, "out_of_order", false, &t->out_of_order);
	if (!err)
		err = evread_get_text(r, o, "missing_hooks", t->missing_hooks,
				      sizeof(t->missing_hooks));
	if (!err)
		err = evread_get_bool(r, o, "interrupted", false, &t->interrupted);
	if (!err && json_object_object_get_ex(o, "command_status", NULL)) {
		err = evread_get_u32(r, o, "command_status", true, &status);
		t->has_command_status = !err;
		t->command_status = status;
	}
	return err ? err : EVREAD_TRAILER;
}

int evread_parse_line(struct evread *r, const char *line, size_t len, struct evread_record *rec)
{
	const struct schema_type *st;
	enum json_tokener_error jerr;
	json_object *o, *type;
	const char *name;
	bool derived = false;
	size_t end;
	int ret;

	r->err[0] = '\0';
	/* the lines procscope writes, read in one pass; anything unusual goes on to json-c */
	if (!r->no_fast && evfast_parse_event(line, len, r->base_ns, &r->fast, &rec->ev)) {
		rec->kind = EVREAD_EVENT;
		return EVREAD_EVENT;
	}
	if (memchr(line, '\0', len))
		return evread_fail(r, -EBADMSG, "not JSON: a NUL byte at column %zu",
				   (size_t)((const char *)memchr(line, '\0', len) - line) + 1);
	json_tokener_reset(r->tok);
	o = json_tokener_parse_ex(r->tok, line, (int)(len > INT32_MAX ? INT32_MAX : len));
	jerr = json_tokener_get_error(r->tok);
	if (!o) {
		if (jerr == json_tokener_continue)
			return evread_fail(r, -EBADMSG, "not JSON: the line ends inside a record");
		return evread_fail(r, -EBADMSG, "not JSON: %s at column %zu",
				   json_tokener_error_desc(jerr),
				   json_tokener_get_parse_end(r->tok) + 1);
	}
	for (end = json_tokener_get_parse_end(r->tok); end < len; end++)
		if (!strchr(" \t\r", line[end]))
			break;
	if (end < len) {
		json_object_put(o);
		return evread_fail(r, -EBADMSG, "not JSON: text after the record at column %zu",
				   end + 1);
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return evread_fail(r, -EBADMSG, "not a record: a JSON %s, not an object",
				   json_type_to_name(json_object_get_type(o)));
	}
	type = evread_member(r, o, "type", json_type_string, true, &ret);
	if (!type)
		goto out;
	name = json_object_get_string(type);
	ret = evread_get_bool(r, o, "derived", false, &derived);
	if (ret)
		goto out;
	if (derived) {
		ret = EVREAD_DERIVED; /* whatever its type: derived facts are derived again */
	} else if (!strcmp(name, "header")) {
		ret = read_header(r, o, rec);
	} else if (!strcmp(name, "trailer")) {
		ret = read_trailer(r, o, rec);
	} else if (!strcmp(name, "lost")) {
		ret = read_lost(r, o, rec);
	} else if ((st = schema_by_name(name)) != NULL) {
		ret = evread_read_event(r, o, st, &rec->ev);
		if (!ret)
			ret = EVREAD_EVENT;
	} else {
		ret = evread_fail(r, -EPROTO, "unknown record type '%.40s'", name);
	}
out:
	if (ret > 0)
		rec->kind = ret;
	json_object_put(o);
	return ret;
}
