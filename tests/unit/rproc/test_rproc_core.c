/*
 * The generic remoteproc core (<ampsim/rproc.h>) on a FAKE platform: an ops table that only
 * counts calls, and malloc'd memory as the regions. No process, no shared memory, no
 * mailbox: this is what proves the core knows nothing of how a firmware runs. Covered: start
 * and the placed vdev, stop request then exit, stop timeout then kill, stop_now and free,
 * crash then recovery (and no_recovery), the platform's crash report, the watchdog, placement
 * and configuration errors, the sources on the given (or thread-default) context, a
 * firmware change (offline only) and the core dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <amp/rsc_parse.h>
#include <ampsim/error.h>
#include <ampsim/rproc.h>

#include "core_fw_table.h"

#define NREG 6

struct fake {
	bool no_backoff; /* core_new: amp_rproc_cfg.no_backoff */
	struct amp_rproc_mem mem[NREG];
	uint8_t *buf[NREG];
	size_t nmem;
	unsigned starts, stops, kills, kicks;
	uint32_t last_kick;
	struct amp_rproc_boot boot;
	bool fail_start, refuse;
	unsigned ev[4];			  /* per enum amp_rproc_event */
	enum amp_rproc_state ev_state[4]; /* the state seen by the last callback */
	GMainContext *ctx;
	struct amp_rproc *rp;
};

/* ---- the fake platform -------------------------------------------------------------------- */

static gboolean fake_check(void *priv, const char *firmware, GError **err)
{
	struct fake *f = priv;
	if (!f->refuse)
		return TRUE;
	amp_set_error(err, AMP_EACCES, "fake platform refuses %s", firmware);
	return FALSE;
}

static gboolean fake_start(void *priv, const struct amp_rproc_boot *boot, GError **err)
{
	struct fake *f = priv;
	if (f->fail_start) {
		amp_set_error(err, AMP_EIO, "fake boot failure");
		return FALSE;
	}
	f->starts++;
	f->boot = *boot;
	return TRUE;
}

static void fake_stop(void *priv)
{
	((struct fake *)priv)->stops++;
}

static void fake_kill(void *priv)
{
	((struct fake *)priv)->kills++;
}

static void fake_kick(void *priv, uint32_t notify_id)
{
	struct fake *f = priv;
	f->kicks++;
	f->last_kick = notify_id;
}

static void *fake_da_to_va(void *priv, uint64_t da, size_t len)
{
	struct fake *f = priv;
	for (size_t i = 0; i < f->nmem; i++) {
		const struct amp_rproc_mem *r = &f->mem[i];
		if (da >= r->da && da - r->da <= r->size && len <= r->size - (da - r->da))
			return f->buf[i] + (da - r->da);
	}
	return NULL;
}

static const struct amp_rproc_ops fake_ops = {
    .sanity_check = fake_check,
    .start = fake_start,
    .stop = fake_stop,
    .kill = fake_kill,
    .kick = fake_kick,
    .da_to_va = fake_da_to_va,
};

static void on_event(void *priv, enum amp_rproc_event ev)
{
	struct fake *f = priv;
	f->ev[ev]++;
	f->ev_state[ev] = amp_rproc_state(f->rp);
}

/* STM32MP157's map, as far as the core cares. */
static const struct amp_rproc_mem stm32mp157[] = {
    {"mcusram", 0x10000000, 0x10000, AMP_RPROC_MEM_RAM},
    {"vdev0vring0", 0x10040000, 0x1000, AMP_RPROC_MEM_VRING},
    {"vdev0vring1", 0x10041000, 0x1000, AMP_RPROC_MEM_VRING},
    {"vdev0buffer", 0x10042000, 0x4000, AMP_RPROC_MEM_BUFFER},
    {"log", 0x10050000, 0x1000, AMP_RPROC_MEM_OTHER}, /* the fixture firmware's trace */
    {"ddr", 0xc0000000, 0x1000, AMP_RPROC_MEM_OTHER},
};

