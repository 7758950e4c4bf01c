/*
 * /dev/ttyRPMSG<n>, /dev/rpmsg<n> and /dev/rpmsg_ctrl<n>, with what Linux's rpmsg_char
 * (drivers/rpmsg/rpmsg_char.c, rpmsg_ctrl.c, Linux 6.1) answers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <linux/sockios.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"

/* How long a non-blocking write waits for the daemon's verdict: it answers from its loop at
 * once; this only bounds a daemon that is stopped (SIGSTOP) or wedged. */
#define SHIM_NB_TIMEOUT_MS 30000
/* How long a blocking write waits for a TX buffer: rpmsg_send()'s 15 s (virtio_rpmsg_bus.c);
 * AMPSIM_TX_WAIT_MS shortens it for tests. */
#define SHIM_TX_WAIT_MS 15000
/* What rpmsg_send() returns then: -ERESTARTSYS. No signal is pending to restart the call, so
 * the kernel hands it to the writer as it is: errno 512 ("Unknown error 512"). */
#define SHIM_ERESTARTSYS 512

/* RUNDIR/rpmsg_ctrl0's answer (sim/src/daemon/rpmsg_ctrl.h, struct amp_ctrl_reply). */
struct ctrl_reply {
	int32_t status;
	struct rpmsg_endpoint_info info;
};
_Static_assert(sizeof(struct rpmsg_endpoint_info) == 40, "rpmsg_ctrl0 takes 40 bytes");
_Static_assert(sizeof(struct ctrl_reply) == 44, "rpmsg_ctrl0 answers 44 bytes");

static int fail(int e)
{
	errno = e;
	return -1;
}

/* A SOCK_SEQPACKET connection to RUNDIR/@name with the open flags that make sense on it. */
static int connect_frames(const char *name, int flags)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!shim_rundir_file(sa.sun_path, sizeof(sa.sun_path), name))
		return fail(ENAMETOOLONG);
	int type = SOCK_SEQPACKET | ((flags & O_CLOEXEC) ? SOCK_CLOEXEC : 0);
	int fd = socket(AF_UNIX, type, 0);
	if (fd < 0)
		return -1;
	/* Credentials on every message tell a zero-length message from the daemon's hang-up. */
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		shim_libc.close(fd);
		/* No socket, or nobody serves it: the device is not there. */
		return fail(e == ECONNREFUSED ? ENOENT : e);
	}
	return fd;
}

/* The MTU a write is checked against, from `ampsim ctl status`; 0 when unknown. */
size_t shim_run_mtu(void)
{
	char st[2048], v[32];
	if (shim_ctl("status", st, sizeof(st)) != 1 || !shim_status_field(st, "mtu", v, sizeof(v)))
		return 0;
	return (size_t)strtoul(v, NULL, 10);
}

static int finish_open(int fd, enum shim_fd_kind kind, unsigned index, int flags)
{
	struct shim_fd f = {.fd = fd, .kind = kind, .index = index, .mtu = shim_run_mtu()};
	if ((flags & O_NONBLOCK) && shim_libc.fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		int e = errno;
		shim_libc.close(fd);
		return fail(e);
	}
	if (!shim_fd_track(&f)) {
		int e = errno;
		shim_libc.close(fd);
		return fail(e);
	}
	return fd;
}

/* Open eptdev @p m: create its endpoint through RUNDIR/rpmsg_ctrl0 (rpmsg_eptdev_open). */
static int open_eptdev(const struct shim_eptdev *e, int flags)
{
	if (shim_fd_eptdev_busy(e->minor))
		return fail(EBUSY); /* rpmsg_eptdev_open: one open at a time */
	int fd = connect_frames("rpmsg_ctrl0", flags);
	if (fd < 0)
		return -1;
	struct rpmsg_endpoint_info info = {.src = e->src, .dst = e->dst};
	memcpy(info.name, e->name, sizeof(info.name));
	struct ctrl_reply r;
	struct iovec out = {.iov_base = &info, .iov_len = sizeof(info)};
	struct iovec in = {.iov_base = &r, .iov_len = sizeof(r)};
	ssize_t n =
	    shim_libc.sendmsg(fd, &(struct msghdr){.msg_iov = &out, .msg_iovlen = 1}, MSG_NOSIGNAL);
	if (n == (ssize_t)sizeof(info))
		n = shim_libc.recvmsg(fd, &(struct msghdr){.msg_iov = &in, .msg_iovlen = 1}, 0);
	if (n != (ssize_t)sizeof(r) || r.status != 0) {
		shim_libc.close(fd);
		/* rpmsg_eptdev_open answers EINVAL whatever rpmsg_create_ept failed on. */
		return fail(n == (ssize_t)sizeof(r) ? EINVAL : ENODEV);
	}
	return finish_open(fd, SHIM_FD_EPTDEV, e->minor, flags);
}

