/*
 * Frontends: SOCK_SEQPACKET (like /dev/rpmsgN) and pty (like /dev/ttyRPMSGn).
 *
 * Back-pressure both ways instead of blocking or dropping (docs/cli.md, "Flow control"):
 *  - to the firmware: a frame client's datagrams are read up to 16 at a time (recvmmsg)
 *    and sent from where they were read; when the channel has no TX buffer, the frontend
 *    keeps the ones it could not send yet, in order, and stops watching its client. The
 *    client's own socket or tty buffer then fills, so a blocking client blocks and a
 *    non-blocking one gets EAGAIN, as with the kernel devices, while the daemon's loop
 *    never blocks.
 *  - from the firmware: when the client's queue is full, amp_frontend_deliver() says so and
 *    the message stays in its RX buffer (amp_host_rx_defer()); once the client has read half
 *    of the queue, ops->rx_ready lets the host deliver again.
 * A zero-length message is a message both ways, as with rpmsg_char; a frame socket tells it
 * from the client's hang-up by SO_PASSCRED (amp_frontend_recv()).
 * A message that carries a descriptor (SCM_RIGHTS, an eventfd) is a non-blocking write
 * (`ampsim exec`'s shim, O_NONBLOCK): it is sent in its turn or dropped, never kept, and the
 * verdict (AMP_FRONTEND_NB_*) is added to that eventfd, so the writer gets EAGAIN when no TX
 * buffer is free, as rpmsg_char's rpmsg_trysendto() gives. While the client is paused, such
 * messages are answered at once (on_paused_input()).
 */
#define _GNU_SOURCE
#include "frontend.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "../fd_group.h"
#include "../fd_watch.h"
#include "frame_recv.h"
#include "sock_server.h"

/* Datagrams one recvmmsg() takes from a frame client: one system call per wake-up, up to
 * this many messages (the rest wait for the next dispatch, so one client cannot starve the
 * loop). */
#define AMP_FRONTEND_BATCH 16u
/* Messages queued for a slow client; beyond this the firmware is held back. */
#define AMP_FRONTEND_QUEUE_MAX 256u
/* ... until the client has read the queue down to this. */
#define AMP_FRONTEND_QUEUE_LOW (AMP_FRONTEND_QUEUE_MAX / 2u)

struct amp_frontend {
	enum amp_frontend_kind kind;
	char *path;
	char *device;
	size_t mtu;
	const struct amp_chan_ops *ops;
	void *ctx;

	struct amp_sock_server *server; /* seqpacket: where clients connect */
	int fd;				/* seqpacket: the client; tty: the pty master */
	int slave_fd; /* tty: kept open so the master never reads EIO between clients */
	guint in_src; /* watch for client input; while paused, for non-blocking writes */
	bool paused;  /* no TX buffer for the batch's head: input is on_paused_input */
	/* With a group (rpmsg_ctrl0's clients): the input watch is in_m, not in_src; pausing
	 * and resuming change its callback in place. */
	struct amp_fd_group *group;
	struct amp_fd_member *in_m;
	guint out_src;	  /* watch for room to write queued output */
	bool connected;	  /* made by amp_frontend_new_connected(): no path, no listener */
	bool rx_blocked;  /* deliver() refused a message: call ops->rx_ready once there is room */
	bool peer_closed; /* seqpacket: writing failed (EPIPE); still reading what it sent */
	bool warned_drop; /* seqpacket: "no client, dropping" said once per absence */
	guint hangup_src; /* connected: idle that reports the client's hangup */

	GQueue out;	/* GBytes: messages waiting for the client */
	size_t out_off; /* tty: bytes of the head already written */
	/* What the client wrote and the firmware has not taken yet: entries [bpos, bn) of batch
	 * (AMP_FRONTEND_BATCH x mtu bytes); paused for TX buffers while any are left. */
	uint8_t *batch;
	size_t blen[AMP_FRONTEND_BATCH];
	int breply[AMP_FRONTEND_BATCH]; /* a non-blocking write's eventfd; -1: a plain one */
	unsigned bpos, bn;
	/* recvmmsg()'s headers into batch, set up once: a read only resets their control
	 * lengths (275 instructions a round trip fewer than building them). */
	struct mmsghdr mm[AMP_FRONTEND_BATCH];
	struct iovec iov[AMP_FRONTEND_BATCH];
	union amp_frame_creds ctl[AMP_FRONTEND_BATCH];

