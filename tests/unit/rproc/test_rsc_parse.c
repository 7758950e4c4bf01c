/*
 * Resource-table parser: one test per validation rule with the exact reason, code, entry
 * index, field and message; then the success paths (decoding, vendor callback, unknown
 * types, visitor, iterator, find, write-back).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <amp/rsc_declare.h>
#include <amp/rsc_parse.h>

#include "fixture_table.h"

/* A table under construction, with entries appended at 4-byte offsets. */
struct tb {
	uint8_t b[1024];
	size_t len;
	uint32_t n;
};

static void put32(struct tb *t, size_t off, uint32_t v)
{
	assert_int_equal(amp_rsc_put_u32(t->b, sizeof(t->b), (uint32_t)off, v), 0);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void tb_start(struct tb *t, uint32_t num)
{
	memset(t, 0, sizeof(*t));
	put32(t, 0, 1);
	put32(t, 4, num);
	t->len = 16 + 4 * (size_t)num;
}

static uint32_t tb_add(struct tb *t, const void *data, size_t size)
{
	uint32_t off = (uint32_t)t->len;

	put32(t, 16 + 4 * (size_t)t->n++, off);
	memcpy(t->b + off, data, size);
	t->len += size;
	return off;
}

/* The ST table (vdev + 2 vrings + trace) as a struct tb, from the declaration header. */
static void tb_st(struct tb *t)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;

	memset(t, 0, sizeof(*t));
	memcpy(t->b, &st, sizeof(st));
	t->len = sizeof(st);
	t->n = 2;
}

#define ST_VDEV offsetof(struct amp_rsc_table_rpmsg_trace, vdev)
#define ST_VRING(i)                                          \
	(offsetof(struct amp_rsc_table_rpmsg_trace, vring) + \
	 (i) * sizeof(struct amp_fw_rsc_vdev_vring))
#define ST_TRACE offsetof(struct amp_rsc_table_rpmsg_trace, trace)

struct vdev2 {
	struct amp_fw_rsc_vdev v;
	struct amp_fw_rsc_vdev_vring r[2];
};

static const struct vdev2 good_vdev = {
    .v = AMP_RSC_VDEV_RPMSG_INIT(2),
    .r = {AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, 16, 16, 0),
	  AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, 16, 16, 1)},
};

/* Parse and check every part of the error. msg: the exact rendered text, or NULL. */
static void expect_fail(const void *table, size_t len, int code, enum amp_rsc_reason reason,
			int32_t index, const char *field, const char *msg)
{
	struct amp_rsc_error err;
	char text[256];
	int ret;

	memset(&err, 0xa5, sizeof(err));
	ret = amp_rsc_parse(table, len, NULL, NULL, NULL, &err);
	amp_rsc_error_format(&err, text, sizeof(text));
	print_message("%s\n", text);
	assert_int_equal(ret, code);
	assert_int_equal(err.code, code);
	assert_string_equal(amp_rsc_reason_name(err.reason), amp_rsc_reason_name(reason));
	assert_int_equal(err.index, index);
	if (field)
		assert_string_equal(err.field, field);
	if (msg)
		assert_string_equal(text, msg);
	/* The same error through the iterator API. */
	{
		struct amp_rsc_iter it;
		struct amp_rsc_entry e;
		struct amp_rsc_error err2;

		ret = amp_rsc_iter_init(&it, table, len, &err2);
		while (ret == 0 && (ret = amp_rsc_iter_next(&it, &e, &err2)) == 1)
			ret = 0;
		assert_int_equal(ret, code);
		assert_int_equal(err2.reason, reason);
	}
}

/* --- 1. header size --- */
static void hdr_truncated(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	expect_fail(t.b, 15, AMP_ENOEXEC, AMP_RSC_ERR_HDR_TRUNCATED, -1, "size",
		    "table header at offset 0x0: size = 15: table is smaller than its 16-byte "
		    "header");
	expect_fail(t.b, 0, AMP_ENOEXEC, AMP_RSC_ERR_HDR_TRUNCATED, -1, "size", NULL);
}

/* --- 2. ver == 1 --- */
static void bad_version(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	put32(&t, 0, 2);
	expect_fail(t.b, t.len, AMP_ENOTSUP, AMP_RSC_ERR_BAD_VERSION, -1, "ver",
		    "table header at offset 0x0: ver = 2: unsupported table version (supported "
		    "1)");
	put32(&t, 0, 0);
	expect_fail(t.b, t.len, AMP_ENOTSUP, AMP_RSC_ERR_BAD_VERSION, -1, "ver", NULL);
}

