// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * stderr diagnostics. One fprintf per line so concurrent writers do not interleave mid-line.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

static int log_level = PSC_LOG_INFO;

void psc_log_set_level(int level)
{
	log_level = level;
}

int psc_log_level(void)
{
	return log_level;
}

void psc_log(int level, const char *fmt, ...)
{
	static const char *const prefix[] = { "", "warning: ", "", "debug: " };
	char msg[1024];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "procscope: %s%s\n", prefix[level < 0 ? 0 : level > 3 ? 3 : level], msg);
}

void psc_bad_option(int c, char **argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		psc_err("option '%s' needs a value", arg);
	else if (optopt && arg[0] == '-' && arg[1] != '-')
		psc_err("unknown option '-%c'", optopt);
	else
		psc_err("unknown option '%s'", arg);
}
