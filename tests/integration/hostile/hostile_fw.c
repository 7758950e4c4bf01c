/*
 * A hostile test firmware: fw-sample/echo's stack (the real sim port, its IRQ thread, an
 * echo endpoint) plus a seeded corruption thread that writes random bytes at random
 * firmware-writable places of the run's shared object, at random intervals:
 *
 *   vring   both vrings (descriptors, avail and used rings, event words)
 *   buffer  the RPMsg buffer pool
 *   rsc     the loaded resource table (vdev status, vring da/num/notifyid, trace entry)
 *   ipcc    the IPCC register file and the model's state and counters
 *   header  the SoC header page before the plug table (region table, rsc slot, asleep)
 *   plug    the DDR plug table
 *   trace   the event-trace ring's control words and first records (docs/trace.md)
 *   kick    no write: ring the host on a random channel through the register model
 *
 * Configuration comes from the environment, which `ampsim run` passes on:
 *   HOSTILE_SEED     64-bit seed (decimal or 0x hex; default 1)
 *   HOSTILE_COUNT    corruptions in all, over every instance (default 1000)
 *   HOSTILE_STATE    a file holding "<instance> <corruptions done>": the budget is shared
 *                    by the instances that recovery starts, and each instance derives its
 *                    generator from the seed and its instance number (required)
 *   HOSTILE_CLASSES  comma-separated classes from the list above (default: all)
 *   HOSTILE_GAP_US   largest random pause between two corruptions (default 2000)
 *
 * Replaying a seed repeats the same sequence of corruptions per instance (places, bytes,
 * pauses); their interleaving with traffic and with the host depends on scheduling.
 * When the budget is spent the thread makes the host see one certain violation (a used id
 * past the ring in vring0, after putting back the host's IPCC enables as it found them at
 * start), prints "hostile: done N" on stderr and stops; the echo stack keeps serving.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openamp/open_amp.h>

#include <amp/fw_platform.h>
#include <amp/ipcc.h>
#include <amp/rsc_declare.h>
#include <amp/stm32mp1.h>
#include <amp/vring_layout.h>
#include <ampsim/ddr_plug.h>
#include <ampsim/fwenv.h>
#include <ampsim/soc.h>

#define ECHO_SERVICE "rpmsg-openamp-demo-channel"

enum cls { C_VRING, C_BUFFER, C_RSC, C_IPCC, C_HEADER, C_PLUG, C_KICK, C_TRACE, C_COUNT };
static const char *const cls_names[C_COUNT] = {"vring",	 "buffer", "rsc",  "ipcc",
					       "header", "plug",   "kick", "trace"};

struct span {
	uint8_t *p;
	size_t len;
};

static struct {
	uint64_t rng;
	uint64_t count, done;
	uint32_t instance;
	uint32_t classes; /* bit per enum cls */
	uint32_t gap_us;
	int state_fd;
	uint8_t *base; /* the whole shared object, mapped here */
	size_t size;
	struct amp_soc view; /* regions from the header as validated at start */
	struct span vring[2], buffer, ipcc;
	int efds[AMP_FWENV_NFDS];
	uint32_t c1cr, c1mr; /* the host's IPCC enables as found at start */
} h = {.state_fd = -1};

