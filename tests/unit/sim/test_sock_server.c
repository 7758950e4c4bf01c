/*
 * The daemon's one listen + accept loop (sim/src/sock/sock_server.h): it accepts on the
 * context it is given, with the flags its caller asked for; a client that hung up before it
 * was accepted is still handed over (and reads EOF); listening fails with an AMP_E* code and
 * leaves nothing behind when the path exists or its directory does not. The socket is 0600
 * whatever the umask; clients beyond a server's cap or the process's total are refused; at
 * the open-file limit a client is still refused (or served, by a vital server) with the
 * spare descriptor, and the listener is never polled in a busy loop.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <ampsim/error.h>

#include "sock_server.h"

#define MAX_CLIENTS 300

struct fixture {
	char *dir, *path;
	GMainContext *ctx;
	int clients[MAX_CLIENTS];
	int nclients;
};

static void on_client(void *priv, int fd)
{
	struct fixture *f = priv;
	assert_true(f->nclients < MAX_CLIENTS);
	f->clients[f->nclients++] = fd;
}

static int setup(void **state)
{
	static struct fixture f;
	f = (struct fixture){.ctx = g_main_context_new()};
	f.dir = g_dir_make_tmp("ampsim-sock-XXXXXX", NULL);
	assert_non_null(f.dir);
	f.path = g_build_filename(f.dir, "rpmsg0", NULL);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (int i = 0; i < f->nclients; i++)
		if (f->clients[i] >= 0)
			close(f->clients[i]);
	assert_int_equal(g_rmdir(f->dir), 0); /* nothing left in it */
	g_main_context_unref(f->ctx);
	g_free(f->path);
	g_free(f->dir);
	return 0;
}

static struct amp_sock_server_cfg seqpacket_cfg(struct fixture *f)
{
	return (struct amp_sock_server_cfg){.type = SOCK_SEQPACKET,
					    .backlog = 4,
					    .context = f->ctx,
					    .on_client = on_client,
					    .priv = f};
}

static int connect_to(const char *path, int type)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Iterate @ctx until @n clients were accepted (bounded). */
static void accept_until(struct fixture *f, int n)
{
	for (int i = 0; i < 200 && f->nclients < n; i++)
		g_main_context_iteration(f->ctx, FALSE);
	assert_int_equal(f->nclients, n);
}

static void accepts_on_the_given_context(void **state)
{
	struct fixture *f = *state;
	struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
	g_autoptr(GError) err = NULL;
	struct amp_sock_server *s = amp_sock_server_new(f->path, &cfg, &err);
	assert_non_null(s);
	assert_string_equal(amp_sock_server_path(s), f->path);
	g_autofree char *tmp = g_strdup_printf("%s.new", f->path);
	assert_int_not_equal(access(tmp, F_OK), 0); /* renamed into place */
	int c = connect_to(f->path, SOCK_SEQPACKET);
	/* Nothing runs on the global default context. */
	for (int i = 0; i < 10; i++)
		g_main_context_iteration(NULL, FALSE);
	assert_int_equal(f->nclients, 0);
	accept_until(f, 1);
	int fd = f->clients[0];
	assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* One message per read, as SOCK_SEQPACKET keeps boundaries. */
	assert_int_equal(send(c, "ab", 2, 0), 2);
	assert_int_equal(send(c, "cde", 3, 0), 3);
	char buf[8];
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 2);
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 3);
	close(c);
	amp_sock_server_free(s);
	assert_int_not_equal(access(f->path, F_OK), 0); /* free removes the path */
}

static void stream_with_blocking_clients(void **state)
{
	struct fixture *f = *state;
	struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
	cfg.type = SOCK_STREAM;
	cfg.blocking_clients = true;
	g_autoptr(GError) err = NULL;
	struct amp_sock_server *s = amp_sock_server_new(f->path, &cfg, &err);
	assert_non_null(s);
	int c = connect_to(f->path, SOCK_STREAM);
	accept_until(f, 1);
	int type = 0;
	socklen_t len = sizeof(type);
	assert_int_equal(getsockopt(f->clients[0], SOL_SOCKET, SO_TYPE, &type, &len), 0);
	assert_int_equal(type, SOCK_STREAM);
	assert_false(fcntl(f->clients[0], F_GETFL) & O_NONBLOCK);
	close(c);
	amp_sock_server_free(s);
}

static gboolean on_hup(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd;
	*(GIOCondition *)data = cond;
	return G_SOURCE_REMOVE;
}

/* A client that connected and left before the accept is still handed over: the caller
 * reads EOF (and its watch sees the hangup), and the server goes on accepting. */
