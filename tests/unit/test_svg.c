// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/sinks/svg.c: the same synthetic story as test_perfetto.c (fork tree, exec,
 * zombies, an orphan, waits woken by a unix send, loss, hostile names) and crowds of processes,
 * drawn to SVG and read back with a strict XML checker (well-formed, only XML characters, no
 * control bytes, self-contained: tests/lib/xml_check.c). The checker is itself tested on broken
 * documents; tests/integration/test_timeline.c uses it on real traces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "epoll_tl.h"
#include "model.h"
#include "strutil.h"
#include "svg.h"
#include "testlib.h"
#include "tl_story.h"
#include "xml_check.h"

/* ---- fixtures ---- */

struct fx {
	char dir[64];
	char path[128];
	struct model *m;
	struct xdoc doc;
	char *raw;
	size_t len;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/psc-svg.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/timeline.svg", f->dir);
	f->m = model_new();
	assert_non_null(f->m);
	f->m->meta.boottime_base_ns = BASE;
	f->m->meta.realtime_base_ns = 1764000000ull * 1000000000ull;
	snprintf(f->m->meta.command, sizeof(f->m->meta.command), "shell -c '<b>&amp;\x1b[1m'");
	snprintf(f->m->meta.hostname, sizeof(f->m->meta.hostname), "host\x01<1>");
	assert_non_null(&epoll_group_ops);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	model_free(f->m);
	xdoc_free(&f->doc);
	free(f->raw);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		fprintf(stderr, "failed to remove %s\n", f->dir);
	free(f);
	return 0;
}

/* Finish the trace at @end, then read the picture back: well-formed and self-contained */
static void draw(struct fx *f, uint64_t end)
{
	char why[256];
	const struct xel *root;
	size_t i;

	assert_int_equal(model_finish(f->m, end), 0);
	f->raw = tl_slurp(f->path, &f->len);
	if (xml_check(f->raw, f->len, &f->doc, why, sizeof(why)))
		fail_msg("%s: not well-formed: %s", f->path, why);
	root = &f->doc.els[0];
	assert_string_equal(root->name, "svg");
	assert_string_equal(xd_attr(root, "xmlns"), "http://www.w3.org/2000/svg");
	assert_non_null(xd_attr(root, "width"));
	assert_non_null(xd_attr(root, "height"));
	/* self-contained: no scripts, no links out, no external images or fonts */
	assert_null(strstr(f->raw, "@import"));
	assert_null(strstr(f->raw, "@font-face"));
	for (i = 0; i < f->doc.n; i++) {
		const struct xel *e = &f->doc.els[i];
		size_t k;

		assert_string_not_equal(e->name, "script");
		assert_string_not_equal(e->name, "image");
		assert_string_not_equal(e->name, "foreignObject");
		assert_string_not_equal(e->name, "a");
		for (k = 0; k < e->nattrs; k++) {
			/* no links out, no event handlers (onload=...) */
			assert_null(strstr(e->attr_name[k], "href"));
			assert_false(!strncmp(e->attr_name[k], "on", 2));
			assert_false(strstr(e->attr_val[k], "http") &&
				     strcmp(e->attr_name[k], "xmlns"));
		}
	}
	{
		const char *u;

		for (u = strstr(f->raw, "url("); u; u = strstr(u + 4, "url("))
			assert_int_equal(u[4], '#'); /* only references inside the document */
	}
}

static struct sink *add_svg(struct fx *f)
{
	struct sink *s = svg_sink_new(f->path);

	assert_non_null(s);
	model_add_sink(f->m, s);
	return s;
}

/* ---- the checker catches what it should ---- */

static void expect_bad(const char *xml, const char *needle)
{
	struct xdoc d;
	char why[256];

	assert_int_equal(xml_check(xml, strlen(xml), &d, why, sizeof(why)), -1);
	if (!strstr(why, needle))
		fail_msg("rejected for '%s', expected '%s'", why, needle);
}

