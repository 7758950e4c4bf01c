/* The benchmark responder's counting, kept free of I/O so it can be unit-tested. */
#include "bench_proto.h"

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)(p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static void put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v & 0xFFu);
	p[1] = (uint8_t)((v >> 8) & 0xFFu);
}

/* Start a block if @p data begins with a header; *skip = header bytes not to count. */
static bool bench_start(struct bench_state *s, const uint8_t *data, size_t len, size_t *skip)
{
	if (len >= BENCH_HDR32_SIZE && get_le32(data) == BENCH_MAGIC32) {
		s->expected = get_le32(data + 4);
		*skip = BENCH_HDR32_SIZE; /* the length counts the payload only */
	} else if (len >= BENCH_HDR_SIZE && get_le16(data) == BENCH_PREAMBLE) {
		s->expected = get_le16(data + 2);
		*skip = 0; /* the article's length includes its header */
	} else {
		return false;
	}
	s->received = 0;
	s->active = true;
	return true;
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
	size_t skip = 0;

	if (!s->active && !bench_start(s, data, len, &skip)) {
		/* Saturate: a counter, not an accumulator anyone relies on. */
		uint32_t room = UINT32_MAX - s->stray_bytes;
		s->stray_bytes += len > room ? room : (uint32_t)len;
		return false;
	}
	len -= skip;
	/* Saturate at the announced count: bytes past it in the last message are ignored. */
	uint32_t left = s->expected - s->received;
	s->received += len > left ? left : (uint32_t)len;
	if (s->received < s->expected)
		return false;
	put_le16(reply, s->expected);
	s->active = false;
	s->blocks++;
	return true;
}

void bench_put_header(uint8_t out[BENCH_HDR_SIZE], uint16_t length)
{
	put_le16(out, BENCH_PREAMBLE);
	put_le16(out + 2, length);
	out[4] = 0; /* crc16: the original sends one, nobody checks it */
	out[5] = 0;
}

void bench_put_header32(uint8_t out[BENCH_HDR32_SIZE], uint32_t length)
{
	put_le16(out, BENCH_MAGIC32);
	put_le16(out + 2, BENCH_MAGIC32 >> 16);
	put_le16(out + 4, length);
	put_le16(out + 6, length >> 16);
}
