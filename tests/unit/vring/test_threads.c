/*
 * Host and remote on two threads over one memory block, so ring publishing really races
 * with consuming. Each side sends a numbered stream of varying lengths with a byte pattern;
 * the receiver checks order, length and every byte (a payload or ring entry read before it
 * was published shows up here). A side only looks at its rings when a doorbell arrives, so
 * a lost notification stalls the stream and fails the test at its deadline. Receivers hold
 * some buffers and give them back out of order, so ring slots are not refilled with the ids
 * they held a lap earlier (a slot read before it was written then shows).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#define BASE_DA 0x10040000u
#define MEM_SIZE 0x6000u
#define N 20000u

struct side {
	struct amp_rpmsg_dev dev;
	struct amp_rpmsg_ept ept;
	struct side *peer;
	_Atomic uint32_t pending; /* doorbells rung for this side */
	uint32_t sent, received, bad, stalls;
	void *held[4];
	int nheld;
};

static uint8_t *mem;
static _Atomic uint8_t status;
static struct side host, remote;

static void notify(void *ctx, uint32_t id)
{
	struct side *s = ctx;

	atomic_fetch_or_explicit(&s->peer->pending, 1u << id, memory_order_release);
}

static void *da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	(void)ctx;
	if (da < BASE_DA || da - BASE_DA > MEM_SIZE || len > MEM_SIZE - (da - BASE_DA))
		return NULL;
	return mem + (da - BASE_DA);
}

static const struct amp_port_ops ops = {.notify = notify, .da_to_va = da_to_va};

static uint8_t get_status(void *ctx)
{
	(void)ctx;
	return atomic_load(&status);
}

/* The vring parameters "in the loaded table": a copy of what the host was given. */
static int read_vdev(void *ctx, struct amp_rpmsg_vdev_params *p)
{
	*p = *(const struct amp_rpmsg_vdev_params *)ctx;
	return 0;
}

static void set_status(void *ctx, uint8_t st)
{
	(void)ctx;
	atomic_store(&status, st);
}

static size_t len_of(uint32_t seq)
{
	return 4u + (seq * 7u) % 493u; /* 4 .. 496 */
}

static void fill(uint8_t *p, uint32_t seq, size_t len)
{
	memcpy(p, &seq, 4);
	for (size_t i = 4; i < len; i++)
		p[i] = (uint8_t)(seq + i);
}

static int rx_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct side *s = priv;
	const uint8_t *p = data;
	uint32_t seq;
	bool ok;

	(void)src;
	memcpy(&seq, p, 4);
	ok = seq == s->received && len == len_of(seq);
	for (size_t i = 4; ok && i < len; i++)
		ok = p[i] == (uint8_t)(seq + i);
	if (!ok)
		s->bad++;
	s->received++;
	if (seq % 3 == 0 && s->nheld < 4 && amp_rpmsg_hold_rx_buffer(ept, data) == 0)
		s->held[s->nheld++] = data;
	return 0;
}

/* Give back held buffers newest first, some of the time. */
static void release_some(struct side *s)
{
	while (s->nheld && (s->nheld == 4 || s->sent % 2)) {
		if (amp_rpmsg_release_rx_buffer(&s->ept, s->held[--s->nheld]) != 0)
			s->bad++;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	struct side *s = arg;
	static _Thread_local uint8_t buf[496];
	double deadline = now() + 60.0;

	while ((s->sent < N || s->received < N) && now() < deadline) {
		bool progress = false;

		if (s->sent < N) {
			size_t len = len_of(s->sent);
			int r;

			fill(buf, s->sent, len);
			r = amp_rpmsg_trysend(&s->ept, buf, len);
			if (r == (int)len) {
				s->sent++;
				progress = true;
			} else if (r != AMP_ENOMEM) {
				s->bad++;
				break;
			}
		}
		/* Our rings are looked at only when the peer rang the doorbell. */
		if (atomic_exchange_explicit(&s->pending, 0, memory_order_acquire)) {
			if (amp_rpmsg_notified(&s->dev, 0xFFFFFFFFu) < 0) {
				s->bad++;
				break;
			}
			progress = true;
		}
		release_some(s);
		if (!progress) {
			s->stalls++;
			sched_yield();
		}
	}
	while (s->nheld)
		(void)amp_rpmsg_release_rx_buffer(&s->ept, s->held[--s->nheld]);
	return NULL;
}

static void run_pair(uint32_t features, bool no_suppress)
{
	static uint32_t work[8];
	struct amp_port hp = {.ops = &ops, .ctx = &host}, rp = {.ops = &ops, .ctx = &remote};
	struct amp_rpmsg_host_cfg hc = {
	    .vring = {{BASE_DA, 16, 16, 0}, {BASE_DA + 0x1000, 16, 16, 1}},
	    .pool_da = BASE_DA + 0x2000,
	    .pool_size = 0x4000,
	    .set_status = set_status,
	    .work = work,
	    .work_words = 8,
	    .features = features,
	    .no_suppress = no_suppress,
	};
	struct amp_rpmsg_vdev_params rv = {
	    .vring = {{BASE_DA, 16, 16, 0}, {BASE_DA + 0x1000, 16, 16, 1}},
	    .features = features,
	};
	struct amp_rpmsg_remote_cfg rc = {
	    .get_status = get_status,
	    .read_vdev = read_vdev,
	    .vdev_ctx = &rv,
	    .no_suppress = no_suppress,
	};
	pthread_t th, tr;

	memset(&host, 0, sizeof(host));
	memset(&remote, 0, sizeof(remote));
	host.peer = &remote;
	remote.peer = &host;
	atomic_store(&status, 0);
	assert_int_equal(amp_rpmsg_host_init(&host.dev, &hc, &hp), 0);
	assert_int_equal(amp_rpmsg_remote_init(&remote.dev, &rc, &rp), 0);
	assert_int_equal(
	    amp_rpmsg_create_ept(&remote.ept, &remote.dev, "", 100, 1024, rx_cb, NULL, &remote), 0);
	assert_int_equal(
	    amp_rpmsg_create_ept(&host.ept, &host.dev, "", 1024, 100, rx_cb, NULL, &host), 0);

	assert_int_equal(pthread_create(&th, NULL, run, &host), 0);
	assert_int_equal(pthread_create(&tr, NULL, run, &remote), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(pthread_join(tr, NULL), 0);

	assert_int_equal(host.bad, 0);
	assert_int_equal(remote.bad, 0);
	assert_int_equal(host.sent, N);
	assert_int_equal(remote.sent, N);
	assert_int_equal(host.received, N);
	assert_int_equal(remote.received, N);
	for (int k = 0; k < AMP_VQ_ERR_COUNT; k++) {
		assert_int_equal(host.dev.rvq.stats.err[k] + host.dev.tvq.stats.err[k], 0);
		assert_int_equal(remote.dev.rvq.stats.err[k] + remote.dev.tvq.stats.err[k], 0);
	}
	assert_true(amp_rpmsg_ready(&host.dev));
	assert_true(amp_rpmsg_ready(&remote.dev));
}

static void threads_flags(void **state)
{
	(void)state;
	run_pair(0, false);
}

static void threads_no_suppress(void **state)
{
	(void)state;
	run_pair(0, true);
}

static void threads_event_idx(void **state)
{
	(void)state;
	run_pair(1u << AMP_VIRTIO_RING_F_EVENT_IDX, false);
}

static int setup(void **state)
{
	(void)state;
	mem = aligned_alloc(4096, MEM_SIZE);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(threads_flags),
	    cmocka_unit_test(threads_no_suppress),
	    cmocka_unit_test(threads_event_idx),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
