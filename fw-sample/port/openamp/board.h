/* The ampsim "board" under ST's OpenAMP glue: the run's shared memory and IPCC eventfds,
 * from the firmware environment (docs/firmware-abi.md). Private to this port. */
#ifndef AMPSIM_OPENAMP_BOARD_H
#define AMPSIM_OPENAMP_BOARD_H

#include <ampsim/fwenv.h>
#include <ampsim/soc.h>

/* Attach once (later calls return the same); NULL after a message on stderr. */
struct amp_soc *ampsim_board_attach(const int **efds);
void ampsim_board_detach(void);
void ampsim_board_fail(const char *what, const char *why);

#endif /* AMPSIM_OPENAMP_BOARD_H */
