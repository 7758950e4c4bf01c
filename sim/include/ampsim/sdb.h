/*
 * rpmsg-sdb client API: large buffers shared with the firmware, zero copy (docs/sdb.md).
 *
 * It follows the user flow of ST's /dev/rpmsg-sdb driver: open the device, get a buffer
 * mapped with an eventfd attached to it, wait for the eventfd, ask the data size, use the
 * data in place, give the buffer back. ampsim adds the other direction: a to-firmware
 * buffer that the client fills and submits.
 *
 *   struct amp_sdb *s;  amp_sdb_open("RUNDIR/rpmsg-sdb", &s);
 *   struct amp_sdb_buf b;  amp_sdb_alloc(s, 1 << 20, AMP_SDB_TO_LINUX, -1, &b);
 *   for (;;) {
 *           amp_sdb_wait(s, &b, 1000);                  // the firmware filled it
 *           uint64_t n;  amp_sdb_get_data_size(s, b.idx, &n, NULL);
 *           consume(b.data, n);
 *           amp_sdb_give_back(s, b.idx);                 // the firmware may refill it
 *   }
 *
 * Plain C and POSIX (no GLib), for Linux-side applications. Functions return 0 or a negative
 * AMP_E* code (<amp/error.h>; amp_strerror() names it): the host's one error space, with a
 * failed system call's errno mapped by amp_from_errno() (<ampsim/errno.h>). AMP_ENOTCONN
 * always means the service hung up (the firmware crashed or stopped, or its channel went
 * away); reconnect with amp_sdb_open() once it is back. Not thread-safe per handle.
 */
#ifndef AMPSIM_SDB_H
#define AMPSIM_SDB_H

#include <stddef.h>
#include <stdint.h>

#include <amp/error.h>
#include <amp/sdb_proto.h> /* AMP_SDB_MAX_BUFFERS: buffers at most, over all clients */

