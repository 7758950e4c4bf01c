/*
 * The hostile-firmware campaign as a test: `ampsim run` (this build's: ASan+UBSan in the
 * asan preset) runs hostile_fw, whose seeded thread makes HOSTILE_COUNT corruptions of the
 * shared object (hostile_fw.c), while this test is its client: echo traffic on the frame
 * socket, malformed and well-formed endpoint requests on rpmsg_ctrl0, and `ampsim ctl
 * status` every round. Bounded by the count of corruptions, not by time (the deadline is a
 * safety net). It asserts:
 *  - `ampsim ctl status` answers (exit 0, a state line) every round;
 *  - the daemon's own counters show the violations: protocol errors + crashes >= 1, and no
 *    more crashes than firmware instances;
 *  - the daemon exits 0 on SIGTERM at the end;
 *  - no sanitizer report at all in the run's standard error (daemon and firmware).
 *
 * Seed: HOSTILE_SEED from the environment, else a fixed one; HOSTILE_COUNT likewise. The
 * seed is printed; a failure replays with `HOSTILE_SEED=<seed> ctest --preset asan -R
 * hostile` (docs/reliability.md).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "itest.h"

#define DEFAULT_SEED 20240612ull
#define DEFAULT_COUNT 10000ull
/* Safety net only (the campaign ends on its count): 120 s plus 5 ms per corruption. */
#define CAMPAIGN_MS(count) (120000 + 5 * (int64_t)(count))
#define LOG_MAX (1u << 20)

/* Connect without failing: the endpoint comes and goes with the firmware. */
static int try_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static uint64_t rng = DEFAULT_SEED;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* One echo round trip on the frame socket (best effort: the link may be broken). */
static void echo_round(const struct itest_run *r, int *fd, uint32_t round)
{
	char msg[64], back[512];
	if (*fd < 0)
		*fd = try_connect(itest_run_path(r, "rpmsg0"));
	if (*fd < 0)
		return;
	int n = snprintf(msg, sizeof(msg), "hostile round %u", round);
	if (send(*fd, msg, (size_t)n, MSG_NOSIGNAL) != n ||
	    itest_read_within(*fd, back, sizeof(back), 100) <= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* An endpoint request on rpmsg_ctrl0: random bytes of random length (never 0), or a valid
 * 40-byte request with random addresses; whatever the answer, close. */
static void ctrl_round(const struct itest_run *r)
{
	uint8_t req[64], rep[64];
	int fd = try_connect(itest_run_path(r, "rpmsg_ctrl0"));
	if (fd < 0)
		return;
	size_t len = 1 + rnd() % sizeof(req);
	for (size_t i = 0; i < sizeof(req); i++)
		req[i] = (uint8_t)rnd();
	if (rnd() & 1u) {
		len = 40; /* struct rpmsg_endpoint_info: name[32], src, dst */
		memcpy(req, "hostile", 8);
	}
	if (send(fd, req, len, MSG_NOSIGNAL) == (ssize_t)len)
		(void)itest_read_within(fd, rep, sizeof(rep), 50);
	close(fd);
}

static void status_answers(const struct itest_run *r)
{
	static char out[4096];
	const char *argv[] = {AMPSIM_BIN, "ctl", r->dir, "status", NULL};
	int rc = itest_capture(argv, out, sizeof(out));
	if (rc != 0 || !strstr(out, "state: "))
		fail_msg("'ampsim ctl status' failed (exit %d) during the campaign:\n%s", rc, out);
}

/* "<instance> <done>" from the firmware's state file (0 0 before it first writes). */
static void read_state(const char *path, unsigned *inst, unsigned long long *done)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	*inst = 0;
	*done = 0;
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			sscanf(buf, "%u %llu", inst, done);
		fclose(f);
	}
}

