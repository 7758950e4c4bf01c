/*
 * `ampsim inspect` end to end (docs/inspect.md): its --once --json snapshot states what must
 * be true of the rings after K echoes at rest; it survives a scribbled shared object (random
 * bytes in the rings, buffers, resource table and header, and a shrunk object) with exit 0
 * and every bad field marked invalid; and it reads a killed run (post-mortem) until the
 * object is removed, then says so.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ampsim/soc.h>

#include "itest.h"

#define K 5 /* messages echoed before the snapshot */
#define OUT_MAX (1 << 20)

static char *out_buf(void)
{
	static char *buf;
	if (!buf)
		buf = calloc(1, OUT_MAX);
	return buf;
}

/* `ampsim inspect ARGS RUNDIR`: its exit status; the output in out_buf(). */
static int inspect(const struct itest_run *r, const char *a1, const char *a2)
{
	const char *argv[] = {AMPSIM_BIN,	"inspect",	    a1,
			      a2 ? a2 : r->dir, a2 ? r->dir : NULL, NULL};
	return itest_capture(argv, out_buf(), OUT_MAX);
}

static JsonObject *parse(JsonParser *p)
{
	GError *err = NULL;
	if (!json_parser_load_from_data(p, out_buf(), -1, &err))
		fail_msg("not JSON (%s):\n%.2000s", err->message, out_buf());
	return json_node_get_object(json_parser_get_root(p));
}

static JsonObject *vring(JsonObject *root, guint i)
{
	return json_array_get_object_element(json_object_get_array_member(root, "vrings"), i);
}

static gint64 num_of(JsonObject *o, const char *k)
{
	if (!json_object_has_member(o, k))
		fail_msg("no member %s", k);
	return json_object_get_int_member(o, k);
}

/* How many descriptors of @v have @owner. */
static int owned(JsonObject *v, const char *owner)
{
	JsonArray *d = json_object_get_array_member(v, "descriptors");
	int n = 0;
	for (guint i = 0; i < json_array_get_length(d); i++)
		n += !strcmp(
		    json_object_get_string_member(json_array_get_object_element(d, i), "owner"),
		    owner);
	return n;
}

static JsonObject *vring(JsonObject *root, guint i);
static gint64 num_of(JsonObject *o, const char *k);
static int inspect(const struct itest_run *r, const char *a1, const char *a2);
static JsonObject *parse(JsonParser *p);

/*
 * At rest: the firmware sends its echo before it returns the message's buffer, so the client
 * can have the last echo a moment before vring1's used index catches up. Wait for it.
 */
static void settle(const struct itest_run *r, int n)
{
	int64_t end = itest_now_ms() + ITEST_REPLY_MS;
	for (;;) {
		assert_int_equal(inspect(r, "--json", NULL), 0);
		g_autoptr(JsonParser) p = json_parser_new();
		if (num_of(vring(parse(p), 1), "used_idx") == n)
			return;
		assert_true(itest_now_ms() < end);
		itest_msleep(2);
	}
}

/* Boot the echo sample and echo @n messages "msg-<i>" on rpmsg0, then let the rings settle. */
static void boot_and_echo(struct itest_run *r, int n)
{
	char msg[16], buf[64];
	itest_run_boot(r, ECHO_FW, NULL, "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(r, "rpmsg0"));
	for (int i = 0; i < n; i++) {
		int len = snprintf(msg, sizeof(msg), "msg-%d", i);
		assert_int_equal(send(fd, msg, (size_t)len, MSG_NOSIGNAL), len);
		assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), len);
	}
	close(fd);
	settle(r, n);
}

/* The last messages of @v end with "msg-0".."msg-<n-1>", in order. */
static void last_messages_are_ours(JsonObject *v, int n)
{
	JsonArray *m = json_object_get_array_member(v, "messages");
	guint len = json_array_get_length(m);
	assert_true(len >= (guint)n);
	for (int i = 0; i < n; i++) {
		JsonObject *e = json_array_get_object_element(m, len - (guint)n + (guint)i);
		char want[16];
		snprintf(want, sizeof(want), "msg-%d", i);
		assert_true(json_object_get_boolean_member(e, "valid"));
		assert_string_equal(json_object_get_string_member(e, "preview"), want);
	}
}

static int open_object(const struct itest_run *r, int flags);

/* Write the firmware's read position of vring0 into the header. At rest the echo firmware
 * runs no core operation, so nothing rewrites it until the next message. */
static void set_fw_read(const struct itest_run *r, uint32_t word)
{
	int fd = open_object(r, O_RDWR);
	assert_int_equal(pwrite(fd, &word, sizeof(word), offsetof(struct amp_soc_hdr, fw_taken)),
			 (ssize_t)sizeof(word));
	close(fd);
}

