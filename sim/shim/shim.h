/*
 * libampsim-preload: the LD_PRELOAD library `ampsim exec` runs programs with (docs/exec.md).
 * It serves Linux's device and sysfs paths from a run directory ($AMPSIM_RUN_DIR):
 *
 *   /dev/ttyRPMSG<n>     RUNDIR/ttyRPMSG<n> (the pty; the path is swapped, nothing else)
 *   /dev/rpmsg<n>        RUNDIR/rpmsg<n> (a SOCK_SEQPACKET connection), or an endpoint made
 *                        with RPMSG_CREATE_EPT_IOCTL (a connection to RUNDIR/rpmsg_ctrl0)
 *   /dev/rpmsg_ctrl0     a memfd standing in for the device; its ioctls are emulated
 *   /dev/rpmsg-sdb, /dev/rpmsg_sdb   RUNDIR/rpmsg-sdb through <ampsim/sdb.h>, with ST's
 *                        rpmsg_sdb ioctls and mmap (shim_sdb.c)
 *   /sys/class/remoteproc/remoteproc0/{state,firmware,name,recovery,coredump},
 *   /sys/kernel/debug/remoteproc/remoteproc0/trace0   through RUNDIR/control
 *   /sys/bus/rpmsg, /sys/class/rpmsg, /sys/class/remoteproc and the devices' directories
 *                        under /sys/devices/platform/ahb: a tree with Linux's links
 *                        (shim_bus.c, shim_busfs.c, shim_buswalk.c, shim_busdir.c)
 *
 * Private to the shim; plain C and libc only (it lives inside other people's programs).
 */
#ifndef AMP_SHIM_H
#define AMP_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/types.h>
#include <time.h>

/* ---- libc, the next definitions after ours (shim_libc.c) ------------------------------- */

struct shim_libc {
	int (*open)(const char *, int, ...);
	int (*openat)(int, const char *, int, ...);
	FILE *(*fopen)(const char *, const char *);
	int (*close)(int);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	int (*ioctl)(int, unsigned long, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*fcntl)(int, int, ...);
	int (*stat)(const char *, struct stat *);
	int (*lstat)(const char *, struct stat *);
	int (*fstat)(int, struct stat *);
	ssize_t (*readlink)(const char *, char *, size_t);
	ssize_t (*readlinkat)(int, const char *, char *, size_t);
	char *(*realpath)(const char *, char *);
	int (*fstatat)(int, const char *, struct stat *, int);
	int (*access)(const char *, int);
	int (*faccessat)(int, const char *, int, int);
	int (*statx)(int, const char *, int, unsigned, struct statx *);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*munmap)(void *, size_t);
};

/** Filled by the library's constructor, before main() runs. */
extern struct shim_libc shim_libc;
/** Fill shim_libc now if it is not yet (another library's constructor may call us first). */
void shim_resolve(void);

/* ---- the paths the shim owns (shim_path.c) --------------------------------------------- */

enum shim_path_kind {
	SHIM_PATH_NONE, /* not ours: libc as is */
	SHIM_PATH_TTY,	/* /dev/ttyRPMSG<n> */
	SHIM_PATH_EPT,	/* /dev/rpmsg<n> */
	SHIM_PATH_CTRL, /* /dev/rpmsg_ctrl<n> */
	SHIM_PATH_ATTR, /* a remoteproc0 sysfs attribute, or debugfs trace0 */
	SHIM_PATH_SDB,	/* /dev/rpmsg-sdb, /dev/rpmsg_sdb */
	SHIM_PATH_BUS,	/* under /sys/bus/rpmsg, /sys/class/rpmsg or the devices' own directory */
};

#define SHIM_BUS_PATH 256 /* a canonical sysfs path of the shim's: the deepest is ~170 bytes */

