/*
 * The web view is ampsim-web, a program of its own (docs/teaching.md): ampsim does not load
 * libsoup and its dozen libraries at every start, about 2 ms of every boot (issue 17).
 *  - `ampsim web ...` runs it in place of ampsim (exec).
 *  - `ampsim run --web[=ADDR:PORT]` starts it as a child process. A child, not a server in
 *    the daemon's loop: the web view asks the run through its control socket like any
 *    client, and its browsers never share the loop that serves the firmware. It ends with
 *    the run (SIGTERM), or when the daemon dies. If it cannot listen, it says why on stderr
 *    and exits; the run goes on without it.
 * Where it is: own_file.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "daemon.h"
#include "own_file.h"

#define WEB_NAME "ampsim-web"
#ifndef AMPSIM_WEB_REL
#define AMPSIM_WEB_REL WEB_NAME /* built without it: run_opts.c refuses --web first */
#endif

int amp_cmd_web(int argc, char **argv)
{
	(void)argc;
	g_autoptr(GError) err = NULL;
	char *exe = amp_own_file(WEB_NAME, AMPSIM_WEB_REL, &err);
	if (!exe) {
		g_printerr("ampsim web: %s\n", err->message);
		return 1;
	}
	argv[0] = exe;
	execv(exe, argv);
	g_printerr("ampsim web: cannot run %s: %s\n", exe, g_strerror(errno));
	return 1;
}

static void die_with_parent(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* a daemon killed by SIGKILL leaves no server */
}

GPid daemon_web_start(const char *rundir, const char *listen)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *exe = amp_own_file(WEB_NAME, AMPSIM_WEB_REL, &err);
	if (!exe) {
		g_warning("--web: %s; the run goes on without the web view", err->message);
		return 0;
	}
	const char *argv[] = {exe, rundir, "--listen", listen, NULL};
	GPid pid = 0;
	/* Not GSubprocess: its child watch runs in GLib's worker thread, whose hand-offs
	 * ThreadSanitizer cannot see; the pid is waited for at the end of the run. */
	if (!g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent,
			   NULL, &pid, &err)) {
		g_warning("--web: cannot start '%s': %s; the run goes on without it", exe,
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
