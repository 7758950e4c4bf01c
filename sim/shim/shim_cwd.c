/*
 * A working directory inside the sysfs tree: `cd /sys/bus/rpmsg/devices` in a shell, then
 * relative paths. chdir()/fchdir() into a directory of the shim's keep its canonical path
 * here (relative paths of every covered call are joined to it: shim_path.c) and move the
 * process's real directory to the deepest of the PC's directories on that path (/sys/bus,
 * or /sys/bus/rpmsg/devices itself where the PC has one), so that a call the shim does not
 * cover fails there as in sysfs rather than acting on the directory the program left.
 *
 * A program started from such a directory finds it again at load: in $PWD (a shell's `cd`
 * exports it) or in $AMPSIM_CWD (set by chdir() here, for children exec'd with the C
 * environment), each taken only when the real directory is the one it would have been moved
 * to: a stale variable is ignored.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define CWD_ENV "AMPSIM_CWD"

static pthread_mutex_t cwd_lock = PTHREAD_MUTEX_INITIALIZER;
static char cwd[SHIM_BUS_PATH]; /* "": the real working directory applies */

#define LIBC_NEXT(name)                \
	static __typeof__(name) *next; \
	if (!next)                     \
		next = (__typeof__(name) *)dlsym(RTLD_NEXT, #name);

bool shim_cwd_get(char out[SHIM_BUS_PATH])
{
	pthread_mutex_lock(&cwd_lock);
	bool set = cwd[0] != '\0';
	if (set)
		memcpy(out, cwd, sizeof(cwd));
	pthread_mutex_unlock(&cwd_lock);
	return set;
}

static void cwd_set(const char *canon)
{
	pthread_mutex_lock(&cwd_lock);
	snprintf(cwd, sizeof(cwd), "%s", canon ? canon : "");
	pthread_mutex_unlock(&cwd_lock);
}

/* The deepest of the PC's directories on @p canon's path, into @p out ("/" at worst). */
static void anchor_of(const char *canon, char out[SHIM_BUS_PATH])
{
	struct stat st;
	snprintf(out, SHIM_BUS_PATH, "%s", canon);
	for (;;) {
		if (shim_libc.stat(out, &st) == 0 && S_ISDIR(st.st_mode))
			return;
		char *slash = strrchr(out, '/');
		if (!slash || slash == out) {
			snprintf(out, SHIM_BUS_PATH, "/");
			return;
		}
		*slash = '\0';
	}
}

/* Is @p canon a directory of the tree? errno as chdir() would set it otherwise. */
static bool tree_dir(const char *canon)
{
	struct stat st;
	if (shim_bus_stat(canon, &st, true) != 0)
		return false;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return false;
	}
	return true;
}

static int enter(const char *canon)
{
	char anchor[SHIM_BUS_PATH];
	LIBC_NEXT(chdir)
	if (!tree_dir(canon))
		return -1;
	anchor_of(canon, anchor);
	if (next(anchor) != 0)
		return -1;
	cwd_set(canon);
	setenv(CWD_ENV, canon, 1);
	return 0;
}

static void leave(void)
{
	if (!shim_cwd_get((char[SHIM_BUS_PATH]){0}))
		return;
	cwd_set(NULL);
	unsetenv(CWD_ENV);
}

SHIM_EXPORT int chdir(const char *path)
{
	shim_resolve();
	LIBC_NEXT(chdir)
	struct shim_path p = shim_path_classify(AT_FDCWD, path);
	char canon[SHIM_BUS_PATH];
	struct stat st;
	if (p.kind == SHIM_PATH_NONE) {
		int r = next(SHIM_LIBC_PATH(p, path));
		if (r == 0)
			leave();
		return r;
	}
	if (p.kind != SHIM_PATH_BUS && !p.path[0]) { /* a device or attribute: no directory */
		if (shim_dev_stat(p, &st, true) != 0)
			return -1;
		errno = ENOTDIR;
		return -1;
	}
	int r = shim_bus_canon(p.path, canon);
	if (r < 0)
		return -1;
	if (r == 0) { /* "/sys/bus/rpmsg/../.." : the PC's */
		r = next(canon);
		if (r == 0)
			leave();
		return r;
	}
	return enter(canon);
}

SHIM_EXPORT int fchdir(int fd)
{
	shim_resolve();
	LIBC_NEXT(fchdir)
	struct shim_fd f;
	if (shim_fd_get(fd, &f) && f.kind == SHIM_FD_DIR)
		return enter(f.path);
	if (shim_fd_get(fd, &f) && f.kind == SHIM_FD_FILE) {
		errno = ENOTDIR;
		return -1;
	}
	int r = next(fd);
	if (r == 0)
		leave();
	return r;
}

static char *give(const char *dir, char *buf, size_t size)
{
	size_t l = strlen(dir) + 1;
	if (!buf) {
		buf = malloc(size > l ? size : l); /* glibc: size 0 means as large as needed */
		if (!buf)
			return NULL;
	} else if (size < l) {
		errno = size ? ERANGE : EINVAL;
		return NULL;
	}
	return memcpy(buf, dir, l);
}

SHIM_EXPORT char *getcwd(char *buf, size_t size)
{
	LIBC_NEXT(getcwd)
	char dir[SHIM_BUS_PATH];
	if (shim_cwd_get(dir)) {
		if (!buf && size && size < strlen(dir) + 1) {
			errno = ERANGE;
			return NULL;
		}
		return give(dir, buf, size);
	}
	return next(buf, size);
}

char *__getcwd_chk(char *buf, size_t size, size_t buflen);
SHIM_EXPORT char *__getcwd_chk(char *buf, size_t size, size_t buflen)
{
	(void)buflen; /* the caller's buffer is at least size, or glibc aborts before */
	return getcwd(buf, size);
}

SHIM_EXPORT char *getwd(char *buf)
{
	return getcwd(buf, PATH_MAX);
}

SHIM_EXPORT char *get_current_dir_name(void)
{
	LIBC_NEXT(get_current_dir_name)
	char dir[SHIM_BUS_PATH];
	return shim_cwd_get(dir) ? strdup(dir) : next();
}

/* @p var names a directory of the tree that the real directory stands for: its canon. */
static bool inherited(const char *var, const char *real, char canon[SHIM_BUS_PATH])
{
	char anchor[SHIM_BUS_PATH];
	const char *v = getenv(var);
	if (!v || v[0] != '/' || !shim_bus_owns(v) || shim_bus_canon(v, canon) != 1)
		return false;
	anchor_of(canon, anchor);
	return !strcmp(anchor, real) && tree_dir(canon);
}

void shim_cwd_inherit(void)
{
	LIBC_NEXT(getcwd)
	char real[PATH_MAX], canon[SHIM_BUS_PATH], pwd[PATH_MAX];
	const char *p = getenv("PWD");
	if (!getenv("AMPSIM_RUN_DIR") || !next(real, sizeof(real)))
		return;
	if (inherited("PWD", real, canon))
		cwd_set(canon);
	else if (getenv(CWD_ENV) && !(p && shim_libc.realpath(p, pwd) && !strcmp(pwd, real)) &&
		 inherited(CWD_ENV, real, canon))
		cwd_set(canon); /* PWD is stale (not a shell's child) */
}

/* The child's thread does not own the lock: fresh, not unlocked (as shim_fd.c). */
static void cwd_lock_child(void)
{
	static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	memcpy(&cwd_lock, &fresh, sizeof(cwd_lock));
}

__attribute__((constructor)) static void cwd_lock_init(void)
{
	pthread_atfork(NULL, NULL, cwd_lock_child);
}
