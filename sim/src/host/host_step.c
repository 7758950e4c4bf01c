/*
 * Step mode (docs/inspect.md): every vring doorbell, in both directions, waits here until
 * amp_host_step() releases it, oldest first, so that one message can be walked through:
 * posted, kicked, interrupt, consumed, returned.
 *
 * The hold points sit where the fault plan's delays sit: a kick to the firmware after the
 * plan, before the platform rings the IPCC; an interrupt from the firmware after the link
 * acknowledged it (so the firmware's channel is free again and its own sends never time
 * out), before the host bus runs. Both processes keep running: a held doorbell is a slow
 * interrupt, not a frozen clock. A doorbell for a channel that is already held merges with
 * it (counted), as the IPCC channel flag merges kicks.
 */
#include <amp/error.h>
#include <amp/stm32mp1.h>

#include "host_internal.h"

struct held {
	bool to_fw;  /* Linux -> firmware (a kick) or firmware -> Linux (an interrupt) */
	uint32_t ch; /* 0-based IPCC channel */
};

struct amp_host_step {
	GQueue held; /* struct held *, oldest first */
	uint64_t to_fw, to_host, merged;
};

struct amp_host_step *amp_hs_new(void)
{
	struct amp_host_step *s = g_new0(struct amp_host_step, 1);
	g_queue_init(&s->held);
	return s;
}

void amp_hs_drop(struct amp_host_step *s)
{
	if (s)
		g_queue_clear_full(&s->held, g_free);
}

void amp_hs_free(struct amp_host_step *s)
{
	amp_hs_drop(s);
	g_free(s);
}

static gint same(gconstpointer a, gconstpointer b)
{
	const struct held *x = a, *y = b;
	return x->to_fw == y->to_fw && x->ch == y->ch ? 0 : 1;
}

void amp_hs_hold(struct amp_host_step *s, bool to_fw, uint32_t ch)
{
	struct held key = {.to_fw = to_fw, .ch = ch};
	if (g_queue_find_custom(&s->held, &key, same)) {
		s->merged++;
		return;
	}
	g_queue_push_tail(&s->held, g_memdup2(&key, sizeof(key)));
}

static const char *chan_role(bool to_fw, uint32_t ch)
{
	if (ch == AMP_IPCC_CH_VRING0)
		return to_fw ? "vring0: RX buffers given back" : "vring0: new messages";
	if (ch == AMP_IPCC_CH_VRING1)
		return to_fw ? "vring1: new messages" : "vring1: TX buffers returned";
	return "other";
}

unsigned amp_hs_release(struct amp_host_step *s, struct amp_host *h, unsigned n, GString *out)
{
	unsigned done = 0;
	/* One at a time: a delivery may hold a new doorbell (the host answers an interrupt
	 * with a kick), which then queues behind the ones already held. */
	while (done < n && !g_queue_is_empty(&s->held)) {
		struct held *d = g_queue_pop_head(&s->held);
		g_string_append_printf(out, "released %s CH%u (%s)\n",
				       d->to_fw ? "Linux->firmware" : "firmware->Linux", d->ch + 1,
				       chan_role(d->to_fw, d->ch));
		if (d->to_fw) {
			s->to_fw++;
			amp_host_kick_now(h, (uint32_t)amp_stm32mp1_chan_notify(d->ch));
		} else {
			s->to_host++;
			amp_host_irq_now(h, d->ch);
		}
		g_free(d);
		done++;
	}
	return done;
}

void amp_hs_describe(const struct amp_host_step *s, GString *out)
{
	g_string_append_printf(out, "held %u", s->held.length);
	for (GList *l = s->held.head; l; l = l->next) {
		const struct held *d = l->data;
		g_string_append_printf(out, "%s%s CH%u", l == s->held.head ? ": " : ", ",
				       d->to_fw ? "Linux->firmware" : "firmware->Linux", d->ch + 1);
	}
	g_string_append_c(out, '\n');
}

void amp_hs_stats(const struct amp_host_step *s, GString *out)
{
	g_string_append_printf(out,
			       "step mode: held %u, released Linux->firmware %" G_GUINT64_FORMAT
			       ", firmware->Linux %" G_GUINT64_FORMAT
			       ", merged into a held one %" G_GUINT64_FORMAT "\n",
			       s->held.length, s->to_fw, s->to_host, s->merged);
}

/* ---- public (<ampsim/host.h>) ---------------------------------------------------------- */

void amp_host_set_step(struct amp_host *h, bool on)
{
	struct amp_host_step **slot = amp_host_step_slot(h);
	if (on && !*slot) {
		*slot = amp_hs_new();
	} else if (!on && *slot) {
		g_autoptr(GString) junk = g_string_new(NULL);
		struct amp_host_step *s = *slot;
		*slot = NULL; /* what a release makes now passes straight through */
		amp_hs_release(s, h, G_MAXUINT, junk);
		amp_hs_free(s);
	}
}

int amp_host_step(struct amp_host *h, unsigned n, GString *out)
{
	struct amp_host_step *s = *amp_host_step_slot(h);
	if (!s)
		return AMP_EINVAL;
	return (int)amp_hs_release(s, h, n, out);
}

void amp_host_step_held(struct amp_host *h, GString *out)
{
	const struct amp_host_step *s = *amp_host_step_slot(h);
	if (s)
		amp_hs_describe(s, out);
}
