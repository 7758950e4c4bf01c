/*
 * rpmsg-sdb throughput (a program, not a test). In one run, with medians over trials:
 *   - memcpy of 1 MiB blocks on one core: the physical baseline, over the same 8 MiB the
 *     sdb path cycles through (and, for scale, cache-hot and over 64 MiB);
 *   - the sdb path: the sdb sample fills 1 MiB buffers in DDR at DMA speed ("Md") and
 *     reports them; this process waits, asks the size and gives each back (zero copy), and
 *     again while also reading every byte in place;
 *   - the direct path: the same bytes as 496-byte RPMsg messages to the bench sample
 *     through the frame socket, one 2-byte answer per MiB.
 * Prints GB/s and the ratios. Needs the built ampsim, sdb and bench programs.
 *
 *   bench_sdb [trials (default 5)] [MiB per trial (default 2048)]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ampsim/sdb.h>

#include "bench_cli.h"

#define MIB (1u << 20)
#define NBUF 8
#define MTU 496

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

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

/* ---- processes ------------------------------------------------------------------------------ */

static pid_t daemon_pid;

static void start_daemon(const char *dir, const char *fw, const char *wait_path)
{
	pid_t bench = getpid();
	daemon_pid = fork();
	if (daemon_pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != bench)
			_exit(1); /* a killed bench_sdb takes its run with it */
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl(AMPSIM_BIN, "ampsim", "run", "--quiet", "--run-dir", dir, fw, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1000 && access(wait_path, F_OK) != 0; i++)
		usleep(10000);
	if (access(wait_path, F_OK) != 0) {
		fprintf(stderr, "bench_sdb: %s did not appear\n", wait_path);
		exit(1);
	}
}

static void stop_daemon(void)
{
	kill(daemon_pid, SIGINT);
	waitpid(daemon_pid, NULL, 0);
}

/* ---- the three measurements ------------------------------------------------------------------ */

/* memcpy of 1 MiB blocks over a ring of @ring_mib MiB each way: 1 = cache-hot, 64 = DRAM. */
static double memcpy_gbs(unsigned mib, unsigned ring_mib)
{
	static uint8_t *src, *dst;
	static unsigned have;
	if (have != ring_mib) {
		free(src);
		free(dst);
		src = malloc((size_t)ring_mib * MIB);
		dst = malloc((size_t)ring_mib * MIB);
		if (!src || !dst)
			exit(1);
		memset(src, 1, (size_t)ring_mib * MIB);
		memset(dst, 2, (size_t)ring_mib * MIB);
		have = ring_mib;
	}
	double t0 = now_s();
	for (unsigned i = 0; i < mib; i++) {
		size_t off = (size_t)(i % ring_mib) * MIB;
		src[off] = (uint8_t)i; /* keep the copies from being folded away */
		memcpy(dst + off, src + off, MIB);
	}
	double t = now_s() - t0;
	volatile uint8_t sink = dst[0]; /* the copies are used */
	(void)sink;
	return (double)mib * MIB / t / 1e9;
}

static int wait_any(struct amp_sdb *s, struct amp_sdb_buf *b)
{
	struct pollfd p[NBUF];
	for (int i = 0; i < NBUF; i++)
		p[i] = (struct pollfd){.fd = b[i].efd, .events = POLLIN};
	if (poll(p, NBUF, 5000) <= 0)
		return -1;
	for (int i = 0; i < NBUF; i++)
		if ((p[i].revents & POLLIN) && amp_sdb_wait(s, &b[i], 0) == 0)
			return i;
	return -1;
}

static double sdb_gbs(struct amp_sdb *s, struct amp_sdb_buf *b, unsigned mib, bool read)
{
	uint64_t bytes = 0, sum = 0;
	double t0 = now_s();
	for (unsigned r = 0; r < mib; r++) {
		int i = wait_any(s, b);
		uint64_t n;
		if (i < 0 || amp_sdb_get_data_size(s, b[i].idx, &n, NULL) != 0) {
			fprintf(stderr, "bench_sdb: the sdb path stalled\n");
			exit(1);
		}
		for (const uint64_t *w = b[i].data;
		     read && (const uint8_t *)w < (uint8_t *)b[i].data + n; w++)
			sum += *w;
		bytes += n;
		amp_sdb_give_back(s, b[i].idx);
	}
	double t = now_s() - t0;
	volatile uint64_t sink = sum; /* the reads are used */
	(void)sink;
	return (double)bytes / t / 1e9;
}

static int connect_seqpacket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bench_sdb: connect");
		exit(1);
	}
	return fd;
}

