/*
 * An unmodified Linux program for ST's rpmsg_sdb driver, written as the "How to exchange
 * large data buffers with the coprocessor" article and ST's logic-analyser backend use it:
 * open /dev/rpmsg-sdb, for each buffer an eventfd, RPMSG_SDB_IOCTL_SET_EFD and mmap, then
 * poll the eventfds, read the one that fired, RPMSG_SDB_IOCTL_GET_DATA_SIZE, use the data.
 * Nothing here knows about ampsim: the ioctl numbers and structures are defined as ST's
 * driver defines them. It checks what ampsim's sdb sample writes (a counter pattern ending
 * with its CRC-32) and, with the argument "errors", the errors the driver gives.
 *
 * Usage: sdb_article_app [DEVICE] FILLS | errors | linger COMMAND | crash COMMAND
 *   linger: close the device with its buffer still mapped (the driver's release waits for
 *   the last mapping: the data stays readable), unmap it, then run COMMAND (the test looks
 *   at the service from there).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>

/* As in ST's stm32_rpmsg_sdb.c. */
typedef struct {
	int bufferId, eventfd;
} rpmsg_sdb_ioctl_set_efd;

typedef struct {
	int bufferId;
	uint32_t size;
} rpmsg_sdb_ioctl_get_data_size;

#define RPMSG_SDB_IOCTL_SET_EFD _IOW('R', 0x00, rpmsg_sdb_ioctl_set_efd *)
#define RPMSG_SDB_IOCTL_GET_DATA_SIZE _IOWR('R', 0x01, rpmsg_sdb_ioctl_get_data_size *)

#define NB_BUF 3
#define DATA_BUF_POOL_SIZE (64 * 1024)
#define TIMEOUT 20 /* seconds: a safety net, the firmware fills at once */

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1u));
	}
	return ~c;
}

/* The sdb sample's fill: byte i = seq + i, then the CRC-32 of those bytes, little-endian. */
static int check_buffer(const uint8_t *d, uint32_t size)
{
	if (size < 8 || size > DATA_BUF_POOL_SIZE)
		return -1;
	uint32_t n = size - 4;
	for (uint32_t i = 0; i < n; i++)
		if (d[i] != (uint8_t)(d[0] + i))
			return -1;
	uint32_t crc = (uint32_t)d[n] | (uint32_t)d[n + 1] << 8 | (uint32_t)d[n + 2] << 16 |
		       (uint32_t)d[n + 3] << 24;
	return crc == crc32_ieee(d, n) ? 0 : -1;
}

static int expect_errno(const char *what, int rc, int e)
{
	if (rc == -1 && errno == e) {
		printf("%s: %s\n", what, strerror(e));
		return 0;
	}
	printf("%s: expected %s, got rc %d errno %s\n", what, strerror(e), rc, strerror(errno));
	return 1;
}

