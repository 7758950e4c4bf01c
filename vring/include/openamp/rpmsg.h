/*
 * OpenAMP-compatible RPMsg application API on top of the ampsim core (<amp/rpmsg.h>), so
 * firmware application code written for OpenAMP's <openamp/rpmsg.h> compiles unchanged.
 * Names, constants, struct fields and signatures follow OpenAMP's public header; the code is
 * ampsim's own. What is and is not covered: docs/openamp-compat.md.
 *
 * A firmware port gives the application its struct rpmsg_device * after bring-up: it embeds
 * the core device (rdev->amp) and initialises it with amp_rpmsg_remote_init().
 */
#ifndef AMP_OPENAMP_RPMSG_H
#define AMP_OPENAMP_RPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <amp/rpmsg.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RPMSG_NAME_SIZE (32)
#define RPMSG_NS_EPT_ADDR (0x35)
#define RPMSG_RESERVED_ADDRESSES (1024)
#define RPMSG_ADDR_ANY 0xFFFFFFFF

#define RPMSG_SUCCESS 0
#define RPMSG_ERROR_BASE -2000
#define RPMSG_ERR_NO_MEM (RPMSG_ERROR_BASE - 1)
#define RPMSG_ERR_NO_BUFF (RPMSG_ERROR_BASE - 2)
#define RPMSG_ERR_PARAM (RPMSG_ERROR_BASE - 3)
#define RPMSG_ERR_DEV_STATE (RPMSG_ERROR_BASE - 4)
#define RPMSG_ERR_BUFF_SIZE (RPMSG_ERROR_BASE - 5)
#define RPMSG_ERR_INIT (RPMSG_ERROR_BASE - 6)
#define RPMSG_ERR_ADDR (RPMSG_ERROR_BASE - 7)
#define RPMSG_ERR_PERM (RPMSG_ERROR_BASE - 8)

struct rpmsg_endpoint;
struct rpmsg_device;

/** Receive callback; return RPMSG_SUCCESS (other values are reserved). */
typedef int (*rpmsg_ept_cb)(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
			    void *priv);
/** The remote destroyed the service this endpoint was bound to. */
typedef void (*rpmsg_ns_unbind_cb)(struct rpmsg_endpoint *ept);
/** A name-service announcement no local endpoint was waiting for. */
typedef void (*rpmsg_ns_bind_cb)(struct rpmsg_device *rdev, const char *name, uint32_t dest);

/** An endpoint: OpenAMP's public fields, then the core endpoint (private). */
struct rpmsg_endpoint {
	char name[RPMSG_NAME_SIZE];
	struct rpmsg_device *rdev;
	uint32_t addr;
	uint32_t dest_addr; /**< the application may set it; learned from the first message */
	rpmsg_ept_cb cb;
	rpmsg_ns_unbind_cb ns_unbind_cb;
	void *priv;
	struct amp_rpmsg_ept amp; /**< private */
};

/** The RPMsg device: the core device, plus OpenAMP's NS bind hook. */
struct rpmsg_device {
	struct amp_rpmsg_dev amp;      /**< initialised by the port (amp_rpmsg_remote_init) */
	rpmsg_ns_bind_cb ns_bind_cb;   /**< optional */
	rpmsg_ns_bind_cb ns_unbind_cb; /**< optional */
	bool support_ns;	       /**< read-only mirror of the negotiated NS feature */
};

/** Port helper: after amp_rpmsg_*_init() on rdev->amp, route NS events to rdev's hooks. */
void rpmsg_device_attach(struct rpmsg_device *rdev);

int rpmsg_send_offchannel_raw(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
			      const void *data, int len, int wait);

static inline int rpmsg_send(struct rpmsg_endpoint *ept, const void *data, int len)
{
	if (!ept)
		return RPMSG_ERR_PARAM;
	return rpmsg_send_offchannel_raw(ept, ept->addr, ept->dest_addr, data, len, true);
}

static inline int rpmsg_sendto(struct rpmsg_endpoint *ept, const void *data, int len, uint32_t dst)
{
	if (!ept)
		return RPMSG_ERR_PARAM;
	return rpmsg_send_offchannel_raw(ept, ept->addr, dst, data, len, true);
}

static inline int rpmsg_send_offchannel(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
					const void *data, int len)
{
	return rpmsg_send_offchannel_raw(ept, src, dst, data, len, true);
}

static inline int rpmsg_trysend(struct rpmsg_endpoint *ept, const void *data, int len)
{
	if (!ept)
		return RPMSG_ERR_PARAM;
	return rpmsg_send_offchannel_raw(ept, ept->addr, ept->dest_addr, data, len, false);
}

static inline int rpmsg_trysendto(struct rpmsg_endpoint *ept, const void *data, int len,
				  uint32_t dst)
{
	if (!ept)
		return RPMSG_ERR_PARAM;
	return rpmsg_send_offchannel_raw(ept, ept->addr, dst, data, len, false);
}

static inline int rpmsg_trysend_offchannel(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
					   const void *data, int len)
{
	return rpmsg_send_offchannel_raw(ept, src, dst, data, len, false);
}

void rpmsg_hold_rx_buffer(struct rpmsg_endpoint *ept, void *rxbuf);
void rpmsg_release_rx_buffer(struct rpmsg_endpoint *ept, void *rxbuf);
void *rpmsg_get_tx_payload_buffer(struct rpmsg_endpoint *ept, uint32_t *len, int wait);
int rpmsg_release_tx_buffer(struct rpmsg_endpoint *ept, void *txbuf);
int rpmsg_send_offchannel_nocopy(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
				 const void *data, int len);

static inline int rpmsg_sendto_nocopy(struct rpmsg_endpoint *ept, const void *data, int len,
				      uint32_t dst)
{
	if (!ept)
		return RPMSG_ERR_PARAM;
	return rpmsg_send_offchannel_nocopy(ept, ept->addr, dst, data, len);
}

static inline int rpmsg_send_nocopy(struct rpmsg_endpoint *ept, const void *data, int len)
{
	if (!ept)
		return RPMSG_ERR_PARAM;
	return rpmsg_send_offchannel_nocopy(ept, ept->addr, ept->dest_addr, data, len);
}

int rpmsg_create_ept(struct rpmsg_endpoint *ept, struct rpmsg_device *rdev, const char *name,
		     uint32_t src, uint32_t dest, rpmsg_ept_cb cb, rpmsg_ns_unbind_cb ns_unbind_cb);
void rpmsg_destroy_ept(struct rpmsg_endpoint *ept);

static inline unsigned int is_rpmsg_ept_ready(struct rpmsg_endpoint *ept)
{
	return ept && ept->rdev && ept->dest_addr != RPMSG_ADDR_ANY;
}

/** Map an AMP_E* code to the nearest RPMSG_ERR_* value (0 and positives pass through). */
int rpmsg_err_from_amp(int err);

#ifdef __cplusplus
}
#endif

#endif /* AMP_OPENAMP_RPMSG_H */