static void client_hangup_before_and_after_accept(void **state)
{
	struct fixture *f = *state;
	struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
	g_autoptr(GError) err = NULL;
	struct amp_sock_server *s = amp_sock_server_new(f->path, &cfg, &err);
	assert_non_null(s);
	close(connect_to(f->path, SOCK_SEQPACKET));
	accept_until(f, 1);
	char buf[4];
	assert_int_equal(recv(f->clients[0], buf, sizeof(buf), 0), 0);
	/* The next one stays, then hangs up while watched on the same context. */
	int c = connect_to(f->path, SOCK_SEQPACKET);
	accept_until(f, 2);
	GIOCondition seen = 0;
	GSource *w = amp_sock_watch(f->ctx, f->clients[1], G_IO_IN | G_IO_HUP, on_hup, &seen);
	g_main_context_iteration(f->ctx, FALSE);
	assert_int_equal(seen, 0);
	close(c);
	for (int i = 0; i < 200 && !seen; i++)
		g_main_context_iteration(f->ctx, FALSE);
	assert_true(seen & G_IO_HUP);
	amp_sock_unwatch(&w); /* after G_SOURCE_REMOVE too */
	assert_null(w);
	amp_sock_server_free(s);
}

static void listen_errors_carry_their_code(void **state)
{
	struct fixture *f = *state;
	struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
	g_autoptr(GError) err = NULL;
	g_autofree char *tmp = g_strdup_printf("%s.new", f->path);

	/* The path exists: it is neither replaced nor removed. */
	assert_true(g_file_set_contents(f->path, "mine", -1, NULL));
	assert_null(amp_sock_server_new(f->path, &cfg, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EEXIST));
	assert_non_null(strstr(err->message, f->path));
	assert_non_null(strstr(err->message, "choose another directory"));
	g_autofree char *kept = NULL;
	assert_true(g_file_get_contents(f->path, &kept, NULL, NULL));
	assert_string_equal(kept, "mine");
	assert_int_not_equal(access(tmp, F_OK), 0); /* no temporary left */
	assert_int_equal(g_unlink(f->path), 0);
	g_clear_error(&err);

	/* Its directory does not exist. */
	g_autofree char *nodir = g_build_filename(f->dir, "missing", "rpmsg0", NULL);
	assert_null(amp_sock_server_new(nodir, &cfg, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_ENOENT));
	assert_non_null(strstr(err->message, "directory does not exist"));
	g_clear_error(&err);

	/* Longer than a socket address holds. */
	char longp[200];
	memset(longp, 'x', sizeof(longp) - 1);
	longp[0] = '/';
	longp[sizeof(longp) - 1] = '\0';
	assert_null(amp_sock_server_new(longp, &cfg, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EINVAL));
	assert_non_null(strstr(err->message, "too long"));
	g_clear_error(&err);

	/* A configuration it cannot serve. */
	cfg.type = SOCK_DGRAM;
	assert_null(amp_sock_server_new(f->path, &cfg, &err));
	assert_true(g_error_matches(err, AMP_ERROR, AMP_EINVAL));
	assert_int_not_equal(access(f->path, F_OK), 0);
}

static void the_socket_is_0600_whatever_the_umask(void **state)
{
	struct fixture *f = *state;
	struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
	g_autoptr(GError) err = NULL;
	mode_t old = umask(0);
	struct amp_sock_server *s = amp_sock_server_new(f->path, &cfg, &err);
	umask(old);
	assert_non_null(s);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	amp_sock_server_free(s);
}

/* A client of ours refused: it reads EOF at once (after the refusal line, if any). */
static void assert_refused(int c, const char *line)
{
	char buf[128] = "";
	struct timeval tv = {.tv_sec = 10}; /* a safety net: EOF comes at once */
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (line) {
		assert_int_equal(recv(c, buf, sizeof(buf) - 1, 0), (ssize_t)strlen(line));
		assert_string_equal(buf, line);
	}
	assert_int_equal(recv(c, buf, sizeof(buf), 0), 0);
}

static void iterate(struct fixture *f, int n)
{
	for (int i = 0; i < n; i++)
		g_main_context_iteration(f->ctx, FALSE);
}

static void clients_beyond_the_cap_are_refused(void **state)
{
	struct fixture *f = *state;
	struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
	cfg.type = SOCK_STREAM;
	cfg.max_clients = 2;
	cfg.refuse_msg = "busy\n";
	g_autoptr(GError) err = NULL;
	struct amp_sock_server *s = amp_sock_server_new(f->path, &cfg, &err);
	assert_non_null(s);
	int c[4];
	for (int i = 0; i < 3; i++)
		c[i] = connect_to(f->path, SOCK_STREAM);
	accept_until(f, 2);
	iterate(f, 20);
	assert_int_equal(f->nclients, 2);
	assert_refused(c[2], "busy\n");
	assert_int_equal(amp_sock_server_stats(s)->refused, 1);
	/* One leaves (its owner closes it): the next one is served. */
	close(f->clients[0]);
	f->clients[0] = -1;
	c[3] = connect_to(f->path, SOCK_STREAM);
	accept_until(f, 3);
	assert_int_equal(amp_sock_server_stats(s)->accepted, 3);
	for (int i = 0; i < 4; i++)
		close(c[i]);
	amp_sock_server_free(s);
}

