/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one output-file writer every sink uses: plain, gzip (zlib) or zstd, a hardened open in a
 * directory other users may write, and a temp file renamed into place. No policy on what is
 * written, no printing, no process-wide state: usable from any one thread per file.
 */
#ifndef __PSC_OUTFILE_H
#define __PSC_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum outfile_codec {
	OUTFILE_PLAIN = 0,
	OUTFILE_GZIP, /* zlib deflate in a gzip wrapper, OUTFILE_GZIP_LEVEL */
	OUTFILE_ZSTD, /* libzstd frames, OUTFILE_ZSTD_LEVEL */
};

/*
 * Levels picked by measurement on a real log (docs/reliability.md, "Output formats"): both are
 * the fastest level of their format; higher levels cost 2-3x the CPU for 10-30% less space.
 */
#define OUTFILE_GZIP_LEVEL 1
#define OUTFILE_ZSTD_LEVEL 1

/*
 * Publish under the final name at the first outfile_flush() that succeeds, not at commit: a
 * log that grows while tracing (tail -f, report of a running trace, a killed tracer).
 */
#define OUTFILE_STREAM (1u << 0)
/*
 * Plain files: when a write fails (a full disk), keep every whole '\n'-ended line of it that
 * still fits, so the file ends with a whole line. Without it the whole write is cut off.
 */
#define OUTFILE_LINES (1u << 1)

struct outfile;

/* ".gz" -> gzip, ".zst" -> zstd, anything else (and "-") -> plain */
enum outfile_codec outfile_codec_by_name(const char *path);

/*
 * Open @path for writing. "-" is stdout (written as is, never closed); /dev/null is written as
 * is. Anything else goes into a new temp file "PATH.XXXXXX.tmp" beside it (O_EXCL, mode 0600,
 * so nothing planted there is followed or written into) that outfile_commit() renames over
 * @path, replacing whatever regular file was there, whoever owned it. Refused before anything
 * is created: a symlink at @path (-ELOOP), a FIFO, socket or device other than /dev/null
 * (-ENXIO), a directory (-EISDIR). When root runs it through sudo, the file goes to the invoking
 * user (SUDO_UID/SUDO_GID), still 0600. Returns NULL with errno set.
 */
struct outfile *outfile_open(const char *path, enum outfile_codec codec, unsigned int flags);

/*
 * Compress and write @n bytes as one unit: when it fails, the file is cut back to before it
 * (OUTFILE_LINES: to its last whole line), and the error sticks. 0 or -errno.
 */
int outfile_write(struct outfile *f, const void *buf, size_t n);
/*
 * Make everything written so far readable from the file (a sync flush for gzip and zstd), and
 * publish an OUTFILE_STREAM file. 0 or the sticky -errno.
 */
int outfile_flush(struct outfile *f);
/*
 * The end: finish the compressed stream, fsync, close, rename into place. On failure the temp
 * file is removed and @path is left as it was (an OUTFILE_STREAM file already published keeps
 * what was flushed). 0 or -errno; safe to call twice.
 */
int outfile_commit(struct outfile *f);
/* Close and free; a file never committed is removed unless already published. NULL is a no-op. */
void outfile_close(struct outfile *f);

/* The sticky error: 0 or -errno */
int outfile_error(const struct outfile *f);
/* Uncompressed bytes that are whole and readable in the file */
uint64_t outfile_written(const struct outfile *f);
const char *outfile_path(const struct outfile *f);

/* Words for an outfile error ("refusing to write through a symlink"), else strerror */
const char *outfile_strerror(int err);

/*
 * What a path names, to tell whether an output would write over an input or another output:
 * an existing file by device and inode (through any path or link), a new one by its directory
 * and name. "-" and devices have none (false).
 */
struct outfile_id {
	dev_t dev;
	ino_t ino;
	char name[256]; /* "" for an existing file */
};
bool outfile_id_get(const char *path, struct outfile_id *id);
bool outfile_id_equal(const struct outfile_id *a, const struct outfile_id *b);

/*
 * Check, before anything is opened for writing, that no output (NULL entries skipped) is the
 * same file as an input or as another output. 0, or -EEXIST with *out the output and *other
 * the path it collides with (*other_is_input says which kind).
 */
int outfile_check_distinct(const char *const *outs, size_t n_outs, const char *const *ins,
			   size_t n_ins, const char **out, const char **other,
			   bool *other_is_input);

#endif /* __PSC_OUTFILE_H */
