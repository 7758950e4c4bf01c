/*
 * `ampsim bench`: the seed benchmark (dimtass' "Benchmarking the STM32MP1 IPC between the MCU
 * and CPU") in one command, with its floor measured in the same run (docs/performance.md).
 *
 * It starts `ampsim run` with the bench sample in a private run directory and, over the
 * frame socket (as /dev/rpmsgN), sends blocks of 512 ... 32768 bytes with the bench protocol
 * (fw-sample/bench/README.md: an 8-byte "BNCH" header, then the payload in 496-byte
 * messages; the firmware answers with the count). The floor is the same protocol answered
 * by a local process over a SOCK_SEQPACKET socketpair: what the socket hop costs without
 * the simulator. Paths and floor run in interleaved rounds; medians are reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#include <glib.h>
#include <glib/gstdio.h>

#include "../daemon/commands.h"

#define MTU 496u
#define MAGIC 0x48434E42u /* "BNCH" */
#define NBLOCKS 7u

static const uint32_t block_sizes[NBLOCKS] = {512, 1024, 2048, 4096, 8192, 16384, 32768};
/* The article's board figures, ms per block (STM32MP157C-DK2): its netlink driver, and
 * /dev/ttyRPMSG0 (measured only up to 4 KiB there: larger blocks stalled the tty). */
static const double article_netlink_ms[NBLOCKS] = {21.38, 27.19, 27.43, 31.33,
						   55.59, 88.09, 162.54};
static const double article_tty_ms[NBLOCKS] = {11.97, 15.32, 21.74, 37.64, -1, -1, -1};

struct results {
	double frame_ms[NBLOCKS], floor_ms[NBLOCKS];
	double p50_us, p90_us, p99_us, msgs_per_s;	     /* frame path, 1-message blocks */
	double floor_p50_us, floor_p99_us, floor_msgs_per_s; /* the same on the floor */
};

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One block of @p size payload bytes with the bench protocol; milliseconds, or < 0. */
static double send_block(int fd, uint32_t size)
{
	static uint8_t msg[MTU];
	uint32_t hdr[2] = {MAGIC, size};
	size_t left = size, first = MTU - sizeof(hdr);
	double t0 = now_s();
	memcpy(msg, hdr, sizeof(hdr));
	size_t n = left < first ? left : first;
	if (send(fd, msg, sizeof(hdr) + n, MSG_NOSIGNAL) != (ssize_t)(sizeof(hdr) + n))
		return -1;
	memset(msg, 0x5A, sizeof(hdr));
	for (left -= n; left > 0; left -= n) {
		n = left < MTU ? left : MTU;
		if (send(fd, msg, n, MSG_NOSIGNAL) != (ssize_t)n)
			return -1;
	}
	uint8_t answer[8];
	if (recv(fd, answer, sizeof(answer), 0) != 2 ||
	    (uint32_t)(answer[0] | answer[1] << 8) != (size & 0xFFFFu))
		return -1;
	return (now_s() - t0) * 1e3;
}

/* The floor's peer: counts the announced bytes and answers, as the bench firmware does. */
static void serve_floor(int fd)
{
	uint8_t buf[MTU + 8];
	uint32_t want = 0, got = 0;
	for (ssize_t n; (n = recv(fd, buf, sizeof(buf), 0)) > 0;) {
		uint32_t hdr[2];
		size_t off = 0;
		if (want == 0 && (size_t)n >= sizeof(hdr)) {
			memcpy(hdr, buf, sizeof(hdr));
			if (hdr[0] != MAGIC)
				_exit(1);
			want = hdr[1], got = 0, off = sizeof(hdr);
		}
		got += (uint32_t)((size_t)n - off);
		if (want > 0 && got >= want) {
			uint8_t answer[2] = {(uint8_t)want, (uint8_t)(want >> 8)};
			if (send(fd, answer, sizeof(answer), 0) != 2)
				_exit(1);
			want = 0;
		}
	}
	_exit(0);
}

static int floor_start(pid_t *pid)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	*pid = fork();
	if (*pid == 0) {
		close(sv[0]);
		serve_floor(sv[1]);
	}
	close(sv[1]);
	return *pid < 0 ? -1 : sv[0];
}

