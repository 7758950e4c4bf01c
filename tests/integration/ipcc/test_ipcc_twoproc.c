/*
 * Two real processes (fork + exec) over the shared SoC object and the IPCC eventfds:
 * ping-pong in the blocking, adaptive and spin modes with no lost IRQ and counters that add
 * up; the firmware maps at device addresses while the host maps anywhere; SIGKILL of either
 * side leaves no object behind once cleanup has run.
 *
 * The ping-pongs are functional checks, short enough to pass on a machine whose cores are
 * busy with other work (in spin mode, each round trip may wait for a time slice). The
 * 10^6-round-trip run, with the same counter checks, is a benchmark: tests/bench/ipcc.
 *
 * The same binary is the firmware (argv[1] == "fw") and a killable host ("host"). Counts can be
 * scaled with AMP_PINGPONG_SCALE (a divisor); under valgrind they are divided by 20.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/fwenv.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/irq.h>
#include <ampsim/profile.h>
#include <ampsim/soc.h>
#include <amp/stm32mp1.h>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define P1 AMP_IPCC_PROC1
#define P2 AMP_IPCC_PROC2
#define CH_PING AMP_IPCC_CH_VRING0
#define DA_PATTERN 0x10042000u /* vdev0buffer: host writes, firmware checks */
#define DA_REPLY 0x10042004u   /* firmware writes, host checks */
#define DA_COUNT 0x10042008u   /* firmware's handled count */
#define PATTERN 0xA5A5F00Du
#define REPLY 0x600DF00Du
/* A safety net, not a timing: an answer that takes this long was lost. */
#define ANSWER_MS 10000

static long scaled(long n)
{
	const char *s = getenv("AMP_PINGPONG_SCALE");
	long div = s ? atol(s) : 1;

	if (RUNNING_ON_VALGRIND)
		div *= 20;
	if (div < 1)
		div = 1;
	return n / div > 10 ? n / div : 10;
}

/* ---- firmware side ------------------------------------------------------------------- */

static struct amp_ipcc_link fw_link;
static _Atomic long fw_count;
static _Atomic int fw_done;

static void fw_on_ping(void *arg, uint32_t ch)
{
	(void)arg;
	atomic_fetch_add(&fw_count, 1);
	amp_ipcc_link_kick(&fw_link, ch); /* answer on the same channel, other direction */
}

static void fw_on_shutdown(void *arg, uint32_t ch)
{
	(void)arg;
	(void)ch;
	atomic_store(&fw_done, 1);
}

static int fw_main(int argc, char **argv)
{
	char name[AMP_SOC_SHM_NAME_MAX], why[160];
	int efds[AMP_FWENV_NFDS];
	struct amp_ipcc_link_cfg cfg = {.proc = P2};
	struct amp_soc soc;
	struct amp_irq irq;
	uintptr_t host_va;

	if (argc < 4)
		return 10;
	cfg.mode = (enum amp_ipcc_wait)atoi(argv[2]);
	host_va = (uintptr_t)strtoull(argv[3], NULL, 16);
	if (amp_fwenv_read(name, sizeof(name), efds, why, sizeof(why)) != AMP_OK) {
		fprintf(stderr, "fw: %s\n", why);
		return 11;
	}
	if (amp_soc_attach_fw(&soc, name, 0) != AMP_OK) {
		fprintf(stderr, "fw: %s\n", soc.err);
		return 12;
	}
	/* Firmware pointers are device addresses; the host's mapping is elsewhere. */
	volatile uint32_t *pat = (volatile uint32_t *)(uintptr_t)DA_PATTERN;
	if (*pat != PATTERN || (uintptr_t)pat == host_va)
		return 13;
	*(volatile uint32_t *)(uintptr_t)DA_REPLY = REPLY;
	if (amp_ipcc_link_init(&fw_link, &cfg, amp_soc_ipcc(&soc), soc.ipcc_nchan, efds,
			       amp_soc_asleep(&soc)) != AMP_OK)
		return 14;
	amp_ipcc_link_set_handler(&fw_link, CH_PING, fw_on_ping, NULL);
	amp_ipcc_link_set_handler(&fw_link, AMP_IPCC_CH_SHUTDOWN, fw_on_shutdown, NULL);
	if (amp_irq_start(&irq, &fw_link) != AMP_OK)
		return 15;
	while (!atomic_load(&fw_done))
		nanosleep(&(struct timespec){0, 2 * 1000 * 1000}, NULL);
	amp_irq_stop(&irq);
	*(volatile uint32_t *)(uintptr_t)DA_COUNT = (uint32_t)atomic_load(&fw_count);
	amp_ipcc_link_deinit(&fw_link);
	amp_soc_destroy(&soc);
	return 0;
}