#ifdef __cplusplus
extern "C" {
#endif

/** Who writes a buffer. */
enum amp_sdb_dir {
	AMP_SDB_TO_LINUX = 0, /**< the firmware fills it, as ST's driver (announce "B..A..L..") */
	AMP_SDB_TO_FIRMWARE = 1, /**< the client fills it (announce "T..A..L..") */
};

struct amp_sdb;

/** One mapped buffer. */
struct amp_sdb_buf {
	int idx;     /**< the buffer index the firmware knows */
	void *data;  /**< mapped here, @size bytes */
	size_t size; /**< rounded up to pages */
	uint64_t da; /**< its device address (what the firmware was told) */
	int efd;     /**< signalled when the buffer comes back from the firmware */
	int memfd;   /**< the buffer's sealed memfd (to share it on); closed by amp_sdb_close */
	int own_efd; /**< the library created efd and closes it */
};

/**
 * Connect to a run's sdb service. @p path is RUNDIR/rpmsg-sdb.
 * @retval 0             connected, *@p out set
 * @retval AMP_EINVAL    NULL argument, or @p path too long for a socket address
 * @retval AMP_ENOENT    no such service (is the firmware running, does it announce
 *                       "rpmsg-sdb-channel"?)
 * @retval AMP_ENOTCONN  the service hung up before it welcomed us
 * @retval AMP_EPROTO    the welcome is not this library's protocol version
 * @retval AMP_ENOMEM    out of memory or file descriptors
 * @retval other         socket/connect/mmap's errno through amp_from_errno(), e.g. AMP_EACCES
 */
int amp_sdb_open(const char *path, struct amp_sdb **out);

/** Unmap every buffer and disconnect; the service reclaims the buffers. */
void amp_sdb_close(struct amp_sdb *s);

/**
 * Get a buffer of at least @p size bytes in the SoC's DDR, mapped into this process, and
 * announce it to the firmware. @p efd: an eventfd to signal, or -1 to have one made.
 * @retval 0              *@p out set
 * @retval AMP_EINVAL     size 0, a bad @p dir, or @p efd is not an eventfd
 * @retval AMP_ENOMEM     no DDR range or buffer index left (or no fd / memory here)
 * @retval AMP_EBUSY      another ALLOC of this client is still being mapped
 * @retval AMP_ETIMEDOUT  the firmware did not map the buffer in time (its port does not
 *                        handle IPCC channel 5?)
 * @retval AMP_ENOTCONN   the service hung up
 * @retval AMP_EPROTO     the service's reply is malformed
 * @retval other          a system call's errno through amp_from_errno()
 */
int amp_sdb_alloc(struct amp_sdb *s, size_t size, enum amp_sdb_dir dir, int efd,
		  struct amp_sdb_buf *out);

/**
 * Wait until @p b's eventfd is signalled (and consume the signal).
 * @retval 0              signalled
 * @retval AMP_ETIMEDOUT  not within @p timeout_ms (-1 waits for ever)
 * @retval AMP_ENOTCONN   the service hung up (firmware crash or stop)
 * @retval other          poll/read's errno through amp_from_errno()
 */
int amp_sdb_wait(struct amp_sdb *s, const struct amp_sdb_buf *b, int timeout_ms);

/**
 * The data size of the buffer's last fill (to-Linux) or the size the firmware consumed
 * (to-firmware), then reset, as RPMSG_SDB_IOCTL_GET_DATA_SIZE. @p crc (may be NULL) gets
 * the CRC-32 the firmware reported for a to-firmware buffer.
 * @retval 0             *@p size (and *@p crc) set
 * @retval AMP_EAGAIN    nothing new since the last call: wait for the eventfd first
 * @retval AMP_EACCES    @p idx is not one of this client's buffers
 * @retval AMP_ENOTCONN  the service hung up
 */
int amp_sdb_get_data_size(struct amp_sdb *s, int idx, uint64_t *size, uint32_t *crc);

/**
 * To-Linux buffer: done with the data; the firmware may fill it again. The service does not
 * answer (the hot path costs one send); what it refuses anyway is counted in its stats.
 * @retval 0             handed to the firmware
 * @retval AMP_EACCES    @p idx is not one of this client's buffers
 * @retval AMP_EINVAL    it is a to-firmware buffer (use amp_sdb_submit())
 * @retval AMP_EBUSY     the firmware has it already
 * @retval AMP_ENOTCONN  the service hung up
 */
int amp_sdb_give_back(struct amp_sdb *s, int idx);

/**
 * To-firmware buffer: @p len bytes are ready for the firmware. Not answered either.
 * @retval 0             handed to the firmware
 * @retval AMP_EACCES    @p idx is not one of this client's buffers
 * @retval AMP_EINVAL    it is a to-Linux buffer (use amp_sdb_give_back())
 * @retval AMP_EBUSY     the firmware has it already
 * @retval AMP_EMSGSIZE  @p len is 0 or larger than the buffer
 * @retval AMP_ENOTCONN  the service hung up
 */
int amp_sdb_submit(struct amp_sdb *s, int idx, size_t len);

/**
 * Pass a firmware-specific command (1..32 bytes) to the firmware on the sdb channel, e.g.
 * "Ms" to make ampsim's sdb sample fill with a sampled signal.
 * @retval 0             passed on
 * @retval AMP_EINVAL    empty, longer than 32 bytes, or it would look like the buffer
 *                       protocol (starts with B, T, R or F)
 * @retval AMP_ENOTCONN  the service hung up
 * @retval AMP_EPROTO    the service's reply is malformed
 */
int amp_sdb_control(struct amp_sdb *s, const void *text, size_t len);

/** The connection's fd, to poll for hangup. */
int amp_sdb_fd(const struct amp_sdb *s);

#ifdef __cplusplus
}
#endif

#endif /* AMPSIM_SDB_H */
