/* DDR buffer hot-plug; see <ampsim/ddr_plug.h>. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ampsim/ddr_plug.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include <amp/error.h>
#include <ampsim/errno.h>

static struct amp_ddr_plug_table *table(const struct amp_soc *soc)
{
	return (struct amp_ddr_plug_table *)(void *)((uint8_t *)soc->hdr + AMP_DDR_PLUG_OFFSET);
}

/* The DDR region holding [da, da + size) entirely, or NULL. */
static const struct amp_soc_region *ddr_region(const struct amp_soc *soc, uint64_t da,
					       uint64_t size)
{
	if (size == 0 || da % AMP_SOC_PAGE || size % AMP_SOC_PAGE)
		return NULL;
	for (uint32_t i = 0; i < soc->nregions; i++) {
		const struct amp_soc_region *r = &soc->regions[i];
		if (r->purpose == AMP_SOC_PURPOSE_DDR && r->va && da >= r->da &&
		    da - r->da <= r->size && size <= r->size - (da - r->da))
			return r;
	}
	return NULL;
}

/* Put the SoC object's own pages back under [da, da + size). */
static int restore_backing(const struct amp_soc *soc, const struct amp_soc_region *r, uint64_t da,
			   uint64_t size)
{
	void *va = r->va + (da - r->da);
	void *p = mmap(va, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, soc->fd,
		       (off_t)(r->offset + (da - r->da)));
	return p == va ? AMP_OK : amp_from_errno(errno);
}

static int map_fd_at(const struct amp_soc_region *r, uint64_t da, uint64_t size, int fd)
{
	void *va = r->va + (da - r->da);
	void *p = mmap(va, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	return p == va ? AMP_OK : amp_from_errno(errno);
}

/* Writer side of the generation counter: odd while the table changes. */
static uint32_t begin_write(struct amp_ddr_plug_table *t)
{
	uint32_t g = atomic_load_explicit(&t->gen, memory_order_relaxed) | 1u;
	atomic_store_explicit(&t->gen, g, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	return g;
}

static uint32_t end_write(struct amp_ddr_plug_table *t, uint32_t g)
{
	atomic_store_explicit(&t->gen, g + 1u, memory_order_release);
	return g + 1u;
}

int amp_ddr_plug(struct amp_soc *soc, uint64_t da, uint64_t size, int fd, uint32_t *slot,
		 uint32_t *gen)
{
	static uint32_t next_tag;
	struct amp_ddr_plug_table *t = table(soc);
	const struct amp_soc_region *r = ddr_region(soc, da, size);
	if (!r || fd < 0)
		return AMP_EINVAL;
	uint32_t i = 0;
	while (i < AMP_DDR_PLUG_SLOTS && t->slot[i].tag != 0)
		i++;
	if (i == AMP_DDR_PLUG_SLOTS)
		return AMP_ENOMEM;
	int rc = map_fd_at(r, da, size, fd);
	if (rc != AMP_OK)
		return rc;
	uint32_t g = begin_write(t);
	t->host_pid = (uint32_t)getpid();
	t->slot[i] = (struct amp_ddr_plug_slot){.da = da, .size = size, .fd = fd};
	t->slot[i].tag = ++next_tag ? next_tag : ++next_tag;
	*gen = end_write(t, g);
	*slot = i;
	return AMP_OK;
}

int amp_ddr_unplug(struct amp_soc *soc, uint32_t slot, uint32_t *gen)
{
	struct amp_ddr_plug_table *t = table(soc);
	if (slot >= AMP_DDR_PLUG_SLOTS || t->slot[slot].tag == 0)
		return AMP_EINVAL;
	const struct amp_ddr_plug_slot s = t->slot[slot];
	const struct amp_soc_region *r = ddr_region(soc, s.da, s.size);
	if (r)
		restore_backing(soc, r, s.da, s.size);
	uint32_t g = begin_write(t);
	t->slot[slot] = (struct amp_ddr_plug_slot){0};
	*gen = end_write(t, g);
	return AMP_OK;
}

bool amp_ddr_plug_acked(const struct amp_soc *soc, uint32_t gen)
{
	uint32_t ack = atomic_load_explicit(&table(soc)->ack, memory_order_acquire);
	return (int32_t)(ack - gen) >= 0;
}

void amp_ddr_plug_reset(struct amp_soc *soc)
{
	struct amp_ddr_plug_table *t = table(soc);
	for (uint32_t i = 0; i < AMP_DDR_PLUG_SLOTS; i++) {
		uint32_t gen;
		if (t->slot[i].tag)
			amp_ddr_unplug(soc, i, &gen);
	}
	/* A new firmware starts from here: nothing pending. */
	atomic_store_explicit(&t->ack, atomic_load(&t->gen), memory_order_release);
}

/* ---- firmware side ------------------------------------------------------------------------- */

static void view_unmap(struct amp_soc *soc, struct amp_ddr_plug_view *v, uint32_t i)
{
	const struct amp_soc_region *r = ddr_region(soc, v->da[i], v->size[i]);
	if (r && restore_backing(soc, r, v->da[i], v->size[i]) != AMP_OK)
		v->errors++;
	v->tag[i] = 0;
}

static void view_map(struct amp_soc *soc, struct amp_ddr_plug_view *v, uint32_t i,
		     const struct amp_ddr_plug_slot *s, uint32_t host_pid)
{
	const struct amp_soc_region *r = ddr_region(soc, s->da, s->size);
	char path[64];
	if (!r || s->fd < 0) {
		v->errors++;
		return;
	}
	snprintf(path, sizeof(path), "/proc/%u/fd/%d", host_pid, s->fd);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		v->errors++;
		return;
	}
	/* A memfd shorter than the slot says would fault on access: refuse it. */
	off_t end = lseek(fd, 0, SEEK_END);
	if (end < 0 || (uint64_t)end < s->size || map_fd_at(r, s->da, s->size, fd) != AMP_OK) {
		v->errors++;
	} else {
		v->tag[i] = s->tag;
		v->da[i] = s->da;
		v->size[i] = s->size;
	}
	close(fd);
}

int amp_ddr_plug_sync(struct amp_soc *soc, struct amp_ddr_plug_view *v)
{
	struct amp_ddr_plug_table *t = table(soc);
	uint32_t g = atomic_load_explicit(&t->gen, memory_order_acquire);
	if (g & 1u)
		return AMP_EAGAIN;
	struct amp_ddr_plug_slot s[AMP_DDR_PLUG_SLOTS];
	for (uint32_t i = 0; i < AMP_DDR_PLUG_SLOTS; i++)
		s[i] = t->slot[i]; /* one read each, then checked */
	uint32_t host_pid = t->host_pid;
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&t->gen, memory_order_relaxed) != g)
		return AMP_EAGAIN; /* torn: the host rings again after its write */
	for (uint32_t i = 0; i < AMP_DDR_PLUG_SLOTS; i++) {
		if (v->tag[i] == s[i].tag)
			continue;
		if (v->tag[i])
			view_unmap(soc, v, i);
		if (s[i].tag)
			view_map(soc, v, i, &s[i], host_pid);
	}
	atomic_store_explicit(&t->ack, g, memory_order_release);
	return AMP_OK;
}
