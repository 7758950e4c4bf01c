/*
 * The event trace end to end (docs/trace.md): `ampsim run --trace FILE` and `ampsim ctl
 * trace-events start FILE|stop` around one echo exchange; the file is parsed with json-glib
 * and checked against the trace-event format's required fields, then for the exchange's
 * events in order, with consistent ring indices and matching flow ids.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "itest.h"

#define ECHO_CHAN "rpmsg-openamp-demo-channel"

/* One event of the file, as the checks need it. */
struct ev {
	const char *name, *ph, *bind;
	gint64 pid, tid;
	double ts, dur;
	JsonObject *args;
	bool flow_out, flow_in;
};

static gint64 arg_int(const struct ev *e, const char *key)
{
	return e->args && json_object_has_member(e->args, key)
		   ? json_object_get_int_member(e->args, key)
		   : -1;
}

static const char *arg_str(const struct ev *e, const char *key)
{
	return e->args && json_object_has_member(e->args, key)
		   ? json_object_get_string_member(e->args, key)
		   : NULL;
}

/* The format's required fields, for every event; metadata (ph M) carries no time. */
static void check_fields(JsonObject *o, struct ev *e)
{
	assert_true(json_object_has_member(o, "name"));
	assert_true(json_object_has_member(o, "ph"));
	assert_true(json_object_has_member(o, "pid"));
	assert_true(json_object_has_member(o, "tid"));
	e->name = json_object_get_string_member(o, "name");
	e->ph = json_object_get_string_member(o, "ph");
	e->pid = json_object_get_int_member(o, "pid");
	e->tid = json_object_get_int_member(o, "tid");
	assert_non_null(e->name);
	assert_non_null(e->ph);
	assert_true(e->pid == 1 || e->pid == 2);
	assert_true(e->tid >= 1 && e->tid <= 3);
	e->args =
	    json_object_has_member(o, "args") ? json_object_get_object_member(o, "args") : NULL;
	if (!strcmp(e->ph, "M"))
		return;
	assert_true(!strcmp(e->ph, "i") || !strcmp(e->ph, "X"));
	assert_true(json_object_has_member(o, "ts"));
	assert_non_null(json_object_get_string_member(o, "cat"));
	e->ts = json_object_get_double_member(o, "ts");
	assert_true(e->ts > 0);
	if (!strcmp(e->ph, "X") && !strcmp(e->name, "irq handled")) {
		/* A handler's run: from its start to its return. */
		e->dur = json_object_get_double_member(o, "dur");
		assert_true(e->dur >= 0);
		assert_int_equal(e->tid, 1);
	} else if (!strcmp(e->ph, "X")) {
		assert_true(json_object_has_member(o, "dur"));
		e->bind = json_object_get_string_member(o, "bind_id");
		assert_non_null(e->bind);
		e->flow_out = json_object_has_member(o, "flow_out");
		e->flow_in = json_object_has_member(o, "flow_in");
		assert_true(e->flow_out != e->flow_in);
	} else {
		assert_string_equal(json_object_get_string_member(o, "s"), "t");
	}
}

static gint by_ts(gconstpointer a, gconstpointer b)
{
	const struct ev *x = a, *y = b;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* Parse @p path; the events with a time, sorted by it (stable: file order within a time). */
static GArray *load(const char *path, JsonParser **parser)
{
	g_autoptr(GError) err = NULL;
	*parser = json_parser_new();
	if (!json_parser_load_from_file(*parser, path, &err))
		fail_msg("%s is not JSON: %s", path, err->message);
	JsonObject *root = json_node_get_object(json_parser_get_root(*parser));
	assert_non_null(root);
	JsonArray *a = json_object_get_array_member(root, "traceEvents");
	assert_non_null(a);
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct ev));
	unsigned meta = 0;
	for (guint i = 0; i < json_array_get_length(a); i++) {
		struct ev e = {0};
		check_fields(json_array_get_object_element(a, i), &e);
		if (!strcmp(e.ph, "M"))
			meta++;
		else
			g_array_append_val(out, e);
	}
	assert_true(meta >= 8); /* two processes, three tracks each */
	g_array_sort(out, by_ts);
	return out;
}

