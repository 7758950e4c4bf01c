/* What the real stacks' interop tests share (test_stack_echo.c, test_stack_tty.c). */
#ifndef AMP_STACK_TEST_H
#define AMP_STACK_TEST_H

#include <signal.h>
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

/* Start `ampsim run` with @p fw under valgrind (--wrap), valgrind's log in the scratch
 * directory as vg.<pid> (stop_clean_under_valgrind() reads it). */
static inline void run_start_under_valgrind(struct itest_run *r, const char *fw)
{
	char log[256], wrap[384];
	itest_fmt(log, sizeof(log), "%s/vg.%%p", itest_scratch());
	itest_fmt(wrap, sizeof(wrap),
		  "valgrind -q --leak-check=full --show-leak-kinds=all --log-file=%s", log);
	const char *opts[] = {"--wrap", wrap, NULL};
	itest_run_start(r, fw, opts);
}

/* A CH3 stop, then the daemon's end; valgrind's log of firmware @p pid must be empty: no
 * error, no leak of any kind (the stack's included). */
static inline void stop_clean_under_valgrind(struct itest_run *r, int pid)
{
	assert_non_null(strstr(itest_ctl(r, "stop"), "stopped"));
	assert_true(stats_show(r, "stops 1 (killed 0)"));
	itest_run_stop(r, SIGINT);
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
