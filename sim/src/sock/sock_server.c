/* The daemon's one listen + accept loop; see sock_server.h. */
#define _GNU_SOURCE
#include "sock_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ampsim/error.h>

#include "../fd_group.h"

#define RETRY_MIN_MS 50u
#define RETRY_MAX_MS 1000u

struct client {
	int fd;
	dev_t dev;
	ino_t ino; /* tells our socket from a later file that got the same fd number */
};

struct amp_sock_server {
	struct amp_sock_server_cfg cfg;
	char *path;
	int fd;
	GSource *src;		 /* accepting; NULL while backed off */
	struct amp_fd_member *m; /* accepting in cfg.group instead (stopped while backed off) */
	GSource *retry;		 /* backed off: when to try again */
	guint retry_ms;
	GArray *clients; /* struct client, under `lock` */
	struct amp_sock_server_stats st;
};

/*
 * Process-wide, under `lock` (servers may run on contexts of different threads): every
 * server, for the total cap, and the spare descriptor kept open so that at the fd limit a
 * client can still be accepted: to be served (vital servers) or told no (the others).
 */
static GMutex lock;
static GPtrArray *servers;
static int reserve_fd = -1;

/* ---- listening ------------------------------------------------------------------------- */

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

/* A killed run's temporary socket goes; anything else under that name is not ours. */
static bool clear_tmp(const char *tmp)
{
	struct stat st;
	if (lstat(tmp, &st) < 0)
		return errno == ENOENT;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return false;
	}
	return unlink(tmp) == 0;
}

/*
 * Bind under @tmp, make it 0600, listen (then the caller renames it into place). chmod()
 * before listen() closes the umask's window: a socket refuses every connect() until it
 * listens, and connect() checks the file's mode when it is called. (fchmod() on the socket
 * changes the socket's own inode, not the file's; umask() is process-wide, so not safe with
 * the daemon's other threads.)
 */
static bool bind_private(int fd, const struct sockaddr_un *sa, const char *tmp, int backlog)
{
	return bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 &&
	       chmod(tmp, S_IRUSR | S_IWUSR) == 0 && listen(fd, backlog) == 0;
}

/* The listening socket at @path (non-blocking, close-on-exec, 0600); -1 with @err set. */
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
	int fd = -1;
	bool cleared = clear_tmp(tmp);
	if (cleared)
		fd = socket(AF_UNIX, cfg->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && bind_private(fd, &sa, tmp, cfg->backlog) && place(tmp, path) == 0)
		return fd;
	int e = errno;
	if (fd >= 0)
		unlink(tmp); /* ours: made by this bind (or nothing there) */
	amp_set_error(err, amp_from_errno(e), "cannot listen on %s: %s%s", cleared ? path : tmp,
		      g_strerror(e), what_to_do(e));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* ---- counting clients ------------------------------------------------------------------ */

/* Clients of @s whose socket is still open (the callers close them): under `lock`. */
static guint live(struct amp_sock_server *s)
{
	for (guint i = s->clients->len; i-- > 0;) {
		const struct client *c = &g_array_index(s->clients, struct client, i);
		struct stat st;
		if (fstat(c->fd, &st) < 0 || st.st_ino != c->ino || st.st_dev != c->dev)
			g_array_remove_index_fast(s->clients, i);
	}
	return s->clients->len;
}

static guint live_total(void)
{
	guint n = 0;
	for (guint i = 0; i < servers->len; i++) {
		struct amp_sock_server *s = servers->pdata[i];
		if (!s->cfg.vital)
			n += live(s);
	}
	return n;
}

static guint max_clients(const struct amp_sock_server *s)
{
	return s->cfg.max_clients ? s->cfg.max_clients : AMP_SOCK_MAX_CLIENTS;
}

/* Count @c as a client of @s unless a cap is reached; false: refuse it. */
static bool admit(struct amp_sock_server *s, int c)
{
	struct stat st;
	if (fstat(c, &st) < 0)
		return false;
	g_mutex_lock(&lock);
	bool ok = live(s) < max_clients(s) && (s->cfg.vital || live_total() < AMP_SOCK_MAX_TOTAL);
	if (ok)
		g_array_append_val(s->clients,
				   ((struct client){.fd = c, .dev = st.st_dev, .ino = st.st_ino}));
	g_mutex_unlock(&lock);
	return ok;
}

/* ---- accepting ------------------------------------------------------------------------- */

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data);

static int accept_one(struct amp_sock_server *s)
{
	return accept4(s->fd, NULL, NULL,
		       SOCK_CLOEXEC | (s->cfg.blocking_clients ? 0 : SOCK_NONBLOCK));
}

static void refuse(struct amp_sock_server *s, int c)
{
	s->st.refused++;
	if (s->cfg.refuse_msg) /* a new socket has room for a line */
		(void)!send(c, s->cfg.refuse_msg, strlen(s->cfg.refuse_msg),
			    MSG_DONTWAIT | MSG_NOSIGNAL);
	close(c);
	g_debug("%s: refused a client: too many clients or no file descriptor left", s->path);
}

static void serve(struct amp_sock_server *s, int c)
{
	if (!admit(s, c)) {
		refuse(s, c);
		return;
	}
	s->st.accepted++;
	s->cfg.on_client(s->cfg.priv, c);
}

