/* The host end of an IPCC link driven by a GLib main loop (amp_ipcc_glib_add). */
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

static void loop_dispatches_handlers(void **state)
{
	struct ctx *c = g_new0(struct ctx, 1);
	struct amp_ipcc_link_cfg hc = {.proc = AMP_IPCC_PROC1, .mode = AMP_IPCC_WAIT_BLOCK};
	struct amp_ipcc_link_cfg fc = {.proc = AMP_IPCC_PROC2, .mode = AMP_IPCC_WAIT_BLOCK};
	guint id, to;

	(void)state;
	amp_ipcc_reset(&c->sh, 6);
	assert_int_equal(amp_ipcc_efds_create(c->efds), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&c->host, &hc, &c->sh, 6, c->efds, c->asleep), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&c->fw, &fc, &c->sh, 6, c->efds, c->asleep), AMP_OK);
	amp_ipcc_link_set_handler(&c->host, AMP_IPCC_CH_VRING0, on_host, c);
	c->loop = g_main_loop_new(NULL, FALSE);
	id = amp_ipcc_glib_add(&c->host, NULL);
	assert_true(id > 0);
	to = g_timeout_add(5000, on_timeout, NULL);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(amp_ipcc_link_kick(&c->fw, AMP_IPCC_CH_VRING0), 1);
		g_main_loop_run(c->loop);
		assert_int_equal(c->calls, i);
	}
	/* Kicks never run the handler themselves: only the loop does. */
	assert_int_equal(amp_ipcc_link_kick(&c->fw, AMP_IPCC_CH_VRING0), 1);
	assert_int_equal(c->calls, 3);
	g_source_remove(to);
	g_source_remove(id);
	g_main_loop_unref(c->loop);
	amp_ipcc_link_deinit(&c->host);
	amp_ipcc_link_deinit(&c->fw);
	amp_ipcc_efds_close(c->efds);
	g_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loop_dispatches_handlers),
	};
	return cmocka_run_group_tests_name("sim/ipcc_glib", tests, NULL, NULL);
}
