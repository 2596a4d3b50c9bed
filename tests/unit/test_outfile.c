// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/lib/outfile.c: what each codec writes reads back with zlib and libzstd,
 * the temp file is renamed into place only on commit and removed otherwise, and a symlink, a
 * FIFO or a directory at the name is refused without blocking and without touching it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "outfile.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/psc-outfile.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/out", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

/* Names in the directory, to see that no temp file is left */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	*n = (size_t)len;
	return buf;
}

/* Some lines of text, written in uneven pieces with flushes between */
static void write_text(struct outfile *o, char *expect, size_t *n)
{
	int i;

	*n = 0;
	for (i = 0; i < 3000; i++) {
		char line[64];
		int len = snprintf(line, sizeof(line), "{\"line\":%d,\"pad\":\"%*s\"}\n", i, i % 17,
				   "");

		assert_int_equal(outfile_write(o, line, (size_t)len), 0);
		memcpy(expect + *n, line, (size_t)len);
		*n += (size_t)len;
		if (i % 500 == 0)
			assert_int_equal(outfile_flush(o), 0);
	}
}

static void test_outfile__plain_renamed_on_commit(void **state)
{
	struct fixture *f = *state;
	struct outfile *o = outfile_open(f->path, OUTFILE_PLAIN, 0);
	static char expect[1 << 20];
	size_t n, got;
	struct stat st;
	char *buf;

	assert_non_null(o);
	write_text(o, expect, &n);
	/* staged: nothing under the name before commit, the temp beside it */
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(count_entries(f->dir), 1);
	assert_int_equal(outfile_commit(o), 0);
	assert_int_equal(outfile_written(o), n);
	outfile_close(o);
	assert_int_equal(count_entries(f->dir), 1);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	buf = slurp(f->path, &got);
	assert_int_equal(got, n);
	assert_memory_equal(buf, expect, n);
	free(buf);
}

static void test_outfile__gzip_reads_back(void **state)
{
	struct fixture *f = *state;
	static char expect[1 << 20], back[1 << 20];
	struct outfile *o;
	unsigned char magic[2];
	size_t n;
	gzFile gz;
	int fd;

	strcat(f->path, ".gz");
	assert_int_equal(outfile_codec_by_name(f->path), OUTFILE_GZIP);
	o = outfile_open(f->path, OUTFILE_GZIP, 0);
	assert_non_null(o);
	write_text(o, expect, &n);
	assert_int_equal(outfile_commit(o), 0);
	outfile_close(o);
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, magic, 2), 2);
	close(fd);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	gz = gzopen(f->path, "rb");
	assert_non_null(gz);
	assert_int_equal(gzread(gz, back, sizeof(back)), (int)n);
	gzclose(gz);
	assert_memory_equal(back, expect, n);
}

static void test_outfile__zstd_reads_back(void **state)
{
	struct fixture *f = *state;
	static char expect[1 << 20], back[1 << 20];
	struct outfile *o;
	size_t n, got, r;
	char *buf;

	strcat(f->path, ".zst");
	assert_int_equal(outfile_codec_by_name(f->path), OUTFILE_ZSTD);
	o = outfile_open(f->path, OUTFILE_ZSTD, 0);
	assert_non_null(o);
	write_text(o, expect, &n);
	assert_int_equal(outfile_commit(o), 0);
	outfile_close(o);
	buf = slurp(f->path, &got);
	assert_true(got < n / 3); /* it did compress */
	r = ZSTD_decompress(back, sizeof(back), buf, got);
	free(buf);
	assert_false(ZSTD_isError(r));
	assert_int_equal(r, n);
	assert_memory_equal(back, expect, n);
}

