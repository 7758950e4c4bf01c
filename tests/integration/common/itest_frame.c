/*
 * Frame sockets, read the way docs/cli.md tells a client to: with SO_PASSCRED, each message
 * (a zero-length one included) carries SCM_CREDENTIALS; the end of the connection does not.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"

int itest_connect_frames(const char *path)
{
	int fd = itest_connect_seqpacket(path);
	int one = 1;
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	return fd;
}

/* True if @m carried credentials; closes any descriptors it carried. */
static bool had_creds(struct msghdr *m)
{
	bool creds = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS)
			creds = true;
		if (c->cmsg_type == SCM_RIGHTS) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int *fds = (int *)(void *)CMSG_DATA(c);
			for (size_t i = 0; i < n; i++)
				close(fds[i]);
		}
	}
	return creds;
}

ssize_t itest_recv_frame(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int64_t end = itest_now_ms() + ms;
	int rc;
	while ((rc = poll(&p, 1, (int)(end - itest_now_ms() > 0 ? end - itest_now_ms() : 0))) < 0 &&
	       errno == EINTR)
		;
	if (rc <= 0)
		return -1;
	union {
		char b[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	bool creds = had_creds(&m);
	return n > 0 || creds ? n : ITEST_EOF;
}