static int errors(const char *dev)
{
	int bad = 0;
	/* No device open: what mmap gives on a closed descriptor. */
	void *p = mmap(NULL, DATA_BUF_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, 42, 0);
	bad += expect_errno("mmap before open", p == MAP_FAILED ? -1 : 0, EBADF);
	int fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return 1;
	}
	p = mmap(NULL, DATA_BUF_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	bad += expect_errno("mmap before SET_EFD", p == MAP_FAILED ? -1 : 0, EINVAL);
	rpmsg_sdb_ioctl_get_data_size q = {.bufferId = 0};
	bad += expect_errno("GET_DATA_SIZE of no buffer",
			    ioctl(fd, RPMSG_SDB_IOCTL_GET_DATA_SIZE, &q), EINVAL);
	rpmsg_sdb_ioctl_set_efd s = {.bufferId = 0, .eventfd = eventfd(0, 0)};
	if (ioctl(fd, RPMSG_SDB_IOCTL_SET_EFD, &s) < 0) {
		perror("SET_EFD");
		return 1;
	}
	bad += expect_errno("second SET_EFD before mmap", ioctl(fd, RPMSG_SDB_IOCTL_SET_EFD, &s),
			    EBADE);
	p = mmap(NULL, DATA_BUF_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	q.bufferId = 1;
	bad += expect_errno("GET_DATA_SIZE of buffer 1",
			    ioctl(fd, RPMSG_SDB_IOCTL_GET_DATA_SIZE, &q), EINVAL);
	q.bufferId = -1;
	bad += expect_errno("GET_DATA_SIZE of buffer -1",
			    ioctl(fd, RPMSG_SDB_IOCTL_GET_DATA_SIZE, &q), EINVAL);
	bad += expect_errno("other ioctl", ioctl(fd, _IO('R', 0x02)), EINVAL);
	char c;
	bad += expect_errno("read", (int)read(fd, &c, 1), EINVAL);
	s.eventfd = 0; /* stdin: not an eventfd */
	bad += expect_errno("SET_EFD of a non-eventfd", ioctl(fd, RPMSG_SDB_IOCTL_SET_EFD, &s),
			    EINVAL);
	if (munmap(p, DATA_BUF_POOL_SIZE) != 0 || close(fd) != 0) {
		perror("munmap/close");
		return 1;
	}
	printf("%d unexpected\n", bad);
	return bad ? 1 : 0;
}

/* Two buffers; buffer 0's fill: its size, 0 on failure. The other buffer keeps the
 * firmware busy: the one being read is the program's (with one buffer, ST's M4 and ampsim
 * may refill it at once). */
static uint32_t first_fill(int fd, void *data[2], int efd[2])
{
	for (int i = 0; i < 2; i++) {
		rpmsg_sdb_ioctl_set_efd s = {.bufferId = i, .eventfd = efd[i] = eventfd(0, 0)};
		if (ioctl(fd, RPMSG_SDB_IOCTL_SET_EFD, &s) < 0)
			return 0;
		data[i] = mmap(NULL, DATA_BUF_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (data[i] == MAP_FAILED)
			return 0;
	}
	rpmsg_sdb_ioctl_get_data_size q = {.bufferId = 0};
	struct pollfd p = {.fd = efd[0], .events = POLLIN};
	uint64_t ev;
	if (poll(&p, 1, TIMEOUT * 1000) != 1 || read(efd[0], &ev, sizeof(ev)) != sizeof(ev) ||
	    ioctl(fd, RPMSG_SDB_IOCTL_GET_DATA_SIZE, &q) < 0)
		return 0;
	return q.size;
}

static int linger(const char *dev, const char *command)
{
	void *data[2];
	int efd[2];
	int fd = open(dev, O_RDWR);
	uint32_t size = fd < 0 ? 0 : first_fill(fd, data, efd);
	if (!size || close(fd) != 0) {
		perror("linger");
		return 1;
	}
	/* Released too early, the pages would be gone: SIGSEGV here. */
	printf("after close: %s\n", check_buffer(data[0], size) == 0 ? "data ok" : "bad data");
	if (munmap(data[0], DATA_BUF_POOL_SIZE) != 0 || munmap(data[1], DATA_BUF_POOL_SIZE) != 0)
		return 1;
	fflush(stdout);
	return system(command) == 0 ? 0 : 1;
}

/* COMMAND crashes the firmware while the program holds buffers: the eventfds fire and
 * GET_DATA_SIZE says the device is gone. */
static int crash(const char *dev, const char *command)
{
	void *data[2];
	int efd[2];
	int fd = open(dev, O_RDWR);
	if (fd < 0 || !first_fill(fd, data, efd) || system(command) != 0) {
		perror("crash");
		return 1;
	}
	/* Buffer 0 is the program's, its fill read: only the crash signals it. */
	struct pollfd p = {.fd = efd[0], .events = POLLIN};
	rpmsg_sdb_ioctl_get_data_size q = {.bufferId = 1};
	if (poll(&p, 1, TIMEOUT * 1000) != 1) {
		printf("no wake-up\n");
		return 1;
	}
	int rc = ioctl(fd, RPMSG_SDB_IOCTL_GET_DATA_SIZE, &q);
	printf("after the crash: %s\n", rc < 0 ? strerror(errno) : "still there");
	return 0;
}

/* The article's set-up: open, then per buffer an eventfd, SET_EFD and mmap. The device's
 * descriptor, or -1. */
static int setup(const char *dev, int efd[NB_BUF], struct pollfd fds[NB_BUF],
		 void *mmappedData[NB_BUF])
{
	rpmsg_sdb_ioctl_set_efd q_set_efd;
	int fd = open(dev, O_RDWR);
	if (fd < 0) {
		perror(dev);
		return -1;
	}
	for (int i = 0; i < NB_BUF; i++) {
		/* Create the eventfd, and send it to the driver, for notification of buffer full */
		efd[i] = eventfd(0, 0);
		q_set_efd.bufferId = i;
		q_set_efd.eventfd = efd[i];
		if (efd[i] < 0 || ioctl(fd, RPMSG_SDB_IOCTL_SET_EFD, &q_set_efd) < 0) {
			perror("RPMSG_SDB_IOCTL_SET_EFD");
			return -1;
		}
		fds[i].fd = efd[i];
		fds[i].events = POLLIN;
		mmappedData[i] =
		    mmap(NULL, DATA_BUF_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (mmappedData[i] == MAP_FAILED) {
			perror("mmap");
			return -1;
		}
	}
	return fd;
}

/* Poll the eventfds, and for each that fired: read it, GET_DATA_SIZE, check the data. */
static int article_flow(const char *dev, int fills)
{
	int efd[NB_BUF], done = 0, ok = 0;
	struct pollfd fds[NB_BUF];
	void *mmappedData[NB_BUF];
	rpmsg_sdb_ioctl_get_data_size q_get_data_size;
	int fd = setup(dev, efd, fds, mmappedData);
	if (fd < 0)
		return 1;
	while (done < fills) {
		int ret = poll(fds, NB_BUF, TIMEOUT * 1000);
		if (ret <= 0) {
			printf("No data within %d seconds.\n", TIMEOUT);
			return 1;
		}
		for (int j = 0; j < NB_BUF && done < fills; j++) {
			if (!(fds[j].revents & POLLIN))
				continue;
			uint64_t ev;
			if (read(efd[j], &ev, sizeof(ev)) != sizeof(ev))
				return 1;
			q_get_data_size.bufferId = j;
			if (ioctl(fd, RPMSG_SDB_IOCTL_GET_DATA_SIZE, &q_get_data_size) < 0) {
				perror("RPMSG_SDB_IOCTL_GET_DATA_SIZE");
				return 1;
			}
			done++;
			if (check_buffer(mmappedData[j], q_get_data_size.size) == 0)
				ok++;
			else
				printf("buf[%d] size:%u: bad data\n", j, q_get_data_size.size);
			/* The size is reset: asked again, nothing new has been written. */
			if (ioctl(fd, RPMSG_SDB_IOCTL_GET_DATA_SIZE, &q_get_data_size) < 0 ||
			    q_get_data_size.size != 0xffffffffu)
				printf("buf[%d]: size not reset\n", j);
		}
	}
	printf("%d buffers, %d with the pattern and CRC-32\n", done, ok);
	for (int i = 0; i < NB_BUF; i++)
		if (munmap(mmappedData[i], DATA_BUF_POOL_SIZE) != 0)
			return 1;
	close(fd);
	return ok == fills ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "crash"))
		return crash("/dev/rpmsg-sdb", argv[2]);
	if (argc == 3 && !strcmp(argv[1], "linger"))
		return linger("/dev/rpmsg-sdb", argv[2]);
	const char *dev = argc > 2 ? argv[1] : "/dev/rpmsg-sdb";
	const char *arg = argc > 2 ? argv[2] : argc > 1 ? argv[1] : "9";
	if (!strcmp(arg, "errors"))
		return errors(dev);
	return article_flow(dev, atoi(arg));
}
