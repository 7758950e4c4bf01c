/*
 * `ampsim bench`: the seed benchmark (dimtass' "Benchmarking the STM32MP1 IPC between the MCU
 * and CPU") in one command, with its floor measured in the same run (docs/performance.md).
 *
 * It starts `ampsim run` four times in private run directories: the bench sample (which
 * announces rpmsg-netlink, bound to a frame socket, and rpmsg-tty, bound to a pty) and the
 * sdb sample, each with the firmware blocking and adaptive (--ipcc-mode). It sends blocks
 * of 512 ... 32768 bytes on the frame, tty and sdb paths and on the floor (the same
 * protocol answered by a local process over a SOCK_SEQPACKET socketpair), in interleaved
 * rounds, reads the runs' IPCC counters around each path's blocks, then times one-message
 * round trips on every path and mode, interleaved too. Medians and percentiles reported.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "../daemon/commands.h"
#include "bench.h"

#define MAX_ROUNDS 16u
#define LAT_SIZE 8u /* payload of a round trip: header + 8 bytes, one message */

struct bench_env {
	struct bench_run runs[BENCH_NMODES][2]; /* [mode][0] bench sample, [1] sdb sample */
	struct bench_run floor;
	struct bench_target t[BENCH_NPATHS][BENCH_NMODES]; /* the floor: [BENCH_BLOCKING] */
};

static bool have(enum bench_path p, enum bench_mode m)
{
	return p != BENCH_FLOOR || m == BENCH_BLOCKING;
}

static const struct bench_run *run_of(const struct bench_env *e, enum bench_path p,
				      enum bench_mode m)
{
	return &e->runs[m][p == BENCH_SDB];
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

static void counts_add(struct bench_counts *sum, const struct bench_counts *a,
		       const struct bench_counts *b)
{
	sum->msgs += b->msgs - a->msgs;
	sum->kicks += b->kicks - a->kicks;
	sum->m4_irqs += b->m4_irqs - a->m4_irqs;
	sum->linux_irqs += b->linux_irqs - a->linux_irqs;
}

/* Every block once on @p t: into @p ms (may be NULL: a warm-up); false if one failed. */
static bool block_round(struct bench_target *t, double *ms)
{
	for (unsigned i = 0; i < BENCH_NBLOCKS; i++) {
		double v = bench_block(t, bench_block_sizes[i]);
		if (v < 0)
			return false;
		if (ms)
			ms[i] = v;
	}
	return true;
}

/* One round of every path in blocking mode, with the run's counters around each path. */
static bool blocks_once(struct bench_env *e, struct bench_results *r,
			double s[BENCH_NPATHS][BENCH_NBLOCKS][MAX_ROUNDS], unsigned k)
{
	for (unsigned p = 0; p < BENCH_NPATHS; p++) {
		double ms[BENCH_NBLOCKS];
		struct bench_counts a = {0}, b = {0};
		bool counted = p != BENCH_FLOOR;
		if (counted && !bench_counts_read(run_of(e, p, BENCH_BLOCKING), &a))
			return false;
		if (!block_round(&e->t[p][BENCH_BLOCKING], ms))
			return false;
		if (counted && !bench_counts_read(run_of(e, p, BENCH_BLOCKING), &b))
			return false;
		counts_add(&r->counts[p], &a, &b);
		for (unsigned i = 0; i < BENCH_NBLOCKS; i++) {
			s[p][i][k] = ms[i];
			r->bytes[p] += bench_block_sizes[i];
		}
	}
	return true;
}

static bool measure_blocks(struct bench_env *e, struct bench_results *r)
{
	static double s[BENCH_NPATHS][BENCH_NBLOCKS][MAX_ROUNDS];
	for (unsigned p = 0; p < BENCH_NPATHS; p++) /* warm up: first touches, page faults */
		for (unsigned m = 0; m < BENCH_NMODES; m++)
			if (have(p, m) && !block_round(&e->t[p][m], NULL))
				return false;
	for (unsigned k = 0; k < r->rounds; k++)
		if (!blocks_once(e, r, s, k))
			return false;
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned i = 0; i < BENCH_NBLOCKS; i++)
			r->ms[p][i] = median(s[p][i], r->rounds);
	return true;
}

