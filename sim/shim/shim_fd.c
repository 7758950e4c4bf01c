/*
 * The descriptors the shim made and the endpoints made through /dev/rpmsg_ctrl0: two small
 * fixed tables, no allocation.
 *
 * The descriptor table is lock-free: read(), write() and close() are async-signal-safe and
 * may run in a signal handler that interrupted this very code, where a lock would deadlock.
 * A slot is claimed by turning its key from FREE to BUSY, filled, then published by storing
 * the descriptor + 1 (release); a reader that finds it (acquire) copies the slot and checks
 * that it still holds the same descriptor. The eptdev table is only touched by
 * open() and ioctl() and keeps a lock, held across fork() so a child never inherits it taken.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include "shim.h"

#define SHIM_MAX_FDS 256
#define SLOT_FREE 0    /* zero-initialised: free before any constructor ran */
#define SLOT_BUSY (-1) /* claimed, being filled */

struct slot {
	atomic_int key; /* SLOT_FREE, SLOT_BUSY or the descriptor + 1 */
	atomic_bool destroyed;
	struct shim_fd f; /* written only while BUSY */
};

static struct slot slots[SHIM_MAX_FDS];
static atomic_uint used_slots; /* slots[0..used_slots) may be taken; 0: nothing tracked */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER; /* the eptdev table */
static struct shim_eptdev eptdevs[SHIM_MAX_EPTDEVS];
static bool eptdev_used[SHIM_MAX_EPTDEVS];
static struct shim_eptdev created[SHIM_MAX_CREATED]; /* minor: unused */
static bool created_used[SHIM_MAX_CREATED];

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_done(void)
{
	pthread_mutex_unlock(&lock);
}

/* The child's own thread did not take it: a fresh lock rather than an unlock by a non-owner. */
static void fork_child(void)
{
	static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	memcpy(&lock, &fresh, sizeof(lock));
}

__attribute__((constructor)) static void shim_fd_init(void)
{
	pthread_atfork(fork_prepare, fork_done, fork_child);
}

/* Claim a free slot and publish @p f in it; false when all are taken. */
static bool publish(const struct shim_fd *f)
{
	for (unsigned i = 0; i < SHIM_MAX_FDS; i++) {
		int expect = SLOT_FREE;
		if (!atomic_compare_exchange_strong(&slots[i].key, &expect, SLOT_BUSY))
			continue;
		slots[i].f = *f;
		atomic_store(&slots[i].destroyed, f->destroyed);
		unsigned n = atomic_load(&used_slots);
		while (n < i + 1 && !atomic_compare_exchange_weak(&used_slots, &n, i + 1))
			;
		atomic_store_explicit(&slots[i].key, f->fd + 1, memory_order_release);
		return true;
	}
	return false;
}

/* A consistent copy of @p fd's slot; false if it has none. */
static bool lookup(int fd, struct shim_fd *out)
{
	unsigned n = atomic_load(&used_slots);
	for (unsigned i = 0; i < n; i++) {
		if (atomic_load_explicit(&slots[i].key, memory_order_acquire) != fd + 1)
			continue;
		*out = slots[i].f;
		out->destroyed = atomic_load(&slots[i].destroyed);
		if (atomic_load_explicit(&slots[i].key, memory_order_acquire) == fd + 1)
			return true; /* not freed and reused while we copied */
	}
	return false;
}

static void unpublish(int fd)
{
	unsigned n = atomic_load(&used_slots);
	for (unsigned i = 0; i < n; i++) {
		int expect = fd + 1;
		atomic_compare_exchange_strong(&slots[i].key, &expect, SLOT_FREE);
	}
}

bool shim_fd_track(const struct shim_fd *f)
{
	struct shim_fd t = *f;
	struct stat st;
	if (shim_libc.fstat(f->fd, &st) != 0)
		return false;
	t.dev = st.st_dev;
	t.ino = st.st_ino;
	unpublish(f->fd); /* a stale entry: the number was closed behind our back */
	if (publish(&t))
		return true;
	errno = ENFILE;
	return false;
}

bool shim_fd_get(int fd, struct shim_fd *out)
{
	if (fd < 0 || atomic_load(&used_slots) == 0 || !lookup(fd, out))
		return false;
	/* Closed without close() (close_range, a raw syscall) and the number reused. */
	struct stat st;
	int saved = errno;
	bool same = shim_libc.fstat(fd, &st) == 0 && st.st_dev == out->dev && st.st_ino == out->ino;
	errno = saved;
	if (!same)
		unpublish(fd);
	return same;
}

void shim_fd_forget(int fd)
{
	if (fd >= 0 && atomic_load(&used_slots) != 0)
		unpublish(fd);
}

void shim_fd_copy(int oldfd, int newfd)
{
	struct shim_fd f;
	shim_fd_forget(newfd);
	if (!shim_fd_get(oldfd, &f))
		return;
	f.fd = newfd;
	(void)publish(&f); /* table full: it stays a plain descriptor, still usable */
}

