/* The event trace writer (trace.h, docs/trace.md). */
#include "trace.h"

#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <amp/error.h>
#include <ampsim/error.h>

struct amp_trace {
	FILE *f;
	char *path;
	amp_trace_name_fn names;
	void *priv;
	uint64_t t0;	  /* when the trace started: older firmware records are stale */
	uint64_t fw_last; /* the newest firmware timestamp accepted */
	uint32_t tail;	  /* our copy of the ring's tail */
	struct amp_trace_counts n;
	/* Per side, the handler that began and has not returned yet: written, with its
	 * duration, when it returns. */
	struct {
		bool open;
		uint16_t chan;
		uint64_t ts;
	} irq[2];
};

static const char *const kind_names[AMP_TRACE_KIND_COUNT] = {
    [AMP_TRACE_AVAIL_PUB] = "avail publish",
    [AMP_TRACE_AVAIL_GET] = "avail take",
    [AMP_TRACE_USED_PUB] = "used publish",
    [AMP_TRACE_USED_GET] = "used reap",
    [AMP_TRACE_SEND] = "send",
    [AMP_TRACE_RECV] = "receive",
    [AMP_TRACE_KICK] = "kick",
    [AMP_TRACE_KICK_COALESCED] = "kick coalesced",
    [AMP_TRACE_IRQ_RAISE] = "irq raised",
    [AMP_TRACE_IRQ_HANDLE] = "irq handled",
    [AMP_TRACE_NS] = "name service",
    [AMP_TRACE_FAULT] = "fault",
    [AMP_TRACE_IRQ_DONE] = "irq handled",
};

uint64_t amp_trace_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A JSON string. Bytes >= 0x80 are written as \u00XX: names come from the firmware and need
 * not be UTF-8, and the file must stay valid JSON. */
static void put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Microseconds with the nanoseconds as a fraction, as the format wants. */
static void put_head(FILE *f, const char *name, const char *cat, const char *ph, uint64_t ts,
		     unsigned pid, unsigned tid)
{
	fputs(",\n{\"name\":", f);
	put_str(f, name);
	fprintf(f, ",\"cat\":\"%s\",\"ph\":\"%s\",\"ts\":%" PRIu64 ".%03u,\"pid\":%u,\"tid\":%u",
		cat, ph, ts / 1000u, (unsigned)(ts % 1000u), pid, tid);
}

static void put_meta(FILE *f, const char *what, unsigned pid, unsigned tid, const char *name)
{
	fprintf(f,
		",\n{\"name\":\"%s\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":", what,
		pid, tid);
	put_str(f, name);
	fputs("}}", f);
}

static void put_tracks(FILE *f)
{
	static const char *const procs[] = {"Linux side (ampsim run)", "firmware (Cortex-M4)"};
	static const char *const threads[] = {"processor", "vring0", "vring1"};
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n", f);
	fputs("{\"name\":\"clock\",\"ph\":\"M\",\"pid\":1,\"tid\":1,\"args\":{\"name\":"
	      "\"CLOCK_MONOTONIC\"}}",
	      f);
	for (unsigned p = 0; p < 2; p++) {
		put_meta(f, "process_name", p + 1, 1, procs[p]);
		for (unsigned t = 0; t < 3; t++)
			put_meta(f, "thread_name", p + 1, t + 1, threads[t]);
	}
}

struct amp_trace *amp_trace_open(const char *path, amp_trace_name_fn names, void *priv,
				 GError **err)
{
	FILE *f = fopen(path, "we");
	if (!f) {
		amp_set_error_errno(err, errno, "cannot create the trace file %s", path);
		return NULL;
	}
	struct amp_trace *t = g_new0(struct amp_trace, 1);
	t->f = f;
	t->path = g_strdup(path);
	t->names = names;
	t->priv = priv;
	t->t0 = amp_trace_now();
	put_tracks(f);
	return t;
}

/* The endpoint a message belongs to: its non-name-service address's name, if known. */
static const char *ept_name(struct amp_trace *t, uint32_t src, uint32_t dst)
{
	const char *n = t->names ? t->names(t->priv, src) : NULL;
	if (!n && t->names && dst != 53u)
		n = t->names(t->priv, dst);
	return n;
}

