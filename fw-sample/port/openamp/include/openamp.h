/*
 * ST's Cube OpenAMP glue (openamp.h of the STM32CubeMP1 examples), implemented for ampsim on
 * the real OpenAMP and libmetal: an application written for ST's glue uses it unchanged.
 */
#ifndef OPENAMP_H_
#define OPENAMP_H_

#include "openamp/open_amp.h"
#include "openamp_conf.h"

#define OPENAMP_send rpmsg_send
#define OPENAMP_destroy_ept rpmsg_destroy_ept

/* Bring up the remote as ST's Cube does; 0 on success, else -1 after a message on stderr. */
int MX_OPENAMP_Init(int RPMsgRole, rpmsg_ns_bind_cb ns_bind_cb);
void OPENAMP_DeInit(void);
int OPENAMP_create_endpoint(struct rpmsg_endpoint *ept, const char *name, uint32_t dest,
			    rpmsg_ept_cb cb, rpmsg_ns_unbind_cb unbind_cb);
/* Process what the mailbox received (ST: MAILBOX_Poll). Under ampsim it sleeps up to 10 ms
 * when nothing is pending, and on a shutdown request (IPCC CH3) it deinitialises OpenAMP and
 * exits the process with status 0, as the M4 stops. */
void OPENAMP_check_for_message(void);
void OPENAMP_Wait_EndPointready(struct rpmsg_endpoint *rp_ept);

#endif /* OPENAMP_H_ */
