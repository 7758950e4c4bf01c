/* bench_e2e's floors: processes that wait as a path does and do no protocol work; see
 * floors.h. */
#define _GNU_SOURCE
#include "floors.h"

#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

/* fork() for a peer of this run, sent @p sig when bench_e2e ends: a peer blocked on an
 * eventfd it holds itself would outlive a bench_e2e that failed or was killed. */
pid_t fork_peer_sig(int sig)
{
	pid_t parent = getpid(), pid = fork();
	if (pid == 0 && (prctl(PR_SET_PDEATHSIG, sig) != 0 || getppid() != parent))
		_exit(1);
	return pid;
}

pid_t fork_peer(void)
{
	return fork_peer_sig(SIGKILL);
}

/* ---- the floor: two processes ping-pong over two eventfds --------------------------------- */

static int ping[2] = {-1, -1};
int floor_pid = -1;

/* A peer that answers each write on @p pair[0] with one on @p pair[1]; its pid. */
static int eventfd_echo_start(int pair[2])
{
	pair[0] = eventfd(0, EFD_CLOEXEC);
	pair[1] = eventfd(0, EFD_CLOEXEC);
	pid_t pid = fork_peer();
	if (pid == 0) {
		uint64_t v;
		while (read(pair[0], &v, sizeof(v)) == sizeof(v))
			if (v == UINT64_MAX - 1 || write(pair[1], &v, sizeof(v)) != sizeof(v))
				_exit(0);
		_exit(1);
	}
	return pid;
}

void floor_start(void)
{
	floor_pid = eventfd_echo_start(ping);
}

void floor_stop(void)
{
	uint64_t v = UINT64_MAX - 1;
	if (write(ping[0], &v, sizeof(v)) != sizeof(v))
		kill(floor_pid, SIGKILL);
	waitpid(floor_pid, NULL, 0);
}

double floor_round_trips(unsigned n)
{
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 1;
		if (write(ping[0], &v, sizeof(v)) != sizeof(v) ||
		    read(ping[1], &v, sizeof(v)) != sizeof(v)) {
			fprintf(stderr, "bench_e2e: eventfd ping-pong failed\n");
			exit(1);
		}
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

/*
 * ---- the GLib floor: the same ping-pong, this side waiting in a GLib loop ---------------
 * As a GLib host waits: poll() on its context's fds (the source's and GLib's own wake-up
 * eventfd), then check and dispatch. The source may recurse, as libampsim's do, so GLib does
 * not wake its own loop after each dispatch (docs/performance.md). A private context: only
 * this source in it.
 */

static GMainContext *glib_ctx;
static unsigned glib_got;

static gboolean glib_readable(gint fd, GIOCondition cond, gpointer unused)
{
	(void)cond, (void)unused;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) != sizeof(v)) {
		fprintf(stderr, "bench_e2e: eventfd read failed\n");
		exit(1);
	}
	glib_got++;
	return G_SOURCE_CONTINUE;
}

/* @p fn on @p fd readable, in @p ctx: a source that may recurse, as libampsim's. */
static void glib_watch(GMainContext *ctx, int fd, GUnixFDSourceFunc fn)
{
	GSource *src = g_unix_fd_source_new(fd, G_IO_IN);
	g_source_set_callback(src, (GSourceFunc)(void (*)(void))fn, NULL, NULL);
	g_source_set_can_recurse(src, TRUE);
	g_source_attach(src, ctx);
	g_source_unref(src);
}

void glib_floor_start(void)
{
	glib_ctx = g_main_context_new();
	glib_watch(glib_ctx, ping[1], glib_readable);
}

void glib_floor_stop(void)
{
	g_main_context_unref(glib_ctx);
}

double glib_round_trips(unsigned n)
{
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++) {
		uint64_t v = 1;
		unsigned want = glib_got + 1;
		if (write(ping[0], &v, sizeof(v)) != sizeof(v)) {
			fprintf(stderr, "bench_e2e: eventfd ping-pong failed\n");
			exit(1);
		}
		while (glib_got < want)
			g_main_context_iteration(glib_ctx, TRUE);
	}
	return (double)(g_get_monotonic_time() - t0) / n;
}

/*
 * ---- the polling floor: two processes ping-pong a word in shared memory ------------------
 * The floor of the spin and adaptive modes, where no side sleeps. The peer spins only while
 * its rounds run (between them it sleeps on an eventfd), so it takes no CPU from the others.
 */

