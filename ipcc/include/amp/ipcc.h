/*
 * STM32 IPCC (inter-processor communication controller) register-level model.
 *
 * Pure C, no fds and no OS calls: it builds freestanding for Cortex-M. The register file
 * lives in shared memory (struct amp_ipcc_shared) and both processes access it through
 * amp_ipcc_read()/amp_ipcc_write(), which use atomics, so the two "processors" can touch it
 * concurrently as on the chip. Every access ends in amp_ipcc_update(), the one function that
 * derives the four IRQ lines (RX-occupied and TX-free, per processor) from the registers.
 * Outside the registers, each processor writes only memory of its own (its half of the
 * counters), so an access moves no cache line between the CPUs that the chip's would not.
 *
 * Register semantics follow Linux drivers/mailbox/stm32-ipcc.c and the STM32MP1 CMSIS map
 * (docs/ipcc.md has the diagram):
 *   XCR     bit 0 RXOIE (RX-occupied IRQ enable), bit 16 TXFIE (TX-free IRQ enable)
 *   XMR     bit n CHnOM (mask RX-occupied of channel n), bit 16+n CHnFM (mask TX-free)
 *   XSCR    write-only: bit n CHnC (clear the flag the other side set = acknowledge),
 *           bit 16+n CHnS (set my own flag = send); reads as 0
 *   XTOYSR  read-only: bit n CHnF, the flag this processor set towards the other
 * X = 1 is the Cortex-A7 (host, bank at 0x000), X = 2 the Cortex-M4 (firmware, bank at 0x010).
 * Channel n here is the 0-based hardware index: HAL IPCC_CHANNEL_1 == AMP_IPCC_CH1 == 0.
 */
#ifndef AMP_IPCC_H
#define AMP_IPCC_H

#include <stdint.h>
#include <stddef.h>
#include <stdatomic.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Processors (index into the per-processor arrays). */
#define AMP_IPCC_PROC1 0u /**< Cortex-A7, Linux side: the host process */
#define AMP_IPCC_PROC2 1u /**< Cortex-M4: the firmware process */
#define AMP_IPCC_NPROC 2u

/* Channels: 0-based hardware indices, named as the HAL names them. */
#define AMP_IPCC_CH1 0u
#define AMP_IPCC_CH2 1u
#define AMP_IPCC_CH3 2u
#define AMP_IPCC_CH4 3u
#define AMP_IPCC_CH5 4u
#define AMP_IPCC_CH6 5u
#define AMP_IPCC_MAX_CHAN 16u /**< register width limit (16 RX + 16 TX bits) */

/* What each channel carries on STM32MP1, and the channel count: <amp/stm32mp1.h>. */

/* Register offsets (bytes from the IPCC base). */
#define AMP_IPCC_C1CR 0x000u	  /**< processor 1 control */
#define AMP_IPCC_C1MR 0x004u	  /**< processor 1 mask */
#define AMP_IPCC_C1SCR 0x008u	  /**< processor 1 status set/clear (write-only) */
#define AMP_IPCC_C1TOC2SR 0x00Cu  /**< processor 1 to 2 status (read-only) */
#define AMP_IPCC_C2CR 0x010u	  /**< processor 2 control */
#define AMP_IPCC_C2MR 0x014u	  /**< processor 2 mask */
#define AMP_IPCC_C2SCR 0x018u	  /**< processor 2 status set/clear (write-only) */
#define AMP_IPCC_C2TOC1SR 0x01Cu  /**< processor 2 to 1 status (read-only) */
#define AMP_IPCC_HWCFGR 0x3F0u	  /**< hardware config: bits 7:0 = channel count (read-only) */
#define AMP_IPCC_VER 0x3F4u	  /**< version (read-only) */
#define AMP_IPCC_PROC_OFFST 0x10u /**< distance between the processor banks */
#define AMP_IPCC_REG_SPAN 0x400u  /**< size of the hardware register window */

/* Offsets of the X bank relative to its base (X = proc). */
#define AMP_IPCC_XCR(p) (AMP_IPCC_C1CR + (p)*AMP_IPCC_PROC_OFFST)
#define AMP_IPCC_XMR(p) (AMP_IPCC_C1MR + (p)*AMP_IPCC_PROC_OFFST)
#define AMP_IPCC_XSCR(p) (AMP_IPCC_C1SCR + (p)*AMP_IPCC_PROC_OFFST)
#define AMP_IPCC_XTOYSR(p) (AMP_IPCC_C1TOC2SR + (p)*AMP_IPCC_PROC_OFFST)

