/*
 * `ampsim web` from the server's side (issue 18; docs/teaching.md): the page and the JSON
 * it serves for a live echo run, its server-sent events, bad control requests refused
 * with a status and a reason, loopback by default (and a warning for another address), a
 * busy port refused with a clear message. The browser's side is tests/browser/web_e2e.mjs.
 * Every wait is for a condition, bounded by a generous timeout.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "itest.h"

#define EP "rpmsg-openamp-demo-channel"
#define WEB_BIG 257 /* one byte over the limit of a control body */

struct web {
	GPid pid;
	int out, err; /* its stdout and stderr */
	char url[128];
};

/* Read what @p fd has until @p want appears in it (or @p ms pass); the text so far. */
static char *read_until(int fd, const char *want, int ms)
{
	GString *s = g_string_new(NULL);
	int64_t end = itest_now_ms() + ms;
	char buf[512];
	while (!strstr(s->str, want) && itest_now_ms() < end) {
		ssize_t n = itest_read_within(fd, buf, sizeof(buf), (int)(end - itest_now_ms()));
		if (n <= 0)
			break;
		g_string_append_len(s, buf, n);
	}
	return g_string_free(s, FALSE);
}

/* In the child: a test that fails (cmocka jumps out of it) leaves no server behind. */
static void die_with_test(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static void web_start(struct web *w, const char *const *args)
{
	const char *argv[8] = {AMPSIM_BIN, "web"};
	int n = 2;
	for (; args && args[n - 2]; n++)
		argv[n] = args[n - 2];
	argv[n] = NULL;
	g_autoptr(GError) err = NULL;
	assert_true(g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
					     die_with_test, NULL, &w->pid, NULL, &w->out, &w->err,
					     &err));
}

/* Start it on a free loopback port and take its address from its first line. */
static void web_serve(struct web *w, const char *dir)
{
	const char *args[] = {dir, "--listen", "127.0.0.1:0", NULL};
	web_start(w, args);
	g_autofree char *line = read_until(w->out, "/\n", ITEST_BOOT_MS);
	const char *at = strstr(line, " on http://127.0.0.1:");
	if (!at)
		fail_msg("ampsim web said: %s", line);
	itest_fmt(w->url, sizeof(w->url), "%.*s", (int)strcspn(at + 4, "\n"), at + 4);
}

/* Its exit status once it ended by itself or by @p sig (0: wait only). */
static int web_end(struct web *w, int sig)
{
	int st = 0;
	if (sig)
		kill(w->pid, sig);
	assert_int_equal(waitpid(w->pid, &st, 0), w->pid);
	close(w->out);
	close(w->err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int connect_port(unsigned port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(s);
		return -1;
	}
	return s;
}

/*
 * One HTTP/1.1 request over a plain socket (Connection: close; a client library's own
 * threads would hide its synchronisation from ThreadSanitizer), sent; the socket.
 */
static int http_send(struct web *w, const char *method, const char *path, const char *body,
		     gboolean page_header)
{
	unsigned port = 0;
	assert_int_equal(sscanf(w->url, "http://127.0.0.1:%u/", &port), 1);
	int s = connect_port(port);
	assert_true(s >= 0);
	g_autofree char *rq = g_strdup_printf(
	    "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%sContent-Length: "
	    "%zu\r\n\r\n%s",
	    method, path, page_header ? "X-Ampsim: 1\r\n" : "", body ? strlen(body) : 0,
	    body ? body : "");
	assert_int_equal(write(s, rq, strlen(rq)), (ssize_t)strlen(rq));
	return s;
}

/*
 * The answer to @p what on @p s (closed): its body, NUL-terminated; *status the HTTP status; *value
 * the response header @p header (or NULL) if asked.
 */
static char *http_answer(struct web *w, int s, const char *what, unsigned *status,
			 const char *header, char **value)
{
	g_autofree char *all = read_until(s, "\x01", ITEST_REPLY_MS); /* to the end */
	close(s);
	const char *head_end = strstr(all, "\r\n\r\n");
	if (!head_end || sscanf(all, "HTTP/1.1 %u", status) != 1) {
		g_autofree char *said = read_until(w->err, "\x01", 500); /* why, if it died */
		fail_msg("%s: not an HTTP answer: %.200s\nampsim web's stderr: %.4000s", what, all,
			 said);
	}
	if (header) {
		g_autofree char *key = g_strdup_printf("\r\n%s: ", header);
		const char *h = g_strstr_len(all, head_end - all, key);
		*value = h ? g_strndup(h + strlen(key), strcspn(h + strlen(key), "\r")) : NULL;
	}
	return g_strdup(head_end + 4);
}

static char *http(struct web *w, const char *method, const char *path, const char *body,
		  gboolean page_header, unsigned *status, const char *header, char **value)
{
	int s = http_send(w, method, path, body, page_header);
	g_autofree char *what = g_strdup_printf("%s %s", method, path);
	return http_answer(w, s, what, status, header, value);
}

static char *post(struct web *w, const char *path, const char *body, unsigned *status)
{
	return http(w, "POST", path, body, TRUE, status, NULL, NULL);
}

static JsonObject *parse(JsonParser *p, const char *text)
{
	g_autoptr(GError) err = NULL;
	if (!json_parser_load_from_data(p, text, -1, &err))
		fail_msg("not JSON (%s): %.300s", err->message, text);
	assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)));
	return json_node_get_object(json_parser_get_root(p));
}

