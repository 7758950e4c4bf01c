/* libampsim: the host side of a simulated SoC; see <ampsim/host.h>. */
#define _GNU_SOURCE
#include <ampsim/host.h>

#include <string.h>
#include <unistd.h>

#include <amp/error.h>
#include <amp/ipcc.h>
#include <ampsim/ddr_plug.h>
#include <ampsim/error.h>
#include <ampsim/fwenv.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/profile.h>
#include <amp/stm32mp1.h>

#include "../ipcc_glib.h"
#include "../platform/rproc_sim.h"
#include "host_internal.h"
#include "host_state.h"

/* ---- the RPMsg host port: doorbell = rproc's kick, memory = the shared object ------------- */

static void port_notify(void *ctx, uint32_t notify_id)
{
	struct amp_host *h = ctx;
	if (h->kick_hold && notify_id < 32) { /* rung once at amp_host_hold_kicks(h, false) */
		h->kicks_merged += (h->kicks_held >> notify_id) & 1u;
		h->kicks_held |= 1u << notify_id;
		return;
	}
	if (h->faults && amp_hf_kick(h->faults, notify_id))
		return; /* dropped or delayed by the fault plan */
	if (h->step && amp_stm32mp1_notify_chan(notify_id) >= 0) { /* step mode: wait for 'step' */
		amp_hs_hold(h->step, true, (uint32_t)amp_stm32mp1_notify_chan(notify_id));
		return;
	}
	amp_host_kick_now(h, notify_id);
}

/* amp_host_iterate(): interrupts handled in a row without the loop, then one iteration of it
 * (the firmware's exit, timers and the application's own sources are served in between). */
#define DIRECT_MAX 64u

gboolean amp_host_iterate(struct amp_host *h, gboolean may_block)
{
	struct amp_ipcc_link *l = &h->link;
	/* Not from inside a dispatch (a callback's nested loop): the loop's sources keep their
	 * fds out of a nested iteration, a direct dispatch would not. */
	if (h->link_ok && l->cfg.mode != AMP_IPCC_WAIT_BLOCK && h->direct < DIRECT_MAX &&
	    !h->in_direct && g_main_depth() == 0 && amp_ipcc_glib_poll(l)) {
		h->direct++;
		h->in_direct = true;
		amp_ipcc_glib_dispatch(l);
		h->in_direct = false;
		return TRUE;
	}
	h->direct = 0;
	return g_main_context_iteration(h->ctx, may_block);
}

void amp_host_hold_kicks(struct amp_host *h, bool hold)
{
	if (hold) {
		h->kick_hold++;
		return;
	}
	g_return_if_fail(h->kick_hold > 0);
	if (--h->kick_hold > 0)
		return;
	for (uint32_t held = h->kicks_held; held; held &= held - 1)
		port_notify(h, (uint32_t)__builtin_ctz(held));
	h->kicks_held = 0;
}

void amp_host_kick_now(struct amp_host *h, uint32_t notify_id)
{
	/* As Linux's rproc_virtio_notify: the platform rings the vring's mailbox channel. */
	amp_rproc_kick(h->rproc, notify_id);
}

static void *port_da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	struct amp_host *h = ctx;
	return amp_soc_da_to_va(&h->soc, da, len);
}

static void port_assert_fail(const char *file, int line, const char *expr)
{
	g_error("%s:%d: internal assertion failed: %s", file, line, expr);
}

/* No lock and no wait: the host bus runs on the GLib loop only and never blocks. */
static const struct amp_port_ops host_port_ops = {
    .notify = port_notify,
    .da_to_va = port_da_to_va,
    .assert_fail = port_assert_fail,
};

static void set_status(void *ctx, uint8_t status)
{
	struct amp_host *h = ctx;
	amp_rproc_set_status(h->rproc, status);
}

/* ---- interrupts from the firmware (GLib loop) -------------------------------------------- */

static void drop_src(GSource **src)
{
	if (*src) {
		g_source_destroy(*src);
		g_source_unref(*src);
		*src = NULL;
	}
}

/*
 * A queue the firmware broke does not recover by itself (Linux: a broken virtqueue needs a
 * reset of the remote): report a crash whose reason is the first violation, so clients hang
 * up and recovery (if on) restarts the firmware. Only from the loop, never inside a send.
 */
