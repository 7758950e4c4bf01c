/*
 * The resource table: one rpmsg vdev with two 16-entry vrings at addresses the host picks,
 * and a trace buffer in MCU SRAM (read with `ampsim ctl trace`). See docs/resource-table.md
 * for other layouts (buffer sizes, more carveouts).
 */
#include <amp/fw_memory_map.h>
#include <amp/rsc_declare.h>

AMP_RSC_SECTION struct amp_rsc_table_rpmsg_trace amp_resource_table =
    AMP_RSC_TABLE_RPMSG_TRACE_INIT(AMP_RSC_ST_VRING_NUM, AMP_RSC_ST_VRING_ALIGN, FW_TRACE_BUFFER_DA,
				   FW_TRACE_BUFFER_SIZE, "upper_log");
