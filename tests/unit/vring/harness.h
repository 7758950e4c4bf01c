/*
 * Test fixture: a host instance and a remote instance of the core in one process over one
 * memory block laid out like STM32MP1 (vring0, vring1, 16 KiB buffer pool at 0x10040000),
 * with an in-process doorbell. A kick only marks the notify id pending for the peer;
 * fx_pump() delivers pending doorbells, so callbacks never run inside a send.
 */
#ifndef VRING_TEST_HARNESS_H
#define VRING_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/rpmsg.h>

#define FX_BASE_DA 0x10040000u
#define FX_VRING0_OFF 0x0000u
#define FX_VRING1_OFF 0x1000u
#define FX_POOL_OFF 0x2000u
#define FX_POOL_SIZE 0x4000u
#define FX_MEM_SIZE (FX_POOL_OFF + FX_POOL_SIZE)

enum fx_wait_mode {
	FX_WAIT_TICK,	   /* just let simulated time pass (1 ms per call) */
	FX_WAIT_PUMP_PEER, /* deliver the peer's pending doorbells, then tick */
};

struct fx;

struct fx_port {
	struct fx *fx;
	bool is_host;
	uint32_t kicks[4]; /* doorbells rung by this side, per notify id */
	uint32_t pending;  /* doorbells rung *for* this side, not yet delivered */
	int lock_depth;
	int max_lock_depth;
	uint32_t waits;
	enum fx_wait_mode wait_mode;
	uint32_t da_rejects;
};

struct fx {
	uint8_t *mem;
	volatile uint8_t status;
	struct amp_rpmsg_dev host;
	struct amp_rpmsg_dev remote;
	struct amp_rpmsg_dev *rdev; /* the remote device doorbells go to (default &remote) */
	struct fx_port hp, rp;
	struct amp_port hport, rport;
	uint32_t work[64];
	struct amp_rpmsg_host_cfg hcfg;
	struct amp_rpmsg_remote_cfg rcfg;
	struct amp_rpmsg_vdev_params rvdev; /* what rcfg.read_vdev returns: the remote's view */
	uint32_t rvdev_reads;		    /* read_vdev calls */
};

/* Options for fx_init. */
struct fx_opts {
	uint32_t features; /* default NS (bit 0) when 0 and !no_ns */
	bool no_ns;
	bool no_suppress;
	uint16_t rx_count, tx_count;
	uint32_t num; /* default 16 */
};

/* Allocate memory, init host then remote. Fails the test on error. */
struct fx *fx_new(const struct fx_opts *o);
void fx_free(struct fx *fx);
/* Init only the memory and configs; the caller calls the role inits. */
struct fx *fx_alloc(const struct fx_opts *o);

/* Deliver pending doorbells in both directions until quiet; returns deliveries. */
int fx_pump(struct fx *fx);
/* Deliver only to one side. */
int fx_deliver(struct fx *fx, bool to_host);

/* Pointers into the shared block. */
void *fx_va(struct fx *fx, uint32_t da);
volatile struct amp_vring_desc *fx_desc(struct fx *fx, int vring);
volatile struct amp_vring_avail *fx_avail(struct fx *fx, int vring);
volatile struct amp_vring_used *fx_used(struct fx *fx, int vring);

#endif
