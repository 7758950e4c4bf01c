/*
 * libampsim: the Linux side of a simulated SoC, usable in-process (DESIGN §1).
 *
 * amp_host_new() creates the SoC memory from a profile, the IPCC eventfds and the host end
 * of the mailbox, and reads the firmware (rproc). amp_host_start() boots it; the host RPMsg
 * bus (Linux virtio_rpmsg_bus behaviour) then probes the vdev, and every channel the
 * firmware announces is reported through amp_host_ops. The `ampsim run` daemon is built on
 * this library; tests and benchmarks can use it with no daemon hop.
 *
 * It never owns the loop: every source it needs (the IPCC interrupts, the firmware's pidfd,
 * rproc's timers, DDR plug timeouts) attaches to amp_host_cfg.context (NULL: the
 * thread-default context of the thread calling amp_host_new()). All callbacks come from that
 * context, never from inside amp_host_send(); call the library from its thread only.
 */
#ifndef AMPSIM_HOST_H
#define AMPSIM_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include <amp/rpmsg.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/rproc.h>
#include <ampsim/soc.h>

G_BEGIN_DECLS

struct amp_host;

/** A channel the firmware announced, bound to a host endpoint. */
struct amp_host_chan {
	char name[AMP_RPMSG_NAME_SIZE]; /**< the announced service name */
	uint32_t remote;		/**< the firmware's address (NS msg addr) */
	struct amp_rpmsg_ept ept;	/**< our endpoint (dynamic address from 1024) */
	struct amp_host *host;
	void *user; /**< for the application */
};

struct amp_host_ops {
	/** A channel appeared (NS CREATE). */
	void (*channel_new)(void *priv, struct amp_host_chan *ch);
	/** A channel is going away (NS DESTROY, firmware crash or stop); @p ch is freed after. */
	void (*channel_gone)(void *priv, struct amp_host_chan *ch, const char *why);
	/** A message from the firmware on @p ch. @p data is valid during the call only. */
	void (*receive)(void *priv, struct amp_host_chan *ch, const void *data, size_t len);
	/** TX buffers came back after amp_host_send() returned AMP_ENOMEM. */
	void (*tx_ready)(void *priv);
	/** The remote processor changed state (started, stopping, stopped, crashed). */
	void (*rproc_event)(void *priv, enum amp_rproc_event ev);
};

/**
 * An endpoint the application creates with a name, source and destination of its choice,
 * as Linux's /dev/rpmsg_ctrl CREATE_EPT does: it is not announced and not bound to a
 * channel. It lives until amp_host_ept_free(), or until the firmware crashes or stops.
 */
struct amp_host_ept;

struct amp_host_ept_ops {
	/** A message to this endpoint from firmware address @p src; @p data valid during the call.
	 */
	void (*receive)(void *priv, struct amp_host_ept *e, const void *data, size_t len,
			uint32_t src);
	/**
	 * The firmware crashed or is stopping: @p e is dead (sends fail with AMP_ENOTCONN).
	 * The owner still frees it with amp_host_ept_free(), in this callback or later.
	 */
	void (*gone)(void *priv, struct amp_host_ept *e, const char *why);
};

struct amp_host_ept {
	char name[AMP_RPMSG_NAME_SIZE]; /**< read-only: the name given (never announced) */
	uint32_t src;			/**< read-only: our address (dynamic from 1024 if ANY) */
	uint32_t dst;			/**< read-only: where amp_host_ept_send() sends */
	struct amp_host *host;		/**< read-only: NULL once dead */
	const struct amp_host_ept_ops *ops; /**< private */
	void *priv;			    /**< private: passed to ops */
	struct amp_rpmsg_ept ept;	    /**< private */
};

/** How the firmware process is run (the sim platform, sim/src/platform/rproc_sim.h). */
struct amp_host_process_cfg {
	char **fw_args;	       /**< extra arguments, NULL-terminated; may be NULL */
	char **wrap;	       /**< run the firmware under this command (valgrind, strace...) */
	unsigned gdb_port;     /**< nonzero: run the firmware under gdbserver :port */
	const char *ipcc_mode; /**< "blocking" (default) or "adaptive", for the firmware */
	/** Buffer-ownership sanitizer: AMPSIM_SANITIZE_BUFFERS=1 for the firmware (faults.md) */
	bool sanitize_buffers;
};

