// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Buffered NDJSON writer. Lines are staged in memory and written in whole-line chunks; if the
 * disk fills, the file is cut back to the last whole line and writing stops (the trace goes on).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "evjson.h"
#include "evlog.h"
#include "util.h"

#define FLUSH_AT (192u << 10)

struct evlog {
	struct sink sink;
	struct jw line;
	char *buf;
	size_t len;
	size_t cap;
	int fd;
	gzFile gz;
	off_t good_off; /* bytes of whole lines on disk */
	uint64_t records; /* lines on disk */
	uint64_t staged; /* lines in buf */
	int err;
};

/*
 * A batch failed (a full disk): cut it off, then write it again line by line, so the log keeps
 * every line that still fits and ends with a whole one.
 */
static void salvage_lines(struct evlog *l)
{
	size_t off = 0;

	if (ftruncate(l->fd, l->good_off) || lseek(l->fd, l->good_off, SEEK_SET) < 0)
		return;
	while (off < l->len) {
		const char *nl = memchr(l->buf + off, '\n', l->len - off);
		size_t n = nl ? (size_t)(nl - (l->buf + off)) + 1 : l->len - off;

		if (write_full(l->fd, l->buf + off, n)) {
			if (ftruncate(l->fd, l->good_off) == 0)
				lseek(l->fd, l->good_off, SEEK_SET);
			return;
		}
		l->good_off += (off_t)n;
		l->records++;
		off += n;
	}
}

static int evlog_flush(struct sink *s)
{
	struct evlog *l = (struct evlog *)s;
	int err;

	if (l->err)
		return l->err;
	if (!l->len)
		return 0;
	if (l->gz) {
		if (gzwrite(l->gz, l->buf, (unsigned)l->len) != (int)l->len ||
		    gzflush(l->gz, Z_SYNC_FLUSH) != Z_OK) {
			int zerr;

			gzerror(l->gz, &zerr);
			err = zerr == Z_ERRNO && errno ? -errno : -EIO;
			goto fail;
		}
	} else {
		err = write_full(l->fd, l->buf, l->len);
		if (err) {
			salvage_lines(l);
			goto fail;
		}
		l->good_off += (off_t)l->len;
	}
	l->records += l->staged;
	l->staged = 0;
	l->len = 0;
	return 0;
fail:
	l->err = err;
	l->len = 0;
	l->staged = 0;
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
	if (l->gz) {
		int zerr = gzclose(l->gz);

		l->gz = NULL;
		l->fd = -1;
		if (!err && zerr != Z_OK)
			err = l->err = -EIO;
	} else if (l->fd > STDOUT_FILENO) {
		if (fsync(l->fd) && errno != EINVAL && !err)
			err = l->err = -errno;
		if (close(l->fd) && !err)
			err = l->err = -errno;
		l->fd = -1;
	}
	return err;
}

static void evlog_destroy(struct sink *s)
{
	struct evlog *l = (struct evlog *)s;

	if (l->gz)
		gzclose(l->gz);
	else if (l->fd > STDOUT_FILENO)
		close(l->fd);
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
	if (!strcmp(path, "-")) {
		l->fd = STDOUT_FILENO;
	} else {
		l->fd = outfile_create(path);
		if (l->fd < 0) {
			errno = -l->fd;
			goto fail;
		}
	}
	if (str_has_suffix(path, ".gz")) {
		l->gz = gzdopen(l->fd, "wb1");
		if (!l->gz) {
			errno = ENOMEM;
			goto fail;
		}
	}
	evjson_write_header(&l->line, m);
	stage_line(l);
	if (evlog_flush(&l->sink)) {
		errno = -l->err;
		goto fail;
	}
	return &l->sink;
fail:
	err = errno;
	if (!l->gz && l->fd > STDOUT_FILENO)
		close(l->fd);
	l->fd = -1;
	evlog_destroy(&l->sink);
	errno = err;
	return NULL;
}
