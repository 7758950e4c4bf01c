/*
 * One frame of `ampsim web`'s page: the run's state as one JSON object, gathered from the
 * inspector's snapshot (src/inspect/snap.h) and the control socket's answers (status,
 * endpoints, stats, trace, step 0). Every answer is text a firmware can partly write
 * (channel names, its trace buffer): it is parsed strictly, cut to size and made valid
 * UTF-8 here, and the page checks again what it draws (page/app.js).
 */
#include <stdio.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include <amp/error.h>
#include <ampsim/error.h>

#include "../daemon/ctl.h"
#include "../inspect/snap.h"
#include "web.h"

#define ASK_MS 2000	 /* as ampsim inspect: a run that does not answer is not running */
#define MAX_TEXT 240	 /* a string value's longest */
#define MAX_IPCC_CH 6	 /* IPCC channels on the STM32MP1 */
#define MAX_ENDPOINTS 64 /* endpoints listed */

/* A request to the run's control socket; NULL when no run answers. */
static char *ask(const char *dir, const char *req, gboolean *ok)
{
	g_autofree char *sock = g_build_filename(dir, "control", NULL);
	g_autoptr(GString) reply = g_string_new(NULL);
	gboolean yes = FALSE;
	if (amp_ctl_request_within(sock, req, reply, &yes, ASK_MS, NULL) != AMP_OK)
		return NULL;
	if (ok)
		*ok = yes;
	else if (!yes)
		return NULL;
	return g_string_free(g_steal_pointer(&reply), FALSE);
}

/* @p s cut to MAX_TEXT bytes (on a character) and made valid UTF-8. */
static char *clean(const char *s, gssize len)
{
	g_autofree char *v = g_utf8_make_valid(s, len);
	if (strlen(v) > MAX_TEXT)
		*g_utf8_find_prev_char(v, v + MAX_TEXT) = '\0';
	return g_steal_pointer(&v);
}

static void add_string(JsonBuilder *b, const char *key, const char *s)
{
	g_autofree char *v = clean(s, -1);
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, v);
}

/* "key: value" lines of `ctl status` -> an object; other lines are ignored. */
static void add_status(JsonBuilder *b, const char *text)
{
	json_builder_set_member_name(b, "status");
	json_builder_begin_object(b);
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", 32);
	for (char **l = lines; *l; l++) {
		const char *colon = strstr(*l, ": ");
		gsize klen = colon ? (gsize)(colon - *l) : 0;
		if (!klen || klen > 24 || strspn(*l, "abcdefghijklmnopqrstuvwxyz ") != klen)
			continue;
		g_autofree char *key = g_strndup(*l, klen);
		g_strdelimit(key, " ", '_');
		add_string(b, key, colon + 2);
	}
	json_builder_end_object(b);
}

static void add_count(JsonBuilder *b, const char *key, guint64 n)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, (gint64)MIN(n, (guint64)G_MAXINT64));
}

/*
 * The host's own IPCC counters from `ctl stats` (never the firmware-writable ones): per
 * channel the kicks it rang (to_fw), the firmware's interrupts its link took (to_host) and,
 * for the vrings' channels (CH1 = vring0, CH2 = vring1), those its RPMsg bus handled
 * (to_host_delivered; fewer while step mode holds some).
 */