/* A message's flow: the ring slot it travelled through, the same on both sides. */
static void put_flow(FILE *f, const struct amp_trace_ev *ev)
{
	fprintf(f, ",\"bind_id\":\"vring%u#%u\",\"%s\":true", ev->q, ev->idx,
		ev->kind == AMP_TRACE_SEND ? "flow_out" : "flow_in");
}

static void put_args(struct amp_trace *t, const struct amp_trace_ev *ev)
{
	FILE *f = t->f;
	fputs(",\"args\":{", f);
	switch (ev->kind) {
	case AMP_TRACE_NS:
		fprintf(f, "\"addr\":%" PRIu32 ",\"op\":\"%s\"}}", ev->src,
			ev->len ? "destroy" : "create");
		return;
	case AMP_TRACE_IRQ_RAISE:
	case AMP_TRACE_IRQ_HANDLE:
	case AMP_TRACE_IRQ_DONE:
		fprintf(f, "\"channel\":%u}}", ev->id);
		return;
	case AMP_TRACE_FAULT:
		fprintf(f, "\"rule\":%u}}", ev->id);
		return;
	default:
		break;
	}
	fprintf(f, "\"queue\":%u,\"index\":%u", ev->q, ev->idx);
	switch (ev->kind) {
	case AMP_TRACE_SEND:
	case AMP_TRACE_RECV: {
		const char *n = ept_name(t, ev->src, ev->dst);
		fprintf(f, ",\"id\":%u,\"src\":%" PRIu32 ",\"dst\":%" PRIu32 ",\"len\":%" PRIu32,
			ev->id, ev->src, ev->dst, ev->len);
		if (n) {
			fputs(",\"endpoint\":", f);
			put_str(f, n);
		}
		break;
	}
	case AMP_TRACE_KICK:
	case AMP_TRACE_KICK_COALESCED:
		break;
	default:
		fprintf(f, ",\"id\":%u,\"len\":%" PRIu32, ev->id, ev->len);
	}
	fputs("}}", f);
}

/* One event as the format writes it: a complete event ("X") of @p dur_ns for messages (the
 * flows need a slice) and handlers, an instant otherwise. */
static void put_core(struct amp_trace *t, unsigned pid, uint64_t ts_ns, uint64_t dur_ns, bool slice,
		     const struct amp_trace_ev *ev)
{
	bool msg = ev->kind == AMP_TRACE_SEND || ev->kind == AMP_TRACE_RECV;
	bool cpu = ev->kind == AMP_TRACE_IRQ_RAISE || ev->kind == AMP_TRACE_IRQ_HANDLE ||
		   ev->kind == AMP_TRACE_NS || ev->kind == AMP_TRACE_FAULT;
	unsigned tid = cpu ? 1u : 2u + (ev->q & 1u);
	put_head(t->f, kind_names[ev->kind],
		 msg   ? "rpmsg"
		 : cpu ? "cpu"
		       : "vring",
		 slice ? "X" : "i", ts_ns, pid, tid);
	if (slice)
		fprintf(t->f, ",\"dur\":%" PRIu64 ".%03u", dur_ns / 1000u,
			(unsigned)(dur_ns % 1000u));
	else
		fputs(",\"s\":\"t\"", t->f);
	if (msg)
		put_flow(t->f, ev);
	put_args(t, ev);
	t->n.events++;
}

/* A handler that never returned (its side stopped, or lost the record): an instant. */
static void flush_irq(struct amp_trace *t, unsigned side)
{
	if (!t->irq[side].open)
		return;
	struct amp_trace_ev ev = {.kind = AMP_TRACE_IRQ_HANDLE, .id = t->irq[side].chan};
	put_core(t, side + 1u, t->irq[side].ts, 0, false, &ev);
	t->irq[side].open = false;
}

/* IRQ_HANDLE opens a handler, IRQ_DONE of the same channel closes it: one slice. FALSE for a
 * DONE that closes nothing. */
