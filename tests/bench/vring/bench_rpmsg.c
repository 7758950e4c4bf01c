/*
 * In-process RPMsg throughput: a host and a remote instance of the core over one memory block
 * (STM32MP1 layout: 16-entry vrings, 32 x 512-byte buffers), doorbells delivered by a loop.
 * Prints messages per second and doorbells per message for 16- and 496-byte payloads in both
 * directions, with the default notification suppression, against a physical baseline
 * measured in the same run (each payload copied into a pool buffer and out).
 *
 * Then the protocol's own round trip (issue 17's floors): 16 bytes echoed by the remote,
 * one at a time, (1) on one thread: the work alone, no hand-over; (2) with the host on CPU 0
 * and the remote on CPU 1, both polling, the doorbell a word in memory or the IPCC register
 * model (amp_ipcc_send/ack): what any implementation of this protocol pays for the cache
 * lines it moves, against a ping-pong of one shared word between the same two threads.
 * Interleaved rounds, medians. Not a test.
 *   bench_rpmsg [messages [round trips]]
 */
#define _GNU_SOURCE

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#include "bench_cli.h"

#define BASE_DA 0x10040000u
#define MEM_SIZE 0x6000u

struct side {
	struct amp_rpmsg_dev *dev;
	struct side *peer;
	_Atomic uint32_t pending; /* the doorbell, when it is a word */
	uint64_t kicks;
	uint32_t proc; /* the doorbell, when it is the IPCC model: our processor */
};

#ifdef AMP_BENCH_IPCC
#include <amp/ipcc.h>

#define DOORBELLS 2	     /* a word, and the IPCC register model */
static struct amp_ipcc ipcc; /* NULL sh: the doorbell is the `pending` word */

/* The model as the doorbell (@p on), or the word. */
static void model_use(bool on)
{
	static struct amp_ipcc_shared regs;

	ipcc.sh = NULL;
	if (on && (amp_ipcc_reset(&regs, 2) || amp_ipcc_init(&ipcc, &regs, 2))) {
		fprintf(stderr, "bench_rpmsg: IPCC model init failed\n");
		exit(1);
	}
}

/* Rung through the model; false if the doorbell is the word. */
static bool model_ring(struct side *s, uint32_t id)
{
	if (!ipcc.sh)
		return false;
	if (amp_ipcc_send(&ipcc, s->proc, id, NULL) < 0) {
		fprintf(stderr, "bench_rpmsg: IPCC model refused a kick on channel %u\n", id);
		exit(1);
	}
	return true;
}

/* The channels rung for @p s, acknowledged; false if the doorbell is the word. */
static bool model_take(struct side *s, uint32_t *rung)
{
	if (!ipcc.sh)
		return false;
	*rung = amp_ipcc_rx_pending(&ipcc, s->proc);
	for (uint32_t b = *rung; b; b &= b - 1u)
		amp_ipcc_ack(&ipcc, s->proc, (uint32_t)__builtin_ctz(b), NULL);
	return true;
}
#else
#define DOORBELLS 1 /* built without ipcc/ (AMP_WITH_IPCC=OFF): the word only */
static void model_use(bool on)
{
	(void)on;
}

static bool model_ring(struct side *s, uint32_t id)
{
	(void)s, (void)id;
	return false;
}

static bool model_take(struct side *s, uint32_t *rung)
{
	(void)s, (void)rung;
	return false;
}
#endif

static uint8_t *mem;
static volatile uint8_t status;
static struct amp_rpmsg_dev host, remote;
static struct side hs, rs;
static uint64_t received;

static void notify(void *ctx, uint32_t id)
{
	struct side *s = ctx;

	s->kicks++;
	if (!model_ring(s, id))
		atomic_fetch_or(&s->peer->pending, 1u << id);
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
	return status;
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
	status = st;
}

static int rx_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	received++;
	return 0;
}

