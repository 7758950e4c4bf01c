/*
 * Split virtqueue, driver and device side. Ordering follows REFERENCE §1.5: ring entries are
 * written before the index that publishes them (release store), entries are read only after
 * the index that exposed them (acquire load), and a seq_cst fence separates publishing from
 * reading the peer's suppression flags / event index (and re-arming from re-checking).
 */
#include <string.h>

#include <amp/error.h>
#include <amp/virtqueue.h>

#include "local.h"

_Static_assert(AMP_VRING_USED_F_NO_NOTIFY == 1u && AMP_VRING_AVAIL_F_NO_INTERRUPT == 1u,
	       "both suppression flags are bit 0");

int amp_vq_fail_at(struct amp_vq *vq, enum amp_vq_err kind, uint32_t value, uint32_t limit)
{
	if (!(vq->flags & AMP_VQ_F_BROKEN)) {
		vq->fault.kind = (uint8_t)kind;
		vq->fault.value = value;
		vq->fault.limit = limit;
	}
	vq->flags |= AMP_VQ_F_BROKEN;
	vq->stats.err[kind]++;
	return AMP_EPROTO;
}

int amp_vq_fail(struct amp_vq *vq, enum amp_vq_err kind)
{
	return amp_vq_fail_at(vq, kind, 0, 0);
}

/* used_event lives after avail.ring[num]; avail_event after used.ring[num]. */
static volatile uint16_t *used_event(struct amp_vq *vq)
{
	return &vq->avail->ring[vq->num];
}

static volatile uint16_t *avail_event(struct amp_vq *vq)
{
	return (volatile uint16_t *)(volatile void *)&vq->used->ring[vq->num];
}

/* The event word this side writes (mine) or reads (the peer's): used_event is the driver's. */
static volatile uint16_t *event_word(struct amp_vq *vq, bool mine)
{
	bool drv = (vq->flags & AMP_VQ_F_DRIVER) != 0;

	return drv == mine ? used_event(vq) : avail_event(vq);
}

/*
 * With EVENT_IDX, a consumer that wants notifications asks for the next index it will read.
 * The fence orders that store before our next read of the producer's index; otherwise both
 * sides could see the other's old value and the notification would be lost.
 */
static void rearm(struct amp_vq *vq)
{
	if ((vq->flags & (AMP_VQ_F_EVENT_IDX | AMP_VQ_F_NOTIFY_OFF)) != AMP_VQ_F_EVENT_IDX)
		return;
	amp_st16_rlx(event_word(vq, true), vq->last_idx);
	atomic_thread_fence(memory_order_seq_cst);
}

static int vq_setup(struct amp_vq *vq, const struct amp_vq_cfg *cfg, void *ring, size_t ring_len)
{
	uint32_t num = cfg->num;
	uint32_t align = cfg->align;

	if (!ring || num == 0 || num > AMP_VRING_MAX_NUM || (num & (num - 1)) != 0)
		return AMP_EINVAL;
	if (align < 4 || (align & (align - 1)) != 0)
		return AMP_EINVAL;
	/* u64 descriptor fields and u32 used elements need at least word alignment. */
	if (((uintptr_t)ring & 3u) != 0 || ring_len < amp_vring_size(num, align))
		return AMP_EINVAL;

	memset(vq, 0, sizeof(*vq));
	vq->desc = (volatile struct amp_vring_desc *)ring;
	vq->avail =
	    (volatile struct amp_vring_avail *)(void *)((uint8_t *)ring + amp_vring_avail_off(num));
	vq->used = (volatile struct amp_vring_used *)(void *)((uint8_t *)ring +
							      amp_vring_used_off(num, align));
	vq->num = (uint16_t)num; /* 32768 fits; mask arithmetic below uses num - 1 */
	vq->notify_id = cfg->notify_id;
	vq->max_len = cfg->max_len;
	vq->min_len = cfg->min_len;
	if (cfg->event_idx)
		vq->flags |= AMP_VQ_F_EVENT_IDX;
	if (cfg->dev_writes)
		vq->flags |= AMP_VQ_F_DEV_WRITES;
	return 0;
}

int amp_vq_driver_init(struct amp_vq *vq, const struct amp_vq_cfg *cfg, void *ring, size_t ring_len,
		       uint32_t *inflight)
{
	int ret;

	if (!vq || !cfg || !inflight)
		return AMP_EINVAL;
	ret = vq_setup(vq, cfg, ring, ring_len);
	if (ret)
		return ret;
	vq->flags |= AMP_VQ_F_DRIVER;
	vq->inflight = inflight;
	memset(inflight, 0, AMP_VQ_BITMAP_WORDS(cfg->num) * sizeof(uint32_t));
	memset(ring, 0, amp_vring_size(cfg->num, cfg->align));
	atomic_thread_fence(memory_order_seq_cst);
	return 0;
}

