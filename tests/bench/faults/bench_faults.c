/*
 * What a fault plan costs on the hot path (docs/faults.md): echo round trips through
 * libampsim with no plan, with an empty plan (`--faults ''`), and with a plan whose rule
 * sees every answer and never fires, in the same run: three hosts booted side by side,
 * measured in interleaved rounds, medians reported. Not a test.
 *   bench_faults ECHO_FW [round_trips_per_round] [rounds] [none|empty|rule]
 * The last argument runs that host alone (for instruction counts under callgrind, which do
 * not depend on the machine's load: instr_per_rt.sh).
 */
#include <stdio.h>
#include <string.h>

#include <ampsim/faults.h>

#include "echo_rounds.h"

#include "bench_cli.h"

static const char *const keys[] = {"none", "empty", "rule"};
static const char *const plans[] = {NULL, "", "msg:fw->linux drop after=4000000000"};

int main(int argc, char **argv)
{
	unsigned n, rounds;
	echo_args(argc, argv,
		  "bench_faults ECHO_FW [round_trips_per_round] [rounds] [none|empty|rule]", &n,
		  &rounds);
	struct echo_host all[] = {
	    {.name = "no plan"},
	    {.name = "empty plan (--faults '')"},
	    {.name = "1 rule, never fires"},
	};
	size_t first = 0, nb = sizeof(all) / sizeof(all[0]);
	if (argc > 4) {
		while (first < nb && strcmp(argv[4], keys[first]))
			first++;
		if (first == nb) {
			fprintf(stderr, "bench_faults: no plan '%s' (none, empty or rule)\n",
				argv[4]);
			return 2;
		}
		nb = 1;
	}
	struct echo_host *b = &all[first];
	for (size_t i = 0; i < nb; i++) {
		GError *err = NULL;
		echo_boot(&b[i], argv[1]);
		const char *plan = plans[first + i];
		if (plan && !amp_host_faults_add(b[i].h, plan, &err)) {
			fprintf(stderr, "bench_faults: %s\n", err->message);
			return 1;
		}
	}
	echo_measure(b, nb, n, rounds);
	echo_print(b, nb, n, rounds);
	echo_free(b, nb);
	return 0;
}
