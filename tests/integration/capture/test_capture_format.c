/*
 * The capture format (docs/capture.md) without a firmware: a capture written in-process
 * holding every protocol the dissector knows (name service create and destroy, rpmsg-sdb
 * both ways, the bench header in both forms and its reply, an empty message), read back
 * exactly, read back from every truncation and every one-byte corruption without a crash,
 * and decoded by tshark with the shipped dissector (field values checked).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include <ampsim/error.h>

#include "capture.h"
#include "itest.h"

struct msg {
	bool to_fw;
	const char *name;
	uint32_t src, dst;
	uint16_t flags;
	const char *payload;
	size_t len;
};

#define NS_CREATE "rpmsg-sdb-channel\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01\x04\0\0\0\0\0\0"
#define NS_DESTROY "rpmsg-netlink\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02\x04\0\0\x01\0\0\0"

static const struct msg msgs[] = {
    {false, "", 0x401, 53, 0, NS_CREATE, 40},
    {true, "rpmsg-sdb-channel", 1024, 0x401, 0, "B3Ac0000000L00100000", 20},
    {false, "rpmsg-sdb-channel", 0x401, 1024, 0, "B3L0000abcd", 11},
    {true, "rpmsg-sdb-channel", 1024, 0x401, 0, "F2L00000010", 11},
    {false, "rpmsg-sdb-channel", 0x401, 1024, 0, "R2Cdeadbeef", 11},
    {true, "rpmsg-sdb-channel", 1024, 0x401, 0, "Mc", 2},
    {true, "rpmsg-netlink", 1025, 0x402, 0, "BNCH\x10\0\0\0", 8},
    {true, "rpmsg-netlink", 1025, 0x402, 0, "\xcd\xab\x00\x02\x34\x12", 6},
    {false, "rpmsg-netlink", 0x402, 1025, 0, "\x00\x02", 2},
    {true, "rpmsg-netlink", 1025, 0x402, 0x0001, "", 0},
    {false, "", 0x402, 53, 0, NS_DESTROY, 40},
};
#define NMSGS (sizeof(msgs) / sizeof(msgs[0]))

static char path[256];

/* What tshark shows for msgs[], one line per frame (the fields tshark_decodes_every_protocol
 * asks for, tab-separated). */
#define EXPECTED_FIELDS                                                                            \
	"1\t40\t0x0000\trpmsg-sdb-channel\t1025\t0\t\t\t\t\t\t\t\t\t\t\t\t\n"                      \
	"2\t20\t0x0000\t\t\t\tannounce (firmware fills)\t3\t0xc0000000\t1048576\t\t\t\t\t\t\t\t\n" \
	"3\t11\t0x0000\t\t\t\tfilled\t3\t\t43981\t\t\t\t\t\t\t\t\n"                                \
	"4\t11\t0x0000\t\t\t\tsubmit\t2\t\t16\t\t\t\t\t\t\t\t\n"                                   \
	"5\t11\t0x0000\t\t\t\treturned\t2\t\t\t0xdeadbeef\t\t\t\t\t\t\t\n"                         \
	"6\t2\t0x0000\t\t\t\tcommand\t\t\t\t\tMc\t\t\t\t\t\t\n"                                    \
	"7\t8\t0x0000\t\t\t\t\t\t\t\t\t\t32-bit\t0x48434e42\t\t16\t\t\n"                           \
	"8\t6\t0x0000\t\t\t\t\t\t\t\t\t\tarticle\t\t0xabcd\t512\t0x1234\t\n"                       \
	"9\t2\t0x0000\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t512\n"                                          \
	"10\t0\t0x0001\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n"                                            \
	"11\t40\t0x0000\trpmsg-netlink\t1026\t1\t\t\t\t\t\t\t\t\t\t\t\t\n"

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int write_capture(void **state)
{
	(void)state;
	itest_fmt(path, sizeof(path), "%s/all.pcapng", itest_scratch());
	g_autoptr(GError) err = NULL;
	struct amp_capture *c = amp_capture_open(path, &err);
	assert_non_null(c);
	for (size_t i = 0; i < NMSGS; i++) {
		uint8_t hdr[16] = {0};
		put32(hdr, msgs[i].src);
		put32(hdr + 4, msgs[i].dst);
		hdr[12] = (uint8_t)msgs[i].len;
		hdr[14] = (uint8_t)msgs[i].flags;
		struct amp_host_msg m = {msgs[i].to_fw, msgs[i].name, hdr, msgs[i].payload,
					 msgs[i].len};
		amp_capture_tap(c, &m);
	}
	assert_int_equal(amp_capture_count(c), NMSGS);
	amp_capture_close(c);
	return 0;
}

