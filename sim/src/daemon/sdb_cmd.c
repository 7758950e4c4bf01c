/*
 * `ampsim sdb`: the rpmsg-sdb demo client. It does what ST's logic-analyser backend does
 * with /dev/rpmsg-sdb: get buffers, wait for the firmware to fill them, check the data in
 * place (the CRC-32 the sdb sample ends each buffer with), give them back; and prints the
 * throughput. --to-firmware runs the other direction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <zlib.h>

#include <ampsim/errno.h>
#include <ampsim/sdb.h>

#include "commands.h"
#include "rundir.h"

struct sdb_opts {
	int buffers;
	char *size;
	int rounds;
	char *pattern;
	gboolean to_firmware;
	gboolean quiet;
};

struct tally {
	uint64_t bytes, rounds, crc_ok, crc_bad;
};

/* The IEEE 802.3 CRC-32 the firmware computes (zlib's is the same). */
static uint32_t crc32_of(const uint8_t *p, size_t len)
{
	return (uint32_t)crc32_z(0, p, len);
}

/* The sdb sample ends a counter/signal buffer with the CRC-32 of the bytes before it. */
static bool crc_ok(const uint8_t *p, uint64_t len)
{
	if (len < 8)
		return false;
	uint32_t want = p[len - 4] | (uint32_t)p[len - 3] << 8 | (uint32_t)p[len - 2] << 16 |
			(uint32_t)p[len - 1] << 24;
	return crc32_of(p, (size_t)(len - 4)) == want;
}

/* Wait for any buffer; returns its index in @b or an AMP_E* code (as amp_sdb_wait()). */
static int wait_any(struct amp_sdb *s, struct amp_sdb_buf *b, int n, int timeout_ms)
{
	struct pollfd p[AMP_SDB_MAX_BUFFERS + 1];
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = b[i].efd, .events = POLLIN};
	p[n] = (struct pollfd){.fd = amp_sdb_fd(s), .events = POLLIN};
	int rc = poll(p, (nfds_t)n + 1, timeout_ms);
	if (rc <= 0)
		return rc == 0 ? AMP_ETIMEDOUT : amp_from_errno(errno);
	for (int i = 0; i < n; i++)
		if (p[i].revents & POLLIN) {
			rc = amp_sdb_wait(s, &b[i], 0);
			return rc == 0 ? i : rc;
		}
	return AMP_ENOTCONN; /* only the service's socket: it hung up */
}

static int run_to_linux(struct amp_sdb *s, struct amp_sdb_buf *b, const struct sdb_opts *o,
			struct tally *t)
{
	bool check = strcmp(o->pattern, "d") != 0;
	while (t->rounds < (uint64_t)o->rounds) {
		int i = wait_any(s, b, o->buffers, 5000);
		if (i < 0)
			return i;
		uint64_t n;
		int rc = amp_sdb_get_data_size(s, b[i].idx, &n, NULL);
		if (rc)
			return rc;
		if (check && crc_ok(b[i].data, n))
			t->crc_ok++;
		else if (check)
			t->crc_bad++;
		t->bytes += n;
		t->rounds++;
		if ((rc = amp_sdb_give_back(s, b[i].idx)))
			return rc;
	}
	return 0;
}

/* Fill, submit, and compare the CRC the firmware computed over what it read. */
static int run_to_firmware(struct amp_sdb *s, struct amp_sdb_buf *b, const struct sdb_opts *o,
			   struct tally *t)
{
	for (int r = 0; r < o->rounds; r++) {
		struct amp_sdb_buf *x = &b[r % o->buffers];
		uint8_t *p = x->data;
		for (size_t k = 0; k < x->size; k++)
			p[k] = (uint8_t)(r * 7 + k);
		uint32_t want = crc32_of(p, x->size), got;
		uint64_t n;
		int rc = amp_sdb_submit(s, x->idx, x->size);
		if (!rc)
			rc = amp_sdb_wait(s, x, 5000);
		if (!rc)
			rc = amp_sdb_get_data_size(s, x->idx, &n, &got);
		if (rc)
			return rc;
		if (got == want)
			t->crc_ok++;
		else
			t->crc_bad++;
		t->bytes += n;
		t->rounds++;
	}
	return 0;
}

static void report(const struct sdb_opts *o, const struct tally *t, double secs)
{
	printf("%" PRIu64 " buffers (%" PRIu64 " bytes) in %.3f s: %.3f GB/s\n", t->rounds,
	       t->bytes, secs, secs > 0 ? (double)t->bytes / secs / 1e9 : 0.0);
	if (o->to_firmware || strcmp(o->pattern, "d"))
		printf("CRC-32 %s: %" PRIu64 " ok, %" PRIu64 " bad\n",
		       o->to_firmware ? "the firmware computed over what it read"
				      : "at the end of each buffer",
		       t->crc_ok, t->crc_bad);
}

