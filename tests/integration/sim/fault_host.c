/* The fault-plan tests' host; see fault_host.h. */
#include "fault_host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include <amp/error.h>
#include <ampsim/error.h>
#include <ampsim/faults.h>
#include <ampsim/rproc.h>

#include "itest.h"
#include "itest_glib.h"

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	struct fctx *c = priv;
	c->chan = ch;
	c->chans++;
}

static void on_channel_gone(void *priv, struct amp_host_chan *ch, const char *why)
{
	struct fctx *c = priv;
	(void)why;
	if (c->chan == ch)
		c->chan = NULL;
}

static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct fctx *c = priv;
	(void)ch;
	g_string_append_len(c->got, data, (gssize)len);
	g_string_append_c(c->got, '|');
	c->last_len = len;
	c->got_n++;
}

static void on_rproc(void *priv, enum amp_rproc_event ev)
{
	struct fctx *c = priv;
	if (ev != AMP_RPROC_EV_CRASHED)
		return;
	g_strlcpy(c->why, amp_rproc_crash_reason(amp_host_rproc(c->h)), sizeof(c->why));
	c->crashes++;
}

static void on_tx_ready(void *priv)
{
	((struct fctx *)priv)->tx_ready++;
}

static const struct amp_host_ops ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_receive,
    .rproc_event = on_rproc,
    .tx_ready = on_tx_ready,
};

struct amp_host *fctx_host_new(struct fctx *c, const char *fw, char **args, unsigned wdg_ms,
			       bool recovery)
{
	memset(c, 0, sizeof(*c));
	c->got = g_string_new(NULL);
	struct amp_host_cfg cfg = {
	    .rproc = {.firmware = fw, .watchdog_ms = wdg_ms, .no_recovery = !recovery},
	    .process = {.fw_args = args},
	    .ops = &ops,
	    .priv = c};
	g_autoptr(GError) err = NULL;
	c->h = amp_host_new(&cfg, &err);
	if (!c->h)
		fail_msg("amp_host_new: %s", err->message);
	return c->h;
}

void fctx_start(struct fctx *c)
{
	g_autoptr(GError) err = NULL;
	if (!amp_host_start(c->h, &err))
		fail_msg("cannot boot the firmware: %s", err->message);
}

static bool announced(const void *arg)
{
	return ((const struct fctx *)arg)->chan != NULL;
}

void fctx_wait_channel(struct fctx *c)
{
	assert_true(itest_loop_until(NULL, announced, c, ITEST_BOOT_MS));
}

void fctx_load(struct fctx *c, const char *spec, uint64_t seed)
{
	g_autoptr(GError) err = NULL;
	amp_host_faults_set_seed(c->h, seed);
	if (!amp_host_faults_add(c->h, spec, &err))
		fail_msg("'%s' refused: %s", spec, err->message);
}

struct amp_host *fctx_echo_with(struct fctx *c, const char *fw, const char *spec, uint64_t seed)
{
	fctx_host_new(c, fw, NULL, 0, false);
	fctx_start(c);
	fctx_wait_channel(c);
	fctx_load(c, spec, seed);
	return c->h;
}

void fctx_send(struct fctx *c, const char *s)
{
	assert_int_equal(amp_host_send(c->chan, s, strlen(s)), 0);
}

void fctx_expect_got(struct fctx *c, unsigned n, const char *all)
{
	assert_true(itest_loop_until_count(NULL, &c->got_n, n, ITEST_REPLY_MS));
	itest_loop_for(NULL, 50);
	assert_string_equal(c->got->str, all);
}

void fctx_expect_quiet(struct fctx *c, const char *all)
{
	itest_loop_for(NULL, QUIET_MS);
	assert_string_equal(c->got->str, all);
}

void fctx_done(struct fctx *c)
{
	amp_host_free(c->h);
	g_string_free(c->got, TRUE);
}

void fctx_expect_refused(struct amp_host *h, const char *const bad[][2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g_autoptr(GError) err = NULL;
		assert_false(amp_host_faults_add(h, bad[i][0], &err));
		assert_int_equal(amp_error_code(err), AMP_EINVAL);
		if (!strstr(err->message, bad[i][1]) || !strstr(err->message, "docs/faults.md"))
			fail_msg("'%s': '%s' does not name %s", bad[i][0], err->message, bad[i][1]);
	}
}
