/*
 * The fault plan through libampsim (<ampsim/faults.h>, docs/faults.md): each injection point
 * fires on the echo firmware and its effect and its counter are checked; the same seed
 * fires the same faults; bad rules are refused naming the token. Rules are added once the
 * channel is up, so that the boot's own kicks and announcements are left alone.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <amp/ipcc.h>
#include <ampsim/faults.h>
#include <ampsim/host.h>

#include "fault_host.h"
#include "itest_glib.h"

/* Boot the echo firmware, wait for its channel, then load @p spec with @p seed. */
static struct amp_host *echo_with(struct fctx *c, const char *spec, uint64_t seed)
{
	return fctx_echo_with(c, ECHO_FW, spec, seed);
}

/* ---- doorbells --------------------------------------------------------------------------- */

/* A lost doorbell: the message waits in the ring until the next one rings. */
static void lost_doorbell(const char *rule)
{
	struct fctx c;
	struct amp_host *h = echo_with(&c, rule, 1);
	fctx_send(&c, "a");
	itest_loop_for(NULL, QUIET_MS);
	assert_int_equal(c.got_n, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_send(&c, "b"); /* its doorbell rings, and both are found */
	fctx_expect_got(&c, 2, "a|b|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

static void doorbell_to_linux_dropped(void **state)
{
	(void)state;
	lost_doorbell("kick:ch1:fw->linux drop count=1");
}

static void doorbell_to_fw_dropped(void **state)
{
	(void)state;
	lost_doorbell("kick:ch2:linux->fw drop count=1");
}

static void doorbell_delayed(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "kick:ch2:linux->fw delay ms=400 count=1", 1);
	int64_t t0 = itest_now_ms();
	fctx_send(&c, "slow");
	fctx_expect_got(&c, 1, "slow|");
	assert_true(itest_now_ms() - t0 >= 400); /* a lower bound: safe on a busy machine */
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

static bool kicks_reach(const void *arg)
{
	const struct fctx *c = arg;
	const struct amp_ipcc_link *l = amp_host_ipcc_link(c->h);
	return atomic_load(&l->chan[AMP_IPCC_CH2].kicks) >= 2;
}

/* Both ways: the firmware is rung twice, the host handles a spurious second interrupt. */
static void doorbell_duplicated(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h =
	    echo_with(&c, "kick:ch2:linux->fw dup count=1; kick:ch1:fw->linux dup count=1", 1);
	uint64_t before = atomic_load(&amp_host_ipcc_link(h)->chan[AMP_IPCC_CH2].kicks);
	assert_int_equal(before, 0); /* nothing sent yet since boot */
	fctx_send(&c, "once");
	fctx_expect_got(&c, 1, "once|"); /* a doorbell is not a message: one answer */
	assert_true(itest_loop_until(NULL, kicks_reach, &c, ITEST_REPLY_MS));
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	/* The plan's duplicate is not the firmware notifying without publishing. */
	g_autoptr(GString) stats = g_string_new(NULL);
	amp_host_stats(h, stats);
	assert_null(strstr(stats->str, "notify without publish"));
	fctx_done(&c);
}

/* ---- messages ---------------------------------------------------------------------------- */

static void message_duplicated_both_ways(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:rpmsg-openamp-demo-channel:linux->fw dup count=1", 1);
	fctx_send(&c, "x"); /* the firmware gets it twice and echoes twice */
	fctx_expect_got(&c, 2, "x|x|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	g_autoptr(GError) err = NULL;
	assert_true(amp_host_faults_add(h, "msg:fw->linux dup count=1", &err));
	fctx_send(&c, "y"); /* one echo, delivered twice */
	fctx_expect_got(&c, 4, "x|x|y|y|");
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	fctx_done(&c);
}

static void message_dropped_both_ways(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:linux->fw drop count=1; msg:fw->linux drop after=1 count=1", 1);
	fctx_send(&c, "lost");
	fctx_send(&c, "kept");
	fctx_expect_got(&c, 1, "kept|");
	uint32_t rx = amp_host_rpmsg(h)->stats.rx_msgs;
	fctx_send(&c, "echoed");
	itest_loop_for(NULL, QUIET_MS);
	assert_string_equal(c.got->str, "kept|");
	assert_int_equal(amp_host_rpmsg(h)->stats.rx_msgs, rx + 1); /* it came, and went */
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	fctx_send(&c, "again");
	fctx_expect_got(&c, 2, "kept|again|");
	fctx_done(&c);
}

static void message_corrupted(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c,
				       "msg:linux->fw corrupt-byte offset=1 count=1\n"
				       "msg:fw->linux flip-bit bit=0 after=1 count=1\n"
				       "msg:linux->fw truncate len=2 after=2 count=1",
				       1);
	fctx_send(&c, "hello");
	assert_true(itest_loop_until_count(NULL, &c.got_n, 1, ITEST_REPLY_MS));
	assert_int_equal(c.got->len, 6);
	assert_int_equal(c.got->str[0], 'h');
	assert_true(c.got->str[1] != 'e');
	assert_memory_equal(c.got->str + 2, "llo|", 4);
	fctx_send(&c, "hello");
	assert_true(itest_loop_until_count(NULL, &c.got_n, 2, ITEST_REPLY_MS));
	assert_memory_equal(c.got->str + 6, "iello|", 6); /* 'h' ^ 1 */
	fctx_send(&c, "hello");
	assert_true(itest_loop_until_count(NULL, &c.got_n, 3, ITEST_REPLY_MS));
	assert_int_equal(c.last_len, 2);
	assert_memory_equal(c.got->str + 12, "he|", 3);
	for (unsigned id = 1; id <= 3; id++)
		assert_int_equal(amp_host_faults_fired(h, id), 1);
	fctx_done(&c);
}

/* Held RX buffers: nothing is delivered for the time, then everything, in order. */
static void message_held(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:fw->linux hold ms=400 count=1", 1);
	int64_t t0 = itest_now_ms();
	fctx_send(&c, "a");
	fctx_send(&c, "b");
	itest_loop_for(NULL, 100);
	assert_int_equal(c.got_n, 0); /* "a" is held, and "b" behind it */
	fctx_expect_got(&c, 2, "a|b|");
	assert_true(itest_now_ms() - t0 >= 400);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(amp_host_rpmsg(h)->stats.rx_deferred, 1);
	g_autoptr(GString) list = g_string_new(NULL);
	amp_host_faults_list(h, list); /* the second delivery of "a" is not a new event */
	assert_non_null(strstr(list->str, "rule 1: msg:fw->linux hold ms=400 count=1: seen 2, "
					  "fired 1"));
	fctx_done(&c);
}

/* Reordered before publishing: "1" goes after "2"; alone, it goes at the flush. */
static void message_reordered(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw reorder window=2 count=1", 1);
	fctx_send(&c, "1");
	fctx_send(&c, "2");
	fctx_send(&c, "3");
	fctx_expect_got(&c, 3, "2|1|3|"); /* the echo answers in the order it received */
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	g_autoptr(GError) err = NULL;
	assert_true(amp_host_faults_add(h, "msg:linux->fw reorder ms=300 count=1", &err));
	int64_t t0 = itest_now_ms();
	fctx_send(&c, "solo"); /* nothing follows: the flush sends it */
	fctx_expect_got(&c, 4, "2|1|3|solo|");
	assert_true(itest_now_ms() - t0 >= 300);
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	fctx_done(&c);
}

/* ---- the firmware process ---------------------------------------------------------------- */

static void wait_crash(struct fctx *c, const char *why)
{
	assert_true(itest_loop_until_count(NULL, &c->crashes, 1, ITEST_REPLY_MS));
	if (!strstr(c->why, why))
		fail_msg("crash reason '%s', expected '%s'", c->why, why);
}

static void crash_after_exactly_n_messages(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "fw crash at-msg=3", 1);
	fctx_send(&c, "1");
	fctx_expect_got(&c, 1, "1|");
	fctx_send(&c, "2");
	fctx_expect_got(&c, 2, "1|2|");
	assert_int_equal(c.crashes, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), 0);
	fctx_send(&c, "3");
	wait_crash(&c, "signal 9");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* @p var (a sanitizer's options) with @p opt appended, for the firmware started next. */
static void add_option(const char *var, const char *opt)
{
	const char *old = getenv(var);
	g_autofree char *v = old && *old ? g_strconcat(old, ":", opt, NULL) : g_strdup(opt);
	setenv(var, v, 1);
}

static void crash_on_a_matching_message(void **state)
{
	(void)state;
	struct fctx c;
	/* A sanitized firmware would catch the SIGSEGV and write its report first, which can take
	 * longer than the wait on a busy machine: it dies by the signal, as an unsanitized one. */
	g_autofree char *asan = g_strdup(getenv("ASAN_OPTIONS"));
	g_autofree char *tsan = g_strdup(getenv("TSAN_OPTIONS"));
	add_option("ASAN_OPTIONS", "handle_segv=0");
	add_option("TSAN_OPTIONS", "handle_segv=0");
	struct amp_host *h = echo_with(&c, "fw crash match=boom signal=SEGV", 1);
	asan ? setenv("ASAN_OPTIONS", asan, 1) : unsetenv("ASAN_OPTIONS");
	tsan ? setenv("TSAN_OPTIONS", tsan, 1) : unsetenv("TSAN_OPTIONS");
	fctx_send(&c, "fine");
	fctx_expect_got(&c, 1, "fine|");
	fctx_send(&c, "ka-boom");
	wait_crash(&c, "killed by signal 11");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

static void crash_at_a_time(void **state)
{
	(void)state;
	struct fctx c;
	int64_t t0 = itest_now_ms();
	struct amp_host *h = echo_with(&c, "fw crash at-ms=200 signal=ABRT", 1);
	wait_crash(&c, "signal 6");
	assert_true(itest_now_ms() - t0 >= 200);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* A stalled core: no answer while stopped, the answer after. */
static void stall_delays_the_answer(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "fw stall at-msg=1 ms=500", 1);
	int64_t t0 = itest_now_ms();
	fctx_send(&c, "wait");
	fctx_expect_got(&c, 1, "wait|");
	/* The SIGSTOP may land after the firmware answered; the second message then waits. */
	if (itest_now_ms() - t0 < 500) {
		fctx_send(&c, "then");
		fctx_expect_got(&c, 2, "wait|then|");
	}
	assert_true(itest_now_ms() - t0 >= 450);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(c.crashes, 0);
	fctx_done(&c);
}

/* The user story: a stall longer than the watchdog's period is a crash. */
static void stall_trips_the_watchdog(void **state)
{
	(void)state;
	struct fctx c;
	char *args[] = {"pet", NULL};
	struct amp_host *h = fctx_host_new(&c, WDG_FW, args, 250, false);
	g_autoptr(GError) err = NULL;
	assert_true(amp_host_faults_add(h, "fw stall at-ms=100 ms=5000", &err));
	assert_true(amp_host_start(h, &err));
	wait_crash(&c, "watchdog");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	fctx_done(&c);
}

/* ---- determinism, errors, the empty plan --------------------------------------------------- */

/* 24 round trips through "msg:linux->fw drop p=0.5": what fired, as listed. */
static char *fired_with_seed(uint64_t seed)
{
	struct fctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw drop p=0.5", seed);
	for (unsigned i = 0; i < 24; i++) {
		char msg[8];
		snprintf(msg, sizeof(msg), "m%u", i);
		uint64_t fired = amp_host_faults_fired(h, 1);
		unsigned n = c.got_n;
		fctx_send(&c, msg);
		if (amp_host_faults_fired(h, 1) == fired)
			assert_true(itest_loop_until_count(NULL, &c.got_n, n + 1, ITEST_REPLY_MS));
	}
	g_autoptr(GString) list = g_string_new(NULL);
	amp_host_faults_list(h, list);
	assert_int_equal(amp_host_faults_seed(h), seed);
	uint64_t fired = amp_host_faults_fired(h, 1);
	assert_true(fired > 0 && fired < 24);
	assert_int_equal(c.got_n, 24 - fired);
	fctx_done(&c);
	const char *seq = strstr(list->str, "fired, in order:");
	assert_non_null(seq);
	return g_strdup(seq);
}

static void same_seed_same_faults(void **state)
{
	(void)state;
	g_autofree char *a = fired_with_seed(42);
	g_autofree char *b = fired_with_seed(42);
	g_autofree char *other = fired_with_seed(43);
	assert_string_equal(a, b);
	assert_string_not_equal(a, other);
}

static void bad_rules_name_the_token(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
	    {"kick:ch3 drop", "'ch3'"},
	    {"kick:ch1:sideways drop", "'sideways'"},
	    {"kick drop", "'kick'"},
	    {"rings drop", "'rings'"},
	    {"msg explode", "'explode'"},
	    {"kick:ch1 delay", "needs ms=N"},
	    {"kick:ch1 delay ms=9..3", "'ms=9..3'"},
	    {"msg drop p=1.5", "'p=1.5'"},
	    {"msg drop offset=3", "'offset=3'"},
	    {"fw crash", "needs a trigger"},
	    {"msg:linux->fw hold ms=5", "use msg[:NAME]:fw->linux"},
	    {"msg hold", "hold needs ms=N"},
	    {"msg:fw->linux reorder", "use msg[:NAME]:linux->fw"},
	    {"msg reorder window=1", "'window=1'"},
	    {"fw crash at-msg=0", "'at-msg=0'"},
	    {"fw crash at-msg=2 at-ms=5", "'at-ms=5'"},
	    {"fw crash at-msg=1 signal=HUP", "'signal=HUP'"},
	    {"fw stall at-ms=5", "needs ms=N"},
	    {"msg drop; fw stall at-msg=1", "needs ms=N"}, /* all or nothing: msg drop stays out */
	};
	struct fctx c;
	struct amp_host *h = fctx_host_new(&c, ECHO_FW, NULL, 0, false);
	fctx_expect_refused(h, bad, G_N_ELEMENTS(bad));
	g_autoptr(GString) list = g_string_new(NULL);
	amp_host_faults_list(h, list);
	assert_non_null(strstr(list->str, ", 0 rules,"));
	fctx_done(&c);
	/* Once the firmware runs, a channel it never announced is an error too. */
	h = echo_with(&c, "", 1);
	g_autoptr(GError) err = NULL;
	assert_false(amp_host_faults_add(h, "msg:nope drop", &err));
	assert_non_null(strstr(err->message, "'nope'"));
	assert_non_null(strstr(err->message, "'rpmsg-openamp-demo-channel'"));
	fctx_done(&c);
}

/* An empty plan (and one of comments only) changes nothing. */
static void empty_plan_changes_nothing(void **state)
{
	(void)state;
	struct fctx c;
	struct amp_host *h = echo_with(&c, "# nothing yet\n ; \n", 7);
	fctx_send(&c, "plain");
	fctx_expect_got(&c, 1, "plain|");
	g_autoptr(GString) stats = g_string_new(NULL);
	amp_host_stats(h, stats);
	assert_non_null(strstr(stats->str, "faults: seed 7, 0 rules"));
	assert_int_equal(amp_host_faults_fired(h, 0), 0);
	fctx_done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(doorbell_to_linux_dropped),
	    cmocka_unit_test(doorbell_to_fw_dropped),
	    cmocka_unit_test(doorbell_delayed),
	    cmocka_unit_test(doorbell_duplicated),
	    cmocka_unit_test(message_duplicated_both_ways),
	    cmocka_unit_test(message_dropped_both_ways),
	    cmocka_unit_test(message_corrupted),
	    cmocka_unit_test(message_held),
	    cmocka_unit_test(message_reordered),
	    cmocka_unit_test(crash_after_exactly_n_messages),
	    cmocka_unit_test(crash_on_a_matching_message),
	    cmocka_unit_test(crash_at_a_time),
	    cmocka_unit_test(stall_delays_the_answer),
	    cmocka_unit_test(stall_trips_the_watchdog),
	    cmocka_unit_test(same_seed_same_faults),
	    cmocka_unit_test(bad_rules_name_the_token),
	    cmocka_unit_test(empty_plan_changes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
