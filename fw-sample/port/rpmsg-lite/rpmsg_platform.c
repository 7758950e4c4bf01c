/*
 * RPMsg-Lite's platform layer for ampsim: what NXP's rpmsg_platform.c does for an i.MX
 * board (messaging unit, NVIC, address map), done for a firmware process attached to an
 * `ampsim run` (docs/firmware-abi.md, docs/real-stacks.md).
 *
 * - platform_init(): attach to the run's shared memory from the environment (every region
 *   at its device address), read the loaded resource table, wait for DRIVER_OK (the vring
 *   addresses are valid only then), start the IPCC link and its IRQ thread with the vring
 *   channels masked, as the MU interrupt is before platform_init_interrupt().
 * - The interrupt: CH1/CH2 call env_isr() with the vring's vector, CH3 (shutdown) records
 *   the request. It runs on the main thread while that waits in platform_ampsim_wait() (its
 *   WFI), on the IRQ thread while it is busy (<ampsim/irq.h>). Unmasking a channel whose flag is
 * already set raises the line (amp_ipcc_link_mask()), so the host's start-up kick, which arrives
 * before RPMsg-Lite enables its interrupt, is not lost.
 * - platform_interrupt_disable()/enable() exclude the IRQ thread (amp_irq_disable()), as
 *   masking the MU interrupt does: RPMsg-Lite's bare-metal environment has no other lock.
 * - Addresses from the host (descriptors) are checked against the shared memory before use.
 */
#define _GNU_SOURCE
#include "rpmsg_platform.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <amp/error.h>
#include <amp/rsc_error.h>
#include <amp/rsc_vdev.h>
#include <amp/stm32mp1.h>
#include <amp/vring_layout.h>
#include <ampsim/fwenv.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/irq.h>
#include <ampsim/soc.h>

#include "rpmsg_env.h"
#include "virtqueue.h"

/* How long to wait for the host's DRIVER_OK (a test must not hang on a broken host). */
#define READY_TIMEOUT_MS 10000u
/* A buffer as RPMsg-Lite uses it: its 16-byte header and the payload. */
#define BUF_BYTES (16u + (uint32_t)RL_BUFFER_PAYLOAD_SIZE)

static struct {
	struct amp_soc soc;
	struct amp_ipcc_link link;
	struct amp_irq irq;
	struct amp_rpmsg_vdev_params vdev; /* what the host wrote, read after DRIVER_OK */
	bool attached, linked, irq_running;
	_Atomic uint32_t irq_seq; /* bumped by every interrupt */
	atomic_bool stop_requested;
} pl;

static void fail(const char *what, const char *why)
{
	fprintf(stderr, "firmware: rpmsg-lite platform: %s: %s\n", what, why);
}

static void wake(void)
{
	atomic_fetch_add(&pl.irq_seq, 1u);
}

/* ---- interrupts (IRQ thread) ----------------------------------------------------------- */

static void vring_isr(void *arg, uint32_t ch)
{
	(void)arg;
	int q = amp_stm32mp1_chan_notify(ch);
	if (q >= 0)
		env_isr(RL_GET_VQ_ID(RL_PLATFORM_AMPSIM_LINK_ID, (uint32_t)q));
	wake();
}

static void shutdown_isr(void *arg, uint32_t ch)
{
	(void)arg;
	(void)ch;
	atomic_store(&pl.stop_requested, true);
	wake();
}

/* The vector's channel, or -1 for a vector this port has none for (other link ids). */
static int vector_chan(uint32_t vector_id)
{
	if (RL_GET_LINK_ID(vector_id) != RL_PLATFORM_AMPSIM_LINK_ID)
		return -1;
	return amp_stm32mp1_notify_chan(RL_GET_Q_ID(vector_id));
}

/* The queue RPMsg-Lite built must be the vring the host placed; say which part differs. */
static bool vq_matches_table(uint32_t q, const struct virtqueue *vq)
{
	const struct amp_vring_info *v = &pl.vdev.vring[q];
	char why[200];
	size_t size = amp_vring_size(v->num, v->align);
	void *va = size ? amp_soc_da_to_va(&pl.soc, v->da, size) : NULL;
	if (!va)
		snprintf(why, sizeof(why),
			 "the host placed vring%u (da 0x%llx, num %u, align %u) "
			 "outside the shared memory",
			 q, (unsigned long long)v->da, v->num, v->align);
	else if ((void *)vq->vq_ring.desc != va)
		snprintf(
		    why, sizeof(why),
		    "vring%u is at da 0x%llx, but rpmsg_lite_remote_init() "
		    "was given 0x%llx: pass the resource table's vring0 address (vring1 = vring0 "
		    "+ VRING_SIZE 0x%lx)",
		    q, (unsigned long long)v->da,
		    (unsigned long long)(uintptr_t)vq->vq_ring.desc -
			q * (unsigned long long)VRING_SIZE,
		    (unsigned long)VRING_SIZE);
	else if (vq->vq_nentries != v->num || (uint32_t)vq->vq_alignment != v->align)
		snprintf(
		    why, sizeof(why),
		    "vring%u has num %u align %u in the resource table, "
		    "RPMsg-Lite was built with RL_BUFFER_COUNT %u VRING_ALIGN %u: make them equal",
		    q, v->num, v->align, (unsigned)vq->vq_nentries, (unsigned)vq->vq_alignment);
	else
		return true;
	fail("vrings", why);
	return false;
}

