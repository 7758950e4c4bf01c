/*
 * The remoteproc lifecycle with real firmware processes, through libampsim (the generic core
 * over the sim platform): start-up and the loaded table, the asynchronous stop by CH3 (and
 * the kill after 500 ms, with the loop running meanwhile), kill -9 in the middle of traffic
 * followed by recovery 20 times with no leaked fd, shared object or process, recovery off,
 * crash reasons, the trace after a crash, and the watchdog.
 *
 * Everything runs on a private GMainContext; the global default context is never iterated,
 * so a source the library attached there would never dispatch and the tests would fail.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ampsim/error.h>
#include <ampsim/host.h>
#include <amp/rsc_parse.h>

#include "host_events.h"
#include "itest_glib.h"

/* Conditions for itest_loop_until(): a counter has reached a value. */
struct bytes_at_least {
	const size_t *bytes;
	size_t want;
};

static bool bytes_reached(const void *arg)
{
	const struct bytes_at_least *a = arg;
	return *a->bytes >= a->want;
}

static void loop_for(int ms)
{
	itest_loop_for(loop_ctx, ms);
}

struct trace_wait {
	const struct amp_rproc *rp;
	GString *out;
	const char *text;
};

static bool trace_says(const void *arg)
{
	const struct trace_wait *w = arg;
	g_string_truncate(w->out, 0);
	return amp_rproc_trace(w->rp, w->out) && strstr(w->out->str, w->text);
}

/* The trace (in *out) contains @text within a safety-net deadline: the firmware writes its
 * "announced" line after its name-service message, which may already have been handled. */
static void wait_for_trace(const struct amp_rproc *rp, GString *out, const char *text)
{
	if (!itest_loop_until(loop_ctx, trace_says, &(struct trace_wait){rp, out, text},
			      ITEST_REPLY_MS))
		fail_msg("no \"%s\" in the trace:\n%s", text, out->str);
}

static struct amp_host *echo_up(struct host_events *c, bool no_recovery)
{
	struct amp_host *h = host_events_started(c, ECHO_FW, NULL, no_recovery, 0);
	assert_true(loop_until(&c->channels, 1, ITEST_REPLY_MS));
	return h;
}

/* Stop and let the loop run until the firmware is gone. */
static void stop_and_wait(struct amp_host *h, struct host_events *c)
{
	unsigned want = c->stopped + 1;
	assert_true(amp_host_stop(h));
	assert_int_equal(amp_rproc_state(amp_host_rproc(h)), AMP_RPROC_STOPPING);
	assert_true(loop_until(&c->stopped, want, ITEST_REPLY_MS));
	assert_int_equal(amp_rproc_state(amp_host_rproc(h)), AMP_RPROC_OFFLINE);
	assert_int_equal(amp_host_fw_pid(h), -1);
}

/* Send n messages and wait for every echo. */
static void echo_traffic(struct amp_host *h, struct host_events *c, int n)
{
	char msg[64];
	size_t want = c->rx_bytes + (size_t)n * sizeof(msg);
	memset(msg, 'x', sizeof(msg));
	for (int i = 0; i < n; i++) {
		while (amp_host_send(c->ch, msg, sizeof(msg)) == AMP_ENOMEM)
			g_main_context_iteration(loop_ctx, TRUE);
	}
	itest_loop_until(loop_ctx, bytes_reached, &(struct bytes_at_least){&c->rx_bytes, want},
			 ITEST_REPLY_MS);
	assert_int_equal(c->rx_bytes, want);
	(void)h;
}

/* ---- what a run may leak ----------------------------------------------------------------- */

static int count_dir(const char *path, const char *prefix)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;
	assert_non_null(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' &&
		    (!prefix || !strncmp(de->d_name, prefix, strlen(prefix))))
			n++;
	closedir(d);
	return n;
}

/* Processes (zombies included) whose parent is this process. */
static int count_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;
	assert_non_null(d);
	while ((de = readdir(d))) {
		char path[288], buf[512];
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[len] = '\0';
		const char *rp = strrchr(buf, ')'); /* comm may hold spaces */
		int ppid;
		if (rp && sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
			n++;
	}
	closedir(d);
	return n;
}

struct usage {
	int fds, shm, children;
};