/* `ampsim run --run-dir DIR FW` as a child, its output to /dev/null; its frame socket. */
static int run_start(const char *fw, const char *dir, pid_t *pid)
{
	*pid = fork();
	if (*pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl("/proc/self/exe", "ampsim", "run", "--run-dir", dir, fw, (char *)NULL);
		_exit(127);
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/rpmsg0", dir);
	for (int i = 0; i < 1000; i++) { /* 10 s for the boot; it takes milliseconds */
		int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (fd >= 0)
			close(fd);
		if (waitpid(*pid, NULL, WNOHANG) == *pid)
			break;
		usleep(10000);
	}
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Block table: @p reps rounds, frame and floor interleaved; false if a block failed. */
static bool measure_blocks(int frame, int flr, unsigned reps, struct results *r)
{
	double f[NBLOCKS][16], b[NBLOCKS][16];
	for (unsigned i = 0; i < NBLOCKS; i++) /* warm up: first touches, page faults */
		if (send_block(frame, block_sizes[i]) < 0 || send_block(flr, block_sizes[i]) < 0)
			return false;
	for (unsigned k = 0; k < reps; k++)
		for (unsigned i = 0; i < NBLOCKS; i++) {
			f[i][k] = send_block(frame, block_sizes[i]);
			b[i][k] = send_block(flr, block_sizes[i]);
			if (f[i][k] < 0 || b[i][k] < 0)
				return false;
		}
	for (unsigned i = 0; i < NBLOCKS; i++) {
		r->frame_ms[i] = median(f[i], reps);
		r->floor_ms[i] = median(b[i], reps);
	}
	return true;
}

/* @p n one-message blocks (8 payload bytes); percentiles in us and messages per second. */
static bool measure_latency(int fd, unsigned n, double *p50, double *p90, double *p99, double *rate)
{
	double *us = g_new(double, n), t0 = now_s();
	bool ok = true;
	for (unsigned i = 0; i < n && ok; i++) {
		us[i] = send_block(fd, 8) * 1e3;
		ok = us[i] >= 0;
	}
	*rate = n / (now_s() - t0);
	qsort(us, n, sizeof(*us), cmp_double);
	*p50 = us[n / 2], *p90 = us[n * 9 / 10], *p99 = us[n * 99 / 100];
	g_free(us);
	return ok;
}

static double mb_per_s(uint32_t size, double ms)
{
	return ms > 0 ? size / ms / 1e3 : 0;
}

static void print_table(const struct results *r, const char *fw, unsigned reps)
{
	printf(
	    "ampsim bench: the seed benchmark (bench protocol, blocks answered with the count)\n"
	    "firmware %s, frame socket (as /dev/rpmsgN), medians of %u rounds;\n"
	    "floor: the same protocol answered by a local process over a SEQPACKET socketpair\n\n",
	    fw, reps);
	printf("%8s %10s %9s %10s %7s %12s %10s\n", "block", "frame ms", "MB/s", "floor ms",
	       "x floor", "article nl", "article tty");
	for (unsigned i = 0; i < NBLOCKS; i++) {
		char tty[16] = "-";
		if (article_tty_ms[i] > 0)
			snprintf(tty, sizeof(tty), "%.2f", article_tty_ms[i]);
		printf("%8u %10.3f %9.2f %10.3f %6.2fx %12.2f %10s\n", block_sizes[i],
		       r->frame_ms[i], mb_per_s(block_sizes[i], r->frame_ms[i]), r->floor_ms[i],
		       r->frame_ms[i] / r->floor_ms[i], article_netlink_ms[i], tty);
	}
	printf("\nround trips: 16 bytes out, the 2-byte count back  p50 us   p90 us   p99 us    "
	       "msg/s\n");
	printf("  frame socket, blocking                        %8.1f %8.1f %8.1f %8.0f\n",
	       r->p50_us, r->p90_us, r->p99_us, r->msgs_per_s);
	printf("  floor (socketpair to a local process)         %8.1f %8s %8.1f %8.0f\n",
	       r->floor_p50_us, "-", r->floor_p99_us, r->floor_msgs_per_s);
}

static void print_csv(const struct results *r)
{
	printf("block,frame_ms,frame_mb_s,floor_ms,ratio,article_netlink_ms,article_tty_ms\n");
	for (unsigned i = 0; i < NBLOCKS; i++) {
		char tty[16] = ""; /* empty: the article has no tty figure for this size */
		if (article_tty_ms[i] > 0)
			snprintf(tty, sizeof(tty), "%.2f", article_tty_ms[i]);
		printf("%u,%.4f,%.3f,%.4f,%.3f,%.2f,%s\n", block_sizes[i], r->frame_ms[i],
		       mb_per_s(block_sizes[i], r->frame_ms[i]), r->floor_ms[i],
		       r->frame_ms[i] / r->floor_ms[i], article_netlink_ms[i], tty);
	}
	printf("latency,p50_us,p90_us,p99_us,msg_s\nframe,%.2f,%.2f,%.2f,%.0f\n", r->p50_us,
	       r->p90_us, r->p99_us, r->msgs_per_s);
}

static void print_json(const struct results *r, unsigned reps)
{
	printf("{\"rounds\": %u, \"blocks\": [", reps);
	for (unsigned i = 0; i < NBLOCKS; i++) {
		char tty[16] = "null"; /* the article has no tty figure for this size */
		if (article_tty_ms[i] > 0)
			snprintf(tty, sizeof(tty), "%.2f", article_tty_ms[i]);
		printf("%s\n  {\"block\": %u, \"frame_ms\": %.4f, \"frame_mb_s\": %.3f, "
		       "\"floor_ms\": %.4f, \"article_netlink_ms\": %.2f, \"article_tty_ms\": %s}",
		       i ? "," : "", block_sizes[i], r->frame_ms[i],
		       mb_per_s(block_sizes[i], r->frame_ms[i]), r->floor_ms[i],
		       article_netlink_ms[i], tty);
	}
	printf("],\n \"latency_us\": {\"frame\": {\"p50\": %.2f, \"p90\": %.2f, \"p99\": %.2f, "
	       "\"msg_s\": %.0f}, \"floor\": {\"p50\": %.2f, \"p99\": %.2f, \"msg_s\": %.0f}}}\n",
	       r->p50_us, r->p90_us, r->p99_us, r->msgs_per_s, r->floor_p50_us, r->floor_p99_us,
	       r->floor_msgs_per_s);
}

static void stop_child(pid_t pid, int fd)
{
	if (fd >= 0)
		close(fd);
	if (pid > 0) {
		kill(pid, SIGINT);
		waitpid(pid, NULL, 0);
	}
}

static bool run_all(const char *fw, const char *dir, unsigned reps, unsigned n, struct results *r)
{
	pid_t run_pid = -1, floor_pid = -1;
	int frame = run_start(fw, dir, &run_pid), flr = floor_start(&floor_pid);
	bool ok = frame >= 0 && flr >= 0;
	if (frame < 0)
		g_printerr("ampsim bench: 'ampsim run %s' gave no frame socket within 10 s; run it "
			   "by hand to see why\n",
			   fw);
	double p90;
	ok =
	    ok && measure_blocks(frame, flr, reps, r) &&
	    measure_latency(frame, n, &r->p50_us, &r->p90_us, &r->p99_us, &r->msgs_per_s) &&
	    measure_latency(flr, n, &r->floor_p50_us, &p90, &r->floor_p99_us, &r->floor_msgs_per_s);
	if (frame >= 0 && !ok)
		g_printerr("ampsim bench: a block went unanswered or was miscounted: is %s the "
			   "bench sample (fw-sample/bench)?\n",
			   fw);
	stop_child(run_pid, frame);
	stop_child(floor_pid, flr);
	return ok;
}

int amp_cmd_bench(int argc, char **argv)
{
	gboolean quick = FALSE, json = FALSE, csv = FALSE;
	char *fw = NULL;
	GOptionEntry entries[] = {
	    {"quick", 'q', 0, G_OPTION_ARG_NONE, &quick,
	     "A smoke run of a few seconds (1 round, 200 round trips): for CI, not for figures",
	     NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON", NULL},
	    {"csv", 0, 0, G_OPTION_ARG_NONE, &csv, "Print the figures as CSV", NULL},
	    {"firmware", 'f', 0, G_OPTION_ARG_FILENAME, &fw,
	     "The bench sample to boot (default: the one built with this ampsim)", "FILE"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_option_context_set_summary(
	    ctx, "Boot the bench sample under 'ampsim run' and time the seed benchmark's blocks\n"
		 "(512 ... 32768 bytes, answered with the count) over its frame socket, with the\n"
		 "floor (the same protocol over a socketpair) measured in the same run and the\n"
		 "article's board figures alongside; then round-trip percentiles. See\n"
		 "docs/performance.md.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 1 || (json && csv)) {
		g_printerr("ampsim bench: %s\nTry 'ampsim bench --help'.\n",
			   err ? err->message : "unexpected argument, or both --json and --csv");
		return 2;
	}
	g_autofree char *fw_path = fw ? fw : g_strdup(AMP_BENCH_FW);
	if (!g_file_test(fw_path, G_FILE_TEST_IS_EXECUTABLE)) {
		g_printerr("ampsim bench: firmware %s not found; build it (cmake --build --preset "
			   "default) or give it with --firmware\n",
			   fw_path);
		return 1;
	}
	g_autofree char *dir = g_dir_make_tmp("ampsim-bench-XXXXXX", &err);
	if (!dir) {
		g_printerr("ampsim bench: %s\n", err->message);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	unsigned reps = quick ? 1 : 9, n = quick ? 200 : 5000;
	struct results r = {0};
	bool ok = run_all(fw_path, dir, reps, n, &r);
	g_rmdir(dir); /* ampsim run removed its endpoints */
	if (!ok)
		return 1;
	if (json)
		print_json(&r, reps);
	else if (csv)
		print_csv(&r);
	else
		print_table(&r, fw_path, reps);
	return 0;
}
