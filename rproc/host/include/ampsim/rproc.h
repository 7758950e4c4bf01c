/*
 * The generic remoteproc core (DESIGN D7, D8, D13; docs/lifecycle.md): what Linux's
 * remoteproc_core.c is to a coprocessor. It reads the firmware file's .resource_table (the
 * "cached table"), places the vdev's vrings and buffer pool in the platform's memory regions,
 * writes the "loaded table", runs the lifecycle state machine and the recovery policy, and
 * keeps the trace buffer and ampsim's watchdog entry.
 *
 * It knows nothing of how a platform runs a firmware: it calls the platform through
 * struct amp_rproc_ops (as remoteproc_core.c calls stm32_rproc.c), and the platform tells it
 * that the firmware ended with amp_rproc_report_exit() or amp_rproc_report_crash() (Linux's
 * rproc_report_crash). sim/ supplies the STM32MP1-on-a-PC platform: a firmware process, the
 * IPCC doorbell, the shared-memory SoC.
 *
 *   offline --start--> running --firmware ends / watchdog / crash report--> crashed
 *      ^                  |                                                   |
 *      |                stop: shutdown request                                |
 *      |                  v                        recovery (default on) -----+--> running
 *      +--- it exits, or is killed after 500 ms --- stopping
 *
 * The loop: the core never owns one and never blocks. The sources it needs (the stop grace
 * timeout, the watchdog timer, the deferred recovery) attach to the GMainContext given in
 * amp_rproc_cfg (NULL: the thread-default context of the thread that calls amp_rproc_new()).
 * Every function here, every op and every event callback runs on the thread that iterates
 * that context.
 */
#ifndef AMPSIM_RPROC_H
#define AMPSIM_RPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include <amp/rpmsg.h>

G_BEGIN_DECLS

/** How long a stop waits for the firmware to exit before it kills it (as stm32_rproc). */
#define AMP_RPROC_STOP_GRACE_MS 500

/*
 * Crash-loop back-off (Linux's recovery does not loop forever either): the first restart
 * after a crash is immediate; each further crash in a row doubles the delay, from
 * AMP_RPROC_BACKOFF_FIRST_MS up to AMP_RPROC_BACKOFF_MAX_MS. A firmware that stayed up
 * for AMP_RPROC_STABLE_MS before it crashed starts a new series (immediate restart).
 */
#define AMP_RPROC_BACKOFF_FIRST_MS 100u
#define AMP_RPROC_BACKOFF_MAX_MS 5000u
#define AMP_RPROC_STABLE_MS 10000u

enum amp_rproc_state {
	AMP_RPROC_OFFLINE,  /**< not running (never started, or stopped) */
	AMP_RPROC_RUNNING,  /**< the firmware runs, the vdev is set up */
	AMP_RPROC_CRASHED,  /**< the firmware died; recovery pending or disabled */
	AMP_RPROC_STOPPING, /**< asked to shut down; offline once it exits or is killed */
};

enum amp_rproc_event {
	AMP_RPROC_EV_STARTED,  /**< vdev ready: the host bus may probe it (amp_rproc_vdev()) */
	AMP_RPROC_EV_STOPPING, /**< about to tear the vdev down: stop using it now */
	AMP_RPROC_EV_CRASHED,  /**< the firmware died (amp_rproc_crash_reason()) */
	AMP_RPROC_EV_STOPPED,  /**< a stop finished: the firmware is gone, state offline */
};

/**
 * An event, from the context's thread: from the context's sources, or from inside the call
 * that caused it (start: STARTED; stop: STOPPING; stop_now: STOPPING, STOPPED; a report:
 * CRASHED or STOPPED). It may call amp_rproc_start() and amp_rproc_stop(), never
 * amp_rproc_stop_now() or amp_rproc_free().
 */
typedef void (*amp_rproc_event_cb)(void *priv, enum amp_rproc_event ev);

/* ---- the platform ------------------------------------------------------------------------ */

/** What a memory region is for, as far as the core is concerned. */
enum amp_rproc_mem_purpose {
	AMP_RPROC_MEM_RAM, /**< coprocessor RAM: the loaded table goes at the start of the first */
	AMP_RPROC_MEM_VRING,  /**< vring carveouts ("vdev0vring0", "vdev0vring1", or a pool) */
	AMP_RPROC_MEM_BUFFER, /**< the vdev buffer pool ("vdev0buffer") */
	AMP_RPROC_MEM_OTHER,  /**< anything else (DDR, mailbox registers): not used by the core */
};

#define AMP_RPROC_MEM_NAME_MAX 32u

