/*
 * The files, directories and links of the rpmsg bus in sysfs (shim_bus.c has the devices),
 * laid out as Linux 6.x does: each device lives under its virtio device, and the bus, its
 * drivers and the rpmsg class point at it with relative symbolic links.
 *
 *   /sys/bus/rpmsg/devices/<dev>          -> DEVROOT/<dev>
 *   /sys/bus/rpmsg/drivers/<drv>/<dev>    -> DEVROOT/<dev> (the devices bound to it)
 *   DEVROOT/<dev>/{name,src,dst,announce,modalias,driver_override,driver ->, subsystem ->,
 *                  rpmsg/<class dev>}
 *   /sys/class/rpmsg/rpmsg_ctrl0          -> DEVROOT/virtio0.rpmsg_ctrl.0.0/rpmsg/rpmsg_ctrl0
 *   /sys/class/rpmsg/rpmsg<n>             -> the class device under its channel or rpmsg_ctrl0
 *
 * A canonical path (no link in it) names a node, built from a fresh snapshot on each call;
 * resolve() walks any other path to its canonical form first, as the kernel's path walk.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shim.h"

#define CLASS_MAJOR 240 /* rpmsg's char major is dynamic on Linux: a local-use number */
#define CTRL_MAJOR 241
#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
#define SYSFS_DEV makedev(0, 22)

static const char BUS[] = "/sys/bus/rpmsg";
static const char CLS[] = "/sys/class/rpmsg";
/* Where an STM32MP1's rpmsg devices live (stm32_rproc's m4 node, rproc-virtio.0, virtio0). */
static const char DEVROOT[] =
    "/sys/devices/platform/ahb/10000000.m4/remoteproc/remoteproc0/rproc-virtio.0/virtio0";
static const char CTRL_DEV[] = "virtio0.rpmsg_ctrl.0.0";
/* The first of DEVROOT's directories a PC does not have: the shim's from there down. */
static const char DEVTOP[] = "/sys/devices/platform/ahb";
/* remoteproc0 lives on the way down; /sys/class/remoteproc/remoteproc0 is a link to it. */
static const char RPROC_CLS[] = "/sys/class/remoteproc";
static const char RPROC_DEV[] = "/sys/devices/platform/ahb/10000000.m4/remoteproc/remoteproc0";
/* Its attributes, served by shim_sysfs.c (in enum shim_attr's order). */
static const char *const rproc_attrs[] = {"state",    "firmware", "name",
					  "recovery", "coredump", NULL};

enum node_type { NODE_NONE, NODE_DIR, NODE_FILE, NODE_LINK };

struct node {
	enum node_type type;
	mode_t mode;
	int wkind; /* writable: SHIM_BUS_W_*, else -1 */
	char target[SHIM_BUS_NAME];
	char text[SHIM_BUS_PATH]; /* a file's text, a link's absolute target */
	struct shim_bus_entries e;
	size_t used;
};

static void add(struct node *n, const char *name)
{
	size_t l = strlen(name) + 1;
	if (n->used + l > sizeof(n->e.names) || n->e.count == SHIM_BUS_ENTRIES)
		return;
	memcpy(n->e.names + n->used, name, l);
	n->used += l;
	n->e.count++;
}

static void dir_of(struct node *n, const char *const *names)
{
	n->type = NODE_DIR;
	n->mode = S_IFDIR | 0755;
	for (; names && *names; names++)
		add(n, *names);
}

static void text_of(struct node *n, enum node_type t, mode_t mode, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void text_of(struct node *n, enum node_type t, mode_t mode, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->text, sizeof(n->text), fmt, ap);
	va_end(ap);
	n->type = t;
	n->mode = mode;
}

#define FILE_OF(n, mode, ...) text_of(n, NODE_FILE, S_IFREG | (mode), __VA_ARGS__)
#define LINK_TO(n, ...) text_of(n, NODE_LINK, S_IFLNK | 0777, __VA_ARGS__)

/* Next component of *@p p into @p c; false at the end (or one too long for @p c). */
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

/* The last component: nothing follows @p p. */
static bool at_end(const char *p)
{
	while (*p == '/')
		p++;
	return *p == '\0';
}

