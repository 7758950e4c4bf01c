/*
 * The simulator port of the sample firmware: a Linux process that plays the Cortex-M4.
 *
 * It attaches to the run's shared memory from its environment (docs/firmware-abi.md), so
 * every region sits at its device address, finds the resource table the host loaded into
 * shared memory and binds the core to its vdev (<amp/rsc_vdev.h>); the core then does what
 * ST's OpenAMP firmware does: wait for DRIVER_OK, build the virtqueues from the vring
 * entries. The port then serves mailbox interrupts.
 *
 * Interrupts: the mailbox "ISR" only records which channel fired, as ST's mbox_ipcc.c does;
 * fw_platform_poll() (ST: OPENAMP_check_for_message) then processes the rings in thread
 * context. The main thread takes the interrupt itself while it waits (amp_irq_wait(), its
 * WFI: one wake-up per interrupt), the IRQ thread while it is busy (<ampsim/irq.h>). So
 * receive callbacks may block in rpmsg_send(): the port's wait hook is a WFI too.
 */
#define _GNU_SOURCE
#include <amp/fw_platform.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ampsim/ddr_plug.h>
#include <amp/error.h>
#include <ampsim/fwenv.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/irq.h>
#include <amp/rsc_error.h>
#include <amp/rsc_parse.h>
#include <amp/rsc_vdev.h>
#include <ampsim/soc.h>
#include <amp/stm32mp1.h>

#include "bufsan.h"
#include "evtrace.h"
#include "fwfaults.h"

/* How long to wait for the host's DRIVER_OK (OpenAMP waits forever; a test should not). */
#define FW_READY_TIMEOUT_MS 10000u

static struct {
	struct amp_soc soc;
	struct amp_ipcc_link link;
	struct amp_irq irq;
	struct rpmsg_device rdev;
	struct amp_rsc_vdev_ref vdev; /* the rpmsg vdev in the loaded table */
	char *trace;		      /* the RSC_TRACE buffer, NULL if none */
	uint32_t trace_len, trace_pos;
	struct timespec t0;

	_Atomic uint32_t irq_seq;     /* bumped by every mailbox interrupt */
	atomic_uint pending;	      /* bit n: IPCC channel n fired */
	atomic_bool stop_requested;   /* CH3 */
	struct amp_ddr_plug_view ddr; /* rpmsg-sdb buffers the host plugged into DDR */
	bool bufsan;		      /* AMPSIM_SANITIZE_BUFFERS=1 */
} fw;

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
	if (ch != AMP_IPCC_CH_SHUTDOWN) {
		fw_evtrace_port(AMP_TRACE_IRQ_RAISE, ch + 1);
		fwf_irq(ch + 1); /* the fault plan's irq rules (1-based channels, as docs) */
	}
	if (ch == AMP_IPCC_CH_SHUTDOWN)
		atomic_store(&fw.stop_requested, true);
	else
		atomic_fetch_or(&fw.pending, 1u << ch);
	atomic_fetch_add(&fw.irq_seq, 1u);
}

/* CH5 (simulator only): the host plugged or unplugged DDR buffers; map them, then answer. */
static void ddr_plug_isr(void *arg, uint32_t ch)
{
	(void)arg;
	if (amp_ddr_plug_sync(&fw.soc, &fw.ddr) == AMP_OK)
		amp_ipcc_link_kick(&fw.link, ch);
}

/* An interrupt came since fw.irq_seq was @p arg, or the firmware is asked to stop. */
static bool irq_came(void *arg)
{
	uint32_t seq = (uint32_t)(uintptr_t)arg;
	return atomic_load(&fw.irq_seq) != seq || atomic_load(&fw.stop_requested);
}

/* WFI until a mailbox interrupt after @seq, or until @deadline; false on timeout. */
static bool wait_irq(uint32_t seq, uint64_t deadline)
{
	amp_irq_wait_for(&fw.irq, irq_came, (void *)(uintptr_t)seq, deadline);
	return atomic_load(&fw.irq_seq) != seq;
}

