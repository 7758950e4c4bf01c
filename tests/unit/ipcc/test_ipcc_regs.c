/*
 * IPCC register model: every register bit's semantics, line derivation, guest errors,
 * counters. Black-box through amp_ipcc_read/write, as a qtest would drive the device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <amp/ipcc.h>
#include <amp/error.h>
#include <amp/stm32mp1.h>

#define P1 AMP_IPCC_PROC1
#define P2 AMP_IPCC_PROC2
#define RXO(p) AMP_IPCC_LINE_BIT(p, AMP_IPCC_LINE_RXO)
#define TXF(p) AMP_IPCC_LINE_BIT(p, AMP_IPCC_LINE_TXF)

struct fixture {
	struct amp_ipcc_shared sh;
	struct amp_ipcc m;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	memset(&f->sh, 0xA5, sizeof(f->sh)); /* reset must not depend on zeroed memory */
	assert_int_equal(amp_ipcc_reset(&f->sh, AMP_STM32MP1_IPCC_NCHAN), AMP_OK);
	assert_int_equal(amp_ipcc_init(&f->m, &f->sh, AMP_STM32MP1_IPCC_NCHAN), AMP_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static uint32_t rd(struct amp_ipcc *m, uint32_t off)
{
	uint32_t v = 0xdeadbeef;

	assert_int_equal(amp_ipcc_read(m, off, &v), AMP_OK);
	return v;
}

static uint32_t wr(struct amp_ipcc *m, uint32_t off, uint32_t val)
{
	uint32_t raised = 0xdeadbeef;

	assert_int_equal(amp_ipcc_write(m, off, val, &raised), AMP_OK);
	return raised;
}

static void reset_values(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;

	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++) {
		assert_int_equal(rd(m, AMP_IPCC_XCR(p)), 0);
		assert_int_equal(rd(m, AMP_IPCC_XMR(p)), 0);
		assert_int_equal(rd(m, AMP_IPCC_XSCR(p)), 0);
		assert_int_equal(rd(m, AMP_IPCC_XTOYSR(p)), 0);
	}
	assert_int_equal(rd(m, AMP_IPCC_HWCFGR), 6);
	assert_int_equal(rd(m, AMP_IPCC_VER), AMP_IPCC_VER_VALUE);
	assert_int_equal(amp_ipcc_update(m), 0); /* nothing enabled: all lines low */
	assert_int_equal(f->sh.stats[1][5].kicks, 0);
	assert_int_equal(f->sh.unused, 0);
	assert_int_equal(f->sh.guest_errors, 0);
}

static void cr_stores_only_defined_bits(void **state)
{
	struct fixture *f = *state;

	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++) {
		wr(&f->m, AMP_IPCC_XCR(p), 0xFFFFFFFF);
		assert_int_equal(rd(&f->m, AMP_IPCC_XCR(p)),
				 AMP_IPCC_XCR_RXOIE | AMP_IPCC_XCR_TXFIE);
		wr(&f->m, AMP_IPCC_XCR(p), 0);
		assert_int_equal(rd(&f->m, AMP_IPCC_XCR(p)), 0);
	}
}

static void mr_stores_existing_channels_only(void **state)
{
	struct fixture *f = *state;

	wr(&f->m, AMP_IPCC_C2MR, 0xFFFFFFFF);
	assert_int_equal(rd(&f->m, AMP_IPCC_C2MR), 0x003F003F);
	assert_int_equal(rd(&f->m, AMP_IPCC_C1MR), 0); /* banks are independent */
}

/* CHnS sets my flag n; only XSCR changes flags; CHnS of a missing channel does nothing. */
static void scr_set_sets_own_flag(void **state)
{
	struct fixture *f = *state;

	for (uint32_t ch = 0; ch < 6; ch++) {
		wr(&f->m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(ch));
		assert_int_equal(rd(&f->m, AMP_IPCC_C1TOC2SR), (2u << ch) - 1u);
		assert_int_equal(rd(&f->m, AMP_IPCC_C2TOC1SR), 0);
	}
	wr(&f->m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(7)); /* channel 8 does not exist */
	assert_int_equal(rd(&f->m, AMP_IPCC_C1TOC2SR), 0x3F);
	assert_int_equal(rd(&f->m, AMP_IPCC_C1SCR), 0); /* write-only */
}

