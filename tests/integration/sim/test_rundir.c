/*
 * The run directory's safety, end to end (`ampsim run` as a child process):
 *  - only what a run created is ever removed (the user's files survive start, stop, a
 *    killed run and `ampsim cleanup`); a killed run's sockets are still cleaned;
 *  - a foreign file where ampsim needs a socket makes the run refuse, naming it;
 *  - sockets are 0600 whatever the umask; another uid cannot connect (root only);
 *  - a run directory that is group/other-writable or owned by someone else is refused;
 *  - idle clients up to the open-file limit cost no CPU and `ampsim ctl` still answers.
 * Every wait is bounded; CPU is asserted on tick counts with a wide margin.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

#define NOBODY 65534
static const char *const user_files[] = {"control.py", "sdb-notes.txt", "rpmsg-howto.md",
					 "rpmsg0.txt"};

/* A fresh run directory made by the test (mode @mode) holding the user's files. */
static void make_dir_with_user_files(struct itest_run *r, mode_t mode)
{
	itest_fmt(r->dir, sizeof(r->dir), "%s", itest_scratch_path("userdir"));
	r->keep_dir = true;
	assert_int_equal(mkdir(r->dir, 0700), 0);
	assert_int_equal(chmod(r->dir, mode), 0);
	for (size_t i = 0; i < sizeof(user_files) / sizeof(user_files[0]); i++) {
		FILE *f = fopen(itest_run_path(r, user_files[i]), "w");
		assert_non_null(f);
		fprintf(f, "mine: %s\n", user_files[i]);
		fclose(f);
	}
}

static void assert_user_files_intact(const struct itest_run *r)
{
	for (size_t i = 0; i < sizeof(user_files) / sizeof(user_files[0]); i++) {
		char buf[128], want[128];
		if (access(itest_run_path(r, user_files[i]), F_OK) != 0)
			fail_msg("the user's file %s was removed", user_files[i]);
		itest_read_file(itest_run_path(r, user_files[i]), buf, sizeof(buf));
		snprintf(want, sizeof(want), "mine: %s\n", user_files[i]);
		assert_string_equal(buf, want);
	}
}

static bool is_socket(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* `ampsim run --run-dir DIR ECHO` exits with 1 and says @expect and @hint. */
static void run_refused(const char *dir, const char *expect, const char *hint)
{
	char cmd[1024], out[2048];
	/* timeout(1): a run that wrongly starts must not hang the test. */
	itest_fmt(cmd, sizeof(cmd), "timeout 20 %s run --run-dir %s %s", AMPSIM_BIN, dir, ECHO_FW);
	int rc = itest_shell(cmd, out, sizeof(out));
	if (rc != 1 || !strstr(out, expect) || !strstr(out, hint))
		fail_msg("run in %s exited %d with:\n%s\nexpected \"%s\" and \"%s\"", dir, rc, out,
			 expect, hint);
}

/* Connect to a frame socket once the new run serves it (a killed run's socket may still be
 * there for a moment: it refuses). */
static int connect_when_served(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS; itest_now_ms() < end;) {
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		close(fd);
		itest_msleep(20);
	}
	fail_msg("%s was not served within %d ms", path, ITEST_BOOT_MS);
	return -1;
}

/* ---- bug 3: only what a run created is removed ---------------------------------------- */

