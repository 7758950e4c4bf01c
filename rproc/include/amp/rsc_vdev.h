/*
 * A firmware's rpmsg vdev in its loaded resource table, for the remote role's bring-up
 * (struct amp_rpmsg_remote_cfg in <amp/rpmsg.h>).
 *
 * The port binds it once (amp_rsc_vdev_bind()); the core then polls the status byte through
 * amp_rsc_vdev_status() and, once DRIVER_OK is set, reads what the host wrote — each vring's
 * da and notify id, the accepted features — through amp_rsc_vdev_read(), as OpenAMP's
 * rproc_virtio reads its vdev resource. No port reads the table again.
 *
 *     static struct amp_rsc_vdev_ref vdev;
 *     if (amp_rsc_vdev_bind(&vdev, loaded_table, len, scratch, &err) == 0) {
 *             struct amp_rpmsg_remote_cfg cfg = {.ready_timeout_ms = 10000};
 *             amp_rsc_vdev_remote_cfg(&vdev, &cfg);
 *             rc = amp_rpmsg_remote_init(dev, &cfg, &port);
 *     }
 *
 * Portable: no allocation, no OS.
 */
#ifndef AMP_RSC_VDEV_H
#define AMP_RSC_VDEV_H

#include <stddef.h>
#include <stdint.h>

#include <amp/rpmsg.h>
#include <amp/rsc_error.h>
#include <amp/rsc_parse.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A bound vdev: where its fields are in the loaded table. Plain data, set by bind. */
struct amp_rsc_vdev_ref {
	const volatile uint8_t *table; /**< the loaded table; the host writes into it */
	uint32_t vdev_off;	       /**< byte offset of the vdev entry */
	uint32_t vring_off[2];	       /**< byte offsets of its two vrings */
	uint32_t dfeatures;    /**< what the firmware offered (the host does not write it) */
	uint32_t r2h_buf_size; /**< declared in ampsim's config layout, 0 = none */
};

/**
 * Validate the loaded table and bind @p ref to its first vdev, which must be rpmsg (id 7)
 * with two vrings. The table is copied to @p scratch (@p len bytes, the caller's private
 * memory) and parsed there, since the host may write the loaded table at any time; the
 * caller may look up other entries (a trace buffer) in that copy afterwards.
 *
 * @param table the loaded table, @p len bytes
 * @param err   optional: where and why it failed
 * @retval 0 bound
 * @retval AMP_EINVAL a NULL argument
 * @retval AMP_ENOENT the table has no vdev
 * @retval AMP_ENOTSUP the vdev is not rpmsg with two vrings (reason VDEV_NOT_RPMSG)
 * @retval other a validation error of the table (see amp_rsc_parse())
 */
int amp_rsc_vdev_bind(struct amp_rsc_vdev_ref *ref, const volatile void *table, size_t len,
		      void *scratch, struct amp_rsc_error *err);

/** The vdev status byte, read fresh (amp_rpmsg_remote_cfg.get_status; @p ref is the ref). */
uint8_t amp_rsc_vdev_status(void *ref);

/**
 * What the host wrote, read once after DRIVER_OK (amp_rpmsg_remote_cfg.read_vdev): each
 * vring's da, num, align and notify id, the negotiated features (offered & accepted), the
 * declared remote -> host buffer size. Values are the host's: the core validates them.
 * @retval 0 always
 */
int amp_rsc_vdev_read(void *ref, struct amp_rpmsg_vdev_params *p);

/** Point @p cfg's status and vdev callbacks at a bound @p ref. */
static inline void amp_rsc_vdev_remote_cfg(struct amp_rsc_vdev_ref *ref,
					   struct amp_rpmsg_remote_cfg *cfg)
{
	cfg->get_status = amp_rsc_vdev_status;
	cfg->read_vdev = amp_rsc_vdev_read;
	cfg->vdev_ctx = ref;
}

#ifdef __cplusplus
}
#endif

#endif /* AMP_RSC_VDEV_H */
