// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for user/sinks/perfetto.c: synthetic event streams (fork tree, exec, zombies, an orphan,
 * threads in epoll_wait woken by a unix send, poll, loss, hostile names) through a model with
 * the Perfetto sink; the file is parsed with json-c and held to the Trace Event Format rules the
 * importers enforce (tests/lib/trace_rules.c). The rule checker is itself tested on broken
 * traces. The story and the builders are in tests/lib/tl_story.c, shared with test_svg.c.
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
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include <zlib.h>

#include "decode.h"
#include "epoll_tl.h"
#include "model.h"
#include "perfetto.h"
#include "svg.h"
#include "testlib.h"
#include "timeline.h"
#include "tl_story.h"
#include "trace_rules.h"
#if defined(__SANITIZE_ADDRESS__)
/* from libasan (gcc installs no sanitizer headers) */
size_t __sanitizer_get_current_allocated_bytes(void);
#else
#include <malloc.h>
#endif

/* ---- files ---- */

struct fx {
	char dir[64];
	char path[128];
	struct model *m;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/psc-perfetto.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/trace.json", f->dir);
	f->m = model_new();
	assert_non_null(f->m);
	f->m->meta.boottime_base_ns = BASE;
	snprintf(f->m->meta.mode, sizeof(f->m->meta.mode), "command");
	snprintf(f->m->meta.command, sizeof(f->m->meta.command), "shell -c 'x\x1b'");
	/* the epoll group's ops live in epoll_print.o: keep it linked */
	assert_non_null(&epoll_group_ops);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	model_free(f->m);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd))
		fprintf(stderr, "failed to remove %s\n", f->dir);
	free(f);
	return 0;
}

/* Load, check, and hand back the parsed array (caller puts it) */
static json_object *load_checked(const char *path)
{
	char why[256];
	size_t len;
	char *raw = tl_slurp(path, &len);
	json_object *root;

	if (te_check_trace(raw, len, why, sizeof(why))) {
		fprintf(stderr, "%s: %s\n", path, why);
		fail_msg("trace rules broken: %s", why);
	}
	root = json_tokener_parse(raw);
	free(raw);
	assert_non_null(root);
	return root;
}

static struct sink *run_story(struct fx *f, const char *path)
{
	struct sink *s = perfetto_sink_new(path);

	assert_non_null(s);
	model_add_sink(f->m, s);
	tl_story(f->m);
	assert_int_equal(model_finish(f->m, END), 0);
	return s;
}

/* ---- the checker catches what it should ---- */

static void expect_rejected(const char *json, const char *needle)
{
	char why[256];

	assert_int_equal(te_check_trace(json, strlen(json), why, sizeof(why)), -1);
	if (!strstr(why, needle))
		fail_msg("rejected for '%s', expected '%s'", why, needle);
}

#define NAMES                                                                                 \
	"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":1,\"args\":{\"name\":\"a " \
	"(1)\"}},{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":1,\"args\":{"       \
	"\"name\":\"a (1)\"}},{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,"    \
	"\"args\":{\"name\":\"a (2)\"}}"

