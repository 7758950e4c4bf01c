/*
 * RPMsg core shared by both roles: endpoints, name service, send paths (copy and zero-copy,
 * blocking through the port's wait hook) and receive dispatch.
 */
#include <string.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#include "local.h"
#include "rpmsg_local.h"

#define ADDR_ANY AMP_RPMSG_ADDR_ANY

int amp_rpmsg_vring_va(const struct amp_rpmsg_dev *dev, const struct amp_vring_info *info,
		       void **va, size_t *size)
{
	/*
	 * num and align are checked by amp_vq_*_init() before the ring is touched; a size that
	 * bad values made wrong (even wrapped) is only ever translated, never used.
	 */
	*size = amp_vring_size(info->num, info->align);
	*va = dev->port.ops->da_to_va(dev->port.ctx, info->da, (uint32_t)*size);
	return *va ? 0 : AMP_EFAULT;
}

#if AMP_CFG_TRACE
void amp_rpmsg_trace_emit(const struct amp_rpmsg_dev *dev, uint16_t kind, const struct amp_vq *vq,
			  uint16_t idx, uint16_t id, uint32_t len, uint32_t src, uint32_t dst)
{
	struct amp_trace_ev ev = {.kind = kind,
				  .q = amp_rpmsg_qnum(dev, vq),
				  .idx = idx,
				  .id = id,
				  .len = len,
				  .src = src,
				  .dst = dst};

	dev->trace->emit(dev->trace->ctx, &ev);
}
#endif

static void notify(struct amp_rpmsg_dev *dev, const struct amp_vq *vq)
{
	amp_rpmsg_tr(dev, AMP_TRACE_KICK, vq, vq->shadow_idx, 0, 0);
	dev->port.ops->notify(dev->port.ctx, vq->notify_id);
}

/* Lock held: does a publish need the doorbell? A suppressed one is traced as coalesced. */
static bool need_kick(struct amp_rpmsg_dev *dev, struct amp_vq *vq)
{
	bool need = amp_vq_need_notify(vq);

	if (!need)
		amp_rpmsg_tr(dev, AMP_TRACE_KICK_COALESCED, vq, vq->shadow_idx, 0, 0);
	return need;
}

static struct amp_rpmsg_ept *ept_find(struct amp_rpmsg_dev *dev, uint32_t addr)
{
	struct amp_rpmsg_ept *e;

	for (e = dev->epts; e; e = e->next)
		if (e->addr == addr)
			return e;
	return NULL;
}

static void ept_unlink(struct amp_rpmsg_dev *dev, struct amp_rpmsg_ept *ept)
{
	struct amp_rpmsg_ept **pp;

	for (pp = &dev->epts; *pp; pp = &(*pp)->next) {
		if (*pp == ept) {
			*pp = ept->next;
			break;
		}
	}
}

/* Lowest free address >= 1024, continuing after the last one given (next-fit). */
static uint32_t addr_alloc(struct amp_rpmsg_dev *dev)
{
	uint32_t a = dev->next_addr;

	for (;;) {
		if (a < AMP_RPMSG_RESERVED_ADDRESSES || a == ADDR_ANY)
			a = AMP_RPMSG_RESERVED_ADDRESSES;
		if (!ept_find(dev, a))
			break;
		a++;
	}
	dev->next_addr = a + 1u;
	return a;
}

/*
 * Lock held. Ask the peer to tell us when TX buffers come back; the first waiter turns it on.
 * True if buffers came back meanwhile (the caller looks again before it sleeps).
 */
static bool tx_wait_begin(struct amp_rpmsg_dev *dev)
{
	if (dev->tx_waiters++ == 0)
		return amp_vq_set_notify(&dev->tvq, true);
	return false;
}

static void tx_wait_end(struct amp_rpmsg_dev *dev)
{
	if (--dev->tx_waiters == 0 && !(dev->flags & AMP_RPMSG_F_NOSUPP))
		(void)amp_vq_set_notify(&dev->tvq, false);
}

