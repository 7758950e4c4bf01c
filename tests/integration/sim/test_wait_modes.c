/*
 * The host's IPCC wait modes end to end (amp_host_cfg.ipcc_mode, `ampsim run --ipcc-mode`;
 * docs/performance.md): libampsim in-process with the echo firmware, both sides adaptive or
 * both spinning. Asserted: round trips work in every mode; an adaptive pair left idle uses
 * almost no CPU (getrusage over a bounded idle period, and the firmware's /proc times), and
 * an adaptive host with a blocking firmware never polls (it is blocking). Speed is not
 * asserted: it depends on the machine's load.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/host.h>

#include "itest_glib.h"

#define IDLE_MS 500
#define ROUND_TRIPS 200

struct ctx {
	struct amp_host_chan *chan;
	unsigned got;
};

static void on_channel_new(void *priv, struct amp_host_chan *ch)
{
	((struct ctx *)priv)->chan = ch;
}

static void on_channel_gone(void *priv, struct amp_host_chan *ch, const char *why)
{
	struct ctx *c = priv;
	(void)why;
	if (c->chan == ch)
		c->chan = NULL;
}

static void on_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	(void)ch, (void)data;
	assert_int_equal(len, 8);
	((struct ctx *)priv)->got++;
}

static const struct amp_host_ops host_ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_receive,
};

static bool announced(const void *arg)
{
	return ((const struct ctx *)arg)->chan != NULL;
}

static struct amp_host *boot(struct ctx *c, const char *host_mode, const char *fw_mode)
{
	struct amp_host_cfg cfg = {
	    .rproc = {.firmware = ECHO_FW},
	    .process = {.ipcc_mode = fw_mode},
	    .ops = &host_ops,
	    .priv = c,
	    .ipcc_mode = host_mode,
	};
	g_autoptr(GError) err = NULL;
	struct amp_host *h = amp_host_new(&cfg, &err);
	if (!h || !amp_host_start(h, &err))
		fail_msg("cannot boot the echo firmware: %s", err->message);
	itest_loop_until(NULL, announced, c, ITEST_BOOT_MS);
	assert_non_null(c->chan);
	return h;
}

/* @p n round trips, one at a time, each answered. */
static void round_trips(struct ctx *c, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned want = c->got + 1;
		assert_int_equal(amp_host_send(c->chan, "12345678", 8), 0);
		assert_true(itest_loop_until_count(NULL, &c->got, want, ITEST_REPLY_MS));
	}
}

/* The number after "@key " on the "IPCC host waits" line of amp_host_stats(). */
static unsigned long waits_stat(struct amp_host *h, const char *key)
{
	g_autoptr(GString) s = g_string_new(NULL);
	amp_host_stats(h, s);
	const char *line = strstr(s->str, "IPCC host waits");
	assert_non_null(line);
	const char *k = strstr(line, key);
	assert_non_null(k);
	return strtoul(k + strlen(key), NULL, 10);
}

static double cpu_ms_self(void)
{
	struct rusage u;
	assert_int_equal(getrusage(RUSAGE_SELF, &u), 0);
	return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
	       (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* utime + stime of process @p pid, in clock ticks (/proc/PID/stat fields 14 and 15). */
static unsigned long cpu_ticks(int pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* the name may hold spaces */
	unsigned long ut = 0, st = 0;
	assert_non_null(p);
	assert_int_equal(
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	return ut + st;
}

static bool never(const void *arg)
{
	(void)arg;
	return false;
}

/* Both sides adaptive: it works, it polls (or leaves the CPU to a firmware on it), and idle
 * it sleeps. */
static void adaptive_works_and_sleeps_when_idle(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c, "adaptive", "adaptive");
	round_trips(&c, ROUND_TRIPS);
	assert_true(waits_stat(h, "polls ") + waits_stat(h, "(the firmware on our CPU) ") > 0);
	/* Idle: a spinning side would burn the whole period (or its share of a busy CPU). */
	int fw = amp_host_fw_pid(h);
	unsigned long fw0 = cpu_ticks(fw);
	double self0 = cpu_ms_self();
	itest_loop_until(NULL, never, NULL, IDLE_MS);
	double self = cpu_ms_self() - self0;
	unsigned long fw_ticks = cpu_ticks(fw) - fw0;
	print_message("idle %d ms: host %.1f ms CPU, firmware %lu ticks\n", IDLE_MS, self,
		      fw_ticks);
	assert_true(self < IDLE_MS / 10);
	assert_true(fw_ticks * 1000 / (unsigned long)sysconf(_SC_CLK_TCK) < IDLE_MS / 10);
	round_trips(&c, 10); /* and it wakes up again */
	amp_host_free(h);
}

/* A blocking firmware never says it is awake: the adaptive host polls only after a kick of
 * its own, until the firmware takes it, then sleeps as a blocking host would. */
static void adaptive_host_with_blocking_firmware(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c, "adaptive", NULL);
	round_trips(&c, ROUND_TRIPS);
	g_autoptr(GString) s = g_string_new(NULL);
	amp_host_stats(h, s);
	unsigned long kicks = 0;
	for (const char *k = s->str; (k = strstr(k, "Linux->firmware: kicks ")) != NULL; k++)
		kicks += strtoul(k + strlen("Linux->firmware: kicks "), NULL, 10);
	print_message("%lu polls for %lu kicks\n", waits_stat(h, "polls "), kicks);
	assert_true(kicks >= ROUND_TRIPS);
	assert_true(waits_stat(h, "polls ") <= kicks);
	amp_host_free(h);
}

/* Both sides spinning: the host never sleeps on its eventfd, and round trips work. */
static void spin_end_to_end(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c, "spin", "spin");
	unsigned long wake0 = waits_stat(h, "eventfd wake-ups ");
	round_trips(&c, ROUND_TRIPS);
	assert_int_equal(waits_stat(h, "eventfd wake-ups "), wake0);
	assert_true(waits_stat(h, "polls ") > 0);
	amp_host_free(h);
}

