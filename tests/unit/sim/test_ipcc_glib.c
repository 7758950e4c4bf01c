/*
 * The host end of an IPCC link driven by a GLib main loop (amp_ipcc_glib_source), on the
 * context the caller gives: an explicit one, or NULL for the thread-default one. The global
 * default context is never iterated, so a source attached there would never dispatch.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include <amp/error.h>
#include <amp/stm32mp1.h>
#include "ipcc_glib.h"

struct ctx {
	struct amp_ipcc_shared sh;
	_Atomic uint32_t asleep[2];
	int efds[AMP_IPCC_LINK_NFDS];
	struct amp_ipcc_link host, fw;
	int calls;
	GMainLoop *loop;
};

static void on_host(void *arg, uint32_t ch)
{
	struct ctx *c = arg;

	assert_int_equal(ch, AMP_IPCC_CH_VRING0);
	c->calls++;
	g_main_loop_quit(c->loop);
}

static gboolean on_timeout(gpointer data)
{
	(void)data;
	fail_msg("main loop never dispatched the IRQ");
	return G_SOURCE_REMOVE;
}

/* Run the link's handlers from a loop on @p loop_ctx; the source is attached to @p attach_to. */
static void dispatch_on(GMainContext *loop_ctx, GMainContext *attach_to)
{
	struct ctx *c = g_new0(struct ctx, 1);
	struct amp_ipcc_link_cfg hc = {.proc = AMP_IPCC_PROC1, .mode = AMP_IPCC_WAIT_BLOCK};
	struct amp_ipcc_link_cfg fc = {.proc = AMP_IPCC_PROC2, .mode = AMP_IPCC_WAIT_BLOCK};

	amp_ipcc_reset(&c->sh, 6);
	assert_int_equal(amp_ipcc_efds_create(c->efds), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&c->host, &hc, &c->sh, 6, c->efds, c->asleep), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&c->fw, &fc, &c->sh, 6, c->efds, c->asleep), AMP_OK);
	amp_ipcc_link_set_handler(&c->host, AMP_IPCC_CH_VRING0, on_host, c);
	c->loop = g_main_loop_new(loop_ctx, FALSE);
	GSource *src = amp_ipcc_glib_source(&c->host, attach_to);
	assert_non_null(src);
	assert_ptr_equal(g_source_get_context(src), loop_ctx);
	GSource *to = g_timeout_source_new(5000);
	g_source_set_callback(to, on_timeout, NULL, NULL);
	g_source_attach(to, loop_ctx);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(amp_ipcc_link_kick(&c->fw, AMP_IPCC_CH_VRING0), 1);
		g_main_loop_run(c->loop);
		assert_int_equal(c->calls, i);
	}
	/* Kicks never run the handler themselves: only the loop does. */
	assert_int_equal(amp_ipcc_link_kick(&c->fw, AMP_IPCC_CH_VRING0), 1);
	assert_int_equal(c->calls, 3);
	g_source_destroy(to);
	g_source_unref(to);
	g_source_destroy(src);
	g_source_unref(src);
	g_main_loop_unref(c->loop);
	amp_ipcc_link_deinit(&c->host);
	amp_ipcc_link_deinit(&c->fw);
	amp_ipcc_efds_close(c->efds);
	g_free(c);
}

static void loop_dispatches_handlers(void **state)
{
	(void)state;
	GMainContext *ctx = g_main_context_new();
	dispatch_on(ctx, ctx);
	g_main_context_unref(ctx);
}

/* NULL is the thread-default context, not the global default one. */
static void null_is_the_thread_default_context(void **state)
{
	(void)state;
	GMainContext *ctx = g_main_context_new();
	g_main_context_push_thread_default(ctx);
	dispatch_on(ctx, NULL);
	g_main_context_pop_thread_default(ctx);
	g_main_context_unref(ctx);
}

/* ---- the ADAPTIVE and SPIN host modes (ipcc_glib.h) ------------------------------------ */

struct pair {
	struct amp_ipcc_shared sh;
	_Atomic uint32_t asleep[2];
	int efds[AMP_IPCC_LINK_NFDS];
	struct amp_ipcc_link host, fw;
	int calls;
	GMainContext *ctx;
	GSource *src;
};

static void count_call(void *arg, uint32_t ch)
{
	(void)ch;
	((struct pair *)arg)->calls++;
}

static struct pair *pair_new(enum amp_ipcc_wait host_mode, enum amp_ipcc_wait fw_mode)
{
	struct pair *p = g_new0(struct pair, 1);
	struct amp_ipcc_link_cfg hc = {.proc = AMP_IPCC_PROC1, .mode = host_mode, .poll_ns = 5000};
	struct amp_ipcc_link_cfg fc = {.proc = AMP_IPCC_PROC2, .mode = fw_mode};
	amp_ipcc_reset(&p->sh, 6);
	assert_int_equal(amp_ipcc_efds_create(p->efds), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&p->host, &hc, &p->sh, 6, p->efds, p->asleep), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&p->fw, &fc, &p->sh, 6, p->efds, p->asleep), AMP_OK);
	amp_ipcc_link_set_handler(&p->host, AMP_IPCC_CH_VRING0, count_call, p);
	amp_ipcc_link_set_handler(&p->fw, AMP_IPCC_CH_VRING1, count_call, p);
	p->ctx = g_main_context_new();
	p->src = amp_ipcc_glib_source(&p->host, p->ctx);
	return p;
}