enum shim_attr {
	SHIM_ATTR_STATE,
	SHIM_ATTR_FIRMWARE,
	SHIM_ATTR_NAME,
	SHIM_ATTR_RECOVERY,
	SHIM_ATTR_COREDUMP,
	SHIM_ATTR_TRACE /* last: the others are remoteproc0's, in /sys/class */
};

/** The word of a writable attribute ("state", "recovery", "firmware", "coredump"), or NULL. */
const char *shim_attr_writable(enum shim_attr a);

struct shim_path {
	enum shim_path_kind kind;
	unsigned index;		  /* n, or enum shim_attr */
	char path[SHIM_BUS_PATH]; /* SHIM_PATH_BUS: absolute, as given or joined to its
				     directory descriptor's or the shim's cwd; "" when too long.
				     SHIM_PATH_NONE: "" (libc gets the caller's path), or the
				     absolute path a relative one led to out of the tree */
};

/**
 * Classify @p path. Only while $AMPSIM_RUN_DIR is set: absolute paths, the devices' spelled
 * exactly, and paths relative to a sysfs directory descriptor the shim opened (@p dirfd) or,
 * for AT_FDCWD, to the shim's working directory; everything else is SHIM_PATH_NONE.
 */
struct shim_path shim_path_classify(int dirfd, const char *path);

/** The path libc must get for a SHIM_PATH_NONE @p p that the caller named @p path. */
#define SHIM_LIBC_PATH(p, path) ((p).path[0] ? (const char *)(p).path : (path))

/* ---- the working directory inside the sysfs tree (shim_cwd.c) ---------------------------- */

/** The shim's working directory (a canonical path of its tree) into @p out; false when the
 * process's real one applies. */
bool shim_cwd_get(char out[SHIM_BUS_PATH]);
/** At load: take the working directory the parent had in the tree (PWD, AMPSIM_CWD). */
void shim_cwd_inherit(void);

/** "RUNDIR/name" into @p out; false if it does not fit. */
bool shim_rundir_file(char *out, size_t len, const char *name);

/* ---- POLLOUT: a free TX buffer (shim_poll.c, shim_epoll.c) -------------------------------- */

/** Is @p fd a /dev/rpmsgN the shim made (a channel's or an endpoint's, not destroyed)? */
bool shim_is_ept(int fd);
/**
 * RUNDIR/txfree opened for the caller (close it) if it is empty: no TX buffer is free.
 * -1 otherwise: a buffer may be free, or no daemon says (the socket's POLLOUT is right).
 */
int shim_tx_busy_signal(void);
/** Is no TX buffer free (RUNDIR/txfree empty)? errno is kept. */
bool shim_tx_busy(void);
/** @p end = now + @p tmo (CLOCK_MONOTONIC); the time left until it (>= 0); is it past? */
void shim_time_end(const struct timespec *tmo, struct timespec *end);
struct timespec shim_time_left(const struct timespec *end);
bool shim_time_over(const struct timespec *end);

/* ---- descriptors the shim made (shim_fd.c) ----------------------------------------------- */

enum shim_fd_kind {
	SHIM_FD_EPT,	/* an announced channel's /dev/rpmsgN: the default endpoint */
	SHIM_FD_EPTDEV, /* a /dev/rpmsgM made through RPMSG_CREATE_EPT_IOCTL */
	SHIM_FD_CTRL,	/* /dev/rpmsg_ctrl0 */
	SHIM_FD_ATTR,	/* a sysfs attribute open for writing */
	SHIM_FD_SDB,	/* /dev/rpmsg-sdb: a dup of the sdb client library's socket */
	SHIM_FD_BUS,	/* a /sys/bus/rpmsg attribute open for writing (index: SHIM_BUS_W_*) */
	SHIM_FD_TTY,	/* /dev/ttyRPMSG<n>: the pty itself; only write() and writev() look */
	SHIM_FD_DIR,	/* a directory of the rpmsg bus in sysfs (path: its canonical path) */
	SHIM_FD_FILE,	/* a sysfs attribute open for reading: a memfd of its text; only fstat(),
			   lseek() and read() look (path: the bus attribute's, or "" and index:
			   enum shim_attr; destroyed: its reads fail with EIO) */
};

