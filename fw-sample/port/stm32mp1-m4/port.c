/*
 * fw_platform.h on the STM32MP15x Cortex-M4, bare metal, the way ST's Cube firmware runs
 * OpenAMP (mbox_ipcc.c + MX_OPENAMP_Init + OPENAMP_check_for_message):
 *  - IPCC RX1 interrupt: acknowledge CH1/CH2 at once and set a flag; CH3 (shutdown) is
 *    masked and acknowledged only in fw_platform_deinit(). The main loop
 *    (fw_platform_poll) turns the flags into amp_rpmsg_notified() calls, like MAILBOX_Poll:
 *    receive callbacks run in thread context, never in the interrupt.
 *  - notify: wait while our flag on the channel is still set (ST's MAILBOX_Notify), then set
 *    it. lock: nested interrupt disable. wait: WFI with the SysTick millisecond counter.
 *  - the loaded resource table is the image's own .resource_table (Linux copies its patched
 *    table over it before starting the core); DRIVER_OK is polled there every tick.
 *  - device address == pointer: identity, but only inside the IPC region and DDR.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/error.h>
#include <amp/port.h>
#include <amp/rpmsg.h>
#include <amp/rsc_vdev.h>
#include <openamp/open_amp.h>

#include <amp/fw_platform.h>

#include <amp/fw_memory_map.h>
#include "stm32mp1_m4.h"

/* Linker-script symbols: the table section and the memory the host shares with us. */
extern uint8_t __resource_table_start[], __resource_table_end[];
extern uint8_t __ipc_shm_start[], __ipc_shm_end[];
extern uint8_t __ddr_start[], __ddr_end[];

#define RSC_COPY_MAX 512u	    /* largest table we parse (the samples' is 140 bytes) */
#define DRIVER_OK_TIMEOUT_MS 10000u /* then give up: Linux did not probe the vdev */
#define NOTIFY_SPIN_MAX 1000000u    /* ~5 ms at 209 MHz: the A7 is not draining the channel */

/* Port counters, readable with a debugger. */
struct m4_port_stats {
	uint32_t irqs;				    /**< IPCC RX1 interrupts */
	uint32_t kicks_rx[AMP_STM32MP1_IPCC_NCHAN]; /**< A7 -> M4 notifications per channel */
	uint32_t kicks_tx;			    /**< notifications we sent */
	uint32_t notify_timeouts; /**< notifications dropped: channel stayed occupied */
	uint32_t notify_bad_id;	  /**< notifications for an id no channel carries */
};

static struct rpmsg_device m4_rdev;
static struct m4_port_stats m4_stats;
static volatile uint32_t m4_ticks;   /* SysTick milliseconds */
static volatile uint32_t m4_pending; /* bit n: channel n notified, not yet processed */
static volatile bool m4_stop;
static uint32_t m4_nest, m4_saved_primask;
static struct amp_rsc_vdev_ref m4_vdev; /* the rpmsg vdev in .resource_table */
static uint8_t m4_rsc_copy[RSC_COPY_MAX];
static uint32_t m4_trace_pos;

void SysTick_Handler(void)
{
	m4_ticks++;
}

void IPCC_RX1_IRQHandler(void)
{
	uint32_t occ = IPCC_C1TOC2SR & ~IPCC_C2MR & IPCC_ALL_RX;

	m4_stats.irqs++;
	for (uint32_t ch = 0; ch < AMP_STM32MP1_IPCC_NCHAN; ch++) {
		if (!(occ & AMP_IPCC_CHNF(ch)))
			continue;
		m4_stats.kicks_rx[ch]++;
		if (ch == AMP_IPCC_CH_SHUTDOWN) {
			/* Keep the flag set until deinit: Linux waits for it to clear. */
			IPCC_C2MR |= AMP_IPCC_CHNOM(ch);
			m4_stop = true;
			continue;
		}
		IPCC_C2SCR = AMP_IPCC_CHNC(ch); /* acknowledge: the A7's doorbell may ring again */
		m4_pending |= 1u << ch;
	}
}

