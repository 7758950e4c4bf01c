/*
 * The libc entry points the shim defines. Each passes a path or descriptor that is not the
 * shim's to the next definition (libc's) unchanged, errno included.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

struct shim_libc shim_libc;

#define RESOLVE(name) shim_libc.name = (__typeof__(shim_libc.name))dlsym(RTLD_NEXT, #name)

/* Called by every wrapper: another library's constructor may run before ours. */
static void resolve(void)
{
	if (shim_libc.write)
		return;
	RESOLVE(open);
	RESOLVE(openat);
	RESOLVE(fopen);
	RESOLVE(close);
	RESOLVE(read);
	RESOLVE(ioctl);
	RESOLVE(dup);
	RESOLVE(dup2);
	RESOLVE(dup3);
	RESOLVE(fcntl);
	RESOLVE(stat);
	RESOLVE(lstat);
	RESOLVE(fstat);
	RESOLVE(readlink);
	RESOLVE(readlinkat);
	RESOLVE(realpath);
	RESOLVE(fstatat);
	RESOLVE(access);
	RESOLVE(faccessat);
	RESOLVE(statx);
	RESOLVE(mmap);
	RESOLVE(munmap);
	RESOLVE(sendmsg);
	RESOLVE(recvmsg);
	RESOLVE(write); /* last: it says all are there */
}

void shim_resolve(void)
{
	resolve();
}

__attribute__((constructor)) static void shim_init(void)
{
	resolve();
	shim_inherit();
	shim_cwd_inherit();
}

/* A descriptor the shim serves itself: every one it made but the tty (the pty as it is). */
static bool served(int fd, struct shim_fd *f)
{
	if (!shim_fd_get(fd, f)) {
		f->kind = SHIM_FD_EPT; /* not ours: nothing else looks at it */
		f->destroyed = false;
		return false;
	}
	return f->kind != SHIM_FD_TTY && f->kind != SHIM_FD_FILE;
}

/* ---- open --------------------------------------------------------------------------------- */

static int do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	resolve();
	struct shim_path p = shim_path_classify(dirfd, path);
	if (p.kind != SHIM_PATH_NONE)
		return shim_dev_open(p, flags, mode);
	return shim_libc.openat(dirfd, SHIM_LIBC_PATH(p, path), flags, mode);
}

/* The mode argument is there only with O_CREAT or O_TMPFILE (as glibc reads it). */
#define OPEN_MODE(flags, last)                  \
	mode_t mode = 0;                        \
	if ((flags) & (O_CREAT | O_TMPFILE)) {  \
		va_list ap;                     \
		va_start(ap, last);             \
		mode = (mode_t)va_arg(ap, int); \
		va_end(ap);                     \
	}

SHIM_EXPORT int open(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_openat(AT_FDCWD, path, flags, mode);
}

SHIM_EXPORT int open64(const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, mode);
}

SHIM_EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_openat(dirfd, path, flags, mode);
}

SHIM_EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	OPEN_MODE(flags, flags);
	return do_openat(dirfd, path, flags | O_LARGEFILE, mode);
}

/* _FORTIFY_SOURCE's checked forms (declared by <fcntl.h> only under _FORTIFY_SOURCE). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
SHIM_EXPORT int __open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

SHIM_EXPORT int __open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags | O_LARGEFILE, 0);
}

SHIM_EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags, 0);
}

SHIM_EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	return do_openat(dirfd, path, flags | O_LARGEFILE, 0);
}

/* ---- stdio: a shim descriptor behind a FILE, its reads and writes through the shim ------- */

static ssize_t cookie_read(void *c, char *buf, size_t len)
{
	return read((int)(intptr_t)c, buf, len);
}

static ssize_t cookie_write(void *c, const char *buf, size_t len)
{
	ssize_t n = write((int)(intptr_t)c, buf, len);
	return n < 0 ? 0 : n; /* fopencookie: 0 is the error; errno stays */
}

static int cookie_close(void *c)
{
	return close((int)(intptr_t)c);
}

static int mode_flags(const char *mode)
{
	int flags = strchr(mode, '+') ? O_RDWR : (mode[0] == 'r' ? O_RDONLY : O_WRONLY);
	if (mode[0] == 'w')
		flags |= O_CREAT | O_TRUNC;
	if (mode[0] == 'a')
		flags |= O_CREAT | O_APPEND;
	if (strchr(mode, 'e'))
		flags |= O_CLOEXEC;
	return flags;
}

