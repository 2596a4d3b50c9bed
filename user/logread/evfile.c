// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A log, line by line, whatever its compression: the first four bytes say plain, gzip or zstd.
 * By content, not by name: logs get renamed, piped and decompressed by hand. A compressed
 * stream that ends inside a member or frame (a trace cut short, a full disk) is damage:
 * -EBADMSG once every whole line before it was returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "evfile.h"
#include "evread.h"

#define READ_CHUNK (128u << 10)

static const unsigned char gzip_magic[] = { 0x1f, 0x8b };
static const unsigned char zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

struct evread_file {
	int fd;
	enum evread_format format;
	bool sniffed;
	/* compressed input (and the first bytes of a plain one) */
	unsigned char *raw;
	size_t raw_pos;
	size_t raw_len;
	bool raw_eof;
	z_stream z;
	bool z_ready;
	bool in_member; /* gzip: inside a member, not at its end */
	bool out_full; /* the last call filled the output: the decoder may hold more */
	ZSTD_DStream *zs;
	size_t zs_hint; /* ZSTD_decompressStream's last return: 0 at the end of a frame */
	/* decompressed lines */
	char *buf;
	size_t cap;
	size_t start; /* first byte not yet returned */
	size_t end; /* bytes in buf */
	uint64_t lineno;
	int err; /* a read error, returned after the lines before it */
	bool eof;
	bool skipping; /* inside a line that is too long */
};

struct evread_file *evread_file_open(const char *path)
{
	struct evread_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return NULL;
	f->fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
	if (f->fd < 0)
		goto fail;
	f->cap = EVREAD_MAX_LINE + READ_CHUNK;
	f->buf = malloc(f->cap);
	f->raw = malloc(READ_CHUNK);
	if (!f->buf || !f->raw) {
		errno = ENOMEM;
		goto fail;
	}
	return f;
fail:
	err = errno;
	evread_file_close(f);
	errno = err;
	return NULL;
}