/* The first event at or after *@p from that matches; its position goes to *@p from. */
static const struct ev *next_ev(GArray *v, guint *from, gint64 pid, const char *name,
				const char *key, gint64 val)
{
	for (guint i = *from; i < v->len; i++) {
		const struct ev *e = &g_array_index(v, struct ev, i);
		if (e->pid == pid && !strcmp(e->name, name) && (!key || arg_int(e, key) == val)) {
			*from = i + 1;
			return e;
		}
	}
	fail_msg("no %s event \"%s\" (%s=%lld) after event %u", pid == 1 ? "host" : "firmware",
		 name, key ? key : "-", (long long)val, *from);
	return NULL;
}

static unsigned count(GArray *v, gint64 pid, const char *name, gint64 len)
{
	unsigned n = 0;
	for (guint i = 0; i < v->len; i++) {
		const struct ev *e = &g_array_index(v, struct ev, i);
		n += e->pid == pid && !strcmp(e->name, name) && arg_int(e, "len") == len;
	}
	return n;
}

/* Did @p e happen while the handler @p irq ran? (Times in us, with ns fractions.) */
static bool inside(const struct ev *e, const struct ev *irq)
{
	return e->pid == irq->pid && e->ts >= irq->ts && e->ts <= irq->ts + irq->dur + 0.0005;
}

/* The host sends 7 bytes, the firmware echoes them: the whole path, in order. */
static void check_exchange(GArray *v)
{
	guint at = 0;
	assert_int_equal(count(v, 1, "send", 7), 1);
	assert_int_equal(count(v, 2, "receive", 7), 1);
	assert_int_equal(count(v, 2, "send", 7), 1);
	assert_int_equal(count(v, 1, "receive", 7), 1);
	const struct ev *s = next_ev(v, &at, 1, "send", "len", 7);
	assert_int_equal(arg_int(s, "queue"), 1);
	assert_string_equal(arg_str(s, "endpoint"), ECHO_CHAN);
	assert_true(s->flow_out);
	gint64 i = arg_int(s, "index"), id = arg_int(s, "id");
	const struct ev *pub = next_ev(v, &(guint){0}, 1, "avail publish", "index", i);
	assert_int_equal(arg_int(pub, "id"), id);
	next_ev(v, &at, 1, "kick", "queue", 1);
	next_ev(v, &at, 2, "irq raised", "channel", 2);
	const struct ev *fw_irq = next_ev(v, &at, 2, "irq handled", "channel", 2);
	const struct ev *take = next_ev(v, &at, 2, "avail take", "index", i);
	assert_int_equal(arg_int(take, "queue"), 1);
	assert_int_equal(arg_int(take, "id"), id);
	const struct ev *rx = next_ev(v, &at, 2, "receive", "len", 7);
	assert_true(rx->flow_in);
	assert_string_equal(rx->bind, s->bind);
	assert_true(inside(take, fw_irq) && inside(rx, fw_irq));
	/* The echo: a used entry on vring0, its doorbell, the host's interrupt and receive. */
	const struct ev *used = next_ev(v, &at, 2, "used publish", "queue", 0);
	gint64 j = arg_int(used, "index");
	const struct ev *tx = next_ev(v, &at, 2, "send", "len", 7);
	assert_int_equal(arg_int(tx, "index"), j);
	assert_int_equal(arg_int(tx, "id"), arg_int(used, "id"));
	next_ev(v, &at, 2, "kick", "queue", 0);
	next_ev(v, &at, 1, "irq raised", "channel", 1);
	const struct ev *host_irq = next_ev(v, &at, 1, "irq handled", "channel", 1);
	const struct ev *reap = next_ev(v, &at, 1, "used reap", "index", j);
	assert_int_equal(arg_int(reap, "queue"), 0);
	assert_int_equal(arg_int(reap, "id"), arg_int(used, "id"));
	const struct ev *back = next_ev(v, &at, 1, "receive", "len", 7);
	assert_true(back->flow_in);
	assert_string_equal(back->bind, tx->bind);
	assert_string_equal(arg_str(back, "endpoint"), ECHO_CHAN);
	assert_true(inside(reap, host_irq) && inside(back, host_irq));
}

