/*
 * The host's notify-without-publish check (docs/faults.md, "Buffer-ownership sanitizer"):
 * vring0 interrupts a firmware's publishes account for pass; one beyond them is counted.
 * The vring harness's remote is the firmware; "an interrupt" is the host handling vring0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <amp/rpmsg.h>

#include "harness.h"
#include "host_internal.h"

static struct amp_rpmsg_ept rept, hept;

static struct fx *setup(struct amp_host_kick *k)
{
	struct fx *fx = fx_new(&(struct fx_opts){.no_ns = true});
	assert_int_equal(amp_rpmsg_create_ept(&rept, &fx->remote, "", 100, 1024, NULL, NULL, NULL),
			 0);
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "", 1024, 100, NULL, NULL, NULL),
			 0);
	amp_host_kick_reset(k, &fx->host.rvq);
	return fx;
}

/* One kick per message, as the remote sends: nothing to name. */
static void kicks_behind_messages_pass(void **state)
{
	(void)state;
	struct amp_host_kick k;
	struct fx *fx = setup(&k);
	for (int i = 0; i < 40; i++) { /* more than num: the ring wraps */
		assert_int_equal(amp_rpmsg_send(&rept, "m", 1), 1);
		assert_false(amp_host_kick_check(&k, &fx->host.rvq));
		fx_pump(fx); /* the host drains and returns the buffer */
	}
	assert_int_equal(k.unpublished, 0);
	assert_int_equal(k.irqs, 40);
	fx_free(fx);
}

/* Coalesced kicks (two messages, one interrupt) leave room; an early drain's empty
 * interrupt after them is accounted for too. */
static void coalesced_and_early_drain_pass(void **state)
{
	(void)state;
	struct amp_host_kick k;
	struct fx *fx = setup(&k);
	assert_int_equal(amp_rpmsg_send(&rept, "a", 1), 1);
	assert_int_equal(amp_rpmsg_send(&rept, "b", 1), 1);
	assert_false(amp_host_kick_check(&k, &fx->host.rvq)); /* drains both */
	assert_false(amp_host_kick_check(&k, &fx->host.rvq)); /* b's own kick, late */
	assert_int_equal(k.unpublished, 0);
	fx_free(fx);
}

/* A firmware that notifies without publishing: each such interrupt is counted once. */
static void notify_without_publish_is_named(void **state)
{
	(void)state;
	struct amp_host_kick k;
	struct fx *fx = setup(&k);
	assert_true(amp_host_kick_check(&k, &fx->host.rvq)); /* nothing published at all */
	assert_int_equal(k.unpublished, 1);
	assert_int_equal(amp_rpmsg_send(&rept, "a", 1), 1);
	assert_false(amp_host_kick_check(&k, &fx->host.rvq));
	assert_true(amp_host_kick_check(&k, &fx->host.rvq));
	assert_true(amp_host_kick_check(&k, &fx->host.rvq));
	assert_int_equal(k.unpublished, 3);
	assert_int_equal(k.published, 1);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(kicks_behind_messages_pass),
	    cmocka_unit_test(coalesced_and_early_drain_pass),
	    cmocka_unit_test(notify_without_publish_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
