/*
 * The in-process round trip a libampsim user sees, against its floor, in one run
 * (docs/performance.md): 16-byte echo round trips through libampsim and the echo firmware
 * vs a raw eventfd ping-pong between two processes, measured in interleaved rounds, medians
 * and ratios reported, with context switches per round trip (both processes, from
 * getrusage and /proc: load-independent). Not a test.
 *   bench_e2e ECHO_FW [round_trips_per_round] [rounds] [floor|inproc]
 * System calls per round trip: run one path under `strace -f -c` with two counts and
 * subtract (docs/performance.md gives the command).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ampsim/host.h>

#define MAX_ROUNDS 64

struct path {
	const char *name;
	double us[MAX_ROUNDS];
	double csw; /* context switches per round trip, both processes, all rounds */
	unsigned long long csw_total, rt_total;
};

/* Voluntary + involuntary context switches of every thread of @p pid so far. */
static unsigned long long proc_csw(int pid)
{
	char dir[64], path[400], line[128];
	unsigned long long sum = 0;
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%.255s/status", dir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		unsigned long long v;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %llu", &v) == 1)
				sum += v;
		fclose(f);
	}
	closedir(d);
	return sum;
}

/* ---- the floor: two processes ping-pong over two eventfds --------------------------------- */

static int ping[2] = {-1, -1}, floor_pid = -1;

static void floor_start(void)
{
	ping[0] = eventfd(0, EFD_CLOEXEC);
	ping[1] = eventfd(0, EFD_CLOEXEC);
	floor_pid = fork();
	if (floor_pid == 0) {
		uint64_t v;
		while (read(ping[0], &v, sizeof(v)) == sizeof(v))
			if (v == UINT64_MAX - 1 || write(ping[1], &v, sizeof(v)) != sizeof(v))
				_exit(0);
		_exit(1);
	}
}

static void floor_stop(void)
{
	uint64_t v = UINT64_MAX - 1;
	if (write(ping[0], &v, sizeof(v)) != sizeof(v))
		kill(floor_pid, SIGKILL);
	waitpid(floor_pid, NULL, 0);
}

static double floor_round_trips(unsigned n)
{
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 1;
		if (write(ping[0], &v, sizeof(v)) != sizeof(v) ||
		    read(ping[1], &v, sizeof(v)) != sizeof(v)) {
			fprintf(stderr, "bench_e2e: eventfd ping-pong failed\n");
			exit(1);
		}
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

/* ---- libampsim + the echo firmware ------------------------------------------------------- */

static struct amp_host *host;
static struct amp_host_chan *chan;
static unsigned got;

static void channel_new(void *priv, struct amp_host_chan *ch)
{
	(void)priv;
	chan = ch;
}

static void receive(void *priv, struct amp_host_chan *ch, const void *d, size_t len)
{
	(void)priv, (void)ch, (void)d, (void)len;
	got++;
}

static const struct amp_host_ops ops = {.channel_new = channel_new, .receive = receive};

static void host_start(const char *fw)
{
	struct amp_host_cfg cfg = {.rproc = {.firmware = fw}, .ops = &ops};
	GError *err = NULL;
	host = amp_host_new(&cfg, &err);
	if (!host || !amp_host_start(host, &err)) {
		fprintf(stderr, "bench_e2e: %s\n", err->message);
		exit(1);
	}
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!chan && g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, TRUE);
	if (!chan) {
		fprintf(stderr, "bench_e2e: the echo firmware announced no channel in 10 s\n");
		exit(1);
	}
}

static double host_round_trips(unsigned n)
{
	static const char msg[16] = "0123456789abcdef";
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++) {
		unsigned want = got + 1;
		if (amp_host_send(chan, msg, sizeof(msg)) != 0) {
			fprintf(stderr, "bench_e2e: send failed\n");
			exit(1);
		}
		while (got < want)
			g_main_context_iteration(NULL, TRUE);
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

/* ---- the run ---------------------------------------------------------------------------- */

static unsigned long long self_csw(void)
{
	return proc_csw(getpid());
}

static void measure(struct path *p, unsigned r, unsigned n, double (*fn)(unsigned), int peer)
{
	unsigned long long c0 = self_csw() + proc_csw(peer);
	p->us[r] = fn(n);
	p->csw_total += self_csw() + proc_csw(peer) - c0;
	p->rt_total += n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_e2e ECHO_FW [round_trips_per_round] [rounds] "
				"[floor|inproc]\n");
		return 2;
	}
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 5000;
	unsigned rounds = argc > 3 ? (unsigned)atoi(argv[3]) : 9;
	const char *only = argc > 4 ? argv[4] : "";
	if (rounds == 0 || rounds > MAX_ROUNDS)
		return 2;
	floor_start();
	host_start(argv[1]);
	struct path fl = {.name = "raw eventfd ping-pong (floor)"};
	struct path in = {.name = "libampsim + echo fw, blocking"};
	floor_round_trips(n / 4 + 1); /* warm up */
	host_round_trips(n / 4 + 1);
	for (unsigned r = 0; r < rounds && n > 0; r++) { /* interleaved, alternating first */
		for (unsigned k = 0; k < 2; k++) {
			if ((k + r) % 2 == 0 && strcmp(only, "inproc") != 0)
				measure(&fl, r, n, floor_round_trips, floor_pid);
			else if ((k + r) % 2 == 1 && strcmp(only, "floor") != 0)
				measure(&in, r, n, host_round_trips, amp_host_fw_pid(host));
		}
	}
	printf("16-byte round trips, %u per round, %u rounds, interleaved (medians)\n", n, rounds);
	printf("  %-32s %9s %7s %10s\n", "path", "us/rt", "ratio", "csw/rt");
	qsort(fl.us, rounds, sizeof(double), cmp);
	qsort(in.us, rounds, sizeof(double), cmp);
	double base = fl.us[rounds / 2];
	struct path *all[] = {&fl, &in};
	for (unsigned i = 0; i < 2 && n > 0; i++)
		printf("  %-32s %9.2f %6.2fx %10.2f\n", all[i]->name, all[i]->us[rounds / 2],
		       all[i]->us[rounds / 2] / base,
		       (double)all[i]->csw_total / (double)all[i]->rt_total);
	amp_host_free(host);
	floor_stop();
	return 0;
}
