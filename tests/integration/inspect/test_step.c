/*
 * Step mode (`ampsim run --step`, `ampsim ctl RUNDIR step [N]`, docs/inspect.md): every vring
 * doorbell waits until a step releases it, and a step of N releases exactly N. Deliveries are
 * counted on both sides by counters the step code does not keep: the host's IPCC kicks to the
 * firmware (CH1, CH2) and the interrupts its RPMsg bus handled on each vring. Every wait is
 * bounded; the firmware is idle between steps, so what is held is deterministic.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"

#define MAX_STEPS 64 /* more than a boot or one message needs */

struct counts {
	long to_fw;   /* IPCC kicks the host rang on CH1 and CH2 */
	long to_host; /* interrupts the host's RPMsg bus handled on vring0 and vring1 */
};

static long after(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtol(p + strlen(key), NULL, 10) : 0;
}

static struct counts counts(const struct itest_run *r)
{
	const char *out = itest_ctl(r, "stats");
	struct counts c = {0, 0};
	c.to_fw = after(out, "IPCC CH1 Linux->firmware: kicks ") +
		  after(out, "IPCC CH2 Linux->firmware: kicks ");
	const char *v0 = strstr(out, "vring0 (firmware -> Linux)");
	const char *v1 = strstr(out, "vring1 (Linux -> firmware)");
	assert_non_null(v0);
	assert_non_null(v1);
	c.to_host = after(v0, "interrupts ") + after(v1, "interrupts ");
	return c;
}

/* "released K; held N..." from a step: N, the doorbells held now. */
static long held_in(const char *reply)
{
	const char *p = strstr(reply, "; held ");
	if (!p)
		fail_msg("not a step answer: %s", reply);
	return strtol(p + strlen("; held "), NULL, 10);
}

/* K from "released K; held ...", after one line per doorbell; checked against those lines. */
static long released_in(const char *reply)
{
	long k = -1, lines = 0;
	for (const char *p = reply; (p = strstr(p, "released ")); p++) {
		if (p[9] >= '0' && p[9] <= '9')
			k = strtol(p + 9, NULL, 10);
		else
			lines++;
	}
	assert_int_equal(k, lines);
	return k;
}

/* Wait until at least @min doorbells are held (and @what is among them, if set). */
static const char *wait_held(const struct itest_run *r, long min, const char *what)
{
	int64_t end = itest_now_ms() + ITEST_REPLY_MS;
	for (;;) {
		const char *out = itest_ctl(r, "step 0");
		if (held_in(out) >= min && (!what || strstr(out, what)))
			return out;
		if (itest_now_ms() > end)
			fail_msg("waited for %ld held doorbells%s%s: %s", min, what ? " with " : "",
				 what ? what : "", out);
		itest_msleep(2);
	}
}

/* One step: exactly one doorbell released, and exactly one delivery counted, on its side. */
static bool step_one(const struct itest_run *r, const char *want)
{
	struct counts c0 = counts(r);
	char out[4096];
	snprintf(out, sizeof(out), "%s", itest_ctl(r, "step 1"));
	assert_int_equal(released_in(out), 1);
	struct counts c1 = counts(r);
	bool to_fw = strstr(out, "released Linux->firmware") != NULL;
	assert_int_equal(c1.to_fw - c0.to_fw, to_fw ? 1 : 0);
	assert_int_equal(c1.to_host - c0.to_host, to_fw ? 0 : 1);
	return want && strstr(out, want);
}

/* Boot under --step: release doorbells one by one until the channel appears, then drain. */
static void boot_stepping(struct itest_run *r)
{
	const char *opts[] = {"--step", NULL};
	itest_run_boot(r, ECHO_FW, opts, "control");
	int steps = 0;
	while (access(itest_run_path(r, "rpmsg0"), F_OK) != 0) {
		assert_true(++steps < MAX_STEPS);
		wait_held(r, 1, NULL);
		step_one(r, NULL);
		itest_run_wait(r, "rpmsg0", 50); /* the daemon binds right after the delivery */
	}
	while (held_in(itest_ctl(r, "step 0")) > 0) {
		assert_true(++steps < MAX_STEPS);
		step_one(r, NULL);
	}
}

