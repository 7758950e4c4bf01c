/*
 * What the event trace costs (docs/trace.md): echo round trips through libampsim with no
 * trace and with a trace written to a file (both processes' events), in the same run: two
 * hosts booted side by side, measured in interleaved rounds, medians reported, with the
 * ratio. Not a test.
 *   bench_trace ECHO_FW [round_trips_per_round] [rounds]
 */
#include <stdio.h>

#include <unistd.h>

#include "echo_rounds.h"

int main(int argc, char **argv)
{
	unsigned n, rounds;
	echo_args(argc, argv, "bench_trace ECHO_FW [round_trips_per_round] [rounds]", &n, &rounds);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/bench_trace-%d.json", (int)getpid());
	struct echo_host b[] = {{.name = "no trace (baseline)"}, {.name = "--trace FILE"}};
	size_t nb = sizeof(b) / sizeof(b[0]);
	for (size_t i = 0; i < nb; i++)
		echo_boot(&b[i], argv[1]);
	GError *err = NULL;
	if (!amp_host_trace_start(b[1].h, path, &err)) {
		fprintf(stderr, "bench_trace: %s\n", err->message);
		return 1;
	}
	echo_measure(b, nb, n, rounds);
	echo_print(b, nb, n, rounds);
	/* On a shared machine the minimum is the steadier figure: both are printed. */
	printf("  ratio traced/baseline       %8.2f  (of the minimums %.2f)\n",
	       b[1].us[rounds / 2] / b[0].us[rounds / 2], b[1].us[0] / b[0].us[0]);
	GString *sum = g_string_new(NULL);
	if (amp_host_trace_stop(b[1].h, sum, NULL))
		printf("  %s", sum->str);
	g_string_free(sum, TRUE);
	unlink(path);
	echo_free(b, nb);
	return 0;
}
