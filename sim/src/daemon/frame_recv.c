/* Reading a frame client's datagrams; see frame_recv.h. */
#define _GNU_SOURCE
#include "frame_recv.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "frontend.h"

bool amp_frontend_passcred(int fd)
{
	int one = 1;
	return setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == 0;
}

bool amp_frame_had_creds(struct msghdr *m, int *keep)
{
	bool creds = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		creds |= c->cmsg_type == SCM_CREDENTIALS;
		if (c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(0)) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < n; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
				if (keep && *keep < 0)
					*keep = fd;
				else
					close(fd);
			}
		}
	}
	return creds;
}

ssize_t amp_frame_recv(int fd, void *buf, size_t len, bool *eof, int *reply, int flags)
{
	union amp_frame_creds ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	ssize_t n = recvmsg(fd, &m, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && errno == ECONNRESET) /* reported once, before what it wrote: see reset() */
		n = recvmsg(fd, &m, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	*eof = false;
	if (reply)
		*reply = -1;
	if (n < 0)
		return -1;
	bool creds = amp_frame_had_creds(&m, reply);
	*eof = n == 0 && !creds && !(reply && *reply >= 0);
	return n;
}

ssize_t amp_frontend_recv(int fd, void *buf, size_t len, bool *eof)
{
	/* MSG_TRUNC reports the datagram's real size, so an oversize write is seen whole. */
	return amp_frame_recv(fd, buf, len, eof, NULL, MSG_TRUNC);
}
