/* The benchmark responder's counting, kept free of I/O so it can be unit-tested. */
#include "bench_proto.h"

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

void bench_init(struct bench_state *s)
{
	s->expected = 0;
	s->received = 0;
	s->active = false;
	s->blocks = 0;
	s->stray_bytes = 0;
}

bool bench_rx(struct bench_state *s, const uint8_t *data, size_t len,
	      uint8_t reply[BENCH_REPLY_SIZE])
{
	if (!s->active) {
		if (len < BENCH_HDR_SIZE || get_le16(data) != BENCH_PREAMBLE) {
			/* Saturate: a counter, not an accumulator anyone relies on. */
			uint32_t room = UINT32_MAX - s->stray_bytes;
			s->stray_bytes += len > room ? room : (uint32_t)len;
			return false;
		}
		s->expected = get_le16(data + 2);
		s->received = 0;
		s->active = true;
	}
	/* A block is at most 65535 bytes, so saturating at its length cannot lose a reply. */
	uint32_t left = s->expected - s->received;
	s->received += len > left ? left : (uint32_t)len;
	if (s->received < s->expected)
		return false;
	reply[0] = (uint8_t)(s->expected & 0xFFu);
	reply[1] = (uint8_t)(s->expected >> 8);
	s->active = false;
	s->blocks++;
	return true;
}

void bench_put_header(uint8_t out[BENCH_HDR_SIZE], uint16_t length)
{
	out[0] = (uint8_t)(BENCH_PREAMBLE & 0xFFu);
	out[1] = (uint8_t)(BENCH_PREAMBLE >> 8);
	out[2] = (uint8_t)(length & 0xFFu);
	out[3] = (uint8_t)(length >> 8);
	out[4] = 0; /* crc16: the original sends one, nobody checks it */
	out[5] = 0;
}
