/* The rpmsg-sdb channel messages, host side (sdb_msg.h): every accepted and refused shape. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <amp/error.h>

#include "sdb_msg.h"

static int parse(const char *text, struct amp_sdb_fw_msg *m)
{
	return amp_sdb_parse_fw(text, strlen(text), m);
}

static void filled_and_returned_parse(void **state)
{
	(void)state;
	struct amp_sdb_fw_msg m;
	assert_int_equal(parse("B0L00100000", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_FW_FILLED);
	assert_int_equal(m.idx, 0);
	assert_int_equal(m.len, 0x100000);
	/* Sizes of 16 MiB and more: all 8 digits count (ST's parser drops the first two). */
	assert_int_equal(parse("B15L0A000000", &m), 0);
	assert_int_equal(m.idx, 15);
	assert_int_equal(m.len, 0x0A000000);
	assert_int_equal(parse("R3CDEADBEEF", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_FW_RETURNED);
	assert_int_equal(m.idx, 3);
	assert_int_equal(m.crc, 0xDEADBEEF);
	assert_int_equal(amp_sdb_parse_fw("B1L00000010", 12, &m), 0); /* with its NUL */
}

static void every_malformed_shape_is_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "",
	    "B",
	    "BL00000010",
	    "B0",
	    "B0L",
	    "B0L0000001",
	    "B0L000000100",
	    "B0L0000001g",
	    "B0X00000010",
	    "R0L00000010",
	    "B0C00000010",
	    "B123456L00000010",
	    "b0L00000010",
	    "X0L00000010",
	    "B0L00000010\n",
	    "B-1L00000010",
	    "B 0L00000010",
	    "R0C",
	    "R0CDEADBEE",
	    "B0L00000010B0L00000010",
	};
	struct amp_sdb_fw_msg m;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &m), AMP_EBADMSG);
	assert_int_equal(amp_sdb_parse_fw("B0\0L00000010", 12, &m), AMP_EBADMSG);
	assert_int_equal(amp_sdb_parse_fw(NULL, 4, &m), AMP_EBADMSG);
}

static void host_messages_format(void **state)
{
	(void)state;
	char out[40];
	assert_int_equal(amp_sdb_fmt_announce(out, sizeof(out), 'B', 0, 0xC0000000, 0x100000), 20);
	assert_string_equal(out, "B0Ac0000000L00100000"); /* ST's exact format */
	assert_int_equal(amp_sdb_fmt_announce(out, sizeof(out), 'T', 12, 0xC0100000, 0x1000), 21);
	assert_string_equal(out, "T12Ac0100000L00001000");
	assert_int_equal(amp_sdb_fmt_refill(out, sizeof(out), 7), 2);
	assert_string_equal(out, "R7");
	assert_int_equal(amp_sdb_fmt_filled(out, sizeof(out), 7, 0x2000000), 11);
	assert_string_equal(out, "F7L02000000");
	assert_int_equal(amp_sdb_fmt_filled(out, 5, 7, 1), AMP_EINVAL); /* would truncate */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(filled_and_returned_parse),
	    cmocka_unit_test(every_malformed_shape_is_refused),
	    cmocka_unit_test(host_messages_format),
	};
	return cmocka_run_group_tests_name("sdb messages", tests, NULL, NULL);
}
