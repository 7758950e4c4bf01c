/* libampsim: DDR hot-plug, the rpmsg-sdb buffers mapped into the firmware (<ampsim/ddr_plug.h>,
 * docs/sdb.md). */
#include <amp/error.h>
#include <amp/stm32mp1.h>
#include <ampsim/ddr_plug.h>

#include "host_state.h"

/* A DDR plug waiting for the firmware's acknowledgement on channel 5. */
struct plug_wait {
	struct amp_host *host;
	uint32_t gen;
	amp_host_done_fn done;
	void *priv;
	GSource *timeout;
};

static void plug_free(struct plug_wait *w)
{
	if (w->timeout) {
		g_source_destroy(w->timeout);
		g_source_unref(w->timeout);
	}
	g_free(w);
}

static void plug_finish(struct amp_host *h, GList *l, int rc)
{
	struct plug_wait *w = l->data;
	g_queue_delete_link(&h->plugs, l);
	w->done(w->priv, rc);
	plug_free(w);
}

void amp_host_on_plug_irq(void *arg, uint32_t ch)
{
	struct amp_host *h = arg;
	(void)ch;
	GList *l;
	while ((l = g_queue_peek_head_link(&h->plugs)) &&
	       amp_ddr_plug_acked(&h->plug, ((struct plug_wait *)l->data)->gen))
		plug_finish(h, l, AMP_OK);
}

static gboolean on_plug_timeout(gpointer data)
{
	struct plug_wait *w = data;
	struct amp_host *h = w->host;
	g_warning("the firmware did not map a DDR buffer within %d ms (does its port handle "
		  "IPCC channel 5? docs/sdb.md)",
		  AMP_HOST_PLUG_TIMEOUT_MS);
	plug_finish(h, g_queue_find(&h->plugs, w), AMP_ETIMEDOUT);
	return G_SOURCE_REMOVE;
}

void amp_host_plugs_fail_all(struct amp_host *h)
{
	GList *l;
	while ((l = g_queue_peek_head_link(&h->plugs)))
		plug_finish(h, l, AMP_ENOTCONN);
	amp_ddr_plug_reset(&h->plug);
}

int amp_host_ddr_plug(struct amp_host *h, uint64_t da, uint64_t size, int fd, amp_host_done_fn done,
		      void *priv, uint32_t *slot)
{
	if (!h->dev_up)
		return AMP_ENOTCONN;
	struct plug_wait *w = g_new0(struct plug_wait, 1);
	int rc = amp_ddr_plug(&h->plug, da, size, fd, slot, &w->gen);
	if (rc != AMP_OK) {
		g_free(w);
		return rc;
	}
	w->host = h;
	w->done = done;
	w->priv = priv;
	w->timeout = g_timeout_source_new(AMP_HOST_PLUG_TIMEOUT_MS);
	g_source_set_callback(w->timeout, on_plug_timeout, w, NULL);
	g_source_attach(w->timeout, h->ctx);
	g_queue_push_tail(&h->plugs, w);
	amp_ipcc_link_kick(&h->link, AMP_IPCC_CH_DDR_PLUG);
	return AMP_OK;
}

void amp_host_ddr_unplug(struct amp_host *h, uint32_t slot)
{
	uint32_t gen;
	if (amp_ddr_unplug(&h->plug, slot, &gen) == AMP_OK && h->dev_up)
		amp_ipcc_link_kick(&h->link, AMP_IPCC_CH_DDR_PLUG);
}

void amp_host_ddr_cancel(struct amp_host *h, void *priv)
{
	for (GList *l = h->plugs.head, *next; l; l = next) {
		next = l->next;
		struct plug_wait *w = l->data;
		if (w->priv == priv) {
			plug_free(w);
			g_queue_delete_link(&h->plugs, l);
		}
	}
}
