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

#define FLUSH_AT (192u << 10)

struct evlog {
	struct sink sink;
	struct jw line;
	char *buf;
	size_t len;
	size_t cap;
	struct outfile *out;
	uint64_t records; /* lines on disk */
	uint64_t staged; /* lines in buf */
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
	if (!l->len)
		return 0;
	/* a batch that fails (a full disk) keeps each of its lines that fits, whole */
	before = outfile_written(l->out);
	err = outfile_write(l->out, l->buf, l->len);
	if (!err)
		err = outfile_flush(l->out);
	if (err)
		l->records += count_lines(l->buf, (size_t)(outfile_written(l->out) - before));
	else
		l->records += l->staged;
	l->err = err;
	l->staged = 0;
	l->len = 0;
	return err;
}

/* Append the line in l->line to the staging buffer */
static void stage_line(struct evlog *l)
{
	size_t need;

	if (l->err || jw_error(&l->line)) {
		if (!l->err && jw_error(&l->line) == -ENOMEM)
			l->err = -ENOMEM;
		jw_reset(&l->line);
		return;
	}
	need = l->len + l->line.len + 1;
	if (need > l->cap) {
		size_t cap = l->cap ? l->cap : 256u << 10;
		char *b;

		while (cap < need)
			cap *= 2;
		b = realloc(l->buf, cap);
		if (!b) {
			l->err = -ENOMEM;
			jw_reset(&l->line);
			return;
		}
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, l->line.buf, l->line.len);
	l->len += l->line.len;
	l->buf[l->len++] = '\n';
	l->staged++;
	jw_reset(&l->line);
	if (l->len >= FLUSH_AT)
		evlog_flush(&l->sink);
}

static void evlog_event(struct sink *s, const struct model *m, const union psc_event *ev,
			const struct proc *subject)
{
	struct evlog *l = (struct evlog *)s;

	evjson_write_event(&l->line, m, ev, subject);
	stage_line(l);
}

static void evlog_orphan(struct sink *s, const struct model *m, const struct proc *child,
			 const struct proc *old_parent, const struct proc *new_parent, uint64_t ts)
{
	struct evlog *l = (struct evlog *)s;

	evjson_write_orphan(&l->line, m, child, old_parent, new_parent, ts);
	stage_line(l);
}

static void evlog_lost(struct sink *s, const struct model *m, uint64_t ts, const uint64_t *by_type,
		       uint64_t total)
{
	struct evlog *l = (struct evlog *)s;

	evjson_write_lost(&l->line, m, ts, by_type, total);
	stage_line(l);
}

static int evlog_finish(struct sink *s, const struct model *m)
{
	struct evlog *l = (struct evlog *)s;
	int err;

	evjson_write_trailer(&l->line, m);
	stage_line(l);
	err = evlog_flush(s);
	if (!err)
		err = l->err = outfile_commit(l->out);
	return err;
}

static void evlog_destroy(struct sink *s)
{
	struct evlog *l = (struct evlog *)s;

	outfile_close(l->out);
	jw_free(&l->line);
	free(l->buf);
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
	l->out = outfile_open(path, outfile_codec_by_name(path), OUTFILE_STREAM | OUTFILE_LINES);
	if (!l->out)
		goto fail;
	evjson_write_header(&l->line, m);
	stage_line(l);
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
