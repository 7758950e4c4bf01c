/* The remoteproc core reads a firmware file: its .resource_table, validated (the cached table). */
#include <string.h>

#include <amp/error.h>
#include <amp/rproc_elf.h>
#include <amp/rsc_error.h>
#include <ampsim/error.h>
#include <ampsim/rsc_dump.h>

#include "rproc_internal.h"

static gboolean read_table(struct amp_rproc *rp, GError **err)
{
	uint8_t *image;
	size_t len;
	int rc = amp_elf_read_file(rp->cfg.firmware, &image, &len);
	if (rc != AMP_OK) {
		amp_set_error(err, rc, "cannot read firmware %s: %s", rp->cfg.firmware,
			      amp_strerror(rc));
		return FALSE;
	}
	struct amp_elf_info info;
	struct amp_elf_section sec;
	struct amp_rsc_error e;
	const uint8_t *table;
	size_t tlen;
	rc = amp_elf_find_rsc_table(image, len, &info, &sec, &table, &tlen, &e);
	if (rc != AMP_OK) {
		char why[200];
		if (e.reason == AMP_RSC_ERR_ELF_SECTION_NOT_FOUND)
			g_strlcpy(why, "no section .resource_table in this ELF file", sizeof(why));
		else
			amp_rsc_error_format(&e, why, sizeof(why));
		amp_set_error(err, rc,
			      "firmware %s: %s. A firmware declares its resource table in the "
			      "section .resource_table (see docs/resource-table.md); "
			      "'ampsim rsc-table %s' shows what is there",
			      rp->cfg.firmware, why, rp->cfg.firmware);
		free(image);
		return FALSE;
	}
	rp->cached = g_memdup2(table, tlen);
	rp->cached_len = tlen;
	free(image);
	return TRUE;
}

/* The vendor hook (Linux rproc_handle_rsc): ampsim's watchdog entry, others ignored. */
static int on_vendor(void *ctx, const struct amp_rsc_entry *e, const uint8_t *body, uint32_t avail)
{
	struct amp_rproc *rp = ctx;
	uint32_t len, timeout_ms;
	if (e->type != AMP_RSC_AMPSIM_WATCHDOG)
		return AMP_RSC_IGNORED;
	/* body starts after the type word */
	if ((uint64_t)avail + 4 < sizeof(struct amp_fw_rsc_watchdog))
		return AMP_ENOEXEC;
	memcpy(&len, body, 4);
	memcpy(&timeout_ms, body + 4, 4);
	len = GUINT32_FROM_LE(len);
	timeout_ms = GUINT32_FROM_LE(timeout_ms);
	/* refresh is read with one atomic load while the firmware writes it: keep it aligned */
	if (len < sizeof(struct amp_fw_rsc_watchdog) || len - 4 > avail || timeout_ms == 0 ||
	    e->offset % 4)
		return AMP_ERANGE;
	rp->wdg_off = e->offset;
	rp->wdg_ms = rp->cfg.watchdog_ms ? rp->cfg.watchdog_ms : timeout_ms;
	return 0;
}

static gboolean find_watchdog(struct amp_rproc *rp, GError **err)
{
	struct amp_rsc_visitor v = {.vendor = on_vendor};
	struct amp_rsc_error re;
	int rc = amp_rsc_parse(rp->cached, rp->cached_len, &v, rp, NULL, &re);
	if (rc != AMP_OK) {
		char why[200];
		amp_rsc_error_format(&re, why, sizeof(why));
		amp_set_error(err, rc,
			      "firmware %s: watchdog entry: %s (len must be >= 16 and fit, "
			      "timeout_ms nonzero, offset a multiple of 4)",
			      rp->cfg.firmware, why);
		return FALSE;
	}
	if (rp->cfg.watchdog_ms && !rp->wdg_off) {
		amp_set_error(err, AMP_EINVAL,
			      "a %u ms watchdog was requested but firmware %s declares no "
			      "watchdog entry to refresh (AMP_RSC_WATCHDOG_INIT in "
			      "<amp/rsc_declare.h>)",
			      rp->cfg.watchdog_ms, rp->cfg.firmware);
		return FALSE;
	}
	return TRUE;
}

