/*
 * The firmware's event-trace ring (docs/trace.md) between the sim port's writer
 * (fw-sample/port/sim/evtrace.c) and the host's drain (sim/src/trace/trace.c), over a real
 * shared object: a full ring counts what it drops and never blocks; every record the host
 * drains is checked, so garbage in the ring is counted and the JSON stays valid.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <json-glib/json-glib.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/profile.h>
#include <ampsim/soc.h>

#include "evtrace.h"
#include "trace/trace.h"

struct fx {
	struct amp_soc soc; /* the host's */
	struct amp_soc fw;  /* the firmware's view: the same object, its own ring mapping */
	struct amp_soc_trace_ring *ring;
	char path[64];
};

static int setup(void **state)
{
	static struct fx f;
	struct amp_soc_layout l;
	GError *err = NULL;
	memset(&f, 0, sizeof(f));
	assert_true(amp_profile_load("stm32mp157", &l, &err));
	assert_int_equal(amp_soc_create(&f.soc, &l), AMP_OK);
	f.soc.trace_on = true;
	assert_int_equal(amp_soc_restore(&f.soc), AMP_OK); /* a zeroed ring, on */
	f.fw = (struct amp_soc){.fd = f.soc.fd, .hdr = f.soc.hdr, .total_size = f.soc.total_size};
	assert_true(fw_evtrace_init(&f.fw));
	f.ring = f.soc.trace;
	snprintf(f.path, sizeof(f.path), "evtrace-%d.json", (int)getpid());
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	munmap((void *)f->fw.trace, AMP_SOC_TRACE_SIZE);
	amp_soc_destroy(&f->soc);
	unlink(f->path);
	return 0;
}

/* The file parses; how many events it has on side @p pid. */
static unsigned parse(const char *path, unsigned pid)
{
	g_autoptr(GError) err = NULL;
	g_autoptr(JsonParser) p = json_parser_new();
	if (!json_parser_load_from_file(p, path, &err))
		fail_msg("%s is not JSON: %s", path, err->message);
	JsonArray *a = json_object_get_array_member(json_node_get_object(json_parser_get_root(p)),
						    "traceEvents");
	unsigned n = 0;
	for (guint i = 0; i < json_array_get_length(a); i++) {
		JsonObject *o = json_array_get_object_element(a, i);
		n += strcmp(json_object_get_string_member(o, "ph"), "M") != 0 &&
		     json_object_get_int_member(o, "pid") == pid;
	}
	return n;
}

static struct amp_trace *open_trace(struct fx *f)
{
	g_autoptr(GError) err = NULL;
	struct amp_trace *t = amp_trace_open(f->path, NULL, NULL, &err);
	assert_non_null(t);
	return t;
}

static void close_trace(struct amp_trace *t, struct amp_trace_counts *c)
{
	amp_trace_counts(t, c);
	assert_true(amp_trace_close(t, NULL));
}

static void a_full_ring_counts_drops(void **state)
{
	struct fx *f = *state;
	struct amp_trace *t = open_trace(f);
	for (unsigned i = 0; i < AMP_SOC_TRACE_RECS + 10u; i++)
		fw_evtrace_port(AMP_TRACE_IRQ_RAISE, 1);
	assert_int_equal(atomic_load(&f->ring->head), AMP_SOC_TRACE_RECS);
	assert_int_equal(atomic_load(&f->ring->dropped), 10);
	amp_trace_drain(t, f->ring);
	fw_evtrace_port(AMP_TRACE_IRQ_HANDLE, 2); /* room again */
	amp_trace_drain(t, f->ring);
	struct amp_trace_counts c;
	close_trace(t, &c);
	assert_int_equal(c.fw_events, AMP_SOC_TRACE_RECS + 1u);
	assert_int_equal(c.fw_errors, 0);
	assert_int_equal(c.fw_dropped, 10);
	assert_int_equal(parse(f->path, 2), AMP_SOC_TRACE_RECS + 1u);
}

