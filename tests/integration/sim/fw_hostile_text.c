/*
 * Test firmware for `ampsim run`: terminal escape sequences (and a byte that is not UTF-8)
 * everywhere the host shows text the firmware chose: a channel name, the trace buffer (and
 * its name, in fw_hostile_text_rsc.c), and every answer on the channel. The host must print
 * all of it escaped (issue 12, bug 9); valid UTF-8 text stays as it is.
 */
#include <string.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#define EVIL_NAME "evil\x1b[2J\x1b]0;x\x07"
#define EVIL_TRACE "boot \x1b[31mred\x1b[0m caf\xc3\xa9 \xff\r\n"
#define EVIL_ANSWER "answer \x1b[2J\x9b\xc2\x9b done"

static struct rpmsg_endpoint ept;

static int cb(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)data;
	(void)len;
	(void)priv;
	rpmsg_sendto(e, EVIL_ANSWER, (int)strlen(EVIL_ANSWER), src);
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	fw_platform_trace(EVIL_TRACE);
	if (rpmsg_create_ept(&ept, rdev, EVIL_NAME, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, cb, NULL) !=
	    RPMSG_SUCCESS)
		return 1;
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	fw_platform_deinit();
	return 0;
}