static struct usage usage_now(void)
{
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "ampsim-%u-%d-", (unsigned)getuid(), (int)getpid());
	return (struct usage){count_dir("/proc/self/fd", NULL), count_dir("/dev/shm", prefix),
			      count_children()};
}

static void assert_no_leak(struct usage before)
{
	struct usage now = usage_now();
	assert_int_equal(now.fds, before.fds);
	assert_int_equal(now.shm, before.shm);
	assert_int_equal(now.children, before.children);
}

/* ---- tests ------------------------------------------------------------------------------- */

/* Start-up as Linux does it: the host's writes are in the loaded table in shared memory. */
static void startup_loaded_table(void **state)
{
	struct host_events c;
	(void)state;
	struct amp_host *h = echo_up(&c, false);
	struct amp_soc *soc = amp_host_soc(h);
	struct amp_rproc *rp = amp_host_rproc(h);
	struct amp_rsc_entry e;
	uint64_t da, size;
	void *table;

	assert_int_equal(amp_rproc_state(rp), AMP_RPROC_RUNNING);
	assert_true(amp_host_fw_pid(h) > 0);
	assert_int_equal(amp_soc_get_rsc(soc, &da, &size, &table), AMP_OK);
	assert_int_equal(da, amp_soc_region_by_name(soc, "mcusram")->da);
	assert_int_equal(amp_rsc_find(table, size, AMP_RSC_KIND_VDEV, 0, &e, NULL), AMP_OK);
	/* da ANY -> the named carveouts; notify ids in table order */
	assert_int_equal(e.u.vdev.vring[0].da, amp_soc_region_by_name(soc, "vdev0vring0")->da);
	assert_int_equal(e.u.vdev.vring[1].da, amp_soc_region_by_name(soc, "vdev0vring1")->da);
	assert_int_equal(e.u.vdev.vring[0].notifyid, 0);
	assert_int_equal(e.u.vdev.vring[1].notifyid, 1);
	/* DRIVER_OK (with ACK and DRIVER) and the accepted name-service feature */
	assert_int_equal(e.u.vdev.status, AMP_VIRTIO_STATUS_ACK | AMP_VIRTIO_STATUS_DRIVER |
					      AMP_VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(e.u.vdev.gfeatures, 1u << AMP_VIRTIO_RPMSG_F_NS);
	assert_int_equal(amp_rproc_vdev(rp)->pool_da,
			 amp_soc_region_by_name(soc, "vdev0buffer")->da);
	assert_int_equal(amp_rproc_vdev(rp)->pool_size, 32 * 512);
	echo_traffic(h, &c, 10);

	/* stop: status back to 0 in the loaded table */
	stop_and_wait(h, &c);
	assert_int_equal(amp_rsc_find(table, size, AMP_RSC_KIND_VDEV, 0, &e, NULL), AMP_OK);
	assert_int_equal(e.u.vdev.status, 0);
	assert_false(amp_host_stop(h)); /* nothing runs: no STOPPED follows */
	amp_host_free(h);
}

/* stop = CH3 shutdown; a firmware that honours it exits before the 500 ms grace ends. */
static void stop_by_shutdown_request(void **state)
{
	struct host_events c;
	(void)state;
	struct amp_host *h = echo_up(&c, false);
	struct amp_rproc *rp = amp_host_rproc(h);
	stop_and_wait(h, &c);
	assert_int_equal(amp_rproc_stats(rp)->stops, 1);
	assert_int_equal(amp_rproc_stats(rp)->kills, 0); /* it exited within the grace period */
	assert_int_equal(amp_rproc_stats(rp)->crashes, 0);
	assert_int_equal(c.gone, 1); /* the channel hung up */
	assert_int_equal(c.stopping, 1);
	amp_host_free(h);
}

struct ticks {
	struct amp_rproc *rp;
	unsigned while_stopping; /* ticks dispatched while the rproc was STOPPING */
};

static gboolean count_tick(gpointer data)
{
	struct ticks *t = data;
	t->while_stopping += amp_rproc_state(t->rp) == AMP_RPROC_STOPPING;
	return G_SOURCE_CONTINUE;
}

/* A firmware that ignores CH3 is killed after 500 ms, as stm32_rproc stops the core; the
 * stop never blocks: the loop keeps dispatching during the grace period. */
static void stop_kills_after_grace(void **state)
{
	char *args[] = {"pet", NULL};
	struct host_events c;
	(void)state;
	struct amp_host *h = host_events_started(&c, WDG_FW, args, false, 0);
	loop_for(50);
	struct amp_rproc *rp = amp_host_rproc(h);
	struct ticks ticks = {.rp = rp};
	GSource *tick = g_timeout_source_new(20);
	g_source_set_callback(tick, count_tick, &ticks, NULL);
	g_source_attach(tick, loop_ctx);
	gint64 t0 = g_get_monotonic_time();
	assert_true(amp_host_stop(h));
	/* Returned before the grace ended: still stopping, the kill is a source on loop_ctx. */
	assert_int_equal(amp_rproc_state(rp), AMP_RPROC_STOPPING);
	g_autoptr(GError) busy = NULL;
	assert_false(amp_host_start(h, &busy)); /* not while stopping */
	assert_true(g_error_matches(busy, AMP_ERROR, AMP_EBUSY));
	assert_true(loop_until(&c.stopped, 1, ITEST_REPLY_MS));
	gint64 took = g_get_monotonic_time() - t0;
	assert_true(took >= AMP_RPROC_STOP_GRACE_MS * 1000);
	/* The loop ran during the grace: not one tick, as after a blocked loop, but several (not
	 * all 25 of 500 ms: on a busy machine the process may wait for a CPU). */
	assert_true(ticks.while_stopping >= 2);
	assert_int_equal(amp_rproc_stats(rp)->kills, 1);
	assert_int_equal(amp_rproc_stats(rp)->stops, 1);
	assert_int_equal(amp_rproc_stats(rp)->crashes, 0);
	assert_int_equal(amp_rproc_state(rp), AMP_RPROC_OFFLINE);
	g_source_destroy(tick);
	g_source_unref(tick);
	amp_host_free(h);
}

/* Freeing a running firmware kills it at once: no 500 ms wait for a shutdown that never
 * comes, and the events still tell the users. */
static void free_while_running_kills_at_once(void **state)
{
	char *args[] = {"pet", NULL};
	struct host_events c;
	(void)state;
	struct amp_host *h = host_events_started(&c, WDG_FW, args, false, 0);
	loop_for(50);
	int pid = amp_host_fw_pid(h);
	assert_true(pid > 0);
	gint64 t0 = g_get_monotonic_time();
	amp_host_free(h);
	/* Waiting out the grace would take at least that long; a kill takes far less. */
	assert_true(g_get_monotonic_time() - t0 < AMP_RPROC_STOP_GRACE_MS * 1000);
	assert_int_equal(c.stopping, 1);
	assert_int_equal(c.stopped, 1);
	assert_int_equal(kill(pid, 0), -1); /* gone and reaped */
}

/* One round: start, traffic, stop, start, kill -9 mid-traffic, recovery, traffic, free. */
static void round_trip(void)
{
	struct host_events c;
	char msg[64] = "in flight";
	struct amp_host *h = echo_up(&c, false);
	struct amp_rproc *rp = amp_host_rproc(h);
	g_autoptr(GError) err = NULL;

	echo_traffic(h, &c, 20);
	stop_and_wait(h, &c);
	assert_true(amp_host_start(h, &err));
	assert_true(loop_until(&c.channels, 2, ITEST_REPLY_MS));
	for (int i = 0; i < 12; i++)
		assert_int_equal(amp_host_send(c.ch, msg, sizeof(msg)), 0);
	loop_for(1); /* some echoes under way */
	assert_int_equal(kill(amp_host_fw_pid(h), SIGKILL), 0);
	assert_true(loop_until(&c.crashed, 1, ITEST_REPLY_MS));
	assert_true(loop_until(&c.channels, 3, ITEST_REPLY_MS)); /* recovered and re-announced */
	assert_int_equal(amp_rproc_state(rp), AMP_RPROC_RUNNING);
	assert_string_equal(amp_rproc_crash_reason(rp), "killed by signal 9 (Killed)");
	assert_int_equal(amp_rproc_stats(rp)->crashes, 1);
	assert_int_equal(amp_rproc_stats(rp)->recoveries, 1);
	assert_int_equal(amp_rproc_stats(rp)->starts, 3);
	c.rx_bytes = 0;
	echo_traffic(h, &c, 20);
	amp_host_free(h);
}

static void twenty_rounds_no_leak(void **state)
{
	(void)state;
	round_trip(); /* GLib's own one-time fds (main context wakeup) are not leaks */
	struct usage before = usage_now();
	assert_int_equal(before.shm, 0);
	assert_int_equal(before.children, 0);
	for (int i = 0; i < 20; i++) {
		round_trip();
		assert_no_leak(before);
	}
}

/* Recovery off: the firmware stays crashed, its trace readable; start brings it back. */
static void recovery_off(void **state)
{
	struct host_events c;
	(void)state;
	struct amp_host *h = echo_up(&c, true);
	struct amp_rproc *rp = amp_host_rproc(h);
	g_autoptr(GString) t = g_string_new(NULL);
	g_autoptr(GError) err = NULL;

	wait_for_trace(rp, t, "echo: announced");
	assert_false(amp_rproc_crash_trace(rp, t));
	kill(amp_host_fw_pid(h), SIGKILL);
	assert_true(loop_until(&c.crashed, 1, ITEST_REPLY_MS));
	loop_for(100);
	assert_int_equal(amp_rproc_state(rp), AMP_RPROC_CRASHED);
	assert_string_equal(amp_rproc_state_name(amp_rproc_state(rp)), "crashed");
	assert_int_equal(amp_rproc_stats(rp)->recoveries, 0);
	assert_int_equal(amp_host_fw_pid(h), -1);
	g_string_truncate(t, 0);
	assert_true(amp_rproc_trace(rp, t)); /* after the crash, like debugfs trace0 */
	assert_non_null(strstr(t->str, "echo: announced"));
	g_string_truncate(t, 0);
	assert_true(amp_rproc_crash_trace(rp, t));
	assert_non_null(strstr(t->str, "echo: announced"));

	/* leave garbage where the dead firmware was: a restart must not show it */
	const struct amp_rproc_vdev *v = amp_rproc_vdev(rp);
	uint8_t *pool = amp_soc_da_to_va(amp_host_soc(h), v->pool_da, v->pool_size);
	uint8_t *ring1 = amp_soc_da_to_va(amp_host_soc(h), v->vring[1].da, 4096);
	memset(pool, 0xa5, v->pool_size);
	memset(ring1, 0xa5, 4096);
	assert_true(amp_host_start(h, &err)); /* crashed -> running by hand */
	static const uint8_t zero[512];
	assert_memory_equal(pool + v->pool_size - 512, zero, 512); /* a TX buffer not used yet */
	assert_memory_equal(ring1 + 2048, zero, 512);		   /* past the 16-entry ring */
	assert_true(loop_until(&c.channels, 2, ITEST_REPLY_MS));
	wait_for_trace(rp, t, "--- trace since the restart ---\necho: announced");
	assert_non_null(strstr(t->str, "--- trace before the last crash (killed by signal 9"));
	amp_host_free(h);
}

static void exit_status_is_the_reason(void **state)
{
	char *args[] = {"exit", "3", NULL};
	struct host_events c;
	(void)state;
	struct amp_host *h = host_events_started(&c, WDG_FW, args, true, 0);
	assert_true(loop_until(&c.crashed, 1, ITEST_REPLY_MS));
	assert_string_equal(amp_rproc_crash_reason(amp_host_rproc(h)), "exited with status 3");
	amp_host_free(h);
}

/* A firmware that stops refreshing is killed and rebooted; one that refreshes lives on. */
static void watchdog(void **state)
{
	char *hang[] = {"hang", "500", NULL}, *pet[] = {"pet", NULL};
	g_autoptr(GError) err = NULL;
	struct host_events c;
	(void)state;

	struct amp_host *h = host_events_started(&c, WDG_FW, pet, false, 0);
	loop_for(1000); /* four periods of 250 ms */
	assert_int_equal(c.crashed, 0);
	amp_host_free(h);

	h = host_events_new(&c, WDG_FW, hang, false, 0, &err);
	assert_non_null(h);
	struct amp_rproc *rp = amp_host_rproc(h);
	assert_true(amp_host_start(h, &err));
	assert_true(loop_until(&c.crashed, 1, ITEST_REPLY_MS));
	assert_string_equal(amp_rproc_crash_reason(rp), "watchdog expired (no refresh for 250 ms)");
	assert_int_equal(amp_rproc_stats(rp)->watchdogs, 1);
	assert_true(loop_until(&c.started, 2, ITEST_REPLY_MS)); /* recovered */
	assert_int_equal(amp_rproc_stats(rp)->recoveries, 1);
	g_autoptr(GString) t = g_string_new(NULL);
	assert_true(amp_rproc_crash_trace(rp, t));
	assert_string_equal(t->str, "wdg_fw: refreshing\nwdg_fw: stalled\n");
	amp_host_free(h);
}

static void watchdog_config_errors(void **state)
{
	struct host_events c;
	(void)state;
	GError *err = NULL;

	/* a timeout override is used instead of the firmware's 250 ms */
	char *hang[] = {"hang", "0", NULL};
	struct amp_host *h = host_events_started(&c, WDG_FW, hang, true, 400);
	assert_true(loop_until(&c.crashed, 1, ITEST_REPLY_MS));
	assert_string_equal(amp_rproc_crash_reason(amp_host_rproc(h)),
			    "watchdog expired (no refresh for 400 ms)");
	amp_host_free(h);

	/* requested for a firmware with nothing to refresh */
	assert_null(host_events_new(&c, ECHO_FW, NULL, false, 500, &err));
	assert_non_null(strstr(err->message, "declares no watchdog entry"));
	g_clear_error(&err);

	/* a watchdog entry with timeout 0: the vendor hook rejects the table */
	assert_null(host_events_new(&c, WDG_FW_BAD, NULL, false, 0, &err));
	print_message("%s\n", err->message);
	assert_non_null(strstr(err->message, "(vendor, type 192)"));
	assert_non_null(strstr(err->message, "vendor handler rejected the entry"));
	g_clear_error(&err);
}

/* Start fails, and the state stays offline, with @p want in the message. */
static void start_fails(const char *fw, const char *want)
{
	char *args[] = {"pet", NULL};
	GError *err = NULL;
	struct host_events c;
	struct amp_host *h = host_events_new(&c, fw, args, false, 0, &err);
	assert_non_null(h);
	assert_false(amp_host_start(h, &err));
	print_message("%s\n", err->message);
	assert_non_null(strstr(err->message, want));
	assert_int_equal(amp_rproc_state(amp_host_rproc(h)), AMP_RPROC_OFFLINE);
	assert_int_equal(amp_host_fw_pid(h), -1);
	g_clear_error(&err);
	amp_host_free(h);
}

/* Linux's rproc_check_carveout_da: a vring must fit its named region, at any fixed da. */
static void vring_placement(void **state)
{
	char *args[] = {"pet", NULL};
	struct amp_rsc_entry e;
	uint64_t da, size;
	void *table;
	struct host_events c;
	(void)state;

	start_fails(FW_VRING_BIG, "vring0 needs 0x2000 bytes (page-aligned) but region "
				  "vdev0vring0 has 0x1000");
	start_fails(FW_VRING_DA_OUT, "vring0 at da 0x10041000 (0x1000 bytes) is not inside region "
				     "vdev0vring0 (0x1000 bytes at 0x10040000)");
	struct amp_host *h = host_events_started(&c, FW_VRING_DA_OK, args, false, 0);
	assert_int_equal(amp_soc_get_rsc(amp_host_soc(h), &da, &size, &table), AMP_OK);
	assert_int_equal(amp_rsc_find(table, size, AMP_RSC_KIND_VDEV, 0, &e, NULL), AMP_OK);
	assert_int_equal(e.u.vdev.vring[0].da, 0x10040000u);
	assert_int_equal(e.u.vdev.vring[1].da, 0x10041000u);
	amp_host_free(h);
}

/* A profile with one "vrings" region instead of vdev0vring0/1 (of @size bytes). */
static char *profile_with_vring_region(const char *size)
{
	g_autofree char *src = g_build_filename(AMP_PROFILES, "stm32mp157.ini", NULL);
	g_autofree char *text = NULL;
	assert_true(g_file_get_contents(src, &text, NULL, NULL));
	GString *ini = g_string_new(text);
	g_autofree char *named = g_strdup_printf("[region vrings]\nda=0x10040000\nsize=%s\n", size);
	assert_true(g_string_replace(ini, "[region vdev0vring0]\nda=0x10040000\nsize=0x1000\n",
				     named, 1) == 1);
	/* Drop the vdev0vring1 group: its lines up to the next blank line. */
	char *g = strstr(ini->str, "[region vdev0vring1]");
	assert_non_null(g);
	char *end = strstr(g, "\n\n");
	assert_non_null(end);
	g_string_erase(ini, g - ini->str, end + 2 - g);
	char *path = g_strdup_printf("%s-%s.ini", itest_scratch_path("profile"), size);
	assert_true(g_file_set_contents(path, ini->str, -1, NULL));
	g_string_free(ini, TRUE);
	return path;
}

/* Vrings with da ANY are allocated in it, one after the other; refused when it is too small. */
static void vrings_any_are_allocated(void **state)
{
	(void)state;
	struct host_events c;
	g_autoptr(GError) err = NULL;
	g_autofree char *ok = profile_with_vring_region("0x2000");
	struct amp_host_cfg cfg = {
	    .ops = &host_events_ops, .priv = &c, .profile = ok, .context = loop_ctx};
	memset(&c, 0, sizeof(c));
	cfg.rproc.firmware = ECHO_FW;
	struct amp_host *h = amp_host_new(&cfg, &err);
	assert_non_null(h);
	assert_true(amp_host_start(h, &err));
	assert_true(loop_until(&c.channels, 1, ITEST_REPLY_MS)); /* the link works over them */
	const struct amp_rproc_vdev *v = amp_rproc_vdev(amp_host_rproc(h));
	assert_int_equal(v->vring[0].da, 0x10040000u);
	assert_int_equal(v->vring[1].da, 0x10041000u);
	amp_host_free(h);
	unlink(ok);

	g_autofree char *small = profile_with_vring_region("0x1000");
	cfg.profile = small;
	h = amp_host_new(&cfg, &err);
	assert_non_null(h);
	assert_false(amp_host_start(h, &err));
	assert_non_null(strstr(err->message, "vring1 has da ANY and needs 0x1000 bytes"));
	amp_host_free(h);
	unlink(small);
}

/* context NULL: the thread-default context, here a fresh one pushed by the test. */
static void null_context_is_the_thread_default(void **state)
{
	struct host_events c;
	(void)state;
	GMainContext *mine = g_main_context_new();
	GMainContext *outer = loop_ctx;
	g_main_context_push_thread_default(mine);
	loop_ctx = NULL; /* host_events_new passes it on: NULL */
	g_autoptr(GError) err = NULL;
	struct amp_host *h = host_events_new(&c, ECHO_FW, NULL, false, 0, &err);
	assert_non_null(h);
	loop_ctx = mine; /* and the helpers iterate it */
	assert_true(amp_host_start(h, &err));
	assert_true(loop_until(&c.channels, 1, ITEST_REPLY_MS));
	echo_traffic(h, &c, 5);
	stop_and_wait(h, &c);
	amp_host_free(h);
	g_main_context_pop_thread_default(mine);
	g_main_context_unref(mine);
	loop_ctx = outer;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(startup_loaded_table),
	    cmocka_unit_test(stop_by_shutdown_request),
	    cmocka_unit_test(stop_kills_after_grace),
	    cmocka_unit_test(free_while_running_kills_at_once),
	    cmocka_unit_test(null_context_is_the_thread_default),
	    cmocka_unit_test(twenty_rounds_no_leak),
	    cmocka_unit_test(recovery_off),
	    cmocka_unit_test(exit_status_is_the_reason),
	    cmocka_unit_test(watchdog),
	    cmocka_unit_test(watchdog_config_errors),
	    cmocka_unit_test(vring_placement),
	    cmocka_unit_test(vrings_any_are_allocated),
	};
	return cmocka_run_group_tests_name("rproc/lifecycle", tests, loop_ctx_setup,
					   loop_ctx_teardown);
}
