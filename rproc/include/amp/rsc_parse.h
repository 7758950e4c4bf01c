/*
 * Resource-table parser: validates a table held in a byte buffer, in Linux's order
 * (REFERENCE.md 4.3), and hands each entry to the caller as a decoded copy.
 *
 * Portable: no allocation, no OS, no printf. The input is untrusted: every field is read
 * once from the buffer (little-endian, any alignment) into the decoded entry and checked
 * there; the parser never casts the buffer to a struct and never reads outside [0, len).
 * A table that may change underneath (shared memory written by a hostile peer) must be
 * copied to private memory first and parsed there.
 *
 * The checks, in order; each failure has its own enum amp_rsc_reason:
 *  1. len >= 16 (header)                              HDR_TRUNCATED
 *  2. ver == 1                                        BAD_VERSION
 *  3. reserved[0] == reserved[1] == 0                 HDR_RESERVED
 *  4. 16 + 4 * num <= len                             OFFSETS_TRUNCATED
 *  then for each entry i (in offset-array order):
 *  5. offset[i] >= 16 + 4 * num (stricter than Linux) ENTRY_IN_HEADER
 *  6. offset[i] + 4 <= len                            ENTRY_TRUNCATED
 *  7. vendor types (128..512) go to the vendor callback, other types >= 4 are skipped and
 *     counted; carveout/devmem/trace: body fits       BODY_TRUNCATED
 *     and reserved == 0                               RESERVED
 *  8. vdev: fixed part fits                           BODY_TRUNCATED
 *     vrings + config_len fit (overflow-safe)         VRINGS_TRUNCATED
 *     reserved[0..1] == 0                             RESERVED
 *     num_of_vrings <= 2                              TOO_MANY_VRINGS
 *     each vring: num != 0, a power of two, <= 32768  VRING_NUM_ZERO/_NOT_POW2/_TOO_BIG
 *                 align != 0, a power of two          VRING_ALIGN_ZERO/_NOT_POW2
 *     rpmsg vdev (id 7) whose config space starts with AMP_RSC_RPMSG_CFG_MAGIC:
 *       config_len >= 16                              RPMSG_CFG_TRUNCATED
 *       version == 1                                  RPMSG_CFG_VERSION
 *       each buffer size 0 or a multiple of 4 in 56..65548   RPMSG_BUF_SIZE
 */
#ifndef AMP_RSC_PARSE_H
#define AMP_RSC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/rsc_error.h>
#include <amp/rsc_table.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What an entry is, from its type word. */
enum amp_rsc_kind {
	AMP_RSC_KIND_CARVEOUT, /**< AMP_RSC_CARVEOUT */
	AMP_RSC_KIND_DEVMEM,   /**< AMP_RSC_DEVMEM */
	AMP_RSC_KIND_TRACE,    /**< AMP_RSC_TRACE */
	AMP_RSC_KIND_VDEV,     /**< AMP_RSC_VDEV */
	AMP_RSC_KIND_VENDOR,   /**< AMP_RSC_VENDOR_START..AMP_RSC_VENDOR_END */
	AMP_RSC_KIND_UNKNOWN,  /**< anything else (skipped, counted) */
};

/** Decoded carveout or devmem entry. */
struct amp_rsc_mem_info {
	uint32_t da, pa, len, flags;
	char name[AMP_RSC_NAME_LEN + 1]; /**< always NUL-terminated */
};

/** Decoded trace entry. */
struct amp_rsc_trace_info {
	uint32_t da, len;
	char name[AMP_RSC_NAME_LEN + 1]; /**< always NUL-terminated */
};

/** Decoded vring of a vdev, with where it sits in the table (for write-back). */
struct amp_rsc_vring_info {
	uint32_t offset; /**< byte offset of this struct amp_fw_rsc_vdev_vring in the table */
	uint32_t da, align, num, notifyid, pa;
};

