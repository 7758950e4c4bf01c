/*
 * Directory handles for the rpmsg bus in sysfs: opendir() and fdopendir() of a directory of
 * the shim's (shim_busfs.c) return a handle of its own, holding the entries read at that
 * moment and the directory's descriptor, that readdir(), dirfd(), scandir() and closedir()
 * below recognise; every other DIR is libc's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))

#define DIR_MAGIC 0x72706d73u /* "rpms" */

struct bus_dir {
	uint32_t magic;
	int fd;	      /* the directory's descriptor (closed by closedir) */
	unsigned pos; /* entries given: ".", "..", then the names */
	struct shim_bus_entries e;
	const char *at; /* next name in e.names */
	char path[SHIM_BUS_PATH];
	struct dirent64 ent;
};

static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;

static void dirs_lock_prepare(void)
{
	pthread_mutex_lock(&dirs_lock);
}

static void dirs_lock_parent(void)
{
	pthread_mutex_unlock(&dirs_lock);
}

/* The child's thread does not own it: fresh, not unlocked (as shim_fd.c). */
static void dirs_lock_child(void)
{
	static const pthread_mutex_t fresh = PTHREAD_MUTEX_INITIALIZER;
	memcpy(&dirs_lock, &fresh, sizeof(dirs_lock));
}

__attribute__((constructor)) static void dirs_lock_init(void)
{
	pthread_atfork(dirs_lock_prepare, dirs_lock_parent, dirs_lock_child);
}
static struct bus_dir *dirs[64]; /* the handles alive: a DIR * is ours if it is here */

static struct bus_dir *ours(void *d)
{
	struct bus_dir *hit = NULL;
	pthread_mutex_lock(&dirs_lock);
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && d; i++)
		if (dirs[i] == d)
			hit = dirs[i];
	pthread_mutex_unlock(&dirs_lock);
	return hit;
}

/* A handle for directory descriptor @p fd (a SHIM_FD_DIR), which it takes over. */
static struct bus_dir *dir_of_fd(int fd, const char *canon)
{
	struct bus_dir *d =
	    mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED)
		return NULL;
	if (!shim_bus_list(canon, &d->e)) {
		int e = errno;
		munmap(d, sizeof(*d));
		errno = e;
		return NULL;
	}
	d->magic = DIR_MAGIC;
	d->fd = fd;
	d->at = d->e.names;
	snprintf(d->path, sizeof(d->path), "%s", canon);
	pthread_mutex_lock(&dirs_lock);
	unsigned i = 0;
	while (i < sizeof(dirs) / sizeof(dirs[0]) && dirs[i])
		i++;
	if (i < sizeof(dirs) / sizeof(dirs[0]))
		dirs[i] = d;
	pthread_mutex_unlock(&dirs_lock);
	if (i == sizeof(dirs) / sizeof(dirs[0])) {
		munmap(d, sizeof(*d));
		errno = EMFILE;
		return NULL;
	}
	return d;
}

void *shim_bus_opendir(const char *path)
{
	struct shim_fd f;
	int fd = shim_bus_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct bus_dir *d = shim_fd_get(fd, &f) ? dir_of_fd(fd, f.path) : NULL;
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

/* FNV-1a of the entry's canonical path: the st_ino stat() gives it. */
static ino_t entry_ino(const char *dir, const char *name)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (const char *c = dir; *c && strcmp(dir, "/"); c++)
		h = (h ^ (unsigned char)*c) * 0x100000001b3u;
	h = (h ^ (unsigned char)'/') * 0x100000001b3u;
	for (const char *c = name; *c; c++)
		h = (h ^ (unsigned char)*c) * 0x100000001b3u;
	return (ino_t)(h | 1);
}

static struct dirent64 *bus_readdir(struct bus_dir *d)
{
	const char *name;
	unsigned char type = DT_DIR;
	if (d->pos < 2) {
		name = d->pos ? ".." : ".";
	} else if (d->pos - 2 < d->e.count) {
		name = d->at;
		type = d->e.type[d->pos - 2];
		d->at += strlen(d->at) + 1;
	} else {
		return NULL; /* the end: errno untouched */
	}
	d->pos++;
	memset(&d->ent, 0, sizeof(d->ent));
	d->ent.d_ino = d->pos <= 2 ? d->pos : entry_ino(d->path, name); /* never 0: deleted */
	d->ent.d_off = d->pos;
	d->ent.d_reclen = sizeof(d->ent);
	d->ent.d_type = type;
	snprintf(d->ent.d_name, sizeof(d->ent.d_name), "%s", name);
	return &d->ent;
}

#define NEXT(name) static __typeof__(name) *next_##name;
/* libc's definition of @p name, looked up once. */
static void *libc_sym(void **slot, const char *name)
{
	if (!*slot)
		*slot = dlsym(RTLD_NEXT, name);
	return *slot;
}
#define LIBC(name) ((__typeof__(name) *)libc_sym((void **)&next_##name, #name))
NEXT(opendir)
NEXT(fdopendir)
NEXT(readdir)
NEXT(readdir64)
NEXT(closedir)
NEXT(dirfd)
NEXT(rewinddir)
NEXT(telldir)
NEXT(seekdir)
NEXT(scandir)
NEXT(scandir64)

/* A path opendir() and scandir() serve: the tree's (absolute, or relative to the shim's cwd).
 * p->path: the path to walk ("" when too long: ENAMETOOLONG). */
