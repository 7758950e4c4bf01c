/*
 * Resource-table parser. The order of the checks is Linux's (remoteproc_elf_loader.c
 * find_table, remoteproc_core.c rproc_handle_resources and the per-type handlers), so a
 * table this parser accepts is one Linux accepts; where we are stricter it is noted.
 */
#include <string.h>

#include <amp/rsc_parse.h>

#include "local.h"

#define HDR_SIZE ((uint32_t)sizeof(struct amp_rsc_table_hdr))
#define CARVEOUT_SIZE ((uint32_t)sizeof(struct amp_fw_rsc_carveout))
#define TRACE_SIZE ((uint32_t)sizeof(struct amp_fw_rsc_trace))
#define VDEV_SIZE ((uint32_t)sizeof(struct amp_fw_rsc_vdev))
#define VRING_SIZE ((uint32_t)sizeof(struct amp_fw_rsc_vdev_vring))
#define RPMSG_CFG_SIZE ((uint32_t)sizeof(struct amp_fw_rsc_rpmsg_cfg))

static const char *const vring_num_field[AMP_RSC_MAX_VRINGS] = {"vring[0].num", "vring[1].num"};
static const char *const vring_align_field[AMP_RSC_MAX_VRINGS] = {"vring[0].align",
								  "vring[1].align"};

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

enum amp_rsc_kind amp_rsc_kind_of(uint32_t type)
{
	switch (type) {
	case AMP_RSC_CARVEOUT:
		return AMP_RSC_KIND_CARVEOUT;
	case AMP_RSC_DEVMEM:
		return AMP_RSC_KIND_DEVMEM;
	case AMP_RSC_TRACE:
		return AMP_RSC_KIND_TRACE;
	case AMP_RSC_VDEV:
		return AMP_RSC_KIND_VDEV;
	default:
		if (type >= AMP_RSC_VENDOR_START && type <= AMP_RSC_VENDOR_END)
			return AMP_RSC_KIND_VENDOR;
		return AMP_RSC_KIND_UNKNOWN;
	}
}

const char *amp_rsc_type_name(uint32_t type)
{
	static const char *const names[] = {
	    [AMP_RSC_KIND_CARVEOUT] = "carveout", [AMP_RSC_KIND_DEVMEM] = "devmem",
	    [AMP_RSC_KIND_TRACE] = "trace",	  [AMP_RSC_KIND_VDEV] = "vdev",
	    [AMP_RSC_KIND_VENDOR] = "vendor",	  [AMP_RSC_KIND_UNKNOWN] = "unknown",
	};

	return names[amp_rsc_kind_of(type)];
}

int amp_rsc_iter_init(struct amp_rsc_iter *it, const void *table, size_t len,
		      struct amp_rsc_error *err)
{
	const uint8_t *t = table;
	uint32_t ver, num;

