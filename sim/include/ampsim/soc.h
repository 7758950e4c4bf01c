/*
 * The simulated SoC memory map: one POSIX shared-memory object per run (DESIGN D4, D12).
 *
 * The object starts with a self-describing header (struct amp_soc_hdr, one page) followed by
 * the regions of the SoC profile, each page-aligned. The host maps the object anywhere and
 * translates device address <-> pointer with amp_soc_da_to_va()/amp_soc_va_to_da(); the
 * firmware process maps every region at its device address (MAP_FIXED_NOREPLACE), so its
 * pointers equal device addresses. docs/memory-map.md and docs/firmware-abi.md describe it.
 *
 * POSIX only, no GLib: the firmware process links this library. Not thread-safe per object
 * unless stated: create/attach/destroy from one thread; translation is read-only and may be
 * called from any thread once attach has returned.
 */
#ifndef AMPSIM_SOC_H
#define AMPSIM_SOC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct amp_ipcc_shared;

#define AMP_SOC_MAGIC 0x00314d4953504d41ull /**< the bytes "AMPSIM1\0" read little-endian */
#define AMP_SOC_ABI_VERSION 1u
#define AMP_SOC_HDR_SIZE 4096u /**< the header occupies the first page */
#define AMP_SOC_PAGE 4096u     /**< region da, size and offset granularity */
#define AMP_SOC_MAX_REGIONS 16u
#define AMP_SOC_NAME_MAX 32u /**< region / SoC name buffer, NUL included */
#define AMP_SOC_SHM_NAME_MAX 64u
/** Object names: /ampsim-<uid>-<pid>-<pid's start time, hex>-<16 hex random>. */
#define AMP_SOC_SHM_PREFIX "ampsim-"

/** amp_soc_hdr.fw_taken: the word was published (the low 16 bits are an avail index). */
#define AMP_SOC_FW_TAKEN_SET 0x10000u

/** What a region is for (profile key "purpose"). */
enum amp_soc_purpose {
	AMP_SOC_PURPOSE_RAM = 0,    /**< MCU SRAM / generic memory (firmware image, rsc table) */
	AMP_SOC_PURPOSE_VRING = 1,  /**< a vring carveout (vdev0vring0, vdev0vring1) */
	AMP_SOC_PURPOSE_BUFFER = 2, /**< the vdev buffer pool (vdev0buffer) */
	AMP_SOC_PURPOSE_DDR = 3,    /**< large buffers (rpmsg-sdb) */
	AMP_SOC_PURPOSE_IPCC = 4,   /**< the IPCC register file (struct amp_ipcc_shared) */
	AMP_SOC_PURPOSE_RETRAM = 5, /**< retention RAM */
	AMP_SOC_PURPOSE_COUNT
};

/** Region flag: the firmware may map it away from its device address if that is taken. */
#define AMP_SOC_F_RELOCATABLE 0x1u
#define AMP_SOC_F_ALL AMP_SOC_F_RELOCATABLE

/** One region in the shared header (64 bytes, little-endian, host byte order). */
struct amp_soc_region_desc {
	char name[AMP_SOC_NAME_MAX]; /**< NUL-terminated */
	uint64_t da;		     /**< device address (Cortex-M4 view) */
	uint64_t size;		     /**< bytes, multiple of AMP_SOC_PAGE */
	uint64_t offset;	     /**< offset in the shared object, multiple of AMP_SOC_PAGE */
	uint32_t purpose;	     /**< enum amp_soc_purpose */
	uint32_t flags;		     /**< AMP_SOC_F_* */
};

/** Object state word. */
#define AMP_SOC_STATE_CREATING 0u
#define AMP_SOC_STATE_READY 1u

/** Slots in the header's table of firmware-side fault counts. */
#define AMP_SOC_FW_FAULTS 8u

/** One firmware-side fault rule's counts: id 0 is an unused slot. */
struct amp_soc_fw_fault {
	_Atomic uint32_t id;
	_Atomic uint32_t seen;
	_Atomic uint32_t fired;
};

/** Bytes of the firmware's event-trace ring, after the last region (docs/trace.md). */
#define AMP_SOC_TRACE_SIZE 65536u
/** Records in it: what is left after the 64-byte control block. */
#define AMP_SOC_TRACE_RECS ((AMP_SOC_TRACE_SIZE - 64u) / 32u)

