/* libampsim's channels (announced by the firmware) and free endpoints (rpmsg_ctrl). */
#define _GNU_SOURCE
#include <string.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "host_internal.h"
#include "host_state.h"

/* ---- channels ------------------------------------------------------------------------------ */

/* After a receive callback: leave the message in its RX buffer if the application asked. */
static void rx_done(struct amp_host *h, struct amp_rpmsg_ept *ept, void *data)
{
	if (h->rx_busy) {
		h->rx_busy = false;
		int rc = amp_rpmsg_rx_defer(ept, data);
		g_assert(rc == AMP_OK); /* we are in this message's callback */
		h->tap.parked = data;
	}
}

/* How many times to deliver (the fault plan may drop, duplicate or corrupt: *@p data). */
static unsigned rx_faults(struct amp_host *h, struct amp_rpmsg_ept *ept, uint32_t src,
			  const void **data, size_t *len)
{
	return h->faults ? amp_hf_rx(h->faults, ept->name, src, ept->addr, data, len) : 1;
}

static int chan_receive(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct amp_host_chan *ch = priv;
	const void *msg = data;
	ch->host->rx_busy = false;
	amp_host_tap_rx(&ch->host->tap, ept->name, data, len);
	for (unsigned n = rx_faults(ch->host, ept, src, &msg, &len); n > 0; n--)
		if (ch->host->cfg.ops->receive)
			ch->host->cfg.ops->receive(ch->host->cfg.priv, ch, msg, len);
	rx_done(ch->host, ept, data);
	return 0;
}

/* An endpoint is going: a message deferred for it must not stall the bus. */
static void rx_unblock(struct amp_host *h)
{
	if (h->dev_up && amp_rpmsg_rx_deferred(&h->dev))
		amp_host_rx_resume(h);
}

static void chan_free(struct amp_host *h, struct amp_host_chan *ch, const char *why)
{
	if (h->cfg.ops->channel_gone)
		h->cfg.ops->channel_gone(h->cfg.priv, ch, why);
	amp_rpmsg_destroy_ept(&ch->ept);
	rx_unblock(h);
	g_ptr_array_remove(h->chans, ch);
	g_free(ch);
}

static struct amp_host_chan *chan_find(struct amp_host *h, const char *name, uint32_t remote)
{
	for (guint i = 0; i < h->chans->len; i++) {
		struct amp_host_chan *ch = h->chans->pdata[i];
		if (ch->remote == remote && !strcmp(ch->name, name))
			return ch;
	}
	return NULL;
}

void amp_host_on_ns(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr, bool destroy,
		    void *priv)
{
	struct amp_host *h = priv;
	amp_host_tap_rx(&h->tap, "", dev->rx_cur, sizeof(struct amp_rpmsg_ns_msg));
	struct amp_host_chan *ch = chan_find(h, name, addr);
	g_debug("name service: %s \"%s\" at firmware address 0x%x", destroy ? "destroy" : "create",
		name, addr);
	if (h->trace)
		amp_ht_ns(h->trace, name, addr, destroy);
	if (destroy) {
		if (ch)
			chan_free(h, ch, "the firmware destroyed the channel (NS destroy)");
		else
			g_message("NS destroy for unknown channel %s (addr 0x%x) ignored", name,
				  addr);
		return;
	}
	if (ch) {
		g_message("channel %s (addr 0x%x) announced twice; keeping the first", name, addr);
		return;
	}
	ch = g_new0(struct amp_host_chan, 1);
	g_strlcpy(ch->name, name, sizeof(ch->name));
	ch->remote = addr;
	ch->host = h;
	/* As Linux's rpmsg_create_channel: a dynamic local address, bound to the remote one. */
	int rc = amp_rpmsg_create_ept(&ch->ept, &h->dev, name, AMP_RPMSG_ADDR_ANY, addr,
				      chan_receive, NULL, ch);
	if (rc != AMP_OK) {
		g_warning("cannot create an endpoint for channel %s: %s", name, amp_strerror(rc));
		g_free(ch);
		return;
	}
	g_ptr_array_add(h->chans, ch);
	if (h->cfg.ops->channel_new)
		h->cfg.ops->channel_new(h->cfg.priv, ch);
}