/* --- 3. reserved header words --- */
static void hdr_reserved(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	put32(&t, 8, 5);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_HDR_RESERVED, -1, "reserved[0]", NULL);
	tb_st(&t);
	put32(&t, 12, 0x80000000u);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_HDR_RESERVED, -1, "reserved[1]",
		    "table header at offset 0xc: reserved[1] = 0x80000000: reserved header word "
		    "is not zero");
}

/* --- 4. offset array fits, overflow-safe --- */
static void offsets_truncated(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	/* 140 bytes: room for (140 - 16) / 4 = 31 offsets. */
	put32(&t, 4, 32);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_OFFSETS_TRUNCATED, -1, "num",
		    "table header at offset 0x4: num = 32: offset array does not fit in the "
		    "table (max entries 31)");
	/* 16 + 4 * num wraps to 12 in 32 bits: must still be caught. */
	put32(&t, 4, 0xFFFFFFFFu);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_OFFSETS_TRUNCATED, -1, "num", NULL);
	put32(&t, 4, 0x40000000u);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_OFFSETS_TRUNCATED, -1, "num", NULL);
	/* An empty table is fine. */
	tb_start(&t, 0);
	assert_int_equal(amp_rsc_parse(t.b, t.len, NULL, NULL, NULL, NULL), 0);
}

/* --- 5. entry offset past the header (stricter than Linux) --- */
static void entry_in_header(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	put32(&t, 16 + 4, 20); /* entry 1 -> inside the offset array (ends at 24) */
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_ENTRY_IN_HEADER, 1, "offset",
		    "entry 1 (type not read) at offset 0x14: offset = 20: entry offset points into "
		    "the table "
		    "header or offset array (first entry byte 24)");
	put32(&t, 16 + 4, 0);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_ENTRY_IN_HEADER, 1, "offset", NULL);
}

/* --- 6. each entry header fits --- */
static void entry_truncated(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	put32(&t, 16, (uint32_t)t.len - 3);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_ENTRY_TRUNCATED, 0, "offset",
		    "entry 0 (type not read) at offset 0x10: offset = 137: entry type word does "
		    "not fit in the "
		    "table (table size 140)");
	put32(&t, 16, 0xFFFFFFFEu); /* offset + 4 overflows 32 bits */
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_ENTRY_TRUNCATED, 0, "offset", NULL);
	put32(&t, 16, (uint32_t)t.len);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_ENTRY_TRUNCATED, 0, "offset", NULL);
}

/* --- 7. carveout / devmem / trace body fits its avail --- */
static void body_truncated(void **state)
{
	struct amp_fw_rsc_carveout co =
	    AMP_RSC_CARVEOUT_INIT(0x10000000u, 0x10000000u, 0x40000u, 0, "mcuram2");
	struct amp_fw_rsc_trace tr = AMP_RSC_TRACE_INIT(0x10050000u, 0x1000u, "cm4_log");
	struct tb t;

	(void)state;
	tb_start(&t, 1);
	tb_add(&t, &co, sizeof(co));
	assert_int_equal(amp_rsc_parse(t.b, t.len, NULL, NULL, NULL, NULL), 0);
	expect_fail(t.b, t.len - 1, AMP_ENOEXEC, AMP_RSC_ERR_BODY_TRUNCATED, 0, "size",
		    "entry 0 (carveout, type 0) at offset 0x14: size = 56: entry does not fit in "
		    "the table (bytes available 55)");
	put32(&t, 20, AMP_RSC_DEVMEM);
	expect_fail(t.b, t.len - 1, AMP_ENOEXEC, AMP_RSC_ERR_BODY_TRUNCATED, 0, "size", NULL);

	tb_start(&t, 1);
	tb_add(&t, &tr, sizeof(tr));
	assert_int_equal(amp_rsc_parse(t.b, t.len, NULL, NULL, NULL, NULL), 0);
	expect_fail(t.b, t.len - 1, AMP_ENOEXEC, AMP_RSC_ERR_BODY_TRUNCATED, 0, "size",
		    "entry 0 (trace, type 2) at offset 0x14: size = 48: entry does not fit in the "
		    "table (bytes available 47)");
	/* Only the type word present. */
	expect_fail(t.b, 24, AMP_ENOEXEC, AMP_RSC_ERR_BODY_TRUNCATED, 0, "size", NULL);
}