/* @p p is the path @p prefix or under it; what follows it in *@p rest. */
static bool under(const char *p, const char *prefix, const char **rest)
{
	size_t l = strlen(prefix);
	if (strncmp(p, prefix, l) != 0 || (p[l] != '\0' && p[l] != '/'))
		return false;
	*rest = p + l;
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

/* ---- class devices: rpmsg_ctrl0 and rpmsg<m> (rpmsg_char.c, rpmsg_ctrl.c) -------------- */

/* An rpmsg_eptdev: name, src, dst as "%d", dev; its parent is @p parent (a canonical path). */
static void eptdev_node(struct node *n, const char *attr, const char *name, uint32_t src,
			uint32_t dst, unsigned minor, const char *parent)
{
	static const char *const attrs[] = {"dev", "device",	"dst", "name",
					    "src", "subsystem", NULL};
	if (!*attr)
		dir_of(n, attrs);
	else if (!strcmp(attr, "name"))
		FILE_OF(n, 0444, "%s\n", name);
	else if (!strcmp(attr, "src"))
		FILE_OF(n, 0444, "%d\n", (int32_t)src);
	else if (!strcmp(attr, "dst"))
		FILE_OF(n, 0444, "%d\n", (int32_t)dst);
	else if (!strcmp(attr, "dev"))
		FILE_OF(n, 0444, "%d:%u\n", CLASS_MAJOR, minor);
	else if (!strcmp(attr, "device"))
		LINK_TO(n, "%s", parent);
	else if (!strcmp(attr, "subsystem"))
		LINK_TO(n, "%s", CLS);
}

/* An endpoint made through rpmsg_ctrl0 (not a channel's): /dev/rpmsg<m>. */
static bool ept_of(unsigned m, struct shim_eptdev *e)
{
	return shim_eptdev_get(m, e) && !e->channel;
}

/* The channel rpmsg_chrdev serves as /dev/rpmsg<m>. */
static const struct shim_bus_dev *chr_of(const struct shim_bus_snap *s, unsigned m)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->dev[i].chr == (int)m)
			return &s->dev[i];
	return NULL;
}

/* DEVROOT/virtio0.rpmsg_ctrl.0.0/rpmsg/rpmsg_ctrl0 and below: @p p follows rpmsg_ctrl0. */
static void ctrl_class_node(struct node *n, const char *p)
{
	char c[64], attr[64] = "", me[SHIM_BUS_PATH];
	unsigned m;
	struct shim_eptdev e;
	snprintf(me, sizeof(me), "%s/%s/rpmsg/rpmsg_ctrl0", DEVROOT, CTRL_DEV);
	if (!next(&p, c, sizeof(c))) {
		static const char *const attrs[] = {"dev", "device", "subsystem", NULL};
		dir_of(n, attrs);
		for (m = 0; m < SHIM_MAX_EPTDEVS; m++)
			if (ept_of(m, &e)) {
				snprintf(c, sizeof(c), "rpmsg%u", m);
				add(n, c);
			}
	} else if (!at_end(p) && !minor_of(c, &m)) {
		return;
	} else if (!strcmp(c, "dev")) {
		FILE_OF(n, 0444, "%d:0\n", CTRL_MAJOR);
	} else if (!strcmp(c, "device")) {
		LINK_TO(n, "%s/%s", DEVROOT, CTRL_DEV);
	} else if (!strcmp(c, "subsystem")) {
		LINK_TO(n, "%s", CLS);
	} else if (minor_of(c, &m) && ept_of(m, &e) &&
		   (!next(&p, attr, sizeof(attr)) || at_end(p))) {
		eptdev_node(n, attr, e.name, e.src, e.dst, m, me);
	}
}

