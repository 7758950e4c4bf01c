/*
 * `ampsim exec` end to end: unmodified programs (cat, echo, stty, a C rpmsg_char program,
 * a Python script, shell pipelines whose children inherit the mapping) against `ampsim run`
 * through libampsim-preload.so, and what exec refuses (no run, a static program).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec_app.h"
#include "itest.h"

#define PYTHON "/usr/bin/python3"

static char out[65536];

/* `ampsim exec --run-dir RUNDIR -- /bin/sh -c SCRIPT`, output in out[]; its exit status. */
static int exec_sh(const struct itest_run *r, const char *script)
{
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r->dir, "--",
			      "/bin/sh",  "-c",	  script,      NULL};
	return itest_capture(argv, out, sizeof(out));
}

/* run_app() of `ampsim exec --run-dir RUNDIR -- PROGRAM ARGS...` (NULL-terminated), output
 * in out[]. */
static void __attribute__((sentinel)) exec_app(const struct itest_run *r, const char *prog, ...)
{
	const char *argv[16] = {AMPSIM_BIN, "exec", "--run-dir", r->dir, "--", prog};
	size_t n = 6;
	va_list ap;
	va_start(ap, prog);
	for (const char *arg; (arg = va_arg(ap, const char *));) {
		if (n == sizeof(argv) / sizeof(argv[0]) - 1)
			fail_msg("more than %zu arguments for %s", n - 6, prog);
		argv[n++] = arg;
	}
	va_end(ap);
	run_app(argv, out, sizeof(out));
}

static void expect(const char *text)
{
	if (!strstr(out, text))
		fail_msg("\"%s\" is not in the output:\n%s", text, out);
}

/* cat, echo > and stty -F on /dev/ttyRPMSG0: the tty sample echoes what it is sent. */
static void tty_through_cat_echo_and_stty(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, TTY_FW, NULL, "ttyRPMSG0");
	char script[1024];
	/* fd 3 keeps the tty open so that the echo waits in it until cat reads it. */
	itest_fmt(script, sizeof(script),
		  "set -e; T=/dev/ttyRPMSG0; O=%s; exec 3<$T\n"
		  "stty -F $T raw -echo ispeed 9600 ospeed 9600; stty -F $T speed\n"
		  "echo hello > $T\n"
		  ": > $O; cat $T >> $O & c=$!\n"
		  "i=0; while [ $(wc -c < $O) -lt 6 ] && [ $i -lt 400 ]; do sleep 0.05; "
		  "i=$((i+1)); done\n"
		  "kill $c; cat $O",
		  itest_scratch_path("tty-out"));
	assert_int_equal(exec_sh(&r, script), 0);
	expect("9600\nhello\n");
	itest_run_stop(&r, SIGINT);
}

/* rpmsg_char_app: /dev/rpmsg_ctrl0 + ioctl + /dev/rpmsgM, EBUSY, EMSGSIZE, EPIPE; then
 * RPMSG_CREATE_DEV_IOCTL / RPMSG_RELEASE_DEV_IOCTL. */
