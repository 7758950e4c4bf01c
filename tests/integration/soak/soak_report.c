/* The soak campaign's summary: per path, then every kill with what it cost. */
#include <inttypes.h>

#include "soak_client.h"

static void print_paths(const struct soak_result *r, FILE *out)
{
	fprintf(out, "  %-6s %8s %8s %8s %9s %8s %10s\n", "path", "sent", "echoed", "origins",
		"in-flight", "hang-ups", "violations");
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		const struct soak_chan_stats *s = &r->ch[i];
		fprintf(out,
			"  %-6s %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %9" PRIu64 " %8" PRIu64
			"   lost %" PRIu64 " dup %" PRIu64 " reordered %" PRIu64 " corrupt %" PRIu64
			" boot %" PRIu64 " own-stream %" PRIu64 " firmware %" PRIu64
			" hang-ups: spurious %" PRIu64 " missed %" PRIu64 "\n",
			soak_chan_name[i], s->sent, s->echoed, s->origins, s->inflight_lost,
			s->hangups, s->lost, s->duplicated, s->reordered, s->corrupted, s->bad_boot,
			s->origin_errors, s->fw_errors, s->spurious_hangups, s->missed_hangups);
	}
}

static void print_kill(unsigned n, const struct soak_kill *k, FILE *out)
{
	fprintf(out, "  kill %u: pid %d after %" PRIu64 " echoes; in flight:", n, k->pid,
		k->at_echoes);
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		fprintf(out, " %s %u", soak_chan_name[i], (unsigned)k->inflight[i]);
		if (k->inflight[i])
			fprintf(out, " (seq %u..%u)", (unsigned)k->inflight_first[i],
				(unsigned)(k->inflight_first[i] + k->inflight[i] - 1));
		fprintf(out, " [%s]", k->how[i][0] ? k->how[i] : "no hang-up");
	}
	fprintf(out, "; back after");
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		fprintf(out, " %s %.1f ms", soak_chan_name[i], k->back_ms[i]);
	fprintf(out, ", first echo");
	for (unsigned i = 0; i < SOAK_NCHAN; i++)
		fprintf(out, " %s %.1f ms", soak_chan_name[i], k->first_echo_ms[i]);
	fputc('\n', out);
}

void soak_print(const struct soak_result *r, FILE *out)
{
	uint64_t echoed = 0, inflight = 0;
	for (unsigned i = 0; i < SOAK_NCHAN; i++) {
		echoed += r->ch[i].echoed;
		inflight += r->ch[i].inflight_lost;
	}
	fprintf(out,
		"soak: %u kills, %" PRIu64 " echoes in %.2f s (%.0f/s), %" PRIu64
		" records lost in flight (each signalled by a hang-up), %" PRIu64 " violations\n",
		r->kills_done, echoed, r->seconds, r->seconds > 0 ? (double)echoed / r->seconds : 0,
		inflight, soak_violations(r));
	print_paths(r, out);
	for (unsigned k = 0; k < r->kills_done; k++)
		print_kill(k + 1, &r->kill[k], out);
	if (r->error[0])
		fprintf(out, "soak: stopped early: %s\n", r->error);
}
