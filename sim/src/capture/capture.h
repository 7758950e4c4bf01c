/*
 * RPMsg captures as pcapng (docs/capture.md): the writer `ampsim run --capture` installs as
 * libampsim's message tap, and the reader `ampsim replay` and the tests use.
 *
 * The file: one Section Header Block, one Interface Description Block with link type
 * LINKTYPE_USER0 (147) and if_tsresol 9 (nanoseconds, CLOCK_REALTIME), then one Enhanced
 * Packet Block per message with its epb_flags direction (inbound: firmware -> host,
 * outbound: host -> firmware). Each packet is a 36-byte ampsim pseudo-header, then the
 * 16-byte RPMsg header as on the wire, then the payload:
 *   u8 version (1), u8 direction (0: host -> firmware, 1: firmware -> host),
 *   u16 pseudo-header length (36, little-endian), char name[32] (host endpoint name,
 *   NUL-padded; "" for the name service).
 * Every block is written with one write(2) as the message passes, so a run that dies leaves
 * a file that ends on a whole block.
 */
#ifndef AMP_CAPTURE_H
#define AMP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <amp/vring_layout.h>
#include <ampsim/host.h>

#define AMP_CAP_LINKTYPE 147u /* LINKTYPE_USER0 */
#define AMP_CAP_VERSION 1u
#define AMP_CAP_PHDR_SIZE 36u
#define AMP_CAP_NAME_SIZE 32u
#define AMP_CAP_DIR_TO_FW 0u
#define AMP_CAP_DIR_FROM_FW 1u

struct amp_capture;

/** Create (truncate) @p path and write the section and interface headers. */
struct amp_capture *amp_capture_open(const char *path, GError **err);
/** An amp_host_tap_fn: append @p m. A write error is reported once and ends the capture. */
void amp_capture_tap(void *cap, const struct amp_host_msg *m);
/** Messages written so far. */
uint64_t amp_capture_count(const struct amp_capture *c);
void amp_capture_close(struct amp_capture *c);

/** One message read back from a capture. */
struct amp_cap_rec {
	unsigned frame; /**< 1-based packet number, as Wireshark numbers it */
	uint64_t ts_ns; /**< nanoseconds since the epoch */
	bool to_fw;
	char name[AMP_CAP_NAME_SIZE]; /**< NUL-terminated */
	uint8_t hdr[AMP_RPMSG_HDR_SIZE];
	uint8_t *payload; /**< NULL when len is 0 */
	size_t len;
};

/**
 * Read every message of the ampsim capture @p path (validated: block lengths, link type,
 * pseudo-header). Errors (AMP_ERROR) name the byte offset and what was wrong there.
 * @return struct amp_cap_rec * in file order (free with g_ptr_array_unref), NULL on error
 */
GPtrArray *amp_capture_read(const char *path, GError **err);

#endif /* AMP_CAPTURE_H */
