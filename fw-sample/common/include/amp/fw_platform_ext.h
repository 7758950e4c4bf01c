/*
 * Platform functions the samples need beyond fw_platform.h. Requested for fw_platform.h
 * itself (and the sim port); until it moves there, the samples and the stm32mp1-m4 port
 * take the declaration from here. Keep the signature identical to the one in the request.
 */
#ifndef AMP_FW_PLATFORM_EXT_H
#define AMP_FW_PLATFORM_EXT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Pointer through which the firmware may access the device-address range [@p da,
 * @p da + @p len) of memory the host handed it (e.g. an rpmsg-sdb buffer in DDR), or NULL
 * when any byte of the range lies outside memory the firmware may touch (overflow-safe).
 * On the Cortex-M4 this is the identity inside the allowed windows; on the simulator a
 * region may be mapped elsewhere (docs/memory-map.md, "relocatable"), so an application must
 * never dereference a device address it was given without this translation.
 * Calling context: any (no blocking, no side effects).
 */
void *fw_platform_da_to_va(uint32_t da, uint32_t len);

#ifdef __cplusplus
}
#endif

#endif /* AMP_FW_PLATFORM_EXT_H */
