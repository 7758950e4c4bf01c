/*
 * The few STM32MP15x Cortex-M4 registers the port touches, as the M4 sees them.
 * The IPCC's address, channel map and IRQ number are the board's (<amp/stm32mp1.h>), its
 * register offsets and bits the IPCC model's (<amp/ipcc.h>, Linux stm32-ipcc.c names): this
 * header only makes them volatile accesses. Sources of the rest: ST's CMSIS device header
 * stm32mp157cxx_cm4.h (STM32CubeMP1 @3739122: AHB4_PERIPH_BASE = 0x50000000 = RCC_BASE);
 * ARMv7-M system registers from the architecture (SysTick, NVIC, SCB).
 * RCC MC_AHB3ENSETR at RCC + 0xAA0 was seen in a CMSIS-style RCC struct; its IPCCEN bit 12
 * is from RM0436 and UNVERIFIED in the index.
 */
#ifndef FW_STM32MP1_M4_H
#define FW_STM32MP1_M4_H

#include <stdint.h>

#include <amp/ipcc.h>
#include <amp/stm32mp1.h>

#define MMIO32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))
#define MMIO8(addr) (*(volatile uint8_t *)(uintptr_t)(addr))

/* IPCC: the M4 is processor 2 (C2*), Linux on the A7 is processor 1 (C1*). */
#define IPCC_REG(off) MMIO32(AMP_STM32MP1_IPCC_BASE + (off))
#define IPCC_C1TOC2SR IPCC_REG(AMP_IPCC_C1TOC2SR) /* A7 -> M4 flags (RX for us), read-only */
#define IPCC_C2CR IPCC_REG(AMP_IPCC_C2CR)
#define IPCC_C2MR IPCC_REG(AMP_IPCC_C2MR)
#define IPCC_C2SCR IPCC_REG(AMP_IPCC_C2SCR)
#define IPCC_C2TOC1SR IPCC_REG(AMP_IPCC_C2TOC1SR)	   /* M4 -> A7 flags (our TX), read-only */
#define IPCC_ALL_RX ((1u << AMP_STM32MP1_IPCC_NCHAN) - 1u) /* every CHnOM / CHnF bit */
#define IPCC_ALL_TX (IPCC_ALL_RX << AMP_IPCC_TX_SHIFT)	   /* every CHnFM bit */

/* RCC: MCU-side peripheral clock enable (write 1 to set). */
#define RCC_BASE 0x50000000u
#define RCC_MC_AHB3ENSETR MMIO32(RCC_BASE + 0xAA0u)
#define RCC_MC_AHB3ENSETR_IPCCEN (1u << 12)

/* ARMv7-M system control space. */
#define SYST_CSR MMIO32(0xE000E010u) /* SysTick control and status */
#define SYST_RVR MMIO32(0xE000E014u) /* reload value */
#define SYST_CVR MMIO32(0xE000E018u) /* current value */
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* processor clock */
#define NVIC_ISER(n) MMIO32(0xE000E100u + 4u * (n))
#define NVIC_ICER(n) MMIO32(0xE000E180u + 4u * (n))
#define NVIC_IPR(n) MMIO8(0xE000E400u + (n)) /* one byte per IRQ, top 4 bits used */
#define SCB_CPACR MMIO32(0xE000ED88u)	     /* coprocessor access: CP10/CP11 = FPU */

/*
 * The M4's clock after Linux (or the engineering-boot SystemClock_Config) set it up:
 * MCU_CLK = 209 MHz from PLL3 on ST's boards. Override with -DFW_M4_CORE_HZ=... if the
 * board runs the MCU at another frequency; only the millisecond tick depends on it.
 */
#ifndef FW_M4_CORE_HZ
#define FW_M4_CORE_HZ 209000000u
#endif

static inline uint32_t m4_irq_save(void)
{
	uint32_t primask;
	__asm volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask)::"memory");
	return primask;
}

static inline void m4_irq_restore(uint32_t primask)
{
	__asm volatile("msr primask, %0" ::"r"(primask) : "memory");
}

/* Sleep until an interrupt is pending. Called with interrupts masked (PRIMASK=1): WFI still
 * wakes on a pending interrupt, which then runs once the caller restores PRIMASK, so a flag
 * checked before WFI cannot be missed. */
static inline void m4_wfi(void)
{
	__asm volatile("dsb\n\twfi\n\tisb" ::: "memory");
}

void Reset_Handler(void);
void SysTick_Handler(void);
void IPCC_RX1_IRQHandler(void);

#endif /* FW_STM32MP1_M4_H */
