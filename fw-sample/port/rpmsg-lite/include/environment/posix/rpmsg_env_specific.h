/*
 * The types RPMsg-Lite's rpmsg_queue.h expects from an environment, for ampsim's POSIX-thread
 * environment (env/rpmsg_env_posix.c, docs/real-stacks.md). Written for ampsim from
 * RPMsg-Lite's public environment API.
 */
#ifndef RPMSG_ENV_SPECIFIC_H_
#define RPMSG_ENV_SPECIFIC_H_

#include <stdint.h>

#include "rpmsg_default_config.h"

/* What rpmsg_queue_rx_cb() puts in the queue for one received message. */
typedef struct {
	uint32_t src;
	void *data;
	uint32_t len;
} rpmsg_queue_rx_cb_data_t;

#endif /* RPMSG_ENV_SPECIFIC_H_ */