/** One firmware trace event (<amp/trace.h>), 32 bytes; seq is the record's ring position. */
struct amp_soc_trace_rec {
	uint64_t ts_ns; /**< CLOCK_MONOTONIC */
	uint32_t seq;	/**< head value it was written at */
	uint16_t kind;	/**< enum amp_trace_kind */
	uint16_t q;
	uint16_t idx;
	uint16_t id;
	uint32_t len;
	uint32_t src;
	uint32_t dst;
};

/**
 * The firmware's side of the event trace: a single-producer ring the host drains. The firmware
 * writes records only while @c on is set, never waits for room (a full ring counts @c dropped)
 * and publishes each record with a release store of @c head; the host consumes up to @c head,
 * checks every record (the firmware can write anything here) and stores @c tail.
 */
struct amp_soc_trace_ring {
	_Atomic uint32_t on;	  /**< host: nonzero while a trace is being written */
	_Atomic uint32_t head;	  /**< firmware: records written (free-running) */
	_Atomic uint32_t tail;	  /**< host: records drained (free-running) */
	_Atomic uint32_t dropped; /**< firmware: records lost to a full ring (untrusted) */
	uint32_t reserved[12];
	struct amp_soc_trace_rec rec[AMP_SOC_TRACE_RECS];
};

/**
 * The self-describing header at offset 0 of the shared object (DESIGN D12). Written by the
 * host at creation; the firmware process validates all of it before use. The host itself
 * never re-reads the layout fields after creation (the firmware can scribble on them).
 */
struct amp_soc_hdr {
	uint64_t magic;		/**< AMP_SOC_MAGIC */
	uint32_t version;	/**< AMP_SOC_ABI_VERSION */
	uint32_t hdr_size;	/**< AMP_SOC_HDR_SIZE */
	uint64_t total_size;	/**< bytes in the object */
	uint32_t creator_pid;	/**< pid of the creating (host) process; informative */
	uint32_t creator_uid;	/**< its uid */
	uint64_t creator_start; /**< its start time (/proc/<pid>/stat field 22); informative */
	_Atomic uint32_t state; /**< AMP_SOC_STATE_*; READY once the header is complete */
	uint32_t nregions;	/**< valid entries in regions[] */
	uint32_t ipcc_region;	/**< index of the IPCC register file region */
	uint32_t ipcc_nchan;	/**< IPCC channel count (HWCFGR) */
	/** Per IPCC processor: nonzero while that side sleeps in the kernel (adaptive wait). */
	_Atomic uint32_t asleep[2];
	_Atomic uint32_t rsc_seq; /**< loaded resource table slot: odd while being written */
	uint32_t reserved0;
	uint64_t rsc_da;   /**< device address of the loaded resource table (0 = none yet) */
	uint64_t rsc_size; /**< its size in bytes */
	char soc_name[AMP_SOC_NAME_MAX]; /**< profile name, e.g. "stm32mp157" */
	/** Counts of the fault rules the firmware applies (AMPSIM_FAULTS, docs/faults.md),
	 * written by the firmware, cleared by the host before each start: untrusted numbers. */
	struct amp_soc_fw_fault fw_faults[AMP_SOC_FW_FAULTS];
	/** The event-trace ring (struct amp_soc_trace_ring): offset in the object, page-aligned,
	 * after the last region; its size, AMP_SOC_TRACE_SIZE. Zeroed before each start. */
	uint64_t trace_off;
	uint64_t trace_size;
	/** Per vring (0, 1): how far the firmware has read the avail ring, as
	 * AMP_SOC_FW_TAKEN_SET | its next avail index to consume (16 bits), written by the
	 * simulator's firmware port whenever its RPMsg core lets go of its lock; 0 = never
	 * published (a port that does not, or none yet). Cleared before each start. Untrusted:
	 * `ampsim inspect` uses it only inside the ring's window (docs/inspect.md). */
	_Atomic uint32_t fw_taken[2];
	/** Per IPCC processor: 1 + the host CPU its interrupt-taking thread last ran on, 0 = not
	 * said (amp_ipcc_link_set_cpu_words()). Cleared before each start. A hint for the peer's
	 * adaptive polling only: a side never polls for a peer that shares its CPU. */
	_Atomic uint32_t on_cpu[2];
	uint8_t reserved[8];
	struct amp_soc_region_desc regions[AMP_SOC_MAX_REGIONS];
};

