/* rpmsg-sdb client library; see <amp/sdb.h> and sdb_wire.h. */
#define _GNU_SOURCE
#include <amp/sdb.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdb_wire.h"

#define MAX_MAPS 64

struct amp_sdb {
	int fd;
	struct amp_sdb_buf maps[MAX_MAPS];
	unsigned nmaps;
};

int amp_sdb_open(const char *path, struct amp_sdb **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!path || !out || strlen(path) >= sizeof(sa.sun_path))
		return -EINVAL;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno == ECONNREFUSED ? ENOENT : errno;
		close(fd);
		return -e;
	}
	struct amp_sdb *s = calloc(1, sizeof(*s));
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->fd = fd;
	*out = s;
	return 0;
}

static void unmap(struct amp_sdb_buf *b)
{
	munmap(b->data, b->size);
	close(b->memfd);
	if (b->own_efd)
		close(b->efd);
}

void amp_sdb_close(struct amp_sdb *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nmaps; i++)
		unmap(&s->maps[i]);
	close(s->fd);
	free(s);
}

int amp_sdb_fd(const struct amp_sdb *s)
{
	return s->fd;
}

long amp_sdb_send_fd(int sock, const void *buf, size_t len, int fd, int flags)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		m.msg_control = cm.buf;
		m.msg_controllen = sizeof(cm.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return (long)sendmsg(sock, &m, flags);
}

/* One request (with an optional fd) and its reply (with an optional fd). */
static int call(struct amp_sdb *s, const struct amp_sdb_req *req, int send_fd,
		struct amp_sdb_rep *rep, int *recv_fd)
{
	if (amp_sdb_send_fd(s->fd, req, sizeof(*req), send_fd, MSG_NOSIGNAL) !=
	    (long)sizeof(*req))
		return errno == EPIPE || errno == ECONNRESET ? -EPIPE : -errno;

	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cm;
	memset(&cm, 0, sizeof(cm));
	struct iovec iov = {.iov_base = rep, .iov_len = sizeof(*rep)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf,
			   .msg_controllen = sizeof(cm.buf)};
	ssize_t n;
	do
		n = recvmsg(s->fd, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int fd = -1;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	if (n != (ssize_t)sizeof(*rep)) {
		if (fd >= 0)
			close(fd);
		return n == 0 || (n < 0 && errno == ECONNRESET) ? -EPIPE : -EPROTO;
	}
	if (recv_fd)
		*recv_fd = fd;
	else if (fd >= 0)
		close(fd);
	return rep->status;
}

static int map_reply(struct amp_sdb *s, const struct amp_sdb_rep *rep, int memfd, int efd,
		     bool own_efd, struct amp_sdb_buf *out)
{
	if (memfd < 0 || rep->size == 0 || rep->size > SIZE_MAX)
		return -EPROTO;
	void *p = mmap(NULL, (size_t)rep->size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED) {
		int e = errno;
		close(memfd);
		return -e;
	}
	*out = (struct amp_sdb_buf){.idx = (int)rep->idx, .data = p, .size = (size_t)rep->size,
				    .da = rep->da, .efd = efd, .memfd = memfd, .own_efd = own_efd};
	s->maps[s->nmaps++] = *out;
	return 0;
}

int amp_sdb_alloc(struct amp_sdb *s, size_t size, enum amp_sdb_dir dir, int efd,
		  struct amp_sdb_buf *out)
{
	if (!s || !out || size == 0 || (dir != AMP_SDB_TO_LINUX && dir != AMP_SDB_TO_FIRMWARE))
		return -EINVAL;
	if (s->nmaps == MAX_MAPS)
		return -ENOSPC;
	bool own = efd < 0;
	if (own && (efd = eventfd(0, EFD_CLOEXEC)) < 0)
		return -errno;
	struct amp_sdb_req req = {.version = AMP_SDB_WIRE_VERSION, .op = AMP_SDB_OP_ALLOC,
				  .dir = (uint32_t)dir, .size = size};
	struct amp_sdb_rep rep;
	int memfd = -1;
	int rc = call(s, &req, efd, &rep, &memfd);
	if (rc == 0)
		rc = map_reply(s, &rep, memfd, efd, own, out); /* owns memfd from here */
	else if (memfd >= 0)
		close(memfd);
	if (rc != 0 && own)
		close(efd);
	return rc;
}

int amp_sdb_wait(struct amp_sdb *s, const struct amp_sdb_buf *b, int timeout_ms)
{
	struct pollfd p[2] = {{.fd = b->efd, .events = POLLIN}, {.fd = s->fd, .events = POLLIN}};
	int n;
	do
		n = poll(p, 2, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (p[0].revents & POLLIN) {
		uint64_t v;
		if (read(b->efd, &v, sizeof(v)) != sizeof(v))
			return -errno;
		return 0;
	}
	if (p[1].revents) /* the service only ever hangs up unasked */
		return -EPIPE;
	return -ETIMEDOUT;
}

static int simple(struct amp_sdb *s, uint32_t op, int idx, uint64_t size, struct amp_sdb_rep *rep)
{
	if (!s || idx < 0)
		return -EINVAL;
	struct amp_sdb_req req = {.version = AMP_SDB_WIRE_VERSION, .op = op,
				  .idx = (uint32_t)idx, .size = size};
	return call(s, &req, -1, rep, NULL);
}

int amp_sdb_get_data_size(struct amp_sdb *s, int idx, uint64_t *size, uint32_t *crc)
{
	struct amp_sdb_rep rep;
	int rc = simple(s, AMP_SDB_OP_GET_SIZE, idx, 0, &rep);
	if (rc)
		return rc;
	if (rep.size == AMP_SDB_NO_DATA)
		return -ENODATA;
	if (size)
		*size = rep.size;
	if (crc)
		*crc = rep.crc;
	return 0;
}

int amp_sdb_give_back(struct amp_sdb *s, int idx)
{
	struct amp_sdb_rep rep;
	return simple(s, AMP_SDB_OP_GIVE_BACK, idx, 0, &rep);
}

int amp_sdb_submit(struct amp_sdb *s, int idx, size_t len)
{
	struct amp_sdb_rep rep;
	return simple(s, AMP_SDB_OP_SUBMIT, idx, len, &rep);
}

int amp_sdb_control(struct amp_sdb *s, const void *text, size_t len)
{
	if (!s || !text || len == 0 || len > AMP_SDB_CONTROL_MAX)
		return -EINVAL;
	struct amp_sdb_req req = {.version = AMP_SDB_WIRE_VERSION, .op = AMP_SDB_OP_CONTROL,
				  .size = len};
	memcpy(req.text, text, len);
	struct amp_sdb_rep rep;
	return call(s, &req, -1, &rep, NULL);
}
