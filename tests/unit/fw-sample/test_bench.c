/*
 * Benchmark responder: for every block size of the STM32MP1 IPC benchmark (512..32768) the
 * host's block, cut into 496-byte RPMsg payloads (and into odd sizes), yields exactly one
 * reply, on the last message, carrying the block length as 16-bit little-endian.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench_proto.h"

#define MTU 496u

static uint8_t block[32768 + BENCH_HDR32_SIZE];

/* The host side: a block of n bytes whose first bytes are the header, like the original. */
static void make_block(uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		block[i] = (uint8_t)i;
	bench_put_header(block, (uint16_t)n);
}

/* Feed block[0..n) in chunks of chunk bytes; return the number of replies, check each. */
static unsigned feed(struct bench_state *s, uint32_t n, uint32_t chunk, uint32_t *reply_at)
{
	unsigned replies = 0;
	uint8_t reply[BENCH_REPLY_SIZE];

	for (uint32_t off = 0; off < n; off += chunk) {
		uint32_t len = n - off < chunk ? n - off : chunk;
		if (bench_rx(s, block + off, len, reply)) {
			replies++;
			*reply_at = off + len;
			assert_int_equal(reply[0] | (reply[1] << 8), n & 0xFFFFu);
		}
	}
	return replies;
}

static void block_sizes_512_to_32768(void **state)
{
	struct bench_state s;

	(void)state;
	bench_init(&s);
	for (uint32_t n = 512; n <= 32768; n *= 2) {
		uint32_t at = 0;
		make_block(n);
		assert_int_equal(feed(&s, n, MTU, &at), 1);
		assert_int_equal(at, n); /* on the last message, not before */
		assert_false(s.active);
	}
	assert_int_equal(s.blocks, 7);
	assert_int_equal(s.stray_bytes, 0);
}

static void odd_chunking(void **state)
{
	static const uint32_t chunks[] = {1, 6, 7, 100, 255, 495};
	struct bench_state s;

	(void)state;
	bench_init(&s);
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		uint32_t at = 0;
		if (chunks[c] < BENCH_HDR_SIZE)
			continue; /* the header must arrive in one message */
		make_block(4096);
		assert_int_equal(feed(&s, 4096, chunks[c], &at), 1);
		assert_int_equal(at, 4096);
	}
}

static void header_split_is_not_a_header(void **state)
{
	struct bench_state s;
	uint8_t reply[BENCH_REPLY_SIZE];

	(void)state;
	bench_init(&s);
	make_block(1024);
	/* Fewer than 6 bytes: not a header; counted as stray, no reply. */
	assert_false(bench_rx(&s, block, 4, reply));
	assert_false(s.active);
	assert_int_equal(s.stray_bytes, 4);
}

static void stray_bytes_never_reply(void **state)
{
	struct bench_state s;
	uint8_t junk[MTU];
	uint8_t reply[BENCH_REPLY_SIZE];

	(void)state;
	bench_init(&s);
	memset(junk, 0x11, sizeof(junk));
	for (int i = 0; i < 10; i++)
		assert_false(bench_rx(&s, junk, sizeof(junk), reply));
	assert_false(bench_rx(&s, junk, 0, reply));
	assert_int_equal(s.stray_bytes, 10 * MTU);
	assert_int_equal(s.blocks, 0);
}

static void preamble_inside_payload_does_not_restart(void **state)
{
	struct bench_state s;
	uint8_t reply[BENCH_REPLY_SIZE];
	uint8_t chunk[MTU];

	(void)state;
	bench_init(&s);
	make_block(1024);
	assert_false(bench_rx(&s, block, MTU, reply));
	/* A payload chunk that looks like a header for a 16-byte block. */
	memset(chunk, 0, sizeof(chunk));
	bench_put_header(chunk, 16);
	assert_false(bench_rx(&s, chunk, MTU, reply)); /* 992 of 1024: still counting */
	assert_true(bench_rx(&s, chunk, 32, reply));
	assert_int_equal(reply[0] | (reply[1] << 8), 1024);
}

