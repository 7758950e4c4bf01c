/* Sensor frame encoding/decoding and command parsing: pure, byte-wise (no struct casts). */
#include <amp/error.h>
#include <amp/fw_crc32.h>

#include "sensor_proto.h"

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | ((uint32_t)get_le16(p + 2) << 16);
}

int sensor_frame_encode(uint8_t *out, size_t cap, const struct sensor_frame *f)
{
	if (!out || !f || f->nsamples != SENSOR_NSAMPLES)
		return AMP_EINVAL;
	if (cap < SENSOR_FRAME_SIZE)
		return AMP_EMSGSIZE;
	put_le32(out, SENSOR_MAGIC);
	put_le16(out + 4, SENSOR_VERSION);
	put_le16(out + 6, SENSOR_NSAMPLES);
	put_le32(out + 8, f->seq);
	put_le32(out + 12, f->timestamp);
	for (uint32_t i = 0; i < SENSOR_NSAMPLES; i++)
		put_le16(out + SENSOR_HDR_SIZE + 2u * i, (uint16_t)f->samples[i]);
	put_le32(out + SENSOR_FRAME_SIZE - 4u, amp_fw_crc32(out, SENSOR_FRAME_SIZE - 4u));
	return (int)SENSOR_FRAME_SIZE;
}

int sensor_frame_decode(const uint8_t *in, size_t len, struct sensor_frame *f)
{
	if (!in || !f)
		return AMP_EINVAL;
	if (len != SENSOR_FRAME_SIZE || get_le32(in) != SENSOR_MAGIC ||
	    get_le16(in + 4) != SENSOR_VERSION || get_le16(in + 6) != SENSOR_NSAMPLES)
		return AMP_EBADMSG;
	if (get_le32(in + SENSOR_FRAME_SIZE - 4u) != amp_fw_crc32(in, SENSOR_FRAME_SIZE - 4u))
		return AMP_EPROTO;
	f->seq = get_le32(in + 8);
	f->timestamp = get_le32(in + 12);
	f->nsamples = SENSOR_NSAMPLES;
	for (uint32_t i = 0; i < SENSOR_NSAMPLES; i++)
		f->samples[i] = (int16_t)get_le16(in + SENSOR_HDR_SIZE + 2u * i);
	return 0;
}

int sensor_parse_cmd(const uint8_t *data, size_t len, uint32_t *period_ms)
{
	uint32_t v = 0;

	if (!data || !period_ms)
		return AMP_EINVAL;
	if (len > 0 && (data[len - 1] == '\0' || data[len - 1] == '\n'))
		len--;
	if (len < 2 || len > 6 || data[0] != 'P')
		return AMP_EBADMSG;
	for (size_t i = 1; i < len; i++) {
		if (data[i] < '0' || data[i] > '9')
			return AMP_EBADMSG;
		v = v * 10u + (uint32_t)(data[i] - '0');
	}
	if (v > SENSOR_PERIOD_MAX)
		return AMP_ERANGE;
	*period_ms = v;
	return 0;
}

int16_t sensor_sample(uint32_t seq, uint32_t ch)
{
	/* Channel ch: a sawtooth of period 64 frames, phase-shifted per channel, plus a small
	 * per-channel offset so no two channels read the same (a reader recomputes and
	 * compares). Range -3200..3121. */
	int32_t ramp = (int32_t)((seq + ch * 16u) & 63u) - 32;
	return (int16_t)(ramp * 100 + (int32_t)ch * 7);
}