bool amp_rpmsg_tx_wait_begin(struct amp_rpmsg_dev *dev)
{
	bool pending;

	if (!dev || !dev->ops || dev->tx_waiters == UINT8_MAX)
		return false;
	amp_rpmsg_lock(dev);
	pending = tx_wait_begin(dev);
	amp_rpmsg_unlock(dev);
	return pending;
}

void amp_rpmsg_tx_wait_end(struct amp_rpmsg_dev *dev)
{
	if (!dev || !dev->ops)
		return;
	amp_rpmsg_lock(dev);
	if (dev->tx_waiters)
		tx_wait_end(dev);
	amp_rpmsg_unlock(dev);
}

/* Lock held. 0 and a buffer, or a negative code. Drops the lock while waiting. */
static int tx_acquire(struct amp_rpmsg_dev *dev, uint8_t **buf, uint32_t *cap, uint16_t *id,
		      uint32_t timeout_ms)
{
	uint32_t left = timeout_ms;
	bool waiting = false;
	int ret;

	/* One tx_get call site: after a timeout it still gets a last look. */
	while ((ret = dev->ops->tx_get(dev, buf, cap, id)) == 0) {
		if (!waiting) {
			dev->stats.tx_nobuf++;
			if (!timeout_ms || !dev->port.ops->wait)
				return AMP_ENOMEM;
			waiting = true;
			/* Buffers given back before the peer could see our request came with no
			 * kick: look again now, or we would sleep until the send times out. */
			if (tx_wait_begin(dev))
				continue;
		} else if (left == 0) {
			dev->stats.tx_timeouts++;
			ret = AMP_ETIMEDOUT;
			break;
		}
		amp_rpmsg_unlock(dev);
		if (dev->port.ops->wait(dev->port.ctx, &left) == AMP_ETIMEDOUT)
			left = 0;
		amp_rpmsg_lock(dev);
	}
	if (waiting)
		tx_wait_end(dev);
	if (ret > 0)
		amp_rpmsg_owner(dev, *buf, AMP_RPMSG_HDR_SIZE + *cap, true);
	return ret < 0 ? ret : 0;
}

/* Lock held: give an unsent TX buffer back to the core (the remote keeps it for reuse). */
static int tx_giveback(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap)
{
	int ret = dev->ops->tx_unget(dev, buf, id, cap);

	if (ret == 0)
		amp_rpmsg_owner(dev, buf, AMP_RPMSG_HDR_SIZE + cap, false);
	return ret;
}

/* Lock held: write the header in front of the payload and publish. */
static int tx_commit(struct amp_rpmsg_dev *dev, uint8_t *buf, uint16_t id, uint32_t cap,
		     uint32_t src, uint32_t dst, size_t len, bool *kick)
{
	struct amp_rpmsg_hdr hdr;
	int ret;

	hdr.src = amp_le32(src);
	hdr.dst = amp_le32(dst);
	hdr.reserved = 0;
	hdr.len = amp_le16((uint16_t)len);
	hdr.flags = 0;
	memcpy(buf, &hdr, sizeof(hdr));
	ret = dev->ops->tx_put(dev, id, (uint32_t)(AMP_RPMSG_HDR_SIZE + len));
	if (ret)
		return ret;
	amp_rpmsg_owner(dev, buf, AMP_RPMSG_HDR_SIZE + cap, false); /* the peer's now */
	dev->stats.tx_msgs++;
	dev->stats.tx_bytes += (uint32_t)len;
	if (AMP_RPMSG_TRACING(dev))
		amp_rpmsg_trace_emit(dev, AMP_TRACE_SEND, &dev->tvq,
				     (uint16_t)(dev->tvq.shadow_idx - 1u), id, (uint32_t)len, src,
				     dst);
	*kick = need_kick(dev, &dev->tvq);
	return (int)len;
}

static bool is_host(const struct amp_rpmsg_dev *dev)
{
	return (dev->flags & AMP_RPMSG_F_HOST) != 0;
}