static void pair_free(struct pair *p)
{
	g_source_destroy(p->src);
	g_source_unref(p->src);
	g_main_context_unref(p->ctx);
	amp_ipcc_link_deinit(&p->host);
	amp_ipcc_link_deinit(&p->fw);
	amp_ipcc_efds_close(p->efds);
	g_free(p);
}

static void iterate(struct pair *p, int n)
{
	for (int i = 0; i < n; i++)
		g_main_context_iteration(p->ctx, FALSE);
}

/* A blocking peer never says it is awake: the host polls only after a kick of its own, once,
 * and publishes asleep before the loop sleeps, so the peer's kick writes the eventfd. */
static void adaptive_host_blocking_peer(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_IPCC_WAIT_ADAPTIVE, AMP_IPCC_WAIT_BLOCK);
	iterate(p, 10);
	assert_int_equal(p->host.stats.polls, 0);
	assert_int_equal(atomic_load(&p->asleep[AMP_IPCC_PROC1]), 1);
	/* Our kick, not taken (nobody dispatches the firmware's side): one poll, no more, though
	 * the channel stays occupied. */
	assert_int_equal(amp_ipcc_link_kick(&p->host, AMP_IPCC_CH_VRING1), 1);
	iterate(p, 10);
	assert_int_equal(p->host.stats.polls, 1);
	assert_int_equal(p->host.stats.poll_hits, 0);
	/* The peer's kick reaches the sleeping host through its eventfd. */
	assert_int_equal(amp_ipcc_link_kick(&p->fw, AMP_IPCC_CH_VRING0), 1);
	assert_int_equal(atomic_load(&p->fw.chan[AMP_IPCC_CH_VRING0].efd_writes), 1);
	g_main_context_iteration(p->ctx, TRUE);
	assert_int_equal(p->calls, 1);
	pair_free(p);
}

/* A peer that says it is awake: the host polls before it sleeps (bounded by poll_ns), and
 * a kick found while it is awake costs the peer no eventfd write. */
static void adaptive_host_awake_peer(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_IPCC_WAIT_ADAPTIVE, AMP_IPCC_WAIT_ADAPTIVE);
	atomic_store(&p->asleep[AMP_IPCC_PROC2], 0);
	iterate(p, 1);
	assert_int_equal(p->host.stats.polls, 1);
	assert_int_equal(p->host.stats.poll_hits, 0);
	assert_int_equal(amp_ipcc_link_kick(&p->fw, AMP_IPCC_CH_VRING0), 1);
	iterate(p, 1); /* found by the loop's prepare */
	assert_int_equal(p->calls, 1);
	amp_ipcc_link_set_asleep(&p->host, false); /* as after a dispatch: awake */
	assert_int_equal(amp_ipcc_link_kick(&p->fw, AMP_IPCC_CH_VRING0), 1);
	assert_int_equal(atomic_load(&p->fw.chan[AMP_IPCC_CH_VRING0].efd_avoided), 1);
	iterate(p, 1);
	assert_int_equal(p->calls, 2);
	pair_free(p);
}

static void note_awake(void *arg, uint32_t ch)
{
	struct pair *p = arg;
	(void)ch;
	p->calls += atomic_load(&p->asleep[AMP_IPCC_PROC1]) == 0 ? 1 : 100;
}

/* A host woken through its eventfd says it is awake while it handles the interrupt: a peer
 * that saw it asleep would never poll for its answer, and both would sleep every time. */
static void adaptive_host_woken_says_it_is_awake(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_IPCC_WAIT_ADAPTIVE, AMP_IPCC_WAIT_ADAPTIVE);
	amp_ipcc_link_set_handler(&p->host, AMP_IPCC_CH_VRING0, note_awake, p);
	iterate(p, 3); /* nothing to poll for: it sleeps */
	assert_int_equal(atomic_load(&p->asleep[AMP_IPCC_PROC1]), 1);
	assert_int_equal(amp_ipcc_link_kick(&p->fw, AMP_IPCC_CH_VRING0), 1);
	assert_int_equal(atomic_load(&p->fw.chan[AMP_IPCC_CH_VRING0].efd_writes), 1);
	g_main_context_iteration(p->ctx, TRUE);
	assert_int_equal(p->calls, 1); /* 100: handled while still published asleep */
	assert_int_equal(p->host.stats.wakeups, 1);
	pair_free(p);
}

/* SPIN: the loop never sleeps (an iteration that may block returns with nothing to do),
 * and the peer never writes the host's eventfd. */
static void spin_host_never_sleeps(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_IPCC_WAIT_SPIN, AMP_IPCC_WAIT_SPIN);
	for (int i = 0; i < 3; i++)
		g_main_context_iteration(p->ctx, TRUE);
	assert_true(p->host.stats.polls >= 3);
	assert_int_equal(amp_ipcc_link_kick(&p->fw, AMP_IPCC_CH_VRING0), 1);
	g_main_context_iteration(p->ctx, TRUE);
	assert_int_equal(p->calls, 1);
	assert_int_equal(atomic_load(&p->fw.chan[AMP_IPCC_CH_VRING0].efd_writes), 0);
	assert_int_equal(p->host.stats.wakeups, 0);
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loop_dispatches_handlers),
	    cmocka_unit_test(null_is_the_thread_default_context),
	    cmocka_unit_test(adaptive_host_blocking_peer),
	    cmocka_unit_test(adaptive_host_awake_peer),
	    cmocka_unit_test(adaptive_host_woken_says_it_is_awake),
	    cmocka_unit_test(spin_host_never_sleeps),
	};
	return cmocka_run_group_tests_name("sim/ipcc_glib", tests, NULL, NULL);
}
