/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Integration-test helpers: run procscope for real (root + BTF), load what it wrote with json-c,
 * and look records up. Header-only so each suite is one file.
 */
#ifndef __PSC_INTEG_H
#define __PSC_INTEG_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>
#include <zlib.h>
#include "testlib.h"

struct integ_log {
	json_object **recs;
	size_t n;
	size_t bad_lines; /* lines json-c refused */
};

/* Root and BTF, or the suite cannot trace (the runner fails skips under CI=true) */
static inline bool integ_can_trace(void)
{
	return geteuid() == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

static inline const char *integ_procscope(void)
{
	const char *p = getenv("PROCSCOPE");

	return p ? p : "./procscope";
}

/* A fresh directory for one test's files */
static inline void integ_tmpdir(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/procscope-test.XXXXXX");
	assert_non_null(mkdtemp(buf));
}

/*
 * Run argv with stdout/stderr to files (NULL: /dev/null); optional setup in the child (e.g.
 * dropping privileges). Returns the raw wait status.
 */
static inline int integ_run_ex(char *const argv[], const char *out_path, const char *err_path,
			       void (*child_setup)(void))
{
	pid_t pid;
	int status = 0;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		if (child_setup)
			child_setup();
		execv(argv[0], argv);
		_exit(126);
	}
	while (waitpid(pid, &status, 0) < 0)
		assert_int_equal(errno, EINTR);
	return status;
}

static inline int integ_run(char *const argv[], const char *out_path, const char *err_path)
{
	return integ_run_ex(argv, out_path, err_path, NULL);
}

/* Remove a test's scratch directory and what is in it; a failure is only reported */
static inline void integ_rmtree(const char *dir)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "failed to remove %s\n", dir);
}

/* The whole file (gzip or plain, by content) as a NUL-terminated string; caller frees */
static inline char *integ_slurp(const char *path, size_t *len)
{
	return tl_slurp(path, len);
}

/* Parse an NDJSON file line by line with json-c */
static inline void integ_load(const char *path, struct integ_log *log)
{
	char *buf = integ_slurp(path, NULL), *line, *save = NULL;
	size_t cap = 0;

	memset(log, 0, sizeof(*log));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		json_object *o = json_tokener_parse(line);

		if (!o || !json_object_is_type(o, json_type_object)) {
			log->bad_lines++;
			json_object_put(o);
			continue;
		}
		if (log->n == cap) {
			cap = cap ? cap * 2 : 256;
			log->recs = realloc(log->recs, cap * sizeof(*log->recs));
			assert_non_null(log->recs);
		}
		log->recs[log->n++] = o;
	}
	free(buf);
}

static inline void integ_free(struct integ_log *log)
{
	size_t i;

	for (i = 0; i < log->n; i++)
		json_object_put(log->recs[i]);
	free(log->recs);
	memset(log, 0, sizeof(*log));
}

static inline bool integ_has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static inline int64_t integ_i64(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return INT64_MIN;
	return json_object_get_int64(v);
}

static inline bool integ_bool(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static inline const char *integ_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return json_object_get_string(v);
}

static inline bool integ_is(json_object *o, const char *key, const char *val)
{
	const char *s = integ_str(o, key);

	return s && !strcmp(s, val);
}

/*
 * The first record of @type (or @kind for ground truth: pass "kind") whose integer fields match
 * the NULL-terminated list of (key, value) pairs, e.g. integ_find(log, "type", "fork",
 * "child_pid", 123, NULL).
 */
static inline json_object *integ_findv(const struct integ_log *log, size_t *count, const char *tkey,
				       const char *type, va_list ap)
{
	const char *keys[8];
	int64_t vals[8];
	json_object *first = NULL;
	size_t nk = 0, i, k;

	while (nk < 8 && (keys[nk] = va_arg(ap, const char *)) != NULL) {
		vals[nk] = va_arg(ap, int64_t);
		nk++;
	}
	if (count)
		*count = 0;
	for (i = 0; i < log->n; i++) {
		json_object *o = log->recs[i];

		if (!integ_is(o, tkey, type))
			continue;
		for (k = 0; k < nk; k++)
			if (integ_i64(o, keys[k]) != vals[k])
				break;
		if (k < nk)
			continue;
		if (!first)
			first = o;
		if (!count)
			break;
		(*count)++;
	}
	return first;
}

/* Values after the key names must be int64_t: cast them (INTEG_I) */
#define INTEG_I(x) ((int64_t)(x))

static inline json_object *integ_find(const struct integ_log *log, const char *tkey,
				      const char *type, ...)
{
	json_object *o;
	va_list ap;

	va_start(ap, type);
	o = integ_findv(log, NULL, tkey, type, ap);
	va_end(ap);
	return o;
}

static inline size_t integ_count(const struct integ_log *log, const char *tkey, const char *type,
				 ...)
{
	size_t n;
	va_list ap;

	va_start(ap, type);
	integ_findv(log, &n, tkey, type, ap);
	va_end(ap);
	return n;
}

/* Print a record when an assertion about it is about to fail */
static inline void integ_dump(const char *what, json_object *o)
{
	fprintf(stderr, "%s: %s\n", what, o ? json_object_to_json_string(o) : "(none)");
}

#endif /* __PSC_INTEG_H */
