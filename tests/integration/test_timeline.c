// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF: the timeline exporters through the command line (`trace --perfetto FILE --svg FILE`,
 * `demo --perfetto FILE --svg FILE NAME`). The Perfetto file is held to the trace-event rules
 * of tests/lib/trace_rules.c and the SVG to the XML checker of tests/lib/xml_check.c, and both are compared with the NDJSON log of the same run and with the
 * demos' ground truth. The SVG is rendered with scripts/render-svg.sh and the PNG must not be
 * blank: it is decoded here (zlib + PNG filters) and its colours counted.
 */
#include "integ.h"

#include "svg.h"
#include "trace_rules.h"
#include "xml_check.h"

#define RENDER_SCRIPT "scripts/render-svg.sh"

struct tl_run {
	char dir[64];
	char log[128];
	char truth[128];
	char json[128];
	char svg[128];
	char out[128];
	char err[128];
	int status;
	struct integ_log events; /* the NDJSON log of the same run */
	struct integ_log gt; /* the demo's ground truth */
	json_object *trace; /* the Perfetto file, checked */
	struct xdoc doc; /* the SVG, checked */
	char *svg_raw;
	size_t svg_len;
};

static void tl_paths(struct tl_run *r, const char *json_name)
{
	memset(r, 0, sizeof(*r));
	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->log, sizeof(r->log), "%s/log.jsonl", r->dir);
	snprintf(r->truth, sizeof(r->truth), "%s/truth.jsonl", r->dir);
	snprintf(r->json, sizeof(r->json), "%s/%s", r->dir, json_name);
	snprintf(r->svg, sizeof(r->svg), "%s/timeline.svg", r->dir);
	snprintf(r->out, sizeof(r->out), "%s/stdout", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
}

static void tl_free(struct tl_run *r)
{
	integ_free(&r->events);
	integ_free(&r->gt);
	json_object_put(r->trace);
	xdoc_free(&r->doc);
	free(r->svg_raw);
	integ_rmtree(r->dir);
}

/* procscope refused the options: say which wiring is missing rather than a bare status */
static void assert_ran(const struct tl_run *r, int want_status)
{
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != want_status) {
		char *err = integ_slurp(r->err, NULL);

		fprintf(stderr, "procscope exited with 0x%x; stderr:\n%s\n", r->status, err);
		if (strstr(err, "--perfetto") || strstr(err, "--svg"))
			fprintf(stderr,
				"(this suite needs `--perfetto FILE` and `--svg FILE` on "
				"trace and demo: main.c/trace.c add perfetto_sink_new() and "
				"svg_sink_new() as sinks)\n");
		free(err);
	}
	assert_true(WIFEXITED(r->status));
	assert_int_equal(WEXITSTATUS(r->status), want_status);
}

