/*
 * RPMsg-Lite's platform layer for ampsim (the "board" a firmware process runs on): the
 * header RPMsg-Lite's rpmsg_env.h includes as "rpmsg_platform.h". Same functions as NXP's
 * platform ports; the shared memory, the IPCC and the IRQ thread are ampsim's
 * (docs/real-stacks.md). One link (link id 0) on the STM32MP1 IPCC: vring0 (the remote's TX
 * ring, vector 0) rings CH1, vring1 (its RX ring, vector 1) rings CH2, in both directions.
 */
#ifndef RPMSG_PLATFORM_H_
#define RPMSG_PLATFORM_H_

#include <stdbool.h>
#include <stdint.h>

/* The vrings as ampsim's stm32mp157 profile places them: vring0 at vdev0vring0, vring1 one
 * page above at vdev0vring1 (RPMsg-Lite's remote expects vring1 = vring0 + VRING_SIZE), ST's
 * alignment of 16. The port checks the host's placement against these at start-up. */
#ifndef VRING_ALIGN
#define VRING_ALIGN (0x10U)
#endif
#ifndef VRING_SIZE
#define VRING_SIZE (0x1000UL)
#endif
#define RL_VRING_OVERHEAD (2UL * VRING_SIZE)

#ifndef RL_PLATFORM_MAX_ISR_COUNT
#define RL_PLATFORM_MAX_ISR_COUNT (2U)
#endif

#define RL_GET_VQ_ID(link_id, queue_id) (((queue_id)&0x1U) | (((link_id) << 1U) & 0xFFFFFFFEU))
#define RL_GET_LINK_ID(id) (((id)&0xFFFFFFFEU) >> 1U)
#define RL_GET_Q_ID(id) ((id)&0x1U)

#define RL_PLATFORM_AMPSIM_LINK_ID (0U)
#define RL_PLATFORM_HIGHEST_LINK_ID (0U)

/* platform interrupt related functions */
int32_t platform_init_interrupt(uint32_t vector_id, void *isr_data);
int32_t platform_deinit_interrupt(uint32_t vector_id);
int32_t platform_interrupt_enable(uint32_t vector_id);
int32_t platform_interrupt_disable(uint32_t vector_id);
int32_t platform_in_isr(void);
void platform_notify(uint32_t vector_id);

/* platform low-level time-delay */
void platform_time_delay(uint32_t num_msec);

/* platform memory functions */
void platform_map_mem_region(uint32_t vrt_addr, uint32_t phy_addr, uint32_t size, uint32_t flags);
void platform_cache_all_flush_invalidate(void);
void platform_cache_disable(void);
void platform_cache_invalidate(void *data, uint32_t len);
void platform_cache_flush(void *data, uint32_t len);
uintptr_t platform_vatopa(void *addr);
void *platform_patova(uintptr_t addr);

/* platform init/deinit */
int32_t platform_init(void);
int32_t platform_deinit(void);

/*
 * ampsim's additions (no NXP equivalent).
 * platform_ampsim_stop_requested(): the host asked for a shutdown (IPCC CH3, `ampsim ctl
 * stop`); an application that polls it can leave its loop, rpmsg_lite_deinit() and return
 * from main. One that does not is stopped as a held-in-reset MCU: the host kills it after its
 * 500 ms grace period.
 * platform_ampsim_wait(ms): sleep until the next interrupt or @p ms (ms 0: do not sleep);
 * the host build's __WFI() for a main loop with nothing to do.
 * platform_ampsim_assert_fail(): for an application's RL_ASSERT (rpmsg_config.h).
 */
bool platform_ampsim_stop_requested(void);
void platform_ampsim_wait(uint32_t num_msec);
void platform_ampsim_assert_fail(const char *file, int line, const char *expr);

#endif /* RPMSG_PLATFORM_H_ */
