/* The generic remoteproc core: placement, lifecycle, recovery, trace; see <ampsim/rproc.h>. */
/* strnlen: POSIX.1-2008 (the targets build with -std=c11). */
#define _POSIX_C_SOURCE 200809L
#include <ampsim/rproc.h>

#include <string.h>

#include <amp/error.h>
#include <amp/rsc_parse.h>
#include <amp/vring_layout.h>
#include <ampsim/error.h>

#include "rproc_internal.h"

#define RPROC_PAGE 4096u

/* ---- the platform's memory map ------------------------------------------------------------ */

static const struct amp_rproc_mem *mem_by_name(const struct amp_rproc *rp, const char *name)
{
	for (size_t i = 0; i < rp->nmem; i++)
		if (!strcmp(rp->mem[i].name, name))
			return &rp->mem[i];
	return NULL;
}

static const struct amp_rproc_mem *mem_by_purpose(const struct amp_rproc *rp,
						  enum amp_rproc_mem_purpose purpose)
{
	for (size_t i = 0; i < rp->nmem; i++)
		if (rp->mem[i].purpose == purpose)
			return &rp->mem[i];
	return NULL;
}

static void *da_to_va(const struct amp_rproc *rp, uint64_t da, size_t len)
{
	return rp->ops->da_to_va(rp->plat, da, len);
}

/* ---- placing the vdev in the memory map ---------------------------------------------------- */

static gboolean load_table(struct amp_rproc *rp, GError **err)
{
	/* The loaded table lives at the start of the coprocessor's RAM, as the image would. */
	const struct amp_rproc_mem *r = mem_by_purpose(rp, AMP_RPROC_MEM_RAM);
	if (!r || r->size < rp->cached_len) {
		amp_set_error(err, r ? AMP_ERANGE : AMP_ENOENT,
			      "the SoC profile has no RAM region that can hold the %zu-byte "
			      "resource table",
			      rp->cached_len);
		return FALSE;
	}
	rp->loaded_da = r->da;
	rp->loaded = da_to_va(rp, r->da, rp->cached_len);
	if (!rp->loaded) {
		amp_set_error(err, AMP_EFAULT, "region %s is not mapped", r->name);
		return FALSE;
	}
	memcpy(rp->loaded, rp->cached, rp->cached_len);
	return TRUE;
}

static size_t vring_bytes(const struct amp_rsc_vring_info *v)
{
	/* Linux sizes the carveout as PAGE_ALIGN(vring_size(num, align)). */
	return (amp_vring_size(v->num, v->align) + RPROC_PAGE - 1) & ~(size_t)(RPROC_PAGE - 1);
}

/* rproc_check_carveout_da: the request must fit the pre-registered carveout. */
static gboolean check_carveout(const struct amp_rproc_mem *r, int i, uint32_t da, size_t len,
			       GError **err)
{
	if (len > r->size) {
		amp_set_error(err, AMP_ERANGE,
			      "vring%d needs 0x%zx bytes (page-aligned) but region %s has "
			      "0x%" G_GINT64_MODIFIER
			      "x; use fewer entries or a smaller align in the resource table",
			      i, len, r->name, r->size);
		return FALSE;
	}
	if (da == AMP_FW_RSC_ADDR_ANY || (da >= r->da && da - r->da <= r->size - len))
		return TRUE;
	amp_set_error(
	    err, AMP_EFAULT,
	    "vring%d at da 0x%x (0x%zx bytes) is not inside region %s (0x%" G_GINT64_MODIFIER
	    "x bytes at 0x%" G_GINT64_MODIFIER "x); use that address or FW_RSC_ADDR_ANY",
	    i, da, len, r->name, r->size, r->da);
	return FALSE;
}

/* ANY, and no region named vdev0vring<i>: first fit in the regions of purpose vring, after
 * vring0 if it went there, as Linux allocates a carveout for such a vring. */
static gboolean alloc_vring(struct amp_rproc *rp, int i, uint64_t *da, GError **err)
{
	size_t len = vring_bytes(&rp->vinfo.vring[i]);
	const struct amp_vring_info *v0 = &rp->vdev.vring[0];
	for (size_t k = 0; k < rp->nmem; k++) {
		const struct amp_rproc_mem *r = &rp->mem[k];
		if (r->purpose != AMP_RPROC_MEM_VRING)
			continue;
		uint64_t start = r->da;
		if (i == 1 && v0->da >= r->da && v0->da - r->da < r->size)
			start = v0->da + vring_bytes(&rp->vinfo.vring[0]);
		if (start - r->da <= r->size && len <= r->size - (start - r->da)) {
			*da = start;
			return TRUE;
		}
	}
	amp_set_error(err, AMP_ERANGE,
		      "vring%d has da ANY and needs 0x%zx bytes, but the SoC profile has no "
		      "region vdev0vring%d and no region of purpose vring with room for it",
		      i, len, i);
	return FALSE;
}

