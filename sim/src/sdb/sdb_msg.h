/*
 * The rpmsg-sdb messages on the RPMsg channel, host side (REFERENCE.md section 7, docs/sdb.md).
 *
 * Host -> firmware (ASCII, no NUL on the wire):
 *   B<idx>A<8 hex da>L<8 hex len>  a buffer the firmware fills (ST's announcement)
 *   T<idx>A<8 hex da>L<8 hex len>  a buffer the host fills (ampsim)
 *   R<idx>                         the host is done with buffer idx: refill it (ampsim)
 *   F<idx>L<8 hex len>             the host filled buffer idx with len bytes (ampsim)
 * Firmware -> host:
 *   B<idx>L<8 hex len>             buffer idx holds len bytes (ST)
 *   R<idx>C<8 hex crc>             the firmware consumed buffer idx; CRC-32 of what it read
 * Pure functions over untrusted bytes.
 */
#ifndef AMP_SDB_MSG_H
#define AMP_SDB_MSG_H

#include <stddef.h>
#include <stdint.h>

#define AMP_SDB_MSG_MAX 32u /* longest message either way */

enum amp_sdb_fw_kind {
	AMP_SDB_FW_FILLED,   /**< B<idx>L<len> */
	AMP_SDB_FW_RETURNED, /**< R<idx>C<crc> */
};

struct amp_sdb_fw_msg {
	enum amp_sdb_fw_kind kind;
	uint32_t idx;
	uint32_t len; /**< FILLED */
	uint32_t crc; /**< RETURNED */
};

/**
 * Parse a firmware message: 'B' or 'R', 1..5 decimal digits, then 'L' or 'C' and exactly
 * 8 hex digits; one trailing NUL tolerated, nothing else.
 * @retval 0 ok; AMP_EBADMSG anything else
 */
int amp_sdb_parse_fw(const void *data, size_t len, struct amp_sdb_fw_msg *out);

/** Format a host message into @p out (NUL-terminated); returns its length (no NUL). */
int amp_sdb_fmt_announce(char *out, size_t cap, char kind, uint32_t idx, uint32_t da, uint32_t len);
int amp_sdb_fmt_refill(char *out, size_t cap, uint32_t idx);
int amp_sdb_fmt_filled(char *out, size_t cap, uint32_t idx, uint32_t len);

#endif /* AMP_SDB_MSG_H */