_Static_assert(sizeof(struct amp_soc_region_desc) == 64, "region desc layout");
_Static_assert(offsetof(struct amp_soc_hdr, asleep) == 56, "hdr layout");
_Static_assert(offsetof(struct amp_soc_hdr, rsc_da) == 72, "hdr layout");
_Static_assert(offsetof(struct amp_soc_hdr, soc_name) == 88, "hdr layout");
_Static_assert(offsetof(struct amp_soc_hdr, fw_faults) == 120, "hdr layout");
_Static_assert(offsetof(struct amp_soc_hdr, regions) == 256, "hdr layout");
_Static_assert(sizeof(struct amp_soc_trace_rec) == 32, "trace record layout");
_Static_assert(sizeof(struct amp_soc_trace_ring) == AMP_SOC_TRACE_SIZE, "trace ring layout");
_Static_assert(offsetof(struct amp_soc_hdr, trace_off) == 216, "hdr layout");
_Static_assert(offsetof(struct amp_soc_hdr, fw_taken) == 232, "hdr layout");
_Static_assert(offsetof(struct amp_soc_hdr, on_cpu) == 240, "hdr layout");
_Static_assert(sizeof(struct amp_soc_hdr) <= AMP_SOC_HDR_SIZE, "header fits its page");

/** A region as the SoC profile describes it (input to amp_soc_create()). */
struct amp_soc_region_cfg {
	char name[AMP_SOC_NAME_MAX];
	uint64_t da;
	uint64_t size;
	uint32_t purpose;
	uint32_t flags;
};

/** A SoC memory map: what a profile yields. Plain data, no GLib. */
struct amp_soc_layout {
	char name[AMP_SOC_NAME_MAX];
	uint32_t nregions;
	struct amp_soc_region_cfg regions[AMP_SOC_MAX_REGIONS];
	uint32_t ipcc_region; /**< index of the region holding the IPCC register file */
	uint32_t ipcc_nchan;  /**< 1..16 */
};

/** Where amp_soc_layout_check() found a problem. */
struct amp_soc_layout_err {
	int region;	 /**< offending region index, or -1 for the mailbox / whole layout */
	const char *key; /**< profile key: "da", "size", "purpose", "flags", "name", "region"... */
	char why[128];	 /**< human text */
};

/**
 * Validate a layout: names non-empty, unique and NUL-terminated; sizes nonzero; da, size
 * page-aligned; da + size does not overflow 32 bits (the Cortex-M4 address space); no two
 * regions overlap; purpose and flags known; the IPCC region exists, has purpose ipcc and
 * holds a register file; 1 <= ipcc_nchan <= 16.
 *
 * @param err  out (may be NULL): first problem found
 * @retval AMP_OK
 * @retval AMP_EINVAL  invalid layout, details in @p err
 */
int amp_soc_layout_check(const struct amp_soc_layout *l, struct amp_soc_layout_err *err);

/** A region as this process sees it (private, validated copy). */
struct amp_soc_region {
	char name[AMP_SOC_NAME_MAX];
	uint64_t da;
	uint64_t size;
	uint64_t offset;
	uint32_t purpose;
	uint32_t flags;
	uint8_t *va; /**< where it is mapped here; NULL if not mapped */
	bool at_da;  /**< firmware side: mapped at its device address */
};

/** One attached or created shared object. Caller-allocated; fields are read-only. */
struct amp_soc {
	int fd;				     /**< the shm fd (O_CLOEXEC), -1 when closed */
	char shm_name[AMP_SOC_SHM_NAME_MAX]; /**< "/ampsim-..." */
	bool owner;			     /**< we created it: destroy unlinks */
	bool firmware;			     /**< attached with amp_soc_attach_fw() */
	uint8_t *base;			     /**< host: whole object; firmware: header page */
	size_t map_size;		     /**< bytes mapped at base */
	uint64_t total_size;
	struct amp_soc_hdr *hdr; /**< shared header: untrusted, use only the atomic words */
	uint32_t nregions;
	struct amp_soc_region regions[AMP_SOC_MAX_REGIONS];
	uint32_t ipcc_region;
	uint32_t ipcc_nchan;
	char soc_name[AMP_SOC_NAME_MAX];
	char err[192];	    /**< text of the last failure (create/attach/map) */
	bool trace_on;	    /**< host: what amp_soc_restore() writes to the trace ring's on word */
	uint64_t trace_off; /**< where the trace ring is in the object */
	struct amp_soc_trace_ring *trace; /**< mapped trace ring (firmware: amp_soc_map_trace()) */
};

