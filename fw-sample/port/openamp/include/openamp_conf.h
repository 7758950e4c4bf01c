/*
 * ST's Cube openamp_conf.h for ampsim: the role names and ids MX_OPENAMP_Init() uses. The
 * addresses ST's file hard-codes (vrings, buffers, resource table) come from the run's shared
 * memory and the loaded resource table instead (docs/real-stacks.md).
 */
#ifndef OPENAMP_CONF_H_
#define OPENAMP_CONF_H_

#include "openamp/open_amp.h"

#define RPMSG_REMOTE VIRTIO_DEV_DEVICE
#define RPMSG_MASTER VIRTIO_DEV_DRIVER

#define VDEV_ID 0xFF /* as ST: the vdev's notify id in rproc_virtio_create_vdev() */
#define VRING0_ID 0  /* vring0: the remote's TX ring, IPCC channel 1 */
#define VRING1_ID 1  /* vring1: the remote's RX ring, IPCC channel 2 */

/* MAILBOX_Notify() as ST's: wait while the channel is still occupied (1), or set it at once
 * and let the IPCC coalesce (0). */
#ifndef AMPSIM_MBOX_STRICT
#define AMPSIM_MBOX_STRICT 1
#endif

#endif /* OPENAMP_CONF_H_ */