struct amp_host_cfg {
	const char *profile; /**< SoC profile name or path (default "stm32mp157") */
	/** firmware, recovery, watchdog (cb, priv and context are set by libampsim) */
	struct amp_rproc_cfg rproc;
	struct amp_host_process_cfg process;
	/** Where every source attaches; NULL: the thread-default context at amp_host_new(). */
	GMainContext *context;
	const struct amp_host_ops *ops;
	void *priv;
	/**
	 * How the host's loop waits for the firmware's interrupts: "blocking" (NULL, the
	 * default), "adaptive" (poll the registers briefly while the firmware publishes that
	 * it is awake, bounded by the waits observed; docs/performance.md) or "spin" (never
	 * sleep; for measurement). process.ipcc_mode is the firmware's.
	 */
	const char *ipcc_mode;
};

struct amp_host *amp_host_new(const struct amp_host_cfg *cfg, GError **err);

/**
 * Keep one byte in @p fd (a pipe or FIFO, open read-write and non-blocking; -1: none)
 * while a TX buffer is free, none from the send that took the last one (the firmware had
 * returned none since) or found none until amp_host_ops.tx_ready: what Linux's rpmsg_poll()
 * reports as POLLOUT, for readers
 * that poll @p fd for POLLIN (`ampsim exec`'s shim). The caller owns @p fd.
 */
void amp_host_set_tx_signal(struct amp_host *h, int fd);
/**
 * Frees everything and unlinks the shared memory. A firmware still running (or stopping) is
 * killed at once (amp_rproc_stop_now(): events STOPPING, STOPPED), with no grace period.
 */
void amp_host_free(struct amp_host *h);

/** Boot the firmware (amp_rproc_start()). */
gboolean amp_host_start(struct amp_host *h, GError **err);
/**
 * Begin stopping the firmware (amp_rproc_stop()): the channels go at once; the firmware gets
 * the CH3 shutdown request and 500 ms to exit. Never blocks.
 * @return TRUE if ops->rproc_event(AMP_RPROC_EV_STOPPED) follows; FALSE if none ran
 */
gboolean amp_host_stop(struct amp_host *h);
/** The firmware process's pid, -1 when none runs. */
int amp_host_fw_pid(const struct amp_host *h);

/**
 * Send one message on @p ch without blocking.
 * @retval 0 sent
 * @retval AMP_ENOMEM no TX buffer now: ops->tx_ready follows when buffers return
 * @retval AMP_EMSGSIZE larger than amp_host_mtu()
 * @retval AMP_ENOTCONN the link is down
 * @retval AMP_EPROTO / AMP_EBROKEN the firmware broke the TX ring (vring1): the host reports
 *         a crash with the violation as its reason from the context right after (channels
 *         hang up, recovery follows unless it is off; docs/lifecycle.md)
 */
int amp_host_send(struct amp_host_chan *ch, const void *data, size_t len);
/**
 * One step of the host's work, for an application that runs the loop itself (a test, a
 * benchmark): with the host's wait mode ADAPTIVE or SPIN (cfg.ipcc_mode), poll the IPCC
 * registers as the loop would before sleeping and handle an interrupt found there at once,
 * without a GLib iteration or a system call; otherwise, and after 64 such in a row, one
 * iteration of the host's context: g_main_context_iteration(context, @p may_block). BLOCK
 * mode always iterates. Callbacks run from inside this call, as from the loop; called from
 * inside one, it only iterates (a nested loop). Call it from the context's thread.
 * @return TRUE if something was dispatched, as g_main_context_iteration()
 */
gboolean amp_host_iterate(struct amp_host *h, gboolean may_block);

