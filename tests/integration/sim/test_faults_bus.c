/*
 * The fault plan's injection points on the host's RPMsg bus (docs/faults.md): header
 * corruption both ways (corrupt-header field=len|src|dst), an exhausted TX pool (buf:tx
 * exhaust), fewer RX buffers posted to the firmware (buf:rx shrink) and the host as a buggy
 * driver on either vring (ring:vringN avail-jump|bad-addr), each fired on the echo firmware
 * with its effect and its counter checked; and their grammar errors.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <amp/error.h>
#include <amp/rpmsg_role.h>
#include <ampsim/faults.h>
#include <ampsim/host.h>

#include "fault_host.h"
#include "itest_glib.h"

/* Boot the echo firmware, wait for its channel, then load @p spec. */
static struct amp_host *echo_with(struct fctx *c, const char *spec)
{
	return fctx_echo_with(c, ECHO_FW, spec, 1);
}

static uint32_t host_drops(struct amp_host *h)
{
	return amp_host_rpmsg(h)->stats.drops[AMP_RPMSG_DROP_NO_EPT];
}

struct drops_at_least {
	struct amp_host *h;
	uint32_t want;
};

static bool dropped(const void *arg)
{
	const struct drops_at_least *d = arg;
	return host_drops(d->h) >= d->want;
}

/* ---- headers to the firmware ------------------------------------------------------------- */

/* A len past the buffer: the firmware's core refuses it and its vring1 is broken for good
 * (it answers nothing more); the host's side of the link is not. */
