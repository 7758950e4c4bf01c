/*
 * The buffer-ownership sanitizer end to end (`ampsim run --sanitize-buffers`,
 * docs/faults.md): each deliberately buggy firmware (fw_bufsan_bug.c) is stopped by the
 * memory checker at its buggy line, and the run records the crash.
 *
 * CHECKER says which checker this build can use on the firmware: "valgrind" (default build:
 * `--wrap valgrind`), "asan" (asan preset: the firmware is an ASan build; valgrind cannot
 * run it) or "none" (tsan). The cases of the other checker skip, saying why.
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
#include <unistd.h>

#include "itest.h"

#define VALGRIND "valgrind -q --error-exitcode=99 --exit-on-first-error=yes"

struct bug {
	int n;		  /* FW_BUG: the executable fw_bufsan_bug<n> */
	const char *name; /* its marker "bufsan-bug: <name>" in BUG_SRC */
	const char *kind; /* what the checker calls the access */
};

static const struct bug write_after_send = {1, "write-after-send", "write"};
static const struct bug read_after_release = {2, "read-after-release", "read"};
static const struct bug double_release = {3, "double-release", "read"};

/* The line of BUG_SRC that carries the bug's marker comment. */
static int bug_line(const struct bug *b)
{
	static char src[16384];
	char marker[64];
	itest_read_file(BUG_SRC, src, sizeof(src));
	itest_fmt(marker, sizeof(marker), "bufsan-bug: %s */", b->name);
	const char *at = strstr(src, marker);
	if (!at)
		fail_msg("no marker '%s' in %s", marker, BUG_SRC);
	int line = 1;
	for (const char *p = src; p < at; p++)
		line += *p == '\n';
	return line;
}

static const char *bug_fw(const struct bug *b)
{
	static char path[512];
	itest_fmt(path, sizeof(path), "%s/fw_bufsan_bug%d", BUG_FW_DIR, b->n);
	return path;
}

/* Send one message on rpmsg0 (the firmware's only channel). */
static void poke(const struct itest_run *r)
{
	assert_true(itest_run_wait(r, "rpmsg0", ITEST_BOOT_MS));
	int fd = itest_connect_seqpacket(itest_run_path(r, "rpmsg0"));
	assert_int_equal(write(fd, "hello", 5), 5);
	close(fd);
}

/* `ctl status` once the firmware crashed (--no-recovery keeps it crashed), or fail. */
static const char *wait_crashed(const struct itest_run *r)
{
	const char *status = "";
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS; itest_now_ms() < end; itest_msleep(50)) {
		status = itest_ctl(r, "status");
		if (strstr(status, "state: crashed"))
			return status;
	}
	fail_msg("the buggy firmware was not stopped; status:\n%s", status);
	return NULL;
}

/*
 * Run bug @b with the sanitizer (and @wrap, if any), provoke it, and check that the run
 * recorded the crash (@exit_text) and the checker's report (@report, @access: its words for
 * the error) names the buggy line.
 */
static void caught(const struct bug *b, const char *wrap, const char *exit_text, const char *report,
		   const char *access)
{
	char log[65536], where[96];
	struct itest_run r = {.errlog = itest_scratch_path("fw-stderr")};
	const char *opts[] = {"--sanitize-buffers", "--no-recovery", wrap ? "--wrap" : NULL, wrap,
			      NULL};
	itest_run_start(&r, bug_fw(b), opts);
	poke(&r);
	const char *status = wait_crashed(&r);
	if (exit_text)
		assert_non_null(strstr(status, exit_text));
	itest_run_stop(&r, SIGINT);
	itest_read_file(r.errlog, log, sizeof(log));
	itest_fmt(where, sizeof(where), "fw_bufsan_bug.c:%d", bug_line(b));
	if (!strstr(log, report) || !strstr(log, access) || !strstr(log, where))
		fail_msg("the report does not show '%s', '%s' at %s:\n%s", report, access, where,
			 log);
}

