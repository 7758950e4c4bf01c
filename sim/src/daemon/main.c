/* ampsim: the command-line entry point; dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "commands.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *what;
} commands[] = {
    {"run", amp_cmd_run, "boot a firmware and serve its RPMsg channels until stopped"},
    {"ctl", amp_cmd_ctl,
     "ask a running 'ampsim run': status, start, stop, stats, trace, step, pause, fault"},
    {"exec", amp_cmd_exec,
     "run an unmodified Linux program against a run: /dev/rpmsg*, /dev/ttyRPMSG*, sysfs"},
    {"inspect", amp_cmd_inspect,
     "show a run's rings, buffers and IPCC flags (live, or after a crash)"},
#ifdef AMP_WITH_WEB
    {"web", amp_cmd_web, "serve a live web view of a run's rings for teaching (a browser page)"},
#endif
    {"chat", amp_cmd_chat, "send messages to a channel endpoint and print the answers"},
    {"rsc-table", amp_cmd_rsc_table, "print the resource table of a firmware ELF file"},
    {"sdb", amp_cmd_sdb, "large shared buffers (rpmsg-sdb): fill, check and time them"},
    {"replay", amp_cmd_replay,
     "play a capture's Linux side against a firmware and compare its answers"},
    {"bench", amp_cmd_bench, "time the seed benchmark end to end, with its floor in the same run"},
    {"cleanup", amp_cmd_cleanup, "remove what killed runs left behind (shared memory, run dir)"},
    {"new-firmware", amp_cmd_new_firmware,
     "start a firmware project of your own from the installed template"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ampsim COMMAND [OPTION...] [ARG...]\n\n"
		"Simulates the inter-processor communication of an STM32MP1-like SoC on a PC:\n"
		"the firmware runs as a process, Linux-side programs talk to it through the\n"
		"endpoints a board gives them (a tty, a frame socket).\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-13s %s\n", commands[i].name, commands[i].what);
	fprintf(out, "\n'ampsim COMMAND --help' describes each command and its options.\n"
		     "Example: ampsim run ./echo   (a firmware built with the simulator port)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ampsim %s\n", AMPSIM_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			char prg[32];
			snprintf(prg, sizeof(prg), "ampsim %s", commands[i].name);
			g_set_prgname(prg); /* "Usage: ampsim run ..." and in log lines */
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "ampsim: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