static gboolean find_entries(struct amp_rproc *rp, GError **err)
{
	struct amp_rsc_entry e;
	struct amp_rsc_error re;
	if (amp_rsc_find(rp->cached, rp->cached_len, AMP_RSC_KIND_VDEV, 0, &e, &re) != AMP_OK) {
		amp_set_error(err, AMP_ENOENT,
			      "firmware %s declares no vdev in its resource table, so it has no "
			      "RPMsg link; add an rpmsg vdev (AMP_RSC_TABLE_RPMSG_INIT in "
			      "<amp/rsc_declare.h>)",
			      rp->cfg.firmware);
		return FALSE;
	}
	rp->vinfo = e.u.vdev;
	rp->vdev_off = e.offset;
	if (rp->vinfo.id != AMP_VIRTIO_ID_RPMSG || rp->vinfo.num_of_vrings != 2) {
		amp_set_error(err, AMP_ENOTSUP,
			      "firmware %s: vdev 0 is virtio device %u with %u vrings; ampsim "
			      "serves rpmsg (id 7) with 2 vrings",
			      rp->cfg.firmware, rp->vinfo.id, rp->vinfo.num_of_vrings);
		return FALSE;
	}
	struct amp_rpmsg_pool_cfg pc = {
	    .num = {rp->vinfo.vring[0].num, rp->vinfo.vring[1].num},
	    .r2h_size = rp->vinfo.r2h_buf_size,
	    .h2r_size = rp->vinfo.h2r_buf_size,
	};
	int rc = amp_rpmsg_pool_init(&rp->vdev.pool, &pc);
	if (rc != AMP_OK) {
		amp_set_error(err, rc, "firmware %s: no RPMsg buffer pool for its vdev: %s",
			      rp->cfg.firmware, amp_strerror(rc));
		return FALSE;
	}
	if (amp_rsc_find(rp->cached, rp->cached_len, AMP_RSC_KIND_TRACE, 0, &e, &re) == AMP_OK) {
		rp->has_trace = true;
		rp->trace = e.u.trace;
	}
	return find_watchdog(rp, err);
}

gboolean amp_rproc_read_firmware(struct amp_rproc *rp, GError **err)
{
	const char *path = rp->cfg.firmware;
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		amp_set_error(err, AMP_ENOENT,
			      "firmware %s not found; build it first (cmake --build --preset "
			      "default) or check the path",
			      path);
		return FALSE;
	}
	if (rp->ops->sanity_check && !rp->ops->sanity_check(rp->plat, path, err))
		return FALSE;
	return read_table(rp, err) && find_entries(rp, err);
}

const char *amp_rproc_firmware(const struct amp_rproc *rp)
{
	return rp->cfg.firmware;
}

gboolean amp_rproc_set_firmware(struct amp_rproc *rp, const char *path, GError **err)
{
	if (rp->state != AMP_RPROC_OFFLINE) {
		amp_set_error(err, AMP_EBUSY,
			      "can't change firmware while running: stop the firmware first");
		return FALSE;
	}
	/* The new image is read into @p rp; on failure everything it touched is put back. */
	struct amp_rproc saved = *rp;
	rp->cfg.firmware = g_strdup(path);
	rp->cached = NULL;
	rp->has_trace = false;
	rp->wdg_off = 0;
	rp->wdg_ms = 0;
	if (!amp_rproc_read_firmware(rp, err)) {
		g_free((char *)rp->cfg.firmware);
		g_free(rp->cached);
		*rp = saved;
		return FALSE;
	}
	g_free((char *)saved.cfg.firmware);
	g_free(saved.cached);
	return TRUE;
}
