/*
 * STM32 IPCC register-level model. See amp/ipcc.h and docs/ipcc.md.
 *
 * Concurrency: the two processors access the register file at the same time, from two
 * processes. Every register is one atomic word and every access is one atomic
 * read-modify-write on the word it changes, followed by fresh (seq_cst) reads of the
 * words the IRQ lines depend on. That makes the "raised" result safe without a lock:
 * when two accesses together create a pending interrupt (say the sender sets a flag while
 * the receiver unmasks the channel), each writes its word and then reads the other's, and
 * sequential consistency guarantees that at least one of them sees both writes and reports
 * the line as raised. A raise may be reported twice (harmless: the receiver handles the
 * level), but never lost.
 */
#include <amp/ipcc.h>
#include <amp/error.h>

#include <stdbool.h>

#define REG(m, off) (&(m)->sh->reg[(off) / 4u])

static inline uint32_t other(uint32_t proc)
{
	return proc ^ 1u;
}

int amp_ipcc_reset_regs(struct amp_ipcc_shared *sh, uint32_t nchan)
{
	if (!sh || nchan == 0 || nchan > AMP_IPCC_MAX_CHAN)
		return AMP_EINVAL;
	for (size_t i = 0; i < AMP_IPCC_REG_SPAN / 4u; i++)
		atomic_store(&sh->reg[i], 0);
	atomic_store(&sh->reg[AMP_IPCC_HWCFGR / 4u], nchan);
	atomic_store(&sh->reg[AMP_IPCC_VER / 4u], AMP_IPCC_VER_VALUE);
	return AMP_OK;
}

int amp_ipcc_reset(struct amp_ipcc_shared *sh, uint32_t nchan)
{
	if (amp_ipcc_reset_regs(sh, nchan) != AMP_OK)
		return AMP_EINVAL;
	sh->unused = 0;
	atomic_store(&sh->guest_errors, 0);
	for (size_t i = 0; i < sizeof(sh->reserved) / sizeof(sh->reserved[0]); i++)
		sh->reserved[i] = 0;
	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++) {
		for (uint32_t c = 0; c < AMP_IPCC_MAX_CHAN; c++) {
			struct amp_ipcc_chan_stats *s = &sh->stats[p][c];

			atomic_store(&s->kicks, 0);
			atomic_store(&s->coalesced, 0);
			atomic_store(&s->irq_raised, 0);
			atomic_store(&s->irq_handled, 0);
			atomic_store(&s->efd_writes, 0);
			atomic_store(&s->efd_avoided, 0);
			atomic_store(&s->tx_waits, 0);
			s->reserved = 0;
		}
	}
	return AMP_OK;
}

int amp_ipcc_init(struct amp_ipcc *m, struct amp_ipcc_shared *sh, uint32_t nchan)
{
	if (!m || !sh || nchan == 0 || nchan > AMP_IPCC_MAX_CHAN)
		return AMP_EINVAL;
	m->sh = sh;
	m->nchan = nchan;
	m->chan_mask = (uint32_t)((1ul << nchan) - 1u);
	return AMP_OK;
}

/*
 * A send on a masked (or disabled) channel raises nothing; the unmask or enable does, later.
 * Count that raise for the sender's direction, so that every delivered kick shows one
 * raise and one handling.
 */
static void count_late_raises(struct amp_ipcc *m, uint32_t p, uint32_t chans)
{
	for (uint32_t ch = 0; ch < m->nchan; ch++) {
		if (chans & (1u << ch))
			atomic_fetch_add_explicit(&m->sh->stats[other(p)][ch].irq_raised, 1,
						  memory_order_relaxed);
	}
}

/*
 * One processor's part of update_edges(): @p rxm / @p txm are the channels whose RX-occupied
 * / TX-free interrupt is enabled and unmasked (0 when the line is disabled), @p rx_flags the
 * peer's flags (occupied for us), @p tx_free our free channels.
 */
