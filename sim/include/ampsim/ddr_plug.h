/*
 * DDR buffer hot-plug: how an rpmsg-sdb buffer becomes part of the SoC's DDR in both
 * processes without giving a client the whole SoC object (docs/sdb.md).
 *
 * On the chip, DDR is just there; a buffer the Linux driver allocates is reachable by the
 * Cortex-M4 at its physical address. Here a client must be able to mmap its buffer and
 * nothing else, so every buffer is its own sealed memfd. Plugging it maps that memfd over
 * the buffer's device-address range of the DDR region, in the host and in the firmware:
 *
 *   1. the host maps the memfd over [da, da + size) of its DDR mapping, writes the slot into
 *      the plug table (in the SoC header page, under a generation counter) and rings IPCC
 *      channel 5 (AMP_IPCC_CH_DDR_PLUG in <amp/stm32mp1.h>; unused on STM32MP1);
 *   2. the firmware port's channel-5 handler (amp_ddr_plug_sync()) opens each new memfd
 *      through /proc/<host pid>/fd/<fd>, maps it at the same device address, restores the
 *      SoC backing of slots that went away, stores the generation in `ack` and rings
 *      channel 5 back;
 *   3. the host sees ack >= its generation: the buffer is live on both sides.
 *
 * The shared table is an output of the host: it keeps its own copy (struct
 * amp_ddr_plug_host) and never reads slots or generations back; the firmware's `ack` is
 * the one field it reads, validated. The firmware validates every slot before use.
 * POSIX only, no GLib: the firmware process links this.
 */
#ifndef AMPSIM_DDR_PLUG_H
#define AMPSIM_DDR_PLUG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/stm32mp1.h>
#include <ampsim/soc.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AMP_DDR_PLUG_SLOTS 32u
#define AMP_DDR_PLUG_OFFSET 2048u /**< the table's offset in the header page */

/** One plugged buffer (host-written; 32 bytes). */
struct amp_ddr_plug_slot {
	uint64_t da;   /**< device address, page-aligned, inside the DDR region */
	uint64_t size; /**< bytes, page multiple */
	int32_t fd;    /**< the memfd's number in the host process */
	uint32_t tag;  /**< nonzero while plugged; new for every plug */
	uint64_t reserved;
};

/** The plug table, at AMP_DDR_PLUG_OFFSET in the SoC header page. */
struct amp_ddr_plug_table {
	_Atomic uint32_t gen; /**< host: odd while writing, bumped to even when done */
	_Atomic uint32_t ack; /**< firmware: the last generation it applied */
	uint32_t host_pid;    /**< whose /proc/<pid>/fd holds the memfds */
	uint32_t reserved;
	struct amp_ddr_plug_slot slot[AMP_DDR_PLUG_SLOTS];
};

_Static_assert(sizeof(struct amp_ddr_plug_slot) == 32, "plug slot layout");
_Static_assert(sizeof(struct amp_soc_hdr) <= AMP_DDR_PLUG_OFFSET, "table after the header");
_Static_assert(AMP_DDR_PLUG_OFFSET + sizeof(struct amp_ddr_plug_table) <= AMP_SOC_HDR_SIZE,
	       "table inside the header page");

/**
 * The host's side of the table, in host memory: the slots it plugged, its generation and its
 * tags. Every host decision (free slot, what an unplug restores, which generation an
 * acknowledgement may name) is made on this copy; the shared table is only an output,
 * rewritten whole from it on every change. Caller storage; initialise with
 * amp_ddr_plug_host_init(); fields are private.
 */
struct amp_ddr_plug_host {
	struct amp_soc *soc;				   /**< the created object (not owned) */
	struct amp_ddr_plug_slot slot[AMP_DDR_PLUG_SLOTS]; /**< tag 0 = free */
	uint32_t gen;					   /**< the last generation published */
	uint32_t next_tag;
};

/**
 * Host: start with no slot plugged and publish that (an empty table, acknowledged), on the
 * object the host created. @p soc must outlive @p p.
 */
void amp_ddr_plug_host_init(struct amp_ddr_plug_host *p, struct amp_soc *soc);

/**
 * Host: map @p fd (a memfd of @p size bytes) at [da, da + size) of this process's DDR
 * mapping and publish it in the table. The caller then rings AMP_IPCC_CH_DDR_PLUG and waits
 * for amp_ddr_plug_acked(*gen).
 *
 * @retval AMP_OK     *slot and *gen set
 * @retval AMP_EINVAL da/size not page-aligned, zero, or not inside one DDR region
 * @retval AMP_ENOMEM every slot is in use (by the host's own count)
 * @retval other      mmap failed: its errno through amp_from_errno() (AMP_EIO for a bad fd,
 *                    AMP_EACCES for one not open read-write)
 */
int amp_ddr_plug(struct amp_ddr_plug_host *p, uint64_t da, uint64_t size, int fd, uint32_t *slot,
		 uint32_t *gen);

/**
 * Host: restore the SoC backing of @p slot's range (as the host plugged it) here and
 * publish the removal.
 * @retval AMP_OK (*gen set), AMP_EINVAL bad or free slot
 */
int amp_ddr_unplug(struct amp_ddr_plug_host *p, uint32_t slot, uint32_t *gen);

/**
 * Host: has the firmware applied generation @p gen? The shared `ack` is untrusted input: it
 * counts only if it names a generation the host published, from @p gen on (wrap-safe).
 */
bool amp_ddr_plug_acked(const struct amp_ddr_plug_host *p, uint32_t gen);

/**
 * Host: forget every slot (the firmware died: its mappings died with it), restore the SoC
 * backing of each here and rewrite the whole shared table from the host's copy: empty,
 * acknowledged. For recovery, before a new firmware starts.
 */
void amp_ddr_plug_reset(struct amp_ddr_plug_host *p);

/** Firmware side: what this process has mapped, per slot. Zero-initialise. */
struct amp_ddr_plug_view {
	uint32_t tag[AMP_DDR_PLUG_SLOTS];
	uint64_t da[AMP_DDR_PLUG_SLOTS];
	uint64_t size[AMP_DDR_PLUG_SLOTS];
	uint32_t errors; /**< slots refused (invalid) or that could not be mapped */
};

/**
 * Firmware: apply the table to this process's mappings, then acknowledge its generation.
 * Safe to call at any time (e.g. at start-up and from the channel-5 handler).
 *
 * @retval AMP_OK      applied (invalid slots are skipped and counted in view->errors)
 * @retval AMP_EAGAIN  the host is writing the table; it rings again when done
 */
int amp_ddr_plug_sync(struct amp_soc *soc, struct amp_ddr_plug_view *view);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_DDR_PLUG_H */
