/*
 * libampsim's side of the event trace (docs/trace.md): the host's core events go straight to
 * the writer; the firmware's come through the ring in the shared header, drained at each
 * interrupt from the firmware, every TRACE_DRAIN_MS, at lifecycle events and at the end.
 */
#include <stdio.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "../trace/trace.h"
#include "host_internal.h"

#define TRACE_DRAIN_MS 20u

struct amp_host_trace {
	struct amp_host *host;
	struct amp_trace *w;
	struct amp_trace_sink sink;
	GSource *timer;
	bool fw_up;			/* a firmware runs whose ring we follow: drain only then */
	char name[AMP_RPMSG_NAME_SIZE]; /* the last name looked up, valid until the next */
};

static struct amp_soc_trace_ring *ring(struct amp_host *h)
{
	return amp_host_soc(h)->trace;
}

/* An RPMsg address's endpoint name, from the host's own tables (never from the ring). */
static const char *addr_name(void *priv, uint32_t addr)
{
	struct amp_host_trace *t = priv;
	g_autofree struct amp_host_chan **ch = amp_host_channels(t->host);
	g_autofree struct amp_host_ept **ep = amp_host_epts(t->host);
	const char *found = NULL;
	for (size_t i = 0; ch[i] && !found; i++)
		if (ch[i]->remote == addr || ch[i]->ept.addr == addr)
			found = ch[i]->name;
	for (size_t i = 0; ep[i] && !found; i++)
		if (ep[i]->src == addr && ep[i]->name[0])
			found = ep[i]->name;
	if (!found)
		return NULL;
	g_strlcpy(t->name, found, sizeof(t->name));
	return t->name;
}

static void host_emit(void *ctx, const struct amp_trace_ev *ev)
{
	struct amp_host_trace *t = ctx;
	amp_trace_core(t->w, AMP_TRACE_PID_HOST, amp_trace_now(), ev);
}

/* Between a firmware's end and the next one's start the ring is stale, then zeroed. */
static void drain(struct amp_host_trace *t)
{
	if (t->fw_up)
		amp_trace_drain(t->w, ring(t->host));
}

static gboolean on_drain(gpointer data)
{
	drain(data);
	return G_SOURCE_CONTINUE;
}

void amp_ht_attach(struct amp_host *h)
{
	struct amp_host_trace *t = *amp_host_trace_slot(h);
	struct amp_rpmsg_dev *dev = amp_host_rpmsg(h);
	if (dev) /* none yet: probe_vdev attaches it */
		dev->trace = t ? &t->sink : NULL;
}

void amp_ht_irq(struct amp_host_trace *t, uint32_t ch)
{
	/* First what the firmware did before it rang, then our handler. */
	drain(t);
	struct amp_trace_ev ev = {.kind = AMP_TRACE_IRQ_RAISE, .id = (uint16_t)(ch + 1u)};
	amp_trace_core(t->w, AMP_TRACE_PID_HOST, amp_trace_now(), &ev);
}

void amp_ht_irq_handler(struct amp_host_trace *t, uint32_t ch, bool done)
{
	struct amp_trace_ev ev = {.kind = done ? AMP_TRACE_IRQ_DONE : AMP_TRACE_IRQ_HANDLE,
				  .id = (uint16_t)(ch + 1u)};
	amp_trace_core(t->w, AMP_TRACE_PID_HOST, amp_trace_now(), &ev);
}

void amp_ht_rproc_event(struct amp_host_trace *t, enum amp_rproc_event ev)
{
	static const char *const names[] = {
	    [AMP_RPROC_EV_STARTED] = "started",
	    [AMP_RPROC_EV_STOPPING] = "stopping",
	    [AMP_RPROC_EV_STOPPED] = "stopped",
	    [AMP_RPROC_EV_CRASHED] = "crashed",
	};
	const char *name = (unsigned)ev < G_N_ELEMENTS(names) ? names[ev] : NULL;
	if (ev == AMP_RPROC_EV_STARTED) {
		amp_trace_skip(t->w, ring(t->host)); /* a new firmware: a zeroed ring */
		t->fw_up = true;
	} else {
		drain(t);
		/* A stopping firmware still runs (it destroys its endpoints): follow its ring
		 * until it stopped or crashed. */
		if (ev != AMP_RPROC_EV_STOPPING)
			t->fw_up = false;
	}
	amp_trace_note(t->w, "lifecycle", name ? name : "event", "remoteproc state change");
}

void amp_ht_ns(struct amp_host_trace *t, const char *name, uint32_t addr, bool destroy)
{
	g_autofree char *what = g_strdup_printf("%s at firmware address 0x%x", name, addr);
	amp_trace_note(t->w, "ns", destroy ? "ns destroy" : "ns create", what);
}

gboolean amp_host_trace_start(struct amp_host *h, const char *path, GError **err)
{
	struct amp_host_trace **slot = amp_host_trace_slot(h);
	if (*slot) {
		amp_set_error(err, AMP_EBUSY,
			      "a trace is already being written; stop it first "
			      "(ampsim ctl trace-events stop)");
		return FALSE;
	}
	struct amp_host_trace *t = g_new0(struct amp_host_trace, 1);
	t->host = h;
	t->w = amp_trace_open(path, addr_name, t, err);
	if (!t->w) {
		g_free(t);
		return FALSE;
	}
	t->sink = (struct amp_trace_sink){.emit = host_emit, .ctx = t};
	struct amp_soc *soc = amp_host_soc(h);
	/* Records left from an earlier trace are not this one's. */
	amp_trace_skip(t->w, ring(h));
	t->fw_up = amp_host_rpmsg(h) != NULL; /* the device is up: its firmware runs */
	soc->trace_on = true;
	atomic_store(&ring(h)->on, 1u);
	t->timer = g_timeout_source_new(TRACE_DRAIN_MS);
	g_source_set_callback(t->timer, on_drain, t, NULL);
	g_source_attach(t->timer, amp_host_context(h));
	*slot = t;
	amp_ht_attach(h);
	amp_trace_note(t->w, "trace", "trace start", path);
	return TRUE;
}

gboolean amp_host_trace_stop(struct amp_host *h, GString *summary, GError **err)
{
	struct amp_host_trace **slot = amp_host_trace_slot(h);
	struct amp_host_trace *t = *slot;
	if (!t) {
		amp_set_error(err, AMP_ENOENT,
			      "no trace is being written; start one with 'ampsim ctl trace-events "
			      "start FILE' or 'ampsim run --trace FILE'");
		return FALSE;
	}
	*slot = NULL;
	amp_ht_attach(h);
	amp_host_soc(h)->trace_on = false;
	atomic_store(&ring(h)->on, 0u);
	drain(t);
	g_source_destroy(t->timer);
	g_source_unref(t->timer);
	struct amp_trace_counts c;
	amp_trace_counts(t->w, &c);
	if (summary)
		g_string_append_printf(summary,
				       "trace: %" G_GUINT64_FORMAT " events (%" G_GUINT64_FORMAT
				       " from the firmware), %" G_GUINT64_FORMAT
				       " bad firmware records, %u dropped by the firmware\n",
				       c.events, c.fw_events, c.fw_errors, c.fw_dropped);
	gboolean ok = amp_trace_close(t->w, err);
	g_free(t);
	return ok;
}

void amp_host_trace_note(struct amp_host *h, const char *cat, const char *name, const char *detail)
{
	struct amp_host_trace *t = *amp_host_trace_slot(h);
	if (t)
		amp_trace_note(t->w, cat, name, detail);
}