/**
 * Firmware: map the event-trace ring the header names (checked: page-aligned, its size,
 * inside the object). Optional: a firmware that does not trace never maps it.
 * @retval AMP_OK  soc->trace is set
 * @retval AMP_EPROTO  the header's trace fields are invalid
 */
int amp_soc_map_trace(struct amp_soc *soc);

/**
 * Create the run's shared object: removes stale objects of dead runs of this user first
 * (amp_soc_cleanup_stale()), then shm_open(O_CREAT|O_EXCL, 0600) under a unique name,
 * sizes it, maps it, writes the header and resets the IPCC register file. The name is
 * registered for amp_soc_unlink_on_exit().
 *
 * @param soc  caller storage, fully initialized on success (zeroed, fd -1 on failure)
 * @param l    a layout; validated again here
 * @retval AMP_OK
 * @retval AMP_EINVAL  invalid layout (soc->err says why)
 * @retval AMP_ENOMEM  object too large for the address space, or no memory / fds left
 * @retval other       an OS call failed: its errno through amp_from_errno(), e.g.
 *                     AMP_EACCES; soc->err names the call and the system's text
 */
int amp_soc_create(struct amp_soc *soc, const struct amp_soc_layout *l);

/**
 * Attach on the host side to an existing object (e.g. for `ampsim ctl stats`): map it
 * anywhere after validating the header (amp_soc_hdr_check()).
 *
 * @param name  "/ampsim-..." as given in AMPSIM_SHM
 * @retval AMP_OK
 * @retval AMP_EINVAL  not a shared object name
 * @retval AMP_ENOENT  no such object
 * @retval AMP_EPROTO  header invalid or not ours (soc->err says which field)
 * @retval other       an OS call failed: its errno through amp_from_errno()
 */
int amp_soc_attach_host(struct amp_soc *soc, const char *name);

/** amp_soc_attach_fw() flags. */
#define AMP_SOC_ATTACH_STRICT 0x1u /**< fail even for a relocatable region not at its da */

/**
 * Attach on the firmware side: validate the header, then map every region at its device
 * address with MAP_FIXED_NOREPLACE. A region whose address range is taken (e.g. by ASan's
 * shadow memory for the DDR at 0xC0000000) fails the attach with a precise soc->err,
 * unless it is flagged relocatable: then it is mapped elsewhere, at_da is false, and
 * amp_soc_da_to_va() still translates it.
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL      not a shared object name
 * @retval AMP_ENOENT      no such object
 * @retval AMP_EPROTO      header invalid
 * @retval AMP_EADDRINUSE  a region cannot be placed at its device address
 * @retval other           an OS call failed: its errno through amp_from_errno()
 */
int amp_soc_attach_fw(struct amp_soc *soc, const char *name, unsigned flags);

/**
 * Host, before each (re)start of the firmware: rewrite everything the host owns in the
 * object from its private, validated copy, whatever the firmware wrote there: the whole
 * struct amp_soc_hdr (magic, sizes, creator, region table, SoC name; no loaded table
 * published, both asleep words clear, state READY last) and the IPCC registers and line
 * levels (amp_ipcc_reset_regs(): power-on values, counters kept). The IPCC link re-applies
 * its own side's state afterwards (amp_ipcc_link_restore()), and the DDR plug table in the
 * rest of the header page is amp_ddr_plug_reset()'s. Call only while no firmware runs.
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  not the creator's handle (amp_soc_create())
 */
int amp_soc_restore(struct amp_soc *soc);

/**
 * Unmap and close; if this process created the object, unlink it. Safe on a zeroed or
 * failed @p soc and idempotent.
 */
void amp_soc_destroy(struct amp_soc *soc);

/**
 * Validate a header against the object's real size (all fields untrusted).
 * Fills @p out (may be NULL) with the validated regions, va = NULL.
 *
 * @retval AMP_OK
 * @retval AMP_EPROTO  invalid; @p why (may be NULL, @p why_len bytes) names the field
 */
int amp_soc_hdr_check(const struct amp_soc_hdr *h, uint64_t object_size, struct amp_soc *out,
		      char *why, size_t why_len);

/**
 * Device address -> pointer in this process. Length-aware and overflow-safe: succeeds only
 * if [da, da + len) lies entirely inside one mapped region (len 0 is treated as 1).
 * Signature matches a port's da_to_va(ctx, da, len) with ctx = soc.
 *
 * @return the pointer, or NULL (straddles regions, past the end, unmapped, overflow)
 */