/* @p p: what follows "/sys/class/rpmsg". Every class device is a link to where it lives. */
static void class_node(struct node *n, const struct shim_bus_snap *s, const char *p)
{
	char c[64];
	bool ctrl = shim_bus_find(s, CTRL_DEV, strlen(CTRL_DEV)) != NULL;
	unsigned m;
	struct shim_eptdev e;
	const struct shim_bus_dev *d;
	if (!next(&p, c, sizeof(c))) {
		dir_of(n, NULL);
		if (ctrl)
			add(n, "rpmsg_ctrl0");
		for (m = 0; m < SHIM_MAX_EPTDEVS; m++)
			if ((ctrl && ept_of(m, &e)) || chr_of(s, m)) {
				snprintf(c, sizeof(c), "rpmsg%u", m);
				add(n, c);
			}
	} else if (!at_end(p)) {
		return; /* resolve() follows the link first */
	} else if (ctrl && !strcmp(c, "rpmsg_ctrl0")) {
		LINK_TO(n, "%s/%s/rpmsg/rpmsg_ctrl0", DEVROOT, CTRL_DEV);
	} else if (minor_of(c, &m) && ctrl && ept_of(m, &e)) {
		LINK_TO(n, "%s/%s/rpmsg/rpmsg_ctrl0/%s", DEVROOT, CTRL_DEV, c);
	} else if (minor_of(c, &m) && (d = chr_of(s, m))) {
		LINK_TO(n, "%s/%s/rpmsg/%s", DEVROOT, d->dir, c);
	}
}

/* ---- the devices (rpmsg_core.c's rpmsg_dev_groups) --------------------------------------- */

static void attr_node(struct node *n, const struct shim_bus_dev *d, const char *attr)
{
	if (!strcmp(attr, "name")) {
		FILE_OF(n, 0444, "%s\n", d->name);
	} else if (!strcmp(attr, "src")) {
		FILE_OF(n, 0444, "0x%x\n", d->src);
	} else if (!strcmp(attr, "dst")) {
		FILE_OF(n, 0444, "0x%x\n", d->dst);
	} else if (!strcmp(attr, "announce")) {
		FILE_OF(n, 0444, "false\n"); /* announced by the firmware, or src ANY */
	} else if (!strcmp(attr, "modalias")) {
		FILE_OF(n, 0444, "rpmsg:%s\n", d->name);
	} else if (!strcmp(attr, "driver_override")) {
		FILE_OF(n, 0644, "%s\n", d->override[0] ? d->override : "(null)");
		n->wkind = SHIM_BUS_W_OVERRIDE;
		snprintf(n->target, sizeof(n->target), "%s", d->dir);
	} else if (!strcmp(attr, "driver") && d->driver) {
		LINK_TO(n, "%s/drivers/%s", BUS, d->driver);
	} else if (!strcmp(attr, "subsystem")) {
		LINK_TO(n, "%s", BUS);
	}
}

/* DEVROOT/<dev>/rpmsg: rpmsg_chrdev's class device, or rpmsg_ctrl's. */
static void rpmsg_folder(struct node *n, const struct shim_bus_dev *d, const char *p)
{
	char c[64], name[32], me[SHIM_BUS_PATH];
	bool ctrl = d->driver && !strcmp(d->driver, "rpmsg_ctrl");
	if (d->chr < 0 && !ctrl)
		return;
	if (ctrl)
		snprintf(name, sizeof(name), "rpmsg_ctrl0");
	else
		snprintf(name, sizeof(name), "rpmsg%d", d->chr);
	if (!next(&p, c, sizeof(c))) {
		dir_of(n, NULL);
		add(n, name);
	} else if (strcmp(c, name) != 0) {
		return;
	} else if (ctrl) {
		ctrl_class_node(n, p);
	} else {
		char a[64] = "";
		snprintf(me, sizeof(me), "%s/%s", DEVROOT, d->dir);
		if (!next(&p, a, sizeof(a)) || at_end(p))
			eptdev_node(n, a, d->name, d->src, d->dst, (unsigned)d->chr, me);
	}
}

/* @p p: what follows "DEVROOT". */
static void devroot_node(struct node *n, const struct shim_bus_snap *s, const char *p)
{
	char c[SHIM_BUS_NAME], attr[64];
	const struct shim_bus_dev *d;
	if (!next(&p, c, sizeof(c))) {
		dir_of(n, NULL);
		for (unsigned i = 0; i < s->n; i++)
			add(n, s->dev[i].dir);
	} else if (!(d = shim_bus_find(s, c, strlen(c)))) {
		return;
	} else if (!next(&p, attr, sizeof(attr))) {
		static const char *const attrs[] = {
		    "announce", "driver_override", "dst", "modalias", "name",
		    "src",	"subsystem",	   NULL};
		dir_of(n, attrs);
		if (d->driver)
			add(n, "driver");
		if (d->chr >= 0 || (d->driver && !strcmp(d->driver, "rpmsg_ctrl")))
			add(n, "rpmsg");
	} else if (!strcmp(attr, "rpmsg")) {
		rpmsg_folder(n, d, p);
	} else if (at_end(p)) {
		attr_node(n, d, attr);
	}
}