static void port_notify(void *ctx, uint32_t notify_id)
{
	int ch = amp_stm32mp1_notify_chan(notify_id);

	(void)ctx;
	if (ch < 0) {
		m4_stats.notify_bad_id++;
		return;
	}
	/* As ST's MAILBOX_Notify: the previous doorbell must have been taken first. Bounded,
	 * because the A7 may be gone; a dropped doorbell is counted (the host polls anyway on
	 * its next kick). */
	for (uint32_t spins = 0; IPCC_C2TOC1SR & AMP_IPCC_CHNF((uint32_t)ch); spins++) {
		if (spins == NOTIFY_SPIN_MAX) {
			m4_stats.notify_timeouts++;
			return;
		}
	}
	IPCC_C2SCR = AMP_IPCC_CHNS((uint32_t)ch);
	m4_stats.kicks_tx++;
}

static void port_lock(void *ctx)
{
	uint32_t primask = m4_irq_save();

	(void)ctx;
	if (m4_nest++ == 0)
		m4_saved_primask = primask;
}

static void port_unlock(void *ctx)
{
	(void)ctx;
	if (m4_nest == 0)
		return;
	if (--m4_nest == 0)
		m4_irq_restore(m4_saved_primask);
}

/* Sleep until an interrupt arrived (any: IPCC or the 1 ms tick) and account the time. */
static int port_wait(void *ctx, uint32_t *timeout_ms)
{
	uint32_t start = m4_ticks;

	(void)ctx;
	uint32_t primask = m4_irq_save();
	if (!m4_pending && !m4_stop)
		m4_wfi();
	m4_irq_restore(primask);
	uint32_t elapsed = m4_ticks - start;
	if (elapsed >= *timeout_ms) {
		*timeout_ms = 0;
		return AMP_ETIMEDOUT;
	}
	*timeout_ms -= elapsed;
	return 0;
}

static bool in_window(uint64_t da, uint32_t len, uintptr_t lo, uintptr_t hi)
{
	if (da < lo || da >= hi)
		return false;
	return len <= hi - (uintptr_t)da;
}

static void *port_da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	(void)ctx;
	if (!in_window(da, len, (uintptr_t)__ipc_shm_start, (uintptr_t)__ipc_shm_end))
		return NULL;
	return (void *)(uintptr_t)da;
}

static void port_assert_fail(const char *file, int line, const char *expr)
{
	(void)file;
	(void)line;
	(void)expr;
	for (;;)
		__asm volatile("bkpt #0");
}

static const struct amp_port_ops m4_port_ops = {
    .notify = port_notify,
    .lock = port_lock,
    .unlock = port_unlock,
    .wait = port_wait,
    .da_to_va = port_da_to_va,
    .assert_fail = port_assert_fail,
};
static const struct amp_port m4_port = {.ops = &m4_port_ops};

static void ipcc_start(void)
{
	RCC_MC_AHB3ENSETR = RCC_MC_AHB3ENSETR_IPCCEN;
	IPCC_C2CR = 0;
	IPCC_C2MR = IPCC_ALL_RX | IPCC_ALL_TX;
	IPCC_C2CR = AMP_IPCC_XCR_RXOIE;
	IPCC_C2MR &= ~(AMP_IPCC_CHNOM(AMP_IPCC_CH_VRING0) | AMP_IPCC_CHNOM(AMP_IPCC_CH_VRING1) |
		       AMP_IPCC_CHNOM(AMP_IPCC_CH_SHUTDOWN));
	NVIC_IPR(AMP_STM32MP1_M4_IPCC_RX_IRQN) = 0x10u; /* just below the highest priority */
	NVIC_ISER(AMP_STM32MP1_M4_IPCC_RX_IRQN / 32u) = 1u << (AMP_STM32MP1_M4_IPCC_RX_IRQN % 32u);
}

