/*
 * IPCC round-trip benchmark (a program, not a test): two processes ping-pong on one IPCC
 * channel in the blocking, adaptive and spin modes, against a raw eventfd ping-pong in the
 * same run. Prints median and 99th percentile round trip, each mode's ratio to raw eventfd,
 * the CPU time each process uses while idle for one second, the eventfd writes done
 * and avoided, and whether the targets are met. Then one adaptive ping-pong of
 * long_run round trips (10^6 by default) in a single run. Every waiter blocks without a
 * timeout, as the raw peer does; a watchdog alarm reports a lost IRQ. After every IPCC run
 * the channel's counters must add up in both directions (kicks == IRQs raised == IRQs
 * handled == round trips, nothing coalesced), or the benchmark fails (exit 1).
 *
 *   bench_ipcc [round_trips (default 200000)] [poll_ns (default 50000)]
 *              [long_run (default 1000000; 0 skips it)]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/profile.h>
#include <ampsim/soc.h>
#include <amp/stm32mp1.h>

#include "bench_cli.h"

#define CH AMP_IPCC_CH1
#define IDLE_MS 1000

/*
 * The modes run in turns (ROUNDS rounds of raw, blocking, adaptive, spin), so a change in
 * the machine's load (other tenants of the VM) hits every mode alike, not just one.
 */
#define ROUNDS 5

struct result {
	const char *name;
	uint64_t *lat; /* round trips so far, nlat of them */
	long nlat;
	double median_us, p99_us, idle_host_pct, idle_peer_pct;
	uint32_t writes, avoided;
};

static uint64_t ns_of(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void summarize(struct result *r)
{
	qsort(r->lat, (size_t)r->nlat, sizeof(*r->lat), cmp_u64);
	r->median_us = (double)r->lat[r->nlat / 2] / 1e3;
	r->p99_us = (double)r->lat[(r->nlat * 99) / 100] / 1e3;
}

/* CPU used by this process and by @peer over IDLE_MS of idleness; @idle waits that long. */
static void measure_idle(struct result *r, pid_t peer, void (*idle)(void *), void *arg)
{
	clockid_t pc;
	uint64_t s0, p0, s1, p1;

	if (clock_getcpuclockid(peer, &pc) != 0) {
		r->idle_host_pct = r->idle_peer_pct = -1;
		return;
	}
	s0 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	p0 = ns_of(pc);
	idle(arg);
	s1 = ns_of(CLOCK_PROCESS_CPUTIME_ID);
	p1 = ns_of(pc);
	r->idle_host_pct = (double)(s1 - s0) / (IDLE_MS * 1e4);
	r->idle_peer_pct = (double)(p1 - p0) / (IDLE_MS * 1e4);
}

/* A lost IRQ would block forever: the watchdog turns it into a failure. */
#define WATCHDOG_S 120
static const char *volatile lost_at = "raw eventfd";

static void on_watchdog(int sig)
{
	static const char msg[] = "bench_ipcc: no answer within the watchdog: lost IRQ in ";

	(void)sig;
	amp_soc_unlink_created();
	if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, lost_at, strlen(lost_at)) < 0)
		_exit(2);
	_exit(2);
}

