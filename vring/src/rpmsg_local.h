/*
 * Private to the RPMsg core. The role seam itself (struct amp_rpmsg_role_ops) is in
 * <amp/rpmsg_role.h>, so that a host can interpose on it.
 */
#ifndef AMP_RPMSG_LOCAL_H
#define AMP_RPMSG_LOCAL_H

#include <amp/rpmsg.h>
#include <amp/rpmsg_role.h> /* struct amp_rpmsg_role_ops */

#define AMP_RPMSG_F_NOSUPP 0x08u  /* dev->flags: never turn peer notifications off */
#define AMP_EPT_F_ANNOUNCED 0x01u /* ept->flags: NS CREATE was sent */

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

/* The vring a queue of this device is: the host receives on vring0, the remote on vring1. */
static inline uint16_t amp_rpmsg_qnum(const struct amp_rpmsg_dev *dev, const struct amp_vq *vq)
{
	return (uint16_t)((vq == &dev->rvq) == ((dev->flags & AMP_RPMSG_F_HOST) != 0) ? 0u : 1u);
}

/* Event trace hooks (<amp/trace.h>): compiled in unless the build says otherwise. */
#ifndef AMP_CFG_TRACE
#define AMP_CFG_TRACE 1
#endif
#define AMP_RPMSG_TRACING(dev) (AMP_CFG_TRACE && (dev)->trace)

/* Out of line: the hook points stay one test of dev->trace. */
void amp_rpmsg_trace_emit(const struct amp_rpmsg_dev *dev, uint16_t kind, const struct amp_vq *vq,
			  uint16_t idx, uint16_t id, uint32_t len, uint32_t src, uint32_t dst);

/*
 * Event trace hook: @p idx is the ring index just published or consumed. Off (no sink), it
 * costs one NULL test.
 */
static inline void amp_rpmsg_tr(const struct amp_rpmsg_dev *dev, uint16_t kind,
				const struct amp_vq *vq, uint16_t idx, uint16_t id, uint32_t len)
{
	if (AMP_RPMSG_TRACING(dev))
		amp_rpmsg_trace_emit(dev, kind, vq, idx, id, len, 0, 0);
}

static inline void amp_rpmsg_unlock(struct amp_rpmsg_dev *dev)
{
	if (dev->port.ops->unlock)
		dev->port.ops->unlock(dev->port.ctx);
}

#endif /* AMP_RPMSG_LOCAL_H */
