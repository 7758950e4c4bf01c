/*
 * GLib glue for the host end of an IPCC link (STYLE 11: the library exposes the fd, the
 * application owns the loop). The source calls amp_ipcc_link_handle_fd() whenever the
 * link's RX eventfd is readable, so channel handlers run on the thread iterating its context.
 */
#ifndef AMP_IPCC_GLIB_H
#define AMP_IPCC_GLIB_H

#include <glib.h>

#include <ampsim/ipcc_link.h>

G_BEGIN_DECLS

/**
 * Attach a watch of @p link's RX eventfd to @p ctx (NULL: the caller's thread-default
 * context, as g_main_context_ref_thread_default() gives it), in the link's mode:
 *   BLOCK     the loop sleeps in poll(); every raise writes the fd (asleep stays set);
 *   ADAPTIVE  before the loop sleeps, poll the registers while the peer publishes that it
 *             is awake (or has not taken a kick of ours) and does not say it is on this
 *             CPU, for at most 4 times the polls that found an interrupt (at most
 *             cfg.poll_ns; all of it after a kick of ours that woke the peer, whose answer
 *             waits for that wake-up); a preemption during a poll (the CPUs are busy) stops it and
 *             the next 256 waits block. Otherwise publish asleep and sleep as BLOCK. With a
 *             BLOCK peer (always asleep) this never polls: it is BLOCK;
 *   SPIN      the loop never sleeps: it polls the registers 20 us at a time, then polls
 *             its other fds without waiting (for measurement: it takes a CPU).
 * Counted in link->stats (polls, poll_hits, preempted, same_cpu).
 *
 * @return the attached source, owned by the caller: g_source_destroy() then
 *         g_source_unref() it before the link goes away
 */
GSource *amp_ipcc_glib_source(struct amp_ipcc_link *link, GMainContext *ctx);

/**
 * Look for an interrupt as the source's prepare does before the loop sleeps, without the loop
 * (amp_ipcc_link_poll(); SPIN: for 20 us): for a caller that then dispatches it itself
 * (amp_host_iterate()). TRUE if one is pending.
 */
gboolean amp_ipcc_glib_poll(struct amp_ipcc_link *link);

/** Handle what amp_ipcc_glib_poll() found, as the source's dispatch does (awake, then the
 * link's handlers). */
void amp_ipcc_glib_dispatch(struct amp_ipcc_link *link);

G_END_DECLS

#endif /* AMP_IPCC_GLIB_H */
