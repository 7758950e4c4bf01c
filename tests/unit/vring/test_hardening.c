/*
 * Hardening: for every check on values read from shared memory, corrupt that field in the
 * ring or buffer and assert the exact error, the exact counter, and that the queue is broken
 * (and stays so). Run under valgrind / ASan, these also show no access leaves the block.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#include "harness.h"

struct env {
	struct fx *fx;
	struct amp_rpmsg_ept rept, hept;
	int rx_remote, rx_host;
};

static int count_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(*(int *)priv)++;
	return 0;
}

static void env_init(struct env *e, uint16_t rx_count)
{
	memset(e, 0, sizeof(*e));
	e->fx = fx_new(&(struct fx_opts){.no_ns = true, .rx_count = rx_count});
	assert_int_equal(amp_rpmsg_create_ept(&e->rept, &e->fx->remote, "", 100, 1024, count_cb,
					      NULL, &e->rx_remote),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&e->hept, &e->fx->host, "", 1024, 100, count_cb, NULL,
					      &e->rx_host),
			 0);
}

/* After the corruption: the receiving side reports it exactly once, then stays broken. */
static void expect_broken(struct amp_rpmsg_dev *dev, uint32_t notify_id, struct amp_vq *vq,
			  enum amp_vq_err kind, const int *rx_count)
{
	assert_int_equal(amp_rpmsg_notified(dev, notify_id), AMP_EPROTO);
	assert_true(amp_vq_broken(vq));
	assert_false(amp_rpmsg_ready(dev));
	for (int k = 0; k < AMP_VQ_ERR_COUNT; k++)
		assert_int_equal(vq->stats.err[k], k == (int)kind ? 1 : 0);
	assert_int_equal(*rx_count, 0);
	assert_int_equal(amp_rpmsg_notified(dev, notify_id), AMP_EBROKEN);
	assert_int_equal(vq->stats.err[kind], 1);
}

/* Host -> remote message pending in vring1 (desc 0, avail slot 0), not yet delivered. */
static struct env *h2r(struct env *e)
{
	uint32_t v = 0x11223344;

	env_init(e, 0);
	assert_int_equal(amp_rpmsg_trysend(&e->hept, &v, 4), 4);
	return e;
}

/* Remote -> host message pending in vring0 (used slot 0), not yet delivered. */
static struct env *r2h(struct env *e, uint16_t rx_count)
{
	uint32_t v = 0x55667788;

	env_init(e, rx_count);
	assert_int_equal(amp_rpmsg_trysend(&e->rept, &v, 4), 4);
	return e;
}

static void device_avail_idx_jump(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_avail(e.fx, 1)->idx = 1 + 16 + 1; /* more than num ahead */
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_AVAIL_IDX, &e.rx_remote);
	fx_free(e.fx);
}

static void device_desc_id_out_of_range(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_avail(e.fx, 1)->ring[0] = 16;
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_ID, &e.rx_remote);
	fx_free(e.fx);
}

static void device_desc_chained(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_desc(e.fx, 1)[0].flags = AMP_VRING_DESC_F_NEXT;
	fx_desc(e.fx, 1)[0].next = 0; /* a loop, if anyone followed it */
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_FLAGS, &e.rx_remote);
	fx_free(e.fx);
}

static void device_desc_wrong_direction(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_desc(e.fx, 1)[0].flags = AMP_VRING_DESC_F_WRITE;
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_FLAGS, &e.rx_remote);
	fx_free(e.fx);
}

static void device_desc_too_short(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_desc(e.fx, 1)[0].len = 15; /* cannot even hold the header */
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_LEN, &e.rx_remote);
	fx_free(e.fx);
}

static void device_desc_addr_outside(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_desc(e.fx, 1)[0].addr = 0x1000;
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_ADDR, &e.rx_remote);
	assert_int_equal(e.fx->rp.da_rejects, 1);
	fx_free(e.fx);
}

