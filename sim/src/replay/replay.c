/*
 * `ampsim replay FILE.pcapng FIRMWARE` (docs/capture.md): boot FIRMWARE with libampsim, play
 * the Linux side's messages of the capture in order to the channels the firmware announces
 * (matched by name), and compare what the firmware sends with what it sent then. The first
 * difference ends the replay with its frame number, both messages in hex and status 1.
 */
#include "replay.h"

#include <stdio.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/host.h>

#include "../daemon/commands.h"

enum { REPLAY_OK = 0, REPLAY_DIFF = 1, REPLAY_USAGE = 2, REPLAY_CANNOT = 3 };

struct replay {
	GPtrArray *recs; /* struct amp_cap_rec *: the capture */
	GHashTable *got; /* endpoint name -> GQueue of struct replay_got *: not compared yet */
	struct amp_host *host;
	char *crash; /* the firmware crashed: why */
	bool fast;
	int timeout_ms;
	gint64 run0, rec0; /* original timing: the first record's time, here and then */
	unsigned sent, matched;
	GHashTable *announced; /* names the capture's name service announced: channels */
	GHashTable *epts;      /* name -> struct amp_host_ept *: the other names (rpmsg_ctrl0) */
};

static void got_free(gpointer p)
{
	struct replay_got *g = p;
	g_bytes_unref(g->payload);
	g_free(g);
}

static void ept_free(gpointer e)
{
	amp_host_ept_free(e);
}

static void queue_free(gpointer q)
{
	g_queue_free_full(q, got_free);
}

/* libampsim's tap: keep every message from the firmware, per endpoint, in order. */
static void on_msg(void *priv, const struct amp_host_msg *m)
{
	struct replay *r = priv;
	if (m->to_fw)
		return;
	GQueue *q = g_hash_table_lookup(r->got, m->name);
	if (!q) {
		q = g_queue_new();
		g_hash_table_insert(r->got, g_strdup(m->name), q);
	}
	struct replay_got *g = g_new0(struct replay_got, 1);
	memcpy(g->hdr, m->hdr, sizeof(g->hdr));
	g->payload = g_bytes_new(m->payload, m->len);
	g_queue_push_tail(q, g);
}

static void on_rproc(void *priv, enum amp_rproc_event ev)
{
	struct replay *r = priv;
	if (ev == AMP_RPROC_EV_CRASHED && !r->crash) {
		const char *why = amp_rproc_crash_reason(amp_host_rproc(r->host));
		r->crash = g_strdup(why ? why : "unknown reason");
	}
}

static const struct amp_host_ops replay_ops = {.rproc_event = on_rproc};

static gboolean on_timeout(gpointer data)
{
	*(bool *)data = true;
	return G_SOURCE_REMOVE;
}

/* Run the loop until @p done(r, arg) or @p ms pass; false on timeout. Bounded always. */
static bool wait_for(struct replay *r, bool (*done)(struct replay *, const void *), const void *arg,
		     int ms)
{
	bool expired = false;
	GSource *t = g_timeout_source_new((guint)ms);
	g_source_set_callback(t, on_timeout, &expired, NULL);
	g_source_attach(t, NULL);
	bool ok;
	while (!(ok = done(r, arg)) && !expired && !r->crash)
		g_main_context_iteration(NULL, TRUE);
	g_source_destroy(t);
	g_source_unref(t);
	return ok;
}

static struct amp_host_chan *chan_named(struct replay *r, const char *name)
{
	g_autofree struct amp_host_chan **all = amp_host_channels(r->host);
	for (struct amp_host_chan **c = all; *c; c++)
		if (!strcmp((*c)->name, name))
			return *c;
	return NULL;
}

static bool has_chan(struct replay *r, const void *name)
{
	return chan_named(r, name) != NULL;
}

static bool has_msg(struct replay *r, const void *name)
{
	GQueue *q = g_hash_table_lookup(r->got, name);
	return q && !g_queue_is_empty(q);
}

static bool never(struct replay *r, const void *arg)
{
	(void)r;
	(void)arg;
	return false;
}

static const char *dir_text(const struct amp_cap_rec *rec)
{
	return rec->to_fw ? "Linux -> firmware" : "firmware -> Linux";
}

static void say_frame(const struct amp_cap_rec *rec)
{
	g_autofree char *name = g_strescape(rec->name[0] ? rec->name : "(name service)", NULL);
	g_printerr("ampsim replay: frame %u (%s, \"%s\"): ", rec->frame, dir_text(rec), name);
}

struct try_send {
	const struct amp_cap_rec *rec;
	int rc;
};

