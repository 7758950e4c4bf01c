/*
 * CRC-32 (IEEE 802.3): published check values, incremental == one-shot, bit sensitivity,
 * and the firmware's CRC equals zlib's (what the host checks it with) on random data.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <zlib.h>

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

static uint32_t xorshift32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random lengths (0 to 64 KiB, and every length up to 300) of random bytes at random
 * offsets; AMP_TEST_SEED replays a run. */
static void equals_zlib_on_random_data(void **state)
{
	static uint8_t buf[65536 + 8];
	const char *env = getenv("AMP_TEST_SEED");
	uint32_t seed =
	    env ? (uint32_t)strtoul(env, NULL, 0) : (uint32_t)time(NULL) ^ (uint32_t)getpid();
	uint32_t s = seed ? seed : 1;

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)xorshift32(&s);
	for (int round = 0; round < 1300; round++) {
		size_t len = round < 300 ? (size_t)round : xorshift32(&s) % 65537u;
		size_t off = xorshift32(&s) % 8u;
		uint32_t want = (uint32_t)crc32_z(0, buf + off, len);
		if (amp_fw_crc32(buf + off, len) != want)
			fail_msg(
			    "seed 0x%08x: %zu bytes at offset %zu: firmware 0x%08x, zlib 0x%08x",
			    seed, len, off, amp_fw_crc32(buf + off, len), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_vectors),
	    cmocka_unit_test(incremental_equals_oneshot),
	    cmocka_unit_test(every_bit_flip_changes_it),
	    cmocka_unit_test(equals_zlib_on_random_data),
	};
	return cmocka_run_group_tests_name("fw-sample/crc32", tests, NULL, NULL);
}