/* A platform with @p n regions of malloc'd memory, garbage everywhere as after a crash. */
static struct fake *fake_new_map(const struct amp_rproc_mem *map, size_t n)
{
	struct fake *f = g_new0(struct fake, 1);
	assert_true(n <= NREG);
	memcpy(f->mem, map, n * sizeof(*map));
	f->nmem = n;
	for (size_t i = 0; i < n; i++) {
		f->buf[i] = g_malloc(f->mem[i].size);
		memset(f->buf[i], 0xa5, f->mem[i].size);
	}
	f->ctx = g_main_context_new();
	return f;
}

static struct fake *fake_new(void)
{
	return fake_new_map(stm32mp157, G_N_ELEMENTS(stm32mp157));
}

static void fake_free(struct fake *f)
{
	amp_rproc_free(f->rp);
	for (size_t i = 0; i < NREG; i++)
		g_free(f->buf[i]);
	g_main_context_unref(f->ctx);
	g_free(f);
}

static struct amp_rproc *core_new(struct fake *f, const char *fw, bool no_recovery, unsigned wdg_ms,
				  GError **err)
{
	struct amp_rproc_platform plat = {
	    .ops = &fake_ops, .priv = f, .mem = f->mem, .nmem = f->nmem};
	struct amp_rproc_cfg cfg = {.firmware = fw,
				    .no_recovery = no_recovery,
				    .watchdog_ms = wdg_ms,
				    .no_backoff = f->no_backoff,
				    .cb = on_event,
				    .priv = f,
				    .context = f->ctx};
	f->rp = amp_rproc_new(&plat, &cfg, err);
	return f->rp;
}

/* A core over the watchdog firmware, started. */
static struct fake *running(bool no_recovery, unsigned wdg_ms)
{
	struct fake *f = fake_new();
	g_autoptr(GError) err = NULL;
	assert_non_null(core_new(f, CORE_FW, no_recovery, wdg_ms, &err));
	assert_true(amp_rproc_start(f->rp, &err));
	return f;
}

/* Iterate f's context (only it) until *@counter reaches @want or @ms pass. */
static bool run_until(struct fake *f, const unsigned *counter, unsigned want, int ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
	while (*counter < want && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(f->ctx, FALSE))
			g_usleep(1000);
	return *counter >= want;
}

static void run_for(struct fake *f, int ms)
{
	unsigned never = 0;
	run_until(f, &never, 1, ms);
}

static uint8_t *va(struct fake *f, uint64_t da, size_t len)
{
	return fake_da_to_va(f, da, len);
}

static struct core_fw_table *loaded(struct fake *f)
{
	/* through void *: the fake regions are malloc'd, so the table is suitably aligned */
	return (struct core_fw_table *)(void *)va(f, f->boot.table_da,
						  sizeof(struct core_fw_table));
}

/* ---- start ---------------------------------------------------------------------------------- */

