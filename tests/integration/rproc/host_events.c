/* The rproc tests' host and its recorded events; see host_events.h. */
#include "host_events.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "itest_glib.h"

GMainContext *loop_ctx;

static void on_new(void *priv, struct amp_host_chan *ch)
{
	struct host_events *c = priv;
	c->ch = ch;
	c->channels++;
}

static void on_gone(void *priv, struct amp_host_chan *ch, const char *why)
{
	struct host_events *c = priv;
	(void)why;
	if (c->ch == ch)
		c->ch = NULL;
	c->gone++;
}

static void on_rx(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct host_events *c = priv;
	size_t keep = MIN(len, sizeof(c->last) - 1);
	(void)ch;
	c->rx_bytes += len;
	memcpy(c->last, data, keep);
	c->last[keep] = '\0';
}

static void on_event(void *priv, enum amp_rproc_event ev)
{
	struct host_events *c = priv;
	c->crashed += ev == AMP_RPROC_EV_CRASHED;
	c->started += ev == AMP_RPROC_EV_STARTED;
	c->stopping += ev == AMP_RPROC_EV_STOPPING;
	c->stopped += ev == AMP_RPROC_EV_STOPPED;
}

const struct amp_host_ops host_events_ops = {
    .channel_new = on_new, .channel_gone = on_gone, .receive = on_rx, .rproc_event = on_event};

struct amp_host *host_events_new(struct host_events *c, const char *fw, char **args,
				 bool no_recovery, unsigned wdg_ms, GError **err)
{
	struct amp_host_cfg cfg = {.ops = &host_events_ops, .priv = c, .context = loop_ctx};
	memset(c, 0, sizeof(*c));
	cfg.rproc.firmware = fw;
	cfg.process.fw_args = args;
	cfg.rproc.no_recovery = no_recovery;
	cfg.rproc.watchdog_ms = wdg_ms;
	return amp_host_new(&cfg, err);
}

struct amp_host *host_events_started(struct host_events *c, const char *fw, char **args,
				     bool no_recovery, unsigned wdg_ms)
{
	g_autoptr(GError) err = NULL;
	struct amp_host *h = host_events_new(c, fw, args, no_recovery, wdg_ms, &err);
	if (!h)
		fail_msg("no host for %s: %s", fw, err->message);
	if (!amp_host_start(h, &err))
		fail_msg("%s did not start: %s", fw, err->message);
	return h;
}

bool loop_until(const unsigned *count, unsigned want, int ms)
{
	return itest_loop_until_count(loop_ctx, count, want, ms);
}

int loop_ctx_setup(void **state)
{
	(void)state;
	loop_ctx = g_main_context_new();
	return 0;
}

int loop_ctx_teardown(void **state)
{
	(void)state;
	assert_false(g_main_context_pending(NULL));
	g_main_context_unref(loop_ctx);
	return 0;
}
