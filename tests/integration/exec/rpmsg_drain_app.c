/*
 * A Linux rpmsg_char client, written for Linux and not for ampsim: usage
 * `rpmsg_drain_app DEVICE COMMAND`, run while the remote is not taking messages (it is
 * stopped). It writes (O_NONBLOCK) only when poll() reports POLLOUT, as rpmsg_poll() reports
 * a free TX buffer, until a poll of 200 ms no longer does: no write may get EAGAIN, not even
 * the one after the last buffer went. Then it runs COMMAND (which lets the remote run and
 * give the buffers back), waits for POLLOUT and reads the echo of every message it sent.
 * One line per step; exit status 0 when every step behaved as on Linux.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MSGS 4096

static int die(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
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
	int sent = 0;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		if (poll(&p, 1, 200) == 0)
			break; /* no TX buffer free */
		if (!(p.revents & POLLOUT) || sent == MAX_MSGS)
			return die("poll without POLLOUT, or POLLOUT for ever");
		char msg[32];
		int len = snprintf(msg, sizeof(msg), "drain-%d", sent);
		if (write(fd, msg, (size_t)len) != len)
			return die("a write after poll said POLLOUT");
		sent++;
	}
	printf("POLLOUT went away after %s message; no EAGAIN\n", sent > 0 ? "a" : "no");
	fflush(stdout);
	if (system(argv[2]) != 0)
		return die("the command");
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	if (poll(&p, 1, 20000) != 1 || !(p.revents & POLLOUT))
		return die("no POLLOUT once the buffers came back");
	printf("POLLOUT after the buffers came back\n");
	for (int i = 0; i < sent; i++) {
		char buf[512], want[32];
		int len = snprintf(want, sizeof(want), "drain-%d", i);
		p = (struct pollfd){.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 20000) != 1 || read(fd, buf, sizeof(buf)) != len ||
		    memcmp(buf, want, (size_t)len) != 0)
			return die("the echoes, in order");
	}
	printf("echoed all %s\n", sent > 0 ? "of them" : "none");
	close(fd);
	printf("done\n");
	return 0;
}