/* --- 7b. reserved fields of carveout / devmem / trace --- */
static void entry_reserved(void **state)
{
	struct amp_fw_rsc_carveout co = AMP_RSC_CARVEOUT_INIT(0, 0, 0x1000u, 0, "c");
	struct tb t;

	(void)state;
	co.reserved = 1;
	tb_start(&t, 1);
	tb_add(&t, &co, sizeof(co));
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_RESERVED, 0, "reserved",
		    "entry 0 (carveout, type 0) at offset 0x28: reserved = 1: reserved field is "
		    "not zero");
	put32(&t, 20, AMP_RSC_DEVMEM);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_RESERVED, 0, "reserved", NULL);

	tb_st(&t);
	put32(&t, ST_TRACE + offsetof(struct amp_fw_rsc_trace, reserved), 7);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_RESERVED, 1, "reserved",
		    "entry 1 (trace, type 2) at offset 0x68: reserved = 7: reserved field is not "
		    "zero");
}

/* --- 8a. vdev fixed part fits --- */
static void vdev_truncated(void **state)
{
	struct tb t;

	(void)state;
	tb_start(&t, 1);
	tb_add(&t, &good_vdev, sizeof(good_vdev));
	expect_fail(t.b, 20 + 27, AMP_ENOEXEC, AMP_RSC_ERR_BODY_TRUNCATED, 0, "size",
		    "entry 0 (vdev, type 3) at offset 0x14: size = 28: entry does not fit in the "
		    "table (bytes available 27)");
}

/* --- 8b. vrings and config space fit, overflow-safe --- */
static void vrings_truncated(void **state)
{
	struct tb t;

	(void)state;
	tb_start(&t, 1);
	tb_add(&t, &good_vdev, sizeof(good_vdev));
	assert_int_equal(amp_rsc_parse(t.b, t.len, NULL, NULL, NULL, NULL), 0);
	expect_fail(t.b, t.len - 1, AMP_ENOEXEC, AMP_RSC_ERR_VRINGS_TRUNCATED, 0, "num_of_vrings",
		    "entry 0 (vdev, type 3) at offset 0x2d: num_of_vrings = 2: vdev vrings and "
		    "config space do not fit in the table (bytes available 67)");
	/* config_len one byte more than what is left */
	put32(&t, 20 + offsetof(struct amp_fw_rsc_vdev, config_len), 1);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_VRINGS_TRUNCATED, 0, "config_len", NULL);
	/* config_len that would wrap a 32-bit sum */
	put32(&t, 20 + offsetof(struct amp_fw_rsc_vdev, config_len), 0xFFFFFFFFu);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_VRINGS_TRUNCATED, 0, "config_len",
		    "entry 0 (vdev, type 3) at offset 0x28: config_len = 0xffffffff: vdev vrings "
		    "and config space do not fit in the table (bytes available 68)");
	/* with room for it, config space is accepted and located */
	put32(&t, 20 + offsetof(struct amp_fw_rsc_vdev, config_len), 8);
	{
		struct amp_rsc_entry e;

		assert_int_equal(amp_rsc_find(t.b, t.len + 8, AMP_RSC_KIND_VDEV, 0, &e, NULL), 0);
		assert_int_equal(e.u.vdev.config_len, 8);
		assert_int_equal(e.u.vdev.config_offset, 20 + 68);
	}
	/* 255 vrings: the product is computed without overflow and rejected as truncated */
	t.b[20 + offsetof(struct amp_fw_rsc_vdev, num_of_vrings)] = 255;
	expect_fail(t.b, t.len + 8, AMP_ENOEXEC, AMP_RSC_ERR_VRINGS_TRUNCATED, 0, "num_of_vrings",
		    NULL);
}

/* --- 8c. vdev reserved bytes --- */
static void vdev_reserved(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	t.b[ST_VDEV + offsetof(struct amp_fw_rsc_vdev, reserved) + 1] = 0x10;
	expect_fail(
	    t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_RESERVED, 0, "reserved[1]",
	    "entry 0 (vdev, type 3) at offset 0x33: reserved[1] = 16: reserved field is not "
	    "zero");
	tb_st(&t);
	t.b[ST_VDEV + offsetof(struct amp_fw_rsc_vdev, reserved)] = 1;
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_RESERVED, 0, "reserved[0]", NULL);
}

