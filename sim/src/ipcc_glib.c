/* GLib glue for the IPCC link; see ipcc_glib.h. */
#include "ipcc_glib.h"

#include <glib-unix.h>

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	(void)cond;
	amp_ipcc_link_handle_fd(data);
	return G_SOURCE_CONTINUE;
}

GSource *amp_ipcc_glib_source(struct amp_ipcc_link *link, GMainContext *ctx)
{
	g_return_val_if_fail(link != NULL, NULL);
	GSource *src = g_unix_fd_source_new(amp_ipcc_link_fd(link), G_IO_IN);
	g_source_set_callback(src, (GSourceFunc)(void (*)(void))on_readable, link, NULL);
	/* NULL would mean the global default context to g_source_attach(): resolve it here. */
	GMainContext *c = ctx ? g_main_context_ref(ctx) : g_main_context_ref_thread_default();
	g_source_attach(src, c);
	g_main_context_unref(c);
	return src;
}
