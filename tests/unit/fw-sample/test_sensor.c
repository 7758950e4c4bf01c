/*
 * Sensor frames: the documented byte layout, encode/decode round trip, rejection of every
 * corruption (length, magic, version, count, CRC of each byte), command parsing, and a
 * simulated second of 1 ms frames with no sequence gap.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <amp/error.h>
#include <amp/fw_crc32.h>

#include "sensor_proto.h"

static struct sensor_frame make(uint32_t seq, uint32_t ts)
{
	struct sensor_frame f = {.seq = seq, .timestamp = ts, .nsamples = SENSOR_NSAMPLES};
	for (uint32_t ch = 0; ch < SENSOR_NSAMPLES; ch++)
		f.samples[ch] = sensor_sample(seq, ch);
	return f;
}

static void layout(void **state)
{
	uint8_t buf[64];

	(void)state;
	struct sensor_frame f = make(0x01020304u, 0xA0B0C0D0u);
	f.samples[0] = -2;
	assert_int_equal(sensor_frame_encode(buf, sizeof(buf), &f), SENSOR_FRAME_SIZE);
	assert_int_equal(SENSOR_FRAME_SIZE, 28);
	assert_memory_equal(buf, "SENS", 4);
	assert_int_equal(buf[4], 1);
	assert_int_equal(buf[5], 0);
	assert_int_equal(buf[6], SENSOR_NSAMPLES);
	assert_int_equal(buf[7], 0);
	static const uint8_t seq_ts[] = {0x04, 0x03, 0x02, 0x01, 0xD0, 0xC0, 0xB0, 0xA0};
	assert_memory_equal(buf + 8, seq_ts, sizeof(seq_ts));
	assert_int_equal(buf[16], 0xFE); /* -2, little-endian two's complement */
	assert_int_equal(buf[17], 0xFF);
	uint32_t crc = amp_fw_crc32(buf, 24);
	assert_int_equal(buf[24] | buf[25] << 8 | buf[26] << 16 | (uint32_t)buf[27] << 24, crc);
}

static void round_trip_and_errors(void **state)
{
	uint8_t buf[SENSOR_FRAME_SIZE];
	struct sensor_frame in = make(77, 1234), out;

	(void)state;
	assert_int_equal(sensor_frame_encode(buf, sizeof(buf), &in), SENSOR_FRAME_SIZE);
	assert_int_equal(sensor_frame_decode(buf, sizeof(buf), &out), 0);
	assert_int_equal(out.seq, 77);
	assert_int_equal(out.timestamp, 1234);
	assert_memory_equal(out.samples, in.samples, sizeof(in.samples));

	assert_int_equal(sensor_frame_encode(buf, sizeof(buf) - 1, &in), AMP_EMSGSIZE);
	in.nsamples = 3;
	assert_int_equal(sensor_frame_encode(buf, sizeof(buf), &in), AMP_EINVAL);
	assert_int_equal(sensor_frame_encode(NULL, sizeof(buf), &in), AMP_EINVAL);
	in.nsamples = SENSOR_NSAMPLES;
	assert_int_equal(sensor_frame_encode(buf, sizeof(buf), &in), SENSOR_FRAME_SIZE);

	assert_int_equal(sensor_frame_decode(buf, sizeof(buf) - 1, &out), AMP_EBADMSG);
	assert_int_equal(sensor_frame_decode(NULL, sizeof(buf), &out), AMP_EINVAL);
	/* Any single flipped byte is caught: header fields by their checks, the rest by CRC. */
	for (size_t i = 0; i < sizeof(buf); i++) {
		buf[i] ^= 0x40;
		int rc = sensor_frame_decode(buf, sizeof(buf), &out);
		if (i < 8)
			assert_int_equal(rc, AMP_EBADMSG);
		else
			assert_int_equal(rc, AMP_EPROTO);
		buf[i] ^= 0x40;
	}
}

static void commands(void **state)
{
	uint32_t p = 99;

	(void)state;
	assert_int_equal(sensor_parse_cmd((const uint8_t *)"P10", 3, &p), 0);
	assert_int_equal(p, 10);
	assert_int_equal(sensor_parse_cmd((const uint8_t *)"P0", 2, &p), 0);
	assert_int_equal(p, 0);
	assert_int_equal(sensor_parse_cmd((const uint8_t *)"P60000\n", 7, &p), 0);
	assert_int_equal(p, 60000);
	assert_int_equal(sensor_parse_cmd((const uint8_t *)"P1", 3, &p), 0); /* with NUL */
	assert_int_equal(p, 1);
	assert_int_equal(sensor_parse_cmd((const uint8_t *)"P60001", 6, &p), AMP_ERANGE);
	assert_int_equal(sensor_parse_cmd((const uint8_t *)"P99999", 6, &p), AMP_ERANGE);
	static const char *const bad[] = {"", "P", "Q10", "P-1", "P1a", "P 10", "P100000", "p10"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(sensor_parse_cmd((const uint8_t *)bad[i], strlen(bad[i]), &p),
				 AMP_EBADMSG);
	assert_int_equal(sensor_parse_cmd(NULL, 2, &p), AMP_EINVAL);
}

/* A second of frames at 1 ms, checked as the host reader would: consecutive sequence
 * numbers, increasing timestamps, valid CRCs, samples as documented. */
static void one_second_no_gap(void **state)
{
	uint8_t buf[SENSOR_FRAME_SIZE];
	struct sensor_frame f;
	uint32_t expect_seq = 0, last_ts = 0;

	(void)state;
	for (uint32_t ms = 0; ms < 1000; ms++) {
		struct sensor_frame in = make(ms, ms + 5);
		assert_int_equal(sensor_frame_encode(buf, sizeof(buf), &in), SENSOR_FRAME_SIZE);
		assert_int_equal(sensor_frame_decode(buf, sizeof(buf), &f), 0);
		assert_int_equal(f.seq, expect_seq);
		expect_seq++;
		if (ms)
			assert_true(f.timestamp > last_ts);
		last_ts = f.timestamp;
		for (uint32_t ch = 0; ch < SENSOR_NSAMPLES; ch++)
			assert_int_equal(f.samples[ch], sensor_sample(f.seq, ch));
	}
	/* Channels differ, and the signal moves. */
	assert_int_not_equal(sensor_sample(0, 0), sensor_sample(0, 1));
	assert_int_not_equal(sensor_sample(0, 0), sensor_sample(1, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(layout),
	    cmocka_unit_test(round_trip_and_errors),
	    cmocka_unit_test(commands),
	    cmocka_unit_test(one_second_no_gap),
	};
	return cmocka_run_group_tests_name("fw-sample/sensor", tests, NULL, NULL);
}
