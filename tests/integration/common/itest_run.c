/* `ampsim run` as a child of an integration test; see itest.h. */
#define _GNU_SOURCE
#include "itest.h"

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_LIVE 4
#define MAX_OPTS 10

/* Daemons started and not yet stopped: what the teardown kills after a failed test. */
static pid_t live[MAX_LIVE];

static void track(pid_t pid, pid_t replace)
{
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i] == replace) {
			live[i] = pid;
			return;
		}
	}
	if (pid)
		fail_msg("more than %d ampsim runs at once", MAX_LIVE);
}

/* Stderr of the daemon: @errlog if set (created, truncated), else left as it is. */
static void child_exec(const char *const *argv, const char *errlog)
{
	int null = open("/dev/null", O_WRONLY);
	if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
		_exit(126);
	if (errlog) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(126);
	}
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

void itest_run_start(struct itest_run *r, const char *fw, const char *const *opts)
{
	const char *argv[6 + 2 * MAX_OPTS];
	int n = 0;
	for (int i = 0; r->wrap && r->wrap[i]; i++) {
		if (i == MAX_OPTS)
			fail_msg("a wrapper of more than %d words", MAX_OPTS);
		argv[n++] = r->wrap[i];
	}
	argv[n++] = AMPSIM_BIN;
	argv[n++] = "run";
	argv[n++] = "--run-dir";
	if (!r->keep_dir)
		itest_fmt(r->dir, sizeof(r->dir), "%s", itest_scratch_path("run"));
	argv[n++] = r->dir;
	if (!r->errlog) /* --quiet unless the test reads the log */
		argv[n++] = "--quiet";
	for (int i = 0; opts && opts[i]; i++) {
		if (i == MAX_OPTS)
			fail_msg("more than %d options for ampsim run", MAX_OPTS);
		argv[n++] = opts[i];
	}
	argv[n++] = fw;
	argv[n] = NULL;
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0)
		child_exec(argv, r->errlog);
	track(r->pid, 0);
}

void itest_run_boot(struct itest_run *r, const char *fw, const char *const *opts, const char *entry)
{
	itest_run_start(r, fw, opts);
	if (!itest_run_wait(r, entry, ITEST_BOOT_MS))
		fail_msg("%s did not appear within %d ms of starting %s", itest_run_path(r, entry),
			 ITEST_BOOT_MS, fw);
}

void itest_run_stop(struct itest_run *r, int sig)
{
	int status;
	track(0, r->pid);
	kill(r->pid, sig);
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS; itest_now_ms() < end;) {
		if (waitpid(r->pid, &status, WNOHANG) == r->pid) {
			if (sig != SIGKILL && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
				fail_msg("ampsim run ended with status 0x%x after signal %d",
					 status, sig);
			return;
		}
		itest_msleep(10);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &status, 0);
	fail_msg("ampsim run did not exit within %d ms of signal %d", ITEST_REPLY_MS, sig);
}

int itest_run_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < MAX_LIVE; i++) {
		if (live[i] <= 0)
			continue;
		kill(live[i], SIGINT);
		for (int t = 0; t < 500 && waitpid(live[i], NULL, WNOHANG) == 0; t++)
			itest_msleep(10);
		kill(live[i], SIGKILL);
		waitpid(live[i], NULL, 0);
		live[i] = 0;
	}
	return 0;
}

const char *itest_run_path(const struct itest_run *r, const char *name)
{
	static char buf[4][256];
	static unsigned i;
	char *p = buf[i++ % 4];
	itest_fmt(p, sizeof(buf[0]), "%s/%s", r->dir, name);
	return p;
}

bool itest_run_wait(const struct itest_run *r, const char *name, int ms)
{
	return itest_wait_path(itest_run_path(r, name), true, ms);
}

const char *itest_ctl(const struct itest_run *r, const char *cmd)
{
	static char out[16384];
	const char *argv[] = {AMPSIM_BIN, "ctl", r->dir, cmd, NULL};
	itest_capture(argv, out, sizeof(out));
	return out;
}

int itest_fw_pid(const struct itest_run *r)
{
	const char *s = strstr(itest_ctl(r, "status"), "firmware pid: ");
	return s ? atoi(s + strlen("firmware pid: ")) : -1;
}

long itest_stat(const struct itest_run *r, const char *name)
{
	const char *out = itest_ctl(r, "stats");
	const char *p = strstr(out, name);
	if (!p)
		fail_msg("no counter \"%s\" in 'ampsim ctl stats':\n%s", name, out);
	return strtol(p + strlen(name), NULL, 10);
}

uint32_t itest_fw_addr(const struct itest_run *r, const char *name)
{
	const char *line = strstr(itest_ctl(r, "endpoints"), name);
	assert_non_null(line);
	const char *f = strstr(line, "firmware 0x");
	assert_non_null(f);
	return (uint32_t)strtoul(f + strlen("firmware "), NULL, 16);
}

int itest_fw_kill(const struct itest_run *r)
{
	int pid = itest_fw_pid(r);
	if (pid <= 0)
		fail_msg("no firmware runs to kill:\n%s", itest_ctl(r, "status"));
	assert_int_equal(kill(pid, SIGKILL), 0);
	return pid;
}

bool itest_fw_wait_restart(const struct itest_run *r, int old_pid, int ms)
{
	for (int64_t end = itest_now_ms() + ms; itest_now_ms() < end; itest_msleep(20)) {
		int pid = itest_fw_pid(r);
		if (pid > 0 && pid != old_pid)
			return true;
	}
	return false;
}

int itest_run_open_tty(const struct itest_run *r, const char *name)
{
	const char *path = itest_run_path(r, name);
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	struct termios t;
	assert_int_equal(tcgetattr(fd, &t), 0);
	cfmakeraw(&t);
	assert_int_equal(tcsetattr(fd, TCSANOW, &t), 0);
	return fd;
}
