/*
 * The round trip a user sees, against its floor (floors.h), in one run (docs/performance.md):
 * 16-byte echo round trips
 *   - through libampsim and the echo firmware, vs a raw eventfd ping-pong between two
 *     processes (the in-process floor; with both sides polling, adaptive or spin, vs a
 *     ping-pong of a word in shared memory, the polling floor, unless every process shares
 *     one CPU); and the same eventfd ping-pong with this side waiting in a GLib loop, as
 *     libampsim's host does (the floor of any GLib host);
 *   - through `ampsim run`'s frame socket, vs a SOCK_SEQPACKET hop to a relay process that
 *     ping-pongs the eventfd pair (the daemon path's floor), and the same hop with the relay
 *     waiting in a GLib loop (the floor of any GLib daemon);
 * and 496-byte echoes with 16 in flight (messages per second)
 *   - through `ampsim run`'s frame socket and through libampsim, vs a naive 3-process relay
 *     (client -SOCK_SEQPACKET- relay -SOCK_SEQPACKET- echo process, one recv and one send
 *     per message per hop).
 * Each measured in interleaved rounds, medians and ratios reported, with voluntary context
 * switches per round trip or message (every process of the path, from /proc:
 * load-independent, as preemptions are left out), the CPU time its processes used per round
 * trip or message, and the CPUs they kept busy. Not a test.
 *   bench_e2e ECHO_FW [n_per_round] [rounds] [all | PATH[,PATH...]: floor, glib, inproc, hop,
 * hop-glib, daemon, shm, relay, daemon-tput, inproc-tput] [MODE] [any|one|two] [normal|batch]
 * System calls per round trip: run one path under `strace -f -c` with two counts and subtract
 * (docs/performance.md gives the command).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/host.h>

#include "bench_cli.h"
#include "floors.h"

#define MAX_ROUNDS 64

struct path {
	const char *name;
	double us[MAX_ROUNDS];
	double cpu_us[MAX_ROUNDS]; /* CPU time per round trip or message, all its threads */
	double busy[MAX_ROUNDS];   /* CPUs busy meanwhile: that CPU time over the round's */
	unsigned long long csw_total, rt_total;
};

/* What the processes of a path used so far, every thread. */
struct use {
	unsigned long long csw;	   /* voluntary context switches: a thread went to sleep */
	unsigned long long cpu_ns; /* time on a CPU */
};

static void add_task_csw(const char *task, struct use *u)
{
	char path[400], line[128];
	unsigned long long v;
	snprintf(path, sizeof(path), "%s/status", task);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "voluntary_ctxt_switches: %llu", &v) == 1)
			u->csw += v;
	fclose(f);
}

/* Involuntary switches are left out: they count the machine's other load, not the path. The
 * CPU time is the process's CPU clock, which, unlike /proc's figures, includes what a thread
 * running now has used since its last tick (a spinning peer). */
static void proc_use(int pid, struct use *u)
{
	char dir[64], task[320];
	clockid_t clk;
	struct timespec ts;
	if (clock_getcpuclockid(pid, &clk) == 0 && clock_gettime(clk, &ts) == 0)
		u->cpu_ns +=
		    (unsigned long long)ts.tv_sec * 1000000000u + (unsigned long long)ts.tv_nsec;
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	DIR *d = opendir(dir);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.' &&
		    snprintf(task, sizeof(task), "%s/%.255s", dir, e->d_name) < (int)sizeof(task))
			add_task_csw(task, u);
	closedir(d);
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

/* The IPCC wait modes (argv[5]: MODE for both sides, or HOST/FIRMWARE). */
static const char *mode = "blocking", *host_mode = "blocking", *fw_mode = "blocking";

