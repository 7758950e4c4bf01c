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
 * The socket file is 0600 whatever the umask: only its user can connect.
 *
 * Limits: each server serves at most cfg.max_clients clients at once (default
 * AMP_SOCK_MAX_CLIENTS), and all servers of the process together at most AMP_SOCK_MAX_TOTAL,
 * except `vital` ones (the control socket), which count only against their own cap. A
 * client beyond a cap is accepted and closed at once (after cfg.refuse_msg): it sees EOF
 * rather than waiting in the backlog. One spare descriptor is kept open for the whole
 * process: when accept() finds none free (EMFILE, ENFILE), the spare is closed, the client
 * accepted — served by a vital server, refused by the others — and the spare reopened. When
 * it cannot be reopened (a vital client holds its slot), a vital server asks its owner to
 * close an idle client (cfg.on_fd_limit); failing that, the server stops watching its
 * listener and tries once more 50 ms later, doubling to 1 s: it never spins on a readable
 * listener it cannot accept from. Clients are counted without the callers' help: a client
 * counts while its descriptor is open (checked by fd, device and inode at each accept).
 *
 * Private to sim/ (the daemon and the sdb service). Errors are AMP_ERROR (<ampsim/error.h>).
 */
#ifndef AMP_SOCK_SERVER_H
#define AMP_SOCK_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib-unix.h>
#include <glib.h>

struct amp_fd_group;

G_BEGIN_DECLS

/**
 * A new client. @p fd is the accepted socket, close-on-exec, non-blocking unless the server
 * was made with blocking_clients; the callback owns it (closes it or keeps it). Runs on the
 * server's context; it must not free the server.
 */
typedef void (*amp_sock_client_fn)(void *priv, int fd);

/** Clients one server serves at once unless its cfg says otherwise. A frame socket has one
 * owner at a time anyway; rpmsg_ctrl0 and rpmsg-sdb clients each hold an endpoint or buffers,
 * and 64 is far beyond what a Linux-side test program opens. */
#define AMP_SOCK_MAX_CLIENTS 64u
/** Clients of all non-vital servers of the process together: with the daemon's own
 * descriptors, well under the usual 1024 open-file limit. */
#define AMP_SOCK_MAX_TOTAL 256u

struct amp_sock_server_cfg {
	int type;	       /**< SOCK_SEQPACKET or SOCK_STREAM */
	int backlog;	       /**< listen() backlog, > 0 */
	bool blocking_clients; /**< accepted sockets stay blocking */
	GMainContext *context; /**< where accepting runs; NULL = the global default */
	/** If set, the listening socket is a member of this group (on the same context): one
	 * GLib source for many servers and clients (fd_group.h, issue 17). */
	struct amp_fd_group *group;
	amp_sock_client_fn on_client; /**< required */
	void *priv;		      /**< passed to on_client */
	unsigned max_clients;	      /**< clients at once; 0 = AMP_SOCK_MAX_CLIENTS */
	bool vital;		      /**< outside the total cap; served with the spare fd */
	const char *refuse_msg;	      /**< sent to a refused client before closing, or NULL */
	/** Vital only, optional: no descriptor is free even for the spare; close a client you
	 * can spare (the control socket closes its oldest connection still without a request). */
	void (*on_fd_limit)(void *priv);
};

struct amp_sock_server_stats {
	uint64_t accepted; /**< clients handed to on_client */
	uint64_t refused;  /**< accepted and closed at once: over a cap, or at the fd limit */
	uint64_t no_fd;	   /**< accept() found no free descriptor (EMFILE, ENFILE, ...) */
	uint64_t backoffs; /**< times the listener was left alone until a descriptor was free */
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

const struct amp_sock_server_stats *amp_sock_server_stats(const struct amp_sock_server *s);

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
