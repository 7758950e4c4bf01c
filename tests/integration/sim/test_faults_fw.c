/*
 * The fault rules the firmware applies itself (docs/faults.md): irq delay and spurious in
 * the sim port's IRQ path, the firmware as a buggy device on vring0 or vring1 (ring:fw,
 * ring:fw:vring1) and fw exit.
 * The host passes them in the firmware's environment at start, so each test loads its plan
 * before amp_host_start(); the counts are the firmware's, read by the host from the shared
 * header. Each test checks the fault's effect (a late answer, a crash reason the host
 * names, a recovery) and its counter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/error.h>
#include <ampsim/faults.h>
#include <ampsim/host.h>

#include "fault_host.h"
#include "itest_glib.h"

/* Load @p spec (seed 1), then boot the echo firmware; @p recovery: restart it after a crash. */
static struct amp_host *boot_with(struct fctx *c, const char *spec, bool recovery)
{
	fctx_host_new(c, ECHO_FW, NULL, 0, recovery);
	fctx_load(c, spec, 1);
	fctx_start(c);
	return c->h;
}

/* Send @p s and wait for its echo. */
static void echo(struct fctx *c, const char *s)
{
	unsigned want = c->got_n + 1;
	fctx_send(c, s);
	assert_true(itest_loop_until_count(NULL, &c->got_n, want, ITEST_REPLY_MS));
}

static char *stats(struct fctx *c)
{
	GString *s = g_string_new(NULL);
	amp_host_stats(c->h, s);
	return g_string_free(s, FALSE);
}

/* ---- irq ------------------------------------------------------------------------------------ */

/* Every "new message" interrupt is handled 300 ms late by the firmware's IRQ thread. */
static void irq_delayed(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = boot_with(&c, "irq:ch2 delay ms=300", false);
	fctx_wait_channel(&c);
	int64_t t0 = itest_now_ms();
	echo(&c, "late");
	assert_true(itest_now_ms() - t0 >= 300); /* a lower bound: safe on a busy machine */
	assert_string_equal(c.got->str, "late|");
	assert_true(amp_host_faults_fired(h, 1) >= 1);
	g_autofree char *s = stats(&c);
	assert_non_null(strstr(s, "(irq:ch2 delay ms=300): seen "));
	assert_non_null(strstr(s, "(reported by the firmware)"));
	fctx_done(&c);
}

/* After each "new message" interrupt the handler runs once more with nothing new: every
 * message is still answered exactly once. */
static void irq_spurious(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = boot_with(&c, "irq:ch2 spurious", false);
	fctx_wait_channel(&c);
	uint64_t before = amp_host_faults_fired(h, 1);
	echo(&c, "a");
	echo(&c, "b");
	echo(&c, "c");
	itest_loop_for(NULL, 100);
	assert_string_equal(c.got->str, "a|b|c|");
	/* The host may skip a doorbell the firmware asked it not to ring (suppression), so
	 * not one interrupt per message; but every interrupt got its spurious twin. */
	assert_true(amp_host_faults_fired(h, 1) >= before + 1);
	g_autofree char *st = stats(&c);
	const char *at = strstr(st, "(irq:ch2 spurious): seen ");
	assert_non_null(at);
	unsigned long seen = 0, fired = 0;
	assert_int_equal(sscanf(at, "(irq:ch2 spurious): seen %lu, fired %lu", &seen, &fired), 2);
	assert_int_equal(seen, fired); /* p=1: each interrupt the firmware took */
	assert_int_equal(c.crashes, 0);
	fctx_done(&c);
}

/* ---- fw exit -------------------------------------------------------------------------------- */

static void exit_expect(struct fctx *c, const char *reason)
{
	assert_true(itest_loop_until_count(NULL, &c->crashes, 1, ITEST_REPLY_MS));
	assert_string_equal(c->why, reason);
	assert_int_equal(amp_host_faults_fired(c->h, 1), 1);
}

static void exit_at_msg(void **state)
{
	(void)state;
	struct fctx c;
	boot_with(&c, "fw exit at-msg=2 code=7", false);
	fctx_wait_channel(&c);
	echo(&c, "one"); /* the first passes */
	assert_int_equal(amp_host_faults_fired(c.h, 1), 0);
	fctx_send(&c, "two");
	exit_expect(&c, "exited with status 7");
	assert_string_equal(c.got->str, "one|"); /* it ended before answering */
	fctx_done(&c);
}