static void start_places_the_vdev(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);
	static const uint8_t zero[64];
	const struct amp_rproc_vdev *v = amp_rproc_vdev(f->rp);

	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_RUNNING);
	assert_int_equal(f->starts, 1);
	assert_int_equal(f->ev[AMP_RPROC_EV_STARTED], 1);
	assert_int_equal(f->ev_state[AMP_RPROC_EV_STARTED], AMP_RPROC_RUNNING);
	assert_string_equal(f->boot.firmware, CORE_FW);
	/* The loaded table at the start of RAM, with the host's writes (Linux's order). */
	assert_int_equal(f->boot.table_da, 0x10000000);
	assert_int_equal(f->boot.table_len, sizeof(struct core_fw_table));
	struct core_fw_table *t = loaded(f);
	assert_int_equal(t->vring[0].da, 0x10040000);
	assert_int_equal(t->vring[1].da, 0x10041000);
	assert_int_equal(t->vring[0].notifyid, 0);
	assert_int_equal(t->vring[1].notifyid, 1);
	assert_int_equal(t->vdev.status, 0);
	assert_int_equal(t->vdev.gfeatures, 0);
	assert_int_equal(v->vring[1].da, 0x10041000);
	assert_int_equal(v->vring[1].num, 16);
	assert_int_equal(v->pool_da, 0x10042000);
	assert_int_equal(v->pool_size, 32 * 512);
	/* Rings, buffers and trace were zeroed; memory the core does not use was not touched. */
	assert_memory_equal(va(f, 0x10041000 + 0x1000 - 64, 64), zero, 64);
	assert_memory_equal(va(f, 0x10042000 + 32 * 512 - 64, 64), zero, 64);
	assert_memory_equal(va(f, CORE_FW_TRACE_DA, 64), zero, 64);
	assert_int_equal(*va(f, CORE_FW_TRACE_DA + CORE_FW_TRACE_LEN, 1), 0xa5);
	assert_int_equal(*va(f, 0xc0000000, 1), 0xa5);
	/* The host bus's writes and kicks go through the core to the platform. */
	amp_rproc_set_status(f->rp, 7);
	amp_rproc_set_gfeatures(f->rp, 1);
	assert_int_equal(t->vdev.status, 7);
	assert_int_equal(t->vdev.gfeatures, 1);
	amp_rproc_kick(f->rp, 1);
	assert_int_equal(f->kicks, 1);
	assert_int_equal(f->last_kick, 1);
	/* Running already: nothing more is booted. */
	assert_true(amp_rproc_start(f->rp, NULL));
	assert_int_equal(f->starts, 1);
	g_autoptr(GString) d = g_string_new(NULL);
	amp_rproc_describe(f->rp, d);
	assert_non_null(
	    strstr(d->str, "buffers at da 0x10042000: 16 x 512 bytes firmware -> Linux "
			   "(RX, MTU 496), then 16 x 512 bytes Linux -> firmware (TX, MTU 496)"));
	assert_non_null(strstr(d->str, "watchdog: refresh at least every 50 ms"));
	fake_free(f);
}

/* ---- stop ----------------------------------------------------------------------------------- */

static void stop_request_then_exit(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);
	g_autoptr(GError) err = NULL;

	amp_rproc_set_status(f->rp, 7);
	assert_true(amp_rproc_stop(f->rp));
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_STOPPING);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPING], 1);
	assert_int_equal(f->ev_state[AMP_RPROC_EV_STOPPING], AMP_RPROC_STOPPING);
	assert_int_equal(f->stops, 1);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPED], 0); /* not before the firmware is gone */
	assert_true(amp_rproc_stop(f->rp));		  /* still stopping: no second request */
	assert_int_equal(f->stops, 1);
	assert_false(amp_rproc_start(f->rp, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EBUSY));
	amp_rproc_report_exit(f->rp, "exited with status 0");
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_OFFLINE);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPED], 1);
	assert_int_equal(f->ev_state[AMP_RPROC_EV_STOPPED], AMP_RPROC_OFFLINE);
	assert_int_equal(loaded(f)->vdev.status, 0);
	const struct amp_rproc_stats *s = amp_rproc_stats(f->rp);
	assert_int_equal(s->stops, 1);
	assert_int_equal(s->kills, 0);
	assert_int_equal(s->crashes, 0);
	assert_null(amp_rproc_crash_reason(f->rp)); /* a stop is no crash */
	/* The grace timer went with the stop: nothing more happens. */
	run_for(f, AMP_RPROC_STOP_GRACE_MS + 100);
	assert_int_equal(f->kills, 0);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPED], 1);
	amp_rproc_report_exit(f->rp, "late"); /* offline: ignored */
	assert_int_equal(f->ev[AMP_RPROC_EV_CRASHED], 0);
	assert_false(amp_rproc_stop(f->rp)); /* nothing runs */
	fake_free(f);
}

static void stop_timeout_kills(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);

	assert_true(amp_rproc_stop(f->rp));
	run_for(f, 300); /* timers never fire early */
	assert_int_equal(f->kills, 0);
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_STOPPING);
	assert_true(run_until(f, &f->ev[AMP_RPROC_EV_STOPPED], 1, 5000));
	assert_int_equal(f->kills, 1);
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_OFFLINE);
	assert_int_equal(amp_rproc_stats(f->rp)->kills, 1);
	assert_int_equal(amp_rproc_stats(f->rp)->stops, 1);
	/* It can start again. */
	assert_true(amp_rproc_start(f->rp, NULL));
	assert_int_equal(f->starts, 2);
	fake_free(f);
}

