/*
 * Device addresses the sample firmware uses, from the STM32MP157 memory map (the M4's view;
 * see sim/profiles/stm32mp157.ini). Integer constants, so resource-table initializers stay
 * constant expressions on both the 32-bit MCU and a 64-bit host.
 */
#ifndef AMP_FW_MEMORY_MAP_H
#define AMP_FW_MEMORY_MAP_H

/* MCU SRAM (mcusram, 0x10000000..0x1003ffff): the last 4 KiB hold the trace buffer. */
#define FW_TRACE_BUFFER_DA 0x1003f000u
#define FW_TRACE_BUFFER_SIZE 0x1000u

#endif /* AMP_FW_MEMORY_MAP_H */
