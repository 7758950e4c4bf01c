/*
 * `ampsim web`'s HTTP server (libsoup 3, on the GLib main loop): the page from the GResource,
 * /api/state (the last frame), /events (server-sent events: a frame each time the state
 * changes) and the controls (POST /api/step, pause, resume, fault, fault-clear).
 *
 * The run is asked once per tick in a worker thread, and only while someone watches: the
 * cost to the run does not grow with the number of browsers (docs/teaching.md measures it).
 * A browser that does not keep up is skipped (it gets the next frame, which is complete),
 * so a slow one costs memory for a few frames at most.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <libsoup/soup.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "web.h"

#define RES_PREFIX "/org/ampsim/web/"
#define MAX_QUEUED 4 /* frames written to a browser and not yet sent before it is skipped */
/* A comment line to each browser when nothing changed for this long: a browser that left is
 * only noticed when something is written to it. */
#define KEEPALIVE_US (10 * G_USEC_PER_SEC)

struct sse {
	struct web *w;
	SoupServerMessage *msg;
	unsigned queued;
};

struct web {
	SoupServer *srv;
	char *dir, *url;
	gboolean loopback;
	int interval_ms;
	GPtrArray *clients; /* struct sse * */
	GPtrArray *waiting; /* SoupServerMessage *: /api/state before the first frame */
	char *frame;	    /* the last frame (JSON), or NULL */
	guint64 seq;
	gint64 sent_at;	  /* g_get_monotonic_time() of the last frame or keep-alive */
	gboolean polling; /* a frame is being built */
	gboolean stale;	  /* ... and a control request was answered meanwhile */
	guint timer;
	struct job *job; /* the frame being built */
	int wake[2];	 /* its thread's "done" pipe */
	guint wake_src;
};

static void poll_soon(struct web *w);
static void poll_now(struct web *w);

/* ---- the frames ---------------------------------------------------------------------------- */

static void sse_send(struct sse *c, const char *frame, guint64 seq)
{
	if (c->queued >= MAX_QUEUED)
		return; /* it does not keep up: the next frame will do */
	g_autofree char *ev =
	    g_strdup_printf("id: %" G_GUINT64_FORMAT "\ndata: %s\n\n", seq, frame);
	SoupMessageBody *body = soup_server_message_get_response_body(c->msg);
	size_t len = strlen(ev); /* before the steal: argument order is unspecified */
	soup_message_body_append(body, SOUP_MEMORY_TAKE, g_steal_pointer(&ev), len);
	c->queued++;
	soup_server_message_unpause(c->msg);
}

static void answer_json(SoupServerMessage *msg, unsigned status, const char *json)
{
	soup_server_message_set_status(msg, status, NULL);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
				     "no-store");
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, json,
					 strlen(json));
}

/*
 * The frame is built in a thread of its own (the run's answers can take up to 2 s each when
 * it hangs) and handed back by pthread_join(), after the thread rang the pipe: a plain
 * POSIX hand-off that ThreadSanitizer sees, where GLib's thread pool synchronises with
 * futexes it cannot see.
 */
struct job {
	pthread_t thread;
	char *dir, *frame;
	int wake; /* the pipe's write end */
};

static void *build_in_thread(void *data)
{
	struct job *j = data;
	j->frame = web_frame_build(j->dir);
	ssize_t n;
	do
		n = write(j->wake, "", 1);
	while (n < 0 && errno == EINTR);
	return NULL;
}

static void frame_built(struct web *w, char *frame_in)
{
	g_autofree char *frame = frame_in;
	w->polling = FALSE;
	if (w->stale) {
		/* It may hold answers from before the request and from after it (a step
		 * shown as done and its doorbell as still held): build it again. */
		w->stale = FALSE;
		poll_now(w);
		return;
	}
	gboolean changed = frame && g_strcmp0(frame, w->frame) != 0;
	if (changed) {
		g_free(w->frame);
		w->frame = g_steal_pointer(&frame);
		w->seq++;
	}
	if (changed || g_get_monotonic_time() - w->sent_at > KEEPALIVE_US) {
		w->sent_at = g_get_monotonic_time();
		/* backwards: a client that is gone leaves the array during the send */
		for (guint i = w->clients->len; i-- > 0;)
			sse_send(g_ptr_array_index(w->clients, i), changed ? w->frame : NULL,
				 w->seq);
	}
	while (w->waiting->len) {
		SoupServerMessage *m = g_ptr_array_steal_index(w->waiting, 0);
		answer_json(m, 200, w->frame);
		soup_server_message_unpause(m);
		g_object_unref(m);
	}
	if (w->clients->len)
		poll_soon(w);
}

