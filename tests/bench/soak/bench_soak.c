/*
 * The kill campaign, longer (a program, not a test; the checks are the test's,
 * tests/integration/soak). Each round, in turns so that a change in the machine's load hits
 * every measurement alike:
 *
 *   baseline  the same window of records (4 unanswered on each of 3 paths) echoed by a
 *             forked process over three SOCK_SEQPACKET socketpairs: the raw IPC floor;
 *             and fork + exec + wait of /bin/true: the floor of any restart
 *   no kills  a fresh `ampsim run fw_soak` and the soak client's campaign, no kill
 *   kills     the same with KILLS SIGKILLs at seeded points
 *
 * Prints echoes per second (medians over the rounds, and each one's ratio to the
 * baseline), the recovery time percentiles per path (p50/p90/p99/max from the SIGKILL to
 * the path accepting a client again, and to its first echo from the new instance) with the
 * restart floor, and every violation (any is an error: exit 1).
 *
 *   bench_soak [rounds (5)] [kills per round (20)] [records per path (20000)] [seed]
 *   bench_soak --quick      one short round (a smoke run)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "soak_client.h"

#include "bench_cli.h"

#define MAX_ROUNDS 50
#define WINDOW 4

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The value at quantile @q of @v (sorted in place), nearest rank. */
static double quantile(double *v, size_t n, double q)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_d);
	size_t k = (size_t)ceil(q * (double)n);
	return v[k ? k - 1 : 0];
}

/* ---- baselines --------------------------------------------------------------------------- */

static void echo_child(int fds[SOAK_NCHAN])
{
	struct pollfd p[SOAK_NCHAN];
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
	for (;;) {
		if (poll(p, SOAK_NCHAN, -1) < 0)
			_exit(1);
		for (unsigned i = 0; i < SOAK_NCHAN; i++) {
			uint8_t buf[512];
			if (!p[i].revents)
				continue;
			ssize_t n = recv(fds[i], buf, sizeof(buf), 0);
			if (n <= 0)
				_exit(0);
			if (send(fds[i], buf, (size_t)n, MSG_NOSIGNAL) != n)
				_exit(1);
		}
	}
}

/* Echoes per second over three socketpairs, WINDOW records unanswered on each. */
static double raw_rate(uint32_t per_path)
{
	int mine[SOAK_NCHAN], theirs[SOAK_NCHAN];
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
			exit(1);
		mine[i] = sv[0];
		theirs[i] = sv[1];
	}
	pid_t pid = fork();
	if (pid == 0) {
		for (unsigned i = 0; i < SOAK_NCHAN; i++)
			close(mine[i]); /* so that our close is its EOF */
		echo_child(theirs);
	}
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		close(theirs[i]);
	uint8_t msg[SOAK_HDR + SOAK_MAX_FRAME_PAYLOAD] = {0}, in[512];
	uint32_t sent[SOAK_NCHAN] = {0}, got[SOAK_NCHAN] = {0};
	struct pollfd p[SOAK_NCHAN];
	double t0 = now_s();
	for (uint64_t done = 0; done < (uint64_t)per_path * SOAK_NCHAN;) {
		for (unsigned i = 0; i < SOAK_NCHAN; i++) {
			for (; sent[i] < per_path && sent[i] - got[i] < WINDOW; sent[i]++)
				if (send(mine[i], msg, SOAK_HDR + soak_payload_len(i, 'C', sent[i]),
					 0) < 0)
					exit(1);
			p[i] = (struct pollfd){.fd = mine[i], .events = POLLIN};
		}
		if (poll(p, SOAK_NCHAN, 5000) <= 0)
			exit(1);
		for (unsigned i = 0; i < SOAK_NCHAN; i++)
			if (p[i].revents && recv(mine[i], in, sizeof(in), 0) > 0) {
				got[i]++;
				done++;
			}
	}
	double rate = (double)per_path * SOAK_NCHAN / (now_s() - t0);
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		close(mine[i]);
	waitpid(pid, NULL, 0);
	return rate;
}

/* fork + exec + wait of /bin/true, in ms: median of @n. */
static double spawn_ms(int n)
{
	double v[64];
	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		double t0 = now_s();
		pid_t pid = fork();
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
		v[i] = (now_s() - t0) * 1e3;
	}
	return quantile(v, (size_t)n, 0.5);
}

/* ---- ampsim run ---------------------------------------------------------------------------- */

static pid_t start_run(const char *dir)
{
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(AMPSIM_BIN, "ampsim", "run", "--quiet", "--no-restart-backoff", "--run-dir",
		      dir, SOAK_FW, (char *)NULL);
		_exit(127);
	}
	char path[512];
	snprintf(path, sizeof(path), "%s/rpmsg0", dir);
	for (int i = 0; i < 3000 && access(path, F_OK) != 0; i++)
		usleep(10000);
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "bench_soak: %s did not appear\n", path);
		kill(pid, SIGKILL);
		exit(1);
	}
	return pid;
}

static void stop_run(pid_t pid)
{
	kill(pid, SIGINT);
	waitpid(pid, NULL, 0);
}

/* One campaign on a fresh run; exits on a violation or an incomplete run. */
static void campaign(const char *dir, const struct soak_cfg *base, struct soak_result *res)
{
	struct soak_cfg cfg = *base;
	cfg.rundir = dir;
	pid_t pid = start_run(dir);
	bool ok = soak_run(&cfg, res);
	stop_run(pid);
	if (!ok || soak_violations(res)) {
		soak_print(res, stdout);
		fprintf(stderr, "bench_soak: the campaign %s (seed %" PRIu64 ")\n",
			ok ? "found violations" : "did not complete", cfg.seed);
		exit(1);
	}
}

/* ---- figures ---------------------------------------------------------------------------- */

