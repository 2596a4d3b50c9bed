// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one output-file writer: hardened open, temp file + rename, plain/gzip/zstd. Why a temp
 * file for every output: creating it with O_EXCL in the target directory is the only open that
 * no planted symlink, FIFO or other user's file can redirect (fs.protected_regular and
 * protected_fifos may be 0), and rename() replaces the name without writing into its inode.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include "outfile.h"
#include "util.h"

#define ZBUF_SIZE (128u << 10)

struct outfile {
	char *path;
	char *tmp; /* the temp name until renamed (NULL: written in place) */
	int fd;
	enum outfile_codec codec;
	unsigned int flags;
	bool is_stdout;
	bool published; /* under its final name */
	bool committed;
	z_stream *gz;
	ZSTD_CCtx *zs;
	unsigned char *zbuf; /* compressed bytes on their way to the file */
	off_t off; /* file bytes written */
	off_t good_off; /* file bytes ending at a whole unit (plain) or a flush point */
	uint64_t written; /* uncompressed bytes whole in the file */
	uint64_t pending; /* uncompressed bytes given to the compressor since the last flush */
	int err;
};

enum outfile_codec outfile_codec_by_name(const char *path)
{
	if (!strcmp(path, "-"))
		return OUTFILE_PLAIN;
	if (str_has_suffix(path, ".gz"))
		return OUTFILE_GZIP;
	if (str_has_suffix(path, ".zst"))
		return OUTFILE_ZSTD;
	return OUTFILE_PLAIN;
}

const char *outfile_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ELOOP:
		return "refusing to write through a symlink";
	case ENXIO:
		return "refusing to write to a FIFO, socket or device (not a regular file)";
	default:
		return strerror(err);
	}
}

/* The invoking user of `sudo procscope`, who should own what it writes: true when there is one */
static bool sudo_owner(uid_t *uid, gid_t *gid)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	unsigned long lu, lg;
	char *end;

	if (getuid() != 0 || geteuid() != 0 || !u || !g || !*u || !*g)
		return false;
	errno = 0;
	lu = strtoul(u, &end, 10);
	if (errno || *end || lu == 0 || lu >= UINT_MAX)
		return false;
	lg = strtoul(g, &end, 10);
	if (errno || *end || lg >= UINT_MAX)
		return false;
	*uid = (uid_t)lu;
	*gid = (gid_t)lg;
	return true;
}

static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

/*
 * What may stand at @path: nothing, a regular file (replaced), or /dev/null (written as is).
 * 1 for /dev/null, 0 to write a temp file, or -errno.
 */
static int check_target(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode))
		return 0;
	return is_dev_null(&st) ? 1 : -ENXIO;
}

static int open_dev_null(const char *path)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	/* swapped between lstat and open? */
	if (fstat(fd, &st) || !is_dev_null(&st)) {
		close(fd);
		return -ENXIO;
	}
	return fd;
}

/* A new, private temp file beside @f->path: "PATH.XXXXXX.tmp" */
static int create_tmp(struct outfile *f)
{
	static const char sfx[] = ".XXXXXX.tmp";
	const char *slash = strrchr(f->path, '/');
	size_t n = strlen(f->path), base = slash ? n - (size_t)(slash + 1 - f->path) : n;
	uid_t uid;
	gid_t gid;

	/* a name near NAME_MAX (255) leaves no room for the suffix: shorten it in the temp name */
	if (base > 200)
		n -= base - 200;
	f->tmp = malloc(n + sizeof(sfx));
	if (!f->tmp)
		return -ENOMEM;
	memcpy(f->tmp, f->path, n);
	memcpy(f->tmp + n, sfx, sizeof(sfx));
	/* O_CREAT|O_EXCL, mode 0600: never an existing name, never through a symlink */
	f->fd = mkostemps(f->tmp, 4, O_CLOEXEC);
	if (f->fd < 0) {
		int err = -errno;

		free(f->tmp);
		f->tmp = NULL;
		return err;
	}
	if (sudo_owner(&uid, &gid) && fchown(f->fd, uid, gid))
		return -errno;
	return 0;
}

