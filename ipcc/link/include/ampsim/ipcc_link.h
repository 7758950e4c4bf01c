/*
 * IPCC transport between two processes (DESIGN D5, D6, D9): the register model in shared
 * memory plus one eventfd per IRQ line per processor, which carries the line's rising edge
 * to the process that owns the line.
 *
 * Waiting modes (per process, chosen at init; the two sides may differ):
 *   BLOCK     sleep in read(eventfd) until the peer raises our line.
 *   ADAPTIVE  poll the shared register file for cfg.poll_ns, then publish "asleep" in the
 *             shared header and sleep on the eventfd. A sender writes the eventfd only when
 *             the receiver is asleep, so back-to-back traffic needs no system call per kick
 *             and an idle process uses no CPU.
 *   SPIN      poll forever, never sleep (for measurement).
 * The sender's rule is the same in every mode: write the peer's eventfd iff the send raised
 * the peer's line and the peer's asleep word is set (BLOCK keeps it set, SPIN keeps it clear).
 * Store-then-load on both sides (flag, then asleep; asleep, then flag) with sequential
 * consistency means a sleeping receiver is always woken.
 *
 * Calling context: amp_ipcc_link_kick() from any thread of the owning process (it is
 * lock-free). amp_ipcc_link_wait_event(), amp_ipcc_link_dispatch(),
 * amp_ipcc_link_handle_fd() and amp_ipcc_link_handle_readable() from one thread only (the
 * IRQ thread or the event loop); handlers run only from dispatch, never from kick.
 */
#ifndef AMPSIM_IPCC_LINK_H
#define AMPSIM_IPCC_LINK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <amp/ipcc.h>

