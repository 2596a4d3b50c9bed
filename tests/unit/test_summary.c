// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the text summary (user/sinks/summary.c): a zombie table that scales. Zombies
 * never reaped come first, then those over --zombie-min, and one line sums up the quick
 * reaps; the JSON summary keeps every row.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_writer.h"
#include "model.h"
#include "summary.h"
#include "summary_json.h"
#include "testlib.h"

#define BASE_NS 5000000000123ull
#define PARENT 100u
#define PSTART (BASE_NS - 1000)
#define NQUICK 30u

static void apply(struct model *m, union psc_event *ev)
{
	assert_int_equal(model_apply(m, ev), 0);
}

/* PARENT forks @pid at @t, which exits at @t + 10 us; reaped @zombie_ns later (0: never) */
static void child(struct model *m, uint32_t pid, uint64_t t, uint64_t zombie_ns)
{
	uint64_t start = BASE_NS + t;
	union psc_event ev;

	tl_ev_hdr(&ev, PSC_EV_PROC_FORK, start, PARENT, PARENT, PSTART);
	ev.fork.parent_tgid = PARENT;
	ev.fork.parent_start_ns = PSTART;
	ev.fork.child_tgid = ev.fork.child_tid = pid;
	ev.fork.child_start_ns = start;
	strcpy(ev.fork.comm, "worker");
	apply(m, &ev);
	tl_ev_hdr(&ev, PSC_EV_PROC_EXIT, start + 10000, pid, pid, start);
	ev.exit.flags = PSC_EXIT_GROUP_DEAD;
	ev.exit.parent_tgid = PARENT;
	ev.exit.parent_start_ns = PSTART;
	strcpy(ev.exit.comm, "worker");
	apply(m, &ev);
	if (!zombie_ns)
		return;
	tl_ev_hdr(&ev, PSC_EV_PROC_REAP, start + 10000 + zombie_ns, PARENT, PARENT, PSTART);
	ev.reap.reaped_tgid = pid;
	apply(m, &ev);
}

/* One never reaped, one reaped after 5 ms, NQUICK reaped after 100 us each */
static struct model *zombies_model(void)
{
	struct model *m = model_new();
	union psc_event ev;
	uint32_t i;

	assert_non_null(m);
	m->meta.boottime_base_ns = BASE_NS;
	tl_ev_hdr(&ev, PSC_EV_PROC_SEED, BASE_NS, PARENT, PARENT, PSTART);
	strcpy(ev.seed.comm, "make");
	ev.seed.state = 'S';
	apply(m, &ev);
	for (i = 0; i < NQUICK; i++)
		child(m, 200 + i, 1000000ull * i, 100000);
	child(m, 300, 40000000, 5000000);
	child(m, 301, 50000000, 0);
	assert_int_equal(model_finish(m, BASE_NS + 100000000), 0);
	return m;
}

static char *summary_text(struct model *m, const struct summary_opts *so)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(summary_print(f, m, so), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;

	for (; (text = strstr(text, needle)); text++)
		n++;
	return n;
}

static void test_summary__zombie_table_shows_what_matters(void **state)
{
	struct model *m = zombies_model();
	char *text = summary_text(m, NULL), *still, *slow;

	still = strstr(text, "    301 worker");
	slow = strstr(text, "    300 worker");
	if (!still || !slow || still > slow)
		fail_msg("never reaped, then the 5 ms one, expected first:\n%s", text);
	/* the quick ones: no row, one line with their number, total and longest */
	assert_int_equal(count(text, "still a zombie at end"), 1);
	assert_null(strstr(text, "    200 worker"));
	if (!strstr(text, "  ... 30 more reaped in under 1.00ms: 3.00ms in all, the longest "
			  "100.0us\n"))
		fail_msg("no summing line for the quick reaps:\n%s", text);
	free(text);
	model_free(m);
}

/* --zombie-min 0: every row (up to the row limit), the rest counted */
static void test_summary__zombie_min_zero_shows_all(void **state)
{
	struct summary_opts so = { .zombie_min_set = true, .zombie_min_ns = 0, .max_rows = 10 };
	struct model *m = zombies_model();
	char *text = summary_text(m, &so);

	assert_non_null(strstr(text, "    200 worker"));
	assert_null(strstr(text, "reaped in under"));
	if (!strstr(text, "  ... 22 more of at least 0ns or never reaped\n"))
		fail_msg("the rows past the limit are not counted:\n%s", text);
	free(text);
	model_free(m);
}

