/*
 * The event trace writer (docs/trace.md): Chrome trace-event JSON, as ui.perfetto.dev and
 * chrome://tracing open it. Private to amp_host. One process per side (pid 1: the Linux side,
 * pid 2: the firmware), one track per processor (tid 1) and per vring (tid 2, 3).
 */
#ifndef AMP_TRACE_WRITER_H
#define AMP_TRACE_WRITER_H

#include <stdint.h>

#include <glib.h>

#include <amp/trace.h>
#include <ampsim/soc.h>

#define AMP_TRACE_PID_HOST 1u
#define AMP_TRACE_PID_FW 2u

struct amp_trace;

/** The endpoint name behind an RPMsg address, or NULL (the host's channel table). */
typedef const char *(*amp_trace_name_fn)(void *priv, uint32_t addr);

/** What a trace has written and rejected. */
struct amp_trace_counts {
	uint64_t events;     /**< events written */
	uint64_t fw_events;  /**< firmware records drained and written */
	uint64_t fw_errors;  /**< firmware records rejected (bad sequence, kind, queue, time) */
	uint32_t fw_dropped; /**< records the firmware says it lost to a full ring (untrusted) */
};

/** Create @p path and write the header and the track names. */
struct amp_trace *amp_trace_open(const char *path, amp_trace_name_fn names, void *priv,
				 GError **err);
/** CLOCK_MONOTONIC in nanoseconds: the clock both processes stamp events with. */
uint64_t amp_trace_now(void);
/** An event of the portable core (<amp/trace.h>) on side @p pid at @p ts_ns. */
void amp_trace_core(struct amp_trace *t, unsigned pid, uint64_t ts_ns,
		    const struct amp_trace_ev *ev);
/** An instant on the Linux side's processor track: lifecycle, connects, name service, faults. */
void amp_trace_note(struct amp_trace *t, const char *cat, const char *name, const char *detail);
/** Take the firmware's records out of @p r (shared memory: every record is checked). */
void amp_trace_drain(struct amp_trace *t, struct amp_soc_trace_ring *r);
/** Skip what @p r holds now (stale records of an earlier trace). */
void amp_trace_skip(struct amp_trace *t, struct amp_soc_trace_ring *r);
void amp_trace_counts(const struct amp_trace *t, struct amp_trace_counts *c);
/** Finish the JSON and close the file; frees @p t. FALSE if a write failed. */
gboolean amp_trace_close(struct amp_trace *t, GError **err);

#endif /* AMP_TRACE_WRITER_H */
