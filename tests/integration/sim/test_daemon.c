/*
 * `ampsim run` end to end, with real processes: the daemon, the firmware it spawns, and this
 * test as the Linux-side client. Every wait is bounded.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "itest.h"

#define MTU 496

static void echo_once(int fd, const char *msg)
{
	char buf[MTU + 1];
	size_t len = strlen(msg);
	assert_int_equal(write(fd, msg, len), (ssize_t)len);
	assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), (ssize_t)len);
	assert_memory_equal(buf, msg, len);
}

#define ADDR_ANY 0xFFFFFFFFu

/* Ask rpmsg_ctrl0 for an endpoint; returns the connection (the endpoint) or -1 with *status. */
static int ctrl_create(const struct itest_run *r, const char *name, uint32_t src, uint32_t dst,
		       struct itest_ctrl_reply *reply)
{
	int fd = itest_connect_seqpacket(itest_run_path(r, "rpmsg_ctrl0"));
	struct itest_ept_info info = {.src = src, .dst = dst};
	snprintf(info.name, sizeof(info.name), "%s", name);
	assert_int_equal(write(fd, &info, sizeof(info)), (ssize_t)sizeof(info));
	assert_int_equal(itest_read_within(fd, reply, sizeof(*reply) + 1, ITEST_REPLY_MS),
			 (ssize_t)sizeof(*reply));
	if (reply->status == 0)
		return fd;
	char buf[8];
	assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS),
			 0); /* refused: hung up */
	close(fd);
	return -1;
}

/* ---- tests ---------------------------------------------------------------------------- */

static void echo_every_size_over_seqpacket(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	uint8_t out[MTU], in[MTU + 1];
	for (size_t len = 1; len <= MTU; len++) {
		for (size_t i = 0; i < len; i++)
			out[i] = (uint8_t)(len * 31 + i);
		assert_int_equal(write(fd, out, len), (ssize_t)len);
		assert_int_equal(itest_read_within(fd, in, sizeof(in), ITEST_REPLY_MS),
				 (ssize_t)len);
		assert_memory_equal(in, out, len);
	}
	/* Larger than the MTU: rejected whole, never truncated, and counted. */
	uint8_t big[MTU + 1] = {0};
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	assert_int_equal(itest_read_within(fd, in, sizeof(in), 300), -1);
	assert_non_null(strstr(itest_ctl(&r, "endpoints"), "oversize 1"));
	echo_once(fd, "still fine after an oversize write");
	close(fd);
	itest_run_stop(&r, SIGINT);
}

static void second_client_is_refused_and_many_come_and_go(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int a = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_once(a, "first");
	int b = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	char buf[16];
	assert_int_equal(itest_read_within(b, buf, sizeof(buf), ITEST_REPLY_MS),
			 0); /* EOF: busy, like EBUSY */
	close(b);
	close(a);
	for (int i = 0; i < 100; i++) {
		int c = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
		char msg[32];
		snprintf(msg, sizeof(msg), "client %d", i);
		echo_once(c, msg);
		close(c);
	}
	itest_run_stop(&r, SIGINT);
}

static void tty_is_a_byte_stream(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, TTY_FW, NULL, "ttyRPMSG0");
	int fd = itest_run_open_tty(&r, "ttyRPMSG0");
	/* One line cut into three writes, and a line longer than one message. */
	assert_int_equal(write(fd, "hel", 3), 3);
	itest_msleep(20);
	assert_int_equal(write(fd, "lo wor", 6), 6);
	assert_int_equal(write(fd, "ld\n", 3), 3);
	char buf[2048];
	size_t got = 0;
	while (got < 12) {
		ssize_t n = itest_read_within(fd, buf + got, sizeof(buf) - got, ITEST_REPLY_MS);
		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_memory_equal(buf, "hello world\n", 12);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

static void crash_hangs_up_and_recovery_brings_the_channel_back(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	for (int round = 1; round <= 3; round++) {
		int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
		echo_once(fd, "before the crash");
		int pid = itest_fw_kill(&r);
		char buf[16];
		assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS),
				 0); /* hung up */
		close(fd);
		/* Recovery reboots the firmware; it announces its channel again. */
		assert_true(itest_fw_wait_restart(&r, pid, ITEST_BOOT_MS));
		assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
		fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
		echo_once(fd, "after recovery");
		close(fd);
		char expect[32];
		snprintf(expect, sizeof(expect), "crashes: %d", round);
		const char *status = itest_ctl(&r, "status");
		assert_non_null(strstr(status, expect));
		assert_non_null(strstr(status, "killed by signal 9"));
	}
	itest_run_stop(&r, SIGINT);
}

