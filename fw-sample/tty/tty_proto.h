/*
 * Line assembly for the tty sample. rpmsg-tty is a raw byte stream: a line typed on
 * /dev/ttyRPMSGx may arrive split over several messages, and one message may carry several
 * lines. The assembler collects bytes up to and including '\n' and hands back whole lines;
 * a line longer than TTY_LINE_MAX is handed back in TTY_LINE_MAX pieces, so the bytes out
 * always equal the bytes in, in order.
 */
#ifndef FW_TTY_PROTO_H
#define FW_TTY_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TTY_SERVICE "rpmsg-tty" /* upstream Linux rpmsg_tty binds this exact name */
#define TTY_LINE_MAX 256u	/* fits one 496-byte RPMsg payload */

/** Assembler state: plain data (tty_line_init). */
struct tty_line {
	uint8_t buf[TTY_LINE_MAX];
	size_t len;	    /**< bytes in buf */
	uint32_t lines;	    /**< complete lines handed back */
	uint32_t overflows; /**< pieces handed back because a line exceeded TTY_LINE_MAX */
};

/** Empty @p l and zero its counters. */
void tty_line_init(struct tty_line *l);

/**
 * Take bytes from @p data until a line is ready or @p len is used up.
 * @return the number of bytes consumed (<= len); *@p ready is set when l->buf[0..l->len)
 *         holds a line (ending in '\n') or a full TTY_LINE_MAX piece. The caller sends it,
 *         calls tty_line_clear() and calls again with the rest of the input.
 */
size_t tty_line_feed(struct tty_line *l, const uint8_t *data, size_t len, bool *ready);

/** Drop the line just handed back. */
void tty_line_clear(struct tty_line *l);

#endif /* FW_TTY_PROTO_H */
