// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Output files, for real (root + BTF): in a directory another user controls (what is planted
 * there is neither written into nor followed, and nothing blocks), an output that is an input,
 * a full disk with every output at once (each names its own failure, none is left half
 * written), zstd logs read back by content, and `sudo procscope` leaving the log to the user.
 */
#include "integ.h"

#include <dirent.h>
#include <grp.h>
#include <signal.h>
#include <sys/mount.h>
#include <time.h>

#define NOBODY 65534

struct out {
	char dir[64];
	char out[128]; /* procscope's stdout */
	char err[128]; /* and stderr */
	bool mounted;
};

static struct out T;

static void out_setup(void)
{
	memset(&T, 0, sizeof(T));
	integ_tmpdir(T.dir, sizeof(T.dir));
	/* outside the test directory: it may be a full tmpfs */
	snprintf(T.out, sizeof(T.out), "%s.stdout", T.dir);
	snprintf(T.err, sizeof(T.err), "%s.stderr", T.dir);
}

static int out_teardown(void **state)
{
	char cmd[512];

	(void)state;
	if (T.mounted)
		umount2(T.dir, MNT_DETACH);
	T.mounted = false;
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", T.dir, T.out, T.err);
	return system(cmd) ? -1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		_exit(125);
}

/*
 * Run argv (stdin /dev/null, stdout/stderr to T.out/T.err, extra @env), killing it and failing
 * after @timeout_s: an open() blocked on a FIFO shows up here. The wait status.
 */
static int run_bounded(char *const argv[], const char *env, bool nobody, double timeout_s)
{
	double t0 = now_s();
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int o = open(T.out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(T.err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		if (env)
			putenv((char *)env);
		if (nobody)
			become_nobody();
		execv(argv[0], argv);
		_exit(126);
	}
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		assert_true(r == 0 || errno == EINTR);
		if (now_s() - t0 > timeout_s) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fail_msg("%s still running after %.0f s (killed)", argv[1], timeout_s);
		}
		usleep(5000);
	}
}

static int exit_code(int status)
{
	if (!WIFEXITED(status))
		fail_msg("procscope did not exit normally (status 0x%x)", status);
	return WEXITSTATUS(status);
}

static void assert_stderr_has(const char *needle)
{
	char *err = integ_slurp(T.err, NULL);

	if (!strstr(err, needle))
		fail_msg("stderr: want <%s>, got <%s>", needle, err);
	free(err);
}

/* Names in @dir other than @keep (NULL-ended), to find left-over temp files */
static int count_others(const char *dir, const char *const *keep)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		const char *const *k;
		bool kept = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");

		for (k = keep; *k && !kept; k++)
			kept = !strcmp(e->d_name, *k);
		if (!kept) {
			print_message("unexpected file: %s/%s\n", dir, e->d_name);
			n++;
		}
	}
	closedir(d);
	return n;
}

