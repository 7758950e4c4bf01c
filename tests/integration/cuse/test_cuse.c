/*
 * `ampsim run --cuse` where CUSE cannot be used: the run says what is missing and what to
 * use instead (`ampsim exec`), and goes on serving the run directory. The devices
 * themselves are tested under qemu with Debian's kernel (qemu_cuse.sh, test cuse/qemu).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"

static char out[65536];

/* Start a --cuse run with the daemon's stderr in a file; the run must still serve. */
static void run_without_cuse(struct itest_run *r, const char *log)
{
	const char *opts[] = {"--cuse", NULL};
	r->errlog = log;
	itest_run_boot(r, ECHO_FW, opts, "rpmsg0");
	/* The channel still echoes through the run directory. */
	int fd = itest_connect_frames(itest_run_path(r, "rpmsg0"));
	assert_true(fd >= 0);
	assert_int_equal(send(fd, "still here", 10, 0), 10);
	char buf[64];
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), 10);
	assert_memory_equal(buf, "still here", 10);
	close(fd);
	assert_non_null(strstr(itest_ctl(r, "status"), "state: running"));
	assert_non_null(strstr(itest_ctl(r, "endpoints"), "rpmsg-openamp-demo-channel"));
	itest_read_file(log, out, sizeof(out));
	itest_run_stop(r, SIGINT); /* exit status 0: a missing CUSE is no error */
}

static void expect(const char *text)
{
	if (!strstr(out, text))
		fail_msg("\"%s\" is not in the daemon's stderr:\n%s", text, out);
}

/* A device path that does not exist: what a kernel without CUSE and udev gives. */
static void no_cuse_device_goes_on_with_a_clear_message(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char dev[512];
	itest_fmt(dev, sizeof(dev), "%s", itest_scratch_path("no-cuse"));
	setenv("AMPSIM_CUSE_DEVICE", dev, 1);
	run_without_cuse(&r, itest_scratch_path("err.log"));
	unsetenv("AMPSIM_CUSE_DEVICE");
	char want[1024];
	itest_fmt(want, sizeof(want),
		  "ampsim run: --cuse: %s: No such file or directory: this kernel has no CUSE "
		  "(load it with 'modprobe cuse'). Run the Linux program with 'ampsim exec -- "
		  "PROGRAM' instead",
		  dev);
	expect(want);
	expect("; going on without the devices\n");
}

/* This machine's own /dev/cuse (the container's kernel has none: ENOENT, or ENODEV for a
 * node made by hand). Where CUSE works the test is skipped: it would make real devices. */
static void this_kernel_without_cuse(void **state)
{
	(void)state;
	int fd = open("/dev/cuse", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		printf("skipped: this kernel has CUSE (cuse/qemu tests the devices)\n");
		skip();
	}
	int e = errno;
	struct itest_run r = {0};
	run_without_cuse(&r, itest_scratch_path("err.log"));
	char want[256];
	itest_fmt(want, sizeof(want), "ampsim run: --cuse: /dev/cuse: %s: ", strerror(e));
	expect(want);
	expect("Run the Linux program with 'ampsim exec -- PROGRAM' instead");
	expect("; going on without the devices\n");
}

static void help_and_docs_explain_cuse(void **state)
{
	(void)state;
	const char *argv[] = {AMPSIM_BIN, "run", "--help", NULL};
	assert_int_equal(itest_capture(argv, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "--cuse"));
	const char *docs[][3] = {{DOCS_CLI, "--cuse", "/dev/cuse"},
				 {DOCS_LINUX_APPS, "ampsim run --cuse", "mmap"}};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		itest_read_file(docs[i][0], out, sizeof(out));
		for (size_t k = 1; k < 3; k++)
			if (!strstr(out, docs[i][k]))
				fail_msg("%s does not mention %s", docs[i][0], docs[i][k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(no_cuse_device_goes_on_with_a_clear_message,
				      itest_run_teardown),
	    cmocka_unit_test_teardown(this_kernel_without_cuse, itest_run_teardown),
	    cmocka_unit_test(help_and_docs_explain_cuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