#define SHIM_BUS_NAME 96 /* "virtio0.<name>.<src>.<dst>" */

struct shim_fd {
	int fd;
	enum shim_fd_kind kind;
	unsigned index; /* the eptdev's minor, or enum shim_attr */
	size_t mtu;	/* 0: unknown, not checked */
	bool destroyed; /* RPMSG_DESTROY_EPT_IOCTL: reads and writes fail with EPIPE */
	dev_t dev;	/* what fd referred to when tracked: a closed and reused number */
	ino_t ino;	/* (close_range, a raw syscall) is told apart and forgotten */
	char target[SHIM_BUS_NAME]; /* SHIM_FD_BUS: the device a driver_override is of */
	char path[SHIM_BUS_PATH];   /* SHIM_FD_DIR: the directory */
};

/** Remember @p f (fd >= 0); false (errno ENFILE) when the table is full. */
bool shim_fd_track(const struct shim_fd *f);
/** Copy out what is known of @p fd; false for a descriptor the shim did not make. */
bool shim_fd_get(int fd, struct shim_fd *out);
/** @p fd is being closed or replaced: forget it. */
void shim_fd_forget(int fd);
/** @p newfd is a duplicate of @p oldfd (dup, dup2, dup3, F_DUPFD). */
void shim_fd_copy(int oldfd, int newfd);
/** Mark every descriptor of /dev/rpmsg<minor> (a channel's, unbound) destroyed and shut down. */
void shim_fd_destroy_minor(unsigned minor);
/** Mark every descriptor of eptdev @p minor destroyed and shut its connection down. */
void shim_fd_destroy_eptdev(unsigned minor);
/** Is some descriptor with this inode still tracked? */
bool shim_fd_ino_tracked(dev_t dev, ino_t ino);
/** Is some open descriptor on eptdev @p minor (Linux allows one open at a time)? */
bool shim_fd_eptdev_busy(unsigned minor);

/* ---- endpoints made through /dev/rpmsg_ctrl0 (shim_fd.c) --------------------------------- */

#define SHIM_MAX_EPTDEVS 32 /* DAEMON_MAX_INDEX: minors past it could not be named */

struct shim_eptdev {
	unsigned minor;
	char name[32];
	uint32_t src, dst;
	bool channel; /* RPMSG_CREATE_DEV_IOCTL's rpmsg-raw channel: its default endpoint */
};

/** RPMSG_CREATE_EPT_IOCTL (@p channel false) or RPMSG_CREATE_DEV_IOCTL (true): record it
 * under a free minor; false (errno) if none. */
bool shim_eptdev_add(const char name[32], uint32_t src, uint32_t dst, bool channel,
		     unsigned *minor);
/** A channel made by RPMSG_CREATE_DEV_IOCTL that rpmsg_device_match() would find for
 * @p name, @p src, @p dst (RPMSG_ADDR_ANY matches any address); its minor in *@p minor. */
bool shim_channel_find(const char *name, uint32_t src, uint32_t dst, unsigned *minor);
bool shim_eptdev_get(unsigned minor, struct shim_eptdev *out);
void shim_eptdev_remove(unsigned minor);

#define SHIM_MAX_CREATED 16

/*
 * RPMSG_CREATE_DEV_IOCTL of a name that is not rpmsg-raw: an rpmsg device on the bus that no
 * driver of the shim's probes (docs/exec.md), until it is bound to rpmsg_chrdev.
 */
bool shim_created_add(const char name[32], uint32_t src, uint32_t dst);
/** The one rpmsg_device_match() finds for @p name, @p src, @p dst (RPMSG_ADDR_ANY: any);
 * its slot in *@p slot. */
