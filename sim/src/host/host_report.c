/* Text reports of a host: the start-up summary and every layer's counters. */
#include <ampsim/host.h>

#include <amp/ipcc.h>
#include <ampsim/fwenv.h>
#include <ampsim/ipcc_link.h>

#include "host_internal.h"

static const char *const vq_err_names[AMP_VQ_ERR_COUNT] = {
    [AMP_VQ_ERR_AVAIL_IDX] = "avail_idx",   [AMP_VQ_ERR_DESC_ID] = "desc_id",
    [AMP_VQ_ERR_DESC_FLAGS] = "desc_flags", [AMP_VQ_ERR_DESC_LEN] = "desc_len",
    [AMP_VQ_ERR_DESC_ADDR] = "desc_addr",   [AMP_VQ_ERR_USED_IDX] = "used_idx",
    [AMP_VQ_ERR_USED_ID] = "used_id",	    [AMP_VQ_ERR_USED_STALE] = "used_stale",
    [AMP_VQ_ERR_USED_LEN] = "used_len",	    [AMP_VQ_ERR_MSG_LEN] = "msg_len",
    [AMP_VQ_ERR_HELD_ID] = "held_id",
};

/* The fault's two values in words (value, limit: see the checks in vring/src). */
static char *vq_fault_words(const struct amp_vq_fault *f)
{
	uint32_t v = f->value, l = f->limit;
	switch (f->kind) {
	case AMP_VQ_ERR_AVAIL_IDX:
		return g_strdup_printf("avail idx moved by %u > num %u", v, l);
	case AMP_VQ_ERR_DESC_ID:
		return g_strdup_printf("descriptor id %u >= num %u", v, l);
	case AMP_VQ_ERR_DESC_FLAGS:
		return g_strdup_printf("descriptor flags 0x%x not allowed", v);
	case AMP_VQ_ERR_DESC_LEN:
		return g_strdup_printf("descriptor len %u < %u", v, l);
	case AMP_VQ_ERR_DESC_ADDR:
		return g_strdup_printf("descriptor addr 0x%x (%u bytes) outside the shared memory",
				       v, l);
	case AMP_VQ_ERR_USED_IDX:
		return g_strdup_printf("used idx moved by %u with %u buffers in flight", v, l);
	case AMP_VQ_ERR_USED_ID:
		return g_strdup_printf("used id %u >= num %u", v, l);
	case AMP_VQ_ERR_USED_STALE:
		return g_strdup_printf("used id %u not in flight (returned twice?)", v);
	case AMP_VQ_ERR_USED_LEN:
		return g_strdup_printf("used len %u > buffer size %u", v, l);
	case AMP_VQ_ERR_MSG_LEN:
		return g_strdup_printf("message of %u bytes (header included) > %u bytes in the "
				       "buffer",
				       v, l);
	case AMP_VQ_ERR_HELD_ID:
		return g_strdup_printf("held buffer id %u >= num %u", v, l);
	}
	return g_strdup("unknown check");
}

void amp_host_vq_fault_text(const struct amp_vq *vq, unsigned vring, char *buf, size_t len)
{
	g_autofree char *what = vq_fault_words(&vq->fault);
	g_snprintf(buf, len, "protocol violation on vring%u: %s", vring, what);
}

static const char *const purpose_names[AMP_SOC_PURPOSE_COUNT] = {
    "ram", "vring", "buffer", "ddr", "ipcc", "retram",
};

void amp_host_describe(struct amp_host *h, GString *out)
{
	struct amp_soc *soc = amp_host_soc(h);
	g_string_append_printf(out,
			       "SoC profile %s, shared memory %s (%" G_GUINT64_FORMAT " KiB)\n",
			       soc->soc_name, soc->shm_name, soc->total_size / 1024);
	for (uint32_t i = 0; i < soc->nregions; i++) {
		const struct amp_soc_region *r = &soc->regions[i];
		g_string_append_printf(
		    out,
		    "  region %-12s da 0x%08" G_GINT64_MODIFIER "x  size 0x%07" G_GINT64_MODIFIER
		    "x  %s\n",
		    r->name, r->da, r->size,
		    r->purpose < AMP_SOC_PURPOSE_COUNT ? purpose_names[r->purpose] : "?");
	}
	amp_rproc_describe(amp_host_rproc(h), out);
}

static void vq_stats(GString *out, const char *name, const struct amp_vq *vq)
{
	const struct amp_vq_stats *s = &vq->stats;
	g_string_append_printf(out,
			       "  %s: buffers %u, kicks sent %u, kicks suppressed %u, "
			       "interrupts %u%s\n",
			       name, s->bufs, s->kicks, s->kicks_suppressed, s->interrupts,
			       amp_vq_broken(vq) ? ", BROKEN" : "");
	for (int i = 0; i < AMP_VQ_ERR_COUNT; i++)
		if (s->err[i])
			g_string_append_printf(out, "    protocol error %s: %u\n", vq_err_names[i],
					       s->err[i]);
}

