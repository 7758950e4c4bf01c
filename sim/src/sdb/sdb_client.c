/* rpmsg-sdb client library; see <ampsim/sdb.h> and sdb_wire.h. */
#define _GNU_SOURCE
#include <ampsim/sdb.h>

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

#include <ampsim/errno.h>

#include "sdb_wire.h"

#define MAX_MAPS AMP_SDB_INDICES

/* A buffer as this library tracks it. */
struct map {
	struct amp_sdb_buf b;
	enum amp_sdb_dir dir;
	bool held;	       /* the client owns it (to-firmware, before the first submit) */
	uint32_t handover_seq; /* status seq when the client last handed it to the firmware */
	uint32_t read_seq;     /* status seq of the last completion amp_sdb_get_data_size read */
};

struct amp_sdb {
	int fd;
	const struct amp_sdb_status *status; /* the service's page, mapped read-only */
	struct map maps[MAX_MAPS];
	unsigned nmaps;
};

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
	ssize_t n;
	do
		n = sendmsg(sock, &m, flags);
	while (n < 0 && errno == EINTR);
	return n < 0 ? amp_from_errno(errno) : (long)n;
}

long amp_sdb_recv_fd(int sock, void *buf, size_t len, int *fd, int flags)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cm;
	memset(&cm, 0, sizeof(cm));
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = cm.buf,
			   .msg_controllen = sizeof(cm.buf)};
	ssize_t n;
	do
		n = recvmsg(sock, &m, flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	*fd = -1;
	if (n < 0)
		return amp_from_errno(errno);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (*fd < 0)
				*fd = f;
			else
				close(f);
		}
	}
	if (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return AMP_EMSGSIZE; /* larger than expected, or too many fds */
	return (long)n;
}

/* A reply of @len bytes was expected and @n came: why not. */
static int short_reply(long n)
{
	if (n == 0)
		return AMP_ENOTCONN; /* hung up */
	return n < 0 && n != AMP_EMSGSIZE ? (int)n : AMP_EPROTO;
}

/* The welcome: the protocol version and the status page. */
static int welcome(struct amp_sdb *s)
{
	struct amp_sdb_rep rep;
	int fd;
	long n = amp_sdb_recv_fd(s->fd, &rep, sizeof(rep), &fd, 0);
	if (n != (long)sizeof(rep) || rep.status != 0 || rep.size != AMP_SDB_WIRE_VERSION ||
	    fd < 0) {
		if (fd >= 0)
			close(fd);
		return n != (long)sizeof(rep) ? short_reply(n) : AMP_EPROTO;
	}
	void *p = mmap(NULL, sizeof(struct amp_sdb_status), PROT_READ, MAP_SHARED, fd, 0);
	int e = errno;
	close(fd);
	if (p == MAP_FAILED)
		return amp_from_errno(e);
	s->status = p;
	return 0;
}

