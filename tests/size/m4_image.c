/*
 * Minimal Cortex-M4 firmware image for measuring the remote-role core: bring-up from a
 * (STM32MP1-like) loaded resource table, one named endpoint (announced), a send, and receive
 * with an echo callback. Built twice: AMP_SIZE_FULL=1 with the core, and a baseline with the
 * same skeleton and port but no core calls; core size = full - baseline.
 */
#include <stddef.h>
#include <stdint.h>

#include <amp/error.h>
#include <amp/port.h>
#include <amp/rpmsg.h>

#define SHM_BASE 0x10040000u /* vdev0vring0, vdev0vring1, vdev0buffer */
#define SHM_SIZE 0x6000u
#define IPCC_C1SCR (*(volatile uint32_t *)0x4C00100Cu)
#define RSC_STATUS (*(volatile uint8_t *)0x10000040u) /* vdev status in the loaded table */

static volatile uint32_t irq_pending; /* set by the IPCC RX interrupt handler */
static uint32_t irq_nest;

static void port_notify(void *ctx, uint32_t id)
{
	(void)ctx;
	IPCC_C1SCR = 1u << (16u + id); /* set the channel's TX-occupied flag */
}

static void port_lock(void *ctx)
{
	(void)ctx;
	__asm volatile("cpsid i" ::: "memory");
	irq_nest++;
}

static void port_unlock(void *ctx)
{
	(void)ctx;
	if (--irq_nest == 0)
		__asm volatile("cpsie i" ::: "memory");
}

static int port_wait(void *ctx, uint32_t *timeout_ms)
{
	(void)ctx;
	__asm volatile("wfi");
	if (*timeout_ms)
		(*timeout_ms)--; /* a SysTick of 1 ms wakes us */
	return *timeout_ms ? 0 : AMP_ETIMEDOUT;
}

static void *port_da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	(void)ctx;
	if (da < SHM_BASE || da - SHM_BASE > SHM_SIZE || len > SHM_SIZE - (uint32_t)(da - SHM_BASE))
		return NULL;
	return (void *)(uintptr_t)da; /* firmware pointers are device addresses */
}

static void port_assert(const char *file, int line, const char *expr)
{
	(void)file;
	(void)line;
	(void)expr;
	for (;;)
		;
}

static const struct amp_port_ops port_ops = {
    .notify = port_notify,
    .lock = port_lock,
    .unlock = port_unlock,
    .wait = port_wait,
    .da_to_va = port_da_to_va,
    .assert_fail = port_assert,
};
static const struct amp_port port = {.ops = &port_ops};

static uint8_t get_status(void *ctx)
{
	(void)ctx;
	return RSC_STATUS;
}

/* The vdev as the loaded table gives it after DRIVER_OK (the port's part, in both images). */
static int read_vdev(void *ctx, struct amp_rpmsg_vdev_params *p)
{
	(void)ctx;
	*p = (struct amp_rpmsg_vdev_params){
	    .vring = {{SHM_BASE, 16, 16, 0}, {SHM_BASE + 0x1000u, 16, 16, 1}},
	    .features = 1u << AMP_VIRTIO_RPMSG_F_NS,
	};
	return 0;
}

/* The application's configuration: not core, in both images. */
static const struct amp_rpmsg_remote_cfg cfg = {
    .get_status = get_status,
    .read_vdev = read_vdev,
    .ready_timeout_ms = 5000,
};

#if AMP_SIZE_FULL
static struct amp_rpmsg_dev dev;
static struct amp_rpmsg_ept ept;

static int echo_cb(struct amp_rpmsg_ept *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)src;
	(void)priv;
	return amp_rpmsg_trysend(e, data, len);
}

int main(void)
{
	if (amp_rpmsg_remote_init(&dev, &cfg, &port))
		for (;;)
			;
	if (amp_rpmsg_create_ept(&ept, &dev, "rpmsg-tty", AMP_RPMSG_ADDR_ANY, AMP_RPMSG_ADDR_ANY,
				 echo_cb, NULL, NULL))
		for (;;)
			;
	(void)amp_rpmsg_sendto(&ept, 0x400, "hello", 5);
	for (;;) {
		__asm volatile("wfi");
		if (irq_pending) {
			irq_pending = 0;
			(void)amp_rpmsg_notified(&dev, 0xFFFFFFFFu);
		}
	}
}
#else
/* Baseline: the same skeleton and port, referenced so they are kept, without the core. */
int main(void)
{
	/* An empty asm keeps them without any RAM of the baseline's own (it would be subtracted).
	 */
	__asm volatile("" ::"r"(&port), "r"(get_status), "r"(read_vdev), "r"(&cfg));
	for (;;) {
		__asm volatile("wfi");
		if (irq_pending)
			irq_pending = 0;
	}
}
#endif