static void header_len_to_fw_breaks_its_queue(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw corrupt-header field=len count=1");
	fctx_send(&c, "first");
	fctx_expect_quiet(&c, "");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_send(&c, "second"); /* sent, never answered: the firmware's queue is broken */
	fctx_expect_quiet(&c, "");
	assert_int_equal(c.crashes, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* A len shorter than the payload is not detectable: the firmware gets the first bytes. */
static void header_len_to_fw_shortened(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:rpmsg-openamp-demo-channel:linux->fw corrupt-header field=len "
			  "value=2 count=1");
	fctx_send(&c, "hello");
	fctx_expect_got(&c, 1, "he|");
	fctx_send(&c, "again");
	fctx_expect_got(&c, 2, "he|again|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* A wrong dst reaches no endpoint of the firmware: dropped there, the next one is fine. */
static void header_dst_to_fw_dropped(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw corrupt-header field=dst count=1");
	fctx_send(&c, "lost");
	fctx_expect_quiet(&c, "");
	fctx_send(&c, "kept");
	fctx_expect_got(&c, 1, "kept|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* A wrong src: the echo answers to it, where the host has no endpoint (counted as a drop). */
static void header_src_to_fw_answered_elsewhere(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:linux->fw corrupt-header field=src value=77 count=1");
	struct drops_at_least d = {h, host_drops(h) + 1};
	fctx_send(&c, "where");
	assert_true(itest_loop_until(NULL, dropped, &d, ITEST_REPLY_MS));
	assert_string_equal(c.got->str, "");
	fctx_send(&c, "here");
	fctx_expect_got(&c, 1, "here|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* ---- headers from the firmware ----------------------------------------------------------- */

/* A len past the buffer, seen by the host's core: its vring0 is broken, which the host
 * reports as a crash naming the violation. */
static void header_len_from_fw_is_a_crash(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:fw->linux corrupt-header field=len count=1");
	fctx_send(&c, "boom");
	assert_true(itest_loop_until_count(NULL, &c.crashes, 1, ITEST_REPLY_MS));
	if (!strstr(c.why, "vring0"))
		fail_msg("crash reason '%s' does not name vring0", c.why);
	assert_string_equal(c.got->str, "");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* A wrong dst: no endpoint of the host's there, dropped and counted; the next is fine. */
static void header_dst_from_fw_dropped(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:fw->linux corrupt-header field=dst count=1");
	uint32_t drops = host_drops(h);
	fctx_send(&c, "lost");
	fctx_expect_quiet(&c, "");
	assert_int_equal(host_drops(h), drops + 1);
	fctx_send(&c, "kept");
	fctx_expect_got(&c, 1, "kept|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

struct ept_seen {
	uint32_t src;
	unsigned n;
};

static void ept_receive(void *priv, struct amp_host_ept *e, const void *data, size_t len,
			uint32_t src)
{
	struct ept_seen *s = priv;
	(void)e, (void)data, (void)len;
	s->src = src;
	s->n++;
}

static const struct amp_host_ept_ops ept_ops = {.receive = ept_receive};

/* A wrong src is delivered as it is (Linux does not check it): the receiver sees it. */
static void header_src_from_fw_delivered(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:fw->linux corrupt-header field=src value=77 "
					   "after=1 count=1");
	struct ept_seen seen = {0};
	struct amp_host_ept *e = NULL;
	assert_int_equal(
	    amp_host_ept_new(h, "probe", AMP_RPMSG_ADDR_ANY, c.chan->remote, &ept_ops, &seen, &e),
	    0);
	for (unsigned i = 1; i <= 2; i++) {
		assert_int_equal(amp_host_ept_send(e, "hi", 2), 0);
		assert_true(itest_loop_until_count(NULL, &seen.n, i, ITEST_REPLY_MS));
		assert_int_equal(seen.src, i == 1 ? c.chan->remote : 77);
	}
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	amp_host_ept_free(e);
	fctx_done(&c);
}

/* ---- buffer pools ------------------------------------------------------------------------ */

/* The TX pool looks empty for 300 ms: the send fails with AMP_ENOMEM, tx_ready follows. */
static void tx_pool_exhausted(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "buf:tx exhaust ms=300 count=1");
	uint32_t nobuf = amp_host_rpmsg(h)->stats.tx_nobuf;
	int64_t t0 = itest_now_ms();
	assert_int_equal(amp_host_send(c.chan, "x", 1), AMP_ENOMEM);
	assert_true(amp_host_rpmsg(h)->stats.tx_nobuf > nobuf);
	assert_true(itest_loop_until_count(NULL, &c.tx_ready, 1, ITEST_REPLY_MS));
	assert_true(itest_now_ms() - t0 >= 300); /* a lower bound: safe on a busy machine */
	fctx_send(&c, "x");
	fctx_expect_got(&c, 1, "x|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* Fewer RX buffers posted: with n=0, each answer's buffer stays with the host, until the
 * firmware has none and its answer waits; clearing the plan posts them again. */
static void rx_pool_shrunk(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "buf:rx shrink n=0");
	unsigned posted = amp_host_rpmsg(h)->rvq.ninflight;
	assert_true(posted > 0);
	for (unsigned i = 0; i < posted; i++) {
		fctx_send(&c, "m");
		assert_true(itest_loop_until_count(NULL, &c.got_n, i + 1, ITEST_REPLY_MS));
	}
	assert_int_equal(amp_host_rpmsg(h)->rvq.ninflight, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), posted);
	fctx_send(&c, "late"); /* the firmware has no buffer to answer in */
	itest_loop_for(NULL, QUIET_MS);
	assert_int_equal(c.got_n, posted);
	amp_host_faults_clear(h);
	assert_true(itest_loop_until_count(NULL, &c.got_n, posted + 1, ITEST_REPLY_MS));
	assert_non_null(strstr(c.got->str, "|late|"));
	assert_int_equal(amp_host_rpmsg(h)->rvq.ninflight, posted);
	fctx_done(&c);
}

/* Only a header, buffer or ring rule puts the plan in front of the host bus's role table:
 * an empty plan or a message rule leaves the hot path as it is, and clearing the last bus
 * rule takes the plan out again. */
static void bus_untouched_without_bus_rules(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "");
	assert_ptr_equal(amp_host_rpmsg(h)->ops, &amp_rpmsg_host_ops);
	fctx_load(&c, "msg drop after=1000", 1);
	assert_ptr_equal(amp_host_rpmsg(h)->ops, &amp_rpmsg_host_ops);
	fctx_load(&c, "buf:rx shrink n=100", 1);
	assert_ptr_not_equal(amp_host_rpmsg(h)->ops, &amp_rpmsg_host_ops);
	fctx_send(&c, "m");
	fctx_expect_got(&c, 1, "m|");
	amp_host_faults_clear(h);
	assert_ptr_equal(amp_host_rpmsg(h)->ops, &amp_rpmsg_host_ops);
	fctx_send(&c, "n");
	fctx_expect_got(&c, 2, "m|n|");
	fctx_done(&c);
}

/* n=N keeps N posted: the firmware still answers, in fewer buffers. */
static void rx_pool_shrunk_to_n(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "buf:rx shrink n=2");
	unsigned posted = amp_host_rpmsg(h)->rvq.ninflight;
	for (unsigned i = 0; i < posted + 2; i++) {
		fctx_send(&c, "m");
		assert_true(itest_loop_until_count(NULL, &c.got_n, i + 1, ITEST_REPLY_MS));
	}
	assert_int_equal(amp_host_rpmsg(h)->rvq.ninflight, 2);
	assert_int_equal(amp_host_faults_fired(h, 1), posted - 2);
	fctx_done(&c);
}

/* ---- rings: the host as a buggy driver ---------------------------------------------------- */

/* A message published wrongly on vring1: the firmware's core refuses the ring and marks it
 * broken; it answers nothing more (its queue stays broken until it is restarted). */
static void ring_to_fw_broken(const char *rule)
{
	struct fctx c;
	struct amp_host *h = echo_with(&c, rule);
	fctx_send(&c, "a");
	fctx_expect_quiet(&c, "");
	fctx_send(&c, "b");
	fctx_expect_quiet(&c, "");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(c.crashes, 0); /* the host's side is sound */
	fctx_done(&c);
}

static void ring_vring1_avail_jump(void **state)
{
	(void)state;
	ring_to_fw_broken("ring:vring1 avail-jump count=1");
}

static void ring_vring1_bad_addr(void **state)
{
	(void)state;
	ring_to_fw_broken("ring:vring1 bad-addr count=1");
}

/* An RX buffer posted wrongly on vring0 (the first one posted again, after the first
 * answer): the firmware fails when its sends reach it, and answers nothing more. */
static void ring_vring0_broken(const char *rule, unsigned answered)
{
	struct fctx c;
	struct amp_host *h = echo_with(&c, rule);
	if (!answered) /* every buffer posted at boot is used first */
		answered = amp_host_rpmsg(h)->rvq.ninflight;
	for (unsigned i = 0; i < answered; i++) {
		fctx_send(&c, "m");
		assert_true(itest_loop_until_count(NULL, &c.got_n, i + 1, ITEST_REPLY_MS));
	}
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_send(&c, "late");
	fctx_send(&c, "later");
	itest_loop_for(NULL, QUIET_MS);
	assert_int_equal(c.got_n, answered);
	assert_int_equal(c.crashes, 0);
	fctx_done(&c);
}

static void ring_vring0_avail_jump(void **state)
{
	(void)state;
	ring_vring0_broken("ring:vring0 avail-jump count=1", 1);
}

static void ring_vring0_bad_addr(void **state)
{
	(void)state;
	ring_vring0_broken("ring:vring0 bad-addr addr=0xfffff000 count=1", 0);
}

/* ---- grammar ------------------------------------------------------------------------------ */

static void bad_bus_rules_name_the_token(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
	    {"buf drop", "'buf'"},
	    {"buf:pool exhaust", "'buf:pool'"},
	    {"buf:tx drop", "'drop'"},
	    {"buf:rx exhaust", "use buf:tx"},
	    {"buf:tx shrink n=1", "use buf:rx"},
	    {"buf:rx shrink", "needs n=N"},
	    {"buf:rx shrink n=40000", "'n=40000'"},
	    {"buf:tx exhaust n=1", "'n=1'"},
	    {"msg corrupt-header", "needs field=len, src or dst"},
	    {"msg corrupt-header field=flags", "'field=flags'"},
	    {"msg corrupt-header field=len field=dst", "'field=dst'"},
	    {"msg corrupt-header field=len value=70000", "value=0..65535"},
	    {"msg drop field=len", "'field=len'"},
	    {"ring:vring2 bad-addr", "'ring:vring2'"},
	    {"ring bad-addr", "'ring'"},
	    {"ring:vring0 exhaust", "'exhaust'"},
	    {"ring:vring1 avail-jump n=0", "'n=0'"},
	    {"ring:vring1 bad-addr addr=zz", "'addr=zz'"},
	    {"ring:vring1 bad-addr addr=0x100000000", "'addr=0x100000000'"},
	};
	struct fctx c;
	struct amp_host *h = fctx_host_new(&c, ECHO_FW, NULL, 0, false);
	fctx_expect_refused(h, bad, G_N_ELEMENTS(bad));
	fctx_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_len_to_fw_breaks_its_queue),
	    cmocka_unit_test(header_len_to_fw_shortened),
	    cmocka_unit_test(header_dst_to_fw_dropped),
	    cmocka_unit_test(header_src_to_fw_answered_elsewhere),
	    cmocka_unit_test(header_len_from_fw_is_a_crash),
	    cmocka_unit_test(header_dst_from_fw_dropped),
	    cmocka_unit_test(header_src_from_fw_delivered),
	    cmocka_unit_test(tx_pool_exhausted),
	    cmocka_unit_test(rx_pool_shrunk),
	    cmocka_unit_test(bus_untouched_without_bus_rules),
	    cmocka_unit_test(rx_pool_shrunk_to_n),
	    cmocka_unit_test(ring_vring1_avail_jump),
	    cmocka_unit_test(ring_vring1_bad_addr),
	    cmocka_unit_test(ring_vring0_avail_jump),
	    cmocka_unit_test(ring_vring0_bad_addr),
	    cmocka_unit_test(bad_bus_rules_name_the_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