static bool sent_or_failed(struct replay *r, const void *arg)
{
	struct try_send *ts = (struct try_send *)arg;
	static const uint8_t none[1];
	const void *data = ts->rec->len ? ts->rec->payload : none;
	struct amp_host_ept *e = g_hash_table_lookup(r->epts, ts->rec->name);
	struct amp_host_chan *ch = e ? NULL : chan_named(r, ts->rec->name);
	if (e)
		ts->rc = amp_host_ept_send(e, data, ts->rec->len);
	else if (ch)
		ts->rc = amp_host_send(ch, data, ts->rec->len);
	else
		ts->rc = AMP_ENOTCONN;
	return ts->rc != AMP_ENOMEM; /* no TX buffer now: the loop gives them back */
}

static bool bus_up(struct replay *r, const void *arg)
{
	(void)arg;
	return amp_host_rpmsg(r->host) != NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A name no announcement made: an endpoint of the user's (rpmsg_ctrl0), with its addresses. */
static int ept_for(struct replay *r, const struct amp_cap_rec *rec)
{
	static const struct amp_host_ept_ops ops; /* what it receives, the tap keeps */
	if (g_hash_table_contains(r->epts, rec->name))
		return AMP_OK;
	if (!wait_for(r, bus_up, NULL, r->timeout_ms))
		return AMP_ENOTCONN;
	struct amp_host_ept *e;
	int rc =
	    amp_host_ept_new(r->host, rec->name, le32(rec->hdr), le32(rec->hdr + 4), &ops, r, &e);
	if (rc == AMP_OK)
		g_hash_table_insert(r->epts, g_strdup(rec->name), e);
	return rc;
}

static int play_tx(struct replay *r, const struct amp_cap_rec *rec)
{
	if (!r->fast) { /* as long after the first message as it was then */
		gint64 due = r->run0 + (gint64)((rec->ts_ns - (uint64_t)r->rec0) / 1000u);
		gint64 now = g_get_monotonic_time();
		if (due > now)
			wait_for(r, never, NULL, (int)MIN((due - now + 999) / 1000, G_MAXINT));
	}
	if (!g_hash_table_contains(r->announced, rec->name)) {
		int rc = ept_for(r, rec);
		if (rc != AMP_OK) {
			say_frame(rec);
			g_printerr("cannot create this endpoint (no announcement named it): %s\n",
				   amp_strerror(rc));
			return REPLAY_DIFF;
		}
	} else if (!wait_for(r, has_chan, rec->name, r->timeout_ms)) {
		say_frame(rec);
		g_printerr("the firmware did not announce this channel within %d ms%s%s\n",
			   r->timeout_ms, r->crash ? "; it crashed: " : "",
			   r->crash ? r->crash : "");
		return REPLAY_DIFF;
	}
	struct try_send ts = {rec, AMP_ENOMEM};
	wait_for(r, sent_or_failed, &ts, r->timeout_ms);
	if (ts.rc < 0) {
		say_frame(rec);
		g_printerr("cannot send it: %s\n", amp_strerror(ts.rc));
		return REPLAY_DIFF;
	}
	r->sent++;
	return REPLAY_OK;
}

static int play_rx(struct replay *r, const struct amp_cap_rec *rec)
{
	if (!wait_for(r, has_msg, rec->name, r->timeout_ms)) {
		say_frame(rec);
		if (r->crash)
			g_printerr("the firmware crashed before sending it: %s\n", r->crash);
		else
			g_printerr(
			    "the firmware sent nothing here within %d ms (%u messages matched "
			    "before)\n",
			    r->timeout_ms, r->matched);
		return REPLAY_DIFF;
	}
	struct replay_got *g = g_queue_pop_head(g_hash_table_lookup(r->got, rec->name));
	g_autofree char *diff = replay_compare(rec, g);
	got_free(g);
	if (diff) {
		say_frame(rec);
		g_printerr("the firmware's message differs (%u matched before)\n%s\n", r->matched,
			   diff);
		return REPLAY_DIFF;
	}
	r->matched++;
	return REPLAY_OK;
}

static int play(struct replay *r)
{
	for (guint i = 0; i < r->recs->len; i++) {
		const struct amp_cap_rec *rec = r->recs->pdata[i];
		int rc = rec->to_fw ? play_tx(r, rec) : play_rx(r, rec);
		if (rc != REPLAY_OK)
			return rc;
		if (i == 0) {
			r->run0 = g_get_monotonic_time();
			r->rec0 = (gint64)rec->ts_ns;
		}
	}
	return REPLAY_OK;
}

static unsigned extra_count(struct replay *r)
{
	unsigned n = 0;
	GHashTableIter it;
	gpointer q;
	g_hash_table_iter_init(&it, r->got);
	while (g_hash_table_iter_next(&it, NULL, &q))
		n += g_queue_get_length(q);
	return n;
}

static int replay_run(struct replay *r, const char *file, const char *fw, const char *soc)
{
	g_autoptr(GError) err = NULL;
	r->recs = amp_capture_read(file, &err);
	if (!r->recs) {
		g_printerr("ampsim replay: %s\n", err->message);
		return REPLAY_CANNOT;
	}
	struct amp_host_cfg hc = {
	    .profile = soc,
	    .rproc = {.firmware = fw, .no_recovery = true},
	    .ops = &replay_ops,
	    .priv = r,
	};
	for (guint i = 0; i < r->recs->len; i++) { /* which names are channels */
		const struct amp_cap_rec *rec = r->recs->pdata[i];
		if (!rec->to_fw && !rec->name[0] && rec->len == 40 && !(rec->payload[36] & 1u))
			g_hash_table_add(r->announced, g_strndup((const char *)rec->payload, 31));
	}
	r->host = amp_host_new(&hc, &err);
	if (!r->host || (amp_host_set_tap(r->host, on_msg, r), !amp_host_start(r->host, &err))) {
		g_printerr("ampsim replay: %s\n", err->message);
		return REPLAY_CANNOT;
	}
	int rc = play(r);
	if (rc == REPLAY_OK)
		printf("replay of %s against %s: %u messages sent, %u from the firmware matched, "
		       "%u more not in the capture\n",
		       file, fw, r->sent, r->matched, extra_count(r));
	return rc;
}

struct replay_opts {
	char *timing;
	int timeout_ms;
	char *soc;
};

static int parse(int *argc, char ***argv, struct replay_opts *o)
{
	GOptionEntry entries[] = {
	    {"timing", 't', 0, G_OPTION_ARG_STRING, &o->timing,
	     "original: send each message as long after the first one as it was captured; "
	     "fast (default): as soon as the previous one is done",
	     "original|fast"},
	    {"timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout_ms,
	     "How long to wait for each channel and each recorded answer, 1..600000 ms "
	     "(default 5000)",
	     "MS"},
	    {"soc", 's', 0, G_OPTION_ARG_STRING, &o->soc,
	     "SoC profile, as for 'ampsim run' (default stm32mp157)", "PROFILE"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("FILE.pcapng FIRMWARE");
	g_option_context_set_summary(
	    ctx, "Boot FIRMWARE and play the Linux side's messages of a capture made with\n"
		 "'ampsim run --capture FILE.pcapng' in their order, each to the channel of the\n"
		 "same name the firmware announces; compare every message the firmware sends\n"
		 "with the recorded one (payload bytes; name-service: name and flags) and stop\n"
		 "at the first difference, printing its frame number (as Wireshark numbers\n"
		 "them) and both messages in hex.");
	g_option_context_set_description(
	    ctx, "Exit status: 0 when every recorded answer came back the same (a summary is\n"
		 "printed), 1 at the first difference, a missing answer or channel, or a\n"
		 "crash, 2 for bad options, 3 when the capture cannot be read or the firmware\n"
		 "cannot boot. See docs/capture.md.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, argc, argv, &err)) {
		g_printerr("ampsim replay: %s\nTry 'ampsim replay --help'.\n", err->message);
		return REPLAY_USAGE;
	}
	const char *bad = NULL;
	if (*argc != 3)
		bad = "give a capture file and a firmware (FILE.pcapng FIRMWARE)";
	else if (o->timing && strcmp(o->timing, "original") && strcmp(o->timing, "fast"))
		bad = "--timing must be original or fast";
	else if (o->timeout_ms < 1 || o->timeout_ms > 600000)
		bad = "--timeout takes 1..600000 milliseconds";
	if (bad) {
		g_printerr("ampsim replay: %s\nTry 'ampsim replay --help'.\n", bad);
		return REPLAY_USAGE;
	}
	return REPLAY_OK;
}

int amp_cmd_replay(int argc, char **argv)
{
	struct replay_opts o = {.timeout_ms = 5000};
	int rc = parse(&argc, &argv, &o);
	if (rc == REPLAY_OK) {
		struct replay r = {
		    .got = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, queue_free),
		    .announced = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
		    .epts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, ept_free),
		    .fast = !o.timing || !strcmp(o.timing, "fast"),
		    .timeout_ms = o.timeout_ms,
		};
		rc = replay_run(&r, argv[1], argv[2], o.soc);
		g_hash_table_unref(r.epts); /* amp_host_ept_free() each, before the host goes */
		amp_host_free(r.host);	    /* kills the firmware at once: the replay is over */
		g_hash_table_unref(r.announced);
		if (r.recs)
			g_ptr_array_unref(r.recs);
		g_hash_table_unref(r.got);
		g_free(r.crash);
	}
	g_free(o.timing);
	g_free(o.soc);
	return rc;
}
