// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/logread/evread*.c and the report feed: every schema type written by the log writer
 * and read back byte for byte; header, trailer, lost and derived records; lines that must be
 * refused, each with its reason; the file layer (plain, gzip, cut lines, long lines); and a
 * synthetic log fed to the model, clean and damaged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "evjson.h"
#include "evfile.h"
#include "evfast.h"
#include "evread.h"
#include "json_writer.h"
#include "model.h"
#include "report_feed.h"
#include "schema.h"
#include "testlib.h"

#define BASE_NS 5000000000123ull /* a boot time with distinctive digits */

/* Bytes that are not UTF-8, controls and quotes: the writer adds a _hex twin for them */
static const char hostile[] = "q\"b\\n\n\x1b[2J\t\x01\xff\xfe";

static void put32(void *base, size_t off, uint32_t v)
{
	memcpy((char *)base + off, &v, sizeof(v));
}

static uint32_t get32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

/*
 * Fill every field of @st's table with a distinctive value. @variant 0 uses hostile bytes
 * (non-UTF-8, NULs inside abstract names and argv); 1 uses clean values written without hex.
 */
static void fill_event(const struct schema_type *st, union psc_event *ev, int variant)
{
	const struct schema_field *f;
	char *base = (char *)ev;
	int i = 0;

	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = st->type;
	ev->hdr.size = st->size;
	ev->hdr.ts_ns = BASE_NS + 1234567 + st->type;
	ev->hdr.start_ns = BASE_NS - 987654321; /* before the trace: negative in the log */
	ev->hdr.tgid = 4000000 + st->type;
	ev->hdr.tid = 4100000 + st->type;
	for (f = st->fields; f->name; f++, i++) {
		char *p = base + f->off;

		switch (f->kind) {
		case SK_U32:
			put32(ev, f->off, 0xfffffff0u - (uint32_t)i);
			break;
		case SK_S32: {
			int32_t v = variant ? INT32_MIN + i : -123456 - i;

			memcpy(p, &v, sizeof(v));
			break;
		}
		case SK_U64: {
			uint64_t v = 0xfedcba9876543210ull + (uint64_t)i; /* beyond INT64_MAX */

			memcpy(p, &v, sizeof(v));
			break;
		}
		case SK_S64: {
			int64_t v = variant ? INT64_MIN + i : -1 - i;

			memcpy(p, &v, sizeof(v));
			break;
		}
		case SK_TIME: {
			uint64_t v = variant ? BASE_NS - 77777 * (uint64_t)(i + 1) :
					       BASE_NS + 5555 * (uint64_t)(i + 1);

			memcpy(p, &v, sizeof(v));
			break;
		}
		case SK_STR:
			if (variant) {
				snprintf(p, f->size, "h\xc3\xa9llo \xe2\x9c\x93 %s", f->name);
			} else {
				size_t n = sizeof(hostile) - 1 < f->size - 1u ?
						   sizeof(hostile) - 1 :
						   f->size - 1u;

				memcpy(p, hostile, n);
			}
			break;
		case SK_FLAG:
			if ((i + variant) % 2 == 0)
				put32(ev, f->off, get32(ev, f->off) | f->aux);
			break;
		case SK_CHAR:
			put32(ev, f->off, variant ? 'Z' : 0xe9);
			break;
		case SK_ARGV: {
			/* several strings, an empty one; variant 0 also non-UTF-8 bytes */
			static const char a0[] = "/bin/sh\0-c\0\0echo \xff\x01\0last";
			static const char a1[] = "/bin/true\0--flag=\xc3\xa9\0\0x\0";
			const char *a = variant ? a1 : a0;
			size_t n = variant ? sizeof(a1) - 1 : sizeof(a0);

			memcpy(p, a, n);
			put32(ev, f->aux, (uint32_t)n);
			break;
		}
		case SK_READY: {
			struct psc_epoll_ready r[3] = { { .events = 1,
							  .data = 0xffffffffffffffffull },
							{ .events = 0x80000005u, .data = 7 },
							{ .events = 0, .data = 1ull << 63 } };

			memcpy(p, r, sizeof(r));
			put32(ev, f->aux, 3);
			break;
		}
		case SK_FDINFO: {
			struct psc_fd_info fi = { .ino = 0x8000000000001234ull };

			if (variant) {
				fi.kind = PSC_FD_ANON;
				memcpy(fi.name, "[eventfd]", 9);
			} else {
				fi.kind = PSC_FD_SOCKET;
				fi.sock_family = 1;
				fi.sock_type = 5;
				memcpy(fi.name, "0123456789abcd\xff\xfe", 16); /* full, no NUL */
			}
			memcpy(p, &fi, sizeof(fi));
			break;
		}
		case SK_UNIXADDR: {
			struct psc_unix_addr a = { 0 };

			if (variant) {
				strcpy(a.path, "/run/procscope test.sock");
				a.len = (uint32_t)strlen(a.path);
			} else {
				/* abstract, with a NUL and a non-UTF-8 byte inside the name */
				memcpy(a.path, "\0abs\0tract\xff", 12);
				a.len = 12;
			}
			memcpy(p, &a, sizeof(a));
			break;
		}
		default:
			fail_msg("field '%s' of '%s' has a kind the test does not know", f->name,
				 st->name);
		}
	}
}

static struct model *new_model(void)
{
	struct model *m = model_new();

	assert_non_null(m);
	m->meta.boottime_base_ns = BASE_NS;
	return m;
}

/* Write @ev with the writer, read it back; the line is returned in *line (free it) */
static int roundtrip(struct model *m, const struct schema_type *st, const union psc_event *ev,
		     struct evread_record *rec, char **line)
{
	struct evread *r = evread_new();
	struct jw w;
	int kind;

	assert_non_null(r);
	jw_init(&w);
	evjson_write_event(&w, m, ev, NULL);
	assert_int_equal(jw_error(&w), 0);
	evread_set_base(r, m->meta.boottime_base_ns);
	kind = evread_parse_line(r, w.buf, w.len, rec);
	if (kind != EVREAD_EVENT)
		fprintf(stderr, "%s: %s\n  %s\n", st->name, evread_error(r), w.buf);
	*line = strdup(w.buf);
	jw_free(&w);
	evread_free(r);
	return kind;
}

