/*
 * The fault plan through `ampsim run --faults/--seed` and `ampsim ctl RUNDIR fault ...`
 * (docs/faults.md): a plan from a file, its counters in `ctl stats` and `fault list`, rules
 * added and cleared at run time, and plans refused before anything boots.
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
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"

static void must_contain(const char *text, const char *want)
{
	if (!text || !strstr(text, want))
		fail_msg("expected \"%s\" in:\n%s", want, text ? text : "(nothing)");
}

static void send_frame(int fd, const char *s)
{
	assert_int_equal(send(fd, s, strlen(s), 0), (ssize_t)strlen(s));
}

static void recv_is(int fd, const char *want)
{
	char buf[512];
	ssize_t n = itest_recv_frame(fd, buf, sizeof(buf) - 1, ITEST_REPLY_MS);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

/* `ampsim ctl RUNDIR ARGS...`: its exit status, its output in @p out. */
static int ctl(const struct itest_run *r, const char *const *args, char *out, size_t len)
{
	const char *argv[8] = {AMPSIM_BIN, "ctl", r->dir};
	for (size_t i = 0; args[i] && i < 4; i++)
		argv[3 + i] = args[i];
	return itest_capture(argv, out, len);
}

static void plan_from_a_file_then_changed_at_run_time(void **state)
{
	(void)state;
	const char *plan = itest_scratch_path("plan");
	FILE *f = fopen(plan, "w");
	assert_non_null(f);
	fputs("# duplicate the first message to the firmware\nmsg:linux->fw dup count=1\n"
	      "fw crash at-msg=100 # far away\n",
	      f);
	fclose(f);
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, (const char *const[]){"--faults", plan, "--seed", "5", NULL},
		       "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	send_frame(fd, "hi");
	recv_is(fd, "hi");
	recv_is(fd, "hi"); /* the echo answered the duplicate too */
	const char *list = itest_ctl(&r, "fault list");
	must_contain(list, "fault plan: seed 5, 2 rules, 1 faults fired");
	must_contain(list, "rule 1: msg:linux->fw dup count=1: seen 1, fired 1");
	must_contain(list, "rule 2: fw crash at-msg=100: seen 1, fired 0");
	must_contain(list, "#1 rule 1 (msg:linux->fw dup count=1): msg #1 linux->fw on "
			   "'rpmsg-openamp-demo-channel' (0x400 -> 0x400, 2 bytes: \"hi\")");
	must_contain(itest_ctl(&r, "stats"),
		     "fault rule 1 (msg:linux->fw dup count=1): seen 1, fired 1");
	/* At run time: a bad rule is refused with its token, a good one works at once. */
	char out[4096];
	assert_int_equal(ctl(&r, (const char *const[]){"fault", "add", "kick:ch7", "drop", NULL},
			     out, sizeof(out)),
			 1);
	must_contain(out, "'ch7'");
	assert_int_equal(
	    ctl(&r, (const char *const[]){"fault", "add", "msg:fw->linux drop count=1", NULL}, out,
		sizeof(out)),
	    0);
	send_frame(fd, "lost");
	char buf[64];
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), 300), -1);
	send_frame(fd, "found");
	recv_is(fd, "found");
	must_contain(itest_ctl(&r, "fault list"), "rule 3: msg:fw->linux drop count=1: seen 2, "
						  "fired 1");
	must_contain(itest_ctl(&r, "fault clear"), "fault plan cleared");
	must_contain(itest_ctl(&r, "fault list"), "fault plan: seed 5, 0 rules, 0 faults fired");
	must_contain(itest_ctl(&r, "fault seed 9"), "restarted with seed 9");
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* Refused before the firmware boots: exit status 2, the token named. */
static void bad_plans_refuse_to_start(void **state)
{
	(void)state;
	static const char *const bad[][3] = {
	    {"--faults", "kick:ch1 explode",
	     "'explode': not an action of this target; allowed: "
	     "drop, dup, delay"},
	    {"--faults", "msg:fw->linux drop; fw stall at-ms=5", "needs ms=N"},
	    {"--seed", "twelve", "--seed takes a number"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char out[4096];
		const char *argv[] = {AMPSIM_BIN, "run",     "--run-dir", itest_scratch_path("run"),
				      bad[i][0],  bad[i][1], ECHO_FW,	  NULL};
		assert_int_equal(itest_capture(argv, out, sizeof(out)), 2);
		must_contain(out, bad[i][2]);
		assert_null(strstr(out, "firmware running"));
	}
}

/* --faults '' loads an empty plan: the run is as without one. */
static void empty_plan(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, (const char *const[]){"--faults", "", "--seed", "3", NULL},
		       "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	send_frame(fd, "as usual");
	recv_is(fd, "as usual");
	must_contain(itest_ctl(&r, "fault list"), "fault plan: seed 3, 0 rules, 0 faults fired");
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* @p cmd's output contains @p want within 10 s (polled: recovery takes its time). */
static void ctl_until(struct itest_run *r, const char *cmd, const char *want)
{
	for (int i = 0; i < 100; i++) {
		if (strstr(itest_ctl(r, cmd), want))
			return;
		usleep(100 * 1000);
	}
	must_contain(itest_ctl(r, cmd), want);
}

/* A rule the firmware applies: it exits by itself, the count it reports reaches ctl stats,
 * and count=1 holds across the recovery's restart. */
static void firmware_exit_reported(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_start(
	    &r, ECHO_FW,
	    (const char *const[]){"--faults", "fw exit at-msg=2 code=5", "--seed", "4", NULL});
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	send_frame(fd, "one");
	recv_is(fd, "one");
	send_frame(fd, "two"); /* the firmware exits on it */
	ctl_until(&r, "status", "last crash: exited with status 5");
	close(fd);
	const char *want = "fault rule 1 (fw exit at-msg=2 code=5): seen 2, fired 1 (reported by "
			   "the firmware)";
	must_contain(itest_ctl(&r, "stats"), want);
	ctl_until(&r, "status", "state: running"); /* recovered */
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	send_frame(fd, "three"); /* count=1: not again after the restart */
	recv_is(fd, "three");
	/* The restarted firmware went on counting from what the first one reported. */
	must_contain(itest_ctl(&r, "stats"), "fault rule 1 (fw exit at-msg=2 code=5): seen 3, "
					     "fired 1 (reported by the firmware)");
	/* Added at run time: accepted, applies from the firmware's next start. */
	must_contain(itest_ctl(&r, "fault add irq:ch2 delay ms=5"), "added");
	must_contain(itest_ctl(&r, "fault list"), "rule 2: irq:ch2 delay ms=5: seen 0, fired 0");
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* A run directory's client waits while the host's TX pool is exhausted, then its message
 * goes; the RX buffers buf:rx shrink kept are posted again by `fault clear`. */
static void bus_faults_through_the_daemon(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW,
		       (const char *const[]){"--faults", "buf:tx exhaust ms=300 count=1", NULL},
		       "rpmsg0");
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	int64_t t0 = itest_now_ms();
	send_frame(fd, "patience");
	recv_is(fd, "patience");
	assert_true(itest_now_ms() - t0 >= 300);
	/* Seen twice: the request refused, and the client's message sent again after it. */
	const char *list = itest_ctl(&r, "fault list");
	must_contain(list, "rule 1: buf:tx exhaust ms=300 count=1: seen 2, fired 1");
	must_contain(list, "#1 rule 1 (buf:tx exhaust ms=300 count=1): TX buffer request #1");
	char out[4096];
	assert_int_equal(ctl(&r, (const char *const[]){"fault", "add", "buf:rx shrink n=0", NULL},
			     out, sizeof(out)),
			 0);
	char buf[64];
	for (int i = 0;; i++) { /* the firmware answers until it has no RX buffer left */
		send_frame(fd, "m");
		if (itest_recv_frame(fd, buf, sizeof(buf), 300) < 0)
			break;
		assert_true(i < 1024);
	}
	must_contain(itest_ctl(&r, "fault clear"), "fault plan cleared");
	recv_is(fd, "m"); /* the waiting answer, in a buffer posted again */
	close(fd);
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(plan_from_a_file_then_changed_at_run_time,
				      itest_run_teardown),
	    cmocka_unit_test(bad_plans_refuse_to_start),
	    cmocka_unit_test_teardown(empty_plan, itest_run_teardown),
	    cmocka_unit_test_teardown(firmware_exit_reported, itest_run_teardown),
	    cmocka_unit_test_teardown(bus_faults_through_the_daemon, itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
