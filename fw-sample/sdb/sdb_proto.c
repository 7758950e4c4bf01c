/*
 * The sdb sample's reading of host messages (on top of the codec, <amp/sdb_proto.h>) and
 * the buffer fill: pure functions, every input byte treated as untrusted.
 */
#include <amp/error.h>
#include <amp/fw_crc32.h>

#include <string.h>

#include "sdb_proto.h"

int sdb_parse(const uint8_t *data, size_t len, struct sdb_cmd *out)
{
	if (!out)
		return AMP_EINVAL;
	int rc = amp_sdb_parse_to_fw(data, len, &out->msg);
	if (rc)
		return rc;
	switch (out->msg.kind) {
	case AMP_SDB_MSG_ANNOUNCE:
	case AMP_SDB_MSG_ANNOUNCE_TO_FW:
		return out->msg.len < SDB_MIN_LEN ? AMP_ERANGE : 0;
	case AMP_SDB_MSG_CONTROL:
		/* The one command of this sample: M and a pattern letter. */
		if (out->msg.text_len != 2 || out->msg.text[0] != 'M')
			return AMP_EBADMSG;
		if (out->msg.text[1] == 'c')
			out->pattern = SDB_PATTERN_COUNTER;
		else if (out->msg.text[1] == 's')
			out->pattern = SDB_PATTERN_SIGNAL;
		else if (out->msg.text[1] == 'd')
			out->pattern = SDB_PATTERN_DMA;
		else
			return AMP_EBADMSG;
		return 0;
	default:
		return 0;
	}
}

/* A triangle wave of period 256 samples, amplitude +-2047 around 2048, plus a few LSBs of
 * pseudo-random noise: what a 12-bit ADC sampling a test signal would produce. */
static uint16_t signal_sample(uint32_t n, uint32_t *lfsr)
{
	uint32_t phase = n & 0xFFu;
	uint32_t tri = phase < 128u ? phase * 32u : (255u - phase) * 32u; /* 0..4064 */
	/* xorshift32: deterministic noise, no library call. */
	uint32_t x = *lfsr;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*lfsr = x;
	return (uint16_t)((tri + (x & 0x1Fu)) & 0x0FFFu);
}

/* What a DMA costs the CPU is nothing; here the copy is the CPU's, so it is done in as few
 * calls as possible: one 256-byte block, then the buffer copied onto itself in doubling
 * chunks (12 memcpy calls for 1 MiB). */
static void fill_dma(uint8_t *buf, uint32_t len, uint32_t seq)
{
	uint32_t n = len < 256u ? len : 256u;
	for (uint32_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seq + i);
	while (n < len) {
		uint32_t chunk = len - n < n ? len - n : n;
		memcpy(buf + n, buf, chunk);
		n += chunk;
	}
}

uint32_t sdb_fill(uint8_t *buf, uint32_t len, enum sdb_pattern pattern, uint32_t seq)
{
	uint32_t n, crc;

	if (!buf || len < SDB_MIN_LEN)
		return 0;
	if (pattern == SDB_PATTERN_DMA) {
		fill_dma(buf, len, seq);
		return 0;
	}
	n = len - SDB_CRC_SIZE;
	if (pattern == SDB_PATTERN_SIGNAL) {
		uint32_t lfsr = 0x2545F491u ^ seq;
		uint32_t i = 0;
		if (lfsr == 0)
			lfsr = 1;
		for (uint32_t s = seq * 64u; i + 1 < n; i += 2, s++) {
			uint16_t v = signal_sample(s, &lfsr);
			buf[i] = (uint8_t)(v & 0xFFu);
			buf[i + 1] = (uint8_t)(v >> 8);
		}
		if (i < n)
			buf[i] = 0; /* odd length: pad the last byte */
	} else {
		for (uint32_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(seq + i);
	}
	crc = amp_fw_crc32(buf, n);
	buf[n] = (uint8_t)crc;
	buf[n + 1] = (uint8_t)(crc >> 8);
	buf[n + 2] = (uint8_t)(crc >> 16);
	buf[n + 3] = (uint8_t)(crc >> 24);
	return crc;
}
