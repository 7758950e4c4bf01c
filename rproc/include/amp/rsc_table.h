/*
 * remoteproc resource table: the wire format (Linux include/linux/remoteproc.h, OpenAMP
 * remoteproc.h; REFERENCE.md section 4.1).
 *
 * Everything is little-endian, 32-bit fields unless noted. Unlike Linux (whose body structs
 * exclude the type word), every entry struct here starts with its `type`, as in OpenAMP, so
 * a firmware can write one designated initializer per entry. The bytes are the same.
 *
 * These structs are for *declaring* a table (see <amp/rsc_declare.h>) and for naming field
 * offsets. The parser (<amp/rsc_parse.h>) never casts untrusted bytes to them: it decodes
 * each field from a byte buffer at an offset, so unaligned or truncated input is harmless.
 */
#ifndef AMP_RSC_TABLE_H
#define AMP_RSC_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include <amp/vring_layout.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Entry types (the first word of each entry). */
#define AMP_RSC_CARVEOUT 0u	  /**< physically contiguous memory the remote needs */
#define AMP_RSC_DEVMEM 1u	  /**< device memory (iommu mapping) the remote needs */
#define AMP_RSC_TRACE 2u	  /**< a trace (log) buffer the host may read */
#define AMP_RSC_VDEV 3u		  /**< a virtio device: vrings + config space */
#define AMP_RSC_LAST 4u		  /**< first type that is neither standard nor vendor */
#define AMP_RSC_VENDOR_START 128u /**< first vendor-specific type (inclusive) */
#define AMP_RSC_VENDOR_END 512u	  /**< last vendor-specific type (inclusive, as in Linux) */

/**
 * ampsim's one vendor entry: a watchdog the firmware refreshes (STM32MP1: IWDG). Linux hands
 * vendor types to the platform driver; ampsim's lifecycle is that driver.
 */
#define AMP_RSC_AMPSIM_WATCHDOG (AMP_RSC_VENDOR_START + 0x40u)

/** "Let the host pick": a da/pa the host fills in (Linux FW_RSC_ADDR_ANY). */
#define AMP_FW_RSC_ADDR_ANY 0xFFFFFFFFu

/** The only table version that exists. */
#define AMP_RSC_TABLE_VERSION 1u

/** Length of the fixed name fields of carveout, devmem and trace entries. */
#define AMP_RSC_NAME_LEN 32u

/** Most vrings a vdev may declare (Linux rproc_vdev has two). */
#define AMP_RSC_MAX_VRINGS 2u

/** Largest virtqueue size (virtio spec, "Split Virtqueues"). */
#define AMP_RSC_VRING_NUM_MAX 32768u

/* virtio constants (device id 7, VIRTIO_RPMSG_F_NS, status bits): <amp/vring_layout.h>. */

/** Table header, followed by `num` u32 offsets (from the table start) of the entries. */
struct amp_rsc_table_hdr {
	uint32_t ver;	      /**< must be AMP_RSC_TABLE_VERSION */
	uint32_t num;	      /**< number of entries (length of the offset array) */
	uint32_t reserved[2]; /**< must be zero */
};

/** RSC_CARVEOUT and RSC_DEVMEM entry (same layout). */
struct amp_fw_rsc_carveout {
	uint32_t type;		     /**< AMP_RSC_CARVEOUT or AMP_RSC_DEVMEM */
	uint32_t da;		     /**< device address, or AMP_FW_RSC_ADDR_ANY */
	uint32_t pa;		     /**< physical address (host-written for carveouts) */
	uint32_t len;		     /**< length in bytes */
	uint32_t flags;		     /**< iommu protection flags */
	uint32_t reserved;	     /**< must be zero */
	char name[AMP_RSC_NAME_LEN]; /**< human-readable name, NUL-padded */
};