/* ---- the RPMsg core's port --------------------------------------------------------------- */

static void port_notify(void *ctx, uint32_t notify_id)
{
	(void)ctx;
	int ch = amp_stm32mp1_notify_chan(notify_id);
	if (ch < 0)
		return;
	/* The fault plan's ring:fw rules: the firmware as a buggy device on vring0. */
	bool again = ch == AMP_IPCC_CH_VRING0 && fwf_notify_vring0();
	amp_ipcc_link_kick(&fw.link, (uint32_t)ch);
	if (again)
		fwf_kick_again();
}

static int kick(uint32_t ch)
{
	return amp_ipcc_link_kick(&fw.link, ch);
}

/*
 * fw.irq_seq when this thread last took the port lock. The core looks for a TX buffer under
 * the lock, unlocks and waits: an interrupt taken right at the unlock (the IRQ thread waits
 * on the same lock) must end that wait, so the wait compares with the value from before the
 * look, not with one read after the unlock. No interrupt is taken while the lock is held.
 */
static _Thread_local uint32_t seq_at_lock;

static void port_lock(void *ctx)
{
	(void)ctx;
	amp_irq_disable(&fw.irq);
	seq_at_lock = atomic_load(&fw.irq_seq);
}

/* For `ampsim inspect`: how far the core has read each avail ring, so that a buffer posted
 * but not read yet ("posted") and one the firmware holds ("firmware") can be told apart. Still
 * under the lock: the indices do not move meanwhile. Two stores per core operation. */
static void publish_taken(void)
{
	struct amp_soc_hdr *h = fw.soc.hdr;
	if (!h)
		return;
	atomic_store_explicit(&h->fw_taken[0], AMP_SOC_FW_TAKEN_SET | fw.rdev.amp.tvq.last_idx,
			      memory_order_relaxed);
	atomic_store_explicit(&h->fw_taken[1], AMP_SOC_FW_TAKEN_SET | fw.rdev.amp.rvq.last_idx,
			      memory_order_relaxed);
}

static void port_unlock(void *ctx)
{
	(void)ctx;
	publish_taken();
	fwf_after_op(&fw.rdev.amp.rvq); /* ring:fw:vring1 rules: what this operation published */
	amp_irq_enable(&fw.irq);
}

static int port_wait(void *ctx, uint32_t *timeout_ms)
{
	(void)ctx;
	/* Asked to stop, a send waits no more: the stop request ends every wait at once, so
	 * waiting out the timeout would spin a CPU for it (and outlast the host's grace). */
	if (atomic_load(&fw.stop_requested)) {
		*timeout_ms = 0;
		return AMP_ETIMEDOUT;
	}
	uint64_t deadline = amp_deadline_ms(*timeout_ms);
	bool woken = wait_irq(seq_at_lock, deadline);
	*timeout_ms = amp_ms_left(deadline);
	if (!woken && *timeout_ms == 0)
		return AMP_ETIMEDOUT;
	return AMP_OK;
}

