/*
 * A Linux rpmsg_char and rpmsg_tty client, written for Linux and not for ampsim, built
 * static (so no preload could reach it): usage
 *   cuse_app ept DST EXHAUST-CMD CLEAR-CMD CRASH-CMD
 *   cuse_app tty DEVICE
 *   cuse_app create DST
 * `ept`: through /dev/rpmsg_ctrl0 it creates an endpoint to DST, opens the /dev/rpmsgM
 * that appears, checks poll's POLLOUT, runs EXHAUST-CMD (the remote keeps every TX
 * buffer) and checks that a non-blocking write fails with EAGAIN and is never sent after
 * CLEAR-CMD gave the buffers back, exchanges messages (poll POLLIN, one message per read,
 * the MTU exactly, EMSGSIZE one byte over it), then runs CRASH-CMD (the remote crashes)
 * and checks what rpmsg_char gives then: POLLERR, EPIPE for read and write, the device
 * gone, and, as /dev/rpmsg_ctrl0 is held open meanwhile, /dev/rpmsg_ctrl1 after the
 * recovery. `tty`: a raw-mode line echo on
 * DEVICE. `create`: only create the endpoint device and print its path (it stays until
 * destroyed, as on Linux). One line per step; exit status 0 when every step behaved as on Linux.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/rpmsg.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define MAX_DEVS 32
#define MTU 496 /* virtio_rpmsg_bus: 512-byte buffers less the 16-byte header */

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

/* Wait (100 tries, 50 ms apart) until @path exists (@want) or is gone (!@want). */
static int wait_path(const char *path, int want)
{
	for (int i = 0; i < 100; i++) {
		if ((access(path, F_OK) == 0) == want)
			return 0;
		usleep(50000);
	}
	return -1;
}

static int create_ept(unsigned dst, char *dev, size_t len, int quiet)
{
	char before[MAX_DEVS];
	for (int i = 0; i < MAX_DEVS; i++) {
		snprintf(dev, len, "/dev/rpmsg%d", i);
		before[i] = access(dev, F_OK) == 0;
	}
	int ctrl = open("/dev/rpmsg_ctrl0", O_RDWR | O_CLOEXEC);
	if (ctrl < 0)
		return die("open /dev/rpmsg_ctrl0");
	struct rpmsg_endpoint_info info = {.name = "cuse-app", .src = RPMSG_ADDR_ANY, .dst = dst};
	if (ioctl(ctrl, RPMSG_CREATE_EPT_IOCTL, &info) != 0)
		return die("RPMSG_CREATE_EPT_IOCTL");
	if (ioctl(ctrl, 0x1234) == 0 || errno != EINVAL)
		return die("an unknown ioctl on rpmsg_ctrl0 is not EINVAL");
	close(ctrl);
	for (int i = 0; i < MAX_DEVS; i++) {
		snprintf(dev, len, "/dev/rpmsg%d", i);
		if (!before[i] && access(dev, F_OK) == 0) {
			printf(quiet ? "%s\n" : "created %s\n", dev);
			return 0;
		}
	}
	errno = ENOENT;
	return die("no new /dev/rpmsgN right after the ioctl");
}

/* No TX buffer: a non-blocking write is EAGAIN and is never sent later. */
static int refused(int fd, const char *exhaust, const char *clear)
{
	if (system(exhaust) != 0)
		return die("the exhaust command");
	if (write(fd, "refused", 7) >= 0 || errno != EAGAIN)
		return die("a non-blocking write without a TX buffer is not EAGAIN");
	printf("non-blocking write: %s\n", strerror(errno));
	if (system(clear) != 0)
		return die("the clear command");
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 300) != 0)
		return die("a refused message was sent after all");
	return 0;
}

static int echo(int fd, size_t len)
{
	static char msg[MTU], buf[2048];
	for (size_t i = 0; i < len; i++)
		msg[i] = (char)('a' + i % 26);
	if (write(fd, msg, len) != (ssize_t)len)
		return die("write");
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 20000) != 1 || !(p.revents & POLLIN))
		return die("poll for the echo");
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n != (ssize_t)len || memcmp(buf, msg, len) != 0)
		return die("read the echo");
	return 0;
}

static int exchange(int fd)
{
	char buf[16];
	if (read(fd, buf, sizeof(buf)) >= 0 || errno != EAGAIN)
		return die("a non-blocking read with nothing sent is not EAGAIN");
	printf("empty read: %s\n", strerror(errno));
	if (echo(fd, 5) || echo(fd, 1) || echo(fd, MTU))
		return 1;
	printf("echoed 5, 1 and %d bytes, one message per read\n", MTU);
	/* A read shorter than the message gets its start; the rest is dropped with it. */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (write(fd, "abcdef", 6) != 6 || poll(&p, 1, 20000) != 1)
		return die("write, poll");
	if (read(fd, buf, 3) != 3 || memcmp(buf, "abc", 3) != 0)
		return die("a 3-byte read of a 6-byte message");
	if (read(fd, buf, sizeof(buf)) >= 0 || errno != EAGAIN)
		return die("the rest of a message read short is still there");
	printf("short read: abc, the rest dropped\n");
	static char big[MTU + 1];
	if (write(fd, big, sizeof(big)) >= 0 || errno != EMSGSIZE)
		return die("a write one byte over the MTU is not EMSGSIZE");
	printf("%d-byte write: %s\n", MTU + 1, strerror(errno));
	return 0;
}

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* system() in a second thread, which blocks SIGCHLD there: the child's exit then wakes the
 * reading thread (the signal is not ignored while a thread blocks it). */
