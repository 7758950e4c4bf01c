/* Reading a run's shared object into a validated snapshot (snap.h). */
#define _GNU_SOURCE
#include "snap.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <amp/error.h>
#include <amp/rsc_parse.h>

/* Copy @len bytes at object offset @off; false if the object does not hold them now. */
static bool read_at(int fd, uint64_t off, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* The validated region holding [da, da + len), or NULL (overflow-safe). */
static const struct amp_soc_region *region_of(const struct insp_snap *s, uint64_t da, uint64_t len)
{
	for (uint32_t i = 0; i < s->soc.nregions; i++) {
		const struct amp_soc_region *r = &s->soc.regions[i];
		if (da >= r->da && da - r->da <= r->size && len <= r->size - (da - r->da))
			return r;
	}
	return NULL;
}

static bool read_da(const struct insp_snap *s, int fd, uint64_t da, void *buf, size_t len)
{
	const struct amp_soc_region *r = region_of(s, da, len);
	return r && read_at(fd, r->offset + (da - r->da), buf, len);
}

static void read_hdr(struct insp_snap *s, int fd)
{
	struct stat st;
	static struct amp_soc_hdr hdr; /* one page: not on the stack */
	memset(&s->soc, 0, sizeof(s->soc));
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)AMP_SOC_HDR_SIZE) {
		g_strlcpy(s->hdr_why, "the object is smaller than its header page", 160);
		return;
	}
	s->size = (uint64_t)st.st_size;
	if (!read_at(fd, 0, &hdr, sizeof(hdr))) {
		g_strlcpy(s->hdr_why, "cannot read the header page", sizeof(s->hdr_why));
		return;
	}
	s->hdr_ok =
	    amp_soc_hdr_check(&hdr, s->size, &s->soc, s->hdr_why, sizeof(s->hdr_why)) == AMP_OK;
	for (unsigned i = 0; i < 2; i++) /* checked against the rings in insp_snap_owners() */
		s->vr[i].fw_taken_raw = atomic_load(&hdr.fw_taken[i]);
}

static void read_ipcc(struct insp_snap *s, int fd)
{
	static struct amp_ipcc_shared ip;
	if (s->soc.ipcc_region >= s->soc.nregions ||
	    !read_at(fd, s->soc.regions[s->soc.ipcc_region].offset, &ip, sizeof(ip))) {
		g_strlcpy(s->ipcc_why, "the IPCC region cannot be read", sizeof(s->ipcc_why));
		return;
	}
	s->ipcc_nchan = s->soc.ipcc_nchan; /* from the validated header, not HWCFGR */
	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++) {
		s->xcr[p] = atomic_load(&ip.reg[AMP_IPCC_XCR(p) / 4]);
		s->xmr[p] = atomic_load(&ip.reg[AMP_IPCC_XMR(p) / 4]);
		s->flags[p] = atomic_load(&ip.reg[AMP_IPCC_XTOYSR(p) / 4]);
	}
	struct amp_ipcc m; /* the lines, derived from this copy of the registers */
	s->lines = amp_ipcc_init(&m, &ip, s->ipcc_nchan) == AMP_OK ? amp_ipcc_update(&m) : 0;
	/* Per direction: the sender's counts, and what the receiver counted as handled. */
	for (uint32_t p = 0; p < AMP_IPCC_NPROC; p++)
		for (uint32_t ch = 0; ch < s->ipcc_nchan && ch < AMP_IPCC_MAX_CHAN; ch++) {
			const struct amp_ipcc_chan_stats *c = &ip.stats[p][ch];
			s->ipcc_stats[p][ch].kicks = atomic_load(&c->kicks);
			s->ipcc_stats[p][ch].coalesced = atomic_load(&c->coalesced);
			s->ipcc_stats[p][ch].irq_raised = atomic_load(&c->irq_raised);
			s->ipcc_stats[p][ch].irq_handled =
			    atomic_load(&ip.stats[p ^ 1u][ch].irq_handled);
		}
	s->ipcc_ok = true;
}

/* The loaded resource table's vdev: the vrings' places and sizes. */
static bool read_rsc(struct insp_snap *s, int fd, struct amp_rsc_entry *e)
{
	static uint8_t table[AMP_SOC_PAGE * 4];
	struct amp_soc_hdr h;
	struct amp_rsc_error err;
	if (!read_at(fd, 0, &h, sizeof(h)))
		return false;
	if (h.rsc_da == 0 || (h.rsc_seq & 1u)) {
		g_strlcpy(s->rsc_why, "no resource table is loaded (the firmware is not running)",
			  sizeof(s->rsc_why));
		return false;
	}
	if (h.rsc_size < 16 || h.rsc_size > sizeof(table) ||
	    !read_da(s, fd, h.rsc_da, table, (size_t)h.rsc_size)) {
		g_snprintf(s->rsc_why, sizeof(s->rsc_why),
			   "the loaded table's place (da 0x%" G_GINT64_MODIFIER
			   "x, %" G_GUINT64_FORMAT " bytes) is not inside a region",
			   h.rsc_da, h.rsc_size);
		return false;
	}
	int rc = amp_rsc_find(table, (size_t)h.rsc_size, AMP_RSC_KIND_VDEV, 0, e, &err);
	if (rc != AMP_OK || e->u.vdev.num_of_vrings < 2) {
		g_snprintf(s->rsc_why, sizeof(s->rsc_why), "the loaded table has no valid vdev: %s",
			   rc != AMP_OK ? amp_strerror(rc) : "fewer than 2 vrings");
		return false;
	}
	s->vdev_status = e->u.vdev.status;
	return s->rsc_ok = true;
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1u));
}