static void rpmsg_char_program_unmodified(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	char dst[16];
	itest_fmt(dst, sizeof(dst), "0x%x", itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	exec_app(&r, RPMSG_CHAR_APP, dst, "my-endpoint", "rpmsg-openamp-demo-channel", NULL);
	expect("echoed 22 bytes\n");
	expect("oversize write: Message too long\n");
	expect("destroyed /dev/rpmsg1\n");
	/* RPMSG_CREATE_DEV_IOCTL's rpmsg-raw channel, its default endpoint, the release. */
	expect("second create: No such device or address\nchannel device /dev/rpmsg1\n"
	       "channel echoed 25 bytes\ndestroy its default endpoint: Invalid argument\n"
	       "released /dev/rpmsg1; again: Invalid argument\n");
	/* The write over the MTU never reached the daemon: refused in the writer. */
	assert_int_equal(itest_stat(&r, "oversize"), 0);
	itest_run_stop(&r, SIGINT);
}

/* No TX buffer free (the remote keeps them: a buf:tx exhaust fault): a non-blocking write or
 * writev gets EAGAIN and sends nothing (a blocking one waits: exec/rproc); writev and readv
 * are one message; the socket calls fail with ENOTSOCK. */
static void eagain_without_tx_buffer_and_vectors(void **state)
{
	(void)state;
	struct itest_run r = {0};
	run_without_tx_buffers(&r, ECHO_FW, "rpmsg0", RPMSG_FLOW_APP, "/dev/rpmsg0", out,
			       sizeof(out));
	expect("non-blocking write: Resource temporarily unavailable\n"
	       "non-blocking writev: Resource temporarily unavailable\n"
	       "readv: one|twothree\noversize writev: Message too long\n"
	       "send: Socket operation on non-socket\ndone\n");
	/* Both refused by the daemon; the oversize writev never reached it. */
	const char *st = itest_ctl(&r, "stats");
	const char *e = strstr(st, "EAGAIN ");
	long n = e ? strtol(e + 7, NULL, 10) : -1;
	if (n != 2 || !strstr(st, "oversize 0,"))
		fail_msg("the daemon's counts are not 2 EAGAIN, 0 oversize:\n%s", st);
	itest_run_stop(&r, SIGINT);
}

/* The rpmsg bus in sysfs: a program that finds, binds and unbinds its channel there and
 * finds its endpoint in /sys/class/rpmsg; then ls, cat, bash's echo and Python on the same
 * paths, the state one program wrote seen by the next. */
static void sysfs_rpmsg_bus(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg_ctrl0");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS)); /* served: rpmsg_chrdev's */
	char dst[16];
	itest_fmt(dst, sizeof(dst), "0x%x", itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	exec_app(&r, RPMSG_BUS_APP, "rpmsg-openamp-demo-channel", dst, NULL);
	char want[1024];
	itest_fmt(
	    want, sizeof(want),
	    "device: virtio0.rpmsg-openamp-demo-channel.-1.%u\n"
	    "driver_override: rpmsg_chrdev\nbound: rpmsg0\n"
	    "rpmsg1: bus-endpoint via rpmsg_ctrl0\nunbound: /dev/rpmsg0 gone\n"
	    "bind no-such-device: No such device\nname for writing: Permission denied\ndone\n",
	    (unsigned)itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	expect(want);
	static const char script[] =
	    "B=/sys/bus/rpmsg; ls $B $B/devices /sys/class/rpmsg\n"
	    "D=$(ls $B/devices | grep demo); cd /; cat $B/devices/$D/src $B/devices/$D/announce "
	    "$B/devices/$D/driver_override /sys/class/rpmsg/rpmsg0/name\n"
	    "bash -c \"echo $D > $B/drivers/rpmsg_chrdev/unbind\"; ls /sys/class/rpmsg\n"
	    "test -e /dev/rpmsg0 || echo 'rpmsg0 gone'\n"
	    "bash -c \"echo $D > $B/drivers/rpmsg_chrdev/bind\"; test -e /dev/rpmsg0 && echo "
	    "back\n" PYTHON " -c 'import os; print(sorted(os.listdir(\"/sys/bus/rpmsg/devices/\" + "
	    "sorted(os.listdir(\"/sys/bus/rpmsg/devices\"))[0])))'\n"
	    /* A channel made by RPMSG_CREATE_DEV_IOCTL (_IOW(0xb5, 3, 40 bytes)), src 0x500. */
	    PYTHON " -c 'import os, fcntl, struct\n"
	    "c = os.open(\"/dev/rpmsg_ctrl0\", os.O_RDWR)\n"
	    "fcntl.ioctl(c, 0x4028b503, struct.pack(\"32sII\", b\"rpmsg-raw\", 0x500, 0x400))\n"
	    "B = \"/sys/bus/rpmsg/devices/\"\n"
	    "print([d for d in sorted(os.listdir(B)) if \"raw\" in d])\n"
	    "print(os.listdir(B + \"virtio0.rpmsg-raw.1280.1024/rpmsg\"))'\n";
	if (access(PYTHON, X_OK) != 0)
		skip();
	assert_int_equal(exec_sh(&r, script), 0);
	itest_fmt(want, sizeof(want),
		  "/sys/bus/rpmsg:\ndevices\ndrivers\n\n/sys/bus/rpmsg/devices:\n"
		  "virtio0.rpmsg-openamp-demo-channel.-1.%u\nvirtio0.rpmsg_ctrl.0.0\n"
		  "virtio0.rpmsg_ns.53.53\n\n/sys/class/"
		  "rpmsg:\nrpmsg0\nrpmsg_ctrl0\n0x%x\nfalse\nrpmsg_chrdev\n"
		  "rpmsg-openamp-demo-channel\nrpmsg_ctrl0\nrpmsg0 gone\nback\n"
		  "['announce', 'driver', 'driver_override', 'dst', 'modalias', 'name', 'power', "
		  "'rpmsg', 'src', 'subsystem', 'uevent']\n"
		  "['virtio0.rpmsg-raw.1280.1024']\n['rpmsg1']\n",
		  (unsigned)itest_fw_addr(&r, "rpmsg-openamp-demo-channel"),
		  (unsigned)itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	expect(want);
	itest_run_stop(&r, SIGINT);
}

/* The same from Python: os.open, fcntl.ioctl, select, and a sysfs write's EINVAL. */
static void python_program_unmodified(void **state)
{
	(void)state;
	if (access(PYTHON, X_OK) != 0)
		skip(); /* scripts/install-deps installs python3-minimal */
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	char dst[16];
	itest_fmt(dst, sizeof(dst), "0x%x", itest_fw_addr(&r, "rpmsg-openamp-demo-channel"));
	exec_app(&r, PYTHON, "-B", RPMSG_APP_PY, dst, "py-endpoint", NULL);
	expect("second open: Device or resource busy\necho");
	expect("echoed 17 bytes\noversize write: Message too long\n");
	expect("echoed 29 bytes\ndestroyed /dev/rpmsg1\nstate: running\n");
	expect("bad state: Invalid argument\nstate: offline\nafter stop: Broken pipe, gone\n"
	       "state: running\necho");
	/* /dev/rpmsg0 opened by a shell, used by the program it execs. */
	static const char inherit[] =
	    "exec 3<>/dev/rpmsg0; " PYTHON " -c 'import os\n"
	    "try:\n    os.write(3, bytes(4096))\nexcept OSError as e:\n    print(e.strerror)\n"
	    "os.write(3, b\"inherited\")\nprint(os.read(3, 512).decode())'";
	assert_int_equal(exec_sh(&r, inherit), 0);
	expect("Message too long\ninherited\n");
	itest_run_stop(&r, SIGINT);
}

/* ST's rpmsg_sdb flow (open, SET_EFD + mmap per buffer, poll, GET_DATA_SIZE) on the sdb
 * sample: every buffer holds the sample's pattern and CRC-32; then the driver's errors. */
static void sdb_article_program_unmodified(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, SDB_FW, NULL, "rpmsg-sdb");
	/* 12 fills of 3 buffers: each buffer goes back to the firmware and is refilled. */
	exec_app(&r, SDB_APP, "12", NULL);
	expect("12 buffers, 12 with the pattern and CRC-32\n");
	assert_null(strstr(out, "not reset"));
	exec_app(&r, SDB_APP, "/dev/rpmsg_sdb", "errors", NULL);
	expect("mmap before open: Bad file descriptor\n"
	       "mmap before SET_EFD: Invalid argument\n"
	       "GET_DATA_SIZE of no buffer: Invalid argument\n"
	       "second SET_EFD before mmap: Invalid exchange\n"
	       "GET_DATA_SIZE of buffer 1: Invalid argument\n"
	       "GET_DATA_SIZE of buffer -1: Invalid argument\n"
	       "other ioctl: Invalid argument\nread: Invalid argument\n"
	       "SET_EFD of a non-eventfd: Invalid argument\n0 unexpected\n");
	/* The program's buffers were freed when it closed the device: a new one gets them. */
	exec_app(&r, SDB_APP, "12", NULL);
	expect("12 buffers, 12 with the pattern and CRC-32\n");
	itest_run_stop(&r, SIGINT);
}

/* Release at the last close or munmap, as the driver's; a crash seen by the program. */
static void sdb_release_and_crash(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, SDB_FW, NULL, "rpmsg-sdb");
	exec_app(&r, SDB_APP, "12", NULL);
	/* Every give-back the shim made was one the service accepted. */
	const char *st = itest_ctl(&r, "stats");
	if (!strstr(st, "not given back 0,") || !strstr(st, "bad client requests 0,"))
		fail_msg("the service refused something:\n%s", st);
	/* Closed with a buffer mapped: still there; unmapped too: the service frees it. */
	char cmd[1024];
	itest_fmt(cmd, sizeof(cmd),
		  "i=0; while env -u LD_PRELOAD %s ctl %s stats | grep -q ' B[0-9]* da '; do "
		  "[ $i -ge 400 ] && exit 1; i=$((i+1)); sleep 0.05; done; echo freed",
		  AMPSIM_BIN, r.dir);
	exec_app(&r, SDB_APP, "linger", cmd, NULL);
	expect("after close: data ok\nfreed\n");
	/* A firmware crash: the program's eventfds fire, the device answers ENOTCONN. */
	itest_fmt(cmd, sizeof(cmd), "kill -SEGV %d", itest_fw_pid(&r));
	exec_app(&r, SDB_APP, "crash", cmd, NULL);
	expect("after the crash: Transport endpoint is not connected\n");
	itest_run_stop(&r, SIGINT);
}

/* A shell script reads the attributes and the trace, stops and starts the firmware. */
static void sysfs_state_stop_start_and_trace(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	static const char script[] =
	    "S=/sys/class/remoteproc/remoteproc0\n"
	    "cat $S/state $S/name $S/firmware $S/recovery\n"
	    "grep -c 'announced rpmsg-openamp-demo-channel' "
	    "/sys/kernel/debug/remoteproc/remoteproc0/trace0\n"
	    "echo other 2>/dev/null > $S/firmware || echo 'firmware busy: offline only'\n"
	    "echo stop > $S/state && cat $S/state\n"
	    "echo stop 2>/dev/null > $S/state || echo 'second stop refused'\n"
	    "echo sideways 2>/dev/null > $S/state || echo 'sideways refused'\n"
	    "echo start > $S/state && cat $S/state | tr a-z A-Z\n"
	    "echo start 2>/dev/null > $S/state || echo 'second start refused'\n";
	assert_int_equal(exec_sh(&r, script), 0);
	expect("running\nm4\necho\nenabled\n1\nfirmware busy: offline only\noffline\n"
	       "second stop refused\nsideways refused\nRUNNING\nsecond start refused\n");
	/* The daemon did stop and start it: the channel is back. */
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	assert_non_null(strstr(itest_ctl(&r, "status"), "state: running\n"));
	itest_run_stop(&r, SIGINT);
}

/* A crash with recovery off reads "crashed"; the recovery attribute recovers it. */
static void sysfs_crashed_and_recovery(void **state)
{
	(void)state;
	struct itest_run r = {0};
	static const char *const opts[] = {"--no-recovery", NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	char script[1024];
	itest_fmt(script, sizeof(script),
		  "S=/sys/class/remoteproc/remoteproc0\n"
		  "cat $S/recovery; kill -SEGV %d\n"
		  "i=0; until [ \"$(cat $S/state)\" = crashed ] || [ $i -ge 400 ]; do sleep 0.05; "
		  "i=$((i+1)); done\n"
		  "cat $S/state\n"
		  "echo sideways 2>/dev/null > $S/recovery || echo 'sideways refused'\n"
		  "echo recover > $S/recovery && cat $S/state $S/recovery\n"
		  "echo enabled > $S/recovery && cat $S/recovery\n",
		  itest_fw_pid(&r));
	assert_int_equal(exec_sh(&r, script), 0);
	expect("disabled\ncrashed\nsideways refused\nrunning\ndisabled\nenabled\n");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	itest_run_stop(&r, SIGINT);
}

/* Children and grandchildren of the program see the devices too; without a run, none. */
static void children_inherit_and_no_run_no_device(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	char script[512];
	/* ... and everything else is the host's, untouched. */
	itest_fmt(script, sizeof(script),
		  "sh -c 'test -e /dev/rpmsg0 && test -e /dev/rpmsg_ctrl0 && echo devices' | cat\n"
		  "F=%s; echo plain > $F && cat $F && rm $F; test -c /dev/null && echo null\n"
		  "test -e /dev/rpmsg9 || echo 'no rpmsg9'\n"
		  /* A forked child that forks again (no exec between) does not deadlock. */
		  "timeout 60 bash -c 'x=$( (y=$(echo inner); echo \"nested $y\") ); echo \"$x\"'\n"
		  /* A descriptor inherited through exec is still the device in the new program. */
		  "exec 5>/sys/class/remoteproc/remoteproc0/state\n"
		  "sh -c 'echo sideways >&5' 2>/dev/null || echo 'inherited writer refused'\n",
		  itest_scratch_path("plain"));
	assert_int_equal(exec_sh(&r, script), 0);
	expect("devices\nplain\nnull\nno rpmsg9\nnested inner\ninherited writer refused\n");
	itest_run_stop(&r, SIGINT);
	/* The run is gone: exec says so instead of running the program blind. */
	assert_int_equal(exec_sh(&r, "echo ran"), 1);
	expect("no run in ");
	assert_null(strstr(out, "ran\n"));
}

static void exec_refuses_static_and_missing_programs(void **state)
{
	(void)state;
	const char *st[] = {AMPSIM_BIN, "exec", "--", STATIC_APP, NULL};
	assert_int_equal(itest_capture(st, out, sizeof(out)), 1);
	expect("is statically linked");
	const char *none[] = {AMPSIM_BIN, "exec", "--", "no-such-program-anywhere", NULL};
	assert_int_equal(itest_capture(none, out, sizeof(out)), 127);
	expect("command not found");
	const char *bare[] = {AMPSIM_BIN, "exec", NULL};
	assert_int_equal(itest_capture(bare, out, sizeof(out)), 2);
}

/* `ampsim --help`, `ampsim exec --help`, docs/cli.md and docs/exec.md agree. */
static void help_and_docs_explain_exec(void **state)
{
	(void)state;
	static char docs[65536];
	const char *top[] = {AMPSIM_BIN, "--help", NULL};
	assert_int_equal(itest_capture(top, out, sizeof(out)), 0);
	expect("  exec ");
	const char *help[] = {AMPSIM_BIN, "exec", "--help", NULL};
	assert_int_equal(itest_capture(help, out, sizeof(out)), 0);
	itest_read_file(DOCS_CLI, docs, sizeof(docs));
	static const char *const words[] = {
	    "ampsim exec", "--run-dir",	  "/dev/ttyRPMSG",  "/dev/rpmsg_ctrl0",
	    "EMSGSIZE",	   "remoteproc0", "/dev/rpmsg-sdb", "RPMSG_SDB_IOCTL_GET_DATA_SIZE"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strstr(docs, words[i]) || (i > 0 && !strstr(out, words[i])))
			fail_msg("%s is missing from 'ampsim exec --help' or docs/cli.md",
				 words[i]);
	itest_read_file(DOCS_EXEC, docs, sizeof(docs));
	assert_non_null(strstr(docs, "statically linked"));
	/* linux-apps.md names every test program and the bus paths it covers. */
	itest_read_file(DOCS_LINUX_APPS, docs, sizeof(docs));
	static const char *const apps[] = {
	    "rpmsg_char_app.c",	 "rpmsg_flow_app.c",	  "rpmsg_bus_app.c",
	    "sdb_article_app.c", "rpmsg_app.py",	  "/sys/bus/rpmsg/drivers/rpmsg_chrdev",
	    "ENOTSOCK",		 "RPMSG_CREATE_DEV_IOCTL"};
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (!strstr(docs, apps[i]))
			fail_msg("docs/linux-apps.md does not name %s", apps[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(tty_through_cat_echo_and_stty, itest_run_teardown),
	    cmocka_unit_test_teardown(rpmsg_char_program_unmodified, itest_run_teardown),
	    cmocka_unit_test_teardown(eagain_without_tx_buffer_and_vectors, itest_run_teardown),
	    cmocka_unit_test_teardown(sysfs_rpmsg_bus, itest_run_teardown),
	    cmocka_unit_test_teardown(python_program_unmodified, itest_run_teardown),
	    cmocka_unit_test_teardown(sdb_article_program_unmodified, itest_run_teardown),
	    cmocka_unit_test_teardown(sdb_release_and_crash, itest_run_teardown),
	    cmocka_unit_test_teardown(sysfs_state_stop_start_and_trace, itest_run_teardown),
	    cmocka_unit_test_teardown(sysfs_crashed_and_recovery, itest_run_teardown),
	    cmocka_unit_test_teardown(children_inherit_and_no_run_no_device, itest_run_teardown),
	    cmocka_unit_test(exec_refuses_static_and_missing_programs),
	    cmocka_unit_test(help_and_docs_explain_exec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
