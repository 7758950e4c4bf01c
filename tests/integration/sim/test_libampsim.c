/*
 * libampsim in-process: boot the echo firmware with amp_host_new/start, talk to its channel
 * and through endpoints of our own (amp_host_ept_new), with no daemon. The firmware is a
 * real child process; the GLib loop is iterated here with bounded waits.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <amp/error.h>
#include <amp/ipcc.h>
#include <ampsim/host.h>

#include "itest_glib.h"

struct ctx {
	struct amp_host_chan *chan; /* the echo channel once announced */
	char got[4096];
	size_t got_len;
	uint32_t got_src;
	int got_n;
	int gone_n;
	char why[128];
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

static void on_chan_receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	struct ctx *c = priv;
	assert_true(len <= sizeof(c->got));
	memcpy(c->got, data, len);
	c->got_len = len;
	c->got_src = ch->remote;
	c->got_n++;
}

static const struct amp_host_ops host_ops = {
    .channel_new = on_channel_new,
    .channel_gone = on_channel_gone,
    .receive = on_chan_receive,
};

static void on_ept_receive(void *priv, struct amp_host_ept *e, const void *data, size_t len,
			   uint32_t src)
{
	struct ctx *c = priv;
	(void)e;
	memcpy(c->got, data, len);
	c->got_len = len;
	c->got_src = src;
	c->got_n++;
}

static void on_ept_gone(void *priv, struct amp_host_ept *e, const char *why)
{
	struct ctx *c = priv;
	assert_null(e->host); /* dead before the owner hears of it */
	g_strlcpy(c->why, why, sizeof(c->why));
	c->gone_n++;
}

static const struct amp_host_ept_ops ept_ops = {.receive = on_ept_receive, .gone = on_ept_gone};

struct changed {
	const int *flag;
	int from;
};

static bool has_changed(const void *arg)
{
	const struct changed *c = arg;
	return *c->flag != c->from;
}

/* Iterate the default context until *@flag changes from @from, at most @ms. */
static bool loop_until(const int *flag, int from, int ms)
{
	return itest_loop_until(NULL, has_changed, &(struct changed){flag, from}, ms);
}

static bool announced(const void *arg)
{
	return ((const struct ctx *)arg)->chan != NULL;
}

static bool crashed(const void *arg)
{
	return amp_rproc_state(arg) == AMP_RPROC_CRASHED;
}

/* Boot @fw on @profile (NULL: the default) and wait for its (only) channel. */
static struct amp_host *boot_fw(struct ctx *c, const char *fw, const char *profile,
				const char *ipcc_mode)
{
	struct amp_host_cfg cfg = {
	    .profile = profile,
	    .rproc = {.firmware = fw},
	    .process = {.ipcc_mode = ipcc_mode},
	    .ops = &host_ops,
	    .priv = c,
	};
	g_autoptr(GError) err = NULL;
	struct amp_host *h = amp_host_new(&cfg, &err);
	if (!h || !amp_host_start(h, &err))
		fail_msg("cannot boot %s: %s", fw, err->message);
	itest_loop_until(NULL, announced, c, ITEST_BOOT_MS);
	assert_non_null(c->chan);
	return h;
}

static struct amp_host *boot(struct ctx *c)
{
	return boot_fw(c, ECHO_FW, NULL, NULL);
}