/* Load both pictures of the run: the rules must hold before anything else is asked */
static void tl_load_pictures(struct tl_run *r)
{
	char why[256], *raw;
	size_t len, i;

	raw = integ_slurp(r->json, &len);
	if (te_check_trace(raw, len, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", r->json, why);
		fail_msg("the Perfetto file breaks the trace-event rules: %s", why);
	}
	r->trace = json_tokener_parse(raw);
	free(raw);
	assert_non_null(r->trace);
	r->svg_raw = integ_slurp(r->svg, &r->svg_len);
	if (xml_check(r->svg_raw, r->svg_len, &r->doc, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", r->svg, why);
		fail_msg("the SVG is not well-formed: %s", why);
	}
	assert_string_equal(r->doc.els[0].name, "svg");
	/* self-contained: no scripts, no links out, no event handlers */
	for (i = 0; i < r->doc.n; i++) {
		const struct xel *e = &r->doc.els[i];
		size_t k;

		assert_string_not_equal(e->name, "script");
		assert_string_not_equal(e->name, "image");
		assert_string_not_equal(e->name, "foreignObject");
		for (k = 0; k < e->nattrs; k++) {
			assert_null(strstr(e->attr_name[k], "href"));
			assert_false(!strncmp(e->attr_name[k], "on", 2));
		}
	}
	assert_null(strstr(r->svg_raw, "@import"));
}

/* The run's NDJSON log, then both pictures */
static void tl_load(struct tl_run *r)
{
	integ_load(r->log, &r->events);
	assert_int_equal(r->events.bad_lines, 0);
	tl_load_pictures(r);
}

static void run_demo(struct tl_run *r, const char *name, const char *json_name)
{
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"demo",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-o",
			 r->log,
			 (char *)"--truth",
			 r->truth,
			 (char *)"--perfetto",
			 r->json,
			 (char *)"--svg",
			 r->svg,
			 (char *)name,
			 NULL };

	tl_paths(r, json_name);
	r->status = integ_run(argv, r->out, r->err);
	assert_ran(r, 0);
	integ_load(r->truth, &r->gt);
	assert_non_null(integ_find(&r->gt, "kind", "done", NULL));
	tl_load(r);
}

/* The lifetime slice of @pid (on its main thread, category "proc") */
static json_object *life_of(json_object *trace, int64_t pid)
{
	size_t i, n = json_object_array_length(trace);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(trace, i);
		const char *ph = te_str(o, "ph"), *cat = te_str(o, "cat");
		double v;

		if (ph && !strcmp(ph, "X") && cat && !strcmp(cat, "proc") && te_num(o, "pid", &v) &&
		    (int64_t)v == pid && te_num(o, "tid", &v) && (int64_t)v == pid &&
		    strcmp(te_str(o, "name"), "fork child"))
			return o;
	}
	return NULL;
}

static bool ends_with_pid(const char *s, int64_t pid)
{
	char want[32];

	snprintf(want, sizeof(want), "(%lld)", (long long)pid);
	return s && strlen(s) >= strlen(want) && !strcmp(s + strlen(s) - strlen(want), want);
}

/* The picture's row of @pid has a @name element of class @cls */
static bool row_has(const struct tl_run *r, int64_t pid, const char *name, const char *cls)
{
	int row = xd_row_of(&r->doc, (uint32_t)pid, NULL);

	return row >= 0 && xd_count_in(&r->doc, row, name, cls) > 0;
}