/* CHnC in my bank clears the *other* processor's flag n, never my own. */
static void scr_clear_clears_peer_flag(void **state)
{
	struct fixture *f = *state;

	wr(&f->m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(0) | AMP_IPCC_CHNS(2));
	wr(&f->m, AMP_IPCC_C2SCR, AMP_IPCC_CHNS(0));
	wr(&f->m, AMP_IPCC_C2SCR, AMP_IPCC_CHNC(2)); /* proc 2 acks proc 1's CH3 */
	assert_int_equal(rd(&f->m, AMP_IPCC_C1TOC2SR), AMP_IPCC_CHNF(0));
	assert_int_equal(rd(&f->m, AMP_IPCC_C2TOC1SR), AMP_IPCC_CHNF(0));
	wr(&f->m, AMP_IPCC_C1SCR, AMP_IPCC_CHNC(0)); /* proc 1 acks proc 2's CH1 */
	assert_int_equal(rd(&f->m, AMP_IPCC_C2TOC1SR), 0);
	assert_int_equal(rd(&f->m, AMP_IPCC_C1TOC2SR), AMP_IPCC_CHNF(0));
	/* Set and clear in one write: both halves act. */
	wr(&f->m, AMP_IPCC_C2SCR, AMP_IPCC_CHNC(0) | AMP_IPCC_CHNS(5));
	assert_int_equal(rd(&f->m, AMP_IPCC_C1TOC2SR), 0);
	assert_int_equal(rd(&f->m, AMP_IPCC_C2TOC1SR), AMP_IPCC_CHNF(5));
}

/* RX-occupied line: enabled by RXOIE, per-channel masked by CHnOM, follows the peer flag. */
static void rx_occupied_line(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;

	/* Flag set but RXOIE off: no line, nothing raised. */
	assert_int_equal(wr(m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(1)), 0);
	assert_int_equal(amp_ipcc_update(m) & RXO(P2), 0);
	assert_int_equal(amp_ipcc_rx_pending(m, P2), AMP_IPCC_CHNF(1));
	/* Enabling RXOIE with a pending flag raises the line. */
	assert_int_equal(wr(m, AMP_IPCC_C2CR, AMP_IPCC_XCR_RXOIE), RXO(P2));
	assert_int_equal(amp_ipcc_update(m), RXO(P2));
	/* Masking the channel drops the line; unmasking raises it again. */
	assert_int_equal(wr(m, AMP_IPCC_C2MR, AMP_IPCC_CHNOM(1)), 0);
	assert_int_equal(amp_ipcc_update(m), 0);
	assert_int_equal(amp_ipcc_rx_pending(m, P2), 0);
	assert_int_equal(wr(m, AMP_IPCC_C2MR, 0), RXO(P2));
	/* Masking another channel does not affect it. */
	assert_int_equal(wr(m, AMP_IPCC_C2MR, AMP_IPCC_CHNOM(0)), 0);
	assert_int_equal(amp_ipcc_update(m), RXO(P2));
	/* Ack (CHnC from proc 2) lowers it. */
	assert_int_equal(wr(m, AMP_IPCC_C2SCR, AMP_IPCC_CHNC(1)), 0);
	assert_int_equal(amp_ipcc_update(m), 0);
	/* A send on a masked channel raises nothing; a send on an unmasked one does. */
	assert_int_equal(wr(m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(0)), 0);
	assert_int_equal(wr(m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(2)), RXO(P2));
	/* Re-setting a set flag is not news: nothing raised (coalesces). */
	assert_int_equal(wr(m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(2)), 0);
	/* Proc 1's RX line never moved: it watches proc 2's flags. */
	assert_int_equal(amp_ipcc_update(m) & (RXO(P1) | TXF(P1)), 0);
}