	if (!it || !table)
		return amp_rsc_fail(err, AMP_RSC_ERR_BAD_ARG, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	memset(it, 0, sizeof(*it));
	if (len < HDR_SIZE)
		return amp_rsc_fail(err, AMP_RSC_ERR_HDR_TRUNCATED, -1, AMP_RSC_TYPE_NONE, 0,
				    "size", len, HDR_SIZE);
	ver = amp_ld_le32(t + offsetof(struct amp_rsc_table_hdr, ver));
	if (ver != AMP_RSC_TABLE_VERSION)
		return amp_rsc_fail(err, AMP_RSC_ERR_BAD_VERSION, -1, AMP_RSC_TYPE_NONE,
				    offsetof(struct amp_rsc_table_hdr, ver), "ver", ver,
				    AMP_RSC_TABLE_VERSION);
	for (uint32_t i = 0; i < 2; i++) {
		uint32_t off = (uint32_t)offsetof(struct amp_rsc_table_hdr, reserved) + 4 * i;
		uint32_t r = amp_ld_le32(t + off);

		if (r)
			return amp_rsc_fail(err, AMP_RSC_ERR_HDR_RESERVED, -1, AMP_RSC_TYPE_NONE,
					    off, i ? "reserved[1]" : "reserved[0]", r, 0);
	}
	num = amp_ld_le32(t + offsetof(struct amp_rsc_table_hdr, num));
	/* Divide rather than multiply: 4 * num may not fit in 32 bits. */
	if (num > (len - HDR_SIZE) / 4)
		return amp_rsc_fail(err, AMP_RSC_ERR_OFFSETS_TRUNCATED, -1, AMP_RSC_TYPE_NONE,
				    offsetof(struct amp_rsc_table_hdr, num), "num", num,
				    (len - HDR_SIZE) / 4);
	it->table = t;
	it->len = len;
	it->num = num;
	it->next = 0;
	if (err)
		amp_rsc_fail(err, AMP_RSC_ERR_NONE, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	return 0;
}

static void copy_name(char *dst, const uint8_t *src)
{
	/* The name need not be terminated on the wire; the decoded copy always is. */
	memcpy(dst, src, AMP_RSC_NAME_LEN);
	dst[AMP_RSC_NAME_LEN] = '\0';
}

/* carveout and devmem share a layout */
static int decode_mem(const uint8_t *t, struct amp_rsc_entry *e, struct amp_rsc_mem_info *m,
		      struct amp_rsc_error *err)
{
	const uint8_t *p = t + e->offset;
	uint32_t reserved;

	if ((uint64_t)e->avail + 4 < CARVEOUT_SIZE)
		return amp_rsc_fail(err, AMP_RSC_ERR_BODY_TRUNCATED, (int32_t)e->index, e->type,
				    e->offset, "size", CARVEOUT_SIZE, (uint64_t)e->avail + 4);
	reserved = amp_ld_le32(p + offsetof(struct amp_fw_rsc_carveout, reserved));
	if (reserved)
		return amp_rsc_fail(err, AMP_RSC_ERR_RESERVED, (int32_t)e->index, e->type,
				    e->offset + offsetof(struct amp_fw_rsc_carveout, reserved),
				    "reserved", reserved, 0);
	m->da = amp_ld_le32(p + offsetof(struct amp_fw_rsc_carveout, da));
	m->pa = amp_ld_le32(p + offsetof(struct amp_fw_rsc_carveout, pa));
	m->len = amp_ld_le32(p + offsetof(struct amp_fw_rsc_carveout, len));
	m->flags = amp_ld_le32(p + offsetof(struct amp_fw_rsc_carveout, flags));
	copy_name(m->name, p + offsetof(struct amp_fw_rsc_carveout, name));
	return 0;
}

static int decode_trace(const uint8_t *t, struct amp_rsc_entry *e, struct amp_rsc_error *err)
{
	const uint8_t *p = t + e->offset;
	struct amp_rsc_trace_info *tr = &e->u.trace;
	uint32_t reserved;

	if ((uint64_t)e->avail + 4 < TRACE_SIZE)
		return amp_rsc_fail(err, AMP_RSC_ERR_BODY_TRUNCATED, (int32_t)e->index, e->type,
				    e->offset, "size", TRACE_SIZE, (uint64_t)e->avail + 4);
	reserved = amp_ld_le32(p + offsetof(struct amp_fw_rsc_trace, reserved));
	if (reserved)
		return amp_rsc_fail(err, AMP_RSC_ERR_RESERVED, (int32_t)e->index, e->type,
				    e->offset + offsetof(struct amp_fw_rsc_trace, reserved),
				    "reserved", reserved, 0);
	tr->da = amp_ld_le32(p + offsetof(struct amp_fw_rsc_trace, da));
	tr->len = amp_ld_le32(p + offsetof(struct amp_fw_rsc_trace, len));
	copy_name(tr->name, p + offsetof(struct amp_fw_rsc_trace, name));
	return 0;
}

static int decode_vring(const uint8_t *t, struct amp_rsc_entry *e, uint32_t i,
			struct amp_rsc_error *err)
{
	struct amp_rsc_vring_info *vr = &e->u.vdev.vring[i];
	const uint8_t *p;

	vr->offset = e->offset + VDEV_SIZE + i * VRING_SIZE;
	p = t + vr->offset;
	vr->da = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev_vring, da));
	vr->align = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev_vring, align));
	vr->num = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev_vring, num));
	vr->notifyid = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev_vring, notifyid));
	vr->pa = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev_vring, pa));

	/*
	 * Linux only rejects num == 0 and align == 0. The rings are indexed with & (num - 1)
	 * and laid out with ALIGN(x, align), so anything but a power of two corrupts memory on
	 * both sides: reject it here instead.
	 */
	if (!vr->num)
		return amp_rsc_fail(err, AMP_RSC_ERR_VRING_NUM_ZERO, (int32_t)e->index, e->type,
				    vr->offset + offsetof(struct amp_fw_rsc_vdev_vring, num),
				    vring_num_field[i], vr->num, 0);
	if (!is_pow2(vr->num))
		return amp_rsc_fail(err, AMP_RSC_ERR_VRING_NUM_NOT_POW2, (int32_t)e->index, e->type,
				    vr->offset + offsetof(struct amp_fw_rsc_vdev_vring, num),
				    vring_num_field[i], vr->num, 0);
	if (vr->num > AMP_RSC_VRING_NUM_MAX)
		return amp_rsc_fail(err, AMP_RSC_ERR_VRING_NUM_TOO_BIG, (int32_t)e->index, e->type,
				    vr->offset + offsetof(struct amp_fw_rsc_vdev_vring, num),
				    vring_num_field[i], vr->num, AMP_RSC_VRING_NUM_MAX);
	if (!vr->align)
		return amp_rsc_fail(err, AMP_RSC_ERR_VRING_ALIGN_ZERO, (int32_t)e->index, e->type,
				    vr->offset + offsetof(struct amp_fw_rsc_vdev_vring, align),
				    vring_align_field[i], vr->align, 0);
	if (!is_pow2(vr->align))
		return amp_rsc_fail(err, AMP_RSC_ERR_VRING_ALIGN_NOT_POW2, (int32_t)e->index,
				    e->type,
				    vr->offset + offsetof(struct amp_fw_rsc_vdev_vring, align),
				    vring_align_field[i], vr->align, 0);
	return 0;
}

