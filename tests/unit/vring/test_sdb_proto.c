/*
 * The rpmsg-sdb text codec (<amp/sdb_proto.h>), both directions: every accepted and refused
 * shape of each message, the ranges, the exact formats (ST's driver and ampsim's
 * additions), and format -> parse round trips of every kind over many field values.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <amp/error.h>
#include <amp/sdb_proto.h>

static int to_fw(const char *text, struct amp_sdb_msg *m)
{
	return amp_sdb_parse_to_fw(text, strlen(text), m);
}

static int to_host(const char *text, struct amp_sdb_msg *m)
{
	return amp_sdb_parse_to_host(text, strlen(text), m);
}

/* ---- Linux -> firmware ------------------------------------------------------------------ */

static void announce_valid(void **state)
{
	struct amp_sdb_msg m;

	(void)state;
	/* The form ST's driver sends: "B%dA%08xL%08x", no NUL. */
	assert_int_equal(to_fw("B0Ac0000000L00100000", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_MSG_ANNOUNCE);
	assert_int_equal(m.idx, 0);
	assert_int_equal(m.da, 0xC0000000u);
	assert_int_equal(m.len, 0x100000u);
	assert_int_equal(to_fw("B7AC0A0B0C0L0000ABCD", &m), 0); /* upper-case hex too */
	assert_int_equal(m.idx, 7);
	assert_int_equal(m.da, 0xC0A0B0C0u);
	assert_int_equal(m.len, 0xABCDu);
	/* A trailing NUL (printf buffer sent whole) or newline is tolerated. */
	assert_int_equal(amp_sdb_parse_to_fw("B1A00001000L00000010", 21, &m), 0);
	assert_int_equal(m.idx, 1);
	assert_int_equal(to_fw("B01A00001000L00000010\n", &m), 0);
	assert_int_equal(m.idx, 1);
	/* Ends exactly at the top of the address space. */
	assert_int_equal(to_fw("B2AFFFFFFF0L00000010", &m), 0);
	/* The other direction's announcement. */
	assert_int_equal(to_fw("T3Ac0100000L02000000", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_MSG_ANNOUNCE_TO_FW);
	assert_int_equal(m.idx, 3);
	assert_int_equal(m.da, 0xC0100000u);
	assert_int_equal(m.len, 0x2000000u);
}

static void to_fw_malformed(void **state)
{
	static const char *const bad[] = {
	    "",						/* empty */
	    "B",					/* letter only */
	    "BAc0000000L00100000",			/* no index digits */
	    "B000000Ac0000000L00100000",		/* 6 index digits */
	    "B0c0000000L00100000",			/* no 'A' */
	    "B0Ac000000L00100000",			/* 7 address digits */
	    "B0Ac00000000L00100000",			/* 9 address digits */
	    "B0Ac000000gL00100000",			/* non-hex digit */
	    "B0Ac0000000X00100000",			/* 'X' instead of 'L' */
	    "B0Ac0000000",				/* no length */
	    "B0Ac0000000L0010000",			/* 7 length digits */
	    "B0Ac0000000L001000000",			/* 9 length digits */
	    "B0Ac0000000L00100000x",			/* trailing junk */
	    "B0Ac0000000L00100000\n\n",			/* two trailing bytes */
	    "B0A-c000000L00100000",			/* sign */
	    "B-1Ac0000000L00100000",			/* negative index */
	    "B0Ac0000000L00100000B0Ac0000000L00100000", /* two in one, too long */
	    "B0L00100000",				/* the firmware's "filled": not to it */
	    "R",					/* refill without index */
	    "R1x",					/* refill with junk */
	    "R0C00000000",				/* the firmware's "returned" */
	    "F3L0000010",				/* submit: 7 digits */
	    "F3A00000010",				/* submit: 'A' */
	    "F3L00000010x",				/* submit: junk */
	    "T0A00001000",				/* to-fw announce without length */
	    " Mc",					/* a command starts printable */
	    "\x01Mc",
	    "\x7fMc",
	    "\x80Mc",
	    "\n\n",
	    "MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM", /* 33 bytes: too long */
	};
	struct amp_sdb_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = to_fw(bad[i], &m);
		if (rc != AMP_EBADMSG)
			fail_msg("\"%s\": got %d, expected AMP_EBADMSG", bad[i], rc);
	}
	/* An embedded NUL is not the tolerated trailing one. */
	assert_int_equal(amp_sdb_parse_to_fw("B0Ac0\0000000L00100000", 20, &m), AMP_EBADMSG);
	assert_int_equal(amp_sdb_parse_to_fw("", 1, &m), AMP_EBADMSG); /* a lone NUL */
	assert_int_equal(amp_sdb_parse_to_fw(NULL, 3, &m), AMP_EINVAL);
	assert_int_equal(amp_sdb_parse_to_fw("B0", 2, NULL), AMP_EINVAL);
}

static void to_fw_out_of_range(void **state)
{
	struct amp_sdb_msg m;

	(void)state;
	assert_int_equal(to_fw("B16Ac0000000L00100000", &m), AMP_ERANGE); /* idx >= 16 */
	assert_int_equal(m.idx, 16);
	assert_int_equal(to_fw("B99999Ac0000000L00100000", &m), AMP_ERANGE);
	assert_int_equal(to_fw("B0Ac0000000L00000000", &m), AMP_ERANGE); /* nothing */
	assert_int_equal(to_fw("B0AFFFFFFF0L00000011", &m), AMP_ERANGE); /* wraps 2^32 */
	assert_int_equal(to_fw("T0A00000002LFFFFFFFF", &m), AMP_ERANGE);
	assert_int_equal(to_fw("R16", &m), AMP_ERANGE);
	assert_int_equal(to_fw("F3L00000000", &m), AMP_ERANGE); /* nothing filled */
	assert_int_equal(to_fw("F16L00000010", &m), AMP_ERANGE);
}

static void refill_submit_and_commands(void **state)
{
	struct amp_sdb_msg m;

	(void)state;
	assert_int_equal(to_fw("R3", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_MSG_REFILL);
	assert_int_equal(m.idx, 3);
	assert_int_equal(to_fw("F3L01000000", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_MSG_SUBMIT);
	assert_int_equal(m.idx, 3);
	assert_int_equal(m.len, 0x1000000u);
	/* Anything else that starts printable is the firmware's own command, passed whole. */
	const char *cmds[] = {"Mc", "E1", "M", "hello, firmware", "x B0L00000010"};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		assert_int_equal(to_fw(cmds[i], &m), 0);
		assert_int_equal(m.kind, AMP_SDB_MSG_CONTROL);
		assert_int_equal(m.text_len, strlen(cmds[i]));
		assert_memory_equal(m.text, cmds[i], m.text_len);
	}
	assert_int_equal(to_fw("Ms\n", &m), 0); /* the tolerated newline is not part of it */
	assert_int_equal(m.text_len, 2);
}

/* ---- firmware -> Linux ------------------------------------------------------------------ */

static void filled_and_returned(void **state)
{
	struct amp_sdb_msg m;

	(void)state;
	assert_int_equal(to_host("B0L00100000", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_MSG_FILLED);
	assert_int_equal(m.idx, 0);
	assert_int_equal(m.len, 0x100000);
	/* Sizes of 16 MiB and more: all 8 digits count (ST's parser drops the first two). */
	assert_int_equal(to_host("B15L0A000000", &m), 0);
	assert_int_equal(m.idx, 15);
	assert_int_equal(m.len, 0x0A000000);
	assert_int_equal(to_host("R3CDEADBEEF", &m), 0);
	assert_int_equal(m.kind, AMP_SDB_MSG_RETURNED);
	assert_int_equal(m.idx, 3);
	assert_int_equal(m.crc, 0xDEADBEEF);
	assert_int_equal(amp_sdb_parse_to_host("B1L00000010", 12, &m), 0); /* with its NUL */
	assert_int_equal(to_host("B1L00000010\n", &m), 0);		   /* as kstrtol takes it */
	/* Well formed, but no such index: the fields are there for the report. */
	assert_int_equal(to_host("B16L00000010", &m), AMP_ERANGE);
	assert_int_equal(m.idx, 16);
	assert_int_equal(to_host("R99999C00000000", &m), AMP_ERANGE);
}

static void to_host_malformed(void **state)
{
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
	    "B0L00000010\n\n",
	    "B-1L00000010",
	    "B 0L00000010",
	    "R0C",
	    "R0CDEADBEE",
	    "R0",		    /* Linux's refill, not an answer */
	    "B0Ac0000000L00100000", /* Linux's announcement */
	    "T0Ac0000000L00100000",
	    "F0L00000010",
	    "Mc", /* commands go one way only */
	    "B0L00000010B0L00000010",
	};
	struct amp_sdb_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = to_host(bad[i], &m);
		if (rc != AMP_EBADMSG)
			fail_msg("\"%s\": got %d, expected AMP_EBADMSG", bad[i], rc);
	}
	assert_int_equal(amp_sdb_parse_to_host("B0\0L00000010", 12, &m), AMP_EBADMSG);
	assert_int_equal(amp_sdb_parse_to_host(NULL, 4, &m), AMP_EINVAL);
	assert_int_equal(amp_sdb_parse_to_host("B0L00000010", 11, NULL), AMP_EINVAL);
}

/* ---- formatting ------------------------------------------------------------------------- */

static int fmt(char *out, size_t cap, enum amp_sdb_msg_kind kind, uint32_t idx, uint32_t da,
	       uint32_t len, uint32_t crc)
{
	struct amp_sdb_msg m = {.kind = kind, .idx = idx, .da = da, .len = len, .crc = crc};
	return amp_sdb_format(out, cap, &m);
}

/* What ST's stm32_rpmsg_sdb does with a "filled" message: split at the first 'L', decimal id
 * after 'B', then kstrtol(&rest[2], 16): the two characters after 'L' are skipped. */
static void linux_parse_report(const char *r, long *id, long *size)
{
	const char *l = strchr(r, 'L');
	assert_non_null(l);
	assert_int_equal(r[0], 'B');
	char idbuf[16] = {0};
	memcpy(idbuf, r + 1, (size_t)(l - r - 1));
	*id = strtol(idbuf, NULL, 10);
	*size = strtol(l + 2, NULL, 16); /* l + 1 skipped too: rest = "L..." and &rest[2] */
}

static void exact_formats(void **state)
{
	char out[AMP_SDB_MSG_MAX + 1];

	(void)state;
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_ANNOUNCE, 0, 0xC0000000u, 0x100000, 0),
			 20);
	assert_string_equal(out, "B0Ac0000000L00100000"); /* ST's exact format */
	assert_int_equal(
	    fmt(out, sizeof(out), AMP_SDB_MSG_ANNOUNCE_TO_FW, 12, 0xC0100000u, 0x1000, 0), 21);
	assert_string_equal(out, "T12Ac0100000L00001000");
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_REFILL, 7, 0, 0, 0), 2);
	assert_string_equal(out, "R7");
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_SUBMIT, 7, 0, 0x2000000, 0), 11);
	assert_string_equal(out, "F7L02000000");
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_FILLED, 0, 0, 0x100000, 0), 11);
	assert_string_equal(out, "B0L00100000");
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_FILLED, 15, 0, 0xDEADBEEFu, 0), 12);
	assert_string_equal(out, "B15Ldeadbeef");
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_RETURNED, 12, 0, 0, 0xCBF43926u), 12);
	assert_string_equal(out, "R12Ccbf43926");
	/* As printf writes them. */
	char expect[32];
	snprintf(expect, sizeof(expect), "B%uL%08x", 7u, 0xABCu);
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_FILLED, 7, 0, 0xABC, 0),
			 (int)strlen(expect));
	assert_string_equal(out, expect);
	/* Linux reads back the size the driver needs (up to 0xFFFFFF: its quirk). */
	long id, size;
	fmt(out, sizeof(out), AMP_SDB_MSG_FILLED, 3, 0, 0x00ABCDEFu, 0);
	linux_parse_report(out, &id, &size);
	assert_int_equal(id, 3);
	assert_int_equal(size, 0x00ABCDEF);
}

