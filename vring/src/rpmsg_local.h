/*
 * Private: the role seam of the RPMsg core. The host and remote roles differ only in how a
 * TX buffer is obtained/published and how an RX buffer is taken/returned; each role is a
 * const table so a firmware image that only calls amp_rpmsg_remote_init() links no host code
 * (--gc-sections drops it).
 */
#ifndef AMP_RPMSG_LOCAL_H
#define AMP_RPMSG_LOCAL_H

#include <amp/rpmsg.h>

#define AMP_RPMSG_F_NOSUPP 0x08u  /* dev->flags: never turn peer notifications off */
#define AMP_EPT_F_ANNOUNCED 0x01u /* ept->flags: NS CREATE was sent */

/* All called with the port lock held. */
struct amp_rpmsg_role_ops {
	/* 1: *buf = buffer start (header), *cap = payload capacity, *id; 0: none; < 0 error */
	int (*tx_get)(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *cap, uint16_t *id);
	/* publish a filled buffer of @total bytes */
	int (*tx_put)(struct amp_rpmsg_dev *dev, uint16_t id, uint32_t total);
	/* take back an untouched buffer */
	int (*tx_unget)(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap);
	/* 1: next received buffer (*len bytes valid); 0: none; < 0 error */
	int (*rx_get)(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *len, uint16_t *id);
	/* give a consumed RX buffer back to the peer */
	int (*rx_put)(struct amp_rpmsg_dev *dev, uint16_t id);
	/* the application holds this RX buffer of @cap payload bytes (may be NULL) */
	void (*rx_mark)(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap);
};

/*
 * Zero-copy bookkeeping, called directly (dispatched on AMP_RPMSG_F_HOST) rather than through
 * the ops table, so an image links it only if the application uses zero-copy. Lock held.
 */
/* a TX buffer was handed to the application (remote: note its id and capacity) */
void amp_rpmsg_r_tx_mark(uint8_t *buf, uint16_t id, uint32_t cap);
/* the application gave it back unsent: no longer held (a second release is refused) */
void amp_rpmsg_r_tx_unmark(uint8_t *buf);
/* find the application-owned TX buffer behind a payload pointer */
int amp_rpmsg_h_tx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap);
int amp_rpmsg_r_tx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap);
/* find the held RX buffer behind a payload pointer, and its payload capacity */
int amp_rpmsg_h_rx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap);
int amp_rpmsg_r_rx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap);

extern const struct amp_rpmsg_role_ops amp_rpmsg_host_ops;
extern const struct amp_rpmsg_role_ops amp_rpmsg_remote_ops;

/* Shared bring-up helper: validate a vring's parameters and translate it. */
int amp_rpmsg_vring_va(const struct amp_rpmsg_dev *dev, const struct amp_vring_info *info,
		       void **va, size_t *size);

static inline void amp_rpmsg_lock(struct amp_rpmsg_dev *dev)
{
	if (dev->port.ops->lock)
		dev->port.ops->lock(dev->port.ctx);
}

/*
 * Buffer-ownership sanitizer: [buf, buf + len) became ours or stopped being ours
 * (amp_port_ops.buf_owner). Off, it costs one NULL test. Lock held.
 */
static inline void amp_rpmsg_owner(const struct amp_rpmsg_dev *dev, void *buf, uint32_t len,
				   bool ours)
{
	if (dev->port.ops->buf_owner)
		dev->port.ops->buf_owner(dev->port.ctx, buf, len, ours);
}

static inline void amp_rpmsg_unlock(struct amp_rpmsg_dev *dev)
{
	if (dev->port.ops->unlock)
		dev->port.ops->unlock(dev->port.ctx);
}

#endif /* AMP_RPMSG_LOCAL_H */
