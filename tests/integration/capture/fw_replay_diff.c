/*
 * Test firmware for `ampsim replay`: the echo sample's channel, echoing the first
 * REPLAY_SAME messages as the echo sample does and every later one upper-cased, so a
 * capture of the echo sample replayed against it differs first at answer REPLAY_SAME + 1.
 */
#include <stdint.h>
#include <string.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#define REPLAY_SAME 2u

static struct rpmsg_endpoint ept;
static uint32_t answered;

static int on_msg(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	uint8_t buf[512];
	if (len > sizeof(buf))
		len = sizeof(buf);
	memcpy(buf, data, len);
	for (size_t i = 0; answered >= REPLAY_SAME && i < len; i++)
		if (buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (uint8_t)(buf[i] - 'a' + 'A');
	if (rpmsg_sendto(e, buf, (int)len, src) >= 0)
		answered++;
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev || rpmsg_create_ept(&ept, rdev, "rpmsg-openamp-demo-channel", RPMSG_ADDR_ANY,
				      RPMSG_ADDR_ANY, on_msg, NULL) != RPMSG_SUCCESS)
		return 1;
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	rpmsg_destroy_ept(&ept);
	fw_platform_deinit();
	return 0;
}
