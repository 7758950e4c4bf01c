/*
 * The real RPMsg stacks next to ampsim's own core (docs/real-stacks.md, "Measured"): the echo
 * sample of each (ampsim's echo, OpenAMP's openamp-echo with ST's strict mailbox and with the
 * non-blocking one, RPMsg-Lite's rpmsg-lite-echo) booted
 * side by side through libampsim, measured in the same run in interleaved, rotating rounds:
 * the round trip of one 16-byte message at a time, and the echo throughput of 496-byte
 * messages kept in flight as far as the host's TX buffers allow. Medians over the rounds and
 * ratios to ampsim's echo. Not a test.
 *   bench_stacks [round_trips_per_round] [echo_msgs_per_round] [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/host.h>

#include "bench_cli.h"

#define MAX_ROUNDS 64
#define MTU 496

struct stack {
	const char *name;
	const char *fw;
	struct amp_host *h;
	struct amp_host_chan *chan;
	unsigned got;
	double rt_us[MAX_ROUNDS]; /* per round: microseconds per round trip */
	double tput[MAX_ROUNDS];  /* per round: echoed messages per second */
};

static void channel_new(void *priv, struct amp_host_chan *ch)
{
	if (!strcmp(ch->name, "rpmsg-openamp-demo-channel"))
		((struct stack *)priv)->chan = ch;
}

static void receive(void *priv, struct amp_host_chan *ch, const void *d, size_t len)
{
	(void)ch, (void)d, (void)len;
	((struct stack *)priv)->got++;
}

static const struct amp_host_ops ops = {.channel_new = channel_new, .receive = receive};

static void die(const struct stack *s, const char *what)
{
	fprintf(stderr, "bench_stacks: %s (%s): %s\n", s->name, s->fw, what);
	exit(1);
}

static void boot(struct stack *s)
{
	struct amp_host_cfg cfg = {.rproc = {.firmware = s->fw}, .ops = &ops, .priv = s};
	GError *err = NULL;
	s->h = amp_host_new(&cfg, &err);
	if (!s->h || !amp_host_start(s->h, &err))
		die(s, err->message);
	gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	while (!s->chan && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	if (!s->chan)
		die(s, "no rpmsg-openamp-demo-channel announced within 20 s");
}

/* Run the loop until @want replies, failing after 10 s without progress. */
static void wait_got(struct stack *s, unsigned want)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (s->got < want) {
		unsigned had = s->got;
		g_main_context_iteration(NULL, TRUE);
		if (s->got != had)
			end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
		else if (g_get_monotonic_time() > end)
			die(s, "replies stopped coming");
	}
}

