/*
 * /sys/class/remoteproc/remoteproc0/{state,firmware,name,recovery,coredump} and debugfs's
 * trace0, answered from `ampsim ctl` requests as Linux's remoteproc_sysfs.c answers them.
 *
 * A read open gets a memfd holding the attribute's text at open time (sysfs too fills its
 * buffer once per open). A write open of state (recovery, firmware, coredump) gets a
 * connection to RUNDIR/control that has been sent "sysfs-state " ("sysfs-recovery "...):
 * each write() is answered by the daemon's state_store() (...) in a request of its own, so
 * `echo bad > state` fails with EINVAL as on Linux. A writer the shim cannot see (stdio
 * writes through glibc's internal write, a program that does not load the shim) writes
 * into that connection: its first line completes the request, and the daemon applies it;
 * only its error cannot reach the writer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_ATTR_MAX 65536  /* the trace buffer is the largest: RSC_TRACE is a few KiB */
#define SHIM_FW_NAME_MAX 200 /* a firmware name: the control request line holds 255 bytes */

const char *shim_attr_writable(enum shim_attr a)
{
	switch (a) {
	case SHIM_ATTR_STATE:
		return "state";
	case SHIM_ATTR_RECOVERY:
		return "recovery";
	case SHIM_ATTR_FIRMWARE:
		return "firmware";
	case SHIM_ATTR_COREDUMP:
		return "coredump";
	case SHIM_ATTR_NAME:
	case SHIM_ATTR_TRACE:
		break;
	}
	return NULL;
}

static int fail(int e)
{
	errno = e;
	return -1;
}

/* Linux's state names: a stop in progress still shows running, as rproc_shutdown does. */
static const char *state_text(const char *st)
{
	char v[32];
	if (!shim_status_field(st, "state", v, sizeof(v)))
		return NULL;
	if (!strcmp(v, "offline"))
		return "offline";
	if (!strcmp(v, "crashed"))
		return "crashed";
	return "running";
}

/* The attribute's text into @p out; -1 with errno (ENOENT: no run answers). */
static int attr_text(enum shim_attr a, char *out, size_t len)
{
	char st[4096];
	if (a == SHIM_ATTR_TRACE) {
		int r = shim_ctl("trace", out, len);
		return r == 1 ? 0 : fail(ENOENT); /* no RSC_TRACE: Linux makes no trace0 */
	}
	if (shim_ctl("status", st, sizeof(st)) != 1)
		return fail(ENOENT);
	char v[256];
	const char *text = NULL;
	switch (a) {
	case SHIM_ATTR_STATE:
		text = state_text(st);
		break;
	case SHIM_ATTR_NAME:
		text = "m4"; /* stm32_rproc names its remoteproc after the DT node */
		break;
	case SHIM_ATTR_FIRMWARE:
	case SHIM_ATTR_RECOVERY:
	case SHIM_ATTR_COREDUMP:
		if (shim_status_field(st, shim_attr_writable(a), v, sizeof(v)))
			text = v;
		break;
	case SHIM_ATTR_TRACE:
		break;
	}
	if (!text)
		return fail(EIO); /* an ampsim run that does not say it */
	snprintf(out, len, "%s\n", text);
	return 0;
}

/*
 * A connection to RUNDIR/control that has been sent "sysfs-<attr> ": its first line is a
 * write to @p a, whoever writes it. Its own address, an abstract name beginning
 * "ampsim-shim-<attr>-", tells a program that inherits it through exec what it is.
 */
static int attr_writer(enum shim_attr a, int flags)
{
	static atomic_uint serial;
	const char *word = shim_attr_writable(a);
	char self[64], prefix[32];
	snprintf(self, sizeof(self), "ampsim-shim-%s-%d-%u", word, (int)getpid(),
		 atomic_fetch_add(&serial, 1));
	int fd = shim_ctl_connect((flags & O_CLOEXEC) != 0, self);
	if (fd < 0)
		return fail(ENOENT);
	int n = snprintf(prefix, sizeof(prefix), "sysfs-%s ", word);
	if (send(fd, prefix, (size_t)n, MSG_NOSIGNAL) != n) {
		shim_libc.close(fd);
		return fail(ENOENT);
	}
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_ATTR, .index = a};
	if (!shim_fd_track(&f)) {
		int e = errno;
		shim_libc.close(fd);
		return fail(e);
	}
	return fd;
}