static void add_doorbells(JsonBuilder *b, const char *stats)
{
	guint64 to_fw[MAX_IPCC_CH + 1] = {0}, to_host[MAX_IPCC_CH + 1] = {0};
	guint64 delivered[MAX_IPCC_CH + 1] = {0};
	g_auto(GStrv) lines = g_strsplit(stats ? stats : "", "\n", 256);
	for (char **l = lines; *l; l++) {
		unsigned ch;
		guint64 n;
		const char *t = *l + strspn(*l, " ");
		const char *irqs = strstr(t, ", interrupts ");
		if ((g_str_has_prefix(t, "vring0 (") || g_str_has_prefix(t, "vring1 (")) && irqs)
			delivered[t[5] - '0' + 1] =
			    g_ascii_strtoull(irqs + strlen(", interrupts "), NULL, 10);
		else if (sscanf(t, "IPCC CH%u Linux->firmware: kicks %" G_GUINT64_FORMAT, &ch,
				&n) == 2 &&
			 ch >= 1 && ch <= MAX_IPCC_CH)
			to_fw[ch] = n;
		else if (sscanf(t, "IPCC CH%u firmware->Linux: IRQs handled %" G_GUINT64_FORMAT,
				&ch, &n) == 2 &&
			 ch >= 1 && ch <= MAX_IPCC_CH)
			to_host[ch] = n;
	}
	json_builder_set_member_name(b, "doorbells");
	json_builder_begin_array(b);
	for (unsigned ch = 1; ch <= MAX_IPCC_CH; ch++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "ch");
		json_builder_add_int_value(b, ch);
		add_count(b, "to_fw", to_fw[ch]);
		add_count(b, "to_host", to_host[ch]);
		add_count(b, "to_host_delivered", delivered[ch]);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* One line of `ctl endpoints`: "NAME firmware 0xF host 0xH PATH [in I out O msgs, ...]". */
static gboolean add_endpoint(JsonBuilder *b, const char *line)
{
	const char *at = g_strrstr(line, " firmware 0x");
	unsigned fw, host;
	guint64 in = 0, out = 0;
	char path[256];
	if (!at || sscanf(at, " firmware 0x%x host 0x%x %255s", &fw, &host, path) != 3)
		return FALSE;
	const char *msgs = strstr(at, " in ");
	gboolean counted =
	    msgs && sscanf(msgs, " in %" G_GUINT64_FORMAT " out %" G_GUINT64_FORMAT " msgs", &in,
			   &out) == 2;
	g_autofree char *name = g_strstrip(g_strndup(line, (gsize)(at - line)));
	json_builder_begin_object(b);
	add_string(b, "name", name);
	json_builder_set_member_name(b, "fw_addr");
	json_builder_add_int_value(b, fw);
	json_builder_set_member_name(b, "host_addr");
	json_builder_add_int_value(b, host);
	add_string(b, "path", strcmp(path, "(not") ? path : "(not served)");
	json_builder_set_member_name(b, "in");
	counted ? json_builder_add_int_value(b, (gint64)MIN(in, (guint64)G_MAXINT64))
		: json_builder_add_null_value(b);
	json_builder_set_member_name(b, "out");
	counted ? json_builder_add_int_value(b, (gint64)MIN(out, (guint64)G_MAXINT64))
		: json_builder_add_null_value(b);
	json_builder_end_object(b);
	return TRUE;
}

static void add_endpoints(JsonBuilder *b, const char *text)
{
	json_builder_set_member_name(b, "endpoints");
	json_builder_begin_array(b);
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", MAX_ENDPOINTS + 1);
	for (char **l = lines; *l && l - lines < MAX_ENDPOINTS; l++)
		add_endpoint(b, *l);
	json_builder_end_array(b);
}

/* The firmware trace's last lines (its own words: shown as text, never as markup). */
static void add_trace(JsonBuilder *b, const char *text)
{
	json_builder_set_member_name(b, "trace");
	json_builder_begin_array(b);
	g_auto(GStrv) lines = g_strsplit(text ? text : "", "\n", -1);
	guint n = g_strv_length(lines);
	while (n && !lines[n - 1][0])
		n--; /* the final newline */
	for (guint i = n > WEB_TRACE_LINES ? n - WEB_TRACE_LINES : 0; i < n; i++) {
		g_autofree char *v = clean(lines[i], -1);
		json_builder_add_string_value(b, v);
	}
	json_builder_end_array(b);
}

/* `ctl step 0`: whether doorbells are held (step mode or paused), and which. */
static void add_step(JsonBuilder *b, const char *reply, gboolean ok)
{
	json_builder_set_member_name(b, "step");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "holding");
	json_builder_add_boolean_value(b, reply && ok);
	json_builder_set_member_name(b, "held");
	json_builder_begin_array(b);
	const char *list = reply && ok ? strstr(reply, "; held ") : NULL;
	const char *colon = list ? strchr(list, ':') : NULL;
	g_auto(GStrv) items = g_strsplit(colon ? colon + 1 : "", ",", 64);
	for (char **it = items; *it; it++) {
		unsigned ch;
		char dir[20];
		if (sscanf(*it, " %19[a-zA-Z>-] CH%u", dir, &ch) != 2 || ch < 1 || ch > MAX_IPCC_CH)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "ch");
		json_builder_add_int_value(b, ch);
		json_builder_set_member_name(b, "to_fw");
		json_builder_add_boolean_value(b, !strcmp(dir, "Linux->firmware"));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

/* The inspector's JSON snapshot, parsed back (a node), or its error. */
static void add_snapshot(JsonBuilder *b, const char *dir)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonParser) p = json_parser_new();
	if (insp_snapshot(dir, true, NULL, out, &err) &&
	    json_parser_load_from_data(p, out->str, (gssize)out->len, &err)) {
		json_builder_set_member_name(b, "snapshot");
		json_builder_add_value(b, json_node_copy(json_parser_get_root(p)));
		return;
	}
	json_builder_set_member_name(b, "snapshot");
	json_builder_add_null_value(b);
	add_string(b, "snapshot_error", err->message);
}

