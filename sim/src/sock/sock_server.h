/*
 * One listening Unix socket and its accept loop: every socket the daemon serves (RUNDIR/rpmsgN,
 * rpmsg_ctrl0, rpmsg-sdb, control) is made and accepted here, so they all behave alike.
 *
 * The socket is bound and listening under "PATH.new" and then renamed to PATH without
 * replacing anything there, so a client that sees PATH can connect at once (between bind and
 * listen it would get ECONNREFUSED) and a PATH that someone else made is never taken over.
 * Accepting runs as a source on the GMainContext the caller gives; what a client sends is the
 * caller's business (amp_sock_watch() is a watch on the same context).
 *
 * Private to sim/ (the daemon and the sdb service). Errors are AMP_ERROR (<ampsim/error.h>).
 */
#ifndef AMP_SOCK_SERVER_H
#define AMP_SOCK_SERVER_H

#include <stdbool.h>

#include <glib-unix.h>
#include <glib.h>

G_BEGIN_DECLS

/**
 * A new client. @p fd is the accepted socket, close-on-exec, non-blocking unless the server
 * was made with blocking_clients; the callback owns it (closes it or keeps it). Runs on the
 * server's context; it must not free the server.
 */
typedef void (*amp_sock_client_fn)(void *priv, int fd);

struct amp_sock_server_cfg {
	int type;		      /**< SOCK_SEQPACKET or SOCK_STREAM */
	int backlog;		      /**< listen() backlog, > 0 */
	bool blocking_clients;	      /**< accepted sockets stay blocking */
	GMainContext *context;	      /**< where accepting runs; NULL = the global default */
	amp_sock_client_fn on_client; /**< required */
	void *priv;		      /**< passed to on_client */
};

struct amp_sock_server;

/**
 * Listen on @p path and accept on @p cfg->context from now on.
 *
 * @return the server, or NULL with @p err set to AMP_ERROR and one of:
 * @retval AMP_EINVAL  bad @p cfg, or @p path too long for a Unix socket address
 * @retval AMP_EEXIST  @p path already exists (it is left alone)
 * @retval AMP_ENOENT  its directory does not exist
 * @retval other       socket/bind/listen/rename's errno through amp_from_errno()
 */
struct amp_sock_server *amp_sock_server_new(const char *path, const struct amp_sock_server_cfg *cfg,
					    GError **err);

/**
 * Stop accepting, close the listening socket and remove the path. Accepted clients are the
 * callers' and stay open. NULL is ignored.
 */
void amp_sock_server_free(struct amp_sock_server *s);

const char *amp_sock_server_path(const struct amp_sock_server *s);

/**
 * Watch @p fd for @p cond on @p context (NULL = the global default): g_unix_fd_add() for a
 * context of the caller's choosing. Returns the attached source, which the caller holds:
 * amp_sock_unwatch() stops and releases it, also after @p fn returned G_SOURCE_REMOVE.
 */
GSource *amp_sock_watch(GMainContext *context, int fd, GIOCondition cond, GUnixFDSourceFunc fn,
			void *data);

/** Destroy and release a watch from amp_sock_watch(); sets *@p src to NULL. NULL is ignored. */
void amp_sock_unwatch(GSource **src);

G_END_DECLS

#endif /* AMP_SOCK_SERVER_H */