static void crash_if_broken(struct amp_host *h)
{
	const struct amp_vq *vq = amp_vq_broken(&h->dev.rvq)   ? &h->dev.rvq
				  : amp_vq_broken(&h->dev.tvq) ? &h->dev.tvq
							       : NULL;
	char reason[128];
	if (!h->dev_up || !vq)
		return;
	amp_host_vq_fault_text(vq, vq->notify_id, reason, sizeof(reason));
	amp_rproc_report_crash(h->rproc, reason);
}

static gboolean on_broken(gpointer data)
{
	struct amp_host *h = data;
	drop_src(&h->broken_src);
	crash_if_broken(h);
	return G_SOURCE_REMOVE;
}

/* The first of a boot is a warning; a firmware that keeps doing it must not flood the log. */
static void host_kick_warn(uint64_t n)
{
	if (n == 1)
		g_warning("the firmware notified vring0 without publishing a message; counted as "
			  "'notify without publish' in ampsim ctl stats (docs/faults.md)");
	else
		g_debug(
		    "the firmware notified vring0 without publishing a message (%" G_GUINT64_FORMAT
		    " times)",
		    n);
}

static void irq_handler(struct amp_host *h, uint32_t ch)
{
	/* CH1: new messages on vring0; CH2: the firmware returned vring1 (TX) buffers. */
	int id = amp_stm32mp1_chan_notify(ch);
	int rc = amp_rpmsg_notified(&h->dev, (uint32_t)id);
	if (rc == AMP_EPROTO || rc == AMP_EBROKEN) {
		crash_if_broken(h);
		return;
	}
	if (ch == AMP_IPCC_CH_VRING1)
		amp_host_tx_ready(h);
}

void amp_host_irq_now(struct amp_host *h, uint32_t ch)
{
	if (!h->dev_up)
		return;
	if (h->trace)
		amp_ht_irq_handler(h->trace, ch, false);
	irq_handler(h, ch);
	if (h->trace)
		amp_ht_irq_handler(h->trace, ch, true);
}

/* The tx signal follows tx_waiting: a byte in it while no sender waits for a TX buffer. */
static void tx_signal(struct amp_host *h)
{
	char b = 1;
	if (h->tx_signal < 0 || h->tx_signalled == !h->tx_waiting)
		return;
	if (h->tx_waiting ? read(h->tx_signal, &b, 1) == 1 : write(h->tx_signal, &b, 1) == 1)
		h->tx_signalled = !h->tx_waiting;
}

void amp_host_set_tx_signal(struct amp_host *h, int fd)
{
	h->tx_signal = fd;
	h->tx_signalled = false;
	tx_signal(h);
}

void amp_host_tx_ready(struct amp_host *h)
{
	if (!h->dev_up || !h->tx_waiting)
		return;
	h->tx_waiting = false;
	tx_signal(h);
	amp_rpmsg_tx_wait_end(&h->dev); /* Linux: only while senders wait */
	if (h->cfg.ops->tx_ready)
		h->cfg.ops->tx_ready(h->cfg.priv);
}

static void on_irq(void *arg, uint32_t ch)
{
	struct amp_host *h = arg;
	/* The firmware's own interrupts only: a duplicate the fault plan makes is not its doing. */
	if (h->dev_up && ch == AMP_IPCC_CH_VRING0 && amp_host_kick_check(&h->kick0, &h->dev.rvq))
		host_kick_warn(h->kick0.unpublished);
	if (h->trace)
		amp_ht_irq(h->trace, ch);
	if (h->faults && amp_hf_irq(h->faults, ch))
		return;
	if (h->step)
		amp_hs_hold(h->step, false, ch);
	else
		amp_host_irq_now(h, ch);
}

/* ---- flow control toward the firmware ------------------------------------------------------ */

void amp_host_rx_defer(struct amp_host *h)
{
	h->rx_busy = true;
}