/*
 * The firmware's read position splits what it has: read (held) vs only posted; a position
 * outside [used idx, avail idx], or a word with stray bits, is ignored and said so.
 */
static void read_position_is_checked(const struct itest_run *r, gint64 used, gint64 num)
{
	set_fw_read(r, AMP_SOC_FW_TAKEN_SET | (uint32_t)(used + 3)); /* it read 3 more */
	assert_int_equal(inspect(r, "--json", NULL), 0);
	{
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *v0 = vring(parse(p), 0);
		assert_int_equal(num_of(v0, "fw_read_idx"), used + 3);
		assert_int_equal(owned(v0, "firmware"), 3);
		assert_int_equal(owned(v0, "posted"), num - 3);
	}
	const uint32_t bad[] = {AMP_SOC_FW_TAKEN_SET | (uint32_t)(used - 1),
				AMP_SOC_FW_TAKEN_SET | (uint32_t)(used + num + 1), 0xFFFFFFFFu};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set_fw_read(r, bad[i]);
		assert_int_equal(inspect(r, "--json", NULL), 0);
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *v0 = vring(parse(p), 0);
		assert_true(json_object_get_null_member(v0, "fw_read_idx"));
		assert_int_equal(owned(v0, "posted"), 0);
		assert_int_equal(owned(v0, "firmware"), num);
	}
	assert_int_equal(inspect(r, "--once", NULL), 0);
	assert_non_null(strstr(out_buf(), "firmware: read avail up to 0xffffffff  INVALID"));
}

static void snapshot_at_rest_matches_the_rings(void **state)
{
	(void)state;
	struct itest_run r = {0};
	boot_and_echo(&r, K);
	assert_int_equal(inspect(&r, "--json", NULL), 0);
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *root = parse(p);
	assert_non_null(strstr(json_object_get_string_member(root, "note"), "live run"));
	assert_true(json_object_get_boolean_member(root, "header_valid"));
	/* vring0: the announcement and K echoes came back and were reaped; every RX buffer is
	 * posted again, and the firmware has read none of them yet (its port says how far it
	 * read: up to the used index). */
	JsonObject *v0 = vring(root, 0);
	gint64 num = num_of(v0, "num");
	assert_string_equal(json_object_get_string_member(v0, "owners_from"), "host");
	assert_int_equal(num_of(v0, "used_idx"), K + 1);
	assert_int_equal(num_of(v0, "avail_idx"), num + K + 1);
	assert_int_equal(num_of(v0, "host_reaped_idx"), K + 1);
	assert_int_equal(owned(v0, "posted"), num);
	assert_int_equal(owned(v0, "firmware"), 0);
	assert_int_equal(num_of(v0, "fw_read_idx"), K + 1);
	last_messages_are_ours(v0, K);
	/* vring1: K sends, all returned; the host takes TX buffers back lazily, so those it has
	 * not reaped yet are "returned", the rest are free. */
	JsonObject *v1 = vring(root, 1);
	assert_int_equal(num_of(v1, "avail_idx"), K);
	assert_int_equal(num_of(v1, "used_idx"), K);
	assert_int_equal(num_of(v1, "host_avail_idx"), K);
	gint64 unreaped = K - num_of(v1, "host_reaped_idx");
	assert_int_equal(owned(v1, "returned"), unreaped);
	assert_int_equal(owned(v1, "firmware"), 0);
	assert_int_equal(owned(v1, "posted"), 0);
	assert_int_equal(num_of(v1, "fw_read_idx"), K);
	assert_int_equal(owned(v1, "host-free"), num - unreaped);
	last_messages_are_ours(v1, K);
	/* At rest both sides acknowledged every doorbell. */
	JsonArray *ch =
	    json_object_get_array_member(json_object_get_object_member(root, "ipcc"), "channels");
	for (guint i = 0; i < 2; i++) {
		JsonObject *c = json_array_get_object_element(ch, i);
		assert_false(json_object_get_boolean_member(c, "linux_to_fw_flag"));
		assert_false(json_object_get_boolean_member(c, "fw_to_linux_flag"));
	}
	/* Per endpoint: the announcement to the name service, then the channel's K each way. */
	JsonArray *ep = json_object_get_array_member(root, "endpoints");
	assert_int_equal(json_array_get_length(ep), 2);
	assert_int_equal(num_of(json_array_get_object_element(ep, 0), "host_addr"), 53);
	JsonObject *chan = json_array_get_object_element(ep, 1);
	assert_int_equal(num_of(chan, "fw_addr"), itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	for (int dir = 0; dir < 2; dir++) {
		JsonArray *m = json_object_get_array_member(chan, dir ? "sent" : "received");
		assert_int_equal(json_array_get_length(m), K);
		assert_string_equal(json_array_get_string_element(m, K - 1), "msg-4");
	}
	/* The host's own counters come along (the first line is remoteproc's). */
	JsonArray *ctr = json_object_get_array_member(root, "counters");
	assert_true(json_array_get_length(ctr) > 3);
	assert_non_null(strstr(json_array_get_string_element(ctr, 0), "remoteproc: running"));
	/* The text form says the same. */
	assert_int_equal(inspect(&r, "--once", NULL), 0);
	char want[64];
	snprintf(want, sizeof(want), "avail idx %d flags", K);
	assert_non_null(strstr(out_buf(), want));
	read_position_is_checked(&r, K + 1, num);
	itest_run_stop(&r, SIGINT);
}

/* ---- a scribbled object ------------------------------------------------------------------- */

static uint32_t rnd_state = 20261129u;

static uint8_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return (uint8_t)rnd_state;
}