static void test_evread__every_type_roundtrips(void **state)
{
	size_t n, i;
	const struct schema_type *const *all = schema_all(&n);
	/*
	 * A bare model: only the time base. The tables are under test here; the groups' derived
	 * fields (json_extra, which the reader ignores) would see impossible values.
	 */
	struct model bare = { .meta.boottime_base_ns = BASE_NS }, *m = &bare;
	int variant;

	assert_true(n >= 20); /* proc, epoll and unix tables all registered */
	for (i = 0; i < n; i++) {
		for (variant = 0; variant < 2; variant++) {
			union psc_event ev, want;
			struct evread_record rec;
			char *line;

			fill_event(all[i], &ev, variant);
			want = ev;
			assert_int_equal(schema_fixup(all[i], &want), 0);
			memset(&rec, 0xa5, sizeof(rec));
			assert_int_equal(roundtrip(m, all[i], &ev, &rec, &line), EVREAD_EVENT);
			if (memcmp(&want, &rec.ev, sizeof(want))) {
				size_t b;

				for (b = 0; b < sizeof(want); b++)
					if (((char *)&want)[b] != ((char *)&rec.ev)[b])
						break;
				fail_msg("%s (variant %d) differs at byte %zu:\n%s", all[i]->name,
					 variant, b, line);
			}
			/* the hostile variant took the exact bytes from _hex twins */
			if (!variant && strstr(line, "\"comm\""))
				assert_non_null(strstr(line, "\"comm_hex\""));
			free(line);
		}
	}
}

/* A time field holding 0 means unknown: it is written as 0 and must read back as 0 */
static void test_evread__zero_time_stays_zero(void **state)
{
	const struct schema_type *st = schema_lookup(PSC_EV_PROC_EXIT);
	struct model *m = new_model();
	struct evread_record rec;
	union psc_event ev;
	char *line;

	fill_event(st, &ev, 1);
	ev.exit.reaper_start_ns = 0;
	assert_int_equal(roundtrip(m, st, &ev, &rec, &line), EVREAD_EVENT);
	assert_non_null(strstr(line, "\"reaper_start_ns\":0"));
	assert_int_equal(rec.ev.exit.reaper_start_ns, 0);
	assert_int_equal(rec.ev.exit.parent_start_ns, ev.exit.parent_start_ns);
	free(line);
	model_free(m);
}

static int parse_one(struct evread *r, const char *line, struct evread_record *rec)
{
	return evread_parse_line(r, line, strlen(line), rec);
}

static void test_evread__header_trailer_lost_orphan(void **state)
{
	struct model *m = new_model();
	struct evread *r = evread_new();
	struct evread_record rec;
	uint64_t by_type[PSC_EV_TYPE_MAX] = { 0 };
	struct jw w;
	struct proc *a, *b;

	assert_non_null(r);
	jw_init(&w);
	snprintf(m->meta.tool_version, sizeof(m->meta.tool_version), "9.9.9");
	snprintf(m->meta.kernel, sizeof(m->meta.kernel), "6.1.0 x86_64");
	memcpy(m->meta.hostname, "host\xff", 5);
	snprintf(m->meta.boot_id, sizeof(m->meta.boot_id), "0f0e-boot");
	m->meta.realtime_base_ns = 1795711236056460563ull;
	snprintf(m->meta.mode, sizeof(m->meta.mode), "command");
	m->meta.target_pid = 4242;
	snprintf(m->meta.command, sizeof(m->meta.command), "sh -c 'exit 7'");
	m->meta.groups = PSC_GROUP_PROC | PSC_GROUP_UNIX;
	m->meta.ringbuf_bytes = 1ull << 33;
	evjson_write_header(&w, m);
	assert_int_equal(parse_one(r, w.buf, &rec), EVREAD_HEADER);
	assert_int_equal(rec.version, PSC_LOG_VERSION);
	assert_int_equal(rec.meta.boottime_base_ns, BASE_NS);
	assert_int_equal(rec.meta.realtime_base_ns, 1795711236056460563ull);
	assert_string_equal(rec.meta.tool_version, "9.9.9");
	assert_string_equal(rec.meta.hostname, "host\xff"); /* from hostname_hex */
	assert_string_equal(rec.meta.mode, "command");
	assert_string_equal(rec.meta.command, "sh -c 'exit 7'");
	assert_int_equal(rec.meta.target_pid, 4242);
	assert_int_equal(rec.meta.groups, PSC_GROUP_PROC | PSC_GROUP_UNIX);
	assert_int_equal(rec.meta.ringbuf_bytes, 1ull << 33);
	assert_int_equal(rec.meta.exit_status, -1);
	evread_set_base(r, rec.meta.boottime_base_ns);

	/* trailer: end time, command status, interrupted, missing hooks, counts */
	jw_reset(&w);
	m->end_ts = BASE_NS + 710363585;
	m->stats.events = 101;
	m->stats.malformed = 2;
	m->stats.unknown_type = 3;
	m->meta.exit_status = 7 << 8;
	m->meta.interrupted = 1;
	snprintf(m->meta.missing_hooks, sizeof(m->meta.missing_hooks), "tp_wait4_e");
	evjson_write_trailer(&w, m);
	assert_int_equal(parse_one(r, w.buf, &rec), EVREAD_TRAILER);
	assert_int_equal(rec.trailer.end_ns, BASE_NS + 710363585);
	assert_int_equal(rec.trailer.events, 101);
	assert_int_equal(rec.trailer.malformed, 2);
	assert_int_equal(rec.trailer.unknown_type, 3);
	assert_true(rec.trailer.has_command_status);
	assert_int_equal(rec.trailer.command_status, 7 << 8);
	assert_true(rec.trailer.interrupted);
	assert_string_equal(rec.trailer.missing_hooks, "tp_wait4_e");

	/* lost: per type, by name */
	jw_reset(&w);
	by_type[PSC_EV_PROC_FORK] = 19683;
	by_type[PSC_EV_UNIX_SEND] = 5;
	evjson_write_lost(&w, m, BASE_NS + 2974505423ull, by_type, 19688);
	assert_int_equal(parse_one(r, w.buf, &rec), EVREAD_LOST);
	assert_int_equal(rec.lost.ts_ns, BASE_NS + 2974505423ull);
	assert_int_equal(rec.lost.count, 19688);
	assert_memory_equal(rec.lost.by_type, by_type, sizeof(by_type));

	/* orphan: derived, skipped */
	jw_reset(&w);
	a = proctree_get(m->tree, 10, BASE_NS + 1);
	b = proctree_get(m->tree, 11, BASE_NS + 2);
	assert_non_null(a);
	assert_non_null(b);
	evjson_write_orphan(&w, m, b, a, a, BASE_NS + 3);
	assert_int_equal(parse_one(r, w.buf, &rec), EVREAD_DERIVED);
	jw_free(&w);
	evread_free(r);
	model_free(m);
}