static void channel_and_own_endpoints_in_process(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c);
	uint32_t echo = c.chan->remote;
	assert_int_equal(amp_host_mtu(h), 496);
	/* The announced channel. */
	int n = c.got_n;
	assert_int_equal(amp_host_send(c.chan, "hello", 5), 0);
	assert_true(loop_until(&c.got_n, n, ITEST_REPLY_MS));
	assert_memory_equal(c.got, "hello", 5);
	/* Our own endpoints: dynamic and fixed source; the echo answers to the source. */
	struct amp_host_ept *a, *b, *dup;
	assert_int_equal(amp_host_ept_new(h, "mine", AMP_RPMSG_ADDR_ANY, echo, &ept_ops, &c, &a),
			 0);
	assert_true(a->src >= 1024);
	assert_string_equal(a->name, "mine");
	assert_int_equal(amp_host_ept_new(h, NULL, 3000, echo, &ept_ops, &c, &b), 0);
	assert_int_equal(b->src, 3000);
	assert_int_equal(amp_host_ept_new(h, "dup", 3000, echo, &ept_ops, &c, &dup),
			 AMP_EADDRINUSE);
	assert_int_equal(amp_host_ept_new(h, "ns", 53, echo, &ept_ops, &c, &dup), AMP_EADDRINUSE);
	n = c.got_n;
	assert_int_equal(amp_host_ept_send(a, "from a", 6), 0);
	assert_true(loop_until(&c.got_n, n, ITEST_REPLY_MS));
	assert_int_equal(c.got_len, 6);
	assert_memory_equal(c.got, "from a", 6);
	assert_int_equal(c.got_src, echo);
	char big[497] = {0};
	assert_int_equal(amp_host_ept_send(b, big, sizeof(big)), AMP_EMSGSIZE);
	g_autofree struct amp_host_ept **list = amp_host_epts(h);
	assert_ptr_equal(list[0], a);
	assert_ptr_equal(list[1], b);
	assert_null(list[2]);
	/* Freed: its address is free again. */
	amp_host_ept_free(b);
	assert_int_equal(amp_host_ept_new(h, NULL, 3000, echo, &ept_ops, &c, &b), 0);
	/* Stopping the firmware kills the endpoints and tells their owner. */
	amp_host_stop(h);
	assert_int_equal(c.gone_n, 2);
	assert_string_equal(c.why, "the firmware is stopping");
	assert_int_equal(amp_host_ept_send(a, "x", 1), AMP_ENOTCONN);
	assert_int_equal(amp_host_ept_new(h, NULL, AMP_RPMSG_ADDR_ANY, echo, &ept_ops, &c, &dup),
			 AMP_ENOTCONN);
	amp_host_ept_free(a);
	amp_host_ept_free(b);
	amp_host_free(h);
}

/* What a geometry firmware declares, and what the host must make of it. */
struct geometry {
	const char *fw;
	const char *profile;
	size_t h2r_mtu, r2h_mtu; /* payload bytes per message, each direction */
	uint32_t pool_size;	 /* RX buffers (vring0) + TX buffers (vring1), bytes */
};

/* Send @len bytes and wait for one answer. */
static void round_trip(struct ctx *c, const void *data, size_t len)
{
	int n = c->got_n;
	assert_int_equal(amp_host_send(c->chan, data, len), 0);
	assert_true(loop_until(&c->got_n, n, ITEST_REPLY_MS));
}

struct held_line {
	struct amp_host *h;
	const char *want; /* the start of amp_host_step_held()'s line */
};

static bool held_is(const void *arg)
{
	const struct held_line *w = arg;
	g_autoptr(GString) s = g_string_new(NULL);
	amp_host_step_held(w->h, s);
	return g_str_has_prefix(s->str, w->want);
}

/* Step mode on, then off: turning it off delivers what is held, in both directions, and
 * nothing is held afterwards (docs/inspect.md). */
static void step_off_delivers_what_is_held(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c);
	amp_host_set_step(h, true);
	/* Held one way: the kick to the firmware. Off delivers it; the echo then passes. */
	int n = c.got_n;
	assert_int_equal(amp_host_send(c.chan, "one", 3), 0);
	assert_true(itest_loop_until(
	    NULL, held_is, &(struct held_line){h, "held 1: Linux->firmware CH2"}, ITEST_REPLY_MS));
	assert_int_equal(c.got_n, n);
	amp_host_set_step(h, false);
	assert_true(loop_until(&c.got_n, n, ITEST_REPLY_MS));
	assert_memory_equal(c.got, "one", 3);
	/* Held the other way: the firmware's interrupt with the echo. */
	amp_host_set_step(h, true);
	n = c.got_n;
	assert_int_equal(amp_host_send(c.chan, "two", 3), 0);
	g_autoptr(GString) out = g_string_new(NULL);
	assert_int_equal(amp_host_step(h, 1, out), 1);
	assert_true(itest_loop_until(
	    NULL, held_is, &(struct held_line){h, "held 1: firmware->Linux CH1"}, ITEST_REPLY_MS));
	assert_int_equal(c.got_n, n); /* the echo waits in vring0 */
	amp_host_set_step(h, false);
	assert_int_equal(c.got_n, n + 1); /* delivered by the call itself */
	assert_memory_equal(c.got, "two", 3);
	/* Off means off: nothing to release, nothing held, and a third echo just passes. */
	assert_int_equal(amp_host_step(h, 1, out), AMP_EINVAL);
	g_string_truncate(out, 0);
	amp_host_step_held(h, out);
	assert_string_equal(out->str, "");
	round_trip(&c, "three", 5);
	amp_host_free(h);
}

