// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for what the ring buffer hands userspace: the input is a sequence of
 * [u16 length][record bytes] chunks, each decoded and applied to the model with every sink
 * attached (live text, NDJSON log, summary, JSON summary, Perfetto, SVG), then the trace is
 * finished. Nothing may crash, leak, hang or read out of bounds, whatever the kernel (or an
 * attacker who can write to the ring) puts there. tests/unit/test_fuzz_replay.c replays the
 * seeds in tests/fuzz/corpus/records/ under gcc+ASan+UBSan in `make test`.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "evlog.h"
#include "schema.h"
#include "live.h"
#include "model.h"
#include "perfetto.h"
#include "summary.h"
#include "summary_json.h"
#include "svg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add(struct model *m, struct sink *s)
{
	if (s)
		model_add_sink(m, s);
}

/* The file sinks write into a private directory: never onto a shared path as root */
static char out_dir[] = "/tmp/procscope-fuzz.XXXXXX";
static char out_path[4][64];

static void remove_outputs(void)
{
	int i;

	for (i = 0; i < 4; i++)
		unlink(out_path[i]);
	rmdir(out_dir);
}

static int make_outputs(void)
{
	static const char *const names[] = { "log.jsonl", "summary.json", "perfetto.json",
					     "timeline.svg" };
	int i;

	if (!mkdtemp(out_dir))
		return -1;
	for (i = 0; i < 4; i++)
		snprintf(out_path[i], sizeof(out_path[i]), "%s/%s", out_dir, names[i]);
	atexit(remove_outputs);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static int ready = -1;
	struct live_opts lo = { .threads = true, .seeds = true };
	struct model *m;
	size_t off = 0;

	if (ready < 0)
		ready = make_outputs();
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	m = model_new();
	if (!m || !devnull || ready) {
		model_free(m);
		return 0;
	}
	/* small limits so that retirement runs on small inputs too */
	proctree_set_retain(m->tree, 4, 2);
	m->meta.boottime_base_ns = 1000;
	m->meta.groups = PSC_GROUP_ALL;
	m->meta.exit_status = -1;
	add(m, live_sink_new(fileno(devnull), &lo));
	add(m, evlog_sink_new(out_path[0], m));
	add(m, summary_sink_new(devnull, NULL));
	add(m, summary_json_sink_new(out_path[1], NULL));
	add(m, perfetto_sink_new(out_path[2]));
	add(m, svg_sink_new(out_path[3]));
	while (off + 2 <= size) {
		size_t len = (size_t)data[off] | (size_t)data[off + 1] << 8;

		off += 2;
		if (len > size - off)
			len = size - off;
		/* an aligned copy, as the ring hands out 8-byte aligned records */
		{
			uint64_t buf[(sizeof(union psc_event) + 64) / 8];

			if (len <= sizeof(buf)) {
				memcpy(buf, data + off, len);
				model_apply_raw(m, buf, len);
			}
		}
		off += len;
	}
	model_finish(m, m->last_ts + 1000);
	model_free(m);
	return 0;
}
