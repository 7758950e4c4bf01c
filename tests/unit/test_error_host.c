/* The host's error space: errno maps onto AMP_E*, and AMP_ERROR carries those codes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ampsim/error.h>

static void errno_maps_to_its_code(void **state)
{
	(void)state;
	assert_int_equal(amp_from_errno(0), AMP_OK);
	assert_int_equal(amp_from_errno(ENOENT), AMP_ENOENT);
	assert_int_equal(amp_from_errno(EINVAL), AMP_EINVAL);
	assert_int_equal(amp_from_errno(EMFILE), AMP_ENOMEM);
	assert_int_equal(amp_from_errno(EWOULDBLOCK), AMP_EAGAIN);
	assert_int_equal(amp_from_errno(EPIPE), AMP_ENOTCONN);
	assert_int_equal(amp_from_errno(EADDRINUSE), AMP_EADDRINUSE);
	assert_int_equal(amp_from_errno(EACCES), AMP_EACCES);
	assert_int_equal(amp_from_errno(EMSGSIZE), AMP_EMSGSIZE);
	assert_int_equal(amp_from_errno(EXDEV), AMP_EIO); /* nothing closer: EIO */
	assert_int_equal(amp_from_errno(123456), AMP_EIO);
}

static void codes_map_back_to_errno(void **state)
{
	(void)state;
	assert_int_equal(amp_to_errno(AMP_OK), 0);
	assert_int_equal(amp_to_errno(AMP_EADDRINUSE), EADDRINUSE);
	assert_int_equal(amp_to_errno(AMP_EINVAL), EINVAL);
	assert_int_equal(amp_to_errno(AMP_ENOTCONN), ENOTCONN);
	assert_int_equal(amp_to_errno(AMP_EACCES), EACCES);
	assert_int_equal(amp_to_errno(AMP_EBROKEN), EIO); /* as Linux's broken virtqueue */
	assert_int_equal(amp_to_errno(-1000), EIO);
	assert_int_equal(amp_to_errno(5), EIO); /* positive: not a code */
	/* Every errno that has a code of its own comes back unchanged. */
	static const int same[] = {EINVAL, ENOMEM,     EMSGSIZE, ETIMEDOUT, EAGAIN, ENOTCONN,
				   EPROTO, EADDRINUSE, ENOENT,	 EFAULT,    ERANGE, EBADMSG,
				   EBUSY,  EIO,	       EEXIST,	 ENOEXEC,   EACCES};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		assert_int_equal(amp_to_errno(amp_from_errno(same[i])), same[i]);
}

static void gerror_carries_the_code(void **state)
{
	(void)state;
	g_autoptr(GError) e = NULL;
	amp_set_error(&e, AMP_EPROTO, "vring%d broken", 1);
	assert_true(g_error_matches(e, AMP_ERROR, AMP_EPROTO));
	assert_string_equal(e->message, "vring1 broken");
	assert_int_equal(amp_error_code(e), AMP_EPROTO);
	g_clear_error(&e);

	amp_set_error_errno(&e, ENOENT, "cannot open %s", "x.ini");
	assert_true(g_error_matches(e, AMP_ERROR, AMP_ENOENT));
	assert_non_null(strstr(e->message, "cannot open x.ini: "));
	g_clear_error(&e);

	g_set_error_literal(&e, G_FILE_ERROR, G_FILE_ERROR_FAILED, "other domain");
	assert_int_equal(amp_error_code(e), AMP_EIO);
	assert_int_equal(amp_error_code(NULL), AMP_OK);
	amp_set_error(NULL, AMP_EINVAL, "ignored"); /* NULL is allowed, as in GLib */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(errno_maps_to_its_code),
	    cmocka_unit_test(codes_map_back_to_errno),
	    cmocka_unit_test(gerror_carries_the_code),
	};
	return cmocka_run_group_tests_name("error_host", tests, NULL, NULL);
}
