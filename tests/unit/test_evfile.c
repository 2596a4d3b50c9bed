// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/logread/evfile.c: plain, gzip and zstd logs are told apart by content,
 * whatever their names, read back line for line (several members or frames too), and a
 * compressed log cut short gives every whole line before the cut, then -EBADMSG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "evfile.h"
#include "outfile.h"

#define NLINES 200000 /* about 6 MB: several buffers of input and output */

static char path[64];

static int setup(void **state)
{
	int fd;

	(void)state;
	/* no suffix: the name says nothing about the content */
	snprintf(path, sizeof(path), "/tmp/psc-evfile.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

/* Write NLINES lines "line N" through the output writer, with @codec */
static void write_log(enum outfile_codec codec)
{
	struct outfile *o;
	int i;

	unlink(path);
	o = outfile_open(path, codec, 0);
	assert_non_null(o);
	for (i = 0; i < NLINES; i++) {
		char line[32];
		int n = snprintf(line, sizeof(line), "line %d\n", i);

		assert_int_equal(outfile_write(o, line, (size_t)n), 0);
		if (i % 50000 == 0)
			assert_int_equal(outfile_flush(o), 0);
	}
	assert_int_equal(outfile_commit(o), 0);
	outfile_close(o);
}

/* Read every line back; the count of good lines, and the final return in *end */
static int read_back(enum evread_format want, int *end)
{
	struct evread_file *f = evread_file_open(path);
	const char *line;
	unsigned int flags;
	size_t len;
	int n = 0, r;

	assert_non_null(f);
	while ((r = evread_file_next(f, &line, &len, &flags)) > 0) {
		char expect[32];
		int k = snprintf(expect, sizeof(expect), "line %d", n);

		if (flags) {
			assert_int_equal(flags, EVREAD_LINE_UNTERMINATED); /* the cut line */
			continue;
		}
		assert_int_equal(len, (size_t)k);
		assert_memory_equal(line, expect, len);
		n++;
	}
	assert_int_equal(evread_file_format(f), want);
	evread_file_close(f);
	*end = r;
	return n;
}

static void test_evfile__by_content_not_name(void **state)
{
	static const struct {
		enum outfile_codec codec;
		enum evread_format format;
	} cases[] = {
		{ OUTFILE_PLAIN, EVREAD_PLAIN },
		{ OUTFILE_GZIP, EVREAD_GZIP },
		{ OUTFILE_ZSTD, EVREAD_ZSTD },
	};
	size_t i;
	int end;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_log(cases[i].codec);
		assert_int_equal(read_back(cases[i].format, &end), NLINES);
		assert_int_equal(end, 0);
	}
}

/* Cut the file to @keep of its bytes */
static void cut(double keep)
{
	FILE *fp = fopen(path, "rb");
	long size;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	size = ftell(fp);
	fclose(fp);
	assert_int_equal(truncate(path, (off_t)(size * keep)), 0);
}

static void test_evfile__cut_compressed_log(void **state)
{
	enum outfile_codec codecs[] = { OUTFILE_GZIP, OUTFILE_ZSTD };
	enum evread_format formats[] = { EVREAD_GZIP, EVREAD_ZSTD };
	size_t i;
	int n, end;

	(void)state;
	for (i = 0; i < 2; i++) {
		write_log(codecs[i]);
		cut(0.5);
		n = read_back(formats[i], &end);
		/* the lines before the cut, then the damage */
		assert_true(n > NLINES / 4);
		assert_true(n < NLINES);
		assert_int_equal(end, -EBADMSG);
	}
}

/* Two members, two frames: `cat a.gz b.gz`, `cat a.zst b.zst` */
static void test_evfile__concatenated(void **state)
{
	static const char half[] = "one\ntwo\n";
	char out[256];
	size_t n;
	FILE *fp;
	int end, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fp = fopen(path, "wb");
		assert_non_null(fp);
		if (i == 0) {
			gzFile gz;
			int k;

			fclose(fp);
			for (k = 0; k < 2; k++) {
				gz = gzopen(path, k ? "ab" : "wb");
				assert_non_null(gz);
				assert_int_equal(gzwrite(gz, half, sizeof(half) - 1),
						 sizeof(half) - 1);
				gzclose(gz);
			}
		} else {
			n = ZSTD_compress(out, sizeof(out), half, sizeof(half) - 1, 1);
			assert_false(ZSTD_isError(n));
			assert_int_equal(fwrite(out, 1, n, fp), n);
			assert_int_equal(fwrite(out, 1, n, fp), n);
			fclose(fp);
		}
		{
			struct evread_file *f = evread_file_open(path);
			const char *line;
			unsigned int flags;
			size_t len;
			int lines = 0;

			assert_non_null(f);
			while ((end = evread_file_next(f, &line, &len, &flags)) > 0) {
				assert_int_equal(flags, 0);
				lines++;
			}
			assert_int_equal(end, 0);
			assert_int_equal(lines, 4);
			evread_file_close(f);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_evfile__by_content_not_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evfile__cut_compressed_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evfile__concatenated, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