/* Lines that must be refused, and the reason given for each */
static void test_evread__refuses_bad_lines(void **state)
{
	static const struct {
		const char *line;
		int err;
		const char *why;
	} cases[] = {
		{ "{\"type\":\"fork\",\"ts_ns\":oops}", -EBADMSG, "not JSON" },
		{ "{\"type\":\"fork\"", -EBADMSG, "ends inside a record" },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0} x", -EBADMSG,
		  "not JSON" },
		{ "[1,2,3]", -EBADMSG, "not an object" },
		{ "\"free\"", -EBADMSG, "not an object" },
		{ "{\"ts_ns\":1}", -EBADMSG, "field 'type' is missing" },
		{ "{\"type\":7}", -EBADMSG, "field 'type' is not a string" },
		{ "{\"type\":\"teleport\",\"ts_ns\":1}", -EPROTO,
		  "unknown record type 'teleport'" },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"tid\":1,\"start_ns\":0}", -EBADMSG,
		  "field 'pid' is missing" },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":\"1\",\"tid\":1,\"start_ns\":0}",
		  -EBADMSG, "field 'pid' is not an integer" },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":4294967296,\"tid\":1,\"start_ns\":0}",
		  -EBADMSG, "field 'pid' is out of range" },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":-1,\"tid\":1,\"start_ns\":0}", -EBADMSG,
		  "field 'pid' is out of range" },
		{ "{\"type\":\"free\",\"ts_ns\":1.5,\"pid\":1,\"tid\":1,\"start_ns\":0}", -EBADMSG,
		  "field 'ts_ns' is not an integer" },
		{ "{\"type\":\"free\",\"ts_ns\":9223372036854775808,\"pid\":1,\"tid\":1,"
		  "\"start_ns\":0}",
		  -EBADMSG, "field 'ts_ns' is out of range" },
		{ "{\"type\":\"reap\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"reaped_pid\":2,"
		  "\"status\":0,\"waitid\":1,\"status_unknown\":false}",
		  -EBADMSG, "field 'waitid' is not a boolean" },
		{ "{\"type\":\"epoll_ctl\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"epfd\":2147483648,\"op\":1,\"fd\":1,\"ret\":0,\"events\":1,\"data\":1,"
		  "\"target\":{\"ino\":1,\"kind\":\"file\"}}",
		  -EBADMSG, "field 'epfd' is out of range" },
		{ "{\"type\":\"unix_socket\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"ret\":0,\"sock_type\":1,\"fd\":3,\"fd2\":4,\"pair\":true,\"ino\":-5,\"ino2\":1}",
		  -EBADMSG, "field 'ino' is out of range" },
		{ "{\"type\":\"seed\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"start_exact\":false,\"parent_pid\":0,\"parent_start_ns\":0,\"nr_threads\":1,\"state\":\"S\","
		  "\"comm\":\"0123456789abcdefX\",\"filename\":\"\"}",
		  -EBADMSG, "field 'comm' is longer than 16 bytes" },
		{ "{\"type\":\"seed\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"start_exact\":false,\"parent_pid\":0,\"parent_start_ns\":0,\"nr_threads\":1,\"state\":\"S\","
		  "\"comm\":\"x\",\"comm_hex\":\"7g\",\"filename\":\"\"}",
		  -EBADMSG, "field 'comm_hex' is not hex" },
		{ "{\"type\":\"seed\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"start_exact\":false,\"parent_pid\":0,\"parent_start_ns\":0,\"nr_threads\":1,\"state\":\"SS\","
		  "\"comm\":\"x\",\"filename\":\"\"}",
		  -EBADMSG, "field 'state' is longer than 1 bytes" },
		{ "{\"type\":\"exec\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"old_tid\":1,"
		  "\"comm\":\"x\",\"filename\":\"/x\",\"args\":[\"a\",2],\"args_truncated\":false,"
		  "\"filename_truncated\":false}",
		  -EBADMSG, "field 'args' holds a non-string" },
		{ "{\"type\":\"unix_bind\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"fd\":3,"
		  "\"ret\":0,\"ino\":1,\"path\":\"abc\",\"path_abstract\":true}",
		  -EBADMSG, "abstract without '@'" },
		{ "{\"type\":\"epoll_wait\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"enter_ns\":1,\"timeout_ns\":-1,\"epfd\":3,\"maxevents\":8,\"ret\":1,"
		  "\"pwait\":false,\"pwait2\":false,\"capped\":false,\"unread\":false,"
		  "\"began_before_trace\":false,\"ready\":[{\"events\":1}]}",
		  -EBADMSG, "field 'data' is missing" },
		{ "{\"type\":\"header\",\"format\":\"other-log\",\"version\":1}", -EBADMSG,
		  "not a procscope event log" },
		{ "{\"type\":\"header\",\"format\":\"procscope-events\",\"version\":1,"
		  "\"boottime_base_ns\":\"12a\"}",
		  -EBADMSG, "field 'boottime_base_ns' is not a decimal number" },
		{ "{\"type\":\"header\",\"format\":\"procscope-events\",\"version\":1,"
		  "\"boottime_base_ns\":\"99999999999999999999\"}",
		  -EBADMSG, "field 'boottime_base_ns' is not a decimal number" },
		{ "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		  -EBADMSG, "not JSON" },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"x\":\"\xff\"}",
		  -EBADMSG, "not JSON" },
	};
	struct evread *r = evread_new();
	struct evread_record rec;
	size_t i;

	assert_non_null(r);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = parse_one(r, cases[i].line, &rec);

		if (got != cases[i].err || !strstr(evread_error(r), cases[i].why))
			fail_msg("case %zu: got %d '%s', want %d '%s'", i, got, evread_error(r),
				 cases[i].err, cases[i].why);
	}
	/* a NUL byte inside the line */
	assert_int_equal(evread_parse_line(r, "{\"type\"\0:1}", 11, &rec), -EBADMSG);
	assert_non_null(strstr(evread_error(r), "NUL byte at column 8"));
	/* the same line, good, with a CR and blanks after it: accepted */
	assert_int_equal(
		parse_one(r,
			  "{\"type\":\"free\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
			  "\"future_field\":[1]} \r",
			  &rec),
		EVREAD_EVENT);
	assert_int_equal(rec.ev.hdr.ts_ns, EVREAD_ASSUMED_BASE_NS + 1);
	evread_free(r);
}

/*
 * Logs written before a flag was added lack it (began_before_trace, timeout_unknown,
 * start_exact): they read as they did then, the flag false; a mistyped one is still refused
 */