/* A firmware that dies at once: restarted with a growing delay, shown by `ctl status`. */
static void crash_loop_status(void **state)
{
	(void)state;
	struct itest_run r = {0};
	setenv("REC_FW_MODE", "crash", 1);
	itest_run_start(&r, REC_FW, NULL);
	unsetenv("REC_FW_MODE");
	const char *status = "";
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS; itest_now_ms() < end; itest_msleep(50)) {
		status = itest_ctl(&r, "status");
		if (strstr(status, "crashes in a row: 3\n"))
			break;
	}
	assert_non_null(strstr(status, "last crash: exited with status 3"));
	/* the third crash in a row waits 200 ms (0, 100, 200...) */
	assert_non_null(strstr(status, "crashes in a row: 3\n"));
	assert_non_null(strstr(status, "restart backoff: 200 ms"));
	itest_run_stop(&r, SIGINT);
}

static void stop_and_start_through_ctl(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	assert_non_null(strstr(itest_ctl(&r, "stop"), "stopped"));
	char buf[16];
	assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), 0);
	close(fd);
	assert_false(access(itest_run_path(&r, "rpmsg0"), F_OK) == 0);
	assert_non_null(strstr(itest_ctl(&r, "status"), "state: offline"));
	assert_non_null(strstr(itest_ctl(&r, "start"), "started"));
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_once(fd, "after restart");
	close(fd);
	assert_non_null(strstr(itest_ctl(&r, "trace"), "echo: announced"));
	itest_run_stop(&r, SIGTERM);
}

/* Oversize on endpoint @fd (named @name): refused whole, counted, never truncated; the
 * endpoint still works. */
static void oversize_is_refused_and_counted(const struct itest_run *r, int fd, const char *name)
{
	uint8_t big[MTU + 1] = {0}, in[MTU + 1];
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	assert_int_equal(itest_read_within(fd, in, sizeof(in), 300), -1);
	const char *eps = itest_ctl(r, "endpoints");
	assert_non_null(strstr(eps, name));
	assert_non_null(strstr(strstr(eps, name), "oversize 1"));
	assert_non_null(strstr(itest_ctl(r, "stats"), "oversize 1")); /* stats has every layer */
	echo_once(fd, "still fine");
}

/* Not a 40-byte request to rpmsg_ctrl0: EINVAL. */
static void short_request_is_einval(const struct itest_run *r)
{
	struct itest_ctrl_reply rep;
	int c = itest_connect_seqpacket(itest_run_path(r, "rpmsg_ctrl0"));
	assert_int_equal(write(c, "short", 5), 5);
	assert_int_equal(itest_read_within(c, &rep, sizeof(rep), ITEST_REPLY_MS),
			 (ssize_t)sizeof(rep));
	assert_int_equal(rep.status, EINVAL);
	close(c);
}

