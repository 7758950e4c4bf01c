/* GLib main-context helpers for the integration tests; see itest_glib.h. */
#include "itest_glib.h"

static gboolean keep_ticking(gpointer p)
{
	(void)p;
	return G_SOURCE_CONTINUE;
}

bool itest_loop_until(GMainContext *ctx, bool (*done)(const void *arg), const void *arg, int ms)
{
	int64_t end = itest_now_ms() + ms;
	bool ok;
	/* A condition may change outside the loop (shared memory, another process), and no
	 * source may fire at all: a tick wakes the loop every 10 ms to look again. */
	GSource *tick = g_timeout_source_new(10);
	g_source_set_callback(tick, keep_ticking, NULL, NULL);
	g_source_attach(tick, ctx);
	while (!(ok = done && done(arg)) && itest_now_ms() < end)
		g_main_context_iteration(ctx, TRUE);
	g_source_destroy(tick);
	g_source_unref(tick);
	return ok;
}

void itest_loop_for(GMainContext *ctx, int ms)
{
	itest_loop_until(ctx, NULL, NULL, ms);
}

bool itest_flag_set(const void *arg)
{
	return *(const bool *)arg;
}

struct count_at_least {
	const unsigned *count;
	unsigned want;
};

static bool count_reached(const void *arg)
{
	const struct count_at_least *a = arg;
	return *a->count >= a->want;
}

bool itest_loop_until_count(GMainContext *ctx, const unsigned *count, unsigned want, int ms)
{
	return itest_loop_until(ctx, count_reached, &(struct count_at_least){count, want}, ms);
}