static inline void proc_edges(struct amp_ipcc *m, uint32_t p, uint32_t rxm, uint32_t txm,
			      uint32_t rx_flags, uint32_t tx_free, const uint32_t *cause_rx,
			      const uint32_t *cause_tx, const uint32_t *edge_rx,
			      const uint32_t *edge_tx, uint32_t *lines, uint32_t *up)
{
	const uint32_t rxo = AMP_IPCC_LINE_BIT(p, AMP_IPCC_LINE_RXO);
	const uint32_t txf = AMP_IPCC_LINE_BIT(p, AMP_IPCC_LINE_TXF);
	uint32_t rx = rx_flags & rxm, tx = tx_free & txm;

	*lines |= (rx ? rxo : 0) | (tx ? txf : 0);
	/* An unmask or enable raises the line only if a flag is in the right state now. */
	if (cause_rx && (rx & cause_rx[p])) {
		*up |= rxo;
		count_late_raises(m, p, rx & cause_rx[p]);
	}
	if (cause_tx && (tx & cause_tx[p]))
		*up |= txf;
	/*
	 * A flag this access changed raised the line at the instant of its atomic write if the
	 * channel was enabled and unmasked, even when a fast peer has already undone it by now
	 * (acknowledged a set flag, re-sent on a freed one): that edge happened and is
	 * reported; the receiver tolerates a late signal.
	 */
	if (edge_rx && (edge_rx[p] & rxm))
		*up |= rxo;
	if (edge_tx && (edge_tx[p] & txm))
		*up |= txf;
}

/* The channels whose RX-occupied (@p tx false) or TX-free interrupt reaches the CPU. */
static inline uint32_t open_chans(const struct amp_ipcc *m, uint32_t cr, uint32_t mr, bool tx)
{
	if (tx)
		return cr & AMP_IPCC_XCR_TXFIE ? ~(mr >> AMP_IPCC_TX_SHIFT) & m->chan_mask : 0;
	return cr & AMP_IPCC_XCR_RXOIE ? ~mr & m->chan_mask : 0;
}

/*
 * The one place that derives the IRQ lines. cause_rx[p] / cause_tx[p] are the channels
 * whose state this access changed in the direction that can raise p's RX-occupied or
 * TX-free line; a line is reported raised only if it is high now *because of* one of
 * those channels. Returns the line levels; *raised gets the raised lines. Written out for
 * the two processors: every register access of either side runs it (issue 17).
 */
static uint32_t update_edges(struct amp_ipcc *m, const uint32_t cause_rx[AMP_IPCC_NPROC],
			     const uint32_t cause_tx[AMP_IPCC_NPROC], uint32_t *raised,
			     const uint32_t edge_rx[AMP_IPCC_NPROC],
			     const uint32_t edge_tx[AMP_IPCC_NPROC])
{
	_Static_assert(AMP_IPCC_NPROC == 2, "update_edges() is written for two processors");
	uint32_t cr0 = atomic_load(REG(m, AMP_IPCC_XCR(0))),
		 cr1 = atomic_load(REG(m, AMP_IPCC_XCR(1)));
	uint32_t mr0 = atomic_load(REG(m, AMP_IPCC_XMR(0))),
		 mr1 = atomic_load(REG(m, AMP_IPCC_XMR(1)));
	uint32_t sr0 = atomic_load(REG(m, AMP_IPCC_XTOYSR(0)));
	uint32_t sr1 = atomic_load(REG(m, AMP_IPCC_XTOYSR(1)));
	uint32_t lines = 0, up = 0;

	proc_edges(m, 0, open_chans(m, cr0, mr0, false), open_chans(m, cr0, mr0, true), sr1, ~sr0,
		   cause_rx, cause_tx, edge_rx, edge_tx, &lines, &up);
	proc_edges(m, 1, open_chans(m, cr1, mr1, false), open_chans(m, cr1, mr1, true), sr0, ~sr1,
		   cause_rx, cause_tx, edge_rx, edge_tx, &lines, &up);
	if (raised)
		*raised = up;
	return lines;
}

static uint32_t update(struct amp_ipcc *m, const uint32_t cause_rx[AMP_IPCC_NPROC],
		       const uint32_t cause_tx[AMP_IPCC_NPROC], uint32_t *raised)
{
	return update_edges(m, cause_rx, cause_tx, raised, NULL, NULL);
}

uint32_t amp_ipcc_update(struct amp_ipcc *m)
{
	if (!m || !m->sh)
		return 0;
	return update(m, NULL, NULL, NULL);
}

static int guest_error(struct amp_ipcc *m)
{
	atomic_fetch_add_explicit(&m->sh->guest_errors, 1, memory_order_relaxed);
	return AMP_EFAULT;
}

/* Decode a bank offset: returns the processor, or -1 if @off is not in a bank. */
static int bank_of(uint32_t off, uint32_t *reg)
{
	if (off >= AMP_IPCC_NPROC * AMP_IPCC_PROC_OFFST)
		return -1;
	*reg = off % AMP_IPCC_PROC_OFFST;
	return (int)(off / AMP_IPCC_PROC_OFFST);
}

