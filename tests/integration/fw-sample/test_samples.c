/*
 * Every sample firmware against the host side: libampsim in-process on the GLib loop (the
 * Linux role), the real sample binary as its own process (the Cortex-M4 role), talking
 * RPMsg through the simulated SoC. Checks are on the bytes: payloads, counts, sequence
 * numbers and CRCs are recomputed here, independently of the firmware's helpers.
 * Every wait is bounded.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/host.h>
#include <ampsim/rproc.h>

#include "itest_glib.h"

#define MTU 496
#define WAIT_MS ITEST_REPLY_MS /* a safety net: an answer that takes this long is lost */

struct fx {
	struct amp_host *host;
	const char *service;	  /* the channel the test waits for */
	struct amp_host_chan *ch; /* bound channel, NULL until announced */
	GPtrArray *rx;		  /* GBytes *, in arrival order */
	bool tx_ready;
	bool gone;
};

/* ---- harness ------------------------------------------------------------------------- */

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	struct fx *f = priv;
	if (!strcmp(ch->name, f->service))
		f->ch = ch;
}

static void on_channel_gone(void *priv, struct amp_host_chan *ch, const char *why)
{
	struct fx *f = priv;
	(void)why;
	if (ch == f->ch) {
		f->ch = NULL;
		f->gone = true;
	}
}

static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct fx *f = priv;
	if (ch == f->ch)
		g_ptr_array_add(f->rx, g_bytes_new(data, len));
}

static void on_tx_ready(void *priv)
{
	((struct fx *)priv)->tx_ready = true;
}

static const struct amp_host_ops ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_receive,
    .tx_ready = on_tx_ready,
};

/* Run the loop until *cond (if given) or @ms elapsed. Returns whether *cond became true. */
static bool spin(const bool *cond, unsigned ms)
{
	if (!cond) {
		itest_loop_for(NULL, (int)ms);
		return false;
	}
	return itest_loop_until(NULL, itest_flag_set, cond, (int)ms);
}

struct rx_at_least {
	const struct fx *f;
	guint n;
};

static bool rx_reached(const void *arg)
{
	const struct rx_at_least *a = arg;
	return a->f->rx->len >= a->n;
}

/* Run the loop until at least @n messages are queued (or @ms elapsed). */
static bool spin_rx(struct fx *f, guint n, unsigned ms)
{
	return itest_loop_until(NULL, rx_reached, &(struct rx_at_least){f, n}, (int)ms);
}

static bool announced(const void *arg)
{
	return ((const struct fx *)arg)->ch != NULL;
}

/* Boot @fw and wait for its channel; *state owns everything from the start (teardown). */
static struct fx *boot(void **state, const char *fw, const char *service)
{
	struct fx *f = *state = g_new0(struct fx, 1);
	f->service = service;
	f->rx = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	struct amp_host_cfg cfg = {.rproc = {.firmware = fw}, .ops = &ops, .priv = f};
#ifdef SAMPLES_BUFSAN
	/* The same traffic with the buffer-ownership sanitizer on: it must stay silent. */
	cfg.process.sanitize_buffers = true;
#ifdef SAMPLES_VALGRIND
	static char *wrap[] = {"valgrind", "-q", "--error-exitcode=99", "--exit-on-first-error=yes",
			       NULL};
	cfg.process.wrap = wrap;
#endif
#endif
	GError *err = NULL;
	f->host = amp_host_new(&cfg, &err);
	if (!f->host)
		fail_msg("amp_host_new(%s): %s", fw, err->message);
	if (!amp_host_start(f->host, &err))
		fail_msg("amp_host_start(%s): %s", fw, err->message);
	if (!itest_loop_until(NULL, announced, f, ITEST_BOOT_MS))
		fail_msg("%s did not announce %s within %d ms", fw, service, ITEST_BOOT_MS);
	return f;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f) {
#ifdef SAMPLES_BUFSAN
		/* A sanitizer report ends the firmware (valgrind: exit 99, ASan: abort). */
		const struct amp_rproc *rp = amp_host_rproc(f->host);
		g_autofree char *crash =
		    amp_rproc_stats(rp)->crashes ? g_strdup(amp_rproc_crash_reason(rp)) : NULL;
		/* ...and the host's own checks name nothing either. */
		g_autoptr(GString) stats = g_string_new(NULL);
		amp_host_stats(f->host, stats);
#endif
		amp_host_free(f->host); /* stops the firmware process */
		g_ptr_array_free(f->rx, TRUE);
		g_free(f);
#ifdef SAMPLES_BUFSAN
		if (crash)
			fail_msg("the firmware crashed under the sanitizer: %s", crash);
		if (strstr(stats->str, "notify without publish") ||
		    strstr(stats->str, "protocol error"))
			fail_msg("the host named a protocol error:\n%s", stats->str);
#endif
	}
	return 0;
}

