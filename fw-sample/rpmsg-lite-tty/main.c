/*
 * rpmsg-lite-tty: two virtual UARTs on a bare-metal RPMsg-Lite remote, as NXP's examples
 * write one: init the remote, wait for the link, create one endpoint per UART and announce
 * each as "rpmsg-tty" (Linux's rpmsg_tty: /dev/ttyRPMSG0 and /dev/ttyRPMSG1). Each message is
 * sent back on the UART it came from, as ST's OpenAMP_TTY_echo does (fw-sample/openamp-tty).
 * Only the platform layer (rpmsg_platform.c) knows it runs under ampsim.
 *
 * The receive callback runs in interrupt context: it holds the buffer and queues it with its
 * UART; the main loop echoes and releases it with the interrupt disabled around the shared
 * queue and the release (RPMsg-Lite's bare-metal environment has no lock of its own).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rpmsg_lite.h"
#include "rpmsg_ns.h"
#include "rsc_table.h"

#define TTY_SERVICE "rpmsg-tty"
#define UART_COUNT 2U
#define FIRST_EPT_ADDR 30U /* UART n at FIRST_EPT_ADDR + n */
/* Finite on purpose: on a 64-bit host RL_BLOCK (~0UL) does not fit the uint32_t timeout of
 * rpmsg_lite_wait_for_link_up() (docs/real-stacks.md, "Quirks"). */
#define LINK_UP_TIMEOUT_MS 20000U
#define SEND_TIMEOUT_MS 5000U
#define RX_VECTOR RL_GET_VQ_ID(RL_PLATFORM_AMPSIM_LINK_ID, 1U)

struct uart {
	struct rpmsg_lite_endpoint *ept;
};

struct held_msg {
	void *data;
	uint32_t len;
	uint32_t src;
	struct uart *uart;
};

static struct uart uarts[UART_COUNT];

/* Written by the callback (interrupt), read by the main loop with the interrupt disabled.
 * At most RL_BUFFER_COUNT RX buffers exist, so the queue cannot overflow. */
static struct held_msg queue[RL_BUFFER_COUNT];
static uint32_t q_head, q_tail;

static int32_t uart_rx_cb(void *payload, uint32_t payload_len, uint32_t src, void *priv)
{
	if (q_head - q_tail >= RL_BUFFER_COUNT)
		return RL_RELEASE;
	queue[q_head % RL_BUFFER_COUNT] = (struct held_msg){payload, payload_len, src, priv};
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

static void serve(struct rpmsg_lite_instance *rl)
{
	uint32_t failed = 0;
	while (!platform_ampsim_stop_requested()) {
		struct held_msg m;
		if (!take(&m)) {
			platform_ampsim_wait(100);
			continue;
		}
		if (rpmsg_lite_send(rl, m.uart->ept, m.src, m.data, m.len, SEND_TIMEOUT_MS) !=
			RL_SUCCESS &&
		    failed++ == 0)
			fprintf(stderr, "rpmsg-lite-tty: a reply could not be sent\n");
		platform_interrupt_disable(RX_VECTOR);
		(void)rpmsg_lite_release_rx_buffer(rl, m.data);
		platform_interrupt_enable(RX_VECTOR);
	}
}

/* One endpoint per UART, each announced as a tty; false if one could not be. */
static bool open_uarts(struct rpmsg_lite_instance *rl)
{
	for (uint32_t i = 0; i < UART_COUNT; i++) {
		uarts[i].ept = rpmsg_lite_create_ept(rl, FIRST_EPT_ADDR + i, uart_rx_cb, &uarts[i]);
		if (!uarts[i].ept || rpmsg_ns_announce(rl, uarts[i].ept, TTY_SERVICE,
						       (uint32_t)RL_NS_CREATE) != RL_SUCCESS) {
			fprintf(stderr, "rpmsg-lite-tty: cannot create and announce UART%u\n",
				(unsigned)i);
			return false;
		}
	}
	return true;
}

int main(void)
{
	struct rpmsg_lite_instance *rl = rpmsg_lite_remote_init(
	    (void *)(uintptr_t)VDEV0_VRING_BASE, RL_PLATFORM_AMPSIM_LINK_ID, RL_NO_FLAGS);
	if (!rl) {
		fprintf(stderr, "rpmsg-lite-tty: rpmsg_lite_remote_init failed\n");
		return 1;
	}
	if (rpmsg_lite_wait_for_link_up(rl, LINK_UP_TIMEOUT_MS) != RL_TRUE) {
		fprintf(stderr, "rpmsg-lite-tty: the link did not come up within 20 s\n");
		return 1;
	}
	if (!open_uarts(rl))
		return 1;
	serve(rl);
	for (uint32_t i = 0; i < UART_COUNT; i++)
		(void)rpmsg_lite_destroy_ept(rl, uarts[i].ept);
	(void)rpmsg_lite_deinit(rl);
	return 0;
}
