// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Unit tests for the live sink (user/sinks/live.c): every event name of every group fits its
 * column, exec arguments are quoted as strace quotes them, the tid of the thread behind a line,
 * the wall-clock column, lost-event lines at most once a second, and lines that reach their
 * file whole (one write() holds only whole lines).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "live.h"
#include "model.h"
#include "schema.h"
#include "testlib.h"

#define BASE_NS 5000000000123ull
#define PID 100u
#define TID 107u /* a worker thread of PID */
#define START (BASE_NS - 1000)

struct fixture {
	struct model *m;
	int fd; /* memfd the sink writes to */
};

static void setup(struct fixture *f, const struct live_opts *lo)
{
	struct sink *s;

	f->m = model_new();
	assert_non_null(f->m);
	f->m->meta.boottime_base_ns = BASE_NS;
	f->m->meta.realtime_base_ns = 1700000000ull * 1000000000ull;
	f->fd = memfd_create("live", 0);
	assert_true(f->fd >= 0);
	s = live_sink_new(f->fd, lo);
	assert_non_null(s);
	model_add_sink(f->m, s);
}

/* Finish the model and return what reached the file; caller frees */
static char *finish(struct fixture *f)
{
	off_t n;
	char *buf;

	assert_int_equal(model_finish(f->m, BASE_NS + 10000000000ull), 0);
	n = lseek(f->fd, 0, SEEK_CUR);
	assert_true(n >= 0);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(pread(f->fd, buf, (size_t)n, 0), n);
	model_free(f->m);
	close(f->fd);
	return buf;
}

static void hdr(union psc_event *ev, uint32_t type, uint64_t ts, uint32_t tid)
{
	tl_ev_hdr(ev, type, BASE_NS + ts, PID, tid, START);
}

static void seed(struct fixture *f)
{
	union psc_event ev;

	hdr(&ev, PSC_EV_PROC_SEED, 1, PID);
	ev.seed.parent_tgid = 1;
	strcpy(ev.seed.comm, "server");
	ev.seed.state = 'S';
	assert_int_equal(model_apply(f->m, &ev), 0);
}

/* Where a header word ends (right-aligned columns) or starts (left-aligned ones) */
static size_t col_end(const char *header, const char *word)
{
	const char *p = strstr(header, word);

	assert_non_null(p);
	return (size_t)(p - header) + strlen(word);
}

static size_t col_start(const char *header, const char *word)
{
	const char *p = strstr(header, word);

	assert_non_null(p);
	return (size_t)(p - header);
}

/* Every line keeps the header's columns: PID, TID and PPID end where their titles end */
static void check_columns(char *text, size_t *nlines)
{
	char *save = NULL, *line = strtok_r(text, "\n", &save);
	size_t pid_end, tid_end, ppid_end, comm_at, n = 0;

	assert_non_null(line);
	pid_end = col_end(line, " PID");
	tid_end = col_end(line, " TID");
	ppid_end = col_end(line, " PPID");
	comm_at = col_start(line, "COMM");
	while ((line = strtok_r(NULL, "\n", &save))) {
		size_t len = strlen(line);

		if (strstr(line, " LOST "))
			continue; /* no pid columns: a note across the line */
		if (len <= comm_at || line[pid_end] != ' ' || line[ppid_end] != ' ' ||
		    line[tid_end] != ' ' || line[pid_end - 1] < '0' || line[pid_end - 1] > '9' ||
		    line[ppid_end - 1] < '0' || line[ppid_end - 1] > '9' ||
		    line[comm_at - 1] != ' ')
			fail_msg("line out of its columns: '%s'", line);
		n++;
	}
	*nlines = n;
}