/* --- 8d. num_of_vrings <= 2 --- */
static void too_many_vrings(void **state)
{
	struct amp_fw_rsc_vdev_vring r3 = AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, 16, 16, 2);
	struct tb t;

	(void)state;
	tb_start(&t, 1);
	tb_add(&t, &good_vdev, sizeof(good_vdev));
	memcpy(t.b + t.len, &r3, sizeof(r3));
	t.len += sizeof(r3);
	t.b[20 + offsetof(struct amp_fw_rsc_vdev, num_of_vrings)] = 3;
	expect_fail(t.b, t.len, AMP_ENOTSUP, AMP_RSC_ERR_TOO_MANY_VRINGS, 0, "num_of_vrings",
		    "entry 0 (vdev, type 3) at offset 0x2d: num_of_vrings = 3: vdev has too many "
		    "vrings (max 2)");
}

/* --- 8e. each vring: num non-zero, power of two, <= 32768; align non-zero, power of 2 --- */
static void vring_num(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	put32(&t, ST_VRING(1) + offsetof(struct amp_fw_rsc_vdev_vring, num), 0);
	expect_fail(t.b, t.len, AMP_ERANGE, AMP_RSC_ERR_VRING_NUM_ZERO, 0, "vring[1].num",
		    "entry 0 (vdev, type 3) at offset 0x50: vring[1].num = 0: vring size is zero");
	put32(&t, ST_VRING(1) + offsetof(struct amp_fw_rsc_vdev_vring, num), 15);
	expect_fail(t.b, t.len, AMP_ERANGE, AMP_RSC_ERR_VRING_NUM_NOT_POW2, 0, "vring[1].num",
		    "entry 0 (vdev, type 3) at offset 0x50: vring[1].num = 15: vring size is not a "
		    "power of two");
	put32(&t, ST_VRING(1) + offsetof(struct amp_fw_rsc_vdev_vring, num), 65536);
	expect_fail(t.b, t.len, AMP_ERANGE, AMP_RSC_ERR_VRING_NUM_TOO_BIG, 0, "vring[1].num",
		    "entry 0 (vdev, type 3) at offset 0x50: vring[1].num = 0x10000: vring size is "
		    "larger than virtio allows (max 0x8000)");
	put32(&t, ST_VRING(1) + offsetof(struct amp_fw_rsc_vdev_vring, num), 32768);
	assert_int_equal(amp_rsc_parse(t.b, t.len, NULL, NULL, NULL, NULL), 0);
	tb_st(&t);
	put32(&t, ST_VRING(0) + offsetof(struct amp_fw_rsc_vdev_vring, num), 0x80000001u);
	expect_fail(t.b, t.len, AMP_ERANGE, AMP_RSC_ERR_VRING_NUM_NOT_POW2, 0, "vring[0].num",
		    NULL);
}

static void vring_align(void **state)
{
	struct tb t;

	(void)state;
	tb_st(&t);
	put32(&t, ST_VRING(0) + offsetof(struct amp_fw_rsc_vdev_vring, align), 0);
	expect_fail(t.b, t.len, AMP_ERANGE, AMP_RSC_ERR_VRING_ALIGN_ZERO, 0, "vring[0].align",
		    "entry 0 (vdev, type 3) at offset 0x38: vring[0].align = 0: vring alignment is "
		    "zero");
	put32(&t, ST_VRING(0) + offsetof(struct amp_fw_rsc_vdev_vring, align), 24);
	expect_fail(t.b, t.len, AMP_ERANGE, AMP_RSC_ERR_VRING_ALIGN_NOT_POW2, 0, "vring[0].align",
		    NULL);
	put32(&t, ST_VRING(0) + offsetof(struct amp_fw_rsc_vdev_vring, align), 4096);
	assert_int_equal(amp_rsc_parse(t.b, t.len, NULL, NULL, NULL, NULL), 0);
}

/*
 * --- several faults at once: the first one in Linux's order is reported (find_table, then
 * rproc_handle_resources entry by entry, then the vdev handler's own order) ---
 */
