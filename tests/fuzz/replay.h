/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Replay a fuzz corpus without libFuzzer (for gcc + ASan/UBSan runs in `make test`): every file
 * of a directory through a target's entry point. Included by one cmocka test per target.
 */
#ifndef __PSC_FUZZ_REPLAY_H
#define __PSC_FUZZ_REPLAY_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs every file of @dir (or $PSC_FUZZ_CORPUS) through @one; returns how many files ran */
static size_t replay_corpus(const char *dir, int (*one)(const uint8_t *, size_t))
{
	const char *env = getenv("PSC_FUZZ_CORPUS");
	struct dirent *de;
	size_t files = 0;
	DIR *d;

	if (env)
		dir = env;
	d = opendir(dir);
	if (!d)
		fail_msg("cannot open the corpus '%s' (run from the source tree)", dir);
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		unsigned char *buf;
		size_t len;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		assert_int_equal(fseek(f, 0, SEEK_END), 0);
		len = (size_t)ftell(f);
		rewind(f);
		buf = malloc(len + 1);
		assert_non_null(buf);
		assert_int_equal(fread(buf, 1, len, f), len);
		fclose(f);
		assert_int_equal(one(buf, len), 0);
		free(buf);
		files++;
	}
	closedir(d);
	return files;
}

#endif /* __PSC_FUZZ_REPLAY_H */
