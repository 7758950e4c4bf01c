/*
 * /dev/rpmsg<m> under `ampsim run --cuse`: the devices RPMSG_CREATE_EPT_IOCTL and
 * RPMSG_CREATE_DEV_IOCTL make, answering as Linux 6.1's rpmsg_char (rpmsg_eptdev_*): the
 * endpoint lives from open to release (amp_rpmsg_ctrl_create_ept(), as RUNDIR/rpmsg_ctrl0's),
 * one message per read and write, EMSGSIZE over the MTU, O_NONBLOCK EAGAIN, poll, EPIPE
 * once the endpoint is gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <amp/error.h>
#include <ampsim/host.h>

#include "../daemon/daemon.h"
#include "../daemon/rundir.h"
#include "cuse_internal.h"

#define EPT_MAX_MINOR 256 /* rpmsg_char's RPMSG_DEV_MAX */
#define EPT_RX_MAX 64	  /* messages queued per device before the firmware is held back */

struct eptdev {
	struct amp_cuse *c;
	unsigned minor;
	struct amp_ctrl_ept_info info; /* as the ioctl gave it */
	bool channel;		       /* RPMSG_CREATE_DEV_IOCTL's: never destroyed by its fd */
	struct cuse_dev *dev;
	fuse_req_t create_req; /* the ioctl, answered once the device exists */
	int opens;
	bool destroyed;		  /* the device is gone: EPIPE, freed at the last release */
	struct amp_host_ept *ept; /* from open to release, while the firmware runs */
	GQueue rx;		  /* GBytes *: messages from the firmware */
	bool held;		  /* we hold the firmware back (amp_host_rx_defer()) */
	GQueue reads;		  /* struct waiter *: blocking reads */
	GQueue writes;		  /* struct waiter *: blocking writes without a TX buffer */
	struct fuse_pollhandle *ph;
	guint64 rx_msgs, tx_msgs, tx_eagain;
};

struct waiter {
	GQueue *q;   /* where it waits: e->reads or e->writes */
	guint watch; /* after an interrupt for a signal not caught: looking for one caught */
	fuse_req_t req;
	size_t len; /* a read's size, a write's length */
	char data[];
};

static char *dev_name(const struct eptdev *e)
{
	return g_strdup_printf("rpmsg%u", e->minor);
}

static bool alive(const struct eptdev *e)
{
	return !e->destroyed && e->ept && e->ept->host;
}

static void notify_poll(struct eptdev *e)
{
	if (!e->ph)
		return;
	fuse_lowlevel_notify_poll(e->ph);
	fuse_pollhandle_destroy(e->ph);
	e->ph = NULL;
}

static void waiter_free(struct waiter *w)
{
	if (w->watch)
		g_source_remove(w->watch);
	g_free(w);
}

static void fail_waiters(GQueue *q, int err)
{
	struct waiter *w;
	while ((w = g_queue_pop_head(q))) {
		fuse_reply_err(w->req, err);
		waiter_free(w);
	}
}

/* The endpoint goes (release, destroy, the firmware's end): waiters fail with EPIPE. */
static void ept_close(struct eptdev *e)
{
	struct amp_host *h = e->ept ? e->ept->host : NULL;
	if (e->ept)
		amp_host_ept_free(e->ept);
	e->ept = NULL;
	g_queue_clear_full(&e->rx, (GDestroyNotify)g_bytes_unref);
	fail_waiters(&e->reads, EPIPE);
	fail_waiters(&e->writes, EPIPE);
	if (e->held && h)
		amp_host_rx_resume(h); /* the held message was ours: dropped now */
	e->held = false;
	notify_poll(e);
}

static void ept_free(struct eptdev *e)
{
	ept_close(e);
	if (e->create_req)
		fuse_reply_err(e->create_req, ENODEV);
	if (e->ph)
		fuse_pollhandle_destroy(e->ph);
	cuse_dev_stop(e->dev);
	g_ptr_array_remove(e->c->epts, e);
	g_free(e);
}

/* rpmsg_eptdev_destroy(): the node goes now, open files read and write EPIPE. */
static void ept_destroy(struct eptdev *e)
{
	if (!e->destroyed) {
		g_autofree char *name = dev_name(e);
		daemon_say(e->c->d, "/dev/%s removed\n", name);
		cuse_dev_unlink(name);
	}
	e->destroyed = true;
	ept_close(e);
	if (e->opens == 0)
		ept_free(e);
}

/* ---- the firmware's side ----------------------------------------------------------------------
 */

static void reply_msg(fuse_req_t req, size_t size, const void *data, size_t len)
{
	fuse_reply_buf(req, data, MIN(size, len)); /* rpmsg_eptdev_read_iter: the rest is lost */
}