static FILE *do_fopen(const char *path, const char *mode)
{
	resolve();
	struct shim_path p = shim_path_classify(AT_FDCWD, path);
	if (p.kind == SHIM_PATH_NONE || !mode)
		return shim_libc.fopen(SHIM_LIBC_PATH(p, path), mode);
	int fd = shim_dev_open(p, mode_flags(mode), 0666);
	if (fd < 0)
		return NULL;
	struct shim_fd f;
	FILE *fp;
	if (served(fd, &f)) {
		cookie_io_functions_t io = {
		    .read = cookie_read, .write = cookie_write, .close = cookie_close};
		fp = fopencookie((void *)(intptr_t)fd, mode, io);
	} else {
		fp = fdopen(fd, mode);
	}
	if (!fp) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return fp;
}

SHIM_EXPORT FILE *fopen(const char *path, const char *mode)
{
	return do_fopen(path, mode);
}

SHIM_EXPORT FILE *fopen64(const char *path, const char *mode)
{
	return do_fopen(path, mode);
}

/* ---- stat and access ---------------------------------------------------------------------- */

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "stat64 is stat on this ABI");

SHIM_EXPORT int stat(const char *path, struct stat *st)
{
	resolve();
	struct shim_path p = shim_path_classify(AT_FDCWD, path);
	return p.kind ? shim_dev_stat(p, st, true) : shim_libc.stat(SHIM_LIBC_PATH(p, path), st);
}

SHIM_EXPORT int stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

SHIM_EXPORT int lstat(const char *path, struct stat *st)
{
	resolve();
	struct shim_path p = shim_path_classify(AT_FDCWD, path);
	return p.kind ? shim_dev_stat(p, st, false) : shim_libc.lstat(SHIM_LIBC_PATH(p, path), st);
}

SHIM_EXPORT int lstat64(const char *path, struct stat64 *st)
{
	return lstat(path, (struct stat *)st);
}

/* "" names the directory itself only with AT_EMPTY_PATH; libc says ENOENT otherwise. */
static struct shim_path classify_at(int dirfd, const char *path, int flags)
{
	if (path && !path[0])
		return (flags & AT_EMPTY_PATH) ? shim_path_classify(dirfd, ".") /* the directory */
					       : (struct shim_path){.kind = SHIM_PATH_NONE};
	return shim_path_classify(dirfd, path);
}

SHIM_EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	resolve();
	struct shim_path p = classify_at(dirfd, path, flags);
	if (p.kind)
		return shim_dev_stat(p, st, !(flags & AT_SYMLINK_NOFOLLOW));
	return shim_libc.fstatat(dirfd, SHIM_LIBC_PATH(p, path), st, flags);
}

SHIM_EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return fstatat(dirfd, path, (struct stat *)st, flags);
}

static struct statx_timestamp ts(struct timespec t)
{
	return (struct statx_timestamp){.tv_sec = t.tv_sec, .tv_nsec = (uint32_t)t.tv_nsec};
}

/* ls and stat(1) ask statx. */
SHIM_EXPORT int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	resolve();
	struct shim_path p = classify_at(dirfd, path, flags);
	if (!p.kind)
		return shim_libc.statx(dirfd, SHIM_LIBC_PATH(p, path), flags, mask, stx);
	struct stat st;
	if (shim_dev_stat(p, &st, !(flags & AT_SYMLINK_NOFOLLOW)) != 0)
		return -1;
	*stx = (struct statx){
	    .stx_mask = STATX_BASIC_STATS,
	    .stx_blksize = (uint32_t)st.st_blksize,
	    .stx_nlink = (uint32_t)st.st_nlink,
	    .stx_uid = st.st_uid,
	    .stx_gid = st.st_gid,
	    .stx_mode = (uint16_t)st.st_mode,
	    .stx_ino = st.st_ino,
	    .stx_size = (uint64_t)st.st_size,
	    .stx_blocks = (uint64_t)st.st_blocks,
	    .stx_atime = ts(st.st_atim),
	    .stx_ctime = ts(st.st_ctim),
	    .stx_mtime = ts(st.st_mtim),
	    .stx_rdev_major = major(st.st_rdev),
	    .stx_rdev_minor = minor(st.st_rdev),
	    .stx_dev_major = major(st.st_dev),
	    .stx_dev_minor = minor(st.st_dev),
	};
	return 0;
}

/* A sysfs directory the shim opened (find fstat()s each one it opens). */
SHIM_EXPORT int fstat(int fd, struct stat *st)
{
	resolve();
	struct shim_fd f;
	struct stat mem;
	if (!shim_fd_get(fd, &f) || (f.kind != SHIM_FD_DIR && f.kind != SHIM_FD_FILE))
		return shim_libc.fstat(fd, st);
	if (f.kind == SHIM_FD_DIR)
		return shim_bus_stat(f.path, st, true);
	/* An attribute: the node stat() of its path gives (cp compares the two), 4096 bytes
	 * as sysfs says whatever the text (readers read to the end of file). */
	if (shim_libc.fstat(fd, &mem) != 0)
		return -1;
	return f.path[0] ? shim_bus_stat(f.path, st, true)
			 : shim_sysfs_stat((enum shim_attr)f.index, st);
}