/*
 * Boot, then the largest payload each way: host -> firmware (echoed, more times than either
 * vring has entries, so every buffer is reused) and firmware -> host ("big N"); one byte more
 * is refused with EMSGSIZE on both sides.
 */
static void check_geometry(const struct geometry *g)
{
	struct ctx c = {0};
	struct amp_host *h = boot_fw(&c, g->fw, g->profile, NULL);
	assert_int_equal(amp_host_mtu(h), g->h2r_mtu);
	assert_int_equal(amp_rproc_vdev(amp_host_rproc(h))->pool_size, g->pool_size);
	static uint8_t msg[2048];
	for (int i = 0; i < 70; i++) {
		memset(msg, i, g->h2r_mtu);
		msg[g->h2r_mtu - 1] = 0xEE;
		round_trip(&c, msg, g->h2r_mtu);
		assert_int_equal(c.got_len, g->h2r_mtu);
		assert_memory_equal(c.got, msg, g->h2r_mtu);
	}
	assert_int_equal(amp_host_send(c.chan, msg, g->h2r_mtu + 1), AMP_EMSGSIZE);

	char cmd[32];
	snprintf(cmd, sizeof(cmd), "big %zu", g->r2h_mtu);
	round_trip(&c, cmd, strlen(cmd));
	assert_int_equal(c.got_len, g->r2h_mtu);
	for (size_t i = 0; i < g->r2h_mtu; i++)
		assert_int_equal((uint8_t)c.got[i], (uint8_t)i);
	snprintf(cmd, sizeof(cmd), "big %zu", g->r2h_mtu + 1);
	round_trip(&c, cmd, strlen(cmd));
	assert_int_equal(c.got_len, strlen("err EMSGSIZE"));
	assert_memory_equal(c.got, "err EMSGSIZE", c.got_len);
	amp_host_free(h);
}

/* Linux: min(num, 256) buffers per direction, each vring its own num (8 RX, 32 TX). */
static void vrings_8_and_32_boot_and_echo(void **state)
{
	(void)state;
	check_geometry(&(struct geometry){GEOM_8_32_FW, BIGBUF_PROFILE, 496, 496, (8 + 32) * 512});
}

static void vrings_32_and_8_boot_and_echo(void **state)
{
	(void)state;
	check_geometry(&(struct geometry){GEOM_32_8_FW, BIGBUF_PROFILE, 496, 496, (32 + 8) * 512});
}

/*
 * Buffer sizes per direction, declared in the vdev's config space: 256 bytes host ->
 * firmware (MTU 240: the host's frontends and its sends), 1024 firmware -> host (MTU 1008:
 * the firmware's sends), on ST's own memory map (8 x 1024 + 16 x 256 bytes of buffers).
 */
static void buffer_sizes_per_direction(void **state)
{
	(void)state;
	check_geometry(&(struct geometry){GEOM_BUFS_FW, NULL, 240, 1008, 8 * 1024 + 16 * 256});
}

/* A vring RPMsg-Lite would lay out differently (align 4): the host says so at start, with
 * both offsets, and still works with a firmware that lays it out as Linux does. */
