/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Live text output: one aligned line per event, every traced string terminal-escaped.
 */
#ifndef __PSC_LIVE_H
#define __PSC_LIVE_H

#include <stdbool.h>
#include <stdio.h>
#include "model.h"

struct live_opts {
	bool threads; /* also print thread create/exit lines */
	bool seeds; /* also print the processes read from /proc at start */
};

/* Returns NULL with errno set. @out stays owned by the caller. */
struct sink *live_sink_new(FILE *out, const struct live_opts *opts);

#endif /* __PSC_LIVE_H */
