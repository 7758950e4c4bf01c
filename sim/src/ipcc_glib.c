/* GLib glue for the IPCC link; see ipcc_glib.h. */
#include "ipcc_glib.h"

#include "fd_watch.h"

#define SPIN_SLICE_NS 20000u /* SPIN: poll this long, then let the loop poll its fds */

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	/* GLib saw the fd readable and only this thread reads it: no poll before the read. */
	if (cond & G_IO_IN)
		amp_ipcc_link_handle_readable(data);
	return G_SOURCE_CONTINUE;
}

/* The polling source, a child of the fd watch (ADAPTIVE and SPIN links only). */
struct poll_src {
	GSource src;
	struct amp_ipcc_link *link;
};

gboolean amp_ipcc_glib_poll(struct amp_ipcc_link *link)
{
	return amp_ipcc_link_poll(link, SPIN_SLICE_NS);
}

static gboolean poll_prepare(GSource *src, gint *timeout)
{
	struct amp_ipcc_link *l = ((struct poll_src *)src)->link;
	if (amp_ipcc_glib_poll(l))
		return TRUE;
	if (l->cfg.mode == AMP_IPCC_WAIT_SPIN) { /* never sleep; let the loop see its fds */
		*timeout = 0;
		return FALSE;
	}
	/* Publish that we sleep, then look again: a kick before the store is seen here, one
	 * after it writes the eventfd, which the fd watch polls. */
	amp_ipcc_link_set_asleep(l, true);
	*timeout = -1;
	return amp_ipcc_link_pending(l);
}

static gboolean poll_check(GSource *src)
{
	return amp_ipcc_link_pending(((struct poll_src *)src)->link);
}

void amp_ipcc_glib_dispatch(struct amp_ipcc_link *link)
{
	/* Awake: the peer need not write our eventfd until we publish asleep again. */
	if (link->cfg.mode == AMP_IPCC_WAIT_ADAPTIVE)
		amp_ipcc_link_set_asleep(link, false);
	amp_ipcc_link_dispatch(link);
}

static gboolean poll_dispatch(GSource *src, GSourceFunc cb, gpointer data)
{
	(void)cb, (void)data;
	amp_ipcc_glib_dispatch(((struct poll_src *)src)->link);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs poll_funcs = {
    .prepare = poll_prepare,
    .check = poll_check,
    .dispatch = poll_dispatch,
};

GSource *amp_ipcc_glib_source(struct amp_ipcc_link *link, GMainContext *ctx)
{
	g_return_val_if_fail(link != NULL, NULL);
	/* NULL would mean the global default context to g_source_attach(): resolve it here. */
	GMainContext *c = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
	GSource *src = amp_fd_watch_new(amp_ipcc_link_fd(link), G_IO_IN, on_readable, link, c);
	if (link->cfg.mode != AMP_IPCC_WAIT_BLOCK) {
		GSource *child = g_source_new(&poll_funcs, sizeof(struct poll_src));
		((struct poll_src *)child)->link = link;
		g_source_set_name(child, "ampsim IPCC poll");
		g_source_add_child_source(src, child); /* attached with it, destroyed with it */
		g_source_unref(child);
	}
	g_main_context_unref(c);
	return src;
}
