/*
 * In-process RPMsg throughput: a host and a remote instance of the core over one memory block
 * (STM32MP1 layout: 16-entry vrings, 32 x 512-byte buffers), doorbells delivered by a loop.
 * Prints messages per second and doorbells per message for 16- and 496-byte payloads in both
 * directions, with the default notification suppression, against a physical baseline
 * measured in the same run (each payload copied into a pool buffer and out). Not a test.
 *   bench_rpmsg [messages]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <amp/error.h>
#include <amp/rpmsg.h>

#define BASE_DA 0x10040000u
#define MEM_SIZE 0x6000u

struct side {
	struct amp_rpmsg_dev *dev;
	struct side *peer;
	uint32_t pending;
	uint64_t kicks;
};

static uint8_t *mem;
static volatile uint8_t status;
static struct amp_rpmsg_dev host, remote;
static struct side hs, rs;
static uint64_t received;

static void notify(void *ctx, uint32_t id)
{
	struct side *s = ctx;

	s->kicks++;
	s->peer->pending |= 1u << id;
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

static void deliver(struct side *s)
{
	while (s->pending) {
		uint32_t id = (uint32_t)__builtin_ctz(s->pending);

		s->pending &= ~(1u << id);
		(void)amp_rpmsg_notified(s->dev, id);
	}
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
	hs = (struct side){.dev = &host, .peer = &rs};
	rs = (struct side){.dev = &remote, .peer = &hs};
	if (amp_rpmsg_host_init(&host, &hc, &hp) || amp_rpmsg_remote_init(&remote, &rc, &rp)) {
		fprintf(stderr, "init failed\n");
		exit(1);
	}
	deliver(&rs);
}

static const char *mode;
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
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 2000000;
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
	free(mem);
	return 0;
}
