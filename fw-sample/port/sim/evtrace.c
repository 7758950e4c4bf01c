/* The firmware's event-trace ring writer (evtrace.h). */
#define _GNU_SOURCE
#include "evtrace.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static struct {
	struct amp_soc_trace_ring *ring;
	uint32_t head; /* ours: the host only reads the shared copy */
	pthread_mutex_t mu;
} tr = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Two threads record (the IRQ thread and the main one): one writer at a time. */
static void put(const struct amp_trace_ev *ev)
{
	struct amp_soc_trace_ring *r = tr.ring;
	struct timespec ts;
	pthread_mutex_lock(&tr.mu);
	uint32_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	if (tr.head - tail >= AMP_SOC_TRACE_RECS) {
		atomic_fetch_add_explicit(&r->dropped, 1u, memory_order_relaxed);
		pthread_mutex_unlock(&tr.mu);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	struct amp_soc_trace_rec rec = {
	    .ts_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
	    .seq = tr.head,
	    .kind = ev->kind,
	    .q = ev->q,
	    .idx = ev->idx,
	    .id = ev->id,
	    .len = ev->len,
	    .src = ev->src,
	    .dst = ev->dst,
	};
	memcpy((void *)&r->rec[tr.head % AMP_SOC_TRACE_RECS], &rec, sizeof(rec));
	tr.head++;
	atomic_store_explicit(&r->head, tr.head, memory_order_release);
	pthread_mutex_unlock(&tr.mu);
}

static void emit(void *ctx, const struct amp_trace_ev *ev)
{
	(void)ctx;
	put(ev);
}

static const struct amp_trace_sink sink = {.emit = emit};

bool fw_evtrace_init(struct amp_soc *soc)
{
	if (amp_soc_map_trace(soc) != 0)
		return false;
	tr.ring = soc->trace;
	tr.head = atomic_load_explicit(&tr.ring->head, memory_order_relaxed);
	return true;
}

static bool on(void)
{
	return tr.ring && atomic_load_explicit(&tr.ring->on, memory_order_relaxed) != 0;
}

void fw_evtrace_follow(struct amp_rpmsg_dev *dev)
{
	dev->trace = on() ? &sink : NULL;
}

void fw_evtrace_port(uint16_t kind, uint32_t chan)
{
	if (!on())
		return;
	struct amp_trace_ev ev = {.kind = kind, .id = (uint16_t)chan};
	put(&ev);
}