int32_t platform_init_interrupt(uint32_t vector_id, void *isr_data)
{
	int ch = vector_chan(vector_id);
	if (ch < 0 || !isr_data) {
		fail("interrupt", "no IPCC channel for this vector (only link id 0 is wired)");
		return -1;
	}
	/* A board that does not match the firmware's layout cannot work: stop now and say why,
	 * rather than wait for a link that never comes up. */
	if (!vq_matches_table(RL_GET_Q_ID(vector_id), isr_data))
		exit(EXIT_FAILURE);
	env_register_isr(vector_id, isr_data);
	amp_irq_disable(&pl.irq);
	amp_ipcc_link_mask(&pl.link, (uint32_t)ch, false); /* raises the line if already set */
	amp_irq_enable(&pl.irq);
	return 0;
}

int32_t platform_deinit_interrupt(uint32_t vector_id)
{
	int ch = vector_chan(vector_id);
	if (ch < 0)
		return -1;
	amp_irq_disable(&pl.irq);
	amp_ipcc_link_mask(&pl.link, (uint32_t)ch, true);
	amp_irq_enable(&pl.irq);
	env_unregister_isr(vector_id);
	return 0;
}

int32_t platform_interrupt_enable(uint32_t vector_id)
{
	(void)vector_id; /* one interrupt line for both vrings, as the MU on i.MX */
	amp_irq_enable(&pl.irq);
	return 0;
}

int32_t platform_interrupt_disable(uint32_t vector_id)
{
	(void)vector_id;
	amp_irq_disable(&pl.irq);
	return 0;
}

int32_t platform_in_isr(void)
{
	return amp_irq_in_handler() ? 1 : 0;
}

void platform_notify(uint32_t vector_id)
{
	int ch = vector_chan(vector_id);
	if (ch >= 0)
		amp_ipcc_link_kick(&pl.link, (uint32_t)ch);
}

/* ---- time ------------------------------------------------------------------------------ */

void platform_time_delay(uint32_t num_msec)
{
	struct timespec t = {.tv_sec = num_msec / 1000u,
			     .tv_nsec = (long)(num_msec % 1000u) * 1000000L};
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

/* An interrupt came since pl.irq_seq was @p arg, or the firmware is asked to stop. */
static bool irq_came(void *arg)
{
	uint32_t seq = (uint32_t)(uintptr_t)arg;
	return atomic_load(&pl.irq_seq) != seq || atomic_load(&pl.stop_requested);
}

void platform_ampsim_wait(uint32_t num_msec)
{
	if (num_msec == 0)
		return;
	if (!pl.irq_running) { /* no interrupt can come: just the time */
		platform_time_delay(num_msec);
		return;
	}
	amp_irq_wait_for(&pl.irq, irq_came, (void *)(uintptr_t)atomic_load(&pl.irq_seq),
			 amp_deadline_ms(num_msec));
}

bool platform_ampsim_stop_requested(void)
{
	return atomic_load(&pl.stop_requested);
}

void platform_ampsim_assert_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "firmware: %s:%d: RL_ASSERT failed: %s\n", file, line, expr);
	abort();
}

/* ---- memory: device addresses are this process's addresses, checked ------------------- */

void platform_map_mem_region(uint32_t vrt_addr, uint32_t phy_addr, uint32_t size, uint32_t flags)
{
	(void)vrt_addr, (void)phy_addr, (void)size, (void)flags;
}

void platform_cache_all_flush_invalidate(void)
{
}

void platform_cache_disable(void)
{
}

void platform_cache_flush(void *data, uint32_t len)
{
	(void)data, (void)len;
}

void platform_cache_invalidate(void *data, uint32_t len)
{
	(void)data, (void)len;
}

uintptr_t platform_vatopa(void *addr)
{
	uint64_t da;
	if (amp_soc_va_to_da(&pl.soc, addr, 1, &da) != AMP_OK) {
		fprintf(stderr, "firmware: rpmsg-lite platform: %p is not in the shared memory\n",
			addr);
		abort();
	}
	return (uintptr_t)da;
}

/* The host wrote @p addr into a descriptor: a whole buffer must lie in the shared memory. */
void *platform_patova(uintptr_t addr)
{
	void *va = amp_soc_da_to_va(&pl.soc, addr, BUF_BYTES);
	if (!va) {
		fprintf(stderr,
			"firmware: rpmsg-lite platform: the host gave buffer address 0x%llx, "
			"which with %u bytes is not inside one shared-memory region\n",
			(unsigned long long)addr, BUF_BYTES);
		abort();
	}
	return va;
}

