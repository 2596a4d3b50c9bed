/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The NDJSON event log sink (`trace -o FILE`): header, one line per event, trailer; gzip when the
 * name ends in ".gz", zstd for ".zst". Only whole lines reach the file, so a failed write leaves
 * a valid log.
 */
#ifndef __PSC_EVLOG_H
#define __PSC_EVLOG_H

#include "model.h"

/*
 * Create @path with outfile_open() (hardened, mode 0600; "-" is stdout) and write the header
 * from @m->meta; the file appears under its name once the header is written. Returns NULL with
 * errno set (outfile_strerror() words it).
 */
struct sink *evlog_sink_new(const char *path, const struct model *m);
/* What went wrong writing, for the error message: 0 or -errno, and records fully written */
int evlog_status(const struct sink *s, uint64_t *records);

#endif /* __PSC_EVLOG_H */
