/*
 * The fault-plan tests' host (test_faults*.c): libampsim over a firmware, with what arrives
 * recorded, the channel tracked and crashes counted with their reason.
 */
#ifndef AMP_FAULT_HOST_H
#define AMP_FAULT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include <ampsim/host.h>

/** How long "nothing arrives" is watched: a fault that failed shows. */
#define QUIET_MS 300

struct fctx {
	struct amp_host *h;
	struct amp_host_chan *chan; /* the firmware's channel, NULL while none */
	GString *got;		    /* every message received, each followed by '|' */
	unsigned got_n, crashes, chans, tx_ready;
	size_t last_len; /* of the last message received */
	char why[160];	 /* the last crash reason */
};

/** A host for @p fw (not started); @p recovery: restart the firmware after a crash. */
struct amp_host *fctx_host_new(struct fctx *c, const char *fw, char **args, unsigned wdg_ms,
			       bool recovery);

/** Start the firmware (fails the test if it cannot). */
void fctx_start(struct fctx *c);

/** Wait until the firmware has announced its channel. */
void fctx_wait_channel(struct fctx *c);

/** Load @p spec into the plan, with @p seed (fails the test if refused). */
void fctx_load(struct fctx *c, const char *spec, uint64_t seed);

/** Boot @p fw, wait for its channel, then load @p spec with @p seed. */
struct amp_host *fctx_echo_with(struct fctx *c, const char *fw, const char *spec, uint64_t seed);

void fctx_send(struct fctx *c, const char *s);

/** Wait until @p n messages in all have arrived, then check nothing more comes. */
void fctx_expect_got(struct fctx *c, unsigned n, const char *all);

/** Nothing more arrives for QUIET_MS. */
void fctx_expect_quiet(struct fctx *c, const char *all);

void fctx_done(struct fctx *c);

/**
 * Each of the @p n rules bad[i][0] is refused by @p h's plan with AMP_EINVAL, and its
 * message names bad[i][1] and docs/faults.md.
 */
void fctx_expect_refused(struct amp_host *h, const char *const bad[][2], size_t n);

#endif /* AMP_FAULT_HOST_H */
