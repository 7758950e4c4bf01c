#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <amp/error.h>

#include "harness.h"

static void fx_notify(void *ctx, uint32_t id)
{
	struct fx_port *p = ctx;
	struct fx_port *peer = p->is_host ? &p->fx->rp : &p->fx->hp;

	assert_true(id < 4);
	p->kicks[id]++;
	peer->pending |= 1u << id;
}

static void fx_lock(void *ctx)
{
	struct fx_port *p = ctx;

	if (++p->lock_depth > p->max_lock_depth)
		p->max_lock_depth = p->lock_depth;
}

static void fx_unlock(void *ctx)
{
	struct fx_port *p = ctx;

	assert_true(p->lock_depth > 0);
	p->lock_depth--;
}

static int fx_wait(void *ctx, uint32_t *timeout_ms)
{
	struct fx_port *p = ctx;

	/* The core must never sleep with the lock held. */
	assert_int_equal(p->lock_depth, 0);
	p->waits++;
	if (p->wait_mode == FX_WAIT_PUMP_PEER)
		fx_deliver(p->fx, !p->is_host);
	if (*timeout_ms <= 1) {
		*timeout_ms = 0;
		return AMP_ETIMEDOUT;
	}
	*timeout_ms -= 1;
	return 0;
}

static void *fx_da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	struct fx_port *p = ctx;

	if (da < FX_BASE_DA || da - FX_BASE_DA > FX_MEM_SIZE ||
	    len > FX_MEM_SIZE - (da - FX_BASE_DA)) {
		p->da_rejects++;
		return NULL;
	}
	return p->fx->mem + (da - FX_BASE_DA);
}

static void fx_assert_fail(const char *file, int line, const char *expr)
{
	fail_msg("core assertion %s at %s:%d", expr, file, line);
}

static const struct amp_port_ops fx_ops = {
    .notify = fx_notify,
    .lock = fx_lock,
    .unlock = fx_unlock,
    .wait = fx_wait,
    .da_to_va = fx_da_to_va,
    .assert_fail = fx_assert_fail,
};

static uint8_t get_status(void *ctx)
{
	return ((struct fx *)ctx)->status;
}

/* As a port over the loaded table: the vring parameters as the host wrote them. */
static int read_vdev(void *ctx, struct amp_rpmsg_vdev_params *p)
{
	struct fx *fx = ctx;

	/* The core must read the vdev only once DRIVER_OK is set. */
	assert_true(fx->status & AMP_VIRTIO_STATUS_DRIVER_OK);
	fx->rvdev_reads++;
	*p = fx->rvdev;
	return 0;
}

static void set_status(void *ctx, uint8_t st)
{
	((struct fx *)ctx)->status = st;
}

struct fx *fx_alloc(const struct fx_opts *o)
{
	static const struct fx_opts none;
	struct fx *fx = calloc(1, sizeof(*fx));
	uint32_t num, features;

	if (!o)
		o = &none;
	assert_non_null(fx);
	fx->mem = aligned_alloc(4096, FX_MEM_SIZE);
	assert_non_null(fx->mem);
	memset(fx->mem, 0xA5, FX_MEM_SIZE); /* the host must zero the vrings itself */
	fx->rdev = &fx->remote;
	num = o->num ? o->num : 16;
	features = o->features | (o->no_ns ? 0 : 1u);

	fx->hp = (struct fx_port){.fx = fx, .is_host = true};
	fx->rp = (struct fx_port){.fx = fx, .is_host = false};
	fx->hport = (struct amp_port){.ops = &fx_ops, .ctx = &fx->hp};
	fx->rport = (struct amp_port){.ops = &fx_ops, .ctx = &fx->rp};

	for (int i = 0; i < 2; i++) {
		struct amp_vring_info vi = {
		    .da = FX_BASE_DA + (i ? FX_VRING1_OFF : FX_VRING0_OFF),
		    .num = num,
		    .align = 16,
		    .notify_id = (uint32_t)i,
		};
		fx->hcfg.vring[i] = vi;
		fx->rvdev.vring[i] = vi;
	}
	fx->hcfg.pool_da = FX_BASE_DA + FX_POOL_OFF;
	fx->hcfg.pool_size = FX_POOL_SIZE;
	fx->hcfg.rx_count = o->rx_count;
	fx->hcfg.tx_count = o->tx_count;
	fx->hcfg.set_status = set_status;
	fx->hcfg.status_ctx = fx;
	fx->hcfg.features = features;
	fx->hcfg.no_suppress = o->no_suppress;
	fx->hcfg.work = fx->work;
	fx->hcfg.work_words = sizeof(fx->work) / sizeof(fx->work[0]);
	fx->rcfg.get_status = get_status;
	fx->rcfg.read_vdev = read_vdev;
	fx->rcfg.vdev_ctx = fx;
	fx->rvdev.features = features;
	fx->rcfg.ready_timeout_ms = 100;
	fx->rcfg.no_suppress = o->no_suppress;
	return fx;
}

struct fx *fx_new(const struct fx_opts *o)
{
	struct fx *fx = fx_alloc(o);

	assert_int_equal(amp_rpmsg_host_init(&fx->host, &fx->hcfg, &fx->hport), 0);
	assert_int_equal(amp_rpmsg_remote_init(&fx->remote, &fx->rcfg, &fx->rport), 0);
	/* Bring-up kick on vring0: nothing for the remote to do yet, but deliver it. */
	fx_pump(fx);
	return fx;
}

void fx_free(struct fx *fx)
{
	if (!fx)
		return;
	assert_int_equal(fx->hp.lock_depth, 0);
	assert_int_equal(fx->rp.lock_depth, 0);
	free(fx->mem);
	free(fx);
}

int fx_deliver(struct fx *fx, bool to_host)
{
	struct fx_port *p = to_host ? &fx->hp : &fx->rp;
	struct amp_rpmsg_dev *dev = to_host ? &fx->host : fx->rdev;
	int n = 0;

	while (p->pending) {
		uint32_t id = (uint32_t)__builtin_ctz(p->pending);

		p->pending &= ~(1u << id);
		(void)amp_rpmsg_notified(dev, id);
		n++;
	}
	return n;
}

int fx_pump(struct fx *fx)
{
	int total = 0, n;

	do {
		n = fx_deliver(fx, false) + fx_deliver(fx, true);
		total += n;
	} while (n && total < 1000000);
	return total;
}

void *fx_va(struct fx *fx, uint32_t da)
{
	return fx->mem + (da - FX_BASE_DA);
}

static uint8_t *vring_base(struct fx *fx, int vring)
{
	return fx->mem + (vring ? FX_VRING1_OFF : FX_VRING0_OFF);
}

volatile struct amp_vring_desc *fx_desc(struct fx *fx, int vring)
{
	return (volatile struct amp_vring_desc *)(void *)vring_base(fx, vring);
}

volatile struct amp_vring_avail *fx_avail(struct fx *fx, int vring)
{
	return (volatile struct amp_vring_avail *)(void *)(vring_base(fx, vring) +
							   amp_vring_avail_off(
							       fx->hcfg.vring[vring].num));
}

volatile struct amp_vring_used *fx_used(struct fx *fx, int vring)
{
	return (volatile struct amp_vring_used *)(void *)(vring_base(fx, vring) +
							  amp_vring_used_off(
							      fx->hcfg.vring[vring].num, 16));
}