static void test_perfetto__checker_rejects_broken_traces(void **state)
{
	char ok[] =
		"[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,\"dur\":10},"
		"{\"ph\":\"X\",\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":1,\"dur\":2},"
		"{\"ph\":\"X\",\"name\":\"c\",\"pid\":1,\"tid\":2,\"ts\":5,\"dur\":2},"
		"{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,\"tid\":1,\"ts\":"
		"1.5},{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
		"\"tid\":2,\"ts\":6}]";
	char why[256];

	assert_int_equal(te_check_trace(ok, strlen(ok), why, sizeof(why)), 0);
	expect_rejected("[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
			"\"dur\":10},{\"ph\":\"X\",\"name\":\"b\",\"pid\":1,\"tid\":1,\"ts\":5,"
			"\"dur\":10}]",
			"overlap");
	expect_rejected("[" NAMES ",{\"ph\":\"X\",\"name\":\"a\x01\",\"pid\":1,\"tid\":1,\"ts\":0,"
			"\"dur\":1}]",
			"control byte");
	expect_rejected("[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
			"\"dur\":10},{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
			"\"tid\":1,\"ts\":1}]",
			"0 ends");
	expect_rejected(
		"[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
		"\"dur\":10},{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
		"\"tid\":1,\"ts\":1},{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"w\",\"cat\":\"u\","
		"\"id\":1,\"pid\":1,\"tid\":2,\"ts\":2}]",
		"in no slice");
	expect_rejected(
		"[" NAMES ",{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,"
		"\"dur\":10},{\"ph\":\"s\",\"name\":\"w\",\"cat\":\"u\",\"id\":1,\"pid\":1,"
		"\"tid\":1,\"ts\":5},{\"ph\":\"f\",\"bp\":\"e\",\"name\":\"w\",\"cat\":\"u\","
		"\"id\":1,\"pid\":1,\"tid\":1,\"ts\":4}]",
		"ends before it starts");
	expect_rejected("[" NAMES ",{\"ph\":\"b\",\"name\":\"z\",\"cat\":\"p\",\"id\":3,\"pid\":1,"
			"\"tid\":1,\"ts\":0}]",
			"0 ends");
	expect_rejected("[" NAMES ",{\"ph\":\"B\",\"name\":\"z\",\"pid\":1,\"tid\":1,\"ts\":0}]",
			"B without E");
	expect_rejected("[{\"ph\":\"X\",\"name\":\"a\",\"pid\":9,\"tid\":9,\"ts\":0,\"dur\":1}]",
			"no process or thread name");
	expect_rejected("[{\"ph\":\"X\",\"name\":\"a\",\"pid\":9,\"tid\":9,\"ts\":-1,\"dur\":1}]",
			"ts < 0");
}

/* ---- the sink ---- */

