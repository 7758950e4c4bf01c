/*
 * Flow control toward the peer (amp_rpmsg_rx_defer / amp_rpmsg_rx_resume): a deferred
 * message stays in its RX buffer, nothing after it is delivered, the peer runs out of
 * buffers and gets AMP_ENOMEM; resume delivers everything in order, each message once.
 * Zero-length messages are messages, both ways.
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

/* A receiver with room for @room messages; the rest it defers. */
struct slow {
	uint32_t room;
	uint32_t got[64];
	size_t lens[64];
	uint32_t n;
	uint32_t deferrals;
	bool hold_too; /* after deferring, also try to hold (refused) */
};

static int slow_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct slow *s = priv;
	uint32_t seq = 0xFFFFFFFFu;

	(void)src;
	if (s->n >= s->room) {
		assert_int_equal(amp_rpmsg_rx_defer(ept, data), 0);
		if (s->hold_too)
			assert_int_equal(amp_rpmsg_hold_rx_buffer(ept, data), AMP_EINVAL);
		s->deferrals++;
		return 0;
	}
	if (len >= 4)
		memcpy(&seq, data, 4);
	s->got[s->n] = seq;
	s->lens[s->n++] = len;
	return 0;
}

static void deferred_message_waits_in_its_buffer_until_resume(void **state)
{
	struct slow s = {.room = 3, .hold_too = true};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true, .rx_count = 8});
	uint32_t seq, sent = 0;
	int rc;
	(void)state;

	assert_int_equal(amp_rpmsg_create_ept(&rept, &fx->remote, "", 100, 1024, NULL, NULL, NULL),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, slow_cb, NULL, &s),
			 0);
	/* The remote sends until the host holds every buffer back. */
	for (;;) {
		seq = sent;
		rc = amp_rpmsg_trysend(&rept, &seq, sizeof(seq));
		if (rc == AMP_ENOMEM)
			break;
		assert_int_equal(rc, 4);
		sent++;
		fx_pump(fx);
		assert_true(sent < 100);
	}
	assert_int_equal(sent, 3 + 8); /* 3 taken, then the 8 RX buffers stay with the host */
	assert_int_equal(s.n, 3);
	assert_int_equal(s.deferrals, 1); /* later doorbells deliver nothing while deferred */
	assert_true(amp_rpmsg_rx_deferred(&fx->host));
	assert_int_equal(fx->host.stats.rx_deferred, 1);
	assert_int_equal(fx->host.stats.rx_msgs, 3);
	assert_true(fx->remote.stats.tx_nobuf >= 1);
	assert_int_equal(amp_rpmsg_rx_defer(&hept, fx->host.park_buf + AMP_RPMSG_HDR_SIZE),
			 AMP_EINVAL); /* outside a callback */

	/* Still full: deferred again, nothing lost. */
	assert_int_equal(amp_rpmsg_rx_resume(&fx->host), 0);
	assert_int_equal(s.deferrals, 2);
	assert_int_equal(s.n, 3);

	/* Room again: everything, in order, each once; the buffers go back to the remote. */
	s.room = 64;
	assert_int_equal(amp_rpmsg_rx_resume(&fx->host), 0);
	assert_false(amp_rpmsg_rx_deferred(&fx->host));
	assert_int_equal(s.n, sent);
	for (uint32_t i = 0; i < sent; i++)
		assert_int_equal(s.got[i], i);
	assert_int_equal(fx->host.stats.rx_msgs, sent);
	fx_pump(fx);
	seq = sent;
	assert_int_equal(amp_rpmsg_trysend(&rept, &seq, sizeof(seq)), 4);
	fx_pump(fx);
	assert_int_equal(s.n, sent + 1);
	assert_int_equal(amp_rpmsg_rx_resume(&fx->host), 0); /* nothing deferred: a no-op */
	assert_int_equal(amp_rpmsg_rx_resume(NULL), AMP_ENOTCONN);
	fx_free(fx);
}

/* The endpoint of a deferred message went away meanwhile: dropped as "no endpoint". */
static void deferred_message_for_a_gone_endpoint_is_dropped(void **state)
{
	struct slow s = {.room = 0};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	uint32_t seq = 7;
	(void)state;

	assert_int_equal(amp_rpmsg_create_ept(&rept, &fx->remote, "", 100, 1024, NULL, NULL, NULL),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, slow_cb, NULL, &s),
			 0);
	assert_int_equal(amp_rpmsg_trysend(&rept, &seq, sizeof(seq)), 4);
	fx_pump(fx);
	assert_true(amp_rpmsg_rx_deferred(&fx->host));
	amp_rpmsg_destroy_ept(&hept);
	uint16_t avail0 = fx_avail(fx, 0)->idx;
	assert_int_equal(amp_rpmsg_rx_resume(&fx->host), 0);
	assert_false(amp_rpmsg_rx_deferred(&fx->host));
	assert_int_equal(fx->host.stats.drops[AMP_RPMSG_DROP_NO_EPT], 1);
	assert_int_equal(fx_avail(fx, 0)->idx, (uint16_t)(avail0 + 1)); /* buffer given back */
	fx_free(fx);
}

/* As Linux's virtio_rpmsg_bus and rpmsg_char: a zero-length message is a message. */
static void zero_length_messages_both_ways(void **state)
{
	struct slow hs = {.room = 64}, rs = {.room = 64};
	struct amp_rpmsg_ept rept, hept;
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	(void)state;

	assert_int_equal(
	    amp_rpmsg_create_ept(&rept, &fx->remote, "", 100, 1024, slow_cb, NULL, &rs), 0);
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, slow_cb, NULL, &hs),
			 0);
	assert_int_equal(amp_rpmsg_trysend(&hept, NULL, 0), 0);
	assert_int_equal(amp_rpmsg_trysend(&rept, "", 0), 0);
	fx_pump(fx);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.lens[0], 0);
	assert_int_equal(hs.n, 1);
	assert_int_equal(hs.lens[0], 0);
	assert_int_equal(fx->host.stats.rx_msgs, 1);
	assert_int_equal(fx->remote.stats.rx_msgs, 1);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(deferred_message_waits_in_its_buffer_until_resume),
	    cmocka_unit_test(deferred_message_for_a_gone_endpoint_is_dropped),
	    cmocka_unit_test(zero_length_messages_both_ways),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
