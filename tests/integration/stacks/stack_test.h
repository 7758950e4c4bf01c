/* What the real stacks' interop tests share (test_stack_echo.c, test_stack_tty.c). */
#ifndef AMP_STACK_TEST_H
#define AMP_STACK_TEST_H

#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "itest.h"

/* Wait until `ctl stats` shows @p want (a stop completes asynchronously). */
static inline bool stats_show(const struct itest_run *r, const char *want)
{
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS; itest_now_ms() < end; itest_msleep(20))
		if (strstr(itest_ctl(r, "stats"), want))
			return true;
	return false;
}

/* The --wrap command that runs the firmware under valgrind, its log in the scratch
 * directory as vg.<pid> (valgrind_log_empty() reads it). */
static inline void valgrind_wrap(char *wrap, size_t len)
{
	char log[256];
	itest_fmt(log, sizeof(log), "%s/vg.%%p", itest_scratch());
	itest_fmt(wrap, len, "valgrind -q --leak-check=full --show-leak-kinds=all --log-file=%s",
		  log);
}

/* Valgrind's log of firmware @p pid is empty: no error, no leak of any kind. */
static inline void valgrind_log_empty(int pid)
{
	char path[256];
	struct stat st;
	itest_fmt(path, sizeof(path), "%s/vg.%d", itest_scratch(), pid);
	assert_int_equal(stat(path, &st), 0);
	if (st.st_size != 0) {
		char text[4096];
		itest_read_file(path, text, sizeof(text));
		fail_msg("valgrind reported on the firmware:\n%s", text);
	}
}

#endif /* AMP_STACK_TEST_H */
