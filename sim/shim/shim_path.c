/* Which paths are the shim's, where the run directory is, and the control socket client. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_CTL_TIMEOUT_MS 30000 /* `stop` waits for the firmware: up to 500 ms and a kill */

static const char *const attr_names[] = {
    [SHIM_ATTR_STATE] = "state",       [SHIM_ATTR_FIRMWARE] = "firmware", [SHIM_ATTR_NAME] = "name",
    [SHIM_ATTR_RECOVERY] = "recovery", [SHIM_ATTR_COREDUMP] = "coredump", [SHIM_ATTR_TRACE] = NULL,
};

/* "<prefix><n>" with n a decimal number < 32 written without leading zeros. */
static bool numbered(const char *path, const char *prefix, unsigned *n)
{
	size_t pl = strlen(prefix);
	if (strncmp(path, prefix, pl) != 0)
		return false;
	const char *d = path + pl;
	if (d[0] < '0' || d[0] > '9' || (d[0] == '0' && d[1] != '\0'))
		return false;
	unsigned v = 0;
	for (; *d; d++) {
		if (*d < '0' || *d > '9' || v >= 32)
			return false;
		v = v * 10 + (unsigned)(*d - '0');
	}
	if (v >= 32)
		return false;
	*n = v;
	return true;
}

/*
 * @p path relative to @p dirfd, a sysfs directory the shim opened, or to the shim's working
 * directory (shim_cwd.c) for AT_FDCWD: joined into @p p, SHIM_PATH_BUS. A path that leads
 * out of the tree ("../../..") is SHIM_PATH_NONE with the absolute path for libc in p->path
 * (the process's real directory is elsewhere).
 */
static bool in_bus_dir(int dirfd, const char *path, struct shim_path *p)
{
	struct shim_fd f;
	char canon[SHIM_BUS_PATH];
	if (!*path)
		return false; /* "": ENOENT from libc, as from the kernel */
	if (dirfd == AT_FDCWD ? !shim_cwd_get(f.path)
			      : !shim_fd_get(dirfd, &f) || f.kind != SHIM_FD_DIR)
		return false;
	int n = snprintf(p->path, sizeof(p->path), "%s/%s", f.path, path);
	if (n < 0 || (size_t)n >= sizeof(p->path))
		p->path[0] = '\0'; /* too long: shim_bus_*() say ENAMETOOLONG */
	p->kind = SHIM_PATH_BUS;
	if (p->path[0] && shim_bus_canon(p->path, canon) == 0) {
		p->kind = SHIM_PATH_NONE; /* out of the tree: canon is the path for libc */
		memcpy(p->path, canon, sizeof(canon));
		return true;
	}
	int a = p->path[0] ? shim_bus_rproc_attr(p->path) : -1;
	if (a >= 0) { /* remoteproc0's attribute, opened in its directory */
		p->kind = SHIM_PATH_ATTR;
		p->index = (unsigned)a;
	}
	return true;
}

