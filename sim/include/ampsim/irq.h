/*
 * Interrupt context in a process (DESIGN D6): one IRQ thread waits on the process's IPCC
 * line and runs the registered channel handlers; amp_irq_disable()/amp_irq_enable() exclude
 * it, as masking interrupts does on the MCU. POSIX threads, no GLib.
 *
 * A host process that runs a GLib main loop does not need this: it polls
 * amp_ipcc_link_fd() and calls amp_ipcc_link_handle_fd() (see sim/src/ipcc_glib.h).
 */
#ifndef AMPSIM_IRQ_H
#define AMPSIM_IRQ_H

#include <pthread.h>
#include <stdbool.h>

#include <ampsim/ipcc_link.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One IRQ thread. Caller-allocated; fields are private. */
struct amp_irq {
	struct amp_ipcc_link *link;
	pthread_t tid;
	pthread_mutex_t lock; /**< held by the IRQ thread while handlers run */
	bool running;
	int err; /**< AMP_E* that ended the thread early, 0 otherwise */
};

/**
 * Start the IRQ thread on @p link (which must have its handlers set). Handlers then run on
 * that thread, one at a time, with the IRQ lock held.
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  bad argument
 * @retval AMP_EAGAIN  no resources for another thread (pthread_create's EAGAIN)
 * @retval other       pthread's error number through amp_from_errno()
 */
int amp_irq_start(struct amp_irq *irq, struct amp_ipcc_link *link);

/** Stop and join the IRQ thread (interrupts its wait). Idempotent. Not from a handler. */
void amp_irq_stop(struct amp_irq *irq);

/**
 * Disable interrupts for the calling thread: waits until no handler runs, then keeps the
 * IRQ thread out until the matching amp_irq_enable(). Nestable (per thread). From a
 * handler it only counts, since interrupts are already off there.
 */
void amp_irq_disable(struct amp_irq *irq);

/** Undo one amp_irq_disable(); the outermost one lets the IRQ thread run again. */
void amp_irq_enable(struct amp_irq *irq);

/** True on the IRQ thread while it runs handlers ("in ISR"). */
bool amp_irq_in_handler(void);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_IRQ_H */
