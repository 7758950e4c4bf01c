/*
 * The hot-path fd watch (sim/src/fd_watch.h): it dispatches like g_unix_fd_add(), GLib does
 * not wake its own loop after each dispatch (the context's wake-up fd is never found ready
 * in the next poll), and a nested main loop inside the callback neither re-enters the
 * callback nor spins on the still-readable fd.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>

#include "fd_watch.h"

struct fix {
	GMainContext *ctx;
	int efd;
	int calls, depth, max_depth;
	bool nest; /* run a nested iteration from the callback */
};

/* Counts, over every poll of the context, fds found ready other than ours: the wake-up fd. */
static int efd_watched = -1, others_ready, polls;
static gint count_poll(GPollFD *fds, guint n, gint timeout)
{
	gint r = g_poll(fds, n, timeout);
	polls++;
	for (guint i = 0; i < n; i++)
		if (fds[i].fd != efd_watched && (fds[i].revents & G_IO_IN))
			others_ready++;
	return r;
}

static gboolean on_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct fix *f = data;
	f->depth++;
	f->max_depth = MAX(f->max_depth, f->depth);
	f->calls++;
	assert_true(cond & G_IO_IN);
	if (f->nest) {
		/* The fd is still readable here: a nested loop must not call us again. */
		for (int i = 0; i < 3; i++)
			g_main_context_iteration(f->ctx, FALSE);
	}
	uint64_t v;
	assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	f->depth--;
	return G_SOURCE_CONTINUE;
}

static void ring(struct fix *f)
{
	uint64_t one = 1;
	assert_int_equal(write(f->efd, &one, sizeof(one)), sizeof(one));
}

static GSource *setup(struct fix *f)
{
	f->ctx = g_main_context_new();
	f->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(f->efd >= 0);
	efd_watched = f->efd;
	g_main_context_set_poll_func(f->ctx, count_poll);
	return amp_fd_watch_new(f->efd, G_IO_IN, on_ready, f, f->ctx);
}

static void teardown(struct fix *f, GSource *s)
{
	g_source_destroy(s);
	g_source_unref(s);
	g_main_context_unref(f->ctx);
	close(f->efd);
}

static void test_no_self_wake(void **state)
{
	(void)state;
	struct fix f = {0};
	GSource *s = setup(&f);
	for (int i = 0; i < 10; i++) {
		ring(&f);
		g_main_context_iteration(f.ctx, FALSE);
		assert_int_equal(f.calls, i + 1);
	}
	others_ready = 0;
	g_main_context_iteration(f.ctx, FALSE); /* a plain fd source finds the wake-up fd here */
	assert_int_equal(others_ready, 0);
	assert_int_equal(f.calls, 10);
	teardown(&f, s);
}

static void test_nested_loop(void **state)
{
	(void)state;
	struct fix f = {.nest = true};
	GSource *s = setup(&f);
	ring(&f);
	g_main_context_iteration(f.ctx, FALSE);
	assert_int_equal(f.calls, 1);
	assert_int_equal(f.max_depth, 1);
	/* Unmasked again after the nested loop: the next ring dispatches. */
	f.nest = false;
	ring(&f);
	g_main_context_iteration(f.ctx, FALSE);
	assert_int_equal(f.calls, 2);
	teardown(&f, s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_self_wake),
	    cmocka_unit_test(test_nested_loop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