static void ept_receive(void *priv, struct amp_host_ept *he, const void *data, size_t len,
			uint32_t src)
{
	struct eptdev *e = priv;
	struct waiter *w = g_queue_pop_head(&e->reads);
	(void)src;
	if (w) {
		e->rx_msgs++;
		reply_msg(w->req, w->len, data, len);
		waiter_free(w);
		return;
	}
	if (g_queue_get_length(&e->rx) >= EPT_RX_MAX) {
		e->held = true;
		amp_host_rx_defer(he->host); /* delivered again at amp_host_rx_resume() */
		return;
	}
	e->rx_msgs++;
	g_queue_push_tail(&e->rx, g_bytes_new(data, len));
	notify_poll(e);
}

static void ept_gone(void *priv, struct amp_host_ept *he, const char *why)
{
	struct eptdev *e = priv;
	daemon_say(e->c->d, "/dev/rpmsg%u: endpoint \"%s\" 0x%x hung up: %s\n", e->minor, he->name,
		   he->src, why);
	ept_close(e);
}

static const struct amp_host_ept_ops ept_ops = {.receive = ept_receive, .gone = ept_gone};

/* ---- the program's side -----------------------------------------------------------------------
 */

static void ept_open(fuse_req_t req, struct fuse_file_info *fi)
{
	struct eptdev *e = fuse_req_userdata(req);
	if (e->destroyed || e->opens > 0) {
		fuse_reply_err(req, e->destroyed ? ENODEV : EBUSY); /* one open at a time */
		return;
	}
	g_autofree char *via = g_strdup_printf("/dev/rpmsg%u", e->minor);
	struct amp_ctrl_ept_info info = e->info;
	if (amp_rpmsg_ctrl_create_ept(e->c->d, via, &info, &ept_ops, e, &e->ept) != 0) {
		fuse_reply_err(req, EINVAL); /* rpmsg_eptdev_open, whatever the create failed on */
		return;
	}
	e->opens++;
	fi->nonseekable = 1;
	fuse_reply_open(req, fi);
}

static void ept_release(fuse_req_t req, struct fuse_file_info *fi)
{
	struct eptdev *e = fuse_req_userdata(req);
	(void)fi;
	fuse_reply_err(req, 0);
	e->opens--;
	if (e->ept && e->ept->host)
		daemon_say(e->c->d, "/dev/rpmsg%u: endpoint \"%s\" 0x%x destroyed\n", e->minor,
			   e->ept->name, e->ept->src);
	ept_close(e);
	if (e->destroyed && e->opens == 0)
		ept_free(e);
}

/*
 * Does thread @p tid have a signal pending that it catches? The kernel interrupts a request
 * for any signal, also one the program ignores (SIGCHLD by default), where rpmsg_char's wait
 * would restart transparently; only a handler's signal ends the wait with EINTR.
 */
static bool caught_signal_pending(pid_t tid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)tid);
	g_autofree char *text = NULL;
	if (tid <= 0 || !g_file_get_contents(path, &text, NULL, NULL))
		return true; /* cannot tell: let the signal through */
	guint64 pnd = 0, shd = 0, blk = 0, cgt = 0;
	const char *keys[] = {"SigPnd:", "ShdPnd:", "SigBlk:", "SigCgt:"};
	guint64 *vals[] = {&pnd, &shd, &blk, &cgt};
	for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
		const char *k = strstr(text, keys[i]);
		if (k)
			*vals[i] = g_ascii_strtoull(k + strlen(keys[i]), NULL, 16);
	}
	return ((pnd | shd) & ~blk & cgt) != 0;
}

/* The wait ends with EINTR: the program's handler runs (no restart: see docs). */
static void interrupted(struct waiter *w)
{
	g_queue_remove(w->q, w);
	fuse_reply_err(w->req, EINTR);
	waiter_free(w);
}

/* The kernel interrupts a request once only: after a signal not caught, look for one that
 * is until the request is answered. */
static gboolean recheck(gpointer data)
{
	struct waiter *w = data;
	if (!caught_signal_pending(fuse_req_ctx(w->req)->pid))
		return G_SOURCE_CONTINUE;
	w->watch = 0;
	interrupted(w);
	return G_SOURCE_REMOVE;
}

#define RECHECK_MS 50 /* how soon a handler's signal ends a wait after an ignored one */

static void on_interrupt(fuse_req_t req, void *data)
{
	struct waiter *w = data;
	if (caught_signal_pending(fuse_req_ctx(req)->pid))
		interrupted(w);
	else /* the wait goes on, as after rpmsg_char's restart */
		w->watch = g_timeout_add(RECHECK_MS, recheck, w);
}