/* One buffer's message: its RPMsg header and the first bytes of its payload. */
static void read_msg(const struct insp_snap *s, int fd, const struct insp_vring *v, uint16_t slot,
		     uint16_t id, struct insp_msg *m)
{
	struct amp_rpmsg_hdr h;
	const struct amp_vring_desc *d = &v->desc[id];
	*m = (struct insp_msg){.slot = slot, .id = id};
	if (!v->desc_ok[id] || d->len < sizeof(h) || !read_da(s, fd, d->addr, &h, sizeof(h)))
		return;
	m->src = h.src;
	m->dst = h.dst;
	m->len = h.len;
	m->flags = h.flags;
	if (h.len > d->len - sizeof(h))
		return; /* the header claims more than its buffer holds */
	m->npreview = MIN((uint32_t)h.len, INSP_PREVIEW);
	m->valid = read_da(s, fd, d->addr + sizeof(h), m->preview, m->npreview);
}

/*
 * The last messages a ring carried, oldest first: vring0's used ring (the firmware's
 * messages in RX buffers) or vring1's avail ring (the host's, in TX buffers). A buffer
 * holds only its latest message, so each id counts once, at its newest slot.
 */
static void read_msgs(struct insp_vring *v, const struct insp_snap *s, int fd, bool used)
{
	uint16_t idx = used ? v->used_idx : v->avail_idx;
	uint32_t n = MIN(v->num, (uint32_t)idx); /* a young ring has fewer */
	g_autofree bool *seen = g_new0(bool, INSP_MAX_NUM);
	g_autofree struct insp_msg *tmp = g_new0(struct insp_msg, INSP_MAX_NUM);
	uint32_t got = 0;
	for (uint32_t k = 1; k <= n; k++) {
		uint16_t slot = (uint16_t)(idx - k);
		uint32_t id =
		    used ? v->used[slot & (v->num - 1)].id : v->avail[slot & (v->num - 1)];
		if (id >= v->num || seen[id])
			continue; /* invalid ids are shown in the ring itself */
		seen[id] = true;
		read_msg(s, fd, v, slot, (uint16_t)id, &tmp[got++]);
	}
	for (uint32_t i = 0; i < got; i++)
		v->msg[i] = tmp[got - 1 - i];
	v->nmsg = got;
}

static void read_vring(struct insp_snap *s, int fd, const struct amp_rsc_vring_info *ri,
		       struct insp_vring *v, unsigned which)
{
	v->da = ri->da;
	v->num = ri->num;
	v->align = ri->align;
	v->notifyid = ri->notifyid;
	if (!pow2(ri->num) || ri->num > INSP_MAX_NUM || !pow2(ri->align) || ri->align < 4 ||
	    ri->align > AMP_SOC_PAGE) {
		g_snprintf(v->why, sizeof(v->why),
			   "num %u / align %u out of range (powers of two, num <= %u, align 4..%u)",
			   ri->num, ri->align, INSP_MAX_NUM, AMP_SOC_PAGE);
		return;
	}
	size_t size = amp_vring_size(ri->num, ri->align);
	g_autofree uint8_t *ring = g_malloc(size);
	if (!read_da(s, fd, ri->da, ring, size)) {
		g_snprintf(v->why, sizeof(v->why), "da 0x%x + %zu bytes is not inside a region",
			   ri->da, size);
		return;
	}
	const uint8_t *av = ring + amp_vring_avail_off(v->num);
	const uint8_t *us = ring + amp_vring_used_off(v->num, v->align);
	memcpy(v->desc, ring, sizeof(v->desc[0]) * v->num);
	memcpy(&v->avail_flags, av, 2);
	memcpy(&v->avail_idx, av + 2, 2);
	memcpy(v->avail, av + 4, 2u * v->num);
	memcpy(&v->used_flags, us, 2);
	memcpy(&v->used_idx, us + 2, 2);
	memcpy(v->used, us + 4, sizeof(v->used[0]) * v->num);
	for (uint32_t i = 0; i < v->num; i++) {
		const struct amp_soc_region *r = region_of(s, v->desc[i].addr, v->desc[i].len);
		v->desc_blank[i] = v->desc[i].addr == 0 && v->desc[i].len == 0;
		v->desc_ok[i] = r && r->purpose != AMP_SOC_PURPOSE_IPCC && v->desc[i].len > 0;
	}
	v->window_ok = (uint16_t)(v->avail_idx - v->used_idx) <= v->num;
	v->valid = true;
	read_msgs(v, s, fd, which == 0);
}

void insp_snap_read(struct insp_snap *s, int fd, const char *name)
{
	struct amp_rsc_entry e;
	g_strlcpy(s->shm, name, sizeof(s->shm));
	read_hdr(s, fd);
	if (!s->hdr_ok)
		return;
	read_ipcc(s, fd);
	if (!read_rsc(s, fd, &e))
		return;
	for (unsigned i = 0; i < 2; i++)
		read_vring(s, fd, &e.u.vdev.vring[i], &s->vr[i], i);
}