static void test_evread__flags_added_later_are_optional(void **state)
{
	struct evread *r = evread_new();
	struct evread_record rec;

	(void)state;
	assert_non_null(r);
	assert_int_equal(
		parse_one(r,
			  "{\"type\":\"seed\",\"ts_ns\":1,\"pid\":7,\"tid\":7,\"start_ns\":0,"
			  "\"parent_pid\":1,\"parent_start_ns\":0,\"nr_threads\":1,"
			  "\"state\":\"S\",\"comm\":\"x\",\"filename\":\"\"}",
			  &rec),
		EVREAD_EVENT);
	assert_int_equal(rec.ev.seed.flags & PSC_SEED_START_EXACT, 0);
	assert_int_equal(rec.ev.seed.nr_threads, 1);
	assert_int_equal(parse_one(r,
				   "{\"type\":\"epoll_wait\",\"ts_ns\":1,\"pid\":1,\"tid\":1,"
				   "\"start_ns\":0,\"enter_ns\":1,\"timeout_ns\":-1,\"epfd\":3,"
				   "\"maxevents\":8,\"ret\":1,\"pwait\":false,\"pwait2\":false,"
				   "\"capped\":false,\"unread\":false,"
				   "\"ready\":[{\"events\":1,\"data\":5}]}",
				   &rec),
			 EVREAD_EVENT);
	assert_int_equal(rec.ev.epoll_wait.flags & PSC_WAIT_EARLY, 0);
	assert_int_equal(rec.ev.epoll_wait.epfd, 3);
	assert_int_equal(
		parse_one(r,
			  "{\"type\":\"seed\",\"ts_ns\":1,\"pid\":7,\"tid\":7,\"start_ns\":0,"
			  "\"start_exact\":1,\"parent_pid\":1,\"parent_start_ns\":0,"
			  "\"nr_threads\":1,\"state\":\"S\",\"comm\":\"x\",\"filename\":\"\"}",
			  &rec),
		-EBADMSG);
	assert_non_null(strstr(evread_error(r), "field 'start_exact' is not a boolean"));
	evread_free(r);
}

/*
 * The fast path reads the lines procscope writes in one pass; anything it is not sure of goes
 * to json-c. Whatever it accepts must read exactly as json-c reads it: same result, same event
 * bytes. The usual lines must take it (else report is slow again), the unusual ones must not.
 */
/* Integers of 19 and 20 digits: exact up to UINT64_MAX, the full parser's past it */
static void test_evread__fast_path_long_integers(void **state)
{
	static const struct {
		const char *digits;
		uint64_t want; /* 0: the fast path declines */
	} cases[] = {
		{ "9999999999999999999", 9999999999999999999ull },
		{ "10000000000000000000", 10000000000000000000ull },
		{ "18446744073709551615", UINT64_MAX },
		{ "18446744073709551616", 0 },
		{ "99999999999999999999", 0 },
		{ "184467440737095516150", 0 },
	};
	struct evfast_cache cache = { 0 };
	union psc_event ev;
	char line[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line),
			 "{\"type\":\"unix_wake\",\"ts_ns\":1,\"pid\":5,\"tid\":5,\"start_ns\":0,"
			 "\"ino\":1,\"sk_id\":%s,\"peer_ino\":2}",
			 cases[i].digits);
		assert_int_equal(evfast_parse_event(line, strlen(line), BASE_NS, &cache, &ev),
				 cases[i].want != 0);
		if (cases[i].want)
			assert_true(ev.unix_wake.sk_id == cases[i].want);
	}
}

/*
 * Every length of digit run, where the line goes on after it and where it ends soon after:
 * the fast path reads digits eight at a time and must agree with json-c at every boundary
 */
static void test_evread__fast_path_digit_runs(void **state)
{
	static const char digits[] = "1844674407370955161518446";
	static const char *const stops[] = { "", ".5", "e1", "x", "\xff", " ", "0" };
	struct evread *full = evread_new();
	struct evfast_cache cache = { 0 };
	struct evread_record rec;
	union psc_event ev;
	char line[256], num[32];
	size_t n, s, lead, end;
	int took, want;

	assert_non_null(full);
	evread_set_fast(full, false);
	evread_set_base(full, BASE_NS);
	for (end = 0; end < 2; end++)
		for (lead = 0; lead < 2; lead++)
			for (n = 1; n < sizeof(digits); n++)
				for (s = 0; s < sizeof(stops) / sizeof(stops[0]); s++) {
					/* a leading zero: only "0" itself is a number */
					snprintf(num, sizeof(num), "%s%.*s%s", lead ? "0" : "",
						 (int)n, digits, stops[s]);
					/* the u64 sk_id in the middle, or the u64 peer_ino at the end */
					snprintf(line, sizeof(line),
						 "{\"type\":\"unix_wake\",\"ts_ns\":1,\"pid\":5,"
						 "\"tid\":5,\"start_ns\":0,\"ino\":1,\"sk_id\":%s,"
						 "\"peer_ino\":%s}",
						 end ? "3" : num, end ? num : "2");
					memset(&ev, 0x5a, sizeof(ev));
					took = evfast_parse_event(line, strlen(line), BASE_NS,
								  &cache, &ev);
					want = parse_one(full, line, &rec) == EVREAD_EVENT;
					if (took && (!want || memcmp(&rec.ev, &ev, sizeof(ev))))
						fail_msg("the fast path read '%s' otherwise", line);
					/* what the writer writes: up to UINT64_MAX (20 digits), then , or } */
					if (want && !took && !lead && !s && n <= 20)
						fail_msg("the fast path declined '%s'", line);
				}
	evread_free(full);
	(void)state;
}

