/*
 * The firmware-process contract (DESIGN D12, docs/firmware-abi.md): how a firmware process
 * learns the shared object's name and its inherited IPCC eventfds. Nothing is guessed:
 * the host puts both in the child's environment, the fds are inherited across exec.
 *
 *   AMPSIM_ABI=1
 *   AMPSIM_SHM=/ampsim-<uid>-<pid>-<16 hex>
 *   AMPSIM_IRQ_FDS=<p1-rxo>,<p1-txf>,<p2-rxo>,<p2-txf>
 *
 * AMPSIM_IRQ_FDS lists eventfd numbers in the order of amp_ipcc_link's efds[]: index
 * proc * 2 + line (proc 0 = host/Cortex-A7, 1 = firmware/Cortex-M4; line 0 = RX-occupied,
 * 1 = TX-free). A process reads its own lines' fds and writes the peer's.
 *
 * Optional:
 *   AMPSIM_IPCC_MODE=blocking|adaptive   how the firmware waits for interrupts (default
 *                                        blocking; docs/ipcc.md "Transport")
 *   AMPSIM_SANITIZE_BUFFERS=1            mark every buffer the firmware gives up
 *                                        inaccessible (`ampsim run --sanitize-buffers`,
 *                                        docs/faults.md); any other value or unset: off
 *   AMPSIM_FAULTS=RULE[; RULE...]        the fault rules the firmware applies itself (irq,
 *   AMPSIM_FAULT_SEED=N                  ring:fw, fw exit; docs/faults.md), in the canonical
 *                                        form docs/firmware-abi.md describes, and the
 *                                        plan's seed; a port may ignore both
 */
#ifndef AMPSIM_FWENV_H
#define AMPSIM_FWENV_H

#include <stddef.h>

#include <ampsim/ipcc_link.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AMP_FWENV_ABI "AMPSIM_ABI"
#define AMP_FWENV_SHM "AMPSIM_SHM"
#define AMP_FWENV_IRQ_FDS "AMPSIM_IRQ_FDS"
#define AMP_FWENV_IPCC_MODE "AMPSIM_IPCC_MODE" /**< optional, amp_fwenv_ipcc_mode_parse() */
#define AMP_FWENV_SANITIZE_BUFFERS "AMPSIM_SANITIZE_BUFFERS" /**< optional, "1" = on */
#define AMP_FWENV_FAULTS "AMPSIM_FAULTS"		     /**< optional, docs/firmware-abi.md */
#define AMP_FWENV_FAULT_SEED "AMPSIM_FAULT_SEED"	     /**< optional, decimal uint64 */
#define AMP_FWENV_ABI_VERSION 1
#define AMP_FWENV_NFDS 4 /**< 2 processors x 2 lines */

/** "KEY=VALUE" strings for the child's envp (built in the parent, before fork). */
struct amp_fwenv {
	char abi[32];
	char shm[96];
	char fds[96];
};

/**
 * Format the environment entries. The caller appends env->abi, env->shm and env->fds to the
 * child's envp (execve) and calls amp_fwenv_inherit() in the child before exec.
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  bad name or a negative fd
 */
int amp_fwenv_format(struct amp_fwenv *env, const char *shm_name, const int efds[AMP_FWENV_NFDS]);

/**
 * In the child between fork and exec: clear FD_CLOEXEC on the eventfds so exec keeps them.
 * Async-signal-safe (fcntl only).
 *
 * @retval AMP_OK
 * @retval other  fcntl's errno through amp_from_errno() (AMP_EIO for a closed fd)
 */
int amp_fwenv_inherit(const int efds[AMP_FWENV_NFDS]);

/**
 * Firmware side: read and validate the environment. Every fd must be open and an eventfd
 * (checked through /proc/self/fd), and the ABI version must match; they are then made
 * close-on-exec so they do not leak into the firmware's own children, and the firmware is
 * set to be killed when the process that started it ends (PR_SET_PDEATHSIG).
 *
 * @param name      out: the shared object's name (buffer of @p name_len bytes)
 * @param efds      out: the four eventfds
 * @param why       out (may be NULL): reason on failure
 * @retval AMP_OK
 * @retval AMP_ENOENT   a variable is missing (not started by ampsim)
 * @retval AMP_EINVAL   a variable is malformed or an fd is not an eventfd
 * @retval AMP_ENOTSUP  ABI version mismatch
 */
int amp_fwenv_read(char *name, size_t name_len, int efds[AMP_FWENV_NFDS], char *why,
		   size_t why_len);

/**
 * Parse an IPCC wait mode as AMPSIM_IPCC_MODE carries it: "blocking", "adaptive" or "spin"
 * (for measurement: it never sleeps).
 * Both sides use it: `ampsim run --ipcc-mode` before it passes the value on, the firmware
 * when it reads its environment.
 *
 * @param value  the text; NULL (the variable is not set) means blocking
 * @param mode   out: the mode
 * @param why    out (may be NULL): "AMPSIM_IPCC_MODE=x: must be blocking, adaptive or spin"
 * @retval AMP_OK
 * @retval AMP_EINVAL  not one of the three values
 */
int amp_fwenv_ipcc_mode_parse(const char *value, enum amp_ipcc_wait *mode, char *why,
			      size_t why_len);

/** The AMPSIM_IPCC_MODE value for @p mode, or NULL if it is none of the three. */
const char *amp_fwenv_ipcc_mode_name(enum amp_ipcc_wait mode);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_FWENV_H */