static void stop_now_and_free(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);

	amp_rproc_stop_now(f->rp); /* synchronous: both events before it returns */
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPING], 1);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPED], 1);
	assert_int_equal(f->kills, 1);
	assert_int_equal(f->stops, 0);
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_OFFLINE);
	/* Stopping, then stop_now: the kill ends the wait. */
	assert_true(amp_rproc_start(f->rp, NULL));
	assert_true(amp_rproc_stop(f->rp));
	amp_rproc_stop_now(f->rp);
	assert_int_equal(f->kills, 2);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPING], 2);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPED], 2);
	/* Freeing a running core kills at once, with no event. */
	assert_true(amp_rproc_start(f->rp, NULL));
	unsigned events = f->ev[AMP_RPROC_EV_STOPPED] + f->ev[AMP_RPROC_EV_STOPPING];
	amp_rproc_free(f->rp);
	f->rp = NULL;
	assert_int_equal(f->kills, 3);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPED] + f->ev[AMP_RPROC_EV_STOPPING], events);
	fake_free(f);
}

/* ---- crashes -------------------------------------------------------------------------------- */

static void crash_then_recovery(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);
	g_autoptr(GString) t = g_string_new(NULL);

	strcpy((char *)va(f, CORE_FW_TRACE_DA, 16), "booted\n");
	amp_rproc_report_exit(f->rp, "killed by signal 9 (Killed)");
	assert_int_equal(f->ev[AMP_RPROC_EV_CRASHED], 1);
	assert_int_equal(f->ev_state[AMP_RPROC_EV_CRASHED], AMP_RPROC_CRASHED);
	assert_string_equal(amp_rproc_crash_reason(f->rp), "killed by signal 9 (Killed)");
	assert_int_equal(f->kills, 0);	/* it is gone already */
	assert_int_equal(f->starts, 1); /* recovery runs from the loop, not from the report */
	assert_true(run_until(f, &f->starts, 2, 2000));
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_RUNNING);
	assert_int_equal(f->ev[AMP_RPROC_EV_STARTED], 2);
	const struct amp_rproc_stats *s = amp_rproc_stats(f->rp);
	assert_int_equal(s->crashes, 1);
	assert_int_equal(s->recoveries, 1);
	assert_int_equal(s->starts, 2);
	assert_true(amp_rproc_crash_trace(f->rp, t));
	assert_string_equal(t->str, "booted\n");
	g_string_truncate(t, 0);
	strcpy((char *)va(f, CORE_FW_TRACE_DA, 16), "again\n"); /* the restart cleared it */
	assert_true(amp_rproc_trace(f->rp, t));
	assert_string_equal(t->str,
			    "--- trace before the last crash (killed by signal 9 "
			    "(Killed)) ---\nbooted\n--- trace since the restart ---\nagain\n");
	fake_free(f);
}

static void no_recovery_stays_crashed(void **state)
{
	(void)state;
	struct fake *f = running(true, 0);

	amp_rproc_report_exit(f->rp, "exited with status 3");
	run_for(f, 100);
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_CRASHED);
	assert_int_equal(f->starts, 1);
	assert_int_equal(amp_rproc_stats(f->rp)->recoveries, 0);
	/* A failed start by hand leaves it crashed; a good one brings it back. */
	g_autoptr(GError) err = NULL;
	f->fail_start = true;
	assert_false(amp_rproc_start(f->rp, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EIO));
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_CRASHED);
	f->fail_start = false;
	assert_true(amp_rproc_start(f->rp, NULL));
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_RUNNING);
	/* Crashed, then stopped: offline, nothing to wait for. */
	amp_rproc_report_exit(f->rp, "exited with status 4");
	assert_false(amp_rproc_stop(f->rp));
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_OFFLINE);
	fake_free(f);
}

