/*
 * ampsim-web, which `ampsim web [RUNDIR] [--listen ADDR:PORT]` runs: serve the live view of a
 * run (web.h, docs/teaching.md) until interrupted. `ampsim run --web` starts it as a child
 * process, so that browsers never share the daemon's loop: the run only answers the control
 * requests of one tick. A program of its own so that ampsim does not load libsoup
 * (sim/src/daemon/run_web.c).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <glib-unix.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "../daemon/rundir.h"
#include "web.h"

/*
 * SIGINT and SIGTERM are blocked in every thread (main() blocks them before any
 * starts) and read from a signalfd in the loop: no handler runs. With a handler, an idle
 * server (a loop asleep in poll()) could miss SIGTERM under ThreadSanitizer, which defers a
 * handler to the thread's next intercepted call.
 */
static int block_stop_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static gboolean on_signal(gint fd, GIOCondition cond, gpointer loop)
{
	struct signalfd_siginfo si;
	(void)cond;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		g_main_loop_quit(loop);
	return G_SOURCE_CONTINUE;
}

static int serve(const char *dir, const char *listen, int interval_ms, int sigfd)
{
	g_autoptr(GError) err = NULL;
	struct web *w = web_new(dir, listen, interval_ms, &err);
	if (!w) {
		g_printerr("ampsim web: %s\n", err->message);
		return amp_error_code(err) == AMP_EINVAL ? 2 : 1;
	}
	if (!web_loopback(w))
		g_printerr("ampsim web: warning: listening on %s, not on loopback only: anyone "
			   "who can reach it can watch this run, step it, pause it and inject "
			   "faults into it (there is no authentication); use it on a trusted "
			   "network only\n",
			   listen);
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	guint s = g_unix_fd_add(sigfd, G_IO_IN, on_signal, loop);
	/* One line a script (or `ampsim run --web`'s user) can take the address from; once
	 * SIGTERM ends the server in order. */
	printf("ampsim web: serving %s on %s\n", dir, web_url(w));
	fflush(stdout);
	g_main_loop_run(loop);
	g_source_remove(s);
	web_free(w);
	return 0;
}

int main(int argc, char **argv)
{
	g_set_prgname("ampsim web");	  /* "Usage: ampsim web ..." and in log lines */
	int sigfd = block_stop_signals(); /* before GLib or libsoup start a thread */
	if (sigfd < 0) {
		g_printerr("ampsim web: cannot take SIGINT and SIGTERM: %s\n", g_strerror(errno));
		return 1;
	}
	g_autofree char *listen = NULL;
	int interval_ms = 250;
	GOptionEntry entries[] = {
	    {"listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
	     "Serve on ADDRESS:PORT (default " WEB_DEFAULT_LISTEN ", loopback only; port 0 "
	     "picks a free one). Another address than loopback lets anyone who reaches it "
	     "step the run and inject faults: you are warned",
	     "ADDR:PORT"},
	    {"interval", 'i', 0, G_OPTION_ARG_INT, &interval_ms,
	     "Ask the run for its state every MS milliseconds while a browser watches "
	     "(default 250; 50..10000)",
	     "MS"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("[RUNDIR]");
	g_option_context_set_summary(
	    ctx, "Serve a live web view of a run for teaching: both vrings as rings of\n"
		 "descriptors, who owns each buffer, the IPCC doorbells, the endpoints and their\n"
		 "message counts, the firmware's trace and lifecycle; with buttons to step, pause\n"
		 "and resume doorbells and inject faults (docs/teaching.md). The page is built\n"
		 "into ampsim and fetches nothing from the internet. RUNDIR defaults to the run\n"
		 "directory 'ampsim run' uses by default.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc > 2 || interval_ms < 50 ||
	    interval_ms > 10000) {
		g_printerr("ampsim web: %s\nTry 'ampsim web --help'.\n",
			   err	      ? err->message
			   : argc > 2 ? "one RUNDIR at most"
				      : "--interval takes 50..10000 milliseconds");
		close(sigfd);
		return 2;
	}
	g_autofree char *dir = argc == 2 ? g_strdup(argv[1]) : amp_rundir_default();
	int rc = serve(dir, listen ? listen : WEB_DEFAULT_LISTEN, interval_ms, sigfd);
	close(sigfd);
	return rc;
}
