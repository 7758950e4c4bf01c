/*
 * The soak and kill campaign's Linux side (library amp_soak_client; the test test_soak.c
 * and the benchmark tests/bench/soak/bench_soak.c both run it). Against a running
 * `ampsim run RUNDIR fw_soak`, at once on its three paths:
 *
 *   frame  RUNDIR/rpmsg0, a SOCK_SEQPACKET frame socket (like /dev/rpmsg0)
 *   ctrl   an endpoint made through RUNDIR/rpmsg_ctrl0 to the firmware's SOAK_CTRL_ADDR
 *   tty    RUNDIR/ttyRPMSG0, a pty (a byte stream)
 *
 * it sends sequence-numbered, CRC-checked records (soak_proto.h), at most `window`
 * unanswered per path, checks every echo and every record of the firmware's own stream, and
 * SIGKILLs the firmware (pid from RUNDIR/control "status") at seeded random points. After a
 * crash each path reconnects once the new firmware instance runs and its channel is back,
 * and its numbering continues.
 *
 * What is counted, per path:
 *   in flight  records sent (at least one byte handed to the fd) and not yet echoed when
 *              that fd reported the hang-up (EOF, ECONNRESET, EPIPE, EIO, POLLHUP). These
 *              are the only records allowed to be lost, and only at a kill.
 *   violations lost (an echo skipped a record with no hang-up), duplicated, reordered,
 *              corrupted (magic, length, CRC-32 by zlib, payload, kind), a boot id that is
 *              not the running firmware's pid or changes within one connection, a gap or
 *              repeat in the firmware's own stream (which restarts at 0 with each instance:
 *              it begins after the client's first record to that instance), a violation the
 *              firmware reports, a hang-up with no kill, a kill a path did not see as a
 *              hang-up.
 */
#ifndef SOAK_CLIENT_H
#define SOAK_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "soak_proto.h"

struct soak_cfg {
	const char *rundir;
	uint64_t seed;		/**< the kill points; print it to replay a run */
	uint32_t msgs_per_chan; /**< client records per path */
	unsigned kills;		/**< SIGKILLs of the firmware during the run */
	unsigned window;	/**< unanswered records per path (default 4) */
	int stall_ms;		/**< safety net: no progress for this long ends the run (20000) */
	FILE *log;		/**< violations described here, or NULL */
	/* Tests of the checks themselves: never send this client seq (0: off), so the
	 * firmware must report a gap. */
	uint32_t skip_seq;
};

struct soak_chan_stats {
	uint64_t sent, echoed, origins, connects, hangups;
	uint64_t inflight_lost; /**< lost at kills, each signalled by a hang-up */
	/* violations */
	uint64_t lost, duplicated, reordered, corrupted, bad_boot, origin_errors;
	uint64_t fw_errors;	   /**< the largest violation count the firmware reported */
	uint64_t spurious_hangups; /**< hang-ups with no kill */
	uint64_t missed_hangups;   /**< kills this path saw no hang-up for */
};

/** What one kill cost: times from the SIGKILL, per path. */
struct soak_kill {
	int pid;
	uint64_t at_echoes;		     /**< echoes received when it was sent */
	double back_ms[SOAK_NCHAN];	     /**< until the path accepted a client again */
	double first_echo_ms[SOAK_NCHAN];    /**< until its first echo from the new instance */
	uint32_t inflight[SOAK_NCHAN];	     /**< records lost in flight */
	uint32_t inflight_first[SOAK_NCHAN]; /**< the first of them (seq) */
	char how[SOAK_NCHAN][16];	     /**< how the hang-up showed: "EOF", "EIO", ... */
};

struct soak_result {
	struct soak_chan_stats ch[SOAK_NCHAN];
	struct soak_kill *kill; /**< cfg.kills entries, kills_done of them filled */
	unsigned kills_done;
	double seconds;	 /**< wall time of the whole run */
	char error[512]; /**< why the run ended early; empty when it completed */
};

/** Run the campaign; false when it could not complete (res->error says why). */
bool soak_run(const struct soak_cfg *cfg, struct soak_result *res);

/** Sum of every violation over the paths (0 is the promise). */
uint64_t soak_violations(const struct soak_result *res);

/** A per-path summary, then every kill. */
void soak_print(const struct soak_result *res, FILE *out);

void soak_result_free(struct soak_result *res);

extern const char *const soak_chan_name[SOAK_NCHAN];

#endif /* SOAK_CLIENT_H */
