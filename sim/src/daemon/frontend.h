/*
 * User-facing endpoints of the ampsim daemon: what a Linux-side program opens where a
 * board has /dev/rpmsgN (a SOCK_SEQPACKET socket, one message per read/write) or
 * /dev/ttyRPMSGn (a pseudo-terminal, a byte stream).
 *
 * A frontend is bound to one RPMsg channel. It sends what its client writes through
 * `send`, and the daemon hands it what the firmware sends with amp_frontend_deliver().
 * All calls happen on the daemon's GLib main loop thread.
 */
#ifndef AMP_SIM_FRONTEND_H
#define AMP_SIM_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

/** The channel a frontend talks to. */
struct amp_chan_ops {
	/**
	 * Send one message (len <= mtu) to the firmware without blocking.
	 * @retval 0 sent
	 * @retval AMP_ENOMEM no TX buffer free now: the frontend keeps the message and
	 *         pauses its client until amp_frontend_resume() is called
	 * @retval other AMP_E* the message cannot go: counted, and a frame socket's client is
	 *         hung up so that it learns it (a tty's is told in the log only)
	 */
	int (*send)(void *ctx, const void *data, size_t len);
	/**
	 * The client has room again after amp_frontend_deliver() returned false: deliver the
	 * held message again (amp_host_rx_resume()). Called from the frontend's own callbacks
	 * and from amp_frontend_deliver(); must not deliver from inside the call.
	 */
	void (*rx_ready)(void *ctx);
	/**
	 * Only for amp_frontend_new_connected(): the client hung up. Called from an idle
	 * callback, so the owner may free the frontend here.
	 */
	void (*hangup)(void *ctx);
	/** Optional: a client connected (a frame socket accepted one; the event trace). */
	void (*connected)(void *ctx);
	/** Optional: hold (release) the doorbells of the sends of one batch of the client's
	 * messages (amp_host_hold_kicks()): the firmware takes the batch in one interrupt. */
	void (*hold_kicks)(void *ctx, bool hold);
};

/**
 * What a frame socket's non-blocking writer is told: a message carrying a descriptor
 * (SCM_RIGHTS) is sent now or dropped, and one of these is added to that descriptor (an
 * eventfd). sim/shim/shim_dev.c reads them (docs/exec.md).
 */
enum {
	AMP_FRONTEND_NB_SENT = 1,   /**< sent to the firmware */
	AMP_FRONTEND_NB_AGAIN = 2,  /**< no TX buffer free: dropped (the writer's EAGAIN) */
	AMP_FRONTEND_NB_FAILED = 3, /**< the channel refused it: the client is hung up (EPIPE) */
	AMP_FRONTEND_NB_TOOBIG = 4, /**< over the MTU: dropped (EMSGSIZE) */
};

enum amp_frontend_kind { AMP_FRONTEND_SEQPACKET, AMP_FRONTEND_TTY };

struct amp_frontend_stats {
	uint64_t rx_msgs;     /**< messages from the firmware */
	uint64_t rx_bytes;    /**< payload bytes from the firmware */
	uint64_t tx_msgs;     /**< messages sent to the firmware */
	uint64_t tx_bytes;    /**< payload bytes sent to the firmware */
	uint64_t tx_oversize; /**< client writes larger than the MTU, rejected */
	uint64_t tx_errors;   /**< sends the channel refused */
	uint64_t rx_dropped;  /**< firmware messages dropped: no client (frame socket only) */
	uint64_t rx_held;     /**< times the client's queue was full: the firmware held back */
	uint64_t clients;     /**< clients accepted so far */
	uint64_t busy;	      /**< connections refused because a client is attached */
	uint64_t tx_stalls;   /**< times the client was paused for lack of TX buffers */
	uint64_t tx_eagain;   /**< non-blocking writes refused: no TX buffer (EAGAIN) */
};

struct amp_frontend;
struct amp_fd_group;

/**
 * Create a frontend at @path (a socket for SEQPACKET, a symlink to the pty for TTY).
 * @path must not exist (the run directory is cleaned first). Returns NULL with @err set to
 * AMP_ERROR: AMP_EEXIST when @path exists, else the failed call's errno through
 * amp_from_errno() (the message names the call). A SEQPACKET frontend's listening socket is a
 * member of @p group if not NULL (it must outlive the frontend); its client is not.
 */
struct amp_frontend *amp_frontend_new(enum amp_frontend_kind kind, const char *path, size_t mtu,
				      const struct amp_chan_ops *ops, void *ctx,
				      struct amp_fd_group *group, GError **err);

/**
 * A SEQPACKET frontend for an already connected client @p fd (taken over, non-blocking),
 * with no path: an endpoint made through RUNDIR/rpmsg_ctrl0. @p label names it in logs.
 * @p group (may be NULL: a GLib watch of its own) is where its input is watched: one polled
 * fd for all of rpmsg_ctrl0's clients, and a pause for TX buffers changes the watch's
 * callback in place (issue 17). It must outlive the frontend.
 */
struct amp_frontend *amp_frontend_new_connected(int fd, const char *label, size_t mtu,
						const struct amp_chan_ops *ops, void *ctx,
						struct amp_fd_group *group);

/**
 * A message from the firmware for this frontend's client.
 * @return true if taken (queued; or dropped and counted when a frame socket has no client,
 *         as rpmsg_char has no endpoint while /dev/rpmsgN is not open); false if the client's
 *         queue is full: the caller leaves the message with the firmware
 *         (amp_host_rx_defer()) and ops->rx_ready follows once the client has read
 */
bool amp_frontend_deliver(struct amp_frontend *fe, const void *data, size_t len);

/**
 * Receive one message from a frame-socket client @p fd that has SO_PASSCRED on (the
 * frontends set it): a message, even an empty one, carries credentials, the end does not.
 * Descriptors a client passes are closed.
 * @return the message's size (may exceed @p len: MSG_TRUNC), with *@p eof false; 0 with
 *         *@p eof true at the end; -1 with errno on error
 */
ssize_t amp_frontend_recv(int fd, void *buf, size_t len, bool *eof);

/** Turn SO_PASSCRED on for amp_frontend_recv(); false with errno if it failed. */
bool amp_frontend_passcred(int fd);

/**
 * TX buffers are free again: send what a paused client wrote, then read from it again.
 * @return false if the buffers ran out again first (the client stays paused)
 */
bool amp_frontend_resume(struct amp_frontend *fe);

/** The channel went away: hang up the client (EOF), remove the path, free @fe. */
void amp_frontend_free(struct amp_frontend *fe);

const char *amp_frontend_path(const struct amp_frontend *fe);
/** For a TTY frontend the pty slave's name (/dev/pts/N); otherwise the socket path. */
const char *amp_frontend_device(const struct amp_frontend *fe);
const struct amp_frontend_stats *amp_frontend_stats(const struct amp_frontend *fe);
/** Messages waiting for the client; @p writing: whether it waits for room to write them. */
size_t amp_frontend_queued(const struct amp_frontend *fe, bool *writing);
/** The largest message the channel takes (payload bytes). */
size_t amp_frontend_mtu(const struct amp_frontend *fe);
bool amp_frontend_has_client(const struct amp_frontend *fe);

#endif /* AMP_SIM_FRONTEND_H */
