/* `ampsim run --cuse`: the CUSE sessions in the daemon's loop, /dev/rpmsg_ctrl<n> and the
 * /dev/ttyRPMSG<n> links (cuse.h). */
#define _GNU_SOURCE
#include "cuse.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <ampsim/errno.h>
#include <ampsim/error.h>
#include <ampsim/host.h>

#include "../daemon/daemon.h"
#include "../daemon/rundir.h"
#include "cuse_internal.h"

_Static_assert(sizeof(struct rpmsg_endpoint_info) == sizeof(struct amp_ctrl_ept_info),
	       "the ioctls carry the same struct as RUNDIR/rpmsg_ctrl0's requests");

#define DEV_DIR "/dev"

/* ---- sessions -------------------------------------------------------------------------------- */

struct cuse_dev {
	struct fuse_session *se;
	struct fuse_buf buf;
	guint src;
	void *priv;
	void (*lost)(void *priv);
	bool busy;   /* inside fuse_session_process_buf(): stopping waits until it returns */
	bool doomed; /* cuse_dev_stop() ran while busy */
};

static void dev_free(struct cuse_dev *v)
{
	if (v->src)
		g_source_remove(v->src);
	fuse_session_destroy(v->se); /* closes /dev/cuse: the kernel removes the device */
	free(v->buf.mem);
	g_free(v);
}

