/*
 * `ampsim web`: a live view of a run for teaching (docs/teaching.md). A libsoup 3 server on
 * the GLib main loop serves a page compiled into ampsim (a GResource built from page/) and pushes
 * the run's state to every browser over server-sent events. The state is gathered once per tick in
 * a worker thread, whatever the number of browsers, from the sources `ampsim inspect` and `ampsim
 * ctl` use (the inspector's snapshot, the control socket): the run pays per tick, not per browser.
 * Nothing here reads the shared object another way.
 */
#ifndef AMP_WEB_H
#define AMP_WEB_H

#include <gio/gio.h>
#include <glib.h>

#define WEB_DEFAULT_LISTEN "127.0.0.1:8480"
#define WEB_MAX_BODY 256   /* a control request's body: a step count or one fault rule line */
#define WEB_TRACE_LINES 60 /* the firmware trace's last lines in a frame */

/* web_frame.c: one frame of the page's state, JSON on one line (docs/teaching.md#the-json). */
char *web_frame_build(const char *dir);

/* Before the first frame is built in a thread: GLib and json-glib make some of their locks
 * and types on first use, with atomics ThreadSanitizer cannot see; made here, on the main
 * thread, they are shared from the start. */
void web_frame_warm_up(void);

/* A control request to the run: "step N", "pause", "resume", "fault add RULE", "fault
 * clear"; the reply as JSON {"ok":..,"reply":".."}. *status: the HTTP status to answer. */
char *web_control(const char *dir, const char *what, const char *body, unsigned *status);

/* The text of a request body checked: at most WEB_MAX_BODY bytes of printable ASCII, one
 * line; NULL and @p why otherwise. */
char *web_body_text(const char *data, gsize len, const char **why);

/* web_server.c */
struct web;
/* Listen on @p listen ("ADDR:PORT", "[V6]:PORT"; port 0 picks one) and serve @p dir. */
struct web *web_new(const char *dir, const char *listen, int interval_ms, GError **err);
/* The URL it serves, e.g. "http://127.0.0.1:8480/". */
const char *web_url(const struct web *w);
/* Whether it listens on a loopback address only. */
gboolean web_loopback(const struct web *w);
void web_free(struct web *w);

#endif /* AMP_WEB_H */