/* The drivers the devices can be bound to; rpmsg_sdb only when ST's module serves one. */
static bool driver_known(const struct shim_bus_snap *s, const char *drv)
{
	static const char *const fixed[] = {"rpmsg_chrdev", "rpmsg_ctrl", "rpmsg_ns", "rpmsg_tty"};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!strcmp(fixed[i], drv))
			return true;
	for (unsigned i = 0; i < s->n; i++)
		if (s->dev[i].driver && !strcmp(s->dev[i].driver, drv))
			return true;
	return false;
}

/* /sys/bus/rpmsg/drivers/<drv>: bind and unbind (rpmsg_chrdev's), a link per bound device. */
static void driver_node(struct node *n, const struct shim_bus_snap *s, const char *drv,
			const char *p)
{
	char c[SHIM_BUS_NAME];
	bool chrdev = !strcmp(drv, "rpmsg_chrdev");
	const struct shim_bus_dev *d;
	if (!next(&p, c, sizeof(c))) {
		static const char *const files[] = {"bind", "unbind", NULL};
		dir_of(n, chrdev ? files : NULL);
		for (unsigned i = 0; i < s->n; i++)
			if (s->dev[i].driver && !strcmp(s->dev[i].driver, drv))
				add(n, s->dev[i].dir);
	} else if (!at_end(p)) {
		return;
	} else if (chrdev && (!strcmp(c, "bind") || !strcmp(c, "unbind"))) {
		FILE_OF(n, 0200, "%s", "");
		n->wkind = c[0] == 'b' ? SHIM_BUS_W_BIND : SHIM_BUS_W_UNBIND;
	} else if ((d = shim_bus_find(s, c, strlen(c))) && d->driver && !strcmp(d->driver, drv)) {
		LINK_TO(n, "%s/%s", DEVROOT, d->dir);
	}
}

/* @p p: what follows "/sys/bus/rpmsg". */
static void bus_node(struct node *n, const struct shim_bus_snap *s, const char *p)
{
	static const char *const drivers[] = {"rpmsg_chrdev", "rpmsg_ctrl", "rpmsg_ns",
					      "rpmsg_sdb",    "rpmsg_tty",  NULL};
	char c[SHIM_BUS_NAME];
	if (!next(&p, c, sizeof(c))) {
		static const char *const top[] = {"devices", "drivers", NULL};
		dir_of(n, top);
	} else if (!strcmp(c, "devices")) {
		if (!next(&p, c, sizeof(c))) {
			dir_of(n, NULL);
			for (unsigned i = 0; i < s->n; i++)
				add(n, s->dev[i].dir);
		} else if (at_end(p) && shim_bus_find(s, c, strlen(c))) {
			LINK_TO(n, "%s/%s", DEVROOT, c);
		}
	} else if (!strcmp(c, "drivers")) {
		if (!next(&p, c, sizeof(c))) {
			dir_of(n, NULL);
			for (size_t i = 0; drivers[i]; i++)
				if (driver_known(s, drivers[i]))
					add(n, drivers[i]);
		} else if (driver_known(s, c)) {
			driver_node(n, s, c, p);
		}
	}
}

/* remoteproc0's directory: its attributes (opened through shim_sysfs.c), subsystem. */
static void rproc_node(struct node *n, const char *p)
{
	char c[64];
	if (!next(&p, c, sizeof(c))) {
		dir_of(n, rproc_attrs);
		add(n, "rproc-virtio.0");
		add(n, "subsystem");
		return;
	}
	if (!at_end(p))
		return;
	for (size_t i = 0; rproc_attrs[i]; i++)
		if (!strcmp(c, rproc_attrs[i]))
			FILE_OF(n, i == SHIM_ATTR_NAME ? 0444 : 0644, "%s", "");
	if (!strcmp(c, "subsystem"))
		LINK_TO(n, "%s", RPROC_CLS);
}

