/*
 * Client commands find the default run directory as `ampsim ctl` does (issue 16): a bare
 * endpoint name (`ampsim chat rpmsg0`, `ampsim sdb rpmsg-sdb`) is that entry of
 * $XDG_RUNTIME_DIR/ampsim; a name with a '/' is a path as given. What the daemon knows
 * reaches chat: a message it rejected as too long is reported as such, not as "no answer",
 * and a hang-up names the second-client rule. And `ampsim run --help` names every binding
 * a channel can get, the rpmsg-sdb one included; `ampsim sdb` says why it found no room.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "itest.h"

/* A run in <scratch>/xdg/ampsim, the default run directory for XDG_RUNTIME_DIR=<scratch>/xdg. */
static const char *start_in_default_dir(struct itest_run *r)
{
	static char xdg[160];
	itest_fmt(xdg, sizeof(xdg), "%s", itest_scratch_path("xdg"));
	assert_int_equal(mkdir(xdg, 0700), 0);
	itest_fmt(r->dir, sizeof(r->dir), "%s/ampsim", xdg);
	r->keep_dir = true; /* `ampsim run` creates it, mode 0700 */
	itest_run_boot(r, ECHO_FW, NULL, "rpmsg0");
	return xdg;
}

static void chat_finds_a_bare_endpoint_in_the_default_run_dir(void **state)
{
	(void)state;
	struct itest_run r = {0};
	const char *xdg = start_in_default_dir(&r);
	char cmd[512], out[1024];
	itest_fmt(cmd, sizeof(cmd), "XDG_RUNTIME_DIR=%s %s chat rpmsg0 bare-name 2>&1", xdg,
		  AMPSIM_BIN);
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "bare-name"));

	/* With --ctrl, rpmsg_ctrl0 is resolved the same way. */
	assert_true(itest_run_wait(&r, "rpmsg_ctrl0", ITEST_BOOT_MS));
	itest_fmt(cmd, sizeof(cmd),
		  "XDG_RUNTIME_DIR=%s %s chat --ctrl --dst 0x%x rpmsg_ctrl0 ctl 2>&1", xdg,
		  AMPSIM_BIN, (unsigned)itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	int rc = itest_shell(cmd, out, sizeof(out));
	if (rc != 0)
		fail_msg("%s: %d: %s", cmd, rc, out);
	assert_non_null(strstr(out, "ctl"));

	/* A name with a '/' is a path: ./rpmsg0 is not the run's socket. */
	itest_fmt(cmd, sizeof(cmd), "XDG_RUNTIME_DIR=%s %s chat ./rpmsg0 x 2>&1", xdg, AMPSIM_BIN);
	assert_int_not_equal(itest_shell(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "./rpmsg0"));
	itest_run_stop(&r, SIGINT);
}

static void chat_says_why_the_daemon_refused(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	static char cmd[2048], out[4096];
	char big[498];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0'; /* 497 bytes: one more than the 496-byte MTU */
	itest_fmt(cmd, sizeof(cmd), "%s chat %s ok %s 2>&1", AMPSIM_BIN,
		  itest_run_path(&r, "rpmsg0"), big);
	assert_int_not_equal(itest_shell(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "<- \"ok\"")); /* the first one went through */
	if (!strstr(out, "not sent: longer than this channel's MTU (496 bytes)"))
		fail_msg("chat did not say why: %s", out);

	/* A second client is refused: the hang-up names that rule. */
	int first = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	itest_fmt(cmd, sizeof(cmd), "%s chat %s second 2>&1", AMPSIM_BIN,
		  itest_run_path(&r, "rpmsg0"));
	assert_int_not_equal(itest_shell(cmd, out, sizeof(out)), 0);
	if (!strstr(out, "another client has the channel open"))
		fail_msg("chat did not name the one-client rule: %s", out);
	/* ctl counts it, with labels that say what the numbers are. */
	const char *ep = itest_ctl(&r, "endpoints");
	if (!strstr(ep, "clients accepted 2 (since the start), refused as busy 1"))
		fail_msg("ctl endpoints: %s", ep);
	close(first);
	itest_run_stop(&r, SIGINT);
}

/* No room for an sdb request: the client says both causes and when to retry. */
static void sdb_says_why_there_is_no_room(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, SDB_FW, NULL, "rpmsg-sdb");
	static char cmd[1024], out[4096];
	/* 16 x 512 MiB: more than any 32-bit device address space holds */
	itest_fmt(cmd, sizeof(cmd), "%s sdb -n 16 -s 512M -r 1 %s 2>&1", AMPSIM_BIN,
		  itest_run_path(&r, "rpmsg-sdb"));
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 1);
	if (!strstr(out, "ask for fewer or smaller") || !strstr(out, "retry in 2 s"))
		fail_msg("ampsim sdb did not say why: %s", out);
	itest_run_stop(&r, SIGINT);
}

static void a_missing_default_endpoint_names_the_path_it_tried(void **state)
{
	(void)state;
	char cmd[512], out[1024];
	const char *xdg = itest_scratch_path("empty-xdg");
	itest_fmt(cmd, sizeof(cmd), "XDG_RUNTIME_DIR=%s %s chat rpmsg0 x 2>&1", xdg, AMPSIM_BIN);
	assert_int_not_equal(itest_shell(cmd, out, sizeof(out)), 0);
	char want[256];
	itest_fmt(want, sizeof(want), "%s/ampsim/rpmsg0", xdg);
	assert_non_null(strstr(out, want));
	itest_fmt(cmd, sizeof(cmd), "XDG_RUNTIME_DIR=%s %s sdb rpmsg-sdb 2>&1", xdg, AMPSIM_BIN);
	assert_int_not_equal(itest_shell(cmd, out, sizeof(out)), 0);
	itest_fmt(want, sizeof(want), "%s/ampsim/rpmsg-sdb", xdg);
	assert_non_null(strstr(out, want));
}

static void run_help_names_every_binding(void **state)
{
	(void)state;
	static char out[16384];
	char cmd[512];
	itest_fmt(cmd, sizeof(cmd), "%s run --help", AMPSIM_BIN);
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 0);
	const char *want[] = {"\"rpmsg-tty\"",
			      "RUNDIR/ttyRPMSG<n>",
			      "\"rpmsg-sdb-channel\"",
			      "RUNDIR/rpmsg-sdb",
			      "RUNDIR/rpmsg<n>",
			      "RUNDIR/rpmsg_ctrl0",
			      "'ampsim chat rpmsg0 hello'"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(out, want[i]))
			fail_msg("'ampsim run --help' does not mention %s", want[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(chat_finds_a_bare_endpoint_in_the_default_run_dir,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(chat_says_why_the_daemon_refused, itest_run_teardown),
	    cmocka_unit_test_teardown(sdb_says_why_there_is_no_room, itest_run_teardown),
	    cmocka_unit_test(a_missing_default_endpoint_names_the_path_it_tried),
	    cmocka_unit_test(run_help_names_every_binding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