/* The channel's row of a frame's endpoints, or NULL. */
static JsonObject *endpoint(JsonObject *frame)
{
	JsonArray *a = json_object_get_array_member(frame, "endpoints");
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *e = json_array_get_object_element(a, i);
		if (!strcmp(json_object_get_string_member(e, "name"), EP))
			return e;
	}
	return NULL;
}

static void boot_echo(struct itest_run *r)
{
	itest_run_boot(r, ECHO_FW, NULL, "rpmsg0");
}

/* The page, from the binary; the frame's JSON as documented; nothing else served. */
static void serves_the_page_and_the_state(void **state)
{
	(void)state;
	struct itest_run r = {0};
	struct web w = {0};
	unsigned st;
	boot_echo(&r);
	web_serve(&w, r.dir);
	g_autofree char *csp = NULL;
	g_autofree char *page =
	    http(&w, "GET", "/", NULL, FALSE, &st, "Content-Security-Policy", &csp);
	assert_int_equal(st, 200);
	assert_non_null(strstr(page, "<svg id=\"stage\""));
	assert_non_null(csp);
	assert_non_null(strstr(csp, "default-src 'self'"));
	const char *files[] = {"/app.js", "/draw.js", "/style.css", "/favicon.svg"};
	for (size_t i = 0; i < G_N_ELEMENTS(files); i++)
		g_free(http(&w, "GET", files[i], NULL, FALSE, &st, NULL, NULL)),
		    assert_int_equal(st, 200);
	g_free(http(&w, "GET", "/web.h", NULL, FALSE, &st, NULL, NULL));
	assert_int_equal(st, 404);
	g_free(http(&w, "GET", "/%2e%2e/%2e%2e/etc/passwd", NULL, FALSE, &st, NULL, NULL));
	assert_int_equal(st, 404);

	g_autoptr(JsonParser) p = json_parser_new();
	g_autofree char *text = http(&w, "GET", "/api/state", NULL, FALSE, &st, NULL, NULL);
	assert_int_equal(st, 200);
	JsonObject *f = parse(p, text);
	assert_int_equal(json_object_get_int_member(f, "version"), 1);
	assert_true(json_object_get_boolean_member(f, "alive"));
	assert_string_equal(json_object_get_string_member(f, "dir"), r.dir);
	JsonObject *status = json_object_get_object_member(f, "status");
	assert_string_equal(json_object_get_string_member(status, "state"), "running");
	assert_false(
	    json_object_get_boolean_member(json_object_get_object_member(f, "step"), "holding"));
	assert_int_equal(json_array_get_length(json_object_get_array_member(f, "doorbells")), 6);
	JsonObject *e = endpoint(f);
	assert_non_null(e);
	assert_int_equal(json_object_get_int_member(e, "fw_addr"), 0x400);
	assert_int_equal(json_object_get_int_member(e, "in"), 0);
	JsonArray *tr = json_object_get_array_member(f, "trace");
	assert_non_null(strstr(json_array_get_string_element(tr, 0), "announced " EP));
	JsonObject *snap = json_object_get_object_member(f, "snapshot");
	assert_true(json_object_get_boolean_member(snap, "header_valid"));
	assert_int_equal(json_array_get_length(json_object_get_array_member(snap, "vrings")), 2);
	assert_int_equal(web_end(&w, SIGTERM), 0);
	itest_run_stop(&r, SIGINT);
}

