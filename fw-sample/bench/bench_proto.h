/*
 * The STM32MP1 IPC benchmark protocol (dimtass, "Benchmarking the STM32MP1 IPC between the
 * MCU and CPU"), responder side, as pure functions.
 *
 * The host sends a block split into RPMsg messages; its first message starts with a header
 * that announces the transfer. Two header forms are accepted, both little-endian:
 *   - 32-bit form (8 bytes): u32 magic BENCH_MAGIC32 ("BNCH"), u32 length L. L counts the
 *     payload bytes that follow the header (the rest of that message, then the next ones).
 *   - the article's form (6 bytes): u16 preamble 0xABCD, u16 length N, u16 crc16 (not
 *     checked, as in the original). N counts the whole block, header included, as the
 *     original firmware and its Linux client do.
 * Once all the announced bytes are in, the firmware replies with a 2-byte message: the
 * count as a 16-bit little-endian value (its low 16 bits; the benchmark's block sizes are
 * 512..32768). Bytes beyond the count in the completing message are ignored.
 *
 * Differences from the original firmware, deliberate: a header is recognised only between
 * blocks (a payload chunk that happens to start with a magic does not restart the count),
 * and bytes that arrive while no block is announced are counted as stray instead of
 * triggering a reply of 0. The 32-bit magic's low half differs from 0xABCD, so the two forms
 * cannot be mistaken for each other.
 */
#ifndef FW_BENCH_PROTO_H
#define FW_BENCH_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_SERVICE "rpmsg-netlink" /* the benchmark's channel name */
#define BENCH_TTY_SERVICE "rpmsg-tty" /* the same protocol on the tty path */
#define BENCH_PREAMBLE 0xABCDu	      /* article's form: u16 at offset 0 of a block */
#define BENCH_HDR_SIZE 6u	      /* article's form: preamble, length, crc16 */
#define BENCH_MAGIC32 0x48434E42u     /* 32-bit form: the bytes "BNCH" */
#define BENCH_HDR32_SIZE 8u	      /* 32-bit form: magic, length */
#define BENCH_REPLY_SIZE 2u

/** Responder state: plain data, zero-initialisable (bench_init). */
struct bench_state {
	uint32_t expected;    /**< bytes announced for the block being received */
	uint32_t received;    /**< bytes of it received so far */
	bool active;	      /**< a header was seen and the block is not complete */
	uint32_t blocks;      /**< blocks completed (replies produced) */
	uint32_t stray_bytes; /**< bytes received outside any block (ignored) */
};

/** Reset @p s to idle with zero counters. */
void bench_init(struct bench_state *s);

/**
 * Account one received message.
 * @param s     responder state
 * @param data  message payload (untrusted)
 * @param len   its length
 * @param reply receives the 2-byte reply when the function returns true
 * @return true when this message completed a block: send @p reply (the block length,
 *         16-bit little-endian) back to the sender; false otherwise.
 * A 16-bit header whose length is smaller than the header itself, or a 32-bit header with
 * length 0, completes at once.
 */
bool bench_rx(struct bench_state *s, const uint8_t *data, size_t len,
	      uint8_t reply[BENCH_REPLY_SIZE]);

/**
 * Write an article-form block header (used by tests and host tools) into @p out.
 * @param length the block length, header included
 */
void bench_put_header(uint8_t out[BENCH_HDR_SIZE], uint16_t length);

/**
 * Write a 32-bit-form header into @p out.
 * @param length the payload bytes that will follow the header
 */
void bench_put_header32(uint8_t out[BENCH_HDR32_SIZE], uint32_t length);

#endif /* FW_BENCH_PROTO_H */
