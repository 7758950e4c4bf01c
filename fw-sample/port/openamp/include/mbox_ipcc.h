/*
 * ST's mbox_ipcc.h for ampsim: the IPCC doorbell of OpenAMP's remoteproc_virtio. Channel 1
 * carries vring0 (to the host: a new message; from it: buffers came back), channel 2 vring1
 * (to the host: buffers freed; from it: a new message); channel 3 is the shutdown request.
 */
#ifndef MBOX_IPCC_H_
#define MBOX_IPCC_H_

#include <stdbool.h>
#include <stdint.h>

#include "openamp/open_amp.h"

int MAILBOX_Init(void);
/* rproc_virtio's notify: @p id is the vring's notify id (0, 1). */
int MAILBOX_Notify(void *priv, uint32_t id);
/* Call rproc_virtio_notified() for what arrived; 0 if something did, else -EAGAIN. */
int MAILBOX_Poll(struct virtio_device *vdev);

/* ampsim's additions: sleep until the next interrupt or @p ms; the shutdown request; stop. */
void MAILBOX_Wait(uint32_t ms);
bool MAILBOX_StopRequested(void);
void MAILBOX_DeInit(void);

#endif /* MBOX_IPCC_H_ */
