/* The host's state: what host.c and host_ddr.c share (private to amp_host). */
#ifndef AMP_HOST_STATE_H
#define AMP_HOST_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <amp/rpmsg.h>
#include <ampsim/ddr_plug.h>
#include <ampsim/host.h>
#include <ampsim/ipcc_link.h>
#include <ampsim/profile.h>
#include <ampsim/soc.h>

#include "host_internal.h"

struct amp_host {
	struct amp_host_cfg cfg;
	GMainContext *ctx; /* a reference: where every source of ours attaches */
	struct amp_soc_layout layout;
	struct amp_soc soc;
	int efds[AMP_IPCC_LINK_NFDS];
	struct amp_ipcc_link link;
	GSource *link_src;
	bool link_ok;
	struct amp_sim_rproc *plat; /* the STM32MP1-on-a-PC platform of the rproc core */
	struct amp_rproc *rproc;

	struct amp_rpmsg_dev dev;
	bool dev_up;
	struct amp_host_kick kick0; /* vring0 interrupts vs publishes (host_internal.h) */
	uint32_t *work;
	GPtrArray *chans;   /* struct amp_host_chan * */
	GPtrArray *epts;    /* struct amp_host_ept *: amp_host_ept_new, alive */
	bool tx_waiting;    /* a sender got AMP_ENOMEM: TX-complete interrupts are on */
	int tx_signal;	    /* amp_host_set_tx_signal(): one byte while !tx_waiting, or -1 */
	bool tx_signalled;  /* that byte is in it */
	bool rx_busy;	    /* amp_host_rx_defer() from the running receive callback */
	GSource *rx_resume; /* amp_host_rx_resume(): an idle that drains vring0 again */
	GQueue plugs;	    /* struct plug_wait: DDR plugs the firmware has not applied yet */
	struct amp_ddr_plug_host plug; /* our copy of the plug table; the shared one is output */
	GSource *broken_src; /* a send found a broken queue: report the crash from the loop */
	struct amp_host_faults *faults; /* the fault plan (host_faults.c), NULL: none */
	struct amp_host_trace *trace;	/* the event trace (host_trace.c), NULL: off */
	struct amp_host_tap tap;	/* the message tap (host_tap.c) */
	struct amp_host_step *step;	/* step mode (host_step.c), NULL: off */
	unsigned kick_hold;		/* amp_host_hold_kicks() depth */
	unsigned direct;       /* amp_host_iterate(): dispatches in a row without the loop */
	bool in_direct;	       /* ... one of them is running */
	uint32_t kicks_held;   /* notify ids (bits) whose doorbell waits for the release */
	uint64_t kicks_merged; /* notifications a held doorbell took: amp_host_stats */
};

#endif /* AMP_HOST_STATE_H */