#ifdef __cplusplus
extern "C" {
#endif

enum amp_ipcc_wait {
	AMP_IPCC_WAIT_BLOCK = 0,
	AMP_IPCC_WAIT_ADAPTIVE = 1,
	AMP_IPCC_WAIT_SPIN = 2,
};

#define AMP_IPCC_LINK_NFDS 4 /**< efds[proc * 2 + line] */
#define AMP_IPCC_LINK_EFD(proc, line) ((proc)*AMP_IPCC_NLINES + (line))
#define AMP_IPCC_POLL_NS_DEFAULT 50000u /**< adaptive poll budget: 50 us */

/**
 * RX-occupied handler for one channel. Runs in "interrupt context" (from dispatch), after
 * the link acknowledged the channel (CHnC): new work the peer posts after that point will
 * raise the line again, so the handler must scan the whole ring.
 */
typedef void (*amp_ipcc_rx_fn)(void *arg, uint32_t ch);

struct amp_ipcc_link_cfg {
	uint32_t proc;		    /**< AMP_IPCC_PROC1 (host) or AMP_IPCC_PROC2 (firmware) */
	enum amp_ipcc_wait mode;    /**< how this side waits */
	uint32_t poll_ns;	    /**< adaptive poll budget; 0 = AMP_IPCC_POLL_NS_DEFAULT */
	bool strict;		    /**< kick waits until the channel is free (ST firmware) */
	uint32_t strict_timeout_ms; /**< strict wait bound; 0 = 500 (Linux's shutdown timeout) */
};

/** Local (per-process) counters; per channel: struct amp_ipcc_link_chan_stats. */
struct amp_ipcc_link_stats {
	uint64_t wakeups;     /**< eventfd reads that returned a count */
	uint64_t sleeps;      /**< times this side went to sleep in the kernel */
	uint64_t spurious;    /**< dispatches that found nothing pending */
	uint64_t unhandled;   /**< pending channels with no handler (acked and dropped) */
	uint64_t tx_timeouts; /**< strict kicks that timed out */
	uint64_t polls;	      /**< event loops (ADAPTIVE, SPIN): waits that polled the registers */
	uint64_t poll_hits;   /**< of those, the ones that found an interrupt without sleeping */
	uint64_t preempted;   /**< ADAPTIVE polls cut short: the CPU was taken (contention) */
	uint64_t same_cpu;    /**< ADAPTIVE waits that did not poll: the peer is on our CPU */
};

/**
 * This side's own counts for one channel, in this process's memory. The peer can write the
 * shared per-channel counters (amp_ipcc_shared.stats) at will, so what a side reports about
 * itself comes from here. Atomic: kicks may come from any thread.
 */
struct amp_ipcc_link_chan_stats {
	_Atomic uint64_t kicks;	      /**< sends this side requested */
	_Atomic uint64_t coalesced;   /**< of those, merged with a pending notification */
	_Atomic uint64_t irq_raised;  /**< of those, raised the peer's RX-occupied line */
	_Atomic uint64_t efd_writes;  /**< eventfd writes to wake the peer for them */
	_Atomic uint64_t efd_avoided; /**< eventfd writes skipped: the peer was awake */
	_Atomic uint64_t tx_waits;    /**< strict mode: sends that waited for a free channel */
	_Atomic uint64_t handled;     /**< the peer's notifications this side acknowledged */
};

/** One process's end of the link. Caller-allocated; fields are private unless noted. */
struct amp_ipcc_link {
	struct amp_ipcc m;   /**< read-only: the register model handle */
	uint32_t proc, peer; /**< read-only */
	struct amp_ipcc_link_cfg cfg;
	int efd[AMP_IPCC_LINK_NFDS]; /**< not owned */
	_Atomic uint32_t *asleep;    /**< [2], in shared memory */
	_Atomic uint32_t *on_cpu;    /**< [2], in shared memory; NULL: no CPU hints */
	_Atomic bool stop;	     /**< set by amp_ipcc_link_interrupt() */
	_Atomic bool poked;	     /**< set by amp_ipcc_link_poke(), taken by the waiter */
	uint32_t xmr;		     /**< our XMR as we set it: the private copy restore uses */
	struct {
		amp_ipcc_rx_fn fn;
		void *arg;
	} rx[AMP_IPCC_MAX_CHAN];
	struct {
		uint64_t avg_ns;  /* running average of the adaptive polls that paid off */
		unsigned backoff; /* waits left to sleep without polling */
		unsigned misses;  /* the next backoff after a poll that found nothing */
		uint64_t wakes;	  /* amp_ipcc_link_peer_wakes() as of the last wait */
		uint64_t kicks;	  /* amp_ipcc_link_kicks() as of the last wait */
	} ad;
	struct amp_ipcc_link_stats stats; /**< read-only for the owner of the dispatch thread */
	struct amp_ipcc_link_chan_stats chan[AMP_IPCC_MAX_CHAN]; /**< read-only: our counts */
	_Atomic uint64_t kicks;	     /**< the chan[].kicks of all channels (one load to read) */
	_Atomic uint64_t peer_wakes; /**< the chan[].efd_writes of all channels */
};

/**
 * Create the four eventfds (blocking, close-on-exec) for a run. On failure all are closed
 * again and every entry is -1.
 * @retval AMP_OK
 * @retval AMP_ENOMEM  out of file descriptors or kernel memory (EMFILE, ENFILE, ENOMEM)
 * @retval other       eventfd()'s errno through amp_from_errno()
 */
int amp_ipcc_efds_create(int efds[AMP_IPCC_LINK_NFDS]);

/** Close the four eventfds (ignores -1 entries). */
void amp_ipcc_efds_close(int efds[AMP_IPCC_LINK_NFDS]);

/**
 * Is @p fd an open eventfd of this process? (Checked through /proc/self/fd, so it works for
 * inherited descriptors and for ones received over a socket alike.) False for fd < 0.
 */
bool amp_is_eventfd(int fd);

/**
 * Attach one processor's end. Sets this side's asleep word according to the mode and
 * enables RXOIE for this processor (channels stay masked until a handler is set... see
 * amp_ipcc_link_set_handler()).
 *
 * @param sh      the shared register file (from amp_soc_ipcc())
 * @param nchan   channel count from the validated SoC header
 * @param efds    the run's four eventfds (not owned, must outlive the link)
 * @param asleep  the two shared asleep words (from amp_soc_asleep())
 * @retval AMP_OK
 * @retval AMP_EINVAL  bad argument
 */
int amp_ipcc_link_init(struct amp_ipcc_link *l, const struct amp_ipcc_link_cfg *cfg,
		       struct amp_ipcc_shared *sh, uint32_t nchan,
		       const int efds[AMP_IPCC_LINK_NFDS], _Atomic uint32_t *asleep);

/**
 * The host, after amp_soc_restore() reset the register file and before it restarts the
 * peer: re-apply this side's state from the link's private copy (RXOIE, the channel masks
 * as amp_ipcc_link_set_handler()/amp_ipcc_link_mask() left them, the asleep word), whatever
 * the peer wrote to the registers; with @p efds not NULL, use these eventfds from now on
 * (fresh ones per peer instance; the old ones are the caller's to close, after it moved its
 * event-loop watch to amp_ipcc_link_fd()).
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  not attached, or a negative fd in @p efds
 */
int amp_ipcc_link_restore(struct amp_ipcc_link *l, const int efds[AMP_IPCC_LINK_NFDS]);

/** Mask all of this side's channels, disable its IRQs, clear its asleep word. */
void amp_ipcc_link_deinit(struct amp_ipcc_link *l);

/**
 * Register (or with @p fn NULL, remove) the RX handler of channel @p ch and unmask (mask)
 * its RX-occupied interrupt. Call before the dispatching thread starts, or with it excluded.
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  bad channel
 */
int amp_ipcc_link_set_handler(struct amp_ipcc_link *l, uint32_t ch, amp_ipcc_rx_fn fn, void *arg);

/**
 * Mask or unmask channel @p ch's RX-occupied interrupt (XMR.CHnOM). Unmasking a channel
 * whose flag is set raises the line, as on the chip, and wakes this side's waiter.
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  bad channel
 */
int amp_ipcc_link_mask(struct amp_ipcc_link *l, uint32_t ch, bool masked);

/**
 * Notify the peer on channel @p ch (CHnS). In strict mode first wait (spin, then sleep on
 * the TX-free line) until the channel is free.
 *
 * @retval 1              sent
 * @retval 0              coalesced with a pending notification (counted)
 * @retval AMP_ETIMEDOUT  strict mode: the peer did not free the channel in time
 * @retval AMP_EINVAL     bad channel
 * @retval other AMP_E*   the eventfd write failed (its errno through amp_from_errno())
 */
int amp_ipcc_link_kick(struct amp_ipcc_link *l, uint32_t ch);

/** CLOCK_MONOTONIC now, ns: the clock of every deadline of the host side's waits. */
uint64_t amp_now_ns(void);

/** The deadline @p timeout_ms from now (amp_now_ns()); UINT64_MAX: none (@p timeout_ms < 0). */
uint64_t amp_deadline_ms(int64_t timeout_ms);

/** Milliseconds left until @p deadline, rounded up: 0 only once it has passed. */
uint32_t amp_ms_left(uint64_t deadline);

/**
 * Wait until an RX interrupt is pending for this side, according to the mode.
 *
 * @param timeout_ms  -1 = forever; 0 = check only
 * @retval 1              something is pending (or amp_ipcc_link_interrupt() or
 *                        amp_ipcc_link_poke() was called)
 * @retval 0              timed out
 * @retval AMP_EINVAL     not attached
 * @retval other AMP_E*   poll/read failed (errno through amp_from_errno())
 */
int amp_ipcc_link_wait_event(struct amp_ipcc_link *l, int timeout_ms);

/**
 * Handle pending RX interrupts: for each pending, unmasked channel, acknowledge (CHnC) and
 * then call its handler; repeat while anything is pending (bounded). Makes no system call
 * unless an ack raises the peer's TX-free line.
 *
 * @return number of handler calls (>= 0)
 */
int amp_ipcc_link_dispatch(struct amp_ipcc_link *l);

/** The fd an event loop polls for this side's RX line (POLLIN). */
int amp_ipcc_link_fd(const struct amp_ipcc_link *l);

/**
 * For event loops (GLib: g_unix_fd_add on amp_ipcc_link_fd()): drain the eventfd, then
 * dispatch. Use with mode BLOCK.
 *
 * @return number of handler calls, or AMP_EINVAL (not attached), or the AMP_E* code of a
 *         failed read (errno through amp_from_errno())
 */
int amp_ipcc_link_handle_fd(struct amp_ipcc_link *l);

/**
 * As amp_ipcc_link_handle_fd() for a loop that has just seen amp_ipcc_link_fd() readable
 * (poll revents POLLIN) on the one thread that reads it: reads the eventfd without polling
 * it first (one system call fewer per wake-up). The read blocks if the fd is not readable.
 */
int amp_ipcc_link_handle_readable(struct amp_ipcc_link *l);

/*
 * For event loops that wait in ADAPTIVE or SPIN mode (sim/src/ipcc_glib.c): the loop polls
 * amp_ipcc_link_pending() itself, publishes amp_ipcc_link_set_asleep(l, true) before it
 * sleeps on amp_ipcc_link_fd(), then checks amp_ipcc_link_pending() once more (a kick
 * before the store is seen there, one after it writes the eventfd), and clears the word
 * once awake.
 */

/**
 * Look for an RX interrupt before sleeping, as the mode says, without sleeping: BLOCK only
 * looks; SPIN polls the registers for @p spin_ns; ADAPTIVE polls only while the peer runs on
 * another CPU, bounded by the polls that paid off, never across a preemption, less after
 * misses (the rules of amp_ipcc_link_wait_event(), whose adaptive waits call this with
 * @p spin_ns 0). Clears this side's asleep word while it polls (ADAPTIVE). No system call but
 * a sched_yield() once an answer is late.
 * @return true if an interrupt is pending (or the waiter was poked or interrupted)
 */
bool amp_ipcc_link_poll(struct amp_ipcc_link *l, uint64_t spin_ns);

/** Is an RX interrupt pending for this side (unmasked, with RXOIE)? No system call. */
bool amp_ipcc_link_pending(struct amp_ipcc_link *l);

/** Publish whether this side sleeps on its eventfd (sequentially consistent store). */
void amp_ipcc_link_set_asleep(struct amp_ipcc_link *l, bool asleep);

/**
 * Does the peer publish that it is awake (its asleep word is 0: it polls, spins or handles
 * an interrupt)? A hint for whether polling can pay off, never for correctness: the peer
 * writes that word at will. A BLOCK peer always reads as asleep.
 */
bool amp_ipcc_link_peer_awake(const struct amp_ipcc_link *l);

/** Our channels whose notification the peer has not taken yet (CHnF still set). */
uint32_t amp_ipcc_link_tx_busy(struct amp_ipcc_link *l);

/** How many notifications this side has sent, all channels (its own count). */
uint64_t amp_ipcc_link_kicks(const struct amp_ipcc_link *l);

/**
 * Our kicks that had to write the peer's eventfd because it slept. An adaptive wait for the
 * answer to such a kick polls for the whole cfg.poll_ns: the answer comes only after the
 * peer's wake-up, which the polls that paid off while it ran (their average bounds the
 * budget otherwise) say nothing about.
 */
uint64_t amp_ipcc_link_peer_wakes(const struct amp_ipcc_link *l);

/**
 * Use the two shared "on CPU" words @p on_cpu (from amp_soc_on_cpu(); NULL: none) after
 * amp_ipcc_link_init(): this side then says which CPU takes its interrupts (each dispatch
 * and adaptive wait stores 1 + sched_getcpu()), and an adaptive wait (here or in
 * ipcc_glib.c) does not poll for a peer that says it is on the waiter's own CPU: the peer
 * cannot answer until the waiter lets the CPU go, so the wait sleeps at once, as a blocking
 * one. A hint, never trusted for more: the peer writes that word at will.
 */
void amp_ipcc_link_set_cpu_words(struct amp_ipcc_link *l, _Atomic uint32_t *on_cpu);

/** Store this side's CPU in its "on CPU" word (no-op without the words). */
void amp_ipcc_link_publish_cpu(struct amp_ipcc_link *l);

/** Does the peer say it runs on the CPU this thread runs on now? */
bool amp_ipcc_link_peer_on_my_cpu(const struct amp_ipcc_link *l);

/** Make a waiter in amp_ipcc_link_wait_event() return (from another thread). */
void amp_ipcc_link_interrupt(struct amp_ipcc_link *l);

/**
 * Make this side's waiter in amp_ipcc_link_wait_event() return 1 once, with nothing pending,
 * without stopping it (from another thread): the timer of a waiter that blocks in read()
 * without a timeout, which costs one system call fewer per wake-up than poll() then read().
 */
void amp_ipcc_link_poke(struct amp_ipcc_link *l);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_IPCC_LINK_H */