static bool buf_size_ok(uint32_t size)
{
	return !size ||
	       (size >= AMP_RPMSG_BUF_SIZE_MIN && size <= AMP_RPMSG_BUF_SIZE_MAX && size % 4u == 0);
}

/* ampsim's buffer sizes in an rpmsg vdev's config space (struct amp_fw_rsc_rpmsg_cfg). */
static int decode_rpmsg_cfg(const uint8_t *t, struct amp_rsc_entry *e, struct amp_rsc_error *err)
{
	static const char *const size_field[2] = {"config.h2r_buf_size", "config.r2h_buf_size"};
	struct amp_rsc_vdev_info *vd = &e->u.vdev;
	const uint8_t *p = t + vd->config_offset;
	uint32_t version, size[2];

	/* No config space, or not this layout: Linux ignores an rpmsg config space, and so do we.
	 */
	if (vd->id != AMP_VIRTIO_ID_RPMSG || vd->config_len < 4 ||
	    amp_ld_le32(p) != AMP_RSC_RPMSG_CFG_MAGIC)
		return 0;
	if (vd->config_len < RPMSG_CFG_SIZE)
		return amp_rsc_fail(err, AMP_RSC_ERR_RPMSG_CFG_TRUNCATED, (int32_t)e->index,
				    e->type,
				    e->offset + offsetof(struct amp_fw_rsc_vdev, config_len),
				    "config_len", vd->config_len, RPMSG_CFG_SIZE);
	version = amp_ld_le32(p + offsetof(struct amp_fw_rsc_rpmsg_cfg, version));
	if (version != AMP_RSC_RPMSG_CFG_VERSION)
		return amp_rsc_fail(err, AMP_RSC_ERR_RPMSG_CFG_VERSION, (int32_t)e->index, e->type,
				    vd->config_offset +
					offsetof(struct amp_fw_rsc_rpmsg_cfg, version),
				    "config.version", version, AMP_RSC_RPMSG_CFG_VERSION);
	for (uint32_t i = 0; i < 2; i++) {
		uint32_t off = vd->config_offset +
			       (uint32_t)offsetof(struct amp_fw_rsc_rpmsg_cfg, h2r_buf_size) +
			       4 * i;

		size[i] = amp_ld_le32(t + off);
		if (!buf_size_ok(size[i]))
			return amp_rsc_fail(err, AMP_RSC_ERR_RPMSG_BUF_SIZE, (int32_t)e->index,
					    e->type, off, size_field[i], size[i], 0);
	}
	vd->has_buf_cfg = true;
	vd->h2r_buf_size = size[0];
	vd->r2h_buf_size = size[1];
	return 0;
}