static void test_perfetto__story_follows_the_rules(void **state)
{
	struct fx *f = *state;
	json_object *root, *o, *a;
	size_t count;

	run_story(f, f->path);
	root = load_checked(f->path);
	/* tracks named "comm (pid)", threads too */
	assert_string_equal(te_meta_name(root, "process_name", 200, 0), "server (200)");
	assert_string_equal(te_meta_name(root, "process_name", 1, 0), "init (1)");
	assert_string_equal(te_meta_name(root, "thread_name", 200, 210), "server (210)");
	assert_string_equal(te_meta_name(root, "process_name", 203, 0), "server (203)");
	/* tree order: init, shell, server, its children by start; the orphan under its forker */
	assert_true(te_sort_index(root, 1) < te_sort_index(root, 100));
	assert_true(te_sort_index(root, 100) < te_sort_index(root, 200));
	assert_true(te_sort_index(root, 200) < te_sort_index(root, 201));
	assert_true(te_sort_index(root, 201) < te_sort_index(root, 202));
	assert_int_equal(te_sort_index(root, 203), te_sort_index(root, 202) + 1);
	assert_true(te_sort_index(root, 203) < te_sort_index(root, 204));
	/* one lifetime slice per process; the living ones close at the end of the trace */
	o = te_find(root, 'X', "server", 200, 200, &count);
	assert_non_null(o);
	assert_int_equal(count, 1);
	assert_int_equal(te_ns(o, "ts"), (int64_t)(P200 - BASE));
	assert_int_equal(te_ns(o, "ts") + te_ns(o, "dur"), (int64_t)(END - BASE));
	assert_string_equal(te_str(te_args(o), "end"), "still running");
	o = te_find(root, 'X', "init", 1, 1, NULL);
	assert_non_null(o);
	assert_int_equal(te_ns(o, "ts"), 0);
	assert_true(json_object_get_boolean(
		json_object_object_get(te_args(o), "started_before_trace")));
	o = te_find(root, 'X', "worker", 201, 201, NULL);
	assert_non_null(o);
	assert_int_equal(te_ns(o, "ts") + te_ns(o, "dur"), (int64_t)(T(20) - BASE));
	assert_string_equal(te_str(te_args(o), "end"), "exit 3");
	/* the zombie interval: async, 300 ms, reaped by server */
	o = te_find(root, 'b', "zombie", 201, 0, &count);
	assert_non_null(o);
	assert_int_equal(count, 1);
	assert_int_equal(te_ns(o, "ts"), (int64_t)(T(20) - BASE));
	o = te_find(root, 'e', "zombie", 201, 0, NULL);
	assert_non_null(o);
	assert_int_equal(te_ns(o, "ts"), (int64_t)(T(320) - BASE));
	assert_string_equal(te_str(te_args(o), "reaped_by"), "server (200)");
	/* auto-reaped: no zombie; a zombie from before the trace: from 0 to its release */
	assert_null(te_find(root, 'b', "zombie", 205, 0, NULL));
	assert_null(te_find(root, 'X', "defunct", 150, 0, NULL));
	o = te_find(root, 'b', "zombie", 150, 0, NULL);
	assert_non_null(o);
	assert_int_equal(te_ns(o, "ts"), 0);
	assert_int_equal(te_ns(te_find(root, 'e', "zombie", 150, 0, NULL), "ts"),
			 (int64_t)(T(80) - BASE));
	/* instants: fork, exec, exit, orphan, reap */
	assert_non_null(te_find(root, 'i', "fork", 201, 201, NULL));
	o = te_find(root, 'i', "exec", 200, 200, NULL);
	assert_non_null(o);
	assert_string_equal(te_str(te_args(o), "filename"), "/usr/bin/server");
	a = json_object_object_get(te_args(o), "argv");
	assert_int_equal(json_object_array_length(a), 3);
	assert_string_equal(json_object_get_string(json_object_array_get_idx(a, 2)), "8080");
	assert_non_null(te_find(root, 'i', "exit 3", 201, 201, NULL));
	assert_non_null(te_find(root, 'i', "killed by SIGKILL", 204, 204, NULL));
	o = te_find(root, 'i', "orphaned", 203, 203, NULL);
	assert_non_null(o);
	assert_int_equal(te_ns(o, "ts"), (int64_t)(T(14) - BASE));
	assert_string_equal(te_str(te_args(o), "old_parent"), "server (202)");
	assert_string_equal(te_str(te_args(o), "adopted_by"), "init (1)");
	assert_non_null(te_find(root, 'i', "reap", 200, 200, NULL));
	/* the waits, per thread, with their ready fds and who woke them */
	o = te_find(root, 'X', "epoll_wait", 200, 210, &count);
	assert_non_null(o);
	assert_int_equal(count, 2);
	assert_int_equal(te_ns(o, "ts"), (int64_t)(T(4) - BASE));
	assert_int_equal(te_ns(o, "dur"), (int64_t)(T(10.02) - T(4)));
	a = json_object_array_get_idx(json_object_object_get(te_args(o), "ready"), 0);
	assert_non_null(a);
	assert_int_equal(json_object_get_int(json_object_object_get(a, "fd")), 5);
	assert_string_equal(te_str(a, "events"), "IN");
	a = json_object_array_get_idx(json_object_object_get(te_args(o), "woken_by"), 0);
	assert_non_null(a);
	assert_string_equal(te_str(a, "sender"), "worker (201)");
	assert_non_null(te_find(root, 'X', "epoll_wait", 200, 200, NULL));
	assert_non_null(te_find(root, 'X', "ppoll", 200, 200, NULL));
	/* flows: send -> wait, and one per process fork */
	o = te_find(root, 's', "wakeup", 201, 201, &count);
	assert_non_null(o);
	assert_int_equal(count, 1);
	assert_non_null(te_find(root, 'f', "wakeup", 200, 210, NULL));
	assert_non_null(te_find(root, 'X', "unix send", 201, 201, NULL));
	te_find(root, 's', "fork", 0, 0, &count);
	assert_int_equal(count, 6);
	assert_non_null(te_find(root, 'f', "fork", 203, 203, NULL));
	/* loss and the trace's own markers */
	o = te_find(root, 'i', "events lost", 0, 0, NULL);
	assert_non_null(o);
	assert_int_equal(json_object_get_int(json_object_object_get(te_args(o), "total")), 3);
	assert_non_null(te_find(root, 'i', "procscope trace start", 0, 0, NULL));
	o = te_find(root, 'i', "procscope trace end", 0, 0, NULL);
	assert_non_null(o);
	assert_int_equal(te_ns(o, "ts"), (int64_t)(END - BASE));
	assert_int_equal(json_object_get_int(json_object_object_get(te_args(o), "flows_dropped")),
			 0);
	json_object_put(root);
}