static int tx_lookup(struct amp_rpmsg_dev *dev, void *payload, uint16_t *id, uint32_t *cap)
{
	return is_host(dev) ? amp_rpmsg_h_tx_lookup(dev, payload, id, cap)
			    : amp_rpmsg_r_tx_lookup(dev, payload, id, cap);
}

static int send_check(const struct amp_rpmsg_ept *ept, uint32_t src, uint32_t dst)
{
	if (!ept || !ept->dev || src == ADDR_ANY || dst == ADDR_ANY)
		return AMP_EINVAL;
	if (!(ept->dev->flags & AMP_RPMSG_F_READY))
		return AMP_ENOTCONN;
	return 0;
}

int amp_rpmsg_send_offchannel(struct amp_rpmsg_ept *ept, uint32_t src, uint32_t dst,
			      const void *data, size_t len, uint32_t timeout_ms)
{
	struct amp_rpmsg_dev *dev;
	uint8_t *buf;
	uint32_t cap;
	uint16_t id;
	bool kick = false;
	int ret = send_check(ept, src, dst);

	if (ret)
		return ret;
	if (!data && len)
		return AMP_EINVAL;
	dev = ept->dev;
	/* Fail early when the size is known, before waiting for a buffer. */
	if (len > UINT16_MAX || (dev->tx_mtu && len > dev->tx_mtu))
		return AMP_EMSGSIZE;

	amp_rpmsg_lock(dev);
	ret = tx_acquire(dev, &buf, &cap, &id, timeout_ms);
	if (ret == 0) {
		if (len > cap) {
			(void)tx_giveback(dev, buf, id, cap);
			ret = AMP_EMSGSIZE;
		} else {
			/* memmove: a peer that hands out one address as both a receive and a
			 * transmit buffer makes an echo's source and destination overlap. */
			if (len)
				memmove(buf + AMP_RPMSG_HDR_SIZE, data, len);
			ret = tx_commit(dev, buf, id, cap, src, dst, len, &kick);
			/* Not published (a broken queue): the buffer is free again. */
			if (ret < 0)
				(void)tx_giveback(dev, buf, id, cap);
		}
	}
	amp_rpmsg_unlock(dev);
	if (kick)
		notify(dev, &dev->tvq);
	return ret;
}

int amp_rpmsg_send(struct amp_rpmsg_ept *ept, const void *data, size_t len)
{
	if (!ept || !ept->dev)
		return AMP_EINVAL;
	return amp_rpmsg_send_offchannel(ept, ept->addr, ept->dest_addr, data, len,
					 ept->dev->send_timeout_ms);
}

int amp_rpmsg_sendto(struct amp_rpmsg_ept *ept, uint32_t dst, const void *data, size_t len)
{
	if (!ept || !ept->dev)
		return AMP_EINVAL;
	return amp_rpmsg_send_offchannel(ept, ept->addr, dst, data, len, ept->dev->send_timeout_ms);
}

int amp_rpmsg_trysend(struct amp_rpmsg_ept *ept, const void *data, size_t len)
{
	if (!ept)
		return AMP_EINVAL;
	return amp_rpmsg_send_offchannel(ept, ept->addr, ept->dest_addr, data, len, 0);
}

int amp_rpmsg_trysendto(struct amp_rpmsg_ept *ept, uint32_t dst, const void *data, size_t len)
{
	if (!ept)
		return AMP_EINVAL;
	return amp_rpmsg_send_offchannel(ept, ept->addr, dst, data, len, 0);
}