static int decode_vdev(const uint8_t *t, struct amp_rsc_entry *e, struct amp_rsc_error *err)
{
	const uint8_t *p = t + e->offset;
	struct amp_rsc_vdev_info *vd = &e->u.vdev;
	uint64_t room = (uint64_t)e->avail + 4; /* bytes from the type word to the end */
	uint64_t vrings_end;
	int ret;

	/*
	 * Linux reads num_of_vrings and config_len before it knows the fixed part is there;
	 * check that first.
	 */
	if (room < VDEV_SIZE)
		return amp_rsc_fail(err, AMP_RSC_ERR_BODY_TRUNCATED, (int32_t)e->index, e->type,
				    e->offset, "size", VDEV_SIZE, room);
	vd->id = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev, id));
	vd->notifyid = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev, notifyid));
	vd->dfeatures = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev, dfeatures));
	vd->gfeatures = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev, gfeatures));
	vd->config_len = amp_ld_le32(p + offsetof(struct amp_fw_rsc_vdev, config_len));
	vd->status = p[offsetof(struct amp_fw_rsc_vdev, status)];
	vd->num_of_vrings = p[offsetof(struct amp_fw_rsc_vdev, num_of_vrings)];

	/* 64-bit sums: at most 28 + 255 * 20 + 0xffffffff, no overflow possible. */
	vrings_end = (uint64_t)VDEV_SIZE + (uint64_t)vd->num_of_vrings * VRING_SIZE;
	if (vrings_end > room)
		return amp_rsc_fail(err, AMP_RSC_ERR_VRINGS_TRUNCATED, (int32_t)e->index, e->type,
				    e->offset + offsetof(struct amp_fw_rsc_vdev, num_of_vrings),
				    "num_of_vrings", vd->num_of_vrings, room);
	if (vrings_end + vd->config_len > room)
		return amp_rsc_fail(err, AMP_RSC_ERR_VRINGS_TRUNCATED, (int32_t)e->index, e->type,
				    e->offset + offsetof(struct amp_fw_rsc_vdev, config_len),
				    "config_len", vd->config_len, room);
	for (uint32_t i = 0; i < 2; i++) {
		uint32_t off = e->offset + (uint32_t)offsetof(struct amp_fw_rsc_vdev, reserved) + i;

		if (t[off])
			return amp_rsc_fail(err, AMP_RSC_ERR_RESERVED, (int32_t)e->index, e->type,
					    off, i ? "reserved[1]" : "reserved[0]", t[off], 0);
	}
	if (vd->num_of_vrings > AMP_RSC_MAX_VRINGS)
		return amp_rsc_fail(err, AMP_RSC_ERR_TOO_MANY_VRINGS, (int32_t)e->index, e->type,
				    e->offset + offsetof(struct amp_fw_rsc_vdev, num_of_vrings),
				    "num_of_vrings", vd->num_of_vrings, AMP_RSC_MAX_VRINGS);
	for (uint32_t i = 0; i < vd->num_of_vrings; i++) {
		ret = decode_vring(t, e, i, err);
		if (ret)
			return ret;
	}
	vd->config_offset = (uint32_t)(e->offset + vrings_end);
	return decode_rpmsg_cfg(t, e, err);
}