static bool dir_path(const char *path, struct shim_path *p)
{
	*p = shim_path_classify(AT_FDCWD, path);
	if (p->kind == SHIM_PATH_NONE)
		return false;
	if (p->path[0] || p->kind == SHIM_PATH_BUS)
		return true;
	if (shim_bus_owns(path) && strlen(path) < sizeof(p->path)) {
		memcpy(p->path, path, strlen(path) + 1); /* remoteproc0's attribute: ENOTDIR */
		return true;
	}
	*p = (struct shim_path){.kind = SHIM_PATH_NONE}; /* a device: libc's, as before */
	return false;
}

SHIM_EXPORT DIR *opendir(const char *path)
{
	struct shim_path p;
	if (dir_path(path, &p))
		return shim_bus_opendir(p.path);
	return LIBC(opendir)(SHIM_LIBC_PATH(p, path));
}

/* find (gnulib's fts) opens each directory with openat(O_DIRECTORY), then fdopendir(). */
SHIM_EXPORT DIR *fdopendir(int fd)
{
	struct shim_fd f;
	if (shim_fd_get(fd, &f) && f.kind == SHIM_FD_DIR)
		return (DIR *)dir_of_fd(fd, f.path);
	return LIBC(fdopendir)(fd);
}

_Static_assert(sizeof(struct dirent) == sizeof(struct dirent64), "dirent64 is dirent here");

SHIM_EXPORT struct dirent *readdir(DIR *dir)
{
	struct bus_dir *d = ours(dir);
	return d ? (struct dirent *)bus_readdir(d) : LIBC(readdir)(dir);
}

SHIM_EXPORT struct dirent64 *readdir64(DIR *dir)
{
	struct bus_dir *d = ours(dir);
	return d ? bus_readdir(d) : LIBC(readdir64)(dir);
}

SHIM_EXPORT int closedir(DIR *dir)
{
	struct bus_dir *d = ours(dir);
	if (!d)
		return LIBC(closedir)(dir);
	pthread_mutex_lock(&dirs_lock);
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (dirs[i] == d)
			dirs[i] = NULL;
	pthread_mutex_unlock(&dirs_lock);
	int rc = close(d->fd);
	munmap(d, sizeof(*d));
	return rc;
}

SHIM_EXPORT int dirfd(DIR *dir)
{
	struct bus_dir *d = ours(dir);
	return d ? d->fd : LIBC(dirfd)(dir);
}

/* Linux reads the directory again: entries that came or went since show. */
SHIM_EXPORT void rewinddir(DIR *dir)
{
	struct bus_dir *d = ours(dir);
	if (!d) {
		LIBC(rewinddir)(dir);
		return;
	}
	struct shim_bus_entries e;
	if (shim_bus_list(d->path, &e))
		d->e = e;
	d->pos = 0;
	d->at = d->e.names;
}

/* A position is the count of entries given ("." and ".." included): the same entry again
 * after seekdir() while the directory does not change. */
SHIM_EXPORT long telldir(DIR *dir)
{
	struct bus_dir *d = ours(dir);
	return d ? (long)d->pos : LIBC(telldir)(dir);
}

SHIM_EXPORT void seekdir(DIR *dir, long pos)
{
	struct bus_dir *d = ours(dir);
	if (!d) {
		LIBC(seekdir)(dir, pos);
		return;
	}
	d->pos = 0;
	d->at = d->e.names;
	for (long i = 0; i < pos && d->pos < d->e.count + 2; i++) {
		if (d->pos >= 2)
			d->at += strlen(d->at) + 1;
		d->pos++;
	}
}

/* glibc's scandir opens and reads through its internal calls: answered here for ours. */
static int bus_scandir(const char *path, struct dirent ***list, int (*sel)(const struct dirent *),
		       int (*cmp)(const struct dirent **, const struct dirent **))
{
	struct bus_dir *d = shim_bus_opendir(path);
	if (!d)
		return -1;
	struct dirent **v = malloc((d->e.count + 2) * sizeof(*v));
	int n = 0;
	struct dirent64 *e = NULL;
	while (v && (e = bus_readdir(d))) {
		if (sel && !sel((struct dirent *)e))
			continue;
		v[n] = malloc(sizeof(**v));
		if (!v[n])
			break;
		memcpy(v[n++], e, sizeof(**v));
	}
	closedir((DIR *)d);
	if (!v || e) { /* out of memory */
		for (int i = 0; v && i < n; i++)
			free(v[i]);
		free(v);
		errno = ENOMEM;
		return -1;
	}
	if (cmp)
		qsort(v, (size_t)n, sizeof(*v), (int (*)(const void *, const void *))cmp);
	*list = v;
	return n;
}

SHIM_EXPORT int scandir(const char *path, struct dirent ***list, int (*sel)(const struct dirent *),
			int (*cmp)(const struct dirent **, const struct dirent **))
{
	struct shim_path p;
	if (dir_path(path, &p))
		return bus_scandir(p.path, list, sel, cmp);
	return LIBC(scandir)(SHIM_LIBC_PATH(p, path), list, sel, cmp);
}

SHIM_EXPORT int scandir64(const char *path, struct dirent64 ***list,
			  int (*sel)(const struct dirent64 *),
			  int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
	struct shim_path p;
	if (dir_path(path, &p))
		return bus_scandir(p.path, (struct dirent ***)list,
				   (int (*)(const struct dirent *))sel,
				   (int (*)(const struct dirent **, const struct dirent **))cmp);
	return LIBC(scandir64)(SHIM_LIBC_PATH(p, path), list, sel, cmp);
}