/** A region of the coprocessor's memory map (Linux: a carveout the platform registers). */
struct amp_rproc_mem {
	char name[AMP_RPROC_MEM_NAME_MAX]; /**< "vdev0vring0", "vdev0buffer", "mcusram"... */
	uint64_t da;			   /**< device address (the coprocessor's view) */
	uint64_t size;			   /**< bytes */
	enum amp_rproc_mem_purpose purpose;
};

/** What ops->start() boots. */
struct amp_rproc_boot {
	const char *firmware; /**< the firmware file the cached table was read from */
	uint64_t table_da;    /**< where the loaded resource table is */
	size_t table_len;     /**< its size in bytes */
};

/**
 * The platform's operations (Linux struct rproc_ops). @p priv is amp_rproc_platform.priv.
 * The core calls them on the context's thread only, never from inside another op. An op
 * never calls back into the core (no amp_rproc_report_*() from inside an op).
 */
struct amp_rproc_ops {
	/**
	 * Optional: can this platform run @p firmware at all (Linux ops->sanity_check)? Called
	 * once by amp_rproc_new(), after the core found the file and before it reads the table.
	 */
	gboolean (*sanity_check)(void *priv, const char *firmware, GError **err);
	/**
	 * Boot the firmware; the core has written the loaded table (@p boot). From a TRUE return
	 * on, the firmware runs until the platform reports its end (amp_rproc_report_exit() or
	 * amp_rproc_report_crash(), from its own sources) or the core calls kill().
	 */
	gboolean (*start)(void *priv, const struct amp_rproc_boot *boot, GError **err);
	/**
	 * Ask the running firmware to shut down and return at once (stm32_rproc: the IPCC CH3
	 * shutdown request). The platform reports the exit later with amp_rproc_report_exit();
	 * after AMP_RPROC_STOP_GRACE_MS without one, the core calls kill().
	 */
	void (*stop)(void *priv);
	/**
	 * Force the firmware off, synchronously (stm32: hold the core in reset; a process:
	 * SIGKILL and reap). On return it does not run and nothing more is reported for this
	 * run. Also called when the firmware already ended but the end was not reported yet.
	 */
	void (*kill)(void *priv);
	/** Ring the doorbell of virtqueue @p notify_id (Linux ops->kick), from amp_rproc_kick(). */
	void (*kick)(void *priv, uint32_t notify_id);
	/**
	 * Device address -> pointer in this process (Linux ops->da_to_va): NULL unless
	 * [da, da + len) lies inside one region. Valid until the platform is freed.
	 */
	void *(*da_to_va)(void *priv, uint64_t da, size_t len);
};

/** A platform instance handed to amp_rproc_new(); the core copies the regions. */
struct amp_rproc_platform {
	const struct amp_rproc_ops *ops; /**< every op except sanity_check is required */
	void *priv;			 /**< passed to every op; must outlive the rproc */
	const struct amp_rproc_mem *mem; /**< the memory map the vdev is placed in */
	size_t nmem;
};

/* ---- the core ---------------------------------------------------------------------------- */

struct amp_rproc_cfg {
	const char *firmware; /**< path of the firmware file (ELF with .resource_table) */
	bool no_recovery;     /**< leave a crashed firmware crashed */
	/** Restart a crashed firmware at once every time, as Linux does: no crash-loop back-off
	 * (for deliberate, rapid kills such as a kill campaign). */
	bool no_backoff;
	/** Nonzero: watchdog timeout in ms instead of the firmware's own (needs its entry). */
	unsigned watchdog_ms;
	amp_rproc_event_cb cb; /**< may be NULL */
	void *priv;	       /**< for cb */
	/** Where the core's sources attach; NULL: the caller's thread-default context. */
	GMainContext *context;
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
	uint32_t kills;	    /**< stops that needed a kill (after the grace period, or forced) */
	uint32_t watchdogs; /**< crashes declared because the watchdog expired */
	uint32_t
	    crash_streak;    /**< crashes in a row, each within AMP_RPROC_STABLE_MS of its start */
	uint32_t backoff_ms; /**< delay before the pending (or the last) automatic restart */
};

struct amp_rproc;

/**
 * Read the firmware file and validate its resource table (the "cached table"). Fails with
 * an AMP_ERROR whose message says what is wrong and what to do (file missing, refused by
 * the platform, not ELF, no .resource_table, invalid table, no rpmsg vdev, bad watchdog).
 * State offline; nothing runs until amp_rproc_start().
 */
struct amp_rproc *amp_rproc_new(const struct amp_rproc_platform *plat,
				const struct amp_rproc_cfg *cfg, GError **err);

/**
 * Free @p rp. A running or stopping firmware is killed at once (ops->kill, no grace period,
 * no event). NULL is a no-op.
 */
void amp_rproc_free(struct amp_rproc *rp);