static void test_evread__fast_path_agrees(void **state)
{
#define EV_HEAD "{\"type\":\"free\",\"ts_ns\":5,\"pid\":7,\"tid\":8,\"start_ns\":-3"
	static const struct {
		const char *line;
		bool fast; /* the fast path takes it */
	} cases[] = {
		/* as written: every field kind the fast path reads, nested derived extras */
		{ "{\"type\":\"epoll_wait\",\"ts_ns\":167391902,\"pid\":6754,\"tid\":6754,"
		  "\"start_ns\":167235829,\"enter_ns\":167390219,\"timeout_ns\":5000000000,"
		  "\"epfd\":3,\"maxevents\":1,\"ret\":1,\"pwait\":false,\"pwait2\":false,"
		  "\"capped\":false,\"unread\":true,\"began_before_trace\":false,\"ready\":[{\"events\":1,\"data\":4},"
		  "{\"events\":4294967295,\"data\":18446744073709551615}],\"duration_ns\":1683,"
		  "\"ready_fds\":[4],\"woken_by\":[{\"pid\":6704,\"tid\":6704,\"start_ns\":-1,"
		  "\"ino\":26305}]}",
		  true },
		{ "{\"type\":\"epoll_wait\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"enter_ns\":0,\"timeout_ns\":-1,\"epfd\":3,\"maxevents\":8,\"ret\":-4,"
		  "\"pwait\":true,\"pwait2\":false,\"capped\":false,\"unread\":false,\"began_before_trace\":false,"
		  "\"ready\":[]}",
		  true },
		{ "{\"type\":\"fork\",\"ts_ns\":167243714,\"pid\":6704,\"tid\":6704,"
		  "\"start_ns\":-183850324,\"parent_pid\":6704,\"parent_start_ns\":-183850324,"
		  "\"child_pid\":6754,\"child_tid\":6754,\"child_start_ns\":167235829,"
		  "\"thread\":false,\"comm\":\"ping pong/1\"}",
		  true },
		{ "{\"type\":\"unix_send\",\"ts_ns\":167316941,\"pid\":6704,\"tid\":6704,"
		  "\"start_ns\":-183850324,\"ino\":26304,\"peer_ino\":26305,"
		  "\"sk_id\":12514344772675797983,\"ret\":1,\"msg_flags\":0,\"sock_type\":1,"
		  "\"conn\":1,\"peer_owner_pid\":6704}",
		  true },
		{ EV_HEAD "}", true },
		{ " " EV_HEAD ",\"x\":{\"a\":[true,false,{}]}} \r", false },
		{ EV_HEAD "} \r", true },
		/* fields in another order read the same */
		{ "{\"pid\":7,\"start_ns\":-3,\"type\":\"free\",\"tid\":8,\"ts_ns\":5}", true },
		{ "{\"type\":\"free\",\"ts_ns\":5,\"x\":1,\"tid\":8,\"pid\":7,\"start_ns\":-3}",
		  true },
		{ "{\"type\" : \"free\", \"ts_ns\" :5,\"pid\": 7 ,\"tid\":8\t,\"start_ns\":-3 }",
		  true },
		{ "{\"type\":\"unix_wake\",\"ts_ns\":1,\"pid\":5,\"tid\":5,\"start_ns\":0,"
		  "\"ino\":1,\"peer_ino\":2,\"sk_id\":3}",
		  true },
		/* one missing, or a name the writer never writes (a key that is a prefix of one) */
		{ "{\"type\":\"unix_wake\",\"ts_ns\":1,\"pid\":5,\"tid\":5,\"start_ns\":0,"
		  "\"ino\":1,\"peer_ino\":2}",
		  false },
		{ "{\"type\":\"unix_wake\",\"ts_ns\":1,\"pid\":5,\"tid\":5,\"start_ns\":0,"
		  "\"ino\":1,\"sk_i\":3,\"peer_ino\":2}",
		  false },
		{ "{\"type\":\"unix_wake\",\"ts_ns\":1,\"pid\":5,\"tid\":5,\"start_ns\":0,"
		  "\"ino\":1,\"sk_idx\":3,\"sk_id\":3,\"peer_ino\":2}",
		  true },
		/* duplicates: json-c keeps the last, the fast path declines */
		{ EV_HEAD ",\"pid\":9}", false },
		{ EV_HEAD ",\"x\":1,\"start_ns\":9}", false },
		{ "{\"type\":\"free\",\"ts_ns\":5,\"ts_ns\":6,\"pid\":7,\"tid\":8,\"start_ns\":-3}",
		  false },
		{ EV_HEAD ",\"type\":\"exit\"}", false },
		{ "{\"type\":\"epoll_wait\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,"
		  "\"enter_ns\":0,\"timeout_ns\":-1,\"epfd\":3,\"maxevents\":8,\"ret\":1,"
		  "\"pwait\":true,\"pwait2\":false,\"capped\":false,\"unread\":false,"
		  "\"began_before_trace\":false,\"ready\":[{\"events\":1,\"data\":2,\"data\":3}]}",
		  false },
		/* numbers at and past the edges, and not integers */
		{ "{\"type\":\"free\",\"ts_ns\":9223372036854775807,\"pid\":4294967295,\"tid\":0,"
		  "\"start_ns\":-9223372036854775808}",
		  true },
		{ "{\"type\":\"free\",\"ts_ns\":-0,\"pid\":7,\"tid\":8,\"start_ns\":0}", true },
		{ "{\"type\":\"free\",\"ts_ns\":9223372036854775808,\"pid\":7,\"tid\":8,\"start_ns\":0}",
		  false },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":4294967296,\"tid\":8,\"start_ns\":0}",
		  false },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":-1,\"tid\":8,\"start_ns\":0}", false },
		{ "{\"type\":\"free\",\"ts_ns\":01,\"pid\":7,\"tid\":8,\"start_ns\":0}", false },
		{ "{\"type\":\"free\",\"ts_ns\":1.0,\"pid\":7,\"tid\":8,\"start_ns\":0}", false },
		{ "{\"type\":\"free\",\"ts_ns\":1e3,\"pid\":7,\"tid\":8,\"start_ns\":0}", false },
		{ "{\"type\":\"free\",\"ts_ns\":-,\"pid\":7,\"tid\":8,\"start_ns\":0}", false },
		{ "{\"type\":\"free\",\"ts_ns\":99999999999999999999999,\"pid\":7,\"tid\":8,"
		  "\"start_ns\":0}",
		  false },
		{ "{\"type\":\"unix_send\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"ino\":1,"
		  "\"peer_ino\":2,\"sk_id\":18446744073709551616,\"ret\":1,\"msg_flags\":0,"
		  "\"sock_type\":1}",
		  false },
		/* strings the fast path leaves to json-c: escapes, UTF-8, controls, twins */
		{ "{\"type\":\"fork\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"parent_pid\":1,"
		  "\"parent_start_ns\":0,\"child_pid\":2,\"child_tid\":2,\"child_start_ns\":1,"
		  "\"thread\":false,\"comm\":\"a\\\"b\\u00e9\"}",
		  false },
		{ "{\"type\":\"fork\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"parent_pid\":1,"
		  "\"parent_start_ns\":0,\"child_pid\":2,\"child_tid\":2,\"child_start_ns\":1,"
		  "\"thread\":false,\"comm\":\"caf\xc3\xa9\"}",
		  false },
		{ "{\"type\":\"fork\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"parent_pid\":1,"
		  "\"parent_start_ns\":0,\"child_pid\":2,\"child_tid\":2,\"child_start_ns\":1,"
		  "\"thread\":false,\"comm\":\"x\",\"comm_hex\":\"41\"}",
		  false },
		{ "{\"type\":\"fork\",\"ts_ns\":1,\"pid\":1,\"tid\":1,\"start_ns\":0,\"parent_pid\":1,"
		  "\"parent_start_ns\":0,\"child_pid\":2,\"child_tid\":2,\"child_start_ns\":1,"
		  "\"thread\":false,\"comm\":\"0123456789abcdefX\"}",
		  false },
		{ EV_HEAD ",\"x\":\"\x01\"}", false },
		/* not quite JSON, or not an event */
		{ EV_HEAD ",}", false },
		{ EV_HEAD "} x", false },
		{ EV_HEAD ",\"x\":null}", false },
		{ EV_HEAD ",\"x\":tru}", false },
		{ EV_HEAD ",\"x\":[1,]}", false },
		{ EV_HEAD ",\"derived\":true}", false },
		{ EV_HEAD ",\"x\":[[[[[[[[[[1]]]]]]]]]]}", false },
		{ "{\"type\":\"free\",\"ts_ns\":1,\"pid\":7,\"tid\":8}", false },
		{ "{\"type\":\"teleport\",\"ts_ns\":1}", false },
		{ "{\"type\":\"lost\",\"ts_ns\":1,\"count\":0,\"by_type\":{}}", false },
		{ "{\"type\":\"free\"", false },
	};
	struct evread *fast = evread_new(), *full = evread_new();
	struct evread_record a, b;
	size_t i;

	assert_non_null(fast);
	assert_non_null(full);
	evread_set_fast(full, false);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evfast_cache cache = { 0 };
		union psc_event ev;
		int took = evfast_parse_event(cases[i].line, strlen(cases[i].line),
					      EVREAD_ASSUMED_BASE_NS, &cache, &ev);
		int ra, rb;

		memset(&a, 0xa5, sizeof(a));
		memset(&b, 0x5a, sizeof(b));
		ra = parse_one(fast, cases[i].line, &a);
		rb = parse_one(full, cases[i].line, &b);
		if (took != cases[i].fast)
			fail_msg("case %zu: the fast path %s it", i, took ? "took" : "declined");
		if (ra != rb)
			fail_msg("case %zu: fast %d, json-c %d (%s)", i, ra, rb,
				 evread_error(full));
		if (ra == EVREAD_EVENT && memcmp(&a.ev, &b.ev, sizeof(a.ev)))
			fail_msg("case %zu: the events differ", i);
	}
	evread_free(fast);
	evread_free(full);
