// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for the log reader: arbitrary bytes as a log file (plain, or gzip when they
 * look like it) -> lines -> records -> the model -> both summaries, with and without filters,
 * the way `procscope report` runs. Nothing may crash, leak, hang or write out of bounds.
 * tests/unit/test_fuzz_replay.c runs the seed corpus through it under gcc+ASan in `make test`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "evfast.h"
#include "evfile.h"
#include "evread.h"
#include "json_writer.h"
#include "report_feed.h"
#include "summary.h"
#include "summary_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines from memory, flagged as the file layer flags them (fast: most inputs take this way) */
static int feed_memory(struct report_feed *feed, const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	uint64_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		unsigned int flags = nl ? 0 : EVREAD_LINE_UNTERMINATED;

		if (len > EVREAD_MAX_LINE) {
			flags |= EVREAD_LINE_TOO_LONG;
			len = 0;
		}
		if (report_feed_line(feed, ++lineno, p, len, flags))
			return -1;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Through a real file: gzip inputs (zlib inflating whatever the fuzzer made) */
static void feed_file(struct report_feed *feed, const uint8_t *data, size_t size)
{
	struct evread_file *in;
	const char *line;
	unsigned int flags;
	char path[64];
	size_t len;
	int fd = memfd_create("fuzz_evread", MFD_CLOEXEC), n;

	if (fd < 0)
		return;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	in = evread_file_open(path);
	close(fd);
	if (!in)
		return;
	while ((n = evread_file_next(in, &line, &len, &flags)) > 0)
		if (report_feed_line(feed, evread_file_lineno(in), line, len, flags))
			break;
	if (n < 0)
		report_feed_input_error(feed, n);
	evread_file_close(in);
}

/* Each line the fast path takes must read exactly as json-c reads it */
static void check_fast_path(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct evread *full = evread_new();
	struct evfast_cache cache = { 0 };
	struct evread_record rec;
	union psc_event ev;

	if (!full)
		return;
	evread_set_fast(full, false);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (evfast_parse_event(p, len, evread_base(full), &cache, &ev) &&
		    (evread_parse_line(full, p, len, &rec) != EVREAD_EVENT ||
		     memcmp(&rec.ev, &ev, sizeof(ev))))
			abort();
		p = nl ? nl + 1 : end;
	}
	evread_free(full);
}

static void run_once(const uint8_t *data, size_t size, const struct report_filter *flt,
		     const struct summary_opts *so)
{
	struct model *m = model_new();
	struct report_feed *feed = m ? report_feed_new(m, flt, NULL, NULL) : NULL;
	uint64_t end;
	FILE *null;
	struct jw w;

	if (!feed)
		goto out;
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		feed_file(feed, data, size);
	else if (feed_memory(feed, data, size))
		goto out;
	end = report_feed_end(feed);
	if (model_finish(m, end))
		goto out;
	jw_init(&w);
	summary_json_write(&w, m, so, report_feed_damage(feed));
	if (!jw_error(&w) && w.buf[0] != '{')
		abort(); /* a document is an object */
	jw_free(&w);
	null = fopen("/dev/null", "w");
	if (null) {
		summary_print(null, m, so);
		fclose(null);
	}
out:
	report_feed_free(feed);
	model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct report_filter flt = { .pid = 2,
				     .comm = "sh",
				     .has_since = true,
				     .since_rel_ns = 1000,
				     .has_until = true,
				     .until_rel_ns = 50000000 };
	struct summary_opts so = { .pid = 2, .comm = "sh", .sections = SUMMARY_TREE | SUMMARY_IO };

	check_fast_path(data, size);
	run_once(data, size, NULL, NULL);
	/* the filtered run: the window in absolute time as report computes it, from any base */
	so.since_ns = EVREAD_ASSUMED_BASE_NS + 1000;
	so.until_ns = EVREAD_ASSUMED_BASE_NS + 50000000;
	run_once(data, size, &flt, &so);
	return 0;
}
