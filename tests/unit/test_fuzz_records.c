// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The ring-record fuzz corpus (tests/fuzz/corpus/records: real demo traces as raw records)
 * replayed through tests/fuzz/fuzz_records.c under gcc+ASan+UBSan; plus hostile variants
 * made here: every record truncated at every length, and every byte of a record flipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../fuzz/fuzz_records.c"
#include "../fuzz/replay.h"

#include <sys/stat.h>

static void test_fuzz_records__corpus(void **state)
{
	assert_true(replay_corpus("tests/fuzz/corpus/records", LLVMFuzzerTestOneInput) >= 8);
}

/* An output path that is a device is written, never replaced (root renamed over /dev/null) */
static void test_fuzz_records__device_output_kept(void **state)
{
	struct model *m = model_new();
	struct sink *s;
	struct stat st;

	assert_non_null(m);
	s = summary_json_sink_new("/dev/null", NULL);
	assert_non_null(s);
	model_add_sink(m, s);
	assert_int_equal(model_finish(m, 1), 0);
	model_free(m);
	assert_int_equal(lstat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(access("/dev/null.tmp", F_OK), -1);
}

/* One record of each type, with all bytes set, cut at every length and with every byte flipped */
static void test_fuzz_records__cut_and_flipped(void **state)
{
	const struct schema_type *const *all;
	size_t n, i, cut, k;
	uint8_t buf[2 + sizeof(union psc_event)];

	all = schema_all(&n);
	for (i = 0; i < n; i++) {
		union psc_event ev;
		uint32_t size = all[i]->size;

		memset(&ev, 0xa5, sizeof(ev));
		ev.hdr.type = all[i]->type;
		ev.hdr.size = size;
		ev.hdr.ts_ns = 5000;
		for (cut = 0; cut <= size; cut++) {
			buf[0] = (uint8_t)cut;
			buf[1] = (uint8_t)(cut >> 8);
			memcpy(buf + 2, &ev, cut);
			assert_int_equal(LLVMFuzzerTestOneInput(buf, 2 + cut), 0);
		}
		for (k = 0; k < size; k += 3) {
			buf[0] = (uint8_t)size;
			buf[1] = (uint8_t)(size >> 8);
			memcpy(buf + 2, &ev, size);
			buf[2 + k] ^= 0xff;
			assert_int_equal(LLVMFuzzerTestOneInput(buf, 2 + size), 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fuzz_records__corpus),
		cmocka_unit_test(test_fuzz_records__cut_and_flipped),
		cmocka_unit_test(test_fuzz_records__device_output_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
