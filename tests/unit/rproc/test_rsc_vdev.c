/*
 * ampsim's rpmsg config space (per-direction buffer sizes): decoding and each validation
 * rule with its reason, field and message; then the firmware's view of a loaded vdev
 * (<amp/rsc_vdev.h>): bind once, read what the host wrote afterwards.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <amp/rsc_declare.h>
#include <amp/rsc_parse.h>
#include <amp/rsc_vdev.h>

#define VDEV_OFF offsetof(struct amp_rsc_table_rpmsg_bufs_trace, vdev)
#define CFG_OFF offsetof(struct amp_rsc_table_rpmsg_bufs_trace, config)

static struct amp_rsc_table_rpmsg_bufs_trace table(uint32_t h2r, uint32_t r2h)
{
	struct amp_rsc_table_rpmsg_bufs_trace t =
	    AMP_RSC_TABLE_RPMSG_BUFS_TRACE_INIT(8, 16, 16, 0, 0, 0x10050000u, 0x1000u, "cm4_log");

	t.config.h2r_buf_size = h2r;
	t.config.r2h_buf_size = r2h;
	return t;
}

static struct amp_rsc_vdev_info vdev_of(const void *t, size_t len)
{
	struct amp_rsc_entry e;
	struct amp_rsc_error err;

	assert_int_equal(amp_rsc_find(t, len, AMP_RSC_KIND_VDEV, 0, &e, &err), 0);
	return e.u.vdev;
}

/* The check fails with @reason, @code, on @field at @offset; the message says so. */
static void expect_error(const void *t, size_t len, enum amp_rsc_reason reason, int code,
			 const char *field, uint64_t offset, const char *msg)
{
	struct amp_rsc_error err;
	char text[256];

	assert_int_equal(amp_rsc_parse(t, len, NULL, NULL, NULL, &err), code);
	assert_int_equal(err.reason, reason);
	assert_int_equal(err.index, 0);
	assert_string_equal(err.field, field);
	assert_int_equal(err.offset, offset);
	amp_rsc_error_format(&err, text, sizeof(text));
	assert_string_equal(text, msg);
}

static void declared_sizes_decoded(void **state)
{
	struct amp_rsc_table_rpmsg_bufs_trace t = table(256, 1024);
	struct amp_rsc_vdev_info v = vdev_of(&t, sizeof(t));

	(void)state;
	assert_int_equal(t.vdev.config_len, 16);
	assert_int_equal(v.config_offset, CFG_OFF);
	assert_true(v.has_buf_cfg);
	assert_int_equal(v.h2r_buf_size, 256);
	assert_int_equal(v.r2h_buf_size, 1024);
	/* 0 = Linux's 512, and both limits are accepted */
	t = table(0, AMP_RPMSG_BUF_SIZE_MAX);
	v = vdev_of(&t, sizeof(t));
	assert_int_equal(v.h2r_buf_size, 0);
	assert_int_equal(v.r2h_buf_size, AMP_RPMSG_BUF_SIZE_MAX);
	t = table(AMP_RPMSG_BUF_SIZE_MIN, 0);
	assert_int_equal(vdev_of(&t, sizeof(t)).h2r_buf_size, AMP_RPMSG_BUF_SIZE_MIN);
}

/* Another stack's config space, or another device's: ignored, as Linux ignores it. */
static void other_config_ignored(void **state)
{
	struct amp_rsc_table_rpmsg_bufs_trace t = table(256, 1024);
	struct amp_rsc_vdev_info v;

	(void)state;
	t.config.magic = 0x12345678u;
	t.config.version = 99;
	v = vdev_of(&t, sizeof(t));
	assert_false(v.has_buf_cfg);
	assert_int_equal(v.h2r_buf_size, 0);
	assert_int_equal(v.r2h_buf_size, 0);

	t = table(510, 3); /* invalid sizes, but not an rpmsg vdev: not ours to judge */
	t.vdev.id = 5;
	assert_false(vdev_of(&t, sizeof(t)).has_buf_cfg);

	t = table(510, 3); /* fewer than 4 bytes cannot hold the magic */
	t.vdev.config_len = 3;
	assert_false(vdev_of(&t, sizeof(t)).has_buf_cfg);
}

