/*
 * The rpmsg-sdb ("shared data buffer") messages, firmware side, as pure functions.
 *
 * Host -> firmware, buffer announcement (ST's stm32_rpmsg_sdb driver, printf "B%dA%08xL%08x",
 * not NUL-terminated on the wire): 'B', the buffer index in decimal, 'A', 8 hex digits of the
 * buffer's device address, 'L', 8 hex digits of its size. Example: "B0Ac0000000L00100000".
 * Firmware -> host, "buffer filled": 'B', the decimal index, 'L', exactly 8 lower-case hex
 * digits of the bytes written (the driver skips the two characters after 'L' and parses the
 * rest, so the width must be 8; REFERENCE.md section 7).
 * ampsim's sample also accepts commands of its own (docs/sdb.md): "R<idx>" (refill that
 * buffer, the host has consumed it), "M<c|s|d>" (pattern: counter, sampled signal, or a
 * bare DMA-speed copy without CRC), and the Linux -> firmware direction: "T<idx>A<addr>L<len>"
 * announces a buffer the host writes, "F<idx>L<8 hex len>" says the host filled it; the
 * firmware reads it and gives it back with "R<idx>C<8 hex CRC-32 of what it read>".
 *
 * A filled buffer holds len - 4 bytes of pattern followed by the CRC-32 (amp/fw_crc32.h) of
 * those bytes, little-endian, so the reader can check it.
 */
#ifndef FW_SDB_PROTO_H
#define FW_SDB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define SDB_SERVICE "rpmsg-sdb-channel"
#define SDB_MAX_BUFFERS 16u  /* indices 0..15, as the host's service */
#define SDB_MIN_LEN 8u	     /* pattern + CRC: at least one word of data */
#define SDB_ANNOUNCE_MAX 32u /* longest announcement accepted (with 5 index digits) */
#define SDB_REPORT_MAX 16u   /* "B" + up to 5 digits + "L" (or "C") + 8 hex digits */
#define SDB_CRC_SIZE 4u

/** Fill pattern of a buffer. */
enum sdb_pattern {
	SDB_PATTERN_COUNTER, /**< byte i = (seq + i) mod 256 */
	SDB_PATTERN_SIGNAL,  /**< 16-bit LE samples of a noisy triangle wave (an "ADC") */
	SDB_PATTERN_DMA,     /**< a 256-byte block copied over and over, no CRC: a DMA's speed */
};

/** A parsed host message. */
enum sdb_msg_kind {
	SDB_MSG_ANNOUNCE,	/**< B<idx>A<addr>L<len>: idx, da, len valid */
	SDB_MSG_ANNOUNCE_TO_FW, /**< T<idx>A<addr>L<len>: a buffer the host writes */
	SDB_MSG_FILLED,		/**< F<idx>L<len>: the host wrote len bytes into buffer idx */
	SDB_MSG_REFILL,		/**< R<idx>: idx valid */
	SDB_MSG_PATTERN,	/**< M<c|s>: pattern valid */
};

struct sdb_msg {
	enum sdb_msg_kind kind;
	uint32_t idx;
	uint32_t da;
	uint32_t len;
	enum sdb_pattern pattern;
};

/**
 * Parse one host message (untrusted bytes, not NUL-terminated; one trailing NUL or '\n' is
 * tolerated).
 * @retval 0 ok, @p out filled
 * @retval AMP_EINVAL NULL argument
 * @retval AMP_EBADMSG not one of the formats above (wrong letter, missing or non-hex digits,
 *         not exactly 8 hex digits, trailing bytes, too long)
 * @retval AMP_ERANGE index >= SDB_MAX_BUFFERS, length < SDB_MIN_LEN, or da + len wraps
 *         around 2^32
 */
int sdb_parse(const uint8_t *data, size_t len, struct sdb_msg *out);

/**
 * Format the "buffer filled" report into @p out (no NUL written on the wire; @p out gets
 * one after the text for convenience).
 * @return the report's length (bytes to send), or AMP_EINVAL if @p cap is too small
 *         (SDB_REPORT_MAX + 1 always suffices) or idx >= 100000.
 */
int sdb_format_report(char *out, size_t cap, uint32_t idx, uint32_t len);

/**
 * Format the "given back" answer to F: "R<idx>C<8 hex crc>" (NUL after it, not sent).
 * @return its length, or AMP_EINVAL as sdb_format_report().
 */
int sdb_format_return(char *out, size_t cap, uint32_t idx, uint32_t crc);

/**
 * Fill @p buf (@p len >= SDB_MIN_LEN bytes) with @p pattern for fill number @p seq and end it
 * with the CRC-32 of the pattern bytes (SDB_PATTERN_DMA: all @p len bytes pattern, no CRC).
 * @return the CRC written (0 for DMA), or 0 with nothing written if @p buf is NULL or @p len
 *         is too small.
 */
uint32_t sdb_fill(uint8_t *buf, uint32_t len, enum sdb_pattern pattern, uint32_t seq);

#endif /* FW_SDB_PROTO_H */