/* Where vring i goes: its named region (as Linux's rp_find_vq uses the carveout's da),
 * else the fixed da the table gives, else allocated in a vring region. */
static gboolean vring_da(struct amp_rproc *rp, int i, uint64_t *da, GError **err)
{
	const struct amp_rsc_vring_info *v = &rp->vinfo.vring[i];
	char name[32];
	g_snprintf(name, sizeof(name), "vdev0vring%d", i);
	const struct amp_rproc_mem *r = mem_by_name(rp, name);
	if (r) {
		*da = r->da;
		return check_carveout(r, i, v->da, vring_bytes(v), err);
	}
	if (v->da == AMP_FW_RSC_ADDR_ANY)
		return alloc_vring(rp, i, da, err);
	*da = v->da;
	if (da_to_va(rp, *da, vring_bytes(v)))
		return TRUE;
	amp_set_error(err, AMP_EFAULT,
		      "vring%d at da 0x%x (0x%zx bytes) is not inside one region of the SoC "
		      "memory map",
		      i, v->da, vring_bytes(v));
	return FALSE;
}

static gboolean place_vring(struct amp_rproc *rp, int i, GError **err)
{
	const struct amp_rsc_vring_info *v = &rp->vinfo.vring[i];
	uint64_t da;
	if (!vring_da(rp, i, &da, err))
		return FALSE;
	void *ring = da_to_va(rp, da, vring_bytes(v));
	if (!ring) {
		amp_set_error(err, AMP_EFAULT,
			      "vring%d at da 0x%" G_GINT64_MODIFIER "x is not mapped", i, da);
		return FALSE;
	}
	rp->vdev.vring[i] = (struct amp_vring_info){
	    .da = da, .num = v->num, .align = v->align, .notify_id = (uint32_t)i};
	/* A (re)started firmware finds clean rings, as after Linux's fresh carveout. */
	memset(ring, 0, vring_bytes(v));
	/* As Linux: the host writes da and assigns notify ids in table order. */
	amp_rsc_put_u32(rp->loaded, rp->cached_len, v->offset + AMP_RSC_VRING_DA_OFF, (uint32_t)da);
	amp_rsc_put_u32(rp->loaded, rp->cached_len, v->offset + AMP_RSC_VRING_NOTIFYID_OFF,
			(uint32_t)i);
	return TRUE;
}

static gboolean place_buffers(struct amp_rproc *rp, GError **err)
{
	/* Each direction from its own vring and buffer size, RX first (amp_rpmsg_pool_init). */
	const struct amp_rpmsg_pool *p = &rp->vdev.pool;
	uint64_t need = p->total;
	const struct amp_rproc_mem *r = mem_by_name(rp, "vdev0buffer");
	if (!r)
		r = mem_by_purpose(rp, AMP_RPROC_MEM_BUFFER);
	void *pool = r && r->size >= need ? da_to_va(rp, r->da, need) : NULL;
	if (!pool) {
		g_autofree char *have =
		    r ? g_strdup_printf("has only 0x%" G_GINT64_MODIFIER "x", r->size)
		      : g_strdup("is missing");
		amp_set_error(
		    err, r ? AMP_ERANGE : AMP_ENOENT,
		    "%u + %u buffers of %u and %u bytes need 0x%" G_GINT64_MODIFIER
		    "x bytes but the SoC profile's vdev0buffer region %s; give fewer vring "
		    "entries or smaller buffers in the resource table, or a larger "
		    "vdev0buffer in the profile",
		    p->r2h.count, p->h2r.count, p->r2h.size, p->h2r.size, need, have);
		return FALSE;
	}
	rp->vdev.pool_da = r->da;
	rp->vdev.pool_size = (uint32_t)need;
	memset(pool, 0, need); /* no stale messages */
	rp->vdev.dfeatures = rp->vinfo.dfeatures;
	return TRUE;
}

static char *trace_ptr(const struct amp_rproc *rp)
{
	if (!rp->has_trace)
		return NULL;
	return da_to_va(rp, rp->trace.da, rp->trace.len);
}

