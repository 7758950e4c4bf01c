/* What libampsim's files share (private to amp_host). */
#ifndef AMP_HOST_INTERNAL_H
#define AMP_HOST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include <amp/rpmsg.h>
#include <amp/virtqueue.h>
#include <ampsim/host.h>

/**
 * The crash reason for a broken queue, from the fault the portable core recorded:
 * "protocol violation on vring1: used id 17 >= num 16".
 */
void amp_host_vq_fault_text(const struct amp_vq *vq, unsigned vring, char *buf, size_t len);

/*
 * Notify without publish (docs/faults.md, "Buffer-ownership sanitizer"): a firmware kicks
 * vring0 only after it published a used entry there, and the IPCC channel coalesces kicks,
 * so the interrupts the host handles for vring0 never outnumber the entries published on it.
 * Each interrupt beyond them is a notification with nothing behind it: counted and logged,
 * never a decision (the used index is the firmware's value). Not for vring1: its interrupts
 * are off unless a sender waits, and the host takes its entries back lazily, in sends.
 */
struct amp_host_kick {
	uint64_t irqs;	      /* interrupts handled for the queue since the device came up */
	uint64_t published;   /* used entries published, as seen at each interrupt */
	uint64_t unpublished; /* interrupts no publish accounts for */
	uint16_t seen;	      /* used.idx at the last interrupt */
};

/* ---- host_ddr.c: DDR hot-plug ------------------------------------------------------------- */

/** The firmware's acknowledgement on the DDR-plug channel: finish the plugs it applied. */
void amp_host_on_plug_irq(void *arg, uint32_t ch);
/** The firmware is gone: every waiting plug fails (AMP_ENOTCONN), the table is reset. */
void amp_host_plugs_fail_all(struct amp_host *h);

/* The device came up: start counting from its (zeroed) vring. */
void amp_host_kick_reset(struct amp_host_kick *k, const struct amp_vq *vq);

/* A vring0 interrupt: true if no publish accounts for it. */
bool amp_host_kick_check(struct amp_host_kick *k, const struct amp_vq *vq);

/* The host's vring0 counters, for amp_host_stats(). */
struct amp_host;
const struct amp_host_kick *amp_host_kick0(struct amp_host *h);
/* Notifications the vrings asked for that a held doorbell took (amp_host_hold_kicks()). */
uint64_t amp_host_kicks_merged(const struct amp_host *h);

/* ---- host_chan.c: channels and free endpoints ----------------------------------------------- */

/** The RPMsg core's name-service callback: a channel appears or goes. */
void amp_host_on_ns(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr, bool destroy,
		    void *priv);
/** Free every channel (the firmware stopped or crashed); @p why goes to channel_gone. */
void amp_host_drop_channels(struct amp_host *h, const char *why);
/** Kill every free endpoint; their owners still free them. */
void amp_host_drop_epts(struct amp_host *h, const char *why);
/** Unregister @p e and mark it dead; the owner's memory stays until amp_host_ept_free(). */
struct amp_host_ept;
void amp_host_ept_kill(struct amp_host_ept *e);
/** The name a capture shows for a message from @p ept. */
const char *amp_host_ept_tap_name(const struct amp_rpmsg_ept *ept);

/* ---- host.c, for the fault plan's hooks ---------------------------------------------------- */

/** amp_host_sendto() without the fault plan. */
int amp_host_send_raw(struct amp_host *h, struct amp_rpmsg_ept *ept, uint32_t dst, const void *data,
		      size_t len);
/** Handle a firmware interrupt on IPCC channel @p ch (0-based) without the fault plan. */
void amp_host_irq_now(struct amp_host *h, uint32_t ch);
GMainContext *amp_host_context(const struct amp_host *h);
/** Senders that got AMP_ENOMEM may try again (the TX pool has buffers): tx_ready. */
void amp_host_tx_ready(struct amp_host *h);
/** Where the host keeps its fault plan (NULL: none, every hook is skipped). */
struct amp_host_faults **amp_host_faults_slot(struct amp_host *h);

/** Ring the firmware for @p notify_id now, past the fault plan and step mode. */
void amp_host_kick_now(struct amp_host *h, uint32_t notify_id);
/** Where the host keeps step mode's state (NULL: off). */
struct amp_host_step **amp_host_step_slot(struct amp_host *h);

/* ---- host_step.c: step mode's hold point (docs/inspect.md) ------------------------------- */

struct amp_host_step;

