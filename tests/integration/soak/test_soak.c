/*
 * The soak and kill campaign as a test (soak_client.h says what is checked and counted):
 * `ampsim run fw_soak`, traffic both ways on the frame socket, an rpmsg_ctrl0 endpoint and
 * the pty at once, and the firmware SIGKILLed at seeded random points. The promise: nothing
 * lost, duplicated, reordered or corrupted except records in flight at a crash, and each of
 * those signalled to its client by a hang-up.
 *
 * Bounded by counts (records and kills), not by time; the stall limit is a safety net.
 * SOAK_SEED=N replays a run's kill points.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "itest.h"
#include "soak_client.h"

#define KILLS 10
#define RECORDS 2000 /* per path: 6000 client records, as many echoes and own records */

static uint64_t seed(void)
{
	const char *s = getenv("SOAK_SEED");
	if (s && *s)
		return strtoull(s, NULL, 0);
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_nsec ^ (uint64_t)t.tv_sec << 20 ^ (uint64_t)getpid();
}

/* Start fw_soak with @fault in its environment (NULL: none) and wait for its channels. */
static void start(struct itest_run *r, const char *fault)
{
	if (fault)
		setenv("SOAK_FW_FAULT", fault, 1);
	/* Kills a few ms apart are deliberate, not a crash loop: measure recovery, not back-off. */
	static const char *const opts[] = {"--no-restart-backoff", NULL};
	itest_run_start(r, SOAK_FW, opts);
	unsetenv("SOAK_FW_FAULT");
	assert_true(itest_run_wait(r, "rpmsg0", ITEST_BOOT_MS));
}

static void campaign(struct itest_run *r, struct soak_cfg *cfg, struct soak_result *res)
{
	cfg->rundir = r->dir;
	cfg->log = stdout;
	bool ok = soak_run(cfg, res);
	soak_print(res, stdout);
	if (!ok) {
		printf("%s", itest_ctl(r, "trace"));
		fail_msg("the campaign did not complete: %s", res->error);
	}
}

static void kills_lose_only_what_is_in_flight(void **state)
{
	(void)state;
	struct itest_run r = {0};
	start(&r, NULL);
	struct soak_cfg cfg = {.seed = seed(), .msgs_per_chan = RECORDS, .kills = KILLS};
	printf("soak: seed %" PRIu64 " (SOAK_SEED=%" PRIu64 " replays the kill points)\n", cfg.seed,
	       cfg.seed);
	struct soak_result res;
	campaign(&r, &cfg, &res);

	assert_int_equal(res.kills_done, KILLS);
	assert_int_equal(soak_violations(&res), 0);
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		const struct soak_chan_stats *s = &res.ch[i];
		/* Each kill hung each path up once, and nothing else did. */
		assert_int_equal(s->hangups, KILLS);
		assert_int_equal(s->connects, KILLS + 1);
		/* Every record is either echoed or was in flight at a kill. */
		assert_int_equal(s->sent, RECORDS);
		assert_int_equal(s->echoed + s->inflight_lost, RECORDS);
		assert_true(s->inflight_lost <= (uint64_t)KILLS * 4); /* the window */
		for (unsigned k = 0; k < KILLS; k++) {
			assert_true(res.kill[k].how[i][0] != '\0');
			assert_true(res.kill[k].back_ms[i] >= 0);
		}
	}
	const char *st = itest_ctl(&r, "status");
	char want[32];
	snprintf(want, sizeof(want), "crashes: %d\n", KILLS);
	if (!strstr(st, want))
		fail_msg("'ampsim ctl status' should count %d crashes:\n%s", KILLS, st);
	soak_result_free(&res);
	itest_run_stop(&r, SIGINT);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

/*
 * The daemon itself under valgrind memcheck (the "valgrind over the daemon, not only
 * the unit tests"): traffic on the three paths with kills and recoveries, then an orderly
 * stop. Any memcheck error or definite leak makes valgrind exit 99 instead of 0.
 */
static void the_daemon_under_valgrind(void **state)
{
	(void)state;
#ifdef SANITIZED
	skip(); /* valgrind cannot run a sanitizer build; this build has its own checks */
#endif
	static const char *const valgrind[] = {"valgrind",
					       "-q",
					       "--error-exitcode=99",
					       "--leak-check=full",
					       "--errors-for-leak-kinds=definite",
					       "--show-leak-kinds=definite",
					       NULL};
	struct itest_run r = {.wrap = valgrind};
	start(&r, NULL);
	struct soak_cfg cfg = {.seed = seed(), .msgs_per_chan = 200, .kills = 3};
	struct soak_result res;
	campaign(&r, &cfg, &res);
	assert_int_equal(res.kills_done, 3);
	assert_int_equal(soak_violations(&res), 0);
	soak_result_free(&res);
	itest_run_stop(&r, SIGINT); /* exit status 0, not valgrind's 99 */
}

/* Without kills nothing is in flight at the end and nothing hangs up. */
static void no_kill_no_loss(void **state)
{
	(void)state;
	struct itest_run r = {0};
	start(&r, NULL);
	struct soak_cfg cfg = {.msgs_per_chan = 300};
	struct soak_result res;
	campaign(&r, &cfg, &res);
	assert_int_equal(soak_violations(&res), 0);
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		assert_int_equal(res.ch[i].echoed, 300);
		assert_int_equal(res.ch[i].origins, 300);
		assert_int_equal(res.ch[i].inflight_lost, 0);
		assert_int_equal(res.ch[i].hangups, 0);
	}
	soak_result_free(&res);
	itest_run_stop(&r, SIGINT);
}

/* The checks catch what they claim: a firmware that skips or corrupts one echo per path. */
static void a_dropped_or_corrupted_echo_is_caught(void **state)
{
	(void)state;
	static const char *const faults[] = {"drop=57", "corrupt=58"};
	for (unsigned f = 0; f < 2; f++) {
		struct itest_run r = {0};
		start(&r, faults[f]);
		struct soak_cfg cfg = {.msgs_per_chan = 100};
		struct soak_result res;
		campaign(&r, &cfg, &res);
		for (unsigned i = 0; i < SOAK_NCHAN; i++) {
			assert_int_equal(res.ch[i].lost, 1);
			assert_int_equal(res.ch[i].corrupted, f == 1);
			assert_int_equal(res.ch[i].echoed, 99);
			assert_int_equal(res.ch[i].hangups, 0);
		}
		soak_result_free(&res);
		itest_run_stop(&r, SIGINT);
	}
}

/* The firmware checks the client's numbering and reports a gap in every later record. */
static void the_firmware_reports_a_gap(void **state)
{
	(void)state;
	struct itest_run r = {0};
	start(&r, NULL);
	struct soak_cfg cfg = {.msgs_per_chan = 100, .skip_seq = 40};
	struct soak_result res;
	campaign(&r, &cfg, &res);
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		assert_int_equal(res.ch[i].fw_errors, 1);
		assert_int_equal(res.ch[i].echoed, 99);
		assert_int_equal(res.ch[i].lost, 0);
	}
	assert_non_null(strstr(itest_ctl(&r, "trace"), "gap (seq 41)"));
	soak_result_free(&res);
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(no_kill_no_loss, itest_run_teardown),
	    cmocka_unit_test_teardown(a_dropped_or_corrupted_echo_is_caught, itest_run_teardown),
	    cmocka_unit_test_teardown(the_firmware_reports_a_gap, itest_run_teardown),
	    cmocka_unit_test_teardown(kills_lose_only_what_is_in_flight, itest_run_teardown),
	    cmocka_unit_test_teardown(the_daemon_under_valgrind, itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