static void test_svg__checker_rejects_broken_xml(void **state)
{
	const char ok[] = "<?xml version=\"1.0\"?>\n<svg a=\"1\" b='x &amp; &#x41;'><g><t>a &lt; "
			  "b</t></g><!-- c --><r/></svg>\n";
	struct xdoc d;
	char why[256];

	assert_int_equal(xml_check(ok, strlen(ok), &d, why, sizeof(why)), 0);
	assert_int_equal(d.n, 4);
	assert_string_equal(xd_attr(&d.els[0], "b"), "x & ?");
	assert_string_equal(d.els[2].text, "a < b");
	xdoc_free(&d);
	expect_bad("<svg><g></svg>", "does not match");
	expect_bad("<svg><g>", "never closed");
	expect_bad("<svg></svg><svg></svg>", "second root");
	expect_bad("<svg>a & b</svg>", "bare '&'");
	expect_bad("<svg>&nbsp;</svg>", "bad entity");
	expect_bad("<svg a=\"<\"></svg>", "'<' in attribute");
	expect_bad("<svg a=\"1\" a=\"2\"></svg>", "duplicate attribute");
	expect_bad("<svg a=1></svg>", "unquoted");
	expect_bad("<svg>\x1b[2J</svg>", "not an allowed XML character");
	expect_bad("<svg>\xff</svg>", "not an allowed XML character");
	expect_bad("<svg>\xc2\x85</svg>", "not an allowed XML character"); /* C1 NEL */
	expect_bad("<svg>\xef\xbf\xbe</svg>", "not an allowed XML character"); /* U+FFFE */
	expect_bad("<svg>&#1;</svg>", "character reference");
	expect_bad("<!DOCTYPE svg><svg></svg>", "DOCTYPE");
	expect_bad("<svg>]]></svg>", "']]>'");
	expect_bad("text<svg></svg>", "outside the root");
}

/* ---- the picture ---- */

static void test_svg__story_rows_and_marks(void **state)
{
	struct fx *f = *state;
	static const uint32_t pids[] = { 1, 100, 150, 200, 201, 202, 203, 204, 205 };
	size_t i, count;
	int r;

	add_svg(f);
	tl_story(f->m);
	draw(f, END);
	/* one row per process, nothing folded (few processes) */
	assert_int_equal(xd_count_all(&f->doc, "g", "proc"), 9);
	assert_int_equal(xd_count_all(&f->doc, "g", "more"), 0);
	for (i = 0; i < sizeof(pids) / sizeof(pids[0]); i++) {
		r = xd_row_of(&f->doc, pids[i], &count);
		assert_true(r >= 0);
		assert_int_equal(count, 1);
		assert_int_equal(xd_count_in(&f->doc, r, "text", "lbl"), 1);
		assert_int_equal(xd_count_in(&f->doc, r, "title", NULL), 1);
	}
	/* zombie intervals: held 300 ms (201), short ones (202, 204), from before the trace (150) */
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 201, NULL), "rect", "zom"), 1);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 202, NULL), "rect", "zom"), 1);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 204, NULL), "rect", "zom"), 1);
	r = xd_row_of(&f->doc, 150, NULL);
	assert_int_equal(xd_count_in(&f->doc, r, "rect", "zom"), 1);
	assert_int_equal(xd_count_in(&f->doc, r, "rect", "run"), 0);
	/* auto-reaped and living processes have none */
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 205, NULL), "rect", "zom"), 0);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 200, NULL), "rect", "zom"), 0);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 200, NULL), "rect", "run"), 1);
	/*
	 * The axis runs to the last event (the reap at 320 ms) + 2%, not to the end of the trace
	 * (500 ms): still-open bars reach the edge. The held zombie is 300 ms of it.
	 */
	assert_string_equal(xd_attr(&f->doc.els[0], "data-time-end-ns"), "326400000");
	{
		const struct xel *z =
			xd_child(&f->doc, xd_row_of(&f->doc, 201, NULL), "rect", "zom");
		double w = strtod(xd_attr(z, "width"), NULL), chart = SVG_WIDTH - 300 - 150 - 20;

		assert_true(w > chart * 300 / 326.4 - 0.2 && w < chart * 300 / 326.4 + 0.2);
		z = xd_child(&f->doc, xd_row_of(&f->doc, 200, NULL), "rect", "run");
		assert_true(strtod(xd_attr(z, "x"), NULL) + strtod(xd_attr(z, "width"), NULL) >
			    SVG_WIDTH - 150 - 10 - 0.2);
	}
	/* marks: killed by a signal, orphan adoption, exec, waits, the send -> wake arrow */
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 204, NULL), "path", "sig"), 1);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 201, NULL), "path", "sig"), 0);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 201, NULL), "rect", "ext"), 1);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 203, NULL), "path", "orp"), 1);
	assert_int_equal(xd_count_in(&f->doc, xd_group(&f->doc, "links"), "line", "adp"), 1);
	assert_int_equal(xd_count_in(&f->doc, xd_row_of(&f->doc, 200, NULL), "rect", "exe"), 1);
	assert_true(xd_count_in(&f->doc, xd_row_of(&f->doc, 200, NULL), "rect", "wt") >= 3);
	assert_int_equal(xd_count_in(&f->doc, xd_group(&f->doc, "links"), "line", "lnk"), 1);
	assert_int_equal(xd_count_in(&f->doc, xd_group(&f->doc, "links"), "line", "frk"), 6);
	assert_int_equal(xd_count_all(&f->doc, "path", "loss"), 1);
	/* how each ended, on the right */
	assert_string_equal(xd_child(&f->doc, xd_row_of(&f->doc, 201, NULL), "text", "st")->text,
			    "exit 3");
	assert_string_equal(xd_child(&f->doc, xd_row_of(&f->doc, 204, NULL), "text", "st")->text,
			    "killed by SIGKILL");
	assert_string_equal(xd_child(&f->doc, xd_row_of(&f->doc, 203, NULL), "text", "st")->text,
			    "running");
	/* the time axis: 0 to 300 ms in 50 ms steps, on top and at the bottom */
	assert_int_equal(xd_count_all(&f->doc, "text", "tick"), 14);
	assert_true(xd_any_text(&f->doc, "50ms"));
	assert_true(xd_any_text(&f->doc, "300ms"));
	assert_false(xd_any_text(&f->doc, "350ms"));
	assert_true(xd_any_text(&f->doc, "500.00ms traced"));
	/* the legend names every mark */
	assert_true(xd_any_text(&f->doc, "zombie: exited, not yet reaped"));
	assert_true(xd_any_text(&f->doc, "killed by a signal"));
	assert_true(xd_any_text(&f->doc, "3 events were lost"));
}

