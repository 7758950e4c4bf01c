/*
 * poll, ppoll, select, pselect (and their _FORTIFY_SOURCE forms) on /dev/rpmsgN: POLLOUT
 * means "a TX buffer is free, a write would not wait nor get EAGAIN", as rpmsg_char's
 * rpmsg_eptdev_poll() reports it through rpmsg_poll(), not "the socket has room".
 *
 * The daemon keeps a byte in RUNDIR/txfree (a FIFO) while a TX buffer is free, and none
 * from the send that took the last one until buffers come back (amp_host_set_tx_signal()). A
 * call that asks POLLOUT of a /dev/rpmsgN descriptor while the FIFO is empty asks the
 * socket for everything but POLLOUT and the FIFO for POLLIN instead: it sleeps until a
 * buffer is back, then reports POLLOUT if the socket has room too. Every other call goes to
 * libc as it is. epoll: shim_epoll.c.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "shim.h"

#define SHIM_EXPORT __attribute__((visibility("default")))
#define POLL_STACK 64 /* entries on the stack; a larger call maps its copy */

static int (*libc_ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
static int (*libc_pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
			   const sigset_t *);

static void resolve_poll(void)
{
	if (!libc_ppoll) {
		libc_pselect = (__typeof__(libc_pselect))dlsym(RTLD_NEXT, "pselect");
		libc_ppoll = (__typeof__(libc_ppoll))dlsym(RTLD_NEXT, "ppoll");
	}
}

bool shim_is_ept(int fd)
{
	struct shim_fd f;
	return fd >= 0 && shim_fd_get(fd, &f) && !f.destroyed &&
	       (f.kind == SHIM_FD_EPT || f.kind == SHIM_FD_EPTDEV);
}

static bool wants_tx(const struct pollfd *p)
{
	return (p->events & POLLOUT) && shim_is_ept(p->fd);
}

int shim_tx_busy_signal(void)
{
	resolve_poll();
	char path[4096];
	if (!shim_rundir_file(path, sizeof(path), "txfree"))
		return -1;
	int fd = shim_libc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (libc_ppoll(&p, 1, &(struct timespec){0}, NULL) == 1) { /* a byte, or no daemon */
		shim_libc.close(fd);
		return -1;
	}
	return fd;
}

struct timespec shim_time_left(const struct timespec *end)
{
	struct timespec now, d = {0};
	clock_gettime(CLOCK_MONOTONIC, &now);
	d.tv_sec = end->tv_sec - now.tv_sec;
	d.tv_nsec = end->tv_nsec - now.tv_nsec;
	if (d.tv_nsec < 0) {
		d.tv_sec--;
		d.tv_nsec += 1000000000L;
	}
	return d.tv_sec < 0 ? (struct timespec){0} : d;
}

/* After the buffers came back: POLLOUT for the descriptors whose socket has room. */
static int add_pollout(struct pollfd *fds, nfds_t n, const struct pollfd *p)
{
	int r = 0;
	for (nfds_t i = 0; i < n; i++) {
		fds[i].revents = p[i].revents;
		struct pollfd q = {.fd = fds[i].fd, .events = POLLOUT};
		if (wants_tx(&fds[i]) && libc_ppoll(&q, 1, &(struct timespec){0}, NULL) == 1)
			fds[i].revents |= (short)(q.revents & POLLOUT);
		r += fds[i].revents != 0;
	}
	return r;
}

/* The call without POLLOUT for /dev/rpmsgN, with the FIFO's POLLIN in its place. */
bool shim_tx_busy(void)
{
	int e = errno, sig = shim_tx_busy_signal();
	if (sig >= 0)
		shim_libc.close(sig);
	errno = e;
	return sig >= 0;
}

bool shim_time_over(const struct timespec *end)
{
	struct timespec l = shim_time_left(end);
	return l.tv_sec == 0 && l.tv_nsec == 0;
}

void shim_time_end(const struct timespec *tmo, struct timespec *end)
{
	clock_gettime(CLOCK_MONOTONIC, end);
	end->tv_sec += tmo->tv_sec + (end->tv_nsec + tmo->tv_nsec) / 1000000000L;
	end->tv_nsec = (end->tv_nsec + tmo->tv_nsec) % 1000000000L;
}

static int poll_for_tx(struct pollfd *fds, nfds_t n, struct pollfd *p, int sig,
		       const struct timespec *tmo, const sigset_t *mask)
{
	struct timespec end, t;
	if (tmo)
		shim_time_end(tmo, &end);
	for (nfds_t i = 0; i < n; i++) {
		p[i] = fds[i];
		if (wants_tx(&fds[i]))
			p[i].events &= (short)~POLLOUT;
	}
	p[n] = (struct pollfd){.fd = sig, .events = POLLIN};
	for (;;) {
		if (tmo)
			t = shim_time_left(&end);
		int r = libc_ppoll(p, n + 1, tmo ? &t : NULL, mask);
		if (r <= 0 || !p[n].revents) {
			for (nfds_t i = 0; r >= 0 && i < n; i++)
				fds[i].revents = p[i].revents;
			return r;
		}
		/* A buffer is back: report it, unless no socket had room and nothing else came. */
		r = add_pollout(fds, n, p);
		if (r > 0 || (tmo && shim_time_over(&end)))
			return r;
		p[n].fd = -1; /* the FIFO stays readable: wait on the sockets alone now */
		for (nfds_t i = 0; i < n; i++)
			p[i].events = fds[i].events;
	}
}

static int poll_common(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		       const sigset_t *mask)
{
	resolve_poll();
	nfds_t i = 0;
	while (i < n && !wants_tx(&fds[i]))
		i++;
	int e = errno, sig = i < n ? shim_tx_busy_signal() : -1;
	errno = e;
	if (sig < 0)
		return libc_ppoll(fds, n, tmo, mask);
	size_t bytes = (n + 1) * sizeof(struct pollfd);
	struct pollfd stack[POLL_STACK + 1];
	struct pollfd *p = n <= POLL_STACK ? stack
					   : mmap(NULL, bytes, PROT_READ | PROT_WRITE,
						  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r = p == MAP_FAILED ? -1 : poll_for_tx(fds, n, p, sig, tmo, mask);
	e = errno;
	if (p != stack && p != MAP_FAILED)
		munmap(p, bytes);
	shim_libc.close(sig);
	errno = e;
	return r;
}

SHIM_EXPORT int poll(struct pollfd *fds, nfds_t n, int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	return poll_common(fds, n, ms < 0 ? NULL : &t, NULL);
}

SHIM_EXPORT int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		      const sigset_t *mask)
{
	return poll_common(fds, n, tmo, mask);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int ms, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask,
		size_t fdslen);
void __chk_fail(void) __attribute__((noreturn));

SHIM_EXPORT int __poll_chk(struct pollfd *fds, nfds_t n, int ms, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	return poll(fds, n, ms);
}

SHIM_EXPORT int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
			    const sigset_t *mask, size_t fdslen)
{
	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	return poll_common(fds, n, tmo, mask);
}

