/*
 * OpenAMP application API: the "application" part of this file uses only <openamp/open_amp.h>
 * names, the way an OpenAMP firmware (e.g. an echo or virtual-UART sample) is written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <amp/error.h>
#include <openamp/open_amp.h>

#include "harness.h"

/* ---- application code, OpenAMP style ---- */
static struct rpmsg_endpoint app_ept;
static int app_unbound;
static void *app_held;

static int app_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)src;
	(void)priv;
	if (len == 4 && memcmp(data, "hold", 4) == 0) {
		rpmsg_hold_rx_buffer(ept, data);
		app_held = data;
		return RPMSG_SUCCESS;
	}
	/* Echo back, as OpenAMP's echo demo does. */
	if (rpmsg_send(ept, data, (int)len) < 0)
		return -1;
	return RPMSG_SUCCESS;
}

static void app_unbind(struct rpmsg_endpoint *ept)
{
	(void)ept;
	app_unbound++;
}

static int app_start(struct rpmsg_device *rdev)
{
	return rpmsg_create_ept(&app_ept, rdev, "rpmsg-openamp-demo-channel", RPMSG_ADDR_ANY,
				RPMSG_ADDR_ANY, app_cb, app_unbind);
}
/* ---- end of application code ---- */

struct host_side {
	int count;
	size_t len;
	char last[64];
	uint32_t ns_addr;
};

static int host_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct host_side *h = priv;

	(void)ept;
	(void)src;
	h->count++;
	h->len = len;
	memcpy(h->last, data, len < sizeof(h->last) ? len : sizeof(h->last));
	return 0;
}

static void host_ns(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr, bool destroy,
		    void *priv)
{
	(void)dev;
	if (!destroy && strcmp(name, "rpmsg-openamp-demo-channel") == 0)
		((struct host_side *)priv)->ns_addr = addr;
}

static void openamp_echo_app(void **state)
{
	static struct rpmsg_device rdev;
	struct host_side h = {0};
	struct amp_rpmsg_ept hept;
	struct fx *fx = fx_alloc(NULL);
	(void)state;

	fx->hcfg.ns_cb = host_ns;
	fx->hcfg.ns_priv = &h;
	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	/* What a firmware port does before handing rdev to the application. */
	assert_int_equal(amp_rpmsg_remote_init(&rdev.amp, &fx->rcfg, &fx->rport), 0);
	rpmsg_device_attach(&rdev);
	fx->rdev = &rdev.amp;
	assert_true(rdev.support_ns);

	assert_int_equal(app_start(&rdev), RPMSG_SUCCESS);
	assert_int_equal(app_ept.addr, RPMSG_RESERVED_ADDRESSES);
	assert_string_equal(app_ept.name, "rpmsg-openamp-demo-channel");
	assert_false(is_rpmsg_ept_ready(&app_ept));
	fx_pump(fx);
	assert_int_equal(h.ns_addr, 1024);

	assert_int_equal(
	    amp_rpmsg_create_ept(&hept, &fx->host, "", 0x400, h.ns_addr, host_cb, NULL, &h), 0);
	assert_int_equal(amp_rpmsg_send(&hept, "ping", 4), 4);
	fx_pump(fx);
	assert_true(is_rpmsg_ept_ready(&app_ept));
	assert_int_equal(app_ept.dest_addr, 0x400);
	assert_int_equal(h.count, 1);
	assert_memory_equal(h.last, "ping", 4);

	/* Application-side sends of every flavour. */
	assert_int_equal(rpmsg_send(&app_ept, "a", 1), 1);
	assert_int_equal(rpmsg_sendto(&app_ept, "bb", 2, 0x400), 2);
	assert_int_equal(rpmsg_send_offchannel(&app_ept, 77, 0x400, "ccc", 3), 3);
	assert_int_equal(rpmsg_trysend(&app_ept, "d", 1), 1);
	assert_int_equal(rpmsg_trysendto(&app_ept, "e", 1, 0x400), 1);
	assert_int_equal(rpmsg_trysend_offchannel(&app_ept, 77, 0x400, "f", 1), 1);
	static char big[600];
	assert_int_equal(rpmsg_send(&app_ept, big, 497), RPMSG_ERR_BUFF_SIZE);
	assert_int_equal(rpmsg_send(NULL, big, 1), RPMSG_ERR_PARAM);
	uint32_t len = 0;
	char *p = rpmsg_get_tx_payload_buffer(&app_ept, &len, true);
	assert_non_null(p);
	assert_int_equal(len, 496);
	memcpy(p, "zc", 2);
	assert_int_equal(rpmsg_send_nocopy(&app_ept, p, 2), 2);
	p = rpmsg_get_tx_payload_buffer(&app_ept, &len, false);
	memcpy(p, "zc2", 3);
	assert_int_equal(rpmsg_sendto_nocopy(&app_ept, p, 3, 0x400), 3);
	p = rpmsg_get_tx_payload_buffer(&app_ept, &len, false);
	assert_int_equal(rpmsg_release_tx_buffer(&app_ept, p), RPMSG_SUCCESS);
	fx_pump(fx);
	assert_int_equal(h.count, 9);
	assert_memory_equal(h.last, "zc2", 3);

	/* Hold / release from the application. */
	uint16_t used1 = fx_used(fx, 1)->idx;
	assert_int_equal(amp_rpmsg_send(&hept, "hold", 4), 4);
	fx_pump(fx);
	assert_non_null(app_held);
	assert_int_equal(fx_used(fx, 1)->idx, used1);
	rpmsg_release_rx_buffer(&app_ept, app_held);
	assert_int_equal(fx_used(fx, 1)->idx, (uint16_t)(used1 + 1));

	/* Error mapping. */
	assert_int_equal(rpmsg_err_from_amp(AMP_ENOMEM), RPMSG_ERR_NO_BUFF);
	assert_int_equal(rpmsg_err_from_amp(AMP_ETIMEDOUT), RPMSG_ERR_NO_BUFF);
	assert_int_equal(rpmsg_err_from_amp(AMP_EADDRINUSE), RPMSG_ERR_ADDR);
	assert_int_equal(rpmsg_err_from_amp(AMP_EBROKEN), RPMSG_ERR_DEV_STATE);
	assert_int_equal(rpmsg_err_from_amp(AMP_EBUSY), RPMSG_ERR_NO_MEM);
	assert_int_equal(rpmsg_err_from_amp(7), 7);
	assert_int_equal(RPMSG_ERR_PERM, -2008);
	struct rpmsg_endpoint dup;
	assert_int_equal(rpmsg_create_ept(&dup, &rdev, "x", 1024, RPMSG_ADDR_ANY, app_cb, NULL),
			 RPMSG_ERR_ADDR);

	/* Destroy sends NS DESTROY (the endpoint was announced). */
	rpmsg_destroy_ept(&app_ept);
	assert_null(app_ept.rdev);
	fx_pump(fx);
	/* 9 application messages; the NS DESTROY went to the name service, not counted. */
	assert_int_equal(fx->host.stats.rx_msgs, 9);
	fx_free(fx);
}

