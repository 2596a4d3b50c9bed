// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The documentation against the code. Every option that `procscope trace|demo|report --help`
 * prints is in docs/procscope.8 (OPTIONS, in the command's .SS) with the same argument, and the
 * page documents no option the program lacks; every command of `procscope help` has its COMMANDS
 * entry; every record type of the schema has a "## <type>" section in docs/events.md that names
 * each of its fields, and no section there documents a type that no longer exists.
 * No root: the binary only prints its help. Runs from the repository root (as `make test` runs
 * it); $PROCSCOPE names the binary, default ./procscope. A missing binary fails the suite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schema.h"
#include "testlib.h"

#define MAN_PAGE "docs/procscope.8"
#define EVENTS_DOC "docs/events.md"
#define MAX_OPTS 64
#define NAME_LEN 48
#define ARG_LEN 24

/* One option as a document states it: a name ("-p" or "--pid") and its argument ("" if none) */
struct opt {
	char name[NAME_LEN];
	char arg[ARG_LEN];
};

struct opt_set {
	struct opt o[MAX_OPTS];
	size_t n;
};

/* Records that are not schema types, written by the log writer itself (docs/events.md) */
static const char *const log_only_types[] = { "header", "trailer", "lost", "orphan" };

static const char *procscope_bin(void)
{
	const char *p = getenv("PROCSCOPE");

	return p && *p ? p : "./procscope";
}

/* Everything @f has left, NUL-terminated */
static char *read_all(FILE *f)
{
	char *buf = NULL, *nbuf;
	size_t len = 0, cap = 0, n;

	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			nbuf = realloc(buf, cap);
			if (!nbuf)
				free(buf);
			assert_non_null(nbuf);
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	assert_int_equal(ferror(f), 0);
	buf[len] = '\0';
	return buf;
}

/*
 * Run `$PROCSCOPE ARGS` and return its stdout. It must exist and exit 0: a missing binary is a
 * failure, not a skip (build it first, or point PROCSCOPE at it).
 */
static char *run_procscope(const char *args)
{
	const char *bin = procscope_bin();
	char cmd[4096], *out;
	size_t i, o = 0;
	FILE *p;
	int st;

	if (access(bin, X_OK))
		fail_msg("%s is missing or not executable (build it, or set PROCSCOPE): %s", bin,
			 strerror(errno));
	/* single-quote the path for the shell: 'it'\''s' */
	cmd[o++] = '\'';
	for (i = 0; bin[i] && o + 8 < sizeof(cmd); i++) {
		if (bin[i] == '\'') {
			memcpy(cmd + o, "'\\''", 4);
			o += 4;
		} else {
			cmd[o++] = bin[i];
		}
	}
	snprintf(cmd + o, sizeof(cmd) - o, "' %s", args);
	p = popen(cmd, "r");
	assert_non_null(p);
	out = read_all(p);
	st = pclose(p);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("'%s %s' did not exit 0 (status %d)", bin, args, st);
	return out;
}

static void set_add(struct opt_set *s, const char *name, const char *arg, const char *where)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->o[i].name, name))
			fail_msg("%s: option %s listed twice", where, name);
	if (s->n == MAX_OPTS)
		fail_msg("%s: more than %d options", where, MAX_OPTS);
	snprintf(s->o[s->n].name, NAME_LEN, "%s", name);
	snprintf(s->o[s->n].arg, ARG_LEN, "%s", arg);
	s->n++;
}

static const struct opt *set_find(const struct opt_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->o[i].name, name))
			return &s->o[i];
	return NULL;
}

/*
 * One option tag, already plain text ("-p, --pid PID", "--no-summary"): each word that starts
 * with '-' is a name, the word after the names is the argument of all of them.
 */
