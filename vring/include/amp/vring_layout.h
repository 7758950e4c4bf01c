/*
 * Wire formats shared by the host (Linux virtio_rpmsg_bus role) and the remote (firmware):
 * the legacy split virtqueue as remoteproc lays it out, the RPMsg header and the
 * name-service message. Little-endian, fixed-width fields only; every struct's size and
 * field offsets are pinned by static asserts. Facts: REFERENCE.md §1 and §3.
 */
#ifndef AMP_VRING_LAYOUT_H
#define AMP_VRING_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Descriptor flags (vring_desc.flags). */
#define AMP_VRING_DESC_F_NEXT 1u     /**< chain continues in .next (not used by RPMsg) */
#define AMP_VRING_DESC_F_WRITE 2u    /**< buffer is device-writable */
#define AMP_VRING_DESC_F_INDIRECT 4u /**< buffer is a descriptor table (not used by RPMsg) */

/* Ring flags. Advisory: both sides tolerate spurious notifications. */
#define AMP_VRING_USED_F_NO_NOTIFY 1u	  /**< used.flags: device asks "do not kick me" */
#define AMP_VRING_AVAIL_F_NO_INTERRUPT 1u /**< avail.flags: driver asks "do not interrupt me" */

/* Feature bits (the 32-bit remoteproc dfeatures/gfeatures word). */
#define AMP_VIRTIO_RPMSG_F_NS 0		   /**< name service announcements */
#define AMP_VIRTIO_RING_F_INDIRECT_DESC 28 /**< indirect descriptors (never used by RPMsg) */
#define AMP_VIRTIO_RING_F_EVENT_IDX 29	   /**< used_event / avail_event suppression */

/* Virtio device status bits (fw_rsc_vdev.status). */
#define AMP_VIRTIO_STATUS_ACK 0x01u
#define AMP_VIRTIO_STATUS_DRIVER 0x02u
#define AMP_VIRTIO_STATUS_DRIVER_OK 0x04u
#define AMP_VIRTIO_STATUS_FEATURES_OK 0x08u
#define AMP_VIRTIO_STATUS_NEEDS_RESET 0x40u
#define AMP_VIRTIO_STATUS_FAILED 0x80u

#define AMP_VIRTIO_ID_RPMSG 7u
#define AMP_VRING_MAX_NUM 32768u /**< queue size limit of the virtio spec */

/** One descriptor: 16 bytes. */
struct amp_vring_desc {
	uint64_t addr;	/**< device address of the buffer */
	uint32_t len;	/**< buffer length in bytes */
	uint16_t flags; /**< AMP_VRING_DESC_F_* */
	uint16_t next;	/**< next descriptor when F_NEXT is set */
};

/** Available ring header; ring[num] and then used_event (u16) follow. */
struct amp_vring_avail {
	uint16_t flags;
	uint16_t idx; /**< free-running, wraps at 65536 */
	uint16_t ring[];
};

/** One used-ring element: 8 bytes. */
struct amp_vring_used_elem {
	uint32_t id;  /**< head descriptor index */
	uint32_t len; /**< bytes the device wrote into the buffer */
};

/** Used ring header; ring[num] and then avail_event (u16) follow. */
struct amp_vring_used {
	uint16_t flags;
	uint16_t idx; /**< free-running, wraps at 65536 */
	struct amp_vring_used_elem ring[];
};

_Static_assert(sizeof(struct amp_vring_desc) == 16, "vring_desc is 16 bytes");
_Static_assert(offsetof(struct amp_vring_desc, addr) == 0, "desc.addr @0");
_Static_assert(offsetof(struct amp_vring_desc, len) == 8, "desc.len @8");
_Static_assert(offsetof(struct amp_vring_desc, flags) == 12, "desc.flags @12");
_Static_assert(offsetof(struct amp_vring_desc, next) == 14, "desc.next @14");
_Static_assert(sizeof(struct amp_vring_avail) == 4, "avail header is 4 bytes");
_Static_assert(offsetof(struct amp_vring_avail, idx) == 2, "avail.idx @2");
_Static_assert(offsetof(struct amp_vring_avail, ring) == 4, "avail.ring @4");
_Static_assert(sizeof(struct amp_vring_used_elem) == 8, "used_elem is 8 bytes");
_Static_assert(offsetof(struct amp_vring_used_elem, len) == 4, "used_elem.len @4");
_Static_assert(sizeof(struct amp_vring_used) == 4, "used header is 4 bytes");
_Static_assert(offsetof(struct amp_vring_used, idx) == 2, "used.idx @2");
_Static_assert(offsetof(struct amp_vring_used, ring) == 4, "used.ring @4");

/** Offset of the avail ring from the vring base (legacy layout). */
static inline size_t amp_vring_avail_off(uint32_t num)
{
	return (size_t)16 * num;
}

/**
 * Offset of the used ring: the first multiple of @p align after avail including its
 * trailing used_event word. @p align must be a power of two.
 */
