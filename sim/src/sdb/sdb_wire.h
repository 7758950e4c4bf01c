/*
 * The rpmsg-sdb client socket protocol (RUNDIR/rpmsg-sdb, SOCK_SEQPACKET), shared by the
 * service in the daemon and the client library. Same machine, so host byte order.
 *
 * On connect the service sends a welcome (struct amp_sdb_rep, status 0) carrying the
 * client's status page: a memfd the client can map read-only, where the service publishes
 * each fill of the client's buffers (struct amp_sdb_status). ALLOC and CONTROL get one
 * reply each; ALLOC's request carries the client's eventfd and its reply the buffer's
 * memfd (SCM_RIGHTS). GIVE_BACK and SUBMIT get no reply, so the hot path costs the client
 * one send per buffer and no wait: the library checks them before sending, and the service
 * checks them again and counts what it refuses. Nothing else is ever sent to a client, so a
 * readable socket after the welcome means the service hung up. docs/sdb.md describes it.
 */
#ifndef AMP_SDB_WIRE_H
#define AMP_SDB_WIRE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <ampsim/sdb.h>

#define AMP_SDB_WIRE_VERSION 3u /**< 3: status carries AMP_E* codes, not errno */
#define AMP_SDB_CONTROL_MAX 32u
#define AMP_SDB_INDICES AMP_SDB_MAX_BUFFERS /**< status slots: one per buffer index */

enum amp_sdb_op {
	AMP_SDB_OP_ALLOC = 1,	  /**< size, dir (+ eventfd) -> idx, size, da (+ memfd) */
	AMP_SDB_OP_GIVE_BACK = 3, /**< idx: the client is done with a to-Linux buffer */
	AMP_SDB_OP_SUBMIT = 4,	  /**< idx, size: the client filled a to-firmware buffer */
	AMP_SDB_OP_CONTROL = 5,	  /**< text[size]: a firmware-specific command, passed on */
};

struct amp_sdb_req {
	uint32_t version; /**< AMP_SDB_WIRE_VERSION */
	uint32_t op;	  /**< enum amp_sdb_op */
	uint32_t idx;
	uint32_t dir; /**< enum amp_sdb_dir (ALLOC) */
	uint64_t size;
	char text[AMP_SDB_CONTROL_MAX]; /**< CONTROL only */
};

struct amp_sdb_rep {
	int32_t status; /**< 0 or a negative AMP_E* code (<amp/error.h>) */
	uint32_t idx;
	uint64_t size; /**< ALLOC: rounded size; welcome: AMP_SDB_WIRE_VERSION */
	uint64_t da;   /**< ALLOC: the buffer's device address */
	uint32_t seq;  /**< ALLOC: the status slot's seq before the firmware got the buffer */
	uint32_t reserved;
};

/** One buffer's last completion, written by the service before it signals the eventfd. */
struct amp_sdb_slot {
	_Atomic uint32_t seq; /**< bumped (release) after size and crc are written */
	uint32_t crc;	      /**< to-firmware: CRC-32 the firmware computed over what it read */
	uint64_t size;	      /**< to-Linux: bytes filled; to-firmware: bytes submitted */
};

/** The status page, indexed by buffer index (only the client's own entries change). */
struct amp_sdb_status {
	struct amp_sdb_slot slot[AMP_SDB_INDICES];
};

_Static_assert(sizeof(struct amp_sdb_req) == 56, "sdb request layout");
_Static_assert(sizeof(struct amp_sdb_rep) == 32, "sdb reply layout");
_Static_assert(sizeof(struct amp_sdb_slot) == 16, "sdb status slot layout");

/*
 * sendmsg() of @len bytes with @fd (if >= 0) attached as SCM_RIGHTS; sdb_client.c.
 * Returns the bytes sent or a negative AMP_E* code (errno through amp_from_errno(): a peer
 * that hung up is AMP_ENOTCONN).
 */
long amp_sdb_send_fd(int sock, const void *buf, size_t len, int fd, int flags);

/*
 * recvmsg() of at most @len bytes and at most one fd. Returns the bytes received (0: the
 * peer hung up), AMP_EMSGSIZE when the message was longer than @len or carried more fds
 * than fit, or errno through amp_from_errno() (AMP_EAGAIN: nothing to read). *@fd is set in
 * every case: -1, or the received fd, which the caller owns (extra fds are closed).
 */
long amp_sdb_recv_fd(int sock, void *buf, size_t len, int *fd, int flags);

#endif /* AMP_SDB_WIRE_H */