static void test_perfetto__hostile_names_are_escaped(void **state)
{
	struct fx *f = *state;
	json_object *root, *o;
	const char *name;
	char *raw;
	size_t len;

	run_story(f, f->path);
	raw = tl_slurp(f->path, &len);
	/* the raw bytes of the name never reach the file */
	assert_null(memmem(raw, len, "\x1b[2J", 4));
	assert_null(memmem(raw, len, "\x01", 1));
	assert_null(memmem(raw, len, "\xff", 1));
	assert_non_null(strstr(raw, "\\u001b[2J"));
	free(raw);
	root = load_checked(f->path);
	name = te_meta_name(root, "process_name", 204, 0);
	assert_non_null(name);
	/* json-c gives back the bytes; the invalid 0xff became U+FFFD */
	assert_string_equal(name, "q\"b\\n\n\x1b[2J\t\x01\xef\xbf\xbd (204)");
	o = te_find(root, 'i', "exec", 204, 204, NULL);
	assert_non_null(o);
	assert_string_equal(te_str(te_args(o), "filename"), "/tmp/<script>&\"x\x1b[31m");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
				    json_object_object_get(te_args(o), "argv"), 0)),
			    "a\x07"
			    "b");
	json_object_put(root);
}

static void test_perfetto__gzip_when_the_name_ends_in_gz(void **state)
{
	struct fx *f = *state;
	unsigned char magic[2] = { 0 };
	json_object *root;
	char path[160];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/trace.json.gz", f->dir);
	run_story(f, path);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(magic, 1, 2, fp), 2);
	fclose(fp);
	assert_int_equal(magic[0], 0x1f);
	assert_int_equal(magic[1], 0x8b);
	root = load_checked(path);
	assert_non_null(te_find(root, 'b', "zombie", 201, 0, NULL));
	json_object_put(root);
}

/* Events reach the file before finish, and a trace cut short is a loadable array prefix */
static void test_perfetto__streams_before_finish(void **state)
{
	struct fx *f = *state;
	struct sink *s = perfetto_sink_new(f->path);
	char *raw, *cut, why[256];
	struct stat st;
	size_t len;

	assert_non_null(s);
	model_add_sink(f->m, s);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	tl_story(f->m);
	assert_int_equal(model_flush(f->m), 0);
	raw = tl_slurp(f->path, &len);
	assert_true(len > 1000);
	assert_int_equal(strncmp(raw, "[\n{", 3), 0);
	assert_non_null(strstr(raw, "\"zombie\""));
	/* what is on disk ends with a whole event: close the array and it parses */
	cut = malloc(len + 4);
	assert_non_null(cut);
	memcpy(cut, raw, len);
	memcpy(cut + len, "\n]", 3);
	assert_non_null(strstr(cut, "}\n]"));
	{
		json_object *o = json_tokener_parse(cut);

		assert_non_null(o);
		assert_true(json_object_is_type(o, json_type_array));
		json_object_put(o);
	}
	(void)why;
	free(cut);
	free(raw);
}

static void test_perfetto__create_errors(void **state)
{
	struct fx *f = *state;
	char link[160];

	errno = 0;
	assert_null(perfetto_sink_new("/nonexistent-dir/x.json"));
	assert_int_equal(errno, ENOENT);
	snprintf(link, sizeof(link), "%s/link.json", f->dir);
	assert_int_equal(symlink("/tmp/psc-should-not-exist.json", link), 0);
	errno = 0;
	assert_null(perfetto_sink_new(link));
	assert_int_equal(errno, ELOOP);
	assert_int_not_equal(access("/tmp/psc-should-not-exist.json", F_OK), 0);
}

/*
 * Hundreds of processes in a deep chain and a wide fan, threads forking at the same ns as
 * their waits begin: still valid, and slices moved rather than overlapped.
 */