static void device_desc_range_crosses_end(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_desc(e.fx, 1)[0].addr = FX_BASE_DA + FX_MEM_SIZE - 16;
	fx_desc(e.fx, 1)[0].len = 20;
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_ADDR, &e.rx_remote);
	fx_free(e.fx);
}

static void device_desc_len_wraps_address(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_desc(e.fx, 1)[0].addr = 0xFFFFFFFFFFFFFFF0ull;
	fx_desc(e.fx, 1)[0].len = 0x20;
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_ADDR, &e.rx_remote);
	fx_free(e.fx);
}

static void remote_rx_msg_len(void **state)
{
	struct env e;
	struct amp_rpmsg_hdr *h;
	(void)state;
	h2r(&e);
	h = fx_va(e.fx, (uint32_t)fx_desc(e.fx, 1)[0].addr);
	h->len = 5; /* descriptor says 16 + 4 */
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_MSG_LEN, &e.rx_remote);
	fx_free(e.fx);
}

static void remote_tx_desc_not_writable(void **state)
{
	struct env e;
	(void)state;
	env_init(&e, 0);
	fx_desc(e.fx, 0)[0].flags = 0; /* host's RX buffer must be device-writable */
	assert_int_equal(amp_rpmsg_trysend(&e.rept, "x", 1), AMP_EPROTO);
	assert_int_equal(e.fx->remote.tvq.stats.err[AMP_VQ_ERR_DESC_FLAGS], 1);
	assert_int_equal(amp_rpmsg_trysend(&e.rept, "x", 1), AMP_EBROKEN);
	assert_null(amp_rpmsg_get_tx_buffer(&e.rept, NULL, 0));
	fx_free(e.fx);
}

static void driver_used_idx_jump(void **state)
{
	struct env e;
	(void)state;
	r2h(&e, 0);
	fx_used(e.fx, 0)->idx = 17; /* only 16 buffers are with the remote */
	expect_broken(&e.fx->host, 0, &e.fx->host.rvq, AMP_VQ_ERR_USED_IDX, &e.rx_host);
	fx_free(e.fx);
}

static void driver_used_id_out_of_range(void **state)
{
	struct env e;
	(void)state;
	r2h(&e, 0);
	fx_used(e.fx, 0)->ring[0].id = 16;
	expect_broken(&e.fx->host, 0, &e.fx->host.rvq, AMP_VQ_ERR_USED_ID, &e.rx_host);
	/* why it broke, for the host's crash reason: id 16 >= num 16 */
	assert_int_equal(e.fx->host.rvq.fault.kind, AMP_VQ_ERR_USED_ID);
	assert_int_equal(e.fx->host.rvq.fault.value, 16);
	assert_int_equal(e.fx->host.rvq.fault.limit, 16);
	fx_free(e.fx);
}

static void driver_used_id_not_in_flight(void **state)
{
	struct env e;
	(void)state;
	r2h(&e, 8); /* ids 8..15 of vring0 are never posted */
	fx_used(e.fx, 0)->ring[0].id = 12;
	expect_broken(&e.fx->host, 0, &e.fx->host.rvq, AMP_VQ_ERR_USED_STALE, &e.rx_host);
	fx_free(e.fx);
}

static void driver_used_len_too_big(void **state)
{
	struct env e;
	(void)state;
	r2h(&e, 0);
	fx_used(e.fx, 0)->ring[0].len = 513;
	expect_broken(&e.fx->host, 0, &e.fx->host.rvq, AMP_VQ_ERR_USED_LEN, &e.rx_host);
	fx_free(e.fx);
}

static void host_rx_msg_len(void **state)
{
	struct env e;
	(void)state;
	r2h(&e, 0);
	fx_used(e.fx, 0)->ring[0].len = 19; /* hdr.len = 4 needs 20 */
	expect_broken(&e.fx->host, 0, &e.fx->host.rvq, AMP_VQ_ERR_MSG_LEN, &e.rx_host);
	assert_int_equal(e.fx->host.rvq.fault.kind, AMP_VQ_ERR_MSG_LEN);
	assert_int_equal(e.fx->host.rvq.fault.value, 20);
	assert_int_equal(e.fx->host.rvq.fault.limit, 19);
	fx_free(e.fx);
}