/* "65536", "64K", "1M", "2G" (binary units). */
static bool parse_size(const char *text, guint64 *out)
{
	char *end;
	guint64 v = g_ascii_strtoull(text, &end, 0);
	int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
	if (end == text || (shift && end[1]) || (!shift && *end) || v > (G_MAXUINT64 >> shift))
		return false;
	*out = v << shift;
	return true;
}

/* AMP_ENOMEM from the service (no buffer index or DDR range free): its two causes. */
#define SDB_NO_ROOM_WHY                                                                        \
	"no free buffer or DDR range for this request: the DDR region is too small for -n "    \
	"buffers of -s bytes (ask for fewer or smaller), or a previous client's buffers that " \
	"the firmware still held stay reserved until it answers for them, at most 2 s after "  \
	"that client left (retry in 2 s; 'ampsim ctl stats' shows them as stale)"

static int parse_opts(int *argc, char ***argv, struct sdb_opts *o, guint64 *size)
{
	GOptionEntry entries[] = {
	    {"buffers", 'n', 0, G_OPTION_ARG_INT, &o->buffers, "Buffers to use, 1..16 (default 4)",
	     "N"},
	    {"size", 's', 0, G_OPTION_ARG_STRING, &o->size,
	     "Bytes per buffer, e.g. 65536, 1M, 32M (default 1M)", "SIZE"},
	    {"rounds", 'r', 0, G_OPTION_ARG_INT, &o->rounds, "Buffers to receive (default 100)",
	     "R"},
	    {"pattern", 'p', 0, G_OPTION_ARG_STRING, &o->pattern,
	     "What the sdb sample writes: c counter, s sampled signal (both end with a CRC-32), "
	     "d DMA-speed copy without CRC (default c)",
	     "c|s|d"},
	    {"to-firmware", 't', 0, G_OPTION_ARG_NONE, &o->to_firmware,
	     "Fill the buffers here and let the firmware read them (it answers a CRC-32)", NULL},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("RUNDIR/rpmsg-sdb");
	g_option_context_set_summary(
	    ctx, "The rpmsg-sdb demo client: large buffers in the SoC's DDR that the firmware\n"
		 "fills in place (zero copy), checked and timed here. Needs a run whose firmware\n"
		 "announces \"rpmsg-sdb-channel\", such as the sdb sample firmware. A bare\n"
		 "rpmsg-sdb is the one in the default run directory (as 'ampsim ctl').");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, argc, argv, &err) || *argc != 2) {
		g_printerr("ampsim sdb: %s\nTry 'ampsim sdb --help'.\n",
			   err ? err->message : "which socket? (RUNDIR/rpmsg-sdb)");
		return 2;
	}
	if (!o->pattern)
		o->pattern = g_strdup("c");
	if (!parse_size(o->size ? o->size : "1M", size) || *size == 0 || o->buffers < 1 ||
	    o->buffers > (int)AMP_SDB_MAX_BUFFERS || o->rounds < 1 ||
	    (strcmp(o->pattern, "c") && strcmp(o->pattern, "s") && strcmp(o->pattern, "d"))) {
		g_printerr("ampsim sdb: bad --size, --buffers (1..16), --rounds or --pattern\n");
		return 2;
	}
	return 0;
}

int amp_cmd_sdb(int argc, char **argv)
{
	struct sdb_opts o = {.buffers = 4, .rounds = 100};
	guint64 size = 0;
	g_autofree char *path = NULL; /* before the first goto: freed at out */
	int rc = parse_opts(&argc, &argv, &o, &size);

	if (rc)
		goto out;
	struct amp_sdb *s;
	path = amp_rundir_resolve(argv[1]);
	if ((rc = amp_sdb_open(path, &s))) {
		g_printerr("ampsim sdb: cannot open %s: %s (is a firmware with "
			   "\"rpmsg-sdb-channel\" running?)\n",
			   path, amp_strerror(rc));
		rc = 1;
		goto out;
	}
	struct amp_sdb_buf b[AMP_SDB_MAX_BUFFERS];
	char mode[3] = {'M', o.pattern[0], 0};
	rc = o.to_firmware ? 0 : amp_sdb_control(s, mode, 2);
	for (int i = 0; i < o.buffers && !rc; i++)
		rc = amp_sdb_alloc(s, size, o.to_firmware ? AMP_SDB_TO_FIRMWARE : AMP_SDB_TO_LINUX,
				   -1, &b[i]);
	struct tally t = {0};
	gint64 t0 = g_get_monotonic_time();
	if (!rc)
		rc = o.to_firmware ? run_to_firmware(s, b, &o, &t) : run_to_linux(s, b, &o, &t);
	double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
	if (rc)
		g_printerr("ampsim sdb: %s\n", rc == AMP_ENOTCONN
						   ? "the service hung up (firmware crashed "
						     "or stopped)"
					       : rc == AMP_ENOMEM ? SDB_NO_ROOM_WHY
								  : amp_strerror(rc));
	report(&o, &t, secs);
	amp_sdb_close(s);
	rc = rc || t.crc_bad ? 1 : 0;
out:
	g_free(o.size);
	g_free(o.pattern);
	return rc;
}
