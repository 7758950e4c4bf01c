/*
 * Host role (virtio driver side), as Linux virtio_rpmsg_bus behaves: the host owns every
 * buffer (pool = RX buffers, then TX buffers), keeps RX buffers posted on vring0, hands out
 * TX buffers never used first and then reclaims those the remote returned on vring1.
 *
 * Buffer i of a direction is descriptor i of that direction's vring, so a buffer's address
 * is computed from our own configuration and never read back from shared memory.
 */
#include <string.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#include "local.h"
#include "rpmsg_local.h"

static bool bit_test(const uint32_t *map, uint32_t i)
{
	return (map[i / 32u] >> (i % 32u)) & 1u;
}

static void bit_set(uint32_t *map, uint32_t i)
{
	map[i / 32u] |= 1u << (i % 32u);
}

static void bit_clear(uint32_t *map, uint32_t i)
{
	map[i / 32u] &= ~(1u << (i % 32u));
}

static int free_tx_find(const struct amp_rpmsg_dev *dev)
{
	uint32_t w, words = AMP_VQ_BITMAP_WORDS(dev->u.h.tx_count);

	for (w = 0; w < words; w++) {
		uint32_t v = dev->u.h.tx_free[w];

		if (v)
			return (int)(w * 32u + (uint32_t)__builtin_ctz(v));
	}
	return -1;
}

static int h_tx_get(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *cap, uint16_t *id)
{
	int i = free_tx_find(dev);

	if (i < 0) {
		uint16_t uid;
		uint32_t ulen;
		int ret;

		/* Reclaim what the remote consumed (Linux does this lazily in get_a_tx_buf). */
		while ((ret = amp_vq_get_used(&dev->tvq, &uid, &ulen)) > 0) {
			amp_rpmsg_tr(dev, AMP_TRACE_USED_GET, &dev->tvq,
				     (uint16_t)(dev->tvq.last_idx - 1u), uid, ulen);
			bit_set(dev->u.h.tx_free, uid);
		}
		if (ret < 0)
			return ret;
		i = free_tx_find(dev);
		if (i < 0)
			return 0;
	}
	bit_clear(dev->u.h.tx_free, (uint32_t)i);
	*id = (uint16_t)i;
	*buf = dev->u.h.va + dev->u.h.tx_off + (size_t)i * dev->u.h.tx_size;
	*cap = dev->tx_mtu;
	return 1;
}

static int h_tx_put(struct amp_rpmsg_dev *dev, uint16_t id, uint32_t total)
{
	/* Device-readable, and only as long as the message (Linux: virtqueue_add_outbuf). */
	int ret = amp_vq_add(&dev->tvq, id,
			     dev->u.h.da + dev->u.h.tx_off + (uint64_t)id * dev->u.h.tx_size, total,
			     false);

	if (ret == 0)
		amp_rpmsg_tr(dev, AMP_TRACE_AVAIL_PUB, &dev->tvq,
			     (uint16_t)(dev->tvq.shadow_idx - 1u), id, total);
	return ret;
}

static int h_tx_unget(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap)
{
	(void)buf;
	(void)cap;
	bit_set(dev->u.h.tx_free, id);
	return 0;
}

int amp_rpmsg_h_tx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap)
{
	uintptr_t p = (uintptr_t)payload - AMP_RPMSG_HDR_SIZE,
		  base = (uintptr_t)(dev->u.h.va + dev->u.h.tx_off);
	uintptr_t off, i;

	if (p < base)
		return AMP_EINVAL;
	off = p - base;
	i = off / dev->u.h.tx_size;
	if (off % dev->u.h.tx_size || i >= dev->u.h.tx_count)
		return AMP_EINVAL;
	/* Must be reserved by the application: neither free nor with the remote. */
	if (bit_test(dev->u.h.tx_free, (uint32_t)i) || amp_vq_in_flight(&dev->tvq, (uint16_t)i))
		return AMP_EINVAL;
	*id = (uint16_t)i;
	*cap = dev->tx_mtu;
	return 0;
}

static int h_rx_get(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *len, uint16_t *id)
{
	int ret = amp_vq_get_used(&dev->rvq, id, len);

	/* amp_vq_get_used checked id < num and in flight; ids >= rx_count are never posted. */
	if (ret > 0) {
		*buf = dev->u.h.va + (size_t)*id * dev->u.h.rx_size;
		amp_rpmsg_tr(dev, AMP_TRACE_USED_GET, &dev->rvq, (uint16_t)(dev->rvq.last_idx - 1u),
			     *id, *len);
	}
	return ret;
}

static int h_rx_put(struct amp_rpmsg_dev *dev, uint16_t id)
{
	int ret = amp_vq_add(&dev->rvq, id, dev->u.h.da + (uint64_t)id * dev->u.h.rx_size,
			     dev->u.h.rx_size, true);

	if (ret == 0)
		amp_rpmsg_tr(dev, AMP_TRACE_AVAIL_PUB, &dev->rvq,
			     (uint16_t)(dev->rvq.shadow_idx - 1u), id, dev->u.h.rx_size);
	return ret;
}

int amp_rpmsg_h_rx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap)
{
	uintptr_t p = (uintptr_t)payload - AMP_RPMSG_HDR_SIZE, base = (uintptr_t)dev->u.h.va;
	uintptr_t off, i;

	if (p < base)
		return AMP_EINVAL;
	off = p - base;
	i = off / dev->u.h.rx_size;
	if (off % dev->u.h.rx_size || i >= dev->u.h.rx_count ||
	    amp_vq_in_flight(&dev->rvq, (uint16_t)i))
		return AMP_EINVAL;
	*id = (uint16_t)i;
	*cap = dev->u.h.rx_size - AMP_RPMSG_HDR_SIZE;
	return 0;
}

