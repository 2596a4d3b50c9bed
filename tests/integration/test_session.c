// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Real BPF: the trace session as a user drives it. Several demos in one process, each checked
 * against the ground truth its workload wrote; what procscope itself causes (its hold, its reap,
 * its lookups) kept apart from the command; stop reasons and the exit status they give.
 */
#include "integ.h"

#include <signal.h>
#include <string.h>

struct run {
	char dir[64];
	char out[128];
	char err[128];
	char truth[128];
	int status;
};

static void run_setup(struct run *r)
{
	integ_tmpdir(r->dir, sizeof(r->dir));
	snprintf(r->out, sizeof(r->out), "%s/stdout", r->dir);
	snprintf(r->err, sizeof(r->err), "%s/stderr", r->dir);
	snprintf(r->truth, sizeof(r->truth), "%s/truth.jsonl", r->dir);
}

static void run_cleanup(struct run *r)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	if (system(cmd))
		fprintf(stderr, "failed to remove %s\n", r->dir);
}

static void dump_file(const char *what, const char *path)
{
	char *s = integ_slurp(path, NULL);

	fprintf(stderr, "---- %s ----\n%s\n----\n", what, s);
	free(s);
}

/* One line of the text summary's process tree */
struct tree_row {
	long pid;
	long parent; /* the row above at depth - 1; 0 for a top row */
	const char *line;
};

/*
 * Parse the "Process tree" block that starts after @from in @text (the rows are edited in
 * place: each ends at its newline). Depth is the prefix width in characters, 3 per level.
 * Returns the number of rows, or -1 if there is no tree.
 */
