/* The table every rproc fixture declares: ST's defaults plus a trace buffer. */
#ifndef AMP_TEST_FIXTURE_TABLE_H
#define AMP_TEST_FIXTURE_TABLE_H

#include <amp/rsc_declare.h>

#define FIXTURE_TRACE_DA 0x10050000u
#define FIXTURE_TRACE_LEN 0x1000u

#define FIXTURE_TABLE_INIT                                                           \
	AMP_RSC_TABLE_RPMSG_TRACE_INIT(AMP_RSC_ST_VRING_NUM, AMP_RSC_ST_VRING_ALIGN, \
				       FIXTURE_TRACE_DA, FIXTURE_TRACE_LEN, "cm4_log")

#endif