static void rpmsg_ctrl_creates_endpoints_of_the_clients_choice(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	uint32_t echo = itest_fw_addr(&r, "rpmsg-openamp-demo-channel");
	struct itest_ctrl_reply rep;
	/* src ANY: a dynamic address from 1024; the echo firmware answers to it. */
	int a = ctrl_create(&r, "mine", ADDR_ANY, echo, &rep);
	assert_true(a >= 0);
	assert_int_equal(rep.status, 0);
	assert_string_equal(rep.info.name, "mine");
	assert_true(rep.info.src >= 1024 && rep.info.src != ADDR_ANY);
	assert_int_equal(rep.info.dst, echo);
	echo_once(a, "through my own endpoint");
	uint32_t taken = rep.info.src;
	/* A fixed src; a taken one is refused with EADDRINUSE. */
	int b = ctrl_create(&r, "fixed", 2000, echo, &rep);
	assert_true(b >= 0);
	assert_int_equal(rep.info.src, 2000);
	echo_once(b, "from 2000");
	assert_int_equal(ctrl_create(&r, "dup", taken, echo, &rep), -1);
	assert_int_equal(rep.status, EADDRINUSE);
	oversize_is_refused_and_counted(&r, a, "mine");
	short_request_is_einval(&r);
	/* Closing destroys the endpoint: its address is free again. */
	close(a);
	int again = -1;
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS; again < 0 && itest_now_ms() < end;
	     itest_msleep(10))
		again = ctrl_create(&r, "again", taken, echo, &rep);
	assert_true(again >= 0);
	echo_once(again, "same address, new endpoint");
	/* A crash hangs up every ctrl endpoint; rpmsg_ctrl0 comes back with the firmware. */
	assert_int_equal(kill(itest_fw_pid(&r), SIGKILL), 0);
	char buf[8];
	assert_int_equal(itest_read_within(again, buf, sizeof(buf), ITEST_REPLY_MS), 0);
	assert_int_equal(itest_read_within(b, buf, sizeof(buf), ITEST_REPLY_MS), 0);
	assert_int_equal(write(b, "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(again);
	close(b);
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	assert_true(itest_run_wait(&r, "rpmsg_ctrl0", ITEST_BOOT_MS));
	a = ctrl_create(&r, "after crash", ADDR_ANY, echo, &rep);
	assert_true(a >= 0);
	echo_once(a, "after recovery");
	/* Stop: hung up and the socket is gone, as /dev/rpmsg_ctrl0 goes with the device. */
	assert_non_null(strstr(itest_ctl(&r, "stop"), "stopped"));
	assert_int_equal(itest_read_within(a, buf, sizeof(buf), ITEST_REPLY_MS), 0);
	close(a);
	assert_int_not_equal(access(itest_run_path(&r, "rpmsg_ctrl0"), F_OK), 0);
	itest_run_stop(&r, SIGINT);
}

/* Send @msg on @fd and expect exactly @answer back. */
static void expect_answer(int fd, const char *msg, const char *answer)
{
	char buf[MTU + 1];
	size_t len = strlen(answer);
	assert_int_equal(write(fd, msg, strlen(msg)), (ssize_t)strlen(msg));
	assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), (ssize_t)len);
	assert_memory_equal(buf, answer, len);
}

static void two_channels_and_ns_destroy_create_at_run_time(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_start(&r, TWO_FW, NULL);
	/* Two channels at once: "ampsim-test-a" -> rpmsg0, "ampsim-test-ctl" -> rpmsg1. */
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	assert_true(itest_run_wait(&r, "rpmsg1", ITEST_BOOT_MS));
	int a = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	int b = itest_connect_seqpacket(itest_run_path(&r, "rpmsg1"));
	for (int i = 0; i < 20; i++) {
		expect_answer(a, "ping", "a:ping");
		expect_answer(b, "pong", "b:pong");
	}
	/* NS destroy: a's client is hung up, its path goes, b keeps working. */
	expect_answer(b, "destroy-a", "done");
	char buf[8];
	assert_int_equal(itest_read_within(a, buf, sizeof(buf), ITEST_REPLY_MS), 0);
	assert_int_equal(write(a, "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(a);
	assert_true(itest_wait_path(itest_run_path(&r, "rpmsg0"), false, ITEST_REPLY_MS));
	expect_answer(b, "alone", "b:alone");
	assert_null(strstr(itest_ctl(&r, "endpoints"), "ampsim-test-a"));
	/* NS create: the channel comes back at the same path. */
	expect_answer(b, "create-a", "done");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_REPLY_MS));
	a = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	expect_answer(a, "back", "a:back");
	expect_answer(b, "still", "b:still");
	assert_non_null(strstr(itest_ctl(&r, "endpoints"), "ampsim-test-a"));
	close(a);
	close(b);
	itest_run_stop(&r, SIGINT);
}