/* The run's object, or -1 when it is gone (only a killed run's can go: see below). */
static int try_open_object(const struct itest_run *r, int flags)
{
	char target[256];
	ssize_t n = readlink(itest_run_path(r, "shm"), target, sizeof(target) - 1);
	assert_true(n > (ssize_t)strlen("/dev/shm/"));
	target[n] = '\0';
	return shm_open(target + strlen("/dev/shm"), flags, 0);
}

static int open_object(const struct itest_run *r, int flags)
{
	int fd = try_open_object(r, flags);
	assert_true(fd >= 0);
	return fd;
}

static void scribble(int fd, uint64_t off, uint64_t len)
{
	uint8_t buf[4096];
	for (uint64_t done = 0; done < len; done += sizeof(buf)) {
		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = rnd();
		size_t n = (size_t)(len - done < sizeof(buf) ? len - done : sizeof(buf));
		assert_int_equal(pwrite(fd, buf, n, (off_t)(off + done)), (ssize_t)n);
	}
}

static const struct amp_soc_region_desc *region(const struct amp_soc_hdr *h, const char *name)
{
	for (uint32_t i = 0; i < h->nregions && i < AMP_SOC_MAX_REGIONS; i++)
		if (!strcmp(h->regions[i].name, name))
			return &h->regions[i];
	fail_msg("no region %s", name);
	return NULL;
}

/* Every descriptor marked valid lies inside a listed region; count those marked invalid. */
static int check_marks(JsonObject *root, JsonObject *v)
{
	JsonArray *regs = json_object_get_array_member(root, "regions");
	JsonArray *d = json_object_get_array_member(v, "descriptors");
	JsonArray *u = json_object_get_array_member(v, "used_ring");
	int bad = 0;
	for (guint i = 0; i < json_array_get_length(d); i++) {
		JsonObject *e = json_array_get_object_element(d, i);
		if (!json_object_get_boolean_member(e, "valid")) {
			bad++;
			continue;
		}
		guint64 a = (guint64)num_of(e, "addr"), l = (guint64)num_of(e, "len");
		bool inside = false;
		for (guint k = 0; k < json_array_get_length(regs); k++) {
			JsonObject *g = json_array_get_object_element(regs, k);
			guint64 da = (guint64)num_of(g, "da"), sz = (guint64)num_of(g, "size");
			inside |= a >= da && a - da <= sz && l <= sz - (a - da);
		}
		assert_true(inside);
	}
	for (guint i = 0; i < json_array_get_length(u); i++)
		bad +=
		    !json_object_get_boolean_member(json_array_get_object_element(u, i), "valid");
	return bad;
}

