/*
 * The fault plan's engine (sim/src/faults/faults.h) without a host: the grammar's fields,
 * after/count/p, the filters, determinism per seed and per rule, the record, and the error
 * paths (run under valgrind by the memcheck preset, unlike the process-level tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <string.h>

#include "faults/faults.h"

static struct amp_faults *plan(const char *spec, uint64_t seed)
{
	struct amp_faults *f = amp_faults_new(seed);
	GError *err = NULL;
	if (!amp_faults_parse(f, spec, 6, &err))
		fail_msg("'%s': %s", spec, err->message);
	return f;
}

static struct amp_fault_rule *rule(struct amp_faults *f, unsigned i)
{
	return amp_faults_rules(f)->pdata[i];
}

static const struct amp_fault_event to_fw = {
    .target = AMP_FT_MSG, .dir = AMP_FD_TO_FW, .name = "svc:a", .data = "hello", .len = 5};

static void grammar_fields(void **state)
{
	(void)state;
	struct amp_faults *f = plan("kick:ch2:fw->linux delay ms=5..9 # c\n"
				    "msg:svc:a:linux->fw corrupt-byte offset=3 ; "
				    "fw:fw->linux crash match=PANIC signal=SIGSEGV\n\n"
				    "fw stall at-ms=20 ms=7 p=0.5 count=2",
				    1);
	assert_int_equal(amp_faults_rules(f)->len, 4);
	struct amp_fault_rule *k = rule(f, 0), *m = rule(f, 1), *c = rule(f, 2), *s = rule(f, 3);
	assert_int_equal(k->id, 1);
	assert_int_equal(k->chan, 2);
	assert_int_equal(k->dir, AMP_FD_TO_LINUX);
	assert_int_equal(k->ms_min, 5);
	assert_int_equal(k->ms_max, 9);
	assert_string_equal(k->text, "kick:ch2:fw->linux delay ms=5..9");
	assert_string_equal(m->name, "svc:a"); /* a name may hold ':' */
	assert_int_equal(m->dir, AMP_FD_TO_FW);
	assert_int_equal(m->offset, 3);
	assert_int_equal(c->trigger, AMP_FT_MATCH);
	assert_int_equal(c->sig, SIGSEGV);
	assert_int_equal(c->dir, AMP_FD_TO_LINUX);
	assert_int_equal(s->at_ms, 20);
	assert_int_equal(s->ms_max, 7);
	assert_true(s->p == 0.5);
	assert_int_equal(s->count, 2);
	amp_faults_free(f);
}

static void after_count_and_filters(void **state)
{
	(void)state;
	struct amp_faults *f = plan("msg:svc:a:linux->fw drop after=2 count=2; "
				    "msg:other dup; fw crash at-msg=4; "
				    "msg flip-bit",
				    1);
	struct amp_fault_event back = to_fw;
	back.dir = AMP_FD_TO_LINUX;
	struct amp_fault_event empty = to_fw;
	empty.len = 0;
	/* Events 1, 2 pass rule 1 (after=2); the flip-bit (rule 4) takes them. */
	assert_int_equal(amp_faults_hit(f, &to_fw)->id, 4);
	assert_int_equal(amp_faults_hit(f, &to_fw)->id, 4);
	assert_int_equal(amp_faults_hit(f, &to_fw)->id, 1);
	assert_int_equal(amp_faults_hit(f, &to_fw)->id, 1);
	assert_int_equal(amp_faults_hit(f, &to_fw)->id, 4); /* count=2 reached */
	assert_int_equal(rule(f, 0)->seen, 5);
	assert_int_equal(rule(f, 0)->fired, 2);
	assert_int_equal(rule(f, 1)->seen, 0);		   /* another channel's rule */
	assert_int_equal(amp_faults_hit(f, &back)->id, 4); /* direction filter */
	assert_null(amp_faults_hit(f, &empty));		   /* nothing to flip in an empty message */
	/* fw rules watch their own target: at-msg=4 is the 4th message to the firmware. */
	struct amp_fault_event fw = to_fw;
	fw.target = AMP_FT_FW;
	for (int i = 0; i < 3; i++)
		assert_null(amp_faults_hit(f, &fw));
	assert_int_equal(amp_faults_hit(f, &fw)->id, 3);
	assert_null(amp_faults_hit(f, &fw));
	amp_faults_free(f);
}

/* 1000 events through "p=0.3": which fired, as bits. */
static void decisions(struct amp_faults *f, uint8_t out[1000])
{
	for (int i = 0; i < 1000; i++)
		out[i] = amp_faults_hit(f, &to_fw) != NULL;
}

