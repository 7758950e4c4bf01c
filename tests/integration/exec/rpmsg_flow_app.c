/*
 * A Linux rpmsg_char client, written for Linux and not for ampsim: usage
 * `rpmsg_flow_app DEVICE COMMAND`. Run while the remote holds on to every TX buffer (no
 * buffer free), it checks what rpmsg_char answers then: a non-blocking write or writev fails
 * with EAGAIN and sends nothing (a blocking write waits: rpmsg_block_app). It runs COMMAND
 * (whatever gives the buffers back), checks that no refused message was sent after all, then
 * that writev and readv are one message each, that a writev over the MTU fails with
 * EMSGSIZE, and that the socket calls fail with ENOTSOCK (a device is no socket).
 * One line per step; exit status 0 when every step behaved as on Linux.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

/* A non-blocking write and a writev while no TX buffer is free: EAGAIN both. */
static int refused(int fd, const char *msg)
{
	if (write(fd, msg, strlen(msg)) >= 0 || errno != EAGAIN)
		return die("a non-blocking write without a TX buffer is not EAGAIN");
	printf("non-blocking write: %s\n", strerror(errno));
	struct iovec iov[2] = {{.iov_base = "nb", .iov_len = 2}, {.iov_base = "v", .iov_len = 1}};
	if (writev(fd, iov, 2) >= 0 || errno != EAGAIN)
		return die("a non-blocking writev without a TX buffer is not EAGAIN");
	printf("non-blocking writev: %s\n", strerror(errno));
	return 0;
}

static int vectors(int fd)
{
	struct iovec out[3] = {{.iov_base = "one", .iov_len = 3},
			       {.iov_base = "two", .iov_len = 3},
			       {.iov_base = "three", .iov_len = 5}};
	if (writev(fd, out, 3) != 11)
		return die("writev of 11 bytes");
	char a[3], b[64];
	struct iovec in[2] = {{.iov_base = a, .iov_len = sizeof(a)},
			      {.iov_base = b, .iov_len = sizeof(b)}};
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 20000) != 1 || readv(fd, in, 2) != 11)
		return die("readv of the 11-byte echo");
	printf("readv: %.3s|%.8s\n", a, b);
	static char big[4096];
	struct iovec over[2] = {{.iov_base = big, .iov_len = 300},
				{.iov_base = big, .iov_len = 300}};
	if (writev(fd, over, 2) >= 0 || errno != EMSGSIZE)
		return die("a 600-byte writev is not EMSGSIZE");
	printf("oversize writev: %s\n", strerror(errno));
	if (send(fd, "x", 1, 0) >= 0 || errno != ENOTSOCK)
		return die("send on a device is not ENOTSOCK");
	struct msghdr mh = {.msg_iov = in, .msg_iovlen = 1};
	if (recvmsg(fd, &mh, 0) >= 0 || errno != ENOTSOCK)
		return die("recvmsg on a device is not ENOTSOCK");
	printf("send: %s\n", strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE COMMAND\n", argv[0]);
		return 2;
	}
	int fd = open(argv[1], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return die("open");
	if (refused(fd, "nb-first"))
		return 1;
	fflush(stdout);
	if (system(argv[2]) != 0)
		return die("the command");
	/* An echo would come within this while the run is idle: a refused message is never sent. */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 300) != 0)
		return die("a refused message was sent after all");
	if (vectors(fd))
		return 1;
	close(fd);
	printf("done\n");
	return 0;
}
