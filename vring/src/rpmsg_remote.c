/*
 * Remote role (virtio device side), as OpenAMP behaves on STM32MP1: wait for DRIVER_OK, build
 * the queues from the vring parameters the host patched into the table, receive on vring1,
 * send in the host's RX buffers taken from vring0.
 */
#include <string.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#include "local.h"
#include "rpmsg_local.h"

/*
 * While the application holds a buffer its descriptor id and payload capacity (bits 16..31)
 * are kept in the header's reserved word, as OpenAMP does; the header is rewritten on send.
 * HELD marks a buffer the application owns, so a second release or a stray pointer is
 * refused. The word sits in shared memory: it is read once, and a marked id >= num is the
 * peer's scribbling, a protocol violation. A wrong but valid id only confuses the host's own
 * (checked) bookkeeping.
 */
#define HELD 0x8000u /* ids are < 32768, so bit 15 is free */

static void put_reserved(uint8_t *buf, uint32_t v)
{
	v = amp_le32(v);
	memcpy(buf + offsetof(struct amp_rpmsg_hdr, reserved), &v, sizeof(v));
}

/* 0 and *v, AMP_EINVAL if not held, AMP_EPROTO (queue broken, counted) if corrupted. */
static int get_reserved(struct amp_vq *vq, const uint8_t *buf, uint32_t *v)
{
	uint32_t w;

	memcpy(&w, buf + offsetof(struct amp_rpmsg_hdr, reserved), sizeof(w));
	w = amp_le32(w);
	*v = w; /* used only on success */
	if (!(w & HELD))
		return AMP_EINVAL;
	if ((w & 0x7FFFu) >= vq->num)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_HELD_ID, w & 0x7FFFu, vq->num);
	return 0;
}

static int r_tx_get(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *cap, uint16_t *id)
{
	void *va;
	uint32_t len;
	int ret;

	if (dev->nstash) {
		/* A buffer given back unsent; validated when we first took it. */
		dev->nstash--;
		*buf = dev->u.r.stash_buf[dev->nstash];
		*id = dev->u.r.stash_id[dev->nstash];
		*cap = dev->u.r.stash_cap[dev->nstash];
		return 1;
	}
	ret = amp_vq_get_avail(&dev->tvq, &dev->port, id, &va, &len);
	if (ret <= 0)
		return ret;
	amp_rpmsg_tr(dev, AMP_TRACE_AVAIL_GET, &dev->tvq, (uint16_t)(dev->tvq.last_idx - 1u), *id,
		     len);
	*buf = va;
	len -= AMP_RPMSG_HDR_SIZE; /* min_len guarantees the header fits */
	*cap = len > UINT16_MAX ? UINT16_MAX : len;
	return 1;
}

static int r_tx_put(struct amp_rpmsg_dev *dev, uint16_t id, uint32_t total)
{
	int ret = amp_vq_put_used(&dev->tvq, id, total);

	if (ret == 0)
		amp_rpmsg_tr(dev, AMP_TRACE_USED_PUB, &dev->tvq,
			     (uint16_t)(dev->tvq.shadow_idx - 1u), id, total);
	return ret;
}

static int r_tx_unget(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap)
{
	uint8_t n = dev->nstash;

	/* A device cannot hand a buffer back unused; keep it for our next send instead. */
	if (n >= AMP_RPMSG_TX_STASH)
		return AMP_EBUSY;
	dev->u.r.stash_buf[n] = buf;
	dev->u.r.stash_id[n] = id;
	dev->u.r.stash_cap[n] = (uint16_t)cap;
	dev->nstash = (uint8_t)(n + 1u);
	return 0;
}

void amp_rpmsg_r_tx_mark(uint8_t *buf, uint16_t id, uint32_t cap)
{
	put_reserved(buf, (uint32_t)id | HELD | (cap << 16));
}

void amp_rpmsg_r_tx_unmark(uint8_t *buf)
{
	put_reserved(buf, 0);
}

int amp_rpmsg_r_tx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap)
{
	uint32_t v;
	int ret = get_reserved(&dev->tvq, (uint8_t *)payload - AMP_RPMSG_HDR_SIZE, &v);

	if (ret)
		return ret;
	*id = (uint16_t)(v & 0x7FFFu);
	*cap = v >> 16;
	return 0;
}

static int r_rx_get(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *len, uint16_t *id)
{
	void *va;
	int ret = amp_vq_get_avail(&dev->rvq, &dev->port, id, &va, len);

	if (ret > 0) {
		*buf = va;
		amp_rpmsg_tr(dev, AMP_TRACE_AVAIL_GET, &dev->rvq,
			     (uint16_t)(dev->rvq.last_idx - 1u), *id, *len);
	}
	return ret;
}

static int r_rx_put(struct amp_rpmsg_dev *dev, uint16_t id)
{
	/* The buffer was device-readable: nothing written, so the used length is 0. */
	int ret = amp_vq_put_used(&dev->rvq, id, 0);

	if (ret == 0)
		amp_rpmsg_tr(dev, AMP_TRACE_USED_PUB, &dev->rvq,
			     (uint16_t)(dev->rvq.shadow_idx - 1u), id, 0);
	return ret;
}