static void same_seed_same_decisions(void **state)
{
	(void)state;
	uint8_t a[1000], b[1000], c[1000], d[1000];
	struct amp_faults *fa = plan("msg drop p=0.3", 99);
	struct amp_faults *fb = plan("msg drop p=0.3", 99);
	struct amp_faults *fc = plan("msg drop p=0.3", 100);
	/* Another rule added after does not change the first one's draws. */
	struct amp_faults *fd = plan("msg drop p=0.3; kick:ch1 drop p=0.5", 99);
	decisions(fa, a);
	decisions(fb, b);
	decisions(fc, c);
	decisions(fd, d);
	assert_memory_equal(a, b, sizeof(a));
	assert_memory_equal(a, d, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
	unsigned n = 0;
	for (int i = 0; i < 1000; i++)
		n += a[i];
	assert_true(n > 220 && n < 380); /* p=0.3: 300 +- 5 sigma */
	/* Reseeding restarts the plan: the same decisions again. */
	amp_faults_reseed(fa, 99);
	assert_int_equal(rule(fa, 0)->fired, 0);
	decisions(fa, c);
	assert_memory_equal(a, c, sizeof(a));
	amp_faults_free(fa);
	amp_faults_free(fb);
	amp_faults_free(fc);
	amp_faults_free(fd);
}

static void record_and_report(void **state)
{
	(void)state;
	struct amp_faults *f = plan("msg dup", 5);
	for (int i = 0; i < 1002; i++)
		amp_faults_hit(f, &to_fw);
	GString *out = g_string_new(NULL);
	amp_faults_report(f, out);
	assert_non_null(strstr(out->str, "fault plan: seed 5, 1 rules, 1002 faults fired\n"));
	assert_non_null(strstr(out->str, "  rule 1: msg dup: seen 1002, fired 1002\n"));
	assert_non_null(strstr(out->str, "  #1 rule 1 (msg dup): msg #1 linux->fw on 'svc:a' "
					 "(0x0 -> 0x0, 5 bytes: \"hello\")\n"));
	assert_non_null(strstr(out->str, "  #1000 rule 1"));
	assert_null(strstr(out->str, "  #1001 rule 1"));
	assert_non_null(strstr(out->str, "  (2 more, not kept)\n"));
	amp_faults_clear(f);
	g_string_truncate(out, 0);
	amp_faults_report(f, out);
	assert_string_equal(out->str, "fault plan: seed 5, 0 rules, 0 faults fired\n");
	/* Ids are not reused after a clear. */
	GError *err = NULL;
	assert_true(amp_faults_parse(f, "msg drop", 6, &err));
	assert_int_equal(rule(f, 0)->id, 2);
	g_string_free(out, TRUE);
	amp_faults_free(f);
}

static void errors_leave_the_plan_unchanged(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
	    {"kick:ch0 drop", "'ch0'"},
	    {"kick:chx drop", "'chx'"},
	    {"kick:ch1:up:x drop", "'up'"},
	    {"kick:ch1:fw->linux:x drop", "'x'"},
	    {"msg: drop", "1 to 31 bytes"},
	    {"msg:0123456789012345678901234567890123 drop", "31"},
	    {"fw:sideways crash at-msg=1", "'fw:sideways'"},
	    {"msg", "TARGET ACTION"},
	    {"msg drop p=0", "'p=0'"},
	    {"msg drop p=x", "'p=x'"},
	    {"msg drop count=-1", "'count=-1'"},
	    {"msg drop after=", "'after='"},
	    {"msg truncate bit=1", "'bit=1'"},
	    {"kick:ch1 delay ms=60001", "'ms=60001'"},
	    {"fw crash match=", "'match='"},
	    {"fw stall at-msg=1 ms=0", "needs ms=N"},
	    {"msg drop; msg nope", "'nope'"},
	};
	struct amp_faults *f = plan("kick:ch1 drop", 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		GError *err = NULL;
		assert_false(amp_faults_parse(f, bad[i][0], 6, &err));
		if (!strstr(err->message, bad[i][1]))
			fail_msg("'%s': '%s' does not name %s", bad[i][0], err->message, bad[i][1]);
		g_error_free(err);
		assert_int_equal(amp_faults_rules(f)->len, 1);
	}
	/* A profile with one IPCC channel has no ch2 doorbell. */
	GError *err = NULL;
	assert_false(amp_faults_parse(f, "kick:ch2 drop", 1, &err));
	g_error_free(err);
	amp_faults_free(f);
}

/* irq, ring:fw and fw exit are the firmware's: parsed here, never fired by the host, and
 * handed over in AMPSIM_FAULTS's canonical form (docs/firmware-abi.md). */