bool shim_fd_ino_tracked(dev_t dev, ino_t ino)
{
	unsigned n = atomic_load(&used_slots);
	for (unsigned i = 0; i < n; i++)
		if (atomic_load_explicit(&slots[i].key, memory_order_acquire) > 0 &&
		    slots[i].f.dev == dev && slots[i].f.ino == ino)
			return true;
	return false;
}

void shim_fd_destroy_eptdev(unsigned minor)
{
	unsigned n = atomic_load(&used_slots);
	for (unsigned i = 0; i < n; i++)
		if (atomic_load_explicit(&slots[i].key, memory_order_acquire) > 0 &&
		    slots[i].f.kind == SHIM_FD_EPTDEV && slots[i].f.index == minor) {
			atomic_store(&slots[i].destroyed, true);
			shutdown(slots[i].f.fd, SHUT_RDWR); /* the daemon destroys the endpoint */
		}
}

void shim_fd_destroy_minor(unsigned minor)
{
	unsigned n = atomic_load(&used_slots);
	for (unsigned i = 0; i < n; i++)
		if (atomic_load_explicit(&slots[i].key, memory_order_acquire) > 0 &&
		    (slots[i].f.kind == SHIM_FD_EPT || slots[i].f.kind == SHIM_FD_EPTDEV) &&
		    slots[i].f.index == minor) {
			atomic_store(&slots[i].destroyed, true);
			shutdown(slots[i].f.fd, SHUT_RDWR);
		}
}

bool shim_fd_eptdev_busy(unsigned minor)
{
	unsigned n = atomic_load(&used_slots);
	for (unsigned i = 0; i < n; i++)
		if (atomic_load_explicit(&slots[i].key, memory_order_acquire) > 0 &&
		    slots[i].f.kind == SHIM_FD_EPTDEV && slots[i].f.index == minor &&
		    !atomic_load(&slots[i].destroyed))
			return true;
	return false;
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

bool shim_eptdev_add(const char name[32], uint32_t src, uint32_t dst, bool channel, unsigned *minor)
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
		eptdevs[m].channel = channel;
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

/* rpmsg_device_match(): the name, and each address unless asked for RPMSG_ADDR_ANY. */
bool shim_channel_find(const char *name, uint32_t src, uint32_t dst, unsigned *minor)
{
	bool found = false;
	pthread_mutex_lock(&lock);
	for (unsigned m = 0; m < SHIM_MAX_EPTDEVS && !found; m++) {
		const struct shim_eptdev *e = &eptdevs[m];
		found = eptdev_used[m] && e->channel && !strncmp(e->name, name, 32) &&
			(src == 0xffffffffu || src == e->src) &&
			(dst == 0xffffffffu || dst == e->dst);
		if (found)
			*minor = m;
	}
	pthread_mutex_unlock(&lock);
	return found;
}

/* ---- devices made by RPMSG_CREATE_DEV_IOCTL that no driver of the shim's probes -------- */

bool shim_created_add(const char name[32], uint32_t src, uint32_t dst)
{
	pthread_mutex_lock(&lock);
	unsigned i = 0;
	while (i < SHIM_MAX_CREATED && created_used[i])
		i++;
	if (i < SHIM_MAX_CREATED) {
		created_used[i] = true;
		memcpy(created[i].name, name, 32);
		created[i].name[31] = '\0';
		created[i].src = src;
		created[i].dst = dst;
	}
	pthread_mutex_unlock(&lock);
	if (i == SHIM_MAX_CREATED)
		errno = ENOMEM; /* Linux: kzalloc; the shim keeps a few per process */
	return i < SHIM_MAX_CREATED;
}

bool shim_created_find(const char *name, uint32_t src, uint32_t dst, unsigned *slot)
{
	bool found = false;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < SHIM_MAX_CREATED && !found; i++) {
		const struct shim_eptdev *e = &created[i];
		found = created_used[i] && !strncmp(e->name, name, 32) &&
			(src == 0xffffffffu || src == e->src) &&
			(dst == 0xffffffffu || dst == e->dst);
		if (found)
			*slot = i;
	}
	pthread_mutex_unlock(&lock);
	return found;
}

bool shim_created_get(unsigned slot, struct shim_eptdev *out)
{
	if (slot >= SHIM_MAX_CREATED)
		return false;
	pthread_mutex_lock(&lock);
	bool used = created_used[slot];
	if (used)
		*out = created[slot];
	pthread_mutex_unlock(&lock);
	return used;
}

void shim_created_remove(unsigned slot)
{
	if (slot >= SHIM_MAX_CREATED)
		return;
	pthread_mutex_lock(&lock);
	created_used[slot] = false;
	pthread_mutex_unlock(&lock);
}
