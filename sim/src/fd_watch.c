/* A GLib fd watch without the per-dispatch self-wake; see fd_watch.h. */
#include "fd_watch.h"

struct fd_watch {
	GSource src;
	gpointer tag;
	int fd;
	GIOCondition cond;
	unsigned depth;	 /* > 0 while the callback runs */
	gboolean masked; /* a nested loop saw the fd ready: left out of its polls */
};

static gboolean watch_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct fd_watch *w = (struct fd_watch *)s;
	GIOCondition ready = g_source_query_unix_fd(s, w->tag);
	if (!cb)
		return G_SOURCE_REMOVE;
	if (w->depth > 0) {
		/* A nested main loop inside our callback: keep out of it, as GLib's blocking would
		 * (polling the fd there would spin, and the callback must not run re-entered). */
		g_source_modify_unix_fd(s, w->tag, 0);
		w->masked = TRUE;
		return G_SOURCE_CONTINUE;
	}
	w->depth++;
	gboolean keep = ((GUnixFDSourceFunc)(void (*)(void))cb)(w->fd, ready, data);
	w->depth--;
	if (w->masked && !g_source_is_destroyed(s)) {
		g_source_modify_unix_fd(s, w->tag, w->cond);
		w->masked = FALSE;
	}
	return keep;
}

static GSourceFuncs watch_funcs = {.dispatch = watch_dispatch};

GSource *amp_fd_watch_new(int fd, GIOCondition cond, GUnixFDSourceFunc fn, gpointer data,
			  GMainContext *ctx)
{
	GSource *s = g_source_new(&watch_funcs, sizeof(struct fd_watch));
	struct fd_watch *w = (struct fd_watch *)s;
	w->fd = fd;
	w->cond = cond;
	w->tag = g_source_add_unix_fd(s, fd, cond);
	g_source_set_name(s, "amp_fd_watch");
	g_source_set_callback(s, (GSourceFunc)(void (*)(void))fn, data, NULL);
	/* The point of the watch: GLib neither blocks it nor wakes itself after each dispatch. */
	g_source_set_can_recurse(s, TRUE);
	g_source_attach(s, ctx);
	return s;
}

guint amp_fd_watch_add(int fd, GIOCondition cond, GUnixFDSourceFunc fn, gpointer data)
{
	GSource *s = amp_fd_watch_new(fd, cond, fn, data, NULL);
	guint id = g_source_get_id(s);
	g_source_unref(s);
	return id;
}