/* ---- bring-up -------------------------------------------------------------------------- */

/* Find the rpmsg vdev in the loaded table, wait for DRIVER_OK, read what the host wrote. */
static bool read_vdev(void)
{
	uint64_t da, size;
	void *table;
	if (amp_soc_get_rsc(&pl.soc, &da, &size, &table) != AMP_OK || !table) {
		fail("resource table", "the host has not loaded one into shared memory");
		return false;
	}
	struct amp_rsc_vdev_ref ref;
	struct amp_rsc_error err;
	uint8_t *copy = malloc((size_t)size); /* parsed privately: the host writes the shared one */
	if (!copy) {
		fail("resource table", "out of memory");
		return false;
	}
	int rc = amp_rsc_vdev_bind(&ref, table, (size_t)size, copy, &err);
	free(copy);
	if (rc != AMP_OK) {
		char why[160];
		amp_rsc_error_format(&err, why, sizeof(why));
		fail("resource table", why);
		return false;
	}
	for (uint32_t waited = 0; !(amp_rsc_vdev_status(&ref) & AMP_VIRTIO_STATUS_DRIVER_OK);
	     waited++) {
		if (waited >= READY_TIMEOUT_MS) {
			fail("rpmsg", "the host did not set DRIVER_OK within 10 s");
			return false;
		}
		platform_time_delay(1);
	}
	return amp_rsc_vdev_read(&ref, &pl.vdev) == AMP_OK;
}

static bool start_link(const int efds[AMP_FWENV_NFDS])
{
	struct amp_ipcc_link_cfg cfg = {.proc = AMP_IPCC_PROC2};
	char why[160];
	if (amp_fwenv_ipcc_mode_parse(getenv(AMP_FWENV_IPCC_MODE), &cfg.mode, why, sizeof(why)) !=
	    AMP_OK) {
		fail("environment", why);
		return false;
	}
	if (amp_ipcc_link_init(&pl.link, &cfg, amp_soc_ipcc(&pl.soc), pl.soc.ipcc_nchan, efds,
			       amp_soc_asleep(&pl.soc)) != AMP_OK) {
		fail("mailbox", "cannot initialise the IPCC link");
		return false;
	}
	pl.linked = true;
	/* The vring channels stay masked until RPMsg-Lite registers their ISRs. */
	amp_ipcc_link_set_handler(&pl.link, AMP_IPCC_CH_VRING0, vring_isr, NULL);
	amp_ipcc_link_set_handler(&pl.link, AMP_IPCC_CH_VRING1, vring_isr, NULL);
	amp_ipcc_link_mask(&pl.link, AMP_IPCC_CH_VRING0, true);
	amp_ipcc_link_mask(&pl.link, AMP_IPCC_CH_VRING1, true);
	amp_ipcc_link_set_handler(&pl.link, AMP_IPCC_CH_SHUTDOWN, shutdown_isr, NULL);
	if (amp_irq_start(&pl.irq, &pl.link) != AMP_OK) {
		fail("mailbox", "cannot start the IRQ thread");
		return false;
	}
	pl.irq_running = true;
	return true;
}

/* An application that returns from main() without rpmsg_lite_deinit() still ends cleanly
 * and at once: stop the IRQ thread and unmap the shared memory (valgrind's leak check would
 * otherwise scan the whole 128 MiB DDR window, past the host's 500 ms stop grace). Not from
 * the IRQ thread itself, which cannot join itself. */
static void deinit_at_exit(void)
{
	if (!amp_irq_in_handler())
		platform_deinit();
}

int32_t platform_init(void)
{
	static bool once;
	if (!once) {
		atexit(deinit_at_exit);
		once = true;
	}

	int efds[AMP_FWENV_NFDS];
	char name[AMP_SOC_SHM_NAME_MAX], why[160];
	if (amp_fwenv_read(name, sizeof(name), efds, why, sizeof(why)) != AMP_OK) {
		fail("environment", why);
		fprintf(stderr, "firmware: this program is a firmware image; start it with "
				"'ampsim run PROGRAM'\n");
		return -1;
	}
	if (amp_soc_attach_fw(&pl.soc, name, 0) != AMP_OK) {
		fail("shared memory", pl.soc.err);
		return -1;
	}
	pl.attached = true;
	if (!read_vdev() || !start_link(efds)) {
		platform_deinit();
		return -1;
	}
	return 0;
}

int32_t platform_deinit(void)
{
	if (pl.irq_running)
		amp_irq_stop(&pl.irq);
	if (pl.linked)
		amp_ipcc_link_deinit(&pl.link);
	if (pl.attached)
		amp_soc_destroy(&pl.soc);
	pl.irq_running = pl.linked = pl.attached = false;
	return 0;
}
