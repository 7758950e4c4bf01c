/*
 * fuzz_host: the host RPMsg bus steps, the honest remote's, the corruptions of the vring and
 * pool block, and the host's invariants (fuzz_host.h has the script format).
 */
#include <string.h>

#include <amp/error.h>
#include <amp/vring_layout.h>

#include "fuzz_host.h"

static const char *const names[FZ_EPTS] = {"svc0", "svc1", "rpmsg-tty", "svc3"};

/* Where reads of received data go, so the compiler cannot drop them. */
static volatile uint8_t sink;
/* Set by a host interrupt step: what its receive callbacks do besides checking. */
static uint8_t cb_mode;

static uint8_t *rx_area(const struct fz_link *l)
{
	return l->mem + FZ_POOL_OFF;
}

static uint8_t *tx_area(const struct fz_link *l)
{
	return l->mem + FZ_POOL_OFF + FZ_NUM * FZ_BUF;
}

/* @p p is the payload of buffer k of @p area, with @p len bytes that fit in the buffer. */
static void check_payload(const uint8_t *area, const uint8_t *p, size_t len)
{
	FZ_CHECK(p >= area + AMP_RPMSG_HDR_SIZE && p < area + FZ_NUM * FZ_BUF);
	FZ_CHECK((size_t)(p - area) % FZ_BUF == AMP_RPMSG_HDR_SIZE);
	FZ_CHECK(len <= FZ_BUF - AMP_RPMSG_HDR_SIZE);
}

static int host_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct fz_link *l = priv;
	uint8_t x = 0;
	(void)src;
	l->callbacks++;
	check_payload(rx_area(l), data, len);
	for (size_t i = 0; i < len; i++)
		x ^= ((const uint8_t *)data)[i];
	sink = x;
	if ((cb_mode & 1u) && l->nheld < FZ_NUM && amp_rpmsg_hold_rx_buffer(ept, data) == 0)
		l->held[l->nheld++] = data;
	if (cb_mode & 2u) /* answer from the callback, as a tty frontend does */
		(void)amp_rpmsg_trysendto(ept, src, data, len);
	return 0;
}

void fz_host_ns_cb(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr, bool destroy,
		   void *priv)
{
	(void)dev;
	(void)addr;
	(void)destroy;
	(void)priv;
	FZ_CHECK(strnlen(name, AMP_RPMSG_NAME_SIZE) < AMP_RPMSG_NAME_SIZE);
}

static int remote_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	/* The honest firmware echoes, as fw-sample/echo does. */
	(void)amp_rpmsg_trysendto(ept, src, data, len);
	return 0;
}

void fz_bus_reset(struct fz_link *l)
{
	memset(l->hept, 0, sizeof(l->hept));
	memset(l->rept, 0, sizeof(l->rept));
	l->nheld = l->nnocopy = l->waiters = l->callbacks = 0;
	l->rx_broken = l->tx_broken = false;
}

/* ---- corruptions -------------------------------------------------------------------------- */

static void poke(struct fz_link *l, uint32_t off, struct fz_script *s)
{
	uint8_t b[16];
	size_t n = fz_bytes(s, b, sizeof(b));
	off %= FZ_MEM_SIZE;
	if (n > FZ_MEM_SIZE - off)
		n = FZ_MEM_SIZE - off;
	memcpy(l->mem + off, b, n);
}

/* A field the host reads: used idx / flags / ring entries, avail flags, a buffer header. */
static void poke_hot(struct fz_link *l, struct fz_script *s)
{
	uint8_t what = fz_u8(s);
	uint32_t ring = (what >> 4) & 1u, k = (what >> 5) % FZ_NUM;
	uint32_t base = ring * FZ_VRING_SIZE, used = (uint32_t)amp_vring_used_off(FZ_NUM, 16);
	uint32_t off;
	switch (what % 5) {
	case 0: /* used.idx */
		off = base + used + 2;
		break;
	case 1: /* used.ring[k].id, then .len */
		off = base + used + 4 + 8 * k;
		break;
	case 2:
		off = base + used + 8 + 8 * k;
		break;
	case 3: /* avail.flags / used.flags (notification suppression), avail.idx */
		off = base + (uint32_t)amp_vring_avail_off(FZ_NUM) + (what & 2u);
		break;
	default: /* the rpmsg header of buffer k: src, dst, reserved, len, flags */
		off = FZ_POOL_OFF + (ring ? FZ_NUM * FZ_BUF : 0) + k * FZ_BUF + 12u * (what & 1u);
		break;
	}
	poke(l, off, s);
}

/* ---- steps ------------------------------------------------------------------------------------
 */

static void deliver(struct fz_link *l, bool to_host)
{
	struct fz_port *p = to_host ? &l->hp : &l->rp;
	struct amp_rpmsg_dev *dev = to_host ? &l->host : &l->remote;
	while (p->pending) {
		uint32_t id = (uint32_t)__builtin_ctz(p->pending);
		p->pending &= ~(1u << id);
		(void)amp_rpmsg_notified(dev, id);
	}
}