/* TX-free line: enabled by TXFIE, masked by CHnFM, high while my flag is clear. */
static void tx_free_line(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;

	/* Mask all TX-free, then enable: nothing. */
	wr(m, AMP_IPCC_C1MR, 0x003F0000);
	assert_int_equal(wr(m, AMP_IPCC_C1CR, AMP_IPCC_XCR_TXFIE), 0);
	assert_int_equal(amp_ipcc_update(m), 0);
	/* Send on CH1, then unmask its TX-free: channel occupied, so no line. (Linux order) */
	wr(m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(0));
	assert_int_equal(wr(m, AMP_IPCC_C1MR, 0x003E0000), 0);
	assert_int_equal(amp_ipcc_update(m) & TXF(P1), 0);
	assert_int_equal(amp_ipcc_tx_free(m, P1), 0x3E);
	/* Receiver acks: channel free, proc 1's TX-free line rises, caused by the ack. */
	assert_int_equal(wr(m, AMP_IPCC_C2SCR, AMP_IPCC_CHNC(0)), TXF(P1));
	assert_int_equal(amp_ipcc_update(m), TXF(P1));
	/* Mask it again (Linux does in its tx irq): line drops. */
	assert_int_equal(wr(m, AMP_IPCC_C1MR, 0x003F0000), 0);
	assert_int_equal(amp_ipcc_update(m), 0);
	/* Unmasking a free channel raises; disabling TXFIE drops. */
	assert_int_equal(wr(m, AMP_IPCC_C1MR, 0x003B0000), TXF(P1));
	assert_int_equal(wr(m, AMP_IPCC_C1CR, 0), 0);
	assert_int_equal(amp_ipcc_update(m), 0);
}

/*
 * Every channel bit on both processors, exhaustively: with the other channels masked,
 * RXO(p) == RXOIE && !CHnOM && Y's CHnF and TXF(p) == TXFIE && !CHnFM && !p's CHnF, and
 * the enabling write reports exactly the lines it raised.
 */
static void every_channel_bit_drives_its_line(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;

	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++) {
		for (uint32_t n = 0; n < AMP_STM32MP1_IPCC_NCHAN; n++) {
			for (uint32_t bits = 0; bits < 8; bits++) {
				bool en = bits & 1, masked = bits & 2, flag = bits & 4;
				uint32_t others = 0x3Fu & ~(1u << n), y = p ^ 1u, lines, raised;

				assert_int_equal(amp_ipcc_reset(&f->sh, 6), AMP_OK);
				wr(m, AMP_IPCC_XMR(p),
				   others | others << 16 |
				       (masked ? AMP_IPCC_CHNOM(n) | AMP_IPCC_CHNFM(n) : 0));
				if (flag) {
					wr(m, AMP_IPCC_XSCR(y), AMP_IPCC_CHNS(n)); /* RX for p */
					wr(m, AMP_IPCC_XSCR(p), AMP_IPCC_CHNS(n)); /* p's TX busy */
				}
				raised = wr(m, AMP_IPCC_XCR(p), en ? AMP_IPCC_XCR_MASK : 0);
				lines = amp_ipcc_update(m);
				assert_int_equal(!!(lines & RXO(p)), en && !masked && flag);
				assert_int_equal(!!(lines & TXF(p)), en && !masked && !flag);
				assert_int_equal(raised, lines);
				assert_int_equal(rd(m, AMP_IPCC_XTOYSR(y)),
						 flag ? AMP_IPCC_CHNF(n) : 0);
				assert_int_equal(rd(m, AMP_IPCC_XTOYSR(p)),
						 flag ? AMP_IPCC_CHNF(n) : 0);
			}
		}
	}
}

static void both_directions_independent(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;

	wr(m, AMP_IPCC_C1CR, AMP_IPCC_XCR_RXOIE);
	wr(m, AMP_IPCC_C2CR, AMP_IPCC_XCR_RXOIE);
	assert_int_equal(wr(m, AMP_IPCC_C1SCR, AMP_IPCC_CHNS(0)), RXO(P2));
	assert_int_equal(wr(m, AMP_IPCC_C2SCR, AMP_IPCC_CHNS(0)), RXO(P1));
	assert_int_equal(amp_ipcc_update(m), RXO(P1) | RXO(P2));
	wr(m, AMP_IPCC_C1SCR, AMP_IPCC_CHNC(0));
	assert_int_equal(amp_ipcc_update(m), RXO(P2));
}