void *amp_soc_da_to_va(const struct amp_soc *soc, uint64_t da, size_t len);

/**
 * amp_soc_da_to_va() that looks first in the region *@p hint names and leaves there the
 * index of the region that answered (the same answer, fewer comparisons where most
 * translations hit one region: a firmware's vring buffers). @p hint may be NULL; any value
 * is safe (an out-of-range one is ignored), and threads may share one.
 */
void *amp_soc_da_to_va_hint(const struct amp_soc *soc, uint64_t da, size_t len,
			    _Atomic uint32_t *hint);

/**
 * Pointer -> device address; [va, va + len) must lie inside one mapped region.
 *
 * @retval AMP_OK      *da set
 * @retval AMP_EFAULT  not inside one region
 * @retval AMP_EINVAL  NULL argument
 */
int amp_soc_va_to_da(const struct amp_soc *soc, const void *va, size_t len, uint64_t *da);

/** Region by name ("vdev0vring0", "vdev0buffer", "ddr"...), NULL if none. */
const struct amp_soc_region *amp_soc_region_by_name(const struct amp_soc *soc, const char *name);

/** First region with @p purpose, NULL if none. */
const struct amp_soc_region *amp_soc_region_by_purpose(const struct amp_soc *soc, uint32_t purpose);

/** The IPCC register file in this process's mapping (NULL if the object has none). */
struct amp_ipcc_shared *amp_soc_ipcc(const struct amp_soc *soc);

/** The two per-processor "asleep" words in the header (for amp_ipcc_link). */
_Atomic uint32_t *amp_soc_asleep(const struct amp_soc *soc);
/** The two per-processor "on CPU" words in the header (amp_ipcc_link_set_cpu_words()). */
_Atomic uint32_t *amp_soc_on_cpu(const struct amp_soc *soc);

/**
 * Publish the loaded resource table's location (host, after rproc copied it in).
 * [da, da + size) must lie inside one region.
 *
 * @retval AMP_OK
 * @retval AMP_EFAULT  range not inside one region
 */
int amp_soc_set_rsc(struct amp_soc *soc, uint64_t da, uint64_t size);

/**
 * Read the loaded resource table's location (firmware). The slot is untrusted: it is read
 * under its sequence word and translated; a torn or out-of-range slot is an error.
 *
 * @param ptr  out (may be NULL): the table in this process
 * @retval AMP_OK
 * @retval AMP_ENOENT  no table published yet
 * @retval AMP_EAGAIN  being written, retry
 * @retval AMP_EFAULT  published range not inside one region
 */
int amp_soc_get_rsc(const struct amp_soc *soc, uint64_t *da, uint64_t *size, void **ptr);

/**
 * Remove shared objects left behind by killed runs: names /ampsim-<uid>-<pid>-*, owned by
 * the calling user, whose creator pid is dead, or alive but with a different start time
 * than the name records (pid reused). Only the name decides, never the header, whose bytes
 * a firmware can overwrite. Never touches another user's objects or a live run's. This is what
 * `ampsim cleanup` calls; amp_soc_create() calls it too.
 *
 * @param removed  out (may be NULL): objects removed
 * @retval AMP_OK
 * @retval other  /dev/shm cannot be listed: opendir's errno through amp_from_errno()
 */
int amp_soc_cleanup_stale(unsigned *removed);

/**
 * Unlink this process's created objects at exit() (atexit). Only the creating pid unlinks,
 * so a forked child's exit leaves them alone. Idempotent. No signal handler is installed: a
 * program that wants its objects gone on SIGINT/SIGTERM handles the signal itself, by
 * exiting through exit() (a GLib daemon: g_unix_signal_add, then amp_soc_destroy()) or by
 * calling amp_soc_unlink_created() from its own handler. A killed run's objects are removed
 * by the next amp_soc_create() or `ampsim cleanup` (amp_soc_cleanup_stale()).
 *
 * @retval AMP_OK
 * @retval AMP_ENOMEM  atexit has no room
 */
int amp_soc_unlink_on_exit(void);

/**
 * Unlink every object this process created and has not destroyed yet. Async-signal-safe
 * (unlink only), for a program's own fatal-signal handler; the mappings stay valid.
 */
void amp_soc_unlink_created(void);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_SOC_H */
