/*
 * `ampsim bench`: boot to the first announced channel, and echo throughput with many
 * rpmsg_ctrl0 clients (bench.h). The load generator is this process: one epoll loop over
 * every client's SOCK_SEQPACKET endpoint, each keeping CTRL_WINDOW messages in flight, so
 * the daemon and the firmware, not the generator, are what is measured.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "../daemon/rpmsg_ctrl.h"
#include "bench.h"

#define ECHO_ADDR 0x400u /* the echo sample's channel (fw-sample/echo) */
#define CTRL_MSG 64u
#define CTRL_WINDOW 8u

static int connect_path(const char *dir, const char *file)
{
	g_autofree char *p = g_build_filename(dir, file, NULL);
	return bench_connect_seqpacket(p);
}

double bench_boot_ms(const char *fw)
{
	struct bench_run run = {.pid = -1};
	double t0 = bench_now_s(), ms = -1;
	if (!bench_run_start(fw, "blocking", &run))
		return -1;
	/* Look every 100 us: the figure is a few ms. Bounded at 10 s. */
	for (int i = 0; i < 100000; i++) {
		int fd = connect_path(run.dir, "rpmsg0");
		if (fd >= 0) {
			ms = (bench_now_s() - t0) * 1e3;
			close(fd);
			break;
		}
		usleep(100);
	}
	bench_run_stop(&run);
	return ms;
}

/* Connect and ask for an endpoint to the echo channel: the fd, or -1. */
static int ctrl_try(const struct bench_run *run, unsigned i)
{
	int fd = connect_path(run->dir, AMP_CTRL_FILE);
	struct amp_ctrl_ept_info req = {.src = AMP_CTRL_ADDR_ANY, .dst = ECHO_ADDR};
	struct amp_ctrl_reply rep = {.status = -1};
	snprintf(req.name, sizeof(req.name), "bench%u", i);
	if (fd >= 0 && send(fd, &req, sizeof(req), 0) == (ssize_t)sizeof(req) &&
	    recv(fd, &rep, sizeof(rep), 0) == (ssize_t)sizeof(rep) && rep.status == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* One rpmsg_ctrl0 endpoint, non-blocking; -1 if refused for 10 s. Refusals are expected
 * for a moment: the bus comes up with the firmware, and the daemon serves 64 clients at
 * most, counting the previous round's until it has seen them hang up. */
static int ctrl_endpoint(const struct bench_run *run, unsigned i)
{
	int fd = -1;
	for (int t = 0; t < 5000 && fd < 0; t++)
		if ((fd = ctrl_try(run, i)) < 0)
			usleep(2000);
	if (fd < 0)
		return -1;
	int fl = fcntl(fd, F_GETFL);
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0 ? fd : (close(fd), -1);
}

/* Keep @p fd's window full; false on an error other than a full socket. */
static bool fill(int fd, unsigned *inflight, unsigned *to_send)
{
	static const char msg[CTRL_MSG] = "ampsim bench rpmsg_ctrl0 load";
	while (*inflight<CTRL_WINDOW && * to_send> 0) {
		if (send(fd, msg, sizeof(msg), MSG_DONTWAIT) < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		(*inflight)++, (*to_send)--;
	}
	return true;
}

/* Drain @p fd's answers into @p done; false on EOF or an error. */
static bool drain(int fd, unsigned *inflight, unsigned *done)
{
	char buf[512];
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK;
		if (n == 0 || *inflight == 0)
			return false;
		(*inflight)--, (*done)++;
	}
}

/* Echo @p total messages over @p fds (spread evenly); messages per second, < 0 on error. */
static double ctrl_pump(const int *fds, unsigned n, unsigned total)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	unsigned *inflight = g_new0(unsigned, n), *left = g_new0(unsigned, n), done = 0;
	bool ok = ep >= 0;
	for (unsigned i = 0; i < n && ok; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
		left[i] = total / n;
		ok = epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev) == 0 &&
		     fill(fds[i], &inflight[i], &left[i]);
	}
	double t0 = bench_now_s();
	while (ok && done < total / n * n) {
		struct epoll_event ev[64];
		int k = epoll_wait(ep, ev, 64, 5000);
		ok = k > 0; /* 5 s without an answer: the run is stuck */
		for (int j = 0; j < k && ok; j++) {
			unsigned i = ev[j].data.u32;
			ok = drain(fds[i], &inflight[i], &done) &&
			     fill(fds[i], &inflight[i], &left[i]);
		}
	}
	double s = bench_now_s() - t0;
	if (ep >= 0)
		close(ep);
	g_free(inflight), g_free(left);
	return ok && s > 0 ? done / s : -1;
}

bool bench_ctrl(const char *echo_fw, unsigned rounds, unsigned total, double msg_s[2])
{
	static const unsigned clients[2] = {BENCH_CTRL_FEW, BENCH_CTRL_MANY};
	struct bench_run run = {.pid = -1};
	double v[2][16];
	bool ok = rounds <= 16 && bench_run_start(echo_fw, "blocking", &run);
	for (unsigned k = 0; k < rounds && ok; k++) /* interleaved: 16, 64, 16, 64 ... */
		for (unsigned c = 0; c < 2 && ok; c++) {
			int fds[BENCH_CTRL_MANY];
			unsigned n = 0;
			while (n < clients[c] && (fds[n] = ctrl_endpoint(&run, n)) >= 0)
				n++;
			ok = n == clients[c] && (v[c][k] = ctrl_pump(fds, n, total)) > 0;
			while (n > 0)
				close(fds[--n]);
		}
	for (unsigned c = 0; c < 2 && ok; c++) {
		qsort(v[c], rounds, sizeof(double), bench_cmp_double);
		msg_s[c] = v[c][rounds / 2];
	}
	bench_run_stop(&run);
	return ok;
}