static void parse_tag(struct opt_set *s, char *tag, const char *where)
{
	char *names[4], *arg = NULL, *tok, *save = NULL;
	size_t n = 0, i;

	for (tok = strtok_r(tag, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		if (tok[0] == '-' && tok[1] && !arg) {
			if (n == sizeof(names) / sizeof(names[0]))
				fail_msg("%s: too many names in one option tag", where);
			names[n++] = tok;
		} else if (!arg) {
			arg = tok;
		} else {
			fail_msg("%s: option tag with two arguments ('%s', '%s')", where, arg, tok);
		}
	}
	if (!n)
		fail_msg("%s: option tag without an option name", where);
	for (i = 0; i < n; i++)
		set_add(s, names[i], arg ? arg : "", where);
}

/*
 * The options of a --help text: the lines of its "Options:" block that start (indented by a
 * few spaces) with '-'. The tag ends where two spaces separate it from the description.
 * Continuation lines are indented much deeper and do not start with '-'.
 */
static void help_options(const char *help, struct opt_set *s, const char *where)
{
	const char *line = strstr(help, "\nOptions:\n"), *next;
	char tag[128];

	if (!line)
		fail_msg("%s: no 'Options:' block", where);
	for (line = strchr(line + 1, '\n') + 1; *line && *line != '\n'; line = next) {
		const char *p = line, *end;
		size_t len;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		while (*p == ' ')
			p++;
		if (*p != '-' || p - line > 8)
			continue;
		end = strstr(p, "  ");
		if (!end || end > next)
			end = next[-1] == '\n' ? next - 1 : next;
		len = (size_t)(end - p);
		if (len >= sizeof(tag))
			fail_msg("%s: option tag too long: %.40s", where, p);
		memcpy(tag, p, len);
		tag[len] = '\0';
		parse_tag(s, tag, where);
	}
	if (!s->n)
		fail_msg("%s: no options found", where);
}

/*
 * Roff to plain text, enough for tag lines: the leading font macro (.B, .BR, .I, .IR, .BI, .IB,
 * .RB, .RI) goes, and so do \f font escapes, \& and quotes; "\-" becomes '-'.
 */
static void roff_plain(const char *in, size_t len, char *out, size_t size)
{
	size_t i = 0, o = 0;

	if (len && in[0] == '.') {
		while (i < len && in[i] != ' ')
			i++;
	}
	for (; i < len && o + 1 < size; i++) {
		if (in[i] == '\\' && i + 1 < len) {
			if (in[i + 1] == 'f' && i + 2 < len) {
				i += 2; /* \fB \fI \fR \fP */
				continue;
			}
			if (in[i + 1] == '-') {
				out[o++] = '-';
				i++;
				continue;
			}
			if (in[i + 1] == '&') {
				i++;
				continue;
			}
		}
		if (in[i] == '"')
			continue;
		out[o++] = in[i];
	}
	out[o] = '\0';
}

/* The start of the line after @p, or NULL at the end */
static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	return nl ? nl + 1 : NULL;
}

static size_t line_len(const char *p)
{
	return strcspn(p, "\n");
}

static bool line_is(const char *p, const char *s)
{
	return line_len(p) == strlen(s) && !strncmp(p, s, strlen(s));
}

/* The line that is exactly @s in @text, or NULL */
static const char *find_line(const char *text, const char *s)
{
	const char *p;

	for (p = text; p; p = next_line(p))
		if (line_is(p, s))
			return p;
	return NULL;
}

/* The options in the man page's OPTIONS section, subsection ".SS @cmd" */
static void man_options(const char *man, const char *cmd, struct opt_set *s)
{
	const char *sec = find_line(man, ".SH OPTIONS"), *p;
	char ss[64], tag[256];

	if (!sec)
		fail_msg(MAN_PAGE ": no .SH OPTIONS");
	snprintf(ss, sizeof(ss), ".SS %s", cmd);
	for (p = next_line(sec); p && strncmp(p, ".SH ", 4); p = next_line(p))
		if (line_is(p, ss))
			break;
	if (!p || !strncmp(p, ".SH ", 4))
		fail_msg(MAN_PAGE ": no '%s' in OPTIONS", ss);
	for (p = next_line(p); p && strncmp(p, ".SH ", 4) && strncmp(p, ".SS ", 4);
	     p = next_line(p)) {
		const char *t;

		if (!line_is(p, ".TP"))
			continue;
		t = next_line(p);
		if (!t)
			break;
		roff_plain(t, line_len(t), tag, sizeof(tag));
		parse_tag(s, tag, MAN_PAGE);
	}
	if (!s->n)
		fail_msg(MAN_PAGE ": no options under '%s'", ss);
}

