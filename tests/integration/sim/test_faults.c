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

#include <amp/error.h>
#include <amp/ipcc.h>
#include <ampsim/error.h>
#include <ampsim/faults.h>
#include <ampsim/host.h>

#include "itest_glib.h"

#define QUIET_MS 300 /* how long "nothing arrives" is watched: a fault that failed shows */

struct ctx {
	struct amp_host_chan *chan;
	GString *got; /* every message received, each followed by '|' */
	unsigned got_n;
	size_t last_len;
	unsigned crashes;
	char why[128];
	struct amp_host *h;
};

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	((struct ctx *)priv)->chan = ch;
}

static void on_channel_gone(void *priv, struct amp_host_chan *ch, const char *why)
{
	struct ctx *c = priv;
	(void)why;
	if (c->chan == ch)
		c->chan = NULL;
}

static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct ctx *c = priv;
	(void)ch;
	g_string_append_len(c->got, data, (gssize)len);
	g_string_append_c(c->got, '|');
	c->last_len = len;
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

static const struct amp_host_ops ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_receive,
    .rproc_event = on_rproc,
};

static bool announced(const void *arg)
{
	return ((const struct ctx *)arg)->chan != NULL;
}

static struct amp_host *host_new(struct ctx *c, const char *fw, char **args, unsigned wdg_ms)
{
	memset(c, 0, sizeof(*c));
	c->got = g_string_new(NULL);
	struct amp_host_cfg cfg = {
	    .rproc = {.firmware = fw, .watchdog_ms = wdg_ms, .no_recovery = true},
	    .process = {.fw_args = args},
	    .ops = &ops,
	    .priv = c};
	g_autoptr(GError) err = NULL;
	c->h = amp_host_new(&cfg, &err);
	if (!c->h)
		fail_msg("amp_host_new: %s", err->message);
	return c->h;
}