/**
 * Hold the doorbells of the sends that follow until the matching release (@p hold false;
 * calls nest): the messages are queued at once, and each vring they went to is notified once,
 * at the release, as a driver kicks once after adding a batch (Linux's virtqueue_kick()).
 * The firmware then takes the whole batch in one interrupt instead of being woken, and on a
 * shared CPU run, for each message. Call both from the host's thread, around sends that
 * follow each other with nothing that waits for the firmware in between.
 */
void amp_host_hold_kicks(struct amp_host *h, bool hold);
/** Send from one of our endpoints (a channel's ch->ept) to any firmware address @p dst. */
int amp_host_sendto(struct amp_host *h, struct amp_rpmsg_ept *ept, uint32_t dst, const void *data,
		    size_t len);
/**
 * Create an endpoint at @p src (AMP_RPMSG_ADDR_ANY: a free address from 1024) that sends
 * to @p dst. @p name (may be NULL) is kept for listings only. Needs a running firmware.
 * @retval 0 created, *@p out set
 * @retval AMP_EADDRINUSE @p src is taken (or is the name service's 53)
 * @retval AMP_ENOTCONN the firmware is not running (or its RPMsg bus did not come up)
 * @retval AMP_EINVAL @p name is not NUL-terminated within AMP_RPMSG_NAME_SIZE
 */
int amp_host_ept_new(struct amp_host *h, const char *name, uint32_t src, uint32_t dst,
		     const struct amp_host_ept_ops *ops, void *priv, struct amp_host_ept **out);
/** Destroy @p e (alive or dead); no callback follows. Not from @p e's receive callback. */
void amp_host_ept_free(struct amp_host_ept *e);
/** Send one message from @p e to its dst without blocking; returns as amp_host_send(). */
int amp_host_ept_send(struct amp_host_ept *e, const void *data, size_t len);
/** Iterate the live endpoints made with amp_host_ept_new (snapshot, free with g_free). */
struct amp_host_ept **amp_host_epts(struct amp_host *h);

/**
 * Flow control toward the firmware, from a receive callback (ops->receive or an endpoint's
 * receive): the application cannot take this message now. It stays in its RX buffer, which
 * is not given back to the firmware, and no further message is delivered, on any channel,
 * until amp_host_rx_resume(): the firmware's sends then wait for a buffer (or fail with
 * no-buffer), as on a board whose Linux side stops consuming. One slow receiver thus stalls
 * every channel (head-of-line blocking, as the shared buffer pool does on a board).
 */
void amp_host_rx_defer(struct amp_host *h);
/**
 * The application can take messages again: deliver the deferred one (again through its
 * callback, which may defer it once more) and what followed. Runs from the host's context
 * (an idle source), never inside this call; a no-op when nothing is deferred. Freeing a
 * channel's or an endpoint's receiver does this by itself.
 */
void amp_host_rx_resume(struct amp_host *h);

/**
 * Payload capacity of one message to the firmware: the host -> remote MTU of the buffer pool
 * (496 with Linux's 512-byte buffers, else what the firmware's table declares). Valid before
 * the firmware runs too.
 */
size_t amp_host_mtu(const struct amp_host *h);

/** Iterate the bound channels (NULL-terminated snapshot, free with g_free). */
struct amp_host_chan **amp_host_channels(struct amp_host *h);

struct amp_soc *amp_host_soc(struct amp_host *h);
struct amp_rproc *amp_host_rproc(struct amp_host *h);
/** The host's end of the IPCC link; its counters (chan[], stats) are the host's own. */
const struct amp_ipcc_link *amp_host_ipcc_link(const struct amp_host *h);
/** The host RPMsg device, NULL while the firmware is not running. */
struct amp_rpmsg_dev *amp_host_rpmsg(struct amp_host *h);

/* ---- DDR hot-plug, for services that hand out large buffers (rpmsg-sdb) ---------------- */

#define AMP_HOST_PLUG_TIMEOUT_MS 2000

/** Completion of amp_host_ddr_plug(): AMP_OK, AMP_ETIMEDOUT or AMP_ENOTCONN (firmware gone). */
typedef void (*amp_host_done_fn)(void *priv, int rc);

