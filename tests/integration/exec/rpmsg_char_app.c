/*
 * A Linux rpmsg_char application, written for Linux and not for ampsim (it knows nothing of
 * ampsim): usage `rpmsg_char_app DST NAME`. Through /dev/rpmsg_ctrl0 it creates an endpoint
 * NAME talking to the remote address DST, finds the /dev/rpmsgM that appears, exchanges a
 * message with non-blocking reads and poll(), checks that a message over the MTU fails with
 * EMSGSIZE, destroys the endpoint, and checks that the device is gone. Then (Linux 5.18's
 * rpmsg_ctrl) it creates an rpmsg-raw channel to DST with RPMSG_CREATE_DEV_IOCTL, talks
 * through the /dev/rpmsgM its default endpoint gets, and releases it with
 * RPMSG_RELEASE_DEV_IOCTL. Prints one line per step; exit status 0 when every step behaved
 * as Linux's rpmsg_char and rpmsg_ctrl behave.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_DEVS 32

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

/* Which /dev/rpmsg<n> exist now. */
static void scan(char present[MAX_DEVS])
{
	for (int i = 0; i < MAX_DEVS; i++) {
		char path[32];
		snprintf(path, sizeof(path), "/dev/rpmsg%d", i);
		present[i] = access(path, F_OK) == 0;
	}
}

/* The /dev/rpmsg<m> that appeared since @before (udev makes it shortly after the ioctl). */
static int new_device(const char before[MAX_DEVS], char *path, size_t len)
{
	for (int tries = 0; tries < 100; tries++) {
		char now[MAX_DEVS];
		scan(now);
		for (int i = 0; i < MAX_DEVS; i++)
			if (now[i] && !before[i]) {
				snprintf(path, len, "/dev/rpmsg%d", i);
				return 0;
			}
		usleep(20000);
	}
	return -1;
}

static int exchange(int fd)
{
	static const char msg[] = "hello from rpmsg_char";
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf)); /* nothing sent yet: nothing to read */
	if (n >= 0 || errno != EAGAIN)
		return die("a non-blocking read with nothing sent is not EAGAIN");
	if (write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		return die("write");
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	if (poll(&pfd, 1, 20000) != 1)
		return die("poll for the answer");
	n = read(fd, buf, sizeof(buf));
	if (n != (ssize_t)sizeof(msg) || memcmp(buf, msg, sizeof(msg)) != 0)
		return die("read the echo");
	printf("echoed %zd bytes\n", n);
	char big[4096] = {0};
	if (write(fd, big, sizeof(big)) >= 0 || errno != EMSGSIZE)
		return die("a 4096-byte write did not fail with EMSGSIZE");
	printf("oversize write: %s\n", strerror(errno));
	return 0;
}

static int echo_once(int fd)
{
	static const char msg[] = "through a channel device";
	char buf[512];
	if (write(fd, msg, sizeof(msg)) != (ssize_t)sizeof(msg))
		return die("write on the channel device");
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	if (poll(&pfd, 1, 20000) != 1 || read(fd, buf, sizeof(buf)) != (ssize_t)sizeof(msg))
		return die("read the echo on the channel device");
	printf("channel echoed %zu bytes\n", sizeof(msg));
	return 0;
}

/* RPMSG_CREATE_DEV_IOCTL / RPMSG_RELEASE_DEV_IOCTL (rpmsg_ctrl, Linux 5.18+). */
static int channel_device(int ctrl, __u32 dst, const char *fw_channel)
{
	char before[MAX_DEVS], dev[32];
	scan(before);
	struct rpmsg_endpoint_info info = {.name = "rpmsg-raw", .src = RPMSG_ADDR_ANY, .dst = dst};
	if (ioctl(ctrl, RPMSG_CREATE_DEV_IOCTL, &info) != 0)
		return die("RPMSG_CREATE_DEV_IOCTL");
	if (ioctl(ctrl, RPMSG_CREATE_DEV_IOCTL, &info) == 0 || errno != ENXIO)
		return die("a second identical channel is not ENXIO");
	printf("second create: %s\n", strerror(errno));
	struct rpmsg_endpoint_info taken = {.src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY};
	strncpy(taken.name, fw_channel, sizeof(taken.name) - 1);
	if (ioctl(ctrl, RPMSG_CREATE_DEV_IOCTL, &taken) == 0 || errno != ENXIO)
		return die("creating the firmware's own channel is not ENXIO");
	if (new_device(before, dev, sizeof(dev)) != 0)
		return die("no /dev/rpmsgN for the channel");
	printf("channel device %s\n", dev);
	int fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return die("open the channel device");
	if (echo_once(fd) != 0)
		return 1;
	if (ioctl(fd, RPMSG_DESTROY_EPT_IOCTL) == 0 || errno != EINVAL)
		return die("destroying a default endpoint is not EINVAL");
	printf("destroy its default endpoint: %s\n", strerror(errno));
	if (ioctl(ctrl, RPMSG_RELEASE_DEV_IOCTL, &info) != 0)
		return die("RPMSG_RELEASE_DEV_IOCTL");
	char buf[16];
	if (read(fd, buf, sizeof(buf)) >= 0 || errno != EPIPE)
		return die("a read after release is not EPIPE");
	if (access(dev, F_OK) == 0 || errno != ENOENT)
		return die("the channel device is still there after release");
	if (ioctl(ctrl, RPMSG_RELEASE_DEV_IOCTL, &info) == 0 || errno != EINVAL)
		return die("a second release is not EINVAL");
	printf("released %s; again: %s\n", dev, strerror(errno));
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s DST NAME [FIRMWARE-CHANNEL]\n", argv[0]);
		return 2;
	}
	char before[MAX_DEVS], dev[32];
	scan(before);
	int ctrl = open("/dev/rpmsg_ctrl0", O_RDWR | O_CLOEXEC);
	if (ctrl < 0)
		return die("open /dev/rpmsg_ctrl0");
	struct rpmsg_endpoint_info info = {.src = RPMSG_ADDR_ANY,
					   .dst = (__u32)strtoul(argv[1], NULL, 0)};
	strncpy(info.name, argv[2], sizeof(info.name) - 1);
	if (ioctl(ctrl, RPMSG_CREATE_EPT_IOCTL, &info) != 0)
		return die("RPMSG_CREATE_EPT_IOCTL");
	if (new_device(before, dev, sizeof(dev)) != 0)
		return die("no new /dev/rpmsgN");
	printf("created %s\n", dev);
	int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return die("open the endpoint");
	if (open(dev, O_RDWR | O_CLOEXEC) >= 0 || errno != EBUSY)
		return die("a second open is not EBUSY");
	if (exchange(fd) != 0)
		return 1;
	if (ioctl(fd, RPMSG_DESTROY_EPT_IOCTL) != 0)
		return die("RPMSG_DESTROY_EPT_IOCTL");
	char buf[16];
	if (read(fd, buf, sizeof(buf)) >= 0 || errno != EPIPE)
		return die("a read after destroy is not EPIPE");
	if (access(dev, F_OK) == 0 || errno != ENOENT)
		return die("the device is still there after destroy");
	printf("destroyed %s\n", dev);
	close(fd);
	if (argc == 4 && channel_device(ctrl, info.dst, argv[3]) != 0)
		return 1;
	close(ctrl);
	return 0;
}
