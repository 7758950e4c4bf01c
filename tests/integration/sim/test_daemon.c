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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MTU 496

struct run {
	char dir[64];
	pid_t pid;
};

static void msleep(int ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

static char *path_in(const struct run *r, const char *name)
{
	static char buf[4][128];
	static int i;
	char *p = buf[i++ % 4];
	snprintf(p, sizeof(buf[0]), "%s/%s", r->dir, name);
	return p;
}

static bool wait_for(const char *path, bool present, int ms)
{
	for (int t = 0; t < ms; t += 10) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		msleep(10);
	}
	return false;
}

static pid_t live_daemon; /* killed by the teardown if a test fails half-way */

static void start_daemon(struct run *r, const char *fw)
{
	static int runs;
	snprintf(r->dir, sizeof(r->dir), "/tmp/ampsim-test-%d-%d", (int)getpid(), ++runs);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		execl(AMPSIM_BIN, "ampsim", "run", "--quiet", "--run-dir", r->dir, fw,
		      (char *)NULL);
		_exit(127);
	}
	live_daemon = r->pid;
}

static void stop_daemon(struct run *r, int sig)
{
	int status;
	live_daemon = 0;
	kill(r->pid, sig);
	for (int t = 0; t < 5000; t += 10) {
		if (waitpid(r->pid, &status, WNOHANG) == r->pid)
			return;
		msleep(10);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &status, 0);
	fail_msg("ampsim run did not exit within 5 s of signal %d", sig);
}

static int connect_seqpacket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Read one message (or bytes) within @ms; -1 on timeout, 0 on EOF. */
static ssize_t read_within(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, ms) <= 0)
		return -1;
	ssize_t n = read(fd, buf, len);
	return n < 0 && errno == EIO ? 0 : n; /* a pty reads EIO after hangup */
}

