/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Timeline exporters, part 2: a self-contained SVG picture of the trace (`--svg FILE`) for
 * people who will not open a trace viewer. Layout and scaling are in docs/timeline.md.
 */
#ifndef __PSC_SVG_H
#define __PSC_SVG_H

#include "model.h"

#define SVG_WIDTH 1400 /* px; the time axis gets what the labels leave */
#define SVG_ROW_MAX 18 /* px per process row, shrinking with the row count ... */
#define SVG_ROW_MIN 8 /* ... down to this */
#define SVG_COLLAPSE_AT 40 /* more processes than this: idle ones fold into "+N more" rows */
#define SVG_ROWS_LIMIT 500 /* rows drawn at most; the rest is one "+N more" row */
#define SVG_WAITS_MAX 256 /* epoll/poll waits drawn per process; "+N waits" counts the rest */
#define SVG_LINKS_MAX 1000 /* send -> wake arrows drawn */

/*
 * A sink that draws the trace as SVG at finish: the process tree down the left, time across,
 * lifetimes as bars, zombie intervals, exec/exit/orphan markers, epoll/poll waits, fork and
 * wake-up connectors, a legend and a time axis. No scripts, no external resources; every string
 * from the traced system is escaped for XML (control bytes shown as \xHH). Memory is bounded:
 * per process at most SVG_WAITS_MAX waits are kept. @path is created at once (mode 0600,
 * O_NOFOLLOW) and written at finish. Returns NULL with errno set.
 */
struct sink *svg_sink_new(const char *path);

#endif /* __PSC_SVG_H */