/* Send one message, waiting for TX buffers as a blocking Linux sender would. */
static void send_msg(struct fx *f, const void *data, size_t len)
{
	for (gint64 end = g_get_monotonic_time() + WAIT_MS * 1000;;) {
		f->tx_ready = false;
		int rc = amp_host_send(f->ch, data, len);
		if (rc == 0)
			return;
		if (rc != AMP_ENOMEM || g_get_monotonic_time() > end)
			fail_msg("amp_host_send(%zu bytes): %s", len, amp_strerror(rc));
		spin(&f->tx_ready, 50);
	}
}

static void send_str(struct fx *f, const char *s)
{
	send_msg(f, s, strlen(s)); /* no NUL on the wire, as the Linux drivers send */
}

/* Take the oldest received message (the caller unrefs it); fails after @ms. */
static GBytes *take(struct fx *f, unsigned ms)
{
	if (!spin_rx(f, 1, ms))
		fail_msg("no message from the firmware within %u ms%s", ms,
			 f->gone ? " (its channel went away)" : "");
	return g_ptr_array_steal_index(f->rx, 0);
}

/* Nothing (more) arrives within @ms. */
static void expect_silence(struct fx *f, unsigned ms)
{
	spin(NULL, ms);
	assert_int_equal(f->rx->len, 0);
}

/* CRC-32/IEEE (zlib's), bit by bit: deliberately not the firmware's table version. */
static uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

/* ---- echo ------------------------------------------------------------------------------ */

static void echo_sizes(void **state, const char *fw)
{
	struct fx *f = boot(state, fw, "rpmsg-openamp-demo-channel");
	assert_int_equal(amp_host_mtu(f->host), MTU);
	uint8_t out[MTU + 1];
	for (size_t len = 1; len <= MTU; len++) {
		for (size_t i = 0; i < len; i++)
			out[i] = (uint8_t)(len * 7 + i * 13);
		send_msg(f, out, len);
		g_autoptr(GBytes) in = take(f, WAIT_MS);
		size_t n;
		const uint8_t *p = g_bytes_get_data(in, &n);
		assert_int_equal(n, len);
		assert_memory_equal(p, out, len);
	}
	expect_silence(f, 50);
	/* One byte over the MTU is refused by the host, not truncated. */
	assert_int_equal(amp_host_send(f->ch, out, MTU + 1), AMP_EMSGSIZE);
}

static void echo_every_payload_size(void **state)
{
	echo_sizes(state, ECHO_FW);
}

/* Many messages in flight at once come back complete and in order. */
static void echo_burst(void **state, const char *fw)
{
	struct fx *f = boot(state, fw, "rpmsg-openamp-demo-channel");
	enum { N = 200 };
	for (uint32_t i = 0; i < N; i++) {
		uint8_t m[8];
		put_le32(m, i);
		put_le32(m + 4, ~i);
		send_msg(f, m, sizeof(m));
	}
	assert_true(spin_rx(f, N, WAIT_MS));
	for (uint32_t i = 0; i < N; i++) {
		size_t n;
		const uint8_t *p = g_bytes_get_data(f->rx->pdata[i], &n);
		assert_int_equal(n, 8);
		assert_int_equal(le32(p), i);
		assert_int_equal(le32(p + 4), ~i);
	}
}

static void echo_pipelined_burst_keeps_order(void **state)
{
	echo_burst(state, ECHO_FW);
}

/* The real stacks' echo samples (docs/real-stacks.md) through libampsim, in-process. */
#ifdef RL_ECHO_FW
static void rpmsg_lite_echo_every_payload_size(void **state)
{
	echo_sizes(state, RL_ECHO_FW);
}

