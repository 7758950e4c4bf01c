/*
 * libFuzzer target: the HOST side against a hostile firmware. The input is a script of
 * (step, corruption) operations (fuzz_host.h): the host RPMsg bus steps (interrupts, sends,
 * zero-copy TX, held RX, endpoints) interleaved with an honest in-process remote and with
 * arbitrary writes to every byte the firmware can write: both vrings and the buffer pool
 * (a malloc'd block of exactly their size, so ASan flags any access outside it), the IPCC
 * register file (a malloc'd struct amp_ipcc_shared) and the SoC header page with its DDR
 * plug table (a real shared object, fuzz_host_soc.c). Everything runs in this process: no
 * firmware process, no fork per input.
 *
 * Host invariants checked after every step (a failure traps): every pointer the bus hands
 * out (receive data, TX buffers) lies in its own pool area and fits; the host's own counts
 * agree with its bitmaps (in flight, free TX buffers, reserved ones); the port lock is
 * balanced; a broken queue stays broken; names given to callbacks are terminated.
 */
#include "fuzz_host.h"

#include <stdlib.h>
#include <string.h>

#include <amp/error.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* ---- the script reader --------------------------------------------------------------- */

uint8_t fz_u8(struct fz_script *s)
{
	return s->pos < s->len ? s->data[s->pos++] : 0;
}

uint16_t fz_u16(struct fz_script *s)
{
	uint16_t lo = fz_u8(s);
	return (uint16_t)(lo | (uint16_t)(fz_u8(s) << 8));
}

uint32_t fz_u32(struct fz_script *s)
{
	uint32_t lo = fz_u16(s);
	return lo | (uint32_t)fz_u16(s) << 16;
}

/* Copy up to @p max script bytes (a corruption's payload) into @p dst; returns the count. */
size_t fz_bytes(struct fz_script *s, uint8_t *dst, size_t max)
{
	size_t n = fz_u8(s) % (max + 1);
	if (n > s->len - s->pos)
		n = s->len - s->pos;
	memcpy(dst, s->data + s->pos, n);
	s->pos += n;
	return n;
}

/* ---- the port of both sides over the block --------------------------------------------------- */

static void *fz_da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	struct fz_port *p = ctx;
	uint64_t n = len ? len : 1;
	if (da < FZ_BASE_DA || da - FZ_BASE_DA > FZ_MEM_SIZE || n > FZ_MEM_SIZE - (da - FZ_BASE_DA))
		return NULL;
	return p->link->mem + (da - FZ_BASE_DA);
}

static void fz_notify(void *ctx, uint32_t id)
{
	struct fz_port *p = ctx;
	struct fz_port *peer = p->is_host ? &p->link->rp : &p->link->hp;
	/* Only notify ids 0 and 1 exist: no firmware byte may make a side ring another. */
	FZ_CHECK(id < 2);
	peer->pending |= 1u << id;
}

static void fz_lock(void *ctx)
{
	((struct fz_port *)ctx)->lock_depth++;
}

static void fz_unlock(void *ctx)
{
	struct fz_port *p = ctx;
	FZ_CHECK(p->lock_depth > 0);
	p->lock_depth--;
}

static void fz_assert_fail(const char *file, int line, const char *expr)
{
	(void)file;
	(void)line;
	(void)expr;
	/* The core's own invariant failed: firmware bytes must never get it there. */
	__builtin_trap();
}

/* No wait hook: blocking calls behave as their non-blocking forms (one thread). */
static const struct amp_port_ops fz_ops = {
    .notify = fz_notify,
    .lock = fz_lock,
    .unlock = fz_unlock,
    .da_to_va = fz_da_to_va,
    .assert_fail = fz_assert_fail,
};

static void set_status(void *ctx, uint8_t st)
{
	((struct fz_link *)ctx)->mem[FZ_STATUS_OFF] = st;
}

static uint8_t get_status(void *ctx)
{
	return ((struct fz_link *)ctx)->mem[FZ_STATUS_OFF];
}

static int read_vdev(void *ctx, struct amp_rpmsg_vdev_params *p)
{
	struct fz_link *l = ctx;
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 2; i++)
		p->vring[i] = l->hcfg.vring[i];
	p->features = l->hcfg.features;
	return 0;
}

/* Bring up host then remote over a fresh block (every byte 0xA5: the host zeroes vrings). */
static void link_up(struct fz_link *l, uint8_t features)
{
	memset(l->mem, 0xA5, FZ_MEM_SIZE);
	l->mem[FZ_STATUS_OFF] = 0;
	memset(&l->host, 0, sizeof(l->host));
	memset(&l->remote, 0, sizeof(l->remote));
	l->hp = (struct fz_port){.link = l, .is_host = true};
	l->rp = (struct fz_port){.link = l};
	l->hport = (struct amp_port){.ops = &fz_ops, .ctx = &l->hp};
	l->rport = (struct amp_port){.ops = &fz_ops, .ctx = &l->rp};
	l->hcfg = (struct amp_rpmsg_host_cfg){0};
	for (uint32_t i = 0; i < 2; i++)
		l->hcfg.vring[i] = (struct amp_vring_info){.da = FZ_BASE_DA + i * FZ_VRING_SIZE,
							   .num = FZ_NUM,
							   .align = 16,
							   .notify_id = i};
	l->hcfg.pool_da = FZ_BASE_DA + FZ_POOL_OFF;
	l->hcfg.pool_size = FZ_POOL_SIZE;
	l->hcfg.set_status = set_status;
	l->hcfg.status_ctx = l;
	l->hcfg.features = features & 1u; /* name service on or off */
	l->hcfg.no_suppress = (features & 2u) != 0;
	l->hcfg.ns_cb = fz_host_ns_cb;
	l->hcfg.ns_priv = l;
	l->hcfg.work = l->work;
	l->hcfg.work_words = sizeof(l->work) / sizeof(l->work[0]);
	FZ_CHECK(amp_rpmsg_host_init(&l->host, &l->hcfg, &l->hport) == 0);
	l->rcfg = (struct amp_rpmsg_remote_cfg){.get_status = get_status,
						.read_vdev = read_vdev,
						.vdev_ctx = l,
						.no_suppress = (features & 4u) != 0};
	l->remote_up = amp_rpmsg_remote_init(&l->remote, &l->rcfg, &l->rport) == 0;
	FZ_CHECK(l->remote_up);
}

/* ---- one input ------------------------------------------------------------------------------ */

static struct fz_link *g_link;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	g_link = calloc(1, sizeof(*g_link));
	FZ_CHECK(g_link);
	/* Exactly the block's size: one byte past it is in ASan's redzone. */
	g_link->mem = malloc(FZ_MEM_SIZE);
	FZ_CHECK(g_link->mem);
	fz_soc_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_script s = {.data = data, .len = size};
	struct fz_link *l = g_link;

	link_up(l, fz_u8(&s));
	fz_bus_reset(l);
	fz_soc_begin(l);
	for (unsigned steps = 0; s.pos < s.len && steps < FZ_MAX_STEPS; steps++) {
		unsigned op = fz_u8(&s) % FZ_OP_COUNT;
		if (op >= FZ_OP_IPCC)
			fz_soc_step(op, &s);
		else
			fz_bus_step(l, op, &s);
		fz_bus_check(l);
	}
	fz_bus_end(l);
	fz_soc_end();
	return 0;
}