static int open_ept(unsigned n, int flags)
{
	struct shim_eptdev e;
	if (shim_bus_minor_unbound(n))
		return fail(ENOENT); /* unbound from rpmsg_chrdev: its /dev/rpmsgN is gone */
	if (shim_eptdev_get(n, &e))
		return open_eptdev(&e, flags);
	char name[16];
	snprintf(name, sizeof(name), "rpmsg%u", n);
	int fd = connect_frames(name, flags);
	if (fd < 0 || finish_open(fd, SHIM_FD_EPT, n, flags) < 0)
		return -1;
	/*
	 * The daemon closes a second client at once. finish_open() asked RUNDIR/control for
	 * the MTU after connecting, and the daemon's loop accepts (and refuses) this connection
	 * before it can answer that request: a hang-up now is the refusal.
	 */
	struct pollfd pfd = {.fd = fd, .events = POLLRDHUP};
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLRDHUP))) {
		close(fd);	    /* tracked: through the wrapper */
		return fail(EBUSY); /* rpmsg_eptdev_open: one open at a time */
	}
	return fd;
}

/* /dev/rpmsg_ctrl0 exists while the firmware's RPMsg bus is up, as RUNDIR/rpmsg_ctrl0. */
bool shim_ctrl_present(unsigned n)
{
	char path[4096];
	struct stat st;
	return n == 0 && shim_rundir_file(path, sizeof(path), "rpmsg_ctrl0") &&
	       shim_libc.stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int open_ctrl(unsigned n, int flags)
{
	if (!shim_ctrl_present(n))
		return fail(ENOENT);
	/* A descriptor of its own (a memfd: a unique inode) that the ioctls are caught on. */
	int fd = memfd_create("rpmsg_ctrl0", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	if (fd < 0)
		return -1;
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_CTRL, .index = n};
	if (!shim_fd_track(&f)) {
		int e = errno;
		shim_libc.close(fd);
		return fail(e);
	}
	return fd;
}

/* The pty, tracked so that write() can fail as rpmsg_tty_write() does (shim_wrap.c); a full
 * table leaves it untracked, a plain pty. */
static int open_tty(const char *path, int flags, mode_t mode)
{
	int fd = shim_libc.open(path, flags & ~(O_CREAT | O_EXCL | O_TMPFILE), mode);
	if (fd >= 0 && isatty(fd))
		shim_fd_track(&(struct shim_fd){.fd = fd, .kind = SHIM_FD_TTY});
	return fd;
}

int shim_dev_open(struct shim_path p, int flags, mode_t mode)
{
	char path[4096], name[32];
	switch (p.kind) {
	case SHIM_PATH_TTY:
		snprintf(name, sizeof(name), "ttyRPMSG%u", p.index);
		if (!shim_rundir_file(path, sizeof(path), name))
			return fail(ENAMETOOLONG);
		/* Never create a file where the pty's link belongs (`echo > /dev/ttyRPMSG9`). */
		return open_tty(path, flags, mode);
	case SHIM_PATH_EPT:
		return open_ept(p.index, flags);
	case SHIM_PATH_CTRL:
		return open_ctrl(p.index, flags);
	case SHIM_PATH_ATTR:
		return shim_sysfs_open((enum shim_attr)p.index, flags);
	case SHIM_PATH_SDB:
		return shim_sdb_open(flags);
	case SHIM_PATH_BUS:
		return shim_bus_open(p.path, flags);
	case SHIM_PATH_NONE:
		break;
	}
	return fail(ENOENT);
}

/* The run-directory entry behind a device path, for stat and access. */
static bool backing_file(struct shim_path p, char *path, size_t len)
{
	char name[32];
	struct shim_eptdev e;
	if (p.kind == SHIM_PATH_TTY)
		snprintf(name, sizeof(name), "ttyRPMSG%u", p.index);
	else if (p.kind == SHIM_PATH_EPT && !shim_eptdev_get(p.index, &e))
		snprintf(name, sizeof(name), "rpmsg%u", p.index);
	else if (p.kind == SHIM_PATH_SDB)
		snprintf(name, sizeof(name), "rpmsg-sdb");
	else if (p.kind == SHIM_PATH_EPT || (p.kind == SHIM_PATH_CTRL && p.index == 0))
		snprintf(name, sizeof(name), "rpmsg_ctrl0"); /* an eptdev lives while it does */
	else
		return false;
	return shim_rundir_file(path, len, name);
}

int shim_dev_stat(struct shim_path p, struct stat *st, bool follow)
{
	char path[4096];
	if (p.kind == SHIM_PATH_ATTR)
		return shim_sysfs_stat((enum shim_attr)p.index, st);
	if (p.kind == SHIM_PATH_BUS)
		return shim_bus_stat(p.path, st, follow);
	if (p.kind == SHIM_PATH_EPT && shim_bus_minor_unbound(p.index))
		return fail(ENOENT); /* unbound from rpmsg_chrdev: its /dev/rpmsgN is gone */
	if (!backing_file(p, path, sizeof(path)))
		return fail(ENOENT);
	(void)follow; /* the device, never the run directory's symlink */
	return shim_libc.stat(path, st);
}

int shim_dev_access(struct shim_path p, int mode)
{
	struct stat st;
	(void)mode; /* the run directory is the user's: what exists may be read and written */
	return shim_dev_stat(p, &st, true);
}

/*
 * RPMSG_CREATE_DEV_IOCTL: rpmsg_create_channel() registers an rpmsg device, which the driver
 * of its name probes. The shim serves rpmsg_chrdev's ("rpmsg-raw"): the channel becomes
 * /dev/rpmsg<m>, whose default endpoint (src, dst) the program opens. Any other name is a
 * device on the bus with no driver (docs/exec.md), until it is bound to rpmsg_chrdev.
 */
static int create_dev(struct rpmsg_endpoint_info *info)
{
	unsigned minor;
	/* __rpmsg_create_channel(): "channel already exist" */
	if (shim_channel_find(info->name, info->src, info->dst, &minor) ||
	    shim_created_find(info->name, info->src, info->dst, &minor) ||
	    shim_bus_fw_channel_find(info->name, info->src, info->dst))
		return fail(ENXIO);
	if (strcmp(info->name, "rpmsg-raw") != 0)
		return shim_created_add(info->name, info->src, info->dst) ? 0 : -1;
	return shim_eptdev_add(info->name, info->src, info->dst, true, &minor) ? 0 : -1;
}

/* RPMSG_RELEASE_DEV_IOCTL: rpmsg_release_channel(), rpmsg_unregister_device(). */
static int release_dev(const struct rpmsg_endpoint_info *info)
{
	unsigned minor, slot;
	if (shim_created_find(info->name, info->src, info->dst, &slot)) {
		shim_created_remove(slot); /* no driver: nothing else goes */
		return 0;
	}
	if (!shim_channel_find(info->name, info->src, info->dst, &minor))
		return shim_bus_release(info->name, info->src, info->dst); /* the firmware's */
	shim_fd_destroy_eptdev(minor); /* rpmsg_chrdev_remove: open files read EPIPE */
	shim_eptdev_remove(minor);
	return 0;
}

static int ctrl_ioctl(unsigned long req, void *arg)
{
	struct rpmsg_endpoint_info info;
	unsigned minor;
	if (req != RPMSG_CREATE_EPT_IOCTL && req != RPMSG_CREATE_DEV_IOCTL &&
	    req != RPMSG_RELEASE_DEV_IOCTL)
		return fail(EINVAL); /* rpmsg_ctrldev_ioctl: any other request */
	if (!arg)
		return fail(EFAULT);
	memcpy(&info, arg, sizeof(info));
	info.name[sizeof(info.name) - 1] = '\0'; /* as rpmsg_ctrldev_ioctl's chinfo */
	if (req == RPMSG_CREATE_DEV_IOCTL)
		return create_dev(&info);
	if (req == RPMSG_RELEASE_DEV_IOCTL)
		return release_dev(&info);
	return shim_eptdev_add(info.name, info.src, info.dst, false, &minor) ? 0 : -1;
}

int shim_dev_ioctl(const struct shim_fd *f, unsigned long req, void *arg)
{
	switch (f->kind) {
	case SHIM_FD_CTRL:
		return ctrl_ioctl(req, arg);
	case SHIM_FD_EPT: /* a channel's default endpoint cannot be destroyed */
		return fail(EINVAL);
	case SHIM_FD_EPTDEV:
		if (req != RPMSG_DESTROY_EPT_IOCTL)
			return fail(EINVAL);
		struct shim_eptdev e;
		if (shim_eptdev_get(f->index, &e) && e.channel)
			return fail(EINVAL); /* rpmsg_eptdev_ioctl: never a default endpoint */
		/* The device goes; this descriptor stays open, reads and writes fail with EPIPE. */
		shim_fd_destroy_eptdev(f->index);
		shim_eptdev_remove(f->index);
		return 0;
	case SHIM_FD_SDB:
		return shim_sdb_ioctl(f, req, arg);
	case SHIM_FD_DIR:
		return fail(ENOTTY); /* a directory has no ioctls of the shim's */
	case SHIM_FD_FILE:
	case SHIM_FD_ATTR:
	case SHIM_FD_BUS:
	case SHIM_FD_TTY: /* termios: the pty's own */
		break;
	}
	return shim_libc.ioctl(f->fd, req, arg);
}

ssize_t shim_dev_readv(const struct shim_fd *f, const struct iovec *iov, int cnt)
{
	if (f->kind == SHIM_FD_DIR)
		return fail(EISDIR);
	if (f->kind == SHIM_FD_ATTR || f->kind == SHIM_FD_CTRL || f->kind == SHIM_FD_SDB ||
	    f->kind == SHIM_FD_BUS)
		return fail(
		    EINVAL); /* rpmsg_ctrl, rpmsg_sdb: no read; attributes opened to write */
	if (f->destroyed)
		return fail(EPIPE);
	if (cnt < 0 || cnt > IOV_MAX)
		return fail(EINVAL);
	/* One message; the daemon's hang-up (the endpoint is gone) carries no credentials. */
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct msghdr mh = {.msg_iov = (struct iovec *)iov,
			    .msg_iovlen = (size_t)cnt,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	ssize_t n = shim_libc.recvmsg(f->fd, &mh, MSG_CMSG_CLOEXEC);
	if (n == 0 && mh.msg_controllen == 0)
		return fail(EPIPE); /* rpmsg_eptdev_read_iter once the endpoint is gone */
	return n;
}

/* The daemon's verdict on a non-blocking write (sim/src/daemon/frontend.h, AMP_FRONTEND_NB_*). */
enum { NB_SENT = 1, NB_AGAIN = 2, NB_FAILED = 3, NB_TOOBIG = 4 };

/* Wait for the verdict the daemon adds to @p efd; @p fd's hang-up is EPIPE. */
static ssize_t nb_verdict(int fd, int efd, ssize_t sent)
{
	struct pollfd p[2] = {{.fd = efd, .events = POLLIN}, {.fd = fd, .events = POLLRDHUP}};
	for (;;) {
		int r = poll(p, 2, SHIM_NB_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue; /* the message is out: its fate, not EINTR, is the answer */
		if (r <= 0)
			return fail(EIO); /* the daemon did not answer: docs/exec.md */
		uint64_t v = 0;
		if ((p[0].revents & POLLIN) && shim_libc.read(efd, &v, sizeof(v)) == sizeof(v)) {
			if (v == NB_SENT)
				return sent;
			return fail(v == NB_AGAIN ? EAGAIN : v == NB_TOOBIG ? EMSGSIZE : EPIPE);
		}
		if (p[1].revents & (POLLHUP | POLLRDHUP | POLLERR))
			return fail(EPIPE);
	}
}

static ssize_t try_write(const struct shim_fd *f, struct msghdr *mh);

/*
 * O_NONBLOCK: rpmsg_char's rpmsg_trysendto(), EAGAIN when no TX buffer is free. The message
 * carries an eventfd; the daemon sends it now or drops it and says which (frontend.c).
 */
static ssize_t nb_write(const struct shim_fd *f, struct msghdr *mh)
{
	int queued = 0;
	/* A message the daemon has not taken yet waits for a TX buffer: none is free. */
	if (shim_libc.ioctl(f->fd, SIOCOUTQ, &queued) == 0 && queued > 0)
		return fail(EAGAIN);
	return try_write(f, mh);
}

/* Send @p mh with an eventfd and wait for the daemon's verdict: sent, or EAGAIN (no TX
 * buffer: dropped, never kept), EMSGSIZE, EPIPE. */
static ssize_t try_write(const struct shim_fd *f, struct msghdr *mh)
{
	int efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return -1;
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} c;
	memset(&c, 0, sizeof(c));
	mh->msg_control = c.b;
	mh->msg_controllen = sizeof(c.b);
	struct cmsghdr *cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &efd, sizeof(int));
	ssize_t n = shim_libc.sendmsg(f->fd, mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n >= 0)
		n = nb_verdict(f->fd, efd, n);
	int e = errno;
	shim_libc.close(efd);
	errno = e;
	return n;
}

static long tx_wait_ms(void)
{
	const char *s = getenv("AMPSIM_TX_WAIT_MS");
	char *end;
	long ms = s ? strtol(s, &end, 10) : -1;
	return s && *s && !*end && ms >= 0 && ms <= SHIM_TX_WAIT_MS ? ms : SHIM_TX_WAIT_MS;
}

/*
 * Sleep until RUNDIR/txfree has its byte again (a TX buffer is free), @p fd hangs up or
 * @p end passes. 1: try again; 2: at once, the FIFO has its byte; 0: the time is over;
 * -1: EPIPE. @p again: the last try found no buffer although the FIFO had its byte (another
 * sender was first, or there is no FIFO): look again shortly rather than at once.
 */
static int wait_tx(int fd, const struct timespec *end, bool again)
{
	int sig = shim_tx_busy_signal();
	struct pollfd p[2] = {{.fd = fd, .events = POLLRDHUP}, {.fd = sig, .events = POLLIN}};
	if (sig < 0 && !again)
		return 2;
	for (;;) {
		struct timespec left = shim_time_left(end);
		if (sig < 0 && (left.tv_sec > 0 || left.tv_nsec > 10000000L))
			left = (struct timespec){.tv_nsec = 10000000L};
		int r = ppoll(p, sig < 0 ? 1 : 2, &left, NULL);
		if (r < 0 && errno == EINTR)
			continue; /* the handler ran; Linux's wait goes on too */
		if (sig >= 0)
			shim_libc.close(sig);
		if (r > 0 && (p[0].revents & (POLLHUP | POLLRDHUP | POLLERR)))
			return fail(EPIPE);
		return r != 0 || !shim_time_over(end);
	}
}

/*
 * Blocking: rpmsg_char's rpmsg_sendto(), which returns once the message is in a TX buffer,
 * waiting up to 15 s for one. Each try is a non-blocking write (never kept by the daemon);
 * between tries the writer sleeps on RUNDIR/txfree, so the message is sent or refused
 * before write() returns, and a message given up on is never sent later.
 */
static ssize_t blocking_write(const struct shim_fd *f, struct msghdr *mh)
{
	struct timespec end = {0};
	bool again = false;
	for (;;) {
		ssize_t n = try_write(f, mh);
		if (n >= 0 || errno != EAGAIN)
			return n;
		if (end.tv_sec == 0 && end.tv_nsec == 0) {
			long ms = tx_wait_ms();
			shim_time_end(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, &end);
		}
		int r = wait_tx(f->fd, &end, again);
		if (r <= 0)
			return r < 0 ? -1 : fail(SHIM_ERESTARTSYS);
		again = r == 2;
	}
}

ssize_t shim_dev_writev(const struct shim_fd *f, const struct iovec *iov, int cnt)
{
	if (f->kind == SHIM_FD_ATTR)
		return cnt == 1 ? shim_sysfs_store((enum shim_attr)f->index, iov[0].iov_base,
						   iov[0].iov_len)
				: fail(EINVAL); /* one word, one write */
	if (f->kind == SHIM_FD_BUS)
		return cnt == 1 ? shim_bus_store(f, iov[0].iov_base, iov[0].iov_len) : fail(EINVAL);
	if (f->kind == SHIM_FD_CTRL || f->kind == SHIM_FD_SDB)
		return fail(EINVAL); /* rpmsg_ctrl, rpmsg_sdb: no write */
	if (f->kind == SHIM_FD_DIR)
		return fail(EBADF); /* opened read-only, as every directory is */
	if (f->destroyed)
		return fail(EPIPE);
	if (cnt < 0 || cnt > IOV_MAX)
		return fail(EINVAL);
	size_t len = 0;
	for (int i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	/* virtio_rpmsg_bus refuses it before anything is sent. */
	if (f->mtu && len > f->mtu)
		return fail(EMSGSIZE);
	struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)cnt};
	int fl = shim_libc.fcntl(f->fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		return nb_write(f, &mh);
	return blocking_write(f, &mh);
}