static int parse_tree(char *from, struct tree_row *rows, int max, char **end)
{
	char *p = strstr(from, "\nProcess tree (");
	long stack[64] = { 0 };
	int n = 0;

	if (!p)
		return -1;
	p = strchr(p + 1, '\n') + 1;
	while (*p && *p != '\n' && n < max) {
		char *nl = strchr(p, '\n'), *q = p, *open;
		int width = 0, depth;

		if (nl)
			*nl = '\0';
		/* the prefix: spaces and box-drawing characters (3 bytes each in UTF-8) */
		while (*q == ' ' || (unsigned char)*q == 0xe2) {
			q += *q == ' ' ? 1 : 3;
			width++;
		}
		depth = width / 3;
		open = strchr(q, '(');
		if (open && depth < 64) {
			rows[n].pid = strtol(open + 1, NULL, 10);
			rows[n].parent = depth ? stack[depth - 1] : 0;
			rows[n].line = p;
			stack[depth] = rows[n].pid;
			n++;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	*end = p;
	return n;
}

static const struct tree_row *tree_find(const struct tree_row *rows, int n, long pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (rows[i].pid == pid)
			return &rows[i];
	return NULL;
}

/* Does the row say how the process ended as the wait status @status does? */
static bool row_shows_status(const struct tree_row *row, int status)
{
	char want[64];
	const char *hit;

	if (WIFEXITED(status)) {
		snprintf(want, sizeof(want), "exit %d", WEXITSTATUS(status));
		hit = strstr(row->line, want);
		return hit && (hit[strlen(want)] == ',' || hit[strlen(want)] == '\0');
	}
	snprintf(want, sizeof(want), "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
	return strstr(row->line, want) != NULL;
}

/* Is a process of an earlier demo run still running (its cmdline has "demo --no-trace")? */
static bool demo_process_alive(long pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	for (i = 0; i < n; i++)
		buf[i] = buf[i] ? buf[i] : ' ';
	buf[n] = '\0';
	return strstr(buf, "demo --no-trace") != NULL;
}

/*
 * Each demo of @names, in its own section of stdout ("### demo NAME"), has a summary whose
 * process tree holds every process the workload forked, under the parent that forked it, ended
 * the way the parent's waitpid() saw it; the demo's root ended (not "still running"). When
 * procscope has returned, every demo has finished and none of its processes runs on.
 */
static void check_demos(const struct run *r, const char *const *names, size_t n)
{
	struct integ_log truth;
	char *out = integ_slurp(r->out, NULL), *cursor = out, *sec, *next, *end, head[96];
	static struct tree_row rows[512];
	size_t d, i;
	int nrows;

	integ_load(r->truth, &truth);
	assert_int_equal(truth.bad_lines, 0);
	for (i = 0; i < truth.n; i++)
		if (integ_has(truth.recs[i], "pid") &&
		    demo_process_alive(integ_i64(truth.recs[i], "pid"))) {
			integ_dump("a demo process runs on after procscope returned",
				   truth.recs[i]);
			fail();
		}
	for (d = 0; d < n; d++) {
		bool done = false;

		snprintf(head, sizeof(head), "\n### demo %s: ", names[d]);
		/* sections come in order; the rows of the last tree were cut at their newlines */
		sec = strstr(cursor, head);
		if (!sec)
			dump_file("stdout", r->out);
		assert_non_null(sec);
		sec += strlen(head);
		/* the section ends where the next begins: edit in place after finding it */
		next = strstr(sec, "\n### demo ");
		if (next)
			*next = '\0';
		nrows = parse_tree(sec, rows, (int)(sizeof(rows) / sizeof(rows[0])), &end);
		if (nrows <= 0)
			fprintf(stderr, "demo %s: no process tree in its section\n", names[d]);
		assert_true(nrows > 0);
		for (i = 0; i < truth.n; i++) {
			json_object *t = truth.recs[i];
			const struct tree_row *row;

			if (!integ_is(t, "demo", names[d]))
				continue;
			if (integ_is(t, "kind", "done")) {
				done = true;
			} else if (integ_is(t, "kind", "fork")) {
				row = tree_find(rows, nrows, integ_i64(t, "child"));
				if (!row || row->parent != integ_i64(t, "parent")) {
					fprintf(stderr, "demo %s: %s\n", names[d],
						row ? row->line : "(child not in the tree)");
					integ_dump("fork missing from the process tree", t);
				}
				assert_non_null(row);
				assert_int_equal(row->parent, integ_i64(t, "parent"));
			} else if (integ_is(t, "kind", "wait")) {
				row = tree_find(rows, nrows, integ_i64(t, "pid"));
				if (!row || !row_shows_status(row, (int)integ_i64(t, "status"))) {
					fprintf(stderr, "demo %s: %s\n", names[d],
						row ? row->line : "(not in the tree)");
					integ_dump("waitpid() status not in the tree", t);
				}
				assert_non_null(row);
				assert_true(row_shows_status(row, (int)integ_i64(t, "status")));
			} else if (integ_is(t, "kind", "proc") && integ_is(t, "role", "root")) {
				row = tree_find(rows, nrows, integ_i64(t, "pid"));
				assert_non_null(row);
				if (strstr(row->line, "still running") || !row_shows_status(row, 0))
					fprintf(stderr, "demo %s root: %s\n", names[d], row->line);
				assert_null(strstr(row->line, "still running"));
				assert_true(row_shows_status(row, 0));
			}
		}
		/* the demo finished (its "done" record) before procscope returned */
		if (!done)
			fprintf(stderr, "demo %s never finished\n", names[d]);
		assert_true(done);
		if (!next)
			break;
		*next = '\n';
		cursor = next;
	}
	assert_int_equal(d + 1, n);
	integ_free(&truth);
	free(out);
}

static void run_demos(struct run *r, const char *const *names, size_t n, bool all)
{
	char *argv[16];
	size_t i, a = 0;

	argv[a++] = (char *)integ_procscope();
	argv[a++] = (char *)"demo";
	argv[a++] = (char *)"--truth";
	argv[a++] = r->truth;
	for (i = 0; !all && i < n && a < 15; i++)
		argv[a++] = (char *)names[i];
	argv[a] = NULL;
	r->status = integ_run(argv, r->out, r->err);
	if (!WIFEXITED(r->status) || WEXITSTATUS(r->status) != 0)
		dump_file("stderr", r->err);
	assert_true(WIFEXITED(r->status));
	assert_int_equal(WEXITSTATUS(r->status), 0);
}

/* `procscope demo` as the README runs it: every demo, one process, each one traced whole */
static void test_session__all_demos_each_traced(void **state)
{
	const char *names[32];
	struct run r;
	size_t n = 0;
	char line[256];
	FILE *f;

	/* the demo table, as --list prints it: the first word of each line */
	snprintf(line, sizeof(line), "'%s' demo --list", integ_procscope());
	f = popen(line, "r");
	assert_non_null(f);
	while (n < 32 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \n")] = '\0';
		names[n++] = strdup(line);
	}
	assert_int_equal(pclose(f), 0);
	assert_true(n >= 4);
	run_setup(&r);
	run_demos(&r, names, n, true);
	check_demos(&r, names, n);
	run_cleanup(&r);
	while (n)
		free((char *)names[--n]);
}

/* The README's example with two names */
static void test_session__two_demos_each_traced(void **state)
{
	const char *const names[] = { "zombie", "epoll-server" };
	struct run r;

	run_setup(&r);
	run_demos(&r, names, 2, false);
	check_demos(&r, names, 2);
	run_cleanup(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session__all_demos_each_traced),
		cmocka_unit_test(test_session__two_demos_each_traced),
	};

	if (!integ_can_trace()) {
		fprintf(stderr, "test_session: needs root and /sys/kernel/btf/vmlinux\n");
		printf("[  SKIPPED ] %zu test(s)\n", sizeof(tests) / sizeof(tests[0]));
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