/* Crashes in a row: the restart waits 0, then 100, 200, 400 ms; no restart before its time. */
static void crash_loop_backs_off(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);
	const struct amp_rproc_stats *s = amp_rproc_stats(f->rp);
	const unsigned want[] = {0, 100, 200, 400};

	for (unsigned i = 0; i < G_N_ELEMENTS(want); i++) {
		gint64 t0 = g_get_monotonic_time();
		amp_rproc_report_exit(f->rp, "exited with status 3");
		assert_int_equal(s->crash_streak, i + 1);
		assert_int_equal(s->backoff_ms, want[i]);
		assert_true(run_until(f, &f->starts, i + 2, 5000));
		/* never earlier than the delay (GLib timeouts do not fire early) */
		assert_true(g_get_monotonic_time() - t0 >= (gint64)want[i] * 1000);
	}
	assert_int_equal(s->recoveries, 4);
	/* the cap: far down the series the delay stops growing */
	for (unsigned i = 0; i < 8; i++) {
		amp_rproc_report_exit(f->rp, "exited with status 3");
		assert_true(amp_rproc_stop(f->rp) == FALSE); /* cancels; state offline */
		assert_true(amp_rproc_start(f->rp, NULL));
	}
	assert_int_equal(s->backoff_ms, AMP_RPROC_BACKOFF_MAX_MS);
	fake_free(f);
}

/* no_backoff (--no-restart-backoff): every restart at once, as Linux does. */
static void no_backoff_restarts_at_once(void **state)
{
	(void)state;
	struct fake *f = fake_new();
	g_autoptr(GError) err = NULL;
	f->no_backoff = true;
	assert_non_null(core_new(f, CORE_FW, false, 0, &err));
	assert_true(amp_rproc_start(f->rp, &err));
	const struct amp_rproc_stats *s = amp_rproc_stats(f->rp);
	for (unsigned i = 0; i < 6; i++) {
		amp_rproc_report_exit(f->rp, "exited with status 3");
		assert_int_equal(s->crash_streak, i + 1);
		assert_int_equal(s->backoff_ms, 0);
		assert_true(run_until(f, &f->starts, i + 2, 5000));
	}
	fake_free(f);
}

/* Recovery pending, then a stop: the recovery is cancelled. */
static void stop_cancels_recovery(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);

	amp_rproc_report_exit(f->rp, "exited with status 1");
	assert_false(amp_rproc_stop(f->rp));
	run_for(f, 100);
	assert_int_equal(f->starts, 1);
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_OFFLINE);
	fake_free(f);
}

/* The platform saw a fatal error: the core kills, then treats it as a crash. */
static void platform_crash_report_kills(void **state)
{
	(void)state;
	struct fake *f = running(true, 0);

	amp_rproc_report_crash(f->rp, "hard fault");
	assert_int_equal(f->kills, 1);
	assert_int_equal(f->ev[AMP_RPROC_EV_CRASHED], 1);
	assert_string_equal(amp_rproc_crash_reason(f->rp), "hard fault");
	amp_rproc_report_crash(f->rp, "again"); /* crashed: ignored */
	assert_int_equal(f->kills, 1);
	/* While stopping it ends the stop. */
	assert_true(amp_rproc_start(f->rp, NULL));
	assert_true(amp_rproc_stop(f->rp));
	amp_rproc_report_crash(f->rp, "hard fault");
	assert_int_equal(f->kills, 2);
	assert_int_equal(f->ev[AMP_RPROC_EV_STOPPED], 1);
	assert_int_equal(f->ev[AMP_RPROC_EV_CRASHED], 1);
	fake_free(f);
}

/* ---- the watchdog --------------------------------------------------------------------------- */

/* A firmware that refreshes lives on: one change per period is enough. The period is the
 * configured 300 ms, so a busy machine stalling this thread briefly does not matter. */
static void watchdog_refreshed_lives_on(void **state)
{
	(void)state;
	struct fake *f = running(true, 300);
	volatile uint32_t *refresh = &loaded(f)->wdg.refresh;

	gint64 end = g_get_monotonic_time() + 1000 * 1000;
	while (g_get_monotonic_time() < end) {
		(*refresh)++;
		g_main_context_iteration(f->ctx, FALSE);
		g_usleep(1000);
	}
	assert_int_equal(f->ev[AMP_RPROC_EV_CRASHED], 0);
	assert_int_equal(f->kills, 0);
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_RUNNING);
	fake_free(f);
}