int amp_rsc_iter_next(struct amp_rsc_iter *it, struct amp_rsc_entry *e, struct amp_rsc_error *err)
{
	uint32_t i, pos, off, hdr_end;
	const uint8_t *t;
	int ret = 0;

	if (!it || !e || !it->table)
		return amp_rsc_fail(err, AMP_RSC_ERR_BAD_ARG, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	if (it->next >= it->num)
		return 0;
	t = it->table;
	i = it->next;
	/* iter_init proved 16 + 4 * num <= len, so these fit in 32 bits and in the buffer. */
	hdr_end = HDR_SIZE + 4 * it->num;
	pos = HDR_SIZE + 4 * i;
	off = amp_ld_le32(t + pos);
	/*
	 * Stricter than Linux: an entry overlapping the header would reinterpret ver/num/offsets
	 * as a resource. No firmware does this on purpose.
	 */
	if (off < hdr_end)
		return amp_rsc_fail(err, AMP_RSC_ERR_ENTRY_IN_HEADER, (int32_t)i, AMP_RSC_TYPE_NONE,
				    pos, "offset", off, hdr_end);
	if (!amp_range_ok(off, 4, it->len))
		return amp_rsc_fail(err, AMP_RSC_ERR_ENTRY_TRUNCATED, (int32_t)i, AMP_RSC_TYPE_NONE,
				    pos, "offset", off, it->len);

	memset(e, 0, sizeof(*e));
	e->index = i;
	e->offset = off;
	e->type = amp_ld_le32(t + off);
	e->kind = amp_rsc_kind_of(e->type);
	/* A table over 4 GiB is absurd, but clamp rather than truncate silently. */
	e->avail = (it->len - off - 4) > UINT32_MAX ? UINT32_MAX : (uint32_t)(it->len - off - 4);

	switch (e->kind) {
	case AMP_RSC_KIND_CARVEOUT:
		ret = decode_mem(t, e, &e->u.carveout, err);
		break;
	case AMP_RSC_KIND_DEVMEM:
		ret = decode_mem(t, e, &e->u.devmem, err);
		break;
	case AMP_RSC_KIND_TRACE:
		ret = decode_trace(t, e, err);
		break;
	case AMP_RSC_KIND_VDEV:
		ret = decode_vdev(t, e, err);
		break;
	case AMP_RSC_KIND_VENDOR:
	case AMP_RSC_KIND_UNKNOWN:
		break;
	}
	if (ret)
		return ret;
	it->next++;
	return 1;
}

int amp_rsc_parse(const void *table, size_t len, const struct amp_rsc_visitor *v, void *ctx,
		  struct amp_rsc_stats *stats, struct amp_rsc_error *err)
{
	struct amp_rsc_stats local;
	struct amp_rsc_stats *st = stats ? stats : &local;
	struct amp_rsc_entry e;
	struct amp_rsc_iter it;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = amp_rsc_iter_init(&it, table, len, err);
	if (ret)
		return ret;
	while ((ret = amp_rsc_iter_next(&it, &e, err)) == 1) {
		int r = 0;

		st->entries++;
		switch (e.kind) {
		case AMP_RSC_KIND_CARVEOUT:
			st->carveouts++;
			break;
		case AMP_RSC_KIND_DEVMEM:
			st->devmems++;
			break;
		case AMP_RSC_KIND_TRACE:
			st->traces++;
			break;
		case AMP_RSC_KIND_VDEV:
			st->vdevs++;
			break;
		case AMP_RSC_KIND_VENDOR:
			r = AMP_RSC_IGNORED;
			if (v && v->vendor)
				r = v->vendor(ctx, &e, it.table + e.offset + 4, e.avail);
			if (r < 0) {
				amp_rsc_fail(err, AMP_RSC_ERR_VENDOR_REJECTED, (int32_t)e.index,
					     e.type, e.offset, NULL, 0, 0);
				if (err)
					err->code = r;
				return r;
			}
			if (r == 0)
				st->vendor_handled++;
			else
				st->vendor_ignored++;
			continue;
		case AMP_RSC_KIND_UNKNOWN:
			st->unknown_skipped++;
			continue;
		}
		if (v && v->entry) {
			r = v->entry(ctx, &e);
			if (r < 0) {
				amp_rsc_fail(err, AMP_RSC_ERR_VISITOR_FAILED, (int32_t)e.index,
					     e.type, e.offset, NULL, 0, 0);
				if (err)
					err->code = r;
				return r;
			}
		}
	}
	return ret;
}

int amp_rsc_find(const void *table, size_t len, enum amp_rsc_kind kind, uint32_t nth,
		 struct amp_rsc_entry *e, struct amp_rsc_error *err)
{
	struct amp_rsc_entry cur;
	struct amp_rsc_iter it;
	uint32_t seen = 0;
	bool found = false;
	int ret;

	if (!e)
		return amp_rsc_fail(err, AMP_RSC_ERR_BAD_ARG, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	ret = amp_rsc_iter_init(&it, table, len, err);
	if (ret)
		return ret;
	/* Walk to the end even after a match: a table is used only if all of it is valid. */
	while ((ret = amp_rsc_iter_next(&it, &cur, err)) == 1) {
		if (cur.kind != kind)
			continue;
		if (seen++ == nth) {
			*e = cur;
			found = true;
		}
	}
	if (ret)
		return ret;
	if (!found)
		return amp_rsc_fail(err, AMP_RSC_ERR_ENTRY_NOT_FOUND, -1, AMP_RSC_TYPE_NONE, 0,
				    "kind", (uint64_t)kind, 0);
	return 0;
}

int amp_rsc_put_u32(void *table, size_t len, uint32_t off, uint32_t val)
{
	uint8_t *p = table;

	if (!table)
		return AMP_EINVAL;
	if (!amp_range_ok(off, 4, len))
		return AMP_EFAULT;
	p += off;
	p[0] = (uint8_t)val;
	p[1] = (uint8_t)(val >> 8);
	p[2] = (uint8_t)(val >> 16);
	p[3] = (uint8_t)(val >> 24);
	return 0;
}

int amp_rsc_put_u8(void *table, size_t len, uint32_t off, uint8_t val)
{
	if (!table)
		return AMP_EINVAL;
	if (!amp_range_ok(off, 1, len))
		return AMP_EFAULT;
	((uint8_t *)table)[off] = val;
	return 0;
}