/* Boot the echo firmware, wait for its channel, then load @p spec with @p seed. */
static struct amp_host *echo_with(struct ctx *c, const char *spec, uint64_t seed)
{
	struct amp_host *h = host_new(c, ECHO_FW, NULL, 0);
	g_autoptr(GError) err = NULL;
	if (!amp_host_start(h, &err))
		fail_msg("cannot boot the echo firmware: %s", err->message);
	assert_true(itest_loop_until(NULL, announced, c, ITEST_BOOT_MS));
	amp_host_faults_set_seed(h, seed);
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

/* ---- doorbells --------------------------------------------------------------------------- */

/* A lost doorbell: the message waits in the ring until the next one rings. */
static void lost_doorbell(const char *rule)
{
	struct ctx c;
	struct amp_host *h = echo_with(&c, rule, 1);
	send_str(&c, "a");
	itest_loop_for(NULL, QUIET_MS);
	assert_int_equal(c.got_n, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	send_str(&c, "b"); /* its doorbell rings, and both are found */
	expect_got(&c, 2, "a|b|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
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
	struct ctx c;
	struct amp_host *h = echo_with(&c, "kick:ch2:linux->fw delay ms=400 count=1", 1);
	int64_t t0 = itest_now_ms();
	send_str(&c, "slow");
	expect_got(&c, 1, "slow|");
	assert_true(itest_now_ms() - t0 >= 400); /* a lower bound: safe on a busy machine */
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

static bool kicks_reach(const void *arg)
{
	const struct ctx *c = arg;
	const struct amp_ipcc_link *l = amp_host_ipcc_link(c->h);
	return atomic_load(&l->chan[AMP_IPCC_CH2].kicks) >= 2;
}

/* Both ways: the firmware is rung twice, the host handles a spurious second interrupt. */
static void doorbell_duplicated(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h =
	    echo_with(&c, "kick:ch2:linux->fw dup count=1; kick:ch1:fw->linux dup count=1", 1);
	uint64_t before = atomic_load(&amp_host_ipcc_link(h)->chan[AMP_IPCC_CH2].kicks);
	assert_int_equal(before, 0); /* nothing sent yet since boot */
	send_str(&c, "once");
	expect_got(&c, 1, "once|"); /* a doorbell is not a message: one answer */
	assert_true(itest_loop_until(NULL, kicks_reach, &c, ITEST_REPLY_MS));
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	/* The plan's duplicate is not the firmware notifying without publishing. */
	g_autoptr(GString) stats = g_string_new(NULL);
	amp_host_stats(h, stats);
	assert_null(strstr(stats->str, "notify without publish"));
	done(&c);
}

/* ---- messages ---------------------------------------------------------------------------- */

static void message_duplicated_both_ways(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:rpmsg-openamp-demo-channel:linux->fw dup count=1", 1);
	send_str(&c, "x"); /* the firmware gets it twice and echoes twice */
	expect_got(&c, 2, "x|x|");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	g_autoptr(GError) err = NULL;
	assert_true(amp_host_faults_add(h, "msg:fw->linux dup count=1", &err));
	send_str(&c, "y"); /* one echo, delivered twice */
	expect_got(&c, 4, "x|x|y|y|");
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	done(&c);
}

static void message_dropped_both_ways(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h =
	    echo_with(&c, "msg:linux->fw drop count=1; msg:fw->linux drop after=1 count=1", 1);
	send_str(&c, "lost");
	send_str(&c, "kept");
	expect_got(&c, 1, "kept|");
	uint32_t rx = amp_host_rpmsg(h)->stats.rx_msgs;
	send_str(&c, "echoed");
	itest_loop_for(NULL, QUIET_MS);
	assert_string_equal(c.got->str, "kept|");
	assert_int_equal(amp_host_rpmsg(h)->stats.rx_msgs, rx + 1); /* it came, and went */
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	send_str(&c, "again");
	expect_got(&c, 2, "kept|again|");
	done(&c);
}

static void message_corrupted(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c,
				       "msg:linux->fw corrupt-byte offset=1 count=1\n"
				       "msg:fw->linux flip-bit bit=0 after=1 count=1\n"
				       "msg:linux->fw truncate len=2 after=2 count=1",
				       1);
	send_str(&c, "hello");
	assert_true(itest_loop_until_count(NULL, &c.got_n, 1, ITEST_REPLY_MS));
	assert_int_equal(c.got->len, 6);
	assert_int_equal(c.got->str[0], 'h');
	assert_true(c.got->str[1] != 'e');
	assert_memory_equal(c.got->str + 2, "llo|", 4);
	send_str(&c, "hello");
	assert_true(itest_loop_until_count(NULL, &c.got_n, 2, ITEST_REPLY_MS));
	assert_memory_equal(c.got->str + 6, "iello|", 6); /* 'h' ^ 1 */
	send_str(&c, "hello");
	assert_true(itest_loop_until_count(NULL, &c.got_n, 3, ITEST_REPLY_MS));
	assert_int_equal(c.last_len, 2);
	assert_memory_equal(c.got->str + 12, "he|", 3);
	for (unsigned id = 1; id <= 3; id++)
		assert_int_equal(amp_host_faults_fired(h, id), 1);
	done(&c);
}

/* Held RX buffers: nothing is delivered for the time, then everything, in order. */
static void message_held(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "msg:fw->linux hold ms=400 count=1", 1);
	int64_t t0 = itest_now_ms();
	send_str(&c, "a");
	send_str(&c, "b");
	itest_loop_for(NULL, 100);
	assert_int_equal(c.got_n, 0); /* "a" is held, and "b" behind it */
	expect_got(&c, 2, "a|b|");
	assert_true(itest_now_ms() - t0 >= 400);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(amp_host_rpmsg(h)->stats.rx_deferred, 1);
	g_autoptr(GString) list = g_string_new(NULL);
	amp_host_faults_list(h, list); /* the second delivery of "a" is not a new event */
	assert_non_null(strstr(list->str, "rule 1: msg:fw->linux hold ms=400 count=1: seen 2, "
					  "fired 1"));
	done(&c);
}

/* Reordered before publishing: "1" goes after "2"; alone, it goes at the flush. */
static void message_reordered(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw reorder window=2 count=1", 1);
	send_str(&c, "1");
	send_str(&c, "2");
	send_str(&c, "3");
	expect_got(&c, 3, "2|1|3|"); /* the echo answers in the order it received */
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	g_autoptr(GError) err = NULL;
	assert_true(amp_host_faults_add(h, "msg:linux->fw reorder ms=300 count=1", &err));
	int64_t t0 = itest_now_ms();
	send_str(&c, "solo"); /* nothing follows: the flush sends it */
	expect_got(&c, 4, "2|1|3|solo|");
	assert_true(itest_now_ms() - t0 >= 300);
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	done(&c);
}

/* ---- the firmware process ---------------------------------------------------------------- */

static void wait_crash(struct ctx *c, const char *why)
{
	assert_true(itest_loop_until_count(NULL, &c->crashes, 1, ITEST_REPLY_MS));
	if (!strstr(c->why, why))
		fail_msg("crash reason '%s', expected '%s'", c->why, why);
}

static void crash_after_exactly_n_messages(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "fw crash at-msg=3", 1);
	send_str(&c, "1");
	expect_got(&c, 1, "1|");
	send_str(&c, "2");
	expect_got(&c, 2, "1|2|");
	assert_int_equal(c.crashes, 0);
	assert_int_equal(amp_host_faults_fired(h, 1), 0);
	send_str(&c, "3");
	wait_crash(&c, "signal 9");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
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
	struct ctx c;
	/* A sanitized firmware would catch the SIGSEGV and write its report first, which can take
	 * longer than the wait on a busy machine: it dies by the signal, as an unsanitized one. */
	g_autofree char *asan = g_strdup(getenv("ASAN_OPTIONS"));
	g_autofree char *tsan = g_strdup(getenv("TSAN_OPTIONS"));
	add_option("ASAN_OPTIONS", "handle_segv=0");
	add_option("TSAN_OPTIONS", "handle_segv=0");
	struct amp_host *h = echo_with(&c, "fw crash match=boom signal=SEGV", 1);
	asan ? setenv("ASAN_OPTIONS", asan, 1) : unsetenv("ASAN_OPTIONS");
	tsan ? setenv("TSAN_OPTIONS", tsan, 1) : unsetenv("TSAN_OPTIONS");
	send_str(&c, "fine");
	expect_got(&c, 1, "fine|");
	send_str(&c, "ka-boom");
	wait_crash(&c, "killed by signal 11");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

static void crash_at_a_time(void **state)
{
	(void)state;
	struct ctx c;
	int64_t t0 = itest_now_ms();
	struct amp_host *h = echo_with(&c, "fw crash at-ms=200 signal=ABRT", 1);
	wait_crash(&c, "signal 6");
	assert_true(itest_now_ms() - t0 >= 200);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* A stalled core: no answer while stopped, the answer after. */
static void stall_delays_the_answer(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "fw stall at-msg=1 ms=500", 1);
	int64_t t0 = itest_now_ms();
	send_str(&c, "wait");
	expect_got(&c, 1, "wait|");
	/* The SIGSTOP may land after the firmware answered; the second message then waits. */
	if (itest_now_ms() - t0 < 500) {
		send_str(&c, "then");
		expect_got(&c, 2, "wait|then|");
	}
	assert_true(itest_now_ms() - t0 >= 450);
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	assert_int_equal(c.crashes, 0);
	done(&c);
}

/* The user story: a stall longer than the watchdog's period is a crash. */
static void stall_trips_the_watchdog(void **state)
{
	(void)state;
	struct ctx c;
	char *args[] = {"pet", NULL};
	struct amp_host *h = host_new(&c, WDG_FW, args, 250);
	g_autoptr(GError) err = NULL;
	assert_true(amp_host_faults_add(h, "fw stall at-ms=100 ms=5000", &err));
	assert_true(amp_host_start(h, &err));
	wait_crash(&c, "watchdog");
	assert_int_equal(amp_host_faults_fired(h, 1), 1);
	done(&c);
}

/* ---- determinism, errors, the empty plan --------------------------------------------------- */

/* 24 round trips through "msg:linux->fw drop p=0.5": what fired, as listed. */
static char *fired_with_seed(uint64_t seed)
{
	struct ctx c;
	struct amp_host *h = echo_with(&c, "msg:linux->fw drop p=0.5", seed);
	for (unsigned i = 0; i < 24; i++) {
		char msg[8];
		snprintf(msg, sizeof(msg), "m%u", i);
		uint64_t fired = amp_host_faults_fired(h, 1);
		unsigned n = c.got_n;
		send_str(&c, msg);
		if (amp_host_faults_fired(h, 1) == fired)
			assert_true(itest_loop_until_count(NULL, &c.got_n, n + 1, ITEST_REPLY_MS));
	}
	g_autoptr(GString) list = g_string_new(NULL);
	amp_host_faults_list(h, list);
	assert_int_equal(amp_host_faults_seed(h), seed);
	uint64_t fired = amp_host_faults_fired(h, 1);
	assert_true(fired > 0 && fired < 24);
	assert_int_equal(c.got_n, 24 - fired);
	done(&c);
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
	struct ctx c;
	struct amp_host *h = host_new(&c, ECHO_FW, NULL, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) err = NULL;
		assert_false(amp_host_faults_add(h, bad[i][0], &err));
		assert_int_equal(amp_error_code(err), AMP_EINVAL);
		if (!strstr(err->message, bad[i][1]) || !strstr(err->message, "docs/faults.md"))
			fail_msg("'%s': '%s' does not name %s", bad[i][0], err->message, bad[i][1]);
	}
	g_autoptr(GString) list = g_string_new(NULL);
	amp_host_faults_list(h, list);
	assert_non_null(strstr(list->str, ", 0 rules,"));
	done(&c);
	/* Once the firmware runs, a channel it never announced is an error too. */
	h = echo_with(&c, "", 1);
	g_autoptr(GError) err = NULL;
	assert_false(amp_host_faults_add(h, "msg:nope drop", &err));
	assert_non_null(strstr(err->message, "'nope'"));
	assert_non_null(strstr(err->message, "'rpmsg-openamp-demo-channel'"));
	done(&c);
}

/* An empty plan (and one of comments only) changes nothing. */
static void empty_plan_changes_nothing(void **state)
{
	(void)state;
	struct ctx c;
	struct amp_host *h = echo_with(&c, "# nothing yet\n ; \n", 7);
	send_str(&c, "plain");
	expect_got(&c, 1, "plain|");
	g_autoptr(GString) stats = g_string_new(NULL);
	amp_host_stats(h, stats);
	assert_non_null(strstr(stats->str, "faults: seed 7, 0 rules"));
	assert_int_equal(amp_host_faults_fired(h, 0), 0);
	done(&c);
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
