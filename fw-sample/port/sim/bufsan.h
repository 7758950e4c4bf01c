/*
 * The buffer-ownership sanitizer of the simulator port (docs/faults.md): the RPMsg core's
 * amp_port_ops.buf_owner hook, marking buffers the firmware gave up inaccessible for
 * valgrind memcheck and AddressSanitizer.
 */
#ifndef FW_PORT_SIM_BUFSAN_H
#define FW_PORT_SIM_BUFSAN_H

#include <stdbool.h>
#include <stdint.h>

#include <ampsim/soc.h>

/** True when AMPSIM_SANITIZE_BUFFERS=1 is in the environment. */
bool fw_bufsan_enabled(void);

/**
 * Start: every buffer of the shared buffer pool (regions of purpose buffer) is the host's
 * until the core takes it, so mark them all inaccessible.
 */
void fw_bufsan_start(const struct amp_soc *soc);

/** The amp_port_ops.buf_owner hook; @p ctx is the attached struct amp_soc. */
void fw_bufsan_owner(void *ctx, void *ptr, uint32_t len, bool ours);

#endif /* FW_PORT_SIM_BUFSAN_H */