/* Doorbells rung for @p s: taken (acknowledged) first, as an interrupt handler does. */
static uint32_t take_doorbells(struct side *s)
{
	uint32_t rung;

	if (model_take(s, &rung))
		return rung;
	return atomic_load_explicit(&s->pending, memory_order_relaxed)
		   ? atomic_exchange(&s->pending, 0)
		   : 0;
}

static void deliver(struct side *s)
{
	uint32_t p;

	while ((p = take_doorbells(s)))
		for (; p; p &= p - 1u)
			(void)amp_rpmsg_notified(s->dev, (uint32_t)__builtin_ctz(p));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void setup(uint32_t features)
{
	static uint32_t work[8];
	struct amp_port hp = {.ops = &ops, .ctx = &hs}, rp = {.ops = &ops, .ctx = &rs};
	struct amp_rpmsg_host_cfg hc = {
	    .vring = {{BASE_DA, 16, 16, 0}, {BASE_DA + 0x1000, 16, 16, 1}},
	    .pool_da = BASE_DA + 0x2000,
	    .pool_size = 0x4000,
	    .set_status = set_status,
	    .work = work,
	    .work_words = 8,
	    .features = features,
	};
	struct amp_rpmsg_vdev_params rv = {
	    .vring = {{BASE_DA, 16, 16, 0}, {BASE_DA + 0x1000, 16, 16, 1}},
	    .features = features,
	};
	struct amp_rpmsg_remote_cfg rc = {
	    .get_status = get_status,
	    .read_vdev = read_vdev,
	    .vdev_ctx = &rv,
	};

	memset(mem, 0, MEM_SIZE);
	hs = (struct side){.dev = &host, .peer = &rs, .proc = 0};
	rs = (struct side){.dev = &remote, .peer = &hs, .proc = 1};
	if (amp_rpmsg_host_init(&host, &hc, &hp) || amp_rpmsg_remote_init(&remote, &rc, &rp)) {
		fprintf(stderr, "init failed\n");
		exit(1);
	}
	deliver(&rs);
}

static const char *mode;

/* ---- round trips ---------------------------------------------------------------------------- */

static struct amp_rpmsg_ept rt_host, rt_remote;
static _Atomic uint64_t echoed;
static _Atomic int remote_run;	   /* 1: the remote thread polls; 0: it parks; -1: it ends */
static _Atomic bool remote_parked; /* it has left deliver() and answers `word` only */

static int echo_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	return amp_rpmsg_trysendto(ept, src, data, len) == (int)len ? 0 : -1;
}