int shim_sysfs_open(enum shim_attr a, int flags)
{
	/* name and trace0 are read-only (docs/exec.md), as for a user on Linux. */
	if ((flags & O_ACCMODE) != O_RDONLY)
		return shim_attr_writable(a) ? attr_writer(a, flags) : fail(EACCES);
	/* Neither static (threads) nor thread-local (it would grow every thread of every
	 * program the shim is loaded in): mapped for the call. */
	char *text =
	    mmap(NULL, SHIM_ATTR_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (text == MAP_FAILED)
		return -1;
	int fd = -1;
	if (attr_text(a, text, SHIM_ATTR_MAX) == 0)
		fd = memfd_create("remoteproc0", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	size_t len = fd >= 0 ? strlen(text) : 0;
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_FILE, .index = a}; /* for fstat() */
	if (fd >= 0 && (shim_libc.write(fd, text, len) != (ssize_t)len ||
			lseek(fd, 0, SEEK_SET) != 0 || !shim_fd_track(&f))) {
		int e = errno;
		shim_libc.close(fd);
		fd = -1;
		errno = e;
	}
	int e = errno;
	munmap(text, SHIM_ATTR_MAX);
	errno = e;
	return fd;
}

int shim_sysfs_stat(enum shim_attr a, struct stat *st)
{
	static const mode_t modes[] = {
	    [SHIM_ATTR_STATE] = 0644,	 [SHIM_ATTR_FIRMWARE] = 0644, [SHIM_ATTR_NAME] = 0444,
	    [SHIM_ATTR_RECOVERY] = 0644, [SHIM_ATTR_COREDUMP] = 0644, [SHIM_ATTR_TRACE] = 0400};
	char reply[4096];
	if (shim_ctl("status", reply, sizeof(reply)) != 1)
		return fail(ENOENT);
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | modes[a];
	st->st_nlink = 1;
	st->st_size = a == SHIM_ATTR_TRACE ? 0 : 4096; /* what sysfs reports */
	st->st_blksize = 4096;
	char ctl[4096];
	struct stat c; /* the run's start, as the rpmsg bus's nodes show it */
	if (shim_rundir_file(ctl, sizeof(ctl), "control") && shim_libc.stat(ctl, &c) == 0)
		st->st_atim = st->st_mtim = st->st_ctim = c.st_mtim;
	return 0;
}

/* The errno a "sysfs-state" error reply names ("EINVAL: ..."). */
static int reply_errno(const char *reply)
{
	static const struct {
		const char *name;
		int err;
	} names[] = {{"EINVAL:", EINVAL}, {"EBUSY:", EBUSY}, {"EIO:", EIO}, {"ENOENT:", ENOENT}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(reply, names[i].name, strlen(names[i].name)))
			return names[i].err;
	return EIO;
}

/* The name rproc_set_firmware() keeps: up to the first newline (kstrndup stops at a NUL). */
static ssize_t firmware_name(const char *buf, size_t len)
{
	size_t wl = 0;
	while (wl < len && buf[wl] != '\n' && buf[wl] != '\0')
		wl++;
	return wl > SHIM_FW_NAME_MAX ? fail(ENAMETOOLONG) : (ssize_t)wl;
}

/* state_store(), recovery_store(), firmware_store(), coredump_store() of remoteproc_sysfs.c,
 * answered by the daemon. */
ssize_t shim_sysfs_store(enum shim_attr a, const char *buf, size_t len)
{
	char cmd[256], reply[1024];
	const char *word = shim_attr_writable(a);
	ssize_t wl = len > 0 && buf[len - 1] == '\n' ? (ssize_t)len - 1 : (ssize_t)len;
	if (!word)
		return fail(EIO); /* no store: kernfs answers EIO */
	if (a == SHIM_ATTR_FIRMWARE && (wl = firmware_name(buf, len)) < 0)
		return -1;
	/* One word on one line (sysfs_streq()): anything else is no value Linux knows either. */
	if (a != SHIM_ATTR_FIRMWARE &&
	    (wl > 16 || memchr(buf, '\n', (size_t)wl) || memchr(buf, '\0', (size_t)wl)))
		return fail(EINVAL);
	snprintf(cmd, sizeof(cmd), "sysfs-%s %.*s", word, (int)wl, buf);
	int r = shim_ctl(cmd, reply, sizeof(reply));
	if (r < 0)
		return fail(ENODEV); /* the device went away under an open file */
	return r == 1 ? (ssize_t)len : fail(reply_errno(reply));
}
