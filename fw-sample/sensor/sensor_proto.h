/*
 * The sensor sample's wire format, as pure functions.
 *
 * Frame (firmware -> host), one per RPMsg message, all fields little-endian:
 *   off  size  field
 *     0     4  magic      SENSOR_MAGIC (bytes 'S','E','N','S')
 *     4     2  version    SENSOR_VERSION
 *     6     2  nsamples   number of samples that follow (SENSOR_NSAMPLES)
 *     8     4  seq        frame sequence number, +1 per frame sent, from 0
 *    12     4  timestamp  firmware milliseconds (fw_platform_millis) when sampled
 *    16  2*n   samples    signed 16-bit samples, one per channel
 *  16+2n    4  crc32      CRC-32 (amp/fw_crc32.h) of bytes [0, 16+2n)
 *
 * Commands (host -> firmware), ASCII, not NUL-terminated (one trailing NUL or '\n' is
 * tolerated): "P<ms>" sets the period (SENSOR_PERIOD_MIN..SENSOR_PERIOD_MAX) and starts
 * the stream, "P0" stops it. The stream cannot start before the first command anyway: the
 * firmware learns the host's address from it.
 */
#ifndef FW_SENSOR_PROTO_H
#define FW_SENSOR_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define SENSOR_SERVICE "rpmsg-sensor"
#define SENSOR_MAGIC 0x534E4553u /* "SENS" read as a little-endian u32 */
#define SENSOR_VERSION 1u
#define SENSOR_NSAMPLES 4u
#define SENSOR_HDR_SIZE 16u
#define SENSOR_FRAME_SIZE (SENSOR_HDR_SIZE + 2u * SENSOR_NSAMPLES + 4u)
#define SENSOR_PERIOD_MIN 1u
#define SENSOR_PERIOD_MAX 60000u
#define SENSOR_PERIOD_DEFAULT 10u

/** A decoded frame. */
struct sensor_frame {
	uint32_t seq;
	uint32_t timestamp;
	uint16_t nsamples;
	int16_t samples[SENSOR_NSAMPLES];
};

/**
 * Encode @p f (nsamples must be SENSOR_NSAMPLES) into @p out.
 * @return SENSOR_FRAME_SIZE, or AMP_EINVAL (NULL, bad nsamples) / AMP_EMSGSIZE (cap too small)
 */
int sensor_frame_encode(uint8_t *out, size_t cap, const struct sensor_frame *f);

/**
 * Decode and check a frame (untrusted bytes: what a host reader does).
 * @retval 0 ok
 * @retval AMP_EINVAL NULL argument
 * @retval AMP_EBADMSG wrong length, magic, version or nsamples
 * @retval AMP_EPROTO CRC mismatch
 */
int sensor_frame_decode(const uint8_t *in, size_t len, struct sensor_frame *f);

/**
 * Parse a command.
 * @param period_ms receives the period (0 = stop)
 * @retval 0 ok
 * @retval AMP_EINVAL NULL argument
 * @retval AMP_EBADMSG not "P" followed by 1..5 decimal digits
 * @retval AMP_ERANGE period above SENSOR_PERIOD_MAX
 */
int sensor_parse_cmd(const uint8_t *data, size_t len, uint32_t *period_ms);

/** The synthetic reading of channel @p ch for frame @p seq (deterministic). */
int16_t sensor_sample(uint32_t seq, uint32_t ch);

#endif /* FW_SENSOR_PROTO_H */