/*
 * An attribute's file is 4096 bytes long as sysfs says (fstat above), its text shorter: a
 * reader that looks for holes (cp: st_blocks is 0) finds data up to 4096, as in sysfs, and
 * reads to the end of the text instead of taking the rest for a hole to recreate.
 */
static off_t attr_lseek(int fd, off_t off, int whence)
{
	static __typeof__(lseek) *next;
	if (!next)
		next = (__typeof__(lseek) *)dlsym(RTLD_NEXT, "lseek");
	struct shim_fd f;
	if ((whence != SEEK_DATA && whence != SEEK_HOLE && whence != SEEK_END) ||
	    !shim_fd_get(fd, &f) || f.kind != SHIM_FD_FILE ||
	    (f.path[0] == '\0' && f.index == SHIM_ATTR_TRACE))
		return next(fd, off, whence);
	if (whence == SEEK_END)
		return next(fd, 4096 + off, SEEK_SET);
	if (off < 0 || off >= 4096) {
		errno = off < 0 ? EINVAL : ENXIO;
		return -1;
	}
	return next(fd, whence == SEEK_DATA ? off : 4096, SEEK_SET);
}

SHIM_EXPORT off_t lseek(int fd, off_t off, int whence)
{
	return attr_lseek(fd, off, whence);
}

SHIM_EXPORT off64_t lseek64(int fd, off64_t off, int whence)
{
	return attr_lseek(fd, off, whence);
}

SHIM_EXPORT int fstat64(int fd, struct stat64 *st)
{
	return fstat(fd, (struct stat *)st);
}

SHIM_EXPORT int access(const char *path, int mode)
{
	resolve();
	struct shim_path p = shim_path_classify(AT_FDCWD, path);
	return p.kind ? shim_dev_access(p, mode) : shim_libc.access(SHIM_LIBC_PATH(p, path), mode);
}

SHIM_EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	resolve();
	struct shim_path p = shim_path_classify(dirfd, path);
	return p.kind ? shim_dev_access(p, mode)
		      : shim_libc.faccessat(dirfd, SHIM_LIBC_PATH(p, path), mode, flags);
}

SHIM_EXPORT int euidaccess(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS);
}

SHIM_EXPORT int eaccess(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS);
}

/* ---- descriptors -------------------------------------------------------------------------- */

SHIM_EXPORT int close(int fd)
{
	resolve();
	struct shim_fd f;
	bool known = shim_fd_get(fd, &f), sdb = known && f.kind == SHIM_FD_SDB;
	if (known && f.kind == SHIM_FD_BUS)
		shim_bus_flush(&f); /* what a write the shim did not see left there */
	shim_fd_forget(fd);	    /* first: once closed, the number may be another thread's */
	int rc = shim_libc.close(fd);
	if (sdb && rc == 0)
		shim_sdb_closed(&f); /* not in a signal handler: only /dev/rpmsg-sdb takes a lock */
	return rc;
}

SHIM_EXPORT int dup(int fd)
{
	resolve();
	int n = shim_libc.dup(fd);
	if (n >= 0)
		shim_fd_copy(fd, n);
	return n;
}

/* @p fd2 is about to be replaced: a /sys/bus/rpmsg writer there is closed by it. */
static void before_replace(int fd2)
{
	struct shim_fd f;
	if (shim_fd_get(fd2, &f) && f.kind == SHIM_FD_BUS)
		shim_bus_flush(&f);
}

SHIM_EXPORT int dup2(int fd, int fd2)
{
	resolve();
	if (fd != fd2)
		before_replace(fd2);
	int n = shim_libc.dup2(fd, fd2);
	if (n >= 0 && fd != fd2)
		shim_fd_copy(fd, n);
	return n;
}

SHIM_EXPORT int dup3(int fd, int fd2, int flags)
{
	resolve();
	before_replace(fd2);
	int n = shim_libc.dup3(fd, fd2, flags);
	if (n >= 0)
		shim_fd_copy(fd, n);
	return n;
}

static int do_fcntl(int fd, int cmd, void *arg)
{
	resolve();
	int n = shim_libc.fcntl(fd, cmd, arg);
	if (n >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		shim_fd_copy(fd, n);
	return n;
}

/* Every fcntl argument is an int or a pointer: passed on in a register either way. */
SHIM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

SHIM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

SHIM_EXPORT int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	va_start(ap, req);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	resolve();
	struct shim_fd f;
	if (served(fd, &f))
		return shim_dev_ioctl(&f, req, arg);
	return shim_libc.ioctl(fd, req, arg);
}