static void format_refusals(void **state)
{
	char out[AMP_SDB_MSG_MAX + 1];
	struct amp_sdb_msg m = {.kind = AMP_SDB_MSG_FILLED, .len = 1};

	(void)state;
	/* Room for the text and its NUL, exactly; one byte less is refused, nothing written. */
	assert_int_equal(fmt(out, 12, AMP_SDB_MSG_FILLED, 0, 0, 1, 0), 11);
	memset(out, 'z', sizeof(out));
	assert_int_equal(fmt(out, 11, AMP_SDB_MSG_FILLED, 0, 0, 1, 0), AMP_EINVAL);
	assert_int_equal(out[0], 'z');
	assert_int_equal(fmt(out, 0, AMP_SDB_MSG_REFILL, 0, 0, 0, 0), AMP_EINVAL);
	/* What a parser would refuse with AMP_ERANGE is never written. */
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_FILLED, 16, 0, 1, 0), AMP_ERANGE);
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_ANNOUNCE, 0, 0x1000, 0, 0), AMP_ERANGE);
	assert_int_equal(
	    fmt(out, sizeof(out), AMP_SDB_MSG_ANNOUNCE_TO_FW, 0, 0xFFFFF000u, 0x2000, 0),
	    AMP_ERANGE);
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_SUBMIT, 1, 0, 0, 0), AMP_ERANGE);
	/* A command is the caller's own text; unknown kinds and NULL are refused. */
	assert_int_equal(fmt(out, sizeof(out), AMP_SDB_MSG_CONTROL, 0, 0, 0, 0), AMP_EINVAL);
	assert_int_equal(fmt(out, sizeof(out), (enum amp_sdb_msg_kind)99, 0, 0, 0, 0), AMP_EINVAL);
	assert_int_equal(amp_sdb_format(NULL, sizeof(out), &m), AMP_EINVAL);
	assert_int_equal(amp_sdb_format(out, sizeof(out), NULL), AMP_EINVAL);
}