static gboolean setup_vdev(struct amp_rproc *rp, GError **err)
{
	if (!load_table(rp, err) || !place_vring(rp, 0, err) || !place_vring(rp, 1, err) ||
	    !place_buffers(rp, err))
		return FALSE;
	amp_rproc_set_status(rp, 0);
	amp_rproc_set_gfeatures(rp, 0);
	char *trace = trace_ptr(rp);
	if (trace)
		memset(trace, 0, rp->trace.len);
	else if (rp->has_trace)
		g_warning("trace buffer %s at da 0x%x (%u bytes) is outside the SoC memory map; "
			  "'ampsim ctl trace' will be empty",
			  rp->trace.name, rp->trace.da, rp->trace.len);
	return TRUE;
}

/* ---- sources on the caller's context --------------------------------------------------------- */

static GSource *attach(struct amp_rproc *rp, GSource *src, GSourceFunc fn)
{
	g_source_set_callback(src, fn, rp, NULL);
	g_source_attach(src, rp->ctx);
	return src;
}

/* Also from the source's own callback: GLib keeps it alive until the dispatch returns. */
static void drop_source(GSource **src)
{
	if (!*src)
		return;
	g_source_destroy(*src);
	g_source_unref(*src);
	*src = NULL;
}

static void emit(struct amp_rproc *rp, enum amp_rproc_event ev)
{
	if (rp->cfg.cb)
		rp->cfg.cb(rp->cfg.priv, ev);
}

/* ---- crashes, recovery, the watchdog ----------------------------------------------------- */

static void trace_copy(const struct amp_rproc *rp, GString *out);

static gboolean recover(gpointer data)
{
	struct amp_rproc *rp = data;
	drop_source(&rp->recover_src);
	g_autoptr(GError) err = NULL;
	g_message("recovering: rebooting firmware %s", rp->cfg.firmware);
	if (amp_rproc_start(rp, &err))
		rp->stats.recoveries++;
	else
		g_warning("recovery failed: %s", err->message);
	return G_SOURCE_REMOVE;
}

static void stop_watchdog(struct amp_rproc *rp)
{
	drop_source(&rp->wdg_src);
}

/*
 * How long to wait before the automatic restart: none after a crash of a firmware that ran
 * for AMP_RPROC_STABLE_MS, then doubling from AMP_RPROC_BACKOFF_FIRST_MS to
 * AMP_RPROC_BACKOFF_MAX_MS for each crash in a row, so a firmware that dies at once costs a
 * restart every few seconds instead of hundreds per second.
 */
static guint backoff(struct amp_rproc *rp)
{
	gint64 up_ms = (g_get_monotonic_time() - rp->started_us) / 1000;
	if (up_ms >= AMP_RPROC_STABLE_MS)
		rp->stats.crash_streak = 0;
	rp->stats.crash_streak++;
	guint ms = 0;
	if (rp->stats.crash_streak > 1 && !rp->cfg.no_backoff) {
		ms = AMP_RPROC_BACKOFF_FIRST_MS;
		for (uint32_t i = 2; i < rp->stats.crash_streak && ms < AMP_RPROC_BACKOFF_MAX_MS;
		     i++)
			ms *= 2;
		ms = MIN(ms, AMP_RPROC_BACKOFF_MAX_MS);
	}
	rp->stats.backoff_ms = ms;
	return ms;
}

static void schedule_recovery(struct amp_rproc *rp)
{
	guint ms = backoff(rp);
	if (ms)
		g_message("restarting the firmware in %u ms (crash %u in a row)", ms,
			  rp->stats.crash_streak);
	rp->recover_src = attach(rp, ms ? g_timeout_source_new(ms) : g_idle_source_new(), recover);
}

/* The firmware is gone (rp->reason says why): keep its trace, then recover unless told not. */
static void crashed(struct amp_rproc *rp)
{
	stop_watchdog(rp);
	rp->state = AMP_RPROC_CRASHED;
	rp->stats.crashes++;
	const char *t = trace_ptr(rp);
	if (t) {
		if (!rp->crash_trace)
			rp->crash_trace = g_string_new(NULL);
		g_string_truncate(rp->crash_trace, 0);
		trace_copy(rp, rp->crash_trace);
	}
	g_warning("firmware crashed: %s", rp->reason);
	emit(rp, AMP_RPROC_EV_CRASHED);
	if (!rp->cfg.no_recovery && rp->state == AMP_RPROC_CRASHED && !rp->recover_src)
		schedule_recovery(rp);
}

