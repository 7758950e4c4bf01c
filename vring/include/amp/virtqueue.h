/*
 * Split virtqueue, both sides, over a legacy-layout vring in shared memory.
 *
 * Driver side (Linux role): owns the descriptor table and the avail ring, posts buffers it
 * owns, reclaims them from the used ring. Device side (firmware role): consumes avail
 * entries, returns them on the used ring.
 *
 * Everything read from the ring is untrusted: it is read once into a local, checked, and
 * only then used. A violation marks the queue broken (every later call returns
 * AMP_EBROKEN), increments stats.err[kind] and returns AMP_EPROTO. Our own indices live
 * in struct amp_vq and are never read back from shared memory.
 *
 * Locking: none inside; the caller serialises calls on one queue (the RPMsg layer uses the
 * port lock).
 */
#ifndef AMP_VIRTQUEUE_H
#define AMP_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/port.h>
#include <amp/vring_layout.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One counter per hardening check (index into amp_vq_stats.err). */
enum amp_vq_err {
	AMP_VQ_ERR_AVAIL_IDX,  /**< device: avail.idx moved more than num past our last_avail */
	AMP_VQ_ERR_DESC_ID,    /**< device: head index read from the avail ring >= num */
	AMP_VQ_ERR_DESC_FLAGS, /**< device: NEXT/INDIRECT set, or WRITE not as the queue needs */
	AMP_VQ_ERR_DESC_LEN,   /**< device: descriptor len below the queue's minimum */
	AMP_VQ_ERR_DESC_ADDR,  /**< device: [addr, addr+len) rejected by the port's da_to_va */
	AMP_VQ_ERR_USED_IDX,   /**< driver: used.idx moved past the buffers in flight */
	AMP_VQ_ERR_USED_ID,    /**< driver: used id >= num */
	AMP_VQ_ERR_USED_STALE, /**< driver: used id not currently in flight (double return) */
	AMP_VQ_ERR_USED_LEN,   /**< driver: used len larger than the queue's buffer size */
	AMP_VQ_ERR_MSG_LEN,    /**< rpmsg: 16 + hdr.len larger than the bytes in the buffer */
	AMP_VQ_ERR_HELD_ID,    /**< remote: id kept in a held buffer's header now >= num */
	AMP_VQ_ERR_COUNT
};

/**
 * Why a queue broke: its first violation, with the offending value read from the ring and
 * the bound it broke (both 0 where the check has none). A host turns it into text.
 */
struct amp_vq_fault {
	uint32_t value; /**< e.g. the used id read */
	uint32_t limit; /**< e.g. num */
	uint8_t kind;	/**< enum amp_vq_err; valid once the queue is broken */
};

/** Counters; read-only for users, never reset by the core. */
struct amp_vq_stats {
	uint32_t kicks;			/**< notifications we decided to send to the peer */
	uint32_t kicks_suppressed;	/**< notifications skipped because the peer asked */
	uint32_t interrupts;		/**< notifications received for this queue */
	uint32_t bufs;			/**< driver: buffers posted; device: buffers consumed */
	uint32_t err[AMP_VQ_ERR_COUNT]; /**< protocol violations, by kind */
};

/** Queue parameters (the resource table's fw_rsc_vdev_vring, plus local policy). */
struct amp_vq_cfg {
	uint32_t num;	    /**< entries, power of two, 1..32768 */
	uint32_t align;	    /**< used-ring alignment, power of two >= 4 */
	uint32_t notify_id; /**< doorbell id for this queue */
	uint32_t max_len;   /**< driver: largest used.len accepted (0 = no limit) */
	uint16_t min_len;   /**< device: smallest descriptor len accepted */
	bool dev_writes;    /**< device: buffers must be device-writable (else device-readable) */
	bool event_idx;	    /**< VIRTIO_RING_F_EVENT_IDX negotiated */
};

#define AMP_VQ_F_DRIVER 0x01u
#define AMP_VQ_F_EVENT_IDX 0x02u
#define AMP_VQ_F_DEV_WRITES 0x04u
#define AMP_VQ_F_BROKEN 0x08u
#define AMP_VQ_F_NOTIFY_OFF 0x10u

/** Words of the in-flight bitmap a driver-side queue of @p num entries needs. */
#define AMP_VQ_BITMAP_WORDS(num) (((num) + 31u) / 32u)

/** A virtqueue. All fields private except stats (read-only) and notify_id (read-only). */
struct amp_vq {
	volatile struct amp_vring_desc *desc;
	volatile struct amp_vring_avail *avail;
	volatile struct amp_vring_used *used;
	uint32_t *inflight; /**< driver: bit per descriptor id given to the device */
	uint32_t max_len;
	uint32_t notify_id; /**< read-only */
	uint16_t num;
	uint16_t last_idx;   /**< device: next avail idx to consume; driver: next used idx */
	uint16_t shadow_idx; /**< device: our used.idx; driver: our avail.idx */
	uint16_t kicked_idx; /**< shadow_idx when we last decided about a notification */
	uint16_t ninflight;  /**< driver: buffers the device holds */
	uint16_t min_len;
	uint8_t flags;		   /**< AMP_VQ_F_* */
	struct amp_vq_stats stats; /**< read-only */
	struct amp_vq_fault fault; /**< read-only: the first violation, once broken */
};