/* /events: a frame at once, and a new one when a message changed the counts. */
static void events_follow_the_run(void **state)
{
	(void)state;
	struct itest_run r = {0};
	struct web w = {0};
	char buf[64];
	boot_echo(&r);
	web_serve(&w, r.dir);
	guint port = 0;
	assert_int_equal(sscanf(w.url, "http://127.0.0.1:%u/", &port), 1);
	int s = connect_port(port);
	assert_true(s >= 0);
	const char *rq = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
	assert_int_equal(write(s, rq, strlen(rq)), (ssize_t)strlen(rq));
	g_autofree char *first = read_until(s, "\"in\":0", ITEST_REPLY_MS);
	assert_non_null(strstr(first, "text/event-stream"));
	assert_non_null(strstr(first, "data: {\"version\":1"));
	int fd = itest_connect_frames(itest_run_path(&r, "rpmsg0"));
	assert_int_equal(send(fd, "ping", 4, MSG_NOSIGNAL), 4);
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), 4);
	g_autofree char *after = read_until(s, "\"in\":1,\"out\":1", ITEST_REPLY_MS);
	assert_non_null(strstr(after, "\"in\":1,\"out\":1"));
	close(fd);
	close(s);
	assert_int_equal(web_end(&w, SIGTERM), 0);
	itest_run_stop(&r, SIGINT);
}

/* A control request's status and reply ("ok" and the run's words). */
static void expect(struct web *w, const char *path, const char *body, unsigned want,
		   const char *says)
{
	unsigned st;
	g_autofree char *text = post(w, path, body, &st);
	g_autoptr(JsonParser) p = json_parser_new();
	JsonObject *o = parse(p, text);
	if (st != want || !strstr(json_object_get_string_member(o, "reply"), says))
		fail_msg("POST %s '%s': %u %s, expected %u and '%s'", path, body, st, text, want,
			 says);
	assert_int_equal(json_object_get_boolean_member(o, "ok"), want == 200);
}

/* Bad requests are refused with a status and a reason; good ones reach the run. */
static void controls_check_their_input(void **state)
{
	(void)state;
	struct itest_run r = {0};
	struct web w = {0};
	unsigned st;
	char big[WEB_BIG + 1];
	boot_echo(&r);
	web_serve(&w, r.dir);
	g_free(http(&w, "POST", "/api/pause", "", FALSE, &st, NULL, NULL));
	assert_int_equal(st, 403); /* no X-Ampsim: a form of another site */
	g_free(http(&w, "GET", "/api/pause", NULL, TRUE, &st, NULL, NULL));
	assert_int_equal(st, 405);
	g_free(http(&w, "POST", "/", "", TRUE, &st, NULL, NULL));
	assert_int_equal(st, 405);
	memset(big, 'a', sizeof(big) - 1);
	big[WEB_BIG] = '\0';
	expect(&w, "/api/fault", big, 400, "longer than 256 bytes");
	expect(&w, "/api/fault", "fw crash\nat-msg=1", 400, "one line of printable ASCII");
	expect(&w, "/api/step", "two", 400, "count 1..100");
	expect(&w, "/api/step", "0", 400, "count 1..100");
	expect(&w, "/api/pause", "x", 400, "takes no body");
	expect(&w, "/api/reboot", "", 400, "unknown control");
	expect(&w, "/api/fault", "  ", 400, "give a fault rule");
	/* What the run itself refuses: 409 with its words. */
	expect(&w, "/api/step", "", 409, "not in step mode");
	expect(&w, "/api/fault", "fw explode", 409, "explode");
	/* And what it does. */
	expect(&w, "/api/pause", "", 200, "paused");
	assert_non_null(strstr(itest_ctl(&r, "step 0"), "released 0; held 0"));
	expect(&w, "/api/step", "", 200, "released 0; held 0");
	expect(&w, "/api/resume", "", 200, "resumed");
	expect(&w, "/api/fault", "msg:linux->fw drop count=1", 200, "added");
	assert_non_null(strstr(itest_ctl(&r, "fault list"), "msg:linux->fw drop count=1"));
	expect(&w, "/api/fault-clear", "", 200, "fault plan cleared");
	assert_int_equal(web_end(&w, SIGTERM), 0);
	itest_run_stop(&r, SIGINT);
}

