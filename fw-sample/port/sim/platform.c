/*
 * The simulator port of the sample firmware: a Linux process that plays the Cortex-M4.
 *
 * It attaches to the run's shared memory from its environment (docs/firmware-abi.md), so
 * every region sits at its device address, finds the resource table the host loaded into
 * shared memory, and does what ST's OpenAMP firmware does: wait for DRIVER_OK, build the
 * virtqueues from the vring entries, then serve mailbox interrupts.
 *
 * Interrupts: the IPCC link's IRQ thread runs the mailbox "ISR", which only records which
 * channel fired and wakes the main thread, as ST's mbox_ipcc.c does; fw_platform_poll()
 * (ST: OPENAMP_check_for_message) then processes the rings in thread context. So receive
 * callbacks may block in rpmsg_send(): the port's wait hook sleeps until the next interrupt.
 */
#define _GNU_SOURCE
#include <amp/fw_platform.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ampsim/ddr_plug.h>
#include <amp/error.h>
#include <ampsim/fwenv.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/irq.h>
#include <amp/rsc_error.h>
#include <amp/rsc_parse.h>
#include <ampsim/soc.h>
#include <amp/stm32mp1.h>

/* How long to wait for the host's DRIVER_OK (OpenAMP waits forever; a test should not). */
#define FW_READY_TIMEOUT_MS 10000u

static struct {
	struct amp_soc soc;
	struct amp_ipcc_link link;
	struct amp_irq irq;
	struct rpmsg_device rdev;
	volatile uint8_t *status; /* the vdev status byte in the loaded table */
	char *trace;		  /* the RSC_TRACE buffer, NULL if none */
	uint32_t trace_len, trace_pos;
	struct timespec t0;

	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint32_t irq_seq;	      /* bumped by every interrupt, under mu */
	atomic_uint pending;	      /* bit n: IPCC channel n fired */
	atomic_bool stop_requested;   /* CH3 */
	struct amp_ddr_plug_view ddr; /* rpmsg-sdb buffers the host plugged into DDR */
} fw = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void fw_fail(const char *what, const char *why)
{
	fprintf(stderr, "firmware: %s: %s\n", what, why);
	char line[256];
	snprintf(line, sizeof(line), "fatal: %s: %s\n", what, why);
	fw_platform_trace(line);
}

/* ---- the mailbox ISR (IRQ thread) ---------------------------------------------------- */

static void mailbox_isr(void *arg, uint32_t ch)
{
	(void)arg;
	if (ch == AMP_IPCC_CH_SHUTDOWN)
		atomic_store(&fw.stop_requested, true);
	else
		atomic_fetch_or(&fw.pending, 1u << ch);
	pthread_mutex_lock(&fw.mu);
	fw.irq_seq++;
	pthread_cond_broadcast(&fw.cv);
	pthread_mutex_unlock(&fw.mu);
}

/* CH5 (simulator only): the host plugged or unplugged DDR buffers; map them, then answer. */
static void ddr_plug_isr(void *arg, uint32_t ch)
{
	(void)arg;
	if (amp_ddr_plug_sync(&fw.soc, &fw.ddr) == AMP_OK)
		amp_ipcc_link_kick(&fw.link, ch);
}

/* Sleep until the next interrupt after @seq, or until @deadline; false on timeout. */
static bool wait_irq(uint32_t seq, const struct timespec *deadline)
{
	bool woken = true;
	pthread_mutex_lock(&fw.mu);
	while (fw.irq_seq == seq && !atomic_load(&fw.stop_requested))
		if (pthread_cond_timedwait(&fw.cv, &fw.mu, deadline) != 0) {
			woken = fw.irq_seq != seq;
			break;
		}
	pthread_mutex_unlock(&fw.mu);
	return woken;
}

static struct timespec deadline_after(uint32_t ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static uint32_t ms_until(const struct timespec *deadline)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ms = (int64_t)(deadline->tv_sec - now.tv_sec) * 1000 +
		     (deadline->tv_nsec - now.tv_nsec) / 1000000L;
	return ms > 0 ? (uint32_t)ms : 0;
}

/* ---- the RPMsg core's port --------------------------------------------------------------- */

static void port_notify(void *ctx, uint32_t notify_id)
{
	(void)ctx;
	int ch = amp_stm32mp1_notify_chan(notify_id);
	if (ch >= 0)
		amp_ipcc_link_kick(&fw.link, (uint32_t)ch);
}

static void port_lock(void *ctx)
{
	(void)ctx;
	amp_irq_disable(&fw.irq);
}

static void port_unlock(void *ctx)
{
	(void)ctx;
	amp_irq_enable(&fw.irq);
}