bool shim_created_find(const char *name, uint32_t src, uint32_t dst, unsigned *slot);
bool shim_created_get(unsigned slot, struct shim_eptdev *out);
void shim_created_remove(unsigned slot);

/* ---- the devices (shim_dev.c) and sysfs (shim_sysfs.c) ------------------------------------ */

/** The MTU of the run's channels (`ampsim ctl status`); 0 when it does not say. */
size_t shim_run_mtu(void);
/** At load: track the descriptors of ours this process inherited through exec. */
void shim_inherit(void);
/** open() of a path shim_path_classify() claimed; -1 with errno as Linux would set it. */
int shim_dev_open(struct shim_path p, int flags, mode_t mode);
/** stat() of such a path (@p follow: not lstat). */
int shim_dev_stat(struct shim_path p, struct stat *st, bool follow);
/** access() of such a path. */
int shim_dev_access(struct shim_path p, int mode);
/** ioctl() on a descriptor the shim made. */
int shim_dev_ioctl(const struct shim_fd *f, unsigned long req, void *arg);
/** read()/readv() and write()/writev() on a descriptor the shim made: one message each. */
ssize_t shim_dev_readv(const struct shim_fd *f, const struct iovec *iov, int cnt);
ssize_t shim_dev_writev(const struct shim_fd *f, const struct iovec *iov, int cnt);

int shim_sysfs_open(enum shim_attr a, int flags);
int shim_sysfs_stat(enum shim_attr a, struct stat *st);
/** A write to attribute @p a (Linux's *_store): @p len, or -1 with errno. */
ssize_t shim_sysfs_store(enum shim_attr a, const char *buf, size_t len);

/** A connection to RUNDIR/control from the abstract address @p self (NULL: none); -1 with
 * errno when no run listens. */
int shim_ctl_connect(bool cloexec, const char *self);
/**
 * Send @p cmd to RUNDIR/control and read the reply (without its status line) into @p out.
 * 1: "ok"; 0: "error: ..." (the text in @p out); -1 (errno) when no run answers.
 */
int shim_ctl(const char *cmd, char *out, size_t len);
/** The value of "key: value" in a `ctl status` reply, into @p out; false if absent. */
bool shim_status_field(const char *status, const char *key, char *out, size_t len);

/** /dev/rpmsg_ctrl<n> is there (the run's RUNDIR/rpmsg_ctrl0). */
bool shim_ctrl_present(unsigned n);

/* ---- the rpmsg bus in sysfs (shim_bus.c, shim_busfs.c) ---------------------------------- */

#define SHIM_BUS_MAX_DEVS 40

struct shim_bus_dev {
	char dir[SHIM_BUS_NAME]; /* virtio0.<name>.<src>.<dst> */
	char name[32];
	char override[32];  /* the process's driver_override; "" none */
	uint32_t src, dst;  /* the endpoint's address, the remote's */
	const char *driver; /* rpmsg_chrdev, rpmsg_ctrl, rpmsg_tty, rpmsg_sdb; NULL unbound */
	int chr;	    /* rpmsg_chrdev's /dev/rpmsg<chr>; -1 none */
};

struct shim_bus_snap {
	struct shim_bus_dev dev[SHIM_BUS_MAX_DEVS];
	unsigned n;
	bool run; /* a run answered: remoteproc0 and its devices are there */
};

enum { SHIM_BUS_W_OVERRIDE, SHIM_BUS_W_BIND, SHIM_BUS_W_UNBIND };

/** Is @p path /sys/bus/rpmsg, /sys/class/rpmsg, the devices' directory or under them? */
bool shim_bus_owns(const char *path);
/** The devices now: the firmware's channels, rpmsg_ctrl, rpmsg_ns, the process's own. */
void shim_bus_snapshot(struct shim_bus_snap *s);
const struct shim_bus_dev *shim_bus_find(const struct shim_bus_snap *s, const char *dir,
					 size_t len);