static void *port_da_to_va(void *ctx, uint64_t da, uint32_t len)
{
	(void)ctx;
	static _Atomic uint32_t hint; /* the buffers' region, after the first translation */
	return amp_soc_da_to_va_hint(&fw.soc, da, len, &hint);
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

/* The buffer-ownership sanitizer (bufsan.c) and the fault plan's fw exit rules, which read
 * the message: while the firmware has the buffer, so before it is poisoned when it leaves
 * and after it is unpoisoned when it comes. */
static void port_buf_owner(void *ctx, void *ptr, uint32_t len, bool ours)
{
	if (!ours)
		fwf_buf_owner(ptr, len, ours);
	if (fw.bufsan)
		fw_bufsan_owner(ctx, ptr, len, ours);
	if (ours)
		fwf_buf_owner(ptr, len, ours);
}

/* With the sanitizer or a fw exit rule on messages: the same, plus the buf_owner hook. */
static const struct amp_port_ops sim_port_ops_owner = {
    .notify = port_notify,
    .lock = port_lock,
    .unlock = port_unlock,
    .wait = port_wait,
    .da_to_va = port_da_to_va,
    .assert_fail = port_assert_fail,
    .buf_owner = port_buf_owner,
};

/* The core reads the vrings after DRIVER_OK; the fault plan needs them too. */
static int port_read_vdev(void *ctx, struct amp_rpmsg_vdev_params *p)
{
	int rc = amp_rsc_vdev_read(ctx, p);
	if (rc == AMP_OK)
		fwf_set_vrings(p);
	return rc;
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

/* Read the loaded table once: bind the core's view of the vdev, find the trace buffer. */
static bool read_table(void)
{
	uint64_t da, size;
	void *table;
	if (amp_soc_get_rsc(&fw.soc, &da, &size, &table) != AMP_OK || !table) {
		fw_fail("resource table", "the host has not loaded one into shared memory");
		return false;
	}
	/* Parsed in a private copy: the host writes the shared one. */
	uint8_t *copy = malloc((size_t)size);
	struct amp_rsc_entry e;
	struct amp_rsc_error err;
	if (!copy) {
		fw_fail("resource table", "out of memory");
		return false;
	}
	bool ok = amp_rsc_vdev_bind(&fw.vdev, table, (size_t)size, copy, &err) == AMP_OK;
	if (!ok) {
		char why[160];
		amp_rsc_error_format(&err, why, sizeof(why));
		fw_fail("resource table", why);
	} else if (amp_rsc_find(copy, (size_t)size, AMP_RSC_KIND_TRACE, 0, &e, NULL) == AMP_OK) {
		fw.trace = amp_soc_da_to_va(&fw.soc, e.u.trace.da, e.u.trace.len);
		fw.trace_len = fw.trace ? e.u.trace.len : 0;
	}
	free(copy);
	return ok;
}

static bool start_mailbox(const int efds[AMP_FWENV_NFDS])
{
	struct amp_ipcc_link_cfg cfg = {.proc = AMP_IPCC_PROC2};
	char why[160];
	if (amp_fwenv_ipcc_mode_parse(getenv(AMP_FWENV_IPCC_MODE), &cfg.mode, why, sizeof(why)) !=
	    AMP_OK) {
		fw_fail("environment", why);
		return false;
	}
	if (amp_ipcc_link_init(&fw.link, &cfg, amp_soc_ipcc(&fw.soc), fw.soc.ipcc_nchan, efds,
			       amp_soc_asleep(&fw.soc)) != AMP_OK) {
		fw_fail("mailbox", "cannot initialise the IPCC link");
		return false;
	}
	amp_ipcc_link_set_cpu_words(&fw.link, amp_soc_on_cpu(&fw.soc));
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

/* The fault rules the firmware applies itself (AMPSIM_FAULTS, fwfaults.h). */
static bool start_faults(void)
{
	struct fwf_port p = {.soc = &fw.soc, .trace = fw_platform_trace, .kick = kick};
	char why[160];
	if (!fwf_init(&p, why, sizeof(why))) {
		fw_fail("environment", why);
		return false;
	}
	return true;
}

/* The host turns the event trace on and off in the shared header; we look at each poll. */
static void follow_trace(void)
{
	port_lock(NULL);
	fw_evtrace_follow(&fw.rdev.amp);
	port_unlock(NULL);
}

struct rpmsg_device *fw_platform_init(void)
{
	int efds[AMP_FWENV_NFDS];
	clock_gettime(CLOCK_MONOTONIC, &fw.t0);
	if (!attach_soc(efds))
		return NULL;
	/* Before the IRQ thread and the fault rules, which record into it too. */
	if (!fw_evtrace_init(&fw.soc)) {
		fw_fail("shared memory", fw.soc.err);
		return NULL;
	}
	if (!read_table() || !start_faults() || !start_mailbox(efds))
		return NULL;

	/* The core polls for DRIVER_OK, then reads the vrings the host placed. */
	struct amp_rpmsg_remote_cfg cfg = {.ready_timeout_ms = FW_READY_TIMEOUT_MS};
	amp_rsc_vdev_remote_cfg(&fw.vdev, &cfg);
	cfg.read_vdev = port_read_vdev;
	struct amp_port port = {.ops = &sim_port_ops, .ctx = NULL};
	fw.bufsan = fw_bufsan_enabled();
	if (fw.bufsan || fwf_watch_messages())
		port = (struct amp_port){.ops = &sim_port_ops_owner, .ctx = &fw.soc};
	if (fw.bufsan) {
		fw_bufsan_start(&fw.soc);
		fw_platform_trace("sanitizer: buffer ownership checked\n");
	}
	int rc = amp_rpmsg_remote_init(&fw.rdev.amp, &cfg, &port);
	if (rc == AMP_ETIMEDOUT) {
		fw_fail("rpmsg", "the host did not set DRIVER_OK within 10 s");
		return NULL;
	}
	if (rc != AMP_OK) {
		fw_fail("rpmsg", amp_strerror(rc));
		return NULL;
	}
	rpmsg_device_attach(&fw.rdev);
	follow_trace();
	fwf_start(); /* fw exit at-ms=N counts from here */
	return &fw.rdev;
}

void fw_platform_poll(uint32_t timeout_ms)
{
	uint32_t seq = atomic_load(&fw.irq_seq);
	if (atomic_load(&fw.pending) == 0 && timeout_ms > 0) {
		wait_irq(seq, amp_deadline_ms(timeout_ms));
	} else {
		amp_irq_wait(&fw.irq, amp_irq_count(&fw.irq), 0); /* take what is pending here */
	}
	uint32_t pending = atomic_exchange(&fw.pending, 0);
	follow_trace();
	/* As ST's MAILBOX_Poll: CH1 means vring0 buffers came back, CH2 a new message. */
	if (pending & (1u << AMP_IPCC_CH_VRING1)) {
		fw_evtrace_port(AMP_TRACE_IRQ_HANDLE, AMP_IPCC_CH_VRING1 + 1u);
		amp_rpmsg_notified(&fw.rdev.amp,
				   (uint32_t)amp_stm32mp1_chan_notify(AMP_IPCC_CH_VRING1));
		fw_evtrace_port(AMP_TRACE_IRQ_DONE, AMP_IPCC_CH_VRING1 + 1u);
	}
	if (pending & (1u << AMP_IPCC_CH_VRING0)) {
		fw_evtrace_port(AMP_TRACE_IRQ_HANDLE, AMP_IPCC_CH_VRING0 + 1u);
		amp_rpmsg_notified(&fw.rdev.amp,
				   (uint32_t)amp_stm32mp1_chan_notify(AMP_IPCC_CH_VRING0));
		fw_evtrace_port(AMP_TRACE_IRQ_DONE, AMP_IPCC_CH_VRING0 + 1u);
	}
	/* irq spurious: the handler runs again, with nothing new in the ring. */
	for (uint32_t ch = AMP_IPCC_CH_VRING0; ch <= AMP_IPCC_CH_VRING1; ch++)
		if (fwf_spurious(ch + 1))
			amp_rpmsg_notified(&fw.rdev.amp, (uint32_t)amp_stm32mp1_chan_notify(ch));
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
	/* A ring like OpenAMP's trace: wraps, and always leaves a NUL after the newest text.
	 * Locked: the fault plan's reports come from the IRQ thread and timers too. */
	static pthread_mutex_t trace_mu = PTHREAD_MUTEX_INITIALIZER;
	if (!fw.trace || fw.trace_len < 2)
		return;
	pthread_mutex_lock(&trace_mu);
	for (; *text; text++) {
		fw.trace[fw.trace_pos] = *text;
		fw.trace_pos = (fw.trace_pos + 1) % (fw.trace_len - 1);
	}
	fw.trace[fw.trace_pos] = '\0';
	pthread_mutex_unlock(&trace_mu);
}

void *fw_platform_da_to_va(uint32_t da, uint32_t len)
{
	return amp_soc_da_to_va(&fw.soc, da, len);
}