struct shim_path shim_path_classify(int dirfd, const char *path)
{
	static const char rproc[] = "/sys/class/remoteproc/remoteproc0/";
	struct shim_path p = {.kind = SHIM_PATH_NONE};
	if (!path || !getenv("AMPSIM_RUN_DIR"))
		return p;
	if (path[0] != '/') {
		(void)in_bus_dir(dirfd, path, &p); /* the devices' paths are absolute only */
		return p;
	}
	if (!strncmp(path, rproc, sizeof(rproc) - 1)) {
		for (unsigned i = 0; i < SHIM_ATTR_TRACE; i++)
			if (!strcmp(path + sizeof(rproc) - 1, attr_names[i])) {
				p.kind = SHIM_PATH_ATTR;
				p.index = i;
				return p; /* the usual spelling, without a walk */
			}
	}
	if (shim_bus_owns(path)) {
		int a = -1;
		p.kind = SHIM_PATH_BUS;
		if (strlen(path) < sizeof(p.path)) {
			memcpy(p.path, path, strlen(path) + 1);
			a = shim_bus_rproc_attr(
			    path); /* remoteproc0's attribute, spelled otherwise */
		}
		if (a >= 0) {
			p.kind = SHIM_PATH_ATTR;
			p.index = (unsigned)a;
		}
	} else if (!strcmp(path, "/dev/rpmsg-sdb") || !strcmp(path, "/dev/rpmsg_sdb"))
		p.kind = SHIM_PATH_SDB; /* ST's misc device, and the spelling its pages use */
	else if (numbered(path, "/dev/ttyRPMSG", &p.index))
		p.kind = SHIM_PATH_TTY;
	else if (numbered(path, "/dev/rpmsg_ctrl", &p.index))
		p.kind = SHIM_PATH_CTRL;
	else if (numbered(path, "/dev/rpmsg", &p.index))
		p.kind = SHIM_PATH_EPT;
	else if (!strcmp(path, "/sys/kernel/debug/remoteproc/remoteproc0/trace0")) {
		p.kind = SHIM_PATH_ATTR;
		p.index = SHIM_ATTR_TRACE;
	} else if (!strncmp(path, rproc, sizeof(rproc) - 1)) {
		for (unsigned i = 0; i < SHIM_ATTR_TRACE; i++)
			if (!strcmp(path + sizeof(rproc) - 1, attr_names[i])) {
				p.kind = SHIM_PATH_ATTR;
				p.index = i;
			}
	}
	return p;
}

bool shim_rundir_file(char *out, size_t len, const char *name)
{
	const char *dir = getenv("AMPSIM_RUN_DIR");
	if (!dir)
		return false;
	int n = snprintf(out, len, "%s/%s", dir, name);
	return n > 0 && (size_t)n < len;
}

int shim_ctl_connect(bool cloexec, const char *self)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX}, me = {.sun_family = AF_UNIX};
	if (!shim_rundir_file(sa.sun_path, sizeof(sa.sun_path), "control")) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | (cloexec ? SOCK_CLOEXEC : 0), 0);
	if (fd < 0)
		return -1;
	size_t sl = self ? strlen(self) : 0; /* an abstract name: sun_path[0] stays 0 */
	if (self)
		memcpy(me.sun_path + 1, self, sl);
	socklen_t ml = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + sl);
	if ((self && bind(fd, (struct sockaddr *)&me, ml) != 0) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		shim_libc.close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Read to EOF into @p out (truncated, NUL-terminated); false on error or timeout. */
static bool read_reply(int fd, char *out, size_t len)
{
	size_t got = 0;
	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int r = poll(&pfd, 1, SHIM_CTL_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		char tmp[512];
		ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		if (n == 0)
			break;
		size_t take = got + (size_t)n < len ? (size_t)n : len - 1 - got;
		memcpy(out + got, tmp, take);
		got += take;
	}
	out[got] = '\0';
	return true;
}

int shim_ctl(const char *cmd, char *out, size_t len)
{
	int saved = errno;
	int fd = shim_ctl_connect(true, NULL);
	if (fd < 0)
		return -1;
	char line[256]; /* "sysfs-bus set DIR OVERRIDE 0|1 MINOR" is the longest */
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	bool ok = send(fd, line, (size_t)n, MSG_NOSIGNAL) == n && read_reply(fd, out, len);
	shim_libc.close(fd);
	if (!ok) {
		errno = EIO;
		return -1;
	}
	errno = saved;
	bool okay = !strncmp(out, "ok\n", 3);
	size_t head = okay ? 3 : !strncmp(out, "error: ", 7) ? 7 : 0;
	memmove(out, out + head, strlen(out + head) + 1);
	return okay;
}

bool shim_status_field(const char *status, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	for (const char *l = status; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, kl) != 0 || strncmp(l + kl, ": ", 2) != 0)
			continue;
		const char *v = l + kl + 2;
		size_t vl = strcspn(v, "\n");
		if (vl >= len)
			return false;
		memcpy(out, v, vl);
		out[vl] = '\0';
		return true;
	}
	return false;
}
