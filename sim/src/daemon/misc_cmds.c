/* `ampsim rsc-table FILE` and `ampsim cleanup`. */
#include <stdio.h>

#include <amp/error.h>
#include <ampsim/rsc_dump.h>
#include <ampsim/soc.h>

#include "commands.h"
#include "rundir.h"

int amp_cmd_rsc_table(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("FILE");
	g_option_context_set_summary(
	    ctx, "Print the resource table (section .resource_table) of a firmware ELF file:\n"
		 "a host firmware built for the simulator or an arm-none-eabi image alike.");
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 2) {
		g_printerr("ampsim rsc-table: %s\nTry 'ampsim rsc-table --help'.\n",
			   err ? err->message : "expected one FILE");
		return 2;
	}
	return amp_rsc_dump_file(stdout, stderr, argv[1]) == AMP_OK ? 0 : 1;
}

int amp_cmd_cleanup(int argc, char **argv)
{
	char *run_dir = NULL;
	GOptionEntry entries[] = {
	    {"run-dir", 'd', 0, G_OPTION_ARG_FILENAME, &run_dir,
	     "The run directory to clean (default: the one 'ampsim run' uses by default)", "DIR"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_option_context_set_summary(
	    ctx, "Remove what runs that were killed left behind: their shared-memory objects\n"
		 "(/dev/shm/ampsim-<uid>-<pid>-*, only yours and only of dead runs) and the\n"
		 "endpoints in the run directory (only if no live run holds it).");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	if (!g_option_context_parse(ctx, &argc, &argv, &err) || argc != 1) {
		g_printerr("ampsim cleanup: %s\n", err ? err->message : "unexpected argument");
		return 2;
	}
	unsigned removed = 0;
	int rc = amp_soc_cleanup_stale(&removed);
	if (rc != AMP_OK)
		g_printerr("ampsim cleanup: scanning shared memory failed: %s\n", amp_strerror(rc));
	g_autofree char *dir = run_dir ? run_dir : amp_rundir_default();
	int n = amp_rundir_cleanup(dir, &err);
	if (n < 0) {
		g_printerr("ampsim cleanup: %s\n", err->message);
		return 1;
	}
	printf("removed %u stale shared-memory object(s) and %d entr%s in %s\n", removed, n,
	       n == 1 ? "y" : "ies", dir);
	return rc == AMP_OK ? 0 : 1;
}
