/* The table of the remoteproc core's test firmware: a vdev, a trace buffer and a watchdog. */
#ifndef AMP_TEST_CORE_FW_TABLE_H
#define AMP_TEST_CORE_FW_TABLE_H

#include <amp/rsc_declare.h>

#define CORE_FW_TRACE_DA 0x1000f000u /* inside the fake RAM region, after the table */
#define CORE_FW_TRACE_LEN 0x100u
#define CORE_FW_WDG_MS 50u

struct core_fw_table {
	struct amp_rsc_table_hdr hdr;
	uint32_t offset[3];
	struct amp_fw_rsc_vdev vdev;
	struct amp_fw_rsc_vdev_vring vring[2];
	struct amp_fw_rsc_trace trace;
	struct amp_fw_rsc_watchdog wdg;
};

#define CORE_FW_TABLE_INIT                                                                   \
	{                                                                                    \
		.hdr = AMP_RSC_HDR_INIT(3),                                                  \
		.offset = {offsetof(struct core_fw_table, vdev),                             \
			   offsetof(struct core_fw_table, trace),                            \
			   offsetof(struct core_fw_table, wdg)},                             \
		.vdev = AMP_RSC_VDEV_RPMSG_INIT(2),                                          \
		.vring = {AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, 16, 16, 0),                \
			  AMP_RSC_VRING_INIT(AMP_FW_RSC_ADDR_ANY, 16, 16, 1)},               \
		.trace = AMP_RSC_TRACE_INIT(CORE_FW_TRACE_DA, CORE_FW_TRACE_LEN, "cm4_log"), \
		.wdg = AMP_RSC_WATCHDOG_INIT(CORE_FW_WDG_MS),                                \
	}

#endif