static void warns_of_a_vring_rpmsg_lite_would_misplace(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot_fw(&c, GEOM_ALIGN4_FW, NULL, NULL);
	g_autoptr(GString) d = g_string_new(NULL);
	amp_host_describe(h, d);
	assert_non_null(strstr(d->str,
			       "warning: vring0: with align 4 and num 16, RPMsg-Lite places "
			       "the used ring at offset 0x124, Linux and OpenAMP at 0x128"));
	assert_non_null(strstr(d->str, "warning: vring1:"));
	round_trip(&c, "align 4", 7);
	assert_memory_equal(c.got, "align 4", 7);
	amp_host_free(h);
}

/* 40 buffers of 512 bytes do not fit ST's 16 KiB vdev0buffer: a clear start error. */
static void vrings_too_big_for_the_buffer_region(void **state)
{
	(void)state;
	struct amp_host_cfg cfg = {.rproc = {.firmware = GEOM_8_32_FW}};
	g_autoptr(GError) err = NULL;
	struct amp_host *h = amp_host_new(&cfg, &err);
	assert_non_null(h);
	assert_false(amp_host_start(h, &err));
	assert_non_null(err);
	assert_non_null(strstr(err->message, "vdev0buffer"));
	assert_non_null(strstr(err->message, "0x5000"));
	assert_null(amp_host_rpmsg(h));
	amp_host_free(h);
}

/* AMPSIM_IPCC_MODE (docs/firmware-abi.md): adaptive works end to end, a bad value is named. */
static void ipcc_mode_in_the_firmware_environment(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot_fw(&c, ECHO_FW, NULL, "adaptive");
	round_trip(&c, "adaptive", 8);
	assert_memory_equal(c.got, "adaptive", 8);
	amp_host_free(h);

	struct amp_host_cfg cfg = {.rproc = {.firmware = ECHO_FW, .no_recovery = true},
				   .process = {.ipcc_mode = "sometimes"}};
	g_autoptr(GError) err = NULL;
	h = amp_host_new(&cfg, &err);
	assert_non_null(h);
	assert_true(amp_host_start(h, &err));
	struct amp_rproc *rp = amp_host_rproc(h);
	itest_loop_until(NULL, crashed, rp, ITEST_BOOT_MS);
	assert_int_equal(amp_rproc_state(rp), AMP_RPROC_CRASHED);
	g_autoptr(GString) trace = g_string_new(NULL);
	assert_true(amp_rproc_crash_trace(rp, trace));
	assert_non_null(strstr(trace->str, "fatal: environment: AMPSIM_IPCC_MODE=sometimes: must "
					   "be blocking, adaptive or spin"));
	amp_host_free(h);
}

/* The number after "@key " on the line of `ctl stats` (amp_host_stats) starting with @line. */
static unsigned long stat_on_line(const char *stats, const char *line, const char *key)
{
	const char *l = strstr(stats, line);
	if (!l)
		fail_msg("no line \"%s\" in:\n%s", line, stats);
	const char *end = strchr(l, '\n');
	const char *k = strstr(l, key);
	if (!k || (end && k > end))
		fail_msg("no \"%s\" on line \"%s\" in:\n%s", key, line, stats);
	return strtoul(k + strlen(key), NULL, 10);
}

/*
 * The IPCC counters in the stats are the host's own: a firmware that writes huge values over
 * the counters in the shared register file (issue 12: billions after a scribble run) does
 * not change them. Each vring kick of the host is one IPCC kick on its channel, each vring
 * interrupt one IPCC interrupt handled: both counted here in the host.
 */
static void ipcc_stats_are_counted_by_the_host(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c);
	for (int i = 0; i < 20; i++)
		round_trip(&c, "count me", 8);
	struct amp_ipcc_shared *sh = amp_soc_ipcc(amp_host_soc(h));
	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++)
		for (uint32_t ch = 0; ch < AMP_IPCC_MAX_CHAN; ch++) {
			_Atomic uint32_t *w = &sh->stats[p][ch].kicks;
			for (int f = 0; f < 7; f++)
				atomic_store(&w[f], 0xFFFFFF00u + (uint32_t)f);
		}
	round_trip(&c, "after", 5);
	g_autoptr(GString) out = g_string_new(NULL);
	amp_host_stats(h, out);
	const struct amp_rpmsg_dev *dev = amp_host_rpmsg(h);
	assert_null(strstr(out->str, "42949")); /* no scribbled value (0xFFFFFFxx) */
	assert_int_equal(stat_on_line(out->str, "IPCC CH1 Linux->firmware", "kicks "),
			 dev->rvq.stats.kicks);
	assert_int_equal(stat_on_line(out->str, "IPCC CH2 Linux->firmware", "kicks "),
			 dev->tvq.stats.kicks);
	assert_true(dev->tvq.stats.kicks >= 21);
	assert_int_equal(stat_on_line(out->str, "IPCC CH1 firmware->Linux", "handled "),
			 dev->rvq.stats.interrupts);
	assert_true(dev->rvq.stats.interrupts >= 1);
	amp_host_free(h);
}

