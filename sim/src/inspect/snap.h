/*
 * `ampsim inspect`: one snapshot of a run's rings, buffers and IPCC registers, read from its
 * shared object without trusting a byte of it (docs/inspect.md). The object is opened
 * read-only and read with pread() into private copies, never mapped: a firmware can scribble
 * on it or even shrink it (a mapping would then fault), and every field is checked on the
 * copy before it is used. Where the host knows more (which buffers it reaped), its view
 * comes over the control socket and is merged in (insp_snap_merge_host()).
 */
#ifndef AMP_INSPECT_SNAP_H
#define AMP_INSPECT_SNAP_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <amp/ipcc.h>
#include <amp/vring_layout.h>
#include <ampsim/soc.h>

/** Largest vring the inspector shows; a bigger num is reported as invalid. */
#define INSP_MAX_NUM 1024u
#define INSP_PREVIEW 24u /* payload bytes shown per message */

/** Who has a buffer now (docs/inspect.md, "Owners"). */
enum insp_owner {
	INSP_OWN_UNKNOWN = 0, /* the ring's fields are invalid */
	INSP_OWN_HOST_FREE,   /* vring1 (TX): in the host's free pool, or reserved by a client */
	INSP_OWN_HOST,	      /* vring0 (RX): taken back by the host, not yet given again */
	INSP_OWN_FIRMWARE,    /* read by the firmware, not returned (or either, unpublished) */
	INSP_OWN_POSTED,      /* posted, and the firmware has not read it yet (fw_taken) */
	INSP_OWN_RETURNED,    /* returned in the used ring, not yet reaped by the host */
};

const char *insp_owner_name(enum insp_owner o);

struct insp_msg {
	bool valid;    /* the buffer's address and the header's length check out */
	uint16_t slot; /* ring position (free-running index) it was published at */
	uint16_t id;   /* descriptor id */
	uint32_t src, dst;
	uint16_t len, flags;
	uint8_t preview[INSP_PREVIEW];
	uint32_t npreview;
};

struct insp_vring {
	bool valid;    /* geometry found and the ring copied */
	char why[160]; /* why not */
	uint32_t da, num, align, notifyid;
	uint16_t avail_flags, avail_idx, used_flags, used_idx;
	struct amp_vring_desc desc[INSP_MAX_NUM];
	bool desc_ok[INSP_MAX_NUM];    /* addr/len inside a buffer region */
	bool desc_blank[INSP_MAX_NUM]; /* all zero: the host has not used it yet */
	uint16_t avail[INSP_MAX_NUM];
	struct amp_vring_used_elem used[INSP_MAX_NUM];
	enum insp_owner owner[INSP_MAX_NUM];
	bool owner_from_host; /* owners from the host's own records, else from the rings alone */
	bool window_ok;	      /* avail.idx - used.idx <= num */
	/* how far the firmware has read the avail ring (its port's word in the header) */
	uint32_t fw_taken_raw; /* as read: AMP_SOC_FW_TAKEN_SET | index, or 0 */
	bool have_taken;       /* published and inside [used.idx, avail.idx] */
	uint16_t fw_taken;
	/* the host's view (live runs): its avail index and what it reaped up to */
	bool have_host;
	uint16_t host_avail, host_used;
	uint32_t host_inflight[INSP_MAX_NUM / 32];
	/* the last messages that passed, newest last (at most num) */
	struct insp_msg msg[INSP_MAX_NUM];
	uint32_t nmsg;
};

struct insp_ipcc_count {
	uint32_t kicks, coalesced, irq_raised, irq_handled;
};

struct insp_snap {
	char shm[AMP_SOC_SHM_NAME_MAX];
	uint64_t size;
	bool hdr_ok;
	char hdr_why[160];
	struct amp_soc soc; /* validated regions (va NULL) */
	bool ipcc_ok;
	char ipcc_why[96];
	uint32_t ipcc_nchan;
	uint32_t xcr[AMP_IPCC_NPROC], xmr[AMP_IPCC_NPROC], flags[AMP_IPCC_NPROC], lines;
	/* the model's counters in the register file: firmware-writable, shown as such */
	struct insp_ipcc_count ipcc_stats[AMP_IPCC_NPROC][AMP_IPCC_MAX_CHAN];
	bool rsc_ok;
	char rsc_why[160];
	uint8_t vdev_status;
	struct insp_vring vr[2];
};

/**
 * Read @p fd (the shared object, O_RDONLY) into @p s. Never fails: what cannot be read or
 * does not validate is marked invalid with the reason.
 */
void insp_snap_read(struct insp_snap *s, int fd, const char *name);

/**
 * Merge the host's view from `ampsim ctl RUNDIR inspect-host` (lines "vringN avail A used U
 * inflight HEX..."); untrusted text too, parsed strictly. Then compute every buffer's owner.
 * With @p host_text NULL (a dead run), owners come from the rings alone.
 */
void insp_snap_owners(struct insp_snap *s, const char *host_text);

/** The host's view for insp_snap_owners(), as the daemon answers 'inspect-host'. */
struct amp_host;
void insp_host_view(struct amp_host *h, GString *out);

/** One snapshot as text (@p json false) or JSON. */
/**
 * One snapshot as text (@p json false) or JSON. @p counters: the host's own counters (`ampsim
 * ctl stats`) of a live run, or NULL (then the register file's counters are shown, marked as
 * written where the firmware can write).
 */
void insp_render(const struct insp_snap *s, bool json, const char *note, const char *counters,
		 GString *out);

/**
 * One snapshot of the run in @p dir (RUNDIR: its shm link and control socket), as text or
 * JSON, into @p out; what `ampsim inspect --once [--json]` prints (inspect_cmd.c), and what
 * `ampsim web` draws. Thread-safe (its own file and socket descriptors). @p note (or NULL)
 * is added to the snapshot's note.
 * @return FALSE (and @p err) when there is nothing to read: no run recorded, object gone
 */
gboolean insp_snapshot(const char *dir, bool json, const char *note, GString *out, GError **err);

#endif /* AMP_INSPECT_SNAP_H */
