/*
 * What the libampsim benchmarks share (tests/bench/faults, tests/bench/trace): echo hosts
 * booted side by side, 16-byte round trips measured in interleaved, rotating rounds so
 * that drift hits every host alike, medians printed. Failures exit the program.
 */
#ifndef AMP_BENCH_ECHO_ROUNDS_H
#define AMP_BENCH_ECHO_ROUNDS_H

#include <stddef.h>

#include <ampsim/host.h>

#define ECHO_ROUNDS_MAX 64

struct echo_host {
	const char *name;
	struct amp_host *h;
	struct amp_host_chan *chan;
	unsigned got;
	double us[ECHO_ROUNDS_MAX]; /* per round: microseconds per round trip */
};

/* argv[2] round trips per round (default 2000), argv[3] rounds (default 11); exit 2 with
 * @p usage when they are out of range. */
void echo_args(int argc, char **argv, const char *usage, unsigned *n, unsigned *rounds);

/* Boot @p fw under libampsim for @p b and wait (10 s at most) for its channel. */
void echo_boot(struct echo_host *b, const char *fw);

/* Warm up, then @p rounds rounds of @p n round trips on each host, interleaved. */
void echo_measure(struct echo_host *b, size_t nb, unsigned n, unsigned rounds);

/* One line per host: the median, the minimum and the maximum (sorts each host's rounds). */
void echo_print(struct echo_host *b, size_t nb, unsigned n, unsigned rounds);

void echo_free(struct echo_host *b, size_t nb);

#endif /* AMP_BENCH_ECHO_ROUNDS_H */