static void r_rx_mark(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap)
{
	(void)dev;
	put_reserved(buf, (uint32_t)id | HELD | (cap << 16));
}

int amp_rpmsg_r_rx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap)
{
	uint8_t *buf = (uint8_t *)payload - AMP_RPMSG_HDR_SIZE;
	uint32_t v;
	int ret = get_reserved(&dev->rvq, buf, &v);

	if (ret)
		return ret;
	put_reserved(buf, 0); /* before the host owns it again: a second release is refused */
	*id = (uint16_t)(v & 0x7FFFu);
	*cap = v >> 16;
	return 0;
}

const struct amp_rpmsg_role_ops amp_rpmsg_remote_ops = {
    .tx_get = r_tx_get,
    .tx_put = r_tx_put,
    .tx_unget = r_tx_unget,
    .rx_get = r_rx_get,
    .rx_put = r_rx_put,
    .rx_mark = r_rx_mark,
};

/*
 * Like rproc_virtio_wait_remote_ready: the host sets DRIVER_OK without a kick, so poll the
 * status every millisecond rather than wait for a doorbell.
 */
static int wait_driver_ok(const struct amp_rpmsg_remote_cfg *cfg, const struct amp_port *port)
{
	uint32_t left = cfg->ready_timeout_ms;

	while (!(cfg->get_status(cfg->vdev_ctx) & AMP_VIRTIO_STATUS_DRIVER_OK)) {
		uint32_t slice = 1;

		if (!port->ops->wait || left == 0)
			return AMP_ETIMEDOUT;
		(void)port->ops->wait(port->ctx, &slice);
		left--; /* a poll counts as a millisecond even if woken early: bounded by polls */
	}
	/* The host wrote the vring addresses and notify ids before the status byte. */
	atomic_thread_fence(memory_order_acquire);
	return 0;
}

/* The device side of both queues, from what the host placed. */
static int queues_init(struct amp_rpmsg_dev *dev, const struct amp_rpmsg_vdev_params *p)
{
	struct amp_vq_cfg qc;
	void *va;
	size_t size;
	int i, ret;

	for (i = 0; i < 2; i++) {
		ret = amp_rpmsg_vring_va(dev, &p->vring[i], &va, &size);
		if (ret)
			return ret;
		qc = (struct amp_vq_cfg){
		    .num = p->vring[i].num,
		    .align = p->vring[i].align,
		    .notify_id = p->vring[i].notify_id,
		    .min_len = AMP_RPMSG_HDR_SIZE,
		    .dev_writes = i == 0, /* vring0 carries our messages into the host's buffers */
		    .event_idx = (p->features >> AMP_VIRTIO_RING_F_EVENT_IDX) & 1u,
		};
		ret = amp_vq_device_init(i == 0 ? &dev->tvq : &dev->rvq, &qc, va, size);
		if (ret)
			return ret;
	}
	return 0;
}

int amp_rpmsg_remote_init(struct amp_rpmsg_dev *dev, const struct amp_rpmsg_remote_cfg *cfg,
			  const struct amp_port *port)
{
	struct amp_rpmsg_vdev_params p;
	int ret;

	if (!dev || !cfg || !cfg->get_status || !cfg->read_vdev || !port || !port->ops ||
	    !port->ops->notify || !port->ops->da_to_va)
		return AMP_EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->port = *port;
	ret = wait_driver_ok(cfg, port);
	if (!ret)
		ret = cfg->read_vdev(cfg->vdev_ctx, &p);
	if (!ret && p.r2h_buf_size && p.r2h_buf_size <= AMP_RPMSG_HDR_SIZE)
		ret = AMP_EINVAL;
	if (!ret)
		ret = queues_init(dev, &p);
	if (ret)
		return ret;
	/* A declared size lets an oversize send fail before it takes (or waits for) a buffer. */
	if (p.r2h_buf_size)
		dev->tx_mtu = p.r2h_buf_size - AMP_RPMSG_HDR_SIZE;
	if (!cfg->no_suppress)
		(void)amp_vq_set_notify(&dev->tvq, false); /* no vring0 kicks unless we wait */
	dev->ns_cb = cfg->ns_cb;
	dev->ns_priv = cfg->ns_priv;
	dev->next_addr = AMP_RPMSG_RESERVED_ADDRESSES;
	dev->send_timeout_ms = AMP_RPMSG_SEND_TIMEOUT_MS;
	dev->ops = &amp_rpmsg_remote_ops;
	dev->flags = (uint8_t)(AMP_RPMSG_F_READY | (cfg->no_suppress ? AMP_RPMSG_F_NOSUPP : 0) |
			       ((p.features >> AMP_VIRTIO_RPMSG_F_NS) & 1u ? AMP_RPMSG_F_NS : 0));
	return 0;
}
