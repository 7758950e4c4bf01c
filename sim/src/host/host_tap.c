/* libampsim: the message tap (amp_host_set_tap, <ampsim/host.h>; docs/capture.md). */
#include <string.h>

#include <amp/vring_layout.h>

#include "host_internal.h"

void amp_host_set_tap(struct amp_host *h, amp_host_tap_fn fn, void *priv)
{
	struct amp_host_tap *t = amp_host_tap_slot(h);
	t->fn = fn;
	t->priv = priv;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void amp_host_tap_tx(struct amp_host_tap *t, const char *name, uint32_t src, uint32_t dst,
		     const void *data, size_t len)
{
	if (!t->fn)
		return;
	/* The header tx_commit() wrote: src, dst, reserved 0, len, flags 0 (little-endian). */
	uint8_t hdr[AMP_RPMSG_HDR_SIZE] = {0};
	put_le32(hdr, src);
	put_le32(hdr + 4, dst);
	hdr[12] = (uint8_t)len;
	hdr[13] = (uint8_t)(len >> 8);
	struct amp_host_msg m = {true, name, hdr, data, len};
	t->fn(t->priv, &m);
}

void amp_host_tap_rx(struct amp_host_tap *t, const char *name, const void *payload, size_t len)
{
	if (payload == t->parked) { /* the deferred message, delivered again */
		t->parked = NULL;
		return;
	}
	if (!t->fn || !payload)
		return;
	/*
	 * The core hands a receiver the payload at buffer + 16, behind the header (the RPMsg
	 * wire format). The firmware may still write it: one copy, recorded as found, never
	 * used for a decision (the core decided on its own copy).
	 */
	uint8_t hdr[AMP_RPMSG_HDR_SIZE];
	memcpy(hdr, (const uint8_t *)payload - AMP_RPMSG_HDR_SIZE, sizeof(hdr));
	struct amp_host_msg m = {false, name, hdr, payload, len};
	t->fn(t->priv, &m);
}
