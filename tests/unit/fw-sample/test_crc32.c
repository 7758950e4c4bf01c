/* CRC-32 (IEEE 802.3): published check values, incremental == one-shot, bit sensitivity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <amp/fw_crc32.h>

static void known_vectors(void **state)
{
	(void)state;
	/* The CRC catalogue's check value, and well-known zlib results. */
	assert_int_equal(amp_fw_crc32("123456789", 9), 0xCBF43926u);
	assert_int_equal(amp_fw_crc32("", 0), 0x00000000u);
	assert_int_equal(amp_fw_crc32(NULL, 0), 0x00000000u);
	assert_int_equal(amp_fw_crc32("a", 1), 0xE8B7BE43u);
	assert_int_equal(amp_fw_crc32("abc", 3), 0x352441C2u);
	assert_int_equal(amp_fw_crc32("The quick brown fox jumps over the lazy dog", 43),
			 0x414FA339u);
	static const uint8_t zeros[32];
	assert_int_equal(amp_fw_crc32(zeros, sizeof(zeros)), 0x190A55ADu);
}

static void incremental_equals_oneshot(void **state)
{
	uint8_t buf[1000];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7u + 3u);
	uint32_t whole = amp_fw_crc32(buf, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 97) {
		uint32_t c = amp_fw_crc32_update(AMP_FW_CRC32_INIT, buf, cut);
		c = amp_fw_crc32_update(c, buf + cut, sizeof(buf) - cut);
		assert_int_equal(amp_fw_crc32_final(c), whole);
	}
}

static void every_bit_flip_changes_it(void **state)
{
	uint8_t buf[64];

	(void)state;
	memset(buf, 0x5A, sizeof(buf));
	uint32_t ref = amp_fw_crc32(buf, sizeof(buf));
	for (size_t bit = 0; bit < sizeof(buf) * 8; bit++) {
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_not_equal(amp_fw_crc32(buf, sizeof(buf)), ref);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_vectors),
	    cmocka_unit_test(incremental_equals_oneshot),
	    cmocka_unit_test(every_bit_flip_changes_it),
	};
	return cmocka_run_group_tests_name("fw-sample/crc32", tests, NULL, NULL);
}