static void *run_child(void *arg)
{
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM); /* SIGALRM is the reading thread's */
	pthread_sigmask(SIG_BLOCK, &alrm, NULL);
	return (void *)(long)system((const char *)arg);
}

/*
 * A blocking read with nothing to read: a child's exit (SIGCHLD, not caught) does not end
 * it, as rpmsg_char's wait restarts then; a caught SIGALRM (no SA_RESTART) ends it with
 * EINTR.
 */
static int signals(int fd)
{
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART */
	if (sigaction(SIGALRM, &sa, NULL) != 0 || fcntl(fd, F_SETFL, 0) != 0)
		return die("sigaction, fcntl");
	pthread_t t;
	if (pthread_create(&t, NULL, run_child, "sleep 0.2") != 0)
		return die("pthread_create");
	alarm(3);
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf));
	int e = errno;
	alarm(0);
	void *rc;
	pthread_join(t, &rc);
	if (n >= 0 || e != EINTR || !alarmed || rc != NULL) {
		errno = e;
		return die(!alarmed ? "the read ended before SIGALRM"
				    : "a read interrupted by SIGALRM is not EINTR");
	}
	printf("blocking read: SIGCHLD ignored, SIGALRM %s\n", strerror(e));
	return fcntl(fd, F_SETFL, O_NONBLOCK) == 0 ? 0 : die("fcntl");
}

/* The firmware crashes with the endpoint and /dev/rpmsg_ctrl0 open (it recovers). */
static int crash(int fd, const char *dev, const char *cmd)
{
	int ctrl = open("/dev/rpmsg_ctrl0", O_RDWR | O_CLOEXEC);
	if (ctrl < 0 || system(cmd) != 0)
		return die("open /dev/rpmsg_ctrl0, the crash command");
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 20000) != 1 || !(p.revents & POLLERR))
		return die("poll after the crash is not POLLERR");
	char buf[16];
	if (read(fd, buf, sizeof(buf)) >= 0 || errno != EPIPE)
		return die("a read after the crash is not EPIPE");
	if (write(fd, "x", 1) >= 0 || errno != EPIPE)
		return die("a write after the crash is not EPIPE");
	printf("after the crash: POLLERR, read and write %s\n", strerror(EPIPE));
	if (wait_path(dev, 0) != 0)
		return die("the device is still there after the crash");
	close(fd);
	/* The old control device is held open: the new bus's takes the next number. */
	if (wait_path("/dev/rpmsg_ctrl1", 1) != 0 || access("/dev/rpmsg_ctrl0", F_OK) == 0)
		return die("no /dev/rpmsg_ctrl1 (alone) after the recovery");
	struct rpmsg_endpoint_info info = {.name = "late", .src = RPMSG_ADDR_ANY, .dst = 0x400};
	if (ioctl(ctrl, RPMSG_CREATE_EPT_IOCTL, &info) == 0 || errno != ENODEV)
		return die("RPMSG_CREATE_EPT_IOCTL on the old control device is not ENODEV");
	close(ctrl);
	printf("%s gone; the old rpmsg_ctrl0: %s; /dev/rpmsg_ctrl1 after the recovery\n", dev,
	       strerror(ENODEV));
	return 0;
}

static int ept(char **argv)
{
	char dev[32];
	if (create_ept((unsigned)strtoul(argv[2], NULL, 0), dev, sizeof(dev), 0))
		return 1;
	int fd = open(dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return die("open the endpoint");
	if (open(dev, O_RDWR) >= 0 || errno != EBUSY)
		return die("a second open is not EBUSY");
	struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
	if (poll(&p, 1, 20000) != 1 || p.revents != POLLOUT)
		return die("poll on an idle endpoint is not POLLOUT alone");
	printf("poll: POLLOUT\n");
	if (refused(fd, argv[3], argv[4]) || exchange(fd) || signals(fd) || crash(fd, dev, argv[5]))
		return 1;
	return 0;
}

static int tty(const char *dev)
{
	int fd = open(dev, O_RDWR | O_NOCTTY);
	struct termios t;
	if (fd < 0 || tcgetattr(fd, &t) != 0)
		return die(dev);
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		return die("tcsetattr");
	if (write(fd, "ping\n", 5) != 5)
		return die("write to the tty");
	char got[64];
	size_t n = 0;
	while (n < 5) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r = poll(&p, 1, 20000) == 1 ? read(fd, got + n, sizeof(got) - n) : -1;
		if (r <= 0)
			return die("read the tty's echo");
		n += (size_t)r;
	}
	if (n != 5 || memcmp(got, "ping\n", 5) != 0)
		return die("the tty's echo is not ping");
	printf("tty %s: raw mode, echoed ping\n", dev);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "ept"))
		return ept(argv);
	if (argc == 3 && !strcmp(argv[1], "tty"))
		return tty(argv[2]);
	char dev[32];
	if (argc == 3 && !strcmp(argv[1], "create"))
		return create_ept((unsigned)strtoul(argv[2], NULL, 0), dev, sizeof(dev), 1);
	fprintf(stderr,
		"usage: %s ept DST EXHAUST-CMD CLEAR-CMD CRASH-CMD | tty DEVICE | create DST\n",
		argv[0]);
	return 2;
}
