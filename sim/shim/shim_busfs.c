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
 * shim_buswalk.c walks any other path to its canonical form first, as the kernel's path walk.
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

#include "shim_busfs.h"

#define CLASS_MAJOR 240 /* rpmsg's char major is dynamic on Linux: a local-use number */
#define CTRL_MAJOR 241
#define CTRL_MAJOR_S "241"

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

/* ---- every device's uevent and power/ (drivers/base/core.c, drivers/base/power/sysfs.c) -- */

/* power/: the runtime PM attributes a device without runtime PM callbacks has. */
static void power_node(struct node *n, const char *p)
{
	static const char *const attrs[] = {"autosuspend_delay_ms",   "control",
					    "runtime_active_time",    "runtime_status",
					    "runtime_suspended_time", NULL};
	char c[64];
	if (!next(&p, c, sizeof(c)))
		dir_of(n, attrs);
	else if (!at_end(p))
		return;
	else if (!strcmp(c, "control"))
		FILE_OF(n, 0644, "auto\n");
	else if (!strcmp(c, "runtime_status"))
		FILE_OF(n, 0444, "unsupported\n");
	else if (!strcmp(c, "runtime_active_time") || !strcmp(c, "runtime_suspended_time"))
		FILE_OF(n, 0444, "0\n");
	else if (!strcmp(c, "autosuspend_delay_ms")) {
		FILE_OF(n, 0644, "%s", ""); /* no autosuspend: its show() is -EIO */
		n->eio = true;
	}
}

/* uevent and power/, common to every device: true if @p attr (then @p p) named one. */
static bool common_node(struct node *n, const char *attr, const char *p, const char *uevent)
{
	if (!strcmp(attr, "power")) {
		power_node(n, p);
		return true;
	}
	if (!strcmp(attr, "uevent") && at_end(p)) {
		FILE_OF(n, 0644, "%s", uevent);
		return true;
	}
	return false;
}

/* ---- class devices: rpmsg_ctrl0 and rpmsg<m> (rpmsg_char.c, rpmsg_ctrl.c) -------------- */

/* An rpmsg_eptdev: name, src, dst as "%d", dev; its parent is @p parent (a canonical path);
 * @p p follows @p attr. */
static void eptdev_node(struct node *n, const char *attr, const char *p, const char *name,
			uint32_t src, uint32_t dst, unsigned minor, const char *parent)
{
	static const char *const attrs[] = {"dev", "device",	"dst",	  "name", "power",
					    "src", "subsystem", "uevent", NULL};
	char uevent[96];
	snprintf(uevent, sizeof(uevent), "MAJOR=%d\nMINOR=%u\nDEVNAME=rpmsg%u\n", CLASS_MAJOR,
		 minor, minor);
	if (!*attr)
		dir_of(n, attrs);
	else if (common_node(n, attr, p, uevent) || !at_end(p))
		return;
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
		static const char *const attrs[] = {"dev",	 "device", "power",
						    "subsystem", "uevent", NULL};
		dir_of(n, attrs);
		for (m = 0; m < SHIM_MAX_EPTDEVS; m++)
			if (ept_of(m, &e)) {
				snprintf(c, sizeof(c), "rpmsg%u", m);
				add(n, c);
			}
	} else if (common_node(n, c, p, "MAJOR=" CTRL_MAJOR_S "\nMINOR=0\nDEVNAME=rpmsg_ctrl0\n")) {
		return;
	} else if (!at_end(p) && !minor_of(c, &m)) {
		return;
	} else if (!strcmp(c, "dev")) {
		FILE_OF(n, 0444, "%d:0\n", CTRL_MAJOR);
	} else if (!strcmp(c, "device")) {
		LINK_TO(n, "%s/%s", DEVROOT, CTRL_DEV);
	} else if (!strcmp(c, "subsystem")) {
		LINK_TO(n, "%s", CLS);
	} else if (minor_of(c, &m) && ept_of(m, &e)) {
		(void)next(&p, attr, sizeof(attr)); /* none: the directory itself */
		eptdev_node(n, attr, p, e.name, e.src, e.dst, m, me);
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

/*
 * __rpmsg_create_channel(): a device registered with a src (RPMSG_CREATE_DEV_IOCTL with an
 * address) announces itself; the firmware's channels (registered with src ANY: "-1" in the
 * name, src is their endpoint's since the probe), rpmsg_ctrl's and rpmsg_ns's do not.
 */
static bool announces(const struct shim_bus_dev *d)
{
	const char *dot = strrchr(d->dir, '.'), *p = dot;
	while (p && p > d->dir && p[-1] != '.')
		p--;
	bool any = p && dot - p == 2 && !strncmp(p, "-1", 2);
	return !any && strcmp(d->dir, CTRL_DEV) != 0 &&
	       strcmp(d->dir, "virtio0.rpmsg_ns.53.53") != 0;
}

static void attr_node(struct node *n, const struct shim_bus_dev *d, const char *attr)
{
	if (!strcmp(attr, "name")) {
		FILE_OF(n, 0444, "%s\n", d->name);
	} else if (!strcmp(attr, "src")) {
		FILE_OF(n, 0444, "0x%x\n", d->src);
	} else if (!strcmp(attr, "dst")) {
		FILE_OF(n, 0444, "0x%x\n", d->dst);
	} else if (!strcmp(attr, "announce")) {
		FILE_OF(n, 0444, "%s\n", announces(d) ? "true" : "false");
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

/* An rpmsg device's uevent: dev_uevent()'s DRIVER, then rpmsg_uevent()'s MODALIAS. */
static bool dev_common(struct node *n, const struct shim_bus_dev *d, const char *attr,
		       const char *p)
{
	char uevent[128] = "";
	if (d->driver)
		snprintf(uevent, sizeof(uevent), "DRIVER=%s\n", d->driver);
	snprintf(uevent + strlen(uevent), sizeof(uevent) - strlen(uevent), "MODALIAS=rpmsg:%s\n",
		 d->name);
	return common_node(n, attr, p, uevent);
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
		(void)next(&p, a, sizeof(a)); /* none: the directory itself */
		eptdev_node(n, a, p, d->name, d->src, d->dst, (unsigned)d->chr, me);
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
		    "announce", "driver_override", "dst",    "modalias", "name", "power",
		    "src",	"subsystem",	   "uevent", NULL};
		dir_of(n, attrs);
		if (d->driver)
			add(n, "driver");
		if (d->chr >= 0 || (d->driver && !strcmp(d->driver, "rpmsg_ctrl")))
			add(n, "rpmsg");
	} else if (!strcmp(attr, "rpmsg")) {
		rpmsg_folder(n, d, p);
	} else if (dev_common(n, d, attr, p)) {
		return;
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
	else if (!s->run)
		return; /* no run: no remoteproc0, as on a board without the device */
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

bool shim_busfs_next(const char **p, char *c, size_t len)
{
	return next(p, c, len);
}

bool shim_busfs_at_end(const char *p)
{
	return at_end(p);
}

void shim_busfs_lookup(const struct shim_bus_snap *s, const char *path, struct node *n)
{
	lookup(s, path, n);
}