/* A stalled one is killed and declared crashed (the firmware's own 50 ms). */
static void watchdog_expires(void **state)
{
	(void)state;
	struct fake *f = running(true, 0);

	assert_true(run_until(f, &f->ev[AMP_RPROC_EV_CRASHED], 1, 2000));
	assert_int_equal(f->kills, 1);
	assert_string_equal(amp_rproc_crash_reason(f->rp),
			    "watchdog expired (no refresh for 50 ms)");
	assert_int_equal(amp_rproc_stats(f->rp)->watchdogs, 1);
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_CRASHED);
	/* Disarmed while not running. */
	run_for(f, 150);
	assert_int_equal(f->kills, 1);
	fake_free(f);
}

/* A longer period from the configuration replaces the firmware's 50 ms. */
static void watchdog_override(void **state)
{
	(void)state;
	struct fake *f = running(true, 400);

	run_for(f, 200);
	assert_int_equal(f->ev[AMP_RPROC_EV_CRASHED], 0);
	assert_true(run_until(f, &f->ev[AMP_RPROC_EV_CRASHED], 1, 3000));
	assert_string_equal(amp_rproc_crash_reason(f->rp),
			    "watchdog expired (no refresh for 400 ms)");
	fake_free(f);
}

/* ---- errors --------------------------------------------------------------------------------- */

/* amp_rproc_new() of @fw fails with @code and @want in the message. */
static void new_fails(struct fake *f, const char *fw, unsigned wdg_ms, int code, const char *want)
{
	GError *err = NULL;
	assert_null(core_new(f, fw, false, wdg_ms, &err));
	print_message("%s\n", err->message);
	assert_true(g_error_matches(err, AMP_ERROR, code));
	assert_non_null(strstr(err->message, want));
	g_clear_error(&err);
}

static void new_errors(void **state)
{
	(void)state;
	struct fake *f = fake_new();
	new_fails(f, "/nonexistent/fw", 0, AMP_ENOENT, "firmware /nonexistent/fw not found");
	new_fails(f, NOT_ELF, 0, AMP_ENOEXEC, "not an ELF file");
	new_fails(f, FIXTURE_FW, 100, AMP_EINVAL, "declares no watchdog entry");
	f->refuse = true;
	new_fails(f, CORE_FW, 0, AMP_EACCES, "fake platform refuses");
	f->refuse = false;
	struct amp_rproc_ops no_kill = fake_ops;
	no_kill.kill = NULL;
	struct amp_rproc_platform plat = {.ops = &no_kill, .priv = f};
	struct amp_rproc_cfg cfg = {.firmware = CORE_FW, .context = f->ctx};
	GError *err = NULL;
	assert_null(amp_rproc_new(&plat, &cfg, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EINVAL));
	g_clear_error(&err);
	fake_free(f);
}

/* Start of @f's core fails with @code and @want; nothing was booted, the state is offline. */
static void start_fails(struct fake *f, const char *fw, int code, const char *want)
{
	GError *err = NULL;
	assert_non_null(core_new(f, fw, false, 0, &err));
	assert_false(amp_rproc_start(f->rp, &err));
	print_message("%s\n", err->message);
	assert_true(g_error_matches(err, AMP_ERROR, code));
	assert_non_null(strstr(err->message, want));
	assert_int_equal(amp_rproc_state(f->rp), AMP_RPROC_OFFLINE);
	assert_int_equal(f->starts + f->ev[AMP_RPROC_EV_STARTED], 0);
	g_clear_error(&err);
	fake_free(f);
}

