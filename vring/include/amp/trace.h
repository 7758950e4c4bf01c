/*
 * Event trace hooks of the portable core (docs/trace.md). The core reports what it does to
 * its rings (publish, consume, send, receive, a kick decided or suppressed) to an optional
 * sink; without one (dev->trace == NULL, the default and the Cortex-M4 build) each hook
 * point is one predictable branch on that pointer. Freestanding: no heap, no OS.
 */
#ifndef AMP_TRACE_H
#define AMP_TRACE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What happened. Values are part of the firmware ABI (the shared trace ring). */
enum amp_trace_kind {
	AMP_TRACE_NONE = 0,
	AMP_TRACE_AVAIL_PUB = 1,      /**< driver published avail[idx] = id (len: buffer length) */
	AMP_TRACE_AVAIL_GET = 2,      /**< device took avail[idx] = id */
	AMP_TRACE_USED_PUB = 3,	      /**< device published used[idx] = {id, len} */
	AMP_TRACE_USED_GET = 4,	      /**< driver reaped used[idx] = {id, len} */
	AMP_TRACE_SEND = 5,	      /**< an RPMsg message was written: src, dst, len; idx, id */
	AMP_TRACE_RECV = 6,	      /**< an RPMsg message was handed to its endpoint */
	AMP_TRACE_KICK = 7,	      /**< the doorbell rang for queue q */
	AMP_TRACE_KICK_COALESCED = 8, /**< a publish needed no doorbell (suppressed/coalesced) */
	AMP_TRACE_IRQ_RAISE = 9,      /**< an interrupt arrived (IPCC channel in id, 1-based) */
	AMP_TRACE_IRQ_HANDLE = 10,    /**< the interrupt's handler began (channel in id, 1-based) */
	AMP_TRACE_NS = 11,	      /**< name-service message: src = address, len = 1 destroy */
	AMP_TRACE_FAULT = 12,	      /**< an injected fault fired: id = rule number */
	AMP_TRACE_IRQ_DONE = 13,      /**< the handler of IRQ_HANDLE returned (channel in id) */
	AMP_TRACE_KIND_COUNT
};

/** One event as the core reports it. q: the vring (0 or 1); meaning of the rest per kind. */
struct amp_trace_ev {
	uint16_t kind; /**< enum amp_trace_kind */
	uint16_t q;    /**< vring number */
	uint16_t idx;  /**< ring index (free-running, as written in avail/used idx) */
	uint16_t id;   /**< descriptor id */
	uint32_t len;  /**< buffer or payload length */
	uint32_t src;  /**< RPMsg source address (SEND/RECV/NS) */
	uint32_t dst;  /**< RPMsg destination address (SEND/RECV) */
};

/** Where events go; installed per device (amp_rpmsg_dev.trace). */
struct amp_trace_sink {
	void (*emit)(void *ctx, const struct amp_trace_ev *ev);
	void *ctx;
};

#ifdef __cplusplus
}
#endif

#endif /* AMP_TRACE_H */