	struct amp_frontend_stats st;
};

static gboolean on_input(gint fd, GIOCondition cond, gpointer data);
static gboolean on_output(gint fd, GIOCondition cond, gpointer data);
static gboolean on_paused_input(gint fd, GIOCondition cond, gpointer data);
static void answer(int reply, uint64_t verdict);

static bool watching_input(const struct amp_frontend *fe)
{
	return fe->in_src || fe->in_m;
}

static void add_input(struct amp_frontend *fe, GIOCondition cond, GUnixFDSourceFunc fn)
{
	if (!fe->group) {
		fe->in_src = amp_fd_watch_add(fe->fd, cond, fn, fe);
		return;
	}
	fe->in_m = amp_fd_group_add(fe->group, fe->fd, cond, fn, fe);
	if (!fe->in_m) /* ENOMEM: this client is not read; say so rather than hang silently */
		g_warning("%s: cannot watch the client: %s", fe->path, g_strerror(errno));
}

/* The input watch stops; @p gone: its callback returns G_SOURCE_REMOVE, which removes it. */
static void drop_input(struct amp_frontend *fe, bool gone)
{
	if (!gone && fe->in_src)
		g_source_remove(fe->in_src);
	if (!gone && fe->in_m)
		amp_fd_member_remove(fe->in_m);
	fe->in_src = 0;
	fe->in_m = NULL;
}

static void watch_input(struct amp_frontend *fe)
{
	if (!watching_input(fe) && fe->fd >= 0)
		add_input(fe, G_IO_IN | G_IO_HUP | G_IO_ERR, on_input);
}

static void unwatch(guint *src)
{
	if (*src) {
		g_source_remove(*src);
		*src = 0;
	}
}

static gboolean report_hangup(gpointer data)
{
	struct amp_frontend *fe = data;
	fe->hangup_src = 0;
	fe->ops->hangup(fe->ctx); /* may free fe */
	return G_SOURCE_REMOVE;
}

/* The client has room again: let the firmware's held message come. */
static void unblock(struct amp_frontend *fe)
{
	if (fe->rx_blocked && g_queue_get_length(&fe->out) <= AMP_FRONTEND_QUEUE_LOW) {
		fe->rx_blocked = false;
		if (fe->ops->rx_ready)
			fe->ops->rx_ready(fe->ctx);
	}
}

static void clear_queue(struct amp_frontend *fe)
{
	g_queue_clear_full(&fe->out, (GDestroyNotify)g_bytes_unref);
	fe->out_off = 0;
}

static void drop_client(struct amp_frontend *fe)
{
	if (fe->fd >= 0 && fe->kind == AMP_FRONTEND_SEQPACKET)
		g_debug("%s: client gone", fe->path);
	drop_input(fe, false);
	unwatch(&fe->out_src);
	if (fe->fd >= 0)
		close(fe->fd);
	fe->fd = -1;
	for (unsigned i = fe->bpos; i < fe->bn; i++)
		if (fe->breply[i] >= 0)
			answer(fe->breply[i], AMP_FRONTEND_NB_FAILED);
	fe->bpos = fe->bn = 0;
	fe->paused = false;
	fe->peer_closed = false;
	/* What was queued for this client is not for the next one (rpmsg_char's release). */
	clear_queue(fe);
	unblock(fe);
	/* Deferred: we may be inside a receive callback or our own watch here. */
	if (fe->connected && fe->ops->hangup && !fe->hangup_src)
		fe->hangup_src = g_idle_add(report_hangup, fe);
}

/* Send one message from the batch; false if the channel has no TX buffer now. */
static bool send_one(struct amp_frontend *fe, const uint8_t *data, size_t len)
{
	int rc = fe->ops->send(fe->ctx, data, len);
	if (rc == AMP_ENOMEM)
		return false;
	if (rc == 0) {
		fe->st.tx_msgs++;
		fe->st.tx_bytes += len;
		return true;
	}
	fe->st.tx_errors++;
	if (fe->kind == AMP_FRONTEND_SEQPACKET) {
		/* Not silently: the client sees the hang-up, as a write would fail on Linux. */
		g_warning("%s: send to firmware failed: %s; hanging up the client", fe->path,
			  amp_strerror(rc));
		drop_client(fe); /* empties the batch */
	} else {
		g_warning("%s: send to firmware failed: %s; %zu bytes lost", fe->path,
			  amp_strerror(rc), len);
	}
	return true;
}