int amp_vq_device_init(struct amp_vq *vq, const struct amp_vq_cfg *cfg, void *ring, size_t ring_len)
{
	if (!vq || !cfg)
		return AMP_EINVAL;
	return vq_setup(vq, cfg, ring, ring_len);
}

bool amp_vq_in_flight(const struct amp_vq *vq, uint16_t id)
{
	return id < vq->num && vq->inflight && (vq->inflight[id / 32u] & (1u << (id % 32u)));
}

int amp_vq_add(struct amp_vq *vq, uint16_t id, uint64_t da, uint32_t len, bool dev_writes)
{
	volatile struct amp_vring_desc *d;
	uint16_t fl;

	if (vq->flags & AMP_VQ_F_BROKEN)
		return AMP_EBROKEN;
	if (id >= vq->num || amp_vq_in_flight(vq, id))
		return AMP_EINVAL;

	d = &vq->desc[id];
	fl = dev_writes ? AMP_VRING_DESC_F_WRITE : 0;
	/* Only if it changed (a buffer is mostly re-posted as it was): an unchanged line stays
	 * valid in the device's cache, one cache-line transfer less per message. What the device
	 * may have written there is overwritten before the index exposes the entry again. */
	if (amp_ld64(&d->addr) != da || amp_ld32(&d->len) != len || amp_ld16(&d->flags) != fl ||
	    amp_ld16(&d->next) != 0) {
		amp_st64(&d->addr, da);
		amp_st32(&d->len, len);
		amp_st16(&d->flags, fl);
		amp_st16(&d->next, 0);
	}
	amp_st16(&vq->avail->ring[vq->shadow_idx & (vq->num - 1u)], id);
	/* The descriptor and ring slot must be visible before the index that exposes them. */
	vq->shadow_idx++;
	amp_st16_rel(&vq->avail->idx, vq->shadow_idx);

	vq->inflight[id / 32u] |= 1u << (id % 32u);
	vq->ninflight++;
	vq->stats.bufs++;
	return 0;
}

int amp_vq_get_used(struct amp_vq *vq, uint16_t *id, uint32_t *len)
{
	uint16_t used_idx, pending;
	uint32_t uid, ulen;
	volatile struct amp_vring_used_elem *e;

	if (vq->flags & AMP_VQ_F_BROKEN)
		return AMP_EBROKEN;
	/* Acquire: the element is read only after the index that exposed it. */
	used_idx = amp_ld16_acq(&vq->used->idx);
	pending = (uint16_t)(used_idx - vq->last_idx);
	if (pending == 0)
		return 0;
	/* The device can only return what it holds. */
	if (pending > vq->ninflight)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_USED_IDX, pending, vq->ninflight);
	e = &vq->used->ring[vq->last_idx & (vq->num - 1u)];
	uid = amp_ld32(&e->id);
	ulen = amp_ld32(&e->len);
	if (uid >= vq->num)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_USED_ID, uid, vq->num);
	if (!amp_vq_in_flight(vq, (uint16_t)uid))
		return amp_vq_fail_at(vq, AMP_VQ_ERR_USED_STALE, uid, 0);
	if (vq->max_len && ulen > vq->max_len)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_USED_LEN, ulen, vq->max_len);

	vq->inflight[uid / 32u] &= ~(1u << (uid % 32u));
	vq->ninflight--;
	vq->last_idx++;
	rearm(vq);
	*id = (uint16_t)uid;
	*len = ulen;
	return 1;
}