const struct amp_rpmsg_role_ops amp_rpmsg_host_ops = {
    .tx_get = h_tx_get,
    .tx_put = h_tx_put,
    .tx_unget = h_tx_unget,
    .rx_get = h_rx_get,
    .rx_put = h_rx_put,
};

/* Both driver-side queues, their in-flight maps and the TX free map in cfg->work. */
static int h_queues_init(struct amp_rpmsg_dev *dev, const struct amp_rpmsg_host_cfg *cfg,
			 const struct amp_rpmsg_pool *geo)
{
	uint32_t words0 = AMP_VQ_BITMAP_WORDS(cfg->vring[0].num);
	uint32_t words1 = AMP_VQ_BITMAP_WORDS(cfg->vring[1].num);
	uint32_t wordst = AMP_VQ_BITMAP_WORDS(geo->h2r.count), i;
	struct amp_vq_cfg qc;
	void *va;
	size_t size;
	int ret;

	if (!cfg->work || cfg->work_words < (size_t)words0 + words1 + wordst)
		return AMP_EINVAL;
	for (i = 0; i < 2; i++) {
		ret = amp_rpmsg_vring_va(dev, &cfg->vring[i], &va, &size);
		if (ret)
			return ret;
		memset(&qc, 0, sizeof(qc));
		qc.num = cfg->vring[i].num;
		qc.align = cfg->vring[i].align;
		qc.notify_id = cfg->vring[i].notify_id;
		qc.max_len = i == 0 ? geo->r2h.size : geo->h2r.size;
		qc.event_idx = (cfg->features >> AMP_VIRTIO_RING_F_EVENT_IDX) & 1u;
		ret = amp_vq_driver_init(i == 0 ? &dev->rvq : &dev->tvq, &qc, va, size,
					 i == 0 ? cfg->work : cfg->work + words0);
		if (ret)
			return ret;
	}
	dev->u.h.tx_free = cfg->work + words0 + words1;
	memset(dev->u.h.tx_free, 0, wordst * sizeof(uint32_t));
	for (i = 0; i < geo->h2r.count; i++)
		bit_set(dev->u.h.tx_free, i);
	return 0;
}

/* As rpmsg_probe's end: post every RX buffer, DRIVER_OK without a kick, then kick vring0. */
static int h_start(struct amp_rpmsg_dev *dev, const struct amp_rpmsg_host_cfg *cfg)
{
	uint32_t i;
	int ret;

	/* Linux keeps "tx complete" interrupts off unless a sender is waiting. */
	if (cfg->no_suppress)
		dev->flags |= AMP_RPMSG_F_NOSUPP;
	else
		(void)amp_vq_set_notify(&dev->tvq, false);
	for (i = 0; i < dev->u.h.rx_count; i++) {
		ret = h_rx_put(dev, (uint16_t)i);
		if (ret)
			return ret;
	}
	dev->flags |= AMP_RPMSG_F_READY;
	cfg->set_status(cfg->status_ctx, AMP_VIRTIO_STATUS_ACK | AMP_VIRTIO_STATUS_DRIVER |
					     AMP_VIRTIO_STATUS_DRIVER_OK);
	(void)amp_vq_need_notify(&dev->rvq);
	dev->port.ops->notify(dev->port.ctx, dev->rvq.notify_id);
	return 0;
}

int amp_rpmsg_host_init(struct amp_rpmsg_dev *dev, const struct amp_rpmsg_host_cfg *cfg,
			const struct amp_port *port)
{
	struct amp_rpmsg_pool geo;
	void *pool;
	int ret;

	if (!dev || !cfg || !cfg->set_status || !port || !port->ops || !port->ops->notify ||
	    !port->ops->da_to_va)
		return AMP_EINVAL;
	memset(dev, 0, sizeof(*dev));
	dev->port = *port;

	ret = amp_rpmsg_pool_init(&geo, &(struct amp_rpmsg_pool_cfg){
					    .num = {cfg->vring[0].num, cfg->vring[1].num},
					    .r2h_size = cfg->rx_buf_size,
					    .h2r_size = cfg->tx_buf_size,
					    .r2h_count = cfg->rx_count,
					    .h2r_count = cfg->tx_count,
					});
	if (ret || geo.total > cfg->pool_size)
		return AMP_EINVAL;
	pool = port->ops->da_to_va(port->ctx, cfg->pool_da, geo.total);
	if (!pool)
		return AMP_EFAULT;
	if ((uintptr_t)pool & 3u)
		return AMP_EINVAL;
	ret = h_queues_init(dev, cfg, &geo);
	if (ret)
		return ret;

	dev->u.h.va = pool;
	dev->u.h.da = cfg->pool_da;
	dev->u.h.tx_off = geo.h2r.offset;
	dev->u.h.rx_size = geo.r2h.size;
	dev->u.h.tx_size = geo.h2r.size;
	dev->u.h.rx_count = (uint16_t)geo.r2h.count; /* <= num <= 32768 */
	dev->u.h.tx_count = (uint16_t)geo.h2r.count;
	dev->tx_mtu = geo.h2r.mtu;
	dev->flags = AMP_RPMSG_F_HOST;
	if (cfg->features & (1u << AMP_VIRTIO_RPMSG_F_NS))
		dev->flags |= AMP_RPMSG_F_NS;
	dev->ns_cb = cfg->ns_cb;
	dev->ns_priv = cfg->ns_priv;
	dev->next_addr = AMP_RPMSG_RESERVED_ADDRESSES;
	dev->send_timeout_ms = AMP_RPMSG_SEND_TIMEOUT_MS;
	dev->ops = &amp_rpmsg_host_ops;
	return h_start(dev, cfg);
}
