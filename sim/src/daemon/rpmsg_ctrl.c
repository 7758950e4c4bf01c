/* RUNDIR/rpmsg_ctrl0: endpoints made on demand; the protocol is in rpmsg_ctrl.h. */
#define _GNU_SOURCE
#include "rpmsg_ctrl.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <ampsim/errno.h>
#include <ampsim/host.h>

#include "daemon.h"
#include "frontend.h"
#include "../fd_group.h"
#include "sock_server.h"

struct amp_rpmsg_ctrl {
	struct daemon *d;
	struct amp_sock_server *server;
	GPtrArray *conns; /* struct conn * */
	guint next;	  /* where the next resume starts: the first client left waiting */
	struct amp_fd_group *clients; /* d->fds: the endpoints' sockets, one fd in the poll */
};

/* One connection: waiting for its request, then the endpoint it asked for. */
struct conn {
	struct amp_rpmsg_ctrl *c;
	int fd;	   /* until the frontend takes it over */
	guint src; /* watch for the request */
	struct amp_host_ept *ept;
	struct amp_frontend *fe;
};

static void conn_free(struct conn *k)
{
	if (k->ept && k->ept->host)
		daemon_say(k->c->d, "rpmsg_ctrl0: endpoint \"%s\" 0x%x -> 0x%x destroyed\n",
			   k->ept->name, k->ept->src, k->ept->dst);
	if (k->src)
		g_source_remove(k->src);
	amp_frontend_free(k->fe); /* closes the connection: the client sees EOF */
	amp_host_ept_free(k->ept);
	if (!k->fe && k->fd >= 0)
		close(k->fd);
	g_ptr_array_remove(k->c->conns, k);
	g_free(k);
}

/* ---- the endpoint, once created ----------------------------------------------------------- */

static int ept_send(void *ctx, const void *data, size_t len)
{
	struct conn *k = ctx;
	return amp_host_ept_send(k->ept, data, len);
}

static void client_hangup(void *ctx)
{
	conn_free(ctx); /* closing the connection destroys the endpoint, as close() does */
}

static void client_rx_ready(void *ctx)
{
	struct conn *k = ctx;
	amp_host_rx_resume(k->c->d->host);
}

static void client_hold_kicks(void *ctx, bool hold)
{
	struct conn *k = ctx;
	amp_host_hold_kicks(k->c->d->host, hold);
}

static const struct amp_chan_ops conn_fe_ops = {.send = ept_send,
						.hangup = client_hangup,
						.rx_ready = client_rx_ready,
						.hold_kicks = client_hold_kicks};

static void ept_receive(void *priv, struct amp_host_ept *e, const void *data, size_t len,
			uint32_t src)
{
	struct conn *k = priv;
	(void)src;
	if (!amp_frontend_deliver(k->fe, data, len))
		amp_host_rx_defer(e->host); /* the client's queue is full: hold the firmware back */
}

static void ept_gone(void *priv, struct amp_host_ept *e, const char *why)
{
	struct conn *k = priv;
	daemon_say(k->c->d, "rpmsg_ctrl0: endpoint \"%s\" 0x%x hung up: %s\n", e->name, e->src,
		   why);
	conn_free(k);
}

static const struct amp_host_ept_ops conn_ept_ops = {.receive = ept_receive, .gone = ept_gone};

/* ---- the request ---------------------------------------------------------------------------- */

int amp_rpmsg_ctrl_create_ept(struct daemon *d, const char *via, struct amp_ctrl_ept_info *info,
			      const struct amp_host_ept_ops *ops, void *priv,
			      struct amp_host_ept **out)
{
	if (!memchr(info->name, '\0', sizeof(info->name)))
		return EINVAL; /* not a struct rpmsg_endpoint_info */
	int rc = amp_host_ept_new(d->host, info->name, info->src, info->dst, ops, priv, out);
	if (rc != AMP_OK) {
		daemon_say(d, "%s: endpoint \"%.32s\" at 0x%x refused: %s\n", via, info->name,
			   info->src, amp_strerror(rc));
		return amp_to_errno(rc);
	}
	info->src = (*out)->src;
	daemon_say(d, "%s: endpoint \"%s\" 0x%x -> 0x%x created\n", via, (*out)->name, (*out)->src,
		   (*out)->dst);
	return 0;
}