void *amp_rpmsg_get_tx_buffer(struct amp_rpmsg_ept *ept, uint32_t *cap, uint32_t timeout_ms)
{
	struct amp_rpmsg_dev *dev;
	uint8_t *buf;
	uint32_t c;
	uint16_t id;
	int ret;

	if (!ept || !ept->dev || !(ept->dev->flags & AMP_RPMSG_F_READY))
		return NULL;
	dev = ept->dev;
	amp_rpmsg_lock(dev);
	ret = tx_acquire(dev, &buf, &c, &id, timeout_ms);
	if (ret == 0 && !is_host(dev))
		amp_rpmsg_r_tx_mark(buf, id, c);
	amp_rpmsg_unlock(dev);
	if (ret)
		return NULL;
	if (cap)
		*cap = c;
	return buf + AMP_RPMSG_HDR_SIZE;
}

int amp_rpmsg_send_nocopy(struct amp_rpmsg_ept *ept, uint32_t src, uint32_t dst, void *buf,
			  size_t len)
{
	struct amp_rpmsg_dev *dev;
	uint32_t cap;
	uint16_t id;
	bool kick = false;
	int ret = send_check(ept, src, dst);

	if (ret)
		return ret;
	if (!buf)
		return AMP_EINVAL;
	dev = ept->dev;
	amp_rpmsg_lock(dev);
	ret = tx_lookup(dev, buf, &id, &cap);
	if (ret == 0) {
		if (len > cap)
			ret = AMP_EMSGSIZE;
		else
			ret = tx_commit(dev, (uint8_t *)buf - AMP_RPMSG_HDR_SIZE, id, cap, src, dst,
					len, &kick);
	}
	amp_rpmsg_unlock(dev);
	if (kick)
		notify(dev, &dev->tvq);
	return ret;
}

int amp_rpmsg_release_tx_buffer(struct amp_rpmsg_ept *ept, void *buf)
{
	struct amp_rpmsg_dev *dev;
	uint8_t *hbuf;
	uint32_t cap;
	uint16_t id;
	int ret;

	if (!ept || !ept->dev || !buf)
		return AMP_EINVAL;
	dev = ept->dev;
	hbuf = (uint8_t *)buf - AMP_RPMSG_HDR_SIZE;
	amp_rpmsg_lock(dev);
	ret = tx_lookup(dev, buf, &id, &cap);
	if (ret == 0)
		ret = dev->ops->tx_unget(dev, hbuf, id, cap);
	if (ret == 0) {
		if (!is_host(dev))
			amp_rpmsg_r_tx_unmark(hbuf);
		amp_rpmsg_owner(dev, hbuf, AMP_RPMSG_HDR_SIZE + cap, false); /* the core's now */
	}
	amp_rpmsg_unlock(dev);
	return ret;
}

int amp_rpmsg_hold_rx_buffer(struct amp_rpmsg_ept *ept, void *data)
{
	struct amp_rpmsg_dev *dev;

	if (!ept || !ept->dev || !data || data != ept->dev->rx_cur || ept->dev->rx_defer)
		return AMP_EINVAL;
	dev = ept->dev;
	dev->rx_held = 1;
	return 0;
}

int amp_rpmsg_release_rx_buffer(struct amp_rpmsg_ept *ept, void *data)
{
	struct amp_rpmsg_dev *dev;
	uint32_t cap;
	uint16_t id;
	bool kick = false;
	int ret;

	if (!ept || !ept->dev || !data)
		return AMP_EINVAL;
	dev = ept->dev;
	/* Still in its callback: the drain loop returns it (or keeps it if held). */
	if (data == dev->rx_cur)
		return AMP_EINVAL;
	amp_rpmsg_lock(dev);
	ret = is_host(dev) ? amp_rpmsg_h_rx_lookup(dev, data, &id, &cap)
			   : amp_rpmsg_r_rx_lookup(dev, data, &id, &cap);
	if (ret == 0) {
		amp_rpmsg_owner(dev, (uint8_t *)data - AMP_RPMSG_HDR_SIZE, AMP_RPMSG_HDR_SIZE + cap,
				false);
		ret = dev->ops->rx_put(dev, id);
	}
	if (ret == 0)
		kick = need_kick(dev, &dev->rvq);
	amp_rpmsg_unlock(dev);
	if (kick)
		notify(dev, &dev->rvq);
	return ret;
}