/* One event of every schema type (and every poll kind): each line stays in its columns */
static void test_live__every_event_name_fits_its_column(void **state)
{
	struct live_opts lo = { .threads = true, .seeds = true };
	const struct schema_type *const *all;
	struct fixture f;
	union psc_event ev;
	size_t n, i, lines;
	uint32_t kind;
	char *out;

	setup(&f, &lo);
	seed(&f);
	all = schema_all(&n);
	for (i = 0; i < n; i++) {
		if (all[i]->type == PSC_EV_PROC_SEED || all[i]->type == PSC_EV_PROC_EXIT)
			continue;
		hdr(&ev, all[i]->type, 100 + i, TID);
		/* a process event must name a process (decode_check_event()) */
		if (ev.hdr.type == PSC_EV_PROC_FORK)
			ev.fork.child_tgid = ev.fork.child_tid = 4242;
		if (ev.hdr.type == PSC_EV_PROC_REAP)
			ev.reap.reaped_tgid = 4242;
		assert_int_equal(model_apply(f.m, &ev), 0);
	}
	for (kind = 1; kind <= 4; kind++) {
		hdr(&ev, PSC_EV_POLL_WAIT, 1000 + kind, TID);
		ev.poll_wait.kind = kind;
		ev.poll_wait.enter_ns = ev.hdr.ts_ns - 5;
		ev.poll_wait.ret = 1;
		assert_int_equal(model_apply(f.m, &ev), 0);
	}
	hdr(&ev, PSC_EV_PROC_EXIT, 2000, PID);
	ev.exit.flags = PSC_EXIT_GROUP_DEAD;
	strcpy(ev.exit.comm, "server");
	assert_int_equal(model_apply(f.m, &ev), 0);
	out = finish(&f);
	assert_non_null(strstr(out, " pselect6 "));
	assert_non_null(strstr(out, " select "));
	assert_non_null(strstr(out, " ppoll "));
	assert_non_null(strstr(out, " ep_wait "));
	assert_non_null(strstr(out, " ux_sock "));
	check_columns(out, &lines);
	/*
	 * most types print a line even with zeroed fields; all of those were checked (the 4 poll
	 * kinds, the seed and the exit make up for those that do not). unix_seed, sched_stats
	 * (totals, for the summary) and sched_slice (one per run, for timelines) never print one.
	 */
	assert_true(lines >= n - 3);
	free(out);
}

static void exec_line(const char *const *argv, size_t argc, char *line, size_t size)
{
	struct fixture f;
	union psc_event ev;
	size_t i, o = 0;
	char *out, *p, *nl;

	setup(&f, NULL);
	seed(&f);
	hdr(&ev, PSC_EV_PROC_EXEC, 10, PID);
	strcpy(ev.exec.comm, "echo");
	strcpy(ev.exec.filename, "/bin/echo");
	for (i = 0; i < argc; i++) {
		memcpy(ev.exec.args + o, argv[i], strlen(argv[i]) + 1);
		o += strlen(argv[i]) + 1;
	}
	ev.exec.args_len = (uint32_t)o;
	assert_int_equal(model_apply(f.m, &ev), 0);
	out = finish(&f);
	p = strstr(out, "/bin/echo [");
	assert_non_null(p);
	nl = strchr(p, '\n');
	assert_non_null(nl);
	*nl = '\0';
	snprintf(line, size, "%s", p);
	free(out);
}

/* strace's quoting: arguments with blanks, quotes or nothing in them are quoted */
static void test_live__exec_arguments_quoted(void **state)
{
	const char *const a1[] = { "/bin/echo", "a b", "", "c" };
	const char *const a2[] = { "/bin/echo", "say \"hi\"", "it's", "$HOME", "back\\slash" };
	const char *const a3[] = { "/bin/echo", "tab\there", "esc\x1b[2J", "ok-arg_1.txt" };
	char line[512];

	exec_line(a1, 4, line, sizeof(line));
	assert_string_equal(line, "/bin/echo [/bin/echo \"a b\" \"\" c]");
	exec_line(a2, 5, line, sizeof(line));
	assert_string_equal(line, "/bin/echo [/bin/echo \"say \\\"hi\\\"\" \"it's\" \"$HOME\" "
				  "\"back\\\\slash\"]");
	exec_line(a3, 4, line, sizeof(line));
	assert_string_equal(line,
			    "/bin/echo [/bin/echo \"tab\\there\" \"esc\\x1b[2J\" ok-arg_1.txt]");
}

/* The thread behind a line, next to its process; "-" on lines about another process */
static void test_live__tid_of_the_thread(void **state)
{
	struct fixture f;
	union psc_event ev;
	char *out, want[128];

	setup(&f, NULL);
	seed(&f);
	hdr(&ev, PSC_EV_EPOLL_CREATE, 10, TID);
	ev.epoll_create.ret = 5;
	assert_int_equal(model_apply(f.m, &ev), 0);
	hdr(&ev, PSC_EV_PROC_FORK, 20, PID);
	ev.fork.parent_tgid = PID;
	ev.fork.parent_start_ns = START;
	ev.fork.child_tgid = ev.fork.child_tid = 300;
	ev.fork.child_start_ns = BASE_NS + 20;
	strcpy(ev.fork.comm, "server");
	assert_int_equal(model_apply(f.m, &ev), 0);
	out = finish(&f);
	snprintf(want, sizeof(want), "ep_new       %u     %u       0 server", PID, TID);
	if (!strstr(out, want))
		fail_msg("no '%s' in:\n%s", want, out);
	snprintf(want, sizeof(want), "fork         300       -     %u server", PID);
	if (!strstr(out, want))
		fail_msg("no '%s' in:\n%s", want, out);
	free(out);
}