struct recovery {
	double *v[2 * SOAK_NCHAN + 1]; /* per path back, per path first echo, slowest path back */
	size_t n;
};

static void keep_recovery(struct recovery *rc, const struct soak_result *r)
{
	for (unsigned k = 0; k < r->kills_done; k++) {
		const struct soak_kill *kl = &r->kill[k];
		double slowest = 0;
		for (unsigned i = 0; i < SOAK_NCHAN; i++) {
			rc->v[i][rc->n] = kl->back_ms[i];
			rc->v[SOAK_NCHAN + i][rc->n] = kl->first_echo_ms[i];
			slowest = fmax(slowest, kl->back_ms[i]);
		}
		rc->v[2 * SOAK_NCHAN][rc->n++] = slowest;
	}
}

static void print_row(const char *what, double *v, size_t n, double floor_ms)
{
	size_t m = 0; /* -1: a path that had nothing left to send after the kill */
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0)
			v[m++] = v[i];
	double p50 = quantile(v, m, 0.5);
	printf("  %-24s %5zu %8.2f %8.2f %8.2f %8.2f %8.1fx\n", what, m, p50, quantile(v, m, 0.9),
	       quantile(v, m, 0.99), quantile(v, m, 1.0), p50 / floor_ms);
}

static void print_figures(int rounds, const struct soak_cfg *cfg, double *raw, double *calm,
			  double *rough, double *spawn, struct recovery *rc)
{
	double b = quantile(raw, (size_t)rounds, 0.5), c = quantile(calm, (size_t)rounds, 0.5),
	       k = quantile(rough, (size_t)rounds, 0.5), s = quantile(spawn, (size_t)rounds, 0.5);
	printf("soak benchmark: %d rounds; per round %u records per path on 3 paths, window %d, "
	       "%u kills (seed %" PRIu64 ")\n",
	       rounds, cfg->msgs_per_chan, WINDOW, cfg->kills, cfg->seed);
	printf("echoes per second (median of the rounds)\n");
	printf("  raw socketpair echo, same window and sizes   %9.0f/s  baseline\n", b);
	printf("  ampsim, 3 paths, no kills                    %9.0f/s  %5.3fx baseline\n", c,
	       c / b);
	printf("  ampsim, 3 paths, %3u kills per round          %9.0f/s  %5.3fx baseline, %5.3fx "
	       "no kills\n",
	       cfg->kills, k, k / b, k / c);
	printf(
	    "recovery after SIGKILL, ms (all rounds)    kills      p50      p90      p99      max"
	    "  p50/floor\n");
	printf("  floor: fork+exec+wait /bin/true (median)       %8.2f\n", s);
	static const char *const rows[2 * SOAK_NCHAN + 1] = {
	    "frame back",      "ctrl back",	 "tty back",	    "frame first echo",
	    "ctrl first echo", "tty first echo", "all 3 paths back"};
	for (unsigned i = 0; i < 2 * SOAK_NCHAN + 1; i++)
		print_row(rows[i], rc->v[i], rc->n, s);
}

int main(int argc, char **argv)
{
	static const char usage[] =
	    "bench_soak [rounds] [kills] [records per path] [seed] | --quick";
	bench_cli_help(argc, argv, usage);
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	int rounds =
	    quick ? 1 : (int)bench_cli_count(argc, argv, 1, "rounds", 5, 1, MAX_ROUNDS, usage);
	struct soak_cfg cfg = {
	    .window = WINDOW,
	    .kills =
		quick ? 3 : (unsigned)bench_cli_count(argc, argv, 2, "kills", 20, 0, 1000, usage),
	    .msgs_per_chan = quick ? 500
				   : (uint32_t)bench_cli_count(argc, argv, 3, "records per path",
							       20000, 100, 100000000, usage),
	    .seed =
		bench_cli_count(argc, argv, 4, "seed", (uint64_t)time(NULL), 0, UINT64_MAX, usage),
	    .log = stderr};
	signal(SIGPIPE, SIG_IGN);
	const char *tmp = getenv("TMPDIR");
	char top[256], dir[300];
	snprintf(top, sizeof(top), "%s/ampsim-bench-soak-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(top))
		return 1;
	snprintf(dir, sizeof(dir), "%s/run", top);

	double raw[MAX_ROUNDS], calm[MAX_ROUNDS], rough[MAX_ROUNDS], spawn[MAX_ROUNDS];
	struct recovery rc = {.n = 0};
	for (unsigned i = 0; i < 2 * SOAK_NCHAN + 1; i++)
		rc.v[i] = calloc((size_t)rounds * cfg.kills + 1, sizeof(double));
	for (int r = 0; r < rounds; r++) {
		struct soak_result res;
		struct soak_cfg c = cfg;
		raw[r] = raw_rate(cfg.msgs_per_chan);
		spawn[r] = spawn_ms(quick ? 5 : 50);
		c.kills = 0;
		campaign(dir, &c, &res);
		calm[r] =
		    (double)(res.ch[0].echoed + res.ch[1].echoed + res.ch[2].echoed) / res.seconds;
		soak_result_free(&res);
		c.kills = cfg.kills;
		c.seed = cfg.seed + (uint64_t)r;
		campaign(dir, &c, &res);
		rough[r] =
		    (double)(res.ch[0].echoed + res.ch[1].echoed + res.ch[2].echoed) / res.seconds;
		keep_recovery(&rc, &res);
		soak_result_free(&res);
	}
	print_figures(rounds, &cfg, raw, calm, rough, spawn, &rc);
	for (unsigned i = 0; i < 2 * SOAK_NCHAN + 1; i++)
		free(rc.v[i]);
	rmdir(dir);
	rmdir(top);
	return 0;
}