static void wrap_runs_the_firmware_under_a_tool(void **state)
{
	(void)state;
	struct itest_run r = {0};
	const char *opts[] = {"--wrap", WRAP_CMD, NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_once(fd, "hello from under the wrapper");
	close(fd);
	/* The firmware's process is the wrapper's (for valgrind: its tool). */
	char exe[64], target[256] = "";
	snprintf(exe, sizeof(exe), "/proc/%d/exe", itest_fw_pid(&r));
	assert_true(readlink(exe, target, sizeof(target) - 1) > 0);
	assert_non_null(strstr(target, WRAP_EXE));
	itest_run_stop(&r, SIGINT);
}

static bool have_gdb(void);
static void gdb_detach(const char *port);

static int free_tcp_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

/* ampsim run --gdb @p fw on a free port (written to @port, 16 bytes) for gdb_detach(). */
static void start_under_gdb(struct itest_run *r, const char *fw, char *port)
{
	snprintf(port, 16, "%d", free_tcp_port());
	const char *opts[] = {"--gdb", "--gdb-port", port, NULL};
	itest_run_start(r, fw, opts);
}

static void gdb_leaves_the_firmware_stopped_until_gdb_lets_it_run(void **state)
{
	(void)state;
	if (!have_gdb())
		skip();
	struct itest_run r = {0};
	char port[16];
	start_under_gdb(&r, ECHO_FW, port);
	assert_true(itest_run_wait(&r, "control", ITEST_BOOT_MS));
	/* Stopped at its entry in gdbserver: no channel. */
	assert_false(itest_run_wait(&r, "rpmsg0", 1000));
	gdb_detach(port);
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_once(fd, "after gdb detached");
	close(fd);
	assert_non_null(strstr(itest_ctl(&r, "status"), "crashes: 0"));
	itest_run_stop(&r, SIGINT);
}

static bool have_gdb(void)
{
	if (system("gdb --version > /dev/null 2>&1") == 0 &&
	    system("gdbserver --version > /dev/null 2>&1") == 0)
		return true;
	print_message("gdb or gdbserver not installed (scripts/install-deps); skipped\n");
	return false;
}

static void gdb_detach(const char *port)
{
	char cmd[256], out[4096];
	itest_fmt(cmd, sizeof(cmd),
		  "timeout 20 gdb -batch -nx -iex 'set debuginfod enabled off' "
		  "-ex 'target remote :%s' -ex detach",
		  port);
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 0);
}

/*
 * With the firmware held in gdbserver nobody returns TX buffers: a writer is paused, so a
 * non-blocking write gets EAGAIN and a blocking one would block, as with /dev/rpmsgN; once
 * the firmware runs and returns the buffers, the writer continues.
 */
static void writers_wait_for_tx_buffers_like_dev_rpmsg(void **state)
{
	(void)state;
	if (!have_gdb())
		skip();
	struct itest_run r = {0};
	char port[16];
	start_under_gdb(&r, ECHO_FW, port);
	/* The host's bus is up while the firmware waits: endpoints can be made. */
	assert_true(itest_run_wait(&r, "rpmsg_ctrl0", ITEST_BOOT_MS));
	struct itest_ctrl_reply rep;
	int fd = ctrl_create(&r, "writer", ADDR_ANY, 0x400, &rep);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	char msg[100] = "queued";
	int sent = 0;
	while (sent < 100000 && write(fd, msg, sizeof(msg)) == (ssize_t)sizeof(msg))
		sent++;
	assert_int_equal(errno, EAGAIN);
	assert_true(sent >= 16); /* at least the 16 TX buffers went out */
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	assert_int_equal(poll(&p, 1, 300), 0); /* a blocking writer would block */
	gdb_detach(port);
	assert_int_equal(poll(&p, 1, ITEST_REPLY_MS), 1); /* the firmware returned buffers */
	assert_true(p.revents & POLLOUT);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* A child of @p parent (the first /proc lists), or -1. */
static pid_t child_of(pid_t parent)
{
	DIR *d = opendir("/proc");
	pid_t found = -1;
	assert_non_null(d);
	for (struct dirent *e; found < 0 && (e = readdir(d));) {
		char path[300], line[256];
		int ppid = 0;
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		itest_fmt(path, sizeof(path), "/proc/%s/status", e->d_name);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "PPid: %d", &ppid) == 1)
				break;
		if (f)
			fclose(f);
		if (ppid == parent)
			found = (pid_t)atoi(e->d_name);
	}
	closedir(d);
	return found;
}