void amp_host_drop_channels(struct amp_host *h, const char *why)
{
	while (h->chans->len > 0)
		chan_free(h, h->chans->pdata[h->chans->len - 1], why);
}

/* ---- free endpoints (rpmsg_ctrl) ----------------------------------------------------------- */

static int ept_receive(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct amp_host_ept *e = priv;
	const void *msg = data;
	e->host->rx_busy = false;
	amp_host_tap_rx(&e->host->tap, e->name, data, len);
	for (unsigned n = rx_faults(e->host, ept, src, &msg, &len); n > 0 && e->host; n--)
		if (e->ops && e->ops->receive)
			e->ops->receive(e->priv, e, msg, len, src);
	if (e->host) /* not freed in the callback: amp_host_ept_free() is refused there */
		rx_done(e->host, ept, data);
	return 0;
}

void amp_host_ept_kill(struct amp_host_ept *e)
{
	amp_rpmsg_destroy_ept(&e->ept);
	g_ptr_array_remove(e->host->epts, e);
	rx_unblock(e->host);
	e->host = NULL;
}

void amp_host_drop_epts(struct amp_host *h, const char *why)
{
	while (h->epts->len > 0) {
		struct amp_host_ept *e = h->epts->pdata[h->epts->len - 1];
		amp_host_ept_kill(e);
		if (e->ops && e->ops->gone)
			e->ops->gone(e->priv, e, why); /* may free e */
	}
}

int amp_host_ept_new(struct amp_host *h, const char *name, uint32_t src, uint32_t dst,
		     const struct amp_host_ept_ops *ops, void *priv, struct amp_host_ept **out)
{
	if (name && strnlen(name, AMP_RPMSG_NAME_SIZE) == AMP_RPMSG_NAME_SIZE)
		return AMP_EINVAL;
	if (!h->dev_up)
		return AMP_ENOTCONN;
	struct amp_host_ept *e = g_new0(struct amp_host_ept, 1);
	/* No name for the core: Linux neither announces nor binds a ctrl-made endpoint. */
	int rc = amp_rpmsg_create_ept(&e->ept, &h->dev, NULL, src, dst, ept_receive, NULL, e);
	if (rc != AMP_OK) {
		g_free(e);
		return rc;
	}
	if (name)
		g_strlcpy(e->name, name, sizeof(e->name));
	e->src = e->ept.addr;
	e->dst = dst;
	e->host = h;
	e->ops = ops;
	e->priv = priv;
	g_ptr_array_add(h->epts, e);
	g_debug("endpoint \"%s\" created: 0x%x -> 0x%x", e->name, e->src, dst);
	*out = e;
	return 0;
}

void amp_host_ept_free(struct amp_host_ept *e)
{
	if (!e)
		return;
	if (e->host)
		amp_host_ept_kill(e);
	g_free(e);
}

int amp_host_ept_send(struct amp_host_ept *e, const void *data, size_t len)
{
	if (!e->host)
		return AMP_ENOTCONN;
	return amp_host_sendto(e->host, &e->ept, e->dst, data, len);
}

struct amp_host_ept **amp_host_epts(struct amp_host *h)
{
	struct amp_host_ept **v = g_new0(struct amp_host_ept *, h->epts->len + 1);
	for (guint i = 0; i < h->epts->len; i++)
		v[i] = h->epts->pdata[i];
	return v;
}

const char *amp_host_ept_tap_name(const struct amp_rpmsg_ept *ept)
{
	/* A free endpoint's name is ours, not the core's (it has none). */
	return ept->cb == ept_receive ? ((struct amp_host_ept *)ept->priv)->name : ept->name;
}
