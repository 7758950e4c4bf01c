/* Integration-test helpers that need no daemon; see itest.h. */
#define _GNU_SOURCE
#include "itest.h"

#include <setjmp.h>
#include <stdarg.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int64_t itest_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void itest_msleep(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

bool itest_wait_path(const char *path, bool present, int ms)
{
	for (int64_t end = itest_now_ms() + ms;; itest_msleep(10)) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		if (itest_now_ms() > end)
			return false;
	}
}

ssize_t itest_read_within(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int64_t end = itest_now_ms() + ms;
	int rc;
	/* A signal (a child's SIGCHLD) must not shorten the wait. */
	while ((rc = poll(&p, 1, (int)(end - itest_now_ms() > 0 ? end - itest_now_ms() : 0))) < 0 &&
	       errno == EINTR)
		;
	if (rc <= 0)
		return -1;
	ssize_t n = read(fd, buf, len);
	return n < 0 && errno == EIO ? 0 : n;
}

int itest_connect_seqpacket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		fail_msg("socket path too long: %s", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		fail_msg("connect(%s): %s", path, strerror(errno));
	return fd;
}

/* Read all of @fd into @out (at most @len - 1 bytes kept, the rest dropped). */
static void drain(int fd, char *out, size_t len)
{
	size_t got = 0;
	char sink[4096];
	for (;;) {
		char *to = got < len - 1 ? out + got : sink;
		size_t room = got < len - 1 ? len - 1 - got : sizeof(sink);
		ssize_t n = read(fd, to, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (to != sink)
			got += (size_t)n;
	}
	out[got] = '\0';
}

int itest_capture(const char *const *argv, char *out, size_t len)
{
	int p[2], st;
	if (len == 0 || pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	drain(p[0], out, len);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int itest_shell(const char *cmd, char *out, size_t len)
{
	const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	return itest_capture(argv, out, len);
}

void itest_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		fail_msg("%zu bytes are too few for \"%s\"", len, fmt);
}

void itest_read_file(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	drain(fd, out, len);
	close(fd);
}

bool itest_pid_dead(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return kill(pid, 0) < 0 && errno == ESRCH;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')'); /* after the name, which may hold ") " */
	return rp && (rp[2] == 'Z' || rp[2] == 'X');
}

/* ---- scratch directory ------------------------------------------------------------------ */

static char scratch[96]; /* kept short: see itest_scratch() */
static pid_t scratch_owner;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_scratch(void)
{
	/* Only the process that made it: a forked child that exits must not take it along. */
	if (scratch[0] && getpid() == scratch_owner)
		nftw(scratch, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *itest_scratch(void)
{
	if (scratch[0])
		return scratch;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	/* Short enough that RUNDIR/rpmsg_ctrl0 fits a socket address (108 bytes). */
	if (snprintf(scratch, sizeof(scratch), "%s/ampsim-itest-XXXXXX", tmp) >= 80 ||
	    !mkdtemp(scratch)) {
		scratch[0] = '\0';
		fail_msg("cannot make a scratch directory in %s (is TMPDIR short and writable?)",
			 tmp);
	}
	scratch_owner = getpid();
	atexit(remove_scratch);
	return scratch;
}

const char *itest_scratch_path(const char *stem)
{
	static char buf[4][PATH_MAX];
	static unsigned i, n;
	char *p = buf[i++ % 4];
	snprintf(p, PATH_MAX, "%s/%s-%u", itest_scratch(), stem, ++n);
	return p;
}
