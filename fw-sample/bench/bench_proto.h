/*
 * The STM32MP1 IPC benchmark protocol (dimtass, "Benchmarking the STM32MP1 IPC between the
 * MCU and CPU"), responder side, as pure functions.
 *
 * The host sends a block of N bytes split into RPMsg messages. The block begins with a
 * 6-byte header, little-endian: u16 preamble 0xABCD, u16 length N (the whole block, header
 * included), u16 crc16 (not checked, as in the original). The firmware counts every byte of
 * the block, the header's messages included, and once it has N of them replies with a 2-byte
 * message: N as a 16-bit little-endian value. The benchmark's block sizes are 512..32768.
 *
 * Differences from the original firmware, deliberate: a header is recognised only between
 * blocks (a payload chunk that happens to start with 0xCD 0xAB does not restart the count),
 * and bytes that arrive while no block is announced are counted as stray instead of
 * triggering a reply of 0.
 */
#ifndef FW_BENCH_PROTO_H
#define FW_BENCH_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_SERVICE "rpmsg-netlink" /* the benchmark's channel name */
#define BENCH_PREAMBLE 0xABCDu	      /* u16 at offset 0 of a block */
#define BENCH_HDR_SIZE 6u	      /* preamble, length, crc16 */
#define BENCH_REPLY_SIZE 2u

/** Responder state: plain data, zero-initialisable (bench_init). */
struct bench_state {
	uint32_t expected;    /**< length of the block being received */
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
 * A header whose length is smaller than the header itself completes at once.
 */
bool bench_rx(struct bench_state *s, const uint8_t *data, size_t len,
	      uint8_t reply[BENCH_REPLY_SIZE]);

/**
 * Write a block header (used by tests and host tools) into @p out.
 * @param length the block length, header included
 */
void bench_put_header(uint8_t out[BENCH_HDR_SIZE], uint16_t length);

#endif /* FW_BENCH_PROTO_H */