static void tiny_and_overshooting_blocks(void **state)
{
	struct bench_state s;
	uint8_t reply[BENCH_REPLY_SIZE];
	uint8_t hdr[MTU];

	(void)state;
	bench_init(&s);
	/* Length smaller than the header: complete with the header message itself. */
	memset(hdr, 0, sizeof(hdr));
	bench_put_header(hdr, 2);
	assert_true(bench_rx(&s, hdr, BENCH_HDR_SIZE, reply));
	assert_int_equal(reply[0] | (reply[1] << 8), 2);
	/* A 100-byte block delivered in one 496-byte message: one reply of 100. */
	bench_put_header(hdr, 100);
	assert_true(bench_rx(&s, hdr, MTU, reply));
	assert_int_equal(reply[0] | (reply[1] << 8), 100);
	/* Largest length the 16-bit field can carry. */
	bench_put_header(hdr, 0xFFFF);
	uint32_t got = 0;
	for (;;) {
		got += MTU;
		if (bench_rx(&s, hdr, MTU, reply))
			break;
		memset(hdr, 0, BENCH_HDR_SIZE);
	}
	assert_true(got >= 0xFFFF && got < 0xFFFF + MTU);
	assert_int_equal(reply[0] | (reply[1] << 8), 0xFFFF);
	assert_int_equal(s.blocks, 3);
}

/* The 32-bit form: the length counts the payload after the 8-byte header. */
static void header32_sizes_512_to_32768(void **state)
{
	struct bench_state s;

	(void)state;
	bench_init(&s);
	for (uint32_t n = 512; n <= 32768; n *= 2) {
		uint32_t at = 0, total = n + BENCH_HDR32_SIZE;
		unsigned replies = 0;
		uint8_t reply[BENCH_REPLY_SIZE];
		bench_put_header32(block, n);
		for (uint32_t off = 0; off < total; off += MTU) {
			uint32_t len = total - off < MTU ? total - off : MTU;
			if (bench_rx(&s, block + off, len, reply)) {
				replies++;
				at = off + len;
				assert_int_equal(reply[0] | (reply[1] << 8), n);
			}
		}
		assert_int_equal(replies, 1);
		assert_int_equal(at, total);
	}
	assert_int_equal(s.blocks, 7);
	assert_int_equal(s.stray_bytes, 0);
}

static void header32_counts_only_the_payload(void **state)
{
	struct bench_state s;
	uint8_t msg[32] = {0};
	uint8_t reply[BENCH_REPLY_SIZE];

	(void)state;
	bench_init(&s);
	bench_put_header32(msg, 10);
	assert_false(bench_rx(&s, msg, BENCH_HDR32_SIZE + 9, reply)); /* 9 of 10 */
	assert_true(bench_rx(&s, msg, 1, reply));
	assert_int_equal(reply[0] | (reply[1] << 8), 10);
	/* Header and the whole payload in one message. */
	assert_true(bench_rx(&s, msg, BENCH_HDR32_SIZE + 10, reply));
	/* Length 0 completes with the header; lengths above 16 bits report the low half. */
	bench_put_header32(msg, 0);
	assert_true(bench_rx(&s, msg, BENCH_HDR32_SIZE, reply));
	assert_int_equal(reply[0] | (reply[1] << 8), 0);
	bench_put_header32(msg, 70000);
	assert_false(bench_rx(&s, msg, BENCH_HDR32_SIZE, reply));
	assert_int_equal(s.expected, 70000);
	/* The magic inside a payload chunk does not restart the count. */
	assert_false(bench_rx(&s, msg, BENCH_HDR32_SIZE, reply));
	assert_int_equal(s.received, BENCH_HDR32_SIZE);
	while (!bench_rx(&s, block, MTU, reply))
		;
	assert_int_equal(reply[0] | (reply[1] << 8), 70000 & 0xFFFF);
	assert_int_equal(s.stray_bytes, 0);
}

static void header32_bytes_on_the_wire(void **state)
{
	uint8_t h[BENCH_HDR32_SIZE];

	(void)state;
	bench_put_header32(h, 0x01020304);
	assert_memory_equal(h, ((uint8_t[]){'B', 'N', 'C', 'H', 4, 3, 2, 1}), sizeof(h));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(block_sizes_512_to_32768),
	    cmocka_unit_test(odd_chunking),
	    cmocka_unit_test(header_split_is_not_a_header),
	    cmocka_unit_test(stray_bytes_never_reply),
	    cmocka_unit_test(preamble_inside_payload_does_not_restart),
	    cmocka_unit_test(tiny_and_overshooting_blocks),
	    cmocka_unit_test(header32_sizes_512_to_32768),
	    cmocka_unit_test(header32_counts_only_the_payload),
	    cmocka_unit_test(header32_bytes_on_the_wire),
	};
	return cmocka_run_group_tests_name("fw-sample/bench", tests, NULL, NULL);
}
