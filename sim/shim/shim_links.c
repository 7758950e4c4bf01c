/*
 * Links and extended attributes of the shim's paths: readlink() and realpath() (ls -l,
 * readlink -f, realpath) see the sysfs links of shim_busfs.c; getxattr() and listxattr()
 * (ls -l's ACL and SELinux look) find none, as on sysfs. Other paths go to libc unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

/* ---- links: ls -l, readlink(1), realpath(3) ---------------------------------------------- */

/* A device path of the shim's is no link (EINVAL), if it is there. */
static ssize_t shim_readlink(struct shim_path p, char *buf, size_t len)
{
	struct stat st;
	if (p.kind == SHIM_PATH_BUS)
		return shim_bus_readlink(p.path, buf, len);
	if (shim_dev_stat(p, &st, false) != 0)
		return -1;
	errno = EINVAL;
	return -1;
}

SHIM_EXPORT ssize_t readlink(const char *path, char *buf, size_t len)
{
	shim_resolve();
	struct shim_path p = shim_path_classify(AT_FDCWD, path);
	return p.kind ? shim_readlink(p, buf, len)
		      : shim_libc.readlink(SHIM_LIBC_PATH(p, path), buf, len);
}

SHIM_EXPORT ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t len)
{
	shim_resolve();
	struct shim_path p = shim_path_classify(dirfd, path);
	return p.kind ? shim_readlink(p, buf, len)
		      : shim_libc.readlinkat(dirfd, SHIM_LIBC_PATH(p, path), buf, len);
}

/* glibc's realpath reads links through internal calls: the shim's paths are walked here. */
SHIM_EXPORT char *realpath(const char *path, char *out)
{
	shim_resolve();
	struct shim_path p = shim_path_classify(AT_FDCWD, path);
	char canon[SHIM_BUS_PATH];
	struct stat st;
	int r = 1;
	if (!p.kind)
		return shim_libc.realpath(SHIM_LIBC_PATH(p, path), out);
	if (p.kind == SHIM_PATH_BUS)
		r = shim_bus_canon(p.path, canon);
	else if (shim_dev_stat(p, &st, true) == 0)
		snprintf(canon, sizeof(canon), "%s", path); /* /dev/rpmsg0 is what it says */
	else
		r = -1;
	if (r < 0)
		return NULL;
	if (r == 0) /* it led out of the shim's tree: the rest is the PC's */
		return shim_libc.realpath(canon, out);
	if (!out)
		return strdup(canon);
	return strcpy(out, canon); /* PATH_MAX bytes, as realpath's caller provides */
}

SHIM_EXPORT char *canonicalize_file_name(const char *path)
{
	return realpath(path, NULL);
}

char *__realpath_chk(const char *path, char *out, size_t outlen);
SHIM_EXPORT char *__realpath_chk(const char *path, char *out, size_t outlen)
{
	(void)outlen; /* glibc aborts below PATH_MAX; the shim's paths are shorter */
	return realpath(path, out);
}

/* ---- extended attributes ------------------------------------------------------------------ */

/* Is @p p there? The shim's paths have no extended attribute (sysfs: no ACL, no label here). */
static bool no_xattr(struct shim_path p)
{
	struct stat st;
	return shim_dev_stat(p, &st, true) == 0;
}

static bool dir_fd(int fd)
{
	struct shim_fd f;
	return shim_fd_get(fd, &f) && f.kind == SHIM_FD_DIR;
}

#define LIBC_NEXT(name)                \
	static __typeof__(name) *next; \
	if (!next)                     \
		next = (__typeof__(name) *)dlsym(RTLD_NEXT, #name);

#define GETXATTR(name, follow)                                                              \
	SHIM_EXPORT ssize_t name(const char *path, const char *attr, void *val, size_t len) \
	{                                                                                   \
		shim_resolve();                                                             \
		struct shim_path p = shim_path_classify(AT_FDCWD, path);                    \
		LIBC_NEXT(name)                                                             \
		if (!p.kind)                                                                \
			return next(SHIM_LIBC_PATH(p, path), attr, val, len);               \
		errno = no_xattr(p) ? ENODATA : errno;                                      \
		return -1;                                                                  \
	}

#define LISTXATTR(name)                                                    \
	SHIM_EXPORT ssize_t name(const char *path, char *list, size_t len) \
	{                                                                  \
		shim_resolve();                                            \
		struct shim_path p = shim_path_classify(AT_FDCWD, path);   \
		LIBC_NEXT(name)                                            \
		if (!p.kind)                                               \
			return next(SHIM_LIBC_PATH(p, path), list, len);   \
		return no_xattr(p) ? 0 : -1;                               \
	}

GETXATTR(getxattr, true)
GETXATTR(lgetxattr, false)
LISTXATTR(listxattr)
LISTXATTR(llistxattr)

SHIM_EXPORT ssize_t fgetxattr(int fd, const char *attr, void *val, size_t len)
{
	LIBC_NEXT(fgetxattr)
	if (!dir_fd(fd))
		return next(fd, attr, val, len);
	errno = ENODATA;
	return -1;
}

SHIM_EXPORT ssize_t flistxattr(int fd, char *list, size_t len)
{
	LIBC_NEXT(flistxattr)
	return dir_fd(fd) ? 0 : next(fd, list, len);
}
