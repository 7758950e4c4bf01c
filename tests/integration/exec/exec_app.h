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

#endif /* AMP_EXEC_APP_H */