/* The pipe rang: the job's thread is done, or about to be. */
static gboolean on_job_done(gint fd, GIOCondition cond, gpointer data)
{
	(void)cond;
	struct web *w = data;
	char b;
	if (read(fd, &b, 1) != 1 || !w->job)
		return G_SOURCE_CONTINUE;
	struct job *j = g_steal_pointer(&w->job);
	pthread_join(j->thread, NULL);
	g_free(j->dir);
	frame_built(w, j->frame);
	g_free(j);
	return G_SOURCE_CONTINUE;
}

static void poll_now(struct web *w)
{
	if (w->polling)
		return;
	struct job *j = g_new0(struct job, 1);
	j->dir = g_strdup(w->dir);
	j->wake = w->wake[1];
	if (pthread_create(&j->thread, NULL, build_in_thread, j) != 0) {
		g_warning("cannot start a thread to ask the run; trying again later");
		g_free(j->dir);
		g_free(j);
		poll_soon(w);
		return;
	}
	w->polling = TRUE;
	w->job = j;
}

static gboolean on_tick(gpointer data)
{
	struct web *w = data;
	w->timer = 0;
	poll_now(w);
	return G_SOURCE_REMOVE;
}

static void poll_soon(struct web *w)
{
	if (!w->timer)
		w->timer = g_timeout_add((guint)w->interval_ms, on_tick, w);
}

/* ---- /events: server-sent events ----------------------------------------------------------- */

static void sse_wrote(SoupServerMessage *msg, gpointer data)
{
	(void)msg;
	struct sse *c = data;
	if (c->queued)
		c->queued--;
}

static void sse_gone(SoupServerMessage *msg, gpointer data)
{
	struct sse *c = data;
	g_signal_handlers_disconnect_by_data(msg, c);
	g_ptr_array_remove_fast(c->w->clients, c);
	g_debug("a browser left; %u watch", c->w->clients->len);
	g_object_unref(c->msg);
	g_free(c);
}

static void serve_events(struct web *w, SoupServerMessage *msg)
{
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	soup_server_message_set_status(msg, 200, NULL);
	soup_message_headers_set_encoding(h, SOUP_ENCODING_CHUNKED);
	soup_message_headers_set_content_type(h, "text/event-stream", NULL);
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_body_set_accumulate(soup_server_message_get_response_body(msg), FALSE);
	struct sse *c = g_new0(struct sse, 1);
	c->w = w;
	c->msg = g_object_ref(msg);
	g_signal_connect(msg, "wrote-chunk", G_CALLBACK(sse_wrote), c);
	g_signal_connect(msg, "finished", G_CALLBACK(sse_gone), c);
	g_ptr_array_add(w->clients, c);
	g_debug("a browser came; %u watch", w->clients->len);
	/* "retry": a browser reconnects after 1 s when the server goes (EventSource does). */
	soup_message_body_append(soup_server_message_get_response_body(msg), SOUP_MEMORY_STATIC,
				 "retry: 1000\n\n", 13);
	if (w->frame)
		sse_send(c, w->frame, w->seq);
	poll_now(w);
}

/* ---- the page, the state and the controls -------------------------------------------------- */

static const char *content_type(const char *path)
{
	return g_str_has_suffix(path, ".html")	? "text/html; charset=utf-8"
	       : g_str_has_suffix(path, ".js")	? "text/javascript; charset=utf-8"
	       : g_str_has_suffix(path, ".css") ? "text/css; charset=utf-8"
	       : g_str_has_suffix(path, ".svg") ? "image/svg+xml"
						: "application/octet-stream";
}