static void test_perfetto__crowded_and_tied_timestamps(void **state)
{
	struct fx *f = *state;
	struct sink *s = perfetto_sink_new(f->path);
	json_object *root, *o;
	uint64_t start[700];
	uint32_t pid;
	size_t count;

	assert_non_null(s);
	model_add_sink(f->m, s);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	start[0] = ST(1);
	/* a chain 2 <- 3 <- ... <- 301 and a fan of 302..699 under init */
	for (pid = 2; pid < 700; pid++) {
		uint32_t parent = pid <= 301 ? pid - 1 : 1;
		uint64_t ts = T(1) + pid * 10 * US;

		ev_fork(f->m, ts, parent, parent == 1 ? ST(1) : start[parent - 1], parent, pid,
			"p");
		start[pid - 1] = ts - 2 * US;
		/* the parent's next wait begins 10 ns after the fork: it must move */
		ev_epoll_wait(f->m, ts + 20 * US, parent, parent == 1 ? ST(1) : start[parent - 1],
			      parent, ts + 10, 3, -1);
	}
	for (pid = 302; pid < 700; pid += 2)
		ev_exit(f->m, T(100) + pid * US, pid, start[pid - 1], 0, 0, 1, ST(1), 0, 0);
	assert_int_equal(model_finish(f->m, T(200)), 0);
	root = load_checked(f->path);
	te_find(root, 'M', "process_name", 0, 0, &count);
	assert_int_equal(count, 699);
	assert_int_equal(te_sort_index(root, 301), 300); /* the chain is depth-first */
	o = te_find(root, 'i', "procscope trace end", 0, 0, NULL);
	assert_true(json_object_get_int(json_object_object_get(te_args(o), "slices_moved")) > 0);
	te_find(root, 'b', "zombie", 0, 0, &count);
	assert_int_equal(count, 199);
	json_object_put(root);
}

/* A write error (a full disk, a file size limit) comes back from finish; whole events stay */
static void test_perfetto__write_error_is_reported(void **state)
{
	struct fx *f = *state;
	struct rlimit old, lim = { .rlim_cur = 4096, .rlim_max = RLIM_INFINITY };
	struct sink *s = perfetto_sink_new(f->path);
	char *raw;
	int err;

	assert_non_null(s);
	model_add_sink(f->m, s);
	tl_story(f->m);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	err = model_finish(f->m, END);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(err, -EFBIG);
	/* the partly written chunk was cut off: only the opening "[" made it */
	raw = tl_slurp(f->path, NULL);
	assert_string_equal(raw, "[\n");
	free(raw);
}

/* ---- long traces: retired processes, bounded memory ---- */

/*
 * A shell that ran @n short children, each reaped at once, from @ts on, while init ran as many
 * short threads that each waited once; returns the end
 */
static uint64_t short_children(struct model *m, uint64_t ts, uint32_t first, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++, ts += 100 * US) {
		uint32_t pid = first + i % 30000; /* pids recycle, as they do */
		uint32_t tid = 100000 + (first + i) % 4000000; /* pid_max can be 4M */

		ev_thread(m, ts, 1, ST(1), tid);
		ev_poll_wait(m, ts + 30 * US, 1, ST(1), tid, ts + 25 * US);
		ev_thread_exit(m, ts + 40 * US, 1, ST(1), tid);
		ev_fork(m, ts, 100, ST(100), 100, pid, "true");
		ev_exec(m, ts + 2 * US, pid, ts - 2 * US, "true", "/bin/true", "true", 5);
		ev_exit(m, ts + 10 * US, pid, ts - 2 * US, 0, 0, 100, ST(100), 0, 0);
		ev_reap(m, ts + 20 * US, 100, ST(100), pid, 0);
	}
	return ts;
}

/*
 * The tree order indexes by table position: seq keeps counting after reaped processes retired
 * (it once indexed arrays of the table's size by seq, and wrote past them).
 */
