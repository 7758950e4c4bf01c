/*
 * Descriptors inherited through exec: the table of the process that opened them is gone,
 * so they are recognised by what they are. A frame socket's peer is the daemon's socket,
 * bound as RUNDIR/<name>.new before it was renamed into place (sim/src/sock/); the
 * stand-in for /dev/rpmsg_ctrl0 is a memfd of that name.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_MINOR_UNKNOWN 0xFFFFFFFFu /* an eptdev made by the process before exec */

/* RUNDIR/<name> or RUNDIR/<name>.new: <name>, else NULL. */
static const char *rundir_name(const char *path, char *name, size_t len)
{
	const char *dir = getenv("AMPSIM_RUN_DIR");
	size_t dl = strlen(dir);
	if (strncmp(path, dir, dl) != 0 || path[dl] != '/')
		return NULL;
	size_t nl = strlen(path + dl + 1);
	if (nl >= 4 && !strcmp(path + dl + 1 + nl - 4, ".new"))
		nl -= 4;
	if (nl == 0 || nl >= len)
		return NULL;
	memcpy(name, path + dl + 1, nl);
	name[nl] = '\0';
	return name;
}

/* A sysfs attribute writer: named by its own abstract address (shim_sysfs.c). */
static bool classify_writer(int fd, struct shim_fd *f)
{
	struct sockaddr_un me;
	socklen_t ml = sizeof(me);
	memset(&me, 0, sizeof(me));
	if (getsockname(fd, (struct sockaddr *)&me, &ml) != 0 || me.sun_path[0] != '\0')
		return false;
	const char *n = me.sun_path + 1;
	if (strncmp(n, "ampsim-shim-", 12) != 0)
		return false;
	for (unsigned a = 0; a < SHIM_ATTR_TRACE; a++) {
		const char *w = shim_attr_writable(a);
		size_t wl = w ? strlen(w) : 0;
		if (w && !strncmp(n + 12, w, wl) && n[12 + wl] == '-') {
			*f = (struct shim_fd){.kind = SHIM_FD_ATTR, .index = a};
			return true;
		}
	}
	return false;
}

/* What socket @p fd is connected to; false when none of ours. */
static bool classify_socket(int fd, struct shim_fd *f)
{
	struct sockaddr_un sa;
	socklen_t sl = sizeof(sa);
	char name[64];
	memset(&sa, 0, sizeof(sa));
	if (getpeername(fd, (struct sockaddr *)&sa, &sl) != 0 || sa.sun_family != AF_UNIX ||
	    sl <= offsetof(struct sockaddr_un, sun_path) || !sa.sun_path[0])
		return false;
	sa.sun_path[sizeof(sa.sun_path) - 1] = '\0';
	if (!rundir_name(sa.sun_path, name, sizeof(name)))
		return false;
	char dev[80];
	snprintf(dev, sizeof(dev), "/dev/%s", name);
	struct shim_path p = shim_path_classify(AT_FDCWD, dev);
	if (p.kind == SHIM_PATH_EPT) {
		*f = (struct shim_fd){.kind = SHIM_FD_EPT, .index = p.index};
	} else if (p.kind == SHIM_PATH_CTRL) { /* a connection to rpmsg_ctrl0: an eptdev */
		*f = (struct shim_fd){.kind = SHIM_FD_EPTDEV, .index = SHIM_MINOR_UNKNOWN};
	} else if (!strcmp(name, "control")) { /* only attribute writers outlive a request */
		return classify_writer(fd, f);
	} else {
		return false;
	}
	return true;
}

/* Is @p fd the memfd standing for /dev/rpmsg_ctrl0? */
static bool is_ctrl_memfd(int fd)
{
	char link[64], target[128];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return !strncmp(target, "/memfd:rpmsg_ctrl0 ", 19);
}

/* A /sys/bus/rpmsg writer: a memfd named "ampsim-bus KIND DEVICE" (shim_busfs.c). */
static bool is_bus_memfd(int fd, struct shim_fd *f)
{
	char link[64], target[256], dir[SHIM_BUS_NAME];
	unsigned kind;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	if (sscanf(target, "/memfd:ampsim-bus %u %95s", &kind, dir) != 2 ||
	    kind > SHIM_BUS_W_UNBIND)
		return false;
	*f = (struct shim_fd){.kind = SHIM_FD_BUS, .index = kind};
	snprintf(f->target, sizeof(f->target), "%s", strcmp(dir, "-") ? dir : "");
	return true;
}

void shim_inherit(void)
{
	if (!getenv("AMPSIM_RUN_DIR"))
		return;
	int saved = errno;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	size_t mtu = 0;
	bool asked = false;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		int fd = atoi(e->d_name);
		struct shim_fd f;
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d))
			continue;
		if (classify_socket(fd, &f)) {
			if ((f.kind == SHIM_FD_EPT || f.kind == SHIM_FD_EPTDEV) && !asked) {
				mtu = shim_run_mtu(); /* once, and only if a frame socket came */
				asked = true;
			}
			f.mtu = mtu;
		} else if (is_ctrl_memfd(fd)) {
			f = (struct shim_fd){.kind = SHIM_FD_CTRL};
		} else if (!is_bus_memfd(fd, &f)) {
			continue;
		}
		f.fd = fd;
		(void)shim_fd_track(&f); /* table full: it stays a plain descriptor */
	}
	closedir(d);
	errno = saved;
}