static void config_truncated(void **state)
{
	struct amp_rsc_table_rpmsg_bufs_trace t = table(256, 1024);

	(void)state;
	t.vdev.config_len = 12;
	expect_error(&t, sizeof(t), AMP_RSC_ERR_RPMSG_CFG_TRUNCATED, AMP_ENOEXEC, "config_len",
		     VDEV_OFF + offsetof(struct amp_fw_rsc_vdev, config_len),
		     "entry 0 (vdev, type 3) at offset 0x2c: config_len = 12: rpmsg config space "
		     "is shorter than ampsim's buffer-size layout (layout size 16)");
}

static void config_version(void **state)
{
	struct amp_rsc_table_rpmsg_bufs_trace t = table(256, 1024);

	(void)state;
	t.config.version = 2;
	expect_error(&t, sizeof(t), AMP_RSC_ERR_RPMSG_CFG_VERSION, AMP_ENOTSUP, "config.version",
		     CFG_OFF + 4,
		     "entry 0 (vdev, type 3) at offset 0x60: config.version = 2: unsupported "
		     "version of ampsim's rpmsg config layout (supported 1)");
}

static void buffer_size_each_direction(void **state)
{
	static const char text[] = "rpmsg buffer size is not 0 (default 512) or a multiple of 4 "
				   "in 56..65548";
	struct amp_rsc_table_rpmsg_bufs_trace t = table(510, 1024);
	char msg[256];

	(void)state;
	snprintf(msg, sizeof(msg),
		 "entry 0 (vdev, type 3) at offset 0x64: config.h2r_buf_size = 510: %s", text);
	expect_error(&t, sizeof(t), AMP_RSC_ERR_RPMSG_BUF_SIZE, AMP_ERANGE, "config.h2r_buf_size",
		     CFG_OFF + 8, msg);
	t = table(256, AMP_RPMSG_BUF_SIZE_MIN - 4);
	snprintf(msg, sizeof(msg),
		 "entry 0 (vdev, type 3) at offset 0x68: config.r2h_buf_size = 52: %s", text);
	expect_error(&t, sizeof(t), AMP_RSC_ERR_RPMSG_BUF_SIZE, AMP_ERANGE, "config.r2h_buf_size",
		     CFG_OFF + 12, msg);
	t = table(256, AMP_RPMSG_BUF_SIZE_MAX + 4);
	snprintf(msg, sizeof(msg),
		 "entry 0 (vdev, type 3) at offset 0x68: config.r2h_buf_size = 0x10010: %s", text);
	expect_error(&t, sizeof(t), AMP_RSC_ERR_RPMSG_BUF_SIZE, AMP_ERANGE, "config.r2h_buf_size",
		     CFG_OFF + 12, msg);
}

