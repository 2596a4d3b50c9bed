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

#include "../fuzz/fuzz_evread.c"
#include "../fuzz/replay.h"

static void test_fuzz_replay__evread_corpus(void **state)
{
	/* the seeds are part of the tree: an empty corpus means a broken checkout */
	assert_true(replay_corpus("tests/fuzz/corpus/evread", LLVMFuzzerTestOneInput) >= 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_replay__evread_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