/*
 * gdbserver starts the firmware in a process group of its own, which the run's kill of the
 * firmware's group (gdbserver's) does not reach, and once gdb detached, the firmware is not
 * killed with its tracer either: it still ends with the run, by the parent-death signal it
 * sets when it reads its environment. This one does not answer the shutdown request, so the
 * grace period ends in the kill.
 */
static void a_firmware_under_gdbserver_ends_with_the_run(void **state)
{
	(void)state;
	if (!have_gdb())
		skip();
	struct itest_run r = {0};
	char port[16];
	setenv("REC_FW_MODE", "deaf", 1); /* passed on to the firmware */
	start_under_gdb(&r, REC_FW, port);
	unsetenv("REC_FW_MODE");
	assert_true(itest_run_wait(&r, "control", ITEST_BOOT_MS));
	gdb_detach(port);
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	pid_t fw = child_of(itest_fw_pid(&r)); /* "firmware pid" is gdbserver's */
	assert_true(fw > 0);
	itest_run_stop(&r, SIGINT);
	int64_t end = itest_now_ms() + ITEST_REPLY_MS;
	while (!itest_pid_dead(fw) && itest_now_ms() < end)
		itest_msleep(10);
	if (!itest_pid_dead(fw)) {
		kill(fw, SIGKILL);
		fail_msg("the firmware (pid %d) outlived its run", (int)fw);
	}
}

/* Send on @p fd until no room comes for a second: true, or false if 100000 messages went. */
static bool send_until_stuck(int fd)
{
	char msg[64] = "unread";
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	for (int sent = 0; sent < 100000;) {
		if (send(fd, msg, sizeof(msg), MSG_NOSIGNAL) == (ssize_t)sizeof(msg)) {
			sent++;
			continue;
		}
		assert_int_equal(errno, EAGAIN);
		if (poll(&p, 1, 1000) == 0)
			return true;
	}
	return false;
}

/*
 * A firmware asked to stop while a send waits for a TX buffer gives the send up at once and
 * ends by itself, within the grace period (it used to spin a CPU through the send's 15 s
 * timeout and be killed). The client reads nothing: the run holds the echoes back, then
 * stops taking the firmware's messages, so the firmware runs out of TX buffers.
 */
static void a_stop_ends_a_send_that_waits_for_a_buffer(void **state)
{
	(void)state;
	struct itest_run r = {.errlog = itest_scratch_path("stop-log")};
	char log[16384];
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	assert_int_equal(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	assert_true(send_until_stuck(fd)); /* the run took what it could, the firmware waits */
	assert_true(strstr(itest_ctl(&r, "endpoints"), "held back 0,") == NULL);
	itest_run_stop(&r, SIGINT);
	close(fd);
	itest_read_file(r.errlog, log, sizeof(log));
	if (strstr(log, "did not exit within"))
		fail_msg("the firmware was killed, not stopped:\n%s", log);
}

static bool shm_of(pid_t pid)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "ampsim-%u-%d-", (unsigned)getuid(), (int)pid);
	DIR *d = opendir("/dev/shm");
	bool found = false;
	struct dirent *e;
	while (d && (e = readdir(d)))
		found |= strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return found;
}

/* Every entry a run makes in RUNDIR, and a client on each socket (they must not pin files). */
static const char *const run_entries[] = {"ampsim.pid", "control", "rpmsg0", "rpmsg_ctrl0"};