/** A channel the firmware announced, on the bus, that rpmsg_device_match() finds. */
bool shim_bus_fw_channel_find(const char *name, uint32_t src, uint32_t dst);
/**
 * RPMSG_RELEASE_DEV_IOCTL of such a channel: rpmsg_unregister_device(), for the run (its
 * /dev/rpmsg<n> goes, open descriptors read and write EPIPE); -1 + EINVAL if none matches.
 */
int shim_bus_release(const char *name, uint32_t src, uint32_t dst);
/** Did the process unbind (or release) the channel of /dev/rpmsg<minor>? */
bool shim_bus_minor_unbound(unsigned minor);
/** A write to a driver_override, bind or unbind descriptor. */
ssize_t shim_bus_store(const struct shim_fd *f, const char *buf, size_t len);
/**
 * A /sys/bus/rpmsg writer is being closed or replaced: what was written into it without the
 * shim seeing it (glibc's stdio writes through an internal write: bash's echo, /bin/echo)
 * is stored now, as one write; its error cannot reach the writer.
 */
void shim_bus_flush(const struct shim_fd *f);

/*
 * The sysfs tree (shim_busfs.c). Paths are absolute; "." and ".." and the tree's symbolic
 * links (devices/X, driver, subsystem, the class devices) are resolved as the kernel's path
 * walk does, the last component's link only when @p follow.
 */
int shim_bus_open(const char *path, int flags);
int shim_bus_stat(const char *path, struct stat *st, bool follow);
/** readlink(): the link's text, not NUL-terminated, truncated to @p len; -1 + errno. */
ssize_t shim_bus_readlink(const char *path, char *buf, size_t len);
/**
 * The canonical form of @p path (every link followed) into @p out: 1 when it is the
 * shim's, 0 when it leads out of its tree (@p out is then the path for libc), -1 + errno.
 */
int shim_bus_canon(const char *path, char out[SHIM_BUS_PATH]);
/** The enum shim_attr of remoteproc0's attribute @p path names (through the class's link,
 * or in its device directory); -1 for any other path. */
int shim_bus_rproc_attr(const char *path);

#define SHIM_BUS_ENTRIES 96

struct shim_bus_entries {
	char names[4096];		      /* NUL-separated */
	unsigned char type[SHIM_BUS_ENTRIES]; /* DT_DIR, DT_REG, DT_LNK */
	unsigned count;
};

/** The entries of directory @p canon (a canonical path); false + errno (ENOENT, ENOTDIR). */
bool shim_bus_list(const char *canon, struct shim_bus_entries *e);

/** opendir() and fdopendir() of a directory of ours (shim_busdir.c): NULL + errno. */
void *shim_bus_opendir(const char *path);

/* ---- /dev/rpmsg-sdb (shim_sdb.c) ---------------------------------------------------------- */

/** open(): a connection to RUNDIR/rpmsg-sdb, tracked as SHIM_FD_SDB; -1 with errno. */
int shim_sdb_open(int flags);
/** The program closed @p f (already forgotten and closed): release at the last one. */
void shim_sdb_closed(const struct shim_fd *f);
/** RPMSG_SDB_IOCTL_SET_EFD, RPMSG_SDB_IOCTL_GET_DATA_SIZE; others fail with EINVAL. */
int shim_sdb_ioctl(const struct shim_fd *f, unsigned long req, void *arg);
/** mmap() on @p f: allocate the buffer SET_EFD announced and map it; MAP_FAILED + errno. */
void *shim_sdb_mmap(const struct shim_fd *f, void *addr, size_t len, int prot, int flags,
		    off_t off);
/** munmap(): true if @p addr is an sdb buffer (*@p rc set), false to pass it on. */
bool shim_sdb_munmap(void *addr, size_t len, int *rc);

#endif /* AMP_SHIM_H */
