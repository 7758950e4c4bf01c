/*
 * The rpmsg bus's sysfs tree (shim_busfs.c) as the calls see it: a path is walked to its
 * canonical form as the kernel's path walk does (".", "..", the tree's links), then its node
 * answers open(), stat(), readlink(), realpath() and readdir().
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shim_busfs.h"

#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
#define SYSFS_DEV makedev(0, 22)

/* ---- the path walk ---------------------------------------------------------------------- */

struct walk {
	char out[SHIM_BUS_PATH]; /* the canonical path so far ("" is "/") */
	char rest[2 * SHIM_BUS_PATH];
	unsigned links;
};

static int walk_fail(int e)
{
	errno = e;
	return -1;
}

/* Replace the rest of the walk by link text @p target (absolute) and then @p after. */
static int walk_link(struct walk *w, const char *target, const char *after)
{
	char tmp[sizeof(w->rest)];
	if (++w->links > MAX_LINKS)
		return walk_fail(ELOOP);
	int l = snprintf(tmp, sizeof(tmp), "%s%s", target, after);
	if (l < 0 || (size_t)l >= sizeof(tmp))
		return walk_fail(ENAMETOOLONG);
	memcpy(w->rest, tmp, (size_t)l + 1);
	w->out[0] = '\0'; /* the targets are kept absolute */
	return 0;
}

/*
 * Walk @p path to its canonical form in @p w->out and its node in @p n (NODE_NONE: not the
 * shim's). 1: the shim's; 0: it leads out of the tree; -1 + errno.
 */
static int walk(const struct shim_bus_snap *s, const char *path, bool follow, struct walk *w,
		struct node *n)
{
	char c[256];
	size_t pl = strlen(path);
	if (pl >= sizeof(w->rest))
		return walk_fail(ENAMETOOLONG);
	memcpy(w->rest, path, pl + 1);
	follow = follow || (pl && path[pl - 1] == '/'); /* "link/" is the directory */
	w->out[0] = '\0';
	w->links = 0;
	n->type = NODE_NONE;
	for (const char *p = w->rest; shim_busfs_next(&p, c, sizeof(c));) {
		size_t ol = strlen(w->out);
		if (!strcmp(c, "."))
			continue; /* the node stays the one before */
		if (!strcmp(c, "..")) {
			*(strrchr(w->out, '/') ? strrchr(w->out, '/') : w->out) = '\0';
			n->type = NODE_NONE;
			if (shim_bus_owns(w->out))
				shim_busfs_lookup(s, w->out,
						  n); /* a directory: where a walk came from */
			continue;
		}
		n->type = NODE_NONE;
		size_t cl = strlen(c);
		if (ol + 1 + cl >= sizeof(w->out))
			return walk_fail(ENAMETOOLONG);
		w->out[ol] = '/';
		memcpy(w->out + ol + 1, c, cl + 1);
		if (!shim_bus_owns(w->out))
			continue; /* /sys, /sys/bus, ...: the PC's directories, not links */
		shim_busfs_lookup(s, w->out, n);
		if (n->type == NODE_NONE)
			return walk_fail(ENOENT);
		if (n->type == NODE_LINK && (!shim_busfs_at_end(p) || follow)) {
			if (walk_link(w, n->text, p) != 0)
				return -1;
			p = w->rest;
			n->type = NODE_NONE;
			continue;
		}
		if (n->type != NODE_DIR && !shim_busfs_at_end(p))
			return walk_fail(ENOTDIR);
	}
	if (!w->out[0])
		snprintf(w->out, sizeof(w->out), "/");
	if (n->type != NODE_NONE && n->type != NODE_DIR && pl && path[pl - 1] == '/')
		return walk_fail(ENOTDIR);
	return n->type != NODE_NONE;
}

/* The node @p path names, with a snapshot taken for the call. */
static int resolve(const char *path, bool follow, struct walk *w, struct node *n,
		   struct shim_bus_snap *s)
{
	if (!getenv("AMPSIM_RUN_DIR") || !path[0])
		return walk_fail(!path[0] ? ENAMETOOLONG : ENOENT);
	shim_bus_snapshot(s);
	int r = walk(s, path, follow, w, n);
	if (r == 0)
		errno = ENOENT; /* out of the tree: only shim_bus_canon() hands it on */
	return r;
}

/* The work space of a call: mapped, not on the stack of a thread that may be small. */
struct work {
	struct shim_bus_snap s;
	struct walk w;
	struct node n, child;
};

