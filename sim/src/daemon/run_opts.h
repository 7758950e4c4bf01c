/* `ampsim run`'s options (docs/cli.md): parsed and checked here, used by run.c. */
#ifndef AMP_DAEMON_RUN_OPTS_H
#define AMP_DAEMON_RUN_OPTS_H

#include <glib.h>

#define RUN_GDB_PORT_DEFAULT 1234 /* gdbserver's customary port */

struct run_opts {
	char *soc;
	char *run_dir;
	gboolean no_recovery;
	gboolean no_backoff;
	int watchdog_ms;
	gboolean gdb;
	int gdb_port;
	char *wrap;
	char *ipcc_mode;
	char *host_ipcc_mode; /* --host-ipcc-mode; NULL: blocking */
	gboolean sanitize_buffers;
	gboolean step; /* --step: hold every vring doorbell until 'ctl step' */
	gboolean verbose;
	gboolean quiet;
	char *faults;  /* --faults SPEC|FILE; "" installs an empty plan */
	char *seed;    /* --seed N */
	char *trace;   /* --trace FILE */
	char *capture; /* --capture FILE */
	char *web;     /* --web[=ADDR:PORT]: serve `ampsim web` too, on this address */
	gboolean cuse; /* --cuse: real /dev devices through CUSE (sim/src/cuse/) */
};

/*
 * Parse and check `ampsim run`'s command line into @p o; what follows "--" is the firmware's
 * (@p fw_args, NULL-terminated, or NULL). Afterwards argv[1] is FIRMWARE.
 * @return 0, or the exit status (2) after saying what is wrong
 */
int run_opts_parse(int *argc, char ***argv, struct run_opts *o, char ***fw_args);

/* Free what run_opts_parse() allocated in @p o (also after an error). */
void run_opts_clear(struct run_opts *o);

#endif /* AMP_DAEMON_RUN_OPTS_H */
