/* `ampsim ctl [RUNDIR] COMMAND`: talk to a running `ampsim run` through RUNDIR/control. */
#include <stdio.h>
#include <string.h>

#include <amp/error.h>

#include "commands.h"
#include "ctl.h"
#include "rundir.h"

static const char *const ctl_commands[] = {"status",	"start", "stop",
					   "endpoints", "stats", "trace"};

static gboolean known(const char *cmd)
{
	for (size_t i = 0; i < G_N_ELEMENTS(ctl_commands); i++)
		if (!strcmp(cmd, ctl_commands[i]))
			return TRUE;
	return FALSE;
}

int amp_cmd_ctl(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("[RUNDIR] COMMAND");
	g_option_context_set_summary(
	    ctx, "Ask a running 'ampsim run' (found through RUNDIR/control; RUNDIR defaults\n"
		 "to the run directory 'ampsim run' uses by default).\n\nCommands:\n"
		 "  status     remoteproc state, crash count and reason, firmware pid\n"
		 "  start      boot the firmware again after 'stop' or a crash\n"
		 "  stop       shut the firmware down (CH3 request, then kill after 500 ms)\n"
		 "  endpoints  the channels the firmware announced and where they are served\n"
		 "  stats      every layer's counters (vrings, IPCC, RPMsg, endpoints)\n"
		 "  trace      the firmware's trace buffer (RSC_TRACE), like debugfs trace0");
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		g_printerr("ampsim ctl: %s\n", err->message);
		return 2;
	}
	if (argc < 2 || argc > 3 || !known(argv[argc - 1])) {
		g_printerr("ampsim ctl: expected [RUNDIR] and one of status, start, stop, "
			   "endpoints, stats, trace\nTry 'ampsim ctl --help'.\n");
		return 2;
	}
	g_autofree char *dir = argc == 3 ? g_strdup(argv[1]) : amp_rundir_default();
	g_autofree char *sock = g_build_filename(dir, "control", NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	gboolean ok = FALSE;
	if (amp_ctl_request(sock, argv[argc - 1], reply, &ok, &err) != AMP_OK) {
		g_printerr("ampsim ctl: %s\n", err->message);
		return 1;
	}
	if (!ok) {
		g_printerr("ampsim ctl: %s", reply->str);
		return 1;
	}
	fputs(reply->str, stdout); /* escaped by the daemon; g_print would recode it */
	return 0;
}
