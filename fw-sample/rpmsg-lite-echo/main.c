/*
 * rpmsg-lite-echo: a bare-metal RPMsg-Lite remote, as NXP's examples write one: init the
 * remote, wait for the link, create an endpoint, announce it, send every message back to
 * its sender. Only the platform layer (rpmsg_platform.c) knows it runs under ampsim.
 *
 * The receive callback runs in interrupt context: it holds the buffer and queues it; the
 * main loop echoes and releases it with the interrupt disabled around the shared queue and
 * the release (RPMsg-Lite's bare-metal environment has no lock of its own).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rpmsg_lite.h"
#include "rpmsg_ns.h"
#include "rsc_table.h"

#define ECHO_SERVICE "rpmsg-openamp-demo-channel"
#define LOCAL_EPT_ADDR 30U
/* Finite on purpose: on a 64-bit host RL_BLOCK (~0UL) does not fit the uint32_t timeout of
 * rpmsg_lite_wait_for_link_up() (docs/real-stacks.md, "Quirks"). */
#define LINK_UP_TIMEOUT_MS 20000U
#define SEND_TIMEOUT_MS 5000U
#define RX_VECTOR RL_GET_VQ_ID(RL_PLATFORM_AMPSIM_LINK_ID, 1U)

struct held_msg {
	void *data;
	uint32_t len;
	uint32_t src;
};

/* Written by the callback (interrupt), read by the main loop with the interrupt disabled.
 * At most RL_BUFFER_COUNT RX buffers exist, so the queue cannot overflow. */
static struct held_msg queue[RL_BUFFER_COUNT];
static uint32_t q_head, q_tail;

static int32_t echo_cb(void *payload, uint32_t payload_len, uint32_t src, void *priv)
{
	(void)priv;
	if (q_head - q_tail >= RL_BUFFER_COUNT)
		return RL_RELEASE;
	queue[q_head % RL_BUFFER_COUNT] = (struct held_msg){payload, payload_len, src};
	q_head++;
	return RL_HOLD;
}

static bool take(struct held_msg *m)
{
	bool have;
	platform_interrupt_disable(RX_VECTOR);
	have = q_tail != q_head;
	if (have)
		*m = queue[q_tail++ % RL_BUFFER_COUNT];
	platform_interrupt_enable(RX_VECTOR);
	return have;
}

static void serve(struct rpmsg_lite_instance *rl, struct rpmsg_lite_endpoint *ept)
{
	uint32_t failed = 0;
	while (!platform_ampsim_stop_requested()) {
		struct held_msg m;
		if (!take(&m)) {
			platform_ampsim_wait(100);
			continue;
		}
		if (rpmsg_lite_send(rl, ept, m.src, m.data, m.len, SEND_TIMEOUT_MS) != RL_SUCCESS &&
		    failed++ == 0)
			fprintf(stderr, "rpmsg-lite-echo: a reply could not be sent\n");
		platform_interrupt_disable(RX_VECTOR);
		(void)rpmsg_lite_release_rx_buffer(rl, m.data);
		platform_interrupt_enable(RX_VECTOR);
	}
}

int main(void)
{
	struct rpmsg_lite_instance *rl = rpmsg_lite_remote_init(
	    (void *)(uintptr_t)VDEV0_VRING_BASE, RL_PLATFORM_AMPSIM_LINK_ID, RL_NO_FLAGS);
	if (!rl) {
		fprintf(stderr, "rpmsg-lite-echo: rpmsg_lite_remote_init failed\n");
		return 1;
	}
	if (rpmsg_lite_wait_for_link_up(rl, LINK_UP_TIMEOUT_MS) != RL_TRUE) {
		fprintf(stderr, "rpmsg-lite-echo: the link did not come up within 20 s\n");
		return 1;
	}
	struct rpmsg_lite_endpoint *ept = rpmsg_lite_create_ept(rl, LOCAL_EPT_ADDR, echo_cb, NULL);
	if (!ept ||
	    rpmsg_ns_announce(rl, ept, ECHO_SERVICE, (uint32_t)RL_NS_CREATE) != RL_SUCCESS) {
		fprintf(stderr, "rpmsg-lite-echo: cannot create and announce the endpoint\n");
		return 1;
	}
	serve(rl, ept);
	(void)rpmsg_lite_destroy_ept(rl, ept);
	(void)rpmsg_lite_deinit(rl);
	return 0;
}
