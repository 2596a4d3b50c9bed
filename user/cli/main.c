// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * procscope: the command table, as bpftool's. Each command (cmd_*.c) parses its own options and
 * prints its own help; nothing here traces.
 */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "log.h"

static const struct cli_cmd *const commands[] = {
	&cli_trace_cmd,
	&cli_demo_cmd,
	&cli_report_cmd,
};

#define NCMDS (sizeof(commands) / sizeof(commands[0]))

static const struct cli_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static void main_help(FILE *out)
{
	size_t i;

	fputs("Usage: procscope COMMAND [OPTIONS]\n"
	      "\n"
	      "Trace process lifecycles (fork, exec, exit, zombies, orphans), epoll readiness and\n"
	      "unix-domain sockets with eBPF.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (i = 0; i < NCMDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "  %-9s %s\n", "help", "this help; 'help COMMAND': the command's help");
	fputs("\n"
	      "  procscope COMMAND --help for its options; procscope --version\n",
	      out);
}

/* `procscope help [COMMAND]` */
static int help_main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		main_help(stdout);
		return 0;
	}
	c = find_cmd(argv[1]);
	if (!c) {
		psc_err("unknown command '%s'", argv[1]);
		main_help(stderr);
		return EXIT_USAGE;
	}
	c->help(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	const struct cli_cmd *c;

	if (!name) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(name, "help") || !strcmp(name, "--help") || !strcmp(name, "-h"))
		return help_main(argc - 1, argv + 1);
	if (!strcmp(name, "--version") || !strcmp(name, "-V")) {
		cli_print_version();
		return 0;
	}
	c = find_cmd(name);
	if (!c) {
		psc_err("unknown command '%s'", name);
		main_help(stderr);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