/* The JSON summary keeps every zombie, whatever the text shows */
static void test_summary__json_keeps_every_zombie(void **state)
{
	struct model *m = zombies_model();
	json_object *doc, *z;
	struct jw w;
	char *text;

	jw_init(&w);
	summary_json_write(&w, m, NULL, NULL);
	assert_int_equal(jw_error(&w), 0);
	text = strndup(w.buf, w.len);
	assert_non_null(text);
	doc = json_tokener_parse(text);
	assert_non_null(doc);
	assert_true(json_object_object_get_ex(doc, "zombies", &z));
	assert_int_equal(json_object_array_length(z), NQUICK + 2);
	json_object_put(doc);
	free(text);
	jw_free(&w);
	model_free(m);
}

/* report --since 0.02 --until 0.03: the header names the window, not the end as "traced" */
static void test_summary__window_in_header(void **state)
{
	struct summary_opts so = { .since_ns = BASE_NS + 20000000, .until_ns = BASE_NS + 30000000 };
	struct model *m = zombies_model();
	char *text = summary_text(m, &so);

	if (!strstr(text, "=== procscope summary: 0.020s to 0.030s of the trace (10.00ms) ===\n"))
		fail_msg("no window in the header:\n%.200s", text);
	free(text);
	model_free(m);
}

#define CHAIN 6000u /* deeper than the 4096 levels the ancestor walk once stopped at */

/*
 * report -p / --comm: a process CHAIN forks below the one asked about is its descendant, and
 * the text tree shows it (each process forks the next, as a fork chain does)
 */
static void test_summary__filter_selects_deep_descendants(void **state)
{
	struct summary_opts by_pid = { .pid = PARENT }, by_comm = { .comm = "make" };
	struct model *m = model_new();
	const struct proc *deepest;
	union psc_event ev;
	uint64_t pstart = PSTART, t = BASE_NS;
	uint32_t i, ppid = PARENT;

	assert_non_null(m);
	m->meta.boottime_base_ns = BASE_NS;
	tl_ev_hdr(&ev, PSC_EV_PROC_SEED, BASE_NS, PARENT, PARENT, PSTART);
	strcpy(ev.seed.comm, "make");
	ev.seed.state = 'S';
	apply(m, &ev);
	for (i = 1; i <= CHAIN; i++) {
		t += 1000;
		tl_ev_hdr(&ev, PSC_EV_PROC_FORK, t, ppid, ppid, pstart);
		ev.fork.parent_tgid = ppid;
		ev.fork.parent_start_ns = pstart;
		ev.fork.child_tgid = ev.fork.child_tid = PARENT + i;
		ev.fork.child_start_ns = t;
		strcpy(ev.fork.comm, "sh");
		apply(m, &ev);
		ppid = PARENT + i;
		pstart = t;
	}
	deepest = proctree_find(m->tree, ppid, pstart);
	assert_non_null(deepest);
	assert_true(summary_selects(&by_pid, deepest));
	assert_true(summary_selects(&by_comm, deepest));
	by_pid.pid = PARENT + 1;
	assert_true(summary_selects(&by_pid, deepest));
	by_pid.pid = PARENT + CHAIN + 1; /* no such process */
	assert_false(summary_selects(&by_pid, deepest));
	model_free(m);
}

/* A damaged log could make fork_parent loop: the walk sees every process of it once, and ends */
static void test_summary__filter_walk_survives_a_loop(void **state)
{
	struct summary_opts so = { .pid = 7 };
	struct proc p[5];
	int i;

	memset(p, 0, sizeof(p));
	for (i = 0; i < 5; i++) {
		p[i].pid = 10 + (uint32_t)i;
		strcpy(p[i].comm, "x");
		p[i].fork_parent = &p[i + 1 < 5 ? i + 1 : 2]; /* 0 -> 1 -> 2 -> 3 -> 4 -> 2 */
	}
	assert_false(summary_selects_owner(&so, &p[0]));
	so.pid = 14; /* the last one before the loop closes */
	assert_true(summary_selects_owner(&so, &p[0]));
	p[0].fork_parent = &p[0];
	so.pid = 13;
	assert_false(summary_selects_owner(&so, &p[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary__zombie_table_shows_what_matters),
		cmocka_unit_test(test_summary__zombie_min_zero_shows_all),
		cmocka_unit_test(test_summary__json_keeps_every_zombie),
		cmocka_unit_test(test_summary__window_in_header),
		cmocka_unit_test(test_summary__filter_selects_deep_descendants),
		cmocka_unit_test(test_summary__filter_walk_survives_a_loop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
