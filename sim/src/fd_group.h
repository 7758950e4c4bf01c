/*
 * Many fds as one GLib source (issue 17): an epoll set whose descriptor is the only one the
 * GLib loop polls, so a loop iteration costs the same with 64 clients as with one, and a
 * member's callback or conditions change without a GSource being destroyed and created
 * (GLib rebuilds its poll set for that). The daemon's rpmsg_ctrl0 clients use it.
 *
 * Level-triggered, as GLib's fd watches: a member whose fd stays readable is called again on
 * the next dispatch. One dispatch calls at most AMP_FD_GROUP_BATCH members (one epoll_wait()),
 * the rest wait for the next iteration, so the loop's other sources still run. Like
 * fd_watch.h, the source may recurse (no self-wake per dispatch) and keeps out of a nested
 * main loop run from a callback.
 */
#ifndef AMP_FD_GROUP_H
#define AMP_FD_GROUP_H

#include <stdbool.h>

#include <glib-unix.h>

G_BEGIN_DECLS

#define AMP_FD_GROUP_BATCH 64

struct amp_fd_group;
struct amp_fd_member;

/** A new group attached to @p ctx (NULL: the global default context); NULL and *@p err set
 * if epoll_create1() fails. */
struct amp_fd_group *amp_fd_group_new(GMainContext *ctx, GError **err);

/** Destroy the group and every member still in it (their callbacks are not called). */
void amp_fd_group_free(struct amp_fd_group *g);

/**
 * Watch @p fd for @p cond (G_IO_IN, G_IO_OUT, G_IO_PRI; G_IO_HUP and G_IO_ERR are always
 * reported, as by poll()): @p fn(fd, ready, data) is called while it is ready; returning
 * G_SOURCE_REMOVE removes the member. One member per fd in a group.
 * @return the member, or NULL with errno set (epoll_ctl() failed: EEXIST, EBADF, ENOMEM, ...)
 */
struct amp_fd_member *amp_fd_group_add(struct amp_fd_group *g, int fd, GIOCondition cond,
				       GUnixFDSourceFunc fn, gpointer data);

/**
 * Change what @p m watches and whom it calls, in place. @p cond 0 stops watching (HUP and ERR
 * included) until a later call with conditions; the member stays. Safe from any callback.
 * @return false with errno set if epoll_ctl() failed (the member then watches nothing)
 */
bool amp_fd_member_set(struct amp_fd_member *m, GIOCondition cond, GUnixFDSourceFunc fn);

/** Remove @p m (before its fd is closed). Safe from any callback, its own included. */
void amp_fd_member_remove(struct amp_fd_member *m);

/** Members in the group, and how many epoll_wait() calls its dispatches made (for tests). */
unsigned amp_fd_group_size(const struct amp_fd_group *g);
guint64 amp_fd_group_waits(const struct amp_fd_group *g);

G_END_DECLS

#endif /* AMP_FD_GROUP_H */
