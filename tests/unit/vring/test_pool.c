/* amp_rpmsg_pool_init(): the one derivation of the buffer pool, per direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

static struct amp_rpmsg_pool pool_of(uint32_t num0, uint32_t num1, uint32_t r2h, uint32_t h2r)
{
	struct amp_rpmsg_pool p;
	struct amp_rpmsg_pool_cfg c = {.num = {num0, num1}, .r2h_size = r2h, .h2r_size = h2r};

	assert_int_equal(amp_rpmsg_pool_init(&p, &c), 0);
	return p;
}

/* Linux's rpmsg_probe: each direction from its own vring, 512-byte buffers, RX first. */
static void linux_defaults_per_direction(void **state)
{
	struct amp_rpmsg_pool p = pool_of(8, 32, 0, 0);
	(void)state;

	assert_int_equal(p.r2h.count, 8);
	assert_int_equal(p.h2r.count, 32);
	assert_int_equal(p.r2h.size, 512);
	assert_int_equal(p.h2r.size, 512);
	assert_int_equal(p.r2h.mtu, 496);
	assert_int_equal(p.h2r.mtu, 496);
	assert_int_equal(p.r2h.offset, 0);
	assert_int_equal(p.h2r.offset, 8 * 512);
	assert_int_equal(p.total, 40 * 512);

	p = pool_of(32, 8, 0, 0);
	assert_int_equal(p.r2h.count, 32);
	assert_int_equal(p.h2r.count, 8);
	assert_int_equal(p.h2r.offset, 32 * 512);
	assert_int_equal(p.total, 40 * 512);

	/* At most 256 per direction (Linux MAX_RPMSG_NUM_BUFS / 2). */
	p = pool_of(1024, 256, 0, 0);
	assert_int_equal(p.r2h.count, 256);
	assert_int_equal(p.h2r.count, 256);
	assert_int_equal(p.total, 512 * 512);
}

static void sizes_per_direction(void **state)
{
	struct amp_rpmsg_pool p = pool_of(8, 16, 1024, 256);
	(void)state;

	assert_int_equal(p.r2h.size, 1024);
	assert_int_equal(p.r2h.mtu, 1008);
	assert_int_equal(p.h2r.size, 256);
	assert_int_equal(p.h2r.mtu, 240);
	assert_int_equal(p.h2r.offset, 8 * 1024);
	assert_int_equal(p.total, 8 * 1024 + 16 * 256);

	p = pool_of(1, 1, AMP_RPMSG_BUF_SIZE_MIN, AMP_RPMSG_BUF_SIZE_MAX);
	assert_int_equal(p.r2h.mtu, 40);    /* a name-service message fits */
	assert_int_equal(p.h2r.mtu, 65532); /* hdr.len is 16 bits */
}

static void explicit_counts(void **state)
{
	struct amp_rpmsg_pool p;
	struct amp_rpmsg_pool_cfg c = {.num = {16, 16}, .r2h_count = 4, .h2r_count = 16};
	(void)state;

	assert_int_equal(amp_rpmsg_pool_init(&p, &c), 0);
	assert_int_equal(p.r2h.count, 4);
	assert_int_equal(p.h2r.offset, 4 * 512);
	assert_int_equal(p.total, 20 * 512);
}

static void rejects(void **state)
{
	struct amp_rpmsg_pool p = {.total = 77};
	struct amp_rpmsg_pool_cfg ok = {.num = {16, 16}}, c;
	(void)state;

	assert_int_equal(amp_rpmsg_pool_init(NULL, &ok), AMP_EINVAL);
	assert_int_equal(amp_rpmsg_pool_init(&p, NULL), AMP_EINVAL);
	c = ok, c.num[0] = 0;
	assert_int_equal(amp_rpmsg_pool_init(&p, &c), AMP_EINVAL);
	c = ok, c.num[1] = AMP_VRING_MAX_NUM + 1;
	assert_int_equal(amp_rpmsg_pool_init(&p, &c), AMP_EINVAL);
	c = ok, c.h2r_count = 17; /* more buffers than descriptors */
	assert_int_equal(amp_rpmsg_pool_init(&p, &c), AMP_EINVAL);
	c = ok, c.r2h_size = 510; /* not a multiple of 4 */
	assert_int_equal(amp_rpmsg_pool_init(&p, &c), AMP_EINVAL);
	c = ok, c.h2r_size = AMP_RPMSG_BUF_SIZE_MIN - 4;
	assert_int_equal(amp_rpmsg_pool_init(&p, &c), AMP_EINVAL);
	c = ok, c.r2h_size = AMP_RPMSG_BUF_SIZE_MAX + 4;
	assert_int_equal(amp_rpmsg_pool_init(&p, &c), AMP_EINVAL);
	/* 2 x 32768 x 65548 bytes: more than 32 bits. */
	c = (struct amp_rpmsg_pool_cfg){.num = {32768, 32768},
					.r2h_count = 32768,
					.h2r_count = 32768,
					.r2h_size = AMP_RPMSG_BUF_SIZE_MAX,
					.h2r_size = AMP_RPMSG_BUF_SIZE_MAX};
	assert_int_equal(amp_rpmsg_pool_init(&p, &c), AMP_ERANGE);
	assert_int_equal(p.total, 77); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(linux_defaults_per_direction),
	    cmocka_unit_test(sizes_per_direction),
	    cmocka_unit_test(explicit_counts),
	    cmocka_unit_test(rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
