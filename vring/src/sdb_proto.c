/*
 * The rpmsg-sdb text codec; see <amp/sdb_proto.h>. One table says what each message looks
 * like, and both parsers and the formatter follow it, so what one side writes the other
 * reads. Every input byte is untrusted: exact widths, bounded lengths, overflow-safe sums.
 */
#include <amp/sdb_proto.h>

#include <string.h>

#include <amp/error.h>

/*
 * After the first byte: 'd' = the index, 1 to 5 decimal digits; 'x' = exactly 8 hex digits
 * (the next of the kind's numbers); any other character stands for itself.
 */
static const struct {
	char head;
	const char *rest;
} shape[] = {
    [AMP_SDB_MSG_ANNOUNCE] = {'B', "dAxLx"}, [AMP_SDB_MSG_ANNOUNCE_TO_FW] = {'T', "dAxLx"},
    [AMP_SDB_MSG_REFILL] = {'R', "d"},	     [AMP_SDB_MSG_SUBMIT] = {'F', "dLx"},
    [AMP_SDB_MSG_CONTROL] = {0, NULL},	     [AMP_SDB_MSG_FILLED] = {'B', "dLx"},
    [AMP_SDB_MSG_RETURNED] = {'R', "dCx"},
};

#define NKINDS (sizeof(shape) / sizeof(shape[0]))
_Static_assert(AMP_SDB_MAX_BUFFERS <= 100u, "amp_sdb_format() writes at most two index digits");

/* The numbers a kind carries, in the order its 'x' fields appear. */
static unsigned numbers(struct amp_sdb_msg *m, uint32_t *v[2])
{
	switch (m->kind) {
	case AMP_SDB_MSG_ANNOUNCE:
	case AMP_SDB_MSG_ANNOUNCE_TO_FW:
		v[0] = &m->da;
		v[1] = &m->len;
		return 2;
	case AMP_SDB_MSG_SUBMIT:
	case AMP_SDB_MSG_FILLED:
		v[0] = &m->len;
		return 1;
	case AMP_SDB_MSG_RETURNED:
		v[0] = &m->crc;
		return 1;
	default:
		return 0;
	}
}

/* The ranges the parsers and the formatter apply alike. */
static int check_range(const struct amp_sdb_msg *m)
{
	if (m->idx >= AMP_SDB_MAX_BUFFERS)
		return AMP_ERANGE;
	switch (m->kind) {
	case AMP_SDB_MSG_ANNOUNCE:
	case AMP_SDB_MSG_ANNOUNCE_TO_FW:
		/* [da, da + len) must not wrap around the 32-bit address space. */
		return m->len == 0 || m->len - 1u > UINT32_MAX - m->da ? AMP_ERANGE : 0;
	case AMP_SDB_MSG_SUBMIT:
		return m->len == 0 ? AMP_ERANGE : 0;
	default:
		return 0;
	}
}

/* ---- parsing ------------------------------------------------------------------------------ */

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

/* 1..5 decimal digits at p[*pos]: an index far below overflow. */
static int take_dec(const uint8_t *p, size_t len, size_t *pos, uint32_t *v)
{
	size_t n = 0;
	*v = 0;
	while (*pos < len && p[*pos] >= '0' && p[*pos] <= '9') {
		if (++n > 5)
			return AMP_EBADMSG;
		*v = *v * 10u + (uint32_t)(p[(*pos)++] - '0');
	}
	return n ? 0 : AMP_EBADMSG;
}

/* Exactly 8 hex digits at p[*pos]: all 32 bits (ST's parser drops two; not here). */
static int take_hex8(const uint8_t *p, size_t len, size_t *pos, uint32_t *v)
{
	uint32_t x = 0;
	if (len - *pos < 8)
		return AMP_EBADMSG;
	for (size_t i = 0; i < 8; i++) {
		int d = hex_digit(p[*pos + i]);
		if (d < 0)
			return AMP_EBADMSG;
		x = (x << 4) | (uint32_t)d;
	}
	*pos += 8;
	*v = x;
	return 0;
}