static gboolean on_rx_resume(gpointer data)
{
	struct amp_host *h = data;
	g_source_unref(h->rx_resume);
	h->rx_resume = NULL;
	if (!h->dev_up)
		return G_SOURCE_REMOVE;
	int rc = amp_rpmsg_rx_resume(&h->dev);
	if (!amp_rpmsg_rx_deferred(&h->dev)) /* dropped, not redelivered: forget it */
		h->tap.parked = NULL;
	if (rc == AMP_EPROTO || rc == AMP_EBROKEN)
		crash_if_broken(h); /* from the loop: the crash path may free what it drops */
	return G_SOURCE_REMOVE;
}

void amp_host_rx_resume(struct amp_host *h)
{
	/* From the loop, never inside the caller: delivering may free what the caller uses. */
	if (h->rx_resume || !h->dev_up || !amp_rpmsg_rx_deferred(&h->dev))
		return;
	h->rx_resume = g_idle_source_new();
	g_source_set_callback(h->rx_resume, on_rx_resume, h, NULL);
	g_source_attach(h->rx_resume, h->ctx);
}

/* ---- rproc events -------------------------------------------------------------------------- */

/*
 * What Linux accepts of the firmware's offer: virtio_rpmsg_bus's own table (NS) plus the
 * transport bits virtio_dev_probe() keeps and vring_transport_features() leaves
 * (INDIRECT_DESC, EVENT_IDX). RPMsg posts one buffer per descriptor, so INDIRECT_DESC is
 * accepted but never used, by Linux or by us; EVENT_IDX switches both vrings to
 * used_event / avail_event suppression (docs/rpmsg-core.md).
 */
#define AMP_HOST_FEATURES                                                          \
	((1u << AMP_VIRTIO_RPMSG_F_NS) | (1u << AMP_VIRTIO_RING_F_INDIRECT_DESC) | \
	 (1u << AMP_VIRTIO_RING_F_EVENT_IDX))

static void probe_vdev(struct amp_host *h)
{
	const struct amp_rproc_vdev *v = amp_rproc_vdev(h->rproc);
	size_t words =
	    AMP_RPMSG_HOST_WORK_WORDS(v->vring[0].num, v->vring[1].num, v->pool.h2r.count);
	g_free(h->work);
	h->work = g_new0(uint32_t, words);
	uint32_t features = v->dfeatures & AMP_HOST_FEATURES;
	amp_rproc_set_gfeatures(h->rproc, features);
	struct amp_rpmsg_host_cfg cfg = {
	    .vring = {v->vring[0], v->vring[1]},
	    .pool_da = v->pool_da,
	    .pool_size = v->pool_size,
	    .rx_count = (uint16_t)v->pool.r2h.count,
	    .tx_count = (uint16_t)v->pool.h2r.count,
	    .rx_buf_size = v->pool.r2h.size,
	    .tx_buf_size = v->pool.h2r.size,
	    .set_status = set_status,
	    .status_ctx = h,
	    .features = features,
	    .ns_cb = amp_host_on_ns,
	    .ns_priv = h,
	    .work = h->work,
	    .work_words = words,
	};
	struct amp_port port = {.ops = &host_port_ops, .ctx = h};
	memset(&h->dev, 0, sizeof(h->dev));
	h->tx_waiting = false; /* a new device: no sender waits on it yet */
	tx_signal(h);
	h->tap.parked = NULL;
	int rc = amp_rpmsg_host_init(&h->dev, &cfg, &port);
	if (rc != AMP_OK) {
		g_warning("RPMsg bus probe failed: %s", amp_strerror(rc));
		return;
	}
	h->dev_up = true;
	amp_host_kick_reset(&h->kick0, &h->dev.rvq);
	if (h->faults) /* header, buffer and ring faults act on the role table */
		amp_hf_attach(h->faults, &h->dev);
	amp_ht_attach(h);
}

static void on_rproc(void *priv, enum amp_rproc_event ev)
{
	struct amp_host *h = priv;
	if (h->faults)
		amp_hf_rproc_event(h->faults, ev);
	if (h->trace)
		amp_ht_rproc_event(h->trace, ev);
	if (ev == AMP_RPROC_EV_STARTED) {
		probe_vdev(h);
	} else if (ev != AMP_RPROC_EV_STOPPED) {
		const char *why = ev == AMP_RPROC_EV_CRASHED ? "the firmware crashed"
							     : "the firmware is stopping";
		h->dev_up = false;
		amp_hs_drop(h->step); /* they were for this firmware instance */
		drop_src(&h->broken_src);
		amp_host_plugs_fail_all(h);
		amp_host_drop_channels(h, why);
		amp_host_drop_epts(h, why);
	}
	if (h->cfg.ops->rproc_event)
		h->cfg.ops->rproc_event(h->cfg.priv, ev);
}