static void host_rx_used_len_below_header(void **state)
{
	struct env e;
	(void)state;
	r2h(&e, 0);
	fx_used(e.fx, 0)->ring[0].len = 8;
	expect_broken(&e.fx->host, 0, &e.fx->host.rvq, AMP_VQ_ERR_MSG_LEN, &e.rx_host);
	fx_free(e.fx);
}

static void host_tx_reclaim_bad_id(void **state)
{
	struct env e;
	uint32_t v = 0;
	(void)state;
	env_init(&e, 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(amp_rpmsg_trysend(&e.hept, &v, 4), 4);
	fx_pump(e.fx);
	assert_int_equal(e.rx_remote, 16);
	fx_used(e.fx, 1)->ring[0].id = 99;
	/* No free buffer left: the send reclaims from vring1 and finds the corruption. */
	assert_int_equal(amp_rpmsg_trysend(&e.hept, &v, 4), AMP_EPROTO);
	assert_int_equal(e.fx->host.tvq.stats.err[AMP_VQ_ERR_USED_ID], 1);
	assert_int_equal(e.fx->host.tvq.fault.value, 99);
	assert_int_equal(amp_rpmsg_trysend(&e.hept, &v, 4), AMP_EBROKEN);
	/* the first violation is the one kept */
	assert_int_equal(amp_vq_fail_at(&e.fx->host.tvq, AMP_VQ_ERR_USED_LEN, 1, 2), AMP_EPROTO);
	assert_int_equal(e.fx->host.tvq.fault.kind, AMP_VQ_ERR_USED_ID);
	assert_int_equal(e.fx->host.tvq.fault.value, 99);
	assert_int_equal(e.fx->host.tvq.fault.limit, 16);
	assert_false(amp_rpmsg_ready(&e.fx->host));
	fx_free(e.fx);
}

static void device_desc_indirect(void **state)
{
	struct env e;
	(void)state;
	h2r(&e);
	fx_desc(e.fx, 1)[0].flags = AMP_VRING_DESC_F_INDIRECT; /* a table nobody validated */
	expect_broken(&e.fx->remote, 1, &e.fx->remote.rvq, AMP_VQ_ERR_DESC_FLAGS, &e.rx_remote);
	fx_free(e.fx);
}

/* Every TX buffer of the host sent and returned on vring1 by the remote, not yet reclaimed. */
static struct env *host_tx_all_returned(struct env *e)
{
	uint32_t v = 0;

	env_init(e, 0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(amp_rpmsg_trysend(&e->hept, &v, 4), 4);
	fx_pump(e->fx);
	assert_int_equal(e->rx_remote, 16);
	return e;
}

/* The host finds a vring1 violation when a send reclaims TX buffers. */
static void expect_tx_broken(struct env *e, enum amp_vq_err kind)
{
	uint32_t v = 0;
	struct amp_vq *vq = &e->fx->host.tvq;

	assert_int_equal(amp_rpmsg_trysend(&e->hept, &v, 4), AMP_EPROTO);
	for (int k = 0; k < AMP_VQ_ERR_COUNT; k++)
		assert_int_equal(vq->stats.err[k], k == (int)kind ? 1 : 0);
	assert_true(amp_vq_broken(vq));
	assert_int_equal(amp_rpmsg_trysend(&e->hept, &v, 4), AMP_EBROKEN);
	assert_int_equal(vq->stats.err[kind], 1);
	assert_false(amp_rpmsg_ready(&e->fx->host));
}

static void host_tx_reclaim_used_idx_jump(void **state)
{
	struct env e;
	(void)state;
	host_tx_all_returned(&e);
	fx_used(e.fx, 1)->idx = 17; /* 16 were in flight */
	expect_tx_broken(&e, AMP_VQ_ERR_USED_IDX);
	fx_free(e.fx);
}

static void host_tx_reclaim_used_len_too_big(void **state)
{
	struct env e;
	(void)state;
	host_tx_all_returned(&e);
	fx_used(e.fx, 1)->ring[0].len = 513;
	expect_tx_broken(&e, AMP_VQ_ERR_USED_LEN);
	fx_free(e.fx);
}

static void host_tx_reclaim_double_return(void **state)
{
	struct env e;
	(void)state;
	host_tx_all_returned(&e);
	fx_used(e.fx, 1)->ring[1].id = fx_used(e.fx, 1)->ring[0].id;
	expect_tx_broken(&e, AMP_VQ_ERR_USED_STALE);
	fx_free(e.fx);
}

static int hold_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)len;
	(void)src;
	assert_int_equal(amp_rpmsg_hold_rx_buffer(ept, data), 0);
	*(void **)priv = data;
	return 0;
}