static unsigned long host_kicks_tx(struct amp_host *h)
{
	g_autoptr(GString) out = g_string_new(NULL);
	amp_host_stats(h, out);
	return stat_on_line(out->str, "IPCC CH2 Linux->firmware", "kicks ");
}

struct got_n {
	const struct ctx *c;
	int n;
};

static bool got_n_reached(const void *arg)
{
	const struct got_n *w = arg;
	return w->c->got_n >= w->n;
}

/* Held doorbells (amp_host_hold_kicks(), calls nest): the sends are queued at once but no
 * doorbell rings until the last release, which rings vring1 at most once (none if the
 * firmware, still awake, asked for none); every message comes back, the last one last. */
static void held_kicks_ring_once_at_the_release(void **state)
{
	(void)state;
	struct ctx c = {0};
	struct amp_host *h = boot(&c);
	round_trip(&c, "warm", 4);
	unsigned long k0 = host_kicks_tx(h), v0 = amp_host_rpmsg(h)->tvq.stats.kicks;
	int n0 = c.got_n;
	amp_host_hold_kicks(h, true);
	amp_host_hold_kicks(h, true);
	for (int i = 0; i < 8; i++)
		assert_int_equal(amp_host_send(c.chan, (char[]){(char)('a' + i)}, 1), 0);
	loop_until(&c.got_n, n0 + 8, 20); /* run the loop a while: still no doorbell */
	assert_int_equal(host_kicks_tx(h), k0);
	amp_host_hold_kicks(h, false);
	assert_int_equal(host_kicks_tx(h), k0);
	amp_host_hold_kicks(h, false);
	assert_in_range(host_kicks_tx(h), k0, k0 + 1);
	/* Every notification vring1 asked for rang the doorbell or was merged (stats). */
	g_autoptr(GString) out = g_string_new(NULL);
	amp_host_stats(h, out);
	const char *m = strstr(out->str, "kicks merged into one doorbell per batch (held): ");
	unsigned long merged = m ? strtoul(strchr(m, ':') + 2, NULL, 10) : 0;
	assert_int_equal(amp_host_rpmsg(h)->tvq.stats.kicks - v0, merged + host_kicks_tx(h) - k0);
	assert_true(
	    itest_loop_until(NULL, got_n_reached, &(struct got_n){&c, n0 + 8}, ITEST_REPLY_MS));
	assert_int_equal(c.got_n, n0 + 8);
	assert_int_equal(c.got_len, 1);
	assert_int_equal(c.got[0], 'h');
	amp_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(channel_and_own_endpoints_in_process),
	    cmocka_unit_test(vrings_8_and_32_boot_and_echo),
	    cmocka_unit_test(vrings_32_and_8_boot_and_echo),
	    cmocka_unit_test(buffer_sizes_per_direction),
	    cmocka_unit_test(warns_of_a_vring_rpmsg_lite_would_misplace),
	    cmocka_unit_test(vrings_too_big_for_the_buffer_region),
	    cmocka_unit_test(ipcc_mode_in_the_firmware_environment),
	    cmocka_unit_test(ipcc_stats_are_counted_by_the_host),
	    cmocka_unit_test(step_off_delivers_what_is_held),
	    cmocka_unit_test(held_kicks_ring_once_at_the_release),
	};
	return cmocka_run_group_tests_name("libampsim", tests, NULL, NULL);
}