/* A directory on the way down to DEVROOT: it holds the next one only (docs/exec.md). */
static void way_node(struct node *n, const char *path)
{
	size_t l = strlen(path);
	char c[64];
	const char *p = DEVROOT + l, *rest, *below;
	if (under(path, RPROC_DEV, &rest) && !under(rest, "/rproc-virtio.0", &below)) {
		rproc_node(n, rest);
		return;
	}
	if (strncmp(path, DEVROOT, l) != 0 || *p != '/' || !next(&p, c, sizeof(c)))
		return;
	dir_of(n, NULL);
	add(n, c);
}

/* /sys/class/remoteproc: remoteproc0, a link. */
static void rproc_class_node(struct node *n, const char *p)
{
	char c[64];
	if (!next(&p, c, sizeof(c))) {
		static const char *const devs[] = {"remoteproc0", NULL};
		dir_of(n, devs);
	} else if (!strcmp(c, "remoteproc0") && at_end(p)) {
		LINK_TO(n, "%s", RPROC_DEV);
	}
}

/* The node of canonical path @p path (NODE_NONE if there is none). */
static void lookup(const struct shim_bus_snap *s, const char *path, struct node *n)
{
	const char *rest;
	memset(n, 0, offsetof(struct node, e));
	n->wkind = -1;
	n->e.count = 0;
	n->used = 0;
	if (under(path, BUS, &rest))
		bus_node(n, s, rest);
	else if (under(path, CLS, &rest))
		class_node(n, s, rest);
	else if (under(path, DEVROOT, &rest))
		devroot_node(n, s, rest);
	else if (under(path, DEVTOP, &rest))
		way_node(n, path);
	else if (under(path, RPROC_CLS, &rest))
		rproc_class_node(n, rest);
}

bool shim_bus_owns(const char *path)
{
	const char *rest;
	return under(path, BUS, &rest) || under(path, CLS, &rest) || under(path, DEVTOP, &rest) ||
	       under(path, RPROC_CLS, &rest);
}

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
	for (const char *p = w->rest; next(&p, c, sizeof(c));) {
		size_t ol = strlen(w->out);
		if (!strcmp(c, "."))
			continue; /* the node stays the one before */
		if (!strcmp(c, "..")) {
			*(strrchr(w->out, '/') ? strrchr(w->out, '/') : w->out) = '\0';
			n->type = NODE_NONE;
			if (shim_bus_owns(w->out))
				lookup(s, w->out, n); /* a directory: where a walk came from */
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
		lookup(s, w->out, n);
		if (n->type == NODE_NONE)
			return walk_fail(ENOENT);
		if (n->type == NODE_LINK && (!at_end(p) || follow)) {
			if (walk_link(w, n->text, p) != 0)
				return -1;
			p = w->rest;
			n->type = NODE_NONE;
			continue;
		}
		if (n->type != NODE_DIR && !at_end(p))
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

int shim_bus_rproc_attr(const char *path)
{
	char canon[SHIM_BUS_PATH];
	const char *rest;
	if (!strstr(path, "remoteproc") || shim_bus_canon(path, canon) != 1 ||
	    !under(canon, RPROC_DEV, &rest) || *rest != '/')
		return -1;
	for (int i = 0; rproc_attrs[i]; i++)
		if (!strcmp(rest + 1, rproc_attrs[i]))
			return i;
	return -1;
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
			lookup(&k->s, p, &k->child);
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
	if (fd >= 0 && !shim_fd_track(&f)) {
		int e = errno;
		shim_libc.close(fd);
		errno = e;
		return -1;
	}
	return fd;
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
	if (fd >= 0 && !shim_fd_track(&f)) {
		int e = errno;
		shim_libc.close(fd);
		errno = e;
		return -1;
	}
	return fd;
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
	struct shim_fd f = {.fd = fd, .kind = SHIM_FD_FILE};
	snprintf(f.path, sizeof(f.path), "%s", canon);
	if (fd >= 0 && (shim_libc.write(fd, n->text, len) != (ssize_t)len ||
			lseek(fd, 0, SEEK_SET) != 0 || !shim_fd_track(&f))) {
		int e = errno;
		shim_libc.close(fd);
		errno = e;
		return -1;
	}
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