/* epoll data is a u64: in hex, beside the fd it maps to; unmapped data says so */
static void test_live__epoll_data_in_hex(void **state)
{
	struct fixture f;
	union psc_event ev;
	char *out;

	setup(&f, NULL);
	seed(&f);
	hdr(&ev, PSC_EV_EPOLL_CTL, 10, PID);
	ev.epoll_ctl.epfd = 6;
	ev.epoll_ctl.op = 1;
	ev.epoll_ctl.fd = 3;
	ev.epoll_ctl.events = 1;
	ev.epoll_ctl.data = 0x7f8b00000003ull;
	assert_int_equal(model_apply(f.m, &ev), 0);
	hdr(&ev, PSC_EV_EPOLL_WAIT, 20, TID);
	ev.epoll_wait.epfd = 6;
	ev.epoll_wait.enter_ns = ev.hdr.ts_ns - 5;
	ev.epoll_wait.ret = 2;
	ev.epoll_wait.nready = 2;
	ev.epoll_wait.ready[0].events = 1;
	ev.epoll_wait.ready[0].data = 0x7f8b00000003ull;
	ev.epoll_wait.ready[1].events = 1;
	ev.epoll_wait.ready[1].data = 0x99;
	assert_int_equal(model_apply(f.m, &ev), 0);
	/* a registration from before the trace (-p): the same hex, in the same place */
	hdr(&ev, PSC_EV_EPOLL_SEED, 30, PID);
	ev.epoll_ctl.epfd = 6;
	ev.epoll_ctl.op = 1;
	ev.epoll_ctl.fd = 4;
	ev.epoll_ctl.events = 1;
	ev.epoll_ctl.data = 0x7fa900000004ull;
	assert_int_equal(model_apply(f.m, &ev), 0);
	out = finish(&f);
	if (!strstr(out, "epfd 6 ADD fd 3 data 0x7f8b00000003 ") ||
	    !strstr(out, " fd 3 data 0x7f8b00000003 IN data 0x99 (no fd) IN") ||
	    !strstr(out, "epfd 6 fd 4 data 0x7fa900000004 "))
		fail_msg("epoll data not in hex by its fd:\n%s", out);
	free(out);
}

/* -tt: the wall clock of each event, from the trace's realtime base */
static void test_live__wall_clock_column(void **state)
{
	struct live_opts lo = { .wall_clock = 2 };
	struct fixture f;
	union psc_event ev;
	char *out, *line;
	unsigned int h, mi, s, us;

	setup(&f, &lo);
	seed(&f);
	hdr(&ev, PSC_EV_EPOLL_CREATE, 1234567000, PID);
	ev.epoll_create.ret = 5;
	assert_int_equal(model_apply(f.m, &ev), 0);
	out = finish(&f);
	assert_int_equal(strncmp(out, "WALL-CLOCK      TIME(s)", 23), 0);
	line = strstr(out, "ep_new");
	assert_non_null(line);
	while (line > out && line[-1] != '\n')
		line--;
	assert_int_equal(sscanf(line, "%2u:%2u:%2u.%6u 1.234567 ", &h, &mi, &s, &us), 4);
	assert_int_equal(us, 234567);
	assert_true(h < 24 && mi < 60 && s < 60);
	free(out);
}

/* 50 losses over 5 s: a line at once, then at most one a second, the last with the total */
static void test_live__lost_lines_at_most_once_a_second(void **state)
{
	uint64_t by_type[PSC_EV_TYPE_MAX] = { 0 };
	struct fixture f;
	size_t n = 0;
	char *out, *p;
	int i;

	setup(&f, NULL);
	by_type[PSC_EV_PROC_FORK] = 3;
	for (i = 0; i < 50; i++)
		model_lost(f.m, BASE_NS + (uint64_t)i * 100000000ull, by_type);
	out = finish(&f);
	for (p = out; (p = strstr(p, " LOST ")); p++)
		n++;
	assert_true(n >= 5 && n <= 7);
	assert_non_null(strstr(out, " 150 events lost so far"));
	free(out);
}

/* A process known by its pid alone (an untraced peer, with -p) is said to be so, not "4723 " */
static void test_live__who_untraced(void **state)
{
	struct model *m = model_new();
	struct proc *p;
	char buf[96];

	assert_non_null(m);
	assert_string_equal(live_who(NULL, buf, sizeof(buf)), "?");
	p = proctree_get(m->tree, 4723, START);
	assert_non_null(p);
	assert_string_equal(live_who(p, buf, sizeof(buf)), "4723 (untraced)");
	strcpy(p->comm, "client");
	assert_string_equal(live_who(p, buf, sizeof(buf)), "4723 client");
	model_free(m);
}

