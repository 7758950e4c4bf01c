/*
 * What the rproc tests with real firmware processes share (test_rproc_lifecycle.c,
 * test_recovery.c): libampsim on a private GMainContext, the only one they iterate, with
 * what the host reports recorded in a struct host_events.
 */
#ifndef AMP_HOST_EVENTS_H
#define AMP_HOST_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include <ampsim/host.h>

struct host_events {
	struct amp_host_chan *ch;		      /* the firmware's channel, NULL while none */
	unsigned channels;			      /* channel_new calls */
	unsigned gone;				      /* channel_gone calls */
	unsigned crashed, started, stopping, stopped; /* rproc events of each kind */
	size_t rx_bytes;			      /* received in all */
	char last[64]; /* the last message received, cut to fit, NUL-terminated */
};

/* The tests' context: made by loop_ctx_setup(), freed by loop_ctx_teardown(). */
extern GMainContext *loop_ctx;

/* The callbacks that fill a struct host_events (the host's priv). */
extern const struct amp_host_ops host_events_ops;

/*
 * A host for @p fw on loop_ctx reporting to @p c (zeroed first): @p args for the firmware,
 * recovery off if @p no_recovery, a watchdog timeout override unless @p wdg_ms is 0.
 * NULL with @p err when it is refused.
 */
struct amp_host *host_events_new(struct host_events *c, const char *fw, char **args,
				 bool no_recovery, unsigned wdg_ms, GError **err);

/* host_events_new(), then amp_host_start(); fails the test if either fails. */
struct amp_host *host_events_started(struct host_events *c, const char *fw, char **args,
				     bool no_recovery, unsigned wdg_ms);

/* Iterate loop_ctx until *@p count reaches @p want or @p ms pass; whether it did. */
bool loop_until(const unsigned *count, unsigned want, int ms);

/* cmocka group setup and teardown: a fresh loop_ctx; at the end, nothing was left on the
 * default context (never iterated: a source a library attached there would never run). */
int loop_ctx_setup(void **state);
int loop_ctx_teardown(void **state);

#endif /* AMP_HOST_EVENTS_H */