static void write_as(const char *path, const char *text, uid_t uid, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chown(path, uid, uid), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The test directory belongs to nobody, as /tmp belongs to everyone */
static void give_dir_to_nobody(void)
{
	assert_int_equal(chown(T.dir, NOBODY, NOBODY), 0);
	assert_int_equal(chmod(T.dir, 0755), 0);
}

#define S(x) ((char *)(x))

/* 5a. A file nobody planted at -o is replaced, never written into: nobody reads nothing */
static void test_out__planted_file_not_written_into(void **state)
{
	char log[160], sj[160], *before;
	struct stat st, old;
	int fd, i;
	char *argv[] = { S(integ_procscope()), S("trace"), S("-q"), S("--no-summary"), S("-o"), log,
			 S("--summary-json"),  sj,	   S("--"), S("/bin/true"),    NULL };

	(void)state;
	if (!integ_can_trace())
		skip();
	out_setup();
	snprintf(log, sizeof(log), "%s/trace.jsonl", T.dir);
	snprintf(sj, sizeof(sj), "%s/summary.json", T.dir);
	give_dir_to_nobody();
	write_as(log, "nobody's\n", NOBODY, 0666);
	write_as(sj, "nobody's\n", NOBODY, 0666);
	/* nobody keeps the files open, to read what lands in them */
	fd = open(log, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &old), 0);
	assert_int_equal(exit_code(run_bounded(argv, NULL, false, 60)), 0);
	for (i = 0; i < 2; i++) {
		const char *p = i ? sj : log;

		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_uid, 0);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
	assert_int_equal(stat(log, &st), 0);
	assert_true(st.st_ino != old.st_ino);
	before = calloc(1, 64);
	assert_non_null(before);
	assert_int_equal(pread(fd, before, 63, 0), 9);
	assert_string_equal(before, "nobody's\n"); /* the planted inode got nothing */
	free(before);
	close(fd);
	{
		struct integ_log l;

		integ_load(log, &l);
		assert_true(l.n > 2);
		assert_int_equal(l.bad_lines, 0);
		assert_true(integ_is(l.recs[0], "type", "header"));
		integ_free(&l);
	}
	out_teardown(NULL);
}

/*
 * 5b. A FIFO at -o, at --summary-json, or where the summary's temp file used to go: refused or
 * avoided at once, never an open() waiting for a reader, and the FIFO gets nothing
 */
static void test_out__fifo_refused_without_blocking(void **state)
{
	char path[160], tmp[176], marker[160];
	int i;

	(void)state;
	if (!integ_can_trace())
		skip();
	for (i = 0; i < 3; i++) {
		char *argv[] = { S(integ_procscope()),
				 S("trace"),
				 S("-q"),
				 S("--no-summary"),
				 S(i == 0 ? "-o" : "--summary-json"),
				 path,
				 S("--"),
				 S("/usr/bin/touch"),
				 marker,
				 NULL };
		struct stat st;
		int code;

		out_setup();
		give_dir_to_nobody();
		snprintf(path, sizeof(path), "%s/out.json", T.dir);
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		snprintf(marker, sizeof(marker), "%s/marker", T.dir);
		assert_int_equal(mkfifo(i == 2 ? tmp : path, 0666), 0);
		assert_int_equal(chown(i == 2 ? tmp : path, NOBODY, NOBODY), 0);
		code = exit_code(run_bounded(argv, NULL, false, 30));
		if (i < 2) {
			assert_int_equal(code, 1);
			assert_stderr_has("refusing to write to a FIFO");
			assert_int_equal(access(marker, F_OK), -1); /* the command never ran */
			assert_int_equal(lstat(path, &st), 0);
			assert_true(S_ISFIFO(st.st_mode));
		} else {
			/* the temp file is a new name of its own: the summary is written */
			assert_int_equal(code, 0);
			assert_int_equal(lstat(path, &st), 0);
			assert_true(S_ISREG(st.st_mode));
			assert_int_equal(lstat(tmp, &st), 0);
			assert_true(S_ISFIFO(st.st_mode));
		}
		out_teardown(NULL);
	}
}

/* 5c. --summary-json onto a symlink is refused like every other output, the link untouched */
static void test_out__symlink_refused_by_every_output(void **state)
{
	static const char *const opts[] = { "-o", "--summary-json", "--perfetto", "--svg" };
	char link[160], target[160], got[160];
	size_t i;

	(void)state;
	if (!integ_can_trace())
		skip();
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		char *argv[] = { S(integ_procscope()),
				 S("trace"),
				 S("-q"),
				 S("--no-summary"),
				 S(opts[i]),
				 link,
				 S("--"),
				 S("/bin/true"),
				 NULL };
		ssize_t n;

		out_setup();
		give_dir_to_nobody();
		snprintf(link, sizeof(link), "%s/out", T.dir);
		snprintf(target, sizeof(target), "%s/precious", T.dir);
		write_as(target, "precious\n", NOBODY, 0644);
		assert_int_equal(symlink(target, link), 0);
		assert_int_equal(exit_code(run_bounded(argv, NULL, false, 30)), 1);
		assert_stderr_has("refusing to write through a symlink");
		n = readlink(link, got, sizeof(got) - 1);
		assert_true(n > 0);
		got[n] = '\0';
		assert_string_equal(got, target);
		{
			char *c = integ_slurp(target, NULL);

			assert_string_equal(c, "precious\n");
			free(c);
		}
		out_teardown(NULL);
	}
}