static void the_users_files_survive_start_stop_kill_and_cleanup(void **state)
{
	(void)state;
	struct itest_run r = {0};
	make_dir_with_user_files(&r, 0700);
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	assert_user_files_intact(&r);
	itest_run_stop(&r, SIGINT);
	assert_user_files_intact(&r);
	assert_false(is_socket(itest_run_path(&r, "control"))); /* its own entries: gone */
	assert_int_not_equal(access(itest_run_path(&r, "ampsim.pid"), F_OK), 0);
	assert_int_not_equal(access(itest_run_path(&r, "txfree"), F_OK), 0); /* the FIFO too */

	/* A killed run leaves its sockets; the next run removes them, not the user's files. */
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	itest_run_stop(&r, SIGKILL);
	assert_true(is_socket(itest_run_path(&r, "rpmsg0")));
	assert_true(is_socket(itest_run_path(&r, "control")));
	struct stat st;
	assert_int_equal(lstat(itest_run_path(&r, "txfree"), &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	itest_run_start(&r, ECHO_FW, NULL);
	int fd = connect_when_served(itest_run_path(&r, "rpmsg0"));
	char buf[8];
	assert_int_equal(write(fd, "hi", 2), 2);
	assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), 2);
	close(fd);
	assert_user_files_intact(&r);

	/* Killed again: `ampsim cleanup` removes the sockets and keeps the files. */
	itest_run_stop(&r, SIGKILL);
	char out[1024];
	const char *cleanup[] = {AMPSIM_BIN, "cleanup", "--run-dir", r.dir, NULL};
	assert_int_equal(itest_capture(cleanup, out, sizeof(out)), 0);
	assert_false(is_socket(itest_run_path(&r, "rpmsg0")));
	assert_false(is_socket(itest_run_path(&r, "control")));
	assert_false(is_socket(itest_run_path(&r, "rpmsg_ctrl0")));
	assert_int_not_equal(access(itest_run_path(&r, "txfree"), F_OK), 0);
	assert_user_files_intact(&r);
}

static void a_foreign_file_where_a_socket_goes_is_refused(void **state)
{
	(void)state;
	struct itest_run r = {0};
	make_dir_with_user_files(&r, 0700);
	static const char *const taken[] = {"control", "rpmsg0", "rpmsg_ctrl0.new"};
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		char path[PATH_MAX], buf[32];
		itest_fmt(path, sizeof(path), "%s", itest_run_path(&r, taken[i]));
		FILE *f = fopen(path, "w");
		assert_non_null(f);
		fputs("precious\n", f);
		fclose(f);
		run_refused(r.dir, path, "move it out of the run directory");
		itest_read_file(path, buf, sizeof(buf));
		assert_string_equal(buf, "precious\n");
		assert_int_equal(unlink(path), 0);
	}
	assert_user_files_intact(&r);
	assert_int_not_equal(access(itest_run_path(&r, "ampsim.pid"), F_OK), 0);
}

/* ---- bug 4: modes and owners ----------------------------------------------------------- */

static void assert_mode(const char *path, mode_t want)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	if ((st.st_mode & 07777) != want)
		fail_msg("%s has mode 0%o, not 0%o", path, st.st_mode & 07777, want);
}

static void sockets_are_0600_whatever_the_umask(void **state)
{
	(void)state;
	mode_t old = umask(0);
	struct itest_run r = {0};
	itest_run_start(&r, TTY_FW, NULL); /* a fresh directory: made by the daemon */
	umask(old);
	assert_true(itest_run_wait(&r, "ttyRPMSG0", ITEST_BOOT_MS));
	assert_true(itest_run_wait(&r, "rpmsg_ctrl0", ITEST_BOOT_MS));
	assert_mode(r.dir, 0700);
	assert_mode(itest_run_path(&r, "control"), 0600);
	assert_mode(itest_run_path(&r, "rpmsg_ctrl0"), 0600);
	assert_mode(itest_run_path(&r, "ttyRPMSG0"), 0600); /* the pty, through the link */
	itest_run_stop(&r, SIGINT);
	umask(0);
	struct itest_run e = {0};
	itest_run_start(&e, ECHO_FW, NULL);
	umask(old);
	assert_true(itest_run_wait(&e, "rpmsg0", ITEST_BOOT_MS));
	assert_mode(itest_run_path(&e, "rpmsg0"), 0600);
	itest_run_stop(&e, SIGINT);
}

