/* The ampsim subcommands; each takes its own argv (argv[0] = the subcommand). */
#ifndef AMP_SIM_COMMANDS_H
#define AMP_SIM_COMMANDS_H

#include <glib.h>

int amp_cmd_run(int argc, char **argv);
int amp_cmd_ctl(int argc, char **argv);
int amp_cmd_chat(int argc, char **argv);
int amp_cmd_rsc_table(int argc, char **argv);
int amp_cmd_cleanup(int argc, char **argv);
int amp_cmd_sdb(int argc, char **argv);
int amp_cmd_new_firmware(int argc, char **argv);
int amp_cmd_exec(int argc, char **argv);
/* sim/src/replay/replay.c */
int amp_cmd_replay(int argc, char **argv);
/* sim/src/bench/bench_cmd.c */
int amp_cmd_bench(int argc, char **argv);
/* sim/src/inspect/inspect_cmd.c */
int amp_cmd_inspect(int argc, char **argv);

/* sim/src/daemon/run_web.c (AMP_WITH_WEB): runs ampsim-web */
int amp_cmd_web(int argc, char **argv);

#endif /* AMP_SIM_COMMANDS_H */