static void a_message_completes_only_after_its_steps(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char buf[64];
	boot_stepping(&r);
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	assert_int_equal(send(fd, "walk", 4, MSG_NOSIGNAL), 4);
	wait_held(&r, 1, "Linux->firmware CH2");
	/* Nothing moves without a step: the message waits in vring1 for its kick. */
	assert_false(step_one(&r, "firmware->Linux"));
	int steps = 1;
	for (;;) {
		wait_held(&r, 1, NULL);
		/* Held at the host: the echo cannot have reached the client yet. */
		assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), 0), -1);
		assert_true(++steps < MAX_STEPS);
		if (step_one(&r, "released firmware->Linux CH1"))
			break;
	}
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), 4);
	assert_memory_equal(buf, "walk", 4);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

static void step_n_releases_exactly_n(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char buf[64], out[4096];
	boot_stepping(&r);
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	assert_int_equal(send(fd, "one", 3, MSG_NOSIGNAL), 3);
	wait_held(&r, 1, "Linux->firmware CH2");
	step_one(&r, NULL);
	wait_held(&r, 1, "firmware->Linux CH1"); /* the echo of "one", held */
	assert_int_equal(send(fd, "two", 3, MSG_NOSIGNAL), 3);
	wait_held(&r, 2, "Linux->firmware CH2");
	/* Two held, one each way: step 2 delivers both, and a kick the first one causes (the
	 * host gives its RX buffer back) queues behind them instead of going too. */
	struct counts c0 = counts(&r);
	snprintf(out, sizeof(out), "%s", itest_ctl(&r, "step 2"));
	assert_int_equal(released_in(out), 2);
	struct counts c1 = counts(&r);
	assert_int_equal(c1.to_fw - c0.to_fw, 1);
	assert_int_equal(c1.to_host - c0.to_host, 1);
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), 3);
	assert_memory_equal(buf, "one", 3);
	/* A larger N releases what is held, no more. */
	long n = held_in(itest_ctl(&r, "step 0"));
	c0 = counts(&r);
	snprintf(out, sizeof(out), "%s", itest_ctl(&r, "step 100"));
	long released = released_in(out);
	c1 = counts(&r);
	assert_true(released >= n);
	assert_int_equal((c1.to_fw + c1.to_host) - (c0.to_fw + c0.to_host), released);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* The inspector's key 's' is a step of one; 'q' quits. */
static void inspector_key_steps_one(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char cmd[512], out[65536];
	boot_stepping(&r);
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	assert_int_equal(send(fd, "key", 3, MSG_NOSIGNAL), 3);
	wait_held(&r, 1, "Linux->firmware CH2");
	struct counts c0 = counts(&r);
	itest_fmt(cmd, sizeof(cmd), "printf sq | %s inspect --interval 50 %s", AMPSIM_BIN, r.dir);
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "released Linux->firmware CH2"));
	struct counts c1 = counts(&r);
	assert_int_equal(c1.to_fw - c0.to_fw, 1);
	assert_int_equal(c1.to_host, c0.to_host);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

static void step_needs_step_mode(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char out[1024];
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	const char *step[] = {AMPSIM_BIN, "ctl", r.dir, "step", "2", NULL};
	assert_int_equal(itest_capture(step, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "not in step mode"));
	const char *bad[] = {AMPSIM_BIN, "ctl", r.dir, "step", "two", NULL};
	assert_int_equal(itest_capture(bad, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "give a count"));
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(a_message_completes_only_after_its_steps, itest_run_teardown),
	    cmocka_unit_test_teardown(step_n_releases_exactly_n, itest_run_teardown),
	    cmocka_unit_test_teardown(inspector_key_steps_one, itest_run_teardown),
	    cmocka_unit_test_teardown(step_needs_step_mode, itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
