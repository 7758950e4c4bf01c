/*
 * `ampsim bench --svg FILE`: a small SVG writer for two plots, one above the other (bench.h):
 * ms per block against block size (log-log: the sizes double, and the article's board is
 * a thousand times slower than the simulator), and the round-trip percentiles per path and
 * wait mode (log y: the floor and the tty are an order of magnitude apart). No library,
 * no network: the file is text a browser or rsvg-convert renders.
 */
#include <math.h>
#include <stdio.h>

#include "bench.h"

#define W 760
#define PANEL_H 400
#define L 80 /* plot area: left, right, top, bottom within a panel */
#define R 560
#define T 50
#define B 330

struct yaxis {
	int lo, hi; /* decades: 10^lo .. 10^hi */
	int top;    /* the panel's offset */
};

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#7f7f7f",
				     "#9467bd", "#ff7f0e", "#8c564b"};

static double y_of(const struct yaxis *a, double v)
{
	double f = (log10(v) - a->lo) / (a->hi - a->lo);
	return a->top + B - f * (B - T);
}

/* Decades around every positive value of @p v. */
static struct yaxis y_range(const double *v, unsigned n, int top)
{
	double lo = INFINITY, hi = 0;
	for (unsigned i = 0; i < n; i++)
		if (v[i] > 0)
			lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
	if (hi <= 0)
		lo = 1, hi = 10;
	struct yaxis a = {(int)floor(log10(lo)), (int)ceil(log10(hi)), top};
	if (a.hi <= a.lo)
		a.hi = a.lo + 1;
	return a;
}

static void y_grid(FILE *f, const struct yaxis *a, const char *label)
{
	for (int d = a->lo; d <= a->hi; d++) {
		double y = y_of(a, pow(10, d));
		fprintf(f,
			"<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>\n"
			"<text x='%d' y='%.1f' text-anchor='end' font-size='12'>%g</text>\n",
			L, y, R, y, L - 6, y + 4, pow(10, d));
	}
	fprintf(f,
		"<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#333'/>\n"
		"<text transform='translate(%d,%d) rotate(-90)' text-anchor='middle' "
		"font-size='13'>%s</text>\n",
		L, a->top + T, R - L, B - T, 22, a->top + (T + B) / 2, label);
}

static void legend(FILE *f, int top, unsigned i, const char *name, const char *color, bool dashed)
{
	int y = top + T + 10 + (int)i * 20;
	fprintf(f,
		"<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='3'%s/>\n"
		"<text x='%d' y='%d' font-size='12'>%s</text>\n",
		R + 15, y, R + 40, y, color, dashed ? " stroke-dasharray='6,4'" : "", R + 46, y + 4,
		name);
}

static double x_of_block(unsigned i)
{
	return L + 20 + i * (double)(R - L - 40) / (BENCH_NBLOCKS - 1);
}

static void series(FILE *f, const struct yaxis *a, const double *ms, const char *color, bool dashed)
{
	fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='2'%s points='", color,
		dashed ? " stroke-dasharray='6,4'" : "");
	for (unsigned i = 0; i < BENCH_NBLOCKS; i++)
		if (ms[i] > 0)
			fprintf(f, "%.1f,%.1f ", x_of_block(i), y_of(a, ms[i]));
	fprintf(f, "'/>\n");
	for (unsigned i = 0; i < BENCH_NBLOCKS; i++)
		if (ms[i] > 0)
			fprintf(f, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>\n", x_of_block(i),
				y_of(a, ms[i]), color);
}