/* Loopback unless asked; another address is served with a warning. */
static void loopback_by_default(void **state)
{
	(void)state;
	struct web w = {0};
	const char *none[] = {"nowhere", NULL};
	web_start(&w, none);
	/* The default port may be taken on a shared machine: either way it is loopback's. */
	g_autofree char *out = read_until(w.out, "\n", ITEST_BOOT_MS);
	if (!strstr(out, "on http://127.0.0.1:8480/")) {
		g_autofree char *err = read_until(w.err, "\n", ITEST_BOOT_MS);
		assert_non_null(strstr(err, "cannot listen on 127.0.0.1:8480"));
		assert_int_equal(web_end(&w, 0), 1);
	} else {
		assert_int_equal(web_end(&w, SIGTERM), 0);
	}
	const char *any[] = {"nowhere", "--listen", "0.0.0.0:0", NULL};
	web_start(&w, any);
	g_autofree char *warn = read_until(w.err, "\n", ITEST_BOOT_MS);
	assert_non_null(strstr(warn, "warning: listening on 0.0.0.0:0, not on loopback only"));
	g_autofree char *url = read_until(w.out, "\n", ITEST_BOOT_MS);
	assert_non_null(strstr(url, "ampsim web: serving nowhere on http://"));
	assert_int_equal(web_end(&w, SIGTERM), 0);
	const char *lo[] = {"nowhere", "--listen", "[::1]:0", NULL};
	web_start(&w, lo);
	g_autofree char *url6 = read_until(w.out, "\n", ITEST_BOOT_MS);
	if (strstr(url6, "http://[::1]:")) { /* no IPv6 on some CI hosts: then it says so */
		g_autofree char *quiet = read_until(w.err, "\n", 200);
		assert_null(strstr(quiet, "warning"));
		assert_int_equal(web_end(&w, SIGTERM), 0);
	} else {
		assert_int_equal(web_end(&w, 0), 1);
	}
}

/* Without a run: the frame says so (and the page shows "no run answers"). */
static void no_run_is_said(void **state)
{
	(void)state;
	struct web w = {0};
	unsigned st;
	web_serve(&w, "nowhere");
	g_autoptr(JsonParser) p = json_parser_new();
	g_autofree char *text = http(&w, "GET", "/api/state", NULL, FALSE, &st, NULL, NULL);
	assert_int_equal(st, 200);
	JsonObject *f = parse(p, text);
	assert_false(json_object_get_boolean_member(f, "alive"));
	assert_true(json_object_get_null_member(f, "snapshot"));
	assert_non_null(strstr(json_object_get_string_member(f, "snapshot_error"),
			       "has no record of a shared object"));
	assert_int_equal(json_array_get_length(json_object_get_array_member(f, "endpoints")), 0);
	expect(&w, "/api/pause", "", 502, "no ampsim run answers");
	assert_int_equal(web_end(&w, SIGTERM), 0);
}

