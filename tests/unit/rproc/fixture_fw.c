/*
 * A minimal "firmware" whose only job is to carry a declared resource table. Built by the
 * test build as a host ELF64 executable and, when arm-none-eabi-gcc is present, as an ARM
 * ELF32 Cortex-M4 image, so the ELF reader is tested on both without checked-in binaries.
 */
#include "fixture_table.h"

AMP_RSC_SECTION struct amp_rsc_table_rpmsg_trace amp_resource_table = FIXTURE_TABLE_INIT;

int main(void)
{
	/* Referencing the table keeps it through ld --gc-sections (the Cortex-M4 link). */
	return (int)amp_resource_table.hdr.num - 2;
}
