/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The log reader's input layer: a log file (or stdin), plain, gzip or zstd, told apart by its
 * first bytes (magic), never by its name, and returned line by line. Pure: never prints.
 */
#ifndef __PSC_EVFILE_H
#define __PSC_EVFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum evread_format {
	EVREAD_PLAIN = 0,
	EVREAD_GZIP, /* 1f 8b: one or more gzip members */
	EVREAD_ZSTD, /* 28 b5 2f fd: one or more zstd frames */
};

/* A log file; "-" is stdin */
struct evread_file;

#define EVREAD_LINE_UNTERMINATED (1u << 0) /* the last line, with no '\n': cut short? */
#define EVREAD_LINE_TOO_LONG (1u << 1) /* longer than EVREAD_MAX_LINE: skipped, *len = 0 */

/* Returns NULL with errno set */
struct evread_file *evread_file_open(const char *path);
/*
 * The next line, without its '\n', valid until the next call. Returns 1 with *flags set
 * (EVREAD_LINE_*; longer than EVREAD_MAX_LINE in evread.h is too long), 0 at the end, -EBADMSG if the compressed data is damaged or cut short (the
 * lines before it were returned), or -errno for a read error.
 */
int evread_file_next(struct evread_file *f, const char **line, size_t *len, unsigned int *flags);
/* Number of the line last returned, from 1 */
uint64_t evread_file_lineno(const struct evread_file *f);
/* What the first bytes said (known once the first line was asked for) */
enum evread_format evread_file_format(const struct evread_file *f);
/* How far the reading got, in percent of the file's size; -1 when unknown (a pipe, stdin) */
int evread_file_percent(const struct evread_file *f);
void evread_file_close(struct evread_file *f);

#endif /* __PSC_EVFILE_H */