static void rpmsg_lite_echo_burst_keeps_order(void **state)
{
	echo_burst(state, RL_ECHO_FW);
}

/* The same on ampsim's POSIX-thread environment (rpmsg_queue, a blocking main thread). */
static void rpmsg_lite_posix_echo_every_payload_size(void **state)
{
	echo_sizes(state, RL_POSIX_ECHO_FW);
}

static void rpmsg_lite_posix_echo_burst_keeps_order(void **state)
{
	echo_burst(state, RL_POSIX_ECHO_FW);
}
#endif
#ifdef OA_ECHO_FW
static void openamp_echo_every_payload_size(void **state)
{
	echo_sizes(state, OA_ECHO_FW);
}

static void openamp_echo_burst_keeps_order(void **state)
{
	echo_burst(state, OA_ECHO_FW);
}

/* The glue's non-blocking MAILBOX_Notify() (AMPSIM_MBOX_STRICT=0). */
static void openamp_nonstrict_echo_every_payload_size(void **state)
{
	echo_sizes(state, OA_NS_ECHO_FW);
}

static void openamp_nonstrict_echo_burst_keeps_order(void **state)
{
	echo_burst(state, OA_NS_ECHO_FW);
}
#endif

/* ---- tty --------------------------------------------------------------------------------- */

/* Lines of many lengths, one longer than a message and than the firmware's line buffer. */
static GString *tty_text(void)
{
	GString *s = g_string_new(NULL);
	static const unsigned lens[] = {0, 1, 5, 79, 255, 256, 257, 495, 496, 600, 3, 1000, 12};
	for (unsigned l = 0; l < G_N_ELEMENTS(lens); l++) {
		for (unsigned i = 0; i < lens[l]; i++)
			g_string_append_c(s, (char)('!' + (l * 31 + i) % 90));
		g_string_append_c(s, '\n');
	}
	return s;
}

/* Collect the reply stream until @want bytes; every reply is a line or a 256-byte piece. */
static GByteArray *tty_collect(struct fx *f, size_t want)
{
	GByteArray *got = g_byte_array_new();
	while (got->len < want) {
		g_autoptr(GBytes) m = take(f, WAIT_MS);
		size_t n;
		const uint8_t *p = g_bytes_get_data(m, &n);
		assert_true(n > 0 && n <= 256);
		if (n < 256)
			assert_int_equal(p[n - 1], '\n');
		g_byte_array_append(got, p, (guint)n);
	}
	return got;
}

static void tty_stream_across_message_boundaries(void **state)
{
	struct fx *f = boot(state, TTY_FW, "rpmsg-tty");
	g_autoptr(GString) text = tty_text();
	/* Cut the stream at sizes unrelated to line ends: 1 byte, odd sizes, full messages. */
	static const size_t cuts[] = {1, 2, 3, 17, 496, 100, 1, 333, 496, 7};
	size_t off = 0;
	for (unsigned k = 0; off < text->len; k++) {
		size_t n = MIN(cuts[k % G_N_ELEMENTS(cuts)], text->len - off);
		send_msg(f, text->str + off, n);
		off += n;
	}
	g_autoptr(GByteArray) got = tty_collect(f, text->len);
	assert_int_equal(got->len, text->len);
	assert_memory_equal(got->data, text->str, text->len);
	expect_silence(f, 50);
}

/* A partial line is held back until its '\n' arrives, then sent whole. */
static void tty_holds_a_partial_line(void **state)
{
	struct fx *f = boot(state, TTY_FW, "rpmsg-tty");
	send_str(f, "abc");
	send_str(f, "def");
	expect_silence(f, 100);
	send_str(f, "g\nxy\nz");
	g_autoptr(GBytes) a = take(f, WAIT_MS);
	g_autoptr(GBytes) b = take(f, WAIT_MS);
	assert_int_equal(g_bytes_get_size(a), 8);
	assert_memory_equal(g_bytes_get_data(a, NULL), "abcdefg\n", 8);
	assert_int_equal(g_bytes_get_size(b), 3);
	assert_memory_equal(g_bytes_get_data(b, NULL), "xy\n", 3);
	expect_silence(f, 50);
}