/* p[1..len) against m->kind's shape, filling m; then the range checks. */
static int parse_rest(const uint8_t *p, size_t len, struct amp_sdb_msg *m)
{
	uint32_t *v[2];
	unsigned nv = numbers(m, v), iv = 0;
	size_t pos = 1;
	for (const char *s = shape[m->kind].rest; *s; s++) {
		int rc = 0;
		if (*s == 'd')
			rc = take_dec(p, len, &pos, &m->idx);
		else if (*s == 'x')
			rc = iv < nv ? take_hex8(p, len, &pos, v[iv++]) : AMP_EBADMSG;
		else if (pos >= len || p[pos++] != (uint8_t)*s)
			rc = AMP_EBADMSG;
		if (rc)
			return rc;
	}
	return pos == len ? check_range(m) : AMP_EBADMSG;
}

/* Check the arguments, drop one trailing NUL or newline, bound the length. */
static int begin(const void *data, size_t *len, struct amp_sdb_msg *out)
{
	const uint8_t *p = data;
	if (!data || !out)
		return AMP_EINVAL;
	memset(out, 0, sizeof(*out));
	if (*len > 0 && (p[*len - 1] == '\0' || p[*len - 1] == '\n'))
		(*len)--;
	return *len == 0 || *len > AMP_SDB_MSG_MAX ? AMP_EBADMSG : 0;
}

int amp_sdb_parse_to_fw(const void *data, size_t len, struct amp_sdb_msg *out)
{
	const uint8_t *p = data;
	int rc = begin(data, &len, out);
	if (rc)
		return rc;
	switch (p[0]) {
	case 'B':
		out->kind = AMP_SDB_MSG_ANNOUNCE;
		break;
	case 'T':
		out->kind = AMP_SDB_MSG_ANNOUNCE_TO_FW;
		break;
	case 'R':
		out->kind = AMP_SDB_MSG_REFILL;
		break;
	case 'F':
		out->kind = AMP_SDB_MSG_SUBMIT;
		break;
	default:
		/* A command starts with a printable character; the rest is the firmware's. */
		if (p[0] <= ' ' || p[0] > '~')
			return AMP_EBADMSG;
		out->kind = AMP_SDB_MSG_CONTROL;
		out->text = p;
		out->text_len = len;
		return 0;
	}
	return parse_rest(p, len, out);
}

int amp_sdb_parse_to_host(const void *data, size_t len, struct amp_sdb_msg *out)
{
	const uint8_t *p = data;
	int rc = begin(data, &len, out);
	if (rc)
		return rc;
	if (p[0] == 'B')
		out->kind = AMP_SDB_MSG_FILLED;
	else if (p[0] == 'R')
		out->kind = AMP_SDB_MSG_RETURNED;
	else
		return AMP_EBADMSG;
	return parse_rest(p, len, out);
}

/* ---- formatting --------------------------------------------------------------------------- */

int amp_sdb_format(char *out, size_t cap, const struct amp_sdb_msg *m)
{
	static const char hex[] = "0123456789abcdef";
	char buf[AMP_SDB_MSG_MAX + 1];
	size_t pos = 0;
	if (!out || !m || (unsigned)m->kind >= NKINDS || !shape[m->kind].rest)
		return AMP_EINVAL;
	struct amp_sdb_msg f = *m;
	uint32_t *v[2];
	unsigned nv = numbers(&f, v), iv = 0;
	int rc = check_range(&f);
	if (rc)
		return rc;
	buf[pos++] = shape[f.kind].head;
	for (const char *s = shape[f.kind].rest; *s; s++) {
		if (*s == 'd') {
			/* check_range() keeps idx to two digits. */
			if (f.idx >= 10u)
				buf[pos++] = (char)('0' + f.idx / 10u);
			buf[pos++] = (char)('0' + f.idx % 10u);
		} else if (*s == 'x' && iv < nv) {
			uint32_t x = *v[iv++];
			for (int shift = 28; shift >= 0; shift -= 4)
				buf[pos++] = hex[(x >> shift) & 0xFu];
		} else {
			buf[pos++] = *s;
		}
	}
	if (pos + 1 > cap)
		return AMP_EINVAL;
	memcpy(out, buf, pos);
	out[pos] = '\0';
	return (int)pos;
}
