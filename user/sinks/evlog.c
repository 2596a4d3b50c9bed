// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Buffered NDJSON writer. Lines are staged in memory and written in whole-line chunks through
 * the output-file writer (outfile.c: plain, gzip or zstd by name); if the disk fills, the file is
 * cut back to the last whole line and writing stops (the trace goes on).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "evjson.h"
#include "evlog.h"
#include "outfile.h"
#include "schema.h"

#define FLUSH_AT (192u << 10)

struct evlog {
	struct sink sink;
	struct jw line; /* the staged lines, each written in place (no copy) */
	struct outfile *out;
	struct schema_memo *memo; /* the last record of each slot: unchanged members copied */
	uint64_t records; /* lines on disk */
	uint64_t staged; /* lines in line.buf */
	int err;
};

/* Lines in the first @n bytes of @buf */
static uint64_t count_lines(const char *buf, size_t n)
{
	uint64_t lines = 0;
	const char *p = buf, *end = buf + n;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		lines++;
		p++;
	}
	return lines;
}

static int evlog_flush(struct sink *s)
{
	struct evlog *l = (struct evlog *)s;
	uint64_t before;
	int err;

	if (l->err)
		return l->err;
	if (!l->line.len)
		return 0;
	/* a batch that fails (a full disk) keeps each of its lines that fits, whole */
	before = outfile_written(l->out);
	err = outfile_write(l->out, l->line.buf, l->line.len);
	if (!err)
		err = outfile_flush(l->out);
	if (err)
		l->records += count_lines(l->line.buf, (size_t)(outfile_written(l->out) - before));
	else
		l->records += l->staged;
	l->err = err;
	l->staged = 0;
	jw_truncate(&l->line, 0);
	return err;
}

/* The line written from @mark on is whole: end it, or take it back if it failed */
static void stage_line(struct evlog *l, size_t mark)
{
	if (!l->err)
		jw_newline(&l->line);
	if (l->err || jw_error(&l->line)) {
		if (!l->err && jw_error(&l->line) == -ENOMEM)
			l->err = -ENOMEM;
		jw_truncate(&l->line, mark);
		return;
	}
	l->staged++;
	if (l->line.len >= FLUSH_AT)
		evlog_flush(&l->sink);
}

static void evlog_event(struct sink *s, const struct model *m, const union psc_event *ev,
			const struct proc *subject)
{
	struct evlog *l = (struct evlog *)s;
	size_t mark = l->line.len;

	evjson_write_event_memo(&l->line, m, ev, subject, l->memo);
	stage_line(l, mark);
}

static void evlog_orphan(struct sink *s, const struct model *m, const struct proc *child,
			 const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct evlog *l = (struct evlog *)s;
	size_t mark = l->line.len;

	evjson_write_orphan(&l->line, m, child, old_parent, new_parent, ts);
	stage_line(l, mark);
}

static void evlog_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		       uint64_t total)
{
	struct evlog *l = (struct evlog *)s;
	size_t mark = l->line.len;

	evjson_write_lost(&l->line, m, ts, by_type, total);
	stage_line(l, mark);
}

static int evlog_finish(struct sink *s, const struct model *m)
{
	struct evlog *l = (struct evlog *)s;
	size_t mark = l->line.len;
	int err;

	evjson_write_trailer(&l->line, m);
	stage_line(l, mark);
	err = evlog_flush(s);
	if (!err)
		err = l->err = outfile_commit(l->out);
	return err;
}

static void evlog_destroy(struct sink *s)
{
	struct evlog *l = (struct evlog *)s;

	outfile_close(l->out);
	schema_memo_free(l->memo);
	jw_free(&l->line);
	free(l);
}

int evlog_status(const struct sink *s, uint64_t *records)
{
	const struct evlog *l = (const struct evlog *)s;

	if (records)
		*records = l->records;
	return l->err;
}

struct sink *evlog_sink_new(const char *path, const struct model *m)
{
	struct evlog *l = calloc(1, sizeof(*l));
	int err;

	if (!l)
		return NULL;
	jw_init(&l->line);
	l->sink.event = evlog_event;
	l->sink.orphan = evlog_orphan;
	l->sink.lost = evlog_lost;
	l->sink.flush = evlog_flush;
	l->sink.finish = evlog_finish;
	l->sink.destroy = evlog_destroy;
	/* published under its name at the first flush, the header's: a log grows as it traces */
	l->memo = schema_memo_new();
	if (!l->memo)
		goto fail;
	l->out = outfile_open(path, outfile_codec_by_name(path), OUTFILE_STREAM | OUTFILE_LINES);
	if (!l->out)
		goto fail;
	evjson_write_header(&l->line, m);
	stage_line(l, 0);
	if (evlog_flush(&l->sink)) {
		errno = -l->err;
		goto fail;
	}
	return &l->sink;
fail:
	err = errno;
	evlog_destroy(&l->sink);
	errno = err;
	return NULL;
}