/* The firmware binds once; what the host writes later is read through the ref. */
static void bind_then_read_what_the_host_wrote(void **state)
{
	struct amp_rsc_table_rpmsg_bufs_trace live = table(256, 1024), scratch;
	struct amp_rsc_vdev_ref ref;
	struct amp_rpmsg_vdev_params p;
	struct amp_rsc_error err;

	(void)state;
	live.vdev.dfeatures = 1u | 1u << 29;
	assert_int_equal(amp_rsc_vdev_bind(&ref, &live, sizeof(live), &scratch, &err), 0);
	assert_memory_equal(&scratch, &live, sizeof(live));
	assert_int_equal(ref.vdev_off, VDEV_OFF);
	assert_int_equal(ref.r2h_buf_size, 1024);
	assert_int_equal(amp_rsc_vdev_status(&ref), 0);

	/* The host places the vrings, accepts NS only, then sets DRIVER_OK. */
	live.vring[0].da = 0x10040000u;
	live.vring[1].da = 0x10041000u;
	live.vring[0].notifyid = 0;
	live.vring[1].notifyid = 1;
	live.vdev.gfeatures = 1u;
	live.vdev.status = AMP_VIRTIO_STATUS_DRIVER_OK;
	assert_int_equal(amp_rsc_vdev_status(&ref), AMP_VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(amp_rsc_vdev_read(&ref, &p), 0);
	assert_int_equal(p.vring[0].da, 0x10040000u);
	assert_int_equal(p.vring[0].num, 8);
	assert_int_equal(p.vring[0].align, 16);
	assert_int_equal(p.vring[0].notify_id, 0);
	assert_int_equal(p.vring[1].da, 0x10041000u);
	assert_int_equal(p.vring[1].num, 16);
	assert_int_equal(p.vring[1].notify_id, 1);
	assert_int_equal(p.features, 1u); /* offered & accepted */
	assert_int_equal(p.r2h_buf_size, 1024);

	/* and amp_rsc_vdev_remote_cfg() wires both into the core's configuration */
	struct amp_rpmsg_remote_cfg cfg = {0};
	amp_rsc_vdev_remote_cfg(&ref, &cfg);
	assert_ptr_equal(cfg.vdev_ctx, &ref);
	assert_int_equal(cfg.get_status(cfg.vdev_ctx), AMP_VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(cfg.read_vdev(cfg.vdev_ctx, &p), 0);
}

static void bind_rejects(void **state)
{
	struct amp_rsc_table_rpmsg_bufs_trace t = table(0, 0), scratch;
	struct amp_rsc_vdev_ref ref;
	struct amp_rsc_error err;

	(void)state;
	assert_int_equal(amp_rsc_vdev_bind(NULL, &t, sizeof(t), &scratch, &err), AMP_EINVAL);
	assert_int_equal(amp_rsc_vdev_bind(&ref, &t, sizeof(t), NULL, &err), AMP_EINVAL);
	t.vdev.id = 5;
	assert_int_equal(amp_rsc_vdev_bind(&ref, &t, sizeof(t), &scratch, &err), AMP_ENOTSUP);
	assert_int_equal(err.reason, AMP_RSC_ERR_VDEV_NOT_RPMSG);
	assert_string_equal(err.field, "id");
	assert_int_equal(err.value, 5);
	t = table(0, 0);
	t.vdev.num_of_vrings = 1; /* then the old vring1 is config space: not a valid magic */
	t.vdev.config_len = 0;
	assert_int_equal(amp_rsc_vdev_bind(&ref, &t, sizeof(t), &scratch, &err), AMP_ENOTSUP);
	assert_string_equal(err.field, "num_of_vrings");
	/* no vdev at all: the trace entry only */
	t = table(0, 0);
	t.hdr.num = 1;
	t.offset[0] = offsetof(struct amp_rsc_table_rpmsg_bufs_trace, trace);
	assert_int_equal(amp_rsc_vdev_bind(&ref, &t, sizeof(t), &scratch, &err), AMP_ENOENT);
	/* an invalid table: the parser's error */
	t = table(3, 0);
	assert_int_equal(amp_rsc_vdev_bind(&ref, &t, sizeof(t), &scratch, &err), AMP_ERANGE);
	assert_int_equal(err.reason, AMP_RSC_ERR_RPMSG_BUF_SIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(declared_sizes_decoded),
	    cmocka_unit_test(other_config_ignored),
	    cmocka_unit_test(config_truncated),
	    cmocka_unit_test(config_version),
	    cmocka_unit_test(buffer_size_each_direction),
	    cmocka_unit_test(bind_then_read_what_the_host_wrote),
	    cmocka_unit_test(bind_rejects),
	};

	return cmocka_run_group_tests_name("rproc/rsc_vdev", tests, NULL, NULL);
}
