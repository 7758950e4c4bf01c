/* The exec tests' way of running a test program under `ampsim exec` (test_exec*.c). */
#ifndef AMP_EXEC_APP_H
#define AMP_EXEC_APP_H

#include <stdlib.h>
#include <string.h>

#include "itest.h"

/*
 * itest_capture() of `ampsim exec ... -- PROGRAM ...`; with AMP_EXEC_VALGRIND set (the
 * memcheck/exec/programs and memcheck/exec/rproc tests), the C programs (*_app) run under valgrind
 * memcheck, the shim inside them checked too: any error or definite leak fails them (exit 99).
 */
static inline int capture_app(const char *const *argv, char *buf, size_t len)
{
	const char *vg = getenv("AMP_EXEC_VALGRIND");
	const char *v[64];
	size_t n = 0, i = 0;
	for (; argv[i] && n < 40; i++) {
		v[n++] = argv[i];
		size_t pl = argv[i + 1] ? strlen(argv[i + 1]) : 0;
		if (vg && !strcmp(argv[i], "--") && pl > 4 &&
		    !strcmp(argv[i + 1] + pl - 4, "_app")) {
			static const char *const words[] = {"valgrind",
							    "-q",
							    "--error-exitcode=99",
							    "--leak-check=full",
							    "--errors-for-leak-kinds=definite",
							    NULL};
			for (size_t w = 0; words[w]; w++)
				v[n++] = words[w];
		}
	}
	v[n] = NULL;
	return itest_capture(v, buf, len);
}

/* capture_app(), failing the test with the program's output unless it exits 0. */
static inline void run_app(const char *const *argv, char *buf, size_t len)
{
	int rc = capture_app(argv, buf, len);
	const char *const *prog = argv;
	while (*prog && strcmp(*prog, "--"))
		prog++;
	if (rc != 0)
		fail_msg("%s exited %d:\n%s", *prog ? prog[1] : argv[0], rc, buf);
}

/*
 * Boot @p fw, wait for @p entry, empty its TX pool (the fault plan's `buf:tx exhaust` until
 * `fault clear`), then run test program @p app on @p dev under `ampsim exec`; @p app gets,
 * as its last argument, the shell command that gives the buffers back. Its output in
 * @p buf; fails the test unless it exits 0.
 */
static inline void run_without_tx_buffers(struct itest_run *r, const char *fw, const char *entry,
					  const char *app, const char *dev, char *buf, size_t len)
{
	itest_run_boot(r, fw, NULL, entry);
	assert_non_null(strstr(itest_ctl(r, "fault add buf:tx exhaust ms=60000 count=1"), "added"));
	char cmd[1024];
	itest_fmt(cmd, sizeof(cmd), "env -u LD_PRELOAD %s ctl %s fault clear >/dev/null",
		  AMPSIM_BIN, r->dir);
	const char *argv[] = {AMPSIM_BIN, "exec", "--run-dir", r->dir, "--", app, dev, cmd, NULL};
	run_app(argv, buf, len);
}

#endif /* AMP_EXEC_APP_H */