/* --help of @cmd and the man page's options for it: the same names, the same arguments */
static void check_command_options(const char *cmd)
{
	struct opt_set help = { 0 }, man = { 0 };
	char args[64], where[64], *text, *page;
	const struct opt *o;
	size_t i, bad = 0;

	snprintf(args, sizeof(args), "%s --help", cmd);
	snprintf(where, sizeof(where), "procscope %s --help", cmd);
	text = run_procscope(args);
	help_options(text, &help, where);
	page = tl_slurp(MAN_PAGE, NULL);
	man_options(page, cmd, &man);
	for (i = 0; i < help.n; i++) {
		o = set_find(&man, help.o[i].name);
		if (!o) {
			print_error("%s: %s is not documented in " MAN_PAGE " (.SS %s)\n", where,
				    help.o[i].name, cmd);
			bad++;
		} else if (strcmp(o->arg, help.o[i].arg)) {
			print_error("%s %s: argument '%s' in --help, '%s' in " MAN_PAGE "\n", cmd,
				    help.o[i].name, help.o[i].arg, o->arg);
			bad++;
		}
	}
	for (i = 0; i < man.n; i++) {
		if (!set_find(&help, man.o[i].name)) {
			print_error(MAN_PAGE " (.SS %s) documents %s, which '%s' does not list\n",
				    cmd, man.o[i].name, where);
			bad++;
		}
	}
	free(text);
	free(page);
	if (bad)
		fail_msg("%zu option(s) of '%s' differ from " MAN_PAGE, bad, cmd);
}

static void test_docs_sync__trace_options(void **state)
{
	check_command_options("trace");
}

static void test_docs_sync__demo_options(void **state)
{
	check_command_options("demo");
}

static void test_docs_sync__report_options(void **state)
{
	check_command_options("report");
}

/* Every command `procscope help` lists has a ".TP" + ".B name" entry under COMMANDS */
static void test_docs_sync__commands(void **state)
{
	char *help = run_procscope("help"), *page = tl_slurp(MAN_PAGE, NULL), want[64];
	const char *p = strstr(help, "\nCommands:\n"), *sec, *q, *stop;
	size_t n = 0, bad = 0;

	if (!p)
		fail_msg("procscope help: no 'Commands:' block");
	sec = find_line(page, ".SH COMMANDS");
	if (!sec)
		fail_msg(MAN_PAGE ": no .SH COMMANDS");
	for (stop = next_line(sec); stop && strncmp(stop, ".SH ", 4); stop = next_line(stop))
		;
	for (p = next_line(p + 1); p && *p == ' ' && p[2] != ' '; p = next_line(p)) {
		size_t len = strcspn(p + 2, " \n");
		bool found = false;

		snprintf(want, sizeof(want), ".B %.*s", (int)len, p + 2);
		for (q = next_line(sec); q && q != stop; q = next_line(q))
			if (line_is(q, ".TP") && next_line(q) && line_is(next_line(q), want))
				found = true;
		if (!found) {
			print_error(MAN_PAGE ": COMMANDS has no entry '%s'\n", want);
			bad++;
		}
		n++;
	}
	free(help);
	free(page);
	assert_true(n >= 3); /* trace, demo, report at least */
	if (bad)
		fail_msg("%zu command(s) missing from " MAN_PAGE, bad);
}