/**
 * offline/crashed -> running: load the table, place the vdev, ops->start(). Reports
 * AMP_RPROC_EV_STARTED before it returns TRUE. Running: TRUE, nothing done.
 * @retval FALSE, err AMP_EBUSY  the firmware is stopping: start it once it is offline
 * @retval FALSE, err other     placement or boot failed; the state is unchanged
 */
gboolean amp_rproc_start(struct amp_rproc *rp, GError **err);

/**
 * Begin stopping: running -> stopping. Reports AMP_RPROC_EV_STOPPING at once, disarms the
 * watchdog and asks the platform to shut the firmware down (ops->stop); when it exits, or
 * after AMP_RPROC_STOP_GRACE_MS with ops->kill(), the state becomes offline and
 * AMP_RPROC_EV_STOPPED follows from the context. Never blocks.
 *
 * @return TRUE if AMP_RPROC_EV_STOPPED will follow (running or already stopping); FALSE
 *         if nothing ran (offline, or crashed: now offline, a pending recovery cancelled)
 */
gboolean amp_rproc_stop(struct amp_rproc *rp);

/**
 * Stop now: running/stopping -> offline through ops->kill(), with AMP_RPROC_EV_STOPPING (if
 * it was running) and AMP_RPROC_EV_STOPPED reported before it returns; counted as a stop
 * and a kill. Otherwise as amp_rproc_stop() on a firmware that does not run.
 */
void amp_rproc_stop_now(struct amp_rproc *rp);

/**
 * The platform: the firmware ended (a process exited or was killed; a core halted).
 * @p reason is for people ("exited with status 3", "killed by signal 9 (Killed)"). Running:
 * a crash (state crashed, AMP_RPROC_EV_CRASHED, recovery unless disabled). Stopping: the
 * stop is complete (AMP_RPROC_EV_STOPPED). Otherwise ignored. From the platform's own
 * sources on the context, never from inside an op.
 */
void amp_rproc_report_exit(struct amp_rproc *rp, const char *reason);

/**
 * The platform: the firmware is broken though it may still run (Linux rproc_report_crash:
 * a fatal error or a hardware watchdog). The core kills it (ops->kill) and then handles it
 * as amp_rproc_report_exit(). Same calling rules.
 */
void amp_rproc_report_crash(struct amp_rproc *rp, const char *reason);

/** Ring the doorbell of virtqueue @p notify_id (the host bus's notify; ops->kick). */
void amp_rproc_kick(struct amp_rproc *rp, uint32_t notify_id);

enum amp_rproc_state amp_rproc_state(const struct amp_rproc *rp);
const char *amp_rproc_state_name(enum amp_rproc_state s);
/** Why the last crash happened ("exited with status 3", "watchdog expired (...)"); or NULL. */
const char *amp_rproc_crash_reason(const struct amp_rproc *rp);
const struct amp_rproc_vdev *amp_rproc_vdev(const struct amp_rproc *rp);
const struct amp_rproc_stats *amp_rproc_stats(const struct amp_rproc *rp);
/**
 * Recover crashes from now on or not (amp_rproc_cfg.no_recovery at run time; Linux's
 * recovery attribute). Does not recover a firmware that is crashed already.
 */
void amp_rproc_set_recovery(struct amp_rproc *rp, bool enabled);
bool amp_rproc_recovery(const struct amp_rproc *rp);
/** Write the vdev status byte into the loaded table (the host bus's set_status). */
void amp_rproc_set_status(struct amp_rproc *rp, uint8_t status);
/** Write the negotiated features (gfeatures) into the loaded table. */
void amp_rproc_set_gfeatures(struct amp_rproc *rp, uint32_t features);

/** The firmware file the next start boots (amp_rproc_cfg.firmware, or the last set). */
const char *amp_rproc_firmware(const struct amp_rproc *rp);

/**
 * Boot @p path from now on (Linux's firmware attribute, rproc_set_firmware(); the image is
 * read here, as rproc_boot() reads it, so a bad file is refused now and the current one
 * kept). Offline only.
 * @retval FALSE, err AMP_EBUSY  not offline (Linux: "can't change firmware while running")
 * @retval FALSE, err other      as amp_rproc_new() for a bad file; nothing changed
 */
gboolean amp_rproc_set_firmware(struct amp_rproc *rp, const char *path, GError **err);

/**
 * Write a core dump of the coprocessor's memory to @p fd, as Linux's rproc_coredump() does
 * for an ELF32 firmware: an ELF32 little-endian ET_CORE file (EM_ARM, the Cortex-M4), one
 * PT_LOAD segment per memory region the core uses (RAM, vrings, buffers; not
 * AMP_RPROC_MEM_OTHER) at its device address, holding the region's bytes as they are now.
 * FALSE with @p err (AMP_ERROR, from errno) if writing fails.
 */
gboolean amp_rproc_coredump(const struct amp_rproc *rp, int fd, GError **err);

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
