// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF: `procscope report` against the live tracer. For every demo the JSON summary written
 * live (--summary-json) must equal `report --format json` of the log byte for byte, and the live
 * text summary must equal `report`'s. Then damaged logs made from a real one: each names its
 * problem with the line, exits 3, and still shows the processes of the good records.
 */
#include <sys/resource.h>
#include "integ.h"

struct files {
	char dir[64];
	char log[128];
	char s1[128]; /* live JSON summary */
	char s2[128]; /* report's */
	char live[128]; /* live stdout */
	char out[128]; /* report's stdout */
	char err[128];
	char tmp[128];
};

/* Every scratch directory made, so the last test can check that none is left in /tmp */
static char made_dirs[64][64];
static size_t nmade;

static void files_init(struct files *f)
{
	integ_tmpdir(f->dir, sizeof(f->dir));
	if (nmade < sizeof(made_dirs) / sizeof(made_dirs[0]))
		snprintf(made_dirs[nmade++], sizeof(made_dirs[0]), "%s", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/log.jsonl", f->dir);
	snprintf(f->s1, sizeof(f->s1), "%s/live.json", f->dir);
	snprintf(f->s2, sizeof(f->s2), "%s/report.json", f->dir);
	snprintf(f->live, sizeof(f->live), "%s/live.txt", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/report.txt", f->dir);
	snprintf(f->err, sizeof(f->err), "%s/stderr", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/damaged", f->dir);
}

static void files_cleanup(struct files *f)
{
	integ_rmtree(f->dir);
}

static int exit_code(int status)
{
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* `procscope report ARGS... LOG` (ARGS end with NULL), output to files; returns the exit code */
static int report(const struct files *f, const char *log, ...)
{
	char *argv[16] = { (char *)integ_procscope(), (char *)"report" };
	const char *a;
	va_list ap;
	int i = 2;

	va_start(ap, log);
	while ((a = va_arg(ap, const char *)) != NULL && i < 14)
		argv[i++] = (char *)a;
	va_end(ap);
	argv[i++] = (char *)log;
	argv[i] = NULL;
	return exit_code(integ_run(argv, f->out, f->err));
}

static bool same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = integ_slurp(a, &la), *y = integ_slurp(b, &lb);
	bool same = la == lb && !memcmp(x, y, la);

	if (!same) {
		size_t i = 0;

		while (i < la && i < lb && x[i] == y[i])
			i++;
		fprintf(stderr, "%s and %s differ at byte %zu:\n--- %.200s\n+++ %.200s\n", a, b, i,
			x + (i > 40 ? i - 40 : 0), y + (i > 40 ? i - 40 : 0));
	}
	free(x);
	free(y);
	return same;
}

static bool file_has_quiet(const char *path, const char *needle)
{
	char *s = integ_slurp(path, NULL);
	bool has = strstr(s, needle) != NULL;

	free(s);
	return has;
}

static bool file_has(const char *path, const char *needle)
{
	char *s = integ_slurp(path, NULL);
	bool has = strstr(s, needle) != NULL;

	if (!has)
		fprintf(stderr, "%s has no '%s':\n%s\n", path, needle, s);
	free(s);
	return has;
}

/* The demo names from `procscope demo --list` */
static size_t list_demos(char names[][32], size_t max)
{
	char cmd[PATH_MAX + 32], line[512];
	size_t n = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s demo --list", integ_procscope());
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < max && fgets(line, sizeof(line), p))
		if (sscanf(line, "%31s", names[n]) == 1)
			n++;
	assert_int_equal(pclose(p), 0);
	return n;
}

static bool has_name(char names[][32], size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/* The JSON document is a real summary, not two equal empty ones */
static void check_summary_doc(const char *path)
{
	char *s = integ_slurp(path, NULL);
	json_object *doc = json_tokener_parse(s), *procs, *trace;

	assert_non_null(doc);
	assert_true(integ_is(doc, "format", "procscope-summary"));
	assert_true(json_object_object_get_ex(doc, "processes", &procs));
	assert_true(json_object_array_length(procs) >= 1);
	assert_true(json_object_object_get_ex(doc, "trace", &trace));
	assert_true(integ_is(trace, "mode", "command"));
	assert_int_equal(integ_i64(trace, "command_status"), 0);
	json_object_put(doc);
	free(s);
}

static void test_report__every_demo_matches_live(void **state)
{
	char names[32][32];
	size_t n = list_demos(names, 32), i;

	assert_true(has_name(names, n, "fork"));
	assert_true(has_name(names, n, "orphan"));
	assert_true(has_name(names, n, "zombie"));
	assert_true(has_name(names, n, "daemon"));
	for (i = 0; i < n; i++) {
		struct files f;
		char *argv[] = { (char *)integ_procscope(),
				 (char *)"demo",
				 (char *)"-q",
				 (char *)"--summary-json",
				 f.s1,
				 (char *)"-o",
				 f.log,
				 names[i],
				 NULL };

		files_init(&f);
		fprintf(stderr, "demo %s\n", names[i]);
		assert_int_equal(exit_code(integ_run(argv, f.live, f.err)), 0);
		check_summary_doc(f.s1);
		assert_int_equal(report(&f, f.log, "--format", "json", NULL), 0);
		assert_true(rename(f.out, f.s2) == 0);
		if (!same_file(f.s1, f.s2))
			fail_msg("demo %s: the live JSON summary differs from report's", names[i]);
		assert_int_equal(report(&f, f.log, NULL), 0);
		if (!same_file(f.live, f.out))
			fail_msg("demo %s: the live text summary differs from report's", names[i]);
		assert_true(file_has(f.out, "Process tree"));
		files_cleanup(&f);
	}
}

/* trace --summary-json, a command's status, and gzip picked by content (not by name) */
static void test_report__trace_summary_json_and_gzip(void **state)
{
	struct files f;
	char gzlog[160];
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"trace",
			 (char *)"-q",
			 (char *)"--no-summary",
			 (char *)"--summary-json",
			 f.s1,
			 (char *)"-o",
			 gzlog,
			 (char *)"--",
			 (char *)"sh",
			 (char *)"-c",
			 (char *)"(sleep 0.05 &); /bin/true; exit 3",
			 NULL };
	char *s;

	files_init(&f);
	snprintf(gzlog, sizeof(gzlog), "%s/log.jsonl.gz", f.dir);
	assert_int_equal(exit_code(integ_run(argv, f.live, f.err)), 3);
	/* a gzip log under a name without .gz: the content says what it is */
	assert_int_equal(rename(gzlog, f.log), 0);
	assert_int_equal(report(&f, f.log, "-f", "json", NULL), 0);
	assert_true(same_file(f.s1, f.out));
	s = integ_slurp(f.out, NULL);
	assert_non_null(strstr(s, "\"command_status\": 768"));
	assert_non_null(strstr(s, "\"code\": 3"));
	assert_non_null(strstr(s, "\"orphans\": ["));
	free(s);
	assert_int_equal(report(&f, f.log, NULL), 0);
	assert_true(file_has(f.out, "sleep("));
	assert_true(file_has(f.out, "orphan adopted by"));
	files_cleanup(&f);
}

/* ---- damaged logs, made from one real log of the fork demo ---- */

static struct files good; /* the fork demo's log, made once for the damaged-log tests */
static size_t good_lines;

static void need_good(void)
{
	char *argv[] = { (char *)integ_procscope(),
			 (char *)"demo",
			 (char *)"-q",
			 (char *)"-o",
			 good.log,
			 (char *)"fork",
			 NULL };
	char *s, *p;

	if (good_lines)
		return;
	files_init(&good);
	assert_int_equal(exit_code(integ_run(argv, good.live, good.err)), 0);
	s = integ_slurp(good.log, NULL);
	for (p = s; (p = strchr(p, '\n')); p++)
		good_lines++;
	free(s);
	assert_true(good_lines > 10);
}

static int teardown(void **state)
{
	if (good_lines)
		files_cleanup(&good);
	return 0;
}

/* stderr has "procscope: DAMAGED:LINE: MSG" (LINE 0: "procscope: DAMAGED: MSG") */
static bool err_has(size_t line, const char *msg)
{
	char needle[512];

	if (line)
		snprintf(needle, sizeof(needle), "procscope: %s:%zu: %s", good.tmp, line, msg);
	else
		snprintf(needle, sizeof(needle), "procscope: %s: %s", good.tmp, msg);
	return file_has(good.err, needle);
}

/* The number of the first line holding @needle, from 1 */
static size_t line_of(const char *needle)
{
	char *s = integ_slurp(good.log, NULL), *hit = strstr(s, needle), *p;
	size_t n = 1;

	assert_non_null(hit);
	for (p = s; p < hit; p++)
		n += *p == '\n';
	free(s);
	return n;
}

/* The good records still make the tree: every process of the fork demo is in it */
static void assert_tree_intact(const struct files *f)
{
	assert_true(file_has(f->out, "Process tree"));
	assert_true(file_has(f->out, "├─ child("));
	assert_true(file_has(f->out, "└─ grandchild("));
	assert_true(file_has(f->out, "killed by SIGTERM"));
}

static void write_text(const char *path, const char *s, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(s, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The good log with line @n (from 1) replaced by @with (NULL: removed), or @with put before it */
static void damage_line(const char *out, size_t n, const char *with, bool insert)
{
	size_t len, o = 0, line = 1;
	char *s = integ_slurp(good.log, &len), *p = s, *nl;
	char *d = malloc(len + (with ? strlen(with) : 0) + 2);

	assert_non_null(d);
	for (; p < s + len; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(s + len - p));
		if (!nl)
			nl = s + len - 1;
		if (line == n && with) {
			memcpy(d + o, with, strlen(with));
			o += strlen(with);
			d[o++] = '\n';
		}
		if (line == n && !insert)
			continue;
		memcpy(d + o, p, (size_t)(nl - p) + 1);
		o += (size_t)(nl - p) + 1;
	}
	write_text(out, d, o);
	free(s);
	free(d);
}

static void test_report__truncated_last_line(void **state)
{
	size_t len;
	char *s;

	need_good();
	s = integ_slurp(good.log, &len);
	write_text(good.tmp, s, len - 30); /* the trailer loses its end and its newline */
	free(s);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	assert_true(err_has(good_lines, "the last line is cut short (not JSON: the line ends "
					"inside a record): ignored"));
	assert_true(err_has(0, "no trailer: the log ends early"));
	assert_true(err_has(0, "the log is damaged (1 bad line, no trailer): the summary covers"));
	assert_tree_intact(&good);
}

static void test_report__corrupt_middle_line(void **state)
{
	size_t n;

	need_good();
	/* a poll wait: the tree loses nothing */
	n = line_of("{\"type\":\"poll_wait\"");
	damage_line(good.tmp, n, "{\"type\":\"poll_wait\",\"ts_ns\":12,", false);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	assert_true(err_has(n, "not JSON: the line ends inside a record: skipped"));
	assert_true(err_has(0, "the log is damaged (1 bad line)"));
	assert_tree_intact(&good);
}

static void test_report__unknown_type(void **state)
{
	need_good();
	damage_line(good.tmp, 3, "{\"type\":\"teleport\",\"ts_ns\":5,\"pid\":1,\"to\":\"mars\"}",
		    true);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	assert_true(err_has(3, "unknown record type 'teleport' (from a newer procscope?): "
			       "skipped"));
	assert_true(err_has(0, "the log is damaged (1 record of unknown type)"));
	assert_tree_intact(&good);
}

static void test_report__newer_version(void **state)
{
	size_t len;
	char *s, *v;

	need_good();
	s = integ_slurp(good.log, &len);
	v = strstr(s, "\"version\":1,");
	assert_non_null(v);
	memcpy(v, "\"version\":9,", 12);
	write_text(good.tmp, s, len);
	free(s);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	assert_true(err_has(1, "log format version 9 is newer than this procscope's (1): reading "
			       "the records it knows"));
	assert_tree_intact(&good);
	/* the JSON summary says so too */
	assert_int_equal(report(&good, good.tmp, "--format", "json", NULL), 3);
	assert_true(file_has(good.out, "\"newer_version\": 9"));
}

static void test_report__missing_header(void **state)
{
	need_good();
	damage_line(good.tmp, 1, NULL, false);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	assert_true(err_has(1, "no header before this record"));
	/* no target known: the system-wide tree, which still holds the demo's processes */
	assert_tree_intact(&good);
	assert_int_equal(report(&good, good.tmp, "--format", "json", NULL), 3);
	assert_true(file_has(good.out, "\"boottime_base_ns\": null"));
	assert_true(file_has(good.out, "\"missing_header\": true"));
}

/*
 * A file with no procscope record at all is not a log: one line on stderr says so, exit 1, no
 * summary on stdout, and no --svg/--perfetto file is left behind.
 */
static void assert_not_a_log(const char *path, const char *why)
{
	char want[PATH_MAX + 160], svg[160];
	size_t len;
	char *s;

	snprintf(svg, sizeof(svg), "%s/not-a-log.svg", good.dir);
	assert_int_equal(report(&good, path, "--svg", svg, NULL), 1);
	snprintf(want, sizeof(want),
		 "procscope: failed to read '%s': not a procscope event log (%s)\n", path, why);
	s = integ_slurp(good.err, &len);
	if (strcmp(s, want))
		fail_msg("report %s: stderr is\n%s\nwant exactly\n%s", path, s, want);
	free(s);
	s = integ_slurp(good.out, &len);
	assert_int_equal(len, 0);
	free(s);
	assert_int_equal(access(svg, F_OK), -1);
}

static void test_report__empty_file(void **state)
{
	need_good();
	write_text(good.tmp, "", 0);
	assert_not_a_log(good.tmp, "it is empty");
	assert_not_a_log("/dev/null", "it is empty");
}

/* /etc/passwd, a JSON summary, gzipped text: not logs; garbage before a log's header is damage */
static void test_report__not_a_log(void **state)
{
	static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
				     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
				     "\n"
				     "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
	char json[160], gz[160];
	char *demo[] = { (char *)integ_procscope(),
			 (char *)"demo",
			 (char *)"-q",
			 (char *)"--summary-json",
			 json,
			 (char *)"fork",
			 NULL };
	gzFile g;

	need_good();
	write_text(good.tmp, passwd, sizeof(passwd) - 1);
	assert_not_a_log(good.tmp, "none of its 4 lines is a procscope record");
	snprintf(gz, sizeof(gz), "%s/passwd.gz", good.dir);
	g = gzopen(gz, "wb");
	assert_non_null(g);
	assert_int_equal(gzwrite(g, passwd, sizeof(passwd) - 1), (int)sizeof(passwd) - 1);
	assert_int_equal(gzclose(g), Z_OK);
	assert_not_a_log(gz, "none of its 4 lines is a procscope record");
	/* the summary, not the log: a procscope file, still not an event log */
	snprintf(json, sizeof(json), "%s/summary.json", good.dir);
	assert_int_equal(exit_code(integ_run(demo, good.live, good.err)), 0);
	assert_int_equal(report(&good, json, NULL), 1);
	assert_true(file_has(good.err, "not a procscope event log (none of its "));
	/* a line of garbage before a real log: the log, damaged, its problems in order */
	damage_line(good.tmp, 1, "root:x:0:0:root:/root:/bin/bash", true);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	assert_true(err_has(1, "not JSON: unexpected character at column 1: skipped"));
	assert_true(err_has(0, "the log is damaged (1 bad line)"));
	assert_tree_intact(&good);
}

static void test_report__binary_garbage(void **state)
{
	char buf[8192];
	uint32_t x = 2463534242u;
	size_t i, lines = 0, len;
	char *err, *p, *s, *d, *nl;

	for (i = 0; i < sizeof(buf); i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift: the same bytes every run */
		buf[i] = (char)x;
	}
	need_good();
	write_text(good.tmp, buf, sizeof(buf));
	/* no record in it: one line says it is no log, never the garbage itself */
	assert_int_equal(report(&good, good.tmp, NULL), 1);
	err = integ_slurp(good.err, NULL);
	for (p = err; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(lines, 1);
	assert_non_null(strstr(err, "not a procscope event log (none of its "));
	for (p = err; *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	free(err);
	/* the same garbage after a real log's first record: damage, at most 10 lines + a count */
	s = integ_slurp(good.log, &len);
	nl = strchr(s, '\n');
	assert_non_null(nl);
	d = malloc(len + sizeof(buf));
	assert_non_null(d);
	memcpy(d, s, (size_t)(nl + 1 - s));
	memcpy(d + (nl + 1 - s), buf, sizeof(buf));
	memcpy(d + (nl + 1 - s) + sizeof(buf), nl + 1, len - (size_t)(nl + 1 - s));
	write_text(good.tmp, d, len + sizeof(buf));
	free(d);
	free(s);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	err = integ_slurp(good.err, NULL);
	for (lines = 0, p = err; (p = strchr(p, '\n')); p++)
		lines++;
	assert_true(lines <= 14);
	assert_true(err_has(2, "not JSON"));
	assert_non_null(strstr(err, "more problems not shown (-v shows them)"));
	for (p = err; *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	free(err);
	assert_tree_intact(&good);
}

static void test_report__gzip_and_stdin(void **state)
{
	char want[160];
	gzFile gz;
	size_t len;
	char *s;
	pid_t pid;
	int st;

	need_good();
	s = integ_slurp(good.log, &len);
	assert_int_equal(report(&good, good.log, NULL), 0);
	snprintf(want, sizeof(want), "%s/want.txt", good.dir);
	assert_int_equal(rename(good.out, want), 0);
	gz = gzopen(good.tmp, "wb");
	assert_non_null(gz);
	assert_int_equal(gzwrite(gz, s, (unsigned int)len), (int)len);
	assert_int_equal(gzclose(gz), Z_OK);
	free(s);
	assert_int_equal(report(&good, good.tmp, NULL), 0);
	assert_true(same_file(want, good.out));
	assert_tree_intact(&good);
	/* '-': the gzip log from stdin */
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open(good.tmp, O_RDONLY), out = open(good.out, O_WRONLY | O_TRUNC);

		if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0)
			_exit(126);
		execl(integ_procscope(), "procscope", "report", "-", (char *)NULL);
		_exit(126);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(exit_code(st), 0);
	assert_true(same_file(want, good.out));
}

static void test_report__filters_and_sections(void **state)
{
	char *s;

	need_good();
	/* sections: only the zombies */
	assert_int_equal(report(&good, good.log, "--zombies", NULL), 0);
	s = integ_slurp(good.out, NULL);
	assert_null(strstr(s, "Process tree"));
	assert_null(strstr(s, "Orphans"));
	assert_non_null(strstr(s, "Zombies (exit -> reap"));
	assert_non_null(strstr(s, "Counts:"));
	free(s);
	/* a subtree by name: the grandchild's parent and the grandchild, no other child */
	assert_int_equal(report(&good, good.log, "--comm", "grandchild", "--tree", NULL), 0);
	s = integ_slurp(good.out, NULL);
	assert_non_null(strstr(s, "grandchild("));
	assert_null(strstr(s, "killed by SIGTERM"));
	assert_non_null(strstr(s, "Counts (selected processes): 1 processes"));
	free(s);
	/* JSON: only the asked-for sections, and the filter said */
	assert_int_equal(report(&good, good.log, "--format", "json", "--orphans", NULL), 0);
	s = integ_slurp(good.out, NULL);
	assert_null(strstr(s, "\"processes\""));
	assert_non_null(strstr(s, "\"orphans\": []"));
	assert_non_null(strstr(s, "\"sections\": [\n      \"orphans\"\n    ]"));
	free(s);
	/* the window: nothing after 0 s, so no fork of the demo yet */
	assert_int_equal(report(&good, good.log, "--until", "0", NULL), 0);
	assert_true(file_has(good.out, "Counts: 0 forks"));
}

/*
 * valgrind sees what ASan does not (uninitialised reads) in the binary as shipped: report of a
 * real log touching every group, damaged at its end too, with no leak and no error.
 */
static void test_report__valgrind_clean(void **state)
{
	struct files f;
	char vlog[160], json[160];
	char *demo[] = { (char *)integ_procscope(),
			 (char *)"demo",
			 (char *)"-q",
			 (char *)"-o",
			 NULL,
			 (char *)"unix-stream",
			 NULL };
	char *vg[] = { (char *)"/usr/bin/valgrind",
		       (char *)"--error-exitcode=99",
		       (char *)"--leak-check=full",
		       (char *)"--errors-for-leak-kinds=all",
		       (char *)"--show-leak-kinds=all",
		       NULL,
		       (char *)integ_procscope(),
		       (char *)"report",
		       (char *)"--perfetto",
		       json,
		       NULL,
		       NULL };
	size_t len;
	char *s;
	int status;

	if (access("/usr/bin/valgrind", X_OK))
		fail_msg("valgrind is missing: scripts/install-deps.sh installs it");
	files_init(&f);
	demo[4] = f.log;
	assert_int_equal(exit_code(integ_run(demo, f.live, f.err)), 0);
	snprintf(vlog, sizeof(vlog), "--log-file=%s.vg", f.log);
	snprintf(json, sizeof(json), "%s.perfetto.json", f.log);
	vg[5] = vlog;
	vg[10] = f.log;
	status = integ_run(vg, f.live, f.err);
	s = integ_slurp(vlog + strlen("--log-file="), &len);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "%s\n", s);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(s, "ERROR SUMMARY: 0 errors"));
	assert_non_null(strstr(s, "All heap blocks were freed"));
	free(s);
	/* a cut trailer: the damaged path too (exit 3 is the damage, not valgrind's 99) */
	s = integ_slurp(f.log, &len);
	write_text(f.tmp, s, len - 30);
	free(s);
	vg[10] = f.tmp;
	status = integ_run(vg, f.live, f.err);
	s = integ_slurp(vlog + strlen("--log-file="), &len);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 3)
		fprintf(stderr, "%s\n", s);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_non_null(strstr(s, "ERROR SUMMARY: 0 errors"));
	free(s);
	files_cleanup(&f);
}

/*
 * The good log with the first line holding @needle edited: its first @from replaced by @to.
 * Returns the line's number (from 1).
 */
static size_t edit_line(const char *needle, const char *from, const char *to)
{
	size_t len, n = line_of(needle), i;
	char *s = integ_slurp(good.log, &len), *p = s, *at, *d;

	for (i = 1; i < n; i++)
		p = strchr(p, '\n') + 1;
	at = strstr(p, from);
	assert_non_null(at);
	assert_true(at < strchr(p, '\n'));
	d = malloc(len + strlen(to) + 1);
	assert_non_null(d);
	memcpy(d, s, (size_t)(at - s));
	memcpy(d + (at - s), to, strlen(to));
	memcpy(d + (at - s) + strlen(to), at + strlen(from), len - (size_t)(at - s) - strlen(from));
	write_text(good.tmp, d, len - strlen(from) + strlen(to));
	free(s);
	free(d);
	return n;
}

/* A process event naming pid 0 is one bad record: skipped, the rest is read (#11) */
static void test_report__pid_zero(void **state)
{
	static const char *const types[] = { "exec", "exit", "reap" };
	/* the demo's own exit: a grandchild's would take the name it set with prctl */
	static const char *const needles[] = { "{\"type\":\"exec\"",
					       "\"exit_status\":0,\"comm\":\"fork\"",
					       "{\"type\":\"reap\"" };
	char msg[96], pid[32];
	const char *needle;
	size_t i, n;
	char *s, *at;

	need_good();
	for (i = 0; i < 3; i++) {
		needle = needles[i];
		s = integ_slurp(good.log, NULL);
		at = strstr(s, needle);
		assert_non_null(at);
		while (at > s && at[-1] != '\n')
			at--;
		at = strstr(at, ",\"pid\":");
		assert_non_null(at);
		snprintf(pid, sizeof(pid), "%.*s", (int)(strchr(at + 1, ',') - at), at);
		free(s);
		n = edit_line(needle, pid, ",\"pid\":0");
		assert_int_equal(report(&good, good.tmp, NULL), 3);
		snprintf(msg, sizeof(msg), "a '%s' record that names pid 0: skipped", types[i]);
		assert_true(err_has(n, msg));
		assert_true(err_has(0, "the log is damaged (1 bad line"));
		assert_false(file_has_quiet(good.err, "out of memory"));
		assert_tree_intact(&good);
	}
}

/* A line moved later is older than those before it: damaged, and said where (#11) */
static void test_report__reordered_lines(void **state)
{
	char *s, *line, *nl, *after;
	size_t n, len;

	need_good();
	/* the exec line moved after the first reap */
	n = line_of("{\"type\":\"exec\"");
	s = integ_slurp(good.log, &len);
	line = strstr(s, "{\"type\":\"exec\"");
	nl = strchr(line, '\n') + 1;
	after = strchr(strstr(s, "{\"type\":\"reap\""), '\n') + 1;
	{
		size_t ll = (size_t)(nl - line);
		char *copy = strndup(line, ll);

		memmove(line, nl, (size_t)(after - nl));
		memcpy(after - ll, copy, ll);
		free(copy);
	}
	write_text(good.tmp, s, len);
	free(s);
	assert_int_equal(report(&good, good.log, NULL), 0);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	n = line_of("{\"type\":\"reap\"");
	assert_true(err_has(n, "1 event is older than one before it, the first here (the tracer "
			       "saw 0): lines were moved; the summary may be wrong"));
	assert_true(err_has(0, "the log is damaged (1 event out of order)"));
	assert_int_equal(report(&good, good.tmp, "--format", "json", NULL), 3);
	assert_true(file_has(good.out, "\"out_of_order\": 1"));
}

/* A repeated line is not a missing one (#11) */
static void test_report__repeated_line(void **state)
{
	char *s, *line;
	size_t n;

	need_good();
	n = line_of("{\"type\":\"poll_wait\"");
	s = integ_slurp(good.log, NULL);
	line = strstr(s, "{\"type\":\"poll_wait\"");
	*strchr(line, '\n') = '\0';
	damage_line(good.tmp, n, line, true);
	free(s);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	assert_true(file_has(good.err, "lines are repeated or were added"));
	assert_false(file_has_quiet(good.err, "missing"));
	assert_true(err_has(0, "the log is damaged (1 event too many)"));
	assert_tree_intact(&good);
}

/* Two logs joined: the summary covers the first, and the count says so (#11) */
static void test_report__joined_logs_count(void **state)
{
	char want[192];
	size_t len;
	char *s, *d;

	need_good();
	s = integ_slurp(good.log, &len);
	d = malloc(2 * len);
	assert_non_null(d);
	memcpy(d, s, len);
	memcpy(d + len, s, len);
	write_text(good.tmp, d, 2 * len);
	free(s);
	free(d);
	assert_int_equal(report(&good, good.tmp, NULL), 3);
	snprintf(want, sizeof(want),
		 "the summary covers the %zu records that could be used (%zu more ignored)",
		 good_lines, good_lines);
	assert_true(file_has(good.err, want));
	assert_tree_intact(&good);
}

/* An editor's byte order mark does not cost the header (#11) */
static void test_report__utf8_bom(void **state)
{
	char want[160];
	size_t len;
	char *s, *d;

	need_good();
	assert_int_equal(report(&good, good.log, NULL), 0);
	snprintf(want, sizeof(want), "%s/want.txt", good.dir);
	assert_int_equal(rename(good.out, want), 0);
	s = integ_slurp(good.log, &len);
	d = malloc(len + 3);
	assert_non_null(d);
	memcpy(d, "\xef\xbb\xbf", 3);
	memcpy(d + 3, s, len);
	write_text(good.tmp, d, len + 3);
	free(s);
	free(d);
	assert_int_equal(report(&good, good.tmp, NULL), 0);
	assert_true(same_file(want, good.out));
}

/* A version too big for 64 bits is newer, not a bad header (#11) */
static void test_report__huge_version(void **state)
{
	static const char *const huge[] = { "\"version\":18446744073709551615,",
					    "\"version\":99999999999999999999999999,",
					    "\"version\":1e400," };
	size_t i;

	need_good();
	for (i = 0; i < 3; i++) {
		edit_line("{\"type\":\"header\"", "\"version\":1,", huge[i]);
		assert_int_equal(report(&good, good.tmp, NULL), 3);
		assert_true(err_has(1, "log format version 18446744073709551615"));
		assert_false(file_has_quiet(good.err, "no header"));
		assert_tree_intact(&good);
	}
}

/*
 * A long read shows its progress on a terminal: a percentage on stderr, wiped before the
 * summary; with stderr not a terminal, nothing. (script(1) gives report a terminal.)
 */
static void test_report__progress_on_terminal(void **state)
{
	struct files f;
	char cmd[512], tty_out[160];
	char *trace[] = { (char *)integ_procscope(),
			  (char *)"trace",
			  (char *)"-q",
			  (char *)"--no-summary",
			  (char *)"-o",
			  NULL,
			  (char *)"--",
			  (char *)"/bin/sh",
			  (char *)"-c",
			  (char *)"i=0; while [ $i -lt 1500 ]; do /bin/true; i=$((i+1)); done",
			  NULL };
	char *s;
	size_t len;

	if (access("/usr/bin/script", X_OK))
		fail_msg("script(1) is missing: util-linux has it");
	files_init(&f);
	trace[5] = f.log;
	assert_int_equal(exit_code(integ_run(trace, f.live, f.err)), 0);
	/* not a terminal: not a byte on stderr */
	assert_int_equal(report(&f, f.log, NULL), 0);
	s = integ_slurp(f.err, &len);
	assert_int_equal(len, 0);
	free(s);
	/* a terminal: "procscope: reading LOG: N%", then the line wiped */
	snprintf(tty_out, sizeof(tty_out), "%s/tty", f.dir);
	snprintf(cmd, sizeof(cmd), "/usr/bin/script -qec '%s report %s >/dev/null' /dev/null >%s",
		 integ_procscope(), f.log, tty_out);
	assert_int_equal(system(cmd), 0);
	s = integ_slurp(tty_out, &len);
	assert_non_null(strstr(s, "\rprocscope: reading "));
	assert_non_null(strstr(s, "%"));
	assert_non_null(strstr(s, "\r\033[K"));
	free(s);
	files_cleanup(&f);
}

/* `procscope report -v LOG` with stdout and stderr to files: its peak RSS in KiB, *@code its exit */
static long report_v_rss(const struct files *f, const char *log, int *code)
{
	char *argv[] = { (char *)integ_procscope(), (char *)"report", (char *)"-v", (char *)log,
			 NULL };
	struct rusage ru;
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(f->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(126);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		assert_int_equal(errno, EINTR);
	*code = exit_code(status);
	return ru.ru_maxrss;
}

/*
 * -v shows every problem, but until a line is a procscope record its problems wait (a file
 * with none is no log, said in one line): a huge file that is no log must not fill the
 * memory with them. The first 1000 wait; the rest are counted, and said once it is a log.
 */
static void test_report__verbose_keeps_few_problems(void **state)
{
	const size_t bad = 400000, kept = 1000;
	char want[320], prefix[160];
	size_t len, good_len, shown = 0, i;
	char *s, *g, *p;
	long rss;
	int code;

	need_good();
	g = integ_slurp(good.log, &good_len);
	s = malloc(bad * 2 + good_len);
	assert_non_null(s);
	for (i = 0; i < bad; i++)
		memcpy(s + 2 * i, "x\n", 2);
	write_text(good.tmp, s, bad * 2);
	rss = report_v_rss(&good, good.tmp, &code);
	assert_int_equal(code, 1);
	snprintf(want, sizeof(want),
		 "procscope: failed to read '%s': not a procscope event log (none of its %zu "
		 "lines is a procscope record)\n",
		 good.tmp, bad);
	p = integ_slurp(good.err, &len);
	if (strcmp(p, want))
		fail_msg("stderr is\n%.2000s\nwant exactly\n%s", p, want);
	free(p);
	/* what report holds otherwise: a few MiB of batches; 400k held messages are ~50 MiB */
	if (rss > 24 * 1024)
		fail_msg("report -v of %zu lines that are no log: peak RSS %ld KiB", bad, rss);
	/* the same garbage before a real log: the first 1000 shown, the rest counted */
	memcpy(s + bad * 2, g, good_len);
	write_text(good.tmp, s, bad * 2 + good_len);
	free(s);
	free(g);
	report_v_rss(&good, good.tmp, &code);
	assert_int_equal(code, 3);
	snprintf(prefix, sizeof(prefix), "procscope: %s:", good.tmp);
	s = integ_slurp(good.err, &len);
	for (p = s; (p = strstr(p, prefix)); p += strlen(prefix))
		shown += p[strlen(prefix)] >= '1' && p[strlen(prefix)] <= '9';
	free(s);
	assert_int_equal(shown, kept);
	snprintf(want, sizeof(want),
		 "%zu more problems before the first record not shown (the first %zu are)",
		 bad - kept, kept);
	assert_true(err_has(0, want));
	snprintf(want, sizeof(want), "the log is damaged (%zu bad lines)", bad);
	assert_true(err_has(0, want));
	assert_tree_intact(&good);
}

static void test_report__usage_and_io_errors(void **state)
{
	need_good();
	assert_int_equal(report(&good, "/nonexistent/log.jsonl", NULL), 1);
	assert_true(file_has(good.err, "procscope: failed to open '/nonexistent/log.jsonl': No "
				       "such file or directory"));
	assert_int_equal(report(&good, good.log, "--format", "xml", NULL), 2);
	assert_true(file_has(good.err, "unknown format 'xml'"));
	assert_int_equal(report(&good, good.log, "--since", "2", "--until", "1", NULL), 2);
	assert_int_equal(report(&good, good.log, "-p", "0", NULL), 2);
	assert_true(file_has(good.err, "invalid pid '0'"));
	assert_int_equal(report(&good, good.dir, NULL), 1);
	assert_true(file_has(good.err, "Is a directory"));
}

/*
 * Last: no test left its scratch directory behind in /tmp (the shared one of the fork demo's
 * log goes now); those of a test that failed are removed here too, and named
 */
static void test_report__no_scratch_left(void **state)
{
	size_t i, left = 0;

	if (good_lines) {
		files_cleanup(&good);
		good_lines = 0;
	}
	for (i = 0; i < nmade; i++) {
		if (access(made_dirs[i], F_OK))
			continue;
		fprintf(stderr, "scratch directory %s was left behind\n", made_dirs[i]);
		integ_rmtree(made_dirs[i]);
		left++;
	}
	assert_true(nmade > 0);
	assert_int_equal(left, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report__every_demo_matches_live),
		cmocka_unit_test(test_report__progress_on_terminal),
		cmocka_unit_test(test_report__verbose_keeps_few_problems),
		cmocka_unit_test(test_report__trace_summary_json_and_gzip),
		cmocka_unit_test(test_report__truncated_last_line),
		cmocka_unit_test(test_report__corrupt_middle_line),
		cmocka_unit_test(test_report__unknown_type),
		cmocka_unit_test(test_report__newer_version),
		cmocka_unit_test(test_report__missing_header),
		cmocka_unit_test(test_report__empty_file),
		cmocka_unit_test(test_report__binary_garbage),
		cmocka_unit_test(test_report__not_a_log),
		cmocka_unit_test(test_report__gzip_and_stdin),
		cmocka_unit_test(test_report__filters_and_sections),
		cmocka_unit_test(test_report__pid_zero),
		cmocka_unit_test(test_report__reordered_lines),
		cmocka_unit_test(test_report__repeated_line),
		cmocka_unit_test(test_report__joined_logs_count),
		cmocka_unit_test(test_report__utf8_bom),
		cmocka_unit_test(test_report__huge_version),
		cmocka_unit_test(test_report__usage_and_io_errors),
		cmocka_unit_test(test_report__valgrind_clean),
		cmocka_unit_test(test_report__no_scratch_left),
	};

	if (!integ_can_trace()) {
		fprintf(stderr, "test_report: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, teardown);
}
