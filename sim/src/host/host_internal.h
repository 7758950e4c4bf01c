/* What libampsim's two files share (private to amp_host). */
#ifndef AMP_HOST_INTERNAL_H
#define AMP_HOST_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amp/virtqueue.h>

/**
 * The crash reason for a broken queue, from the fault the portable core recorded:
 * "protocol violation on vring1: used id 17 >= num 16".
 */
void amp_host_vq_fault_text(const struct amp_vq *vq, unsigned vring, char *buf, size_t len);

/*
 * Notify without publish (docs/faults.md, "Buffer-ownership sanitizer"): a firmware kicks
 * vring0 only after it published a used entry there, and the IPCC channel coalesces kicks,
 * so the interrupts the host handles for vring0 never outnumber the entries published on it.
 * Each interrupt beyond them is a notification with nothing behind it: counted and logged,
 * never a decision (the used index is the firmware's value). Not for vring1: its interrupts
 * are off unless a sender waits, and the host takes its entries back lazily, in sends.
 */
struct amp_host_kick {
	uint64_t irqs;	      /* interrupts handled for the queue since the device came up */
	uint64_t published;   /* used entries published, as seen at each interrupt */
	uint64_t unpublished; /* interrupts no publish accounts for */
	uint16_t seen;	      /* used.idx at the last interrupt */
};

/* The device came up: start counting from its (zeroed) vring. */
void amp_host_kick_reset(struct amp_host_kick *k, const struct amp_vq *vq);

/* A vring0 interrupt: true if no publish accounts for it. */
bool amp_host_kick_check(struct amp_host_kick *k, const struct amp_vq *vq);

/* The host's vring0 counters, for amp_host_stats(). */
struct amp_host;
const struct amp_host_kick *amp_host_kick0(struct amp_host *h);

#endif /* AMP_HOST_INTERNAL_H */
