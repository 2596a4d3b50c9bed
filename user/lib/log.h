/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Diagnostics on stderr: "procscope: <message>", one line each. Only the shell (main, loader,
 * trace) prints; pure modules return codes.
 */
#ifndef __PSC_LOG_H
#define __PSC_LOG_H

enum psc_log_level {
	PSC_LOG_ERR = 0,
	PSC_LOG_WARN = 1,
	PSC_LOG_INFO = 2,
	PSC_LOG_DBG = 3,
};

/* Messages above this level are dropped (default PSC_LOG_INFO; -q lowers, -v raises) */
void psc_log_set_level(int level);
int psc_log_level(void);
void psc_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The error for a getopt_long() result of ':' (a value is missing) or '?' (unknown option),
 * in our own words: run getopt with opterr = 0 and a ':'-leading optstring.
 */
void psc_bad_option(int c, char **argv);

#define psc_err(...) psc_log(PSC_LOG_ERR, __VA_ARGS__)
#define psc_warn(...) psc_log(PSC_LOG_WARN, __VA_ARGS__)
#define psc_info(...) psc_log(PSC_LOG_INFO, __VA_ARGS__)
#define psc_dbg(...) psc_log(PSC_LOG_DBG, __VA_ARGS__)

#endif /* __PSC_LOG_H */