static uint32_t wdg_refresh(const struct amp_rproc *rp)
{
	/* The firmware writes this word concurrently: one aligned relaxed load. */
	const void *p = rp->loaded + rp->wdg_off + offsetof(struct amp_fw_rsc_watchdog, refresh);
	return GUINT32_FROM_LE(__atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED));
}

/* Like the STM32MP1 IWDG: no refresh for a whole period resets the core. */
static gboolean on_watchdog(gpointer data)
{
	struct amp_rproc *rp = data;
	uint32_t now = wdg_refresh(rp);
	if (now != rp->wdg_seen) {
		rp->wdg_seen = now;
		return G_SOURCE_CONTINUE;
	}
	stop_watchdog(rp);
	rp->stats.watchdogs++;
	g_snprintf(rp->reason, sizeof(rp->reason), "watchdog expired (no refresh for %u ms)",
		   rp->wdg_ms);
	rp->ops->kill(rp->plat);
	crashed(rp);
	return G_SOURCE_REMOVE;
}

static void start_watchdog(struct amp_rproc *rp)
{
	if (!rp->wdg_off)
		return;
	rp->wdg_seen = wdg_refresh(rp);
	rp->wdg_src = attach(rp, g_timeout_source_new(rp->wdg_ms), on_watchdog);
}

/* ---- stopping ---------------------------------------------------------------------------- */

/* The firmware is gone after a stop: offline. */
static void stopped(struct amp_rproc *rp)
{
	drop_source(&rp->grace_src);
	amp_rproc_set_status(rp, 0);
	rp->state = AMP_RPROC_OFFLINE;
	rp->stats.stops++;
	emit(rp, AMP_RPROC_EV_STOPPED);
}

/* The grace period is over and the firmware still runs: force it off, as stm32_rproc does. */
static gboolean on_grace(gpointer data)
{
	struct amp_rproc *rp = data;
	drop_source(&rp->grace_src);
	g_message("the firmware did not exit within %d ms of the shutdown request; killing it",
		  AMP_RPROC_STOP_GRACE_MS);
	rp->ops->kill(rp->plat);
	rp->stats.kills++;
	stopped(rp);
	return G_SOURCE_REMOVE;
}

/* running -> stopping: tell the users first, then stop watching the firmware. */
static void begin_stop(struct amp_rproc *rp)
{
	rp->state = AMP_RPROC_STOPPING;
	stop_watchdog(rp);
	emit(rp, AMP_RPROC_EV_STOPPING);
}

gboolean amp_rproc_stop(struct amp_rproc *rp)
{
	drop_source(&rp->recover_src);
	if (rp->state == AMP_RPROC_STOPPING)
		return TRUE;
	if (rp->state != AMP_RPROC_RUNNING) {
		rp->state = AMP_RPROC_OFFLINE;
		return FALSE;
	}
	begin_stop(rp);
	rp->ops->stop(rp->plat);
	rp->grace_src = attach(rp, g_timeout_source_new(AMP_RPROC_STOP_GRACE_MS), on_grace);
	return TRUE;
}

void amp_rproc_stop_now(struct amp_rproc *rp)
{
	drop_source(&rp->recover_src);
	if (rp->state == AMP_RPROC_RUNNING)
		begin_stop(rp);
	if (rp->state != AMP_RPROC_STOPPING) {
		rp->state = AMP_RPROC_OFFLINE;
		return;
	}
	rp->ops->kill(rp->plat);
	rp->stats.kills++;
	stopped(rp);
}

/* ---- reports from the platform ----------------------------------------------------------- */

void amp_rproc_report_exit(struct amp_rproc *rp, const char *reason)
{
	if (rp->state == AMP_RPROC_STOPPING) {
		g_debug("firmware stopped: %s", reason);
		stopped(rp);
		return;
	}
	if (rp->state != AMP_RPROC_RUNNING)
		return;
	g_strlcpy(rp->reason, reason, sizeof(rp->reason));
	crashed(rp);
}

void amp_rproc_report_crash(struct amp_rproc *rp, const char *reason)
{
	if (rp->state != AMP_RPROC_RUNNING && rp->state != AMP_RPROC_STOPPING)
		return;
	rp->ops->kill(rp->plat);
	amp_rproc_report_exit(rp, reason);
}

/* ---- public ------------------------------------------------------------------------------ */

