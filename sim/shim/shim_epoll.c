/*
 * epoll on /dev/rpmsgN: EPOLLOUT means a free TX buffer, as for poll (shim_poll.c).
 *
 * epoll_ctl() remembers which registrations of an epoll set ask EPOLLOUT of a /dev/rpmsgN
 * (and their data). A wait on such a set while RUNDIR/txfree is empty takes EPOLLOUT off
 * those registrations and adds the FIFO (its data: the address of `cookie`, which no caller
 * can hold) for the wait, then puts both back: the wait sleeps until a buffer is back, and
 * then reports EPOLLOUT with the registration's data if the socket has room. The FIFO's own
 * event is never returned. EPOLLONESHOT registrations are left alone (re-arming them would
 * change what the caller asked).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define SHIM_MAX_EPOLL 64 /* registrations of /dev/rpmsgN asking EPOLLOUT, over all sets */

struct reg {
	int epfd, fd;
	struct epoll_event ev;
};

static struct reg regs[SHIM_MAX_EPOLL];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char cookie;

static int (*libc_ctl)(int, int, int, struct epoll_event *);
static int (*libc_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
static int (*libc_ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);

/* A fork while another thread holds the lock must not leave the child's copy locked. */
static void lock_table(void)
{
	pthread_mutex_lock(&lock);
}

static void unlock_table(void)
{
	pthread_mutex_unlock(&lock);
}

__attribute__((constructor)) static void shim_epoll_init(void)
{
	pthread_atfork(lock_table, unlock_table, unlock_table);
}

static void resolve_epoll(void)
{
	if (!libc_ctl) {
		libc_ppoll = (__typeof__(libc_ppoll))dlsym(RTLD_NEXT, "ppoll");
		libc_pwait = (__typeof__(libc_pwait))dlsym(RTLD_NEXT, "epoll_pwait");
		libc_ctl = (__typeof__(libc_ctl))dlsym(RTLD_NEXT, "epoll_ctl");
	}
}

static struct reg *find(int epfd, int fd)
{
	for (int i = 0; i < SHIM_MAX_EPOLL; i++) /* a free entry has no events */
		if (regs[i].ev.events && regs[i].epfd == epfd && regs[i].fd == fd)
			return &regs[i];
	return NULL;
}

/* After a successful epoll_ctl(): remember, update or forget (epfd, fd). */
static void remember(int epfd, int op, int fd, const struct epoll_event *ev)
{
	bool keep = op != EPOLL_CTL_DEL && ev && (ev->events & EPOLLOUT) &&
		    !(ev->events & EPOLLONESHOT) && shim_is_ept(fd);
	pthread_mutex_lock(&lock);
	struct reg *r = find(epfd, fd);
	if (!r && keep)
		for (int i = 0; i < SHIM_MAX_EPOLL && !r; i++)
			if (!regs[i].ev.events)
				r = &regs[i];
	if (r) /* past SHIM_MAX_EPOLL: that registration keeps the socket's EPOLLOUT */
		*r = keep ? (struct reg){.epfd = epfd, .fd = fd, .ev = *ev} : (struct reg){0};
	pthread_mutex_unlock(&lock);
}

SHIM_EXPORT int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	resolve_epoll();
	int rc = libc_ctl(epfd, op, fd, ev);
	if (rc == 0) {
		int e = errno;
		remember(epfd, op, fd, ev);
		errno = e;
	}
	return rc;
}

/* This set's registrations that ask EPOLLOUT, copied out (the lock is not held across the
 * wait); a registration epoll no longer has (its descriptor closed) is forgotten. */
static int collect(int epfd, struct reg *out)
{
	int n = 0;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < SHIM_MAX_EPOLL; i++)
		if (regs[i].ev.events && regs[i].epfd == epfd)
			out[n++] = regs[i];
	pthread_mutex_unlock(&lock);
	return n;
}

/* Take EPOLLOUT off (@p off) or put it back on the registrations; the FIFO in or out. */
static void swap(int epfd, struct reg *r, int n, int sig, bool off)
{
	struct epoll_event fifo = {.events = EPOLLIN, .data.ptr = &cookie};
	for (int i = 0; i < n; i++) {
		struct epoll_event ev = r[i].ev;
		if (off)
			ev.events &= ~(uint32_t)EPOLLOUT;
		if (libc_ctl(epfd, EPOLL_CTL_MOD, r[i].fd, &ev) != 0 && errno == ENOENT)
			remember(epfd, EPOLL_CTL_DEL, r[i].fd, NULL);
	}
	libc_ctl(epfd, off ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, sig, off ? &fifo : NULL);
}

/* The events the caller gets: the FIFO's taken out; after it fired, EPOLLOUT added where
 * the socket has room (merged into an event with the same data, else appended). */
static int rewrite(struct epoll_event *evs, int got, int max, const struct reg *r, int n)
{
	int k = 0;
	bool back = false;
	for (int i = 0; i < got; i++) {
		if (evs[i].data.ptr == &cookie)
			back = true;
		else
			evs[k++] = evs[i];
	}
	for (int i = 0; back && i < n; i++) {
		struct pollfd q = {.fd = r[i].fd, .events = POLLOUT};
		if (libc_ppoll(&q, 1, &(struct timespec){0}, NULL) != 1 || !(q.revents & POLLOUT))
			continue;
		int j = 0;
		while (j < k && evs[j].data.u64 != r[i].ev.data.u64)
			j++;
		if (j == k && k < max)
			evs[k++] = (struct epoll_event){.data = r[i].ev.data};
		if (j < k)
			evs[j].events |= EPOLLOUT;
	}
	return k;
}

static int ms_left(int ms, const struct timespec *end)
{
	struct timespec t = shim_time_left(end);
	return ms < 0 ? -1 : (int)(t.tv_sec * 1000 + (t.tv_nsec + 999999) / 1000000);
}

static int wait_common(int epfd, struct epoll_event *evs, int max, int ms, const sigset_t *mask)
{
	resolve_epoll();
	struct reg r[SHIM_MAX_EPOLL];
	int e = errno, n = max > 0 ? collect(epfd, r) : 0;
	int sig = n ? shim_tx_busy_signal() : -1;
	errno = e;
	struct timespec end, t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	shim_time_end(&t, &end);
	while (sig >= 0) {
		swap(epfd, r, n, sig, true);
		int got = libc_pwait(epfd, evs, max, ms_left(ms, &end), mask);
		e = errno;
		swap(epfd, r, n, sig, false);
		shim_libc.close(sig);
		if (got > 0)
			got = rewrite(evs, got, max, r, n);
		errno = e;
		if (got != 0 || (ms >= 0 && shim_time_over(&end)))
			return got;
		/* Only the FIFO came and no socket had room: wait on for what the caller asked. */
		sig = shim_tx_busy_signal();
		errno = e;
	}
	return libc_pwait(epfd, evs, max, ms_left(ms, &end), mask);
}

SHIM_EXPORT int epoll_wait(int epfd, struct epoll_event *evs, int max, int ms)
{
	return wait_common(epfd, evs, max, ms, NULL);
}

SHIM_EXPORT int epoll_pwait(int epfd, struct epoll_event *evs, int max, int ms,
			    const sigset_t *mask)
{
	return wait_common(epfd, evs, max, ms, mask);
}