void web_frame_warm_up(void)
{
	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	g_free(json_to_string(root, FALSE));
	json_parser_load_from_data(p, "{}", -1, NULL);
	g_autoptr(GError) err = NULL;
	amp_set_error(&err, AMP_EINVAL, "warm-up");
}

char *web_frame_build(const char *dir)
{
	g_autofree char *status = ask(dir, "status", NULL);
	gboolean step_ok = FALSE;
	g_autofree char *step = status ? ask(dir, "step 0", &step_ok) : NULL;
	g_autofree char *stats = status ? ask(dir, "stats", NULL) : NULL;
	g_autofree char *eps = status ? ask(dir, "endpoints", NULL) : NULL;
	g_autofree char *trace = status ? ask(dir, "trace", NULL) : NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, 1);
	add_string(b, "dir", dir);
	json_builder_set_member_name(b, "alive");
	json_builder_add_boolean_value(b, status != NULL);
	add_status(b, status);
	add_step(b, step, step_ok);
	add_doorbells(b, stats);
	add_endpoints(b, eps);
	add_trace(b, trace);
	add_snapshot(b, dir);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

char *web_body_text(const char *data, gsize len, const char **why)
{
	if (len > WEB_MAX_BODY) {
		*why = "the request body is longer than 256 bytes";
		return NULL;
	}
	for (gsize i = 0; i < len; i++)
		if ((unsigned char)data[i] < 0x20 || (unsigned char)data[i] > 0x7e) {
			*why = "the request body must be one line of printable ASCII";
			return NULL;
		}
	return g_strndup(data, len);
}

/* The request line for @p what and @p body; NULL and @p why when they are not acceptable. */
static char *control_request(const char *what, const char *body, const char **why)
{
	guint64 n = 1;
	if (!strcmp(what, "step")) {
		if (*body && !g_ascii_string_to_unsigned(body, 10, 1, 100, &n, NULL)) {
			*why = "step takes a count 1..100 (or nothing: 1)";
			return NULL;
		}
		return g_strdup_printf("step %" G_GUINT64_FORMAT, n);
	}
	if (!strcmp(what, "pause") || !strcmp(what, "resume") || !strcmp(what, "fault-clear"))
		return *body ? (*why = "this request takes no body", NULL)
			     : g_strdup(!strcmp(what, "fault-clear") ? "fault clear" : what);
	if (!strcmp(what, "fault")) {
		g_autofree char *rule = g_strstrip(g_strdup(body));
		if (!*rule) {
			*why = "give a fault rule, e.g. 'fw crash at-msg=1' (docs/faults.md)";
			return NULL;
		}
		return g_strconcat("fault add ", rule, NULL);
	}
	*why = "unknown control: step, pause, resume, fault or fault-clear";
	return NULL;
}

static char *reply_json(gboolean ok, const char *text)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "ok");
	json_builder_add_boolean_value(b, ok);
	add_string(b, "reply", text);
	json_builder_end_object(b);
	g_autoptr(JsonNode) root = json_builder_get_root(b);
	return json_to_string(root, FALSE);
}

char *web_control(const char *dir, const char *what, const char *body, unsigned *status)
{
	const char *why = NULL;
	g_autofree char *req = control_request(what, body, &why);
	if (!req) {
		*status = 400;
		return reply_json(FALSE, why);
	}
	gboolean ok = FALSE;
	g_autofree char *reply = ask(dir, req, &ok);
	if (!reply) {
		*status = 502;
		return reply_json(FALSE, "no ampsim run answers on RUNDIR/control");
	}
	*status = ok ? 200 : 409; /* 409: the run refused it (not in step mode, a bad rule) */
	return reply_json(ok, g_strstrip(reply));
}