static void reads_back_what_was_written(void **state)
{
	(void)state;
	g_autoptr(GError) err = NULL;
	GPtrArray *recs = amp_capture_read(path, &err);
	assert_non_null(recs);
	assert_int_equal(recs->len, NMSGS);
	for (size_t i = 0; i < NMSGS; i++) {
		const struct amp_cap_rec *r = recs->pdata[i];
		assert_int_equal(r->frame, i + 1);
		assert_int_equal(r->to_fw, msgs[i].to_fw);
		assert_string_equal(r->name, msgs[i].name);
		assert_int_equal(r->len, msgs[i].len);
		if (r->len)
			assert_memory_equal(r->payload, msgs[i].payload, r->len);
		assert_int_equal(r->hdr[0] | r->hdr[1] << 8, msgs[i].src);
		assert_int_equal(r->hdr[14], msgs[i].flags);
		if (i > 0) /* nanosecond times, in order */
			assert_true(r->ts_ns >= ((struct amp_cap_rec *)recs->pdata[i - 1])->ts_ns);
	}
	g_ptr_array_unref(recs);
}

/*
 * Read @p len bytes of @p data as a capture: a clean error or whole blocks; never a crash.
 * @return true when it read
 */
static bool read_damaged(const char *data, size_t len, const char *what)
{
	const char *p = itest_scratch_path("damaged");
	assert_true(g_file_set_contents(p, data, (gssize)len, NULL));
	GError *err = NULL;
	GPtrArray *recs = amp_capture_read(p, &err);
	if (recs) {
		assert_null(err);
		assert_true(recs->len <= NMSGS);
		g_ptr_array_unref(recs);
		return true;
	}
	if (!g_error_matches(err, AMP_ERROR, AMP_EPROTO) || !strstr(err->message, "at byte"))
		fail_msg("%s: %s", what, err ? err->message : "no error");
	g_error_free(err);
	return false;
}

static void every_truncation_and_corruption_is_an_error_or_whole(void **state)
{
	(void)state;
	gchar *data;
	gsize size;
	assert_true(g_file_get_contents(path, &data, &size, NULL));
	unsigned whole = 0;
	for (size_t len = 0; len < size; len++)
		whole += read_damaged(data, len, "truncated");
	/* Only cuts between blocks read: after each header and after every message but the last. */
	assert_int_equal(whole, 2 + NMSGS - 1);
	for (size_t at = 0; at < size; at++) {
		char saved = data[at];
		data[at] = (char)(saved ^ 0xA5);
		read_damaged(data, size, "corrupted");
		data[at] = saved;
	}
	g_free(data);
}

static void tshark_decodes_every_protocol(void **state)
{
	(void)state;
	if (!TSHARK[0]) {
		print_message("tshark was not found when configuring: skipped "
			      "(scripts/install-deps installs it)\n");
		skip();
	}
	static const char *const fields[] = {
	    "frame.number",	   "rpmsg.len",		 "rpmsg.flags",
	    "rpmsg_ns.name",	   "rpmsg_ns.addr",	 "rpmsg_ns.flags",
	    "rpmsg_sdb.kind",	   "rpmsg_sdb.idx",	 "rpmsg_sdb.da",
	    "rpmsg_sdb.len",	   "rpmsg_sdb.crc",	 "rpmsg_sdb.command",
	    "ampsim_bench.form",   "ampsim_bench.magic", "ampsim_bench.preamble",
	    "ampsim_bench.length", "ampsim_bench.crc16", "ampsim_bench.reply"};
	const char *argv[64] = {TSHARK, "-X", "lua_script:" DISSECTOR, "-r", path, "-T", "fields"};
	size_t n = 7;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		argv[n++] = "-e";
		argv[n++] = fields[i];
	}
	char out[16384];
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	g_autoptr(GString) got = g_string_new(NULL);
	g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
	for (char **l = lines; *l; l++)
		if (g_ascii_isdigit(**l)) /* not tshark's warning about running as root */
			g_string_append_printf(got, "%s\n", *l);
	assert_string_equal(got->str, EXPECTED_FIELDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_back_what_was_written),
	    cmocka_unit_test(every_truncation_and_corruption_is_an_error_or_whole),
	    cmocka_unit_test(tshark_decodes_every_protocol),
	};
	return cmocka_run_group_tests(tests, write_capture, NULL);
}