/* Rows follow the tree: depth-first, children indented under their parent */
static void test_svg__tree_order_and_indent(void **state)
{
	struct fx *f = *state;
	static const uint32_t order[] = { 1, 100, 200, 201, 202, 203, 204, 205, 150 };
	double last_y = -1;
	size_t i;

	add_svg(f);
	tl_story(f->m);
	draw(f, END);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const struct xel *l =
			xd_child(&f->doc, xd_row_of(&f->doc, order[i], NULL), "text", "lbl");
		double y = strtod(xd_attr(l, "y"), NULL);

		assert_true(y > last_y);
		last_y = y;
	}
#define LX(pid) \
	strtod(xd_attr(xd_child(&f->doc, xd_row_of(&f->doc, pid, NULL), "text", "lbl"), "x"), NULL)
	assert_true(LX(100) > LX(1));
	assert_true(LX(200) > LX(100));
	assert_true(LX(203) > LX(202));
	assert_true(LX(201) == LX(202));
	assert_true(LX(150) == LX(100));
#undef LX
}

static void test_svg__hostile_strings_are_escaped(void **state)
{
	struct fx *f = *state;
	const struct xel *l;
	size_t i;

	add_svg(f);
	tl_story(f->m);
	draw(f, END);
	/* no raw control bytes anywhere: the checker refused them already; check the bytes too */
	for (i = 0; i < f->len; i++)
		assert_false((unsigned char)f->raw[i] < 0x20 && f->raw[i] != '\n');
	assert_null(strstr(f->raw, "<b>"));
	assert_null(strstr(f->raw, "<script>"));
	/* the name reads back as visible escapes: \xHH for control and invalid bytes */
	l = xd_child(&f->doc, xd_row_of(&f->doc, 204, NULL), "text", "lbl");
	assert_string_equal(l->text, "q\"b\\\\n\\x0a\\x1b[2J\\x09\\x01\\xff (204)");
	assert_non_null(strstr(f->raw, "q&quot;b\\\\n\\x0a"));
	/* the exec'd path in the tooltip, the command and host in the header */
	assert_non_null(
		strstr(xd_child(&f->doc, xd_row_of(&f->doc, 204, NULL), "title", NULL)->text,
		       "/tmp/<script>&\"x\\x1b[31m"));
	assert_true(xd_any_text(&f->doc, "procscope timeline: shell -c '<b>&amp;\\x1b[1m'"));
	assert_true(xd_any_text(&f->doc, "host\\x01<1>"));
}