static gboolean check_platform(const struct amp_rproc_platform *p, GError **err)
{
	const struct amp_rproc_ops *o = p->ops;
	if (!o || !o->start || !o->stop || !o->kill || !o->kick || !o->da_to_va) {
		amp_set_error(err, AMP_EINVAL, "remoteproc platform without its required ops");
		return FALSE;
	}
	if (p->nmem > RPROC_MAX_MEM || (p->nmem && !p->mem)) {
		amp_set_error(err, AMP_EINVAL,
			      "remoteproc platform with %zu memory regions (at most %u)", p->nmem,
			      RPROC_MAX_MEM);
		return FALSE;
	}
	return TRUE;
}

struct amp_rproc *amp_rproc_new(const struct amp_rproc_platform *plat,
				const struct amp_rproc_cfg *cfg, GError **err)
{
	if (!check_platform(plat, err))
		return NULL;
	struct amp_rproc *rp = g_new0(struct amp_rproc, 1);
	rp->ops = plat->ops;
	rp->plat = plat->priv;
	for (size_t i = 0; i < plat->nmem; i++) {
		rp->mem[i] = plat->mem[i];
		rp->mem[i].name[AMP_RPROC_MEM_NAME_MAX - 1] = '\0';
	}
	rp->nmem = plat->nmem;
	rp->cfg = *cfg;
	rp->cfg.firmware = g_strdup(cfg->firmware);
	rp->ctx =
	    cfg->context ? g_main_context_ref(cfg->context) : g_main_context_ref_thread_default();
	rp->cfg.context = rp->ctx;
	if (!amp_rproc_read_firmware(rp, err)) {
		amp_rproc_free(rp);
		return NULL;
	}
	return rp;
}

void amp_rproc_free(struct amp_rproc *rp)
{
	if (!rp)
		return;
	drop_source(&rp->recover_src);
	drop_source(&rp->grace_src);
	stop_watchdog(rp);
	if (rp->state == AMP_RPROC_RUNNING || rp->state == AMP_RPROC_STOPPING)
		rp->ops->kill(rp->plat);
	g_main_context_unref(rp->ctx);
	g_free((char *)rp->cfg.firmware);
	g_free(rp->cached);
	if (rp->crash_trace)
		g_string_free(rp->crash_trace, TRUE);
	g_free(rp);
}

gboolean amp_rproc_start(struct amp_rproc *rp, GError **err)
{
	if (rp->state == AMP_RPROC_RUNNING)
		return TRUE;
	if (rp->state == AMP_RPROC_STOPPING) {
		amp_set_error(err, AMP_EBUSY,
			      "the firmware is stopping; start it again once it is offline");
		return FALSE;
	}
	drop_source(&rp->recover_src);
	if (!setup_vdev(rp, err))
		return FALSE;
	struct amp_rproc_boot boot = {
	    .firmware = rp->cfg.firmware, .table_da = rp->loaded_da, .table_len = rp->cached_len};
	if (!rp->ops->start(rp->plat, &boot, err))
		return FALSE;
	start_watchdog(rp);
	rp->state = AMP_RPROC_RUNNING;
	rp->started_us = g_get_monotonic_time();
	rp->stats.starts++;
	emit(rp, AMP_RPROC_EV_STARTED);
	return TRUE;
}

void amp_rproc_kick(struct amp_rproc *rp, uint32_t notify_id)
{
	rp->ops->kick(rp->plat, notify_id);
}

enum amp_rproc_state amp_rproc_state(const struct amp_rproc *rp)
{
	return rp->state;
}

const char *amp_rproc_state_name(enum amp_rproc_state s)
{
	switch (s) {
	case AMP_RPROC_OFFLINE:
		return "offline";
	case AMP_RPROC_RUNNING:
		return "running";
	case AMP_RPROC_CRASHED:
		return "crashed";
	case AMP_RPROC_STOPPING:
		return "stopping";
	}
	return "invalid";
}

const char *amp_rproc_crash_reason(const struct amp_rproc *rp)
{
	return rp->reason[0] ? rp->reason : NULL;
}

const struct amp_rproc_vdev *amp_rproc_vdev(const struct amp_rproc *rp)
{
	return &rp->vdev;
}

const struct amp_rproc_stats *amp_rproc_stats(const struct amp_rproc *rp)
{
	return &rp->stats;
}

void amp_rproc_set_recovery(struct amp_rproc *rp, bool enabled)
{
	rp->cfg.no_recovery = !enabled;
}

bool amp_rproc_recovery(const struct amp_rproc *rp)
{
	return !rp->cfg.no_recovery;
}

