/*
 * What a sample firmware needs from its platform, beyond the OpenAMP rpmsg API.
 *
 * The same application sources build for the simulator (port/sim: a Linux process attached
 * to the ampsim shared memory) and for the STM32MP1 Cortex-M4 (port/stm32mp1-m4); only the
 * implementation of these functions differs. They mirror what ST's Cube firmware does in
 * main(): MX_OPENAMP_Init() then a loop around OPENAMP_check_for_message().
 */
#ifndef AMP_FW_PLATFORM_H
#define AMP_FW_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openamp/open_amp.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Bring the link up as OpenAMP does on STM32MP1: find the loaded resource table, wait for
 * the host's DRIVER_OK, build the virtqueues from the vring entries, start the mailbox.
 * Returns the rpmsg device to create endpoints on, or NULL when the link could not be
 * set up (the reason is in the trace buffer and, on the simulator, on stderr).
 */
struct rpmsg_device *fw_platform_init(void);

/**
 * Wait for the next interrupt (or at most @p timeout_ms; 0 = do not wait) and process
 * every pending mailbox notification: receive callbacks run here, in thread context.
 */
void fw_platform_poll(uint32_t timeout_ms);

/** True once the host asked the firmware to shut down (IPCC channel 3). */
bool fw_platform_stop_requested(void);

/** Acknowledge the shutdown request and release the platform. */
void fw_platform_deinit(void);

/** Milliseconds since fw_platform_init() (SysTick on the MCU, CLOCK_MONOTONIC here). */
uint32_t fw_platform_millis(void);

/** Append text to the firmware's trace buffer (RSC_TRACE), read by `ampsim ctl trace`. */
void fw_platform_trace(const char *text);

/**
 * Pointer for @p len bytes at device address @p da (a buffer the host announced, e.g. in
 * DDR), or NULL if the range is not memory the firmware may touch. Identity on the MCU;
 * on the simulator a region may be mapped away from its device address (docs/memory-map.md).
 */
void *fw_platform_da_to_va(uint32_t da, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* AMP_FW_PLATFORM_H */