struct amp_host_step *amp_hs_new(void);
void amp_hs_free(struct amp_host_step *s);
/** Forget every held doorbell (the firmware instance they were for is gone). */
void amp_hs_drop(struct amp_host_step *s);
/** Hold a doorbell: @p to_fw a kick to the firmware, else an interrupt from it (0-based ch). */
void amp_hs_hold(struct amp_host_step *s, bool to_fw, uint32_t ch);
/** Deliver up to @p n held doorbells, oldest first, one line each in @p out; the count. */
unsigned amp_hs_release(struct amp_host_step *s, struct amp_host *h, unsigned n, GString *out);
/** "held N: Linux->firmware CH2, ..." */
void amp_hs_describe(const struct amp_host_step *s, GString *out);
void amp_hs_stats(const struct amp_host_step *s, GString *out);

/* ---- host_faults.c: the fault plan's hooks; the caller checks the plan is not NULL ------- */

struct amp_host_faults;

/** A kick to the firmware (notify id); true when the plan took it (dropped or delayed). */
bool amp_hf_kick(struct amp_host_faults *hf, uint32_t notify_id);
/** An interrupt from the firmware (0-based channel); true when the plan took it. */
bool amp_hf_irq(struct amp_host_faults *hf, uint32_t ch);
/** amp_host_sendto() through the plan: message faults, then fw faults. */
int amp_hf_send(struct amp_host_faults *hf, struct amp_rpmsg_ept *ept, uint32_t dst,
		const void *data, size_t len);
/**
 * A message from the firmware through the plan: how many times to deliver it (0: dropped,
 * 2: duplicated); *@p data may then point to a corrupted copy, valid until the next call.
 */
unsigned amp_hf_rx(struct amp_host_faults *hf, const char *name, uint32_t src, uint32_t dst,
		   const void **data, size_t *len);
void amp_hf_rproc_event(struct amp_host_faults *hf, enum amp_rproc_event ev);
/**
 * A device came up (or the plan was made while one is): the plan interposes on its role
 * table for corrupt-header, buf:tx exhaust, buf:rx shrink and ring: (<amp/rpmsg_role.h>).
 */
void amp_hf_attach(struct amp_host_faults *hf, struct amp_rpmsg_dev *dev);
void amp_hf_free(struct amp_host_faults *hf);
/** The per-rule counters, for amp_host_stats(). */
void amp_hf_stats(struct amp_host_faults *hf, GString *out);

/* ---- host_faults_fw.c: the rules the firmware applies ------------------------------------- */

struct amp_faults;
struct amp_sim_rproc *amp_host_plat(struct amp_host *h);
/** Hand the plan's firmware-side rules to the next firmware start. */
void amp_hff_push(struct amp_host *h, struct amp_faults *plan);
/** The firmware's reported counts into its rules' seen and fired. */
void amp_hff_sync(struct amp_host *h, struct amp_faults *plan);
/** Zero the reported counts (the plan restarted). */
void amp_hff_reset(struct amp_host *h);
/** The firmware stopped: keep what it reported, then zero the table for the next start. */
void amp_hff_fold(struct amp_host *h, struct amp_faults *plan);

/* ---- host_trace.c: the event trace (docs/trace.md); the caller checks it is on ---------- */

struct amp_host_trace;
/** Where the host keeps its trace (NULL: off, every hook is skipped). */
struct amp_host_trace **amp_host_trace_slot(struct amp_host *h);
/** Point the RPMsg device's trace sink at the trace, or clear it (off). */
void amp_ht_attach(struct amp_host *h);
/** An interrupt from the firmware arrived (0-based channel): drain its ring, then record it. */
void amp_ht_irq(struct amp_host_trace *t, uint32_t ch);
/** Our handler of channel @p ch begins (@p done false) or returns (true). */
void amp_ht_irq_handler(struct amp_host_trace *t, uint32_t ch, bool done);
void amp_ht_rproc_event(struct amp_host_trace *t, enum amp_rproc_event ev);
void amp_ht_ns(struct amp_host_trace *t, const char *name, uint32_t addr, bool destroy);

/* ---- host_tap.c: the message tap (amp_host_set_tap) -------------------------------------- */

struct amp_host_tap {
	amp_host_tap_fn fn;
	void *priv;
	const void *parked; /* payload a receiver deferred: reported already, skip its redelivery */
};

struct amp_host_tap *amp_host_tap_slot(struct amp_host *h);
/** A message sent from endpoint @p name at @p src to @p dst (the core wrote reserved and
 *  flags 0). */
void amp_host_tap_tx(struct amp_host_tap *t, const char *name, uint32_t src, uint32_t dst,
		     const void *data, size_t len);
/** A message received: @p payload is the core's pointer into the RX buffer (header before). */
void amp_host_tap_rx(struct amp_host_tap *t, const char *name, const void *payload, size_t len);

#endif /* AMP_HOST_INTERNAL_H */