/* The done criterion of the exporters: the orphan, the zombies, exit 7, a row per process */
static void test_timeline__command_orphan_zombies_exit_status(void **state)
{
	struct tl_run r;
	json_object *orphan, *o, *b, *e;
	int64_t bash_pid, sub_pid, orphan_pid, adopter;
	size_t i, forks = 0, nflows;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"-o",
			 NULL,
			 (char *)"--perfetto",
			 NULL,
			 (char *)"--svg",
			 NULL,
			 (char *)"--",
			 (char *)"bash",
			 (char *)"-c",
			 (char *)"(sleep 0.3 &); sleep 0.1; exit 7",
			 NULL };

	tl_paths(&r, "trace.json");
	argv[5] = r.log;
	argv[7] = r.json;
	argv[9] = r.svg;
	r.status = integ_run(argv, r.out, r.err);
	assert_ran(&r, 7);
	tl_load(&r);
	bash_pid = integ_i64(integ_find(&r.events, "type", "exec", NULL), "pid");
	orphan = integ_find(&r.events, "type", "orphan", NULL);
	assert_non_null(orphan);
	orphan_pid = integ_i64(orphan, "pid");
	sub_pid = integ_i64(orphan, "old_parent_pid");
	adopter = integ_i64(orphan, "new_parent_pid");
	/* every forked process: a named track, a lifetime slice, an arrow from its fork */
	for (i = 0; i < r.events.n; i++) {
		json_object *f = r.events.recs[i], *ex;
		int64_t pid = integ_i64(f, "child_pid");
		char want[64];

		if (!integ_is(f, "type", "fork") || integ_bool(f, "thread"))
			continue;
		forks++;
		ex = integ_find(&r.events, "type", "exit", "pid", pid, "group_dead", INTEG_I(1),
				NULL);
		assert_non_null(ex);
		snprintf(want, sizeof(want), "%s (%lld)", integ_str(ex, "comm"), (long long)pid);
		assert_non_null(te_meta_name(r.trace, "process_name", pid, 0));
		assert_string_equal(te_meta_name(r.trace, "process_name", pid, 0), want);
		o = life_of(r.trace, pid);
		assert_non_null(o);
		/* the slice ends at the exit the log has, to the ns */
		assert_int_equal(te_ns(o, "ts") + te_ns(o, "dur"), integ_i64(ex, "ts_ns"));
		assert_non_null(te_find(r.trace, 'f', "fork", pid, pid, NULL));
		/* and a row in the picture */
		assert_true(xd_row_of(&r.doc, (uint32_t)pid, NULL) >= 0);
	}
	assert_int_equal(forks, 3);
	/*
	 * The same tree as the text summary: bash and what it forked, not its ancestors (init,
	 * procscope, whoever ran the test): every named track and every row is one of the four.
	 */
	for (i = 0; i < json_object_array_length(r.trace); i++) {
		json_object *t = json_object_array_get_idx(r.trace, i);
		double pid;

		if (strcmp(te_str(t, "ph"), "M") || strcmp(te_str(t, "name"), "process_name"))
			continue;
		assert_true(te_num(t, "pid", &pid));
		/* groups of tracks outside the tree (the sched group's "CPUs") have pseudo pids */
		if ((int64_t)pid >= 0x7fff0000)
			continue;
		if ((int64_t)pid != bash_pid &&
		    !integ_find(&r.events, "type", "fork", "child_pid", (int64_t)pid, NULL))
			fail_msg("track of pid %lld, outside the command's tree: %s",
				 (long long)pid, te_str(te_args(t), "name"));
	}
	for (i = 0; i < r.doc.n; i++) {
		const char *pid = xd_attr(&r.doc.els[i], "data-pid");

		if (pid && strtoll(pid, NULL, 10) != bash_pid &&
		    !integ_find(&r.events, "type", "fork", "child_pid", strtoll(pid, NULL, 10),
				NULL))
			fail_msg("SVG row of pid %s, outside the command's tree", pid);
	}
	te_find(r.trace, 's', "fork", 0, 0, &nflows);
	assert_int_equal(nflows, forks);
	/* bash: exit 7, a zombie until procscope reaped it */
	assert_non_null(te_find(r.trace, 'i', "exit 7", bash_pid, bash_pid, NULL));
	assert_true(xd_row_of(&r.doc, (uint32_t)bash_pid, NULL) >= 0);
	assert_string_equal(
		xd_child(&r.doc, xd_row_of(&r.doc, (uint32_t)bash_pid, NULL), "text", "st")->text,
		"exit 7");
	/* the subshell was a zombie from its exit to bash's wait: the log's times, to the ns */
	b = te_find(r.trace, 'b', "zombie", sub_pid, 0, NULL);
	e = te_find(r.trace, 'e', "zombie", sub_pid, 0, NULL);
	assert_non_null(b);
	assert_non_null(e);
	assert_int_equal(te_ns(b, "ts"),
			 integ_i64(integ_find(&r.events, "type", "exit", "pid", sub_pid, NULL),
				   "ts_ns"));
	assert_int_equal(te_ns(e, "ts"), integ_i64(integ_find(&r.events, "type", "reap",
							      "reaped_pid", sub_pid, NULL),
						   "ts_ns"));
	assert_true(ends_with_pid(te_str(te_args(e), "reaped_by"), bash_pid));
	assert_true(row_has(&r, sub_pid, "rect", "zom"));
	/* the orphan: an instant naming the adopter, a marker in its row */
	o = te_find(r.trace, 'i', "orphaned", orphan_pid, orphan_pid, NULL);
	assert_non_null(o);
	assert_int_equal(te_ns(o, "ts"), integ_i64(orphan, "ts_ns"));
	assert_true(ends_with_pid(te_str(te_args(o), "adopted_by"), adopter));
	assert_true(row_has(&r, orphan_pid, "path", "orp"));
	tl_free(&r);
}

