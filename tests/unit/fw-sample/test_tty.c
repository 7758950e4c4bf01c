/*
 * tty line assembly: a byte stream cut at every possible message boundary gives back the
 * same lines; several lines per message; over-long lines come back in TTY_LINE_MAX pieces;
 * bytes out == bytes in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tty_proto.h"

static uint8_t out[8192];
static size_t out_len;
static unsigned pieces;

/* One received message, handled as tty.c does; emitted pieces are appended to out. */
static void rx(struct tty_line *l, const uint8_t *p, size_t len)
{
	bool ready;

	while (len > 0) {
		size_t used = tty_line_feed(l, p, len, &ready);
		assert_true(used >= 1 && used <= len);
		p += used;
		len -= used;
		if (!ready)
			break;
		assert_true(l->len >= 1 && l->len <= TTY_LINE_MAX);
		/* A piece is a whole line or a full buffer, never something in between. */
		assert_true(l->buf[l->len - 1] == '\n' || l->len == TTY_LINE_MAX);
		memcpy(out + out_len, l->buf, l->len);
		out_len += l->len;
		pieces++;
		tty_line_clear(l);
	}
}

static void split_at_every_boundary(void **state)
{
	static const char text[] = "hello\nsecond line\n\nx\nlast, no newline yet";
	const size_t n = sizeof(text) - 1;
	const size_t complete = strrchr(text, '\n') - text + 1;

	(void)state;
	for (size_t cut1 = 0; cut1 <= n; cut1++) {
		for (size_t cut2 = cut1; cut2 <= n; cut2 += 3) {
			struct tty_line l;
			tty_line_init(&l);
			out_len = 0;
			pieces = 0;
			rx(&l, (const uint8_t *)text, cut1);
			rx(&l, (const uint8_t *)text + cut1, cut2 - cut1);
			rx(&l, (const uint8_t *)text + cut2, n - cut2);
			assert_int_equal(pieces, 4);
			assert_int_equal(l.lines, 4);
			assert_int_equal(out_len, complete);
			assert_memory_equal(out, text, complete);
			/* The unterminated tail waits in the buffer. */
			assert_int_equal(l.len, n - complete);
		}
	}
}

static void byte_by_byte_and_long_lines(void **state)
{
	uint8_t in[1200];
	struct tty_line l;

	(void)state;
	/* Line of 700 bytes, a short line, and a line of exactly TTY_LINE_MAX with '\n'. */
	size_t n = 0;
	for (size_t i = 0; i < 699; i++)
		in[n++] = (uint8_t)('a' + i % 26);
	in[n++] = '\n';
	memcpy(in + n, "ok\n", 3);
	n += 3;
	for (size_t i = 0; i < TTY_LINE_MAX - 1; i++)
		in[n++] = 'z';
	in[n++] = '\n';

	tty_line_init(&l);
	out_len = 0;
	pieces = 0;
	for (size_t i = 0; i < n; i++)
		rx(&l, in + i, 1);
	assert_int_equal(out_len, n);
	assert_memory_equal(out, in, n);
	assert_int_equal(l.lines, 3);
	assert_int_equal(l.overflows, 2); /* 700 = 256 + 256 + 188 */
	assert_int_equal(pieces, 3 + 2);

	/* The same stream in 496-byte messages (rpmsg_tty's MTU) gives the same output. */
	tty_line_init(&l);
	out_len = 0;
	pieces = 0;
	for (size_t off = 0; off < n; off += 496)
		rx(&l, in + off, n - off < 496 ? n - off : 496);
	assert_int_equal(out_len, n);
	assert_memory_equal(out, in, n);
	assert_int_equal(pieces, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(split_at_every_boundary),
	    cmocka_unit_test(byte_by_byte_and_long_lines),
	};
	return cmocka_run_group_tests_name("fw-sample/tty", tests, NULL, NULL);
}