/* ---- public -------------------------------------------------------------------------------- */

static gboolean create_hw(struct amp_host *h, GError **err)
{
	const char *profile = h->cfg.profile ? h->cfg.profile : "stm32mp157";
	if (!amp_profile_load(profile, &h->layout, err))
		return FALSE;
	int rc = amp_soc_create(&h->soc, &h->layout);
	if (rc != AMP_OK) {
		amp_set_error(err, rc, "cannot create the SoC shared memory: %s", h->soc.err);
		return FALSE;
	}
	amp_ddr_plug_host_init(&h->plug, &h->soc);
	rc = amp_ipcc_efds_create(h->efds);
	if (rc != AMP_OK) {
		amp_set_error(err, rc, "cannot create the IPCC eventfds: %s", amp_strerror(rc));
		return FALSE;
	}
	struct amp_ipcc_link_cfg lc = {.proc = AMP_IPCC_PROC1};
	rc = amp_fwenv_ipcc_mode_parse(h->cfg.ipcc_mode, &lc.mode, NULL, 0);
	if (rc != AMP_OK) {
		amp_set_error(err, rc,
			      "the host's IPCC mode '%s' is none of blocking, adaptive "
			      "or spin",
			      h->cfg.ipcc_mode);
		return FALSE;
	}
	rc = amp_ipcc_link_init(&h->link, &lc, amp_soc_ipcc(&h->soc), h->soc.ipcc_nchan, h->efds,
				amp_soc_asleep(&h->soc));
	if (rc != AMP_OK) {
		amp_set_error(err, rc, "cannot set up the IPCC link: %s", amp_strerror(rc));
		return FALSE;
	}
	amp_ipcc_link_set_cpu_words(&h->link, amp_soc_on_cpu(&h->soc));
	h->link_ok = true;
	amp_ipcc_link_set_handler(&h->link, AMP_IPCC_CH_VRING0, on_irq, h);
	amp_ipcc_link_set_handler(&h->link, AMP_IPCC_CH_VRING1, on_irq, h);
	amp_ipcc_link_set_handler(&h->link, AMP_IPCC_CH_DDR_PLUG, amp_host_on_plug_irq, h);
	h->link_src = amp_ipcc_glib_source(&h->link, h->ctx);
	return TRUE;
}

/*
 * The platform's reset before every start: what the host owns in shared memory is rewritten
 * from its private copies (header page, region table, IPCC registers and lines, our IPCC
 * enables and masks, the DDR plug table), and the new firmware instance gets eventfds of
 * its own, so that nothing a previous instance (or a process it left behind) holds rings it.
 */
static gboolean reset_hw(void *priv, int efds[AMP_IPCC_LINK_NFDS], GError **err)
{
	struct amp_host *h = priv;
	int fresh[AMP_IPCC_LINK_NFDS];
	int rc = amp_ipcc_efds_create(fresh);
	if (rc != AMP_OK) {
		amp_set_error(err, rc, "cannot create the IPCC eventfds for the firmware: %s",
			      amp_strerror(rc));
		return FALSE;
	}
	amp_soc_restore(&h->soc);
	amp_ipcc_link_restore(&h->link, fresh);
	amp_ddr_plug_reset(&h->plug);
	drop_src(&h->link_src);
	h->link_src = amp_ipcc_glib_source(&h->link, h->ctx);
	amp_ipcc_efds_close(h->efds);
	memcpy(h->efds, fresh, sizeof(h->efds));
	memcpy(efds, fresh, sizeof(h->efds));
	return TRUE;
}

