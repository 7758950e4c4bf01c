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
#include <stdlib.h>
#include <string.h>

#include <ampsim/faults.h>
#include <ampsim/host.h>

struct bench {
	const char *name;
	const char *plan; /* NULL: none */
	struct amp_host *h;
	struct amp_host_chan *chan;
	unsigned got;
	double us[64]; /* per round: microseconds per round trip */
};

static void channel_new(void *priv, struct amp_host_chan *ch)
{
	((struct bench *)priv)->chan = ch;
}

static void receive(void *priv, struct amp_host_chan *ch, const void *d, size_t len)
{
	(void)ch, (void)d, (void)len;
	((struct bench *)priv)->got++;
}

static const struct amp_host_ops ops = {.channel_new = channel_new, .receive = receive};

static void boot(struct bench *b, const char *fw)
{
	struct amp_host_cfg cfg = {.rproc = {.firmware = fw}, .ops = &ops, .priv = b};
	GError *err = NULL;
	b->h = amp_host_new(&cfg, &err);
	if (!b->h || !amp_host_start(b->h, &err)) {
		fprintf(stderr, "bench_faults: %s\n", err->message);
		exit(1);
	}
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!b->chan && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	if (!b->chan || (b->plan && !amp_host_faults_add(b->h, b->plan, &err))) {
		fprintf(stderr, "bench_faults: %s: no channel or bad plan\n", b->name);
		exit(1);
	}
}

/* @p n round trips of 16 bytes, one at a time; microseconds per round trip. */
static double round_trips(struct bench *b, unsigned n)
{
	static const char msg[16] = "0123456789abcdef";
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++) {
		unsigned want = b->got + 1;
		if (amp_host_send(b->chan, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "bench_faults: send failed\n");
			exit(1);
		}
		while (b->got < want)
			g_main_context_iteration(NULL, TRUE);
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_faults ECHO_FW [round_trips_per_round] [rounds] "
				"[none|empty|rule]\n");
		return 2;
	}
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
	unsigned rounds = argc > 3 ? (unsigned)atoi(argv[3]) : 11;
	if (n == 0 || rounds == 0 || rounds > 64)
		return 2;
	struct bench all[] = {
	    {.name = "no plan"},
	    {.name = "empty plan (--faults '')", .plan = ""},
	    {.name = "1 rule, never fires", .plan = "msg:fw->linux drop after=4000000000"},
	};
	static const char *const keys[] = {"none", "empty", "rule"};
	struct bench *b = all;
	size_t nb = sizeof(all) / sizeof(all[0]);
	if (argc > 4) {
		size_t k = 0;
		while (k < nb && strcmp(argv[4], keys[k]))
			k++;
		if (k == nb)
			return 2;
		b = &all[k];
		nb = 1;
	}
	for (size_t i = 0; i < nb; i++)
		boot(&b[i], argv[1]);
	for (size_t i = 0; i < nb; i++)
		round_trips(&b[i], n / 4 + 1); /* warm up */
	for (unsigned r = 0; r < rounds; r++)
		for (size_t k = 0; k < nb; k++) { /* interleaved, rotating: drift hits all */
			size_t i = (k + r) % nb;
			b[i].us[r] = round_trips(&b[i], n);
		}
	printf("echo round trips, 16 bytes, %u per round, %u rounds (median us/round trip)\n", n,
	       rounds);
	for (size_t i = 0; i < nb; i++) {
		qsort(b[i].us, rounds, sizeof(double), cmp);
		printf("  %-28s %8.2f  (min %.2f, max %.2f)\n", b[i].name, b[i].us[rounds / 2],
		       b[i].us[0], b[i].us[rounds - 1]);
	}
	for (size_t i = 0; i < nb; i++)
		amp_host_free(b[i].h);
	return 0;
}