/* A source that counts the iterations of the loop it is attached to. */
struct counter {
	GSource src;
	unsigned iterations;
};

static gboolean count_prepare(GSource *src, gint *timeout)
{
	((struct counter *)src)->iterations++;
	*timeout = -1;
	return FALSE;
}

static GSourceFuncs counter_funcs = {.prepare = count_prepare};

/*
 * @p n round trips through amp_host_iterate(), each called once the answer's interrupt is
 * pending (so whether it polls in time is not in question); the loop iterations they took.
 */
static unsigned iterated_round_trips(struct amp_host *h, struct ctx *c, unsigned n)
{
	struct amp_ipcc_link *link = (struct amp_ipcc_link *)amp_host_ipcc_link(h);
	struct counter *k = (struct counter *)g_source_new(&counter_funcs, sizeof(*k));
	g_source_attach(&k->src, NULL);
	for (unsigned i = 0; i < n; i++) {
		unsigned want = c->got + 1;
		gint64 deadline = g_get_monotonic_time() + (gint64)ITEST_REPLY_MS * 1000;
		assert_int_equal(amp_host_send(c->chan, "12345678", 8), 0);
		while (!amp_ipcc_link_pending(link) && g_get_monotonic_time() < deadline)
			g_usleep(100);
		/* Blocking: its eventfd is written just after the flag is set. */
		while (c->got < want && g_get_monotonic_time() < deadline)
			amp_host_iterate(h, TRUE);
		assert_int_equal(c->got, want);
	}
	unsigned it = k->iterations;
	g_source_destroy(&k->src);
	g_source_unref(&k->src);
	return it;
}

/* amp_host_iterate(): a polling host handles the interrupt it finds without the loop (64 in a
 * row, then one iteration of the loop), a blocking one only through the loop. Without the
 * direct path the first takes 70 iterations. */
static void iterate_handles_interrupts_without_the_loop(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c, "adaptive", NULL);
	assert_in_range(iterated_round_trips(h, &c, 70), 1, 2); /* the 65th (and a timer's) */
	amp_host_free(h);
	c = (struct ctx){0};
	h = boot(&c, NULL, NULL);
	assert_true(iterated_round_trips(h, &c, 20) >= 20);
	amp_host_free(h);
}

static void bad_host_mode_is_named(void **state)
{
	(void)state;
	struct amp_host_cfg cfg = {.rproc = {.firmware = ECHO_FW}, .ipcc_mode = "sometimes"};
	g_autoptr(GError) err = NULL;
	assert_null(amp_host_new(&cfg, &err));
	assert_non_null(err);
	assert_non_null(strstr(err->message, "'sometimes' is none of blocking, adaptive or spin"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(adaptive_works_and_sleeps_when_idle),
	    cmocka_unit_test(adaptive_host_with_blocking_firmware),
	    cmocka_unit_test(spin_end_to_end),
	    cmocka_unit_test(iterate_handles_interrupts_without_the_loop),
	    cmocka_unit_test(bad_host_mode_is_named),
	};
	return cmocka_run_group_tests_name("sim/wait_modes", tests, NULL, NULL);
}