/*
 * A few hundred processes: the idle ones (existing before the trace, nothing happening) fold
 * into "+N more" rows under their parent; the active ones and their ancestors stay; rows
 * shrink but not below the minimum.
 */
static void test_svg__crowd_folds_idle_processes(void **state)
{
	struct fx *f = *state;
	uint32_t pid;
	size_t rows, i;
	uint64_t hidden = 0;
	int r;

	add_svg(f);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	for (pid = 2; pid < 302; pid++)
		ev_seed(f->m, T(0), pid, ST(pid), 1, ST(1), 'S', "idle");
	/* an idle daemon (10) whose child forks during the trace: 10 stays as an ancestor */
	ev_seed(f->m, T(0), 400, ST(400), 10, ST(10), 'S', "daemon");
	ev_fork(f->m, T(5), 400, ST(400), 400, 401, "daemon");
	for (pid = 500; pid < 560; pid++) {
		ev_fork(f->m, T(6) + pid * US, 1, ST(1), 1, pid, "job");
		ev_exit(f->m, T(20) + pid * US, pid, T(6) + pid * US - 2 * US, 0, 0, 1, ST(1), 0,
			0);
		ev_reap(f->m, T(30) + pid * US, 1, ST(1), pid, 0);
	}
	draw(f, T(100));
	rows = xd_count_all(&f->doc, "g", "proc");
	/* init, 10, 400, 401 and the 60 jobs */
	assert_int_equal(rows, 64);
	assert_true(xd_row_of(&f->doc, 10, NULL) >= 0);
	assert_true(xd_row_of(&f->doc, 401, NULL) >= 0);
	assert_true(xd_row_of(&f->doc, 2, NULL) < 0);
	for (i = 0; i < f->doc.n; i++)
		if (xd_is(&f->doc.els[i], "g", "more"))
			hidden += strtoull(xd_attr(&f->doc.els[i], "data-hidden"), NULL, 10);
	assert_int_equal(hidden, 299);
	assert_int_equal(xd_count_all(&f->doc, "g", "more"), 1);
	assert_true(xd_any_text(&f->doc, "+299 more without activity"));
	assert_true(xd_any_text(&f->doc, "299 of 363 processes are folded"));
	/* the fold sits under init, after its shown children */
	r = xd_row_of(&f->doc, 559, NULL);
	{
		const struct xel *more = NULL, *l;

		for (i = 0; i < f->doc.n; i++)
			if (xd_is(&f->doc.els[i], "g", "more"))
				more = &f->doc.els[i];
		assert_non_null(more);
		l = more ? xd_child(&f->doc, (int)(more - f->doc.els), "text", "more") : NULL;
		assert_true(strtod(xd_attr(l, "y"), NULL) >
			    strtod(xd_attr(xd_child(&f->doc, r, "text", "lbl"), "y"), NULL));
		assert_true(strtod(xd_attr(l, "x"), NULL) > 8);
	}
	/* 65 rows fit at the full row height */
	{
		double y0 = strtod(
			xd_attr(xd_child(&f->doc, xd_row_of(&f->doc, 500, NULL), "text", "lbl"),
				"y"),
			NULL);
		double y1 = strtod(
			xd_attr(xd_child(&f->doc, xd_row_of(&f->doc, 501, NULL), "text", "lbl"),
				"y"),
			NULL);

		assert_true(y1 - y0 > SVG_ROW_MAX - 0.01 && y1 - y0 < SVG_ROW_MAX + 0.01);
	}
}

