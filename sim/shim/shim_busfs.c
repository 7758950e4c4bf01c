/*
 * The files and directories of the rpmsg bus in sysfs (shim_bus.c has the devices): a path
 * resolves to a node, a directory (its entry names) or an attribute (its text), built from a
 * fresh snapshot on each call. opendir() of such a directory returns a handle of the shim's
 * own that readdir(), scandir() and closedir() below recognise; every other DIR is libc's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define NAMES_MAX 4096
#define CLASS_MAJOR 240 /* rpmsg's char major is dynamic on Linux: a local-use number */
#define CTRL_MAJOR 241

enum node_type { NODE_NONE, NODE_DIR, NODE_FILE };

struct node {
	enum node_type type;
	mode_t mode;
	int wkind; /* writable: SHIM_BUS_W_*, else -1 */
	char target[SHIM_BUS_NAME];
	char text[128];
	char names[NAMES_MAX]; /* a directory's entries, NUL-separated */
	size_t used;
	unsigned count;
};

static void add(struct node *n, const char *name)
{
	size_t l = strlen(name) + 1;
	if (n->used + l > sizeof(n->names))
		return;
	memcpy(n->names + n->used, name, l);
	n->used += l;
	n->count++;
}

static void dir_of(struct node *n, const char *const *names)
{
	n->type = NODE_DIR;
	n->mode = S_IFDIR | 0755;
	for (; *names; names++)
		add(n, *names);
}