/* ---- round trips ------------------------------------------------------------------------ */

static uint32_t xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* A valid message of @kind with fields drawn from @seed. */
static struct amp_sdb_msg draw(enum amp_sdb_msg_kind kind, uint32_t *seed)
{
	struct amp_sdb_msg m = {.kind = kind, .idx = xorshift32(seed) % AMP_SDB_MAX_BUFFERS};
	if (kind == AMP_SDB_MSG_ANNOUNCE || kind == AMP_SDB_MSG_ANNOUNCE_TO_FW) {
		m.da = xorshift32(seed);
		/* len - 1 <= UINT32_MAX - da: the buffer ends inside the address space. */
		m.len = 1u + (uint32_t)(xorshift32(seed) % ((uint64_t)(UINT32_MAX - m.da) + 1u));
	} else if (kind == AMP_SDB_MSG_SUBMIT) {
		m.len = xorshift32(seed) | 1u;
	} else if (kind == AMP_SDB_MSG_FILLED) {
		m.len = xorshift32(seed);
	} else if (kind == AMP_SDB_MSG_RETURNED) {
		m.crc = xorshift32(seed);
	}
	return m;
}

static bool same(const struct amp_sdb_msg *a, const struct amp_sdb_msg *b)
{
	return a->kind == b->kind && a->idx == b->idx && a->da == b->da && a->len == b->len &&
	       a->crc == b->crc && a->text == b->text && a->text_len == b->text_len;
}

