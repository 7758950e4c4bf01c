/*
 * echo: the "hello world" of RPMsg firmware, as in ST's OpenAMP_TTY_echo and OpenAMP's
 * rpmsg-echo: announce "rpmsg-openamp-demo-channel" and send every message back to its
 * sender. Written against the OpenAMP API only; the platform port is chosen at link time.
 */
#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#define ECHO_SERVICE "rpmsg-openamp-demo-channel"

static struct rpmsg_endpoint echo_ept;
static uint32_t echoed;

static int echo_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	/* Reply to the sender's address: the endpoint learnt it from this first message. */
	if (rpmsg_sendto(ept, data, (int)len, src) < 0)
		fw_platform_trace("echo: reply failed\n");
	else
		echoed++;
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	int rc = rpmsg_create_ept(&echo_ept, rdev, ECHO_SERVICE, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
				  echo_cb, NULL);
	if (rc != RPMSG_SUCCESS) {
		fw_platform_trace("echo: cannot create the endpoint\n");
		return 1;
	}
	fw_platform_trace("echo: announced " ECHO_SERVICE "\n");
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	rpmsg_destroy_ept(&echo_ept);
	fw_platform_trace("echo: stopped\n");
	fw_platform_deinit();
	return 0;
}