static bool refill_reserve(void)
{
	g_mutex_lock(&lock);
	if (reserve_fd < 0)
		reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bool ok = reserve_fd >= 0;
	g_mutex_unlock(&lock);
	return ok;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data);

/* Accept: a source of its own, or a member of cfg.group (one polled fd for many). */
static void watch_listener(struct amp_sock_server *s)
{
	if (!s->cfg.group)
		s->src = amp_sock_watch(s->cfg.context, s->fd, G_IO_IN, on_accept, s);
	else if (!s->m)
		s->m = amp_fd_group_add(s->cfg.group, s->fd, G_IO_IN, on_accept, s);
	else if (!amp_fd_member_set(s->m, G_IO_IN, on_accept))
		g_warning("%s: cannot watch the socket again: %s", s->path, g_strerror(errno));
}

/* Stop accepting for now; a group's member stays, stopped (no GLib source churn). */
static void unwatch_listener(struct amp_sock_server *s)
{
	amp_sock_unwatch(&s->src);
	if (s->m)
		amp_fd_member_set(s->m, 0, on_accept);
}

/* Watch the listener again: the next accept() tells whether a descriptor is free now. */
static gboolean on_retry(gpointer data)
{
	struct amp_sock_server *s = data;
	g_source_unref(s->retry); /* the dispatch holds its own reference */
	s->retry = NULL;
	watch_listener(s);
	return G_SOURCE_REMOVE;
}

/* Stop watching the listener (it would stay readable: a busy loop) and look again later,
 * 50 ms doubling to 1 s: no descriptor can be had until some client leaves. */
static void schedule_retry(struct amp_sock_server *s)
{
	s->st.backoffs++;
	g_debug("%s: no file descriptor left; accepting again once a client leaves", s->path);
	unwatch_listener(s);
	s->retry_ms = s->retry_ms ? MIN(s->retry_ms * 2, RETRY_MAX_MS) : RETRY_MIN_MS;
	s->retry = g_timeout_source_new(s->retry_ms);
	g_source_set_callback(s->retry, on_retry, s, NULL);
	g_source_attach(s->retry, s->cfg.context);
}

/* Take the spare descriptor; a vital server whose owner can close a client of its own
 * (the oldest idle one) gets it back that way when a vital client still holds it. */
static int take_reserve(struct amp_sock_server *s)
{
	if (!refill_reserve() && s->cfg.vital && s->cfg.on_fd_limit) {
		s->cfg.on_fd_limit(s->cfg.priv);
		refill_reserve();
	}
	g_mutex_lock(&lock);
	int spare = reserve_fd;
	reserve_fd = -1;
	g_mutex_unlock(&lock);
	return spare;
}

/* accept() found no free descriptor: spend the spare on this client, then take it back. */
static gboolean at_fd_limit(struct amp_sock_server *s)
{
	s->st.no_fd++;
	int spare = take_reserve(s);
	if (spare >= 0) {
		close(spare);
		int c = accept_one(s);
		if (c >= 0 && s->cfg.vital)
			serve(s, c); /* it keeps the spare's slot until it is done */
		else if (c >= 0)
			refuse(s, c);
	}
	if (spare >= 0 && refill_reserve()) {
		s->retry_ms = 0;
		return G_SOURCE_CONTINUE;
	}
	schedule_retry(s);
	return s->m ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE; /* a member stays, stopped */
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct amp_sock_server *s = data;
	(void)fd;
	(void)cond;
	int c = accept_one(s);
	if (c >= 0) {
		serve(s, c);
		return G_SOURCE_CONTINUE;
	}
	/* EAGAIN: nothing after all; ECONNABORTED: it left first. Neither stops the server. */
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
		return at_fd_limit(s);
	return G_SOURCE_CONTINUE;
}

/* ---- public ---------------------------------------------------------------------------- */

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
	s->clients = g_array_new(FALSE, FALSE, sizeof(struct client));
	g_mutex_lock(&lock);
	if (!servers)
		servers = g_ptr_array_new();
	g_ptr_array_add(servers, s);
	g_mutex_unlock(&lock);
	refill_reserve(); /* before the process fills up */
	watch_listener(s);
	if (cfg->group && !s->m) {
		amp_set_error_errno(err, errno, "%s: cannot watch the socket", path);
		amp_sock_server_free(s);
		return NULL;
	}
	return s;
}

void amp_sock_server_free(struct amp_sock_server *s)
{
	if (!s)
		return;
	amp_sock_unwatch(&s->src);
	amp_fd_member_remove(s->m);
	amp_sock_unwatch(&s->retry);
	close(s->fd);
	unlink(s->path);
	g_mutex_lock(&lock);
	g_ptr_array_remove(servers, s);
	if (servers->len == 0) { /* the last one: give the spare back */
		g_ptr_array_free(servers, TRUE);
		servers = NULL;
		if (reserve_fd >= 0)
			close(reserve_fd);
		reserve_fd = -1;
	}
	g_mutex_unlock(&lock);
	g_array_free(s->clients, TRUE);
	g_free(s->path);
	g_free(s);
}

const char *amp_sock_server_path(const struct amp_sock_server *s)
{
	return s->path;
}

const struct amp_sock_server_stats *amp_sock_server_stats(const struct amp_sock_server *s)
{
	return &s->st;
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