/*
 * rpmsg_tty_write(): rpmsg_trysend()'s ENOMEM, when no TX buffer is free, is what n_tty_write()
 * returns to any writer, blocking or not (its write_room is the MTU, so it never waits).
 */
static bool tty_refuses(int fd)
{
	struct shim_fd f;
	if (!shim_fd_get(fd, &f) || f.kind != SHIM_FD_TTY || !shim_tx_busy())
		return false;
	errno = ENOMEM;
	return true;
}

/* A sysfs attribute whose show() fails (power/autosuspend_delay_ms): EIO, as kernfs. */
static bool read_fails(const struct shim_fd *f)
{
	if (f->kind != SHIM_FD_FILE || !f->destroyed)
		return false;
	errno = EIO;
	return true;
}

SHIM_EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	resolve();
	struct shim_fd f;
	if (served(fd, &f))
		return shim_dev_readv(&f, &(struct iovec){.iov_base = buf, .iov_len = len}, 1);
	if (read_fails(&f))
		return -1;
	return shim_libc.read(fd, buf, len);
}

SHIM_EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	resolve();
	struct shim_fd f;
	if (served(fd, &f))
		return shim_dev_writev(&f, &(struct iovec){.iov_base = (void *)buf, .iov_len = len},
				       1);
	if (len > 0 && tty_refuses(fd))
		return -1;
	return shim_libc.write(fd, buf, len);
}

/* rpmsg_char's read_iter and write_iter: readv and writev are one message, as read and write. */
static ssize_t (*libc_readv)(int, const struct iovec *, int);
static ssize_t (*libc_writev)(int, const struct iovec *, int);

SHIM_EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	resolve();
	struct shim_fd f;
	if (served(fd, &f))
		return shim_dev_readv(&f, iov, cnt);
	if (read_fails(&f))
		return -1;
	if (!libc_readv)
		libc_readv = (__typeof__(libc_readv))dlsym(RTLD_NEXT, "readv");
	return libc_readv(fd, iov, cnt);
}

SHIM_EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	resolve();
	struct shim_fd f;
	if (served(fd, &f))
		return shim_dev_writev(&f, iov, cnt);
	if (cnt > 0 && tty_refuses(fd))
		return -1;
	if (!libc_writev)
		libc_writev = (__typeof__(libc_writev))dlsym(RTLD_NEXT, "writev");
	return libc_writev(fd, iov, cnt);
}

/*
 * The socket calls on a device: Linux's character devices are not sockets (ENOTSOCK), even
 * where the shim's descriptor is one underneath. Everything else goes to libc.
 */
static bool not_a_socket(int fd)
{
	struct shim_fd f;
	resolve();
	if (!served(fd, &f))
		return false;
	errno = ENOTSOCK;
	return true;
}

#define SOCKCALL(ret, name, params, args)                                 \
	SHIM_EXPORT ret name params                                       \
	{                                                                 \
		static ret(*next) params;                                 \
		if (not_a_socket(fd))                                     \
			return -1;                                        \
		if (!next)                                                \
			next = (__typeof__(next))dlsym(RTLD_NEXT, #name); \
		return next args;                                         \
	}

SOCKCALL(ssize_t, send, (int fd, const void *buf, size_t len, int flags), (fd, buf, len, flags))
SOCKCALL(ssize_t, recv, (int fd, void *buf, size_t len, int flags), (fd, buf, len, flags))
SOCKCALL(ssize_t, sendto,
	 (int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tl),
	 (fd, buf, len, flags, to, tl))
SOCKCALL(ssize_t, recvfrom,
	 (int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fl),
	 (fd, buf, len, flags, from, fl))
SOCKCALL(ssize_t, sendmsg, (int fd, const struct msghdr *m, int flags), (fd, m, flags))
SOCKCALL(ssize_t, recvmsg, (int fd, struct msghdr *m, int flags), (fd, m, flags))

/* ---- mappings (/dev/rpmsg-sdb's buffers) -------------------------------------------------- */

static void *do_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	resolve();
	struct shim_fd f;
	if (fd >= 0 && !(flags & MAP_ANONYMOUS) && shim_fd_get(fd, &f) && f.kind == SHIM_FD_SDB)
		return shim_sdb_mmap(&f, addr, len, prot, flags, off);
	return shim_libc.mmap(addr, len, prot, flags, fd, off);
}

SHIM_EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return do_mmap(addr, len, prot, flags, fd, off);
}

SHIM_EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	return do_mmap(addr, len, prot, flags, fd, (off_t)off);
}

SHIM_EXPORT int munmap(void *addr, size_t len)
{
	resolve();
	int rc;
	if (shim_sdb_munmap(addr, len, &rc))
		return rc;
	return shim_libc.munmap(addr, len);
}
