/* `ampsim run`'s options; see run_opts.h. */
#include "run_opts.h"

#include <stdbool.h>
#include <string.h>

#include <amp/error.h>
#include <ampsim/fwenv.h>

/* Where GOption writes: the table below is data, its targets this one struct. */
static struct run_opts parsed;

#define WEB_DEFAULT "127.0.0.1:8480" /* as `ampsim web` (src/web/web.h) */

/*
 * --web's value is optional, and GOption would take the next word for it even when that is
 * FIRMWARE: a bare "--web" becomes "--web=" WEB_DEFAULT here, unless the next word reads as
 * ADDRESS:PORT ("--web 0.0.0.0:8480"). @p keep owns what it makes.
 */
static bool looks_like_listen(const char *s)
{
	const char *colon = strrchr(s, ':');
	return colon && colon > s && colon[1] &&
	       strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
	       (s[0] == '[' || strspn(s, "0123456789.") == (size_t)(colon - s) ||
		g_str_has_prefix(s, "localhost:"));
}

static int web_words(int argc, char **argv, GPtrArray *keep)
{
	for (int i = 1; i < argc && argv[i]; i++) {
		if (strcmp(argv[i], "--web") != 0)
			continue;
		bool addr = i + 1 < argc && argv[i + 1] && looks_like_listen(argv[i + 1]);
		argv[i] = g_strconcat("--web=", addr ? argv[i + 1] : WEB_DEFAULT, NULL);
		g_ptr_array_add(keep, argv[i]);
		if (addr) { /* the address joins its option: drop its own word */
			memmove(&argv[i + 1], &argv[i + 2], (size_t)(argc - i - 2) * sizeof(*argv));
			argv[argc - 1] = NULL;
			argc--;
		}
	}
	return argc;
}

static GPtrArray *web_kept; /* the words web_words() made, until run_opts_clear() */

