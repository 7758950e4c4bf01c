/*
 * The control socket (RUNDIR/control): one request line per connection, one reply.
 * Reply format: a first line "ok" or "error: <what>", then free text, then EOF.
 */
#ifndef AMP_SIM_CTL_H
#define AMP_SIM_CTL_H

#include <glib.h>

struct amp_ctl_server;
/** A request whose answer comes later (amp_ctl_defer()). */
struct amp_ctl_pending;

/**
 * Handle one command (e.g. "status"); append the reply text to @out. FALSE = error text in
 * @out. A handler that can only answer later (stop waits for the firmware to exit) calls
 * amp_ctl_defer() and answers with amp_ctl_finish(); what it returns is then ignored.
 */
struct amp_fd_group;

typedef gboolean (*amp_ctl_handler)(void *ctx, const char *cmd, GString *out);

/** Listen on @p path (SOCK_STREAM), in @p group if not NULL (sock_server.h's cfg.group). NULL
 * with @p err set, as amp_sock_server_new(). */
struct amp_ctl_server *amp_ctl_server_new(const char *path, amp_ctl_handler handler, void *ctx,
					  struct amp_fd_group *group, GError **err);
/** Frees @p s; requests still deferred are answered "error: the run is ending". */
void amp_ctl_server_free(struct amp_ctl_server *s);

/** From inside the handler only: keep the connection open, answer later. */
struct amp_ctl_pending *amp_ctl_defer(struct amp_ctl_server *s);
/** Answer a deferred request ("ok" or "error: ", then @p text) and close it. */
void amp_ctl_finish(struct amp_ctl_pending *p, gboolean ok, const char *text);

/**
 * Client side: send @cmd to the run whose control socket is @path and put the reply text
 * (without the status line) into @reply; *@ok says whether the run answered "ok" or
 * "error: ..." (the message in @reply).
 *
 * @retval AMP_OK        the run answered
 * @retval AMP_EINVAL    @path too long for a socket address
 * @retval AMP_ENOTCONN  it hung up without answering
 * @retval AMP_EPROTO    it answered something else
 * @retval other         no run answers: connect's errno through amp_from_errno() (AMP_ENOENT
 *                       when no socket is there, AMP_ENOTCONN when nobody listens on it)
 * Each error is also in @err (AMP_ERROR) with what to do.
 */
int amp_ctl_request(const char *path, const char *cmd, GString *reply, gboolean *ok, GError **err);
/** As amp_ctl_request(), giving up after @ms ms without an answer (0: wait forever), as
 * AMP_ENOTCONN. */
int amp_ctl_request_within(const char *path, const char *cmd, GString *reply, gboolean *ok, int ms,
			   GError **err);

#endif /* AMP_SIM_CTL_H */
