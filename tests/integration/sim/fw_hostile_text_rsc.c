/* fw_hostile_text's resource table: echo's, with an escape sequence in the trace's name. */
#include <amp/rsc_declare.h>

#include <amp/fw_memory_map.h>

AMP_RSC_SECTION struct amp_rsc_table_rpmsg_trace amp_resource_table =
    AMP_RSC_TABLE_RPMSG_TRACE_INIT(AMP_RSC_ST_VRING_NUM, AMP_RSC_ST_VRING_ALIGN, FW_TRACE_BUFFER_DA,
				   FW_TRACE_BUFFER_SIZE, "cm4\x1b[5mlog");