#define SPIN_PARK UINT64_MAX

static struct spin_word {
	_Alignas(64) _Atomic uint64_t seq; /* odd: the parent's turn was taken; SPIN_PARK: stop */
} * spin;
static int spin_go = -1;
int spin_pid = -1;

void spin_floor_start(void)
{
	spin = mmap(NULL, sizeof(*spin), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	spin_go = eventfd(0, EFD_CLOEXEC);
	if (spin == MAP_FAILED || spin_go < 0) {
		fprintf(stderr, "bench_e2e: cannot set up the shared-memory ping-pong\n");
		exit(1);
	}
	spin_pid = fork_peer();
	if (spin_pid != 0)
		return;
	for (uint64_t go; read(spin_go, &go, sizeof(go)) == sizeof(go);) {
		if (go == UINT64_MAX - 1)
			_exit(0);
		for (uint64_t v; (v = atomic_load(&spin->seq)) != SPIN_PARK;)
			if (v & 1)
				atomic_store(&spin->seq, v + 1);
	}
	_exit(1);
}

void spin_floor_stop(void)
{
	uint64_t v = UINT64_MAX - 1;
	if (write(spin_go, &v, sizeof(v)) != sizeof(v))
		kill(spin_pid, SIGKILL);
	waitpid(spin_pid, NULL, 0);
}

double spin_round_trips(unsigned n)
{
	uint64_t go = 1;
	atomic_store(&spin->seq, 0);
	if (write(spin_go, &go, sizeof(go)) != sizeof(go))
		exit(1);
	gint64 t0 = g_get_monotonic_time();
	for (uint64_t i = 0; i < n; i++) {
		atomic_store(&spin->seq, 2 * i + 1);
		while (atomic_load(&spin->seq) != 2 * i + 2)
			;
	}
	double us = (double)(g_get_monotonic_time() - t0) / n;
	atomic_store(&spin->seq, SPIN_PARK);
	return us;
}

/* ---- the daemon path's floor: a SEQPACKET hop to a relay that ping-pongs the eventfds -- */

static int hop_fd = -1;
int relay_pid = -1;

void hop_start(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		exit(1);
	relay_pid = fork_peer();
	if (relay_pid == 0) {
		char buf[512];
		close(sv[0]);
		for (ssize_t n; (n = recv(sv[1], buf, sizeof(buf), 0)) > 0;) {
			uint64_t v = 1;
			if (write(ping[0], &v, sizeof(v)) != sizeof(v) ||
			    read(ping[1], &v, sizeof(v)) != sizeof(v) ||
			    send(sv[1], buf, (size_t)n, 0) != n)
				_exit(1);
		}
		_exit(0);
	}
	close(sv[1]);
	hop_fd = sv[0];
}

/* 16 bytes out on @p fd, the same back: @p n times; microseconds per round trip. */
double socket_round_trips(int fd, unsigned n)
{
	static const char msg[16] = "0123456789abcdef";
	char buf[512];
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < n; i++)
		if (send(fd, msg, sizeof(msg), 0) != sizeof(msg) ||
		    recv(fd, buf, sizeof(buf), 0) != sizeof(msg)) {
			fprintf(stderr, "bench_e2e: socket round trip failed\n");
			exit(1);
		}
	return (double)(g_get_monotonic_time() - t0) / n;
}

double hop_round_trips(unsigned n)
{
	return socket_round_trips(hop_fd, n);
}

void hop_stop(void)
{
	close(hop_fd);
	waitpid(relay_pid, NULL, 0);
}

/*
 * ---- the same hop, the relay waiting in a GLib loop -------------------------------------
 * As a GLib daemon waits: one loop on both fds (the client's socket, the peer's eventfd), each
 * readable fd dispatched by it; sources that may recurse, as the daemon's. The floor of any
 * GLib daemon. Forked before anything in bench_e2e starts a thread, so GLib in the child is
 * safe to use.
 */

static int ghop_fd = -1, ghop_ping[2];
int ghop_pid = -1, ghop_peer = -1; /* the relay, and an echo peer of its own */
static struct {
	int client;
	char buf[512];
	ssize_t len;
} ghop;

static gboolean ghop_from_client(gint fd, GIOCondition cond, gpointer unused)
{
	(void)cond, (void)unused;
	uint64_t v = 1;
	ghop.len = recv(fd, ghop.buf, sizeof(ghop.buf), 0);
	if (ghop.len <= 0)
		_exit(0);
	if (write(ghop_ping[0], &v, sizeof(v)) != sizeof(v))
		_exit(1);
	return G_SOURCE_CONTINUE;
}