/* ---- host side ----------------------------------------------------------------------- */

struct run {
	struct amp_soc soc;
	int efds[AMP_IPCC_LINK_NFDS];
	struct amp_ipcc_link link;
	pid_t child;
	long pongs;
};

static void host_on_pong(void *arg, uint32_t ch)
{
	struct run *r = arg;

	(void)ch;
	r->pongs++;
}

/*
 * Create the run's object and eventfds and fork/exec the firmware. No cmocka asserts:
 * the "host" process (host_main) uses it too. Returns 0 or the failing step.
 */
static int start_run(struct run *r, enum amp_ipcc_wait fw_mode)
{
	struct amp_soc_layout l;
	g_autoptr(GError) err = NULL;
	struct amp_fwenv env;
	char mode[16], va[32], self[512];
	uint32_t *pat;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	/* Resolve before fork: under valgrind /proc/self/exe in an exec is valgrind itself. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	if (!amp_profile_load("stm32mp157", &l, &err) || amp_soc_create(&r->soc, &l) != AMP_OK)
		return 2;
	if (amp_ipcc_efds_create(r->efds) != AMP_OK)
		return 3;
	pat = amp_soc_da_to_va(&r->soc, DA_PATTERN, 4);
	*pat = PATTERN;
	if (amp_fwenv_format(&env, r->soc.shm_name, r->efds) != AMP_OK)
		return 4;
	snprintf(mode, sizeof(mode), "%d", (int)fw_mode);
	snprintf(va, sizeof(va), "%llx", (unsigned long long)(uintptr_t)pat);
	r->child = fork();
	if (r->child < 0)
		return 5;
	if (r->child == 0) {
		char *argv[] = {"fw", "fw", mode, va, NULL};
		char *envp[] = {env.abi, env.shm, env.fds, NULL};

		if (amp_fwenv_inherit(r->efds) != AMP_OK)
			_exit(20);
		execve(self, argv, envp);
		_exit(21);
	}
	return 0;
}

static void spawn(struct run *r, enum amp_ipcc_wait fw_mode)
{
	assert_int_equal(start_run(r, fw_mode), 0);
}

/* Has the firmware unmasked CH_PING with RXOIE on (is it ready)? Waits up to 30 s. */
static bool fw_ready(struct run *r)
{
	uint64_t deadline = amp_now_ns() + 30ull * 1000000000u;
	uint32_t cr = 0, mr = ~0u;

	while (amp_now_ns() < deadline) {
		amp_ipcc_read(&r->link.m, AMP_IPCC_C2CR, &cr);
		amp_ipcc_read(&r->link.m, AMP_IPCC_C2MR, &mr);
		if ((cr & AMP_IPCC_XCR_RXOIE) && !(mr & AMP_IPCC_CHNOM(CH_PING)))
			return true;
		nanosleep(&(struct timespec){0, 1000 * 1000}, NULL);
	}
	return false;
}

static void wait_fw_ready(struct run *r)
{
	if (!fw_ready(r))
		fail_msg("firmware did not come up");
}

static int link_host(struct run *r, enum amp_ipcc_wait mode)
{
	struct amp_ipcc_link_cfg cfg = {.proc = P1, .mode = mode};
	int ret;

	ret = amp_ipcc_link_init(&r->link, &cfg, amp_soc_ipcc(&r->soc), r->soc.ipcc_nchan, r->efds,
				 amp_soc_asleep(&r->soc));
	return ret ? ret : amp_ipcc_link_set_handler(&r->link, CH_PING, host_on_pong, r);
}

static void host_link(struct run *r, enum amp_ipcc_wait mode)
{
	assert_int_equal(link_host(r, mode), AMP_OK);
}

static void finish(struct run *r)
{
	char path[128];
	int st;

	amp_ipcc_link_deinit(&r->link);
	amp_ipcc_efds_close(r->efds);
	snprintf(path, sizeof(path), "/dev/shm%s", r->soc.shm_name);
	amp_soc_destroy(&r->soc);
	assert_int_not_equal(access(path, F_OK), 0);
	if (r->child > 0 && waitpid(r->child, &st, WNOHANG) == 0) {
		kill(r->child, SIGKILL);
		waitpid(r->child, &st, 0);
	}
}

static void pingpong(enum amp_ipcc_wait mode, long n)
{
	struct run r;
	uint64_t t0, t1;
	int st;

	spawn(&r, mode);
	host_link(&r, mode);
	wait_fw_ready(&r);
	t0 = amp_now_ns();
	for (long i = 0; i < n; i++) {
		int k = amp_ipcc_link_kick(&r.link, CH_PING);

		if (k != 1)
			fail_msg("round %ld: kick returned %d (coalesced or error)", i, k);
		if (amp_ipcc_link_wait_event(&r.link, ANSWER_MS) != 1)
			fail_msg("round %ld: lost IRQ (no answer in %d ms)", i, ANSWER_MS);
		if (amp_ipcc_link_dispatch(&r.link) != 1 || r.pongs != i + 1)
			fail_msg("round %ld: %ld pongs", i, r.pongs);
	}
	t1 = amp_now_ns();
	assert_int_equal(amp_ipcc_link_kick(&r.link, AMP_IPCC_CH_SHUTDOWN), 1);
	assert_int_equal(waitpid(r.child, &st, 0), r.child);
	r.child = 0;
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);

	/* The firmware's writes at its device addresses are visible through translation. */
	assert_int_equal(*(uint32_t *)amp_soc_da_to_va(&r.soc, DA_REPLY, 4), REPLY);
	assert_int_equal(*(uint32_t *)amp_soc_da_to_va(&r.soc, DA_COUNT, 4), (uint32_t)n);

	/* Counters add up in both directions. */
	for (uint32_t p = 0; p < 2; p++) {
		const struct amp_ipcc_chan_stats *s = &amp_soc_ipcc(&r.soc)->stats[p][CH_PING];

		assert_int_equal(s->kicks, n);
		assert_int_equal(s->coalesced, 0);
		assert_int_equal(s->irq_raised, n);
		assert_int_equal(amp_soc_ipcc(&r.soc)->stats[p ^ 1u][CH_PING].irq_handled, n);
		assert_int_equal(s->efd_writes + s->efd_avoided, s->irq_raised);
		if (mode == AMP_IPCC_WAIT_BLOCK)
			assert_int_equal(s->efd_avoided, 0);
		if (mode == AMP_IPCC_WAIT_SPIN)
			assert_int_equal(s->efd_writes, 0);
	}
	print_message("  mode %d: %ld round trips, %.2f us each; host->fw eventfd writes %u, "
		      "avoided %u\n",
		      (int)mode, n, (double)(t1 - t0) / 1e3 / (double)n,
		      amp_soc_ipcc(&r.soc)->stats[P1][CH_PING].efd_writes,
		      amp_soc_ipcc(&r.soc)->stats[P1][CH_PING].efd_avoided);
	finish(&r);
}

