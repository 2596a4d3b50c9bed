// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * report's read loop with parser threads against the same loop on one thread: over a long log
 * with every kind of damage spread through it, the model, the damage and each problem (its line
 * and its words, in order) are the same.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "evfile.h"
#include "evread.h"
#include "evjson.h"
#include "json_writer.h"
#include "model.h"
#include "proctree.h"
#include "report_feed.h"
#include "report_pipe.h"
#include "summary.h"
#include "testlib.h"

#define BASE_NS 7000000000777ull
#define CHILDREN 4000 /* 3 events each: a dozen batches */

struct text {
	char *buf;
	size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void put_str(struct text *t, const char *s)
{
	put(t, s, strlen(s));
}

static void put_line(struct text *t, struct jw *w)
{
	assert_int_equal(jw_error(w), 0);
	put(t, w->buf, w->len);
	put(t, "\n", 1);
	jw_reset(w);
}

static void put_event(struct text *t, struct jw *w, struct model *m, union psc_event *ev)
{
	assert_int_equal(model_apply(m, ev), 0);
	evjson_write_event(w, m, ev, NULL);
	put_line(t, w);
}

/* Damage of every kind, at line @i of the events (a different one every 97 lines) */
static void put_damage(struct text *t, unsigned int i)
{
	static const char *const bad[] = {
		"{\"type\":\"fork\",\"ts_ns\":1,", /* cut short */
		"not json at all",
		"   ", /* blank */
		"{\"type\":\"teleport\",\"ts_ns\":5,\"pid\":1234}", /* unknown type */
		"{\"type\":\"header\",\"format\":\"procscope-events\",\"version\":1}", /* 2nd header */
		"{\"type\":\"lost\",\"ts_ns\":9,\"cause\":\"queue\",\"count\":3,\"by_type\":{\"fork\":3}}",
		"{\"type\":\"free\",\"ts_ns\":12,\"pid\":0,\"tid\":0,\"start_ns\":0}", /* pid 0 */
		"{\"type\":\"free\",\"ts_ns\":12,\"pid\":\"77\",\"tid\":77,\"start_ns\":0}",
		"[1,2,3]",
		"{\"type\":\"free\",\"ts_ns\":1.5,\"pid\":77,\"tid\":77,\"start_ns\":0}",
	};
	const char *s = bad[(i / 97) % (sizeof(bad) / sizeof(bad[0]))];

	if ((i / 97) % 13 == 12) {
		/* a line longer than the reader takes */
		char *big = malloc(EVREAD_MAX_LINE + 10);

		assert_non_null(big);
		memset(big, 'x', EVREAD_MAX_LINE + 9);
		put(t, big, EVREAD_MAX_LINE + 9);
		free(big);
	} else {
		put(t, s, strlen(s));
	}
	put(t, "\n", 1);
}

/* A command-mode log of CHILDREN forks, exits and reaps, damaged through; a trailer, more */
static void build(struct text *t)
{
	struct model *m = model_new();
	uint64_t s100 = BASE_NS - 1000000, ts = 1000;
	union psc_event ev;
	struct jw w;
	unsigned int i;

	assert_non_null(m);
	m->meta.boottime_base_ns = BASE_NS;
	m->meta.groups = PSC_GROUP_ALL;
	m->meta.exit_status = -1;
	snprintf(m->meta.mode, sizeof(m->meta.mode), "command");
	jw_init(&w);
	evjson_write_header(&w, m);
	put_line(t, &w);
	tl_ev_hdr(&ev, PSC_EV_PROC_SEED, BASE_NS + 10, 100, 100, s100);
	strcpy(ev.seed.comm, "cmd");
	ev.seed.state = 'S';
	put_event(t, &w, m, &ev);
	for (i = 0; i < CHILDREN; i++) {
		uint32_t pid = 1000 + i;
		uint64_t start = BASE_NS + ts;

		tl_ev_hdr(&ev, PSC_EV_PROC_FORK, BASE_NS + ts++, 100, 100, s100);
		ev.fork.parent_tgid = 100;
		ev.fork.parent_start_ns = s100;
		ev.fork.child_tgid = ev.fork.child_tid = pid;
		ev.fork.child_start_ns = start;
		strcpy(ev.fork.comm, "cmd");
		put_event(t, &w, m, &ev);
		if (i % 97 == 50)
			put_damage(t, i);
		tl_ev_hdr(&ev, PSC_EV_PROC_EXIT, BASE_NS + ts++, pid, pid, start);
		ev.exit.flags = PSC_EXIT_GROUP_DEAD;
		ev.exit.exit_code = (i % 5) << 8;
		ev.exit.parent_tgid = 100;
		ev.exit.parent_start_ns = s100;
		ev.exit.reaper_tgid = 100;
		ev.exit.reaper_start_ns = s100;
		strcpy(ev.exit.comm, "cmd");
		put_event(t, &w, m, &ev);
		tl_ev_hdr(&ev, PSC_EV_PROC_REAP, BASE_NS + (i % 211 == 3 ? 5 : ts++), 100, 100,
			  s100);
		ev.reap.reaped_tgid = pid;
		ev.reap.status = (i % 5) << 8;
		put_event(t, &w, m, &ev);
	}
	m->end_ts = BASE_NS + ts;
	m->meta.exit_status = 0;
	evjson_write_trailer(&w, m);
	put_line(t, &w);
	/* records after the trailer, and a last line cut short */
	put_str(t, "{\"type\":\"free\",\"ts_ns\":12,\"pid\":7,\"tid\":7,\"start_ns\":0}\n");
	put(t, "{\"type\":\"fr\0ee\"}\n", 18); /* a NUL byte */
	put_str(t, "{\"type\":\"free\",\"ts_n");
	jw_free(&w);
	model_free(m);
}

struct run {
	struct text problems;
	struct text summary;
	struct summary_log_damage damage;
	bool damaged;
	uint64_t each, last_each, records;
	int status;
	struct model_stats stats;
	uint64_t times; /* every process's times, summed: a base off by 1 ns shows */
	size_t procs;
};

static void on_problem(void *ctx, uint64_t lineno, const char *msg)
{
	struct run *r = ctx;
	char b[600];

	snprintf(b, sizeof(b), "%llu: %s\n", (unsigned long long)lineno, msg);
	put(&r->problems, b, strlen(b));
}

static void on_each(void *ctx, uint64_t lineno)
{
	struct run *r = ctx;

	/* the lines in order, every one */
	assert_int_equal(lineno, r->last_each + 1);
	r->last_each = lineno;
	r->each++;
}

static void run_pipe(const char *path, unsigned int nthreads, struct run *r)
{
	struct evread_file *in = evread_file_open(path);
	struct model *m = model_new();
	struct report_feed *f;
	struct summary_opts so = { 0 };
	const struct summary_log_damage *d;
	uint64_t err_line, end;
	int err;
	FILE *mem;
	char *buf = NULL;
	size_t blen = 0;

	assert_non_null(in);
	assert_non_null(m);
	memset(r, 0, sizeof(*r));
	f = report_feed_new(m, NULL, on_problem, r);
	assert_non_null(f);
	r->status = report_pipe_run(f, in, nthreads, on_each, r, &err, &err_line);
	assert_int_equal(err, 0);
	end = report_feed_end(f);
	d = report_feed_damage(f);
	r->damaged = d != NULL;
	if (d)
		r->damage = *d;
	r->records = report_feed_records(f);
	assert_int_equal(model_finish(m, end), 0);
	r->stats = m->stats;
	{
		struct proc *const *all = proctree_all(m->tree, &r->procs);
		size_t i;

		for (i = 0; i < r->procs; i++)
			r->times += all[i]->start_ns + all[i]->fork_ts + all[i]->exit_ts +
				    all[i]->reap_ts;
	}
	mem = open_memstream(&buf, &blen);
	assert_non_null(mem);
	assert_int_equal(summary_print(mem, m, &so), 0);
	fclose(mem);
	put(&r->summary, buf, blen);
	free(buf);
	report_feed_free(f);
	model_free(m);
	evread_file_close(in);
}

static void test_report_pipe__threads_read_as_one(void **state)
{
	char path[] = "/tmp/test_report_pipe.XXXXXX";
	struct text t = { 0 };
	struct run one, par;
	unsigned int n;
	int fd;

	build(&t);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, t.buf, t.len), (ssize_t)t.len);
	close(fd);
	run_pipe(path, 0, &one);
	/* the log is as damaged as it was made */
	assert_true(one.damaged);
	assert_true(one.damage.bad_lines > 10);
	assert_true(one.damage.unknown_types > 0);
	assert_true(one.damage.after_trailer > 0);
	assert_true(one.stats.lost > 0);
	assert_true(one.each > 3 * CHILDREN);
	for (n = 1; n <= 4; n += 3) {
		run_pipe(path, n, &par);
		assert_int_equal(par.status, one.status);
		assert_int_equal(par.each, one.each);
		assert_int_equal(par.records, one.records);
		assert_int_equal(par.damaged, one.damaged);
		assert_memory_equal(&par.damage, &one.damage, sizeof(one.damage));
		assert_memory_equal(&par.stats, &one.stats, sizeof(one.stats));
		assert_int_equal(par.procs, one.procs);
		assert_int_equal(par.times, one.times);
		assert_string_equal(par.problems.buf, one.problems.buf);
		assert_string_equal(par.summary.buf, one.summary.buf);
		free(par.problems.buf);
		free(par.summary.buf);
	}
	free(one.problems.buf);
	free(one.summary.buf);
	unlink(path);
	free(t.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_pipe__threads_read_as_one),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
