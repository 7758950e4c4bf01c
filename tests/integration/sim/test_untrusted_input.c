/*
 * What a careless user or a hostile firmware can hand `ampsim` (issue 12, bug 9): bad option
 * values are refused with exit status 2 and nothing leaked (the ASan build checks the
 * leaks), an over-long control request gets an error reply instead of a reset, and text the
 * firmware chose (channel names, trace, answers) reaches the terminal escaped.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "itest.h"

/* `ampsim run ARGS` exits 2 and its output says @expect. */
static void run_refuses(const char *args, const char *expect)
{
	char cmd[1024], out[4096];
	itest_fmt(cmd, sizeof(cmd), "%s run --run-dir %s %s", AMPSIM_BIN,
		  itest_scratch_path("run-bad"), args);
	int rc = itest_shell(cmd, out, sizeof(out));
	if (rc != 2 || !strstr(out, expect))
		fail_msg("'%s' exited %d with:\n%s\nexpected 2 and \"%s\"", args, rc, out, expect);
}

/*
 * A firmware path that does not exist: an option accepted by mistake shows as exit 1
 * ("not found") instead of 2. Under ASan a leak on the error path turns 2 into 1.
 */
#define NOFW "/nonexistent/fw"

static void bad_option_values_exit_2(void **state)
{
	(void)state;
	run_refuses("--watchdog -5 " NOFW, "--watchdog");
	run_refuses("--gdb --gdb-port 70000 " NOFW, "--gdb-port must be 1..65535");
	run_refuses("--ipcc-mode bogus " NOFW, "--ipcc-mode must be blocking, adaptive or spin");
	run_refuses("--host-ipcc-mode sometimes " NOFW,
		    "--host-ipcc-mode must be blocking, adaptive or spin, not 'sometimes'");
	run_refuses("--soc nosuchsoc --watchdog -5 --wrap 'strace -f' --ipcc-mode adaptive " NOFW,
		    "--watchdog");
}

/* gdbserver would take port 0 as "pick one" and tell nobody which: refused, as 1234 was
 * silently used instead. */
static void gdb_port_0_is_refused(void **state)
{
	(void)state;
	run_refuses("--gdb --gdb-port 0 " NOFW, "--gdb-port must be 1..65535");
	run_refuses("--gdb-port 0 " NOFW, "--gdb-port must be 1..65535");
}

static void empty_soc_is_refused(void **state)
{
	(void)state;
	run_refuses("--soc '' " NOFW, "--soc needs a profile name or a path");
}

/* ---- a running daemon --------------------------------------------------------------------- */

struct daemon_run {
	char dir[PATH_MAX], out[PATH_MAX], err[PATH_MAX];
	pid_t pid;
};

/* `ampsim run --verbose` with stdout and stderr in files (itest_run drops stdout). */
static void daemon_start(struct daemon_run *d, const char *fw)
{
	itest_fmt(d->dir, sizeof(d->dir), "%s", itest_scratch_path("run"));
	itest_fmt(d->out, sizeof(d->out), "%s.out", itest_scratch_path("daemon"));
	itest_fmt(d->err, sizeof(d->err), "%s.err", itest_scratch_path("daemon"));
	d->pid = fork();
	assert_true(d->pid >= 0);
	if (d->pid == 0) {
		int o = open(d->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(d->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execl(AMPSIM_BIN, "ampsim", "run", "--run-dir", d->dir, "--verbose", fw, NULL);
		_exit(127);
	}
}

/* SIGINT; it must exit 0 (under ASan: nothing leaked) in time. */
static void daemon_stop(struct daemon_run *d)
{
	int st = 0;
	kill(d->pid, SIGINT);
	for (int64_t end = itest_now_ms() + ITEST_REPLY_MS; itest_now_ms() < end;) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				fail_msg("ampsim run ended with status 0x%x", st);
			return;
		}
		itest_msleep(10);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	fail_msg("ampsim run did not stop within %d ms", ITEST_REPLY_MS);
}

static const char *run_path(const struct daemon_run *d, const char *name)
{
	static char p[PATH_MAX];
	itest_fmt(p, sizeof(p), "%s/%s", d->dir, name);
	return p;
}

/*
 * One request line of @n bytes on the control socket. A request over 255 bytes used to be
 * answered with a reset (ECONNRESET on the client's read, no reply): now the daemon answers
 * with an error saying what is wrong, and then closes.
 */
static void long_control_request_gets_an_error_reply(void **state)
{
	(void)state;
	struct daemon_run d;
	daemon_start(&d, ECHO_FW);
	assert_true(itest_wait_path(run_path(&d, "control"), true, ITEST_BOOT_MS));
	static const size_t sizes[] = {300, 4000, 70000};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		itest_fmt(sa.sun_path, sizeof(sa.sun_path), "%s", run_path(&d, "control"));
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		static char line[70001];
		memset(line, 'x', sizes[i]);
		line[sizes[i]] = '\n';
		/* The daemon may answer (and stop reading) before all of it is sent. */
		for (size_t off = 0; off <= sizes[i];) {
			ssize_t n = send(fd, line + off, sizes[i] + 1 - off, MSG_NOSIGNAL);
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		char reply[512] = "";
		size_t got = 0;
		ssize_t n;
		while ((n = itest_read_within(fd, reply + got, sizeof(reply) - 1 - got,
					      ITEST_REPLY_MS)) > 0)
			got += (size_t)n;
		int e = errno;
		reply[got] = '\0';
		if (n < 0 || !strstr(reply, "error: request longer than 255 bytes"))
			fail_msg("%zu-byte request: read %s after \"%s\"", sizes[i],
				 n < 0 ? strerror(e) : "EOF", reply);
		close(fd);
	}
	/* And the daemon still answers. */
	const char *argv[] = {AMPSIM_BIN, "ctl", d.dir, "status", NULL};
	char out[1024];
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "state: running"));
	daemon_stop(&d);
}

