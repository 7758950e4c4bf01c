/*
 * The command lines of the benchmark programs: -h or --help prints the usage and exits 0; a
 * count that is not a whole number in its range says which and exits 2 (atoi() read
 * "--help" as 0 and ran an empty benchmark). Header only: bench/vring builds without the
 * simulator's libraries.
 */
#ifndef AMP_BENCH_CLI_H
#define AMP_BENCH_CLI_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* @p usage: the program's name and arguments, as after "usage: ". */
static inline void bench_cli_help(int argc, char **argv, const char *usage)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: %s\n", usage);
			exit(0);
		}
}

/* Argument @p i of argv as a count in [@p min, @p max], @p dflt when it is not given. */
static inline unsigned long long bench_cli_count(int argc, char **argv, int i, const char *what,
						 unsigned long long dflt, unsigned long long min,
						 unsigned long long max, const char *usage)
{
	if (i >= argc)
		return dflt;
	const char *s = argv[i];
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr,
			"%.*s: %s must be a whole number from %llu to %llu, not '%s'\n"
			"usage: %s\n",
			(int)strcspn(usage, " "), usage, what, min, max, s, usage);
		exit(2);
	}
	return v;
}

#endif /* AMP_BENCH_CLI_H */