/* Create the endpoint; 0 or an errno value (the wire speaks errno, as the ioctl would). */
static int create(struct conn *k, struct amp_ctrl_ept_info *info)
{
	struct daemon *d = k->c->d;
	int rc = amp_rpmsg_ctrl_create_ept(d, AMP_CTRL_FILE, info, &conn_ept_ops, k, &k->ept);
	if (rc)
		return rc;
	g_autofree char *label =
	    g_strdup_printf("rpmsg_ctrl0 endpoint \"%s\" 0x%x", k->ept->name, k->ept->src);
	k->fe = amp_frontend_new_connected(k->fd, label, amp_host_mtu(d->host), &conn_fe_ops, k,
					   k->c->clients);
	return 0;
}

static gboolean on_request(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *k = data;
	struct amp_ctrl_reply reply = {0};
	(void)cond;
	bool eof;
	ssize_t n = amp_frontend_recv(fd, &reply.info, sizeof(reply.info), &eof);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	k->src = 0;
	if (n < 0 || eof) { /* the client left without asking */
		conn_free(k);
		return G_SOURCE_REMOVE;
	}
	if ((size_t)n != sizeof(reply.info))
		reply.status = EINVAL; /* not a struct rpmsg_endpoint_info */
	else
		reply.status = create(k, &reply.info);
	/* A new socket always has room for 44 bytes. */
	if (send(fd, &reply, sizeof(reply), MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof(reply) ||
	    reply.status)
		conn_free(k);
	return G_SOURCE_REMOVE;
}

static void on_accept(void *priv, int cfd)
{
	struct amp_rpmsg_ctrl *c = priv;
	struct conn *k = g_new0(struct conn, 1);
	k->c = c;
	k->fd = cfd;
	(void)amp_frontend_passcred(cfd); /* else an empty request reads as a hang-up */
	k->src = g_unix_fd_add(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_request, k);
	g_ptr_array_add(c->conns, k);
}

/* ---- public --------------------------------------------------------------------------------- */

struct amp_rpmsg_ctrl *amp_rpmsg_ctrl_new(struct daemon *d, const char *path, GError **err)
{
	struct amp_rpmsg_ctrl *c = g_new0(struct amp_rpmsg_ctrl, 1);
	/* The daemon's own loop: the global default context, as the frontends'. */
	c->clients = d->fds;
	/* The listener and its clients: one source in the loop, whatever their number. */
	const struct amp_sock_server_cfg cfg = {.type = SOCK_SEQPACKET,
						.backlog = 16,
						.on_client = on_accept,
						.priv = c,
						.group = c->clients};
	c->server = amp_sock_server_new(path, &cfg, err);
	if (!c->server) {
		g_free(c);
		return NULL;
	}
	c->d = d;
	c->conns = g_ptr_array_new();
	return c;
}

void amp_rpmsg_ctrl_free(struct amp_rpmsg_ctrl *c)
{
	if (!c)
		return;
	while (c->conns->len > 0)
		conn_free(c->conns->pdata[c->conns->len - 1]);
	g_ptr_array_free(c->conns, TRUE);
	amp_sock_server_free(c->server); /* removes the path */
	g_free(c);
}

void amp_rpmsg_ctrl_resume(struct amp_rpmsg_ctrl *c)
{
	/* Fair sharing of the TX buffers: resume in turn from the first client left waiting
	 * last time, and stop at the first one the buffers run out for; it goes first next
	 * time. Resuming everyone from the start each time let the first clients take every
	 * buffer, and every other client tried, failed and paused again (issue 17). */
	guint n = c ? c->conns->len : 0;
	for (guint k = 0; k < n; k++) {
		guint i = (c->next + k) % n;
		struct conn *kc = c->conns->pdata[i];
		if (kc->fe && !amp_frontend_resume(kc->fe)) {
			c->next = i;
			return;
		}
	}
}

void amp_rpmsg_ctrl_list(struct amp_rpmsg_ctrl *c, GString *out)
{
	for (guint i = 0; c && i < c->conns->len; i++) {
		struct conn *k = c->conns->pdata[i];
		if (!k->ept)
			continue;
		const struct amp_frontend_stats *s = amp_frontend_stats(k->fe);
		g_string_append_printf(
		    out,
		    "%-32s firmware 0x%-4x host 0x%-4x a connection on %s  in %" G_GUINT64_FORMAT
		    " out %" G_GUINT64_FORMAT " msgs, oversize %" G_GUINT64_FORMAT
		    ", held back %" G_GUINT64_FORMAT "\n",
		    k->ept->name, k->ept->dst, k->ept->src, amp_sock_server_path(c->server),
		    s->rx_msgs, s->tx_msgs, s->tx_oversize, s->rx_held);
	}
}
