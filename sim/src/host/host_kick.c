/* The host's notify-without-publish check (host_internal.h). */
#include "host_internal.h"

void amp_host_kick_reset(struct amp_host_kick *k, const struct amp_vq *vq)
{
	*k = (struct amp_host_kick){.seen = amp_vq_peer_idx(vq)};
}

bool amp_host_kick_check(struct amp_host_kick *k, const struct amp_vq *vq)
{
	uint16_t idx = amp_vq_peer_idx(vq);
	/* Modulo 2^16 is exact: vring0 interrupts stay on, so fewer than 65536 entries are
	 * published between two of them (at most num are outstanding per drain). */
	k->published += (uint16_t)(idx - k->seen);
	k->seen = idx;
	k->irqs++;
	if (k->irqs <= k->published + k->unpublished)
		return false;
	k->unpublished++;
	return true;
}
