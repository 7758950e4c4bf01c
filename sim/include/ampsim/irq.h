/*
 * Interrupt context in a process (DESIGN D6): the IPCC line's handlers run "in ISR", one at
 * a time, with the IRQ lock held; amp_irq_disable()/amp_irq_enable() exclude them, as masking
 * interrupts does on the MCU. POSIX threads, no GLib.
 *
 * Who takes an interrupt: the firmware's main thread while it waits for one
 * (amp_irq_wait(), its WFI), in its own context, so a round trip costs it one wake-up; the
 * IRQ thread while the main thread is busy, so a handler still runs then (within about
 * AMP_IRQ_TICK_MS of the main thread going busy, then at once until it waits again).
 * Exactly one of the two listens on the line at a time. The IRQ thread looks every tick
 * only while the main thread alternates between waiting and working; once the main thread
 * has waited a whole tick it sleeps until the main thread wakes up or its WFI times out, so
 * an idle firmware makes no system call. The main thread blocks in read() on the line
 * without a timeout (one system call per interrupt, not poll() then read()): the IRQ thread
 * is its timer and pokes the line (amp_ipcc_link_poke()) when the WFI's time is up.
 *
 * A host process that runs a GLib main loop does not need this: it polls
 * amp_ipcc_link_fd() and calls amp_ipcc_link_handle_fd() (see sim/src/ipcc_glib.h).
 */
#ifndef AMPSIM_IRQ_H
#define AMPSIM_IRQ_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <ampsim/ipcc_link.h>

#ifdef __cplusplus
extern "C" {
#endif

/** How long the main thread must stay busy before the IRQ thread takes the line. */
#define AMP_IRQ_TICK_MS 1

/** One IRQ thread. Caller-allocated; fields are private. */
struct amp_irq {
	struct amp_ipcc_link *link;
	pthread_t tid;
	_Atomic uint32_t lock; /**< held by whichever thread runs the handlers (futex lock) */
	bool running;
	int err;		       /**< AMP_E* that ended the thread early, 0 otherwise */
	_Atomic uint32_t st;	       /**< who listens on the line (irq.c's ST_* bits) */
	_Atomic uint32_t edges;	       /**< the main thread's WFI entries and exits */
	_Atomic uint32_t taken;	       /**< dispatches so far; the main thread sleeps on it */
	_Atomic uint64_t by_main;      /**< of those, run by the main thread in amp_irq_wait() */
	_Atomic uint64_t wfi_deadline; /**< CLOCK_MONOTONIC ns the main thread's WFI ends, 0 */
	_Atomic bool alive;	       /**< the IRQ thread runs (it is the WFI's timer) */
};

/**
 * Start the IRQ thread on @p link (which must have its handlers set). Until the main thread
 * first waits in amp_irq_wait(), the IRQ thread takes every interrupt.
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
 * handlers out until the matching amp_irq_enable(). Nestable (per thread). From a handler
 * it only counts, since interrupts are already off there.
 */
void amp_irq_disable(struct amp_irq *irq);

/** Undo one amp_irq_disable(); the outermost one lets the handlers run again. */
void amp_irq_enable(struct amp_irq *irq);

/** True on the thread that runs handlers, while it runs them ("in ISR"). */
bool amp_irq_in_handler(void);

/** How many times handlers were dispatched so far: the @p seen of amp_irq_wait(). */
uint32_t amp_irq_count(struct amp_irq *irq);

/**
 * Wait for an interrupt (WFI) on the main thread: returns once handlers were dispatched
 * after amp_irq_count() returned @p seen (take that snapshot before testing what the
 * handlers change, or a wake-up can be missed). While the calling thread waits it listens
 * on the line itself and runs the handlers in its own context (amp_irq_in_handler() true
 * meanwhile), unless the IRQ thread holds the line (the caller was busy for a tick): then
 * it sleeps until the IRQ thread has run them, and the IRQ thread hands the line back.
 * With interrupts disabled by the caller (amp_irq_disable()) it only waits until one is
 * pending and leaves it for amp_irq_enable(), as WFI with interrupts masked does.
 *
 * One thread only (the firmware's main thread); not from a handler.
 *
 * @param timeout_ms  -1 = no limit, 0 = run what is pending without sleeping
 * @retval 1              handlers were dispatched (or one is pending, interrupts disabled)
 * @retval 0              timed out (or the IRQ thread is stopping)
 * @retval AMP_EINVAL     not started, or called from a handler
 * @retval other AMP_E*   the line's wait failed (amp_ipcc_link_wait_event())
 */
int amp_irq_wait(struct amp_irq *irq, uint32_t seen, int timeout_ms);

/**
 * WFI on the main thread until @p done(@p arg) holds or @p deadline (amp_deadline_ms())
 * passes: the wait of a firmware port ("sleep until a mailbox interrupt came, or the time
 * is up"). @p done is tested after each amp_irq_count() snapshot, so no wake-up is missed.
 * @return whether @p done held (false: the time was up, the wait failed or the IRQ thread
 * is stopping)
 */
bool amp_irq_wait_for(struct amp_irq *irq, bool (*done)(void *arg), void *arg, uint64_t deadline);

/** How many dispatches the main thread ran itself in amp_irq_wait() (for tests, stats). */
uint64_t amp_irq_main_dispatches(struct amp_irq *irq);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_IRQ_H */
