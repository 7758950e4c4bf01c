/*
 * A Linux program that registers an rpmsg device through /dev/rpmsg_ctrl0 and finds it in
 * sysfs with the directory-descriptor calls (open O_DIRECTORY, fdopendir, openat, fstatat,
 * readlinkat, fstat, realpath), written for Linux and not for ampsim: usage
 * `rpmsg_dev_app DST`. It creates "my-service" (src 0x600, DST) with RPMSG_CREATE_DEV_IOCTL,
 * which no driver takes; binds it to rpmsg_chrdev with driver_override and bind; talks
 * through the /dev/rpmsgN that appears; releases it with RPMSG_RELEASE_DEV_IOCTL. One line
 * per step; 0 when all behaved.
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

#define DEVICES "/sys/bus/rpmsg/devices"
#define SRC 0x600

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static int ctrl_ioctl(int ctrl, unsigned long req, const char *name, unsigned dst)
{
	struct rpmsg_endpoint_info info = {.src = SRC, .dst = dst};
	snprintf(info.name, sizeof(info.name), "%s", name);
	return ioctl(ctrl, req, &info);
}

/* The entry of directory descriptor @p dfd whose name begins with @p prefix, into @p out. */
static int find_entry(int dfd, const char *prefix, char *out, size_t len)
{
	DIR *d = fdopendir(dfd);
	if (!d)
		return -1;
	int found = -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (!strncmp(e->d_name, prefix, strlen(prefix))) {
			snprintf(out, len, "%s", e->d_name);
			found = e->d_type; /* sysfs gives DT_LNK for a bus's devices */
		}
	closedir(d); /* closes dfd */
	if (found < 0)
		errno = ENOENT;
	return found;
}

static int read_at(int dfd, const char *name, char *out, size_t len)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	out[n - (out[n - 1] == '\n')] = '\0';
	return 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* What the device's directory shows: its type, inode, name, driver and subsystem links. */
static int look(const char *dev)
{
	char path[512], text[512];
	struct stat lst, st, fst;
	int devs = open(DEVICES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (devs < 0 || fstatat(devs, dev, &lst, AT_SYMLINK_NOFOLLOW) != 0)
		return die("fstatat");
	printf("entry is a link: %s\n", S_ISLNK(lst.st_mode) ? "yes" : "no");
	int dfd = openat(devs, dev, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/%s", DEVICES, dev);
	if (dfd < 0 || fstat(dfd, &fst) != 0 || stat(path, &st) != 0)
		return die("openat");
	printf("same inode: %s\n", fst.st_ino == st.st_ino && S_ISDIR(fst.st_mode) ? "yes" : "no");
	printf("AT_EMPTY_PATH: %s\n",
	       fstatat(dfd, "", &lst, AT_EMPTY_PATH) == 0 && lst.st_ino == st.st_ino ? "same"
										     : "other");
	int none = openat(dfd, "", O_RDONLY | O_CLOEXEC);
	printf("openat \"\": %s\n", none < 0 ? strerror(errno) : "opened");
	if (read_at(dfd, "name", text, sizeof(text)) != 0)
		return die("name");
	printf("name: %s\n", text);
	printf("driver: %s\n", fstatat(dfd, "driver", &lst, AT_SYMLINK_NOFOLLOW) == 0
				   ? "present"
				   : strerror(errno));
	ssize_t n = readlinkat(dfd, "subsystem", text, sizeof(text) - 1);
	if (n < 0)
		return die("readlinkat");
	text[n] = '\0';
	printf("subsystem -> %s\n", text);
	char *real = realpath(path, NULL);
	if (!real)
		return die("realpath");
	printf("realpath: %s\n", real);
	free(real);
	close(dfd);
	close(devs);
	return 0;
}

/* Bind @p dev to rpmsg_chrdev, find its /dev/rpmsgN in its rpmsg/ folder, echo a message. */
static int bind_and_talk(const char *dev)
{
	char path[512], name[64], text[512], buf[512];
	snprintf(path, sizeof(path), "%s/%s/driver_override", DEVICES, dev);
	if (write_file(path, "rpmsg_chrdev\n") != 0 ||
	    write_file("/sys/bus/rpmsg/drivers/rpmsg_chrdev/bind", dev) != 0)
		return die("bind");
	snprintf(path, sizeof(path), "%s/%s/driver", DEVICES, dev);
	ssize_t n = readlink(path, text, sizeof(text) - 1);
	if (n < 0)
		return die("driver link");
	text[n] = '\0';
	printf("driver: %s\n", strrchr(text, '/') + 1);
	snprintf(path, sizeof(path), "%s/%s/rpmsg", DEVICES, dev);
	int folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (folder < 0 || find_entry(folder, "rpmsg", name, sizeof(name)) < 0)
		return die("rpmsg folder");
	snprintf(path, sizeof(path), "/dev/%s", name);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || write(fd, "hello", 5) != 5)
		return die(path);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 10000) != 1 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return die("echo");
	buf[n] = '\0';
	printf("%s: %s\n", name, buf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	char dev[256], path[512];
	struct stat st;
	if (argc != 2)
		return 2;
	unsigned dst = (unsigned)strtoul(argv[1], NULL, 0);
	setvbuf(stdout, NULL, _IONBF, 0);
	int ctrl = open("/dev/rpmsg_ctrl0", O_RDWR | O_CLOEXEC);
	if (ctrl < 0 || ctrl_ioctl(ctrl, RPMSG_CREATE_DEV_IOCTL, "my-service", dst) != 0)
		return die("create");
	printf("created\n");
	printf("again: %s\n", ctrl_ioctl(ctrl, RPMSG_CREATE_DEV_IOCTL, "my-service", dst) == 0
				  ? "created"
				  : strerror(errno));
	int devs = open(DEVICES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int type = devs < 0 ? -1 : find_entry(devs, "virtio0.my-service.", dev, sizeof(dev));
	if (type < 0)
		return die("find");
	printf("found %s (%s)\n", dev, type == DT_LNK ? "link" : "not a link");
	if (look(dev) != 0 || bind_and_talk(dev) != 0)
		return 1;
	if (ctrl_ioctl(ctrl, RPMSG_RELEASE_DEV_IOCTL, "my-service", dst) != 0)
		return die("release");
	snprintf(path, sizeof(path), "%s/%s", DEVICES, dev);
	printf("released: %s\n", stat(path, &st) == 0 ? "still there" : strerror(errno));
	if (ctrl_ioctl(ctrl, RPMSG_CREATE_DEV_IOCTL, "other", dst) != 0 ||
	    ctrl_ioctl(ctrl, RPMSG_RELEASE_DEV_IOCTL, "other", dst) != 0)
		return die("other");
	printf("release again: %s\n", ctrl_ioctl(ctrl, RPMSG_RELEASE_DEV_IOCTL, "other", dst) == 0
					  ? "released"
					  : strerror(errno));
	printf("open a file as a directory: %s\n",
	       open(DEVICES "/../drivers/rpmsg_chrdev/bind", O_RDONLY | O_DIRECTORY) < 0
		   ? strerror(errno)
		   : "opened");
	close(ctrl);
	printf("done\n");
	return 0;
}