static struct work *work_get(void)
{
	struct work *k = mmap(NULL, sizeof(struct work), PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return k == MAP_FAILED ? NULL : k;
}

static void work_put(struct work *k)
{
	int e = errno;
	munmap(k, sizeof(*k));
	errno = e;
}

int shim_bus_canon(const char *path, char out[SHIM_BUS_PATH])
{
	struct work *k = work_get();
	if (!k)
		return -1;
	int r = -1;
	if (getenv("AMPSIM_RUN_DIR") && path[0]) {
		shim_bus_snapshot(&k->s);
		r = walk(&k->s, path, true, &k->w, &k->n);
	} else {
		errno = ENOENT;
	}
	if (r >= 0)
		memcpy(out, k->w.out, SHIM_BUS_PATH);
	work_put(k);
	return r;
}

/* ---- the calls ---------------------------------------------------------------------------- */

static unsigned char dtype(enum node_type t)
{
	if (t == NODE_NONE)
		return DT_UNKNOWN;
	return t == NODE_DIR ? DT_DIR : t == NODE_LINK ? DT_LNK : DT_REG;
}

/* The child entries' types, and in @p subdirs how many are directories (st_nlink). */
static void child_types(struct work *k, unsigned *subdirs)
{
	const char *name = k->n.e.names;
	*subdirs = 0;
	for (unsigned i = 0; i < k->n.e.count; i++, name += strlen(name) + 1) {
		char p[SHIM_BUS_PATH];
		int l = snprintf(p, sizeof(p), "%s/%s", k->w.out, name);
		if (l < 0 || (size_t)l >= sizeof(p))
			k->child.type = NODE_NONE;
		else
			shim_busfs_lookup(&k->s, p, &k->child);
		k->n.e.type[i] = dtype(k->child.type);
		*subdirs += k->child.type == NODE_DIR;
	}
}

bool shim_bus_list(const char *path, struct shim_bus_entries *e)
{
	struct work *k = work_get();
	if (!k)
		return false;
	unsigned subdirs;
	bool ok = resolve(path, true, &k->w, &k->n, &k->s) == 1;
	if (ok && k->n.type != NODE_DIR) {
		errno = ENOTDIR;
		ok = false;
	}
	if (ok) {
		child_types(k, &subdirs);
		memcpy(e, &k->n.e, sizeof(*e));
	}
	work_put(k);
	return ok;
}

/* FNV-1a of the canonical path: the same inode for every way of naming a node. */
static ino_t inode_of(const char *canon)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *canon; canon++)
		h = (h ^ (unsigned char)*canon) * 0x100000001b3u;
	return (ino_t)(h | 1);
}