static void test_timeline__zombie_demo(void **state)
{
	struct tl_run r;
	json_object *z, *b, *e, *end;
	const struct xel *zr;
	int64_t zpid, root, auto_pid, held;
	double chart_px, want_px, axis_ns;

	run_demo(&r, "zombie", "trace.json");
	/* titled by the demo's name, not by the re-exec that runs it */
	assert_true(xd_any_text(&r.doc, "procscope timeline: procscope demo zombie"));
	assert_string_equal(
		te_str(te_args(te_find(r.trace, 'i', "procscope trace start", 0, 0, NULL)),
		       "title"),
		"procscope demo zombie");
	z = integ_find(&r.gt, "kind", "zombie", NULL);
	assert_non_null(z);
	zpid = integ_i64(z, "pid");
	root = integ_i64(z, "parent");
	held = integ_i64(z, "held_ms");
	auto_pid = integ_i64(integ_find(&r.gt, "kind", "autoreap", NULL), "pid");
	/* the held zombie: an interval of about held_ms, reaped by the root */
	b = te_find(r.trace, 'b', "zombie", zpid, 0, NULL);
	e = te_find(r.trace, 'e', "zombie", zpid, 0, NULL);
	assert_non_null(b);
	assert_non_null(e);
	assert_true(te_ns(e, "ts") - te_ns(b, "ts") >= (held - 20) * 1000000);
	assert_true(te_ns(e, "ts") - te_ns(b, "ts") < (held + 1000) * 1000000);
	assert_true(ends_with_pid(te_str(te_args(e), "reaped_by"), root));
	assert_non_null(te_find(r.trace, 'i', "exit 7", zpid, zpid, NULL));
	/* auto-reaped: never a zombie */
	assert_null(te_find(r.trace, 'b', "zombie", auto_pid, 0, NULL));
	assert_true(xd_row_of(&r.doc, (uint32_t)auto_pid, NULL) >= 0);
	assert_false(row_has(&r, auto_pid, "rect", "zom"));
	/* the picture's zombie bar has the same length, on the picture's time scale */
	end = te_find(r.trace, 'i', "procscope trace end", 0, 0, NULL);
	assert_non_null(end);
	axis_ns = strtod(xd_attr(&r.doc.els[0], "data-time-end-ns"), NULL);
	assert_true(axis_ns > 0 && axis_ns <= (double)te_ns(end, "ts"));
	zr = xd_child(&r.doc, xd_row_of(&r.doc, (uint32_t)zpid, NULL), "rect", "zom");
	assert_non_null(zr);
	chart_px = SVG_WIDTH - 300 - 150 - 20;
	want_px = (double)(te_ns(e, "ts") - te_ns(b, "ts")) * chart_px / axis_ns;
	assert_true(strtod(xd_attr(zr, "width"), NULL) > want_px - 2);
	assert_true(strtod(xd_attr(zr, "width"), NULL) < want_px + 2);
	tl_free(&r);
}

/* Adoption by init and by a subreaper; the trace written gzip-compressed */
static void test_timeline__orphan_demo_gzip(void **state)
{
	struct tl_run r;
	unsigned char magic[2] = { 0 };
	size_t i, orphans = 0;
	FILE *fp;

	run_demo(&r, "orphan", "trace.json.gz");
	fp = fopen(r.json, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(magic, 1, 2, fp), 2);
	fclose(fp);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	for (i = 0; i < r.gt.n; i++) {
		json_object *t = r.gt.recs[i], *o;
		int64_t pid = integ_i64(t, "pid"), adopter = integ_i64(t, "new_ppid");

		if (!integ_is(t, "kind", "orphan"))
			continue;
		orphans++;
		o = te_find(r.trace, 'i', "orphaned", pid, pid, NULL);
		if (!o)
			integ_dump("ground truth without an orphan instant", t);
		assert_non_null(o);
		assert_true(ends_with_pid(te_str(te_args(o), "adopted_by"), adopter));
		assert_true(
			ends_with_pid(te_str(te_args(o), "old_parent"), integ_i64(t, "old_ppid")));
		assert_true(row_has(&r, pid, "path", "orp"));
	}
	assert_int_equal(orphans, 2);
	/* the subreaper is in the picture: its adoption is drawn from its row */
	assert_true(xd_count_in(&r.doc, xd_group(&r.doc, "links"), "line", "adp") >= 1);
	tl_free(&r);
}

/* ---- the picture, rendered: PNG decoding (8-bit RGB/RGBA, no interlace) ---- */

