/*
 * ST's mbox_ipcc.c semantics on ampsim's IPCC: the interrupt only records which channel
 * fired, MAILBOX_Poll() then runs rproc_virtio_notified() in thread context; MAILBOX_Wait()
 * is the main loop's WFI, which takes the interrupt in the main thread (<ampsim/irq.h>: the
 * IRQ thread takes it while the main thread is busy); MAILBOX_Notify() rings the vring's channel,
 * strict (wait while occupied, as ST) or not (AMPSIM_MBOX_STRICT, openamp_conf.h).
 */
#include "mbox_ipcc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <amp/error.h>
#include <amp/stm32mp1.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/irq.h>

#include "board.h"
#include "openamp_conf.h"

static struct {
	struct amp_ipcc_link link;
	struct amp_irq irq;
	bool up;
	atomic_bool buf_free; /* CH1 from the host: vring0 buffers came back */
	atomic_bool new_msg;  /* CH2 from the host: a new message on vring1 */
	atomic_bool stop;     /* CH3: shutdown request */
} mb;

static void mailbox_isr(void *arg, uint32_t ch)
{
	(void)arg;
	if (ch == AMP_IPCC_CH_VRING0)
		atomic_store(&mb.buf_free, true);
	else if (ch == AMP_IPCC_CH_VRING1)
		atomic_store(&mb.new_msg, true);
	else
		atomic_store(&mb.stop, true);
}

int MAILBOX_Init(void)
{
	const int *efds;
	struct amp_soc *soc = ampsim_board_attach(&efds);
	if (!soc)
		return -1;
	struct amp_ipcc_link_cfg cfg = {.proc = AMP_IPCC_PROC2, .strict = AMPSIM_MBOX_STRICT != 0};
	char why[160];
	if (amp_fwenv_ipcc_mode_parse(getenv(AMP_FWENV_IPCC_MODE), &cfg.mode, why, sizeof(why)) !=
	    AMP_OK) {
		ampsim_board_fail("environment", why);
		return -1;
	}
	if (amp_ipcc_link_init(&mb.link, &cfg, amp_soc_ipcc(soc), soc->ipcc_nchan, efds,
			       amp_soc_asleep(soc)) != AMP_OK) {
		ampsim_board_fail("mailbox", "cannot initialise the IPCC link");
		return -1;
	}
	amp_ipcc_link_set_handler(&mb.link, AMP_IPCC_CH_VRING0, mailbox_isr, NULL);
	amp_ipcc_link_set_handler(&mb.link, AMP_IPCC_CH_VRING1, mailbox_isr, NULL);
	amp_ipcc_link_set_handler(&mb.link, AMP_IPCC_CH_SHUTDOWN, mailbox_isr, NULL);
	if (amp_irq_start(&mb.irq, &mb.link) != AMP_OK) {
		amp_ipcc_link_deinit(&mb.link);
		ampsim_board_fail("mailbox", "cannot start the IRQ thread");
		return -1;
	}
	mb.up = true;
	return 0;
}

void MAILBOX_DeInit(void)
{
	if (!mb.up)
		return;
	amp_irq_stop(&mb.irq);
	amp_ipcc_link_deinit(&mb.link);
	mb.up = false;
}

int MAILBOX_Notify(void *priv, uint32_t id)
{
	(void)priv;
	int ch = amp_stm32mp1_notify_chan(id);
	if (ch < 0 || !mb.up)
		return -1;
	int rc = amp_ipcc_link_kick(&mb.link, (uint32_t)ch);
	return rc >= 0 ? 0 : -1;
}

int MAILBOX_Poll(struct virtio_device *vdev)
{
	int rc = -EAGAIN;
	/* As ST: vring0's returned buffers first, then vring1's new messages. */
	if (atomic_exchange(&mb.buf_free, false)) {
		rproc_virtio_notified(vdev, VRING0_ID);
		rc = 0;
	}
	if (atomic_exchange(&mb.new_msg, false)) {
		rproc_virtio_notified(vdev, VRING1_ID);
		rc = 0;
	}
	return rc;
}

static bool flagged(void)
{
	return atomic_load(&mb.buf_free) || atomic_load(&mb.new_msg) || atomic_load(&mb.stop);
}

static bool woken(void *arg)
{
	(void)arg;
	return flagged() || !mb.up;
}

void MAILBOX_Wait(uint32_t ms)
{
	amp_irq_wait_for(&mb.irq, woken, NULL, amp_deadline_ms(ms));
}

bool MAILBOX_StopRequested(void)
{
	return atomic_load(&mb.stop);
}
