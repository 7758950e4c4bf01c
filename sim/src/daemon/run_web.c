/*
 * `ampsim run --web[=ADDR:PORT]`: `ampsim web RUNDIR --listen ADDR:PORT` as a child process
 * (docs/teaching.md). A child, not a server in the daemon's loop: the web view asks the
 * run through its control socket like any client, and its browsers never share the loop
 * that serves the firmware. It ends with the run (SIGTERM), or when the daemon dies. If it
 * cannot listen, it says why on stderr and exits; the run goes on without it.
 */
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "daemon.h"

static void die_with_parent(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* a daemon killed by SIGKILL leaves no server */
}

GPid daemon_web_start(const char *rundir, const char *listen)
{
	g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
	const char *argv[] = {self ? self : "ampsim", "web", rundir, "--listen", listen, NULL};
	g_autoptr(GError) err = NULL;
	GPid pid = 0;
	/* Not GSubprocess: its child watch runs in GLib's worker thread, whose hand-offs
	 * ThreadSanitizer cannot see; the pid is waited for at the end of the run. */
	if (!g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent,
			   NULL, &pid, &err)) {
		g_warning("--web: cannot start '%s web': %s; the run goes on without it", argv[0],
			  err->message);
		return 0;
	}
	return pid;
}

void daemon_web_stop(GPid pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