static void checks_in_linux_order(void **state)
{
	struct tb t;
	uint8_t *vd;

	(void)state;
	tb_st(&t);
	put32(&t, 0, 2);    /* ver */
	put32(&t, 8, 1);    /* reserved[0] */
	put32(&t, 4, 1000); /* num */
	expect_fail(t.b, t.len, AMP_ENOTSUP, AMP_RSC_ERR_BAD_VERSION, -1, "ver", NULL);
	put32(&t, 0, 1);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_HDR_RESERVED, -1, "reserved[0]", NULL);
	put32(&t, 8, 0);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_OFFSETS_TRUNCATED, -1, "num", NULL);
	put32(&t, 4, 2);

	/* entry 0 (vdev): reserved, too many vrings, a bad vring; entry 1 (trace) truncated */
	vd = t.b + ST_VDEV;
	vd[offsetof(struct amp_fw_rsc_vdev, reserved)] = 1;
	vd[offsetof(struct amp_fw_rsc_vdev, num_of_vrings)] = 3;
	put32(&t, ST_VRING(0) + offsetof(struct amp_fw_rsc_vdev_vring, align), 0);
	put32(&t, 16 + 4, (uint32_t)t.len - 8);
	/* vrings (3 x 20) + config still fit in the 140 bytes: truncation is not the first fault */
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_RESERVED, 0, "reserved[0]", NULL);
	vd[offsetof(struct amp_fw_rsc_vdev, reserved)] = 0;
	expect_fail(t.b, t.len, AMP_ENOTSUP, AMP_RSC_ERR_TOO_MANY_VRINGS, 0, "num_of_vrings", NULL);
	vd[offsetof(struct amp_fw_rsc_vdev, num_of_vrings)] = 2;
	expect_fail(t.b, t.len, AMP_ERANGE, AMP_RSC_ERR_VRING_ALIGN_ZERO, 0, "vring[0].align",
		    NULL);
	put32(&t, ST_VRING(0) + offsetof(struct amp_fw_rsc_vdev_vring, align), 16);
	expect_fail(t.b, t.len, AMP_ENOEXEC, AMP_RSC_ERR_BODY_TRUNCATED, 1, "size", NULL);
}

/* --- the declared ST table decodes field by field --- */
static void st_table_decodes(void **state)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	struct amp_rsc_stats stats;
	struct amp_rsc_entry e;
	struct amp_rsc_iter it;
	struct amp_rsc_error err;

	(void)state;
	assert_int_equal(amp_rsc_parse(&st, sizeof(st), NULL, NULL, &stats, &err), 0);
	assert_int_equal(err.reason, AMP_RSC_ERR_NONE);
	assert_int_equal(stats.entries, 2);
	assert_int_equal(stats.vdevs, 1);
	assert_int_equal(stats.traces, 1);
	assert_int_equal(stats.carveouts + stats.devmems + stats.unknown_skipped, 0);

	assert_int_equal(amp_rsc_iter_init(&it, &st, sizeof(st), NULL), 0);
	assert_int_equal(amp_rsc_iter_next(&it, &e, NULL), 1);
	assert_int_equal(e.index, 0);
	assert_int_equal(e.offset, 24);
	assert_int_equal(e.kind, AMP_RSC_KIND_VDEV);
	assert_int_equal(e.u.vdev.id, 7);
	assert_int_equal(e.u.vdev.notifyid, 0);
	assert_int_equal(e.u.vdev.dfeatures, 1);
	assert_int_equal(e.u.vdev.gfeatures, 0);
	assert_int_equal(e.u.vdev.config_len, 0);
	assert_int_equal(e.u.vdev.status, 0);
	assert_int_equal(e.u.vdev.num_of_vrings, 2);
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(e.u.vdev.vring[i].offset, 52 + 20 * i);
		assert_int_equal(e.u.vdev.vring[i].da, AMP_FW_RSC_ADDR_ANY);
		assert_int_equal(e.u.vdev.vring[i].align, 16);
		assert_int_equal(e.u.vdev.vring[i].num, 16);
		assert_int_equal(e.u.vdev.vring[i].notifyid, i);
		assert_int_equal(e.u.vdev.vring[i].pa, 0);
	}
	assert_int_equal(e.u.vdev.config_offset, 92);
	assert_int_equal(amp_rsc_iter_next(&it, &e, NULL), 1);
	assert_int_equal(e.index, 1);
	assert_int_equal(e.offset, 92);
	assert_int_equal(e.kind, AMP_RSC_KIND_TRACE);
	assert_int_equal(e.u.trace.da, FIXTURE_TRACE_DA);
	assert_int_equal(e.u.trace.len, FIXTURE_TRACE_LEN);
	assert_string_equal(e.u.trace.name, "cm4_log");
	assert_int_equal(amp_rsc_iter_next(&it, &e, NULL), 0);
	assert_int_equal(amp_rsc_iter_next(&it, &e, NULL), 0);
}

