/*
 * The upper firmware: announces "upper-channel" and answers each message with its
 * upper-cased copy. Written against the OpenAMP API and <amp/fw_platform.h> only, so the
 * same file builds for the simulator and for the Cortex-M4.
 */
#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#include "upper_proto.h"

static struct rpmsg_endpoint upper_ept;

static int upper_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	char out[UPPER_MAX];
	(void)priv;
	if (len > sizeof(out)) { /* only with larger buffers than rsc_table.c declares */
		fw_platform_trace("upper: message too long, dropped\n");
		return RPMSG_SUCCESS;
	}
	upper_convert(data, len, out);
	if (rpmsg_sendto(ept, out, (int)len, src) < 0)
		fw_platform_trace("upper: reply failed\n");
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	if (rpmsg_create_ept(&upper_ept, rdev, UPPER_SERVICE, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
			     upper_cb, NULL) != RPMSG_SUCCESS) {
		fw_platform_trace("upper: cannot create the endpoint\n");
		return 1;
	}
	fw_platform_trace("upper: announced " UPPER_SERVICE "\n");
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	rpmsg_destroy_ept(&upper_ept);
	fw_platform_deinit();
	return 0;
}
