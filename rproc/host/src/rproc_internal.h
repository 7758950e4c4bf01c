/* The remoteproc core's state, shared by its two files (private to amp_rproc). */
#ifndef AMP_RPROC_INTERNAL_H
#define AMP_RPROC_INTERNAL_H

#include <ampsim/rproc.h>

#include <amp/rsc_parse.h>

#define RPROC_MAX_MEM 16u

struct amp_rproc {
	const struct amp_rproc_ops *ops;
	void *plat;
	struct amp_rproc_mem mem[RPROC_MAX_MEM];
	size_t nmem;
	struct amp_rproc_cfg cfg;
	GMainContext *ctx; /* a reference: where every source of ours attaches */

	uint8_t *cached; /* the validated table from the firmware file */
	size_t cached_len;
	struct amp_rsc_vdev_info vinfo;
	uint32_t vdev_off;
	bool has_trace;
	struct amp_rsc_trace_info trace;
	uint32_t wdg_off; /* the watchdog entry's offset in the table, 0 = none */
	uint32_t wdg_ms;
	uint32_t wdg_seen; /* refresh value at the last check */
	GSource *wdg_src;
	GString *crash_trace; /* the trace buffer when the firmware last crashed */

	uint8_t *loaded; /* the loaded table, in the platform's memory */
	uint64_t loaded_da;
	struct amp_rproc_vdev vdev;

	enum amp_rproc_state state;
	char reason[128];
	GSource *grace_src;   /* stopping: kill when it fires */
	GSource *recover_src; /* crashed: restart when it runs (after the back-off) */
	gint64 started_us;    /* monotonic time of the last start: was the run stable? */
	struct amp_rproc_stats stats;
};

/* firmware.c: read the firmware file into rp->cached and find the entries the core serves. */
gboolean amp_rproc_read_firmware(struct amp_rproc *rp, GError **err);

#endif /* AMP_RPROC_INTERNAL_H */
