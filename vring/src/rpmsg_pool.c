/* The buffer pool of an rpmsg vdev, derived in one place; see <amp/rpmsg.h>. */
#include <amp/error.h>
#include <amp/rpmsg.h>

/* Linux: num_rbufs / num_sbufs = the vring's size, capped at MAX_RPMSG_NUM_BUFS / 2. */
#define DEFAULT_MAX_COUNT 256u

static int dir_init(struct amp_rpmsg_pool_dir *d, uint32_t num, uint32_t count, uint32_t size)
{
	if (num == 0 || num > AMP_VRING_MAX_NUM)
		return AMP_EINVAL;
	if (!count)
		count = num < DEFAULT_MAX_COUNT ? num : DEFAULT_MAX_COUNT;
	if (!size)
		size = AMP_RPMSG_BUF_SIZE_DEFAULT;
	/* Buffer i is descriptor i: a direction cannot have more buffers than entries. */
	if (count > num || size < AMP_RPMSG_BUF_SIZE_MIN || size > AMP_RPMSG_BUF_SIZE_MAX ||
	    size % 4u)
		return AMP_EINVAL;
	d->count = count;
	d->size = size;
	d->mtu = size - AMP_RPMSG_HDR_SIZE;
	return 0;
}

int amp_rpmsg_pool_init(struct amp_rpmsg_pool *pool, const struct amp_rpmsg_pool_cfg *cfg)
{
	struct amp_rpmsg_pool p;
	uint64_t r2h_bytes, total;
	int ret;

	if (!pool || !cfg)
		return AMP_EINVAL;
	ret = dir_init(&p.r2h, cfg->num[0], cfg->r2h_count, cfg->r2h_size);
	if (!ret)
		ret = dir_init(&p.h2r, cfg->num[1], cfg->h2r_count, cfg->h2r_size);
	if (ret)
		return ret;
	/* 64-bit: 32768 buffers of 64 KiB each way do not fit in 32 bits. */
	r2h_bytes = (uint64_t)p.r2h.count * p.r2h.size;
	total = r2h_bytes + (uint64_t)p.h2r.count * p.h2r.size;
	if (total > UINT32_MAX)
		return AMP_ERANGE;
	p.r2h.offset = 0;
	p.h2r.offset = (uint32_t)r2h_bytes;
	p.total = (uint32_t)total;
	*pool = p;
	return 0;
}