static void placement_errors(void **state)
{
	(void)state;
	struct fake *f = fake_new();
	f->mem[1].size = 0x800; /* vdev0vring0 (its memory is larger: only the map says so) */
	start_fails(f, CORE_FW, AMP_ERANGE,
		    "vring0 needs 0x1000 bytes (page-aligned) but region vdev0vring0 has 0x800");
	f = fake_new();
	f->mem[3].size = 0x2000; /* vdev0buffer */
	start_fails(f, CORE_FW, AMP_ERANGE,
		    "16 + 16 buffers of 512 and 512 bytes need 0x4000 bytes but the SoC profile's "
		    "vdev0buffer region has only 0x2000");
	f = fake_new();
	f->mem[3].purpose = AMP_RPROC_MEM_OTHER;
	strcpy(f->mem[3].name, "spare");
	start_fails(f, CORE_FW, AMP_ENOENT, "vdev0buffer region is missing");
	f = fake_new();
	f->mem[0].purpose = AMP_RPROC_MEM_OTHER;
	start_fails(f, CORE_FW, AMP_ENOENT, "no RAM region that can hold the");
	f = fake_new();
	f->fail_start = true;
	start_fails(f, CORE_FW, AMP_EIO, "fake boot failure");
}

/* No vdev0vring<i>: vrings with da ANY are allocated one after the other in a vring pool. */
static void vrings_allocated_in_a_pool(void **state)
{
	(void)state;
	static const struct amp_rproc_mem map[] = {
	    {"mcusram", 0x10000000, 0x10000, AMP_RPROC_MEM_RAM},
	    {"vrings", 0x10040000, 0x2000, AMP_RPROC_MEM_VRING},
	    {"vdev0buffer", 0x10042000, 0x4000, AMP_RPROC_MEM_BUFFER},
	};
	struct fake *f = fake_new_map(map, G_N_ELEMENTS(map));
	g_autoptr(GError) err = NULL;
	assert_non_null(core_new(f, CORE_FW, false, 0, &err));
	assert_true(amp_rproc_start(f->rp, &err));
	assert_int_equal(amp_rproc_vdev(f->rp)->vring[0].da, 0x10040000);
	assert_int_equal(amp_rproc_vdev(f->rp)->vring[1].da, 0x10041000);
	assert_int_equal(loaded(f)->vring[1].da, 0x10041000);
	fake_free(f);
	/* Too small for both: the second does not fit after the first. */
	static const struct amp_rproc_mem small[] = {
	    {"mcusram", 0x10000000, 0x10000, AMP_RPROC_MEM_RAM},
	    {"vrings", 0x10040000, 0x1000, AMP_RPROC_MEM_VRING},
	    {"vdev0buffer", 0x10042000, 0x4000, AMP_RPROC_MEM_BUFFER},
	};
	start_fails(fake_new_map(small, G_N_ELEMENTS(small)), CORE_FW, AMP_ERANGE,
		    "vring1 has da ANY and needs 0x1000 bytes");
}

/* ---- the context ---------------------------------------------------------------------------- */

/* context NULL: the thread-default one. The grace timeout fires only when it is iterated. */
static void null_context_is_the_thread_default(void **state)
{
	(void)state;
	struct fake *f = fake_new();
	g_main_context_push_thread_default(f->ctx);
	struct amp_rproc_platform plat = {
	    .ops = &fake_ops, .priv = f, .mem = f->mem, .nmem = f->nmem};
	struct amp_rproc_cfg cfg = {.firmware = CORE_FW, .cb = on_event, .priv = f};
	g_autoptr(GError) err = NULL;
	f->rp = amp_rproc_new(&plat, &cfg, &err);
	assert_non_null(f->rp);
	g_main_context_pop_thread_default(f->ctx);
	assert_true(amp_rproc_start(f->rp, &err));
	assert_true(amp_rproc_stop(f->rp));
	assert_true(run_until(f, &f->ev[AMP_RPROC_EV_STOPPED], 1, 5000));
	assert_int_equal(f->kills, 1);
	fake_free(f);
}

/* firmware_store()'s core: offline only; a bad image leaves the current one; a good one is
 * what the next start boots (its own entries: the fixture firmware has no watchdog). */
