/*
 * Cortex-M4 start-up for the STM32MP15x: the vector table (placed in RETRAM by the linker
 * script, where the M4 fetches it after reset) and Reset_Handler. remoteproc loads every
 * segment to its run address, so there is no .data copy from flash; .bss is zeroed here so
 * a restart without a reload starts clean as well. No C++ constructors and no
 * __libc_init_array: the samples are C and the image is linked with -nostartfiles.
 */
#include <stdint.h>

#include "stm32mp1_m4.h"

#define M4_NUM_IRQS 150u /* WWDG1_IRQn (0) .. WAKEUP_PIN_IRQn (149) */

extern uint32_t _estack;	 /* top of the stack (linker script) */
extern uint32_t __bss_start__[]; /* .bss bounds (linker script) */
extern uint32_t __bss_end__[];

int main(void);

static void Default_Handler(void)
{
	/* An interrupt nobody enabled, or a fault: stop here for the debugger. */
	for (;;)
		__asm volatile("bkpt #0");
}

void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*m4_handler)(void);

struct m4_vector_table {
	uint32_t *initial_sp;
	m4_handler core[15];	     /* Reset .. SysTick (exceptions 1..15) */
	m4_handler irq[M4_NUM_IRQS]; /* external interrupts */
};

/* "used" + KEEP(*(.isr_vector)) in the linker script: nothing references the table. */
__attribute__((used, section(".isr_vector"))) const struct m4_vector_table m4_vectors = {
    .initial_sp = &_estack,
    .core =
	{
	    Reset_Handler,
	    NMI_Handler,
	    HardFault_Handler,
	    MemManage_Handler,
	    BusFault_Handler,
	    UsageFault_Handler,
	    0,
	    0,
	    0,
	    0,
	    SVC_Handler,
	    DebugMon_Handler,
	    0,
	    PendSV_Handler,
	    SysTick_Handler,
	},
    .irq =
	{
	    [0 ... AMP_STM32MP1_M4_IPCC_RX_IRQN - 1] = Default_Handler,
	    [AMP_STM32MP1_M4_IPCC_RX_IRQN] = IPCC_RX1_IRQHandler,
	    [AMP_STM32MP1_M4_IPCC_RX_IRQN + 1 ... M4_NUM_IRQS - 1] = Default_Handler,
	},
};

void Reset_Handler(void)
{
	/* The image is built with -mfloat-abi=hard: grant CP10/CP11 before any FP instruction. */
	SCB_CPACR |= 0xFu << 20;
	__asm volatile("dsb\n\tisb" ::: "memory");
	for (uint32_t *p = __bss_start__; p < __bss_end__; p++)
		*p = 0;
	(void)main();
	/* main() returned (shutdown acknowledged): idle until Linux stops the core. */
	for (;;)
		__asm volatile("wfi");
}
