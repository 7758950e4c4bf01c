/*
 * The sensor firmware's resource table, as ST's Cube firmware declares it: one rpmsg vdev
 * (id 7, name service offered) with two 16-entry vrings at addresses the host chooses, and
 * a trace buffer "cm4_log" in MCU SRAM.
 */
#include <amp/rsc_declare.h>

#include <amp/fw_memory_map.h>

AMP_RSC_SECTION struct amp_rsc_table_rpmsg_trace amp_resource_table =
    AMP_RSC_TABLE_RPMSG_TRACE_INIT(AMP_RSC_ST_VRING_NUM, AMP_RSC_ST_VRING_ALIGN, FW_TRACE_BUFFER_DA,
				   FW_TRACE_BUFFER_SIZE, "cm4_log");