/* Ctrl-C: the shared object goes too (the library installs no signal handler). */
static void on_interrupt(int sig)
{
	amp_soc_unlink_created();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- raw eventfd ---------------------------------------------------------------------- */

static void raw_idle(void *arg)
{
	(void)arg;
	nanosleep(&(struct timespec){IDLE_MS / 1000, 0}, NULL); /* the peer blocks in read() */
}

static void run_raw(struct result *r, long n, bool idle)
{
	uint64_t *lat = r->lat + r->nlat;
	int to_peer = eventfd(0, EFD_CLOEXEC), to_host = eventfd(0, EFD_CLOEXEC);
	uint64_t v = 1;
	pid_t pid = fork();

	if (pid == 0) {
		for (;;) {
			if (read(to_peer, &v, sizeof(v)) != sizeof(v) || v > 1)
				_exit(0);
			v = 1;
			if (write(to_host, &v, sizeof(v)) != sizeof(v))
				_exit(1);
		}
	}
	alarm(WATCHDOG_S);
	for (long i = 0; i < n; i++) {
		uint64_t t0 = ns_of(CLOCK_MONOTONIC);

		v = 1;
		if (write(to_peer, &v, sizeof(v)) != sizeof(v) ||
		    read(to_host, &v, sizeof(v)) != sizeof(v))
			abort();
		lat[i] = ns_of(CLOCK_MONOTONIC) - t0;
	}
	alarm(0);
	r->nlat += n;
	if (idle)
		measure_idle(r, pid, raw_idle, NULL);
	v = 2;
	if (write(to_peer, &v, sizeof(v)) != sizeof(v))
		abort();
	waitpid(pid, NULL, 0);
	close(to_peer);
	close(to_host);
	r->name = "raw eventfd";
	r->writes += (uint32_t)(2 * n);
}

/* ---- IPCC link ------------------------------------------------------------------------ */

static struct amp_ipcc_link peer_link;
static volatile int peer_stop;
static long host_pongs;

static void peer_on_ping(void *arg, uint32_t ch)
{
	(void)arg;
	amp_ipcc_link_kick(&peer_link, ch);
}

static void peer_on_stop(void *arg, uint32_t ch)
{
	(void)arg;
	(void)ch;
	peer_stop = 1;
}

static void host_on_pong(void *arg, uint32_t ch)
{
	(void)arg;
	(void)ch;
	host_pongs++;
}

static void link_idle(void *arg)
{
	struct amp_ipcc_link *l = arg;
	uint64_t end = ns_of(CLOCK_MONOTONIC) + IDLE_MS * 1000000ull;

	while (ns_of(CLOCK_MONOTONIC) < end) {
		uint64_t left = (end - ns_of(CLOCK_MONOTONIC)) / 1000000u;

		amp_ipcc_link_wait_event(l, (int)left + 1);
	}
}

/* Each round trip is one kick and one IRQ each way: anything else is a lost or extra IRQ. */
static void check_counters(struct amp_soc *soc, const char *name, long n)
{
	for (int p = 0; p < 2; p++) {
		const struct amp_ipcc_chan_stats *s = &amp_soc_ipcc(soc)->stats[p][CH];
		/* what the receiver acknowledged is in its own counters */
		uint32_t kicks = s->kicks, raised = s->irq_raised,
			 handled = amp_soc_ipcc(soc)->stats[!p][CH].irq_handled;
		uint32_t coalesced = s->coalesced, efd = s->efd_writes + s->efd_avoided;

		if (kicks != (uint32_t)n || raised != (uint32_t)n || handled != (uint32_t)n ||
		    coalesced != 0 || efd != raised) {
			fprintf(
			    stderr,
			    "bench_ipcc: %s, processor %d, %ld round trips: kicks %u, IRQs "
			    "raised %u, handled %u, coalesced %u, eventfd writes + avoided %u\n",
			    name, p + 1, n, kicks, raised, handled, coalesced, efd);
			exit(1);
		}
	}
}

/* A fresh SoC object and both ends of the link, set up before the fork, so no kick can
 * precede the peer's unmask. */
static void make_links(struct amp_soc *soc, int efds[AMP_IPCC_LINK_NFDS],
		       struct amp_ipcc_link *host, enum amp_ipcc_wait mode, uint32_t poll_ns)
{
	struct amp_soc_layout layout;
	GError *err = NULL;

	if (!amp_profile_load("stm32mp157", &layout, &err)) {
		fprintf(stderr, "%s\n", err->message);
		exit(1);
	}
	if (amp_soc_create(soc, &layout) != AMP_OK || amp_ipcc_efds_create(efds) != AMP_OK) {
		fprintf(stderr, "setup: %s\n", soc->err);
		exit(1);
	}
	struct amp_ipcc_link_cfg hc = {.proc = AMP_IPCC_PROC1, .mode = mode, .poll_ns = poll_ns};
	struct amp_ipcc_link_cfg pc = {.proc = AMP_IPCC_PROC2, .mode = mode, .poll_ns = poll_ns};

	amp_ipcc_link_init(host, &hc, amp_soc_ipcc(soc), soc->ipcc_nchan, efds,
			   amp_soc_asleep(soc));
	amp_ipcc_link_init(&peer_link, &pc, amp_soc_ipcc(soc), soc->ipcc_nchan, efds,
			   amp_soc_asleep(soc));
	amp_ipcc_link_set_handler(&peer_link, CH, peer_on_ping, NULL);
	amp_ipcc_link_set_handler(&peer_link, AMP_IPCC_CH_SHUTDOWN, peer_on_stop, NULL);
	amp_ipcc_link_set_handler(host, CH, host_on_pong, NULL);
}

static void run_ipcc(struct result *r, enum amp_ipcc_wait mode, uint32_t poll_ns, long n, bool idle)
{
	uint64_t *lat = r->lat + r->nlat;
	static const char *names[] = {"ipcc blocking", "ipcc adaptive", "ipcc spin"};
	struct amp_soc soc;
	struct amp_ipcc_link host;
	int efds[AMP_IPCC_LINK_NFDS];
	pid_t pid;

	make_links(&soc, efds, &host, mode, poll_ns);
	pid = fork();
	if (pid == 0) {
		while (!peer_stop) {
			amp_ipcc_link_wait_event(&peer_link, -1);
			amp_ipcc_link_dispatch(&peer_link);
		}
		_exit(0);
	}
	host_pongs = 0;
	lost_at = names[mode];
	alarm(WATCHDOG_S);
	for (long i = 0; i < n; i++) {
		uint64_t t0 = ns_of(CLOCK_MONOTONIC);

		amp_ipcc_link_kick(&host, CH);
		while (host_pongs == i) {
			/* Untimed, as the raw peer's read(): a timed wait costs a poll() more. */
			if (amp_ipcc_link_wait_event(&host, -1) != 1)
				exit(1);
			amp_ipcc_link_dispatch(&host);
		}
		lat[i] = ns_of(CLOCK_MONOTONIC) - t0;
	}
	alarm(0);
	r->nlat += n;
	if (idle)
		measure_idle(r, pid, link_idle, &host);
	amp_ipcc_link_kick(&host, AMP_IPCC_CH_SHUTDOWN);
	waitpid(pid, NULL, 0);
	check_counters(&soc, names[mode], n);
	r->name = names[mode];
	r->writes += amp_soc_ipcc(&soc)->stats[0][CH].efd_writes +
		     amp_soc_ipcc(&soc)->stats[1][CH].efd_writes;
	r->avoided += amp_soc_ipcc(&soc)->stats[0][CH].efd_avoided +
		      amp_soc_ipcc(&soc)->stats[1][CH].efd_avoided;
	amp_ipcc_efds_close(efds);
	amp_soc_destroy(&soc);
}

static void print_table(const struct result *res, long n, uint32_t poll_ns)
{
	printf("IPCC round trip, %ld round trips per mode in %d turns, adaptive poll %u ns\n", n,
	       ROUNDS, poll_ns);
	printf("%-14s %9s %9s %7s %7s %11s %11s %10s %11s\n", "mode", "median us", "p99 us",
	       "x raw", "p99 x", "idle cpu A%", "idle cpu B%", "efd writes", "efd avoided");
	for (int i = 0; i < 4; i++)
		printf("%-14s %9.2f %9.2f %7.2f %7.2f %11.2f %11.2f %10u %11u\n", res[i].name,
		       res[i].median_us, res[i].p99_us, res[i].median_us / res[0].median_us,
		       res[i].p99_us / res[0].p99_us, res[i].idle_host_pct, res[i].idle_peer_pct,
		       res[i].writes, res[i].avoided);
}

/* The targets, each with the figure it is judged on. */
static void print_targets(const struct result *res)
{
	double blk = res[1].median_us / res[0].median_us;
	double idle = res[2].idle_host_pct > res[2].idle_peer_pct ? res[2].idle_host_pct
								  : res[2].idle_peer_pct;

	printf("target blocking median <= 1.10x raw eventfd: %.2fx %s\n", blk,
	       blk <= 1.10 ? "met" : "MISSED");
	printf("target adaptive median < 2 us: %.2f us %s\n", res[2].median_us,
	       res[2].median_us < 2.0 ? "met" : "MISSED");
	printf("target adaptive idle CPU < 1 %% per process: %.2f %% %s\n", idle,
	       idle >= 0 && idle < 1.0 ? "met" : "MISSED");
}

/* One adaptive ping-pong of @n round trips in a single run (no turns), counters checked. */
static void long_run(long n, uint32_t poll_ns)
{
	struct result r = {.lat = calloc((size_t)n, sizeof(uint64_t))};

	if (!r.lat)
		exit(1);
	run_ipcc(&r, AMP_IPCC_WAIT_ADAPTIVE, poll_ns, n, false);
	summarize(&r);
	printf("ipcc adaptive, %ld round trips in one run: median %.2f us, p99 %.2f us; "
	       "kicks == IRQs raised == IRQs handled == %ld both ways\n",
	       n, r.median_us, r.p99_us, n);
	free(r.lat);
}

int main(int argc, char **argv)
{
	static const char usage[] =
	    "bench_ipcc [round trips] [adaptive poll ns] [long-run round trips]";
	bench_cli_help(argc, argv, usage);
	long n = (long)bench_cli_count(argc, argv, 1, "round trips", 200000, 1, 100000000, usage);
	uint32_t poll_ns = (uint32_t)bench_cli_count(
	    argc, argv, 2, "adaptive poll ns", AMP_IPCC_POLL_NS_DEFAULT, 0, 1000000000, usage);
	long long_n = (long)bench_cli_count(argc, argv, 3, "long-run round trips", 1000000, 1,
					    1000000000, usage);
	struct result res[4] = {{0}};
	long chunk;

	if (n < 100 * ROUNDS)
		n = 100 * ROUNDS;
	chunk = n / ROUNDS;
	n = chunk * ROUNDS;
	for (int i = 0; i < 4; i++) {
		res[i].lat = calloc((size_t)n, sizeof(uint64_t));
		if (!res[i].lat)
			return 1;
	}
	amp_soc_unlink_on_exit();
	signal(SIGALRM, on_watchdog);
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	for (int round = 0; round < ROUNDS; round++) {
		bool idle = round == ROUNDS - 1; /* idle CPU: measured once per mode */

		run_raw(&res[0], chunk, idle);
		run_ipcc(&res[1], AMP_IPCC_WAIT_BLOCK, poll_ns, chunk, idle);
		run_ipcc(&res[2], AMP_IPCC_WAIT_ADAPTIVE, poll_ns, chunk, idle);
		run_ipcc(&res[3], AMP_IPCC_WAIT_SPIN, poll_ns, chunk, idle);
	}
	for (int i = 0; i < 4; i++)
		summarize(&res[i]);
	print_table(res, n, poll_ns);
	print_targets(res);
	for (int i = 0; i < 4; i++)
		free(res[i].lat);
	if (long_n > 0)
		long_run(long_n, poll_ns);
	return 0;
}