/* Bits. */
#define AMP_IPCC_XCR_RXOIE (1u << 0)  /**< RX-occupied IRQ enable */
#define AMP_IPCC_XCR_TXFIE (1u << 16) /**< TX-free IRQ enable (Linux: XCR_TXOIE) */
#define AMP_IPCC_XCR_MASK (AMP_IPCC_XCR_RXOIE | AMP_IPCC_XCR_TXFIE)
#define AMP_IPCC_TX_SHIFT 16u		      /**< TX bits sit 16 above the RX bits */
#define AMP_IPCC_CHNOM(n) (1u << (n))	      /**< XMR: mask RX-occupied of channel n */
#define AMP_IPCC_CHNFM(n) (1u << (16u + (n))) /**< XMR: mask TX-free of channel n */
#define AMP_IPCC_CHNC(n) (1u << (n))	      /**< XSCR: clear the peer's flag n (ack) */
#define AMP_IPCC_CHNS(n) (1u << (16u + (n)))  /**< XSCR: set my flag n (send) */
#define AMP_IPCC_CHNF(n) (1u << (n))	      /**< XTOYSR: my flag n is set (occupied) */
#define AMP_IPCC_VER_VALUE 0x00000010u	      /**< what VER reads (major 1, minor 0) */

/* IRQ lines, as bits of the value amp_ipcc_update() returns. */
#define AMP_IPCC_LINE_RXO 0u /**< RX-occupied line */
#define AMP_IPCC_LINE_TXF 1u /**< TX-free line */
#define AMP_IPCC_NLINES 2u   /**< lines per processor */
#define AMP_IPCC_LINE_BIT(proc, line) (1u << ((proc)*AMP_IPCC_NLINES + (line)))

/**
 * One processor's counters of one channel, written by that processor only: its sends on the
 * channel, and the peer's notifications on it that it acknowledged.
 */
struct amp_ipcc_chan_stats {
	_Atomic uint32_t kicks;	      /**< sends requested (CHnS writes via amp_ipcc_send) */
	_Atomic uint32_t coalesced;   /**< sends while the flag was still set: merged */
	_Atomic uint32_t irq_raised;  /**< RX-occupied rising edges on the receiver: by the
					   send, or later by its unmask / RXOIE enable (counted
					   by the receiver, in the sender's entry: rare) */
	_Atomic uint32_t irq_handled; /**< the peer's notifications acknowledged (amp_ipcc_ack) */
	_Atomic uint32_t efd_writes;  /**< eventfd writes done by the transport */
	_Atomic uint32_t efd_avoided; /**< eventfd writes skipped: receiver was awake */
	_Atomic uint32_t tx_waits;    /**< strict mode: sends that had to wait for free */
	uint32_t reserved;
};

/**
 * The register file as it sits in shared memory: the hardware window (registers at their
 * CMSIS offsets) followed by the model's own state. Everything is untrusted by the host:
 * the firmware process can write any byte of it.
 */
struct amp_ipcc_shared {
	_Atomic uint32_t reg[AMP_IPCC_REG_SPAN / 4]; /**< hardware view, index = offset / 4 */
	uint32_t unused; /**< 0: a word no one writes, so guest_errors stays at 0x404 */
	_Atomic uint32_t guest_errors; /**< bad offsets or writes to read-only registers */
	uint32_t reserved[14];
	/** [writing processor][channel]; a processor's half starts on a cache line of its own */
	struct amp_ipcc_chan_stats stats[AMP_IPCC_NPROC][AMP_IPCC_MAX_CHAN];
};

_Static_assert(offsetof(struct amp_ipcc_shared, unused) == 0x400, "model state after window");
_Static_assert(offsetof(struct amp_ipcc_shared, guest_errors) == 0x404, "a firmware's view");
_Static_assert(offsetof(struct amp_ipcc_shared, stats) % 64 == 0 &&
		   sizeof(struct amp_ipcc_chan_stats) * AMP_IPCC_MAX_CHAN % 64 == 0,
	       "each processor's counters on cache lines of their own");
_Static_assert(sizeof(struct amp_ipcc_chan_stats) == 32, "stats layout");
_Static_assert(sizeof(struct amp_ipcc_shared) <= 0x1000, "register file fits one page");

/** A handle on a register file; caller-allocated, plain data. */
struct amp_ipcc {
	struct amp_ipcc_shared *sh; /**< read-only after init: the shared register file */
	uint32_t nchan;		    /**< read-only: channel count, fixed at init (not re-read) */
	uint32_t chan_mask;	    /**< read-only: (1 << nchan) - 1 */
};

/**
 * Power-on reset of a register file: all registers 0 (everything disabled, all flags clear,
 * nothing masked), HWCFGR = @p nchan, VER set, counters zeroed.
 * Call once, from the process that creates the shared object, before anyone attaches.
 *
 * @param sh     register file (at least sizeof(*sh) bytes)
 * @param nchan  channel count, 1..AMP_IPCC_MAX_CHAN
 * @retval AMP_OK
 * @retval AMP_EINVAL  @p sh NULL or @p nchan out of range
 */
int amp_ipcc_reset(struct amp_ipcc_shared *sh, uint32_t nchan);