/* @p n round trips of 16 bytes, one at a time; microseconds per round trip. */
static double round_trips(struct stack *s, unsigned n)
{
	static const char msg[16] = "0123456789abcdef";
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++) {
		if (amp_host_send(s->chan, msg, sizeof(msg)) != 0)
			die(s, "send failed");
		wait_got(s, s->got + 1);
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

/* @p n messages of MTU bytes, as many in flight as the TX buffers allow; messages/s. */
static double echo_throughput(struct stack *s, unsigned n)
{
	static char msg[MTU];
	unsigned want = s->got + n;
	gint64 t0 = g_get_monotonic_time();
	for (unsigned sent = 0; sent < n;) {
		int rc = amp_host_send(s->chan, msg, sizeof(msg));
		if (rc == 0)
			sent++;
		else if (rc == AMP_ENOMEM) /* all buffers out: let replies and returns in */
			g_main_context_iteration(NULL, TRUE);
		else
			die(s, amp_strerror(rc));
	}
	wait_got(s, want);
	return n / ((double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(double), cmp);
	return v[n / 2];
}

/*
 * Ratios to ampsim's echo (row 0) are taken round by round, then their median: the stacks of
 * one round ran back to back under the same load, so a busy machine moves both sides of a
 * ratio together while it moves the medians of the figures themselves apart.
 */
static double paired_ratio(const double *v, const double *v0, unsigned rounds)
{
	double q[MAX_ROUNDS];
	for (unsigned r = 0; r < rounds; r++)
		q[r] = v[r] / v0[r];
	return median(q, rounds);
}

static void report(struct stack *st, size_t ns, unsigned n, unsigned m, unsigned rounds)
{
	printf("echo samples side by side, %u interleaved rounds; per round %u round trips of 16 "
	       "bytes, %u echoes of %d bytes\n",
	       rounds, n, m, MTU);
	printf("  %-44s %20s %24s %6s %6s\n", "stack (sample)", "round trip us",
	       "echo msg/s (MB/s)", "RT x", "tput x");
	double rx[8], tx[8];
	for (size_t i = 0; i < ns; i++) { /* before median() sorts the rounds */
		rx[i] = paired_ratio(st[i].rt_us, st[0].rt_us, rounds);
		tx[i] = paired_ratio(st[i].tput, st[0].tput, rounds);
	}
	for (size_t i = 0; i < ns; i++) {
		double rt = median(st[i].rt_us, rounds), tp = median(st[i].tput, rounds);
		char rtc[40], tpc[40];
		snprintf(rtc, sizeof(rtc), "%.1f (min %.1f)", rt, st[i].rt_us[0]);
		snprintf(tpc, sizeof(tpc), "%.0f (%.1f)", tp, tp * MTU / 1e6);
		printf("  %-44s %20s %24s %6.2f %6.2f\n", st[i].name, rtc, tpc, rx[i], tx[i]);
	}
	printf("  medians over the rounds; MB/s is payload each way; RT x and tput x: the median "
	       "of each round's ratio to ampsim's echo\n");
}

int main(int argc, char **argv)
{
	static const char usage[] =
	    "bench_stacks [round_trips_per_round] [echo_msgs_per_round] [rounds]";
	bench_cli_help(argc, argv, usage);
	unsigned n = (unsigned)bench_cli_count(argc, argv, 1, "round trips per round", 2000, 1,
					       10000000, usage);
	unsigned m = (unsigned)bench_cli_count(argc, argv, 2, "echo messages per round", 10000, 1,
					       10000000, usage);
	unsigned rounds =
	    (unsigned)bench_cli_count(argc, argv, 3, "rounds", 9, 1, MAX_ROUNDS, usage);
	if (argc > 4) {
		fprintf(stderr, "bench_stacks: too many arguments\nusage: %s\n", usage);
		return 2;
	}
	struct stack st[] = {
	    {.name = "ampsim core (echo)", .fw = ECHO_FW},
#ifdef OA_ECHO_FW
	    {.name = "OpenAMP, ST strict mailbox (openamp-echo)", .fw = OA_ECHO_FW},
	    {.name = "OpenAMP, non-blocking mailbox (-nonstrict)", .fw = OA_NS_ECHO_FW},
#endif
#ifdef RL_ECHO_FW
	    {.name = "RPMsg-Lite, bare metal (rpmsg-lite-echo)", .fw = RL_ECHO_FW},
	    {.name = "RPMsg-Lite, POSIX threads (-posix)", .fw = RL_POSIX_ECHO_FW},
#endif
	};
	size_t ns = sizeof(st) / sizeof(st[0]);
	for (size_t i = 0; i < ns; i++)
		boot(&st[i]);
	for (size_t i = 0; i < ns; i++) { /* warm up */
		round_trips(&st[i], n / 4 + 1);
		echo_throughput(&st[i], m / 4 + 1);
	}
	for (unsigned r = 0; r < rounds; r++)
		for (size_t k = 0; k < ns; k++) { /* interleaved, rotating: drift hits all */
			struct stack *s = &st[(k + r) % ns];
			s->rt_us[r] = round_trips(s, n);
			s->tput[r] = echo_throughput(s, m);
		}
	report(st, ns, n, m, rounds);
	for (size_t i = 0; i < ns; i++)
		amp_host_free(st[i].h);
	return 0;
}
