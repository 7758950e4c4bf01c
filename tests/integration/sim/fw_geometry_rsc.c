/*
 * The geometry test firmware's resource table: vring0 (firmware -> host) with FW_NUM0
 * entries, vring1 (host -> firmware) with FW_NUM1, a trace buffer; with FW_H2R_BUF and
 * FW_R2H_BUF, buffer sizes per direction in the vdev's config space (ampsim's layout).
 */
#include <amp/rsc_declare.h>

#include <amp/fw_memory_map.h>

#ifndef FW_ALIGN
#define FW_ALIGN 16u /* FW_ALIGN=4u: a vring RPMsg-Lite would lay out differently */
#endif

#if defined(FW_H2R_BUF) && defined(FW_R2H_BUF)
AMP_RSC_SECTION struct amp_rsc_table_rpmsg_bufs_trace amp_resource_table =
    AMP_RSC_TABLE_RPMSG_BUFS_TRACE_INIT(FW_NUM0, FW_NUM1, 16, FW_H2R_BUF, FW_R2H_BUF,
					FW_TRACE_BUFFER_DA, FW_TRACE_BUFFER_SIZE, "cm4_log");
#else
/* A Linux table: no config space, 512-byte buffers both ways. */
struct geometry_table {
	struct amp_rsc_table_hdr hdr;
	uint32_t offset[2];
	struct amp_fw_rsc_vdev vdev;
	struct amp_fw_rsc_vdev_vring vring[2];
	struct amp_fw_rsc_trace trace;
};

AMP_RSC_SECTION struct geometry_table amp_resource_table = {
    .hdr = AMP_RSC_HDR_INIT(2),
    .offset = {offsetof(struct geometry_table, vdev), offsetof(struct geometry_table, trace)},
    .vdev = AMP_RSC_VDEV_RPMSG_INIT(2),
    .vring = {AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, FW_ALIGN, FW_NUM0, 0),
	      AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, FW_ALIGN, FW_NUM1, 1)},
    .trace = AMP_RSC_TRACE_INIT(FW_TRACE_BUFFER_DA, FW_TRACE_BUFFER_SIZE, "cm4_log"),
};
#endif
