/*
 * Test firmware for `ampsim run`: two channels at once, and one of them destroyed and
 * announced again on request (NS destroy / NS create at run time).
 *
 *   "ampsim-test-a"    echoes every message with the prefix "a:"
 *   "ampsim-test-ctl"  echoes with "b:", except the commands "destroy-a" and "create-a",
 *                      which it performs in the main loop (creating announces and may wait
 *                      for a buffer, so not in the receive callback) and answers "done".
 */
#include <stdio.h>
#include <string.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

static struct rpmsg_device *rdev;
static struct rpmsg_endpoint ept_a, ept_ctl;
static volatile int pending; /* 0, 'd' or 'c', set by the callback, run by main() */
static uint32_t pending_src;

static void reply(struct rpmsg_endpoint *ept, char tag, const void *data, size_t len, uint32_t dst)
{
	char buf[512];
	if (len > 494)
		len = 494;
	buf[0] = tag;
	buf[1] = ':';
	memcpy(buf + 2, data, len);
	if (rpmsg_sendto(ept, buf, (int)len + 2, dst) < 0)
		fw_platform_trace("two: reply failed\n");
}

static int a_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	reply(ept, 'a', data, len, src);
	return RPMSG_SUCCESS;
}

static int ctl_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	if (len == 9 && !memcmp(data, "destroy-a", 9))
		pending = 'd';
	else if (len == 8 && !memcmp(data, "create-a", 8))
		pending = 'c';
	else
		reply(ept, 'b', data, len, src);
	pending_src = src;
	return RPMSG_SUCCESS;
}

static int create_a(void)
{
	return rpmsg_create_ept(&ept_a, rdev, "ampsim-test-a", RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, a_cb,
				NULL);
}

static void run_pending(void)
{
	int what = pending;
	if (!what)
		return;
	pending = 0;
	if (what == 'd')
		rpmsg_destroy_ept(&ept_a);
	else if (create_a() != RPMSG_SUCCESS)
		fw_platform_trace("two: cannot create ampsim-test-a again\n");
	rpmsg_sendto(&ept_ctl, "done", 4, pending_src);
}

int main(void)
{
	rdev = fw_platform_init();
	if (!rdev)
		return 1;
	if (create_a() != RPMSG_SUCCESS ||
	    rpmsg_create_ept(&ept_ctl, rdev, "ampsim-test-ctl", RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
			     ctl_cb, NULL) != RPMSG_SUCCESS) {
		fw_platform_trace("two: cannot create the endpoints\n");
		return 1;
	}
	fw_platform_trace("two: announced ampsim-test-a and ampsim-test-ctl\n");
	while (!fw_platform_stop_requested()) {
		fw_platform_poll(100);
		run_pending();
	}
	fw_platform_deinit();
	return 0;
}
