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

/*
 * Publish the host's copy: the whole shared table is rewritten from it under the generation
 * counter (odd while writing), so whatever the firmware scribbled there is overwritten and
 * nothing is ever read back. Returns the new (even) generation.
 */
static uint32_t publish(struct amp_ddr_plug_host *p)
{
	struct amp_ddr_plug_table *t = table(p->soc);
	atomic_store_explicit(&t->gen, p->gen + 1u, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	t->host_pid = (uint32_t)getpid();
	t->reserved = 0;
	for (uint32_t i = 0; i < AMP_DDR_PLUG_SLOTS; i++)
		t->slot[i] = p->slot[i];
	p->gen += 2u;
	atomic_store_explicit(&t->gen, p->gen, memory_order_release);
	return p->gen;
}

void amp_ddr_plug_host_init(struct amp_ddr_plug_host *p, struct amp_soc *soc)
{
	*p = (struct amp_ddr_plug_host){.soc = soc};
	publish(p);
	atomic_store_explicit(&table(soc)->ack, p->gen, memory_order_release);
}

int amp_ddr_plug(struct amp_ddr_plug_host *p, uint64_t da, uint64_t size, int fd, uint32_t *slot,
		 uint32_t *gen)
{
	const struct amp_soc_region *r = ddr_region(p->soc, da, size);
	if (!r || fd < 0)
		return AMP_EINVAL;
	uint32_t i = 0;
	while (i < AMP_DDR_PLUG_SLOTS && p->slot[i].tag != 0)
		i++;
	if (i == AMP_DDR_PLUG_SLOTS)
		return AMP_ENOMEM;
	int rc = map_fd_at(r, da, size, fd);
	if (rc != AMP_OK)
		return rc;
	if (++p->next_tag == 0) /* 0 means "empty" */
		p->next_tag = 1;
	p->slot[i] =
	    (struct amp_ddr_plug_slot){.da = da, .size = size, .fd = fd, .tag = p->next_tag};
	*gen = publish(p);
	*slot = i;
	return AMP_OK;
}

int amp_ddr_unplug(struct amp_ddr_plug_host *p, uint32_t slot, uint32_t *gen)
{
	if (slot >= AMP_DDR_PLUG_SLOTS || p->slot[slot].tag == 0)
		return AMP_EINVAL;
	const struct amp_ddr_plug_slot s = p->slot[slot];
	const struct amp_soc_region *r = ddr_region(p->soc, s.da, s.size);
	if (r)
		restore_backing(p->soc, r, s.da, s.size);
	p->slot[slot] = (struct amp_ddr_plug_slot){0};
	*gen = publish(p);
	return AMP_OK;
}

bool amp_ddr_plug_acked(const struct amp_ddr_plug_host *p, uint32_t gen)
{
	uint32_t ack = atomic_load_explicit(&table(p->soc)->ack, memory_order_acquire);
	/* Only a generation the host published, from @gen on, counts (wrap-safe): a firmware
	 * cannot acknowledge ahead of the host. */
	return (int32_t)(ack - gen) >= 0 && (int32_t)(p->gen - ack) >= 0;
}

void amp_ddr_plug_reset(struct amp_ddr_plug_host *p)
{
	for (uint32_t i = 0; i < AMP_DDR_PLUG_SLOTS; i++) {
		const struct amp_ddr_plug_slot s = p->slot[i];
		const struct amp_soc_region *r = ddr_region(p->soc, s.da, s.size);
		if (s.tag && r)
			restore_backing(p->soc, r, s.da, s.size);
		p->slot[i] = (struct amp_ddr_plug_slot){0};
	}
	publish(p);
	/* A new firmware starts from here: nothing pending. */
	atomic_store_explicit(&table(p->soc)->ack, p->gen, memory_order_release);
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