int evread_file_percent(const struct evread_file *f)
{
	struct stat st;
	off_t pos;

	/* the position in the file itself: compressed bytes for a compressed log */
	if (fstat(f->fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return -1;
	pos = lseek(f->fd, 0, SEEK_CUR);
	if (pos < 0)
		return -1;
	return pos >= st.st_size ? 100 : (int)(pos * 100 / st.st_size);
}

void evread_file_close(struct evread_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->z_ready)
		inflateEnd(&f->z);
	ZSTD_freeDStream(f->zs);
	free(f->raw);
	free(f->buf);
	free(f);
}

uint64_t evread_file_lineno(const struct evread_file *f)
{
	return f->lineno;
}

enum evread_format evread_file_format(const struct evread_file *f)
{
	return f->format;
}

/* read() into @buf, retrying EINTR: bytes, 0 at the end, or -errno */
static ssize_t read_some(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

/* More compressed input when all of it was used: false at the end (or on error, in f->err) */
static bool raw_more(struct evread_file *f)
{
	ssize_t r;

	if (f->raw_pos < f->raw_len)
		return true;
	if (f->raw_eof)
		return false;
	r = read_some(f->fd, f->raw, READ_CHUNK);
	if (r <= 0) {
		f->raw_eof = true;
		if (r < 0)
			f->err = (int)r;
		return false;
	}
	f->raw_pos = 0;
	f->raw_len = (size_t)r;
	return true;
}

/* The first bytes: up to four, fewer only at the end of a short input */
static int sniff(struct evread_file *f)
{
	f->sniffed = true;
	while (f->raw_len < sizeof(zstd_magic) && !f->raw_eof) {
		ssize_t r = read_some(f->fd, f->raw + f->raw_len, sizeof(zstd_magic) - f->raw_len);

		if (r < 0)
			return (int)r;
		if (r == 0)
			f->raw_eof = true;
		f->raw_len += (size_t)r;
	}
	if (f->raw_len >= sizeof(gzip_magic) && !memcmp(f->raw, gzip_magic, sizeof(gzip_magic))) {
		/* 15 + 32: gzip or zlib header, detected */
		if (inflateInit2(&f->z, 15 + 32) != Z_OK)
			return -ENOMEM;
		f->z_ready = true;
		f->format = EVREAD_GZIP;
	} else if (f->raw_len >= sizeof(zstd_magic) &&
		   !memcmp(f->raw, zstd_magic, sizeof(zstd_magic))) {
		f->zs = ZSTD_createDStream();
		if (!f->zs)
			return -ENOMEM;
		f->format = EVREAD_ZSTD;
	}
	return 0;
}

/* Plain: what was sniffed first, then straight into the line buffer */
static size_t fill_plain(struct evread_file *f, char *out, size_t room)
{
	ssize_t r;

	if (f->raw_pos < f->raw_len) {
		size_t n = f->raw_len - f->raw_pos;

		if (n > room)
			n = room;
		memcpy(out, f->raw + f->raw_pos, n);
		f->raw_pos += n;
		return n;
	}
	if (f->raw_eof)
		return 0;
	r = read_some(f->fd, out, room);
	if (r < 0)
		f->err = (int)r;
	if (r <= 0)
		f->raw_eof = true;
	return r > 0 ? (size_t)r : 0;
}

static size_t fill_gzip(struct evread_file *f, char *out, size_t room)
{
	z_stream *z = &f->z;
	int ret;

	z->next_out = (Bytef *)out;
	z->avail_out = (uInt)room;
	while (z->avail_out == room && (f->out_full || raw_more(f))) {
		if (!f->in_member) {
			/* another member follows (gzip -c a >x; gzip -c b >>x), or the end */
			if (!raw_more(f))
				break;
			if (inflateReset(z) != Z_OK) {
				f->err = -ENOMEM;
				break;
			}
			f->in_member = true;
		}
		z->next_in = f->raw + f->raw_pos;
		z->avail_in = (uInt)(f->raw_len - f->raw_pos);
		ret = inflate(z, Z_NO_FLUSH);
		f->raw_pos = f->raw_len - z->avail_in;
		f->out_full = z->avail_out == 0;
		if (ret == Z_STREAM_END) {
			f->in_member = false;
		} else if (ret == Z_MEM_ERROR) {
			f->err = -ENOMEM;
			break;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			f->err = -EBADMSG; /* corrupt */
			break;
		}
	}
	if (!f->err && f->in_member && f->raw_eof && z->avail_out == room)
		f->err = -EBADMSG; /* cut inside a member */
	return room - z->avail_out;
}

static size_t fill_zstd(struct evread_file *f, char *out, size_t room)
{
	ZSTD_outBuffer ob = { out, room, 0 };

	while (ob.pos == 0 && (f->out_full || raw_more(f))) {
		ZSTD_inBuffer in = { f->raw, f->raw_len, f->raw_pos };

		f->zs_hint = ZSTD_decompressStream(f->zs, &ob, &in);
		f->raw_pos = in.pos;
		f->out_full = ob.pos == ob.size;
		if (ZSTD_isError(f->zs_hint)) {
			f->err = -EBADMSG; /* corrupt, or not zstd after a frame */
			break;
		}
	}
	if (!f->err && ob.pos == 0 && f->raw_eof && f->zs_hint != 0)
		f->err = -EBADMSG; /* cut inside a frame */
	return ob.pos;
}

/* Read more into the buffer; sets eof (and err) when there is no more */
static void fill(struct evread_file *f)
{
	size_t n = 0;
	int err;

	if (f->start) {
		memmove(f->buf, f->buf + f->start, f->end - f->start);
		f->end -= f->start;
		f->start = 0;
	}
	if (!f->sniffed) {
		err = sniff(f);
		if (err) {
			f->err = err;
			f->eof = true;
			return;
		}
	}
	if (!f->err) {
		if (f->format == EVREAD_GZIP)
			n = fill_gzip(f, f->buf + f->end, f->cap - f->end);
		else if (f->format == EVREAD_ZSTD)
			n = fill_zstd(f, f->buf + f->end, f->cap - f->end);
		else
			n = fill_plain(f, f->buf + f->end, f->cap - f->end);
	}
	f->end += n;
	if (!n)
		f->eof = true;
}

int evread_file_next(struct evread_file *f, const char **line, size_t *len, unsigned int *flags)
{
	char *nl;

	*flags = 0;
	for (;;) {
		nl = memchr(f->buf + f->start, '\n', f->end - f->start);
		if (nl) {
			size_t at = f->start;

			f->start = (size_t)(nl - f->buf) + 1;
			f->lineno++;
			if (f->skipping || (size_t)(nl - f->buf) - at > EVREAD_MAX_LINE) {
				f->skipping = false;
				*flags = EVREAD_LINE_TOO_LONG;
				*line = f->buf;
				*len = 0;
				return 1;
			}
			*line = f->buf + at;
			*len = (size_t)(nl - f->buf) - at;
			return 1;
		}
		if (f->end - f->start > EVREAD_MAX_LINE) {
			f->skipping = true; /* drop what we have, look for the end of the line */
			f->start = f->end = 0;
		}
		if (f->eof)
			break;
		fill(f);
	}
	if (f->skipping || f->end > f->start) {
		f->lineno++;
		*flags = EVREAD_LINE_UNTERMINATED | (f->skipping ? EVREAD_LINE_TOO_LONG : 0);
		*line = f->buf + f->start;
		*len = f->skipping ? 0 : f->end - f->start;
		f->skipping = false;
		f->start = f->end = 0;
		return 1;
	}
	if (f->err) {
		int err = f->err;

		f->err = 0;
		return err;
	}
	return 0;
}
