/* The daemon's one listen + accept loop; see sock_server.h. */
#define _GNU_SOURCE
#include "sock_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <ampsim/error.h>

struct amp_sock_server {
	struct amp_sock_server_cfg cfg;
	char *path;
	int fd;
	GSource *src;
};

/* Move @tmp to @path unless @path exists: RENAME_NOREPLACE, or link() where the file system
 * lacks it (link never replaces either). */
static int place(const char *tmp, const char *path)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	if (link(tmp, path) != 0)
		return -1;
	unlink(tmp);
	return 0;
}

static const char *what_to_do(int e)
{
	if (e == EEXIST)
		return " (something else is there; remove it or choose another directory)";
	if (e == ENOENT)
		return " (its directory does not exist)";
	return "";
}

/* The listening socket at @path (non-blocking, close-on-exec); -1 with @err set. */
static int listen_at(const char *path, const struct amp_sock_server_cfg *cfg, GError **err)
{
	g_autofree char *tmp = g_strdup_printf("%s.new", path);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(tmp) >= sizeof(sa.sun_path)) {
		amp_set_error(err, AMP_EINVAL,
			      "socket path %s is too long (at most %zu bytes); use a shorter "
			      "directory",
			      path, sizeof(sa.sun_path) - sizeof(".new"));
		return -1;
	}
	memcpy(sa.sun_path, tmp, strlen(tmp) + 1);
	unlink(tmp); /* a leftover of a killed run; only ever our own temporary name */
	int fd = socket(AF_UNIX, cfg->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool bound = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (bound && listen(fd, cfg->backlog) == 0 && place(tmp, path) == 0)
		return fd;
	int e = errno;
	if (bound)
		unlink(tmp);
	amp_set_error(err, amp_from_errno(e), "cannot listen on %s: %s%s", path, g_strerror(e),
		      what_to_do(e));
	if (fd >= 0)
		close(fd);
	return -1;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct amp_sock_server *s = data;
	(void)cond;
	int c =
	    accept4(fd, NULL, NULL, SOCK_CLOEXEC | (s->cfg.blocking_clients ? 0 : SOCK_NONBLOCK));
	/* EAGAIN: nothing after all; ECONNABORTED: it left first. Neither stops the server. */
	if (c >= 0)
		s->cfg.on_client(s->cfg.priv, c);
	return G_SOURCE_CONTINUE;
}

struct amp_sock_server *amp_sock_server_new(const char *path, const struct amp_sock_server_cfg *cfg,
					    GError **err)
{
	if (!path || !*path || !cfg || !cfg->on_client || cfg->backlog <= 0 ||
	    (cfg->type != SOCK_SEQPACKET && cfg->type != SOCK_STREAM)) {
		amp_set_error(err, AMP_EINVAL, "bad socket server configuration");
		return NULL;
	}
	int fd = listen_at(path, cfg, err);
	if (fd < 0)
		return NULL;
	struct amp_sock_server *s = g_new0(struct amp_sock_server, 1);
	s->cfg = *cfg;
	s->path = g_strdup(path);
	s->fd = fd;
	s->src = amp_sock_watch(cfg->context, fd, G_IO_IN, on_accept, s);
	return s;
}

void amp_sock_server_free(struct amp_sock_server *s)
{
	if (!s)
		return;
	amp_sock_unwatch(&s->src);
	close(s->fd);
	unlink(s->path);
	g_free(s->path);
	g_free(s);
}

const char *amp_sock_server_path(const struct amp_sock_server *s)
{
	return s->path;
}

GSource *amp_sock_watch(GMainContext *context, int fd, GIOCondition cond, GUnixFDSourceFunc fn,
			void *data)
{
	GSource *src = g_unix_fd_source_new(fd, cond);
	g_source_set_callback(src, G_SOURCE_FUNC(fn), data, NULL);
	g_source_attach(src, context);
	return src;
}

void amp_sock_unwatch(GSource **src)
{
	if (!src || !*src)
		return;
	g_source_destroy(*src); /* harmless if its callback already removed it */
	g_source_unref(*src);
	*src = NULL;
}
