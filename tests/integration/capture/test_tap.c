/*
 * libampsim's message tap (amp_host_set_tap, docs/capture.md) in-process against the echo
 * firmware: the announcement (to address 53, name ""), every send after it succeeded and
 * every receive before its callback, each exactly once, even when the receiver defers a
 * message (amp_host_rx_defer) and takes it on redelivery.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <amp/error.h>
#include <ampsim/host.h>

#include "itest_glib.h"

#define N 4u

struct seen {
	bool to_fw;
	char name[32];
	uint32_t src, dst;
	uint16_t len;
	char payload[16];
};

struct ctx {
	struct amp_host *h;
	struct amp_host_chan *ch;
	struct seen seen[16];
	unsigned nseen;
	unsigned delivered; /* receive callbacks that took their message */
	unsigned deferrals; /* how often the receiver still has to defer */
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void on_tap(void *priv, const struct amp_host_msg *m)
{
	struct ctx *c = priv;
	assert_true(c->nseen < 16);
	struct seen *s = &c->seen[c->nseen++];
	s->to_fw = m->to_fw;
	strncpy(s->name, m->name, sizeof(s->name) - 1);
	s->src = le32(m->hdr);
	s->dst = le32(m->hdr + 4);
	s->len = (uint16_t)(m->hdr[12] | m->hdr[13] << 8);
	assert_int_equal(s->len, m->len);
	memcpy(s->payload, m->payload, m->len < 16 ? m->len : 15);
}

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	((struct ctx *)priv)->ch = ch;
}

static gboolean resume(gpointer h)
{
	amp_host_rx_resume(h);
	return G_SOURCE_REMOVE;
}

/* Defer the first echo twice (resumed from the loop, once it is parked), then take all. */
static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct ctx *c = priv;
	(void)data;
	(void)len;
	if (c->deferrals > 0) {
		c->deferrals--;
		amp_host_rx_defer(ch->host);
		g_idle_add(resume, ch->host);
		return;
	}
	c->delivered++;
}

static const struct amp_host_ops ops = {.channel_new = on_channel_new, .receive = on_receive};

static bool announced(const void *arg)
{
	return ((const struct ctx *)arg)->ch != NULL;
}

static void every_message_once_even_when_deferred(void **state)
{
	(void)state;
	struct ctx c = {.deferrals = 2};
	struct amp_host_cfg cfg = {.rproc = {.firmware = ECHO_FW}, .ops = &ops, .priv = &c};
	GError *err = NULL;
	c.h = amp_host_new(&cfg, &err);
	assert_non_null(c.h);
	amp_host_set_tap(c.h, on_tap, &c);
	assert_true(amp_host_start(c.h, &err));
	assert_true(itest_loop_until(NULL, announced, &c, ITEST_BOOT_MS));
	static const char *const msgs[N] = {"one", "two", "three", "four"};
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(amp_host_send(c.ch, msgs[i], strlen(msgs[i])), AMP_OK);
	assert_true(itest_loop_until_count(NULL, &c.delivered, N, ITEST_REPLY_MS));
	itest_loop_for(NULL, 50); /* a duplicate would show up now */
	assert_int_equal(c.nseen, 1 + 2 * N);
	assert_false(c.seen[0].to_fw); /* the announcement */
	assert_string_equal(c.seen[0].name, "");
	assert_int_equal(c.seen[0].dst, 53);
	assert_int_equal(c.seen[0].len, 40);
	assert_string_equal(c.seen[0].payload, "rpmsg-openamp-d"); /* 15 bytes kept */
	unsigned tx = 0, rx = 0;
	for (unsigned i = 1; i < c.nseen; i++) {
		const struct seen *s = &c.seen[i];
		assert_string_equal(s->name, c.ch->name);
		const char *want = msgs[s->to_fw ? tx++ : rx++];
		assert_string_equal(s->payload, want);
		assert_int_equal(s->src, s->to_fw ? c.ch->ept.addr : c.ch->remote);
		assert_int_equal(s->dst, s->to_fw ? c.ch->remote : c.ch->ept.addr);
	}
	assert_int_equal(tx, N);
	assert_int_equal(rx, N);
	amp_host_free(c.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_message_once_even_when_deferred),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
