/*
 * Binding announced channels to user-facing endpoints by their exact name, as Linux binds
 * rpmsg drivers (REFERENCE 3.6). A kind of endpoint is a `struct service`; bindings[] maps
 * names to services. To serve a new name (e.g. ST's "rpmsg-sdb-channel"), add a service
 * and one line in bindings[].
 */
#include <string.h>

#include <amp/error.h>
#include "../sdb/sdb_service.h"

#include "daemon.h"
#include "frontend.h"
#include "rundir.h"

/* How one kind of channel is served. `impl` is the service's own object. */
struct service {
	unsigned id;	  /* index into daemon.used */
	const char *file; /* RUNDIR entry: this prefix and the index */
	bool single;	  /* one instance, no index: like ST's /dev/rpmsg-sdb */
	void *(*open)(struct daemon *d, struct amp_host_chan *ch, const char *path, GError **err);
	void (*close)(void *impl);
	/* false: cannot take it now (the firmware is held back until the service resumes) */
	bool (*deliver)(void *impl, const void *data, size_t len);
	void (*resume)(void *impl);
	/* What the client gets, for the start-up log; and counters for `ctl endpoints`. */
	void (*describe)(void *impl, unsigned index, GString *out);
	void (*stats)(void *impl, GString *out);
};

struct bound {
	const struct service *svc;
	void *impl;
	unsigned index;
	char *path;
};

/* ---- frame sockets and ttys: both are frontends --------------------------------------------- */

static int fe_send(void *ctx, const void *data, size_t len)
{
	return amp_host_send(ctx, data, len);
}

static void fe_rx_ready(void *ctx)
{
	struct amp_host_chan *ch = ctx;
	amp_host_rx_resume(ch->host);
}

static void fe_connected(void *ctx)
{
	struct amp_host_chan *ch = ctx;
	amp_host_trace_note(ch->host, "client", "client connect", ch->name);
}

static void fe_hold_kicks(void *ctx, bool hold)
{
	struct amp_host_chan *ch = ctx;
	amp_host_hold_kicks(ch->host, hold);
}

static const struct amp_chan_ops fe_ops = {.send = fe_send,
					   .rx_ready = fe_rx_ready,
					   .connected = fe_connected,
					   .hold_kicks = fe_hold_kicks};

static void *open_frontend(enum amp_frontend_kind kind, struct daemon *d, struct amp_host_chan *ch,
			   const char *path, GError **err)
{
	return amp_frontend_new(kind, path, amp_host_mtu(d->host), &fe_ops, ch, d->fds, err);
}

static void *open_seqpacket(struct daemon *d, struct amp_host_chan *ch, const char *path,
			    GError **err)
{
	return open_frontend(AMP_FRONTEND_SEQPACKET, d, ch, path, err);
}

static void *open_tty(struct daemon *d, struct amp_host_chan *ch, const char *path, GError **err)
{
	return open_frontend(AMP_FRONTEND_TTY, d, ch, path, err);
}

static void fe_close(void *impl)
{
	amp_frontend_free(impl); /* its client sees EOF / hangup */
}

static bool fe_deliver(void *impl, const void *data, size_t len)
{
	return amp_frontend_deliver(impl, data, len);
}

static void fe_resume(void *impl)
{
	amp_frontend_resume(impl);
}

static void describe_seqpacket(void *impl, unsigned index, GString *out)
{
	(void)impl;
	g_string_append_printf(out, "a frame socket: one message per read/write, like /dev/rpmsg%u",
			       index);
}

static void describe_tty(void *impl, unsigned index, GString *out)
{
	g_string_append_printf(out, "a tty: byte stream, like /dev/ttyRPMSG%u; device %s", index,
			       amp_frontend_device(impl));
}

static void fe_stats(void *impl, GString *out)
{
	const struct amp_frontend_stats *s = amp_frontend_stats(impl);
	g_string_append_printf(out,
			       "  in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT
			       " msgs, oversize %" G_GUINT64_FORMAT ", dropped %" G_GUINT64_FORMAT
			       ", held back %" G_GUINT64_FORMAT
			       ", clients accepted %" G_GUINT64_FORMAT
			       " (since the start), refused as busy %" G_GUINT64_FORMAT
			       ", EAGAIN %" G_GUINT64_FORMAT ", mtu %zu",
			       s->rx_msgs, s->tx_msgs, s->tx_oversize, s->rx_dropped, s->rx_held,
			       s->clients, s->busy, s->tx_eagain, amp_frontend_mtu(impl));
	/* What waits for the client, and whether the daemon waits for room to write it. */
	bool writing;
	size_t queued = amp_frontend_queued(impl, &writing);
	g_string_append_printf(out, ", queued %zu (%s)", queued,
			       writing	? "waiting for room"
			       : queued ? "NOT WRITING"
					: "idle");
}

static const struct service raw_svc = {
    .id = 0,
    .file = "rpmsg",
    .open = open_seqpacket,
    .close = fe_close,
    .deliver = fe_deliver,
    .resume = fe_resume,
    .describe = describe_seqpacket,
    .stats = fe_stats,
};

static const struct service tty_svc = {
    .id = 1,
    .file = "ttyRPMSG",
    .open = open_tty,
    .close = fe_close,
    .deliver = fe_deliver,
    .resume = fe_resume,
    .describe = describe_tty,
    .stats = fe_stats,
};

/* ---- rpmsg-sdb: large buffers (docs/sdb.md) ------------------------------------------------ */

