/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * report's read loop with the parsing spread over threads. The caller's thread reads the lines
 * and feeds them in order; once the feed's time base is fixed (report_feed_base()), batches of
 * lines go to parser threads first, which read the event lines procscope writes
 * (evfast_parse_event()) and leave every other line to the feed's own parser. The records, the
 * problems and their order are those of report_feed_line() on each line. Pure: no printing.
 */
#ifndef __PSC_REPORT_PIPE_H
#define __PSC_REPORT_PIPE_H

#include <stdint.h>
#include "evfile.h"
#include "report_feed.h"

/* Called on the caller's thread after each line is fed, with its number */
typedef void (*report_pipe_each_fn)(void *ctx, uint64_t lineno);

/* Parser threads for this machine: one per online CPU, at most 4; 0 on one CPU */
unsigned int report_pipe_threads(void);

/*
 * Feed every line of @in to @feed, parsed by @nthreads threads (0: all on this thread). Returns
 * evread_file_next()'s last result: 0 at the end, -EBADMSG or -errno (the lines before were
 * fed). A feed error (-ENOMEM) stops it: *@feed_err and *@err_line say so (else 0).
 */
int report_pipe_run(struct report_feed *feed, struct evread_file *in, unsigned int nthreads,
		    report_pipe_each_fn each, void *ctx, int *feed_err, uint64_t *err_line);

#endif /* __PSC_REPORT_PIPE_H */
