// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The shared test helpers of testlib.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "decode.h"
#include "testlib.h"

void tl_ev_hdr(union psc_event *ev, uint32_t type, uint64_t ts, uint32_t pid, uint32_t tid,
	       uint64_t start)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.type = type;
	ev->hdr.size = (uint32_t)decode_type_size(type);
	assert_int_not_equal(ev->hdr.size, 0);
	ev->hdr.ts_ns = ts;
	ev->hdr.tgid = pid;
	ev->hdr.tid = tid;
	ev->hdr.start_ns = start;
}

char *tl_slurp(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf;
	int r;

	if (!gz)
		print_error("cannot open %s: %s\n", path, strerror(errno));
	assert_non_null(gz);
	buf = malloc(cap);
	assert_non_null(buf);
	while ((r = gzread(gz, buf + n, (unsigned)(cap - n - 1))) > 0) {
		n += (size_t)r;
		if (cap - n < 4096) {
			char *bigger = realloc(buf, cap * 2);

			assert_non_null(bigger);
			buf = bigger;
			cap *= 2;
		}
	}
	assert_true(r == 0);
	gzclose(gz);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}
