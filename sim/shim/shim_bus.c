/*
 * The rpmsg bus's devices, as Linux 6.x has them (drivers/rpmsg/rpmsg_core.c, rpmsg_char.c,
 * rpmsg_ctrl.c, rpmsg_ns.c, drivers/base/bus.c), built on each look from `ampsim ctl
 * endpoints`, the run's sysfs-bus state and the process's own channels and devices: the
 * firmware's channels, virtio0.rpmsg_ctrl.0.0, virtio0.rpmsg_ns.53.53, and what the process
 * made with RPMSG_CREATE_DEV_IOCTL; and the writes to driver_override, bind and unbind.
 * shim_busfs.c lays them out as files, directories and links.
 *
 * driver_override and unbind state belong to the run (docs/exec.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shim.h"

#define LIST_MAX 65536 /* `ampsim ctl endpoints` */
#define MAX_STATE 32   /* devices with a driver_override or unbound: the daemon keeps 32 */
#define ADDR_ANY 0xffffffffu

/* ---- driver_override and unbind state: the daemon's "sysfs-bus" (one for the run) --- */

struct dev_state {
	char dir[SHIM_BUS_NAME];
	char override[32]; /* "" none */
	int unbound;	   /* 1: unbound; 2: released (RPMSG_RELEASE_DEV_IOCTL): off the bus */
	int minor;	   /* the /dev/rpmsg<minor> that unbinding took away; -1 */
};

struct states {
	struct dev_state s[MAX_STATE];
	unsigned n;
};

/* The run's state into @p st (empty when no run answers). */
static void load_states(struct states *st)
{
	char reply[MAX_STATE * 160], *save = NULL;
	st->n = 0;
	if (shim_ctl("sysfs-bus", reply, sizeof(reply)) != 1)
		return;
	for (char *l = strtok_r(reply, "\n", &save); l && st->n < MAX_STATE;
	     l = strtok_r(NULL, "\n", &save)) {
		struct dev_state *d = &st->s[st->n];
		if (sscanf(l, "%95s %31s %d %d", d->dir, d->override, &d->unbound, &d->minor) != 4)
			continue;
		if (!strcmp(d->override, "-"))
			d->override[0] = '\0';
		st->n++;
	}
}

static struct dev_state *state_of(struct states *st, const char *dir)
{
	for (unsigned i = 0; i < st->n; i++)
		if (!strcmp(st->s[i].dir, dir))
			return &st->s[i];
	return NULL;
}

/* Store @p d in the run; -1 with errno when the daemon refuses (ENOMEM: table full). */
static int save_state(const struct dev_state *d)
{
	char cmd[200], reply[256];
	snprintf(cmd, sizeof(cmd), "sysfs-bus set %s %s %d %d", d->dir,
		 d->override[0] ? d->override : "-", d->unbound, d->minor);
	int r = shim_ctl(cmd, reply, sizeof(reply));
	if (r == 1)
		return 0;
	errno = r < 0 ? ENODEV : !strncmp(reply, "ENOMEM", 6) ? ENOMEM : EINVAL;
	return -1;
}

bool shim_bus_minor_unbound(unsigned minor)
{
	struct states st;
	load_states(&st);
	for (unsigned i = 0; i < st.n; i++)
		if (st.s[i].unbound && st.s[i].minor == (int)minor)
			return true;
	return false;
}

/* ---- the devices ----------------------------------------------------------------------- */

/* A channel name a path can hold: the firmware chose it (printable, no '/'). */
static bool sane_name(const char *n)
{
	if (!*n || !strcmp(n, ".") || !strcmp(n, ".."))
		return false;
	for (; *n; n++)
		if (*n <= ' ' || *n > '~' || *n == '/')
			return false;
	return true;
}