static void host_irq(struct fz_link *l, struct fz_script *s)
{
	static const uint32_t ids[] = {0, 1, 0xFFFFFFFFu};
	uint8_t b = fz_u8(s);
	uint32_t id = (b & 3u) < 3 ? ids[b & 3u] : fz_u32(s);
	bool was_broken = amp_vq_broken(&l->host.rvq);
	cb_mode = (uint8_t)(b >> 2);
	int ret = amp_rpmsg_notified(&l->host, id);
	cb_mode = 0;
	bool rx = id == 0xFFFFFFFFu || id == 0;
	FZ_CHECK(ret == 0 || ret == AMP_EPROTO || ret == AMP_EBROKEN || ret == AMP_ENOENT);
	FZ_CHECK(ret != AMP_ENOENT || (id != 0 && id != 1 && id != 0xFFFFFFFFu));
	/* A broken queue answers AMP_EBROKEN from then on; a violation breaks it. */
	if (rx && was_broken)
		FZ_CHECK(ret == AMP_EBROKEN);
	if (ret == AMP_EPROTO)
		FZ_CHECK(amp_vq_broken(&l->host.rvq));
}

static uint32_t pick_dst(struct fz_link *l, uint8_t b)
{
	struct amp_rpmsg_ept *e = &l->rept[b % FZ_EPTS];
	if (b & 0x80u)
		return AMP_RPMSG_NS_ADDR;
	return e->dev ? e->addr : 0x400u + (b & 0x7fu);
}

static void host_send(struct fz_link *l, struct fz_script *s)
{
	uint8_t b = fz_u8(s), payload[FZ_BUF + 64];
	struct fz_ept *e = &l->hept[b % FZ_EPTS];
	size_t len = fz_u16(s) % sizeof(payload);
	if (!e->live)
		return;
	memset(payload, b, len);
	int ret = amp_rpmsg_trysendto(&e->ept, pick_dst(l, fz_u8(s)), payload, len);
	FZ_CHECK(ret == (int)len || ret == AMP_ENOMEM || ret == AMP_EMSGSIZE ||
		 ret == AMP_EBROKEN || ret == AMP_EPROTO);
	FZ_CHECK(ret != (int)len || len <= amp_rpmsg_tx_mtu(&l->host));
	FZ_CHECK(ret != AMP_EMSGSIZE || len > amp_rpmsg_tx_mtu(&l->host));
}

static void remote_send(struct fz_link *l, struct fz_script *s)
{
	uint8_t b = fz_u8(s), payload[FZ_BUF];
	struct amp_rpmsg_ept *e = &l->rept[b % FZ_EPTS];
	size_t len = fz_u16(s) % sizeof(payload);
	uint8_t d = fz_u8(s);
	uint32_t dst = l->hept[d % FZ_EPTS].live ? l->hept[d % FZ_EPTS].ept.addr : 0x400u + d;
	if (!e->dev)
		return;
	memset(payload, d, len);
	(void)amp_rpmsg_trysendto(e, d & 0x80u ? AMP_RPMSG_NS_ADDR : dst, payload, len);
}

static void host_ept(struct fz_link *l, struct fz_script *s)
{
	uint8_t b = fz_u8(s);
	uint32_t i = b % FZ_EPTS;
	struct fz_ept *e = &l->hept[i];
	if (e->live) {
		amp_rpmsg_destroy_ept(&e->ept);
		e->live = false;
		return;
	}
	uint32_t src = (b & 0x10u) ? AMP_RPMSG_ADDR_ANY : 0x400u + i;
	uint32_t dst = (b & 0x20u) ? AMP_RPMSG_ADDR_ANY : fz_u16(s);
	e->live =
	    amp_rpmsg_create_ept(&e->ept, &l->host, names[i], src, dst, host_cb, NULL, l) == 0;
}

static void remote_ept(struct fz_link *l, struct fz_script *s)
{
	uint8_t b = fz_u8(s);
	struct amp_rpmsg_ept *e = &l->rept[b % FZ_EPTS];
	if (e->dev) {
		amp_rpmsg_destroy_ept(e);
		return;
	}
	if (amp_rpmsg_create_ept(e, &l->remote, names[b % FZ_EPTS], AMP_RPMSG_ADDR_ANY,
				 AMP_RPMSG_ADDR_ANY, remote_cb, NULL, l) != 0)
		memset(e, 0, sizeof(*e));
}

static struct fz_ept *any_live(struct fz_link *l)
{
	for (uint32_t i = 0; i < FZ_EPTS; i++)
		if (l->hept[i].live)
			return &l->hept[i];
	return NULL;
}