/* ---- bench ------------------------------------------------------------------------------ */

/* Send @total bytes of @block in MTU-sized messages; return the 16-bit reply. */
static uint32_t bench_round(struct fx *f, const uint8_t *block, size_t total)
{
	for (size_t off = 0; off < total; off += MTU)
		send_msg(f, block + off, MIN((size_t)MTU, total - off));
	g_autoptr(GBytes) r = take(f, WAIT_MS);
	size_t n;
	const uint8_t *p = g_bytes_get_data(r, &n);
	assert_int_equal(n, 2);
	assert_int_equal(f->rx->len, 0); /* exactly one reply per block */
	return p[0] | (uint32_t)p[1] << 8;
}

static uint8_t *bench_payload(size_t n)
{
	uint8_t *b = g_malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)i;
	return b;
}

/* The article's protocol: u16 preamble 0xABCD, u16 length of the whole block, u16 crc16. */
static void bench_original_header_512_to_32768(void **state)
{
	struct fx *f = boot(state, BENCH_FW, "rpmsg-netlink");
	g_autofree uint8_t *block = bench_payload(32768);
	for (size_t size = 512; size <= 32768; size *= 2) {
		put_le16(block, 0xABCD);
		put_le16(block + 2, (uint32_t)size);
		assert_int_equal(bench_round(f, block, size), size);
	}
}

/* The 32-bit form: u32 magic, u32 payload length, then that many payload bytes. */
static void bench_32bit_header_512_to_32768(void **state)
{
	struct fx *f = boot(state, BENCH_FW, "rpmsg-netlink");
	g_autofree uint8_t *block = bench_payload(32768 + 8);
	static const size_t sizes[] = {512, 1000, 1024, 2048, 4096, 8192, 16384, 32767, 32768};
	for (unsigned k = 0; k < G_N_ELEMENTS(sizes); k++) {
		put_le32(block, 0x48434E42u); /* "BNCH", spelt out here, not from bench_proto.h */
		put_le32(block + 4, (uint32_t)sizes[k]);
		assert_int_equal(bench_round(f, block, sizes[k] + 8), sizes[k]);
	}
}

/* No reply until the last byte of a block is in; then exactly one. */
static void bench_replies_only_when_complete(void **state)
{
	struct fx *f = boot(state, BENCH_FW, "rpmsg-netlink");
	g_autofree uint8_t *block = bench_payload(4096 + 8);
	put_le32(block, 0x48434E42u);
	put_le32(block + 4, 4096);
	for (size_t off = 0; off < 4096 + 7; off += MTU)
		send_msg(f, block + off, MIN((size_t)MTU, 4096 + 7 - off));
	expect_silence(f, 200);
	assert_int_equal(bench_round(f, block + 4096 + 7, 1), 4096);
}

/* ---- sdb ------------------------------------------------------------------------------- */

/* The DDR window the host allocates sdb buffers in (as dma_alloc_wc would). */
static uint32_t ddr_base(struct fx *f, uint8_t **va, size_t *size)
{
	const struct amp_soc_region *r =
	    amp_soc_region_by_purpose(amp_host_soc(f->host), AMP_SOC_PURPOSE_DDR);
	assert_non_null(r);
	*va = amp_soc_da_to_va(amp_host_soc(f->host), r->da, (size_t)r->size);
	assert_non_null(*va);
	*size = (size_t)r->size;
	return (uint32_t)r->da;
}

/* The report must be exactly "B<idx>L<8 lower-case hex>", as the Linux driver parses it. */
static void expect_report(struct fx *f, unsigned idx, uint32_t len)
{
	char want[32];
	int n = snprintf(want, sizeof(want), "B%uL%08x", idx, len);
	g_autoptr(GBytes) r = take(f, WAIT_MS);
	assert_int_equal(g_bytes_get_size(r), n);
	assert_memory_equal(g_bytes_get_data(r, NULL), want, (size_t)n);
}

/* len - 4 bytes of pattern, then the CRC-32 of those bytes, little-endian. */
static void expect_crc(const uint8_t *buf, uint32_t len)
{
	assert_int_equal(le32(buf + len - 4), crc32_ref(buf, len - 4));
}