static void wait_on(GQueue *q, fuse_req_t req, size_t len, const void *data)
{
	struct waiter *w = g_malloc0(sizeof(*w) + (data ? len : 0));
	*w = (struct waiter){.q = q, .req = req, .len = len};
	if (data)
		memcpy(w->data, data, len);
	g_queue_push_tail(q, w);
	fuse_req_interrupt_func(req, on_interrupt, w); /* may run at once */
}

static void ept_read(fuse_req_t req, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct eptdev *e = fuse_req_userdata(req);
	(void)off;
	if (!alive(e)) {
		fuse_reply_err(req, EPIPE);
		return;
	}
	GBytes *m = g_queue_pop_head(&e->rx);
	if (m) {
		gsize len;
		const void *p = g_bytes_get_data(m, &len);
		reply_msg(req, size, p, len);
		g_bytes_unref(m);
		if (e->held) {
			e->held = false;
			amp_host_rx_resume(e->ept->host); /* there is room again */
		}
	} else if (fi->flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
	} else {
		wait_on(&e->reads, req, size, NULL);
	}
}

/* 0 sent, EAGAIN no TX buffer, or the errno a write fails with. */
static int send_one(struct eptdev *e, const void *data, size_t len)
{
	int rc = amp_host_ept_send(e->ept, data, len);
	if (rc == AMP_OK) {
		e->tx_msgs++;
		return 0;
	}
	if (rc == AMP_ENOMEM)
		return EAGAIN;
	return rc == AMP_EMSGSIZE ? EMSGSIZE : EPIPE; /* the link went down under it */
}

static void ept_write(fuse_req_t req, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct eptdev *e = fuse_req_userdata(req);
	(void)off;
	if (!alive(e)) {
		fuse_reply_err(req, EPIPE);
		return;
	}
	if (size > amp_host_mtu(e->ept->host)) {
		fuse_reply_err(req, EMSGSIZE); /* virtio_rpmsg_bus: before anything is sent */
		return;
	}
	/* Blocked writers go first: a buffer that came back is theirs. */
	int err = g_queue_is_empty(&e->writes) ? send_one(e, buf, size) : EAGAIN;
	if (err == EAGAIN && !(fi->flags & O_NONBLOCK)) {
		wait_on(&e->writes, req, size, buf); /* rpmsg_sendto(): wait for a buffer */
		return;
	}
	if (err == EAGAIN)
		e->tx_eagain++;
	err ? fuse_reply_err(req, err) : fuse_reply_write(req, size);
}

static void ept_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi, unsigned flags,
		      const void *in, size_t in_size, size_t out_size)
{
	struct eptdev *e = fuse_req_userdata(req);
	(void)arg, (void)fi, (void)flags, (void)in, (void)in_size, (void)out_size;
	/* rpmsg_eptdev_ioctl: only DESTROY, never on a channel's default endpoint */
	if ((unsigned)cmd != RPMSG_DESTROY_EPT_IOCTL || e->channel) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	fuse_reply_ioctl(req, 0, NULL, 0);
	ept_destroy(e); /* this file stays open; it reads and writes EPIPE */
}

static bool tx_free(struct eptdev *e)
{
	int n = 1; /* no RUNDIR/txfree: say a buffer is free, as the shim's socket room would */
	if (e->c->d->tx_fd >= 0 && ioctl(e->c->d->tx_fd, FIONREAD, &n) != 0)
		n = 1;
	return n > 0;
}

static void ept_poll(fuse_req_t req, struct fuse_file_info *fi, struct fuse_pollhandle *ph)
{
	struct eptdev *e = fuse_req_userdata(req);
	(void)fi;
	unsigned ev = POLLERR; /* rpmsg_eptdev_poll without an endpoint */
	if (alive(e)) {
		ev = g_queue_is_empty(&e->rx) ? 0 : POLLIN | POLLRDNORM;
		if (g_queue_is_empty(&e->writes) && tx_free(e))
			ev |= POLLOUT | POLLWRNORM;
	}
	if (ph) {
		if (e->ph)
			fuse_pollhandle_destroy(e->ph);
		e->ph = ph;
	}
	fuse_reply_poll(req, ev);
}

static void ept_ready(void *priv)
{
	struct eptdev *e = priv;
	g_autofree char *name = dev_name(e);
	daemon_say(e->c->d, "  -> /dev/%s (\"%s\" 0x%x -> 0x%x, a CUSE character device)\n", name,
		   e->info.name, e->info.src, e->info.dst);
	if (e->create_req)
		fuse_reply_ioctl(e->create_req, 0, NULL, 0);
	e->create_req = NULL;
}

static void ept_lost(void *priv)
{
	struct eptdev *e = priv;
	g_warning("CUSE refused or ended /dev/rpmsg%u", e->minor);
	e->destroyed = true; /* no request comes any more; its open files fail in the kernel */
	e->opens = 0;
	if (e->opens == 0)
		ept_free(e);
}