/* What one side formats, the other parses to the same fields; never the wrong direction. */
static void every_kind_round_trips(void **state)
{
	static const enum amp_sdb_msg_kind kinds[] = {
	    AMP_SDB_MSG_ANNOUNCE, AMP_SDB_MSG_ANNOUNCE_TO_FW, AMP_SDB_MSG_REFILL,
	    AMP_SDB_MSG_SUBMIT,	  AMP_SDB_MSG_FILLED,	      AMP_SDB_MSG_RETURNED,
	};
	uint32_t seed = 0x5DB5DB5Du;
	char out[AMP_SDB_MSG_MAX + 1];
	struct amp_sdb_msg back, other;

	(void)state;
	for (int round = 0; round < 20000; round++) {
		enum amp_sdb_msg_kind k = kinds[round % 6];
		struct amp_sdb_msg m = draw(k, &seed);
		bool from_host = k != AMP_SDB_MSG_FILLED && k != AMP_SDB_MSG_RETURNED;
		int n = amp_sdb_format(out, sizeof(out), &m);
		if (n <= 0 || (size_t)n != strlen(out))
			fail_msg("kind %d idx %u: format returned %d", (int)k, m.idx, n);
		int rc = from_host ? amp_sdb_parse_to_fw(out, (size_t)n, &back)
				   : amp_sdb_parse_to_host(out, (size_t)n, &back);
		if (rc != 0 || !same(&back, &m))
			fail_msg("\"%s\" (kind %d) did not parse back (%d)", out, (int)k, rc);
		/* Read in the wrong direction: refused, or (B, R) a different message. */
		rc = from_host ? amp_sdb_parse_to_host(out, (size_t)n, &other)
			       : amp_sdb_parse_to_fw(out, (size_t)n, &other);
		assert_true(rc != 0 || other.kind != k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(announce_valid),	      cmocka_unit_test(to_fw_malformed),
	    cmocka_unit_test(to_fw_out_of_range),     cmocka_unit_test(refill_submit_and_commands),
	    cmocka_unit_test(filled_and_returned),    cmocka_unit_test(to_host_malformed),
	    cmocka_unit_test(exact_formats),	      cmocka_unit_test(format_refusals),
	    cmocka_unit_test(every_kind_round_trips),
	};
	return cmocka_run_group_tests_name("vring/sdb_proto", tests, NULL, NULL);
}
