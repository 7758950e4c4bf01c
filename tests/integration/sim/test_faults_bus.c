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
#include <ampsim/error.h>
#include <ampsim/faults.h>
#include <ampsim/host.h>

#include "itest_glib.h"

#define QUIET_MS 300 /* how long "nothing arrives" is watched: a fault that failed shows */

struct ctx {
	struct amp_host_chan *chan;
	GString *got; /* every message received, each followed by '|' */
	unsigned got_n, crashes, tx_ready;
	uint32_t drops_want;
	char why[128];
	struct amp_host *h;
};

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	((struct ctx *)priv)->chan = ch;
}

static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct ctx *c = priv;
	(void)ch;
	g_string_append_len(c->got, data, (gssize)len);
	g_string_append_c(c->got, '|');
	c->got_n++;
}

static void on_rproc(void *priv, enum amp_rproc_event ev)
{
	struct ctx *c = priv;
	if (ev != AMP_RPROC_EV_CRASHED)
		return;
	g_strlcpy(c->why, amp_rproc_crash_reason(amp_host_rproc(c->h)), sizeof(c->why));
	c->crashes++;
}

static void on_tx_ready(void *priv)
{
	((struct ctx *)priv)->tx_ready++;
}

static const struct amp_host_ops ops = {
    .channel_new = on_channel_new,
    .receive = on_receive,
    .rproc_event = on_rproc,
    .tx_ready = on_tx_ready,
};

static bool announced(const void *arg)
{
	return ((const struct ctx *)arg)->chan != NULL;
}

static struct amp_host *host_new(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->got = g_string_new(NULL);
	struct amp_host_cfg cfg = {
	    .rproc = {.firmware = ECHO_FW, .no_recovery = true}, .ops = &ops, .priv = c};
	g_autoptr(GError) err = NULL;
	c->h = amp_host_new(&cfg, &err);
	if (!c->h)
		fail_msg("amp_host_new: %s", err->message);
	return c->h;
}

/* Boot the echo firmware, wait for its channel, then load @p spec. */
static struct amp_host *echo_with(struct ctx *c, const char *spec)
{
	struct amp_host *h = host_new(c);
	g_autoptr(GError) err = NULL;
	if (!amp_host_start(h, &err))
		fail_msg("cannot boot the echo firmware: %s", err->message);
	assert_true(itest_loop_until(NULL, announced, c, ITEST_BOOT_MS));
	amp_host_faults_set_seed(h, 1);
	if (!amp_host_faults_add(h, spec, &err))
		fail_msg("'%s' refused: %s", spec, err->message);
	return h;
}

static void done(struct ctx *c)
{
	amp_host_free(c->h);
	g_string_free(c->got, TRUE);
}

static void send_str(struct ctx *c, const char *s)
{
	assert_int_equal(amp_host_send(c->chan, s, strlen(s)), 0);
}

/* Wait until @p n messages in all have arrived, then check nothing more comes. */
static void expect_got(struct ctx *c, unsigned n, const char *all)
{
	assert_true(itest_loop_until_count(NULL, &c->got_n, n, ITEST_REPLY_MS));
	itest_loop_for(NULL, 50);
	assert_string_equal(c->got->str, all);
}

/* Nothing arrives for a while. */
static void expect_quiet(struct ctx *c, const char *all)
{
	itest_loop_for(NULL, QUIET_MS);
	assert_string_equal(c->got->str, all);
}

static uint32_t host_drops(struct amp_host *h)
{
	return amp_host_rpmsg(h)->stats.drops[AMP_RPMSG_DROP_NO_EPT];
}

static bool dropped(const void *arg)
{
	const struct ctx *c = arg;
	return host_drops(c->h) >= c->drops_want;
}

/* ---- headers to the firmware ------------------------------------------------------------- */

/* A len past the buffer: the firmware's core refuses it and its vring1 is broken for good
 * (it answers nothing more); the host's side of the link is not. */
