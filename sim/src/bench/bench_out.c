/*
 * `ampsim bench`: the figures as a terminal table, JSON or CSV (bench.h). The article's
 * board figures are printed beside the simulator's, never mixed into them.
 */
#include <stdio.h>

#include "bench.h"

const uint32_t bench_block_sizes[BENCH_NBLOCKS] = {512, 1024, 2048, 4096, 8192, 16384, 32768};
/* The article's board figures, ms per block (STM32MP157C-DK2): its netlink driver, and
 * /dev/ttyRPMSG0 (measured only up to 4 KiB there: larger blocks stalled the tty). */
const double bench_article_netlink_ms[BENCH_NBLOCKS] = {21.38, 27.19, 27.43, 31.33,
							55.59, 88.09, 162.54};
const double bench_article_tty_ms[BENCH_NBLOCKS] = {11.97, 15.32, 21.74, 37.64, -1, -1, -1};
const char *const bench_path_names[BENCH_NPATHS] = {"frame", "tty", "sdb", "floor"};
const char *const bench_mode_names[BENCH_NMODES] = {"blocking", "adaptive"};
/* ST wiki, "Exchanging buffers with the coprocessor": 1 MB/s in 512-byte RPMsg buffers
 * "generates around 2000 IRQ per second on each Cortex". */
#define ST_IRQ_PER_MB 2000.0

double bench_mb_per_s(uint32_t size, double ms)
{
	return ms > 0 ? size / ms / 1e3 : 0;
}

static double per(uint64_t n, uint64_t d)
{
	return d ? (double)n / (double)d : 0;
}

/* Interrupts per MB of payload: the IRQ rate at 1 MB/s. */
static double per_mb(uint64_t irqs, uint64_t bytes)
{
	return bytes ? (double)irqs / ((double)bytes / 1e6) : 0;
}

/* The frame path against its floor: the same datagrams without the simulator. */
static double ratio(const struct bench_results *r, unsigned i)
{
	return r->ms[BENCH_FLOOR][i] > 0 ? r->ms[BENCH_FRAME][i] / r->ms[BENCH_FLOOR][i] : 0;
}

static void table_blocks(FILE *out, const struct bench_results *r)
{
	fprintf(out, "%7s %9s %8s %9s %8s %9s %8s %9s %7s %10s %11s\n", "block", "frame ms", "MB/s",
		"tty ms", "MB/s", "sdb ms", "MB/s", "floor ms", "x floor", "article nl",
		"article tty");
	for (unsigned i = 0; i < BENCH_NBLOCKS; i++) {
		uint32_t b = bench_block_sizes[i];
		char tty[16] = "-";
		if (bench_article_tty_ms[i] > 0)
			snprintf(tty, sizeof(tty), "%.2f", bench_article_tty_ms[i]);
		fprintf(out, "%7u %9.3f %8.2f %9.3f %8.2f %9.3f %8.2f %9.3f %6.2fx %10.2f %11s\n",
			b, r->ms[BENCH_FRAME][i], bench_mb_per_s(b, r->ms[BENCH_FRAME][i]),
			r->ms[BENCH_TTY][i], bench_mb_per_s(b, r->ms[BENCH_TTY][i]),
			r->ms[BENCH_SDB][i], bench_mb_per_s(b, r->ms[BENCH_SDB][i]),
			r->ms[BENCH_FLOOR][i], ratio(r, i), bench_article_netlink_ms[i], tty);
	}
}

static void table_irqs(FILE *out, const struct bench_results *r)
{
	fprintf(out, "\ndoorbells and IRQs over the block rounds (the host's IPCC counters)\n"
		     "  path        msgs  doorbells/msg  M4 IRQs/msg  Linux IRQs/msg  M4 IRQ/MB  "
		     "Linux IRQ/MB\n");
	for (unsigned p = 0; p < BENCH_FLOOR; p++) {
		const struct bench_counts *c = &r->counts[p];
		fprintf(out, "  %-6s %9llu %14.3f %12.3f %15.3f %10.0f %13.0f\n",
			bench_path_names[p], (unsigned long long)c->msgs, per(c->kicks, c->msgs),
			per(c->m4_irqs, c->msgs), per(c->linux_irqs, c->msgs),
			per_mb(c->m4_irqs, r->bytes[p]), per_mb(c->linux_irqs, r->bytes[p]));
	}
	fprintf(out, "  %-52s %10.0f %13.0f\n", "ST wiki, board (512-byte buffers, M4 -> A7)",
		ST_IRQ_PER_MB, ST_IRQ_PER_MB);
}