/* A port in use, or an address that is not one, is refused with what to do. */
static void busy_port_and_bad_address(void **state)
{
	(void)state;
	struct web w = {0};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 1), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	char addr[32];
	itest_fmt(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sa.sin_port));
	const char *busy[] = {"nowhere", "--listen", addr, NULL};
	web_start(&w, busy);
	g_autofree char *err = read_until(w.err, "\n", ITEST_BOOT_MS);
	assert_non_null(strstr(err, "another program uses that port"));
	assert_non_null(strstr(err, addr));
	assert_int_equal(web_end(&w, 0), 1);
	close(s);
	const char *bad[] = {"nowhere", "--listen", "somewhere:80", NULL};
	web_start(&w, bad);
	g_autofree char *why = read_until(w.err, "\n", ITEST_BOOT_MS);
	assert_non_null(strstr(why, "expected ADDRESS:PORT"));
	assert_int_equal(web_end(&w, 0), 2);
}

/*
 * A stand-in for a run's control socket, served by a thread: a run in step mode holding one
 * doorbell (CH2 Linux->firmware) until "step 1". It keeps the first "stats" it is asked
 * waiting until the step is taken, so that the frame being built then asks one question
 * before the step and the next after it.
 */
struct fake_run {
	char dir[200];
	int listener;
	int waiting; /* the "stats" kept waiting, or -1 */
	bool stepped;
	int kept[2]; /* a byte on kept[1]: "stats" is waiting */
	GThread *thread;
};

static void fake_answer(struct fake_run *f, int c, const char *rq)
{
	g_autofree char *text = NULL;
	if (!strcmp(rq, "status"))
		text = g_strdup("ok\nstate: running\ncrashes: 0\n");
	else if (!strcmp(rq, "step 0"))
		text = g_strdup(f->stepped ? "ok\nreleased 0; held 0\n"
					   : "ok\nreleased 0; held 1: Linux->firmware CH2\n");
	else if (!strcmp(rq, "step 1") && !f->stepped) {
		f->stepped = true;
		text = g_strdup("ok\nreleased Linux->firmware CH2 (vring1: new messages)\n"
				"released 1; held 0\n");
	} else if (!strcmp(rq, "stats"))
		text = g_strdup_printf("ok\nIPCC CH2 Linux->firmware: kicks %d\n", f->stepped);
	else
		text = g_strdup_printf("error: the fake run does not take '%s'\n", rq);
	(void)!write(c, text, strlen(text));
	close(c);
}

static gpointer fake_serve(gpointer data)
{
	struct fake_run *f = data;
	for (;;) {
		int c = accept(f->listener, NULL, NULL);
		if (c < 0)
			return NULL;
		char rq[64] = "";
		ssize_t n = itest_read_within(c, rq, sizeof(rq) - 1, ITEST_REPLY_MS);
		rq[n > 0 ? strcspn(rq, "\n") : 0] = '\0';
		if (!strcmp(rq, "stats") && !f->stepped && f->waiting < 0) {
			f->waiting = c;
			assert_int_equal(write(f->kept[1], "", 1), 1);
			continue;
		}
		fake_answer(f, c, rq);
		if (f->stepped && f->waiting >= 0) {
			fake_answer(f, f->waiting, "stats");
			f->waiting = -1;
		}
	}
}

static void fake_run_start(struct fake_run *f)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	itest_fmt(f->dir, sizeof(f->dir), "%s", itest_scratch_path("fake-run"));
	assert_int_equal(mkdir(f->dir, 0700), 0);
	itest_fmt(sa.sun_path, sizeof(sa.sun_path), "%s/control", f->dir);
	f->listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(f->listener, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->listener, 8), 0);
	assert_int_equal(pipe(f->kept), 0);
	f->waiting = -1;
	f->thread = g_thread_new("fake-run", fake_serve, f);
}

static void fake_run_stop(struct fake_run *f)
{
	shutdown(f->listener, SHUT_RDWR); /* its accept() fails: the thread ends */
	g_thread_join(f->thread);
	close(f->listener);
	close(f->kept[0]);
	close(f->kept[1]);
}

/*
 * A frame shows the run as it was after a control request, never half before and half
 * after: a frame begun before a step and finished after it is built again. (Before, the
 * page could show the doorbell just stepped as still held next to the count it added, and
 * a click on "Step" then released nothing.)
 */
