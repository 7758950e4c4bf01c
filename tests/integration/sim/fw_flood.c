/*
 * Test firmware for back-pressure and zero-length messages under `ampsim run`.
 *
 *   "ampsim-flood" (a frame socket)  and  "rpmsg-tty" (a tty) both:
 *     - echo every message as it came, a zero-length one included;
 *     - take the command "flood N" (tty: the line "flood N\n"): the main loop then sends
 *       N numbered messages as fast as the blocking send lets it, then one summary
 *       "done sent=S nobuf=B fail=F", where B counts the sends that found no buffer and
 *       had to wait (the host held its RX buffers back) and F the sends that failed.
 * Flood message i (100 bytes): "%06u" i, then bytes 'a' + (i + k) % 26, ending in '\n'.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#define FLOOD_MSG 100

static struct rpmsg_device *rdev;
static struct rpmsg_endpoint ept_raw, ept_tty;
static struct rpmsg_endpoint *volatile flood_ept; /* set by a callback, run by main() */
static uint32_t flood_n, flood_dst;
static char line[32]; /* tty: the command line being assembled */
static size_t line_len;

static void command(struct rpmsg_endpoint *ept, const char *cmd, size_t len, uint32_t src)
{
	char buf[16];
	if (len < 7 || len >= sizeof(buf) || memcmp(cmd, "flood ", 6) != 0)
		return;
	memcpy(buf, cmd + 6, len - 6);
	buf[len - 6] = '\0';
	flood_n = (uint32_t)strtoul(buf, NULL, 10);
	flood_dst = src;
	flood_ept = ept;
}

static int raw_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	if (len > 6 && !memcmp(data, "flood ", 6))
		command(ept, data, len, src);
	else if (rpmsg_sendto(ept, data, (int)len, src) < 0)
		fw_platform_trace("flood: echo failed\n");
	return RPMSG_SUCCESS;
}

static int tty_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	const char *p = data;
	(void)priv;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			command(ept, line, line_len, src);
			line_len = 0;
		} else if (line_len < sizeof(line)) {
			line[line_len++] = p[i];
		}
	}
	if (len == 0 && rpmsg_sendto(ept, data, 0, src) < 0)
		fw_platform_trace("flood: echo failed\n");
	return RPMSG_SUCCESS;
}

static void flood(struct rpmsg_endpoint *ept)
{
	char msg[FLOOD_MSG];
	uint32_t nobuf0 = rdev->amp.stats.tx_nobuf, fails = 0;
	for (uint32_t i = 0; i < flood_n; i++) {
		snprintf(msg, sizeof(msg), "%06u", (unsigned)(i % 1000000u));
		for (size_t k = 6; k < FLOOD_MSG - 1; k++)
			msg[k] = (char)('a' + (i + k) % 26u);
		msg[FLOOD_MSG - 1] = '\n';
		if (rpmsg_sendto(ept, msg, FLOOD_MSG, flood_dst) < 0)
			fails++;
	}
	int n = snprintf(msg, sizeof(msg), "done sent=%u nobuf=%u fail=%u\n", (unsigned)flood_n,
			 (unsigned)(rdev->amp.stats.tx_nobuf - nobuf0), (unsigned)fails);
	if (rpmsg_sendto(ept, msg, n, flood_dst) < 0)
		fw_platform_trace("flood: summary failed\n");
}

int main(void)
{
	rdev = fw_platform_init();
	if (!rdev)
		return 1;
	if (rpmsg_create_ept(&ept_raw, rdev, "ampsim-flood", RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, raw_cb,
			     NULL) != RPMSG_SUCCESS ||
	    rpmsg_create_ept(&ept_tty, rdev, "rpmsg-tty", RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, tty_cb,
			     NULL) != RPMSG_SUCCESS) {
		fw_platform_trace("flood: cannot create the endpoints\n");
		return 1;
	}
	fw_platform_trace("flood: announced ampsim-flood and rpmsg-tty\n");
	while (!fw_platform_stop_requested()) {
		fw_platform_poll(100);
		struct rpmsg_endpoint *ept = flood_ept;
		if (ept) {
			flood_ept = NULL;
			flood(ept);
		}
	}
	fw_platform_deinit();
	return 0;
}