static void table_latency(FILE *out, const struct bench_results *r)
{
	fprintf(out, "\nround trips: an 8-byte block, its count back   p50 us   p90 us   p99 us    "
		     "msg/s\n");
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++) {
			if (p == BENCH_FLOOR && m != BENCH_BLOCKING)
				continue;
			const struct bench_lat *l = &r->lat[p][m];
			char name[64];
			snprintf(name, sizeof(name), "%s, host+firmware %s", bench_path_names[p],
				 bench_mode_names[m]);
			if (p == BENCH_FLOOR)
				snprintf(name, sizeof(name), "floor (socketpair, local process)");
			fprintf(out, "  %-44s %8.1f %8.1f %8.1f %8.0f\n", name, l->p50, l->p90,
				l->p99, l->msg_s);
		}
}

/* Each with its base line and ratio, as every figure of the bench. */
static void table_ctrl_boot(FILE *out, const struct bench_results *r)
{
	const double *c = r->ctrl_msg_s;
	fprintf(out,
		"\nrpmsg_ctrl0: echo sample, 64-byte messages, %u in flight per client (this "
		"process drives them)\n"
		"  clients        msg/s  x %u clients\n",
		8u, BENCH_CTRL_FEW);
	fprintf(out, "  %-8u %12.0f %11.2fx\n", BENCH_CTRL_FEW, c[0], 1.0);
	fprintf(out, "  %-8u %12.0f %11.2fx\n", BENCH_CTRL_MANY, c[1], c[0] > 0 ? c[1] / c[0] : 0);
	fprintf(
	    out,
	    "\nboot: 'ampsim run' started -> first announced channel connectable (bench sample)\n"
	    "  median ms %.2f, min ms %.2f, x 10 ms target %.2fx\n",
	    r->boot_ms[0], r->boot_ms[1], r->boot_ms[0] / 10.0);
}

void bench_print_table(FILE *out, const struct bench_results *r, const char *fw, const char *sdb_fw)
{
	fprintf(
	    out,
	    "ampsim bench: the seed benchmark (bench protocol, blocks answered with the count)\n"
	    "firmware %s and %s; host and firmware wait alike (both blocking, or both adaptive);\n"
	    "ms per block, medians of %u round(s), firmware blocking: frame socket (/dev/rpmsgN), "
	    "tty (/dev/ttyRPMSGN),\n"
	    "rpmsg-sdb (one shared buffer, answered with its CRC-32); floor: the protocol "
	    "over a socketpair;\n"
	    "article: the STM32MP157C-DK2 board (netlink driver, /dev/ttyRPMSG0)\n\n",
	    fw, sdb_fw, r->rounds);
	table_blocks(out, r);
	table_irqs(out, r);
	table_latency(out, r);
	table_ctrl_boot(out, r);
}

static void json_blocks(FILE *out, const struct bench_results *r)
{
	for (unsigned i = 0; i < BENCH_NBLOCKS; i++) {
		uint32_t b = bench_block_sizes[i];
		char tty[16] = "null"; /* the article has no tty figure for this size */
		if (bench_article_tty_ms[i] > 0)
			snprintf(tty, sizeof(tty), "%.2f", bench_article_tty_ms[i]);
		fprintf(out, "%s\n  {\"block\": %u", i ? "," : "", b);
		for (unsigned p = 0; p < BENCH_FLOOR; p++)
			fprintf(out, ", \"%s_ms\": %.4f, \"%s_mb_s\": %.3f", bench_path_names[p],
				r->ms[p][i], bench_path_names[p], bench_mb_per_s(b, r->ms[p][i]));
		fprintf(out,
			", \"floor_ms\": %.4f, \"frame_x_floor\": %.3f, \"article_netlink_ms\": "
			"%.2f, \"article_tty_ms\": %s}",
			r->ms[BENCH_FLOOR][i], ratio(r, i), bench_article_netlink_ms[i], tty);
	}
}

static void json_irqs(FILE *out, const struct bench_results *r)
{
	for (unsigned p = 0; p < BENCH_FLOOR; p++) {
		const struct bench_counts *c = &r->counts[p];
		fprintf(out,
			"%s\n  \"%s\": {\"msgs\": %llu, \"bytes\": %llu, \"doorbells_per_msg\": "
			"%.4f, \"m4_irqs_per_msg\": %.4f, \"linux_irqs_per_msg\": %.4f, "
			"\"m4_irqs_per_mb\": %.1f, \"linux_irqs_per_mb\": %.1f}",
			p ? "," : "", bench_path_names[p], (unsigned long long)c->msgs,
			(unsigned long long)r->bytes[p], per(c->kicks, c->msgs),
			per(c->m4_irqs, c->msgs), per(c->linux_irqs, c->msgs),
			per_mb(c->m4_irqs, r->bytes[p]), per_mb(c->linux_irqs, r->bytes[p]));
	}
	fprintf(out, ",\n  \"st_wiki_irqs_per_mb\": %.0f", ST_IRQ_PER_MB);
}