/** Decoded vdev entry. */
struct amp_rsc_vdev_info {
	uint32_t id, notifyid, dfeatures, gfeatures, config_len;
	uint8_t status, num_of_vrings;
	struct amp_rsc_vring_info vring[AMP_RSC_MAX_VRINGS]; /**< [0, num_of_vrings) valid */
	uint32_t config_offset; /**< byte offset of the config space in the table */
	/** rpmsg: the config space holds ampsim's buffer-size layout (struct amp_fw_rsc_rpmsg_cfg)
	 */
	bool has_buf_cfg;
	uint32_t h2r_buf_size; /**< rpmsg: declared host -> remote buffer size, 0 = default (512) */
	uint32_t r2h_buf_size; /**< rpmsg: declared remote -> host buffer size, 0 = default */
};

/** One validated entry. Offsets are from the start of the table. */
struct amp_rsc_entry {
	uint32_t index;		/**< position in the offset array */
	uint32_t offset;	/**< byte offset of the entry's type word */
	uint32_t type;		/**< the raw type word */
	enum amp_rsc_kind kind; /**< classification of @ref type */
	uint32_t avail;		/**< bytes after the type word up to the end of the table */
	union {
		struct amp_rsc_mem_info carveout; /**< KIND_CARVEOUT */
		struct amp_rsc_mem_info devmem;	  /**< KIND_DEVMEM */
		struct amp_rsc_trace_info trace;  /**< KIND_TRACE */
		struct amp_rsc_vdev_info vdev;	  /**< KIND_VDEV */
	} u;
};

/** Field offsets for write-back: add to entry.offset (vdev) or vring[i].offset (vring). */
#define AMP_RSC_VDEV_GFEATURES_OFF offsetof(struct amp_fw_rsc_vdev, gfeatures)
#define AMP_RSC_VDEV_STATUS_OFF offsetof(struct amp_fw_rsc_vdev, status)
#define AMP_RSC_VRING_DA_OFF offsetof(struct amp_fw_rsc_vdev_vring, da)
#define AMP_RSC_VRING_NOTIFYID_OFF offsetof(struct amp_fw_rsc_vdev_vring, notifyid)
#define AMP_RSC_VRING_PA_OFF offsetof(struct amp_fw_rsc_vdev_vring, pa)

/** Counts from one amp_rsc_parse() pass. */
struct amp_rsc_stats {
	uint32_t entries;	  /**< entries visited (== table num on success) */
	uint32_t carveouts;	  /**< RSC_CARVEOUT entries */
	uint32_t devmems;	  /**< RSC_DEVMEM entries */
	uint32_t traces;	  /**< RSC_TRACE entries */
	uint32_t vdevs;		  /**< RSC_VDEV entries */
	uint32_t vendor_handled;  /**< vendor entries the vendor callback accepted */
	uint32_t vendor_ignored;  /**< vendor entries with no callback or AMP_RSC_IGNORED */
	uint32_t unknown_skipped; /**< types 4..127 and > 512: skipped, as Linux does */
};

/** A vendor callback's "not mine, skip it" answer (Linux RSC_IGNORED). */
#define AMP_RSC_IGNORED 1

/**
 * Callbacks of amp_rsc_parse(). Both are optional (NULL). They run synchronously, in table
 * order, from within amp_rsc_parse(), only for entries that passed their checks.
 */
struct amp_rsc_visitor {
	/**
	 * A carveout, devmem, trace or vdev entry. Return 0 to continue or a negative AMP_E*
	 * code to stop the parse (reason VISITOR_FAILED, code propagated).
	 */
	int (*entry)(void *ctx, const struct amp_rsc_entry *e);
	/**
	 * A vendor entry (types 128..512). @p body points at the bytes after the type word in
	 * the caller's buffer, @p avail bytes of them (the entry's own length is vendor-defined
	 * and must be checked against @p avail by the callback). Return 0 (handled),
	 * AMP_RSC_IGNORED (skipped, counted) or a negative AMP_E* code (reason VENDOR_REJECTED,
	 * code propagated).
	 */
	int (*vendor)(void *ctx, const struct amp_rsc_entry *e, const uint8_t *body,
		      uint32_t avail);
};

