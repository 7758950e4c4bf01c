/*
 * The RPMsg-Lite echo firmware's resource table: one rpmsg vdev offering the name service,
 * its two vrings at the fixed addresses RPMsg-Lite's remote expects (vring1 = vring0 +
 * VRING_SIZE), RL_BUFFER_COUNT entries each, VRING_ALIGN.
 */
#include <stddef.h>

#include <amp/rsc_declare.h>

#include "rpmsg_config.h"
#include "rpmsg_platform.h"
#include "rsc_table.h"

AMP_RSC_SECTION struct amp_rsc_table_rpmsg amp_resource_table = {
    .hdr = AMP_RSC_HDR_INIT(1),
    .offset = {offsetof(struct amp_rsc_table_rpmsg, vdev)},
    .vdev = AMP_RSC_VDEV_RPMSG_INIT(2),
    .vring = {AMP_RSC_VRING_INIT(VDEV0_VRING_BASE, VRING_ALIGN, RL_BUFFER_COUNT, 0),
	      AMP_RSC_VRING_INIT(VDEV0_VRING_BASE + VRING_SIZE, VRING_ALIGN, RL_BUFFER_COUNT, 1)},
};
