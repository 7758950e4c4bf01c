/*
 * rpmsg-lite-echo-posix: the echo remote on RPMsg-Lite with a POSIX-thread environment (an
 * RTOS-style application, as NXP's FreeRTOS examples write one): the endpoint's callback is
 * RPMsg-Lite's rpmsg_queue_rx_cb(), which queues each message from the interrupt; the main
 * thread blocks in rpmsg_queue_recv_nocopy(), echoes and frees the buffer. No interrupt
 * masking: the environment's lock and queue do the exclusion.
 */
#include <stdint.h>
#include <stdio.h>

#include "rpmsg_lite.h"
#include "rpmsg_ns.h"
#include "rpmsg_queue.h"
#include "rsc_table.h"

#define ECHO_SERVICE "rpmsg-openamp-demo-channel"
#define LOCAL_EPT_ADDR 30U
#define LINK_UP_TIMEOUT_MS 20000U
#define SEND_TIMEOUT_MS 5000U
#define POLL_MS 100U /* how often the main thread looks for a stop request */

static void serve(struct rpmsg_lite_instance *rl, rpmsg_queue_handle q,
		  struct rpmsg_lite_endpoint *ept)
{
	uint32_t failed = 0;
	while (!platform_ampsim_stop_requested()) {
		uint32_t src, len;
		char *data;
		if (rpmsg_queue_recv_nocopy(rl, q, &src, &data, &len, POLL_MS) != RL_SUCCESS)
			continue;
		if (rpmsg_lite_send(rl, ept, src, data, len, SEND_TIMEOUT_MS) != RL_SUCCESS &&
		    failed++ == 0)
			fprintf(stderr, "rpmsg-lite-echo-posix: a reply could not be sent\n");
		(void)rpmsg_queue_nocopy_free(rl, data);
	}
}

int main(void)
{
	struct rpmsg_lite_instance *rl = rpmsg_lite_remote_init(
	    (void *)(uintptr_t)VDEV0_VRING_BASE, RL_PLATFORM_AMPSIM_LINK_ID, RL_NO_FLAGS);
	if (!rl) {
		fprintf(stderr, "rpmsg-lite-echo-posix: rpmsg_lite_remote_init failed\n");
		return 1;
	}
	if (rpmsg_lite_wait_for_link_up(rl, LINK_UP_TIMEOUT_MS) != RL_TRUE) {
		fprintf(stderr, "rpmsg-lite-echo-posix: the link did not come up within 20 s\n");
		return 1;
	}
	rpmsg_queue_handle q = rpmsg_queue_create(rl);
	struct rpmsg_lite_endpoint *ept =
	    q ? rpmsg_lite_create_ept(rl, LOCAL_EPT_ADDR, rpmsg_queue_rx_cb, q) : NULL;
	if (!ept ||
	    rpmsg_ns_announce(rl, ept, ECHO_SERVICE, (uint32_t)RL_NS_CREATE) != RL_SUCCESS) {
		fprintf(stderr, "rpmsg-lite-echo-posix: cannot create and announce the endpoint\n");
		return 1;
	}
	serve(rl, q, ept);
	(void)rpmsg_lite_destroy_ept(rl, ept);
	(void)rpmsg_queue_destroy(rl, q);
	(void)rpmsg_lite_deinit(rl);
	return 0;
}
