/*
 * `ampsim bench`: the runs it starts and the paths it sends blocks over (bench.h).
 *
 * A block is the seed benchmark's: an 8-byte "BNCH" header announcing the payload length,
 * then the payload, answered with the count (fw-sample/bench/README.md). On the frame
 * socket and the floor it goes as <= 496-byte datagrams, on the tty as one byte stream (the
 * daemon cuts it into messages), on rpmsg-sdb as one shared buffer that the firmware reads
 * and answers with its CRC-32 (docs/sdb.md): three ways the article's Linux side could send.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <zlib.h>

#include "../daemon/ctl.h"
#include "bench.h"

#define MTU 496u
#define MAGIC 0x48434E42u /* "BNCH" */
#define SDB_BUF 32768u	  /* the largest block */
#define WAIT_MS 5000	  /* for one answer; it takes microseconds */

int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double bench_now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* `ampsim run --quiet --run-dir DIR --ipcc-mode MODE --host-ipcc-mode MODE FW` as a child,
 * output to /dev/null: both sides wait the same way. */
bool bench_run_start(const char *fw, const char *mode, struct bench_run *run)
{
	run->dir = g_dir_make_tmp("ampsim-bench-XXXXXX", NULL);
	run->pid = -1;
	if (!run->dir)
		return false;
	pid_t bench = getpid();
	run->pid = fork();
	if (run->pid == 0) {
		/* An ampsim bench that is killed takes its runs with it (they clean up on SIGTERM).
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != bench)
			_exit(1);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execl("/proc/self/exe", "ampsim", "run", "--quiet", "--run-dir", run->dir,
		      "--ipcc-mode", mode, "--host-ipcc-mode", mode, fw, (char *)NULL);
		_exit(127);
	}
	return run->pid > 0;
}

void bench_run_stop(struct bench_run *run)
{
	if (run->pid > 0) {
		kill(run->pid, SIGINT);
		waitpid(run->pid, NULL, 0);
	}
	if (run->dir)
		g_rmdir(run->dir); /* ampsim run removed its endpoints */
	g_free(run->dir);
	run->dir = NULL, run->pid = -1;
}

int bench_connect_seqpacket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* The tty in raw mode (the daemon sets it so; a client must not depend on that). */
static int open_tty(const char *path)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (fd >= 0 && tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		if (tcsetattr(fd, TCSANOW, &t) == 0)
			return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

static bool open_sdb(const char *path, struct bench_target *t)
{
	if (amp_sdb_open(path, &t->sdb) != 0)
		return false;
	if (amp_sdb_alloc(t->sdb, SDB_BUF, AMP_SDB_TO_FIRMWARE, -1, &t->buf) == 0) {
		memset(t->buf.data, 0x5A, SDB_BUF);
		return true;
	}
	amp_sdb_close(t->sdb);
	t->sdb = NULL;
	return false;
}

static bool try_open(const struct bench_run *run, enum bench_path path, struct bench_target *t)
{
	static const char *const file[] = {"rpmsg0", "ttyRPMSG0", "rpmsg-sdb"};
	g_autofree char *p = g_build_filename(run->dir, file[path], NULL);
	if (path == BENCH_SDB)
		return open_sdb(p, t);
	t->fd = path == BENCH_TTY ? open_tty(p) : bench_connect_seqpacket(p);
	return t->fd >= 0;
}

/* Open @p path of @p run, waiting up to 10 s for the firmware to announce it. */
bool bench_target_open(const struct bench_run *run, enum bench_path path, struct bench_target *t)
{
	*t = (struct bench_target){.path = path, .fd = -1};
	for (int i = 0; i < 1000; i++) { /* the boot takes milliseconds */
		if (try_open(run, path, t))
			return true;
		if (waitpid(run->pid, NULL, WNOHANG) == run->pid)
			return false;
		usleep(10000);
	}
	return false;
}

void bench_target_close(struct bench_target *t)
{
	if (t->sdb)
		amp_sdb_close(t->sdb);
	if (t->fd >= 0)
		close(t->fd);
	t->sdb = NULL, t->fd = -1;
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

bool bench_floor_start(struct bench_run *run, struct bench_target *t)
{
	int sv[2];
	*run = (struct bench_run){.pid = -1};
	*t = (struct bench_target){.path = BENCH_FLOOR, .fd = -1};
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	run->pid = fork();
	if (run->pid == 0) {
		close(sv[0]);
		serve_floor(sv[1]);
	}
	close(sv[1]);
	t->fd = sv[0];
	return run->pid > 0;
}

static bool full_write(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w, n -= (size_t)w;
	}
	return true;
}

/* The 2-byte count; a tty may deliver it in two reads. */
static bool read_answer(int fd, uint32_t size, bool stream)
{
	uint8_t a[8];
	size_t got = 0;
	while (got < 2) {
		ssize_t n = read(fd, a + got, stream ? 2 - got : sizeof(a));
		if (n <= 0 || (!stream && n != 2))
			return false;
		got += (size_t)n;
	}
	return (uint32_t)(a[0] | a[1] << 8) == (size & 0xFFFFu);
}

/* Frame socket and floor: header and payload in <= MTU datagrams; tty: one stream. */
static bool send_stream_block(int fd, uint32_t size, bool stream)
{
	static uint8_t block[8 + 32768];
	uint32_t hdr[2] = {MAGIC, size};
	size_t total = sizeof(hdr) + size;
	if (size > sizeof(block) - sizeof(hdr))
		return false;
	memcpy(block, hdr, sizeof(hdr));
	memset(block + sizeof(hdr), 0x5A, size);
	if (stream)
		return full_write(fd, block, total) && read_answer(fd, size, true);
	for (size_t off = 0; off < total; off += MTU) {
		size_t n = total - off < MTU ? total - off : MTU;
		if (send(fd, block + off, n, MSG_NOSIGNAL) != (ssize_t)n)
			return false;
	}
	return read_answer(fd, size, false);
}

/* The CRC-32 the firmware must report for @p size bytes of the buffer's constant fill,
 * computed once per size (outside the timing). */
static uint32_t expected_crc(const struct bench_target *t, uint32_t size)
{
	static uint32_t sizes[16], crcs[16];
	static unsigned n;
	for (unsigned i = 0; i < n; i++)
		if (sizes[i] == size)
			return crcs[i];
	uint32_t crc = (uint32_t)crc32(0L, t->buf.data, size);
	if (n < 16)
		sizes[n] = size, crcs[n++] = crc;
	return crc;
}

/* rpmsg-sdb: the firmware reads the buffer and answers with its CRC-32 (docs/sdb.md). */
static bool send_sdb_block(struct bench_target *t, uint32_t size, uint32_t want)
{
	uint64_t consumed = 0;
	uint32_t crc = ~want;
	return amp_sdb_submit(t->sdb, t->buf.idx, size) == 0 &&
	       amp_sdb_wait(t->sdb, &t->buf, WAIT_MS) == 0 &&
	       amp_sdb_get_data_size(t->sdb, t->buf.idx, &consumed, &crc) == 0 &&
	       consumed == size && crc == want;
}

double bench_block(struct bench_target *t, uint32_t size)
{
	bool sdb = t->path == BENCH_SDB;
	if (sdb && size > SDB_BUF)
		return -1;
	uint32_t want = sdb ? expected_crc(t, size) : 0;
	double t0 = bench_now_s();
	bool ok = sdb ? send_sdb_block(t, size, want)
		      : send_stream_block(t->fd, size, t->path == BENCH_TTY);
	return ok ? (bench_now_s() - t0) * 1e3 : -1;
}

/* Sum the numbers after @p key on every line of @p text that contains @p line_key. */
static uint64_t sum_after(const char *text, const char *line_key, const char *key)
{
	uint64_t sum = 0;
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (char **l = lines; *l; l++) {
		const char *k = strstr(*l, line_key) ? strstr(*l, key) : NULL;
		if (k)
			sum += g_ascii_strtoull(k + strlen(key), NULL, 10);
	}
	return sum;
}

bool bench_counts_read(const struct bench_run *run, struct bench_counts *c)
{
	g_autofree char *path = g_build_filename(run->dir, "control", NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	gboolean ok = FALSE;
	if (amp_ctl_request_within(path, "stats", reply, &ok, WAIT_MS, NULL) != 0 || !ok)
		return false;
	c->msgs = sum_after(reply->str, "rpmsg: sent", "sent ") +
		  sum_after(reply->str, "rpmsg: sent", "received ");
	c->kicks = sum_after(reply->str, "Linux->firmware: kicks", "kicks ");
	c->m4_irqs = sum_after(reply->str, "Linux->firmware: kicks", "IRQs raised ");
	c->linux_irqs = sum_after(reply->str, "firmware->Linux: IRQs", "IRQs handled ");
	return true;
}
