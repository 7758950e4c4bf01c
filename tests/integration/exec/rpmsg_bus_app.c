/*
 * A Linux RPMsg application that finds its channel in sysfs rather than hard-coding device
 * numbers, written for Linux and not for ampsim: usage `rpmsg_bus_app CHANNEL DST`. It looks
 * up CHANNEL under /sys/bus/rpmsg/devices, binds it to rpmsg_chrdev with driver_override and
 * bind, talks through the /dev/rpmsgN named in its rpmsg/ folder, opens the rpmsg_ctrl device
 * named in the control device's rpmsg/ folder, creates an endpoint to DST, finds the new
 * /dev/rpmsgM through /sys/class/rpmsg, exchanges a message with O_NONBLOCK reads, destroys
 * it, then unbinds and binds the channel again. One line per step; 0 when all behaved.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUS "/sys/bus/rpmsg"

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static int read_attr(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int write_attr(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, value, strlen(value));
	int e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

/* The device under /sys/bus/rpmsg/devices whose name is @p name. */
static int find_device(const char *name, char *dev, size_t len)
{
	DIR *d = opendir(BUS "/devices");
	if (!d)
		return -1;
	int rc = -1;
	for (struct dirent *e; rc != 0 && (e = readdir(d));) {
		char p[512], v[64];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), BUS "/devices/%s/name", e->d_name);
		if (read_attr(p, v, sizeof(v)) == 0 && !strcmp(v, name)) {
			snprintf(dev, len, "%s", e->d_name);
			rc = 0;
		}
	}
	closedir(d);
	return rc;
}

/* The one entry of DEV/rpmsg/ (its class device), by scandir. */
static int class_of(const char *dev, char *out, size_t len)
{
	char p[512];
	struct dirent **list;
	snprintf(p, sizeof(p), BUS "/devices/%s/rpmsg", dev);
	int n = scandir(p, &list, NULL, alphasort), found = -1;
	for (int i = 0; i < n; i++) {
		if (list[i]->d_name[0] != '.' && found < 0) {
			snprintf(out, len, "%s", list[i]->d_name);
			found = 0;
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
	return found;
}

static int echo(int fd, const char *msg)
{
	char buf[512];
	if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg))
		return die("write");
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n = poll(&p, 1, 20000) == 1 ? read(fd, buf, sizeof(buf)) : -1;
	if (n != (ssize_t)strlen(msg) || memcmp(buf, msg, (size_t)n) != 0)
		return die("read the echo");
	return 0;
}

static int bind_channel(const char *dev, char *cls, size_t len)
{
	char p[512], v[64];
	snprintf(p, sizeof(p), BUS "/devices/%s/driver_override", dev);
	if (write_attr(p, "rpmsg_chrdev\n") != 0 || read_attr(p, v, sizeof(v)) != 0)
		return die("driver_override");
	printf("driver_override: %s\n", v);
	if (write_attr(BUS "/drivers/rpmsg_chrdev/bind", dev) != 0)
		return die("bind");
	if (class_of(dev, cls, len) != 0)
		return die("no rpmsg/ folder after bind");
	printf("bound: %s\n", cls);
	return 0;
}

/* The rpmsg_ctrl device, an endpoint through it, found in /sys/class/rpmsg. */
static int endpoint(__u32 dst)
{
	char ctrl_dev[256], ctrl[256], path[300];
	if (find_device("rpmsg_ctrl", ctrl_dev, sizeof(ctrl_dev)) != 0 ||
	    class_of(ctrl_dev, ctrl, sizeof(ctrl)) != 0)
		return die("no rpmsg_ctrl device");
	snprintf(path, sizeof(path), "/dev/%s", ctrl);
	int c = open(path, O_RDWR | O_CLOEXEC);
	struct rpmsg_endpoint_info info = {
	    .name = "bus-endpoint", .src = RPMSG_ADDR_ANY, .dst = dst};
	if (c < 0 || ioctl(c, RPMSG_CREATE_EPT_IOCTL, &info) != 0)
		return die("create an endpoint");
	char m[256] = "", p[512], v[64];
	DIR *d = opendir("/sys/class/rpmsg/rpmsg_ctrl0");
	for (struct dirent *e; d && (e = readdir(d));)
		if (!strncmp(e->d_name, "rpmsg", 5) && strcmp(e->d_name, "rpmsg_ctrl0") != 0)
			snprintf(m, sizeof(m), "%s", e->d_name);
	if (d)
		closedir(d);
	snprintf(p, sizeof(p), "/sys/class/rpmsg/%s/name", m);
	if (!m[0] || read_attr(p, v, sizeof(v)) != 0 || strcmp(v, "bus-endpoint") != 0)
		return die("the endpoint is not in /sys/class/rpmsg");
	printf("%s: %s via %s\n", m, v, ctrl);
	snprintf(path, sizeof(path), "/dev/%s", m);
	int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	char buf[16];
	if (fd < 0 || read(fd, buf, sizeof(buf)) >= 0 || errno != EAGAIN || echo(fd, "ept"))
		return die("the endpoint's device");
	if (ioctl(fd, RPMSG_DESTROY_EPT_IOCTL) != 0 || access(p, F_OK) == 0)
		return die("destroy: still in /sys/class/rpmsg");
	close(fd);
	close(c);
	return 0;
}

static int unbind_rebind(const char *dev, const char *cls, int fd)
{
	char p[512], v[256], path[300];
	snprintf(path, sizeof(path), "/dev/%s", cls);
	if (write_attr(BUS "/drivers/rpmsg_chrdev/unbind", dev) != 0)
		return die("unbind");
	char buf[16];
	if (class_of(dev, v, sizeof(v)) == 0 || access(path, F_OK) == 0 ||
	    read(fd, buf, sizeof(buf)) >= 0 || errno != EPIPE)
		return die("still bound after unbind");
	printf("unbound: %s gone\n", path);
	if (write_attr(BUS "/drivers/rpmsg_chrdev/bind", dev) != 0 || access(path, F_OK) != 0)
		return die("bind again");
	if (write_attr(BUS "/drivers/rpmsg_chrdev/bind", "no-such-device") == 0 || errno != ENODEV)
		return die("binding a missing device is not ENODEV");
	printf("bind no-such-device: %s\n", strerror(errno));
	snprintf(p, sizeof(p), BUS "/devices/%s/name", dev);
	struct stat st;
	if (open(p, O_WRONLY) >= 0 || errno != EACCES || stat(BUS "/devices", &st) != 0 ||
	    !S_ISDIR(st.st_mode))
		return die("name is writable, or devices no directory");
	printf("name for writing: %s\n", strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s CHANNEL DST\n", argv[0]);
		return 2;
	}
	char dev[256], cls[256], path[300];
	if (find_device(argv[1], dev, sizeof(dev)) != 0)
		return die("the channel is not under " BUS "/devices");
	printf("device: %s\n", dev);
	if (bind_channel(dev, cls, sizeof(cls)) != 0)
		return 1;
	snprintf(path, sizeof(path), "/dev/%s", cls);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || echo(fd, "through sysfs"))
		return die("the channel's device");
	if (endpoint((__u32)strtoul(argv[2], NULL, 0)) != 0)
		return 1;
	if (unbind_rebind(dev, cls, fd) != 0)
		return 1;
	close(fd);
	printf("done\n");
	return 0;
}