int amp_ipcc_read(struct amp_ipcc *m, uint32_t off, uint32_t *val)
{
	uint32_t reg;
	int p;

	if (!m || !m->sh || !val)
		return AMP_EINVAL;
	*val = 0;
	if (off % 4u || off >= AMP_IPCC_REG_SPAN)
		return guest_error(m);
	if (off == AMP_IPCC_HWCFGR) {
		*val = m->nchan; /* our trusted copy, not the shared word */
		return AMP_OK;
	}
	if (off == AMP_IPCC_VER) {
		*val = AMP_IPCC_VER_VALUE;
		return AMP_OK;
	}
	p = bank_of(off, &reg);
	if (p < 0)
		return guest_error(m);
	switch (reg) {
	case AMP_IPCC_C1CR:
		*val = atomic_load(REG(m, off)) & AMP_IPCC_XCR_MASK;
		break;
	case AMP_IPCC_C1MR:
		*val =
		    atomic_load(REG(m, off)) & (m->chan_mask | m->chan_mask << AMP_IPCC_TX_SHIFT);
		break;
	case AMP_IPCC_C1SCR:
		*val = 0; /* write-only */
		break;
	default: /* XTOYSR */
		*val = atomic_load(REG(m, off)) & m->chan_mask;
		break;
	}
	/* A read has no side effect on this IP; update() still runs, as after every access. */
	update(m, NULL, NULL, NULL);
	return AMP_OK;
}

/* The bits XCR (C1CR) or XMR (C1MR) stores; the rest is reserved. */
static uint32_t reg_keep(const struct amp_ipcc *m, uint32_t reg)
{
	return reg == AMP_IPCC_C1CR ? AMP_IPCC_XCR_MASK
				    : m->chan_mask | m->chan_mask << AMP_IPCC_TX_SHIFT;
}

/*
 * What changing processor p's XCR or XMR from @old to @val can raise: an enable, every
 * channel of that line; an unmask, the channels it unmasked.
 */
static void ctrl_causes(const struct amp_ipcc *m, uint32_t p, uint32_t reg, uint32_t old,
			uint32_t val, uint32_t rx[AMP_IPCC_NPROC], uint32_t tx[AMP_IPCC_NPROC])
{
	uint32_t on = val & ~old, unmasked = old & ~val;

	if (reg == AMP_IPCC_C1CR) {
		rx[p] = on & AMP_IPCC_XCR_RXOIE ? m->chan_mask : 0;
		tx[p] = on & AMP_IPCC_XCR_TXFIE ? m->chan_mask : 0;
	} else {
		rx[p] = unmasked & m->chan_mask;
		tx[p] = (unmasked >> AMP_IPCC_TX_SHIFT) & m->chan_mask;
	}
}

/* Store XCR or XMR of processor p (reg = C1CR or C1MR), then update. */
static int write_ctrl(struct amp_ipcc *m, uint32_t p, uint32_t reg, uint32_t val, uint32_t *raised)
{
	uint32_t rx[AMP_IPCC_NPROC] = {0}, tx[AMP_IPCC_NPROC] = {0};
	uint32_t off = reg + p * AMP_IPCC_PROC_OFFST;
	uint32_t old = atomic_exchange(REG(m, off), val & reg_keep(m, reg));

	ctrl_causes(m, p, reg, old, val & reg_keep(m, reg), rx, tx);
	update(m, rx, tx, raised);
	return AMP_OK;
}

/* XSCR: CHnC clears the *other* processor's flag, CHnS sets our own. */
static int write_scr(struct amp_ipcc *m, uint32_t p, uint32_t val, uint32_t *raised,
		     uint32_t *newly_set)
{
	uint32_t rx[AMP_IPCC_NPROC] = {0}, tx[AMP_IPCC_NPROC] = {0};
	uint32_t clr = val & m->chan_mask;
	uint32_t set = (val >> AMP_IPCC_TX_SHIFT) & m->chan_mask;

	if (clr) {
		uint32_t old = atomic_fetch_and(REG(m, AMP_IPCC_XTOYSR(other(p))), ~clr);

		tx[other(p)] = old & clr; /* freed channels can raise the sender's TX-free */
	}
	if (set) {
		uint32_t old = atomic_fetch_or(REG(m, AMP_IPCC_XTOYSR(p)), set);

		rx[other(p)] = set & ~old; /* only a 0 -> 1 flag is news for the receiver */
	}
	if (newly_set)
		*newly_set = rx[other(p)];
	update_edges(m, NULL, NULL, raised, rx, tx);
	return AMP_OK;
}

