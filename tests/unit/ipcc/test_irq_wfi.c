/*
 * amp_irq_wait(), the firmware main thread's WFI (<ampsim/irq.h>): while the main thread
 * waits it takes the interrupt itself; while it is busy the IRQ thread does; while it idles
 * the IRQ thread sleeps. Both processors' ends in one process; counts, never timings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <amp/error.h>
#include <amp/stm32mp1.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/irq.h>

#define CH AMP_IPCC_CH_VRING1
#define N_KICKS 200

struct fixture {
	struct amp_ipcc_shared sh;
	_Atomic uint32_t asleep[2];
	int efds[AMP_IPCC_LINK_NFDS];
	struct amp_ipcc_link host, fw;
	struct amp_irq irq;
	pthread_t main_thread;
	_Atomic int calls, on_main, in_isr;
};

static void on_fw(void *arg, uint32_t ch)
{
	struct fixture *f = arg;
	(void)ch;
	if (pthread_equal(pthread_self(), f->main_thread))
		atomic_fetch_add(&f->on_main, 1);
	if (amp_irq_in_handler())
		atomic_fetch_add(&f->in_isr, 1);
	atomic_fetch_add(&f->calls, 1);
}

static struct fixture *make(enum amp_ipcc_wait fmode)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct amp_ipcc_link_cfg hc = {.proc = AMP_IPCC_PROC1};
	struct amp_ipcc_link_cfg fc = {.proc = AMP_IPCC_PROC2, .mode = fmode, .poll_ns = 20000};

	assert_non_null(f);
	f->main_thread = pthread_self();
	assert_int_equal(amp_ipcc_reset(&f->sh, 6), AMP_OK);
	assert_int_equal(amp_ipcc_efds_create(f->efds), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&f->host, &hc, &f->sh, 6, f->efds, f->asleep), AMP_OK);
	assert_int_equal(amp_ipcc_link_init(&f->fw, &fc, &f->sh, 6, f->efds, f->asleep), AMP_OK);
	assert_int_equal(amp_ipcc_link_set_handler(&f->fw, CH, on_fw, f), AMP_OK);
	assert_int_equal(amp_irq_start(&f->irq, &f->fw), AMP_OK);
	return f;
}

static void destroy(struct fixture *f)
{
	amp_irq_stop(&f->irq);
	amp_ipcc_link_deinit(&f->host);
	amp_ipcc_link_deinit(&f->fw);
	amp_ipcc_efds_close(f->efds);
	free(f);
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000L}, NULL);
}

/* The host's side of a ping-pong: kick, then wait (bounded) until the handler ran. */
static void *pinger(void *arg)
{
	struct fixture *f = arg;
	for (int i = 0; i < N_KICKS; i++) {
		amp_ipcc_link_kick(&f->host, CH);
		for (int w = 0; w < 100000 && atomic_load(&f->calls) <= i; w++)
			usleep(20);
	}
	return NULL;
}

/* Waiting main thread: it runs the handlers itself (one wake-up per interrupt, not two). */
static void ping_pong(enum amp_ipcc_wait mode)
{
	struct fixture *f = make(mode);
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, pinger, f), 0);
	while (atomic_load(&f->calls) < N_KICKS) {
		uint32_t seen = amp_irq_count(&f->irq);
		if (atomic_load(&f->calls) >= N_KICKS)
			break;
		assert_int_equal(amp_irq_wait(&f->irq, seen, 5000), 1);
	}
	pthread_join(t, NULL);
	assert_int_equal(f->calls, N_KICKS);
	assert_int_equal(f->in_isr, N_KICKS); /* whichever thread: "in ISR", lock held */
	/* The IRQ thread has the first one (the line is its own until the main thread waits)
	 * and any that came while the main thread was off the CPU for a whole tick. */
	assert_true(f->on_main >= N_KICKS / 2);
	assert_int_equal(amp_irq_main_dispatches(&f->irq), (uint64_t)f->on_main);
	assert_false(amp_irq_in_handler());
	destroy(f);
}

static void a_waiting_main_thread_takes_the_interrupt(void **state)
{
	(void)state;
	ping_pong(AMP_IPCC_WAIT_BLOCK);
}

static void a_waiting_adaptive_main_thread_takes_the_interrupt(void **state)
{
	(void)state;
	ping_pong(AMP_IPCC_WAIT_ADAPTIVE);
}

/* Poll (bounded, 5 s) until the handler ran @n times. */
static void await_calls(struct fixture *f, int n)
{
	for (int w = 0; w < 5000 && atomic_load(&f->calls) < n; w++)
		sleep_ms(1);
	assert_int_equal(f->calls, n);
}

static void *kick_later(void *arg)
{
	struct fixture *f = arg;
	sleep_ms(2);
	amp_ipcc_link_kick(&f->host, CH);
	return NULL;
}

/* Wait while another thread kicks, until the main thread has taken an interrupt itself (the
 * line is its own then): the IRQ thread hands the line back at the first interrupt it takes
 * while the main thread waits. */
static void own_the_line(struct fixture *f)
{
	for (int i = 0; i < 50 && atomic_load(&f->on_main) == 0; i++) {
		uint32_t seen = amp_irq_count(&f->irq);
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, kick_later, f), 0);
		assert_int_equal(amp_irq_wait(&f->irq, seen, 5000), 1);
		pthread_join(t, NULL);
	}
	assert_int_equal(f->on_main, 1);
}

