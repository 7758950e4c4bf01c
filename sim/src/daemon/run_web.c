/*
 * `ampsim run --web[=ADDR:PORT]`: `ampsim web RUNDIR --listen ADDR:PORT` as a child process
 * (docs/teaching.md). A child, not a server in the daemon's loop: the web view asks the
 * run through its control socket like any client, and its browsers never share the loop
 * that serves the firmware. It ends with the run (SIGTERM), or when the daemon dies.
 */
#include <signal.h>
#include <sys/prctl.h>

#include "daemon.h"

static void die_with_parent(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* a daemon killed by SIGKILL leaves no server */
}

static void web_ended(GObject *src, GAsyncResult *res, gpointer data)
{
	(void)data;
	GSubprocess *p = G_SUBPROCESS(src);
	if (!g_subprocess_wait_finish(p, res, NULL))
		return; /* cancelled: the run is ending */
	if (!g_subprocess_get_if_exited(p) || g_subprocess_get_exit_status(p) != 0)
		g_warning("--web: the web view stopped (its message is above); the run goes on");
}

GSubprocess *daemon_web_start(const char *rundir, const char *listen, GCancellable *c)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	if (!self)
		self = g_strdup("ampsim");
	g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
	g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
	g_autoptr(GError) err = NULL;
	GSubprocess *p =
	    g_subprocess_launcher_spawn(l, &err, self, "web", rundir, "--listen", listen, NULL);
	if (!p) {
		g_warning("--web: cannot start '%s web': %s; the run goes on without it", self,
			  err->message);
		return NULL;
	}
	g_subprocess_wait_async(p, c, web_ended, NULL);
	return p;
}

void daemon_web_stop(GSubprocess *p, GCancellable *c)
{
	if (!p)
		return;
	g_cancellable_cancel(c);
	g_subprocess_send_signal(p, SIGTERM);
	g_subprocess_wait(p, NULL, NULL);
	g_object_unref(p);
}
