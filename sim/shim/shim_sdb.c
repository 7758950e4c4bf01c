/*
 * /dev/rpmsg-sdb (and /dev/rpmsg_sdb) with the user interface of ST's rpmsg_sdb driver
 * (meta-st-stm32mpu-app-logicanalyser, stm32_rpmsg_sdb.c), served by the run's sdb service
 * through the <ampsim/sdb.h> client library (docs/exec.md, docs/sdb.md).
 *
 * ST's driver, as its code behaves:
 *   - RPMSG_SDB_IOCTL_SET_EFD appends a buffer entry holding the eventfd, with the next
 *     index of this open file (bufferId is not read); a second one before its mmap: EBADE;
 *   - mmap() allocates the last entry's memory, maps it and announces it to the firmware;
 *     without a pending entry: EINVAL;
 *   - RPMSG_SDB_IOCTL_GET_DATA_SIZE returns the size of the last fill and resets it to -1,
 *     so a buffer not filled since reads as 0xffffffff;
 *   - the firmware refills buffers on its own: there is no give-back.
 * ampsim's service waits for a give-back (R<i>), so this file gives one on the program's
 * behalf: when the program asks the size of another buffer, the one it read before goes
 * back. The buffer being read is never written under it, as long as the program has two or
 * more buffers; with one, it goes back at once (as ST's M4 may refill it at once).
 *
 * A lock guards the table (ioctl and mmap are not async-signal-safe anyway); it is
 * recursive because the client library's own munmap() and close() come back through the
 * shim's wrappers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ampsim/errno.h>
#include <ampsim/sdb.h>

#include "shim.h"

/* ST's structures and numbers (the size field of the numbers is a pointer's, as ST wrote). */
struct st_sdb_set_efd {
	int buffer_id;
	int eventfd;
};
struct st_sdb_data_size {
	int buffer_id;
	uint32_t size;
};
#define ST_SDB_SET_EFD _IOW('R', 0x00, void *)
#define ST_SDB_GET_DATA_SIZE _IOWR('R', 0x01, void *)
#define ST_SDB_NOT_FILLED UINT32_MAX /* writing_size = -1, through a uint32_t */

#define SHIM_MAX_SDB 8 /* /dev/rpmsg-sdb opens alive at once in one process */

struct sdb_session {
	struct amp_sdb *s; /* NULL: the entry is free */
	dev_t dev;	   /* the program's descriptors: dups of the library's socket */
	ino_t ino;
	bool open;	 /* some descriptor is still open (else: mapped buffers keep it) */
	int pending_efd; /* SET_EFD waiting for its mmap; -1: none */
	int held;	 /* the buffer the program is reading, not given back; -1: none */
	unsigned nbufs;	 /* ST indices 0..nbufs-1 */
	struct amp_sdb_buf b[AMP_SDB_MAX_BUFFERS];
	bool mapped[AMP_SDB_MAX_BUFFERS];
};

static pthread_mutex_t lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static struct sdb_session sessions[SHIM_MAX_SDB];
static atomic_uint live; /* sessions in the table: munmap() skips the lock while 0 */

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_done(void)
{
	pthread_mutex_unlock(&lock);
}

/* The child's thread is not the owner of the recursive lock its parent took (unlock fails
 * with EPERM and leaves it taken: its next fork deadlocks): a fresh lock instead. */
static void fork_child(void)
{
	static const pthread_mutex_t fresh = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
	memcpy(&lock, &fresh, sizeof(lock));
}

/* A child never inherits the lock taken (its sessions are copies sharing the sockets). */
__attribute__((constructor)) static void shim_sdb_init(void)
{
	pthread_atfork(fork_prepare, fork_done, fork_child);
}

static int fail(int e)
{
	errno = e;
	return -1;
}

static int fail_amp(int code)
{
	return fail(amp_to_errno(code));
}

static struct sdb_session *find(dev_t dev, ino_t ino)
{
	for (unsigned i = 0; i < SHIM_MAX_SDB; i++)
		if (sessions[i].s && sessions[i].dev == dev && sessions[i].ino == ino)
			return &sessions[i];
	return NULL;
}