static void survives_a_scribbled_object(void **state)
{
	(void)state;
	struct itest_run r = {0};
	struct amp_soc_hdr h;
	boot_and_echo(&r, 2);
	int fd = open_object(&r, O_RDWR);
	assert_int_equal(pread(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	const char *names[] = {"vdev0vring0", "vdev0vring1", "vdev0buffer"};
	for (int i = 0; i < 3; i++)
		scribble(fd, region(&h, names[i])->offset, region(&h, names[i])->size);
	assert_int_equal(inspect(&r, "--json", NULL), 0);
	{
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *root = parse(p);
		assert_true(json_object_get_boolean_member(root, "vdev_valid"));
		int bad = 0;
		for (guint i = 0; i < 2; i++) {
			JsonObject *v = vring(root, i);
			if (json_object_get_boolean_member(v, "valid"))
				bad += check_marks(root, v);
			else
				assert_non_null(json_object_get_string_member(v, "error"));
		}
		assert_true(bad > 0);
	}
	assert_int_equal(inspect(&r, "--once", NULL), 0);
	assert_non_null(strstr(out_buf(), "INVALID"));
	/* The loaded resource table: the vrings' places are gone with it. */
	const struct amp_soc_region_desc *ram = region(&h, "mcusram");
	scribble(fd, ram->offset + (h.rsc_da - ram->da), h.rsc_size);
	assert_int_equal(inspect(&r, "--json", NULL), 0);
	{
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *root = parse(p);
		assert_false(json_object_get_boolean_member(root, "vdev_valid"));
		assert_non_null(json_object_get_string_member(root, "vdev_error"));
	}
	/* A terminal escape in the SoC name never reaches the terminal. */
	static const char esc[] = "\033[2J\033]0;owned\007";
	assert_int_equal(pwrite(fd, esc, sizeof(esc), offsetof(struct amp_soc_hdr, soc_name)),
			 (ssize_t)sizeof(esc));
	assert_int_equal(inspect(&r, "--once", NULL), 0);
	assert_null(strchr(out_buf(), '\033'));
	assert_null(strchr(out_buf(), '\007'));
	/* The header page. */
	scribble(fd, 0, 64);
	assert_int_equal(inspect(&r, "--json", NULL), 0);
	{
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *root = parse(p);
		assert_false(json_object_get_boolean_member(root, "header_valid"));
		assert_non_null(json_object_get_string_member(root, "header_error"));
	}
	close(fd);
	itest_run_stop(&r, SIGKILL); /* its firmware's memory is garbage now */
}

/* ---- post-mortem -------------------------------------------------------------------------- */

static bool killed_run_is_readable(struct itest_run *r)
{
	boot_and_echo(r, 3);
	itest_run_stop(r, SIGKILL);
	int rc = inspect(r, "--json", NULL);
	if (rc == 1 && strstr(out_buf(), "is gone"))
		return false;
	assert_int_equal(rc, 0);
	{
		g_autoptr(JsonParser) p = json_parser_new();
		JsonObject *root = parse(p);
		assert_non_null(strstr(json_object_get_string_member(root, "note"), "post-mortem"));
		JsonObject *v0 = vring(root, 0), *v1 = vring(root, 1);
		assert_string_equal(json_object_get_string_member(v1, "owners_from"), "rings");
		/* No host: only the register file's counters, which the firmware could write. */
		assert_int_equal(
		    json_array_get_length(json_object_get_array_member(root, "counters")), 0);
		assert_true(json_array_get_length(
				json_object_get_array_member(root, "ipcc_register_counters")) > 0);
		assert_int_equal(num_of(v1, "avail_idx"), 3);
		assert_int_equal(num_of(v1, "used_idx"), 3);
		assert_int_equal(owned(v1, "host-free"), num_of(v1, "num"));
		assert_int_equal(num_of(v0, "used_idx"), 4);
		assert_int_equal(owned(v0, "posted"), num_of(v0, "avail_idx") - 4);
		assert_int_equal(num_of(v0, "fw_read_idx"), 4);
		last_messages_are_ours(v0, 3);
		last_messages_are_ours(v1, 3);
	}
	/* A shrunk object (a mapping would fault): read what is there, mark the rest. */
	int fd = try_open_object(r, O_RDWR);
	if (fd < 0)
		return false;
	assert_int_equal(ftruncate(fd, 8192), 0);
	close(fd);
	rc = inspect(r, "--json", NULL);
	if (rc == 1 && strstr(out_buf(), "is gone"))
		return false;
	assert_int_equal(rc, 0);
	g_autoptr(JsonParser) p = json_parser_new();
	assert_false(json_object_get_boolean_member(parse(p), "header_valid"));
	return true;
}

static void post_mortem_on_a_killed_run(void **state)
{
	(void)state;
	struct itest_run r = {0};
	int tries = 0;
	while (!killed_run_is_readable(&r)) {
		assert_true(++tries < 5);
		r = (struct itest_run){0};
	}
	/* Removed (by us, or by a run starting elsewhere): said plainly. */
	char target[256];
	ssize_t n = readlink(itest_run_path(&r, "shm"), target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	shm_unlink(target + strlen("/dev/shm"));
	assert_int_equal(inspect(&r, "--once", NULL), 1);
	assert_non_null(strstr(out_buf(), "is gone"));
	/* Cleaned up: nothing recorded any more. */
	const char *clean[] = {AMPSIM_BIN, "cleanup", "--run-dir", r.dir, NULL};
	char out[1024];
	assert_int_equal(itest_capture(clean, out, sizeof(out)), 0);
	assert_int_equal(inspect(&r, "--once", NULL), 1);
	assert_non_null(strstr(out_buf(), "no record of a shared object"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(snapshot_at_rest_matches_the_rings, itest_run_teardown),
	    cmocka_unit_test_teardown(survives_a_scribbled_object, itest_run_teardown),
	    cmocka_unit_test_teardown(post_mortem_on_a_killed_run, itest_run_teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	free(out_buf());
	return rc;
}