static void test_perfetto__tree_order_after_retirement(void **state)
{
	struct fx *f = *state;
	struct timeline_row *rows;
	struct proc *const *all;
	bool *seen;
	size_t n, nall, i;
	uint64_t ts;

	proctree_set_retain(f->m->tree, 8, 4);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	ev_seed(f->m, T(0), 100, ST(100), 1, ST(1), 'S', "shell");
	ts = short_children(f->m, T(1), 1000, 300);
	ev_fork(f->m, ts, 100, ST(100), 100, 2000, "shell");
	ev_fork(f->m, ts + MS, 2000, ts - 2 * US, 2000, 2001, "shell");
	assert_true(proctree_stats(f->m->tree)->retired >= 250);
	all = proctree_all(f->m->tree, &nall);
	assert_int_equal(timeline_tree_order(f->m, NULL, &rows, &n), 0);
	assert_int_equal(n, nall);
	seen = calloc(nall, sizeof(*seen));
	assert_non_null(seen);
	for (i = 0; i < n; i++) {
		const struct proc *p = rows[i].p, *fp = p->fork_parent;

		assert_true(p->pos < nall);
		assert_ptr_equal(all[p->pos], p);
		assert_false(seen[p->pos]);
		seen[p->pos] = true;
		/* parents first, children one level deeper */
		if (fp)
			assert_true(seen[fp->pos]);
		if (p->pid == 1)
			assert_int_equal(rows[i].depth, 0);
		if (p->pid == 2001)
			assert_int_equal(rows[i].depth, 3);
	}
	free(seen);
	free(rows);
}

/* With a command or -p, only the target's tree: no track for its ancestors or their acts */
static void test_perfetto__command_tree_only(void **state)
{
	struct fx *f = *state;
	json_object *root;

	f->m->meta.target_pid = 200;
	run_story(f, f->path);
	root = load_checked(f->path);
	assert_string_equal(te_meta_name(root, "process_name", 200, 0), "server (200)");
	assert_string_equal(te_meta_name(root, "process_name", 203, 0), "server (203)");
	assert_null(te_meta_name(root, "process_name", 1, 0));
	assert_null(te_meta_name(root, "process_name", 100, 0));
	assert_null(te_meta_name(root, "process_name", 150, 0));
	/* the shell forked the server: no marker on the shell's track */
	assert_null(te_find(root, 'X', "fork child", 100, 0, NULL));
	assert_null(te_find(root, 'X', "shell", 100, 100, NULL));
	/* inside the tree, the wake-up flow is still there */
	assert_non_null(te_find(root, 's', "wakeup", 201, 201, NULL));
	json_object_put(root);
}

/*
 * A pid reused within one trace: two processes (pid 500, two start times) get two process
 * tracks, each named after its own program, each lifetime on its own, the fork arrow to each
 */
static void test_perfetto__reused_pid_gets_its_own_track(void **state)
{
	struct fx *f = *state;
	const char *names[2] = { "first", "second" };
	int64_t track[2] = { 0, 0 };
	struct sink *sink = perfetto_sink_new(f->path);
	json_object *root;
	size_t i, k, n = 0;

	assert_non_null(sink);
	model_add_sink(f->m, sink);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	ev_seed(f->m, T(0), 100, ST(100), 1, ST(1), 'S', "shell");
	for (k = 0; k < 2; k++) {
		uint64_t t = T(10 + 10 * k);

		ev_fork(f->m, t, 100, ST(100), 100, 500, "shell");
		ev_exec(f->m, t + MS, 500, t - 2 * US, names[k], "/bin/x", "x", 2);
		ev_exit(f->m, t + 2 * MS, 500, t - 2 * US, 0, 0, 100, ST(100), 0, 0);
		ev_reap(f->m, t + 3 * MS, 100, ST(100), 500, 0);
	}
	assert_int_equal(model_finish(f->m, END), 0);
	root = load_checked(f->path);
	for (i = 0; i < json_object_array_length(root); i++) {
		json_object *o = json_object_array_get_idx(root, i), *pid;

		if (!te_str(o, "ph") || strcmp(te_str(o, "ph"), "X") || !te_str(o, "cat") ||
		    strcmp(te_str(o, "cat"), "proc") ||
		    !json_object_object_get_ex(te_args(o), "pid", &pid) ||
		    json_object_get_int64(pid) != 500)
			continue;
		for (k = 0; k < 2; k++)
			if (!strcmp(te_str(o, "name"), names[k]))
				break;
		if (k == 2)
			fail_msg("a process slice of pid 500 named '%s'", te_str(o, "name"));
		assert_true(json_object_object_get_ex(o, "pid", &pid));
		track[k % 2] =
			json_object_get_int64(pid); /* k < 2 here: cppcheck can't see fail_msg */
		n++;
	}
	assert_int_equal(n, 2);
	if (track[0] == track[1])
		fail_msg("both processes with pid 500 are on track %lld", (long long)track[0]);
	assert_string_equal(te_meta_name(root, "process_name", track[0], 0), "first (500)");
	assert_string_equal(te_meta_name(root, "process_name", track[1], 0), "second (500)");
	/* the fork arrows end on each one's own track */
	assert_non_null(te_find(root, 'f', "fork", track[0], 500, NULL));
	assert_non_null(te_find(root, 'f', "fork", track[1], 500, NULL));
	json_object_put(root);
}

