/* `ampsim ctl [RUNDIR] COMMAND`: talk to a running `ampsim run` through RUNDIR/control. */
#include <stdio.h>
#include <string.h>

#include <amp/error.h>

#include "commands.h"
#include "ctl.h"
#include "rundir.h"

static const char *const ctl_commands[] = {"status", "start", "stop",  "endpoints", "stats",
					   "trace",  "step",  "pause", "resume"};

static gboolean known(const char *cmd)
{
	for (size_t i = 0; i < G_N_ELEMENTS(ctl_commands); i++)
		if (!strcmp(cmd, ctl_commands[i]))
			return TRUE;
	return FALSE;
}

/* Send one request to RUNDIR/control (NULL: the default run directory) and print the answer. */
static int ask(const char *rundir, const char *request)
{
	g_autoptr(GError) err = NULL;
	if (strlen(request) > 255 || strchr(request, '\n')) {
		g_printerr("ampsim ctl: a request is one line of at most 255 bytes; put a longer "
			   "fault plan in a file for 'ampsim run --faults FILE', or add it in "
			   "several 'fault add' requests\n");
		return 2;
	}
	g_autofree char *dir = rundir ? g_strdup(rundir) : amp_rundir_default();
	g_autofree char *sock = g_build_filename(dir, "control", NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	gboolean ok = FALSE;
	if (amp_ctl_request(sock, request, reply, &ok, &err) != AMP_OK) {
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

/* "trace-events start FILE | stop": FILE is made absolute here, the daemon runs elsewhere. */
static int trace_events(const char *rundir, int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[0], "start") && argv[1][0]) {
		g_autofree char *abs = g_canonicalize_filename(argv[1], NULL);
		g_autofree char *req = g_strconcat("trace-events start ", abs, NULL);
		return ask(rundir, req);
	}
	if (argc == 1 && !strcmp(argv[0], "stop"))
		return ask(rundir, "trace-events stop");
	g_printerr("ampsim ctl: expected trace-events start FILE or trace-events stop\n");
	return 2;
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
		 "  trace      the firmware's trace buffer (RSC_TRACE), like debugfs trace0\n"
		 "  trace-events start FILE  write an event trace (Chrome JSON, docs/trace.md)\n"
		 "  trace-events stop        finish it; prints what it counted\n"
		 "  step [N]   a run in step mode: deliver the N oldest held doorbells\n"
		 "             (default 1; 0 shows what is held) and say which\n"
		 "  pause      hold every vring doorbell from now on (step mode)\n"
		 "  resume     deliver the held doorbells and stop holding them\n"
		 "  fault list             the fault plan: seed, rules, counters, fired faults\n"
		 "  fault add RULE[;RULE]  add rules (quote them; grammar in docs/faults.md)\n"
		 "  fault clear            remove every rule\n"
		 "  fault seed N           restart the plan's counters and PRNGs with seed N");
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		g_printerr("ampsim ctl: %s\n", err->message);
		return 2;
	}
	/* "fault ..." takes words after it: they form one request line. */
	int fault_at = argc > 1 && !strcmp(argv[1], "fault")   ? 1
		       : argc > 2 && !strcmp(argv[2], "fault") ? 2
							       : 0;
	if (fault_at && argc > fault_at + 1) {
		g_autofree char *req = g_strjoinv(" ", argv + fault_at);
		return ask(fault_at == 2 ? argv[1] : NULL, req);
	}
	int te_at = argc > 1 && !strcmp(argv[1], "trace-events")   ? 1
		    : argc > 2 && !strcmp(argv[2], "trace-events") ? 2
								   : 0;
	if (te_at)
		return trace_events(te_at == 2 ? argv[1] : NULL, argc - te_at - 1,
				    argv + te_at + 1);
	/* "step N": the count is a second word. */
	if (argc >= 3 && argc <= 4 && !strcmp(argv[argc - 2], "step")) {
		g_autofree char *req = g_strdup_printf("step %s", argv[argc - 1]);
		return ask(argc == 4 ? argv[1] : NULL, req);
	}
	if (argc >= 2 && argc <= 3 &&
	    (g_str_has_prefix(argv[argc - 1], "fault ") ||
	     g_str_has_prefix(argv[argc - 1], "step ")))
		return ask(argc == 3 ? argv[1] : NULL, argv[argc - 1]); /* one quoted argument */
	if (argc < 2 || argc > 3 || !known(argv[argc - 1])) {
		g_printerr(
		    "ampsim ctl: expected [RUNDIR] and one of status, start, stop, "
		    "endpoints, stats, trace, trace-events start FILE|stop, step [N], pause, "
		    "resume, fault "
		    "SUBCOMMAND\nTry 'ampsim ctl --help'.\n");
		return 2;
	}
	return ask(argc == 3 ? argv[1] : NULL, argv[argc - 1]);
}