#undef EV_HEAD
}

static void write_file(const char *path, const char *data, size_t len, bool gz)
{
	if (gz) {
		gzFile g = gzopen(path, "wb");

		assert_non_null(g);
		assert_int_equal(gzwrite(g, data, (unsigned int)len), (int)len);
		assert_int_equal(gzclose(g), Z_OK);
	} else {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(data, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
	}
}

static void test_evread__file_lines(void **state)
{
	char path[] = "/tmp/evread-test.XXXXXX";
	size_t big = EVREAD_MAX_LINE + 100, len, o;
	char *data = malloc(big + 64);
	const char *line;
	unsigned int flags;
	int fd, gz;

	assert_non_null(data);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* "a", a line too long, "b", and "c" without its newline */
	o = 0;
	data[o++] = 'a';
	data[o++] = '\n';
	memset(data + o, 'x', big);
	o += big;
	memcpy(data + o, "\nb\nc", 4);
	o += 4;
	for (gz = 0; gz < 2; gz++) {
		struct evread_file *f;

		write_file(path, data, o, gz);
		f = evread_file_open(path);
		assert_non_null(f);
		assert_int_equal(evread_file_next(f, &line, &len, &flags), 1);
		assert_int_equal(evread_file_format(f), gz ? EVREAD_GZIP : EVREAD_PLAIN);
		assert_int_equal(len, 1);
		assert_int_equal(line[0], 'a');
		assert_int_equal(flags, 0);
		assert_int_equal(evread_file_next(f, &line, &len, &flags), 1);
		assert_int_equal(flags, EVREAD_LINE_TOO_LONG);
		assert_int_equal(evread_file_lineno(f), 2);
		assert_int_equal(evread_file_next(f, &line, &len, &flags), 1);
		assert_int_equal(len, 1);
		assert_int_equal(line[0], 'b');
		assert_int_equal(evread_file_next(f, &line, &len, &flags), 1);
		assert_int_equal(flags, EVREAD_LINE_UNTERMINATED);
		assert_int_equal(len, 1);
		assert_int_equal(line[0], 'c');
		assert_int_equal(evread_file_lineno(f), 4);
		assert_int_equal(evread_file_next(f, &line, &len, &flags), 0);
		evread_file_close(f);
	}
	/* a gzip stream cut short: the lines before the cut, then -EBADMSG */
	write_file(path, data, o, true);
	{
		struct evread_file *f;
		FILE *in = fopen(path, "rb");
		char gzbuf[4096];
		size_t n, lines = 0;
		int ret;

		assert_non_null(in);
		n = fread(gzbuf, 1, sizeof(gzbuf), in);
		fclose(in);
		write_file(path, gzbuf, n - 8, false); /* no gzip trailer: cut */
		f = evread_file_open(path);
		assert_non_null(f);
		while ((ret = evread_file_next(f, &line, &len, &flags)) == 1)
			lines++;
		assert_int_equal(ret, -EBADMSG);
		assert_true(lines >= 1);
		evread_file_close(f);
	}
	assert_null(evread_file_open("/nonexistent/log.jsonl"));
	assert_int_equal(errno, ENOENT);
	unlink(path);
	free(data);
}

/* ---- the feed: synthetic logs through the model ---- */

struct log_builder {
	struct model *m; /* the writer's model: live-like */
	char *text;
	size_t len;
	size_t cap;
	struct jw w;
};

static void lb_line(struct log_builder *b)
{
	assert_int_equal(jw_error(&b->w), 0);
	if (b->len + b->w.len + 2 > b->cap) {
		b->cap = (b->len + b->w.len + 2) * 2;
		b->text = realloc(b->text, b->cap);
		assert_non_null(b->text);
	}
	memcpy(b->text + b->len, b->w.buf, b->w.len);
	b->len += b->w.len;
	b->text[b->len++] = '\n';
	b->text[b->len] = '\0';
	jw_reset(&b->w);
}

static void lb_event(struct log_builder *b, union psc_event *ev)
{
	const struct proc *subject = NULL;

	/* apply first, as the live sinks see it, so derived fields are the real ones */
	assert_int_equal(model_apply(b->m, ev), 0);
	evjson_write_event(&b->w, b->m, ev, subject);
	lb_line(b);
}

static void ev_hdr(union psc_event *ev, uint32_t type, uint64_t ts, uint32_t pid, uint64_t start)
{
	tl_ev_hdr(ev, type, BASE_NS + ts, pid, pid, start);
}

/*
 * A command-mode log: 100 forks 101, which forks 102 and exits (102 is orphaned to 1, which
 * never reaps it in the log), 100 reaps 101.
 */
static void build_log(struct log_builder *b)
{
	union psc_event ev;
	uint64_t s100 = BASE_NS - 1000000, s101 = BASE_NS + 100, s102 = BASE_NS + 200;

	memset(b, 0, sizeof(*b));
	b->m = new_model();
	jw_init(&b->w);
	snprintf(b->m->meta.mode, sizeof(b->m->meta.mode), "command");
	b->m->meta.target_pid = 100;
	b->m->meta.groups = PSC_GROUP_ALL;
	b->m->meta.exit_status = -1;
	evjson_write_header(&b->w, b->m);
	lb_line(b);
	ev_hdr(&ev, PSC_EV_PROC_SEED, 10, 1, BASE_NS - 9000000000ull);
	strcpy(ev.seed.comm, "init");
	ev.seed.state = 'S';
	lb_event(b, &ev);
	ev_hdr(&ev, PSC_EV_PROC_SEED, 10, 100, s100);
	ev.seed.parent_tgid = 1;
	ev.seed.parent_start_ns = BASE_NS - 9000000000ull;
	strcpy(ev.seed.comm, "cmd");
	ev.seed.state = 'S';
	lb_event(b, &ev);
	ev_hdr(&ev, PSC_EV_PROC_FORK, 100, 100, s100);
	ev.fork.parent_tgid = 100;
	ev.fork.parent_start_ns = s100;
	ev.fork.child_tgid = ev.fork.child_tid = 101;
	ev.fork.child_start_ns = s101;
	strcpy(ev.fork.comm, "cmd");
	lb_event(b, &ev);
	ev_hdr(&ev, PSC_EV_PROC_FORK, 200, 101, s101);
	ev.fork.parent_tgid = 101;
	ev.fork.parent_start_ns = s101;
	ev.fork.child_tgid = ev.fork.child_tid = 102;
	ev.fork.child_start_ns = s102;
	strcpy(ev.fork.comm, "worker");
	lb_event(b, &ev);
	ev_hdr(&ev, PSC_EV_PROC_EXIT, 300, 101, s101);
	ev.exit.flags = PSC_EXIT_GROUP_DEAD;
	ev.exit.exit_code = 3 << 8;
	ev.exit.parent_tgid = 100;
	ev.exit.parent_start_ns = s100;
	ev.exit.reaper_tgid = 1;
	ev.exit.reaper_start_ns = BASE_NS - 9000000000ull;
	strcpy(ev.exit.comm, "cmd");
	lb_event(b, &ev);
	/* the orphan record the live log has right after the exit */
	evjson_write_orphan(&b->w, b->m, proctree_find_pid(b->m->tree, 102),
			    proctree_find_pid(b->m->tree, 101), proctree_find_pid(b->m->tree, 1),
			    BASE_NS + 300);
	lb_line(b);
	ev_hdr(&ev, PSC_EV_PROC_REAP, 400, 100, s100);
	ev.reap.reaped_tgid = 101;
	ev.reap.status = 3 << 8;
	lb_event(b, &ev);
	b->m->end_ts = BASE_NS + 500;
	b->m->meta.exit_status = 0;
	evjson_write_trailer(&b->w, b->m);
	lb_line(b);
}

static void free_log(struct log_builder *b)
{
	jw_free(&b->w);
	model_free(b->m);
	free(b->text);
}

struct problems {
	int n;
	char text[2048];
};

static void on_problem(void *ctx, uint64_t lineno, const char *msg)
{
	struct problems *p = ctx;
	size_t o = strlen(p->text);

	p->n++;
	snprintf(p->text + o, sizeof(p->text) - o, "%llu: %s\n", (unsigned long long)lineno, msg);
}

/* Feed @text line by line; the last line without '\n' is flagged as the file layer does */
static struct model *feed_text(const char *text, size_t len, struct problems *pr,
			       const struct summary_log_damage **dmg_out,
			       struct summary_log_damage *dmg_copy)
{
	struct model *m = model_new();
	struct report_feed *f;
	uint64_t lineno = 0, end;
	size_t o = 0;

	assert_non_null(m);
	memset(pr, 0, sizeof(*pr));
	f = report_feed_new(m, NULL, on_problem, pr);
	assert_non_null(f);
	while (o < len) {
		const char *nl = memchr(text + o, '\n', len - o);
		size_t n = nl ? (size_t)(nl - (text + o)) : len - o;

		assert_int_equal(report_feed_line(f, ++lineno, text + o, n,
						  nl ? 0 : EVREAD_LINE_UNTERMINATED),
				 0);
		o += n + (nl != NULL);
	}
	end = report_feed_end(f);
	*dmg_out = report_feed_damage(f);
	if (*dmg_out)
		*dmg_copy = **dmg_out;
	report_feed_free(f);
	assert_int_equal(model_finish(m, end), 0);
	return m;
}

static void check_tree(const struct model *m)
{
	const struct proc *p101 = proctree_find_pid(m->tree, 101);
	const struct proc *p102 = proctree_find_pid(m->tree, 102);

	assert_non_null(p101);
	assert_non_null(p102);
	assert_int_equal(p101->state, PROC_REAPED);
	assert_int_equal(p101->exit_status, 3 << 8);
	assert_true(p102->flags & PROC_F_ORPHANED);
	assert_int_equal(p102->parent->pid, 1);
}

static void test_report_feed__clean_log(void **state)
{
	struct log_builder b;
	struct problems pr;
	const struct summary_log_damage *dmg;
	struct summary_log_damage copy;
	struct model *m;

	build_log(&b);
	m = feed_text(b.text, b.len, &pr, &dmg, &copy);
	if (pr.n)
		fail_msg("problems in a clean log:\n%s", pr.text);
	assert_null(dmg);
	check_tree(m);
	/* the model derived the orphan itself (the log's record was skipped): counted once */
	assert_int_equal(proctree_stats(m->tree)->orphans, 1);
	assert_int_equal(m->stats.events, b.m->stats.events);
	assert_int_equal(m->end_ts, BASE_NS + 500);
	assert_int_equal(m->meta.exit_status, 0);
	assert_int_equal(m->meta.target_pid, 100);
	assert_string_equal(m->meta.mode, "command");
	model_free(m);
	free_log(&b);
}

/* Each kind of damage is named with its line, and the good records still build the tree */
static void test_report_feed__damaged_logs(void **state)
{
	struct log_builder b;
	struct problems pr;
	const struct summary_log_damage *dmg;
	struct summary_log_damage d;
	struct model *m;
	char *t, *nl;
	size_t len;

	build_log(&b);
	/* a corrupt line: the orphan record (line 7) replaced by garbage */
	t = strdup(b.text);
	nl = t;
	for (int i = 0; i < 6; i++)
		nl = strchr(nl, '\n') + 1;
	nl[0] = '#';
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_int_equal(d.bad_lines, 1);
	assert_non_null(strstr(pr.text, "7: not JSON"));
	check_tree(m);
	model_free(m);
	free(t);

	/* the last line cut short: the trailer is lost, the tree is not */
	len = b.len - 20;
	m = feed_text(b.text, len, &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_int_equal(d.bad_lines, 1);
	assert_true(d.missing_trailer);
	assert_non_null(strstr(pr.text, "9: the last line is cut short"));
	assert_non_null(strstr(pr.text, "0: no trailer"));
	check_tree(m);
	assert_int_equal(m->meta.exit_status, -1);
	model_free(m);

	/* an unknown type and a newer version */
	t = malloc(b.len + 128);
	assert_non_null(t);
	memcpy(t, b.text, b.len + 1);
	nl = strstr(t, "\"version\":1");
	nl[10] = '4';
	nl = strchr(t, '\n') + 1;
	memmove(nl + 41, nl, strlen(nl) + 1);
	memcpy(nl, "{\"type\":\"teleport\",\"ts_ns\":5,\"pid\":1234}\n", 41);
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_int_equal(d.unknown_types, 1);
	assert_int_equal(d.newer_version, 4);
	assert_non_null(strstr(pr.text, "1: log format version 4 is newer"));
	assert_non_null(strstr(pr.text, "2: unknown record type 'teleport'"));
	check_tree(m);
	model_free(m);
	free(t);

	/* no header: an assumed start, the same durations */
	nl = strchr(b.text, '\n') + 1;
	m = feed_text(nl, strlen(nl), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_true(d.missing_header);
	assert_non_null(strstr(pr.text, "1: no header"));
	check_tree(m);
	assert_int_equal(proc_zombie_ns(proctree_find_pid(m->tree, 101), 0), 100);
	model_free(m);

	/* a line missing in the middle: the trailer's count tells */
	t = strdup(b.text);
	nl = strstr(t, "{\"type\":\"fork\"");
	memmove(nl, strchr(nl, '\n') + 1, strlen(strchr(nl, '\n') + 1) + 1);
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_non_null(strstr(pr.text, "lines are missing"));
	model_free(m);
	free(t);

	/* two logs joined: the second is ignored, named once */
	t = malloc(2 * b.len + 1);
	assert_non_null(t);
	memcpy(t, b.text, b.len);
	memcpy(t + b.len, b.text, b.len + 1);
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_int_equal(d.after_trailer, 9);
	assert_int_equal(pr.n, 1);
	check_tree(m);
	model_free(m);
	free(t);

	/* empty */
	m = feed_text("", 0, &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_true(d.missing_header);
	assert_non_null(strstr(pr.text, "empty log"));
	model_free(m);
	free_log(&b);
}

/* Records naming pid 0, moved lines, a repeated line, a BOM: each counted for what it is (#11) */
static void test_report_feed__bad_records_and_order(void **state)
{
	struct log_builder b;
	struct problems pr;
	const struct summary_log_damage *dmg;
	struct summary_log_damage d;
	struct model *m;
	char *t, *at, *line, *nl;
	size_t ll;

	build_log(&b);
	/* the reap by pid 0: skipped as a bad line (it was -ENOMEM, which stopped report) */
	t = strdup(b.text);
	at = strstr(strstr(t, "{\"type\":\"reap\""), "\"pid\":100,");
	assert_non_null(at);
	memcpy(at, "\"pid\":  0,", 10);
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_int_equal(d.bad_lines, 1);
	assert_non_null(strstr(pr.text, "a 'reap' record that names pid 0: skipped"));
	assert_int_equal(proctree_find_pid(m->tree, 101)->state, PROC_ZOMBIE);
	assert_null(proctree_find_pid(m->tree, 0));
	model_free(m);
	free(t);

	/* the second fork moved to the end of the events: out of order, named on its new line */
	t = strdup(b.text);
	line = strstr(t, "{\"type\":\"fork\"");
	line = strstr(line + 1, "{\"type\":\"fork\"");
	nl = strchr(line, '\n') + 1;
	ll = (size_t)(nl - line);
	at = strstr(t, "{\"type\":\"trailer\"");
	{
		char *copy = strndup(line, ll);

		memmove(line, nl, (size_t)(at - nl));
		memcpy(at - ll, copy, ll);
		free(copy);
	}
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_int_equal(d.out_of_order, 1);
	assert_int_equal(d.missing_events, 0);
	assert_non_null(strstr(pr.text, "8: 1 event is older than one before it"));
	model_free(m);
	free(t);

	/* a line repeated: one event too many, not "missing" */
	t = malloc(b.len * 2);
	assert_non_null(t);
	line = strstr(b.text, "{\"type\":\"exit\"");
	nl = strchr(line, '\n') + 1;
	memcpy(t, b.text, (size_t)(nl - b.text));
	memcpy(t + (nl - b.text), line, (size_t)(nl - line));
	strcpy(t + (nl - b.text) + (nl - line), nl);
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	assert_non_null(dmg);
	assert_int_equal(d.extra_events, 1);
	assert_int_equal(d.missing_events, 0);
	assert_null(strstr(pr.text, "missing"));
	model_free(m);

	/* a BOM before the header: nothing wrong */
	memcpy(t, "\xef\xbb\xbf", 3);
	strcpy(t + 3, b.text);
	m = feed_text(t, strlen(t), &pr, &dmg, &d);
	if (pr.n)
		fail_msg("problems with a BOM:\n%s", pr.text);
	assert_null(dmg);
	check_tree(m);
	model_free(m);
	free(t);
	free_log(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evread__every_type_roundtrips),
		cmocka_unit_test(test_evread__zero_time_stays_zero),
		cmocka_unit_test(test_evread__fast_path_long_integers),
		cmocka_unit_test(test_evread__header_trailer_lost_orphan),
		cmocka_unit_test(test_evread__refuses_bad_lines),
		cmocka_unit_test(test_evread__flags_added_later_are_optional),
		cmocka_unit_test(test_evread__fast_path_digit_runs),
		cmocka_unit_test(test_evread__fast_path_agrees),
		cmocka_unit_test(test_evread__file_lines),
		cmocka_unit_test(test_report_feed__clean_log),
		cmocka_unit_test(test_report_feed__damaged_logs),
		cmocka_unit_test(test_report_feed__bad_records_and_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