static void expect_counter(const uint8_t *buf, uint32_t len, uint32_t seq)
{
	for (uint32_t i = 0; i < len - 4; i++)
		if (buf[i] != (uint8_t)(seq + i))
			fail_msg("byte %u is 0x%02x, want 0x%02x", i, buf[i], (uint8_t)(seq + i));
	expect_crc(buf, len);
}

/* 16-bit LE samples of a 12-bit triangle (period 256, slope 32) plus < 32 LSBs of noise. */
static void expect_signal(const uint8_t *buf, uint32_t len, uint32_t seq)
{
	for (uint32_t k = 0; 2 * k + 1 < len - 4; k++) {
		uint32_t phase = (seq * 64 + k) & 0xFF;
		uint32_t tri = phase < 128 ? phase * 32 : (255 - phase) * 32;
		uint32_t v = buf[2 * k] | (uint32_t)buf[2 * k + 1] << 8;
		if (v < tri || v - tri >= 32)
			fail_msg("sample %u is %u, want %u + noise < 32", k, v, tri);
	}
	expect_crc(buf, len);
}

static void sdb_fill_cycle_with_crc(void **state)
{
	struct fx *f = boot(state, SDB_FW, "rpmsg-sdb-channel");
	uint8_t *ddr;
	size_t ddr_size;
	uint32_t da = ddr_base(f, &ddr, &ddr_size);
	const uint32_t len0 = 1u << 20, off1 = 2u << 20, len1 = 65536 + 12;
	assert_true(off1 + len1 + 64 <= ddr_size);
	memset(ddr, 0xA5, off1 + len1 + 64);
	char msg[40];
	snprintf(msg, sizeof(msg), "B0A%08xL%08x", da, len0);
	send_str(f, msg);
	expect_report(f, 0, len0);
	expect_counter(ddr, len0, 0);
	snprintf(msg, sizeof(msg), "B1A%08xL%08x", da + off1, len1);
	send_str(f, msg);
	expect_report(f, 1, len1);
	expect_counter(ddr + off1, len1, 1);
	/* Nothing written past either buffer. */
	assert_int_equal(ddr[len0], 0xA5);
	assert_int_equal(ddr[off1 + len1], 0xA5);
	assert_int_equal(ddr[off1 - 1], 0xA5);
}

/* The reader consumed buffer 0: refill it, with the sampled-signal pattern this time. */
static void sdb_refill_and_signal_pattern(void **state)
{
	struct fx *f = boot(state, SDB_FW, "rpmsg-sdb-channel");
	uint8_t *ddr;
	size_t ddr_size;
	uint32_t da = ddr_base(f, &ddr, &ddr_size);
	const uint32_t len = 4096;
	char msg[40];
	snprintf(msg, sizeof(msg), "B0A%08xL%08x", da, len);
	send_str(f, msg);
	expect_report(f, 0, len);
	expect_counter(ddr, len, 0);
	send_str(f, "Ms");
	send_str(f, "R0");
	expect_report(f, 0, len);
	expect_signal(ddr, len, 1);
	send_str(f, "Mc");
	send_str(f, "R0");
	expect_report(f, 0, len);
	expect_counter(ddr, len, 2);
}

/* A buffer outside memory the firmware may touch, or a malformed message: no report. */
static void sdb_rejects_bad_announcements(void **state)
{
	struct fx *f = boot(state, SDB_FW, "rpmsg-sdb-channel");
	send_str(f, "B0A00001000L00001000");  /* not mapped for the firmware */
	send_str(f, "B16AC0000000L00001000"); /* index out of range (0..15) */
	send_str(f, "B0AC0000000L1000");      /* length not 8 hex digits */
	send_str(f, "R3");		      /* never announced */
	expect_silence(f, 200);
	uint8_t *ddr;
	size_t ddr_size;
	uint32_t da = ddr_base(f, &ddr, &ddr_size);
	char msg[40];
	snprintf(msg, sizeof(msg), "B3A%08xL%08x", da + 8192, 256u);
	send_str(f, msg);
	expect_report(f, 3, 256);
	expect_counter(ddr + 8192, 256, 0);
}

/* ---- sensor ------------------------------------------------------------------------------ */

struct frame {
	uint32_t seq, ts;
};

