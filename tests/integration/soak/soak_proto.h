/*
 * The soak campaign's records, shared by the soak firmware (fw_soak.c) and its Linux-side
 * client (soak_client.c). Freestanding C: the firmware side builds like any sample.
 *
 * Every record is a 24-byte header and a payload, CRC-checked end to end:
 *
 *   magic   "SOAK"
 *   kind    'C' client -> firmware, 'E' the firmware's echo of a 'C', 'O' a record the
 *           firmware originates (one after each echo)
 *   chan    which path: SOAK_CH_FRAME, SOAK_CH_CTRL, SOAK_CH_TTY
 *   len     payload bytes after the header
 *   boot    the firmware instance: its pid (what `ampsim ctl status` shows); 0 from the client
 *   seq     'C' and 'E': the client's sequence number on this channel (it continues across
 *           crashes); 'O': the firmware's own sequence, from 0 in each instance
 *   errors  from the firmware: the violations this instance saw on this channel so far
 *   crc     CRC-32 (IEEE, zlib's) of the header with crc = 0, then of the payload
 *
 * The payload is a function of (chan, kind, seq), so each side can check the other's bytes,
 * not only the CRC; an echo carries the client's payload unchanged. Both sides are one
 * machine (one byte order), as the firmware and Linux on an STM32MP1.
 */
#ifndef SOAK_PROTO_H
#define SOAK_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SOAK_MAGIC 0x4B414F53u /* "SOAK" in memory */
#define SOAK_HDR 24u

/* The announced names and the address the client reaches through rpmsg_ctrl0. */
#define SOAK_FRAME_NAME "soak-frame" /* any name but rpmsg-tty: a frame socket, RUNDIR/rpmsg0 */
#define SOAK_TTY_NAME "rpmsg-tty"    /* bound to RUNDIR/ttyRPMSG0, as Linux's rpmsg_tty */
#define SOAK_CTRL_ADDR 0x600u	     /* not announced: only reachable through rpmsg_ctrl0 */

enum { SOAK_CH_FRAME, SOAK_CH_CTRL, SOAK_CH_TTY, SOAK_NCHAN };

enum { SOAK_KIND_CLIENT = 'C', SOAK_KIND_ECHO = 'E', SOAK_KIND_ORIGIN = 'O' };

/*
 * Largest payloads. Frames: one record per 496-byte message. The tty is a byte stream the
 * daemon cuts at will; smaller records keep the pty's buffer far from full.
 */
#define SOAK_MAX_FRAME_PAYLOAD (496u - SOAK_HDR)
#define SOAK_MAX_TTY_PAYLOAD 200u

struct soak_hdr {
	uint32_t magic;
	uint8_t kind;
	uint8_t chan;
	uint16_t len;
	uint32_t boot;
	uint32_t seq;
	uint32_t errors;
	uint32_t crc;
};

_Static_assert(sizeof(struct soak_hdr) == SOAK_HDR, "the header is 24 bytes, no padding");

static inline uint32_t soak_max_payload(unsigned chan)
{
	return chan == SOAK_CH_TTY ? SOAK_MAX_TTY_PAYLOAD : SOAK_MAX_FRAME_PAYLOAD;
}

/* Payload length of record (chan, kind, seq): spread over 0..max, all sizes over a run. */
static inline uint32_t soak_payload_len(unsigned chan, unsigned kind, uint32_t seq)
{
	uint32_t x = (seq + 1u) * 2654435761u ^ (uint32_t)(chan << 8 | kind);
	return (x >> 7) % (soak_max_payload(chan) + 1u);
}

/* Payload bytes of record (chan, kind, seq): xorshift32 from a seed made of all three. */
static inline void soak_payload_fill(uint8_t *p, uint32_t len, unsigned chan, unsigned kind,
				     uint32_t seq)
{
	uint32_t x = (seq * 2246822519u) ^ (uint32_t)(chan << 24 | kind << 16) ^ 0x9E3779B9u;
	for (uint32_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)(x >> 24);
	}
}

/* True when @p has the payload record (chan, kind, seq) must carry. */
static inline int soak_payload_ok(const uint8_t *p, uint32_t len, unsigned chan, unsigned kind,
				  uint32_t seq)
{
	uint8_t want[SOAK_MAX_FRAME_PAYLOAD];
	if (len != soak_payload_len(chan, kind, seq) || len > sizeof(want))
		return 0;
	soak_payload_fill(want, len, chan, kind, seq);
	return memcmp(p, want, len) == 0;
}

#endif /* SOAK_PROTO_H */
