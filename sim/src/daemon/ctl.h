/*
 * The control socket (RUNDIR/control): one request line per connection, one reply.
 * Reply format: a first line "ok" or "error: <what>", then free text, then EOF.
 */
#ifndef AMP_SIM_CTL_H
#define AMP_SIM_CTL_H

#include <glib.h>

/** Handle one command (e.g. "status"); append the reply text to @out. FALSE = error text in @out.
 */
typedef gboolean (*amp_ctl_handler)(void *ctx, const char *cmd, GString *out);

struct amp_ctl_server;

struct amp_ctl_server *amp_ctl_server_new(const char *path, amp_ctl_handler handler, void *ctx,
					  GError **err);
void amp_ctl_server_free(struct amp_ctl_server *s);

/**
 * Client side: send @cmd to the run whose control socket is @path and put the reply text
 * (without the status line) into @reply. Returns 0 on "ok", 1 on "error: ..." (the
 * message in @reply), -1 with @err set when the run cannot be reached.
 */
int amp_ctl_request(const char *path, const char *cmd, GString *reply, GError **err);

#endif /* AMP_SIM_CTL_H */