static void file_of(struct node *n, mode_t mode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void file_of(struct node *n, mode_t mode, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
	n->type = NODE_FILE;
	n->mode = S_IFREG | mode;
}

/* Next component of *@p p into @p c; false at the end. */
static bool next(const char **p, char *c, size_t len)
{
	while (**p == '/')
		(*p)++;
	size_t l = strcspn(*p, "/");
	if (!l || l >= len)
		return false;
	memcpy(c, *p, l);
	c[l] = '\0';
	*p += l;
	return true;
}

/* "rpmsg<m>", m written without leading zeros. */
static bool minor_of(const char *c, unsigned *m)
{
	char again[32];
	if (sscanf(c, "rpmsg%u", m) != 1)
		return false;
	snprintf(again, sizeof(again), "rpmsg%u", *m);
	return !strcmp(again, c);
}

/* The last component: nothing follows @p p. */
static bool at_end(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

/* ---- /sys/class/rpmsg ---------------------------------------------------------------- */

/* An rpmsg_eptdev's attributes (rpmsg_char.c: name, src, dst as "%d"), and dev. */
static void eptdev_node(struct node *n, const char *attr, const char *name, uint32_t src,
			uint32_t dst, unsigned minor)
{
	static const char *const attrs[] = {"dev", "dst", "name", "src", NULL};
	if (!*attr)
		dir_of(n, attrs);
	else if (!strcmp(attr, "name"))
		file_of(n, 0444, "%s\n", name);
	else if (!strcmp(attr, "src"))
		file_of(n, 0444, "%d\n", (int32_t)src);
	else if (!strcmp(attr, "dst"))
		file_of(n, 0444, "%d\n", (int32_t)dst);
	else if (!strcmp(attr, "dev"))
		file_of(n, 0444, "%d:%u\n", CLASS_MAJOR, minor);
}

/* rpmsg<m>, a class device: a channel's (rpmsg_chrdev) or an endpoint's (@p ept_only). */
static bool class_eptdev(struct node *n, const struct shim_bus_snap *s, unsigned m,
			 const char *attr, bool ept_only)
{
	struct shim_eptdev e;
	if (shim_eptdev_get(m, &e) && !e.channel) {
		eptdev_node(n, attr, e.name, e.src, e.dst, m);
		return true;
	}
	for (unsigned i = 0; !ept_only && i < s->n; i++)
		if (s->dev[i].chr == (int)m) {
			eptdev_node(n, attr, s->dev[i].name, s->dev[i].src, s->dev[i].dst, m);
			return true;
		}
	return false;
}

/* The class devices: rpmsg_ctrl0, then /dev/rpmsg<m> for channels and endpoints. */
static void class_names(struct node *n, const struct shim_bus_snap *s, bool ctrl, bool ept_only)
{
	char name[32];
	n->type = NODE_DIR;
	n->mode = S_IFDIR | 0755;
	if (ctrl)
		add(n, "rpmsg_ctrl0");
	for (unsigned m = 0; m < SHIM_MAX_EPTDEVS; m++) {
		struct node tmp = {0};
		if (class_eptdev(&tmp, s, m, "", ept_only)) {
			snprintf(name, sizeof(name), "rpmsg%u", m);
			add(n, name);
		}
	}
}

/* rpmsg_ctrl0's class directory: its dev, and the endpoints made through it. */
static void ctrl_class_node(struct node *n, const struct shim_bus_snap *s, const char *p)
{
	char c[64], attr[64] = "";
	unsigned m;
	if (!next(&p, c, sizeof(c))) {
		class_names(n, s, false, true);
		add(n, "dev");
	} else if (!strcmp(c, "dev") && at_end(p)) {
		file_of(n, 0444, "%d:0\n", CTRL_MAJOR);
	} else if (minor_of(c, &m) && (!next(&p, attr, sizeof(attr)) || at_end(p))) {
		class_eptdev(n, s, m, attr, true);
	}
}

/* @p p: what follows "/sys/class/rpmsg". */
static void class_node(struct node *n, const struct shim_bus_snap *s, const char *p)
{
	char c[64], attr[64] = "";
	bool ctrl = shim_bus_find(s, "virtio0.rpmsg_ctrl.0.0", 22) != NULL;
	unsigned m;
	if (!next(&p, c, sizeof(c)))
		class_names(n, s, ctrl, false);
	else if (ctrl && !strcmp(c, "rpmsg_ctrl0"))
		ctrl_class_node(n, s, p);
	else if (minor_of(c, &m) && (!next(&p, attr, sizeof(attr)) || at_end(p)))
		class_eptdev(n, s, m, attr, false);
}

/* ---- /sys/bus/rpmsg -------------------------------------------------------------------- */

/* A device's attributes (rpmsg_core.c's rpmsg_dev_groups) and its rpmsg/ folder. */
static void device_node(struct node *n, const struct shim_bus_snap *s, const struct shim_bus_dev *d,
			const char *p)
{
	char attr[64];
	if (!next(&p, attr, sizeof(attr))) {
		static const char *const attrs[] = {
		    "announce", "driver_override", "dst", "modalias", "name", "src", NULL};
		dir_of(n, attrs);
		if (d->chr >= 0 || (d->driver && !strcmp(d->driver, "rpmsg_ctrl")))
			add(n, "rpmsg");
		return;
	}
	bool leaf = at_end(p);
	char c[64];
	if (!strcmp(attr, "rpmsg") && d->chr >= 0) {
		char name[32];
		snprintf(name, sizeof(name), "rpmsg%d", d->chr);
		if (leaf) {
			static const char *const none[] = {NULL};
			dir_of(n, none);
			add(n, name);
		} else if (next(&p, c, sizeof(c)) && !strcmp(c, name)) {
			char a[64] = ""; /* rpmsg/rpmsgN, or rpmsg/rpmsgN/ATTR */
			if (!next(&p, a, sizeof(a)) || at_end(p))
				eptdev_node(n, a, d->name, d->src, d->dst, (unsigned)d->chr);
		}
	} else if (!strcmp(attr, "rpmsg") && d->driver && !strcmp(d->driver, "rpmsg_ctrl")) {
		if (leaf) {
			static const char *const ctrl[] = {"rpmsg_ctrl0", NULL};
			dir_of(n, ctrl);
		} else if (next(&p, c, sizeof(c)) && !strcmp(c, "rpmsg_ctrl0")) {
			ctrl_class_node(n, s, p);
		}
	} else if (!leaf) {
		return;
	} else if (!strcmp(attr, "name")) {
		file_of(n, 0444, "%s\n", d->name);
	} else if (!strcmp(attr, "src")) {
		file_of(n, 0444, "0x%x\n", d->src);
	} else if (!strcmp(attr, "dst")) {
		file_of(n, 0444, "0x%x\n", d->dst);
	} else if (!strcmp(attr, "announce")) {
		file_of(n, 0444, "false\n"); /* announced by the firmware, or src ANY */
	} else if (!strcmp(attr, "modalias")) {
		file_of(n, 0444, "rpmsg:%s\n", d->name);
	} else if (!strcmp(attr, "driver_override")) {
		file_of(n, 0644, "%s\n", d->override[0] ? d->override : "(null)");
		n->wkind = SHIM_BUS_W_OVERRIDE;
		snprintf(n->target, sizeof(n->target), "%s", d->dir);
	}
}

static void bus_node(struct node *n, const struct shim_bus_snap *s, const char *p)
{
	char c[SHIM_BUS_NAME];
	if (!next(&p, c, sizeof(c))) {
		static const char *const top[] = {"devices", "drivers", NULL};
		dir_of(n, top);
	} else if (!strcmp(c, "devices")) {
		if (!next(&p, c, sizeof(c))) {
			n->type = NODE_DIR;
			n->mode = S_IFDIR | 0755;
			for (unsigned i = 0; i < s->n; i++)
				add(n, s->dev[i].dir);
		} else {
			const struct shim_bus_dev *d = shim_bus_find(s, c, strlen(c));
			if (d)
				device_node(n, s, d, p);
		}
	} else if (!strcmp(c, "drivers")) {
		static const char *const drivers[] = {"rpmsg_chrdev", NULL};
		static const char *const files[] = {"bind", "unbind", NULL};
		if (!next(&p, c, sizeof(c)))
			dir_of(n, drivers);
		else if (strcmp(c, "rpmsg_chrdev") != 0)
			return;
		else if (!next(&p, c, sizeof(c)))
			dir_of(n, files);
		else if (!strcmp(c, "bind") || !strcmp(c, "unbind")) {
			file_of(n, 0200, "%s", "");
			n->wkind = c[0] == 'b' ? SHIM_BUS_W_BIND : SHIM_BUS_W_UNBIND;
		}
	}
}

/* Resolve @p path (one shim_bus_owns() claimed); false (errno ENOENT) if nothing is there. */
static bool resolve(const char *path, struct node *n)
{
	struct shim_bus_snap s;
	*n = (struct node){.wkind = -1};
	if (!getenv("AMPSIM_RUN_DIR")) {
		errno = ENOENT;
		return false;
	}
	shim_bus_snapshot(&s);
	if (!strncmp(path, "/sys/bus/rpmsg", 14))
		bus_node(n, &s, path + 14);
	else
		class_node(n, &s, path + 16);
	if (n->type == NODE_NONE)
		errno = ENOENT;
	return n->type != NODE_NONE;
}

/* ---- open, stat ------------------------------------------------------------------------ */

int shim_bus_open(const char *path, int flags)
{
	struct node n;
	if (!resolve(path, &n))
		return -1;
	if (n.type == NODE_DIR) {
		errno = (flags & O_ACCMODE) != O_RDONLY ? EISDIR : ENOTSUP; /* no directory fds */
		return -1;
	}
	if ((flags & O_ACCMODE) != O_RDONLY) {
		if (n.wkind < 0) {
			errno = EACCES; /* read-only attributes, as for a user on Linux */
			return -1;
		}
		/* What is written goes to shim_bus_store(); the descriptor is a memfd of its own,
		 * named for a program that inherits it through exec (shim_inherit.c). */
		char name[160];
		snprintf(name, sizeof(name), "ampsim-bus %d %s", n.wkind,
			 n.target[0] ? n.target : "-");
		int fd = memfd_create(name, (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
		struct shim_fd f = {.fd = fd, .kind = SHIM_FD_BUS, .index = (unsigned)n.wkind};
		snprintf(f.target, sizeof(f.target), "%s", n.target);
		if (fd >= 0 && !shim_fd_track(&f)) {
			int e = errno;
			shim_libc.close(fd);
			errno = e;
			return -1;
		}
		return fd;
	}
	if (!(n.mode & 0444)) {
		errno = EACCES; /* bind, unbind: write-only */
		return -1;
	}
	int fd = memfd_create("rpmsg-bus", (flags & O_CLOEXEC) ? MFD_CLOEXEC : 0);
	size_t len = strlen(n.text);
	if (fd >= 0 &&
	    (shim_libc.write(fd, n.text, len) != (ssize_t)len || lseek(fd, 0, SEEK_SET) != 0)) {
		int e = errno;
		shim_libc.close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int shim_bus_stat(const char *path, struct stat *st)
{
	struct node n;
	if (!resolve(path, &n))
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_mode = n.mode;
	st->st_nlink = n.type == NODE_DIR ? 2 : 1;
	st->st_size = n.type == NODE_DIR ? 0 : 4096; /* what sysfs reports */
	st->st_blksize = 4096;
	return 0;
}

/* ---- directory handles ----------------------------------------------------------------- */

#define DIR_MAGIC 0x72706d73u /* "rpms" */

struct bus_dir {
	uint32_t magic;
	unsigned pos; /* entries given: ".", "..", then the names */
	struct node n;
	const char *at; /* next name in n.names */
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
static struct bus_dir *dirs[16]; /* the handles alive: a DIR * is ours if it is here */

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

void *shim_bus_opendir(const char *path)
{
	struct node n;
	if (!resolve(path, &n))
		return NULL;
	if (n.type != NODE_DIR) {
		errno = ENOTDIR;
		return NULL;
	}
	struct bus_dir *d =
	    mmap(NULL, sizeof(*d), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d == MAP_FAILED)
		return NULL;
	d->magic = DIR_MAGIC;
	d->n = n;
	d->at = d->n.names;
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

static struct dirent64 *bus_readdir(struct bus_dir *d)
{
	const char *name;
	if (d->pos < 2) {
		name = d->pos ? ".." : ".";
	} else if (d->pos - 2 < d->n.count) {
		name = d->at;
		d->at += strlen(d->at) + 1;
	} else {
		return NULL; /* the end: errno untouched */
	}
	d->pos++;
	memset(&d->ent, 0, sizeof(d->ent));
	d->ent.d_ino = d->pos; /* any non-zero number: 0 marks a deleted entry */
	d->ent.d_off = d->pos;
	d->ent.d_reclen = sizeof(d->ent);
	d->ent.d_type = d->pos <= 2 ? DT_DIR : DT_UNKNOWN; /* ls and find stat the others */
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
NEXT(readdir)
NEXT(readdir64)
NEXT(closedir)
NEXT(dirfd)
NEXT(rewinddir)
NEXT(scandir)
NEXT(scandir64)

SHIM_EXPORT DIR *opendir(const char *path)
{
	if (shim_bus_owns(path) && getenv("AMPSIM_RUN_DIR"))
		return shim_bus_opendir(path);
	return LIBC(opendir)(path);
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
	return munmap(d, sizeof(*d));
}

SHIM_EXPORT int dirfd(DIR *dir)
{
	if (!ours(dir))
		return LIBC(dirfd)(dir);
	errno = ENOTSUP; /* no descriptor stands behind it */
	return -1;
}

SHIM_EXPORT void rewinddir(DIR *dir)
{
	struct bus_dir *d = ours(dir);
	if (!d) {
		LIBC(rewinddir)(dir);
		return;
	}
	d->pos = 0;
	d->at = d->n.names;
}

/* glibc's scandir opens and reads through its internal calls: answered here for ours. */
static int bus_scandir(const char *path, struct dirent ***list, int (*sel)(const struct dirent *),
		       int (*cmp)(const struct dirent **, const struct dirent **))
{
	struct bus_dir *d = shim_bus_opendir(path);
	if (!d)
		return -1;
	struct dirent **v = malloc((d->n.count + 2) * sizeof(*v));
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
	if (shim_bus_owns(path) && getenv("AMPSIM_RUN_DIR"))
		return bus_scandir(path, list, sel, cmp);
	return LIBC(scandir)(path, list, sel, cmp);
}

SHIM_EXPORT int scandir64(const char *path, struct dirent64 ***list,
			  int (*sel)(const struct dirent64 *),
			  int (*cmp)(const struct dirent64 **, const struct dirent64 **))
{
	if (shim_bus_owns(path) && getenv("AMPSIM_RUN_DIR"))
		return bus_scandir(path, (struct dirent ***)list,
				   (int (*)(const struct dirent *))sel,
				   (int (*)(const struct dirent **, const struct dirent **))cmp);
	return LIBC(scandir64)(path, list, sel, cmp);
}