/* The parser reads bytes, so an odd address (an ELF section in a file buffer) is fine. */
static void unaligned_table(void **state)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	uint8_t buf[sizeof(st) + 1];
	struct amp_rsc_entry e;

	(void)state;
	memcpy(buf + 1, &st, sizeof(st));
	assert_int_equal(amp_rsc_find(buf + 1, sizeof(st), AMP_RSC_KIND_TRACE, 0, &e, NULL), 0);
	assert_string_equal(e.u.trace.name, "cm4_log");
}

/* A 32-byte name with no NUL is decoded terminated. */
static void name_unterminated(void **state)
{
	struct amp_fw_rsc_carveout co = AMP_RSC_CARVEOUT_INIT(1, 2, 3, 4, "");
	struct amp_rsc_entry e;
	struct tb t;

	(void)state;
	memset(co.name, 'x', sizeof(co.name));
	tb_start(&t, 1);
	tb_add(&t, &co, sizeof(co));
	assert_int_equal(amp_rsc_find(t.b, t.len, AMP_RSC_KIND_CARVEOUT, 0, &e, NULL), 0);
	assert_int_equal(strlen(e.u.carveout.name), 32);
	assert_int_equal(e.u.carveout.da, 1);
	assert_int_equal(e.u.carveout.pa, 2);
	assert_int_equal(e.u.carveout.len, 3);
	assert_int_equal(e.u.carveout.flags, 4);
}

/* --- vendor range and unknown types --- */
struct vendor_ctx {
	int answer;
	uint32_t calls;
	uint32_t last_type;
	uint32_t last_avail;
	uint32_t last_word;
	uint32_t entries;
};

static int vendor_cb(void *ctx, const struct amp_rsc_entry *e, const uint8_t *body, uint32_t avail)
{
	struct vendor_ctx *c = ctx;

	c->calls++;
	c->last_type = e->type;
	c->last_avail = avail;
	c->last_word = avail >= 4 ? get32(body) : 0;
	return c->answer;
}

static int entry_cb(void *ctx, const struct amp_rsc_entry *e)
{
	struct vendor_ctx *c = ctx;

	(void)e;
	c->entries++;
	return c->answer < 0 && c->answer != AMP_EPROTO ? c->answer : 0;
}

static void vendor_and_unknown(void **state)
{
	struct amp_fw_rsc_vendor v1 = {.type = 128, .len = 0x1234};
	struct amp_fw_rsc_vendor v2 = {.type = 512, .len = 0x5678};
	uint32_t unknown[3] = {4, 127, 513};
	struct amp_rsc_visitor vis = {.entry = entry_cb, .vendor = vendor_cb};
	struct vendor_ctx ctx = {0};
	struct amp_rsc_stats st;
	struct amp_rsc_error err;
	struct tb t;

	(void)state;
	tb_start(&t, 6);
	tb_add(&t, &good_vdev, sizeof(good_vdev));
	tb_add(&t, &v1, sizeof(v1));
	for (int i = 0; i < 3; i++)
		tb_add(&t, &unknown[i], 4);
	tb_add(&t, &v2, sizeof(v2));

	/* no vendor callback: vendor entries are ignored and counted */
	assert_int_equal(amp_rsc_parse(t.b, t.len, NULL, NULL, &st, NULL), 0);
	assert_int_equal(st.entries, 6);
	assert_int_equal(st.vendor_ignored, 2);
	assert_int_equal(st.vendor_handled, 0);
	assert_int_equal(st.unknown_skipped, 3);

	/* handled */
	ctx.answer = 0;
	assert_int_equal(amp_rsc_parse(t.b, t.len, &vis, &ctx, &st, NULL), 0);
	assert_int_equal(ctx.calls, 2);
	assert_int_equal(ctx.entries, 1);
	assert_int_equal(ctx.last_type, 512);
	assert_int_equal(ctx.last_word, 0x5678);
	assert_int_equal(ctx.last_avail, 4);
	assert_int_equal(st.vendor_handled, 2);
	assert_int_equal(st.unknown_skipped, 3);

	/* ignored by the callback */
	memset(&ctx, 0, sizeof(ctx));
	ctx.answer = AMP_RSC_IGNORED;
	assert_int_equal(amp_rsc_parse(t.b, t.len, &vis, &ctx, &st, NULL), 0);
	assert_int_equal(st.vendor_ignored, 2);

	/* rejected: the callback's code comes back, with the entry named */
	memset(&ctx, 0, sizeof(ctx));
	ctx.answer = AMP_EPROTO;
	assert_int_equal(amp_rsc_parse(t.b, t.len, &vis, &ctx, &st, &err), AMP_EPROTO);
	assert_int_equal(err.reason, AMP_RSC_ERR_VENDOR_REJECTED);
	assert_int_equal(err.code, AMP_EPROTO);
	assert_int_equal(err.index, 1);
	assert_int_equal(err.type, 128);
	assert_int_equal(ctx.calls, 1);
	assert_int_equal(st.entries, 2);
}