/**
 * Set up the driver side over @p ring (@p ring_len bytes, at least amp_vring_size()) and
 * zero the whole vring, as Linux does before use.
 * @param inflight  caller storage of AMP_VQ_BITMAP_WORDS(cfg->num) words, owned by the
 *                  queue until it is no longer used.
 * @retval 0 ok
 * @retval AMP_EINVAL bad num/align, ring too small or misaligned, missing storage
 */
int amp_vq_driver_init(struct amp_vq *vq, const struct amp_vq_cfg *cfg, void *ring, size_t ring_len,
		       uint32_t *inflight);

/**
 * Set up the device side over a vring the driver already initialised. Does not write it.
 * @retval 0 ok
 * @retval AMP_EINVAL bad num/align, ring too small or misaligned
 */
int amp_vq_device_init(struct amp_vq *vq, const struct amp_vq_cfg *cfg, void *ring,
		       size_t ring_len);

/**
 * Driver: give buffer @p id ([@p da, @p da + @p len)) to the device and publish it.
 * @retval 0 ok
 * @retval AMP_EINVAL id out of range or already in flight (caller bug)
 * @retval AMP_EBROKEN queue broken
 */
int amp_vq_add(struct amp_vq *vq, uint16_t id, uint64_t da, uint32_t len, bool dev_writes);

/**
 * Driver: take the next buffer the device returned.
 * @retval 1 *id and *len set
 * @retval 0 nothing pending
 * @retval AMP_EPROTO violation (see stats.err), queue now broken
 * @retval AMP_EBROKEN queue broken earlier
 */
int amp_vq_get_used(struct amp_vq *vq, uint16_t *id, uint32_t *len);

/** Driver: is @p id currently held by the device? */
bool amp_vq_in_flight(const struct amp_vq *vq, uint16_t id);

/**
 * Device: take the next available buffer, validated and translated through @p port.
 * @retval 1 *id, *va, *len set (va spans len bytes)
 * @retval 0 nothing pending
 * @retval AMP_EPROTO violation (see stats.err), queue now broken
 * @retval AMP_EBROKEN queue broken earlier
 */
int amp_vq_get_avail(struct amp_vq *vq, const struct amp_port *port, uint16_t *id, void **va,
		     uint32_t *len);

/** Device: undo the most recent amp_vq_get_avail() (the buffer was not used). */
void amp_vq_unget_avail(struct amp_vq *vq);

/**
 * Device: return buffer @p id with @p len bytes written.
 * @retval 0 ok
 * @retval AMP_EINVAL id out of range
 * @retval AMP_EBROKEN queue broken
 */
int amp_vq_put_used(struct amp_vq *vq, uint16_t id, uint32_t len);

/**
 * Either side: after publishing, decide whether the peer wants a notification (ring flags,
 * or EVENT_IDX when negotiated). Counts stats.kicks / stats.kicks_suppressed. The caller
 * then calls the port's notify(vq->notify_id) if this returned true.
 */
bool amp_vq_need_notify(struct amp_vq *vq);

/**
 * Either side: ask the peer to notify us (@p on) or not about this queue: driver side is
 * "interrupt me when you return buffers", device side is "kick me when you add buffers".
 * @return true if work is already pending (check again before sleeping)
 */
bool amp_vq_set_notify(struct amp_vq *vq, bool on);

/**
 * Either side: a protocol violation of @p kind found by the layer above (RPMsg's message and
 * held-buffer checks): mark the queue broken and count it, as the queue's own checks do.
 * @return AMP_EPROTO, for the caller to return
 */
int amp_vq_fail(struct amp_vq *vq, enum amp_vq_err kind);

/**
 * As amp_vq_fail(), recording the offending @p value and the @p limit it broke in
 * vq->fault if this is the queue's first violation.
 */
int amp_vq_fail_at(struct amp_vq *vq, enum amp_vq_err kind, uint32_t value, uint32_t limit);

/**
 * The index the peer publishes, as it reads now (driver: used.idx, device: avail.idx).
 * The peer's value, unchecked: for diagnostics that only count, never for a decision.
 */
uint16_t amp_vq_peer_idx(const struct amp_vq *vq);

/** True once a protocol violation was seen. */
static inline bool amp_vq_broken(const struct amp_vq *vq)
{
	return (vq->flags & AMP_VQ_F_BROKEN) != 0;
}

#ifdef __cplusplus
}
#endif

#endif /* AMP_VIRTQUEUE_H */