static void test_perfetto__demo_title(void **state)
{
	struct fx *f = *state;
	json_object *root, *o;

	snprintf(f->m->meta.command, sizeof(f->m->meta.command),
		 "/usr/local/sbin/procscope demo --no-trace --quiet orphan");
	run_story(f, f->path);
	root = load_checked(f->path);
	o = te_find(root, 'i', "procscope trace start", 0, 0, NULL);
	assert_non_null(o);
	assert_string_equal(te_str(te_args(o), "title"), "procscope demo orphan");
	json_object_put(root);
}

/* Bytes the heap holds now (ASan's allocator under the sanitizers) */
static size_t heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	return mallinfo2().uordblks;
#endif
}

/*
 * Memory follows the process table and the live threads, not the length of the trace: after
 * 20,000 short processes and threads through both timeline sinks, 80,000 more of each leave
 * the heap where it was (it grew by tens of MB when the sinks kept every process by seq, and
 * 12 MB more when they kept every thread's track). The files themselves go to /dev/null.
 */
static void test_perfetto__memory_stays_bounded(void **state)
{
	struct fx *f = *state;
	struct sink *pf = perfetto_sink_new("/dev/null"), *sv = svg_sink_new("/dev/null");
	size_t before, after;
	uint64_t ts;

	assert_non_null(pf);
	assert_non_null(sv);
	model_add_sink(f->m, pf);
	model_add_sink(f->m, sv);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	ev_seed(f->m, T(0), 100, ST(100), 1, ST(1), 'S', "shell");
	ts = short_children(f->m, T(1), 1000, 20000);
	assert_int_equal(model_flush(f->m), 0);
	before = heap_in_use();
	ts = short_children(f->m, ts, 21000, 80000);
	assert_int_equal(model_flush(f->m), 0);
	after = heap_in_use();
	fprintf(stderr, "heap: %zu -> %zu bytes after 80000 more processes and threads\n", before,
		after);
	assert_true(after < before + (1u << 20));
	assert_int_equal(model_finish(f->m, ts), 0);
}

/*
 * A log's pid is any u32 (a damaged or hostile log, or a kernel with a large pid_max): the
 * reused-pid set is a hash of the pids seen, not a bitmap indexed by pid (which grew to 512 MB
 * for pid 4e9 and made the fuzzer crawl through page faults)
 */
static void test_perfetto__huge_pid_costs_no_memory(void **state)
{
	struct fx *f = *state;
	struct sink *pf = perfetto_sink_new("/dev/null");
	struct rusage before, after;

	assert_non_null(pf);
	model_add_sink(f->m, pf);
	assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
	ev_seed(f->m, T(0), 1, ST(1), 0, 0, 'S', "init");
	ev_seed(f->m, T(1), 4000000000u, ST(7), 1, ST(1), 'S', "big");
	ev_fork(f->m, T(2), 4000000000u, ST(7), 4000000000u, 4000000001u, "big");
	assert_int_equal(model_finish(f->m, T(3)), 0);
	assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
	/* the peak RSS: what the sink touched, even if it was freed since */
	if (after.ru_maxrss > before.ru_maxrss + 64 * 1024)
		fail_msg("peak RSS grew by %ld KiB for one large pid",
			 after.ru_maxrss - before.ru_maxrss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perfetto__checker_rejects_broken_traces),
		cmocka_unit_test_setup_teardown(test_perfetto__story_follows_the_rules, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__hostile_names_are_escaped, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__gzip_when_the_name_ends_in_gz,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__streams_before_finish, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__create_errors, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__crowded_and_tied_timestamps,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__write_error_is_reported, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__tree_order_after_retirement,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__command_tree_only, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__demo_title, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__reused_pid_gets_its_own_track,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__huge_pid_costs_no_memory, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_perfetto__memory_stays_bounded, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