/** RSC_TRACE entry. */
struct amp_fw_rsc_trace {
	uint32_t type;		     /**< AMP_RSC_TRACE */
	uint32_t da;		     /**< device address of the trace buffer */
	uint32_t len;		     /**< its length in bytes */
	uint32_t reserved;	     /**< must be zero */
	char name[AMP_RSC_NAME_LEN]; /**< human-readable name, NUL-padded */
};

/** One vring of a vdev (follows the vdev's fixed part, num_of_vrings of them). */
struct amp_fw_rsc_vdev_vring {
	uint32_t da;	   /**< device address, or AMP_FW_RSC_ADDR_ANY (host fills it in) */
	uint32_t align;	   /**< alignment of the used ring (legacy layout), non-zero power of 2 */
	uint32_t num;	   /**< number of descriptors, a power of two */
	uint32_t notifyid; /**< notify id (Linux overwrites it with its own allocation) */
	uint32_t pa;	   /**< physical address (OpenAMP: reserved) */
};

/**
 * RSC_VDEV entry, fixed part. It is followed by `num_of_vrings` struct amp_fw_rsc_vdev_vring
 * and then `config_len` bytes of virtio config space.
 */
struct amp_fw_rsc_vdev {
	uint32_t type;	       /**< AMP_RSC_VDEV */
	uint32_t id;	       /**< virtio device id (AMP_VIRTIO_ID_RPMSG) */
	uint32_t notifyid;     /**< vdev notify id */
	uint32_t dfeatures;    /**< device features offered by the remote */
	uint32_t gfeatures;    /**< features the host accepted (host-written) */
	uint32_t config_len;   /**< bytes of config space after the vrings */
	uint8_t status;	       /**< virtio status byte (host-written, DRIVER_OK = 0x04) */
	uint8_t num_of_vrings; /**< number of vrings that follow (at most 2) */
	uint8_t reserved[2];   /**< must be zero */
};

/**
 * ampsim's layout of an rpmsg vdev's config space (the `config_len` bytes after its vrings):
 * the buffer size of each direction. No standard carries these on the wire: Linux ignores an
 * rpmsg vdev's config space and always uses 512-byte buffers, and OpenAMP's
 * rpmsg_virtio_config.h2r_buf_size / r2h_buf_size stay local to its driver role. A config
 * space that does not start with AMP_RSC_RPMSG_CFG_MAGIC is not this layout and is ignored,
 * as Linux ignores it (docs/resource-table.md, "Buffer sizes").
 */
struct amp_fw_rsc_rpmsg_cfg {
	uint32_t magic;	  /**< AMP_RSC_RPMSG_CFG_MAGIC */
	uint32_t version; /**< AMP_RSC_RPMSG_CFG_VERSION */
	uint32_t
	    h2r_buf_size; /**< host -> remote (vring1) buffer bytes, header included; 0 = 512 */
	uint32_t r2h_buf_size; /**< remote -> host (vring0) buffer bytes; 0 = 512 */
};

#define AMP_RSC_RPMSG_CFG_MAGIC 0x52504d41u /**< the bytes "AMPR" */
#define AMP_RSC_RPMSG_CFG_VERSION 1u

/** A vendor entry's minimal header (OpenAMP fw_rsc_vendor): type + length of the entry. */
struct amp_fw_rsc_vendor {
	uint32_t type; /**< AMP_RSC_VENDOR_START..AMP_RSC_VENDOR_END */
	uint32_t len;  /**< vendor-defined */
};

/**
 * AMP_RSC_AMPSIM_WATCHDOG entry. The firmware increments @ref refresh in the loaded table at
 * least every @ref timeout_ms; a host that sees no change for that long declares a crash.
 */
struct amp_fw_rsc_watchdog {
	uint32_t type;	     /**< AMP_RSC_AMPSIM_WATCHDOG */
	uint32_t len;	     /**< bytes of the whole entry (>= 16), as struct amp_fw_rsc_vendor */
	uint32_t timeout_ms; /**< refresh period the firmware promises, nonzero */
	uint32_t refresh;    /**< written by the firmware only: any change is a refresh */
};