static void visitor_failure(void **state)
{
	struct amp_rsc_visitor vis = {.entry = entry_cb};
	struct vendor_ctx ctx = {.answer = AMP_ENOMEM};
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	struct amp_rsc_error err;
	char text[200];

	(void)state;
	assert_int_equal(amp_rsc_parse(&st, sizeof(st), &vis, &ctx, NULL, &err), AMP_ENOMEM);
	assert_int_equal(err.reason, AMP_RSC_ERR_VISITOR_FAILED);
	assert_int_equal(err.code, AMP_ENOMEM);
	assert_int_equal(err.index, 0);
	assert_int_equal(ctx.entries, 1);
	amp_rsc_error_format(&err, text, sizeof(text));
	assert_string_equal(text, "entry 0 (vdev, type 3) at offset 0x18: entry handler failed");
}

static void find_and_write_back(void **state)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	struct amp_rsc_entry e, again;
	struct amp_rsc_error err;
	uint32_t off;

	(void)state;
	assert_int_equal(amp_rsc_find(&st, sizeof(st), AMP_RSC_KIND_CARVEOUT, 0, &e, &err),
			 AMP_ENOENT);
	assert_int_equal(err.reason, AMP_RSC_ERR_ENTRY_NOT_FOUND);
	assert_int_equal(amp_rsc_find(&st, sizeof(st), AMP_RSC_KIND_VDEV, 1, &e, &err), AMP_ENOENT);
	assert_int_equal(amp_rsc_find(&st, sizeof(st), AMP_RSC_KIND_VDEV, 0, &e, &err), 0);

	/* what the lifecycle will do: place the vrings, accept features, set DRIVER_OK */
	off = e.u.vdev.vring[1].offset + AMP_RSC_VRING_DA_OFF;
	assert_int_equal(amp_rsc_put_u32(&st, sizeof(st), off, 0x10041000u), 0);
	assert_int_equal(amp_rsc_put_u32(&st, sizeof(st), e.offset + AMP_RSC_VDEV_GFEATURES_OFF, 1),
			 0);
	assert_int_equal(amp_rsc_put_u8(&st, sizeof(st), e.offset + AMP_RSC_VDEV_STATUS_OFF,
					AMP_VIRTIO_STATUS_DRIVER_OK),
			 0);
	assert_int_equal(st.vring[1].da, 0x10041000u);
	assert_int_equal(st.vdev.gfeatures, 1);
	assert_int_equal(st.vdev.status, AMP_VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(amp_rsc_find(&st, sizeof(st), AMP_RSC_KIND_VDEV, 0, &again, NULL), 0);
	assert_int_equal(again.u.vdev.vring[1].da, 0x10041000u);
	assert_int_equal(again.u.vdev.status, AMP_VIRTIO_STATUS_DRIVER_OK);

	/* bounds */
	assert_int_equal(amp_rsc_put_u32(&st, sizeof(st), sizeof(st) - 3, 0), AMP_EFAULT);
	assert_int_equal(amp_rsc_put_u32(&st, sizeof(st), 0xFFFFFFFEu, 0), AMP_EFAULT);
	assert_int_equal(amp_rsc_put_u8(&st, sizeof(st), sizeof(st), 0), AMP_EFAULT);
	assert_int_equal(amp_rsc_put_u32(NULL, 4, 0, 0), AMP_EINVAL);
}