/**
 * Make the memfd @p fd (@p size bytes) the DDR memory at [da, da + size), here and in the
 * firmware (<ampsim/ddr_plug.h>). @p done runs on the loop once the firmware has mapped it.
 * @retval AMP_OK  pending; *slot identifies the plug for amp_host_ddr_unplug()
 * @retval AMP_ENOTCONN no firmware running; AMP_EINVAL range not in DDR; AMP_ENOMEM no slot
 */
int amp_host_ddr_plug(struct amp_host *h, uint64_t da, uint64_t size, int fd, amp_host_done_fn done,
		      void *priv, uint32_t *slot);
/** Give the range back to the SoC memory on both sides (the firmware is told, not awaited). */
void amp_host_ddr_unplug(struct amp_host *h, uint32_t slot);
/** Forget the pending plugs of @p priv (it is going away); their callbacks never run. */
void amp_host_ddr_cancel(struct amp_host *h, void *priv);

/* ---- the message tap (ampsim run --capture, ampsim replay; docs/capture.md) ------------ */

/** One RPMsg message as it crossed the link, for amp_host_set_tap(). */
struct amp_host_msg {
	bool to_fw;	    /**< true: host -> firmware (vring1); false: firmware -> host */
	const char *name;   /**< the host endpoint's name; "" for the name service (addr 53) */
	const uint8_t *hdr; /**< the 16-byte RPMsg header, little-endian, as on the wire */
	const void *payload;
	size_t len; /**< payload bytes (the header's len field is in @p hdr, untouched) */
};
/** Called with every message sent (after the send succeeded) or received (before the
 *  receiver's callback; a message the receiver deferred is reported once). */
typedef void (*amp_host_tap_fn)(void *priv, const struct amp_host_msg *m);
/** Install the one tap (NULL: none). Cost with none: one test per message. */
void amp_host_set_tap(struct amp_host *h, amp_host_tap_fn fn, void *priv);

/**
 * Step mode (docs/inspect.md): with @p on, every vring doorbell in both directions (kicks to
 * the firmware on IPCC CH1/CH2, and its interrupts on them) is held until amp_host_step()
 * releases it; the other channels (shutdown, detach, DDR plug) pass. Turning it off
 * delivers what is held. Held doorbells are dropped when the firmware stops or crashes.
 */
void amp_host_set_step(struct amp_host *h, bool on);
/**
 * Deliver up to @p n held doorbells, oldest first (one a delivery holds queues behind them),
 * and describe each in @p out ("released firmware->Linux CH1 (vring0: new messages)").
 * @return the number delivered (0: none was held), or AMP_EINVAL when step mode is off
 */
int amp_host_step(struct amp_host *h, unsigned n, GString *out);
/** The doorbells held now, as one line ("held 2: Linux->firmware CH2, ..."); "" when off. */
void amp_host_step_held(struct amp_host *h, GString *out);

/** Every layer's counters as text (rproc, RPMsg, vrings, IPCC). */
/**
 * Start writing the event trace (Chrome trace-event JSON, docs/trace.md) to @p path: both
 * processes' events from now on, the firmware's through the shared header's trace ring.
 * AMP_EBUSY if one is being written already; file errors as AMP_E* from errno.
 */
gboolean amp_host_trace_start(struct amp_host *h, const char *path, GError **err);
/** Finish the trace and close its file; appends what it counted to @p summary (may be NULL).
 * AMP_ENOENT if none is being written. */
gboolean amp_host_trace_stop(struct amp_host *h, GString *summary, GError **err);
/** An instant event on the Linux side's processor track (e.g. "client", "connect"); no-op
 * when no trace is being written. */
void amp_host_trace_note(struct amp_host *h, const char *cat, const char *name, const char *detail);
void amp_host_stats(struct amp_host *h, GString *out);
/** A start-up summary a newcomer can follow: profile, regions, vrings, buffers. */
void amp_host_describe(struct amp_host *h, GString *out);

G_END_DECLS

#endif /* AMPSIM_HOST_H */