/* Check one 28-byte frame field by field (sensor/README.md) and return seq and timestamp. */
static struct frame check_frame(GBytes *b)
{
	size_t n;
	const uint8_t *p = g_bytes_get_data(b, &n);
	assert_int_equal(n, 28);
	assert_memory_equal(p, "SENS", 4);
	assert_int_equal(p[4] | p[5] << 8, 1); /* version */
	assert_int_equal(p[6] | p[7] << 8, 4); /* samples */
	assert_int_equal(le32(p + 24), crc32_ref(p, 24));
	return (struct frame){.seq = le32(p + 8), .ts = le32(p + 12)};
}

static struct frame take_frame(struct fx *f)
{
	g_autoptr(GBytes) b = take(f, WAIT_MS);
	return check_frame(b);
}

static void sensor_one_second_without_gaps(void **state)
{
	struct fx *f = boot(state, SENSOR_FW, "rpmsg-sensor");
	expect_silence(f, 100); /* nothing before the first command */
	send_str(f, "P2");
	struct frame first = take_frame(f), last = first;
	assert_int_equal(first.seq, 0);
	unsigned frames = 1;
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (last.ts - first.ts < 1000 && g_get_monotonic_time() < end) {
		struct frame fr = take_frame(f);
		assert_int_equal(fr.seq, last.seq + 1);	    /* no gap, no duplicate */
		assert_true(fr.ts - last.ts < 0x80000000u); /* time never goes back */
		last = fr;
		frames++;
	}
	assert_true(last.ts - first.ts >= 1000);
	/* A 2 ms period over >= 1 s of firmware time: 500 nominal, slack for a loaded machine. */
	assert_true(frames >= 100);
	print_message("sensor: %u frames over %u ms, seq 0..%u\n", frames, last.ts - first.ts,
		      last.seq);
}

/* "P0" stops the stream: after the frames in flight, silence. */
static void sensor_stops_on_p0(void **state)
{
	struct fx *f = boot(state, SENSOR_FW, "rpmsg-sensor");
	send_str(f, "P5");
	assert_true(spin_rx(f, 10, WAIT_MS));
	send_str(f, "P0");
	spin(NULL, 100);
	g_ptr_array_set_size(f->rx, 0);
	expect_silence(f, 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(echo_every_payload_size, teardown),
	    cmocka_unit_test_teardown(echo_pipelined_burst_keeps_order, teardown),
#ifdef RL_ECHO_FW
	    cmocka_unit_test_teardown(rpmsg_lite_echo_every_payload_size, teardown),
	    cmocka_unit_test_teardown(rpmsg_lite_echo_burst_keeps_order, teardown),
	    cmocka_unit_test_teardown(rpmsg_lite_posix_echo_every_payload_size, teardown),
	    cmocka_unit_test_teardown(rpmsg_lite_posix_echo_burst_keeps_order, teardown),
#endif
#ifdef OA_ECHO_FW
	    cmocka_unit_test_teardown(openamp_echo_every_payload_size, teardown),
	    cmocka_unit_test_teardown(openamp_echo_burst_keeps_order, teardown),
	    cmocka_unit_test_teardown(openamp_nonstrict_echo_every_payload_size, teardown),
	    cmocka_unit_test_teardown(openamp_nonstrict_echo_burst_keeps_order, teardown),
#endif
	    cmocka_unit_test_teardown(tty_stream_across_message_boundaries, teardown),
	    cmocka_unit_test_teardown(tty_holds_a_partial_line, teardown),
	    cmocka_unit_test_teardown(bench_original_header_512_to_32768, teardown),
	    cmocka_unit_test_teardown(bench_32bit_header_512_to_32768, teardown),
	    cmocka_unit_test_teardown(bench_replies_only_when_complete, teardown),
	    cmocka_unit_test_teardown(sdb_fill_cycle_with_crc, teardown),
	    cmocka_unit_test_teardown(sdb_refill_and_signal_pattern, teardown),
	    cmocka_unit_test_teardown(sdb_rejects_bad_announcements, teardown),
	    cmocka_unit_test_teardown(sensor_one_second_without_gaps, teardown),
	    cmocka_unit_test_teardown(sensor_stops_on_p0, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
