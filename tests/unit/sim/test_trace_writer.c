/*
 * The trace writer's pairing of interrupt handlers (sim/src/trace/trace.c): a handler that
 * begins and returns is one complete event with its duration; one that never returns is
 * still written, as an instant; a firmware "returned" that closes nothing is counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "trace/trace.h"

static struct amp_trace_ev irq(uint16_t kind, uint16_t chan)
{
	return (struct amp_trace_ev){.kind = kind, .id = chan};
}

/* The events of @p path with name "irq handled", in file order. */
static JsonArray *handlers(const char *path, JsonParser *p)
{
	g_autoptr(GError) err = NULL;
	assert_true(json_parser_load_from_file(p, path, &err));
	JsonArray *all = json_object_get_array_member(json_node_get_object(json_parser_get_root(p)),
						      "traceEvents");
	JsonArray *out = json_array_new();
	for (guint i = 0; i < json_array_get_length(all); i++) {
		JsonObject *o = json_array_get_object_element(all, i);
		if (!strcmp(json_object_get_string_member(o, "name"), "irq handled"))
			json_array_add_object_element(out, json_object_ref(o));
	}
	return out;
}

static void handlers_are_slices_or_instants(void **state)
{
	(void)state;
	g_autofree char *dir = g_dir_make_tmp("ampsim-trace.XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "t.json", NULL);
	struct amp_trace *t = amp_trace_open(path, NULL, NULL, NULL);
	assert_non_null(t);
	uint64_t t0 = amp_trace_now();
	struct amp_trace_ev ev = irq(AMP_TRACE_IRQ_HANDLE, 2);
	amp_trace_core(t, AMP_TRACE_PID_FW, t0 + 1000, &ev);
	ev = irq(AMP_TRACE_IRQ_DONE, 2);
	amp_trace_core(t, AMP_TRACE_PID_FW, t0 + 3500, &ev); /* a 2.5 us handler */
	amp_trace_core(t, AMP_TRACE_PID_FW, t0 + 4000, &ev); /* closes nothing: counted */
	ev = irq(AMP_TRACE_IRQ_HANDLE, 1);
	amp_trace_core(t, AMP_TRACE_PID_HOST, t0 + 5000, &ev); /* never returns */
	ev = irq(AMP_TRACE_IRQ_DONE, 1);
	amp_trace_core(t, AMP_TRACE_PID_HOST, t0 + 4000, &ev); /* before it began: not its end */
	struct amp_trace_counts n;
	amp_trace_counts(t, &n);
	assert_int_equal(n.fw_errors, 1);
	assert_true(amp_trace_close(t, NULL));

	g_autoptr(JsonParser) p = json_parser_new();
	g_autoptr(JsonArray) h = handlers(path, p);
	assert_int_equal(json_array_get_length(h), 2);
	JsonObject *fw = json_array_get_object_element(h, 0);
	assert_string_equal(json_object_get_string_member(fw, "ph"), "X");
	assert_int_equal(json_object_get_int_member(fw, "pid"), AMP_TRACE_PID_FW);
	assert_int_equal(json_object_get_int_member(fw, "tid"), 1);
	assert_true(json_object_get_double_member(fw, "dur") == 2.5);
	assert_int_equal(
	    json_object_get_int_member(json_object_get_object_member(fw, "args"), "channel"), 2);
	JsonObject *host = json_array_get_object_element(h, 1);
	assert_string_equal(json_object_get_string_member(host, "ph"), "i");
	assert_int_equal(json_object_get_int_member(host, "pid"), AMP_TRACE_PID_HOST);
	g_remove(path);
	g_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(handlers_are_slices_or_instants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
