/* The error table: every code has a distinct name and text, and unknown codes are safe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <amp/error.h>

static const int all_codes[] = {
#define CODE_(name, value, text) AMP_##name,
    AMP_ERRNO_MAP(CODE_)
#undef CODE_
};

static void codes_are_negative_and_distinct(void **state)
{
	(void)state;
	size_t n = sizeof(all_codes) / sizeof(all_codes[0]);
	for (size_t i = 0; i < n; i++) {
		assert_true(all_codes[i] < 0);
		for (size_t j = i + 1; j < n; j++)
			assert_int_not_equal(all_codes[i], all_codes[j]);
	}
}

static void every_code_has_its_own_text(void **state)
{
	(void)state;
	size_t n = sizeof(all_codes) / sizeof(all_codes[0]);
	for (size_t i = 0; i < n; i++) {
		assert_string_not_equal(amp_strerror(all_codes[i]), "unknown error");
		assert_string_not_equal(amp_err_name(all_codes[i]), "AMP_E?");
		for (size_t j = i + 1; j < n; j++)
			assert_string_not_equal(amp_strerror(all_codes[i]),
						amp_strerror(all_codes[j]));
	}
	assert_string_equal(amp_err_name(AMP_EPROTO), "AMP_EPROTO");
	assert_string_equal(amp_strerror(AMP_EMSGSIZE), "payload larger than the buffer's MTU");
}

static void success_and_unknown_codes(void **state)
{
	(void)state;
	assert_string_equal(amp_strerror(0), "success");
	assert_string_equal(amp_err_name(0), "AMP_OK");
	assert_string_equal(amp_strerror(-9999), "unknown error");
	assert_string_equal(amp_strerror(12345), "unknown error");
	assert_string_equal(amp_err_name(-9999), "AMP_E?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(codes_are_negative_and_distinct),
	    cmocka_unit_test(every_code_has_its_own_text),
	    cmocka_unit_test(success_and_unknown_codes),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