static struct sdb_session *find_free(void)
{
	for (unsigned i = 0; i < SHIM_MAX_SDB; i++)
		if (!sessions[i].s)
			return &sessions[i];
	return NULL;
}

/* Take the session out of the table; the caller closes it (unlocked is fine, it is ours). */
static struct amp_sdb *take(struct sdb_session *ss)
{
	struct amp_sdb *s = ss->s;
	memset(ss, 0, sizeof(*ss));
	atomic_fetch_sub(&live, 1);
	return s;
}

int shim_sdb_open(int flags)
{
	char path[4096];
	if (!shim_rundir_file(path, sizeof(path), "rpmsg-sdb"))
		return fail(ENOENT);
	struct amp_sdb *s;
	int rc = amp_sdb_open(path, &s);
	if (rc)
		return fail(rc == AMP_ENOENT || rc == AMP_ENOTCONN ? ENOENT : amp_to_errno(rc));
	/* The program's descriptor is a dup: closing it never closes the library's socket. */
	int fd = shim_libc.fcntl(amp_sdb_fd(s), (flags & O_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, 0);
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_SDB};
	if (fd < 0 || !shim_fd_track(&f)) {
		int e = errno;
		if (fd >= 0)
			shim_libc.close(fd);
		amp_sdb_close(s);
		return fail(e);
	}
	shim_fd_get(fd, &f); /* for its dev and ino */
	pthread_mutex_lock(&lock);
	struct sdb_session *ss = find_free();
	if (ss) {
		*ss = (struct sdb_session){.s = s,
					   .dev = f.dev,
					   .ino = f.ino,
					   .open = true,
					   .pending_efd = -1,
					   .held = -1};
		atomic_fetch_add(&live, 1);
	}
	pthread_mutex_unlock(&lock);
	if (!ss) {
		close(fd);
		amp_sdb_close(s);
		return fail(EMFILE);
	}
	return fd;
}

static bool any_mapped(const struct sdb_session *ss)
{
	for (unsigned i = 0; i < ss->nbufs; i++)
		if (ss->mapped[i])
			return true;
	return false;
}

void shim_sdb_closed(const struct shim_fd *f)
{
	struct amp_sdb *s = NULL;
	pthread_mutex_lock(&lock);
	struct sdb_session *ss = find(f->dev, f->ino);
	/* rpmsg_sdb_close runs at the last release: other descriptors or mappings keep it. */
	if (ss && !shim_fd_ino_tracked(f->dev, f->ino)) {
		ss->open = false;
		if (!any_mapped(ss))
			s = take(ss);
	}
	pthread_mutex_unlock(&lock);
	amp_sdb_close(s); /* the service frees the buffers */
}

static bool is_eventfd(int fd, int *err)
{
	char link[64], target[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		*err = EBADF;
		return false;
	}
	target[n] = '\0';
	*err = EINVAL;
	return !strcmp(target, "anon_inode:[eventfd]");
}

static int set_efd(struct sdb_session *ss, const struct st_sdb_set_efd *q)
{
	int e;
	if (ss->pending_efd >= 0)
		return fail(EBADE); /* "previous buffer was not allocated" */
	if (!is_eventfd(q->eventfd, &e))
		return fail(e);
	if (ss->nbufs >= AMP_SDB_MAX_BUFFERS)
		return fail(ENOMEM);
	ss->pending_efd = q->eventfd;
	return 0;
}

static void give_back(struct sdb_session *ss, unsigned i)
{
	/* Refused (the service hung up): the program sees it in the next call. */
	(void)amp_sdb_give_back(ss->s, ss->b[i].idx);
}

static int get_data_size(struct sdb_session *ss, struct st_sdb_data_size *q)
{
	if (q->buffer_id < 0 || (unsigned)q->buffer_id >= ss->nbufs)
		return fail(EINVAL); /* ST's driver would read a wrong entry: docs/exec.md */
	unsigned i = (unsigned)q->buffer_id;
	uint64_t n;
	int rc = amp_sdb_get_data_size(ss->s, ss->b[i].idx, &n, NULL);
	if (rc == AMP_EAGAIN) {
		q->size = ST_SDB_NOT_FILLED;
		return 0;
	}
	if (rc)
		return fail_amp(rc);
	q->size = (uint32_t)n;
	/* The program asks for another buffer: it is done with the one it read before. */
	if (ss->held >= 0 && (unsigned)ss->held != i)
		give_back(ss, (unsigned)ss->held);
	ss->held = -1;
	if (ss->nbufs > 1)
		ss->held = (int)i;
	else
		give_back(ss, i);
	return 0;
}

