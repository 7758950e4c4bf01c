/*
 * rpmsg-sdb messages: announcement parsing (valid forms and every malformed shape),
 * the report format as ST's Linux driver parses it, and a full fill cycle (announce ->
 * fill -> report -> reader checks the CRC) over a fake DDR window.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <amp/error.h>
#include <amp/fw_crc32.h>

#include "sdb_proto.h"

static int parse(const char *s, struct sdb_msg *m)
{
	return sdb_parse((const uint8_t *)s, strlen(s), m);
}

static void announce_valid(void **state)
{
	struct sdb_msg m;

	(void)state;
	/* The form ST's driver sends: "B%dA%08xL%08x", no NUL. */
	assert_int_equal(parse("B0Ac0000000L00100000", &m), 0);
	assert_int_equal(m.kind, SDB_MSG_ANNOUNCE);
	assert_int_equal(m.idx, 0);
	assert_int_equal(m.da, 0xC0000000u);
	assert_int_equal(m.len, 0x100000u);
	assert_int_equal(parse("B7AC0A0B0C0L0000ABCD", &m), 0); /* upper-case hex too */
	assert_int_equal(m.idx, 7);
	assert_int_equal(m.da, 0xC0A0B0C0u);
	assert_int_equal(m.len, 0xABCDu);
	/* A trailing NUL (printf buffer sent whole) or newline is tolerated. */
	assert_int_equal(sdb_parse((const uint8_t *)"B1A00001000L00000010", 21, &m), 0);
	assert_int_equal(m.idx, 1);
	assert_int_equal(parse("B01A00001000L00000010\n", &m), 0);
	assert_int_equal(m.idx, 1);
	/* Ends exactly at the top of the address space. */
	assert_int_equal(parse("B2AFFFFFFF0L00000010", &m), 0);
}

static void announce_malformed(void **state)
{
	static const char *const bad[] = {
	    "",						/* empty */
	    "B",					/* letter only */
	    "X0Ac0000000L00100000",			/* unknown command */
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
	    "b0Ac0000000L00100000",			/* lower-case command */
	    "B0Ac0000000L00100000B0Ac0000000L00100000", /* two in one, too long */
	    "R",					/* refill without index */
	    "R1x",					/* refill with junk */
	    "M",					/* pattern without letter */
	    "Mx",					/* unknown pattern */
	    "Mcc",					/* too long */
	};
	struct sdb_msg m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], &m);
		if (rc != AMP_EBADMSG)
			fail_msg("\"%s\": got %d, expected AMP_EBADMSG", bad[i], rc);
	}
	/* Embedded NUL in the middle. */
	assert_int_equal(sdb_parse((const uint8_t *)"B0Ac0\0000000L00100000", 20, &m), AMP_EBADMSG);
	assert_int_equal(sdb_parse(NULL, 3, &m), AMP_EINVAL);
	assert_int_equal(sdb_parse((const uint8_t *)"B0", 2, NULL), AMP_EINVAL);
}

static void announce_out_of_range(void **state)
{
	struct sdb_msg m;

	(void)state;
	assert_int_equal(parse("B16Ac0000000L00100000", &m), AMP_ERANGE); /* idx >= 16 */
	assert_int_equal(parse("B99999Ac0000000L00100000", &m), AMP_ERANGE);
	assert_int_equal(parse("B0Ac0000000L00000007", &m), AMP_ERANGE); /* < SDB_MIN_LEN */
	assert_int_equal(parse("B0Ac0000000L00000000", &m), AMP_ERANGE);
	assert_int_equal(parse("B0AFFFFFFF0L00000011", &m), AMP_ERANGE); /* wraps 2^32 */
	assert_int_equal(parse("B0A00000002LFFFFFFFF", &m), AMP_ERANGE);
	assert_int_equal(parse("R16", &m), AMP_ERANGE);
}

static void commands(void **state)
{
	struct sdb_msg m;

	(void)state;
	assert_int_equal(parse("R3", &m), 0);
	assert_int_equal(m.kind, SDB_MSG_REFILL);
	assert_int_equal(m.idx, 3);
	assert_int_equal(parse("Ms", &m), 0);
	assert_int_equal(m.kind, SDB_MSG_PATTERN);
	assert_int_equal(m.pattern, SDB_PATTERN_SIGNAL);
	assert_int_equal(parse("Mc", &m), 0);
	assert_int_equal(m.pattern, SDB_PATTERN_COUNTER);
}