static void set_firmware_offline_only(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);
	GError *err = NULL;
	assert_false(amp_rproc_set_firmware(f->rp, FIXTURE_FW, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EBUSY));
	g_clear_error(&err);
	amp_rproc_stop_now(f->rp);
	assert_false(amp_rproc_set_firmware(f->rp, NOT_ELF, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_ENOEXEC));
	g_clear_error(&err);
	assert_string_equal(amp_rproc_firmware(f->rp), CORE_FW);
	g_autoptr(GString) d = g_string_new(NULL);
	assert_true(amp_rproc_start(f->rp, &err)); /* the old image, watchdog and all */
	amp_rproc_describe(f->rp, d);
	assert_non_null(strstr(d->str, "watchdog:"));
	amp_rproc_stop_now(f->rp);
	assert_true(amp_rproc_set_firmware(f->rp, FIXTURE_FW, &err));
	assert_string_equal(amp_rproc_firmware(f->rp), FIXTURE_FW);
	assert_true(amp_rproc_start(f->rp, &err));
	assert_string_equal(f->boot.firmware, FIXTURE_FW);
	g_string_truncate(d, 0);
	amp_rproc_describe(f->rp, d);
	assert_null(strstr(d->str, "watchdog:"));
	fake_free(f);
}

/* rproc_coredump(): ELF32 ET_CORE, one PT_LOAD per region the core uses (not OTHER) at its
 * device address with its bytes; a write error is reported. */
static void coredump_of_the_regions(void **state)
{
	(void)state;
	struct fake *f = running(false, 0);
	memcpy(va(f, 0x10008000, 6), "marker", 6);
	FILE *tmp = tmpfile();
	GError *err = NULL;
	assert_true(amp_rproc_coredump(f->rp, fileno(tmp), &err));
	static uint8_t dump[0x20000];
	rewind(tmp);
	size_t len = fread(dump, 1, sizeof(dump), tmp);
	fclose(tmp);
	const Elf32_Ehdr *eh = (const void *)dump;
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS32);
	assert_int_equal(eh->e_type, ET_CORE);
	assert_int_equal(eh->e_machine, EM_ARM);
	assert_int_equal(eh->e_phnum, 4);
	size_t end = sizeof(*eh) + 4 * sizeof(Elf32_Phdr);
	for (unsigned i = 0; i < 4; i++) {
		const Elf32_Phdr *ph = (const void *)(dump + eh->e_phoff + i * sizeof(*ph));
		assert_int_equal(ph->p_type, PT_LOAD);
		assert_int_equal(ph->p_vaddr, f->mem[i].da);
		assert_int_equal(ph->p_filesz, f->mem[i].size);
		assert_int_equal(ph->p_offset, end);
		assert_memory_equal(dump + ph->p_offset, f->buf[i], f->mem[i].size);
		end += ph->p_filesz;
	}
	assert_int_equal(len, end);
	assert_memory_equal(dump + sizeof(*eh) + 4 * sizeof(Elf32_Phdr) + 0x8000, "marker", 6);
	assert_false(amp_rproc_coredump(f->rp, -1, &err));
	assert_non_null(strstr(err->message, "cannot write the firmware's core dump"));
	g_clear_error(&err);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(start_places_the_vdev),
	    cmocka_unit_test(stop_request_then_exit),
	    cmocka_unit_test(stop_timeout_kills),
	    cmocka_unit_test(stop_now_and_free),
	    cmocka_unit_test(crash_then_recovery),
	    cmocka_unit_test(no_recovery_stays_crashed),
	    cmocka_unit_test(stop_cancels_recovery),
	    cmocka_unit_test(crash_loop_backs_off),
	    cmocka_unit_test(no_backoff_restarts_at_once),
	    cmocka_unit_test(platform_crash_report_kills),
	    cmocka_unit_test(watchdog_refreshed_lives_on),
	    cmocka_unit_test(watchdog_expires),
	    cmocka_unit_test(watchdog_override),
	    cmocka_unit_test(new_errors),
	    cmocka_unit_test(placement_errors),
	    cmocka_unit_test(vrings_allocated_in_a_pool),
	    cmocka_unit_test(null_context_is_the_thread_default),
	    cmocka_unit_test(set_firmware_offline_only),
	    cmocka_unit_test(coredump_of_the_regions),
	};
	return cmocka_run_group_tests_name("rproc/core", tests, NULL, NULL);
}
