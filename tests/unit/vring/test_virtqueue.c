/* The virtqueue alone: a driver and a device over one ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <cmocka.h>

#include <amp/error.h>
#include <amp/virtqueue.h>

#define RING_DA 0x1000u
#define BUF_DA 0x8000u

static uint8_t *mem;

static void *da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	(void)ctx;
	if (da < RING_DA || da + len > 0x10000u)
		return NULL;
	return mem + da;
}

static void notify(void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id;
}

static const struct amp_port_ops ops = {.notify = notify, .da_to_va = da_to_va};
static const struct amp_port port = {.ops = &ops};

/* A driver (@p dc, ids in @p bm) and a device (@p vc) over the same @p len bytes of ring. */
static void pair_init(struct amp_vq *drv, const struct amp_vq_cfg *dc, uint32_t *bm,
		      struct amp_vq *dev, const struct amp_vq_cfg *vc, void *ring, size_t len)
{
	assert_int_equal(amp_vq_driver_init(drv, dc, ring, len, bm), 0);
	assert_int_equal(amp_vq_device_init(dev, vc, ring, len), 0);
}

static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(4096, 0x10000);
	memset(mem, 0x5A, 0x10000);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static void init_rejects_bad_params(void **state)
{
	struct amp_vq vq;
	uint32_t bm[AMP_VQ_BITMAP_WORDS(32768)];
	struct amp_vq_cfg c = {.num = 16, .align = 16};
	(void)state;

	assert_int_equal(amp_vq_driver_init(&vq, &c, mem + RING_DA, 438, bm), 0);
	assert_int_equal(amp_vq_driver_init(&vq, &c, mem + RING_DA, 437, bm), AMP_EINVAL);
	assert_int_equal(amp_vq_driver_init(&vq, &c, mem + RING_DA + 2, 4096, bm), AMP_EINVAL);
	assert_int_equal(amp_vq_driver_init(&vq, &c, mem + RING_DA, 438, NULL), AMP_EINVAL);
	c.num = 0;
	assert_int_equal(amp_vq_device_init(&vq, &c, mem + RING_DA, 4096), AMP_EINVAL);
	c.num = 24;
	assert_int_equal(amp_vq_device_init(&vq, &c, mem + RING_DA, 4096), AMP_EINVAL);
	c.num = 65536;
	assert_int_equal(amp_vq_device_init(&vq, &c, mem + RING_DA, 0x10000), AMP_EINVAL);
	c.num = 16;
	c.align = 2;
	assert_int_equal(amp_vq_device_init(&vq, &c, mem + RING_DA, 4096), AMP_EINVAL);
	c.align = 48;
	assert_int_equal(amp_vq_device_init(&vq, &c, mem + RING_DA, 4096), AMP_EINVAL);
	c.align = 4096;
	c.num = 1;
	assert_int_equal(amp_vq_device_init(&vq, &c, mem + RING_DA, 4096 + 14), 0);
}

static void round_trip_and_wrap(void **state)
{
	struct amp_vq drv, dev;
	uint32_t bm[1];
	struct amp_vq_cfg dc = {.num = 8, .align = 16, .max_len = 64};
	struct amp_vq_cfg vc = {.num = 8, .align = 16, .min_len = 16, .dev_writes = true};
	uint16_t id;
	uint32_t len;
	void *va;
	(void)state;

	pair_init(&drv, &dc, bm, &dev, &vc, mem + RING_DA, 4096);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 0);
	assert_int_equal(amp_vq_get_used(&drv, &id, &len), 0);
	/* Adding an id twice is the caller's bug, not a ring state. */
	assert_int_equal(amp_vq_add(&drv, 3, BUF_DA + 64u * 3, 64, true), 0);
	assert_int_equal(amp_vq_add(&drv, 3, BUF_DA + 64u * 3, 64, true), AMP_EINVAL);
	assert_int_equal(amp_vq_add(&drv, 8, BUF_DA, 64, true), AMP_EINVAL);
	assert_true(amp_vq_in_flight(&drv, 3));

	for (uint32_t i = 0; i < 70000; i++) {
		assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
		assert_int_equal(id, (i % 2) ? 5 : 3);
		assert_int_equal(len, 64);
		assert_ptr_equal(va, mem + BUF_DA + 64u * id);
		assert_int_equal(amp_vq_put_used(&dev, id, 20), 0);
		assert_int_equal(amp_vq_get_used(&drv, &id, &len), 1);
		assert_int_equal(len, 20);
		assert_false(amp_vq_in_flight(&drv, id));
		uint16_t next = (i % 2) ? 3 : 5;
		assert_int_equal(amp_vq_add(&drv, next, BUF_DA + 64u * next, 64, true), 0);
	}
	assert_int_equal(drv.shadow_idx, (uint16_t)70001);
	assert_int_equal(dev.shadow_idx, (uint16_t)70000);
	assert_false(amp_vq_broken(&drv));
	assert_false(amp_vq_broken(&dev));
}

