/*
 * OpenAMP application API mapped onto the core. The OpenAMP endpoint mirrors addr/dest_addr
 * for the application; the core endpoint inside it is the one registered with the device.
 */
#include <stddef.h>
#include <string.h>

#include <amp/error.h>
#include <openamp/rpmsg.h>

#define ept_of(a) \
	((struct rpmsg_endpoint *)(void *)((char *)(a)-offsetof(struct rpmsg_endpoint, amp)))
#define rdev_of(d) ((struct rpmsg_device *)(void *)((char *)(d)-offsetof(struct rpmsg_device, amp)))

int rpmsg_err_from_amp(int err)
{
	switch (err) {
	case AMP_EINVAL:
		return RPMSG_ERR_PARAM;
	case AMP_EBUSY:
		return RPMSG_ERR_NO_MEM;
	case AMP_ENOMEM:
	case AMP_ETIMEDOUT:
	case AMP_EAGAIN:
		return RPMSG_ERR_NO_BUFF;
	case AMP_EMSGSIZE:
		return RPMSG_ERR_BUFF_SIZE;
	case AMP_EADDRINUSE:
		return RPMSG_ERR_ADDR;
	case AMP_ENOTCONN:
	case AMP_EBROKEN:
	case AMP_EPROTO:
		return RPMSG_ERR_DEV_STATE;
	default:
		return err < 0 ? RPMSG_ERR_INIT : err;
	}
}

/* The core may have learned or unbound the peer; mirror it into the OpenAMP view. */
static void sync_from_core(struct rpmsg_endpoint *ept)
{
	ept->addr = ept->amp.addr;
	ept->dest_addr = ept->amp.dest_addr;
}

static int rx_trampoline(struct amp_rpmsg_ept *a, void *data, size_t len, uint32_t src, void *priv)
{
	struct rpmsg_endpoint *ept = ept_of(a);

	(void)priv;
	sync_from_core(ept);
	return ept->cb ? ept->cb(ept, data, len, src, ept->priv) : RPMSG_SUCCESS;
}

static void unbind_trampoline(struct amp_rpmsg_ept *a)
{
	struct rpmsg_endpoint *ept = ept_of(a);

	sync_from_core(ept);
	if (ept->ns_unbind_cb)
		ept->ns_unbind_cb(ept);
}

/*
 * The core has just bound (or unbound) endpoints of this name; mirror that into their
 * OpenAMP view, or is_rpmsg_ept_ready() stays false and the next send would write the stale
 * ANY back. True if a local endpoint of this name is now bound to @addr.
 */
static bool sync_named(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr)
{
	struct amp_rpmsg_ept *e;
	bool bound = false;

	for (e = dev->epts; e; e = e->next) {
		if (e->cb != rx_trampoline || strncmp(e->name, name, RPMSG_NAME_SIZE) != 0)
			continue;
		sync_from_core(ept_of(e));
		bound |= e->dest_addr == addr;
	}
	return bound;
}

/* As OpenAMP: ns_bind_cb only for announcements no local endpoint was waiting for. */
static void ns_event(struct amp_rpmsg_dev *dev, const char *name, uint32_t addr, bool destroy,
		     void *priv)
{
	struct rpmsg_device *rdev = priv;
	bool bound = sync_named(dev, name, addr);

	if (destroy && rdev->ns_unbind_cb)
		rdev->ns_unbind_cb(rdev, name, addr);
	else if (!destroy && !bound && rdev->ns_bind_cb)
		rdev->ns_bind_cb(rdev, name, addr);
}

void rpmsg_device_attach(struct rpmsg_device *rdev)
{
	rdev->amp.ns_cb = ns_event;
	rdev->amp.ns_priv = rdev;
	rdev->support_ns = (rdev->amp.flags & AMP_RPMSG_F_NS) != 0;
}

int rpmsg_create_ept(struct rpmsg_endpoint *ept, struct rpmsg_device *rdev, const char *name,
		     uint32_t src, uint32_t dest, rpmsg_ept_cb cb, rpmsg_ns_unbind_cb ns_unbind_cb)
{
	int ret;

	if (!ept || !rdev)
		return RPMSG_ERR_PARAM;
	ept->cb = cb;
	ept->ns_unbind_cb = ns_unbind_cb;
	ept->rdev = rdev;
	ret = amp_rpmsg_create_ept(&ept->amp, &rdev->amp, name, src, dest, rx_trampoline,
				   unbind_trampoline, NULL);
	if (ret) {
		ept->rdev = NULL;
		return rpmsg_err_from_amp(ret);
	}
	memcpy(ept->name, ept->amp.name, sizeof(ept->name));
	sync_from_core(ept);
	return RPMSG_SUCCESS;
}

void rpmsg_destroy_ept(struct rpmsg_endpoint *ept)
{
	if (!ept)
		return;
	amp_rpmsg_destroy_ept(&ept->amp);
	ept->rdev = NULL;
}

/* The application may have set dest_addr itself (OpenAMP allows it). */
static struct amp_rpmsg_ept *core_of(struct rpmsg_endpoint *ept)
{
	ept->amp.dest_addr = ept->dest_addr;
	return &ept->amp;
}

int rpmsg_send_offchannel_raw(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
			      const void *data, int len, int wait)
{
	int ret;

	if (!ept || !ept->rdev || len < 0)
		return RPMSG_ERR_PARAM;
	ret = amp_rpmsg_send_offchannel(core_of(ept), src, dst, data, (size_t)len,
					wait ? ept->rdev->amp.send_timeout_ms : 0);
	return rpmsg_err_from_amp(ret);
}

void *rpmsg_get_tx_payload_buffer(struct rpmsg_endpoint *ept, uint32_t *len, int wait)
{
	if (!ept || !ept->rdev)
		return NULL;
	return amp_rpmsg_get_tx_buffer(core_of(ept), len,
				       wait ? ept->rdev->amp.send_timeout_ms : 0);
}

int rpmsg_send_offchannel_nocopy(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
				 const void *data, int len)
{
	if (!ept || !ept->rdev || len < 0)
		return RPMSG_ERR_PARAM;
	return rpmsg_err_from_amp(
	    amp_rpmsg_send_nocopy(core_of(ept), src, dst, (void *)(uintptr_t)data, (size_t)len));
}

int rpmsg_release_tx_buffer(struct rpmsg_endpoint *ept, void *txbuf)
{
	if (!ept || !ept->rdev)
		return RPMSG_ERR_PARAM;
	return rpmsg_err_from_amp(amp_rpmsg_release_tx_buffer(core_of(ept), txbuf));
}

void rpmsg_hold_rx_buffer(struct rpmsg_endpoint *ept, void *rxbuf)
{
	if (ept)
		(void)amp_rpmsg_hold_rx_buffer(&ept->amp, rxbuf);
}

void rpmsg_release_rx_buffer(struct rpmsg_endpoint *ept, void *rxbuf)
{
	if (ept)
		(void)amp_rpmsg_release_rx_buffer(&ept->amp, rxbuf);
}
