/*
 * The core's interfaces that ports and the host bus call instead of reaching inside it:
 * the remote bring-up (the vdev read through the configuration once DRIVER_OK is set, a
 * declared remote -> host buffer size), amp_vq_fail(), and the "a sender waits for TX
 * buffers" pair (Linux rpmsg_upref_sleepers / rpmsg_downref_sleepers).
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

static int fail_read(void *ctx, struct amp_rpmsg_vdev_params *p)
{
	(void)ctx;
	(void)p;
	return AMP_EFAULT;
}

/* The remote reads the vdev once, after DRIVER_OK (the harness asserts the order). */
static void remote_reads_vdev_after_driver_ok(void **state)
{
	struct fx *fx = fx_alloc(NULL);
	(void)state;

	fx->rcfg.ready_timeout_ms = 5;
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), AMP_ETIMEDOUT);
	assert_int_equal(fx->rvdev_reads, 0);
	assert_int_equal(fx->rp.waits, 5); /* polled every ms: no doorbell for a status change */
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), 0);
	assert_int_equal(fx->rvdev_reads, 1);
	assert_int_equal(amp_rpmsg_tx_mtu(&fx->remote), 0); /* nothing declared: per buffer */

	/* what read_vdev returns is checked like any other input */
	fx->rcfg.read_vdev = fail_read;
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), AMP_EFAULT);
	fx->rcfg.read_vdev = NULL;
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), AMP_EINVAL);
	fx_free(fx);

	fx = fx_alloc(NULL);
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	fx->rvdev.vring[1].num = 24; /* not a power of two */
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), AMP_EINVAL);
	fx->rvdev.vring[1].num = 16;
	fx->rvdev.vring[0].da = 0x1000; /* outside the shared memory */
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), AMP_EFAULT);
	fx->rvdev.vring[0].da = FX_BASE_DA + FX_VRING0_OFF;
	fx->rvdev.r2h_buf_size = AMP_RPMSG_HDR_SIZE; /* no payload at all */
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), AMP_EINVAL);
	fx_free(fx);
}

/*
 * A declared remote -> host buffer size is the remote's TX MTU: a larger send is refused
 * before a buffer is taken, even when the host's buffer would have held it.
 */
static void remote_mtu_from_declared_size(void **state)
{
	struct fx *fx = fx_alloc(&(struct fx_opts){.no_ns = true});
	struct amp_rpmsg_ept rept, hept;
	static uint8_t buf[512];
	uint32_t taken;
	(void)state;

	fx->rvdev.r2h_buf_size = 256;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), 0);
	fx_pump(fx);
	assert_int_equal(amp_rpmsg_tx_mtu(&fx->remote), 240);
	assert_int_equal(amp_rpmsg_create_ept(&rept, &fx->remote, "", 100, 1024, NULL, NULL, NULL),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, NULL, NULL, NULL),
			 0);
	taken = fx->remote.tvq.stats.bufs;
	assert_int_equal(amp_rpmsg_trysend(&rept, buf, 241), AMP_EMSGSIZE);
	assert_int_equal(amp_rpmsg_send(&rept, buf, 496), AMP_EMSGSIZE); /* no wait either */
	assert_int_equal(fx->remote.tvq.stats.bufs, taken);
	assert_int_equal(fx->remote.stats.tx_nobuf, 0);
	assert_int_equal(amp_rpmsg_trysend(&rept, buf, 240), 240);
	fx_free(fx);
}

static void vq_fail_marks_broken_and_counts(void **state)
{
	struct fx *fx = fx_new(NULL);
	(void)state;

	assert_int_equal(amp_vq_fail(&fx->host.rvq, AMP_VQ_ERR_MSG_LEN), AMP_EPROTO);
	assert_true(amp_vq_broken(&fx->host.rvq));
	assert_int_equal(fx->host.rvq.stats.err[AMP_VQ_ERR_MSG_LEN], 1);
	assert_false(amp_rpmsg_ready(&fx->host));
	assert_int_equal(amp_rpmsg_notified(&fx->host, 0), AMP_EBROKEN);
	fx_free(fx);
}

/* A send that a broken TX queue refuses gives its buffer back (found by fuzz_host). */
static void send_on_broken_tx_queue_keeps_its_buffer(void **state)
{
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	struct amp_rpmsg_ept hept;
	uint32_t before;
	(void)state;

	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, NULL, NULL, NULL),
			 0);
	before = fx->host.u.h.tx_free[0];
	assert_int_not_equal(before, 0);
	assert_int_equal(amp_vq_fail(&fx->host.tvq, AMP_VQ_ERR_USED_ID), AMP_EPROTO);
	assert_true(amp_rpmsg_trysend(&hept, "x", 1) < 0);
	assert_int_equal(fx->host.u.h.tx_free[0], before);
	assert_int_equal(fx->host.stats.tx_msgs, 0);
	fx_free(fx);
}

/* Host: TX-complete interrupts (vring1) are on exactly while someone waits for a buffer. */
static void tx_waiters_turn_interrupts_on_and_off(void **state)
{
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	struct amp_rpmsg_ept rept, hept;
	(void)state;

	assert_int_equal(amp_rpmsg_create_ept(&rept, &fx->remote, "", 100, 1024, NULL, NULL, NULL),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, NULL, NULL, NULL),
			 0);
	assert_int_equal(fx_avail(fx, 1)->flags, AMP_VRING_AVAIL_F_NO_INTERRUPT);
	assert_false(amp_rpmsg_tx_wait_begin(&fx->host)); /* nothing came back yet */
	assert_int_equal(fx_avail(fx, 1)->flags, 0);
	assert_false(amp_rpmsg_tx_wait_begin(&fx->host)); /* a second waiter */
	amp_rpmsg_tx_wait_end(&fx->host);
	assert_int_equal(fx_avail(fx, 1)->flags, 0); /* one still waits */
	amp_rpmsg_tx_wait_end(&fx->host);
	assert_int_equal(fx_avail(fx, 1)->flags, AMP_VRING_AVAIL_F_NO_INTERRUPT);
	amp_rpmsg_tx_wait_end(&fx->host); /* unpaired: ignored */
	assert_int_equal(fx->host.tx_waiters, 0);

	/* A buffer the remote already returned: "retry now" rather than wait. */
	assert_int_equal(amp_rpmsg_trysend(&hept, "x", 1), 1);
	fx_pump(fx);
	assert_true(amp_rpmsg_tx_wait_begin(&fx->host));
	amp_rpmsg_tx_wait_end(&fx->host);
	assert_false(amp_rpmsg_tx_wait_begin(NULL));
	amp_rpmsg_tx_wait_end(NULL);
	fx_free(fx);

	/* no_suppress: the interrupts stay on after the last waiter */
	fx = fx_new(&(struct fx_opts){.no_suppress = true});
	assert_int_equal(fx_avail(fx, 1)->flags, 0);
	(void)amp_rpmsg_tx_wait_begin(&fx->host);
	amp_rpmsg_tx_wait_end(&fx->host);
	assert_int_equal(fx_avail(fx, 1)->flags, 0);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(remote_reads_vdev_after_driver_ok),
	    cmocka_unit_test(remote_mtu_from_declared_size),
	    cmocka_unit_test(vq_fail_marks_broken_and_counts),
	    cmocka_unit_test(send_on_broken_tx_queue_keeps_its_buffer),
	    cmocka_unit_test(tx_waiters_turn_interrupts_on_and_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
