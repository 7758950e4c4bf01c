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

guint amp_ipcc_glib_add(struct amp_ipcc_link *link, GMainContext *ctx)
{
	GSource *src;
	guint id;

	g_return_val_if_fail(link != NULL, 0);
	src = g_unix_fd_source_new(amp_ipcc_link_fd(link), G_IO_IN);
	g_source_set_callback(src, (GSourceFunc)(void (*)(void))on_readable, link, NULL);
	id = g_source_attach(src, ctx);
	g_source_unref(src);
	return id;
}