/* The line of @out that holds @needle, by number (from 0), -1 if none */
static int line_no(const char *out, const char *needle)
{
	const char *hit = strstr(out, needle), *p;
	int n = 0;

	if (!hit)
		return -1;
	for (p = out; p < hit; p++)
		n += *p == '\n';
	return n;
}

/*
 * A demo's narration: each note among the events by its time (notes that came in out of order
 * too), escaped for the terminal, the ones after the last event at the end
 */
static void test_live__notes_in_time_order(void **state)
{
	struct fixture f;
	struct sink *s;
	union psc_event ev;
	char *out;

	setup(&f, NULL);
	s = f.m->sinks;
	seed(&f);
	assert_int_equal(live_sink_note(s, BASE_NS + 3000, "demo: late", 10), 0);
	assert_int_equal(live_sink_note(s, BASE_NS + 1500, "demo: early \x1b[2J", 17), 0);
	assert_int_equal(live_sink_note(s, BASE_NS + 9000, "demo: last", 10), 0);
	hdr(&ev, PSC_EV_EPOLL_CREATE, 1000, PID);
	ev.epoll_create.ret = 5;
	assert_int_equal(model_apply(f.m, &ev), 0);
	hdr(&ev, PSC_EV_EPOLL_CREATE, 2000, PID);
	ev.epoll_create.ret = 6;
	assert_int_equal(model_apply(f.m, &ev), 0);
	hdr(&ev, PSC_EV_EPOLL_CREATE, 4000, PID);
	ev.epoll_create.ret = 7;
	assert_int_equal(model_apply(f.m, &ev), 0);
	live_sink_notes_upto(s, BASE_NS + 8000); /* nothing up to 8000 is left: none to print */
	out = finish(&f);
	assert_true(line_no(out, "epfd 5") < line_no(out, "demo: early"));
	assert_true(line_no(out, "demo: early \\x1b[2J") < line_no(out, "epfd 6"));
	assert_true(line_no(out, "epfd 6") < line_no(out, "demo: late"));
	assert_true(line_no(out, "demo: late") < line_no(out, "epfd 7"));
	assert_true(line_no(out, "epfd 7") < line_no(out, "demo: last"));
	assert_null(strchr(out, '\x1b'));
	free(out);
}

/*
 * Whole lines per write(): through a pipe whose reader checks each read, with lines from the
 * sink and a group's hook; a short pipe buffer forces many writes.
 */
static void test_live__writes_hold_whole_lines(void **state)
{
	struct live_opts lo = { .min_wait_ns = 0 };
	struct model *m = model_new();
	union psc_event ev;
	struct sink *s;
	int p[2], i;
	char buf[65536];
	size_t total = 0;
	ssize_t r;
	pid_t pid;

	assert_non_null(m);
	m->meta.boottime_base_ns = BASE_NS;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		s = live_sink_new(p[1], &lo);
		if (!s)
			_exit(2);
		model_add_sink(m, s);
		for (i = 0; i < 3000; i++) {
			hdr(&ev, i % 2 ? PSC_EV_EPOLL_CREATE : PSC_EV_PROC_SEED, (uint64_t)i, PID);
			ev.epoll_create.ret = i;
			if (ev.hdr.type == PSC_EV_PROC_SEED)
				strcpy(ev.seed.comm, "a-long-command!");
			if (model_apply(m, &ev))
				_exit(3);
		}
		_exit(model_finish(m, BASE_NS + 5000) ? 4 : 0);
	}
	close(p[1]);
	/* a pipe read returns what one write put there, or several whole writes */
	while ((r = read(p[0], buf, sizeof(buf))) > 0) {
		if (buf[r - 1] != '\n')
			fail_msg("a read of %zd bytes ends inside a line", r);
		total += (size_t)r;
	}
	close(p[0]);
	assert_true(total > 1500 * 60);
	assert_int_equal(waitpid(pid, &i, 0), pid);
	assert_true(WIFEXITED(i) && WEXITSTATUS(i) == 0);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live__every_event_name_fits_its_column),
		cmocka_unit_test(test_live__exec_arguments_quoted),
		cmocka_unit_test(test_live__tid_of_the_thread),
		cmocka_unit_test(test_live__epoll_data_in_hex),
		cmocka_unit_test(test_live__wall_clock_column),
		cmocka_unit_test(test_live__lost_lines_at_most_once_a_second),
		cmocka_unit_test(test_live__writes_hold_whole_lines),
		cmocka_unit_test(test_live__notes_in_time_order),
		cmocka_unit_test(test_live__who_untraced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
