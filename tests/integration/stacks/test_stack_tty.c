/*
 * A real RPMsg stack's tty sample (TTY_FW) under `ampsim run`, through the daemon's ptys, as
 * a user at /dev/ttyRPMSG<n> sees it (built once per stack, CMakeLists.txt): the firmware
 * announces two "rpmsg-tty" channels, each tty echoes the lines written to it, a kill -9
 * hangs both ttys up and the restarted firmware brings new ones, a CH3 stop is completed by
 * the firmware itself, and (STACK_VALGRIND) the firmware runs clean under valgrind. Every
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "itest.h"
#include "stack_test.h"

#define UARTS 2
#define KILL_ROUNDS 10

static const char *const tty_names[UARTS] = {"ttyRPMSG0", "ttyRPMSG1"};

/* Write @p line on @p fd and read it back whole (the pty may hand it over in pieces). */
static void tty_echo(int fd, const char *line)
{
	size_t len = strlen(line), got = 0;
	char buf[256];
	assert_true(len < sizeof(buf));
	assert_int_equal(write(fd, line, len), (ssize_t)len);
	while (got < len) {
		ssize_t n = itest_read_within(fd, buf + got, sizeof(buf) - got, ITEST_REPLY_MS);
		if (n <= 0)
			fail_msg("the echo of \"%.*s\" stopped after %zu bytes", (int)len - 1, line,
				 got);
		got += (size_t)n;
	}
	assert_int_equal(got, len);
	assert_memory_equal(buf, line, len);
}

/* Both ttys open at once, lines interleaved between them: each answers on its own. */
static void echo_on_both(const struct itest_run *r, int round)
{
	int fd[UARTS];
	char line[64];
	for (int u = 0; u < UARTS; u++)
		fd[u] = itest_run_open_tty(r, tty_names[u]);
	for (int i = 0; i < 3; i++)
		for (int u = 0; u < UARTS; u++) {
			itest_fmt(line, sizeof(line), "round %d, line %d on uart%d\n", round, i, u);
			tty_echo(fd[u], line);
		}
	for (int u = 0; u < UARTS; u++)
		close(fd[u]);
}

/* The firmware went away: the tty hangs up (read 0 or EIO) instead of going quiet. */
static void expect_hangup(int fd)
{
	char buf[64];
	assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), 0);
}

static void wait_ttys(const struct itest_run *r)
{
	for (int u = 0; u < UARTS; u++)
		assert_true(itest_run_wait(r, tty_names[u], ITEST_BOOT_MS));
}

/* Two rpmsg-tty channels, each its own echo; `ctl stop` rings CH3, the firmware leaves by
 * itself, the ttys hang up; it starts again with both ttys back. */
static void both_ttys_echo_and_stop_on_ch3(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_start(&r, TTY_FW, NULL);
	wait_ttys(&r);
	assert_non_null(strstr(itest_ctl(&r, "endpoints"), "rpmsg-tty"));
	echo_on_both(&r, 1);
	int fd = itest_run_open_tty(&r, tty_names[1]);
	tty_echo(fd, "before the stop\n");
	assert_non_null(strstr(itest_ctl(&r, "stop"), "stopped"));
	expect_hangup(fd);
	close(fd);
	assert_true(stats_show(&r, "stops 1 (killed 0)"));
	assert_non_null(strstr(itest_ctl(&r, "start"), "started"));
	wait_ttys(&r);
	echo_on_both(&r, 2);
	itest_run_stop(&r, SIGINT);
}

/* kill -9 while a client holds the tty: it hangs up, and the restarted firmware announces
 * both ttys again (each boot must bring the link up from the host's start-up kick). */
static void recovers_from_kill_9(void **state)
{
	(void)state;
	struct itest_run r = {0};
	const char *opts[] = {"--no-restart-backoff", NULL};
	itest_run_start(&r, TTY_FW, opts);
	wait_ttys(&r);
	for (int round = 1; round <= KILL_ROUNDS; round++) {
		int fd = itest_run_open_tty(&r, tty_names[round % UARTS]);
		tty_echo(fd, "still there?\n");
		int pid = itest_fw_kill(&r);
		expect_hangup(fd);
		close(fd);
		/* a new pid: the crash was handled, the old ttys' links are gone */
		assert_true(itest_fw_wait_restart(&r, pid, ITEST_BOOT_MS));
		wait_ttys(&r);
	}
	echo_on_both(&r, KILL_ROUNDS + 1);
	char want[32];
	itest_fmt(want, sizeof(want), "crashes: %d\n", KILL_ROUNDS);
	assert_non_null(strstr(itest_ctl(&r, "status"), want));
	itest_run_stop(&r, SIGINT);
}

#ifdef STACK_VALGRIND
/* Under valgrind (--wrap): lines on both ttys, then a CH3 stop; valgrind's log must stay
 * empty (errors and every kind of leak, the stack's included). */
static void clean_under_valgrind(void **state)
{
	(void)state;
	struct itest_run r = {0};
	run_start_under_valgrind(&r, TTY_FW);
	wait_ttys(&r);
	int pid = itest_fw_pid(&r);
	echo_on_both(&r, 1);
	stop_clean_under_valgrind(&r, pid);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(both_ttys_echo_and_stop_on_ch3, itest_run_teardown),
	    cmocka_unit_test_teardown(recovers_from_kill_9, itest_run_teardown),
#ifdef STACK_VALGRIND
	    cmocka_unit_test_teardown(clean_under_valgrind, itest_run_teardown),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
