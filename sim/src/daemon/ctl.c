#define _GNU_SOURCE
#include "ctl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#include <ampsim/error.h>

#include "sock_server.h"
#include "text.h"

#define CTL_LINE_MAX 256	 /* a request line, its newline included */
#define CTL_DRAIN_MAX (1u << 20) /* bytes read and dropped after a too-long request */
/* Connections whose request line has not come yet: a new one closes the oldest beyond this,
 * so idle connections can never keep `ampsim ctl` out. */
#define CTL_MAX_WAITING 8u

struct amp_ctl_server {
	struct amp_sock_server *server;
	amp_ctl_handler handler;
	void *ctx;
	struct ctl_conn *current; /* the request being handled */
	GList *pending;		  /* struct ctl_conn *: answers deferred by the handler */
	GQueue waiting;		  /* struct ctl_conn *: no request yet, oldest first */
};

struct ctl_conn {
	struct amp_ctl_server *s;
	int fd;
	GString *line;
	bool deferred;
	size_t drained; /* after a too-long request: bytes dropped while the client finishes */
	guint src;	/* while waiting for the request */
};

static gboolean fill_addr(struct sockaddr_un *sa, const char *path, GError **err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		amp_set_error(err, AMP_EINVAL,
			      "socket path %s is too long; use a shorter run directory", path);
		return FALSE;
	}
	strcpy(sa->sun_path, path);
	return TRUE;
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* the client left or stalled past SO_SNDTIMEO */
		p += n;
		len -= (size_t)n;
	}
}

static void reply(int fd, gboolean ok, const char *text, size_t len)
{
	const char *head = ok ? "ok\n" : "error: ";
	/* Answers carry the firmware's text (trace, channel names): escaped, for a terminal. */
	g_autofree char *safe = amp_text_escaped(text, (gssize)len);
	write_all(fd, head, strlen(head));
	write_all(fd, safe, strlen(safe));
}

static void answer(struct ctl_conn *c)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_strstrip(c->line->str);
	c->s->current = c;
	gboolean ok = c->s->handler(c->s->ctx, c->line->str, out);
	c->s->current = NULL;
	if (!c->deferred)
		reply(c->fd, ok, out->str, out->len);
}

static void conn_free(struct ctl_conn *c)
{
	close(c->fd);
	g_string_free(c->line, TRUE);
	g_free(c);
}

struct amp_ctl_pending *amp_ctl_defer(struct amp_ctl_server *s)
{
	struct ctl_conn *c = s->current;
	g_return_val_if_fail(c != NULL, NULL);
	c->deferred = true;
	s->pending = g_list_prepend(s->pending, c);
	return (struct amp_ctl_pending *)c;
}

void amp_ctl_finish(struct amp_ctl_pending *p, gboolean ok, const char *text)
{
	struct ctl_conn *c = (struct ctl_conn *)p;
	c->s->pending = g_list_remove(c->s->pending, c);
	reply(c->fd, ok, text, strlen(text));
	conn_free(c);
}

/*
 * After the error reply to a too-long request: read and drop what the client still sends
 * until it closes. Closing a socket with unread data would reset it, and the client would
 * see ECONNRESET instead of the reply. Bounded: a client that keeps sending is cut off.
 */
static gboolean drain(struct ctl_conn *c, ssize_t n)
{
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n > 0 && (c->drained += (size_t)n) <= CTL_DRAIN_MAX)
		return G_SOURCE_CONTINUE;
	g_queue_remove(&c->s->waiting, c); /* it stays there while draining: still capped */
	conn_free(c);
	return G_SOURCE_REMOVE;
}

static gboolean too_long(struct ctl_conn *c)
{
	static const char msg[] = "error: request longer than 255 bytes; the requests are "
				  "status, start, stop, endpoints, stats, trace and fault\n";
	write_all(c->fd, msg, sizeof(msg) - 1);
	shutdown(c->fd, SHUT_WR); /* the client reads the reply, then EOF */
	c->drained = 1;
	return G_SOURCE_CONTINUE;
}

static gboolean on_conn(gint fd, GIOCondition cond, gpointer data)
{
	struct ctl_conn *c = data;
	char buf[CTL_LINE_MAX];
	ssize_t n = (cond & G_IO_IN) ? recv(fd, buf, sizeof(buf), MSG_DONTWAIT) : 0;
	if (c->drained)
		return drain(c, n);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n > 0)
		g_string_append_len(c->line, buf, n);
	char *nl = memchr(c->line->str, '\n', c->line->len);
	if (nl && nl - c->line->str >= CTL_LINE_MAX)
		nl = NULL; /* found, but past the limit */
	if (!nl && c->line->len >= CTL_LINE_MAX)
		return too_long(c);
	if (n > 0 && !nl)
		return G_SOURCE_CONTINUE;
	g_queue_remove(&c->s->waiting, c);
	c->src = 0;
	if (nl) {
		*nl = '\0';
		c->line->len = (gsize)(nl - c->line->str);
		answer(c);
	}
	if (!c->deferred) /* else amp_ctl_finish() closes it */
		conn_free(c);
	return G_SOURCE_REMOVE;
}