static void start_with_clients(struct itest_run *r, int fds[2])
{
	itest_run_boot(r, ECHO_FW, NULL, "rpmsg0");
	for (size_t i = 0; i < sizeof(run_entries) / sizeof(run_entries[0]); i++)
		assert_int_equal(access(itest_run_path(r, run_entries[i]), F_OK), 0);
	assert_true(shm_of(r->pid));
	struct itest_ctrl_reply rep;
	fds[0] = itest_connect_seqpacket(itest_run_path(r, "rpmsg0"));
	fds[1] = ctrl_create(r, "cleanliness", ADDR_ANY, itest_fw_addr(r, "rpmsg-openamp"), &rep);
	assert_true(fds[1] >= 0);
}

static void nothing_left_after_exit_or_kill_and_cleanup(void **state)
{
	(void)state;
	struct itest_run r = {0};
	int fds[2];
	start_with_clients(&r, fds);
	itest_run_stop(&r, SIGINT);
	assert_false(shm_of(r.pid));
	assert_int_not_equal(access(r.dir, F_OK), 0); /* every entry and the directory: gone */
	close(fds[0]);
	close(fds[1]);

	start_with_clients(&r, fds);
	int fw = itest_fw_pid(&r);
	itest_run_stop(&r, SIGKILL);
	assert_true(shm_of(r.pid)); /* a killed daemon leaves its object and entries ... */
	assert_int_equal(access(itest_run_path(&r, "rpmsg_ctrl0"), F_OK), 0);
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS;
	     kill(fw, 0) == 0 && itest_now_ms() < end;)
		itest_msleep(10);
	assert_int_not_equal(kill(fw, 0), 0); /* ... but never its firmware */
	char out[1024];
	const char *cleanup[] = {AMPSIM_BIN, "cleanup", "--run-dir", r.dir, NULL};
	assert_int_equal(itest_capture(cleanup, out, sizeof(out)), 0);
	assert_false(shm_of(r.pid));
	assert_int_not_equal(access(r.dir, F_OK), 0);
	close(fds[0]);
	close(fds[1]);
}

/* `ampsim run ARGS` fails (exit 1) and says @expect (and, if not NULL, @hint). */
static void run_fails_with(const char *args, const char *expect, const char *hint)
{
	char cmd[1024], out[2048];
	itest_fmt(cmd, sizeof(cmd), "%s run --run-dir %s %s", AMPSIM_BIN,
		  itest_scratch_path("run-err"), args);
	int rc = itest_shell(cmd, out, sizeof(out));
	if (rc != 1 || !strstr(out, expect) || (hint && !strstr(out, hint)))
		fail_msg("'%s' exited %d with:\n%s\nexpected \"%s\" and \"%s\"", args, rc, out,
			 expect, hint ? hint : "");
}

