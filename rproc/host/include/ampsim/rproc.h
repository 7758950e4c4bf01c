/*
 * remoteproc for a firmware process: what Linux's remoteproc core does for a coprocessor
 * (DESIGN D7, D8; docs/lifecycle.md).
 *
 *   offline --start--> running --firmware exits / is killed--> crashed
 *      ^                  |                                      |
 *      +------stop--------+            recovery (default on) ----+--> running
 *
 * start: copy the cached resource table into shared memory (the "loaded table"), place the
 * vrings and the buffer pool in the profile's regions and write their addresses and notify
 * ids into the loaded table, reset the vdev status, spawn the firmware with the shared
 * object's name and its interrupt fds (docs/firmware-abi.md), then report STARTED so the
 * host RPMsg bus can probe the vdev. Crashes are seen through a pidfd, or through the
 * watchdog when the firmware declares one (AMP_RSC_AMPSIM_WATCHDOG) and stops refreshing it.
 * stop: IPCC CH3 shutdown request, 500 ms grace (as stm32_rproc), then SIGKILL.
 *
 * Host only, GLib main loop; every callback runs from the default main context.
 */
#ifndef AMPSIM_RPROC_H
#define AMPSIM_RPROC_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <ampsim/ipcc_link.h>
#include <amp/rpmsg.h>
#include <ampsim/soc.h>

G_BEGIN_DECLS

enum amp_rproc_state {
	AMP_RPROC_OFFLINE, /**< not running (never started, or stopped) */
	AMP_RPROC_RUNNING, /**< firmware process alive, vdev set up */
	AMP_RPROC_CRASHED, /**< the firmware died; recovery pending or disabled */
};

enum amp_rproc_event {
	AMP_RPROC_EV_STARTED,  /**< vdev ready: the host bus may probe it (amp_rproc_vdev()) */
	AMP_RPROC_EV_STOPPING, /**< about to tear the vdev down: stop using it now */
	AMP_RPROC_EV_CRASHED,  /**< the firmware died (amp_rproc_crash_reason()) */
};

typedef void (*amp_rproc_event_cb)(void *priv, enum amp_rproc_event ev);

struct amp_rproc_cfg {
	const char *firmware;  /**< path of the firmware executable */
	char **fw_args;	       /**< extra arguments, NULL-terminated; may be NULL */
	char **wrap;	       /**< run the firmware under this command (valgrind, strace...) */
	unsigned gdb_port;     /**< nonzero: run the firmware under gdbserver :port */
	bool no_recovery;      /**< leave a crashed firmware crashed */
	const char *ipcc_mode; /**< "blocking" (default) or "adaptive", for the firmware */
	amp_rproc_event_cb cb;
	void *priv;
	/** Nonzero: watchdog timeout in ms instead of the firmware's own (needs its entry). */
	unsigned watchdog_ms;
};

/** The vdev as rproc set it up: input for amp_rpmsg_host_init(). */
struct amp_rproc_vdev {
	struct amp_vring_info vring[2];
	uint64_t pool_da;
	uint32_t pool_size;
	uint32_t dfeatures; /**< offered by the firmware */
	/**
	 * Buffer geometry per direction, from the table's vring nums and declared buffer sizes
	 * (valid from amp_rproc_new(), before the first start).
	 */
	struct amp_rpmsg_pool pool;
};

struct amp_rproc_stats {
	uint32_t starts;
	uint32_t crashes;
	uint32_t recoveries;
	uint32_t stops;
	uint32_t kills;	    /**< stops that needed SIGKILL after the grace period */
	uint32_t watchdogs; /**< crashes declared because the watchdog expired */
};

struct amp_rproc;

/**
 * Read the firmware's ELF file and validate its resource table (the "cached table").
 * Fails with a message that says what is wrong and what to do (file missing, not
 * executable, not ELF, no .resource_table, invalid table, no rpmsg vdev).
 */
struct amp_rproc *amp_rproc_new(struct amp_soc *soc, struct amp_ipcc_link *host_link,
				const int efds[AMP_IPCC_LINK_NFDS], const struct amp_rproc_cfg *cfg,
				GError **err);
void amp_rproc_free(struct amp_rproc *rp);

/** offline/crashed -> running. Reports AMP_RPROC_EV_STARTED before it returns TRUE. */
gboolean amp_rproc_start(struct amp_rproc *rp, GError **err);

/** running -> offline: CH3 shutdown request, 500 ms, then SIGKILL. No-op when offline. */
void amp_rproc_stop(struct amp_rproc *rp);

enum amp_rproc_state amp_rproc_state(const struct amp_rproc *rp);
const char *amp_rproc_state_name(enum amp_rproc_state s);
/** Why the last crash happened ("exited with status 3", "killed by signal 9 (Killed)"). */
const char *amp_rproc_crash_reason(const struct amp_rproc *rp);
int amp_rproc_pid(const struct amp_rproc *rp);
const struct amp_rproc_vdev *amp_rproc_vdev(const struct amp_rproc *rp);
const struct amp_rproc_stats *amp_rproc_stats(const struct amp_rproc *rp);
/** Write the vdev status byte into the loaded table (the host bus's set_status). */
void amp_rproc_set_status(struct amp_rproc *rp, uint8_t status);
/** Write the negotiated features (gfeatures) into the loaded table. */
void amp_rproc_set_gfeatures(struct amp_rproc *rp, uint32_t features);

/**
 * Append the firmware's trace buffer (RSC_TRACE) to @p out, like debugfs trace0: readable
 * while it runs and after a crash. Returns FALSE if the firmware declares no trace buffer.
 */
gboolean amp_rproc_trace(const struct amp_rproc *rp, GString *out);

/**
 * Append the trace buffer as it was when the firmware last crashed (Linux's old
 * trace0_last). Returns FALSE if it never crashed or declares no trace buffer.
 * amp_rproc_trace() prepends this text once the crashed firmware has been restarted.
 */
gboolean amp_rproc_crash_trace(const struct amp_rproc *rp, GString *out);

/** Describe the set-up vdev and regions for a start-up summary. */
void amp_rproc_describe(const struct amp_rproc *rp, GString *out);

G_END_DECLS

#endif /* AMPSIM_RPROC_H */