struct png {
	uint32_t w, h;
	unsigned int bpp; /* 3 or 4 */
	unsigned char *px; /* h rows of w * bpp */
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int paeth(int a, int b, int c)
{
	int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);

	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

static void png_decode(const char *path, struct png *img)
{
	size_t len, off = 8, zlen = 0, stride, y, x;
	char *buf = NULL;
	unsigned char *p, *z = NULL, *raw;
	uLongf rawlen;
	FILE *fp = fopen(path, "rb");
	long size;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	rewind(fp);
	assert_true(size > 8);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	len = (size_t)size;
	p = (unsigned char *)buf;
	assert_int_equal(memcmp(p, "\x89PNG\r\n\x1a\n", 8), 0);
	memset(img, 0, sizeof(*img));
	while (off + 12 <= len) {
		uint32_t n = be32(p + off);
		const unsigned char *type = p + off + 4, *data = p + off + 8;

		assert_true(off + 12 + n <= len);
		if (!memcmp(type, "IHDR", 4)) {
			img->w = be32(data);
			img->h = be32(data + 4);
			assert_int_equal(data[8], 8); /* bit depth */
			assert_true(data[9] == 2 || data[9] == 6); /* RGB or RGBA */
			assert_int_equal(data[12], 0); /* no interlace */
			img->bpp = data[9] == 6 ? 4 : 3;
		} else if (!memcmp(type, "IDAT", 4)) {
			unsigned char *nz = realloc(z, zlen + n);

			assert_non_null(nz);
			z = nz;
			memcpy(z + zlen, data, n);
			zlen += n;
		} else if (!memcmp(type, "IEND", 4)) {
			break;
		}
		off += 12 + n;
	}
	assert_true(img->w && img->h && zlen);
	stride = (size_t)img->w * img->bpp;
	rawlen = (uLongf)((stride + 1) * img->h);
	raw = malloc(rawlen);
	img->px = malloc(stride * img->h);
	assert_non_null(raw);
	assert_non_null(img->px);
	assert_int_equal(uncompress(raw, &rawlen, z, (uLong)zlen), Z_OK);
	assert_int_equal(rawlen, (stride + 1) * img->h);
	/* undo the per-row filters: None, Sub, Up, Average, Paeth */
	for (y = 0; y < img->h; y++) {
		unsigned char f = raw[y * (stride + 1)], *in = raw + y * (stride + 1) + 1;
		unsigned char *out = img->px + y * stride, *up = y ? out - stride : NULL;

		assert_true(f <= 4);
		for (x = 0; x < stride; x++) {
			int a = x >= img->bpp ? out[x - img->bpp] : 0, b = up ? up[x] : 0;
			int c = up && x >= img->bpp ? up[x - img->bpp] : 0, v = in[x];

			v += f == 1 ? a :
			     f == 2 ? b :
			     f == 3 ? (a + b) / 2 :
			     f == 4 ? paeth(a, b, c) :
				      0;
			out[x] = (unsigned char)v;
		}
	}
	free(raw);
	free(z);
	free(buf);
}

static bool chromium_present(void)
{
	return !system("command -v chromium >/dev/null 2>&1 || command -v chromium-browser "
		       ">/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1");
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Past the process table's limits (4096 + 1024 reaped processes kept), the timelines go on
 * working with bounded memory: 7,000 children of one shell crashed both exporters once. Every
 * fork is drawn in the Perfetto file, and every child of the shell is either a row of the
 * picture or counted in one of its "+N" rows.
 */
static void test_timeline__seven_thousand_processes(void **state)
{
	struct tl_run r;
	json_object *end;
	size_t i, nflows, rows = 0;
	uint64_t folded = 0, retired = 0;
	int64_t sh = -1;
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"--perfetto",
			 NULL,
			 (char *)"--svg",
			 NULL,
			 (char *)"--",
			 (char *)"sh",
			 (char *)"-c",
			 (char *)"for i in $(seq 7000); do /bin/true; done",
			 NULL };

	tl_paths(&r, "trace.json");
	argv[5] = r.json;
	argv[7] = r.svg;
	r.status = integ_run(argv, r.out, r.err);
	assert_ran(&r, 0);
	tl_load_pictures(&r);
	te_find(r.trace, 's', "fork", 0, 0, &nflows);
	assert_int_equal(nflows, 7001); /* 7000 /bin/true and the $(seq 7000) subshell */
	end = te_find(r.trace, 'i', "procscope trace end", 0, 0, NULL);
	assert_non_null(end);
	assert_true(json_object_get_int64(
			    json_object_object_get(te_args(end), "processes_retired")) > 0);
	for (i = 0; i < r.doc.n; i++) {
		const struct xel *e = &r.doc.els[i];
		const char *v;

		if (!strcmp(e->name, "g") && (v = xd_attr(e, "data-pid"))) {
			if (sh < 0)
				sh = strtoll(v, NULL, 10); /* the first row: the shell */
			else
				rows++;
		} else if (!strcmp(e->name, "g") && (v = xd_attr(e, "data-hidden"))) {
			folded += strtoull(v, NULL, 10);
		} else if (!strcmp(e->name, "g") && (v = xd_attr(e, "data-retired"))) {
			retired += strtoull(v, NULL, 10);
		}
	}
	assert_true(sh > 0);
	assert_true(retired > 0);
	assert_int_equal(rows + folded + retired, 7001);
	tl_free(&r);
}

static void test_timeline__svg_renders_to_png(void **state)
{
	const char *ci = getenv("CI");
	struct tl_run r;
	struct png img;
	char png[160], *argv[4];
	uint32_t *colours, zombie = 0xe15759, run = 0x4e79a7;
	size_t i, n, distinct = 0, ink = 0;
	bool has_zombie = false, has_run = false;
	int status;

	if (access(RENDER_SCRIPT, X_OK)) {
		fail_msg("%s not found: run the suite from the source tree", RENDER_SCRIPT);
		return;
	}
	if (!chromium_present() && !(ci && !strcmp(ci, "true"))) {
		/* under CI=true the script installs chromium and this part must run */
		fprintf(stderr,
			"chromium is not installed: skipping the PNG check (CI installs it; "
			"or run %s once as root)\n",
			RENDER_SCRIPT);
		skip();
		return;
	}
	run_demo(&r, "zombie", "trace.json");
	snprintf(png, sizeof(png), "%s/timeline.png", r.dir);
	argv[0] = (char *)RENDER_SCRIPT;
	argv[1] = r.svg;
	argv[2] = png;
	argv[3] = NULL;
	status = integ_run(argv, NULL, r.err);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char *err = integ_slurp(r.err, NULL);

		fprintf(stderr, "%s failed (0x%x): %s\n", RENDER_SCRIPT, status, err);
		free(err);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	png_decode(png, &img);
	/* the size the SVG asks for */
	assert_int_equal(img.w, strtoul(xd_attr(&r.doc.els[0], "width"), NULL, 10));
	assert_int_equal(img.h, strtoul(xd_attr(&r.doc.els[0], "height"), NULL, 10));
	n = (size_t)img.w * img.h;
	colours = malloc(n * sizeof(*colours));
	assert_non_null(colours);
	for (i = 0; i < n; i++) {
		const unsigned char *p = img.px + i * img.bpp;

		colours[i] = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
		if (colours[i] != 0xffffff)
			ink++;
		has_zombie |= colours[i] == zombie;
		has_run |= colours[i] == run;
	}
	qsort(colours, n, sizeof(*colours), cmp_u32);
	for (i = 0; i < n; i++)
		distinct += !i || colours[i] != colours[i - 1];
	free(colours);
	free(img.px);
	/* not blank: text, bars, a zombie in its colour */
	assert_true(distinct >= 8);
	assert_true(ink * 100 > n * 5);
	assert_true(has_run);
	assert_true(has_zombie);
	tl_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeline__command_orphan_zombies_exit_status),
		cmocka_unit_test(test_timeline__zombie_demo),
		cmocka_unit_test(test_timeline__orphan_demo_gzip),
		cmocka_unit_test(test_timeline__seven_thousand_processes),
		cmocka_unit_test(test_timeline__svg_renders_to_png),
	};

	if (!integ_can_trace()) {
		/* the runner counts this as a failure under CI=true */
		fprintf(stderr, "test_timeline: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