static void guest_errors_are_counted_and_ignored(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;
	uint32_t v = 1, raised = 7;

	assert_int_equal(amp_ipcc_read(m, 0x002, &v), AMP_EFAULT); /* unaligned */
	assert_int_equal(v, 0);
	assert_int_equal(amp_ipcc_read(m, AMP_IPCC_REG_SPAN, &v), AMP_EFAULT);
	assert_int_equal(amp_ipcc_read(m, 0x100, &v), AMP_EFAULT); /* reserved */
	assert_int_equal(amp_ipcc_write(m, AMP_IPCC_HWCFGR, 16, &raised), AMP_EFAULT);
	assert_int_equal(raised, 0);
	assert_int_equal(rd(m, AMP_IPCC_HWCFGR), 6);
	assert_int_equal(amp_ipcc_write(m, AMP_IPCC_C1TOC2SR, 1, NULL), AMP_EFAULT);
	assert_int_equal(rd(m, AMP_IPCC_C1TOC2SR), 0);
	assert_int_equal(amp_ipcc_write(m, 0xFFFFFFFC, 1, NULL), AMP_EFAULT);
	assert_int_equal(f->sh.guest_errors, 6);
	/* The peer scribbling HWCFGR in shared memory does not change our channel count. */
	f->sh.reg[AMP_IPCC_HWCFGR / 4] = 16;
	assert_int_equal(rd(m, AMP_IPCC_HWCFGR), 6);
	assert_int_equal(amp_ipcc_read(NULL, 0, &v), AMP_EINVAL);
	assert_int_equal(amp_ipcc_read(m, 0, NULL), AMP_EINVAL);
	assert_int_equal(amp_ipcc_write(NULL, 0, 0, NULL), AMP_EINVAL);
}

static void init_and_reset_reject_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc m;

	assert_int_equal(amp_ipcc_reset(NULL, 6), AMP_EINVAL);
	assert_int_equal(amp_ipcc_reset(&f->sh, 0), AMP_EINVAL);
	assert_int_equal(amp_ipcc_reset(&f->sh, 17), AMP_EINVAL);
	assert_int_equal(amp_ipcc_init(&m, &f->sh, 0), AMP_EINVAL);
	assert_int_equal(amp_ipcc_init(&m, NULL, 6), AMP_EINVAL);
	assert_int_equal(amp_ipcc_init(NULL, &f->sh, 6), AMP_EINVAL);
	assert_int_equal(amp_ipcc_init(&m, &f->sh, 16), AMP_OK);
	assert_int_equal(m.chan_mask, 0xFFFF);
}

static void send_ack_and_counters(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;
	uint32_t raised;

	amp_ipcc_set_bits(m, AMP_IPCC_C2CR, AMP_IPCC_XCR_RXOIE, NULL);
	assert_int_equal(amp_ipcc_send(m, P1, AMP_IPCC_CH_VRING1, &raised), 1);
	assert_int_equal(raised, RXO(P2));
	assert_int_equal(amp_ipcc_send(m, P1, AMP_IPCC_CH_VRING1, &raised), 0);
	assert_int_equal(raised, 0);
	assert_int_equal(amp_ipcc_send(m, P1, AMP_IPCC_CH_VRING1, NULL), 0);
	assert_int_equal(amp_ipcc_ack(m, P2, AMP_IPCC_CH_VRING1, &raised), AMP_OK);
	assert_int_equal(amp_ipcc_send(m, P1, AMP_IPCC_CH_VRING1, NULL), 1);
	const struct amp_ipcc_chan_stats *s = &f->sh.stats[P1][AMP_IPCC_CH_VRING1];
	assert_int_equal(s->kicks, 4);
	assert_int_equal(s->coalesced, 2);
	assert_int_equal(s->irq_raised, 2);
	assert_int_equal(f->sh.stats[P2][AMP_IPCC_CH_VRING1].irq_handled, 1); /* the receiver's */
	assert_int_equal(s->irq_handled, 0);
	assert_int_equal(f->sh.stats[P2][AMP_IPCC_CH_VRING1].kicks, 0);
	assert_int_equal(amp_ipcc_send(m, P1, 6, NULL), AMP_EINVAL);
	assert_int_equal(amp_ipcc_send(m, 2, 0, NULL), AMP_EINVAL);
	assert_int_equal(amp_ipcc_ack(m, P2, 6, NULL), AMP_EINVAL);
}

