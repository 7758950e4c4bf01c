/*
 * Validation of SoC memory maps: a layout from a profile (amp_soc_layout_check) and the
 * shared header a peer may have scribbled on (amp_soc_hdr_check). See <ampsim/soc.h>.
 */
#include <ampsim/soc.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <amp/error.h>
#include <amp/ipcc.h>

static bool name_ok(const char *name, size_t max)
{
	size_t n = strnlen(name, max);

	if (n == 0 || n == max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static int layout_fail(struct amp_soc_layout_err *err, int region, const char *key, const char *fmt,
		       ...) __attribute__((format(printf, 4, 5)));

static int layout_fail(struct amp_soc_layout_err *err, int region, const char *key, const char *fmt,
		       ...)
{
	va_list ap;

	if (err) {
		err->region = region;
		err->key = key;
		va_start(ap, fmt);
		vsnprintf(err->why, sizeof(err->why), fmt, ap);
		va_end(ap);
	}
	return AMP_EINVAL;
}

/* The firmware sees a 32-bit address space; regions must fit in it. */
#define DA_LIMIT (1ull << 32)

/* Region @i on its own, then against the regions before it. */
static int check_region(const struct amp_soc_layout *l, uint32_t i, struct amp_soc_layout_err *err)
{
	const struct amp_soc_region_cfg *r = &l->regions[i];
	const unsigned long long da = r->da, size = r->size;

	if (!name_ok(r->name, sizeof(r->name)))
		return layout_fail(err, (int)i, "name",
				   "region name must be 1..31 characters of [A-Za-z0-9_.-]");
	if (size == 0)
		return layout_fail(err, (int)i, "size", "size is zero");
	if (size % AMP_SOC_PAGE)
		return layout_fail(err, (int)i, "size", "size 0x%llx is not a multiple of 0x%x",
				   size, AMP_SOC_PAGE);
	if (da % AMP_SOC_PAGE)
		return layout_fail(err, (int)i, "da", "da 0x%llx is not %u-byte aligned", da,
				   AMP_SOC_PAGE);
	if (da == 0)
		return layout_fail(err, (int)i, "da",
				   "da 0 cannot be mapped by a process (mmap_min_addr)");
	if (da >= DA_LIMIT || size > DA_LIMIT - da)
		return layout_fail(err, (int)i, "size",
				   "[0x%llx, +0x%llx) runs past the 32-bit address space", da,
				   size);
	if (r->purpose >= AMP_SOC_PURPOSE_COUNT)
		return layout_fail(err, (int)i, "purpose", "unknown purpose %u", r->purpose);
	if (r->flags & ~AMP_SOC_F_ALL)
		return layout_fail(err, (int)i, "flags", "unknown flags 0x%x", r->flags);
	for (uint32_t j = 0; j < i; j++) {
		const struct amp_soc_region_cfg *o = &l->regions[j];

		if (strncmp(o->name, r->name, sizeof(r->name)) == 0)
			return layout_fail(err, (int)i, "name", "duplicate region name %s",
					   r->name);
		/* Both ranges are overflow-free (checked above). */
		if (r->da < o->da + o->size && o->da < r->da + r->size)
			return layout_fail(err, (int)i, "da",
					   "[0x%llx, 0x%llx) overlaps region %s [0x%llx, 0x%llx)",
					   da, da + size, o->name, (unsigned long long)o->da,
					   (unsigned long long)(o->da + o->size));
	}
	return AMP_OK;
}

int amp_soc_layout_check(const struct amp_soc_layout *l, struct amp_soc_layout_err *err)
{
	const struct amp_soc_region_cfg *mbox;

	if (!l)
		return layout_fail(err, -1, "", "no layout");
	if (l->nregions == 0 || l->nregions > AMP_SOC_MAX_REGIONS)
		return layout_fail(err, -1, "region", "%u regions (1..%u allowed)", l->nregions,
				   AMP_SOC_MAX_REGIONS);
	for (uint32_t i = 0; i < l->nregions; i++) {
		if (check_region(l, i, err) != AMP_OK)
			return AMP_EINVAL;
	}
	if (l->ipcc_region >= l->nregions)
		return layout_fail(err, -1, "region", "mailbox region index %u out of range",
				   l->ipcc_region);
	mbox = &l->regions[l->ipcc_region];
	if (mbox->purpose != AMP_SOC_PURPOSE_IPCC)
		return layout_fail(err, -1, "region",
				   "mailbox region %s does not have purpose ipcc", mbox->name);
	if (mbox->size < sizeof(struct amp_ipcc_shared))
		return layout_fail(err, -1, "region", "mailbox region %s smaller than 0x%zx",
				   mbox->name, sizeof(struct amp_ipcc_shared));
	if (l->ipcc_nchan == 0 || l->ipcc_nchan > AMP_IPCC_MAX_CHAN)
		return layout_fail(err, -1, "channels", "%u channels (1..%u allowed)",
				   l->ipcc_nchan, AMP_IPCC_MAX_CHAN);
	return AMP_OK;
}

/* ---- header ------------------------------------------------------------------------ */

static void hdr_fail(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void hdr_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* The fixed fields, each read once (the peer may change the header while we look). */
static int check_fixed(const struct amp_soc_hdr *h, uint64_t object_size, char *why, size_t why_len)
{
	uint64_t magic = h->magic, total = h->total_size;
	uint32_t version = h->version, hdr_size = h->hdr_size;

	if (magic != AMP_SOC_MAGIC) {
		hdr_fail(why, why_len, "magic 0x%llx is not ampsim's", (unsigned long long)magic);
		return AMP_EPROTO;
	}
	if (version != AMP_SOC_ABI_VERSION) {
		hdr_fail(why, why_len, "version %u, expected %u", version, AMP_SOC_ABI_VERSION);
		return AMP_EPROTO;
	}
	if (hdr_size != AMP_SOC_HDR_SIZE) {
		hdr_fail(why, why_len, "hdr_size %u, expected %u", hdr_size, AMP_SOC_HDR_SIZE);
		return AMP_EPROTO;
	}
	if (total != object_size) {
		hdr_fail(why, why_len, "total_size %llu but the object has %llu bytes",
			 (unsigned long long)total, (unsigned long long)object_size);
		return AMP_EPROTO;
	}
	return AMP_OK;
}

/* A private copy of the region table as a layout, plus each region's object offset. */
static int copy_regions(const struct amp_soc_hdr *h, struct amp_soc_layout *l, uint64_t *offs,
			char *why, size_t why_len)
{
	struct amp_soc_layout_err le;

	memset(l, 0, sizeof(*l));
	l->nregions = h->nregions;
	l->ipcc_region = h->ipcc_region;
	l->ipcc_nchan = h->ipcc_nchan;
	if (l->nregions == 0 || l->nregions > AMP_SOC_MAX_REGIONS) {
		hdr_fail(why, why_len, "nregions %u", l->nregions);
		return AMP_EPROTO;
	}
	for (uint32_t i = 0; i < l->nregions; i++) {
		const struct amp_soc_region_desc *d = &h->regions[i];

		memcpy(l->regions[i].name, d->name, sizeof(l->regions[i].name));
		l->regions[i].da = d->da;
		l->regions[i].size = d->size;
		l->regions[i].purpose = d->purpose;
		l->regions[i].flags = d->flags;
		offs[i] = d->offset;
	}
	if (amp_soc_layout_check(l, &le) != AMP_OK) {
		hdr_fail(why, why_len, "region %d field %s: %s", le.region, le.key, le.why);
		return AMP_EPROTO;
	}
	return AMP_OK;
}

/* Every region page-aligned inside the object, after the header, none overlapping. */
static int check_offsets(const struct amp_soc_layout *l, const uint64_t *offs, uint64_t total,
			 char *why, size_t why_len)
{
	for (uint32_t i = 0; i < l->nregions; i++) {
		uint64_t off = offs[i], size = l->regions[i].size;

		if (off % AMP_SOC_PAGE || off < AMP_SOC_HDR_SIZE || off > total ||
		    size > total - off) {
			hdr_fail(
			    why, why_len, "region %s: offset 0x%llx size 0x%llx outside the object",
			    l->regions[i].name, (unsigned long long)off, (unsigned long long)size);
			return AMP_EPROTO;
		}
		for (uint32_t j = 0; j < i; j++) {
			if (off < offs[j] + l->regions[j].size && offs[j] < off + size) {
				hdr_fail(why, why_len, "region %s overlaps %s in the object",
					 l->regions[i].name, l->regions[j].name);
				return AMP_EPROTO;
			}
		}
	}
	return AMP_OK;
}

static void fill_out(struct amp_soc *out, const struct amp_soc_hdr *h,
		     const struct amp_soc_layout *l, const uint64_t *offs, uint64_t total)
{
	out->nregions = l->nregions;
	out->ipcc_region = l->ipcc_region;
	out->ipcc_nchan = l->ipcc_nchan;
	out->total_size = total;
	memcpy(out->soc_name, h->soc_name, sizeof(out->soc_name));
	out->soc_name[sizeof(out->soc_name) - 1] = '\0';
	for (uint32_t i = 0; i < l->nregions; i++) {
		struct amp_soc_region *r = &out->regions[i];

		memcpy(r->name, l->regions[i].name, sizeof(r->name));
		r->da = l->regions[i].da;
		r->size = l->regions[i].size;
		r->offset = offs[i];
		r->purpose = l->regions[i].purpose;
		r->flags = l->regions[i].flags;
		r->va = NULL;
		r->at_da = false;
	}
}

int amp_soc_hdr_check(const struct amp_soc_hdr *h, uint64_t object_size, struct amp_soc *out,
		      char *why, size_t why_len)
{
	struct amp_soc_layout l;
	uint64_t offs[AMP_SOC_MAX_REGIONS];
	int rc = check_fixed(h, object_size, why, why_len);

	if (rc == AMP_OK)
		rc = copy_regions(h, &l, offs, why, why_len);
	if (rc == AMP_OK)
		rc = check_offsets(&l, offs, object_size, why, why_len);
	if (rc == AMP_OK && out)
		fill_out(out, h, &l, offs, object_size);
	return rc;
}
