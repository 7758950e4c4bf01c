/* Wire formats: every struct's size and field offsets, the legacy vring layout, need_event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include <amp/vring_layout.h>

static void wire_structs(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct amp_vring_desc), 16);
	assert_int_equal(offsetof(struct amp_vring_desc, addr), 0);
	assert_int_equal(offsetof(struct amp_vring_desc, len), 8);
	assert_int_equal(offsetof(struct amp_vring_desc, flags), 12);
	assert_int_equal(offsetof(struct amp_vring_desc, next), 14);
	assert_int_equal(offsetof(struct amp_vring_avail, flags), 0);
	assert_int_equal(offsetof(struct amp_vring_avail, idx), 2);
	assert_int_equal(offsetof(struct amp_vring_avail, ring), 4);
	assert_int_equal(sizeof(struct amp_vring_used_elem), 8);
	assert_int_equal(offsetof(struct amp_vring_used_elem, id), 0);
	assert_int_equal(offsetof(struct amp_vring_used_elem, len), 4);
	assert_int_equal(offsetof(struct amp_vring_used, flags), 0);
	assert_int_equal(offsetof(struct amp_vring_used, idx), 2);
	assert_int_equal(offsetof(struct amp_vring_used, ring), 4);
	assert_int_equal(sizeof(struct amp_rpmsg_hdr), 16);
	assert_int_equal(offsetof(struct amp_rpmsg_hdr, src), 0);
	assert_int_equal(offsetof(struct amp_rpmsg_hdr, dst), 4);
	assert_int_equal(offsetof(struct amp_rpmsg_hdr, reserved), 8);
	assert_int_equal(offsetof(struct amp_rpmsg_hdr, len), 12);
	assert_int_equal(offsetof(struct amp_rpmsg_hdr, flags), 14);
	assert_int_equal(sizeof(struct amp_rpmsg_ns_msg), 40);
	assert_int_equal(offsetof(struct amp_rpmsg_ns_msg, name), 0);
	assert_int_equal(offsetof(struct amp_rpmsg_ns_msg, addr), 32);
	assert_int_equal(offsetof(struct amp_rpmsg_ns_msg, flags), 36);
}

static void constants(void **state)
{
	(void)state;
	assert_int_equal(AMP_RPMSG_NS_ADDR, 53);
	assert_int_equal(AMP_RPMSG_ADDR_ANY, 0xFFFFFFFFu);
	assert_int_equal(AMP_RPMSG_RESERVED_ADDRESSES, 1024);
	assert_int_equal(AMP_VIRTIO_STATUS_DRIVER_OK, 4);
	assert_int_equal(AMP_VIRTIO_ID_RPMSG, 7);
	assert_int_equal(AMP_VIRTIO_RING_F_EVENT_IDX, 29);
	assert_int_equal(AMP_VRING_DESC_F_WRITE, 2);
}

/* Values from REFERENCE.md §1.2 (Linux/OpenAMP vring_size). */
static void legacy_layout(void **state)
{
	static const struct {
		uint32_t num, align;
		size_t avail, used, size;
	} t[] = {
	    {16, 16, 0x100, 0x130, 438},
	    {32, 16, 0x200, 0x250, 854},
	    {16, 4096, 0x100, 0x1000, 4230},
	    {256, 4096, 0x1000, 0x2000, 10246},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(amp_vring_avail_off(t[i].num), t[i].avail);
		assert_int_equal(amp_vring_used_off(t[i].num, t[i].align), t[i].used);
		assert_int_equal(amp_vring_size(t[i].num, t[i].align), t[i].size);
	}
}

/* RPMsg-Lite's used-ring placement (no used_event word) against Linux's, every power of two. */
static void rpmsg_lite_used_ring(void **state)
{
	(void)state;
	for (uint32_t num = 1; num <= 32768; num *= 2) {
		for (uint32_t align = 1; align <= 4096; align *= 2) {
			bool differs = amp_vring_used_off_rpmsg_lite(num, align) !=
				       amp_vring_used_off(num, align);
			bool expect = (align == 8 && num == 2) || (align <= 4 && num >= 2) ||
				      (align <= 2 && num == 1);
			if (differs != expect)
				fail_msg("num %u align %u: differs %d", num, align, differs);
		}
	}
	assert_int_equal(amp_vring_used_off_rpmsg_lite(16, 4), 0x124);
	assert_int_equal(amp_vring_used_off(16, 4), 0x128);
}

static void need_event(void **state)
{
	(void)state;
	assert_true(amp_vring_need_event(0, 1, 0));
	assert_false(amp_vring_need_event(0, 2, 1));
	assert_true(amp_vring_need_event(5, 8, 4));
	assert_false(amp_vring_need_event(9, 8, 4));
	/* Across the 16-bit wrap. */
	assert_true(amp_vring_need_event(0xFFFF, 1, 0xFFFE));
	assert_false(amp_vring_need_event(2, 1, 0xFFFE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(wire_structs),  cmocka_unit_test(constants),
	    cmocka_unit_test(legacy_layout), cmocka_unit_test(rpmsg_lite_used_ring),
	    cmocka_unit_test(need_event),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