/* A file of the page, from the GResource compiled into ampsim: "/" is index.html. */
static void serve_file(SoupServerMessage *msg, const char *path)
{
	const char *name = strcmp(path, "/") ? path + 1 : "index.html";
	g_autofree char *res = g_strconcat(RES_PREFIX, name, NULL);
	g_autoptr(GBytes) data =
	    strstr(name, "..") || strchr(name, '/') ? NULL : g_resources_lookup_data(res, 0, NULL);
	if (!data) {
		soup_server_message_set_status(msg, 404, NULL);
		soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_STATIC,
						 "not found\n", 10);
		return;
	}
	soup_server_message_set_status(msg, 200, NULL);
	SoupMessageHeaders *h = soup_server_message_get_response_headers(msg);
	/* Nothing may come from elsewhere: the page is whole, and says so to the browser. */
	soup_message_headers_replace(h, "Content-Security-Policy",
				     "default-src 'self'; img-src 'self' data:; "
				     "frame-ancestors 'none'");
	soup_message_headers_replace(h, "X-Content-Type-Options", "nosniff");
	gsize len;
	const void *p = g_bytes_get_data(data, &len);
	soup_server_message_set_response(msg, content_type(name), SOUP_MEMORY_COPY, p, len);
}

static void refuse(SoupServerMessage *msg, unsigned status, const char *why)
{
	g_autofree char *esc = g_strescape(why, NULL);
	g_autofree char *json = g_strdup_printf("{\"ok\":false,\"reply\":\"%s\"}", esc);
	answer_json(msg, status, json);
}

/*
 * POST /api/WHAT: a control request. A page of another site could make a browser post here
 * (a form to 127.0.0.1): a custom header, which such a form cannot set without the CORS
 * preflight this server never grants, proves the request comes from the page itself.
 */
static void serve_control(struct web *w, SoupServerMessage *msg, const char *what)
{
	SoupMessageHeaders *rq = soup_server_message_get_request_headers(msg);
	if (strcmp(soup_server_message_get_method(msg), SOUP_METHOD_POST)) {
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow",
					     "POST");
		refuse(msg, 405, "use POST for a control request");
		return;
	}
	if (g_strcmp0(soup_message_headers_get_one(rq, "X-Ampsim"), "1")) {
		refuse(msg, 403,
		       "a control request needs the header X-Ampsim: 1 (the page sends it)");
		return;
	}
	SoupMessageBody *body = soup_server_message_get_request_body(msg);
	const char *why = NULL;
	g_autofree char *text = web_body_text(body->data, (gsize)body->length, &why);
	if (!text) {
		refuse(msg, 400, why);
		return;
	}
	unsigned status = 500;
	g_autofree char *reply = web_control(w->dir, what, text, &status);
	answer_json(msg, status, reply);
	w->stale = w->polling;
	poll_now(w); /* show its effect at once */
}

static void serve_state(struct web *w, SoupServerMessage *msg)
{
	if (w->frame) {
		answer_json(msg, 200, w->frame);
		return;
	}
	soup_server_message_pause(msg);
	g_ptr_array_add(w->waiting, g_object_ref(msg));
	poll_now(w);
}

static void route(SoupServer *srv, SoupServerMessage *msg, const char *path, GHashTable *query,
		  gpointer data)
{
	(void)srv;
	(void)query;
	struct web *w = data;
	const char *method = soup_server_message_get_method(msg);
	if (g_str_has_prefix(path, "/api/") && strcmp(path, "/api/state")) {
		serve_control(w, msg, path + 5);
		return;
	}
	if (strcmp(method, SOUP_METHOD_GET) && strcmp(method, SOUP_METHOD_HEAD)) {
		soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow",
					     "GET, HEAD");
		refuse(msg, 405, "only GET and HEAD here");
	} else if (!strcmp(path, "/api/state")) {
		serve_state(w, msg);
	} else if (!strcmp(path, "/events")) {
		serve_events(w, msg);
	} else {
		serve_file(msg, path);
	}
}

/* ---- listening ----------------------------------------------------------------------------- */