static int port_wait(void *ctx, uint32_t *timeout_ms)
{
	(void)ctx;
	pthread_mutex_lock(&fw.mu);
	uint32_t seq = fw.irq_seq;
	pthread_mutex_unlock(&fw.mu);
	struct timespec deadline = deadline_after(*timeout_ms);
	bool woken = wait_irq(seq, &deadline);
	*timeout_ms = ms_until(&deadline);
	if (!woken && *timeout_ms == 0)
		return AMP_ETIMEDOUT;
	return AMP_OK;
}

static void *port_da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	(void)ctx;
	return amp_soc_da_to_va(&fw.soc, da, len);
}

static void port_assert_fail(const char *file, int line, const char *expr)
{
	fprintf(stderr, "firmware: %s:%d: assertion failed: %s\n", file, line, expr);
	abort();
}

static const struct amp_port_ops sim_port_ops = {
    .notify = port_notify,
    .lock = port_lock,
    .unlock = port_unlock,
    .wait = port_wait,
    .da_to_va = port_da_to_va,
    .assert_fail = port_assert_fail,
};

static uint8_t get_status(void *ctx)
{
	(void)ctx;
	return *fw.status;
}

/* ---- bring-up ------------------------------------------------------------------------------ */

static bool attach_soc(int efds[AMP_FWENV_NFDS])
{
	char name[AMP_SOC_SHM_NAME_MAX], why[160];
	if (amp_fwenv_read(name, sizeof(name), efds, why, sizeof(why)) != AMP_OK) {
		fw_fail("environment", why);
		fprintf(stderr, "firmware: this program is a firmware image; start it with "
				"'ampsim run PROGRAM'\n");
		return false;
	}
	if (amp_soc_attach_fw(&fw.soc, name, 0) != AMP_OK) {
		fw_fail("shared memory", fw.soc.err);
		return false;
	}
	return true;
}

/* Find the loaded table, its vdev and trace entries. */
static bool read_table(struct amp_rsc_vdev_info *vdev)
{
	uint64_t da, size;
	void *table;
	if (amp_soc_get_rsc(&fw.soc, &da, &size, &table) != AMP_OK || !table) {
		fw_fail("resource table", "the host has not loaded one into shared memory");
		return false;
	}
	struct amp_rsc_entry e;
	struct amp_rsc_error err;
	if (amp_rsc_find(table, (size_t)size, AMP_RSC_KIND_VDEV, 0, &e, &err) != AMP_OK) {
		char why[160];
		amp_rsc_error_format(&err, why, sizeof(why));
		fw_fail("resource table", why);
		return false;
	}
	*vdev = e.u.vdev;
	if (vdev->num_of_vrings != 2) {
		fw_fail("resource table", "the rpmsg vdev needs exactly two vrings");
		return false;
	}
	fw.status = (volatile uint8_t *)table + e.offset + AMP_RSC_VDEV_STATUS_OFF;
	if (amp_rsc_find(table, (size_t)size, AMP_RSC_KIND_TRACE, 0, &e, &err) == AMP_OK) {
		fw.trace = amp_soc_da_to_va(&fw.soc, e.u.trace.da, e.u.trace.len);
		fw.trace_len = fw.trace ? e.u.trace.len : 0;
	}
	return true;
}

static bool start_mailbox(const int efds[AMP_FWENV_NFDS])
{
	struct amp_ipcc_link_cfg cfg = {.proc = AMP_IPCC_PROC2, .mode = AMP_IPCC_WAIT_BLOCK};
	const char *mode = getenv("AMPSIM_IPCC_MODE");
	if (mode && !strcmp(mode, "adaptive"))
		cfg.mode = AMP_IPCC_WAIT_ADAPTIVE;
	if (amp_ipcc_link_init(&fw.link, &cfg, amp_soc_ipcc(&fw.soc), fw.soc.ipcc_nchan, efds,
			       amp_soc_asleep(&fw.soc)) != AMP_OK) {
		fw_fail("mailbox", "cannot initialise the IPCC link");
		return false;
	}
	amp_ipcc_link_set_handler(&fw.link, AMP_IPCC_CH_VRING0, mailbox_isr, NULL);
	amp_ipcc_link_set_handler(&fw.link, AMP_IPCC_CH_VRING1, mailbox_isr, NULL);
	amp_ipcc_link_set_handler(&fw.link, AMP_IPCC_CH_SHUTDOWN, mailbox_isr, NULL);
	amp_ipcc_link_set_handler(&fw.link, AMP_IPCC_CH_DDR_PLUG, ddr_plug_isr, NULL);
	if (amp_irq_start(&fw.irq, &fw.link) != AMP_OK) {
		fw_fail("mailbox", "cannot start the IRQ thread");
		return false;
	}
	return true;
}