/*
 * Counted by the host on its own side (its link), never read from the shared register file:
 * the firmware can write every counter there. So Linux->firmware shows our sends, and
 * firmware->Linux the notifications we handled.
 */
static void ipcc_stats(GString *out, const struct amp_ipcc_link *l, uint32_t nchan)
{
	for (uint32_t ch = 0; ch < nchan && ch < AMP_IPCC_MAX_CHAN; ch++) {
		const struct amp_ipcc_link_chan_stats *s = &l->chan[ch];
		uint64_t kicks = atomic_load(&s->kicks);
		if (kicks)
			g_string_append_printf(
			    out,
			    "  IPCC CH%u Linux->firmware: kicks %" G_GUINT64_FORMAT
			    ", coalesced %" G_GUINT64_FORMAT ", IRQs raised %" G_GUINT64_FORMAT
			    ", eventfd writes %" G_GUINT64_FORMAT ", avoided %" G_GUINT64_FORMAT
			    "\n",
			    ch + 1, kicks, (guint64)atomic_load(&s->coalesced),
			    (guint64)atomic_load(&s->irq_raised),
			    (guint64)atomic_load(&s->efd_writes),
			    (guint64)atomic_load(&s->efd_avoided));
		uint64_t handled = atomic_load(&s->handled);
		if (handled)
			g_string_append_printf(
			    out,
			    "  IPCC CH%u firmware->Linux: IRQs handled %" G_GUINT64_FORMAT "\n",
			    ch + 1, handled);
	}
	const struct amp_ipcc_link_stats *w = &l->stats;
	g_string_append_printf(out,
			       "  IPCC host waits (%s): polls %" G_GUINT64_FORMAT
			       ", found an IRQ %" G_GUINT64_FORMAT ", cut short by preemption "
			       "%" G_GUINT64_FORMAT ", not polled (the firmware on our CPU) "
			       "%" G_GUINT64_FORMAT ", eventfd wake-ups %" G_GUINT64_FORMAT "\n",
			       amp_fwenv_ipcc_mode_name(l->cfg.mode), w->polls, w->poll_hits,
			       w->preempted, w->same_cpu, w->wakeups);
}

void amp_host_stats(struct amp_host *h, GString *out)
{
	struct amp_rproc *rp = amp_host_rproc(h);
	const struct amp_rproc_stats *r = amp_rproc_stats(rp);
	g_string_append_printf(out,
			       "remoteproc: %s, starts %u, crashes %u, recoveries %u, stops "
			       "%u (killed %u)\n",
			       amp_rproc_state_name(amp_rproc_state(rp)), r->starts, r->crashes,
			       r->recoveries, r->stops, r->kills);
	struct amp_rpmsg_dev *dev = amp_host_rpmsg(h);
	if (dev) {
		const struct amp_rpmsg_stats *s = &dev->stats;
		g_string_append_printf(
		    out,
		    "rpmsg: sent %u msgs / %u bytes, received %u msgs / %u bytes, "
		    "no TX buffer %u, deliveries deferred %u, dropped (no endpoint %u, bad NS "
		    "length %u)\n",
		    s->tx_msgs, s->tx_bytes, s->rx_msgs, s->rx_bytes, s->tx_nobuf, s->rx_deferred,
		    s->drops[AMP_RPMSG_DROP_NO_EPT], s->drops[AMP_RPMSG_DROP_NS_LEN]);
		vq_stats(out, "vring0 (firmware -> Linux)", &dev->rvq);
		const struct amp_host_kick *k = amp_host_kick0(h);
		if (k->unpublished)
			g_string_append_printf(
			    out, "    notify without publish: %" G_GUINT64_FORMAT "\n",
			    k->unpublished);
		vq_stats(out, "vring1 (Linux -> firmware)", &dev->tvq);
		if (amp_host_kicks_merged(h))
			g_string_append_printf(out,
					       "    kicks merged into one doorbell per batch "
					       "(held): %" G_GUINT64_FORMAT "\n",
					       amp_host_kicks_merged(h));
	}
	ipcc_stats(out, amp_host_ipcc_link(h), amp_host_soc(h)->ipcc_nchan);
	if (*amp_host_step_slot(h))
		amp_hs_stats(*amp_host_step_slot(h), out);
	if (*amp_host_faults_slot(h))
		amp_hf_stats(*amp_host_faults_slot(h), out);
}