static gboolean on_request(gint fd, GIOCondition cond, gpointer data)
{
	struct cuse_dev *v = data;
	(void)fd;
	(void)cond;
	int n = fuse_session_receive_buf(v->se, &v->buf);
	if (n == -EINTR || n == -EAGAIN)
		return G_SOURCE_CONTINUE;
	if (n <= 0 || fuse_session_exited(v->se)) { /* the kernel refused or ended it */
		v->src = 0;
		if (v->lost)
			v->lost(v->priv); /* may stop it */
		return G_SOURCE_REMOVE;
	}
	v->busy = true;
	fuse_session_process_buf(v->se, &v->buf);
	v->busy = false;
	if (v->doomed) {
		v->src = 0; /* removed by returning */
		dev_free(v);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

struct cuse_dev *cuse_dev_start(struct amp_cuse *c, const char *name,
				const struct cuse_lowlevel_ops *ops, void *priv,
				void (*lost)(void *priv))
{
	int fd = open(c->path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	g_autofree char *devname = g_strconcat("DEVNAME=", name, NULL);
	const char *info[] = {devname};
	struct cuse_info ci = {.dev_info_argc = 1, .dev_info_argv = info};
	char *argv[] = {"ampsim", NULL};
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct cuse_dev *v = g_new0(struct cuse_dev, 1);
	v->se = cuse_lowlevel_new(&args, &ci, ops, priv); /* copies the device's name */
	fuse_opt_free_args(&args);
	char mnt[32];
	snprintf(mnt, sizeof(mnt), "/dev/fd/%d", fd); /* libfuse takes an open descriptor so */
	if (!v->se || fuse_session_mount(v->se, mnt) != 0) {
		if (v->se)
			fuse_session_destroy(v->se);
		close(fd);
		g_free(v);
		errno = ENOMEM;
		return NULL;
	}
	v->priv = priv;
	v->lost = lost;
	v->src = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_request, v);
	return v;
}

void cuse_dev_stop(struct cuse_dev *v)
{
	if (!v)
		return;
	v->lost = NULL;
	if (v->busy)
		v->doomed = true;
	else
		dev_free(v);
}

void cuse_dev_unlink(const char *name)
{
	g_autofree char *path = g_build_filename(DEV_DIR, name, NULL);
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISCHR(st.st_mode))
		(void)unlink(path);
}

/* ---- /dev/rpmsg_ctrl<n> ---------------------------------------------------------------------- */

struct ctrldev {
	struct amp_cuse *c;
	struct cuse_dev *dev;
	unsigned index;
	int opens;
	bool dead; /* the bus went: ioctls fail, the session ends with the last close */
};

static void ctrl_free(struct ctrldev *k)
{
	cuse_dev_stop(k->dev);
	g_ptr_array_remove(k->c->ctrls, k);
	g_free(k);
}

static void ctrl_open(fuse_req_t req, struct fuse_file_info *fi)
{
	struct ctrldev *k = fuse_req_userdata(req);
	if (k->dead) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	k->opens++;
	fuse_reply_open(req, fi);
}

static void ctrl_release(fuse_req_t req, struct fuse_file_info *fi)
{
	struct ctrldev *k = fuse_req_userdata(req);
	(void)fi;
	fuse_reply_err(req, 0);
	if (--k->opens == 0 && k->dead)
		ctrl_free(k);
}

/* Does a channel the firmware announced match, as rpmsg_find_device() would find it? */
static bool fw_channel_matches(struct daemon *d, const struct amp_ctrl_ept_info *info)
{
	g_autofree struct amp_host_chan **chans = amp_host_channels(d->host);
	for (struct amp_host_chan **ch = chans; *ch; ch++)
		if (!strcmp((*ch)->name, info->name) &&
		    (info->src == RPMSG_ADDR_ANY || info->src == (*ch)->ept.addr) &&
		    (info->dst == RPMSG_ADDR_ANY || info->dst == (*ch)->remote))
			return true;
	return false;
}

/* rpmsg_ctrldev_ioctl() (Linux 6.1 rpmsg_ctrl.c), with the shim's CREATE_DEV rule
 * (docs/exec.md): only rpmsg_chrdev's "rpmsg-raw" is served. */
static void ctrl_ioctl(fuse_req_t req, int cmd, void *arg, struct fuse_file_info *fi,
		       unsigned flags, const void *in, size_t in_size, size_t out_size)
{
	struct ctrldev *k = fuse_req_userdata(req);
	struct amp_ctrl_ept_info info;
	unsigned long req_nr = (unsigned)cmd;
	(void)arg, (void)fi, (void)flags, (void)out_size;
	if (req_nr != RPMSG_CREATE_EPT_IOCTL && req_nr != RPMSG_CREATE_DEV_IOCTL &&
	    req_nr != RPMSG_RELEASE_DEV_IOCTL) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (k->dead || in_size != sizeof(info)) {
		fuse_reply_err(req, k->dead ? ENODEV : EFAULT);
		return;
	}
	memcpy(&info, in, sizeof(info));
	info.name[sizeof(info.name) - 1] = '\0'; /* as rpmsg_ctrldev_ioctl's chinfo */
	if (req_nr == RPMSG_RELEASE_DEV_IOCTL) {
		int e = cuse_ept_release_dev(k->c, &info);
		e ? fuse_reply_err(req, e) : fuse_reply_ioctl(req, 0, NULL, 0);
		return;
	}
	if (req_nr == RPMSG_CREATE_DEV_IOCTL &&
	    (strcmp(info.name, "rpmsg-raw") != 0 || cuse_ept_channel_exists(k->c, &info) ||
	     fw_channel_matches(k->c->d, &info))) {
		fuse_reply_err(req, ENXIO); /* no driver of ours, or "channel already exist" */
		return;
	}
	cuse_ept_create(k->c, &info, req_nr == RPMSG_CREATE_DEV_IOCTL, req);
}

static const struct cuse_lowlevel_ops ctrl_ops = {
    .open = ctrl_open, .release = ctrl_release, .ioctl = ctrl_ioctl};

static void ctrl_lost(void *priv)
{
	struct ctrldev *k = priv;
	g_warning("CUSE ended /dev/rpmsg_ctrl%u (is the name taken?); programs cannot create "
		  "endpoints through it",
		  k->index);
	k->dead = true;
	if (k->opens == 0)
		ctrl_free(k);
}

void amp_cuse_bus_up(struct amp_cuse *c)
{
	if (!c)
		return;
	unsigned index = 0; /* a control device still open from the last boot keeps its name */
	for (guint i = 0; i < c->ctrls->len; i++) {
		struct ctrldev *k = c->ctrls->pdata[i];
		if (!k->dead)
			return;
		index = MAX(index, k->index + 1);
	}
	struct ctrldev *k = g_new0(struct ctrldev, 1);
	k->c = c;
	k->index = index;
	g_autofree char *name = g_strdup_printf("rpmsg_ctrl%u", index);
	k->dev = cuse_dev_start(c, name, &ctrl_ops, k, ctrl_lost);
	if (!k->dev) {
		g_warning("no /dev/%s: %s: %s", name, c->path, g_strerror(errno));
		g_free(k);
		return;
	}
	g_ptr_array_add(c->ctrls, k);
	daemon_say(c->d, "  -> /dev/%s (a CUSE character device)\n", name);
}

void amp_cuse_bus_down(struct amp_cuse *c)
{
	if (!c)
		return;
	cuse_ept_destroy_all(c, false); /* rpmsg_ctrldev_remove(): its eptdevs first */
	for (guint i = c->ctrls->len; i-- > 0;) {
		struct ctrldev *k = c->ctrls->pdata[i];
		if (k->dead)
			continue;
		k->dead = true;
		g_autofree char *name = g_strdup_printf("rpmsg_ctrl%u", k->index);
		cuse_dev_unlink(name);
		if (k->opens == 0)
			ctrl_free(k);
	}
}

/* ---- /dev/ttyRPMSG<n> ------------------------------------------------------------------------ */

void amp_cuse_sync_ttys(struct amp_cuse *c)
{
	for (unsigned n = 0; c && n < DAEMON_MAX_INDEX; n++) {
		g_autofree char *base = g_strdup_printf("ttyRPMSG%u", n);
		g_autofree char *run = amp_rundir_file(c->d->rd, base);
		g_autofree char *pty = g_file_read_link(run, NULL);
		g_autofree char *dev = g_build_filename(DEV_DIR, base, NULL);
		g_autofree char *now = g_file_read_link(dev, NULL);
		if (now && (c->ttys & (1u << n)) && (!pty || strcmp(now, pty) != 0)) {
			(void)unlink(dev); /* ours, and stale */
			c->ttys &= ~(1u << n);
			g_clear_pointer(&now, g_free);
		}
		if (!pty || now)
			continue;
		if (symlink(pty, dev) == 0) {
			c->ttys |= 1u << n;
			daemon_say(c->d, "  -> %s (a link to %s)\n", dev, pty);
		} else {
			g_warning("cannot link %s to %s: %s", dev, pty, g_strerror(errno));
		}
	}
}

/* ---- public ---------------------------------------------------------------------------------- */

struct amp_cuse *amp_cuse_new(struct daemon *d, GError **err)
{
	const char *path = g_getenv("AMPSIM_CUSE_DEVICE");
	path = path && *path ? path : AMP_CUSE_DEVICE;
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		const char *why = e == ENOENT || e == ENODEV
				      ? "this kernel has no CUSE (load it with 'modprobe cuse')"
				  : e == EACCES || e == EPERM ? "CUSE needs root"
							      : "CUSE cannot be used";
		amp_set_error(err, amp_from_errno(e),
			      "%s: %s: %s. Run the Linux program with 'ampsim exec -- PROGRAM' "
			      "instead (no kernel support needed; not for static or setuid "
			      "programs)",
			      path, g_strerror(e), why);
		return NULL;
	}
	close(fd); /* an open without an init answer is dropped by the kernel: nothing made */
	if (access(DEV_DIR, W_OK) != 0) {
		amp_set_error_errno(err, errno,
				    "%s is not writable (the /dev/ttyRPMSG<n> links go there): "
				    "run as root, or use 'ampsim exec -- PROGRAM' instead",
				    DEV_DIR);
		return NULL;
	}
	struct amp_cuse *c = g_new0(struct amp_cuse, 1);
	c->d = d;
	c->path = g_strdup(path);
	c->ctrls = g_ptr_array_new();
	c->epts = g_ptr_array_new();
	return c;
}

void amp_cuse_free(struct amp_cuse *c)
{
	if (!c)
		return;
	amp_cuse_bus_down(c);
	cuse_ept_destroy_all(c, true);
	while (c->ctrls->len)
		ctrl_free(c->ctrls->pdata[c->ctrls->len - 1]);
	for (unsigned n = 0; n < DAEMON_MAX_INDEX; n++)
		if (c->ttys & (1u << n)) {
			g_autofree char *dev = g_strdup_printf(DEV_DIR "/ttyRPMSG%u", n);
			(void)unlink(dev);
		}
	g_ptr_array_free(c->ctrls, TRUE);
	g_ptr_array_free(c->epts, TRUE);
	g_free(c->path);
	g_free(c);
}

void amp_cuse_resume(struct amp_cuse *c)
{
	if (c)
		cuse_ept_resume(c);
}

void amp_cuse_list(struct amp_cuse *c, GString *out)
{
	if (c)
		cuse_ept_list(c, out);
}
