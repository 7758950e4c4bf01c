/*
 * Test firmware for buffer geometry: vrings of different sizes and per-direction buffer
 * sizes (its resource table, fw_geometry_rsc.c, is built in several variants).
 *
 * Channel "ampsim-geometry": every message is echoed, except "big N", which is answered
 * with N bytes (byte i = i & 0xff), or with "err EMSGSIZE" / "err <code>" when the send
 * fails: the host checks the largest payload in the firmware -> host direction and that one
 * byte more is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#define BIG_MAX 4096

static struct rpmsg_endpoint ept;
static unsigned char big[BIG_MAX];

static void send_big(struct rpmsg_endpoint *e, const char *arg, uint32_t dst)
{
	long n = strtol(arg, NULL, 10);
	char err[32];
	if (n < 0 || n > BIG_MAX)
		n = 0;
	for (long i = 0; i < n; i++)
		big[i] = (unsigned char)i;
	int rc = rpmsg_sendto(e, big, (int)n, dst);
	if (rc >= 0)
		return;
	if (rc == RPMSG_ERR_BUFF_SIZE)
		snprintf(err, sizeof(err), "err EMSGSIZE");
	else
		snprintf(err, sizeof(err), "err %d", rc);
	rpmsg_sendto(e, err, (int)strlen(err), dst);
}

static int geometry_cb(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	char cmd[16];
	(void)priv;
	if (len > 4 && len < sizeof(cmd) && !memcmp(data, "big ", 4)) {
		memcpy(cmd, data, len);
		cmd[len] = '\0';
		send_big(e, cmd + 4, src);
	} else if (rpmsg_sendto(e, data, (int)len, src) < 0) {
		fw_platform_trace("geometry: echo failed\n");
	}
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	if (rpmsg_create_ept(&ept, rdev, "ampsim-geometry", RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
			     geometry_cb, NULL) != RPMSG_SUCCESS) {
		fw_platform_trace("geometry: cannot create the endpoint\n");
		return 1;
	}
	while (!fw_platform_stop_requested())
		fw_platform_poll(100);
	rpmsg_destroy_ept(&ept);
	fw_platform_deinit();
	return 0;
}