/* What ST's stm32_rpmsg_sdb does with the report: split at the first 'L', decimal id after
 * 'B', then kstrtol(&rest[2], 16): the two characters after 'L' are skipped. */
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

static void report_format(void **state)
{
	char out[SDB_REPORT_MAX + 1];

	(void)state;
	assert_int_equal(sdb_format_report(out, sizeof(out), 0, 0x100000u), 11);
	assert_string_equal(out, "B0L00100000");
	assert_int_equal(sdb_format_report(out, sizeof(out), 12345, 0xDEADBEEFu), 15);
	assert_string_equal(out, "B12345Ldeadbeef");
	char expect[32];
	snprintf(expect, sizeof(expect), "B%uL%08x", 7u, 0xABCu);
	assert_int_equal(sdb_format_report(out, sizeof(out), 7, 0xABCu), (int)strlen(expect));
	assert_string_equal(out, expect);
	assert_int_equal(sdb_format_report(out, SDB_REPORT_MAX, 0, 1), AMP_EINVAL);
	assert_int_equal(sdb_format_report(out, sizeof(out), 100000, 1), AMP_EINVAL);
	assert_int_equal(sdb_format_report(NULL, sizeof(out), 0, 1), AMP_EINVAL);
	/* Linux reads back the size the driver needs (up to 0xFFFFFF: its quirk). */
	long id, size;
	sdb_format_report(out, sizeof(out), 3, 0x00ABCDEFu);
	linux_parse_report(out, &id, &size);
	assert_int_equal(id, 3);
	assert_int_equal(size, 0x00ABCDEF);
}

/* The fake DDR the "host" hands out, and the translation the app does through the port. */
#define DDR_DA 0xC0000000u
#define DDR_SIZE (256u * 1024u)
static uint8_t *ddr;

