/*
 * Many fds as one GLib source (sim/src/fd_group.h): the loop polls one descriptor however
 * many members there are; members are called level-triggered with the conditions that are
 * ready; a callback may change or remove members (itself, or one later in the same batch,
 * whose fd number is then reused) without a stale call; a stopped member is not called even
 * when its peer hangs up; the loop does not wake itself after a dispatch.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "fd_group.h"

#define N 64

struct cli {
	int sv[2]; /* sv[0] in the group, sv[1] the peer */
	struct amp_fd_member *m;
	int calls;
	GIOCondition last;
	bool drain, remove_self;
};

static struct cli cli[N];
static struct amp_fd_group *grp;
static GMainContext *ctx;
static guint max_fds; /* the most fds one poll of the context covered */

static gint count_poll(GPollFD *fds, guint n, gint timeout)
{
	max_fds = MAX(max_fds, n);
	return g_poll(fds, n, timeout);
}

static gboolean on_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct cli *c = data;
	char b[16];
	c->calls++;
	c->last = cond;
	if (c->drain && (cond & G_IO_IN))
		assert_true(recv(fd, b, sizeof(b), MSG_DONTWAIT) >= 0);
	if (c->remove_self) {
		c->m = NULL;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static int setup(void **state)
{
	(void)state;
	ctx = g_main_context_new();
	g_main_context_set_poll_func(ctx, count_poll);
	grp = amp_fd_group_new(ctx, NULL);
	assert_non_null(grp);
	memset(cli, 0, sizeof(cli));
	for (int i = 0; i < N; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cli[i].sv),
				 0);
		cli[i].drain = true;
		cli[i].m = amp_fd_group_add(grp, cli[i].sv[0], G_IO_IN, on_ready, &cli[i]);
		assert_non_null(cli[i].m);
	}
	max_fds = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	amp_fd_group_free(grp);
	for (int i = 0; i < N; i++) {
		close(cli[i].sv[0]);
		close(cli[i].sv[1]);
	}
	g_main_context_unref(ctx);
	return 0;
}

static void iterate(int times)
{
	for (int i = 0; i < times; i++)
		g_main_context_iteration(ctx, FALSE);
}

static void one_poll_fd_for_every_member(void **state)
{
	(void)state;
	assert_int_equal(amp_fd_group_size(grp), N);
	for (int i = 0; i < N; i++)
		assert_int_equal(send(cli[i].sv[1], "x", 1, 0), 1);
	iterate(3);
	for (int i = 0; i < N; i++) {
		assert_int_equal(cli[i].calls, 1);
		assert_int_equal(cli[i].last, G_IO_IN);
	}
	/* The epoll fd, plus GLib's own wake-up fd: never one per member. */
	assert_true(max_fds <= 2);
	iterate(3); /* nothing ready: nobody called */
	for (int i = 0; i < N; i++)
		assert_int_equal(cli[i].calls, 1);
}

static void level_triggered_and_stoppable(void **state)
{
	(void)state;
	cli[0].drain = false;
	assert_int_equal(send(cli[0].sv[1], "x", 1, 0), 1);
	iterate(3);
	assert_int_equal(cli[0].calls, 3); /* still readable: called each dispatch */
	/* Stopped (what a paused client's watch does): not called, even after a hang-up. */
	assert_true(amp_fd_member_set(cli[0].m, 0, on_ready));
	close(cli[0].sv[1]);
	cli[0].sv[1] = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0); /* for teardown */
	iterate(3);
	assert_int_equal(cli[0].calls, 3);
	/* Watched again: the data and the hang-up are seen. */
	assert_true(amp_fd_member_set(cli[0].m, G_IO_IN, on_ready));
	iterate(1);
	assert_int_equal(cli[0].calls, 4);
	assert_true(cli[0].last & G_IO_IN);
	assert_true(cli[0].last & G_IO_HUP);
	/* A change of callback alone keeps it in the set: called through the new one. */
	assert_true(amp_fd_member_set(cli[0].m, G_IO_IN, on_ready));
	iterate(1);
	assert_int_equal(cli[0].calls, 5);
}

/* Removes (and closes) the member that comes after it, and puts a new fd in its place. */
static struct cli *victim;
static int reused_fd = -1;
static gboolean remove_other(gint fd, GIOCondition cond, gpointer data)
{
	(void)fd, (void)cond, (void)data;
	if (victim && victim->m) {
		amp_fd_member_remove(victim->m);
		victim->m = NULL;
		close(victim->sv[0]);
		int sv[2];
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		victim->sv[0] = sv[0]; /* likely the same number: a stale event must not reach it */
		reused_fd = sv[1];
	}
	return G_SOURCE_REMOVE;
}

static void callbacks_may_remove_members(void **state)
{
	(void)state;
	/* Every member ready in one batch, the killer first (epoll lists them in the order
	 * they became ready): it removes cli[1], whose event is in the same batch. */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	assert_non_null(amp_fd_group_add(grp, sv[0], G_IO_IN, remove_other, NULL));
	assert_int_equal(send(sv[1], "k", 1, 0), 1);
	for (int i = 0; i < N; i++)
		assert_int_equal(send(cli[i].sv[1], "x", 1, 0), 1);
	victim = &cli[1];
	cli[0].remove_self = true; /* and cli[0] removes itself when called */
	iterate(3);
	assert_int_equal(cli[1].calls, 0);
	assert_int_equal(cli[0].calls, 1);
	assert_null(cli[0].m);
	assert_int_equal(amp_fd_group_size(grp), N - 2); /* killer and cli[0] removed, cli[1] */
	for (int i = 2; i < N; i++)
		assert_int_equal(cli[i].calls, 1);
	close(sv[0]);
	close(sv[1]);
	close(reused_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(one_poll_fd_for_every_member, setup, teardown),
	    cmocka_unit_test_setup_teardown(level_triggered_and_stoppable, setup, teardown),
	    cmocka_unit_test_setup_teardown(callbacks_may_remove_members, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
