/* Private to sim/src/cuse/: the sessions (cuse.c) and the endpoint devices (cuse_ept.c). */
#ifndef AMP_SIM_CUSE_INTERNAL_H
#define AMP_SIM_CUSE_INTERNAL_H

#define FUSE_USE_VERSION 35
#include <stdbool.h>
#include <stdint.h>

#include <cuse_lowlevel.h>
#include <fuse_lowlevel.h>
#include <glib.h>

#include "../daemon/rpmsg_ctrl.h"

struct daemon;
struct cuse_dev;
struct ctrldev;

struct amp_cuse {
	struct daemon *d;
	char *path;	  /* /dev/cuse, or $AMPSIM_CUSE_DEVICE */
	GPtrArray *ctrls; /* struct ctrldev *: the live one last, dead ones until closed */
	GPtrArray *epts;  /* struct eptdev * */
	guint32 ttys;	  /* /dev/ttyRPMSG<n> links made, one bit per n */
};

/**
 * Start a character device /dev/@p name: a CUSE session whose requests are served from the
 * daemon's loop with @p ops (userdata @p priv). It exists once ops->init_done ran; @p lost
 * runs instead if the kernel refused it (a name taken) or ended the session.
 * @return the device, or NULL with errno set (/dev/cuse did not open)
 */
struct cuse_dev *cuse_dev_start(struct amp_cuse *c, const char *name,
				const struct cuse_lowlevel_ops *ops, void *priv,
				void (*lost)(void *priv));
/** End the session: the device goes (its open files fail). Safe from its own callbacks. */
void cuse_dev_stop(struct cuse_dev *v);
/** Remove /dev/@p name now, before its session ends (Linux removes the node at once). */
void cuse_dev_unlink(const char *name);

/* cuse_ept.c: the /dev/rpmsg<m> of RPMSG_CREATE_EPT_IOCTL and RPMSG_CREATE_DEV_IOCTL. */
/** Create the device and answer @p req (the ioctl) once it exists. */
void cuse_ept_create(struct amp_cuse *c, const struct amp_ctrl_ept_info *info, bool channel,
		     fuse_req_t req);
/** RPMSG_RELEASE_DEV_IOCTL: 0 or EINVAL (no channel made that way matches). */
int cuse_ept_release_dev(struct amp_cuse *c, const struct amp_ctrl_ept_info *info);
/** A channel made by RPMSG_CREATE_DEV_IOCTL matches (rpmsg_find_device()'s rule). */
bool cuse_ept_channel_exists(struct amp_cuse *c, const struct amp_ctrl_ept_info *info);
/** Every device goes (the bus went); @p now: also those still open (the run ends). */
void cuse_ept_destroy_all(struct amp_cuse *c, bool now);
void cuse_ept_resume(struct amp_cuse *c);
void cuse_ept_list(struct amp_cuse *c, GString *out);

#endif /* AMP_SIM_CUSE_INTERNAL_H */