static void errors_name_the_problem_and_what_to_do(void **state)
{
	(void)state;
	char args[1024], fw[PATH_MAX], ini[PATH_MAX], out[2048];
	run_fails_with("/nonexistent/fw", "firmware /nonexistent/fw not found", "build it first");
	/* Not executable. */
	itest_fmt(fw, sizeof(fw), "%s", itest_scratch_path("noexec"));
	itest_fmt(args, sizeof(args), "cp %s %s && chmod 644 %s", ECHO_FW, fw, fw);
	assert_int_equal(itest_shell(args, out, sizeof(out)), 0);
	run_fails_with(fw, "is not an executable file", "built with the sim port");
	unlink(fw);
	/* A program with no resource table. */
	run_fails_with("/bin/true", "section .resource_table", "ampsim rsc-table /bin/true");
	/* Profile not found. */
	itest_fmt(args, sizeof(args), "--soc nosuchsoc %s", ECHO_FW);
	run_fails_with(args, "SoC profile 'nosuchsoc' not found", "or a path to an .ini");
	/* Region clash: a profile whose vrings overlap. */
	itest_fmt(ini, sizeof(ini), "%s.ini", itest_scratch_path("clash"));
	itest_fmt(args, sizeof(args), "sed 's/^da=0x10041000$/da=0x10040000/' %s > %s", PROFILE_INI,
		  ini);
	assert_int_equal(itest_shell(args, out, sizeof(out)), 0);
	itest_fmt(args, sizeof(args), "--soc %s %s", ini, ECHO_FW);
	run_fails_with(args, "overlaps region vdev0vring0", "docs/memory-map.md");
	/* The firmware's buffers do not fit the profile's vdev0buffer region. */
	itest_fmt(args, sizeof(args), "sed 's/^size=0x4000$/size=0x2000/' %s > %s", PROFILE_INI,
		  ini);
	assert_int_equal(itest_shell(args, out, sizeof(out)), 0);
	itest_fmt(args, sizeof(args), "--soc %s %s", ini, ECHO_FW);
	run_fails_with(args, "vdev0buffer region has only 0x", "larger vdev0buffer in the profile");
	unlink(ini);
	/* A watchdog for a firmware that declares none to refresh. */
	itest_fmt(args, sizeof(args), "--watchdog 100 %s", ECHO_FW);
	run_fails_with(args, "declares no watchdog entry", "AMP_RSC_WATCHDOG_INIT");
	/* RUNDIR in use by a live run. */
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "control");
	char cmd[1024];
	itest_fmt(cmd, sizeof(cmd), "%s run --run-dir %s %s", AMPSIM_BIN, r.dir, ECHO_FW);
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "is in use by a live ampsim run"));
	assert_non_null(strstr(out, "pass another --run-dir"));
	/* ... and the live run is untouched (its channel may come after its control socket). */
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	echo_once(fd, "still mine");
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* The daemon's stderr after a run with @opt in which a second client was refused. */
static void log_of_a_run(const char *opt, char *out, size_t len)
{
	char log[PATH_MAX];
	itest_fmt(log, sizeof(log), "%s.log", itest_scratch_path("daemon"));
	struct itest_run r = {.errlog = log};
	const char *opts[] = {opt, NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	int a = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	int b = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	char buf[8];
	assert_int_equal(itest_read_within(b, buf, sizeof(buf), ITEST_REPLY_MS), 0); /* refused */
	close(a);
	close(b);
	itest_run_stop(&r, SIGINT);
	itest_read_file(log, out, len);
	unlink(log);
}

static void log_levels_through_glib_structured_logging(void **state)
{
	(void)state;
	static char out[16384];
	log_of_a_run("--verbose", out, sizeof(out));
	assert_non_null(strstr(out, "libampsim-DEBUG"));
	assert_non_null(strstr(out, "name service: create \"rpmsg-openamp-demo-channel\""));
	assert_non_null(strstr(out, "client connected"));
	assert_non_null(strstr(out, "refused a second client"));
	/* --quiet: warnings and errors only (the refusal is a message, so it goes too). */
	log_of_a_run("--quiet", out, sizeof(out));
	assert_null(strstr(out, "DEBUG"));
	assert_null(strstr(out, "refused a second client"));
}

/* Every option of run and chat is in --help and in docs/cli.md. */
static void help_and_docs_explain_every_option(void **state)
{
	(void)state;
	static const char *const run_opts[] = {
	    "--soc",	     "--run-dir",	   "--no-recovery", "--gdb",   "--gdb-port",
	    "--wrap",	     "--ipcc-mode",	   "--verbose",	    "--quiet", "rpmsg_ctrl0",
	    "FIRMWARE-ARGS", "--sanitize-buffers", "--faults",	    "--seed",  "--trace"};
	static const char *const chat_opts[] = {"--timeout", "--ctrl", "--dst", "--src", "--name"};
	static char help[8192], docs[65536];
	char cmd[512];
	itest_fmt(cmd, sizeof(cmd), "%s run --help", AMPSIM_BIN);
	assert_int_equal(itest_shell(cmd, help, sizeof(help)), 0);
	itest_read_file(DOCS_CLI, docs, sizeof(docs));
	for (size_t i = 0; i < sizeof(run_opts) / sizeof(run_opts[0]); i++) {
		if (!strstr(help, run_opts[i]) || !strstr(docs, run_opts[i]))
			fail_msg("%s is missing from 'ampsim run --help' or docs/cli.md",
				 run_opts[i]);
	}
	itest_fmt(cmd, sizeof(cmd), "%s chat --help", AMPSIM_BIN);
	assert_int_equal(itest_shell(cmd, help, sizeof(help)), 0);
	for (size_t i = 0; i < sizeof(chat_opts) / sizeof(chat_opts[0]); i++) {
		if (!strstr(help, chat_opts[i]) || !strstr(docs, chat_opts[i]))
			fail_msg("%s is missing from 'ampsim chat --help' or docs/cli.md",
				 chat_opts[i]);
	}
}

/* CPU ticks (user + system) a process has used, from /proc/<pid>/stat. */
static long cpu_ticks(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the name may hold spaces */
	unsigned long ut = 0, st = 0;
	assert_int_equal(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	return (long)(ut + st);
}

/* An idle system costs no CPU: neither the daemon nor the firmware polls while nothing
 * happens (the firmware's timed waits sleep on the right clock). */
static void an_idle_run_uses_no_cpu(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int fw = itest_fw_pid(&r);
	itest_msleep(200);
	long fw0 = cpu_ticks(fw), d0 = cpu_ticks(r.pid);
	itest_msleep(1000);
	long hz = sysconf(_SC_CLK_TCK);
	/* 5 % of a second at most (a tick is 10 ms: allow noise of a few ticks). */
	assert_true((cpu_ticks(fw) - fw0) * 20 <= hz);
	assert_true((cpu_ticks(r.pid) - d0) * 20 <= hz);
	itest_run_stop(&r, SIGINT);
}

/*
 * SIGINT and SIGTERM cost the loop nothing: a handler counts them into an eventfd that the
 * daemon's fd group reads, so the daemon runs in one thread (GLib's signal sources would
 * start its worker thread, and cost every loop iteration of every round trip).
 */
static void signals_are_taken_by_the_one_thread(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char path[64];
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	itest_fmt(path, sizeof(path), "/proc/%d/task", r.pid);
	DIR *tasks = opendir(path);
	assert_non_null(tasks);
	int n = 0;
	for (struct dirent *e; (e = readdir(tasks));)
		n += e->d_name[0] != '.';
	closedir(tasks);
	assert_int_equal(n, 1);
	itest_run_stop(&r, SIGTERM);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(echo_every_size_over_seqpacket, itest_run_teardown),
	    cmocka_unit_test_teardown(crash_loop_status, itest_run_teardown),
	    cmocka_unit_test_teardown(second_client_is_refused_and_many_come_and_go,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(tty_is_a_byte_stream, itest_run_teardown),
	    cmocka_unit_test_teardown(crash_hangs_up_and_recovery_brings_the_channel_back,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(stop_and_start_through_ctl, itest_run_teardown),
	    cmocka_unit_test_teardown(rpmsg_ctrl_creates_endpoints_of_the_clients_choice,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(two_channels_and_ns_destroy_create_at_run_time,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(wrap_runs_the_firmware_under_a_tool, itest_run_teardown),
	    cmocka_unit_test_teardown(gdb_leaves_the_firmware_stopped_until_gdb_lets_it_run,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(writers_wait_for_tx_buffers_like_dev_rpmsg,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(nothing_left_after_exit_or_kill_and_cleanup,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(errors_name_the_problem_and_what_to_do, itest_run_teardown),
	    cmocka_unit_test_teardown(log_levels_through_glib_structured_logging,
				      itest_run_teardown),
	    cmocka_unit_test(help_and_docs_explain_every_option),
	    cmocka_unit_test_teardown(an_idle_run_uses_no_cpu, itest_run_teardown),
	    cmocka_unit_test_teardown(signals_are_taken_by_the_one_thread, itest_run_teardown),
	    cmocka_unit_test_teardown(a_firmware_under_gdbserver_ends_with_the_run,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(a_stop_ends_a_send_that_waits_for_a_buffer,
				      itest_run_teardown),
	};
	return cmocka_run_group_tests_name("ampsim run", tests, NULL, NULL);
}