static uint64_t next(void)
{
	/* xorshift64*: small, and the same sequence on every machine. */
	h.rng ^= h.rng >> 12;
	h.rng ^= h.rng << 25;
	h.rng ^= h.rng >> 27;
	return h.rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static uint32_t parse_classes(const char *v)
{
	uint32_t m = 0;
	if (!v || !*v)
		return (1u << C_COUNT) - 1u;
	for (int c = 0; c < C_COUNT; c++) {
		const char *p = strstr(v, cls_names[c]);
		size_t n = strlen(cls_names[c]);
		if (p && (p == v || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			m |= 1u << c;
	}
	return m;
}

/* The state file: "<instance> <done>". Read at start, the instance bumped. */
static int state_open(void)
{
	const char *path = getenv("HOSTILE_STATE");
	char buf[64] = "";
	unsigned long inst = 0;
	unsigned long long done = 0;
	if (!path)
		return -1;
	h.state_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (h.state_fd < 0)
		return -1;
	if (pread(h.state_fd, buf, sizeof(buf) - 1, 0) > 0)
		sscanf(buf, "%lu %llu", &inst, &done);
	h.instance = (uint32_t)inst + 1u;
	h.done = done;
	return 0;
}

static void state_write(void)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%u %llu\n", h.instance, (unsigned long long)h.done);
	if (pwrite(h.state_fd, buf, (size_t)n, 0) != n || ftruncate(h.state_fd, n) != 0)
		perror("hostile: state file");
}

static struct span region_span(uint32_t purpose, int nth)
{
	for (uint32_t i = 0; i < h.view.nregions; i++) {
		const struct amp_soc_region *r = &h.view.regions[i];
		if (r->purpose == purpose && nth-- == 0)
			return (struct span){h.base + r->offset, (size_t)r->size};
	}
	return (struct span){NULL, 0};
}

/* Map the whole object (our own mapping, apart from the port's) and learn its regions. */
static int map_object(void)
{
	char name[AMP_SOC_SHM_NAME_MAX], why[160];
	struct stat st;
	if (amp_fwenv_read(name, sizeof(name), h.efds, why, sizeof(why)) != 0)
		return -1;
	int fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
	if (fd < 0 || fstat(fd, &st) != 0)
		return -1;
	h.size = (size_t)st.st_size;
	h.base = mmap(NULL, h.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h.base == MAP_FAILED)
		return -1;
	/* A header a previous instance scribbled on may not validate: then only the header
	 * page, the plug table and kicks are targets. */
	if (amp_soc_hdr_check((const void *)h.base, h.size, &h.view, why, sizeof(why)) != 0) {
		fprintf(stderr, "hostile: header invalid at start (%s)\n", why);
		h.view.nregions = 0;
	}
	h.vring[0] = region_span(AMP_SOC_PURPOSE_VRING, 0);
	h.vring[1] = region_span(AMP_SOC_PURPOSE_VRING, 1);
	h.buffer = region_span(AMP_SOC_PURPOSE_BUFFER, 0);
	h.ipcc = region_span(AMP_SOC_PURPOSE_IPCC, 0);
	if (h.ipcc.p && h.ipcc.len >= sizeof(struct amp_ipcc_shared)) {
		h.ipcc.len = sizeof(struct amp_ipcc_shared);
		struct amp_ipcc_shared *sh = (void *)h.ipcc.p;
		h.c1cr = atomic_load(&sh->reg[AMP_IPCC_C1CR / 4]);
		h.c1mr = atomic_load(&sh->reg[AMP_IPCC_C1MR / 4]);
	} else {
		h.ipcc = (struct span){NULL, 0};
	}
	return 0;
}

/* The loaded resource table, through the region table read at start. */
static struct span rsc_span(void)
{
	const struct amp_soc_hdr *hdr = (const void *)h.base;
	uint64_t da = hdr->rsc_da, len = hdr->rsc_size;
	for (uint32_t i = 0; i < h.view.nregions; i++) {
		const struct amp_soc_region *r = &h.view.regions[i];
		if (da >= r->da && da - r->da < r->size && len <= r->size - (da - r->da))
			return (struct span){h.base + r->offset + (da - r->da), (size_t)len};
	}
	return (struct span){NULL, 0};
}

/* Ring the host: the model sets the flag, raised lines go out on the run's eventfds. */
static void kick(uint32_t ch)
{
	struct amp_ipcc m;
	uint32_t raised = 0;
	uint64_t one = 1;
	if (!h.ipcc.p || amp_ipcc_init(&m, (void *)h.ipcc.p, AMP_STM32MP1_IPCC_NCHAN) != 0)
		return;
	(void)amp_ipcc_send(&m, AMP_IPCC_PROC2, ch % AMP_STM32MP1_IPCC_NCHAN, &raised);
	for (int b = 0; b < AMP_FWENV_NFDS; b++)
		if ((raised >> b) & 1u)
			(void)!write(h.efds[b], &one, sizeof(one));
}

/* The head of the trace ring (control words and the first records): where the host looks. */
static struct span trace_span(void)
{
	const struct amp_soc_hdr *hdr = (const void *)h.base;
	uint64_t off = hdr->trace_off;
	if (off < AMP_SOC_HDR_SIZE || off > h.size || h.size - off < AMP_SOC_TRACE_SIZE)
		return (struct span){NULL, 0};
	return (struct span){h.base + off, 1024};
}

static struct span target(enum cls c)
{
	switch (c) {
	case C_VRING:
		return h.vring[next() & 1u];
	case C_BUFFER:
		return h.buffer;
	case C_RSC:
		return rsc_span();
	case C_IPCC:
		return h.ipcc;
	case C_HEADER:
		return (struct span){h.base, AMP_DDR_PLUG_OFFSET};
	case C_PLUG:
		return (struct span){h.base + AMP_DDR_PLUG_OFFSET,
				     sizeof(struct amp_ddr_plug_table)};
	case C_TRACE:
		return trace_span();
	default:
		return (struct span){NULL, 0};
	}
}

static void corrupt_once(void)
{
	enum cls c;
	do
		c = (enum cls)(next() % C_COUNT);
	while (!(h.classes & (1u << c)));
	if (c == C_KICK) {
		kick((uint32_t)next());
		return;
	}
	struct span t = target(c);
	if (!t.p || !t.len)
		return;
	size_t off = next() % t.len, n = 1 + next() % 8;
	if (n > t.len - off)
		n = t.len - off;
	for (size_t i = 0; i < n; i++)
		((volatile uint8_t *)t.p)[off + i] = (uint8_t)next();
}

/* The last act: a used id past vring0's end that the host cannot miss. */
static void certain_violation(void)
{
	const uint32_t num = AMP_RSC_ST_VRING_NUM;
	if (!h.vring[0].p || !h.ipcc.p)
		return;
	struct amp_ipcc_shared *sh = (void *)h.ipcc.p;
	atomic_store(&sh->reg[AMP_IPCC_C1CR / 4], h.c1cr);
	atomic_store(&sh->reg[AMP_IPCC_C1MR / 4], h.c1mr);
	atomic_fetch_and(&sh->reg[AMP_IPCC_C2TOC1SR / 4], ~AMP_IPCC_CHNF(AMP_IPCC_CH_VRING0));
	volatile struct amp_vring_used *used =
	    (void *)(h.vring[0].p + amp_vring_used_off(num, AMP_RSC_ST_VRING_ALIGN));
	uint16_t idx = used->idx;
	used->ring[idx % num].id = num + 1u;
	used->ring[idx % num].len = 16;
	__atomic_store_n(&used->idx, (uint16_t)(idx + 1u), __ATOMIC_RELEASE);
	kick(AMP_IPCC_CH_VRING0);
	/* Whatever the model raised: the host's RX line once more (a spurious one is harmless). */
	uint64_t one = 1;
	(void)!write(h.efds[AMP_IPCC_LINK_EFD(AMP_IPCC_PROC1, AMP_IPCC_LINE_RXO)], &one,
		     sizeof(one));
}

static void pause_us(uint32_t us)
{
	struct timespec t = {.tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000L};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static void *corruptor(void *arg)
{
	(void)arg;
	while (h.done < h.count) {
		pause_us((uint32_t)(next() % (h.gap_us + 1u)));
		corrupt_once();
		h.done++;
		state_write();
	}
	/* Give the client time to see the budget spent and stop its traffic. */
	pause_us(300000);
	certain_violation();
	fprintf(stderr, "hostile: done %llu (instance %u)\n", (unsigned long long)h.done,
		h.instance);
	return NULL;
}

static int start_corruptor(void)
{
	pthread_t t;
	uint64_t seed = env_u64("HOSTILE_SEED", 1);
	h.count = env_u64("HOSTILE_COUNT", 1000);
	h.gap_us = (uint32_t)env_u64("HOSTILE_GAP_US", 2000);
	h.classes = parse_classes(getenv("HOSTILE_CLASSES"));
	if (!h.classes || state_open() != 0 || map_object() != 0) {
		fprintf(stderr,
			"hostile: set HOSTILE_STATE to a writable file (and HOSTILE_CLASSES "
			"to names from vring,buffer,rsc,ipcc,header,plug,kick)\n");
		return -1;
	}
	/* One generator per instance, the same for every replay of the seed. */
	h.rng = (seed ^ ((uint64_t)h.instance * 0x9E3779B97F4A7C15ULL)) | 1u;
	fprintf(stderr, "hostile: seed %llu instance %u, %llu of %llu corruptions done\n",
		(unsigned long long)seed, h.instance, (unsigned long long)h.done,
		(unsigned long long)h.count);
	state_write();
	if (h.done >= h.count)
		return 0;
	if (pthread_create(&t, NULL, corruptor, NULL) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}

/* ---- the echo application, as fw-sample/echo ----------------------------------------------- */

static struct rpmsg_endpoint echo_ept;

static int echo_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	(void)rpmsg_sendto(ept, data, (int)len, src);
	return RPMSG_SUCCESS;
}

int main(void)
{
	/* Corrupting starts before the port attaches: a hostile image does not wait for the
	 * host to be ready. */
	if (start_corruptor() != 0)
		return 1;
	struct rpmsg_device *rdev = fw_platform_init();
	if (!rdev)
		return 1;
	if (rpmsg_create_ept(&echo_ept, rdev, ECHO_SERVICE, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, echo_cb,
			     NULL) != RPMSG_SUCCESS)
		return 1;
	while (!fw_platform_stop_requested())
		fw_platform_poll(100);
	rpmsg_destroy_ept(&echo_ept);
	fw_platform_deinit();
	return 0;
}