static uint32_t *reserved_of(void *payload)
{
	return (uint32_t *)(void *)((uint8_t *)payload - 16 + 8);
}

/* The remote keeps a held buffer's descriptor id in its header; the host may scribble on it. */
static void remote_held_rx_id_corrupted(void **state)
{
	struct env e;
	struct amp_rpmsg_ept held;
	void *data = NULL;
	(void)state;
	env_init(&e, 0);
	assert_int_equal(
	    amp_rpmsg_create_ept(&held, &e.fx->remote, "", 101, 1024, hold_cb, NULL, &data), 0);
	assert_int_equal(amp_rpmsg_trysendto(&e.hept, 101, "abcd", 4), 4);
	assert_int_equal(amp_rpmsg_trysendto(&e.hept, 101, "efgh", 4), 4);
	fx_deliver(e.fx, false);
	assert_non_null(data);
	/* Marker gone: not a held buffer (as a stray pointer); refused, not a violation. */
	uint32_t saved = *reserved_of(data);
	*reserved_of(data) = 0;
	assert_int_equal(amp_rpmsg_release_rx_buffer(&held, data), AMP_EINVAL);
	assert_false(amp_vq_broken(&e.fx->remote.rvq));
	/* Marked but out of range: the peer's doing. */
	*reserved_of(data) = (saved & 0xFFFF0000u) | 0x8000u | 16u;
	assert_int_equal(amp_rpmsg_release_rx_buffer(&held, data), AMP_EPROTO);
	for (int k = 0; k < AMP_VQ_ERR_COUNT; k++)
		assert_int_equal(e.fx->remote.rvq.stats.err[k], k == AMP_VQ_ERR_HELD_ID ? 1 : 0);
	assert_true(amp_vq_broken(&e.fx->remote.rvq));
	assert_int_equal(amp_rpmsg_notified(&e.fx->remote, 1), AMP_EBROKEN);
	fx_free(e.fx);
}

static void remote_held_tx_id_corrupted(void **state)
{
	struct env e;
	uint32_t cap = 0;
	uint8_t *p;
	(void)state;
	env_init(&e, 0);
	p = amp_rpmsg_get_tx_buffer(&e.rept, &cap, 0);
	assert_non_null(p);
	*reserved_of(p) = (cap << 16) | 0x8000u | 0x7FFFu;
	assert_int_equal(amp_rpmsg_send_nocopy(&e.rept, 100, 1024, p, 4), AMP_EPROTO);
	for (int k = 0; k < AMP_VQ_ERR_COUNT; k++)
		assert_int_equal(e.fx->remote.tvq.stats.err[k], k == AMP_VQ_ERR_HELD_ID ? 1 : 0);
	assert_true(amp_vq_broken(&e.fx->remote.tvq));
	assert_int_equal(amp_rpmsg_trysend(&e.rept, "x", 1), AMP_EBROKEN);
	fx_free(e.fx);
}

static int echo_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	*(int *)priv = amp_rpmsg_trysendto(ept, src, data, len);
	return 0;
}

