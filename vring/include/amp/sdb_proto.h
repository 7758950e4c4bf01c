/*
 * The rpmsg-sdb ("shared data buffer") text protocol on the RPMsg channel
 * "rpmsg-sdb-channel": ST's stm32_rpmsg_sdb messages and ampsim's additions, parsed and
 * formatted for both sides, the host's service and the firmware (docs/sdb.md). Portable:
 * pure functions over untrusted bytes, no heap, no stdio.
 *
 * Linux -> firmware (ASCII, no NUL on the wire):
 *   B<idx>A<8 hex da>L<8 hex len>  a buffer the firmware fills (ST's announcement)
 *   T<idx>A<8 hex da>L<8 hex len>  a buffer Linux fills (ampsim)
 *   R<idx>                         Linux is done with buffer idx: refill it (ampsim)
 *   F<idx>L<8 hex len>             Linux wrote len bytes into buffer idx (ampsim)
 *   any other printable first byte  a firmware-specific command, passed through (e.g. the
 *                                  sdb sample's "Mc"); B, T, R and F are never commands
 * Firmware -> Linux:
 *   B<idx>L<8 hex len>             buffer idx holds len bytes (ST)
 *   R<idx>C<8 hex crc>             the firmware has read buffer idx; crc = CRC-32 of what it
 *                                  read (ampsim)
 *
 * idx: 1 to 5 decimal digits, below AMP_SDB_MAX_BUFFERS. Numbers: exactly 8 hex digits
 * (either case parsed, lower case written). ST's driver skips the two characters after 'L'
 * and parses the rest, so 8 digits is the only safe width. A message is at most
 * AMP_SDB_MSG_MAX bytes; one trailing NUL (a printf buffer sent whole) or '\n' (as Linux's
 * kstrtol accepts) is tolerated, nothing else.
 */
#ifndef AMP_SDB_PROTO_H
#define AMP_SDB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The channel name both sides use. */
#define AMP_SDB_SERVICE_NAME "rpmsg-sdb-channel"

/** Buffers at most, over all clients of a run (indices 0..15). */
#define AMP_SDB_MAX_BUFFERS 16u

/** The longest message accepted either way, without a NUL (a valid one has at most 21). */
#define AMP_SDB_MSG_MAX 32u

enum amp_sdb_msg_kind {
	/* Linux -> firmware */
	AMP_SDB_MSG_ANNOUNCE,	    /**< B<idx>A<da>L<len>: idx, da, len */
	AMP_SDB_MSG_ANNOUNCE_TO_FW, /**< T<idx>A<da>L<len>: idx, da, len */
	AMP_SDB_MSG_REFILL,	    /**< R<idx>: idx */
	AMP_SDB_MSG_SUBMIT,	    /**< F<idx>L<len>: idx, len */
	AMP_SDB_MSG_CONTROL,	    /**< a firmware-specific command: text, text_len */
	/* firmware -> Linux */
	AMP_SDB_MSG_FILLED,   /**< B<idx>L<len>: idx, len */
	AMP_SDB_MSG_RETURNED, /**< R<idx>C<crc>: idx, crc */
};

/** One message; the fields its kind does not use are 0. */
struct amp_sdb_msg {
	enum amp_sdb_msg_kind kind;
	uint32_t idx;
	uint32_t da;
	uint32_t len;
	uint32_t crc;
	const uint8_t *text; /**< CONTROL: the command, inside the parsed bytes (no NUL) */
	size_t text_len;
};

/**
 * Parse a Linux -> firmware message (what the firmware receives).
 * @retval 0 ok, @p out filled
 * @retval AMP_EINVAL @p data or @p out is NULL
 * @retval AMP_EBADMSG not one of the formats (wrong letter, missing or non-digit, not
 *         exactly 8 hex digits, trailing bytes, empty, longer than AMP_SDB_MSG_MAX)
 * @retval AMP_ERANGE well formed, but idx >= AMP_SDB_MAX_BUFFERS, a length of 0, or an
 *         announced da + len past 2^32 (@p out is filled)
 */
int amp_sdb_parse_to_fw(const void *data, size_t len, struct amp_sdb_msg *out);

/**
 * Parse a firmware -> Linux message (what the host receives). Return values as
 * amp_sdb_parse_to_fw(); AMP_ERANGE only for idx >= AMP_SDB_MAX_BUFFERS.
 */
int amp_sdb_parse_to_host(const void *data, size_t len, struct amp_sdb_msg *out);

/**
 * Format @p m (any kind but CONTROL, which is the caller's own text) into @p out,
 * NUL-terminated (the NUL is not part of the message). What it writes, the matching parser
 * accepts with the same fields.
 * @return the message's length
 * @retval AMP_EINVAL @p out or @p m is NULL, the kind is CONTROL or unknown, or @p cap is
 *         too small (AMP_SDB_MSG_MAX + 1 always suffices)
 * @retval AMP_ERANGE a field the parser would refuse with AMP_ERANGE
 */
int amp_sdb_format(char *out, size_t cap, const struct amp_sdb_msg *m);

#ifdef __cplusplus
}
#endif

#endif /* AMP_SDB_PROTO_H */