/* A main thread that took the line and then stays busy: the IRQ thread runs the handler. */
static void a_busy_main_thread_still_gets_its_interrupts(void **state)
{
	struct fixture *f = make(AMP_IPCC_WAIT_BLOCK);
	(void)state;

	own_the_line(f);
	int n = f->calls;
	/* Now busy (never waiting again): the interrupt is not lost. */
	amp_ipcc_link_kick(&f->host, CH);
	await_calls(f, n + 1);
	assert_int_equal(f->on_main, 1);
	assert_int_equal(f->in_isr, n + 1);
	/* Interrupts disabled: the IRQ thread waits for amp_irq_enable(). */
	amp_irq_disable(&f->irq);
	amp_ipcc_link_kick(&f->host, CH);
	sleep_ms(20);
	assert_int_equal(f->calls, n + 1);
	amp_irq_enable(&f->irq);
	await_calls(f, n + 2);
	destroy(f);
}

/* The voluntary context switches of every thread of this process but the caller. */
static long other_threads_sleeps(void)
{
	long total = 0, self = syscall(SYS_gettid);
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], line[128];
		if (e->d_name[0] == '.' || atol(e->d_name) == self)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		FILE *fp = fopen(path, "r");
		long v;
		while (fp && fgets(line, sizeof(line), fp))
			if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1)
				total += v;
		if (fp)
			fclose(fp);
	}
	closedir(d);
	return total;
}

/* A main thread idle in WFI: the IRQ thread stops looking (no tick every millisecond). */
static void an_idle_main_thread_lets_the_irq_thread_sleep(void **state)
{
	struct fixture *f = make(AMP_IPCC_WAIT_BLOCK);
	(void)state;

	own_the_line(f);
	long before = other_threads_sleeps();
	assert_int_equal(amp_irq_wait(&f->irq, amp_irq_count(&f->irq), 300), 0);
	long woke = other_threads_sleeps() - before;
	/* A thread that looked every tick would wake about 300 times; one that parks, a few. */
	assert_true(woke < 30);
	/* Busy again, then waiting: the line still works. */
	int n = f->calls;
	uint32_t seen = amp_irq_count(&f->irq);
	amp_ipcc_link_kick(&f->host, CH);
	assert_int_equal(amp_irq_wait(&f->irq, seen, 5000), 1);
	assert_int_equal(f->calls, n + 1);
	destroy(f);
}

static void *stop_soon(void *arg)
{
	struct fixture *f = arg;
	sleep_ms(20);
	amp_irq_stop(&f->irq);
	return NULL;
}

/* Stopping the IRQ thread while the main thread sleeps on it ends the wait (no timeout). */
static void stop_ends_a_wait_on_the_irq_thread(void **state)
{
	struct fixture *f = make(AMP_IPCC_WAIT_BLOCK);
	pthread_t t;
	(void)state;
	assert_int_equal(amp_irq_wait(&f->irq, amp_irq_count(&f->irq), 0), 0);
	assert_int_equal(pthread_create(&t, NULL, stop_soon, f), 0);
	assert_int_equal(amp_irq_wait(&f->irq, amp_irq_count(&f->irq), -1), 0);
	pthread_join(t, NULL);
	assert_int_equal(f->calls, 0);
	assert_int_equal(amp_irq_wait(NULL, 0, 0), AMP_EINVAL);
	assert_int_equal(amp_irq_wait(&f->irq, 0, 0), AMP_EINVAL); /* stopped */
	destroy(f);
}

static bool two_calls(void *arg)
{
	struct fixture *f = arg;
	return atomic_load(&f->calls) >= 2;
}

static void *kick_twice(void *arg)
{
	struct fixture *f = arg;
	for (int i = 0; i < 2; i++) {
		sleep_ms(5);
		amp_ipcc_link_kick(&f->host, CH);
		for (int w = 0; w < 100000 && atomic_load(&f->calls) <= i; w++)
			usleep(20);
	}
	return NULL;
}

/* amp_irq_wait_for(), a port's wait: it sleeps through interrupts until its condition holds,
 * returns at once if it already does, and false once the deadline passed. */
static void wait_for_ends_on_its_condition_or_its_deadline(void **state)
{
	struct fixture *f = make(AMP_IPCC_WAIT_BLOCK);
	pthread_t t;
	(void)state;
	assert_int_equal(pthread_create(&t, NULL, kick_twice, f), 0);
	assert_true(amp_irq_wait_for(&f->irq, two_calls, f, amp_deadline_ms(-1)));
	pthread_join(t, NULL);
	assert_int_equal(f->calls, 2);
	assert_true(amp_irq_wait_for(&f->irq, two_calls, f, amp_deadline_ms(0)));

	uint64_t t0 = amp_now_ns(), deadline = amp_deadline_ms(30);
	atomic_store(&f->calls, 0);
	assert_false(amp_irq_wait_for(&f->irq, two_calls, f, deadline));
	assert_true(amp_now_ns() >= deadline);
	assert_true(deadline - t0 >= 30000000u);
	assert_int_equal(amp_ms_left(deadline), 0);
	/* Rounded up: a part of a millisecond left is one (a busy machine may take some). */
	assert_in_range(amp_ms_left(amp_now_ns() + 1000500000u), 1, 1001);
	assert_int_equal(amp_deadline_ms(-1), UINT64_MAX);
	destroy(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_waiting_main_thread_takes_the_interrupt),
	    cmocka_unit_test(a_waiting_adaptive_main_thread_takes_the_interrupt),
	    cmocka_unit_test(a_busy_main_thread_still_gets_its_interrupts),
	    cmocka_unit_test(an_idle_main_thread_lets_the_irq_thread_sleep),
	    cmocka_unit_test(stop_ends_a_wait_on_the_irq_thread),
	    cmocka_unit_test(wait_for_ends_on_its_condition_or_its_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