/* Whether bytes [off, off + len) of the register file changed since @p before. */
static bool changed(const struct fixture *f, const unsigned char *before, size_t off, size_t len)
{
	return memcmp((const unsigned char *)&f->sh + off, before + off, len) != 0;
}

/*
 * A message's path (send, the receiver's reads, its ack) writes, outside the registers, only
 * the writer's own counters: no word both processors write, so no cache line that moves
 * between their CPUs at every access.
 */
static void each_processor_writes_only_its_own_counters(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;
	const size_t model = offsetof(struct amp_ipcc_shared, unused);
	const size_t stats = offsetof(struct amp_ipcc_shared, stats), half = sizeof(f->sh.stats[0]);
	unsigned char before[sizeof(f->sh)];

	amp_ipcc_set_bits(m, AMP_IPCC_C1CR, AMP_IPCC_XCR_RXOIE, NULL);
	amp_ipcc_set_bits(m, AMP_IPCC_C2CR, AMP_IPCC_XCR_RXOIE, NULL);
	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++) {
		uint32_t y = p ^ 1u;
		memcpy(before, &f->sh, sizeof(f->sh));
		assert_int_equal(amp_ipcc_send(m, p, AMP_IPCC_CH1, NULL), 1); /* p's accesses */
		assert_int_equal(amp_ipcc_tx_free(m, p) & AMP_IPCC_CHNF(AMP_IPCC_CH1), 0);
		amp_ipcc_update(m);
		assert_false(changed(f, before, model, stats - model));
		assert_false(changed(f, before, stats + y * half, half));
		assert_true(changed(f, before, stats + p * half, half));

		memcpy(before, &f->sh, sizeof(f->sh));
		assert_int_equal(amp_ipcc_rx_pending(m, y), AMP_IPCC_CHNF(AMP_IPCC_CH1)); /* y's */
		assert_int_equal(amp_ipcc_ack(m, y, AMP_IPCC_CH1, NULL), AMP_OK);
		assert_false(changed(f, before, model, stats - model));
		assert_false(changed(f, before, stats + p * half, half));
		assert_int_equal(f->sh.stats[y][AMP_IPCC_CH1].irq_handled, 1);
	}
}

/* A send on a masked channel raises nothing; the unmask raises it, and is counted then. */
static void late_raise_by_unmask_is_counted(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;
	const struct amp_ipcc_chan_stats *s = &f->sh.stats[P1][AMP_IPCC_CH2];
	uint32_t raised;

	amp_ipcc_set_bits(m, AMP_IPCC_C2MR, AMP_IPCC_CHNOM(AMP_IPCC_CH2), NULL);
	amp_ipcc_set_bits(m, AMP_IPCC_C2CR, AMP_IPCC_XCR_RXOIE, NULL);
	assert_int_equal(amp_ipcc_send(m, P1, AMP_IPCC_CH2, &raised), 1);
	assert_int_equal(raised, 0);
	assert_int_equal(s->irq_raised, 0);
	assert_int_equal(amp_ipcc_clr_bits(m, AMP_IPCC_C2MR, AMP_IPCC_CHNOM(AMP_IPCC_CH2), &raised),
			 AMP_OK);
	assert_int_equal(raised, RXO(P2));
	assert_int_equal(s->irq_raised, 1);
	assert_int_equal(f->sh.stats[P2][AMP_IPCC_CH2].irq_raised, 0); /* other direction */
	assert_int_equal(amp_ipcc_ack(m, P2, AMP_IPCC_CH2, NULL), AMP_OK);
	assert_int_equal(s->kicks, 1);
	assert_int_equal(f->sh.stats[P2][AMP_IPCC_CH2].irq_handled, 1);
	/* Same through RXOIE: disabled at the send, enabled later. */
	amp_ipcc_clr_bits(m, AMP_IPCC_C2CR, AMP_IPCC_XCR_RXOIE, NULL);
	assert_int_equal(amp_ipcc_send(m, P1, AMP_IPCC_CH2, &raised), 1);
	assert_int_equal(s->irq_raised, 1);
	amp_ipcc_set_bits(m, AMP_IPCC_C2CR, AMP_IPCC_XCR_RXOIE, &raised);
	assert_int_equal(raised, RXO(P2));
	assert_int_equal(s->irq_raised, 2);
}

