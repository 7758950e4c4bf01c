/*
 * The host's rpmsg-sdb service (ST's stm32_rpmsg_sdb driver, modelled; docs/sdb.md).
 *
 * Bound to a "rpmsg-sdb-channel" channel, it listens on a SOCK_SEQPACKET socket (where ST
 * has /dev/rpmsg-sdb) for clients of <ampsim/sdb.h>. Each buffer a client asks for is a sealed
 * memfd plugged into the SoC's DDR at a device address (<ampsim/ddr_plug.h>), so the firmware
 * writes it in place and the client maps exactly that buffer and nothing else. Only the
 * references travel over RPMsg. Everything the firmware sends is validated and counted.
 * Its sources (listening, clients, timers) run on the GMainContext given to
 * amp_sdb_service_new(), which must be the one its amp_host runs on. What a client gets
 * wrong is answered with an AMP_E* code (sdb_wire.h), never a raw errno.
 */
#ifndef AMP_SDB_SERVICE_H
#define AMP_SDB_SERVICE_H

#include <stdint.h>

#include <glib.h>

#include <amp/sdb_proto.h> /* AMP_SDB_SERVICE_NAME */
#include <ampsim/host.h>

G_BEGIN_DECLS

struct amp_sdb_stats {
	uint64_t clients;	    /**< clients connected so far */
	uint64_t clients_reclaimed; /**< clients that left holding buffers (reclaimed) */
	uint64_t allocs;	    /**< buffers handed out */
	uint64_t fills;		    /**< to-Linux buffers the firmware filled */
	uint64_t fill_bytes;	    /**< bytes it reported filled */
	uint64_t submits;	    /**< to-firmware buffers the clients filled */
	uint64_t returns;	    /**< to-firmware buffers the firmware gave back */
	uint64_t bad_format;	    /**< firmware messages that are not B<i>L<8x> / R<i>C<8x> */
	uint64_t bad_index;	    /**< ... naming a buffer that does not exist */
	uint64_t bad_size;	    /**< ... with a size larger than the buffer */
	uint64_t not_owned;	    /**< ... for a buffer the client has not given back yet */
	uint64_t bad_direction;	    /**< ... B for a to-firmware buffer or R for a to-Linux one */
	uint64_t bad_requests;	    /**< malformed or refused client requests */
	uint64_t efd_skipped;	    /**< eventfd signals not delivered (counter full) */
	uint64_t plug_failures;	    /**< buffers the firmware did not map in time */
	uint64_t tx_errors;	    /**< messages to the firmware that failed */
	uint64_t stale_answers;	    /**< answers for buffers of clients that left (expected) */
};

struct amp_sdb_service;

/**
 * Serve @p ch to clients of a SOCK_SEQPACKET socket it makes at @p path (removed again when
 * the service is freed), on @p ctx (NULL: the global default context).
 *
 * @return the service, or NULL with @p err set to AMP_ERROR: AMP_ENOENT when the SoC
 *         profile has no DDR region, else as amp_sock_server_new() (e.g. AMP_EEXIST when
 *         @p path exists)
 */
struct amp_sdb_service *amp_sdb_service_new(struct amp_host *h, struct amp_host_chan *ch,
					    const char *path, GMainContext *ctx, GError **err);

/**
 * The channel is gone (NS destroy, firmware crash or stop): signal every client's
 * eventfds, hang the clients up (their next call fails with AMP_ENOTCONN), unplug and
 * free all.
 */
void amp_sdb_service_free(struct amp_sdb_service *s);

/** A message from the firmware on the channel. */
void amp_sdb_service_receive(struct amp_sdb_service *s, const void *data, size_t len);

/** TX buffers are free again: send what waited. */
void amp_sdb_service_tx_ready(struct amp_sdb_service *s);

const struct amp_sdb_stats *amp_sdb_service_stats(const struct amp_sdb_service *s);
const char *amp_sdb_service_path(const struct amp_sdb_service *s);

/** Counters and the buffer table as text. */
void amp_sdb_service_describe(const struct amp_sdb_service *s, GString *out);

G_END_DECLS

#endif /* AMP_SDB_SERVICE_H */