int shim_sdb_ioctl(const struct shim_fd *f, unsigned long req, void *arg)
{
	if (req != ST_SDB_SET_EFD && req != ST_SDB_GET_DATA_SIZE)
		return fail(EINVAL);
	if (!arg)
		return fail(EFAULT);
	int rc = -1;
	pthread_mutex_lock(&lock);
	struct sdb_session *ss = find(f->dev, f->ino);
	if (!ss)
		errno = EBADF;
	else if (req == ST_SDB_SET_EFD) {
		struct st_sdb_set_efd q;
		memcpy(&q, arg, sizeof(q));
		rc = set_efd(ss, &q);
	} else {
		struct st_sdb_data_size q;
		memcpy(&q, arg, sizeof(q));
		rc = get_data_size(ss, &q);
		if (rc == 0)
			memcpy(arg, &q, sizeof(q));
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

static void *map_new(struct sdb_session *ss, size_t len, int prot)
{
	struct amp_sdb_buf b;
	int rc = amp_sdb_alloc(ss->s, len, AMP_SDB_TO_LINUX, ss->pending_efd, &b);
	if (rc) {
		errno = rc == AMP_EINVAL ? EBADF : amp_to_errno(rc); /* the eventfd was closed */
		return MAP_FAILED;
	}
	ss->pending_efd = -1;
	ss->b[ss->nbufs] = b;
	ss->mapped[ss->nbufs++] = true;
	if ((prot & (PROT_READ | PROT_WRITE)) != (PROT_READ | PROT_WRITE))
		(void)mprotect(b.data, b.size, prot);
	return b.data;
}

void *shim_sdb_mmap(const struct shim_fd *f, void *addr, size_t len, int prot, int flags, off_t off)
{
	/* Where ST's remap_pfn_range would map past the buffer or over the caller's range. */
	if (len == 0 || off != 0 || (flags & MAP_FIXED) || (flags & MAP_FIXED_NOREPLACE)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	(void)addr; /* a hint */
	void *p = MAP_FAILED;
	pthread_mutex_lock(&lock);
	struct sdb_session *ss = find(f->dev, f->ino);
	if (!ss)
		errno = EBADF;
	else if (ss->pending_efd < 0)
		errno = EINVAL; /* "No existing buffer entry": SET_EFD comes first */
	else
		p = map_new(ss, len, prot);
	pthread_mutex_unlock(&lock);
	return p;
}

/* munmap() of a whole sdb buffer: a placeholder keeps the range until the session ends, so
 * the library's own munmap at close can never hit a later mapping. */
bool shim_sdb_munmap(void *addr, size_t len, int *rc)
{
	struct amp_sdb *s = NULL;
	bool ours = false;
	if (atomic_load(&live) == 0)
		return false; /* every program's munmap() comes here: no lock without sdb */
	pthread_mutex_lock(&lock);
	for (unsigned k = 0; k < SHIM_MAX_SDB && !ours; k++) {
		struct sdb_session *ss = &sessions[k];
		for (unsigned i = 0; ss->s && i < ss->nbufs && !ours; i++) {
			if (!ss->mapped[i] || ss->b[i].data != addr || len == 0 ||
			    len > ss->b[i].size)
				continue;
			ours = true;
			void *q =
			    mmap(addr, ss->b[i].size, PROT_NONE,
				 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			*rc = q == MAP_FAILED ? -1 : 0;
			if (q != MAP_FAILED)
				ss->mapped[i] = false;
			if (!ss->open && !any_mapped(ss))
				s = take(ss);
		}
	}
	pthread_mutex_unlock(&lock);
	amp_sdb_close(s);
	return ours;
}
