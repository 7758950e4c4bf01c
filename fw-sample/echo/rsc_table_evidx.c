/*
 * echo-evidx: the echo firmware with a resource table that also offers
 * VIRTIO_RING_F_EVENT_IDX, which Linux's remoteproc accepts (vring_transport_features): both
 * vrings then use used_event / avail_event instead of the ring flags (docs/rpmsg-core.md).
 * The test firmware of the host's negotiation (tests/integration/fw-sample/test_event_idx.c).
 */
#include <amp/rsc_declare.h>

#include <amp/fw_memory_map.h>

AMP_RSC_SECTION struct amp_rsc_table_rpmsg_trace amp_resource_table = {
    .hdr = AMP_RSC_HDR_INIT(2),
    .offset = {offsetof(struct amp_rsc_table_rpmsg_trace, vdev),
	       offsetof(struct amp_rsc_table_rpmsg_trace, trace)},
    .vdev =
	AMP_RSC_VDEV_INIT(AMP_VIRTIO_ID_RPMSG,
			  (1u << AMP_VIRTIO_RPMSG_F_NS) | (1u << AMP_VIRTIO_RING_F_EVENT_IDX), 2),
    .vring = {AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, AMP_RSC_ST_VRING_ALIGN, AMP_RSC_ST_VRING_NUM,
				 0),
	      AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, AMP_RSC_ST_VRING_ALIGN, AMP_RSC_ST_VRING_NUM,
				 1)},
    .trace = AMP_RSC_TRACE_INIT(FW_TRACE_BUFFER_DA, FW_TRACE_BUFFER_SIZE, "cm4_log"),
};