static gboolean ghop_from_peer(gint fd, GIOCondition cond, gpointer unused)
{
	(void)cond, (void)unused;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) != sizeof(v) ||
	    send(ghop.client, ghop.buf, (size_t)ghop.len, 0) != ghop.len)
		_exit(1);
	return G_SOURCE_CONTINUE;
}

void ghop_start(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		exit(1);
	ghop_peer = eventfd_echo_start(ghop_ping);
	ghop_pid = fork_peer();
	if (ghop_pid == 0) {
		close(sv[0]);
		GMainContext *ctx = g_main_context_new();
		ghop.client = sv[1];
		glib_watch(ctx, sv[1], ghop_from_client);
		glib_watch(ctx, ghop_ping[1], ghop_from_peer);
		for (;;)
			g_main_context_iteration(ctx, TRUE);
	}
	close(sv[1]);
	ghop_fd = sv[0];
}

double ghop_round_trips(unsigned n)
{
	return socket_round_trips(ghop_fd, n);
}

/* Peers forked later hold its socket too: there is no hang-up to wait for. */
void ghop_stop(void)
{
	for (int *pid = (int[]){ghop_pid, ghop_peer, 0}; *pid; pid++) {
		kill(*pid, SIGTERM); /* not KILL: callgrind writes its counts at the exit */
		waitpid(*pid, NULL, 0);
	}
	close(ghop_fd);
}

/* ---- the naive relay: client -SEQPACKET- relay -SEQPACKET- echo process ------------------ */

static int relay3_fd = -1;
int relay3_pid = -1, echo3_pid = -1;

/* One datagram from @p from to @p to; false when either side is gone. */
static bool forward_one(int from, int to)
{
	char buf[512];
	ssize_t n = recv(from, buf, sizeof(buf), 0);
	return n > 0 && send(to, buf, (size_t)n, 0) == n;
}

/* A relay as one would write it first: poll both sides, one recv and one send per message. */
void relay3_start(void)
{
	int a[2], b[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, a) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, b) < 0)
		exit(1);
	echo3_pid = fork_peer();
	if (echo3_pid == 0) {
		close(hop_fd); /* or the hop's relay never sees its client go */
		close(a[0]), close(a[1]), close(b[0]);
		while (forward_one(b[1], b[1]))
			;
		_exit(0);
	}
	relay3_pid = fork_peer();
	if (relay3_pid == 0) {
		close(hop_fd);
		close(a[0]), close(b[1]);
		struct pollfd p[2] = {{.fd = a[1], .events = POLLIN},
				      {.fd = b[0], .events = POLLIN}};
		for (;;) {
			if (poll(p, 2, -1) < 0 ||
			    ((p[0].revents & (POLLIN | POLLHUP)) && !forward_one(a[1], b[0])) ||
			    ((p[1].revents & (POLLIN | POLLHUP)) && !forward_one(b[0], a[1])))
				_exit(0);
		}
	}
	close(a[1]), close(b[0]), close(b[1]);
	relay3_fd = a[0];
}

double relay3_throughput(unsigned n)
{
	return socket_throughput(relay3_fd, n);
}

void relay3_stop(void)
{
	close(relay3_fd);
	waitpid(relay3_pid, NULL, 0);
	waitpid(echo3_pid, NULL, 0);
}

/* Messages per second on a SEQPACKET socket whose other end echoes, ECHO_WINDOW in flight. */
double socket_throughput(int fd, unsigned n)
{
	static char msg[ECHO_LEN];
	char buf[512];
	gint64 t0 = g_get_monotonic_time();
	for (unsigned i = 0; i < ECHO_WINDOW && i < n; i++)
		if (send(fd, msg, sizeof(msg), 0) != sizeof(msg))
			goto failed;
	for (unsigned got_n = 0; got_n < n; got_n++) {
		if (recv(fd, buf, sizeof(buf), 0) != sizeof(msg))
			goto failed;
		if (got_n + ECHO_WINDOW < n && send(fd, msg, sizeof(msg), 0) != sizeof(msg))
			goto failed;
	}
	return (double)n * G_USEC_PER_SEC / (double)(g_get_monotonic_time() - t0);
failed:
	fprintf(stderr, "bench_e2e: socket echo failed\n");
	exit(1);
}
