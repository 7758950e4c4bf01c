/*
 * libampsim in-process: boot the echo firmware with amp_host_new/start, talk to its channel
 * and through endpoints of our own (amp_host_ept_new), with no daemon. The firmware is a
 * real child process; the GLib loop is iterated here with bounded waits.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <amp/error.h>
#include <ampsim/host.h>

struct ctx {
	struct amp_host_chan *chan; /* the echo channel once announced */
	char got[512];
	size_t got_len;
	uint32_t got_src;
	int got_n;
	int gone_n;
	char why[128];
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

static void on_chan_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct ctx *c = priv;
	memcpy(c->got, data, len);
	c->got_len = len;
	c->got_src = ch->remote;
	c->got_n++;
}

static const struct amp_host_ops host_ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_chan_receive,
};

static void on_ept_receive(void *priv, struct amp_host_ept *e, const void *data, size_t len,
			   uint32_t src)
{
	struct ctx *c = priv;
	(void)e;
	memcpy(c->got, data, len);
	c->got_len = len;
	c->got_src = src;
	c->got_n++;
}

static void on_ept_gone(void *priv, struct amp_host_ept *e, const char *why)
{
	struct ctx *c = priv;
	assert_null(e->host); /* dead before the owner hears of it */
	g_strlcpy(c->why, why, sizeof(c->why));
	c->gone_n++;
}

static const struct amp_host_ept_ops ept_ops = {.receive = on_ept_receive, .gone = on_ept_gone};

/* Iterate the default context until *@flag changes from @from, at most @ms. */
static bool loop_until(const int *flag, int from, int ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;
	while (*flag == from && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	return *flag != from;
}

static struct amp_host *boot(struct ctx *c)
{
	struct amp_host_cfg cfg = {
	    .rproc = {.firmware = ECHO_FW},
	    .ops = &host_ops,
	    .priv = c,
	};
	g_autoptr(GError) err = NULL;
	struct amp_host *h = amp_host_new(&cfg, &err);
	if (!h || !amp_host_start(h, &err))
		fail_msg("cannot boot %s: %s", ECHO_FW, err->message);
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!c->chan && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	assert_non_null(c->chan);
	return h;
}

static void channel_and_own_endpoints_in_process(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c);
	uint32_t echo = c.chan->remote;
	assert_int_equal(amp_host_mtu(h), 496);
	/* The announced channel. */
	int n = c.got_n;
	assert_int_equal(amp_host_send(c.chan, "hello", 5), 0);
	assert_true(loop_until(&c.got_n, n, 2000));
	assert_memory_equal(c.got, "hello", 5);
	/* Our own endpoints: dynamic and fixed source; the echo answers to the source. */
	struct amp_host_ept *a, *b, *dup;
	assert_int_equal(amp_host_ept_new(h, "mine", AMP_RPMSG_ADDR_ANY, echo, &ept_ops, &c, &a),
			 0);
	assert_true(a->src >= 1024);
	assert_string_equal(a->name, "mine");
	assert_int_equal(amp_host_ept_new(h, NULL, 3000, echo, &ept_ops, &c, &b), 0);
	assert_int_equal(b->src, 3000);
	assert_int_equal(amp_host_ept_new(h, "dup", 3000, echo, &ept_ops, &c, &dup),
			 AMP_EADDRINUSE);
	assert_int_equal(amp_host_ept_new(h, "ns", 53, echo, &ept_ops, &c, &dup), AMP_EADDRINUSE);
	n = c.got_n;
	assert_int_equal(amp_host_ept_send(a, "from a", 6), 0);
	assert_true(loop_until(&c.got_n, n, 2000));
	assert_int_equal(c.got_len, 6);
	assert_memory_equal(c.got, "from a", 6);
	assert_int_equal(c.got_src, echo);
	char big[497] = {0};
	assert_int_equal(amp_host_ept_send(b, big, sizeof(big)), AMP_EMSGSIZE);
	g_autofree struct amp_host_ept **list = amp_host_epts(h);
	assert_ptr_equal(list[0], a);
	assert_ptr_equal(list[1], b);
	assert_null(list[2]);
	/* Freed: its address is free again. */
	amp_host_ept_free(b);
	assert_int_equal(amp_host_ept_new(h, NULL, 3000, echo, &ept_ops, &c, &b), 0);
	/* Stopping the firmware kills the endpoints and tells their owner. */
	amp_host_stop(h);
	assert_int_equal(c.gone_n, 2);
	assert_string_equal(c.why, "the firmware is stopping");
	assert_int_equal(amp_host_ept_send(a, "x", 1), AMP_ENOTCONN);
	assert_int_equal(amp_host_ept_new(h, NULL, AMP_RPMSG_ADDR_ANY, echo, &ept_ops, &c, &dup),
			 AMP_ENOTCONN);
	amp_host_ept_free(a);
	amp_host_ept_free(b);
	amp_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(channel_and_own_endpoints_in_process),
	};
	return cmocka_run_group_tests_name("libampsim", tests, NULL, NULL);
}
