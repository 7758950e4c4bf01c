/* rpmsg-sdb channel messages, host side; see sdb_msg.h. */
#include "sdb_msg.h"

#include <stdio.h>

#include <amp/error.h>

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1..5 decimal digits: indices stay far below overflow. */
static int take_dec(const uint8_t *p, size_t n, size_t *pos, uint32_t *v)
{
	size_t start = *pos;
	*v = 0;
	while (*pos < n && p[*pos] >= '0' && p[*pos] <= '9' && *pos - start < 5)
		*v = *v * 10u + (uint32_t)(p[(*pos)++] - '0');
	return *pos > start ? 0 : AMP_EBADMSG;
}

/* Exactly 8 hex digits, the full 32 bits (ST's parser drops the first two: not here). */
static int take_hex8(const uint8_t *p, size_t n, size_t *pos, uint32_t *v)
{
	if (n - *pos < 8)
		return AMP_EBADMSG;
	*v = 0;
	for (int i = 0; i < 8; i++) {
		int d = hexval(p[(*pos)++]);
		if (d < 0)
			return AMP_EBADMSG;
		*v = (*v << 4) | (uint32_t)d;
	}
	return 0;
}

int amp_sdb_parse_fw(const void *data, size_t len, struct amp_sdb_fw_msg *out)
{
	const uint8_t *p = data;
	size_t pos = 1;
	if (!p || !out)
		return AMP_EBADMSG;
	if (len > 0 && p[len - 1] == '\0')
		len--;
	if (len < 2 || len > AMP_SDB_MSG_MAX || (p[0] != 'B' && p[0] != 'R'))
		return AMP_EBADMSG;
	out->kind = p[0] == 'B' ? AMP_SDB_FW_FILLED : AMP_SDB_FW_RETURNED;
	if (take_dec(p, len, &pos, &out->idx))
		return AMP_EBADMSG;
	char sep = out->kind == AMP_SDB_FW_FILLED ? 'L' : 'C';
	if (pos >= len || p[pos++] != sep)
		return AMP_EBADMSG;
	uint32_t v;
	if (take_hex8(p, len, &pos, &v) || pos != len)
		return AMP_EBADMSG;
	out->len = out->kind == AMP_SDB_FW_FILLED ? v : 0;
	out->crc = out->kind == AMP_SDB_FW_RETURNED ? v : 0;
	return 0;
}

static int fmt_result(int n, size_t cap)
{
	return n < 0 || (size_t)n >= cap ? AMP_EINVAL : n;
}

int amp_sdb_fmt_announce(char *out, size_t cap, char kind, uint32_t idx, uint32_t da, uint32_t len)
{
	return fmt_result(snprintf(out, cap, "%c%uA%08xL%08x", kind, idx, da, len), cap);
}

int amp_sdb_fmt_refill(char *out, size_t cap, uint32_t idx)
{
	return fmt_result(snprintf(out, cap, "R%u", idx), cap);
}

int amp_sdb_fmt_filled(char *out, size_t cap, uint32_t idx, uint32_t len)
{
	return fmt_result(snprintf(out, cap, "F%uL%08x", idx, len), cap);
}
