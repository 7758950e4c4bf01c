/*
 * rpmsg-sdb message parsing and formatting, and the buffer fill: pure functions, every
 * input byte treated as untrusted (exact widths, bounded lengths, overflow-safe sums).
 */
#include <amp/error.h>
#include <amp/fw_crc32.h>

#include <string.h>

#include "sdb_proto.h"

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 8 hex digits at p[*pos]. */
static int get_hex8(const uint8_t *p, size_t len, size_t *pos, uint32_t *val)
{
	uint32_t v = 0;

	if (len - *pos < 8)
		return AMP_EBADMSG;
	for (size_t i = 0; i < 8; i++) {
		int d = hex_digit(p[*pos + i]);
		if (d < 0)
			return AMP_EBADMSG;
		v = (v << 4) | (uint32_t)d;
	}
	*pos += 8;
	*val = v;
	return 0;
}

/* 1..5 decimal digits (so the value cannot overflow) at p[*pos]. */
static int get_dec(const uint8_t *p, size_t len, size_t *pos, uint32_t *val)
{
	uint32_t v = 0;
	size_t n = 0;

	while (*pos < len && p[*pos] >= '0' && p[*pos] <= '9') {
		if (++n > 5)
			return AMP_EBADMSG;
		v = v * 10u + (uint32_t)(p[*pos] - '0');
		(*pos)++;
	}
	if (n == 0)
		return AMP_EBADMSG;
	*val = v;
	return 0;
}

/* <sep><exactly 8 hex digits> and then the end of the message. */
static int get_sep_hex8_end(const uint8_t *p, size_t len, size_t *pos, uint8_t sep, uint32_t *val)
{
	if (*pos >= len || p[(*pos)++] != sep)
		return AMP_EBADMSG;
	int rc = get_hex8(p, len, pos, val);
	if (rc)
		return rc;
	return *pos == len ? 0 : AMP_EBADMSG;
}

/* <letter><idx>A<8 hex da>L<8 hex len>, the letter already checked. */
static int parse_announce(const uint8_t *data, size_t len, struct sdb_msg *out)
{
	size_t pos = 1;
	int rc;

	rc = get_dec(data, len, &pos, &out->idx);
	if (rc)
		return rc;
	if (pos >= len || data[pos++] != 'A')
		return AMP_EBADMSG;
	rc = get_hex8(data, len, &pos, &out->da);
	if (rc)
		return rc;
	rc = get_sep_hex8_end(data, len, &pos, 'L', &out->len);
	if (rc)
		return rc;
	if (out->idx >= SDB_MAX_BUFFERS || out->len < SDB_MIN_LEN ||
	    out->len - 1u > UINT32_MAX - out->da)
		return AMP_ERANGE;
	return 0;
}

int sdb_parse(const uint8_t *data, size_t len, struct sdb_msg *out)
{
	size_t pos = 1;
	int rc;

	if (!data || !out)
		return AMP_EINVAL;
	/* The host may send the printf buffer with its NUL, or a tool may add a newline. */
	if (len > 0 && (data[len - 1] == '\0' || data[len - 1] == '\n'))
		len--;
	if (len < 2 || len > SDB_ANNOUNCE_MAX)
		return AMP_EBADMSG;

	switch (data[0]) {
	case 'B':
	case 'T':
		out->kind = data[0] == 'B' ? SDB_MSG_ANNOUNCE : SDB_MSG_ANNOUNCE_TO_FW;
		return parse_announce(data, len, out);
	case 'F':
		out->kind = SDB_MSG_FILLED;
		rc = get_dec(data, len, &pos, &out->idx);
		if (rc == 0)
			rc = get_sep_hex8_end(data, len, &pos, 'L', &out->len);
		if (rc)
			return rc;
		return out->idx < SDB_MAX_BUFFERS && out->len > 0 ? 0 : AMP_ERANGE;
	case 'R':
		out->kind = SDB_MSG_REFILL;
		rc = get_dec(data, len, &pos, &out->idx);
		if (rc)
			return rc;
		if (pos != len)
			return AMP_EBADMSG;
		return out->idx < SDB_MAX_BUFFERS ? 0 : AMP_ERANGE;
	case 'M':
		if (len != 2)
			return AMP_EBADMSG;
		out->kind = SDB_MSG_PATTERN;
		if (data[1] == 'c')
			out->pattern = SDB_PATTERN_COUNTER;
		else if (data[1] == 's')
			out->pattern = SDB_PATTERN_SIGNAL;
		else if (data[1] == 'd')
			out->pattern = SDB_PATTERN_DMA;
		else
			return AMP_EBADMSG;
		return 0;
	default:
		return AMP_EBADMSG;
	}
}

static int format_idx_hex(char *out, size_t cap, char head, uint32_t idx, char sep, uint32_t val);

int sdb_format_report(char *out, size_t cap, uint32_t idx, uint32_t len)
{
	return format_idx_hex(out, cap, 'B', idx, 'L', len);
}

int sdb_format_return(char *out, size_t cap, uint32_t idx, uint32_t crc)
{
	return format_idx_hex(out, cap, 'R', idx, 'C', crc);
}

/* <head><decimal idx><sep><8 lower-case hex digits of val> */
static int format_idx_hex(char *out, size_t cap, char head, uint32_t idx, char sep, uint32_t val)
{
	static const char hex[] = "0123456789abcdef";
	char digits[5];
	size_t nd = 0, pos = 0;

	if (!out || idx >= 100000u || cap < SDB_REPORT_MAX + 1)
		return AMP_EINVAL;
	do {
		digits[nd++] = (char)('0' + idx % 10u);
		idx /= 10u;
	} while (idx);
	out[pos++] = head;
	while (nd)
		out[pos++] = digits[--nd];
	out[pos++] = sep;
	for (int shift = 28; shift >= 0; shift -= 4)
		out[pos++] = hex[(val >> shift) & 0xFu];
	out[pos] = '\0';
	return (int)pos;
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
