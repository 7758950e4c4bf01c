/*
 * Recovery that always recovers (issue 12, bugs 1, 2 and 5), with real firmware processes
 * through libampsim on a private GMainContext:
 *  - a firmware that scribbles on the SoC header or the host's IPCC registers and crashes is
 *    followed by a recovered firmware that attaches and echoes (the host rewrites what it
 *    owns from its private copies);
 *  - a firmware that always crashes is restarted with a growing delay, not in a tight loop;
 *  - the processes a firmware forks die with it: at a crash, a stop and the host's end;
 *  - each firmware instance gets fresh IPCC eventfds, so a survivor holding the old ones
 *    cannot ring the new instance;
 *  - a vring the firmware broke is a crash with a precise reason, and recovery follows.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <ampsim/error.h>
#include <ampsim/host.h>

#include "host_events.h"
#include "itest_glib.h"

#define MARK "rec-mark"
#define PIDFILE "rec-pids"

static struct amp_host *rec_up(struct host_events *c, const char *mode, const char *arg)
{
	char *args[] = {(char *)mode, (char *)arg, NULL};
	return host_events_started(c, REC_FW, args, false, 0);
}

static bool got_bytes(const void *arg)
{
	const struct host_events *c = arg;
	return c->rx_bytes >= 5;
}

/* One message and its echo: the channel works. */
static void echo_once(struct host_events *c)
{
	assert_non_null(c->ch);
	c->rx_bytes = 0;
	assert_int_equal(amp_host_send(c->ch, "hello", 5), 0);
	assert_true(itest_loop_until(loop_ctx, got_bytes, c, ITEST_REPLY_MS));
	assert_string_equal(c->last, "hello");
}

/* ---- bug 1: recovery rewrites what the host owns ------------------------------------------ */

static void scribble_then_recover(const char *mode)
{
	struct host_events c;
	struct amp_host *h = rec_up(&c, mode, MARK);
	/* The first instance scribbles and crashes; the second must come up and echo. */
	assert_true(loop_until(&c.channels, 1, ITEST_BOOT_MS));
	echo_once(&c);
	const struct amp_rproc_stats *s = amp_rproc_stats(amp_host_rproc(h));
	assert_int_equal(s->crashes, 1);
	assert_int_equal(s->recoveries, 1);
	assert_string_equal(amp_rproc_crash_reason(amp_host_rproc(h)), "exited with status 3");
	amp_host_free(h);
	unlink(MARK);
}

static void header_scribble_recovers(void **state)
{
	(void)state;
	scribble_then_recover("header");
}

static void ipcc_scribble_recovers(void **state)
{
	(void)state;
	scribble_then_recover("ipcc");
}

/* A firmware that dies at once is restarted with a growing delay: a few restarts per
 * second, not hundreds; the status shows the delay and the reason. */
static void crash_loop_backs_off(void **state)
{
	struct host_events c;
	(void)state;
	struct amp_host *h = rec_up(&c, "crash", NULL);
	struct amp_rproc *rp = amp_host_rproc(h);
	itest_loop_for(loop_ctx, 1000);
	/* 0, 100, 200, 400 ms: at most 5 crashes in a second; generous bound for a busy box. */
	assert_true(c.crashed >= 2);
	assert_true(c.crashed <= 20);
	const struct amp_rproc_stats *s = amp_rproc_stats(rp);
	assert_int_equal(s->crashes, c.crashed);
	assert_true(s->backoff_ms >= AMP_RPROC_BACKOFF_FIRST_MS);
	assert_true(s->backoff_ms <= AMP_RPROC_BACKOFF_MAX_MS);
	assert_string_equal(amp_rproc_crash_reason(rp), "exited with status 3");
	/* A stop cancels the pending restart. */
	amp_host_stop(h);
	unsigned crashes = c.crashed;
	itest_loop_for(loop_ctx, 300);
	assert_int_equal(c.crashed, crashes);
	assert_int_equal(amp_rproc_state(rp), AMP_RPROC_OFFLINE);
	amp_host_free(h);
}

/* ---- bug 2: the firmware's children die with it ------------------------------------------ */

static void read_pids(pid_t pids[2])
{
	char buf[64];
	int a = 0, b = 0;
	itest_read_file(PIDFILE, buf, sizeof(buf));
	assert_int_equal(sscanf(buf, "%d %d", &a, &b), 2);
	pids[0] = a;
	pids[1] = b;
}

static bool both_dead(const void *arg)
{
	const pid_t *p = arg;
	return itest_pid_dead(p[0]) && itest_pid_dead(p[1]);
}

static void assert_dead(pid_t pids[2])
{
	bool ok = itest_loop_until(loop_ctx, both_dead, pids, ITEST_REPLY_MS);
	kill(pids[0], SIGKILL); /* whatever the outcome, leave nothing behind */
	kill(pids[1], SIGKILL);
	assert_true(ok);
}

