/*
 * tty: a line-oriented echo on the channel Linux's rpmsg_tty binds ("rpmsg-tty", which
 * becomes /dev/ttyRPMSGx), in the spirit of ST's OpenAMP_TTY_echo: every complete line the
 * host writes comes back once its '\n' arrived, however the byte stream was cut into
 * messages. Written against the OpenAMP API only.
 */
#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#include "tty_proto.h"

static struct rpmsg_endpoint tty_ept;
static struct tty_line line;

static int tty_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	const uint8_t *p = data;
	bool ready;

	(void)priv;
	while (len > 0) {
		size_t used = tty_line_feed(&line, p, len, &ready);
		p += used;
		len -= used;
		if (!ready)
			break;
		if (rpmsg_sendto(ept, line.buf, (int)line.len, src) < 0)
			fw_platform_trace("tty: reply failed\n");
		tty_line_clear(&line);
	}
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	tty_line_init(&line);
	int rc = rpmsg_create_ept(&tty_ept, rdev, TTY_SERVICE, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
				  tty_cb, NULL);
	if (rc != RPMSG_SUCCESS) {
		fw_platform_trace("tty: cannot create the endpoint\n");
		return 1;
	}
	fw_platform_trace("tty: announced " TTY_SERVICE "\n");
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	rpmsg_destroy_ept(&tty_ept);
	fw_platform_trace("tty: stopped\n");
	fw_platform_deinit();
	return 0;
}