/* More active processes than the row limit: the tail is one "+N more" row */
static void test_svg__row_limit(void **state)
{
	struct fx *f = *state;
	uint32_t pid, n = SVG_ROWS_LIMIT + 150;
	const struct xel *more = NULL;
	size_t i;

	add_svg(f);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	for (pid = 1000; pid < 1000 + n; pid++)
		ev_fork(f->m, T(1) + pid * US, 1, ST(1), 1, pid, "w");
	draw(f, T(200));
	assert_int_equal(xd_count_all(&f->doc, "g", "proc"), SVG_ROWS_LIMIT - 1);
	for (i = 0; i < f->doc.n; i++)
		if (xd_is(&f->doc.els[i], "g", "more"))
			more = &f->doc.els[i];
	assert_non_null(more);
	/* 1 + n processes, SVG_ROWS_LIMIT - 1 drawn */
	assert_int_equal(strtoull(xd_attr(more, "data-hidden"), NULL, 10),
			 1 + n - (SVG_ROWS_LIMIT - 1));
	/* rows at the minimum height: the label font is small but there */
	{
		const struct xel *a =
			xd_child(&f->doc, xd_row_of(&f->doc, 1000, NULL), "text", "lbl");
		const struct xel *b =
			xd_child(&f->doc, xd_row_of(&f->doc, 1001, NULL), "text", "lbl");
		double dy = strtod(xd_attr(b, "y"), NULL) - strtod(xd_attr(a, "y"), NULL);

		assert_true(dy >= SVG_ROW_MIN - 0.01 && dy <= SVG_ROW_MIN + 0.01);
		assert_true(atoi(xd_attr(a, "font-size")) >= 6);
	}
}

/* Waits beyond the cap are counted, not drawn; nearby ones merge into one rect */
static void test_svg__wait_cap(void **state)
{
	struct fx *f = *state;
	uint64_t t = T(1);
	int r, i;

	add_svg(f);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	ev_fork(f->m, T(0.5), 1, ST(1), 1, 300, "busy");
	for (i = 0; i < SVG_WAITS_MAX + 44; i++, t += 200 * US)
		ev_epoll_wait(f->m, t + 190 * US, 300, T(0.5) - 2 * US, 300, t, 3, -1);
	draw(f, T(100));
	r = xd_row_of(&f->doc, 300, NULL);
	assert_string_equal(xd_child(&f->doc, r, "text", "st")->text, "running +44 waits");
	/* the kept 256 waits: 190 us every 200 us, gaps of 0.15 px on a 61 ms axis: they merge */
	assert_true(xd_count_in(&f->doc, r, "rect", "wt") >= 1);
	assert_true(xd_count_in(&f->doc, r, "rect", "wt") < 20);
	assert_true(xd_any_text(&f->doc, "1 processes had more"));
}

/* Tick labels in the unit the range calls for */
static void test_svg__time_axis_units(void **state)
{
	struct fx *f = *state;

	add_svg(f);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	draw(f, T(3200));
	assert_true(xd_any_text(&f->doc, "0.5s"));
	assert_true(xd_any_text(&f->doc, "3.0s"));
	assert_false(xd_any_text(&f->doc, "3.5s"));
}

static void test_svg__time_axis_microseconds(void **state)
{
	struct fx *f = *state;

	add_svg(f);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	draw(f, T(0.04));
	/* "us" as in the text summary, never the micro sign */
	assert_true(xd_any_text(&f->doc, "10us"));
	assert_true(xd_any_text(&f->doc, "40us"));
	assert_null(strstr(f->raw, "\xc2\xb5"));
}

/* With a command or -p, the rows are the target's tree only, as in the text summary */
static void test_svg__command_tree_only(void **state)
{
	struct fx *f = *state;

	f->m->meta.target_pid = 200;
	add_svg(f);
	tl_story(f->m);
	draw(f, END);
	assert_true(xd_row_of(&f->doc, 200, NULL) >= 0);
	assert_true(xd_row_of(&f->doc, 201, NULL) >= 0);
	assert_true(xd_row_of(&f->doc, 203, NULL) >= 0); /* orphaned, still forked from the tree */
	assert_int_equal(xd_row_of(&f->doc, 1, NULL), -1);
	assert_int_equal(xd_row_of(&f->doc, 100, NULL), -1);
	assert_int_equal(xd_row_of(&f->doc, 150, NULL), -1);
	/* the wake-up between two processes of the tree is still drawn */
	assert_int_equal(xd_count_in(&f->doc, xd_group(&f->doc, "links"), "line", "lnk"), 1);
}