/* "ADDR:PORT" or "[V6ADDR]:PORT" ("localhost" is 127.0.0.1) -> an address; NULL and @p err. */
static GSocketAddress *parse_listen(const char *s, GError **err)
{
	const char *colon = strrchr(s, ':');
	guint64 port = 0;
	g_autofree char *host = colon ? g_strndup(s, (gsize)(colon - s)) : NULL;
	if (host && host[0] == '[' && g_str_has_suffix(host, "]")) {
		memmove(host, host + 1, strlen(host) - 1);
		host[strlen(host) - 2] = '\0';
	}
	g_autoptr(GInetAddress) a = !host ? NULL
				    : !strcmp(host, "localhost")
					? g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4)
					: g_inet_address_new_from_string(host);
	if (!a || !g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL)) {
		amp_set_error(err, AMP_EINVAL,
			      "--listen '%s': expected ADDRESS:PORT with a numeric address, e.g. "
			      "127.0.0.1:8480, [::1]:8480 or 0.0.0.0:8480 (port 0..65535; 0 "
			      "picks a free one)",
			      s);
		return NULL;
	}
	return g_inet_socket_address_new(a, (guint16)port);
}

static gboolean listen_on(struct web *w, const char *listen, GError **err)
{
	g_autoptr(GSocketAddress) sa = parse_listen(listen, err);
	if (!sa)
		return FALSE;
	GInetAddress *a = g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa));
	w->loopback = g_inet_address_get_is_loopback(a);
	g_autoptr(GError) e = NULL;
	if (!soup_server_listen(w->srv, sa, 0, &e)) {
		gboolean busy = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
		amp_set_error(err, busy ? AMP_EBUSY : AMP_EIO, "cannot listen on %s: %s%s", listen,
			      e->message,
			      busy ? "; another program uses that port: choose another with "
				     "--listen ADDRESS:PORT (port 0 picks a free one)"
				   : "");
		return FALSE;
	}
	GSList *uris = soup_server_get_uris(w->srv);
	w->url = uris ? g_uri_to_string(uris->data) : g_strdup("?");
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return TRUE;
}

struct web *web_new(const char *dir, const char *listen, int interval_ms, GError **err)
{
	struct web *w = g_new0(struct web, 1);
	w->dir = g_strdup(dir);
	w->interval_ms = interval_ms;
	w->clients = g_ptr_array_new();
	w->waiting = g_ptr_array_new();
	if (!g_unix_open_pipe(w->wake, FD_CLOEXEC, NULL)) {
		amp_set_error_errno(err, errno, "cannot make a pipe");
		w->wake[0] = w->wake[1] = -1;
		web_free(w);
		return NULL;
	}
	w->wake_src = g_unix_fd_add(w->wake[0], G_IO_IN, on_job_done, w);
	web_frame_warm_up();
	w->srv = soup_server_new("server-header", "ampsim-web ", NULL);
	soup_server_add_handler(w->srv, NULL, route, w, NULL);
	if (!listen_on(w, listen, err)) {
		web_free(w);
		return NULL;
	}
	return w;
}

const char *web_url(const struct web *w)
{
	return w->url;
}

gboolean web_loopback(const struct web *w)
{
	return w->loopback;
}

void web_free(struct web *w)
{
	if (!w)
		return;
	if (w->timer)
		g_source_remove(w->timer);
	if (w->job) { /* bounded: each of its requests gives up after 2 s */
		pthread_join(w->job->thread, NULL);
		g_free(w->job->frame);
		g_free(w->job->dir);
		g_free(w->job);
	}
	if (w->wake_src)
		g_source_remove(w->wake_src);
	for (int i = 0; i < 2; i++)
		if (w->wake[i] >= 0)
			close(w->wake[i]);
	if (w->srv) {
		soup_server_disconnect(w->srv); /* finishes every message: the clients go */
		g_object_unref(w->srv);
	}
	while (w->waiting->len)
		g_object_unref(g_ptr_array_steal_index(w->waiting, 0));
	g_ptr_array_unref(w->waiting);
	g_ptr_array_unref(w->clients);
	g_free(w->frame);
	g_free(w->dir);
	g_free(w->url);
	g_free(w);
}