/* @p reg_src: the src the device was registered with (its name has it), @p src: now. */
static void add_dev(struct shim_bus_snap *s, const char *name, uint32_t reg_src, uint32_t src,
		    uint32_t dst, const char *driver, int chr)
{
	if (s->n == SHIM_BUS_MAX_DEVS)
		return;
	struct shim_bus_dev *d = &s->dev[s->n++];
	*d = (struct shim_bus_dev){.src = src, .dst = dst, .driver = driver, .chr = chr};
	snprintf(d->name, sizeof(d->name), "%s", name);
	/* rpmsg_register_device: "%s.%s.%d.%d" of the parent, name, src, dst as registered
	 * (a channel the firmware announced is registered with src RPMSG_ADDR_ANY: -1). */
	snprintf(d->dir, sizeof(d->dir), "virtio0.%s.%d.%d", name, (int32_t)reg_src, (int32_t)dst);
}

/* The firmware's channels, from `ampsim ctl endpoints`: "NAME firmware 0xD host 0xS PATH". */
static void fw_channels(struct shim_bus_snap *s)
{
	char *list =
	    mmap(NULL, LIST_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (list == MAP_FAILED)
		return;
	char *save = NULL;
	s->run = shim_ctl("endpoints", list, LIST_MAX) == 1;
	if (s->run)
		for (char *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char n[32], path[4096]; /* an RPMsg name: at most 31 bytes and its NUL */
			unsigned fw, host, minor;
			if (sscanf(l, "%31s firmware 0x%x host 0x%x %4095s", n, &fw, &host, path) !=
				4 ||
			    strstr(l, " a connection on ") || !sane_name(n))
				continue;
			const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
			if (sscanf(base, "rpmsg%u", &minor) == 1 && base[5] >= '0' &&
			    base[5] <= '9')
				add_dev(s, n, ADDR_ANY, host, fw, "rpmsg_chrdev", (int)minor);
			else if (!strncmp(base, "ttyRPMSG", 8))
				add_dev(s, n, ADDR_ANY, host, fw, "rpmsg_tty", -1);
			else if (!strcmp(base, "rpmsg-sdb"))
				add_dev(s, n, ADDR_ANY, host, fw, "rpmsg_sdb", -1);
			else
				add_dev(s, n, ADDR_ANY, host, fw, NULL, -1); /* "(not served)" */
		}
	munmap(list, LIST_MAX);
}

/* The firmware's channels released (unregistered) for the run are off the bus. */
static void drop_released(struct shim_bus_snap *s, struct states *st)
{
	unsigned kept = 0;
	for (unsigned i = 0; i < s->n; i++) {
		const struct dev_state *d = state_of(st, s->dev[i].dir);
		if (!d || d->unbound != 2)
			s->dev[kept++] = s->dev[i];
	}
	s->n = kept;
}

void shim_bus_snapshot(struct shim_bus_snap *s)
{
	struct states st;
	s->n = 0;
	s->run = false;
	fw_channels(s);
	load_states(&st);
	drop_released(s, &st);
	if (shim_ctrl_present(0)) { /* both come with virtio_rpmsg_probe() */
		/* rpmsg_register_device_override(): each is registered with its own driver's
		 * name as driver_override. */
		add_dev(s, "rpmsg_ctrl", 0, 0, 0, "rpmsg_ctrl", -1);
		snprintf(s->dev[s->n - 1].override, sizeof(s->dev[0].override), "rpmsg_ctrl");
		add_dev(s, "rpmsg_ns", 53, 53, 53, "rpmsg_ns", -1); /* RPMSG_NS_ADDR */
		snprintf(s->dev[s->n - 1].override, sizeof(s->dev[0].override), "rpmsg_ns");
	}
	struct shim_eptdev e;
	for (unsigned m = 0; m < SHIM_MAX_EPTDEVS; m++)
		if (shim_eptdev_get(m, &e) && e.channel)
			add_dev(s, e.name, e.src, e.src, e.dst, "rpmsg_chrdev", (int)m);
	for (unsigned i = 0; i < SHIM_MAX_CREATED; i++)
		if (shim_created_get(i, &e) && sane_name(e.name))
			add_dev(s, e.name, e.src, e.src, e.dst, NULL, -1);
	for (unsigned i = 0; i < s->n; i++) {
		struct dev_state *d = state_of(&st, s->dev[i].dir);
		if (d && d->unbound) {
			s->dev[i].driver = NULL;
			s->dev[i].chr = -1;
		}
		if (d)
			snprintf(s->dev[i].override, sizeof(s->dev[i].override), "%s", d->override);
	}
}

const struct shim_bus_dev *shim_bus_find(const struct shim_bus_snap *s, const char *dir, size_t len)
{
	for (unsigned i = 0; i < s->n; i++)
		if (strlen(s->dev[i].dir) == len && !strncmp(s->dev[i].dir, dir, len))
			return &s->dev[i];
	return NULL;
}

/* ---- writes: driver_override, bind, unbind ------------------------------------------- */

/* sysfs_streq(): the value without one trailing newline, into @p out. */
static bool value(const char *buf, size_t len, char *out, size_t cap)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len >= cap || memchr(buf, '\0', len))
		return false;
	memcpy(out, buf, len);
	out[len] = '\0';
	return true;
}

