/*
 * A Linux rpmsg_char program that writes only when poll(), select() or epoll says POLLOUT,
 * written for Linux (not for ampsim): usage rpmsg_poll_app DEVICE CMD. Its first non-blocking write
 * finds no TX buffer (EAGAIN); it then waits, in turn with poll(), select() and epoll, for
 * POLLIN and POLLOUT, 100 ms at a time; after 6 waits it runs CMD (which gives the buffers
 * back), then sends 8 messages, each on a POLLOUT, and reads their echoes. It prints how
 * many polls reported POLLOUT before CMD ran and how many writes got EAGAIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <unistd.h>

#define MSGS 8

static int epfd = -1;

/* One wait of up to 100 ms on the epoll set, its registration of @p fd as @p want_out asks. */
static int wait_epoll(int fd, int want_out)
{
	static int registered = -1;
	struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.u64 = 77};
	if (registered != want_out &&
	    epoll_ctl(epfd, registered < 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) != 0)
		return perror("epoll_ctl"), 0;
	registered = want_out;
	if (epoll_wait(epfd, &ev, 1, 100) != 1)
		return 0;
	if (ev.data.u64 != 77)
		printf("epoll returned data %llu\n", (unsigned long long)ev.data.u64);
	return (ev.events & EPOLLIN ? POLLIN : 0) | (ev.events & EPOLLOUT ? POLLOUT : 0);
}

/* One wait of up to 100 ms by poll(), select() or epoll (@p it mod 3): POLLIN/POLLOUT bits. */
static int wait_once(int fd, int it, int want_out)
{
	if (it % 3 == 2)
		return wait_epoll(fd, want_out);
	if (it % 3 == 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (want_out ? POLLOUT : 0)};
		return poll(&p, 1, 100) > 0 ? p.revents : 0;
	}
	fd_set r, w;
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(fd, &r);
	if (want_out)
		FD_SET(fd, &w);
	struct timeval tv = {.tv_usec = 100000};
	if (select(fd + 1, &r, &w, NULL, &tv) <= 0)
		return 0;
	return (FD_ISSET(fd, &r) ? POLLIN : 0) | (FD_ISSET(fd, &w) ? POLLOUT : 0);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s DEVICE CMD\n", argv[0]);
		return 2;
	}
	int fd = open(argv[1], O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (write(fd, "first", 5) < 0)
		printf("first write: %s\n", strerror(errno));
	int sent = 0, echoed = 0, eagain = 0, early = 0;
	char buf[512];
	for (int it = 0; it < 400 && echoed < MSGS; it++) {
		if (it == 6 && system(argv[2]) != 0)
			return 1;
		int ev = wait_once(fd, it, sent < MSGS);
		if (ev & POLLOUT) {
			early += it < 6;
			int n = snprintf(buf, sizeof(buf), "msg-%d", sent);
			if (write(fd, buf, (size_t)n) == n)
				sent++;
			else if (errno == EAGAIN)
				eagain++;
			else
				return perror("write"), 1;
		}
		if ((ev & POLLIN) && read(fd, buf, sizeof(buf)) > 0)
			echoed++;
	}
	printf("POLLOUT before the buffers came back: %d\n", early);
	printf("sent %d, echoed %d, EAGAIN %d\n", sent, echoed, eagain);
	close(epfd);
	close(fd);
	return 0;
}