/*
 * Is @p fd an eventfd? The client chose it: anything else (a full pipe...) could block us.
 * Every anonymous-inode descriptor shares one inode, and of them only an eventfd takes an
 * 8-byte write (epoll, timerfd, signalfd, inotify have no write), so comparing with our
 * own eventfd's is enough, and far cheaper than asking /proc on every blocking write.
 */
static bool is_eventfd(int fd)
{
	static gsize once;
	static dev_t anon_dev;
	static ino_t anon_ino;
	struct stat st;
	if (g_once_init_enter(&once)) {
		int e = eventfd(0, EFD_CLOEXEC);
		if (e >= 0 && fstat(e, &st) == 0) {
			anon_dev = st.st_dev;
			anon_ino = st.st_ino;
		}
		if (e >= 0)
			close(e);
		g_once_init_leave(&once, 1);
	}
	return anon_ino && fstat(fd, &st) == 0 && st.st_ino == anon_ino && st.st_dev == anon_dev;
}

/* Tell a non-blocking writer what became of its message, and let go of its eventfd. */
static void answer(int reply, uint64_t verdict)
{
	/* Non-blocking: a counter the client filled to the brim must not stop the loop. */
	if (!is_eventfd(reply) || fcntl(reply, F_SETFL, O_NONBLOCK) != 0)
		g_debug(
		    "a non-blocking write came with a descriptor that is no eventfd; no verdict");
	else if (write(reply, &verdict, sizeof(verdict)) != (ssize_t)sizeof(verdict))
		g_debug("a non-blocking writer's eventfd refused the verdict: %s",
			g_strerror(errno));
	close(reply);
}

/* Batch entry @p i, a non-blocking write: sent now, or dropped with EAGAIN for the writer
 * (rpmsg_trysendto); never waits. */
static void send_nonblocking(struct amp_frontend *fe, unsigned i)
{
	int reply = fe->breply[i];
	fe->breply[i] = -1;
	size_t len = fe->blen[i];
	int rc = fe->ops->send(fe->ctx, fe->batch + (size_t)i * fe->mtu, len);
	if (rc == 0) {
		fe->st.tx_msgs++;
		fe->st.tx_bytes += len;
		answer(reply, AMP_FRONTEND_NB_SENT);
	} else if (rc == AMP_ENOMEM) {
		fe->st.tx_eagain++;
		answer(reply, AMP_FRONTEND_NB_AGAIN);
	} else {
		fe->st.tx_errors++;
		answer(reply, AMP_FRONTEND_NB_FAILED);
		g_warning("%s: send to firmware failed: %s; hanging up the client", fe->path,
			  amp_strerror(rc));
		drop_client(fe);
	}
}

/* Send what is left of the batch, straight from where it was read (no copy before the TX
 * buffer's); true when nothing is left. */
static bool flush_pending(struct amp_frontend *fe)
{
	bool all = true;
	if (fe->ops->hold_kicks)
		fe->ops->hold_kicks(fe->ctx, true);
	while (fe->bpos < fe->bn) {
		unsigned i = fe->bpos;
		if (fe->breply[i] >= 0)
			send_nonblocking(fe, i);
		else if (!send_one(fe, fe->batch + (size_t)i * fe->mtu, fe->blen[i])) {
			all = false;
			break;
		}
		if (fe->bn > 0)
			fe->bpos++; /* else the client was dropped with its batch */
	}
	if (all)
		fe->bpos = fe->bn = 0;
	if (fe->ops->hold_kicks)
		fe->ops->hold_kicks(fe->ctx, false);
	return all;
}

/* The head of the batch waits for a TX buffer: the non-blocking writes behind it cannot be
 * sent now, so their writers get EAGAIN at once, as later ones will (on_paused_input). */
static void refuse_nonblocking(struct amp_frontend *fe)
{
	unsigned kept = fe->bpos + 1;
	for (unsigned i = fe->bpos + 1; i < fe->bn; i++) {
		if (fe->breply[i] >= 0) {
			fe->st.tx_eagain++;
			answer(fe->breply[i], AMP_FRONTEND_NB_AGAIN);
			continue;
		}
		if (kept != i)
			memmove(fe->batch + (size_t)kept * fe->mtu, fe->batch + (size_t)i * fe->mtu,
				fe->blen[i]);
		fe->blen[kept] = fe->blen[i];
		fe->breply[kept++] = -1;
	}
	fe->bn = kept;
}