/* One MiB per block: an 8-byte "BNCH" header then 496-byte messages; a 2-byte answer. */
static double direct_gbs(int fd, unsigned mib)
{
	static uint8_t msg[MTU];
	memset(msg, 0x5A, sizeof(msg));
	double t0 = now_s();
	for (unsigned r = 0; r < mib; r++) {
		uint32_t hdr[2] = {0x48434E42u, MIB};
		memcpy(msg, hdr, sizeof(hdr));
		size_t left = MIB, first = MTU - sizeof(hdr);
		if (write(fd, msg, MTU) != MTU)
			exit(1);
		left -= first;
		memset(msg, 0x5A, sizeof(hdr));
		while (left > 0) {
			size_t n = left < MTU ? left : MTU;
			if (write(fd, msg, n) != (ssize_t)n)
				exit(1);
			left -= n;
		}
		uint8_t answer[8];
		if (read(fd, answer, sizeof(answer)) != 2)
			exit(1);
	}
	return (double)mib * MIB / (now_s() - t0) / 1e9;
}

int main(int argc, char **argv)
{
	static const char usage[] = "bench_sdb [trials] [MiB per trial]";
	bench_cli_help(argc, argv, usage);
	int trials = (int)bench_cli_count(argc, argv, 1, "trials", 5, 1, 100, usage);
	unsigned mib =
	    (unsigned)bench_cli_count(argc, argv, 2, "MiB per trial", 2048, 1, 1u << 20, usage);
	signal(SIGPIPE, SIG_IGN);
	char dir[64], path[96];
	snprintf(dir, sizeof(dir), "/tmp/ampsim-bench-sdb-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/rpmsg-sdb", dir);

	double mc[100], mw[100], ms[100], zc[100], rd[100], dp[100];
	start_daemon(dir, SDB_FW, path);
	struct amp_sdb *s;
	struct amp_sdb_buf b[NBUF];
	if (amp_sdb_open(path, &s) || amp_sdb_control(s, "Md", 2)) {
		fprintf(stderr, "bench_sdb: cannot use %s\n", path);
		return 1;
	}
	for (int i = 0; i < NBUF; i++)
		if (amp_sdb_alloc(s, MIB, AMP_SDB_TO_LINUX, -1, &b[i]))
			return 1;
	for (int t = 0; t < trials; t++) {
		mc[t] = memcpy_gbs(mib, 1);
		mw[t] = memcpy_gbs(mib, NBUF);
		ms[t] = memcpy_gbs(mib, 64);
		zc[t] = sdb_gbs(s, b, mib, false);
		rd[t] = sdb_gbs(s, b, mib, true);
	}
	amp_sdb_close(s);
	stop_daemon();

	snprintf(path, sizeof(path), "%s/rpmsg0", dir);
	start_daemon(dir, BENCH_FW, path);
	int fd = connect_seqpacket(path);
	unsigned dmib = mib / 64 ? mib / 64 : 1; /* the direct path is far slower */
	for (int t = 0; t < trials; t++)
		dp[t] = direct_gbs(fd, dmib);
	close(fd);
	stop_daemon();

	double m2 = median(ms, trials), w = median(mw, trials);
	double m = median(mc, trials), z = median(zc, trials), r = median(rd, trials),
	       d = median(dp, trials);
	printf("rpmsg-sdb throughput, medians of %d trials (%u MiB each; direct path %u MiB)\n",
	       trials, mib, dmib);
	printf("  memcpy 1 MiB blocks, one core, 1 MiB (cache-hot)  %7.3f GB/s\n", m);
	printf("  memcpy 1 MiB blocks, one core, 64 MiB ring        %7.3f GB/s\n", m2);
	printf("  memcpy 1 MiB blocks, one core, %d MiB ring (= sdb)  %7.3f GB/s  baseline\n", NBUF,
	       w);
	printf("  sdb, %d x 1 MiB buffers, zero copy                 %7.3f GB/s  %5.2fx baseline\n",
	       NBUF, z, z / w);
	printf("  sdb, and the client reads every byte              %7.3f GB/s  %5.2fx baseline\n",
	       r, r / w);
	printf("  direct: 496-byte RPMsg messages (bench sample)    %7.3f GB/s  %5.3fx baseline\n",
	       d, d / w);
	printf("  target sdb >= 0.8x memcpy: %s against the same 8 MiB, %s against 64 MiB (DRAM)\n",
	       z >= 0.8 * w ? "met" : "missed", z >= 0.8 * m2 ? "met" : "missed");
	printf("  sdb / direct                                %7.1fx\n", z / d);
	return 0;
}