/* 7. `report --svg LOG LOG` (and through a hard link): refused, the log unchanged */
static void test_out__output_same_as_input_refused(void **state)
{
	char log[160], hard[160], other[160], *before, *after;
	size_t n0, n1;
	int i;

	(void)state;
	if (!integ_can_trace())
		skip();
	out_setup();
	snprintf(log, sizeof(log), "%s/log.jsonl", T.dir);
	snprintf(hard, sizeof(hard), "%s/hard.jsonl", T.dir);
	snprintf(other, sizeof(other), "%s/./log.jsonl", T.dir);
	{
		char *argv[] = { S(integ_procscope()),
				 S("trace"),
				 S("-q"),
				 S("--no-summary"),
				 S("-o"),
				 log,
				 S("--"),
				 S("/bin/true"),
				 NULL };

		assert_int_equal(exit_code(run_bounded(argv, NULL, false, 60)), 0);
	}
	assert_int_equal(link(log, hard), 0);
	before = integ_slurp(log, &n0);
	for (i = 0; i < 3; i++) {
		char *argv[] = { S(integ_procscope()),
				 S("report"),
				 S(i == 1 ? "--perfetto" : "--svg"),
				 i == 2 ? hard : log,
				 i == 1 ? other : log,
				 NULL };

		assert_int_equal(exit_code(run_bounded(argv, NULL, false, 30)), 2);
		assert_stderr_has("is the same file as the log");
		after = integ_slurp(log, &n1);
		assert_int_equal(n1, n0);
		assert_memory_equal(after, before, n0);
		free(after);
	}
	free(before);
	/* two outputs onto one file: refused before the command runs */
	{
		char marker[160], sj[160];
		char *argv[] = { S(integ_procscope()),
				 S("trace"),
				 S("-q"),
				 S("--perfetto"),
				 sj,
				 S("--summary-json"),
				 other,
				 S("--"),
				 S("/usr/bin/touch"),
				 marker,
				 NULL };

		snprintf(marker, sizeof(marker), "%s/marker", T.dir);
		snprintf(sj, sizeof(sj), "%s/log.jsonl", T.dir);
		assert_int_equal(exit_code(run_bounded(argv, NULL, false, 30)), 2);
		assert_stderr_has("is the same file as the output");
		assert_int_equal(access(marker, F_OK), -1);
	}
	out_teardown(NULL);
}

/*
 * 8. A full disk (a 64 KiB tmpfs) under four outputs: each names its own failure; the log keeps
 * whole lines (as many as it says), the JSON summary is left out, no temp file remains
 */