int amp_vq_get_avail(struct amp_vq *vq, const struct amp_port *port, uint16_t *id, void **va,
		     uint32_t *len)
{
	uint16_t avail_idx, pending, head, dflags;
	uint32_t dlen;
	uint64_t daddr;
	volatile struct amp_vring_desc *d;
	void *p;
	bool writable;

	if (vq->flags & AMP_VQ_F_BROKEN)
		return AMP_EBROKEN;
	avail_idx = amp_ld16_acq(&vq->avail->idx);
	pending = (uint16_t)(avail_idx - vq->last_idx);
	if (pending == 0)
		return 0;
	if (pending > vq->num)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_AVAIL_IDX, pending, vq->num);
	head = amp_ld16(&vq->avail->ring[vq->last_idx & (vq->num - 1u)]);
	if (head >= vq->num)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_DESC_ID, head, vq->num);

	d = &vq->desc[head];
	daddr = amp_ld64(&d->addr);
	dlen = amp_ld32(&d->len);
	dflags = amp_ld16(&d->flags);
	writable = (dflags & AMP_VRING_DESC_F_WRITE) != 0;
	/* RPMsg uses single descriptors; chains and indirect tables are refused, not walked. */
	if ((dflags & (AMP_VRING_DESC_F_NEXT | AMP_VRING_DESC_F_INDIRECT)) ||
	    writable != ((vq->flags & AMP_VQ_F_DEV_WRITES) != 0))
		return amp_vq_fail_at(vq, AMP_VQ_ERR_DESC_FLAGS, dflags, 0);
	if (dlen < vq->min_len)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_DESC_LEN, dlen, vq->min_len);
	p = port->ops->da_to_va(port->ctx, daddr, dlen);
	if (!p)
		return amp_vq_fail_at(vq, AMP_VQ_ERR_DESC_ADDR, (uint32_t)daddr, dlen);

	vq->last_idx++;
	vq->stats.bufs++;
	rearm(vq);
	*id = head;
	*va = p;
	*len = dlen;
	return 1;
}

void amp_vq_unget_avail(struct amp_vq *vq)
{
	vq->last_idx--;
	vq->stats.bufs--;
	rearm(vq); /* the event index must not point past the entry we will read again */
}

int amp_vq_put_used(struct amp_vq *vq, uint16_t id, uint32_t len)
{
	volatile struct amp_vring_used_elem *e;

	if (vq->flags & AMP_VQ_F_BROKEN)
		return AMP_EBROKEN;
	if (id >= vq->num)
		return AMP_EINVAL;
	e = &vq->used->ring[vq->shadow_idx & (vq->num - 1u)];
	amp_st32(&e->id, id);
	amp_st32(&e->len, len);
	/* The device must set len (and id) before updating idx: release store. */
	vq->shadow_idx++;
	amp_st16_rel(&vq->used->idx, vq->shadow_idx);
	return 0;
}

bool amp_vq_need_notify(struct amp_vq *vq)
{
	bool drv = (vq->flags & AMP_VQ_F_DRIVER) != 0;
	uint16_t old_idx = vq->kicked_idx;
	uint16_t new_idx = vq->shadow_idx;
	bool need;

	/* Publishing must be ordered before reading the peer's suppression state. */
	atomic_thread_fence(memory_order_seq_cst);
	vq->kicked_idx = new_idx;
	if (vq->flags & AMP_VQ_F_EVENT_IDX) {
		uint16_t ev = amp_ld16_rlx(event_word(vq, false));

		need = amp_vring_need_event(ev, new_idx, old_idx);
	} else {
		need = !(amp_ld16_rlx(drv ? &vq->used->flags : &vq->avail->flags) & 1u);
	}
	if (need)
		vq->stats.kicks++;
	else
		vq->stats.kicks_suppressed++;
	return need;
}

bool amp_vq_set_notify(struct amp_vq *vq, bool on)
{
	bool drv = (vq->flags & AMP_VQ_F_DRIVER) != 0;
	uint16_t seen;

	if (vq->flags & AMP_VQ_F_EVENT_IDX) {
		/* Off: park the event num + 1 behind, out of the producer's reach. */
		uint16_t ev = on ? vq->last_idx : (uint16_t)(vq->last_idx - vq->num - 1u);

		amp_st16_rlx(event_word(vq, true), ev);
	} else {
		/* Driver: NO_INTERRUPT in avail; device: NO_NOTIFY in used (both bit 0). */
		amp_st16_rlx(drv ? &vq->avail->flags : &vq->used->flags, on ? 0 : 1u);
	}
	if (on)
		vq->flags &= (uint8_t)~AMP_VQ_F_NOTIFY_OFF;
	else
		vq->flags |= AMP_VQ_F_NOTIFY_OFF;
	/* Re-check after the flag is visible, or a buffer published meanwhile is missed. */
	atomic_thread_fence(memory_order_seq_cst);
	seen = amp_ld16_rlx(drv ? &vq->used->idx : &vq->avail->idx);
	return seen != vq->last_idx;
}

uint16_t amp_vq_peer_idx(const struct amp_vq *vq)
{
	return amp_ld16_acq((vq->flags & AMP_VQ_F_DRIVER) ? &vq->used->idx : &vq->avail->idx);
}
