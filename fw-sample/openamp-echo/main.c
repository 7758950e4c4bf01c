/*
 * openamp-echo: an ST Cube-style OpenAMP remote on the real OpenAMP and libmetal: bring-up
 * with MX_OPENAMP_Init(), one endpoint announced as "rpmsg-openamp-demo-channel", every
 * message sent back to its sender from the receive callback, and the main loop of ST's
 * examples. Only the glue under it (fw-sample/port/openamp) knows it runs under ampsim.
 */
#include <stdio.h>

#include "openamp.h"

#define RPMSG_SERVICE_NAME "rpmsg-openamp-demo-channel"

static struct rpmsg_endpoint echo_ept;

static int rx_callback(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	if (rpmsg_sendto(ept, data, (int)len, src) < 0)
		fprintf(stderr, "openamp-echo: a reply could not be sent\n");
	return RPMSG_SUCCESS;
}

int main(void)
{
	if (MX_OPENAMP_Init(RPMSG_REMOTE, NULL) != 0)
		return 1;
	if (OPENAMP_create_endpoint(&echo_ept, RPMSG_SERVICE_NAME, RPMSG_ADDR_ANY, rx_callback,
				    NULL) < 0) {
		fprintf(stderr, "openamp-echo: cannot create the endpoint\n");
		return 1;
	}
	for (;;)
		OPENAMP_check_for_message(); /* returns no more once the host asks for a stop */
}