static void test_out__full_disk_every_output_named(void **state)
{
	char log[160], sj[160], pf[160], svg[160], needle[256];
	const char *const keep[] = { "log.jsonl", "t.json", "t.svg", NULL };
	char *argv[] = { S(integ_procscope()),
			 S("trace"),
			 S("-q"),
			 S("--no-summary"),
			 S("-o"),
			 log,
			 S("--summary-json"),
			 sj,
			 S("--perfetto"),
			 pf,
			 S("--svg"),
			 svg,
			 S("--"),
			 S("/bin/sh"),
			 S("-c"),
			 S("for i in $(seq 400); do /bin/true; done"),
			 NULL };
	unsigned long long records = 0;
	struct integ_log l;
	const char *p;
	char *err;
	int i;

	(void)state;
	if (!integ_can_trace())
		skip();
	out_setup();
	if (mount("tmpfs", T.dir, "tmpfs", 0, "size=64k,mode=0755")) {
		print_message("cannot mount a tmpfs: %s\n", strerror(errno));
		out_teardown(NULL);
		skip();
	}
	T.mounted = true;
	snprintf(log, sizeof(log), "%s/log.jsonl", T.dir);
	snprintf(sj, sizeof(sj), "%s/s.json", T.dir);
	snprintf(pf, sizeof(pf), "%s/t.json", T.dir);
	snprintf(svg, sizeof(svg), "%s/t.svg", T.dir);
	assert_int_equal(exit_code(run_bounded(argv, NULL, false, 120)), 1);
	for (i = 0; i < 4; i++) {
		const char *path = i == 0 ? log : i == 1 ? sj : i == 2 ? pf : svg;

		snprintf(needle, sizeof(needle), "failed to write '%s': No space left on device",
			 path);
		assert_stderr_has(needle);
	}
	/* the log: whole lines, exactly as many as the message says */
	err = integ_slurp(T.err, NULL);
	p = strstr(err, "the log holds the first ");
	assert_non_null(p);
	records = strtoull(p + strlen("the log holds the first "), NULL, 10);
	free(err);
	integ_load(log, &l);
	assert_int_equal(l.bad_lines, 0);
	assert_int_equal(l.n, records);
	assert_true(records > 10);
	integ_free(&l);
	/* the summary and the SVG: not at all; and no temp file left behind */
	assert_int_equal(access(sj, F_OK), -1);
	assert_int_equal(access(svg, F_OK), -1);
	/*
	 * the Perfetto file streams: whole records only, an array without its "]" (the trace event
	 * format allows that for a trace cut short)
	 */
	if (access(pf, F_OK) == 0) {
		size_t n;
		char *buf = integ_slurp(pf, &n), *closed = malloc(n + 3);
		json_object *o;

		assert_non_null(closed);
		snprintf(closed, n + 3, "%s\n]", buf);
		o = json_tokener_parse(closed);
		if (!o || !json_object_is_type(o, json_type_array))
			fail_msg("the cut Perfetto file is not whole records: <%.200s>",
				 buf + (n > 200 ? n - 200 : 0));
		json_object_put(o);
		free(closed);
		free(buf);
	}
	assert_int_equal(count_others(T.dir, keep), 0);
	out_teardown(NULL);
}

/* Run trace into @log, its summary on stdout: returns it (caller frees) */
static char *trace_summary(const char *log)
{
	char *argv[] = { S(integ_procscope()), S("trace"), S("-q"), S("-o"), S(log), S("--"),
			 S("/bin/sh"), S("-c"),
			 /* spread over several flushes: several zstd blocks to cut between */
			 S("for i in 1 2 3 4 5 6 7 8; do /bin/true | /bin/cat; sleep 0.1; done"),
			 NULL };

	assert_int_equal(exit_code(run_bounded(argv, NULL, false, 60)), 0);
	return integ_slurp(T.out, NULL);
}

static int report_of(const char *log, char **summary)
{
	char *argv[] = { S(integ_procscope()), S("report"), S(log), NULL };
	int code = exit_code(run_bounded(argv, NULL, false, 60));

	*summary = integ_slurp(T.out, NULL);
	return code;
}

/*
 * 13.2 zstd: -o FILE.zst is zstd, and report of it prints the live summary; renamed to .gz or
 * to no suffix it is still read as zstd (by content); cut mid-frame it is damaged (3), with the
 * records before the cut kept
 */