/* The other checker's cases skip, saying why. */
static bool skip_unless(const char *checker)
{
	if (!strcmp(CHECKER, checker))
		return false;
	if (!strcmp(CHECKER, "valgrind"))
		print_message("skipped: the firmware is not an ASan build; the valgrind_* cases "
			      "check it\n");
	else if (!strcmp(CHECKER, "asan"))
		print_message("skipped: valgrind cannot run an ASan-built firmware; the asan_* "
			      "cases check it\n");
	else
		print_message("skipped: no checker can watch the firmware in this build (valgrind "
			      "cannot run a TSan binary, and it is not an ASan build)\n");
	return true;
}

static void valgrind_case(const struct bug *b)
{
	if (skip_unless("valgrind")) {
		skip();
		return;
	}
	char access[64];
	itest_fmt(access, sizeof(access), "Invalid %s of size", b->kind);
	/* valgrind says where the address lies: in the run's shared object */
	caught(b, VALGRIND, "last crash: exited with status 99", "mapped file /dev/shm/ampsim",
	       access);
}

static void asan_case(const struct bug *b)
{
	if (skip_unless("asan")) {
		skip();
		return;
	}
	char access[64];
	itest_fmt(access, sizeof(access), "%s of size",
		  !strcmp(b->kind, "write") ? "WRITE" : "READ");
	caught(b, NULL, NULL, "ERROR: AddressSanitizer: use-after-poison", access);
}

static void valgrind_write_after_send(void **state)
{
	(void)state;
	valgrind_case(&write_after_send);
}

static void valgrind_read_after_release(void **state)
{
	(void)state;
	valgrind_case(&read_after_release);
}

static void valgrind_double_release(void **state)
{
	(void)state;
	valgrind_case(&double_release);
}

static void asan_write_after_send(void **state)
{
	(void)state;
	asan_case(&write_after_send);
}

static void asan_read_after_release(void **state)
{
	(void)state;
	asan_case(&read_after_release);
}

static void asan_double_release(void **state)
{
	(void)state;
	asan_case(&double_release);
}

/*
 * Without --sanitize-buffers the same bug goes unseen, even under the checker: the
 * firmware keeps answering. (So the catches above are the sanitizer's doing.)
 */
static void unseen_without_the_sanitizer(void **state)
{
	(void)state;
	if (!strcmp(CHECKER, "none")) {
		print_message("skipped: no checker can watch the firmware in this build (valgrind "
			      "cannot run a TSan binary, and it is not an ASan build)\n");
		skip();
		return;
	}
	struct itest_run r = {0};
	const char *opts[] = {"--no-recovery", strcmp(CHECKER, "valgrind") ? NULL : "--wrap",
			      VALGRIND, NULL};
	itest_run_boot(&r, bug_fw(&write_after_send), opts, "rpmsg0");
	int fd = itest_connect_seqpacket(itest_run_path(&r, "rpmsg0"));
	char buf[16];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(write(fd, "hello", 5), 5);
		/* The bug races the host's copy: the answer may carry the stray '!'. */
		assert_int_equal(itest_read_within(fd, buf, sizeof(buf), ITEST_REPLY_MS), 5);
		assert_memory_equal(buf + 1, "ello", 4);
	}
	close(fd);
	assert_non_null(strstr(itest_ctl(&r, "status"), "state: running"));
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(valgrind_write_after_send, itest_run_teardown),
	    cmocka_unit_test_teardown(valgrind_read_after_release, itest_run_teardown),
	    cmocka_unit_test_teardown(valgrind_double_release, itest_run_teardown),
	    cmocka_unit_test_teardown(asan_write_after_send, itest_run_teardown),
	    cmocka_unit_test_teardown(asan_read_after_release, itest_run_teardown),
	    cmocka_unit_test_teardown(asan_double_release, itest_run_teardown),
	    cmocka_unit_test_teardown(unseen_without_the_sanitizer, itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
