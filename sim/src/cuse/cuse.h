/*
 * `ampsim run --cuse`: real character devices through CUSE (libfuse3), for programs the
 * preload of `ampsim exec` cannot reach (static, setuid): /dev/rpmsg_ctrl<n> while the
 * firmware's RPMsg bus is up, the /dev/rpmsg<m> its ioctls create, and /dev/ttyRPMSG<n> as
 * a symbolic link to the run's pty. Every device is served from the daemon's loop with the
 * daemon's own endpoints (rpmsg_ctrl.c's amp_rpmsg_ctrl_create_ept()); docs/linux-apps.md.
 */
#ifndef AMP_SIM_CUSE_H
#define AMP_SIM_CUSE_H

#include <glib.h>

struct daemon;
struct amp_cuse;

/* Where CUSE is opened; AMPSIM_CUSE_DEVICE replaces it (for tests). */
#define AMP_CUSE_DEVICE "/dev/cuse"

/**
 * Check that CUSE can be used (/dev/cuse opens read-write, /dev is writable); nothing is
 * created yet. NULL with @p err (AMP_ERROR) saying what is missing and what to use instead.
 */
struct amp_cuse *amp_cuse_new(struct daemon *d, GError **err);
/** Remove every device and link. */
void amp_cuse_free(struct amp_cuse *c);
/** The RPMsg bus came up: /dev/rpmsg_ctrl<n> appears. */
void amp_cuse_bus_up(struct amp_cuse *c);
/** The bus went (stop, crash): the control device and every /dev/rpmsg<m> go; open files
 * read and write EPIPE (rpmsg_char's eptdev without its endpoint). */
void amp_cuse_bus_down(struct amp_cuse *c);
/** TX buffers are back: blocked writes go on, pollers hear POLLOUT. */
void amp_cuse_resume(struct amp_cuse *c);
/** Channels came or went: make /dev/ttyRPMSG<n> follow RUNDIR/ttyRPMSG<n>. */
void amp_cuse_sync_ttys(struct amp_cuse *c);
/** One line per open /dev/rpmsg<m> endpoint for `ampsim ctl endpoints`. */
void amp_cuse_list(struct amp_cuse *c, GString *out);

#endif /* AMP_SIM_CUSE_H */