/* The text of section "## @name" of docs/events.md (up to the next "## "), NULL if none */
static char *events_section(const char *doc, const char *name)
{
	char want[96];
	const char *p, *end;

	snprintf(want, sizeof(want), "## %s", name);
	p = find_line(doc, want);
	if (!p)
		return NULL;
	for (end = next_line(p); end && strncmp(end, "## ", 3); end = next_line(end))
		;
	return strndup(p, end ? (size_t)(end - p) : strlen(p));
}

/* Is field @name written as `name` (or `name.sub`, for an object) in @text? */
static bool names_field(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = strchr(text, '`'); p; p = strchr(p + 1, '`'))
		if (!strncmp(p + 1, name, n) && (p[1 + n] == '`' || p[1 + n] == '.'))
			return true;
	return false;
}

static void test_docs_sync__event_types(void **state)
{
	const struct schema_type *const *all;
	char *doc = tl_slurp(EVENTS_DOC, NULL), *sec;
	size_t n, i, bad = 0;

	all = schema_all(&n);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		sec = events_section(doc, all[i]->name);
		if (!sec) {
			print_error(EVENTS_DOC ": no section '## %s' (type %u)\n", all[i]->name,
				    all[i]->type);
			bad++;
		}
		free(sec);
	}
	for (i = 0; i < sizeof(log_only_types) / sizeof(log_only_types[0]); i++) {
		sec = events_section(doc, log_only_types[i]);
		if (!sec) {
			print_error(EVENTS_DOC ": no section '## %s'\n", log_only_types[i]);
			bad++;
		}
		free(sec);
	}
	free(doc);
	if (bad)
		fail_msg("%zu record type(s) without a section in " EVENTS_DOC, bad);
}

/* Each section names every field its schema table writes */
static void test_docs_sync__event_fields(void **state)
{
	const struct schema_type *const *all;
	const struct schema_field *f;
	char *doc = tl_slurp(EVENTS_DOC, NULL), *sec;
	size_t n, i, bad = 0;

	all = schema_all(&n);
	for (i = 0; i < n; i++) {
		sec = events_section(doc, all[i]->name);
		if (!sec)
			continue; /* test_docs_sync__event_types names it */
		for (f = all[i]->fields; f->name; f++) {
			if (names_field(sec, f->name))
				continue;
			print_error(EVENTS_DOC " '## %s': field `%s` is not described\n",
				    all[i]->name, f->name);
			bad++;
		}
		free(sec);
	}
	free(doc);
	if (bad)
		fail_msg("%zu field(s) missing from " EVENTS_DOC, bad);
}

/* A "## name" heading that looks like a record type must be one: no stale sections */
static void test_docs_sync__no_stale_event_sections(void **state)
{
	char *doc = tl_slurp(EVENTS_DOC, NULL), name[96];
	const char *p;
	size_t bad = 0, i, len;

	for (p = doc; p; p = next_line(p)) {
		bool ident = true, known = false;

		if (strncmp(p, "## ", 3))
			continue;
		len = line_len(p + 3);
		if (!len || len >= sizeof(name))
			continue;
		memcpy(name, p + 3, len);
		name[len] = '\0';
		for (i = 0; i < len; i++)
			if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
			    name[i] != '_')
				ident = false;
		if (!ident)
			continue; /* prose: "General rules", "Common fields"... */
		known = schema_by_name(name) != NULL;
		for (i = 0; i < sizeof(log_only_types) / sizeof(log_only_types[0]); i++)
			known |= !strcmp(name, log_only_types[i]);
		if (!known) {
			print_error(EVENTS_DOC ": section '## %s' is no record type procscope "
					       "writes\n",
				    name);
			bad++;
		}
	}
	free(doc);
	if (bad)
		fail_msg("%zu stale section(s) in " EVENTS_DOC, bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_sync__trace_options),
		cmocka_unit_test(test_docs_sync__demo_options),
		cmocka_unit_test(test_docs_sync__report_options),
		cmocka_unit_test(test_docs_sync__commands),
		cmocka_unit_test(test_docs_sync__event_types),
		cmocka_unit_test(test_docs_sync__event_fields),
		cmocka_unit_test(test_docs_sync__no_stale_event_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