static void host_start(const char *fw)
{
	struct amp_host_cfg cfg = {.rproc = {.firmware = fw},
				   .process = {.ipcc_mode = fw_mode},
				   .ops = &ops,
				   .ipcc_mode = host_mode};
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
			amp_host_iterate(host, TRUE);
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

/* ---- throughput: 496-byte echoes, ECHO_WINDOW in flight ---------------------------------- */

/* Messages per second through libampsim, ECHO_WINDOW in flight. */
static double host_throughput(unsigned n)
{
	static char msg[ECHO_LEN];
	unsigned sent = 0, base = got;
	gint64 t0 = g_get_monotonic_time();
	while (got - base < n) {
		while (sent < n && sent - (got - base) < ECHO_WINDOW) {
			int rc = amp_host_send(chan, msg, sizeof(msg));
			if (rc == AMP_ENOMEM)
				break; /* no TX buffer: the loop returns them */
			if (rc != 0) {
				fprintf(stderr, "bench_e2e: send failed\n");
				exit(1);
			}
			sent++;
		}
		amp_host_iterate(host, TRUE);
	}
	return (double)n * G_USEC_PER_SEC / (double)(g_get_monotonic_time() - t0);
}

/* Stop the firmware as a user would (its shutdown request, then its own exit), so that a
 * profiler running it (instr_per_rt.sh) writes its counts: amp_host_free() kills it. */
static void host_stop(void)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	if (!amp_host_stop(host))
		return;
	while (amp_host_fw_pid(host) > 0 && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
}

/* ---- `ampsim run` with the echo firmware, through its frame socket ----------------------- */

static int daemon_fd = -1, daemon_pid = -1, daemon_fw_pid = -1;
static char run_dir[64];

static void daemon_start(const char *fw)
{
	snprintf(run_dir, sizeof(run_dir), "/tmp/ampsim-bench-e2e-%d", (int)getpid());
	daemon_pid = fork_peer_sig(SIGTERM); /* ampsim run cleans up */
	if (daemon_pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO); /* its boot report would break up the table */
		dup2(null, STDERR_FILENO);
		execl(AMPSIM_BIN, AMPSIM_BIN, "run", "--run-dir", run_dir, "--ipcc-mode", fw_mode,
		      "--host-ipcc-mode", host_mode, fw, (char *)NULL);
		_exit(127);
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/rpmsg0", run_dir);
	for (int i = 0; i < 1000 && daemon_fd < 0; i++) { /* up to 10 s for boot */
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			daemon_fd = fd;
		else
			close(fd), usleep(10000);
	}
	if (daemon_fd < 0) {
		fprintf(stderr, "bench_e2e: %s never appeared (ampsim run failed?)\n", sa.sun_path);
		exit(1);
	}
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", daemon_pid, daemon_pid);
	FILE *f = fopen(path, "r");
	if (!f || fscanf(f, "%d", &daemon_fw_pid) != 1)
		daemon_fw_pid = -1; /* its context switches are then not counted: said below */
	if (f)
		fclose(f);
}

static void daemon_stop(void)
{
	close(daemon_fd);
	kill(daemon_pid, SIGINT);
	waitpid(daemon_pid, NULL, 0);
}

static double daemon_round_trips(unsigned n)
{
	return socket_round_trips(daemon_fd, n);
}

static double daemon_throughput(unsigned n)
{
	return socket_throughput(daemon_fd, n);
}

/*
 * @p only: NULL (every path) or a comma-separated list of paths. chosen(): is path @p key in
 * it; want(): is a path of the family @p key (its name begins so) in it.
 */
static bool in_list(const char *only, const char *key, bool family)
{
	size_t n = strlen(key);
	for (const char *p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && (family || p[n] == ',' || p[n] == '\0'))
			return true;
	return !only;
}

static bool chosen(const char *only, const char *key)
{
	return in_list(only, key, false);
}

static bool want(const char *only, const char *key)
{
	return in_list(only, key, true);
}

/* ---- where the processes run ------------------------------------------------------------- */

/*
 * On this kind of machine the placement decides a blocking round trip more than the code
 * does: a hand-over to a process on the same CPU is a context switch, one to an idle CPU
 * waits for that CPU to wake up. argv[6] fixes it, so that a path and its floor are timed
 * alike: "one" runs every process on CPU 0 (the work alone), "two" this process on CPU 0 and
 * every peer on CPU 1 (every hand-over crosses), "any" leaves it to the scheduler.
 */
static const char *cpus = "any";

/* Every thread of @p pid: @p fn(tid, arg); false if one failed. */
static bool each_thread(int pid, int (*fn)(int, const void *), const void *arg)
{
	char dir[64];
	bool ok = true;
	snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.' && fn(atoi(e->d_name), arg) != 0)
			ok = false;
	if (d)
		closedir(d);
	return d && ok;
}

static int set_affinity(int tid, const void *set)
{
	return sched_setaffinity(tid, sizeof(cpu_set_t), set);
}

static void pin(int pid, int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (!each_thread(pid, set_affinity, &set))
		fprintf(stderr, "bench_e2e: cannot pin %d to CPU %d\n", pid, cpu);
}

static void place_peers(const int *peers, size_t n)
{
	if (strcmp(cpus, "two") != 0)
		return;
	pin(getpid(), 0);
	for (size_t i = 0; i < n; i++)
		if (peers[i] > 0)
			pin(peers[i], 1);
}

/*
 * argv[7]: how the firmware processes are scheduled: "normal" as ampsim starts them
 * (SCHED_OTHER: a doorbell may preempt its sender), or "batch" (SCHED_BATCH: a doorbell
 * wakes the firmware without preempting; the A/B of docs/performance.md).
 */
static const char *fw_sched = "normal";

static int set_batch(int tid, const void *unused)
{
	(void)unused;
	return sched_setscheduler(tid, SCHED_BATCH, &(struct sched_param){0});
}

static void schedule_firmware(const int *fw, size_t n)
{
	for (size_t i = 0; i < n && strcmp(fw_sched, "batch") == 0; i++)
		if (fw[i] > 0 && !each_thread(fw[i], set_batch, NULL))
			fprintf(stderr, "bench_e2e: cannot reschedule firmware %d\n", fw[i]);
}

/* ---- the run ---------------------------------------------------------------------------- */

struct path_def {
	struct path p;
	double (*fn)(unsigned);
	int peers[3];
	unsigned base; /* index of its floor */
	const char *key;
};

/* SPIN: a spinning process takes a CPU for good, so each path's processes run only during
 * its own rounds (SIGSTOP, SIGCONT); the other paths are timed without them. */
static bool spinning(void)
{
	return strcmp(host_mode, "spin") == 0 || strcmp(fw_mode, "spin") == 0;
}

static void signal_peers(const struct path_def *d, int sig)
{
	for (int i = 0; i < 3 && spinning(); i++)
		if (d->peers[i] > 0)
			kill(d->peers[i], sig);
}

static struct use path_use(const struct path_def *d)
{
	struct use u = {0, 0};
	proc_use(getpid(), &u);
	for (int i = 0; i < 3; i++)
		if (d->peers[i] > 0)
			proc_use(d->peers[i], &u);
	return u;
}

static void measure(struct path_def *d, unsigned r, unsigned n)
{
	signal_peers(d, SIGCONT);
	struct use u0 = path_use(d);
	gint64 t0 = g_get_monotonic_time();
	d->p.us[r] = d->fn(n);
	gint64 t1 = g_get_monotonic_time();
	struct use u1 = path_use(d);
	double cpu_us = (double)(u1.cpu_ns - u0.cpu_ns) / 1e3;
	d->p.cpu_us[r] = cpu_us / n;
	d->p.busy[r] = t1 > t0 ? cpu_us / (double)(t1 - t0) : 0;
	d->p.csw_total += u1.csw - u0.csw;
	d->p.rt_total += n;
	signal_peers(d, SIGSTOP);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Sleeps per round trip or message (all rounds), and the medians of CPU time per round trip
 * or message (every thread of the path's processes) and of CPUs busy meanwhile: a path that
 * uses less CPU than its floor and is still slower leaves CPUs idle (its stages wait for each
 * other). */
static void print_use(struct path *p, unsigned rounds)
{
	qsort(p->cpu_us, rounds, sizeof(double), cmp);
	qsort(p->busy, rounds, sizeof(double), cmp);
	printf(" %9.2f %9.2f %6.2f\n", (double)p->csw_total / (double)p->rt_total,
	       p->cpu_us[rounds / 2], p->busy[rounds / 2]);
}

static void report(struct path_def *d, unsigned np, unsigned n, unsigned rounds, const char *only)
{
	printf("16-byte round trips, %u per round, %u rounds, interleaved (medians); IPCC wait "
	       "mode (both sides, or host/firmware): %s; CPUs: %s; firmware scheduling: %s\n",
	       n, rounds, mode, cpus, fw_sched);
	printf("  %-34s %9s %7s %9s %9s %6s\n", "path", "us/rt", "ratio", "sleeps/rt", "cpu us/rt",
	       "CPUs");
	for (unsigned i = 0; i < np; i++)
		qsort(d[i].p.us, rounds, sizeof(double), cmp);
	for (unsigned i = 0; i < np && n > 0; i++) {
		if (!chosen(only, d[i].key))
			continue;
		double us = d[i].p.us[rounds / 2], base = d[d[i].base].p.us[rounds / 2];
		char ratio[16] = "      -"; /* its floor was not measured (one path only) */
		if (base > 0)
			snprintf(ratio, sizeof(ratio), "%6.2fx", us / base);
		printf("  %-34s %9.2f %s", d[i].p.name, us, ratio);
		print_use(&d[i].p, rounds);
	}
}

static void report_tput(struct path_def *d, unsigned np, unsigned n, unsigned rounds,
			const char *only)
{
	printf("%d-byte echoes, %d in flight, %u per round, %u rounds, interleaved (medians); "
	       "CPUs: %s; firmware scheduling: %s\n",
	       ECHO_LEN, ECHO_WINDOW, n, rounds, cpus, fw_sched);
	printf("  %-34s %9s %7s %9s %9s %6s\n", "path", "msg/s", "x relay", "sleeps/msg",
	       "cpu us/msg", "CPUs");
	for (unsigned i = 0; i < np; i++) {
		if (!chosen(only, d[i].key))
			continue;
		qsort(d[i].p.us, rounds, sizeof(double), cmp);
		double v = d[i].p.us[rounds / 2], base = d[d[i].base].p.us[rounds / 2];
		char ratio[16] = "      -";
		if (base > 0 && &d[i] != &d[d[i].base])
			snprintf(ratio, sizeof(ratio), "%6.2fx", v / base);
		printf("  %-34s %9.0f %s", d[i].p.name, v, ratio);
		print_use(&d[i].p, rounds);
	}
}

/* Every selected path once per round, rotating who goes first; a warm-up round before. */
static void run_rounds(struct path_def *d, unsigned np, unsigned n, unsigned rounds,
		       const char *only)
{
	for (unsigned i = 0; i < np; i++)
		signal_peers(&d[i], SIGSTOP);
	for (unsigned i = 0; i < np; i++)
		if (chosen(only, d[i].key)) {
			signal_peers(&d[i], SIGCONT);
			d[i].fn(n / 4 + 1);
			signal_peers(&d[i], SIGSTOP);
		}
	for (unsigned r = 0; r < rounds && n > 0; r++)
		for (unsigned k = 0; k < np; k++) {
			struct path_def *p = &d[(k + r) % np];
			if (chosen(only, p->key))
				measure(p, r, n);
		}
	for (unsigned i = 0; i < np; i++)
		signal_peers(&d[i], SIGCONT);
}

#define USAGE                                                                                     \
	"bench_e2e ECHO_FW [round_trips_per_round] [rounds] [all | PATH[,PATH...]: floor glib "   \
	"inproc hop hop-glib daemon shm relay daemon-tput inproc-tput]\n"                         \
	"  [MODE | HOST_MODE/FW_MODE] [any|one|two] [normal|batch]\n(modes: blocking, adaptive, " \
	"spin; CPUs: any, all on one, peers on another; firmware scheduling: as ampsim starts "   \
	"it, or SCHED_BATCH)"

int main(int argc, char **argv)
{
	bench_cli_help(argc, argv, USAGE);
	if (argc < 2) {
		fprintf(stderr, "usage: %s\n", USAGE);
		return 2;
	}
	unsigned n = (unsigned)bench_cli_count(argc, argv, 2, "round trips per round", 5000, 1,
					       10000000, USAGE);
	unsigned rounds =
	    (unsigned)bench_cli_count(argc, argv, 3, "rounds", 9, 1, MAX_ROUNDS, USAGE);
	const char *only = argc > 4 && strcmp(argv[4], "all") != 0 ? argv[4] : NULL;
	mode = argc > 5 ? argv[5] : mode;
	char *slash = strchr(mode, '/');
	host_mode = slash ? g_strndup(mode, (gsize)(slash - mode)) : mode;
	fw_mode = slash ? slash + 1 : mode;
	cpus = argc > 6 ? argv[6] : cpus;
	fw_sched = argc > 7 ? argv[7] : fw_sched;
	if ((strcmp(cpus, "any") && strcmp(cpus, "one") && strcmp(cpus, "two")) ||
	    (strcmp(fw_sched, "batch") && strcmp(fw_sched, "normal"))) {
		fprintf(stderr,
			"bench_e2e: CPUs must be any, one or two, scheduling normal or "
			"batch\nusage: %s\n",
			USAGE);
		return 2;
	}
	if (strcmp(cpus, "one") == 0)
		pin(getpid(), 0); /* before the peers start: they inherit it */
	signal(SIGPIPE, SIG_IGN);
	/* Only what the chosen path needs runs: an idle spinning peer would take a CPU. */
	/* With no side sleeping, the in-process path's floor is a ping-pong in shared memory,
	 * which needs two CPUs (on one, each turn waits for the other's time slice). */
	bool polling = strcmp(host_mode, "blocking") != 0 && strcmp(fw_mode, "blocking") != 0;
	bool shm_on = polling && want(only, "shm") && strcmp(cpus, "one") != 0;
	bool glib_on = want(only, "glib");
	bool floor_on = want(only, "floor") || want(only, "hop") || glib_on,
	     host_on = want(only, "inproc"), hop_on = want(only, "hop"),
	     relay3_on = want(only, "relay"), daemon_on = want(only, "daemon");
	if (floor_on)
		floor_start();
	if (glib_on)
		glib_floor_start();
	if (want(only, "hop-glib"))
		ghop_start(); /* first: a GLib child must be forked before any thread starts */
	if (shm_on)
		spin_floor_start();
	if (host_on)
		host_start(argv[1]);
	if (hop_on)
		hop_start();
	if (relay3_on)
		relay3_start();
	if (daemon_on)
		daemon_start(argv[1]);
	int fw_pid = host_on ? amp_host_fw_pid(host) : -1;
	struct path_def d[] = {
	    {{.name = "raw eventfd ping-pong (floor)"}, floor_round_trips, {floor_pid}, 0, "floor"},
	    {{.name = "libampsim + echo fw (the mode)"}, host_round_trips, {fw_pid}, 0, "inproc"},
	    {{.name = "eventfd + SEQPACKET hop (floor)"},
	     hop_round_trips,
	     {relay_pid, floor_pid},
	     2,
	     "hop"},
	    {{.name = "ampsim run frame socket"},
	     daemon_round_trips,
	     {daemon_pid, daemon_fw_pid},
	     2,
	     "daemon"},
	    {{.name = "eventfd ping-pong, GLib loop"}, glib_round_trips, {floor_pid}, 0, "glib"},
	    {{.name = "hop, the relay in a GLib loop"},
	     ghop_round_trips,
	     {ghop_pid, ghop_peer},
	     2,
	     "hop-glib"},
	    {{.name = "shared-memory ping-pong (floor)"}, spin_round_trips, {spin_pid}, 6, "shm"},
	};
	d[1].base = shm_on ? 6 : 0;
	struct path_def t[] = {
	    {{.name = "3-process SEQPACKET relay (floor)"},
	     relay3_throughput,
	     {relay3_pid, echo3_pid},
	     0,
	     "relay"},
	    {{.name = "ampsim run frame socket"},
	     daemon_throughput,
	     {daemon_pid, daemon_fw_pid},
	     0,
	     "daemon-tput"},
	    {{.name = "libampsim + echo fw (the mode)"},
	     host_throughput,
	     {fw_pid},
	     0,
	     "inproc-tput"},
	};
	const unsigned np = shm_on ? 7 : 6, nt = sizeof(t) / sizeof(t[0]);
	const int peers[] = {floor_pid,	 fw_pid,	relay_pid, relay3_pid, echo3_pid,
			     daemon_pid, daemon_fw_pid, spin_pid,  ghop_pid,   ghop_peer};
	place_peers(peers, sizeof(peers) / sizeof(peers[0]));
	schedule_firmware((int[]){fw_pid, daemon_fw_pid}, 2);
	bool rt = false, tput = false;
	for (unsigned i = 0; i < np; i++)
		rt |= chosen(only, d[i].key);
	for (unsigned i = 0; i < nt; i++)
		tput |= chosen(only, t[i].key);
	if (rt)
		run_rounds(d, np, n, rounds, only);
	if (tput)
		run_rounds(t, nt, n, rounds, only);
	if (rt)
		report(d, np, n, rounds, only);
	if (tput)
		report_tput(t, nt, n, rounds, only);
	if (daemon_on && daemon_fw_pid < 0)
		printf("  (the daemon's firmware was not found: its switches are not counted)\n");
	if (daemon_on)
		daemon_stop();
	if (hop_on)
		hop_stop();
	if (ghop_pid > 0)
		ghop_stop();
	if (relay3_on)
		relay3_stop();
	if (host_on) {
		host_stop();
		amp_host_free(host);
	}
	if (floor_on)
		floor_stop();
	if (glib_on)
		glib_floor_stop();
	if (shm_on)
		spin_floor_stop();
	return 0;
}