static void exit_on_match(void **state)
{
	(void)state;
	struct fctx c;
	boot_with(&c, "fw exit match=BOOM code=9", false);
	fctx_wait_channel(&c);
	echo(&c, "fine");
	echo(&c, "boo");
	fctx_send(&c, "xBOOMx");
	exit_expect(&c, "exited with status 9");
	fctx_done(&c);
}

/* On the messages the firmware sends (its name-service announcement not counted): it ends
 * right after publishing its second answer. */
static void exit_at_sent_msg(void **state)
{
	(void)state;
	struct fctx c;
	boot_with(&c, "fw:fw->linux exit at-msg=2 code=5", false);
	fctx_wait_channel(&c);
	echo(&c, "one");
	assert_int_equal(amp_host_faults_fired(c.h, 1), 0);
	fctx_send(&c, "two");
	exit_expect(&c, "exited with status 5");
	assert_true(g_str_has_prefix(c.got->str, "one|"));
	fctx_done(&c);
}

static void exit_on_sent_match(void **state)
{
	(void)state;
	struct fctx c;
	boot_with(&c, "fw:fw->linux exit match=PANIC code=6", false);
	fctx_wait_channel(&c);
	echo(&c, "fine");
	echo(&c, "PANI");
	fctx_send(&c, "a PANIC");
	exit_expect(&c, "exited with status 6");
	fctx_done(&c);
}

struct answer_or_exit {
	const struct fctx *c;
	unsigned answers;
};

static bool answered_or_exited(const void *arg)
{
	const struct answer_or_exit *w = arg;
	return w->c->got_n > w->answers || w->c->crashes;
}

/* How many "m" the firmware answers before `fw exit match=m p=0.1` draws its exit, with
 * @p seed: messages one at a time, each answered before the next (at most 64). */
static unsigned answers_before_exit(uint64_t seed)
{
	struct fctx c;
	fctx_host_new(&c, ECHO_FW, NULL, 0, false);
	fctx_load(&c, "fw exit match=m p=0.1 code=4", seed);
	fctx_start(&c);
	fctx_wait_channel(&c);
	for (unsigned i = 0; i < 64 && !c.crashes; i++) {
		fctx_send(&c, "m");
		struct answer_or_exit w = {&c, i};
		assert_true(itest_loop_until(NULL, answered_or_exited, &w, ITEST_REPLY_MS));
	}
	assert_int_equal(c.crashes, 1);
	assert_string_equal(c.why, "exited with status 4");
	unsigned n = c.got_n;
	fctx_done(&c);
	return n;
}

/* The firmware draws from the plan's seed as the host does: the same seed, the same
 * message brings it down, run after run; the seed decides which. */
static void exit_same_seed_same_message(void **state)
{
	(void)state;
	unsigned first = answers_before_exit(1);
	assert_int_equal(answers_before_exit(1), first);
	/* Another seed, another message (seeds 1 and 3 draw their first p=0.1 hit apart). */
	assert_int_not_equal(answers_before_exit(3), first);
}

static void exit_at_ms(void **state)
{
	(void)state;
	struct fctx c;
	boot_with(&c, "fw exit at-ms=200 code=3", false);
	exit_expect(&c, "exited with status 3");
	fctx_done(&c);
}

/* ---- ring:fw: the firmware as a buggy device; the host names it, recovery follows --------- */

/* The first vring0 publish (the boot's name-service announcement) is broken: the host
 * declares the crash with @p reason, recovery restarts the firmware, count=1 holds across
 * the restart, and the channel works. */
static void ring_fault(const char *rule, const char *reason)
{
	struct fctx c;
	boot_with(&c, rule, true);
	assert_true(itest_loop_until_count(NULL, &c.crashes, 1, ITEST_BOOT_MS));
	if (!strstr(c.why, reason))
		fail_msg("crash reason '%s' does not name '%s'", c.why, reason);
	assert_int_equal(amp_host_faults_fired(c.h, 1), 1);
	fctx_wait_channel(&c); /* recovered */
	echo(&c, "back");
	assert_string_equal(c.got->str, "back|");
	assert_int_equal(c.crashes, 1);
	assert_int_equal(amp_host_faults_fired(c.h, 1), 1);
	fctx_done(&c);
}