static void host_nocopy(struct fz_link *l, struct fz_script *s)
{
	uint8_t b = fz_u8(s);
	struct fz_ept *e = any_live(l);
	uint32_t cap = 0;
	if (!e)
		return;
	if (b % 3 == 0 && l->nnocopy < FZ_NUM) {
		uint8_t *p = amp_rpmsg_get_tx_buffer(&e->ept, &cap, 0);
		if (!p)
			return;
		check_payload(tx_area(l), p, cap);
		FZ_CHECK(cap == amp_rpmsg_tx_mtu(&l->host));
		memset(p, b, cap); /* the whole capacity is ours to write */
		l->nocopy[l->nnocopy++] = p;
		return;
	}
	if (!l->nnocopy)
		return;
	uint32_t k = (b >> 2) % l->nnocopy;
	int ret = b % 3 == 1 ? amp_rpmsg_send_nocopy(&e->ept, e->ept.addr, pick_dst(l, b),
						     l->nocopy[k], fz_u16(s) % (FZ_BUF + 8))
			     : amp_rpmsg_release_tx_buffer(&e->ept, l->nocopy[k]);
	if (b % 3 == 2)
		FZ_CHECK(ret == 0); /* ours to give back, whatever the firmware wrote */
	if (ret >= 0)
		l->nocopy[k] = l->nocopy[--l->nnocopy];
}

static void host_release(struct fz_link *l, struct fz_script *s)
{
	uint8_t b = fz_u8(s);
	struct fz_ept *e = any_live(l);
	if (!e || !l->nheld)
		return;
	uint32_t k = b % l->nheld;
	int ret = amp_rpmsg_release_rx_buffer(&e->ept, l->held[k]);
	FZ_CHECK(ret == 0 || ret == AMP_EBROKEN);
	l->held[k] = l->held[--l->nheld];
}

static void host_wait(struct fz_link *l, struct fz_script *s)
{
	if ((fz_u8(s) & 1u) && l->waiters) {
		amp_rpmsg_tx_wait_end(&l->host);
		l->waiters--;
	} else if (l->waiters < 8) {
		(void)amp_rpmsg_tx_wait_begin(&l->host);
		l->waiters++;
	}
}

void fz_bus_step(struct fz_link *l, unsigned op, struct fz_script *s)
{
	switch (op) {
	case FZ_OP_POKE:
		poke(l, fz_u16(s), s);
		break;
	case FZ_OP_POKE_HOT:
		poke_hot(l, s);
		break;
	case FZ_OP_HOST_IRQ:
		host_irq(l, s);
		break;
	case FZ_OP_REMOTE_IRQ:
		deliver(l, false);
		break;
	case FZ_OP_HOST_PUMP:
		deliver(l, true);
		break;
	case FZ_OP_HOST_SEND:
		host_send(l, s);
		break;
	case FZ_OP_REMOTE_SEND:
		remote_send(l, s);
		break;
	case FZ_OP_HOST_EPT:
		host_ept(l, s);
		break;
	case FZ_OP_REMOTE_EPT:
		remote_ept(l, s);
		break;
	case FZ_OP_HOST_NOCOPY:
		host_nocopy(l, s);
		break;
	case FZ_OP_HOST_RELEASE:
		host_release(l, s);
		break;
	default:
		host_wait(l, s);
		break;
	}
}

/* ---- invariants ---------------------------------------------------------------------------------
 */

static uint32_t popcount_map(const uint32_t *map, uint32_t bits)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < bits; i++)
		n += (map[i / 32] >> (i % 32)) & 1u;
	/* No bit past the end: ids the host never owned. */
	if (bits % 32)
		FZ_CHECK((map[bits / 32] >> (bits % 32)) == 0);
	return n;
}

void fz_bus_check(struct fz_link *l)
{
	struct amp_rpmsg_dev *h = &l->host;
	FZ_CHECK(l->hp.lock_depth == 0 && l->rp.lock_depth == 0);
	/* The host's own books: kept in host memory, never read back from the vrings. */
	FZ_CHECK(h->rvq.ninflight <= FZ_NUM && h->tvq.ninflight <= FZ_NUM);
	FZ_CHECK(popcount_map(h->rvq.inflight, FZ_NUM) == h->rvq.ninflight);
	FZ_CHECK(popcount_map(h->tvq.inflight, FZ_NUM) == h->tvq.ninflight);
	/* Every TX buffer is exactly one of: free, with the firmware, reserved by us, also
	 * once the TX queue is broken (a refused send gives its buffer back). */
	uint32_t nfree = popcount_map(h->u.h.tx_free, h->u.h.tx_count);
	FZ_CHECK(nfree + h->tvq.ninflight + l->nnocopy == h->u.h.tx_count);
	/* Every RX buffer is with the firmware, held by us, or lost to a violation. */
	FZ_CHECK(h->rvq.ninflight + l->nheld <= h->u.h.rx_count);
	FZ_CHECK(h->stats.rx_msgs == l->callbacks);
	/* Broken stays broken until the link is set up again. */
	FZ_CHECK(!l->rx_broken || amp_vq_broken(&h->rvq));
	FZ_CHECK(!l->tx_broken || amp_vq_broken(&h->tvq));
	l->rx_broken = amp_vq_broken(&h->rvq);
	l->tx_broken = amp_vq_broken(&h->tvq);
}

void fz_bus_end(struct fz_link *l)
{
	while (l->waiters) {
		amp_rpmsg_tx_wait_end(&l->host);
		l->waiters--;
	}
	for (uint32_t i = 0; i < FZ_EPTS; i++)
		if (l->hept[i].live)
			amp_rpmsg_destroy_ept(&l->hept[i].ept);
	fz_bus_check(l);
}