/* The length of the leading components @p a and @p b share ("/x/y" and "/x/yz": "/x"). */
static size_t common_dir(const char *a, size_t al, const char *b, size_t bl)
{
	size_t common = 0, i = 0;
	for (; i < al && i < bl && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i;
	if ((i == al || a[i] == '/') && (i == bl || b[i] == '/'))
		common = i; /* one is the other, or its ancestor */
	return common;
}

/*
 * @p target relative to @p link, as kernfs_get_target_path() writes it: up from the link's
 * directory to the deepest one that holds the target's directory, then down to the target.
 */
static void relative(const char *link, const char *target, char *out, size_t len)
{
	size_t ld = (size_t)(strrchr(link, '/') - link),
	       td = (size_t)(strrchr(target, '/') - target);
	size_t base = common_dir(link, ld, target, td), used = 0;
	out[0] = '\0';
	for (size_t i = base; i < ld; i++)
		if (link[i] == '/')
			used += (size_t)snprintf(out + used, used < len ? len - used : 0, "../");
	if (used < len)
		snprintf(out + used, len - used, "%s", target + base + 1);
}

/* The run's start (its control socket's): sysfs shows when the nodes were made. */
static void run_times(struct stat *st)
{
	char ctl[4096];
	struct stat c;
	if (shim_rundir_file(ctl, sizeof(ctl), "control") && shim_libc.stat(ctl, &c) == 0)
		st->st_atim = st->st_mtim = st->st_ctim = c.st_mtim;
}

int shim_bus_stat(const char *path, struct stat *st, bool follow)
{
	struct work *k = work_get();
	if (!k)
		return -1;
	int r = resolve(path, follow, &k->w, &k->n, &k->s);
	if (r == 1) {
		unsigned subdirs = 0;
		r = 0;
		if (k->n.type == NODE_DIR)
			child_types(k, &subdirs);
		memset(st, 0, sizeof(*st));
		st->st_mode = k->n.mode;
		st->st_dev = SYSFS_DEV;
		st->st_ino = inode_of(k->w.out);
		st->st_nlink = k->n.type == NODE_DIR ? 2 + subdirs : 1; /* kernfs counts them */
		/* What sysfs reports: 4096 for an attribute, 0 for a directory, a link's length. */
		st->st_size = k->n.type == NODE_FILE ? 4096 : 0;
		if (k->n.type == NODE_LINK) {
			char rel[SHIM_BUS_PATH];
			relative(k->w.out, k->n.text, rel, sizeof(rel));
			st->st_size = (off_t)strlen(rel);
		}
		st->st_blksize = 4096;
		run_times(st);
	} else {
		r = -1; /* out of the tree: ENOENT (resolve()) */
	}
	work_put(k);
	return r == 0 ? 0 : -1;
}

ssize_t shim_bus_readlink(const char *path, char *buf, size_t len)
{
	struct work *k = work_get();
	if (!k)
		return -1;
	ssize_t r = resolve(path, false, &k->w, &k->n, &k->s);
	if (r == 1 && k->n.type != NODE_LINK) {
		errno = EINVAL;
		r = -1;
	} else if (r == 1) {
		char rel[SHIM_BUS_PATH];
		relative(k->w.out, k->n.text, rel, sizeof(rel));
		size_t l = strlen(rel);
		r = (ssize_t)(l < len ? l : len);
		memcpy(buf, rel, (size_t)r);
	}
	work_put(k);
	return r < 0 ? -1 : r;
}

/* A descriptor that could not be tracked: closed, -1 with the failure's errno. */
static int close_failed(int fd)
{
	int e = errno;
	shim_libc.close(fd);
	errno = e;
	return -1;
}

/* A directory: a memfd tracked with its canonical path, for openat(), fstatat(), fdopendir(). */
static int open_dir(const char *canon, int flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY) {
		errno = EISDIR;
		return -1;
	}
	int fd = memfd_create("ampsim-sysfs-dir", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_DIR};
	snprintf(f.path, sizeof(f.path), "%s", canon);
	return fd >= 0 && !shim_fd_track(&f) ? close_failed(fd) : fd;
}

/* An attribute opened for writing: a memfd, named for a program that inherits it. */
static int open_writer(const struct node *n, int flags)
{
	if (n->wkind < 0) {
		errno = EACCES; /* read-only attributes, as for a user on Linux */
		return -1;
	}
	char name[160];
	snprintf(name, sizeof(name), "ampsim-bus %d %s", n->wkind, n->target[0] ? n->target : "-");
	int fd = memfd_create(name, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_BUS, .index = (unsigned)n->wkind};
	snprintf(f.target, sizeof(f.target), "%s", n->target);
	return fd >= 0 && !shim_fd_track(&f) ? close_failed(fd) : fd;
}

/* An attribute opened for reading: a memfd holding its text now, tracked for fstat(). */
static int open_reader(const struct node *n, const char *canon, int flags)
{
	if (!(n->mode & 0444)) {
		errno = EACCES; /* bind, unbind: write-only */
		return -1;
	}
	int fd = memfd_create("rpmsg-bus", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	size_t len = strlen(n->text);
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_FILE, .destroyed = n->eio};
	snprintf(f.path, sizeof(f.path), "%s", canon);
	if (fd >= 0 && (shim_libc.write(fd, n->text, len) != (ssize_t)len ||
			lseek(fd, 0, SEEK_SET) != 0 || !shim_fd_track(&f)))
		return close_failed(fd);
	return fd;
}

int shim_bus_open(const char *path, int flags)
{
	struct work *k = work_get();
	if (!k)
		return -1;
	bool nofollow = (flags & O_NOFOLLOW) && !(flags & O_PATH);
	int fd = -1;
	if (resolve(path, !nofollow, &k->w, &k->n, &k->s) != 1)
		fd = -1;
	else if (k->n.type == NODE_LINK)
		errno = ELOOP; /* O_NOFOLLOW on a link */
	else if (k->n.type == NODE_DIR)
		fd = open_dir(k->w.out, flags);
	else if (flags & O_DIRECTORY)
		errno = ENOTDIR;
	else if ((flags & O_ACCMODE) != O_RDONLY)
		fd = open_writer(&k->n, flags);
	else
		fd = open_reader(&k->n, k->w.out, flags);
	work_put(k);
	return fd;
}