static int count_cb(struct amp_rpmsg_ept *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	atomic_store_explicit(&echoed, atomic_load_explicit(&echoed, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	return 0;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (pthread_setaffinity_np(pthread_self(), sizeof(set), &set) != 0)
		fprintf(stderr, "bench_rpmsg: cannot pin to CPU %d\n", cpu);
}

/* A poll that has gone on for long: the other thread may be waiting for this CPU (a busy
 * machine, one CPU), so let it run. Rare enough not to count in a measurement. */
static void polled(unsigned *i)
{
	if (++*i % 4096u == 0)
		sched_yield();
}

/* The shared-word ping-pong: odd values are the host's, even ones the remote's answers. */
static struct {
	_Alignas(64) _Atomic uint64_t v; /* alone on its cache line */
	char pad[56];
} word;

static void *remote_thread(void *arg)
{
	(void)arg;
	int run;
	pin(1);
	for (unsigned i = 0; (run = atomic_load(&remote_run)) >= 0; polled(&i)) {
		if (run == 0) {
			if (!atomic_load_explicit(&remote_parked, memory_order_relaxed))
				atomic_store(&remote_parked, true);
			uint64_t w = atomic_load_explicit(&word.v, memory_order_acquire);
			if (w & 1u)
				atomic_store_explicit(&word.v, w + 1, memory_order_release);
			continue;
		}
		deliver(&rs);
	}
	return NULL;
}

/* One echo, the host's part: send, then poll until the answer is in. */
static void host_round_trip(const uint8_t *msg, bool alone)
{
	uint64_t want = atomic_load_explicit(&echoed, memory_order_relaxed) + 1;
	unsigned i = 0;

	if (amp_rpmsg_trysend(&rt_host, msg, 16) != 16) {
		fprintf(stderr, "bench_rpmsg: no TX buffer in a ping-pong\n");
		exit(1);
	}
	do {
		if (alone)
			deliver(&rs);
		deliver(&hs);
		polled(&i);
	} while (atomic_load_explicit(&echoed, memory_order_relaxed) != want);
}

static void park_remote(void)
{
	atomic_store(&remote_parked, false);
	atomic_store(&remote_run, 0);
	for (unsigned i = 0; !atomic_load(&remote_parked);)
		polled(&i);
}

static double rt_core(uint64_t n, bool alone)
{
	static const uint8_t msg[16];
	double t0 = now();
	for (uint64_t i = 0; i < n; i++)
		host_round_trip(msg, alone);
	return (now() - t0) / (double)n * 1e9;
}

static double rt_word(uint64_t n)
{
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t w = 2 * i + 1;
		atomic_store_explicit(&word.v, w, memory_order_release);
		for (unsigned k = 0; atomic_load_explicit(&word.v, memory_order_acquire) != w + 1;)
			polled(&k);
	}
	double ns = (now() - t0) / (double)n * 1e9;
	atomic_store(&word.v, 0);
	return ns;
}

static void rt_setup(bool model)
{
	model_use(model);
	setup(0);
	amp_rpmsg_create_ept(&rt_remote, &remote, "", 100, AMP_RPMSG_ADDR_ANY, echo_cb, NULL, NULL);
	amp_rpmsg_create_ept(&rt_host, &host, "", 1024, 100, count_cb, NULL, NULL);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

#define RT_ROUNDS 5

static void round_trips(uint64_t n)
{
	double alone[DOORBELLS][RT_ROUNDS], cross[DOORBELLS][RT_ROUNDS],
	    ratio[DOORBELLS][RT_ROUNDS], floor_ns[RT_ROUNDS];
	pthread_t remote_tid;

	cpu_set_t allowed;
	printf("\nround trips, 16 B echoed one at a time, %llu per round, %d rounds interleaved "
	       "(medians)\n",
	       (unsigned long long)n, RT_ROUNDS);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0 || !CPU_ISSET(0, &allowed) ||
	    !CPU_ISSET(1, &allowed)) {
		printf("  not measured: needs CPUs 0 and 1\n");
		return;
	}
	pin(0);
	atomic_store(&remote_run, 0);
	model_use(false); /* the throughput rows' doorbell until the threads are parked */
	if (pthread_create(&remote_tid, NULL, remote_thread, NULL) != 0) {
		fprintf(stderr, "bench_rpmsg: cannot start the remote thread\n");
		exit(1);
	}
	for (int r = 0; r < RT_ROUNDS; r++) {
		floor_ns[r] = rt_word(n);
		for (int model = 0; model < DOORBELLS; model++) {
			rt_setup(model);
			alone[model][r] = rt_core(n, true);
			atomic_store(&remote_run, 1);
			cross[model][r] = rt_core(n, false);
			ratio[model][r] = cross[model][r] / floor_ns[r];
			park_remote(); /* before the next setup rewrites its rings */
		}
	}
	atomic_store(&remote_run, -1);
	pthread_join(remote_tid, NULL);
	double fl = median(floor_ns, RT_ROUNDS);
	printf("  %-52s %8.0f ns\n", "shared-word ping-pong, CPU 0 <-> CPU 1 (floor)", fl);
	for (int model = 0; model < DOORBELLS; model++) {
		const char *bell = model ? "IPCC register model" : "a word";
		printf("  one thread, the work alone; doorbell: %-20s %8.0f ns\n", bell,
		       median(alone[model], RT_ROUNDS));
		printf("  CPU 0 <-> CPU 1, both polling; doorbell: %-17s %8.0f ns  %5.2fx floor\n",
		       bell, median(cross[model], RT_ROUNDS), median(ratio[model], RT_ROUNDS));
	}
}
static double baseline[497]; /* msg/s of the physical baseline, by payload size */

/* The physical baseline: what a message costs at the very least, its payload copied into a
 * 512-byte buffer of a 32-buffer pool and out again, with nothing else. */
static void measure_baseline(size_t len, uint64_t n)
{
	static uint8_t pool[32][512], in[496], out[496];
	double t0 = now();
	for (uint64_t i = 0; i < n; i++) {
		in[0] = (uint8_t)i;
		memcpy(pool[i % 32], in, len);
		memcpy(out, pool[(i + 7) % 32], len);
	}
	volatile uint8_t sink = out[0]; /* the copies are used */
	(void)sink;
	baseline[len] = (double)n / (now() - t0);
	printf("baseline  2 x memcpy       %4zu B  %10.0f msg/s\n", len, baseline[len]);
}

static void run(const char *dir, struct amp_rpmsg_ept *tx, struct side *txs, size_t len, uint64_t n)
{
	static uint8_t payload[496];
	uint64_t sent = 0, k0 = hs.kicks + rs.kicks;
	double t0, t;

	received = 0;
	t0 = now();
	while (sent < n) {
		/* Send until the ring is full (or done), then let the peer run: batching. */
		while (sent < n && amp_rpmsg_trysend(tx, payload, len) == (int)len)
			sent++;
		deliver(txs->peer);
		deliver(txs);
	}
	t = now() - t0;
	if (received != n) {
		fprintf(stderr, "lost messages: %llu of %llu\n", (unsigned long long)received,
			(unsigned long long)n);
		exit(1);
	}
	printf("%-9s %-14s %4zu B  %10.0f msg/s  %7.1f MB/s  %.3f doorbells/msg  %.2fx baseline\n",
	       mode, dir, len, n / t, n * len / t / 1e6, (double)(hs.kicks + rs.kicks - k0) / n,
	       n / t / baseline[len]);
}

int main(int argc, char **argv)
{
	static const char usage[] = "bench_rpmsg [messages [round trips]]";
	bench_cli_help(argc, argv, usage);
	uint64_t n = bench_cli_count(argc, argv, 1, "messages", 2000000, 1, 1000000000, usage);
	uint64_t rts = bench_cli_count(argc, argv, 2, "round trips", 200000, 1, 1000000000, usage);
	static const size_t sizes[] = {16, 496};
	struct amp_rpmsg_ept hept, rept;

	mem = aligned_alloc(4096, MEM_SIZE);
	printf("ampsim vring/ core, in-process, 16-entry vrings, 512-byte buffers, %llu messages\n",
	       (unsigned long long)n);
	measure_baseline(16, n);
	measure_baseline(496, n);
	for (int m = 0; m < 2; m++) {
		/* flags: ring-flag suppression as Linux + OpenAMP negotiate it; EVENT_IDX: bit 29.
		 */
		mode = m ? "EVENT_IDX" : "flags";
		setup(m ? 1u << AMP_VIRTIO_RING_F_EVENT_IDX : 0);
		amp_rpmsg_create_ept(&rept, &remote, "", 100, 1024, rx_cb, NULL, NULL);
		amp_rpmsg_create_ept(&hept, &host, "", 1024, 100, rx_cb, NULL, NULL);
		for (size_t i = 0; i < 2; i++) {
			run("host->remote", &hept, &hs, sizes[i], n);
			run("remote->host", &rept, &rs, sizes[i], n);
		}
	}
	round_trips(rts);
	free(mem);
	return 0;
}