int amp_sdb_open(const char *path, struct amp_sdb **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!path || !out || strlen(path) >= sizeof(sa.sun_path))
		return AMP_EINVAL;
	strcpy(sa.sun_path, path);
	struct amp_sdb *s = calloc(1, sizeof(*s));
	if (!s)
		return AMP_ENOMEM;
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	int rc = s->fd < 0 ? amp_from_errno(errno) : 0;
	/* Refused: a socket file nobody listens on, so no service there either. */
	if (!rc && connect(s->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = errno == ECONNREFUSED ? AMP_ENOENT : amp_from_errno(errno);
	if (!rc)
		rc = welcome(s);
	if (rc) {
		if (s->fd >= 0)
			close(s->fd);
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void amp_sdb_close(struct amp_sdb *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->nmaps; i++) {
		struct amp_sdb_buf *b = &s->maps[i].b;
		munmap(b->data, b->size);
		close(b->memfd);
		if (b->own_efd)
			close(b->efd);
	}
	munmap((void *)s->status, sizeof(struct amp_sdb_status));
	close(s->fd);
	free(s);
}

int amp_sdb_fd(const struct amp_sdb *s)
{
	return s->fd;
}

/* The service never speaks after the welcome unless asked: readable = hung up. */
static bool service_gone(const struct amp_sdb *s)
{
	struct pollfd p = {.fd = s->fd, .events = POLLIN | POLLRDHUP};
	return poll(&p, 1, 0) > 0;
}

static struct map *find_map(struct amp_sdb *s, int idx)
{
	for (unsigned i = 0; i < s->nmaps; i++)
		if (s->maps[i].b.idx == idx)
			return &s->maps[i];
	return NULL;
}

static uint32_t seq_of(const struct amp_sdb *s, int idx)
{
	return atomic_load_explicit(&s->status->slot[idx].seq, memory_order_acquire);
}

/* A request that expects a reply (ALLOC, CONTROL). */
static int call(struct amp_sdb *s, const struct amp_sdb_req *req, int send_fd,
		struct amp_sdb_rep *rep, int *recv_fd)
{
	long n = amp_sdb_send_fd(s->fd, req, sizeof(*req), send_fd, MSG_NOSIGNAL);
	if (n != (long)sizeof(*req))
		return n < 0 ? (int)n : AMP_EIO; /* a seqpacket send is whole or fails */
	int fd;
	n = amp_sdb_recv_fd(s->fd, rep, sizeof(*rep), &fd, 0);
	if (n != (long)sizeof(*rep) || rep->status > 0) {
		if (fd >= 0)
			close(fd);
		return n != (long)sizeof(*rep) ? short_reply(n) : AMP_EPROTO;
	}
	if (recv_fd)
		*recv_fd = fd;
	else if (fd >= 0)
		close(fd);
	return rep->status;
}

/* A request that gets no reply (GIVE_BACK, SUBMIT). */
static int post(struct amp_sdb *s, uint32_t op, int idx, uint64_t size)
{
	struct amp_sdb_req req = {
	    .version = AMP_SDB_WIRE_VERSION, .op = op, .idx = (uint32_t)idx, .size = size};
	long n = amp_sdb_send_fd(s->fd, &req, sizeof(req), -1, MSG_NOSIGNAL);
	if (n != (long)sizeof(req))
		return n < 0 ? (int)n : AMP_EIO;
	return 0;
}

static int map_reply(struct amp_sdb *s, const struct amp_sdb_rep *rep, int memfd, int efd,
		     bool own_efd, enum amp_sdb_dir dir, struct amp_sdb_buf *out)
{
	if (memfd < 0 || rep->size == 0 || rep->size > SIZE_MAX || rep->idx >= AMP_SDB_INDICES)
		return AMP_EPROTO;
	void *p = mmap(NULL, (size_t)rep->size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		return amp_from_errno(errno);
	*out = (struct amp_sdb_buf){.idx = (int)rep->idx,
				    .data = p,
				    .size = (size_t)rep->size,
				    .da = rep->da,
				    .efd = efd,
				    .memfd = memfd,
				    .own_efd = own_efd};
	/* Not the page's seq now: the firmware may have filled the buffer already. */
	s->maps[s->nmaps++] = (struct map){.b = *out,
					   .dir = dir,
					   .held = dir == AMP_SDB_TO_FIRMWARE,
					   .handover_seq = rep->seq,
					   .read_seq = rep->seq};
	return 0;
}

int amp_sdb_alloc(struct amp_sdb *s, size_t size, enum amp_sdb_dir dir, int efd,
		  struct amp_sdb_buf *out)
{
	if (!s || !out || size == 0 || (dir != AMP_SDB_TO_LINUX && dir != AMP_SDB_TO_FIRMWARE))
		return AMP_EINVAL;
	if (s->nmaps == MAX_MAPS)
		return AMP_ENOMEM;
	bool own = efd < 0;
	if (own && (efd = eventfd(0, EFD_CLOEXEC)) < 0)
		return amp_from_errno(errno);
	struct amp_sdb_req req = {.version = AMP_SDB_WIRE_VERSION,
				  .op = AMP_SDB_OP_ALLOC,
				  .dir = (uint32_t)dir,
				  .size = size};
	struct amp_sdb_rep rep;
	int memfd = -1;
	int rc = call(s, &req, efd, &rep, &memfd);
	if (rc == 0)
		rc = map_reply(s, &rep, memfd, efd, own, dir, out);
	if (rc != 0 && memfd >= 0)
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
		return amp_from_errno(errno);
	if (p[0].revents & POLLIN) {
		uint64_t v;
		return read(b->efd, &v, sizeof(v)) == sizeof(v) ? 0 : amp_from_errno(errno);
	}
	return p[1].revents ? AMP_ENOTCONN : AMP_ETIMEDOUT;
}

int amp_sdb_get_data_size(struct amp_sdb *s, int idx, uint64_t *size, uint32_t *crc)
{
	struct map *m = s ? find_map(s, idx) : NULL;
	if (!m)
		return AMP_EACCES;
	if (service_gone(s))
		return AMP_ENOTCONN;
	uint32_t seq = seq_of(s, idx);
	if (seq == m->read_seq)
		return AMP_EAGAIN; /* read already, as GET_DATA_SIZE resets it */
	m->read_seq = seq;
	if (size)
		*size = s->status->slot[idx].size;
	if (crc)
		*crc = s->status->slot[idx].crc;
	return 0;
}

/* Hand buffer @idx to the firmware: only if this client holds it now. */
static int hand_over(struct amp_sdb *s, int idx, enum amp_sdb_dir dir, uint32_t op, size_t len)
{
	struct map *m = s ? find_map(s, idx) : NULL;
	if (!m)
		return AMP_EACCES;
	if (m->dir != dir)
		return AMP_EINVAL;
	if (service_gone(s))
		return AMP_ENOTCONN;
	uint32_t seq = seq_of(s, idx);
	if (!m->held && seq == m->handover_seq)
		return AMP_EBUSY; /* the firmware has it */
	if (op == AMP_SDB_OP_SUBMIT && (len == 0 || len > m->b.size))
		return AMP_EMSGSIZE;
	int rc = post(s, op, idx, len);
	if (rc == 0) {
		m->held = false;
		m->handover_seq = seq;
	}
	return rc;
}

int amp_sdb_give_back(struct amp_sdb *s, int idx)
{
	return hand_over(s, idx, AMP_SDB_TO_LINUX, AMP_SDB_OP_GIVE_BACK, 0);
}

int amp_sdb_submit(struct amp_sdb *s, int idx, size_t len)
{
	return hand_over(s, idx, AMP_SDB_TO_FIRMWARE, AMP_SDB_OP_SUBMIT, len);
}

int amp_sdb_control(struct amp_sdb *s, const void *text, size_t len)
{
	if (!s || !text || len == 0 || len > AMP_SDB_CONTROL_MAX)
		return AMP_EINVAL;
	struct amp_sdb_req req = {
	    .version = AMP_SDB_WIRE_VERSION, .op = AMP_SDB_OP_CONTROL, .size = len};
	memcpy(req.text, text, len);
	struct amp_sdb_rep rep;
	return call(s, &req, -1, &rep, NULL);
}
