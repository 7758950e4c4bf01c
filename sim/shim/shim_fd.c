/*
 * The descriptors the shim made and the endpoints made through /dev/rpmsg_ctrl0: two small
 * fixed tables (no allocation: close() and dup2() may run anywhere), one lock, held across
 * fork() so that a child never inherits it taken.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "shim.h"

#define SHIM_MAX_FDS 256
#define SHIM_MAX_EPTDEVS 32 /* DAEMON_MAX_INDEX: minors past it could not be named */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct shim_fd fds[SHIM_MAX_FDS];
static unsigned nfds;
static atomic_uint tracked; /* nfds, read without the lock: the common case is 0 */
static struct shim_eptdev eptdevs[SHIM_MAX_EPTDEVS];
static bool eptdev_used[SHIM_MAX_EPTDEVS];

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_done(void)
{
	pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void shim_fd_init(void)
{
	pthread_atfork(fork_prepare, fork_done, fork_done);
}

/* The index of @p fd in fds[], or -1. Under the lock. */
static int find(int fd)
{
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i].fd == fd)
			return (int)i;
	return -1;
}

static void drop(int i)
{
	fds[i] = fds[--nfds];
	atomic_store(&tracked, nfds);
}

bool shim_fd_track(const struct shim_fd *f)
{
	struct stat st;
	if (fstat(f->fd, &st) != 0)
		return false;
	pthread_mutex_lock(&lock);
	int i = find(f->fd);
	if (i >= 0)
		drop(i); /* a stale entry: the number was closed behind our back */
	bool ok = nfds < SHIM_MAX_FDS;
	if (ok) {
		fds[nfds] = *f;
		fds[nfds].dev = st.st_dev;
		fds[nfds].ino = st.st_ino;
		nfds++;
		atomic_store(&tracked, nfds);
	}
	pthread_mutex_unlock(&lock);
	if (!ok)
		errno = ENFILE;
	return ok;
}

bool shim_fd_get(int fd, struct shim_fd *out)
{
	if (fd < 0 || atomic_load(&tracked) == 0)
		return false;
	pthread_mutex_lock(&lock);
	int i = find(fd);
	if (i >= 0)
		*out = fds[i];
	pthread_mutex_unlock(&lock);
	if (i < 0)
		return false;
	/* Closed without close() (close_range, a raw syscall) and the number reused. */
	struct stat st;
	int saved = errno;
	bool same = fstat(fd, &st) == 0 && st.st_dev == out->dev && st.st_ino == out->ino;
	errno = saved;
	if (!same)
		shim_fd_forget(fd);
	return same;
}

void shim_fd_forget(int fd)
{
	if (fd < 0 || atomic_load(&tracked) == 0)
		return;
	pthread_mutex_lock(&lock);
	int i = find(fd);
	if (i >= 0)
		drop(i);
	pthread_mutex_unlock(&lock);
}

void shim_fd_copy(int oldfd, int newfd)
{
	struct shim_fd f;
	shim_fd_forget(newfd);
	if (!shim_fd_get(oldfd, &f))
		return;
	f.fd = newfd;
	pthread_mutex_lock(&lock);
	if (nfds < SHIM_MAX_FDS) { /* else it stays a plain descriptor: still usable */
		fds[nfds++] = f;
		atomic_store(&tracked, nfds);
	}
	pthread_mutex_unlock(&lock);
}

void shim_fd_destroy_eptdev(unsigned minor)
{
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i].kind == SHIM_FD_EPTDEV && fds[i].index == minor)
			fds[i].destroyed = true;
	pthread_mutex_unlock(&lock);
}

bool shim_fd_eptdev_busy(unsigned minor)
{
	bool busy = false;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < nfds; i++)
		if (fds[i].kind == SHIM_FD_EPTDEV && fds[i].index == minor && !fds[i].destroyed)
			busy = true;
	pthread_mutex_unlock(&lock);
	return busy;
}

/* ---- eptdevs ------------------------------------------------------------------------------ */

/* A minor no announced channel uses (RUNDIR/rpmsg<m> absent) and no eptdev has. */
static bool minor_free(unsigned m)
{
	char name[16], path[4096];
	struct stat st;
	snprintf(name, sizeof(name), "rpmsg%u", m);
	if (eptdev_used[m] || !shim_rundir_file(path, sizeof(path), name))
		return false;
	return shim_libc.lstat(path, &st) != 0;
}

bool shim_eptdev_add(const char name[32], uint32_t src, uint32_t dst, unsigned *minor)
{
	pthread_mutex_lock(&lock);
	unsigned m = 0;
	while (m < SHIM_MAX_EPTDEVS && !minor_free(m))
		m++;
	if (m < SHIM_MAX_EPTDEVS) {
		eptdev_used[m] = true;
		eptdevs[m].minor = m;
		memcpy(eptdevs[m].name, name, 32);
		eptdevs[m].name[31] = '\0'; /* as rpmsg_ctrldev_ioctl: at most 31 characters */
		eptdevs[m].src = src;
		eptdevs[m].dst = dst;
		*minor = m;
	}
	pthread_mutex_unlock(&lock);
	if (m >= SHIM_MAX_EPTDEVS)
		errno = ENOMEM; /* Linux: the minor allocator is out */
	return m < SHIM_MAX_EPTDEVS;
}

bool shim_eptdev_get(unsigned minor, struct shim_eptdev *out)
{
	if (minor >= SHIM_MAX_EPTDEVS)
		return false;
	pthread_mutex_lock(&lock);
	bool used = eptdev_used[minor];
	if (used)
		*out = eptdevs[minor];
	pthread_mutex_unlock(&lock);
	return used;
}

void shim_eptdev_remove(unsigned minor)
{
	if (minor >= SHIM_MAX_EPTDEVS)
		return;
	pthread_mutex_lock(&lock);
	eptdev_used[minor] = false;
	pthread_mutex_unlock(&lock);
}