#define ROUND_TRIPS 2000

static void pingpong_blocking(void **state)
{
	(void)state;
	pingpong(AMP_IPCC_WAIT_BLOCK, scaled(ROUND_TRIPS));
}

static void pingpong_adaptive(void **state)
{
	(void)state;
	pingpong(AMP_IPCC_WAIT_ADAPTIVE, scaled(ROUND_TRIPS));
}

static void pingpong_spin(void **state)
{
	(void)state;
	pingpong(AMP_IPCC_WAIT_SPIN, scaled(ROUND_TRIPS));
}

/* Host masks its RX channel: the firmware's answer stays pending until it unmasks. */
static void masking_across_processes(void **state)
{
	struct run r;
	int st;

	(void)state;
	spawn(&r, AMP_IPCC_WAIT_BLOCK);
	host_link(&r, AMP_IPCC_WAIT_BLOCK);
	wait_fw_ready(&r);
	assert_int_equal(amp_ipcc_link_mask(&r.link, CH_PING, true), AMP_OK);
	assert_int_equal(amp_ipcc_link_kick(&r.link, CH_PING), 1);
	assert_int_equal(amp_ipcc_link_wait_event(&r.link, 100), 0);
	assert_int_equal(r.pongs, 0);
	/* The firmware did answer: its flag is set. */
	assert_true(amp_ipcc_rx_pending(&r.link.m, P1) == 0);
	assert_false(amp_ipcc_tx_free(&r.link.m, P2) & (1u << CH_PING));
	assert_int_equal(amp_ipcc_link_mask(&r.link, CH_PING, false), AMP_OK);
	assert_int_equal(amp_ipcc_link_wait_event(&r.link, ANSWER_MS), 1);
	assert_int_equal(amp_ipcc_link_dispatch(&r.link), 1);
	assert_int_equal(r.pongs, 1);
	/* The answer's raise happened at the unmask: the counters still add up. */
	const struct amp_ipcc_chan_stats *s = &amp_soc_ipcc(&r.soc)->stats[P2][CH_PING];
	assert_int_equal(s->kicks, 1);
	assert_int_equal(s->irq_raised, 1);
	assert_int_equal(amp_soc_ipcc(&r.soc)->stats[P1][CH_PING].irq_handled, 1);
	assert_int_equal(s->efd_writes + s->efd_avoided, 1);
	amp_ipcc_link_kick(&r.link, AMP_IPCC_CH_SHUTDOWN);
	assert_int_equal(waitpid(r.child, &st, 0), r.child);
	r.child = 0;
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	finish(&r);
}