/* A stream is under its name from the first flush: what was flushed reads back before the end */
static void test_outfile__stream_published_at_flush(void **state)
{
	struct fixture *f = *state;
	struct outfile *o;
	char out[64];
	size_t got, r;
	char *buf;

	strcat(f->path, ".zst");
	o = outfile_open(f->path, OUTFILE_ZSTD, OUTFILE_STREAM);
	assert_non_null(o);
	assert_int_equal(outfile_write(o, "hello\n", 6), 0);
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(outfile_flush(o), 0);
	buf = slurp(f->path, &got);
	/* a frame not yet ended: the streaming decoder gives what was flushed */
	{
		ZSTD_DStream *ds = ZSTD_createDStream();
		ZSTD_inBuffer in = { buf, got, 0 };
		ZSTD_outBuffer ob = { out, sizeof(out), 0 };

		r = ZSTD_decompressStream(ds, &ob, &in);
		assert_false(ZSTD_isError(r));
		assert_int_equal(ob.pos, 6);
		assert_memory_equal(out, "hello\n", 6);
		ZSTD_freeDStream(ds);
	}
	free(buf);
	/* never committed: a published stream keeps what it had */
	outfile_close(o);
	assert_int_equal(access(f->path, F_OK), 0);
	assert_int_equal(count_entries(f->dir), 1);
}

static void test_outfile__not_committed_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct outfile *o;
	int fd;

	/* an older file under the name stays as it was */
	fd = open(f->path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old\n", 4), 4);
	close(fd);
	o = outfile_open(f->path, OUTFILE_GZIP, 0);
	assert_non_null(o);
	assert_int_equal(outfile_write(o, "new\n", 4), 0);
	assert_int_equal(count_entries(f->dir), 2);
	outfile_close(o);
	assert_int_equal(count_entries(f->dir), 1);
	{
		size_t n;
		char *buf = slurp(f->path, &n);

		assert_int_equal(n, 4);
		assert_memory_equal(buf, "old\n", 4);
		free(buf);
	}
}

static void test_outfile__refuses_symlink(void **state)
{
	struct fixture *f = *state;
	char target[160];

	snprintf(target, sizeof(target), "%s/victim", f->dir);
	assert_int_equal(symlink(target, f->path), 0);
	assert_null(outfile_open(f->path, OUTFILE_PLAIN, 0));
	assert_int_equal(errno, ELOOP);
	assert_string_equal(outfile_strerror(-ELOOP), "refusing to write through a symlink");
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(count_entries(f->dir), 1);
}

/* A FIFO: refused at once (no open() waiting for a reader), and left where it was */
static void test_outfile__refuses_fifo_without_blocking(void **state)
{
	struct fixture *f = *state;
	struct stat st;

	assert_int_equal(mkfifo(f->path, 0666), 0);
	alarm(10); /* a hang fails the test rather than the run */
	assert_null(outfile_open(f->path, OUTFILE_PLAIN, 0));
	alarm(0);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(count_entries(f->dir), 1);
}

static void test_outfile__refuses_directory(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_null(outfile_open(f->path, OUTFILE_PLAIN, 0));
	assert_int_equal(errno, EISDIR);
}

static void test_outfile__dev_null(void **state)
{
	struct outfile *o = outfile_open("/dev/null", OUTFILE_ZSTD, OUTFILE_STREAM);
	struct stat st;

	(void)state;
	assert_non_null(o);
	assert_int_equal(outfile_write(o, "x\n", 2), 0);
	assert_int_equal(outfile_flush(o), 0);
	assert_int_equal(outfile_commit(o), 0);
	outfile_close(o);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
}

/* A full disk (RLIMIT_FSIZE, no root needed): whole lines kept, the error sticks */
static void test_outfile__full_plain_keeps_whole_lines(void **state)
{
	struct fixture *f = *state;
	struct rlimit small, old;
	static char expect[1 << 20];
	struct outfile *o = outfile_open(f->path, OUTFILE_PLAIN, OUTFILE_LINES);
	size_t i;
	int err;

	assert_non_null(o);
	for (i = 0; i < 20000; i++)
		expect[i] = (i % 100 == 99) ? '\n' : 'a';
	/* the soft limit only: raising the hard one back may need CAP_SYS_RESOURCE */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = (struct rlimit){ 8 * 1024, old.rlim_max };
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	err = outfile_write(o, expect, 20000);
	assert_int_equal(outfile_write(o, "b\n", 2), -EFBIG); /* sticky */
	assert_int_equal(outfile_commit(o), -EFBIG);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(err, -EFBIG);
	/* not committed: the temp holds whole lines, but is removed with the error */
	assert_int_equal(outfile_written(o), 8100);
	outfile_close(o);
	assert_int_equal(count_entries(f->dir), 0);
}

/*
 * A full disk under a compressed stream: the file is cut back to its last flush, so it decodes
 * without error to exactly the bytes outfile_written() counts (a frame without its end)
 */