/* A connection still waiting for its request, already out of `waiting`. */
static void drop_waiting(struct ctl_conn *c, const char *why)
{
	g_source_remove(c->src);
	(void)!send(c->fd, why, strlen(why), MSG_DONTWAIT | MSG_NOSIGNAL);
	conn_free(c);
}

/* No descriptor is free: the oldest connection without a request gives its own up. */
static void on_fd_limit(void *priv)
{
	struct amp_ctl_server *s = priv;
	if (!g_queue_is_empty(&s->waiting))
		drop_waiting(g_queue_pop_head(&s->waiting), "error: closed: the run has no file "
							    "descriptor left\n");
}

static void on_accept(void *priv, int c)
{
	/* A reply (e.g. a trace dump) is written blocking; a client that stops reading
	 * must not stall the daemon for more than a second. */
	struct timeval tv = {.tv_sec = 1};
	setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	struct amp_ctl_server *s = priv;
	if (g_queue_get_length(&s->waiting) >= CTL_MAX_WAITING)
		drop_waiting(g_queue_pop_head(&s->waiting), "error: closed: too many control "
							    "connections without a request\n");
	struct ctl_conn *conn = g_new0(struct ctl_conn, 1);
	conn->s = s;
	conn->fd = c;
	conn->line = g_string_new(NULL);
	conn->src = g_unix_fd_add(c, G_IO_IN | G_IO_HUP | G_IO_ERR, on_conn, conn);
	g_queue_push_tail(&s->waiting, conn);
}

struct amp_ctl_server *amp_ctl_server_new(const char *path, amp_ctl_handler handler, void *ctx,
					  struct amp_fd_group *group, GError **err)
{
	struct amp_ctl_server *s = g_new0(struct amp_ctl_server, 1);
	/* A byte stream, blocking clients (see on_accept), on the daemon's default context. */
	/* Vital: at the fd limit it is served with the spare descriptor (sock_server.h). */
	const struct amp_sock_server_cfg cfg = {
	    .type = SOCK_STREAM,
	    .backlog = 8,
	    .blocking_clients = true,
	    .on_client = on_accept,
	    .priv = s,
	    .vital = true,
	    .group = group,
	    .on_fd_limit = on_fd_limit,
	    .refuse_msg = "error: too many connections to the control socket; close some\n"};
	s->server = amp_sock_server_new(path, &cfg, err);
	if (!s->server) {
		g_prefix_error(err, "control socket: ");
		g_free(s);
		return NULL;
	}
	s->handler = handler;
	s->ctx = ctx;
	return s;
}

void amp_ctl_server_free(struct amp_ctl_server *s)
{
	if (!s)
		return;
	while (s->pending)
		amp_ctl_finish(s->pending->data, FALSE, "the run is ending\n");
	while (!g_queue_is_empty(&s->waiting))
		drop_waiting(g_queue_pop_head(&s->waiting), "error: the run is ending\n");
	amp_sock_server_free(s->server); /* removes the path */
	g_free(s);
}

int amp_ctl_request(const char *path, const char *cmd, GString *reply, gboolean *ok, GError **err)
{
	return amp_ctl_request_within(path, cmd, reply, ok, 0, err);
}

int amp_ctl_request_within(const char *path, const char *cmd, GString *reply, gboolean *ok, int ms,
			   GError **err)
{
	struct sockaddr_un sa;
	if (!fill_addr(&sa, path, err))
		return AMP_EINVAL;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	if (fd >= 0 && ms > 0) { /* a run that is stopped (SIGSTOP, a debugger) answers nothing */
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		amp_set_error(err, amp_from_errno(e),
			      "no ampsim run answers at %s (%s); is 'ampsim run' running with this "
			      "run directory?",
			      path, g_strerror(e));
		if (fd >= 0)
			close(fd);
		return amp_from_errno(e);
	}
	g_autofree char *line = g_strdup_printf("%s\n", cmd);
	write_all(fd, line, strlen(line));
	GString *all = g_string_new(NULL);
	char buf[4096];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			g_string_append_len(all, buf, n);
	close(fd);
	int rc = AMP_OK;
	if (g_str_has_prefix(all->str, "ok\n") || g_str_has_prefix(all->str, "error: ")) {
		*ok = all->str[0] == 'o';
		g_string_append(reply, all->str + (*ok ? 3 : 7));
	} else {
		/* Nothing: it hung up (stopping?); anything else is not this protocol. */
		rc = all->len ? AMP_EPROTO : AMP_ENOTCONN;
		amp_set_error(err, rc, "the run at %s closed the connection without an answer",
			      path);
	}
	g_string_free(all, TRUE);
	return rc;
}
