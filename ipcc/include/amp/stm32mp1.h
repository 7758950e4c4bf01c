/*
 * The STM32MP1 board facts that the host (Linux's stm32_rproc and stm32-ipcc), the simulator
 * and the Cortex-M4 firmware port share. Each is written here once and every user calls it:
 *  - where the IPCC sits and how many channels it has;
 *  - what each IPCC channel carries (Linux stm32_rproc's mailboxes, ST's mbox_ipcc.c), plus
 *    the one channel the simulator adds;
 *  - which channel a vring's notify id rings, and back.
 * The IPCC register map (offsets and bits) is the model's, in <amp/ipcc.h>; the Cortex-M4
 * port addresses the same registers at AMP_STM32MP1_IPCC_BASE.
 *
 * Portable: builds for the Cortex-M4 (freestanding C).
 */
#ifndef AMP_STM32MP1_H
#define AMP_STM32MP1_H

#include <stdint.h>

#include <amp/error.h>
#include <amp/ipcc.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The IPCC as both cores see it (ST's CMSIS stm32mp157cxx_cm4.h: AHB3_PERIPH_BASE
 * 0x4C000000 + 0x1000), its channel count (HWCFGR.CHANNELS) and the Cortex-M4's interrupt
 * for "the A7 set a flag towards me" (IPCC_RX1_IRQn; IPCC_TX1_IRQn = 104 is unused).
 */
#define AMP_STM32MP1_IPCC_BASE 0x4C001000u
#define AMP_STM32MP1_IPCC_NCHAN 6u
#define AMP_STM32MP1_M4_IPCC_RX_IRQN 103u

/* Channel use (0-based hardware indices: AMP_IPCC_CH1 is the HAL's IPCC_CHANNEL_1). */
#define AMP_IPCC_CH_VRING0 AMP_IPCC_CH1	  /**< vring0 (notify id 0): host mailbox "vq0" */
#define AMP_IPCC_CH_VRING1 AMP_IPCC_CH2	  /**< vring1 (notify id 1): host mailbox "vq1" */
#define AMP_IPCC_CH_SHUTDOWN AMP_IPCC_CH3 /**< host -> firmware shutdown request */
#define AMP_IPCC_CH_DETACH AMP_IPCC_CH4	  /**< host -> firmware detach request */
/** Simulator only (free on STM32MP1): "DDR buffers changed", both ways (docs/sdb.md). */
#define AMP_IPCC_CH_DDR_PLUG AMP_IPCC_CH5

/**
 * The channel a vring's doorbell rings. The host assigns notify ids 0 and 1 in table order
 * and writes them into the loaded table; Linux's stm32_rproc_kick() rings mailbox "vq<id>"
 * and ST's MAILBOX_Notify() maps VRING0_ID/VRING1_ID the same way.
 * @return the channel, or AMP_ENOENT: no channel carries this id
 */
static inline int amp_stm32mp1_notify_chan(uint32_t notify_id)
{
	return notify_id <= 1u ? (int)(AMP_IPCC_CH_VRING0 + notify_id) : AMP_ENOENT;
}

/**
 * The notify id an interrupt on @p ch stands for (the inverse of amp_stm32mp1_notify_chan()).
 * @return 0 or 1, or AMP_ENOENT: @p ch carries no vring
 */
static inline int amp_stm32mp1_chan_notify(uint32_t ch)
{
	return ch == AMP_IPCC_CH_VRING0 || ch == AMP_IPCC_CH_VRING1 ? (int)(ch - AMP_IPCC_CH_VRING0)
								    : AMP_ENOENT;
}

#ifdef __cplusplus
}
#endif

#endif /* AMP_STM32MP1_H */