/* ---- select: through poll_common when a /dev/rpmsgN is in the write set -------------------- */

static int sets_to_poll(int nfds, fd_set *r, fd_set *w, fd_set *x, struct pollfd *p)
{
	int k = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (short)((r && FD_ISSET(fd, r) ? POLLIN : 0) |
				   (w && FD_ISSET(fd, w) ? POLLOUT : 0) |
				   (x && FD_ISSET(fd, x) ? POLLPRI : 0));
		if (ev)
			p[k++] = (struct pollfd){.fd = fd, .events = ev};
	}
	return k;
}

/* select()'s answer from poll's: readable on POLLIN or a hang-up or error, as the kernel. */
static int poll_to_sets(const struct pollfd *p, int k, fd_set *r, fd_set *w, fd_set *x)
{
	int n = 0;
	for (int i = 0; i < k; i++)
		if (p[i].revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
	for (int i = 0; i < k; i++) {
		short ev = p[i].events, rev = p[i].revents;
		bool in = (ev & POLLIN) && (rev & (POLLIN | POLLHUP | POLLERR));
		bool out = (ev & POLLOUT) && (rev & (POLLOUT | POLLERR));
		bool pri = (ev & POLLPRI) && (rev & POLLPRI);
		if (r && (ev & POLLIN) && !in)
			FD_CLR(p[i].fd, r);
		if (w && (ev & POLLOUT) && !out)
			FD_CLR(p[i].fd, w);
		if (x && (ev & POLLPRI) && !pri)
			FD_CLR(p[i].fd, x);
		n += in + out + pri;
	}
	return n;
}

static bool tx_in_set(int nfds, fd_set *w)
{
	for (int fd = 0; w && fd < nfds && fd < FD_SETSIZE; fd++)
		if (FD_ISSET(fd, w) && shim_is_ept(fd))
			return true;
	return false;
}

static int select_common(int nfds, fd_set *r, fd_set *w, fd_set *x, const struct timespec *tmo,
			 const sigset_t *mask)
{
	resolve_poll();
	if (nfds < 0 || nfds > FD_SETSIZE || !tx_in_set(nfds, w))
		return libc_pselect(nfds, r, w, x, tmo, mask);
	struct pollfd p[FD_SETSIZE];
	int k = sets_to_poll(nfds, r, w, x, p);
	int n = poll_common(p, (nfds_t)k, tmo, mask);
	return n < 0 ? n : poll_to_sets(p, k, r, w, x);
}

SHIM_EXPORT int select(int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
	struct timespec t, end;
	if (tv) {
		t = (struct timespec){.tv_sec = tv->tv_sec, .tv_nsec = tv->tv_usec * 1000L};
		shim_time_end(&t, &end);
	}
	int n = select_common(nfds, r, w, x, tv ? &t : NULL, NULL);
	if (tv) { /* Linux's select() leaves the time not slept in *tv */
		int e = errno;
		struct timespec l = shim_time_left(&end);
		*tv = (struct timeval){.tv_sec = l.tv_sec, .tv_usec = l.tv_nsec / 1000};
		errno = e;
	}
	return n;
}

SHIM_EXPORT int pselect(int nfds, fd_set *r, fd_set *w, fd_set *x, const struct timespec *tmo,
			const sigset_t *mask)
{
	return select_common(nfds, r, w, x, tmo, mask);
}