static inline size_t amp_vring_used_off(uint32_t num, uint32_t align)
{
	size_t end = amp_vring_avail_off(num) + 2u * (3u + num);
	return (end + align - 1u) & ~((size_t)align - 1u);
}

/**
 * Where RPMsg-Lite's vring_init() puts the used ring: it aligns the end of the available
 * ring without the trailing used_event word. For a power-of-two @p num this equals
 * amp_vring_used_off() for every @p align >= 16; it differs with align 8 for num 2, with align
 * 4 for num >= 2, with align 2 or 1 for every num: an RPMsg-Lite peer and Linux then disagree
 * on the ring.
 */
static inline size_t amp_vring_used_off_rpmsg_lite(uint32_t num, uint32_t align)
{
	size_t end = amp_vring_avail_off(num) + 2u * (2u + num);
	return (end + align - 1u) & ~((size_t)align - 1u);
}

/** Bytes a vring occupies (Linux/OpenAMP vring_size; the used part is not padded). */
static inline size_t amp_vring_size(uint32_t num, uint32_t align)
{
	return amp_vring_used_off(num, align) + 2u * 3u + 8u * (size_t)num;
}

/**
 * True iff the other side asked to be notified when the index passed @p event_idx and that
 * happened between @p old_idx and @p new_idx (all u16 arithmetic, so wrap is handled).
 */
static inline int amp_vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1u) < (uint16_t)(new_idx - old_idx);
}

/* RPMsg */
#define AMP_RPMSG_ADDR_ANY 0xFFFFFFFFu
#define AMP_RPMSG_NS_ADDR 53u
#define AMP_RPMSG_RESERVED_ADDRESSES 1024u /**< first dynamic address */
#define AMP_RPMSG_NAME_SIZE 32u
#define AMP_RPMSG_BUF_SIZE_DEFAULT 512u /**< Linux MAX_RPMSG_BUF_SIZE */
/** Smallest buffer (header included) ampsim accepts: room for a name-service message. */
#define AMP_RPMSG_BUF_SIZE_MIN 56u
/** Largest: the 16-bit hdr.len bounds the payload; rounded down to a multiple of 4. */
#define AMP_RPMSG_BUF_SIZE_MAX 65548u
#define AMP_RPMSG_NS_CREATE 0u
#define AMP_RPMSG_NS_DESTROY 1u

/** RPMsg header, 16 bytes, in front of every payload. */
struct amp_rpmsg_hdr {
	uint32_t src;
	uint32_t dst;
	uint32_t reserved; /**< 0 on the wire; ignored on receive */
	uint16_t len;	   /**< payload bytes */
	uint16_t flags;	   /**< 0 on the wire */
};

/** Name-service message, 40 bytes, sent from the announcing endpoint to address 53. */
struct amp_rpmsg_ns_msg {
	char name[AMP_RPMSG_NAME_SIZE];
	uint32_t addr;
	uint32_t flags; /**< AMP_RPMSG_NS_CREATE or AMP_RPMSG_NS_DESTROY (bit test) */
};

#define AMP_RPMSG_HDR_SIZE 16u

_Static_assert(sizeof(struct amp_rpmsg_hdr) == AMP_RPMSG_HDR_SIZE, "rpmsg_hdr is 16 bytes");
_Static_assert(offsetof(struct amp_rpmsg_hdr, src) == 0, "hdr.src @0");
_Static_assert(offsetof(struct amp_rpmsg_hdr, dst) == 4, "hdr.dst @4");
_Static_assert(offsetof(struct amp_rpmsg_hdr, reserved) == 8, "hdr.reserved @8");
_Static_assert(offsetof(struct amp_rpmsg_hdr, len) == 12, "hdr.len @12");
_Static_assert(offsetof(struct amp_rpmsg_hdr, flags) == 14, "hdr.flags @14");
_Static_assert(sizeof(struct amp_rpmsg_ns_msg) == 40, "ns_msg is 40 bytes");
_Static_assert(AMP_RPMSG_BUF_SIZE_MIN == AMP_RPMSG_HDR_SIZE + sizeof(struct amp_rpmsg_ns_msg),
	       "a minimal buffer carries a name-service message");
_Static_assert(AMP_RPMSG_BUF_SIZE_MAX % 4u == 0 &&
		   AMP_RPMSG_BUF_SIZE_MAX - AMP_RPMSG_HDR_SIZE <= 0xFFFFu &&
		   AMP_RPMSG_BUF_SIZE_MAX + 4u - AMP_RPMSG_HDR_SIZE > 0xFFFFu,
	       "the largest multiple of 4 whose payload hdr.len can describe");
_Static_assert(offsetof(struct amp_rpmsg_ns_msg, addr) == 32, "ns.addr @32");
_Static_assert(offsetof(struct amp_rpmsg_ns_msg, flags) == 36, "ns.flags @36");

#ifdef __cplusplus
}
#endif

#endif /* AMP_VRING_LAYOUT_H */