static void test_out__zstd_round_trip_by_content(void **state)
{
	char zst[160], gz[160], plain[160], cut[160], cmd[1024], *live, *rep;
	unsigned char magic[4];
	int fd, i;
	struct stat st;

	(void)state;
	if (!integ_can_trace())
		skip();
	out_setup();
	snprintf(zst, sizeof(zst), "%s/log.jsonl.zst", T.dir);
	snprintf(gz, sizeof(gz), "%s/log.jsonl.gz", T.dir);
	snprintf(plain, sizeof(plain), "%s/log", T.dir);
	snprintf(cut, sizeof(cut), "%s/cut.jsonl.zst", T.dir);
	live = trace_summary(zst);
	fd = open(zst, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, magic, 4), 4);
	close(fd);
	assert_memory_equal(magic, "\x28\xb5\x2f\xfd", 4);
	snprintf(cmd, sizeof(cmd), "cp %s %s && cp %s %s", zst, gz, zst, plain);
	assert_int_equal(system(cmd), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(report_of(i == 0 ? zst : i == 1 ? gz : plain, &rep), 0);
		assert_string_equal(rep, live);
		free(rep);
	}
	/* cut in the middle of the frame */
	assert_int_equal(stat(zst, &st), 0);
	snprintf(cmd, sizeof(cmd), "head -c %lld %s > %s", (long long)st.st_size / 2, zst, cut);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(report_of(cut, &rep), 3);
	assert_non_null(strstr(rep, "=== procscope summary")); /* of what was read */
	free(rep);
	assert_stderr_has("damaged compression");
	{
		char *err = integ_slurp(T.err, NULL);
		const char *p = strstr(err, "the summary covers the ");

		assert_non_null(p);
		assert_true(strtoull(p + strlen("the summary covers the "), NULL, 10) > 2);
		free(err);
	}
	free(live);
	out_teardown(NULL);
}

/* 14. `sudo procscope trace -o LOG`: the log is the user's (0600), who can report it */
static void test_out__sudo_log_belongs_to_the_user(void **state)
{
	char log[160], sj[160];
	char *argv[] = { S(integ_procscope()), S("trace"), S("-q"), S("-o"),	    log,
			 S("--summary-json"),  sj,	   S("--"), S("/bin/true"), NULL };
	char *rep[] = { S(integ_procscope()), S("report"), log, NULL };
	struct stat st;
	int i;

	(void)state;
	if (!integ_can_trace())
		skip();
	out_setup();
	assert_int_equal(chmod(T.dir, 0755), 0);
	snprintf(log, sizeof(log), "%s/log.jsonl", T.dir);
	snprintf(sj, sizeof(sj), "%s/s.json", T.dir);
	/* what sudo sets (SUDO_GID as well: putenv takes one, the other comes below) */
	setenv("SUDO_GID", "65534", 1);
	assert_int_equal(exit_code(run_bounded(argv, "SUDO_UID=65534", false, 60)), 0);
	unsetenv("SUDO_GID");
	for (i = 0; i < 2; i++) {
		assert_int_equal(stat(i ? sj : log, &st), 0);
		assert_int_equal(st.st_uid, NOBODY);
		assert_int_equal(st.st_gid, NOBODY);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
	/* the README's `procscope report log.jsonl  # no root needed`, as that user */
	assert_int_equal(exit_code(run_bounded(rep, NULL, true, 60)), 0);
	/* without sudo, root's as before */
	assert_int_equal(exit_code(run_bounded(argv, NULL, false, 60)), 0);
	assert_int_equal(stat(log, &st), 0);
	assert_int_equal(st.st_uid, 0);
	out_teardown(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_out__planted_file_not_written_into),
		cmocka_unit_test(test_out__fifo_refused_without_blocking),
		cmocka_unit_test(test_out__symlink_refused_by_every_output),
		cmocka_unit_test(test_out__output_same_as_input_refused),
		cmocka_unit_test_teardown(test_out__full_disk_every_output_named, out_teardown),
		cmocka_unit_test(test_out__zstd_round_trip_by_content),
		cmocka_unit_test(test_out__sudo_log_belongs_to_the_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