struct rpmsg_device *fw_platform_init(void)
{
	size_t len = (size_t)(__resource_table_end - __resource_table_start);
	struct amp_rpmsg_remote_cfg cfg = {.ready_timeout_ms = DRIVER_OK_TIMEOUT_MS};

	m4_ticks = 0;
	SYST_RVR = FW_M4_CORE_HZ / 1000u - 1u;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_CLKSOURCE | SYST_CSR_TICKINT | SYST_CSR_ENABLE;
	ipcc_start();

	/* Parsed in a private copy: Linux writes the loaded table, it is input like any other. */
	if (len > sizeof(m4_rsc_copy) ||
	    amp_rsc_vdev_bind(&m4_vdev, __resource_table_start, len, m4_rsc_copy, NULL) != 0) {
		fw_platform_trace("m4: no rpmsg vdev with two vrings in .resource_table\n");
		return NULL;
	}
	/* The core polls the status every tick, then reads the vrings Linux placed. */
	amp_rsc_vdev_remote_cfg(&m4_vdev, &cfg);
	int rc = amp_rpmsg_remote_init(&m4_rdev.amp, &cfg, &m4_port);
	if (rc == AMP_ETIMEDOUT) {
		fw_platform_trace("m4: no DRIVER_OK from the host\n");
		return NULL;
	}
	if (rc != 0) {
		fw_platform_trace("m4: rpmsg bring-up failed (vrings outside the IPC region?)\n");
		return NULL;
	}
	rpmsg_device_attach(&m4_rdev);
	return &m4_rdev;
}

void fw_platform_poll(uint32_t timeout_ms)
{
	uint32_t start = m4_ticks;

	for (;;) {
		uint32_t primask = m4_irq_save();
		uint32_t p = m4_pending;
		m4_pending = 0;
		m4_irq_restore(primask);

		/* CH1: Linux refilled vring0 (our TX); CH2: new messages on vring1 (our RX). */
		for (uint32_t ch = AMP_IPCC_CH_VRING0; ch <= AMP_IPCC_CH_VRING1; ch++)
			if (p & (1u << ch))
				(void)amp_rpmsg_notified(&m4_rdev.amp,
							 (uint32_t)amp_stm32mp1_chan_notify(ch));
		if (p || m4_stop || m4_ticks - start >= timeout_ms)
			return;
		primask = m4_irq_save();
		if (!m4_pending && !m4_stop)
			m4_wfi();
		m4_irq_restore(primask);
	}
}

bool fw_platform_stop_requested(void)
{
	return m4_stop;
}

void fw_platform_deinit(void)
{
	NVIC_ICER(AMP_STM32MP1_M4_IPCC_RX_IRQN / 32u) = 1u << (AMP_STM32MP1_M4_IPCC_RX_IRQN % 32u);
	if (m4_stop)
		IPCC_C2SCR =
		    AMP_IPCC_CHNC(AMP_IPCC_CH_SHUTDOWN); /* Linux's shutdown request completes */
	SYST_CSR = 0;
}

uint32_t fw_platform_millis(void)
{
	return m4_ticks;
}

void fw_platform_trace(const char *text)
{
	/* Linux reads the trace buffer as text from its start: write linearly, start over when
	 * full, and keep the text NUL-terminated. */
	volatile char *buf = (volatile char *)(uintptr_t)FW_TRACE_BUFFER_DA;

	for (; *text; text++) {
		if (m4_trace_pos >= FW_TRACE_BUFFER_SIZE - 1u)
			m4_trace_pos = 0;
		buf[m4_trace_pos++] = *text;
	}
	buf[m4_trace_pos] = '\0';
}

void *fw_platform_da_to_va(uint32_t da, uint32_t len)
{
	if (in_window(da, len, (uintptr_t)__ipc_shm_start, (uintptr_t)__ipc_shm_end) ||
	    in_window(da, len, (uintptr_t)__ddr_start, (uintptr_t)__ddr_end))
		return (void *)(uintptr_t)da;
	return NULL;
}