static void loose_or_foreign_run_dirs_are_refused(void **state)
{
	(void)state;
	static const mode_t loose[] = {0777, 0770, 0702, 01777};
	for (size_t i = 0; i < sizeof(loose) / sizeof(loose[0]); i++) {
		struct itest_run r = {0};
		make_dir_with_user_files(&r, loose[i]);
		char hint[PATH_MAX + 16];
		itest_fmt(hint, sizeof(hint), "chmod 700 %s", r.dir);
		run_refused(r.dir, "writable by group or others", hint);
		assert_user_files_intact(&r);
		assert_int_not_equal(access(itest_run_path(&r, "ampsim.pid"), F_OK), 0);
	}
	if (geteuid() != 0) {
		print_message("skipped the foreign-owner case: chown needs root\n");
		return;
	}
	struct itest_run r = {0};
	make_dir_with_user_files(&r, 0700);
	assert_int_equal(chown(r.dir, NOBODY, NOBODY), 0);
	run_refused(r.dir, "is owned by uid 65534", "pass a directory of your own");
	assert_user_files_intact(&r);
}

/* In a child that became uid 65534: 0 when both sockets refuse it with EACCES. */
static int connect_as_nobody(const char *ctl, const char *frame)
{
	if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
		return 10;
	struct stat st;
	if (stat(ctl, &st) < 0 || stat(frame, &st) < 0)
		return 3; /* cannot even reach the directory: the test would prove nothing */
	const char *paths[] = {ctl, frame};
	const int types[] = {SOCK_STREAM, SOCK_SEQPACKET};
	for (int i = 0; i < 2; i++) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", paths[i]);
		int fd = socket(AF_UNIX, types[i], 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return 1 + i;
		if (errno != EACCES)
			return 4;
		close(fd);
	}
	return 0;
}

static void another_uid_cannot_connect(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: needs root to become a second uid (%d)\n", NOBODY);
		skip();
	}
	/* A directory others may traverse (0711 above, 0755 run dir) and the laxest umask, so
	 * that only the sockets' own mode keeps uid 65534 out. */
	const char *top = itest_scratch();
	assert_int_equal(chmod(top, 0711), 0);
	struct itest_run r = {0};
	itest_fmt(r.dir, sizeof(r.dir), "%s", itest_scratch_path("shared"));
	r.keep_dir = true;
	assert_int_equal(mkdir(r.dir, 0755), 0);
	assert_int_equal(chmod(r.dir, 0755), 0);
	mode_t old = umask(0);
	itest_run_start(&r, ECHO_FW, NULL);
	umask(old);
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	assert_true(itest_run_wait(&r, "control", ITEST_BOOT_MS));
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(
		    connect_as_nobody(itest_run_path(&r, "control"), itest_run_path(&r, "rpmsg0")));
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3) {
		itest_run_stop(&r, SIGINT);
		print_message("skipped: uid %d cannot reach %s (a parent directory is closed)\n",
			      NOBODY, r.dir);
		skip();
	}
	if (WEXITSTATUS(status) != 0)
		fail_msg("uid %d: %s", NOBODY,
			 WEXITSTATUS(status) == 1   ? "connected to the control socket"
			 : WEXITSTATUS(status) == 2 ? "connected to a frame socket"
						    : "unexpected error (not EACCES)");
	/* The daemon's own user still can. */
	assert_non_null(strstr(itest_ctl(&r, "status"), "state: running"));
	itest_run_stop(&r, SIGINT);
	chmod(top, 0700);
}

/* ---- bug 8 (limits): idle clients at the open-file limit -------------------------------- */

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
	const char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	assert_int_equal(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	return (long)(ut + st);
}

static int open_fds(int pid)
{
	char cmd[128], out[64];
	itest_fmt(cmd, sizeof(cmd), "ls /proc/%d/fd | wc -l", pid);
	assert_int_equal(itest_shell(cmd, out, sizeof(out)), 0);
	return atoi(out);
}

#define FD_LIMIT 64
#define IDLE_CLIENTS 300

