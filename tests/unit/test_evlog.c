// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/sinks/evlog.c: the NDJSON log file holds header, events and
 * trailer, and when the disk fills (simulated with RLIMIT_FSIZE, no root needed) keeps every
 * line that fit, each one whole, and says how many.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include <zlib.h>

#include "decode.h"
#include "evlog.h"
#include "model.h"

struct fixture {
	char dir[64];
	char path[128];
	struct model *m;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/psc-evlog.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/log.jsonl", f->dir);
	f->m = model_new();
	assert_non_null(f->m);
	f->m->meta.boottime_base_ns = 1000;
	f->m->meta.exit_status = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	model_free(f->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		return -1;
	free(f);
	return 0;
}

static void feed_forks(struct model *m, int n)
{
	union psc_event ev;
	int i;

	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.hdr.type = PSC_EV_PROC_FORK;
		ev.hdr.size = sizeof(ev.fork);
		ev.hdr.ts_ns = 2000 + (uint64_t)i;
		ev.hdr.tgid = ev.hdr.tid = 10;
		ev.hdr.start_ns = 5;
		ev.fork.parent_tgid = 10;
		ev.fork.parent_start_ns = 5;
		ev.fork.child_tgid = 100 + (uint32_t)i;
		ev.fork.child_tid = 100 + (uint32_t)i;
		ev.fork.child_start_ns = 2000 + (uint64_t)i;
		snprintf(ev.fork.comm, sizeof(ev.fork.comm), "worker");
		assert_int_equal(model_apply(m, &ev), 0);
	}
}

/* Every line parses; returns the count and whether the last one is the trailer */
static size_t count_lines(const char *path, bool *trailer)
{
	gzFile gz = gzopen(path, "rb");
	char line[4096];
	size_t n = 0;

	assert_non_null(gz);
	*trailer = false;
	while (gzgets(gz, line, sizeof(line))) {
		size_t len = strlen(line);
		json_object *o;

		assert_true(len > 0 && line[len - 1] == '\n'); /* whole lines only */
		o = json_tokener_parse(line);
		assert_non_null(o);
		*trailer = strstr(line, "\"type\":\"trailer\"") != NULL;
		json_object_put(o);
		n++;
	}
	gzclose(gz);
	return n;
}

static void test_evlog__complete_log(void **state)
{
	struct fixture *f = *state;
	struct sink *s = evlog_sink_new(f->path, f->m);
	uint64_t records = 0;
	struct stat st;
	bool trailer;

	assert_non_null(s);
	model_add_sink(f->m, s);
	feed_forks(f->m, 1000);
	assert_int_equal(model_finish(f->m, 9000), 0);
	assert_int_equal(evlog_status(s, &records), 0);
	assert_int_equal(records, 1002); /* header + 1000 + trailer */
	assert_int_equal(count_lines(f->path, &trailer), 1002);
	assert_true(trailer);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600); /* logs hold other users' names and paths */
}

static void test_evlog__gzip(void **state)
{
	struct fixture *f = *state;
	struct sink *s;
	unsigned char magic[2];
	bool trailer;
	int fd;

	strcat(f->path, ".gz");
	s = evlog_sink_new(f->path, f->m);
	assert_non_null(s);
	model_add_sink(f->m, s);
	feed_forks(f->m, 300);
	assert_int_equal(model_finish(f->m, 9000), 0);
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, magic, 2), 2);
	close(fd);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	assert_int_equal(count_lines(f->path, &trailer), 302);
	assert_true(trailer);
}

/* A full disk: the log keeps every whole line that fit, and the sink says how many */
static void test_evlog__full_disk_keeps_whole_lines(void **state)
{
	struct fixture *f = *state;
	struct rlimit small = { 64 * 1024, 64 * 1024 }, old;
	struct sink *s = evlog_sink_new(f->path, f->m);
	uint64_t records = 0;
	bool trailer;
	struct stat st;
	int err;

	assert_non_null(s);
	model_add_sink(f->m, s);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_IGN); /* writes past the limit fail with EFBIG instead */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	feed_forks(f->m, 5000); /* about 1.5 MB of lines */
	err = model_finish(f->m, 9000);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(err, -EFBIG);
	assert_int_equal(evlog_status(s, &records), -EFBIG);
	assert_int_equal(stat(f->path, &st), 0);
	/* nearly all of the room is used, not just the header */
	assert_true(st.st_size > 60 * 1024);
	assert_true(st.st_size <= 64 * 1024);
	assert_int_equal(count_lines(f->path, &trailer), records);
	assert_false(trailer);
	assert_true(records > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_evlog__complete_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evlog__gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evlog__full_disk_keeps_whole_lines, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