static void all_servers_together_are_capped(void **state)
{
	struct fixture *f = *state;
	enum { N = AMP_SOCK_MAX_TOTAL / AMP_SOCK_MAX_CLIENTS + 1 };
	struct amp_sock_server *s[N];
	char *paths[N];
	static int c[AMP_SOCK_MAX_TOTAL + 1];
	int n = 0;
	for (int i = 0; i < N; i++) {
		struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
		paths[i] = g_strdup_printf("%s/s%d", f->dir, i);
		s[i] = amp_sock_server_new(paths[i], &cfg, NULL);
		assert_non_null(s[i]);
		for (unsigned k = 0; k < AMP_SOCK_MAX_CLIENTS && n <= (int)AMP_SOCK_MAX_TOTAL;
		     k++) {
			c[n++] = connect_to(paths[i], SOCK_SEQPACKET);
			iterate(f, 2);
		}
	}
	accept_until(f, AMP_SOCK_MAX_TOTAL);
	iterate(f, 20);
	assert_int_equal(f->nclients, AMP_SOCK_MAX_TOTAL);
	assert_refused(c[AMP_SOCK_MAX_TOTAL], NULL); /* the first one of the last server */
	assert_int_equal(amp_sock_server_stats(s[N - 1])->refused, 1);
	for (int i = 0; i < n; i++)
		close(c[i]);
	for (int i = 0; i < N; i++) {
		amp_sock_server_free(s[i]);
		g_free(paths[i]);
	}
}

/* Open descriptors until none is left; returns how many (in @fill). */
static int fill_fds(int *fill, int max)
{
	int n = 0;
	while (n < max && (fill[n] = dup(0)) >= 0)
		n++;
	assert_true(n < max && errno == EMFILE);
	return n;
}

/* At the fd limit: a plain server refuses with the spare, a vital one serves with it and
 * then leaves its listener alone until a descriptor is free: no accept() in a loop. */
static void at_the_fd_limit_no_spin_and_the_spare_serves_vital_clients(void **state)
{
	struct fixture *f = *state;
	const char *preload = getenv("LD_PRELOAD");
	if (preload && strstr(preload, "vgpreload")) {
		/* valgrind emulates RLIMIT_NOFILE and keeps descriptors of its own at the top */
		print_message("skipped under valgrind: it emulates the open-file limit\n");
		skip();
	}
	struct rlimit old, low = {.rlim_cur = 64};
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low.rlim_max = old.rlim_max;
	struct amp_sock_server_cfg cfg = seqpacket_cfg(f);
	struct amp_sock_server *plain = amp_sock_server_new(f->path, &cfg, NULL);
	g_autofree char *vpath = g_build_filename(f->dir, "control", NULL);
	cfg.vital = true;
	struct amp_sock_server *vital = amp_sock_server_new(vpath, &cfg, NULL);
	assert_non_null(plain);
	assert_non_null(vital);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	int fill[64];
	int n = fill_fds(fill, 64);

	close(fill[--n]); /* room for one client socket, then none */
	int a = connect_to(f->path, SOCK_SEQPACKET);
	iterate(f, 50);
	assert_refused(a, NULL);
	const struct amp_sock_server_stats *ps = amp_sock_server_stats(plain);
	assert_int_equal(ps->refused, 1);
	assert_int_equal(ps->no_fd, 1);
	assert_int_equal(ps->accepted, 0);
	close(a);

	int b = connect_to(vpath, SOCK_SEQPACKET); /* takes a's slot */
	accept_until(f, 1);			   /* served with the spare ... */
	close(fill[--n]);
	int c = connect_to(vpath, SOCK_SEQPACKET);
	iterate(f, 200); /* ... which b now holds: c waits, the listener is left alone */
	const struct amp_sock_server_stats *vs = amp_sock_server_stats(vital);
	assert_int_equal(f->nclients, 1);
	assert_int_equal(vs->backoffs, 1);
	assert_int_equal(vs->no_fd, 1);
	close(f->clients[0]); /* b's owner is done with it: c is served */
	f->clients[0] = -1;
	for (int64_t end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	     f->nclients < 2 && g_get_monotonic_time() < end;)
		g_main_context_iteration(f->ctx, TRUE);
	assert_int_equal(f->nclients, 2);
	assert_true(vs->no_fd <= 2);

	while (n > 0)
		close(fill[--n]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	close(b);
	close(c);
	amp_sock_server_free(plain);
	amp_sock_server_free(vital);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(accepts_on_the_given_context, setup, teardown),
	    cmocka_unit_test_setup_teardown(stream_with_blocking_clients, setup, teardown),
	    cmocka_unit_test_setup_teardown(client_hangup_before_and_after_accept, setup, teardown),
	    cmocka_unit_test_setup_teardown(listen_errors_carry_their_code, setup, teardown),
	    cmocka_unit_test_setup_teardown(the_socket_is_0600_whatever_the_umask, setup, teardown),
	    cmocka_unit_test_setup_teardown(clients_beyond_the_cap_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(all_servers_together_are_capped, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		at_the_fd_limit_no_spin_and_the_spare_serves_vital_clients, setup, teardown),
	};
	return cmocka_run_group_tests_name("sock_server", tests, NULL, NULL);
}