struct rpmsg_device *fw_platform_init(void)
{
	int efds[AMP_FWENV_NFDS];
	struct amp_rsc_vdev_info vdev;
	clock_gettime(CLOCK_MONOTONIC, &fw.t0);
	/* Deadlines are CLOCK_MONOTONIC (deadline_after): the condition variable must time on
	 * the same clock, or every timed wait returns at once and an idle firmware spins. */
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&fw.cv, &ca);
	pthread_condattr_destroy(&ca);
	if (!attach_soc(efds) || !read_table(&vdev) || !start_mailbox(efds))
		return NULL;

	struct amp_rpmsg_remote_cfg cfg = {
	    .get_status = get_status,
	    .features = vdev.dfeatures & 1u, /* the host offers no more than NS */
	    .ready_timeout_ms = FW_READY_TIMEOUT_MS,
	};
	for (int i = 0; i < 2; i++) {
		/* Read after DRIVER_OK, as OpenAMP does: the host writes da and notifyid first. */
		cfg.vring[i].num = vdev.vring[i].num;
		cfg.vring[i].align = vdev.vring[i].align;
	}
	struct amp_port port = {.ops = &sim_port_ops, .ctx = NULL};
	/* Poll for DRIVER_OK every millisecond, as OpenAMP's rproc_virtio_wait_remote_ready
	 * does (the host does not kick for a status change), then re-read the table the host
	 * has completed by then. */
	for (uint32_t ms = 0; !(*fw.status & AMP_VIRTIO_STATUS_DRIVER_OK); ms++) {
		if (ms >= FW_READY_TIMEOUT_MS) {
			fw_fail("rpmsg", "the host did not set DRIVER_OK within 10 s");
			return NULL;
		}
		nanosleep(&(struct timespec){.tv_nsec = 1000000L}, NULL);
	}
	if (!read_table(&vdev))
		return NULL;
	for (int i = 0; i < 2; i++) {
		cfg.vring[i].da = vdev.vring[i].da;
		cfg.vring[i].notify_id = vdev.vring[i].notifyid;
	}
	cfg.features = vdev.gfeatures & vdev.dfeatures;
	int rc = amp_rpmsg_remote_init(&fw.rdev.amp, &cfg, &port);
	if (rc != AMP_OK) {
		fw_fail("rpmsg", amp_strerror(rc));
		return NULL;
	}
	rpmsg_device_attach(&fw.rdev);
	return &fw.rdev;
}

void fw_platform_poll(uint32_t timeout_ms)
{
	pthread_mutex_lock(&fw.mu);
	uint32_t seq = fw.irq_seq;
	pthread_mutex_unlock(&fw.mu);
	if (atomic_load(&fw.pending) == 0 && timeout_ms > 0) {
		struct timespec deadline = deadline_after(timeout_ms);
		wait_irq(seq, &deadline);
	}
	uint32_t pending = atomic_exchange(&fw.pending, 0);
	/* As ST's MAILBOX_Poll: CH1 means vring0 buffers came back, CH2 a new message. */
	if (pending & (1u << AMP_IPCC_CH_VRING1))
		amp_rpmsg_notified(&fw.rdev.amp,
				   (uint32_t)amp_stm32mp1_chan_notify(AMP_IPCC_CH_VRING1));
	if (pending & (1u << AMP_IPCC_CH_VRING0))
		amp_rpmsg_notified(&fw.rdev.amp,
				   (uint32_t)amp_stm32mp1_chan_notify(AMP_IPCC_CH_VRING0));
}

bool fw_platform_stop_requested(void)
{
	return atomic_load(&fw.stop_requested);
}

void fw_platform_deinit(void)
{
	amp_irq_stop(&fw.irq);
	amp_ipcc_link_deinit(&fw.link);
	amp_soc_destroy(&fw.soc);
}

uint32_t fw_platform_millis(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint32_t)((now.tv_sec - fw.t0.tv_sec) * 1000 +
			  (now.tv_nsec - fw.t0.tv_nsec) / 1000000L);
}

void fw_platform_trace(const char *text)
{
	/* A ring like OpenAMP's trace: wraps, and always leaves a NUL after the newest text. */
	if (!fw.trace || fw.trace_len < 2)
		return;
	for (; *text; text++) {
		fw.trace[fw.trace_pos] = *text;
		fw.trace_pos = (fw.trace_pos + 1) % (fw.trace_len - 1);
	}
	fw.trace[fw.trace_pos] = '\0';
}

void *fw_platform_da_to_va(uint32_t da, uint32_t len)
{
	return amp_soc_da_to_va(&fw.soc, da, len);
}