int amp_ipcc_write(struct amp_ipcc *m, uint32_t off, uint32_t val, uint32_t *raised)
{
	uint32_t reg;
	int p;

	if (raised)
		*raised = 0;
	if (!m || !m->sh)
		return AMP_EINVAL;
	if (off % 4u || off >= AMP_IPCC_REG_SPAN)
		return guest_error(m);
	p = bank_of(off, &reg);
	if (p < 0)
		return guest_error(m); /* HWCFGR, VER and reserved space are read-only */
	switch (reg) {
	case AMP_IPCC_C1CR:
	case AMP_IPCC_C1MR:
		return write_ctrl(m, (uint32_t)p, reg, val, raised);
	case AMP_IPCC_C1SCR:
		return write_scr(m, (uint32_t)p, val, raised, NULL);
	default: /* XTOYSR is read-only: only XSCR changes flags */
		update(m, NULL, NULL, raised);
		return guest_error(m);
	}
}

uint32_t amp_ipcc_rx_pending(struct amp_ipcc *m, uint32_t proc)
{
	if (!m || !m->sh || proc >= AMP_IPCC_NPROC)
		return 0;
	uint32_t mr = atomic_load(REG(m, AMP_IPCC_XMR(proc)));
	uint32_t sr = atomic_load(REG(m, AMP_IPCC_XTOYSR(other(proc))));

	return sr & ~mr & m->chan_mask;
}

uint32_t amp_ipcc_tx_free(struct amp_ipcc *m, uint32_t proc)
{
	if (!m || !m->sh || proc >= AMP_IPCC_NPROC)
		return 0;
	return ~atomic_load(REG(m, AMP_IPCC_XTOYSR(proc))) & m->chan_mask;
}

int amp_ipcc_send(struct amp_ipcc *m, uint32_t proc, uint32_t ch, uint32_t *raised)
{
	uint32_t newly = 0, up = 0;
	struct amp_ipcc_chan_stats *st;

	if (raised)
		*raised = 0;
	if (!m || !m->sh || proc >= AMP_IPCC_NPROC || ch >= m->nchan)
		return AMP_EINVAL;
	st = &m->sh->stats[proc][ch];
	atomic_fetch_add_explicit(&st->kicks, 1, memory_order_relaxed);
	write_scr(m, proc, AMP_IPCC_CHNS(ch), &up, &newly);
	if (raised)
		*raised = up;
	if (!newly) {
		atomic_fetch_add_explicit(&st->coalesced, 1, memory_order_relaxed);
		return 0;
	}
	if (up & AMP_IPCC_LINE_BIT(other(proc), AMP_IPCC_LINE_RXO))
		atomic_fetch_add_explicit(&st->irq_raised, 1, memory_order_relaxed);
	return 1;
}

int amp_ipcc_ack(struct amp_ipcc *m, uint32_t proc, uint32_t ch, uint32_t *raised)
{
	if (raised)
		*raised = 0;
	if (!m || !m->sh || proc >= AMP_IPCC_NPROC || ch >= m->nchan)
		return AMP_EINVAL;
	write_scr(m, proc, AMP_IPCC_CHNC(ch), raised, NULL);
	atomic_fetch_add_explicit(&m->sh->stats[proc][ch].irq_handled, 1, memory_order_relaxed);
	return AMP_OK;
}

static int rmw(struct amp_ipcc *m, uint32_t off, uint32_t bits, int set, uint32_t *raised)
{
	uint32_t rx[AMP_IPCC_NPROC] = {0}, tx[AMP_IPCC_NPROC] = {0};
	uint32_t reg, old, val;
	int p;

	if (raised)
		*raised = 0;
	if (!m || !m->sh || off >= AMP_IPCC_REG_SPAN || off % 4u)
		return AMP_EINVAL;
	p = bank_of(off, &reg);
	if (p < 0 || (reg != AMP_IPCC_C1CR && reg != AMP_IPCC_C1MR))
		return AMP_EINVAL;
	/* A CAS loop, not fetch_or/and: the causes need the exact old value. */
	old = atomic_load(REG(m, off));
	do {
		val = (set ? old | bits : old & ~bits) & reg_keep(m, reg);
	} while (!atomic_compare_exchange_weak(REG(m, off), &old, val));
	ctrl_causes(m, (uint32_t)p, reg, old, val, rx, tx);
	update(m, rx, tx, raised);
	return AMP_OK;
}

int amp_ipcc_set_bits(struct amp_ipcc *m, uint32_t off, uint32_t bits, uint32_t *raised)
{
	return rmw(m, off, bits, 1, raised);
}

int amp_ipcc_clr_bits(struct amp_ipcc *m, uint32_t off, uint32_t bits, uint32_t *raised)
{
	return rmw(m, off, bits, 0, raised);
}