static void off_records_nothing(void **state)
{
	struct fx *f = *state;
	struct amp_rpmsg_dev dev = {0};
	atomic_store(&f->ring->on, 0u);
	fw_evtrace_port(AMP_TRACE_IRQ_RAISE, 1);
	fw_evtrace_follow(&dev);
	assert_null(dev.trace);
	assert_int_equal(atomic_load(&f->ring->head), 0);
	atomic_store(&f->ring->on, 1u);
	fw_evtrace_follow(&dev);
	assert_non_null(dev.trace);
	struct amp_trace_ev ev = {.kind = AMP_TRACE_SEND, .q = 0, .idx = 3, .len = 5};
	dev.trace->emit(dev.trace->ctx, &ev);
	assert_int_equal(atomic_load(&f->ring->head), 1);
}

/* Write a record into @p slot as a (buggy or hostile) firmware would, and publish it. */
static void put_raw(struct fx *f, uint32_t slot, uint32_t seq, uint16_t kind, uint16_t q,
		    uint64_t ts)
{
	struct amp_soc_trace_rec r = {.ts_ns = ts, .seq = seq, .kind = kind, .q = q, .len = 1};
	memcpy((void *)&f->ring->rec[slot], &r, sizeof(r));
	atomic_store(&f->ring->head, slot + 1u);
}

static void garbage_is_counted_not_written(void **state)
{
	struct fx *f = *state;
	struct amp_trace *t = open_trace(f);
	uint64_t now = amp_trace_now();
	put_raw(f, 0, 0, AMP_TRACE_USED_PUB, 0, now);		   /* good */
	put_raw(f, 1, 1, 0, 0, now);				   /* kind NONE */
	put_raw(f, 2, 2, 999, 0, now);				   /* unknown kind */
	put_raw(f, 3, 3, AMP_TRACE_SEND, 7, now);		   /* no vring 7 */
	put_raw(f, 4, 4, AMP_TRACE_SEND, 1, now - 1);		   /* older than the last */
	put_raw(f, 5, 5, AMP_TRACE_SEND, 1, now + 60000000000ull); /* a minute ahead */
	put_raw(f, 6, 99, AMP_TRACE_SEND, 1, now);		   /* out of sequence */
	put_raw(f, 7, 7, AMP_TRACE_RECV, 1, now);		   /* good */
	amp_trace_drain(t, f->ring);
	atomic_store(&f->ring->head, 0xdeadbeefu); /* a head past anything the ring holds */
	amp_trace_drain(t, f->ring);
	atomic_store(&f->ring->dropped, 0xffffffffu);
	amp_trace_drain(t, f->ring);
	struct amp_trace_counts c;
	close_trace(t, &c);
	assert_int_equal(c.fw_events, 2);
	assert_int_equal(c.fw_errors, 7);
	assert_int_equal(c.fw_dropped, 0xffffffffu); /* shown as the firmware's claim only */
	assert_int_equal(parse(f->path, 2), 2);
}

/* Names come from the firmware (its NS announcement): any bytes, still valid JSON. */
static const char *evil_name(void *priv, uint32_t addr)
{
	(void)priv;
	return addr == 1024 ? "\"}]\n\\\x01\xff\xc3" : NULL;
}

static void hostile_names_stay_json(void **state)
{
	struct fx *f = *state;
	g_autoptr(GError) err = NULL;
	struct amp_trace *t = amp_trace_open(f->path, evil_name, NULL, &err);
	assert_non_null(t);
	struct amp_trace_ev ev = {.kind = AMP_TRACE_RECV, .q = 1, .src = 1024, .dst = 1025};
	amp_trace_core(t, AMP_TRACE_PID_HOST, amp_trace_now(), &ev);
	amp_trace_note(t, "ns", "ns create", "\"\xfe");
	assert_true(amp_trace_close(t, NULL));
	assert_int_equal(parse(f->path, 1), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(a_full_ring_counts_drops, setup, teardown),
	    cmocka_unit_test_setup_teardown(off_records_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(garbage_is_counted_not_written, setup, teardown),
	    cmocka_unit_test_setup_teardown(hostile_names_stay_json, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