static void children_die_with_the_firmware(void **state)
{
	struct host_events c;
	pid_t pids[2];
	(void)state;
	struct amp_host *h = rec_up(&c, "fork", PIDFILE);
	assert_true(loop_until(&c.channels, 1, ITEST_BOOT_MS));
	read_pids(pids);
	/* a crash (kill -9 of the firmware), then recovery */
	assert_int_equal(kill(amp_host_fw_pid(h), SIGKILL), 0);
	assert_true(loop_until(&c.channels, 2, ITEST_BOOT_MS));
	assert_dead(pids);
	/* an orderly stop: the firmware exits on CH3, its children are left over */
	read_pids(pids);
	assert_true(amp_host_stop(h));
	assert_true(loop_until(&c.stopped, 1, ITEST_REPLY_MS));
	assert_dead(pids);
	/* the host's end (the daemon's exit) */
	g_autoptr(GError) err = NULL;
	assert_true(amp_host_start(h, &err));
	assert_true(loop_until(&c.channels, 3, ITEST_BOOT_MS));
	read_pids(pids);
	amp_host_free(h);
	assert_dead(pids);
	unlink(PIDFILE);
}

/* The firmware's four inherited eventfds, duplicated into this process (a "survivor"). */
static void grab_efds(pid_t pid, int out[4])
{
	char path[64], env[8192];
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n] = '\0';
	const char *v = NULL;
	for (size_t i = 0; i < n; i += strlen(env + i) + 1)
		if (!strncmp(env + i, "AMPSIM_IRQ_FDS=", 15))
			v = env + i + 15;
	assert_non_null(v);
	int fds[4];
	assert_int_equal(sscanf(v, "%d,%d,%d,%d", &fds[0], &fds[1], &fds[2], &fds[3]), 4);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	assert_true(pidfd >= 0);
	for (int i = 0; i < 4; i++) {
		out[i] = (int)syscall(SYS_pidfd_getfd, pidfd, fds[i], 0);
		assert_true(out[i] >= 0);
	}
	close(pidfd);
}

static void fresh_eventfds_per_instance(void **state)
{
	struct host_events c;
	int old[4], now[4];
	(void)state;
	struct amp_host *h = rec_up(&c, "echo", NULL);
	assert_true(loop_until(&c.channels, 1, ITEST_BOOT_MS));
	grab_efds(amp_host_fw_pid(h), old);
	assert_int_equal(kill(amp_host_fw_pid(h), SIGKILL), 0);
	assert_true(loop_until(&c.channels, 2, ITEST_BOOT_MS));
	grab_efds(amp_host_fw_pid(h), now);
	pid_t me = getpid();
	for (int i = 0; i < 4; i++) /* kcmp: 0 = the same open file */
		assert_int_not_equal(syscall(SYS_kcmp, me, me, KCMP_FILE, old[i], now[i]), 0);
	/* A survivor ringing every old line reaches nobody: the channel still just echoes. */
	uint64_t one = 1;
	for (int i = 0; i < 4; i++)
		assert_int_equal(write(old[i], &one, sizeof(one)), sizeof(one));
	echo_once(&c);
	assert_int_equal(c.crashed, 1);
	for (int i = 0; i < 4; i++) {
		close(old[i]);
		close(now[i]);
	}
	amp_host_free(h);
}

/* ---- bug 5: a broken vring is a crash ------------------------------------------------------ */

static void broken_vring_is_a_crash(void **state)
{
	struct host_events c;
	(void)state;
	struct amp_host *h = rec_up(&c, "bad-used", MARK);
	struct amp_rproc *rp = amp_host_rproc(h);
	assert_true(loop_until(&c.channels, 1, ITEST_BOOT_MS));
	assert_int_equal(amp_host_send(c.ch, "corrupt", 7), 0);
	c.rx_bytes = 0;
	assert_true(itest_loop_until(loop_ctx, got_bytes, &c, ITEST_REPLY_MS));
	assert_string_equal(c.last, "corrupted");
	/* The host reclaims TX buffers once the 16 are used: the spoilt entry is found then. */
	int rc = 0;
	for (int i = 0; i < 40 && rc == 0 && c.ch; i++) {
		rc = amp_host_send(c.ch, "hello", 5);
		c.rx_bytes = 0;
		if (rc == 0)
			assert_true(itest_loop_until(loop_ctx, got_bytes, &c, ITEST_REPLY_MS));
	}
	assert_int_equal(rc, AMP_EPROTO);
	assert_true(loop_until(&c.crashed, 1, ITEST_REPLY_MS));
	assert_string_equal(amp_rproc_crash_reason(rp),
			    "protocol violation on vring1: used id 17 >= num 16");
	/* recovered: the channel is back and echoes */
	assert_true(loop_until(&c.channels, 2, ITEST_BOOT_MS));
	echo_once(&c);
	assert_int_equal(amp_rproc_stats(rp)->recoveries, 1);
	amp_host_free(h);
	unlink(MARK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(header_scribble_recovers),
	    cmocka_unit_test(ipcc_scribble_recovers),
	    cmocka_unit_test(crash_loop_backs_off),
	    cmocka_unit_test(children_die_with_the_firmware),
	    cmocka_unit_test(fresh_eventfds_per_instance),
	    cmocka_unit_test(broken_vring_is_a_crash),
	};
	return cmocka_run_group_tests_name("rproc/recovery", tests, loop_ctx_setup,
					   loop_ctx_teardown);
}