static void plot_blocks(FILE *f, const struct bench_results *r)
{
	const double *lines[] = {r->ms[BENCH_FRAME],	   r->ms[BENCH_TTY],
				 r->ms[BENCH_SDB],	   r->ms[BENCH_FLOOR],
				 bench_article_netlink_ms, bench_article_tty_ms};
	const char *names[] = {"frame socket",
			       "tty",
			       "rpmsg-sdb",
			       "floor (socketpair)",
			       "article: netlink (board)",
			       "article: tty (board)"};
	double all[6 * BENCH_NBLOCKS];
	for (unsigned s = 0; s < 6; s++)
		for (unsigned i = 0; i < BENCH_NBLOCKS; i++)
			all[s * BENCH_NBLOCKS + i] = lines[s][i];
	struct yaxis a = y_range(all, 6 * BENCH_NBLOCKS, 0);
	fprintf(f,
		"<text x='%d' y='28' font-size='16' font-weight='bold'>ms per block vs block "
		"size (firmware blocking, medians of %u round%s)</text>\n",
		L, r->rounds, r->rounds == 1 ? "" : "s");
	y_grid(f, &a, "ms per block (log)");
	for (unsigned i = 0; i < BENCH_NBLOCKS; i++)
		fprintf(f, "<text x='%.1f' y='%d' text-anchor='middle' font-size='12'>%u</text>\n",
			x_of_block(i), B + 18, bench_block_sizes[i]);
	fprintf(f,
		"<text x='%d' y='%d' text-anchor='middle' font-size='13'>block size (bytes, "
		"log)</text>\n",
		(L + R) / 2, B + 40);
	for (unsigned s = 0; s < 6; s++) {
		series(f, &a, lines[s], colors[s], s >= 4);
		legend(f, 0, s, names[s], colors[s], s >= 4);
	}
}

static void plot_latency(FILE *f, const struct bench_results *r, int top)
{
	static const char *const pct[] = {"p50", "p90", "p99"};
	static const char *const shade[] = {"#9ecae1", "#4292c6", "#08519c"};
	double all[BENCH_NPATHS * BENCH_NMODES * 3] = {0};
	unsigned groups = 0;
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++, groups++) {
			const struct bench_lat *l = &r->lat[p][m];
			double v[3] = {l->p50, l->p90, l->p99};
			for (unsigned k = 0; k < 3; k++)
				all[groups * 3 + k] = v[k];
		}
	struct yaxis a = y_range(all, groups * 3, top);
	fprintf(f,
		"<text x='%d' y='%d' font-size='16' font-weight='bold'>round trip, 8-byte "
		"block: percentiles per path and firmware wait mode</text>\n",
		L, top + 28);
	y_grid(f, &a, "microseconds (log)");
	groups = BENCH_NPATHS * BENCH_NMODES - 1; /* the floor has one mode */
	double gw = (double)(R - L) / groups;
	for (unsigned g = 0; g < groups; g++) {
		unsigned p = g / BENCH_NMODES, m = g % BENCH_NMODES;
		double x = L + g * gw + gw * 0.15, bw = gw * 0.7 / 3;
		for (unsigned k = 0; k < 3; k++) {
			double v = all[(p * BENCH_NMODES + m) * 3 + k], y = y_of(&a, v);
			if (v > 0)
				fprintf(f,
					"<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' "
					"fill='%s'/>\n",
					x + k * bw, y, bw, top + B - y, shade[k]);
		}
		fprintf(f,
			"<text x='%.1f' y='%d' text-anchor='middle' font-size='12'>%s</text>\n"
			"<text x='%.1f' y='%d' text-anchor='middle' font-size='11'>%s</text>\n",
			x + gw * 0.35, top + B + 18, bench_path_names[p], x + gw * 0.35,
			top + B + 32, p == BENCH_FLOOR ? "" : bench_mode_names[m]);
	}
	for (unsigned k = 0; k < 3; k++)
		legend(f, top, k, pct[k], shade[k], false);
}

bool bench_write_svg(const char *path, const struct bench_results *r)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f,
		"<?xml version='1.0' encoding='UTF-8'?>\n"
		"<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
		"font-family='sans-serif'>\n<rect width='100%%' height='100%%' fill='white'/>\n",
		W, 2 * PANEL_H);
	plot_blocks(f, r);
	plot_latency(f, r, PANEL_H);
	fprintf(f, "</svg>\n");
	bool ok = !ferror(f);
	return fclose(f) == 0 && ok;
}