/* The wire layout: any change here is a protocol change. */
_Static_assert(sizeof(struct amp_rsc_table_hdr) == 16, "table header");
_Static_assert(offsetof(struct amp_rsc_table_hdr, num) == 4, "hdr.num");
_Static_assert(offsetof(struct amp_rsc_table_hdr, reserved) == 8, "hdr.reserved");
_Static_assert(sizeof(struct amp_fw_rsc_carveout) == 56, "carveout");
_Static_assert(offsetof(struct amp_fw_rsc_carveout, da) == 4, "carveout.da");
_Static_assert(offsetof(struct amp_fw_rsc_carveout, pa) == 8, "carveout.pa");
_Static_assert(offsetof(struct amp_fw_rsc_carveout, len) == 12, "carveout.len");
_Static_assert(offsetof(struct amp_fw_rsc_carveout, flags) == 16, "carveout.flags");
_Static_assert(offsetof(struct amp_fw_rsc_carveout, reserved) == 20, "carveout.reserved");
_Static_assert(offsetof(struct amp_fw_rsc_carveout, name) == 24, "carveout.name");
_Static_assert(sizeof(struct amp_fw_rsc_trace) == 48, "trace");
_Static_assert(offsetof(struct amp_fw_rsc_trace, da) == 4, "trace.da");
_Static_assert(offsetof(struct amp_fw_rsc_trace, len) == 8, "trace.len");
_Static_assert(offsetof(struct amp_fw_rsc_trace, reserved) == 12, "trace.reserved");
_Static_assert(offsetof(struct amp_fw_rsc_trace, name) == 16, "trace.name");
_Static_assert(sizeof(struct amp_fw_rsc_vdev_vring) == 20, "vring");
_Static_assert(offsetof(struct amp_fw_rsc_vdev_vring, align) == 4, "vring.align");
_Static_assert(offsetof(struct amp_fw_rsc_vdev_vring, num) == 8, "vring.num");
_Static_assert(offsetof(struct amp_fw_rsc_vdev_vring, notifyid) == 12, "vring.notifyid");
_Static_assert(offsetof(struct amp_fw_rsc_vdev_vring, pa) == 16, "vring.pa");
_Static_assert(sizeof(struct amp_fw_rsc_vdev) == 28, "vdev");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, id) == 4, "vdev.id");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, notifyid) == 8, "vdev.notifyid");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, dfeatures) == 12, "vdev.dfeatures");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, gfeatures) == 16, "vdev.gfeatures");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, config_len) == 20, "vdev.config_len");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, status) == 24, "vdev.status");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, num_of_vrings) == 25, "vdev.num_of_vrings");
_Static_assert(offsetof(struct amp_fw_rsc_vdev, reserved) == 26, "vdev.reserved");
_Static_assert(sizeof(struct amp_fw_rsc_rpmsg_cfg) == 16, "rpmsg config");
_Static_assert(offsetof(struct amp_fw_rsc_rpmsg_cfg, version) == 4, "rpmsg config.version");
_Static_assert(offsetof(struct amp_fw_rsc_rpmsg_cfg, h2r_buf_size) == 8, "rpmsg config.h2r");
_Static_assert(offsetof(struct amp_fw_rsc_rpmsg_cfg, r2h_buf_size) == 12, "rpmsg config.r2h");
_Static_assert(sizeof(struct amp_fw_rsc_vendor) == 8, "vendor");
_Static_assert(sizeof(struct amp_fw_rsc_watchdog) == 16, "watchdog");
_Static_assert(offsetof(struct amp_fw_rsc_watchdog, timeout_ms) == 8, "watchdog.timeout_ms");
_Static_assert(offsetof(struct amp_fw_rsc_watchdog, refresh) == 12, "watchdog.refresh");

#ifdef __cplusplus
}
#endif

#endif /* AMP_RSC_TABLE_H */