static void *open_sdb(struct daemon *d, struct amp_host_chan *ch, const char *path, GError **err)
{
	return amp_sdb_service_new(d->host, ch, path, g_main_loop_get_context(d->loop), err);
}

static void sdb_close(void *impl)
{
	amp_sdb_service_free(impl); /* its clients are woken with an error */
}

static bool sdb_deliver(void *impl, const void *data, size_t len)
{
	amp_sdb_service_receive(impl, data, len);
	return true;
}

static void sdb_resume(void *impl)
{
	amp_sdb_service_tx_ready(impl);
}

static void describe_sdb(void *impl, unsigned index, GString *out)
{
	(void)impl;
	(void)index;
	g_string_append(out, "large shared buffers in DDR, like ST's /dev/rpmsg-sdb; docs/sdb.md");
}

static void sdb_stats(void *impl, GString *out)
{
	g_string_append(out, "\n  ");
	amp_sdb_service_describe(impl, out);
	if (out->len && out->str[out->len - 1] == '\n')
		g_string_truncate(out, out->len - 1);
}

static const struct service sdb_svc = {
    .id = 2,
    .file = "rpmsg-sdb",
    .single = true,
    .open = open_sdb,
    .close = sdb_close,
    .deliver = sdb_deliver,
    .resume = sdb_resume,
    .describe = describe_sdb,
    .stats = sdb_stats,
};

/* ---- names -> services ----------------------------------------------------------------------- */

static const struct binding {
	const char *name; /* exact announced name; NULL matches every other name */
	const struct service *svc;
	const char *note; /* printed when bound */
} bindings[] = {
    {"rpmsg-tty", &tty_svc, NULL},
    {AMP_SDB_SERVICE_NAME, &sdb_svc, NULL},
    {"rpmsg-tty-channel", &tty_svc,
     "\"rpmsg-tty-channel\" is ST's older name; upstream Linux's rpmsg_tty binds only "
     "\"rpmsg-tty\", so on a real board this channel would get no tty"},
    {NULL, &raw_svc, NULL}, /* rpmsg_char's "rpmsg-raw", and the rest like it */
};

static const struct binding *binding_for(const char *name)
{
	const struct binding *b = bindings;
	while (b->name && strcmp(b->name, name))
		b++;
	return b;
}

static bool take_index(struct daemon *d, const struct service *svc, unsigned *index)
{
	for (unsigned i = 0; i < (svc->single ? 1u : DAEMON_MAX_INDEX); i++)
		if (!d->used[svc->id][i]) {
			d->used[svc->id][i] = true;
			*index = i;
			return true;
		}
	return false;
}

void daemon_bind(struct daemon *d, struct amp_host_chan *ch)
{
	const struct binding *bi = binding_for(ch->name);
	daemon_say(d, "channel \"%s\" announced by the firmware (its address 0x%x, ours 0x%x)\n",
		   ch->name, ch->remote, ch->ept.addr);
	if (bi->note)
		daemon_say(d, "  note: %s\n", bi->note);
	unsigned index;
	if (!take_index(d, bi->svc, &index)) {
		g_warning("channel %s: all %d endpoints of its kind are in use; not served",
			  ch->name, DAEMON_MAX_INDEX);
		return;
	}
	g_autofree char *base = bi->svc->single ? g_strdup(bi->svc->file)
						: g_strdup_printf("%s%u", bi->svc->file, index);
	g_autofree char *path = amp_rundir_file(d->rd, base);
	g_autoptr(GError) err = NULL;
	void *impl = bi->svc->open(d, ch, path, &err);
	if (!impl) {
		g_warning("channel %s: %s", ch->name, err->message);
		d->used[bi->svc->id][index] = false;
		return;
	}
	struct bound *b = g_new0(struct bound, 1);
	*b = (struct bound){.svc = bi->svc, .impl = impl, .index = index, .path = g_strdup(path)};
	ch->user = b;
	g_autoptr(GString) what = g_string_new(NULL);
	b->svc->describe(impl, index, what);
	daemon_say(d, "  -> %s (%s)\n", path, what->str);
}

void daemon_unbind(struct daemon *d, struct amp_host_chan *ch, const char *why)
{
	struct bound *b = ch->user;
	daemon_say(d, "channel \"%s\" is gone: %s\n", ch->name, why);
	if (!b)
		return;
	d->used[b->svc->id][b->index] = false;
	b->svc->close(b->impl);
	g_free(b->path);
	g_free(b);
	ch->user = NULL;
}

bool daemon_deliver(struct amp_host_chan *ch, const void *data, size_t len)
{
	struct bound *b = ch->user;
	return !b || b->svc->deliver(b->impl, data, len);
}

void daemon_resume_channels(struct daemon *d)
{
	g_autofree struct amp_host_chan **chans = amp_host_channels(d->host);
	for (struct amp_host_chan **c = chans; *c; c++) {
		struct bound *b = (*c)->user;
		if (b && b->svc->resume)
			b->svc->resume(b->impl);
	}
}

void daemon_list_channels(struct daemon *d, GString *out)
{
	g_autofree struct amp_host_chan **chans = amp_host_channels(d->host);
	if (!*chans)
		g_string_append(out, "no channels (the firmware has announced none)\n");
	for (struct amp_host_chan **c = chans; *c; c++) {
		struct bound *b = (*c)->user;
		g_string_append_printf(out, "%-32s firmware 0x%-4x host 0x%-4x %s", (*c)->name,
				       (*c)->remote, (*c)->ept.addr, b ? b->path : "(not served)");
		if (b && b->svc->stats)
			b->svc->stats(b->impl, out);
		g_string_append_c(out, '\n');
	}
}