/* No raw ESC, BEL, CSI (8-bit or UTF-8), CR or 0xff in @text, which came from @what. */
static void assert_no_raw_control(const char *what, const char *text)
{
	static const char *const raw[] = {"\x1b", "\x07", "\x9b", "\r", "\xff"};
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		if (strstr(text, raw[i]))
			fail_msg("%s holds the raw byte 0x%02x:\n%s", what,
				 (unsigned char)raw[i][0], text);
}

static void assert_has(const char *what, const char *text, const char *want)
{
	if (!strstr(text, want))
		fail_msg("%s lacks \"%s\":\n%s", what, want, text);
}

/* `ampsim ctl DIR cmd` (or any argv): its output, exit status 0. */
static const char *ctl_of(const struct daemon_run *d, const char *cmd)
{
	static char out[16384];
	const char *argv[] = {AMPSIM_BIN, "ctl", d->dir, cmd, NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	return out;
}

/*
 * A firmware that puts escape sequences in its channel name, its trace, its trace buffer's
 * name and its answers: every place ampsim prints them shows them escaped (\xNN), and
 * valid UTF-8 text ("café") as it is.
 */
static void firmware_text_is_printed_escaped(void **state)
{
	(void)state;
	struct daemon_run d;
	daemon_start(&d, HOSTILE_TEXT_FW);
	assert_true(itest_wait_path(run_path(&d, "rpmsg0"), true, ITEST_BOOT_MS));

	const char *trace = ctl_of(&d, "trace");
	assert_no_raw_control("ctl trace", trace);
	assert_has("ctl trace", trace, "boot \\x1b[31mred\\x1b[0m caf\xc3\xa9 \\xff\\x0d");

	const char *eps = ctl_of(&d, "endpoints");
	assert_no_raw_control("ctl endpoints", eps);
	assert_has("ctl endpoints", eps, "evil\\x1b[2J\\x1b]0;x\\x07");
	assert_no_raw_control("ctl stats", ctl_of(&d, "stats"));
	assert_no_raw_control("ctl status", ctl_of(&d, "status"));

	char out[4096];
	const char *chat[] = {AMPSIM_BIN, "chat", run_path(&d, "rpmsg0"), "hi", NULL};
	assert_int_equal(itest_capture(chat, out, sizeof(out)), 0);
	assert_no_raw_control("ampsim chat", out);
	assert_has("ampsim chat", out, "answer \\x1b[2J\\x9b\\u009b done");

	daemon_stop(&d);
	itest_read_file(d.out, out, sizeof(out));
	assert_no_raw_control("the daemon's standard output", out);
	assert_has("the daemon's standard output", out, "channel \"evil\\x1b[2J\\x1b]0;x\\x07\"");
	assert_has("the daemon's standard output", out, "trace: \"cm4\\x1b[5mlog\"");
	itest_read_file(d.err, out, sizeof(out));
	assert_no_raw_control("the daemon's log", out);
	assert_has("the daemon's log", out, "evil"); /* --verbose logs the name service */
}

/* Send @p msg on @p fd with descriptor @p pass attached (a non-blocking write's verdict goes
 * there, docs/cli.md). */
static void send_with_fd(int fd, const char *msg, int pass)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	memset(&c, 0, sizeof(c));
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = strlen(msg)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof(c.b)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pass, sizeof(int));
	assert_int_equal(sendmsg(fd, &mh, MSG_NOSIGNAL), (ssize_t)strlen(msg));
}

/* A frame socket's client that attaches a full blocking pipe where the daemon answers a
 * non-blocking write: the daemon does not write into it (it would block its loop forever). */
static void a_full_pipe_for_a_verdict_does_not_block_the_daemon(void **state)
{
	(void)state;
	struct itest_run r = {0};
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	char junk[4096] = {0};
	while (write(p[1], junk, sizeof(junk)) > 0)
		;
	assert_int_equal(fcntl(p[1], F_SETFL, 0), 0); /* full, and blocking again */
	char path[600], buf[64];
	itest_fmt(path, sizeof(path), "%s/rpmsg0", r.dir);
	int fd = itest_connect_frames(path);
	send_with_fd(fd, "verdict into a pipe", p[1]);
	/* Still sent (and echoed), and the daemon's loop still answers. */
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), 20000), 19);
	assert_non_null(strstr(itest_ctl(&r, "status"), "state: running"));
	close(fd);
	close(p[0]);
	close(p[1]);
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bad_option_values_exit_2),
	    cmocka_unit_test(gdb_port_0_is_refused),
	    cmocka_unit_test(empty_soc_is_refused),
	    cmocka_unit_test(long_control_request_gets_an_error_reply),
	    cmocka_unit_test(firmware_text_is_printed_escaped),
	    cmocka_unit_test_teardown(a_full_pipe_for_a_verdict_does_not_block_the_daemon,
				      itest_run_teardown),
	};
	return cmocka_run_group_tests_name("untrusted input", tests, NULL, NULL);
}
