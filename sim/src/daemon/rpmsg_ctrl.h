/*
 * RUNDIR/rpmsg_ctrl0: endpoints on demand, as Linux's /dev/rpmsg_ctrl0 + RPMSG_CREATE_EPT_IOCTL
 * (REFERENCE 8.2), over a SOCK_SEQPACKET socket instead of an ioctl:
 *
 *   1. connect; send one 40-byte struct amp_ctrl_ept_info {name, src, dst} (host order);
 *      src AMP_CTRL_ADDR_ANY = a free address from 1024.
 *   2. read one 44-byte struct amp_ctrl_reply: status 0 and the info with the actual src,
 *      or an errno value (EADDRINUSE, EINVAL, ENOTCONN...) after which the daemon hangs up.
 *   3. on success the connection is the endpoint, like the /dev/rpmsgN CREATE_EPT makes:
 *      one write = one message from src to dst (more than the MTU: refused whole and
 *      counted, never truncated), one read = one message the firmware sent to src.
 *      Closing it destroys the endpoint; a firmware crash or stop hangs it up (EOF).
 *
 * The socket exists while the firmware's RPMsg bus is up, as the device does on Linux.
 */
#ifndef AMP_SIM_RPMSG_CTRL_H
#define AMP_SIM_RPMSG_CTRL_H

#include <stdint.h>

#include <glib.h>

#define AMP_CTRL_FILE "rpmsg_ctrl0"
#define AMP_CTRL_ADDR_ANY 0xFFFFFFFFu

/** Linux's struct rpmsg_endpoint_info (uapi/linux/rpmsg.h). */
struct amp_ctrl_ept_info {
	char name[32];
	uint32_t src;
	uint32_t dst;
};
_Static_assert(sizeof(struct amp_ctrl_ept_info) == 40, "rpmsg_endpoint_info is 40 bytes");

struct amp_ctrl_reply {
	int32_t status; /**< 0, or a positive errno value (amp_to_errno() of the AMP_E* code) */
	struct amp_ctrl_ept_info info;
};
_Static_assert(sizeof(struct amp_ctrl_reply) == 44, "the reply is 44 bytes");

struct daemon;
struct amp_rpmsg_ctrl;

/** Listen on @p path. NULL with @p err set (AMP_ERROR, as amp_sock_server_new()). */
struct amp_rpmsg_ctrl *amp_rpmsg_ctrl_new(struct daemon *d, const char *path, GError **err);
/** Hang up every connection (destroying its endpoint), remove the socket. */
void amp_rpmsg_ctrl_free(struct amp_rpmsg_ctrl *c);
/** TX buffers are back: let paused endpoint clients write again. */
void amp_rpmsg_ctrl_resume(struct amp_rpmsg_ctrl *c);
/**
 * Create an endpoint as a request on RUNDIR/rpmsg_ctrl0 does (also for `ampsim run --cuse`'s
 * /dev/rpmsg<n>, sim/src/cuse/): @p info's name must be NUL-terminated, src may be
 * AMP_CTRL_ADDR_ANY; on success info->src is the address taken. Says what happened, naming
 * @p via. @return 0, or the errno value the request answers (EINVAL, EADDRINUSE, ENOTCONN)
 */
struct amp_host_ept_ops;
struct amp_host_ept;
int amp_rpmsg_ctrl_create_ept(struct daemon *d, const char *via, struct amp_ctrl_ept_info *info,
			      const struct amp_host_ept_ops *ops, void *priv,
			      struct amp_host_ept **out);
/** One line per endpoint for `ampsim ctl endpoints`. */
void amp_rpmsg_ctrl_list(struct amp_rpmsg_ctrl *c, GString *out);

#endif /* AMP_SIM_RPMSG_CTRL_H */