/* A demo is titled by its name, not by the internal re-exec that runs it */
static void test_svg__demo_title(void **state)
{
	struct fx *f = *state;

	snprintf(f->m->meta.command, sizeof(f->m->meta.command),
		 "/usr/local/sbin/procscope demo --no-trace --quiet --truth /tmp/t.jsonl zombie");
	add_svg(f);
	tl_story(f->m);
	draw(f, END);
	assert_true(xd_any_text(&f->doc, "procscope timeline: procscope demo zombie"));
	assert_false(xd_any_text(&f->doc, "--no-trace"));
}

/*
 * Past the process table's limits, reaped children retire: each parent's row is followed by one
 * "+N ended earlier" row that counts them, and the legend says why.
 */
static void test_svg__retired_children_are_counted(void **state)
{
	struct fx *f = *state;
	uint64_t ts = T(1);
	uint32_t pid;
	int r;

	proctree_set_retain(f->m->tree, 8, 4);
	add_svg(f);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	ev_seed(f->m, T(0), 100, ST(100), 1, ST(1), 'S', "shell");
	for (pid = 1000; pid < 1300; pid++, ts += 100 * US) {
		ev_fork(f->m, ts, 100, ST(100), 100, pid, "true");
		ev_poll_wait(f->m, ts + 5 * US, pid, ts - 2 * US, pid, ts + 1 * US);
		ev_exit(f->m, ts + 10 * US, pid, ts - 2 * US, 0, 0, 100, ST(100), 0, 0);
		ev_reap(f->m, ts + 20 * US, 100, ST(100), pid, 0);
	}
	draw(f, ts);
	r = xd_row_of(&f->doc, 100, NULL);
	assert_true(r >= 0);
	assert_int_equal(xd_count_all(&f->doc, "g", "more"), 1);
	for (r = 0; r < (int)f->doc.n; r++)
		if (xd_is(&f->doc.els[r], "g", "more"))
			break;
	assert_int_equal(strtoull(xd_attr(&f->doc.els[r], "data-retired"), NULL, 10),
			 proctree_stats(f->m->tree)->retired);
	/* kept rows + retired = every child the shell forked */
	assert_int_equal(
		xd_count_all(&f->doc, "g", "proc") - 2 + proctree_stats(f->m->tree)->retired, 300);
	assert_true(xd_any_text(&f->doc, "ended earlier"));
}

/* Files in @dir named like the writer's temp files (".tmp"), each checked private */
static int count_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char p[512];
		struct stat st;

		if (!strstr(e->d_name, ".tmp"))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		n++;
	}
	closedir(d);
	return n;
}

static void test_svg__create_errors(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char link[160];
	struct sink *s;

	errno = 0;
	assert_null(svg_sink_new("/nonexistent-dir/x.svg"));
	assert_int_equal(errno, ENOENT);
	snprintf(link, sizeof(link), "%s/link.svg", f->dir);
	assert_int_equal(symlink("/tmp/psc-should-not-exist.svg", link), 0);
	errno = 0;
	assert_null(svg_sink_new(link));
	assert_int_equal(errno, ELOOP);
	/*
	 * Opened at once (a bad path fails before the trace), as a private temp file beside it
	 * that becomes the picture only when it is whole
	 */
	s = add_svg(f);
	(void)s;
	assert_int_not_equal(stat(f->path, &st), 0);
	assert_int_equal(count_tmp(f->dir), 1);
	draw(f, T(10));
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(count_tmp(f->dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg__checker_rejects_broken_xml),
		cmocka_unit_test_setup_teardown(test_svg__story_rows_and_marks, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__tree_order_and_indent, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__hostile_strings_are_escaped, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__crowd_folds_idle_processes, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__row_limit, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__wait_cap, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__time_axis_units, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__time_axis_microseconds, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__create_errors, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__command_tree_only, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__demo_title, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_svg__retired_children_are_counted, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
