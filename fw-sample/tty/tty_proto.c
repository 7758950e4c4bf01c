/* Line assembly of the tty sample: pure, so the split-across-messages cases are unit-tested. */
#include <string.h>

#include "tty_proto.h"

void tty_line_init(struct tty_line *l)
{
	l->len = 0;
	l->lines = 0;
	l->overflows = 0;
}

size_t tty_line_feed(struct tty_line *l, const uint8_t *data, size_t len, bool *ready)
{
	size_t used = 0;

	*ready = false;
	while (used < len) {
		uint8_t c = data[used++];
		l->buf[l->len++] = c;
		if (c == '\n') {
			l->lines++;
			*ready = true;
			break;
		}
		if (l->len == TTY_LINE_MAX) {
			l->overflows++;
			*ready = true;
			break;
		}
	}
	return used;
}

void tty_line_clear(struct tty_line *l)
{
	l->len = 0;
}