static void test_outfile__full_zstd_cut_at_flush(void **state)
{
	struct fixture *f = *state;
	struct rlimit small, old;
	static char expect[4 << 20], back[4 << 20];
	struct outfile *o;
	uint64_t good;
	size_t n = 0, got;
	char *buf;
	int i, err = 0;

	strcat(f->path, ".zst");
	o = outfile_open(f->path, OUTFILE_ZSTD, OUTFILE_STREAM);
	assert_non_null(o);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = (struct rlimit){ 16 * 1024, old.rlim_max };
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	/* varied lines that compress poorly enough to fill 16 KiB */
	for (i = 0; i < 100000 && !err; i++) {
		char line[64];
		int len = snprintf(line, sizeof(line), "%d %x %u\n", i, (unsigned)(i * 2654435761u),
				   (unsigned)(i * 40503u) ^ 0x5bd1e995u);

		memcpy(expect + n, line, (size_t)len);
		n += (size_t)len;
		err = outfile_write(o, line, (size_t)len);
		if (!err && i % 100 == 99)
			err = outfile_flush(o);
	}
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(err, -EFBIG);
	good = outfile_written(o);
	assert_true(good > 0);
	outfile_close(o); /* published at the first flush: it stays */
	buf = slurp(f->path, &got);
	assert_true(got <= 16 * 1024);
	{
		ZSTD_DStream *ds = ZSTD_createDStream();
		ZSTD_inBuffer in = { buf, 0, 0 };
		ZSTD_outBuffer ob = { back, sizeof(back), 0 };
		size_t last_out_at = 0;

		/* byte by byte: the file must end where a flushed block ends, no partial block */
		while (in.size < got) {
			size_t before = ob.pos;

			in.size++;
			assert_false(ZSTD_isError(ZSTD_decompressStream(ds, &ob, &in)));
			if (ob.pos > before)
				last_out_at = in.size;
		}
		ZSTD_freeDStream(ds);
		assert_int_equal(last_out_at, got);
		assert_int_equal(ob.pos, good);
		assert_memory_equal(back, expect, good);
	}
	free(buf);
}

/* A name too long for the temp suffix still gets a temp file of its own beside it */
static void test_outfile__long_name(void **state)
{
	struct fixture *f = *state;
	char path[512];
	struct outfile *o;

	snprintf(path, sizeof(path), "%s/%0250d", f->dir, 7);
	o = outfile_open(path, OUTFILE_PLAIN, 0);
	assert_non_null(o);
	assert_int_equal(outfile_write(o, "x\n", 2), 0);
	assert_int_equal(outfile_commit(o), 0);
	outfile_close(o);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(count_entries(f->dir), 1);
}

static void test_outfile__same_file_ids(void **state)
{
	struct fixture *f = *state;
	struct outfile_id a, b;
	char hard[160], other[160], rel[200];
	int fd;

	/* a new name: its directory and name, however it is spelled */
	snprintf(rel, sizeof(rel), "%s/./out", f->dir);
	assert_true(outfile_id_get(f->path, &a));
	assert_true(outfile_id_get(rel, &b));
	assert_true(outfile_id_equal(&a, &b));
	/* an existing file: through a hard link too */
	fd = open(f->path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(hard, sizeof(hard), "%s/hard", f->dir);
	assert_int_equal(link(f->path, hard), 0);
	assert_true(outfile_id_get(f->path, &a));
	assert_true(outfile_id_get(hard, &b));
	assert_true(outfile_id_equal(&a, &b));
	snprintf(other, sizeof(other), "%s/other", f->dir);
	assert_true(outfile_id_get(other, &b));
	assert_false(outfile_id_equal(&a, &b));
	assert_false(outfile_id_get("-", &b));
	assert_false(outfile_id_get("/dev/null", &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outfile__plain_renamed_on_commit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outfile__gzip_reads_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile__zstd_reads_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile__stream_published_at_flush, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outfile__not_committed_leaves_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outfile__refuses_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile__refuses_fifo_without_blocking, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outfile__refuses_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile__dev_null, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile__full_plain_keeps_whole_lines, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outfile__full_zstd_cut_at_flush, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outfile__long_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outfile__same_file_ids, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