void amp_rproc_set_status(struct amp_rproc *rp, uint8_t status)
{
	if (rp->loaded)
		amp_rsc_put_u8(rp->loaded, rp->cached_len, rp->vdev_off + AMP_RSC_VDEV_STATUS_OFF,
			       status);
}

void amp_rproc_set_gfeatures(struct amp_rproc *rp, uint32_t features)
{
	if (rp->loaded)
		amp_rsc_put_u32(rp->loaded, rp->cached_len,
				rp->vdev_off + AMP_RSC_VDEV_GFEATURES_OFF, features);
}

/* ---- trace and description --------------------------------------------------------------- */

gboolean amp_rproc_crash_trace(const struct amp_rproc *rp, GString *out)
{
	if (!rp->crash_trace)
		return FALSE;
	g_string_append_len(out, rp->crash_trace->str, (gssize)rp->crash_trace->len);
	return TRUE;
}

gboolean amp_rproc_trace(const struct amp_rproc *rp, GString *out)
{
	if (!trace_ptr(rp))
		return FALSE;
	/* After a restart the buffer was cleared: show what the crashed run wrote first. */
	if (rp->crash_trace && rp->state != AMP_RPROC_CRASHED) {
		g_string_append_printf(out, "--- trace before the last crash (%s) ---\n",
				       rp->reason);
		amp_rproc_crash_trace(rp, out);
		g_string_append(out, "--- trace since the restart ---\n");
	}
	trace_copy(rp, out);
	return TRUE;
}

static void trace_copy(const struct amp_rproc *rp, GString *out)
{
	const char *t = trace_ptr(rp);
	if (!t)
		return;
	/* A ring: the writer keeps a NUL after the newest text; older text follows it. */
	size_t len = rp->trace.len;
	size_t nul = strnlen(t, len);
	for (size_t i = nul + 1; i < len; i++)
		if (t[i])
			g_string_append_c(out, t[i]);
	g_string_append_len(out, t, (gssize)nul);
}

static void describe_buffers(const struct amp_rproc *rp, GString *out)
{
	const struct amp_rpmsg_pool *p = &rp->vdev.pool;
	g_string_append_printf(
	    out,
	    "  buffers at da 0x%08" G_GINT64_MODIFIER
	    "x: %u x %u bytes firmware -> Linux (RX, MTU %u), then %u x %u bytes "
	    "Linux -> firmware (TX, MTU %u)\n",
	    rp->vdev.pool_da, p->r2h.count, p->r2h.size, p->r2h.mtu, p->h2r.count, p->h2r.size,
	    p->h2r.mtu);
}

/* RPMsg-Lite's vring_init() leaves out the used_event word (docs/real-stacks.md): where that
 * moves the used ring, an RPMsg-Lite firmware and this host would not agree. */
static void describe_used_ring(GString *out, int i, const struct amp_vring_info *v)
{
	size_t lite = amp_vring_used_off_rpmsg_lite(v->num, v->align);
	size_t ours = amp_vring_used_off(v->num, v->align);
	if (lite != ours)
		g_string_append_printf(
		    out,
		    "  warning: vring%d: with align %u and num %u, RPMsg-Lite "
		    "places the used ring at offset 0x%zx, Linux and OpenAMP at "
		    "0x%zx: an RPMsg-Lite firmware would not work with this vring "
		    "(use align >= 16)\n",
		    i, v->align, v->num, lite, ours);
}

void amp_rproc_describe(const struct amp_rproc *rp, GString *out)
{
	g_string_append_printf(
	    out, "  resource table: %zu bytes, loaded at da 0x%08" G_GINT64_MODIFIER "x\n",
	    rp->cached_len, rp->loaded_da);
	for (int i = 0; i < 2; i++) {
		const struct amp_vring_info *v = &rp->vdev.vring[i];
		g_string_append_printf(out,
				       "  vring%d: da 0x%08" G_GINT64_MODIFIER
				       "x, num %u, align %u, notify id %u (%s)\n",
				       i, v->da, v->num, v->align, v->notify_id,
				       i == 0 ? "firmware -> Linux" : "Linux -> firmware");
		describe_used_ring(out, i, v);
	}
	describe_buffers(rp, out);
	if (rp->has_trace)
		g_string_append_printf(out, "  trace: \"%s\", %u bytes at da 0x%08x\n",
				       rp->trace.name, rp->trace.len, rp->trace.da);
	if (rp->wdg_off)
		g_string_append_printf(out, "  watchdog: refresh at least every %u ms\n",
				       rp->wdg_ms);
}
