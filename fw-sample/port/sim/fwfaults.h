/*
 * The fault rules the simulator port applies itself (docs/faults.md): irq (an interrupt
 * delayed or spurious at the firmware's side), ring:fw (the firmware as a buggy device on
 * vring0 or vring1) and fw exit (the firmware ends itself with an exit code). The host checked the
 * user's plan and passes these rules in the environment (AMPSIM_FAULTS, AMPSIM_FAULT_SEED,
 * canonical form in docs/firmware-abi.md); what fires is counted in the shared header's
 * table (struct amp_soc_fw_fault) and written to stderr and the trace buffer. POSIX only.
 */
#ifndef FW_PORT_SIM_FWFAULTS_H
#define FW_PORT_SIM_FWFAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/rpmsg.h>
#include <amp/virtqueue.h>
#include <ampsim/soc.h>

/** How the module reaches the rest of the port. */
struct fwf_port {
	struct amp_soc *soc;
	void (*trace)(const char *text);
	int (*kick)(uint32_t ch); /* amp_ipcc_link_kick: 1 sent, 0 coalesced */
};

/**
 * Read AMPSIM_FAULTS / AMPSIM_FAULT_SEED. Unset: no rule, every hook costs one test.
 * @retval false  malformed (@p why says what): the host and the port disagree
 */
bool fwf_init(const struct fwf_port *port, char *why, size_t why_len);

/** True when a rule needs the core's buf_owner hook (fw exit on messages). */
bool fwf_watch_messages(void);

/** The vrings, once the core has read them (for ring:fw and fw exit). */
void fwf_set_vrings(const struct amp_rpmsg_vdev_params *p);

/** Start the at-ms timers (fw exit at-ms=N); after the core is up. */
void fwf_start(void);

/** IRQ thread, before the handler of channel @p ch (1-based): irq delay sleeps here. */
void fwf_irq(uint32_t ch);

/** True when an irq spurious rule fired on channel @p ch since the last call (consumed). */
bool fwf_spurious(uint32_t ch);

/**
 * The core is about to notify vring0 (it has published): ring:fw rules corrupt what it
 * published. True when the port must call fwf_kick_again() after its own kick.
 */
bool fwf_notify_vring0(void);

/** notify-no-publish: ring vring0 once more, once the host has taken the first kick. */
void fwf_kick_again(void);

/**
 * After each core operation (the port's unlock, still locked): ring:fw:vring1 rules see the
 * used entries @p vq (the core's vring1) published since, and corrupt the one they fire on.
 */
void fwf_after_op(struct amp_vq *vq);

/** The core handed the firmware a buffer: fw exit rules watch received messages. */
void fwf_buf_owner(void *ptr, uint32_t len, bool ours);

#endif /* FW_PORT_SIM_FWFAULTS_H */