/* The generic remoteproc core over the STM32MP1-on-a-PC platform (stm32_rproc's role). */
static gboolean create_rproc(struct amp_host *h, GError **err)
{
	struct amp_rproc_mem mem[AMP_SOC_MAX_REGIONS];
	h->plat = amp_sim_rproc_new(&h->soc, &h->link, reset_hw, h, &h->cfg.process, h->ctx);
	struct amp_rproc_platform plat = {
	    .ops = &amp_sim_rproc_ops,
	    .priv = h->plat,
	    .mem = mem,
	    .nmem = amp_sim_rproc_mem(&h->soc, mem, G_N_ELEMENTS(mem)),
	};
	struct amp_rproc_cfg rc = h->cfg.rproc;
	rc.cb = on_rproc;
	rc.priv = h;
	rc.context = h->ctx;
	h->rproc = amp_rproc_new(&plat, &rc, err);
	if (!h->rproc)
		return FALSE;
	amp_sim_rproc_set_core(h->plat, h->rproc);
	return TRUE;
}

struct amp_host *amp_host_new(const struct amp_host_cfg *cfg, GError **err)
{
	static const struct amp_host_ops no_ops;
	struct amp_host *h = g_new0(struct amp_host, 1);
	h->cfg = *cfg;
	if (!h->cfg.ops)
		h->cfg.ops = &no_ops;
	h->ctx =
	    cfg->context ? g_main_context_ref(cfg->context) : g_main_context_ref_thread_default();
	h->cfg.context = h->ctx;
	h->soc.fd = -1;
	h->tx_signal = -1;
	for (int i = 0; i < AMP_IPCC_LINK_NFDS; i++)
		h->efds[i] = -1;
	h->chans = g_ptr_array_new();
	g_queue_init(&h->plugs);
	h->epts = g_ptr_array_new();
	if (!create_hw(h, err) || !create_rproc(h, err)) {
		amp_host_free(h);
		return NULL;
	}
	return h;
}

void amp_host_free(struct amp_host *h)
{
	if (!h)
		return;
	if (h->rproc)
		amp_rproc_stop_now(h->rproc);
	while (h->epts->len > 0) /* the owner still frees them; they are dead now */
		amp_host_ept_kill(h->epts->pdata[h->epts->len - 1]);
	if (h->rx_resume) {
		g_source_destroy(h->rx_resume);
		g_source_unref(h->rx_resume);
	}
	amp_rproc_free(h->rproc);
	if (h->trace) /* the owner did not stop it: finish the file anyway */
		amp_host_trace_stop(h, NULL, NULL);
	amp_sim_rproc_free(h->plat);
	amp_hf_free(h->faults);
	amp_hs_free(h->step);
	drop_src(&h->link_src);
	drop_src(&h->broken_src);
	if (h->link_ok)
		amp_ipcc_link_deinit(&h->link);
	amp_ipcc_efds_close(h->efds);
	amp_soc_destroy(&h->soc);
	g_ptr_array_free(h->chans, TRUE);
	g_ptr_array_free(h->epts, TRUE);
	g_free(h->work);
	g_main_context_unref(h->ctx);
	g_free(h);
}

gboolean amp_host_start(struct amp_host *h, GError **err)
{
	return amp_rproc_start(h->rproc, err);
}

gboolean amp_host_stop(struct amp_host *h)
{
	return amp_rproc_stop(h->rproc);
}

int amp_host_fw_pid(const struct amp_host *h)
{
	return amp_sim_rproc_pid(h->plat);
}

int amp_host_sendto(struct amp_host *h, struct amp_rpmsg_ept *ept, uint32_t dst, const void *data,
		    size_t len)
{
	if (h->faults && h->dev_up)
		return amp_hf_send(h->faults, ept, dst, data, len);
	return amp_host_send_raw(h, ept, dst, data, len);
}

/* Has the host no TX buffer of its own left (the core takes returned ones only then)? */
static bool tx_bitmap_empty(const struct amp_host *h)
{
	const struct amp_rpmsg_dev *d = &h->dev;
	for (uint32_t w = 0; w < AMP_VQ_BITMAP_WORDS(d->u.h.tx_count); w++)
		if (d->u.h.tx_free[w])
			return false;
	return true;
}