/* ---- application: a service the host announces (OpenAMP binds it by name) ---- */
static struct rpmsg_endpoint svc_ept;
static int svc_unbound, bind_calls, unbind_calls;
static char bind_name[RPMSG_NAME_SIZE];

static void app_ns_bind(struct rpmsg_device *rdev, const char *name, uint32_t dest)
{
	(void)rdev;
	(void)dest;
	bind_calls++;
	strncpy(bind_name, name, sizeof(bind_name) - 1);
}

static void app_ns_unbind(struct rpmsg_device *rdev, const char *name, uint32_t dest)
{
	(void)rdev;
	(void)name;
	(void)dest;
	unbind_calls++;
}

static void svc_unbind(struct rpmsg_endpoint *ept)
{
	(void)ept;
	svc_unbound++;
}
/* ---- end of application code ---- */

static void openamp_bound_by_host_announcement(void **state)
{
	static struct rpmsg_device rdev;
	struct host_side h = {0};
	struct amp_rpmsg_ept hept, other;
	struct fx *fx = fx_new(NULL);
	(void)state;

	/* The port re-initialises the remote on rdev->amp, as a firmware port does. */
	assert_int_equal(amp_rpmsg_remote_init(&rdev.amp, &fx->rcfg, &fx->rport), 0);
	rdev.ns_bind_cb = app_ns_bind;
	rdev.ns_unbind_cb = app_ns_unbind;
	rpmsg_device_attach(&rdev);
	fx->rdev = &rdev.amp;
	/* A named endpoint that already knows its peer is not announced; wait for the host's. */
	assert_int_equal(rpmsg_create_ept(&svc_ept, &rdev, "svc-h", 40, 0, app_cb, svc_unbind),
			 RPMSG_SUCCESS);
	svc_ept.dest_addr = RPMSG_ADDR_ANY; /* the application's own write, as OpenAMP allows */
	assert_int_equal(rpmsg_send(&svc_ept, "x", 1), RPMSG_ERR_PARAM); /* honoured */
	assert_false(is_rpmsg_ept_ready(&svc_ept));

	/* Linux announces a fixed-address channel; the remote binds it by exact name. */
	assert_int_equal(amp_rpmsg_create_ept(&hept, &fx->host, "svc-h", 0x500, AMP_RPMSG_ADDR_ANY,
					      host_cb, NULL, &h),
			 0);
	fx_pump(fx);
	assert_true(is_rpmsg_ept_ready(&svc_ept));
	assert_int_equal(svc_ept.dest_addr, 0x500);
	assert_int_equal(bind_calls, 0); /* an endpoint was waiting: no bind callback */
	/* The remote can send first, and the send keeps the binding. */
	assert_int_equal(rpmsg_send(&svc_ept, "hi", 2), 2);
	assert_int_equal(rpmsg_send(&svc_ept, "hi", 2), 2);
	fx_pump(fx);
	assert_int_equal(h.count, 2);

	/* A service nobody waits for goes to ns_bind_cb (and a prefix is not a match). */
	assert_int_equal(amp_rpmsg_create_ept(&other, &fx->host, "svc-h2", 0x501,
					      AMP_RPMSG_ADDR_ANY, host_cb, NULL, &h),
			 0);
	fx_pump(fx);
	assert_int_equal(bind_calls, 1);
	assert_string_equal(bind_name, "svc-h2");
	assert_int_equal(svc_ept.dest_addr, 0x500);

	/* The host destroys the channel: unbound, both unbind callbacks run. */
	amp_rpmsg_destroy_ept(&hept);
	fx_pump(fx);
	assert_int_equal(svc_unbound, 1);
	assert_int_equal(unbind_calls, 1);
	assert_false(is_rpmsg_ept_ready(&svc_ept));
	assert_int_equal(rpmsg_trysend(&svc_ept, "x", 1), RPMSG_ERR_PARAM);
	rpmsg_destroy_ept(&svc_ept);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(openamp_echo_app),
	    cmocka_unit_test(openamp_bound_by_host_announcement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
