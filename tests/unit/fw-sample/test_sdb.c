/*
 * The sdb sample's protocol logic (sdb_proto.h): its reading of host messages on top of the
 * codec (<amp/sdb_proto.h>, tested in tests/unit/vring/test_sdb_proto.c) -- its M command
 * and minimum buffer size -- and a full fill cycle (announce -> fill -> "filled" -> the
 * host parses it and checks the CRC) over a fake DDR window.
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
#include <amp/sdb_proto.h>

#include "sdb_proto.h"

static int parse(const char *s, struct sdb_cmd *c)
{
	return sdb_parse((const uint8_t *)s, strlen(s), c);
}

static void the_codec_reads_first(void **state)
{
	struct sdb_cmd c;

	(void)state;
	assert_int_equal(parse("B0Ac0000000L00100000", &c), 0);
	assert_int_equal(c.msg.kind, AMP_SDB_MSG_ANNOUNCE);
	assert_int_equal(c.msg.da, 0xC0000000u);
	assert_int_equal(c.msg.len, 0x100000u);
	assert_int_equal(parse("R3", &c), 0);
	assert_int_equal(c.msg.kind, AMP_SDB_MSG_REFILL);
	assert_int_equal(parse("F3L01000000", &c), 0);
	assert_int_equal(c.msg.kind, AMP_SDB_MSG_SUBMIT);
	/* The codec's refusals come through unchanged. */
	assert_int_equal(parse("B0Ac0000000L0010000", &c), AMP_EBADMSG);
	assert_int_equal(parse("B16Ac0000000L00100000", &c), AMP_ERANGE);
	assert_int_equal(sdb_parse(NULL, 3, &c), AMP_EINVAL);
	assert_int_equal(sdb_parse((const uint8_t *)"R0", 2, NULL), AMP_EINVAL);
}

static void the_samples_own_rules(void **state)
{
	struct sdb_cmd c;

	(void)state;
	/* Pattern + CRC need one word of data: shorter buffers are refused, both ways. */
	assert_int_equal(parse("B0Ac0000000L00000007", &c), AMP_ERANGE);
	assert_int_equal(parse("T0Ac0000000L00000007", &c), AMP_ERANGE);
	assert_int_equal(parse("B0Ac0000000L00000008", &c), 0);
	/* Its one command, M and a pattern letter. */
	assert_int_equal(parse("Ms", &c), 0);
	assert_int_equal(c.msg.kind, AMP_SDB_MSG_CONTROL);
	assert_int_equal(c.pattern, SDB_PATTERN_SIGNAL);
	assert_int_equal(parse("Mc", &c), 0);
	assert_int_equal(c.pattern, SDB_PATTERN_COUNTER);
	assert_int_equal(parse("Md\n", &c), 0);
	assert_int_equal(c.pattern, SDB_PATTERN_DMA);
	static const char *const bad[] = {"M", "Mx", "Mcc", "mc", "E1", "X0Ac0000000L00100000"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(bad[i], &c);
		if (rc != AMP_EBADMSG)
			fail_msg("\"%s\": got %d, expected AMP_EBADMSG", bad[i], rc);
	}
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

/* @m as the host writes it, read by the sample. */
static void host_says(const struct amp_sdb_msg *m, struct sdb_cmd *c)
{
	char text[AMP_SDB_MSG_MAX + 1];
	int n = amp_sdb_format(text, sizeof(text), m);
	assert_true(n > 0);
	assert_int_equal(sdb_parse((const uint8_t *)text, (size_t)n, c), 0);
}

/* @m as the sample writes it, read by the host. */
static void firmware_says(const struct amp_sdb_msg *m, struct amp_sdb_msg *back)
{
	char text[AMP_SDB_MSG_MAX + 1];
	int n = amp_sdb_format(text, sizeof(text), m);
	assert_true(n > 0);
	assert_int_equal(amp_sdb_parse_to_host(text, (size_t)n, back), 0);
}

static void full_fill_cycle(void **state)
{
	static const uint32_t lens[] = {0x10000, 0x8001, 0x20000, 8};
	uint32_t da[4];
	struct sdb_cmd c;
	struct amp_sdb_msg report;

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
				host_says(&(struct amp_sdb_msg){.kind = AMP_SDB_MSG_ANNOUNCE,
								.idx = i,
								.da = da[i],
								.len = lens[i]},
					  &c);
				assert_int_equal(c.msg.da, da[i]);
				assert_int_equal(c.msg.len, lens[i]);
			} else {
				host_says(
				    &(struct amp_sdb_msg){.kind = AMP_SDB_MSG_REFILL, .idx = i},
				    &c);
			}
			assert_int_equal(c.msg.idx, i);
			uint8_t *va = fake_da_to_va(da[i], lens[i]);
			assert_non_null(va);
			uint32_t crc = sdb_fill(va, lens[i], pat, pass * 4u + i);
			firmware_says(&(struct amp_sdb_msg){.kind = AMP_SDB_MSG_FILLED,
							    .idx = i,
							    .len = lens[i]},
				      &report);
			/* The reader side: the host gets the size, the client checks the CRC. */
			assert_int_equal(report.idx, i);
			assert_int_equal(report.len, lens[i]);
			uint32_t body = report.len - SDB_CRC_SIZE;
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

/* ampsim's Linux -> firmware direction: T announce, F submit, the R..C answer. */
static void to_firmware_cycle(void **state)
{
	uint8_t buf[256];
	struct sdb_cmd c;
	struct amp_sdb_msg answer;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 13u);
	host_says(&(struct amp_sdb_msg){.kind = AMP_SDB_MSG_ANNOUNCE_TO_FW,
					.idx = 3,
					.da = 0xC0100000u,
					.len = sizeof(buf)},
		  &c);
	assert_int_equal(c.msg.kind, AMP_SDB_MSG_ANNOUNCE_TO_FW);
	host_says(&(struct amp_sdb_msg){.kind = AMP_SDB_MSG_SUBMIT, .idx = 3, .len = 200}, &c);
	assert_int_equal(c.msg.kind, AMP_SDB_MSG_SUBMIT);
	assert_int_equal(c.msg.len, 200);
	/* The sample reads what was submitted and answers with its CRC-32. */
	firmware_says(&(struct amp_sdb_msg){.kind = AMP_SDB_MSG_RETURNED,
					    .idx = c.msg.idx,
					    .crc = amp_fw_crc32(buf, c.msg.len)},
		      &answer);
	assert_int_equal(answer.kind, AMP_SDB_MSG_RETURNED);
	assert_int_equal(answer.idx, 3);
	assert_int_equal(answer.crc, amp_fw_crc32(buf, 200));
}

static void dma_fill(void **state)
{
	uint8_t buf[1000];

	(void)state;
	memset(buf, 0xEE, sizeof(buf));
	assert_int_equal(sdb_fill(buf, 999, SDB_PATTERN_DMA, 5), 0);
	for (int i = 0; i < 999; i++)
		assert_int_equal(buf[i], (uint8_t)(5 + i % 256));
	assert_int_equal(buf[999], 0xEE); /* not one byte past the length */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_codec_reads_first), cmocka_unit_test(the_samples_own_rules),
	    cmocka_unit_test(full_fill_cycle),	     cmocka_unit_test(fill_edges),
	    cmocka_unit_test(to_firmware_cycle),     cmocka_unit_test(dma_fill),
	};
	return cmocka_run_group_tests_name("fw-sample/sdb", tests, NULL, NULL);
}