static ssize_t fail(int e)
{
	errno = e;
	return -1;
}

/* @p dir's state as the run has it, or a fresh one. */
static struct dev_state current(const char *dir)
{
	struct states st;
	load_states(&st);
	struct dev_state *d = state_of(&st, dir), fresh = {.minor = -1};
	if (!d) {
		snprintf(fresh.dir, sizeof(fresh.dir), "%s", dir);
		d = &fresh;
	}
	return *d;
}

/* driver_override_store(): a driver's name; empty clears it. */
static ssize_t store_override(const char *dir, const char *buf, size_t len)
{
	char v[32];
	/* Linux takes a page; no driver has a longer name, and the daemon wants one word. */
	if (!value(buf, len, v, sizeof(v)) || strpbrk(v, " \t") || !strcmp(v, "-"))
		return fail(EINVAL);
	struct dev_state d = current(dir);
	snprintf(d.override, sizeof(d.override), "%s", v);
	return save_state(&d) == 0 ? (ssize_t)len : -1;
}

/* bind_store(): rpmsg_dev_match(), then the device must be free (or ours already). */
static int bind_rc(const struct shim_bus_dev *dev, const struct dev_state *d)
{
	if (d->override[0] ? strcmp(d->override, "rpmsg_chrdev") != 0
			   : strcmp(dev->name, "rpmsg-raw") != 0)
		return ENODEV; /* not this driver's */
	if (dev->driver && strcmp(dev->driver, "rpmsg_chrdev") != 0)
		return EBUSY; /* another driver has it */
	if (!dev->driver && !d->unbound)
		return ENODEV; /* the daemon does not serve it as a frame socket */
	return 0;	       /* unbound by us: bound again; or bound already (docs/exec.md) */
}

/*
 * A device the process made with RPMSG_CREATE_DEV_IOCTL under another name than rpmsg-raw,
 * with driver_override rpmsg_chrdev: rpmsg_chrdev_probe() makes it /dev/rpmsg<m>, served as
 * an rpmsg-raw channel is. -1 when @p dev is not such a device (bind_rc() decides).
 */
static int created_bind(const struct shim_bus_dev *dev, const struct dev_state *d)
{
	unsigned slot, minor;
	struct shim_eptdev e;
	if (strcmp(d->override, "rpmsg_chrdev") != 0 ||
	    !shim_created_find(dev->name, dev->src, dev->dst, &slot) ||
	    !shim_created_get(slot, &e) || !shim_eptdev_add(e.name, e.src, e.dst, true, &minor))
		return -1;
	shim_created_remove(slot);
	return 0;
}