/*
 * A send took the last buffer the host had: if the firmware has returned none since, none is
 * free, so the tx signal goes now rather than at the next send that finds none (the shim's
 * POLLOUT is then fresh), and the firmware is asked to say when it returns some, as Linux's
 * rpmsg_poll() does (virtqueue_enable_cb). In a steady flow the core takes every returned
 * buffer at once when it runs out, so this is rare: only when they are really all out.
 */
static void tx_check_drained(struct amp_host *h)
{
	if (h->tx_waiting || !tx_bitmap_empty(h))
		return;
	h->tx_waiting = true;
	if (amp_rpmsg_tx_wait_begin(&h->dev)) { /* some came back meanwhile: still free */
		h->tx_waiting = false;
		amp_rpmsg_tx_wait_end(&h->dev);
		return;
	}
	tx_signal(h);
}

int amp_host_send_raw(struct amp_host *h, struct amp_rpmsg_ept *ept, uint32_t dst, const void *data,
		      size_t len)
{
	if (!h->dev_up)
		return AMP_ENOTCONN;
	int rc = amp_rpmsg_trysendto(ept, dst, data, len);
	if (rc == AMP_ENOMEM && !h->tx_waiting) {
		g_debug("no TX buffer free: waiting for the firmware to return some");
		/* TX-complete interrupts on while someone waits (Linux rpmsg_upref_sleepers). */
		h->tx_waiting = true;
		if (amp_rpmsg_tx_wait_begin(&h->dev))
			rc = amp_rpmsg_trysendto(ept, dst, data, len);
		tx_signal(h); /* before the sender's EAGAIN reaches its writer */
	}
	if (rc >= 0)
		tx_check_drained(h);
	if (rc >= 0)
		amp_host_tap_tx(&h->tap, amp_host_ept_tap_name(ept), ept->addr, dst, data, len);
	if ((rc == AMP_EPROTO || rc == AMP_EBROKEN) && !h->broken_src) {
		/* The sender's channel must outlive this call: crash from the loop. */
		h->broken_src = g_idle_source_new();
		g_source_set_callback(h->broken_src, on_broken, h, NULL);
		g_source_attach(h->broken_src, h->ctx);
	}
	return rc < 0 ? rc : 0;
}

int amp_host_send(struct amp_host_chan *ch, const void *data, size_t len)
{
	return amp_host_sendto(ch->host, &ch->ept, ch->remote, data, len);
}

size_t amp_host_mtu(const struct amp_host *h)
{
	return h->dev_up ? amp_rpmsg_tx_mtu(&h->dev) : amp_rproc_vdev(h->rproc)->pool.h2r.mtu;
}

struct amp_host_chan **amp_host_channels(struct amp_host *h)
{
	struct amp_host_chan **v = g_new0(struct amp_host_chan *, h->chans->len + 1);
	for (guint i = 0; i < h->chans->len; i++)
		v[i] = h->chans->pdata[i];
	return v;
}

struct amp_soc *amp_host_soc(struct amp_host *h)
{
	return &h->soc;
}

struct amp_host_trace **amp_host_trace_slot(struct amp_host *h)
{
	return &h->trace;
}

struct amp_sim_rproc *amp_host_plat(struct amp_host *h)
{
	return h->plat;
}

struct amp_rproc *amp_host_rproc(struct amp_host *h)
{
	return h->rproc;
}

const struct amp_ipcc_link *amp_host_ipcc_link(const struct amp_host *h)
{
	return &h->link;
}

struct amp_rpmsg_dev *amp_host_rpmsg(struct amp_host *h)
{
	return h->dev_up ? &h->dev : NULL;
}

const struct amp_host_kick *amp_host_kick0(struct amp_host *h)
{
	return &h->kick0;
}

uint64_t amp_host_kicks_merged(const struct amp_host *h)
{
	return h->kicks_merged;
}

GMainContext *amp_host_context(const struct amp_host *h)
{
	return h->ctx;
}

struct amp_host_step **amp_host_step_slot(struct amp_host *h)
{
	return &h->step;
}

struct amp_host_faults **amp_host_faults_slot(struct amp_host *h)
{
	return &h->faults;
}

struct amp_host_tap *amp_host_tap_slot(struct amp_host *h)
{
	return &h->tap;
}
