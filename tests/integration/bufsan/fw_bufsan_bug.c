/*
 * Deliberately buggy test firmware for the buffer-ownership sanitizer (docs/faults.md):
 * an echo on "ampsim-bufsan" that breaks the buffer protocol once, on its first message,
 * in the way FW_BUG selects (one executable per bug):
 *   1 write after send:    zero-copy reply, then a write into the buffer it sent;
 *   2 read after release:  holds the RX buffer, releases it, then reads the message;
 *   3 double release:      holds the RX buffer and releases it twice.
 * Each buggy line carries a marker comment "bufsan-bug: <name>": the test finds the line
 * by it and expects the memory checker's report to name fw_bufsan_bug.c at that line.
 * Without the sanitizer the bugs go unnoticed: the firmware keeps echoing.
 */
#include <stdbool.h>
#include <string.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#ifndef FW_BUG
#error "FW_BUG must be 1, 2 or 3"
#endif

static struct rpmsg_endpoint ept;
static char *volatile held; /* an RX buffer the callback kept (bugs 2 and 3) */
static bool served;	    /* the held message was answered: echo the rest */
static uint32_t held_len, held_src;
static volatile char sink; /* keeps the read of bug 2 */

/* Bug 1: a zero-copy reply, then the buffer is written after it was sent. */
static void reply_nocopy(const void *data, size_t len, uint32_t src)
{
	uint32_t cap = 0;
	char *tx = rpmsg_get_tx_payload_buffer(&ept, &cap, 1);
	if (!tx || len > cap)
		return;
	memcpy(tx, data, len);
	if (rpmsg_sendto_nocopy(&ept, tx, (int)len, src) < 0)
		return;
	if (FW_BUG == 1)
		tx[0] = '!'; /* bufsan-bug: write-after-send */
}

static int cb(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	if ((FW_BUG == 2 || FW_BUG == 3) && !served && !held) {
		rpmsg_hold_rx_buffer(e, data); /* main() answers and releases it */
		held_len = (uint32_t)len;
		held_src = src;
		held = data;
		return RPMSG_SUCCESS;
	}
	reply_nocopy(data, len, src);
	return RPMSG_SUCCESS;
}

/* Bugs 2 and 3, in process context as zero-copy RX is used: answer the held message. */
static void serve_held(void)
{
	char *msg = held;
	char copy[512];
	uint32_t n = held_len < sizeof(copy) ? held_len : (uint32_t)sizeof(copy);
	memcpy(copy, msg, n);
	rpmsg_release_rx_buffer(&ept, msg);
	if (FW_BUG == 2)
		sink = msg[0]; /* bufsan-bug: read-after-release */
	if (FW_BUG == 3)
		rpmsg_release_rx_buffer(&ept, msg); /* bufsan-bug: double-release */
	reply_nocopy(copy, n, held_src);
	held = NULL;
	served = true;
}

int main(void)
{
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	if (rpmsg_create_ept(&ept, rdev, "ampsim-bufsan", RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, cb,
			     NULL) != RPMSG_SUCCESS)
		return 1;
	while (!fw_platform_stop_requested()) {
		fw_platform_poll(1000);
		if (held)
			serve_held();
	}
	rpmsg_destroy_ept(&ept);
	fw_platform_deinit();
	return 0;
}