static int ns_send(struct amp_rpmsg_ept *ept, uint32_t flags, uint32_t timeout_ms)
{
	struct amp_rpmsg_ns_msg msg;

	memcpy(msg.name, ept->name, sizeof(msg.name));
	msg.addr = amp_le32(ept->addr);
	msg.flags = amp_le32(flags);
	return amp_rpmsg_send_offchannel(ept, ept->addr, AMP_RPMSG_NS_ADDR, &msg, sizeof(msg),
					 timeout_ms);
}

int amp_rpmsg_create_ept(struct amp_rpmsg_ept *ept, struct amp_rpmsg_dev *dev, const char *name,
			 uint32_t src, uint32_t dest, amp_rpmsg_cb cb,
			 amp_rpmsg_unbind_cb unbind_cb, void *priv)
{
	bool fixed = src != ADDR_ANY;
	bool announce;
	size_t n = 0;
	int ret;

	if (!ept || !dev || !dev->ops)
		return AMP_EINVAL;
	amp_rpmsg_lock(dev);
	if (!fixed) {
		src = addr_alloc(dev);
	} else if (ept_find(dev, src) ||
		   ((dev->flags & AMP_RPMSG_F_NS) && src == AMP_RPMSG_NS_ADDR)) {
		amp_rpmsg_unlock(dev);
		return AMP_EADDRINUSE;
	}
	memset(ept, 0, sizeof(*ept));
	if (name)
		while (n < AMP_RPMSG_NAME_SIZE - 1u && name[n]) {
			ept->name[n] = name[n];
			n++;
		}
	ept->dev = dev;
	ept->addr = src;
	ept->dest_addr = dest;
	ept->cb = cb;
	ept->unbind_cb = unbind_cb;
	ept->priv = priv;
	ept->next = dev->epts;
	dev->epts = ept;
	amp_rpmsg_unlock(dev);

	/* OpenAMP announces an unbound named endpoint; Linux only a fixed-address one. */
	announce = (dev->flags & AMP_RPMSG_F_NS) && ept->name[0] && dest == ADDR_ANY &&
		   (fixed || !(dev->flags & AMP_RPMSG_F_HOST));
	if (announce) {
		ret = ns_send(ept, AMP_RPMSG_NS_CREATE, dev->send_timeout_ms);
		if (ret < 0) {
			amp_rpmsg_lock(dev);
			ept_unlink(dev, ept);
			amp_rpmsg_unlock(dev);
			ept->dev = NULL;
			return ret;
		}
		ept->flags |= AMP_EPT_F_ANNOUNCED;
	}
	return 0;
}

void amp_rpmsg_destroy_ept(struct amp_rpmsg_ept *ept)
{
	struct amp_rpmsg_dev *dev;

	if (!ept || !ept->dev)
		return;
	dev = ept->dev;
	if (ept->flags & AMP_EPT_F_ANNOUNCED)
		(void)ns_send(ept, AMP_RPMSG_NS_DESTROY, 0);
	amp_rpmsg_lock(dev);
	ept_unlink(dev, ept);
	amp_rpmsg_unlock(dev);
	ept->dev = NULL;
	ept->flags = 0;
}

/* Both NUL-terminated within AMP_RPMSG_NAME_SIZE; a loop is smaller than libc's strncmp. */
static bool name_eq(const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < AMP_RPMSG_NAME_SIZE && a[i] == b[i]; i++)
		if (!a[i])
			return true;
	return i == AMP_RPMSG_NAME_SIZE;
}