static void set_clr_bits(void **state)
{
	struct fixture *f = *state;
	struct amp_ipcc *m = &f->m;
	uint32_t raised;

	amp_ipcc_send(m, P2, AMP_IPCC_CH1, NULL);
	assert_int_equal(amp_ipcc_set_bits(m, AMP_IPCC_C1MR, AMP_IPCC_CHNOM(0), NULL), AMP_OK);
	assert_int_equal(amp_ipcc_set_bits(m, AMP_IPCC_C1CR, AMP_IPCC_XCR_RXOIE, &raised), AMP_OK);
	assert_int_equal(raised, 0); /* masked */
	assert_int_equal(amp_ipcc_clr_bits(m, AMP_IPCC_C1MR, AMP_IPCC_CHNOM(0), &raised), AMP_OK);
	assert_int_equal(raised, RXO(P1));
	assert_int_equal(rd(m, AMP_IPCC_C1CR), AMP_IPCC_XCR_RXOIE);
	assert_int_equal(amp_ipcc_set_bits(m, AMP_IPCC_C1SCR, 1, NULL), AMP_EINVAL);
	assert_int_equal(amp_ipcc_set_bits(m, AMP_IPCC_HWCFGR, 1, NULL), AMP_EINVAL);
}

/* The board's notify-id <-> channel rule (<amp/stm32mp1.h>): one function each way. */
static void stm32mp1_notify_id_rule(void **state)
{
	(void)state;
	assert_int_equal(amp_stm32mp1_notify_chan(0), AMP_IPCC_CH1);
	assert_int_equal(amp_stm32mp1_notify_chan(1), AMP_IPCC_CH2);
	assert_int_equal(amp_stm32mp1_notify_chan(2), AMP_ENOENT);
	assert_int_equal(amp_stm32mp1_notify_chan(0xFFFFFFFFu), AMP_ENOENT);
	for (uint32_t id = 0; id < 2; id++)
		assert_int_equal(amp_stm32mp1_chan_notify((uint32_t)amp_stm32mp1_notify_chan(id)),
				 (int)id);
	assert_int_equal(amp_stm32mp1_chan_notify(AMP_IPCC_CH_SHUTDOWN), AMP_ENOENT);
	assert_int_equal(amp_stm32mp1_chan_notify(AMP_IPCC_CH_DDR_PLUG), AMP_ENOENT);
	assert_int_equal(amp_stm32mp1_chan_notify(AMP_IPCC_MAX_CHAN), AMP_ENOENT);
	/* the channel map fits the board's channel count */
	assert_true(AMP_IPCC_CH_DDR_PLUG < AMP_STM32MP1_IPCC_NCHAN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(reset_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(cr_stores_only_defined_bits, setup, teardown),
	    cmocka_unit_test_setup_teardown(mr_stores_existing_channels_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(scr_set_sets_own_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(scr_clear_clears_peer_flag, setup, teardown),
	    cmocka_unit_test_setup_teardown(rx_occupied_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(tx_free_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(every_channel_bit_drives_its_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(both_directions_independent, setup, teardown),
	    cmocka_unit_test_setup_teardown(guest_errors_are_counted_and_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(init_and_reset_reject_bad_arguments, setup, teardown),
	    cmocka_unit_test_setup_teardown(send_ack_and_counters, setup, teardown),
	    cmocka_unit_test_setup_teardown(each_processor_writes_only_its_own_counters, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(late_raise_by_unmask_is_counted, setup, teardown),
	    cmocka_unit_test_setup_teardown(set_clr_bits, setup, teardown),
	    cmocka_unit_test(stm32mp1_notify_id_rule),
	};
	return cmocka_run_group_tests_name("ipcc/regs", tests, NULL, NULL);
}
