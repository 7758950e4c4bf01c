/*
 * The rpmsg-sdb client socket protocol (RUNDIR/rpmsg-sdb, SOCK_SEQPACKET), shared by the
 * service in the daemon and the client library. Same machine, so host byte order. One
 * request, one reply; ALLOC's request carries the client's eventfd and its reply the
 * buffer's memfd (SCM_RIGHTS). docs/sdb.md describes it for clients in other languages.
 */
#ifndef AMP_SDB_WIRE_H
#define AMP_SDB_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define AMP_SDB_WIRE_VERSION 1u
#define AMP_SDB_CONTROL_MAX 32u

enum amp_sdb_op {
	AMP_SDB_OP_ALLOC = 1,	  /**< size, dir (+ eventfd) -> idx, size, da (+ memfd) */
	AMP_SDB_OP_GET_SIZE = 2,  /**< idx -> size of the last fill (then reset), crc */
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
	int32_t status; /**< 0 or -errno */
	uint32_t idx;
	uint64_t size; /**< ALLOC: rounded size; GET_SIZE: data size, UINT64_MAX = none */
	uint64_t da;   /**< ALLOC: the buffer's device address */
	uint32_t crc;  /**< GET_SIZE of a to-firmware buffer: CRC-32 the firmware computed */
	uint32_t has_crc;
};

_Static_assert(sizeof(struct amp_sdb_req) == 56, "sdb request layout");
_Static_assert(sizeof(struct amp_sdb_rep) == 32, "sdb reply layout");

#define AMP_SDB_NO_DATA UINT64_MAX

/* sendmsg() of @len bytes with @fd (if >= 0) attached as SCM_RIGHTS; sdb_client.c. */
long amp_sdb_send_fd(int sock, const void *buf, size_t len, int fd, int flags);

#endif /* AMP_SDB_WIRE_H */
