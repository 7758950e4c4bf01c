/*
 * The upper firmware, tested on the host: its handler as a unit, then the firmware itself
 * booted in-process with libampsim (no daemon), one message through its channel.
 *   test_upper FIRMWARE
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <ampsim/host.h>

#include "upper_proto.h"

#define BOOT_MS 20000 /* a generous bound for a busy machine, not a timing assumption */

static const char *firmware;

struct ctx {
	struct amp_host_chan *chan;
	char reply[UPPER_MAX];
	size_t reply_len;
	unsigned replies;
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
	assert_true(len <= sizeof(c->reply));
	memcpy(c->reply, data, len);
	c->reply_len = len;
	c->replies++;
}

static const struct amp_host_ops ops = {
    .channel_new = on_channel_new, .channel_gone = on_channel_gone, .receive = on_receive};

static gboolean tick(gpointer unused)
{
	(void)unused;
	return G_SOURCE_CONTINUE;
}

/* Iterate the default main context until @p done, at most BOOT_MS (a 10 ms tick wakes it). */
static bool wait_for(bool (*done)(const struct ctx *), const struct ctx *c)
{
	gint64 end = g_get_monotonic_time() + (gint64)BOOT_MS * 1000;
	guint t = g_timeout_add(10, tick, NULL);
	while (!done(c) && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(t);
	return done(c);
}

static bool announced(const struct ctx *c)
{
	return c->chan != NULL;
}

static bool replied(const struct ctx *c)
{
	return c->replies > 0;
}

static void converts_ascii_only(void **state)
{
	(void)state;
	char out[16];
	upper_convert("abc XYZ 09\xe9", 11, out);
	assert_memory_equal(out, "ABC XYZ 09\xe9", 11);
}

static void firmware_answers_in_upper_case(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host_cfg cfg = {.rproc = {.firmware = firmware}, .ops = &ops, .priv = &c};
	g_autoptr(GError) err = NULL;
	struct amp_host *h = amp_host_new(&cfg, &err);
	if (!h || !amp_host_start(h, &err))
		fail_msg("cannot boot %s: %s", firmware, err->message);
	assert_true(wait_for(announced, &c));
	assert_string_equal(c.chan->name, UPPER_SERVICE);

	assert_int_equal(amp_host_send(c.chan, "hello, m4", 9), 0);
	assert_true(wait_for(replied, &c));
	assert_int_equal(c.reply_len, 9);
	assert_memory_equal(c.reply, "HELLO, M4", 9);
	amp_host_free(h);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_upper FIRMWARE\n");
		return 2;
	}
	firmware = argv[1];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(converts_ascii_only),
	    cmocka_unit_test(firmware_answers_in_upper_case),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
