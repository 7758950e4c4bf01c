/* The test firmware's resource table: the same as fw-sample/echo's (ST's defaults). */
#include <amp/rsc_declare.h>

#include <amp/fw_memory_map.h>

AMP_RSC_SECTION struct amp_rsc_table_rpmsg_trace amp_resource_table =
    AMP_RSC_TABLE_RPMSG_TRACE_INIT(AMP_RSC_ST_VRING_NUM, AMP_RSC_ST_VRING_ALIGN, FW_TRACE_BUFFER_DA,
				   FW_TRACE_BUFFER_SIZE, "cm4_log");