/* SIGKILL of the firmware mid-run: the host still removes the object; nothing is left. */
static void firmware_sigkill_leaves_nothing(void **state)
{
	struct run r;
	int st;

	(void)state;
	spawn(&r, AMP_IPCC_WAIT_BLOCK);
	host_link(&r, AMP_IPCC_WAIT_BLOCK);
	wait_fw_ready(&r);
	for (int i = 0; i < 10; i++) {
		amp_ipcc_link_kick(&r.link, CH_PING);
		assert_int_equal(amp_ipcc_link_wait_event(&r.link, ANSWER_MS), 1);
		amp_ipcc_link_dispatch(&r.link);
	}
	kill(r.child, SIGKILL);
	assert_int_equal(waitpid(r.child, &st, 0), r.child);
	assert_true(WIFSIGNALED(st));
	r.child = 0;
	/* The dead side's IRQ never comes: a bounded wait, no hang. */
	amp_ipcc_link_kick(&r.link, CH_PING);
	assert_int_equal(amp_ipcc_link_wait_event(&r.link, 50), 0);
	finish(&r); /* asserts the object is gone */
}

/* "host" mode: a host the test SIGKILLs mid-run. It starts a run, ping-pongs a little,
 * reports "<object name> <firmware pid>" on fd argv[2], then waits to be killed. */
static int host_main(int argc, char **argv)
{
	char line[128];
	struct run r;
	int n;

	if (argc < 3)
		return 30;
	if (start_run(&r, AMP_IPCC_WAIT_BLOCK) || link_host(&r, AMP_IPCC_WAIT_BLOCK) ||
	    !fw_ready(&r))
		return 31;
	for (int i = 0; i < 10; i++) {
		if (amp_ipcc_link_kick(&r.link, CH_PING) != 1 ||
		    amp_ipcc_link_wait_event(&r.link, ANSWER_MS) != 1 ||
		    amp_ipcc_link_dispatch(&r.link) != 1)
			return 32;
	}
	n = snprintf(line, sizeof(line), "%s %d\n", r.soc.shm_name, (int)r.child);
	if (write(atoi(argv[2]), line, (size_t)n) != n)
		return 33;
	pause();
	return 34;
}

static bool shm_exists(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/dev/shm%s", name);
	return access(path, F_OK) == 0;
}

/* SIGKILL of the host mid-run: nothing unlinks then, so the object stays (the firmware
 * still runs) until cleanup, as at the next start or `ampsim cleanup`, removes it. */
static void host_sigkill_then_cleanup_leaves_nothing(void **state)
{
	char self[512], fdarg[16], line[128] = {0}, name[AMP_SOC_SHM_NAME_MAX];
	int pfd[2], st, fw_pid = 0;
	unsigned removed = 0;
	pid_t host;
	ssize_t n;

	(void)state;
	/* The firmware is orphaned when its host dies: be its reaper. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_int_equal(pipe(pfd), 0);
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	host = fork();
	assert_true(host >= 0);
	if (host == 0) {
		char *argv[] = {"host", "host", fdarg, NULL};

		execv(self, argv);
		_exit(21);
	}
	close(pfd[1]);
	n = read(pfd[0], line, sizeof(line) - 1);
	close(pfd[0]);
	assert_true(n > 0);
	assert_int_equal(sscanf(line, "%63s %d", name, &fw_pid), 2);
	kill(host, SIGKILL);
	assert_int_equal(waitpid(host, &st, 0), host);
	assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	assert_true(shm_exists(name));
	assert_int_equal(kill(fw_pid, 0), 0);
	assert_int_equal(amp_soc_cleanup_stale(&removed), AMP_OK);
	assert_true(removed >= 1);
	assert_false(shm_exists(name));
	kill(fw_pid, SIGKILL);
	assert_int_equal(waitpid(fw_pid, &st, 0), fw_pid);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "fw") == 0)
		return fw_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "host") == 0)
		return host_main(argc, argv);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pingpong_blocking),
	    cmocka_unit_test(pingpong_adaptive),
	    cmocka_unit_test(pingpong_spin),
	    cmocka_unit_test(masking_across_processes),
	    cmocka_unit_test(firmware_sigkill_leaves_nothing),
	    cmocka_unit_test(host_sigkill_then_cleanup_leaves_nothing),
	};
	return cmocka_run_group_tests_name("ipcc/twoproc", tests, NULL, NULL);
}