static void firmware_rules(void **state)
{
	(void)state;
	struct amp_faults *f = plan("kick:ch1 drop; irq:ch2 delay ms=5..9 count=2; "
				    "ring:fw used-idx-jump by=3 p=0.5; fw exit match=BOOM code=4",
				    7);
	assert_false(amp_fault_rule_in_fw(rule(f, 0)));
	assert_true(amp_fault_rule_in_fw(rule(f, 1)));
	assert_true(amp_fault_rule_in_fw(rule(f, 2)));
	assert_true(amp_fault_rule_in_fw(rule(f, 3)));
	struct amp_fault_event ev = to_fw;
	ev.data = "BOOM";
	ev.len = 4;
	ev.target = AMP_FT_FW;
	assert_null(amp_faults_hit(f, &ev)); /* the firmware decides, not the host */
	assert_int_equal(rule(f, 3)->seen, 0);
	g_autofree char *spec = amp_faults_fw_spec(f);
	assert_string_equal(spec, "id=2 kind=irq-delay chan=2 p=1 after=0 count=2 ms=5..9 code=1 "
				  "by=0 seen=0 fired=0; "
				  "id=3 kind=used-idx-jump chan=0 p=0.5 after=0 count=0 ms=0..0 "
				  "code=1 by=3 seen=0 fired=0; "
				  "id=4 kind=exit chan=0 p=1 after=0 count=0 ms=0..0 code=4 by=0 "
				  "seen=0 fired=0 match=BOOM");
	amp_faults_clear(f);
	assert_null(amp_faults_fw_spec(f));
	amp_faults_free(f);
}

/* ring:fw:vring1 carries its vring as vring=1, present only for vring1 (an older port
 * knows vring0 rules without the key, and refuses a vring1 rule by name). */
static void firmware_ring_vring1(void **state)
{
	(void)state;
	struct amp_faults *f = plan(
	    "ring:fw:vring1 used-id count=1; ring:fw:vring0 used-len; ring:fw used-idx-jump", 3);
	assert_int_equal(rule(f, 0)->chan, 1);
	assert_int_equal(rule(f, 1)->chan, 0);
	assert_int_equal(rule(f, 2)->chan, 0);
	g_autofree char *spec = amp_faults_fw_spec(f);
	assert_string_equal(spec, "id=1 kind=used-id chan=0 p=1 after=0 count=1 ms=0..0 code=1 "
				  "by=0 seen=0 fired=0 vring=1; "
				  "id=2 kind=used-len chan=0 p=1 after=0 count=0 ms=0..0 code=1 "
				  "by=0 seen=0 fired=0; "
				  "id=3 kind=used-idx-jump chan=0 p=1 after=0 count=0 ms=0..0 "
				  "code=1 by=0 seen=0 fired=0");
	amp_faults_free(f);
}

/* The host bus's rules: corrupt-header sees header events only (and msg rules never see
 * them); shrink fires only while more than n RX buffers would be posted. */
static void bus_rules(void **state)
{
	(void)state;
	struct amp_faults *f = plan("msg:svc:a:fw->linux corrupt-header field=dst value=9; "
				    "msg drop; buf:rx shrink n=2; buf:tx exhaust ms=1..3",
				    1);
	struct amp_fault_rule *h = rule(f, 0), *s = rule(f, 2), *x = rule(f, 3);
	assert_int_equal(h->target, AMP_FT_HDR);
	assert_int_equal(h->hdr_field, AMP_FH_DST);
	assert_int_equal(h->value, 9);
	assert_int_equal(h->dir, AMP_FD_TO_LINUX);
	assert_int_equal(s->target, AMP_FT_BUF);
	assert_int_equal(s->keep, 2);
	assert_int_equal(x->dir, AMP_FD_TO_FW);
	assert_int_equal(x->ms_max, 3);
	struct amp_fault_event hdr = to_fw;
	hdr.target = AMP_FT_HDR;
	assert_null(amp_faults_hit(f, &hdr)); /* linux->fw: not rule 1's direction */
	hdr.dir = AMP_FD_TO_LINUX;
	assert_int_equal(amp_faults_hit(f, &hdr)->id, 1);
	assert_int_equal(amp_faults_hit(f, &to_fw)->id, 2); /* the payload's event: msg drop */
	assert_int_equal(h->seen, 1);			    /* neither saw the other's events */
	assert_int_equal(rule(f, 1)->seen, 1);
	struct amp_fault_event rx = {.target = AMP_FT_BUF, .dir = AMP_FD_TO_LINUX, .posted = 3};
	assert_int_equal(amp_faults_hit(f, &rx)->id, 3);
	rx.posted = 2; /* posting it leaves n: not an event for shrink */
	assert_null(amp_faults_hit(f, &rx));
	assert_int_equal(s->seen, 1);
	struct amp_fault_event tx = {.target = AMP_FT_BUF, .dir = AMP_FD_TO_FW};
	assert_int_equal(amp_faults_hit(f, &tx)->id, 4);
	amp_faults_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(grammar_fields),
	    cmocka_unit_test(bus_rules),
	    cmocka_unit_test(after_count_and_filters),
	    cmocka_unit_test(same_seed_same_decisions),
	    cmocka_unit_test(record_and_report),
	    cmocka_unit_test(errors_leave_the_plan_unchanged),
	    cmocka_unit_test(firmware_rules),
	    cmocka_unit_test(firmware_ring_vring1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