/*
 * A host that offers the remote, as its next transmit buffer, the very buffer it has just
 * sent a message in, shifted: an echo from the receive callback then copies a buffer onto
 * itself.
 * Found by fuzz_host (tests/fuzz/regress); ASan called the copy an overlap.
 */
static void remote_echo_into_its_own_rx_buffer(void **state)
{
	struct env e;
	struct amp_rpmsg_ept echo;
	char msg[64];
	int sent = 0;
	(void)state;
	env_init(&e, 0);
	assert_int_equal(
	    amp_rpmsg_create_ept(&echo, &e.fx->remote, "", 101, 1024, echo_cb, NULL, &sent), 0);
	memset(msg, 'q', sizeof(msg));
	assert_int_equal(amp_rpmsg_trysendto(&e.hept, 101, msg, sizeof(msg)), (int)sizeof(msg));
	uint16_t next = fx_avail(e.fx, 0)->ring[0];
	fx_desc(e.fx, 0)[next].addr = fx_desc(e.fx, 1)[0].addr + 32; /* overlapping, not equal */
	fx_deliver(e.fx, false);
	assert_int_equal(sent, (int)sizeof(msg));
	assert_memory_equal((uint8_t *)fx_va(e.fx, (uint32_t)fx_desc(e.fx, 0)[next].addr) + 16, msg,
			    sizeof(msg));
	fx_free(e.fx);
}

/* Random bytes all over the rings: the core may refuse, never crash or stray (ASan/valgrind). */
static void random_ring_garbage(void **state)
{
	uint32_t seed = 12345;
	(void)state;
	for (int round = 0; round < 200; round++) {
		struct env e;
		uint32_t v = 0;

		env_init(&e, 0);
		for (int i = 0; i < 3; i++) {
			(void)amp_rpmsg_trysend(&e.hept, &v, 4);
			(void)amp_rpmsg_trysend(&e.rept, &v, 4);
		}
		for (int k = 0; k < 8; k++) {
			seed = seed * 1103515245u + 12345u;
			uint32_t off = (seed >> 8) % 0x1200u; /* both vrings' live parts */
			off = off < 0x200 ? off : (off < 0x1000 ? off % 0x200 : off);
			e.fx->mem[off] = (uint8_t)(seed >> 24);
		}
		fx_pump(e.fx);
		(void)amp_rpmsg_trysend(&e.hept, &v, 4);
		(void)amp_rpmsg_trysend(&e.rept, &v, 4);
		fx_pump(e.fx);
		fx_free(e.fx);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(device_avail_idx_jump),
	    cmocka_unit_test(device_desc_id_out_of_range),
	    cmocka_unit_test(device_desc_chained),
	    cmocka_unit_test(device_desc_indirect),
	    cmocka_unit_test(device_desc_wrong_direction),
	    cmocka_unit_test(device_desc_too_short),
	    cmocka_unit_test(device_desc_addr_outside),
	    cmocka_unit_test(device_desc_range_crosses_end),
	    cmocka_unit_test(device_desc_len_wraps_address),
	    cmocka_unit_test(remote_rx_msg_len),
	    cmocka_unit_test(remote_tx_desc_not_writable),
	    cmocka_unit_test(driver_used_idx_jump),
	    cmocka_unit_test(driver_used_id_out_of_range),
	    cmocka_unit_test(driver_used_id_not_in_flight),
	    cmocka_unit_test(driver_used_len_too_big),
	    cmocka_unit_test(host_rx_msg_len),
	    cmocka_unit_test(host_rx_used_len_below_header),
	    cmocka_unit_test(host_tx_reclaim_bad_id),
	    cmocka_unit_test(host_tx_reclaim_used_idx_jump),
	    cmocka_unit_test(host_tx_reclaim_used_len_too_big),
	    cmocka_unit_test(host_tx_reclaim_double_return),
	    cmocka_unit_test(remote_held_rx_id_corrupted),
	    cmocka_unit_test(remote_held_tx_id_corrupted),
	    cmocka_unit_test(remote_echo_into_its_own_rx_buffer),
	    cmocka_unit_test(random_ring_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
