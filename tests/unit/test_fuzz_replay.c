// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The fuzz corpus replayed without libFuzzer: every file of tests/fuzz/corpus/evread/ through
 * the fuzz target, so `make test` (gcc, ASan+UBSan) checks the seeds and every crash input
 * added to the corpus. PSC_FUZZ_CORPUS overrides the directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <string.h>

#include "../fuzz/fuzz_evread.c"

static const char *corpus_dir(void)
{
	const char *env = getenv("PSC_FUZZ_CORPUS");

	return env ? env : "tests/fuzz/corpus/evread";
}

static void test_fuzz_replay__evread_corpus(void **state)
{
	const char *dir = corpus_dir();
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t files = 0;

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
		assert_int_equal(LLVMFuzzerTestOneInput(buf, len), 0);
		free(buf);
		files++;
	}
	closedir(d);
	/* the seeds are part of the tree: an empty corpus means a broken checkout */
	assert_true(files >= 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_replay__evread_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