static void header_len_to_fw_breaks_its_queue(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw corrupt-header field=len count=1");
	send_str(&c, "first");
	expect_quiet(&c, "");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	send_str(&c, "second"); /* sent, never answered: the firmware's queue is broken */
	expect_quiet(&c, "");
	assert_int_equal(c.crashes, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* A len shorter than the payload is not detectable: the firmware gets the first bytes. */
static void header_len_to_fw_shortened(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:rpmsg-openamp-demo-channel:linux->fw corrupt-header field=len "
			  "value=2 count=1");
	send_str(&c, "hello");
	expect_got(&c, 1, "he|");
	send_str(&c, "again");
	expect_got(&c, 2, "he|again|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* A wrong dst reaches no endpoint of the firmware: dropped there, the next one is fine. */
static void header_dst_to_fw_dropped(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw corrupt-header field=dst count=1");
	send_str(&c, "lost");
	expect_quiet(&c, "");
	send_str(&c, "kept");
	expect_got(&c, 1, "kept|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* A wrong src: the echo answers to it, where the host has no endpoint (counted as a drop). */
static void header_src_to_fw_answered_elsewhere(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:linux->fw corrupt-header field=src value=77 count=1");
	c.drops_want = host_drops(h) + 1;
	send_str(&c, "where");
	assert_true(itest_loop_until(NULL, dropped, &c, ITEST_REPLY_MS));
	assert_string_equal(c.got->str, "");
	send_str(&c, "here");
	expect_got(&c, 1, "here|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* ---- headers from the firmware ----------------------------------------------------------- */

/* A len past the buffer, seen by the host's core: its vring0 is broken, which the host
 * reports as a crash naming the violation. */
static void header_len_from_fw_is_a_crash(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "msg:fw->linux corrupt-header field=len count=1");
	send_str(&c, "boom");
	assert_true(itest_loop_until_count(NULL, &c.crashes, 1, ITEST_REPLY_MS));
	if (!strstr(c.why, "vring0"))
		fail_msg("crash reason '%s' does not name vring0", c.why);
	assert_string_equal(c.got->str, "");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* A wrong dst: no endpoint of the host's there, dropped and counted; the next is fine. */
static void header_dst_from_fw_dropped(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "msg:fw->linux corrupt-header field=dst count=1");
	uint32_t drops = host_drops(h);
	send_str(&c, "lost");
	expect_quiet(&c, "");
	assert_int_equal(host_drops(h), drops + 1);
	send_str(&c, "kept");
	expect_got(&c, 1, "kept|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
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
	struct ctx c;
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
	done(&c);
}

/* ---- buffer pools ------------------------------------------------------------------------ */

/* The TX pool looks empty for 300 ms: the send fails with AMP_ENOMEM, tx_ready follows. */
static void tx_pool_exhausted(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "buf:tx exhaust ms=300 count=1");
	uint32_t nobuf = amp_host_rpmsg(h)->stats.tx_nobuf;
	int64_t t0 = itest_now_ms();
	assert_int_equal(amp_host_send(c.chan, "x", 1), AMP_ENOMEM);
	assert_true(amp_host_rpmsg(h)->stats.tx_nobuf > nobuf);
	assert_true(itest_loop_until_count(NULL, &c.tx_ready, 1, ITEST_REPLY_MS));
	assert_true(itest_now_ms() - t0 >= 300); /* a lower bound: safe on a busy machine */
	send_str(&c, "x");
	expect_got(&c, 1, "x|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* Fewer RX buffers posted: with n=0, each answer's buffer stays with the host, until the
 * firmware has none and its answer waits; clearing the plan posts them again. */
static void rx_pool_shrunk(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "buf:rx shrink n=0");
	unsigned posted = amp_host_rpmsg(h)->rvq.ninflight;
	assert_true(posted > 0);
	for (unsigned i = 0; i < posted; i++) {
		send_str(&c, "m");
		assert_true(itest_loop_until_count(NULL, &c.got_n, i + 1, ITEST_REPLY_MS));
	}
	assert_int_equal(amp_host_rpmsg(h)->rvq.ninflight, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), posted);
	send_str(&c, "late"); /* the firmware has no buffer to answer in */
	itest_loop_for(NULL, QUIET_MS);
	assert_int_equal(c.got_n, posted);
	amp_host_faults_clear(h);
	assert_true(itest_loop_until_count(NULL, &c.got_n, posted + 1, ITEST_REPLY_MS));
	assert_non_null(strstr(c.got->str, "|late|"));
	assert_int_equal(amp_host_rpmsg(h)->rvq.ninflight, posted);
	done(&c);
}

/* n=N keeps N posted: the firmware still answers, in fewer buffers. */
static void rx_pool_shrunk_to_n(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "buf:rx shrink n=2");
	unsigned posted = amp_host_rpmsg(h)->rvq.ninflight;
	for (unsigned i = 0; i < posted + 2; i++) {
		send_str(&c, "m");
		assert_true(itest_loop_until_count(NULL, &c.got_n, i + 1, ITEST_REPLY_MS));
	}
	assert_int_equal(amp_host_rpmsg(h)->rvq.ninflight, 2);
	assert_int_equal(amp_host_faults_fired(h, 1), posted - 2);
	done(&c);
}

/* ---- rings: the host as a buggy driver ---------------------------------------------------- */

/* A message published wrongly on vring1: the firmware's core refuses the ring and marks it
 * broken; it answers nothing more (its queue stays broken until it is restarted). */
static void ring_to_fw_broken(const char *rule)
{
	struct ctx c;
	struct amp_host *h = echo_with(&c, rule);
	send_str(&c, "a");
	expect_quiet(&c, "");
	send_str(&c, "b");
	expect_quiet(&c, "");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(c.crashes, 0); /* the host's side is sound */
	done(&c);
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
	struct ctx c;
	struct amp_host *h = echo_with(&c, rule);
	if (!answered) /* every buffer posted at boot is used first */
		answered = amp_host_rpmsg(h)->rvq.ninflight;
	for (unsigned i = 0; i < answered; i++) {
		send_str(&c, "m");
		assert_true(itest_loop_until_count(NULL, &c.got_n, i + 1, ITEST_REPLY_MS));
	}
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	send_str(&c, "late");
	send_str(&c, "later");
	itest_loop_for(NULL, QUIET_MS);
	assert_int_equal(c.got_n, answered);
	assert_int_equal(c.crashes, 0);
	done(&c);
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
	struct ctx c;
	struct amp_host *h = host_new(&c);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) err = NULL;
		assert_false(amp_host_faults_add(h, bad[i][0], &err));
		assert_int_equal(amp_error_code(err), AMP_EINVAL);
		if (!strstr(err->message, bad[i][1]) || !strstr(err->message, "docs/faults.md"))
			fail_msg("'%s': '%s' does not name %s", bad[i][0], err->message, bad[i][1]);
	}
	done(&c);
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
	    cmocka_unit_test(rx_pool_shrunk_to_n),
	    cmocka_unit_test(ring_vring1_avail_jump),
	    cmocka_unit_test(ring_vring1_bad_addr),
	    cmocka_unit_test(ring_vring0_avail_jump),
	    cmocka_unit_test(ring_vring0_bad_addr),
	    cmocka_unit_test(bad_bus_rules_name_the_token),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