/**
 * The registers' power-on reset alone, as amp_ipcc_reset() does it, with the counters kept:
 * the host's restore before it restarts the other processor (whatever that one wrote).
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  @p sh NULL or @p nchan out of range
 */
int amp_ipcc_reset_regs(struct amp_ipcc_shared *sh, uint32_t nchan);

/**
 * Attach a handle to an existing register file. The channel count comes from the caller
 * (from the validated SoC header), never from the shared HWCFGR the peer could rewrite.
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  NULL argument or @p nchan out of range
 */
int amp_ipcc_init(struct amp_ipcc *m, struct amp_ipcc_shared *sh, uint32_t nchan);

/**
 * Read a 32-bit register. XSCR reads 0. Unknown offsets read 0, count a guest error and
 * return AMP_EFAULT (as a bus error would be logged on the chip).
 *
 * @param off  byte offset from the IPCC base, must be 4-aligned and < AMP_IPCC_REG_SPAN
 * @param val  out: register value (0 on error)
 * @retval AMP_OK
 * @retval AMP_EFAULT  bad or unaligned offset (guest error, counted)
 * @retval AMP_EINVAL  NULL argument
 */
int amp_ipcc_read(struct amp_ipcc *m, uint32_t off, uint32_t *val);

/**
 * Write a 32-bit register, then run amp_ipcc_update(). Writes to XCR/XMR store only the
 * defined bits; XSCR performs CHnC/CHnS on the channels that exist; writes to read-only
 * registers are ignored and counted as guest errors.
 *
 * @param raised  out (may be NULL): the IRQ lines (AMP_IPCC_LINE_BIT) this access raised,
 *                i.e. lines that are high after the access and whose cause this access
 *                created (a flag set or cleared, an unmask, an enable). The transport
 *                signals exactly these to the processor that owns the line.
 * @retval AMP_OK
 * @retval AMP_EFAULT  bad offset or read-only register (ignored, counted)
 * @retval AMP_EINVAL  NULL argument
 */
int amp_ipcc_write(struct amp_ipcc *m, uint32_t off, uint32_t val, uint32_t *raised);

/**
 * Derive the IRQ lines from the registers:
 *   RXO(p) = XCR_p.RXOIE && (YTOXSR & ~XMR_p[15:0] & channels) != 0
 *   TXF(p) = XCR_p.TXFIE && (~XTOYSR & ~XMR_p[31:16] & channels) != 0
 * Called by every access; may be called on its own (e.g. after attach, or by a tool on a
 * copy of the register file). The lines are not stored in shared memory: a word both
 * processors wrote on every access would move between their CPUs each time.
 *
 * @return the line levels, AMP_IPCC_LINE_BIT(proc, line) set when high
 */
uint32_t amp_ipcc_update(struct amp_ipcc *m);

/* Helpers on top of read/write, for the transport and the ports. */

/**
 * Channels on which @p proc has an RX-occupied interrupt pending (the other processor's
 * flag set and the channel unmasked), regardless of RXOIE. One atomic read per register.
 */
uint32_t amp_ipcc_rx_pending(struct amp_ipcc *m, uint32_t proc);

/** Channels on which @p proc's own flag is clear (free to send). */
uint32_t amp_ipcc_tx_free(struct amp_ipcc *m, uint32_t proc);

/**
 * Send on a channel: write CHnS to @p proc's XSCR and count the kick. If the flag was
 * already set the send is merged with the pending one and counted as coalesced: the receiver
 * acknowledges before it scans the ring, so the pending notification covers the new work.
 *
 * @param raised  out (may be NULL): lines raised, see amp_ipcc_write()
 * @retval 1           sent: the flag went from clear to set
 * @retval 0           coalesced with a pending notification
 * @retval AMP_EINVAL  bad processor or channel
 */
int amp_ipcc_send(struct amp_ipcc *m, uint32_t proc, uint32_t ch, uint32_t *raised);

/**
 * Acknowledge a received notification: write CHnC to @p proc's XSCR (clears the peer's flag
 * on channel @p ch, which may raise the peer's TX-free line) and count it as handled, in
 * @p proc's own counters (stats[proc][ch].irq_handled).
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  bad processor or channel
 */
int amp_ipcc_ack(struct amp_ipcc *m, uint32_t proc, uint32_t ch, uint32_t *raised);

/**
 * Read-modify-write helpers on XCR/XMR (the Linux driver's set_bits/clr_bits). They are
 * atomic against the other processor's accesses and end in amp_ipcc_update().
 *
 * @retval AMP_OK
 * @retval AMP_EINVAL  bad processor or register (only XCR and XMR are allowed)
 */
int amp_ipcc_set_bits(struct amp_ipcc *m, uint32_t off, uint32_t bits, uint32_t *raised);
int amp_ipcc_clr_bits(struct amp_ipcc *m, uint32_t off, uint32_t bits, uint32_t *raised);

#ifdef __cplusplus
}
#endif

#endif /* AMP_IPCC_H */