static void json_latency(FILE *out, const struct bench_results *r)
{
	for (unsigned p = 0; p < BENCH_NPATHS; p++) {
		fprintf(out, "%s\n  \"%s\": {", p ? "," : "", bench_path_names[p]);
		for (unsigned m = 0; m < BENCH_NMODES; m++) {
			if (p == BENCH_FLOOR && m != BENCH_BLOCKING)
				continue;
			const struct bench_lat *l = &r->lat[p][m];
			fprintf(
			    out,
			    "%s\"%s\": {\"p50\": %.2f, \"p90\": %.2f, \"p99\": %.2f, \"msg_s\": "
			    "%.0f}",
			    m ? ", " : "", bench_mode_names[m], l->p50, l->p90, l->p99, l->msg_s);
		}
		fprintf(out, "}");
	}
}

void bench_print_json(FILE *out, const struct bench_results *r)
{
	fprintf(out, "{\"rounds\": %u, \"round_trips\": %u, \"blocks\": [", r->rounds,
		r->round_trips);
	json_blocks(out, r);
	fprintf(out, "],\n \"irqs\": {");
	json_irqs(out, r);
	fprintf(out, "},\n \"latency_us\": {");
	json_latency(out, r);
	const double *c = r->ctrl_msg_s;
	fprintf(out,
		"},\n \"ctrl_clients\": {\"%u\": %.0f, \"%u\": %.0f, \"many_x_few\": %.3f},\n"
		" \"boot_ms\": {\"median\": %.3f, \"min\": %.3f, \"x_target_10ms\": %.3f}}\n",
		BENCH_CTRL_FEW, c[0], BENCH_CTRL_MANY, c[1], c[0] > 0 ? c[1] / c[0] : 0,
		r->boot_ms[0], r->boot_ms[1], r->boot_ms[0] / 10.0);
}

void bench_print_csv(FILE *out, const struct bench_results *r)
{
	fprintf(out, "block,frame_ms,frame_mb_s,tty_ms,tty_mb_s,sdb_ms,sdb_mb_s,floor_ms,"
		     "frame_x_floor,article_netlink_ms,article_tty_ms\n");
	for (unsigned i = 0; i < BENCH_NBLOCKS; i++) {
		uint32_t b = bench_block_sizes[i];
		fprintf(out, "%u", b);
		for (unsigned p = 0; p < BENCH_FLOOR; p++)
			fprintf(out, ",%.4f,%.3f", r->ms[p][i], bench_mb_per_s(b, r->ms[p][i]));
		fprintf(out, ",%.4f,%.3f,%.2f,", r->ms[BENCH_FLOOR][i], ratio(r, i),
			bench_article_netlink_ms[i]);
		if (bench_article_tty_ms[i] > 0) /* empty: the article has none for this size */
			fprintf(out, "%.2f", bench_article_tty_ms[i]);
		fprintf(out, "\n");
	}
	fprintf(out, "\npath,msgs,bytes,doorbells_per_msg,m4_irqs_per_msg,linux_irqs_per_msg,"
		     "m4_irqs_per_mb,linux_irqs_per_mb\n");
	for (unsigned p = 0; p < BENCH_FLOOR; p++) {
		const struct bench_counts *c = &r->counts[p];
		fprintf(out, "%s,%llu,%llu,%.4f,%.4f,%.4f,%.1f,%.1f\n", bench_path_names[p],
			(unsigned long long)c->msgs, (unsigned long long)r->bytes[p],
			per(c->kicks, c->msgs), per(c->m4_irqs, c->msgs),
			per(c->linux_irqs, c->msgs), per_mb(c->m4_irqs, r->bytes[p]),
			per_mb(c->linux_irqs, r->bytes[p]));
	}
	fprintf(out, "\npath,mode,p50_us,p90_us,p99_us,msg_s\n");
	for (unsigned p = 0; p < BENCH_NPATHS; p++)
		for (unsigned m = 0; m < BENCH_NMODES; m++)
			if (p != BENCH_FLOOR || m == BENCH_BLOCKING)
				fprintf(out, "%s,%s,%.2f,%.2f,%.2f,%.0f\n", bench_path_names[p],
					bench_mode_names[m], r->lat[p][m].p50, r->lat[p][m].p90,
					r->lat[p][m].p99, r->lat[p][m].msg_s);
	const double *c = r->ctrl_msg_s;
	fprintf(out, "\nctrl_clients,msg_s,x_%u\n%u,%.0f,1.000\n%u,%.0f,%.3f\n", BENCH_CTRL_FEW,
		BENCH_CTRL_FEW, c[0], BENCH_CTRL_MANY, c[1], c[0] > 0 ? c[1] / c[0] : 0);
	fprintf(out, "\nboot_ms_median,boot_ms_min,x_target_10ms\n%.3f,%.3f,%.3f\n", r->boot_ms[0],
		r->boot_ms[1], r->boot_ms[0] / 10.0);
}
