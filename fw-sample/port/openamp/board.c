/* The ampsim board under ST's OpenAMP glue: attach to the run (docs/firmware-abi.md). */
#include "board.h"

#include <stdbool.h>
#include <stdio.h>

#include <amp/error.h>

static struct {
	struct amp_soc soc;
	int efds[AMP_FWENV_NFDS];
	bool attached;
} board;

void ampsim_board_fail(const char *what, const char *why)
{
	fprintf(stderr, "firmware: openamp platform: %s: %s\n", what, why);
}

struct amp_soc *ampsim_board_attach(const int **efds)
{
	if (!board.attached) {
		char name[AMP_SOC_SHM_NAME_MAX], why[160];
		if (amp_fwenv_read(name, sizeof(name), board.efds, why, sizeof(why)) != AMP_OK) {
			ampsim_board_fail("environment", why);
			fprintf(stderr, "firmware: this program is a firmware image; start it with "
					"'ampsim run PROGRAM'\n");
			return NULL;
		}
		if (amp_soc_attach_fw(&board.soc, name, 0) != AMP_OK) {
			ampsim_board_fail("shared memory", board.soc.err);
			return NULL;
		}
		board.attached = true;
	}
	*efds = board.efds;
	return &board.soc;
}

void ampsim_board_detach(void)
{
	if (board.attached)
		amp_soc_destroy(&board.soc);
	board.attached = false;
}