static const struct cuse_lowlevel_ops ept_dev_ops = {
    .init_done = ept_ready,
    .open = ept_open,
    .release = ept_release,
    .read = ept_read,
    .write = ept_write,
    .ioctl = ept_ioctl,
    .poll = ept_poll,
};

/* ---- the control device's requests ------------------------------------------------------------
 */

/* The lowest minor that no channel's RUNDIR/rpmsg<m> and no device of ours has, as the
 * shim's shim_eptdev_add(). */
static bool minor_free(struct amp_cuse *c, unsigned m)
{
	for (guint i = 0; i < c->epts->len; i++)
		if (((struct eptdev *)c->epts->pdata[i])->minor == m)
			return false;
	g_autofree char *base = g_strdup_printf("rpmsg%u", m);
	g_autofree char *path = amp_rundir_file(c->d->rd, base);
	struct stat st;
	return lstat(path, &st) != 0;
}

void cuse_ept_create(struct amp_cuse *c, const struct amp_ctrl_ept_info *info, bool channel,
		     fuse_req_t req)
{
	unsigned m = 0;
	while (m < EPT_MAX_MINOR && !minor_free(c, m))
		m++;
	if (m == EPT_MAX_MINOR) {
		fuse_reply_err(req, ENOMEM); /* the minor allocator is out */
		return;
	}
	struct eptdev *e = g_new0(struct eptdev, 1);
	*e = (struct eptdev){.c = c, .minor = m, .info = *info, .channel = channel};
	g_autofree char *name = dev_name(e);
	e->dev = cuse_dev_start(c, name, &ept_dev_ops, e, ept_lost);
	if (!e->dev) {
		fuse_reply_err(req, errno);
		g_free(e);
		return;
	}
	e->create_req = req;
	g_ptr_array_add(c->epts, e);
}

static struct eptdev *find_channel(struct amp_cuse *c, const struct amp_ctrl_ept_info *info)
{
	for (guint i = 0; i < c->epts->len; i++) {
		struct eptdev *e = c->epts->pdata[i];
		if (e->channel && !e->destroyed && !strcmp(e->info.name, info->name) &&
		    (info->src == RPMSG_ADDR_ANY || info->src == e->info.src) &&
		    (info->dst == RPMSG_ADDR_ANY || info->dst == e->info.dst))
			return e;
	}
	return NULL;
}

bool cuse_ept_channel_exists(struct amp_cuse *c, const struct amp_ctrl_ept_info *info)
{
	return find_channel(c, info) != NULL;
}

int cuse_ept_release_dev(struct amp_cuse *c, const struct amp_ctrl_ept_info *info)
{
	struct eptdev *e = find_channel(c, info);
	if (!e)
		return EINVAL; /* rpmsg_unregister_device: no such device */
	ept_destroy(e);
	return 0;
}

void cuse_ept_destroy_all(struct amp_cuse *c, bool now)
{
	for (guint i = c->epts->len; i-- > 0;)
		if (i < c->epts->len) {
			struct eptdev *e = c->epts->pdata[i];
			ept_destroy(e);
			if (now && i < c->epts->len && c->epts->pdata[i] == e)
				ept_free(e); /* the run ends: its open files fail */
		}
}

void cuse_ept_resume(struct amp_cuse *c)
{
	for (guint i = 0; i < c->epts->len; i++) {
		struct eptdev *e = c->epts->pdata[i];
		struct waiter *w;
		while (alive(e) && (w = g_queue_peek_head(&e->writes))) {
			int err = send_one(e, w->data, w->len);
			if (err == EAGAIN)
				return; /* out of buffers again: the rest wait for the next return
					 */
			g_queue_pop_head(&e->writes);
			err ? fuse_reply_err(w->req, err) : fuse_reply_write(w->req, w->len);
			waiter_free(w);
		}
		notify_poll(e);
	}
}

void cuse_ept_list(struct amp_cuse *c, GString *out)
{
	for (guint i = 0; i < c->epts->len; i++) {
		struct eptdev *e = c->epts->pdata[i];
		if (!alive(e))
			continue;
		/* "a connection on": the shim counts these as endpoints, not channels */
		g_string_append_printf(out,
				       "%-32s firmware 0x%-4x host 0x%-4x a connection on "
				       "/dev/rpmsg%u (CUSE)  in %" G_GUINT64_FORMAT
				       " out %" G_GUINT64_FORMAT " msgs, EAGAIN %" G_GUINT64_FORMAT
				       "\n",
				       e->ept->name, e->ept->dst, e->ept->src, e->minor, e->rx_msgs,
				       e->tx_msgs, e->tx_eagain);
	}
}
