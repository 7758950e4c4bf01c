/* Private to amp_soak_client: one path's connection (soak_chan.c) and the run (soak_client.c). */
#ifndef SOAK_INTERNAL_H
#define SOAK_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "soak_client.h"

enum soak_state {
	SOAK_DOWN,     /* no connection: waiting for the firmware and the path */
	SOAK_CREATING, /* ctrl: the rpmsg_endpoint_info request is out */
	SOAK_WAIT_FW,  /* ctrl: endpoint made; waiting until the firmware announced its channels */
	SOAK_UP,       /* traffic */
};

#define SOAK_SKIPPED_MAX 64 /* echoes skipped without a hang-up that we remember */

struct soak_chan {
	unsigned id;
	enum soak_state state;
	int fd;
	struct soak_chan_stats *st;
	char path[PATH_MAX];

	/* The client's numbering: it continues across connections and crashes. */
	uint32_t next_seq; /* the next record to send */
	uint32_t oldest;   /* the oldest record not echoed yet; [oldest, next_seq) in flight */
	uint32_t skipped[SOAK_SKIPPED_MAX];
	unsigned nskipped;

	/* This connection. */
	uint32_t boot;	      /* the firmware instance, from its first record; 0 before */
	uint32_t origin_next; /* the firmware's own stream: next number expected */
	uint64_t conn_echoes, conn_origins;
	bool kill_pending;	/* a kill was sent; this path must hang up */
	bool first_echo_wanted; /* timing the first echo after the last kill */

	/* A record being written: frames that met EAGAIN, or the rest of a tty write. */
	uint8_t out[SOAK_HDR + SOAK_MAX_FRAME_PAYLOAD];
	size_t out_len, out_off;
	uint32_t out_seq;

	uint8_t in[8192]; /* tty: bytes of records not complete yet */
	size_t in_len;
};

struct soak_ctx {
	const struct soak_cfg *cfg;
	struct soak_result *res;
	struct soak_chan ch[SOAK_NCHAN];
	char ctrl0[PATH_MAX];	/* RUNDIR/rpmsg_ctrl0 */
	char control[PATH_MAX]; /* RUNDIR/control */

	int live_pid;	/* the running firmware, from "status"; 0 until known again after a kill */
	int killed_pid; /* the last one we killed */
	int64_t last_status_ns;
	int64_t last_progress_ns;
	int64_t kill_ns;	  /* when the last kill was sent */
	int64_t kill_deadline_ns; /* a kill point was reached: kill at this time (0: none) */
	uint64_t echoes_total;
	uint64_t *kill_points; /* echoes_total at which each kill is due */
	uint64_t rng;
	bool failed;	/* res->error is set */
	unsigned notes; /* violations described so far */
};

int64_t soak_now_ns(void);

/* ---- soak_chan.c --------------------------------------------------------------------- */

void soak_chan_init(struct soak_ctx *x, unsigned id);
/** DOWN: try to connect (the caller knows the new firmware runs). */
void soak_chan_connect(struct soak_ctx *x, struct soak_chan *c);
/** WAIT_FW: the firmware's channels are announced, so its ctrl endpoint exists. */
void soak_chan_check_ready(struct soak_ctx *x, struct soak_chan *c);
/** UP: send records while fewer than the window are unanswered. */
void soak_chan_fill(struct soak_ctx *x, struct soak_chan *c);
/** poll() events to ask for (0: no fd). */
short soak_chan_events(const struct soak_chan *c);
/** Handle poll()'s answer for this path's fd. */
void soak_chan_ready(struct soak_ctx *x, struct soak_chan *c, short revents);
/** Close without counting a hang-up (end of run). */
void soak_chan_close(struct soak_chan *c);

/** Record a violation in res->error's log (the first few go to cfg->log). */
void soak_note(struct soak_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* SOAK_INTERNAL_H */