static void a_frame_is_never_half_before_a_control(void **state)
{
	(void)state;
	struct fake_run f = {0};
	struct web w = {0};
	unsigned port = 0;
	char b;
	fake_run_start(&f);
	web_serve(&w, f.dir);
	/* A browser comes: the first frame is built, and asks "stats", which waits. */
	assert_int_equal(sscanf(w.url, "http://127.0.0.1:%u/", &port), 1);
	int s = connect_port(port);
	assert_true(s >= 0);
	const char *rq = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
	assert_int_equal(write(s, rq, strlen(rq)), (ssize_t)strlen(rq));
	assert_int_equal(itest_read_within(f.kept[0], &b, 1, ITEST_REPLY_MS), 1);
	expect(&w, "/api/step", "1", 200, "released 1; held 0");
	/* The first frame that counts the step's kick ("step" comes before "doorbells"). */
	const char *kick = "{\"ch\":2,\"to_fw\":1,";
	g_autofree char *events = read_until(s, kick, ITEST_REPLY_MS);
	char *at = strstr(events, kick);
	if (!at)
		fail_msg("no frame counts the step: %s", events);
	*at = '\0';
	const char *frame = g_strrstr(events, "data: ");
	assert_non_null(frame);
	if (!strstr(frame, "\"held\":[]"))
		fail_msg("a frame of before and after the step: %s", frame);
	close(s);
	fake_run_stop(&f);
	assert_int_equal(web_end(&w, SIGTERM), 0);
}

/* A free loopback port, as the kernel picks one (closed again: a tiny race, at worst a
 * clear failure). */
static unsigned free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &len), 0);
	close(s);
	return ntohs(sa.sin_port);
}

static bool port_answers(unsigned port)
{
	int s = connect_port(port);
	if (s >= 0)
		close(s);
	return s >= 0;
}

/* `ampsim run --web=ADDR:PORT` serves the view of its own run, and ends it with the run. */
static void run_serves_its_view(void **state)
{
	(void)state;
	struct itest_run r = {0};
	struct web w = {0};
	unsigned st, port = free_port();
	char addr[48];
	itest_fmt(addr, sizeof(addr), "127.0.0.1:%u", port);
	const char *opts[] = {"--web", addr, NULL}; /* as two words; "--web=ADDR" is GOption's */
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	int64_t end = itest_now_ms() + ITEST_BOOT_MS;
	while (!port_answers(port) && itest_now_ms() < end)
		itest_msleep(10);
	itest_fmt(w.url, sizeof(w.url), "http://127.0.0.1:%u/", port);
	g_autoptr(JsonParser) p = json_parser_new();
	g_autofree char *text = http(&w, "GET", "/api/state", NULL, FALSE, &st, NULL, NULL);
	assert_int_equal(st, 200);
	assert_string_equal(json_object_get_string_member(parse(p, text), "dir"), r.dir);
	itest_run_stop(&r, SIGINT); /* waits for the daemon, which waits for its web child */
	assert_false(port_answers(port));
}

/* A bare --web takes the default address, never the FIRMWARE word after it. */
static void a_bare_web_leaves_the_firmware(void **state)
{
	(void)state;
	struct itest_run r = {0};
	const char *opts[] = {"--web", NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	itest_run_stop(&r, SIGINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(serves_the_page_and_the_state, itest_run_teardown),
	    cmocka_unit_test_teardown(events_follow_the_run, itest_run_teardown),
	    cmocka_unit_test_teardown(controls_check_their_input, itest_run_teardown),
	    cmocka_unit_test_teardown(run_serves_its_view, itest_run_teardown),
	    cmocka_unit_test_teardown(a_bare_web_leaves_the_firmware, itest_run_teardown),
	    cmocka_unit_test(loopback_by_default),
	    cmocka_unit_test(no_run_is_said),
	    cmocka_unit_test(busy_port_and_bad_address),
	    cmocka_unit_test(a_frame_is_never_half_before_a_control),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
