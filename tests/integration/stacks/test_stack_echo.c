/*
 * A real RPMsg stack on its ampsim port under `ampsim run`, end to end (built once per stack,
 * tests/integration/stacks/CMakeLists.txt): the stack's echo sample (ECHO_FW) boots, binds
 * through the name service at the address the stack chose (FW_EPT_ADDR), echoes every size
 * byte-exact, comes back after kill -9, stops on CH3 by itself, and runs clean under
 * valgrind. The stacks' tty samples have their own program, test_stack_tty.c. Every wait is
 * bounded.
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

#define MTU 496
#define KILL_ROUNDS 20
#define SERVICE "rpmsg-openamp-demo-channel"

static void echo_one(int fd, size_t len)
{
	uint8_t out[MTU], in[MTU + 1];
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(len * 31 + i);
	assert_int_equal(write(fd, out, len), (ssize_t)len);
	assert_int_equal(itest_read_within(fd, in, sizeof(in), ITEST_REPLY_MS), (ssize_t)len);
	assert_memory_equal(in, out, len);
}

static void echo_all_sizes(const struct itest_run *r)
{
	int fd = itest_connect_seqpacket(itest_run_path(r, "rpmsg0"));
	for (size_t len = 1; len <= MTU; len++)
		echo_one(fd, len);
	close(fd);
}

static void boots_binds_by_name_and_echoes_every_size(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	assert_int_equal(itest_fw_addr(&r, SERVICE), FW_EPT_ADDR);
	echo_all_sizes(&r);
	itest_run_stop(&r, SIGINT);
}

/* Whether NUL-separated @p env (@p len bytes) holds the entry @p want ("NAME=" for a prefix). */
static bool env_has(const char *env, size_t len, const char *want)
{
	for (size_t i = 0; i < len; i += strlen(env + i) + 1)
		if (strncmp(env + i, want, strlen(want)) == 0)
			return true;
	return false;
}

/* docs/firmware-abi.md, "Environment": the daemon's environment, plus ampsim's variables;
 * AMPSIM_FAULTS only from the host's own plan. And "The shared counter block": `ctl stats`
 * counts firmware->Linux interrupts on the host's side, whatever the firmware keeps. */
static void environment_is_the_daemons_plus_ampsims(void **state)
{
	(void)state;
	struct itest_run r = {0};
	setenv("AMPSIM_STACKS_MARK", "passed-through", 1);
	setenv("AMPSIM_FAULTS", "bogus", 1);
	itest_run_start(&r, ECHO_FW, NULL);
	unsetenv("AMPSIM_STACKS_MARK");
	unsetenv("AMPSIM_FAULTS");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	char path[64], env[16384];
	snprintf(path, sizeof(path), "/proc/%d/environ", itest_fw_pid(&r));
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t len = fread(env, 1, sizeof(env), f);
	fclose(f);
	assert_true(len > 0 && len < sizeof(env));
	assert_true(env_has(env, len, "AMPSIM_STACKS_MARK=passed-through"));
	assert_true(env_has(env, len, "AMPSIM_ABI=1"));
	assert_true(env_has(env, len, "AMPSIM_SHM=/ampsim-"));
	assert_true(env_has(env, len, "AMPSIM_IRQ_FDS="));
	assert_false(env_has(env, len, "AMPSIM_FAULTS="));
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_one(fd, 7);
	close(fd);
	assert_non_null(strstr(itest_ctl(&r, "stats"), "IPCC CH1 firmware->Linux: IRQs handled"));
	itest_run_stop(&r, SIGINT);
}

/* The host's kick on CH1 at start-up may come before the stack enables its interrupt: the
 * link must come up anyway, every time (20 boots). */
static void recovers_from_kill_9(void **state)
{
	(void)state;
	struct itest_run r = {0};
	const char *opts[] = {"--no-restart-backoff", NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	for (int round = 1; round <= KILL_ROUNDS; round++) {
		int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
		echo_one(fd, (size_t)round * 24);
		int pid = itest_fw_kill(&r);
		char buf[16];
		assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), 0);
		close(fd);
		assert_true(itest_fw_wait_restart(&r, pid, ITEST_BOOT_MS));
		assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	}
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_one(fd, MTU);
	close(fd);
	char want[32];
	snprintf(want, sizeof(want), "crashes: %d\n", KILL_ROUNDS);
	assert_non_null(strstr(itest_ctl(&r, "status"), want));
	itest_run_stop(&r, SIGINT);
}

/* `ctl stop` rings CH3; the firmware leaves its loop and exits within the grace period. */
static void stops_by_itself_on_ch3(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_one(fd, 5);
	assert_non_null(strstr(itest_ctl(&r, "stop"), "stopped"));
	char buf[16];
	assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), 0);
	close(fd);
	assert_true(stats_show(&r, "stops 1 (killed 0)"));
	/* and it starts again */
	assert_non_null(strstr(itest_ctl(&r, "start"), "started"));
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_one(fd, MTU);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

#ifdef STACK_VALGRIND
/* Under valgrind (--wrap): every size, then a CH3 stop; valgrind's log must stay empty
 * (errors and every kind of leak, the stack's included). */
static void clean_under_valgrind(void **state)
{
	(void)state;
	struct itest_run r = {0};
	run_start_under_valgrind(&r, ECHO_FW);
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	int pid = itest_fw_pid(&r);
	echo_all_sizes(&r);
	stop_clean_under_valgrind(&r, pid);
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(boots_binds_by_name_and_echoes_every_size,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(environment_is_the_daemons_plus_ampsims, itest_run_teardown),
	    cmocka_unit_test_teardown(recovers_from_kill_9, itest_run_teardown),
	    cmocka_unit_test_teardown(stops_by_itself_on_ch3, itest_run_teardown),
#ifdef STACK_VALGRIND
	    cmocka_unit_test_teardown(clean_under_valgrind, itest_run_teardown),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