static const GOptionEntry entries[] = {
    {"soc", 's', 0, G_OPTION_ARG_STRING, &parsed.soc,
     "SoC profile: a name from sim/profiles/ or a path to a .ini (default stm32mp157)", "PROFILE"},
    {"run-dir", 'd', 0, G_OPTION_ARG_FILENAME, &parsed.run_dir,
     "Where the endpoints and the control socket go (default $XDG_RUNTIME_DIR/ampsim, "
     "or /tmp/ampsim-UID); one live run per directory, which must be yours and not "
     "writable by group or others",
     "DIR"},
    {"no-recovery", 0, 0, G_OPTION_ARG_NONE, &parsed.no_recovery,
     "Leave a crashed firmware crashed instead of rebooting it", NULL},
    {"no-restart-backoff", 0, 0, G_OPTION_ARG_NONE, &parsed.no_backoff,
     "Reboot a crashed firmware at once every time, as Linux does, instead of waiting "
     "100 ms doubling to 5 s when it keeps crashing (docs/lifecycle.md)",
     NULL},
    {"watchdog", 0, 0, G_OPTION_ARG_INT, &parsed.watchdog_ms,
     "Declare the firmware crashed (and recover it) when it has not refreshed its "
     "watchdog entry for MS ms; overrides the period in its resource table, which must "
     "declare one (docs/lifecycle.md)",
     "MS"},
    {"gdb", 0, 0, G_OPTION_ARG_NONE, &parsed.gdb,
     "Start the firmware under gdbserver, stopped at its first instruction: its "
     "channels appear once gdb continues or detaches (the command is printed)",
     NULL},
    {"gdb-port", 0, 0, G_OPTION_ARG_INT, &parsed.gdb_port,
     "gdbserver TCP port for --gdb, 1..65535 (default 1234)", "PORT"},
    {"wrap", 'w', 0, G_OPTION_ARG_STRING, &parsed.wrap,
     "Run the firmware under CMD (split like a shell would), e.g. --wrap 'valgrind -q' "
     "or --wrap 'strace -f'",
     "CMD"},
    {"ipcc-mode", 0, 0, G_OPTION_ARG_STRING, &parsed.ipcc_mode,
     "How the firmware waits for interrupts: blocking (default), adaptive (polls "
     "briefly before sleeping; docs/ipcc.md) or spin (never sleeps, takes a CPU: for "
     "measurement)",
     "MODE"},
    {"host-ipcc-mode", 0, 0, G_OPTION_ARG_STRING, &parsed.host_ipcc_mode,
     "How this side (the host's loop) waits: blocking (default), adaptive (polls while "
     "the firmware runs, bounded; docs/performance.md) or spin (for measurement)",
     "MODE"},
    {"faults", 0, 0, G_OPTION_ARG_STRING, &parsed.faults,
     "Load a fault plan: rules (e.g. 'kick:ch1:fw->linux drop p=0.01; fw crash "
     "at-msg=500'), or the file they are in when SPEC names an existing file; '' loads "
     "an empty plan (docs/faults.md)",
     "SPEC|FILE"},
    {"seed", 0, 0, G_OPTION_ARG_STRING, &parsed.seed,
     "Seed of the fault plan's random choices, 0..2^64-1 (default: a random one, "
     "printed at start and in 'ampsim ctl RUNDIR fault list', to replay a run)",
     "N"},
    {"trace", 0, 0, G_OPTION_ARG_FILENAME, &parsed.trace,
     "Write an event trace of both processes (kicks, interrupts, ring publishes, "
     "messages, lifecycle) to FILE as Chrome trace-event JSON, for ui.perfetto.dev "
     "(docs/trace.md); finished when the run ends or by 'ampsim ctl trace-events stop'",
     "FILE"},
    {"sanitize-buffers", 0, 0, G_OPTION_ARG_NONE, &parsed.sanitize_buffers,
     "Buffer-ownership sanitizer: the firmware marks every buffer it gives up "
     "inaccessible, so under --wrap valgrind or built with ASan a use after send or "
     "release stops at that line (docs/faults.md)",
     NULL},
    {"capture", 0, 0, G_OPTION_ARG_FILENAME, &parsed.capture,
     "Write every RPMsg message, both ways, with endpoint names and times, to FILE as "
     "pcapng for Wireshark and 'ampsim replay' (docs/capture.md)",
     "FILE"},
    {"cuse", 0, 0, G_OPTION_ARG_NONE, &parsed.cuse,
     "Also serve real character devices through CUSE (needs root and a kernel with "
     "CUSE): /dev/rpmsg_ctrl0, the /dev/rpmsgN its ioctls create, and /dev/ttyRPMSGN "
     "linked to the run's pty, for programs 'ampsim exec' cannot reach (static, "
     "setuid); without CUSE the run goes on without them (docs/linux-apps.md)",
     NULL},
    {"step", 0, 0, G_OPTION_ARG_NONE, &parsed.step,
     "Step mode: hold every vring doorbell, both ways, until 'ampsim ctl RUNDIR step "
     "[N]' releases it, to walk a message through (docs/inspect.md)",
     NULL},
    {"web", 0, 0, G_OPTION_ARG_STRING, &parsed.web,
     "Serve the live web view of this run too, as 'ampsim web' does; ADDR:PORT is "
     "optional (default " WEB_DEFAULT ", loopback only; docs/teaching.md)",
     "ADDR:PORT"},
    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &parsed.verbose,
     "Log debug messages too (GLib structured logging, as G_MESSAGES_DEBUG=all)", NULL},
    {"quiet", 'q', 0, G_OPTION_ARG_NONE, &parsed.quiet,
     "No start-up summary and no channel events; only warnings and errors", NULL},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
};

static int check_opts(const struct run_opts *o, int argc)
{
	if (argc != 2) {
		g_printerr("ampsim run: %s\nTry 'ampsim run --help'.\n",
			   argc < 2
			       ? "which firmware? (missing FIRMWARE)"
			       : "more than one FIRMWARE given (firmware arguments go after --)");
		return 2;
	}
	if (o->watchdog_ms < 0) {
		g_printerr("ampsim run: --watchdog takes a positive number of milliseconds, not "
			   "%d\n",
			   o->watchdog_ms);
		return 2;
	}
	enum amp_ipcc_wait mode;
	if (amp_fwenv_ipcc_mode_parse(o->ipcc_mode, &mode, NULL, 0) != AMP_OK ||
	    amp_fwenv_ipcc_mode_parse(o->host_ipcc_mode, &mode, NULL, 0) != AMP_OK) {
		bool host = amp_fwenv_ipcc_mode_parse(o->ipcc_mode, &mode, NULL, 0) == AMP_OK;
		g_printerr("ampsim run: --%sipcc-mode must be blocking, adaptive or spin, not "
			   "'%s'\n",
			   host ? "host-" : "", host ? o->host_ipcc_mode : o->ipcc_mode);
		return 2;
	}
	/* gdbserver would take 0 as "any free port" and tell us nothing of which. */
	if (o->gdb_port < 1 || o->gdb_port > 65535) {
		g_printerr("ampsim run: --gdb-port must be 1..65535, not %d (gdbserver's TCP port; "
			   "0, any free port, is not offered: the gdb command could not name it)\n",
			   o->gdb_port);
		return 2;
	}
#ifndef AMP_WITH_WEB
	if (o->web) {
		g_printerr("ampsim run: --web: this ampsim was built without the web view "
			   "(AMP_WITH_WEB=OFF: libsoup 3 missing); rebuild with it\n");
		return 2;
	}
#endif
	if (o->soc && !*o->soc) {
		g_printerr(
		    "ampsim run: --soc needs a profile name or a path to an .ini file, not an "
		    "empty string (leave it out for stm32mp157)\n");
		return 2;
	}
	return 0;
}

