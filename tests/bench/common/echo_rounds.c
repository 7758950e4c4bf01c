/* The libampsim benchmarks' echo hosts and rounds; see echo_rounds.h. */
#include "echo_rounds.h"

#include <stdio.h>
#include <stdlib.h>

#include "bench_cli.h"

static void channel_new(void *priv, struct amp_host_chan *ch)
{
	((struct echo_host *)priv)->chan = ch;
}

static void receive(void *priv, struct amp_host_chan *ch, const void *d, size_t len)
{
	(void)ch, (void)d, (void)len;
	((struct echo_host *)priv)->got++;
}

static const struct amp_host_ops ops = {.channel_new = channel_new, .receive = receive};

void echo_args(int argc, char **argv, const char *usage, unsigned *n, unsigned *rounds)
{
	bench_cli_help(argc, argv, usage);
	if (argc < 2) {
		fprintf(stderr, "usage: %s\n", usage);
		exit(2);
	}
	*n = (unsigned)bench_cli_count(argc, argv, 2, "round trips per round", 2000, 1, 10000000,
				       usage);
	*rounds = (unsigned)bench_cli_count(argc, argv, 3, "rounds", 11, 1, ECHO_ROUNDS_MAX, usage);
}

void echo_boot(struct echo_host *b, const char *fw)
{
	struct amp_host_cfg cfg = {.rproc = {.firmware = fw}, .ops = &ops, .priv = b};
	GError *err = NULL;
	b->h = amp_host_new(&cfg, &err);
	if (!b->h || !amp_host_start(b->h, &err)) {
		fprintf(stderr, "%s: %s\n", b->name, err->message);
		exit(1);
	}
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!b->chan && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	if (!b->chan) {
		fprintf(stderr, "%s: the firmware announced no channel within 10 s\n", b->name);
		exit(1);
	}
}

/* @p n round trips of 16 bytes, one at a time; microseconds per round trip. */
static double round_trips(struct echo_host *b, unsigned n)
{
	static const char msg[16] = "0123456789abcdef";
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++) {
		unsigned want = b->got + 1;
		if (amp_host_send(b->chan, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "%s: send failed\n", b->name);
			exit(1);
		}
		while (b->got < want)
			g_main_context_iteration(NULL, TRUE);
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

void echo_measure(struct echo_host *b, size_t nb, unsigned n, unsigned rounds)
{
	for (size_t i = 0; i < nb; i++)
		round_trips(&b[i], n / 4 + 1); /* warm up */
	for (unsigned r = 0; r < rounds; r++)
		for (size_t k = 0; k < nb; k++) { /* interleaved, rotating: drift hits all */
			size_t i = (k + r) % nb;
			b[i].us[r] = round_trips(&b[i], n);
		}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void echo_print(struct echo_host *b, size_t nb, unsigned n, unsigned rounds)
{
	printf("echo round trips, 16 bytes, %u per round, %u rounds (median us/round trip)\n", n,
	       rounds);
	for (size_t i = 0; i < nb; i++) {
		qsort(b[i].us, rounds, sizeof(double), cmp);
		printf("  %-28s %8.2f  (min %.2f, max %.2f)\n", b[i].name, b[i].us[rounds / 2],
		       b[i].us[0], b[i].us[rounds - 1]);
	}
}

void echo_free(struct echo_host *b, size_t nb)
{
	for (size_t i = 0; i < nb; i++)
		amp_host_free(b[i].h);
}
