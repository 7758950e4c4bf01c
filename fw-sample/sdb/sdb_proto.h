/*
 * The sdb sample's own protocol logic, as pure functions: its reading of a host message and
 * the buffer fill. The messages themselves (ST's rpmsg-sdb and ampsim's additions) are the
 * portable codec's, <amp/sdb_proto.h>, shared with the host's service; on top of it the
 * sample adds its command "M<c|s|d>" (pattern: counter, sampled signal, or a bare DMA-speed
 * copy without CRC) and needs buffers of at least SDB_MIN_LEN bytes.
 *
 * A filled buffer holds len - 4 bytes of pattern followed by the CRC-32 (amp/fw_crc32.h) of
 * those bytes, little-endian, so the reader can check it.
 */
#ifndef FW_SDB_PROTO_H
#define FW_SDB_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <amp/sdb_proto.h>

#define SDB_MIN_LEN 8u /* pattern + CRC: at least one word of data */
#define SDB_CRC_SIZE 4u

/** Fill pattern of a buffer. */
enum sdb_pattern {
	SDB_PATTERN_COUNTER, /**< byte i = (seq + i) mod 256 */
	SDB_PATTERN_SIGNAL,  /**< 16-bit LE samples of a noisy triangle wave (an "ADC") */
	SDB_PATTERN_DMA,     /**< a 256-byte block copied over and over, no CRC: a DMA's speed */
};

/** A host message as the sample reads it. */
struct sdb_cmd {
	struct amp_sdb_msg msg;	  /**< as the codec parsed it */
	enum sdb_pattern pattern; /**< msg.kind == AMP_SDB_MSG_CONTROL: the M command's */
};

/**
 * Read one host message (untrusted bytes): amp_sdb_parse_to_fw(), then the sample's rules.
 * @retval 0 ok, @p out filled
 * @retval AMP_EINVAL, AMP_EBADMSG, AMP_ERANGE as amp_sdb_parse_to_fw(); also AMP_EBADMSG
 *         for a command other than Mc, Ms, Md, and AMP_ERANGE for an announced buffer
 *         shorter than SDB_MIN_LEN
 */
int sdb_parse(const uint8_t *data, size_t len, struct sdb_cmd *out);

/**
 * Fill @p buf (@p len >= SDB_MIN_LEN bytes) with @p pattern for fill number @p seq and end it
 * with the CRC-32 of the pattern bytes (SDB_PATTERN_DMA: all @p len bytes pattern, no CRC).
 * @return the CRC written (0 for DMA), or 0 with nothing written if @p buf is NULL or @p len
 *         is too small.
 */
uint32_t sdb_fill(uint8_t *buf, uint32_t len, enum sdb_pattern pattern, uint32_t seq);

#endif /* FW_SDB_PROTO_H */