/*
 * A descriptor is written only when it changes: re-posting a buffer as it was leaves its line
 * clean in the device's cache, one cache-line transfer less per message (issue 17). Whatever
 * the device wrote there is overwritten before the buffer is exposed again.
 */
static void descriptors_written_only_when_they_change(void **state)
{
	struct amp_vq drv, dev;
	uint32_t bm[AMP_VQ_BITMAP_WORDS(256)];
	/* 256 entries: the descriptor table is exactly the page at RING_DA. */
	struct amp_vq_cfg dc = {.num = 256, .align = 4096};
	struct amp_vq_cfg vc = {.num = 256, .align = 4096};
	struct amp_vring_desc *d = (struct amp_vring_desc *)(void *)(mem + RING_DA);
	uint16_t id;
	uint32_t len;
	void *va;
	(void)state;

	pair_init(&drv, &dc, bm, &dev, &vc, mem + RING_DA, 0x4000);
	for (int round = 0; round < 3; round++) {
		/* Round 1: the table is read-only; writing the same values would fault. */
		assert_int_equal(mprotect(d, 4096, round == 1 ? PROT_READ : PROT_READ | PROT_WRITE),
				 0);
		assert_int_equal(amp_vq_add(&drv, 7, BUF_DA, 48, false), 0);
		assert_int_equal(mprotect(d, 4096, PROT_READ | PROT_WRITE), 0);
		assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
		assert_int_equal(id, 7);
		assert_int_equal(len, 48);
		assert_ptr_equal(va, mem + BUF_DA);
		assert_int_equal(amp_vq_put_used(&dev, id, 0), 0);
		assert_int_equal(amp_vq_get_used(&drv, &id, &len), 1);
		if (round == 1) { /* a hostile device rewrites it: the next add puts it right */
			d[7].len = 4096;
			d[7].flags = AMP_VRING_DESC_F_NEXT;
		}
	}
	assert_int_equal(amp_vq_add(&drv, 7, BUF_DA + 64, 48, false), 0);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_ptr_equal(va, mem + BUF_DA + 64);
	assert_int_equal(len, 48);
	assert_false(amp_vq_broken(&dev));
}

static void suppression_flags(void **state)
{
	struct amp_vq drv, dev;
	uint32_t bm[1];
	struct amp_vq_cfg dc = {.num = 4, .align = 16};
	struct amp_vq_cfg vc = {.num = 4, .align = 16, .min_len = 1, .dev_writes = false};
	uint16_t id;
	uint32_t len;
	void *va;
	(void)state;

	pair_init(&drv, &dc, bm, &dev, &vc, mem + RING_DA, 4096);
	assert_int_equal(amp_vq_add(&drv, 0, BUF_DA, 16, false), 0);
	assert_true(amp_vq_need_notify(&drv));
	/* Device: "don't kick me", but reports the buffer already there. */
	assert_true(amp_vq_set_notify(&dev, false));
	assert_int_equal(amp_vq_add(&drv, 1, BUF_DA, 16, false), 0);
	assert_false(amp_vq_need_notify(&drv));
	assert_int_equal(drv.stats.kicks, 1);
	assert_int_equal(drv.stats.kicks_suppressed, 1);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_false(amp_vq_set_notify(&dev, true));
	/* Driver: "don't interrupt me". */
	assert_false(amp_vq_set_notify(&drv, false));
	assert_int_equal(amp_vq_put_used(&dev, 0, 0), 0);
	assert_false(amp_vq_need_notify(&dev));
	assert_true(amp_vq_set_notify(&drv, true)); /* a used entry is pending */
	assert_int_equal(amp_vq_put_used(&dev, 1, 0), 0);
	assert_true(amp_vq_need_notify(&dev));
	/* unget puts the last avail entry back. */
	assert_int_equal(amp_vq_add(&drv, 2, BUF_DA, 16, false), 0);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	amp_vq_unget_avail(&dev);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_int_equal(id, 2);
}