static void ring_used_id(void **state)
{
	(void)state;
	ring_fault("ring:fw used-id count=1", "protocol violation on vring0: used id ");
}

static void ring_used_len(void **state)
{
	(void)state;
	ring_fault("ring:fw used-len count=1", "protocol violation on vring0: used len 4294967295");
}

static void ring_used_idx_jump(void **state)
{
	(void)state;
	ring_fault("ring:fw used-idx-jump count=1",
		   "protocol violation on vring0: used idx moved by");
}

static bool notified_twice(const void *arg)
{
	struct fctx *c = (struct fctx *)arg;
	g_autofree char *s = stats(c);
	return strstr(s, "notify without publish: 1") != NULL;
}

/* Not a crash: the host counts it (as Linux ignores a spurious interrupt). */
static void ring_notify_no_publish(void **state)
{
	(void)state;
	struct fctx c;
	boot_with(&c, "ring:fw notify-no-publish count=1", false);
	fctx_wait_channel(&c);
	assert_true(itest_loop_until(NULL, notified_twice, &c, ITEST_REPLY_MS));
	echo(&c, "still");
	assert_int_equal(c.crashes, 0);
	assert_int_equal(amp_host_faults_fired(c.h, 1), 1);
	fctx_done(&c);
}

/* ---- ring:fw:vring1: the firmware as a buggy device on vring1 ------------------------------ */

struct sent_or_crashed {
	const struct fctx *c;
	unsigned answers;
};

static bool answered_or_crashed(const void *arg)
{
	const struct sent_or_crashed *w = arg;
	return w->c->got_n > w->answers || w->c->crashes;
}

/* The firmware's first vring1 used entry (the buffer of the first message, released) is
 * broken. The host sees it only when it takes its TX buffers back, once every one was used
 * (Linux's get_a_tx_buf does the same): so it sends one message at a time, each answered,
 * until the send that reclaims fails and the crash is named; recovery follows as on vring0.
 * The firmware's ring has at most 512 entries here; 600 messages bound the loop. */
static void ring1_fault(const char *rule, const char *reason)
{
	struct fctx c;
	boot_with(&c, rule, true);
	fctx_wait_channel(&c);
	unsigned sent = 0;
	for (; sent < 600 && !c.crashes; sent++) {
		struct sent_or_crashed w = {&c, c.got_n};
		if (amp_host_send(c.chan, "m", 1) != 0)
			break; /* the reclaim found it: the crash follows from the loop */
		assert_true(itest_loop_until(NULL, answered_or_crashed, &w, ITEST_REPLY_MS));
	}
	assert_true(itest_loop_until_count(NULL, &c.crashes, 1, ITEST_REPLY_MS));
	if (!strstr(c.why, reason))
		fail_msg("crash reason '%s' does not name '%s'", c.why, reason);
	assert_true(sent > 1); /* found late, at a reclaim, not at the first message */
	assert_int_equal(amp_host_faults_fired(c.h, 1), 1);
	fctx_wait_channel(&c); /* recovered */
	unsigned before = c.got_n;
	echo(&c, "back");
	assert_int_equal(c.got_n, before + 1);
	assert_true(g_str_has_suffix(c.got->str, "back|"));
	assert_int_equal(c.crashes, 1);
	assert_int_equal(amp_host_faults_fired(c.h, 1), 1); /* count=1 held across the restart */
	g_autofree char *st = stats(&c);
	if (!strstr(st, "(reported by the firmware)"))
		fail_msg("stats do not show the firmware's counter:\n%s", st);
	fctx_done(&c);
}

static void ring1_used_id(void **state)
{
	(void)state;
	ring1_fault("ring:fw:vring1 used-id count=1", "protocol violation on vring1: used id ");
}

static void ring1_used_len(void **state)
{
	(void)state;
	ring1_fault("ring:fw:vring1 used-len count=1",
		    "protocol violation on vring1: used len 4294967295 > buffer size ");
}