int run_opts_parse(int *argc, char ***argv, struct run_opts *o, char ***fw_args)
{
	parsed = (struct run_opts){.gdb_port = RUN_GDB_PORT_DEFAULT};
	/* Everything after "--" belongs to the firmware. */
	for (int i = 1; i < *argc; i++)
		if (!strcmp((*argv)[i], "--")) {
			*fw_args = &(*argv)[i + 1];
			(*argv)[i] = NULL;
			*argc = i;
			break;
		}
	if (!web_kept)
		web_kept = g_ptr_array_new_with_free_func(g_free);
	*argc = web_words(*argc, *argv, web_kept);
	g_autoptr(GOptionContext) ctx = g_option_context_new("FIRMWARE [-- FIRMWARE-ARGS]");
	g_option_context_set_summary(
	    ctx, "Boot FIRMWARE (a firmware built with the simulator port, such as the\n"
		 "echo sample) on a simulated STM32MP1 and serve the\n"
		 "RPMsg channels it announces, bound by exact name as Linux binds drivers:\n"
		 "  \"rpmsg-tty\"    -> RUNDIR/ttyRPMSG<n>, a pty in raw mode (byte stream,\n"
		 "                    like /dev/ttyRPMSG<n>; ST's \"rpmsg-tty-channel\" too)\n"
		 "  \"rpmsg-sdb-channel\" -> RUNDIR/rpmsg-sdb, ST's large-buffer service\n"
		 "                    (like /dev/rpmsg-sdb; 'ampsim sdb', <ampsim/sdb.h>)\n"
		 "  any other name -> RUNDIR/rpmsg<n>, a SOCK_SEQPACKET socket (one message per\n"
		 "                    read/write, at most one MTU: 496 bytes with the default\n"
		 "                    512-byte buffers; like /dev/rpmsg<n>)\n"
		 "and, while the firmware runs:\n"
		 "  RUNDIR/rpmsg_ctrl0 endpoints of your choice (name, src, dst), like\n"
		 "                    /dev/rpmsg_ctrl0; see docs/cli.md for the protocol\n"
		 "  RUNDIR/control    for 'ampsim ctl'\n"
		 "and for the whole run RUNDIR/shm, the shared memory for 'ampsim inspect'.\n"
		 "A channel the firmware destroys or loses in a crash hangs up its client and\n"
		 "comes back when announced again. FIRMWARE-ARGS are passed to the firmware.\n"
		 "Ctrl-C or SIGTERM stops the firmware and removes everything the run created.");
	g_option_context_set_description(
	    ctx,
	    "Talk to a run with 'ampsim chat RUNDIR/rpmsg0 hello' and\n"
	    "'ampsim ctl RUNDIR status|start|stop|endpoints|stats|trace|step|fault' (RUNDIR/ may "
	    "be\n"
	    "left out for the default run directory: 'ampsim chat rpmsg0 hello'). Exit status: 0\n"
	    "after Ctrl-C/SIGTERM, 1 when the run cannot start (the message says why and\n"
	    "what to do), 2 for bad options. AMPSIM_FIRMWARE_PATH: directories (':') searched\n"
	    "for a firmware named through /sys/class/remoteproc/remoteproc0/firmware under\n"
	    "'ampsim exec', before FIRMWARE's own. See docs/cli.md.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	g_autoptr(GError) err = NULL;
	bool ok = g_option_context_parse(ctx, argc, argv, &err);
	*o = parsed; /* the caller owns the strings, also after an error */
	if (!ok) {
		g_printerr("ampsim run: %s\nTry 'ampsim run --help'.\n", err->message);
		return 2;
	}
	return check_opts(o, *argc);
}

/* --faults SPEC|FILE and --seed N, before the firmware boots. */

void run_opts_clear(struct run_opts *o)
{
	g_free(o->soc);
	g_free(o->run_dir);
	g_free(o->wrap);
	g_free(o->ipcc_mode);
	g_free(o->host_ipcc_mode);
	g_free(o->faults);
	g_free(o->seed);
	g_free(o->trace);
	g_free(o->capture);
	g_free(o->web);
	if (web_kept)
		g_ptr_array_unref(g_steal_pointer(&web_kept));
	memset(o, 0, sizeof(*o));
}
