/*
 * bench: the Cortex-M4 side of the STM32MP1 IPC benchmark. Announces "rpmsg-netlink";
 * a header (preamble magic + length) announces a transfer, the firmware counts the bytes
 * that follow and replies with the count (16-bit LE) once it has them all; the host times
 * the round trip per block size.
 * Protocol: bench_proto.h. Written against the OpenAMP API only.
 */
#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#include "bench_proto.h"

static struct rpmsg_endpoint bench_ept, tty_ept;
static struct bench_state bench, tty_bench;

static int bench_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	uint8_t reply[BENCH_REPLY_SIZE];

	struct bench_state *st = ept == &tty_ept ? &tty_bench : &bench;

	(void)priv;
	/* Counting happens in the callback: nothing is copied, unlike the original. */
	if (bench_rx(st, data, len, reply) && rpmsg_sendto(ept, reply, (int)sizeof(reply), src) < 0)
		fw_platform_trace("bench: reply failed\n");
	return RPMSG_SUCCESS;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	bench_init(&bench);
	bench_init(&tty_bench);
	int rc = rpmsg_create_ept(&bench_ept, rdev, BENCH_SERVICE, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
				  bench_cb, NULL);
	if (rc == RPMSG_SUCCESS)
		rc = rpmsg_create_ept(&tty_ept, rdev, BENCH_TTY_SERVICE, RPMSG_ADDR_ANY,
				      RPMSG_ADDR_ANY, bench_cb, NULL);
	if (rc != RPMSG_SUCCESS) {
		fw_platform_trace("bench: cannot create the endpoint\n");
		return 1;
	}
	fw_platform_trace("bench: announced " BENCH_SERVICE " and " BENCH_TTY_SERVICE "\n");
	while (!fw_platform_stop_requested())
		fw_platform_poll(1000);
	rpmsg_destroy_ept(&tty_ept);
	rpmsg_destroy_ept(&bench_ept);
	fw_platform_trace("bench: stopped\n");
	fw_platform_deinit();
	return 0;
}
