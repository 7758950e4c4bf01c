/* docs/faults.md's libampsim example: my firmware answers a duplicated message twice and
 * its crash is reported. Link it with libampsim (CMake target amp_host) and cmocka. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include <ampsim/faults.h>
#include <ampsim/host.h>

struct seen {
	struct amp_host_chan *chan;
	int answers, crashes;
};

static void channel_new(void *priv, struct amp_host_chan *ch)
{
	((struct seen *)priv)->chan = ch;
}

static void receive(void *priv, struct amp_host_chan *ch, const void *data, size_t len)
{
	(void)ch, (void)data, (void)len;
	((struct seen *)priv)->answers++;
}

static void rproc_event(void *priv, enum amp_rproc_event ev)
{
	if (ev == AMP_RPROC_EV_CRASHED)
		((struct seen *)priv)->crashes++;
}

static const struct amp_host_ops ops = {
    .channel_new = channel_new, .receive = receive, .rproc_event = rproc_event};

/* Run the loop until *counter reaches want, for at most 10 s. */
static void wait_count(const int *counter, int want)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (*counter < want && g_get_monotonic_time() < end)
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(1000);
	assert_int_equal(*counter, want);
}

static void duplicated_message_and_crash(void **state)
{
	(void)state;
	struct seen s = {0};
	struct amp_host_cfg cfg = {
	    .rproc = {.firmware = ECHO_FW, .no_recovery = true}, .ops = &ops, .priv = &s};
	GError *err = NULL;
	struct amp_host *h = amp_host_new(&cfg, &err);
	assert_non_null(h);
	assert_true(amp_host_start(h, &err));
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (!s.chan && g_get_monotonic_time() < end) /* the firmware announces its channel */
		g_main_context_iteration(NULL, TRUE);
	assert_non_null(s.chan);

	amp_host_faults_set_seed(h, 1);
	assert_true(amp_host_faults_add(h, "msg:linux->fw dup count=1; fw crash at-msg=2", &err));
	assert_int_equal(amp_host_send(s.chan, "ping", 4), 0);
	wait_count(&s.answers, 2); /* the firmware got "ping" twice and answered twice */
	assert_int_equal(amp_host_faults_fired(h, 1), 1);

	assert_int_equal(amp_host_send(s.chan, "again", 5), 0);
	wait_count(&s.crashes, 1); /* the 2nd message crashed it (SIGKILL) */
	assert_int_equal(amp_host_faults_fired(h, 2), 1);
	amp_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(duplicated_message_and_crash)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
