/* A firmware's rpmsg vdev in its loaded resource table; see <amp/rsc_vdev.h>. */
#include <amp/rsc_vdev.h>

#include "local.h"

/* One volatile byte load each: the host writes the table concurrently. */
static uint32_t ld_live32(const volatile uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

int amp_rsc_vdev_bind(struct amp_rsc_vdev_ref *ref, const volatile void *table, size_t len,
		      void *scratch, struct amp_rsc_error *err)
{
	const volatile uint8_t *t = table;
	uint8_t *copy = scratch;
	struct amp_rsc_entry e;
	int ret;

	if (!ref || !table || !scratch)
		return amp_rsc_fail(err, AMP_RSC_ERR_BAD_ARG, -1, AMP_RSC_TYPE_NONE, 0, NULL, 0, 0);
	for (size_t i = 0; i < len; i++)
		copy[i] = t[i];
	ret = amp_rsc_find(copy, len, AMP_RSC_KIND_VDEV, 0, &e, err);
	if (ret)
		return ret;
	if (e.u.vdev.id != AMP_VIRTIO_ID_RPMSG || e.u.vdev.num_of_vrings != 2)
		return amp_rsc_fail(
		    err, AMP_RSC_ERR_VDEV_NOT_RPMSG, (int32_t)e.index, e.type, e.offset,
		    e.u.vdev.id != AMP_VIRTIO_ID_RPMSG ? "id" : "num_of_vrings",
		    e.u.vdev.id != AMP_VIRTIO_ID_RPMSG ? e.u.vdev.id : e.u.vdev.num_of_vrings, 0);
	/* The parser proved every field of the entry lies inside [0, len). */
	ref->table = t;
	ref->vdev_off = e.offset;
	ref->vring_off[0] = e.u.vdev.vring[0].offset;
	ref->vring_off[1] = e.u.vdev.vring[1].offset;
	ref->dfeatures = e.u.vdev.dfeatures;
	ref->r2h_buf_size = e.u.vdev.r2h_buf_size;
	return 0;
}

uint8_t amp_rsc_vdev_status(void *ref)
{
	const struct amp_rsc_vdev_ref *r = ref;

	return r->table[r->vdev_off + AMP_RSC_VDEV_STATUS_OFF];
}

int amp_rsc_vdev_read(void *ref, struct amp_rpmsg_vdev_params *p)
{
	const struct amp_rsc_vdev_ref *r = ref;

	for (uint32_t i = 0; i < 2; i++) {
		const volatile uint8_t *v = r->table + r->vring_off[i];

		p->vring[i] = (struct amp_vring_info){
		    .da = ld_live32(v + AMP_RSC_VRING_DA_OFF),
		    .num = ld_live32(v + offsetof(struct amp_fw_rsc_vdev_vring, num)),
		    .align = ld_live32(v + offsetof(struct amp_fw_rsc_vdev_vring, align)),
		    .notify_id = ld_live32(v + AMP_RSC_VRING_NOTIFYID_OFF),
		};
	}
	p->features = r->dfeatures & ld_live32(r->table + r->vdev_off + AMP_RSC_VDEV_GFEATURES_OFF);
	p->r2h_buf_size = r->r2h_buf_size;
	return 0;
}
