/* GLib glue for the IPCC link; see ipcc_glib.h. */
#include "ipcc_glib.h"

#include "fd_watch.h"

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	/* GLib saw the fd readable and only this thread reads it: no poll before the read. */
	if (cond & G_IO_IN)
		amp_ipcc_link_handle_readable(data);
	return G_SOURCE_CONTINUE;
}

GSource *amp_ipcc_glib_source(struct amp_ipcc_link *link, GMainContext *ctx)
{
	g_return_val_if_fail(link != NULL, NULL);
	/* NULL would mean the global default context to g_source_attach(): resolve it here. */
	GMainContext *c = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
	GSource *src = amp_fd_watch_new(amp_ipcc_link_fd(link), G_IO_IN, on_readable, link, c);
	g_main_context_unref(c);
	return src;
}