/* Sum of every "protocol error <kind>: N" line of `ctl stats`, and the status's crashes. */
static void violations(const struct itest_run *r, long *proto, long *crashes)
{
	const char *p = itest_ctl(r, "stats");
	*proto = 0;
	while ((p = strstr(p, "protocol error ")) != NULL) {
		p = strchr(p, ':');
		if (!p)
			break;
		*proto += strtol(p + 1, NULL, 10);
	}
	p = strstr(itest_ctl(r, "status"), "crashes: ");
	*crashes = p ? strtol(p + strlen("crashes: "), NULL, 10) : -1;
}

static void no_sanitizer_report(const char *log)
{
	static char text[LOG_MAX];
	static const char *const marks[] = {"AddressSanitizer", "LeakSanitizer",
					    "runtime error:", "ThreadSanitizer"};
	itest_read_file(log, text, sizeof(text));
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(text, marks[i]))
			fail_msg("sanitizer report (%s) in the run's stderr:\n%s", marks[i], text);
}

/* No progress: say where the run stands (status, the end of its log), then fail. */
static void stalled(const struct itest_run *r, unsigned long long done, uint64_t count,
		    unsigned inst)
{
	static char text[LOG_MAX];
	itest_read_file(r->errlog, text, sizeof(text));
	size_t len = strlen(text);
	fail_msg("only %llu of %llu corruptions after %lld ms (instance %u)\nctl status:\n%s\n"
		 "end of the run's stderr:\n%s",
		 done, (unsigned long long)count, (long long)CAMPAIGN_MS(count), inst,
		 itest_ctl(r, "status"), text + (len > 4000 ? len - 4000 : 0));
}

static void campaign(uint64_t seed, uint64_t count)
{
	struct itest_run r = {.errlog = itest_scratch_path("stderr")};
	const char *state = itest_scratch_path("state");
	char v[32];
	snprintf(v, sizeof(v), "%llu", (unsigned long long)seed);
	setenv("HOSTILE_SEED", v, 1);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)count);
	setenv("HOSTILE_COUNT", v, 1);
	setenv("HOSTILE_STATE", state, 1);
	print_message(
	    "hostile campaign: seed %llu, %llu corruptions; replay with HOSTILE_SEED=%llu "
	    "HOSTILE_COUNT=%llu\n",
	    (unsigned long long)seed, (unsigned long long)count, (unsigned long long)seed,
	    (unsigned long long)count);
	rng = seed | 1u;
	itest_run_boot(&r, HOSTILE_FW, NULL, "control");

	unsigned inst = 0;
	unsigned long long done = 0;
	int fd = -1;
	uint32_t round = 0;
	for (int64_t end = itest_now_ms() + CAMPAIGN_MS(count); done < count; round++) {
		if (itest_now_ms() > end)
			stalled(&r, done, count, inst);
		echo_round(&r, &fd, round);
		if (round % 4 == 0)
			ctrl_round(&r);
		status_answers(&r);
		read_state(state, &inst, &done);
	}
	if (fd >= 0)
		close(fd);
	/* The firmware's last act is a violation the host must count (or a crash, once a broken
	 * vring is one): wait for it, bounded. */
	long proto = 0, crashes = 0;
	for (int64_t end = itest_now_ms() + ITEST_BOOT_MS; itest_now_ms() < end; itest_msleep(50)) {
		violations(&r, &proto, &crashes);
		if (proto + crashes >= 1)
			break;
	}
	read_state(state, &inst, &done);
	print_message("hostile campaign: %u rounds, %u firmware instances, %ld protocol errors, "
		      "%ld crashes\n",
		      round, inst, proto, crashes);
	assert_true(proto + crashes >= 1);
	assert_true(crashes >= 0 && crashes <= (long)inst);
	status_answers(&r);
	itest_run_stop(&r, SIGTERM);
	no_sanitizer_report(r.errlog);
	unlink(state);
	unlink(r.errlog);
}

static uint64_t env_or(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void hostile_firmware_cannot_hurt_the_daemon(void **state)
{
	(void)state;
	campaign(env_or("HOSTILE_SEED", DEFAULT_SEED), env_or("HOSTILE_COUNT", DEFAULT_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(hostile_firmware_cannot_hurt_the_daemon, itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