/** Iterator state (plain data; the table is not copied and must outlive the iterator). */
struct amp_rsc_iter {
	const uint8_t *table; /**< the table bytes */
	size_t len;	      /**< their length */
	uint32_t num;	      /**< entries in the table (validated against len) */
	uint32_t next;	      /**< index of the next entry */
};

/**
 * Check the table header (checks 1-4) and start an iteration.
 *
 * @param it    iterator to initialise
 * @param table table bytes (any alignment)
 * @param len   their length
 * @param err   optional: filled on failure (reason NONE on success)
 * @retval 0 on success
 * @retval AMP_EINVAL a NULL argument
 * @retval AMP_ENOEXEC malformed header or offset array (see err->reason)
 * @retval AMP_ENOTSUP version is not 1
 */
int amp_rsc_iter_init(struct amp_rsc_iter *it, const void *table, size_t len,
		      struct amp_rsc_error *err);

/**
 * Decode and check the next entry (checks 5-8). Vendor and unknown entries are returned
 * too (kind VENDOR / UNKNOWN, body not decoded); the caller decides what to do with them.
 *
 * @param it  an iterator from amp_rsc_iter_init()
 * @param e   receives the entry
 * @param err optional: filled on failure
 * @retval 1 an entry was decoded into @p e
 * @retval 0 no more entries
 * @retval AMP_EINVAL a NULL argument
 * @retval AMP_ENOEXEC malformed entry (truncated, reserved field set, ...)
 * @retval AMP_ENOTSUP vdev with more than 2 vrings
 * @retval AMP_ERANGE vring num or align invalid
 * After an error the iterator stays on the bad entry (calling again repeats the error).
 */
int amp_rsc_iter_next(struct amp_rsc_iter *it, struct amp_rsc_entry *e, struct amp_rsc_error *err);

/**
 * Validate a whole table and visit its entries: the parser the host runs on a firmware's
 * table. Unknown types are skipped and counted; vendor types go to @p v->vendor.
 *
 * @param table table bytes (any alignment)
 * @param len   their length
 * @param v     optional callbacks (NULL: validate only)
 * @param ctx   passed to the callbacks
 * @param stats optional: counts (zeroed first, valid also after a failure up to the entry)
 * @param err   optional: where and why it failed
 * @retval 0 the table is valid and every callback returned 0 (or IGNORED)
 * @retval AMP_EINVAL, AMP_ENOEXEC, AMP_ENOTSUP, AMP_ERANGE as amp_rsc_iter_init()/_next()
 * @retval <0 the code a callback returned (reason VISITOR_FAILED or VENDOR_REJECTED)
 */
int amp_rsc_parse(const void *table, size_t len, const struct amp_rsc_visitor *v, void *ctx,
		  struct amp_rsc_stats *stats, struct amp_rsc_error *err);

/**
 * Validate the whole table, then find its @p nth (0-based) entry of @p kind.
 *
 * @retval 0 found, @p e filled
 * @retval AMP_ENOENT the table is valid but has no such entry
 * @retval other errors as amp_rsc_parse()
 */
int amp_rsc_find(const void *table, size_t len, enum amp_rsc_kind kind, uint32_t nth,
		 struct amp_rsc_entry *e, struct amp_rsc_error *err);

/**
 * Store a little-endian u32 at byte @p off of a table (write-back of vring da, notifyid,
 * gfeatures). Bounds-checked and overflow-safe.
 *
 * @retval 0 written
 * @retval AMP_EINVAL NULL table
 * @retval AMP_EFAULT off + 4 > len
 */
int amp_rsc_put_u32(void *table, size_t len, uint32_t off, uint32_t val);

/** Store one byte (the vdev status) at @p off. Same return values as amp_rsc_put_u32(). */
int amp_rsc_put_u8(void *table, size_t len, uint32_t off, uint8_t val);

/** "carveout", "devmem", "trace", "vdev", "vendor" or "unknown". Never NULL. */
const char *amp_rsc_type_name(uint32_t type);

/** Classify a raw type word. */
enum amp_rsc_kind amp_rsc_kind_of(uint32_t type);

#ifdef __cplusplus
}
#endif

#endif /* AMP_RSC_PARSE_H */