/* Round trips on every path and mode, in r->rounds interleaved slices. */
static bool measure_latency(struct bench_env *e, struct bench_results *r)
{
	unsigned slice = r->round_trips / r->rounds, n = slice * r->rounds;
	double *us[BENCH_NPATHS][BENCH_NMODES] = {{0}}, busy[BENCH_NPATHS][BENCH_NMODES] = {{0}};
	bool ok = true;
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++)
			us[p][m] = have(p, m) ? g_new(double, n) : NULL;
	for (unsigned k = 0; k < r->rounds && ok; k++)
		for (unsigned p = 0; p < BENCH_NPATHS && ok; p++)
			for (unsigned m = 0; m < BENCH_NMODES && ok; m++) {
				if (!have(p, m))
					continue;
				double t0 = bench_now_s();
				for (unsigned i = 0; i < slice && ok; i++) {
					double v = bench_block(&e->t[p][m], LAT_SIZE) * 1e3;
					us[p][m][k * slice + i] = v;
					ok = v >= 0;
				}
				busy[p][m] += bench_now_s() - t0;
			}
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++) {
			if (ok && us[p][m]) {
				qsort(us[p][m], n, sizeof(double), bench_cmp_double);
				r->lat[p][m] =
				    (struct bench_lat){us[p][m][n / 2], us[p][m][n * 9 / 10],
						       us[p][m][n * 99 / 100], n / busy[p][m]};
			}
			g_free(us[p][m]);
		}
	return ok;
}

static void env_stop(struct bench_env *e)
{
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++)
			bench_target_close(&e->t[p][m]);
	for (unsigned m = 0; m < BENCH_NMODES; m++)
		for (unsigned f = 0; f < 2; f++)
			bench_run_stop(&e->runs[m][f]);
	bench_run_stop(&e->floor);
}

/* Start the four runs and the floor, open every path; false with the reason printed. */
static bool env_start(struct bench_env *e, const char *fw, const char *sdb_fw)
{
	const char *fws[2] = {fw, sdb_fw};
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++)
			e->t[p][m] = (struct bench_target){.path = p, .fd = -1};
	for (unsigned m = 0; m < BENCH_NMODES; m++)
		for (unsigned f = 0; f < 2; f++)
			if (!bench_run_start(fws[f], bench_mode_names[m], &e->runs[m][f])) {
				g_printerr("ampsim bench: cannot start 'ampsim run %s'\n", fws[f]);
				return false;
			}
	if (!bench_floor_start(&e->floor, &e->t[BENCH_FLOOR][BENCH_BLOCKING])) {
		g_printerr("ampsim bench: cannot start the floor's process\n");
		return false;
	}
	for (unsigned p = 0; p < BENCH_FLOOR; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++)
			if (!bench_target_open(run_of(e, p, m), p, &e->t[p][m])) {
				g_printerr(
				    "ampsim bench: 'ampsim run --ipcc-mode %s %s' gave no %s "
				    "path within 10 s; run it by hand to see why\n",
				    bench_mode_names[m], fws[p == BENCH_SDB], bench_path_names[p]);
				return false;
			}
	return true;
}

/* Boot to the first announced channel, @p n times (one run at a time): median and min. */
static bool measure_boot(const char *fw, unsigned n, struct bench_results *r)
{
	double v[MAX_ROUNDS];
	for (unsigned i = 0; i < n; i++)
		if ((v[i] = bench_boot_ms(fw)) < 0) {
			g_printerr(
			    "ampsim bench: 'ampsim run %s' announced no channel within 10 s; "
			    "run it by hand to see why\n",
			    fw);
			return false;
		}
	qsort(v, n, sizeof(double), bench_cmp_double);
	r->boot_ms[0] = v[n / 2], r->boot_ms[1] = v[0];
	return true;
}

static bool measure_ctrl(const char *echo_fw, struct bench_results *r)
{
	/* 16 and 64 clients, interleaved rounds; the total divides by both. */
	unsigned total = r->rounds > 1 ? 64u * 1000u : 64u * 32u;
	if (bench_ctrl(echo_fw, r->rounds > 1 ? 7 : 1, total, r->ctrl_msg_s))
		return true;
	g_printerr("ampsim bench: the rpmsg_ctrl0 load on 'ampsim run %s' failed: is it the echo "
		   "sample (fw-sample/echo, channel at 0x400)?\n",
		   echo_fw);
	return false;
}

static bool run_all(const char *fw, const char *sdb_fw, const char *echo_fw,
		    struct bench_results *r)
{
	struct bench_env e = {0};
	for (unsigned m = 0; m < BENCH_NMODES; m++)
		for (unsigned f = 0; f < 2; f++)
			e.runs[m][f].pid = -1;
	e.floor.pid = -1;
	bool ok = env_start(&e, fw, sdb_fw);
	if (ok && !(measure_blocks(&e, r) && measure_latency(&e, r))) {
		g_printerr("ampsim bench: a block went unanswered or was miscounted: are %s and %s "
			   "the bench and sdb samples (fw-sample/bench, fw-sample/sdb)?\n",
			   fw, sdb_fw);
		ok = false;
	}
	env_stop(&e);
	return ok && measure_boot(fw, r->rounds > 1 ? 5 : 1, r) && measure_ctrl(echo_fw, r);
}