static void send_or_pause(struct amp_frontend *fe)
{
	if (flush_pending(fe))
		return;
	fe->st.tx_stalls++;
	g_debug("%s: no TX buffer; client paused", fe->path);
	refuse_nonblocking(fe);
	/* Resumed by amp_frontend_resume(). In a group the watch only changes its callback. */
	if (fe->in_m && fe->kind == AMP_FRONTEND_SEQPACKET && fe->fd >= 0 &&
	    amp_fd_member_set(fe->in_m, G_IO_IN, on_paused_input)) {
		fe->paused = true;
		return;
	}
	drop_input(fe, false);
	if (fe->kind == AMP_FRONTEND_SEQPACKET && fe->fd >= 0) {
		fe->paused = true;
		add_input(fe, G_IO_IN, on_paused_input);
	}
}

/*
 * Paused: a non-blocking write at the head of the socket is answered EAGAIN at once; a plain
 * one waits for a TX buffer, and nothing behind it is looked at until then (the shim does not
 * send a non-blocking write behind a message the daemon has not taken: SIOCOUTQ).
 */
static gboolean on_paused_input(gint fd, GIOCondition cond, gpointer data)
{
	struct amp_frontend *fe = data;
	bool eof;
	int reply = -1;
	(void)fd;
	ssize_t n = (cond & G_IO_IN) ? amp_frame_recv(fe->fd, NULL, 0, &eof, &reply, MSG_PEEK) : -1;
	if (n < 0 && (cond & G_IO_IN) && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n < 0 || reply < 0) {
		/* A plain message first, or a hang-up: seen once resumed. In a group the member
		 * stays, out of the epoll set, for the resume to put back. */
		if (fe->in_m && amp_fd_member_set(fe->in_m, 0, on_paused_input))
			return G_SOURCE_CONTINUE;
		drop_input(fe, true);
		return G_SOURCE_REMOVE;
	}
	close(reply); /* peeking installed a copy of it */
	n = amp_frame_recv(fe->fd, NULL, 0, &eof, &reply, MSG_TRUNC); /* dropped: its size only */
	if (reply >= 0) {
		fe->st.tx_eagain++;
		answer(reply,
		       n > (ssize_t)fe->mtu ? AMP_FRONTEND_NB_TOOBIG : AMP_FRONTEND_NB_AGAIN);
	}
	return G_SOURCE_CONTINUE;
}

/* Keep datagram @p i of a recvmmsg() in the batch; false at the client's hang-up. */
static bool keep_datagram(struct amp_frontend *fe, struct mmsghdr *mm, unsigned i)
{
	size_t n = mm[i].msg_len;
	int reply = -1;
	bool creds = amp_frame_had_creds(&mm[i].msg_hdr, &reply);
	if (n == 0 && !creds && reply < 0) /* orderly shutdown; an empty message is not one */
		return false;
	if (n > fe->mtu) { /* MSG_TRUNC: msg_len is the datagram's real size */
		fe->st.tx_oversize++;
		g_warning("%s: a %zu-byte message exceeds the channel MTU of %zu bytes; rejected "
			  "(never truncated)",
			  fe->path, n, fe->mtu);
		if (reply >= 0)
			answer(reply, AMP_FRONTEND_NB_TOOBIG);
		return true;
	}
	if (fe->bn != i) /* compact over a rejected one */
		memmove(fe->batch + (size_t)fe->bn * fe->mtu, fe->batch + (size_t)i * fe->mtu, n);
	fe->breply[fe->bn] = reply;
	fe->blen[fe->bn++] = n;
	return true;
}

/*
 * A client that closes with messages of ours unread makes the kernel report ECONNRESET once,
 * before the messages it wrote, which are still queued and come with the next read: Linux's
 * rpmsg_char sent each of them in its write(), so they are not dropped here either.
 */
static bool reset(struct amp_frontend *fe)
{
	if (errno != ECONNRESET)
		return false;
	fe->peer_closed = true; /* nothing more can be written to it */
	return true;
}

/* Up to AMP_FRONTEND_BATCH datagrams in one system call. */
static int recv_batch(struct amp_frontend *fe)
{
	for (unsigned i = 0; i < AMP_FRONTEND_BATCH; i++)
		fe->mm[i].msg_hdr.msg_controllen = sizeof(fe->ctl[i].b); /* the kernel's to set */
	return recvmmsg(fe->fd, fe->mm, AMP_FRONTEND_BATCH,
			MSG_TRUNC | MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);
}