static void echo_once(const struct itest_run *r)
{
	char buf[64];
	int fd = itest_connect_frames(itest_run_path(r, "rpmsg0"));
	assert_int_equal(send(fd, "trace!\n", 7, 0), 7);
	assert_int_equal(itest_recv_frame(fd, buf, sizeof(buf), ITEST_REPLY_MS), 7);
	assert_memory_equal(buf, "trace!\n", 7);
	close(fd);
}

static void run_trace_records_an_echo(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char path[256];
	itest_fmt(path, sizeof(path), "%s", itest_scratch_path("run.json"));
	const char *opts[] = {"--trace", path, NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	echo_once(&r);
	itest_run_stop(&r, SIGINT); /* the daemon finishes the file on the way out */
	JsonParser *p;
	GArray *v = load(path, &p);
	check_exchange(v);
	/* The firmware's announcement, and the lifecycle from start to stop. */
	guint at = 0;
	next_ev(v, &at, 1, "started", NULL, 0);
	next_ev(v, &at, 2, "send", "dst", 53);
	next_ev(v, &at, 1, "ns create", NULL, 0);
	const struct ev *c = next_ev(v, &at, 1, "client connect", NULL, 0);
	assert_string_equal(arg_str(c, "detail"), ECHO_CHAN);
	next_ev(v, &at, 1, "send", "len", 7);
	next_ev(v, &at, 1, "stopping", NULL, 0);
	/* The firmware still runs while it stops: its endpoint's NS destroy is in the file. */
	guint fw_at = at;
	next_ev(v, &fw_at, 2, "send", "dst", 53);
	next_ev(v, &at, 1, "stopped", NULL, 0);
	assert_true(fw_at < at);
	g_array_unref(v);
	g_object_unref(p);
}

/* Injected faults, the host's and the firmware's, are events of the trace. */
static void faults_are_events(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char path[256];
	itest_fmt(path, sizeof(path), "%s", itest_scratch_path("faults.json"));
	const char *opts[] = {"--trace", path, "--faults",
			      "msg:fw->linux hold ms=1 count=1; irq:ch2 delay ms=1 count=1", NULL};
	itest_run_boot(&r, ECHO_FW, opts, "rpmsg0");
	echo_once(&r);
	itest_run_stop(&r, SIGINT);
	JsonParser *p;
	GArray *v = load(path, &p);
	guint at = 0;
	const struct ev *host = next_ev(v, &at, 1, "fault", NULL, 0);
	assert_non_null(strstr(arg_str(host, "detail"), "rule 1 (msg:fw->linux hold"));
	at = 0;
	const struct ev *fw = next_ev(v, &at, 2, "fault", NULL, 0);
	assert_int_equal(fw->tid, 1);
	assert_int_equal(arg_int(fw, "rule"), 2);
	g_array_unref(v);
	g_object_unref(p);
}

/* `ampsim ctl RUNDIR trace-events ...` with separate words, as a user types it. */
static int ctl_te(const struct itest_run *r, const char *a, const char *b, char *out, size_t n)
{
	const char *argv[] = {AMPSIM_BIN, "ctl", r->dir, "trace-events", a, b, NULL};
	return itest_capture(argv, out, n);
}

static void ctl_starts_and_stops_a_trace(void **state)
{
	(void)state;
	struct itest_run r = {0};
	char out[1024], path[256];
	itest_fmt(path, sizeof(path), "%s", itest_scratch_path("ctl.json"));
	itest_run_boot(&r, ECHO_FW, NULL, "rpmsg0");
	echo_once(&r); /* before the trace: not in it */
	assert_int_not_equal(ctl_te(&r, "stop", NULL, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "no trace is being written"));
	assert_int_equal(ctl_te(&r, "start", path, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "tracing events to"));
	assert_int_not_equal(ctl_te(&r, "start", path, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "already being written"));
	echo_once(&r);
	/* A firmware restart inside the trace: a new, zeroed ring, followed from its start. */
	assert_non_null(strstr(itest_ctl(&r, "stop"), "stopped"));
	assert_non_null(strstr(itest_ctl(&r, "start"), "started"));
	assert_true(itest_run_wait(&r, "rpmsg0", ITEST_BOOT_MS));
	assert_int_equal(ctl_te(&r, "stop", NULL, out, sizeof(out)), 0);
	assert_non_null(strstr(out, " 0 bad firmware records, 0 dropped"));
	echo_once(&r); /* after the trace: not in it either */
	JsonParser *p;
	GArray *v = load(path, &p);
	check_exchange(v); /* exactly one exchange each way */
	guint at = 0;
	next_ev(v, &at, 1, "stopped", NULL, 0);
	next_ev(v, &at, 1, "started", NULL, 0);
	next_ev(v, &at, 2, "send", "dst", 53); /* the new firmware's announcement */
	g_array_unref(v);
	g_object_unref(p);
	itest_run_stop(&r, SIGINT);
}

/* The state file hostile_fw keeps: "<instance> <corruptions done>". */
static unsigned long long hostile_done(const char *path)
{
	char buf[64] = "";
	FILE *f = fopen(path, "r");
	unsigned long inst = 0;
	unsigned long long done = 0;
	if (f) {
		if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%lu %llu", &inst, &done) != 2)
			done = 0;
		fclose(f);
	}
	return done;
}

/* A firmware scribbling on the trace ring: counted errors, a live daemon, valid JSON. */
static void garbage_in_the_ring_is_counted(void **state)
{
	(void)state;
	struct itest_run r = {.errlog = itest_scratch_path("hostile.log")};
	char out[1024], path[256], st[256];
	itest_fmt(path, sizeof(path), "%s", itest_scratch_path("hostile.json"));
	itest_fmt(st, sizeof(st), "%s", itest_scratch_path("hostile.state"));
	g_setenv("HOSTILE_CLASSES", "trace", 1);
	g_setenv("HOSTILE_COUNT", "2000", 1);
	g_setenv("HOSTILE_GAP_US", "100", 1);
	g_setenv("HOSTILE_STATE", st, 1);
	const char *opts[] = {"--trace", path, NULL};
	itest_run_boot(&r, HOSTILE_FW, opts, "rpmsg0");
	int64_t end = itest_now_ms() + ITEST_BOOT_MS;
	while (hostile_done(st) < 2000 && itest_now_ms() < end)
		itest_msleep(20);
	assert_true(hostile_done(st) >= 2000);
	assert_int_equal(ctl_te(&r, "stop", NULL, out, sizeof(out)), 0);
	const char *bad = strstr(out, " bad firmware records");
	assert_non_null(bad);
	while (bad > out && bad[-1] >= '0' && bad[-1] <= '9')
		bad--;
	assert_true(strtoul(bad, NULL, 10) > 0);
	JsonParser *p;
	GArray *v = load(path, &p); /* every event still has the format's fields */
	g_array_unref(v);
	g_object_unref(p);
	itest_run_stop(&r, SIGINT);
	g_unsetenv("HOSTILE_CLASSES");
	g_unsetenv("HOSTILE_COUNT");
	g_unsetenv("HOSTILE_GAP_US");
	g_unsetenv("HOSTILE_STATE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(run_trace_records_an_echo, itest_run_teardown),
	    cmocka_unit_test_teardown(ctl_starts_and_stops_a_trace, itest_run_teardown),
	    cmocka_unit_test_teardown(garbage_in_the_ring_is_counted, itest_run_teardown),
	    cmocka_unit_test_teardown(faults_are_events, itest_run_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