/* Lock held; dropped around the callbacks. */
static void ns_rx(struct amp_rpmsg_dev *dev, const void *data, size_t len)
{
	struct amp_rpmsg_ns_msg msg;
	struct amp_rpmsg_ept *e, *unbound = NULL;
	uint32_t addr;
	bool destroy;

	if (len != sizeof(msg)) {
		dev->stats.drops[AMP_RPMSG_DROP_NS_LEN]++;
		return;
	}
	memcpy(&msg, data, sizeof(msg)); /* read the shared buffer once */
	msg.name[AMP_RPMSG_NAME_SIZE - 1u] = '\0';
	addr = amp_le32(msg.addr);
	destroy = (amp_le32(msg.flags) & AMP_RPMSG_NS_DESTROY) != 0;

	for (e = dev->epts; e; e = e->next) {
		if (!name_eq(e->name, msg.name))
			continue;
		if (!destroy && e->dest_addr == ADDR_ANY) {
			e->dest_addr = addr;
			break;
		}
		if (destroy && e->dest_addr == addr) {
			e->dest_addr = ADDR_ANY;
			unbound = e;
			break;
		}
	}
	if (AMP_RPMSG_TRACING(dev))
		amp_rpmsg_trace_emit(dev, AMP_TRACE_NS, &dev->rvq, 0, 0, destroy ? 1u : 0u, addr,
				     AMP_RPMSG_NS_ADDR);
	amp_rpmsg_unlock(dev);
	if (unbound && unbound->unbind_cb)
		unbound->unbind_cb(unbound);
	if (dev->ns_cb)
		dev->ns_cb(dev, msg.name, addr, destroy, dev->ns_priv);
	amp_rpmsg_lock(dev);
}

/* Lock held; dropped around the callback. */
static void rx_deliver(struct amp_rpmsg_dev *dev, uint32_t src, uint32_t dst, void *data,
		       size_t len)
{
	struct amp_rpmsg_ept *ept;

	if (dst == AMP_RPMSG_NS_ADDR && (dev->flags & AMP_RPMSG_F_NS)) {
		ns_rx(dev, data, len);
		return;
	}
	/* Without NS, 53 is an ordinary address. */
	ept = ept_find(dev, dst);
	if (!ept) {
		dev->stats.drops[dst == AMP_RPMSG_NS_ADDR ? AMP_RPMSG_DROP_NS_OFF
							  : AMP_RPMSG_DROP_NO_EPT]++;
		return;
	}
	/* An endpoint created with dest ANY learns its peer from the first message (OpenAMP). */
	if (ept->dest_addr == ADDR_ANY)
		ept->dest_addr = src;
	amp_rpmsg_unlock(dev);
	if (ept->cb)
		(void)ept->cb(ept, data, len, src, ept->priv);
	amp_rpmsg_lock(dev);
	if (dev->rx_defer && !dev->rx_held)
		return; /* counted once, when it is taken */
	dev->stats.rx_msgs++;
	dev->stats.rx_bytes += (uint32_t)len;
}

/*
 * Lock held. Hand the message in RX buffer @p id to its endpoint, then give the buffer back,
 * leave it held, or park it when the callback deferred it. False when parked.
 */
static bool rx_dispatch(struct amp_rpmsg_dev *dev, uint8_t *buf, uint32_t blen, uint16_t id,
			uint32_t src, uint32_t dst, uint16_t plen, bool *returned)
{
	dev->rx_cur = buf + AMP_RPMSG_HDR_SIZE;
	dev->rx_held = 0;
	dev->rx_defer = 0;
	rx_deliver(dev, src, dst, buf + AMP_RPMSG_HDR_SIZE, plen);
	dev->rx_cur = NULL;
	if (dev->rx_held) {
		uint32_t cap = blen - AMP_RPMSG_HDR_SIZE; /* rx_drain checked blen >= 16 */

		if (dev->ops->rx_mark)
			dev->ops->rx_mark(dev, buf, id, cap > UINT16_MAX ? UINT16_MAX : cap);
	} else if (dev->rx_defer) {
		/* Our copy of the header: the peer may not change what we decided on. */
		dev->rx_parked = 1;
		dev->park_buf = buf;
		dev->park_id = id;
		dev->park_src = src;
		dev->park_dst = dst;
		dev->park_len = plen;
		dev->park_blen = blen;
		dev->stats.rx_deferred++;
		return false;
	} else {
		int put;

		amp_rpmsg_owner(dev, buf, blen, false); /* the peer's again */
		put = dev->ops->rx_put(dev, id);

		/* The id came from rx_get: only a queue broken meanwhile (AMP_EBROKEN) may
		 * refuse it. */
		AMP_ASSERT(&dev->port, put != AMP_EINVAL);
		*returned |= put == 0;
	}
	return true;
}