/* Non-blocking connects: one that finds the backlog full fails at once (EAGAIN). */
static int connect_idle(const char *path, int type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void idle_clients_at_the_fd_limit_cost_nothing_and_ctl_answers(void **state)
{
	(void)state;
	struct rlimit mine = {0};
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &mine), 0);
	if (mine.rlim_cur < 2 * IDLE_CLIENTS + 64) {
		mine.rlim_cur = mine.rlim_max < 1024 ? mine.rlim_max : 1024;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &mine), 0);
	}
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg_ctrl0");
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	const struct rlimit lim = {FD_LIMIT, FD_LIMIT};
	assert_int_equal(prlimit(r.pid, RLIMIT_NOFILE, &lim, NULL), 0);
	/* Idle clients on every socket, far more than the daemon may keep open. */
	static int fds[2 * IDLE_CLIENTS];
	int n = 0;
	for (int i = 0; i < IDLE_CLIENTS; i++) {
		fds[n] = connect_idle(itest_run_path(&r, "rpmsg_ctrl0"), SOCK_SEQPACKET);
		n += fds[n] >= 0;
		if (i % 8 == 0) { /* and some on the control socket and a frame socket */
			fds[n] = connect_idle(itest_run_path(&r, "control"), SOCK_STREAM);
			n += fds[n] >= 0;
			fds[n] = connect_idle(itest_run_path(&r, "rpmsg0"), SOCK_SEQPACKET);
			n += fds[n] >= 0;
		}
		if (i % 16 == 0)
			itest_msleep(5); /* let it accept: fill the limit, not only the backlogs */
	}
	itest_msleep(300);
	int open = open_fds(r.pid); /* the limit was reached: the test tests something */
	if (open < FD_LIMIT - 8)
		fail_msg("the daemon has only %d files open; its limit is %d", open, FD_LIMIT);
	/* Idle: about no CPU. A daemon spinning on accept's EMFILE uses a whole core. */
	long hz = sysconf(_SC_CLK_TCK), t0 = cpu_ticks(r.pid);
	itest_msleep(1000);
	long used = cpu_ticks(r.pid) - t0;
	if (used * 5 > hz)
		fail_msg("the daemon used %ld ticks of %ld in one idle second", used, hz);
	/* The control socket still answers (timeout(1): a daemon that never accepts). */
	char cmd[512], out[1024];
	itest_fmt(cmd, sizeof(cmd), "timeout 20 %s ctl %s status", AMPSIM_BIN, r.dir);
	int rc = itest_shell(cmd, out, sizeof(out));
	if (rc != 0 || !strstr(out, "state: running"))
		fail_msg("'ampsim ctl status' exited %d with:\n%s", rc, out);
	/* Once the clients leave, everything works again. */
	for (int i = 0; i < n; i++)
		close(fds[i]);
	int fd = -1;
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS; fd < 0 && itest_now_ms() < end;) {
		itest_msleep(50);
		fd = connect_idle(itest_run_path(&r, "rpmsg0"), SOCK_SEQPACKET);
		char buf[8];
		if (fd >= 0 && (write(fd, "hi", 2) != 2 ||
				itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS) != 2)) {
			close(fd);
			fd = -1;
		}
	}
	assert_true(fd >= 0);
	close(fd);
	itest_run_stop(&r, SIGINT);
}

/* Connections that never send a request cannot keep `ampsim ctl` out: beyond 8 waiting,
 * the oldest is closed with a line saying why. */
static void idle_control_connections_cannot_keep_ctl_out(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "control");
	int idle[20];
	for (int i = 0; i < 20; i++) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", itest_run_path(&r, "control"));
		idle[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_int_equal(connect(idle[i], (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	assert_non_null(strstr(itest_ctl(&r, "status"), "state: running"));
	char buf[128];
	ssize_t n = itest_read_within(idle[0], buf, sizeof(buf) - 1, ITEST_REPLY_MS);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "too many control connections without a request"));
	for (int i = 0; i < 20; i++)
		close(idle[i]);
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(the_users_files_survive_start_stop_kill_and_cleanup,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(a_foreign_file_where_a_socket_goes_is_refused,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(sockets_are_0600_whatever_the_umask, itest_run_teardown),
	    cmocka_unit_test_teardown(loose_or_foreign_run_dirs_are_refused, itest_run_teardown),
	    cmocka_unit_test_teardown(another_uid_cannot_connect, itest_run_teardown),
	    cmocka_unit_test_teardown(idle_clients_at_the_fd_limit_cost_nothing_and_ctl_answers,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(idle_control_connections_cannot_keep_ctl_out,
				      itest_run_teardown),
	};
	return cmocka_run_group_tests_name("run directory", tests, NULL, NULL);
}
