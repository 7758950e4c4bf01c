/*
 * `ampsim run --capture` and `ampsim replay`, end to end (docs/capture.md): the echo sample
 * captured while four messages go through it; the capture read back, decoded by tshark with
 * the shipped dissector (field values checked), replayed against the echo sample (passes)
 * and against fw_replay_diff (the third answer differs: frame 7 reported), and bad capture
 * files refused with a message; a run killed with SIGKILL leaves a readable capture. Every
 * wait is bounded.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "capture.h"
#include "itest.h"

#define CHAN "rpmsg-openamp-demo-channel"
#define OUT_MAX 16384

static const char *const msgs[] = {"hello", "world!", "third", "fourth"};
#define NMSG 4u

static char cap_path[256];
static uint32_t fw_addr; /* the firmware's address of CHAN during the captured run */

static void echo_frame(int fd, const char *msg)
{
	char buf[512];
	size_t len = strlen(msg);
	assert_int_equal(send(fd, msg, len, MSG_NOSIGNAL), (ssize_t)len);
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), (ssize_t)len);
	assert_memory_equal(buf, msg, len);
}

/* Once for the program: run the echo sample with --capture and pass four messages. */
static int make_capture(void **state)
{
	(void)state;
	itest_fmt(cap_path, sizeof(cap_path), "%s/echo.pcapng", itest_scratch());
	struct itest_run r = {0};
	const char *opts[] = {"--capture", cap_path, NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	fw_addr = itest_fw_addr(&r, CHAN);
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	for (unsigned i = 0; i < NMSG; i++)
		echo_frame(fd, msgs[i]);
	close(fd);
	itest_run_stop(&r, SIGINT);
	return 0;
}

/* Frame 1 is the announcement, then each message and its echo (frames 2i+2, 2i+3). */
static void capture_holds_every_message_both_ways(void **state)
{
	(void)state;
	g_autoptr(GError) err = NULL;
	GPtrArray *recs = amp_capture_read(cap_path, &err);
	assert_non_null(recs);
	assert_int_equal(recs->len, 1 + 2 * NMSG);
	const struct amp_cap_rec *ns = recs->pdata[0];
	assert_false(ns->to_fw);
	assert_string_equal(ns->name, "");
	assert_int_equal(ns->len, 40);
	assert_string_equal((const char *)ns->payload, CHAN);
	uint32_t dst = (uint32_t)ns->hdr[4] | (uint32_t)ns->hdr[5] << 8;
	assert_int_equal(dst, 53);
	for (unsigned i = 0; i < 2 * NMSG; i++) {
		const struct amp_cap_rec *m = recs->pdata[1 + i];
		assert_int_equal(m->frame, 2 + i);
		assert_int_equal(m->to_fw, i % 2 == 0);
		assert_string_equal(m->name, CHAN);
		assert_int_equal(m->len, strlen(msgs[i / 2]));
		assert_memory_equal(m->payload, msgs[i / 2], m->len);
		assert_int_equal(m->hdr[12], m->len); /* the header's len, little-endian */
		assert_true(m->ts_ns >= ns->ts_ns);
	}
	g_ptr_array_unref(recs);
}

static char *hex(const char *s)
{
	GString *h = g_string_new(NULL);
	for (; *s; s++)
		g_string_append_printf(h, "%02x", (unsigned char)*s);
	return g_string_free(h, FALSE);
}

/* The expected tshark line of message @p i (0-based) or of its echo. */
static void expect_line(GString *want, unsigned i, bool echo, uint32_t ours)
{
	g_autofree char *h = hex(msgs[i]);
	uint32_t src = echo ? fw_addr : ours, dst = echo ? ours : fw_addr;
	g_string_append_printf(want, "%u\t%d\t%s\t%u\t%u\t%zu\t0x0000\t%s\t%s\t\t\t\n",
			       2 + 2 * i + echo, echo, CHAN, src, dst, strlen(msgs[i]), h, msgs[i]);
}

static void tshark_decodes_the_capture(void **state)
{
	(void)state;
	if (!TSHARK[0]) {
		print_message("tshark was not found when configuring: skipped "
			      "(scripts/install-deps installs it)\n");
		skip();
	}
	char out[OUT_MAX];
	const char *argv[] = {TSHARK,
			      "-X",
			      "lua_script:" DISSECTOR,
			      "-r",
			      cap_path,
			      "-T",
			      "fields",
			      "-e",
			      "frame.number",
			      "-e",
			      "ampsim.dir",
			      "-e",
			      "ampsim.name",
			      "-e",
			      "rpmsg.src",
			      "-e",
			      "rpmsg.dst",
			      "-e",
			      "rpmsg.len",
			      "-e",
			      "rpmsg.flags",
			      "-e",
			      "rpmsg.payload",
			      "-e",
			      "rpmsg.text",
			      "-e",
			      "rpmsg_ns.name",
			      "-e",
			      "rpmsg_ns.addr",
			      "-e",
			      "rpmsg_ns.flags",
			      NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	/* tshark may warn about running as root: keep the lines that start with a number. */
	g_autoptr(GString) got = g_string_new(NULL);
	g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
	for (char **l = lines; *l; l++)
		if (g_ascii_isdigit(**l))
			g_string_append_printf(got, "%s\n", *l);
	g_autoptr(GString) want = g_string_new(NULL);
	g_autofree char *nshex = hex(CHAN);
	g_string_append_printf(want, "1\t1\t\t%u\t53\t40\t0x0000\t%s", fw_addr, nshex);
	for (size_t i = strlen(CHAN); i < 32; i++)
		g_string_append(want, "00");
	g_string_append_printf(want, "%02x%02x000000000000\t\t%s\t%u\t0\n", fw_addr & 0xffu,
			       fw_addr >> 8, CHAN, fw_addr);
	/* Our address: the host's first dynamic one (Linux's rule: from 1024). */
	for (unsigned i = 0; i < NMSG; i++) {
		expect_line(want, i, false, 1024);
		expect_line(want, i, true, 1024);
	}
	assert_string_equal(got->str, want->str);
}

static void replay_of_the_echo_capture_passes(void **state)
{
	(void)state;
	char out[OUT_MAX];
	for (int original = 0; original < 2; original++) {
		const char *argv[] = {
		    AMPSIM_BIN, "replay", "--timing", original ? "original" : "fast",
		    cap_path,	ECHO_FW,  NULL};
		int rc = itest_capture(argv, out, sizeof(out));
		if (rc != 0)
			fail_msg("replay exit %d: %s", rc, out);
		assert_non_null(strstr(out, "4 messages sent, 5 from the firmware matched"));
	}
}

static void replay_reports_the_first_difference(void **state)
{
	(void)state;
	char out[OUT_MAX];
	const char *argv[] = {AMPSIM_BIN, "replay", cap_path, DIFF_FW, NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 1);
	/* fw_replay_diff answers the third message upper-cased: the echo of "third", frame 7. */
	static const char *const want[] = {
	    "frame 7 (firmware -> Linux, \"" CHAN "\"): the firmware's message differs "
	    "(3 matched before)",
	    "expected 5 bytes: 74 68 69 72 64  \"third\"",
	    "got      5 bytes: 54 48 49 52 44  \"THIRD\"",
	    "first difference at byte 0",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(out, want[i]))
			fail_msg("no \"%s\" in:\n%s", want[i], out);
	assert_null(strstr(out, "frame 5 ")); /* the first two answers matched */
	/* The tty sample announces another name: the first frame differs. */
	const char *tty[] = {AMPSIM_BIN, "replay", cap_path, TTY_FW, NULL};
	assert_int_equal(itest_capture(tty, out, sizeof(out)), 1);
	if (!strstr(out, "frame 1 (firmware -> Linux, \"(name service)\")") ||
	    !strstr(out, "expected NS create \"" CHAN "\", got NS create \"rpmsg-tty\""))
		fail_msg("%s", out);
}

/* Write @p len bytes of the good capture, with @p poke (offset, value) applied if >= 0. */
static const char *bad_copy(size_t len, long poke_at, unsigned char poke)
{
	gchar *data;
	gsize size;
	assert_true(g_file_get_contents(cap_path, &data, &size, NULL));
	assert_true(len <= size);
	if (poke_at >= 0)
		data[poke_at] = (char)poke;
	const char *path = itest_scratch_path("bad.pcapng");
	assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
	g_free(data);
	return path;
}

static void replay_refuses_bad_captures(void **state)
{
	(void)state;
	gchar *data;
	gsize size;
	assert_true(g_file_get_contents(cap_path, &data, &size, NULL));
	g_free(data);
	const struct {
		long len; /* -1: a path to no file */
		long poke_at;
		unsigned char poke;
		const char *says;
	} cases[] = {
	    {(long)size - 3, -1, 0, "file ends inside a block (truncated?)"},
	    {(long)size, 0, 0x42, "no little-endian pcapng section header at byte 0"},
	    /* byte 52: the interface block's link type (section header: 44 bytes) */
	    {(long)size, 52, 0x01, "link type is not LINKTYPE_USER0 (147)"},
	    {0, -1, 0, "empty file"},
	    {-1, -1, 0, "cannot read the capture"},
	};
	char out[OUT_MAX];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = cases[i].len < 0 ? itest_scratch_path("missing.pcapng")
						    : bad_copy((size_t)cases[i].len,
							       cases[i].poke_at, cases[i].poke);
		const char *argv[] = {AMPSIM_BIN, "replay", path, ECHO_FW, NULL};
		assert_int_equal(itest_capture(argv, out, sizeof(out)), 3);
		if (!strstr(out, cases[i].says))
			fail_msg("case %zu: no \"%s\" in: %s", i, cases[i].says, out);
	}
	const char *usage[][6] = {{AMPSIM_BIN, "replay", cap_path, NULL},
				  {AMPSIM_BIN, "replay", "--timing", "slow", cap_path, ECHO_FW},
				  {AMPSIM_BIN, "replay", "--timeout", "0", cap_path, ECHO_FW}};
	for (size_t i = 0; i < 3; i++) {
		const char *argv[7] = {0};
		memcpy(argv, usage[i], sizeof(usage[i]));
		assert_int_equal(itest_capture(argv, out, sizeof(out)), 2);
		assert_non_null(strstr(out, "Try 'ampsim replay --help'"));
	}
}

/* An endpoint made through rpmsg_ctrl0 is captured under its name and replayed as one. */
static void a_ctrl_endpoint_is_captured_and_replayed(void **state)
{
	(void)state;
	char path[256], dst[16], out[OUT_MAX];
	itest_fmt(path, sizeof(path), "%s/ctrl.pcapng", itest_scratch());
	struct itest_run r = {0};
	const char *opts[] = {"--capture", path, NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg_ctrl0");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	itest_fmt(dst, sizeof(dst), "0x%x", itest_fw_addr(&r, CHAN));
	const char *chat[] = {AMPSIM_BIN, "chat",   "--ctrl", "--dst",
			      dst,	  "--name", "my-ept", itest_run_path(&r, "rpmsg_ctrl0"),
			      "via ctrl", NULL};
	if (itest_capture(chat, out, sizeof(out)) != 0)
		fail_msg("chat --ctrl: %s", out);
	itest_run_stop(&r, SIGINT);
	g_autoptr(GError) err = NULL;
	GPtrArray *recs = amp_capture_read(path, &err);
	assert_non_null(recs);
	assert_int_equal(recs->len, 3);
	for (guint i = 1; i < 3; i++) {
		const struct amp_cap_rec *m = recs->pdata[i];
		assert_string_equal(m->name, "my-ept");
		assert_memory_equal(m->payload, "via ctrl", 8);
	}
	g_ptr_array_unref(recs);
	const char *replay[] = {AMPSIM_BIN, "replay", path, ECHO_FW, NULL};
	if (itest_capture(replay, out, sizeof(out)) != 0)
		fail_msg("replay: %s", out);
	assert_non_null(strstr(out, "1 messages sent, 2 from the firmware matched"));
}

/* Each message is in the file as it passes: a run killed at once leaves them all readable. */
static void a_killed_run_leaves_a_readable_capture(void **state)
{
	(void)state;
	char path[256];
	itest_fmt(path, sizeof(path), "%s/killed.pcapng", itest_scratch());
	struct itest_run r = {0};
	const char *opts[] = {"--capture", path, NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	echo_frame(fd, msgs[0]);
	echo_frame(fd, msgs[1]);
	itest_run_stop(&r, SIGKILL);
	close(fd);
	char out[1024];
	const char *cleanup[] = {AMPSIM_BIN, "cleanup", "--run-dir", r.dir, NULL};
	assert_int_equal(itest_capture(cleanup, out, sizeof(out)), 0);
	g_autoptr(GError) err = NULL;
	GPtrArray *recs = amp_capture_read(path, &err);
	if (!recs)
		fail_msg("%s", err->message);
	assert_int_equal(recs->len, 5); /* the announcement, two messages, two echoes */
	const struct amp_cap_rec *last = recs->pdata[4];
	assert_false(last->to_fw);
	assert_int_equal(last->len, strlen(msgs[1]));
	assert_memory_equal(last->payload, msgs[1], last->len);
	g_ptr_array_unref(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(capture_holds_every_message_both_ways),
	    cmocka_unit_test(tshark_decodes_the_capture),
	    cmocka_unit_test(replay_of_the_echo_capture_passes),
	    cmocka_unit_test(replay_reports_the_first_difference),
	    cmocka_unit_test(replay_refuses_bad_captures),
	    cmocka_unit_test(a_killed_run_leaves_a_readable_capture),
	    cmocka_unit_test(a_ctrl_endpoint_is_captured_and_replayed),
	};
	return cmocka_run_group_tests(tests, make_capture, NULL);
}