static void read_seqpacket(struct amp_frontend *fe)
{
	int got = recv_batch(fe);
	if (got < 0 && reset(fe))
		got = recv_batch(fe);
	if (got < 0) {
		if (errno != EAGAIN && errno != EINTR)
			drop_client(fe);
		return;
	}
	bool eof = got == 0;
	fe->bpos = fe->bn = 0;
	for (unsigned i = 0; i < (unsigned)got && !eof; i++)
		eof = !keep_datagram(fe, fe->mm, i);
	send_or_pause(fe);
	/* A hang-up after what it wrote before: once that has gone (else the read after the
	 * resume sees the hang-up again, as a SEQPACKET socket reads EOF for ever). */
	if (eof && fe->bn == 0 && fe->fd >= 0)
		drop_client(fe);
}

static void read_tty(struct amp_frontend *fe)
{
	/* A byte stream: each read of up to one MTU becomes one message, as rpmsg_tty does. */
	ssize_t n = read(fe->fd, fe->batch, fe->mtu);
	if (n > 0) {
		fe->blen[0] = (size_t)n;
		fe->breply[0] = -1;
		fe->bpos = 0;
		fe->bn = 1;
		send_or_pause(fe);
	}
}

static gboolean on_input(gint fd, GIOCondition cond, gpointer data)
{
	struct amp_frontend *fe = data;
	(void)fd;
	if (fe->kind == AMP_FRONTEND_SEQPACKET) {
		if (cond & G_IO_IN)
			read_seqpacket(fe);
		else
			drop_client(fe);
		if (fe->fd < 0)
			return G_SOURCE_REMOVE; /* its input watch already dropped */
	} else if (cond & G_IO_IN) {
		read_tty(fe);
	}
	return watching_input(fe) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Write queued output; true when the queue is empty. */
static bool write_queue(struct amp_frontend *fe)
{
	GBytes *b;
	while ((b = g_queue_peek_head(&fe->out))) {
		gsize len;
		const uint8_t *p = g_bytes_get_data(b, &len);
		ssize_t n;
		if (fe->kind == AMP_FRONTEND_SEQPACKET)
			n = send(fe->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			n = write(fe->fd, p + fe->out_off, len - fe->out_off);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return false;
			if (fe->kind == AMP_FRONTEND_SEQPACKET) {
				/* EPIPE: it closed; what it wrote before is still read and sent. */
				fe->peer_closed = true;
				clear_queue(fe);
				unblock(fe);
				return true;
			}
			return false;
		}
		if (fe->kind == AMP_FRONTEND_TTY && fe->out_off + (size_t)n < len) {
			fe->out_off += (size_t)n;
			continue;
		}
		fe->out_off = 0;
		g_bytes_unref(g_queue_pop_head(&fe->out));
		unblock(fe);
	}
	return true;
}

static gboolean on_output(gint fd, GIOCondition cond, gpointer data)
{
	struct amp_frontend *fe = data;
	(void)fd;
	(void)cond;
	if (write_queue(fe) || fe->fd < 0) {
		fe->out_src = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void watch_output(struct amp_frontend *fe)
{
	if (!fe->out_src && fe->fd >= 0)
		fe->out_src = amp_fd_watch_add(fe->fd, G_IO_OUT, on_output, fe);
}

static void kick_output(struct amp_frontend *fe)
{
	if (fe->fd < 0 || fe->out_src)
		return;
	if (!write_queue(fe))
		watch_output(fe);
}

/* Nothing queued: write straight from the firmware's RX buffer, without copying it first.
 * True when it is all written (or gone: the peer closed); @p done says how much went. */
static bool write_direct(struct amp_frontend *fe, const uint8_t *data, size_t len, size_t *done)
{
	*done = 0;
	if (fe->kind == AMP_FRONTEND_SEQPACKET) {
		ssize_t n = send(fe->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EPIPE)
			fe->peer_closed = true; /* as write_queue(): what it wrote is still read */
		return n >= 0 || errno == EPIPE;
	}
	ssize_t n = write(fe->fd, data, len);
	*done = n > 0 ? (size_t)n : 0;
	return *done == len;
}

bool amp_frontend_deliver(struct amp_frontend *fe, const void *data, size_t len)
{
	if (fe->kind == AMP_FRONTEND_SEQPACKET && (fe->fd < 0 || fe->peer_closed)) {
		/* No open file, no endpoint to queue for: as rpmsg_char, nobody gets it. */
		fe->st.rx_msgs++;
		fe->st.rx_bytes += len;
		fe->st.rx_dropped++;
		if (!fe->warned_drop)
			g_message("%s: no client; messages from the firmware are dropped until one "
				  "connects (counted in 'ampsim ctl endpoints')",
				  fe->path);
		fe->warned_drop = true;
		return true;
	}
	if (g_queue_get_length(&fe->out) >= AMP_FRONTEND_QUEUE_MAX) {
		if (!fe->rx_blocked)
			fe->st.rx_held++;
		fe->rx_blocked = true; /* the message stays with the firmware */
		return false;
	}
	fe->st.rx_msgs++;
	fe->st.rx_bytes += len;
	if (fe->fd >= 0 && !fe->out_src && g_queue_is_empty(&fe->out)) {
		size_t done;
		if (write_direct(fe, data, len, &done))
			return true;
		/* The client's buffer is full: keep the rest, write it when there is room. */
		g_queue_push_tail(&fe->out, g_bytes_new((const uint8_t *)data + done, len - done));
		watch_output(fe);
		return true;
	}
	g_queue_push_tail(&fe->out, g_bytes_new(data, len));
	kick_output(fe);
	return true;
}

bool amp_frontend_resume(struct amp_frontend *fe)
{
	if (fe->fd < 0)
		return true;
	if (!flush_pending(fe))
		return false;
	bool was = fe->paused;
	fe->paused = false;
	if (was && fe->in_m && amp_fd_member_set(fe->in_m, G_IO_IN | G_IO_HUP | G_IO_ERR, on_input))
		return true; /* in a group: the same member, its callback changed back */
	if (was)
		drop_input(fe, false); /* on_paused_input's watch, if still there */
	watch_input(fe);
	return true;
}

static bool client_gone(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static void on_accept(void *priv, int c)
{
	struct amp_frontend *fe = priv;
	if (fe->fd >= 0 && client_gone(fe->fd))
		drop_client(fe); /* its hangup was still queued behind this connection */
	if (fe->fd >= 0) {
		/* One owner at a time, as a second open of /dev/rpmsgN fails with EBUSY. */
		fe->st.busy++;
		g_message("%s: refused a second client (the channel is already open)", fe->path);
		close(c);
		return;
	}
	if (!amp_frontend_passcred(c)) {
		g_warning("%s: refused a client: SO_PASSCRED: %s", fe->path, g_strerror(errno));
		close(c);
		return;
	}
	fe->fd = c;
	fe->warned_drop = false;
	fe->st.clients++;
	g_debug("%s: client connected", fe->path);
	if (fe->ops->connected)
		fe->ops->connected(fe->ctx);
	watch_input(fe);
	kick_output(fe);
}

static bool open_seqpacket(struct amp_frontend *fe, struct amp_fd_group *group, GError **err)
{
	/* The daemon's own loop: the global default context. The listener in @p group; the
	 * client keeps a watch of its own (in a group it would cost an epoll_wait() per wake). */
	const struct amp_sock_server_cfg cfg = {.type = SOCK_SEQPACKET,
						.backlog = 16,
						.on_client = on_accept,
						.priv = fe,
						.group = group};
	fe->server = amp_sock_server_new(fe->path, &cfg, err);
	if (!fe->server)
		return false;
	fe->device = g_strdup(fe->path);
	return true;
}

static bool open_tty(struct amp_frontend *fe, GError **err)
{
	const char *what = "posix_openpt";
	fe->fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fe->fd < 0)
		goto fail;
	what = "grantpt/unlockpt";
	if (grantpt(fe->fd) < 0 || unlockpt(fe->fd) < 0)
		goto fail;
	what = "ptsname";
	char name[64];
	if (ptsname_r(fe->fd, name, sizeof(name)) != 0)
		goto fail;
	what = "open pty slave";
	fe->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fe->slave_fd < 0)
		goto fail;
	/* grantpt() leaves it 0620 for `write`; like the sockets, the user's alone. */
	what = "fchmod pty slave";
	if (fchmod(fe->slave_fd, S_IRUSR | S_IWUSR) < 0)
		goto fail;
	/* Raw, as rpmsg_tty's default termios: no echo, no line editing, no output processing. */
	struct termios t;
	what = "tcsetattr";
	if (tcgetattr(fe->slave_fd, &t) < 0)
		goto fail;
	cfmakeraw(&t);
	if (tcsetattr(fe->slave_fd, TCSANOW, &t) < 0)
		goto fail;
	what = "symlink";
	if (symlink(name, fe->path) < 0)
		goto fail;
	fe->device = g_strdup(name);
	watch_input(fe);
	return true;
fail:
	amp_set_error_errno(err, errno, "%s: %s failed", fe->path, what);
	return false;
}

static struct amp_frontend *alloc(enum amp_frontend_kind kind, const char *path, size_t mtu,
				  const struct amp_chan_ops *ops, void *ctx)
{
	struct amp_frontend *fe = g_new0(struct amp_frontend, 1);
	fe->kind = kind;
	fe->path = g_strdup(path);
	fe->mtu = mtu;
	fe->ops = ops;
	fe->ctx = ctx;
	fe->fd = fe->slave_fd = -1;
	fe->batch = g_malloc((size_t)mtu * AMP_FRONTEND_BATCH);
	for (unsigned i = 0; i < AMP_FRONTEND_BATCH; i++) {
		fe->iov[i] =
		    (struct iovec){.iov_base = fe->batch + (size_t)i * mtu, .iov_len = mtu};
		fe->mm[i].msg_hdr = (struct msghdr){
		    .msg_iov = &fe->iov[i], .msg_iovlen = 1, .msg_control = fe->ctl[i].b};
	}
	g_queue_init(&fe->out);
	return fe;
}

struct amp_frontend *amp_frontend_new(enum amp_frontend_kind kind, const char *path, size_t mtu,
				      const struct amp_chan_ops *ops, void *ctx,
				      struct amp_fd_group *group, GError **err)
{
	struct amp_frontend *fe = alloc(kind, path, mtu, ops, ctx);
	bool ok =
	    kind == AMP_FRONTEND_SEQPACKET ? open_seqpacket(fe, group, err) : open_tty(fe, err);
	if (!ok) {
		amp_frontend_free(fe);
		return NULL;
	}
	return fe;
}

struct amp_frontend *amp_frontend_new_connected(int fd, const char *label, size_t mtu,
						const struct amp_chan_ops *ops, void *ctx,
						struct amp_fd_group *group)
{
	struct amp_frontend *fe = alloc(AMP_FRONTEND_SEQPACKET, label, mtu, ops, ctx);
	fe->connected = true;
	fe->group = group;
	fe->device = g_strdup(label);
	fe->fd = fd;
	if (!amp_frontend_passcred(fd))
		g_warning("%s: SO_PASSCRED: %s; an empty message will read as a hang-up", label,
			  g_strerror(errno));
	fe->st.clients = 1;
	watch_input(fe);
	return fe;
}

void amp_frontend_free(struct amp_frontend *fe)
{
	if (!fe)
		return;
	fe->rx_blocked = false; /* the host resumes by itself when the receiver goes */
	drop_client(fe); /* the client sees EOF / EPIPE (tty: hangup when the master closes) */
	unwatch(&fe->hangup_src);
	amp_sock_server_free(fe->server); /* removes the path */
	if (fe->slave_fd >= 0)
		close(fe->slave_fd);
	if (fe->kind == AMP_FRONTEND_TTY && fe->device)
		unlink(fe->path);
	g_queue_clear_full(&fe->out, (GDestroyNotify)g_bytes_unref);
	g_free(fe->batch);
	g_free(fe->device);
	g_free(fe->path);
	g_free(fe);
}

const char *amp_frontend_path(const struct amp_frontend *fe)
{
	return fe->path;
}

const char *amp_frontend_device(const struct amp_frontend *fe)
{
	return fe->device;
}

size_t amp_frontend_queued(const struct amp_frontend *fe, bool *writing)
{
	*writing = fe->out_src != 0;
	return g_queue_get_length((GQueue *)&fe->out);
}

const struct amp_frontend_stats *amp_frontend_stats(const struct amp_frontend *fe)
{
	return &fe->st;
}

size_t amp_frontend_mtu(const struct amp_frontend *fe)
{
	return fe->mtu;
}

bool amp_frontend_has_client(const struct amp_frontend *fe)
{
	return fe->kind == AMP_FRONTEND_TTY || fe->fd >= 0;
}