static void *fake_da_to_va(uint32_t da, uint32_t len)
{
	if (da < DDR_DA || da - DDR_DA >= DDR_SIZE || len > DDR_SIZE - (da - DDR_DA))
		return NULL;
	return ddr + (da - DDR_DA);
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void full_fill_cycle(void **state)
{
	static const uint32_t lens[] = {0x10000, 0x8001, 0x20000, 8};
	uint32_t da[4];
	char msg[64], report[SDB_REPORT_MAX + 1];
	struct sdb_msg m;

	(void)state;
	ddr = calloc(1, DDR_SIZE);
	assert_non_null(ddr);
	uint32_t next = DDR_DA;
	for (int pass = 0; pass < 2; pass++) {
		enum sdb_pattern pat = pass ? SDB_PATTERN_SIGNAL : SDB_PATTERN_COUNTER;
		for (uint32_t i = 0; i < 4; i++) {
			if (pass == 0) {
				da[i] = next;
				next += (lens[i] + 0xFFFu) & ~0xFFFu;
				snprintf(msg, sizeof(msg), "B%uA%08xL%08x", i, da[i], lens[i]);
			} else {
				snprintf(msg, sizeof(msg), "R%u", i);
			}
			assert_int_equal(parse(msg, &m), 0);
			assert_int_equal(m.idx, i);
			if (pass == 0) {
				assert_int_equal(m.da, da[i]);
				assert_int_equal(m.len, lens[i]);
			}
			uint8_t *va = fake_da_to_va(da[i], lens[i]);
			assert_non_null(va);
			uint32_t crc = sdb_fill(va, lens[i], pat, pass * 4u + i);
			int n = sdb_format_report(report, sizeof(report), i, lens[i]);
			assert_true(n > 0);
			/* The reader side: driver gets the size, user space checks the CRC. */
			long id, size;
			linux_parse_report(report, &id, &size);
			assert_int_equal(id, i);
			assert_int_equal(size, lens[i]);
			uint32_t body = (uint32_t)size - SDB_CRC_SIZE;
			assert_int_equal(get_le32(va + body), crc);
			assert_int_equal(amp_fw_crc32(va, body), crc);
			if (pat == SDB_PATTERN_COUNTER) {
				for (uint32_t k = 0; k < body; k++)
					assert_int_equal(va[k], (uint8_t)(pass * 4u + i + k));
			} else {
				for (uint32_t k = 0; k + 1 < body; k += 2)
					assert_true((va[k] | va[k + 1] << 8) <= 0x0FFF);
			}
		}
	}
	/* Buffers must not overlap: the first one is still intact after the others. */
	uint8_t *va0 = fake_da_to_va(da[0], lens[0]);
	assert_int_equal(amp_fw_crc32(va0, lens[0] - 4), get_le32(va0 + lens[0] - 4));
	/* An announced buffer outside the window is refused by the translation. */
	assert_null(fake_da_to_va(DDR_DA + DDR_SIZE - 4, 8));
	free(ddr);
}

static void fill_edges(void **state)
{
	uint8_t buf[16];

	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(sdb_fill(buf, SDB_MIN_LEN - 1, SDB_PATTERN_COUNTER, 0), 0);
	assert_int_equal(buf[0], 0xEE); /* nothing written */
	assert_int_equal(sdb_fill(NULL, 64, SDB_PATTERN_COUNTER, 0), 0);
	/* Odd length with the signal pattern: last data byte padded, CRC still valid. */
	uint32_t crc = sdb_fill(buf, 13, SDB_PATTERN_SIGNAL, 5);
	assert_int_equal(buf[8], 0);
	assert_int_equal(amp_fw_crc32(buf, 9), crc);
	assert_int_equal(get_le32(buf + 9), crc);
	/* Successive fills differ (the reader can tell a fresh buffer from a stale one). */
	uint8_t a[64], b[64];
	sdb_fill(a, sizeof(a), SDB_PATTERN_SIGNAL, 1);
	sdb_fill(b, sizeof(b), SDB_PATTERN_SIGNAL, 2);
	assert_memory_not_equal(a, b, sizeof(a));
}

/* ampsim's Linux -> firmware direction: T announce, F filled, the R..C answer; DMA fill. */
static void to_firmware_messages_and_dma_fill(void **state)
{
	struct sdb_msg m;
	char out[SDB_REPORT_MAX + 1];

	(void)state;
	assert_int_equal(parse("T3Ac0100000L02000000", &m), 0);
	assert_int_equal(m.kind, SDB_MSG_ANNOUNCE_TO_FW);
	assert_int_equal(m.idx, 3);
	assert_int_equal(m.da, 0xC0100000u);
	assert_int_equal(m.len, 0x2000000u);
	assert_int_equal(parse("F3L01000000", &m), 0);
	assert_int_equal(m.kind, SDB_MSG_FILLED);
	assert_int_equal(m.idx, 3);
	assert_int_equal(m.len, 0x1000000u);
	assert_int_equal(parse("F3L00000000", &m), AMP_ERANGE); /* nothing filled */
	assert_int_equal(parse("F16L00000010", &m), AMP_ERANGE);
	assert_int_equal(parse("F3L0000010", &m), AMP_EBADMSG);
	assert_int_equal(parse("F3A00000010", &m), AMP_EBADMSG);
	assert_int_equal(parse("F3L00000010x", &m), AMP_EBADMSG);
	assert_int_equal(parse("Md", &m), 0);
	assert_int_equal(m.pattern, SDB_PATTERN_DMA);
	assert_int_equal(sdb_format_return(out, sizeof(out), 12, 0xCBF43926u), 12);
	assert_string_equal(out, "R12Ccbf43926");
	assert_int_equal(sdb_format_return(out, 4, 12, 0), AMP_EINVAL);

	uint8_t buf[1000];
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(sdb_fill(buf, 999, SDB_PATTERN_DMA, 5), 0);
	for (int i = 0; i < 999; i++)
		assert_int_equal(buf[i], (uint8_t)(5 + i % 256));
	assert_int_equal(buf[999], 0xEE); /* not one byte past the length */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(announce_valid),
	    cmocka_unit_test(announce_malformed),
	    cmocka_unit_test(announce_out_of_range),
	    cmocka_unit_test(commands),
	    cmocka_unit_test(report_format),
	    cmocka_unit_test(full_fill_cycle),
	    cmocka_unit_test(fill_edges),
	    cmocka_unit_test(to_firmware_messages_and_dma_fill),
	};
	return cmocka_run_group_tests_name("fw-sample/sdb", tests, NULL, NULL);
}