static void ring1_used_idx_jump(void **state)
{
	(void)state;
	ring1_fault("ring:fw:vring1 used-idx-jump count=1",
		    "protocol violation on vring1: used idx moved by ");
}

static bool seen_40(const void *arg)
{
	struct fctx *c = (struct fctx *)arg;
	g_autofree char *st = stats(c);
	const char *at = strstr(st, "(ring:fw:vring1 used-id after=100000): seen ");
	unsigned long seen = 0;
	return at && sscanf(at, "(ring:fw:vring1 used-id after=100000): seen %lu", &seen) == 1 &&
	       seen >= 40;
}

/* Each buffer the firmware gives back on vring1 is an event of a ring:fw:vring1 rule (the
 * firmware releases a message's buffer after its callback, so the last count may come just
 * after the last answer); one that does not fire changes nothing. */
static void ring1_events(void **state)
{
	(void)state;
	struct fctx c;
	boot_with(&c, "ring:fw:vring1 used-id after=100000", false);
	fctx_wait_channel(&c);
	for (unsigned i = 0; i < 40; i++)
		echo(&c, "x");
	assert_true(itest_loop_until(NULL, seen_40, &c, ITEST_REPLY_MS));
	assert_int_equal(c.crashes, 0);
	assert_int_equal(amp_host_faults_fired(c.h, 1), 0);
	fctx_done(&c);
}

/* ---- the plan's rules ------------------------------------------------------------------------ */

static void refused(const char *spec, const char *words)
{
	struct fctx c;
	struct amp_host *h = fctx_host_new(&c, ECHO_FW, NULL, 0, false);
	g_autoptr(GError) err = NULL;
	assert_false(amp_host_faults_add(h, spec, &err));
	if (!strstr(err->message, words))
		fail_msg("'%s': error '%s' does not say '%s'", spec, err->message, words);
	fctx_done(&c);
}

static void bad_rules(void **state)
{
	(void)state;
	refused("irq:ch3 delay ms=5", "'ch3': no vring interrupt on this channel");
	refused("irq:ch1 drop", "'drop': not an action of this target; allowed: delay, spurious");
	refused("irq:ch1 delay", "delay needs ms=N");
	refused("ring:linux used-id", "or ring:fw (the firmware as a buggy device)");
	refused("ring:fw used-id by=3", "'by=3': not a parameter of this action");
	refused("ring:fw:vring2 used-id", "or ring:fw:vring1 (on vring1, where it returns");
	refused("ring:fw:vring1:x used-id", "a firmware ring target is ring:fw or");
	refused("ring:fw:vring1 notify-no-publish", "notify-no-publish is for vring0 only");
	refused("ring:fw:vring1 avail-jump", "allowed: used-id, used-len, used-idx-jump");
	refused("fw exit code=300 at-msg=1", "'code=300'");
	refused("fw exit code=1", "a fw fault needs a trigger");
	refused("irq:ch1 spurious;irq:ch1 spurious;irq:ch1 spurious;irq:ch1 spurious;"
		"irq:ch1 spurious;irq:ch1 spurious;irq:ch1 spurious;irq:ch1 spurious;"
		"irq:ch1 spurious",
		"at most 8 rules the firmware applies");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(irq_delayed),
	    cmocka_unit_test(irq_spurious),
	    cmocka_unit_test(exit_at_msg),
	    cmocka_unit_test(exit_on_match),
	    cmocka_unit_test(exit_at_sent_msg),
	    cmocka_unit_test(exit_on_sent_match),
	    cmocka_unit_test(exit_same_seed_same_message),
	    cmocka_unit_test(exit_at_ms),
	    cmocka_unit_test(ring_used_id),
	    cmocka_unit_test(ring_used_len),
	    cmocka_unit_test(ring_used_idx_jump),
	    cmocka_unit_test(ring_notify_no_publish),
	    cmocka_unit_test(ring1_used_id),
	    cmocka_unit_test(ring1_used_len),
	    cmocka_unit_test(ring1_used_idx_jump),
	    cmocka_unit_test(ring1_events),
	    cmocka_unit_test(bad_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
