/*
 * The role seam of the RPMsg core, for a host that interposes on it. The host and remote
 * roles differ only in how a TX buffer is obtained/published and how an RX buffer is
 * taken/returned; each role is a const table (so a firmware image that only calls
 * amp_rpmsg_remote_init() links no host code). ampsim's fault plan (docs/faults.md) wraps
 * the host's table to corrupt headers and to keep buffers back: it sets
 * amp_rpmsg_dev.ops to its own table after amp_rpmsg_host_init(), whose entries call these.
 * Declarations only: nothing here costs a firmware image anything.
 */
#ifndef AMP_RPMSG_ROLE_H
#define AMP_RPMSG_ROLE_H

#include <stdint.h>

#include <amp/rpmsg.h>

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

/** The host (virtio driver) role, as amp_rpmsg_host_init() installs it. */
extern const struct amp_rpmsg_role_ops amp_rpmsg_host_ops;

#endif /* AMP_RPMSG_ROLE_H */