/* Deliver what the peer sent; @p resume: first the parked message, if any. */
static int rx_drain(struct amp_rpmsg_dev *dev, bool resume)
{
	struct amp_rpmsg_hdr hdr;
	uint8_t *buf;
	uint32_t len;
	uint16_t id, plen;
	bool returned = false, kick = false;
	int ret = 0;

	amp_rpmsg_lock(dev);
	if (dev->rx_parked) {
		if (!resume)
			goto out; /* the peer's messages wait in their buffers, in order */
		dev->rx_parked = 0;
		if (!rx_dispatch(dev, dev->park_buf, dev->park_blen, dev->park_id, dev->park_src,
				 dev->park_dst, dev->park_len, &returned))
			goto out;
	}
	for (;;) {
		ret = dev->ops->rx_get(dev, &buf, &len, &id);
		if (ret <= 0)
			break;
		amp_rpmsg_owner(dev, buf, len, true);
		/* Read the header once; from here on only the local copy is used. */
		memcpy(&hdr, buf, sizeof(hdr));
		plen = amp_le16(hdr.len);
		if (len < AMP_RPMSG_HDR_SIZE || plen > len - AMP_RPMSG_HDR_SIZE) {
			/* Like Linux, the offending buffer is not given back. */
			ret = amp_vq_fail_at(&dev->rvq, AMP_VQ_ERR_MSG_LEN,
					     AMP_RPMSG_HDR_SIZE + (uint32_t)plen, len);
			break;
		}
		if (AMP_RPMSG_TRACING(dev))
			amp_rpmsg_trace_emit(dev, AMP_TRACE_RECV, &dev->rvq,
					     (uint16_t)(dev->rvq.last_idx - 1u), id, plen,
					     amp_le32(hdr.src), amp_le32(hdr.dst));
		if (!rx_dispatch(dev, buf, len, id, amp_le32(hdr.src), amp_le32(hdr.dst), plen,
				 &returned)) {
			ret = 0;
			break;
		}
	}
out:
	if (returned)
		kick = need_kick(dev, &dev->rvq);
	amp_rpmsg_unlock(dev);
	if (kick)
		notify(dev, &dev->rvq);
	return ret < 0 ? ret : 0;
}

int amp_rpmsg_rx_defer(struct amp_rpmsg_ept *ept, void *data)
{
	struct amp_rpmsg_dev *dev;

	if (!ept || !ept->dev || !data || data != ept->dev->rx_cur || ept->dev->rx_held)
		return AMP_EINVAL;
	dev = ept->dev;
	dev->rx_defer = 1;
	return 0;
}

int amp_rpmsg_rx_resume(struct amp_rpmsg_dev *dev)
{
	if (!dev || !dev->ops)
		return AMP_ENOTCONN;
	return rx_drain(dev, true);
}

int amp_rpmsg_notified(struct amp_rpmsg_dev *dev, uint32_t notify_id)
{
	bool any = notify_id == 0xFFFFFFFFu;
	bool rx, tx;

	if (!dev || !dev->ops)
		return AMP_ENOTCONN;
	rx = any || notify_id == dev->rvq.notify_id;
	tx = any || notify_id == dev->tvq.notify_id;
	if (!rx && !tx)
		return AMP_ENOENT;
	/* TX-side work (returned buffers) is picked up lazily by the next send; count it. */
	if (tx)
		dev->tvq.stats.interrupts++;
	if (!rx)
		return 0;
	dev->rvq.stats.interrupts++;
	return rx_drain(dev, false);
}
