/*
 * RPMsg-Lite's application configuration for the echo sample (RPMsg-Lite includes it as
 * "rpmsg_config.h"). The buffer count must equal the vring size in rsc_table.c, and a
 * buffer (16-byte header + payload) must match the host's: Linux's 512 bytes.
 */
#ifndef RPMSG_CONFIG_H_
#define RPMSG_CONFIG_H_

#define RL_MS_PER_INTERVAL (1)
#define RL_BUFFER_PAYLOAD_SIZE (496U)
#define RL_BUFFER_COUNT (16U)
#define RL_API_HAS_ZEROCOPY (1)
#define RL_USE_STATIC_API (0)
#define RL_CLEAR_USED_BUFFERS (0)
#define RL_USE_ENVIRONMENT_CONTEXT (0)
#define RL_DEBUG_CHECK_BUFFERS (0)
#define RL_ALLOW_CONSUMED_BUFFERS_NOTIFICATION (0)

void platform_ampsim_assert_fail(const char *file, int line, const char *expr);
#define RL_ASSERT(x)                                                         \
	do {                                                                 \
		if (!(x))                                                    \
			platform_ampsim_assert_fail(__FILE__, __LINE__, #x); \
	} while (0)

#endif /* RPMSG_CONFIG_H_ */
