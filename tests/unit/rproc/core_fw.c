/*
 * The remoteproc core's test firmware: never run, only read (the core's unit test drives a
 * fake platform). A host ELF64 file whose .resource_table is core_fw_table.h's.
 */
#include "core_fw_table.h"

AMP_RSC_SECTION struct core_fw_table amp_resource_table = CORE_FW_TABLE_INIT;

int main(void)
{
	return (int)amp_resource_table.hdr.num - 3;
}