static bool pair_irq(struct amp_trace *t, unsigned pid, uint64_t ts_ns,
		     const struct amp_trace_ev *ev)
{
	unsigned side = pid == AMP_TRACE_PID_FW;
	if (ev->kind == AMP_TRACE_IRQ_HANDLE) {
		flush_irq(t, side);
		t->irq[side].open = true;
		t->irq[side].chan = ev->id;
		t->irq[side].ts = ts_ns;
		return true;
	}
	if (!t->irq[side].open || t->irq[side].chan != ev->id || ts_ns < t->irq[side].ts)
		return false;
	struct amp_trace_ev begin = {.kind = AMP_TRACE_IRQ_HANDLE, .id = ev->id};
	put_core(t, pid, t->irq[side].ts, ts_ns - t->irq[side].ts, true, &begin);
	t->irq[side].open = false;
	return true;
}

void amp_trace_core(struct amp_trace *t, unsigned pid, uint64_t ts_ns,
		    const struct amp_trace_ev *ev)
{
	if (ev->kind == AMP_TRACE_IRQ_HANDLE || ev->kind == AMP_TRACE_IRQ_DONE) {
		if (!pair_irq(t, pid, ts_ns, ev) && pid == AMP_TRACE_PID_FW)
			t->n.fw_errors++;
		return;
	}
	bool msg = ev->kind == AMP_TRACE_SEND || ev->kind == AMP_TRACE_RECV;
	put_core(t, pid, ts_ns, 0, msg, ev);
}

void amp_trace_note(struct amp_trace *t, const char *cat, const char *name, const char *detail)
{
	put_head(t->f, name, cat, "i", amp_trace_now(), AMP_TRACE_PID_HOST, 1);
	fputs(",\"s\":\"t\",\"args\":{\"detail\":", t->f);
	put_str(t->f, detail ? detail : "");
	fputs("}}", t->f);
	t->n.events++;
}

/* One firmware record, copied out of shared memory: is it one the firmware could have
 * written in order, and is it of this trace? */
static bool rec_ok(struct amp_trace *t, const struct amp_soc_trace_rec *r, uint64_t now)
{
	return r->seq == t->tail && r->kind > AMP_TRACE_NONE && r->kind < AMP_TRACE_KIND_COUNT &&
	       r->q <= 1u && r->ts_ns >= t->t0 && r->ts_ns >= t->fw_last && r->ts_ns <= now;
}

void amp_trace_drain(struct amp_trace *t, struct amp_soc_trace_ring *ring)
{
	uint32_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
	uint32_t n = head - t->tail;
	uint64_t now = amp_trace_now();

	if (n > AMP_SOC_TRACE_RECS) {
		/* More than the ring holds: the head is garbage. Start again from it. */
		t->n.fw_errors++;
		t->tail = head;
		n = 0;
	}
	for (; n > 0; n--, t->tail++) {
		struct amp_soc_trace_rec r;
		memcpy(&r, (const void *)&ring->rec[t->tail % AMP_SOC_TRACE_RECS], sizeof(r));
		if (!rec_ok(t, &r, now)) {
			t->n.fw_errors++;
			continue;
		}
		struct amp_trace_ev ev = {.kind = r.kind,
					  .q = r.q,
					  .idx = r.idx,
					  .id = r.id,
					  .len = r.len,
					  .src = r.src,
					  .dst = r.dst};
		t->fw_last = r.ts_ns;
		amp_trace_core(t, AMP_TRACE_PID_FW, r.ts_ns, &ev);
		t->n.fw_events++;
	}
	atomic_store_explicit(&ring->tail, t->tail, memory_order_release);
	t->n.fw_dropped = atomic_load_explicit(&ring->dropped, memory_order_relaxed);
}

void amp_trace_skip(struct amp_trace *t, struct amp_soc_trace_ring *ring)
{
	flush_irq(t, 1);
	t->tail = atomic_load_explicit(&ring->head, memory_order_acquire);
	t->fw_last = 0;
	atomic_store_explicit(&ring->tail, t->tail, memory_order_release);
}

void amp_trace_counts(const struct amp_trace *t, struct amp_trace_counts *c)
{
	*c = t->n;
}

gboolean amp_trace_close(struct amp_trace *t, GError **err)
{
	flush_irq(t, 0);
	flush_irq(t, 1);
	fputs("\n]}\n", t->f);
	bool bad = ferror(t->f) != 0;
	int e = bad ? EIO : 0;
	if (fclose(t->f) != 0 && !bad) {
		bad = true;
		e = errno;
	}
	if (bad)
		amp_set_error_errno(err, e, "cannot write the trace file %s", t->path);
	g_free(t->path);
	g_free(t);
	return !bad;
}
