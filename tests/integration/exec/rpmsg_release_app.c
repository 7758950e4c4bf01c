/*
 * A Linux program (written for Linux, not for ampsim) that releases a channel the firmware
 * announced: usage `rpmsg_release_app NAME`. It finds the channel's device under
 * /sys/bus/rpmsg/devices by its name attribute, talks through its /dev/rpmsgN, then
 * unregisters it with RPMSG_RELEASE_DEV_IOCTL (name, RPMSG_ADDR_ANY, its dst) through
 * /dev/rpmsg_ctrl0, and reports what became of the open /dev/rpmsgN, the device, the class
 * device, a second release and a new RPMSG_CREATE_DEV_IOCTL of the same channel. One line
 * per step; 0 when every call did what it does on Linux.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define DEVICES "/sys/bus/rpmsg/devices"

static int read_text(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, out, len - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

/* The device directory whose name attribute is @p name, and its class device (rpmsgN). */
static int find_channel(const char *name, char *dev, size_t dlen, char *cls, size_t clen)
{
	DIR *d = opendir(DEVICES);
	int found = -1;
	char path[600], text[64];
	for (struct dirent *e; d && (e = readdir(d));) {
		snprintf(path, sizeof(path), DEVICES "/%s/name", e->d_name);
		if (e->d_name[0] == '.' || read_text(path, text, sizeof(text)) ||
		    strcmp(text, name))
			continue;
		snprintf(dev, dlen, "%s", e->d_name);
		found = 0;
	}
	if (d)
		closedir(d);
	if (found)
		return -1;
	snprintf(path, sizeof(path), DEVICES "/%s/rpmsg", dev);
	d = opendir(path);
	cls[0] = '\0';
	for (struct dirent *e; d && (e = readdir(d));)
		if (e->d_name[0] != '.')
			snprintf(cls, clen, "%s", e->d_name);
	if (d)
		closedir(d);
	return cls[0] ? 0 : -1;
}

static const char *outcome(int rc)
{
	return rc < 0 ? strerror(errno) : "ok";
}

static int release(int ctrl, unsigned long req, const char *name, unsigned dst)
{
	struct rpmsg_endpoint_info info = {.src = RPMSG_ADDR_ANY, .dst = dst};
	snprintf(info.name, sizeof(info.name), "%s", name);
	return ioctl(ctrl, req, &info);
}

int main(int argc, char **argv)
{
	char dev[256], cls[256], path[600], text[64], buf[512];
	if (argc != 2 || find_channel(argv[1], dev, sizeof(dev), cls, sizeof(cls)) != 0) {
		printf("FAIL: no channel %s with a class device\n", argc == 2 ? argv[1] : "?");
		return 1;
	}
	snprintf(path, sizeof(path), DEVICES "/%s/dst", dev);
	if (read_text(path, text, sizeof(text)) != 0)
		return 1;
	unsigned dst = (unsigned)strtoul(text, NULL, 0);
	snprintf(path, sizeof(path), "/dev/%s", cls);
	int ept = open(path, O_RDWR | O_CLOEXEC), ctrl = open("/dev/rpmsg_ctrl0", O_RDWR);
	if (ept < 0 || ctrl < 0 || write(ept, "ping", 4) != 4 || read(ept, buf, sizeof(buf)) != 4) {
		printf("FAIL: talking through %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("echo through %s\n", path);
	printf("release: %s\n", outcome(release(ctrl, RPMSG_RELEASE_DEV_IOCTL, argv[1], dst)));
	printf("write: %s\n", outcome((int)write(ept, "ping", 4)));
	printf("read: %s\n", outcome((int)read(ept, buf, sizeof(buf))));
	close(ept);
	printf("open %s: %s\n", path, outcome(open(path, O_RDWR)));
	snprintf(path, sizeof(path), DEVICES "/%s", dev);
	printf("device: %s\n", outcome(access(path, F_OK)));
	snprintf(path, sizeof(path), "/sys/class/rpmsg/%s", cls);
	printf("class device: %s\n", outcome(access(path, F_OK)));
	printf("release again: %s\n",
	       outcome(release(ctrl, RPMSG_RELEASE_DEV_IOCTL, argv[1], dst)));
	printf("create: %s\n", outcome(release(ctrl, RPMSG_CREATE_DEV_IOCTL, argv[1], dst)));
	snprintf(path, sizeof(path), DEVICES "/%s/driver", dev);
	printf("the new device's driver: %s\n", outcome(access(path, F_OK)));
	close(ctrl);
	return 0;
}