static void bad_args(void **state)
{
	struct amp_rsc_table_rpmsg_trace st = FIXTURE_TABLE_INIT;
	struct amp_rsc_iter it;
	struct amp_rsc_entry e;
	struct amp_rsc_error err;

	(void)state;
	assert_int_equal(amp_rsc_parse(NULL, 16, NULL, NULL, NULL, &err), AMP_EINVAL);
	assert_int_equal(err.reason, AMP_RSC_ERR_BAD_ARG);
	assert_int_equal(amp_rsc_iter_init(NULL, &st, sizeof(st), NULL), AMP_EINVAL);
	assert_int_equal(amp_rsc_iter_init(&it, &st, sizeof(st), NULL), 0);
	assert_int_equal(amp_rsc_iter_next(&it, NULL, NULL), AMP_EINVAL);
	assert_int_equal(amp_rsc_find(&st, sizeof(st), AMP_RSC_KIND_VDEV, 0, NULL, NULL),
			 AMP_EINVAL);
	(void)e;
}

static void names_and_format(void **state)
{
	char small[8];

	(void)state;
	assert_string_equal(amp_rsc_type_name(0), "carveout");
	assert_string_equal(amp_rsc_type_name(1), "devmem");
	assert_string_equal(amp_rsc_type_name(2), "trace");
	assert_string_equal(amp_rsc_type_name(3), "vdev");
	assert_string_equal(amp_rsc_type_name(4), "unknown");
	assert_string_equal(amp_rsc_type_name(128), "vendor");
	assert_string_equal(amp_rsc_type_name(512), "vendor");
	assert_string_equal(amp_rsc_type_name(513), "unknown");
	/* every reason has a distinct name and a text; codes match the table */
	for (int i = 0; i < AMP_RSC_ERR_COUNT_; i++) {
		assert_non_null(amp_rsc_reason_text((enum amp_rsc_reason)i));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(amp_rsc_reason_name((enum amp_rsc_reason)i),
						amp_rsc_reason_name((enum amp_rsc_reason)j));
	}
	assert_int_equal(amp_rsc_reason_code(AMP_RSC_ERR_NONE), 0);
	assert_string_equal(amp_rsc_reason_name(AMP_RSC_ERR_COUNT_), "AMP_RSC_ERR_?");
	/* truncation keeps the terminator */
	{
		struct amp_rsc_error err;

		amp_rsc_parse("short", 5, NULL, NULL, NULL, &err);
		assert_int_equal(amp_rsc_error_format(&err, small, sizeof(small)), 7);
		assert_string_equal(small, "table h");
		assert_int_equal(amp_rsc_error_format(&err, small, 0), 0);
		amp_rsc_error_format(NULL, small, sizeof(small));
		assert_string_equal(small, "no erro");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hdr_truncated),
	    cmocka_unit_test(bad_version),
	    cmocka_unit_test(hdr_reserved),
	    cmocka_unit_test(offsets_truncated),
	    cmocka_unit_test(entry_in_header),
	    cmocka_unit_test(entry_truncated),
	    cmocka_unit_test(body_truncated),
	    cmocka_unit_test(entry_reserved),
	    cmocka_unit_test(vdev_truncated),
	    cmocka_unit_test(vrings_truncated),
	    cmocka_unit_test(vdev_reserved),
	    cmocka_unit_test(too_many_vrings),
	    cmocka_unit_test(vring_num),
	    cmocka_unit_test(vring_align),
	    cmocka_unit_test(checks_in_linux_order),
	    cmocka_unit_test(st_table_decodes),
	    cmocka_unit_test(unaligned_table),
	    cmocka_unit_test(name_unterminated),
	    cmocka_unit_test(vendor_and_unknown),
	    cmocka_unit_test(visitor_failure),
	    cmocka_unit_test(find_and_write_back),
	    cmocka_unit_test(bad_args),
	    cmocka_unit_test(names_and_format),
	};

	return cmocka_run_group_tests_name("rproc/rsc_parse", tests, NULL, NULL);
}