static int codec_init(struct outfile *f)
{
	f->zbuf = malloc(ZBUF_SIZE);
	if (!f->zbuf)
		return -ENOMEM;
	if (f->codec == OUTFILE_GZIP) {
		f->gz = calloc(1, sizeof(*f->gz));
		if (!f->gz)
			return -ENOMEM;
		/* 15 + 16: a gzip wrapper, as gzip(1) and zcat read */
		if (deflateInit2(f->gz, OUTFILE_GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			free(f->gz);
			f->gz = NULL;
			return -ENOMEM;
		}
		return 0;
	}
	f->zs = ZSTD_createCCtx();
	if (!f->zs)
		return -ENOMEM;
	if (ZSTD_isError(
		    ZSTD_CCtx_setParameter(f->zs, ZSTD_c_compressionLevel, OUTFILE_ZSTD_LEVEL)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(f->zs, ZSTD_c_checksumFlag, 1)))
		return -EINVAL;
	return 0;
}

struct outfile *outfile_open(const char *path, enum outfile_codec codec, unsigned int flags)
{
	struct outfile *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return NULL;
	f->fd = -1;
	f->codec = codec;
	f->flags = flags;
	f->path = strdup(path);
	if (!f->path) {
		err = -ENOMEM;
		goto fail;
	}
	if (!strcmp(path, "-")) {
		f->fd = STDOUT_FILENO;
		f->is_stdout = f->published = true;
	} else {
		err = check_target(path);
		if (err < 0)
			goto fail;
		if (err == 1) {
			f->fd = open_dev_null(path);
			if (f->fd < 0) {
				err = f->fd;
				goto fail;
			}
			f->published = true;
		} else {
			err = create_tmp(f);
			if (err)
				goto fail;
		}
	}
	if (codec != OUTFILE_PLAIN) {
		err = codec_init(f);
		if (err)
			goto fail;
	}
	return f;
fail:
	outfile_close(f);
	errno = -err;
	return NULL;
}

/* Cut a plain file back to its last whole unit after a failed write (a pipe cannot: fine) */
static void cut_back(struct outfile *f)
{
	if (f->off == f->good_off || f->is_stdout)
		return;
	if (ftruncate(f->fd, f->good_off) == 0 && lseek(f->fd, f->good_off, SEEK_SET) >= 0)
		f->off = f->good_off;
}

static int raw_write(struct outfile *f, const void *buf, size_t n)
{
	int err = write_full(f->fd, buf, n);

	/* write_full() may have written part of it: find out how much from the offset */
	if (err) {
		off_t at = f->is_stdout ? -1 : lseek(f->fd, 0, SEEK_CUR);

		if (at >= 0)
			f->off = at;
		return err;
	}
	f->off += (off_t)n;
	return 0;
}

/* A failed plain write of whole lines: keep every line that fits */
static void salvage_lines(struct outfile *f, const char *buf, size_t n)
{
	size_t at = 0;

	cut_back(f);
	if (f->off != f->good_off)
		return;
	while (at < n) {
		const char *nl = memchr(buf + at, '\n', n - at);
		size_t len;

		if (!nl)
			break;
		len = (size_t)(nl - (buf + at)) + 1;
		if (raw_write(f, buf + at, len)) {
			cut_back(f);
			return;
		}
		f->good_off = f->off;
		f->written += len;
		at += len;
	}
}

static int fail(struct outfile *f, int err)
{
	if (!f->err)
		f->err = err;
	return f->err;
}

static int write_plain(struct outfile *f, const void *buf, size_t n)
{
	int err = raw_write(f, buf, n);

	if (err) {
		if (f->flags & OUTFILE_LINES)
			salvage_lines(f, buf, n);
		else
			cut_back(f);
		return fail(f, err);
	}
	f->good_off = f->off;
	f->written += n;
	return 0;
}

/* Run the compressor over @buf with @mode (continue, flush, end), writing what it makes */
static int gz_run(struct outfile *f, const void *buf, size_t n, int mode)
{
	z_stream *z = f->gz;
	int ret, err;

	z->next_in = (Bytef *)(uintptr_t)buf;
	z->avail_in = (uInt)n;
	do {
		z->next_out = f->zbuf;
		z->avail_out = ZBUF_SIZE;
		ret = deflate(z, mode);
		if (ret == Z_STREAM_ERROR)
			return -EINVAL;
		if (ZBUF_SIZE - z->avail_out) {
			err = raw_write(f, f->zbuf, ZBUF_SIZE - z->avail_out);
			if (err)
				return err;
		}
	} while (z->avail_out == 0 || (mode == Z_FINISH && ret != Z_STREAM_END));
	return 0;
}

static int zs_run(struct outfile *f, const void *buf, size_t n, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { buf, n, 0 };
	size_t left;
	int err;

	do {
		ZSTD_outBuffer out = { f->zbuf, ZBUF_SIZE, 0 };

		left = ZSTD_compressStream2(f->zs, &out, &in, mode);
		if (ZSTD_isError(left))
			return ZSTD_getErrorCode(left) == ZSTD_error_memory_allocation ? -ENOMEM :
											 -EINVAL;
		if (out.pos) {
			err = raw_write(f, f->zbuf, out.pos);
			if (err)
				return err;
		}
	} while (mode == ZSTD_e_continue ? in.pos < in.size : left != 0);
	return 0;
}

/* mode: 0 continue, 1 flush, 2 end */
static int codec_run(struct outfile *f, const void *buf, size_t n, int mode)
{
	static const int gz_mode[] = { Z_NO_FLUSH, Z_SYNC_FLUSH, Z_FINISH };
	static const ZSTD_EndDirective zs_mode[] = { ZSTD_e_continue, ZSTD_e_flush, ZSTD_e_end };
	int err;

	if (f->codec == OUTFILE_GZIP) {
		/* zlib counts in uInt: feed a huge buffer in pieces */
		while (n > (1u << 30)) {
			err = gz_run(f, buf, 1u << 30, Z_NO_FLUSH);
			if (err)
				return err;
			buf = (const char *)buf + (1u << 30);
			n -= 1u << 30;
		}
		err = gz_run(f, buf, n, gz_mode[mode]);
	} else {
		err = zs_run(f, buf, n, zs_mode[mode]);
	}
	if (err) {
		/* the compressed stream is broken from the last flush point on */
		cut_back(f);
		return err;
	}
	f->pending += n;
	if (mode) {
		f->good_off = f->off;
		f->written += f->pending;
		f->pending = 0;
	}
	return 0;
}

int outfile_write(struct outfile *f, const void *buf, size_t n)
{
	int err;

	if (f->err)
		return f->err;
	if (f->committed || f->fd < 0)
		return fail(f, -EBADF);
	if (!n)
		return 0;
	if (f->codec == OUTFILE_PLAIN)
		return write_plain(f, buf, n);
	err = codec_run(f, buf, n, 0);
	return err ? fail(f, err) : 0;
}

static int publish(struct outfile *f)
{
	if (f->published)
		return 0;
	if (rename(f->tmp, f->path))
		return -errno;
	free(f->tmp);
	f->tmp = NULL;
	f->published = true;
	return 0;
}

int outfile_flush(struct outfile *f)
{
	int err;

	if (f->err)
		return f->err;
	if (f->committed || f->fd < 0)
		return fail(f, -EBADF);
	if (f->codec != OUTFILE_PLAIN) {
		err = codec_run(f, NULL, 0, 1);
		if (err)
			return fail(f, err);
	}
	if (f->flags & OUTFILE_STREAM) {
		err = publish(f);
		if (err)
			return fail(f, err);
	}
	return 0;
}

int outfile_commit(struct outfile *f)
{
	int err = f->err;

	if (f->committed)
		return f->err;
	if (!err && f->fd < 0)
		err = -EBADF;
	if (!err && f->codec != OUTFILE_PLAIN)
		err = codec_run(f, NULL, 0, 2);
	/* fsync: EINVAL is a pipe, a terminal or /dev/null, which keep nothing anyway */
	if (!err && !f->is_stdout && fsync(f->fd) && errno != EINVAL)
		err = -errno;
	if (f->fd >= 0 && !f->is_stdout && close(f->fd) && !err)
		err = -errno;
	if (!f->is_stdout)
		f->fd = -1;
	if (!err)
		err = publish(f);
	f->committed = true;
	if (err) {
		fail(f, err);
		if (f->tmp && !f->published)
			unlink(f->tmp); /* never half a document */
		return f->err;
	}
	return 0;
}

void outfile_close(struct outfile *f)
{
	if (!f)
		return;
	if (f->fd >= 0 && !f->is_stdout)
		close(f->fd);
	if (f->tmp && !f->published)
		unlink(f->tmp);
	if (f->gz) {
		deflateEnd(f->gz);
		free(f->gz);
	}
	ZSTD_freeCCtx(f->zs);
	free(f->zbuf);
	free(f->tmp);
	free(f->path);
	free(f);
}

int outfile_error(const struct outfile *f)
{
	return f->err;
}

uint64_t outfile_written(const struct outfile *f)
{
	return f->written;
}

const char *outfile_path(const struct outfile *f)
{
	return f->path;
}

bool outfile_id_get(const char *path, struct outfile_id *id)
{
	const char *slash, *base;
	char dir[PATH_MAX];
	struct stat st;

	memset(id, 0, sizeof(*id));
	if (!strcmp(path, "-"))
		return false;
	if (!stat(path, &st)) {
		if (!S_ISREG(st.st_mode))
			return false;
		id->dev = st.st_dev;
		id->ino = st.st_ino;
		return true;
	}
	/* a new file: its directory and name */
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) < sizeof(dir))
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	else
		return false;
	if (stat(dir, &st) || strlen(base) >= sizeof(id->name))
		return false;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	snprintf(id->name, sizeof(id->name), "%s", base);
	return true;
}

bool outfile_id_equal(const struct outfile_id *a, const struct outfile_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && !strcmp(a->name, b->name);
}

int outfile_check_distinct(const char *const *outs, size_t n_outs, const char *const *ins,
			   size_t n_ins, const char **out, const char **other, bool *other_is_input)
{
	struct outfile_id a, b;
	size_t i, j;

	for (i = 0; i < n_outs; i++) {
		if (!outs[i] || !outfile_id_get(outs[i], &a))
			continue;
		for (j = 0; j < n_ins + i; j++) {
			const char *p = j < n_ins ? ins[j] : outs[j - n_ins];

			if (!p || !outfile_id_get(p, &b) || !outfile_id_equal(&a, &b))
				continue;
			*out = outs[i];
			*other = p;
			*other_is_input = j < n_ins;
			return -EEXIST;
		}
	}
	return 0;
}