/* bind_store() and unbind_store() of rpmsg_chrdev (drivers/base/bus.c). */
static ssize_t store_bind(bool bind, const char *buf, size_t len)
{
	char v[SHIM_BUS_NAME];
	if (!value(buf, len, v, sizeof(v)))
		return fail(ENODEV);
	struct shim_bus_snap s;
	shim_bus_snapshot(&s);
	const struct shim_bus_dev *dev = shim_bus_find(&s, v, strlen(v));
	if (!dev)
		return fail(ENODEV); /* bus_find_device_by_name() found none */
	struct dev_state d = current(dev->dir);
	if (bind && !dev->driver && created_bind(dev, &d) == 0)
		return (ssize_t)len;
	if (bind) {
		int e = bind_rc(dev, &d);
		if (e)
			return fail(e);
		d.unbound = 0;
		return save_state(&d) == 0 ? (ssize_t)len : -1;
	}
	if (!dev->driver || strcmp(dev->driver, "rpmsg_chrdev") != 0)
		return fail(ENODEV); /* unbind only from the driver it is bound to */
	d.unbound = 1;
	d.minor = dev->chr;
	if (save_state(&d) != 0)
		return -1;
	if (dev->chr >= 0)
		shim_fd_destroy_minor((unsigned)dev->chr); /* rpmsg_chrdev_remove(): EPIPE */
	return (ssize_t)len;
}

ssize_t shim_bus_store(const struct shim_fd *f, const char *buf, size_t len)
{
	switch (f->index) {
	case SHIM_BUS_W_OVERRIDE:
		return store_override(f->target, buf, len);
	case SHIM_BUS_W_BIND:
		return store_bind(true, buf, len);
	case SHIM_BUS_W_UNBIND:
		return store_bind(false, buf, len);
	}
	return fail(EIO);
}

/* ---- RPMSG_RELEASE_DEV_IOCTL of a channel the firmware announced ---------------------------- */

/* rpmsg_device_match(): RPMSG_ADDR_ANY matches any address. */
static bool dev_matches(const struct shim_bus_dev *d, const char *name, uint32_t src, uint32_t dst)
{
	return !strcmp(d->name, name) && (src == ADDR_ANY || src == d->src) &&
	       (dst == ADDR_ANY || dst == d->dst);
}

/* A firmware's channel: registered with src RPMSG_ADDR_ANY (its name says -1). */
static bool fw_channel(const struct shim_bus_dev *d)
{
	char tail[32];
	snprintf(tail, sizeof(tail), ".-1.%d", (int32_t)d->dst);
	size_t dl = strlen(d->dir), tl = strlen(tail);
	return dl > tl && !strcmp(d->dir + dl - tl, tail);
}

bool shim_bus_fw_channel_find(const char *name, uint32_t src, uint32_t dst)
{
	struct shim_bus_snap s;
	shim_bus_snapshot(&s);
	for (unsigned i = 0; i < s.n; i++)
		if (fw_channel(&s.dev[i]) && dev_matches(&s.dev[i], name, src, dst))
			return true;
	return false;
}

int shim_bus_release(const char *name, uint32_t src, uint32_t dst)
{
	struct shim_bus_snap s;
	shim_bus_snapshot(&s);
	for (unsigned i = 0; i < s.n; i++) {
		const struct shim_bus_dev *dev = &s.dev[i];
		if (!fw_channel(dev) || !dev_matches(dev, name, src, dst))
			continue;
		struct dev_state d = current(dev->dir);
		d.unbound = 2;
		d.minor = dev->chr;
		if (save_state(&d) != 0)
			return -1;
		if (dev->chr >= 0)
			shim_fd_destroy_minor(
			    (unsigned)dev->chr); /* rpmsg_chrdev_remove(): EPIPE */
		return 0;
	}
	return (int)fail(EINVAL); /* rpmsg_unregister_device(): no such device */
}

/* ---- paths ------------------------------------------------------------------------------- */

void shim_bus_flush(const struct shim_fd *f)
{
	char buf[SHIM_BUS_NAME + 2];
	int saved = errno;
	ssize_t n = pread(f->fd, buf, sizeof(buf), 0);
	if (n > 0 && (size_t)n < sizeof(buf)) {
		(void)shim_bus_store(f, buf, (size_t)n);
		(void)ftruncate(f->fd, 0); /* once, whichever duplicate is closed first */
	}
	errno = saved;
}
