/*
 * rsc_tool FILE: what `ampsim rsc-table FILE` will do (sim/ owns that CLI); here so the
 * printer can be run as a command on the build's fixtures.
 */
#include <stdio.h>

#include <ampsim/rsc_dump.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s FIRMWARE.elf\n", argv[0]);
		return 2;
	}
	return amp_rsc_dump_file(stdout, stderr, argv[1]) ? 1 : 0;
}