/* Run `ampsim ctl DIR CMD` and return its output. */
static char *ctl(const struct run *r, const char *cmd)
{
	static char out[8192];
	char line[256];
	snprintf(line, sizeof(line), "%s ctl %s %s 2>&1", AMPSIM_BIN, r->dir, cmd);
	FILE *f = popen(line, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	pclose(f);
	return out;
}

static int fw_pid(const struct run *r)
{
	const char *s = strstr(ctl(r, "status"), "firmware pid: ");
	assert_non_null(s);
	return atoi(s + strlen("firmware pid: "));
}

static void echo_once(int fd, const char *msg)
{
	char buf[MTU + 1];
	size_t len = strlen(msg);
	assert_int_equal(write(fd, msg, len), (ssize_t)len);
	assert_int_equal(read_within(fd, buf, sizeof(buf), 2000), (ssize_t)len);
	assert_memory_equal(buf, msg, len);
}

/* ---- tests ---------------------------------------------------------------------------- */

static void echo_every_size_over_seqpacket(void **state)
{
	(void)state;
	struct run r;
	start_daemon(&r, ECHO_FW);
	assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
	int fd = connect_seqpacket(path_in(&r, "rpmsg0"));
	uint8_t out[MTU], in[MTU + 1];
	for (size_t len = 1; len <= MTU; len++) {
		for (size_t i = 0; i < len; i++)
			out[i] = (uint8_t)(len * 31 + i);
		assert_int_equal(write(fd, out, len), (ssize_t)len);
		assert_int_equal(read_within(fd, in, sizeof(in), 2000), (ssize_t)len);
		assert_memory_equal(in, out, len);
	}
	/* Larger than the MTU: rejected whole, never truncated, and counted. */
	uint8_t big[MTU + 1] = {0};
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	assert_int_equal(read_within(fd, in, sizeof(in), 300), -1);
	assert_non_null(strstr(ctl(&r, "endpoints"), "oversize 1"));
	echo_once(fd, "still fine after an oversize write");
	close(fd);
	stop_daemon(&r, SIGINT);
}

static void second_client_is_refused_and_many_come_and_go(void **state)
{
	(void)state;
	struct run r;
	start_daemon(&r, ECHO_FW);
	assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
	int a = connect_seqpacket(path_in(&r, "rpmsg0"));
	echo_once(a, "first");
	int b = connect_seqpacket(path_in(&r, "rpmsg0"));
	char buf[16];
	assert_int_equal(read_within(b, buf, sizeof(buf), 2000), 0); /* EOF: busy, like EBUSY */
	close(b);
	close(a);
	for (int i = 0; i < 100; i++) {
		int c = connect_seqpacket(path_in(&r, "rpmsg0"));
		char msg[32];
		snprintf(msg, sizeof(msg), "client %d", i);
		echo_once(c, msg);
		close(c);
	}
	stop_daemon(&r, SIGINT);
}

static void tty_is_a_byte_stream(void **state)
{
	(void)state;
	struct run r;
	start_daemon(&r, TTY_FW);
	const char *tty = path_in(&r, "ttyRPMSG0");
	assert_true(wait_for(tty, true, 10000));
	int fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	assert_true(fd >= 0);
	struct termios t;
	assert_int_equal(tcgetattr(fd, &t), 0);
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
	/* One line cut into three writes, and a line longer than one message. */
	assert_int_equal(write(fd, "hel", 3), 3);
	msleep(20);
	assert_int_equal(write(fd, "lo wor", 6), 6);
	assert_int_equal(write(fd, "ld\n", 3), 3);
	char buf[2048];
	size_t got = 0;
	while (got < 12) {
		ssize_t n = read_within(fd, buf + got, sizeof(buf) - got, 2000);
		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_memory_equal(buf, "hello world\n", 12);
	close(fd);
	stop_daemon(&r, SIGINT);
}

static void crash_hangs_up_and_recovery_brings_the_channel_back(void **state)
{
	(void)state;
	struct run r;
	start_daemon(&r, ECHO_FW);
	assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
	for (int round = 1; round <= 3; round++) {
		int fd = connect_seqpacket(path_in(&r, "rpmsg0"));
		echo_once(fd, "before the crash");
		int pid = fw_pid(&r);
		assert_true(pid > 0);
		assert_int_equal(kill(pid, SIGKILL), 0);
		char buf[16];
		assert_int_equal(read_within(fd, buf, sizeof(buf), 5000), 0); /* hung up */
		close(fd);
		/* Recovery reboots the firmware; it announces its channel again. */
		for (int t = 0; t < 100 && fw_pid(&r) <= 0; t++)
			msleep(50);
		assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
		fd = connect_seqpacket(path_in(&r, "rpmsg0"));
		echo_once(fd, "after recovery");
		close(fd);
		char expect[32];
		snprintf(expect, sizeof(expect), "crashes: %d", round);
		const char *status = ctl(&r, "status");
		assert_non_null(strstr(status, expect));
		assert_non_null(strstr(status, "killed by signal 9"));
	}
	stop_daemon(&r, SIGINT);
}

static void stop_and_start_through_ctl(void **state)
{
	(void)state;
	struct run r;
	start_daemon(&r, ECHO_FW);
	assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
	int fd = connect_seqpacket(path_in(&r, "rpmsg0"));
	assert_non_null(strstr(ctl(&r, "stop"), "stopped"));
	char buf[16];
	assert_int_equal(read_within(fd, buf, sizeof(buf), 2000), 0);
	close(fd);
	assert_false(access(path_in(&r, "rpmsg0"), F_OK) == 0);
	assert_non_null(strstr(ctl(&r, "status"), "state: offline"));
	assert_non_null(strstr(ctl(&r, "start"), "started"));
	assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
	fd = connect_seqpacket(path_in(&r, "rpmsg0"));
	echo_once(fd, "after restart");
	close(fd);
	assert_non_null(strstr(ctl(&r, "trace"), "echo: announced"));
	stop_daemon(&r, SIGTERM);
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

static void nothing_left_after_exit_or_kill_and_cleanup(void **state)
{
	(void)state;
	struct run r;
	start_daemon(&r, ECHO_FW);
	assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
	assert_true(shm_of(r.pid));
	stop_daemon(&r, SIGINT);
	assert_false(shm_of(r.pid));
	assert_int_not_equal(access(r.dir, F_OK), 0); /* the run directory is gone */

	start_daemon(&r, ECHO_FW);
	assert_true(wait_for(path_in(&r, "rpmsg0"), true, 10000));
	int fw = fw_pid(&r);
	stop_daemon(&r, SIGKILL);
	assert_true(shm_of(r.pid)); /* a killed daemon leaves its object ... */
	for (int t = 0; t < 200 && kill(fw, 0) == 0; t++)
		msleep(10);
	assert_int_not_equal(kill(fw, 0), 0); /* ... but never its firmware */
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "%s cleanup --run-dir %s > /dev/null", AMPSIM_BIN, r.dir);
	assert_int_equal(system(cmd), 0);
	assert_false(shm_of(r.pid));
	assert_int_not_equal(access(r.dir, F_OK), 0);
}

static void errors_name_the_problem(void **state)
{
	(void)state;
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s run --run-dir /tmp/ampsim-test-err /nonexistent/fw 2>&1",
		 AMPSIM_BIN);
	FILE *f = popen(cmd, "r");
	char out[1024] = "";
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_not_equal(pclose(f), 0);
	assert_non_null(strstr(out, "firmware /nonexistent/fw not found"));
	/* A program with no resource table. */
	snprintf(cmd, sizeof(cmd), "%s run --run-dir /tmp/ampsim-test-err /bin/true 2>&1",
		 AMPSIM_BIN);
	f = popen(cmd, "r");
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_not_equal(pclose(f), 0);
	assert_non_null(strstr(out, ".resource_table"));
	snprintf(cmd, sizeof(cmd), "%s run --soc nosuchsoc %s 2>&1", AMPSIM_BIN, ECHO_FW);
	f = popen(cmd, "r");
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_not_equal(pclose(f), 0);
	assert_non_null(strstr(out, "nosuchsoc"));
}

static int kill_leftover(void **state)
{
	(void)state;
	if (live_daemon > 0) {
		kill(live_daemon, SIGINT);
		msleep(500);
		kill(live_daemon, SIGKILL);
		waitpid(live_daemon, NULL, 0);
		live_daemon = 0;
	}
	return 0;
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(echo_every_size_over_seqpacket, kill_leftover),
	    cmocka_unit_test_teardown(second_client_is_refused_and_many_come_and_go, kill_leftover),
	    cmocka_unit_test_teardown(tty_is_a_byte_stream, kill_leftover),
	    cmocka_unit_test_teardown(crash_hangs_up_and_recovery_brings_the_channel_back,
				      kill_leftover),
	    cmocka_unit_test_teardown(stop_and_start_through_ctl, kill_leftover),
	    cmocka_unit_test_teardown(nothing_left_after_exit_or_kill_and_cleanup, kill_leftover),
	    cmocka_unit_test_teardown(errors_name_the_problem, kill_leftover),
	};
	return cmocka_run_group_tests_name("ampsim run", tests, NULL, NULL);
}
