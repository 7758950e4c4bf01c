/* What libampsim's two files share (private to amp_host). */
#ifndef AMP_HOST_INTERNAL_H
#define AMP_HOST_INTERNAL_H

#include <stddef.h>

#include <amp/virtqueue.h>

/**
 * The crash reason for a broken queue, from the fault the portable core recorded:
 * "protocol violation on vring1: used id 17 >= num 16".
 */
void amp_host_vq_fault_text(const struct amp_vq *vq, unsigned vring, char *buf, size_t len);

#endif /* AMP_HOST_INTERNAL_H */
