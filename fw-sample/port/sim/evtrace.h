/*
 * The firmware's side of the event trace (docs/trace.md): records into the ring in the shared
 * header (struct amp_soc_trace_ring) while the host has it on. Never waits: a full ring counts
 * the record as dropped.
 */
#ifndef FW_EVTRACE_H
#define FW_EVTRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <amp/rpmsg.h>
#include <ampsim/soc.h>

/** Map @p soc's ring and use it from now on; false (soc->err says why) if invalid. */
bool fw_evtrace_init(struct amp_soc *soc);
/** Follow the host's on/off word: install or clear @p dev's sink. Call with the port lock. */
void fw_evtrace_follow(struct amp_rpmsg_dev *dev);
/** Record a port event (an interrupt: AMP_TRACE_IRQ_*, channel 1-based) if tracing is on. */
void fw_evtrace_port(uint16_t kind, uint32_t chan);

#endif /* FW_EVTRACE_H */
