/*
 * A GLib fd watch for the hot path (issue 17): g_unix_fd_add() without the self-wake.
 *
 * GLib blocks a source while its callback runs unless it may recurse: it takes the source's
 * fds out of the context's poll set and puts them back afterwards, and putting an fd back
 * writes the context's wake-up eventfd, so the next iteration reads it and polls once more
 * for nothing: about 3 system calls per dispatch. This watch may recurse, so GLib leaves its
 * fd alone; if a callback runs a nested main loop (an application's receive callback may),
 * the watch masks its own fd for the nested loop, as blocking would, and never re-enters the
 * callback.
 */
#ifndef AMP_FD_WATCH_H
#define AMP_FD_WATCH_H

#include <glib-unix.h>

G_BEGIN_DECLS

/**
 * As g_unix_fd_source_new() + g_source_set_callback(@p fn, @p data) + attach to @p ctx
 * (NULL: the global default context, as g_unix_fd_add()); @p fn gets the ready conditions.
 * @return the attached source (one reference, the caller's)
 */
GSource *amp_fd_watch_new(int fd, GIOCondition cond, GUnixFDSourceFunc fn, gpointer data,
			  GMainContext *ctx);

/** As g_unix_fd_add(): attach to the global default context; the source's id. */
guint amp_fd_watch_add(int fd, GIOCondition cond, GUnixFDSourceFunc fn, gpointer data);

G_END_DECLS

#endif /* AMP_FD_WATCH_H */
