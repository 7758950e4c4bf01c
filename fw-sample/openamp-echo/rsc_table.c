/*
 * The resource table of the OpenAMP samples, as ST's Cube firmware declares it: one rpmsg
 * vdev (name service offered) with two 16-entry vrings, alignment 16, placed by the host.
 */
#include <amp/rsc_declare.h>

AMP_RSC_SECTION struct amp_rsc_table_rpmsg amp_resource_table =
    AMP_RSC_TABLE_RPMSG_INIT(AMP_RSC_ST_VRING_NUM, AMP_RSC_ST_VRING_ALIGN);