static bool check_fw(const char *path)
{
	if (g_file_test(path, G_FILE_TEST_IS_EXECUTABLE))
		return true;
	g_printerr("ampsim bench: firmware %s not found; build it (cmake --build --preset default) "
		   "or give it with --firmware / --sdb-firmware / --echo-firmware\n",
		   path);
	return false;
}

static GOptionContext *options(gboolean *quick, gboolean *json, gboolean *csv, char **svg,
			       char **fw, char **sdb_fw, char **echo_fw)
{
	GOptionEntry entries[] = {
	    {"quick", 'q', 0, G_OPTION_ARG_NONE, quick,
	     "A smoke run of a few seconds (1 round, 200 round trips per path): for CI, not "
	     "for figures",
	     NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, json, "Print the figures as JSON", NULL},
	    {"csv", 0, 0, G_OPTION_ARG_NONE, csv, "Print the figures as CSV", NULL},
	    {"svg", 0, 0, G_OPTION_ARG_FILENAME, svg,
	     "Also draw ms per block vs block size and the round-trip percentiles into FILE "
	     "(SVG)",
	     "FILE"},
	    {"firmware", 'f', 0, G_OPTION_ARG_FILENAME, fw,
	     "The bench sample to boot (default: the one built with this ampsim)", "FILE"},
	    {"sdb-firmware", 0, 0, G_OPTION_ARG_FILENAME, sdb_fw,
	     "The sdb sample to boot (default: the one built with this ampsim)", "FILE"},
	    {"echo-firmware", 0, 0, G_OPTION_ARG_FILENAME, echo_fw,
	     "The echo sample to load through rpmsg_ctrl0 (default: the one built with this "
	     "ampsim)",
	     "FILE"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	g_option_context_set_summary(
	    ctx,
	    "Boot the bench and sdb samples under 'ampsim run' (host and firmware both\n"
	    "blocking, and both adaptive) and time the seed benchmark's blocks (512 ... 32768\n"
	    "bytes, answered with the count) on the frame socket, the tty and rpmsg-sdb, with\n"
	    "the floor (the same protocol over a socketpair) in the same run and the article's\n"
	    "board figures alongside; then doorbells and IRQs per message and per MB, round-trip\n"
	    "percentiles per path and wait mode, the time from 'ampsim run' to the first\n"
	    "announced channel, and the echo sample's throughput with 16 and 64 rpmsg_ctrl0\n"
	    "clients. See docs/performance.md.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	return ctx;
}

int amp_cmd_bench(int argc, char **argv)
{
	gboolean quick = FALSE, json = FALSE, csv = FALSE;
	char *fw = NULL, *sdb_fw = NULL, *echo_fw = NULL, *svg = NULL;
	g_autoptr(GOptionContext) ctx = options(&quick, &json, &csv, &svg, &fw, &sdb_fw, &echo_fw);
	g_autoptr(GError) err = NULL;
	g_autofree char *fw_path = NULL, *sdb_path = NULL, *echo_path = NULL, *svg_path = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 1 || (json && csv)) {
		g_printerr("ampsim bench: %s\nTry 'ampsim bench --help'.\n",
			   err ? err->message : "unexpected argument, or both --json and --csv");
		g_free(fw), g_free(sdb_fw), g_free(echo_fw), g_free(svg);
		return 2;
	}
	svg_path = svg;
	fw_path = fw ? fw : g_strdup(AMP_BENCH_FW);
	sdb_path = sdb_fw ? sdb_fw : g_strdup(AMP_SDB_FW);
	echo_path = echo_fw ? echo_fw : g_strdup(AMP_ECHO_FW);
	if (!check_fw(fw_path) || !check_fw(sdb_path) || !check_fw(echo_path))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	struct bench_results r = {.rounds = quick ? 1 : 9, .round_trips = quick ? 200 : 5000};
	if (!run_all(fw_path, sdb_path, echo_path, &r))
		return 1;
	if (json)
		bench_print_json(stdout, &r);
	else if (csv)
		bench_print_csv(stdout, &r);
	else
		bench_print_table(stdout, &r, fw_path, sdb_path);
	if (svg_path && !bench_write_svg(svg_path, &r)) {
		g_printerr("ampsim bench: cannot write %s: %s\n", svg_path, g_strerror(errno));
		return 1;
	}
	return 0;
}