/* The largest queue the spec allows, with a page-sized align: layout, full ring, index wrap. */
static void max_num_and_align(void **state)
{
	enum { NUM = 32768, ALIGN = 4096 };
	static uint32_t bm[AMP_VQ_BITMAP_WORDS(NUM)];
	struct amp_vq drv, dev;
	struct amp_vq_cfg dc = {.num = NUM, .align = ALIGN, .max_len = 64};
	struct amp_vq_cfg vc = {.num = NUM, .align = ALIGN, .min_len = 16, .dev_writes = true};
	size_t size = amp_vring_size(NUM, ALIGN);
	uint8_t *ring = aligned_alloc(4096, (size + 4095) & ~(size_t)4095);
	uint16_t id;
	uint32_t len;
	void *va;
	(void)state;

	assert_non_null(ring);
	/* avail at 16 * num; used at the next multiple of align after avail's used_event. */
	assert_int_equal(amp_vring_used_off(NUM, ALIGN), 593920);
	assert_int_equal(size, 593920 + 6 + 8 * NUM);
	pair_init(&drv, &dc, bm, &dev, &vc, ring, size);
	for (uint32_t round = 0; round < 3; round++) {
		for (uint32_t i = 0; i < NUM; i++)
			assert_int_equal(amp_vq_add(&drv, (uint16_t)i, BUF_DA, 64, true), 0);
		assert_int_equal(amp_vq_add(&drv, 0, BUF_DA, 64, true), AMP_EINVAL); /* all out */
		for (uint32_t i = 0; i < NUM; i++) {
			assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
			assert_int_equal(id, i);
			assert_int_equal(amp_vq_put_used(&dev, id, 16), 0);
		}
		assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 0);
		/* The indices sit where the legacy layout puts them. */
		uint16_t idx = (uint16_t)((round + 1) * NUM);
		assert_int_equal(*(uint16_t *)(void *)(ring + 16u * NUM + 2), idx);
		assert_int_equal(*(uint16_t *)(void *)(ring + 593920 + 2), idx);
		for (uint32_t i = 0; i < NUM; i++) {
			assert_int_equal(amp_vq_get_used(&drv, &id, &len), 1);
			assert_int_equal(id, i);
		}
		assert_int_equal(amp_vq_get_used(&drv, &id, &len), 0);
	}
	assert_false(amp_vq_broken(&drv));
	assert_false(amp_vq_broken(&dev));
	free(ring);
}

/* EVENT_IDX on one ring: re-arming after each entry, parking when off, unget re-arms. */
static void event_idx_words(void **state)
{
	struct amp_vq drv, dev;
	uint32_t bm[1];
	struct amp_vq_cfg dc = {.num = 4, .align = 16, .event_idx = true};
	struct amp_vq_cfg vc = {.num = 4, .align = 16, .min_len = 1, .event_idx = true};
	volatile uint16_t *avail_event, *used_event;
	uint16_t id;
	uint32_t len;
	void *va;
	(void)state;

	pair_init(&drv, &dc, bm, &dev, &vc, mem + RING_DA, 4096);
	used_event = (volatile uint16_t *)(void *)(mem + RING_DA + amp_vring_avail_off(4) + 4 + 8);
	avail_event =
	    (volatile uint16_t *)(void *)(mem + RING_DA + amp_vring_used_off(4, 16) + 4 + 32);
	/* avail_event 0: the first buffer notifies, the second (same batch) does not. */
	assert_int_equal(amp_vq_add(&drv, 0, BUF_DA, 16, false), 0);
	assert_true(amp_vq_need_notify(&drv));
	assert_int_equal(amp_vq_add(&drv, 1, BUF_DA, 16, false), 0);
	assert_false(amp_vq_need_notify(&drv));
	/* The device re-arms past each entry it takes; unget moves it back. */
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_int_equal(*avail_event, 1);
	amp_vq_unget_avail(&dev);
	assert_int_equal(*avail_event, 0);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_int_equal(*avail_event, 2);
	assert_int_equal(amp_vq_add(&drv, 2, BUF_DA, 16, false), 0);
	assert_true(amp_vq_need_notify(&drv)); /* index 2 crossed the event */
	/* Off: parked num + 1 behind; nothing the driver adds now crosses it. */
	assert_true(amp_vq_set_notify(&dev, false)); /* entry 2 is already pending */
	assert_int_equal(*avail_event, (uint16_t)(2 - 4 - 1));
	assert_int_equal(amp_vq_get_avail(&dev, &port, &id, &va, &len), 1);
	assert_int_equal(*avail_event, (uint16_t)(2 - 4 - 1)); /* no re-arm while off */
	assert_int_equal(amp_vq_put_used(&dev, 0, 0), 0);
	assert_int_equal(amp_vq_add(&drv, 3, BUF_DA, 16, false), 0);
	assert_false(amp_vq_need_notify(&drv));
	/* The driver's used_event works the same way for the device's interrupts. */
	assert_int_equal(*used_event, 0);
	assert_true(amp_vq_need_notify(&dev)); /* used idx 0 -> 1 crosses used_event 0 */
	assert_int_equal(amp_vq_get_used(&drv, &id, &len), 1);
	assert_int_equal(*used_event, 1);
	assert_false(amp_vq_set_notify(&drv, false));
	assert_int_equal(amp_vq_put_used(&dev, 1, 0), 0);
	assert_false(amp_vq_need_notify(&dev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(init_rejects_bad_params, setup, teardown),
	    cmocka_unit_test_setup_teardown(round_trip_and_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(descriptors_written_only_when_they_change, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(suppression_flags, setup, teardown),
	    cmocka_unit_test_setup_teardown(max_num_and_align, setup, teardown),
	    cmocka_unit_test_setup_teardown(event_idx_words, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
