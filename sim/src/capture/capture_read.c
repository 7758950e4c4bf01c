/* The pcapng reader of `ampsim replay` (capture.h, docs/capture.md): the file is untrusted. */
#include "capture.h"

#include <string.h>

#include <amp/error.h>
#include <ampsim/error.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define MAX_IFACES 16u

struct reader {
	const uint8_t *data;
	size_t size;
	const char *path;
	uint64_t tsdiv[MAX_IFACES]; /* per interface: ns per tick (0: unsupported resolution) */
	unsigned nif;
	GPtrArray *recs;
};

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void rec_free(gpointer p)
{
	struct amp_cap_rec *r = p;
	g_free(r->payload);
	g_free(r);
}

static gboolean bad(struct reader *rd, GError **err, size_t off, const char *what)
{
	amp_set_error(err, AMP_EPROTO,
		      "%s is not a readable ampsim capture: %s at byte %zu (make it with `ampsim "
		      "run --capture FILE.pcapng`)",
		      rd->path, what, off);
	return FALSE;
}

/* if_tsresol: 10^-n or 2^-n seconds per tick; we keep what whole nanoseconds express. */
static uint64_t tsresol_ns(uint8_t v)
{
	if (v & 0x80u)
		return 0;
	uint64_t ns = 1000000000u;
	for (uint8_t i = 0; i < v && ns > 0; i++)
		ns = ns % 10u ? 0 : ns / 10u;
	return ns;
}

/* An IDB: its link type, and its time resolution from the options (default microseconds). */
static gboolean read_idb(struct reader *rd, const uint8_t *b, uint32_t len, size_t off,
			 GError **err)
{
	if (len < 20)
		return bad(rd, err, off, "interface block too short");
	if (get16(b + 8) != AMP_CAP_LINKTYPE)
		return bad(rd, err, off + 8, "link type is not LINKTYPE_USER0 (147)");
	if (rd->nif >= MAX_IFACES)
		return bad(rd, err, off, "too many interfaces");
	uint64_t div = 1000;
	for (uint32_t o = 16; o + 4 <= len - 4;) {
		uint16_t code = get16(b + o), olen = get16(b + o + 2);
		if (code == 0)
			break;
		if (o + 4 + olen > len - 4)
			return bad(rd, err, off + o, "interface option runs past its block");
		if (code == 9 && olen == 1)
			div = tsresol_ns(b[o + 4]);
		o += 4 + ((olen + 3u) & ~3u);
	}
	if (div == 0)
		return bad(rd, err, off, "time resolution finer than a nanosecond or binary");
	rd->tsdiv[rd->nif++] = div;
	return TRUE;
}

static gboolean read_epb(struct reader *rd, const uint8_t *b, uint32_t len, size_t off,
			 GError **err)
{
	if (len < 32)
		return bad(rd, err, off, "packet block too short");
	uint32_t ifid = get32(b + 8), caplen = get32(b + 20), origlen = get32(b + 24);
	if (ifid >= rd->nif)
		return bad(rd, err, off + 8, "packet on an undeclared interface");
	if (caplen > len - 32)
		return bad(rd, err, off + 20, "packet longer than its block");
	if (caplen != origlen)
		return bad(rd, err, off + 20, "packet truncated when captured");
	const uint8_t *p = b + 28;
	if (caplen < AMP_CAP_PHDR_SIZE + AMP_RPMSG_HDR_SIZE)
		return bad(rd, err, off + 28, "packet shorter than the two headers");
	if (p[0] != AMP_CAP_VERSION || get16(p + 2) != AMP_CAP_PHDR_SIZE ||
	    p[1] > AMP_CAP_DIR_FROM_FW)
		return bad(rd, err, off + 28, "unknown pseudo-header version or direction");
	struct amp_cap_rec *r = g_new0(struct amp_cap_rec, 1);
	r->frame = rd->recs->len + 1;
	r->ts_ns = ((uint64_t)get32(b + 12) << 32 | get32(b + 16)) * rd->tsdiv[ifid];
	r->to_fw = p[1] == AMP_CAP_DIR_TO_FW;
	memcpy(r->name, p + 4, AMP_CAP_NAME_SIZE - 1); /* name[31] stays NUL */
	memcpy(r->hdr, p + AMP_CAP_PHDR_SIZE, AMP_RPMSG_HDR_SIZE);
	r->len = caplen - AMP_CAP_PHDR_SIZE - AMP_RPMSG_HDR_SIZE;
	if (r->len)
		r->payload = g_memdup2(p + AMP_CAP_PHDR_SIZE + AMP_RPMSG_HDR_SIZE, r->len);
	g_ptr_array_add(rd->recs, r);
	return TRUE;
}

static gboolean read_blocks(struct reader *rd, GError **err)
{
	size_t off = 0;
	while (off < rd->size) {
		const uint8_t *b = rd->data + off;
		if (rd->size - off < 12)
			return bad(rd, err, off, "file ends inside a block header (truncated?)");
		uint32_t type = get32(b), len = get32(b + 4);
		if (off == 0 && (type != BT_SHB || get32(b + 8) != 0x1A2B3C4Du))
			return bad(rd, err, 0, "no little-endian pcapng section header");
		if (len < 12 || len % 4)
			return bad(rd, err, off + 4, "bad block length");
		if (len > rd->size - off)
			return bad(rd, err, off, "file ends inside a block (truncated?)");
		if (get32(b + len - 4) != len)
			return bad(rd, err, off + len - 4, "block's trailing length differs");
		gboolean ok = TRUE;
		if (type == BT_SHB && off != 0)
			return bad(rd, err, off,
				   "a second section (merged files are not supported)");
		else if (type == BT_IDB)
			ok = read_idb(rd, b, len, off, err);
		else if (type == BT_EPB)
			ok = read_epb(rd, b, len, off, err);
		if (!ok)
			return FALSE;
		off += len; /* other block types (statistics, comments) carry nothing we replay */
	}
	if (rd->size == 0)
		return bad(rd, err, 0, "empty file");
	return TRUE;
}

GPtrArray *amp_capture_read(const char *path, GError **err)
{
	gchar *data = NULL;
	gsize size = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &data, &size, &e)) {
		amp_set_error(err, e->code == G_FILE_ERROR_NOENT ? AMP_ENOENT : AMP_EIO,
			      "cannot read the capture: %s", e->message);
		g_error_free(e);
		return NULL;
	}
	struct reader rd = {(const uint8_t *)data, size, path, {0}, 0, NULL};
	rd.recs = g_ptr_array_new_with_free_func(rec_free);
	if (!read_blocks(&rd, err)) {
		g_ptr_array_unref(rd.recs);
		rd.recs = NULL;
	}
	g_free(data);
	return rd.recs;
}
